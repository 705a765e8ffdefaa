"""The three networks of TecoGAN: frame-recurrent generator, flow estimator, discriminator.

Inputs and outputs are NHWC, as in the reference. Inside, every network runs channel-first
(NCHW), the layout NNabla implements on both CPU and cuDNN, so there is one transpose at the
entry and one at the exit instead of one around every layer. Parameters are created in the
channel-first layout; utils/weights.py transposes them to and from the official channel-last
files, so parameter names and file shapes equal the official NNabla weights.
"""
import nnabla as nn
import nnabla.functions as F
import nnabla.initializer as I
import nnabla.parametric_functions as PF
from nnabla.parameter import get_parameter_or_create

from utils.errors import UserError
from utils.ops import (SCALES, bicubic_upscale_channel_first, bilinear_upscale, frames_at, frames_batch,
                       space_to_depth, to_channel_first, to_channel_last, warp_by_flow)

FLOW_MAX_VELOCITY = 24.0  # tanh output scaled to +-24 LR pixels, as in the paper
GENERATOR_SCOPE = "generator"  # parameter scopes of the released weight files
FLOW_SCOPE = "fnet"
DISCRIMINATOR_SCOPE = "discriminator"  # a top-level scope of the training graph, as in the reference


def conv(x, channels, name, kernel=3, stride=1, with_bias=True):
    """Convolution with 'same'-style padding 1, named like the reference (name/conv/W)."""
    return PF.convolution(x, channels, (kernel, kernel), pad=(1, 1), stride=(stride, stride),
                          with_bias=with_bias, name=name)


def deconv_x2(x, channels, name):
    """3x3 transposed convolution, stride 2: (B, C, H, W) -> (B, channels, 2H, 2W)."""
    return PF.deconvolution(x, channels, (3, 3), pad=(1, 1), stride=(2, 2), output_padding=(1, 1), name=name)


def conv_few_outputs(x, channels, name):
    """3x3 convolution, pad 1, for a few output channels on a large image (the generator's last layer).

    Parameters are those of PF.convolution (name/conv/W of shape (channels, C, 3, 3)). Computed as
    one 1x1 convolution to 9 * channels maps (a plain matrix product) and a sum of the 9 shifted
    maps, avoiding an im2col buffer 9 times the size of the input for a 3-row matrix product.
    """
    batch, in_channels, height, width = x.shape
    with nn.parameter_scope(name), nn.parameter_scope("conv"):  # created as PF.convolution creates them
        limit = I.calc_uniform_lim_glorot(in_channels, channels, (3, 3))
        weight = get_parameter_or_create("W", (channels, in_channels, 3, 3), I.UniformInitializer(limit),
                                         True)
        bias = get_parameter_or_create("b", (channels,), I.ConstantInitializer(), True)
    per_tap = F.reshape(F.transpose(weight, (2, 3, 0, 1)), (9 * channels, in_channels, 1, 1))
    tap_maps = F.pad(F.convolution(x, per_tap), (1, 1, 1, 1))  # (B, 9*channels, H+2, W+2)
    total = F.reshape(bias, (1, channels, 1, 1))
    for tap in range(9):
        ky, kx = divmod(tap, 3)
        total = total + tap_maps[:, tap * channels:(tap + 1) * channels, ky:ky + height, kx:kx + width]
    return total


def residual_block(x, name):
    with nn.parameter_scope(name):
        net = F.relu(conv(x, 64, "conv_1"))
        return conv(net, 64, "conv_2") + x


def generator_input_channels(scale):
    """Channels of the generator's input at a scale: the LR frame and the space-to-depth packed warped
    output."""
    return 3 + 3 * scale * scale


def scale_of_generator_input(channels):
    """The scale whose generator takes `channels` input channels, or None when none does."""
    return next((scale for scale in SCALES if generator_input_channels(scale) == channels), None)


