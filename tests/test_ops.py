"""Each op of utils/ops.py and the fast layers of models.py against an independent computation."""
import numpy as np
import nnabla as nn
import nnabla.functions as F
import pytest

from models import conv_few_outputs
from utils.ops import SCALES, bicubic_upscale, bilinear_upscale, space_to_depth, warp_by_flow

RNG = np.random.RandomState(0)


def run(function, *arrays):
    variables = [nn.Variable.from_numpy_array(array) for array in arrays]
    output = function(*variables)
    output.forward()
    return output.d


def keys_kernel(distance, a=-0.75):
    d = abs(distance)
    if d <= 1:
        return (a + 2) * d ** 3 - (a + 3) * d ** 2 + 1
    return a * d ** 3 - 5 * a * d ** 2 + 8 * a * d - 4 * a if d < 2 else 0.0


def resize_1d_tf1(signal, kernel, taps, scale):
    """TF1 legacy resize along axis 0: source position = output index / scale, indices clamped."""
    size = signal.shape[0]
    output = []
    for out_index in range(scale * size):
        position = out_index / scale
        base = int(np.floor(position))
        value = 0.0
        for offset in taps:
            index = min(max(base + offset, 0), size - 1)
            value = value + kernel(position - (base + offset)) * signal[index]
        output.append(value)
    return np.stack(output)


def resize_tf1(images, kernel, taps, scale):
    """Separable resize of (B, H, W, C) by scale: rows, then columns, in float64."""
    rows = np.stack([resize_1d_tf1(image.astype(np.float64), kernel, taps, scale) for image in images])
    return np.stack([np.swapaxes(resize_1d_tf1(np.swapaxes(image, 0, 1), kernel, taps, scale), 0, 1)
                     for image in rows])


@pytest.mark.parametrize("scale", SCALES)
def test_bicubic_upscale_equals_keys_cubic_with_tf1_mapping(scale):
    images = RNG.rand(2, 5, 7, 3).astype(np.float32)
    expected = resize_tf1(images, keys_kernel, (-1, 0, 1, 2), scale)
    np.testing.assert_allclose(run(lambda x: bicubic_upscale(x, scale), images), expected, atol=2e-6)


def test_bicubic_four_hand_computed_step_edge():
    # A step 0 -> 1 between columns 1 and 2. Keys weights (a = -0.75): w(0.5) = 0.59375,
    # w(1.5) = -0.09375, w(0.75) = 0.26171875, w(1.75) = -0.03515625.
    # At x = 1.5 the ones sit at distances 0.5 and 1.5: 0.5. At x = 1.25, at 0.75 and 1.75.
    row = np.array([0, 0, 1, 1], np.float32)
    image = np.tile(row[None, :, None], (4, 1, 1))[None]
    output = run(lambda x: bicubic_upscale(x, 4), image)[0, 0, :, 0]
    assert output[6] == pytest.approx(0.5, abs=1e-6)
    assert output[5] == pytest.approx(0.26171875 - 0.03515625, abs=1e-6)
    assert output[0] == pytest.approx(0.0, abs=1e-7)
    assert output[8] == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("scale", SCALES)
def test_bilinear_upscale_equals_tf1_bilinear(scale):
    flows = RNG.randn(1, 6, 5, 2).astype(np.float32)
    expected = resize_tf1(flows, lambda d: max(0.0, 1 - abs(d)), (0, 1), scale)
    np.testing.assert_allclose(run(lambda x: bilinear_upscale(x, scale), flows), expected, atol=2e-6)


def test_bilinear_upscale_of_a_constant_is_constant():
    flows = np.full((1, 3, 4, 2), 2.5, np.float32)
    np.testing.assert_allclose(run(lambda x: bilinear_upscale(x, 4), flows), 2.5, atol=1e-6)


