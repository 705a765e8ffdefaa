"""The VGG19 feature term (vgg19.py): the official file's layers, unit-length features, the cosine
distance."""
from collections import OrderedDict

import nnabla as nn
import nnabla.functions as F
import numpy as np
import pytest
from conftest import reference_path

from utils.weights import to_file_layout
from vgg19 import VGG_SCOPE, load_vgg19, vgg19_features, vgg_feature_loss


def built_features(frames):
    scope = OrderedDict()
    with nn.parameter_scope("", scope):
        features = vgg19_features(nn.Variable.from_numpy_array(frames))
        params = nn.get_parameters(grad_only=False)
    return features, params


def test_the_layer_table_gives_the_convolutions_of_the_official_vgg19_file():
    _, params = built_features(np.zeros((1, 32, 32, 3), np.float32))
    with open(reference_path("params_vgg19_h5.txt")) as listing:
        rows = [line.rstrip("\n").split("\t") for line in listing if line.strip()]
    expected = [(f"{VGG_SCOPE}/{name}", shape) for name, shape in rows if not name.startswith("classifier/")]
    assert [(name, str(to_file_layout(np.empty(param.shape)).shape))
            for name, param in params.items()] == expected


def test_features_of_stages_two_to_five_have_unit_length_over_channels():
    frames = np.random.RandomState(0).uniform(-1, 1, (1, 32, 32, 3)).astype(np.float32)
    features, params = built_features(frames)
    load_vgg19(reference_path("parity_losses", "vgg19_random.h5"), params)
    assert [feature.shape for feature in features] == [(1, 16, 16, 128), (1, 8, 8, 256), (1, 4, 4, 512),
                                                       (1, 2, 2, 512)]
    for feature in features:
        feature.forward()
        np.testing.assert_allclose(np.sum(feature.d ** 2, axis=3), 1, rtol=1e-4)


def test_no_gradient_reaches_the_vgg19_weights():
    features, params = built_features(
        np.random.RandomState(0).uniform(-1, 1, (1, 16, 16, 3)).astype(np.float32))
    load_vgg19(reference_path("parity_losses", "vgg19_random.h5"), params)
    for param in params.values():
        param.grad.zero()
    total = sum(F.sum(feature) for feature in features)
    total.forward()
    total.backward()
    assert not any(param.g.any() for param in params.values())


def test_vgg_feature_loss_sums_one_minus_the_mean_cosine_similarity_per_layer():
    rng = np.random.RandomState(1)
    shapes = ((2, 6, 5, 8), (2, 3, 2, 16))
    generated = [rng.randn(*shape).astype(np.float32) for shape in shapes]
    target = [rng.randn(*shape).astype(np.float32) for shape in shapes]
    def unit_variables(arrays):
        return [
            nn.Variable.from_numpy_array(array / np.linalg.norm(array, axis=3, keepdims=True))
            for array in arrays
        ]

    loss = vgg_feature_loss(unit_variables(generated), unit_variables(target))
    loss.forward()
    cosines = [np.sum(a * b, axis=3) / (np.linalg.norm(a, axis=3) * np.linalg.norm(b, axis=3))
               for a, b in zip(generated, target)]
    assert float(loss.d) == pytest.approx(sum(1 - cosine.mean() for cosine in cosines), rel=1e-5)
