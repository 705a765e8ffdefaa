"""Peak memory of one window of each network, per LR pixel of the window, for x4 and x2 models: what the tile
planner's BYTES_PER_PIXEL (inference/tiles.py) must bound.

Each figure is the growth of the resident memory from compiling one network (exported to ONNX from a random
10-block model) to after its first run, in a process of its own that builds no NNabla graph, with OpenVINO
(fp32, on every core) and ONNX Runtime.
Prints KB per LR pixel at each window side, and the planner's figure beside the largest.

    .venv/bin/python -m benchmarks.bench_window_memory [--sides 132 196 260] [--networks tail] [--scales 2 4]
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

from benchmarks.harness import count, load_line
from inference.tiles import BYTES_PER_PIXEL
from utils.errors import exit_on_user_error
from utils.flags import FlagParser
from utils.paths import REPO_ROOT

RUNTIMES = ("openvino", "onnxruntime")


def resident_bytes():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS"))


def export(network, scale, side, folder):
    """(path of the ONNX file of one window of network, {input name: shape}) from a random 10-block model."""
    from inference.backends import FEATURES, NETWORK_IO, NnablaNetworks
    shapes = {name: (side, side) if name == network else (8, 8) for name in NETWORK_IO}
    networks = NnablaNetworks(shapes, 10, scale=scale)
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


def benchmark():
    parser = FlagParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sides", type=count("--sides"), nargs="+", default=[132, 196, 260])
    parser.add_argument("--networks", nargs="+", choices=tuple(BYTES_PER_PIXEL[4]), default=["flow", "trunk", "tail"])
    parser.add_argument("--scales", type=int, nargs="+", choices=tuple(BYTES_PER_PIXEL), default=[4, 2])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)  # ONNX path, input shapes (JSON), runtime
    args = parser.parse_args()
    if args.child:
        path, input_shapes, runtime = args.child
        print(measure(path, json.loads(input_shapes), runtime))
        return
    print(load_line())
    print(f"{'network':>8} {'scale':>5} {'runtime':>12} " + " ".join(f"{side:>7}" for side in args.sides)
          + "   planner (KB per LR pixel)")
    with tempfile.TemporaryDirectory() as folder:
        for network in args.networks:
            for scale in args.scales:
                exports = [export(network, scale, side, folder) for side in args.sides]
                for runtime in RUNTIMES:
                    figures = []
                    for side, (path, input_shapes) in zip(args.sides, exports):
                        completed = subprocess.run(
                            [sys.executable, "-m", "benchmarks.bench_window_memory", "--child", path,
                             json.dumps(input_shapes), runtime], cwd=REPO_ROOT, capture_output=True, text=True)
                        figures.append(f"{float(completed.stdout.split()[-1]) / 1000 / side ** 2:7.1f}"
                                       if completed.returncode == 0 else "  error")
                    print(f"{network:>8} {'x' + str(scale):>5} {runtime:>12} " + " ".join(figures)
                          + f"   {BYTES_PER_PIXEL[scale][network] / 1000:.1f}", flush=True)


def main():
    with exit_on_user_error():
        benchmark()


if __name__ == "__main__":
    main()
