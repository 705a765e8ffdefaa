"""Weight files in the official NNabla layout.

Files hold channel-last shapes (convolution W (out, kh, kw, in), deconvolution W (in, kh, kw, out),
batch-norm statistics (1, 1, 1, C)), as the reference and the released tecogan_model.h5 /
frvsr_model.h5. Our networks compute channel-first, so every 4-D array is transposed once when
it is loaded and once when it is saved; 1-D and 2-D arrays (biases, affine W) are the same in
both layouts.
"""
import os
import re
from typing import NamedTuple

import numpy as np
import nnabla as nn

from utils.atomic_files import is_held, write_atomically
from utils.degradation import record_degradation
from utils.errors import UserError, counted, error_reason, out_of_memory_said
from utils.hdf5 import hdf5_file, missing_filter, named_datasets, open_to_read, unknown_type, unwritten
from utils.paths import input_file

FILE_TO_COMPUTE_AXES = (0, 3, 1, 2)
COMPUTE_TO_FILE_AXES = (0, 2, 3, 1)
RESBLOCK_PATTERN = re.compile(r"generator/generator_unit/resblock_(\d+)/")
HDF5_CHUNK_LIMIT = 2 ** 32  # bytes: HDF5's largest chunk is one less


def to_file_layout(array):
    return array.transpose(COMPUTE_TO_FILE_AXES) if array.ndim == 4 else array


def to_compute_layout(array):
    return array.transpose(FILE_TO_COMPUTE_AXES) if array.ndim == 4 else array


def read_weight_file(path, advice="pass a file saved by train.py or an official NNabla model", kind="weights file",
                     missing_advice="pass the path of a .h5 model file",
                     nonfinite_advice="use an earlier model file of that training", names=None, attributes=None):
    """Return {name: array in file layout} from an NNabla .h5 parameter file. kind names the file in errors; advice
    says what to do about a file that is not one (a checkpoint's file is not one the user names), missing_advice about
    one that is not there, nonfinite_advice about NaN or infinite values. names: the parameters to read (a set), where
    the caller uses those alone and the file may hold other datasets (text, records) beside them; None: every one.
    attributes: a dict given the file's root attributes, read in the same opening (a model's degradation: the page
    opened the file twice to check one model)."""
    input_file(path, kind, missing_advice, regular=True)
    # a large file (VGG19's is 550 MB) under a memory limit (ulimit -v): numpy's MemoryError as a traceback
    with out_of_memory_said(f"{kind} '{path}' does not fit in the memory this process may use; free memory, "
                            "or raise this process's limit (ulimit -v)"):
        try:
            h5 = open_to_read(path, f"{kind} '{path}'")
        except OSError:
            raise UserError(f"{kind} '{path}' is not an HDF5 (.h5) parameter file; {advice}")
        with h5:
            arrays, datasets, read = {}, [], {}
            try:
                if attributes is not None:
                    attributes.update(h5.attrs)
                datasets = named_datasets(h5, names or ())
                for name, dataset in datasets:
                    if names is not None and name not in names:
                        continue
                    if dataset.id in read:  # a hard link to one read under another name: read once
                        arrays[name] = read[dataset.id]
                        continue
                    compression = missing_filter(dataset)
                    if compression:
                        raise UserError(f"{kind} '{path}': parameter '{name}' is {compression}; {advice}")
                    # a null dataspace (h5py's Empty) was "holds object values, not numbers", the one object numpy
                    # held it as: it holds none
                    if dataset.shape is None:
                        raise UserError(f"{kind} '{path}': parameter '{name}' holds no values (an HDF5 dataset of a "
                                        f"null dataspace); {advice}")
                    unknown = unknown_type(dataset)
                    if unknown:
                        raise UserError(f"{kind} '{path}': parameter '{name}' holds values of a type numpy lacks "
                                        f"({unknown}), not numbers it can read; {advice}")
                    # HDF5 reads a part never written (a writer stopped midway) as zeros: generate.py wrote the
                    # frames of such a model with exit code 0
                    if unwritten(dataset):
                        raise UserError(f"{kind} '{path}' is incomplete (its parameter '{name}' was never "
                                        f"written whole: a copy or save cut short); {advice}")
                    arrays[name] = read[dataset.id] = dataset[()]
            # a checksum (write_dataset's) that fails: bytes damaged since it was written. A damaged group's B-tree
            # or heap, a dataset's chunk index, the root group's header or an attribute's type were a traceback
            # (h5py's RuntimeError "Link visitation failed (bad heap free list)", KeyError, ValueError, TypeError),
            # as the download's check (hdf5_problem) reads them
            except (OSError, RuntimeError, KeyError, ValueError, TypeError) as error:
                raise UserError(f"{kind} '{path}' is damaged ({error_reason(error)}); {advice}") from None
        if not datasets:
            raise UserError(f"{kind} '{path}' holds no parameters; {advice}")
        arrays = {name: np.asarray(array) for name, array in arrays.items()}
        # each array once (thousands of hard links to one parameter are one array, checked once), in the order read
        for name, array in {id(array): (name, array) for name, array in arrays.items()}.values():
            # text or records: a traceback further on; complex numbers: their imaginary part dropped
            if array.dtype.kind not in "fiu":
                raise UserError(f"{kind} '{path}': parameter '{name}' holds {array.dtype} values, not "
                                f"numbers; {advice}")
            # a diverged training's model would write NaN frames; the networks compute in float32, where a double
            # past its range (1e300) is infinite: such a model wrote white frames with exit code 0
            with np.errstate(over="ignore"):
                as_computed = array.astype(np.float32) if array.dtype.kind == "f" and array.itemsize > 4 else array
            if not np.isfinite(as_computed).all():
                past = "" if as_computed is array or not np.isfinite(array).all() else " in float32 (past its range)"
                raise UserError(f"{kind} '{path}': parameter '{name}' holds NaN or infinite values{past}; "
                                f"{nonfinite_advice}")
    return arrays


