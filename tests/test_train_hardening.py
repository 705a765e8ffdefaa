"""train.py against hostile inputs and interruptions: one line and exit code 2 for a user's mistake, exit code
130 for a stop request (with a checkpoint), nothing lost when killed, nothing left behind after a kill, one
run per output folder, and resume only with the settings the checkpoint was trained with."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
from conftest import REPO_ROOT, reference_path
from helpers import killed_at_checkpoint, mpi_environment, MPIRUN, rank_pid
from hostile import wait_until_stop_signals_caught
from training_data import (
    event_scalars,
    final_parameters,
    logged_losses,
    make_calendar_scenes,
    tiny_training_flags,
)

import data_loader
import generate
import train
from utils.paths import LOCK_NAME

BATCH_4 = ["--batch_size", "4"]  # the reference batch: max_iter is the number of iterations


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    return make_calendar_scenes(tmp_path_factory.mktemp("scenes"))


def flags(scenes, output_dir, max_iter, *extra, **settings):
    return tiny_training_flags(scenes, output_dir, **{
        "train.max_iter": max_iter,
        **settings
    }) + BATCH_4 + list(extra)


def exit_code(main, argv):
    try:
        main(argv)
    except SystemExit as exit_info:
        return exit_info.code
    return 0


def error_lines(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def assert_one_line_error(capsys, *fragments):
    lines = error_lines(capsys)
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def checkpoint_names(output_dir):
    return sorted(name for name in os.listdir(output_dir) if name.startswith("checkpoint_"))


def read_text(path):
    with open(path) as file:
        return file.read()


def dead_pid():
    """The pid of a process that has ended."""
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


# --- item 2: the loss log and the checkpoint are written in an order that a kill cannot break

class SimulatedKill(BaseException):
    """Ends a run at a chosen point as kill -9 would: nothing after it runs (no handler catches it)."""


@pytest.mark.parametrize("after_commit", [True, False], ids=["after the checkpoint", "before the checkpoint"])
def test_a_kill_next_to_the_checkpoint_loses_no_loss_row(after_commit, scenes, tmp_path, monkeypatch):
    train.main(flags(scenes, tmp_path / "once", 6))
    save_checkpoint = train.save_checkpoint

    def killed_at_iteration_4(output_dir, iteration, *args):
        if iteration == 4 and not after_commit:
            raise SimulatedKill
        path = save_checkpoint(output_dir, iteration, *args)
        if iteration == 4:
            raise SimulatedKill
        return path

    with monkeypatch.context() as patch:
        patch.setattr(train, "save_checkpoint", killed_at_iteration_4)
        with pytest.raises(SimulatedKill):
            train.main(flags(scenes, tmp_path / "killed", 6))
    assert checkpoint_names(tmp_path / "killed")[-1] == f"checkpoint_0000000{4 if after_commit else 2}.json"
    train.main(flags(scenes, tmp_path / "killed", 6))
    assert logged_losses(tmp_path / "killed") == logged_losses(tmp_path / "once")


def test_a_resumed_run_hides_the_tensorboard_events_a_killed_run_wrote_past_its_checkpoint(scenes, tmp_path,
                                                                                            monkeypatch):
    board = ["--set", "train.tensorboard=true"]
    train.main(flags(scenes, tmp_path / "once", 6, *board))
    with monkeypatch.context() as patch:
        patch.setattr(train, "save_checkpoint", killed_at_checkpoint(train.save_checkpoint, 4, SimulatedKill))
        with pytest.raises(SimulatedKill):
            train.main(flags(scenes, tmp_path / "killed", 6, *board))
    assert [step for step, _ in event_scalars(tmp_path / "killed" / "tensorboard")["content_loss"]
            ] == [1, 2, 3, 4]
    train.main(flags(scenes, tmp_path / "killed", 6, *board))  # resumes at 2
    killed, once = (event_scalars(tmp_path / run / "tensorboard") for run in ("killed", "once"))
    assert killed["content_loss"] == once["content_loss"] and killed["fnet_loss"] == once["fnet_loss"]
    assert [step for step, _ in killed["samples_per_second"]] == [1, 2, 3, 4, 5, 6]


def test_a_garbage_row_in_the_loss_log_is_one_line_naming_it(scenes, tmp_path, capsys):
    train.main(flags(scenes, tmp_path, 2))
    with open(tmp_path / "losses.csv", "a") as log:
        log.write("3,not a number\n")
    capsys.readouterr()
    assert exit_code(train.main, flags(scenes, tmp_path, 4)) == 2
    assert_one_line_error(capsys, "losses.csv", "line 4")


def test_a_loss_log_saved_by_a_spreadsheet_with_a_byte_order_mark_resumes(scenes, tmp_path):
    """Fourth hostile pass: the mark hid the iteration column, and resume stopped at 'line 2 is not a row of
    numbers'."""
    train.main(flags(scenes, tmp_path / "once", 4))
    train.main(flags(scenes, tmp_path / "edited", 2))
    log = tmp_path / "edited" / "losses.csv"
    log.write_bytes(b"\xef\xbb\xbf" + log.read_bytes().replace(b"\n", b"\r\n"))
    train.main(flags(scenes, tmp_path / "edited", 4))
    assert logged_losses(tmp_path / "edited") == logged_losses(tmp_path / "once")


