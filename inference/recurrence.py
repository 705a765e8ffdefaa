"""The frame recurrence: warp the previous output onto the current frame, run the generator, per frame
and tile (FrameRecurrence) or as one whole-frame graph on the GPU (DeviceFrameRecurrence); and the
mirrored warm-up that gives the first frame a history."""
import itertools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import nnabla as nn
import nnabla.functions as F

from inference.tiles import keep_slices, window_slices
from inference.warp import warp_previous_window
from models import (FLOW_NET_STRIDE, FLOW_SCOPE, GENERATOR_SCOPE, flow_estimator, flow_to_high_res,
                    generator_input, generator_tail, generator_trunk)
from utils.ops import to_channel_first, to_channel_last, warp_by_flow

WARMUP_FRAMES = 5  # frames 6..2 are run first, mirrored, so that frame 1 already has a history


def padded_frame(frame):
    """The LR frame as the networks take it: float32, at least the flow net's stride on each side (edge
    replication; the output is cropped back)."""
    pad_h, pad_w = max(0, FLOW_NET_STRIDE - frame.shape[0]), max(0, FLOW_NET_STRIDE - frame.shape[1])
    lr_frame = np.pad(frame, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge") if pad_h or pad_w else frame
    return np.ascontiguousarray(lr_frame, np.float32)


class FrameRecurrence:
    """The reference's inference loop, tiled: warp the previous output onto the current frame, run the
    generator.

    Frames are (H, W, 3) RGB float32 in [0, 1]; outputs are (sH, sW, 3) for s the networks' scale, unclipped,
    in about [0, 1].
    Frames smaller than the flow net's stride are padded by edge replication and cropped back.
    """

    def __init__(self, networks, plan, height, width):
        self.networks, self.plan = networks, plan
        self.height, self.width = height, width
        self.pool = ThreadPoolExecutor(networks.lanes) if networks.lanes > 1 else None
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
        lr_frame, scale = padded_frame(frame), self.networks.scale
        flow_lr = None if self.history is None else self.flow_lr(self.history[0], lr_frame)
        output = np.empty((lr_frame.shape[0] * scale, lr_frame.shape[1] * scale, 3), np.float32)

        def run(tile):
            rows, columns = ((window.start, window.stop) for window in tile)
            if flow_lr is None:  # the reference starts from a zero previous output, not warped
                warped = np.zeros((scale * (rows[1] - rows[0]), scale * (columns[1] - columns[0]), 3),
                                  np.float32)
            else:
                warped = warp_previous_window(self.history[1], flow_lr, rows, columns)
            features = self.networks.run("trunk", lr_frame[window_slices(tile)], warped)
            origin = (rows[0], columns[0])
            for tail in self.plan.tail_tiles[tile]:
                part = self.networks.run("tail",
                                         features[(slice(None), ) + window_slices(tail, origin=origin)],
                                         lr_frame[window_slices(tail)])
                output[keep_slices(tail, scale, origin=(0, 0))] = part[keep_slices(tail, scale)]
        self._map(run, self.plan.tiles("trunk"))
        self.history = (lr_frame, output)
        return output[:self.height * scale, :self.width * scale]


class DeviceFrameRecurrence:
    """FrameRecurrence's step as one NNabla graph on the whole frame, for cuDNN: flow net, HR flow, warp of
    the previous output (NNabla's WarpByFlow, which warp_dense reproduces) and generator run where the
    context is, and the previous output and LR frame stay there between frames. Only the LR frame goes
    in and the SR frame comes out. Used when the memory budget holds every network on the whole frame.
    """

    def __init__(self, networks, num_resblock, height, width):
        self.height, self.width, self.scale = height, width, networks.scale
        rows, columns = max(height, FLOW_NET_STRIDE), max(width, FLOW_NET_STRIDE)
        self.lr_previous, self.lr_current = nn.Variable((1, rows, columns, 3)), nn.Variable(
            (1, rows, columns, 3))
        self.previous_output = nn.Variable((1, self.scale * rows, self.scale * columns, 3))
        with nn.parameter_scope("", networks.scope):
            with nn.parameter_scope(FLOW_SCOPE):
                flow_lr = flow_estimator(F.concatenate(self.lr_previous, self.lr_current, axis=3))
            # the flow net sees rows // 8 * 8 rows; its output is reflect-padded back, as in FrameRecurrence
            flow_lr = F.pad(flow_lr, (0, rows - flow_lr.shape[1], 0, columns - flow_lr.shape[2], 0, 0),
                            mode="reflect")
            warped = warp_by_flow(self.previous_output, flow_to_high_res(flow_lr, self.scale))
            with nn.parameter_scope(GENERATOR_SCOPE):
                features = generator_trunk(to_channel_first(generator_input(self.lr_current, warped)),
                                           num_resblock)
                self.output = to_channel_last(
                    generator_tail(features, to_channel_first(self.lr_current), self.scale))
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
        # float16 in half
        return self.output.d[0, :self.height * self.scale, :self.width * self.scale].astype(np.float32)


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
