"""The three networks of TecoGAN: frame-recurrent generator, flow estimator, discriminator.

Inputs and outputs are NHWC, as in the reference. Inside, every network runs channel-first
(NCHW), the layout NNabla implements on both CPU and cuDNN, so there is one transpose at the
entry and one at the exit instead of one around every layer. Parameters are created in the
channel-first layout; utils/weights.py transposes them to and from the official channel-last
files, so parameter names and file shapes equal the official NNabla weights.
"""
import nnabla as nn
import nnabla.functions as F
import nnabla.parametric_functions as PF

from utils.ops import bicubic_four_channel_first, to_channel_first, to_channel_last

FLOW_MAX_VELOCITY = 24.0  # tanh output scaled to +-24 LR pixels, as in the paper


def conv(x, channels, name, kernel=3, stride=1, with_bias=True):
    """Convolution with 'same'-style padding 1, named like the reference (name/conv/W)."""
    return PF.convolution(x, channels, (kernel, kernel), pad=(1, 1), stride=(stride, stride),
                          with_bias=with_bias, name=name)


def deconv_x2(x, channels, name):
    """3x3 transposed convolution, stride 2: (B, C, H, W) -> (B, channels, 2H, 2W)."""
    return PF.deconvolution(x, channels, (3, 3), pad=(1, 1), stride=(2, 2),
                            output_padding=(1, 1), name=name)


def residual_block(x, name):
    with nn.parameter_scope(name):
        net = F.relu(conv(x, 64, "conv_1"))
        return conv(net, 64, "conv_2") + x


def generator(lr_and_warped_prev, num_resblock):
    """Frame-recurrent generator.

    lr_and_warped_prev: (B, H, W, 3 + 48), the LR frame in [0, 1] and the space-to-depth packed,
    warped previous output. Returns (B, 4H, 4W, 3) in [-1, 1]: the network predicts a residual
    over the x4 bicubic upsampling of the LR frame.
    """
    net = to_channel_first(lr_and_warped_prev)
    lr_frame = net[:, 0:3]
    with nn.parameter_scope("generator_unit"):
        with nn.parameter_scope("input_stage"):
            net = F.relu(conv(net, 64, "conv"))
        for block in range(1, num_resblock + 1):
            net = residual_block(net, f"resblock_{block}")
        with nn.parameter_scope("conv_tran2highres"):
            net = F.relu(deconv_x2(net, 64, "conv_tran1"))
            net = F.relu(deconv_x2(net, 64, "conv_tran2"))
        with nn.parameter_scope("output_stage"):
            net = conv(net, 3, "conv") + bicubic_four_channel_first(lr_frame)
    return to_channel_last(net * 2 - 1)


def _flow_block(x, channels, name, resample):
    with nn.parameter_scope(name):
        net = F.leaky_relu(conv(x, channels, "conv_1"), 0.2)
        net = F.leaky_relu(conv(net, channels, "conv_2"), 0.2)
        return resample(net)


def _max_pool_x2(x):
    return F.max_pooling(x, (2, 2))


def _linear_upsample_x2(x):
    # NNabla 1.39 defaults: align_corners=False, half_pixel=False (TF1's resize_images mapping).
    return F.interpolate(x, scale=(2, 2), mode="linear", align_corners=False, half_pixel=False)


def flow_estimator(previous_and_current):
    """Flow estimator (FNet).

    previous_and_current: (B, H, W, 6), the previous and the current LR frame. Returns the LR flow
    (B, 8*(H//8), 8*(W//8), 2) in the dense_image_warp convention (row, column), within +-24.
    """
    net = to_channel_first(previous_and_current)
    with nn.parameter_scope("autoencode_unit"):
        for index, channels in enumerate((32, 64, 128), start=1):
            net = _flow_block(net, channels, f"encoder_{index}", _max_pool_x2)
        for index, channels in enumerate((256, 128, 64), start=1):
            net = _flow_block(net, channels, f"decoder_{index}", _linear_upsample_x2)
        with nn.parameter_scope("output_stage"):
            net = F.leaky_relu(conv(net, 32, "conv1"), 0.2)
            net = F.tanh(conv(net, 2, "conv2")) * FLOW_MAX_VELOCITY
    return to_channel_last(net)


DISCRIMINATOR_BLOCKS = (("disblock_1", 64), ("disblock_3", 64), ("disblock_5", 128), ("disblock_7", 256))


def discriminator(packed_triplets, batch_stat=True):
    """Spatio-temporal discriminator.

    packed_triplets: (B, H, W, 27). Returns (probability (B, H/16, W/16, 1), the four block
    outputs, NHWC, for the feature loss).
    """
    net = F.leaky_relu(conv(to_channel_first(packed_triplets), 64, "conv"), 0.2)
    features = []
    for name, channels in DISCRIMINATOR_BLOCKS:
        with nn.parameter_scope(name):
            net = conv(net, channels, "", kernel=4, stride=2, with_bias=False)
            net = PF.batch_normalization(net, axes=[1], eps=0.001, no_scale=True, batch_stat=batch_stat)
            net = F.leaky_relu(net, 0.2)
        features.append(to_channel_last(net))
    logits = PF.affine(features[-1], 1, base_axis=3, name="affine0")
    return F.sigmoid(logits), features
