"""No command destroys what the user had: an output that is an input, a folder of the user's own files, a
download that cannot be unpacked."""
import hashlib
import os
import shutil
import subprocess
import sys

import pytest
from conftest import REPO_ROOT, reference_path
from helpers import fixture_frames_video, mpi_environment, MPIRUN

import generate

WEIGHTS = reference_path("parity_generate", "weights.h5")
FRAMES = reference_path("parity_generate", "lr")


def digest(path):
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


@pytest.fixture
def small_video(tmp_path):
    return fixture_frames_video(tmp_path / "clip.mp4")


def one_error_line(stderr):
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


@pytest.mark.parametrize("same", ["same path", "other spelling", "hard link", "symbolic link"])
def test_output_video_that_is_the_input_video_is_refused(capsys, tmp_path, small_video, same):
    before = digest(small_video)
    output = {"same path": small_video, "other spelling": os.path.join(tmp_path, ".", "clip.mp4")}.get(same)
    if output is None:
        output = str(tmp_path / "link.mp4")
        (os.link if same == "hard link" else os.symlink)(small_video, output)
    with pytest.raises(SystemExit) as exit_info:
        generate.main(["--model", WEIGHTS, "--input-video", small_video, "--output-video", output])
    assert exit_info.value.code == 2
    assert "is the same file or folder as --input-video" in one_error_line(capsys.readouterr().err)
    assert digest(small_video) == before


@pytest.mark.parametrize("flag", ["--model", "--scene-cuts"])
def test_output_video_that_is_another_input_is_refused(capsys, tmp_path, small_video, flag):
    victim = str(tmp_path / "victim.mp4")
    shutil.copy(WEIGHTS if flag == "--model" else small_video, victim)
    before = digest(victim)
    argv = ["--model", WEIGHTS, "--input-video", small_video, "--output-video", victim, flag, victim]
    with pytest.raises(SystemExit) as exit_info:
        generate.main(argv)
    assert exit_info.value.code == 2
    assert f"is the same file or folder as {flag}" in one_error_line(capsys.readouterr().err)
    assert digest(victim) == before


def test_output_video_that_is_the_input_video_is_refused_under_mpirun(tmp_path, small_video):
    before = digest(small_video)
    completed = subprocess.run([
        MPIRUN, "--bind-to", "none", "-n", "2", sys.executable, "generate.py", "--model", WEIGHTS,
        "--input-video", small_video, "--output-video", small_video
    ],
                               cwd=REPO_ROOT,
                               env=mpi_environment(),
                               capture_output=True,
                               text=True,
                               timeout=120)
    assert completed.returncode == 2, completed.stderr
    errors = [line for line in completed.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "is the same file or folder as --input-video" in errors[0], completed.stderr
    assert digest(small_video) == before


def test_the_demo_refuses_a_folder_of_the_users_own_files(capsys, tmp_path):
    import demo
    out = tmp_path / "mine"
    (out / "sr").mkdir(parents=True)
    shutil.copy(os.path.join(FRAMES, "lr_0001.png"), out / "sr" / "0001.png")
    with pytest.raises(SystemExit) as exit_info:
        demo.main(["--frames", "5", "--region", "0,0,64,64", "--output", str(out)])
    assert exit_info.value.code == 2
    assert "did not write" in one_error_line(capsys.readouterr().err)
    assert os.listdir(out) == ["sr"] and os.listdir(out / "sr") == ["0001.png"]


def test_a_demo_rerun_replaces_its_own_frames_and_keeps_a_users_file_in_its_folder(tmp_path):
    import demo
    out = tmp_path / "demo"
    demo.main(["--frames", "6", "--region", "0,0,64,64", "--output", str(out)])
    shutil.copy(os.path.join(FRAMES, "lr_0001.png"), out / "lr" / "my_notes.png")
    demo.main(["--frames", "5", "--region", "0,0,64,64", "--output", str(out)])
    assert sorted(os.listdir(out / "lr")) == [f"{index:04d}.png" for index in range(1, 6)] + ["my_notes.png"]
    assert sorted(os.listdir(out / "sr")) == [f"output_{index:04d}.png" for index in range(1, 6)]
