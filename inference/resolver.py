"""SuperResolver: a weight file made ready to super-resolve sequences, with its backend and tile plan."""
import itertools
import math
import numbers
from contextlib import suppress

import nnabla as nn
import numpy as np

from inference.backends import NnablaNetworks, OnnxNetworks, choose_backend
from inference.host import available_cores, default_budget
from inference.onnx_export import default_cache_dir
from inference.recurrence import DeviceFrameRecurrence, FrameRecurrence, super_resolve
from inference.tiles import TilePlan
from models import MAX_RESBLOCKS, model_scale
from utils.errors import UserError, out_of_memory_said, shortened, size_said
from utils.flags import MAX_THREADS
from utils.scenes import split_at_cuts
from utils.weights import count_resblocks, read_weight_file

# how far a frame's values may lie outside [0, 1]: a resampled or sharpened frame's overshoot is taken (and
# super-resolved as it is), a frame of 0-255 floats is not
RANGE_SLACK = 1.0
MEMORY_ADVICE = "pass a lower --max-memory or --tile, free memory, or raise this process's limit (ulimit -v)"


def whole_number(value, name, minimum, most=None):
    """value (None, or a number equal to a whole number from minimum to most) as an int; else a UserError. A
    library caller's string, NaN or 2.5 otherwise failed deep inside, in NumPy's or OpenVINO's words, and an int of
    hundreds of digits in math.isfinite's OverflowError."""
    if value is None:
        return None
    whole = None
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        with suppress(ValueError, OverflowError):  # NaN, infinity
            whole = int(value)
    if whole is None or whole != value or whole < minimum or (most is not None and whole > most):
        bounds = f"from {minimum} to {most}" if most is not None else f"of at least {minimum}"
        raise UserError(f"{name} must be a whole number {bounds}, got {shortened(repr(value))}")
    return whole


def byte_count(value):
    """max_memory (a positive finite number of bytes) as a float; else a UserError. An int past any float
    (10**400) or a Fraction otherwise failed in the tile plan or in the memory message."""
    count = None
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        with suppress(OverflowError):
            count = float(value)
    if count is None or not 0 < count < math.inf:
        raise UserError(f"--max-memory must be a positive finite number of bytes, got {shortened(repr(value))}")
    return count


def resolve_num_resblock(requested, file_arrays, path):
    if requested is not None:
        return whole_number(requested, "--num_resblock", 1, MAX_RESBLOCKS)
    blocks = count_resblocks(file_arrays)
    if blocks == 0:
        raise UserError(f"weights file '{path}' has no generator residual blocks: it is not a TecoGAN/FRVSR "
                        "generator; pass tecogan_model.h5, frvsr_model.h5 or a train.py model_param file")
    return blocks


