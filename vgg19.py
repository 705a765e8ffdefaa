"""TecoGAN's VGG19 feature term, in one place: the network's layer table, its input normalisation,
the channel-normalised features, the distance, and the weight file.

    x'   = 255 (x + 1) / 2 - mean_RGB                   x: frames in [-1, 1]; TF-slim's ImageNet means
    f_l  = VGG19 output of stage l after its last ReLU   l = 2..5 (conv4, conv8, conv12, conv16)
    fn_l = f_l / sqrt(sum_c f_l^2 + 1e-12)              unit length over channels at every pixel
    loss = sum_l (1 - mean_hw sum_c fn_l(generated) fn_l(target))   one minus the mean cosine similarity

The weights stay fixed. They come from vgg19.h5 (the official file, or the one
convert_tf_vgg19_weights.py writes from TF-slim's checkpoint) and sit under VGG_SCOPE at the top of
the training graph, named conv1..conv16/conv/{W,b}; the file's classifier (fc6..fc8) is not used.
"""
import nnabla as nn
import nnabla.functions as F
import nnabla.parametric_functions as PF
import numpy as np

from utils.errors import UserError
from utils.ops import to_channel_first, to_channel_last
from utils.weights import assign_weights, read_weight_file

VGG_SCOPE = "vgg19"
CLASSIFIER_SCOPE = "classifier"  # vgg19.h5's fully connected layers, classifier/{0,3,6}/affine
VGG_MEAN_RGB = (123.68, 116.78, 103.94)  # ImageNet means of the TF-slim VGG19, on 0..255 RGB
# convolution widths by pooling stage
VGG19_STAGES = ((64, 64), (128, 128), (256,) * 4, (512,) * 4, (512,) * 4)


def vgg19_layers():
    """The 16 convolutions by pooling stage, [[(name in vgg19.h5, width)]]: stage 1 holds conv1 and conv2.
    TF-slim names convolution k of stage s vgg_19/conv<s>/conv<s>_<k>."""
    layers, done = [], 0
    for widths in VGG19_STAGES:
        layers.append([(f"conv{done + k}", width) for k, width in enumerate(widths, start=1)])
        done += len(widths)
    return layers


def unit_length_over_channels(features):
    """(B, C, H, W) divided at every pixel by its L2 norm over channels."""
    return features / F.pow_scalar(F.sum(features ** 2, axis=1, keepdims=True) + 1e-12, 0.5)


def vgg19_features(frames):
    """The channel-normalised VGG19 features of (B, H, W, 3) frames in [-1, 1]: the outputs of stages
    2 to 5, NHWC. The weights are fixed: no gradient reaches them."""
    mean = nn.Variable.from_numpy_array(np.array(VGG_MEAN_RGB, np.float32).reshape(1, 3, 1, 1))
    net = to_channel_first((frames + 1) * 127.5) - mean
    features = []
    with nn.parameter_scope(VGG_SCOPE):
        for stage, layers in enumerate(vgg19_layers()):
            if stage > 0:
                net = F.max_pooling(net, (2, 2))
            for name, width in layers:
                net = F.relu(PF.convolution(net, width, (3, 3), pad=(1, 1), name=name, fix_parameters=True))
            if stage > 0:
                features.append(to_channel_last(unit_length_over_channels(net)))
    return features


def vgg_feature_loss(generated_features, target_features):
    """Sum over the vgg19_features layers of 1 - mean cosine similarity of the channel-normalised features."""
    total = 0
    for generated, target in zip(generated_features, target_features):
        total = total + (1.0 - F.mean(F.sum(generated * target, axis=3)))
    return total


def load_vgg19(path, params):
    """Copy the convolutions of the vgg19.h5 at path into the VGG_SCOPE entries of params {name: variable}."""
    made_by = "vgg19.h5 from download_test_data.py --weights, or convert_tf_vgg19_weights.py"
    if not path:
        raise UserError(f"the VGG19 loss needs --vgg_pre_trained_weights ({made_by}); set gan.vgg_scaling <= 0 to "
                        "train without it")
    # another file (a model_param file, an HDF5 of other names) was told to check --num_resblock and to pass "a file
    # saved by train.py", which no VGG19 file is
    advice = f"pass {made_by}"
    arrays = {name: array for name, array in read_weight_file(path, advice).items()
              if not name.startswith(CLASSIFIER_SCOPE + "/")}
    targets = {
        name[len(VGG_SCOPE) + 1:]: param for name, param in params.items() if name.startswith(VGG_SCOPE + "/")
    }
    assign_weights(targets, arrays, path, advice=f"it is no VGG19 file; {advice}")
