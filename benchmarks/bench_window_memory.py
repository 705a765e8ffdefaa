"""Peak memory of one window of each network, per LR pixel of the window, for x4 and x2 models: what the tile
planner's BYTES_PER_PIXEL (inference/tiles.py) must bound, for each backend; and NNabla's process before any window,
what its PROCESS_BYTES must hold.

Each figure is the growth of the resident memory from compiling one network (exported to ONNX from a random
model, 10 blocks unless --blocks) to after its first run, in a process of its own that builds no NNabla graph, with
OpenVINO (fp32, on every core) and ONNX Runtime; with NNabla (CPU, float32), from building the network's graph (its
parameters made before) to the peak of its first forward pass, in a process of its own.
Prints KB per LR pixel at each window side, and the planner's figure of that backend beside the largest; then
the peak resident memory of generate.py with --backend nnabla on two 16x16 frames (the x4 and x2 bundled models),
beside the planner's figure for the process and those frames.

    .venv/bin/python -m benchmarks.bench_window_memory [--sides 132 196 260] [--networks tail] [--scales 2 4]
        [--runtimes nnabla] [--blocks 16]
"""
from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

from benchmarks.harness import child_failure, count, load_line, run_with_peak_memory, write_resized_frames
from inference.tiles import BYTES_PER_PIXEL, TilePlan
from utils.errors import exit_on_user_error
from utils.flags import FlagParser
from utils.paths import BUNDLED_MODEL, BUNDLED_X2_MODEL, REPO_ROOT

# the runtimes measured, and the backend whose figures the tile planner takes for each
RUNTIMES = {"openvino": "openvino", "onnxruntime": "openvino", "nnabla": "nnabla"}
NETWORKS = ("flow", "trunk", "tail")
SCALES = (4, 2)


def resident_bytes():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS"))


def export(network, scale, side, folder, blocks=10):
    """(path of the ONNX file of one window of network, {input name: shape}) from a random model of `blocks`
    blocks."""
    from inference.backends import FEATURES, NETWORK_IO, NnablaNetworks
    shapes = {name: (side, side) if name == network else (8, 8) for name in NETWORK_IO}
    networks = NnablaNetworks(shapes, blocks, scale=scale)
    random = np.random.RandomState(0)
    for parameter in networks.parameters().values():
        parameter.d = random.randn(*parameter.shape).astype(np.float32) * 0.01
    path = os.path.join(folder, f"{network}_x{scale}_{side}.onnx")
    with open(path, "wb") as file:
        file.write(networks.export()[network])
    input_shapes = {"lr_previous": (side, side, 3), "lr_current": (side, side, 3), "lr_frame": (side, side, 3),
                    "warped_previous": (scale * side, scale * side, 3), "features": (FEATURES, side, side),
                    "lr_window": (side, side, 3)}
    return path, {name: (1, *input_shapes[name]) for name in NETWORK_IO[network][0]}


def measure(path, input_shapes, runtime):
    """Growth of this process's resident memory from compiling the ONNX file to after its first run, in
    bytes (run in a process of its own, which loads no NNabla graph)."""
    from inference.onnx_export import CompiledNetwork
    feeds = {name: np.random.rand(*shape).astype(np.float32) for name, shape in input_shapes.items()}
    if runtime == "onnxruntime":
        import onnxruntime
    before = resident_bytes()
    if runtime == "openvino":
        compiled = CompiledNetwork(path, os.cpu_count(), "fp32")
        compiled(feeds)
    else:
        compiled = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        compiled.run(None, feeds)
    return resident_bytes() - before  # while the compiled network and its buffers are alive


