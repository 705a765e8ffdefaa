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
OrderedDict and plain Python values, and refuses anything else with a UserError.
"""
import collections
import io
import os
import pickle
import struct
import zipfile

import numpy as np

from utils.errors import UserError

LEGACY_MAGIC_NUMBER = 0x1950a86a20f9469cfc6c
LEGACY_PROTOCOL_VERSION = 1001
STORAGE_DTYPES = {
    "DoubleStorage": np.float64, "FloatStorage": np.float32, "HalfStorage": np.float16,
    "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
    "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_,
}


class StorageType:
    """Stands for torch.<Name>Storage inside a persistent id: only its element type matters."""

    def __init__(self, name):
        self.name = name
        self.dtype = np.dtype(STORAGE_DTYPES[name])


class StorageRef:
    """A slice [offset, offset + numel) of the storage `key`, whose bytes may not be read yet."""

    def __init__(self, key, dtype, numel, offset=0):
        self.key, self.dtype, self.numel, self.offset = key, dtype, numel, offset


class TensorRef:
    """A tensor to be cut out of a storage once every storage is read."""

    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)


def rebuild_tensor(storage, storage_offset, size, stride, *unused):
    """Stands for torch._utils._rebuild_tensor(_v2): requires_grad, hooks and metadata do not matter."""
    if not isinstance(storage, StorageRef):
        raise pickle.UnpicklingError("a tensor without a storage")
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
            return rebuild_tensor
        if module == "torch" and name in STORAGE_DTYPES:
            return StorageType(name)
        raise pickle.UnpicklingError(f"refusing to load '{module}.{name}': only tensors and plain "
                                     "containers are accepted")

    def persistent_load(self, pid):
        if (not isinstance(pid, tuple) or len(pid) != self.storage_location_items or pid[0] != "storage"
                or not isinstance(pid[1], StorageType) or not isinstance(pid[4], int)):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        key, dtype, numel = str(pid[2]), pid[1].dtype, pid[4]
        if self.storages.setdefault(key, dtype) != dtype:
            raise pickle.UnpicklingError(f"storage '{key}' is used with two element types")
        view = pid[5] if len(pid) > 5 else None
        if view is None:
            return StorageRef(key, dtype, numel)
        view_offset, view_size = view[1], view[2]
        return StorageRef(key, dtype, view_size, view_offset)


def materialise(value, storages):
    """Replace every TensorRef in nested containers by a numpy array copied out of storages."""
    if isinstance(value, TensorRef):
        return tensor_from_storage(value, storages[value.storage.key])
    if isinstance(value, dict):
        return type(value)((key, materialise(item, storages)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(materialise(item, storages) for item in value)
    return value


def tensor_from_storage(tensor, storage):
    """Copy a strided view out of a flat storage array, refusing views that reach outside it."""
    ref = tensor.storage
    if ref.offset < 0 or ref.offset + ref.numel > storage.size:
        raise UserError(f"a storage view ends past its storage ({ref.offset} + {ref.numel} > {storage.size})")
    flat = storage[ref.offset:ref.offset + ref.numel]
    if any(n < 0 for n in tensor.size) or any(s < 0 for s in tensor.stride) or tensor.offset < 0:
        raise UserError("a tensor has a negative size, stride or offset")
    if 0 in tensor.size:
        return np.zeros(tensor.size, storage.dtype)
    last = tensor.offset + sum((n - 1) * s for n, s in zip(tensor.size, tensor.stride))
    if last >= flat.size:
        raise UserError(f"a tensor reaches element {last} of a storage of {flat.size} elements")
    strides = tuple(s * flat.itemsize for s in tensor.stride)
    return np.lib.stride_tricks.as_strided(flat[tensor.offset:], tensor.size, strides).copy()


def unpickle(file, storage_location_items, source):
    unpickler = RestrictedUnpickler(file, storage_location_items)
    try:
        return unpickler.load(), unpickler.storages
    except (pickle.UnpicklingError, EOFError, AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
        raise UserError(f"'{source}' is not a usable PyTorch weights file: {error}")


def read_zip_format(path):
    with zipfile.ZipFile(path) as archive:
        pickles = [name for name in archive.namelist() if os.path.basename(name) == "data.pkl"]
        if len(pickles) != 1:
            raise UserError(f"'{path}' is a zip file but not a PyTorch .pth (no single data.pkl inside)")
        prefix = pickles[0][:-len("data.pkl")]
        names = set(archive.namelist())
        byteorder = archive.read(prefix + "byteorder").decode() if prefix + "byteorder" in names else "little"
        obj, storage_dtypes = unpickle(io.BytesIO(archive.read(pickles[0])), 5, path)
        storages = {}
        for key, dtype in storage_dtypes.items():
            entry = f"{prefix}data/{key}"
            if entry not in names:
                raise UserError(f"'{path}' lacks the storage '{entry}'")
            order = "<" if byteorder == "little" else ">"
            storages[key] = np.frombuffer(archive.read(entry), dtype.newbyteorder(order))
    return obj, storages


def read_legacy_format(path):
    file_size = os.path.getsize(path)
    with open(path, "rb") as file:
        magic, _ = unpickle(file, 6, path)
        if magic != LEGACY_MAGIC_NUMBER:
            raise UserError(f"'{path}' is not a PyTorch .pth file (neither zip nor legacy format)")
        protocol, _ = unpickle(file, 6, path)
        if protocol != LEGACY_PROTOCOL_VERSION:
            raise UserError(f"'{path}' uses legacy protocol {protocol}; only {LEGACY_PROTOCOL_VERSION} is known")
        sys_info, _ = unpickle(file, 6, path)
        if not isinstance(sys_info, dict) or not sys_info.get("little_endian", False):
            raise UserError(f"'{path}' was saved on a big-endian machine; re-save it on a little-endian one")
        obj, storage_dtypes = unpickle(file, 6, path)
        keys, _ = unpickle(file, 6, path)
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
            storages[key] = np.frombuffer(data, dtype)
        missing = set(storage_dtypes) - set(storages)
        if missing:
            raise UserError(f"'{path}' lacks the data of storage(s) {sorted(missing)}")
    return obj, storages


def read_pth(path):
    """The object saved in a .pth file, with every tensor as a numpy array (native byte order)."""
    if not os.path.isfile(path):
        raise UserError(f"PyTorch weights file '{path}' does not exist")
    obj, storages = read_zip_format(path) if zipfile.is_zipfile(path) else read_legacy_format(path)
    native = {key: array.astype(array.dtype.newbyteorder("=")) for key, array in storages.items()}
    return materialise(obj, native)


def read_state_dict(path):
    """{parameter name: numpy array} of a .pth holding a state dict; UserError for anything else."""
    state = read_pth(path)
    if not isinstance(state, dict) or not all(isinstance(key, str) and isinstance(value, np.ndarray)
                                              for key, value in state.items()):
        raise UserError(f"'{path}' does not hold a state dict (a mapping of names to tensors)")
    return state
