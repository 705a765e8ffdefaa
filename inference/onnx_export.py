"""Running our NNabla inference graphs with OpenVINO: ONNX export, on-disk cache and compiled models.

NNabla 1.39 computes convolutions on one CPU core; OpenVINO uses every core and the CPU's widest
instructions (AVX-512, and bfloat16 where the CPU has it). The networks stay defined once, in
models.py: the NNabla graphs built there are exported by NNabla's own exporter (nnabla_converter's
OnnxExporter, opset 13), cached on disk, and read by OpenVINO. ONNX has no WarpByFlow:
inference.warp.warp_dense runs it in numpy between the networks.
"""
import hashlib
import importlib.util
import os
import re
import time
import warnings
from collections import OrderedDict
from contextlib import ExitStack, suppress

import numpy as np
import nnabla as nn
from nnabla.parameter import set_parameter

from utils.atomic_files import TEMPORARY_NAME, write_bytes
from utils.errors import UserError, stops_through_imports
from utils.paths import make_folder, output_folder

OPSET = "13"
# Sources whose code defines the exported graphs: a change to any of them invalidates the cache.
GRAPH_SOURCES = ("models.py", os.path.join("utils", "ops.py"), os.path.join("inference", "onnx_export.py"),
                 os.path.join("inference", "backends.py"))
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def openvino_available():
    """True when OpenVINO, onnx and NNabla's ONNX exporter (package nnabla_converter) are installed."""
    return all(importlib.util.find_spec(name) is not None
               for name in ("openvino", "onnx", "nnabla.utils.converter.onnx"))


def cpu_has_bfloat16(cpuinfo="/proc/cpuinfo"):
    """True when the CPU computes bfloat16 dot products natively (AVX512_BF16 or AMX), as OpenVINO needs
    for bf16 inference at speed; without them it would emulate bf16, slower than float32."""
    try:
        with open(cpuinfo) as file:
            flags = next((line.split(":", 1)[1].split() for line in file if line.startswith("flags")), [])
    except OSError:
        flags = []
    return bool({"avx512_bf16", "amx_bf16"} & set(flags))


def default_cache_dir():
    """XDG_CACHE_HOME's tecogan-nnabla, or ~/.cache's. A relative XDG_CACHE_HOME is not taken, as the XDG Base Directory
    specification says: it made a cache in each working folder, each exporting the networks anew."""
    cache_home = os.environ.get("XDG_CACHE_HOME", "")
    return os.path.join(cache_home if os.path.isabs(cache_home) else os.path.expanduser("~/.cache"), "tecogan-nnabla")


def export_onnx(outputs, inputs, parameters):
    """Serialised ONNX model of the NNabla graph that computes outputs from inputs.

    outputs, inputs: {ONNX name: nn.Variable}; parameters: {name: nn.Variable} holding the weights.
    Batch size and spatial shape are fixed to those of the variables.
    """
    with stops_through_imports():
        from nnabla.utils.converter.onnx import OnnxExporter
        from nnabla.utils.save import create_proto

    # The exporter stores only parameters as initializers: fixed filters that ops.py creates as
    # plain variables (the bicubic and bilinear taps) are registered as parameters for the export.
    input_data = {variable.data for variable in inputs.values()}
    name_of = {variable.data: name for name, variable in parameters.items()}
    leaves = OrderedDict()

    def collect_leaves(function):
        for variable in function.inputs:
            if variable.parent is None and variable.data not in input_data and variable.data not in leaves:
                leaves[variable.data] = (name_of.get(variable.data, f"constant/{len(leaves)}"), variable)

    for output in outputs.values():
        output.visit(collect_leaves)
    scope = OrderedDict()
    with nn.parameter_scope("", scope):
        for name, variable in leaves.values():
            set_parameter(name, variable)
        network = {"name": "network", "batch_size": 1, "outputs": outputs, "names": inputs}
        executor = {"name": "runtime", "network": "network", "data": list(inputs), "output": list(outputs)}
        proto = create_proto({"networks": [network], "executors": [executor]}, include_params=True,
                             variable_batch_size=False)

    class Nnp:
        protobuf = proto

    with warnings.catch_warnings():  # the exporter calls numpy's deprecated tostring()
        warnings.simplefilter("ignore", DeprecationWarning)
        model = OnnxExporter(Nnp, 1, -1, opset=OPSET).export_model_proto()
    for node in model.graph.node:
        for attribute in node.attribute:
            # NNabla's pad mode "repeat" (edge replication) is written through unchanged; ONNX calls it
            # "edge".
            if node.op_type == "Pad" and attribute.name == "mode" and attribute.s == b"repeat":
                attribute.s = b"edge"
    return model.SerializeToString()


