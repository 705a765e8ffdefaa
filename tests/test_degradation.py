"""The degradations (utils/degradation.py): bd against OpenCV's blur, bi against MATLAB's documented imresize
algorithm, written out here; the one function serves training, validation, generate.py and the demo, and a
model_param file records which one its model was trained with."""
import math
import os
import shutil

import cv2
import h5py
import nnabla as nn
import numpy as np
import pytest

import demo
import generate
from conftest import reference_path, shared_path
from data_loader import hr_crop_size
from inference import SuperResolver
from utils.degradation import (DEGRADATION_ATTRIBUTE, degrade, degrade_frames, margin, model_degradation,
                               record_degradation)
from utils.frame_names import list_frames
from utils.image_io import read_rgb
from training.validation import read_clip
from utils.weights import save_weights

RNG = np.random.default_rng(7)
WEIGHTS = reference_path("parity_generate_strong", "weights.h5")


def matlab_cubic(x):
    """The kernel of MATLAB's imresize.m ('bicubic'), as its source defines it."""
    absx = np.abs(x)
    return ((1.5 * absx ** 3 - 2.5 * absx ** 2 + 1) * (absx <= 1)
            + (-0.5 * absx ** 3 + 2.5 * absx ** 2 - 4 * absx + 2) * ((absx > 1) & (absx <= 2)))


def matlab_contributions(in_length, out_length, scale):
    """(weights, 0-based indices) per output pixel, step by step as imresize.m's contributions() with
    antialiasing: 1-based output u maps to x = u / scale + 0.5 * (1 - 1 / scale), the kernel is widened by
    1 / scale, out-of-range indices are mirrored with the edge repeated."""
    kernel_width = 4 / scale
    u = np.arange(1, out_length + 1)
    x = u / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(x - kernel_width / 2)
    taps = int(math.ceil(kernel_width)) + 2
    indices = left[:, None] + np.arange(taps)[None]  # 1-based, as MATLAB's left + (0:P-1)
    weights = scale * matlab_cubic(scale * (x[:, None] - indices))
    weights /= weights.sum(axis=1, keepdims=True)
    mirror = np.concatenate([np.arange(1, in_length + 1), np.arange(in_length, 0, -1)])
    indices = mirror[(indices.astype(int) - 1) % len(mirror)]
    return weights, indices - 1


def matlab_imresize(image, scale):
    """imresize(image, 1 / scale) of a float image: rows first, then columns (its order for equal scales)."""
    out = image.astype(np.float64)
    for axis in (0, 1):
        out_length = math.ceil(out.shape[axis] / scale)
        weights, indices = matlab_contributions(out.shape[axis], out_length, 1 / scale)
        moved = np.moveaxis(out, axis, 0)
        out = np.moveaxis(np.einsum("ot,ot...->o...", weights, moved[indices]), 0, axis)
    return out


@pytest.mark.parametrize("scale, height, width", [(4, 37, 50), (4, 64, 48), (2, 21, 30), (3, 20, 23)])
def test_bi_is_matlabs_bicubic_imresize_with_antialiasing(scale, height, width):
    hr = RNG.random((height, width, 3)).astype(np.float32)
    np.testing.assert_allclose(degrade_frames(hr, "bi", scale), matlab_imresize(hr, scale), rtol=0, atol=2e-6)


def test_bi_keeps_a_linear_ramp_at_the_centre_of_each_lr_pixel():
    ramp = np.tile(np.arange(64, dtype=np.float32)[None, :, None] / 64, (16, 1, 3))
    lr = degrade_frames(ramp, "bi")
    centres = (4 * np.arange(16) + 1.5) / 64  # LR pixel i is centred on HR position 4i + 1.5
    np.testing.assert_allclose(lr[2, 2:-2, 0], centres[2:-2], atol=1e-6)  # away from the mirrored borders


def test_bd_is_the_gaussian_blur_mirrored_at_the_borders_and_every_fourth_pixel_from_the_first():
    hr = RNG.random((45, 62, 3)).astype(np.float32)
    profile = cv2.getGaussianKernel(9, 1.5, cv2.CV_64F)
    blurred = cv2.sepFilter2D(hr.astype(np.float64), -1, profile, profile, borderType=cv2.BORDER_REFLECT_101)
    np.testing.assert_allclose(degrade_frames(hr, "bd"), blurred[::4, ::4], rtol=0, atol=1e-6)