def count_resblocks(names):
    """Number of generator residual blocks named in a set of parameter names (0 if none)."""
    blocks = {int(match.group(1)) for name in names for match in [RESBLOCK_PATTERN.search(name)] if match}
    return max(blocks, default=0)


def assign_weights(params, file_arrays, source, allow_missing=(),
                   advice="it was saved for another network or block count (check --num_resblock, or use the matching "
                          "model file)"):
    """Copy file arrays into graph parameters, checking that names and shapes agree.

    params: {name: nn.Variable} of the graph (compute layout). Names in allow_missing (prefixes)
    may be absent from the file; they keep their current values. advice ends the line of a file whose names differ.
    Raises UserError on any mismatch.
    """
    missing = [name for name in params if name not in file_arrays
               and not any(name.startswith(prefix) for prefix in allow_missing)]
    if missing:
        raise UserError(f"weights file '{source}' lacks {counted(len(missing), 'parameter')} of this network, e.g. "
                        f"'{missing[0]}': {advice}")
    # a second name of a parameter's own array (an HDF5 hard or soft link to it, read_weight_file's one array under
    # both names) is no parameter the network lacks: such a file, taken before links were read, was refused
    known = {id(file_arrays[name]) for name in params if name in file_arrays}
    unknown = [name for name in file_arrays if name not in params and id(file_arrays[name]) not in known]
    if unknown:
        raise UserError(f"weights file '{source}' has {counted(len(unknown), 'parameter')} this network lacks, e.g. "
                        f"'{unknown[0]}': {advice}")
    for name, variable in params.items():
        if name not in file_arrays:
            continue
        array = to_compute_layout(file_arrays[name])
        if array.shape != variable.shape:
            raise UserError(f"weights file '{source}': parameter '{name}' has shape "
                            f"{to_file_layout(np.empty(variable.shape)).shape} in this network but "
                            f"{file_arrays[name].shape} in the file; use the matching model file")
        variable.d = array