# --- item 3: resume refuses settings that would change the sample stream, the schedule or the networks

@pytest.mark.parametrize("changed, expected", [
    (["--set", "train.learning_rate=1e-4", "--set", "train.seed=4"],
     ["train.learning_rate 5e-05 -> 0.0001", "train.seed 3 -> 4"]),
    (["--set", "train.crop_size=16"], ["train.crop_size 8 -> 16"]),
    (["--set", "train.rnn_n=4"], ["train.rnn_n 3 -> 4"]),
    (["--num_resblock", "3"], ["train.num_resblock 2 -> 3"]),
    (["--batch_size", "2"], ["global batch (train.batch_size x processes) 4 -> 2"]),
    (["--tecogan", "--set", "gan.vgg_scaling=0"], ["train.tecogan false -> true"]),
])
def test_resume_with_changed_settings_is_refused_naming_each_change(changed, expected, scenes, tmp_path,
                                                                    capsys):
    train.main(flags(scenes, tmp_path, 2))
    capsys.readouterr()
    assert exit_code(train.main, flags(scenes, tmp_path, 4) + changed) == 2
    assert_one_line_error(capsys, *expected, "--output_dir", "--allow-changed-settings")
    assert checkpoint_names(tmp_path) == ["checkpoint_00000002.json"]


def test_allow_changed_settings_continues_with_the_new_ones(scenes, tmp_path, capsys):
    train.main(flags(scenes, tmp_path, 2))
    train.main(flags(scenes, tmp_path, 4, "--allow-changed-settings", "--set", "train.learning_rate=1e-4"))
    assert "continuing with changed settings: train.learning_rate 5e-05 -> 0.0001" in capsys.readouterr().out
    with open(tmp_path / "checkpoint_00000004.json") as file:
        assert json.load(file)["settings"]["train.learning_rate"] == 1e-4


def test_max_iter_and_process_count_at_one_global_batch_may_change_on_resume(scenes, tmp_path):
    train.main(flags(scenes, tmp_path / "run", 2))
    train.main(flags(scenes, tmp_path / "run", 4, "--set", "train.save_freq=1"))
    assert checkpoint_names(tmp_path / "run") == ["checkpoint_00000003.json", "checkpoint_00000004.json"]


def test_a_checkpoint_without_recorded_settings_resumes(scenes, tmp_path):
    train.main(flags(scenes, tmp_path, 2))
    path = tmp_path / "checkpoint_00000002.json"
    content = json.loads(read_text(path))
    del content["settings"]
    path.write_text(json.dumps(content))
    train.main(flags(scenes, tmp_path, 4, "--set", "train.learning_rate=1e-4"))
    assert checkpoint_names(tmp_path)[-1] == "checkpoint_00000004.json"