# (64, 3, 3, 3 + 3*s*s) in a file
GENERATOR_INPUT_WEIGHT = f"{GENERATOR_SCOPE}/generator_unit/input_stage/conv/conv/W"
# The most generator residual blocks a flag or setting takes: far beyond the paper's 16, and a mistyped
# 10000000000 would otherwise build its graph without end.
MAX_RESBLOCKS = 1000


def model_scale(file_arrays, source):
    """The scale of a model file's generator ({name: array in file layout}), read from its input convolution's
    channels; UserError naming the file when they fit no scale. None when the file holds no generator."""
    weight = file_arrays.get(GENERATOR_INPUT_WEIGHT)
    if weight is None:
        return None
    scale = scale_of_generator_input(weight.shape[-1]) if weight.ndim == 4 else None
    if scale is None:
        expected = ", ".join(f"{generator_input_channels(each)} (x{each})" for each in SCALES)
        raise UserError(
            f"weights file '{source}': the generator's input convolution has shape {weight.shape}, whose "
            f"input channels fit no scale ({expected}); use a model file saved by train.py or an "
            "official NNabla model")
    return scale


def generator_trunk(lr_and_warped_prev, num_resblock):
    """The generator's LR part: input stage and residual blocks.

    lr_and_warped_prev: (B, 3 + 3*s*s, H, W) channel-first, s the scale. Returns (B, 64, H, W) features; each
    output pixel sees generator_trunk_halo(num_resblock) input pixels on every side (one per 3x3 convolution).
    """
    with nn.parameter_scope("generator_unit"):
        with nn.parameter_scope("input_stage"):
            net = F.relu(conv(lr_and_warped_prev, 64, "conv"))
        for block in range(1, num_resblock + 1):
            net = residual_block(net, f"resblock_{block}")
    return net


def generator_tail(features, lr_frame, scale):
    """The generator's upsampling part: (B, 64, H, W) features and the (B, 3, H, W) LR frame -> (B, 3, sH, sW)
    in about [0, 1] for s = scale, a residual over the bicubic upsampling of the LR frame by s.

    One stride-2 transposed convolution per doubling: conv_tran1 at x2, conv_tran1 and conv_tran2 at x4 (the
    paper's). Each output pixel sees GENERATOR_TAIL_HALO LR pixels on every side.
    """
    net = features
    with nn.parameter_scope("generator_unit"):
        with nn.parameter_scope("conv_tran2highres"):
            for doubling in range(1, scale.bit_length()):  # 1 .. log2(scale)
                net = F.relu(deconv_x2(net, 64, f"conv_tran{doubling}"))
        with nn.parameter_scope("output_stage"):
            return conv_few_outputs(net, 3, "conv") + bicubic_upscale_channel_first(lr_frame, scale)


def generator_trunk_halo(num_resblock):
    """LR pixels beyond which a trunk output cannot see: the input stage and two convolutions per block."""
    return 2 * num_resblock + 1


# LR pixels the tail's output at LR pixel i reaches on either side at both scales: the transposed convolutions
# read LR pixels i and i + 1, the 3x3 output convolution a fraction of a pixel more, the bicubic i - 1 .. i +
# 2.
GENERATOR_TAIL_HALO = 2