class SuperResolver:
    """A TecoGAN / FRVSR model ready to super-resolve sequences, with its backend and memory plan.

    weights: path of an NNabla .h5 file (or file_arrays, {name: array}, with weights naming the source);
    attributes: a dict given the file's root attributes, read in the same opening (utils.weights.read_weight_file).
    tile: force the kept tile side (LR pixels); max_memory: bytes for the process (default: half the
    free RAM, or of the free GPU memory on cuDNN; on the CPU shared by process_count). threads: CPU threads (default
    all cores).
    process_count: processes that share this machine's cores and RAM (mpirun on a CPU; None: one): each gets its share
    of the cores by default, unless bound to its own (available_cores), and of the default budget. device_id: the GPU
    on cuDNN.
    precision: "fp32"; "fp16" (NNabla's half precision: cuDNN's fast path, slow on the CPU); or "bf16"
    (OpenVINO on a CPU with bfloat16 instructions, faster than fp32). Outputs are float32 in all three.
    memory_advice: what an out-of-memory error tells the user to do, in the caller's flags (generate.py's by
    default). written_size: (height, width) the caller resizes the output frames to as it writes them (generate.py's
    --outscale), set before model(): those frames are part of the memory plan; None: written at the model's size.
    written_fixed: whether that size is fixed whatever the frames' (--output-size), for the too-small budget's advice.
    """

    def __init__(self,
                 weights,
                 backend="auto",
                 context="auto",
                 num_resblock=None,
                 tile=None,
                 max_memory=None,
                 threads=None,
                 cache_dir=None,
                 file_arrays=None,
                 process_count=1,
                 device_id=0,
                 precision="fp32",
                 memory_advice=MEMORY_ADVICE,
                 attributes=None):
        tile = whole_number(tile, "--tile (LR pixels)", 1)
        threads = whole_number(threads, "--threads", 1, MAX_THREADS)  # a graph copy or OpenVINO thread each
        # None, as the other settings' default: one process (a library caller's None was a TypeError traceback)
        process_count = whole_number(process_count, "process_count", 1) or 1
        max_memory = None if max_memory is None else byte_count(max_memory)
        self.backend, self.context = choose_backend(backend, context, device_id, precision)
        # the graphs are built in it, whenever model() builds them
        self.nnabla_context = nn.get_current_context()
        self.precision, self.memory_advice = precision, memory_advice
        self.source = weights
        self.file_arrays = (file_arrays if file_arrays is not None
                            else read_weight_file(weights, attributes=attributes))
        self.num_resblock = resolve_num_resblock(num_resblock, self.file_arrays, weights)
        self.scale = model_scale(self.file_arrays, weights)  # x4 or x2, from the generator's input channels
        if self.scale is None:
            raise UserError(
                f"weights file '{weights}' has no generator input convolution: it is not a complete "
                "TecoGAN/FRVSR generator; pass tecogan_model.h5, frvsr_model.h5 or a train.py "
                "model_param file")
        cpu = self.context == "cpu"
        self.tile, self.threads = tile, threads or (available_cores(process_count) if cpu else 1)
        # on the CPU the processes of mpirun share the RAM, as they share the cores: each planned its windows in half
        # the free RAM, so that -n 2 planned all of it and -n 4 twice it
        self.budget_shared_by = process_count if cpu and max_memory is None else 1
        self.max_memory = max_memory or default_budget(self.context) / self.budget_shared_by
        self.budget_given = max_memory is not None
        self.cache_dir = cache_dir or default_cache_dir()
        self.written_size, self.written_fixed = None, False
        self.models = {}

    @property
    def written_size(self):
        return self._written_size

    @written_size.setter
    def written_size(self, size):
        # a library caller's: a string or NaN failed in the tile plan (a traceback), a negative side or a 0 shrank the
        # frames the budget counts
        self._written_size = None if size is None else frame_sides(size, "written_size")

    def plan(self, height, width):
        """The tile plan for LR frames of height x width."""
        return TilePlan(height, width, self.num_resblock, self.tile, None if self.tile else self.max_memory,
                        self.lanes, self.scale, math.prod(self.written_size) if self.written_size else None,
                        self.budget_given, self.backend, self.budget_shared_by, self.written_fixed)

    @property
    def lanes(self):
        """Windows computed at once: NNabla's CPU kernels use one core each, OpenVINO and cuDNN all
        (no CPU strips on a GPU)."""
        return self.threads if self.backend == "nnabla" and self.context == "cpu" else 1

    def model(self, height, width):
        """The FrameRecurrence for LR frames of height x width, built once per size (and size written)."""
        key = (height, width, self.written_size)
        if key not in self.models:
            plan = self.plan(height, width)
            # building the networks needs memory too (OpenVINO's compiled networks and threads)
            with nn.context_scope(self.nnabla_context), self.memory_said((height, width)):
                if self.backend == "openvino":
                    networks = OnnxNetworks(plan.window_shapes, self.num_resblock, self.file_arrays,
                                            self.source, self.cache_dir, self.threads, self.precision,
                                            self.scale)
                else:
                    # no more copies of the graphs than windows run at once: --threads 1024 built 1024 copies
                    # (a gigabyte) for a frame of 18 tiles
                    lanes = min(plan.lanes, max(len(plan.tiles("flow")), len(plan.tiles("trunk"))))
                    networks = NnablaNetworks(plan.window_shapes, self.num_resblock, lanes, self.scale)
                    networks.load(self.file_arrays, self.source)
                if self.context == "cudnn" and self.tile is None and plan.whole_frame_bytes(
                ) <= self.max_memory:
                    model = DeviceFrameRecurrence(networks, self.num_resblock, height, width)
                else:
                    model = FrameRecurrence(networks, plan, height, width)
            self.models = {key: model}  # one size at a time
        return self.models[key]

    def sequence(self, named_frames, shape=None, cuts=()):
        """Yield (name, SR frame) for every (name, LR frame) of a sequence (frames of one size).

        shape: (H, W) of the frames when known, else taken from the first frame. cuts: indices of the
        frames that open a new shot; there the recurrence starts again as at the first frame (no
        history, its own mirrored warm-up), so no output of another shot is warped into it."""
        named_frames = iter(named_frames)
        if shape is None:
            first = next(named_frames, None)
            if first is None:
                return
            named_frames = itertools.chain([first], named_frames)
            # the first frame's own shape, not np.shape (which makes an array of a list, and fails on a ragged one)
            shape = getattr(named_pair(first)[1], "shape", None)
            if not (isinstance(shape, tuple) and len(shape) == 3 and shape[2] == 3):
                next(checked_frames(named_frames, None))  # says what the first frame is, naming no size it lacks
            # the first frame checked before a model is built for its size: a PyTorch tensor's shape is a tuple too
            # (a model was built for it, and a size past the memory budget was refused as that, not as no array)
            next(checked_frames([first], shape[:2]))
        else:
            shape = frame_sides(shape)
        model = self.model(*shape[:2])
        for scene in split_at_cuts(checked_frames(named_frames, shape[:2]), sorted(cuts)):
            with self.memory_said(shape):
                yield from super_resolve(model, scene)

    def memory_said(self, shape):
        """Within: an allocation that failed is a UserError naming the budget and what to change."""
        return out_of_memory_said(f"out of memory while super-resolving {shape[1]}x{shape[0]} LR frames in a budget "
                                  f"of {size_said(self.max_memory)}; {self.memory_advice}")