# --- item 4: one run per output folder

def hold_lock(folder):
    """A second process holding the lock of folder; returns it once it holds the lock."""
    holder_code = (
        "import sys, time\nfrom utils.paths import lock_folder\n"
        "with lock_folder(sys.argv[1], 'folder'):\n    print('locked', flush=True)\n    time.sleep(120)\n")
    holder = subprocess.Popen([sys.executable, "-c", holder_code, str(folder)],
                              cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_run_into_a_locked_output_folder_stops_with_one_line(scenes, tmp_path, capsys):
    os.makedirs(tmp_path / "out")
    holder = hold_lock(tmp_path / "out")
    try:
        assert exit_code(train.main, flags(scenes, tmp_path / "out", 2)) == 2
        assert_one_line_error(capsys, str(tmp_path / "out"), f"pid {holder.pid}")
        assert exit_code(generate.main, [
            "--model",
            reference_path("parity_generate", "weights.h5"), "--input-dir-lr",
            reference_path("parity_generate", "lr"), "--output-dir",
            str(tmp_path / "out")
        ]) == 2
        assert_one_line_error(capsys, str(tmp_path / "out"), f"pid {holder.pid}")
        assert os.listdir(tmp_path / "out") == [LOCK_NAME]
    finally:
        holder.kill()
        holder.wait()
    train.main(flags(scenes, tmp_path / "out", 2))  # kill -9 released the lock; its file is taken over
    assert checkpoint_names(tmp_path / "out") == ["checkpoint_00000002.json"]
    assert LOCK_NAME not in os.listdir(tmp_path / "out")  # removed when the run ends


# --- item 9: what a killed run left behind is removed by the next start, what a live run writes is not

def test_a_start_removes_dead_runs_temporaries_and_orphan_state_files_only(scenes, tmp_path):
    train.main(flags(scenes, tmp_path, 2))
    live = subprocess.Popen(["sleep", "60"])
    dead = dead_pid()
    left_by_kill = [
        f".params_00000004.{dead}.tmp.h5", f".gen_states_00000004.{dead}.tmp.h5", f".losses.{dead}.tmp.png",
        "params_00000004.h5", "gen_states_00000004.h5", "fnet_states_00000004.h5"
    ]
    kept = [
        f".params_00000004.{live.pid}.tmp.h5", "notes.txt", ".params_00000004.tmp.h5", "my_params_00000004.h5"
    ]
    try:
        for name in left_by_kill + kept:
            (tmp_path / name).write_bytes(b"x")
        train.main(flags(scenes, tmp_path, 4))
    finally:
        live.kill()
        live.wait()
    names = set(os.listdir(tmp_path))
    assert not names & set(left_by_kill[:3])
    assert set(kept) <= names
    assert {"params_00000004.h5", "gen_states_00000004.h5", "checkpoint_00000004.json"} <= names
    assert final_parameters(tmp_path)[0] == "params_00000004.h5"


def test_generate_removes_dead_runs_temporaries_of_its_outputs(tmp_path):
    dead = dead_pid()
    out, videos = tmp_path / "out", tmp_path / "videos"
    os.makedirs(out)
    os.makedirs(videos)
    stale = [out / f".output_lr_0001.{dead}.tmp.png", videos / f".sr.{dead}.tmp.mp4"]
    other = videos / f".other.{dead}.tmp.mp4"  # not a temporary of this run's outputs
    for path in stale + [other]:
        path.write_bytes(b"x")
    generate.main(["--model", reference_path("parity_generate", "weights.h5"), "--input-dir-lr",
                   reference_path("parity_generate", "lr"), "--output-dir", str(out),
                   "--output-video", str(videos / "sr.mp4")])
    assert not any(path.exists() for path in stale) and other.exists()
    assert sorted(os.listdir(videos)) == [other.name, "sr.mp4"]
    assert not [name for name in os.listdir(out) if name.startswith(".")]


# --- item 12: every bad setting or input is one line, exit code 2, before any work

def write_non_utf8_config(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("train:\n  # r\xe9glage\n  seed: 1\n".encode("latin-1"))
    return ["--cfg", str(path)]


def a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    return str(tmp_path / "file")


@pytest.mark.parametrize("bad, message", [
    (lambda tmp: ["--set", "train.crop_size=12"], "use 8 or 16"),
    (lambda tmp: ["--set", "train.crop_size=4"], "use 8"),
    (lambda tmp: ["--set", "data.max_frm=1"], "train.rnn_n"),
    (lambda tmp: ["--set", "data.max_frm=40"], "set --set data.max_frm=11"),
    (lambda tmp: ["--set", "train.seed=4294967296"], "train.seed"),
    (lambda tmp: ["--set", "train.learning_rate=.inf"], "train.learning_rate"),
    (lambda tmp: ["--set", "train.learning_rate=.nan"], "train.learning_rate"),
    (lambda tmp: ["--set", "gan.ratio=-.inf"], "gan.ratio"),
    (write_non_utf8_config, "not UTF-8"),
    (lambda tmp: ["--output_dir", a_file(tmp)], "is a file, not a folder"),
    (lambda tmp: ["--output_dir", os.path.join(a_file(tmp), "out")], "which is a file"),
    (lambda tmp: ["--input_video_dir", a_file(tmp)], "is a file, not a folder"),
    (lambda tmp: ["--checkpoint", str(tmp)], "is a folder, not a file"),
])
def test_bad_settings_and_paths_stop_with_one_line(bad, message, scenes, tmp_path, capsys):
    assert exit_code(train.main, flags(scenes, tmp_path / "out", 2) + bad(tmp_path)) == 2
    assert_one_line_error(capsys, message)
    assert not (tmp_path / "out").exists()


def test_a_run_refused_after_the_output_folder_was_made_leaves_no_folder(scenes, tmp_path, capsys):
    # no FRVSR model given
    argv = flags(scenes, tmp_path / "out", 2, "--tecogan", "--set", "gan.vgg_scaling=0")
    assert exit_code(train.main, argv) == 2
    assert_one_line_error(capsys, "--pre_trained_frvsr_weights")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", [[1, 2], {
    "iteration": "2",
    "params": "params_00000002.h5",
    "solvers": {}
}, {
    "iteration": 2,
    "params": "../params_00000002.h5",
    "solvers": {}
}, {
    "iteration": 2,
    "params": "params_00000002.h5",
    "solvers": []
}])
def test_a_malformed_checkpoint_json_is_one_line(content, scenes, tmp_path, capsys):
    train.main(flags(scenes, tmp_path, 2))
    (tmp_path / "checkpoint_00000002.json").write_text(json.dumps(content))
    capsys.readouterr()
    assert exit_code(train.main, flags(scenes, tmp_path, 4)) == 2
    assert_one_line_error(capsys, "checkpoint_00000002.json")


