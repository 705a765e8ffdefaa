"""The decoded-frame cache (data.cache_dir): same batches, reuse, rebuild on change, all-or-nothing builds."""
import errno
import os
import shutil
import time

import numpy as np
import pytest

import train
from data_loader import SequenceSampler, read_frame
from datasets import frame_cache
from training_data import calendar_frame, make_calendar_scenes, tiny_training_flags
from training.config import load_config
from utils.errors import UserError
from utils.image_io import write_rgb
from utils.scene_layout import frame_path, scene_dir


def cache_config(data_dir, cache_dir=""):
    return load_config(
        overrides={
            "data.input_video_dir": data_dir,
            "data.str_dir": 2000,
            "data.end_dir": 2001,
            "data.max_frm": 11,
            "data.cache_dir": cache_dir,
            "train.crop_size": 8,
            "train.rnn_n": 4,
            "train.batch_size": 3
        })


@pytest.fixture
def data_dir(tmp_path):
    return make_calendar_scenes(tmp_path / "scenes")


def batches(sampler, iterations=range(0, 40, 3)):
    return np.stack([sampler.batch(iteration) for iteration in iterations])


def entries(cache_dir):
    return sorted(name for name in os.listdir(cache_dir) if not name.startswith("."))


def test_batches_with_the_cache_are_those_without_it(data_dir, tmp_path):
    reports = []
    cached = SequenceSampler(cache_config(data_dir, str(tmp_path / "cache")), warn=reports.append)
    np.testing.assert_array_equal(batches(cached), batches(SequenceSampler(cache_config(data_dir))))
    assert any("decoding 2 sequences, 1.8 MB" in report for report in reports)  # 24 frames of 180x144


def test_a_later_run_reuses_the_cache_without_decoding(data_dir, tmp_path, monkeypatch):
    config = cache_config(data_dir, str(tmp_path / "cache"))
    first = batches(SequenceSampler(config))
    monkeypatch.setattr(frame_cache, "write_entry",
                        lambda *args: pytest.fail("a valid entry was decoded again"))
    reports = []
    np.testing.assert_array_equal(batches(SequenceSampler(config, warn=reports.append)), first)
    assert reports == []


def test_a_changed_source_frame_rebuilds_its_sequence(data_dir, tmp_path):
    config = cache_config(data_dir, str(tmp_path / "cache"))
    SequenceSampler(config)
    changed = frame_path(scene_dir(data_dir, 2001), 5)
    time.sleep(0.01)  # a later modification time, as a real edit has
    write_rgb(changed, calendar_frame(30))
    reports = []
    rebuilt = SequenceSampler(config, warn=reports.append)
    assert any("decoding 1 sequence," in report for report in reports)
    np.testing.assert_array_equal(batches(rebuilt), batches(SequenceSampler(cache_config(data_dir))))


def test_a_full_disk_stops_the_build_with_one_line_keeps_nothing_and_the_next_run_rebuilds(data_dir, tmp_path,
                                                                                             monkeypatch):
    config = cache_config(data_dir, str(tmp_path / "cache"))
    written = []

    def fill_up(path):  # the second sequence finds the disk full
        written.append(path)
        if len(written) > 12:
            raise OSError(errno.ENOSPC, "No space left on device")
        return read_frame(path)

    monkeypatch.setattr("data_loader.read_frame", fill_up)
    with pytest.raises(UserError,
                       match=r"the disk of frame cache folder .* is full: .*\(nothing half-written is "
                       r"kept; the next run decodes again\)"):
        SequenceSampler(config)
    assert len(entries(config.data.cache_dir)) == 1  # the first sequence, whole; no staging folder
    monkeypatch.undo()
    reports = []
    np.testing.assert_array_equal(batches(SequenceSampler(config, warn=reports.append)),
                                  batches(SequenceSampler(cache_config(data_dir))))
    assert any("decoding 1 sequence," in report for report in reports)


