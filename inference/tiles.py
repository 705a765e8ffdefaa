"""The tile plan: windows of the three networks for one frame size, each keeping only what it computes
exactly.

Every network runs on windows of the frame with a halo of its receptive field, and only the part of each
window whose whole receptive field lies inside it is kept, so the tiled result equals the untiled one.
The window sizes follow a memory budget (TilePlan.windows_for_budget) or a forced tile side.
"""
import copy
import itertools
import math
from collections import namedtuple

from models import FLOW_NET_HALO, FLOW_NET_STRIDE, GENERATOR_TAIL_HALO, generator_trunk_halo
from utils.errors import UserError, counted, size_said
from utils.ops import PAPER_SCALE
from utils.output_size import factor_said


# Peak memory of one window, in bytes per LR pixel of the window, by backend and the model's scale: the growth of the
# resident memory from building a network to after its first run, rounded up (benchmarks/bench_window_memory.py; the
# figures: docs/benchmarks.md). OpenVINO's were measured with OpenVINO and ONNX Runtime. NNabla's graphs take two to
# four times as much (measured on the CPU, and cuDNN is planned with them too): planned with OpenVINO's figures,
# NNabla's windows went past --max-memory by up to 28 %. Only the tail differs much by scale: an x2 model's has one
# upsampling layer, at 2x, where an x4 model's has a second one at 4x.
BYTES_PER_PIXEL = {"openvino": {4: {"flow": 1100, "trunk": 2300, "tail": 16000},
                                2: {"flow": 1100, "trunk": 2300, "tail": 8000}},
                   "nnabla": {4: {"flow": 4500, "trunk": 6000, "tail": 30000},
                              2: {"flow": 4500, "trunk": 4000, "tail": 6000}}}
# Of what the HR frames leave: the trunk gets most, because its halo is the widest in compute (its
# windows overlap by 2 x (2 x blocks + 3) rows of 16-block work); the tail needs little at TAIL_TILE.
BUDGET_SHARES = {"flow": 0.2, "tail": 0.1, "trunk": 0.7}
# Largest useful kept side of a tail window: its layers are memory-bound, and on larger windows
# OpenVINO computes it more slowly per pixel (docs/benchmarks.md).
TAIL_TILE = 128
# The process before any frame, by backend: the interpreter, NNabla and OpenCV, and OpenVINO with the fixed part of
# its compiled networks (about 80 MB each); NNabla's own process peaked at 112-119 MiB (generate.py on 16x16 frames).
PROCESS_BYTES = {"openvino": 400 * 2 ** 20, "nnabla": 160 * 2 ** 20}
# Frames alive at once, in float32 frames: of the model's HR size, the one computed and the previous one (warped into
# the next); of the size written, three 8-bit copies (a quarter of a float32 frame each) while one is encoded, and the
# float32 frame resized to it where frames are resized (--outscale, --output-size).
HR_FRAME_BUFFERS = 2
WRITTEN_FRAME_BUFFERS = 0.75
RESIZED_FRAME_BUFFERS = 1
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
    bounds = [0] + [(next_start + start + window) // 2
                    for start, next_start in zip(starts, starts[1:])] + [length]
    return [Window(start, start + window, keep_start, keep_stop)
            for start, keep_start, keep_stop in zip(starts, bounds[:-1], bounds[1:])]


def window_count(length, window, halo):
    """Number of windows plan_axis places along the axis."""
    return 1 if window >= length else 1 + math.ceil((length - window) / (window - 2 * halo))