@pytest.mark.parametrize("damage", [
    lambda output: shutil.copy(output / "params_00000002.h5", output / "gen_states_00000002.h5"),
    lambda output: shutil.copy(output / "fnet_states_00000002.h5", output / "gen_states_00000002.h5"),
    lambda output: (output / "checkpoint_00000002.json").write_text("[" * 100000 + "]" * 100000),
], ids=["a parameter file as a solver's states", "the other solver's states", "JSON nested 100,000 deep"])
def test_a_checkpoint_file_of_the_wrong_content_is_one_line(damage, scenes, tmp_path, capsys):
    """Fourth hostile pass: NNabla's RuntimeError and json's RecursionError were tracebacks."""
    train.main(flags(scenes, tmp_path, 2))
    damage(tmp_path)
    capsys.readouterr()
    assert exit_code(train.main, flags(scenes, tmp_path, 4)) == 2
    line = assert_one_line_error(capsys, "checkpoint_00000002.json", "is incomplete or corrupt")
    assert "solver.cpp" not in line


def test_a_frame_of_another_size_in_a_scene_is_found_before_training(tmp_path, capsys):
    root = make_calendar_scenes(tmp_path / "scenes")
    odd_frame = os.path.join(root, "scene_2001", "col_high_0007.png")
    cv2.imwrite(odd_frame, cv2.resize(cv2.imread(odd_frame), (170, 140)))
    assert exit_code(train.main, flags(root, tmp_path / "out", 2)) == 2
    assert_one_line_error(capsys, odd_frame, "170x140")
    assert not (tmp_path / "out").exists()