def test_an_out_of_date_entry_that_cannot_be_replaced_is_one_line_naming_it(data_dir, tmp_path, monkeypatch):
    """An entry another user built in a shared cache folder, out of date now: PermissionError (the fifth hostile
    pass; made here by refusing the replacement, as the file system does to another user's entry)."""
    config = cache_config(data_dir, str(tmp_path / "cache"))
    SequenceSampler(config)
    time.sleep(0.01)
    write_rgb(frame_path(scene_dir(data_dir, 2001), 5), calendar_frame(30))
    [stale] = [name for name in entries(config.data.cache_dir) if name.startswith("scene_2001")]

    def refused(staging, entry):
        raise PermissionError(errno.EPERM, "Operation not permitted", "frames.npy")
    monkeypatch.setattr(frame_cache, "commit_folder", refused)
    with pytest.raises(UserError, match=f"^cannot replace the out-of-date frame cache entry '.*{stale}' "
                                        r"\(Operation not permitted\); delete it, or set data.cache_dir to a folder "
                                        "of your own$"):
        SequenceSampler(config)
    assert not [name for name in os.listdir(config.data.cache_dir) if name.endswith(frame_cache.STAGING_SUFFIX)]


def test_a_build_larger_than_the_free_space_is_refused_before_writing(data_dir, tmp_path, monkeypatch):
    config = cache_config(data_dir, str(tmp_path / "cache"))
    usage = shutil.disk_usage(tmp_path)._replace(free=1000)
    monkeypatch.setattr(frame_cache.shutil, "disk_usage", lambda path: usage)
    with pytest.raises(UserError, match=r"is full: decoding 2 sequences needs 1.8 MB"):
        SequenceSampler(config)
    assert entries(config.data.cache_dir) == []


def test_a_staging_folder_left_by_a_killed_build_is_removed_and_never_read(data_dir, tmp_path):
    cache_dir = str(tmp_path / "cache")
    sampler = SequenceSampler(cache_config(data_dir, cache_dir))
    entry = os.path.join(cache_dir, entries(cache_dir)[0])
    os.rename(entry, entry + frame_cache.STAGING_SUFFIX)  # as if the build had been killed before its rename
    reports = []
    again = SequenceSampler(cache_config(data_dir, cache_dir), warn=reports.append)
    assert any("decoding 1 sequence," in report for report in reports)
    assert not any(name.endswith(frame_cache.STAGING_SUFFIX) for name in os.listdir(cache_dir))
    np.testing.assert_array_equal(batches(again), batches(sampler))


def test_a_folder_of_the_users_named_like_a_staging_folder_is_kept(data_dir, tmp_path):
    """Every folder ending in .building was removed as a killed build's, whatever its name (fourth hostile
    pass)."""
    users = tmp_path / "cache" / "thesis.building"
    users.mkdir(parents=True)
    (users / "chapter1.tex").write_text("mine")
    SequenceSampler(cache_config(data_dir, str(tmp_path / "cache")))
    assert (users / "chapter1.tex").read_text() == "mine"


def test_a_full_disk_while_training_builds_the_cache_is_one_line_and_exit_code_2(
        data_dir, tmp_path, monkeypatch, capsys):
    def disk_full(descriptor, offset, length):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(frame_cache.os, "posix_fallocate", disk_full)
    with pytest.raises(SystemExit) as stopped:
        train.main(
            tiny_training_flags(data_dir, tmp_path / "run", **{"data.cache_dir": str(tmp_path / "cache")}))
    assert stopped.value.code == 2
    error = capsys.readouterr().err  # the build's announcement and progress bar, then the error
    assert error.startswith("frame cache: decoding 2 sequences") and "Traceback" not in error
    assert error.count("error:") == 1 and error.splitlines()[-1].startswith(
        "error: the disk of frame cache folder")
    assert entries(tmp_path / "cache") == []


# The fourth hostile pass of issue 28 (docs/testing.md): an entry whose array file no longer matches its record
# was read as it was: a traceback (numpy's mmap or EOF errors), or an index past its frames.
@pytest.mark.parametrize("damage", [
    lambda path: open(path, "r+b").truncate(os.path.getsize(path) // 2),
    lambda path: open(path, "wb").close(),
    lambda path: np.save(path, np.zeros((2, 4, 4, 3), np.uint8)),
    lambda path: np.save(path, np.load(path).astype(np.float32)),
], ids=["cut in half", "emptied", "another shape", "float32"])
def test_an_entry_whose_array_file_was_damaged_is_decoded_again(data_dir, tmp_path, damage):
    config = cache_config(data_dir, str(tmp_path / "cache"))
    first = batches(SequenceSampler(config))
    damage(os.path.join(tmp_path / "cache", entries(tmp_path / "cache")[0], frame_cache.FRAMES_FILE))
    reports = []
    np.testing.assert_array_equal(batches(SequenceSampler(config, warn=reports.append)), first)
    assert any("decoding 1 sequence," in report for report in reports)
