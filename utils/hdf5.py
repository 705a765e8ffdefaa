"""What an HDF5 file's datasets hold on the disk, apart from what h5py reads of them: a dataset part of which was never
written reads as HDF5's fill value (zeros), with no error."""


def unwritten(dataset):
    """Whether part of an HDF5 dataset was never written: of a chunked one, a chunk not stored; of another, less storage
    than its values take. By what is stored, not by the file's size (a dataset of zeros compressed by the scale-offset
    filter, which h5py does not call compression, takes less room than its values: called damaged, it was deleted and
    downloaded again on every run). A virtual dataset stores nothing itself: it is written where its values are, datasets
    of its own file (each checked as a dataset; called unwritten, such a file was deleted and downloaded again on every
    run), and not where they are in another file, which a weight file does not carry."""
    if dataset.is_virtual:
        return any(source.file_name != "." or source.dset_name not in dataset.file
                   for source in dataset.virtual_sources())
    if dataset.chunks is None:
        return dataset.id.get_storage_size() < dataset.nbytes
    chunks = 1
    for length, chunk in zip(dataset.shape, dataset.chunks):
        chunks *= -(-length // chunk)
    return dataset.id.get_num_chunks() < chunks