def test_a_huge_scene_id_range_lists_the_folder_instead_of_trying_every_id(scenes, monkeypatch):
    calls = []
    is_dir = os.path.isdir

    def counted_isdir(path):
        calls.append(path)
        assert len(calls) < 1000, "find_scenes tries scene ids one by one"
        return is_dir(path)

    monkeypatch.setattr(os.path, "isdir", counted_isdir)
    found = data_loader.find_scenes(scenes, "scene", 0, 10 ** 9, 11, 3, lambda message: None)
    assert [os.path.basename(folder) for folder in found] == ["scene_2000", "scene_2001"]


def test_a_non_finite_loss_stops_with_one_line_keeping_the_last_good_checkpoint(scenes, tmp_path, capsys):
    train.main(flags(scenes, tmp_path, 2))
    good = read_text(tmp_path / "checkpoint_00000002.json")
    capsys.readouterr()
    code = exit_code(train.main, flags(scenes, tmp_path, 8, "--allow-changed-settings",
                                       "--set", "train.learning_rate=1e30"))
    assert code == 2
    lines = error_lines(capsys)  # the progress bar's lines, then the error
    assert [line for line in lines if line.startswith("error: ")] == lines[-1:]
    for fragment in ("diverged", "checkpoint_00000002.json", "train.learning_rate",
                     "--allow-changed-settings"):
        assert fragment in lines[-1]
    assert checkpoint_names(tmp_path) == ["checkpoint_00000002.json"]
    assert read_text(tmp_path / "checkpoint_00000002.json") == good
    assert sorted(name for name in os.listdir(tmp_path) if name.startswith("model_param_")) == [
        "model_param_00000002.h5"]


def test_an_interruption_during_start_up_is_one_line_and_exit_code_130(scenes, tmp_path, monkeypatch, capsys):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "SequenceSampler", interrupted)
    assert exit_code(train.main, flags(scenes, tmp_path, 2)) == 130
    assert error_lines(capsys) == ["interrupted"]


def start_train(argv, **popen):
    return subprocess.Popen([sys.executable, "train.py"] + argv,
                            cwd=REPO_ROOT,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE,
                            text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"),
                            **popen)


def test_ctrl_c_while_the_libraries_load_is_one_line_and_exit_code_130(scenes, tmp_path):
    process = start_train(flags(scenes, tmp_path, 2))
    wait_until_stop_signals_caught(process.pid)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.splitlines() == ["interrupted"]


# --- item 16: a stop request ends with a checkpoint, a summary and exit code 130; a finished run says so

def wait_for(path, process, timeout=300):
    deadline = time.time() + timeout
    while not os.path.exists(path):
        assert process.poll() is None, process.communicate()
        assert time.time() < deadline, f"{path} did not appear"
        time.sleep(0.05)


def stopped_iteration(stdout):
    lines = [line for line in stdout.splitlines() if line.startswith("stopped at iteration ")]
    assert len(lines) == 1, stdout
    return int(lines[0].split()[3])


