"""Reading PyTorch .pth files without torch: tensors become numpy arrays.

torch.save has written two formats:
- zip (torch >= 1.6): an uncompressed zip holding `<prefix>/data.pkl`, a pickle whose tensors point
  by persistent id ('storage', StorageType, key, location, numel) at raw storages `<prefix>/data/<key>`
  (byte order in `<prefix>/byteorder`, little-endian when absent).
- legacy (before 1.6, e.g. the LPIPS project's weights/v0.1/alex.pth): five pickles one after another
  (magic number, protocol version, sys_info, the object, the list of storage keys), then for each key
  in that list an int64 element count and the storage's raw little-endian bytes. Its persistent ids
  carry a sixth item, view metadata (view_key, offset, size) or None.

In both, a tensor is torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...). A .pth
from the internet is a pickle, which can run any code: the unpickler here accepts only tensors,
OrderedDict and plain Python values, and refuses anything else with a UserError. A malformed or
hostile file (truncated, claiming huge strings or tensors, rewriting a tensor with BUILD, nested
without end) is refused the same way, before any memory is reserved for what it claims: each pickle
is parsed before it is loaded, so a claimed length cannot exceed the file, and a tensor's size and
extent are checked against its storage before it is copied.
"""
import collections
import contextlib
import io
import math
import os
import pickle
import pickletools
import struct
import zipfile
import zlib

import numpy as np

from utils.errors import UserError, counted, error_reason
from utils.paths import input_file
from utils.zips import ZIP_ERRORS

LEGACY_MAGIC_NUMBER = 0x1950a86a20f9469cfc6c
LEGACY_PROTOCOL_VERSION = 1001
LEGACY_START = pickle.dumps(LEGACY_MAGIC_NUMBER, protocol=2)  # how a legacy .pth begins
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
LEGACY_MAGIC_PICKLE_BYTES = 64  # more than the magic number's pickle takes in any protocol (15 to 24 bytes)
MAX_NESTING = 100  # containers inside containers; a state dict needs 2 or 3
# Objects on the pickle machine's stack at once: pickle writes containers in batches of 1000 items
# (2000 stack entries for a dict), so a weights file stays far below; a crafted one (100000 empty lists
# appended into each other) would otherwise build a structure 100000 deep before any other check.
MAX_STACK_ITEMS = 10000
MAX_DIMENSIONS = 32
STORAGE_DTYPES = {
    "DoubleStorage": np.float64, "FloatStorage": np.float32, "HalfStorage": np.float16,
    "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
    "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_,
}


class Unbuildable:
    """The objects made here refuse pickle's BUILD opcode, which would replace their fields."""
    __slots__ = ()

    def __setstate__(self, state):
        raise pickle.UnpicklingError(f"the pickle rewrites a {type(self).__name__} (BUILD)")


class StorageType(Unbuildable):
    """Stands for torch.<Name>Storage inside a persistent id: only its element type matters."""
    __slots__ = ("dtype", "name")

    def __init__(self, name):
        self.name = name
        self.dtype = np.dtype(STORAGE_DTYPES[name])


class StorageRef(Unbuildable):
    """A slice [offset, offset + numel) of the storage `key`, whose bytes may not be read yet."""
    __slots__ = ("dtype", "key", "numel", "offset")

    def __init__(self, key, dtype, numel, offset=0):
        self.key, self.dtype, self.numel, self.offset = key, dtype, numel, offset


class TensorRef(Unbuildable):
    """A tensor to be cut out of a storage once every storage is read."""
    __slots__ = ("offset", "size", "storage", "stride")

    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)


def is_count(value):
    return type(value) is int and value >= 0


