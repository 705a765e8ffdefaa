"""Super-resolve a folder of LR frames (or a video file) by 4x with a TecoGAN or FRVSR model.

    python generate.py --model tecogan_model.h5 --input-dir-lr LR/calendar --output-dir results/calendar

Two backends run the networks of models.py: NNabla (with cuDNN on a GPU), and on a CPU ONNX Runtime,
which runs the same NNabla graphs exported to ONNX, on every core instead of NNabla's one.
"""
import logging

logging.getLogger("nnabla").setLevel(logging.WARNING)  # before nnabla's import logs its start-up

import argparse
import itertools
import os
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import nnabla as nn
import nnabla.functions as F
from tqdm import tqdm

from models import FLOW_SCOPE, GENERATOR_SCOPE, flow_estimator, flow_to_high_res, generator
from utils.context import CONTEXT_CHOICES, use_context
from utils.errors import UserError, exit_on_user_error
from utils.image_io import (VideoReader, WriteBehind, list_frames, open_video_writer, read_ahead, read_rgb, to_uint8,
                            write_rgb)
from utils.onnx_backend import (cache_stem, cached_models, default_cache_dir, export_onnx, onnxruntime_available,
                                open_session, warp_dense)
from utils.ops import SCALE, space_to_depth, warp_by_flow
from utils.weights import assign_weights, count_resblocks, parameters_under, read_weight_file

WARMUP_FRAMES = 5  # frames 6..2 are run first, mirrored, so that frame 1 already has a history
FLOW_NET_STRIDE = 8  # the flow estimator pools three times by 2
BACKEND_CHOICES = ("auto", "nnabla", "onnxruntime")
ONNX_NETWORKS = ("flow", "generator")


def generator_halo(num_resblock):
    """LR rows beyond which a generator output row cannot see: one per 3x3 LR convolution
    (input stage and two per residual block), plus two for the upsampling stages."""
    return 2 * num_resblock + 3


def plan_strips(height, halo, max_parts):
    """Split the LR rows into horizontal strips computed in parallel, each with halo context rows.

    Returns [(start, stop, keep_start, keep_stop)]: the strip computes rows start..stop and keeps
    keep_start..keep_stop. The number of strips minimises the rows of the largest strip.
    """
    def strips(parts):
        bounds = [round(height * index / parts) for index in range(parts + 1)]
        return [(max(0, keep_start - halo), min(height, keep_stop + halo), keep_start, keep_stop)
                for keep_start, keep_stop in zip(bounds[:-1], bounds[1:])]
    candidates = [strips(parts) for parts in range(1, max(1, max_parts) + 1)]
    return min(candidates, key=lambda plan: max(stop - start for start, stop, _, _ in plan))


class GeneratorStrip:
    """The generator on LR rows start..stop of a frame, with the previous output warped."""

    def __init__(self, strip, width, num_resblock, scope):
        self.start, self.stop, self.keep_start, self.keep_stop = strip
        rows = self.stop - self.start
        self.lr_frame = nn.Variable((1, rows, width, 3))
        self.warped_previous = nn.Variable((1, rows * SCALE, width * SCALE, 3))
        with nn.parameter_scope("", scope), nn.parameter_scope(GENERATOR_SCOPE):
            generator_input = F.concatenate(self.lr_frame, space_to_depth(self.warped_previous), axis=3)
            self.output = (generator(generator_input, num_resblock) + 1) / 2

    def run(self, lr_frame, warped_previous):
        """lr_frame (H, W, 3) and warped_previous (4H, 4W, 3) of the whole frame -> kept output rows."""
        self.lr_frame.d = lr_frame[None, self.start:self.stop]
        self.warped_previous.d = warped_previous[None, self.start * SCALE:self.stop * SCALE]
        self.output.forward(clear_buffer=True)
        keep = slice((self.keep_start - self.start) * SCALE, (self.keep_stop - self.start) * SCALE)
        return self.output.d[0, keep]


