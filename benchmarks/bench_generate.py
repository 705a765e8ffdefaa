"""Time generate.py on the 41 VID4 calendar LR frames (180x144 -> 720x576) with a random 16-block model.

Runs each backend in its own process and prints seconds per frame, frames/s, achieved GFLOP/s
against numpy's float32 matrix-multiply rate (measured just before and just after that backend's
run, so that both see the same load), and peak memory; then the ratio of the backends, and the
speed-up over the reference implementation's CPU figure when ../shared/reference/timing.json is
present. The machine's load is printed too: other processes on the same cores slow every figure.

    .venv/bin/python benchmarks/bench_generate.py [--backend both|nnabla|onnxruntime] [--frames N]
        [--frames-dir DIR] [--num_resblock 16] [--threads N]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)

from inference import WARMUP_FRAMES, new_parameters  # noqa: E402
from utils.image_io import list_frames, read_rgb  # noqa: E402
from utils.weights import save_weights  # noqa: E402

SHARED = os.path.join(os.path.dirname(REPO_ROOT), "shared")
CONV_TAPS = 9  # every convolution of the generator and the flow net is 3x3
MATMUL_SIZE = 2048


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


def matmul_gflops(repeats=10):
    """Median GFLOP/s of numpy's float32 (MATMUL_SIZE x MATMUL_SIZE) matrix product on all cores."""
    left = np.random.default_rng(0).random((MATMUL_SIZE, MATMUL_SIZE), np.float32)
    right = left.T.copy()
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        left @ right
        seconds.append(time.perf_counter() - started)
    return 2 * MATMUL_SIZE ** 3 / np.median(seconds) / 1e9


def reference_seconds_per_frame():
    path = os.path.join(SHARED, "reference", "timing.json")
    if not os.path.isfile(path):
        return None
    with open(path) as timing:
        summary = json.load(timing)["generate_calendar41_rb16"]["summary"]
    return summary["s_per_frame_median (median over runs of per-iteration median)"], summary["peak_rss_mib_max"]


def run_with_peak_memory(command):
    """Run a command; return (exit code, stdout, stderr, peak resident memory of that process in MiB)."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage, not the maximum over all children
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        return process.returncode, stdout.read().decode(), stderr.read().decode(), usage.ru_maxrss / 1024


def time_backend(backend, weights, frames_dir, workdir, threads):
    """(seconds per recurrent step, start-up seconds, peak MiB) of one generate.py run."""
    command = [sys.executable, os.path.join(REPO_ROOT, "generate.py"), "--model", weights, "--backend", backend,
               "--input-dir-lr", frames_dir, "--output-dir", os.path.join(workdir, f"out_{backend}"),
               "--cache-dir", os.path.join(workdir, "onnx_cache")]
    if threads:
        command += ["--threads", str(threads)]
    started = time.perf_counter()
    code, stdout, stderr, peak_mib = run_with_peak_memory(command)
    wall_seconds = time.perf_counter() - started
    if code != 0:
        sys.exit(f"generate.py --backend {backend} failed: {stderr.strip().splitlines()[-1]}")
    loop_seconds = float(re.search(r"in ([\d.]+) s", stdout).group(1))
    frame_count = len(list_frames(frames_dir))
    iterations = frame_count + min(WARMUP_FRAMES, frame_count - 1)
    return loop_seconds / iterations, wall_seconds - loop_seconds, peak_mib


def first_frames(frames_dir, count, workdir):
    """A folder of links to the first `count` frames (all of them when count is None)."""
    paths = list_frames(frames_dir)
    if count is None or count >= len(paths):
        return frames_dir
    subset = os.path.join(workdir, "frames")
    os.makedirs(subset)
    for path in paths[:count]:
        os.symlink(os.path.abspath(path), os.path.join(subset, os.path.basename(path)))
    return subset


def load_line():
    return "load average (1, 5, 15 min): " + ", ".join(f"{load:.2f}" for load in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="both", choices=("both", "nnabla", "onnxruntime"))
    parser.add_argument("--frames-dir", default=os.path.join(SHARED, "data", "calendar_lr"))
    parser.add_argument("--frames", type=int, help="use only the first N frames (default: all)")
    parser.add_argument("--num_resblock", type=int, default=16)
    parser.add_argument("--threads", type=int, help="generate.py --threads (default: all cores)")
    args = parser.parse_args()
    backends = ("onnxruntime", "nnabla") if args.backend == "both" else (args.backend,)

    print(load_line() + " (before)")
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        frames_dir = first_frames(args.frames_dir, args.frames, workdir)
        frame_count = len(list_frames(frames_dir))
        height, width = read_rgb(list_frames(frames_dir)[0]).shape[:2]
        weights = os.path.join(workdir, "random_model.h5")
        save_weights(weights, new_parameters(args.num_resblock))
        for backend in backends:
            rate_before = matmul_gflops()
            timing = time_backend(backend, weights, frames_dir, workdir, args.threads)
            results[backend] = timing + ((rate_before + matmul_gflops()) / 2,)
    flops = generator_flops(height * width, args.num_resblock) + flow_net_flops(height * width)

    print(f"input: {frame_count} frames of {width}x{height} -> {4 * width}x{4 * height}, "
          f"{args.num_resblock} residual blocks, {os.cpu_count()} CPU cores; {flops / 1e9:.1f} GFLOP per frame")
    for backend, (seconds, startup, peak_mib, matmul_rate) in results.items():
        gflops = flops / seconds / 1e9
        print(f"{backend:>11}: {seconds:.3f} s per frame, {1 / seconds:.2f} frames/s, {gflops:.0f} GFLOP/s = "
              f"{100 * gflops / matmul_rate:.0f}% of numpy's float32 matmul ({MATMUL_SIZE}^3: {matmul_rate:.0f} "
              f"GFLOP/s around this run), peak memory {peak_mib:.0f} MiB, start-up {startup:.1f} s")
    if len(results) == 2:
        print(f"onnxruntime / nnabla frames/s: {results['nnabla'][0] / results['onnxruntime'][0]:.2f}x")
    reference = reference_seconds_per_frame()
    if reference and args.num_resblock == 16 and (width, height) == (180, 144):
        print(f"reference implementation on CPU: {reference[0]:.2f} s per frame, {reference[1]:.0f} MiB peak")
        for backend, (seconds, *_) in results.items():
            print(f"{backend:>11}: speed-up over the reference {reference[0] / seconds:.2f}x")
    print(load_line() + " (after)")


if __name__ == "__main__":
    main()