class RebuildTensor(Unbuildable):
    """Stands for torch._utils._rebuild_tensor(_v2): requires_grad, hooks and metadata do not matter. An
    object, not a function: BUILD could set attributes on a function that outlives the file."""
    __slots__ = ()

    def __call__(self, storage, storage_offset, size, stride, *unused):
        if not isinstance(storage, StorageRef):
            raise pickle.UnpicklingError("a tensor without a storage")
        if not (is_count(storage_offset) and isinstance(size, tuple) and isinstance(stride, tuple)
                and len(size) == len(stride) <= MAX_DIMENSIONS and all(map(is_count, size + stride))):
            raise pickle.UnpicklingError("a tensor whose offset, size or stride is not a tuple of counts")
        return TensorRef(storage, storage_offset, size, stride)


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that builds only OrderedDicts and tensor references; every other global is refused."""

    def __init__(self, file, storage_location_items):
        super().__init__(file, encoding="utf-8")
        self.storage_location_items = storage_location_items
        self.storages = {}  # key -> dtype, for every storage the pickle refers to

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if module == "torch._utils" and name in ("_rebuild_tensor", "_rebuild_tensor_v2"):
            return RebuildTensor()
        if module == "torch" and name in STORAGE_DTYPES:
            return StorageType(name)
        raise pickle.UnpicklingError(f"refusing to load '{module}.{name}': only tensors and plain "
                                     "containers are accepted")

    def persistent_load(self, pid):
        if (not isinstance(pid, tuple) or len(pid) != self.storage_location_items or pid[0] != "storage"
                or not isinstance(pid[1], StorageType) or type(pid[2]) not in (str, int)
                or not is_count(pid[4])):
            raise pickle.UnpicklingError("a persistent id that is not a storage reference")
        key, dtype, numel = str(pid[2]), pid[1].dtype, pid[4]
        if self.storages.setdefault(key, dtype) != dtype:
            raise pickle.UnpicklingError(f"storage '{key}' is used with two element types")
        view = pid[5] if len(pid) > 5 else None
        if view is None:
            return StorageRef(key, dtype, numel)
        if not (isinstance(view, tuple) and len(view) == 3 and is_count(view[1]) and is_count(view[2])):
            raise pickle.UnpicklingError("a storage view that is not (key, offset, size)")
        return StorageRef(key, dtype, view[2], view[1])


def materialise(value, storages):
    """Replace every TensorRef in nested containers by a numpy array out of storages. What the pickle shares
    stays shared, so a file that refers to one list or tensor from many places costs its own size, not a copy
    per reference; nesting deeper than MAX_NESTING (or a container inside itself) is refused."""
    rebuilt = {}  # id of a pickled object -> what it became (every such object lives until the end)

    def rebuild(item, depth):
        if depth > MAX_NESTING:
            raise UserError(
                f"the pickle nests containers more than {MAX_NESTING} deep; this is no weights file")
        if id(item) in rebuilt:
            return rebuilt[id(item)]
        if isinstance(item, TensorRef):
            result = tensor_from_storage(item, storages[item.storage.key])
        elif isinstance(item, dict):
            result = type(item)((key, rebuild(entry, depth + 1)) for key, entry in item.items())
        elif isinstance(item, (list, tuple)):
            result = type(item)(rebuild(entry, depth + 1) for entry in item)
        else:
            return item
        rebuilt[id(item)] = result
        return result
    return rebuild(value, 0)


def tensor_from_storage(tensor, storage):
    """A read-only strided view of a flat storage array (so that many tensors over one storage cost nothing
    more), refusing views that reach outside it and tensors with more elements than their storage (a weight
    never repeats elements; a huge shape of stride 0 would)."""
    ref = tensor.storage
    if ref.offset + ref.numel > storage.size:
        raise UserError(f"a storage view ends past its storage ({ref.offset} + {ref.numel} > {storage.size})")
    flat = storage[ref.offset:ref.offset + ref.numel]
    elements = math.prod(tensor.size)  # Python ints: no overflow, nothing allocated yet
    if elements > flat.size:
        raise UserError(f"a tensor of shape {tensor.size} has {elements} elements, more than its storage "
                        f"of {flat.size}")
    if elements == 0:
        try:
            return np.zeros(tensor.size, storage.dtype)
        except ValueError:  # numpy refuses shapes like (0, 2**62) whose other sides overflow its size
            raise UserError(f"an empty tensor has the impossible shape {tensor.size}")
    last = tensor.offset + sum((n - 1) * s for n, s in zip(tensor.size, tensor.stride))
    if last >= flat.size:
        raise UserError(f"a tensor reaches element {last} of a storage of {flat.size} elements")
    strides = tuple(s * flat.itemsize for s in tensor.stride)
    return np.lib.stride_tricks.as_strided(flat[tensor.offset:], tensor.size, strides, writeable=False)


def check_stack(opcodes):
    """UserError when the pickle machine would hold more than MAX_STACK_ITEMS objects at once, from each
    opcode's stack effect (pickletools' description of it); an opcode with a mark takes everything above
    the topmost MARK."""
    depth, marks = 0, []
    for opcode, _, _ in opcodes:
        before, after = opcode.stack_before, opcode.stack_after
        if opcode.name == "MARK":
            marks.append(depth)
            continue
        if pickletools.markobject in before:
            depth = marks.pop() if marks else 0
            before = before[:before.index(pickletools.markobject)]
        depth = max(depth - len(before), 0) + len(after)
        if depth > MAX_STACK_ITEMS:
            raise UserError(
                f"the pickle holds more than {MAX_STACK_ITEMS} objects at once; this is no weights file")


def unpickle(file, storage_location_items, source):
    """One pickle from an in-memory file. It is parsed first without building anything: pickle's own loader
    reserves a claimed string length before reading it, so a claim longer than the file must fail before."""
    start = file.tell()
    unpickler = RestrictedUnpickler(file, storage_location_items)
    try:
        with named_in_refusals(source):
            check_stack(pickletools.genops(file))  # every opcode and its argument lie within the file
        file.seek(start)
        return unpickler.load(), unpickler.storages
    except (pickle.UnpicklingError, EOFError, AttributeError, IndexError, KeyError, TypeError, ValueError,
            OverflowError, MemoryError, RecursionError) as error:
        raise UserError(f"'{source}' is not a usable PyTorch weights file: {error_reason(error)}")


@contextlib.contextmanager
def named_in_refusals(source):
    """Within: a refusal of what a file holds (its pickle's size, its tensors' views of their storages) names the file,
    as every other line of this reader does: "a tensor reaches element 5 of a storage of 4 elements" named neither of
    convert_lpips_weights.py's two files."""
    try:
        yield
    except UserError as error:
        raise UserError(f"'{source}' is not a usable PyTorch weights file: {error}") from None


