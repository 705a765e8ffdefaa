"""Helpers several test modules share: generate.py's reference fixtures, its one-line user errors, and
real LR frames."""
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile

import numpy as np
import pytest

import generate
from conftest import REPO_ROOT, reference_path, shared_path
from generate import frames_from_folder
from inference import SuperResolver

FIXTURES = ("parity_generate", "parity_generate_strong")


def mpi_environment(**extra):
    """The environment of one mpirun: Open MPI as root, more processes than cores allowed, output passed on
    at once, and a temporary folder of its own. Open MPI names its session folder in it after mpirun's
    process id, and the folder a killed mpirun leaves behind makes a later mpirun that gets the same id fail
    ("The PMIx server's listener thread failed to start"): ids come round again within one run of the
    suite. The folders go with the suite's own (conftest)."""
    folder = tempfile.mkdtemp(prefix="mpirun-", dir=os.environ.get("TECOGAN_TEST_MPI_TMP"))
    return dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                OMPI_MCA_rmaps_base_oversubscribe="1", PYTHONUNBUFFERED="1", TMPDIR=folder, **extra)


MPIRUN = os.path.join(os.path.dirname(sys.executable), "mpirun")
NPY_TOLERANCE = 2e-5  # the fixture README: about 40x float-order noise, far below a recurrence bug


def fixture_frames(fixture):
    return frames_from_folder(reference_path(fixture, "lr"))


def run_fixture(fixture, backend="nnabla", **options):
    _, _, frames = fixture_frames(fixture)
    resolver = SuperResolver(reference_path(fixture, "weights.h5"), backend, "cpu", **options)
    return dict(resolver.sequence(frames))


def assert_matches_fixture(fixture, outputs):
    assert sorted(outputs) == [f"lr_{index:04d}" for index in range(1, 9)]
    for name, output in outputs.items():
        expected = np.load(reference_path(fixture, "out", f"output_{name}.npy"))
        assert output.shape == expected.shape
        assert np.abs(output - expected).max() <= NPY_TOLERANCE, name


