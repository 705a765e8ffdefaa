"""What an HDF5 file's datasets hold on the disk, apart from what h5py reads of them: a dataset part of which was never
written reads as HDF5's fill value (zeros), with no error; one compressed by a filter this HDF5 lacks reads as an error
that names a plugin folder.
"""
import errno
import math
import zlib

import h5py

from utils.errors import UserError


class MarkedOpen(UserError):
    """An HDF5 file of the latest format whose superblock says a writer has it open (a live one, in SWMR mode, or one
    stopped since): the mark is in its bytes, and a copy of it (a mirror's) carries it too."""


def open_to_read(path, shown):
    """The HDF5 file at path as an h5py File to read; UserError where another program has it open for writing: HDF5
    locks such a file ("unable to lock file, errno = 11"), and one of the latest format is marked open in its
    superblock ("file is already open for write", the mark left by a writer killed meanwhile). Either was "not an HDF5
    (.h5) parameter file", and the download called it "not a complete HDF5 file", deleted it under that program and
    fetched it again. A file on a file system that gives no locks is read without one: a whole file there was
    "not an HDF5 (.h5) parameter file" (hdf5_file). shown: how the line names it."""
    try:
        return hdf5_file(path, "r")
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EWOULDBLOCK) and "lock" in str(error):
            raise UserError(f"{shown} is open for writing in another program (HDF5 locks it meanwhile); close it "
                            "there and run again") from None
        if "already open for write" in str(error):
            raise MarkedOpen(f"{shown} is marked open for writing by another program (or by one stopped while it "
                             "wrote, whose mark `h5clear -s` clears); close it there and run again") from None
        raise


def hdf5_file(path, mode, **options):
    """h5py.File(path, mode, **options), opened without HDF5's lock where the file system gives none (an NFS mount
    without its lock service: "unable to lock file, errno = 37", 'No locks available'), as HDF5_USE_FILE_LOCKING=FALSE
    has HDF5 do: a whole weight file there was "not an HDF5 (.h5) parameter file" (the download deleted each one it
    fetched), and one written a traceback. A lock another program holds (EAGAIN) still raises."""
    try:
        return h5py.File(path, mode, **options)
    except OSError as error:
        if "unable to lock file" not in str(error) or error.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
            raise
    return h5py.File(path, mode, locking=False, **options)


def named_datasets(h5, names=()):
    """[(name, dataset)] of an h5py File's datasets under each name a hard or soft link of this file gives one
    ('conv/W', no leading '/'): visititems visits each object once, under its first name, and a parameter that is a
    hard link to another (HDF5's way to store one array under two names) was missing ("no 'lin4_model_1_weight'",
    "lacks 1 parameter"), and so was one that is a soft link to a dataset of the file (h5py's SoftLink('/kept/W'), a
    name that leads to another). External links are left out, as before: a name that leads to another file holds no
    array of this file's own. One walk of the links, which takes about visititems' time. (A group hard-linked under a
    second name is walked once, under its first, by HDF5's walk of links, and a soft link to a group is not walked: a
    walk of every path grows with each level linked twice; each of names, the parameters a reader needs, not found so
    is looked up by its path, 'conv0/conv/W' under a group 'conv0' linked to another.)"""
    found = []

    def dataset_at(name, hard=True):
        if hard:
            item = h5[name]
        else:
            try:  # one that leads nowhere, or round a cycle of soft links, holds nothing
                item = h5.get(name)
            except (KeyError, OSError, RuntimeError, ValueError):
                item = None
            if item is not None and item.id.fileno != h5.id.fileno:  # through an external link: another file's
                item = None
        return item if isinstance(item, h5py.Dataset) else None

    def visit(name, link):
        item = dataset_at(name, isinstance(link, h5py.HardLink)) if isinstance(link, (h5py.HardLink, h5py.SoftLink)) \
            else None
        if item is not None:
            found.append((name, item))
    try:
        h5.visititems_links(visit)
    except SystemError as error:
        # an object or link damaged ("bad flag combination for message"): HDF5's error within its walk came out of
        # h5py's lock as a SystemError, a traceback (the error its cause); raised as the OSError of bytes damaged
        damaged = error.__cause__
        if not isinstance(damaged, (KeyError, OSError, RuntimeError, ValueError)):
            raise
        raise OSError(damaged.args[0] if damaged.args else type(damaged).__name__) from None
    seen = {name for name, _ in found}
    found += [(name, item) for name in sorted(set(names) - seen) for item in [dataset_at(name, hard=False)] if item]
    return found