def storage_array(data, dtype, key, source):
    if len(data) % dtype.itemsize:
        raise UserError(f"'{source}': storage '{key}' has {len(data)} bytes, not a whole number of "
                        f"{dtype.itemsize}-byte elements")
    return np.frombuffer(data, dtype)


def read_zip_format(path):
    try:
        with zipfile.ZipFile(path) as archive:
            return read_zip_members(archive, path)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as error:
        raise UserError(f"'{path}' is a damaged zip file ({error_reason(error)}); download or save it "
                        "again")


def read_zip_members(archive, path):
    compressed = [info.filename for info in archive.infolist() if info.compress_type != zipfile.ZIP_STORED]
    # torch.save stores every member uncompressed: no member can claim more than the file holds
    if compressed:
        raise UserError(f"'{path}' holds the compressed member {compressed[0]!r}; torch.save writes none, "
                        "so this is no PyTorch .pth")
    pickles = [name for name in archive.namelist() if os.path.basename(name) == "data.pkl"]
    if len(pickles) != 1:
        raise UserError(f"'{path}' is a zip file but not a PyTorch .pth (no single data.pkl inside)")
    prefix = pickles[0][:-len("data.pkl")]
    names = set(archive.namelist())
    byteorder = archive.read(prefix + "byteorder") if prefix + "byteorder" in names else b"little"
    if byteorder not in (b"little", b"big"):
        raise UserError(f"'{path}' names byte order {byteorder[:20]!r}; only 'little' and 'big' exist")
    order = "<" if byteorder == b"little" else ">"
    obj, storage_dtypes = unpickle(io.BytesIO(archive.read(pickles[0])), 5, path)
    storages = {}
    for key, dtype in storage_dtypes.items():
        entry = f"{prefix}data/{key}"
        if entry not in names:
            raise UserError(f"'{path}' lacks the storage '{entry}'")
        storages[key] = storage_array(archive.read(entry), dtype.newbyteorder(order), key, path)
    return obj, storages


