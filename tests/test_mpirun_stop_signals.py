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

import h5py
import numpy as np
import pytest
from conftest import REPO_ROOT
from training.checkpoint import HostSnapshot, save_checkpoint, save_solver_states, solver_state_values
from training_data import final_parameters, logged_losses, make_calendar_scenes, tiny_training_flags
from utils.weights import parameters_under, save_parameter_file, to_compute_layout

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


def small_trained_network(seed):
    """Parameters (a convolution and a batch normalisation, under a scope of their own) and an Adam solver that
    updated them once."""
    import nnabla as nn
    import nnabla.functions as F
    import nnabla.parametric_functions as PF
    import nnabla.solvers as S
    rng = np.random.RandomState(seed)
    with nn.parameter_scope(f"net{seed}"):
        x = nn.Variable.from_numpy_array(rng.randn(2, 3, 6, 6).astype(np.float32))
        y = F.mean(PF.batch_normalization(PF.convolution(x, 4, (3, 3), name="conv"), name="bn") ** 2)
    params = parameters_under(f"net{seed}")
    assert sorted(params) == ["bn/bn/beta", "bn/bn/gamma", "bn/bn/mean", "bn/bn/var", "conv/conv/W", "conv/conv/b"]
    solver = S.Adam(alpha=0.01)
    solver.set_parameters({name: param for name, param in params.items() if param.need_grad})
    y.forward()
    solver.zero_grad()
    y.backward()
    solver.update()
    return params, solver


def h5_contents(path):
    """{name: (values or None for a group, attributes)} of every item of an HDF5 file."""
    found = {}
    with h5py.File(path, "r") as h5:
        h5.visititems(lambda name, item: found.__setitem__(name, (
            item[()] if isinstance(item, h5py.Dataset) else None, dict(item.attrs))))
    return found


def assert_same_h5(ours, nnablas):
    assert sorted(ours) == sorted(nnablas)
    for name, (values, attributes) in nnablas.items():
        assert ours[name][1] == attributes, name
        if values is not None:
            assert ours[name][0].dtype == values.dtype and np.array_equal(ours[name][0], values), name


def test_parameter_and_solver_files_written_without_nnabla_are_in_its_layout_and_load_back(tmp_path):
    """The checkpoint thread writes with h5py (NNabla's writers read the arrays read-write, or allocate): the files
    hold what nn.save_parameters and Solver.save_states write, item for item, and NNabla loads them back."""
    import nnabla as nn
    import nnabla.solvers as S
    params, solver = small_trained_network(1)
    nn.save_parameters(str(tmp_path / "nnabla.h5"), params)
    save_parameter_file(str(tmp_path / "ours.h5"), params)
    assert_same_h5(h5_contents(tmp_path / "ours.h5"), h5_contents(tmp_path / "nnabla.h5"))
    solver.save_states(str(tmp_path / "nnabla_states.h5"))
    save_solver_states(str(tmp_path / "our_states.h5"), solver_state_values(solver))
    assert_same_h5(h5_contents(tmp_path / "our_states.h5"), h5_contents(tmp_path / "nnabla_states.h5"))
    fresh = S.Adam(alpha=0.01)  # its states at zero, its step counts 0
    fresh.set_parameters({name: param for name, param in params.items() if param.need_grad})
    fresh.load_states(str(tmp_path / "our_states.h5"))
    loaded, original = fresh.get_states(), solver.get_states()
    assert list(loaded) == list(original)
    for name, state in original.items():
        assert loaded[name].t == state.t == 1
        for key, variable in state.pstate.items():
            assert np.array_equal(loaded[name].pstate[key].d, variable.d), (name, key)


def test_a_snapshot_keeps_the_values_of_its_iteration_whatever_the_training_does_next(tmp_path):
    """What the thread writes is the copy of the last completed iteration: parameters, batch-norm statistics (which
    a forward pass changes, outside the update lock) and Adam states changed afterwards are not in the files."""
    params, solver = small_trained_network(3)
    snapshot = HostSnapshot(params, {"gen": solver})
    snapshot.take(7)
    before = {name: param.d.copy() for name, param in params.items()}
    states_before = solver_state_values(solver)
    states_before = {name: (step, {key: array.copy() for key, array in values.items()})
                     for name, (step, values) in states_before.items()}
    for param in params.values():  # the next iteration: an update, batch statistics, whatever
        param.d = param.d + 1
    for state in solver.get_states().values():
        for variable in state.pstate.values():
            variable.d = variable.d + 1
    snapshot.take(7)  # again for the same iteration: nothing is copied
    save_checkpoint(str(tmp_path), 7, snapshot.params, snapshot.solver_states, {}, {})
    written = h5_contents(tmp_path / "params_00000007.h5")
    for name, values in before.items():
        assert np.array_equal(to_compute_layout(written[name][0]), values), name
    states = h5_contents(tmp_path / "gen_states_00000007.h5")
    for name, (step, values) in states_before.items():
        assert states[f"{name}/t"][0] == step
        for key, array in values.items():
            assert np.array_equal(states[f"{name}/{key}"][0], array), (name, key)
    snapshot.take(8)  # the next iteration's copy has the new values, in the same arrays
    arrays = {name: held.values for name, held in snapshot.params.items()}
    snapshot.take(9)
    for name, param in params.items():
        assert snapshot.params[name].values is arrays[name] and np.array_equal(arrays[name], param.d), name