def link_to_another_file(path, name):
    """(the name on name's path, itself or a group, that is an external link, and the '<file>:<path>' it leads to) of
    an HDF5 file, or None: such a name holds none of the file's own arrays (named_datasets leaves it out), and the line
    of a parameter missing said "no '<name>'" of a file that has the name."""
    parts = name.split("/")
    try:
        with hdf5_file(path, "r") as h5:
            for end in range(1, len(parts) + 1):
                link = h5.get("/".join(parts[:end]), getlink=True)
                if isinstance(link, h5py.ExternalLink):
                    return "/".join(parts[:end]), f"{link.filename}:{link.path}"
                if link is None:
                    return None
    except (OSError, KeyError, ValueError, RuntimeError):
        return None
    return None


def unwritten(dataset):
    """Whether part of an HDF5 dataset was never written: of a chunked one, a chunk not stored; of another, less storage
    than its values take. By what is stored, not by the file's size (a dataset of zeros compressed by the scale-offset
    filter, which h5py does not call compression, takes less room than its values: called damaged, it was deleted and
    downloaded again on every run). A virtual dataset stores nothing itself: it is written where its values are,
    datasets of its own file (each checked as a dataset; called unwritten, such a file was deleted and downloaded again
    on every run), and not where they are in another file, which a weight file does not carry, nor where it maps none
    of its values (HDF5 reads them as its fill value, as a part never written: a model read so wrote its frames with
    exit code 0) or where its sources lead back to itself (reading it, HDF5 calls itself without end: a segmentation
    fault, no line, on every run of the download and of generate.py)."""
    state = {}  # of each dataset met, by its id: "open" while its sources are checked, then "done"
    pending = [dataset]  # depth first, without recursion (a chain of a thousand virtual datasets)
    while pending:
        current = pending[-1]
        key = hash(current.id)
        if key in state:
            state[key] = "done"
            pending.pop()
            continue
        state[key] = "open"
        if not current.is_virtual:
            if stored_short(current):
                return True
            continue
        sources = virtual_sources(current)
        if sources is None:
            return True
        for source in sources:
            if state.get(hash(source.id)) == "open":  # one it is read for: a loop
                return True
            if hash(source.id) not in state:
                pending.append(source)
    return False