def expect_user_error(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        generate.main(argv)
    assert exit_info.value.code == 2
    error_lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(error_lines) == 1 and error_lines[0].startswith("error: "), error_lines
    assert message in error_lines[0]


def calendar_frames(count, height, width):
    _, _, frames = frames_from_folder(shared_path("data", "calendar_lr"))
    return [(name, frame[:height, :width]) for _, (name, frame) in zip(range(count), frames)]


def calendar_crops(folder, height, width):
    """The 41 calendar LR frames cut to their top left height x width, as PNG files in folder (made): its path.
    Stop tests wait for generate.py's first frame, which small frames bring sooner (docs/benchmarks.md)."""
    import cv2
    os.makedirs(folder)
    for name in sorted(os.listdir(shared_path("data", "calendar_lr"))):
        cv2.imwrite(os.path.join(folder, name), cv2.imread(shared_path("data", "calendar_lr", name))[:height, :width])
    return str(folder)


def generate_writing_a_video(tmp_path):
    """generate.py (NNabla, one thread) on the 41 calendar frames cut to 64x48 into tmp_path/out and
    tmp_path/sr.mp4, in a process of its own, returned once its first frame is written: (process, output folder)."""
    out, frames = tmp_path / "out", calendar_crops(tmp_path / "lr", 48, 64)
    weights = reference_path("parity_generate", "weights.h5")
    process = subprocess.Popen([sys.executable, "generate.py", "--model", weights, "--backend", "nnabla",
                                "--threads", "1", "--input-dir-lr", str(frames),
                                "--output-dir", str(out), "--output-video", str(tmp_path / "sr.mp4")],
                               cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not (out.exists() and any(name.endswith(".png")
                                                               for name in os.listdir(out))):
        time.sleep(0.1)
    return process, out


def fixture_frames_video(path):
    """The 8 LR frames of the parity_generate fixture as a 10 fps video (0.8 s) at path; returns path."""
    import cv2
    first = cv2.imread(reference_path("parity_generate", "lr", "lr_0001.png"))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (first.shape[1], first.shape[0]))
    for index in range(1, 9):
        writer.write(cv2.imread(reference_path("parity_generate", "lr", f"lr_{index:04d}.png")))
    writer.release()
    return str(path)


def rank_pid(mpirun_pid, rank):
    """The pid of the training process of `rank` among mpirun's children."""
    with open(f"/proc/{mpirun_pid}/task/{mpirun_pid}/children") as file:
        children = [int(pid) for pid in file.read().split()]
    for pid in children:
        with open(f"/proc/{pid}/environ", "rb") as file:
            if f"OMPI_COMM_WORLD_RANK={rank}".encode() in file.read().split(b"\0"):
                return pid
    raise AssertionError(f"no rank {rank} among {children}")


def mpirun_train(flags, processes=2):
    """`mpirun -n processes train.py flags`, which must end well with the same parameters on every process."""
    completed = subprocess.run([MPIRUN, "-n", str(processes), sys.executable, "train.py", *flags], cwd=REPO_ROOT,
                               env=mpi_environment(), capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert f"parameters identical on {processes} processes" in completed.stdout
    return completed


def script_error_line(script, *flags):
    """The one line a script run as a program prints for a user error, after checking it exits with 2."""
    result = subprocess.run([sys.executable, script, *flags], cwd=REPO_ROOT, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    return line


def zip_with_undecodable_name(path):
    """A zip of one frame whose name is not UTF-8 although its flag says it is (bytes FF FF), as a damaged or
    hand-made archive's: zipfile raises UnicodeDecodeError when it lists the members. Returns path."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("\u00ff.png", b"x")  # written as UTF-8 (C3 BF) with the flag set
    path.write_bytes(path.read_bytes().replace("\u00ff".encode(), b"\xff\xff"))
    return path


def killed_at_checkpoint(save_checkpoint, iteration, error):
    """A stand-in for train.save_checkpoint that raises error (a kill) at the checkpoint of that iteration, before
    any of its files is written."""
    def save(output_dir, done, *args):
        if done == iteration:
            raise error
        return save_checkpoint(output_dir, done, *args)
    return save


def lines_without_progress_bars(stderr):
    """stderr's lines that are not blank and not a progress bar's (tqdm's rate: "it/s", or "s/it" on a loaded
    machine)."""
    return [line for line in stderr.splitlines() if line.strip() and not re.search(r"it/s|s/it", line)]


def checkpoint_of_another_folder(tmp_path):
    """A checkpoint of iteration 2 in tmp_path/first (its .h5 files stand-ins of two bytes) and an empty output folder
    tmp_path/second: (source folder, output folder, the checkpoint's content)."""
    source, output_dir = tmp_path / "first", tmp_path / "second"
    source.mkdir()
    output_dir.mkdir()
    for name in ("params_00000002.h5", "gen_states_00000002.h5"):
        (source / name).write_bytes(b"h5")
    content = {"iteration": 2, "params": "params_00000002.h5", "solvers": {"gen": "gen_states_00000002.h5"}}
    (source / "checkpoint_00000002.json").write_text(str(content))
    return source, output_dir, content


def peak_memory_of_generate(arguments, log_path):
    """Peak resident memory (MiB) of a generate.py process, its own: started straight from pytest's process, a child
    counted pytest's peak as its own (a 9 MiB child of a 600 MiB process "peaked" at 609 MiB), so both runs read
    pytest's peak and their difference held whatever generate.py kept. benchmarks.harness.run_with_peak_memory starts
    it from a small wrapper."""
    from benchmarks.harness import run_with_peak_memory
    code, stdout, stderr, peak_mib = run_with_peak_memory([sys.executable, "generate.py", *arguments])
    with open(log_path, "w") as log:
        log.write(stdout + stderr)
    assert code == 0, stdout + stderr
    return peak_mib


def failing_for(function, name, number):
    """A stand-in for an os function of a path (os.makedirs, os.rmdir) that raises OSError(number) for a path named
    name, as a disk would, and calls function for every other path."""
    def stand_in(path, *args, **kwargs):
        if os.path.basename(path) == name:
            raise OSError(number, os.strerror(number), path)
        return function(path, *args, **kwargs)
    return stand_in


def finish_step_line(folder, capsys):
    """(exit code, the page's line) of webapp.steps' finish step run in-process on a job's folder."""
    from webapp.jobs import failure
    from webapp.steps import main
    with pytest.raises(SystemExit) as exit_info:
        main(["finish", str(folder)])
    return exit_info.value.code, failure(capsys.readouterr().err.splitlines(), 2, str(folder))


def stand_in_queue(tmp_path, *sources):
    """A submit of a job of one 16x12 frame (tmp_path/lr) on the bundled model to a JobQueue in tmp_path/work whose
    jobs' commands are the Python sources, each run with the job's folder and tmp_path/other as its arguments."""
    from app_media import png_bytes
    from utils.paths import BUNDLED_MODEL
    from webapp.jobs import JobQueue
    (tmp_path / "other").mkdir(), (tmp_path / "lr").mkdir()
    (tmp_path / "lr" / "0001.png").write_bytes(png_bytes(16, 12))

    class StandInCommands(JobQueue):
        def commands(self, job):
            return [(phase, [sys.executable, "-c", source, job.folder, str(tmp_path / "other")])
                    for phase, source in zip(("super-resolving", "making the comparison and the downloads"), sources)]

    queue = StandInCommands(str(tmp_path / "work"), 60)
    return lambda: queue.submit(lambda folder: dict(input=dict(kind="frames", path=str(tmp_path / "lr"),
                                                                      frames=1), model=BUNDLED_MODEL, flags={}))
