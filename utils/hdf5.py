"""What an HDF5 file's datasets hold on the disk, apart from what h5py reads of them: a dataset part of which was never
written reads as HDF5's fill value (zeros), with no error; one compressed by a filter this HDF5 lacks reads as an error
that names a plugin folder.
"""
import h5py


def unwritten(dataset):
    """Whether part of an HDF5 dataset was never written: of a chunked one, a chunk not stored; of another, less storage
    than its values take. By what is stored, not by the file's size (a dataset of zeros compressed by the scale-offset
    filter, which h5py does not call compression, takes less room than its values: called damaged, it was deleted and
    downloaded again on every run). A virtual dataset stores nothing itself: it is written where its values are,
    datasets of its own file (each checked as a dataset; called unwritten, such a file was deleted and downloaded again
    on every run), and not where they are in another file, which a weight file does not carry."""
    if dataset.is_virtual:
        return any(source.file_name != "." or source.dset_name not in dataset.file
                   for source in dataset.virtual_sources())
    if dataset.chunks is None:
        return dataset.id.get_storage_size() < dataset.nbytes
    chunks = 1
    for length, chunk in zip(dataset.shape, dataset.chunks):
        chunks *= -(-length // chunk)
    return dataset.id.get_num_chunks() < chunks


def missing_filter(dataset):
    """What a dataset's values are compressed with that this HDF5 library cannot undo (a plugin's filter: Blosc, LZ4,
    Zstandard, as hdf5plugin writes them), as part of a line, or None. Read, it was "can't open directory
    (/usr/local/lib/plugin)": a file that may be whole was called incomplete (a download deleted and fetched again on
    every run) or damaged."""
    pipeline = dataset.id.get_create_plist()
    for index in range(pipeline.get_nfilters()):
        code, _, _, name = pipeline.get_filter(index)
        if not h5py.h5z.filter_avail(code):
            return (f"compressed by HDF5 filter {code} ({name.decode('ascii', 'replace')!r}), which this "
                    "installation's HDF5 lacks (its plugin can be given in the folder HDF5_PLUGIN_PATH names)")
    return None
