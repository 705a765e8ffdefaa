"""The training graphs on the reference fixture's inputs and weights (parity_losses), and the TecoGAN
graph's parameters by solver: what the parity and step-order tests start from."""
import os
from collections import OrderedDict

import nnabla as nn
import numpy as np

import train
from conftest import reference_path
from training.config import load_config
from utils.weights import assign_weights, parameters_under, read_weight_file
from vgg19 import load_vgg19

LOSSES = reference_path("parity_losses")
VGG_FIXTURE = os.path.join(LOSSES, "vgg19_random.h5")


def frvsr_reference_graph(scale):
    """The FRVSR graph on the fixture's inputs with the fixture's weights times `scale`."""
    inputs = np.load(os.path.join(LOSSES, "inputs.npz"))
    scope = OrderedDict()
    graph = train.build_frvsr_graph(nn.Variable.from_numpy_array(inputs["data_hr"]), 2, scope)
    with nn.parameter_scope("", scope):
        params = nn.get_parameters(grad_only=False)
    arrays = read_weight_file(os.path.join(LOSSES, "weights_frvsr.h5"))
    assign_weights(params, {name: array * scale for name, array in arrays.items()}, "weights_frvsr.h5")
    graph.fnet_loss.forward()
    return graph, inputs


def tecogan_reference_graph(scale):
    """The TecoGAN graph on the fixture's inputs, learnable weights times `scale`, the fixture's VGG19."""
    inputs = np.load(os.path.join(LOSSES, "inputs.npz"))
    config = load_config()
    scope = OrderedDict()
    graph = train.build_tecogan_graph(nn.Variable.from_numpy_array(inputs["data_hr"]), 2, config.gan,
                                      config.train.eps, True, scope)
    with nn.parameter_scope("", scope):
        params = nn.get_parameters(grad_only=False)
    arrays = read_weight_file(os.path.join(LOSSES, "weights_tecogan.h5"))
    scaled = {
        name: array if name.endswith(("/mean", "/var")) else array * scale for name, array in arrays.items()
    }
    load_vgg19(VGG_FIXTURE, params)
    assign_weights({
        name: param for name, param in params.items() if not name.startswith("vgg19/")
    }, scaled, "fixture")
    return graph, scope


def solver_parameters(scope):
    with nn.parameter_scope("", scope):
        return {"gen": parameters_under("tecogan/generator"), "fnet": parameters_under("tecogan/fnet"),
                "disc": parameters_under("discriminator")}