def weights_digest(file_arrays):
    """Hash of the weights' names, shapes and values (not of the file's bytes)."""
    digest = hashlib.sha256()
    for name in sorted(file_arrays):
        array = np.ascontiguousarray(file_arrays[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def graph_code_digest():
    """Hash of the sources that define the exported graphs and of the NNabla version."""
    digest = hashlib.sha256(f"nnabla {nn.__version__}, opset {OPSET};".encode())
    for source in GRAPH_SOURCES:
        with open(os.path.join(REPO_ROOT, source), "rb") as file:
            digest.update(file.read())
    return digest.hexdigest()


def cache_stem(file_arrays, num_resblock, shapes):
    """File name stem of a cached export: block count, input shapes (text), a key of the weights' content and the graph
    code, then the graph code's own key (code_key), by which prune_cache tells an earlier version's entries."""
    code = graph_code_digest()
    key = hashlib.sha256(f"{weights_digest(file_arrays)}|{code}".encode()).hexdigest()[:24]
    return f"{num_resblock}blocks_{shapes}_{key}_{code_key(code)}"


def code_key(code=None):
    """The part of an entry's name that says the version of the graphs' code it was exported by."""
    return (code or graph_code_digest())[:12]


# the names of cache_stem's files (stem_NAME.onnx), written (write_bytes) under a temporary name of a leading dot that
# this never matches; before the code key was part of the name, an entry's key ended it (an earlier code's entry)
CACHE_FILE = re.compile(r"[0-9]+blocks_[0-9x_]+_[0-9a-f]{24}(?:_(?P<code>[0-9a-f]{12}))?_[a-z]+\.onnx")
# how long an entry no run has read is kept: one of another version of the code (each change of the graphs' code
# re-keys the cache, the earlier entries never read again by it), or of this version (a frame size or model used once);
# and a temporary a killed export left (its write takes seconds; its pid is no guide where machines share the cache)
UNUSED_OTHER_CODE_S, UNUSED_S, TEMPORARY_S = 3600, 30 * 86400, 86400


def prune_cache(cache_dir, now=None):
    """Remove the cache's entries unused (their files' modification time, which each run reading them touches) for an
    hour where another version of the graphs' code exported them, for UNUSED_S where this one did, and the temporaries
    of killed exports after a day. An entry a run is writing or has just read is never old enough; a file another run
    removed first is passed."""
    now = time.time() if now is None else now
    current = code_key()
    try:
        names = os.listdir(cache_dir)
    except OSError:
        return
    for name in names:
        temporary = TEMPORARY_NAME.fullmatch(name)
        match = CACHE_FILE.fullmatch(f"{temporary['stem']}{temporary['extension'] or ''}" if temporary else name)
        if not match:
            continue  # not a file of the cache's (a --cache-dir may hold a user's own files)
        path = os.path.join(cache_dir, name)
        kept = TEMPORARY_S if temporary else UNUSED_S if match["code"] == current else UNUSED_OTHER_CODE_S
        with suppress(OSError):
            if now - last_use(path) > kept:
                os.remove(path)


def last_use(path):
    """When a cache file was last read: its modification time (touched by each run that reads it), or its target's for
    a link named as an entry (a read renews the target's; the link's own time, of when it was made, had it removed in
    use after 30 days); or its access time where later, which the system renews as a run reads it (once a day at least,
    as Linux's relatime mounts do): a run that cannot touch a shared cache's files (no write permission) reads them
    each day, and another run's export removed them after 30 days, in use, that run then refused as the cache is not
    writable."""
    used = os.lstat(path).st_mtime  # a link's own access time is renewed by following it, as this does
    with suppress(OSError):
        target = os.stat(path)
        used = max(used, target.st_mtime, target.st_atime)
    return used


def touched(paths):
    """paths ({name: path}), each file's modification time made now: the cache entry's last use, as prune_cache reads
    it (a cache this run cannot write is read as it is)."""
    for path in paths.values():
        with suppress(OSError):
            os.utime(path)
    return paths


# ONNX metadata naming the cache entry (stem_NAME) a file was exported as, and the digest of the model: a file of
# another model or network under an entry's name (a cache merged by hand, files swapped), or one whose weights changed
# on disk (a byte flipped still parses), is seen as such, not served
ENTRY_KEY, DIGEST_KEY = "tecogan_cache_entry", "tecogan_cache_model_sha256"


def model_digest(proto):
    """Hash of an ONNX model's every field but its digest (DIGEST_KEY). Of its graph alone, a byte changed outside it
    was served: its producer's name made invalid UTF-8 printed libprotobuf's "String field
    'onnx.ModelProto.producer_name' contains invalid UTF-8 data" at each run's read, the entry never exported again."""
    undigested = type(proto)()
    undigested.CopyFrom(proto)
    kept = [prop for prop in proto.metadata_props if prop.key != DIGEST_KEY]
    del undigested.metadata_props[:]
    undigested.metadata_props.extend(kept)
    return hashlib.sha256(undigested.SerializeToString()).hexdigest()


def stamped(model, entry):
    """A serialised ONNX model with its cache entry's name and its digest (model_digest) in its metadata."""
    with stops_through_imports():
        import onnx
    proto = onnx.load_from_string(model)
    proto.metadata_props.add(key=ENTRY_KEY, value=entry)
    proto.metadata_props.add(key=DIGEST_KEY, value=model_digest(proto))
    return proto.SerializeToString()


def varint(file):
    """A protobuf varint read from file, or None where its bytes end first or it runs past 10 bytes."""
    value = 0
    for shift in range(0, 70, 7):
        byte = file.read(1)
        if not byte:
            return None
        value |= (byte[0] & 0x7F) << shift
        if byte[0] < 0x80:
            return value
    return None


def model_fields(onnx):
    """The wire type of each of ModelProto's fields by its number: a varint (0) of its integers, a length (2) of its
    texts and messages, the only kinds it has."""
    return {field.number: 2 if field.type in (field.TYPE_MESSAGE, field.TYPE_STRING) else 0
            for field in onnx.ModelProto.DESCRIPTOR.fields}


def most_export_bytes(file_arrays):
    """The most bytes one network's export of file_arrays' weights takes: its weights as float32 (a network holds some
    of them) and its nodes and fixed filters, tens of kilobytes."""
    return 4 * sum(array.size for array in file_arrays.values()) + 2 ** 20


# the most top-level fields of a cache entry read: ours hold a version, producer, graph, opsets and metadata, tens. An
# entry of one byte repeated (0x08 is a field of two bytes) was read field by field, a billion for gigabytes: a hang
MOST_MODEL_FIELDS = 1000


def framed_as_protobuf(path, fields, most_bytes):
    """Whether path's bytes, at most most_bytes (most_export_bytes), are fields of an ONNX model's top level to its very
    end, each of its number's wire type in fields (model_fields), read by their keys and lengths alone (the graph's
    bytes skipped), at most MOST_MODEL_FIELDS of them. Any field was taken: a model followed by one of field 100
    claiming a GB was read whole by onnx.load each run, 5 s a GB, or out of memory, the entry kept; a field of another
    number or kind has it exported again. So was a graph field claiming a GB, a GB of memory each run: an entry larger
    than its weights' export is exported again."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size > most_bytes:
            return False
        for _ in range(MOST_MODEL_FIELDS):
            if file.tell() >= size:
                return True
            key = varint(file)
            if key is None or fields.get(key >> 3) != key & 7:
                return False
            length = varint(file)
            if key & 7 == 0:
                if length is None:
                    return False
                continue
            if length is None or file.tell() + length > size:
                return False
            file.seek(length, os.SEEK_CUR)
        return file.tell() >= size


def exported_as(path, most_bytes):
    """The cache entry an ONNX file was exported as (its metadata), or None when it records none or its fields are not
    the one it was exported with, or its bytes are no ONNX model's of at most most_bytes (framed_as_protobuf): one of
    gigabytes of zeros (a preallocated file, a disk's damage) was read whole by onnx.load, and every run was "out of
    memory while super-resolving ...; pass a lower --max-memory or --tile", the entry kept."""
    with stops_through_imports():
        import onnx
    if not framed_as_protobuf(path, model_fields(onnx), most_bytes):
        return None
    model = onnx.load(path, load_external_data=False)
    metadata = {prop.key: prop.value for prop in model.metadata_props}
    return metadata.get(ENTRY_KEY) if metadata.get(DIGEST_KEY) == model_digest(model) else None


def write_cache_file(path, content):
    """write_bytes, whose own line of a full disk (or of its folder made unwritable) is its OSError again, for
    cached_models' line: "no space left on the disk of '<cache>/..._flow.onnx'; free some space (or choose another
    folder)" named a folder the user may never have named, and neither --cache-dir nor --backend nnabla."""
    try:
        write_bytes(path, content)
    except UserError as error:
        if isinstance(error.__context__, OSError):
            raise error.__context__ from None
        raise


def cached_models(cache_dir, stem, names, export):
    """Paths of the ONNX files stem_NAME.onnx; export() -> {name: bytes} runs only when one is missing.

    Files are written under a temporary name and renamed, so a reader never sees a partial file; each holds its
    entry's name (exported_as). Each read touches the entry's files; each export prunes the cache (prune_cache).
    """
    paths = {name: os.path.join(cache_dir, f"{stem}_{name}.onnx") for name in names}
    if all(os.path.isfile(path) for path in paths.values()):
        return touched(paths)
    output_folder(cache_dir, "--cache-dir")  # a file or a link to nothing in its place: said as such
    # found after the export, in write_atomically's words for any output ("choose another output"), naming no cache (a
    # link to a folder is replaced as any link)
    blocked = next((path for path in paths.values() if os.path.isdir(path) and not os.path.islink(path)), None)
    if blocked:
        raise UserError(f"--cache-dir '{cache_dir}' holds a folder '{os.path.basename(blocked)}' where an ONNX file "
                        "goes; move it, pass another --cache-dir or use --backend nnabla")
    try:
        models = export()
        # made after the export: a run stopped during it left the new --cache-dir it had made, empty (and one made
        # before it, removed when its run stopped, would be gone under another run exporting into it)
        with ExitStack() as claim:
            make_folder(cache_dir, claim)
            for name, model in models.items():
                write_cache_file(paths[name], stamped(model, f"{stem}_{name}"))
            claim.pop_all()
    except OSError as error:
        raise UserError(f"cannot write the ONNX cache in '{cache_dir}' ({error.strerror}); "
                        "pass a writable --cache-dir or use --backend nnabla")
    prune_cache(cache_dir)  # as the cache grows: entries of earlier versions of the code were kept for ever
    return paths


# --precision choices OpenVINO computes in, as its INFERENCE_PRECISION_HINT.
OPENVINO_PRECISIONS = {"fp32": "f32", "bf16": "bf16"}


_CORE = []  # the process's one OpenVINO Core, made at the first compilation


def openvino_core():
    """The process's OpenVINO Core, kept for its life. OpenVINO's CPU plugin gives the thread that compiles an alternate
    signal stack, and a Core's release puts back the one it found: networks of Cores of their own, released in the order
    they were made (generate.py's flow, trunk and tail networks), left the stack of a released Core in place, and the
    next signal (Ctrl-C, SIGTERM) found it unmapped: a segmentation fault, no line, nothing cleaned up. One Core's stack
    lives as long as the process."""
    if not _CORE:
        with stops_through_imports():
            import openvino
        _CORE.append(openvino.Core())
    return _CORE[0]


class CompiledNetwork:
    """One ONNX file compiled by OpenVINO for the CPU: called with {input name: array}, returns the output.

    precision "bf16" computes in bfloat16 (inputs and outputs stay float32); "fp32" keeps float32.
    """

    def __init__(self, path, threads, precision):
        compiled = openvino_core().compile_model(path, "CPU", {
            "INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_PRECISION_HINT": OPENVINO_PRECISIONS[precision]})
        self.request = compiled.create_infer_request()
        self.output = compiled.output(0)

    def __call__(self, feeds):
        return self.request.infer(feeds)[self.output]
