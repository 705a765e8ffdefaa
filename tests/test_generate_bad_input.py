"""Every user mistake gives one line on stderr, exit code 2, no traceback, and no output file."""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

import generate
from conftest import REPO_ROOT, reference_path
from helpers import expect_user_error, fixture_frames_video, generate_writing_a_video

WEIGHTS = reference_path("parity_generate", "weights.h5")
FRAMES = reference_path("parity_generate", "lr")


def no_files_under(folder):
    return not os.path.exists(folder) or not any(files for _, _, files in os.walk(folder))


@pytest.fixture
def output_dir(tmp_path):
    return str(tmp_path / "out")


def test_missing_input_folder(capsys, tmp_path, output_dir):
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-dir-lr", str(tmp_path / "nowhere"),
                               "--output-dir", output_dir], "does not exist")
    assert no_files_under(output_dir)


def test_empty_input_folder_and_folder_without_images(capsys, tmp_path, output_dir):
    folder = tmp_path / "frames"
    folder.mkdir()
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-dir-lr",
                               str(folder), "--output-dir", output_dir], "no images")
    (folder / "notes.txt").write_text("not a frame")
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-dir-lr",
                               str(folder), "--output-dir", output_dir], "no images")
    assert no_files_under(output_dir)


def test_corrupt_image(capsys, tmp_path, output_dir):
    folder = tmp_path / "frames"
    shutil.copytree(FRAMES, folder)
    (folder / "lr_0005.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated garbage")
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-dir-lr", str(folder), "--output-dir", output_dir],
                      "lr_0005.png")
    assert no_files_under(output_dir)


def test_frames_of_different_sizes(capsys, tmp_path, output_dir):
    folder = tmp_path / "frames"
    shutil.copytree(FRAMES, folder)
    shutil.copy(reference_path("parity_generate_strong", "lr", "lr_0007.png"), folder / "lr_0007.png")
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-dir-lr", str(folder), "--output-dir", output_dir],
                      "one size")
    assert no_files_under(output_dir)


def test_missing_weights(capsys, tmp_path, output_dir):
    expect_user_error(capsys, ["--model", str(tmp_path / "none.h5"), "--input-dir-lr", FRAMES,
                               "--output-dir", output_dir], "does not exist")


def test_weights_not_hdf5(capsys, tmp_path, output_dir):
    fake = tmp_path / "model.h5"
    fake.write_text("this is not HDF5")
    expect_user_error(capsys,
                      ["--model", str(fake), "--input-dir-lr", FRAMES, "--output-dir", output_dir],
                      "not an HDF5")
    assert no_files_under(output_dir)


def test_weights_of_another_network(capsys, tmp_path, output_dir):
    other = tmp_path / "vgg19.h5"
    with h5py.File(other, "w") as h5:
        h5["conv1/conv/W"] = np.zeros((64, 3, 3, 3), np.float32)
    expect_user_error(capsys, ["--model", str(other), "--input-dir-lr", FRAMES, "--output-dir", output_dir],
                      "not a TecoGAN/FRVSR generator")
    expect_user_error(capsys, ["--model", str(other), "--input-dir-lr", FRAMES, "--output-dir", output_dir,
                               "--num_resblock", "2"], "not a complete TecoGAN/FRVSR generator")
    assert no_files_under(output_dir)


def test_weights_of_another_block_count(capsys, output_dir):
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", output_dir,
                               "--num_resblock", "16"], "another network or block count")
    assert no_files_under(output_dir)


def test_unwritable_output_folder(capsys, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    expect_user_error(capsys,
                      ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
                       str(blocker / "out")], f"is under '{blocker}', which is a file")


def test_video_that_cannot_be_opened(capsys, tmp_path, output_dir):
    broken = tmp_path / "clip.mp4"
    broken.write_bytes(os.urandom(2048))
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-video", str(broken), "--output-dir", output_dir],
                      "cannot open video")
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-video", str(tmp_path / "absent.mp4"),
                               "--output-dir", output_dir], "does not exist")
    assert no_files_under(output_dir)


@pytest.mark.parametrize("flag, value", [("--num_resblock", "0"), ("--threads", "0"), ("--fps", "-1")])
def test_bad_numbers(capsys, flag, value, output_dir):
    expect_user_error(capsys,
                      ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", output_dir, flag, value],
                      flag)


def test_script_prints_no_traceback(tmp_path):
    completed = subprocess.run([sys.executable, "generate.py", "--model", str(tmp_path / "none.h5"),
                                "--input-dir-lr", FRAMES], cwd=REPO_ROOT, capture_output=True, text=True)
    assert completed.returncode == 2
    assert completed.stderr.strip().count("\n") == 0 and "Traceback" not in completed.stderr
    assert completed.stderr.startswith("error: ")


@pytest.mark.parametrize("flags, message", [(["--tile", "0"], "--tile must be a positive"),
                                            (["--tile", "-16"], "--tile must be a positive"),
                                            (["--tile", "many"], "--tile must be a number"),
                                            (["--max-memory", "0"], "--max-memory must be a positive"),
                                            (["--max-memory", "0.05"], "too small"),
                                            (["--start", "3"], "use them with --input-video")])
def test_bad_tile_and_memory_flags(capsys, output_dir, flags, message):
    expect_user_error(capsys,
                      ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", output_dir, *flags],
                      message)
    assert no_files_under(output_dir)


@pytest.fixture
def eight_frame_video(tmp_path):
    return fixture_frames_video(tmp_path / "clip.mp4")


