"""utils/metrics.py against independent computations: scikit-image, OpenCV, hand-made cases."""
import glob

import cv2
import numpy as np
import pytest
from skimage.color import rgb2ycbcr
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from conftest import shared_path
from utils import metrics


def calendar_frame(index):
    path = sorted(glob.glob(shared_path("data", "calendar_lr", "*.png")))[index]
    return cv2.imread(path)[:, :, ::-1].copy()


def degraded(rgb, seed=0):
    """A blurred, noisy 8-bit copy of rgb: a stand-in for a super-resolved frame."""
    noise = np.random.RandomState(seed).normal(0, 6, rgb.shape)
    return np.clip(cv2.GaussianBlur(rgb, (0, 0), 1.2) + noise, 0, 255).round().astype(np.uint8)


def test_scored_frames_leave_out_two_at_each_end():
    assert list(metrics.scored_frames(41)) == list(range(2, 39))
    assert list(metrics.scored_frames(5)) == [2]
    assert list(metrics.scored_frames(4)) == []


def test_crop_of_vid4_frames_is_544x704_at_16_8():
    assert metrics.crop_box(576, 720) == (16, 8, 544, 704)


@pytest.mark.parametrize("length", range(48, 400, 7))
def test_crop_keeps_the_largest_multiple_of_32_that_cuts_at_least_16(length):
    expected = (length - 16) // 32 * 32
    y, x, h, w = metrics.crop_box(length, length + 1)
    assert h == expected and y == (length - expected) // 2
    assert w == (length + 1 - 16) // 32 * 32 and x == (length + 1 - w) // 2


def test_crop_cuts_the_centre():
    image = np.arange(144 * 180).reshape(144, 180)
    assert np.array_equal(metrics.crop(image), image[8:136, 10:170])


def test_luma_of_black_white_and_red_follows_bt601_studio_swing():
    colours = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0]]], np.uint8)
    assert np.allclose(metrics.luma(colours), [[16.0, 235.0, 16 + 65.481]], atol=1e-9)


def test_luma_rounds_and_clips_before_converting():
    assert np.allclose(metrics.luma(np.array([[[254.6, -3.0, 300.0]]])),
                       metrics.luma(np.array([[[255, 0, 255]]], np.uint8)), atol=0)


def test_luma_equals_scikit_image_ycbcr():
    rgb = calendar_frame(3)
    assert np.allclose(metrics.luma(rgb), rgb2ycbcr(rgb)[:, :, 0], atol=1e-9)


def test_psnr_equals_scikit_image_on_the_y_channel():
    target = calendar_frame(10)
    output = degraded(target)
    y_target, y_output = rgb2ycbcr(target)[:, :, 0], rgb2ycbcr(output)[:, :, 0]
    assert metrics.psnr(target, output) == pytest.approx(
        peak_signal_noise_ratio(y_target, y_output, data_range=255), abs=1e-9)


def test_psnr_of_a_uniform_grey_offset():
    target = np.full((20, 30, 3), 100, np.uint8)
    output = np.full((20, 30, 3), 110, np.uint8)
    y_difference = 10 * (0.256788235294118 + 0.504129411764706 + 0.097905882352941)
    assert metrics.psnr(target, output) == pytest.approx(20 * np.log10(255 / y_difference), abs=1e-9)


def test_psnr_of_identical_images_is_infinite():
    frame = calendar_frame(0)
    assert metrics.psnr(frame, frame) == float("inf")


def test_ssim_equals_scikit_image_with_the_prediction_range():
    target = calendar_frame(20)
    output = degraded(target, seed=1)
    y_target, y_output = rgb2ycbcr(target)[:, :, 0], rgb2ycbcr(output)[:, :, 0]
    expected = structural_similarity(y_target, y_output, win_size=7, gaussian_weights=False,
                                     use_sample_covariance=True, data_range=y_output.max() - y_output.min())
    assert metrics.ssim(target, output) == pytest.approx(expected, abs=1e-12)


