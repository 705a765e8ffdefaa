"""The losses of FRVSR and TecoGAN, each a plain function of NNabla variables (NHWC)."""
import nnabla.functions as F


def per_pixel_squared_error(frames, targets):
    """Mean over pixels of the squared error summed over channels: mean(sum_c (x - y)^2)."""
    return F.mean(F.sum(F.squared_error(frames, targets), axis=3))


def content_loss(generated_frames, target_frames):
    """L2 content loss between generated and target HR frames, both in [-1, 1]."""
    return per_pixel_squared_error(generated_frames, target_frames)


def warp_loss(current_lr_frames, warped_previous_lr_frames):
    """How well the estimated LR flow maps frame t-1 onto frame t (trains the flow net)."""
    return per_pixel_squared_error(current_lr_frames, warped_previous_lr_frames)