@pytest.mark.parametrize("flags, message", [(["--start", "8"], "--start 8 is at or after the end"),
                                            (["--start", "0.8s"], "at or after the end"),
                                            (["--end", "9"], "--end 9 is past the end"),
                                            (["--end", "0:01"], "past the end"),
                                            (["--start", "5", "--end", "0.3s"], "is not after --start"),
                                            (["--start", "soon"], "neither a frame number")])
def test_bad_video_range(capsys, output_dir, eight_frame_video, flags, message):
    expect_user_error(
        capsys, ["--model", WEIGHTS, "--input-video", eight_frame_video, "--output-dir", output_dir, *flags],
        message)
    assert no_files_under(output_dir)


def write_huge_header_png(path):
    """A valid PNG header claiming 60000 x 60000 pixels, with almost no data."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I",
                                                                        zlib.crc32(kind + data) & 0xffffffff)
    header = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))


def test_image_whose_header_claims_a_huge_size(capsys, tmp_path, output_dir):
    folder = tmp_path / "frames"
    shutil.copytree(FRAMES, folder)
    write_huge_header_png(folder / "lr_0003.png")
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-dir-lr", str(folder), "--output-dir", output_dir],
                      "lr_0003.png")
    assert no_files_under(output_dir)


def test_input_folder_that_is_a_file(capsys, output_dir):
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-dir-lr", os.path.join(FRAMES, "lr_0001.png"),
                               "--output-dir", output_dir], "is a file, not a folder")


@pytest.mark.parametrize("name", ["sub/out", "..", "/abs"])
def test_output_name_with_a_path(capsys, output_dir, name):
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", output_dir,
                               "--output-name", name], "--output-name")
    assert not os.path.exists(output_dir)


def test_frames_whose_outputs_would_share_a_name(capsys, tmp_path, output_dir):
    import cv2
    folder = tmp_path / "frames"
    shutil.copytree(FRAMES, folder)
    cv2.imwrite(str(folder / "lr_0001.jpg"), cv2.imread(str(folder / "lr_0001.png")))
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-dir-lr", str(folder), "--output-dir", output_dir],
                      "are both frame 1")
    assert not os.path.exists(output_dir)


def test_an_output_never_overwrites_an_input_frame(capsys, tmp_path):
    folder = tmp_path / "frames"
    shutil.copytree(FRAMES, folder)
    # where frame lr_0002's output would go: since the twentieth pass, a name of other words before a frame's name
    # ('run2_lr_0002.png', as 'Copy of f001.png') is refused as its copy or another series' frame before any output
    # is planned, the check of the outputs behind it
    shutil.copy(folder / "lr_0001.png", folder / "run2_lr_0002.png")
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    expect_user_error(capsys,
                      ["--model", WEIGHTS, "--input-dir-lr",
                       str(folder), "--output-dir",
                       str(folder), "--output-name", "run2"], "rename it if it is a frame of its own")
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


@pytest.mark.parametrize("video, message", [("missing/sr.mp4", "does not exist"), ("", "is a folder"),
                                            ("sr.txt", "must end in")])
def test_bad_output_video_is_refused_before_anything_is_written(capsys, tmp_path, output_dir, video, message):
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", output_dir,
                               "--output-video", str(tmp_path / video) if video else str(tmp_path)], message)
    assert not os.path.exists(output_dir)


@pytest.mark.parametrize("fps", ["nan", "inf", "-3"])
def test_non_finite_frame_rate(capsys, tmp_path, output_dir, fps):
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", output_dir,
                               "--output-video", str(tmp_path / "sr.mp4"), "--fps", fps], "--fps must be")
    assert not os.path.exists(output_dir)


def test_a_budget_too_small_creates_no_output_folder(capsys, output_dir):
    expect_user_error(capsys, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", output_dir,
                               "--max-memory", "0.1"], "too small")  # below either backend's least
    assert not os.path.exists(output_dir)


def test_a_damaged_cached_onnx_file_is_exported_again(tmp_path):
    arguments = ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--backend", "openvino",
                 "--cache-dir", str(tmp_path / "cache")]
    generate.main(arguments + ["--output-dir", str(tmp_path / "first")])
    cached = sorted((tmp_path / "cache").iterdir())
    assert len(cached) == 3
    cached[1].write_bytes(cached[1].read_bytes()[:100])  # truncated, as by a full disk or a killed copy
    generate.main(arguments + ["--output-dir", str(tmp_path / "second")])
    assert sorted(os.listdir(tmp_path / "second")) == sorted(os.listdir(tmp_path / "first"))
    assert cached[1].stat().st_size > 100


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGUSR1", "SIGUSR2"])
def test_sigterm_and_sigusr1_or_2_stop_like_ctrl_c_and_leave_no_partial_file(tmp_path, stop):
    import signal
    process, out = generate_writing_a_video(tmp_path)
    process.send_signal(getattr(signal, stop))
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in stderr
    assert not os.path.exists(tmp_path / "sr.mp4")
    assert [name for name in os.listdir(tmp_path) if name.startswith(".")] == []
    assert all(name.startswith("output_") and name.endswith(".png") for name in os.listdir(out))
    assert len(os.listdir(out)) < 41


@pytest.mark.parametrize("flag", ["--model", "--input-video"])
def test_a_folder_where_a_file_is_expected_is_called_a_folder(capsys, tmp_path, output_dir, flag):
    arguments = {"--model": WEIGHTS, "--input-dir-lr": FRAMES}
    if flag == "--input-video":
        del arguments["--input-dir-lr"]
    arguments[flag] = str(tmp_path)
    expect_user_error(capsys, [part for pair in arguments.items()
                               for part in pair] + ["--output-dir", output_dir], "is a folder")