class FrameRecurrence:
    """The reference's inference loop: warp the previous output onto the current frame, run the generator.

    Frames are (H, W, 3) RGB float32 in [0, 1]; outputs are (4H, 4W, 3), unclipped, in about [0, 1].
    Frames smaller than the flow net's stride are padded by edge replication and cropped back.
    A backend implements warp_previous and generate on the padded frames.
    """

    def __init__(self, height, width):
        self.height, self.width = height, width
        self.padded_shape = (max(height, FLOW_NET_STRIDE), max(width, FLOW_NET_STRIDE))
        self.reset()

    def reset(self):
        """Start a new sequence: no previous frame, no previous output."""
        self.history = None  # (previous padded LR frame, its padded output)

    def warp_previous(self, lr_previous, lr_current, previous_output):
        """previous_output (4H, 4W, 3) warped by the flow the flow net finds from (previous, current) LR frames."""
        raise NotImplementedError

    def generate(self, lr_frame, warped_previous):
        """lr_frame (H, W, 3) and warped_previous (4H, 4W, 3) -> output (4H, 4W, 3)."""
        raise NotImplementedError

    def step(self, frame):
        """Super-resolve the next frame of the sequence."""
        pad_h, pad_w = self.padded_shape[0] - frame.shape[0], self.padded_shape[1] - frame.shape[1]
        lr_frame = np.pad(frame, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge") if pad_h or pad_w else frame
        lr_frame = np.ascontiguousarray(lr_frame, np.float32)
        if self.history is None:  # the reference starts from a zero previous output, not warped
            warped_previous = np.zeros((lr_frame.shape[0] * SCALE, lr_frame.shape[1] * SCALE, 3), np.float32)
        else:
            lr_previous, previous_output = self.history
            warped_previous = self.warp_previous(lr_previous, lr_frame, previous_output)
        output = self.generate(lr_frame, warped_previous)
        self.history = (lr_frame, output)
        return output[:self.height * SCALE, :self.width * SCALE]


class FrameRecurrentSR(FrameRecurrence):
    """The NNabla inference graph of the reference: the flow net, the warp and the generator.

    NNabla's CPU kernels use one core, so on CPU the generator runs as horizontal strips (with
    enough overlap that every kept row is exact) in parallel threads; NNabla releases the GIL.
    """

    def __init__(self, height, width, num_resblock, threads=1):
        super().__init__(height, width)
        padded_h, padded_w = self.padded_shape
        self.scope = OrderedDict()
        self.lr_current = nn.Variable((1, padded_h, padded_w, 3))
        self.lr_previous = nn.Variable((1, padded_h, padded_w, 3))
        self.previous_output = nn.Variable((1, padded_h * SCALE, padded_w * SCALE, 3))
        self.strips = [GeneratorStrip(strip, padded_w, num_resblock, self.scope)
                       for strip in plan_strips(padded_h, generator_halo(num_resblock), threads)]
        with nn.parameter_scope("", self.scope), nn.parameter_scope(FLOW_SCOPE):
            flow_lr = flow_estimator(F.concatenate(self.lr_previous, self.lr_current, axis=3))
        # The flow net sees H//8*8 rows; the reference reflect-pads the flow back to the frame size.
        flow_lr = F.pad(flow_lr, (0, padded_h - flow_lr.shape[1], 0, padded_w - flow_lr.shape[2], 0, 0),
                        mode="reflect")
        self.flow_hr = flow_to_high_res(flow_lr)
        self.warped = warp_by_flow(self.previous_output, self.flow_hr)
        self.pool = ThreadPoolExecutor(len(self.strips)) if len(self.strips) > 1 else None

    def parameters(self):
        with nn.parameter_scope("", self.scope):
            return parameters_under("")

    def load(self, path, file_arrays=None):
        assign_weights(self.parameters(), file_arrays or read_weight_file(path), path)

    def warp_previous(self, lr_previous, lr_current, previous_output):
        self.lr_previous.d, self.lr_current.d = lr_previous[None], lr_current[None]
        self.previous_output.d = previous_output[None]
        self.warped.forward(clear_buffer=True)
        return self.warped.d[0]

    def generate(self, lr_frame, warped_previous):
        if self.pool:
            parts = list(self.pool.map(lambda strip: strip.run(lr_frame, warped_previous), self.strips))
        else:
            parts = [strip.run(lr_frame, warped_previous) for strip in self.strips]
        return np.concatenate(parts, axis=0)


def export_networks(height, width, num_resblock, file_arrays, source):
    """{"flow", "generator"}: FrameRecurrentSR's flow graph (LR frames to HR flow) and generator graph,
    with the weights loaded, as ONNX models."""
    model = FrameRecurrentSR(height, width, num_resblock)
    model.load(source, file_arrays)
    whole_frame, = model.strips
    parameters = model.parameters()
    return {"flow": export_onnx({"flow_hr": model.flow_hr},
                                {"lr_previous": model.lr_previous, "lr_current": model.lr_current}, parameters),
            "generator": export_onnx({"output": whole_frame.output},
                                     {"lr_frame": whole_frame.lr_frame, "warped_previous": whole_frame.warped_previous},
                                     parameters)}


class OnnxFrameRecurrentSR(FrameRecurrence):
    """FrameRecurrentSR's graphs exported to ONNX and run by ONNX Runtime on `threads` CPU cores.

    The exports are cached in cache_dir, keyed by the weights' content, the block count, the frame
    size and the code of the graphs. The warp runs in numpy, with NNabla's arithmetic (warp_dense).
    """

    def __init__(self, height, width, num_resblock, file_arrays, source, cache_dir, threads):
        super().__init__(height, width)
        padded_h, padded_w = self.padded_shape
        stem = cache_stem(file_arrays, num_resblock, padded_h, padded_w)
        paths = cached_models(cache_dir, stem, ONNX_NETWORKS,
                              lambda: export_networks(padded_h, padded_w, num_resblock, file_arrays, source))
        self.flow_net, self.generator = (open_session(paths[name], threads) for name in ONNX_NETWORKS)

    def warp_previous(self, lr_previous, lr_current, previous_output):
        flow_hr, = self.flow_net.run(None, {"lr_previous": lr_previous[None], "lr_current": lr_current[None]})
        return warp_dense(previous_output, flow_hr[0])

    def generate(self, lr_frame, warped_previous):
        output, = self.generator.run(None, {"lr_frame": lr_frame[None], "warped_previous": warped_previous[None]})
        return output[0]


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


def super_resolve(model, named_frames):
    """Yield (name, SR frame) for every frame of one sequence, after the mirrored warm-up."""
    model.reset()
    for name, frame, keep in with_warmup(named_frames):
        output = model.step(frame)
        if keep:
            yield name, output


def frames_from_folder(folder):
    """(name stem, frame) pairs of a folder, checked up front: readable and all of one size."""
    paths = list_frames(folder)
    first_shape = None
    for path in paths:
        shape = read_rgb(path).shape
        first_shape = first_shape or shape
        if shape != first_shape:
            raise UserError(f"frame '{path}' is {shape[1]}x{shape[0]} but '{paths[0]}' is "
                            f"{first_shape[1]}x{first_shape[0]}; all frames of a sequence must have one size")
    stems = [os.path.splitext(os.path.basename(path))[0] for path in paths]
    return first_shape, len(paths), ((stem, read_rgb(path)) for stem, path in zip(stems, paths))


def frames_from_video(path):
    reader = VideoReader(path)
    frames = iter(reader)
    first = next(frames, None)
    if first is None:
        raise UserError(f"video '{path}' has no frames")
    stem = os.path.splitext(os.path.basename(path))[0]
    named = ((f"{stem}_{index:04d}", frame) for index, frame in enumerate(itertools.chain([first], frames), 1))
    return first.shape, reader.frame_count, named, reader.fps


def resolve_num_resblock(requested, file_arrays, path):
    if requested is not None:
        return requested
    blocks = count_resblocks(file_arrays)
    if blocks == 0:
        raise UserError(f"weights file '{path}' has no generator residual blocks: it is not a TecoGAN/FRVSR "
                        "generator; pass tecogan_model.h5, frvsr_model.h5 or a train.py model_param file")
    return blocks


def prepare_output_dir(folder):
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise UserError(f"cannot create output folder '{folder}' ({error.strerror}); choose another --output-dir")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"output folder '{folder}' is not writable; choose another --output-dir")


