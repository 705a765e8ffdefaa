"""Time generate.py on the 41 VID4 calendar LR frames (180x144 -> 720x576) with a random 16-block model.

Prints seconds per frame, frames/s, achieved GFLOP/s and peak memory, and the speed-up over the
reference implementation's CPU figure when ../shared/reference/timing.json is present.

    .venv/bin/python benchmarks/bench_generate.py [--frames-dir DIR] [--num_resblock 16] [--threads N]
"""
import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)

from generate import FrameRecurrentSR, WARMUP_FRAMES  # noqa: E402
from utils.image_io import list_frames, read_rgb  # noqa: E402
from utils.weights import save_weights  # noqa: E402

SHARED = os.path.join(os.path.dirname(REPO_ROOT), "shared")
CONV_TAPS = 9  # every convolution of the generator and the flow net is 3x3


def conv_flops(in_channels, out_channels, pixels):
    return 2 * CONV_TAPS * in_channels * out_channels * pixels


def generator_flops(pixels, num_resblock):
    """Multiply-adds x 2 of one generator step on an LR frame of `pixels` pixels."""
    return (conv_flops(51, 64, pixels) + 2 * num_resblock * conv_flops(64, 64, pixels)
            + conv_flops(64, 64, pixels) + conv_flops(64, 64, 4 * pixels)  # transposed convs (per input pixel)
            + conv_flops(64, 3, 16 * pixels))


def flow_net_flops(pixels):
    stages = [((6, 32), (32, 32), 1), ((32, 64), (64, 64), 4), ((64, 128), (128, 128), 16),
              ((128, 256), (256, 256), 64), ((256, 128), (128, 128), 16), ((128, 64), (64, 64), 4),
              ((64, 32), (32, 2), 1)]
    return sum(conv_flops(*first, pixels / area) + conv_flops(*second, pixels / area) for first, second, area in stages)


def reference_seconds_per_frame():
    path = os.path.join(SHARED, "reference", "timing.json")
    if not os.path.isfile(path):
        return None
    with open(path) as timing:
        summary = json.load(timing)["generate_calendar41_rb16"]["summary"]
    return summary["s_per_frame_median (median over runs of per-iteration median)"], summary["peak_rss_mib_max"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames-dir", default=os.path.join(SHARED, "data", "calendar_lr"))
    parser.add_argument("--num_resblock", type=int, default=16)
    parser.add_argument("--threads", type=int, help="generate.py --threads (default: all cores)")
    args = parser.parse_args()

    frames = list_frames(args.frames_dir)
    height, width = read_rgb(frames[0]).shape[:2]
    with tempfile.TemporaryDirectory() as workdir:
        weights = os.path.join(workdir, "random_model.h5")
        save_weights(weights, FrameRecurrentSR(height, width, args.num_resblock).parameters())
        command = [sys.executable, os.path.join(REPO_ROOT, "generate.py"), "--model", weights,
                   "--input-dir-lr", args.frames_dir, "--output-dir", os.path.join(workdir, "out")]
        if args.threads:
            command += ["--threads", str(args.threads)]
        completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.exit(f"generate.py failed: {completed.stderr.strip().splitlines()[-1]}")
    loop_seconds = float(re.search(r"in ([\d.]+) s", completed.stdout).group(1))
    iterations = len(frames) + min(WARMUP_FRAMES, len(frames) - 1)
    seconds_per_iteration = loop_seconds / iterations
    flops = generator_flops(height * width, args.num_resblock) + flow_net_flops(height * width)
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    print(f"input: {len(frames)} frames of {width}x{height} -> {4 * width}x{4 * height}, "
          f"{args.num_resblock} residual blocks, {os.cpu_count()} CPU cores")
    print(f"seconds per frame (one recurrent step): {seconds_per_iteration:.2f}")
    print(f"frames/s: {1 / seconds_per_iteration:.3f}")
    print(f"GFLOP per frame: {flops / 1e9:.1f}, achieved GFLOP/s: {flops / seconds_per_iteration / 1e9:.1f}")
    print(f"peak memory: {peak_mib:.0f} MiB")
    reference = reference_seconds_per_frame()
    if reference and args.num_resblock == 16 and (width, height) == (180, 144):
        print(f"reference implementation on CPU: {reference[0]:.2f} s per frame, {reference[1]:.0f} MiB peak; "
              f"speed-up {reference[0] / seconds_per_iteration:.2f}x")


if __name__ == "__main__":
    main()
