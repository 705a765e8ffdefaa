"""Hostile inputs and conditions for train.py and its data: settings, checkpoints, resume, validation, sequences and
the frame cache. Each ends with one line and exit code 2 (130 for a stop), leaves nothing partial and overwrites
nothing (docs/testing.md)."""
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO_ROOT, user_error_line
from helpers import checkpoint_of_another_folder, lines_without_progress_bars, mpi_environment, MPIRUN, rank_pid
from hostile import (assert_one_error_line, loss_log_resumed, replace_by_a_copy, run_python_without_root_override,
                     run_script, written_into_a_held_folder, zero_bytes_inside_the_largest_array)
from utils.errors import UserError, exit_on_user_error
from utils.paths import BUNDLED_MODEL


# The first pass of issue 28: the failures it lists

def test_a_huge_data_max_frm_is_one_line_at_once(tmp_path):
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    completed = run_script("train.py", *tiny_training_flags(scenes, tmp_path / "out", **{
        "data.max_frm": 10 ** 20, "train.max_iter": 1}), timeout=60)
    assert_one_error_line(completed, "no usable scene", "data.max_frm=11")


@pytest.mark.parametrize("rows", ["iteration,PSNR\n2,20.0\n4,25.0\n6,22.0\n", ""], ids=["rows", "no row"])
def test_a_best_model_left_without_its_row_by_a_kill_is_made_the_best_rows_again_at_resume(tmp_path, rows):
    """kill -9 between writing model_best.h5 and its val.csv row; the resumed run starts from checkpoint 6."""
    from training.validation import BEST_MODEL, Validation
    for iteration in (2, 4, 6, 8):
        (tmp_path / f"model_param_{iteration:08d}.h5").write_bytes(f"model {iteration}".encode())
    if rows:
        (tmp_path / "val.csv").write_text(rows)
    (tmp_path / BEST_MODEL).write_bytes(b"model 8")  # validated at 8, better, its row never written
    Validation([], str(tmp_path), 6, "psnr", "cpu")
    if rows:
        assert (tmp_path / BEST_MODEL).read_bytes() == b"model 4"
    else:
        assert not (tmp_path / BEST_MODEL).exists()


@pytest.mark.parametrize("blocked, kind, settings", [("losses.csv", "folder", {}),
                                                     ("tensorboard", "file", {"train.tensorboard": "true"}),
                                                     ("model_param_00000001.h5", "folder", {}),
                                                     ("params_00000001.h5", "folder", {})])
def test_a_training_output_blocked_by_the_other_kind_is_one_line_before_training(
        tmp_path, blocked, kind, settings):
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    out = tmp_path / "out"
    out.mkdir()
    (out / blocked).mkdir() if kind == "folder" else (out / blocked).write_text("x")
    completed = run_script("train.py", *tiny_training_flags(scenes, out, **{"train.max_iter": 1, **settings}),
                           timeout=120)
    assert_one_error_line(completed, str(out / blocked))
    assert sorted(os.listdir(out)) == [blocked]


def test_an_empty_validation_clip_is_called_a_validation_clip(tmp_path):
    from training.validation import read_clip
    (tmp_path / "clip").mkdir()
    with pytest.raises(UserError) as error:
        read_clip(str(tmp_path / "clip"), 10, 64, "bd", 4)
    assert str(error.value).startswith(f"validation clip '{tmp_path / 'clip'}' has no images")
    assert "LR frames" not in str(error.value)


# The second pass

@pytest.mark.parametrize("key, text, value", [
    ("train.save_freq", "017", 17), ("train.save_freq", "1_000", 1000), ("train.save_minutes", "1e3", 1000.0),
    ("train.save_freq", "1:20", None), ("train.save_freq", "0x10", None),
    ("train.save_freq", "!!float abc", None),
    ("train.save_freq", "1" + "0" * 4999, 10 ** 4999), ("train.seed", "!!timestamp x", None),
    ("train.save_freq", "[" * 3000 + "]" * 3000, None), ("train.num_resblock", "10000000000", None),
], ids=["leading zero", "underscores", "exponent without a dot", "sexagesimal", "hexadecimal", "bad tag",
        "5000 digits", "bad timestamp", "nested 3000 deep", "10^10 residual blocks"])
def test_a_setting_value_is_a_plain_number_or_one_short_line(key, text, value):
    """YAML 1.2's whole numbers (YAML 1.1 reads 017 as 15 and 1:20 as 80), and values PyYAML cannot build
    refused like any other bad value."""
    from training.config import load_config, parse_value
    if value is None:
        with pytest.raises(UserError, match=f"^bad value .* for {key}: expected") as error:
            load_config(overrides={key: parse_value(text)})
        assert len(str(error.value)) < 200
    else:
        section, name = key.split(".")
        assert getattr(getattr(load_config(overrides={key: parse_value(text)}), section), name) == value


@pytest.mark.parametrize("content, message", [
    *((f"train:\n  save_freq: {value}\n", "is not valid YAML;")
      for value in ("!!float abc", "!!timestamp x", "!!int 9x")),
    # valid YAML, past Python's recursion limit: it was "not valid YAML; fix the syntax"
    ("train:\n  save_freq: " + "[" * 3000 + "]" * 3000 + "\n",
     "nests lists or mappings deeper than its YAML reader goes"),
    ("train:\n  seed: 1\ngan:\n  ratio: 1\ntrain:\n  seed: 2\n", "at line 5 ('train' is given twice)"),
], ids=["bad tag", "bad timestamp", "an int tag of no number", "nested 3000 deep", "a section twice"])
def test_a_config_file_that_yaml_cannot_build_or_that_sets_a_key_twice_is_one_line(tmp_path, content,
                                                                                  message):
    from training.config import load_config
    path = tmp_path / "my.yaml"
    path.write_text(content)
    with pytest.raises(UserError, match=re.escape(message)):
        load_config(str(path))


def test_a_user_error_every_rank_of_mpirun_train_meets_is_printed_once_and_exits_2():
    for _ in range(3):  # each process used to print it: twice in about one run of three
        finished = subprocess.run([MPIRUN, "-n", "2", sys.executable, "train.py", "--set", "train.scale=3"],
                                  cwd=REPO_ROOT, env=mpi_environment(), capture_output=True, text=True,
                                  timeout=120)
        ours = [line for line in finished.stderr.splitlines() if line.startswith("error: ")]
        assert ours == ["error: bad value 3 for train.scale: expected one of 2, 4"], finished.stderr
        assert finished.returncode == 2


# The fourth pass

def test_a_validation_picture_blocked_by_a_folder_is_one_line_before_training(tmp_path):
    """It stopped the run at its first validation, after training, losing that iteration's checkpoint."""
    from training_data import make_calendar_scenes, make_sequence_folders, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    clips = make_sequence_folders(tmp_path / "val", {"clip": 6})
    blocked = tmp_path / "out" / "validation" / "iteration_00000002.png"
    blocked.mkdir(parents=True)
    completed = run_script("train.py", *tiny_training_flags(scenes, tmp_path / "out", **{
        "train.max_iter": 2, "train.val_freq": 2, "data.val_dir": clips}), timeout=120)
    assert_one_error_line(completed, f"'{blocked}' is a folder, where train.py writes a file")
    assert sorted(os.listdir(tmp_path / "out")) == ["validation"]


def test_a_config_file_with_a_merge_key_is_read_and_a_key_twice_beside_it_is_still_refused(tmp_path):
    """The check for keys given twice read the merge key '<<' as a key and refused valid YAML as invalid."""
    from training.config import load_config
    path = tmp_path / "my.yaml"
    path.write_text("train:\n  <<: {seed: 7, rnn_n: 5}\n  rnn_n: 6\n")
    config = load_config(str(path))
    assert (config.train.seed, config.train.rnn_n) == (7, 6)
    path.write_text("train:\n  <<: {seed: 7}\n  rnn_n: 5\n  rnn_n: 6\n")
    with pytest.raises(UserError, match=r"at line 4 \('rnn_n' is given twice\)"):
        load_config(str(path))


@pytest.mark.parametrize("case", ["met by every rank", "met by rank 0 alone"])
def test_a_user_error_after_mpirun_train_s_processes_connect_is_one_line_and_ends_the_job(tmp_path, case):
    """After the communicator is made, rank 0's exit waited in MPI's for the others: a data error every rank
    meets was printed by each (after rank 1's 3 s), and one of rank 0 alone (an output blocked by a folder)
    left the job waiting without end."""
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = str(tmp_path / "missing") if case == "met by every rank" else make_calendar_scenes(tmp_path / "scenes")
    (tmp_path / "out" / "losses.csv").mkdir(parents=True)
    completed = subprocess.run([MPIRUN, "-n", "2", sys.executable, "train.py", "--batch_size", "1",
                                *tiny_training_flags(scenes, tmp_path / "out", **{"train.max_iter": 2})],
                               cwd=REPO_ROOT, env=mpi_environment(), capture_output=True, text=True, timeout=120)
    ours = [line for line in completed.stderr.splitlines() if line.startswith("error: ")]
    message = "does not exist" if case == "met by every rank" else "losses.csv' is a folder"
    assert len(ours) == 1 and message in ours[0] and "Traceback" not in completed.stderr, completed.stderr
    assert completed.returncode == 2


@pytest.mark.parametrize("damage, reason", [
    (lambda data: data[:len(data) // 2], "the file is cut short"),
    (lambda data: data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0xFF]) + data[len(data) // 2 + 1:],
     "the file is damaged (a checksum of its data does not match)"),
], ids=["cut in half", "a byte changed"])
def test_a_damaged_training_frame_is_our_one_line_without_libpng_s(tmp_path, damage, reason):
    """The training loader decoded with cv2.imread, and libpng printed its own line beside ours."""
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    frame = tmp_path / "scenes" / "scene_2001" / "col_high_0005.png"
    frame.write_bytes(damage(frame.read_bytes()))
    completed = run_script("train.py", *tiny_training_flags(scenes, tmp_path / "out", **{"train.max_iter": 4}),
                           timeout=120)
    lines = [line for line in lines_without_progress_bars(completed.stderr) if "[matplotlib." not in line]
    assert completed.returncode == 2
    assert lines == [f"error: cannot read image '{frame}': {reason}; replace or remove it"], lines


def config_of_flags(*argv):
    """The configuration train.py reads from these flags."""
    from train import parse_args
    return parse_args(list(argv))


# how a validation clip reached again through a link is refused
SCORED_TWICE = (r"again \(through a symbolic link\), so it would be scored twice at each validation; remove the link, "
                r"or move it out of data\.val_dir")


def validation_config(val_dir):
    """The configuration of a run that validates on val_dir's clips at each iteration, on crops of 48 pixels."""
    return config_of_flags("--set", "train.val_freq=1", "--set", f"data.val_dir={val_dir}", "--set",
                           "train.val_crop=48")


# The fifth pass

@pytest.mark.parametrize("text", ["runs #2", "2024", "yes", "~", "a: b", "{x}"])
def test_a_path_given_by_set_is_taken_as_written(text):
    """--set read a path as YAML: 'runs #2' trained into 'runs' (the rest taken for a comment) and 2024, yes or ~
    were refused as no text, where --output_dir takes each as it is."""
    assert config_of_flags("--set", f"data.output_dir={text}").data.output_dir == text
    assert config_of_flags("--set", f"data.input_video_pre={text}").data.input_video_pre == text


@pytest.mark.parametrize("written, taken", [("''", ""), ('""', ""), ("'runs #2'", "runs #2"), ("'it''s'", "it's"),
                                            ("'a' 'b'", "'a' 'b'")])
def test_a_path_given_by_set_in_quotes_is_read_as_config_yaml_reads_it(written, taken):
    """Taken as written, '' (config.yaml's empty path, which the settings' messages offer) named a folder of two
    apostrophes; quotes that do not make one YAML string stay part of the name."""
    assert config_of_flags("--set", f"data.val_dir={written}").data.val_dir == taken


@pytest.mark.parametrize("value", ["[psnr]", "{psnr: 1}"])
def test_a_list_or_mapping_as_the_validation_metric_is_one_line(value, capsys):
    """A list as train.val_metric was looked up in the metrics' table: TypeError, unhashable type."""
    with pytest.raises(SystemExit) as stop, exit_on_user_error():
        config_of_flags("--set", f"train.val_metric={value}")
    assert stop.value.code == 2
    assert capsys.readouterr().err.startswith("error: bad value ")


@pytest.mark.parametrize("key, text, value", [("train.val_crop", "1e3", 1000), ("train.val_frames", "10.0", 10),
                                              ("train.seed", "3.0", 3), ("train.num_resblock", "4.0", 4),
                                              ("train.loader_workers", "2.0", 2)])
def test_a_whole_float_is_that_integer_for_every_whole_number_setting(key, text, value):
    """train.max_iter took 2.0 as 2, and train.val_crop refused 1e3 as "expected a multiple of train.scale of at
    least 48", which 1000 is."""
    section, name = key.split(".")
    assert getattr(getattr(config_of_flags("--set", f"{key}={text}"), section), name) == value


# The sixth pass

@pytest.mark.parametrize("seed", ["2147483648", "4294967295.0"])
def test_a_seed_past_nnabla_s_c_int_is_one_line(seed, capsys):
    """train.seed took values up to 2^32 - 1, and NNabla's seed, a C int, raised OverflowError at the start."""
    with pytest.raises(SystemExit) as stop, exit_on_user_error():
        config_of_flags("--set", f"train.seed={seed}")
    assert stop.value.code == 2
    assert capsys.readouterr().err.startswith(f"error: bad value {int(float(seed))} for train.seed: expected an "
                                              "integer from 0 to 2^31 - 1")
    assert config_of_flags("--set", "train.seed=2147483647").train.seed == 2 ** 31 - 1


@pytest.mark.parametrize("escape", ["\\0", "\\ud800"])
def test_a_path_setting_holding_a_nul_or_a_lone_surrogate_is_one_line(tmp_path, capsys, escape):
    """YAML's "\\0" or "\\ud800" in a path (a config file's or a quoted --set value) reached os.makedirs:
    ValueError, embedded null byte; UnicodeEncodeError, surrogates not allowed."""
    with pytest.raises(SystemExit) as stop, exit_on_user_error():
        config_of_flags("--set", f'data.output_dir="{tmp_path}/a{escape}b"')
    assert stop.value.code == 2
    assert capsys.readouterr().err.startswith("error: bad value ")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("line, shown", [("\ufeff\ufeff000", r"'\ufeff000'"), ("0\u200b00", r"'0\u200b00'"),
                                         ("00\x0001", r"'00\x0001'"), ("7" * 100000, "'" + "7" * 37 + "...")])
def test_a_sequence_list_name_with_an_invisible_character_or_of_a_page_s_length_is_shown_readable(
        tmp_path, line, shown):
    """A second byte-order mark or a zero-width space made the error read "names 000, not REDS sequences"; a
    NUL was written into the line as it is; a name of 100,000 characters was shown whole."""
    from datasets import reds
    from training_data import make_reds_folder
    sequence_list = tmp_path / "list.txt"
    sequence_list.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(UserError) as error:
        reds.training_sequences(make_reds_folder(tmp_path / "REDS", train=("000",), val=()), str(sequence_list))
    message = str(error.value)
    assert f"names {shown}" in message and message.isprintable() and len(message) < 400


def test_a_config_file_that_is_a_socket_is_one_line(tmp_path, capsys):
    """Opening a socket raised OSError (No such device or address): a traceback."""
    import socket
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "cfg.yaml"))
        with pytest.raises(SystemExit) as stop, exit_on_user_error():
            config_of_flags("--cfg", str(tmp_path / "cfg.yaml"))
    assert stop.value.code == 2
    assert capsys.readouterr().err == (f"error: cannot read config file '{tmp_path / 'cfg.yaml'}' (No such device "
                                       "or address); give a YAML file\n")


def test_a_checkpoint_given_as_a_pipe_is_one_line_not_a_wait_without_end(tmp_path):
    """--checkpoint a pipe waited for a writer without end."""
    from training.checkpoint import read_checkpoint
    os.mkfifo(tmp_path / "checkpoint_00000004.json")
    with pytest.raises(UserError, match=r"checkpoint '.*' is a pipe or device, not a file; pass a "
                                        r"checkpoint_<iter>.json from the output folder"):
        read_checkpoint(str(tmp_path / "checkpoint_00000004.json"))


# The seventh pass

def test_a_resume_with_another_save_freq_keeps_the_model_files_of_the_first_schedule(tmp_path):
    """Pruning took every model_param file off the new save_freq's schedule for a timed one: resumed with
    save_freq 5 and checkpoints by time, a run of save_freq 2 lost model_param_00000002.h5."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"

    def run(max_iter, save_freq, save_minutes):
        train.main(tiny_training_flags(scenes, output_dir, **{
            "train.max_iter": max_iter, "train.save_freq": save_freq, "train.save_minutes": save_minutes}))
    run(6, 2, 0)
    run(12, 5, "1.0e-9")  # every iteration is due by time; 7, 8, 9 and 11 are off the schedule of save_freq 5
    models = sorted(int(name[len("model_param_"):-len(".h5")]) for name in os.listdir(output_dir)
                    if name.startswith("model_param_"))
    assert models == [2, 4, 6, 9, 10, 11, 12]


@pytest.mark.parametrize("escape", ["\\u0000", "\\n", "\\u2028"])
def test_a_checkpoint_naming_a_file_with_a_control_character_is_refused_readably(tmp_path, escape):
    """A NUL edited into the checkpoint's parameter file name was written into the error line as it is."""
    from training.checkpoint import read_checkpoint
    path = tmp_path / "checkpoint_00000004.json"
    path.write_text('{"iteration": 4, "params": "params_00000004.h5' + escape + '", "solvers": {}}')
    with pytest.raises(UserError, match=r"is not a checkpoint of train.py") as error:
        read_checkpoint(str(path))
    assert str(error.value).isprintable()


@pytest.mark.parametrize("separator", ["\u2028", "\x0c", "\x85", "\x1c"])
def test_a_sequence_list_line_holding_a_unicode_line_separator_is_one_name(tmp_path, separator):
    """str.splitlines() cut the line 'a<U+2028>b' in two, and training went on with sequences a and b."""
    from datasets.sequences import read_sequence_list
    sequence_list = tmp_path / "list.txt"
    sequence_list.write_text(f"a{separator}b\r\nc\n", encoding="utf-8", newline="")
    assert read_sequence_list(str(sequence_list)) == [f"a{separator}b", "c"]


@pytest.mark.parametrize("name", ["a" * 240, "g" * 200 + "/" + "s" * 200])
def test_the_frame_cache_of_a_sequence_named_by_a_long_folder_name_is_built(tmp_path, name):
    """The entry's name held the whole sequence name: with its hash and '.building' a 240-character folder
    name passed the file system's 255 bytes, and the build failed with an OSError traceback."""
    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import Sequence
    from training_data import calendar_frame
    from utils.image_io import write_rgb
    folder = tmp_path / "data" / name
    folder.mkdir(parents=True)
    write_rgb(str(folder / "0.png"), calendar_frame(0, 8, 8))
    sequence = Sequence(name, str(folder), [str(folder / "0.png")])
    frames = frame_cache.cached_frames([sequence], [(8, 8)], str(tmp_path / "cache"), read_frame,
                                       report=lambda message: None, show_progress=False)
    np.testing.assert_array_equal(frames[str(folder)][0], read_frame(str(folder / "0.png")))


def test_a_learning_rate_that_scaling_makes_infinite_is_one_line(capsys):
    """3e38 passes the check of a number within float32's range; scaled by the batch it became inf in float32 (1e308,
    then within the check, in float64), shown as "learning rate inf", and the run diverged with advice to resume from
    "the last checkpoint (none)"."""
    from train import scaled_schedule
    with pytest.raises(UserError, match=r"^train.learning_rate 3e\+38 scaled by batch 4 x 2 processes / 4 is past "
                                        r"float32's largest number; lower it$"):
        scaled_schedule(config_of_flags("--set", "train.learning_rate=3e38"), 2)


def test_a_run_diverging_before_its_first_checkpoint_says_to_start_again(tmp_path, capsys):
    """The line advised resuming from "the last checkpoint (none)" with --allow-changed-settings."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    flags = tiny_training_flags(make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run",
                                **{"train.max_iter": 4, "train.save_freq": 100, "train.learning_rate": 1e30})
    with pytest.raises(SystemExit) as stop:
        train.main(flags)
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        "a loss is not finite; no checkpoint was written yet: start again with a lower train.learning_rate "
        "(--set train.learning_rate=...)")


@pytest.mark.parametrize("kind, said", [("dangling link", "it is not a folder but a link to nothing (a disk not "
                                                          "mounted?)"),
                                        ("file", "it is not a folder")])
def test_a_scene_name_that_is_no_folder_is_skipped_with_a_warning(tmp_path, kind, said):
    """A scene folder that was a link to an unmounted disk (or a file of that name) was left out without a word:
    training went on with the other scenes only."""
    from datasets.sequences import find_scenes
    from training_data import make_calendar_scenes
    import shutil
    scenes = make_calendar_scenes(tmp_path / "scenes")
    second = os.path.join(scenes, "scene_2001")
    shutil.rmtree(second)
    if kind == "file":
        open(second, "w").close()
    else:
        os.symlink(tmp_path / "unmounted", second)
    warnings = []
    assert find_scenes(scenes, "scene", 2000, 2001, 11, 3, warnings.append) == [os.path.join(scenes, "scene_2000")]
    assert warnings == [f"warning: skipping {second}: {said}"]


@pytest.mark.parametrize("damage", ["nested", "frames pipe", "sources pipe"])
def test_a_damaged_frame_cache_entry_is_decoded_again_not_a_traceback_or_a_wait(tmp_path, damage):
    """sources.json of arrays nested 100,000 deep raised RecursionError at every later run; frames.npy or
    sources.json replaced by a pipe waited for a writer without end."""
    import threading

    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import Sequence
    from training_data import calendar_frame
    from utils.image_io import write_rgb
    folder = tmp_path / "clip"
    folder.mkdir()
    write_rgb(str(folder / "0.png"), calendar_frame(0, 8, 8))
    sequence, cache = Sequence("clip", str(folder), [str(folder / "0.png")]), str(tmp_path / "cache")

    def cached():
        return frame_cache.cached_frames([sequence], [(8, 8)], cache, read_frame, report=lambda message: None,
                                         show_progress=False)
    cached()
    entry = frame_cache.entry_folder(cache, sequence)
    if damage == "nested":
        with open(os.path.join(entry, frame_cache.SOURCES_FILE), "w") as file:
            file.write("[" * 100000 + "]" * 100000)
    else:
        name = frame_cache.FRAMES_FILE if damage == "frames pipe" else frame_cache.SOURCES_FILE
        os.remove(os.path.join(entry, name))
        os.mkfifo(os.path.join(entry, name))
    results = []
    worker = threading.Thread(target=lambda: results.append(cached()), daemon=True)
    worker.start()
    worker.join(60)
    assert results, "the build waited or failed"
    np.testing.assert_array_equal(results[0][str(folder)][0], read_frame(str(folder / "0.png")))


def test_a_temporal_validation_metric_on_clips_of_one_scored_frame_is_refused_before_training(tmp_path):
    """train.val_metric tof with clips of 5 frames (evaluate.py scores the middle one) was nan at every validation:
    the first one stopped the run with a TypeError traceback (no best to print), losing that iteration's
    checkpoint."""
    from training.validation import validation_clips
    from training_data import make_sequence_folders
    val_dir = make_sequence_folders(tmp_path / "val", {"clip": 5}, sizes={"clip": (64, 64)})
    config = config_of_flags("--set", "train.val_freq=1", "--set", f"data.val_dir={val_dir}", "--set",
                             "train.val_metric=tof", "--set", "train.val_crop=48")
    with pytest.raises(UserError, match=r"^train.val_metric tof compares each scored frame with the one before, "
                                        r"and validation clip 'clip' gives 5 frames, of which evaluate.py scores "
                                        r"one; use at least 6 frames"):
        validation_clips(config)


LONG_WORD = "a" * 5000


# The eighth pass

@pytest.mark.parametrize("argv, line", [
    (["--" + LONG_WORD], "unknown flag --" + "a" * 35 + "... (see --help)"),
    (["--max_iter", "3", LONG_WORD], "unrecognized arguments: " + "a" * 37 + "... (see --help)"),
    (["--", LONG_WORD], "unrecognized arguments: -- " + "a" * 37 + "... (see --help)"),
    (["--set", LONG_WORD], "--set needs SECTION.KEY=VALUE, got '" + "a" * 37 + "...'"),
    (["--set", f"train.{LONG_WORD}=1"], "unknown setting 'train." + "a" * 31 + "...'; use section.key as in "
                                        "config.yaml"),
], ids=["unknown flag", "left-over argument", "after --", "--set without =", "unknown --set key"])
def test_a_long_word_train_py_does_not_know_is_shown_cut_short(argv, line):
    """Only the values argparse quotes were cut short: an unknown flag, a left-over argument or a --set key of 5000
    characters made an error line of 5 kB (every script's flags share the first two)."""
    from train import parse_args
    with pytest.raises(UserError) as error:
        parse_args(argv)
    assert str(error.value) == line


def test_a_failed_training_run_into_a_new_nested_folder_leaves_no_folder(tmp_path, capsys):
    """train.py removed the --output_dir it made, but not the new folder above it."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    flags = tiny_training_flags(scenes, tmp_path / "x" / "y", **{"train.max_iter": 2}) + ["--tecogan"]
    with pytest.raises(SystemExit) as stop:
        train.main(flags)  # the VGG19 loss without its weights: refused once the output folder is claimed
    assert stop.value.code == 2
    assert "--vgg_pre_trained_weights" in capsys.readouterr().err
    assert os.listdir(tmp_path) == ["scenes"]


def test_resuming_from_a_checkpoint_older_than_the_output_folders_newest_is_refused(tmp_path, capsys):
    """Resumed with --checkpoint checkpoint_2 (say, with another learning rate) into a folder holding checkpoint_4,
    the run pruned checkpoint_2 and kept checkpoint_4; killed, the next plain resume continued from checkpoint_4 of
    the abandoned run, or called the run finished, and this run's iterations were lost."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}))
    before = sorted(os.listdir(output_dir))
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 6})
                   + ["--checkpoint", str(output_dir / "checkpoint_00000002.json")])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: --checkpoint '{output_dir / 'checkpoint_00000002.json'}' (iteration 2) is older than "
        f"'{output_dir / 'checkpoint_00000004.json'}' in the output folder, from which a later resume would "
        "continue instead of this run; leave --checkpoint out to continue from the newest, resume into another "
        "--output_dir, or move the newer checkpoints out of it"]
    assert sorted(os.listdir(output_dir)) == before
    train.main(tiny_training_flags(scenes, tmp_path / "fork", **{"train.max_iter": 4})
               + ["--checkpoint", str(output_dir / "checkpoint_00000002.json")])
    assert "checkpoint_00000004.json" in os.listdir(tmp_path / "fork")


@pytest.mark.parametrize("place", ["run", "."], ids=["inside", "equal"])
def test_an_output_folder_inside_a_sequences_data_folder_is_refused_before_any_work(tmp_path, capsys, place):
    """With data.layout sequences, an --output_dir inside --input_video_dir trained on the first run, then its
    losses.png (and validation/ pictures) were a training sequence: every resume was refused ("run (1 frames)")."""
    import train
    from training_data import make_sequence_folders
    data = make_sequence_folders(tmp_path / "data", {"a": 4, "b": 4}, sizes={"a": (64, 64), "b": (64, 64)})
    output_dir = os.path.normpath(os.path.join(data, place))
    with pytest.raises(SystemExit) as stop:
        train.main(["--input_video_dir", data, "--output_dir", output_dir, "--num_resblock", "2", "--context", "cpu",
                    "--max_iter", "2", "--set", "data.layout=sequences", "--set", "train.crop_size=8", "--set",
                    "train.rnn_n=3"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"error: --output_dir '{output_dir}' is inside --input_video_dir '{data}', whose folders of pictures are "
        "training sequences (data.layout sequences); set --output_dir to a folder outside it")
    assert sorted(os.listdir(data)) == ["a", "b"]


def test_frvsr_weights_that_the_tecogan_run_would_write_over_are_refused(tmp_path, capsys):
    """--pre_trained_frvsr_weights run/model_param_00000002.h5 with --output_dir run (the FRVSR run's folder, its
    checkpoints deleted): the TecoGAN run replaced the FRVSR weights it started from with its own, exit code 0."""
    import glob

    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    for path in glob.glob(str(output_dir / "checkpoint_*")) + glob.glob(str(output_dir / "*_0000000*.h5")):
        if "model_param" not in path:
            os.remove(path)
    weights = output_dir / "model_param_00000002.h5"
    before = weights.read_bytes()
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2, "gan.vgg_scaling": 0})
                   + ["--tecogan", "--pre_trained_frvsr_weights", str(weights)])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: --pre_trained_frvsr_weights '{weights}' is a file train.py writes in --output_dir '{output_dir}', and "
        "this run would replace it; move it out of that folder, or choose another --output_dir"]
    assert weights.read_bytes() == before


# Ninth pass, half B

FRAME_CACHE_BLOCKS = {
    "entry: a file": ("entry", lambda path: open(path, "w").close()),
    "entry: a link to a folder": ("entry", lambda path: (os.mkdir(path + ".user"), os.symlink(path + ".user", path))),
    "entry: a link to nothing": ("entry", lambda path: os.symlink(path + ".unmounted", path)),
    "staging: a file": ("staging", lambda path: open(path, "w").close()),
    "lock: a folder": ("lock", os.mkdir),
    "lock: a pipe": ("lock", os.mkfifo),
}


@pytest.mark.parametrize("place, make", FRAME_CACHE_BLOCKS.values(), ids=FRAME_CACHE_BLOCKS.keys())
def test_a_frame_cache_place_taken_by_another_kind_is_one_line_before_decoding(tmp_path, place, make):
    """An entry of data.cache_dir taken by a file or a link: NotADirectoryError or rmtree's OSError on a link, a
    traceback once the sequence was decoded; its staging name taken by a file: FileExistsError; the lock file a folder
    or a pipe: IsADirectoryError or io.UnsupportedOperation. The user's linked folder is kept."""
    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import Sequence
    from training_data import calendar_frame
    from utils.image_io import write_rgb
    folder = tmp_path / "clip"
    folder.mkdir()
    write_rgb(str(folder / "0.png"), calendar_frame(0, 8, 8))
    sequence, cache = Sequence("clip", str(folder), [str(folder / "0.png")]), str(tmp_path / "cache")
    os.mkdir(cache)
    entry = frame_cache.entry_folder(cache, sequence)
    path = {"entry": entry, "staging": entry + frame_cache.STAGING_SUFFIX,
            "lock": os.path.join(cache, frame_cache.LOCK_FILE)}[place]
    make(path)
    before = set(os.listdir(cache)) | {frame_cache.LOCK_FILE}  # the lock file is made at every run
    wanted = "is not a file, and the frame cache's lock goes there" if place == "lock" else (
        "is not a plain folder, where the frame cache of sequence 'clip' goes")
    with pytest.raises(UserError, match=rf"^'{re.escape(path)}' {wanted}; move it, or choose another "
                                        r"data.cache_dir$"):
        frame_cache.cached_frames([sequence], [(8, 8)], cache, read_frame, report=lambda message: None,
                                  show_progress=False)
    assert set(os.listdir(cache)) == before


@pytest.mark.parametrize("place", ["run", "."], ids=["inside", "equal"])
def test_an_output_folder_inside_the_validation_folder_is_refused_before_any_work(tmp_path, capsys, place):
    """An --output_dir inside data.val_dir (a folder of clip folders) trained on the first run; then the output folder
    was a validation clip ("has 2 frames", losses.png and val.png) and every resume was refused."""
    import train
    from training_data import make_calendar_scenes, make_sequence_folders, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    val_dir = make_sequence_folders(tmp_path / "val", {"clip": 5}, sizes={"clip": (64, 64)})
    output_dir = os.path.normpath(os.path.join(val_dir, place))
    with pytest.raises(SystemExit) as stop:
        train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2, "train.val_freq": 2,
                                                              "data.val_dir": val_dir, "train.val_crop": 48}))
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: --output_dir '{output_dir}' is inside data.val_dir '{val_dir}', whose folders are validation clips; "
        "set --output_dir to a folder outside it"]
    assert os.listdir(val_dir) == ["clip"]


def test_a_batch_larger_than_the_machine_memory_is_one_line_before_any_work(tmp_path):
    """train.batch_size 10^8 (crops of 40x40, 3 frames): the loader took memory for minutes, past 8 GB, until the
    kernel ended the run (or another process) without a word; a stop signal waited for the first iteration."""
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    completed = run_script("train.py", *tiny_training_flags(scenes, tmp_path / "out", **{
        "train.batch_size": 10 ** 8, "train.max_iter": 10 ** 12}), timeout=60)
    assert_one_error_line(completed, "train.batch_size 100000000 of 3 frames of 40x40 pixels takes 5364.42 GB a batch",
                          "lower train.batch_size")
    assert os.listdir(tmp_path) == ["scenes"]


def waits_for_a_lock(mpirun_pid, rank):
    """Whether the process of rank waits for a file lock (a blocked line of /proc/locks); False before it starts."""
    try:
        pid = rank_pid(mpirun_pid, rank)
    except (AssertionError, OSError):  # mpirun has not started it yet
        return False
    with open("/proc/locks") as locks:
        return any(fields[1] == "->" and fields[5] == str(pid) for fields in map(str.split, locks))


def test_a_stop_signal_to_one_mpirun_process_before_training_ends_the_job_at_once(tmp_path):
    """SIGTERM to rank 1 alone while the processes set up (here: both wait for the frame cache's build lock): rank 1
    exited with 130, taken for the stop every process agrees on, and rank 0 waited for it without end."""
    import fcntl
    import time

    from datasets.frame_cache import LOCK_FILE
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, cache = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "cache"
    cache.mkdir()
    flags = tiny_training_flags(scenes, tmp_path / "out", **{"train.max_iter": 4, "data.cache_dir": cache})
    with open(cache / LOCK_FILE, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process's build, which both wait for in their set-up
        process = subprocess.Popen([MPIRUN, "-n", "2", sys.executable, "train.py", *flags], cwd=REPO_ROOT,
                                   env=mpi_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 120
            while not (waits_for_a_lock(process.pid, 0) and waits_for_a_lock(process.pid, 1)):
                assert process.poll() is None and time.monotonic() < deadline, process.communicate()
                time.sleep(0.2)
            os.kill(rank_pid(process.pid, 1), signal.SIGTERM)
            _, err = process.communicate(timeout=60)
        finally:
            process.kill()
    assert process.returncode == 130, err[-2000:]
    assert "interrupted" in err.splitlines() and "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == ["cache", "scenes"]


# Ninth pass, the coordinator's part

def test_frvsr_weights_named_like_a_stale_temporary_in_the_output_folder_are_kept(tmp_path):
    """The clean-up of what a killed run left deleted --pre_trained_frvsr_weights run/.w.4194305.tmp.h5 (a name of
    write_atomically's temporaries, of a pid no process has) before the run read it, then called it missing: the
    weights lost. generate.py and demo.py kept their inputs already (the ninth pass, half A)."""
    import shutil

    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, frvsr_dir, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "frvsr", tmp_path / "run"
    train.main(tiny_training_flags(scenes, frvsr_dir, **{"train.max_iter": 2}))
    output_dir.mkdir()
    weights = output_dir / ".w.4194305.tmp.h5"
    shutil.copy(frvsr_dir / "model_param_00000002.h5", weights)
    before = weights.read_bytes()
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2, "gan.vgg_scaling": 0})
               + ["--tecogan", "--pre_trained_frvsr_weights", str(weights)])
    assert weights.read_bytes() == before and (output_dir / "model_param_00000002.h5").is_file()


# Tenth pass, half B

@pytest.mark.parametrize("place", [".", "cache"], ids=["equal", "inside"])
def test_a_frame_cache_inside_the_validation_folder_is_refused_before_any_work(tmp_path, capsys, place):
    """data.cache_dir equal to (or a new folder in) data.val_dir: the first run decoded every sequence into the
    validation folder, then its entries were clips without pictures ("has no images"), and every run was refused."""
    import train
    from training_data import make_calendar_scenes, make_sequence_folders, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    val_dir = make_sequence_folders(tmp_path / "val", {"clip": 5}, sizes={"clip": (64, 64)})
    cache_dir = os.path.normpath(os.path.join(val_dir, place))
    with pytest.raises(SystemExit) as stop:
        train.main(tiny_training_flags(scenes, tmp_path / "out", **{
            "train.max_iter": 2, "train.val_freq": 2, "data.val_dir": val_dir, "train.val_crop": 48,
            "data.cache_dir": cache_dir}))
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: data.cache_dir '{cache_dir}' is inside data.val_dir '{val_dir}', whose folders are validation clips; "
        "set data.cache_dir to a folder outside it"]
    assert os.listdir(val_dir) == ["clip"] and sorted(os.listdir(tmp_path)) == ["scenes", "val"]


def test_memory_running_out_in_a_training_step_is_one_line(tmp_path, capsys, monkeypatch):
    """A batch whose loader batches fit (check_batch_memory) but whose networks' activations do not, on the GPU or
    under a ulimit -v: NNabla's RuntimeError "memory error in alloc" as a traceback, at any iteration."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, steps = make_calendar_scenes(tmp_path / "scenes"), []
    real_step = train.training_step

    def step_running_out(*args, **kwargs):
        steps.append(len(steps) + 1)
        if len(steps) == 2:
            raise RuntimeError("memory error in alloc\n/nbla/memory/memory.cpp:39\nFailed `this->alloc_impl()`")
        return real_step(*args, **kwargs)
    monkeypatch.setattr(train, "training_step", step_running_out)
    with pytest.raises(SystemExit) as stop:
        train.main(tiny_training_flags(scenes, tmp_path / "out", **{"train.max_iter": 4, "train.save_freq": 1}))
    assert stop.value.code == 2 and steps == [1, 2]
    assert capsys.readouterr().err.splitlines()[-1] == (
        "error: out of memory in training at train.batch_size 4 of 3 frames of 40x40 pixels; lower "
        "train.batch_size or train.crop_size, or free memory")
    assert (tmp_path / "out" / "checkpoint_00000001.json").is_file()


def test_a_checkpoint_json_copied_without_its_files_names_the_missing_file(tmp_path):
    """A checkpoint_N.json copied alone was refused at load as "weights file '.../params_N.h5' does not exist; pass
    the path of a .h5 model file", a file the user never named."""
    from training.checkpoint import read_checkpoint
    path = tmp_path / "checkpoint_00000002.json"
    path.write_text('{"iteration": 2, "params": "params_00000002.h5", "solvers": {"gen": "gen_states_00000002.h5"}}')
    (tmp_path / "params_00000002.h5").write_bytes(b"")
    with pytest.raises(UserError, match=rf"^checkpoint '{re.escape(str(path))}' names 'gen_states_00000002.h5' beside "
                                        r"it, which is missing; keep a checkpoint's .h5 files in the folder of its "
                                        r"JSON, or resume from another checkpoint$"):
        read_checkpoint(str(path))


def test_a_model_file_given_as_the_checkpoint_is_called_a_binary_file_not_a_corrupt_checkpoint(tmp_path):
    """--checkpoint model_param_N.h5 was "incomplete or corrupt ('utf-8' codec can't decode byte 0x89 ...); resume
    from an earlier one", which sends the user to older checkpoints of the same kind."""
    from training.checkpoint import read_checkpoint
    path = tmp_path / "model_param_00000002.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(64))
    with pytest.raises(UserError, match=rf"^checkpoint '{re.escape(str(path))}' is a binary file, not a "
                                        r"checkpoint_<iter>.json; pass the JSON from the output folder"):
        read_checkpoint(str(path))


# Eleventh pass, half B

def scenes_and_sampler(tmp_path):
    """Two calendar scenes and the SequenceSampler of a tiny run on them (frames read from the files)."""
    from data_loader import SequenceSampler
    from training.config import load_config
    from training_data import make_calendar_scenes
    scenes = make_calendar_scenes(tmp_path / "scenes")
    return scenes, SequenceSampler(load_config(overrides={
        "data.input_video_dir": scenes, "data.str_dir": 2000, "data.end_dir": 2001, "data.max_frm": 11,
        "train.crop_size": 8, "train.rnn_n": 3, "train.batch_size": 2, "train.movingFirstFrame": False}))


def test_a_training_frame_rewritten_at_another_size_while_training_is_one_line(tmp_path):
    """A frame replaced mid-run (without data.cache_dir) by one of another size: numpy's "all input arrays must
    have the same shape" traceback from a loader thread, exit code 1 (the sizes are read once, at the start)."""
    from utils.image_io import write_rgb
    scenes, sampler = scenes_and_sampler(tmp_path)
    sampler.batch(0)
    for scene in ("scene_2000", "scene_2001"):
        for index in range(12):
            write_rgb(os.path.join(scenes, scene, f"col_high_{index:04d}.png"), np.zeros((50, 60, 3), np.float32))
    with pytest.raises(UserError, match=r"^training frame '.*col_high_00\d\d.png' is now 60x50, not the 180x144 of its "
                                        r"sequence when training started: it was changed while training read it; "
                                        r"restore it, then run the same command again to resume$"):
        sampler.batch(1)


def test_memory_running_out_in_validation_names_the_validation_settings(tmp_path, capsys, monkeypatch):
    """An allocation that failed while validating (on a GPU beside the training's networks, or under ulimit -v) was
    "pass a lower --max-memory or --tile", flags that train.py does not have."""
    import inference.resolver
    import train
    from training_data import make_calendar_scenes, make_sequence_folders, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    val_dir = make_sequence_folders(tmp_path / "val", {"clip": 5}, sizes={"clip": (64, 64)})

    def running_out(*args, **kwargs):
        raise RuntimeError("memory error in alloc\n/nbla/memory/memory.cpp:39\nFailed `this->alloc_impl()`")
        yield
    monkeypatch.setattr(inference.resolver, "super_resolve", running_out)
    line = user_error_line(train.main, tiny_training_flags(scenes, tmp_path / "out", **{
        "train.max_iter": 2, "train.val_freq": 2, "data.val_dir": val_dir, "train.val_crop": 48}), capsys)
    assert re.fullmatch(r"error: out of memory while super-resolving 12x12 LR frames in a budget of [0-9.]+ GB; in "
                        r"validation, beside the training's networks: lower train.val_crop or train.val_frames, free "
                        r"memory, or set train.val_freq=0, then run again to resume", line)


def test_a_checkpoint_renamed_to_another_iteration_is_refused_and_its_files_kept(tmp_path, capsys):
    """checkpoint_00000004.json renamed checkpoint_00000006.json (it holds iteration 4): its files were deleted as
    orphans of iteration 4 when the run began, then called missing; kept, the newest checkpoint by name would have
    resumed iteration 4 again after every later save."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}))
    (output_dir / "checkpoint_00000004.json").rename(output_dir / "checkpoint_00000006.json")
    before = sorted(os.listdir(output_dir))
    assert user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 8}), capsys) == (
        f"error: checkpoint '{output_dir / 'checkpoint_00000006.json'}' holds iteration 4, not the 6 of its name "
        "(renamed or edited by hand); name it checkpoint_00000004.json, or move it out of the folder")
    assert sorted(os.listdir(output_dir)) == before


def test_a_checkpoint_whose_solver_state_holds_nan_is_refused(tmp_path, capsys):
    """A NaN in an Adam moment of a checkpoint (a disk error, a file of a diverged run): the resumed run trained on,
    its losses finite for the first steps, and wrote model_param files of NaN parameters with exit code 0."""
    import h5py
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    with h5py.File(output_dir / "gen_states_00000002.h5", "r+") as states:
        moments = []
        states.visititems(lambda name, item: moments.append(item) if isinstance(item, h5py.Dataset) else None)
        moment = moments[0][()]
        moment.flat[0] = np.nan
        moments[0][...] = moment
    assert user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}), capsys) == (
        f"error: checkpoint '{output_dir / 'checkpoint_00000002.json'}': gen_states_00000002.h5 holds NaN or infinite "
        "solver states; resume from an earlier checkpoint")
    assert not (output_dir / "model_param_00000004.h5").exists()


def test_a_checkpoint_whose_parameter_file_is_cut_short_names_the_checkpoint(tmp_path, capsys):
    """params_N.h5 cut short (a copy broken off): "pass a file saved by train.py or an official NNabla model", about a
    file the user never named, and nothing on the checkpoint to resume from instead."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    params = output_dir / "params_00000002.h5"
    params.write_bytes(params.read_bytes()[:3000])
    assert user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}), capsys) == (
        f"error: weights file '{params}' is not an HDF5 (.h5) parameter file; it is a file of checkpoint "
        f"'{output_dir / 'checkpoint_00000002.json'}': resume from an earlier checkpoint")


def test_parameters_made_nan_by_an_update_whose_loss_was_finite_are_not_saved(tmp_path, capsys, monkeypatch):
    """The update of a gradient that overflowed, its loss (computed before the update) still finite: the iteration's
    model_param file and checkpoint were written of NaN parameters, exit code 0 at the last iteration; and the
    divergence the next iteration met advised resuming from that checkpoint."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    real_step = train.training_step

    def step_overflowing(graph, stage, solvers, learnable_params, *args, **kwargs):
        updated = real_step(graph, stage, solvers, learnable_params, *args, **kwargs)
        if solvers["gen"].get_states()[next(iter(learnable_params["gen"]))].t == 4:
            next(iter(learnable_params["gen"].values())).d *= np.inf
        return updated
    monkeypatch.setattr(train, "training_step", step_overflowing)
    assert user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}), capsys) == (
        f"error: training diverged at iteration 4: a parameter is not finite; the last checkpoint "
        f"({output_dir / 'checkpoint_00000002.json'}) is kept: resume from it with a lower train.learning_rate "
        "(--set train.learning_rate=... --allow-changed-settings)")
    assert not {"model_param_00000004.h5", "checkpoint_00000004.json"} & set(os.listdir(output_dir))


def test_a_user_s_files_named_like_checkpoint_files_in_the_output_folder_are_kept(tmp_path):
    """Any <word>_states_<N>.h5 without its checkpoint JSON was deleted as a checkpoint's orphan, and any
    checkpoint_*checkpoint_<N>.json was taken for checkpoint N (pruned, or resumed from when newest)."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    mine = ["ema_states_00000001.h5", "checkpoint_before_lr_checkpoint_00000001.json"]
    for name in mine:
        (output_dir / name).write_text("mine")
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 8}))
    assert [(output_dir / name).read_text() for name in mine] == ["mine", "mine"]


def test_an_output_folder_made_read_only_while_training_is_one_line(tmp_path):
    """chmod 555 (or 000) on --output_dir mid-run: a PermissionError traceback at the next write, and another as the
    lock file could not be removed, exit code 1. Run without the capability that lets root write anywhere."""
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    script = ("import os, sys\nsys.path[:0] = ['tests']\nimport train\nsteps = []\nreal_step = train.training_step\n"
              "def step(*args, **kwargs):\n    steps.append(1)\n    if len(steps) == 2:\n"
              f"        os.chmod({str(output_dir)!r}, 0o555)\n    return real_step(*args, **kwargs)\n"
              f"train.training_step = step\n"
              f"train.main({tiny_training_flags(scenes, output_dir, **{'train.max_iter': 4})!r})\n")
    as_root_without_override = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    try:
        completed = subprocess.run([*(as_root_without_override if os.geteuid() == 0 else []), sys.executable, "-c",
                                    script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    finally:
        os.chmod(output_dir, 0o755)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr, completed.stderr
    assert completed.stderr.splitlines()[-1] == (
        f"error: cannot write '{output_dir / 'losses.csv'}' (Permission denied): its folder is not writable (or no "
        "longer); make it writable, then run again")
    assert os.listdir(output_dir) == [".tecogan.lock"]  # the next run takes it over


def test_a_training_frame_deleted_while_training_is_called_gone_not_a_matter_of_permissions(tmp_path):
    """A frame deleted or moved mid-run (a disk unmounted, a folder tidied): "(No such file or directory); check its
    permissions", which sends the user to the wrong cause."""
    scenes, sampler = scenes_and_sampler(tmp_path)
    for scene in ("scene_2000", "scene_2001"):
        for index in range(12):
            os.remove(os.path.join(scenes, scene, f"col_high_{index:04d}.png"))
    with pytest.raises(UserError, match=r"^cannot read image '.*col_high_00\d\d.png': it is gone, deleted or moved "
                                        r"since its folder was listed; restore it and run again$"):
        sampler.batch(0)


def test_a_checkpoint_of_another_folder_resumed_into_a_folder_of_another_run_is_refused(tmp_path, capsys):
    """--checkpoint runA/checkpoint_4.json --output_dir runB, where runB holds an older run's checkpoint_2: that run's
    checkpoints were pruned by the new saves (it could no longer be resumed) and losses.csv held its rows 1-2, then the
    other run's 5-6, exit code 0."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, run_a, run_b = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "runA", tmp_path / "runB"
    train.main(tiny_training_flags(scenes, run_a, **{"train.max_iter": 4}))
    train.main(tiny_training_flags(scenes, run_b, **{"train.max_iter": 2}))
    before = {name: (run_b / name).read_bytes() for name in os.listdir(run_b)}
    flags = tiny_training_flags(scenes, run_b, **{"train.max_iter": 8,
                                                  "train.checkpoint": run_a / "checkpoint_00000004.json"})
    assert user_error_line(train.main, flags, capsys) == (
        f"error: --checkpoint '{run_a / 'checkpoint_00000004.json'}' is of another folder than --output_dir '{run_b}', "
        f"which holds checkpoints of its own run ('{run_b / 'checkpoint_00000002.json'}'): resuming there would delete "
        "them and mix the two runs in losses.csv; leave --checkpoint out to continue that run, or resume into a new "
        "--output_dir")
    assert {name: (run_b / name).read_bytes() for name in os.listdir(run_b)} == before


# Twelfth pass, half B

def test_a_checkpoint_resumed_into_a_copy_of_its_run_folder_continues_the_run(tmp_path):
    """--checkpoint runA/checkpoint_4.json --output_dir copy, where copy is runA copied (cp -r) at that checkpoint: it
    was refused as a folder holding "checkpoints of its own run" that resuming would delete, though they are this
    run's."""
    import shutil
    import train
    from training_data import logged_rows, make_calendar_scenes, tiny_training_flags
    scenes, run_a, copy = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "runA", tmp_path / "copy"
    train.main(tiny_training_flags(scenes, run_a, **{"train.max_iter": 4}))
    shutil.copytree(run_a, copy)
    train.main(tiny_training_flags(scenes, copy, **{"train.max_iter": 6,
                                                   "train.checkpoint": run_a / "checkpoint_00000004.json"}))
    assert [row["iteration"] for row in logged_rows(copy)] == ["1", "2", "3", "4", "5", "6"]
    assert (copy / "checkpoint_00000006.json").is_file()


def test_a_run_resumed_by_checkpoint_and_stopped_says_how_to_continue_it(tmp_path, capsys, monkeypatch):
    """A run started with --checkpoint into a new folder, stopped (Ctrl-C): "run the same command again to continue",
    which is refused as older than the folder's newest checkpoint; continuing is running without --checkpoint."""
    import train
    from training_data import logged_rows, make_calendar_scenes, tiny_training_flags
    scenes, run_a, run_b = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "runA", tmp_path / "runB"
    train.main(tiny_training_flags(scenes, run_a, **{"train.max_iter": 2}))
    real_step = train.training_step

    def step_then_stop(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGUSR1)
        return real_step(*args, **kwargs)
    monkeypatch.setattr(train, "training_step", step_then_stop)
    resumed = tiny_training_flags(scenes, run_b, **{"train.max_iter": 6,
                                                    "train.checkpoint": run_a / "checkpoint_00000002.json"})
    with pytest.raises(SystemExit) as stopped:
        train.main(resumed)
    assert stopped.value.code == 130
    assert capsys.readouterr().out.splitlines()[-1] == (
        "stopped at iteration 3 of 6 on request, with a checkpoint; run the same command without --checkpoint again "
        "to continue")
    monkeypatch.setattr(train, "training_step", real_step)
    assert user_error_line(train.main, resumed, capsys).endswith(
        "leave --checkpoint out to continue from the newest, resume into another --output_dir, or move the newer "
        "checkpoints out of it")
    train.main(tiny_training_flags(scenes, run_b, **{"train.max_iter": 6}))
    assert [row["iteration"] for row in logged_rows(run_b)] == ["3", "4", "5", "6"]


def refusal_of_damaged_solver_state(tmp_path, capsys, damage):
    """The error line of resuming a run of 2 iterations after damage(its gen_states file, open in h5py)."""
    import h5py
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    with h5py.File(output_dir / "gen_states_00000002.h5", "r+") as states:
        damage(states)
    return user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}), capsys)


def negative_second_moment(states):
    states["generator_unit/output_stage/conv/conv/W/var"][...] = -1.0


def negative_step_count(states):
    states["generator_unit/output_stage/conv/conv/W/t"][...] = -1


def a_parameter_s_state_removed(states):
    del states["generator_unit/output_stage/conv/conv/W"]


@pytest.mark.parametrize("damage, said", [
    (negative_second_moment, "negative solver states (a second moment or step count below zero)"),
    (negative_step_count, "negative solver states (a second moment or step count below zero)"),
    (a_parameter_s_state_removed, "no solver state for parameter 'generator_unit/output_stage/conv/conv/W'")])
def test_a_checkpoint_whose_solver_state_is_damaged_though_finite_is_refused(tmp_path, capsys, damage, said):
    """Adam states that are finite but impossible (a negative second moment or step count: NaN updates, and a
    divergence that advised resuming from that checkpoint again) or missing for a parameter (it resumed from a fresh
    state, exit code 0)."""
    assert refusal_of_damaged_solver_state(tmp_path, capsys, damage) == (
        f"error: checkpoint '{tmp_path / 'out' / 'checkpoint_00000002.json'}': gen_states_00000002.h5 holds {said}; "
        "resume from an earlier checkpoint")


def test_a_user_s_files_named_like_checkpoint_files_of_a_short_number_are_kept(tmp_path):
    """params_1.h5, gen_states_7.h5, checkpoint_3.json (a user's copy of checkpoint 2 by a short name): train.py writes
    iterations of 8 digits at least, but any number was taken for a checkpoint's: the .h5 files deleted at start as
    orphans, and the JSON refused as a checkpoint renamed to iteration 3 (no run could go on in the folder)."""
    import shutil
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    for name in ("params_1.h5", "gen_states_7.h5"):
        (output_dir / name).write_text("mine")
    shutil.copy(output_dir / "checkpoint_00000002.json", output_dir / "checkpoint_3.json")
    kept = {name: (output_dir / name).read_bytes() for name in ("params_1.h5", "gen_states_7.h5", "checkpoint_3.json")}
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 8}))
    assert {name: (output_dir / name).read_bytes() for name in kept} == kept


def test_training_frames_replaced_by_folders_while_training_are_called_so(tmp_path):
    """Frames replaced mid-run (no frame cache) by folders: "(Is a directory); check its permissions", the wrong cause
    (at the start, a folder named like a frame is refused by name)."""
    scenes, sampler = scenes_and_sampler(tmp_path)
    sampler.batch(0)
    for scene in ("scene_2000", "scene_2001"):
        for index in range(12):
            os.remove(os.path.join(scenes, scene, f"col_high_{index:04d}.png"))
            os.mkdir(os.path.join(scenes, scene, f"col_high_{index:04d}.png"))
    with pytest.raises(UserError, match=r"^cannot read image '.*col_high_00\d\d.png': it is a folder, not an image file; "
                                        r"put the image there and run again$"):
        sampler.batch(1)


def test_training_frames_replaced_by_pipes_while_training_are_one_line_not_a_wait_without_end(tmp_path):
    """Frames replaced mid-run (no frame cache) by named pipes: the loader opened one and waited for a writer without
    end (at the start, a pipe named like a frame is refused by name)."""
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    script = ("import glob, os, sys\nsys.path[:0] = ['tests']\nimport train\nsteps = []\nreal_step = train.training_step\n"
              "def step(*args, **kwargs):\n    steps.append(1)\n    if len(steps) == 1:\n"
              f"        for path in glob.glob(os.path.join({scenes!r}, '*', '*.png')):\n"
              "            os.mkfifo(path + '.pipe')\n            os.replace(path + '.pipe', path)\n"
              "    return real_step(*args, **kwargs)\n"
              "train.training_step = step\n"
              f"train.main({tiny_training_flags(scenes, output_dir, **{'train.max_iter': 40})!r})\n")
    completed = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                               timeout=120)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr, completed.stderr
    assert re.fullmatch(r"error: cannot read image '.*\.png': it is a pipe or device, not an image file; put the image "
                        r"there and run again", completed.stderr.splitlines()[-1])


def test_parameters_made_infinite_are_not_written_by_the_checkpoint_a_stop_signal_writes_at_once(tmp_path, capsys,
                                                                                                  monkeypatch):
    """An update that overflowed at iteration 1 (off the save schedule, its loss finite), then Ctrl-C: the thread that
    writes the last completed iteration's checkpoint at once wrote it of infinite parameters, and the divergence that
    followed advised resuming from it."""
    import time
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    real_step, steps = train.training_step, []

    def step_overflowing_then_stopped(graph, stage, solvers, learnable_params, *args, **kwargs):
        steps.append(1)
        if len(steps) == 2:  # between the iterations: the thread may write iteration 1's checkpoint now
            os.kill(os.getpid(), signal.SIGINT)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not (output_dir / "checkpoint_00000001.json").exists():
                time.sleep(0.05)
        updated = real_step(graph, stage, solvers, learnable_params, *args, **kwargs)
        if len(steps) == 1:
            next(iter(learnable_params["gen"].values())).d *= np.inf
        return updated
    monkeypatch.setattr(train, "training_step", step_overflowing_then_stopped)
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}), capsys)
    assert line.startswith("error: training diverged at iteration 2: ") and line.endswith(
        "no checkpoint was written yet: start again with a lower train.learning_rate (--set train.learning_rate=...)")
    assert not (output_dir / "checkpoint_00000001.json").exists()


def test_a_checkpoint_renamed_to_an_older_iteration_than_the_newest_is_refused_and_kept(tmp_path, capsys):
    """checkpoint_00000008.json renamed checkpoint_00000002.json beside checkpoint_00000006.json: the run resumed from
    6, pruned the renamed JSON as the oldest (its iterations' work recomputed, exit code 0); only the newest by name was
    checked."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 8}))
    (output_dir / "checkpoint_00000008.json").rename(output_dir / "checkpoint_00000002.json")
    before = {name: (output_dir / name).read_bytes() for name in os.listdir(output_dir)}
    assert user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 10}), capsys) == (
        f"error: checkpoint '{output_dir / 'checkpoint_00000002.json'}' holds iteration 8, not the 2 of its name "
        "(renamed or edited by hand); name it checkpoint_00000008.json, or move it out of the folder")
    assert {name: (output_dir / name).read_bytes() for name in os.listdir(output_dir)} == before


# Twelfth pass, third look at half B

def test_a_checkpoint_resumed_into_a_copy_that_went_on_with_other_data_is_refused(tmp_path, capsys):
    """runA copied at iteration 4, the copy trained on to 6 with other data (a setting a checkpoint does not record),
    runA to 6 with its own: the two checkpoint_6.json are the same bytes, their parameters not. --checkpoint
    runA/checkpoint_6.json --output_dir copy was taken as the same run: the copy's checkpoints were pruned and its
    losses.csv held its own rows, then runA's, exit code 0."""
    import shutil
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, run_a, copy = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "runA", tmp_path / "copy"
    other = make_calendar_scenes(tmp_path / "other", frames_per_scene=13)
    train.main(tiny_training_flags(scenes, run_a, **{"train.max_iter": 4}))
    shutil.copytree(run_a, copy)
    train.main(tiny_training_flags(other, copy, **{"train.max_iter": 6}))
    train.main(tiny_training_flags(scenes, run_a, **{"train.max_iter": 6}))
    before = {name: (copy / name).read_bytes() for name in os.listdir(copy)}
    line = user_error_line(train.main, tiny_training_flags(scenes, copy, **{
        "train.max_iter": 10, "train.checkpoint": run_a / "checkpoint_00000006.json"}), capsys)
    assert line.startswith(f"error: --checkpoint '{run_a / 'checkpoint_00000006.json'}' is of another folder")
    assert {name: (copy / name).read_bytes() for name in os.listdir(copy)} == before


def test_a_user_s_files_named_like_checkpoint_files_of_numbers_train_py_never_writes_are_kept(tmp_path):
    """params_000000001.h5 (zeros past eight), params_<Arabic-Indic digits>.h5, params_<full-width digits>.h5 and
    checkpoint_000000002.json, a user's copy of checkpoint 2: a regular expression's \\d took every one for a
    checkpoint's file (Unicode digits, and int() reads them), deleted at start as orphans or pruned."""
    import shutil
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    mine = ["params_000000001.h5", "params_\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0661.h5",
            "params_\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff11.h5"]
    for name in mine:
        (output_dir / name).write_text("mine")
    shutil.copy(output_dir / "checkpoint_00000002.json", output_dir / "checkpoint_000000002.json")
    kept = {name: (output_dir / name).read_bytes() for name in mine + ["checkpoint_000000002.json"]}
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 6}))
    assert {name: (output_dir / name).read_bytes() for name in kept} == kept


STATE = "generator_unit/output_stage/conv/conv/W"  # a parameter's group in a gen_states file


def replaced(states, name, value):
    del states[name]
    states[name] = value


@pytest.mark.parametrize("damage, said", [
    (lambda states: replaced(states, f"{STATE}/mean", np.zeros((3, 3), np.float32)),
     f"a mean of shape (3, 3) and type float32 for parameter '{STATE}' of shape (3, 64, 3, 3)"),
    (lambda states: states.__delitem__(f"{STATE}/var"), f"no var for parameter '{STATE}'"),
    (lambda states: states.create_dataset("not_a_parameter/W/t", data=2),
     "a solver state for 'not_a_parameter/W', a parameter this model does not have"),
    (lambda states: replaced(states, f"{STATE}/t", 1.5),
     f"a step count for parameter '{STATE}' that is not one whole number (float64, shape ())"),
    (lambda states: replaced(states, f"{STATE}/t", np.uint64(2 ** 63)),
     f"a step count of {2 ** 63} for parameter '{STATE}', past the checkpoint's 2 iterations"),
], ids=["a moment of another shape", "a moment missing", "a state of a parameter the model lacks",
        "a step count of 1.5", "a step count of 2**63"])
def test_a_checkpoint_whose_solver_state_is_impossible_in_other_ways_is_refused(tmp_path, capsys, damage, said):
    """NNabla's load_states took a moment of another shape, or none, and the divergence that followed advised resuming
    from that checkpoint again; a state of a parameter the model lacks or a step count past a C int: a TypeError or an
    OverflowError traceback; a step count of 1.5 was read as 1, exit code 0."""
    assert refusal_of_damaged_solver_state(tmp_path, capsys, damage) == (
        f"error: checkpoint '{tmp_path / 'out' / 'checkpoint_00000002.json'}': gen_states_00000002.h5 holds {said}; "
        "resume from an earlier checkpoint")


@pytest.mark.parametrize("key", ["train.save_minutes", "train.learning_rate"])
def test_a_number_setting_of_hundreds_of_digits_is_one_line(key):
    """A whole number past a float's range (400 digits): math.isfinite's OverflowError traceback, exit code 1, from
    every setting that takes a number (the whole-number settings were refused in one line already)."""
    from training.config import load_config, parse_value
    with pytest.raises(UserError, match=f"^bad value 1000.*0 for {key}: expected") as error:
        load_config(overrides={key: parse_value("1" + "0" * 400)})
    assert len(str(error.value)) < 200


def test_a_second_stop_signal_during_an_update_writes_no_checkpoint(tmp_path, monkeypatch):
    """SIGTERM twice while iteration 2's parameters were being updated (save_freq 4): the first woke the thread that
    writes the last completed iteration's checkpoint at once, which waited for the update to end; the second aborted,
    and on the way out the thread wrote checkpoint 1 of iteration 2's parameters (Adam's step count 2 in it), though a
    second signal aborts without a checkpoint."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    real_step, steps = train.training_step, []

    def step_then_stopped_twice(*args, **kwargs):
        updated = real_step(*args, **kwargs)
        steps.append(1)
        if len(steps) == 2:
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGTERM)
        return updated
    monkeypatch.setattr(train, "training_step", step_then_stopped_twice)
    with pytest.raises(SystemExit) as stopped:
        train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4, "train.save_freq": 4}))
    assert stopped.value.code == 130
    assert not (output_dir / "checkpoint_00000001.json").exists()


# Twelfth pass, second look at half B

@pytest.mark.parametrize("key, value", [("train.learning_rate", "1" + "0" * 308), ("train.adameps", "1e39"),
                                        ("train.eps", "1e39")])
def test_a_number_setting_past_float32_s_range_is_one_line(key, value):
    """Numbers the float64 check took that float32, in which the networks and solvers take them, cannot hold:
    train.learning_rate 10**308 at batch 8 was two ints divided past a float's range (OverflowError, a traceback);
    Adam's eps of 1e39 was infinite, and no parameter ever changed (exit code 0); a loss eps of 1e39 made the first
    loss NaN, a numpy warning's two lines before the line that advised a lower learning rate."""
    import train
    from training.config import load_config, parse_value
    with pytest.raises(UserError, match=rf"^bad value 1.*0* for {key}: expected a positive finite float32 number"):
        train.scaled_schedule(load_config(overrides={key: parse_value(value), "train.batch_size": 8}), 1)


def test_a_solver_state_declaring_a_moment_of_terabytes_is_refused_without_reading_it(tmp_path, capsys):
    """A gen_states file of a few MB whose mean is a chunked dataset of 2**46 floats, never written (256 TiB declared,
    more than a process can address, so the old code's allocation failed at once rather than use memory): every
    dataset was read before the shapes were compared, numpy's MemoryError, a traceback (a moment of tens of GB, as
    easily declared, would have filled the memory)."""
    def a_moment_of_terabytes(states):
        del states[f"{STATE}/mean"]
        states.create_dataset(f"{STATE}/mean", shape=(2 ** 46,), dtype="f4", chunks=(2 ** 16,))
    assert refusal_of_damaged_solver_state(tmp_path, capsys, a_moment_of_terabytes) == (
        f"error: checkpoint '{tmp_path / 'out' / 'checkpoint_00000002.json'}': gen_states_00000002.h5 holds a mean "
        f"of shape ({2 ** 46},) and type float32 for parameter '{STATE}' of shape (3, 64, 3, 3); resume from an "
        "earlier checkpoint")


# Thirteenth pass, second look at the twelfth pass's half B, TensorBoard and the authors' scripts

class KilledBeforeCheckpoint(Exception):
    pass


def test_a_run_started_again_after_one_killed_before_its_first_checkpoint_hides_that_run_s_tensorboard_events(
        tmp_path, monkeypatch):
    """kill -9 (or the out-of-memory killer) before the first checkpoint, after TensorBoard's writer had flushed
    iterations 1 and 2: the run started again from iteration 0, and TensorBoard drew both runs' points at steps 1 and
    2, a curve that doubles back (only a resumed run hid a killed run's events)."""
    import train
    from helpers import killed_at_checkpoint
    from training_data import event_scalars, make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")

    def flags(output_dir):
        return tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4, "train.tensorboard": "true"})
    train.main(flags(tmp_path / "once"))
    with monkeypatch.context() as patch:
        patch.setattr(train, "save_checkpoint", killed_at_checkpoint(train.save_checkpoint, 2, KilledBeforeCheckpoint))
        with pytest.raises(KilledBeforeCheckpoint):
            train.main(flags(tmp_path / "killed"))
    assert [step for step, _ in event_scalars(tmp_path / "killed" / "tensorboard")["content_loss"]] == [1, 2]
    train.main(flags(tmp_path / "killed"))
    assert (event_scalars(tmp_path / "killed" / "tensorboard")["content_loss"]
            == event_scalars(tmp_path / "once" / "tensorboard")["content_loss"])


class FullDisk:
    """A file of a disk that fills at its first flush."""

    def write(self, data):
        return len(data)

    def flush(self):
        import errno
        raise OSError(errno.ENOSPC, "No space left on device")

    def fileno(self):
        return 0

    def close(self):
        pass


def test_a_full_disk_under_the_tensorboard_events_is_one_line(tmp_path, monkeypatch, capsys):
    """The disk of <output_dir>/tensorboard full (a link to another disk, or the output folder's own): tensorboardX's
    OSError at the checkpoint's flush, a traceback, exit code 1, and its writer thread's traceback after it; when a
    write of the run's own failed first, the writer's close in the way out replaced that run's line by a traceback."""
    import tensorboardX.record_writer
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    monkeypatch.setattr(tensorboardX.record_writer, "open_file", lambda path: FullDisk())
    with pytest.raises(SystemExit) as exit_info:
        train.main(tiny_training_flags(scenes, tmp_path / "out", **{"train.max_iter": 2, "train.tensorboard": "true"}))
    assert exit_info.value.code == 2
    assert lines_without_progress_bars(capsys.readouterr().err) == [
        f"error: no space left on the disk of '{tmp_path / 'out' / 'tensorboard' / 'events'}'; free some space (or "
        "choose another folder) and run again"]


NOT_A_CHECKPOINT = "is not a checkpoint of train.py (it needs iteration, params, solvers)"


@pytest.mark.parametrize("loop_state, said", [
    ({"balance": float("nan"), "balance_average": float("inf")}, NOT_A_CHECKPOINT),
    ({"balance": True, "balance_average": None}, NOT_A_CHECKPOINT),
    ({"balance": 0.5, "balance_average": 10 ** 400}, "is incomplete or corrupt (a number of 401 digits)")],
    ids=["NaN and infinity", "true", "an int past float's range"])
def test_a_checkpoint_whose_loop_state_is_no_float_number_is_refused(tmp_path, capsys, loop_state, said):
    """The balance average of a checkpoint JSON (which gates the TecoGAN stage's discriminator updates) as NaN or
    Infinity (json reads both), true, or an int of 401 digits was taken: NaN and infinity shut the gate for good and
    were written into every later checkpoint, exit code 0; the int overflowed the average's arithmetic (now refused as
    it is read, as every JSON integer of more than a hundred digits: the twenty-second pass)."""
    import json
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    path = output_dir / "checkpoint_00000002.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "loop_state": loop_state}))
    assert user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}), capsys) == (
        f"error: checkpoint '{path}' {said}; resume from an earlier one")
    assert not (output_dir / "checkpoint_00000004.json").exists()


# Thirteenth pass, second look at the twelfth pass's half A, and the demo-model recipes

def test_a_recipe_section_whose_keys_are_all_commented_out_is_empty(tmp_path):
    """`gan:` over a commented-out line (a recipe edited to drop its one change of that section) is YAML's null: the
    recipe was refused as not holding "sections ... of key: value"."""
    from training.config import load_config
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("train:\n  seed: 3\ngan:\n#  ratio: 1.0\n")
    config, defaults = load_config(str(recipe)), load_config()
    assert config.train.seed == 3 and vars(config.gan) == vars(defaults.gan)


def test_a_bad_value_of_aliases_of_aliases_is_a_short_line(tmp_path):
    """A recipe's value made of aliases of aliases (a list of nine lists of nine ..., as a YAML bomb builds it): its
    summary by reprlib made the error line 392 kB."""
    from training.config import RULES, load_config
    data_keys = [key.split(".")[1] for key in RULES if key.startswith("data.")][:8]
    lines = ["data:", f"  {data_keys[0]}: &a0 [{', '.join(['lol'] * 9)}]"]
    lines += [f"  {key}: &a{index} [{', '.join([f'*a{index - 1}'] * 9)}]" for index, key in enumerate(data_keys[1:], 1)]
    recipe = tmp_path / "bomb.yaml"
    recipe.write_text("\n".join(lines + ["nnabla_context:", "  context: *a7"]) + "\n")
    with pytest.raises(UserError, match=r"^bad value \[\[\[.*\.\.\. for nnabla_context\.context: expected") as error:
        load_config(str(recipe))
    assert len(str(error.value)) < 200


@pytest.mark.parametrize("max_iter, taken", [(10 ** 400, False), (2 ** 31, False), (2 ** 31 - 1, True)],
                         ids=["401 digits", "2**31", "2**31 - 1"])
def test_a_max_iter_past_what_nnablas_solvers_count_is_one_line(max_iter, taken):
    """train.max_iter of 401 digits passed the checks and failed in the progress bar (tqdm's float: an OverflowError
    traceback, exit code 1); past 2**31 - 1 iterations NNabla's Adam cannot hold its step count (a C int)."""
    import train
    from training.config import load_config
    config = load_config(overrides={"train.max_iter": max_iter, "train.batch_size": 4})
    if taken:
        assert train.scaled_schedule(config, 1)[0] == max_iter
        return
    with pytest.raises(UserError, match=r"^train\.max_iter \d+(\.\.\.)? gives more iterations at batch 4 x 1 "
                                        r"process than the 2147483647 NNabla's solvers count \(a C int\); lower"):
        train.scaled_schedule(config, 1)


def test_frvsr_weights_given_to_the_frvsr_stage_are_refused_not_ignored(tmp_path, capsys):
    """--pre_trained_frvsr_weights is read by the TecoGAN stage only: given to the FRVSR stage (to go on from a model,
    or with a recipe of the wrong stage), it was ignored, a model trained from random weights, exit code 0; a path to
    nothing was taken as well."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    for weights in (BUNDLED_MODEL, str(tmp_path / "missing.h5")):
        with pytest.raises(SystemExit) as stop:
            train.main(tiny_training_flags(scenes, tmp_path / "run", **{"train.max_iter": 2})
                       + ["--pre_trained_frvsr_weights", weights])
        assert stop.value.code == 2
        assert capsys.readouterr().err.splitlines() == [
            f"error: --pre_trained_frvsr_weights '{weights}' is read by the TecoGAN stage only (--tecogan), and this "
            "run is the FRVSR stage, which starts from random weights; add --tecogan, or drop it"]
        assert not (tmp_path / "run").exists()


def test_a_learning_rate_float32_rounds_to_0_is_one_line_and_a_subnormal_one_is_taken():
    """train.learning_rate 1e-50 is a positive number, and 0 in float32, in which NNabla's Adam computes: the run
    changed no parameter, a model of its random start, exit code 0."""
    import train
    from training.config import load_config
    config = load_config(overrides={"train.learning_rate": 1e-50, "train.batch_size": 2})
    with pytest.raises(UserError, match=r"^train\.learning_rate 1e-50 scaled by batch 2 x 1 process / 4 is 0 in "
                                        r"float32, which the solver computes in: no parameter would change; raise it$"):
        train.scaled_schedule(config, 1)
    taken = load_config(overrides={"train.learning_rate": 1e-40, "train.batch_size": 4})
    assert train.scaled_schedule(taken, 1)[1] == 1e-40


# Thirteenth pass, second look at the thirteenth pass's half B fixes

def test_every_value_of_an_iteration_reaches_the_tensorboard_file_once_a_flush_is_due(tmp_path, monkeypatch):
    """Iterations of minutes (a big batch on a slow device): the flush due every 120 s came after an iteration's first
    scalar alone, and its other values stayed unseen by TensorBoard until the next iteration's, minutes later (as
    tensorboardX's writer thread flushed every 120 s whatever came)."""
    from training import loss_log
    from training_data import event_scalars
    clock = [1000.0]
    monkeypatch.setattr(loss_log.time, "monotonic", lambda: clock[0])
    board = loss_log.TensorBoardScalars(str(tmp_path), 0)
    for iteration in (1, 2):
        clock[0] += 5 * loss_log.FLUSH_SECONDS  # the iteration's own minutes
        board.add(iteration, {"content_loss": 0.5, "warp_loss": 0.25, "samples_per_second": 0.01})
    assert {tag: [step for step, _ in points] for tag, points in event_scalars(tmp_path / "tensorboard").items()} == {
        "content_loss": [1, 2], "warp_loss": [1, 2], "samples_per_second": [1, 2]}
    board.close()


# Thirteenth pass, second look at the thirteenth pass's half A fixes

@pytest.mark.parametrize("content", ["[]\n", "false\n", "0\n", "''\n"], ids=["empty list", "false", "zero", "empty string"])
def test_a_config_file_of_an_empty_value_that_is_no_mapping_is_refused(tmp_path, content):
    """A file holding [], false, 0 or '' (a JSON list given by mistake, say) was taken for an empty file: a run of every
    default, exit code 0."""
    from training.config import load_config
    path = tmp_path / "my.yaml"
    path.write_text(content)
    with pytest.raises(UserError, match="must hold sections"):
        load_config(str(path))


@pytest.mark.parametrize("content", ["", "~\n", "# train:\n#   max_iter: 5\n", "{}\n", "train:\n  # max_iter: 5\ngan:\n"],
                         ids=["empty", "null", "all commented out", "empty mapping", "sections all commented out"])
def test_a_config_file_with_every_key_commented_out_is_every_default(tmp_path, content):
    from training.config import load_config
    path = tmp_path / "my.yaml"
    path.write_text(content)
    assert load_config(str(path)) == load_config(None)


# Fourteenth pass, second look at train.py under kills, signals and bad training data

class HDF5OnAFullDisk:
    """h5py.File as it behaves on a full disk: a dataset's write fails with ENOSPC, and the close on leaving the `with`
    then fails with HDF5's RuntimeError (no errno; the number in its message), raised while handling the write's."""

    def __init__(self, path, mode, **kwargs):
        open(path, "wb").close()

    def __enter__(self):
        return self

    def __exit__(self, *error):
        raise RuntimeError("Can't decrement id ref count (file write failed: file descriptor = 6, errno = 28, error "
                           "message = 'No space left on device')")

    def create_group(self, name):
        return self

    def __setitem__(self, key, value):
        import errno
        raise OSError(errno.ENOSPC, "Can't synchronously write data (file write failed: errno = 28)")


def test_a_full_disk_under_a_checkpoint_s_hdf5_write_is_one_line_and_leaves_none_of_its_files(tmp_path, monkeypatch):
    """A full disk met in a solver-state file (h5py's writer since the checkpoint thread writes host copies): HDF5's
    RuntimeError from the close replaced the write's OSError, and with more than a block free (a large write failed)
    the run ended with a traceback, exit code 1; the checkpoint's parameter file, written before, stayed (megabytes on
    the full disk) though no JSON names it."""
    from training import checkpoint
    from utils.weights import HostParameter
    params = {"generator/w": HostParameter(np.ones((4, 3), np.float32), True)}
    states = {"gen": {"generator/w": (3, {"m": np.zeros((4, 3), np.float32), "v": np.ones((4, 3), np.float32)})}}
    real_file = checkpoint.h5py.File
    monkeypatch.setattr(checkpoint.h5py, "File", lambda path, mode="r", **kwargs: (
        HDF5OnAFullDisk if "_states_" in str(path) else real_file)(path, mode, **kwargs))
    with pytest.raises(UserError, match="^no space left on the disk of '.*gen_states_00000003.h5'"):
        checkpoint.save_checkpoint(str(tmp_path), 3, params, states, {}, {})
    assert os.listdir(tmp_path) == []


def test_a_full_disk_met_by_the_checkpoint_a_stop_signal_writes_at_once_is_one_line_and_the_stop_s_own_is_written(
        tmp_path, capsys, monkeypatch):
    """SIGTERM during iteration 3 (save_freq 100) while the disk was full: the thread writing iteration 2's checkpoint
    at once ended with a traceback ("Exception in thread checkpoint on signal"); once space was freed, the stop's own
    checkpoint of iteration 3 is written and the run resumes from it."""
    import threading
    import time
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    from utils.paths import no_space
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    real_step, real_save, steps = train.training_step, train.save_checkpoint, []

    def save_on_a_disk_full_while_signalled(output_dir, iteration, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            raise no_space(os.path.join(output_dir, f"params_{iteration:08d}.h5"))
        return real_save(output_dir, iteration, *args, **kwargs)

    def step_then_signalled(*args, **kwargs):
        steps.append(1)
        if len(steps) == 3:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # the thread's write meanwhile
        return real_step(*args, **kwargs)
    monkeypatch.setattr(train, "save_checkpoint", save_on_a_disk_full_while_signalled)
    monkeypatch.setattr(train, "training_step", step_then_signalled)
    ended_threads = []
    monkeypatch.setattr(threading, "excepthook", lambda ended: ended_threads.append(ended.exc_type))
    flags = tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4, "train.save_freq": 100})
    with pytest.raises(SystemExit) as stopped:
        train.main(flags)
    assert stopped.value.code == 130
    captured = capsys.readouterr()
    assert ended_threads == [] and "Traceback" not in captured.err, captured.err
    assert (f"stop signal (SIGTERM): no checkpoint of iteration 2 at once: no space left on the disk of "
            f"'{output_dir / 'params_00000002.h5'}'") in captured.out + captured.err
    assert sorted(name for name in os.listdir(output_dir) if name.startswith("checkpoint_")) == [
        "checkpoint_00000003.json"]


@pytest.mark.parametrize("kind, make", [("a pipe or device", os.mkfifo), ("a folder", os.mkdir)],
                         ids=["named pipe", "folder"])
def test_a_frame_a_layout_names_that_is_no_file_is_one_line_before_training(tmp_path, kind, make):
    """A scene's col_high_0005.png that is a named pipe: the scenes layout names its frames, and reading the size from
    the header waited for a writer without end (the start's checks; REDS alike); a folder there was "Is a directory;
    check its permissions"."""
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    frame = tmp_path / "scenes" / "scene_2000" / "col_high_0005.png"
    frame.unlink()
    make(frame)
    completed = run_script("train.py", *tiny_training_flags(scenes, tmp_path / "out", **{"train.max_iter": 1}),
                           timeout=60)
    assert_one_error_line(completed, f"cannot read image '{frame}': it is {kind}, not an image file")


def a_start_from_another_folder_ended_continues_without_the_flag(tmp_path, capsys, monkeypatch, end_the_start, ended,
                                                                 resumes_from):
    """Train folder first to iteration 2; start folder second with --checkpoint first/checkpoint_2 and end that start
    with end_the_start(train, patch), which raises ended; then the same command without --checkpoint must resume from
    resumes_from(first, second) at iteration 2 and reach the same parameters as the uninterrupted first run."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, first, second = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "first", tmp_path / "second"
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 2}))
    with monkeypatch.context() as patch:
        end_the_start(train, patch)
        with pytest.raises(ended):
            train.main(tiny_training_flags(scenes, second, **{"train.max_iter": 4}) + [
                "--checkpoint", str(first / "checkpoint_00000002.json")])
    capsys.readouterr()
    train.main(tiny_training_flags(scenes, second, **{"train.max_iter": 4}))
    assert f"resuming from {resumes_from(first, second)} at iteration 2" in capsys.readouterr().out
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 4}))
    assert (second / "params_00000004.h5").read_bytes() == (first / "params_00000004.h5").read_bytes()
    return second


def test_a_run_started_with_a_checkpoint_of_another_folder_and_killed_at_once_continues_without_the_flag(
        tmp_path, capsys, monkeypatch):
    """--checkpoint of folder A into a new folder B, killed in its first iteration (a kill -9, an out-of-memory kill,
    mpirun's SIGKILL): B held no checkpoint, and the same command without --checkpoint, as the docs and the stop's
    line say to continue, trained from iteration 0 again, exit code 0."""
    def killed_in_the_first_iteration(train, patch):
        patch.setattr(train, "training_step", lambda *args, **kwargs: (_ for _ in ()).throw(KilledBeforeCheckpoint()))
    a_start_from_another_folder_ended_continues_without_the_flag(
        tmp_path, capsys, monkeypatch, killed_in_the_first_iteration, KilledBeforeCheckpoint,
        lambda first, second: second / "checkpoint_00000002.json")


def test_memory_running_out_for_the_copy_checkpoints_are_written_from_is_one_line(tmp_path, capsys, monkeypatch):
    """The host copies of the parameters and Adam's moments (HostSnapshot), allocated at the end of the first
    iteration: a MemoryError there (ulimit -v, a full host under a GPU run) was a traceback, exit code 1."""
    import train
    from training import checkpoint
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")

    def no_memory(values, held=None):
        raise MemoryError()
    monkeypatch.setattr(checkpoint, "copied", no_memory)
    line = user_error_line(train.main, tiny_training_flags(scenes, tmp_path / "out", **{"train.max_iter": 2}), capsys)
    assert line.startswith("error: out of memory for the copy of iteration 1's parameters and solver states")


def test_a_full_disk_while_a_checkpoint_of_another_folder_is_copied_leaves_none_of_the_copy(tmp_path, monkeypatch):
    """The copy a --checkpoint of another folder gets in the output folder (above), its JSON met by a full disk: one
    line, and none of its .h5 files copied before is left."""
    import errno
    import shutil
    from training import checkpoint
    source, output_dir, content = checkpoint_of_another_folder(tmp_path)
    real_copy = shutil.copyfile

    def copy_on_a_filling_disk(from_path, to_path):
        if from_path.endswith(".json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_copy(from_path, to_path)
    monkeypatch.setattr(checkpoint.shutil, "copyfile", copy_on_a_filling_disk)
    with pytest.raises(UserError, match="^no space left on the disk of"):
        checkpoint.copy_into(str(source / "checkpoint_00000002.json"), content, str(output_dir))
    assert os.listdir(output_dir) == []


# Fourteenth pass, third look at the fourteenth pass's training fixes

def test_a_retry_from_a_later_checkpoint_into_a_folder_holding_only_the_copy_of_an_earlier_one_is_taken(
        tmp_path, monkeypatch):
    """--checkpoint first/checkpoint_2 into second, killed before second's own first checkpoint (second holds the copy
    of checkpoint 2 alone), then --checkpoint first/checkpoint_4 into second: refused as a folder "which holds
    checkpoints of its own run", though it held only a copy of first's (without the copy it was taken)."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, first, second = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "first", tmp_path / "second"
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 2}))
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 4}))
    with monkeypatch.context() as patch:
        patch.setattr(train, "training_step", lambda *args, **kwargs: (_ for _ in ()).throw(KilledBeforeCheckpoint()))
        with pytest.raises(KilledBeforeCheckpoint):
            train.main(tiny_training_flags(scenes, second, **{"train.max_iter": 6}) + [
                "--checkpoint", str(first / "checkpoint_00000002.json")])
    with monkeypatch.context() as patch:  # killed again, before its first checkpoint: the copy of 4 is there
        patch.setattr(train, "training_step", lambda *args, **kwargs: (_ for _ in ()).throw(KilledBeforeCheckpoint()))
        with pytest.raises(KilledBeforeCheckpoint):
            train.main(tiny_training_flags(scenes, second, **{"train.max_iter": 6}) + [
                "--checkpoint", str(first / "checkpoint_00000004.json")])
    assert (second / "checkpoint_00000004.json").read_bytes() == (first / "checkpoint_00000004.json").read_bytes()
    train.main(tiny_training_flags(scenes, second, **{"train.max_iter": 6}))
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 6}))
    assert (second / "params_00000006.h5").read_bytes() == (first / "params_00000006.h5").read_bytes()


def test_a_stop_during_the_copy_of_a_checkpoint_of_another_folder_leaves_none_of_the_copy(tmp_path, monkeypatch):
    """A KeyboardInterrupt (a second Ctrl-C, which aborts at once) or SystemExit while a checkpoint's files are
    written: all_or_none deleted them on an Exception only, so the .h5 files copied before were left without their
    JSON (as a second Ctrl-C during the main thread's checkpoint left its files)."""
    import shutil
    from training import checkpoint
    source, output_dir, content = checkpoint_of_another_folder(tmp_path)
    real_copy = shutil.copyfile

    def copy_then_interrupted(from_path, to_path):
        if from_path.endswith(".json"):
            raise KeyboardInterrupt()
        return real_copy(from_path, to_path)
    monkeypatch.setattr(checkpoint.shutil, "copyfile", copy_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.copy_into(str(source / "checkpoint_00000002.json"), content, str(output_dir))
    assert os.listdir(output_dir) == []


def test_a_stop_right_after_a_checkpoint_json_is_renamed_in_keeps_the_files_it_names(tmp_path, monkeypatch):
    """The deletion above, on a KeyboardInterrupt that lands after the JSON's rename, before the block ends, would
    delete the .h5 files written before and leave the JSON naming missing files, which every resume refuses."""
    from training import checkpoint
    source, output_dir, content = checkpoint_of_another_folder(tmp_path)
    real_write = checkpoint.write_atomically

    def write_then_interrupted(path, write):
        real_write(path, write)
        if path.endswith(".json"):
            raise KeyboardInterrupt()
    monkeypatch.setattr(checkpoint, "write_atomically", write_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.copy_into(str(source / "checkpoint_00000002.json"), content, str(output_dir))
    assert sorted(os.listdir(output_dir)) == ["checkpoint_00000002.json", "gen_states_00000002.h5",
                                              "params_00000002.h5"]


# Fifteenth pass, second look at paths through links and `..`

def test_a_checkpoint_spelled_through_a_link_and_dotdot_is_copied_from_its_own_folder(tmp_path, monkeypatch):
    """--checkpoint lnk/../first/checkpoint_2.json (lnk a link to runs/deep: the JSON of runs/first) into another
    folder: its .h5 files were copied from the folder os.path.abspath names (./first, the 'lnk/..' dropped as text),
    where load_checkpoint read runs/first: the copy a resume without --checkpoint continues from held the weights of
    whatever run ./first held (a FileNotFoundError traceback where there was none)."""
    from training import checkpoint
    (tmp_path / "runs" / "deep").mkdir(parents=True)
    source, output_dir, content = checkpoint_of_another_folder(tmp_path / "runs")
    (tmp_path / "lnk").symlink_to(tmp_path / "runs" / "deep")
    other_run = tmp_path / "first"
    other_run.mkdir()
    for name in ("params_00000002.h5", "gen_states_00000002.h5"):
        (other_run / name).write_bytes(b"another run's")
    monkeypatch.chdir(tmp_path)
    checkpoint.copy_into(os.path.join("lnk", "..", "first", "checkpoint_00000002.json"), content, str(output_dir))
    for name in ("params_00000002.h5", "gen_states_00000002.h5", "checkpoint_00000002.json"):
        assert (output_dir / name).read_bytes() == (source / name).read_bytes()


def test_a_retry_from_a_later_checkpoint_spelled_through_a_link_and_dotdot_is_taken(tmp_path, monkeypatch):
    """The retry above with --checkpoint lnk/../first/checkpoint_4.json (lnk a link to runs/deep): the copy of
    checkpoint 2 in second was compared with ./first/checkpoint_2.json, the folder os.path.abspath names, found no copy
    and taken for a checkpoint of second's own run: the retry refused."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    (tmp_path / "runs" / "deep").mkdir(parents=True)
    (tmp_path / "lnk").symlink_to(tmp_path / "runs" / "deep")
    scenes, first, second = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "runs" / "first", tmp_path / "second"
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 2}))
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 4}))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(train, "training_step", lambda *args, **kwargs: (_ for _ in ()).throw(KilledBeforeCheckpoint()))
    for done in (2, 4):  # each killed before its first checkpoint; the second is taken, its copy made
        with pytest.raises(KilledBeforeCheckpoint):
            train.main(tiny_training_flags(scenes, second, **{"train.max_iter": 6}) + [
                "--checkpoint", os.path.join("lnk", "..", "first", f"checkpoint_{done:08d}.json")])
    assert (second / "checkpoint_00000004.json").read_bytes() == (first / "checkpoint_00000004.json").read_bytes()


# Fifteenth pass, second look at the training data: REDS, folders of sequences, dataPrepare

def test_a_png_turned_by_its_exif_is_read_as_its_header_gives_it_and_cached_so(tmp_path):
    """A sequence of 48x64 PNG frames each holding an eXIf chunk of orientation 6: the size was read from the header
    (48x64), OpenCV decoded the frames turned (64x48), and the frame cache wrote them into 48x64 frames: garbled rows,
    trained on with exit code 0 (without the cache, a stop mid-run saying the frame was changed while training)."""
    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import Sequence, frame_size
    from hostile import png_turned_by_exif
    from training_data import calendar_frame
    folder = tmp_path / "data" / "clip"
    folder.mkdir(parents=True)
    pictures = [(calendar_frame(index, 48, 64) * 255).astype(np.uint8) for index in range(3)]
    for index, picture in enumerate(pictures):
        (folder / f"{index}.png").write_bytes(png_turned_by_exif(picture))
    sequence = Sequence("clip", str(folder), [str(folder / f"{index}.png") for index in range(3)])
    size = frame_size(sequence, "sequences")
    cached = frame_cache.cached_frames([sequence], [size], str(tmp_path / "cache"), read_frame,
                                       report=lambda message: None, show_progress=False)
    assert size == (48, 64)
    for index, picture in enumerate(pictures):
        np.testing.assert_array_equal(read_frame(sequence.frames[index]), picture)
        np.testing.assert_array_equal(cached[str(folder)][index], picture)


def test_the_frame_cache_of_a_sequence_folder_named_not_utf8_is_built(tmp_path):
    """A sequence folder whose name is not UTF-8 (read with a surrogate): hashing its path for the entry's name was a
    UnicodeEncodeError's traceback, exit code 1."""
    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import Sequence
    from training_data import calendar_frame
    from utils.image_io import write_rgb
    folder = os.path.join(str(tmp_path), os.fsdecode(b"clip\xff"))
    os.mkdir(folder)
    write_rgb(os.path.join(folder, "0.png"), calendar_frame(0, 8, 8))
    sequence = Sequence(os.path.basename(folder), folder, [os.path.join(folder, "0.png")])
    cached = frame_cache.cached_frames([sequence], [(8, 8)], str(tmp_path / "cache"), read_frame,
                                       report=lambda message: None, show_progress=False)
    np.testing.assert_array_equal(cached[folder][0], read_frame(sequence.frames[0]))


def test_the_frame_cache_of_more_sequences_than_files_a_process_may_open_is_read(tmp_path):
    """A map of every sequence's entry, held from the start: each holds a file descriptor, and 300 sequences under a
    limit of 200 open files (a thousand under the usual 1024; Vimeo-90K has 64,612) ended in "Too many open files", a
    traceback."""
    import resource
    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import Sequence
    from utils.image_io import write_rgb
    sequences = []
    for number in range(300):
        folder = tmp_path / "data" / f"{number:03d}"
        folder.mkdir(parents=True)
        write_rgb(str(folder / "0.png"), np.full((4, 4, 3), number % 256, np.uint8))
        sequences.append(Sequence(folder.name, str(folder), [str(folder / "0.png")]))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (200, hard))
    try:
        cached = frame_cache.cached_frames(sequences, [(4, 4)] * len(sequences), str(tmp_path / "cache"),
                                           read_frame, report=lambda message: None, show_progress=False)
        firsts = [int(cached[sequence.folder][0][0, 0, 0]) for sequence in sequences]
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert firsts == [number % 256 for number in range(300)]


@pytest.mark.parametrize("change", ["removed", "a pipe", "cut short"])
def test_a_frame_cache_entry_removed_while_training_reads_it_is_one_line(tmp_path, change):
    """Maps are made when a sequence is sampled (the test above): an entry removed meanwhile is said so, with what to
    do, not numpy's FileNotFoundError from a loader thread; a pipe in its array file's place is not waited on."""
    import shutil
    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import Sequence
    from utils.image_io import write_rgb
    folder = tmp_path / "data" / "clip"
    folder.mkdir(parents=True)
    write_rgb(str(folder / "0.png"), np.zeros((4, 4, 3), np.uint8))
    sequence = Sequence("clip", str(folder), [str(folder / "0.png")])
    cached = frame_cache.cached_frames([sequence], [(4, 4)], str(tmp_path / "cache"), read_frame,
                                       report=lambda message: None, show_progress=False)
    entry = frame_cache.entry_folder(str(tmp_path / "cache"), sequence)
    if change == "removed":
        shutil.rmtree(entry)
    elif change == "a pipe":
        os.remove(os.path.join(entry, frame_cache.FRAMES_FILE))
        os.mkfifo(os.path.join(entry, frame_cache.FRAMES_FILE))
    else:
        os.truncate(os.path.join(entry, frame_cache.FRAMES_FILE), 20)
    with pytest.raises(UserError, match="^frame cache entry '.*frames.npy' is gone or no longer holds the 1x4x4x3 "
                                        "frames .* run the same command again to resume"):
        cached[str(folder)]


def test_a_sequence_list_names_a_folder_holding_a_hash_and_comments_still_begin_a_line_or_follow_a_space(tmp_path):
    """'take#2' in a data.sequence_list was cut at its '#' as a comment: the folder 'take' beside it was trained on in
    its place, exit code 0."""
    from datasets.sequences import read_sequence_list
    listing = tmp_path / "list.txt"
    listing.write_text("take#2\n# held out: take\nc # the third\nd\t#tabbed\n")
    assert read_sequence_list(str(listing)) == ["take#2", "c", "d"]


def test_a_group_folder_holding_frames_beside_its_sequence_folders_is_one_line(tmp_path):
    """Three thumbnails in a Vimeo-90K group folder beside its sequence folders: the group was taken for one sequence
    of three frames and its sequences were left out, exit code 0 ("1 windows of 1 sequences")."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"00001/0001": 3, "00001/0002": 3, "00001": 3},
                                 sizes={name: (8, 8) for name in ("00001/0001", "00001/0002", "00001")})
    with pytest.raises(UserError, match=r"^'.*00001' holds frames and also folders of frames \(0001, 0002\), so which "
                                        r"are the sequences is not known; move"):
        folder_sequences(root)


def test_sequence_folders_holding_a_nas_thumbnail_folder_are_taken_whole(tmp_path):
    """A Synology NAS's @eaDir in each sequence folder holds a folder named after each frame ('frame_0.png/'): no
    folder of frames beside the frames (the refusal above), and no frame of the sequence."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"0001": 3, "0002": 3},
                                 sizes={name: (8, 8) for name in ("0001", "0002")})
    for name in ("0001", "0002"):
        for frame in os.listdir(os.path.join(root, name)):
            os.makedirs(os.path.join(root, name, "@eaDir", frame))
            open(os.path.join(root, name, "@eaDir", frame, "SYNOFILE_THUMB_M.jpg"), "wb").close()
    sequences = folder_sequences(root)
    assert [(sequence.name, [os.path.basename(path) for path in sequence.frames]) for sequence in sequences] == [
        (name, ["frame_0.png", "frame_1.png", "frame_2.png"]) for name in ("0001", "0002")]


def test_a_frame_cache_entry_past_the_file_size_limit_is_one_line_and_leaves_no_staging(tmp_path):
    """An entry larger than `ulimit -f` allows (or than FAT32's 4 GB, for a long sequence of large frames): its
    reservation failed with EFBIG, OSError's traceback, exit code 1."""
    import resource
    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import Sequence
    from training_data import calendar_frame
    from utils.image_io import write_rgb
    folder = tmp_path / "data" / "clip"
    folder.mkdir(parents=True)
    for index in range(4):
        write_rgb(str(folder / f"{index}.png"), calendar_frame(index, 64, 64))
    sequence = Sequence("clip", str(folder), [str(folder / f"{index}.png") for index in range(4)])
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, hard))  # the entry takes 4 x 64 x 64 x 3 bytes
    try:
        with pytest.raises(UserError, match="^the frame cache of sequence 'clip' takes .* more than this process may "
                                            r"write \(ulimit -f\)"):
            frame_cache.cached_frames([sequence], [(64, 64)], str(tmp_path / "cache"), read_frame,
                                      report=lambda message: None, show_progress=False)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert os.listdir(tmp_path / "cache") == [frame_cache.LOCK_FILE]


def test_a_frame_cache_on_a_disk_out_of_inodes_says_so_not_that_it_is_full(tmp_path, monkeypatch):
    """No inode left, bytes free: "the disk ... is full: decoding needs 0.1 MB", beside the line that had just said
    10.5 MB were free."""
    import errno
    from hostile import disk_out_of_inodes
    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import Sequence
    from training_data import calendar_frame
    from utils.image_io import write_rgb
    folder = tmp_path / "data" / "clip"
    folder.mkdir(parents=True)
    write_rgb(str(folder / "0.png"), calendar_frame(0, 8, 8))
    sequence = Sequence("clip", str(folder), [str(folder / "0.png")])
    cache = tmp_path / "disk"
    with disk_out_of_inodes(cache, monkeypatch) as mounted:
        if not mounted:
            def out_of_inodes(*args):
                raise OSError(errno.ENOSPC, "No space left on device")
            monkeypatch.setattr(frame_cache, "write_entry", out_of_inodes)
        with pytest.raises(UserError, match="^no room for another file on the disk of .*: its inodes"):
            frame_cache.cached_frames([sequence], [(8, 8)], str(cache), read_frame, report=lambda message: None,
                                      show_progress=False)


# Fifteenth pass, second look at train.py's checkpoints, resumes and stops

def ended_in_start_up(train, patch, error=KilledBeforeCheckpoint):
    """train.load_checkpoint made to raise error(), ending the run before the --checkpoint's copy is made: by default
    as a kill would (a kill -9 or an out-of-memory kill while the graph is built or the checkpoint loaded: seconds, or
    minutes for a large model)."""
    patch.setattr(train, "load_checkpoint", lambda *args, **kwargs: (_ for _ in ()).throw(error()))


@pytest.mark.parametrize("stop", [KilledBeforeCheckpoint, KeyboardInterrupt], ids=["kill", "stop"])
def test_a_run_started_with_a_checkpoint_of_another_folder_and_stopped_before_its_copy_continues_without_the_flag(
        tmp_path, capsys, monkeypatch, stop):
    """--checkpoint first/checkpoint_2 into a new folder, killed or stopped (Ctrl-C, SIGTERM) during the start-up,
    before the checkpoint's copy was whole: the folder held no checkpoint (a stop removed it), and the same command
    without --checkpoint, as the docs and the stop's line say to continue, trained from iteration 0 again, exit code
    0."""
    second = a_start_from_another_folder_ended_continues_without_the_flag(
        tmp_path, capsys, monkeypatch, lambda train, patch: ended_in_start_up(train, patch, stop), (stop, SystemExit),
        lambda first, second: first / "checkpoint_00000002.json")
    assert not (second / "checkpoint_source.json").exists()  # the run's own checkpoints are there


def test_a_refusal_after_the_start_recorded_its_checkpoint_leaves_nothing_and_keeps_an_earlier_start_s_record(
        tmp_path, capsys, monkeypatch):
    """The record of the --checkpoint a run starts from (above): a start refused after it (a damaged state file, say)
    leaves nothing of itself, its new folder removed; a start without --checkpoint refused so keeps the record an
    earlier, killed start left, so that the next start still continues from the checkpoint."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, first, second = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "first", tmp_path / "second"
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 2}))
    flags = tiny_training_flags(scenes, second, **{"train.max_iter": 4})
    with monkeypatch.context() as patch:
        ended_in_start_up(train, patch, lambda: UserError("refused"))
        assert user_error_line(train.main, flags + ["--checkpoint", str(first / "checkpoint_00000002.json")],
                               capsys) == "error: refused"
        assert not second.exists()
        ended_in_start_up(train, patch)
        with pytest.raises(KilledBeforeCheckpoint):
            train.main(flags + ["--checkpoint", str(first / "checkpoint_00000002.json")])
        ended_in_start_up(train, patch, lambda: UserError("refused"))
        assert user_error_line(train.main, flags, capsys) == "error: refused"
    train.main(flags)
    assert f"resuming from {first / 'checkpoint_00000002.json'} at iteration 2" in capsys.readouterr().out


def test_a_recorded_checkpoint_gone_since_is_one_line_naming_the_record(tmp_path, capsys, monkeypatch):
    """The --checkpoint a killed start recorded, pruned since from its own folder (its run went on): one line that says
    where the checkpoint came from, not a run from iteration 0."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, first, second = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "first", tmp_path / "second"
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 2}))
    flags = tiny_training_flags(scenes, second, **{"train.max_iter": 4})
    with monkeypatch.context() as patch:
        ended_in_start_up(train, patch)
        with pytest.raises(KilledBeforeCheckpoint):
            train.main(flags + ["--checkpoint", str(first / "checkpoint_00000002.json")])
    (first / "checkpoint_00000002.json").unlink()
    line = user_error_line(train.main, flags, capsys)
    assert str(first / "checkpoint_00000002.json") in line and "checkpoint_source.json" in line
    assert sorted(os.listdir(second)) == ["checkpoint_source.json"]


@pytest.mark.parametrize("damaged", ["params_00000002.h5", "gen_states_00000002.h5", "model_param_00000002.h5"])
def test_a_checkpoint_or_model_file_whose_bytes_were_damaged_is_one_line_not_other_numbers(
        tmp_path, capsys, damaged):
    """Eight bytes of zeros inside a weight or an Adam moment of a checkpoint (a disk's error, a copy cut and resumed
    in place): the resume took them silently, and trained on from other parameters; generate.py took such a
    model_param file alike. Now every array train.py writes carries HDF5's checksum, which the readers check."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    from utils.weights import read_weight_file
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    zero_bytes_inside_the_largest_array(output_dir / damaged)
    if damaged.startswith("model_param"):
        with pytest.raises(UserError, match=f"^weights file '{re.escape(str(output_dir / damaged))}' is damaged"):
            read_weight_file(str(output_dir / damaged))
        return
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}), capsys)
    assert "checkpoint_00000002.json" in line and ("damaged" in line or "corrupt" in line), line
    assert not (output_dir / "checkpoint_00000004.json").exists()


def test_an_frvsr_run_resumed_with_settings_only_the_tecogan_stage_reads_changed_is_taken(tmp_path, capsys):
    """One config file for both stages, its gan section (and train.decay, train.eps) edited for the second while the
    first trains: the FRVSR run's resume was refused as "trained with other settings", for settings it never reads."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    capsys.readouterr()
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4, "gan.ratio": 0.5, "gan.vgg_scaling": 0,
                                                          "train.decay": 0.5, "train.eps": 1e-8}))
    assert f"resuming from {output_dir / 'checkpoint_00000002.json'} at iteration 2" in capsys.readouterr().out
    assert (output_dir / "checkpoint_00000004.json").exists()


def test_a_start_from_a_checkpoint_of_another_folder_drops_the_rows_of_a_run_killed_there_before_its_first_one(
        tmp_path, monkeypatch):
    """A run into a folder killed at its first checkpoint (its losses.csv written, iterations 1 and 2), then a start
    there from another folder's checkpoint 2: the killed run's rows were kept as this run's iterations 1 and 2 (and,
    with validation, its model as model_best.h5), and the copy of the checkpoint no longer looked like one."""
    import train
    from helpers import killed_at_checkpoint
    from training_data import logged_losses, logged_rows, make_calendar_scenes, tiny_training_flags
    scenes, first, second = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "first", tmp_path / "second"
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 2}))
    with monkeypatch.context() as patch:
        patch.setattr(train, "save_checkpoint", killed_at_checkpoint(train.save_checkpoint, 2, KilledBeforeCheckpoint))
        with pytest.raises(KilledBeforeCheckpoint):
            train.main(tiny_training_flags(scenes, second, **{"train.max_iter": 2, "train.seed": 4}))
    assert [row["iteration"] for row in logged_rows(second)] == ["1", "2"]
    train.main(tiny_training_flags(scenes, second, **{"train.max_iter": 4}) + [
        "--checkpoint", str(first / "checkpoint_00000002.json")])
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 4}))
    assert logged_losses(second) == [row for row in logged_losses(first) if row["iteration"] in ("3", "4")]


# Fifteenth pass, beside the probers

def test_the_record_of_a_checkpoint_spelled_through_a_link_and_dotdot_names_the_file_the_system_read(tmp_path,
                                                                                                    monkeypatch):
    """record_source wrote os.path.abspath of --checkpoint: 'lnk/../first/c.json' became <working folder>/first/c.json,
    another run's checkpoint or none, and the rerun without --checkpoint continued from it or stopped."""
    from training.checkpoint import record_source, recorded_source
    (tmp_path / "runs" / "deep").mkdir(parents=True)
    (tmp_path / "runs" / "first").mkdir()
    (tmp_path / "runs" / "first" / "c.json").write_text("the run's")
    (tmp_path / "work" / "first").mkdir(parents=True)
    (tmp_path / "work" / "first" / "c.json").write_text("another run's")
    os.symlink(tmp_path / "runs" / "deep", tmp_path / "work" / "lnk")
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    record_source(str(tmp_path / "out"), os.path.join("lnk", "..", "first", "c.json"))
    monkeypatch.chdir(tmp_path)
    with open(recorded_source(str(tmp_path / "out"))) as recorded:
        assert recorded.read() == "the run's"


# Fifteenth pass, second look at the downloads, converters and error lines

@pytest.mark.parametrize("key", ["train.adameps", "train.eps"])
@pytest.mark.parametrize("value", ["1e-46", "7e-46"])
def test_an_eps_setting_that_is_zero_in_float32_is_one_line(key, value):
    """A value under half float32's smallest number passed the check of a positive number and is 0 in float32, in
    which the solver and the losses take it: Adam's eps of 1e-46 divided 0 by 0, and the run "diverged at iteration
    1 ... start again with a lower train.learning_rate", which cannot help. (train.learning_rate is refused so once
    scaled by the batch.)"""
    from training.config import load_config, parse_value
    with pytest.raises(UserError, match=rf"^bad value {value} for {key}: expected a positive finite float32 number$"):
        load_config(overrides={key: parse_value(value)})
    assert getattr(load_config(overrides={key: parse_value("1.4e-45")}).train, key.split(".")[1]) == 1.4e-45


# Fifteenth pass, third look at the fifteenth pass's download, converter and error-line fixes

def test_the_validation_picture_folder_on_a_disk_out_of_inodes_is_the_no_room_line(tmp_path, monkeypatch):
    """validation/ is made at the first validation, mid-run: on a disk whose inodes ran out by then, OSError's
    traceback (No space left on device)."""
    from hostile import disk_out_of_inodes
    from training.loss_log import LossLog
    from training.validation import Validation
    with disk_out_of_inodes(tmp_path / "disk", monkeypatch) as mounted:
        if not mounted:
            pytest.skip("needs a tmpfs of few inodes (root)")
        validation = Validation.__new__(Validation)  # what run() does before it makes the folder: stood in for
        validation.output_dir = str(tmp_path / "disk")
        validation.log = LossLog(validation.output_dir, 0)  # whose folder run() checks first
        validation.super_resolve, validation.score, validation.picture = (lambda *_: None,) * 3
        with pytest.raises(UserError, match="^no room for another file on the disk of .*validation'"):
            validation.run(1, str(tmp_path / "model.h5"))


# Fifteenth pass, third look at the fifteenth pass's training fixes

def test_a_refused_start_from_a_third_folder_s_checkpoint_keeps_the_record_an_earlier_killed_start_left(
        tmp_path, capsys, monkeypatch):
    """A start with --checkpoint first/checkpoint_2 killed before its copy (the folder holds only its record), then a
    start with --checkpoint of a third folder, refused in the load (a damaged parameter file): it wrote its record over
    the earlier one and left it, so that the documented rerun without --checkpoint was refused over the third folder's
    damaged checkpoint, the first one forgotten."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    first, third, second = tmp_path / "first", tmp_path / "third", tmp_path / "second"
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 2}))
    train.main(tiny_training_flags(scenes, third, **{"train.max_iter": 2}))
    zero_bytes_inside_the_largest_array(third / "params_00000002.h5")
    flags = tiny_training_flags(scenes, second, **{"train.max_iter": 4})
    with monkeypatch.context() as patch:
        ended_in_start_up(train, patch)
        with pytest.raises(KilledBeforeCheckpoint):
            train.main(flags + ["--checkpoint", str(first / "checkpoint_00000002.json")])
    record = (second / "checkpoint_source.json").read_bytes()
    line = user_error_line(train.main, flags + ["--checkpoint", str(third / "checkpoint_00000002.json")], capsys)
    assert "is damaged" in line, line
    assert (second / "checkpoint_source.json").read_bytes() == record
    train.main(flags)
    assert f"resuming from {first / 'checkpoint_00000002.json'} at iteration 2" in capsys.readouterr().out
    assert not (second / "checkpoint_source.json").exists()


def test_the_validation_rows_of_a_run_killed_before_a_start_from_another_folder_s_checkpoint_are_not_kept_later(
        tmp_path, monkeypatch):
    """A run killed at its first checkpoint after a validation (val.csv's row 2, model_best.h5), then a start there from
    another folder's checkpoint 2 that validates less often than it checkpoints: its rows were dropped in memory only,
    val.csv kept the killed run's row until the next validation, and a resume after the run's first checkpoint of its
    own took the row for this run's (and model_best.h5 from that run's model, where its row was the best)."""
    import train
    from helpers import killed_at_checkpoint
    from training_data import logged_rows, make_calendar_scenes, make_sequence_folders, tiny_training_flags
    scenes, first, second = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "first", tmp_path / "second"
    clips = make_sequence_folders(tmp_path / "val", {"clip": 5}, sizes={"clip": (64, 64)})
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 2}))
    with monkeypatch.context() as patch:
        patch.setattr(train, "save_checkpoint", killed_at_checkpoint(train.save_checkpoint, 2, KilledBeforeCheckpoint))
        with pytest.raises(KilledBeforeCheckpoint):
            train.main(tiny_training_flags(scenes, second, **{
                "train.max_iter": 2, "train.seed": 4, "train.val_freq": 2, "data.val_dir": clips}))
    assert [row["iteration"] for row in logged_rows(second)] == ["1", "2"]
    flags = tiny_training_flags(scenes, second, **{"train.max_iter": 6, "train.val_freq": 6, "data.val_dir": clips})
    with monkeypatch.context() as patch:  # killed past its first checkpoint (4), before the validation of 6
        save_model = train.save_model
        patch.setattr(train, "save_model", lambda output_dir, done, *args: (
            _ for _ in ()).throw(KilledBeforeCheckpoint()) if done == 6 else save_model(output_dir, done, *args))
        with pytest.raises(KilledBeforeCheckpoint):
            train.main(flags + ["--checkpoint", str(first / "checkpoint_00000002.json")])
    assert (second / "checkpoint_00000004.json").exists() and not (second / "model_best.h5").exists()
    train.main(flags)
    with open(second / "val.csv", newline="") as log:
        assert [row["iteration"] for row in csv.DictReader(log)] == ["6"]
    assert (second / "model_best.h5").read_bytes() == (second / "model_param_00000006.h5").read_bytes()


# Fifteenth pass, third look at the fifteenth pass's path and training-data fixes

def test_hidden_folders_are_no_sequences_and_no_validation_clips(tmp_path):
    """Hidden files are no frames (is_frame_name), and hidden folders no sequences: a drive's trash beside the
    sequences ('.Trash-1000/files', where a desktop moves a sequence the user deleted) was trained on as a sequence,
    exit code 0; a file server's '.AppleDouble' in a sequence folder (an entry named after each frame) refused the
    sequence as a folder of frames and of sequences; the trash in data.val_dir was refused as a clip without frames.
    dataPrepare's scenes trained on as sequences: the hidden '.scene_0002.partial' of a killed run, a scene cut short,
    was one more sequence."""
    from datasets.sequences import folder_sequences
    from training.validation import validation_clips
    from training_data import make_sequence_folders
    hidden = (".Trash-1000/files", ".scene_0002.partial")
    root = make_sequence_folders(tmp_path / "data", {"0001": 3, "0002": 3, **{name: 3 for name in hidden}},
                                 sizes={name: (8, 8) for name in ("0001", "0002") + hidden})
    os.makedirs(os.path.join(root, "0001", ".AppleDouble"))
    for frame in os.listdir(os.path.join(root, "0001")):
        with open(os.path.join(root, "0001", ".AppleDouble", frame), "wb") as file:
            file.write(b"\x00\x05\x16\x07")  # AppleDouble's magic number, no picture
    assert [sequence.name for sequence in folder_sequences(root)] == ["0001", "0002"]
    val_dir = make_sequence_folders(tmp_path / "val", {"clip": 6, ".Trash-1000/files": 6},
                                    sizes={"clip": (64, 64), ".Trash-1000/files": (64, 64)})
    config = validation_config(val_dir)
    assert [clip.name for clip in validation_clips(config)] == ["clip"]


def test_a_drives_lost_found_is_no_sequence_and_a_folder_that_cannot_be_listed_is_one_line(tmp_path):
    """Training on a drive's top folder, which holds lost+found (root's alone to list): the listing of the sequences
    was a PermissionError traceback. lost+found is no sequence; another folder that cannot be listed is one line."""
    from hostile import run_python_without_root_override
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "drive", {"0001": 3, "0002": 3}, sizes={"0001": (8, 8), "0002": (8, 8)})
    os.chmod(tmp_path, 0o755)
    for name in ("lost+found", "0003"):
        os.mkdir(os.path.join(root, name), 0o700)
        os.chown(os.path.join(root, name), 1000, 1000)  # another user's, as lost+found is root's to a user
    script = ("from datasets.sequences import folder_sequences\nfrom utils.errors import UserError\n"
              f"try:\n    folder_sequences({str(root)!r})\nexcept UserError as error:\n    print(error)\n")
    completed = run_python_without_root_override(script)
    assert (completed.stdout, completed.stderr) == (
        f"'{os.path.join(root, '0003')}' cannot be listed (permission denied), so whether it is a sequence is not "
        "known; give it read permission, move it out of --input_video_dir, or name the sequences to use in "
        "data.sequence_list\n", "")
    # a list that leaves it out (another user's folder beside the sequences, on a shared disk) is not refused
    (tmp_path / "list.txt").write_text("0001\n")
    listed = str(tmp_path / "list.txt")
    script = ("from datasets.sequences import folder_sequences\n"
              f"print([sequence.name for sequence in folder_sequences({str(root)!r}, {listed!r})])\n")
    assert run_python_without_root_override(script).stdout == "['0001']\n"
    os.rmdir(os.path.join(root, "0003"))
    script = ("from datasets.sequences import folder_sequences\n"
              f"print([sequence.name for sequence in folder_sequences({str(root)!r})])\n")
    assert run_python_without_root_override(script).stdout == "['0001', '0002']\n"


def test_a_sequence_list_names_a_folder_holding_a_space_and_a_hash_beside_the_folder_of_the_name_before_it(tmp_path):
    """Folders 'take' and 'take #2' (a common way to name a second take): the list's 'take #2' was cut at its ' #'
    as a comment, and 'take' trained on in its place, exit code 0. A comment after such a name is still one; a name
    that no folder has whole is cut at its first comment, as documented."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    names = ("take", "take #2", "other")
    root = make_sequence_folders(tmp_path / "data", {name: 3 for name in names}, sizes={name: (8, 8) for name in names})
    listing = tmp_path / "list.txt"
    listing.write_text("take #2\ntake #2 # the second take\nother # a comment\n# take\n")
    assert [sequence.name for sequence in folder_sequences(root, str(listing))] == ["take #2", "other"]


def test_a_sequence_list_of_latin1_names_the_folders_named_so(tmp_path):
    """Sequence folders named in Latin-1 (an old archive's 'café'): the training without a list reads them, but a list
    naming them, in the same bytes, was refused as not UTF-8. A list of UTF-16 (NUL bytes) is still refused."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    name = os.fsdecode(b"caf\xe9")
    root = make_sequence_folders(tmp_path / "data", {name: 3, "other": 3}, sizes={name: (8, 8), "other": (8, 8)})
    listing = tmp_path / "list.txt"
    listing.write_bytes(b"caf\xe9 # the one\r\n")
    assert [sequence.name for sequence in folder_sequences(root, str(listing))] == [name]
    listing.write_bytes("café\n".encode("utf-16"))
    with pytest.raises(UserError, match=r"^cannot read sequence list .*; give a UTF-8 text file of names$"):
        folder_sequences(root, str(listing))


def test_a_reds_sequence_folder_that_cannot_be_listed_is_one_line(tmp_path):
    """A REDS sequence folder another user unpacked, closed to others: a PermissionError traceback."""
    from datasets.reds import sequence_folder
    from hostile import run_python_without_root_override
    folder = sequence_folder(str(tmp_path / "REDS"), "001")
    os.makedirs(folder)
    for parent in (tmp_path, tmp_path / "REDS", os.path.dirname(os.path.dirname(folder)), os.path.dirname(folder)):
        os.chmod(parent, 0o755)
    os.chmod(folder, 0o700)
    os.chown(folder, 1000, 1000)
    (tmp_path / "list.txt").write_text("001\n")
    script = ("from datasets.reds import training_sequences\nfrom utils.errors import UserError\n"
              f"try:\n    training_sequences({str(tmp_path / 'REDS')!r}, {str(tmp_path / 'list.txt')!r})\n"
              "except UserError as error:\n    print(error)\n")
    completed = run_python_without_root_override(script)
    assert (completed.stdout, completed.stderr) == (
        f"REDS sequence 001 '{folder}' cannot be listed (permission denied); check its permissions\n", "")


# Sixteenth pass, second look at the training data and hidden folders


def test_a_sequence_list_of_utf16_without_its_byte_order_mark_is_refused_as_utf16(tmp_path):
    """A list written as UTF-16 without its byte-order mark decodes as UTF-8, a NUL between each letter: the line said
    the folder lacked 's\\x00', '\\x00t\\x00', names the user never wrote. A list of a NUL beside each letter is refused
    as UTF-16, as one with its mark is."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"s": 3, "t": 3}, sizes={"s": (8, 8), "t": (8, 8)})
    listing = tmp_path / "list.txt"
    for encoding in ("utf-16-le", "utf-16-be", "utf-16"):
        listing.write_bytes("s\nt\n".encode(encoding))
        with pytest.raises(UserError, match=r"^cannot read sequence list .*: it is UTF-16 or UTF-32 text, not UTF-8; "
                                            r"give a UTF-8 text file of names$"):
            folder_sequences(root, str(listing))


@pytest.mark.parametrize("copy", ["f001.jpg", "f001 - Copy.png", "f01.png"],
                         ids=["another extension", "a file manager's copy", "fewer zeros"])
def test_a_sequence_holding_two_frames_of_one_number_is_one_line(tmp_path, copy):
    """A sequence holding 'f001.png' and a copy of one number beside it (a conversion's 'f001.jpg', a file manager's
    'f001 - Copy.png'): both were trained on as two frames in a row, exit code 0. Frames of other numbers in other
    formats, and names without digits or of one number alone, are still a sequence."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    names = ["f000.png", "f001.png", copy, "f002.png"]
    root = make_sequence_folders(tmp_path / "data", {"s": 4}, name_frame=names.__getitem__, sizes={"s": (8, 8)})
    folder = os.path.join(root, "s")
    first, second = sorted([copy, "f001.png"])
    with pytest.raises(UserError, match=rf"^'.*{re.escape(first)}' and '.*{re.escape(second)}' are both frame 1 by the "
                                        r"numbers in their names, .*; remove or rename one$"):
        folder_sequences(root)
    os.rename(os.path.join(folder, copy), os.path.join(folder, "f003.jpg"))
    assert [os.path.basename(path) for path in folder_sequences(root)[0].frames] == [
        "f000.png", "f001.png", "f002.png", "f003.jpg"]
    for prefix in ("", "clip2_"):  # names without digits, or of one number alone, are ordered by name
        for index, name in enumerate(sorted(os.listdir(folder))):
            os.rename(os.path.join(folder, name), os.path.join(folder, f"{prefix}{'abcd'[index]}.png"))
        assert [os.path.basename(path) for path in folder_sequences(root)[0].frames] == [
            f"{prefix}{letter}.png" for letter in "abcd"]


def test_a_sequence_folders_link_to_nothing_is_one_line_unless_the_list_leaves_it_out(tmp_path):
    """A sequence folder that is a link to a disk not mounted (or a loop of links), beside the sequences or in a group
    folder: it was left out without a word, and the run trained on the others, exit code 0. Now refused as a folder
    that cannot be listed is, unless data.sequence_list leaves it out."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    names = ("a", "group/0001")
    root = make_sequence_folders(tmp_path / "data", {name: 3 for name in names}, sizes={name: (8, 8) for name in names})
    listing = tmp_path / "list.txt"
    listing.write_text("a\ngroup/0001\n")
    for link, target in (("b", str(tmp_path / "unmounted" / "b")), ("group/0002", "0003"), ("group/0003", "0002")):
        os.symlink(target, os.path.join(root, link))
        with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(root, link))}' is a symbolic link to nothing "
                                            r"\(.*\), so whether it is a sequence is not known; mount its disk or "
                                            r"remove the link, move it out of --input_video_dir, or name the "
                                            r"sequences to use in data.sequence_list$"):
            folder_sequences(root)
        assert [sequence.name for sequence in folder_sequences(root, str(listing))] == list(names)
        os.remove(os.path.join(root, link))
    os.symlink(str(tmp_path / "unmounted" / "b"), os.path.join(root, "b"))
    listing.write_text("a\nb\n")
    with pytest.raises(UserError, match=r"^'.*/b' is a symbolic link to nothing .*; mount its disk or remove the link, "
                                        r"or leave it out of the list$"):
        folder_sequences(root, str(listing))


def test_a_reds_folder_of_val_sharp_alone_trains_on_the_sequences_a_list_names_there(tmp_path):
    """A REDS folder of val_sharp.zip alone (its tenth, without train_sharp.zip): a list of its sequences 240..269 was
    refused as "not a REDS folder", which it is. Without a list, the sequences it lacks are named; as data.val_dir,
    REDS4 (in train_sharp) is named lacking, not read as a folder of clips."""
    from datasets.reds import training_sequences
    from training.validation import validation_clips
    from training_data import make_reds_folder
    root = make_reds_folder(tmp_path / "REDS", train=(), val=("000", "001"), height=8, width=8)
    listing = tmp_path / "list.txt"
    listing.write_text("240\n241\n")
    sequences = training_sequences(root, str(listing))
    assert [(sequence.name, sequence.folder) for sequence in sequences] == [
        ("240", os.path.join(root, "val", "val_sharp", "000")), ("241", os.path.join(root, "val", "val_sharp", "001"))]
    with pytest.raises(UserError, match=r"^REDS folder \(--input_video_dir\) '.*' lacks 264 of the 266 REDS sequences "
                                        r"used: 001, 002, .*; run download_test_data.py --reds again"):
        training_sequences(root)
    config = config_of_flags("--set", "train.val_freq=1", "--set", f"data.val_dir={root}")
    with pytest.raises(UserError, match=r"^validation folder \(data.val_dir\) '.*' lacks 4 of the 4 REDS sequences "
                                        r"used: 000, 011, 015, 020; "):
        validation_clips(config)


@pytest.mark.parametrize("place", [".runs/frvsr", "a/.runs"], ids=["beside the sequences", "in a sequence"])
def test_an_output_folder_in_a_hidden_folder_of_a_sequences_data_folder_trains_and_resumes(tmp_path, capsys, place):
    """An --output_dir in a hidden folder of the sequences folder ('data/.runs'): refused as inside it, though hidden
    folders are no sequences (nothing written there is read). It trains, and its resume reads the same sequences."""
    import train
    from training_data import make_sequence_folders, tiny_training_flags
    data = make_sequence_folders(tmp_path / "data", {"a": 4, "b": 4}, sizes={"a": (40, 40), "b": (40, 40)})
    output_dir = os.path.join(data, place)
    for max_iter in (2, 4):
        train.main(tiny_training_flags(data, output_dir, **{"data.layout": "sequences", "train.max_iter": max_iter}))
        assert "4 windows of 2 sequences (sequences)" in capsys.readouterr().out
    assert os.path.isfile(os.path.join(output_dir, "model_param_00000004.h5"))


@pytest.mark.parametrize("listed", [".warm-up", "group", "empty"], ids=["hidden", "a group", "without frames"])
def test_a_sequence_list_naming_a_folder_there_that_is_no_sequence_says_so(tmp_path, listed):
    """A list naming a hidden folder of frames ('.warm-up', no sequence since hidden folders are none), a group folder
    of sequences or a folder without frames: the line said the data folder lacked it, where the user sees it."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    names = (".warm-up", "s", "group/0001")
    root = make_sequence_folders(tmp_path / "data", {name: 3 for name in names}, sizes={name: (8, 8) for name in names})
    os.mkdir(os.path.join(root, "empty"))
    listing = tmp_path / "list.txt"
    listing.write_text(f"s\n{listed}\nabsent\n")
    with pytest.raises(UserError, match=rf"^sequence list '.*' names 2 sequences that '.*' lacks: "
                                        rf"{re.escape(listed)}, absent; of those, {re.escape(listed)} is a folder "
                                        r"there but no sequence \(a hidden folder is none; .*\); fix the list or add "
                                        r"those folders$"):
        folder_sequences(root, str(listing))
    listing.write_text("./s\n")  # the sequence 's' spelled otherwise is a sequence, only misnamed
    with pytest.raises(UserError, match=r"^sequence list .* lacks: ./s; fix the list or add those folders$"):
        folder_sequences(root, str(listing))


def test_a_sequence_list_names_a_folder_named_in_another_unicode_form(tmp_path):
    """A sequence folder copied from macOS is named in decomposed form ('cafe' and a combining accent); a list typed
    elsewhere names it as keyboards type it, composed ('café'): it was refused as naming a folder the data folder
    lacked, though the two names look the same. Where both forms are folders, each names its own."""
    import unicodedata
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    decomposed, composed = unicodedata.normalize("NFD", "café"), unicodedata.normalize("NFC", "café")
    root = make_sequence_folders(tmp_path / "data", {decomposed: 3, "t": 3}, sizes={decomposed: (8, 8), "t": (8, 8)})
    listing = tmp_path / "list.txt"
    listing.write_text(f"{composed}\n", encoding="utf-8")
    assert [sequence.folder for sequence in folder_sequences(root, str(listing))] == [os.path.join(root, decomposed)]
    make_sequence_folders(root, {f"{decomposed} #2": 3}, sizes={f"{decomposed} #2": (8, 8)})
    listing.write_text(f"{composed} #2\n", encoding="utf-8")  # that folder, not 'café' cut at its ' #'
    assert [sequence.folder for sequence in folder_sequences(root, str(listing))] == [
        os.path.join(root, f"{decomposed} #2")]
    make_sequence_folders(root, {composed: 3}, sizes={composed: (8, 8)})
    for name in (composed, decomposed):
        listing.write_text(f"{name}\n", encoding="utf-8")
        assert [sequence.folder for sequence in folder_sequences(root, str(listing))] == [os.path.join(root, name)]


def test_a_frame_cache_in_a_hidden_folder_of_the_validation_folder_is_not_refused(tmp_path):
    """data.cache_dir in a hidden folder of data.val_dir ('val/.cache'): refused as inside it, though hidden folders
    are no clips. One beside the clips is still refused."""
    from train import check_outputs_outside_data
    from training_data import make_sequence_folders
    val_dir = make_sequence_folders(tmp_path / "val", {"clip": 5}, sizes={"clip": (64, 64)})
    settings = ("--set", "train.val_freq=1", "--set", f"data.val_dir={val_dir}")
    check_outputs_outside_data(config_of_flags(*settings, "--set", f"data.cache_dir={val_dir}/.cache"))
    with pytest.raises(UserError, match=r"^data.cache_dir '.*/cache' is inside data.val_dir"):
        check_outputs_outside_data(config_of_flags(*settings, "--set", f"data.cache_dir={val_dir}/cache"))


# Sixteenth pass, second look at train.py's checkpoints, records, stops and validation

@pytest.mark.parametrize("writer", ["save_weights", "save_solver_states"])
def test_a_disk_that_fills_under_a_checkpoint_s_arrays_is_one_line_not_a_crash(small_disk, writer):
    """A real full disk under a checkpoint's .h5 file: the whole-array chunks of the checksummed datasets waited in
    HDF5's chunk cache and were written as h5py let go of each dataset, where the error was printed as an ignored
    exception (a traceback per array), and the process ended in a segmentation fault (exit code 139), its temporary
    file left."""
    folder, mounted = small_disk
    if not mounted:
        pytest.skip("needs a small tmpfs (root)")
    arrays = "{f'p{i}/W': np.full((3, 3, 32, 32), i, np.float32) for i in range(12)}"  # 450 KB, past the 300 KB
    write = {"save_weights": f"save_weights(path, {{name: HostParameter(values, True) for name, values in "
                             f"{arrays}.items()}})",
             "save_solver_states": f"write_atomically(path, lambda temporary: save_solver_states(temporary, "
                                   f"{{name: (3, {{'m': values, 'v': values}}) for name, values in {arrays}.items()}}))"
             }[writer]
    script = ("import numpy as np\nfrom training.checkpoint import save_solver_states\nfrom utils.errors import "
              "UserError\nfrom utils.atomic_files import write_atomically\nfrom utils.weights import HostParameter, "
              "save_weights\n"
              f"path = {str(folder / 'file.h5')!r}\ntry:\n    {write}\nexcept UserError as error:\n    print(error)\n")
    completed = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                               timeout=120)
    assert (completed.returncode, completed.stdout, [line for line in completed.stderr.splitlines()
                                                     if "[nnabla][INFO]" not in line]) == (
        0, f"no space left on the disk of '{folder / 'file.h5'}'; free some space (or choose another folder) and run "
           "again\n", [])
    assert os.listdir(folder) == []


def test_the_checkpoint_a_stop_signal_writes_at_once_flushes_the_tensorboard_events_it_covers(tmp_path, monkeypatch):
    """SIGTERM during iteration 3 (save_freq 100), then a kill before the stop's own checkpoint (Ctrl-C on mpirun:
    SIGCONT, SIGTERM, SIGKILL within half a second): the thread's checkpoint of iteration 2 left TensorBoard's events
    of iterations 1 and 2 unflushed, lost with the process, and the resume from 2 drew iterations 3 and 4 only."""
    import time
    import train
    from training_data import event_scalars, make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "out"
    real_step, real_save_model, steps = train.training_step, train.save_model, []

    def step_then_signalled(*args, **kwargs):
        steps.append(1)
        if len(steps) == 3:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # the thread's checkpoint of iteration 2 meanwhile
        return real_step(*args, **kwargs)

    def killed_at_the_stop_s_own_model(output_dir, done, *args):
        if done == 3:
            raise KilledBeforeCheckpoint()
        return real_save_model(output_dir, done, *args)
    flags = tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4, "train.save_freq": 100,
                                                       "train.tensorboard": "true"})
    with monkeypatch.context() as patch:
        patch.setattr(train, "training_step", step_then_signalled)
        patch.setattr(train, "save_model", killed_at_the_stop_s_own_model)
        patch.setattr(train.TensorBoardScalars, "close", lambda board: None)  # a kill closes nothing
        with pytest.raises(KilledBeforeCheckpoint) as killed:  # its traceback holds the writer: nothing flushed later
            train.main(flags)
    assert [name for name in os.listdir(output_dir) if name.startswith("checkpoint_")] == ["checkpoint_00000002.json"]
    flushed = event_scalars(output_dir / "tensorboard").get("content_loss", [])
    assert [step for step, _ in flushed][:2] == [1, 2], killed
    train.main(flags)
    assert [step for step, _ in event_scalars(output_dir / "tensorboard")["content_loss"]] == [1, 2, 3, 4]


@pytest.mark.parametrize("owner, moment", [("train", "build_training"), ("train", "load_checkpoint"),
                                           ("checkpoint", "read_weight_file"), ("checkpoint", "solver_state_damage")])
def test_a_checkpoint_of_another_folder_pruned_by_its_run_during_the_start_up_is_one_line(
        tmp_path, capsys, monkeypatch, owner, moment):
    """--checkpoint of a run still training (its folder keeps the two newest checkpoints): the checkpoint's files
    deleted by that run's pruning while this one built its graph said "weights file ... does not exist; pass the path
    of a .h5 model file", a flag the user never gave; after the load, before the copy, a FileNotFoundError traceback,
    with the record of the gone checkpoint left; while this one read them (after its parameters, after a solver's
    states), "checkpoint ... is incomplete or corrupt ([Errno 2] Unable to synchronously open file ...); resume from an
    earlier one", where the earlier ones were pruned before it."""
    import glob
    import train
    from training import checkpoint
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, first, second = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "first", tmp_path / "second"
    train.main(tiny_training_flags(scenes, first, **{"train.max_iter": 2}))
    module = {"train": train, "checkpoint": checkpoint}[owner]
    real = getattr(module, moment)

    def then_pruned(*args, **kwargs):
        done = real(*args, **kwargs)
        for path in glob.glob(str(first / "*_00000002.*")):
            os.remove(path)
        return done
    monkeypatch.setattr(module, moment, then_pruned)
    line = user_error_line(train.main, tiny_training_flags(scenes, second, **{"train.max_iter": 4}) + [
        "--checkpoint", str(first / "checkpoint_00000002.json")], capsys)
    json = re.escape(str(first / "checkpoint_00000002.json"))
    assert re.match(rf"error: '{re.escape(str(first))}/\w+_00000002\.h5', a file of checkpoint '{json}', is gone since "
                    "this run read it", line), line
    assert not second.exists()


# Sixteenth pass, third look at the sixteenth pass's training-data fixes
@pytest.mark.parametrize("stray", ["poster.png", "thumb.jpg"], ids=["a poster", "a thumbnail"])
def test_a_frame_without_a_number_among_numbered_frames_is_one_line(tmp_path, stray):
    """A sequence of 'frame_0001.png'.. with a picture beside them whose name holds no digit (a poster, a thumbnail of
    the frames' size): it sorted before frame 1 and was trained on as the sequence's first frame, exit code 0. Frames
    all without digits are still ordered by name."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    names = ["frame_0001.png", "frame_0002.png", stray, "frame_0003.png"]
    root = make_sequence_folders(tmp_path / "data", {"s": 4}, name_frame=names.__getitem__, sizes={"s": (8, 8)})
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(root, 's', stray))}' has no number in its name, "
                                        r"while the other frames of its sequence are ordered by theirs.*: remove it "
                                        r"or number it$"):
        folder_sequences(root)
    folder = os.path.join(root, "s")
    for index, name in enumerate(names):
        os.rename(os.path.join(folder, name), os.path.join(folder, f"{'abcd'[index]}.png"))
    assert [os.path.basename(path) for path in folder_sequences(root)[0].frames] == [f"{c}.png" for c in "abcd"]


@pytest.mark.parametrize("names", [["a.png", "a.jpg", "b.png"], ["clip2.png", "clip2.jpg"]],
                         ids=["names without digits", "names of one number"])
def test_a_copy_in_another_format_among_frames_ordered_by_name_is_one_line(tmp_path, names):
    """Frames ordered by name (no digits, or one number in every name) with a copy of one in another format beside it
    ('a.png' and 'a.jpg'): the copy was trained on as the next frame, exit code 0, where among numbered frames it is
    refused."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"s": len(names)}, name_frame=names.__getitem__,
                                 sizes={"s": (8, 8)})
    first, second = (os.path.join(root, "s", name) for name in sorted(names[:2]))
    with pytest.raises(UserError, match=rf"^'{re.escape(first)}' and '{re.escape(second)}' are one frame in two "
                                        r"formats.*; remove or rename one$"):
        folder_sequences(root)


def test_a_sequence_list_in_latin1_naming_a_folder_named_in_utf8_says_the_list_is_not_utf8(tmp_path):
    """A list saved in Latin-1 (Windows' "ANSI") naming 'café', a folder named in UTF-8: the line said the folder
    lacked 'caf\\udce9', a name the user never wrote. It now says the list is not UTF-8; a folder named in Latin-1 as
    the list names it is still trained on."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"café": 3, "b": 3}, sizes={"café": (8, 8), "b": (8, 8)})
    listing = tmp_path / "list.txt"
    listing.write_bytes("café\nb\n".encode("latin-1"))
    with pytest.raises(UserError, match=r"^sequence list .* lacks: 'caf\\udce9'; of those, 'caf\\udce9' holds bytes "
                                        r"that are not UTF-8: the list was saved in another encoding .*; save the "
                                        r"list as UTF-8, fix the list or add those folders$"):
        folder_sequences(root, str(listing))
    os.rename(os.path.join(root, "café"), os.path.join(root, os.fsdecode("café".encode("latin-1"))))
    assert [sequence.name for sequence in folder_sequences(root, str(listing))] == [
        os.fsdecode("café".encode("latin-1")), "b"]


def test_a_sequence_list_naming_a_link_to_nothing_in_another_unicode_form_says_it_is_a_link_to_nothing(tmp_path):
    """A list naming 'café' as keyboards type it, where the folder's entry of that name (copied from macOS, decomposed)
    is a link to nothing (a disk not mounted): the line said the folder lacked 'café', where the user sees it; a name
    of the list matches a sequence folder's of another Unicode form, and now an entry's that may be one."""
    import unicodedata
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"a": 3}, sizes={"a": (8, 8)})
    link = os.path.join(root, unicodedata.normalize("NFD", "café"))
    os.symlink(str(tmp_path / "unmounted"), link)
    listing = tmp_path / "list.txt"
    listing.write_text(unicodedata.normalize("NFC", "a\ncafé\n"))
    with pytest.raises(UserError, match=rf"^'{re.escape(link)}' is a symbolic link to nothing \(.*\), so whether it "
                                        r"is a sequence is not known; .*, or leave it out of the list$"):
        folder_sequences(root, str(listing))


def test_an_output_folder_through_a_visible_link_to_a_hidden_folder_of_the_data_is_refused(tmp_path, capsys):
    """--output_dir 'data/runs', a link to the hidden 'data/.runs': taken for a hidden folder (its link resolved), it
    trained, but the sequences are read through the link's visible name, so every resume was refused as a sequence
    'runs' of 1 frame (the run's losses.png). Refused as inside the data folder, as a folder not hidden is."""
    import train
    from training_data import make_sequence_folders, tiny_training_flags
    data = make_sequence_folders(tmp_path / "data", {"a": 4, "b": 4}, sizes={"a": (40, 40), "b": (40, 40)})
    os.mkdir(os.path.join(data, ".runs"))
    os.symlink(".runs", os.path.join(data, "runs"))
    output_dir = os.path.join(data, "runs")
    line = user_error_line(train.main, tiny_training_flags(data, output_dir, **{"data.layout": "sequences",
                                                                                "train.max_iter": 2}), capsys)
    assert line == (f"error: --output_dir '{output_dir}' is inside --input_video_dir '{data}', whose folders of "
                    "pictures are training sequences (data.layout sequences); set --output_dir to a folder outside it")
    assert os.listdir(os.path.join(data, ".runs")) == []


# Sixteenth pass, third look at the sixteenth pass's training fixes
# (a checkpoint pruned during its load: the cases read_weight_file and solver_state_damage of
# test_a_checkpoint_of_another_folder_pruned_by_its_run_during_the_start_up_is_one_line above)

def test_the_tensorboard_folder_on_a_disk_out_of_inodes_is_the_no_room_line(tmp_path, monkeypatch):
    """train.tensorboard on a disk whose last inode went to the output folder's lock: "no space left on the disk of
    '.../tensorboard/events'; free some space", bytes free; the inodes were counted in the folder of the events file,
    which could not be made."""
    from hostile import disk_out_of_inodes
    from training.loss_log import TensorBoardScalars
    with disk_out_of_inodes(tmp_path / "disk", monkeypatch) as mounted:
        if not mounted:
            pytest.skip("needs a tmpfs of few inodes (root)")
        with pytest.raises(UserError, match="^no room for another file on the disk of .*tensorboard/events'"):
            TensorBoardScalars(str(tmp_path / "disk"), 0)


def test_tensorboard_events_written_after_their_folder_was_removed_mid_run_are_kept(tmp_path):
    """tensorboard/ removed while the run trains (to clear the curves, say): the events written after went to the
    removed file, which the run's open handle kept writing, silently, to the end of the run."""
    import shutil
    from training.loss_log import TensorBoardScalars
    from training_data import event_scalars
    board = TensorBoardScalars(str(tmp_path), 0)
    board.add(1, {"loss": 1.0})
    board.flush()
    shutil.rmtree(tmp_path / "tensorboard")
    board.add(2, {"loss": 2.0})
    board.add(3, {"loss": 3.0})
    board.flush()
    board.add(4, {"loss": 4.0})
    board.close()
    assert event_scalars(tmp_path / "tensorboard")["loss"] == [(2, 2.0), (3, 3.0), (4, 4.0)]


# Seventeenth pass, second look at train.py's checkpoints, records, stops and TensorBoard

def test_an_output_folder_moved_mid_run_is_not_made_again_by_tensorboard(tmp_path):
    """The output folder moved (or removed) while the run trains with TensorBoard: the next flush, which makes a new
    events file where the old one is gone, made the output folder again with os.makedirs, and the run went on in it,
    unlocked, its earlier checkpoints in the moved folder, exit code 0. Without TensorBoard the next write says the
    folder was moved; now the flush says it."""
    from training.loss_log import TensorBoardScalars
    output_dir = tmp_path / "run"
    output_dir.mkdir()
    board = TensorBoardScalars(str(output_dir), 0)
    board.add(1, {"loss": 1.0})
    board.flush()
    os.rename(output_dir, tmp_path / "moved")
    board.add(2, {"loss": 2.0})
    with pytest.raises(UserError, match=r"^cannot write '.*run/tensorboard' .*: its folder was removed or moved while "
                                        r"this ran; restore it"):
        board.flush()
    assert not output_dir.exists()


def test_tensorboard_s_folder_become_a_file_mid_run_is_one_line_also_at_the_close(tmp_path):
    """tensorboard/ replaced by a file while the run trains (refused at the start, before training): the flush that
    makes a new events file raised FileExistsError, a traceback; and the run's close of the writer, which that flush had
    closed, raised "ValueError: flush of closed file" (a traceback after any failed new file)."""
    import shutil
    from training.loss_log import TensorBoardScalars
    board = TensorBoardScalars(str(tmp_path), 0)
    board.add(1, {"loss": 1.0})
    shutil.rmtree(tmp_path / "tensorboard")
    (tmp_path / "tensorboard").write_text("notes")
    for end in (board.flush, board.close):
        with pytest.raises(UserError, match=r"^'.*tensorboard' is a file since this run made its folder of "
                                            r"TensorBoard's events there; move it away"):
            end()


def test_a_tecogan_checkpoint_resumed_as_the_frvsr_stage_says_it_is_of_the_other_stage(tmp_path):
    """A TecoGAN checkpoint resumed by the FRVSR stage (--allow-changed-settings, train.tecogan true -> false): "weights
    file 'params_<N>.h5' lacks 44 parameter(s) of this network ... (check --num_resblock, or use the matching model
    file)", a flag that is not the cause; the other direction said the checkpoint is of the other stage, and now both
    do."""
    from training.checkpoint import load_checkpoint
    names = {"params": "params_00000002.h5", "gen": "gen_states_00000002.h5", "fnet": "fnet_states_00000002.h5",
             "disc": "disc_states_00000002.h5"}
    for name in names.values():
        (tmp_path / name).write_bytes(b"h5")
    content = {"iteration": 2, "params": names["params"],
               "solvers": {solver: names[solver] for solver in ("gen", "fnet", "disc")}}
    path = str(tmp_path / "checkpoint_00000002.json")
    with pytest.raises(UserError, match=r"^checkpoint '.*' has the state of the disc solver, which this stage "
                                        r"does not train: it was written by the other training stage$"):
        load_checkpoint(path, content, {}, {"gen": None, "fnet": None})


def test_tensorboard_events_written_after_a_failed_new_events_file_are_kept(tmp_path):
    """A flush whose new events file failed (tensorboard/ removed, a file of that name in its place) had closed the
    writer first: where the run went on (a stop signal's checkpoint at once, which reports its failure in a line), the
    next iteration's events raised "ValueError: write to closed file", a traceback. Now the writes go on, and the next
    flush that can make the file writes them."""
    import shutil
    from training.loss_log import TensorBoardScalars
    from training_data import event_scalars
    board = TensorBoardScalars(str(tmp_path), 0)
    board.add(1, {"loss": 1.0})
    board.flush()
    shutil.rmtree(tmp_path / "tensorboard")
    (tmp_path / "tensorboard").write_text("notes")
    board.add(2, {"loss": 2.0})
    with pytest.raises(UserError, match="is a file since this run made its folder"):
        board.flush()
    board.add(3, {"loss": 3.0})
    os.remove(tmp_path / "tensorboard")
    board.close()
    assert event_scalars(tmp_path / "tensorboard")["loss"] == [(2, 2.0), (3, 3.0)]


def test_a_nan_metric_written_to_tensorboard_prints_no_warning(tmp_path, capfd):
    """Validation on clips of train.val_frames 5 (the least allowed: one scored frame) gives tOF nan at every
    validation, written as it is to val.csv and TensorBoard: tensorboardX printed "<time> [tensorboardX.x2num][WARNING]:
    NaN or Inf found in input tensor." each time, glued to the progress bar, a warning of a divergence that is none."""
    from training.loss_log import TensorBoardScalars
    from training_data import event_scalars
    board = TensorBoardScalars(str(tmp_path), 0)
    board.add(2, {"validation/tOF": float("nan")})
    board.close()
    assert "NaN or Inf" not in capfd.readouterr().err
    [(step, value)] = event_scalars(tmp_path / "tensorboard")["validation/tOF"]
    assert step == 2 and np.isnan(value)


# Seventeenth pass, second look at the training data, sequence folders and REDS layouts
@pytest.mark.parametrize("other", ["frame_1.webp", "frame_1.tif", "frame_2.gif"])
def test_a_frame_in_a_format_training_does_not_read_among_the_frames_is_one_line(tmp_path, other):
    """'frame_1.webp' among 'frame_0.png', 'frame_2.png', 'frame_3.png' (one frame exported in another format): it was
    left out without a word, and the frames either side of it trained on as consecutive, exit code 0. A picture of
    such a format of a frame's number (the '.tif' a '.png' was made from), without a number, or of one past the last
    frame's (a thumbnail's width) is still left out."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"s": 4}, sizes={"s": (8, 8)})
    folder = os.path.join(root, "s")
    os.rename(os.path.join(folder, other.replace(other[other.index("."):], ".png")), os.path.join(folder, other))
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(folder, other))}' is a picture among the frames "
                                        r"of its sequence in a format frames are not read in .*: convert it to PNG or "
                                        r"remove it$"):
        folder_sequences(root)
    os.rename(os.path.join(folder, other), os.path.join(folder, "cover" + other[other.index("."):]))
    os.link(os.path.join(folder, "frame_0.png"), os.path.join(folder, "frame_0.tif"))
    os.link(os.path.join(folder, "frame_0.png"), os.path.join(folder, "thumb_320.webp"))
    assert len(folder_sequences(root)[0].frames) == 3


@pytest.mark.parametrize("sequence", ["s", "group/s"], ids=["a sequence", "a group's sequence"])
def test_a_sequence_of_frames_in_a_format_training_does_not_read_is_one_line(tmp_path, sequence):
    """A sequence folder of '.webp' frames beside sequences of PNGs: it was no sequence, left out without a word, and
    the run trained on the others, exit code 0. A group folder of sequences with a '.webp' cover beside them is still
    a group, and a sequence holding a folder of the '.tif' pictures its frames were made from still a sequence; a list
    that leaves the folder out still trains."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"a": 3, sequence: 3}, name_frame=lambda index: f"{index}.png",
                                 sizes={"a": (8, 8), sequence: (8, 8)})
    folder = os.path.join(root, sequence)
    for index in range(3):
        os.rename(os.path.join(folder, f"{index}.png"), os.path.join(folder, f"{index}.webp"))
    with pytest.raises(UserError, match=rf"^'{re.escape(folder)}' holds no frame but pictures of a format training "
                                        r"does not read \(.*\), so whether it is a sequence is not known; convert them "
                                        r"to PNG, move it out of --input_video_dir, or name the sequences to use in "
                                        r"data.sequence_list$"):
        folder_sequences(root)
    listing = tmp_path / "list.txt"
    listing.write_text("a\n")
    assert [found.name for found in folder_sequences(root, str(listing))] == ["a"]
    for removed in (folder, os.path.join(root, "a")):
        shutil.rmtree(removed)
    make_sequence_folders(root, {"a/1": 3, "b": 3}, sizes={"a/1": (8, 8), "b": (8, 8)})
    (tmp_path / "data" / "a" / "cover.webp").write_bytes(b"")
    os.mkdir(tmp_path / "data" / "b" / "sources")  # a sequence's folder of the pictures its frames were made from
    (tmp_path / "data" / "b" / "sources" / "0.tif").write_bytes(b"")
    assert [found.name for found in folder_sequences(root)] == ["a/1", "b"]


@pytest.mark.parametrize("names, original", [(["f001.png", "f002.png", "f003.png", "f001 2.png"], "f001.png"),
                                             (["im1.png", "im2.png", "im3.png", "im2 (1).png"], "im2.png"),
                                             (["f1.png", "f2.png", "f3.png", "f2 - Copy (2).png"], "f2.png"),
                                             (["f1.png", "f1 - Copy.png"], "f1.png")],
                         ids=["macOS's copy", "a browser's copy", "Windows' second copy",
                              "a copy in a sequence of two"])
def test_a_copy_of_a_frame_whose_name_adds_a_number_is_one_line(tmp_path, names, original):
    """A frame's copy named by a file manager or a browser ('f001 2.png' beside 'f001.png'): its digits make another
    number (0012), no frame's in a short sequence, so it was trained on as a later frame, exit code 0; 'f1 - Copy.png'
    beside 'f1.png' alone, both of the one number 1, ordered by name, was trained on as the first. Windows' batch
    names ('frame (1).png', 'frame (2).png') and 'frame 1.png'..'frame 10.png' are still frames."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_of_a_copy, trained_frame_names
    root, copy, original = sequence_of_a_copy(tmp_path, names, original)
    with pytest.raises(UserError, match=rf"^'{re.escape(copy)}' is named as a copy of '{re.escape(original)}' .*: "
                                        r"remove it, or rename it if it is a frame of its own$"):
        folder_sequences(root)
    for frame_names in ([f"frame ({index + 1}).png" for index in range(3)], ["frame 1.png", "frame 2.png",
                                                                              "frame 10.png"]):
        assert trained_frame_names(root, frame_names) == frame_names


def test_a_frame_rewritten_at_another_size_while_the_frame_cache_decodes_is_one_line(tmp_path):
    """A frame rewritten at another size after its sequence's size was read, while the frame cache decodes (a build of
    hours on a large dataset): its rows were written across the room of the next frames, and the run trained on the
    garbled entry, exit code 0 (read from its file, without the cache, such a frame is refused). Nothing is kept."""
    import cv2
    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"s": 3}, sizes={"s": (8, 8)})
    sequence = folder_sequences(root)[0]

    def rewriting_the_last(path):
        if path == sequence.frames[0]:
            cv2.imwrite(sequence.frames[2], np.full((8, 10, 3), 200, np.uint8))
        return read_frame(path)

    with pytest.raises(UserError, match=rf"^training frame '{re.escape(sequence.frames[2])}' is now 10x8, not the 8x8 "
                                        r"of its sequence when training started: .*; restore it, then run the same "
                                        r"command again to resume$"):
        frame_cache.cached_frames([sequence], [(8, 8)], str(tmp_path / "cache"), rewriting_the_last,
                                  report=lambda message: None, show_progress=False)
    assert [name for name in os.listdir(tmp_path / "cache") if not name.startswith(".")] == []


@pytest.mark.parametrize("name", ["a ", " a"], ids=["a space after", "a space before"])
def test_a_sequence_list_names_a_folder_whose_name_begins_or_ends_with_a_space(tmp_path, name):
    """A sequence folder 'a ' (a name macOS and Linux allow), which trains without a list: a list naming it was refused
    as lacking 'a' (its lines' spaces left out), so it could not be chosen. Spaces after a name are still left out
    where no folder holds them."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {name: 3, "b": 3}, sizes={name: (8, 8), "b": (8, 8)})
    listing = tmp_path / "list.txt"
    listing.write_text(f"{name}\nb \n")
    assert [sequence.name for sequence in folder_sequences(root, str(listing))] == [name, "b"]


# Seventeenth pass, third look at the seventeenth pass's training fixes

def test_tensorboard_s_events_file_replaced_by_a_copy_mid_run_keeps_the_events_after(tmp_path):
    """The events file replaced by a copy of it while the run trains (tensorboard/ moved to another disk and linked
    back, the file restored from a backup): the path was there, so the writes went on to the removed file through the
    run's open handle, silently lost to the end of the run. Now the flush makes a new file, without a session start
    that would hide the copy's events from TensorBoard."""
    from training.loss_log import TensorBoardScalars
    from training_data import event_scalars
    board = TensorBoardScalars(str(tmp_path), 0)
    board.add(1, {"loss": 1.0})
    board.flush()
    replace_by_a_copy(board.path)
    board.add(2, {"loss": 2.0})
    board.flush()
    board.add(3, {"loss": 3.0})
    board.close()
    assert event_scalars(tmp_path / "tensorboard")["loss"] == [(1, 1.0), (2, 2.0), (3, 3.0)]


def test_tensorboard_s_events_file_replaced_by_a_folder_mid_run_keeps_the_events_after(tmp_path):
    """The events file replaced by a folder of its name: the path was there, and the events went on to the removed
    file (noticed by the second look, not changed)."""
    from training.loss_log import TensorBoardScalars
    from training_data import event_scalars
    board = TensorBoardScalars(str(tmp_path), 0)
    board.add(1, {"loss": 1.0})
    board.flush()
    folder = board.path
    os.remove(folder)
    os.mkdir(folder)
    board.add(2, {"loss": 2.0})
    board.close()
    os.rmdir(folder)  # no events file: tests' reader reads every file of the folder
    assert event_scalars(tmp_path / "tensorboard")["loss"] == [(2, 2.0)]


def test_an_output_folder_named_gs_colon_keeps_tensorboard_s_events_on_this_disk(tmp_path, monkeypatch):
    """--output_dir 'gs:run' (or 's3:run'), a folder of this disk: tensorboardX took the part before the path's first
    ':' for a cloud's, and the run ended at its first flush with a traceback (botocore's for 's3', after looking for
    credentials), losing that iteration's checkpoint."""
    from training.loss_log import TensorBoardScalars
    from training_data import event_scalars
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gs:run").mkdir()
    board = TensorBoardScalars("gs:run", 0)
    board.add(1, {"loss": 1.0})
    board.close()
    assert event_scalars(tmp_path / "gs:run" / "tensorboard")["loss"] == [(1, 1.0)]


def test_tensorboard_s_folder_become_a_link_to_nothing_mid_run_is_said_so(tmp_path):
    """tensorboard/ replaced by a link to a folder that is not there (a disk not mounted) while the run trains: "is a
    file since this run made its folder", where the start's check names the link and where it leads."""
    import shutil
    from training.loss_log import TensorBoardScalars
    board = TensorBoardScalars(str(tmp_path), 0)
    board.add(1, {"loss": 1.0})
    shutil.rmtree(tmp_path / "tensorboard")
    os.symlink(tmp_path / "unmounted" / "tensorboard", tmp_path / "tensorboard")
    with pytest.raises(UserError, match=r"^'.*tensorboard' is a symbolic link to '.*unmounted/tensorboard', which "
                                        r"leads to no folder"):
        board.flush()


@pytest.mark.parametrize("writer", ["losses.csv", "TensorBoard"])
def test_an_output_folder_replaced_by_another_of_its_name_mid_run_is_one_line(tmp_path, writer):
    """The output folder moved away while the run trained and another made in its place ('mv run run.old; mkdir run'):
    the run went on writing into the new folder, unlocked (its lock in the old one), its checkpoints split between the
    two, exit code 0, with TensorBoard as without. Now the next write (losses.csv, first at every checkpoint; or the
    TensorBoard flush that makes a new events file) says it, writing nothing into the new folder."""
    from training.loss_log import LossLog, TensorBoardScalars
    output_dir = tmp_path / "run"
    output_dir.mkdir()
    if writer == "losses.csv":
        log = LossLog(str(output_dir), 0)
        log.add(1, {"content_loss": 1.0})
        log.write(plot=False)
    else:
        board = TensorBoardScalars(str(output_dir), 0)
        board.add(1, {"loss": 1.0})
        board.flush()
    os.rename(output_dir, tmp_path / "run.old")
    output_dir.mkdir()
    with pytest.raises(UserError, match=r"^cannot write '.*run/(losses\.csv|tensorboard)': the output folder '.*run' is "
                                        r"another folder than the one this run started in \(moved away while this "
                                        r"ran, another made in its place\); put the run's folder back"):
        if writer == "losses.csv":
            log.add(2, {"content_loss": 2.0})
            log.write(plot=False)
        else:
            board.add(2, {"loss": 2.0})
            board.flush()
    assert os.listdir(output_dir) == []


# Seventeenth pass, beside the probers

def test_the_resume_and_finished_lines_show_an_escape_sequence_in_the_output_folder_by_its_code(tmp_path, capsys):
    """An --output_dir holding an escape sequence: "resuming from ..." and "the run in ... is finished" wrote it to
    the terminal as given (it cleared the screen), where error lines show it by its code."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run\x1b[2J"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    capsys.readouterr()
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}))
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}))
    out = capsys.readouterr().out
    assert "\x1b" not in out, out
    assert "resuming from " in out and "the run in " in out and out.count("run\\x1b[2J") >= 2, out


# Seventeenth pass, third look at the seventeenth pass's training-data fixes
@pytest.mark.parametrize("other", ["frame_1.jfif", "frame_1.jxl", "frame_2.JPE"])
def test_a_frame_saved_as_jfif_or_jpeg_xl_among_the_frames_is_one_line(tmp_path, other):
    """'frame_1.jfif' among 'frame_0.png', 'frame_2.png', 'frame_3.png' (Chrome on Windows saves a JPEG as '.jfif'; a
    JPEG XL export): a format training does not read, it was left out without a word, and the frames either side of it
    trained on as consecutive, exit code 0; a sequence folder of such pictures alone was left out so too."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"s": 4}, sizes={"s": (8, 8)})
    folder = os.path.join(root, "s")
    os.rename(os.path.join(folder, other[:other.index(".")] + ".png"), os.path.join(folder, other))
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(folder, other))}' is a picture among the frames "
                                        r"of its sequence in a format frames are not read in .*: convert it to PNG or "
                                        r"remove it$"):
        folder_sequences(root)
    shutil.rmtree(folder)
    make_sequence_folders(root, {"a": 3, "s": 3}, sizes={"a": (8, 8), "s": (8, 8)})
    for name in os.listdir(folder):
        os.rename(os.path.join(folder, name), os.path.join(folder, name[:name.index(".")] + other[other.index("."):]))
    with pytest.raises(UserError, match=rf"^'{re.escape(folder)}' holds no frame but pictures of a format training "
                                        r"does not read"):
        folder_sequences(root)


@pytest.mark.parametrize("names, original", [
    (["f001.png", "f002.png", "f003.png", "f002-1.png"], "f002.png"),
    (["im1.png", "im2.png", "im1-2.png"], "im1.png"),
    (["f001.png", "f002.png", "f003.png", "f001-DESKTOP-4F2K9QL.png"], "f001.png"),
    (["f001.png", "f002.png", "f003.png", "f002.sync-conflict-20260101-120000-ABCDEFG.png"], "f002.png"),
    (["im1.png", "im2.png", "im3.png", "im1_x4.png"], "im1.png")],
    ids=["Safari's copy", "Android's copy", "OneDrive's conflict copy", "Syncthing's conflict copy",
         "a 4x frame beside"])
def test_a_copy_of_a_frame_named_with_another_ending_is_one_line(tmp_path, names, original):
    """A frame downloaded twice by Safari or Android ('f002-1.png' beside 'f002.png'), OneDrive's and Syncthing's copies
    of a frame changed on two computers, a frame's 4x version beside it ('im1_x4.png'): their digits make other numbers
    (0021, 0014..), so they were trained on as later frames, exit code 0. Frames numbered after a '-' or a '.'
    ('clip-1.png'..'clip-12.png', 'shot-1-1.png'.., dates '2019-05-01.png'.., 'frame.0001.png'..) are still frames."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_of_a_copy, trained_frame_names
    root, copy, original = sequence_of_a_copy(tmp_path, names, original)
    with pytest.raises(UserError, match=rf"^'{re.escape(copy)}' is named as a copy of '{re.escape(original)}' .*: "
                                        r"remove it, or rename it if it is a frame of its own$"):
        folder_sequences(root)
    for scheme in ("clip-{}.png", "shot-1-{}.png", "2019-05-{:02d}.png", "frame.{:04d}.png"):
        frame_names = [scheme.format(index) for index in range(1, 13)]
        assert trained_frame_names(root, frame_names) == frame_names


def test_a_picture_in_another_format_among_frames_ordered_by_name_is_one_line(tmp_path):
    """'clip2_b.webp' between 'clip2_a.png' and 'clip2_c.png' (frames whose names hold one number alike, ordered by
    name): the gap was looked for by number alone, so it was left out without a word and the frames either side of it
    trained on as consecutive, exit code 0. A '.tif' of a frame's name, one named after a frame ('clip2_a_thumb.webp'),
    a 'cover.webp' and one past the last frame's name are still left out."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    names = ["clip2_a.png", "clip2_b.png", "clip2_c.png", "clip2_d.png"]
    root = make_sequence_folders(tmp_path / "data", {"s": 4}, name_frame=names.__getitem__, sizes={"s": (8, 8)})
    folder = os.path.join(root, "s")
    os.rename(os.path.join(folder, "clip2_b.png"), os.path.join(folder, "clip2_b.webp"))
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(folder, 'clip2_b.webp'))}' is a picture among "
                                        r"the frames of its sequence in a format frames are not read in .*: convert it "
                                        r"to PNG or remove it$"):
        folder_sequences(root)
    os.rename(os.path.join(folder, "clip2_b.webp"), os.path.join(folder, "cover.webp"))
    for other in ("clip2_a.tif", "clip2_a_thumb.webp", "clip2_z.webp"):
        os.link(os.path.join(folder, "clip2_a.png"), os.path.join(folder, other))
    assert [os.path.basename(path) for path in folder_sequences(root)[0].frames] == ["clip2_a.png", "clip2_c.png",
                                                                                      "clip2_d.png"]


def test_a_folder_named_as_a_picture_between_the_frames_is_no_picture(tmp_path):
    """A folder named '0002.webp' between '0001.png' and '0003.png' (a folder of a frame's exports): it was
    refused as a picture among the frames in a format training does not read, "convert it to PNG or remove it", where
    it is no picture (a sequence's subfolder is no frame, and no gap)."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    names = ["0001.png", "0003.png"]
    root = make_sequence_folders(tmp_path / "data", {"s": 2}, name_frame=names.__getitem__, sizes={"s": (8, 8)})
    os.mkdir(os.path.join(root, "s", "0002.webp"))
    assert [os.path.basename(path) for path in folder_sequences(root)[0].frames] == names


# Eighteenth pass, second look at the training data, sequence folders and REDS layouts
@pytest.mark.parametrize("other", ["0002.pcx", "0002.pfm", "0002.sgi", "0002.dib", "0002.jxr"])
def test_a_frame_written_by_ffmpeg_or_opencv_in_another_format_among_the_frames_is_one_line(tmp_path, other):
    """'0002.pcx' (FFmpeg's image2 writes it: `ffmpeg -i clip.mp4 %04d.pcx`), '0002.pfm', '0002.sgi', '0002.dib'
    (OpenCV's imwrite writes it), '0002.jxr' among '0001.png', '0003.png': a format training does not read, it was left
    out without a word, and the frames either side of it trained on as consecutive, exit code 0."""
    from datasets.sequences import folder_sequences
    from hostile import PICTURE_IN_A_GAP, sequence_beside_a_picture
    root, picture = sequence_beside_a_picture(tmp_path, ["0001.png", "0003.png"], other)
    with pytest.raises(UserError, match=rf"^'{re.escape(picture)}' {PICTURE_IN_A_GAP} .*: convert it to PNG or remove "
                                        r"it$"):
        folder_sequences(root)


@pytest.mark.parametrize("names, other", [
    (["0001.png", "0003.png"], "0002.jp2"),
    ([f"{number:04d}.png" for number in range(1, 30) if number != 2], "0002.j2k"),
    (["s1_a.png", "s1_c.png"], "s1_b.jp2")],
    ids=["by number", "by number, frame 22 there", "by name"])
def test_a_picture_whose_extension_holds_a_digit_among_the_frames_is_one_line(tmp_path, names, other):
    """'0002.jp2' (JPEG 2000) between '0001.png' and '0003.png': its place among the frames was read from its whole
    name, the extension's 2 with it, so it lay at 22, past the frames (or at frame 22's), and was left out without a
    word, the frames either side of it trained on as consecutive, exit code 0; 's1_b.jp2' among frames ordered by name
    ('s1_a.png', 's1_c.png') so too."""
    from datasets.sequences import folder_sequences
    from hostile import PICTURE_IN_A_GAP, sequence_beside_a_picture
    root, picture = sequence_beside_a_picture(tmp_path, names, other)
    with pytest.raises(UserError, match=rf"^'{re.escape(picture)}' {PICTURE_IN_A_GAP}"):
        folder_sequences(root)


def test_frames_swapped_by_renaming_are_decoded_again_by_the_frame_cache(tmp_path):
    """Three BMP frames of one size in bytes and one modification time (unpacked from one zip), the first and the last
    swapped by renaming after the frame cache decoded them: the entry's record (names, sizes, modification times)
    still matched, and training read the frames in the old order, exit code 0."""
    import cv2
    from hostile import cached_and_read
    folder = tmp_path / "data" / "s"
    folder.mkdir(parents=True)
    for value, name in enumerate(["0000.bmp", "0001.bmp", "0002.bmp"]):
        cv2.imwrite(str(folder / name), np.full((8, 8, 3), value * 50, np.uint8))
        os.utime(folder / name, ns=(10 ** 18, 10 ** 18))

    cached, read = cached_and_read(tmp_path / "data", tmp_path / "cache")
    assert cached == read
    os.rename(folder / "0000.bmp", folder / "swapping")
    os.rename(folder / "0002.bmp", folder / "0000.bmp")
    os.rename(folder / "swapping", folder / "0002.bmp")
    cached, read = cached_and_read(tmp_path / "data", tmp_path / "cache")
    assert cached == read


@pytest.mark.parametrize("link, sequences, listed", [
    ("train/train_sharp/000", {"train/train_sharp": ["001"]}, "000"),
    ("train/train_sharp", {}, "000"),
    ("val/val_sharp", {"train/train_sharp": ["000"]}, "241")],
    ids=["a sequence's folder", "train_sharp's folder", "val_sharp's folder"])
def test_a_reds_folder_linked_to_nothing_is_named_so(tmp_path, link, sequences, listed):
    """A REDS sequence folder, or a part's folder, linked in from a disk not mounted: train.py said the sequence was
    lacking, "run download_test_data.py --reds again" (which skips it as done), or that the root was "not a REDS
    folder". A part's folder linked to nothing that the list does not use is still no matter."""
    from datasets import reds
    for part, names in sequences.items():
        for name in names:
            (tmp_path / part / name).mkdir(parents=True)
            for index in range(reds.FRAMES_PER_SEQUENCE):
                (tmp_path / part / name / reds.frame_name(index)).touch()
    (tmp_path / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(tmp_path / "unmounted", tmp_path / link)
    (tmp_path / "list.txt").write_text(f"{listed}\n")
    with pytest.raises(UserError, match=rf"^'{re.escape(str(tmp_path / link))}', where REDS('s train_sharp)? "
                                        r"sequences? .*(lies|lie), is a symbolic link to nothing .*; mount its disk or "
                                        r"remove the link$"):
        reds.training_sequences(str(tmp_path), str(tmp_path / "list.txt"))
    if sequences.get("train/train_sharp") == ["000"]:
        (tmp_path / "list.txt").write_text("000\n")
        assert [sequence.name for sequence in reds.training_sequences(str(tmp_path), str(tmp_path / "list.txt"))] == [
            "000"]


@pytest.mark.parametrize("names, other", [
    (["f0001.png", "f0003.png"], "f0002 (1).webp"),
    (["f0001.png", "f0003.png"], "f0002-1.tif"),
    (["clip2_a.png", "clip2_c.png"], "clip2_b (1).webp")],
    ids=["a browser's second download", "Safari's", "among frames ordered by name"])
def test_a_picture_named_as_a_copy_in_a_gap_among_the_frames_is_one_line(tmp_path, names, other):
    """'f0002 (1).webp' (a browser's second download of frame 2's picture) between 'f0001.png' and 'f0003.png': its
    digits make 21, past the frames, so it was left out without a word, and the frames either side of it trained on as
    consecutive, exit code 0. Its name cut before the copy's ending, 'f0002', lies in the gap. A picture named after a
    frame there ('f0001 (1).webp') is still no gap."""
    from datasets.sequences import folder_sequences
    from hostile import PICTURE_IN_A_GAP, sequence_beside_a_picture
    root, picture = sequence_beside_a_picture(tmp_path, names, other)
    with pytest.raises(UserError, match=rf"^'{re.escape(picture)}' {PICTURE_IN_A_GAP}"):
        folder_sequences(root)
    os.rename(picture, os.path.join(root, "s", f"{names[0][:-4]} (1).webp"))
    assert [os.path.basename(path) for path in folder_sequences(root)[0].frames] == names


def test_a_windows_drives_recycle_bin_is_no_group_of_sequences(tmp_path):
    """Training on the top folder of a Windows drive (NTFS, exFAT) holding sequences: its recycle bin,
    '$RECYCLE.BIN/<user's SID>/', holds each deleted picture ('$R3K9QZ1.png') beside a record of its name that is no
    picture ('$I3K9QZ1.png'), and was read as a group folder of one sequence, the run refused as that record "is corrupt
    or not an image"."""
    from datasets.sequences import folder_sequences, frame_size
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "drive", {"a": 3}, sizes={"a": (8, 8)})
    deleted = os.path.join(root, "$RECYCLE.BIN", "S-1-5-21-1004336348-1177238915-682003330-1001")
    os.makedirs(deleted)
    shutil.copy(os.path.join(root, "a", "frame_0.png"), os.path.join(deleted, "$R3K9QZ1.png"))
    with open(os.path.join(deleted, "$I3K9QZ1.png"), "wb") as record:
        record.write(b"\x02" + bytes(60))
    sequences = folder_sequences(root)
    assert [sequence.name for sequence in sequences] == ["a"]
    assert frame_size(sequences[0], "sequences") == (8, 8)


# Eighteenth pass, second look at tiles, memory budgets, output scales, precisions and backends

def test_a_batch_past_the_machine_memory_names_it_in_the_gigabytes_that_max_memory_counts(monkeypatch):
    """check_batch_memory said a machine of 8 GB (of 2 ** 30 bytes, as generate.py's --max-memory and demo.py's
    "is free" count them) had "8.6 GB of memory", in GB of 10 ** 9 bytes: one machine's memory in two units."""
    import data_loader
    from hostile import sizes_in_bytes
    memory, page = 8 * 2 ** 30, 4096
    monkeypatch.setattr(data_loader.os, "sysconf", {"SC_PAGE_SIZE": page, "SC_PHYS_PAGES": memory // page}.get)
    monkeypatch.setattr(data_loader, "local_size", lambda: 1)
    with pytest.raises(UserError, match="of memory; lower train.batch_size$") as refused:
        data_loader.check_batch_memory(10 ** 6, 3, 64)
    batch, said_memory = sizes_in_bytes(str(refused.value))
    assert said_memory == memory
    assert batch == pytest.approx(4 * 10 ** 6 * 3 * 64 * 64 * 3, rel=1e-3)


def test_a_frame_cache_past_the_free_space_names_a_need_above_the_room_it_names(tmp_path, monkeypatch):
    """One 8x8 frame (192 bytes) to decode beside 191 bytes free: "decoding 1 sequence(s), 0.0 MB, ... (0.0 MB free)",
    then "is full: decoding ... needs 0.0 MB", a need of nothing, no more than the room said free."""
    import shutil
    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import Sequence
    from hostile import sizes_in_bytes
    from training_data import calendar_frame
    from utils.image_io import write_rgb
    folder = tmp_path / "data" / "clip"
    folder.mkdir(parents=True)
    write_rgb(str(folder / "0.png"), calendar_frame(0, 8, 8))
    usage = shutil.disk_usage(tmp_path)._replace(free=8 * 8 * 3 - 1)
    monkeypatch.setattr(frame_cache.shutil, "disk_usage", lambda path: usage)
    reports = []
    with pytest.raises(UserError, match="is full: decoding 1 sequence") as refused:
        frame_cache.cached_frames([Sequence("clip", str(folder), [str(folder / "0.png")])], [(8, 8)],
                                  str(tmp_path / "cache"), read_frame, report=reports.append, show_progress=False)
    needed, free = sizes_in_bytes(reports[0])
    assert needed >= 8 * 8 * 3 > free and sizes_in_bytes(str(refused.value))[0] == needed


# Eighteenth pass, second look at train.py's checkpoints, records, stops and TensorBoard

def board_resumed_after_a_killed_run(tmp_path):
    """The TensorBoard writer of a run resumed from iteration 2 into tmp_path, where a killed run had written the events
    of iterations 1 to 6 (its file named by an earlier second's time, as TensorBoard orders them)."""
    from training.loss_log import TensorBoardScalars
    killed = TensorBoardScalars(str(tmp_path), 0)
    for iteration in range(1, 7):
        killed.add(iteration, {"loss": float(iteration)})
    killed.close()
    os.rename(killed.path, tmp_path / "tensorboard" / "events.out.tfevents.1000000000.host")  # an earlier second's
    return TensorBoardScalars(str(tmp_path), 2)


@pytest.mark.parametrize("spilled", [False, True], ids=["empty copy", "copy of a full buffer"])
def test_tensorboard_s_events_file_replaced_by_a_copy_before_a_flush_shows_each_event_once(tmp_path, spilled):
    """A resumed run's events file replaced by a copy before the flush wrote it (tensorboard/ moved to another disk and
    linked back in a run's first minutes): the copy was empty, without this run's session start, and TensorBoard showed
    the events a killed run left past the checkpoint beside this run's; or a full buffer (a picture's events) had
    written some events into the copy, and TensorBoard showed them twice."""
    from training_data import event_scalars
    board = board_resumed_after_a_killed_run(tmp_path)
    board.add(3, {"loss": 30.0})
    if spilled:
        board.add_image("picture", np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8), 3)
        assert os.path.getsize(board.path) > 0
    replace_by_a_copy(board.path)
    board.add(4, {"loss": 40.0})
    board.flush()
    board.add(5, {"loss": 50.0})
    board.close()
    assert event_scalars(tmp_path / "tensorboard")["loss"] == [(1, 1.0), (2, 2.0), (3, 30.0), (4, 40.0), (5, 50.0)]


def test_tensorboard_goes_on_where_a_folder_above_a_relative_output_folder_is_renamed_mid_run(tmp_path, monkeypatch):
    """--output_dir given relative, and a folder above it renamed while the run trains ('mv experiments
    experiments-old'): the run goes on in it through the relative paths, but TensorBoard's writer held the absolute
    path, gone: the next flush ended the run with "its folder was removed or moved", which trains on without
    TensorBoard."""
    from training.loss_log import LossLog, TensorBoardScalars
    from training_data import event_scalars
    (tmp_path / "experiments" / "run").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "experiments")
    board, log = TensorBoardScalars("run", 0), LossLog("run", 0)
    board.add(1, {"loss": 1.0})
    board.flush()
    os.rename(tmp_path / "experiments", tmp_path / "experiments-old")
    board.add(2, {"loss": 2.0})
    log.add(2, {"content_loss": 2.0})
    log.write(plot=False)
    board.close()
    assert event_scalars(tmp_path / "experiments-old" / "run" / "tensorboard")["loss"] == [(1, 1.0), (2, 2.0)]


@pytest.mark.parametrize("replaced", [True, False], ids=["replaced by another run's folder", "moved away"])
def test_an_output_folder_moved_during_a_validation_gets_nothing_written_in_its_place(tmp_path, replaced):
    """The output folder moved away during a validation (minutes on long clips), another run's folder put in its place
    or none: the validation wrote its picture there, and the model_best.h5 of a better model from the model_param file
    it read there (a FileNotFoundError traceback where it is not there, another run's file where it is), before
    val.csv's write said the folder was another; moved away, os.makedirs made it again for the picture."""
    from training.validation import BEST_MODEL, Validation
    output_dir = tmp_path / "run"
    output_dir.mkdir()
    model_path = output_dir / "model_param_00000002.h5"
    model_path.write_bytes(b"this run's model")
    validation = Validation([], str(output_dir), 0, "psnr", "cpu")

    def moved_while_resolving(model_path):
        os.rename(output_dir, tmp_path / "run.old")
        if replaced:
            output_dir.mkdir()
            (output_dir / model_path.rsplit(os.sep, 1)[-1]).write_bytes(b"another run's model")
            (output_dir / BEST_MODEL).write_bytes(b"another run's best model")
        return []
    validation.super_resolve = moved_while_resolving
    validation.score = lambda outputs: {column: 30.0 for column in validation.columns}
    validation.picture = lambda outputs, iteration: np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(UserError, match=r"^cannot write '.*run/validation'"):
        validation.run(2, str(model_path))
    if replaced:
        assert sorted(os.listdir(output_dir)) == [BEST_MODEL, "model_param_00000002.h5"]
        assert (output_dir / BEST_MODEL).read_bytes() == b"another run's best model"
    else:
        assert not output_dir.exists()


@pytest.mark.parametrize("tensorboard", ["false", "true"])
def test_an_output_folder_replaced_during_the_start_up_is_one_line_and_not_trained_into(tmp_path, monkeypatch, capsys,
                                                                                       tensorboard):
    """The output folder moved away and another put in its place after the run locked it, while the graph was built
    (or a checkpoint loaded: minutes for a large model): the writers took the folder's identity after that, so the run
    trained into the new folder, unlocked, its checkpoints there, exit code 0."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    real_build = train.build_training

    def replaced_while_built(*args):
        os.rename(output_dir, tmp_path / "run.old")
        output_dir.mkdir()
        (output_dir / "notes.txt").write_text("another folder's")
        return real_build(*args)
    monkeypatch.setattr(train, "build_training", replaced_while_built)
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{
        "train.max_iter": 2, "train.tensorboard": tensorboard}), capsys)
    assert line.startswith(
        f"error: the output folder '{output_dir}' is another folder than the one this run started in")
    assert os.listdir(output_dir) == ["notes.txt"]


def test_tensorboard_s_events_file_emptied_in_place_mid_run_keeps_the_events_after(tmp_path):
    """The events file emptied in place while the run trains (': > events...', to clear the curves): its identity the
    same, the run's handle wrote on at its offset after a hole of zeros, and TensorBoard read none of the file's events,
    silently, to the end of the run. Now the flush tells it by the file's first bytes and makes a new file."""
    from training.loss_log import TensorBoardScalars
    from training_data import event_scalars
    board = TensorBoardScalars(str(tmp_path), 0)
    board.add(1, {"loss": 1.0})
    board.flush()
    emptied = board.path
    os.truncate(emptied, 0)
    board.add(2, {"loss": 2.0})
    board.flush()
    board.add(3, {"loss": 3.0})
    board.close()
    with open(emptied, "rb") as file:
        assert file.read(8) == bytes(8)  # the hole: tests' reader would take it for records of length 0
    os.remove(emptied)
    assert event_scalars(tmp_path / "tensorboard")["loss"] == [(2, 2.0), (3, 3.0)]


def test_a_loss_log_holding_a_nul_byte_names_the_line_that_holds_it(tmp_path):
    """A NUL byte in losses.csv's third line: the line said was the second, which csv had read whole."""
    from training.loss_log import LossLog
    (tmp_path / "losses.csv").write_bytes(b"iteration,content_loss\n1,0.5\n2,0.4\x00\n3,0.3\n")
    with pytest.raises(UserError, match=r"'.*losses\.csv' line 3 is not a row of numbers"):
        LossLog(str(tmp_path), 3)


def test_a_loss_log_without_an_iteration_column_after_blank_lines_names_its_header_s_line(tmp_path):
    """A header of other columns on line 3 (two blank lines before it): the line said was 1, a blank line."""
    from training.loss_log import LossLog
    (tmp_path / "losses.csv").write_bytes(b"\n\nstep,content_loss\n1,0.5\n")
    with pytest.raises(UserError, match=r"'.*losses\.csv' line 3 is not a header naming a column 'iteration'"):
        LossLog(str(tmp_path), 3)


# Eighteenth pass, third look at the eighteenth pass's training-data fixes
@pytest.mark.parametrize("other", ["0002.xbm", "0002.y", "0002.im24", "0002.pix", "0002.jpx", "0002.CR2"])
def test_a_frame_in_another_format_ffmpeg_pillow_or_a_camera_writes_among_the_frames_is_one_line(tmp_path, other):
    """'0002.xbm', '0002.y', '0002.im24', '0002.pix' (FFmpeg's image2 muxer writes each: `ffmpeg -i clip.mp4
    %04d.xbm`, though the second look took its list for all), '0002.jpx' (JPEG 2000 as Pillow writes it) and
    '0002.CR2' (a camera's raw beside its JPEGs) among '0001.png', '0003.png': left out without a word, and the frames
    either side of it trained on as consecutive, exit code 0."""
    from datasets.sequences import folder_sequences
    from hostile import PICTURE_IN_A_GAP, sequence_beside_a_picture
    root, picture = sequence_beside_a_picture(tmp_path, ["0001.png", "0003.png"], other)
    with pytest.raises(UserError, match=rf"^'{re.escape(picture)}' {PICTURE_IN_A_GAP}"):
        folder_sequences(root)


@pytest.mark.parametrize("frame, copy", [("caf\u00e9001", "cafe\u0301001 2"), ("cafe\u0301001", "caf\u00e9001 2")],
                         ids=["a decomposed copy of a composed name", "a composed copy of a decomposed name"])
def test_a_copy_of_a_frame_named_in_the_other_unicode_form_is_one_line(tmp_path, frame, copy):
    """'café001 2.png' in decomposed form (macOS's copy, the accent a combining character) beside 'café001.png' in
    composed form (and the other way round): the copy's name cut before its ending was compared with the frames' as
    it was spelled, no frame's, so it was trained on as frame 12, exit code 0."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_beside_a_picture
    names = [f"{frame}.png", f"{frame[:-1]}2.png"]
    root, picture = sequence_beside_a_picture(tmp_path, names, f"{copy}.png")
    with pytest.raises(UserError, match=rf"^'{re.escape(picture)}' is named as a copy of "
                                        rf"'{re.escape(os.path.join(root, 's', names[0]))}'"):
        folder_sequences(root)


@pytest.mark.parametrize("where, listed, kind", [
    ("train", "000", "link"), ("val", "241", "link"), ("train/train_sharp/000", "000", "file"),
    ("val/val_sharp", "241", "file")],
    ids=["train linked to nothing", "val linked to nothing", "a sequence a file", "val_sharp a file"])
def test_a_reds_folder_above_a_part_linked_to_nothing_or_a_file_in_a_folders_place_is_named_so(tmp_path, where,
                                                                                              listed, kind):
    """'train' or 'val' (above the part folders the second look checked) linked in from a disk not mounted: "not a REDS
    folder", or the sequence "lacking, run download_test_data.py --reds again", which skips the zip as done. A file in
    the place of a sequence's folder, or of val_sharp's: called lacking so too, and the download fetched the zip again
    only to refuse to unpack it over the file."""
    from datasets import reds
    (tmp_path / "train" / "train_sharp" / "001").mkdir(parents=True)
    for index in range(reds.FRAMES_PER_SEQUENCE):
        (tmp_path / "train" / "train_sharp" / "001" / reds.frame_name(index)).touch()
    if where == "train":
        shutil.rmtree(tmp_path / "train")
    (tmp_path / where).parent.mkdir(parents=True, exist_ok=True)
    if kind == "link":
        os.symlink(tmp_path / "unmounted", tmp_path / where)
    else:
        (tmp_path / where).write_bytes(b"")
    (tmp_path / "list.txt").write_text(f"{listed}\n")
    problem = (r"is a symbolic link to nothing .*; mount its disk or remove the link" if kind == "link" else
               r"is a file, not a folder; move it away, then run download_test_data.py --reds again")
    with pytest.raises(UserError, match=rf"^'{re.escape(str(tmp_path / where))}', where REDS.* (lies|lie), {problem}$"):
        reds.training_sequences(str(tmp_path), str(tmp_path / "list.txt"))


@pytest.mark.parametrize("bin_folder", ["#recycle/old", "@Recycle/old", "RECYCLER/S-1-5-21-1004336348-1001"])
def test_a_nas_shares_or_windows_xps_recycle_bin_is_no_group_of_sequences(tmp_path, bin_folder):
    """Training on the top folder of a NAS share: Synology's '#recycle' (QNAP's '@Recycle') keeps the sequences deleted
    from it in their folders ('#recycle/old/0000.png'), and was read as a group folder, the deleted sequence trained on,
    exit code 0; so was Windows XP's recycle bin on a drive ('RECYCLER/<user's SID>/Dc1.png', the deleted pictures)."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "share", {"s": 3}, sizes={"s": (8, 8)})
    shutil.copytree(os.path.join(root, "s"), os.path.join(root, bin_folder))
    assert [sequence.name for sequence in folder_sequences(root)] == ["s"]


# Eighteenth pass, third look at the eighteenth pass's tile, memory and size fixes

def test_the_batches_a_loader_holds_past_the_machine_memory_are_said_as_more_than_it(monkeypatch):
    """Six batches of 1.33335 GB on a machine of 8 GB: the batch rounded to the nearest was "1.33 GB a batch, and the
    loader holds 6 per process (1 on this machine): more than its 8.00 GB of memory", six of them 7.98 GB."""
    import data_loader
    from hostile import sizes_in_bytes
    memory, page, rnn_n, tar_size = 8 * 2 ** 30, 4096, 10, 32
    monkeypatch.setattr(data_loader.os, "sysconf", {"SC_PAGE_SIZE": page, "SC_PHYS_PAGES": memory // page}.get)
    monkeypatch.setattr(data_loader, "local_size", lambda: 1)
    per_sample = 4 * rnn_n * tar_size ** 2 * 3
    held = data_loader.PREFETCH_DEPTH + 2
    batch_size = memory // (held * per_sample) + 1  # the least batch the loaders cannot hold
    with pytest.raises(UserError, match="of memory; lower train.batch_size$") as refused:
        data_loader.check_batch_memory(batch_size, rnn_n, tar_size)
    batch, said_memory = sizes_in_bytes(str(refused.value))
    assert held * batch > said_memory


def test_a_frame_cache_that_fits_its_disk_names_no_less_room_than_it_needs(tmp_path, monkeypatch):
    """One 8x8 frame (192 bytes) to decode beside 192 bytes free, which the cache decodes: "decoding 1 sequence(s),
    0.2 kB, ... (0.1 kB free)", the need rounded up and the room down, a need said past the room it fits in."""
    import shutil
    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import Sequence
    from hostile import sizes_in_bytes
    from training_data import calendar_frame
    from utils.image_io import write_rgb
    folder = tmp_path / "data" / "clip"
    folder.mkdir(parents=True)
    write_rgb(str(folder / "0.png"), calendar_frame(0, 8, 8))
    usage = shutil.disk_usage(tmp_path)._replace(free=8 * 8 * 3)
    monkeypatch.setattr(frame_cache.shutil, "disk_usage", lambda path: usage)
    reports = []
    frame_cache.cached_frames([Sequence("clip", str(folder), [str(folder / "0.png")])], [(8, 8)],
                              str(tmp_path / "cache"), read_frame, report=reports.append, show_progress=False)
    needed, free = sizes_in_bytes(reports[0])
    assert needed <= free


# Eighteenth pass, third look at the eighteenth pass's training fixes

@pytest.mark.parametrize("text", [
    "iteration, content_loss\n1, 0.5\n2, 0.4\n",
    "iteration ,content_loss\n1 ,0.5\n2 ,0.4\n",
    "iteration,\tcontent_loss\n1,\t0.5\n2,\t0.4\n",
    "iteration,content_loss   \n1,0.5\n2,0.4\n",
    "iteration,\u00a0content_loss\n1,\u00a00.5\n2,0.4\n",
], ids=["a space after each comma", "aligned by spaces before the commas", "a tab after each comma", "spaces ending the header",
        "a no-break space after a comma"])
def test_a_loss_log_whose_column_names_are_padded_resumes_in_its_own_columns(tmp_path, text):
    """losses.csv written back with a space after each comma ('iteration, content_loss', as hand edits write: its
    columns were read as ' content_loss', the resumed run's rows going on in another column, the second look's), or
    edited with its columns aligned ('iteration ,'), a tab or a no-break space after a comma, or spaces ending its
    header: the aligned one was refused as its first row's fault ('line 2 is not a row of numbers'), the others
    named another column than this run's, its rows going on beside it, the curves split in two."""
    assert loss_log_resumed(tmp_path, text) == [["iteration", "content_loss"], ["1", "0.5"], ["2", "0.4"],
                                                ["3", "0.3"]]


def test_a_loss_log_with_an_unclosed_quote_names_the_line_that_opens_it(tmp_path):
    """A quote left open in losses.csv's third line took the lines after it into its row: the line said was the
    file's last, which holds nothing wrong."""
    from training.loss_log import LossLog
    (tmp_path / "losses.csv").write_text('iteration,content_loss\n1,0.5\n2,"0.4\n3,0.3\n4,0.2\n')
    with pytest.raises(UserError, match=r"'.*losses\.csv' line 3 is not a row of numbers"):
        LossLog(str(tmp_path), 4)


def test_tensorboard_s_events_file_cut_short_in_place_mid_run_keeps_the_events_after(tmp_path):
    """The events file cut short in place while the run trains ('truncate -s', to drop the last curves' points): its
    first bytes the same, the run's handle wrote on at its offset after a hole of zeros, and TensorBoard read none of
    the events after the cut, silently, to the end of the run."""
    from training.loss_log import TensorBoardScalars
    from training_data import event_scalars
    board = TensorBoardScalars(str(tmp_path), 0)
    for iteration in range(1, 4):
        board.add(iteration, {"loss": float(iteration)})
    board.flush()
    cut = board.path
    os.truncate(cut, os.path.getsize(cut) // 2)
    board.add(4, {"loss": 4.0})
    board.flush()
    board.add(5, {"loss": 5.0})
    board.close()
    os.remove(cut)  # the cut one: the events before the cut, and a hole after it (the old code's writes past it)
    assert event_scalars(tmp_path / "tensorboard")["loss"] == [(4, 4.0), (5, 5.0)]


def test_an_output_folder_replaced_during_a_resume_s_start_up_is_said_so(tmp_path, monkeypatch, capsys):
    """The output folder moved away and another put in its place while a resume built its graph: the checkpoint's load
    met the files gone, and the line said a run training in that folder had deleted them (pruning), not that the
    folder was another."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    real_build = train.build_training

    def replaced_while_built(*args):
        os.rename(output_dir, tmp_path / "run.old")
        output_dir.mkdir()
        return real_build(*args)
    monkeypatch.setattr(train, "build_training", replaced_while_built)
    capsys.readouterr()
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}), capsys)
    assert line.startswith(
        f"error: the output folder '{output_dir}' is another folder than the one this run started in")
    assert "checkpoint_00000002.json" in os.listdir(tmp_path / "run.old")


def _validation_of_one_model(tmp_path, while_resolving):
    """A Validation of run/model_param_00000002.h5 whose super-resolution calls while_resolving(output_dir) and scores
    a better model than any before; returns (validation, output_dir, model_path)."""
    from training.validation import Validation
    output_dir = tmp_path / "run"
    output_dir.mkdir()
    model_path = output_dir / "model_param_00000002.h5"
    model_path.write_bytes(b"this run's model")
    validation = Validation([], str(output_dir), 0, "psnr", "cpu")
    validation.super_resolve = lambda path: while_resolving(output_dir) or []
    validation.score = lambda outputs: {column: 30.0 for column in validation.columns}
    validation.picture = lambda outputs, iteration: np.zeros((8, 8, 3), np.uint8)
    return validation, output_dir, model_path


def test_a_model_param_file_removed_during_its_validation_is_still_the_best_model(tmp_path):
    """The model_param file being validated removed meanwhile (old ones deleted to free the disk: train.py keeps them
    all): model_best.h5's copy of it was a FileNotFoundError traceback, exit code 1."""
    from training.validation import BEST_MODEL
    validation, output_dir, model_path = _validation_of_one_model(
        tmp_path, lambda output_dir: os.remove(output_dir / "model_param_00000002.h5"))
    validation.run(2, str(model_path))
    assert (output_dir / BEST_MODEL).read_bytes() == b"this run's model"


@pytest.mark.parametrize("made", ["a file", "a link to nothing"])
def test_the_validation_pictures_folder_become_a_file_or_a_link_to_nothing_is_said_so(tmp_path, made):
    """validation/ replaced by a file or a link to nothing while the run trained: the picture's write said "its folder
    was removed or moved while this ran", a folder there was none of."""
    def replaced(output_dir):
        if made == "a file":
            (output_dir / "validation").write_text("notes")
        else:
            os.symlink(tmp_path / "nowhere", output_dir / "validation")
    validation, output_dir, model_path = _validation_of_one_model(tmp_path, replaced)
    with pytest.raises(UserError, match="^'.*run/validation' is " + ("a file" if made == "a file" else
                                                                    "a symbolic link to '.*nowhere', which leads")):
        validation.run(2, str(model_path))


def test_an_output_folder_moved_away_during_the_start_up_is_said_before_training(tmp_path, monkeypatch, capsys):
    """The output folder moved away while the run built its graph, none put in its place: the run trained on until its
    first checkpoint's write said it (hours, with train.save_freq's default on a large model), those iterations
    lost."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    real_build, trained = train.build_training, []

    def moved_while_built(*args):
        os.rename(output_dir, tmp_path / "run.old")
        return real_build(*args)
    monkeypatch.setattr(train, "build_training", moved_while_built)
    monkeypatch.setattr(train, "save_checkpoint", lambda *args, **kwargs: trained.append(args))
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}), capsys)
    assert line == f"error: the output folder '{output_dir}' was removed or moved while this run started; restore it " \
        "(or choose another output) and run again"
    assert not trained and not output_dir.exists()


@pytest.mark.parametrize("text", ["iteration,content_loss,warp_loss\n1,0.5\n2,0.4,0.1\n",
                                  "iteration,content_loss\n1,0.5,\n2,0.4\n"],
                         ids=["a row without its last cell", "a row with an empty cell past the header's"])
def test_a_loss_log_row_of_another_number_of_empty_cells_resumes(tmp_path, text):
    """A row of losses.csv without its last, empty cell, or with an empty one past the header's (a spreadsheet's cell
    touched and cleared): a missing cell was refused as 'not a row of numbers' where an empty one is a column that row
    did not write."""
    from training.loss_log import LossLog
    (tmp_path / "losses.csv").write_text(text)
    log = LossLog(str(tmp_path), 2)
    assert [row["content_loss"] for row in log.rows] == [0.5, 0.4]


# Nineteenth pass, second look at the training data, sequence folders and REDS layouts
@pytest.mark.parametrize("other", ["0002.rgb", "0002.xcf", "0002.kra", "0002.iff", "0002.GPR"])
def test_a_frame_in_a_renderer_s_an_editor_s_or_a_camera_s_own_format_among_the_frames_is_one_line(tmp_path, other):
    """'0002.rgb' (Blender's Iris output), '0002.xcf' (GIMP's own, as a retouched frame is saved), '0002.kra'
    (Krita's), '0002.iff' (Maya's render) and '0002.GPR' (GoPro's raw, beside a time-lapse's JPEGs) among '0001.png',
    '0003.png': left out without a word, and the frames either side of it trained on as consecutive, exit code 0."""
    from datasets.sequences import folder_sequences
    from hostile import PICTURE_IN_A_GAP, sequence_beside_a_picture
    root, picture = sequence_beside_a_picture(tmp_path, ["0001.png", "0003.png"], other)
    with pytest.raises(UserError, match=rf"^'{re.escape(picture)}' {PICTURE_IN_A_GAP}"):
        folder_sequences(root)


@pytest.mark.parametrize("gone", ["a frame", "a sequence's folder"])
def test_a_frame_gone_while_the_frame_cache_waits_for_another_run_s_build_is_one_line(tmp_path, gone):
    """A run waiting for another's frame-cache build (its lock), while a frame of its sequences was removed or a
    sequence's folder moved away: FileNotFoundError's traceback when the wait ended."""
    import fcntl
    from data_loader import read_frame
    from datasets.frame_cache import LOCK_FILE, cached_frames
    from datasets.sequences import folder_sequences, frame_size
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"a": 3, "b": 3}, sizes={"a": (8, 8), "b": (8, 8)})
    sequences = folder_sequences(root)
    sizes = [frame_size(sequence, "sequences") for sequence in sequences]
    cache = tmp_path / "cache"
    cache.mkdir()
    other_build = open(cache / LOCK_FILE, "a+")
    fcntl.flock(other_build, fcntl.LOCK_EX)
    missing = sequences[0].frames[1] if gone == "a frame" else sequences[1].frames[0]

    def meanwhile(line):  # said before the wait: the frame goes, then the other build ends
        if "waiting" in line:
            if gone == "a frame":
                os.remove(missing)
            else:
                shutil.move(os.path.join(root, "b"), tmp_path / "moved")
            fcntl.flock(other_build, fcntl.LOCK_UN)

    with other_build, pytest.raises(UserError, match=rf"^cannot read image '{re.escape(missing)}': it is gone, "):
        cached_frames(sequences, sizes, str(cache), read_frame, report=meanwhile, show_progress=False)


def test_links_to_frames_pointed_at_each_other_s_are_decoded_again_by_the_frame_cache(tmp_path):
    """A sequence of links into a folder of BMP frames of one size and one modification time (unpacked from one zip),
    two of them pointed at each other's frame after the frame cache decoded them: the frames' status-change times,
    set within one tick of the system's clock, were one, the entry's record still matched, and training read them in
    the old order, exit code 0. Skipped where no two files made at once share a status-change time."""
    import cv2
    from hostile import cached_and_read
    pool, folder = tmp_path / "pool", tmp_path / "data" / "s"
    pool.mkdir()
    folder.mkdir(parents=True)
    encoded = [cv2.imencode(".bmp", np.full((8, 8, 3), value, np.uint8))[1].tobytes() for value in (0, 100, 200)]
    pair = None
    for attempt in range(50):  # frames given their times at once (as unzip does), until two status-change times are one
        names = [f"{attempt}_{index}.bmp" for index in range(3)]
        for name, data in zip(names, encoded):
            (pool / name).write_bytes(data)
        for name in names:
            os.utime(pool / name, ns=(10 ** 18, 10 ** 18))
        if os.stat(pool / names[1]).st_ctime_ns == os.stat(pool / names[2]).st_ctime_ns:
            pair = names
            break
    if pair is None:
        pytest.skip("no two files made at once share a status-change time on this file system")
    for frame, name in zip(["0000.bmp", "0001.bmp", "0002.bmp"], pair):
        os.symlink(pool / name, folder / frame)

    cached, read = cached_and_read(tmp_path / "data", tmp_path / "cache")
    assert cached == read
    for frame, name in (("0001.bmp", pair[2]), ("0002.bmp", pair[1])):
        os.remove(folder / frame)
        os.symlink(pool / name, folder / frame)
    cached, read = cached_and_read(tmp_path / "data", tmp_path / "cache")
    assert cached == read


@pytest.mark.parametrize("rename, other", [
    (lambda name: name.replace(".png", ".jpg"), "00000000.jpg"),
    (lambda name: name.replace(".png", ".PNG"), "00000000.PNG"),
    (lambda name: name.replace("00000005.png", "00000005 (1).png"), "00000005 (1).png")],
    ids=["converted to JPEG", "renamed .PNG", "a frame's copy in its place"])
def test_a_reds_sequence_holding_its_frames_under_other_names_names_them(tmp_path, rename, other):
    """A REDS sequence whose frames were converted to JPEG, or renamed '.PNG', or whose frame 5 lies there as a copy
    ('00000005 (1).png') alone: it was said to lack them, "run download_test_data.py --reds again", which fetches the
    zips again (tens of GB) while the frames lay there under other names."""
    from datasets import reds
    from hostile import reds_training_sequence
    root, folder, sequence_list = reds_training_sequence(tmp_path)
    for name in os.listdir(folder):
        os.rename(os.path.join(folder, name), os.path.join(folder, rename(name)))
    with pytest.raises(UserError, match=rf"^REDS sequence 000 .* lacks .*; it holds pictures of other names "
                                        rf"\({re.escape(other)}.*: rename or convert them to those, or train on them "
                                        r"with data\.layout sequences$"):
        reds.training_sequences(root, sequence_list)


@pytest.mark.parametrize("change", ["moved away", "emptied"])
def test_a_sequence_folder_moved_or_emptied_while_training_lists_the_data_is_said_in_training_s_words(
        tmp_path, monkeypatch, change):
    """A sequence's folder moved away, or its frames moved out, after training found it among the sequences and before
    it listed its frames (a data set of thousands of sequences takes a while to list): "input folder '...' does not
    exist; pass a folder of LR frames", generate.py's words, where training reads HR frames from --input_video_dir."""
    from datasets import sequences as sequences_module
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"a": 3, "b": 3}, sizes={"a": (8, 8), "b": (8, 8)})
    found_then = sequences_module.folder_sequence_names

    def found_then_changed(folder):
        found = found_then(folder)
        shutil.move(os.path.join(root, "b"), tmp_path / "moved")
        if change == "emptied":
            os.mkdir(os.path.join(root, "b"))
        return found

    monkeypatch.setattr(sequences_module, "folder_sequence_names", found_then_changed)
    problem = "does not exist" if change == "moved away" else r"has no images \(.*\)"
    with pytest.raises(UserError, match=rf"^training sequence folder '{re.escape(os.path.join(root, 'b'))}' {problem}; "
                                        r"it was moved or emptied since training found it in --input_video_dir: "
                                        r"restore it, or run again$"):
        sequences_module.folder_sequences(root)


@pytest.mark.parametrize("recovered", ["FOUND.000/DIR0000.CHK", "found.017/DIR0003.CHK"])
def test_the_folders_chkdsk_recovers_on_a_fat_drive_are_no_group_of_sequences(tmp_path, recovered):
    """Training on the top folder of a FAT or exFAT drive (a camera's card, a USB disk) after Windows' chkdsk mended
    it: the folder it recovered, 'FOUND.000/DIR0000.CHK' holding a lost sequence's frames, was trained on as a
    sequence of a group folder, exit code 0, as lost+found is not. Folders named so but for their number ('FOUND.0001',
    'found') are still sequences."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "drive", {"s": 3, "FOUND.0001": 3}, sizes={"s": (8, 8),
                                                                                        "FOUND.0001": (8, 8)})
    shutil.copytree(os.path.join(root, "s"), os.path.join(root, recovered))
    assert [sequence.name for sequence in folder_sequences(root)] == ["FOUND.0001", "s"]


@pytest.mark.parametrize("moment", ["visible_subfolders", "listable"])
def test_a_sequence_folder_moved_away_while_training_lists_the_data_folder_is_said_so(tmp_path, monkeypatch, moment):
    """A sequence's folder moved away after training listed the data folder, before it looked inside (a data set of
    thousands of sequences takes a while to list): "cannot be listed (permission denied)", or FileNotFoundError's
    traceback."""
    from datasets import sequences as sequences_module
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"a": 3, "g/b": 3}, sizes={"a": (8, 8), "g/b": (8, 8)})
    looked_then = getattr(sequences_module, moment)

    def looked_then_moved(folder):
        looked = looked_then(folder)
        if os.path.isdir(os.path.join(root, "a")) and folder in (root, os.path.join(root, "a")):
            shutil.move(os.path.join(root, "a"), tmp_path / "moved")
        return looked

    monkeypatch.setattr(sequences_module, moment, looked_then_moved)
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(root, 'a'))}' was moved or removed while training "
                                        r"listed --input_video_dir; restore it, or run again$"):
        sequences_module.folder_sequences(root)


# Nineteenth pass, second look at train.py's checkpoints, records, stops and TensorBoard

@pytest.mark.parametrize("header", ["iteration,content_loss,content_loss", "iteration,content_loss,iteration"],
                         ids=["a loss's column twice", "the iteration column twice"])
def test_a_loss_log_naming_a_column_twice_is_one_line_and_left_as_it_is(tmp_path, header):
    """A header naming a column twice (two logs' columns pasted side by side): a row kept the last column of the name,
    the other's values dropped and the file written back without them; a second 'iteration' column dropped every row
    as past the checkpoint."""
    from training.loss_log import LossLog
    text = f"{header}\n1,0.5,0.6\n2,0.4,0.3\n"
    (tmp_path / "losses.csv").write_text(text)
    repeated = header.rsplit(",", 1)[-1]
    with pytest.raises(UserError, match=rf"'.*losses\.csv' line 1 names the column '{repeated}' twice"):
        LossLog(str(tmp_path), 2)
    assert (tmp_path / "losses.csv").read_text() == text


@pytest.mark.parametrize("row", ["1_0,0.5", "1,0_5"], ids=["an iteration", "a loss"])
def test_a_loss_log_number_holding_an_underscore_is_refused_naming_its_line(tmp_path, row):
    """A '_' in a number of losses.csv (a slip in a hand edit): int() and float() read it as digits' grouping, an
    iteration '1_0' as 10 (its row dropped as past the checkpoint, silently), a loss '0_5' as 5.0."""
    from training.loss_log import LossLog
    (tmp_path / "losses.csv").write_text(f"iteration,content_loss\n2,0.4\n{row}\n")
    with pytest.raises(UserError, match=r"'.*losses\.csv' line 3 is not a row of numbers"):
        LossLog(str(tmp_path), 2)


@pytest.mark.parametrize("name", ["\u200bcontent_loss", "\ufeffcontent_loss"],
                         ids=["a zero-width space", "a byte-order mark"])
def test_a_loss_log_column_name_with_an_invisible_character_resumes_in_its_own_column(tmp_path, name):
    """A column's name with a zero-width space before it (pasted from a web page) or a byte-order mark (a file whose
    first column's name held a second one, utf-8-sig dropping the first): it named another column than this run's,
    the resumed rows going on beside it, the curves split in two."""
    assert loss_log_resumed(tmp_path, f"iteration,{name}\n1,0.5\n2,0.4\n") == [
        ["iteration", "content_loss"], ["1", "0.5"], ["2", "0.4"], ["3", "0.3"]]


@pytest.mark.parametrize("empty", [",,", "   ", '"",""'], ids=["a spreadsheet's empty row", "a line of spaces",
                                                              "quoted empty cells"])
def test_a_loss_log_row_of_empty_cells_is_a_blank_line(tmp_path, empty):
    """A row of empty cells between and after the rows (a spreadsheet writes a sheet's empty or formatted rows so), or
    a line of spaces: refused as 'not a row of numbers', where a blank line is taken."""
    from training.loss_log import LossLog
    (tmp_path / "losses.csv").write_text(f"iteration,content_loss,warp_loss\n1,0.5,0.1\n{empty}\n2,0.4,0.1\n{empty}\n")
    log = LossLog(str(tmp_path), 2)
    assert [(row["iteration"], row["content_loss"]) for row in log.rows] == [(1, 0.5), (2, 0.4)]


@pytest.mark.parametrize("after", ["_plot", "flush"], ids=["losses.png's write", "a TensorBoard flush"])
def test_an_output_folder_replaced_after_the_loss_log_s_write_gets_no_checkpoint_over_another_run_s(
        tmp_path, monkeypatch, capsys, after):
    """The output folder replaced by another run's folder (of checkpoints of the same iterations) after losses.csv's
    write checked it, during losses.png's or a TensorBoard flush (or a validation, or the model's write: seconds to
    minutes): the model_param file and the checkpoint of that iteration were written over the other run's, and the
    pruning deleted its older checkpoints, before the next write of losses.csv said the folder was another."""
    import train
    from training.loss_log import LossLog, TensorBoardScalars
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir, other = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run", tmp_path / "other"
    train.main(tiny_training_flags(scenes, other, **{"train.max_iter": 2, "train.save_freq": 1, "train.seed": 9}))
    kept = {name: (other / name).read_bytes() for name in os.listdir(other) if (other / name).is_file()}
    owner = LossLog if after == "_plot" else TensorBoardScalars
    real = getattr(owner, after)

    def replaced_after(*args, **kwargs):
        real(*args, **kwargs)
        if not (tmp_path / "run.old").exists():
            os.rename(output_dir, tmp_path / "run.old")
            shutil.copytree(other, output_dir)
    monkeypatch.setattr(owner, after, replaced_after)
    capsys.readouterr()
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{
        "train.max_iter": 4, "train.tensorboard": "true"}), capsys)
    assert f"the output folder '{output_dir}' is another folder than the one this run started in" in line
    assert {name: (output_dir / name).read_bytes() for name in kept} == kept


# Nineteenth pass, third look at the nineteenth pass's training-data fixes
@pytest.mark.parametrize("named", ["Found.001", "FOUND.000", "found.017/shot"])
def test_a_sequence_or_group_folder_of_the_user_s_named_as_chkdsk_s_is_trained_on(tmp_path, named):
    """A sequence folder named 'Found.001' (Blender's name of a copy of 'Found') or 'FOUND.000', holding its frames, or
    a group folder so named holding a sequence: left out without a word as chkdsk's FOUND.NNN, exit code 0 (the only
    sequence there was "holds no sequence folder"). chkdsk's own hold what it names DIRNNNN.CHK and FILENNNN.CHK."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"s": 3, named: 3}, sizes={"s": (8, 8), named: (8, 8)})
    shutil.copytree(os.path.join(root, "s"), os.path.join(root, "FOUND.002", "DIR0000.CHK"))
    assert [sequence.name for sequence in folder_sequences(root)] == [named, "s"]


@pytest.mark.parametrize("recovered, listed", [
    ("FOUND.000/DIR0000.CHK", "FOUND.000/DIR0000.CHK"), ("lost+found/#1234", "lost+found/#1234"),
    ("$RECYCLE.BIN/S-1-5-21/clip", "$RECYCLE.BIN/S-1-5-21/clip"), ("FOUND.001/DIR0000.CHK", "FOUND.001")])
def test_a_listed_sequence_in_a_folder_a_drive_keeps_is_said_to_lie_there(tmp_path, recovered, listed):
    """data.sequence_list naming a folder of frames in chkdsk's FOUND.000, lost+found or a recycle bin (a sequence to
    recover), or chkdsk's folder itself: "is a folder there but no sequence (a hidden folder is none; a sequence's
    folder holds its frames, and a group folder's are named <group>/<sequence>)", none of which it was."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "drive", {"s": 3, recovered: 3}, sizes={"s": (8, 8), recovered: (8, 8)})
    (tmp_path / "list.txt").write_text(f"s\n{listed}\n")
    with pytest.raises(UserError, match=rf"; of those, {re.escape(listed)} is, or lies in, a folder a drive keeps for "
                                        r"itself \(.*\), whose folders are no sequences: move the sequence out of it"):
        folder_sequences(root, str(tmp_path / "list.txt"))


@pytest.mark.parametrize("beside", ["preview.jpg", "00000049 - Copy.png", "00000049.webp"])
def test_a_reds_sequence_cut_short_beside_a_picture_of_its_own_is_sent_to_the_download(tmp_path, beside):
    """A REDS sequence lacking its frames 50..99 (an unzip stopped, a disk full), beside a picture that is none of them
    (a preview, a copy or a conversion of frame 49): "it holds pictures of other names (preview.jpg) ...: rename or
    convert them to those", one picture for 50 frames, and not told to run the download again."""
    from datasets import reds
    from hostile import reds_training_sequence
    root, folder, sequence_list = reds_training_sequence(tmp_path)
    for name in sorted(os.listdir(folder))[50:]:
        os.remove(os.path.join(folder, name))
    shutil.copy(os.path.join(folder, "00000049.png"), os.path.join(folder, beside))
    with pytest.raises(UserError, match=r"^REDS sequence 000 .* lacks 50 of its 100 frames: .*; run "
                                        r"download_test_data\.py --reds again$"):
        reds.training_sequences(root, sequence_list)


@pytest.mark.parametrize("recovered", ["FOUND.000/DIR0000.CHK", "lost+found/#1234", "#recycle/clip"])
def test_a_drive_whose_only_sequence_lies_in_a_folder_it_keeps_says_so(tmp_path, recovered):
    """Training on a drive's top folder whose only sequence lies in chkdsk's FOUND.000, lost+found or a NAS's recycle
    bin: "holds no sequence folder ...; check --input_video_dir and data.layout", while the user saw one there."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "drive", {recovered: 3}, sizes={recovered: (8, 8)})
    drive_folder = recovered.split("/")[0]
    with pytest.raises(UserError, match=rf"holds no sequence folder .*; {re.escape(drive_folder)} is a folder a drive "
                                        r"keeps for itself \(.*\), whose folders are no sequences: move a sequence "
                                        r"out of it"):
        folder_sequences(root)


# Nineteenth pass, third look at the nineteenth pass's training fixes

def test_an_output_folder_replaced_during_a_validation_s_picture_gets_no_best_model_over_another_run_s(
        tmp_path, monkeypatch):
    """The output folder replaced by another run's folder while the validation wrote its picture (after the folder's
    check before it): a better model's model_best.h5 was written over the other run's, before val.csv's write said the
    folder was another."""
    import training.validation
    from training.validation import BEST_MODEL
    validation, output_dir, model_path = _validation_of_one_model(tmp_path, lambda output_dir: None)
    real = training.validation.write_rgb

    def replaced_after(path, picture):
        real(path, picture)
        os.rename(output_dir, tmp_path / "run.old")
        output_dir.mkdir()
        (output_dir / BEST_MODEL).write_bytes(b"another run's best model")
    monkeypatch.setattr(training.validation, "write_rgb", replaced_after)
    with pytest.raises(UserError, match=rf"^cannot write '.*run/{BEST_MODEL}': the output folder"):
        validation.run(2, str(model_path))
    assert (output_dir / BEST_MODEL).read_bytes() == b"another run's best model"


def test_an_output_folder_replaced_during_the_loss_log_s_write_gets_no_plot_over_another_run_s(tmp_path, monkeypatch):
    """The output folder replaced by another run's folder while losses.csv was written (after the folder's check
    before it): losses.png, the other run's curves, was replaced by this run's."""
    import training.loss_log
    from training.loss_log import LossLog
    output_dir = tmp_path / "run"
    output_dir.mkdir()
    log = LossLog(str(output_dir), 0)
    log.add(1, {"content_loss": 0.5})
    real = training.loss_log.write_bytes

    def replaced_after(path, data, mode):
        real(path, data, mode=mode)
        os.rename(output_dir, tmp_path / "run.old")
        output_dir.mkdir()
        (output_dir / "losses.png").write_bytes(b"another run's curves")
    monkeypatch.setattr(training.loss_log, "write_bytes", replaced_after)
    with pytest.raises(UserError, match=r"^cannot write '.*run/losses\.png': the output folder"):
        log.write()
    assert (output_dir / "losses.png").read_bytes() == b"another run's curves"


@pytest.mark.parametrize("name", ["content_loss\u3164", "content_loss\u034f", "\ufe0fcontent_loss",
                                  "\uffa0content_loss"],
                         ids=["a Hangul filler", "a combining grapheme joiner", "a variation selector",
                              "a half-width Hangul filler"])
def test_a_loss_log_column_name_with_an_invisible_letter_or_mark_resumes_in_its_own_column(tmp_path, name):
    """A column's name with an invisible character that is no format character (Unicode's default-ignorable letters and
    marks) at its end: it named another column than this run's, the resumed rows going on beside it, the curves split
    in two, as a zero-width space did."""
    assert loss_log_resumed(tmp_path, f"iteration,{name}\n1,0.5\n2,0.4\n") == [
        ["iteration", "content_loss"], ["1", "0.5"], ["2", "0.4"], ["3", "0.3"]]


def test_a_loss_log_number_under_a_column_without_a_name_is_kept(tmp_path):
    """Numbers in a column without a name where the header names another one so (a spreadsheet's header ending in
    empty cells, a column of notes typed beside the log): a row kept the last cell of the empty name, the number
    dropped from the file written back."""
    rows = loss_log_resumed(tmp_path, "iteration,content_loss,,\n1,0.5,7,\n2,0.4,8,\n")
    assert [row[:3] for row in rows][1:3] == [["1", "0.5", "7.0"], ["2", "0.4", "8.0"]]


def test_a_loss_log_row_holding_numbers_in_two_columns_without_a_name_is_one_line(tmp_path):
    """Numbers in two columns without a name in one row: one of them was dropped from the file written back."""
    from training.loss_log import LossLog
    text = "iteration,,content_loss,\n1,7,0.5,8\n"
    (tmp_path / "losses.csv").write_text(text)
    with pytest.raises(UserError, match=r"'.*losses\.csv' line 2 holds numbers in two columns without a name"):
        LossLog(str(tmp_path), 2)
    assert (tmp_path / "losses.csv").read_text() == text


def test_an_output_folder_replaced_while_a_checkpoint_of_another_folder_is_copied_in_gets_no_copy_over_another_run_s(
        tmp_path, monkeypatch, capsys):
    """The output folder replaced by another run's folder (of a checkpoint of the same iteration) while a run started
    with --checkpoint of another folder copied that checkpoint in (after the start-up's check of the folder): the
    copy's other files were written over the other run's checkpoint, whose JSON then named another run's states."""
    import train
    import training.checkpoint
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir, other = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run", tmp_path / "other"
    for folder, seed in ((tmp_path / "source", 3), (other, 5)):
        train.main(tiny_training_flags(scenes, folder, **{"train.max_iter": 2, "train.seed": seed}))
    kept = {name: (other / name).read_bytes() for name in os.listdir(other) if (other / name).is_file()}
    real = training.checkpoint.write_atomically

    def replaced_after(path, write):
        real(path, write)
        if not (tmp_path / "run.old").exists():
            os.rename(output_dir, tmp_path / "run.old")
            shutil.copytree(other, output_dir)
    monkeypatch.setattr(training.checkpoint, "write_atomically", replaced_after)
    capsys.readouterr()
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}) + [
        "--checkpoint", str(tmp_path / "source" / "checkpoint_00000002.json")], capsys)
    assert f"the output folder '{output_dir}' is another folder than the one this run started in" in line
    assert {name: (output_dir / name).read_bytes() for name in kept} == kept


# Nineteenth pass, fourth look at the nineteenth pass's training-data fixes
@pytest.mark.parametrize("kept", ["@eaDir/preview.png", "RECYCLED/Dc1", "Network Trash Folder/clip"])
def test_a_nas_s_thumbnails_and_other_systems_recycle_bins_are_no_sequences(tmp_path, kept):
    """Synology's thumbnails of a picture in the data folder ('@eaDir/preview.png/SYNOFILE_THUMB_M.jpg'), Windows XP's
    recycle bin on a FAT drive (holding its record INFO2), an AFP share's (netatalk's): each was trained on as a
    sequence, exit code 0 (or refused as one of frames of several sizes, the thumbnails' sizes), as lost+found and the
    other recycle bins are not. A sequence of the user's named 'recycled' is one."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"s": 3, kept: 3, "recycled": 3},
                                 sizes={"s": (8, 8), kept: (8, 8), "recycled": (8, 8)})
    if kept.startswith("RECYCLED"):
        (tmp_path / "data" / "RECYCLED" / "INFO2").write_bytes(b"\x05\x00\x00\x00")
    assert [sequence.name for sequence in folder_sequences(root)] == ["recycled", "s"]


@pytest.mark.parametrize("beside", ["00000050.webp", "00000050 (1).png"])
def test_a_reds_sequence_cut_short_beside_a_picture_of_one_missing_frame_is_also_sent_to_the_download(tmp_path, beside):
    """A REDS sequence lacking its frames 50..99 (an unzip stopped) beside a conversion or a copy of frame 50 alone:
    "rename or convert them to those", one picture for 50 frames, and the download that restores the other 49
    unsaid."""
    from datasets import reds
    from hostile import reds_training_sequence
    root, folder, sequence_list = reds_training_sequence(tmp_path)
    shutil.copy(os.path.join(folder, "00000050.png"), os.path.join(folder, beside))
    for index in range(50, 100):
        os.remove(os.path.join(folder, reds.frame_name(index)))
    with pytest.raises(UserError, match=rf"lacks 50 of its 100 frames: .*pictures of other names "
                                        rf"\({re.escape(beside)}\).*: rename or convert them to those, .*; for the "
                                        r"other 49 frames, run download_test_data\.py --reds again$"):
        reds.training_sequences(root, sequence_list)


@pytest.mark.parametrize("gone", ["removed", "moved"])
def test_the_frame_cache_folder_gone_while_a_run_waits_for_another_s_build_is_one_line(tmp_path, gone):
    """A run waiting for another's frame-cache build (its lock) while the cache folder was removed (to free its room,
    or to decode anew) or moved away: FileNotFoundError's traceback when the wait ended."""
    import fcntl
    from data_loader import read_frame
    from datasets.frame_cache import LOCK_FILE, cached_frames
    from datasets.sequences import folder_sequences, frame_size
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"a": 3}, sizes={"a": (8, 8)})
    sequences = folder_sequences(root)
    cache = tmp_path / "cache"
    cache.mkdir()
    other_build = open(cache / LOCK_FILE, "a+")
    fcntl.flock(other_build, fcntl.LOCK_EX)

    def meanwhile(line):  # said before the wait: the folder goes, then the other build ends
        if "waiting" in line:
            shutil.rmtree(cache) if gone == "removed" else os.rename(cache, tmp_path / "cache.old")
            fcntl.flock(other_build, fcntl.LOCK_UN)

    with other_build, pytest.raises(UserError, match=rf"^frame cache folder '{re.escape(str(cache))}', or its lock, "
                                                     r"was removed or moved while this run waited for another's "
                                                     r"build; run the same command again"):
        cached_frames(sequences, [frame_size(sequences[0], "sequences")], str(cache), read_frame, report=meanwhile,
                      show_progress=False)


# Nineteenth pass, fourth look at the nineteenth pass's training fixes

@pytest.mark.parametrize("name", ["note\u2764\ufe0f", "\u0d28\u0d4d\u200d", "\u8fbb\U000e0100", "\u2764\ufe0f"],
                         ids=["an emoji's selector", "a Malayalam chillu's joiner", "an ideograph's variant",
                              "an emoji alone"])
def test_a_loss_log_column_name_ending_in_a_selector_or_joiner_of_its_last_letter_is_written_back_as_it_was(
        tmp_path, name):
    """A column's name (a user's, beside the log) whose last letter beyond ASCII takes a variation selector or a
    zero-width joiner (an emoji's colour form, a chillu, an ideograph's variant): it lost them in the file written
    back, another letter drawn there, silently."""
    rows = loss_log_resumed(tmp_path, f"iteration,content_loss,{name}\n1,0.5,7\n2,0.4,8\n")
    assert rows[0] == ["iteration", "content_loss", name]
    assert [row[2] for row in rows[1:3]] == ["7.0", "8.0"]


def test_loss_log_column_names_told_apart_by_a_selector_of_their_last_letter_are_both_kept(tmp_path):
    """Two columns named by a symbol, one with its emoji selector: refused as a column named twice."""
    rows = loss_log_resumed(tmp_path, "iteration,content_loss,\u2764,\u2764\ufe0f\n1,0.5,7,9\n")
    assert rows[0] == ["iteration", "content_loss", "\u2764", "\u2764\ufe0f"]
    assert rows[1][2:] == ["7.0", "9.0"]


@pytest.mark.parametrize("earlier", [False, True], ids=["no record before", "an earlier start's record"])
def test_an_output_folder_replaced_during_the_graph_s_build_keeps_the_other_run_s_checkpoint_source_record(
        tmp_path, monkeypatch, capsys, earlier):
    """The output folder replaced by another run's (one started with --checkpoint of another folder, killed before its
    first checkpoint: its checkpoint_source.json the record its resume reads) while a run started with --checkpoint of
    another folder built its graph: the start-up's refusal took its record back in the other run's folder, removing
    that run's record (resumed, it trained from iteration 0) or writing this folder's earlier one over it."""
    import train
    from training.checkpoint import CHECKPOINT_SOURCE
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir, other = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run", tmp_path / "other"
    train.main(tiny_training_flags(scenes, tmp_path / "source", **{"train.max_iter": 2}))
    other.mkdir()
    record = json.dumps({"checkpoint": str(tmp_path / "source" / "checkpoint_00000002.json")})
    (other / CHECKPOINT_SOURCE).write_text(record)
    output_dir.mkdir()
    if earlier:
        (output_dir / CHECKPOINT_SOURCE).write_text(json.dumps({"checkpoint": str(tmp_path / "third.json")}))
    real = train.build_training

    def replaced_during(*args):
        built = real(*args)
        os.rename(output_dir, tmp_path / "run.old")
        os.rename(other, output_dir)
        return built
    monkeypatch.setattr(train, "build_training", replaced_during)
    capsys.readouterr()
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}) + [
        "--checkpoint", str(tmp_path / "source" / "checkpoint_00000002.json")], capsys)
    assert f"the output folder '{output_dir}' is another folder than the one this run started in" in line
    assert (output_dir / CHECKPOINT_SOURCE).read_text() == record


# Nineteenth pass, beside the probers: merging the looks

def test_a_sequence_list_of_one_long_line_is_refused_at_once(tmp_path):
    """A file of one line of megabytes given as data.sequence_list (a log, a file of another kind by mistake): the
    name was checked character by character for how a terminal shows it before it was cut short for the line, a wait
    growing with the line (a gigabyte: minutes); the second look at generate.py mended the same in the cuts files."""
    import time

    from datasets.sequences import folder_sequences
    from hostile import FRAMES
    (tmp_path / "data" / "a").mkdir(parents=True)
    shutil.copy(os.path.join(FRAMES, sorted(os.listdir(FRAMES))[0]), tmp_path / "data" / "a" / "0001.png")
    (tmp_path / "list.txt").write_text("b" * 8 * 2 ** 20)
    started = time.perf_counter()
    with pytest.raises(UserError, match=r"names 1 sequence that .* lacks: 'b{10,}\.\.\.b{10,}'; fix the list"):
        folder_sequences(str(tmp_path / "data"), str(tmp_path / "list.txt"))
    assert time.perf_counter() - started < 4


# Twentieth pass, second look at the training data, sequence folders and REDS layouts

@pytest.mark.parametrize("link, target, twice", [("current", ".", "current/a"), ("b", "a", "b"),
                                                 ("h", "g", "h/a")],
                         ids=["a link to the data folder", "a link to a sequence", "a link to a group folder"])
def test_a_sequence_folder_reached_twice_through_a_link_is_refused(tmp_path, link, target, twice):
    """A data folder holding a link to itself ('current' -> '.'), to a sequence or to a group folder beside it: the
    sequences were found again through the link and trained on twice, exit code 0. A list naming one of the two
    trains on it once."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    name = "g/a" if target == "g" else "a"
    root = make_sequence_folders(tmp_path / "data", {name: 2}, sizes={name: (8, 8)})
    os.symlink(target, os.path.join(root, link))
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(root, twice))}' is the sequence folder "
                                        rf"'{re.escape(os.path.join(root, name))}' again \(through a symbolic link\), "
                                        r"so its frames would be trained on twice; remove the link, .* or name the "
                                        r"sequences to use in data\.sequence_list$"):
        folder_sequences(root)
    (tmp_path / "list.txt").write_text(f"{twice}\n")
    assert [sequence.name for sequence in folder_sequences(root, str(tmp_path / "list.txt"))] == [twice]
    (tmp_path / "list.txt").write_text(f"{name}\n{twice}\n")
    with pytest.raises(UserError, match=r"would be trained on twice; .* or leave one of them out of the list$"):
        folder_sequences(root, str(tmp_path / "list.txt"))


def test_a_long_sequence_with_a_picture_of_another_format_of_each_frame_is_listed_at_once(tmp_path, monkeypatch):
    """A renderer's sequence of thousands of frames with an '.exr' of each beside its PNGs: the gap check took the
    frames' first and last number anew for each picture, a wait growing with the square of the frames (12,000 frames:
    two minutes, a listing at each run's start). Here 20,000 frames and the '.exr' of 2,000 of them (only their names
    are read: the frames need not be there, which keeps the test short); the frames' ends are taken once (counted, not
    timed: a count holds on a loaded machine)."""
    import builtins

    import utils.frame_names
    from utils.frame_names import no_picture_left_out
    ends_taken = []

    def counted(function):
        def taking(*args, **kwargs):
            if len(args) == 1 and isinstance(args[0], (set, frozenset, list)) and len(args[0]) > 1000:
                ends_taken.append(function.__name__)
            return function(*args, **kwargs)
        return taking

    monkeypatch.setattr(utils.frame_names, "min", counted(builtins.min), raising=False)
    monkeypatch.setattr(utils.frame_names, "max", counted(builtins.max), raising=False)
    frames = [str(tmp_path / f"{index:05d}.png") for index in range(20000)]
    for index in range(0, 20000, 10):
        (tmp_path / f"{index:05d}.exr").touch()
    assert no_picture_left_out(str(tmp_path), frames) == frames
    assert 1 <= len(ends_taken) <= 4, f"the frames' ends taken {len(ends_taken)} times for 2,000 pictures"


@pytest.mark.parametrize("other", ["0002.xpm", "0002.fits", "0002.ari", "0002.MRW", "0002.raw", "0002.vda"])
def test_a_frame_in_a_format_pillow_gimp_or_another_camera_saves_among_the_frames_is_one_line(tmp_path, other):
    """'0002.xpm' (GIMP's and Pillow's X11 pixmap), '0002.fits' (an astronomer's camera), '0002.ari' (ARRI's raw
    frame), '0002.MRW' (Minolta's raw), '0002.raw' (Leica's, Panasonic's) and '0002.vda' (Targa's other extension)
    among '0001.png', '0003.png': left out without a word, the frames either side of it trained on as consecutive,
    exit code 0."""
    from datasets.sequences import folder_sequences
    from hostile import PICTURE_IN_A_GAP, sequence_beside_a_picture
    root, picture = sequence_beside_a_picture(tmp_path, ["0001.png", "0003.png"], other)
    with pytest.raises(UserError, match=rf"^'{re.escape(picture)}' {PICTURE_IN_A_GAP}"):
        folder_sequences(root)


def test_a_copy_of_a_frame_named_by_a_word_before_its_name_is_one_line(tmp_path):
    """Windows XP's second copy of a frame, 'Copy (2) of f001.png' beside 'f001.png': its digits made 2001, past the
    frames, and it was trained on as the last frame, exit code 0. Premiere's 'Sequence 01_00000.png'.. and Nuke's
    'shot010_v002.0001.png'.. are still frames."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_of_a_copy, trained_frame_names
    root, copy, original = sequence_of_a_copy(tmp_path, ["f001.png", "f002.png", "Copy (2) of f001.png"], "f001.png")
    with pytest.raises(UserError, match=rf"^'{re.escape(copy)}' is named as a copy of '{re.escape(original)}' .*: "
                                        r"remove it, or rename it if it is a frame of its own$"):
        folder_sequences(root)
    for frame_names in ([f"Sequence 01_{index:05d}.png" for index in range(3)],
                        [f"shot010_v002.{index:04d}.png" for index in range(1, 4)]):
        assert trained_frame_names(root, frame_names) == frame_names


def test_a_validation_clip_reached_twice_through_a_link_is_refused(tmp_path):
    """A link in data.val_dir to a clip beside it ('calendar-latest' -> 'calendar'): the clip was scored twice at each
    validation, weighing twice in val.csv's average and in the choice of model_best.h5, exit code 0."""
    from training.validation import validation_clips
    from training_data import make_sequence_folders
    val_dir = make_sequence_folders(tmp_path / "val", {"calendar": 6, "walk": 6},
                                    sizes={"calendar": (64, 64), "walk": (64, 64)})
    os.symlink("calendar", os.path.join(val_dir, "calendar-latest"))
    config = validation_config(val_dir)
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(val_dir, 'calendar-latest'))}' is the "
                                        rf"validation clip '{re.escape(os.path.join(val_dir, 'calendar'))}' "
                                        rf"{SCORED_TWICE}$"):
        validation_clips(config)
    os.remove(os.path.join(val_dir, "calendar-latest"))
    assert [clip.name for clip in validation_clips(config)] == ["calendar", "walk"]


def test_a_reds_sequence_folder_linked_to_another_is_refused(tmp_path):
    """REDS's sequence '000' a link to '001' (a folder restored by linking), with a list of both: '001' was trained on
    twice, exit code 0. A list of '001' alone trains on it once."""
    from datasets import reds
    from training_data import make_reds_folder
    root = make_reds_folder(tmp_path / "REDS", train=("000", "001"), val=(), height=8, width=8)
    sharp = os.path.join(root, "train", "train_sharp")
    shutil.rmtree(os.path.join(sharp, "000"))
    os.symlink("001", os.path.join(sharp, "000"))
    (tmp_path / "list.txt").write_text("000\n001\n")
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(sharp, '000'))}' is the sequence folder "
                                        rf"'{re.escape(os.path.join(sharp, '001'))}' again \(through a symbolic "
                                        r"link\), so its frames would be trained on twice; remove the link, then run "
                                        r"download_test_data\.py --reds again, or leave one of them out of the list$"):
        reds.training_sequences(root, str(tmp_path / "list.txt"))
    (tmp_path / "list.txt").write_text("001\n")
    assert [sequence.name for sequence in reds.training_sequences(root, str(tmp_path / "list.txt"))] == ["001"]


def test_a_scene_folder_linked_to_another_is_refused(tmp_path):
    """dataPrepare's scenes with 'scene_2002' a link to 'scene_2000' (the scenes layout, ids 2000..2002): scene 2000
    was trained on twice, exit code 0."""
    from datasets.sequences import find_scenes
    from training_data import make_calendar_scenes
    root = make_calendar_scenes(tmp_path / "scenes", scene_count=2, frames_per_scene=3)
    os.symlink("scene_2000", os.path.join(root, "scene_2002"))
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(root, 'scene_2002'))}' is the scene folder "
                                        rf"'{re.escape(os.path.join(root, 'scene_2000'))}' again \(through a symbolic "
                                        r"link\), so its frames would be trained on twice; remove the link, or set "
                                        r"data\.str_dir and data\.end_dir to leave one of them out$"):
        find_scenes(root, "scene", 2000, 2002, 2, 2)
    assert len(find_scenes(root, "scene", 2000, 2001, 2, 2)) == 2


# Twentieth pass, second look at train.py's checkpoints, records, stops and TensorBoard

ENGLAND, SCOTLAND, WALES = ("\U0001f3f4" + "".join(chr(0xE0000 + ord(letter)) for letter in tag) + "\U000e007f"
                            for tag in ("gbeng", "gbsct", "gbwls"))


@pytest.mark.parametrize("names", [[ENGLAND], [SCOTLAND, WALES]], ids=["England's flag", "Scotland's and Wales's"])
def test_a_loss_log_column_named_by_a_region_s_flag_is_written_back_as_it_was(tmp_path, names):
    """A user's column beside the log named by a region's flag (a black flag and its tags, format characters): the tags
    were stripped as invisible characters, the name written back as a black flag, silently, and two flags refused as
    one column named twice."""
    nines = ",9" * (len(names) - 1)
    rows = loss_log_resumed(tmp_path, f"iteration,content_loss,{','.join(names)}\n1,0.5,7{nines}\n2,0.4,8{nines}\n")
    assert rows[0] == ["iteration", "content_loss", *names]
    assert [row[2] for row in rows[1:3]] == ["7.0", "8.0"]


def test_tensorboard_s_events_file_renamed_to_another_events_name_mid_run_shows_each_event_once(tmp_path):
    """A resumed run's events file renamed in its folder to another events name (a user keeping it apart, 'mv
    events.out.tfevents.X events.out.tfevents.X.kept'): taken for a removed file, a new one was made, whose session
    start hid from TensorBoard this run's events up to the last flush, which the renamed file, still read, holds."""
    from training_data import event_scalars
    board = board_resumed_after_a_killed_run(tmp_path)
    board.add(3, {"loss": 30.0})
    board.flush()
    os.rename(board.path, f"{board.path}.kept")
    board.add(4, {"loss": 40.0})
    board.flush()
    board.add(5, {"loss": 50.0})
    board.close()
    assert event_scalars(tmp_path / "tensorboard")["loss"] == [(1, 1.0), (2, 2.0), (3, 30.0), (4, 40.0), (5, 50.0)]
    assert len(os.listdir(tmp_path / "tensorboard")) == 2


def test_an_output_folder_replaced_in_the_instant_before_the_model_s_write_gets_no_model_over_another_run_s(
        tmp_path, monkeypatch, capsys):
    """The output folder replaced by another run's (of a model_param file of the same iteration) in the instant between
    the folder's check and the model's write, which starts its temporary file by path: the model was written over the
    other run's."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir, other = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run", tmp_path / "other"
    other.mkdir()
    (other / "model_param_00000002.h5").write_bytes(b"another run's model")
    real = train.save_model

    def replaced_before(*args, **kwargs):
        if not (tmp_path / "run.old").exists():
            os.rename(output_dir, tmp_path / "run.old")
            shutil.copytree(other, output_dir)
        return real(*args, **kwargs)
    monkeypatch.setattr(train, "save_model", replaced_before)
    capsys.readouterr()
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}), capsys)
    assert f"the output folder '{output_dir}' is another folder than the one this run started in" in line
    assert os.listdir(output_dir) == ["model_param_00000002.h5"]
    assert (output_dir / "model_param_00000002.h5").read_bytes() == b"another run's model"


@pytest.mark.parametrize("before", ["forget_source", "prune_checkpoints"])
def test_an_output_folder_replaced_in_the_instant_before_a_removal_keeps_the_other_run_s_files(
        tmp_path, monkeypatch, capsys, before):
    """The output folder replaced by another run's in the instant between the folder's check and a removal by path: the
    record of that run's --checkpoint (its resume then trained from iteration 0), or its oldest checkpoint, was
    removed."""
    import train
    import training.checkpoint
    from training.checkpoint import CHECKPOINT_SOURCE
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir, other = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run", tmp_path / "other"
    other.mkdir()
    kept = {CHECKPOINT_SOURCE: b'{"checkpoint": "/elsewhere/checkpoint_00000002.json"}',
            **{f"checkpoint_0000000{iteration}.json": b"{}" for iteration in (1, 3, 5)}}
    for name, content in kept.items():
        (other / name).write_bytes(content)
    owner = train if before == "forget_source" else training.checkpoint
    real = getattr(owner, before)

    def replaced_before(*args, **kwargs):
        if not (tmp_path / "run.old").exists():
            os.rename(output_dir, tmp_path / "run.old")
            os.rename(other, output_dir)
        return real(*args, **kwargs)
    monkeypatch.setattr(owner, before, replaced_before)
    capsys.readouterr()
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}), capsys)
    assert f"the output folder '{output_dir}' is another folder than the one this run started in" in line
    assert {name: (output_dir / name).read_bytes() for name in os.listdir(output_dir)} == kept


# Twentieth pass, third look at the twentieth pass's training fixes

@pytest.mark.parametrize("moment, events", [("after the check", True), ("after the check", False),
                                            ("after tensorboard/", True)],
                         ids=["after the check, into a folder of events", "after the check, into one without "
                              "tensorboard/", "after tensorboard/ was made, into a folder of events"])
def test_an_output_folder_replaced_in_the_instant_before_tensorboard_s_file_gets_no_folder_or_file_of_it(
        tmp_path, monkeypatch, events, moment):
    """The output folder replaced by another run's in the instant between its check and the making of tensorboard/ and
    of a new events file there, which went by path: they were made in the other run's folder, and the new file's
    session start hid from TensorBoard that run's events past this run's start."""
    import tensorboardX.event_file_writer
    import training.loss_log
    from training.loss_log import TensorBoardScalars, another_folder
    from utils.paths import file_identity
    from training_data import event_scalars
    from utils.atomic_files import held_folder
    output_dir, other = tmp_path / "run", tmp_path / "other"
    output_dir.mkdir()
    other.mkdir()
    if events:
        board = TensorBoardScalars(str(other), 0)
        for iteration in range(1, 7):
            board.add(iteration, {"loss": float(iteration)})
        board.close()
        os.rename(board.path, other / "tensorboard" / "events.out.tfevents.1000000000.host")  # an earlier second's
    kept = sorted(os.listdir(other / "tensorboard")) if events else None
    owner, name = ((training.loss_log, "check_same_folder") if moment == "after the check" else
                   (tensorboardX.event_file_writer, "EventsWriter"))
    real = getattr(owner, name)

    def replaced_at(*args):
        if moment == "after the check":
            real(*args)
        os.rename(output_dir, tmp_path / "run.old")
        os.rename(other, output_dir)
        if moment == "after tensorboard/":
            return real(*args)
    monkeypatch.setattr(owner, name, replaced_at)
    with held_folder(str(output_dir), file_identity(str(output_dir)),
                     lambda path: another_folder(str(output_dir), path)):
        with pytest.raises(UserError, match=rf"^cannot write '{re.escape(str(output_dir / 'tensorboard'))}'"):
            TensorBoardScalars(str(output_dir), 2)
    if events:
        assert sorted(os.listdir(output_dir / "tensorboard")) == kept
        assert event_scalars(output_dir / "tensorboard")["loss"] == [(step, float(step)) for step in range(1, 7)]
    else:
        assert os.listdir(output_dir) == []


def test_an_output_folder_moved_away_in_the_instant_before_the_pruning_is_one_line(tmp_path, monkeypatch, capsys):
    """The output folder moved away (nothing in its place) in the instant between its check and the pruning of the
    checkpoints: a FileNotFoundError traceback, after the checkpoint, whole in the folder moved."""
    import training.checkpoint
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    real = training.checkpoint.prune_checkpoints

    def moved_before(*args, **kwargs):
        os.rename(output_dir, tmp_path / "run.moved")
        return real(*args, **kwargs)
    monkeypatch.setattr(training.checkpoint, "prune_checkpoints", moved_before)
    capsys.readouterr()
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}), capsys)
    assert line == (f"error: cannot prune the checkpoints in '{output_dir}' (No such file or directory): the output "
                    "folder was removed or moved while this ran; put it back there and run again to resume")
    assert "checkpoint_00000002.json" in os.listdir(tmp_path / "run.moved")


@pytest.mark.parametrize("held", [False, True], ids=["by path", "in the held output folder"])
def test_a_checkpoint_s_json_replaced_by_a_folder_before_its_pruning_is_one_line(tmp_path, held):
    """A folder named as a checkpoint's JSON (made since the start's check of the names, or the JSON replaced by one)
    when the pruning removes it: an IsADirectoryError traceback, after the newest checkpoint."""
    from contextlib import nullcontext

    from training.checkpoint import prune_checkpoints
    from training.loss_log import another_folder
    from utils.atomic_files import held_folder
    from utils.paths import file_identity
    (tmp_path / "checkpoint_00000001.json").mkdir()
    for iteration in (2, 3):
        (tmp_path / f"checkpoint_0000000{iteration}.json").write_text("{}")
    holding = held_folder(str(tmp_path), file_identity(str(tmp_path)),
                          lambda path: another_folder(str(tmp_path), path)) if held else nullcontext()
    with holding, pytest.raises(UserError, match=rf"^cannot remove '{re.escape(str(tmp_path))}/checkpoint_00000001"
                                                 r"\.json': a folder of that name is in the way; move it away and run "
                                                 r"again$"):
        prune_checkpoints(str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == [f"checkpoint_0000000{iteration}.json" for iteration in (1, 2, 3)]


# Twentieth pass, third look at the twentieth pass's training-data fixes

def test_a_reds_validation_clip_linked_to_another_is_refused(tmp_path):
    """A REDS folder as data.val_dir whose REDS4 clip '011' is a link to '000' (a folder restored by linking): '000'
    was scored twice at each validation, weighing twice in val.csv and in the choice of model_best.h5, exit code 0;
    the same link among the training sequences was refused."""
    from datasets import reds
    from training_data import make_reds_folder
    root = make_reds_folder(tmp_path / "REDS", train=("000", "011", "015", "020"), val=(), height=8, width=8)
    sharp = os.path.join(root, "train", "train_sharp")
    shutil.rmtree(os.path.join(sharp, "011"))
    os.symlink("000", os.path.join(sharp, "011"))
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(sharp, '011'))}' is the validation clip "
                                        rf"'{re.escape(os.path.join(sharp, '000'))}' again \(through a symbolic "
                                        r"link\), so it would be scored twice at each validation; remove the link, "
                                        r"then run download_test_data\.py --reds again, or set data\.val_dir to a "
                                        r"folder of other clips$"):
        reds.reds4_folders(root)


def test_a_sequence_folder_mounted_twice_is_refused(tmp_path, monkeypatch):
    """A folder mounted at two places in the data folder (a bind mount, a container's two volumes of one folder): no
    path shows it, and its frames were trained on twice, exit code 0. The mount is told by the folders' device and
    inode, here those a bind mount gives (mounting needs privileges the tests lack); a file system that numbers no
    file (inode 0) has them told by their paths, and its sequences train."""
    import datasets.sequences
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"a": 2, "b": 2}, sizes={"a": (8, 8), "b": (8, 8)})

    def identity(path):
        return os.stat(path).st_dev, os.stat(path).st_ino

    def mounted_twice(path):
        return identity(os.path.join(root, "a") if os.path.realpath(path) == os.path.join(root, "b") else path)

    monkeypatch.setattr(datasets.sequences, "file_identity", mounted_twice, raising=False)
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(root, 'b'))}' is the sequence folder "
                                        rf"'{re.escape(os.path.join(root, 'a'))}' again \(mounted there too: a bind "
                                        r"mount, or a container's volume\), so its frames would be trained on twice; "
                                        r"unmount it, move it out of --input_video_dir, or name the sequences to use "
                                        r"in data\.sequence_list$"):
        folder_sequences(root)
    monkeypatch.setattr(datasets.sequences, "file_identity", lambda path: (identity(path)[0], 0))
    assert [sequence.name for sequence in folder_sequences(root)] == ["a", "b"]


def test_a_copy_named_by_words_before_and_an_ending_after_a_frame_s_name_is_one_line(tmp_path):
    """'Copy of f001 (1).png' (a browser's second download of Google Drive's copy) beside 'f001.png', 'f002.png': its
    digits made 11, and it was trained on as the last frame, exit code 0."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_of_a_copy
    root, copy, original = sequence_of_a_copy(tmp_path, ["f001.png", "f002.png", "Copy of f001 (1).png"], "f001.png")
    with pytest.raises(UserError, match=rf"^'{re.escape(copy)}' is named as a copy of '{re.escape(original)}' \(a "
                                        r"copy's words, its name, then a copy's ending, "):
        folder_sequences(root)


@pytest.mark.parametrize("names, original", [(["0001.png", "0002.png", "cam2_0001.png"], "0001.png"),
                                             (["f001.png", "f002.png", "Copy (2) of f001.png"], "f001.png")],
                         ids=["another camera's frame", "Windows XP's copy"])
def test_a_frame_s_name_after_other_words_is_said_to_be_so(tmp_path, names, original):
    """'cam2_0001.png' (another camera's frame) beside '0001.png' and Windows XP's 'Copy (2) of f001.png' beside
    'f001.png' were refused as "a copy of ... (its name, then a copy's ending)", which neither is: the line says a
    copy's words before the frame's name, or another series' frame, and to move another series to a folder of its
    own. A copy's ending alone is said as before."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_of_a_copy
    root, copy, original = sequence_of_a_copy(tmp_path, names, original)
    with pytest.raises(UserError, match=rf"^'{re.escape(copy)}' is named as a copy of '{re.escape(original)}' \(a "
                                        r"copy's words, then its name, as Windows XP's 'Copy of f001\.png'\), or is a "
                                        r"frame of another series named before its number \(another camera's "
                                        r"'cam2_0001\.png' beside '0001\.png': move another series' frames to a "
                                        r"sequence folder of their own\), so it would be read as another frame: "
                                        r"remove it, or rename it if it is a frame of its own$"):
        folder_sequences(root)
    root, copy, original = sequence_of_a_copy(tmp_path / "ending", ["f001.png", "f002.png", "f001 (1).png"],
                                              "f001.png")
    with pytest.raises(UserError, match=r"\(its name, then a copy's ending\), so it would be read as another frame: "
                                        r"remove it, or rename it if it is a frame of its own$"):
        folder_sequences(root)


def test_a_fits_frame_compressed_by_fpack_among_the_frames_is_one_line(tmp_path):
    """'f0002.fits.fz' (a FITS frame compressed by fpack, as observatories keep them) between 'f0001.png' and
    'f0003.png': left out without a word, the frames either side trained on as consecutive, exit code 0."""
    from datasets.sequences import folder_sequences
    from hostile import PICTURE_IN_A_GAP, sequence_beside_a_picture
    root, picture = sequence_beside_a_picture(tmp_path, ["f0001.png", "f0003.png"], "f0002.fits.fz")
    with pytest.raises(UserError, match=rf"^'{re.escape(picture)}' {PICTURE_IN_A_GAP}"):
        folder_sequences(root)


# Twentieth pass, fourth look at the twentieth pass's training fixes

@pytest.mark.parametrize("before", ["room_to_create", "write_rgb"], ids=["before validation/ is made",
                                                                       "before the picture's write"])
def test_an_output_folder_replaced_in_the_instant_before_validation_s_picture_keeps_the_other_run_s_picture(
        tmp_path, monkeypatch, capsys, before):
    """The output folder replaced by another run's in the instant after the validation's check of it, before
    validation/ is made or the picture is written there, which went by path: this run's picture was written over that
    run's of the iteration (model_best.h5's write after it refused)."""
    import train
    import training.validation
    from training_data import make_calendar_scenes, make_sequence_folders, tiny_training_flags
    scenes, output_dir, other = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run", tmp_path / "other"
    val_dir = make_sequence_folders(tmp_path / "val", {"clip": 5}, sizes={"clip": (64, 64)})
    (other / "validation").mkdir(parents=True)
    (other / "validation" / "iteration_00000002.png").write_bytes(b"another run's picture")
    real = getattr(training.validation, before)

    def replaced_before(*args, **kwargs):
        if before == "room_to_create" or "iteration_" in str(args[0]):
            if not (tmp_path / "run.old").exists():
                os.rename(output_dir, tmp_path / "run.old")
                os.rename(other, output_dir)
        return real(*args, **kwargs)
    monkeypatch.setattr(training.validation, before, replaced_before)
    capsys.readouterr()
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{
        "train.max_iter": 2, "train.val_freq": 2, "data.val_dir": val_dir}), capsys)
    assert f"the output folder '{output_dir}' is another folder than the one this run started in" in line
    assert os.listdir(output_dir / "validation") == ["iteration_00000002.png"]
    assert (output_dir / "validation" / "iteration_00000002.png").read_bytes() == b"another run's picture"


def test_an_output_folder_made_read_only_before_the_pruning_is_one_line(tmp_path):
    """The output folder's permissions taken away (or its disk remounted read-only) in the instant after the newest
    checkpoint's write, before the pruning removes the oldest: a PermissionError traceback (run without root's
    override, so that the permissions hold)."""
    for iteration in (1, 2, 3):
        (tmp_path / f"checkpoint_0000000{iteration}.json").write_text("{}")
    holding = (f"held_folder({str(tmp_path)!r}, file_identity({str(tmp_path)!r}), lambda path: "
               f"another_folder({str(tmp_path)!r}, path))")
    script = ("import os\nfrom training.checkpoint import prune_checkpoints\n"
              "from training.loss_log import another_folder, file_identity\nfrom utils.errors import UserError\n"
              f"from utils.atomic_files import held_folder\nos.chmod({str(tmp_path)!r}, 0o555)\n"
              f"with {holding}:\n    try:\n        prune_checkpoints({str(tmp_path)!r})\n"
              "    except UserError as error:\n        print(error)\n")
    try:
        completed = run_python_without_root_override(script)
    finally:
        os.chmod(tmp_path, 0o755)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == (f"cannot remove '{tmp_path}/checkpoint_00000001.json' (Permission denied): its folder "
                                "is not writable (or no longer); make it writable, then run again\n")
    assert sorted(os.listdir(tmp_path)) == [f"checkpoint_0000000{iteration}.json" for iteration in (1, 2, 3)]


def test_an_output_folder_moved_away_in_the_instant_before_the_model_s_write_is_said_moved(
        tmp_path, monkeypatch, capsys):
    """The output folder moved away (nothing in its place) in the instant after its check before the model's write:
    the writer made the folder again (save_weights' os.makedirs), and the run's line said that another folder had been
    made in its place, where the user made none."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    real = train.save_model

    def moved_before(*args, **kwargs):
        os.rename(output_dir, tmp_path / "run.moved")
        return real(*args, **kwargs)
    monkeypatch.setattr(train, "save_model", moved_before)
    capsys.readouterr()
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}), capsys)
    assert line == (f"error: cannot write '{output_dir}/model_param_00000002.h5' (No such file or directory): its "
                    "folder was removed or moved while this ran; restore it (or choose another output) and run again")
    assert not output_dir.exists()


@pytest.mark.parametrize("text", ["Iteration,content_loss\n1,0.5\n2,0.4\n", "1,0.5\n"],
                         ids=["Iteration", "the header deleted, one row"])
def test_a_loss_log_header_naming_no_iteration_column_is_said_so_and_the_file_kept(tmp_path, text):
    """A header naming no column 'iteration' ('Iteration', capitalized) was refused as "line 1 is not a row of numbers;
    fix or delete that line": deleting it, as said, left a first row of numbers read as the header, which the next
    write dropped from the file, silently (a row lost, exit code 0)."""
    with pytest.raises(UserError, match=r"^'.*losses\.csv' line 1 is not a header naming a column 'iteration' "
                                        r"\(train\.py writes 'iteration,\.\.\.' above the rows\); name that column so "
                                        r"\(or put the header back above the rows\), or delete the file, which loses "
                                        r"only the earlier curves$"):
        loss_log_resumed(tmp_path, text)
    assert (tmp_path / "losses.csv").read_text() == text


# Twentieth pass, fourth look at the twentieth pass's training-data fixes

@pytest.mark.parametrize("names, first, second", [
    (["left_0001.png", "left_0002.png", "right_0001.png", "right_0002.png"], "left_0001.png", "right_0001.png"),
    (["01.png", "02.png", "A_01.png", "A_02.png"], "01.png", "A_01.png")], ids=["a stereo pair", "two cameras"])
def test_two_series_of_one_numbering_in_a_sequence_folder_are_told_to_move_one(tmp_path, names, first, second):
    """A stereo pair's 'left_0001.png'.. and 'right_0001.png'.. (or a camera's '01.png'.. beside 'A_01.png'..) in one
    folder: refused as "one is a copy of the other, or which comes first is not known; remove or rename one", and,
    one renamed, the next pair so, a frame at a time; the line now says two series, and to move one. A lone copy of
    a frame of one number is said as before."""
    from datasets.sequences import folder_sequences
    from hostile import refused_naming_two_frames, sequence_of_a_copy
    refused_naming_two_frames(tmp_path, names, first, second,
                              r"are both frame 1 by the numbers in their names, which order a sequence's frames, and "
                              r"frames of two series \(two cameras', or a stereo pair's 'left_0001\.png', "
                              r"'right_0001\.png'\): move one series' frames to a folder of their own \(a sequence "
                              r"folder, to train on both\)")
    root, _, _ = sequence_of_a_copy(tmp_path / "one", ["0001.png", "0002.png", "L_0001.png"], "0001.png")
    with pytest.raises(UserError, match=r"one is a copy of the other, or which comes first is not known; remove or "
                                        r"rename one$"):
        folder_sequences(root)


@pytest.mark.parametrize("picture", ["f0002.fits.gz", "f0002.FIT.GZ", "f0002.fts.gz"])
def test_a_fits_frame_compressed_by_gzip_among_the_frames_is_one_line(tmp_path, picture):
    """'f0002.fits.gz' (a FITS frame compressed by gzip, which FITS readers read as it is) between 'f0001.png' and
    'f0003.png': left out without a word, the frames either side trained on as consecutive, exit code 0. A backup's
    'f0002.png.gz' is no picture's format, and is left out as before."""
    from datasets.sequences import folder_sequences
    from hostile import PICTURE_IN_A_GAP, sequence_beside_a_picture
    root, path = sequence_beside_a_picture(tmp_path, ["f0001.png", "f0003.png"], picture)
    with pytest.raises(UserError, match=rf"^'{re.escape(path)}' {PICTURE_IN_A_GAP}"):
        folder_sequences(root)
    os.rename(path, os.path.join(root, "s", "f0002.png.gz"))
    assert [os.path.basename(frame) for frame in folder_sequences(root)[0].frames] == ["f0001.png", "f0003.png"]


def test_a_link_to_the_validation_folder_itself_is_said_to_be_so(tmp_path, monkeypatch):
    """data.val_dir holding 'current' -> '.' (or the folder mounted in itself, a bind mount): refused as "validation
    clip '.../current' has no images", which did not say that it is the folder itself."""
    import datasets.sequences
    from training.validation import validation_clips
    from training_data import make_sequence_folders
    val_dir = make_sequence_folders(tmp_path / "val", {"calendar": 6}, sizes={"calendar": (64, 64)})
    os.symlink(".", os.path.join(val_dir, "current"))
    config = validation_config(val_dir)
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(val_dir, 'current'))}' is "
                                        rf"'{re.escape(val_dir)}' itself \(through a symbolic link\), no validation "
                                        r"clip; remove the link, or move it out of data\.val_dir$"):
        validation_clips(config)
    os.remove(os.path.join(val_dir, "current"))
    assert [clip.name for clip in validation_clips(config)] == ["calendar"]
    os.mkdir(os.path.join(val_dir, "current"))
    identity = datasets.sequences.file_identity

    def mounted_in_itself(path):
        return identity(val_dir if os.path.basename(path) == "current" else path)

    monkeypatch.setattr(datasets.sequences, "file_identity", mounted_in_itself)
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(val_dir, 'current'))}' is "
                                        rf"'{re.escape(val_dir)}' itself \(mounted there too: a bind mount, or a "
                                        r"container's volume\), no validation clip; unmount it, or move it out of "
                                        r"data\.val_dir$"):
        validation_clips(config)


def test_a_validation_clip_s_link_is_refused_before_the_frame_cache_decodes(tmp_path, capsys):
    """data.val_dir holding a link to a clip beside it, with data.cache_dir: refused only after the frame cache had
    decoded every training sequence (minutes on a real data set), though bad input stops before any work."""
    import train
    from training_data import make_calendar_scenes, make_sequence_folders, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    val_dir = make_sequence_folders(tmp_path / "val", {"clip": 5}, sizes={"clip": (64, 64)})
    os.symlink("clip", os.path.join(val_dir, "clip-latest"))
    with pytest.raises(SystemExit) as stop:
        train.main(tiny_training_flags(scenes, tmp_path / "out", **{
            "train.max_iter": 2, "train.val_freq": 2, "data.val_dir": val_dir, "train.val_crop": 48,
            "data.cache_dir": str(tmp_path / "cache")}))
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: '{os.path.join(val_dir, 'clip-latest')}' is the validation clip '{os.path.join(val_dir, 'clip')}' "
        "again (through a symbolic link), so it would be scored twice at each validation; remove the link, or move it "
        "out of data.val_dir"]
    assert not os.path.exists(tmp_path / "cache") or not os.listdir(tmp_path / "cache")


# Twentieth pass, fifth look at the twentieth pass's training fixes

@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_loss_log_in_utf_16_or_utf_32_is_named_by_its_encoding_and_kept(tmp_path, encoding):
    """A loss log saved as UTF-16 or UTF-32 (Notepad's "Unicode", PowerShell 5's '>') was refused as "line 1 is not a
    row of numbers; fix or delete that line", of a header and a row as train.py writes them: its encoding said."""
    data = "iteration,content_loss\n1,0.5\n".encode(encoding)
    with pytest.raises(UserError, match=r"^'.*losses\.csv' is UTF-16 or UTF-32 text, not UTF-8; save it as UTF-8 \(as "
                                        r"train\.py writes it\), or delete the file, which loses only the earlier "
                                        r"curves$"):
        loss_log_resumed(tmp_path, data)
    assert (tmp_path / "losses.csv").read_bytes() == data


@pytest.mark.parametrize("data, line", [("iteration,café\n1,0.5\n".encode("latin-1"), 1),
                                        ("iteration,content_loss\n1,0.5\n2,0.4 é\n".encode("latin-1"), 3)],
                         ids=["a column named in Latin-1", "a row's note in Latin-1"])
def test_a_loss_log_not_in_utf_8_is_refused_in_one_line_not_written_back_renamed(tmp_path, data, line):
    """A loss log whose header names a user's column in Latin-1 ('café') was read with its byte replaced and written
    back with the column renamed 'caf\\ufffd', exit code 0; the line not UTF-8 is said, the file kept."""
    with pytest.raises(UserError, match=rf"^'.*losses\.csv' line {line} is not UTF-8 text; save the file as UTF-8 "
                                        r"\(as train\.py writes it\), or delete it, which loses only the earlier "
                                        r"curves$"):
        loss_log_resumed(tmp_path, data)
    assert (tmp_path / "losses.csv").read_bytes() == data


def test_a_loss_log_header_alone_keeps_a_user_s_column_at_the_next_write(tmp_path):
    """A header alone naming a user's column beside 'iteration' (no numbers under it yet) was written back without
    that column at the next write; a header with rows keeps it, and so does a header alone now."""
    assert loss_log_resumed(tmp_path, "iteration,note,,\n") == [["iteration", "note", "content_loss"], ["3", "", "0.3"]]


def test_an_output_folder_made_read_only_before_the_first_validation_is_one_line(tmp_path):
    """The output folder's permissions taken away (or its disk remounted read-only) before the first validation, whose
    validation/ is made through the held folder's descriptor: a PermissionError traceback (run without root's
    override, so that the permissions hold)."""
    from training_data import make_calendar_scenes, make_sequence_folders, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    val_dir = make_sequence_folders(tmp_path / "val", {"clip": 5}, sizes={"clip": (64, 64)})
    flags = tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2, "train.val_freq": 2,
                                                        "data.val_dir": val_dir})
    script = ("import os, sys\nsys.path.insert(0, 'tests')\nimport train, training.validation\n"
              "real = training.validation.room_to_create\n"
              f"def read_only_before():\n    os.chmod({str(output_dir)!r}, 0o555)\n    return real()\n"
              f"training.validation.room_to_create = read_only_before\ntrain.main({flags!r})\n")
    try:
        completed = run_python_without_root_override(script)
    finally:
        os.chmod(output_dir, 0o755)
    assert completed.returncode == 2, completed.stderr
    assert [line for line in completed.stderr.splitlines() if line.startswith(("error:", "Traceback"))] == [
        f"error: cannot write '{output_dir}/validation' (Permission denied): its folder is not writable (or no "
        "longer); make it writable, then run again"]
    assert not (output_dir / "validation").exists()


def test_validation_s_folder_made_on_a_full_disk_is_named_in_full(tmp_path, monkeypatch, capsys):
    """validation/ made through the held folder's descriptor on a full disk (or one out of inodes): the error named
    'validation' alone, and the line said "no space left on the disk of 'validation'", counted on the disk of the
    working folder (the mkdir's ENOSPC made as the kernel gives it: the name passed, relative to the descriptor)."""
    import errno
    import train
    from training_data import make_calendar_scenes, make_sequence_folders, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    val_dir = make_sequence_folders(tmp_path / "val", {"clip": 5}, sizes={"clip": (64, 64)})
    real = os.mkdir

    def full_disk(path, *args, dir_fd=None, **kwargs):
        if dir_fd is not None and path == "validation":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        return real(path, *args, dir_fd=dir_fd, **kwargs)
    monkeypatch.setattr(os, "mkdir", full_disk)
    capsys.readouterr()
    line = user_error_line(train.main, tiny_training_flags(scenes, output_dir, **{
        "train.max_iter": 2, "train.val_freq": 2, "data.val_dir": val_dir}), capsys)
    assert line == (f"error: no space left on the disk of '{output_dir}/validation'; free some space (or choose "
                    "another folder) and run again")


@pytest.mark.parametrize("name", ["losses", "val"])
def test_a_record_that_can_be_written_but_not_read_is_one_line_at_the_resume(tmp_path, name):
    """losses.csv or val.csv that can be written but not read (mode 200: the start's check of the outputs passes it):
    a PermissionError traceback at the resume (run without root's override, so that the permissions hold)."""
    path = tmp_path / f"{name}.csv"
    path.write_text("iteration,content_loss\n1,0.5\n")
    path.chmod(0o200)
    script = ("from training.loss_log import LossLog\nfrom utils.errors import UserError\ntry:\n"
              f"    LossLog({str(tmp_path)!r}, 1, name={name!r})\nexcept UserError as error:\n    print(error)\n")
    completed = run_python_without_root_override(script)
    path.chmod(0o600)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == (f"training output '{path}' cannot be read (permission denied); check its "
                                "permissions\n")
    assert path.read_text() == "iteration,content_loss\n1,0.5\n"


def test_a_solver_state_that_cannot_be_read_is_said_so_not_corrupt(tmp_path, capsys):
    """A checkpoint's solver state file that cannot be read (mode 200) was "checkpoint ... is incomplete or corrupt
    ([Errno 13] Unable to synchronously open file ...); resume from an earlier one", where the file is whole and an
    earlier checkpoint loses iterations (run without root's override, so that the permissions hold)."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    state = output_dir / "gen_states_00000002.h5"
    state.chmod(0o200)
    flags = tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4})
    completed = run_python_without_root_override(f"import train\ntrain.main({flags!r})\n")
    state.chmod(0o600)
    assert completed.returncode == 2, completed.stderr
    assert [line for line in completed.stderr.splitlines() if line.startswith(("error:", "Traceback"))] == [
        f"error: solver state file '{state}' cannot be read (permission denied); check its permissions"]
    assert sorted(path.name for path in output_dir.glob("checkpoint_*.json")) == ["checkpoint_00000002.json"]


# Twenty-first pass, look at train.py's checkpoints, records, stops and TensorBoard

def test_a_loss_log_of_cr_line_ends_not_in_utf_8_names_the_line(tmp_path):
    """A loss log of CR line ends (Excel for Mac's "CSV (Macintosh)", which saves in Mac Roman) whose third line holds
    a byte that is not UTF-8: said at line 1, its lines counted by their LFs."""
    data = "iteration,content_loss\r1,0.5\r2,0.4 caf\xe9\r".encode("latin-1")
    with pytest.raises(UserError, match=r"^'.*losses\.csv' line 3 is not UTF-8 text; save the file as UTF-8"):
        loss_log_resumed(tmp_path, data)
    assert (tmp_path / "losses.csv").read_bytes() == data


def test_a_file_in_the_place_of_a_folder_mid_run_is_said_to_be_a_file(tmp_path):
    """validation/ replaced by a file in the instant before a picture's write (in the held output folder, as a run
    writes it): "(Not a directory): its folder was removed or moved while this ran", where a file is in its place."""
    (tmp_path / "validation").write_text("a user's file")
    picture, error = written_into_a_held_folder(tmp_path, tmp_path / "validation" / "iteration_00000002.png")
    assert str(error.value) == (f"cannot write '{picture}' (Not a directory): '{tmp_path / 'validation'}' is a file "
                                "now, where a folder was while this ran; move that file away, restore the folder, and "
                                "run again")
    assert os.listdir(tmp_path) == ["validation"]


@pytest.mark.parametrize("encoding, said", [
    ("utf-16", "is UTF-16 or UTF-32 text, not UTF-8; save it as UTF-8 (as train.py writes it)"),
    ("utf-16-le", "is UTF-16 or UTF-32 text, not UTF-8; save it as UTF-8 (as train.py writes it)"),
    ("latin-1", "line 2 is not UTF-8 text; save it as UTF-8 (as train.py writes it)")],
                         ids=["UTF-16", "UTF-16 without its mark", "Latin-1"])
def test_a_checkpoint_saved_in_another_encoding_is_said_so_not_a_binary_file(tmp_path, encoding, said):
    """A checkpoint's JSON edited and saved as UTF-16 (Notepad's "Unicode") or in Latin-1 was refused as "a binary file,
    not a checkpoint_<iter>.json; pass the JSON from the output folder", or, UTF-16 without its mark, as "incomplete or
    corrupt; resume from an earlier one", whose advice loses iterations. A binary file is still said to be one."""
    from training.checkpoint import read_checkpoint
    path = tmp_path / "checkpoint_00000002.json"
    path.write_bytes('{"iteration": 2,\n "note": "café"}'.encode(encoding))
    with pytest.raises(UserError) as error:
        read_checkpoint(str(path))
    assert str(error.value) == f"checkpoint '{path}' {said}"
    import h5py
    with h5py.File(path, "w") as model:  # a model_param file given for the JSON: most of its bytes are zeros
        model["w"] = np.ones(4, np.float32)
    with pytest.raises(UserError, match=r"is a binary file, not a checkpoint_<iter>\.json"):
        read_checkpoint(str(path))


def test_a_checkpoint_saved_with_a_byte_order_mark_resumes(tmp_path):
    """A checkpoint's JSON edited and saved with a byte-order mark (Notepad's "UTF-8 with BOM", PowerShell 5's
    'Set-Content -Encoding UTF8') was refused as "incomplete or corrupt (Unexpected UTF-8 BOM ...); resume from an
    earlier one", of a whole file, as a loss log of one is read."""
    from training.checkpoint import content_as_far_as_read, read_checkpoint
    path = tmp_path / "checkpoint_00000002.json"
    (tmp_path / "params_00000002.h5").write_bytes(b"")
    content = {"iteration": 2, "params": "params_00000002.h5", "solvers": {}}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(content).encode())
    assert read_checkpoint(str(path))["iteration"] == 2
    assert content_as_far_as_read(str(path))["iteration"] == 2


def test_a_loss_log_ending_in_zero_bytes_is_said_at_that_line_not_utf_16(tmp_path):
    """A loss log ending in zero bytes (a crash's, on a file system that kept the size and not the data) was said to be
    "UTF-16 or UTF-32 text, not UTF-8; save it as UTF-8", one NUL in four bytes taken for a wide text's."""
    data = b"iteration,content_loss\n1,0.5\n2,0.4\n" + b"\0" * 200
    with pytest.raises(UserError, match=r"^'.*losses\.csv' line 4 is not a row of numbers; fix or delete that line"):
        loss_log_resumed(tmp_path, data)
    assert (tmp_path / "losses.csv").read_bytes() == data


def test_records_that_can_be_written_but_not_read_and_a_read_only_start_are_one_line_each(tmp_path):
    """Run without root's override, so that the permissions hold (one process for the cases). Beside losses.csv and
    val.csv (the twentieth pass's fifth look), the other files a resume reads, of mode 200: the model_param file of
    val.csv's best row, which model_best.h5 is made again from, a PermissionError traceback; checkpoint_source.json,
    said "damaged ... delete it to train from iteration 0" (its advice losing the iterations of the checkpoint it
    names), and a traceback where --checkpoint was given again; a checkpoint's file in the output folder compared with
    the --checkpoint's of another folder, a traceback. And the output folder made read-only during the start-up (its
    data loaded for minutes) where a killed run left a temporary: a traceback from its removal (now left, and the
    start's check of the outputs says the folder is not writable)."""
    import train
    run, other, stale = tmp_path / "run", tmp_path / "other", tmp_path / "stale"
    for folder in (run, other, stale):
        folder.mkdir()
    (run / "val.csv").write_text("iteration,PSNR\n2,20.0\n")
    for path in (run / "model_param_00000002.h5", run / "checkpoint_source.json", run / "checkpoint_00000002.json",
                 other / "checkpoint_00000002.json"):
        path.write_text("{}")
    (stale / ".losses.999999999.tmp.csv").write_text("partial")
    unreadable = [run / name for name in ("model_param_00000002.h5", "checkpoint_source.json",
                                          "checkpoint_00000002.json")]
    for path in unreadable:
        path.chmod(0o200)
    stale.chmod(0o555)
    script = ("from train import same_file_content\nfrom training.checkpoint import record_source, recorded_source\n"
              "from training.validation import Validation\nfrom utils.errors import UserError\n"
              "from utils.atomic_files import remove_stale_temporaries\n"
              f"for call in (lambda: Validation([], {str(run)!r}, 2, 'psnr', 'cpu'), "
              f"lambda: recorded_source({str(run)!r}), "
              f"lambda: record_source({str(run)!r}, {str(other / 'checkpoint_00000002.json')!r}), "
              f"lambda: same_file_content({str(other / 'checkpoint_00000002.json')!r}, {str(unreadable[2])!r}), "
              f"lambda: print('removed:', remove_stale_temporaries({str(stale)!r}))):\n"
              "    try:\n        call()\n    except UserError as error:\n        print('said:', error)\n")
    try:
        completed = run_python_without_root_override(script)
    finally:
        stale.chmod(0o755)
        for path in unreadable:
            path.chmod(0o600)
    assert completed.returncode == 0, completed.stderr
    said = "said: training output '{}' cannot be read (permission denied); check its permissions"
    assert [line for line in completed.stdout.splitlines() if line.startswith(("said:", "removed:"))] == [
        said.format(unreadable[0]), said.format(unreadable[1]), said.format(unreadable[1]), said.format(unreadable[2]),
        "removed: []"]
    assert [path.read_text() for path in unreadable] == ["{}"] * 3
    assert not (run / "model_best.h5").exists()
    assert os.listdir(stale) == [".losses.999999999.tmp.csv"]
    assert train.same_file_content(str(other / "checkpoint_00000002.json"), str(unreadable[2]))


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-32-be"])
def test_a_config_file_in_utf_16_or_utf_32_without_its_mark_is_named_by_its_encoding(tmp_path, encoding):
    """A --cfg file of UTF-16 or UTF-32 without its byte-order mark (iconv's UTF-16LE) decodes as UTF-8, a NUL beside
    each letter: refused as "not valid YAML; fix the syntax", of a file whose syntax is right. /dev/zero is still
    refused as it was, its head read."""
    from training.config import load_config
    path = tmp_path / "frvsr.yaml"
    path.write_bytes("train:\n  max_iter: 5\n".encode(encoding))
    with pytest.raises(UserError, match=rf"^config file '{re.escape(str(path))}' is UTF-16 or UTF-32 text, not UTF-8; "
                                        r"save it as UTF-8$"):
        load_config(str(path))
    with pytest.raises(UserError, match=r"^config file '/dev/zero' is not valid YAML; fix the syntax$"):
        load_config("/dev/zero")


def test_a_picture_s_temporary_a_killed_run_left_in_validation_is_removed_at_the_next_start(tmp_path):
    """A run killed during a validation picture's write left its temporary ('.iteration_00000004.<pid>.tmp.png') in
    validation/, where no start looked for one: it stayed there for good, beside the picture written again. One of a
    live process stays (a run that may still finish it)."""
    from contextlib import ExitStack
    import train
    pictures = tmp_path / "run" / "validation"
    pictures.mkdir(parents=True)
    for pid in (999999999, os.getpid()):
        (pictures / f".iteration_00000004.{pid}.tmp.png").write_bytes(b"part of a picture")
    with ExitStack() as claim:
        train.claim_output_folder(str(tmp_path / "run"), claim, [])
    assert os.listdir(pictures) == [f".iteration_00000004.{os.getpid()}.tmp.png"]


@pytest.mark.parametrize("data", [b"\0" * 100, b"s1\ns2\n" + b"\0" * 100], ids=["zero bytes", "ending in zero bytes"])
def test_a_sequence_list_of_zero_bytes_is_said_so(tmp_path, data):
    """A sequence list of zero bytes (a crash's) was said to be UTF-16 text, one NUL in four bytes taken for a wide
    text's (utils.text.wide_text, which now decodes it first, as a loss log's zeros were said so too)."""
    from datasets.sequences import read_sequence_list
    path = tmp_path / "list.txt"
    path.write_bytes(data)
    with pytest.raises(UserError, match=rf"^cannot read sequence list '{re.escape(str(path))}': it holds zero bytes, "
                                        r"no text \(a crash's, or a failed copy's\?\); give a UTF-8 text file of "
                                        r"names$"):
        read_sequence_list(str(path), ["s1", "s2"])


# Twenty-first pass, look at the training data, sequence folders and REDS layouts

@pytest.mark.parametrize("picture", ["Copy of f0002.webp", "Copy of f0002 (1).tif", "Kopie von f0002.webp"])
def test_a_copy_named_by_words_before_a_frame_s_name_in_a_gap_is_one_line(tmp_path, picture):
    """Google Drive's 'Copy of f0002.webp' (or a second download of it, or German Windows XP's copy) between 'f0001.png'
    and 'f0003.png': left out without a word, the frames either side trained on as consecutive, exit code 0. A picture
    of another series, 'mask_0002.bw' beside every second frame, is still no frame left out."""
    from datasets.sequences import folder_sequences
    from hostile import PICTURE_IN_A_GAP, sequence_beside_a_picture
    root, path = sequence_beside_a_picture(tmp_path, ["f0001.png", "f0003.png"], picture)
    with pytest.raises(UserError, match=rf"^'{re.escape(path)}' {PICTURE_IN_A_GAP}"):
        folder_sequences(root)
    root, _ = sequence_beside_a_picture(tmp_path / "masks", ["0001.png", "0003.png", "0005.png"], "mask_0002.bw")
    assert [os.path.basename(frame) for frame in folder_sequences(root)[0].frames] == ["0001.png", "0003.png",
                                                                                       "0005.png"]


@pytest.mark.parametrize("names, first, second", [
    (["cam1_0001.png", "cam1_0002.png", "cam2_0001.png", "cam2_0002.png"], "cam1_0001.png", "cam2_0001.png"),
    (["left_0001.png", "left_0002.png", "right_0003.png", "right_0004.png"], "left_0001.png", "right_0003.png")],
    ids=["two cameras", "a stereo pair numbered on"])
def test_two_series_of_frames_not_of_one_number_are_told_to_move_one(tmp_path, names, first, second):
    """'cam1_0001.png'.. and 'cam2_0001.png'.. in one folder (ordered by all their digits, 10001.., 20001..), or a
    stereo pair's 'left_0001.png'.. and 'right_0003.png'.. numbered on: trained on as one sequence, the last frame of
    one series and the first of the other as consecutive, exit code 0. Timecodes, whose numbers restart under each
    second as a camera's do, follow no letter and train as one sequence; so do 'im1_x4'.., whose number after a letter
    is each frame's own, and one take's 'take1_f001'.."""
    from hostile import refused_naming_two_frames, trained_frame_names
    root = refused_naming_two_frames(tmp_path, names, first, second,
                                     r"are frames of two series \(two cameras' 'cam1_0001\.png', 'cam2_0001\.png'; a "
                                     r"stereo pair's 'left_0001\.png', 'right_0003\.png'\), which training would read "
                                     r"as one sequence, the last frame of one and the first of the other as "
                                     r"consecutive: move one series' frames to a folder of their own \(a sequence "
                                     r"folder, to train on both\), or name them alike if they are one")
    for frame_names in (["01:00:00:22.png", "01:00:00:23.png", "01:00:01:00.png", "01:00:01:01.png"],
                        ["im1_x4.png", "im2_x4.png", "im3_x4.png"], ["take1_f001.png", "take1_f002.png"]):
        assert trained_frame_names(root, frame_names) == frame_names


def test_a_poster_named_otherwise_with_a_number_among_the_frames_is_one_line(tmp_path):
    """'poster_0.png' (a still of the clip, of its frames' size) beside '0001.png', '0002.png': its number 0 put it
    first, and it was trained on as the sequence's first frame, exit code 0 (a poster without a number is refused)."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_of_a_copy
    root, poster, _ = sequence_of_a_copy(tmp_path, ["0001.png", "0002.png", "poster_0.png"], "0001.png")
    with pytest.raises(UserError, match=rf"^'{re.escape(poster)}' is named otherwise than the other frames of its "
                                        r"sequence \('0001\.png'\), so it is no frame of theirs \(a poster, a "
                                        r"thumbnail\) or where it comes is not known: remove it, or name it as they "
                                        r"are named$"):
        folder_sequences(root)


@pytest.mark.parametrize("data, wide", [
    ("s\n视频片段视频片段视频片段\n".encode("utf-16-le"), True), (b"30\n\0\n", True), ("3\n".encode("utf-32-be"), True),
    (b"\0" * 64, False), (b"iteration,content_loss\n1,0.5\n" + b"\0" * 4096, False)],
    ids=["UTF-16 of names in Chinese after one in ASCII", "a line of a NUL alone", "UTF-32 big-endian",
         "a file of NULs", "rows ending in NULs"])
def test_a_sequence_list_a_loss_log_and_a_cuts_file_are_said_to_be_utf16_alike(tmp_path, data, wide):
    """One test of text in UTF-16 or UTF-32 for the three text files training and generate.py read: it was two (the
    first characters, for a cuts file; the share of NULs, for the others). UTF-16 of names in Chinese after one in
    ASCII (a NUL beside a few letters) was a list lacking 's\\x00' and a loss log's "line 1 is not UTF-8 text"; a line
    of a NUL alone was a list lacking '\\x00'; and a file of NULs, or a loss log's rows ending in NULs (a crash's), was
    said to be UTF-16, "save it as UTF-8", where the cuts file's line said no frame number: NULs in a row are no
    text."""
    from datasets.sequences import read_sequence_list
    from training.loss_log import LossLog
    from utils.scenes import read_cuts_file
    path = tmp_path / "losses.csv"
    path.write_bytes(data)
    for read in (lambda: read_sequence_list(str(path)), lambda: LossLog(str(tmp_path), 2),
                 lambda: read_cuts_file(str(path), 100)):
        try:
            read()
            said = ""
        except UserError as error:
            said = str(error)
        assert ("is UTF-16" in said) == wide, said


@pytest.mark.parametrize("bits", [8, 4])
def test_a_run_length_packed_bmp_frame_cut_short_is_one_line(tmp_path, capfd, bits):
    """A BMP frame packed by run-length (BI_RLE8, BI_RLE4), cut short by a failed copy: its rows have no fixed length,
    so the byte checks let it pass, and its decoding failed with OpenCV's own line ("imdecode_ ... Unexpected end of
    input stream") before "the file is corrupt or not an image". Whole, it trains."""
    from datasets.sequences import folder_sequences, frame_size
    from hostile import run_length_bmp
    whole = run_length_bmp(np.arange(256).reshape(16, 16) // 17 % 16, 8 // bits)
    for name, data in (("0001.bmp", whole), ("0002.bmp", whole[:-40])):
        os.makedirs(tmp_path / "data" / "s", exist_ok=True)
        (tmp_path / "data" / "s" / name).write_bytes(data)
    sequence = folder_sequences(str(tmp_path / "data"))[0]
    capfd.readouterr()
    with pytest.raises(UserError, match=rf"^cannot read image '{re.escape(sequence.frames[1])}': the file is cut "
                                        r"short; replace or remove it$"):
        frame_size(sequence, "sequences")
    assert capfd.readouterr().err == ""
    (tmp_path / "data" / "s" / "0002.bmp").write_bytes(whole)
    assert frame_size(sequence, "sequences") == (16, 16)


def test_a_validation_clip_whose_lr_and_hr_folders_are_links_to_another_s_is_refused(tmp_path):
    """A clip 'c2' of data.val_dir whose LR/ and HR/ are links to clip 'c1''s (a clip set up by linking): 'c1' was
    scored twice at each validation, weighing twice in val.csv and in the choice of model_best.h5, exit code 0."""
    from training.validation import validation_clips
    from training_data import make_sequence_folders
    val_dir = str(tmp_path / "val")
    for part, side in (("LR", 16), ("HR", 64)):
        make_sequence_folders(val_dir, {f"c1/{part}": 5}, sizes={f"c1/{part}": (side, side)})
        os.makedirs(os.path.join(val_dir, "c2"), exist_ok=True)
        os.symlink(os.path.join("..", "c1", part), os.path.join(val_dir, "c2", part))
    config = validation_config(val_dir)
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(val_dir, 'c2', 'LR'))}' is the frames folder of "
                                        rf"a validation clip '{re.escape(os.path.join(val_dir, 'c1', 'LR'))}' "
                                        rf"{SCORED_TWICE}$"):
        validation_clips(config)
    shutil.rmtree(os.path.join(val_dir, "c2"))
    assert [clip.name for clip in validation_clips(config)] == ["c1"]


def test_a_reds_frame_renamed_as_windows_xp_s_copy_is_named_not_sent_to_the_download(tmp_path):
    """A REDS sequence whose frame 5 lies there as Windows XP's copy alone, 'Copy (2) of 00000005.png' (its digits make
    200000005): it was said to lack the frame, "run download_test_data.py --reds again", which skips REDS as done,
    while the frame lay there under another name."""
    from datasets import reds
    folder = tmp_path / "REDS" / "train" / "train_sharp" / "000"
    folder.mkdir(parents=True)
    for index in range(reds.FRAMES_PER_SEQUENCE):  # only their names are read
        (folder / ("Copy (2) of 00000005.png" if index == 5 else reds.frame_name(index))).touch()
    (tmp_path / "list.txt").write_text("000\n")
    with pytest.raises(UserError, match=r"^REDS sequence 000 .* lacks 1 of its 100 frames: 00000005\.png; it holds "
                                        r"pictures of other names \(Copy \(2\) of 00000005\.png\), .*: rename or "
                                        r"convert them to those, or train on them with data\.layout sequences$"):
        reds.training_sequences(str(tmp_path / "REDS"), str(tmp_path / "list.txt"))


# Twenty-first pass, second look at the twenty-first pass's training-data fixes

@pytest.mark.parametrize("names", [
    ["DSC_0001.JPG", "DSC_0002.JPG", "_DSC0003.JPG", "_DSC0004.JPG"],
    ["DSC00001.JPG", "DSC00002.JPG", "_DSC0003.JPG", "_DSC0004.JPG"],
    ["IMG_0001.JPG", "IMG_0002.JPG", "_MG_0003.JPG", "IMG_0004.JPG"],
    ["00000IMG_00000_BURST20190920135023_COVER.jpg", "00001IMG_00001_BURST20190920135023.jpg",
     "00002IMG_00002_BURST20190920135023.jpg"],
    ["IMG_20230601_120000_BURST1_COVER.jpg", "IMG_20230601_120000_BURST2.jpg", "IMG_20230601_120000_BURST3.jpg"]],
    ids=["Nikon's Adobe RGB", "Sony's Adobe RGB", "Canon's Adobe RGB", "Pixel's burst", "Xiaomi's burst"])
def test_one_camera_s_series_of_adobe_rgb_names_or_a_burst_s_cover_trains(tmp_path, names):
    """One series of a camera or a phone named two ways: a camera's Adobe RGB frames, whose names begin with an
    underscore ('_DSC0003' after Nikon's 'DSC_0002', '_MG_0003' among Canon's 'IMG_'), and a phone's burst, whose
    cover is named as its frame, then '_COVER': each was refused as two series, or as a poster, where before the
    twenty-first pass it trained (datasets.sequences.series_patterns)."""
    from hostile import trained_frame_names
    (tmp_path / "data").mkdir()
    assert trained_frame_names(str(tmp_path / "data"), names) == names


def test_two_cameras_adobe_rgb_names_are_still_two_series(tmp_path):
    """A camera's Adobe RGB names whose letters are not those of the sRGB names beside them ('_XYZ0003' after
    'ABC_0002') are another camera's: still refused as two series."""
    from hostile import refused_naming_two_frames
    refused_naming_two_frames(tmp_path, ["ABC_0001.JPG", "ABC_0002.JPG", "_XYZ0003.JPG", "_XYZ0004.JPG"],
                              "ABC_0001.JPG", "_XYZ0003.JPG", r"are frames of two series .*")


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be"])
def test_a_sequence_list_of_utf32_is_named_so(tmp_path, encoding):
    """A sequence list saved as UTF-32 (with its byte-order mark or without) was "it is UTF-16 text", as the loss
    log's, the config's and the cuts file's lines say "UTF-16 or UTF-32"."""
    from datasets.sequences import read_sequence_list
    path = tmp_path / "list.txt"
    path.write_bytes("s1\ns2\n".encode(encoding))
    with pytest.raises(UserError, match=rf"^cannot read sequence list '{re.escape(str(path))}': it is UTF-16 or "
                                        r"UTF-32 text, not UTF-8; give a UTF-8 text file of names$"):
        read_sequence_list(str(path), ["s1", "s2"])


@pytest.mark.parametrize("names, said", [
    (["cam1_0001.png", "cam1_0002.png", "cam1_0003.png", "cam2_0001.png", "cam2_0002.png", "cam2_0003.png"],
     r"'.*/cam1_0001\.png' and '.*/cam2_0001\.png' are frames of two series .* move one series' frames to a folder "
     r"of their own \(a clip folder of data\.val_dir, to score both\), or name them alike if they are one"),
    (["poster_0.png", "0001.png", "0002.png", "0003.png", "0004.png", "0005.png"],
     r"'.*/poster_0\.png' is named otherwise than the other frames of its sequence \('0001\.png'\), .*")],
    ids=["two cameras' series", "a poster with a number"])
def test_a_validation_clip_of_two_series_or_a_poster_is_refused(tmp_path, names, said):
    """The first look's one_series at training's listing alone: a validation clip of two cameras' frames was scored as
    one clip (val.csv's temporal scores taken across the cameras), and a poster named with a number as its first
    frame, exit code 0."""
    from training.validation import validation_clips
    from training_data import make_sequence_folders
    val_dir = make_sequence_folders(tmp_path / "val", {"c": len(names)}, name_frame=names.__getitem__,
                                    sizes={"c": (8, 8)})  # refused before their sizes are read
    with pytest.raises(UserError, match=rf"^{said}$"):
        validation_clips(validation_config(val_dir))


# Twenty-first pass, second look at the twenty-first pass's training fixes

def test_a_stop_signal_during_a_validation_stops_at_that_iteration_with_its_checkpoint(tmp_path, monkeypatch):
    """SIGTERM during the validation of iteration 1 (save_freq 100): the line said "stopping after this iteration",
    but the stop was agreed at the next iteration's end, so iteration 2 was trained and its checkpoint written."""
    import training.validation
    import train
    from training_data import make_calendar_scenes, make_sequence_folders, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    val_dir = make_sequence_folders(tmp_path / "val", {"clip": 5}, sizes={"clip": (48, 48)})
    real_run = training.validation.Validation.run

    def run_then_signalled(self, iteration, model_path):
        os.kill(os.getpid(), signal.SIGTERM)
        return real_run(self, iteration, model_path)
    monkeypatch.setattr(training.validation.Validation, "run", run_then_signalled)
    flags = tiny_training_flags(scenes, output_dir, **{"train.max_iter": 3, "train.val_freq": 1,
                                                        "train.save_freq": 100, "data.val_dir": val_dir})
    with pytest.raises(SystemExit) as stopped:
        train.main(flags)
    assert stopped.value.code == 130
    assert [name for name in os.listdir(output_dir) if name.startswith("checkpoint_")] == ["checkpoint_00000001.json"]
    with open(output_dir / "losses.csv", encoding="utf-8") as log:
        assert [row["iteration"] for row in csv.DictReader(log)] == ["1"]


def test_a_fifo_in_the_place_of_a_folder_mid_run_is_said_to_be_a_pipe_not_a_file(tmp_path):
    """validation/ replaced by a FIFO (mkfifo) before a picture's write was said "is a file now ... move that file
    away", where no file is."""
    os.mkfifo(tmp_path / "validation")
    picture, error = written_into_a_held_folder(tmp_path, tmp_path / "validation" / "iteration_00000002.png")
    assert str(error.value) == (f"cannot write '{picture}' (Not a directory): '{tmp_path / 'validation'}' is a pipe "
                                "or device now, where a folder was while this ran; move that pipe or device away, "
                                "restore the folder, and run again")


def test_a_lock_file_of_mode_000_and_read_only_outputs_are_said_with_their_fix(tmp_path):
    """A lock file of mode 000 of the user's own was "cannot create the lock file ... (Permission denied); choose
    another path", where removing the file does; validation/ read-only at a resume was "'.../validation' cannot be
    written ('.../validation' is not writable); choose another path", the path twice, and val.png read-only "exists
    and is read-only; choose another path": another output folder advised, which loses the resume, where the
    permissions are the fix (run without root's override, so that the permissions hold)."""
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / ".tecogan.lock").write_text("")
    os.chmod(tmp_path / "locked" / ".tecogan.lock", 0)
    (tmp_path / "validation").mkdir(mode=0o555)
    (tmp_path / "val.png").write_bytes(b"picture")
    os.chmod(tmp_path / "val.png", 0o444)
    script = ("from utils.errors import UserError\nfrom utils.paths import lock_folder, output_file, output_folder\n"
              f"try:\n    with lock_folder({str(tmp_path / 'locked')!r}, 'output folder'):\n        pass\n"
              "except UserError as error:\n    print(error)\n"
              f"for check, path in ((output_folder, {str(tmp_path / 'validation')!r}), "
              f"(output_file, {str(tmp_path / 'val.png')!r})):\n"
              "    try:\n        check(path, 'training output')\n"
              "    except UserError as error:\n        print(error)\n")
    completed = run_python_without_root_override(script)
    assert completed.stdout.splitlines() == [
        f"output folder '{tmp_path / 'locked'}' holds a file named .tecogan.lock that this user may not read or write, "
        "where a run's lock file goes; remove that file or choose another path",
        f"training output '{tmp_path / 'validation'}' is not writable; give it write permission, or choose another "
        "path",
        f"training output '{tmp_path / 'val.png'}' exists and is read-only; give it write permission, or choose "
        "another path"], completed.stderr


def test_a_best_model_of_another_metric_s_row_is_replaced_where_the_best_row_s_model_was_deleted(tmp_path, capsys):
    """A resume with train.val_metric changed from PSNR to LPIPS, where the LPIPS-best row's model_param file was
    deleted, kept model_best.h5 the PSNR-best row's model under the new metric. A model_best.h5 of no kept row's
    (the deleted best's own) is kept."""
    from training.validation import BEST_MODEL, Validation
    for iteration in (2, 6):
        (tmp_path / f"model_param_{iteration:08d}.h5").write_bytes(f"model {iteration}".encode())
    (tmp_path / "val.csv").write_text("iteration,PSNR,LPIPS\n2,25.0,0.5\n4,22.0,0.1\n6,20.0,0.3\n")
    (tmp_path / BEST_MODEL).write_bytes(b"model 2")  # the PSNR-best's
    Validation([], str(tmp_path), 6, "lpips", "cpu")
    assert (tmp_path / BEST_MODEL).read_bytes() == b"model 6"  # the LPIPS-best of those kept
    assert "model_best.h5 is now the model of iteration 6, the best by LPIPS of the validations whose model_param " \
           "file is kept: that of the best, iteration 4, was deleted" in capsys.readouterr().out
    (tmp_path / BEST_MODEL).write_bytes(b"model 4")  # the LPIPS-best's own, its model_param file deleted since
    Validation([], str(tmp_path), 6, "lpips", "cpu")
    assert (tmp_path / BEST_MODEL).read_bytes() == b"model 4"


# Twenty-second pass, look at the training data, frame names and series

@pytest.mark.parametrize("names", [
    ["IMGP0001.JPG", "IMGP0002.JPG", "_IGP0003.JPG", "_IGP0004.JPG"],
    ["DSCF0001.JPG", "DSCF0002.JPG", "_DSF0003.JPG", "DSCF0004.JPG"],
    ["P6010001.JPG", "P6010002.JPG", "_6010003.JPG", "_6010004.JPG"],
    ["P1000001.JPG", "P1000002.JPG", "_1000003.JPG", "P1000004.JPG"]],
    ids=["Pentax's Adobe RGB", "Fujifilm's Adobe RGB", "Olympus' Adobe RGB", "Panasonic's Adobe RGB"])
def test_other_cameras_adobe_rgb_names_train_as_their_series(tmp_path, names):
    """The second look of the twenty-first pass joined a camera's Adobe RGB names to its sRGB ones by their letters'
    ending ('_MG_' of 'IMG_'); Pentax ('_IGP' of 'IMGP'), Fujifilm ('_DSF' of 'DSCF'), Olympus ('_601' of 'P601', a
    month and a day) and Panasonic ('_100' of 'P100') drop another of the four characters, and their series were refused
    as two series, or one frame as a poster (datasets.sequences.adobe_rgb_of)."""
    from hostile import trained_frame_names
    (tmp_path / "data").mkdir()
    assert trained_frame_names(str(tmp_path / "data"), names) == names


@pytest.mark.parametrize("names", [
    ["IMG_20230601_120000.jpg", "IMG_20230601_120000_1.jpg", "IMG_20230601_120000_2.jpg", "IMG_20230601_120001.jpg"],
    ["20230601_120000.jpg", "20230601_120000(0).jpg", "20230601_120000(1).jpg", "20230601_120001.jpg"]],
    ids=["Android's", "Samsung's"])
def test_a_phone_s_later_photos_of_one_second_train_in_order(tmp_path, names):
    """A phone's second photo of one second, Android's 'IMG_20230601_120000_1.jpg', Samsung's '20230601_120000(0).jpg',
    was refused as a copy of the first; ordered by all its digits it came after every later photo (ten times the
    number). Google Takeout's copy, '20230601_120000(1).jpg' where no '(0)' lies, is still a copy
    (utils.frame_names.TAKEN_IN_A_SECOND)."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_of_a_copy, trained_frame_names
    (tmp_path / "data").mkdir()
    assert trained_frame_names(str(tmp_path / "data"), names[::-1]) == names
    root, copy, original = sequence_of_a_copy(tmp_path / "copy", ["20230601_120000.jpg", "20230601_120001.jpg",
                                                                  "20230601_120000(1).jpg"], "20230601_120000.jpg")
    with pytest.raises(UserError, match=rf"^'{re.escape(copy)}' is named as a copy of '{re.escape(original)}' "):
        folder_sequences(root)


def test_a_phone_s_second_photo_of_one_second_in_another_format_is_no_gap_left_out(tmp_path):
    """Android's second photo of one second exported as '.webp' between the first and the next second's: left out
    without a word (its digits lay past the frames'), the frames either side trained on as consecutive, exit code 0."""
    from datasets.sequences import folder_sequences
    from hostile import PICTURE_IN_A_GAP, sequence_beside_a_picture
    root, path = sequence_beside_a_picture(tmp_path, ["IMG_20230601_120000.jpg", "IMG_20230601_120001.jpg"],
                                           "IMG_20230601_120000_1.webp")
    with pytest.raises(UserError, match=rf"^'{re.escape(path)}' {PICTURE_IN_A_GAP}"):
        folder_sequences(root)


@pytest.mark.parametrize("names", [
    ["1_1.png", "1_2.png", "1_10.png", "2_1.png"], ["f0001_v10.png", "f0002_v1.png", "f0003_v2.png"],
    ["1:0:59.png", "1:1:0.png", "1:1:1.png"], ["12h59m59s.png", "13h0m0s.png", "13h0m1s.png"]],
    ids=["scene and frame", "a version each frame", "a timecode", "hours, minutes, seconds"])
def test_frames_named_by_several_numbers_of_other_widths_are_ordered_by_each(tmp_path, names):
    """Frames ordered by all the digits of their names as one number: '1_10' (110) after '2_1' (21), 'f0001_v10'
    after 'f0002_v1', '1:0:59' after '1:1:0', trained on (and super-resolved, scored) in that order, exit code 0
    (utils.frame_names.frame_order); evaluate.py's targets and results so too."""
    from evaluation.scoring import list_png_frames
    from hostile import trained_frame_names
    (tmp_path / "data").mkdir()
    assert trained_frame_names(str(tmp_path / "data"), names[::-1]) == names
    assert [os.path.basename(path) for path in list_png_frames(str(tmp_path / "data" / "s"), "targets")] == names


def test_data_prepare_writes_a_video_mirrored_by_its_display_matrix_as_players_show_it(tmp_path):
    """dataPrepare.py --video of a video mirrored by its display matrix (QuickTime Player's Flip Horizontal, the pixels
    unchanged): OpenCV turned it by the matrix's rotation alone, and its scenes were written mirrored from what players
    show, exit code 0 (utils.video_probe.mirror_axis, as generate.py reads it)."""
    import cv2
    from authors_scripts import dataPrepare
    from hostile import ffmpeg_video
    from utils.video_probe import ffmpeg_executable
    plain = ffmpeg_video(tmp_path / "plain.mp4", frames=2, size="32x24")
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-display_hflip", "-i", plain, "-c", "copy",
                    str(tmp_path / "mirrored.mp4")], check=True)
    firsts = []
    for name in ("plain", "mirrored"):
        disk_path = tmp_path / f"{name} scenes"
        dataPrepare.prepare_scenes(dataPrepare.parse_args(["--disk_path", str(disk_path), "--video",
                                                           str(tmp_path / f"{name}.mp4"), "--duration", "2"]))
        firsts.append(cv2.imread(str(min((disk_path / "scene_2000").glob("*.png")))))
    assert np.array_equal(firsts[1], firsts[0][:, ::-1])


# Twenty-second pass, look at train.py's checkpoints, resume, stops and settings

def test_a_stop_signal_during_an_iteration_s_bookkeeping_stops_at_that_iteration(tmp_path, monkeypatch):
    """SIGTERM while iteration 1's row was logged (after the iteration's all-reduce; TensorBoard's write and flush, and
    the copy for a stop's checkpoint, come there too), off the save schedule: the stop was agreed at the next
    iteration's end, so iteration 2 was trained and checkpointed, though the line said "stopping after this
    iteration"."""
    import training.loss_log
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    real_add = training.loss_log.LossLog.add

    def add_then_signalled(self, iteration, values):
        if iteration == 1:  # once: a second signal aborts
            os.kill(os.getpid(), signal.SIGTERM)
        return real_add(self, iteration, values)
    monkeypatch.setattr(training.loss_log.LossLog, "add", add_then_signalled)
    with pytest.raises(SystemExit) as stopped:
        train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 3, "train.save_freq": 100}))
    assert stopped.value.code == 130
    assert sorted(name for name in os.listdir(output_dir) if name.startswith(("checkpoint_", "model_param_"))) == [
        "checkpoint_00000001.json", "model_param_00000001.h5"]
    with open(output_dir / "losses.csv", encoding="utf-8") as log:
        assert [row["iteration"] for row in csv.DictReader(log)] == ["1"]


@pytest.mark.parametrize("header, rows, said", [
    ("iteration,PSNR,LPIPS", ["2,25.0,0.5", "4,22.0,0.1"], "replace it by iteration 4's, the best by LPIPS"),
    ("iteration,PSNR", ["2,25.0", "4,22.0"], "remove it: no validation row holds a LPIPS score")],
    ids=["another best", "no score"])
def test_a_best_model_that_is_its_model_s_only_copy_is_kept_when_the_metric_changes(tmp_path, header, rows, said):
    """A resume with train.val_metric changed from PSNR to LPIPS, where the user had deleted the PSNR-best's
    model_param file (model_best.h5 its only copy), replaced model_best.h5 by the LPIPS-best's model, or removed it
    where no row has an LPIPS score: the model was lost."""
    from training.validation import BEST_MODEL, Validation
    (tmp_path / "model_param_00000004.h5").write_bytes(b"model 4")
    (tmp_path / "val.csv").write_text("\n".join([header, *rows]) + "\n")
    (tmp_path / BEST_MODEL).write_bytes(b"model 2")  # the PSNR-best's, model_param_00000002.h5 deleted
    with pytest.raises(UserError) as error:
        Validation([], str(tmp_path), 4, "lpips", "cpu")
    assert str(error.value) == (
        f"'{tmp_path / BEST_MODEL}' holds the only copy of its model (no model_param file in the output folder holds "
        f"it; the model_param file of val.csv's iteration 2 is missing), and this run would {said}; move it out of "
        "the folder to keep it, and run again")
    assert (tmp_path / BEST_MODEL).read_bytes() == b"model 2"


def test_the_loss_log_of_several_processes_is_their_global_batch_s(tmp_path, monkeypatch):
    """Under mpirun, losses.csv held rank 0's losses, of its slice of the global batch, where one process of that
    batch trains alike (docs/training.md) and logs the batch's: a run resumed on another process count mixed the two.
    A stand-in for a second process whose losses are 0 (its communicator's mean halves rank 0's)."""
    import train
    from training_data import logged_rows, make_calendar_scenes, tiny_training_flags
    from utils.distributed import SingleProcess
    averaged = []

    class WithAnIdleProcess(SingleProcess):
        size = 2

        def average(self, values):
            averaged.append(list(values))
            return np.asarray(values, np.float64) / 2
    monkeypatch.setattr(train, "make_communicator", lambda *args: WithAnIdleProcess())
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 1, "train.batch_size": 2}))
    rank_0 = dict(zip(["content_loss", "warp_loss", "fnet_loss"], averaged[0]))
    assert {name: float(logged_rows(output_dir)[0][name]) for name in rank_0} == {
        name: value / 2 for name, value in rank_0.items()}


# Twenty-second pass, second look at the twenty-second pass's training-data fixes

@pytest.mark.parametrize("names", [
    ["1_9.png", "1_10.png", "1_11.png", "2_1.png", "11_1.png"], ["f0001_v11.png", "f0002_v1.png", "f0011_v1.png"],
    ["0:1:10.png", "0:1:11.png", "0:11:1.png"]], ids=["scene and frame", "a version each frame", "a timecode"])
def test_frames_whose_numbers_make_one_number_as_digits_are_two_frames(tmp_path, names):
    """Ordered by each of their numbers (frame_order), frames were still told apart by all their digits as one
    number: scene 1's frame 11 and scene 11's frame 1 ('1_11', '11_1'), 'f0001_v11' and 'f0011_v1', '0:1:11' and
    '0:11:1' were refused as "both frame 111" (utils.frame_names.frame_order's numbers are a frame's number)."""
    from hostile import trained_frame_names
    from utils.frame_names import list_frames
    (tmp_path / "data").mkdir()
    assert trained_frame_names(str(tmp_path / "data"), names[::-1]) == names
    assert [os.path.basename(path) for path in list_frames(str(tmp_path / "data" / "s"))] == names


@pytest.mark.parametrize("names, picture, in_a_gap", [
    (["0:0:58.png", "0:0:59.png", "0:1:1.png"], "0:1:0.webp", True),
    (["1_8.png", "1_9.png", "2_1.png"], "1_10.webp", True),
    (["0:0:50.png", "0:0:59.png", "0:1:1.png"], "0:0:20.webp", False)],
    ids=["a minute's first second", "a scene's last frame", "before the first frame"])
def test_a_picture_of_another_format_lies_in_a_gap_by_each_number_of_its_name(tmp_path, names, picture, in_a_gap):
    """A picture of another format was placed among the frames by all its digits as one number, while they are ordered
    by each (frame_order): '0:1:0.webp' between '0:0:59' and '0:1:1' (10, outside 11..59) and '1_10.webp' between
    '1_9' and '2_1' were left out without a word, the frames either side trained on (and super-resolved) as
    consecutive, exit code 0; '0:0:20.webp' before the first frame (20, inside 11..59) was refused as in a gap."""
    from datasets.sequences import folder_sequences
    from hostile import PICTURE_IN_A_GAP, sequence_beside_a_picture
    root, path = sequence_beside_a_picture(tmp_path, names, picture)
    if in_a_gap:
        with pytest.raises(UserError, match=rf"^'{re.escape(path)}' {PICTURE_IN_A_GAP}"):
            folder_sequences(root)
    else:
        assert [os.path.basename(frame) for frame in folder_sequences(root)[0].frames] == names


def test_another_camera_s_adobe_rgb_names_of_other_digits_are_still_two_series(tmp_path):
    """The first look joined an Adobe RGB name to the sRGB name whose four characters but one are its three, their
    digits of any value: Olympus' '_6010001', '_6010002' among Panasonic's 'P1000001', 'P1000002' (their numbers the
    date's and the folder's too, no frame's in common) were trained on as one sequence of two cameras' frames, exit
    code 0 (datasets.sequences.adobe_rgb_of: the digits alike; another day's is of that day's sRGB names)."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_of_a_copy, trained_frame_names
    root, _, _ = sequence_of_a_copy(tmp_path / "two", ["P1000001.JPG", "P1000002.JPG", "_6010001.JPG",
                                                       "_6010002.JPG"], "P1000001.JPG")
    with pytest.raises(UserError, match=r"are frames of two series"):
        folder_sequences(root)
    one = ["P6010001.JPG", "P6020002.JPG", "_6020003.JPG"]
    (tmp_path / "one").mkdir()
    assert trained_frame_names(str(tmp_path / "one"), one) == one


# Twenty-second pass, second look at the twenty-second pass's training fixes

def test_a_stop_signal_to_another_process_while_it_waits_for_rank_0_s_writes_stops_at_that_iteration(
        tmp_path, monkeypatch):
    """Under mpirun, SIGTERM to rank 1 alone while it waited in the stop's exchange for rank 0's writes of iteration 1
    (its rows, a validation): rank 1 had sent its flag on entering, so the stop was agreed at iteration 2's end, one
    more trained, though rank 1's line said "stopping after this iteration". A stand-in for the second process: the
    signal comes inside the first exchange of one flag, after the flags were taken."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    from utils.distributed import SingleProcess
    exchanges = []

    class WithASignalledProcess(SingleProcess):
        size = 2

        def any(self, flags):
            agreed = np.asarray(flags, bool)
            exchanges.append(len(flags))
            if exchanges.count(1) == 1 and len(flags) == 1:  # iteration 1's stop exchange: the signal meanwhile
                os.kill(os.getpid(), signal.SIGTERM)
            return agreed
    monkeypatch.setattr(train, "make_communicator", lambda *args: WithASignalledProcess())
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    with pytest.raises(SystemExit) as stopped:
        train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 3, "train.save_freq": 100,
                                                              "train.batch_size": 1}))
    assert stopped.value.code == 130
    assert sorted(name for name in os.listdir(output_dir) if name.startswith("checkpoint_")) == [
        "checkpoint_00000001.json"]


@pytest.mark.parametrize("held, said", [
    ([], "no state for the fnet, gen solvers, and its solvers (none)"),
    (["gen"], "no state for the fnet solver, and its solvers (gen)"),
    (["fnet", "gen", "lr"], "the state of the lr solver, which this stage does not train, and its solvers (fnet, "
                            "gen, lr)")], ids=["none", "one of two", "an unknown one"])
def test_a_checkpoint_naming_solvers_of_no_stage_is_said_edited_not_of_the_other_stage(tmp_path, held, said):
    """An FRVSR checkpoint's JSON edited to name no solver, or one of its two, was "has no state for the fnet, gen
    solver(s): it was written by the other training stage", whose checkpoints name three (fnet, gen, disc)."""
    from training.checkpoint import load_checkpoint
    content = {"iteration": 2, "params": "params_00000002.h5",
               "solvers": {name: f"{name}_states_00000002.h5" for name in held}}
    path = str(tmp_path / "checkpoint_00000002.json")
    with pytest.raises(UserError) as error:
        load_checkpoint(path, content, {}, {"gen": None, "fnet": None})
    assert str(error.value) == (f"checkpoint '{path}' has {said} are no training stage's: it was edited or damaged; "
                                "resume from an earlier one")


def test_a_checkpoint_number_of_thousands_of_digits_is_said_without_python_s_advice(tmp_path):
    """An iteration of 5,000 digits was "incomplete or corrupt (Exceeds the limit (4300) for integer string conversion
    ...; use sys.set_int_max_str_digits() to increase the limit)": Python's advice to a programmer, in a user's line."""
    from training.checkpoint import read_checkpoint
    path = tmp_path / "checkpoint_00000002.json"
    path.write_text('{"iteration": ' + "9" * 5000 + ', "params": "params_00000002.h5", "solvers": {}}')
    with pytest.raises(UserError) as error:
        read_checkpoint(str(path))
    assert str(error.value) == (f"checkpoint '{path}' is incomplete or corrupt (a number of 5000 digits); resume from "
                                "an earlier one")


def test_a_folder_named_model_best_h5_where_the_best_row_s_model_was_deleted_says_to_move_it(tmp_path):
    """A folder in the place of model_best.h5, at a resume where the best row's model_param file was deleted, was
    "training output '.../model_best.h5' is a folder, not a file", without what to do (its write and its removal say
    to move it away)."""
    from training.validation import BEST_MODEL, Validation
    (tmp_path / "model_param_00000004.h5").write_bytes(b"model 4")
    (tmp_path / "val.csv").write_text("iteration,PSNR\n2,25.0\n4,22.0\n")
    (tmp_path / BEST_MODEL).mkdir()
    with pytest.raises(UserError) as error:
        Validation([], str(tmp_path), 4, "psnr", "cpu")
    assert str(error.value) == (f"training output '{tmp_path / BEST_MODEL}' is a folder, not a file; move it away and "
                                "run again")


# Twenty-third pass, look at train.py's checkpoints, resume, stops and settings

def _schedule_refusal(*flags):
    import train
    with pytest.raises(UserError) as error:
        train.scaled_schedule(train.parse_args(["--input_video_dir", "in", "--output_dir", "out", *flags]), 1)
    return str(error.value)


@pytest.mark.parametrize("key", ["train.max_iter", "train.batch_size"])
def test_a_setting_of_thousands_of_digits_is_told_as_one_of_a_hundred(key):
    """--set integers of more than 4,300 digits (more than Python reads from text) were left text, "bad value
    '999...' for train.max_iter: expected a positive integer", where one of 101 digits is said to give more iterations
    than NNabla's solvers count; a batch of 309 digits or more (past a float's range) was an OverflowError traceback."""
    said = _schedule_refusal("--set", f"{key}=" + "9" * 101)
    assert _schedule_refusal("--set", f"{key}=" + "9" * 5000) == said
    assert _schedule_refusal("--set", f"{key}=" + "9" * 400) == said


@pytest.mark.parametrize("setting, said", [
    ("train.max_iter=1e400", "train.max_iter 1e400 gives more iterations at batch 4 x 1 process than the 2147483647"),
    ("train.max_iter=1e99999999999", "train.max_iter 1e99999999999 gives more iterations at batch 4 x 1 process"),
    ("train.save_minutes=-1.5E+400", "bad value -1.5E+400 for train.save_minutes: expected a non-negative number")])
def test_a_number_past_a_float_s_range_is_said_as_written_not_inf(setting, said):
    """1e400, past a float's range, was read as inf: "bad value inf for train.max_iter: expected a positive integer",
    where 10^400 written in digits gives more iterations than NNabla's solvers count (and 1e99999999999 is not made
    whole: it would fill the memory)."""
    assert _schedule_refusal("--set", setting).startswith(said)


def test_a_config_file_setting_of_thousands_of_digits_is_read_as_a_number(tmp_path):
    """In a config file, a number of 5,000 digits was "not valid YAML at line 2; fix the syntax"; train.save_freq so
    large is taken as one of 30 digits is (no save by the schedule), and leading zeros past 4,300 digits are zeros."""
    import train
    (tmp_path / "c.yaml").write_text("train:\n  save_freq: " + "9" * 5000 + "\n  rnn_n: " + "0" * 5000 + "3\n")
    config = train.parse_args(["--cfg", str(tmp_path / "c.yaml"), "--input_video_dir", "in", "--output_dir", "out"])
    assert config.train.save_freq > 10 ** 4000 and config.train.rnn_n == 3


@pytest.mark.parametrize("key", ["data.end_dir", "data.max_frm"])
def test_a_setting_a_checkpoint_cannot_hold_is_refused_before_training(key):
    """data.end_dir of 101 digits (ids 2000 to it: the scenes there) trained and wrote checkpoints that record it, and
    the first resume was "incomplete or corrupt (a number of 101 digits); resume from an earlier one", of the run's
    only checkpoints."""
    import train
    config = train.parse_args(["--input_video_dir", "in", "--output_dir", "out", "--set", f"{key}=1" + "0" * 100])
    with pytest.raises(UserError) as error:
        train.run_settings(config, 1)
    assert str(error.value) == (f"{key} 1000000000000000000000000000000000000... has more than 100 digits, more than a "
                                "checkpoint records (no run needs one that large); lower it")


def test_a_crop_of_thousands_of_digits_is_refused_before_the_sampler(tmp_path, capsys):
    """train.crop_size of 5,000 digits, a multiple of 8, read as the number it is, was a ValueError traceback in the
    sampler (an HR crop of more digits than str() writes): a setting a checkpoint records is checked first."""
    import train
    assert user_error_line(train.main, ["--input_video_dir", str(tmp_path), "--output_dir", str(tmp_path / "run"),
                                        "--context", "cpu", "--set", "train.crop_size=8" + "0" * 4999], capsys) == (
        "error: train.crop_size 8000000000000000000000000000000000000... has more than 100 digits, more than a "
        "checkpoint records (no run needs one that large); lower it")


@pytest.mark.parametrize("iteration, name", [(10 ** 30, "checkpoint_00000002.json"),
                                             (10 ** 30, f"checkpoint_{10 ** 30}.json"),
                                             (2 ** 31, f"checkpoint_{2 ** 31}.json"),
                                             (-5, "checkpoint_00000002.json")],
                         ids=["30 digits", "30 digits so named", "past a C int, so named", "negative"])
def test_a_checkpoint_of_an_iteration_no_run_reaches_is_said_edited(tmp_path, iteration, name):
    """A checkpoint's JSON holding iteration 10^30 was told to be renamed checkpoint_<that number>.json, an iteration
    no run reaches (NNabla's solvers count their steps in a C int), and one so named was read as a checkpoint; a
    negative one was told to be renamed checkpoint_-0000005.json."""
    from training.checkpoint import refuse_renamed_checkpoints
    path = tmp_path / name
    path.write_text(json.dumps({"iteration": iteration, "params": "params_00000002.h5", "solvers": {}}))
    (tmp_path / "params_00000002.h5").write_bytes(b"")
    with pytest.raises(UserError) as error:
        refuse_renamed_checkpoints(str(tmp_path))
    assert str(error.value) == (f"checkpoint '{path}' holds iteration {iteration}, which no run reaches (NNabla's "
                                "solvers count 0 to 2147483647 steps): it was edited or damaged; move it out of the "
                                "folder, and resume from another")


@pytest.mark.parametrize("rows, kept, known", [
    ("iteration,PSNR\n", [4], ", and val.csv holds no row"),
    (None, [4], ", and there is no val.csv"),
    ("iteration,PSNR\n2,25.0\n4,22.0\n", [2, 4], ", and every val.csv row's model_param file is there"),
    ("iteration,PSNR\n2,25.0\n4,22.0\n6,21.0\n8,20.0\n9,19.0\n", [9],
     "; the model_param files of val.csv's iterations 2, 4, 6 and 1 more are missing")],
    ids=["a header alone", "no val.csv", "every row's file kept", "four files missing"])
def test_the_refusal_of_a_best_model_that_is_its_only_copy_says_what_is_known(tmp_path, rows, kept, known):
    """The refusal guessed its cause in every case ("the best by another train.val_metric, its model_param file
    deleted?"), also where val.csv was cut to its header or removed, or every row's model is kept (a user's file)."""
    from training.validation import BEST_MODEL, Validation
    for iteration in kept:
        (tmp_path / f"model_param_{iteration:08d}.h5").write_bytes(f"model {iteration}".encode())
    if rows is not None:
        (tmp_path / "val.csv").write_text(rows)
    (tmp_path / BEST_MODEL).write_bytes(b"another model")
    with pytest.raises(UserError) as error:
        Validation([], str(tmp_path), 10, "ssim", "cpu")
    assert str(error.value).startswith(f"'{tmp_path / BEST_MODEL}' holds the only copy of its model (no model_param "
                                       f"file in the output folder holds it{known}), and this run would remove it: ")
    assert (tmp_path / BEST_MODEL).read_bytes() == b"another model"


@pytest.mark.parametrize("key, said", [
    ("train.crop_size", "train.crop_size 9999999999999999999999999999999999999... is not a multiple of 8 (the flow net "
                        "pools the LR crop three times by 2); use 9999999999999999999999999999999999999... or "),
    ("train.val_crop", "bad value 9999999999999999999999999999999999999... for train.val_crop: expected a multiple"),
    ("train.val_freq", "train.val_freq 9999999999999999999999999999999999999... needs data.val_dir"),
    ("data.str_dir", "data.end_dir (2250) is below data.str_dir (9999999999999999999999999999999999999...)")])
@pytest.mark.parametrize("digits", [400, 4300])
def test_a_setting_of_hundreds_of_digits_is_shortened_in_its_line(key, said, digits):
    """Whole numbers of hundreds of digits were written whole into these lines (4 kB of nines), and train.crop_size of
    4,300 nines was a ValueError traceback: its multiple of 8 above has more digits than str() writes."""
    from training.config import load_config, parse_value
    with pytest.raises(UserError) as error:
        load_config(overrides={key: parse_value("9" * digits)})
    assert str(error.value).startswith(said) and len(str(error.value)) < 220


# Twenty-third pass, look at the training data, frame names and series

@pytest.mark.parametrize("names, picture", [
    (["IMG_0001.JPG", "IMG_0003.JPG"], "_MG_0002.webp"), (["DSCF0001.JPG", "DSCF0003.JPG"], "_DSF0002.tif")],
    ids=["Canon's", "Fujifilm's"])
def test_a_camera_s_adobe_rgb_picture_of_another_format_between_its_srgb_frames_is_no_gap_left_out(tmp_path, names,
                                                                                                    picture):
    """A camera's Adobe RGB picture exported in a format frames are not read in, between its sRGB frames and no Adobe
    RGB frame among them: its pattern ('_mg_0') was none of the frames', and it was left out without a word, the frames
    either side trained on (and super-resolved) as consecutive, exit code 0 (utils.frame_names.series_pattern, as
    series_patterns joins an Adobe RGB frame to its camera's series)."""
    from datasets.sequences import folder_sequences
    from hostile import PICTURE_IN_A_GAP, sequence_beside_a_picture
    root, path = sequence_beside_a_picture(tmp_path, names, picture)
    with pytest.raises(UserError, match=rf"^'{re.escape(path)}' {PICTURE_IN_A_GAP}"):
        folder_sequences(root)


def test_nikon_s_adobe_rgb_names_among_a_fujifilm_s_are_another_camera_s_and_an_editor_s_ending_is_kept(tmp_path):
    """Nikon's (or Sony's) Adobe RGB '_DSC0104', '_DSC0105' among a Fujifilm's 'DSCF0001', 'DSCF0002' ('_DSC' is
    'DSCF' but 'F') were trained on as one sequence, exit code 0: Fujifilm names its Adobe RGB pictures '_DSF'
    (utils.frame_names.ADOBE_RGB_NAMES). And a camera's series exported by an editor that ends every name alike (DxO
    PhotoLab's '_DxO', Lightroom's '-Edit') was refused as two series, or its Adobe RGB frame as a poster (DCF_NAME's
    ending)."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_of_a_copy, trained_frame_names
    root, _, _ = sequence_of_a_copy(tmp_path / "two", ["DSCF0001.JPG", "DSCF0002.JPG", "_DSC0104.JPG",
                                                       "_DSC0105.JPG"], "DSCF0001.JPG")
    with pytest.raises(UserError, match=r"are frames of two series"):
        folder_sequences(root)
    (tmp_path / "one").mkdir()
    for names in (["IMG_0001_DxO.JPG", "IMG_0002_DxO.JPG", "_MG_0003_DxO.JPG"],
                  ["DSCF0001-Edit.JPG", "_DSF0002-Edit.JPG", "_DSF0003-Edit.JPG"]):
        assert trained_frame_names(str(tmp_path / "one"), names) == names


def test_a_group_of_groups_of_sequences_beside_a_sequence_is_named_not_left_out(tmp_path):
    """A group folder's folder of sequence folders ('g/h/s/0001.png', three levels down) beside a sequence 'a': left
    out without a word, the run trained on 'a' alone, exit code 0 (datasets.sequences.DEEPER); a NAS's snapshots of
    the share ('#snapshot/GMT+00_2026/a/0001.png') are a drive's own folder, and no sequences, as before."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"a": 2, "#snapshot/GMT+00_2026/a": 2},
                                 sizes={"a": (8, 8), "#snapshot/GMT+00_2026/a": (8, 8)})
    assert [sequence.name for sequence in folder_sequences(root)] == ["a"]
    make_sequence_folders(root, {"g/h/s": 2}, sizes={"g/h/s": (8, 8)})
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(root, 'g', 'h'))}' holds folders of frames "
                                        r"deeper than the layout reads \(<group>/<sequence>/<frames>\), "):
        folder_sequences(root)


# Twenty-third pass, second look at the twenty-third pass's training-data fixes

def test_a_group_of_groups_four_levels_down_is_named_and_a_sequence_s_own_folders_are_not(tmp_path):
    """A group folder's folders of sequence folders four levels down ('g/h/i/s/0001.png' beside a sequence 'a') were
    still left out without a word, the run trained on 'a' alone, exit code 0 (DEEPER looked a level deeper only; now
    datasets.sequences.holds_folders_of_frames walks the folders that hold no frames); and a sequence's own folder of
    folders of frames ('a/thumbs/small/0001.png') was refused as DEEPER, "move its sequences up a level", where the
    sequences layout never reads a sequence's folders."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"a": 2, "a/thumbs/small": 2},
                                 sizes={"a": (8, 8), "a/thumbs/small": (8, 8)})
    assert [sequence.name for sequence in folder_sequences(root)] == ["a"]
    make_sequence_folders(root, {"g/h/i/s": 2}, sizes={"g/h/i/s": (8, 8)})
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(root, 'g', 'h'))}' holds folders of frames "
                                        r"deeper than the layout reads \(<group>/<sequence>/<frames>\), "):
        folder_sequences(root)


def test_another_camera_s_adobe_rgb_names_among_a_coolpix_s_are_two_series(tmp_path):
    """A Nikon DSLR's (or a Sony's) Adobe RGB '_DSC0104', '_DSC0105' among a Coolpix's 'DSCN0001', 'DSCN0002' ('_DSC'
    is 'DSCN' but 'N') were trained on as one sequence, exit code 0: a Coolpix names every original 'DSCN'
    (utils.frame_names.ADOBE_RGB_NAMES)."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_of_a_copy
    root, _, _ = sequence_of_a_copy(tmp_path, ["DSCN0001.JPG", "DSCN0002.JPG", "_DSC0104.JPG", "_DSC0105.JPG"],
                                    "DSCN0001.JPG")
    with pytest.raises(UserError, match=r"are frames of two series"):
        folder_sequences(root)


@pytest.mark.parametrize("unfinished", ["0002.png.crdownload", "0002.png.part", "0002.png_original", "0002.png~"])
def test_a_download_not_finished_or_a_backup_in_a_gap_is_refused(tmp_path, unfinished):
    """A frame still downloading (Chrome's '.crdownload', Firefox's '.part'), or kept only as exiftool's or an
    editor's backup, between '0001.png' and '0003.png' was left out without a word, the frames either side trained on
    (and super-resolved) as consecutive, exit code 0 (utils.frame_names.UNFINISHED)."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_beside_a_picture
    root, path = sequence_beside_a_picture(tmp_path, ["0001.png", "0003.png"], unfinished)
    with pytest.raises(UserError, match=rf"^'{re.escape(path)}' is a picture's download not finished, or its backup, "):
        folder_sequences(root)


def test_a_phone_s_later_photo_of_one_second_with_an_editor_s_ending_is_of_its_series(tmp_path):
    """A phone's photos exported by an editor that ends every name alike (Lightroom's '-Edit'): the second photo of
    one second, 'IMG_20230601_120000_1-Edit', was refused as a poster ("named otherwise than the other frames");
    a copy of it ('-Edit-2', Lightroom's) is still refused as a copy (utils.frame_names.EDITED)."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_of_a_copy, trained_frame_names
    names = ["IMG_20230601_120000-Edit.jpg", "IMG_20230601_120000_1-Edit.jpg", "IMG_20230601_120001-Edit.jpg"]
    (tmp_path / "one").mkdir()
    assert trained_frame_names(str(tmp_path / "one"), names) == names
    root, copy, original = sequence_of_a_copy(tmp_path / "two", names + ["IMG_20230601_120000_1-Edit-2.jpg"],
                                              names[1])
    with pytest.raises(UserError, match=rf"^'{re.escape(copy)}' is named as a copy of '{re.escape(original)}' "):
        folder_sequences(root)


# Twenty-third pass, second look at the twenty-third pass's training fixes

@pytest.mark.parametrize("setting, said", [
    ("train.save_minutes=" + "9" * 5000 + ".5", "bad value 999999999999999999...99999999999999999.5 for "
                                                "train.save_minutes: expected a non-negative number of minutes"),
    ("train.max_iter=" + "9" * 400 + ".5", "bad value 999999999999999999...99999999999999999.5 for train.max_iter: "
                                           "expected a positive integer"),
    ("train.max_iter=1e-400", "bad value 1e-400 for train.max_iter: expected a positive integer"),
    ("train.seed=1e-400", "bad value 1e-400 for train.seed: expected an integer from 0 to 2^31 - 1"),
    ("train.eps=-1e-400", "bad value -1e-400 for train.eps: expected a positive finite float32 number"),
    ("train.learning_rate=1e-400", "train.learning_rate 1e-400 scaled by batch 4 x 1 process / 4 is 0 in float32")])
def test_a_number_past_a_float_s_range_or_below_its_smallest_is_said_as_written(setting, said):
    """A number of hundreds of digits ending in .5 (no whole number) was "bad value inf", and one below a float's
    smallest (1e-400) "bad value 0" or "bad value 0.0", values not written; train.seed=1e-400 was seed 0, exit code
    0."""
    assert _schedule_refusal("--set", setting).startswith(said)


def test_save_minutes_below_a_float_s_smallest_saves_at_every_iteration_and_one_past_its_range_is_said_so():
    """train.save_minutes=1e-400 was read as 0, off, where 1e-9 saves at every iteration; one past a float's range
    (1e400) was said to be no "non-negative number of minutes"."""
    from training.config import load_config, parse_value
    assert load_config(overrides={"train.save_minutes": parse_value("1e-400")}).train.save_minutes > 0
    with pytest.raises(UserError) as error:
        load_config(overrides={"train.save_minutes": parse_value("1e400")})
    assert str(error.value) == ("bad value 1e400 for train.save_minutes: expected a non-negative number of minutes of "
                                "at most 1.8e+308 (0: off)")


def test_a_negative_iteration_given_as_checkpoint_is_said_as_in_the_output_folder(tmp_path):
    """--checkpoint of a JSON holding iteration -5 was "not a checkpoint of train.py (it needs iteration, params,
    solvers)", where the same file in the output folder is "holds iteration -5, which no run reaches"."""
    from training.checkpoint import read_checkpoint
    path = tmp_path / "checkpoint_00000002.json"
    path.write_text(json.dumps({"iteration": -5, "params": "params_00000002.h5", "solvers": {}}))
    (tmp_path / "params_00000002.h5").write_bytes(b"")
    with pytest.raises(UserError, match=r"holds iteration -5, which no run reaches \(NNabla's solvers count 0 to "):
        read_checkpoint(str(path))


def test_a_resume_s_changed_settings_are_shortened_in_its_line():
    """A setting edited into a checkpoint's JSON (a string of 100 kB) was written whole into the refusal's line."""
    from training.checkpoint import check_settings
    with pytest.raises(UserError) as error:
        check_settings("c.json", {"settings": {"data.degradation": "x" * 100_000, "data.end_dir": 10 ** 99}},
                       {"data.degradation": "bicubic", "data.end_dir": 5})
    assert "data.degradation '" + "x" * 296 + "... -> 'bicubic'" in str(error.value)
    assert f"data.end_dir {10 ** 99} -> 5" in str(error.value) and len(str(error.value)) < 700


def test_a_row_s_model_param_name_that_is_a_folder_is_said_a_folder_not_deleted(tmp_path, capsys):
    """A val.csv row's model_param_<iter>.h5 that is a folder was said "deleted" in the line that model_best.h5 is
    now another row's model, and "missing" in the refusal of model_best.h5 as its model's only copy."""
    from training.validation import BEST_MODEL, Validation
    (tmp_path / "model_param_00000004.h5").mkdir()
    (tmp_path / "model_param_00000006.h5").write_bytes(b"model 6")
    (tmp_path / "val.csv").write_text("iteration,PSNR,LPIPS\n2,25.0,0.5\n4,22.0,0.1\n6,20.0,0.3\n")
    (tmp_path / BEST_MODEL).write_bytes(b"another model")
    with pytest.raises(UserError, match=r"the model_param files of val\.csv's iterations 2, 4 are missing or "
                                        r"folders\), and this run would remove it"):
        Validation([], str(tmp_path), 6, "ssim", "cpu")  # no row scored by SSIM
    (tmp_path / "model_param_00000002.h5").write_bytes(b"model 2")  # the PSNR-best's
    (tmp_path / BEST_MODEL).write_bytes(b"model 2")
    Validation([], str(tmp_path), 6, "lpips", "cpu")
    assert (tmp_path / BEST_MODEL).read_bytes() == b"model 6"
    assert "that of the best, iteration 4, is a folder, not a file" in capsys.readouterr().out


@pytest.mark.parametrize("digits", [400, 5000])
def test_scenes_fewer_than_a_sequence_of_hundreds_of_digits_are_said_shortened(digits):
    """data.max_frm below train.rnn_n - 1, both of hundreds of digits, wrote both numbers whole into the line (1 kB),
    and past 4,299 digits the frame count (data.max_frm + 1) was a ValueError traceback."""
    from training.config import load_config, parse_value
    with pytest.raises(UserError) as error:
        load_config(overrides={"data.max_frm": parse_value("9" * digits), "train.rnn_n": parse_value("9" * 6000)})
    assert str(error.value).startswith("data.max_frm 9999999999999999999999999999999999999... gives scenes of ")
    assert len(str(error.value)) < 240


# Twenty-fourth pass, look at train.py's checkpoints, resume, stops and settings

@pytest.mark.parametrize("text", ["1e400", "9" * 5000, "-" + "9" * 400 + ".5", "1e-400", "1e23"])
def test_a_setting_read_as_written_survives_a_copy_and_a_pickle(text):
    """copy.deepcopy and pickle of a LongInteger or a WrittenNumber (a configuration copied by a user's script or a
    library) raised TypeError: they were made again from the int's or float's value alone."""
    import copy
    import pickle
    from training.config import parse_value
    value = parse_value(text)
    for copied in (copy.deepcopy(value), pickle.loads(pickle.dumps(value)), pickle.loads(pickle.dumps(value, 0))):
        assert (type(copied) is type(value) and copied == value and str(copied) == str(value)
                and repr(copied) == repr(value) == (text if len(text) < 40 else f"{text[:18]}...{text[-19:]}"))


@pytest.mark.parametrize("setting, taken", [("data.end_dir=1e23", 10 ** 23), ("train.save_freq=1_0e22", 10 ** 23),
                                            ("train.save_freq=1.00000000000000000001e22", 10 ** 22 + 100),
                                            ("train.max_iter=!!float 0:0", None),
                                            ("train.max_iter=0.99999999999999999999", None)])
def test_a_whole_number_written_with_an_exponent_is_the_number_written(setting, taken):
    """1e23 for a whole-number setting was taken as 99999999999999991611392 (the float's value), written so into its
    line and its arithmetic (train.max_iter 4e23 at a batch of 1e23 was 15 iterations); 0.99999999999999999999 (the
    float 1.0) was one iteration; and '!!float 0:0' (YAML 1.1's sexagesimal) was a decimal.InvalidOperation traceback,
    in a config file too."""
    import train
    flags = ["--input_video_dir", "in", "--output_dir", "out", "--set", setting]
    if taken is None:
        with pytest.raises(UserError, match=r"^bad value (0|0\.99999999999999999999) for train\.max_iter: expected"):
            train.parse_args(flags)
        return
    key = setting.split("=")[0].split(".")[1]
    config = train.parse_args(flags)
    assert getattr(config.train if key == "save_freq" else config.data, key) == taken
    assert train.scaled_schedule(train.parse_args(["--input_video_dir", "in", "--output_dir", "out", "--max_iter",
                                                   "4e23", "--batch_size", "1e23"]), 1)[0] == 16


def test_a_checkpoint_recording_off_schedule_models_past_its_iteration_is_refused(tmp_path):
    """A checkpoint's off_schedule_models past its iteration (edited or damaged) was read and kept: once the run reached
    that iteration on the schedule, its model_param file was deleted as one written off the schedule (a checkpoint of
    iteration 2 recording 4, resumed with train.save_minutes=1e-9: model_param_00000004.h5, on the schedule of
    train.save_freq 2, gone, exit code 0)."""
    from training.checkpoint import read_checkpoint
    for name in ("params_00000002.h5", "gen_states_00000002.h5"):
        (tmp_path / name).write_bytes(b"")
    path = tmp_path / "checkpoint_00000002.json"
    path.write_text(json.dumps({"iteration": 2, "params": "params_00000002.h5",
                                "solvers": {"gen": "gen_states_00000002.h5"}, "off_schedule_models": [1, 4, 2 ** 31]}))
    with pytest.raises(UserError) as error:
        read_checkpoint(str(path))
    assert str(error.value) == (f"checkpoint '{path}' records model_param files written off the schedule at iteration "
                                "4, past its own 2: it was edited or damaged; move it out of the folder, and resume "
                                "from another")
    path.write_text(json.dumps({"iteration": 2, "params": "params_00000002.h5",
                                "solvers": {"gen": "gen_states_00000002.h5"}, "off_schedule_models": [1, 2]}))
    assert read_checkpoint(str(path))["off_schedule_models"] == [1, 2]


def test_a_row_s_model_param_name_that_is_a_pipe_is_said_no_file_not_deleted(tmp_path, capsys):
    """A val.csv row's model_param_<iter>.h5 that is a pipe (or a socket) was said "deleted" in the line that
    model_best.h5 is now another row's model, and "missing" in the refusal of model_best.h5 as its model's only copy."""
    from training.validation import BEST_MODEL, Validation
    (tmp_path / "val.csv").write_text("iteration,PSNR\n2,25.0\n4,22.0\n")
    os.mkfifo(tmp_path / "model_param_00000002.h5")
    (tmp_path / BEST_MODEL).write_bytes(b"model 3")
    with pytest.raises(UserError, match=r"the model_param files of val\.csv's iterations 2, 4 are missing or not "
                                        r"files\), and this run would remove it"):
        Validation([], str(tmp_path), 6, "ssim", "cpu")  # no row scored by SSIM
    (tmp_path / "model_param_00000004.h5").write_bytes(b"model 4")
    (tmp_path / BEST_MODEL).write_bytes(b"model 4")
    Validation([], str(tmp_path), 6, "psnr", "cpu")
    assert "that of the best, iteration 2, is not a file" in capsys.readouterr().out


@pytest.mark.parametrize("flags, said", [
    (["--set", "train.learning_rate=1e-300"], "train.learning_rate 1e-300 scaled by batch 1000000000000000000000000000000"
                                              "000000... x 1 process / 4 is 0 in float32"),
    (["--set", "train.learning_rate=1e-60", "--max_iter", "1e130"],
     "train.max_iter 1000000000000000000000000000000000000... gives more iterations at batch 1000000000000000000000000"
     "000000000000... x 1 process than"),
    (["--set", "train.learning_rate=1e-60", "--max_iter", "1" + "0" * 98],
     "train.max_iter 1000000000000000000000000000000000000... gives no iteration at batch 1000000000000000000000000000000"
     "000000... x 1 process; raise --max_iter")])
def test_a_batch_of_a_hundred_digits_is_shortened_in_every_schedule_line(flags, said):
    """A batch of 100 digits (the most a checkpoint records, let through by run_settings) was written whole into the
    lines of a learning rate 0 in float32 and of more iterations than NNabla's solvers count, and train.max_iter of 99
    digits into that of no iteration, where the line beside them shortens it."""
    assert _schedule_refusal("--batch_size", "1" + "0" * 99, *flags).startswith(said)


def test_counts_of_one_are_said_in_the_singular(tmp_path, capsys):
    """"1 residual blocks" (--num_resblock 1) in the line a run starts with, "the run ... is finished: 1 iterations
    done" at a run of one iteration run again, "validation clip '...' has 1 frames", and a solver state's step count
    "past the checkpoint's 1 iterations"."""
    from types import SimpleNamespace
    import train
    from training.checkpoint import stored_state_damage
    from training.validation import read_clip
    from training_data import make_calendar_scenes, make_sequence_folders, tiny_training_flags
    assert train.blocks_description(SimpleNamespace(train=SimpleNamespace(num_resblock=1)), 1, None) == (
        "1 residual block")
    output_dir = tmp_path / "run"
    output_dir.mkdir()
    for name in ("params_00000001.h5", "gen_states_00000001.h5", "fnet_states_00000001.h5"):
        (output_dir / name).write_bytes(b"")
    (output_dir / "checkpoint_00000001.json").write_text(json.dumps({
        "iteration": 1, "params": "params_00000001.h5",
        "solvers": {"gen": "gen_states_00000001.h5", "fnet": "fnet_states_00000001.h5"}}))
    train.main(tiny_training_flags(make_calendar_scenes(tmp_path / "scenes"), output_dir) + ["--max_iter", "1"])
    assert "is finished: 1 iteration done, train.max_iter 1 gives 1;" in capsys.readouterr().out
    clip = make_sequence_folders(tmp_path / "val", {"clip": 1}, sizes={"clip": (32, 32)})
    with pytest.raises(UserError, match=r"validation clip '.*' has 1 frame; at least 5 are needed"):
        read_clip(os.path.join(clip, "clip"), 5, 32, "bd", 4)
    state = {"mean": np.zeros(2, np.float32), "var": np.zeros(2, np.float32)}
    assert stored_state_damage({"w": {**state, "t": np.array(5)}}, {"w": SimpleNamespace(pstate=state)}, 1) == (
        "a step count of 5 for parameter 'w', past the checkpoint's 1 iteration")


def test_a_stop_asked_during_the_last_iteration_finishes_the_run(tmp_path, capsys, monkeypatch):
    """A stop signal during the last iteration's step (before its losses were agreed) was "stopped at iteration 1 of
    1 on request, with a checkpoint; run the same command again to continue", exit code 130, of a finished run (the
    command run again "is finished"); docs/training.md: at the last iteration the run finishes, exit code 0."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    real_step = train.training_step

    def step_then_stop(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGUSR1)
        return real_step(*args, **kwargs)
    monkeypatch.setattr(train, "training_step", step_then_stop)
    train.main(tiny_training_flags(make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run", **{"train.max_iter": 1}))
    out = capsys.readouterr().out
    assert "trained 1 iteration in " in out and "stopped at iteration" not in out
    assert (tmp_path / "run" / "checkpoint_00000001.json").is_file()


def test_a_config_file_from_a_pipe_is_read_once():
    """--cfg of a pipe (bash's --cfg <(sed ... my.yaml), --cfg /dev/stdin) was opened twice, for its head and then
    for the YAML, and the second open read nothing: an empty file, config.yaml's defaults trained on, exit code 0."""
    import train
    read, write = os.pipe()
    os.write(write, b"train:\n  max_iter: 7\n")
    os.close(write)
    try:
        config = train.parse_args(["--cfg", f"/dev/fd/{read}", "--input_video_dir", "in", "--output_dir", "out"])
    finally:
        os.close(read)
    assert config.train.max_iter == 7


# Twenty-fourth pass, look at the training data, frame names and series

def test_pictures_of_another_format_three_levels_down_are_named_not_left_out(tmp_path):
    """'.webp' frames three levels down ('g/h/s/0001.webp' beside a sequence 'a') were left out without a word, the
    run trained on 'a' alone, exit code 0, where '.png' ones there are refused as DEEPER and '.webp' ones two levels
    down as OTHER_FORMAT (datasets.sequences.holds_folders_of_frames)."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"a": 2}, sizes={"a": (8, 8)})
    os.makedirs(os.path.join(root, "g", "h", "s"))
    for number in (1, 2):
        with open(os.path.join(root, "g", "h", "s", f"{number:04d}.webp"), "wb") as picture:
            picture.write(b"RIFF")
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(root, 'g', 'h'))}' holds folders of frames "
                                        r"deeper than the layout reads"):
        folder_sequences(root)


@pytest.mark.parametrize("names", [["poster_0.png", "0001.png", "0002.png"],
                                   ["IMG_0001 copy.JPG", "IMG_0002 copy.JPG", "_MG_0003.JPG", "IMG_0004 copy.JPG"]])
def test_generate_s_input_refuses_a_frame_named_otherwise_as_training_does(tmp_path, names):
    """generate.py's input (and the page's) read a frame named otherwise than all the others with a number ('poster_0'
    before '0001', super-resolved as the first frame, exit code 0) that training refuses as a poster: only training's
    listing read series (utils.frame_names.no_stray_frame, in list_frames, of one before the last frame)."""
    from hostile import sequence_of_a_copy
    from utils.frame_names import list_frames
    root, _, _ = sequence_of_a_copy(tmp_path, names, names[0])
    stray = next(name for name in names if name.startswith(("poster", "_MG_")))
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(root, 's', stray))}' is named otherwise than "):
        list_frames(os.path.join(root, "s"))


@pytest.mark.parametrize("srgb, adobe_rgb", [("CIMG", "_IMG"), ("RSCN", "_SCN")])
def test_another_camera_s_adobe_rgb_names_among_a_casio_s_or_a_coolpix_s_copies_are_two_series(tmp_path, srgb,
                                                                                                adobe_rgb):
    """'_IMG0104', '_IMG0105' among a Casio's 'CIMG0001', 'CIMG0002' (its manuals: every file is 'CIMG'), and '_SCN'
    among a Coolpix's cropped copies 'RSCN' (it writes no Adobe RGB name), were trained on as one camera's sequence,
    exit code 0 (utils.frame_names.ADOBE_RGB_NAMES)."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_of_a_copy
    names = [f"{srgb}0001.JPG", f"{srgb}0002.JPG", f"{adobe_rgb}0104.JPG", f"{adobe_rgb}0105.JPG"]
    root, _, _ = sequence_of_a_copy(tmp_path, names, names[0])
    with pytest.raises(UserError, match=r"are frames of two series"):
        folder_sequences(root)


def test_two_exports_of_one_camera_picture_are_refused_and_one_export_each_is_read(tmp_path):
    """Lightroom's exports of a picture's virtual copies, 'IMG_0002-2.JPG', 'IMG_0002-3.JPG' among 'IMG_0001-2.JPG',
    were read as frames (2, 2) and (2, 3), one picture twice as consecutive frames, exit code 0
    (utils.frame_names.one_camera_picture_once); '-2' on every name is read."""
    from hostile import sequence_of_a_copy
    from utils.frame_names import list_frames
    names = ["IMG_0001-2.JPG", "IMG_0002-2.JPG", "IMG_0003-2.JPG", "IMG_0002-3.JPG"]
    root, copy, _ = sequence_of_a_copy(tmp_path, names, names[1])
    folder = os.path.join(root, "s")
    with pytest.raises(UserError, match=rf"^'{re.escape(os.path.join(folder, names[1]))}' and '{re.escape(copy)}' "
                                        r"are one camera picture's \(IMG_0002\) two versions "):
        list_frames(folder)
    os.remove(copy)
    assert [os.path.basename(path) for path in list_frames(folder)] == names[:3]


@pytest.mark.parametrize("unfinished", ["0002.png.filepart", "0002.png.partial", "0002.png.!ut"])
def test_other_tools_downloads_not_finished_in_a_gap_are_refused(tmp_path, unfinished):
    """WinSCP's '.filepart' (a data set copied to a server), Internet Explorer's '.partial', uTorrent's '.!ut' between
    '0001.png' and '0003.png' were left out without a word, the frames either side trained on as consecutive, exit
    code 0 (utils.frame_names.UNFINISHED)."""
    from datasets.sequences import folder_sequences
    from hostile import sequence_beside_a_picture
    root, path = sequence_beside_a_picture(tmp_path, ["0001.png", "0003.png"], unfinished)
    with pytest.raises(UserError, match=rf"^'{re.escape(path)}' is a picture's download not finished, or its backup, "):
        folder_sequences(root)


def test_a_burst_s_cover_with_an_editor_s_ending_is_of_its_series(tmp_path):
    """A phone's burst exported by Lightroom ('..._BURST1_COVER-Edit' among '..._BURST2-Edit'..): the cover was refused
    as a poster, "named otherwise than the other frames" (utils.frame_names.BURST_COVER)."""
    from hostile import trained_frame_names
    names = [f"IMG_20230601_120000_BURST{number}{'_COVER' if number == 1 else ''}-Edit.jpg" for number in (1, 2, 3)]
    (tmp_path / "data").mkdir()
    assert trained_frame_names(str(tmp_path / "data"), names) == names


# Twenty-fourth pass, second look at the twenty-fourth pass's training-data fixes

@pytest.mark.parametrize("names", [[f"MVI_1234-{number:03d}.png" for number in range(98, 103)],
                                   [f"GOPR0001-{number}.png" for number in range(1, 4)],
                                   [f"IMG_0001 ({number}).png" for number in range(1, 4)]])
def test_a_video_s_frames_numbered_after_its_camera_name_are_read(tmp_path, names):
    """A video's frames named after its camera file, 'MVI_1234-%03d.png' of ffmpeg (from '-100' on), 'GOPR0001-%d.png',
    Windows' 'IMG_0001 (1).png'.. (its files renamed at once), were refused as "one camera picture's two versions",
    read before the pass (utils.frame_names.one_camera_picture_once)."""
    from utils.frame_names import list_frames
    for name in names:
        (tmp_path / name).touch()
    assert [os.path.basename(path) for path in list_frames(str(tmp_path))] == names


def test_a_page_s_zip_of_frames_with_synology_s_thumbnails_is_read(tmp_path):
    """A clip's frames zipped on a Synology NAS, each with its thumbnails in '@eaDir/0001.png/SYNOFILE_THUMB_M.jpg',
    were refused by the page as "frames in several folders", where training passes '@eaDir' over
    (utils.frame_names.passed_over_folder)."""
    from webapp.inputs import frame_folder
    for name in ("0001.png", "0002.png"):
        (tmp_path / "frames" / "@eaDir" / name).mkdir(parents=True)
        (tmp_path / "frames" / "@eaDir" / name / "SYNOFILE_THUMB_M.jpg").touch()
        (tmp_path / "frames" / name).touch()
    assert frame_folder(str(tmp_path), "frames.zip") == str(tmp_path / "frames")


@pytest.mark.parametrize("last, refused", [("thumb_0003.png", True), ("0003 (1).png", False),
                                           ("0003--end.png", False)])
def test_a_last_frame_named_otherwise_from_its_start_is_refused_by_generate_s_reader(tmp_path, last, refused):
    """'thumb_0003.png' after '0001.png', '0002.png' (a thumbnail of the frames' size) was super-resolved by
    generate.py and the page as the video's last frame, exit code 0; a last frame named as the others, then otherwise
    (a second download, '0003 (1).png'), is still read (utils.frame_names.no_stray_frame)."""
    from utils.frame_names import list_frames
    for name in ("0001.png", "0002.png", last):
        (tmp_path / name).touch()
    if refused:
        with pytest.raises(UserError, match=rf"^'{re.escape(str(tmp_path / last))}' is named otherwise than "):
            list_frames(str(tmp_path))
    else:
        assert len(list_frames(str(tmp_path), ends=True)) == 3


def test_a_result_named_otherwise_than_the_others_is_refused_not_scored(tmp_path):
    """'poster_5.png' after 'output_0000.png'..'output_0004.png' in evaluate.py's results was scored against the last
    target, exit code 0, where generate.py's and training's readers refuse it (evaluation.scoring.list_png_frames)."""
    from evaluation.scoring import list_png_frames
    for name in [f"output_{number:04d}.png" for number in range(5)] + ["poster_5.png"]:
        (tmp_path / name).touch()
    with pytest.raises(UserError, match=rf"^'{re.escape(str(tmp_path / 'poster_5.png'))}' is named otherwise than "):
        list_png_frames(str(tmp_path), "results")


@pytest.mark.parametrize("names", [[f"frame_{number:04d}_jpg.rf.{digest}.jpg" for number, digest in
                                    [(1, "c4ca4238a0b923820dcc509a6f75849b"), (2, "c81e728d9d4c2f636f067f89cc14862c"),
                                     (3, "eccbc87e4b5ce2fe28308fd9f2a7baf3")]],
                                   [f"Screen Shot 2023-06-01 at {time}.png" for time in
                                    ("11.59.58 AM", "11.59.59 AM", "12.00.00 PM")]])
def test_frames_each_named_otherwise_or_a_last_named_on_are_read_by_generate_s_reader(tmp_path, names):
    """Roboflow's export of a video's frames, a hash in each name ('frame_0001_jpg.rf.<hash>.jpg'), and macOS'
    screenshots across noon (the last 'PM') were refused by generate.py and the page, "named otherwise than the other
    frames", read in order before the pass (utils.frame_names.no_stray_frame)."""
    from utils.frame_names import list_frames
    for name in names:
        (tmp_path / name).touch()
    assert [os.path.basename(path) for path in list_frames(str(tmp_path))] == names


# Twenty-fourth pass, second look at the twenty-fourth pass's training fixes

def test_a_checkpoint_of_an_earlier_version_with_a_whole_number_written_with_an_exponent_resumes():
    """data.end_dir=1e23 (or 9.007199254740993e15) was recorded before this pass as the float's whole number
    (99999999999999991611392) and is read now as the number written: the same command resuming such a checkpoint was
    refused, "was trained with other settings: data.end_dir 99999999999999991611392 -> 100000000000000000000000"."""
    from training.checkpoint import check_settings
    recorded = {"settings": {"data.end_dir": 99999999999999991611392, "data.max_frm": 9007199254740992}}
    assert check_settings("c.json", recorded, {"data.end_dir": 10 ** 23, "data.max_frm": 9007199254740993}) == []
    with pytest.raises(UserError, match=r"data\.end_dir 100000000000000000000000 -> 99999999999999991611392; start"):
        check_settings("c.json", {"settings": {"data.end_dir": 10 ** 23}}, {"data.end_dir": 99999999999999991611392})


def test_a_stop_after_the_last_iteration_finishes_the_run(tmp_path, capsys, monkeypatch):
    """A stop signal after the last iteration's step, once its loop had ended (while rank 0 wrote its records, in
    parameters_agree) was a KeyboardInterrupt: "interrupted", exit code 130, of a finished run; under mpirun -n 2 one
    to rank 1, which waited there for rank 0's writes, ended the job while rank 0 wrote the last checkpoint: the run's
    only checkpoint lost."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    real_agree = train.parameters_agree

    def stop_then_agree(*args):
        os.kill(os.getpid(), signal.SIGUSR1)
        return real_agree(*args)
    monkeypatch.setattr(train, "parameters_agree", stop_then_agree)
    scenes = make_calendar_scenes(tmp_path / "scenes")
    train.main(tiny_training_flags(scenes, tmp_path / "run", **{"train.max_iter": 1}))
    out = capsys.readouterr().out
    assert "trained 1 iteration in " in out and "stopped at iteration" not in out
    assert (tmp_path / "run" / "checkpoint_00000001.json").is_file()


def test_a_config_file_from_a_pipe_of_megabytes_is_refused():
    """--cfg of a pipe without end (`yes | train.py --cfg /dev/stdin`) was read whole into memory, until it filled (a
    MemoryError traceback under a limit); a config file is read up to 1 MiB."""
    import threading
    from training.config import read_yaml
    read, write = os.pipe()

    def feed():
        with open(write, "wb") as pipe, pytest.raises(BrokenPipeError):
            pipe.write(b"#" * 2 ** 21 + b"\n")
            pipe.flush()
    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        with pytest.raises(UserError, match=r"^config file '/dev/fd/\d+' holds more than 1 MiB, more than settings "
                                            r"take \(config\.yaml's are a few kB\); give a YAML file of settings$"):
            read_yaml(f"/dev/fd/{read}")
    finally:
        os.close(read)
        feeder.join()


def test_an_int_tagged_in_yaml_1_1_s_other_forms_is_read(tmp_path):
    """'!!int 0x10', '!!int 0b101' and '!!int 1:30' (YAML 1.1, as '!!float 1:30' is read) were "not valid YAML; fix the
    syntax" in a config file, and the text itself under --set ("bad value '!!int 0x10'")."""
    from training.config import LongInteger, parse_value, read_yaml
    (tmp_path / "c.yaml").write_text("train:\n  max_iter: !!int 0x10\n  save_freq: !!int 0b101\n  rnn_n: !!int 1:30\n")
    assert read_yaml(str(tmp_path / "c.yaml")) == {"train.max_iter": 16, "train.save_freq": 5, "train.rnn_n": 90}
    huge = parse_value("!!int 0x" + "f" * 4000)  # 4,817 digits, more than str() writes
    assert isinstance(huge, LongInteger) and str(huge) == "0xfffffffffffffffffffffffffffffffffff..."


def test_counts_of_one_in_the_training_data_s_lines_are_said_in_the_singular():
    """A sequence of one frame shorter than train.rnn_n was "a (1 frames)", and that one sequence "them"; a REDS
    sequence lacking one frame beside pictures of other names "for the other 1 frames" (the first look's counted lines,
    in the training data's)."""
    from types import SimpleNamespace
    from datasets.reds import otherwise_named
    from datasets.sequences import check_lengths
    with pytest.raises(UserError) as error:
        check_lengths([SimpleNamespace(name="a", frames=[1]), SimpleNamespace(name="b", frames=[1, 2, 3])], 3)
    assert str(error.value) == ("1 sequence is shorter than train.rnn_n 3: a (1 frame); a sequence needs at least 2 "
                                "frames, or leave it out with data.sequence_list")
    assert otherwise_named(["00000005.jpg"], ["00000005.png", "00000006.png"]).endswith(
        "; for the other 1 frame, run download_test_data.py --reds again")


# After the twenty-fourth pass: a probe's item mended

@pytest.mark.parametrize("value", ["!!int", "!!int ''", "!!int _", "!!int +", "!!int '-'"])
def test_an_int_tag_of_no_digit_is_refused_not_read_as_0(tmp_path, value):
    """'seed: !!int' (or '!!int _', '!!int +'), in a config file or by --set, was 0 (a seed of 0, a first frame of 0,
    exit code 0) where '!!int 9x' is refused: a text of no digit is no number."""
    from training.config import load_config, parse_value
    (tmp_path / "c.yaml").write_text(f"train:\n  seed: {value}\n")
    with pytest.raises(UserError, match=r"is not valid YAML; fix the syntax$"):
        load_config(str(tmp_path / "c.yaml"))
    with pytest.raises(UserError, match=r"^bad value .* for train\.seed: expected an integer"):
        load_config(overrides={"train.seed": parse_value(value)})


# Twenty-fifth pass, look at the training data, frame names and series

@pytest.mark.parametrize("names", [
    [f"Screenshot 2023-06-01 at {time} PM.png" for time in ("12.59.58", "12.59.59", "1.00.00", "1.00.01")],
    [f"Screen Shot 2023-06-01 at {time}\u202fPM.png" for time in ("12.59.59", "1.00.00", "1.00.01")],
    [f"Screenshot 2023-06-01 at {time}.png" for time in ("12.59.59 AM", "1.00.00 AM", "11.59.59 AM", "12.00.00 PM")],
    [f"Screenshot 2023-06-01 at {time}.png" for time in ("11.59.59 AM", "12.00.00 PM", "12.00.01 PM")],
    [f"Photo on 6-1-23 at {time} PM.jpg" for time in ("12.59", "1.00")],
    [f"Replay 2023-06-01 {time} PM.png" for time in ("12-59-59", "01-00-00")]])
def test_a_twelve_hour_clock_is_ordered_by_its_hours(tmp_path, names):
    """macOS' screenshots at '1.00.00 PM' came before those at '12.59.59 PM' (numbers 1 before 12), trained on,
    super-resolved and scored so, exit code 0 (utils.frame_names.frame_order reads TWELVE_HOUR_CLOCK); one at '11.59.59
    AM' before two 'PM' was refused as "named otherwise" (name_pattern); and so Photo Booth's ('at 1.00 PM') and OBS'
    ('01-00-00 PM') were misordered."""
    from hostile import listed_frame_names
    assert listed_frame_names(tmp_path / "s", names[::-1]) == names


@pytest.mark.parametrize("names", [["D85_0001.JPG", "D85_0002.JPG", "_D850003.JPG", "D85_0004.JPG"],
                                   ["5D4A0001.JPG", "5D4A0002.JPG", "_D4A0003.JPG", "5D4A0004.JPG"]])
def test_an_adobe_rgb_frame_of_a_custom_prefix_ending_in_a_digit_is_in_its_place(tmp_path, names):
    """Nikon's custom '_D850003' among 'D85_0001'.. was frame 850003 (the last), Canon's '_D4A0003' among '5D4A0001'..
    (4, 3) (the first), exit code 0; and a '.webp' of that name in the gap was left out without a word
    (utils.frame_names.camera_numbers)."""
    from hostile import PICTURE_IN_A_GAP, listed_frame_names
    assert listed_frame_names(tmp_path / "s", names) == names
    (tmp_path / "s" / names[2]).rename(tmp_path / "s" / names[2].replace(".JPG", ".webp"))
    with pytest.raises(UserError, match=PICTURE_IN_A_GAP):
        listed_frame_names(tmp_path / "s", [])


def test_a_frame_of_another_version_among_them_is_refused(tmp_path):
    """'sh010_comp_v002.1005.png' among 'sh010_comp_v001.1001.png'..'.1010.png' (a re-rendered frame) was read after
    '.1010', exit code 0 (utils.frame_names.no_frame_of_another_version); frames numbered on are read."""
    from hostile import listed_frame_names
    names = [f"sh010_comp_v00{2 if number == 1005 else 1}.{number}.png" for number in range(1001, 1011)]
    with pytest.raises(UserError, match=r"sh010_comp_v002\.1005\.png' is a frame of another version than the other "):
        listed_frame_names(tmp_path / "s", names)
    names = ["v1_0001.png", "v1_0002.png", "v1_0003.png", "v2_0004.png"]
    assert listed_frame_names(tmp_path / "t", names) == names


@pytest.mark.parametrize("middle", ["PXL_20230601_120001456.MP.jpg", "PXL_20230601_120001456.NIGHT.jpg",
                                    "PXL_20230601_120001456.PORTRAIT.jpg", "IMG_20230601_120001_HDR.jpg",
                                    "MVIMG_20230601_120001.jpg", "PXL_20230601_120001456.RAW-01.MP.COVER.jpg"])
def test_a_phone_s_mode_tag_is_of_its_series(tmp_path, middle):
    """A Pixel's motion photo '.MP' (and '.NIGHT', '.PORTRAIT'), an older Android's '_HDR', a Pixel 2's 'MVIMG_' among
    the phone's other photos was refused as "named otherwise than the other frames" (utils.frame_names.PHONE_MODE)."""
    from hostile import listed_frame_names
    stem = "PXL_20230601_12000{}456.jpg" if middle.startswith("PXL") else "IMG_20230601_12000{}.jpg"
    names = [stem.format(0), middle, stem.format(2)]
    assert listed_frame_names(tmp_path / "s", names) == names


def test_two_pixel_motion_photos_in_a_row_last_are_trained_on(tmp_path):
    """Training refused two '.MP' photos last as "frames of two series" (its listing reads the last frame too)."""
    from hostile import trained_frame_names
    names = ["PXL_20230601_120000456.jpg", "PXL_20230601_120001456.MP.jpg", "PXL_20230601_120002456.MP.jpg"]
    (tmp_path / "data").mkdir()
    assert trained_frame_names(str(tmp_path / "data"), names) == names


@pytest.mark.parametrize("names", [["0001.png", "0002 (1).png"], ["lr_0001.png", "lr_0002--end.png"],
                                   ["frame_0001.png", "frame_0002_final.png"]])
def test_a_clip_of_two_frames_the_second_named_on_is_read_and_training_names_the_second(tmp_path, names):
    """generate.py and the page refused such a clip as its first, ordinary frame "named otherwise", as three frames are
    read; training refused it naming the first (utils.frame_names.no_stray_frame)."""
    from datasets.sequences import folder_sequences
    from hostile import listed_frame_names
    (tmp_path / "data").mkdir()
    assert listed_frame_names(tmp_path / "data" / "s", names, ends=True) == names
    with pytest.raises(UserError, match=rf"/s/{re.escape(names[1])}' is named otherwise than the other frames "):
        folder_sequences(str(tmp_path / "data"))


@pytest.mark.parametrize("ending", [".!sync", ".bc!", ".fdmdownload", ".xltd", ".td", ".dtapart", ".tmp", ".old"])
def test_more_tools_downloads_not_finished_in_a_gap_are_refused(tmp_path, ending):
    """Resilio Sync's, BitComet's, Free Download Manager's, Xunlei's, Thunder's, DownThemAll's downloads, a writer's
    temporary and a backup of '0002.png' between '0001.png' and '0003.png' were left out without a word, the frames
    either side read as consecutive, exit code 0 (utils.frame_names.UNFINISHED)."""
    from hostile import listed_frame_names
    with pytest.raises(UserError, match=rf"0002\.png{re.escape(ending)}' is a picture's download not finished"):
        listed_frame_names(tmp_path / "s", ["0001.png", "0002.png" + ending, "0003.png"])


@pytest.mark.parametrize("names, beyond", [
    (["Screenshot 2023-06-01 12-00-58.png", "Screenshot 2023-06-01 12-00-59.png"], "Screenshot 2023-06-01 12-01-00"),
    ([f"c_01-00-00-{frame}.png" for frame in (22, 23)], "c_01-00-01-00"),
    (["clip2_aa.png", "clip2_ab.png", "clip2_ba.png"], "clip2_bb")])
def test_the_page_s_clip_s_next_frame_carried_is_refused(tmp_path, names, beyond):
    """A clock's or a timecode's next frame as a '.webp' after the last ('12-01-00' after '12-00-59'), and a two-letter
    counter's ('clip2_bb' after 'clip2_ba'), were left out of the page's clip without a word, its video a frame short,
    "done" (utils.frame_names.no_picture_left_out: next_to, next_letters)."""
    from hostile import listed_frame_names
    with pytest.raises(UserError, match=rf"{re.escape(beyond)}\.webp' is a picture (numbered|lettered) next to the "):
        listed_frame_names(tmp_path / "s", names + [beyond + ".webp"], ends=True)


def test_blender_s_negative_frame_numbers_are_read_in_order(tmp_path):
    """Blender's frames of a scene begun below 0, '-002.png', '-001.png', '0000.png'.., were refused as "both frame 1"
    and two series (utils.frame_names.NUMBER reads the sign); a '-001.webp' in their gap is refused."""
    from hostile import PICTURE_IN_A_GAP, listed_frame_names
    names = ["-002.png", "-001.png", "0000.png", "0001.png", "0002.png"]
    assert listed_frame_names(tmp_path / "s", names) == names
    (tmp_path / "s" / "-001.png").rename(tmp_path / "s" / "-001.webp")
    with pytest.raises(UserError, match=PICTURE_IN_A_GAP):
        listed_frame_names(tmp_path / "s", [])


def test_frames_of_several_clips_named_after_their_camera_files_are_told_what_to_do(tmp_path):
    """'GOPR0001-1'..'-3' with one frame each of 'GOPR0002'.. was refused as one picture's two versions alone, its
    remedy to remove one (utils.frame_names.one_camera_picture_once)."""
    from hostile import listed_frame_names
    names = ["GOPR0001-1.png", "GOPR0001-2.png", "GOPR0001-3.png"] + [f"GOPR000{clip}-1.png" for clip in (2, 3, 4)]
    with pytest.raises(UserError, match=r"or frames of several clips named after their camera files "):
        listed_frame_names(tmp_path / "s", names)


def test_evaluate_s_targets_order_an_adobe_rgb_frame_of_a_custom_prefix_in_its_place(tmp_path):
    """evaluate.py's listing ordered Nikon's custom '_D850003.png' among 'D85_0001.png'.. last, scored against the last
    result, exit code 0 (evaluation.scoring.list_png_frames: utils.frame_names.in_frame_order)."""
    from evaluation.scoring import list_png_frames
    names = ["D85_0001.png", "D85_0002.png", "_D850003.png", "D85_0004.png"]
    for name in names:
        (tmp_path / name).touch()
    assert [os.path.basename(path) for path in list_png_frames(str(tmp_path), "targets")] == names


# Twenty-fifth pass, look at train.py's checkpoints, resume, stops and settings

def test_a_stop_as_train_returns_is_ignored_not_an_interruption():
    """A stop signal once train()'s loop was over (its summary line printed) met utils.errors.interrupt, which
    StopRequest handed back: "interrupted", exit code 130, of a finished run, or from a subprocess a KeyboardInterrupt
    traceback from a weakref callback as the graph was freed ("Exception ignored in"), exit code 0."""
    import train
    from utils.errors import STOP_SIGNALS, interrupt
    before = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    try:
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1, signal.SIGHUP):
            for each in STOP_SIGNALS:  # as exit_on_user_error sets them around train()
                signal.signal(each, interrupt)
            with train.StopRequest():
                pass
            try:
                os.kill(os.getpid(), number)
            except KeyboardInterrupt:
                pytest.fail(f"{signal.Signals(number).name} after the loop interrupted the finished run")
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def test_two_stops_after_the_loop_leave_the_run_finished(tmp_path, capsys, monkeypatch):
    """Two Ctrl-C after the last iteration's loop (its checkpoint written, in parameters_agree) were "stopping after
    this iteration (Ctrl-C again to abort without a checkpoint)", then "interrupted", exit code 130, of a finished run
    with its checkpoint."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    real_agree = train.parameters_agree

    def stops_then_agree(*args):
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)
        return real_agree(*args)
    monkeypatch.setattr(train, "parameters_agree", stops_then_agree)
    scenes = make_calendar_scenes(tmp_path / "scenes")
    train.main(tiny_training_flags(scenes, tmp_path / "run", **{"train.max_iter": 1}))
    out, err = capsys.readouterr()
    assert "trained 1 iteration in " in out and "stopping after" not in out + err
    assert (tmp_path / "run" / "checkpoint_00000001.json").is_file()


def test_a_solver_state_past_float32_s_range_stops_the_run_without_its_checkpoint(tmp_path, capsys, monkeypatch):
    """gan.ratio (gan.dt_ratio_0, gan.pp_scaling) of 1e23 trained to exit code 0 with Adam's second moments past
    float32's range (the squared gradient; those parameters stopped changing) and wrote a checkpoint of them, which
    its resume refused ("holds NaN or infinite solver states"): the writer checks what the reader checks."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    real_step = train.training_step

    def step_past_range(graph, stage, solvers, *args, **kwargs):  # as a weight of 1e23 makes them (cheaper: FRVSR)
        updated = real_step(graph, stage, solvers, *args, **kwargs)
        next(iter(solvers["gen"].get_states().values())).pstate["var"].d[...] = np.inf
        return updated
    monkeypatch.setattr(train, "training_step", step_past_range)
    flags = tiny_training_flags(make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run", **{"train.max_iter": 1})
    assert user_error_line(train.main, flags, capsys) == (
        "error: training diverged at iteration 1: a solver state is not finite; no checkpoint was written yet: start "
        "again with a lower train.learning_rate (--set train.learning_rate=...)")
    assert not list((tmp_path / "run").glob("checkpoint_*"))


def test_a_tab_before_a_comment_in_a_config_file_is_named(tmp_path):
    """'max_iter: 1e5<TAB># comment' (a tab YAML 1.2 allows, PyYAML not) was "not valid YAML at line 2 (found
    character '\\t' that cannot start any token); fix the syntax", of a line whose syntax looks right."""
    from training.config import read_yaml
    for line in ("  max_iter: 1e5\t# comment", "  max_iter:\t1e5"):
        (tmp_path / "c.yaml").write_text(f"train:\n{line}\n")
        with pytest.raises(UserError, match=r" at line 2 \(.*'\\t'.*\); a tab outside quotes \(an indent, or beside or "
                                            r"inside an unquoted value\) is not read: use spaces, or quote a value "
                                            r"that holds a tab$"):
            read_yaml(str(tmp_path / "c.yaml"))


# Twenty-fifth pass, second look at the twenty-fifth pass's training-data fixes

@pytest.mark.parametrize("names", [
    [f"截屏2024-05-27 {time}.png" for time in ("上午11.59.59", "下午12.00.00", "下午12.59.59", "下午1.00.00")],
    [f"スクリーンショット 2023-02-09 午後{time}.png" for time in ("12.59.59", "1.00.00")],
    [f"스크린샷 2019-10-07 {time}.png" for time in ("오전 11.59.59", "오후 12.00.00", "오후 1.00.00")],
    [f"Captura de pantalla 2025-03-26 a la(s) {time}.png" for time in ("11.59.59 a. m.", "12.59.59 p. m.",
                                                                       "1.00.00 p. m.")],
    [f"React App - Google Chrome 10_28_2023 {time}.png" for time in ("11_59_59 AM", "12_59_59 PM", "1_00_00 PM")]])
def test_a_twelve_hour_clock_of_another_locale_or_tool_is_ordered_by_its_hours(tmp_path, names):
    """macOS' screenshots in Chinese ('下午1.00.00'), Japanese ('午後'), Korean ('오후 '), Spanish ('p. m.') and Windows'
    Game Bar's ('1_00_00 PM') read 1 o'clock before 12, trained on, super-resolved and scored so, exit code 0, and the
    morning's frames before the afternoon's were refused as a poster or two series
    (utils.frame_names.TWELVE_HOUR_CLOCK)."""
    from hostile import listed_frame_names
    assert listed_frame_names(tmp_path / "s", names[::-1]) == names


def test_training_reads_a_recording_of_two_hours_by_a_chinese_clock_as_one_series(tmp_path):
    """Its hour after '下午' was taken for a series' number: frames of 12.59 and 1.00, each minute's seconds alike, were
    refused as "frames of two series" (datasets.sequences.one_series reads the clock by 24 hours)."""
    from hostile import trained_frame_names
    names = [f"截屏 下午{hour}.{second:02d}.png" for hour in ("12.59", "1.00") for second in (0, 30)]
    (tmp_path / "data").mkdir()
    assert trained_frame_names(str(tmp_path / "data"), names) == names


@pytest.mark.parametrize("names", [
    ["PXL_20250107_000934090.jpg", "PXL_20250107_001024401.PORTRAIT~2.jpg", "PXL_20250107_001027574.jpg"],
    ["PXL_20250821_102834508.jpg", "PXL_20250821_103257208.MP~2.jpg", "PXL_20250821_111853507.jpg"],
    ["IMG20230307070130.jpg", "IMG20230307070131~2.jpg", "IMG20230307070132.jpg"],
    ["IMG_20191227_163739.jpg", "IMG_20191227_163739_1~2.jpg", "IMG_20191227_163740.jpg"]])
def test_a_phone_s_edit_after_a_mode_tag_or_a_later_photo_is_of_its_series(tmp_path, names):
    """Google Photos' edit of a Pixel's portrait or motion photo ('.PORTRAIT~2', '.MP~2'), of an OPPO's photo named by
    its time without a '_', was refused as "named otherwise" (a poster), and of a second photo of one second ('_1~2')
    as a copy of the second's first (utils.frame_names.PHONE_MODE, TAKEN_IN_A_SECOND); beside its '_1' it is a copy."""
    from hostile import listed_frame_names
    assert listed_frame_names(tmp_path / "s", names) == names
    with pytest.raises(UserError, match=r"_163739_1~2\.jpg' is named as a copy of '.*_163739_1\.jpg'"):
        listed_frame_names(tmp_path / "t", [names[0], "IMG_20191227_163739_1.jpg", "IMG_20191227_163739_1~2.jpg"])


@pytest.mark.parametrize("names, beyond", [(["c2_Ay.png", "c2_Az.png"], "c2_Ba"),
                                           (["c2_az1.png", "c2_ba1.png"], "c2_bb1"),
                                           (["c2_az_x.png", "c2_ba_x.png"], "c2_bb_x")])
def test_the_page_s_clip_s_next_letters_of_mixed_case_or_followed_by_more_are_refused(tmp_path, names, beyond):
    """'c2_Ba.webp' after 'c2_Ay', 'c2_Az' ('c2_BA' was taken) and 'c2_bb1.webp' after 'c2_az1', 'c2_ba1' (the letters
    were counted at the name's end alone) were left out of the page's clip, its video a frame short, "done"
    (utils.frame_names.next_letters and its caller)."""
    from hostile import listed_frame_names
    with pytest.raises(UserError, match=rf"{re.escape(beyond)}\.webp' is a picture lettered next to the "):
        listed_frame_names(tmp_path / "s", names + [beyond + ".webp"], ends=True)


@pytest.mark.parametrize("prefix", ["output_", "x4_"])
def test_evaluate_s_results_of_a_camera_s_adobe_rgb_frame_are_read_in_its_place(tmp_path, prefix):
    """generate.py's results of Canon's 'IMG_0001'.., '_MG_0003' ('output__MG_0003.png' among 'output_IMG_0001.png'..)
    and Nikon's custom 'D85_'.., '_D850003', were refused by evaluate.py as "named otherwise" (a poster)
    (utils.frame_names.camera_start: the start all names share before the camera's)."""
    from evaluation.scoring import list_png_frames
    for number, names in enumerate([["IMG_0001", "IMG_0002", "_MG_0003", "IMG_0004"],
                                    ["D85_0001", "D85_0002", "_D850003", "D85_0004"]]):
        (tmp_path / str(number)).mkdir()
        for name in names:
            (tmp_path / str(number) / f"{prefix}{name}.png").touch()
        listed = list_png_frames(str(tmp_path / str(number)), "results")
        assert [os.path.basename(path) for path in listed] == [f"{prefix}{name}.png" for name in names]


@pytest.mark.parametrize("versions", [{1004: 2, 1005: 2}, {1004: 2, 1007: 3}])
def test_frames_of_other_versions_among_them_are_refused(tmp_path, versions):
    """Two frames re-rendered ('sh010_comp_v002.1004.png', 'v002.1005.png' among 'v001.1001'..'.1010'), or of two
    versions, were read after '.1010', trained on, super-resolved and scored so, exit code 0: only one was refused
    (utils.frame_names.no_frame_of_another_version)."""
    from hostile import listed_frame_names
    names = [f"sh010_comp_v00{versions.get(number, 1)}.{number}.png" for number in range(1001, 1011)]
    with pytest.raises(UserError, match=r"sh010_comp_v002\.1004\.png' is a frame of another version than the other "):
        listed_frame_names(tmp_path / "s", names)


# Twenty-fifth pass, second look at the twenty-fifth pass's training fixes

@pytest.mark.parametrize("text, read", [("train:\n  ~: 5\n", "null"), ("train:\n  on: 5\n", "true"),
                                        ("~:\n  max_iter: 5\n", "null")])
def test_a_key_yaml_reads_as_null_or_true_is_named_as_written(tmp_path, text, read):
    """A key `~` was "unknown key 'train.None'", `on:` "unknown key 'train.True'": names no one wrote."""
    from training.config import read_yaml
    (tmp_path / "c.yaml").write_text(text)
    with pytest.raises(UserError, match=rf"has a key YAML reads as {read} \(a key written .*\); the keys are "):
        read_yaml(str(tmp_path / "c.yaml"))


def test_a_tab_inside_an_unquoted_value_is_told_to_be_quoted_and_a_quoted_one_is_read(tmp_path):
    """`output_dir: out<TAB>dir` was told "a tab outside quotes (an indent, or before a value or a comment) is not
    read: use spaces", which changes the folder's name; quoted, or in a block scalar, the tab is read."""
    from training.config import read_yaml
    (tmp_path / "c.yaml").write_text("data:\n  output_dir: out\tdir\n")
    with pytest.raises(UserError, match=r"inside an unquoted value\) is not read: use spaces, or quote a value that "
                                        r"holds a tab$"):
        read_yaml(str(tmp_path / "c.yaml"))
    for value in ('"out\tdir"', "'out\tdir'", ">-\n    out\tdir"):
        (tmp_path / "c.yaml").write_text(f"data:\n  output_dir: {value}\n")
        assert read_yaml(str(tmp_path / "c.yaml")) == {"data.output_dir": "out\tdir"}


def test_a_solver_state_past_range_advises_the_weights_of_its_own_loss():
    """The divergence line of a solver state past float32's range named gan.ratio, gan.dt_ratio_0 or gan.pp_scaling
    in the TecoGAN stage whichever solver it was, with `--set gan.ratio=...`: not gan.vgg_scaling, which weighs the
    generator's loss too (of 1e30, the flow network's state past range), and those weights for the discriminator's
    state, whose loss none weighs."""
    from types import SimpleNamespace
    import train
    gan = SimpleNamespace(ratio=0.01, dt_ratio_0=1.0, pp_scaling=0.5, vgg_scaling=1e30)
    assert train.state_divergence_setting(["fnet"], True, gan) == (
        "loss weight (gan.ratio, gan.dt_ratio_0, gan.pp_scaling or gan.vgg_scaling)", "gan.vgg_scaling")
    gan.vgg_scaling, gan.ratio = -1, 1e23
    assert train.state_divergence_setting(["gen", "disc"], True, gan) == (
        "loss weight (gan.ratio, gan.dt_ratio_0 or gan.pp_scaling)", "gan.ratio")
    for names, adversarial in ((["disc"], True), (["gen"], False)):
        assert train.state_divergence_setting(names, adversarial, gan) == ("train.learning_rate",
                                                                             "train.learning_rate")


@pytest.mark.parametrize("setting, shown", [("train.max_iter='5'", "'5'"), ('train.tecogan="true"', "'true'")])
def test_a_number_or_a_switch_in_quotes_is_told_to_be_written_without_them(setting, shown):
    """`max_iter: '5'` (or --set train.max_iter='5') was "bad value '5' for train.max_iter: expected a positive
    integer", of what reads as one; `tecogan: "true"` "bad value 'true' ...: expected true or false"."""
    with pytest.raises(UserError, match=rf"^bad value {shown} for train\.\w+: expected .*; in quotes it is text: write "
                                        r"it without them$"):
        config_of_flags("--set", setting)


# Twenty-fifth pass, third look at the twenty-fifth pass's training-data fixes

@pytest.mark.parametrize("names", [
    [f"Στιγμιότυπο οθόνης 2023-06-01 {time}.png" for time in ("11.59.59 π.μ.", "12.59.59 μ.μ.", "1.00.00 μ.μ.")],
    [f"Screen-Shot-2023-06-01-at-{time}.png" for time in ("11.59.59-AM", "12.59.59-PM", "1.00.00-PM")],
    [f"screen-shot-2023-06-01-at-{time}-pm.png" for time in ("12-59-59", "1-00-00")],
    [f"Screen_Shot_2023-06-01_at_{time}_PM.png" for time in ("12.59.59", "1.00.00")],
    [f"Replay 2023-06-01 {time}PM.png" for time in ("12-59-59", "01-00-00")]])
def test_a_twelve_hour_clock_in_greek_or_of_other_blanks_is_ordered_by_its_hours(tmp_path, names):
    """macOS' screenshots in Greek ('1.00.00 μ.μ.'), named by a site that made their blanks '-' or '_' (WordPress'
    'Screen-Shot-..-at-1.00.00-PM'), or a tool's 'PM' after no blank (OBS' '%I-%M-%S%p') read 1 o'clock before 12,
    trained on, super-resolved and scored so, exit code 0 (utils.frame_names.TWELVE_HOUR_CLOCK)."""
    from hostile import listed_frame_names
    assert listed_frame_names(tmp_path / "s", names[::-1]) == names


# Twenty-sixth pass, look at the training data, frame names and series

@pytest.mark.parametrize("names", [
    [f"لقطة الشاشة 2023-06-01 في {time}.png" for time in ("11.59.59 ص", "12.59.59 م", "1.00.00 م")],
    [f"لقطة الشاشة ٢٠٢٣-٠٦-٠١ في {time} م.png" for time in ("١٢.٥٩.٥٩", "١.٠٠.٠٠")],
    [f"Ảnh chụp Màn hình 2023-06-01 lúc {time}.png" for time in ("11.59.59 SA", "12.59.59 CH", "1.00.00 CH")],
    [f"Ảnh chụp Màn hình 2023-06-01 lúc {time} SA.png" for time in ("12.59.59", "1.00.00")]])
def test_a_twelve_hour_clock_in_arabic_or_vietnamese_is_ordered_by_its_hours(tmp_path, names):
    """macOS' screenshots in Arabic ('1.00.00 م', morning 'ص'; in Arabic-Indic digits too) and in Vietnamese
    ('1.00.00 CH', morning 'SA') read 1 o'clock before 12, trained on, super-resolved and scored so, exit code 0, or
    across noon refused the morning's as a poster (utils.frame_names.TWELVE_HOUR_CLOCK)."""
    from hostile import listed_frame_names
    assert listed_frame_names(tmp_path / "s", names[::-1]) == names


@pytest.mark.parametrize("ending", ["ch2", "ch_1", "sa2"])
def test_a_channels_ch_after_a_time_is_no_vietnamese_clock(tmp_path, ending):
    """A 'ch' or 'sa' after a time and a blank, then a digit or a '_' (a channel's 'ch2'), is no Vietnamese 12-hour
    clock's: 'rec 12-05 ch2' would be read as 0:05 or 12:05, before 'rec 1-05 ch2'."""
    from hostile import listed_frame_names
    names = [f"rec {hour}-05 {ending}.png" for hour in (1, 12)]
    assert listed_frame_names(tmp_path / "s", names[::-1]) == names


def test_numbered_frames_of_a_phone_clip_are_one_series_without_its_first_photo(tmp_path):
    """ffmpeg's frames of a phone's clip, 'VID_20240101_123456_%d.png', were read as a phone's later photos of one
    second up to '_99', and '_100'.. as another series: training refused them as "frames of two series"
    (utils.frame_names.later_photo_of_a_second needs the first photo, 'VID_20240101_123456', among them)."""
    from datasets.sequences import one_series
    from hostile import listed_frame_names
    names = [f"VID_20240101_123456_{number}.png" for number in range(1, 102)]
    listed = listed_frame_names(tmp_path, names)
    assert listed == names
    assert one_series([str(tmp_path / name) for name in listed]) == [str(tmp_path / name) for name in names]


@pytest.mark.parametrize("times", [("12.00", "12.00 #2", "12.00 #3", "12.01"),
                                   ("12.00 PM", "12.00 PM #2", "12.01 PM", "1.00 PM", "1.00 PM #2"),
                                   ("12.00", *(f"12.00 #{count}" for count in range(2, 12)))])
def test_photo_booths_later_photos_of_one_minute_are_read_in_order(tmp_path, times):
    """Photo Booth names a later photo of one minute after the first, then ' #2', ' #3'..: each was refused as "named
    as a copy of" the first (utils.frame_names.PHOTO_BOOTH_COUNT)."""
    from hostile import listed_frame_names
    names = [f"Photo on 1-1-24 at {time}.jpg" for time in times]
    assert listed_frame_names(tmp_path / "s", names[::-1]) == names
# Twenty-sixth pass, look at train.py's checkpoints, resume, stops and settings

@pytest.mark.parametrize("text", ["train:\n  <<: [{max_iter: 7}, {max_iter: 8}]\n",
                                  "a: &a {max_iter: 7}\nb: &b {max_iter: 8, save_freq: 3}\ntrain:\n  <<: [*a, *b]\n"])
def test_a_key_given_by_two_merged_mappings_is_the_earlier_one_s(tmp_path, text):
    """`<<: [*a, *b]` took b's max_iter, exit code 0, where YAML says the earlier mapping's wins: PyYAML tells a
    repeated merged key by the identity of its text, which only one-letter keys share."""
    from training.config import read_yaml
    (tmp_path / "c.yaml").write_text(text)
    assert read_yaml(str(tmp_path / "c.yaml"))["train.max_iter"] == 7


@pytest.mark.parametrize("value", ["!!bool 1", "!!bool", "!!float", "!!set [1]"])
def test_a_tag_yaml_cannot_build_is_one_line_in_a_file_and_in_set(tmp_path, value):
    """'!!bool 1' (KeyError), '!!float' of nothing (IndexError) and '!!set [1]' (TypeError) were tracebacks."""
    (tmp_path / "c.yaml").write_text(f"train:\n  max_iter: {value}\n")
    with pytest.raises(UserError, match=r"is not valid YAML.*; fix the syntax$"):
        config_of_flags("--cfg", str(tmp_path / "c.yaml"))
    with pytest.raises(UserError, match=rf"^bad value '{re.escape(value)}' for train\.max_iter: expected "):
        config_of_flags("--set", f"train.max_iter={value}")


def test_a_second_stop_in_a_finalizer_interrupts_without_a_traceback(capfd):
    """A second Ctrl-C whose handler ran in a weakref callback (NNabla freeing a graph) was dropped by Python with
    a traceback ("Exception ignored in ... KeyboardInterrupt"), and training went on to its iteration's end."""
    import time
    import train
    from utils.errors import STOP_SIGNALS

    class Freed:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)
    before, hook = {number: signal.getsignal(number) for number in STOP_SIGNALS}, sys.unraisablehook
    try:
        with pytest.raises(KeyboardInterrupt):
            with train.StopRequest() as stop:
                stop.requested = True  # the first stop
                Freed()
                time.sleep(2)
    finally:
        sys.unraisablehook = hook
        for number, handler in before.items():
            signal.signal(number, handler)
    assert "Exception ignored" not in capfd.readouterr().err


@pytest.mark.parametrize("key, recorded, value", [("train.num_resblock", 3, 2), ("train.scale", 4, 2),
                                                  ("train.tecogan", False, True)])
@pytest.mark.parametrize("allow", [False, True])
def test_a_resume_with_another_network_is_not_offered_allow_changed_settings(key, recorded, value, allow):
    """A resume with another block count, scale or stage was told "pass --allow-changed-settings to continue with the
    new ones", which met a second refusal: the checkpoint's parameters fit no other network."""
    from training.checkpoint import check_settings
    with pytest.raises(UserError, match=rf"^checkpoint 'c\.json' was trained with other settings: {key} "
                                        rf"{str(recorded).lower()} -> {str(value).lower()}, which shape the networks "
                                        r"\(its parameters fit no other, even with "
                                        r"--allow-changed-settings\); set them back, or start afresh with another "
                                        r"--output_dir$"):
        check_settings("c.json", {"settings": {key: recorded, "train.crop_size": 8}},
                       {key: value, "train.crop_size": 16}, allow)


@pytest.mark.parametrize("setting, shown", [("train.max_iter='-1'", "'-1'"), ("train.learning_rate='.inf'", "'.inf'"),
                                            ("train.max_iter='[5]'", r"'\[5\]'")])
def test_a_quoted_value_that_is_wrong_unquoted_too_is_not_told_to_drop_its_quotes(setting, shown):
    """`max_iter: '-1'` was "...; in quotes it is text: write it without them", which is refused again."""
    with pytest.raises(UserError, match=rf"^bad value {shown} for train\.\w+: expected [^;]*$"):
        config_of_flags("--set", setting)


# Twenty-sixth pass, second look at the twenty-sixth pass's training fixes

@pytest.mark.parametrize("text, line", [
    ("train:\n  <<: {max_iter: 7, max_iter: 8}\n", "2 ('max_iter'"),
    ("train:\n  <<: [{save_freq: 2}, {max_iter: 7, max_iter: 8}]\n", "2 ('max_iter'"),
    ("train:\n  <<: {max_iter: 7}\n  <<: {max_iter: 8}\n", "3 ('<<'")],
    ids=["in an inline merged mapping", "in the second of a list", "the merge key"])
def test_a_key_given_twice_in_a_merge_is_refused(tmp_path, text, line):
    """A key twice inside a mapping merged inline (which PyYAML never constructs), or `<<:` twice, was read as its
    first, exit code 0, where a key twice anywhere else is refused."""
    from training.config import read_yaml
    (tmp_path / "c.yaml").write_text(text)
    with pytest.raises(UserError, match=rf"is not valid YAML at line {re.escape(line)} is given twice\); fix the "):
        read_yaml(str(tmp_path / "c.yaml"))


@pytest.mark.parametrize("value, read_as", [("2020-01-01", "a date"), ("2020", "a number")])
def test_a_folder_named_as_yaml_reads_a_date_or_a_number_is_told_to_be_quoted(tmp_path, value, read_as):
    """`output_dir: 2020-01-01` in a --cfg file was "bad value datetime.date(2020, 1, 1) for data.output_dir: expected
    a folder", and `2020` "bad value 2020": a folder's name as written, refused without saying why."""
    (tmp_path / "c.yaml").write_text(f"data:\n  output_dir: {value}\n")
    with pytest.raises(UserError, match=rf"^bad value {value} for data\.output_dir: expected a folder; YAML reads it "
                                        rf"as {read_as}, not text: write it in quotes$"):
        config_of_flags("--cfg", str(tmp_path / "c.yaml"))


@pytest.mark.parametrize("key, recorded, value, advice", [
    ("train.crop_size", 8, 16, "; start afresh without --checkpoint, or pass --allow-changed-settings to continue with "
                               "the new ones"),
    ("train.num_resblock", 2, 3, r" \(its parameters fit no other, even with --allow-changed-settings\); set them "
                                 "back, or start afresh without --checkpoint"),
    ("train.tecogan", False, True, r" \(its parameters fit no other, even with --allow-changed-settings\); set them "
                                   r"back, or start afresh without --checkpoint \(the TecoGAN stage starts from an "
                                   r"FRVSR run's model_param_<iter>\.h5 by --pre_trained_frvsr_weights\)")],
    ids=["a setting", "the blocks", "the stage"])
def test_a_checkpoint_of_another_folder_with_other_settings_is_told_to_be_left_out(key, recorded, value, advice):
    """--checkpoint of another folder with other settings (an FRVSR run's given with --tecogan) was told "start afresh
    with another --output_dir", into a new folder already, where the same --checkpoint is refused again."""
    from training.checkpoint import check_settings
    with pytest.raises(UserError, match=rf"^checkpoint 'c\.json' was trained with other settings: {key} "
                                        rf"{str(recorded).lower()} -> {str(value).lower()}"
                                        rf"(, which shape the networks)?{advice}$"):
        check_settings("c.json", {"settings": {key: recorded}}, {key: value}, False, True)


# Twenty-sixth pass, second look at the twenty-sixth pass's training-data fixes

@pytest.mark.parametrize("names", [
    [f"Tangkapan Skrin 2023-06-01 pada {time}.png" for time in ("11.59.59 PG", "12.59.59 PTG", "1.00.00 PTG")],
    [f"عکس صفحه ۲۰۲۳-۰۶-۰۱ در {time}.png" for time in ("۱۱.۵۹.۵۹ ق.ظ.", "۱۲.۵۹.۵۹ ب.ظ.", "۱.۰۰.۰۰ ب.ظ.")],
    [f"Знімок екрана 2023-06-01 о {time}.png" for time in ("11.59.59 дп", "12.59.59 пп", "1.00.00 пп")],
    [f"Snímek obrazovky 2023-06-01 v {time}.png" for time in ("11.59.59 dop.", "12.59.59 odp.", "1.00.00 odp.")],
    [f"Posnetek zaslona 2023-06-01 ob {time}.png" for time in ("11.59.59 dop.", "12.59.59 pop.", "1.00.00 pop.")],
    [f"Näyttökuva 2023-06-01 kello {time}.png" for time in ("11.59.59 ap.", "12.59.59 ip.", "1.00.00 ip.")],
    [f"Skärmavbild 2023-06-01 kl. {time}.png" for time in ("11.59.59 fm", "12.59.59 em", "1.00.00 em")],
    [f"스크린샷 2023-06-01 {time}.png" for time in ("AM 11.59.59", "PM 12.59.59", "PM 1.00.00")],
    [f"Ekran Resmi 2023-06-01 {time}.png" for time in ("ÖÖ 11.59.59", "ÖS 12.59.59", "ÖS 1.00.00")],
    [f"Képernyőfotó 2023-06-01 {time}.png" for time in ("de. 11.59.59", "du. 12.59.59", "du. 1.00.00")]])
def test_a_twelve_hour_clock_in_other_languages_of_macos_is_ordered_by_its_hours(tmp_path, names):
    """The 12-hour clocks of macOS' languages as CLDR writes them (Malay's by default, 'PTG', morning 'PG'; Persian's,
    Ukrainian's, Czech, Slovenian's, Finnish and Swedish after the time; Korean's 'PM', Turkish 'ÖS' and Hungarian's
    'du.' before it) read 1 o'clock before 12, exit code 0, and across noon refused the morning's as a poster
    (utils.frame_names.HALF_OF_THE_DAY_AFTER, HALF_OF_THE_DAY_BEFORE)."""
    from hostile import listed_frame_names
    assert listed_frame_names(tmp_path / "s", names[::-1]) == names


def test_a_german_photo_booth_date_after_am_is_no_clock(tmp_path):
    """German Photo Booth's 'Foto am 13.01.24 um 12.00' holds 'am' (on) before a date: read as a morning's time, day
    13 would be hour 1 as day 1 is, day 12 hour 0 (utils.frame_names.HALF_OF_THE_DAY_BEFORE is of its case: 'AM')."""
    from hostile import listed_frame_names
    names = [f"Foto am {day}.01.24 um 12.00.jpg" for day in ("01", "12", "13")]
    assert listed_frame_names(tmp_path / "s", names[::-1]) == names


@pytest.mark.parametrize("flag, value", [("--duration", "1_0"), ("--start_id", "2_000")])
def test_a_data_prepare_number_with_an_underscore_is_refused(flag, value):
    """int() reads '_' between digits as Python's grouping: dataPrepare's '--duration 1_0' made scenes of 10 frames,
    '--start_id 2_000' numbered them from 2000, exit code 0, where every other script's number refuses it
    (utils.flags.ungrouped)."""
    from authors_scripts.dataPrepare import parse_args
    with pytest.raises(UserError, match=rf"^argument {flag}: {flag} must be a number without '_' \(e\.g\. \d+\), got "
                                        rf"'{value}' \(see --help\)$"):
        parse_args(["--disk_path", "out", flag, value])


@pytest.mark.parametrize("text", ["0,3_00", "3_0"])
def test_data_prepare_scene_starts_with_an_underscore_are_refused(text):
    """'--scene_starts 0,3_00' cut scenes from frames 0 and 300, '3_0' from frame 30, exit code 0
    (authors_scripts.dataPrepare.parse_starts)."""
    from authors_scripts.dataPrepare import parse_starts
    with pytest.raises(UserError, match=rf"^--scene_starts must be a number without '_' \(e\.g\. 0,300\), got "
                                        rf"'{text}'$"):
        parse_starts(text)


@pytest.mark.parametrize("decomposed", [(0, 3), (1, 2)])
def test_a_later_photo_beside_its_first_in_the_other_unicode_form_is_read_in_order(tmp_path, decomposed):
    """French Photo Booth's 'à 12.00 #2' beside a decomposed 'à 12.00' (a folder copied from macOS, then added to) was
    refused as its copy (utils.frame_names.no_copy_of_a_frame compares later photos' names in composed form)."""
    import unicodedata
    from hostile import listed_frame_names
    names = [f"Photo le 01-01-2024 à {time}.jpg" for time in ("12.00", "12.00 #2", "12.00 #3", "12.01")]
    made = [unicodedata.normalize("NFD", name) if at in decomposed else name for at, name in enumerate(names)]
    assert listed_frame_names(tmp_path / "s", made) == made


@pytest.mark.parametrize("first, counts, picture", [
    ("Photo le 01-01-2024 à 12.00", ("", " #3", " #4"), " #2.webp"),
    ("Café_20230601_120000", ("", "_1", "_3"), "_2.webp")])
def test_a_later_photos_picture_in_the_other_unicode_form_in_a_gap_is_refused(tmp_path, first, counts, picture):
    """A later photo's '.webp' in its gap, in composed form among decomposed frames, was left out without a word, the
    frames either side of it read as consecutive, exit code 0 (utils.frame_names.no_picture_left_out)."""
    import unicodedata
    from hostile import PICTURE_IN_A_GAP, listed_frame_names
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / (first + picture)).touch()
    with pytest.raises(UserError, match=re.escape(PICTURE_IN_A_GAP)):
        listed_frame_names(tmp_path / "s", [unicodedata.normalize("NFD", f"{first}{count}.jpg") for count in counts])
# Twenty-sixth pass, third look at the twenty-sixth pass's training fixes

@pytest.mark.parametrize("value, reason", [("2020-02-30", "day is out of range for month"),
                                           ("2020-01-01 25:00:00", "hour must be in 0..23")])
def test_a_folder_named_as_a_date_of_no_calendar_is_told_to_be_quoted(tmp_path, value, reason):
    """`output_dir: 2020-02-30` (a date YAML reads, of no calendar) was "is not valid YAML; fix the syntax", of a valid
    file, without a line, where `2020-01-01` is told to be quoted."""
    (tmp_path / "c.yaml").write_text(f"data:\n\n  output_dir: {value}\n")
    with pytest.raises(UserError, match=rf"^config file '.*c\.yaml' line 3: YAML reads {value} as a date, which no "
                                        rf"calendar has \({reason}\); write it in quotes if it is text$"):
        config_of_flags("--cfg", str(tmp_path / "c.yaml"))


def test_two_keys_of_lists_are_not_said_to_be_one_given_twice(tmp_path):
    """`[1]: 2` beside `[2]: 3` was "'[]' is given twice": a list as a key was compared before it was built."""
    from training.config import read_yaml
    (tmp_path / "c.yaml").write_text("train:\n  [1]: 2\n  [2]: 3\n")
    with pytest.raises(UserError, match=r"is not valid YAML at line 2 \(found unhashable key\); fix the syntax$"):
        read_yaml(str(tmp_path / "c.yaml"))


@pytest.mark.parametrize("earlier", ["copy", "record"])
def test_a_checkpoint_of_another_folder_into_a_folder_of_an_earlier_start_from_it_is_told_another_output_dir(
        tmp_path, capsys, earlier):
    """--checkpoint of another folder with other settings, into a folder holding an earlier start's copy of it or
    record (a start killed during the graph's build), was told "start afresh without --checkpoint", which continues
    that start from the same checkpoint there, refused again."""
    import train
    from training.checkpoint import copy_into, read_checkpoint, record_source
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, source, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "first", tmp_path / "second"
    source.mkdir()
    output_dir.mkdir()
    for name in ("params_00000002.h5", "gen_states_00000002.h5"):
        (source / name).write_bytes(b"h5")
    checkpoint = source / "checkpoint_00000002.json"
    checkpoint.write_text(json.dumps({"iteration": 2, "params": "params_00000002.h5",
                                      "solvers": {"gen": "gen_states_00000002.h5"},
                                      "settings": {"train.crop_size": 8}}))
    if earlier == "copy":
        copy_into(str(checkpoint), read_checkpoint(str(checkpoint)), str(output_dir))
    else:
        record_source(str(output_dir), str(checkpoint))
    flags = tiny_training_flags(scenes, output_dir, **{"train.crop_size": 16, "train.max_iter": 3})
    assert user_error_line(train.main, [*flags, "--checkpoint", str(checkpoint)], capsys).endswith(
        "train.crop_size 8 -> 16; start afresh with another --output_dir, or pass --allow-changed-settings to continue "
        "with the new ones")


# Twenty-sixth pass, third look at the twenty-sixth pass's training-data fixes

@pytest.mark.parametrize("names", [
    [f"Skärmavbild_2023-06-01_kl._{time}.png" for time in ("11.59.59_fm", "12.59.59_em", "1.00.00_em")],
    [f"Tangkapan-Skrin-2023-06-01-pada-{time}.png" for time in ("11.59.59-PG", "12.59.59-PTG", "1.00.00-PTG")],
    [f"Näyttökuva_2023-06-01_kello_{time}.png" for time in ("11_59_59_ap.", "12_59_59_ip.", "1_00_00_ip.")],
    [f"스크린샷_2023-06-01_{time}.png" for time in ("AM_11.59.59", "PM_12.59.59", "PM_1.00.00")],
    [f"Ekran-Resmi-2023-06-01-{time}.png" for time in ("ÖÖ-11.59.59", "ÖS-12.59.59", "ÖS-1.00.00")],
    [f"Képernyőfotó_2023-06-01_{time}.png" for time in ("de._11.59.59", "du._12.59.59", "du._1.00.00")],
    [f"스크린샷_2023-06-01_{time}.png" for time in ("오전_11.59.59", "오후_12.59.59", "오후_1.00.00")]])
def test_a_twelve_hour_clock_of_other_languages_with_blanks_made_separators_is_ordered_by_its_hours(tmp_path, names):
    """macOS' 12-hour clocks of other languages in a name whose blanks a site or a tool made '_' or '-' (as English's
    'Screen_Shot_.._at_1.00.00_PM' is read) read 1 o'clock before 12, exit code 0, and across noon refused the
    morning's as a poster (utils.frame_names.TWELVE_HOUR_CLOCK)."""
    from hostile import listed_frame_names
    assert listed_frame_names(tmp_path / "s", names[::-1]) == names
# Twenty-sixth pass, fourth look at the twenty-sixth pass's training fixes

@pytest.mark.parametrize("first, second", [("1", "true"), ("0", "false"), ("~", "null"), ("yes", "on"),
                                           ("1e3", "1000")])
def test_two_keys_one_as_python_reads_them_are_named_as_written(tmp_path, first, second):
    """`1: 2` beside `true: 3` was "'True' is given twice", a key written by neither (Python's 1 == True)."""
    from training.config import read_yaml
    (tmp_path / "c.yaml").write_text(f"train:\n  {first}: 2\n  {second}: 3\n")
    with pytest.raises(UserError, match=rf"is not valid YAML at line 3 \('{re.escape(second)}' and "
                                        rf"'{re.escape(first)}' of line 2 are one key\); fix the syntax$"):
        read_yaml(str(tmp_path / "c.yaml"))


@pytest.mark.parametrize("setting, value, shown", [("data:\n  output_dir", "yes", "true"),
                                                   ("train:\n  max_iter", "~", "null"),
                                                   ("train:\n  learning_rate", "off", "false")])
def test_a_switch_or_null_refused_for_a_setting_is_shown_as_yaml_writes_it(tmp_path, setting, value, shown):
    """`output_dir: yes` was "bad value True for data.output_dir", `max_iter: ~` "bad value None": Python's words."""
    (tmp_path / "c.yaml").write_text(f"{setting}: {value}\n")
    with pytest.raises(UserError, match=rf"^bad value {shown} for \w+\.\w+: expected "):
        config_of_flags("--cfg", str(tmp_path / "c.yaml"))


# Twenty-sixth pass, fourth look at the twenty-sixth pass's training-data fixes

@pytest.mark.parametrize("names", [
    [f"Skärmavbild-2023-06-01-kl.-{time}.png" for time in ("11.59.59-fm", "12.00.00-em", "1.00.00-em")],
    [f"Skärmavbild 2023-06-01 kl.-{time}.png" for time in ("11.59.59_fm", "12.59.59_em", "1.00.00_em")],
    [f"Skärmavbild-2023-06-01-kl.-{time}.png" for time in ("09.00.00", "12.59.59", "13.00.00")]])
def test_a_time_after_a_dot_and_a_dash_is_ordered_by_its_hours_not_as_a_negative_number(tmp_path, names):
    """Swedish 'Skärmavbild-..-kl.-1.00.00-em' (its blanks made '-' by a site or a tool) was read as hour -13, before
    '..-kl.-12.59.59-em' (-12), exit code 0; a 24-hour 'kl.-13.00.00' before 'kl.-09.00.00' so
    (utils.frame_names.NUMBER's sign)."""
    from hostile import listed_frame_names
    assert listed_frame_names(tmp_path / "s", names[::-1]) == names


# Twenty-seventh pass, look at the training data, frame names and series

@pytest.mark.parametrize("inner", ["thumbs", "a/thumbs"])
def test_a_data_folder_holding_frames_beside_its_sequence_folders_is_one_line(tmp_path, inner):
    """A sequence passed as --input_video_dir with a folder of its thumbnails ('thumbs/0001.png', or a group's): the
    thumbnails were trained on as the one sequence, the folder's own frames left out without a word, exit code 0."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"": 3, inner: 3}, sizes={"": (8, 8), inner: (8, 8)})
    with pytest.raises(UserError, match=rf"^'.*data' holds frames and also folders of frames \({inner}\), so which "
                                        r"are the sequences is not known; move"):
        folder_sequences(root)


@pytest.mark.parametrize("width", [3, 4, 5])
def test_blender_s_negative_frames_of_its_default_name_are_read_in_order_not_as_copies(tmp_path, width):
    """Blender's frames of a scene begun below 0 under its default name (no prefix, the sign within the width,
    '-0002.png', '-0001.png', '0000.png', '0001.png', '0002.png') were refused: '-0002.png' "is named as a copy of
    '0002.png'" (utils.frame_names.tails)."""
    from hostile import listed_frame_names
    names = [f"{number:0{width}d}.png" if number >= 0 else f"-{-number:0{width}d}.png" for number in range(-2, 3)]
    assert listed_frame_names(tmp_path / "s", names[::-1]) == names


@pytest.mark.parametrize("folders, held", [({"": 6, "thumbs": 6}, r"frames beside folders \(thumbs\)"),
                                           ({"HR": 6, "LR": 6}, "a clip's LR/ and HR/ folders")])
def test_a_clip_passed_as_the_validation_folder_is_one_line(tmp_path, folders, held):
    """A clip passed as data.val_dir: its 'thumbs/' was scored as the one clip, its frames left out without a word, and
    its LR/ and HR/ were scored as two clips of HR frames, exit code 0."""
    from training.validation import validation_clips
    from training_data import make_sequence_folders
    sizes = {"": (64, 64), "thumbs": (64, 64), "HR": (192, 192), "LR": (48, 48)}
    val_dir = make_sequence_folders(tmp_path / "val", folders, sizes={name: sizes[name] for name in folders})
    with pytest.raises(UserError, match=rf"^validation folder '.*val' holds {held}, so which are the clips is not "
                                        "known; put each clip in a subfolder of it$"):
        validation_clips(validation_config(val_dir))


# Twenty-seventh pass, look at train.py's checkpoints, resume, stops and settings

@pytest.mark.parametrize("value, shown", [("[yes]", "[true]"), ("[no, ~]", "[false, null]"), ("{a: on}", "{'a': true}"),
                                          ("[2020-01-01]", "[2020-01-01]")])
def test_a_switch_null_or_date_inside_a_list_refused_for_a_setting_is_shown_as_yaml_writes_it(value, shown):
    """`--set train.max_iter=[yes]` was "bad value [True]", `[2020-01-01]` "[datetime.date(2020, 1, 1)]": Python's
    words, in no file or flag, as a switch alone was before the twenty-sixth pass's fourth look."""
    with pytest.raises(UserError, match=rf"^bad value {re.escape(shown)} for train\.max_iter: expected a positive "):
        config_of_flags("--set", f"train.max_iter={value}")


@pytest.mark.parametrize("key, recorded, value, shown", [
    ("train.tecogan", False, True, "train.tecogan false -> true"),
    ("train.num_resblock", None, 16, "train.num_resblock null -> 16"),
    ("train.flip", True, False, "train.flip true -> false")])
def test_a_resume_names_a_changed_switch_or_null_as_yaml_writes_it(key, recorded, value, shown):
    """A resume of other settings told "train.tecogan False -> True", Python's words, of a checkpoint's JSON and
    flags that write false and true."""
    from training.checkpoint import check_settings
    with pytest.raises(UserError, match=rf"other settings: {re.escape(shown)}[,;]"):
        check_settings("c.json", {"settings": {key: recorded}}, {key: value})


@pytest.mark.parametrize("key, value", [("learning_rate", "1e400"), ("eps", "1e-400"), ("decay", "-1e400")])
def test_a_number_in_quotes_past_a_float_s_range_is_refused_as_written(tmp_path, key, value):
    """A float32 setting's number in quotes was read by float(): `learning_rate: '1e400'` was "bad value inf" and
    `eps: '1e-400'` "bad value 0.0", of neither as written, where the same number unquoted is told as written."""
    (tmp_path / "c.yaml").write_text(f"train:\n  {key}: '{value}'\n")
    with pytest.raises(UserError, match=rf"^bad value {value} for train\.{key}: expected "):
        config_of_flags("--cfg", str(tmp_path / "c.yaml"))


@pytest.mark.parametrize("make", [os.symlink, shutil.copyfile], ids=["a link", "a copy"])
def test_a_checkpoint_named_for_another_iteration_whose_name_is_taken_is_not_told_to_take_it(tmp_path, make):
    """checkpoint_00000004.json a link to checkpoint_00000002.json was told "name it checkpoint_00000002.json": the
    link so renamed replaced that checkpoint's JSON by a link to itself, and the checkpoint was lost."""
    from training.checkpoint import refuse_renamed
    (tmp_path / "checkpoint_00000002.json").write_text('{"iteration": 2}')
    make(str(tmp_path / "checkpoint_00000002.json"), str(tmp_path / "checkpoint_00000004.json"))
    with pytest.raises(UserError, match=r"holds iteration 2, not the 4 of its name \(renamed or edited by hand\); "
                                        r"checkpoint_00000002\.json is there already: move "
                                        r"checkpoint_00000004\.json out of the folder$"):
        refuse_renamed(str(tmp_path / "checkpoint_00000004.json"), {"iteration": 2})


# Twenty-seventh pass, second look at the twenty-seventh pass's training-data fixes

@pytest.mark.parametrize("folders, beside", [({"c": 6, "c/LR": 6, "c/HR": 6}, "HR/ and LR/ folders"),
                                             ({"c": 6, "c/LR": 6}, "LR/ folder"), ({"c": 6, "c/hr": 6}, "hr/ folder")])
def test_a_validation_clip_holding_frames_beside_its_lr_or_hr_folder_is_one_line(tmp_path, folders, beside):
    """A clip's frames beside its LR/ and HR/: the two were scored, its frames left out without a word; beside one of
    them, its frames were scored, degraded, and the folder left out so, exit code 0."""
    from training.validation import validation_clips
    from training_data import make_sequence_folders
    sizes = {"c": (64, 64), "c/HR": (64, 64), "c/hr": (64, 64), "c/LR": (16, 16)}
    val_dir = make_sequence_folders(tmp_path / "val", folders, sizes={name: sizes[name] for name in folders})
    with pytest.raises(UserError, match=rf"^validation clip '.*c' holds frames beside its {beside}, so which are its "
                                        "frames is not known; keep its HR frames in it, or its LR/ and HR/ folders, "
                                        "and move the others elsewhere$"):
        validation_clips(validation_config(val_dir))


def test_a_clip_s_lowercase_lr_and_hr_folders_passed_as_the_validation_folder_are_one_line(tmp_path):
    """A clip's 'lr/' and 'hr/' passed as data.val_dir were scored as two clips of HR frames, exit code 0, where its
    'LR/' and 'HR/' are refused."""
    from training.validation import validation_clips
    from training_data import make_sequence_folders
    val_dir = make_sequence_folders(tmp_path / "val", {"hr": 6, "lr": 6}, sizes={"hr": (64, 64), "lr": (64, 64)})
    with pytest.raises(UserError, match=r"^validation folder '.*val' holds a clip's LR/ and HR/ folders, so which are "
                                        "the clips is not known; put each clip in a subfolder of it$"):
        validation_clips(validation_config(val_dir))


@pytest.mark.parametrize("folders, low", [({"LR/clip": 3, "HR/clip": 3}, "LR"), ({"c/LR": 3, "c/HR": 3}, "c/LR"),
                                          ({"lr": 3, "hr": 3}, "lr")])
def test_an_lr_folder_beside_an_hr_folder_in_the_training_data_is_one_line(tmp_path, folders, low):
    """download_test_data.py's LR/<clip> beside HR/<clip>, a validation clip's <clip>/LR beside <clip>/HR, passed as
    --input_video_dir: the LR frames were trained on as sequences of HR frames, exit code 0."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", folders, sizes={name: (8, 8) for name in folders})
    with pytest.raises(UserError, match=rf"^'.*data/{low}' holds the LR frames of an LR/ and HR/ pair .*, which "
                                        "training would read as HR frames, .*; train on the HR/ frames alone, move it "
                                        "out of --input_video_dir, or name the sequences"):
        folder_sequences(root)


def test_the_hr_folder_beside_an_lr_folder_is_trained_on_where_the_sequence_list_names_it(tmp_path):
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"LR/clip": 3, "HR/clip": 3}, sizes={"LR/clip": (8, 8),
                                                                                         "HR/clip": (32, 32)})
    (tmp_path / "list.txt").write_text("HR/clip\n")
    assert [sequence.name for sequence in folder_sequences(root, str(tmp_path / "list.txt"))] == ["HR/clip"]


def test_the_evaluation_data_s_lr_and_hr_folders_of_clips_as_the_validation_folder_say_where_a_clip_s_frames_go(
        tmp_path):
    """download_test_data.py's LR/<clip> and HR/<clip> passed as data.val_dir were called "a clip's LR/ and HR/
    folders", to "put each clip in a subfolder of it", which did not say where its LR and HR frames go."""
    from training.validation import validation_clips
    from training_data import make_sequence_folders
    val_dir = make_sequence_folders(tmp_path / "val", {"LR/calendar": 6, "HR/calendar": 6},
                                    sizes={"LR/calendar": (16, 16), "HR/calendar": (64, 64)})
    with pytest.raises(UserError, match=r"^validation folder '.*val' holds folders of clips' LR and HR frames "
                                        r"\(download_test_data.py's LR/<clip> and HR/<clip>\), where validation "
                                        "reads a clip's in <clip>/LR and <clip>/HR: make a folder"):
        validation_clips(validation_config(val_dir))


# Twenty-seventh pass, second look at the twenty-seventh pass's training fixes

def test_a_checkpoint_whose_right_name_is_a_link_to_nothing_is_told_to_move_the_link_out(tmp_path):
    """checkpoint_00000004.json holding iteration 2 beside a checkpoint_00000002.json linking to nothing was told "move
    it out of the folder": read as the link, fine; read as itself, as meant, the link was left the newest checkpoint,
    "does not exist", and the checkpoint outside the folder. (The first look's test of a taken name, above, now expects
    the line naming which to move: read as the one just named, a link's target was moved out, and the next start
    deleted its parameter and solver files as orphans.)"""
    from training.checkpoint import refuse_renamed
    (tmp_path / "checkpoint_00000004.json").write_text('{"iteration": 2}')
    os.symlink(str(tmp_path / "unmounted.json"), str(tmp_path / "checkpoint_00000002.json"))
    with pytest.raises(UserError, match=r"\(renamed or edited by hand\); checkpoint_00000002\.json is there "
                                        r"already and is no checkpoint train\.py reads \(a link to nothing, a damaged "
                                        r"file\): move it out of the folder, then name checkpoint_00000004\.json so$"):
        refuse_renamed(str(tmp_path / "checkpoint_00000004.json"), {"iteration": 2})


def test_two_checkpoints_of_swapped_names_are_told_to_be_renamed_not_moved_out(tmp_path):
    """checkpoint_00000002.json holding iteration 4 and checkpoint_00000004.json holding 2 were told "move it out of
    the folder": either moved out, its files were deleted as orphans at the next start (the newest checkpoint's where
    the one named was moved, and the run resumed from iteration 2, exit code 0)."""
    from training.checkpoint import refuse_renamed
    (tmp_path / "checkpoint_00000004.json").write_text('{"iteration": 2}')
    (tmp_path / "checkpoint_00000002.json").write_text('{"iteration": 4}')
    with pytest.raises(UserError, match=r"; checkpoint_00000004\.json is there already and holds iteration 2: rename "
                                        r"the two after the iterations they hold, one first to a free name$"):
        refuse_renamed(str(tmp_path / "checkpoint_00000002.json"), {"iteration": 4})


def test_a_resume_with_a_long_path_changed_at_its_end_shows_where_the_two_differ():
    """Two data folders of more than 300 characters that differ in their last folder were said as their first 300
    characters, alike: "data.input_video_dir '/d/xx...' -> '/d/xx...'", a change the line did not show."""
    from training.checkpoint import check_settings
    deep = "/d/" + "x" * 400
    with pytest.raises(UserError, match=r"other settings: data\.input_video_dir '\.\.\.x{70,}/one' -> "
                                        r"'\.\.\.x{70,}/two'; "):
        check_settings("c.json", {"settings": {"data.input_video_dir": deep + "/one"}},
                       {"data.input_video_dir": deep + "/two"})


@pytest.mark.parametrize("flag, key", [("--max_iter", "train.max_iter"), ("--batch_size", "train.batch_size")])
def test_a_setting_flag_given_empty_is_refused_not_taken_for_absent(flag, key):
    """`--max_iter ''` (an unset variable's, `--max_iter "$ITERS"`) was YAML's null, taken for an absent flag: a run of
    config.yaml's 900,000 iterations, exit code 0, where `--set train.max_iter=` is refused."""
    with pytest.raises(UserError, match=rf"^bad value null for {re.escape(key)}: expected a positive integer$"):
        config_of_flags(flag, "")


def test_num_resblock_null_overrides_a_config_file_s_block_count(tmp_path):
    """`--num_resblock null` (the stage's default block count) was taken for an absent flag, and a --cfg file's
    num_resblock kept, where `--set train.num_resblock=null` overrides it."""
    (tmp_path / "c.yaml").write_text("train:\n  num_resblock: 10\n")
    assert config_of_flags("--cfg", str(tmp_path / "c.yaml"), "--num_resblock", "null").train.num_resblock is None


# Twenty-seventh pass, third look at the twenty-seventh pass's training-data fixes
@pytest.mark.parametrize("low, high", [("LR_bicubic/clip", "HR/clip"), ("BIx4/clip", "GT/clip"), ("c/low", "c/high"),
                                       ("ＬＲ/clip", "ＨＲ/clip"), ("LR /clip", "HR /clip"),
                                       ("train_sharp_bicubic/000", "train_sharp/000")])
def test_an_lr_sequence_of_another_name_beside_its_hr_sequence_is_one_line(tmp_path, low, high):
    """An LR/ beside an HR/ was told by its name alone: Vid4's BIx4/<clip> beside GT/<clip>, a clip's 'low/' beside
    'high/', a full-width 'ＬＲ/' or an 'LR /' were trained on as sequences of HR frames, exit code 0."""
    from datasets.sequences import folder_sequences
    from training_data import make_lr_hr_pair
    root = make_lr_hr_pair(tmp_path / "data", low, high)
    with pytest.raises(UserError, match=rf"^'.*data/{low}' holds frames as many as '{high}', named alike and 4 times "
                                        r"smaller \(an LR and HR pair's LR frames: .*\), which training would read as "
                                        "HR frames, .*; train on the HR frames alone"):
        folder_sequences(root)


@pytest.mark.parametrize("folders", [{"a/clip": (8, 3), "b/clip": (8, 3)}, {"a/clip": (8, 3), "b/clip": (32, 4)},
                                     {"g/a": (8, 3), "g/b": (32, 3), "g/c": (32, 3)},
                                     {"scene_2000": (8, 3), "scene_2001": (16, 3)}])
def test_sequences_of_one_size_or_of_other_frames_or_of_a_larger_group_or_of_one_series_are_trained_on(tmp_path,
                                                                                                      folders):
    """What tells an LR sequence from its HR twin is its frames: as many, named alike, a whole factor smaller, and the
    twin its name's in another group or the other sequence of its folder, named otherwise than by its number;
    sequences otherwise are trained on ({folder: (side, frames)})."""
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {name: count for name, (_, count) in folders.items()},
                                 sizes={name: (side, side) for name, (side, _) in folders.items()})
    assert [sequence.name for sequence in folder_sequences(root)] == sorted(folders)


def test_a_sequence_list_naming_a_sequence_a_whole_factor_smaller_than_its_twin_trains_on_it(tmp_path):
    """Frames alike a whole factor smaller than another sequence's may be a sequence of its own (two videos' scenes of
    two sizes): a list naming it is the user's word that it is one."""
    from datasets.sequences import folder_sequences
    from training_data import make_lr_hr_pair
    root = make_lr_hr_pair(tmp_path / "data", "small/clip", "large/clip")
    with pytest.raises(UserError, match="4 times smaller"):  # without the list
        folder_sequences(root)
    (tmp_path / "list.txt").write_text("small/clip\nlarge/clip\n")
    assert [sequence.name for sequence in folder_sequences(root, str(tmp_path / "list.txt"))] == ["small/clip",
                                                                                                    "large/clip"]


@pytest.mark.parametrize("low, high", [("BIx4", "GT"), ("low", "high"), ("LR_bicubic", "HR")])
def test_a_clip_s_lr_and_hr_frames_of_other_names_passed_as_the_validation_folder_are_one_line(tmp_path, low, high):
    """A clip's LR and HR frames in folders of other names than LR/ and HR/, passed as data.val_dir, were scored as
    two clips of HR frames, exit code 0."""
    from training.validation import validation_clips
    from utils.image_io import write_rgb
    for name, side in ((low, 48), (high, 192)):
        (tmp_path / "val" / name).mkdir(parents=True)
        for index in range(6):
            write_rgb(str(tmp_path / "val" / name / f"{index:04d}.png"), np.full((side, side, 3), 40 * index, np.uint8))
    with pytest.raises(UserError, match=rf"^validation folder '.*val' holds a clip's LR and HR frames \('{low}' holds "
                                        rf"frames as many as '{high}', named alike and 4 times smaller\), so which "
                                        "are the clips is not known; put each clip in a subfolder of it$"):
        validation_clips(validation_config(str(tmp_path / "val")))


@pytest.mark.parametrize("links", [{"0004.png": "0004.png"}, {"0004.png": "0005.png", "0005.png": "0004.png"}])
def test_a_frame_linked_back_to_itself_is_one_line(tmp_path, links):
    """A frame that is a symbolic link leading back to itself raised OSError "Too many levels of symbolic links", a
    traceback, where a link to nothing is one line."""
    from datasets.sequences import folder_sequences, frame_size
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"a": 3}, lambda index: f"{index + 1:04d}.png", {"a": (8, 8)})
    for name, target in links.items():
        os.symlink(target, os.path.join(root, "a", name))
    with pytest.raises(UserError, match=r"^image '.*a/0004.png' is a symbolic link to '.*', which does not exist \(or "
                                        r"leads back to itself\); replace or remove it$"):
        frame_size(folder_sequences(root)[0], "sequences")


def test_a_folder_of_clips_passed_a_level_up_as_the_validation_folder_says_which_folder_to_pass(tmp_path):
    """REDS' val/ as data.val_dir: its val_sharp/ was called a clip that "has no images", to put frames in it or remove
    it, neither of which makes a run."""
    from training.validation import validation_clips
    from training_data import make_reds_folder
    reds_dir = make_reds_folder(tmp_path / "REDS", train=(), val=("000",), height=64, width=64)
    with pytest.raises(UserError, match=r"^validation clip '(.*val/val_sharp)' holds no frames but folders of them "
                                        r"\(000\): it is a folder of clips .*; pass '\1' as data.val_dir$"):
        validation_clips(validation_config(os.path.join(reds_dir, "val")))


@pytest.mark.parametrize("folders, message", [
    (("c/BIx4", "c/GT"), r"^validation clip '.*val/c' holds its LR and HR frames in 'BIx4/' and 'GT/', where "
                         "validation reads them in LR/ and HR/: rename the two folders$"),
    (("BIx4/calendar", "GT/calendar"), r"^validation folder '.*val' holds folders of clips' LR and HR frames")])
def test_a_clip_s_lr_and_hr_frames_in_folders_of_other_names_in_the_validation_folder_are_one_line_saying_so(
        tmp_path, folders, message):
    """A clip's LR and HR frames in 'BIx4/' and 'GT/' (Vid4's names), or Vid4's BIx4/<clip> and GT/<clip> passed as
    data.val_dir, were called a clip that "has no images", to put its frames in it."""
    from training.validation import validation_clips
    from training_data import make_lr_hr_pair
    val_dir = make_lr_hr_pair(tmp_path / "val", *folders, count=6, side=64)
    with pytest.raises(UserError, match=message):
        validation_clips(validation_config(val_dir))


def test_a_validation_clip_that_cannot_be_listed_is_one_line(tmp_path):
    """Another user's clip folder in data.val_dir: the listing of its subfolders (for its LR/ and HR/ beside frames)
    was a PermissionError traceback, where its frames' listing says so in one line."""
    from training_data import make_sequence_folders
    val_dir = make_sequence_folders(tmp_path / "val", {"a": 6}, sizes={"a": (64, 64)})
    os.chmod(tmp_path, 0o755)
    os.mkdir(os.path.join(val_dir, "b"), 0o700)
    os.chown(os.path.join(val_dir, "b"), 1000, 1000)
    script = ("from types import SimpleNamespace as S\nfrom training.validation import validation_clips\n"
              "from utils.errors import UserError\ntry:\n    validation_clips(S(train=S(val_freq=1, val_metric='psnr', "
              f"val_frames=6, val_crop=48, scale=4), data=S(val_dir={val_dir!r}, degradation='bd')))\n"
              "except UserError as error:\n    print(error)\n")
    completed = run_python_without_root_override(script)
    assert "Traceback" not in completed.stderr  # nnabla's log lines go there
    assert completed.stdout == (f"cannot list validation clip '{os.path.join(val_dir, 'b')}' (Permission denied); "
                                "check its permissions\n")


# Twenty-seventh pass, beside the looks: an LR sequence told by its frames' pictures too
@pytest.mark.parametrize("low, high", [("beach", "city"), ("a/clip", "b/clip")])
def test_two_clips_of_other_pictures_at_two_sizes_named_alike_are_trained_on(tmp_path, low, high):
    """Two clips of as many frames named alike (ffmpeg's 0001.png ...), one a whole factor smaller than the other: told
    by their sizes and names alone, the smaller was refused as the other's LR frames, where its pictures are others."""
    from datasets.sequences import folder_sequences
    from training_data import make_lr_hr_pair
    root = make_lr_hr_pair(tmp_path / "data", low, high, other_pictures=True)
    assert [sequence.name for sequence in folder_sequences(root)] == sorted([low, high])
# Twenty-seventh pass, third look at the twenty-seventh pass's training fixes

@pytest.mark.parametrize("held, shown", [
    ({2: 4, 4: 6, 6: 2}, r"checkpoint_00000004\.json' holds iteration 6, not the 4 of its name \(renamed or edited by "
                         r"hand\); checkpoint_00000006\.json is there already and holds iteration 2: rename the 3 "
                         r"\(checkpoint_00000002\.json, checkpoint_00000004\.json, checkpoint_00000006\.json\) after"),
    ({2: 4, 4: 6, 6: 6}, r"checkpoint_00000004\.json' holds iteration 6, not the 4 of its name \(renamed or edited by "
                         r"hand\); checkpoint_00000006\.json is there already: move checkpoint_00000004\.json out")],
    ids=["a ring of three", "a right name behind"])
def test_checkpoints_whose_names_take_a_third_one_s_are_not_told_to_rename_two(tmp_path, held, shown):
    """checkpoint_00000002.json holding 4, checkpoint_00000004.json holding 6 and a third named 6 were told "rename the
    two after the iterations they hold": the second renamed as told replaced the third's JSON (of iteration 2 in a
    ring, or the checkpoint rightly named 6), whose files the next start deleted as orphans."""
    from training.checkpoint import refuse_renamed_checkpoints
    for named, iteration in held.items():
        (tmp_path / f"checkpoint_{named:08d}.json").write_text(json.dumps({"iteration": iteration}))
    with pytest.raises(UserError, match=shown):
        refuse_renamed_checkpoints(str(tmp_path))


def test_a_checkpoint_whose_right_name_is_a_link_to_it_is_told_to_move_the_link_out(tmp_path):
    """checkpoint_00000002.json holding iteration 4 beside a checkpoint_00000004.json linking to it was told "move
    checkpoint_00000002.json out of the folder": moved as told, the link was left the newest checkpoint, and the next
    start said "checkpoint_00000004.json does not exist"."""
    from training.checkpoint import refuse_renamed
    (tmp_path / "checkpoint_00000002.json").write_text('{"iteration": 4}')
    os.symlink("checkpoint_00000002.json", str(tmp_path / "checkpoint_00000004.json"))
    with pytest.raises(UserError, match=r"\(renamed or edited by hand\); checkpoint_00000004\.json is a link to it: "
                                        r"move the link out of the folder, then name checkpoint_00000002\.json so$"):
        refuse_renamed(str(tmp_path / "checkpoint_00000002.json"), {"iteration": 4})


@pytest.mark.parametrize("recorded, value, shown", [
    ("/d/" + "x" * 400 + "'", "/d/" + "x" * 400 + '"', r"""data\.output_dir "\.\.\.x{70,}'" -> '\.\.\.x{70,}"'"""),
    ("/d/cafe\u0301", "/d/caf\u00e9", r"data\.output_dir '/d/cafe\\u0301' -> '/d/caf\\xe9'"),
    ("数" * 250 + "e\u0301", "数" * 250 + "\u00e9", r"data\.output_dir '\.\.\.(\\u6570)+e\\u0301' -> '\.\.\.(\\u6570)+\\xe9'")],
    ids=["quote marks at the end of long paths", "an accent combined and composed", "after 250 letters escaped"])
def test_a_resume_shows_where_two_changed_paths_that_read_alike_differ(recorded, value, shown):
    """Two output folders of more than 300 characters that differ in a last ' and " were said as their first 300
    characters in repr's other quote marks, alike ("/d/xx..." -> '/d/xx...'); a folder's 'é' of a macOS copy (e and a
    combining accent) against the one letter typed was "'/d/café' -> '/d/café'"."""
    from training.checkpoint import check_settings
    with pytest.raises(UserError, match=rf"other settings: {shown}; "):
        check_settings("c.json", {"settings": {"data.output_dir": recorded}}, {"data.output_dir": value})


# Twenty-eighth pass, look at the training data, frame names and series
@pytest.mark.parametrize("brightness", [0.12, 0.3])
def test_two_dark_clips_of_other_pictures_at_two_sizes_named_alike_are_trained_on(tmp_path, brightness):
    """A frame's error against another's made smaller scales with the pictures' contrast: two dark clips of other
    pictures fell within the error an LR frame has, and the smaller was refused as the other's LR frames."""
    from datasets.sequences import folder_sequences
    from training_data import make_lr_hr_pair
    root = make_lr_hr_pair(tmp_path / "data", "beach", "city", other_pictures=True, brightness=brightness)
    assert [sequence.name for sequence in folder_sequences(root)] == ["beach", "city"]


@pytest.mark.parametrize("brightness", [0.12, 0.3])
def test_a_dark_clip_s_lr_frames_beside_its_hr_frames_are_still_refused(tmp_path, brightness):
    """The bound within a dark picture's contrast still finds its LR frames (bd's, 8x8)."""
    from datasets.sequences import folder_sequences
    from training_data import make_lr_hr_pair
    root = make_lr_hr_pair(tmp_path / "data", "low", "high", brightness=brightness)
    with pytest.raises(UserError, match="/low' holds frames as many as 'high', named alike and 4 times smaller"):
        folder_sequences(root)


@pytest.mark.parametrize("separator", ["__", "--", "  ", " \u202f"], ids=["underscores", "dashes", "blanks", "nnbsp"])
@pytest.mark.parametrize("names", [
    ["Shot{0}11.59.59{0}AM.png", "Shot{0}12.59.59{0}PM.png", "Shot{0}1.00.00{0}PM.png"],
    ["Skärmavbild{0}kl.{0}11.59.59{0}fm.png", "Skärmavbild{0}kl.{0}12.59.59{0}em.png",
     "Skärmavbild{0}kl.{0}1.00.00{0}em.png"],
    ["스크린샷{0}AM{0}11.59.59.png", "스크린샷{0}PM{0}12.59.59.png", "스크린샷{0}PM{0}1.00.00.png"],
    ["스크린샷{0}오전{0}11.59.59.png", "스크린샷{0}오후{0}12.59.59.png", "스크린샷{0}오후{0}1.00.00.png"]],
    ids=["english", "swedish", "korean", "korean joined"])
def test_a_twelve_hour_clock_of_doubled_separators_is_ordered_by_its_hours(tmp_path, names, separator):
    """A clock's word with two separators beside it ('Shot__1.00.00__PM'): within one half 1 o'clock was read before
    12, exit code 0, and across noon the morning's refused as named otherwise (utils.frame_names.TWELVE_HOUR_CLOCK)."""
    from hostile import listed_frame_names
    names = [name.format(separator) for name in names]
    assert listed_frame_names(tmp_path / "s", names[::-1]) == names


# Twenty-eighth pass, second look at the twenty-eighth pass's training-data fixes
def flat_first_frame(kind, side=32):
    """A first frame that tells no picture: black, a grey title's, a fade's near-black grain."""
    import numpy as np
    if kind == "grain":
        return np.clip(0.02 + np.random.default_rng(1).normal(0, 0.004, (side, side, 3)), 0, 1).astype(np.float32)
    return np.full((side, side, 3), {"black": 0.0, "grey": 0.5}[kind], np.float32)


@pytest.mark.parametrize("kind", ["grey", "grain"])
def test_an_lr_and_hr_pair_whose_first_frames_are_flat_is_still_refused(tmp_path, kind):
    """A flat first frame's variance is within its rounding: the pair's LR frames were past half of it and trained
    on as a sequence of HR frames, exit code 0 (datasets.sequences.made_smaller reads the frames that tell)."""
    from datasets.sequences import folder_sequences
    from training_data import make_lr_hr_pair
    root = make_lr_hr_pair(tmp_path / "data", "low", "high", first=flat_first_frame(kind))
    with pytest.raises(UserError, match="/low' holds frames as many as 'high', named alike and 4 times smaller"):
        folder_sequences(root)


def test_two_clips_of_other_pictures_at_two_sizes_both_from_black_are_trained_on(tmp_path):
    """Two black first frames are one picture at any size: two clips of other pictures were refused as an LR and HR
    pair, exit code 2, with no way out as data.val_dir."""
    from datasets.sequences import folder_sequences
    from training_data import make_lr_hr_pair
    root = make_lr_hr_pair(tmp_path / "data", "beach", "city", other_pictures=True, first=flat_first_frame("black"))
    assert [sequence.name for sequence in folder_sequences(root)] == ["beach", "city"]


@pytest.mark.parametrize("separator", ["___", "   ", "\u3000", "\u2009"],
                         ids=["three", "blanks", "ideographic", "thin"])
@pytest.mark.parametrize("names", [
    ["Shot{0}12.59.59{0}PM.png", "Shot{0}1.00.00{0}PM.png", "Shot{0}2.00.00{0}PM.png"],
    ["스크린샷{0}오후{0}12.59.59.png", "스크린샷{0}오후{0}1.00.00.png", "스크린샷{0}오후{0}2.00.00.png"]],
    ids=["english", "korean joined"])
def test_a_twelve_hour_clock_of_other_separators_is_ordered_by_its_hours(tmp_path, names, separator):
    """Three separators beside a clock's word, or a blank of another script's: 1 o'clock was read before 12, exit code
    0 (utils.frame_names.CLOCK_SEPARATOR)."""
    from hostile import listed_frame_names
    names = [name.format(separator) for name in names]
    assert listed_frame_names(tmp_path / "s", names[::-1]) == names


@pytest.mark.parametrize("link", ["b", "b/LR"], ids=["clip", "its LR folder"])
def test_a_validation_clip_or_its_frames_folder_linked_to_nothing_is_one_line(tmp_path, link):
    """A clip that is a link to nothing (a disk not mounted) was left out without a word, the others scored, exit code
    0; a clip's LR/ so was called a folder of clips, to pass as data.val_dir."""
    from training.validation import validation_clips
    from utils.image_io import write_rgb
    for folder in ("a", "b/HR"):
        (tmp_path / "val" / folder).mkdir(parents=True, exist_ok=True)
        for index in range(5):
            write_rgb(str(tmp_path / "val" / folder / f"{index:04d}.png"), np.full((16, 16, 3), 40 * index, np.uint8))
    if link == "b":
        shutil.rmtree(tmp_path / "val" / "b")
    (tmp_path / "val" / link).symlink_to(tmp_path / "unmounted")
    with pytest.raises(UserError, match=rf"^'.*val/{link}' is a symbolic link to nothing \(a disk not mounted, "
                                        r".*\), so validation cannot read it; mount its disk or remove the link$"):
        validation_clips(validation_config(str(tmp_path / "val")))


# Twenty-eighth pass, third look at the twenty-eighth pass's training-data fixes
def test_two_clips_of_other_pictures_at_two_sizes_both_from_one_colour_are_trained_on(tmp_path):
    """A frame of one colour (a title card's blue) varies across its channels alone: it was no flat picture, and two
    clips of other pictures from one were refused as an LR and HR pair (utils.image_io.FLAT_VARIANCE, per channel)."""
    from datasets.sequences import folder_sequences
    from training_data import make_lr_hr_pair
    blue = np.broadcast_to(np.array([0.1, 0.2, 0.8], np.float32), (32, 32, 3)).copy()
    root = make_lr_hr_pair(tmp_path / "data", "beach", "city", other_pictures=True, first=blue)
    assert [sequence.name for sequence in folder_sequences(root)] == ["beach", "city"]


def test_two_clips_of_other_pictures_at_two_sizes_black_but_for_one_frame_are_trained_on(tmp_path):
    """Clips black at their first, middle and last frames told nothing there: two clips of other pictures, black but
    for their second frame, were refused as an LR and HR pair (datasets.sequences.smaller_twins asks the others)."""
    from datasets.sequences import folder_sequences
    from training_data import make_lr_hr_pair
    from utils.image_io import write_rgb
    root = make_lr_hr_pair(tmp_path / "data", "beach", "city", count=5, other_pictures=True)
    for index in (0, 2, 3, 4):
        for name, side in (("city", 32), ("beach", 8)):
            write_rgb(str(tmp_path / "data" / name / f"{index:04d}.png"), np.zeros((side, side, 3), np.uint8))
    assert [sequence.name for sequence in folder_sequences(root)] == ["beach", "city"]


@pytest.mark.parametrize("other", ["missing", "a file", "a link to a file"])
@pytest.mark.parametrize("half", ["LR", "HR"])
def test_a_validation_clip_of_one_frames_folder_of_the_two_is_one_line(tmp_path, half, other):
    """A clip's LR/ without its HR/ (or HR/ without LR/) was called a folder of clips (REDS' val_sharp), to pass as
    data.val_dir, where its frames would be scored as a clip's (training.validation.check_layout)."""
    from training.validation import validation_clips
    from utils.image_io import write_rgb
    missing = "HR" if half == "LR" else "LR"
    for folder in ("a", f"b/{half}"):
        (tmp_path / "val" / folder).mkdir(parents=True)
        for index in range(5):
            write_rgb(str(tmp_path / "val" / folder / f"{index:04d}.png"), np.full((48, 48, 3), 40 * index, np.uint8))
    (tmp_path / "notes.txt").write_text("x")
    if other == "a file":
        (tmp_path / "val" / "b" / missing).write_text("x")
    elif other == "a link to a file":
        (tmp_path / "val" / "b" / missing).symlink_to(tmp_path / "notes.txt")
    with pytest.raises(UserError, match=rf"^validation clip '.*val/b' holds an {half}/ folder but no {missing}/ folder "
                                        rf"beside it, where validation reads a clip's LR and HR frames: put its "
                                        rf"{missing} frames in '.*val/b/{missing}'"):
        validation_clips(validation_config(str(tmp_path / "val")))


def test_a_reds_sequence_list_naming_a_clip_validation_scores_is_one_line(tmp_path):
    """A REDS list naming REDS4's '000' with data.val_dir the REDS folder trained on a clip validation scores,
    model_best.h5 chosen by it, exit code 0 (training.validation.validation_clips)."""
    from training.validation import validation_clips
    from training_data import make_reds_folder
    reds_dir = make_reds_folder(tmp_path / "REDS", train=("000",), val=(), height=16, width=16)
    (tmp_path / "list.txt").write_text("001\n000\n")
    config = config_of_flags("--set", "train.val_freq=1", "--set", f"data.val_dir={reds_dir}", "--set",
                             "data.layout=reds", "--set", f"data.sequence_list={tmp_path / 'list.txt'}")
    with pytest.raises(UserError, match=r"^sequence list '.*list.txt' names REDS4's 000, which validation scores "
                                        r"\(data.val_dir '.*REDS' is a REDS folder\), so it would be trained on and "
                                        r"scored; leave REDS4 out of the list, or set data.val_dir to a folder of "
                                        r"other clips$"):
        validation_clips(config)


# Twenty-eighth pass, second look at the twenty-eighth pass's training inputs
def test_a_tecogan_run_started_from_an_frvsr_checkpoint_s_parameter_file_is_told_to_take_its_model_file(tmp_path,
                                                                                                       capsys):
    """--pre_trained_frvsr_weights run/params_00000001.h5 (the checkpoint's parameter file, beside the model file of
    the same iteration) was told "lacks 36 parameters of this network ...: it was saved for another network or block
    count (check --num_resblock, or use the matching model file)", which no block count mends."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes", frames_per_scene=4), tmp_path / "frvsr"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 1, "data.max_frm": 3}))
    weights = output_dir / "params_00000001.h5"
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        train.main(tiny_training_flags(scenes, tmp_path / "tecogan", **{"train.max_iter": 1, "data.max_frm": 3,
                                                                         "gan.vgg_scaling": 0})
                   + ["--tecogan", "--pre_trained_frvsr_weights", str(weights)])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: '{weights}' is a training checkpoint's parameter file, not a model file; pass the model_param_*.h5 of "
        "the same iteration"]
    assert not (tmp_path / "tecogan").exists()


@pytest.mark.parametrize("kind, told", [
    ("model", "lacks 32 parameters of this network, e.g. 'conv1/conv/W': it is no VGG19 file; "),
    ("onnx", "is not an HDF5 (.h5) parameter file; ")])
def test_a_file_of_another_kind_given_as_the_vgg19_weights_is_told_where_vgg19_h5_comes_from(tmp_path, kind, told):
    """--vgg_pre_trained_weights of a generator's model file was told "(check --num_resblock, or use the matching model
    file)", and of an ONNX file "pass a file saved by train.py or an official NNabla model": neither gives VGG19."""
    from collections import OrderedDict

    import nnabla as nn

    from vgg19 import load_vgg19, vgg19_features
    path = os.path.join(REPO_ROOT, "pretrained", "frvsr_x2_demo_bigbuckbunny.h5")
    if kind == "onnx":
        path = tmp_path / "vgg19.onnx"
        path.write_bytes(b"\x08\x07\x12\x07pytorch" + bytes(64))
    with nn.parameter_scope("", OrderedDict()):
        vgg19_features(nn.Variable((1, 16, 16, 3)))
        params = nn.get_parameters(grad_only=False)
    with pytest.raises(UserError) as error:
        load_vgg19(str(path), params)
    assert str(error.value) == (f"weights file '{path}' {told}pass vgg19.h5 from download_test_data.py --weights, or "
                                "convert_tf_vgg19_weights.py")


@pytest.mark.parametrize("limit_kb", [1, 16, 40])
def test_a_model_file_past_the_file_size_limit_is_one_line_and_leaves_nothing(tmp_path, limit_kb):
    """Under `ulimit -f` a model_param file (or a checkpoint's) whose end fell past the limit was a traceback, exit code
    1: HDF5's close after the failed write raised "RuntimeError: Can't decrement id ref count (... errno = 27 ...)",
    which hid the write's EFBIG."""
    import resource

    from utils.weights import HostParameter, save_weights
    params = {f"layer_{index}/W": HostParameter(np.ones((64, 64), np.float32), True) for index in range(4)}
    path = tmp_path / "model_param_00000002.h5"
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit_kb * 1024, hard))
    try:
        with pytest.raises(UserError) as error:
            save_weights(str(path), params)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert str(error.value) == (f"cannot write '{path}': it is larger than this process may write (ulimit -f) or the "
                                "file system holds; raise the limit or choose another folder")
    assert os.listdir(tmp_path) == []


def test_tensorboard_s_events_file_past_the_file_size_limit_is_one_line(tmp_path):
    """train.tensorboard true under `ulimit -f 0`: "OSError: [Errno 27] File too large" from tensorboardX's flush, a
    traceback and exit code 1."""
    import resource

    from training.loss_log import TensorBoardScalars
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, hard))
    try:
        with pytest.raises(UserError) as error:
            TensorBoardScalars(str(tmp_path), 0)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert re.fullmatch(r"cannot write '.*/tensorboard/events\.out\.tfevents\.[^']+': it is larger than this process "
                        r"may write \(ulimit -f\) or the file system holds; raise the limit or choose another folder",
                        str(error.value))


def test_tensorboard_s_first_events_file_refused_leaves_no_folder(tmp_path):
    """Refused at its first write (`ulimit -f 0`), the events file and tensorboard/ were left, and with them the output
    folder train.py had made, which a refusal before training removes where it is empty."""
    import resource

    from training.loss_log import TensorBoardScalars
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, hard))
    try:
        with pytest.raises(UserError):
            TensorBoardScalars(str(tmp_path), 0)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert os.listdir(tmp_path) == []


# Twenty-eighth pass, fourth look at the twenty-eighth pass's training-data fixes
# how a validation clip that is a training sequence is refused
TRAINED_AND_SCORED = (r"\(data.val_dir\) is training sequence '.*', so it would be trained on and scored, "
                      r"model_best.h5 chosen by clips trained on; set data.val_dir to a folder of other clips, or "
                      r"leave the sequence out of training \(data.sequence_list\)$")


def test_a_folder_of_sequences_trained_on_and_validated_on_is_one_line_before_training(tmp_path):
    """--input_video_dir given as data.val_dir too was trained on and scored, model_best.h5 chosen by clips it
    trained on, exit code 0 (train.py compares the sampler's sequences with the clips)."""
    from training_data import make_sequence_folders, tiny_training_flags
    data = make_sequence_folders(tmp_path / "data", {"a": 5, "b": 5}, sizes={"a": (48, 48), "b": (48, 48)})
    completed = run_script("train.py", *tiny_training_flags(data, tmp_path / "out", **{
        "data.layout": "sequences", "train.max_iter": 1, "train.val_freq": 1, "data.val_dir": data,
        "train.val_crop": 48}), timeout=120)
    line = assert_one_error_line(completed)
    assert re.fullmatch(rf"error: validation clip '.*data/a' {TRAINED_AND_SCORED}", line), line
    assert not os.path.exists(tmp_path / "out" / "model_best.h5")


def clips_trained_on(config):
    """validation_clips(config) checked against the training sequences, as train.py checks them."""
    from data_loader import training_sequences
    from training.validation import check_not_trained_on, validation_clips
    check_not_trained_on(validation_clips(config), training_sequences(config.data, config.train.rnn_n))


@pytest.mark.parametrize("spelling", ["{data}/", "{data}/../data", "{link}", "{data}/b/..", "{parent}"])
def test_a_validation_folder_of_training_sequences_by_another_spelling_is_one_line(tmp_path, spelling):
    """The training folder as data.val_dir by a trailing slash, '..', a link, or a folder above a sequence of it."""
    from training_data import make_sequence_folders
    data = make_sequence_folders(tmp_path / "data", {"a": 5, "b": 5}, sizes={"a": (48, 48), "b": (48, 48)})
    (tmp_path / "link").symlink_to(data)
    (tmp_path / "parent").mkdir()
    (tmp_path / "parent" / "b").symlink_to(tmp_path / "data" / "b")
    val_dir = spelling.format(data=data, link=tmp_path / "link", parent=tmp_path / "parent")
    config = config_of_flags("--input_video_dir", data, "--set", "data.layout=sequences", "--set", "train.rnn_n=3",
                             "--set", "train.val_freq=1", "--set", f"data.val_dir={val_dir}", "--set",
                             "train.val_crop=48")
    with pytest.raises(UserError, match=rf"^validation clip '.*' {TRAINED_AND_SCORED}"):
        clips_trained_on(config)


@pytest.mark.parametrize("listed, part", [("240", "val/val_sharp"), ("000", "train/train_sharp")])
def test_a_reds_sequence_validated_on_through_a_part_of_reds_is_one_line(tmp_path, listed, part):
    """A REDS list naming a sequence of the part given as data.val_dir (val_sharp's 000 as 240; no REDS folder, so
    the REDS4 check passed it) was trained on and scored, exit code 0."""
    from training_data import make_reds_folder
    reds_dir = make_reds_folder(tmp_path / "REDS", train=("000", "001"), val=("000",), height=48, width=48)
    (tmp_path / "list.txt").write_text(f"001\n{listed}\n")
    config = config_of_flags("--input_video_dir", reds_dir, "--set", "data.layout=reds", "--set",
                             f"data.sequence_list={tmp_path / 'list.txt'}", "--set", "train.rnn_n=3", "--set",
                             "train.val_freq=1", "--set", f"data.val_dir={reds_dir}/{part}", "--set",
                             "train.val_crop=48", "--set", "train.val_frames=5")
    with pytest.raises(UserError, match=rf"^validation clip '.*REDS/{part}/000' {TRAINED_AND_SCORED}"):
        clips_trained_on(config)