def generator_input(lr_frame, warped_prev_hr):
    """The frame-recurrent generator's input: (B, h, w, 3) LR frame and (B, sh, sw, 3) previous output
    warped onto it, in [0, 1] -> (B, h, w, 3 + 3*s*s), the warped output packed by space_to_depth."""
    return F.concatenate(lr_frame,
                         space_to_depth(warped_prev_hr, warped_prev_hr.shape[1] // lr_frame.shape[1]),
                         axis=3)


def generator(lr_and_warped_prev, num_resblock):
    """Frame-recurrent generator.

    lr_and_warped_prev: (B, H, W, 3 + 3*s*s), the LR frame in [0, 1] and the space-to-depth packed,
    warped previous output; its channels give the scale s. Returns (B, sH, sW, 3) in [-1, 1]: the
    network predicts a residual over the bicubic upsampling of the LR frame by s.
    """
    net = to_channel_first(lr_and_warped_prev)
    scale = scale_of_generator_input(net.shape[1])
    return to_channel_last(generator_tail(generator_trunk(net, num_resblock), net[:, 0:3], scale) * 2 - 1)


FLOW_NET_STRIDE = 8  # the flow estimator pools three times by 2
# LR pixels beyond which a flow net output cannot see, rounded up to the stride: moving one input pixel
# changes outputs up to 58 pixels away (tests/test_inference.py checks that tiles of this halo are exact).
FLOW_NET_HALO = 64


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


def discriminator(packed_triplets):
    """Spatio-temporal discriminator.

    packed_triplets: (B, H, W, 27), as discriminator_inputs below makes them. Returns (probability
    (B, H/16, W/16, 1), the four block outputs, NHWC, for the feature loss). Batch normalisation always
    uses the batch's statistics, as the reference's discriminator does in training (it is never run for
    inference).
    """
    net = F.leaky_relu(conv(to_channel_first(packed_triplets), 64, "conv"), 0.2)
    features = []
    for name, channels in DISCRIMINATOR_BLOCKS:
        with nn.parameter_scope(name):
            net = conv(net, channels, "", kernel=4, stride=2, with_bias=False)
            net = PF.batch_normalization(net, axes=[1], eps=0.001, no_scale=True)
            net = F.leaky_relu(net, 0.2)
        features.append(to_channel_last(net))
    logits = PF.affine(features[-1], 1, base_axis=3, name="affine0")
    return F.sigmoid(logits), features


def discriminator_inputs(real_frames, generated_frames, lr_frames, flow_hr, crop_dt):
    """What the spatio-temporal discriminator is shown of the real and of the generated ping-pong sequence.

    TecoGAN's discriminator judges appearance and motion at once. It sees three consecutive frames,
    the same three with the outer two warped onto the middle one by the estimated motion (so that
    frames that move inconsistently stand out as misaligned), and the three LR input frames
    upsampled to the HR size (so that it judges the frames as outputs for that input). Real and
    generated triplets are packed alike, with the same motion and the same LR frames.

    Training runs on the ping-pong sequence (losses.ping_pong: L = 2T-1 frames, frame p and frame
    L-1-p alike), and the flow net gives forward flows only: flow k warps frame k onto frame k+1.
    Triplet j is frames 3j, 3j+1, 3j+2 of the first 3 * (L // 3). Its previous frame is warped by
    flow 3j. Its next frame needs the motion from frame 3j+2 back to frame 3j+1, which the mirrored
    half of the sequence holds going forward: flow L-3-3j, from frame L-1-(3j+2) to L-1-(3j+1). The
    middle frame is warped by a zero flow. The flows carry no gradient: the discriminator does not
    train the flow net (TecoGAN supplement). Near the border a warp reads clamped copies of the edge,
    so only the centre crop_dt fraction of the warped frames is kept; the rest is zero.

    real_frames, generated_frames (B, L, sh, sw, 3) in [-1, 1] for s the scale; lr_frames (B, L, h, w, 3);
    flow_hr (B, L-1, sh, sw, 2). Returns the real and the generated input, (B * (L // 3), sh, sw, 27) each
    with triplet j of sample b at b * (L // 3) + j, and the generated frames they show, (B * 3 * (L // 3),
    sh, sw, 3), where the discriminator's own update cuts the gradient into the generator. Channels: 0..8
    the frames, 9..17 the warped frames, 18..26 the LR frames bilinearly upsampled by s; in each group
    channel c of triplet frame k (0, 1, 2) at 3c + k, as the reference packs them.
    """
    batch, length, height, width = real_frames.shape[:4]
    triplets = length // 3
    num_frames = 3 * triplets
    previous = frames_at(flow_hr, [3 * j for j in range(triplets)])
    following = frames_at(flow_hr, [length - 3 - 3 * j for j in range(triplets)])
    stacked = F.stack(previous, F.constant(0, previous.shape), following, axis=2)  # (B, L//3, 3, sh, sw, 2)
    flows = F.reshape(stacked, (batch * num_frames, height, width, 2))
    flows.need_grad = False
    margin_y, margin_x = (height - int(height * crop_dt)) // 2, (width - int(width * crop_dt)) // 2

    def pack(frames):  # (B * 3 * (L//3), H, W, C) -> (B * (L//3), H, W, 3C), channel c of frame k at 3c + k
        size, channels = frames.shape[1:3], frames.shape[3]
        by_triplet = F.transpose(F.reshape(frames, (batch * triplets, 3) + size + (channels, )),
                                 (0, 2, 3, 4, 1))
        return F.reshape(by_triplet, (batch * triplets,) + size + (3 * channels,))

    lr_packed = to_channel_first(pack(frames_batch(lr_frames[:, :num_frames])))
    scale = height // lr_frames.shape[2]
    lr_upsampled = to_channel_last(F.interpolate(lr_packed, scale=(scale, scale), mode="linear",
                                                 align_corners=False, half_pixel=False))

    def shown(sequence):
        frames = frames_batch(sequence[:, :num_frames])
        warped = pack(warp_by_flow(frames, flows))[:, margin_y:height - margin_y, margin_x:width - margin_x]
        warped = F.pad(warped, (margin_y, margin_y, margin_x, margin_x, 0, 0))
        return F.concatenate(pack(frames), warped, lr_upsampled, axis=3), frames

    real_input, _ = shown(real_frames)
    generated_input, generated_triplet_frames = shown(generated_frames)
    return real_input, generated_input, generated_triplet_frames


def estimate_sequence_flows(lr_frames):
    """LR flow of every consecutive pair: (B, T, h, w, 3) -> (B * (T-1), h, w, 2), pair (t-1, t) at t-1.

    The flow net sees the previous frame first, then the current one.
    """
    batch, length, height, width, channels = lr_frames.shape
    pairs = F.concatenate(lr_frames[:, :-1], lr_frames[:, 1:], axis=4)  # (B, T-1, h, w, 6)
    with nn.parameter_scope(FLOW_SCOPE):
        return flow_estimator(F.reshape(pairs, (batch * (length - 1), height, width, 2 * channels)))


def flow_to_high_res(flow_lr, scale):
    """LR flow in LR pixels -> HR flow in HR pixels: bilinear upsampling of the flow by the scale, times the
    scale."""
    return bilinear_upscale(flow_lr * scale, scale)


def generate_sequence(lr_frames, flow_hr, num_resblock):
    """Unroll the frame-recurrent generator over a sequence.

    lr_frames (B, T, h, w, 3) in [0, 1]; flow_hr (B, T-1, sh, sw, 2) for s the scale, entry t-1 warping
    frame t-1 onto t. Frame 0 gets zeros in place of the warped previous output; frame t gets the output of
    frame t-1 warped by flow_hr[:, t-1], mapped to [0, 1] and space-to-depth packed. Returns
    (B, T, sh, sw, 3) in [-1, 1].
    """
    batch, length = lr_frames.shape[:2]
    warped_prev_hr = F.constant(0, (batch,) + flow_hr.shape[2:4] + (3,))
    outputs = []
    for frame in range(length):
        with nn.parameter_scope(GENERATOR_SCOPE):
            output = generator(generator_input(lr_frames[:, frame], warped_prev_hr), num_resblock)
        outputs.append(output)
        if frame + 1 < length:
            warped_prev_hr = (warp_by_flow(output, flow_hr[:, frame]) + 1) / 2
    return F.stack(*outputs, axis=1)
