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


def ping_pong_loss(forward_outputs, backward_outputs):
    """Mean L1 between the outputs of the forward pass and those of the backward pass over the same
    frames (the backward outputs reversed in time to line up), (B, T-1, H, W, 3) each."""
    return F.mean(F.abs(forward_outputs - backward_outputs))


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


def vgg_feature_loss(generated_features, target_features):
    """Sum over VGG19 layers of 1 - mean cosine similarity of the channel-normalised features."""
    total = 0
    for generated, target in zip(generated_features, target_features):
        total = total + (1.0 - F.mean(F.sum(generated * target, axis=3)))
    return total
