"""Resampling, warping, packing and frame-selection ops of TecoGAN as NNabla graph functions.

Public functions take and return NHWC variables, as the reference does. The fixed-filter
resamplers run as one grouped convolution on the channel-first layout (what NNabla's CPU
backend implements) followed by depth-to-space, so that they stay differentiable with respect to
their input and cost one kernel call instead of dozens of slices.
"""
import numpy as np
import nnabla as nn
import nnabla.functions as F

SCALES = (2, 4)  # the super-resolution factors a model can have (train.scale; read from a model's weights)
PAPER_SCALE = 4  # the paper's factor: that of the official weights and of every graph not told otherwise


def to_channel_first(x):
    """(B, H, W, C) -> (B, C, H, W)."""
    return F.transpose(x, (0, 3, 1, 2))


def to_channel_last(x):
    """(B, C, H, W) -> (B, H, W, C)."""
    return F.transpose(x, (0, 2, 3, 1))


def keys_cubic_weights(t, a=-0.75):
    """Weights of the 4 taps at offsets -1, 0, 1, 2 for a sample at fractional position t.

    Keys' cubic convolution kernel with a = -0.75, as TF1's resize_bicubic uses.
    """
    def kernel(d):
        d = abs(d)
        if d <= 1:
            return (a + 2) * d ** 3 - (a + 3) * d ** 2 + 1
        if d < 2:
            return a * d ** 3 - 5 * a * d ** 2 + 8 * a * d - 4 * a
        return 0.0
    return np.array([kernel(t + 1), kernel(t), kernel(1 - t), kernel(2 - t)])


def linear_weights(t):
    """Weights of the 2 taps at offsets 0, 1 for a sample at fractional position t."""
    return np.array([1 - t, t])


def _phase_filters(taps_for_phase, channels, scale):
    """Grouped-convolution weight (channels * scale^2, 1, k, k): one 2-D filter per output phase.

    Output pixel (scale*i + py, scale*j + px) samples the input at (i + py/scale, j + px/scale),
    TF1's mapping without half-pixel centres.
    """
    phases = [taps_for_phase(p / scale) for p in range(scale)]
    filters = np.stack([np.outer(phases[py], phases[px])
                        for py in range(scale) for px in range(scale)])
    filters = np.tile(filters[None], (channels, 1, 1, 1)).reshape(-1, 1, *filters.shape[1:])
    return nn.Variable.from_numpy_array(filters.astype(np.float32))


def _depth_to_space_channel_first(x, channels, scale):
    """(B, C*S*S, H, W) with channel c*S*S + py*S + px -> (B, C, H*S, W*S)."""
    batch, _, height, width = x.shape
    x = F.reshape(x, (batch, channels, scale, scale, height, width))
    x = F.transpose(x, (0, 1, 4, 2, 5, 3))
    return F.reshape(x, (batch, channels, height * scale, width * scale))


def _upscale_channel_first(x, taps_for_phase, pad_before, pad_after, scale):
    """Upsampling of (B, C, H, W) by `scale` with edge-clamped borders and a fixed separable filter."""
    channels = x.shape[1]
    padded = F.pad(x, (pad_before, pad_after, pad_before, pad_after), mode="repeat")
    filters = _phase_filters(taps_for_phase, channels, scale)
    phases = F.convolution(padded, filters, group=channels)  # (B, C*scale^2, H, W)
    return _depth_to_space_channel_first(phases, channels, scale)


def bicubic_upscale_channel_first(x, scale):
    """Bicubic upsampling of (B, C, H, W) by `scale`; equals TF1 tf.image.resize_bicubic
    (align_corners=False)."""
    return _upscale_channel_first(x, keys_cubic_weights, 1, 2, scale)


def bilinear_upscale_channel_first(x, scale):
    """Bilinear upsampling of (B, C, H, W) by `scale`; equals TF1 tf.image.resize_bilinear
    (align_corners=False)."""
    return _upscale_channel_first(x, linear_weights, 0, 1, scale)


def bicubic_upscale(x, scale):
    """Bicubic upsampling of an NHWC variable (B, H, W, C) -> (B, scale*H, scale*W, C)."""
    return to_channel_last(bicubic_upscale_channel_first(to_channel_first(x), scale))


def bicubic_upscale_frames(lr_frames, scale):
    """Bicubic upsampling of LR frames in numpy ((N, H, W, C) or a list of (H, W, C)) by `scale` -> (N,
    scale*H, scale*W, C): the bicubic baseline the demo, validation and benchmarks show beside ours."""
    upsampled = bicubic_upscale(nn.Variable.from_numpy_array(np.stack(lr_frames)), scale)
    upsampled.forward()
    return upsampled.d


def bilinear_upscale(x, scale):
    """Bilinear upsampling of an NHWC variable (B, H, W, C) -> (B, scale*H, scale*W, C); used for flow
    fields."""
    return to_channel_last(bilinear_upscale_channel_first(to_channel_first(x), scale))


def warp_by_flow(images, flow):
    """Backward warp with the semantics of tfa.image.dense_image_warp.

    images (B, H, W, C), flow (B, H, W, 2) with flow[..., 0] the row and flow[..., 1] the column
    displacement: out[b, y, x] = images[b, y - flow_y, x - flow_x], bilinear, clamped at the
    borders. NNabla's warp_by_flow adds (x, y) offsets, hence the negation and channel swap.
    """
    nnabla_flow = -F.concatenate(flow[:, :, :, 1:2], flow[:, :, :, 0:1], axis=3)
    warped = F.warp_by_flow(to_channel_first(images), to_channel_first(nnabla_flow))
    return to_channel_last(warped)


def space_to_depth(x, scale):
    """(B, sH, sW, C) -> (B, H, W, s*s*C) for s = scale; channel index = (dy*s + dx)*C + c."""
    batch, height, width, channels = x.shape
    x = F.reshape(x, (batch, height // scale, scale, width // scale, scale, channels))
    x = F.transpose(x, (0, 1, 3, 2, 4, 5))
    return F.reshape(x, (batch, height // scale, width // scale, scale * scale * channels))


def frames_batch(sequence):
    """(B, T, H, W, C) -> (B * T, H, W, C)."""
    return F.reshape(sequence, (sequence.shape[0] * sequence.shape[1],) + sequence.shape[2:])


def frames_at(sequence, indices):
    """Frames `indices` of (B, T, ...) in that order: (B, len(indices), ...)."""
    frames = [sequence[:, index:index + 1] for index in indices]
    return frames[0] if len(frames) == 1 else F.concatenate(*frames, axis=1)
