"""Parameter names and shapes equal the official NNabla files; weight files round-trip."""
from collections import OrderedDict

import h5py
import numpy as np
import nnabla as nn
import nnabla.functions as F
import pytest

from conftest import reference_path
from inference import NnablaNetworks, SuperResolver, new_parameters
from models import discriminator, discriminator_inputs
from utils.errors import UserError
from utils.weights import read_weight_file, save_weights, to_file_layout


def reference_list(name):
    with open(reference_path(name)) as listing:
        rows = [line.rstrip("\n").split("\t") for line in listing if line.strip()]
    return [(param, tuple(int(size) for size in shape.strip("()").split(",") if size.strip()))
            for param, shape in rows]


def file_layout_list(params):
    return [(name, to_file_layout(np.empty(variable.shape)).shape) for name, variable in params.items()]


@pytest.mark.parametrize("num_resblock, listing", [(16, "params_tecogan_inference.txt"),
                                                    (10, "params_frvsr_inference.txt")])
def test_inference_parameters_match_official_names_and_shapes(num_resblock, listing):
    assert sorted(file_layout_list(new_parameters(num_resblock))) == sorted(reference_list(listing))


def test_discriminator_parameters_match_the_training_graph():
    scope = OrderedDict()
    with nn.parameter_scope("", scope):
        with nn.parameter_scope("discriminator"):
            discriminator(nn.Variable((2, 32, 32, 27)))
        params = nn.get_parameters(grad_only=False)
    expected = [
        row for row in reference_list("params_tecogan_training.txt") if row[0].startswith("discriminator/")
    ]
    assert file_layout_list(params) == expected


def test_discriminator_outputs_probabilities_and_four_feature_maps():
    scope = OrderedDict()
    with nn.parameter_scope("", scope):
        probability, features = discriminator(nn.Variable.from_numpy_array(np.random.rand(2, 64, 48, 27)))
    probability.forward()
    assert probability.shape == (2, 4, 3, 1)
    assert [feature.shape for feature in features] == [(2, 32, 24, 64), (2, 16, 12, 64), (2, 8, 6, 128),
                                                       (2, 4, 3, 256)]
    assert np.all((probability.d > 0) & (probability.d < 1))


# The discriminator input on a hand-built ping-pong batch: 2 samples of L = 7 frames (T = 4), so two
# triplets each, (0, 1, 2) and (3, 4, 5). Triplet j's previous frame is warped by flow 3j; its next
# frame by the flow of the mirrored frames L-3-3j -> L-2-3j (ping-pong frames 4 -> 5 hold inputs 2 -> 1,
# frames 1 -> 2 hold inputs 1 -> 2, what frames 5 -> 4 need):
TRIPLET_FLOWS = {0: (0, 4), 1: (3, 1)}  # triplet: (flow of its first frame, flow of its last frame)
BATCH, LENGTH, HEIGHT, WIDTH, CROP_DT = 2, 7, 16, 20, 0.5  # the crop keeps rows 4..11 and columns 5..14


def frame_codes(offset):
    """(B, L, 1, 1, 3) frame codes: 1000 b + 100 p + 10 c + offset for sample b, frame p, channel c."""
    return (1000 * np.arange(BATCH)[:, None, None] + 100 * np.arange(LENGTH)[None, :, None]
            + 10 * np.arange(3)[None, None, :] + offset).reshape(BATCH, LENGTH, 1, 1, 3).astype(np.float32)


