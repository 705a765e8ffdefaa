"""Time generate.py's whole loop (flow net, warp, generator) with a random 16-block model, per CPU engine.

Two sizes: the 41 VID4 calendar LR frames (180x144 -> 720x576) and the first frames of bigbuckbunny.mp4
resized to 640x360. Engines: NNabla's CPU kernels, OpenVINO in float32 and in bfloat16 (where the CPU
has the instructions), and ONNX Runtime (the previous engine, run on the same exported files in the same
loop) as the baseline. Each run is its own process. Prints a table per size: seconds per frame,
frames/s, achieved GFLOP/s against numpy's float32 matrix-multiply rate (measured just before and just
after that run, so that both see the same load), peak memory and start-up time; then each engine's
speed over ONNX Runtime, and over the reference implementation's CPU figure when
../shared/reference/timing.json is present. --profile adds OpenVINO's time by operation type. The
machine's load is printed too: other processes on the same cores slow every figure.

    .venv/bin/python -m benchmarks.bench_generate [--engines nnabla "openvino fp32" ...] [--frames N]
        [--large-frames 6] [--frames-dir DIR] [--num_resblock 16] [--threads N] [--profile]
"""
from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

import glob
import os
import sys
import tempfile
import time
from collections import Counter

import numpy as np

from benchmarks.harness import (SHARED, child_failure, count, load_line, loop_seconds, reference_figures,
                                run_with_peak_memory, write_resized_frames)
from benchmarks.onnxruntime_baseline import OnnxRuntimeNetwork
from inference import new_parameters, scene_steps
from inference.onnx_export import OPENVINO_PRECISIONS, cpu_has_bfloat16, openvino_core
from models import MAX_RESBLOCKS
from utils.errors import exit_on_user_error
from utils.flags import MAX_THREADS, FlagParser, positive
from utils.frame_names import list_frames
from utils.image_io import read_rgb
from utils.ops import PAPER_SCALE as SCALE  # the random model is x4
from utils.paths import REPO_ROOT
from utils.weights import save_weights

CONV_TAPS = 9  # every convolution of the generator and the flow net is 3x3
MATMUL_SIZE = 2048


def conv_flops(in_channels, out_channels, pixels):
    return 2 * CONV_TAPS * in_channels * out_channels * pixels


def generator_flops(pixels, num_resblock):
    """Multiply-adds x 2 of one generator step on an LR frame of `pixels` pixels."""
    return (conv_flops(51, 64, pixels) + 2 * num_resblock * conv_flops(64, 64, pixels)
            # transposed convs (per input pixel)
            + conv_flops(64, 64, pixels) + conv_flops(64, 64, 4 * pixels)
            + conv_flops(64, 3, 16 * pixels))


def flow_net_flops(pixels):
    stages = [((6, 32), (32, 32), 1), ((32, 64), (64, 64), 4), ((64, 128), (128, 128), 16),
              ((128, 256), (256, 256), 64), ((256, 128), (128, 128), 16), ((128, 64), (64, 64), 4),
              ((64, 32), (32, 2), 1)]
    return sum(
        conv_flops(*first, pixels / area) + conv_flops(*second, pixels / area)
        for first, second, area in stages)


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


# name: (generate.py flags, how to run it)
ENGINES = {
    "nnabla": ["--backend", "nnabla"],
    "onnxruntime": ["--backend", "openvino"],
    "openvino fp32": ["--backend", "openvino"],
    "openvino bf16": ["--backend", "openvino", "--precision", "bf16"]
}
# this script, run as generate.py with the ONNX Runtime engine
ONNXRUNTIME_FLAG = "--generate-with-onnxruntime"


def time_engine(engine, weights, frames_dir, workdir, threads):
    """(seconds per recurrent step, start-up seconds, peak MiB) of one generate.py run."""
    script = ["-m", "benchmarks.bench_generate", ONNXRUNTIME_FLAG] if engine == "onnxruntime" else \
        [os.path.join(REPO_ROOT, "generate.py")]
    output_dir = os.path.join(workdir, "out_" + engine.replace(" ", "_"))
    command = [sys.executable, *script, "--model", weights, *ENGINES[engine], "--input-dir-lr", frames_dir,
               "--output-dir", output_dir, "--cache-dir", os.path.join(workdir, "onnx_cache")]
    if threads:
        command += ["--threads", str(threads)]
    started = time.perf_counter()
    code, stdout, stderr, peak_mib = run_with_peak_memory(command)
    wall_seconds = time.perf_counter() - started
    if code != 0:
        sys.exit(child_failure(f"generate.py ({engine})", code, stderr))
    loop = loop_seconds(stdout)
    return loop / scene_steps(len(list_frames(frames_dir))), wall_seconds - loop, peak_mib


