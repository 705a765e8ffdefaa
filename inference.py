"""Frame-recurrent inference as a library: TecoGAN / FRVSR 4x super-resolution of frame sequences of any size.

    from inference import SuperResolver
    resolver = SuperResolver("tecogan_model.h5")            # backend and memory budget chosen automatically
    for name, sr_frame in resolver.sequence(named_lr_frames, cuts=[120]):  # (name, (H, W, 3) RGB in [0, 1])
        ...                                                  # sr_frame: (4H, 4W, 3), unclipped

Each frame is computed in tiles whose size follows a memory budget, and the result equals the untiled
computation: every network runs on windows of the frame with a halo of its receptive field, and only
the part of each window whose whole receptive field lies inside it is kept. The recurrence stays
whole-frame: the previous output is the stitched HR frame, warped by the stitched flow.

Per frame: the flow net (models.flow_estimator) on aligned LR windows gives the LR flow; the generator's
trunk (input stage and residual blocks, cheap per pixel) runs on large windows, each of which feeds
its features to the generator's tail (x4 upsampling, 10x the memory per pixel) in small windows. The
warp of the previous output runs in numpy (warp_dense) for the window being computed. Two backends
run the networks: NNabla (CPU or cuDNN; in float32, or in NNabla's half precision), and on a CPU
OpenVINO with the same NNabla graphs exported to ONNX (in float32, or in bfloat16 where the CPU has
it). On cuDNN, when every network fits the frame in one window, the whole frame step (flow, warp,
generator) is one NNabla graph on the GPU instead (DeviceFrameRecurrence).
"""
import itertools
import math
import os
import queue
from collections import OrderedDict, namedtuple
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import nnabla as nn
import nnabla.functions as F

from models import (FLOW_NET_HALO, FLOW_NET_STRIDE, FLOW_SCOPE, GENERATOR_SCOPE, GENERATOR_TAIL_HALO,
                    flow_estimator, flow_to_high_res, generator_input, generator_tail, generator_trunk,
                    generator_trunk_halo)
from utils.context import NNABLA_TYPE_CONFIGS, context_name, use_context
from utils.errors import UserError
from utils.onnx_backend import OPENVINO_PRECISIONS, CompiledNetwork, cache_stem, cached_models, cpu_has_bfloat16, \
    default_cache_dir, export_onnx, openvino_available
from utils.ops import PAPER_SCALE as SCALE, linear_weights, to_channel_first, to_channel_last, warp_by_flow
from utils.scenes import split_at_cuts
from utils.weights import assign_weights, count_resblocks, parameters_under, read_weight_file

WARMUP_FRAMES = 5  # frames 6..2 are run first, mirrored, so that frame 1 already has a history
BACKEND_CHOICES = ("auto", "nnabla", "openvino")
# The precisions each backend computes in (--precision); the choices are all of them, fp32 the default.
BACKEND_PRECISIONS = {"nnabla": NNABLA_TYPE_CONFIGS, "openvino": OPENVINO_PRECISIONS}
PRECISIONS = tuple(dict.fromkeys(itertools.chain(*BACKEND_PRECISIONS.values())))
# The three networks run on windows: their inputs and their output, by the names the NNabla graphs and
# the exported ONNX models share.
NETWORK_IO = {"flow": (("lr_previous", "lr_current"), "flow_lr"),
              "trunk": (("lr_frame", "warped_previous"), "features"),
              "tail": (("features", "lr_window"), "output")}
FEATURES = 64  # channels of the generator's trunk output

# Peak memory of one window, in bytes per LR pixel of the window: the growth of the resident memory
# from compiling a network to after its first run, measured at 132x132 .. 320x640 LR with OpenVINO
# (trunk 1.6-2.2 KB, tail 13.8-15.1 KB, flow net 0.7-1.0 KB; bfloat16 needs less) and, rounded up,
# with ONNX Runtime before it (trunk 2.1-2.3 KB, tail 23-25 KB, flow net 0.9-1.1 KB).
BYTES_PER_PIXEL = {"flow": 1100, "trunk": 2300, "tail": 16000}
# Of what the HR frames leave: the trunk gets most, because its halo is the widest in compute (its
# windows overlap by 2 x (2 x blocks + 3) rows of 16-block work); the tail needs little at TAIL_TILE.
BUDGET_SHARES = {"flow": 0.2, "tail": 0.1, "trunk": 0.7}
# Largest useful kept side of a tail window: its layers are memory-bound, and beyond about 128 LR
# pixels OpenVINO computes it more slowly per pixel (0.40 LR Mpixel/s on a 132x132 window, 0.18-0.20
# on 196x196 .. 260x260 and 132x484; 2-core AMD EPYC).
TAIL_TILE = 128
PROCESS_BYTES = 400 * 2 ** 20  # the interpreter, NNabla, OpenVINO and OpenCV before any frame
# float32 HR frames alive at once: the one computed and the previous one (also being written), plus
# three 8-bit copies of a frame (a quarter of a float32 frame each) while it is encoded.
HR_FRAME_BUFFERS = 2.75
MIN_KEEP = 1  # a window must keep at least this many pixels beyond its halo