@pytest.mark.parametrize("degradation", ["bd", "bi"])
def test_training_crops_give_the_lr_pixels_of_whole_frames_inside_them(degradation):
    hr = RNG.random((2, 48, 56, 3)).astype(np.float32)
    offset = -margin(degradation) % 4  # a crop from here puts its LR pixels on the whole frame's LR grid
    shift = (offset + margin(degradation)) // 4  # crop LR pixel j is whole-frame LR pixel j + shift
    training = degrade(nn.Variable.from_numpy_array(hr[:, offset:, offset:]), degradation)
    training.forward()
    rows, columns = training.shape[1:3]
    whole = degrade_frames(hr, degradation)
    np.testing.assert_allclose(training.d,
                               whole[:, shift:shift + rows, shift:shift + columns],
                               rtol=0,
                               atol=1e-6)


def test_hr_crops_carry_the_reach_of_the_filter_on_every_side():
    assert (margin("bd"), margin("bi"), margin("bi", 2)) == (4, 6, 3)
    assert (hr_crop_size(8, 4), hr_crop_size(8, 4, "bi")) == (40, 44)
    for degradation in ("bd", "bi"):
        lr = degrade(nn.Variable((1, hr_crop_size(8, 4, degradation), hr_crop_size(8, 4, degradation), 3)),
                     degradation)
        assert lr.shape[1:3] == (8, 8)


def test_the_demo_cuts_the_ground_truth_its_lr_frames_sit_on():
    hr = RNG.random((2, 60, 64, 3)).astype(np.float32)
    lr, truth = demo.degrade(hr, 4, "bi")
    assert lr.shape == (2, 12, 13, 3)
    np.testing.assert_array_equal(truth, hr[:, 6:54, 6:58])
    # LR pixel j on truth position 4j + 1.5, i.e. HR 4j + 7.5; the first
    for lr_frame, hr_frame in zip(lr, hr):
        # row and column of imresize of hr[2:, 2:] reach past its border, where it mirrors
        np.testing.assert_allclose(lr_frame[1:, 1:], matlab_imresize(hr_frame[2:, 2:], 4)[2:13, 2:14], rtol=0,
                                   atol=2e-6)


def test_model_files_record_their_degradation_and_official_ones_mean_bd(tmp_path):
    assert model_degradation(WEIGHTS) == "bd"  # no attribute: an official-style file
    path = str(tmp_path / "model.h5")
    save_weights(path, {"generator/w": nn.Variable.from_numpy_array(np.ones(3, np.float32))}, "bi")
    with h5py.File(path, "r") as h5:
        assert h5.attrs[DEGRADATION_ATTRIBUTE] == "bi" and "generator/w" in h5
    assert model_degradation(path) == "bi"


def test_validation_makes_lr_frames_with_the_training_degradation(tmp_path):
    clip = tmp_path / "clip"
    clip.mkdir()
    for path in list_frames(shared_path("data", "calendar_lr"))[:5]:
        shutil.copy(path, clip)
    # 144x180: the centre 128
    hr = np.stack([read_rgb(path) for path in list_frames(str(clip))])[:, 8:136, 24:152]
    for degradation in ("bd", "bi"):
        np.testing.assert_array_equal(read_clip(str(clip), 5, 128, degradation, 4).lr_frames,
                                      degrade_frames(hr, degradation))


def test_generate_degrades_hr_input_as_the_model_file_says(tmp_path):
    hr_dir = tmp_path / "hr"
    hr_dir.mkdir()
    for path in list_frames(shared_path("data", "calendar_lr"))[:3]:
        shutil.copy(path, hr_dir)
    model = str(tmp_path / "bi_model.h5")
    shutil.copy(WEIGHTS, model)
    record_degradation(model, "bi")
    generate.main(["--model", model, "--input-dir-hr", str(hr_dir), "--output-dir", str(tmp_path / "out"),
                   "--cache-dir", str(tmp_path / "cache")])
    hr_frames = [(os.path.splitext(name)[0], read_rgb(str(hr_dir / name)))
                 for name in sorted(os.listdir(hr_dir))]
    resolver = SuperResolver(WEIGHTS, "openvino", "cpu", cache_dir=str(tmp_path / "cache"))
    outputs = {
        degradation: list(
            resolver.sequence([(name, degrade_frames(frame, degradation)) for name, frame in hr_frames]))
        for degradation in ("bi", "bd")
    }
    for (name, bi_output), (_, bd_output) in zip(outputs["bi"], outputs["bd"]):
        written = cv2.imread(str(tmp_path / "out" / f"output_{name}.png"))[:, :, ::-1].astype(int)
        assert np.abs(written - np.rint(np.clip(bd_output, 0, 1) * 255)).max() > 10, name