def read_legacy_format(path):
    with open(path, "rb") as opened:
        # the magic number's pickle first: a file of another kind (a video, gigabytes of zeros) is refused
        # before it is read into memory
        start = opened.read(LEGACY_MAGIC_PICKLE_BYTES)
        try:
            magic, _ = unpickle(io.BytesIO(start), 6, path)
        except UserError:  # pickle's reason ("opcode b'H' unknown") says nothing of a file that is no pickle
            magic = None
        if magic != LEGACY_MAGIC_NUMBER:
            kind = "; it is an HDF5 file, such as NNabla's .h5" if start.startswith(HDF5_SIGNATURE) else ""
            raise UserError(f"'{path}' is not a usable PyTorch weights file: neither the zip nor the legacy .pth "
                            f"format{kind}")
        opened.seek(0)
        content = opened.read()
    file_size = len(content)
    with io.BytesIO(content) as file:
        unpickle(file, 6, path)  # the magic number, checked above
        protocol, _ = unpickle(file, 6, path)
        if protocol != LEGACY_PROTOCOL_VERSION:
            raise UserError(
                f"'{path}' uses legacy protocol {protocol}; only {LEGACY_PROTOCOL_VERSION} is known")
        sys_info, _ = unpickle(file, 6, path)
        if not isinstance(sys_info, dict) or not sys_info.get("little_endian", False):
            raise UserError(f"'{path}' was saved on a big-endian machine; re-save it on a little-endian one")
        obj, storage_dtypes = unpickle(file, 6, path)
        keys, _ = unpickle(file, 6, path)
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
            raise UserError(f"'{path}' does not end its pickles with the list of storage keys")
        storages = {}
        for key in keys:
            if key not in storage_dtypes:
                raise UserError(f"'{path}' holds storage '{key}' that no tensor uses")
            header = file.read(8)
            if len(header) != 8:
                raise UserError(f"'{path}' is truncated: storage '{key}' is missing")
            (numel,) = struct.unpack("<q", header)
            dtype = storage_dtypes[key].newbyteorder("<")
            if not 0 <= numel * dtype.itemsize <= file_size - file.tell():
                raise UserError(f"'{path}' is truncated inside storage '{key}'")
            data = file.read(numel * dtype.itemsize)
            if len(data) != numel * dtype.itemsize:
                raise UserError(f"'{path}' is truncated inside storage '{key}'")
            storages[key] = storage_array(data, dtype, key, path)
        missing = set(storage_dtypes) - set(storages)
        if missing:
            raise UserError(f"'{path}' lacks the data of {counted(len(missing), 'storage')} {sorted(missing)}")
    return obj, storages


def is_pth(path):
    """Whether path is a regular file that begins as torch.save writes: the legacy format's magic number pickled
    (protocol 2, torch.save's), or a zip holding a data.pkl. Whether it reads is read_pth's to say."""
    with contextlib.suppress(*ZIP_ERRORS):
        if os.path.isfile(path):  # not a FIFO's read, which waits for a writer
            with open(path, "rb") as file:
                if file.read(len(LEGACY_START)) == LEGACY_START:
                    return True
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    return any(os.path.basename(name) == "data.pkl" for name in archive.namelist())
    return False


def read_pth(path):
    """The object saved in a .pth file, with every tensor as a read-only numpy array (native byte order)."""
    # regular: reading a pipe or /dev/zero would wait for a writer or read without end
    input_file(path, "PyTorch weights file", regular=True)
    obj, storages = read_zip_format(path) if zipfile.is_zipfile(path) else read_legacy_format(path)
    native = {key: array.astype(array.dtype.newbyteorder("=")) for key, array in storages.items()}
    with named_in_refusals(path):
        return materialise(obj, native)


def read_state_dict(path):
    """{parameter name: numpy array} of a .pth holding a state dict; UserError for anything else."""
    state = read_pth(path)
    if not isinstance(state, dict) or not all(isinstance(key, str) and isinstance(value, np.ndarray)
                                              for key, value in state.items()):
        raise UserError(f"'{path}' does not hold a state dict (a mapping of names to tensors)")
    return state