def profile_lines(cache_dir, precision):
    """Per network exported in cache_dir: OpenVINO's time by operation type over one run (its profiler)."""
    lines = []
    for path in sorted(glob.glob(os.path.join(cache_dir, "*.onnx"))):
        compiled = openvino_core().compile_model(path, "CPU", {
            "PERF_COUNT": True,
            "INFERENCE_PRECISION_HINT": OPENVINO_PRECISIONS[precision]
        })
        request = compiled.create_infer_request()
        feeds = {port.get_any_name(): np.random.default_rng(0).random(list(port.shape), np.float32)
                 for port in compiled.inputs}
        request.infer(feeds)
        request.infer(feeds)
        by_type = Counter()
        for layer in request.profiling_info:
            by_type[layer.node_type] += layer.real_time.total_seconds()
        total = sum(by_type.values())
        shares = ", ".join(f"{node_type} {100 * seconds / total:.1f}%"
                           for node_type, seconds in by_type.most_common(5))
        lines.append(
            f"  {os.path.basename(path).rsplit('_', 1)[1][:-5]:>5} ({precision}, {1000 * total:.1f} ms): "
            f"{shares}")
    return lines


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


def benchmark_size(label, frames_dir, engines, weights, workdir, args):
    """Run every engine on one folder of frames and print its table rows."""
    height, width = read_rgb(list_frames(frames_dir)[0]).shape[:2]
    flops = generator_flops(height * width, args.num_resblock) + flow_net_flops(height * width)
    print(
        f"\n{label}: {len(list_frames(frames_dir))} frames of {width}x{height} -> "
        f"{SCALE * width}x{SCALE * height}, "
        f"{args.num_resblock} residual blocks, {os.cpu_count()} CPU cores; {flops / 1e9:.1f} GFLOP per frame")
    print("| engine | s per frame | frames/s | GFLOP/s | % of numpy matmul | peak MiB | start-up s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    results = {}
    for engine in engines:
        size_dir = os.path.join(workdir, f"{width}x{height}")
        os.makedirs(size_dir, exist_ok=True)
        rate_before = matmul_gflops()
        seconds, startup, peak_mib = time_engine(engine, weights, frames_dir, size_dir, args.threads)
        matmul_rate = (rate_before + matmul_gflops()) / 2  # measured around the run: both see the same load
        gflops = flops / seconds / 1e9
        results[engine] = seconds
        print(
            f"| {engine} | {seconds:.3f} | {1 / seconds:.2f} | {gflops:.0f} | "
            f"{100 * gflops / matmul_rate:.0f}% "
            f"(of {matmul_rate:.0f}) | {peak_mib:.0f} | {startup:.1f} |",
            flush=True)
    if "onnxruntime" in results:
        print("speed over ONNX Runtime (the previous engine): " + ", ".join(
            f"{engine} {results['onnxruntime'] / seconds:.2f}x" for engine, seconds in results.items()
            if engine != "onnxruntime"))
    if args.profile:
        for precision in ("fp32", "bf16") if "openvino bf16" in engines else ("fp32",):
            print("\n".join(profile_lines(os.path.join(workdir, f"{width}x{height}", "onnx_cache"),
                                          precision)))
    return results


def benchmark():
    parser = FlagParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines",
                        nargs="+",
                        choices=tuple(ENGINES),
                        help="default: all (bf16 where the CPU has it)")
    parser.add_argument("--frames-dir", default=os.path.join(SHARED, "data", "calendar_lr"))
    parser.add_argument("--frames",
                        type=count("--frames"),
                        help="use only the first N frames of --frames-dir (default: all)")
    parser.add_argument("--large-frames", type=count("--large-frames", zero=True), default=6,
                        help="frames of bigbuckbunny.mp4 at 640x360 (default 6; 0 skips that size)")
    parser.add_argument("--num_resblock", type=positive(int, "--num_resblock", most=MAX_RESBLOCKS), default=16)
    parser.add_argument("--threads", type=positive(int, "--threads", most=MAX_THREADS),
                        help="generate.py --threads (default: all cores)")
    parser.add_argument("--profile", action="store_true",
                        help="also print OpenVINO's time by operation type for each exported network")
    args = parser.parse_args()
    engines = args.engines or [engine for engine in ENGINES if cpu_has_bfloat16() or "bf16" not in engine]

    print(load_line() + " (before)")
    with tempfile.TemporaryDirectory() as workdir:
        weights = os.path.join(workdir, "random_model.h5")
        save_weights(weights, new_parameters(args.num_resblock))
        small = benchmark_size("VID4 calendar", first_frames(args.frames_dir, args.frames, workdir), engines,
                               weights, workdir, args)
        if args.large_frames:
            large_dir = os.path.join(workdir, "bigbuckbunny_640x360")
            write_resized_frames(large_dir, (640, 360), args.large_frames)
            benchmark_size("bigbuckbunny.mp4 resized", large_dir, engines, weights, workdir, args)
    reference = reference_figures("generate_calendar41_rb16",
                                  "s_per_frame_median (median over runs of per-iteration median)")
    if reference and args.num_resblock == 16 and not args.frames:
        print(f"\nreference implementation on CPU (calendar): {reference[0]:.2f} s per frame, "
              f"{reference[1]:.0f} MiB peak; speed-up over it: "
              + ", ".join(f"{engine} {reference[0] / seconds:.2f}x" for engine, seconds in small.items()))
    print(load_line() + " (after)")


def main():
    with exit_on_user_error():
        benchmark()


def generate_with_onnxruntime(argv):
    import generate
    import inference.backends

    inference.backends.CompiledNetwork = OnnxRuntimeNetwork
    generate.main(argv)


if __name__ == "__main__":
    if sys.argv[1:2] == [ONNXRUNTIME_FLAG]:
        generate_with_onnxruntime(sys.argv[2:])
    else:
        main()