def test_ssim_range_comes_from_the_output_not_the_target():
    target = calendar_frame(20)
    output = (degraded(target, seed=2) // 2 + 64).astype(np.uint8)  # a narrower range than the target's
    y_target, y_output = rgb2ycbcr(target)[:, :, 0], rgb2ycbcr(output)[:, :, 0]
    with_target_range = structural_similarity(y_target, y_output, data_range=y_target.max() - y_target.min())
    with_output_range = structural_similarity(y_target, y_output, data_range=y_output.max() - y_output.min())
    assert abs(with_target_range - with_output_range) > 1e-4
    assert metrics.ssim(target, output) == pytest.approx(with_output_range, abs=1e-12)


def test_ssim_of_identical_images_is_one():
    frame = calendar_frame(5)
    assert metrics.ssim(frame, frame) == pytest.approx(1.0, abs=1e-12)


def test_ssim_of_a_flat_output_is_nan_without_warnings():
    """A frame of one colour (a fade to black) has a data range of 0: numpy printed two warning lines."""
    import warnings
    flat = np.zeros((64, 64, 3), np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(metrics.ssim(flat, flat))


def test_grey_weights_red_green_blue_as_bt601():
    rgb = calendar_frame(7).astype(np.float64)
    expected = 0.299 * rgb[:, :, 0] + 0.587 * rgb[:, :, 1] + 0.114 * rgb[:, :, 2]
    assert np.abs(metrics.grey(calendar_frame(7)) - expected).max() < 1  # OpenCV rounds fixed-point weights


def farneback(previous, current):
    """The authors' call, written out: pyr_scale 0.5, levels 3, winsize 15, iterations 3, poly_n 5, sigma
    1.2."""
    return cv2.calcOpticalFlowFarneback(previous, current, None, 0.5, 3, 15, 3, 5, 1.2, 0)


def test_tof_of_identical_pairs_is_zero():
    first, second = metrics.grey(calendar_frame(0)), metrics.grey(calendar_frame(1))
    assert metrics.tof(first, second, first, second) == 0.0


def test_tof_computes_flow_on_whole_frames_then_crops():
    frames = [metrics.grey(calendar_frame(i)) for i in (0, 1)]
    outputs = [metrics.grey(degraded(calendar_frame(i), seed=i)) for i in (0, 1)]
    difference = farneback(*frames)[8:136, 10:170] - farneback(*outputs)[8:136, 10:170]
    expected = np.linalg.norm(difference, axis=-1).mean()
    on_crops = np.linalg.norm(farneback(*[f[8:136, 10:170] for f in frames])
                              - farneback(*[o[8:136, 10:170] for o in outputs]), axis=-1).mean()
    assert abs(on_crops - expected) > 1e-4  # cropping first would give another number
    assert metrics.tof(frames[0], frames[1], outputs[0], outputs[1]) == pytest.approx(expected, rel=1e-6)


def test_tlp100_is_the_scaled_absolute_difference():
    assert metrics.tlp100(0.0125, 0.0100) == pytest.approx(0.25)
    assert metrics.tlp100(0.0100, 0.0125) == pytest.approx(0.25)


def spike_frames(spike_heights, size=5, grey_level=100):
    """Flat grey 8-bit frames, each with one spike of the given height at its centre."""
    frames = np.full((len(spike_heights), size, size, 3), grey_level, np.uint8)
    for frame, height in zip(frames, spike_heights):
        frame[size // 2, size // 2] += height
    return frames


def test_high_frequency_energy_is_the_mean_squared_laplacian_of_the_scored_frames_only():
    # the scored frame (3 of 5) holds a spike of 10: Laplacian -40 there and 10 at its 4 neighbours, so the
    # energy is (1600 + 4 x 100) / 25 pixels; the unscored frames' spikes of 50 must not count
    assert metrics.high_frequency_energy(spike_frames([50, 50, 10, 50, 50])) == pytest.approx(2000 / 25)
    # frames 3..N-2: with 7 frames, frames 3, 4 and 5 (spikes of 10, none, 20) average to (80 + 0 + 320) / 3
    assert metrics.high_frequency_energy(spike_frames([50, 50, 10, 0, 20, 50, 50])) == pytest.approx(400 / 3)


def test_high_frequency_ratio_is_the_output_energy_over_the_targets():
    target, output = spike_frames([0, 0, 20, 0, 0]), spike_frames([90, 90, 10, 90, 90])
    # half the spike, a quarter the energy
    assert metrics.high_frequency_ratio(target, output) == pytest.approx(0.25)
    assert metrics.high_frequency_ratio(target, target) == pytest.approx(1.0)