def choose_backend(backend, context):
    """(backend, NNabla context). auto: NNabla with cuDNN on a GPU, else ONNX Runtime when it is
    installed, else NNabla on the CPU. The ONNX export builds the NNabla graphs on the CPU."""
    if backend == "onnxruntime":
        if not onnxruntime_available():
            raise UserError("--backend onnxruntime needs the packages onnxruntime, onnx and nnabla_converter; "
                            "install them as README.md says, or use --backend nnabla")
        if context == "cudnn":
            raise UserError("--backend onnxruntime runs on the CPU; drop --context cudnn or use --backend nnabla")
        return backend, use_context("cpu")
    context = use_context(context)
    if backend == "auto":
        backend = "onnxruntime" if context == "cpu" and onnxruntime_available() else "nnabla"
    return backend, context


def build_model(backend, context, shape, num_resblock, file_arrays, args):
    threads = args.threads or (os.cpu_count() if context == "cpu" else 1)
    if backend == "onnxruntime":
        return OnnxFrameRecurrentSR(shape[0], shape[1], num_resblock, file_arrays, args.model,
                                    args.cache_dir or default_cache_dir(), threads)
    model = FrameRecurrentSR(shape[0], shape[1], num_resblock, threads)
    model.load(args.model, file_arrays)
    return model