@pytest.mark.parametrize("stop", ["SIGHUP", "SIGUSR2"])
def test_a_closed_terminal_or_sigusr2_stops_training_with_a_checkpoint_and_exit_code_130(scenes, tmp_path, stop):
    """SIGHUP (a lost SSH session) ended training by the signal, without a checkpoint; so did SIGUSR2 (a batch
    system's notice of a job's end, where it is set to that signal)."""
    process = start_train(flags(scenes, tmp_path / "stopped", 1000))
    wait_for(tmp_path / "stopped" / "checkpoint_00000002.json", process)
    process.send_signal(getattr(signal, stop))
    out, err = process.communicate(timeout=300)
    assert process.returncode == 130 and "Traceback" not in err, err
    assert checkpoint_names(tmp_path / "stopped")[-1] == f"checkpoint_{stopped_iteration(out):08d}.json"


def test_ctrl_c_stops_with_a_checkpoint_and_exit_code_130_and_resume_continues_exactly(scenes, tmp_path):
    process = start_train(flags(scenes, tmp_path / "stopped", 1000))
    wait_for(tmp_path / "stopped" / "checkpoint_00000002.json", process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 130, err
    stopped = stopped_iteration(out)
    assert checkpoint_names(tmp_path / "stopped")[-1] == f"checkpoint_{stopped:08d}.json"
    assert "Traceback" not in err
    train.main(flags(scenes, tmp_path / "stopped", stopped + 2))
    train.main(flags(scenes, tmp_path / "once", stopped + 2))
    assert logged_losses(tmp_path / "stopped") == logged_losses(tmp_path / "once")
    name_stopped, resumed = final_parameters(tmp_path / "stopped")
    name_once, once = final_parameters(tmp_path / "once")
    assert name_stopped == name_once
    for name in once:
        np.testing.assert_array_equal(resumed[name], once[name], err_msg=name)


def test_a_finished_run_says_it_is_finished_and_how_to_train_longer(scenes, tmp_path, capsys):
    train.main(flags(scenes, tmp_path, 2))
    capsys.readouterr()
    assert exit_code(train.main, flags(scenes, tmp_path, 2)) == 0
    out = capsys.readouterr().out
    assert "is finished" in out and "--max_iter" in out and "trained 0" not in out


# --- item 11: quick repeated Ctrl-C while a command shuts down: still one line and exit code 130

def send_burst(process, count=4, interval=0.15):
    """Ctrl-C pressed `count` times, `interval` seconds apart, while the process runs."""
    for _ in range(count):
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        time.sleep(interval)


def test_repeated_ctrl_c_aborts_training_without_a_traceback(scenes, tmp_path):
    """The second Ctrl-C aborts without a checkpoint; the later ones must not interrupt the exit."""
    process = start_train(flags(scenes, tmp_path, 1000))
    wait_for(tmp_path / "checkpoint_00000002.json", process)
    process.send_signal(signal.SIGINT)
    # the request taken before the next ones are sent: signals of one kind that wait for a process the machine has
    # not run yet (a loaded machine) arrive as one, which only asks to stop
    while "stopping after this iteration" not in (line := process.stdout.readline()):
        assert line, process.communicate()
    send_burst(process, count=3)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 130, err
    assert "Traceback" not in err and err.splitlines()[-1] == "interrupted", err[-4000:]
    assert LOCK_NAME not in os.listdir(tmp_path)


@pytest.mark.parametrize("trial", range(3))
def test_repeated_ctrl_c_stops_generate_without_a_traceback_or_leftovers(trial, tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen([
        sys.executable, "generate.py", "--model",
        reference_path("parity_generate", "weights.h5"), "--input-dir-lr",
        reference_path("parity_generate", "lr"), "--output-dir",
        str(out), "--output-video",
        str(tmp_path / "sr.mp4"), "--backend", "nnabla"
    ],
                               cwd=REPO_ROOT,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE,
                               text=True)
    wait_for(out / "output_lr_0001.png", process)
    send_burst(process, count=3, interval=0.02)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err and err.splitlines()[-1] == "interrupted"
    assert not [name for name in os.listdir(out) if name.startswith(".")]
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".")]


