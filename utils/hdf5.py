"""What an HDF5 file holds beyond what h5py reads: the parameter files' (utils.weights) and the downloads' checks.

No NNabla here: download_test_data.py checks weight files without loading it."""


def unwritten(dataset):
    """Whether part of an HDF5 dataset was never written: of a chunked one, a chunk not stored; of another, less storage
    than its values take. By what is stored, not by the file's size (a dataset of zeros compressed by the scale-offset
    filter, which h5py does not call compression, takes less room than its values: called damaged, it was deleted and
    downloaded again on every run)."""
    if dataset.chunks is None:
        return dataset.id.get_storage_size() < dataset.nbytes
    chunks = 1
    for length, chunk in zip(dataset.shape, dataset.chunks):
        chunks *= -(-length // chunk)
    return dataset.id.get_num_chunks() < chunks
