"""Training sequences of data.layout sequences: discovery, order, lengths, sizes, list files, windows."""
import os

import numpy as np
import pytest

from data_loader import SequenceSampler, hr_crop_size
from datasets.sequences import folder_sequences
from training_data import make_sequence_folders
from training.config import load_config
from utils.errors import UserError
from utils.image_io import read_rgb


def sequences_config(root, **data):
    overrides = {
        "data.layout": "sequences",
        "data.input_video_dir": root,
        "train.crop_size": 8,
        "train.rnn_n": 3,
        "train.batch_size": 2,
        "train.flip": False,
        "train.movingFirstFrame": False,
        "train.random_crop": False
    }
    overrides.update({f"data.{key}": value for key, value in data.items()})
    return load_config(overrides=overrides)


def centre_crop(frame, size):
    top, left = (frame.shape[0] - size) // 2, (frame.shape[1] - size) // 2
    return frame[top:top + size, left:left + size]


def test_frames_are_ordered_by_the_number_in_their_name(tmp_path):
    root = make_sequence_folders(tmp_path, {"walk": 11}, name_frame=lambda index: f"shot{index}.png")
    (sequence,) = folder_sequences(root)
    assert [os.path.basename(path) for path in sequence.frames] == [f"shot{index}.png" for index in range(11)]


def test_two_level_folders_are_sequences_named_by_their_path(tmp_path):
    root = make_sequence_folders(tmp_path, {"00001/0001": 3, "00001/0002": 3, "00002/0001": 3},
                                 name_frame=lambda index: f"im{index + 1}.png")
    assert [sequence.name
            for sequence in folder_sequences(root)] == ["00001/0001", "00001/0002", "00002/0001"]


def test_every_sample_is_one_window_of_one_sequence_of_its_own_length_and_size(tmp_path):
    lengths = {"a": 4, "b": 7, "c": 3}
    root = make_sequence_folders(tmp_path, lengths, sizes={"b": (100, 120)})
    sampler = SequenceSampler(sequences_config(root))
    assert len(sampler.windows) == sum(length - 3 + 1 for length in lengths.values())
    size = hr_crop_size(8, 4)
    for number in range(len(sampler.windows)):
        folder, start = sampler.window(number)
        frames = [read_rgb(os.path.join(folder, f"frame_{start + offset}.png")) for offset in range(3)]
        np.testing.assert_array_equal(sampler.sample(number), [centre_crop(frame, size) for frame in frames])


def test_a_list_file_chooses_the_sequences(tmp_path):
    root = make_sequence_folders(tmp_path / "data", {"a": 3, "b": 3, "c": 3})
    listing = tmp_path / "train.txt"
    listing.write_text("# held out: b\nc\n\na\n")
    sampler = SequenceSampler(sequences_config(root, sequence_list=str(listing)))
    assert sampler.scenes == [os.path.join(root, "c"), os.path.join(root, "a")]


def test_a_list_file_saved_with_a_byte_order_mark_names_its_first_sequence(tmp_path):
    """Fourth hostile pass: the mark was read as part of the first name, refused with an invisible character."""
    root = make_sequence_folders(tmp_path / "data", {"a": 3, "b": 3})
    listing = tmp_path / "train.txt"
    listing.write_text("\ufeffb\r\na\r\n", encoding="utf-8")
    sampler = SequenceSampler(sequences_config(root, sequence_list=str(listing)))
    assert sampler.scenes == [os.path.join(root, "b"), os.path.join(root, "a")]


def test_a_list_naming_absent_sequences_is_refused_naming_them(tmp_path):
    root = make_sequence_folders(tmp_path / "data", {"a": 3})
    listing = tmp_path / "train.txt"
    listing.write_text("a\nx\ny\n")
    with pytest.raises(UserError, match=r"names 2 sequences that .* lacks: x, y; "):
        SequenceSampler(sequences_config(root, sequence_list=str(listing)))


def test_sequences_shorter_than_rnn_n_are_refused_naming_them_and_the_rnn_n_that_would_use_them(tmp_path):
    root = make_sequence_folders(tmp_path, {"long": 5, "short": 2, "shorter": 2})
    with pytest.raises(UserError) as error:
        SequenceSampler(sequences_config(root))
    assert "2 sequences are shorter than train.rnn_n 3: short (2 frames), shorter (2 frames)" in str(
        error.value)
    assert "set --set train.rnn_n=2 to use them" in str(error.value)


def test_mixed_frame_sizes_within_a_sequence_are_refused_naming_the_frame(tmp_path):
    root = make_sequence_folders(tmp_path, {"a": 3})
    odd = os.path.join(root, "a", "frame_2.png")
    make_sequence_folders(tmp_path, {"a": 3}, name_frame=lambda index: "frame_2.png", sizes={"a": (100, 100)})
    with pytest.raises(UserError,
                       match=f"training frame '{odd}' is 100x100 but .* is 180x144; all frames of a "
                       "sequence must have one size"):
        SequenceSampler(sequences_config(root))


def test_a_folder_without_sequences_is_refused(tmp_path):
    with pytest.raises(UserError, match="holds no sequence folder"):
        SequenceSampler(sequences_config(str(tmp_path)))


def test_a_sequence_list_with_the_scenes_layout_is_refused(tmp_path):
    with pytest.raises(UserError,
                       match="data.sequence_list names sequences of the sequences and reds layouts"):
        load_config(overrides={"data.sequence_list": "train.txt"})


def test_a_name_is_shown_as_error_lines_show_it():
    """shown_name decided with str.isprintable, error lines with shown_as_itself: a Japanese name's ideographic space
    was quoted by its code by the one and shown as it is by the other."""
    from datasets.sequences import shown_name
    assert shown_name("夏\u3000海") == "夏\u3000海"
    assert shown_name("clip\u200b") == repr("clip\u200b") and "\\u200b" in shown_name("clip\u200b")
