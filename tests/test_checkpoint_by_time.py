"""train.save_minutes: checkpoints by time as well as by iterations, so that a kill loses minutes, not hours;
off-schedule ones are pruned to the newest two."""
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import REPO_ROOT
from training_data import final_parameters, logged_losses, make_calendar_scenes, tiny_training_flags

import train

BATCH_1 = ["--batch_size", "1"]  # the quickest iterations: max_iter 1 is 4 of them


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    return make_calendar_scenes(tmp_path_factory.mktemp("scenes"))


def flags(scenes, output_dir, max_iter, **settings):
    return tiny_training_flags(scenes, output_dir, **{"train.max_iter": max_iter, "train.save_freq": 100000,
                                                      **settings}) + BATCH_1


def checkpoint_iterations(output_dir):
    return sorted(int(name[len("checkpoint_"):-len(".json")]) for name in os.listdir(output_dir)
                  if name.startswith("checkpoint_") and name.endswith(".json"))


def test_a_run_killed_at_a_random_moment_resumes_from_its_last_timed_checkpoint_to_the_same_parameters(
        scenes, tmp_path):
    killed_dir = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "train.py"] + flags(scenes, killed_dir, 1000,
                                                                     **{"train.save_minutes": 0.005}),
                               cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not (killed_dir.is_dir() and checkpoint_iterations(killed_dir)):
        assert process.poll() is None and time.time() < deadline
        time.sleep(0.05)
    time.sleep(random.uniform(0, 2))
    assert process.poll() is None  # killed while training, not after it finished
    process.send_signal(signal.SIGKILL)
    process.wait()
    kept = checkpoint_iterations(killed_dir)[-1]  # written by time: save_freq is far away
    assert 0 < kept < 4000
    final = kept // 4 + 2  # max_iter in batches of 4: a few iterations past the kept checkpoint
    train.main(flags(scenes, killed_dir, final, **{"train.save_minutes": 0.005}))
    train.main(flags(scenes, tmp_path / "once", final))
    assert logged_losses(killed_dir) == logged_losses(tmp_path / "once")
    name_resumed, resumed = final_parameters(killed_dir)
    name_once, once = final_parameters(tmp_path / "once")
    assert name_resumed == name_once
    for name in once:
        np.testing.assert_array_equal(resumed[name], once[name], err_msg=name)


def test_timed_checkpoints_off_the_save_freq_schedule_are_pruned_to_the_newest_two(scenes, tmp_path):
    # a minute of 1e-9: every iteration is due; save_freq 4 keeps 4 and 8, the last two timed ones are 6 and 7
    train.main(flags(scenes, tmp_path, 2, **{"train.save_minutes": "1.0e-9", "train.save_freq": 4}))
    models = sorted(name for name in os.listdir(tmp_path) if name.startswith("model_param_"))
    assert models == [f"model_param_{iteration:08d}.h5" for iteration in (4, 6, 7, 8)]
    assert checkpoint_iterations(tmp_path) == [7, 8]


def test_save_minutes_zero_writes_no_timed_checkpoint(scenes, tmp_path):
    train.main(flags(scenes, tmp_path, 2, **{"train.save_minutes": 0, "train.save_freq": 4}))
    assert sorted(name for name in os.listdir(tmp_path) if name.startswith("model_param_")) == [
        "model_param_00000004.h5", "model_param_00000008.h5"]


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "'30'"])
def test_a_bad_save_minutes_is_one_line(scenes, tmp_path, capsys, value):
    with pytest.raises(SystemExit) as exit_info:
        train.main(flags(scenes, tmp_path / "out", 2) + ["--set", f"train.save_minutes={value}"])
    assert exit_info.value.code == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert line.startswith("error: ") and "train.save_minutes" in line
