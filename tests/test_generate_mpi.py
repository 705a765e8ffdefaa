"""mpirun -n N generate.py: each rank super-resolves whole scenes, rank 0 writes every frame in order, and the
output equals one process's bit for bit."""
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest
from clips import decoded_frames, needs_ffmpeg, write_joined_clip
from conftest import REPO_ROOT
from helpers import mpi_environment, MPIRUN

import generate
from inference import available_cores
from utils.paths import BUNDLED_MODEL
from utils.scenes import assign_scenes, shot_ranges

SHOT = 8  # frames of each of the three clips


@pytest.fixture(scope="module")
def three_shots(tmp_path_factory):
    """Three real clips of 8 frames joined at LR 96x48 (cuts at 8 and 16), and a single process's output."""
    folder = tmp_path_factory.mktemp("three_shots")
    path, _ = write_joined_clip(str(folder), [("bikes.mp4", 0, SHOT), ("bigbuckbunny.mp4", 40, SHOT),
                                              ("carphone_pristine.mp4", 0, SHOT)], (96, 48))
    return path, str(folder / "cache")


def run_mpirun(ranks, flags):
    # --bind-to none: as docs/inference.md advises on a CPU (bound to one core each, rank 0's ffmpeg would
    # encode the video with other x264 threads than one process's)
    command = [
        MPIRUN, "--bind-to", "none", "-n",
        str(ranks), sys.executable, "generate.py", "--model", BUNDLED_MODEL
    ]
    return subprocess.run(command + flags,
                          check=False,
                          cwd=REPO_ROOT,
                          env=mpi_environment(),
                          capture_output=True,
                          text=True,
                          timeout=300)


def frames_of(folder):
    return {
        name: cv2.imread(os.path.join(folder, name), cv2.IMREAD_UNCHANGED)
        for name in sorted(os.listdir(folder))
    }


def assert_same_frames(folder, expected_folder):
    frames, expected = frames_of(folder), frames_of(expected_folder)
    assert list(frames) == list(expected)
    for name in expected:
        np.testing.assert_array_equal(frames[name], expected[name], err_msg=name)


def test_shots_run_from_each_cut_to_the_next():
    assert shot_ranges([8, 16], 24) == [(0, 8), (8, 16), (16, 24)]
    assert shot_ranges([], 5) == [(0, 5)]


def test_scenes_go_in_order_to_the_least_loaded_rank():
    assert assign_scenes([13, 13, 13], 2) == [0, 1, 0]
    assert assign_scenes([100, 10, 10, 10, 10], 2) == [0, 1, 1, 1, 1]
    assert assign_scenes([5], 3) == [0]


@pytest.mark.parametrize("ranks", [2, 3, 4])
def test_assigned_loads_differ_by_at_most_the_largest_scene(ranks):
    costs = [int(cost) for cost in np.random.default_rng(ranks).integers(1, 300, 40)]
    owners = assign_scenes(costs, ranks)
    loads = [sum(cost for cost, owner in zip(costs, owners) if owner == rank) for rank in range(ranks)]
    assert max(loads) - min(loads) <= max(costs)
    assert assign_scenes(costs, ranks) == owners  # deterministic: every rank computes the same split


def test_processes_split_the_cores_unless_mpirun_bound_each_to_its_own(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)))
    assert available_cores() == 16 and available_cores(2) == 8 and available_cores(32) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3, 4})  # bound: these two are its own
    assert available_cores(2) == 2


@needs_ffmpeg
def test_two_ranks_write_the_frames_and_video_of_one_process(three_shots, tmp_path):
    path, cache = three_shots
    generate.main(["--model", BUNDLED_MODEL, "--input-video", path, "--output-dir", str(tmp_path / "one"),
                   "--output-video", str(tmp_path / "one.mp4"), "--cache-dir", cache])
    completed = run_mpirun(2, ["--input-video", path, "--output-dir", str(tmp_path / "two"),
                               "--output-video", str(tmp_path / "two.mp4"), "--cache-dir", cache])
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "rank 1 of 2: super-resolved 1 of 3 scenes" in completed.stdout
    # the whole video
    assert "3 scenes, rank 0 of 2 has 2" in completed.stderr and "24/24" in completed.stderr
    assert_same_frames(tmp_path / "two", tmp_path / "one")
    two, _ = decoded_frames(tmp_path / "two.mp4")
    one, _ = decoded_frames(tmp_path / "one.mp4")
    assert len(two) == len(one) == 3 * SHOT
    np.testing.assert_array_equal(np.stack(two), np.stack(one))


@needs_ffmpeg
def test_with_one_scene_the_other_ranks_say_they_are_idle_and_the_output_is_the_same(three_shots, tmp_path):
    path, cache = three_shots
    flags = [
        "--input-video", path, "--scene-cuts", "off", "--start", "4", "--end", "12", "--cache-dir", cache
    ]
    generate.main(["--model", BUNDLED_MODEL, *flags, "--output-dir", str(tmp_path / "one")])
    completed = run_mpirun(2, [*flags, "--output-dir", str(tmp_path / "two")])
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "rank 1 of 2: idle, the 1 scene went to other ranks" in completed.stdout
    assert_same_frames(tmp_path / "two", tmp_path / "one")


@needs_ffmpeg
def test_a_bad_cuts_file_under_mpirun_is_one_line_and_exit_code_2(three_shots, tmp_path):
    path, cache = three_shots
    (tmp_path / "cuts.txt").write_text("8\nsixteen\n")
    completed = run_mpirun(2, ["--input-video", path, "--scene-cuts", str(tmp_path / "cuts.txt"),
                               "--output-dir", str(tmp_path / "out"), "--cache-dir", cache])
    assert completed.returncode == 2
    errors = [line for line in completed.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        (f"error: --scene-cuts '{tmp_path / 'cuts.txt'}' line 2: 'sixteen' is not a frame number; "
         "write one whole number a line, in the digits 0-9")
    ]
    assert not (tmp_path / "out").exists()
