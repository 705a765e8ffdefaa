"""A stop signal writes the checkpoint of the last completed iteration at once, from a thread, while the
iteration under way is still computing: mpirun (Open MPI 5) kills its processes about half a second after it
is signalled, sooner than an iteration ends."""
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO_ROOT
from training_data import final_parameters, logged_losses, make_calendar_scenes, tiny_training_flags

# train.py in a process of its own, its fifth step held (as a long forward pass would be) until the
# checkpoint of iteration 4 appears or 60 s pass; prints the checkpoints seen then, as JSON
HELD_FIFTH_STEP = """
import json, os, sys, time
import train
output_dir, signal_number, argv = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
training_step, steps = train.training_step, []

def held_fifth_step(*args, **kwargs):
    steps.append(len(steps) + 1)
    if steps[-1] == 5:
        os.kill(os.getpid(), signal_number)
        deadline = time.time() + 60
        fourth = os.path.join(output_dir, "checkpoint_00000004.json")
        while not os.path.exists(fourth) and time.time() < deadline:
            time.sleep(0.01)
        print("seen during step 5:", json.dumps(sorted(name for name in os.listdir(output_dir)
                                                        if name.endswith(".json"))), flush=True)
    return training_step(*args, **kwargs)

train.training_step = held_fifth_step
train.main(argv)
"""


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    return make_calendar_scenes(tmp_path_factory.mktemp("scenes"))


@pytest.mark.parametrize("signal_number, exit_code, cause", [
    (signal.SIGINT, 130, "stop signal (SIGINT)"), (signal.SIGTERM, 130, "stop signal (SIGTERM)"),
    (signal.SIGCONT, 0, "continued (SIGCONT)")], ids=["Ctrl-C", "SIGTERM", "SIGCONT, Open MPI's first"])
def test_a_stop_signal_writes_the_last_completed_iterations_checkpoint_before_the_current_one_ends(
        scenes, tmp_path, signal_number, exit_code, cause):
    """The line names the signal: SIGCONT alone (fg after Ctrl-Z, a scheduler resuming a suspended job) was
    called a stop signal while training went on (fourth hostile pass)."""
    argv = tiny_training_flags(scenes, tmp_path, **{"train.max_iter": 2, "train.save_freq": 1000,
                                                    "train.save_minutes": 0}) + ["--batch_size", "1"]
    completed = subprocess.run([sys.executable, "-c", HELD_FIFTH_STEP, str(tmp_path), str(int(signal_number)),
                                json.dumps(argv)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert completed.returncode == exit_code, completed.stderr[-2000:]  # SIGCONT is no stop: all 8 iterations
    assert "seen during step 5: [\"checkpoint_00000004.json\"]" in completed.stdout, completed.stdout
    assert f"{cause}: wrote the checkpoint of iteration 4, the last completed, at once" in completed.stdout
    assert "model_param_00000004.h5" in os.listdir(tmp_path)


@pytest.mark.slow
def test_checkpoints_written_at_once_during_training_leave_it_bit_for_bit_unchanged(scenes, tmp_path):
    """SIGCONT again and again: each writes a checkpoint from the thread while the main thread computes."""
    argv = tiny_training_flags(scenes, tmp_path / "signalled", **{
        "train.max_iter": 20,
        "train.save_freq": 1000,
        "train.save_minutes": 0
    }) + ["--batch_size", "1"]
    process = subprocess.Popen([sys.executable, "train.py", *argv], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    header = process.stdout.readline()  # printed as the iterations start: signal from then on, however fast
    assert header.startswith("frvsr: "), header
    while process.poll() is None:
        process.send_signal(signal.SIGCONT)
        time.sleep(random.uniform(0.05, 0.2))
    out = header + process.stdout.read()
    assert process.returncode == 0 and out.count("at once") >= 5, out
    subprocess.run([sys.executable, "train.py", *argv[:3], str(tmp_path / "once"), *argv[4:]], cwd=REPO_ROOT,
                   check=True, capture_output=True)
    assert logged_losses(tmp_path / "signalled") == logged_losses(tmp_path / "once")
    name_signalled, signalled = final_parameters(tmp_path / "signalled")
    name_once, once = final_parameters(tmp_path / "once")
    assert name_signalled == name_once
    for name in once:
        assert (signalled[name] == once[name]).all(), name
