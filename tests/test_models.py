"""Parameter names and shapes equal the official NNabla files; weight files round-trip."""
from collections import OrderedDict

import h5py
import numpy as np
import nnabla as nn
import pytest

from conftest import reference_path
from inference import NnablaNetworks, SuperResolver, new_parameters
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
    assert sorted(file_layout_list(new_parameters(num_resblock))) == sorted(reference_list(listing))


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
    frames = [(str(index), np.random.RandomState(index).rand(16, 24, 3).astype(np.float32)) for index in range(2)]
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
