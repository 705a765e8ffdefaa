"""REDS as training and validation data (data.layout reds; datasets/reds.py): the REDS4 split, val_sharp
counted from 240, bad folders named, and both stages trained end to end with REDS4 validation."""
import csv
import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO_ROOT, shared_path
from helpers import mpi_environment, MPIRUN
from data_loader import SequenceSampler
from datasets import reds
from training_data import make_reds_folder, tiny_training_flags
from training.config import load_config
from utils.degradation import model_degradation
from utils.errors import UserError
from training.validation import validation_clips


@pytest.fixture(scope="module")
def reds_root(tmp_path_factory):
    return make_reds_folder(tmp_path_factory.mktemp("REDS"))


@pytest.fixture(scope="module")
def sequence_list(tmp_path_factory):
    path = tmp_path_factory.mktemp("lists") / "train.txt"
    path.write_text("001\n240\n")
    return str(path)


def reds_config(root, sequence_list="", **settings):
    return load_config(overrides={"data.layout": "reds", "data.input_video_dir": root,
                                  "data.sequence_list": sequence_list, "train.crop_size": 8, "train.rnn_n": 3,
                                  **settings})


def test_the_training_split_is_reds4s_complement_with_val_sharp_counted_from_240():
    names = reds.training_names()
    assert len(names) == 266 and not set(reds.REDS4) & set(names)
    assert names[-30:] == [str(number) for number in range(240, 270)]
    assert reds.sequence_folder("root", "240") == os.path.join("root", "val", "val_sharp", "000")
    assert reds.sequence_folder("root", "239") == os.path.join("root", "train", "train_sharp", "239")


def test_a_list_file_chooses_reds_sequences_read_where_they_are(reds_root, sequence_list):
    sampler = SequenceSampler(reds_config(reds_root, sequence_list))
    assert sampler.scenes == [os.path.join(reds_root, "train", "train_sharp", "001"),
                              os.path.join(reds_root, "val", "val_sharp", "000")]
    assert len(sampler.windows) == 2 * (100 - 3 + 1)


def test_a_reds_folder_lacking_training_sequences_is_refused_naming_them(reds_root):
    with pytest.raises(UserError,
                       match=r"lacks 264 of the 266 REDS sequences used: 002, 003, 004, 005, 006 and "
                       r"259 more; run download_test_data.py --reds again"):
        SequenceSampler(reds_config(reds_root))


def test_a_reds_sequence_lacking_frames_is_refused_naming_them(tmp_path):
    root = make_reds_folder(tmp_path, train=("001",), val=())
    for index in (7, 99):
        os.remove(os.path.join(root, "train", "train_sharp", "001", reds.frame_name(index)))
    listing = tmp_path / "list.txt"
    listing.write_text("001\n")
    with pytest.raises(UserError, match=r"REDS sequence 001 .* lacks 2 of its 100 frames: 00000007.png, "
                                        r"00000099.png; run download_test_data.py --reds again"):
        SequenceSampler(reds_config(root, str(listing)))


def test_a_list_naming_no_reds_sequence_is_refused(reds_root, tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text("001\n270\nwalk\n")
    with pytest.raises(UserError, match="names 270, walk, not REDS sequences"):
        SequenceSampler(reds_config(reds_root, str(listing)))


@pytest.mark.parametrize("name", ["\u00b9\u00b2\u00b3", "\uff10\uff10\uff11", "\u0660\u0660\u0661"],
                         ids=["superscript digits", "fullwidth digits", "Arabic-Indic digits"])
def test_a_list_naming_a_sequence_in_digits_other_than_ascii_is_refused(reds_root, tmp_path, name):
    """str.isdigit() took superscript digits, which int() refuses (ValueError), and fullwidth ones read as 001."""
    listing = tmp_path / "list.txt"
    listing.write_text(f"{name}\n", encoding="utf-8")
    with pytest.raises(UserError, match=f"names {name}, not REDS sequences"):
        SequenceSampler(reds_config(reds_root, str(listing)))


def test_a_folder_that_is_not_reds_is_refused(tmp_path):
    with pytest.raises(UserError, match="has no train/train_sharp folder: it is not a REDS folder"):
        SequenceSampler(reds_config(str(tmp_path)))


def test_validation_reads_reds4_from_the_reds_folder(reds_root):
    config = reds_config(reds_root, **{"train.val_freq": 1, "data.val_dir": reds_root, "train.val_frames": 5})
    clips = validation_clips(config)
    assert [clip.name for clip in clips] == list(reds.REDS4)
    assert [len(clip.hr_frames) for clip in clips] == [5] * 4 and clips[0].hr_frames[0].shape == (64, 80, 3)


def test_a_validation_folder_lacking_reds4_says_what_to_do_for_validation(tmp_path):
    """The advice was to name the sequences in data.sequence_list, which chooses training sequences only."""
    root = make_reds_folder(tmp_path / "REDS", train=("001",), val=())
    config = reds_config(root, **{"train.val_freq": 1, "data.val_dir": root, "train.val_frames": 5})
    with pytest.raises(UserError, match=r"lacks 4 of the 4 REDS sequences used: 000, 011, 015, 020; run "
                                        r"download_test_data.py --reds again, or set data.val_dir to a folder of "
                                        r"other clips$"):
        validation_clips(config)


def reds_flags(reds_root, sequence_list, output_dir, cache_dir, **settings):
    settings = {"data.layout": "reds", "data.sequence_list": sequence_list, "data.cache_dir": cache_dir,
                "data.val_dir": reds_root, "train.val_freq": 2, "train.val_frames": 5, "train.max_iter": 2,
                **settings}
    return tiny_training_flags(reds_root, output_dir, **settings)


def validated_iterations(output_dir):
    with open(os.path.join(output_dir, "val.csv"), newline="") as log:
        return [row["iteration"] for row in csv.DictReader(log)]


@pytest.mark.slow
@pytest.mark.parametrize("processes, degradation", [(1, "bd"), (2, "bi")])
def test_both_stages_train_on_reds_with_reds4_validation(processes, degradation, reds_root, sequence_list,
                                                         tmp_path):
    def run_stage(output_dir, *flags):
        command = [sys.executable, "train.py"] + reds_flags(reds_root, sequence_list, output_dir,
                                                            str(tmp_path / "cache"),
                                                            **{"data.degradation": degradation}) + list(flags)
        environment = dict(os.environ)
        if processes > 1:
            command = [MPIRUN, "-n", str(processes)] + command
            environment = mpi_environment()
        completed = subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True,
                                   timeout=600)
        assert completed.returncode == 0, completed.stderr[-2000:]
        return completed.stdout

    frvsr = tmp_path / "frvsr"
    stdout = run_stage(frvsr, "--batch_size", str(4 // processes))
    assert "196 windows of 2 sequences (reds)" in stdout
    assert validated_iterations(frvsr) == ["2"]
    tecogan = tmp_path / "tecogan"
    run_stage(tecogan, "--batch_size", str(2 // processes), "--tecogan", "--num_resblock", "3",
              "--pre_trained_frvsr_weights", str(frvsr / "model_param_00000002.h5"),
              "--vgg_pre_trained_weights", shared_path("reference", "parity_losses", "vgg19_random.h5"))
    # max_iter 2 at batch 4 is 4 iterations of a global batch of 2
    assert validated_iterations(tecogan) == ["2", "4"]
    assert model_degradation(str(tecogan / "model_best.h5")) == degradation
    shutil.rmtree(tmp_path / "cache")
