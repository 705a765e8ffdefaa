"""A stop signal writes the checkpoint of the last completed iteration at once, from a thread, while the
iteration under way is still computing: mpirun (Open MPI 5) kills its processes about half a second after it is
signalled, sooner than an iteration ends."""
import os
import signal
import time
from contextlib import nullcontext

import pytest
from training_data import make_calendar_scenes, tiny_training_flags

import train


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    return make_calendar_scenes(tmp_path_factory.mktemp("scenes"))


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM, signal.SIGCONT],
                         ids=["Ctrl-C", "SIGTERM", "SIGCONT, Open MPI's first"])
def test_a_stop_signal_writes_the_last_completed_iterations_checkpoint_before_the_current_one_ends(
        scenes, tmp_path, monkeypatch, signal_number):
    training_step, steps, seen_during_step_5 = train.training_step, [], []

    def slow_fifth_step(*args, **kwargs):
        steps.append(len(steps) + 1)
        if steps[-1] == 5:
            os.kill(os.getpid(), signal_number)
            deadline = time.time() + 60  # a long forward pass: the checkpoint must not wait for its end
            while not os.path.exists(tmp_path / "checkpoint_00000004.json") and time.time() < deadline:
                time.sleep(0.01)
            seen_during_step_5.append(sorted(name for name in os.listdir(tmp_path) if name.endswith(".json")))
        return training_step(*args, **kwargs)

    monkeypatch.setattr(train, "training_step", slow_fifth_step)
    argv = tiny_training_flags(scenes, tmp_path, **{"train.max_iter": 2, "train.save_freq": 1000,
                                                    "train.save_minutes": 0}) + ["--batch_size", "1"]
    with pytest.raises(SystemExit) if signal_number != signal.SIGCONT else nullcontext() as outcome:
        train.main(argv)
    assert seen_during_step_5 == [["checkpoint_00000004.json"]]
    if outcome is not None:  # a stop: after iteration 5 as before, exit code 130
        assert outcome.value.code == 130
    assert "model_param_00000004.h5" in os.listdir(tmp_path)