def frame_sides(shape, name="shape"):
    """A caller's shape ((H, W) or (H, W, 3), of whole numbers) as two ints; else a UserError naming it as `name`.
    Floats, as OpenCV's CAP_PROP_FRAME_HEIGHT gives them, built a model of float sides that failed, and stayed cached
    for that size."""
    sequence = isinstance(shape, (tuple, list)) or (isinstance(shape, np.ndarray) and shape.ndim == 1)
    sides = tuple(shape)[:2] if sequence else ()  # a 0-d array cannot be iterated (a TypeError)
    if len(sides) != 2:
        raise UserError(f"{name} must be the frames' (height, width), got {shortened(repr(shape))}")
    return tuple(whole_number(side, f"a {name}'s height and width", 1) for side in sides)


def named_pair(item):
    """item, refused unless a (name, frame) pair: frames given alone were unpacked by their rows, a traceback; a
    (frame, name) pair, or two frames, showed a frame as the name, in tens of lines (or ran the second alone)."""
    pair = isinstance(item, (tuple, list)) and len(item) == 2
    if pair and not (isinstance(item[0], np.ndarray) and item[0].ndim):  # a 0-d array is one value: a name
        return item
    found = f"a pair of {described(item[0])} and a {type(item[1]).__name__}" if pair else described(item)
    raise UserError(f"a sequence takes (name, frame) pairs, got {found}; pass e.g. enumerate(frames)")


def described(value):
    """What value is, as an error line names it: an array by its sides ("a 24x32x3 array"), a 0-d array as one
    value (its empty shape made "frame 0 is ;"), anything else by its type."""
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and shape:
        return f"a {'x'.join(map(str, shape))} array"
    return f"a single value ({type(value).__name__})" if shape == () else f"a {type(value).__name__}"


def checked_frames(named_frames, shape):
    """The (name, frame) pairs, each refused unless an (H, W, 3) float array of the sequence's SHAPE (None: none
    will do), not empty, of finite values near [0, 1]: the networks would give a wrong picture, not an error, for
    another size, for 0-255 values (integers or floats), and a picture of NaN for a NaN or an infinity, carried on to
    every later frame of the shot by the recurrence."""
    for name, frame in map(named_pair, named_frames):
        if shape is None or getattr(frame, "shape", None) != (*shape, 3):
            found = described(frame)
            size = f" ({shape[0]}x{shape[1]}x3 here)" if shape else ""
            raise UserError(f"frame {name!r} is {found}; a sequence takes H x W x 3 RGB arrays of one size{size}: "
                            "start a sequence for each size, and give grey frames three channels")
        if not isinstance(getattr(frame, "dtype", None), np.dtype):  # a memoryview, a PyTorch tensor
            raise UserError(f"frame {name!r} is a {type(frame).__name__}, not a NumPy array; pass e.g. "
                            "np.asarray(frame)")
        if not frame.size:
            raise UserError(f"frame {name!r} is {'x'.join(map(str, frame.shape))}, an array of no pixels; pass frames "
                            "of at least one pixel")
        if frame.dtype.kind != "f":
            raise UserError(f"frame {name!r} holds {frame.dtype} values; pass RGB floats in [0, 1] "
                            "(e.g. frame / 255)")
        # min and max are NaN where any value is; no array of the frame's size is made. np.asarray: the values the
        # networks get, a masked array's masked ones too (its min and max skip them)
        lowest, highest = np.asarray(frame).min(), np.asarray(frame).max()
        if not (np.isfinite(lowest) and np.isfinite(highest)):
            raise UserError(f"frame {name!r} holds a value that is not finite (NaN or infinite); pass RGB floats in "
                            "[0, 1]")
        if lowest < -RANGE_SLACK or highest > 1 + RANGE_SLACK:
            raise UserError(f"frame {name!r} holds values from {lowest:.3g} to {highest:.3g}; pass RGB floats in [0, 1] "
                            "(e.g. frame / 255)")
        yield name, frame
