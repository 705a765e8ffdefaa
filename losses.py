"""The losses of FRVSR and TecoGAN, each a plain function of NNabla variables (NHWC).

The VGG19 feature loss lives with its network, normalisation and weights in vgg19.py.
"""
import nnabla.functions as F

from utils.ops import frames_at


def per_pixel_squared_error(frames, targets):
    """Mean over pixels of the squared error summed over channels: mean(sum_c (x - y)^2)."""
    return F.mean(F.sum(F.squared_error(frames, targets), axis=3))


def content_loss(generated_frames, target_frames):
    """L2 content loss between generated and target HR frames, both in [-1, 1]."""
    return per_pixel_squared_error(generated_frames, target_frames)


def warp_loss(current_lr_frames, warped_previous_lr_frames):
    """How well the estimated LR flow maps frame t-1 onto frame t (trains the flow net)."""
    return per_pixel_squared_error(current_lr_frames, warped_previous_lr_frames)


def ping_pong(sequence):
    """TecoGAN's ping-pong sequence: frames 0..T-1, then T-2..0 again, (B, T, ...) -> (B, 2T-1, ...).

    Frame p and frame 2T-2-p hold the same input, met once going forward and once going back;
    ping_pong_loss below asks the networks' outputs there to agree (the paper's remedy for drifting
    artefacts), and models.discriminator_inputs takes its backward flows from the second half.
    """
    length = sequence.shape[1]
    return frames_at(sequence, list(range(length)) + list(range(length - 2, -1, -1)))


def ping_pong_loss(outputs):
    """Mean L1 between the forward and the backward outputs of the same frames: outputs (B, 2T-1, H, W, 3)
    over a ping_pong sequence, frame t < T-1 against frame 2T-2-t (the last frame T-1 is met only once)."""
    length = (outputs.shape[1] + 1) // 2
    backward = frames_at(outputs, [2 * length - 2 - frame for frame in range(length - 1)])
    return F.mean(F.abs(outputs[:, :length - 1] - backward))


def adversarial_loss(fake_probability, eps):
    """Generator's GAN loss: mean -log(D(fake) + eps)."""
    return F.mean(-F.log(fake_probability + eps))


def discriminator_loss(real_probability, fake_probability, eps):
    """Discriminator's GAN loss: mean -(log(1 - D(fake) + eps) + log(D(real) + eps))."""
    return F.mean(-(F.log(1 - fake_probability + eps) + F.log(real_probability + eps)))


LAYER_LOSS_SCALE = 0.02  # each discriminator layer's L1 is brought to about this size...
LAYER_NORMS = (12.0, 14.0, 24.0, 100.0)  # ...by its typical value, as in the reference


def discriminator_feature_loss(real_features, fake_features):
    """Sum over the discriminator's four block outputs of 0.02 * mean(sum_c |real - fake|) / norm."""
    total = 0
    for real, fake, norm in zip(real_features, fake_features, LAYER_NORMS):
        total = total + LAYER_LOSS_SCALE * F.mean(F.sum(F.abs(real - fake), axis=3)) / norm
    return total