def save_frame(path, output, truncate, video):
    write_rgb(path, output, truncate)
    if video:
        video.write(to_uint8(output, truncate))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="TecoGAN / FRVSR 4x video super-resolution")
    parser.add_argument("--model", required=True, help="NNabla weights (.h5): tecogan_model.h5, "
                        "frvsr_model.h5 or a train.py model_param_*.h5")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--input-dir-lr", help="folder of LR frames (png/jpg), sorted by the number in their name")
    source.add_argument("--input-video", help="video file to read the LR frames from")
    parser.add_argument("--output-dir", help="where to write the SR frames (default results/<input name>)")
    parser.add_argument("--output-name", default="output", help="prefix of the output file names")
    parser.add_argument("--output-ext", default="png", choices=("png", "jpg"), help="format of the output frames")
    parser.add_argument("--output-video", help="also write the SR frames as this .mp4 file (H.264 through ffmpeg, "
                        "with the input video's audio)")
    parser.add_argument("--fps", type=float, help="frame rate of --output-video (default: the input video's, else 24)")
    parser.add_argument("--num_resblock", type=int, help="generator residual blocks (default: read from --model)")
    parser.add_argument("--backend", default="auto", choices=BACKEND_CHOICES,
                        help="auto: NNabla on a GPU, ONNX Runtime on a CPU when installed, else NNabla")
    parser.add_argument("--context", default="auto", choices=CONTEXT_CHOICES,
                        help="NNabla's context; auto: cudnn when nnabla-ext-cuda and a GPU are present, else cpu")
    parser.add_argument("--cache-dir", help=f"where ONNX exports are kept (default {default_cache_dir()})")
    parser.add_argument("--threads", type=int, help="CPU threads of ONNX Runtime, or of NNabla's parallel generator "
                        "strips (default: all cores on cpu)")
    parser.add_argument("--truncate", action="store_true",
                        help="write PNGs by truncation like the reference (default: rounding)")
    args = parser.parse_args(argv)
    if args.num_resblock is not None and args.num_resblock < 1:
        raise UserError(f"--num_resblock must be at least 1, got {args.num_resblock}")
    if args.threads is not None and args.threads < 1:
        raise UserError(f"--threads must be at least 1, got {args.threads}")
    if args.fps is not None and args.fps <= 0:
        raise UserError(f"--fps must be positive, got {args.fps}")
    return args


def run(args):
    backend, context = choose_backend(args.backend, args.context)
    file_arrays = read_weight_file(args.model)
    num_resblock = resolve_num_resblock(args.num_resblock, file_arrays, args.model)
    if args.input_video:
        shape, frame_count, named_frames, fps = frames_from_video(args.input_video)
    else:
        shape, frame_count, named_frames = frames_from_folder(args.input_dir_lr)
        fps = 24.0
    source_name = os.path.splitext(os.path.basename(os.path.normpath(args.input_video or args.input_dir_lr)))[0]
    output_dir = args.output_dir or os.path.join("results", source_name)
    prepare_output_dir(output_dir)
    model = build_model(backend, context, shape, num_resblock, file_arrays, args)

    video = None
    if args.output_video:
        video = open_video_writer(args.output_video, args.fps or fps, shape[1] * SCALE, shape[0] * SCALE,
                                  audio_source=args.input_video)
    started = time.perf_counter()
    # A stream: the next frames are decoded and the previous ones written while a frame computes.
    progress = tqdm(super_resolve(model, read_ahead(named_frames)), total=frame_count or None, unit="frame",
                    desc=f"{num_resblock} blocks, {backend} on {context}")
    try:
        with WriteBehind() as writer:
            for name, output in progress:
                path = os.path.join(output_dir, f"{args.output_name}_{name}.{args.output_ext}")
                writer.submit(save_frame, path, output, args.truncate, video)
    except BaseException:
        if video:
            video.abort()
        raise
    if video:
        video.close()
    seconds = time.perf_counter() - started
    print(f"wrote {progress.n} frames to {output_dir}" + (f" and {args.output_video}" if video else "")
          + f" in {seconds:.1f} s ({seconds / max(progress.n, 1):.2f} s per frame, warm-up included)")


def main(argv=None):
    with exit_on_user_error():
        run(parse_args(argv))


if __name__ == "__main__":
    main()
