"""generate.py against the reference fixtures, and its command line."""
import glob
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

import generate
from conftest import REPO_ROOT, reference_path
from helpers import FIXTURES, NPY_TOLERANCE, assert_matches_fixture, run_fixture
from inference import with_warmup


@pytest.mark.parametrize("fixture", FIXTURES)
def test_outputs_match_reference_arrays(fixture):
    assert_matches_fixture(fixture, run_fixture(fixture, threads=1))


def test_warmup_runs_frames_6_to_2_mirrored_then_every_frame():
    named = [(str(index), index) for index in range(1, 9)]
    order = [(name, keep) for name, _, keep in with_warmup(named)]
    assert order == [(str(i), False) for i in (6, 5, 4, 3, 2)] + [(str(i), True) for i in range(1, 9)]


def test_warmup_of_a_short_clip_keeps_every_frame():
    order = [(name, keep) for name, _, keep in with_warmup([("a", 0), ("b", 1), ("c", 2)])]
    assert order == [("c", False), ("b", False), ("a", True), ("b", True), ("c", True)]


def truncated_pngs_agree(written, expected, reference_values):
    """Equal, or off by one grey level only where the reference value * 255 lies within the npy
    tolerance of an integer (where truncation can tip either way)."""
    scaled = np.clip(reference_values * 255, 0, 255)
    near_integer = np.abs(scaled - np.rint(scaled)) <= NPY_TOLERANCE * 255
    difference = np.abs(written.astype(int) - expected.astype(int))
    return difference.max() <= 1 and bool(np.all(near_integer[difference == 1]))


@pytest.mark.parametrize("fixture", FIXTURES)
def test_reference_mode_pngs_match_reference_pngs(fixture, tmp_path):
    generate.main([
        "--model",
        reference_path(fixture, "weights.h5"), "--input-dir-lr",
        reference_path(fixture, "lr"), "--output-dir",
        str(tmp_path), "--truncate", "--context", "cpu"
    ])
    written_names = sorted(os.listdir(tmp_path))
    assert written_names == sorted(
        os.path.basename(p) for p in glob.glob(reference_path(fixture, "out", "*.png")))
    for name in written_names:
        written = cv2.imread(str(tmp_path / name))
        expected = cv2.imread(reference_path(fixture, "out", name))
        npy = np.load(reference_path(fixture, "out", name.replace(".png", ".npy")))[:, :, ::-1]
        assert truncated_pngs_agree(written, expected, npy), name


def test_default_pngs_are_rounded_not_truncated(tmp_path):
    fixture = "parity_generate_strong"
    generate.main([
        "--model",
        reference_path(fixture, "weights.h5"), "--input-dir-lr",
        reference_path(fixture, "lr"), "--output-dir",
        str(tmp_path)
    ])
    written = cv2.imread(str(tmp_path / "output_lr_0003.png"))[:, :, ::-1].astype(int)
    npy = np.load(reference_path(fixture, "out", "output_lr_0003.npy"))
    rounded = np.rint(np.clip(npy * 255, 0, 255))
    assert np.abs(written - rounded).max() <= 1
    assert np.mean(written == rounded) > 0.999
    assert np.mean(written == np.floor(np.clip(npy * 255, 0, 255))) < 0.9  # truncation would differ often


def test_short_clip_and_tiny_frames_give_one_output_per_frame(tmp_path):
    source = tmp_path / "lr"
    source.mkdir()
    for index in range(3):
        image = cv2.imread(reference_path("parity_generate", "lr", f"lr_{index + 1:04d}.png"))[:5, :6]
        cv2.imwrite(str(source / f"f{index}.png"), image)
    generate.main(["--model", reference_path("parity_generate", "weights.h5"), "--input-dir-lr", str(source),
                   "--output-dir", str(tmp_path / "out"), "--output-name", "sr"])
    written = sorted(os.listdir(tmp_path / "out"))
    assert written == ["sr_f0.png", "sr_f1.png", "sr_f2.png"]
    assert cv2.imread(str(tmp_path / "out" / "sr_f0.png")).shape == (20, 24, 3)


def write_test_video(path, frame_paths):
    first = cv2.imread(frame_paths[0])
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (first.shape[1], first.shape[0]))
    for frame_path in frame_paths:
        writer.write(cv2.imread(frame_path))
    writer.release()


def test_video_in_video_out(tmp_path):
    lr_paths = sorted(glob.glob(reference_path("parity_generate_strong", "lr", "*.png")))
    write_test_video(tmp_path / "clip.mp4", lr_paths)
    generate.main(["--model", reference_path("parity_generate_strong", "weights.h5"),
                   "--input-video", str(tmp_path / "clip.mp4"), "--output-dir", str(tmp_path / "out"),
                   "--output-video", str(tmp_path / "sr.mp4")])
    assert sorted(os.listdir(tmp_path / "out")) == [f"output_clip_{index:04d}.png" for index in range(1, 9)]
    capture = cv2.VideoCapture(str(tmp_path / "sr.mp4"))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 8
    ok, frame = capture.read()
    assert ok and frame.shape == (112, 144, 3)
    assert capture.get(cv2.CAP_PROP_FPS) == pytest.approx(10)
    assert not glob.glob(str(tmp_path / ".*"))


def test_command_line_runs_as_a_script_and_infers_block_count(tmp_path):
    completed = subprocess.run(
        [sys.executable, "generate.py", "--model", reference_path("parity_generate", "weights.h5"),
         "--input-dir-lr", reference_path("parity_generate", "lr"), "--output-dir", str(tmp_path)],
        cwd=REPO_ROOT, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert "2 blocks" in completed.stderr  # the progress bar names the inferred block count
    assert len(os.listdir(tmp_path)) == 8