def reset_peak():
    """The resident memory now, from which this process's peak (VmHWM) counts again."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    return resident_bytes()


def peak_bytes():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM"))


def measure_nnabla(network, scale, side, blocks):
    """Growth of this process's peak resident memory from building NNabla's graph of one window of network (side x
    side LR pixels; the parameters, of a random model of `blocks` blocks, made before) to after its first forward
    pass on the CPU, in float32, in bytes (run in a process of its own)."""
    from inference.backends import NETWORK_IO, NnablaNetworks
    from utils.context import use_context
    use_context("cpu")
    networks = NnablaNetworks({name: (8, 8) for name in NETWORK_IO}, blocks, scale=scale)  # the parameters
    random = np.random.RandomState(0)
    for parameter in networks.parameters().values():
        parameter.d = random.randn(*parameter.shape).astype(np.float32) * 0.01
    before = reset_peak()
    shapes = {name: (side, side) if name == network else (8, 8) for name in NETWORK_IO}
    inputs, output = networks._build(shapes, blocks)[network]  # another copy of the graphs, as lanes are made
    for variable in inputs:
        variable.d = random.rand(*variable.shape)
    output.forward(clear_buffer=True)  # as NnablaNetworks.run computes a window
    output.d.astype(np.float32)
    return peak_bytes() - before


def process_base(folder):
    """{scale: (peak resident bytes, the planner's frame_bytes)} of generate.py with --backend nnabla and one thread on
    two 16x16 frames with the bundled model of that scale: NNabla's process before any sizeable window."""
    frames_dir = os.path.join(folder, "frames_16x16")
    write_resized_frames(frames_dir, (16, 16), 2)
    bases = {}
    for scale, model in ((4, BUNDLED_MODEL), (2, BUNDLED_X2_MODEL)):
        command = [sys.executable, os.path.join(REPO_ROOT, "generate.py"), "--model", model, "--input-dir-lr",
                   frames_dir, "--output-dir", os.path.join(folder, f"out_x{scale}"), "--backend", "nnabla",
                   "--context", "cpu", "--threads", "1"]
        code, _, stderr, peak_mib = run_with_peak_memory(command)
        if code != 0:
            sys.exit(child_failure("generate.py on 16x16 frames", code, stderr))
        bases[scale] = (peak_mib * 2 ** 20, TilePlan(16, 16, 16, tile=16, scale=scale, backend="nnabla").frame_bytes())
    return bases


def benchmark():
    parser = FlagParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sides", type=count("--sides"), nargs="+", default=[132, 196, 260])
    parser.add_argument("--networks", nargs="+", choices=NETWORKS, default=list(NETWORKS))
    parser.add_argument("--scales", type=int, nargs="+", choices=SCALES, default=[4, 2])
    parser.add_argument("--runtimes", nargs="+", choices=tuple(RUNTIMES), default=list(RUNTIMES))
    parser.add_argument("--blocks", type=count("--blocks"), default=10, help="residual blocks of the random model")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)  # ONNX path, input shapes (JSON), runtime
    parser.add_argument("--nnabla-child", nargs=4, help=argparse.SUPPRESS)  # network, scale, side, blocks
    args = parser.parse_args()
    if args.child:
        path, input_shapes, runtime = args.child
        print(measure(path, json.loads(input_shapes), runtime))
        return
    if args.nnabla_child:
        network, scale, side, blocks = args.nnabla_child
        print(measure_nnabla(network, int(scale), int(side), int(blocks)))
        return
    print(load_line())
    print(f"random {args.blocks}-block models")
    print(f"{'network':>8} {'scale':>5} {'runtime':>12} " + " ".join(f"{side:>7}" for side in args.sides)
          + "   planner (KB per LR pixel)")
    onnx = [runtime for runtime in args.runtimes if runtime != "nnabla"]
    with tempfile.TemporaryDirectory() as folder:
        for network in args.networks:
            for scale in args.scales:
                exports = [export(network, scale, side, folder, args.blocks) for side in args.sides] if onnx else []
                for runtime in args.runtimes:
                    figures = []
                    for index, side in enumerate(args.sides):
                        child = (["--nnabla-child", network, str(scale), str(side), str(args.blocks)]
                                 if runtime == "nnabla" else
                                 ["--child", exports[index][0], json.dumps(exports[index][1]), runtime])
                        completed = subprocess.run([sys.executable, "-m", "benchmarks.bench_window_memory", *child],
                                                   cwd=REPO_ROOT, capture_output=True, text=True)
                        figures.append(f"{float(completed.stdout.split()[-1]) / 1000 / side ** 2:7.1f}"
                                       if completed.returncode == 0 else "  error")
                    planned = BYTES_PER_PIXEL[RUNTIMES[runtime]][scale][network]
                    print(f"{network:>8} {'x' + str(scale):>5} {runtime:>12} " + " ".join(figures)
                          + f"   {planned / 1000:.1f}", flush=True)
        if "nnabla" in args.runtimes:
            for scale, (peak, planned) in process_base(folder).items():
                print(f"NNabla's process, generate.py on two 16x16 frames, x{scale} bundled model: peak "
                      f"{peak / 2 ** 20:.0f} MiB; the planner's process and frames: {planned / 2 ** 20:.0f} MiB")
    print(load_line())


def main():
    with exit_on_user_error():
        benchmark()


if __name__ == "__main__":
    main()
