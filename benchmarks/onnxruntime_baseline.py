"""ONNX Runtime, the CPU engine before OpenVINO, kept as the benchmarks' baseline: it runs the same
exported files with the rewrite it needed (each stride-2 transposed convolution as four phase
convolutions), in the same loop, in place of inference.onnx_export.CompiledNetwork."""
import numpy as np


def phase_taps(kernel, stride, pad, phase):
    """{kernel tap: input offset} of one output phase of a 1-D transposed convolution.

    Input m reaches output stride * m + tap - pad; so output stride * i + phase takes input
    i + (phase + pad - tap) / stride through every tap for which that is a whole number.
    """
    return {tap: (phase + pad - tap) // stride for tap in range(kernel) if (phase + pad - tap) % stride == 0}


def sub_pixel_taps(attributes):
    """(stride, [(taps_y, taps_x)] of the stride^2 output phases, row-major) of a ConvTranspose node;
    None unless it is an ungrouped 2-D transposed convolution with output = stride x input whose
    every phase is a convolution of the zero-padded input (a tap or more, offsets from <= 0 to >= 0)."""
    strides, kernel = attributes.get("strides", [1, 1]), attributes.get("kernel_shape", [])
    pads, output_padding = attributes.get("pads", [0, 0, 0, 0]), attributes.get("output_padding", [0, 0])
    if (len(strides) != 2 or len(kernel) != 2 or strides[0] != strides[1] or attributes.get("group", 1) != 1
            or set(attributes.get("dilations", [1, 1])) != {1} or "output_shape" in attributes
            or any(output_padding[axis] + kernel[axis] - pads[axis] - pads[axis + 2] != strides[0]
                   for axis in range(2))):
        return None
    stride = strides[0]
    taps = [[phase_taps(kernel[axis], stride, pads[axis], phase) for phase in range(stride)]
            for axis in range(2)]
    if any(not phase or min(phase.values()) > 0 or max(phase.values()) < 0
           for axis_taps in taps for phase in axis_taps):
        return None
    return stride, [(taps_y, taps_x) for taps_y in taps[0] for taps_x in taps[1]]


def transposed_convolutions_as_convolutions(model):
    """Rewrite each ConvTranspose with output = stride x input as stride^2 Convs and a DepthToSpace.

    Each Conv computes one output phase (the sub-pixel form of a transposed convolution) from only
    the taps that reach it: the same products, summed in another order. ONNX Runtime runs
    ConvTranspose as a matrix product and a single-threaded col2im; its Conv is much faster. (OpenVINO
    runs the ConvTranspose itself faster than these Convs, their Concat and the DepthToSpace.)
    """
    import onnx
    from onnx import numpy_helper

    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    nodes, replaced = [], set()
    for node in model.graph.node:
        attributes = {
            attribute.name: onnx.helper.get_attribute_value(attribute) for attribute in node.attribute
        }
        sub_pixel = sub_pixel_taps(attributes) if node.op_type == "ConvTranspose" else None
        if sub_pixel is None or not set(node.input[1:]) <= set(initializers):
            nodes.append(node)
            continue
        stride, phases = sub_pixel
        weight = numpy_helper.to_array(initializers[node.input[1]])  # (C_in, C_out, kh, kw)
        phase_maps = []
        for index, (taps_y, taps_x) in enumerate(phases):
            low_y, low_x = min(taps_y.values()), min(taps_x.values())
            high_y, high_x = max(taps_y.values()), max(taps_x.values())
            phase_weight = np.zeros(
                (weight.shape[1], weight.shape[0], high_y - low_y + 1, high_x - low_x + 1), np.float32)
            for tap_y, offset_y in taps_y.items():
                for tap_x, offset_x in taps_x.items():
                    phase_weight[:, :, offset_y - low_y, offset_x - low_x] = weight[:, :, tap_y, tap_x].T
            name = f"{node.output[0]}/phase_{index}"
            model.graph.initializer.append(numpy_helper.from_array(phase_weight, f"{name}/W"))
            conv_inputs = [node.input[0], f"{name}/W"] + list(node.input[2:3])  # the bias is shared
            nodes.append(
                onnx.helper.make_node("Conv",
                                      conv_inputs, [name],
                                      kernel_shape=list(phase_weight.shape[2:]),
                                      pads=[-low_y, -low_x, high_y, high_x]))
            phase_maps.append(name)
        # DCR: channel (phase_y * stride + phase_x) * C_out + c -> pixel (stride * i + phase_y, stride * j +
        # phase_x)
        nodes.append(onnx.helper.make_node("Concat", phase_maps, [f"{node.output[0]}/phases"], axis=1))
        nodes.append(onnx.helper.make_node("DepthToSpace", [f"{node.output[0]}/phases"], list(node.output),
                                           blocksize=stride, mode="DCR"))
        replaced.add(node.input[1])
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    kept = [tensor for tensor in model.graph.initializer if tensor.name not in replaced]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)


class OnnxRuntimeNetwork:
    """One exported ONNX file, rewritten for ONNX Runtime and run by it on `threads` CPU cores (float32)."""

    def __init__(self, path, threads, precision):
        import onnx
        import onnxruntime

        model = onnx.load(path)
        transposed_convolutions_as_convolutions(model)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle threads sleep instead of spinning: on shared cores spinning threads steal the busy ones' time.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(model.SerializeToString(), options,
                                                    providers=["CPUExecutionProvider"])

    def __call__(self, feeds):
        return self.session.run(None, feeds)[0]