# --- issue 13, item 5: under mpirun the stop request is agreed by all processes

def mpirun_train(argv):
    return subprocess.Popen([MPIRUN, "-n", "2", sys.executable, "train.py", "--batch_size", "1"] + argv,
                            cwd=REPO_ROOT,
                            env=mpi_environment(),
                            stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE,
                            text=True)


@pytest.fixture(scope="module")
def mpirun_uninterrupted(scenes, tmp_path_factory):
    output = tmp_path_factory.mktemp("mpirun_once")
    process = mpirun_train(tiny_training_flags(scenes, output, **{"train.max_iter": 10}))
    _, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-2000:]
    return output


@pytest.mark.parametrize("signalled", ["SIGUSR1 to mpirun", "SIGTERM to rank 1 only"])
def test_mpirun_stop_request_gives_one_checkpoint_on_every_process_and_resumes_exactly(
        signalled, scenes, tmp_path, mpirun_uninterrupted):
    process = mpirun_train(tiny_training_flags(scenes, tmp_path, **{"train.max_iter": 500}))
    wait_for(tmp_path / "checkpoint_00000002.json", process)
    if signalled == "SIGUSR1 to mpirun":
        process.send_signal(signal.SIGUSR1)
    else:
        os.kill(rank_pid(process.pid, 1), signal.SIGTERM)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 130, err[-2000:]
    stopped = stopped_iteration(out)
    assert stopped < 20
    assert "parameters identical on 2 processes" in out  # both processes left the loop at one iteration
    assert checkpoint_names(tmp_path)[-1] == f"checkpoint_{stopped:08d}.json"
    resumed = mpirun_train(tiny_training_flags(scenes, tmp_path, **{"train.max_iter": 10}))
    _, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err[-2000:]
    name_resumed, arrays_resumed = final_parameters(tmp_path)
    name_once, arrays_once = final_parameters(mpirun_uninterrupted)
    assert name_resumed == name_once == "params_00000020.h5"
    for name in arrays_once:
        np.testing.assert_array_equal(arrays_resumed[name], arrays_once[name], err_msg=name)
    assert logged_losses(tmp_path) == logged_losses(mpirun_uninterrupted)


def test_a_key_given_twice_in_a_checkpoint_json_is_refused(tmp_path):
    """json keeps the last of a key given twice: an edited checkpoint with "iteration" twice resumed at the other
    iteration with these files (the fifth hostile pass)."""
    from training.checkpoint import read_checkpoint
    from utils.errors import UserError
    path = tmp_path / "checkpoint_00000004.json"
    path.write_text('{"iteration": 4, "params": "params_00000004.h5", "solvers": {}, "iteration": 2}')
    with pytest.raises(UserError, match=r"^checkpoint '.*' is incomplete or corrupt \('iteration' is given twice\); "
                                        "resume from an earlier one$"):
        read_checkpoint(str(path))


def test_a_stop_right_after_the_update_lock_is_taken_does_not_hang_the_exit():
    """A second stop signal raises KeyboardInterrupt at any bytecode: landing between updating()'s acquire and its
    record of the hold, it left the lock held for good, and the checkpoint thread, woken by that signal, waited on it
    while the exit joined the thread: a hang, with later signals ignored. Nothing is written then: the run stopped
    inside an update."""
    script = """
import os, signal, time
from training.checkpoint import CheckpointOnSignal
written = []
try:
    with CheckpointOnSignal(lambda done, cause: written.append(done), lambda done, cause: None, 3,
                            lambda done: None) as watcher:
        watcher.lock.acquire()  # updating() interrupted before it records the hold
        os.kill(os.getpid(), signal.SIGCONT)  # a signal the thread acts on, harmless here
        time.sleep(0.3)
        raise KeyboardInterrupt
except KeyboardInterrupt:
    print("ended, written:", written)
"""
    completed = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                               timeout=30)
    assert completed.stdout == "ended, written: []\n", completed.stderr