def dense_image_warp_numpy(images, flow):
    """tfa.image.dense_image_warp: bilinear sample at (y - flow[..., 0], x - flow[..., 1]);
    the floor index is clamped to [0, size - 2] and the fraction to [0, 1]."""
    batch, height, width, channels = images.shape
    grid_y, grid_x = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    output = np.zeros_like(images, dtype=np.float64)
    for b in range(batch):
        query_y = grid_y - flow[b, :, :, 0].astype(np.float64)
        query_x = grid_x - flow[b, :, :, 1].astype(np.float64)
        floor_y = np.clip(np.floor(query_y), 0, height - 2).astype(int)
        floor_x = np.clip(np.floor(query_x), 0, width - 2).astype(int)
        alpha_y = np.clip(query_y - floor_y, 0, 1)[..., None]
        alpha_x = np.clip(query_x - floor_x, 0, 1)[..., None]
        image = images[b].astype(np.float64)
        top = image[floor_y, floor_x] * (1 - alpha_x) + image[floor_y, floor_x + 1] * alpha_x
        bottom = image[floor_y + 1, floor_x] * (1 - alpha_x) + image[floor_y + 1, floor_x + 1] * alpha_x
        output[b] = top * (1 - alpha_y) + bottom * alpha_y
    return output


def test_warp_by_flow_matches_dense_image_warp_including_borders():
    images = RNG.rand(2, 9, 11, 3).astype(np.float32)
    flow = (RNG.randn(2, 9, 11, 2) * 4).astype(np.float32)  # reaches well past the borders
    np.testing.assert_allclose(run(warp_by_flow, images, flow),
                               dense_image_warp_numpy(images, flow),
                               atol=1e-5)


def test_warp_by_integer_flow_shifts_the_image():
    images = RNG.rand(1, 6, 6, 1).astype(np.float32)
    flow = np.zeros((1, 6, 6, 2), np.float32)
    flow[..., 0] = 1  # one row down: out[y] = in[y - 1]
    warped = run(warp_by_flow, images, flow)
    np.testing.assert_allclose(warped[0, 1:], images[0, :-1], atol=1e-6)
    np.testing.assert_allclose(warped[0, 0], images[0, 0], atol=1e-6)  # clamped at the top


@pytest.mark.parametrize("scale", SCALES)
def test_space_to_depth_channel_order(scale):
    images = RNG.rand(2, 2 * scale, 3 * scale, 3).astype(np.float32)
    packed = run(lambda x: space_to_depth(x, scale), images)
    assert packed.shape == (2, 2, 3, 3 * scale * scale)
    for y in range(2):
        for x in range(3):
            for dy in range(scale):
                for dx in range(scale):
                    channels = packed[:, y, x, (dy * scale + dx) * 3:(dy * scale + dx + 1) * 3]
                    np.testing.assert_array_equal(channels, images[:, scale * y + dy, scale * x + dx])


def compare_layer_with_nnabla_kernel(fast_layer, reference_kernel, input_shape, scope_name):
    """Forward and input/weight gradients of a fast layer equal NNabla's own kernel with the same weights."""
    data = RNG.randn(*input_shape).astype(np.float32)
    scope = {}
    x_fast = nn.Variable.from_numpy_array(data, need_grad=True)
    with nn.parameter_scope(scope_name, scope):
        output_fast = fast_layer(x_fast)
        params = nn.get_parameters(grad_only=False)
    weight = next(v for k, v in params.items() if k.endswith("/W"))
    bias = next(v for k, v in params.items() if k.endswith("/b"))
    weight.d = RNG.randn(*weight.shape)
    bias.d = RNG.randn(*bias.shape)
    x_reference = nn.Variable.from_numpy_array(data, need_grad=True)
    weight_reference = nn.Variable.from_numpy_array(weight.d.copy(), need_grad=True)
    bias_reference = nn.Variable.from_numpy_array(bias.d.copy(), need_grad=True)
    output_reference = reference_kernel(x_reference, weight_reference, bias_reference)
    upstream = RNG.randn(*output_reference.shape).astype(np.float32)
    for output, variables in ((output_fast, (x_fast, weight, bias)),
                              (output_reference, (x_reference, weight_reference, bias_reference))):
        for variable in variables:
            variable.grad.zero()
        output.forward()
        output.backward(upstream)
    np.testing.assert_allclose(output_fast.d, output_reference.d, atol=1e-4, rtol=1e-5)
    for fast, reference in ((x_fast, x_reference), (weight, weight_reference), (bias, bias_reference)):
        np.testing.assert_allclose(fast.g, reference.g, atol=1e-3, rtol=1e-4)


def test_conv_few_outputs_equals_nnabla_convolution():
    compare_layer_with_nnabla_kernel(
        lambda x: conv_few_outputs(x, 3, "out"),
        lambda x, w, b: F.convolution(x, w, b, pad=(1, 1)),
        (2, 6, 9, 8), "conv_test")