def parameters_under(scope):
    """{name relative to scope: variable} for every parameter whose name starts with scope + '/'."""
    prefix = scope.rstrip("/") + "/" if scope else ""
    return {name[len(prefix):]: variable for name, variable in nn.get_parameters(grad_only=False).items()
            if name.startswith(prefix)}


class HostParameter(NamedTuple):
    """A parameter's values in host memory (a numpy array) and its need_grad: what save_weights writes without
    calling NNabla, as training's checkpoint thread must (training.checkpoint.HostSnapshot)."""
    values: np.ndarray
    need_grad: bool


def host_values(param):
    """The values of an nn.Variable as a numpy array, read without moving them, or a HostParameter's.

    NNabla's .d asks for read-write access: it makes a CPU copy the array's only one (a GPU array is dropped, to be
    copied back by the next use) and clears and rebuilds the table of the array's copies. Another thread reading a
    parameter's .d while the main thread ran a forward pass made the forward read weights of no iteration (24 wrong
    results in 20,000 forward passes); get_data("r") leaves the table as it is when the copy is at hand."""
    if isinstance(param, HostParameter):
        return param.values
    return param.data.get_data("r")


def save_parameter_file(path, params):
    """{name: nn.Variable or HostParameter} to HDF5 in nn.save_parameters' layout (a dataset per name, in order, its
    attributes need_grad and index), whatever the case of path's extension (NNabla picks the format by an exact '.h5',
    and output_file accepts 'model.H5'). Written with h5py: NNabla's writer wants nn.Variables, and the checkpoint
    thread calls no NNabla at all (see training.checkpoint.HostSnapshot)."""
    with new_hdf5_file(path) as h5:
        for index, (name, param) in enumerate(params.items()):
            write_dataset(h5, name, host_values(param))
            h5[name].attrs["need_grad"] = bool(param.need_grad)
            h5[name].attrs["index"] = index


def new_hdf5_file(path):
    """An h5py File created at path for write_dataset's arrays, without HDF5's chunk cache: a chunk then goes to the
    disk in create_dataset, whose error (a full disk) is raised there. Why: with the cache, the whole-array chunks of
    write_dataset were written when h5py let go of each dataset, where HDF5's errors are printed as ignored exceptions
    (a traceback per array) and a full disk ended the process with a segmentation fault, its temporary file left."""
    return hdf5_file(path, "w", rdcc_nbytes=0)


def write_dataset(h5, name, values):
    """values as the dataset `name` of h5 (an h5py File or Group), with HDF5's Fletcher-32 checksum where it has
    elements: h5py, and NNabla's loaders through it, then refuse a file whose bytes were damaged since (a disk's or a
    copy's error, a block of zeros) where they read other numbers silently. One chunk, the whole array: HDF5's
    automatic chunks add an index per few kB, which grew a small model's solver-state file by most of its size. A
    scalar (a step count) cannot be chunked, and a chunk holds less than 4 GB: those go without."""
    values = np.asarray(values)
    if values.ndim and values.size and values.nbytes < HDF5_CHUNK_LIMIT:
        h5.create_dataset(name, data=values, chunks=values.shape, fletcher32=True)
    else:
        h5.create_dataset(name, data=values)


def save_weights(path, params, degradation=None):
    """Write {name: nn.Variable or HostParameter} (compute layout) to an NNabla .h5 file in the official layout,
    atomically; degradation: recorded beside the parameters (a model_param file's). Calls no NNabla on
    HostParameters."""
    # the folder as the system reads it: os.path.abspath drops 'lnk/..' as text (a stray folder made elsewhere)
    # not a run's output folder (held): one moved away in the instant before the write was made again, and the run's
    # line said that another folder had been made in its place
    if not is_held(os.path.dirname(path) or os.curdir):
        os.makedirs(os.path.dirname(path) or os.curdir, exist_ok=True)
    file_params = {name: HostParameter(to_file_layout(host_values(param)), param.need_grad)
                   for name, param in params.items()}

    def write(temporary):
        save_parameter_file(temporary, file_params)
        if degradation:
            record_degradation(temporary, degradation)
    write_atomically(path, write)