Window = namedtuple("Window", "start stop keep_start keep_stop")  # along one axis: computed and kept ranges


def plan_axis(length, window, halo, align=1):
    """Windows of one size along an axis of `length` pixels, each keeping only what it computes exactly.

    Every window covers `window` pixels (or the whole axis). A kept pixel has at least `halo` pixels of
    the window on each side, or the window reaches the axis end on that side, so it sees exactly what
    it sees in the whole-axis computation. Windows are spread evenly; kept ranges tile the axis.
    align > 1 (the flow net's pooling stride): starts and kept bounds are multiples of align, the window
    is a multiple of align plus length % align, and the kept ranges tile [0, align * (length // align)).
    """
    if align > 1:
        remainder = length % align
        blocks = plan_axis(length // align, (window - remainder) // align, -(-halo // align))
        return [Window(align * start, align * stop + remainder, align * keep_start, align * keep_stop)
                for start, stop, keep_start, keep_stop in blocks]
    window = min(window, length)
    if window == length:
        return [Window(0, length, 0, length)]
    if window - 2 * halo < MIN_KEEP:  # what a window in the middle keeps
        raise ValueError(f"a window of {window} pixels keeps nothing with a halo of {halo}")
    count = window_count(length, window, halo)
    starts = [round(index * (length - window) / (count - 1)) for index in range(count)]
    # Kept bounds halfway through each overlap: the overlaps are at least 2 * halo.
    bounds = [0] + [(next_start + start + window) // 2 for start, next_start in zip(starts, starts[1:])] + [length]
    return [Window(start, start + window, keep_start, keep_stop)
            for start, keep_start, keep_stop in zip(starts, bounds[:-1], bounds[1:])]


def window_count(length, window, halo):
    """Number of windows plan_axis places along the axis."""
    return 1 if window >= length else 1 + math.ceil((length - window) / (window - 2 * halo))


def even_window(length, halo, count):
    """The window with which `count` windows, overlapping by 2 * halo, just cover the axis."""
    return -(-(length + 2 * halo * (count - 1)) // count)


def balanced_window(length, window, halo, align=1, at_least=1):
    """The smallest window that needs no more windows along the axis than `window` does (and at least
    `at_least` windows where the axis is long enough): the overlaps shrink to about 2 * halo."""
    if align > 1:
        remainder = length % align
        blocks = balanced_window(length // align, (window - remainder) // align, -(-halo // align), 1, at_least)
        return align * blocks + remainder
    count = window_count(length, window, halo)
    if count < at_least and even_window(length, halo, at_least) - 2 * halo >= MIN_KEEP:
        count = at_least
    return length if count == 1 else even_window(length, halo, count)


Tile = namedtuple("Tile", "rows columns")  # two Windows


class TilePlan:
    """The windows of the three networks for one frame size, from a forced tile side or a memory budget.

    tile: the largest kept side (LR pixels, halo not counted) of every network's windows; the flow net's
    is rounded up to its stride. budget: bytes for the whole process. Exactly one of them is given.
    parallel: the generator gets at least this many tiles where the frame allows (NNabla's CPU lanes).
    """

    def __init__(self, height, width, num_resblock, tile=None, budget=None, parallel=1):
        self.height, self.width = height, width
        self.halos = {"flow": FLOW_NET_HALO, "trunk": generator_trunk_halo(num_resblock) + GENERATOR_TAIL_HALO,
                      "tail": GENERATOR_TAIL_HALO}
        if tile is not None:
            flow_tile = -(-tile // FLOW_NET_STRIDE) * FLOW_NET_STRIDE
            sides = {"flow": (flow_tile, flow_tile), "trunk": (tile, tile), "tail": (tile, tile)}
            windows = {name: self.window_for_keep(name, *sides[name]) for name in sides}
        else:
            windows = self.windows_for_budget(budget)
        self.flow = self._grid("flow", windows["flow"], FLOW_NET_STRIDE)
        self.trunk = self._grid("trunk", windows["trunk"], at_least=(parallel, 1))
        # Every tail window lies inside the part of a trunk window where the features are exact.
        valid = [[stop - start for start, stop in map(self._valid, axis, itertools.repeat(length))]
                 for axis, length in zip(self.trunk, (height, width))]
        self.tail_window = tuple(min(min(lengths), balanced_window(max(lengths), size, GENERATOR_TAIL_HALO))
                                 for lengths, size in zip(valid, windows["tail"]))
        self.window_shapes = {name: tuple(axis[0].stop - axis[0].start for axis in grid)
                              for name, grid in (("flow", self.flow), ("trunk", self.trunk))}
        self.window_shapes["tail"] = self.tail_window
        self.tail_tiles = {tile: self._tail_tiles(tile) for tile in self.tiles("trunk")}

    def window_for_keep(self, name, keep_rows, keep_columns):
        extra = 2 * self.halos[name]
        if name == "flow":  # kept sides and halo in whole strides
            stride = FLOW_NET_STRIDE
            extra = -(-extra // stride) * stride
            keep_rows, keep_columns = (-(-keep // stride) * stride for keep in (keep_rows, keep_columns))
            return (self._flow_window(keep_rows + extra, self.height), self._flow_window(keep_columns + extra, self.width))
        return min(keep_rows + extra, self.height), min(keep_columns + extra, self.width)

    @staticmethod
    def _flow_window(window, length):
        """A flow window is a multiple of the stride plus the length's remainder (see plan_axis)."""
        return min(length, window + length % FLOW_NET_STRIDE)

    def windows_for_budget(self, budget):
        """Window shapes that fit the budget: the frames first, then the flow net, tail and trunk windows.

        Each network's window is the whole frame, else full-width bands, else squares, of at most its
        share of what the frames leave (BUDGET_SHARES); the tail's is capped at TAIL_TILE, where it
        runs fastest.
        """
        frames = self.frame_bytes()
        left = budget - frames
        windows = {}
        for name, share in BUDGET_SHARES.items():
            largest = int(max(0, left * share) // BYTES_PER_PIXEL[name])
            windows[name] = self.window_within(name, largest)
            if windows[name] is None:
                smallest = self.smallest_bytes(frames)
                raise UserError(f"--max-memory {budget / 2 ** 30:.2f} GB is too small for {self.width}x{self.height} "
                                f"frames even with the smallest tiles (needs about {smallest / 2 ** 30:.2f} GB); "
                                "raise --max-memory or use smaller frames")
        return windows

    def window_within(self, name, largest):
        """The largest window of at most `largest` pixels, None if even the smallest window (halo on both
        sides and MIN_KEEP kept) is larger. The tail's is a square of at most TAIL_TILE kept; the others'
        the whole frame, else a full-width band (halos on two sides only), else a square."""
        height, width = self.height, self.width
        smallest_rows, smallest_columns = self.window_for_keep(name, MIN_KEEP, MIN_KEEP)
        if smallest_rows * smallest_columns > largest:
            return None
        side = math.isqrt(largest)
        if name == "tail":
            side = min(side, TAIL_TILE + 2 * self.halos["tail"])
            return min(side, height), min(side, width)
        if height * width <= largest:
            return height, width
        if smallest_rows * width <= largest:
            rows = largest // width
            return (self._flow_window(rows - rows % FLOW_NET_STRIDE, height) if name == "flow" else rows), width
        if name == "flow":
            side -= side % FLOW_NET_STRIDE
            return self._flow_window(side, height), self._flow_window(side, width)
        return min(side, height), min(side, width)

    def smallest_bytes(self, frames):
        """Process bytes with the smallest windows of every network: what a budget must at least hold."""
        return frames + sum(math.prod(self.window_for_keep(name, MIN_KEEP, MIN_KEEP)) * BYTES_PER_PIXEL[name]
                            for name in BYTES_PER_PIXEL)

    def _grid(self, name, window, align=1, at_least=(1, 1)):
        """Row and column windows of a network: as few as `window` allows (at least `at_least`), balanced."""
        return tuple(plan_axis(length, balanced_window(length, size, self.halos[name], align, count),
                               self.halos[name], align)
                     for length, size, count in zip((self.height, self.width), window, at_least))

    @staticmethod
    def _valid(window, length):
        """(start, stop) of the part of a trunk window whose features are exact: its kept range and the tail's halo."""
        return max(0, window.keep_start - GENERATOR_TAIL_HALO), min(length, window.keep_stop + GENERATOR_TAIL_HALO)

    def tiles(self, name):
        rows, columns = self.flow if name == "flow" else self.trunk
        return [Tile(row, column) for row in rows for column in columns]

    def _tail_tiles(self, trunk_tile):
        """Tail windows inside a trunk tile's exact features, in frame coordinates, keeping what is
        kept both by the tail window and by the trunk tile."""
        axes = []
        for window, length, size in zip(trunk_tile, (self.height, self.width), self.tail_window):
            valid_start, valid_stop = self._valid(window, length)
            axes.append([Window(valid_start + start, valid_start + stop,
                                max(valid_start + keep_start, window.keep_start),
                                min(valid_start + keep_stop, window.keep_stop))
                         for start, stop, keep_start, keep_stop in plan_axis(valid_stop - valid_start, size,
                                                                            GENERATOR_TAIL_HALO)])
        return [Tile(row, column) for row, column in itertools.product(*axes)
                if row.keep_start < row.keep_stop and column.keep_start < column.keep_stop]

    def frame_bytes(self):
        """Process bytes before any window: the interpreter and libraries, the HR frames in flight."""
        pixels = self.height * self.width
        return PROCESS_BYTES + HR_FRAME_BUFFERS * SCALE * SCALE * 3 * 4 * pixels + 16 * 4 * pixels

    def whole_frame_bytes(self):
        """Process bytes with every network on the whole frame (DeviceFrameRecurrence)."""
        return self.frame_bytes() + self.height * self.width * sum(BYTES_PER_PIXEL.values())

    def describe(self):
        rows, columns = self.trunk
        return (f"{len(rows) * len(columns)} generator tile(s) of {self.window_shapes['trunk'][1]}x"
                f"{self.window_shapes['trunk'][0]} LR pixels")


def available_memory():
    """Bytes of RAM the system can give this process now (MemAvailable), or the physical RAM."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def available_cores(sharing=1):
    """CPU cores for this process: those it is bound to (mpirun binds each rank to its own by default),
    else its share of all the machine's cores among `sharing` processes."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores if cores < (os.cpu_count() or 1) else max(1, cores // sharing)


def gpu_free_memory():
    """Free bytes of the current CUDA device (cudaMemGetInfo of the CUDA runtime that nnabla-ext-cuda
    loads), or None when no CUDA runtime answers."""
    import ctypes
    import ctypes.util
    for name in (ctypes.util.find_library("cudart"), "libcudart.so", "libcudart.so.12", "libcudart.so.11.0"):
        try:
            runtime = ctypes.CDLL(name)
        except (OSError, TypeError):
            continue
        free, total = ctypes.c_size_t(), ctypes.c_size_t()
        if runtime.cudaMemGetInfo(ctypes.byref(free), ctypes.byref(total)) == 0:
            return free.value
    return None


DEFAULT_MEMORY_FRACTION = 0.5  # of the free RAM (or GPU memory): room for the rest of the system


def default_budget(context):
    free = gpu_free_memory() if context == "cudnn" else None
    return DEFAULT_MEMORY_FRACTION * (free if free else available_memory())


# --- the numpy part of the recurrence: flow upsampling and warp, for any window of the frame


def flow_to_high_res_window(flow_lr, rows, columns):
    """HR flow (in HR pixels) on LR rows x columns of the frame: x4 bilinear of 4 * flow_lr, edge-clamped,
    as models.flow_to_high_res computes it for the whole frame (TF1's mapping without half-pixel centres).

    flow_lr (H, W, 2); rows, columns: (start, stop) in LR pixels. Returns (4 rows, 4 columns, 2).
    """
    height, width, _ = flow_lr.shape
    row_index = np.minimum(np.arange(rows[0], rows[1] + 1), height - 1)
    column_index = np.minimum(np.arange(columns[0], columns[1] + 1), width - 1)
    flow = flow_lr[row_index[:, None], column_index[None, :]] * np.float32(SCALE)
    weights = [linear_weights(phase / SCALE) for phase in range(SCALE)]
    up_rows, up_columns = rows[1] - rows[0], columns[1] - columns[0]
    output = np.empty((up_rows, SCALE, up_columns, SCALE, 2), np.float32)
    taps = [[flow[dy:dy + up_rows, dx:dx + up_columns] for dx in (0, 1)] for dy in (0, 1)]
    for phase_y, phase_x in itertools.product(range(SCALE), repeat=2):
        total = None
        for dy, dx in itertools.product((0, 1), repeat=2):
            term = np.float32(weights[phase_y][dy] * weights[phase_x][dx]) * taps[dy][dx]
            total = term if total is None else total + term
        output[:, phase_y, :, phase_x] = total
    return output.reshape(up_rows * SCALE, up_columns * SCALE, 2)


def warp_dense(image, flow, top=0, left=0):
    """Backward warp of an (H, W, C) float32 image by the flow of a window of it, as utils.ops.warp_by_flow.

    flow (h, w, 2) belongs to the output pixels top..top+h, left..left+w; flow[..., 0] is the row and
    flow[..., 1] the column displacement (tfa.image.dense_image_warp): out[y, x] = image[y - flow_y,
    x - flow_x], bilinear, sample positions clamped to the image. The float32 arithmetic follows
    NNabla's WarpByFlow kernel step for step: the position is y - flow in float32, the weights are
    measured from the clamped floor, and the interpolation is upper + beta * (lower - upper).
    """
    height, width, _ = image.shape
    out_rows, out_columns, _ = flow.shape
    rows = np.arange(top, top + out_rows, dtype=np.float32)[:, None] - flow[:, :, 0]  # float32, as NNabla
    columns = np.arange(left, left + out_columns, dtype=np.float32)[None, :] - flow[:, :, 1]
    top_row, left_column = np.floor(rows), np.floor(columns)
    top_index, bottom_index = np.clip(top_row, 0, height - 1), np.clip(top_row + 1, 0, height - 1)
    left_index, right_index = np.clip(left_column, 0, width - 1), np.clip(left_column + 1, 0, width - 1)
    alpha = (columns - left_index)[:, :, None]
    beta = (rows - top_index)[:, :, None]

    def gather(row_index, column_index):
        # Whole-number maps make nearest-neighbour remapping an exact gather, on all cores.
        return cv2.remap(image, column_index, row_index, cv2.INTER_NEAREST)

    top_left, top_right = gather(top_index, left_index), gather(top_index, right_index)
    bottom_left, bottom_right = gather(bottom_index, left_index), gather(bottom_index, right_index)
    upper = alpha * (top_right - top_left) + top_left
    lower = alpha * (bottom_right - bottom_left) + bottom_left
    return beta * (lower - upper) + upper


WARP_CHUNK_PIXELS = 2 ** 20  # HR pixels warped at once: bounds the warp's temporary arrays (about 100 MB)


WARP_THREADS = os.cpu_count() or 1  # numpy and OpenCV release the GIL: chunks are warped in parallel
_warp_pool = ThreadPoolExecutor(WARP_THREADS)


def warp_previous_window(previous_output, flow_lr, rows, columns):
    """The previous HR output warped onto the current frame, on LR rows x columns (start, stop): (4h, 4w, 3)."""
    chunk_rows = max(1, WARP_CHUNK_PIXELS // (SCALE * SCALE * (columns[1] - columns[0])))
    warped = np.empty((SCALE * (rows[1] - rows[0]), SCALE * (columns[1] - columns[0]), previous_output.shape[2]),
                      np.float32)

    def warp_chunk(start):
        stop = min(rows[1], start + chunk_rows)
        flow_hr = flow_to_high_res_window(flow_lr, (start, stop), columns)
        warped[SCALE * (start - rows[0]):SCALE * (stop - rows[0])] = warp_dense(
            previous_output, flow_hr, SCALE * start, SCALE * columns[0])
    list(_warp_pool.map(warp_chunk, range(rows[0], rows[1], chunk_rows)))
    return warped


# --- backends: the three networks on windows of fixed shape


class NnablaNetworks:
    """The flow net, generator trunk and generator tail as NNabla graphs on the plan's window shapes.

    NNabla's CPU kernels use one core, so on CPU `lanes` copies of the graphs let windows run in
    parallel threads (NNabla releases the GIL); every copy shares one set of parameters.
    """

    def __init__(self, window_shapes, num_resblock, lanes=1):
        self.scope = OrderedDict()
        self.lanes = [self._build(window_shapes, num_resblock) for _ in range(lanes)]
        self.free_lanes = queue.Queue()
        for lane in self.lanes:
            self.free_lanes.put(lane)

    def _build(self, window_shapes, num_resblock):
        """{network: (input variables, output variable)} of one copy of the graphs (names of NETWORK_IO)."""
        (flow_h, flow_w), (trunk_h, trunk_w), (tail_h, tail_w) = (window_shapes[name] for name in NETWORK_IO)
        lr_previous, lr_current = nn.Variable((1, flow_h, flow_w, 3)), nn.Variable((1, flow_h, flow_w, 3))
        lr_frame, warped = nn.Variable((1, trunk_h, trunk_w, 3)), nn.Variable((1, SCALE * trunk_h, SCALE * trunk_w, 3))
        features, lr_window = nn.Variable((1, FEATURES, tail_h, tail_w)), nn.Variable((1, tail_h, tail_w, 3))
        with nn.parameter_scope("", self.scope):
            with nn.parameter_scope(FLOW_SCOPE):
                flow_lr = flow_estimator(F.concatenate(lr_previous, lr_current, axis=3))
            with nn.parameter_scope(GENERATOR_SCOPE):
                trunk = generator_trunk(to_channel_first(generator_input(lr_frame, warped)), num_resblock)
                output = to_channel_last(generator_tail(features, to_channel_first(lr_window), SCALE))
        return {"flow": ((lr_previous, lr_current), flow_lr), "trunk": ((lr_frame, warped), trunk),
                "tail": ((features, lr_window), output)}

    def parameters(self):
        with nn.parameter_scope("", self.scope):
            return parameters_under("")

    def load(self, file_arrays, source):
        assign_weights(self.parameters(), file_arrays, source)
        # In half precision the parameters are cast to float16 once here, not by the first windows of
        # parallel lanes at the same time (the lanes share them).
        context = nn.get_current_context()
        if context.backend[0].endswith(":half"):
            for parameter in self.parameters().values():
                parameter.data.cast(np.float16, context)

    @property
    def parallel(self):
        return len(self.lanes)

    def run(self, network, *arrays):
        """The output of one network (a key of NETWORK_IO) on its input windows, on a free copy of the graphs."""
        lane = self.free_lanes.get()
        try:
            inputs, output = lane[network]
            for variable, array in zip(inputs, arrays):
                variable.d = array[None]
            output.forward(clear_buffer=True)
            return output.d[0].astype(np.float32)  # a copy; float16 in half precision
        finally:
            self.free_lanes.put(lane)

    def export(self):
        """{network: serialised ONNX model} of the first lane's graphs, with the loaded weights."""
        lane, parameters = self.lanes[0], self.parameters()
        models = {}
        for network, (input_names, output_name) in NETWORK_IO.items():
            inputs, output = lane[network]
            models[network] = export_onnx({output_name: output}, dict(zip(input_names, inputs)), parameters)
        return models


def new_parameters(num_resblock):
    """{name: variable} of freshly initialised inference networks, named as in a weight file."""
    return NnablaNetworks({name: (FLOW_NET_STRIDE, FLOW_NET_STRIDE) for name in NETWORK_IO}, num_resblock).parameters()


class OnnxNetworks:
    """NnablaNetworks' graphs exported to ONNX and run by OpenVINO on `threads` CPU cores in `precision`.

    The exports are cached in cache_dir, keyed by the weights' content, the block count, the window
    shapes and the code of the graphs.
    """
    parallel = 1  # OpenVINO spreads each window over the cores itself

    def __init__(self, window_shapes, num_resblock, file_arrays, source, cache_dir, threads, precision):
        shapes = "_".join(f"{w}x{h}" for h, w in (window_shapes[name] for name in NETWORK_IO))
        stem = cache_stem(file_arrays, num_resblock, shapes)

        def export():
            networks = NnablaNetworks(window_shapes, num_resblock)
            networks.load(file_arrays, source)
            return networks.export()

        def sessions():
            paths = cached_models(cache_dir, stem, NETWORK_IO, export)
            try:
                return {name: CompiledNetwork(paths[name], threads, precision) for name in NETWORK_IO}
            except Exception:  # OpenVINO's own error types: a cached file damaged on disk
                for path in paths.values():
                    os.remove(path)
                raise

        try:
            self.networks = sessions()
        except Exception:  # exported anew, once
            self.networks = sessions()

    def run(self, network, *arrays):
        """The output of one network (a key of NETWORK_IO) on its input windows."""
        input_names, _ = NETWORK_IO[network]
        return self.networks[network]({name: array[None] for name, array in zip(input_names, arrays)})[0]


# --- the recurrence


def window_slices(tile, scale=1, origin=(0, 0)):
    """Slices of a tile's computed window, in pixels scaled by `scale`, relative to origin (rows, columns)."""
    return tuple(slice(scale * (window.start - start), scale * (window.stop - start))
                 for window, start in zip(tile, origin))


def keep_slices(tile, scale=1, origin=None):
    """Slices of a tile's kept range: relative to its own window start, or to origin when given."""
    origin = origin or tuple(window.start for window in tile)
    return tuple(slice(scale * (window.keep_start - start), scale * (window.keep_stop - start))
                 for window, start in zip(tile, origin))


def padded_frame(frame):
    """The LR frame as the networks take it: float32, at least the flow net's stride on each side (edge
    replication; the output is cropped back)."""
    pad_h, pad_w = max(0, FLOW_NET_STRIDE - frame.shape[0]), max(0, FLOW_NET_STRIDE - frame.shape[1])
    lr_frame = np.pad(frame, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge") if pad_h or pad_w else frame
    return np.ascontiguousarray(lr_frame, np.float32)


class FrameRecurrence:
    """The reference's inference loop, tiled: warp the previous output onto the current frame, run the generator.

    Frames are (H, W, 3) RGB float32 in [0, 1]; outputs are (4H, 4W, 3), unclipped, in about [0, 1].
    Frames smaller than the flow net's stride are padded by edge replication and cropped back.
    """

    def __init__(self, networks, plan, height, width):
        self.networks, self.plan = networks, plan
        self.height, self.width = height, width
        self.pool = ThreadPoolExecutor(networks.parallel) if networks.parallel > 1 else None
        self.reset()

    def reset(self):
        """Start a new sequence: no previous frame, no previous output."""
        self.history = None  # (previous padded LR frame, its padded output)

    def describe(self):
        return self.plan.describe()

    def _map(self, function, items):
        return list(self.pool.map(function, items)) if self.pool else [function(item) for item in items]

    def flow_lr(self, lr_previous, lr_current):
        """LR flow of the padded frame (H, W, 2): the flow net sees H//8*8 rows, and the reference
        reflect-pads its output back to the frame size."""
        height, width, _ = lr_current.shape
        flow = np.empty((height - height % FLOW_NET_STRIDE, width - width % FLOW_NET_STRIDE, 2), np.float32)

        def run(tile):
            window = window_slices(tile)
            flow[keep_slices(tile, origin=(0, 0))] = self.networks.run("flow", lr_previous[window],
                                                                        lr_current[window])[keep_slices(tile)]
        self._map(run, self.plan.tiles("flow"))
        return np.pad(flow, ((0, height - flow.shape[0]), (0, width - flow.shape[1]), (0, 0)), mode="reflect")

    def step(self, frame):
        """Super-resolve the next frame of the sequence."""
        lr_frame = padded_frame(frame)
        flow_lr = None if self.history is None else self.flow_lr(self.history[0], lr_frame)
        output = np.empty((lr_frame.shape[0] * SCALE, lr_frame.shape[1] * SCALE, 3), np.float32)

        def run(tile):
            rows, columns = ((window.start, window.stop) for window in tile)
            if flow_lr is None:  # the reference starts from a zero previous output, not warped
                warped = np.zeros((SCALE * (rows[1] - rows[0]), SCALE * (columns[1] - columns[0]), 3), np.float32)
            else:
                warped = warp_previous_window(self.history[1], flow_lr, rows, columns)
            features = self.networks.run("trunk", lr_frame[window_slices(tile)], warped)
            origin = (rows[0], columns[0])
            for tail in self.plan.tail_tiles[tile]:
                part = self.networks.run("tail", features[(slice(None),) + window_slices(tail, origin=origin)],
                                         lr_frame[window_slices(tail)])
                output[keep_slices(tail, SCALE, origin=(0, 0))] = part[keep_slices(tail, SCALE)]
        self._map(run, self.plan.tiles("trunk"))
        self.history = (lr_frame, output)
        return output[:self.height * SCALE, :self.width * SCALE]


class DeviceFrameRecurrence:
    """FrameRecurrence's step as one NNabla graph on the whole frame, for cuDNN: flow net, x4 flow, warp of
    the previous output (NNabla's WarpByFlow, which warp_dense reproduces) and generator run where the
    context is, and the previous output and LR frame stay there between frames. Only the LR frame goes
    in and the SR frame comes out. Used when the memory budget holds every network on the whole frame.
    """

    def __init__(self, networks, num_resblock, height, width):
        self.height, self.width = height, width
        rows, columns = max(height, FLOW_NET_STRIDE), max(width, FLOW_NET_STRIDE)
        self.lr_previous, self.lr_current = nn.Variable((1, rows, columns, 3)), nn.Variable((1, rows, columns, 3))
        self.previous_output = nn.Variable((1, SCALE * rows, SCALE * columns, 3))
        with nn.parameter_scope("", networks.scope):
            with nn.parameter_scope(FLOW_SCOPE):
                flow_lr = flow_estimator(F.concatenate(self.lr_previous, self.lr_current, axis=3))
            # the flow net sees rows // 8 * 8 rows; its output is reflect-padded back, as in FrameRecurrence
            flow_lr = F.pad(flow_lr, (0, rows - flow_lr.shape[1], 0, columns - flow_lr.shape[2], 0, 0), mode="reflect")
            warped = warp_by_flow(self.previous_output, flow_to_high_res(flow_lr, SCALE))
            with nn.parameter_scope(GENERATOR_SCOPE):
                features = generator_trunk(to_channel_first(generator_input(self.lr_current, warped)), num_resblock)
                self.output = to_channel_last(generator_tail(features, to_channel_first(self.lr_current), SCALE))
        self.reset()

    def reset(self):
        self.started = False

    def describe(self):
        return f"the whole frame ({self.width}x{self.height} LR pixels) in one graph on the device"

    def step(self, frame):
        """Super-resolve the next frame of the sequence."""
        lr_frame = padded_frame(frame)
        if self.started:
            self.lr_previous.data.copy_from(self.lr_current.data)
        else:  # warping zeros gives zeros: the reference's zero previous output
            self.previous_output.data.zero()
            self.lr_previous.d = lr_frame[None]
        self.lr_current.d = lr_frame[None]
        self.output.forward(clear_buffer=True)
        self.previous_output.data.copy_from(self.output.data)
        self.started = True
        return self.output.d[0, :self.height * SCALE, :self.width * SCALE].astype(np.float32)  # float16 in half


def with_warmup(named_frames):
    """Yield (name, frame, keep): frames 6..2 mirrored (not kept), then every frame (kept).

    The reference drops the first outputs of clips shorter than 6 frames; here the warm-up uses
    only the frames that exist, so every input frame gets an output.
    """
    named_frames = iter(named_frames)
    head = list(itertools.islice(named_frames, WARMUP_FRAMES + 1))
    for name, frame in reversed(head[1:]):
        yield name, frame, False
    for name, frame in itertools.chain(head, named_frames):
        yield name, frame, True


def scene_steps(frame_count):
    """Model steps of a scene of frame_count frames: its mirrored warm-up (see with_warmup) and its frames."""
    return frame_count + min(WARMUP_FRAMES, frame_count - 1)


def super_resolve(model, named_frames):
    """Yield (name, SR frame) for every frame of one sequence, after the mirrored warm-up."""
    model.reset()
    for name, frame, keep in with_warmup(named_frames):
        output = model.step(frame)
        if keep:
            yield name, output


def choose_backend(backend, context, device_id=0, precision="fp32"):
    """(backend, NNabla context name), and NNabla's default context set for it. auto: NNabla with cuDNN on
    a GPU (device_id), else OpenVINO when it is installed and computes in `precision`, else NNabla on the
    CPU. precision: one of BACKEND_PRECISIONS[backend]; "bf16" also needs a CPU with bfloat16
    instructions. The ONNX export builds the NNabla graphs on the CPU in float32."""
    if backend not in BACKEND_CHOICES:
        raise UserError(f"unknown backend '{backend}'; choose one of {', '.join(BACKEND_CHOICES)}")
    if precision not in PRECISIONS:
        raise UserError(f"unknown precision '{precision}'; choose one of {', '.join(PRECISIONS)}")
    if backend == "openvino":
        if not openvino_available():
            raise UserError("--backend openvino needs the packages openvino, onnx and nnabla_converter; "
                            "install them as README.md says, or use --backend nnabla")
        if context == "cudnn":
            raise UserError("--backend openvino runs on the CPU; drop --context cudnn or use --backend nnabla")
        context = "cpu"
    else:
        context = context_name(context)
        if backend == "auto":
            openvino = context == "cpu" and openvino_available() and precision in OPENVINO_PRECISIONS
            backend = "openvino" if openvino else "nnabla"
    if precision not in BACKEND_PRECISIONS[backend]:
        engines = " or ".join(name for name, precisions in BACKEND_PRECISIONS.items() if precision in precisions)
        raise UserError(f"--precision {precision} runs on {engines} only, not {backend} on {context}; use --backend "
                        f"{engines}, or --precision {' or '.join(BACKEND_PRECISIONS[backend])}")
    if precision == "bf16" and not cpu_has_bfloat16():
        raise UserError("--precision bf16 needs a CPU with bfloat16 instructions (AVX512_BF16 or AMX), "
                        "which this one lacks; use --precision fp32")
    type_config = NNABLA_TYPE_CONFIGS[precision if backend == "nnabla" else "fp32"]
    return backend, use_context(context, device_id, type_config)


def resolve_num_resblock(requested, file_arrays, path):
    if requested is not None:
        return requested
    blocks = count_resblocks(file_arrays)
    if blocks == 0:
        raise UserError(f"weights file '{path}' has no generator residual blocks: it is not a TecoGAN/FRVSR "
                        "generator; pass tecogan_model.h5, frvsr_model.h5 or a train.py model_param file")
    return blocks


class SuperResolver:
    """A TecoGAN / FRVSR model ready to super-resolve sequences, with its backend and memory plan.

    weights: path of an NNabla .h5 file (or file_arrays, {name: array}, with weights naming the source).
    tile: force the kept tile side (LR pixels); max_memory: bytes for the process (default: half the
    free RAM, or of the free GPU memory on cuDNN). threads: CPU threads (default all cores).
    sharing: processes that share this machine's cores (mpirun on a CPU): each gets its share of them by
    default, unless bound to its own (available_cores). device_id: the GPU on cuDNN.
    precision: "fp32"; "fp16" (NNabla's half precision: cuDNN's fast path, slow on the CPU); or "bf16"
    (OpenVINO on a CPU with bfloat16 instructions: about twice as fast). Outputs are float32 in all three.
    """

    def __init__(self, weights, backend="auto", context="auto", num_resblock=None, tile=None, max_memory=None,
                 threads=None, cache_dir=None, file_arrays=None, sharing=1, device_id=0, precision="fp32"):
        if tile is not None and tile < 1:
            raise UserError(f"--tile must be at least 1 LR pixel, got {tile}")
        if max_memory is not None and max_memory <= 0:
            raise UserError(f"--max-memory must be positive, got {max_memory / 2 ** 30:g} GB")
        self.backend, self.context = choose_backend(backend, context, device_id, precision)
        self.nnabla_context = nn.get_current_context()  # the graphs are built in it, whenever model() builds them
        self.precision = precision
        self.source = weights
        self.file_arrays = file_arrays if file_arrays is not None else read_weight_file(weights)
        self.num_resblock = resolve_num_resblock(num_resblock, self.file_arrays, weights)
        self.scale = SCALE
        cpu = self.context == "cpu"
        self.tile, self.threads = tile, threads or (available_cores(sharing) if cpu else 1)
        self.max_memory = max_memory or default_budget(self.context)
        self.cache_dir = cache_dir or default_cache_dir()
        self.models = {}

    def plan(self, height, width):
        """The tile plan for LR frames of height x width (after padding to the flow net's stride)."""
        padded = (max(height, FLOW_NET_STRIDE), max(width, FLOW_NET_STRIDE))
        return TilePlan(*padded, self.num_resblock, self.tile, None if self.tile else self.max_memory, self.lanes)

    @property
    def lanes(self):
        """Windows computed at once: NNabla's CPU kernels use one core each, OpenVINO and cuDNN all
        (no CPU strips on a GPU)."""
        return self.threads if self.backend == "nnabla" and self.context == "cpu" else 1

    def model(self, height, width):
        """The FrameRecurrence for LR frames of height x width, built once per size."""
        if (height, width) not in self.models:
            plan = self.plan(height, width)
            with nn.context_scope(self.nnabla_context):
                if self.backend == "openvino":
                    networks = OnnxNetworks(plan.window_shapes, self.num_resblock, self.file_arrays, self.source,
                                            self.cache_dir, self.threads, self.precision)
                else:
                    networks = NnablaNetworks(plan.window_shapes, self.num_resblock, self.lanes)
                    networks.load(self.file_arrays, self.source)
                if self.context == "cudnn" and self.tile is None and plan.whole_frame_bytes() <= self.max_memory:
                    model = DeviceFrameRecurrence(networks, self.num_resblock, height, width)
                else:
                    model = FrameRecurrence(networks, plan, height, width)
            self.models = {(height, width): model}  # one size at a time
        return self.models[(height, width)]

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
            shape, named_frames = first[1].shape[:2], itertools.chain([first], named_frames)
        model = self.model(*shape[:2])
        for scene in split_at_cuts(named_frames, sorted(cuts)):
            yield from super_resolve(model, scene)
