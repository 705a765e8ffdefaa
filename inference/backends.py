"""Backends: the flow net, generator trunk and generator tail on windows of fixed shape, run by NNabla
(CPU or cuDNN, float32 or half) or by OpenVINO on ONNX exports of the same graphs; and the choice of one."""
import itertools
import os
import queue
from collections import OrderedDict
from contextlib import suppress

import numpy as np
import nnabla as nn
import nnabla.functions as F

from inference.onnx_export import (OPENVINO_PRECISIONS, CompiledNetwork, cache_stem, cached_models, exported_as,
                                   cpu_has_bfloat16, export_onnx, most_export_bytes, openvino_available)
from models import (FLOW_NET_STRIDE, FLOW_SCOPE, GENERATOR_SCOPE, flow_estimator, generator_input,
                    generator_tail, generator_trunk)
from utils.context import NNABLA_TYPE_CONFIGS, context_name, use_context
from utils.errors import UserError, error_reason, out_of_memory
from utils.ops import PAPER_SCALE, to_channel_first, to_channel_last
from utils.weights import assign_weights, parameters_under


BACKEND_CHOICES = ("auto", "nnabla", "openvino")
# The precisions each backend computes in (--precision); the choices are all of them, fp32 the default.
BACKEND_PRECISIONS = {"nnabla": NNABLA_TYPE_CONFIGS, "openvino": OPENVINO_PRECISIONS}
PRECISIONS = tuple(dict.fromkeys(itertools.chain(*BACKEND_PRECISIONS.values())))
# The three networks run on windows: their inputs and their output, by the names the NNabla graphs and
# the exported ONNX models share.
NETWORK_IO = {"flow": (("lr_previous", "lr_current"), "flow_lr"),
              "trunk": (("lr_frame", "warped_previous"), "features"),
              "tail": (("features", "lr_window"), "output")}
FEATURES = 64  # channels of the generator's trunk output
HALF_MAX = float(np.finfo(np.float16).max)  # the largest float16 value


class NnablaNetworks:
    """The flow net, generator trunk and generator tail of a model of `scale` as NNabla graphs on the plan's
    window shapes.

    NNabla's CPU kernels use one core, so on CPU `lanes` copies of the graphs let windows run in
    parallel threads (NNabla releases the GIL); every copy shares one set of parameters.
    """

    def __init__(self, window_shapes, num_resblock, lanes=1, scale=PAPER_SCALE):
        self.scope, self.scale = OrderedDict(), scale
        self.graph_copies = [self._build(window_shapes, num_resblock) for _ in range(lanes)]
        self.free_copies = queue.Queue()
        for graphs in self.graph_copies:
            self.free_copies.put(graphs)

    def _build(self, window_shapes, num_resblock):
        """{network: (input variables, output variable)} of one copy of the graphs (names of NETWORK_IO)."""
        (flow_h, flow_w), (trunk_h, trunk_w), (tail_h, tail_w) = (window_shapes[name] for name in NETWORK_IO)
        lr_previous, lr_current = nn.Variable((1, flow_h, flow_w, 3)), nn.Variable((1, flow_h, flow_w, 3))
        lr_frame = nn.Variable((1, trunk_h, trunk_w, 3))
        warped = nn.Variable((1, self.scale * trunk_h, self.scale * trunk_w, 3))
        features, lr_window = nn.Variable((1, FEATURES, tail_h, tail_w)), nn.Variable((1, tail_h, tail_w, 3))
        with nn.parameter_scope("", self.scope):
            with nn.parameter_scope(FLOW_SCOPE):
                flow_lr = flow_estimator(F.concatenate(lr_previous, lr_current, axis=3))
            with nn.parameter_scope(GENERATOR_SCOPE):
                trunk = generator_trunk(to_channel_first(generator_input(lr_frame, warped)), num_resblock)
                output = to_channel_last(generator_tail(features, to_channel_first(lr_window), self.scale))
        return {"flow": ((lr_previous, lr_current), flow_lr), "trunk": ((lr_frame, warped), trunk),
                "tail": ((features, lr_window), output)}

    def parameters(self):
        with nn.parameter_scope("", self.scope):
            return parameters_under("")

    def load(self, file_arrays, source):
        assign_weights(self.parameters(), file_arrays, source)
        # In half precision the parameters are cast to float16 once here, not by the first windows of
        # all lanes at the same time (the graph copies share them).
        context = nn.get_current_context()
        if context.backend[0].endswith(":half"):
            # a value finite in float32 and past float16's range is infinite there: such a model wrote frames other
            # than its float32 ones, with exit code 0 (read_weight_file checks the float32 range alone)
            past = next((name for name, array in file_arrays.items() if np.abs(array).max(initial=0) > HALF_MAX), None)
            if past:
                raise UserError(f"weights file '{source}': parameter '{past}' holds values past float16's range "
                                f"(+-{HALF_MAX:g}), in which --precision fp16 computes; use --precision fp32")
            for parameter in self.parameters().values():
                parameter.data.cast(np.float16, context)

    @property
    def lanes(self):
        """Windows computed at once: one per copy of the graphs."""
        return len(self.graph_copies)

    def run(self, network, *arrays):
        """The output of one network (a key of NETWORK_IO) on its input windows, on a free copy of the
        graphs."""
        graphs = self.free_copies.get()
        try:
            inputs, output = graphs[network]
            for variable, array in zip(inputs, arrays):
                variable.d = array[None]
            output.forward(clear_buffer=True)
            return output.d[0].astype(np.float32)  # a copy; float16 in half precision
        finally:
            self.free_copies.put(graphs)

    def export(self):
        """{network: serialised ONNX model} of the first copy of the graphs, with the loaded weights."""
        graphs, parameters = self.graph_copies[0], self.parameters()
        models = {}
        for network, (input_names, output_name) in NETWORK_IO.items():
            inputs, output = graphs[network]
            models[network] = export_onnx({output_name: output}, dict(zip(input_names, inputs)), parameters)
        return models


