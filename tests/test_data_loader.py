"""Training samples: scene discovery, windows, augmentation, determinism and sharding."""
import os

import cv2
import numpy as np
import pytest

from data_loader import SequenceSampler, find_scenes, sequence_windows
from training_data import make_calendar_scenes
from training.config import load_config
from utils.errors import UserError
from utils.image_io import read_rgb
from utils.scene_layout import frame_path, scene_dir


def crop_position(image, crop):
    """(y, x) where crop lies exactly inside image, or None."""
    scores = cv2.matchTemplate(image, crop, cv2.TM_SQDIFF)
    _, _, (x, y), _ = cv2.minMaxLoc(scores)
    return (y, x) if np.array_equal(image[y:y + crop.shape[0], x:x + crop.shape[1]], crop) else None


def config_for(data_dir, **train):
    overrides = {
        "data.input_video_dir": data_dir,
        "data.str_dir": 2000,
        "data.end_dir": 2001,
        "data.max_frm": 11,
        "train.crop_size": 8,
        "train.rnn_n": 3,
        "train.batch_size": 2
    }
    overrides.update({f"train.{key}": value for key, value in train.items()})
    return load_config(overrides=overrides)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return make_calendar_scenes(tmp_path_factory.mktemp("scenes"))


def test_scene_lacking_the_last_frame_is_skipped_with_a_warning(tmp_path):
    root = make_calendar_scenes(tmp_path, 3)
    os.remove(frame_path(scene_dir(root, 2001), 11))
    warnings = []
    scenes = find_scenes(root, "scene", 2000, 2005, 11, 3, warnings.append)
    assert scenes == [scene_dir(root, 2000), scene_dir(root, 2002)]
    assert len(warnings) == 1 and "scene_2001" in warnings[0]


def test_no_usable_scene_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no usable scene.*check data.str_dir, data.end_dir, data.max_frm"):
        find_scenes(str(tmp_path), "scene", 2000, 2001, 50, 3, lambda message: None)


@pytest.mark.parametrize("rnn_n, advice",
                         [(10, "set --set data.max_frm=11 to train on it"),
                          (20, "data.max_frm=11 to train on it, with --set train.rnn_n=12 or less")])
def test_scenes_shorter_than_max_frm_name_the_settings_that_would_use_the_longest(rnn_n, advice, tmp_path):
    root = make_calendar_scenes(tmp_path, 2)
    for frame in range(7, 12):  # scene 2001 keeps frames 0..6
        os.remove(frame_path(scene_dir(root, 2001), frame))
    with pytest.raises(UserError) as error:
        find_scenes(root, "scene", 2000, 2001, 40, rnn_n, lambda message: None)
    assert "frames 0..11" in str(error.value) and advice in str(error.value)


def test_windows_slide_over_every_start():
    windows = sequence_windows(["a", "b"], rnn_n=3, max_frm=11)
    assert windows[:2] == [("a", 0), ("a", 1)] and windows[-1] == ("b", 9) and len(windows) == 20


@pytest.mark.parametrize("scale, hr_side", [(4, 40), (2, 24)])  # crop_size 8 LR pixels, times scale, + 2 x 4
def test_sample_is_an_rgb_crop_of_consecutive_frames(data_dir, scale, hr_side):
    sampler = SequenceSampler(config_for(data_dir, flip=False, movingFirstFrame=False, scale=scale))
    sample = sampler.sample(5)
    assert sample.shape == (3, hr_side, hr_side, 3) and sample.dtype == np.float32
    scene, start = sampler.window(5)
    position = crop_position(read_rgb(frame_path(scene, start)), sample[0])
    assert position, "frame 0 of the sample is not an RGB crop of its first frame"
    y, x = position
    for offset in (1, 2):
        np.testing.assert_array_equal(
            sample[offset],
            read_rgb(frame_path(scene, start + offset))[y:y + hr_side, x:x + hr_side])


def test_flip_is_applied(data_dir):
    plain = SequenceSampler(config_for(data_dir, flip=False, movingFirstFrame=False, random_crop=False))
    flipping = SequenceSampler(config_for(data_dir, flip=True, movingFirstFrame=False, random_crop=False))
    outcomes = []
    for number in range(20):
        unflipped, maybe_flipped = plain.sample(number), flipping.sample(number)
        if np.array_equal(maybe_flipped, unflipped):
            outcomes.append("same")
        else:
            np.testing.assert_array_equal(maybe_flipped, unflipped[:, :, ::-1])
            outcomes.append("flipped")
    assert 3 <= outcomes.count("flipped") <= 17


def test_moving_first_frame_makes_shifted_crops_of_the_first_frame(data_dir):
    sampler = SequenceSampler(config_for(data_dir, flip=False, movingFirstFrame=True, rnn_n=4))
    moved = 0
    for number in range(40):
        sample = sampler.sample(number)
        scene, start = sampler.window(number)
        first = read_rgb(frame_path(scene, start))
        if crop_position(read_rgb(frame_path(scene, start + 1)), sample[1]):
            continue  # a real sequence
        moved += 1
        positions = [crop_position(first, frame) for frame in sample]
        assert all(positions), "a moved sample must be made of crops of its first frame"
        steps = np.abs(np.diff(np.array(positions), axis=0))
        assert steps.max() <= 4  # each shift is floor(uniform(-3.5, 4.5)), in -4..4
    assert 3 <= moved <= 25  # probability 0.3 of 40


def test_batches_are_reproducible_and_processes_take_slices_of_the_global_batch(data_dir):
    single = SequenceSampler(config_for(data_dir, batch_size=4))
    shards = [SequenceSampler(config_for(data_dir, batch_size=2), rank, 2) for rank in (0, 1)]
    for iteration in (0, 7):
        whole = single.batch(iteration)
        np.testing.assert_array_equal(whole, single.batch(iteration))
        np.testing.assert_array_equal(np.concatenate([shard.batch(iteration) for shard in shards]), whole)
    assert not np.array_equal(single.batch(0), single.batch(1))


def test_frames_smaller_than_the_crop_are_refused(data_dir):
    with pytest.raises(UserError, match="lower train.crop_size"):
        SequenceSampler(config_for(data_dir, crop_size=64))


def test_missing_training_folder_is_refused(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        SequenceSampler(config_for(str(tmp_path / "absent")))


def test_every_window_is_visited_once_per_epoch(data_dir):
    sampler = SequenceSampler(config_for(data_dir))
    count = len(sampler.windows)
    for epoch in (0, 1):
        visited = [sampler.window(number) for number in range(epoch * count, (epoch + 1) * count)]
        assert sorted(visited) == sorted(sampler.windows)
    assert [sampler.window(n) for n in range(count)] != [sampler.window(n) for n in range(count, 2 * count)]


def test_a_scene_whose_frames_differ_in_size_is_refused_naming_the_frame(tmp_path):
    root = make_calendar_scenes(tmp_path, 2)
    odd = frame_path(scene_dir(root, 2001), 5)
    cv2.imwrite(odd, cv2.imread(odd)[:-4])  # four rows fewer than the other frames
    first = read_rgb(frame_path(scene_dir(root, 2001), 0))
    with pytest.raises(UserError) as error:
        SequenceSampler(config_for(root))
    height, width = first.shape[:2]
    assert str(
        error.value) == (f"training frame '{odd}' is {width}x{height - 4} but "
                         f"'{frame_path(scene_dir(root, 2001), 0)}' is {width}x{height}; all frames of a "
                         "scene must have one size: re-run dataPrepare.py for this scene or remove it")