def even_window(length, halo, count):
    """The window with which `count` windows, overlapping by 2 * halo, just cover the axis."""
    return -(-(length + 2 * halo * (count - 1)) // count)


def computed_length(length, window, halo, align=1):
    """Pixels computed along an axis of `length` by the windows _grid lays out for `window` (balanced): their count
    times their size."""
    if align > 1:
        remainder = length % align
        blocks = computed_length(length // align, (window - remainder) // align, -(-halo // align))
        return align * blocks + remainder * window_count(length // align, (window - remainder) // align,
                                                         -(-halo // align))
    return window_count(length, window, halo) * balanced_window(length, window, halo)


def least_window(length, halo, count, align=1):
    """The least window with which `count` windows (or fewer) cover the axis (of a multiple of align plus the axis's
    remainder where align > 1)."""
    if align > 1:
        return align * least_window(length // align, -(-halo // align), count) + length % align
    return length if count == 1 else even_window(length, halo, count)


def balanced_window(length, window, halo, align=1, at_least=1):
    """The smallest window that needs no more windows along the axis than `window` does (and at least
    `at_least` windows where the axis is long enough): the overlaps shrink to about 2 * halo."""
    if align > 1:
        remainder = length % align
        blocks = balanced_window(length // align, (window - remainder) // align, -(-halo // align), 1,
                                 at_least)
        return align * blocks + remainder
    count = window_count(length, window, halo)
    if count < at_least and even_window(length, halo, at_least) - 2 * halo >= MIN_KEEP:
        count = at_least
    return length if count == 1 else even_window(length, halo, count)


Tile = namedtuple("Tile", "rows columns")  # two Windows


class TilePlan:
    """The windows of the three networks for one frame size, from a forced tile side or a memory budget.

    height, width: of the LR frames, planned padded to the flow net's stride where a side is shorter (as the
    recurrence pads them); the budget's refusal names them as given (7x5 frames were "too small for 8x8 LR frames").
    tile: the largest kept side (LR pixels, halo not counted) of every network's windows; the flow net's
    is rounded up to its stride. budget: bytes for the whole process. Exactly one of them is given.
    lanes: windows computed at once (NNabla's CPU graph copies, one a thread): the generator gets at least this many
    tiles where the frame allows, and with a budget they are fewer (self.lanes) where the windows of its shares do not
    fit side by side.
    scale: the model's, which sizes the HR frames and the tail's bytes per LR pixel. written_pixels: of a frame as
    written, where frames are resized from the HR size (None: written at it). budget_given: whether the budget is
    --max-memory's, else the default one (half the memory free), which the refusal names as such, not as a
    --max-memory the user never gave. backend: "openvino" or "nnabla", whose own bytes per LR pixel and process the
    plan counts (BYTES_PER_PIXEL, PROCESS_BYTES): the refusal's least budget follows it. shared_by: the processes
    the default budget's half of the memory free was shared by (mpirun's on a CPU), said in its refusal.
    written_fixed: whether the frames are written at written_pixels whatever their size (--output-size), else at as
    many pixels per LR pixel (--outscale), which the refusal's advice of smaller frames follows.
    """

    def __init__(self, height, width, num_resblock, tile=None, budget=None, lanes=1, scale=PAPER_SCALE,
                 written_pixels=None, budget_given=True, backend="openvino", shared_by=1, written_fixed=False):
        self.frame_size, self.budget_given, self.backend = (height, width), budget_given, backend
        self.shared_by, self.written_fixed = shared_by, written_fixed
        self.bytes_per_pixel = BYTES_PER_PIXEL[backend][scale]
        height, width = max(height, FLOW_NET_STRIDE), max(width, FLOW_NET_STRIDE)
        self.height, self.width, self.scale, self.written_pixels = height, width, scale, written_pixels
        self.halos = {
            "flow": FLOW_NET_HALO,
            "trunk": generator_trunk_halo(num_resblock) + GENERATOR_TAIL_HALO,
            "tail": GENERATOR_TAIL_HALO
        }
        if tile is not None:
            flow_tile = -(-tile // FLOW_NET_STRIDE) * FLOW_NET_STRIDE
            sides = {"flow": (flow_tile, flow_tile), "trunk": (tile, tile), "tail": (tile, tile)}
            windows = {name: self.window_for_keep(name, *sides[name]) for name in sides}
        self.lanes = lanes
        if tile is not None:
            self.lay_out(windows)
            return
        # each network's share was given to one window, and NNabla computing --threads 2 of them at once went past
        # --max-memory by a third: fewer at once where the windows of the shares do not fit side by side, the most
        # that fit found by halving the range (one lane less at a time laid out the frame up to 1024 times; halving
        # the lanes ran --threads 3 as 1 where 2 fit, and 8 as 4 where 7 fit)
        if not self.fits(budget, lanes):
            fitting, unfit = 1, lanes  # one lane fits, or windows_for_budget's UserError says the least budget
            while unfit - fitting > 1:
                middle = (fitting + unfit) // 2
                fitting, unfit = (middle, unfit) if self.fits(budget, middle) else (fitting, middle)
            self.fits(budget, fitting)

    def fits(self, budget, lanes):
        """Whether the windows of the budget's shares, laid out for `lanes` computed at once, fit side by side; the
        plan is laid out for them (self.lanes = lanes) where they do. With one lane, True or windows_for_budget's
        UserError."""
        self.lanes = lanes
        return bool((windows := self.windows_for_budget(budget)) and self.lay_out(windows) and self.lanes_fit(budget))

    def lay_out(self, windows):
        """The networks' windows on the frame, of at most the shapes `windows` gives, the generator's in at least
        self.lanes tiles; returns True."""
        height, width = self.height, self.width
        self.flow = self._grid("flow", windows["flow"], FLOW_NET_STRIDE)
        # at least self.lanes tiles in all, the rows as many as the columns leave: the rows alone were made at least
        # self.lanes, so --tile 24 --threads 8 cut 180x144 frames of 5x7 tiles into 8x7 thinner ones (a third more
        # work), and --threads 64 into 57x7 windows of 32 rows that kept 2 (seven times the work)
        columns = len(self._grid("trunk", windows["trunk"])[1])
        self.trunk = self._grid("trunk", windows["trunk"], at_least=(-(-self.lanes // columns), 1))
        # Every tail window lies inside the part of a trunk window where the features are exact.
        valid = [[stop - start for start, stop in map(self._valid, axis, itertools.repeat(length))]
                 for axis, length in zip(self.trunk, (height, width))]
        self.tail_window = tuple(min(min(lengths), balanced_window(max(lengths), size, GENERATOR_TAIL_HALO))
                                 for lengths, size in zip(valid, windows["tail"]))
        self.window_shapes = {name: tuple(axis[0].stop - axis[0].start for axis in grid)
                              for name, grid in (("flow", self.flow), ("trunk", self.trunk))}
        self.window_shapes["tail"] = self.tail_window
        self._tail_windows = None  # made when first asked for (tail_tiles)
        return True

    @property
    def tail_tiles(self):
        """{trunk tile: the tail windows inside it}, of the layout chosen: made for each layout the lanes' search tried,
        they took 8 to 12 s of planning 1920x1080 frames with --threads 1024 (half a million tail windows of the 1024
        lanes' layout, thrown away)."""
        if self._tail_windows is None:
            self._tail_windows = {tile: self._tail_tiles(tile) for tile in self.tiles("trunk")}
        return self._tail_windows

    def lanes_fit(self, budget):
        """Whether the windows of each network computed at once (self.lanes, or its tiles where fewer; the tail's run
        in its trunk tile's lane) fit its share of what the frames leave of the budget."""
        trunk_tiles = len(self.tiles("trunk"))
        tiles = {"flow": len(self.tiles("flow")), "trunk": trunk_tiles, "tail": trunk_tiles}
        left = budget - self.frame_bytes()
        return self.lanes == 1 or all(min(self.lanes, tiles[name]) * math.prod(self.window_shapes[name])
                   * self.bytes_per_pixel[name] <= left * share for name, share in BUDGET_SHARES.items())

    def window_for_keep(self, name, keep_rows, keep_columns):
        extra = 2 * self.halos[name]
        if name == "flow":  # kept sides and halo in whole strides
            stride = FLOW_NET_STRIDE
            extra = -(-extra // stride) * stride
            keep_rows, keep_columns = (-(-keep // stride) * stride for keep in (keep_rows, keep_columns))
            return (self._flow_window(keep_rows + extra,
                                      self.height), self._flow_window(keep_columns + extra, self.width))
        return min(keep_rows + extra, self.height), min(keep_columns + extra, self.width)

    @staticmethod
    def _flow_window(window, length):
        """A flow window is a multiple of the stride plus the length's remainder (see plan_axis)."""
        return min(length, window + length % FLOW_NET_STRIDE)

    @staticmethod
    def _flow_within(window, length):
        """The largest flow window of at most `window` pixels along an axis of `length`: the length's remainder
        counted in (added after the rounding down to the stride, a band of 500x40 frames took 148 rows of a share
        of 147, and 8x16385 frames 16385 columns of 16384)."""
        remainder = length % FLOW_NET_STRIDE
        return min(length, (window - remainder) // FLOW_NET_STRIDE * FLOW_NET_STRIDE + remainder)

    def windows_for_budget(self, budget):
        """Window shapes that fit the budget: the frames first, then the flow net, tail and trunk windows.

        Each network's window is of at most its share of what the frames leave (BUDGET_SHARES), the shape
        that computes the fewest pixels (window_within); the tail's is capped at TAIL_TILE, where it
        runs fastest, and shares its share with the tail windows of the other lanes (small ones cost little).
        None where a window does not fit with self.lanes > 1 (fewer lanes may fit); a UserError with one.
        """
        frames = self.frame_bytes()
        left = budget - frames
        windows = {}
        for name, share in BUDGET_SHARES.items():
            lanes = self.lanes if name == "tail" else 1
            largest = int(max(0, left * share / lanes) // self.bytes_per_pixel[name])
            windows[name] = self.window_within(name, largest)
            if windows[name] is None and self.lanes > 1:
                return None
            if windows[name] is None:
                # the flag's value as given, its shortest repr (to three figures, 0.4069 was "0.407 GB is too small",
                # and 0.407 is taken; to two decimals "0.41"; a float's repr said 2 as "2.0"), and the least budget
                # rounded up
                said, advice = (f"--max-memory {factor_said(budget / 2 ** 30)} GB", ["raise --max-memory"])
                if not self.budget_given:  # was "--max-memory 0.342 GB is too small", never given (demo.py has none)
                    shared = f" shared by {self.shared_by} processes" if self.shared_by > 1 else ""
                    said = f"the default memory budget, half the memory free{shared} ({size_said(budget, math.floor)}),"
                    # mpirun -n 3's line said "free memory or use smaller frames", where -n 1 has the budget it needs;
                    # and -n 2's said "run fewer processes" where -n 1's whole half is too small too (64x64 frames
                    # needing 0.25 GB, -n 1's 0.2 GB): said where one process's budget fits these frames
                    fewer = self.shared_by > 1 and budget * self.shared_by >= self.smallest_bytes(frames)
                    advice = ["run fewer processes (mpirun -n), free memory" if fewer else "free memory"]
                # a budget under the smallest frames' least fits no frame: 17x1 frames in --max-memory 0.001 were told
                # to "use smaller frames", and so were budgets of the process's own bytes to some MB over them
                advice += self.smaller_advice(budget)
                raise UserError(
                    f"{said} is too small for {self.frame_size[1]}x{self.frame_size[0]} LR frames even with the "
                    f"smallest tiles (needs at least {size_said(self.smallest_bytes(frames), math.ceil)}); "
                    f"{' or '.join(advice)}")
        return windows

    def window_within(self, name, largest):
        """A window of at most `largest` pixels, None if even the smallest window (halo on both sides and MIN_KEEP
        kept) is larger. The tail's is a square of at most TAIL_TILE kept; the others' the shape whose windows compute
        the fewest pixels of the frame (the whole frame where it fits)."""
        height, width = self.height, self.width
        smallest_rows, smallest_columns = self.window_for_keep(name, MIN_KEEP, MIN_KEEP)
        if smallest_rows * smallest_columns > largest:
            return None
        if name == "tail":
            side = min(math.isqrt(largest), TAIL_TILE + 2 * self.halos["tail"])
            return min(side, height), min(side, width)
        # of the windows within `largest`, those that compute the fewest pixels: for each count of windows down the
        # frame, its least rows and the most columns they leave. The whole frame was taken where it fit, else full-width
        # bands wherever the least fit, else a square: a band keeping a few rows beside its halos computed the frame
        # many times over, so a larger budget ran slower (the trunk of 1920x1080 frames in --max-memory 2 on
        # OpenVINO: 113 bands of 79 rows, 8.3 times the frame, where 1.9 GB computed 1.5 times it in squares)
        align, halo = FLOW_NET_STRIDE if name == "flow" else 1, self.halos[name]
        most = (window_count(height // align, (smallest_rows - height % align) // align, -(-halo // align))
                if smallest_rows < height else 1)  # windows down the frame, each keeping MIN_KEEP
        best = None
        for rows in itertools.chain((least_window(height, halo, count, align) for count in range(1, most + 1)),
                                    [smallest_rows]):
            columns = min(width, largest // rows)
            if name == "flow":  # within its length, the frame's remainder of the stride counted in
                columns = self._flow_within(columns, width)
            if columns < smallest_columns:
                continue
            work = computed_length(height, rows, halo, align) * computed_length(width, columns, halo, align)
            if best is None or work < best[0]:
                best = work, rows, columns
            if columns == width:  # more windows down a full-width band compute more
                break
        return best[1:]

    def smallest_bytes(self, frames):
        """The least budget windows_for_budget takes: each network's smallest window within its share of what the
        frames leave (the sum of the smallest windows was less, and that figure was refused in turn)."""
        return frames + max(math.prod(self.window_for_keep(name, MIN_KEEP, MIN_KEEP)) * bytes_per_pixel
                            / BUDGET_SHARES[name] for name, bytes_per_pixel in self.bytes_per_pixel.items())

    def least_budget_of(self, height, width, written_pixels):
        """The least budget of LR frames of height x width written at written_pixels (None: at the model's size)."""
        plan = copy.copy(self)
        plan.height, plan.width = max(height, FLOW_NET_STRIDE), max(width, FLOW_NET_STRIDE)
        plan.written_pixels = written_pixels
        return plan.smallest_bytes(plan.frame_bytes())

    def smallest_frames_bytes(self):
        """The least budget of the smallest frames (1x1, planned as the stride's square), written as a pixel where
        frames are resized: a budget under it fits no frame."""
        return self.least_budget_of(1, 1, self.written_pixels and 1)

    def smaller_advice(self, budget):
        """What fits a budget these frames do not: smaller frames, these frames written smaller (as a pixel) where
        they are resized, or only both together; [] where no frame fits. Each half was advised where only the other
        fitted, or only both (a fixed --output-size takes as much beside smaller frames; the HR frames of large ones
        take GBs however small they are written)."""
        written = self.written_pixels
        # smaller frames are written at the fixed size (--output-size), else at as many pixels per LR pixel
        if written and not self.written_fixed:
            written = -(-written // math.prod(self.frame_size))
        smaller = (self.height, self.width) != (FLOW_NET_STRIDE,) * 2 and budget >= self.least_budget_of(1, 1, written)
        written_smaller = bool(self.written_pixels) and budget >= self.least_budget_of(self.height, self.width, 1)
        if smaller or written_smaller:
            return ["use smaller frames, or write smaller ones" if smaller and written_smaller else
                    "use smaller frames" if smaller else "write smaller frames"]
        return (["use smaller frames and write them smaller"]
                if self.written_pixels and budget >= self.smallest_frames_bytes() else [])

    def _grid(self, name, window, align=1, at_least=(1, 1)):
        """Row and column windows of a network: as few as `window` allows (at least `at_least`), balanced."""
        return tuple(plan_axis(length, balanced_window(length, size, self.halos[name], align, count),
                               self.halos[name], align)
                     for length, size, count in zip((self.height, self.width), window, at_least))

    @staticmethod
    def _valid(window, length):
        """(start, stop) of the part of a trunk window whose features are exact: its kept range and the tail's
        halo."""
        return max(0, window.keep_start - GENERATOR_TAIL_HALO), min(length,
                                                                    window.keep_stop + GENERATOR_TAIL_HALO)

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
        """Process bytes before any window: the interpreter and libraries, the HR frames in flight and the frames as
        written (left out, frames resized by a large --outscale took several times the budget beside it)."""
        pixels = self.height * self.width
        hr_pixels = self.scale * self.scale * pixels
        float_frames = (HR_FRAME_BUFFERS * hr_pixels + WRITTEN_FRAME_BUFFERS * (self.written_pixels or hr_pixels)
                        + RESIZED_FRAME_BUFFERS * (self.written_pixels or 0))
        return PROCESS_BYTES[self.backend] + 3 * 4 * float_frames + 16 * 4 * pixels

    def whole_frame_bytes(self):
        """Process bytes with every network on the whole frame (DeviceFrameRecurrence)."""
        return self.frame_bytes() + self.height * self.width * sum(self.bytes_per_pixel.values())

    def describe(self):
        """The generator's tiles, within the frames as given: a window over the padding (8x8 of 1x1 frames) was said
        as a tile larger than the frames; one tile is said in the singular (every run's bar said "1 generator
        tile(s)")."""
        rows, columns = self.trunk
        height, width = (min(side, given) for side, given in zip(self.window_shapes["trunk"], self.frame_size))
        return f"{counted(len(rows) * len(columns), 'generator tile')} of {width}x{height} LR pixels"


def window_slices(tile, scale=1, origin=(0, 0)):
    """Slices of a tile's computed window, in pixels scaled by `scale`, relative to origin (rows, columns)."""
    return tuple(slice(scale * (window.start - start), scale * (window.stop - start))
                 for window, start in zip(tile, origin))


def keep_slices(tile, scale=1, origin=None):
    """Slices of a tile's kept range: relative to its own window start, or to origin when given."""
    origin = origin or tuple(window.start for window in tile)
    return tuple(slice(scale * (window.keep_start - start), scale * (window.keep_stop - start))
                 for window, start in zip(tile, origin))
