"""A training stage's model files: its generator and flow net without the stage's scope.

Training keeps a stage's generator and flow net under the stage's scope ('frvsr/' or 'tecogan/'); its
model files hold them without it (save_model), loadable by generate.py, and the TecoGAN stage starts
from such a file (load_frvsr_start).
"""
import os

from models import FLOW_SCOPE, GENERATOR_SCOPE, model_scale
from utils.errors import UserError
from utils.weights import assign_weights, count_resblocks, read_weight_file, save_weights


def stage_model_params(network_params, stage):
    """The generator and flow net parameters of a training stage, named as in a model file (without the
    stage prefix). network_params: {full name: variable} of the training networks; stage: 'frvsr' or
    'tecogan', the scope they sit under."""
    prefix = stage + "/"
    return {name[len(prefix):]: param for name, param in network_params.items()
            if name.startswith((prefix + GENERATOR_SCOPE + "/", prefix + FLOW_SCOPE + "/"))}


def model_file(output_dir, iteration):
    return os.path.join(output_dir, f"model_param_{iteration:08d}.h5")


def save_model(output_dir, iteration, network_params, stage, degradation):
    """model_param_N.h5: the stage's generator/ and fnet/, loadable by generate.py, and the degradation its LR
    frames were made with. Returns its path."""
    path = model_file(output_dir, iteration)
    save_weights(path, stage_model_params(network_params, stage), degradation)
    return path


def load_frvsr_start(path, network_params, stage, blocks, scale):
    """Start the TecoGAN stage of `blocks` residual blocks at `scale` from an FRVSR model_param file of that
    scale: generator and flow net weights go under the stage scope; residual blocks the file lacks (10 -> 16)
    start at zero, as in the reference. Returns the file's block count."""
    if not path:
        raise UserError("the TecoGAN stage starts from an FRVSR model: pass --pre_trained_frvsr_weights "
                        "(a model_param_*.h5 of the FRVSR stage, or frvsr_model.h5)")
    arrays = read_weight_file(path)
    # a run's params_<iter>.h5 holds the same networks under the stage's scope: it was told "lacks 36 parameters
    # ... (check --num_resblock ...)", which no block count mends
    if any(name.split("/", 1)[-1].startswith((GENERATOR_SCOPE + "/", FLOW_SCOPE + "/")) for name in arrays):
        raise UserError(f"'{path}' is a training checkpoint's parameter file, not a model file; pass the "
                        "model_param_*.h5 of the same iteration")
    file_blocks = count_resblocks(arrays)
    if file_blocks == 0:
        raise UserError(f"'{path}' holds no FRVSR generator; pass a model_param_*.h5 of the FRVSR stage")
    file_scale = model_scale(arrays, path)
    if file_scale not in (None, scale):  # None: no input convolution, which assign_weights names
        raise UserError(f"'{path}' is an x{file_scale} FRVSR model but this TecoGAN stage trains at x{scale} "
                        f"(train.scale); pass an x{scale} FRVSR file or set --set train.scale={file_scale}")
    if file_blocks > blocks:
        raise UserError(f"'{path}' has {file_blocks} residual blocks, more than the {blocks} of this TecoGAN "
                        f"generator; pass --num_resblock {file_blocks} (or more)")
    targets = stage_model_params(network_params, stage)
    for name, param in targets.items():
        if name not in arrays:
            param.data.zero()
    assign_weights(targets, arrays, path, allow_missing=(f"{GENERATOR_SCOPE}/generator_unit/resblock_",))
    return file_blocks