def hand_built_discriminator_inputs():
    """HR frames whose pixel is its frame code plus its row, constant LR frames, and flow k a shift of
    k + 1 rows down (out[y] = in[y - k - 1], the top row repeated)."""
    rows = np.arange(HEIGHT, dtype=np.float32).reshape(1, 1, HEIGHT, 1, 1)
    real = frame_codes(0) + rows + np.zeros((1, 1, 1, WIDTH, 1), np.float32)
    generated = real + 5000
    lr = np.broadcast_to(frame_codes(0), (BATCH, LENGTH, HEIGHT // 4, WIDTH // 4, 3)).copy()
    flow = np.zeros((BATCH, LENGTH - 1, HEIGHT, WIDTH, 2), np.float32)
    flow[..., 0] = (np.arange(LENGTH - 1) + 1).reshape(1, -1, 1, 1)
    return real, generated, lr, flow


def expected_discriminator_input(hr, lr):
    """(B * 2, H, W, 27) built pixel by pixel from the rule in discriminator_inputs' docstring."""
    expected = np.zeros((BATCH * 2, HEIGHT, WIDTH, 27), np.float32)
    for sample in range(BATCH):
        for triplet, (first_flow, last_flow) in TRIPLET_FLOWS.items():
            shifts = (first_flow + 1, 0, last_flow + 1)  # the middle frame: a zero flow
            for k in range(3):
                frame = 3 * triplet + k
                for c in range(3):
                    packed = expected[2 * sample + triplet, ..., 3 * c + k::9]
                    packed[..., 0] = hr[sample, frame, :, :, c]
                    source_rows = np.maximum(np.arange(HEIGHT) - shifts[k], 0)
                    packed[4:12, 5:15, 1] = hr[sample, frame, source_rows, :, c][4:12, 5:15]
                    packed[..., 2] = lr[sample, frame, 0, 0, c]
    return expected


def test_discriminator_inputs_pick_triplets_flows_crop_and_channels_as_documented():
    real, generated, lr, flow = hand_built_discriminator_inputs()
    real_input, generated_input, generated_frames = discriminator_inputs(
        *(nn.Variable.from_numpy_array(array) for array in (real, generated, lr, flow)), CROP_DT)
    for variable in (real_input, generated_input, generated_frames):
        variable.forward()
    np.testing.assert_allclose(real_input.d, expected_discriminator_input(real, lr), atol=1e-3)
    np.testing.assert_allclose(generated_input.d, expected_discriminator_input(generated, lr), atol=1e-3)
    np.testing.assert_array_equal(generated_frames.d, generated[:, :6].reshape(BATCH * 6, HEIGHT, WIDTH, 3))


def test_discriminator_inputs_pass_no_gradient_to_the_flows():
    real, generated, lr, flow = hand_built_discriminator_inputs()
    variables = [nn.Variable.from_numpy_array(array, need_grad=True) for array in (real, generated, lr, flow)]
    real_input, generated_input, _ = discriminator_inputs(*variables, CROP_DT)
    total = F.sum(real_input ** 2) + F.sum(generated_input ** 2)
    for variable in variables:
        variable.grad.zero()
    total.forward()
    total.backward()
    assert np.abs(variables[1].g).max() > 0  # the generated frames do get one
    assert not variables[3].g.any()


def test_saved_file_has_official_layout_and_reloads_to_identical_outputs(tmp_path):
    frames = [(str(index), np.random.RandomState(index).rand(16, 24, 3).astype(np.float32))
              for index in range(2)]
    parameters = new_parameters(2)
    for variable in parameters.values():
        variable.d = np.random.randn(*variable.shape) * 0.05
    in_memory = {name: to_file_layout(variable.d) for name, variable in parameters.items()}
    path = str(tmp_path / "model.h5")
    save_weights(path, parameters)
    with h5py.File(path, "r") as h5:
        assert h5["generator/generator_unit/input_stage/conv/conv/W"].shape == (64, 3, 3, 51)
        assert h5["generator/generator_unit/conv_tran2highres/conv_tran1/deconv/W"].shape == (64, 3, 3, 64)
        assert h5["fnet/autoencode_unit/encoder_1/conv_1/conv/W"].shape == (32, 3, 3, 6)
    original = SuperResolver("in memory", "nnabla", "cpu", file_arrays=in_memory)
    reloaded = SuperResolver(path, "nnabla", "cpu")
    # the second frame exercises the flow net and the warp
    for (_, before), (_, after) in zip(original.sequence(frames), reloaded.sequence(frames)):
        np.testing.assert_array_equal(before, after)
    assert not [name for name in (tmp_path).iterdir() if name.name != "model.h5"]


def test_official_layout_file_loads_with_transposed_convolutions():
    arrays = read_weight_file(reference_path("parity_generate", "weights.h5"))
    networks = NnablaNetworks({"flow": (16, 16), "trunk": (16, 16), "tail": (16, 16)}, 2)
    networks.load(arrays, reference_path("parity_generate", "weights.h5"))
    name = "generator/generator_unit/resblock_1/conv_1/conv/W"
    np.testing.assert_array_equal(networks.parameters()[name].d, arrays[name].transpose(0, 3, 1, 2))


def test_weights_of_another_block_count_are_refused():
    resolver = SuperResolver(reference_path("parity_generate", "weights.h5"), "nnabla", "cpu", num_resblock=3)
    with pytest.raises(UserError, match="another network or block count"):
        resolver.model(16, 16)