def new_parameters(num_resblock, scale=PAPER_SCALE):
    """{name: variable} of freshly initialised inference networks, named as in a weight file."""
    return NnablaNetworks({name: (FLOW_NET_STRIDE, FLOW_NET_STRIDE) for name in NETWORK_IO}, num_resblock,
                          scale=scale).parameters()


class OnnxNetworks:
    """NnablaNetworks' graphs of a model of `scale` exported to ONNX and run by OpenVINO on `threads` CPU
    cores in `precision`.

    The exports are cached in cache_dir, keyed by the weights' content, the block count, the window
    shapes and the code of the graphs.
    """
    lanes = 1  # OpenVINO spreads each window over the cores itself

    def __init__(self, window_shapes, num_resblock, file_arrays, source, cache_dir, threads, precision,
                 scale):
        self.scale = scale
        shapes = "_".join(f"{w}x{h}" for h, w in (window_shapes[name] for name in NETWORK_IO))
        stem = cache_stem(file_arrays, num_resblock, shapes)  # the weights' content includes their scale

        def export():
            networks = NnablaNetworks(window_shapes, num_resblock, scale=scale)
            networks.load(file_arrays, source)
            return networks.export()

        most_bytes = most_export_bytes(file_arrays)
        # exported anew once where a cached file is damaged; not where the cache cannot be written (an unwritable or
        # full --cache-dir exported twice before its line) or memory ran out compiling a whole one (its files were
        # deleted and exported again, to run out of memory again and be deleted again)
        for last in (False, True):
            paths = cached_models(cache_dir, stem, NETWORK_IO, export)
            try:
                for name, path in paths.items():
                    # a file of another model or network, or changed on disk, was served: OpenVINO's traceback, or
                    # another's output
                    if exported_as(path, most_bytes) != f"{stem}_{name}":
                        raise ValueError(f"'{path}' holds another network than its name says, or a damaged one")
                self.networks = {name: CompiledNetwork(paths[name], threads, precision) for name in NETWORK_IO}
                return
            except Exception as error:  # OpenVINO's or onnx's own error types: a cached file damaged on disk
                if out_of_memory(error):
                    raise
                try:
                    for path in paths.values():
                        # removed first by another process that found it damaged too (an mpirun rank): one of two
                        # runs at once said "holds a damaged file and cannot be written" of a cache it could write
                        with suppress(FileNotFoundError):
                            os.remove(path)
                except OSError:  # a read-only cache: it cannot be exported anew
                    raise UserError(
                        f"the ONNX cache '{cache_dir}' holds a damaged file and cannot be written "
                        f"({error_reason(error)})"
                        "; delete its files, pass a writable --cache-dir or use --backend nnabla")
                if last:
                    raise

    def run(self, network, *arrays):
        """The output of one network (a key of NETWORK_IO) on its input windows."""
        input_names, _ = NETWORK_IO[network]
        return self.networks[network]({name: array[None] for name, array in zip(input_names, arrays)})[0]