def stored_short(dataset):
    """Whether a dataset that is not virtual stores less than its values (unwritten). Of a chunked one, the chunks
    stored inside its extent are counted: one written past it (HDF5 takes a chunk written directly at any offset of a
    dataset that may grow) stood for one never written, whose values read as the fill value. One of external storage
    stores none in its file: its values are in raw files named relative to the working folder (read from another
    folder, another file of that name), which a weight file does not carry, and those past a raw file's end read as
    zeros (a model read so wrote its frames with exit code 0)."""
    plist = dataset.id.get_create_plist()
    if plist.get_external_count():
        return True
    value_bytes = stored_value_bytes(dataset.id.get_type(), dataset.file.id.get_create_plist().get_sizes()[0])
    if dataset.chunks is None:
        return dataset.id.get_storage_size() < value_bytes * (dataset.size or 0)  # size: None of an empty dataspace
    chunks = 1
    for length, chunk in zip(dataset.shape, dataset.chunks):
        chunks *= -(-length // chunk)
    stored = []
    dataset.id.chunk_iter(lambda chunk: stored.append(chunk) if within(chunk.chunk_offset, dataset.shape) else None)
    filters = [plist.get_filter(index)[0] for index in range(plist.get_nfilters())]
    return len(stored) < chunks or any(decoded_short(dataset, chunk, filters, value_bytes * values_held(
        chunk.chunk_offset, dataset.shape, dataset.chunks)) for chunk in stored)


def stored_value_bytes(datatype, address_bytes):
    """The bytes a value of an HDF5 datatype takes in a file whose addresses take address_bytes (its superblock's; 8 of
    h5py's files, 4 or 2 of others): HDF5 gives the size a value takes in memory, which of a variable-length value (its
    length, then its global heap's address and index) and of a reference (an object's address; a region's heap address
    and index) is the size of a file of 8-byte addresses. Counted in memory, such a dataset beside the parameters of a
    file of 4-byte addresses stored less than its values: the download called the file incomplete (deleted and fetched
    again on every run)."""
    kind = datatype.get_class()
    if kind == h5py.h5t.VLEN or kind == h5py.h5t.STRING and datatype.is_variable_str():
        return 4 + address_bytes + 4
    if kind == h5py.h5t.REFERENCE:
        return address_bytes if datatype.equal(h5py.h5t.STD_REF_OBJ) else address_bytes + 4
    if kind == h5py.h5t.ARRAY:
        return math.prod(datatype.get_array_dims()) * stored_value_bytes(datatype.get_super(), address_bytes)
    if kind == h5py.h5t.COMPOUND:  # each member's offset moves by what those before it take more or less
        members = [datatype.get_member_type(index) for index in range(datatype.get_nmembers())]
        return datatype.get_size() + sum(stored_value_bytes(member, address_bytes) - member.get_size()
                                         for member in members)
    return datatype.get_size()


def values_held(offset, shape, chunks):
    """How many values a chunk at offset of a dataset of shape in chunks of that shape holds up to its last inside the
    extent, in C order (of an edge chunk, HDF5 reads those alone: one stored short of its values outside the extent
    reads whole)."""
    last = 0
    for position, length, size in zip(offset, shape, chunks):
        last = last * size + min(size, length - position) - 1
    return last + 1


def decoded_short(dataset, chunk, filters, needed):
    """Whether a stored chunk (h5py's StoreInfo) of a dataset whose pipeline holds filters (their codes) gives fewer
    bytes than its values take (needed: values_held's) once the filters its mask says were applied are undone, last
    first. HDF5 reads past the end of what they give: a chunk stored raw written short gave the bytes after it as a
    value, and a gzip chunk of one value in a chunk of four million was a segmentation fault (no line, on every run of
    the download and of generate.py). Told where each filter's output is: Fletcher-32 4 bytes shorter than its input,
    shuffle as long, deflate inflated (no further than its values and what the Fletcher-32 checksums after it take)
    where it is the first filter undone that changes the bytes; scale-offset and n-bit give a whole chunk; lzf, szip
    and a plugin's filters are not told here (lzf's length is told only by reading its whole stream, token by
    token)."""
    size, changed = chunk.size, False  # changed: the bytes at this stage are no longer the stored ones
    for index in reversed(range(len(filters))):
        if chunk.filter_mask & (1 << index):
            continue
        if filters[index] == h5py.h5z.FILTER_FLETCHER32:
            size -= 4
        elif filters[index] == h5py.h5z.FILTER_SHUFFLE:
            changed = True
        elif filters[index] == h5py.h5z.FILTER_DEFLATE and not changed:
            limit = needed + 4 * len(filters)
            try:
                size = len(zlib.decompressobj().decompress(
                    dataset.id.read_direct_chunk(chunk.chunk_offset)[1][:size], limit))
            except zlib.error:  # HDF5's read fails on it: the damaged file's line
                return False
            if size >= limit:
                return False
            changed = True
        else:
            return False
    return size < needed


def within(position, shape):
    """Whether the index position lies inside an array of shape."""
    return len(position) == len(shape) and all(0 <= index < length for index, length in zip(position, shape))


MOST_MAPPED_BLOCKS = 1000  # of a virtual dataset's mappings, joined to tell whether they cover it (see mapped_whole)


def virtual_sources(dataset):
    """The datasets a virtual dataset's values are read from, or None where one is not a dataset of its own file (named
    by an external link of its file, one in another file was taken for its own), part of its values is mapped to none
    (mapped_whole), or mapped to values past its source's extent (HDF5 reads those as the fill value too: a mapping
    of a source's values 2 to 5, of four, read its last two as zeros, with exit code 0)."""
    sources, spaces = [], []
    plist = dataset.id.get_create_plist()
    for index in range(plist.get_virtual_count()):
        item = dataset.file.get(plist.get_virtual_dsetname(index)) if plist.get_virtual_filename(index) == "." else None
        if not isinstance(item, h5py.Dataset) or item.file != dataset.file:
            return None
        virtual, source = selections_read(plist, index, dataset.shape)
        if virtual.get_select_npoints() and (source is None or past_extent(source, item.shape)):
            return None
        sources.append(item)
        spaces.append(virtual)
    return sources if mapped_whole(dataset, spaces) else None


def selections_read(plist, index, shape):
    """(virtual selection, source selection or None) of the mapping at index of a virtual dataset's creation property
    list (plist), as HDF5 reads them for its extent (shape). An unlimited mapping (a regular hyperslab of unlimited
    count or block along an axis, of a virtual dataset that grows with its sources) is cut to its indexes inside the
    extent along that axis, its source's to as many: their blocks could not be counted (a traceback of
    read_weight_file, and the download called such a file incomplete, deleted and fetched again on every run). None:
    HDF5 cannot give the source selection (an unlimited one of a source declared empty; h5py's virtual_sources raised
    RuntimeError for it)."""
    mapped = plist.get_virtual_vspace(index)
    try:
        source = plist.get_virtual_srcspace(index)
    except RuntimeError:
        source = None
    axis = unlimited_axis(mapped)
    if axis is None:
        return mapped, source
    indexes = indexes_below(mapped, axis, shape[axis])
    virtual = first_indexes(mapped, axis, indexes, h5py.h5s.create_simple(shape))
    if source is not None and unlimited_axis(source) is not None:
        source = first_indexes(source, unlimited_axis(source), indexes, source.copy())
    return virtual, source


def past_extent(selection, shape):
    """Whether a mapping's source selection reaches past its source's extent (shape). A selection of all is the
    source's whole (HDF5 gives it of no shape, and refuses to read one of another count of values)."""
    kind = selection.get_select_type()
    if kind not in (h5py.h5s.SEL_HYPERSLABS, h5py.h5s.SEL_POINTS) or not selection.get_select_npoints():
        return False
    return not all(within(bound, shape) for bound in selection.get_select_bounds())


def unlimited_axis(space):
    """The axis along which a selection is a regular hyperslab of unlimited count or of an unlimited block, or None."""
    if space.get_select_type() != h5py.h5s.SEL_HYPERSLABS or not space.is_regular_hyperslab():
        return None
    _, _, count, block = space.get_regular_hyperslab()
    return next((axis for axis, sizes in enumerate(zip(count, block)) if h5py.h5s.UNLIMITED in sizes), None)


def indexes_below(space, axis, length):
    """How many of the indexes along axis that an unlimited selection (space) takes lie below length."""
    start, stride, _, block = (sizes[axis] for sizes in space.get_regular_hyperslab())
    if length <= start:
        return 0
    if block == h5py.h5s.UNLIMITED:
        return length - start
    blocks, rest = divmod(length - start, stride)
    return blocks * block + min(block, rest)


def first_indexes(space, axis, indexes, selected):
    """selected (a dataspace) selecting the first indexes along axis of an unlimited selection (space): whole blocks,
    then part of one (HDF5 reads a source shorter than a last block as far as the virtual extent takes it)."""
    start, stride, count, block = (list(sizes) for sizes in space.get_regular_hyperslab())
    selected.select_none()
    if block[axis] == h5py.h5s.UNLIMITED:
        whole, rest = 0, indexes
        block[axis] = 1
    else:
        whole, rest = divmod(indexes, block[axis])
    if whole:
        count[axis] = whole
        selected.select_hyperslab(tuple(start), tuple(count), tuple(stride), tuple(block), op=h5py.h5s.SELECT_OR)
    if rest:
        start[axis] += whole * stride[axis]
        count[axis], block[axis] = 1, rest
        selected.select_hyperslab(tuple(start), tuple(count), tuple(stride), tuple(block), op=h5py.h5s.SELECT_OR)
    return selected


def mapped_whole(dataset, spaces):
    """Whether the selections of a virtual dataset's mappings (spaces) together cover each of its values. HDF5 joins
    selections in a time that grows as the square of their blocks (200,000 blocks of every other value ran for minutes),
    so a virtual dataset mapped in more than MOST_MAPPED_BLOCKS blocks is not told covered: no tool writes a parameter
    so."""
    if any(space.get_select_type() == h5py.h5s.SEL_ALL for space in spaces):
        return True
    blocks = sum(space.get_select_hyper_nblocks() if space.get_select_type() == h5py.h5s.SEL_HYPERSLABS else
                 space.get_select_npoints() for space in spaces)
    if blocks > MOST_MAPPED_BLOCKS:
        return False
    mapped = dataset.id.get_space()
    mapped.select_none()
    for space in spaces:
        if space.get_select_type() == h5py.h5s.SEL_POINTS:
            for point in space.get_select_elem_pointlist():
                mapped.select_hyperslab(tuple(point), (1,) * len(point), op=h5py.h5s.SELECT_OR)
        elif space.get_select_type() == h5py.h5s.SEL_HYPERSLABS:
            for first, last in space.get_select_hyper_blocklist():
                mapped.select_hyperslab(tuple(first), (1,) * len(first), block=tuple(last - first + 1),
                                        op=h5py.h5s.SELECT_OR)
    if dataset.shape:  # what lies past the extent (an unlimited mapping's last block) covers nothing
        mapped.select_hyperslab((0,) * len(dataset.shape), dataset.shape, op=h5py.h5s.SELECT_AND)
    return mapped.get_select_npoints() == dataset.size


def unknown_type(dataset):
    """What h5py says of a dataset whose values numpy has no type for (an integer of 24 bits), as part of a line, or
    None: asked for its type, h5py raised a TypeError, a traceback of the download's check and of read_weight_file."""
    try:
        dataset.dtype
    except TypeError as error:
        return str(error)
    return None


def missing_filter(dataset):
    """What a dataset's values are compressed with that this HDF5 library cannot undo (a plugin's filter: Blosc, LZ4,
    Zstandard, as hdf5plugin writes them), as part of a line, or None. Read, it was "can't open directory
    (/usr/local/lib/plugin)": a file that may be whole was called incomplete (a download deleted and fetched again on
    every run) or damaged."""
    pipeline = dataset.id.get_create_plist()
    for index in range(pipeline.get_nfilters()):
        code, flags, _, name = pipeline.get_filter(index)
        if not h5py.h5z.filter_avail(code) and applied(dataset, index, flags):
            return (f"compressed by HDF5 filter {code} ({name.decode('ascii', 'replace')!r}), which this "
                    "installation's HDF5 lacks (its plugin can be given in the folder HDF5_PLUGIN_PATH names)")
    return None


def applied(dataset, index, flags):
    """Whether the filter at index of a dataset's pipeline was applied to a chunk it stores: a mandatory one always; an
    optional one (h5py marks so each filter it is given by its number, hdf5plugin's too) that its writer's HDF5 lacked
    as well was skipped, as each chunk's filter mask says, and the values read without it (such a file was kept by the
    download "to run again once HDF5 has the plugin", on every run, and read_weight_file refused it)."""
    if not flags & h5py.h5z.FLAG_OPTIONAL:
        return True
    filtered = []
    dataset.id.chunk_iter(lambda chunk: filtered.append(True) if not chunk.filter_mask & (1 << index) else None)
    return bool(filtered)
