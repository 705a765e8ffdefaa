"""Parameter names and shapes equal the official NNabla files; weight files round-trip."""
from collections import OrderedDict

import h5py
import numpy as np
import nnabla as nn
import pytest

from conftest import reference_path
from generate import FrameRecurrentSR
from models import discriminator
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
    model = FrameRecurrentSR(32, 32, num_resblock)
    assert sorted(file_layout_list(model.parameters())) == sorted(reference_list(listing))


def test_discriminator_parameters_match_the_training_graph():
    scope = OrderedDict()
    with nn.parameter_scope("", scope):
        with nn.parameter_scope("discriminator"):
            discriminator(nn.Variable((2, 32, 32, 27)))
        params = nn.get_parameters(grad_only=False)
    expected = [row for row in reference_list("params_tecogan_training.txt") if row[0].startswith("discriminator/")]
    assert file_layout_list(params) == expected


def test_discriminator_outputs_probabilities_and_four_feature_maps():
    scope = OrderedDict()
    with nn.parameter_scope("", scope):
        probability, features = discriminator(nn.Variable.from_numpy_array(np.random.rand(2, 64, 48, 27)))
    probability.forward()
    assert probability.shape == (2, 4, 3, 1)
    assert [feature.shape for feature in features] == [(2, 32, 24, 64), (2, 16, 12, 64), (2, 8, 6, 128), (2, 4, 3, 256)]
    assert np.all((probability.d > 0) & (probability.d < 1))


def test_saved_file_has_official_layout_and_reloads_to_identical_outputs(tmp_path):
    frame = np.random.RandomState(1).rand(16, 24, 3).astype(np.float32)
    original = FrameRecurrentSR(16, 24, 2)
    for variable in original.parameters().values():
        variable.d = np.random.randn(*variable.shape) * 0.05
    path = str(tmp_path / "model.h5")
    save_weights(path, original.parameters())
    with h5py.File(path, "r") as h5:
        assert h5["generator/generator_unit/input_stage/conv/conv/W"].shape == (64, 3, 3, 51)
        assert h5["generator/generator_unit/conv_tran2highres/conv_tran1/deconv/W"].shape == (64, 3, 3, 64)
        assert h5["fnet/autoencode_unit/encoder_1/conv_1/conv/W"].shape == (32, 3, 3, 6)
    reloaded = FrameRecurrentSR(16, 24, 2)
    reloaded.load(path)
    for _ in range(2):  # the second step exercises the flow net and the warp
        np.testing.assert_array_equal(original.step(frame), reloaded.step(frame))
    assert not [name for name in (tmp_path).iterdir() if name.name != "model.h5"]


def test_official_layout_file_loads_with_transposed_convolutions():
    arrays = read_weight_file(reference_path("parity_generate", "weights.h5"))
    model = FrameRecurrentSR(16, 16, 2)
    model.load(reference_path("parity_generate", "weights.h5"), arrays)
    name = "generator/generator_unit/resblock_1/conv_1/conv/W"
    np.testing.assert_array_equal(model.parameters()[name].d, arrays[name].transpose(0, 3, 1, 2))


def test_weights_of_another_block_count_are_refused():
    model = FrameRecurrentSR(16, 16, 3)
    with pytest.raises(UserError, match="another network or block count"):
        model.load(reference_path("parity_generate", "weights.h5"))