def precision_refused(backend, precision, context=None, context_asked=None):
    """The error line for a precision that `backend` (nnabla or openvino) does not compute in, or None. context: the
    NNabla context the backend runs on, said in the line where given; context_asked: the --context given."""
    if precision in BACKEND_PRECISIONS[backend]:
        return None
    engines = " or ".join(name for name, precisions in BACKEND_PRECISIONS.items() if precision in precisions)
    # --backend openvino with --context cudnn is refused in turn ("runs on the CPU; drop --context cudnn")
    dropped = " without --context cudnn" if context_asked == "cudnn" and engines == "openvino" else ""
    return (f"--precision {precision} runs on {engines} only, not {backend}{context and f' on {context}' or ''}; use "
            f"--backend {engines}{dropped}, or --precision {' or '.join(BACKEND_PRECISIONS[backend])}")


def choose_backend(backend, context, device_id=0, precision="fp32"):
    """(backend, NNabla context name), and NNabla's default context set for it. auto: NNabla with cuDNN on
    a GPU (device_id), else OpenVINO when it is installed and computes in `precision`, else NNabla on the
    CPU; and OpenVINO for a precision NNabla does not compute in (bf16), unless the context asked for is cudnn.
    precision: one of BACKEND_PRECISIONS[backend]; "bf16" also needs a CPU with bfloat16
    instructions. The ONNX export builds the NNabla graphs on the CPU in float32."""
    if backend not in BACKEND_CHOICES:
        raise UserError(f"unknown backend '{backend}'; choose one of {', '.join(BACKEND_CHOICES)}")
    if precision not in PRECISIONS:
        raise UserError(f"unknown precision '{precision}'; choose one of {', '.join(PRECISIONS)}")
    context_asked = context
    # on a machine with a GPU, auto took NNabla on cuDNN and refused bf16 (the page's Backend auto with Precision bf16,
    # offered where the CPU has bfloat16, failed at the job's turn): only OpenVINO computes it
    if (backend == "auto" and context != "cudnn" and precision not in BACKEND_PRECISIONS["nnabla"]
            and openvino_available()):
        backend = "openvino"
    if backend == "openvino":
        if not openvino_available():
            raise UserError("--backend openvino needs the packages openvino, onnx and nnabla_converter; "
                            "install them as README.md says, or use --backend nnabla")
        if context == "cudnn":
            raise UserError(
                "--backend openvino runs on the CPU; drop --context cudnn or use --backend nnabla")
        context = "cpu"
    else:
        context = context_name(context)
        if backend == "auto":
            openvino = context == "cpu" and openvino_available() and precision in OPENVINO_PRECISIONS
            backend = "openvino" if openvino else "nnabla"
    if refusal := precision_refused(backend, precision, context, context_asked):
        raise UserError(refusal)
    if precision == "bf16" and not cpu_has_bfloat16():
        raise UserError("--precision bf16 needs a CPU with bfloat16 instructions (AVX512_BF16 or AMX), "
                        "which this one lacks; use --precision fp32")
    type_config = NNABLA_TYPE_CONFIGS[precision if backend == "nnabla" else "fp32"]
    return backend, use_context(context, device_id, type_config)
