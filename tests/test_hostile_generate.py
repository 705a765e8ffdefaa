"""Hostile inputs and conditions for generate.py: its inputs and outputs, video reading and writing, tiles and
backends, mpirun. Each ends with one line and exit code 2 (130 for a stop), leaves nothing partial and overwrites
nothing (docs/testing.md)."""
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import types

import numpy as np
import pytest

from conftest import REPO_ROOT, shared_path
from helpers import MPIRUN, calendar_crops, mpi_environment
from hostile import (FRAMES, WEIGHTS, assert_one_error_line, decoded_count, ffmpeg_video,
                     run_python_without_root_override, run_script, wait_until_stop_signals_caught)
from utils.errors import UserError
from utils.paths import BUNDLED_MODEL


# The first pass of issue 28: the failures it lists

@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_while_generate_imports_its_libraries_is_one_line_and_130(signal_number):
    process = subprocess.Popen([sys.executable, "generate.py", "--model", WEIGHTS, "--input-dir-lr", FRAMES],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until_stop_signals_caught(process.pid)
    process.send_signal(signal_number)
    _, err = process.communicate(timeout=240)
    assert process.returncode == 130 and err.splitlines() == ["interrupted"], err


def child_pids(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as file:
        return [int(child) for child in file.read().split()]


def mpirun_generate(*flags):
    """`mpirun -n 2 generate.py` with the bundled model on NNabla."""
    command = [MPIRUN, "--bind-to", "none", "-n", "2", sys.executable, "generate.py",
               "--model", BUNDLED_MODEL, "--backend", "nnabla", *flags]
    return subprocess.Popen(command, cwd=REPO_ROOT, env=mpi_environment(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_a_frame(out, process, timeout=120):
    deadline = time.time() + timeout
    while not (out.is_dir() and any(name.endswith(".png") for name in os.listdir(out))):
        assert process.poll() is None and time.time() < deadline, process.communicate()
        time.sleep(0.05)


def rank_pid(mpirun_pid, rank):
    for child in child_pids(mpirun_pid):
        with open(f"/proc/{child}/environ", "rb") as file:
            if f"OMPI_COMM_WORLD_RANK={rank}".encode() in file.read().split(b"\0"):
                return child
    raise AssertionError(f"no rank {rank}")


def test_a_rank_that_fails_under_mpirun_ends_the_whole_job_at_once(tmp_path):
    from clips import write_joined_clip
    path, _ = write_joined_clip(str(tmp_path), [("bikes.mp4", 0, 8), ("bigbuckbunny.mp4", 40, 8),
                                                ("carphone_pristine.mp4", 0, 8)], (96, 48))
    out = tmp_path / "out"
    process = mpirun_generate("--input-video", path, "--output-dir", str(out))
    try:
        wait_for_a_frame(out, process)
        os.kill(rank_pid(process.pid, 1), signal.SIGINT)  # rank 0 waits for this rank's scene
        stopped = time.time()
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()  # mpirun's ranks end with it
    assert time.time() - stopped < 30, err
    assert process.returncode == 130 and "interrupted" in err, err


def test_a_truncated_video_is_one_line_not_fewer_frames(tmp_path, capsys):
    import generate
    video = ffmpeg_video(tmp_path / "clip.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags",
                         "+faststart")
    with open(video, "r+b") as file:
        file.truncate(os.path.getsize(video) * 6 // 10)
    with pytest.raises(SystemExit) as exit_info:
        generate.main(["--model", WEIGHTS, "--input-video", video, "--output-dir", str(tmp_path / "out"),
                       "--scene-cuts", "off"])
    assert exit_info.value.code == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert "truncated or damaged" in line


def test_odd_sized_hr_frames_make_a_video_padded_to_even_sides(tmp_path):
    import cv2

    import generate
    from utils.frame_names import list_frames
    hr = tmp_path / "hr"
    hr.mkdir()
    for path in list_frames(shared_path("data", "calendar_lr"))[:3]:
        cv2.imwrite(str(hr / os.path.basename(path)), cv2.imread(path)[:143, :179])
    generate.main(["--model", WEIGHTS, "--input-dir-hr", str(hr), "--output-dir", str(tmp_path / "out"),
                   "--output-video", str(tmp_path / "sr.mp4")])
    capture = cv2.VideoCapture(str(tmp_path / "sr.mp4"))
    assert (capture.get(cv2.CAP_PROP_FRAME_WIDTH), capture.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (180, 144)
    assert capture.get(cv2.CAP_PROP_FRAME_COUNT) == 3
    assert cv2.imread(str(tmp_path / "out" / os.listdir(tmp_path / "out")[0])).shape[:2] == (143, 179)


@pytest.mark.parametrize("flags, message", [
    (["--max-memory", "1e300"], "--max-memory must be a positive finite number at most 1e+06"),
    (["--threads", "100000000000000000000"], "--threads must be a positive finite number at most 1024"),
    (["--fps", "1e-300"], "--fps must be a positive finite number at least 0.01 and at most 1000"),
    (["--start", "9" * 400 + "s"], "is at or after the end"),
    (["--end", "1:" + "9" * 400 + ":00"], "neither a frame number"),
    (["--start", "9" * 5000], "is at or after the end"),
], ids=["memory 1e300", "threads 1e20", "fps 1e-300", "start 400-digit seconds", "end 400-digit minutes",
        "start 5000 digits"])
def test_numbers_too_large_or_small_for_the_work_are_one_line(capsys, tmp_path, flags, message):
    import generate
    video = ffmpeg_video(tmp_path / "clip.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", frames=5)
    with pytest.raises(SystemExit) as exit_info:
        generate.main(["--model", WEIGHTS, "--input-video", video, "--output-video", str(tmp_path / "sr.mp4"),
                       "--scene-cuts", "off", *flags])
    assert exit_info.value.code == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert line.startswith("error: ") and message in line and len(line) < 400
    assert not os.path.exists(tmp_path / "sr.mp4")


def test_a_full_disk_while_writing_frames_is_one_line(small_disk, monkeypatch, capsys):
    import errno

    import generate
    from utils import atomic_files
    folder, mounted = small_disk
    if not mounted:
        committed, commit = [], atomic_files.StagedFile.commit

        def commit_until_full(staged):
            if len(committed) == 3:
                raise OSError(errno.ENOSPC, "No space left on device")
            committed.append(staged.path)
            commit(staged)
        monkeypatch.setattr(atomic_files.StagedFile, "commit", commit_until_full)
    with pytest.raises(SystemExit) as exit_info:
        generate.main([
            "--model", WEIGHTS, "--input-dir-lr",
            shared_path("data", "calendar_lr"), "--output-dir",
            str(folder / "out")
        ])
    assert exit_info.value.code == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert "no space left on the disk of" in line
    written = os.listdir(folder / "out") if (folder / "out").exists() else []  # removed when the first frame failed
    assert not [name for name in written if name.startswith(".") and "tmp" in name]


def test_a_damaged_file_in_a_read_only_onnx_cache_is_one_line(tmp_path, monkeypatch, capsys):
    """A read-only tmpfs when this runs as root (root writes through file permissions), else removal
    refused."""
    import generate
    cache = tmp_path / "cache"
    cache.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs",
         str(cache)], capture_output=True).returncode == 0
    try:
        arguments = [
            "--model", WEIGHTS, "--input-dir-lr", FRAMES, "--backend", "openvino", "--cache-dir",
            str(cache)
        ]
        generate.main(arguments + ["--output-dir", str(tmp_path / "first")])
        cached = sorted(cache.iterdir())
        cached[1].write_bytes(cached[1].read_bytes()[:100])  # truncated
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(cache)], check=True)
        else:
            def refuse(path):
                raise PermissionError(13, "Permission denied", path)
            monkeypatch.setattr(os, "remove", refuse)
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            generate.main(arguments + ["--output-dir", str(tmp_path / "second")])
        assert exit_info.value.code == 2
        [line] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
        assert "holds a damaged file and cannot be written" in line and "--cache-dir" in line
    finally:
        if mounted:
            subprocess.run(["umount", str(cache)], check=True)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_ctrl_c_to_mpirun_running_generate_leave_no_partial_video_and_no_ffmpeg(stop, tmp_path):
    """Open MPI passes these on and kills the ranks a fraction of a second later, mid-forward, and ends with
    its own exit code (1): the partial video and its ffmpeg must be gone by then."""
    out, video = tmp_path / "out", tmp_path / "video" / "sr.mp4"
    video.parent.mkdir()
    # 96x72: a frame of the bundled model takes longer than Open MPI waits before its kill, which comes mid-forward
    process = mpirun_generate("--input-dir-lr", calendar_crops(tmp_path / "lr", 72, 96), "--output-dir", str(out),
                              "--output-video", str(video))
    try:
        wait_for_a_frame(out, process)
        process.send_signal(stop)
        process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode != 0
    deadline = time.time() + 10  # a killed ffmpeg takes a moment to go
    while ffmpeg_writing_into(video.parent) and time.time() < deadline:
        time.sleep(0.1)
    assert not ffmpeg_writing_into(video.parent)
    assert os.listdir(video.parent) == []


def ffmpeg_writing_into(folder):
    """Live ffmpeg processes whose command line names a file in folder (zombies have an empty one)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                command = file.read().decode(errors="replace")
        except OSError:  # ended meanwhile
            continue
        if "ffmpeg" in command and str(folder) in command:
            found.append(pid)
    return found


def test_sigusr1_to_mpirun_running_generate_stops_every_rank_with_130_and_no_partial_video(tmp_path):
    out, video = tmp_path / "out", tmp_path / "video" / "sr.mp4"
    video.parent.mkdir()
    process = mpirun_generate("--input-dir-lr", calendar_crops(tmp_path / "lr", 48, 64), "--output-dir", str(out),
                              "--output-video", str(video))
    try:
        wait_for_a_frame(out, process)
        process.send_signal(signal.SIGUSR1)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130 and "interrupted" in err, err[-2000:]
    assert os.listdir(video.parent) == []


# The second pass

@pytest.mark.parametrize("values, message", [
    (lambda shape: np.bytes_(b"abc"), "holds |S3 values, not numbers"),
    (lambda shape: np.full(shape, np.nan, np.float32), "holds NaN or infinite values"),
], ids=["text", "NaN"])
def test_a_weights_file_of_the_right_names_but_not_finite_numbers_is_one_line(tmp_path, capsys, values,
                                                                              message):
    import h5py

    import generate
    from conftest import user_error_line
    damaged = str(tmp_path / "damaged.h5")
    with h5py.File(WEIGHTS, "r") as source, h5py.File(damaged, "w") as target:
        source.visititems(lambda name, item: target.create_dataset(name, data=values(item.shape))
                          if isinstance(item, h5py.Dataset) else None)
    line = user_error_line(generate.main, ["--model", damaged, "--input-dir-lr", FRAMES, "--output-dir",
                                           str(tmp_path / "out")], capsys)
    assert damaged in line and message in line
    assert not (tmp_path / "out").exists()


def test_an_output_frame_blocked_by_a_folder_is_one_line_before_any_frame_is_written(tmp_path, capsys):
    import generate
    from conftest import user_error_line
    blocked = tmp_path / "out" / "output_lr_0003.png"
    blocked.mkdir(parents=True)
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
                                           str(tmp_path / "out")], capsys)
    assert f"output frame '{blocked}' is a folder" in line
    assert os.listdir(tmp_path / "out") == ["output_lr_0003.png"]


@pytest.mark.parametrize("flags, message", [
    (["--outscale", "1e-9"], "gives frames less than a pixel high or wide"),
    (["--output-size", ""], "--output-size must be WIDTHxHEIGHT"),
    (["--start", ""], "--start is empty"),
    (["--end", " "], "--end is empty"),
    (["--num_resblock", "10000000000"], "--num_resblock must be a positive finite number at most 1000"),
], ids=["outscale 1e-9", "empty output size", "empty start", "blank end", "10^10 residual blocks"])
def test_an_output_size_below_a_pixel_an_empty_value_or_a_graph_without_end_is_one_line(
        tmp_path, capsys, flags, message):
    import generate
    from conftest import user_error_line
    from helpers import fixture_frames_video
    video = fixture_frames_video(tmp_path / "clip.mp4")
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-video", video, "--output-video",
                                           str(tmp_path / "sr.mp4"), "--scene-cuts", "off", *flags], capsys)
    assert message in line
    assert sorted(os.listdir(tmp_path)) == ["clip.mp4"]


# The third pass

def test_a_pipe_named_like_a_frame_is_one_line_instead_of_a_wait_without_end(tmp_path, capsys):
    """Reading it waited for a writer: generate.py hung without a line."""
    import shutil

    import generate
    from conftest import user_error_line
    shutil.copy(os.path.join(FRAMES, "lr_0001.png"), tmp_path / "lr_0001.png")
    os.mkfifo(tmp_path / "lr_0002.png")
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", str(tmp_path), "--output-dir",
                                           str(tmp_path / "out")], capsys)
    assert "lr_0002.png' is a pipe or device" in line and not (tmp_path / "out").exists()


# The fourth pass

def test_a_video_with_more_frames_than_its_container_announces_is_read_to_its_last_frame(tmp_path, capsys):
    """An MPEG program stream's count is estimated from its duration: generate.py wrote 3 of 8 frames, exit 0."""
    import cv2

    import generate
    video = ffmpeg_video(tmp_path / "clip.mpg", "-c:v", "mpeg2video", frames=8)
    assert cv2.VideoCapture(video).get(cv2.CAP_PROP_FRAME_COUNT) < decoded_count(video) == 8
    generate.main(["--model", WEIGHTS, "--input-video", video, "--output-dir", str(tmp_path / "out"),
                   "--scene-cuts", "off"])
    assert sorted(os.listdir(tmp_path / "out")) == [f"output_clip_{index:04d}.png" for index in range(1, 9)]


@pytest.mark.parametrize("flag", ["--cache-dir", "--output-dir"])
def test_an_output_video_that_is_also_a_folder_flag_is_one_line_before_any_work(tmp_path, capsys, flag):
    """It became that folder, and the video's rename failed after all the work, leaving its temporary."""
    import generate
    from conftest import user_error_line
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", frames=8)
    video = str(tmp_path / "out.mp4")
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-video", clip, "--output-video", video,
                                           flag, video], capsys)
    assert f"is also the folder {flag}" in line and os.listdir(tmp_path) == ["clip.mp4"]


def test_an_output_name_too_long_for_the_file_system_is_one_line_before_anything_is_written(tmp_path, capsys):
    """OSError (file name too long) at the first frame, after the work had started."""
    import generate
    from conftest import user_error_line
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
                                           str(tmp_path / "out"), "--output-name", "n" * 240], capsys)
    assert "is too long" in line and "--output-name" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flags", [["--outscale", "1e308"], ["--output-size", "1" * 5000 + "x10"]],
                         ids=["outscale 1e308", "a side of 5000 digits"])
def test_an_output_size_past_what_a_number_holds_is_one_line(tmp_path, capsys, flags):
    """OverflowError (1e308 times the frame's side is infinite) and ValueError (int() of 5000 digits)."""
    import generate
    from conftest import user_error_line
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
                                           str(tmp_path / "out"), *flags], capsys)
    assert flags[0] in line and not (tmp_path / "out").exists()


def test_an_output_folder_on_a_disk_without_a_byte_left_is_one_line(small_disk, capsys):
    """The output folder's lock file could not hold the process id: OSError."""
    import generate
    from conftest import user_error_line
    folder, mounted = small_disk
    if not mounted:
        pytest.skip("needs a tmpfs of its own (root)")
    with open(folder / "filler", "wb", buffering=0) as filler, pytest.raises(OSError):
        while True:
            filler.write(b"\0" * 4096)
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
                                           str(folder / "out")], capsys)
    assert "no space left on the disk of" in line
    assert not (folder / "out").exists()


def stop_generate_mid_run(tmp_path, ignore_hangup=False):
    """generate.py writing a video, sent SIGHUP once it has written a frame: (exit code, stderr)."""
    video = ffmpeg_video(tmp_path / "clip.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", frames=20)
    process = subprocess.Popen(
        [sys.executable, "generate.py", "--model", WEIGHTS, "--backend", "nnabla", "--threads", "1", "--input-video",
         video, "--output-video", str(tmp_path / "out.mp4"), "--scene-cuts", "off"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=(lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN)) if ignore_hangup else None)
    deadline = time.time() + 240
    while not [name for name in os.listdir(tmp_path) if name.startswith(".out.")]:
        assert process.poll() is None and time.time() < deadline, process.communicate()
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGHUP)
    _, err = process.communicate(timeout=120)
    return process.returncode, err


def test_a_closed_terminal_stops_generate_with_130_and_no_partial_video(tmp_path):
    """SIGHUP (a lost SSH session) ended it by the signal, leaving the temporary video."""
    code, err = stop_generate_mid_run(tmp_path)
    assert code == 130 and err.splitlines()[-1] == "interrupted", err
    assert sorted(os.listdir(tmp_path)) == ["clip.mp4"]


def test_generate_under_nohup_goes_on_when_the_terminal_closes(tmp_path):
    code, err = stop_generate_mid_run(tmp_path, ignore_hangup=True)
    assert code == 0, err
    assert decoded_count(str(tmp_path / "out.mp4")) == 20


def test_generate_whose_output_reader_left_ends_quietly_with_141(tmp_path):
    """`generate.py ... | head -0`: its last line raised BrokenPipeError, a traceback after the work."""
    video = ffmpeg_video(tmp_path / "clip.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", frames=8)
    process = subprocess.Popen([sys.executable, "generate.py", "--model", WEIGHTS, "--input-video", video,
                                "--output-video", str(tmp_path / "out.mp4"), "--scene-cuts", "off"],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.close()
    err = process.stderr.read()
    process.wait(timeout=120)
    assert process.returncode == 141 and "Traceback" not in err and "Exception ignored" not in err, err
    assert decoded_count(str(tmp_path / "out.mp4")) == 8


# The fifth pass

def test_videos_named_with_a_colon_are_read_and_written_with_their_sound(tmp_path, monkeypatch):
    """FFmpeg took the part of a relative name before a colon for a protocol: the input was called 'unknown
    format or corrupt file', and an output in a folder so named failed once written."""
    import generate
    from clips import ffmpeg, stream_summary
    monkeypatch.chdir(tmp_path)
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.5", "-f", "lavfi", "-i",
           "sine=duration=0.5", "-pix_fmt", "yuv420p", str(tmp_path / "take:2.mp4"))
    os.mkdir("sr:x4")
    generate.main(["--model", WEIGHTS, "--input-video", "take:2.mp4", "--output-video", "sr:x4/take:2.mp4",
                   "--backend", "nnabla", "--threads", "1", "--scene-cuts", "auto"])
    streams = stream_summary(tmp_path / "sr:x4" / "take:2.mp4")
    assert any("Video: h264" in line and "128x96" in line for line in streams) and any(
        "Audio:" in line for line in streams), streams
    assert decoded_count(tmp_path / "sr:x4" / "take:2.mp4") == 5


def test_an_output_video_name_too_long_for_its_temporary_name_is_one_line_before_any_work(tmp_path, capsys):
    """A name that fits the file system but not with the temporary name's 13 more bytes failed in ffmpeg once
    every frame was computed."""
    import generate
    from conftest import user_error_line
    video = tmp_path / ("v" * 246 + ".mp4")
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
                                           str(tmp_path / "out"), "--output-video", str(video)], capsys)
    assert "is too long" in line and "choose a shorter --output-video name" in line
    assert os.listdir(tmp_path) == []


def test_a_frame_folder_given_as_dot_dot_gets_its_own_name_under_results(tmp_path, monkeypatch):
    """The default output folder results/<input name> was results/.., the current folder."""
    import shutil

    import generate
    shutil.copytree(FRAMES, tmp_path / "calendar")
    (tmp_path / "calendar" / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "calendar" / "sub")
    generate.main(["--model", WEIGHTS, "--input-dir-lr", "..", "--backend", "nnabla", "--threads", "1"])
    assert os.listdir(".") == ["results"] and len(os.listdir(os.path.join("results", "calendar"))) == 8


@pytest.mark.parametrize("blocker, message", [
    ("link to nothing", "is a symbolic link to '{target}', which does not exist"),
    ("pipe", "is a pipe or device, not a folder"),
    ("file", "is a file, not a folder"),
])
def test_an_output_folder_taken_by_something_else_says_what(tmp_path, capsys, blocker, message):
    """Each was reported as "cannot create output folder (File exists)"."""
    import generate
    from conftest import user_error_line
    out, target = tmp_path / "out", tmp_path / "unmounted"
    {"link to nothing": lambda: out.symlink_to(target), "pipe": lambda: os.mkfifo(out),
     "file": lambda: out.write_text("notes")}[blocker]()
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", str(out)],
                           capsys)
    assert line.startswith(f"error: --output-dir '{out}'") and message.format(target=target) in line, line


def test_a_video_wider_than_h264_allows_is_one_line_before_any_frame(tmp_path, capsys):
    """x4 of 4100-pixel-wide frames is 16400 pixels, past x264's 16384: ffmpeg failed once every frame was
    computed, with a line about packets."""
    import cv2

    import generate
    from conftest import user_error_line
    (tmp_path / "lr").mkdir()
    for index in (1, 2):
        cv2.imwrite(str(tmp_path / "lr" / f"{index:04d}.png"), np.full((2, 4100, 3), 40 * index, np.uint8))
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", str(tmp_path / "lr"), "--output-dir",
                                           str(tmp_path / "out"), "--output-video", str(tmp_path / "sr.mp4"),
                                           "--backend", "nnabla"], capsys)
    assert "gives 16400x8 frames, more than 16384 pixels a side" in line
    assert os.listdir(tmp_path) == ["lr"]


def test_generate_whose_progress_reader_left_ends_quietly_with_141(tmp_path):
    """Standard error alone to a pipe whose reader left (`2> >(head -c 1)`): the progress bar's write raised
    BrokenPipeError, and the command ended with code 1, as a crash."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        completed = subprocess.run([sys.executable, "generate.py", "--model", WEIGHTS, "--input-dir-lr", FRAMES,
                                    "--output-dir", str(tmp_path / "out"), "--backend", "nnabla"],
                                   cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=write_end, timeout=120)
    finally:
        os.close(write_end)
    assert completed.returncode == 141


# The sixth pass

def test_a_video_named_like_an_audio_stream_has_no_audio_and_is_written(tmp_path, monkeypatch):
    """A silent clip named 'Stream #0:0: Audio: aac.mp4': ffmpeg's echo of the name was read as an audio stream,
    and writing the output video failed after every frame (no audio to map)."""
    import generate
    from clips import ffmpeg
    from utils.video_probe import audio_codec
    monkeypatch.chdir(tmp_path)
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.3", "-pix_fmt", "yuv420p",
           "Stream #0:0: Audio: aac.mp4")
    assert audio_codec("Stream #0:0: Audio: aac.mp4") is None
    generate.main(["--model", WEIGHTS, "--input-video", "Stream #0:0: Audio: aac.mp4", "--output-video", "sr.mp4",
                   "--backend", "nnabla", "--threads", "1", "--scene-cuts", "off"])
    assert decoded_count(tmp_path / "sr.mp4") == 3


def test_a_video_larger_than_ulimit_f_allows_is_one_line_naming_the_limit(tmp_path):
    """ffmpeg, which gets the default action of SIGXFSZ that Python ignores for itself, was killed by it at
    `ulimit -f`: "ffmpeg could not write video 'sr.mp4': no message"."""
    import resource
    from clips import ffmpeg
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10:duration=0.6", "-pix_fmt", "yuv420p",
           str(tmp_path / "clip.mp4"))
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-video", str(tmp_path / "clip.mp4"),
                           "--output-video", str(tmp_path / "sr.mp4"), "--backend", "nnabla", "--threads", "1",
                           preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (3 * 1024, 3 * 1024)))
    messages = [line for line in completed.stderr.splitlines() if line.strip() and "frame" not in line]
    assert completed.returncode == 2 and messages == [
        f"error: cannot write video '{tmp_path / 'sr.mp4'}': it is larger than this process may write (ulimit -f); "
        "raise the limit"], completed.stderr
    assert sorted(os.listdir(tmp_path)) == ["clip.mp4"]


# The seventh pass

@pytest.mark.parametrize("kind", ["file", "link to nothing"])
def test_a_cache_dir_taken_by_a_file_or_a_dangling_link_is_said_as_such(tmp_path, kind):
    """`--cache-dir` (OpenVINO's ONNX cache) a file: "cannot write the ONNX cache in 'cfile' (File exists)"."""
    from inference.onnx_export import cached_models
    cache = tmp_path / "cache"
    cache.write_text("mine") if kind == "file" else cache.symlink_to(tmp_path / "unmounted" / "cache")
    expected = "is a file, not a folder" if kind == "file" else "is a symbolic link to .*, which does not exist"
    with pytest.raises(UserError, match=f"^--cache-dir '{cache}'(: '.*')? {expected}"):
        cached_models(str(cache), "stem", ["generator"], lambda: {"generator": b"onnx"})


@pytest.mark.parametrize("failure", [MemoryError("std::bad_alloc"), RuntimeError("memory error in alloc"),
                                     "cv2.error"],
                         ids=["C++ runtime", "NNabla", "OpenCV"])
def test_memory_running_out_while_super_resolving_is_one_line(monkeypatch, failure):
    """Under a `ulimit -v` a little above what start-up takes, an allocation of the networks or the warp failed:
    MemoryError, NNabla's RuntimeError or cv2.error, each as a traceback. Another error still propagates."""
    import cv2

    from inference import resolver as resolver_module
    from inference import SuperResolver
    if failure == "cv2.error":
        failure = cv2.error("(-4:Insufficient memory) Failed to allocate 506880 bytes in function 'OutOfMemoryError'")

    def failing(model, scene):
        raise failure
        yield
    monkeypatch.setattr(resolver_module, "super_resolve", failing)
    resolver = SuperResolver(WEIGHTS, "nnabla", "cpu", threads=1)
    frames = [("0001", np.zeros((24, 32, 3), np.float32))]
    with pytest.raises(UserError, match=r"^out of memory while super-resolving 32x24 LR frames in a budget of "):
        list(resolver.sequence(frames))
    monkeypatch.setattr(resolver_module, "super_resolve", lambda model, scene: iter([1 / 0]))
    with pytest.raises(ZeroDivisionError):
        list(resolver.sequence(frames))


# The eighth pass

@pytest.mark.parametrize("reason", ["std::bad_alloc", "Resource temporarily unavailable"])
def test_memory_running_out_while_the_networks_are_built_is_one_line(monkeypatch, reason):
    """Under a `ulimit -v` a little above start-up's, OpenVINO's compile_model failed (std::bad_alloc, or EAGAIN for
    a thread): RuntimeError traceback from generate.py, and from demo.py after its frame folders were written."""
    from inference import resolver as resolver_module
    from inference import SuperResolver

    def failing(*args, **kwargs):
        raise RuntimeError(f"Exception from src/inference/src/dev/plugin.cpp:59:\n{reason}\n")
    monkeypatch.setattr(resolver_module, "NnablaNetworks", failing)
    resolver = SuperResolver(WEIGHTS, "nnabla", "cpu", threads=1)
    with pytest.raises(UserError, match=r"^out of memory while super-resolving 32x24 LR frames in a budget of "):
        resolver.model(24, 32)


# Ninth pass, half A

def test_an_input_frame_named_like_a_stale_temporary_is_kept_when_the_output_folder_is_the_input_folder(tmp_path):
    """--output-dir equal to --input-dir-lr, holding a frame named like a temporary of a dead process
    (`.lr_0009.4194305.tmp.png`): the run deleted that input frame, then failed on it. A hidden name is no frame
    (utils.frame_names.is_frame_name): the file is kept, and not super-resolved."""
    import shutil

    import generate
    folder = tmp_path / "frames"
    shutil.copytree(FRAMES, folder)
    frame = folder / f".lr_0009.{2 ** 22 + 1}.tmp.png"  # above Linux's largest process id
    shutil.copy(folder / "lr_0001.png", frame)
    generate.main(["--model", WEIGHTS, "--input-dir-lr", str(folder), "--output-dir", str(folder)])
    assert frame.read_bytes() == (folder / "lr_0001.png").read_bytes()
    assert sorted(name for name in os.listdir(folder) if name.startswith("output_")) == [
        f"output_{name}" for name in sorted(os.listdir(FRAMES))]


def test_an_input_video_named_like_a_stale_temporary_of_the_output_video_is_kept(tmp_path):
    """`--input-video .o.4194305.tmp.mp4 --output-video o.mp4`: the input video deleted, exit code 0."""
    import generate
    video = ffmpeg_video(tmp_path / f".o.{2 ** 22 + 1}.tmp.mp4", "-pix_fmt", "yuv420p", frames=6)
    generate.main(["--model", WEIGHTS, "--input-video", video, "--output-video", str(tmp_path / "o.mp4"),
                   "--scene-cuts", "off"])
    assert sorted(os.listdir(tmp_path)) == [f".o.{2 ** 22 + 1}.tmp.mp4", "o.mp4"]


def test_a_failed_run_removes_the_output_folders_it_made(tmp_path, monkeypatch):
    """A full disk at the first frame of `--output-dir new/sub`: one line, and `new/sub` left behind, empty."""
    import generate

    def failing(path, pixels, video):
        raise UserError(f"no space left on the disk of '{path}'")
    monkeypatch.setattr(generate, "save_frame", failing)
    with pytest.raises(SystemExit):
        generate.main(["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", str(tmp_path / "new" / "sub")])
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("flag, value", [("--outscale", "9" * 5000), ("--outscale", "1e400"),
                                         ("--output-size", "9" * 5000 + "x2"), ("--output-size", "1234567890x2")],
                         ids=["outscale 5000 digits", "outscale 1e400", "size 5000 digits", "size 10 digits"])
def test_an_output_size_of_many_digits_is_said_too_large_in_a_short_line(capsys, flag, value):
    """--outscale of 5000 digits: "must be a positive factor", with the 5000 digits printed whole; --output-size
    with a side of ten digits or more: "must be WIDTHxHEIGHT", which it is."""
    import generate
    from conftest import user_error_line
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, flag, value], capsys)
    assert "more than 16384 pixels a side" in line and len(line) < 200, line


# Tenth pass, half A

def test_standard_error_on_a_full_disk_leaves_no_temporary_video(tmp_path):
    """`generate.py --output-video o.mp4 2>/dev/full`: exit code 2, and the video's temporary left, opened
    before the progress bar that failed to draw."""
    def full_standard_error():
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, 2)
    process = subprocess.run([sys.executable, "generate.py", "--model", WEIGHTS, "--input-dir-lr", FRAMES,
                              "--output-dir", str(tmp_path / "frames"), "--output-video", str(tmp_path / "o.mp4")],
                             cwd=REPO_ROOT, capture_output=True, timeout=120, preexec_fn=full_standard_error)
    assert process.returncode == 2 and os.listdir(tmp_path) == []


def test_output_frames_too_large_for_memory_are_one_line_naming_the_output_size(tmp_path, monkeypatch, capsys):
    """`--output-size 16384x16384` under `ulimit -v 6000000`: OpenCV's "Insufficient memory" traceback from the
    resize, exit code 1 (the networks' own allocations were said as one line, the resize after them was not)."""
    import cv2

    import generate
    from conftest import user_error_line

    def out_of_memory(frame, height, width):  # as OpenCV fails to allocate the resized frame
        raise cv2.error("OpenCV(4.10.0) alloc.cpp:73: error: (-4:Insufficient memory) Failed to allocate "
                        f"{height * width * 12} bytes in function 'OutOfMemoryError'")
    monkeypatch.setattr(generate, "resize_output", out_of_memory)
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
                                           str(tmp_path / "o"), "--output-size", "16384x16384"], capsys)
    assert "out of memory while resizing the output frames to 16384x16384" in line, line


# Eleventh pass, half A

def test_an_output_folder_removed_while_generate_runs_is_one_line(tmp_path, monkeypatch, capsys):
    """The output folder removed (or moved) while frames are written: a FileNotFoundError traceback at the next
    frame, exit code 1."""
    import shutil

    import generate
    from conftest import user_error_line
    folder = tmp_path / "out"
    save_frame = generate.save_frame

    def save_after_removing_the_folder(*args):
        shutil.rmtree(folder, ignore_errors=True)
        save_frame(*args)
    monkeypatch.setattr(generate, "save_frame", save_after_removing_the_folder)
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", str(folder)],
                           capsys)
    assert f"cannot write '{folder}" in line and "(No such file or directory): its folder was removed" in line, line


@pytest.mark.parametrize("change", ["replaced", "removed"])
def test_an_input_frame_replaced_or_removed_while_generate_runs_is_one_line(tmp_path, monkeypatch, capsys, change):
    """A frame of the input folder replaced by one of another size after the sizes were checked (a folder still
    being written): OpenVINO's "The input tensor size is not equal to the model input type" traceback, exit code
    1 (refused since by the resolver's check of each frame, main's 5b418a9, then said as a frame changed during the
    run, the eighteenth pass); removed: "cannot read image (No such file or directory); check its permissions" (said
    since as gone, main's 282b1d6)."""
    import shutil

    import cv2

    import generate
    from conftest import user_error_line
    frames = tmp_path / "lr"
    shutil.copytree(FRAMES, frames)
    read_rgb, reads = generate.read_rgb, []

    def read_after_the_sizes_were_checked(path):  # the 8 frames are read once for their sizes, then as they go
        reads.append(path)
        if len(reads) == 9:
            os.remove(frames / "lr_0006.png")
            if change == "replaced":
                cv2.imwrite(str(frames / "lr_0006.png"), np.zeros((20, 30, 3), np.uint8))
        return read_rgb(path)
    monkeypatch.setattr(generate, "read_rgb", read_after_the_sizes_were_checked)
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", str(frames), "--output-dir",
                                           str(tmp_path / "out")], capsys)
    said = (f"frame '{frames / 'lr_0006.png'}' is now 30x20, not the 60x44 of its sequence when the run started"
            if change == "replaced" else f"image '{frames / 'lr_0006.png'}': it is gone, deleted or moved since its folder")
    assert said in line, line


def test_an_input_folder_another_run_still_writes_is_refused(tmp_path, capsys):
    """--input-dir-lr the output folder of a generate.py still running (an x2 pass chained on another): the frames
    written so far were super-resolved, exit code 0, and the rest never."""
    import shutil

    import generate
    from conftest import user_error_line
    from utils.paths import lock_folder
    frames = tmp_path / "first_pass"
    shutil.copytree(FRAMES, frames)
    with lock_folder(str(frames), "output folder"):
        line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", str(frames), "--output-dir",
                                               str(tmp_path / "out")], capsys)
    assert f"input folder '{frames}' is being written by another run (pid {os.getpid()}); wait" in line, line
    assert not (tmp_path / "out").exists()


def test_a_users_file_named_like_a_stale_temporary_in_the_output_folder_is_kept(tmp_path):
    """`--output-dir` a folder of the user's holding `.thesis.4194305.tmp.tex` (another program's, named like a
    temporary of a dead process): deleted, exit code 0. A killed run's temporary of a frame this run writes
    still goes."""
    dead = 2 ** 22 + 1  # above Linux's largest process id
    folder = tmp_path / "desktop"
    folder.mkdir()
    (folder / f".thesis.{dead}.tmp.tex").write_text("the user's draft")
    (folder / f".output_lr_0003.{dead}.tmp.png").write_bytes(b"half a frame")
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", str(folder))
    assert completed.returncode == 0, completed.stderr
    assert sorted(os.listdir(folder)) == [f".thesis.{dead}.tmp.tex"] + [f"output_lr_{k:04d}.png" for k in range(1, 9)]


@pytest.mark.parametrize("output", ["--output-dir", "--output-video"])
def test_an_output_folder_that_can_be_written_but_not_listed(tmp_path, output):
    """A drop box (mode 0333: written, not listed) as --output-dir, or as --output-video's folder: a PermissionError
    traceback from listing it for a killed run's temporaries. The folder of frames is now refused in one line (a
    run must find what an earlier one left); the video is written. Run without the capability that lets root read
    any folder, so that the permissions hold."""
    folder = tmp_path / "drop_box"
    folder.mkdir()
    os.chmod(folder, 0o333)
    targets = {"--output-dir": [str(folder)],
               "--output-video": [str(folder / "o.mp4"), "--output-dir", str(tmp_path / "frames")]}
    argv = ["--model", WEIGHTS, "--input-dir-lr", FRAMES, output, *targets[output]]
    completed = run_python_without_root_override(f"import generate\ngenerate.main({argv!r})\n")
    os.chmod(folder, 0o755)
    if output == "--output-video":
        assert completed.returncode == 0 and os.listdir(folder) == ["o.mp4"], completed.stderr
    else:
        assert_one_error_line(completed, f"--output-dir '{folder}' can be written but not listed (no read permission)")


# Twelfth pass, third look at half A

@pytest.mark.parametrize("values, said", [
    (lambda frame: np.where(frame > 0.5, np.nan, frame), r"frame 1 holds a value that is not finite \(NaN or infinite"),
    (lambda frame: np.where(frame > 0.5, -np.inf, frame), r"frame 1 holds a value that is not finite"),
    (lambda frame: frame * 255, r"frame 1 holds values from 0.0484 to 255; pass RGB floats in \[0, 1\] \(e.g. frame / 255"),
    (lambda frame: frame[:0], r"frame 1 is 0x40x3, an array of no pixels; pass frames of at least one pixel"),
], ids=["NaN", "infinity", "0-255 floats", "no rows"])
def test_a_frame_of_nan_infinity_0_255_floats_or_no_pixels_is_refused_by_name(values, said):
    """SuperResolver.sequence took a frame holding a NaN or an infinity and gave frames of NaN from it on, a frame
    of 0-255 floats and gave a wrong picture, exit code 0; a frame of no rows: numpy's ValueError from padding."""
    from inference import SuperResolver
    frame = values(np.random.default_rng(0).random((32, 40, 3), dtype=np.float32))
    resolver = SuperResolver(WEIGHTS, "nnabla", "cpu", threads=1)
    with pytest.raises(UserError, match=said):
        list(resolver.sequence([(1, frame)]))


@pytest.mark.parametrize("frame_of", [
    lambda frame: np.repeat(frame, 2, axis=1)[:, ::2], lambda frame: frame.transpose(1, 0, 2).copy().transpose(1, 0, 2),
    lambda frame: frame[::-1, ::-1][::-1, ::-1], lambda frame: frame.astype(">f4"), lambda frame: frame.astype(">f8"),
    lambda frame: np.where(frame > 0.9, 1.5, np.where(frame < 0.1, -0.1, frame)).astype(np.float32),
], ids=["strided slice", "transposed view", "reversed views", "big-endian float32", "big-endian float64",
        "values 1.5 and -0.1"])
def test_frames_of_other_layouts_and_a_little_outside_0_1_give_the_sr_frames_of_a_plain_float32_copy(frame_of):
    """What the frame checks take besides plain float32 arrays is super-resolved as its float32 copy is."""
    from inference import SuperResolver
    rng = np.random.default_rng(1)
    frames = [frame_of(rng.random((32, 40, 3), dtype=np.float32)) for _ in range(2)]
    resolver = SuperResolver(WEIGHTS, "nnabla", "cpu", threads=1)
    given = [output for _, output in resolver.sequence(enumerate(frames))]
    copied = [output for _, output in resolver.sequence(enumerate(np.ascontiguousarray(frame, np.float32)
                                                                  for frame in frames))]
    assert all(np.array_equal(first, second) for first, second in zip(given, copied))


# Twelfth pass, second look at half A

@pytest.mark.parametrize("option, value, said", [
    ("threads", 10 ** 400, "--threads must be a whole number from 1 to 1024, got 1000"),
    ("threads", 1025, "--threads must be a whole number from 1 to 1024, got 1025"),
    ("num_resblock", 2.5, "--num_resblock must be a whole number from 1 to 1000, got 2.5"),
    ("num_resblock", "2", "--num_resblock must be a whole number from 1 to 1000, got '2'"),
    ("num_resblock", 0, "--num_resblock must be a whole number from 1 to 1000, got 0"),
    ("max_memory", 10 ** 400, "--max-memory must be a positive finite number of bytes, got 1000"),
], ids=["threads of 401 digits", "threads past generate.py's bound", "num_resblock 2.5", "num_resblock '2'",
        "num_resblock 0", "max_memory of 401 digits"])
def test_the_librarys_settings_past_what_generate_takes_are_one_line(option, value, said):
    """A library caller's threads of 401 digits was math.isfinite's OverflowError, and 1025 or more were taken
    (a graph copy each, minutes of building; OpenVINO's cast error past 2**63); num_resblock was not checked (2.5 or
    '2' a TypeError deep inside), and max_memory of 401 digits was float()'s OverflowError in the tile plan."""
    from inference import SuperResolver
    with pytest.raises(UserError, match=f"^{said}"):
        SuperResolver(WEIGHTS, "nnabla", "cpu", **{option: value})


def test_whole_numbers_of_hundreds_of_digits_and_bytes_as_a_fraction_are_taken():
    """tile and process_count of 401 digits (a tile of the whole frame, one core) were math.isfinite's OverflowError;
    max_memory as a Fraction failed formatting the memory message."""
    from fractions import Fraction
    from inference import SuperResolver
    frames = np.random.default_rng(2).random((2, 24, 32, 3), dtype=np.float32)
    resolver = SuperResolver(WEIGHTS, "nnabla", "cpu", tile=10 ** 400, process_count=10 ** 400,
                             max_memory=Fraction(2 ** 31))
    assert [output.shape for _, output in resolver.sequence(enumerate(frames))] == [(96, 128, 3)] * 2


def test_a_shape_of_floats_as_opencv_gives_it_is_taken_and_leaves_the_resolver_usable():
    """sequence(shape=(24.0, 32.0)), as cv2.CAP_PROP_FRAME_HEIGHT and _WIDTH give them, built a model of float sides:
    a TypeError, and the model stayed cached, so that the same frames with shape=None failed too."""
    from inference import SuperResolver
    frames = np.random.default_rng(3).random((2, 24, 32, 3), dtype=np.float32)
    resolver = SuperResolver(WEIGHTS, "nnabla", "cpu", threads=1)
    given = [output for _, output in resolver.sequence(enumerate(frames), shape=(24.0, 32.0))]
    taken = [output for _, output in resolver.sequence(enumerate(frames))]
    assert len(given) == 2 and all(np.array_equal(first, second) for first, second in zip(given, taken))


@pytest.mark.parametrize("shape, said", [
    ((24,), r"shape must be the frames' \(height, width\), got \(24,\)"),
    (24, r"shape must be the frames' \(height, width\), got 24"),
    (("24", "32"), r"a shape's height and width must be a whole number of at least 1, got '24'"),
])
def test_a_shape_of_another_kind_is_one_line(shape, said):
    """sequence(shape=...) of one side, an int or strings: TypeErrors from the model's construction."""
    from inference import SuperResolver
    frames = np.zeros((1, 24, 32, 3), np.float32)
    with pytest.raises(UserError, match=f"^{said}$"):
        list(SuperResolver(WEIGHTS, "nnabla", "cpu", threads=1).sequence(enumerate(frames), shape=shape))


class FrameShapedObject:
    """An object with an (H, W, 3) shape and nothing else of an array: what the frame checks must not take for one."""
    shape = (24, 32, 3)


@pytest.mark.parametrize("frame", [memoryview(np.zeros((24, 32, 3))), FrameShapedObject()],
                         ids=["memoryview", "shape alone"])
def test_a_frame_that_is_not_a_numpy_array_is_one_line(frame):
    """A memoryview (or a PyTorch tensor) has the frame's shape but no size or NumPy dtype: an AttributeError."""
    from inference import SuperResolver
    with pytest.raises(UserError, match=r"frame 0 is a \w+, not a NumPy array; pass e\.g\. np\.asarray\(frame\)$"):
        list(SuperResolver(WEIGHTS, "nnabla", "cpu", threads=1).sequence([(0, frame)]))


@pytest.mark.parametrize("masked, said", [
    (lambda frame: np.ma.masked_invalid(np.where(frame > 0.9, np.nan, frame)), "holds a value that is not finite"),
    (lambda frame: np.ma.masked_greater(np.where(frame > 0.9, 255.0, frame), 2), "holds values from .* to 255"),
], ids=["masked NaN", "masked 255"])
def test_a_masked_arrays_hidden_nan_or_0_255_value_is_refused(masked, said):
    """A masked array's min and max skip its masked values, which the networks get all the same: a NaN passed the
    checks and gave a frame of NaN, exit code 0; a masked 255 gave a wrong picture, and a wrong next one."""
    from inference import SuperResolver
    frame = masked(np.random.default_rng(4).random((24, 32, 3)))
    with pytest.raises(UserError, match=f"^frame 0 {said}"):
        list(SuperResolver(WEIGHTS, "nnabla", "cpu", threads=1).sequence([(0, frame)]))


@pytest.mark.parametrize("pairs, found", [
    (lambda frames: zip(frames, ["a.png", "b.png"]), "a pair of a 24x32x3 array and a str"),
    (lambda frames: [list(frames)], "a pair of a 24x32x3 array and a ndarray"),
], ids=["(frame, name) pairs", "two frames as one item"])
def test_a_pair_whose_name_is_a_frame_is_one_line(pairs, found):
    """zip(frames, names) in place of zip(names, frames): the error showed the frame's array as the name, 49 lines;
    two frames given as one item ran the second alone under the first as its name, exit code 0."""
    from inference import SuperResolver
    frames = np.random.default_rng(5).random((2, 24, 32, 3))
    resolver = SuperResolver(WEIGHTS, "nnabla", "cpu", threads=1)
    with pytest.raises(UserError, match=rf"^a sequence takes \(name, frame\) pairs, got {found}; pass e\.g\. "):
        list(resolver.sequence(pairs(frames)))


# Thirteenth pass, second look at the twelfth pass's half A, and the demo-model recipes

@pytest.mark.parametrize("frame, found", [
    ([[0.1, 0.2], [0.3]], "a list"),
    (np.zeros((1, 24, 32, 3), np.float32), "a 1x24x32x3 array"),
    (np.zeros((24, 32, 4), np.float32), "a 24x32x4 array"),
    (np.array(0.5, np.float32), r"a single value \(ndarray\)"),
], ids=["ragged list", "a batch of one frame", "RGBA", "0-d array"])
def test_a_first_frame_of_another_layout_is_named_without_a_size_taken_from_it(frame, found):
    """The sequence's size was taken from the first frame by np.shape: a ragged list was numpy's ValueError, a batch
    of one frame was said to differ from "one size (1x24x3 here)", a size read from its own first two sides, and a
    0-d array was "frame 0 is ;"."""
    from inference import SuperResolver
    resolver = SuperResolver(WEIGHTS, "nnabla", "cpu", threads=1)
    with pytest.raises(UserError, match=f"^frame 0 is {found}; a sequence takes H x W x 3 RGB arrays of one size: "):
        list(resolver.sequence([(0, frame)]))


def test_a_shape_of_a_0d_array_is_one_line():
    """sequence(shape=np.array(24)): iterating a 0-d array is a TypeError."""
    from inference import SuperResolver
    frames = np.zeros((1, 24, 32, 3), np.float32)
    with pytest.raises(UserError, match=r"^shape must be the frames' \(height, width\), got array\(24\)$"):
        list(SuperResolver(WEIGHTS, "nnabla", "cpu", threads=1).sequence(enumerate(frames), shape=np.array(24)))


def test_a_0d_array_is_a_name_and_a_single_value_is_named_as_one():
    """A 0-d array as a frame's name was taken for a frame ("got a pair of a  array and a ndarray"), and a single
    NumPy value given for a pair was "got a  array"."""
    from inference import SuperResolver
    frame = np.random.default_rng(6).random((24, 32, 3), dtype=np.float32)
    resolver = SuperResolver(WEIGHTS, "nnabla", "cpu", threads=1)
    assert [name for name, _ in resolver.sequence([(np.array(3), frame)])] == [3]
    with pytest.raises(UserError, match=r"^a sequence takes \(name, frame\) pairs, got a single value \(float32\); "):
        list(resolver.sequence([np.float32(1)]))


# Thirteenth pass, second look at the twelfth pass's new kinds and the web app

def wide_frames(folder, width, height=2, count=2):
    import cv2
    folder.mkdir()
    for index in range(count):
        cv2.imwrite(str(folder / f"{index:04d}.png"),
                    np.random.default_rng(index).integers(0, 256, (height, width, 3), np.uint8))
    return str(folder)


def test_a_frame_whose_x4_side_passes_opencvs_remap_limit_is_super_resolved(tmp_path):
    """An LR frame 8200 pixels wide (a strip of little area, as bench_tiles --sizes 65536x1 makes): its x4 result is
    32800 wide, over the 32767 cv2.remap takes, and the warp of the previous output failed with OpenCV's assertion,
    a traceback."""
    completed = run_script("generate.py", "--model", BUNDLED_MODEL, "--input-dir-lr",
                           wide_frames(tmp_path / "lr", 8200), "--output-dir", str(tmp_path / "out"), timeout=300)
    assert completed.returncode == 0, completed.stderr
    import cv2
    assert [cv2.imread(str(path)).shape for path in sorted((tmp_path / "out").iterdir())] == [(8, 32800, 3)] * 2


def test_a_frame_too_wide_for_jpeg_is_one_line_and_no_output(tmp_path):
    """--output-ext jpg of an x4 result 65600 pixels wide: OpenCV's JPEG encoder raised its own error ("Maximum
    supported image dimension is 65500 pixels"), a traceback."""
    completed = run_script("generate.py", "--model", BUNDLED_MODEL, "--input-dir-lr",
                           wide_frames(tmp_path / "lr", 16400), "--output-dir", str(tmp_path / "out"),
                           "--output-ext", "jpg", timeout=300)
    last = completed.stderr.strip().splitlines()[-1]  # after the progress bar of the first frame
    assert completed.returncode == 2 and "Traceback" not in completed.stderr, completed.stderr
    assert last.startswith("error: cannot write a 65600x8 frame as JPEG") and "--output-ext png" in last, last
    assert not (tmp_path / "out").exists()


# Thirteenth pass, second look at the thirteenth pass's new-kinds fixes

@pytest.mark.parametrize("height, width", [(3, 32766), (4, 9)], ids=["just under cv2.remap's limit", "small"])
def test_the_warp_by_numpys_gather_equals_cv2_remaps_on_every_flow(monkeypatch, height, width):
    """Frames whose x4 side reaches 32767 are warped by numpy's gather: on a frame cv2.remap still takes, the gather
    (forced) gives the same values, flows far outside the frame, infinite and NaN included (a NaN position was an
    IndexError on the gather's path, a traceback, where cv2.remap's gives a NaN pixel)."""
    import numpy as np
    from inference import warp
    generator = np.random.default_rng(3)
    image = generator.random((height, width, 3), dtype=np.float32)
    flow = (generator.standard_normal((height, width, 2)) * 40).astype(np.float32)
    flow[0, 0], flow[-1, -1], flow[1, 1, 0], flow[1, 2, 1], flow[2, 3] = 1e6, -1e6, np.inf, np.nan, np.nan
    by_remap = warp.warp_dense(image, flow)
    monkeypatch.setattr(warp, "REMAP_MAX_SIDE", 0)
    with np.errstate(invalid="ignore"):
        by_gather = warp.warp_dense(image, flow)
    np.testing.assert_array_equal(by_gather, by_remap)


def test_the_warp_of_a_frame_at_cv2_remaps_limit_takes_numpys_gather():
    """32767 pixels a side is the first cv2.remap asserts on (32766 it takes)."""
    import numpy as np
    from inference import warp
    image = np.random.default_rng(4).random((2, warp.REMAP_MAX_SIDE, 3), dtype=np.float32)
    flow = np.full((2, warp.REMAP_MAX_SIDE, 2), 0.5, np.float32)
    warped = warp.warp_dense(image, flow)
    assert warped.shape == image.shape and np.isfinite(warped).all()


# Thirteenth pass, second look at the thirteenth pass's half A fixes

class TensorLike:
    """Not NumPy's array, with a shape tuple as a PyTorch tensor has (torch.Size is a tuple)."""

    def __init__(self, shape):
        self.shape = shape


@pytest.mark.parametrize("frame, found", [
    (TensorLike((24, 32, 3)), "is a TensorLike, not a NumPy array"),
    (TensorLike((10 ** 9, 10 ** 9, 3)), "is a TensorLike, not a NumPy array"),
    (np.full((24, 32, 3), np.nan, np.float32), "holds a value that is not finite"),
], ids=["tensor", "tensor of a size past the memory budget", "NaN"])
def test_a_first_frame_is_checked_before_a_model_is_built_for_its_size(frame, found):
    """The first frame's own shape was taken as the sequence's size before the frame was checked: a model was built
    for a tensor, and a tensor past the memory budget was refused as '--max-memory ... is too small', not as no
    NumPy array."""
    from inference import SuperResolver
    resolver = SuperResolver(WEIGHTS, "nnabla", "cpu", threads=1)
    with pytest.raises(UserError, match=f"^frame 0 {found}"):
        list(resolver.sequence([(0, frame)]))
    assert resolver.models == {}


# Fourteenth pass, second look at generate.py, evaluate.py, demo.py and the web app

@pytest.mark.parametrize("flag", ["--model", "--scene-cuts"])
def test_a_file_read_that_an_output_frame_would_replace_is_refused_and_kept(tmp_path, flag):
    """A model or cuts file in --output-dir under the name of an output frame: only the input frames were checked,
    so the run wrote a PNG over it (the model lost, or the cuts it had just read), exit code 0."""
    import shutil
    first = sorted(name for name in os.listdir(FRAMES) if name.endswith(".png"))[0]
    kept = tmp_path / "out" / f"output_{os.path.splitext(first)[0]}.png"
    kept.parent.mkdir()
    if flag == "--model":
        shutil.copyfile(WEIGHTS, kept)
        files = ["--model", str(kept)]
    else:
        kept.write_text("2\n")
        files = ["--model", WEIGHTS, "--scene-cuts", str(kept)]
    before = kept.read_bytes()
    completed = run_script("generate.py", *files, "--input-dir-lr", FRAMES, "--output-dir", str(tmp_path / "out"),
                           "--backend", "nnabla", "--context", "cpu")
    assert_one_error_line(completed, f"would overwrite {flag} '{kept}'")
    assert kept.read_bytes() == before and os.listdir(tmp_path / "out") == [kept.name]


def test_a_second_run_writing_the_same_output_video_is_refused_and_the_first_s_kept(tmp_path):
    """Two runs with one --output-video (no --output-dir, whose lock stops a second run): both wrote their video
    and said so, exit code 0, and the later rename replaced the other's, one user's result lost."""
    from utils.paths import lock_output_file
    video = tmp_path / "clip_x4.mp4"
    video.write_bytes(b"the first run's video")
    with lock_output_file(str(video), "--output-video"):  # held as the first run holds it while it writes
        completed = run_script("generate.py", "--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-video",
                               str(video), "--output-dir", str(tmp_path / "frames"), "--backend", "nnabla",
                               "--context", "cpu")
    assert_one_error_line(completed, f"--output-video '{video}' is being written by another run (pid {os.getpid()})")
    assert video.read_bytes() == b"the first run's video"
    assert sorted(os.listdir(tmp_path)) == ["clip_x4.mp4"]


def test_an_output_video_name_its_temporary_fits_is_written_though_its_lock_s_would_not_fit(tmp_path):
    """A name of 242 bytes fits the file system with the 13 bytes its temporary adds, but not with the 14 of
    '.<name>.tecogan.lock': the lock of this pass refused it as "File name too long" (a hashed lock name now)."""
    video = tmp_path / ("v" * 238 + ".mp4")
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-video", str(video),
                           "--output-dir", str(tmp_path / "frames"), "--backend", "nnabla", "--context", "cpu")
    assert completed.returncode == 0, completed.stderr
    assert sorted(os.listdir(tmp_path)) == ["frames", video.name]


# Fourteenth pass, third look at the fourteenth pass's generate, demo and app fixes

def test_an_output_video_through_a_link_and_dot_dot_is_written_where_the_system_reads_it(tmp_path):
    """--output-video lnk/../clip.mp4, lnk a link to a folder elsewhere: FFmpeg got the name made absolute by
    os.path.abspath, which drops 'lnk/..' as text (the folder lnk is in), while the rename and the lock read it as
    the system does (the folder above lnk's target): the whole run's work ended in "its folder was removed or moved",
    exit code 2, and the video's temporary was left in the other folder."""
    target = tmp_path / "elsewhere" / "deeper"
    target.mkdir(parents=True)
    (tmp_path / "lnk").symlink_to(target)
    video = f"{tmp_path}/lnk/../clip.mp4"
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-video", video,
                           "--output-dir", str(tmp_path / "frames"), "--backend", "nnabla", "--context", "cpu")
    assert completed.returncode == 0, completed.stderr
    assert sorted(os.listdir(tmp_path / "elsewhere")) == ["clip.mp4", "deeper"]
    assert decoded_count(str(tmp_path / "elsewhere" / "clip.mp4")) == len(os.listdir(FRAMES))
    assert sorted(os.listdir(tmp_path)) == ["elsewhere", "frames", "lnk"]


def test_an_input_video_through_a_link_and_dot_dot_is_read_where_the_system_reads_it(tmp_path):
    """--input-video lnk/../clip.mp4: the checks found the file the system reads, but OpenCV and FFmpeg were given
    the name os.path.abspath makes (the folder lnk is in), and read another file there, or none."""
    target = tmp_path / "elsewhere" / "deeper"
    target.mkdir(parents=True)
    (tmp_path / "lnk").symlink_to(target)
    ffmpeg_video(tmp_path / "elsewhere" / "clip.mp4", frames=3, size="32x24")
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-video", f"{tmp_path}/lnk/../clip.mp4",
                           "--output-dir", str(tmp_path / "frames"), "--backend", "nnabla", "--context", "cpu")
    assert completed.returncode == 0, completed.stderr
    assert len(os.listdir(tmp_path / "frames")) == 3


def another_user_s_file(monkeypatch, lock_file):
    """os.open refusing to open lock_file for writing while it exists, as the system refuses another user's file of
    mode 0644 (a new one is this user's)."""
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if os.fspath(path) == str(lock_file) and flags & (os.O_RDWR | os.O_WRONLY) and os.path.lexists(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)


def test_another_user_s_video_lock_names_their_run_or_is_taken_over(tmp_path, monkeypatch):
    """A video in a shared folder whose lock file another user's run made: every open was for writing, so a run of
    theirs still writing was "cannot create the lock file (Permission denied)", not the run and its pid, and one
    they left (killed by SIGKILL) refused every other user's run of that video for good."""
    from utils.paths import lock_output_file
    video = tmp_path / "clip.mp4"
    lock_file = tmp_path / ".clip.mp4.tecogan.lock"
    with lock_output_file(str(video), "--output-video"):  # their run, still writing
        another_user_s_file(monkeypatch, lock_file)
        with pytest.raises(UserError, match=rf"is being written by another run \(pid {os.getpid()}\)"):
            with lock_output_file(str(video), "--output-video"):
                pass
        monkeypatch.undo()
    lock_file.write_text("4194304\n")  # the file their killed run left
    another_user_s_file(monkeypatch, lock_file)
    with lock_output_file(str(video), "--output-video") as held:
        assert held == str(lock_file)
    assert os.listdir(tmp_path) == []


def test_an_output_video_s_lock_on_a_disk_out_of_inodes_is_the_no_room_line(tmp_path, monkeypatch):
    """--output-video into a folder of a disk with bytes free but no inode left: its lock file, the first file made
    there, was "cannot create the lock file ... (No space left on device); choose another path", where `df -h`
    shows space free (every write says "no room for another file ...: its inodes are used up"). On a tmpfs of 4
    inodes where this runs as root, else with the file system's counts and the open patched as on such a disk."""
    import errno
    from hostile import disk_out_of_inodes
    from utils.paths import lock_output_file
    folder = tmp_path / "disk"
    with disk_out_of_inodes(folder, monkeypatch) as mounted:
        if not mounted:
            real_open = os.open

            def no_inode_left(path, flags, *args, **kwargs):
                if flags & os.O_CREAT and not os.path.lexists(path):
                    raise OSError(errno.ENOSPC, "No space left on device", path)
                return real_open(path, flags, *args, **kwargs)
            monkeypatch.setattr(os, "open", no_inode_left)
        with pytest.raises(UserError, match=r"^no room for another file on the disk of '.*tecogan.lock': its inodes "
                                            r".* are used up, though bytes are free; delete files"):
            with lock_output_file(str(folder / "clip.mp4"), "--output-video"):
                pass


def test_a_read_only_file_of_the_lock_file_s_name_that_is_no_lock_is_kept(tmp_path, monkeypatch):
    """The read-only descriptor that takes another user's lock over (above) is no licence to remove a file of that
    name that is no lock: one that names no pid is refused and kept."""
    from utils.paths import lock_output_file
    lock_file = tmp_path / ".clip.mp4.tecogan.lock"
    lock_file.write_text("a note of the user's\n")
    another_user_s_file(monkeypatch, lock_file)
    with pytest.raises(UserError, match="holds a file named .clip.mp4.tecogan.lock that this user may not write"):
        with lock_output_file(str(tmp_path / "clip.mp4"), "--output-video"):
            pass
    assert lock_file.read_text() == "a note of the user's\n"


def test_an_output_video_through_a_link_and_dot_dot_is_checked_where_the_system_writes_it(tmp_path):
    """--output-video ro/lnk/../clip.mp4, ro a read-only disk holding a link to a writable folder elsewhere: the
    video's folder was checked as os.path.abspath reads the path (ro), and the run refused as "not writable", though
    the folder the system writes it into is (a tmpfs mounted read-only where this runs as root)."""
    import subprocess
    target = tmp_path / "elsewhere" / "deeper"
    target.mkdir(parents=True)
    read_only = tmp_path / "ro"
    read_only.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(read_only)],
                                           capture_output=True).returncode:
        pytest.skip("needs root, to mount a read-only disk")
    try:
        (read_only / "lnk").symlink_to(target)
        subprocess.run(["mount", "-o", "remount,ro", str(read_only)], check=True)
        completed = run_script("generate.py", "--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-video",
                               f"{read_only}/lnk/../clip.mp4", "--output-dir", str(tmp_path / "frames"),
                               "--backend", "nnabla", "--context", "cpu")
    finally:
        subprocess.run(["umount", str(read_only)], check=True)
    assert completed.returncode == 0, completed.stderr
    assert sorted(os.listdir(tmp_path / "elsewhere")) == ["clip.mp4", "deeper"]


# Fourteenth pass, beside the probers

RELEASED_NETWORKS_THEN_A_SIGNAL = """
import gc, os, signal, sys
import numpy as np, onnx
from onnx import TensorProto, helper
from inference.onnx_export import CompiledNetwork
graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "relu",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 8, 8])])
path = os.path.join(sys.argv[1], "relu.onnx")
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
networks = [CompiledNetwork(path, 1, "fp32") for _ in range(3)]  # as generate.py's flow, trunk and tail
assert all((network({"x": -np.ones((1, 3, 8, 8), np.float32)}) == 0).all() for network in networks)
while networks:
    del networks[0]  # released in the order they were made
    gc.collect()
signal.signal(signal.SIGUSR1, lambda number, frame: print("handled", number))
os.kill(os.getpid(), signal.SIGUSR1)
print("went on")
"""


def test_a_signal_after_openvino_networks_were_released_in_the_order_they_were_made_is_handled(tmp_path):
    """OpenVINO's CPU plugin gives the compiling thread an alternate signal stack, and a Core's release puts back the
    stack it found: networks of Cores of their own released in the order they were made left a released stack in
    place, and the next signal (Ctrl-C, SIGTERM, SIGUSR1) killed the process with a segmentation fault, no line and
    nothing cleaned up (a pytest process running the training tests died so). One Core for the process."""
    completed = subprocess.run([sys.executable, "-c", RELEASED_NETWORKS_THEN_A_SIGNAL, str(tmp_path)], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, (completed.returncode, completed.stderr[-2000:])
    assert completed.stdout.splitlines()[-2:] == [f"handled {int(signal.SIGUSR1)}", "went on"]


# Fourteenth pass, fourth look at the fourteenth pass's output-lock and path fixes

def test_output_dir_and_output_video_through_a_link_and_dot_dot_are_compared_where_the_system_puts_them(tmp_path):
    """--output-dir lnk/../out.mp4 is the folder above lnk's target (sub/out.mp4), as the system reads it; compared with
    --output-video as os.path.abspath reads them, sub/out.mp4 as the video ran the whole work and failed at its end
    ("a folder of that name is in the way"), and out.mp4 as the video, another file, was refused."""
    (tmp_path / "sub" / "a").mkdir(parents=True)
    (tmp_path / "lnk").symlink_to(tmp_path / "sub" / "a")
    flags = ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--backend", "nnabla", "--context", "cpu"]
    clash = subprocess.run([sys.executable, os.path.join(REPO_ROOT, "generate.py"), *flags, "--output-dir",
                            "lnk/../out.mp4", "--output-video", "sub/out.mp4"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120)
    assert_one_error_line(clash, "is also the folder --output-dir")
    assert not os.path.lexists(tmp_path / "sub" / "out.mp4")
    apart = subprocess.run([sys.executable, os.path.join(REPO_ROOT, "generate.py"), *flags, "--output-dir",
                            "lnk/../out.mp4", "--output-video", "out.mp4"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120)
    assert apart.returncode == 0, apart.stderr
    assert os.path.isfile(tmp_path / "out.mp4") and os.path.isdir(tmp_path / "sub" / "out.mp4")


# Fifteenth pass, second look at generate.py and evaluate.py

class InitialisationInterrupted:
    """An import of one module that fails as a pybind11 module's does when a stop signal arrives while it initialises:
    ImportError("initialization failed"), caused by the KeyboardInterrupt the signal's handler raised."""

    def __init__(self, name):
        self.name = name

    def find_spec(self, name, path, target=None):
        import importlib.util
        return importlib.util.spec_from_loader(name, self) if name == self.name else None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        raise ImportError("initialization failed") from KeyboardInterrupt()


@pytest.mark.parametrize("module", ["openvino", "nnabla.utils.converter.onnx"])
def test_a_stop_signal_while_openvino_or_onnx_initialises_is_an_interruption(monkeypatch, module):
    """Ctrl-C two seconds into `generate.py --input-video` (OpenVINO imported as the first network is compiled):
    pybind11 made the KeyboardInterrupt an ImportError, the cache's retry took it for a damaged file (deleting the
    cached networks), imported again ("type 'Extension' is already registered") and ended in a traceback, exit
    code 1."""
    import importlib
    from inference import onnx_export
    importlib.import_module(module.rpartition(".")[0] or module)  # the parent packages, imported as they would be
    monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.setattr(sys, "meta_path", [InitialisationInterrupted(module), *sys.meta_path])
    monkeypatch.setattr(onnx_export, "_CORE", [])
    with pytest.raises(KeyboardInterrupt):
        onnx_export.openvino_core() if module == "openvino" else onnx_export.export_onnx({}, {}, {})


SIGNAL_WHILE_EXITING = """
import atexit, os, signal, sys, time
import generate
atexit.register(lambda: (os.kill(os.getpid(), signal.SIGINT), time.sleep(0.1)))  # Ctrl-C as the libraries clean up
generate.main(sys.argv[1:])
"""


def test_a_stop_signal_while_a_finished_run_exits_is_no_traceback(tmp_path):
    """Ctrl-C just after generate.py's "wrote" line, while Python ran its atexit callbacks (logging's shutdown):
    "Exception ignored in atexit callback" and KeyboardInterrupt's traceback, after a finished run, exit code 0."""
    completed = subprocess.run([sys.executable, "-c", SIGNAL_WHILE_EXITING, "--model", WEIGHTS, "--input-dir-lr",
                                FRAMES, "--output-dir", str(tmp_path / "out"), "--backend", "nnabla", "--threads", "1"],
                               cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0 and "wrote" in completed.stdout, completed.stderr[-2000:]
    assert "Traceback" not in completed.stderr and "KeyboardInterrupt" not in completed.stderr, completed.stderr


# Fifteenth pass, second look at demo.py and the web app

def test_a_video_whose_first_stream_is_a_cover_picture_is_refused_naming_its_streams(tmp_path):
    """An MKV of a cover track of one frame before the video: OpenCV reads the first video stream, so generate.py
    super-resolved the cover alone, "wrote 1 frames", exit code 0 (and the app said "done, 26 frames" of it)."""
    from hostile import video_behind_a_cover
    video = video_behind_a_cover(tmp_path)
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-video", video, "--output-dir",
                           str(tmp_path / "out"), "--output-video", str(tmp_path / "out.mp4"))
    assert_one_error_line(completed, f"'{video}' holds 2 video streams (mjpeg 64x64, h264 72x56)",
                          "save the one you want alone")
    assert sorted(os.listdir(tmp_path)) == ["clip.mp4", "cover.jpg", "covered.mkv"]


def test_a_song_with_its_album_cover_is_refused_as_no_video(tmp_path):
    """An MP3 with a cover picture (as music players and downloaders save them): OpenCV read the cover as a video of
    one frame announcing 272718 at 90000 fps, and generate.py wrote a video of that frame at 90000 fps beside the
    song, exit code 0, where a sound file without a cover is refused as holding audio only."""
    from utils.video_probe import ffmpeg_executable
    cover = ffmpeg_video(tmp_path / "cover.png", frames=1, size="64x64")
    song = tmp_path / "song.mp3"
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=3", "-i", cover, "-map",
                    "0", "-map", "1", "-c:v", "png", "-disposition:v", "attached_pic", str(song)], check=True)
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-video", str(song), "--output-video",
                           str(tmp_path / "out.mp4"))
    assert_one_error_line(completed, f"'{song}' holds audio and a cover picture only, no video stream; pass a video "
                                     "file")
    assert sorted(os.listdir(tmp_path)) == ["cover.png", "song.mp3"]


# Fifteenth pass, third look at the fifteenth pass's generate, demo and app fixes

def test_a_video_cut_short_before_start_advises_no_end_before_it(tmp_path):
    """A video cut short after 3 frames, with --start 10: generate.py advised "pass --end 3 to use what is there",
    and `--start 10 --end 3` was then refused as an end not after the start."""
    from hostile import intra_video_cut_short
    clip = intra_video_cut_short(tmp_path, 10)
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-video", clip, "--output-dir",
                           str(tmp_path / "out"), "--start", "10")
    line = assert_one_error_line(completed, "truncated or damaged", "what is there ends before the start chosen")
    assert "--end" not in line
    assert not os.path.exists(tmp_path / "out")


# Sixteenth pass, second look at generate.py's and evaluate.py's videos, streams, parts and scene cuts

def test_an_end_past_the_frames_an_edit_list_holds_writes_nothing(tmp_path):
    """`--end 30` of an MP4 trimmed by stream copy, which holds 25 frames and announces 40: 25 frames were written
    as if they were the 30 asked for, exit code 0."""
    from hostile import video_of_an_edit_list
    cut = video_of_an_edit_list(tmp_path)
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-video", cut, "--output-dir",
                           str(tmp_path / "out"), "--end", "30")
    assert_one_error_line(completed, f"--end 30 is past the end of '{cut}' ({decoded_count(cut)} frames")
    assert not os.path.exists(tmp_path / "out")


def test_a_cut_past_the_count_a_program_stream_estimates_is_super_resolved(tmp_path):
    """generate.py with a cuts file whose cut, frame 28 of an MPEG program stream of 30 frames, is past the 26 it
    announces: refused as outside the frames 1..25; once read, the cut was left out as past the part's end."""
    from hostile import mpeg_program_stream
    clip = mpeg_program_stream(tmp_path)
    (tmp_path / "cuts.txt").write_text("28\n")
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-video", clip, "--output-dir",
                           str(tmp_path / "out"), "--scene-cuts", str(tmp_path / "cuts.txt"))
    assert completed.returncode == 0, completed.stderr
    assert len(os.listdir(tmp_path / "out")) == decoded_count(clip)
    assert "2 scenes" in completed.stderr


def test_a_process_ending_the_job_is_ended_quietly_by_another_ranks_abort(tmp_path):
    """Under mpirun, both ranks met one error (`--end 30` of a video holding 25 frames) moments apart: the later one,
    waiting before its own MPI_Abort, was ended by the other's, and that stop signal was KeyboardInterrupt's
    traceback under the error line. Here the abort's wait gets SIGTERM as Open MPI sends it."""
    script = ("import os, signal, threading, types\n"
              "from utils.distributed import MPIProcesses\n"
              "from utils.errors import UserError, exit_on_user_error\n"
              "processes = types.SimpleNamespace(comm=types.SimpleNamespace(Abort=os._exit))\n"
              "threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()\n"
              "try:\n"
              "    with exit_on_user_error(report=False):\n"
              "        raise UserError('met on this rank too')\n"
              "except SystemExit as exit_info:\n"
              "    MPIProcesses.abort(processes, exit_info.code)\n")
    completed = run_script("-c", script, timeout=60)
    assert completed.returncode == -signal.SIGTERM and completed.stderr == "", completed.stderr


def test_a_user_error_met_by_rank_1_alone_under_mpirun_is_said(tmp_path):
    """Under mpirun, a rank other than 0 that met an error alone or first (the frames of a damaged video, which it
    reads ahead of rank 0) ended the job by its abort without a line: only rank 0 printed one, exit code 2 and Open
    MPI's lines alone. Here rank 1 meets one while rank 0 waits for it."""
    script = ("import generate\n"
              "from utils.errors import UserError\n"
              "def run(args, processes, output_claim):\n"
              "    if processes.rank == 1:\n"
              "        raise UserError('met on rank 1 alone')\n"
              "    processes.comm.barrier()\n"
              "generate.run, generate.parse_args = run, lambda argv=None: None\n"
              "generate.main()\n")
    completed = subprocess.run([MPIRUN, "--bind-to", "none", "-n", "2", sys.executable, "-c", script], cwd=REPO_ROOT,
                               env=mpi_environment(), capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2
    assert [line for line in completed.stderr.splitlines() if line.startswith("error:")] == [
        "error: met on rank 1 alone"], completed.stderr


# Sixteenth pass, beside the probers

@pytest.mark.parametrize("given, rate", [("30000/1001", (30000, 1001)), (" 24000 / 1001 ", (24000, 1001)),
                                         ("29.97", (2997, 100)), ("25", (25, 1))])
def test_fps_is_taken_as_a_ratio_as_ffmpeg_writes_rates(tmp_path, given, rate):
    """--fps 30000/1001 (NTSC's exact rate, as FFmpeg and ffprobe write it; 29.97 is another rate) was refused:
    "--fps must be a number"."""
    from fractions import Fraction

    import cv2
    # --output-dir: a frame folder's frames go to results/ of the repository without it
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-video",
                           str(tmp_path / "out.mp4"), "--output-dir", str(tmp_path / "frames"), "--fps", given,
                           timeout=300)
    assert completed.returncode == 0, completed.stderr
    capture = cv2.VideoCapture(str(tmp_path / "out.mp4"))
    assert Fraction(capture.get(cv2.CAP_PROP_FPS)).limit_denominator(100000) == Fraction(*rate)


@pytest.mark.parametrize("given", ["1/0", "0/1", "2000/1", "1/1000", "1/2/3", "-30000/1001", "30000/"])
def test_fps_ratios_out_of_range_or_malformed_are_one_line(tmp_path, given):
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-video",
                           str(tmp_path / "out.mp4"), f"--fps={given}")
    assert_one_error_line(completed, "--fps must be")
    assert os.listdir(tmp_path) == []


# Sixteenth pass, second look at tiles, memory budgets, output scales, precisions and backends

@pytest.mark.parametrize("height, width, num_resblock, scale", [(48, 64, 6, 4), (1080, 1920, 16, 4), (540, 960, 6, 2)])
@pytest.mark.parametrize("backend", ["openvino", "nnabla"])
def test_the_budget_a_too_small_max_memory_is_told_to_reach_is_taken(height, width, num_resblock, scale, backend):
    """--max-memory 0.40 for 64x48 frames: "too small ... (needs about 0.40 GB)". The figure was the sum of the
    smallest windows, where each network gets only its share of the budget, and rounded to the nearest: the budget
    named was refused in turn (1.56 GB named for 1920x1080 frames, 1.63 GB needed). With each backend's figures."""
    import re
    from inference.tiles import TilePlan
    with pytest.raises(UserError) as refused:
        TilePlan(height, width, num_resblock, budget=2 ** 20, scale=scale, backend=backend)
    named = float(re.search(r"needs (?:about|at least) ([\d.]+) GB", str(refused.value)).group(1))
    plan = TilePlan(height, width, num_resblock, budget=named * 2 ** 30, scale=scale, backend=backend)
    assert plan.window_shapes["tail"]
    with pytest.raises(UserError, match="too small"):
        TilePlan(height, width, num_resblock, budget=(named - 0.01) * 2 ** 30, scale=scale, backend=backend)


def test_a_budget_too_small_is_said_in_the_figures_given():
    """--max-memory 0.0004 was said as "--max-memory 0.00 GB is too small", a budget of nothing, and 0.4069 as
    "0.41 GB is too small" where 0.41 GB was taken."""
    from inference.tiles import TilePlan
    for given, said in ((0.0004, "--max-memory 0.0004 GB is too small"), (0.4069, "--max-memory 0.4069 GB is too")):
        with pytest.raises(UserError, match=said):
            TilePlan(48, 64, 6, budget=given * 2 ** 30, scale=4)


def test_outscale_of_the_model_scale_on_hr_frames_writes_the_default_frames(tmp_path):
    """--input-dir-hr of 33x25 frames with the x4 model and --outscale 4, its default: the SR frames, cut to 33x25,
    were stretched to 36x28, four times the LR frames of ceil(33 / 4) x ceil(25 / 4), where the default writes
    33x25 frames to compare with the HR ones."""
    import cv2
    from hostile import CALENDAR
    hr = tmp_path / "hr"
    hr.mkdir()
    for name in sorted(os.listdir(CALENDAR))[:3]:
        cv2.imwrite(str(hr / name), cv2.imread(os.path.join(CALENDAR, name))[:25, :33])
    written = {}
    for name, flags in (("default", []), ("x4", ["--outscale", "4"]), ("x2", ["--outscale", "2"])):
        completed = run_script("generate.py", "--model", WEIGHTS, "--input-dir-hr", str(hr), "--output-dir",
                               str(tmp_path / name), *flags)
        assert completed.returncode == 0, completed.stderr[-2000:]
        written[name] = [cv2.imread(str(tmp_path / name / frame)) for frame in sorted(os.listdir(tmp_path / name))]
    assert [frame.shape for frame in written["x4"]] == [(25, 33, 3)] * 3
    assert all(np.array_equal(ours, default) for ours, default in zip(written["x4"], written["default"]))
    assert [frame.shape for frame in written["x2"]] == [(round(25 / 2), round(33 / 2), 3)] * 3


def test_nnabla_builds_no_more_copies_of_its_graphs_than_a_frame_has_tiles():
    """--backend nnabla --threads 1024 on 64x48 frames: 1024 copies of the graphs were built (most of a minute, a
    gigabyte) for the frame's 18 tiles, of which no more than 18 ever run at once."""
    from inference import SuperResolver
    resolver = SuperResolver(BUNDLED_MODEL, backend="nnabla", context="cpu", threads=64)
    model = resolver.model(48, 64)
    most_at_once = max(len(model.plan.tiles("flow")), len(model.plan.tiles("trunk")))
    assert 1 < most_at_once < 64
    assert model.networks.lanes == most_at_once


@pytest.mark.parametrize("network", ["flow", "trunk"])
def test_an_onnx_cache_entry_holding_another_models_network_is_exported_anew(tmp_path, network):
    """A cache holding, under the x4 model's entry, the x2 model's network (a cache merged by hand, files swapped):
    the flow nets' shapes agree, and the x2 model's was served to the x4 model, a wrong output with exit code 0; the
    trunks' do not, and OpenVINO's RuntimeError ended the run in a traceback."""
    import glob
    import shutil
    from helpers import calendar_frames
    from inference import SuperResolver
    from utils.paths import BUNDLED_X2_MODEL
    frames = calendar_frames(3, 23, 31)

    def outputs(model):
        resolver = SuperResolver(model, backend="openvino", cache_dir=str(tmp_path), threads=1)
        return [output for _, output in resolver.sequence(frames)]

    expected = outputs(BUNDLED_MODEL)
    ours = set(glob.glob(str(tmp_path / f"*_{network}.onnx")))
    outputs(BUNDLED_X2_MODEL)
    [x4_entry], [x2_entry] = ours, set(glob.glob(str(tmp_path / f"*_{network}.onnx"))) - ours
    shutil.copyfile(x2_entry, x4_entry)
    assert all(np.array_equal(found, wanted) for found, wanted in zip(outputs(BUNDLED_MODEL), expected))


# Sixteenth pass, third look at the sixteenth pass's generate and evaluate fixes

@pytest.mark.parametrize("report_after", [1.0, 0.0])
def test_a_stop_mpirun_forwards_during_a_ranks_wait_to_exit_leaves_its_line_and_exit_code(report_after):
    """Under mpirun, a rank other than 0 that met a user error alone waits seconds before its line (report_after), and
    every rank a moment before its abort; SIGUSR1, the documented stop, which mpirun forwards to every process, then
    killed it by its default action: exit code 138 and no line of ours (rank 0, waiting for it in an MPI call, said
    nothing either). Here the signal comes in the report's wait, or in the abort's, as mpirun forwards it."""
    script = ("import os, signal, threading, types\n"
              "from utils.distributed import MPIProcesses\n"
              "from utils.errors import UserError, exit_on_user_error\n"
              "processes = types.SimpleNamespace(comm=types.SimpleNamespace(Abort=os._exit))\n"
              "threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGUSR1)).start()\n"
              "try:\n"
              f"    with exit_on_user_error(report_after={report_after}):\n"
              "        raise UserError('met on this rank alone')\n"
              "except SystemExit as exit_info:\n"
              "    MPIProcesses.abort(processes, exit_info.code)\n")
    completed = run_script("-c", script, timeout=60)
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr == "error: met on this rank alone\n"


@pytest.mark.parametrize("given", ["1/0.5", "30000/1001.0", "1e3/1", "1000000000000/1000000000000"])
def test_an_fps_ratio_not_of_whole_numbers_is_not_said_to_be_no_number(tmp_path, given):
    """--fps takes a ratio of whole numbers (30000/1001); a ratio of another form was "--fps must be a number",
    as if no ratio were taken."""
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-video",
                           str(tmp_path / "out.mp4"), f"--fps={given}")
    assert_one_error_line(completed, "--fps must be a number or a ratio of whole numbers", given)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("given", ["1/100", "2/200", "1000/1"])
def test_an_fps_ratio_at_a_bound_is_taken_as_the_number_is(tmp_path, given):
    """--fps 0.01 is taken; 1/100, the same rate as a ratio, was refused as "--fps must be a rate from 0.01 to 1000":
    the ratio was compared with the binary float nearest 0.01, which is larger."""
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-video",
                           str(tmp_path / "out.mp4"), "--output-dir", str(tmp_path / "frames"), f"--fps={given}",
                           timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert os.path.isfile(tmp_path / "out.mp4")


# Seventeenth pass, second look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

@pytest.mark.parametrize("stray, message", [("poster.png", "has no number in its name"),
                                            ("lr_0001 - Copy.png", "are both frame 1"),
                                            ("1.png", "are both frame 1")])
def test_a_picture_without_a_number_or_a_copy_among_lr_frames_is_refused_as_in_training(tmp_path, capsys, stray,
                                                                                         message):
    """A poster without a number among numbered LR frames sorted first and was super-resolved as frame 1, the
    recurrence carrying it into the real first frame's output; a file manager's copy of frame 1 ('lr_0001 - Copy.png',
    or '1.png' beside '0001.png') was super-resolved as a second frame 1; exit code 0 for each. train.py refuses
    both (utils.frame_names.one_frame_a_number)."""
    import shutil

    import generate
    from conftest import user_error_line
    folder = tmp_path / "lr"
    shutil.copytree(FRAMES, folder)
    shutil.copy(folder / sorted(os.listdir(folder))[3], folder / stray)
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", str(folder), "--output-dir",
                                           str(tmp_path / "out")], capsys)
    assert message in line and stray in line
    assert not os.path.exists(tmp_path / "out")


def test_the_lines_of_a_run_that_succeeds_show_an_escape_sequence_in_a_path_by_its_codes(tmp_path, capsys):
    """Error lines show a terminal's escape sequence in a path by its codes; the "wrote ... to" line and the note of
    audio re-encoded wrote it as it is, to the terminal, which ran it (here: clearing the screen, setting the window's
    title)."""
    import generate
    from utils.video_probe import ffmpeg_executable
    video = str(tmp_path / "pc\x1b[2Jm.mkv")  # PCM audio, which an MP4 cannot hold: re-encoded, with a note
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10",
                    "-f", "lavfi", "-i", "sine=duration=1", "-frames:v", "6", "-c:v", "libx264", "-pix_fmt",
                    "yuv420p", "-c:a", "pcm_s16le", "-shortest", video], check=True)
    generate.main(["--model", WEIGHTS, "--input-video", video, "--output-video", str(tmp_path / "o\x1b]0;T\x07.mp4"),
                   "--output-dir", str(tmp_path / "d\x1b[31m"), "--scene-cuts", "off"])
    out, err = capsys.readouterr()
    assert "wrote 6 frames to" in out and "note: the audio of" in err
    assert "\x1b" not in out + err and "\\x1b]0;T\\x07.mp4" in out and "pc\\x1b[2Jm.mkv" in err


# Seventeenth pass, second look at tiles, memory budgets, output scales, precisions and backends

def copy_with_a_parameter_never_written(source, path, extra_shape=None):
    """source's parameters in a new file at path, its last one declared but never written (HDF5 reads its fill
    value); extra_shape: that one kept, and a chunked parameter of this shape never written added beside."""
    import h5py
    with h5py.File(source, "r") as original, h5py.File(path, "w") as copy:
        names = []
        original.visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset) else None)
        for name in names:
            if name == names[-1] and extra_shape is None:
                copy.create_dataset(name, shape=original[name].shape, dtype=original[name].dtype)
            else:
                copy.create_dataset(name, data=original[name][()])
        if extra_shape is not None:
            copy.create_dataset(names[-1] + "_more", shape=extra_shape, dtype="f4", chunks=(2 ** 20,))
    return names[-1]


@pytest.mark.parametrize("extra_shape", [None, (10 ** 10,)])
def test_a_model_whose_parameter_was_never_written_is_refused_naming_it(tmp_path, extra_shape):
    """A model file with a parameter declared but never written (a copy or save cut short): HDF5 reads its fill
    value, and generate.py ran a model of zeros there, wrong frames with exit code 0; declared of 40 GB, it was
    said not to fit in memory (or, without a limit, allocated)."""
    model = tmp_path / "model.h5"
    name = copy_with_a_parameter_never_written(BUNDLED_MODEL, model, extra_shape)
    import resource
    limit = 6 * 2 ** 30  # address space: the 40 GB of fill value are not allocated on the machine
    completed = run_script("generate.py", "--model", str(model), "--input-dir-lr", FRAMES, "--output-dir",
                           str(tmp_path / "out"), "--backend", "nnabla",
                           preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
    assert_one_error_line(completed, "is incomplete", name)
    assert not (tmp_path / "out").exists()


def size_in_bytes(line):
    """The first memory size an error line names ("40.0 MB", "0.00 GB"), in bytes."""
    import re
    number, unit = re.search(r"([\d.]+) (GB|MB|kB)\b", line).groups()
    return float(number) * {"GB": 2 ** 30, "MB": 2 ** 20, "kB": 2 ** 10}[unit]


def test_a_frame_of_megabytes_that_does_not_fit_in_memory_is_said_in_its_size(tmp_path, monkeypatch):
    """A frame file of 40 MB (a copy preallocated and never filled) that does not fit under a memory limit: "its 0.0
    GB do not fit in the memory this process may use", a size that does not fit in nothing."""
    import utils.atomic_files
    import utils.frame_names
    import utils.image_io
    import utils.video_probe

    class FileTooLarge:
        def __init__(self, path, mode):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exception):
            return False

        def read(self):
            raise MemoryError

    path = tmp_path / "0001.png"
    with open(path, "wb") as file:
        file.truncate(40 << 20)  # sparse: no disk used
    monkeypatch.setattr(utils.image_io, "open", FileTooLarge, raising=False)
    with pytest.raises(UserError, match="do not fit in the memory") as refused:
        utils.image_io.read_rgb(str(path))
    assert abs(size_in_bytes(str(refused.value)) - (40 << 20)) <= 0.05 * 2 ** 20


def test_a_budget_of_megabytes_with_forced_tiles_is_said_in_its_size(monkeypatch):
    """--tile 8 --max-memory 0.001 (a budget the forced tiles do not use) running out of memory: "in a budget of 0.00
    GB", a budget of nothing."""
    import inference.resolver
    from helpers import calendar_frames

    def running_out(*args, **kwargs):
        raise MemoryError
        yield
    monkeypatch.setattr(inference.resolver, "super_resolve", running_out)
    resolver = inference.resolver.SuperResolver(BUNDLED_MODEL, backend="nnabla", context="cpu", tile=8,
                                                max_memory=0.001 * 2 ** 30)
    with pytest.raises(UserError, match="out of memory") as refused:
        list(resolver.sequence(calendar_frames(2, 24, 32)))
    assert abs(size_in_bytes(str(refused.value)) - 0.001 * 2 ** 30) <= 0.05 * 2 ** 20


@pytest.mark.parametrize("made", ["missing", "empty"])
def test_an_input_dir_hr_without_frames_asks_for_hr_frames(tmp_path, made):
    """--input-dir-hr of a folder that does not exist or holds no image: "pass a folder of LR frames", the frames of
    the other flag, which super-resolved would not be compared with anything."""
    folder = tmp_path / "hr"
    if made == "empty":
        folder.mkdir()
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-dir-hr", str(folder), "--output-dir",
                           str(tmp_path / "out"))
    line = assert_one_error_line(completed, "pass a folder of HR frames")
    assert "LR" not in line


def test_frames_resized_as_they_are_written_count_in_the_memory_budget():
    """--outscale 200 of 32x24 frames with the x2 model and --max-memory 0.45: the plan counted the HR frames of the
    model's size alone, and the 6400x4800 frames written, each more than a third of a GB as float32, ran beside the
    budget, the process past it by far."""
    import re
    from inference import SuperResolver
    from utils.paths import BUNDLED_X2_MODEL
    resolver = SuperResolver(BUNDLED_X2_MODEL, backend="nnabla", context="cpu", max_memory=0.45 * 2 ** 30)
    resolver.model(24, 32)
    plan = resolver.plan(24, 32)
    unwritten = plan.smallest_bytes(plan.frame_bytes())  # the least budget of frames written at the model's size
    resolver.written_size = (4800, 6400)
    with pytest.raises(UserError, match="too small") as refused:
        resolver.model(24, 32)
    named = float(re.search(r"needs at least ([\d.]+) GB", str(refused.value)).group(1)) * 2 ** 30
    assert named >= unwritten + 4800 * 6400 * 3 * 4


def test_an_onnx_cache_entry_whose_weights_changed_on_disk_is_exported_anew(tmp_path):
    """A byte of a cached network's weights changed on disk (a disk's damage, a tool's write): the file still parses
    and names its entry, and the damaged network was served, wrong frames with exit code 0."""
    import glob
    import onnx
    from helpers import calendar_frames
    from inference import SuperResolver
    frames = calendar_frames(3, 23, 31)

    def outputs():
        resolver = SuperResolver(BUNDLED_MODEL, backend="openvino", cache_dir=str(tmp_path), threads=1)
        return [output for _, output in resolver.sequence(frames)]

    expected = outputs()
    [trunk] = glob.glob(str(tmp_path / "*_trunk.onnx"))
    weights = max(onnx.load(trunk).graph.initializer, key=lambda initializer: len(initializer.raw_data)).raw_data
    content = bytearray(open(trunk, "rb").read())
    content[content.index(weights[:64]) + 3] ^= 0x40  # a float's exponent
    with open(trunk, "wb") as file:
        file.write(content)
    assert all(np.array_equal(found, wanted) for found, wanted in zip(outputs(), expected))


# Seventeenth pass, third look at the seventeenth pass's tile, memory and cache fixes

def test_a_budget_too_small_for_hr_frames_names_the_lr_frames_it_plans(tmp_path, capsys):
    """--input-dir-hr of 66x50 frames with the x4 model in a budget too small: "too small for 17x13 frames", a size
    of frames the user never gave (the LR frames the HR frames stand for), named as if they were the input."""
    import cv2
    from helpers import calendar_frames, expect_user_error
    folder = tmp_path / "hr"
    folder.mkdir()
    for index, (_, frame) in enumerate(calendar_frames(2, 50, 66), 1):
        cv2.imwrite(str(folder / f"{index:04d}.png"), (frame[:, :, ::-1] * 255).round().astype(np.uint8))
    lr_height, lr_width = -(-50 // 4), -(-66 // 4)
    expect_user_error(capsys, ["--model", BUNDLED_MODEL, "--input-dir-hr", str(folder), "--output-dir",
                               str(tmp_path / "out"), "--backend", "nnabla", "--max-memory", "0.1"],
                      f"too small for {lr_width}x{lr_height} LR frames")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("written_size", ["6400x4800", (float("nan"), 6400), (-4800, 6400), (0, 0)])
def test_a_written_size_not_of_two_sides_is_refused_in_one_line(written_size):
    """SuperResolver.written_size (the size a library caller writes frames at, counted in the memory plan) of a
    string or NaN failed in the tile plan, a traceback; of a negative side or zeros it shrank the frames the budget
    counts, and the plan ran beside them."""
    from inference import SuperResolver
    resolver = SuperResolver(BUNDLED_MODEL, backend="nnabla", context="cpu", max_memory=0.45 * 2 ** 30)
    with pytest.raises(UserError, match="written_size"):
        resolver.written_size = written_size
        resolver.model(24, 32)


# Eighteenth pass, second look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

@pytest.mark.parametrize("copy", ["lr_0003 (1).png", "lr_0001-1.png", "lr_0002 2.png"],
                         ids=["a browser's copy", "Safari's copy", "macOS's copy"])
def test_a_copy_of_an_lr_frame_named_with_an_added_number_is_refused_as_in_training(tmp_path, capsys, copy):
    """A browser's copy 'lr_0003 (1).png' among 'lr_0001.png'..'lr_0008.png': its digits make another number (00031),
    no frame's, so it was super-resolved as frame 31, the last of the output video, exit code 0 (train.py refused it
    as a copy since the seventeenth pass; utils.frame_names.no_copy_of_a_frame now serves every frame folder)."""
    import shutil

    import generate
    from conftest import user_error_line
    folder = tmp_path / "lr"
    shutil.copytree(FRAMES, folder)
    original = copy.split(" ")[0].split("-")[0] + ".png"
    shutil.copy(folder / original, folder / copy)
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", str(folder), "--output-dir",
                                           str(tmp_path / "out"), "--output-video", str(tmp_path / "out.mp4")], capsys)
    assert "is named as a copy of" in line and copy in line and original in line
    assert not os.path.exists(tmp_path / "out") and not os.path.exists(tmp_path / "out.mp4")


@pytest.mark.parametrize("names", [[f"frame {number}.png" for number in range(1, 11)],
                                   [f"a ({number}).png" for number in range(1, 13)],
                                   ["im1_x4.png", "im2_x4.png", "im3_x4.png"],
                                   [f"clip-{number}.png" for number in range(1, 13)],
                                   [f"Timeline 1_{number}.png" for number in range(86395, 86405)]],
                         ids=["frame 1..frame 10", "a (1)..a (12)", "im1_x4 beside no im1", "clip-1..clip-12",
                              "DaVinci's unpadded"])
def test_frames_whose_names_hold_a_space_or_a_mark_before_their_number_are_listed_in_order(tmp_path, names):
    """The copy rule reads 'frame 1' then a digit as another number, no copy: such folders are still listed whole,
    in the order of their numbers."""
    from utils.frame_names import list_frames
    for name in names:
        (tmp_path / name).touch()
    assert [os.path.basename(path) for path in list_frames(str(tmp_path))] == names


@pytest.mark.parametrize("other", [".tif", ".webp"])
def test_an_lr_frame_saved_in_another_format_between_the_frames_is_refused_as_in_training(tmp_path, capsys, other):
    """'lr_0002.tif' between 'lr_0001.png' and 'lr_0003.png' (a frame exported or saved in another format): it was
    left out without a word, frames 1 and 3 super-resolved as consecutive (the recurrence warping one into the other)
    and the video written a frame short, exit code 0; train.py refused it since the seventeenth pass. A '.tif' of a
    frame's number beside it, and a 'cover.webp', are still no gap."""
    import shutil

    import cv2

    import generate
    from conftest import user_error_line
    folder = tmp_path / "lr"
    shutil.copytree(FRAMES, folder)
    cv2.imwrite(str(folder / f"lr_0002{other}"), cv2.imread(str(folder / "lr_0002.png")))
    os.remove(folder / "lr_0002.png")
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", str(folder), "--output-dir",
                                           str(tmp_path / "out"), "--output-video", str(tmp_path / "out.mp4")], capsys)
    assert f"lr_0002{other}' is a picture among the frames" in line
    assert not os.path.exists(tmp_path / "out") and not os.path.exists(tmp_path / "out.mp4")
    shutil.copy(FRAMES + "/lr_0002.png", folder)
    shutil.copy(FRAMES + "/lr_0001.png", folder / "cover.webp")
    generate.main(["--model", WEIGHTS, "--input-dir-lr", str(folder), "--output-dir", str(tmp_path / "out")])
    assert sorted(os.listdir(tmp_path / "out")) == [f"output_{name}" for name in sorted(os.listdir(FRAMES))]


def test_an_lr_frame_rewritten_at_another_size_during_the_run_is_said_so(tmp_path, capsys, monkeypatch):
    """The last frame rewritten at another size after generate.py checked the frames' sizes, before it reached it
    (an editor's save, a copy over the folder): the line was the library's, "a 30x40x3 array; a sequence takes H x W x
    3 RGB arrays of one size ...: start a sequence for each size, and give grey frames three channels"."""
    import shutil

    import cv2

    import generate
    from conftest import user_error_line
    folder = tmp_path / "lr"
    shutil.copytree(FRAMES, folder)
    last = str(folder / sorted(os.listdir(folder))[-1])
    read_rgb, reads = generate.read_rgb, []

    def rewritten_once_checked(path):
        reads.append(path)
        if reads.count(last) == 2:  # the run reaches it, after the check of all sizes
            cv2.imwrite(last, np.zeros((30, 40, 3), np.uint8))
        return read_rgb(path)

    monkeypatch.setattr(generate, "read_rgb", rewritten_once_checked)
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", str(folder), "--output-dir",
                                           str(tmp_path / "out"), "--output-video", str(tmp_path / "out.mp4")], capsys)
    assert f"'{last}' is now 40x30" in line and "changed during the run" in line
    assert not os.path.exists(tmp_path / "out.mp4")


# Eighteenth pass, second look at tiles, memory budgets, output scales, precisions and backends

@pytest.mark.parametrize("budget_bytes, said", [(1, "1 byte"), (1e-291, "less than a byte")],
                         ids=["one byte", "--max-memory 1e-300"])
def test_a_budget_under_two_bytes_with_forced_tiles_is_said_as_it_is(monkeypatch, budget_bytes, said):
    """--tile 8 with a budget of one byte, or --max-memory 1e-300 (the budget forced tiles do not use), running out of
    memory: "in a budget of 1 bytes", and of a budget above nothing "in a budget of 0 bytes"."""
    import inference.resolver
    from helpers import calendar_frames

    def running_out(*args, **kwargs):
        raise MemoryError
        yield
    monkeypatch.setattr(inference.resolver, "super_resolve", running_out)
    resolver = inference.resolver.SuperResolver(BUNDLED_MODEL, backend="nnabla", context="cpu", tile=8,
                                                max_memory=budget_bytes)
    with pytest.raises(UserError, match=f"out of memory while super-resolving 32x24 LR frames in a budget of {said};"):
        list(resolver.sequence(calendar_frames(2, 24, 32)))


@pytest.mark.parametrize("height, width", [(5, 7), (20, 3)], ids=["7x5", "3x20"])
def test_a_budget_too_small_for_frames_under_the_flow_stride_names_the_frames_given(height, width):
    """7x5 frames in --max-memory 0.3 (0.1 since NNabla's plan counts its own smaller process): "too small for 8x8 LR
    frames", and 3x20 ones "for 8x20": the frames padded to the flow net's stride, a size the user never gave."""
    from inference.resolver import SuperResolver
    resolver = SuperResolver(BUNDLED_MODEL, backend="nnabla", context="cpu", max_memory=0.1 * 2 ** 30)
    with pytest.raises(UserError, match=f"too small for {width}x{height} LR frames even with the smallest tiles"):
        resolver.model(height, width)


# Eighteenth pass, third look at the eighteenth pass's generate and evaluate fixes

@pytest.mark.parametrize("flag, value", [("--outscale", "1_5"), ("--fps", "2_5"), ("--max-memory", "0_5"),
                                         ("--tile", "6_4")])
def test_a_number_with_an_underscore_is_one_line_not_its_digits_run_together(tmp_path, capsys, flag, value):
    """--outscale 1_5 was 15 (float() reads '_' between digits as Python's grouping), frames ten times larger written
    with exit code 0; --fps 2_5 was 25, --max-memory 0_5 was 5 GB, --tile 6_4 was 64."""
    import generate
    from conftest import user_error_line
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
                                           str(tmp_path / "out"), flag, value], capsys)
    assert f"{flag} must be a number without '_'" in line and f"'{value}'" in line
    assert not os.path.exists(tmp_path / "out")


# Eighteenth pass, third look at the eighteenth pass's tile, memory and size fixes

@pytest.mark.parametrize("given", [0.4069, 0.3999, 0.40691], ids=["0.4069", "0.3999", "0.40691"])
def test_a_budget_refused_is_said_as_given(given):
    """64x48 frames with the x2 model need 0.40692 GB: --max-memory 0.4069 and 0.40691 were said to three figures,
    "--max-memory 0.407 GB is too small", and 0.407 is taken; 0.3999 was "0.4 GB"."""
    from inference.tiles import TilePlan
    with pytest.raises(UserError, match=r"^--max-memory (\S+) GB is too small") as refused:
        TilePlan(48, 64, 10, budget=given * 2 ** 30, scale=2)
    assert float(str(refused.value).split()[1]) == given


@pytest.mark.parametrize("height, width", [(1, 1), (1, 9), (9, 1), (5, 7)], ids=["1x1", "9x1", "1x9", "7x5"])
def test_the_generator_s_tiles_are_said_within_the_frames_given(height, width):
    """1x1 frames: "1 generator tile(s) of 8x8 LR pixels", 9x1 ones "of 9x8": the window over the frames padded to
    the flow net's stride, a tile larger than the frames given."""
    from inference.tiles import TilePlan
    for plan in (TilePlan(height, width, 10, budget=2 ** 30), TilePlan(height, width, 10, tile=1)):
        assert re.search(rf"\d generator tiles? of {width}x{height} LR pixels$", plan.describe())


def test_a_default_budget_too_small_names_no_max_memory_never_given(monkeypatch):
    """No --max-memory, and 0.68 GB free (the default budget half of it): "--max-memory 0.342 GB is too small ...;
    raise --max-memory", a flag the user never gave (and demo.py, whose line it also was, does not have). (0.1418 GB
    here: NNabla's plan counts its own smaller process, and takes 0.3418.)"""
    import inference.resolver
    from hostile import sizes_in_bytes
    monkeypatch.setattr(inference.resolver, "default_budget", lambda context: 0.1418 * 2 ** 30)
    resolver = inference.resolver.SuperResolver(BUNDLED_MODEL, backend="nnabla", context="cpu")
    with pytest.raises(UserError, match=r"^the default memory budget, half the memory free \((.+)\), is too small "
                                        r"for 7x5 LR frames") as refused:
        resolver.model(5, 7)
    assert "--max-memory" not in str(refused.value)
    budget, least = sizes_in_bytes(str(refused.value))
    assert budget <= 0.1418 * 2 ** 30 < least


# Nineteenth pass, second look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

def test_an_output_name_that_hides_the_frames_is_one_line_before_anything_is_written(tmp_path, capsys):
    """--output-name .sr wrote '.sr_0001.png'.. with exit code 0: hidden names, which every frame folder's listing
    leaves out, so generate.py called the folder "has no images" and evaluate.py "has no .png frames"."""
    import generate
    from conftest import user_error_line
    from utils.frame_names import is_frame_name
    assert not is_frame_name(".sr_0001.png")
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
                                           str(tmp_path / "out"), "--output-name", ".sr"], capsys)
    assert "--output-name '.sr' begins with '.'" in line
    assert not os.path.exists(tmp_path / "out")


# Nineteenth pass, second look at tiles, memory budgets, output scales, precisions and backends

def test_an_outscale_refused_is_said_as_given(tmp_path, capsys):
    """--outscale 0.07142857 of 7x5 frames (less than a pixel high) was refused as "--outscale 0.0714286", a factor
    not given: to six figures (:g)."""
    import cv2

    import generate
    from conftest import user_error_line
    os.makedirs(tmp_path / "lr")
    for index in range(1, 4):
        cv2.imwrite(str(tmp_path / "lr" / f"{index:04d}.png"), np.full((5, 7, 3), 40 * index, np.uint8))
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", str(tmp_path / "lr"), "--output-dir",
                                           str(tmp_path / "out"), "--outscale", "0.07142857"], capsys)
    assert line.startswith("error: --outscale 0.07142857 of 7x5 input frames gives frames less than a pixel")
    assert not os.path.exists(tmp_path / "out")


@pytest.mark.parametrize("height, width, budget_gb, scale, backend",
                         [(288, 360, 0.6, 4, "openvino"), (144, 180, 0.8, 4, "openvino"),
                          (1080, 1920, 4, 2, "openvino"), (1080, 1920, 40, 4, "openvino"),
                          (288, 360, 0.7, 4, "nnabla"), (144, 180, 0.8, 4, "nnabla"), (1080, 1920, 4, 2, "nnabla"),
                          (1080, 1920, 40, 4, "nnabla")],
                         ids=["360x288 in 0.6 GB", "180x144 in 0.8 GB", "1080p x2 in 4 GB", "1080p in 40 GB",
                              "NNabla's, 360x288 in 0.7 GB (0.6 is less than its least)", "NNabla's, 180x144 in 0.8 GB",
                              "NNabla's, 1080p x2 in 4 GB", "NNabla's, 1080p in 40 GB"])
@pytest.mark.parametrize("threads", [2, 3, 16])
def test_the_windows_nnabla_computes_at_once_fit_the_budget(height, width, budget_gb, scale, threads, backend):
    """NNabla on a CPU computes --threads windows at once (a copy of the graphs each), and each network's share of the
    budget went to one window: 360x288 frames in --max-memory 0.6 with --threads 2 took 0.81 GB. Each network's
    windows computed at once (the plan's lanes, or its tiles where fewer; the tail's in its trunk tile's lane), at the
    bytes per pixel the plan counts (NNabla's own, and OpenVINO's, whose plans have one lane), now fit its share of
    what the frames leave."""
    from inference.tiles import BUDGET_SHARES, BYTES_PER_PIXEL, TilePlan
    budget = budget_gb * 2 ** 30
    plan = TilePlan(height, width, 16, budget=budget, lanes=threads, scale=scale, backend=backend)
    least = TilePlan(height, width, 16, budget=budget, scale=scale, backend=backend)
    assert 1 <= plan.lanes <= threads
    at_once = {"flow": len(plan.tiles("flow")), "trunk": len(plan.tiles("trunk")), "tail": len(plan.tiles("trunk"))}
    for name, share in BUDGET_SHARES.items():
        held = (min(plan.lanes, at_once[name]) * np.prod(plan.window_shapes[name])
                * BYTES_PER_PIXEL[backend][scale][name])
        assert held <= (budget - least.frame_bytes()) * share, name


def test_nnabla_builds_the_graph_copies_the_budget_holds(monkeypatch):
    """The resolver builds as many copies of NNabla's graphs as the plan computes windows at once, not --threads."""
    import inference.resolver

    class Built(Exception):
        pass

    def building(window_shapes, num_resblock, lanes, scale):
        built.append(lanes)
        raise Built

    built = []
    monkeypatch.setattr(inference.resolver, "NnablaNetworks", building)
    resolver = inference.resolver.SuperResolver(BUNDLED_MODEL, backend="nnabla", context="cpu", threads=16,
                                                max_memory=0.8 * 2 ** 30)  # 0.6: below NNabla's least
    with pytest.raises(Built):
        resolver.model(288, 360)
    assert built == [resolver.plan(288, 360).lanes] and built[0] < 16


# Nineteenth pass, third look at the nineteenth pass's download and weight-file fixes

def test_a_model_of_values_past_float16_s_range_is_refused_in_fp16_not_run_to_other_frames(tmp_path):
    """A model of a bias of 1e5, finite in float32 (read_weight_file reads it) and infinite in float16, in which
    --precision fp16 computes: generate.py wrote frames other than its float32 ones (of NaN warped into the next frame),
    with exit code 0. The same model in fp32 is run."""
    import shutil

    import h5py

    from inference import SuperResolver
    model = tmp_path / "model.h5"
    shutil.copy(BUNDLED_MODEL, model)
    with h5py.File(model, "a") as h5:
        h5["generator/generator_unit/output_stage/conv/conv/b"][0] = 1e5
    with pytest.raises(UserError, match=r"parameter 'generator/generator_unit/output_stage/conv/conv/b' holds values "
                                        r"past float16's range \(\+-65504\), in which --precision fp16 computes; use "
                                        r"--precision fp32$"):
        SuperResolver(str(model), "nnabla", "cpu", precision="fp16").model(8, 8)
    assert SuperResolver(str(model), "nnabla", "cpu", precision="fp32").model(8, 8) is not None


# Twentieth pass, second look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

def test_the_note_of_audio_re_encoded_begins_its_own_line_under_the_progress_bar(tmp_path, capsys):
    """A video of PCM audio to an .mp4: the note that its audio is re-encoded was printed after the progress bar
    drawn on standard error, so a terminal showed "... 0/6 [00:00<?, ?frame/s]note: the audio of ...", one line."""
    import re

    import generate
    from utils.video_probe import ffmpeg_executable
    video = str(tmp_path / "clip.mov")
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=10",
                    "-f", "lavfi", "-i", "sine=sample_rate=8000", "-frames:v", "6", "-t", "0.6", "-c:v", "libx264",
                    "-c:a", "pcm_s16le", video], check=True)
    generate.main(["--model", WEIGHTS, "--input-video", video, "--output-video", str(tmp_path / "clip.mp4"),
                   "--scene-cuts", "off"])
    shown = capsys.readouterr().err
    assert "note: the audio of" in shown
    assert re.search(r"(^|[\r\n])note: the audio of", shown), shown


# Twentieth pass, second look at tiles, memory budgets, output scales, precisions and backends

@pytest.mark.parametrize("height, width, budget_gb, scale", [(47, 61, 0.41, 4), (144, 180, 0.6, 4), (77, 13, 0.41, 4),
                                                              (47, 61, 0.41, 2)])
@pytest.mark.parametrize("threads", [3, 6, 8])
def test_nnabla_computes_as_many_windows_at_once_as_fit(height, width, budget_gb, scale, threads):
    """The lanes were halved until they fit: --threads 3 ran 61x47 frames in 0.41 GB one window at a time where
    --threads 2 ran two, and --threads 8 ran 180x144 frames in 0.6 GB four at a time where seven fit. Now the most
    lanes up to --threads that fit: a plan asked for that many lanes keeps them, and one asked for one more does not."""
    from inference.tiles import TilePlan
    budget = budget_gb * 2 ** 30
    lanes = TilePlan(height, width, 6, budget=budget, lanes=threads, scale=scale).lanes
    assert TilePlan(height, width, 6, budget=budget, lanes=lanes, scale=scale).lanes == lanes
    if lanes < threads:
        assert TilePlan(height, width, 6, budget=budget, lanes=lanes + 1, scale=scale).lanes < lanes + 1


def test_a_cached_onnx_file_replaced_by_a_folder_is_said_as_the_cache_s_before_the_export(tmp_path):
    """An ONNX file of the cache replaced by a folder ended, after the export, in "cannot write '...': a folder of that
    name is in the way; move it or choose another output", naming no --cache-dir."""
    from inference.onnx_export import cached_models
    (tmp_path / "cache" / "stem_trunk.onnx").mkdir(parents=True)
    exported = []
    with pytest.raises(UserError, match=rf"^--cache-dir '{tmp_path / 'cache'}' holds a folder 'stem_trunk.onnx' where "
                                        r"an ONNX file goes; move it, pass another --cache-dir or use --backend "
                                        r"nnabla$"):
        cached_models(str(tmp_path / "cache"), "stem", ["flow", "trunk"], lambda: exported.append(1) or {})
    assert not exported and os.listdir(tmp_path / "cache") == ["stem_trunk.onnx"]
    # a link to a folder in its place is replaced, as any link
    os.rmdir(tmp_path / "cache" / "stem_trunk.onnx")
    os.symlink(tmp_path, tmp_path / "cache" / "stem_trunk.onnx")
    onnx = pytest.importorskip("onnx")
    from inference.onnx_export import exported_as
    empty = onnx.helper.make_model(onnx.helper.make_graph([], "empty", [], [])).SerializeToString()
    cached_models(str(tmp_path / "cache"), "stem", ["trunk"], lambda: {"trunk": empty})
    assert exported_as(str(tmp_path / "cache" / "stem_trunk.onnx"), 2 ** 20) == "stem_trunk"


@pytest.mark.parametrize("stop", [KeyboardInterrupt, MemoryError])
def test_a_run_stopped_during_the_export_leaves_no_cache_dir_it_made(tmp_path, stop):
    """A run stopped (or failed) during the ONNX export left the new --cache-dir it had made, and the folders above it,
    empty."""
    from inference.onnx_export import cached_models

    def export():
        raise stop

    with pytest.raises(stop):
        cached_models(str(tmp_path / "new" / "cache"), "stem", ["flow"], export)
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(not __import__("inference.onnx_export").onnx_export.openvino_available(),
                    reason="OpenVINO is not installed")
def test_backend_auto_computes_bf16_on_openvino_on_a_machine_with_a_gpu(monkeypatch):
    """On a machine with a GPU (here made to seem one), --backend auto took NNabla on cuDNN and refused
    --precision bf16, which the page offers where the CPU has bfloat16: a job of Backend auto and Precision bf16 was
    queued, and failed at its turn. Only OpenVINO computes bf16; --context cudnn asked for still refuses it."""
    import utils.context
    from inference import backends
    monkeypatch.setattr(utils.context, "cuda_status", lambda: (1, None))
    monkeypatch.setattr(backends, "cpu_has_bfloat16", lambda: True)
    assert backends.choose_backend("auto", "auto", precision="bf16") == ("openvino", "cpu")
    with pytest.raises(UserError, match="^--precision bf16 runs on openvino only, not nnabla on cudnn"):
        backends.choose_backend("auto", "cudnn", precision="bf16")


# Twentieth pass, the tile plan's figures for NNabla

@pytest.mark.slow
def test_nnabla_s_peak_memory_stays_within_max_memory(tmp_path):
    """Two 320x256 frames with --backend nnabla --threads 2 --max-memory 0.7 (717 MiB) peaked at 865 MiB (360x288
    frames in 1.0 GB at 1309 MiB): the tile plan counted OpenVINO's bytes per LR pixel and process, and NNabla's
    windows take two to four times as much per pixel. Planned with NNabla's own figures, the process stays within
    the budget. (One frame runs no flow net and held; a 1-block random model: the trunk's memory does not grow with
    blocks.)"""
    import cv2
    from benchmarks.harness import run_with_peak_memory
    from inference import new_parameters
    from utils.weights import save_weights
    frames = tmp_path / "lr"
    frames.mkdir()
    random = np.random.RandomState(0)
    for index in range(2):
        cv2.imwrite(str(frames / f"{index:04d}.png"), random.randint(0, 256, (256, 320, 3), np.uint8))
    save_weights(str(tmp_path / "one_block.h5"), new_parameters(1))
    budget_mib = 0.7 * 1024
    code, _, stderr, peak_mib = run_with_peak_memory(
        [sys.executable, "generate.py", "--model", str(tmp_path / "one_block.h5"), "--input-dir-lr", str(frames),
         "--output-dir", str(tmp_path / "out"), "--backend", "nnabla", "--context", "cpu", "--threads", "2",
         "--max-memory", "0.7"])
    assert code == 0, stderr
    assert len(os.listdir(tmp_path / "out")) == 2
    assert peak_mib <= budget_mib, f"peak {peak_mib:.0f} MiB in a budget of {budget_mib:.0f} MiB"


@pytest.mark.parametrize("height, width, less", [(48, 64, True), (288, 360, False)], ids=["64x48", "360x288"])
def test_the_least_budget_named_follows_the_backend(height, width, less):
    """The refusal's least budget was OpenVINO's for NNabla too (0.41 GB for 64x48 frames, where NNabla's process of
    about 120 MB leaves room; 0.55 for 360x288, where NNabla's windows take more): the resolver's plan counts its
    backend's own figures, and the least budget each names is taken by that backend and the budget just under it not."""
    import re
    from inference.resolver import SuperResolver

    def least(backend):
        with pytest.raises(UserError, match="too small") as refused:
            SuperResolver(BUNDLED_MODEL, backend=backend, context="cpu", max_memory=2 ** 20).plan(height, width)
        return float(re.search(r"needs at least ([\d.]+) GB", str(refused.value)).group(1))

    nnabla, openvino = least("nnabla"), least("openvino")
    assert (nnabla < openvino) if less else (nnabla > openvino)
    assert SuperResolver(BUNDLED_MODEL, backend="nnabla", context="cpu", max_memory=nnabla * 2 ** 30).plan(height,
                                                                                                         width)
    with pytest.raises(UserError, match="too small"):
        SuperResolver(BUNDLED_MODEL, backend="nnabla", context="cpu",
                      max_memory=(nnabla - 0.01) * 2 ** 30).plan(height, width)


# Twentieth pass, third look at the twentieth pass's generate and evaluate fixes

def test_one_frame_written_is_said_in_the_singular(tmp_path, capsys):
    """generate.py said "wrote 1 frames" of a part of one frame (more are still "frames", as the test of PCM audio
    above reads)."""
    import generate
    video = ffmpeg_video(tmp_path / "clip.mp4", frames=3, size="32x24")
    generate.main(["--model", WEIGHTS, "--input-video", video, "--output-dir", str(tmp_path / "sr"), "--scene-cuts",
                   "off", "--end", "1"])
    assert capsys.readouterr().out.startswith("wrote 1 frame to ")


def test_a_stop_while_the_video_writer_probes_the_audio_leaves_the_error_line_last(tmp_path):
    """Ctrl-C while ffmpeg probed the input's audio for the output video (the progress bar drawn, no frame made): the
    bar, closed only as generate.py ended, was drawn again under "interrupted" (before the bar was cleared around the
    writer's opening, on the same line: "... 0/3 [00:00<?, ?frame/s]interrupted")."""
    import re

    from hostile import run_script
    from utils.video_probe import ffmpeg_executable
    video, output = str(tmp_path / "clip.mp4"), str(tmp_path / "sr.mkv")
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=10",
                    "-f", "lavfi", "-i", "sine=sample_rate=8000", "-frames:v", "3", "-t", "0.3", "-c:v", "libx264",
                    "-c:a", "aac", video], check=True)
    script = ("import sys, utils.video_probe\n"
              "def stopped(*args, **kwargs):\n    raise KeyboardInterrupt\n"
              "utils.video_probe.first_audio_packet = stopped\n"
              "import generate\n"
              f"generate.main(['--model', {WEIGHTS!r}, '--input-video', {video!r}, '--output-video', {output!r}, "
              "'--scene-cuts', 'off'])\n")
    completed = run_script("-c", script)
    shown = [piece for piece in re.split(r"[\r\n]", completed.stderr) if piece.strip()]
    assert completed.returncode == 130 and shown[-1] == "interrupted", completed.stderr
    assert sorted(os.listdir(tmp_path)) == ["clip.mp4"]


# Twentieth pass, third look at the twentieth pass's tile, cache and backend fixes

@pytest.mark.parametrize("height, width, scale", [(83, 200, 2), (83, 369, 4), (40, 500, 2), (100, 1000, 4)])
def test_frames_wider_than_a_window_s_square_plan_at_budgets_just_above_the_least(height, width, scale):
    """A square window cut at a short frame's height kept its side as columns: the flow net's 83x129 window on 83x200
    frames at --max-memory 0.4786 (x2 model) kept nothing, and the plan failed with a ZeroDivisionError (a
    traceback). Now its columns take what the rows leave: every budget from the least up plans, each window keeping
    pixels."""
    from inference.tiles import TilePlan
    least = TilePlan(height, width, 6, tile=8, scale=scale)
    least = least.smallest_bytes(least.frame_bytes())
    for step in range(40):
        plan = TilePlan(height, width, 6, budget=least * (1 + step / 200), scale=scale)
        assert all(window.keep_stop > window.keep_start for axis in plan.flow + plan.trunk for window in axis)


@pytest.mark.parametrize("threads", [8, 35])
def test_threads_keep_the_tiles_of_tile_where_they_are_enough(threads):
    """--tile 24 on 180x144 frames makes 5x7 tiles; --threads 8 cut its rows into 8 (56 thinner tiles, a third more
    work) and --threads 64 into 57 windows of 32 rows that kept 2: the rows alone were made at least --threads. Now
    the tiles in all: 35 serve up to 35 lanes, and 64 lanes get at least 64 tiles, cut no thinner than that needs."""
    from inference.tiles import TilePlan
    one = TilePlan(144, 180, 6, tile=24, lanes=1)
    assert TilePlan(144, 180, 6, tile=24, lanes=threads).window_shapes == one.window_shapes
    many = TilePlan(144, 180, 6, tile=24, lanes=64)
    assert 64 <= len(many.tiles("trunk")) < 2 * 64


def test_the_lanes_search_makes_the_tail_windows_of_the_chosen_layout_only(monkeypatch):
    """The search for the most lanes that fit made the tail windows of every layout it tried: planning 1920x1080
    frames in 8 GB with --threads 1024 took 8 to 12 s (half a million tail windows of the 1024 lanes' layout, thrown
    away). Now they are made once, for the layout chosen, when first asked for."""
    from inference.tiles import TilePlan
    made = []
    original = TilePlan._tail_tiles
    monkeypatch.setattr(TilePlan, "_tail_tiles", lambda plan, tile: made.append(tile) or original(plan, tile))
    plan = TilePlan(1080, 1920, 6, budget=8 * 2 ** 30, lanes=1024)
    assert made == []
    assert set(plan.tail_tiles) == set(plan.tiles("trunk")) and made == plan.tiles("trunk")


def test_a_refused_whole_budget_is_said_as_given():
    """--max-memory 2 was refused as "--max-memory 2.0 GB is too small" (its float's repr)."""
    from inference.tiles import TilePlan
    with pytest.raises(UserError, match=r"^--max-memory 2 GB is too small for 1x1 LR frames"):
        TilePlan(1, 1, 6, budget=2 * 2 ** 30, written_pixels=16384 * 16384)


def test_the_page_s_line_of_a_folder_in_the_onnx_cache_says_to_move_it():
    """The page's line of a folder where a file of its ONNX cache goes ended in "make the ONNX cache a writable
    folder", which it is: the advice did not fit. Now it says to move that folder; other cache lines keep theirs."""
    from webapp.jobs import CACHE_ADVICE, ERROR_PREFIX, failure
    folder = failure([f"{ERROR_PREFIX}--cache-dir '/w/onnx_cache' holds a folder 'x_trunk.onnx' where an ONNX file "
                      "goes; move it, pass another --cache-dir or use --backend nnabla"], 2, "/w/jobs/1")
    assert folder == ("the server's ONNX cache '/w/onnx_cache' holds a folder 'x_trunk.onnx' where an ONNX file goes; "
                      "choose Backend nnabla, or move that folder out of the ONNX cache (app.py keeps it in its "
                      "--work-dir) and run again")
    file = failure([f"{ERROR_PREFIX}--cache-dir '/w/onnx_cache' is a file, not a folder; choose another path"], 2,
                   "/w/jobs/1")
    assert file.endswith(f"is a file, not a folder; {CACHE_ADVICE}")


def test_frames_too_tall_for_jpeg_are_refused_before_the_work(tmp_path):
    """x4 of 1x16385 LR frames with --output-ext jpg was refused at the first frame's write, after its work (a minute
    on this machine, the progress bar drawn): the size written is known before."""
    import cv2
    (tmp_path / "lr").mkdir()
    cv2.imwrite(str(tmp_path / "lr" / "0001.png"), np.full((16385, 1, 3), 128, np.uint8))
    completed = run_script("generate.py", "--model", WEIGHTS, "--input-dir-lr", str(tmp_path / "lr"), "--output-dir",
                           str(tmp_path / "out"), "--output-ext", "jpg", "--backend", "nnabla", timeout=300)
    assert_one_error_line(completed, "cannot write a 4x65540 frame as JPEG: it holds at most 65500 pixels a side; "
                                     "use --output-ext png")
    assert "frame/s" not in completed.stderr and not (tmp_path / "out").exists()


def test_bf16_refused_with_context_cudnn_says_to_drop_it_for_openvino(monkeypatch):
    """--precision bf16 with --context cudnn (on a machine with a GPU, made to seem one) said "use --backend openvino",
    which was refused in turn: "--backend openvino runs on the CPU; drop --context cudnn". Now the advice says so; with
    --context auto it is as before."""
    import utils.context
    from inference import backends
    monkeypatch.setattr(utils.context, "cuda_status", lambda: (1, None))
    line = (r"^--precision bf16 runs on openvino only, not nnabla on cudnn; use --backend openvino without --context "
            r"cudnn, or --precision fp32 or fp16$")
    for backend in ("auto", "nnabla"):
        with pytest.raises(UserError, match=line):
            backends.choose_backend(backend, "cudnn", precision="bf16")
    with pytest.raises(UserError, match=r"; use --backend openvino, or --precision fp32 or fp16$"):
        backends.choose_backend("nnabla", "auto", precision="bf16")


# Twentieth pass, third look at the twentieth pass's demo and page fixes

def test_generate_of_hr_frames_opens_its_model_once(tmp_path, monkeypatch):
    """--input-dir-hr read the model's arrays (SuperResolver), then opened the file again for the degradation that makes
    the frames LR (the second look at the page and the demo noticed it, and mended theirs)."""
    import shutil

    import generate
    from hostile import hdf5_opens
    from utils.frame_names import list_frames
    hr = tmp_path / "hr"
    hr.mkdir()
    for path in list_frames(FRAMES)[:2]:
        shutil.copy(path, hr)
    opened = hdf5_opens(monkeypatch)
    generate.main(["--model", WEIGHTS, "--input-dir-hr", str(hr), "--output-dir", str(tmp_path / "out")])
    assert opened.count(WEIGHTS) == 1
    assert len(os.listdir(tmp_path / "out")) == 2


# Twentieth pass, fourth look at the twentieth pass's generate and evaluate fixes

@pytest.mark.parametrize("text, encoding", [("#日本語\r\n3\r\n", "utf-16-le"), ("#日本語\n3\n", "utf-16-be"),
                                            ("#日本語\r\n3\r\n", "utf-16-be"), ("#日本語\n\n3\n", "utf-16-le"),
                                            ("#日本語\n", "utf-16-le")])
def test_a_wide_cuts_file_whose_first_comment_is_not_ascii_is_named_whatever_its_line_ends(tmp_path, text, encoding):
    """UTF-16 without a byte-order mark, opening with a comment of other characters than ASCII (no pattern in its
    first characters): with CRLF line ends, a blank line, big-endian, or the comment alone, a line of its NULs alone
    came before any digits among NULs: "line 2: '\\x00' is not a frame number" (big-endian: line 1), the encoding
    unnamed."""
    from utils.scenes import read_cuts_file
    path = tmp_path / "cuts.txt"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(UserError, match="it is UTF-16 or UTF-32 text, not UTF-8; save it as UTF-8"):
        read_cuts_file(str(path), 20)


def test_a_benchmark_reads_the_loop_seconds_of_one_frame_said_in_the_singular():
    """bench_generate --frames 1: generate.py's line, "wrote 1 frame to ..." since the third look, was not found by
    the harness (its pattern "wrote N frames"): an AttributeError traceback after the run."""
    from benchmarks.harness import loop_seconds
    assert loop_seconds("wrote 1 frame to /tmp/out in 0.3 s (0.3 s per frame, warm-up included)\n") == 0.3


def test_the_page_says_a_job_of_one_frame_in_the_singular():
    """The web page's status of a done job of one frame (a zip of one picture) read "done, 1 frames"."""
    import time
    from types import SimpleNamespace

    from webapp.ui import describe
    now = time.monotonic()
    job = SimpleNamespace(id=1, state="done", total_frames=1, started=now - 2, ended=now)
    assert "done, 1 frame in " in describe(SimpleNamespace(keep_seconds=60), job)


def test_the_bar_of_a_video_announcing_more_frames_than_it_holds_ends_full(tmp_path, capsys):
    """An FLV of 5 frames whose count, estimated from its duration (its audio's too), is 7: every frame was written,
    "wrote 5 frames", but the bar ended at "71% 5/7", as if two were lost."""
    import re

    import generate
    from utils.video_probe import ffmpeg_executable
    video = str(tmp_path / "clip.flv")
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=10",
                    "-f", "lavfi", "-i", "sine=sample_rate=8000", "-t", "0.5", "-c:v", "libx264", "-c:a", "aac", video],
                   check=True)
    generate.main(["--model", WEIGHTS, "--input-video", video, "--output-dir", str(tmp_path / "sr"), "--scene-cuts",
                   "off"])
    captured = capsys.readouterr()
    assert captured.out.startswith("wrote 5 frames to ")
    bar = [piece for piece in re.split(r"[\r\n]", captured.err) if piece.strip()][-1]
    assert "100%" in bar and " 5/5 " in bar, captured.err


# Twentieth pass, a look at the tile plan's figures for NNabla

def test_the_peak_memory_test_of_300_frames_reads_generate_s_own_peak(tmp_path):
    """test_onnx_backend's peak_memory_of_generate started generate.py straight from pytest's process, whose peak the
    child counted as its own (a 9 MiB child of a 600 MiB process "peaked" at 609 MiB): after a large test, both runs
    of test_peak_memory_stays_flat_over_300_frames read pytest's peak, and their difference held whatever generate.py
    kept. It reads generate.py's own now (benchmarks.harness.run_with_peak_memory)."""
    from helpers import peak_memory_of_generate
    held = bytearray(400 * 2 ** 20)
    held[::4096] = b"\1" * len(held[::4096])  # resident in this process, as a large test leaves pytest's
    peak_mib = peak_memory_of_generate(["--help"], tmp_path / "log.txt")
    assert peak_mib < 300, f"generate.py --help peaked at {peak_mib:.0f} MiB beside this process's 400"
    del held


@pytest.mark.parametrize("backend, height, width, blocks, scale",
                         [("nnabla", 120, 160, 1, 2), ("nnabla", 54, 327, 1, 4), ("openvino", 77, 327, 1, 4)])
def test_the_least_budget_named_plans_a_frame_shorter_than_a_square_window(backend, height, width, blocks, scale):
    """Where a network's share held no full-width band, its window was a square cut to the frame's height, and the
    other side was the square's: 160x120 frames (x2 model, NNabla) in the least budget their refusal names took a flow
    window of 120x128 with a halo of 64 each side, and generate.py ended in a ZeroDivisionError, a traceback (400 of
    24192 frame sizes and budgets on NNabla, 112 on OpenVINO). The window now takes the frame's height and what the
    share holds across, and stays within the share."""
    import re
    from inference.tiles import BUDGET_SHARES, TilePlan
    with pytest.raises(UserError, match="too small") as refused:
        TilePlan(height, width, blocks, budget=2 ** 20, scale=scale, backend=backend)
    least = float(re.search(r"needs at least ([\d.]+) GB", str(refused.value)).group(1)) * 2 ** 30
    for budget in (least, least + 0.02 * 2 ** 30):
        plan = TilePlan(height, width, blocks, budget=budget, lanes=2, scale=scale, backend=backend)
        flow_rows, flow_columns = plan.window_shapes["flow"]
        assert flow_rows * flow_columns * plan.bytes_per_pixel["flow"] <= (budget - plan.frame_bytes()) * BUDGET_SHARES[
            "flow"] + 7 * flow_rows * plan.bytes_per_pixel["flow"]  # the stride's remainder, as full-width bands
        kept = [window.keep_stop - window.keep_start for axis in plan.flow for window in axis]
        assert min(kept) > 0
        assert sum(window.keep_stop - window.keep_start for window in plan.flow[1]) == width - width % 8


# Twentieth pass, fourth look at the twentieth pass's tile, cache and backend fixes

@pytest.mark.parametrize("height, width, backend, scale", [(500, 40, "openvino", 4), (369, 83, "nnabla", 2),
                                                           (1, 16385, "nnabla", 2), (16385, 1, "openvino", 2)])
def test_flow_windows_keep_within_their_share_where_the_frame_is_not_a_whole_stride(height, width, backend, scale):
    """The flow window's side is a multiple of its stride plus the frame's remainder: the remainder was added after the
    rounding down, so a band of 500x40 frames took 148 rows where its share held 147 (and 8x16385 frames 16385
    columns of a share of 16384), at budgets from the least up. Every budget from the least up by 0.2 % steps."""
    from inference.tiles import BUDGET_SHARES, TilePlan
    least_plan = TilePlan(height, width, 10, budget=2 ** 50, scale=scale, backend=backend)
    least = least_plan.smallest_bytes(least_plan.frame_bytes())
    for step in range(1, 40):
        budget = least * (1 + step * 0.002)
        plan = TilePlan(height, width, 10, budget=budget, scale=scale, backend=backend)
        share = (budget - plan.frame_bytes()) * BUDGET_SHARES["flow"]
        assert np.prod(plan.window_shapes["flow"]) * plan.bytes_per_pixel["flow"] <= share, (step, plan.window_shapes)


# Twenty-first pass, look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

def test_the_bar_of_one_scene_says_it_in_the_singular(tmp_path, capsys):
    """Every run without a cut drew "..., 1 scene(s)" on its progress bar (and an idle rank of mpirun said "the 1
    scene(s) went to other ranks")."""
    import shutil

    import generate
    os.makedirs(tmp_path / "lr")
    shutil.copy(os.path.join(FRAMES, sorted(os.listdir(FRAMES))[0]), tmp_path / "lr" / "0001.png")
    generate.main(["--model", WEIGHTS, "--input-dir-lr", str(tmp_path / "lr"), "--output-dir", str(tmp_path / "sr")])
    bar = capsys.readouterr().err
    assert ", 1 scene" in bar and "scene(s)" not in bar


# Twenty-first pass, look at tiles, memory budgets, output scales, precisions and backends

class ExportCounted:
    """NnablaNetworks in OnnxNetworks' export, counting the exports: each gives `model` for every network."""
    model, exports = b"", []

    def __init__(self, *args, **kwargs):
        pass

    def load(self, *args):
        pass

    def export(self):
        from inference.backends import NETWORK_IO
        self.exports.append(1)
        return dict.fromkeys(NETWORK_IO, self.model)


def counted_exports(monkeypatch):
    """OnnxNetworks of one 8x8 shape whose exports ExportCounted counts, each an empty ONNX graph: (the backends and
    onnx_export modules, the weight arrays, the shapes, the cache entry's stem)."""
    onnx = pytest.importorskip("onnx")
    from inference import backends, onnx_export
    arrays, shapes = {"weight": np.zeros(2, np.float32)}, dict.fromkeys(backends.NETWORK_IO, (8, 8))
    monkeypatch.setattr(ExportCounted, "model", onnx.helper.make_model(onnx.helper.make_graph(
        [], "empty", [], [])).SerializeToString())
    monkeypatch.setattr(ExportCounted, "exports", [])
    monkeypatch.setattr(backends, "NnablaNetworks", ExportCounted)
    return backends, onnx_export, arrays, shapes, onnx_export.cache_stem(arrays, 1, "8x8_8x8_8x8")


@pytest.mark.parametrize("failure", [MemoryError(), RuntimeError("Exception from src/inference: std::bad_alloc"),
                                     OSError(28, "No space left on device")],
                         ids=["MemoryError", "bad_alloc", "ENOSPC"])
def test_the_onnx_cache_is_deleted_and_exported_again_for_a_damaged_file_only(tmp_path, monkeypatch, failure):
    """Any failure was taken for a damaged cache: memory running out while OpenVINO compiled a whole cached entry
    deleted its files and exported them again, to run out of memory again and delete them again; a --cache-dir that
    cannot be written (full) exported the networks twice before its line. Now each keeps the cache and exports at
    most once."""
    backends, onnx_export, arrays, shapes, stem = counted_exports(monkeypatch)
    if isinstance(failure, OSError):
        monkeypatch.setattr(onnx_export, "write_bytes", lambda *args: (_ for _ in ()).throw(failure))
        expected = (UserError, r"^cannot write the ONNX cache .*No space left on device")
    else:
        for name in backends.NETWORK_IO:
            (tmp_path / f"{stem}_{name}.onnx").write_bytes(onnx_export.stamped(ExportCounted.model, f"{stem}_{name}"))
        monkeypatch.setattr(backends, "CompiledNetwork", lambda *args: (_ for _ in ()).throw(failure))
        expected = (type(failure), None)
    cached = sorted(os.listdir(tmp_path))
    with pytest.raises(expected[0], match=expected[1]):
        backends.OnnxNetworks(shapes, 1, arrays, "weights.h5", str(tmp_path), 1, "fp32", 4)
    assert sorted(os.listdir(tmp_path)) == cached
    assert len(ExportCounted.exports) == (1 if isinstance(failure, OSError) else 0)


def computed_pixels(plan, name):
    """LR pixels a network's windows compute for one frame."""
    rows, columns = plan.flow if name == "flow" else plan.trunk
    return sum(window.stop - window.start for window in rows) * sum(window.stop - window.start for window in columns)


@pytest.mark.parametrize("height, width, backend", [(1080, 1920, "openvino"), (1920, 1080, "nnabla"),
                                                    (540, 960, "nnabla")])
def test_a_larger_budget_never_computes_more(height, width, backend):
    """Full-width bands were taken wherever the least fit the share, though one keeping a few rows beside its halos
    computes the frame many times over: the trunk of 1920x1080 frames (16 blocks, OpenVINO) computed 1.6 times the
    frame in 1.9 GB and 8.3 times it in --max-memory 2 (113 bands of 79 rows), 960x540 on NNabla 16 times in 1 GB. Now
    the windows that compute the fewest pixels: from the least budget up, no network computes more with more memory."""
    from inference.tiles import TilePlan
    least = TilePlan(height, width, 16, budget=2 ** 50, backend=backend)
    least = least.smallest_bytes(least.frame_bytes())
    computed = [[computed_pixels(TilePlan(height, width, 16, budget=least * (1 + step / 40), backend=backend), name)
                 for name in ("flow", "trunk")] for step in range(41)]
    for smaller, larger in zip(computed, computed[1:]):
        assert larger[0] <= smaller[0] and larger[1] <= smaller[1], (smaller, larger)
    assert computed[-1][1] < 2 * height * width


@pytest.mark.parametrize("cache_home", ["rel", "./cache", ".cache"])
def test_a_relative_xdg_cache_home_is_not_taken_for_the_onnx_cache(monkeypatch, cache_home):
    """A relative XDG_CACHE_HOME made the ONNX cache under the working folder, a cache in each folder a run started
    from, each exporting the networks anew; the XDG Base Directory specification says to ignore it."""
    from inference.onnx_export import default_cache_dir
    monkeypatch.setenv("HOME", "/home/user")
    monkeypatch.setenv("XDG_CACHE_HOME", cache_home)
    assert default_cache_dir() == "/home/user/.cache/tecogan-nnabla"
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache")
    assert default_cache_dir() == "/var/cache/tecogan-nnabla"


@pytest.mark.parametrize("output, said", [(["--output-ext", "jpg"], "cannot write a 65540x4 frame as JPEG"),
                                          (["--output-video", "sr.mp4"], "gives 65540x4 frames, more than 16384")],
                         ids=["jpg", "video"])
def test_frames_too_large_to_write_are_refused_before_the_model_is_built(tmp_path, monkeypatch, capsys, output, said):
    """x4 of 1x16385 LR frames as JPEG or to a video was refused after the model was built: on OpenVINO after the
    export (3 to 5 s for the bundled model here), which wrote a cache entry for the run it then refused."""
    import cv2
    import generate
    from inference import SuperResolver
    monkeypatch.setattr(SuperResolver, "model", lambda *args: pytest.fail("the model was built"))
    (tmp_path / "lr").mkdir()
    cv2.imwrite(str(tmp_path / "lr" / "0001.png"), np.full((1, 16385, 3), 128, np.uint8))
    if "--output-video" in output:
        output = ["--output-video", str(tmp_path / "sr.mp4")]
    with pytest.raises(SystemExit) as exit_info:
        generate.main(["--model", BUNDLED_MODEL, "--input-dir-lr", str(tmp_path / "lr"), "--output-dir",
                       str(tmp_path / "out"), "--backend", "nnabla", *output])
    assert exit_info.value.code == 2 and said in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == ["lr"]


# Twenty-first pass, second look at the twenty-first pass's generate, tile and page fixes

def test_one_generator_tile_is_said_in_the_singular():
    """Every run's bar on frames of one tile said "1 generator tile(s) of 16x16 LR pixels": the first look's counted
    wordings missed it."""
    from inference.tiles import TilePlan
    assert TilePlan(16, 16, 6, budget=2 ** 30).describe() == "1 generator tile of 16x16 LR pixels"
    assert TilePlan(64, 64, 6, tile=8).describe().startswith("25 generator tiles of ")


# Twenty-second pass, look at tiles, memory budgets, scales, precisions and backends

def test_a_damaged_onnx_file_removed_first_by_another_process_is_exported_again(tmp_path, monkeypatch):
    """Two runs at once (mpirun's ranks on OpenVINO) that found one damaged cached file: the one whose removal came
    second found the files gone and said "the ONNX cache ... holds a damaged file and cannot be written ([Errno 2]
    No such file or directory ...)" of a cache it could write, exit code 2 (6 of 6 races of two processes). Now it
    exports the entry again, as the first does."""
    backends, onnx_export, arrays, shapes, stem = counted_exports(monkeypatch)
    monkeypatch.setattr(backends, "CompiledNetwork", lambda *args: "compiled")
    for name in backends.NETWORK_IO:
        (tmp_path / f"{stem}_{name}.onnx").write_bytes(b"damaged")
    read = backends.exported_as

    def removed_by_another_run(path, most_bytes):  # the other run removes the entry as this one reads the damaged file
        for name in backends.NETWORK_IO:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp_path / f"{stem}_{name}.onnx")
        monkeypatch.setattr(backends, "exported_as", read)
        return None

    monkeypatch.setattr(backends, "exported_as", removed_by_another_run)
    networks = backends.OnnxNetworks(shapes, 1, arrays, "weights.h5", str(tmp_path), 1, "fp32", 4)
    assert set(networks.networks.values()) == {"compiled"} and len(ExportCounted.exports) == 1
    assert all(onnx_export.exported_as(str(tmp_path / f"{stem}_{name}.onnx"), onnx_export.most_export_bytes(arrays))
               == f"{stem}_{name}" for name in backends.NETWORK_IO)


def test_the_default_budget_of_mpirun_s_processes_on_a_cpu_is_their_share_of_half_the_memory_free(monkeypatch):
    """mpirun -n N generate.py on a CPU, no --max-memory: each process planned its windows in half the free RAM (rank
    0's default), so -n 2 planned all of it and -n 4 twice it (20 GB free here: four plans of 10 GB), where each
    process's cores are its share. Now the default half is shared by the processes; a budget given stays each one's."""
    import inference.resolver
    from utils.weights import read_weight_file
    monkeypatch.setattr(inference.resolver, "default_budget", lambda context: 8 * 2 ** 30)
    arrays = read_weight_file(BUNDLED_MODEL)

    def resolver(**settings):
        return inference.resolver.SuperResolver(BUNDLED_MODEL, backend="nnabla", context="cpu", file_arrays=arrays,
                                                **settings)

    assert resolver(process_count=4).max_memory == 2 * 2 ** 30 and resolver().max_memory == 8 * 2 ** 30
    assert resolver(process_count=4, max_memory=2 ** 30).max_memory == 2 ** 30
    monkeypatch.setattr(inference.resolver, "default_budget", lambda context: 0.5 * 2 ** 30)
    with pytest.raises(UserError, match=r"^the default memory budget, half the memory free shared by 4 processes "
                                        r"\(0.12 GB\), is too small for 7x5 LR frames"):
        resolver(process_count=4).model(5, 7)


# Twenty-second pass, second look at the twenty-second pass's generate and tile fixes

def test_the_refusal_of_mpirun_s_shared_default_budget_says_to_run_fewer_processes():
    """mpirun -n 3 on a CPU with too little memory free for each process's share of the default budget: the line
    said "free memory or use smaller frames", where -n 1 has the whole half and runs. Now it names fewer processes."""
    from inference.tiles import TilePlan
    # (no smaller frames fit a budget under the process's own bytes: the twenty-seventh pass's second look)
    shared = r"half the memory free shared by 3 processes \(.*\); run fewer processes \(mpirun -n\), free memory$"
    with pytest.raises(UserError, match=shared):
        TilePlan(5, 7, 10, budget=0.1 * 2 ** 30, budget_given=False, backend="nnabla", shared_by=3)
    with pytest.raises(UserError, match=r"half the memory free \(.*\), is too small .*; free memory$"):
        TilePlan(5, 7, 10, budget=0.1 * 2 ** 30, budget_given=False, backend="nnabla")
    TilePlan(5, 7, 10, budget=0.3 * 2 ** 30, budget_given=False, backend="nnabla")  # -n 1's whole half


def test_generate_shares_the_cpu_among_the_processes_of_its_machine_not_of_the_job(monkeypatch, tmp_path):
    """mpirun on several machines (noticed by the second look at the tiles): each process's share of the cores and of
    the default memory budget was by every process of the job, where they share their machine's with those on it
    alone (as the training's data loader counts them): 2 processes on each of 2 machines planned in a quarter."""
    import generate
    seen = {}

    class Stopped(Exception):
        pass

    def resolver(*arguments, **settings):
        seen.update(settings)
        raise Stopped

    monkeypatch.setattr(generate, "SuperResolver", resolver)
    monkeypatch.setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "2")
    args = generate.parse_args(["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", str(tmp_path / "out")])
    with pytest.raises(Stopped):
        generate.run(args, types.SimpleNamespace(size=4, rank=0), contextlib.ExitStack())
    assert seen["process_count"] == 2


# Twenty-third pass, look at tiles, memory budgets, scales, precisions and backends

def test_the_onnx_cache_removes_entries_no_run_has_used_and_keeps_those_in_use(tmp_path, monkeypatch):
    """The ONNX cache kept every entry for ever: each change of the graphs' code re-keys it, and the default cache here
    held 135 files, 371 MB, of earlier versions' entries no run would read again. Now each export removes the entries
    of another version unused for an hour, any unused for 30 days and a killed export's temporary after a day; one
    just used or being written, a user's own file and an entry read by a run (its use renewed) stay."""
    backends, onnx_export, arrays, shapes, stem = counted_exports(monkeypatch)
    monkeypatch.setattr(backends, "CompiledNetwork", lambda *args: "compiled")
    hour, day, now = 3600, 86400, time.time()
    code = onnx_export.code_key()
    key, other = "0123456789abcdef01234567", "fedcba987654"
    ages = {f"6blocks_8x8_8x8_8x8_{key}_flow.onnx": 2 * hour,  # before the code key was named: an earlier version's
            f"6blocks_9x8_9x8_9x8_{key}_flow.onnx": hour - 60,  # an earlier version's, in use by its run
            f"6blocks_8x8_8x8_8x8_{key}_{other}_trunk.onnx": 2 * hour,  # another version's
            f"6blocks_8x8_8x8_8x8_{key}_{code}_tail.onnx": 31 * day,  # this version's, unused for a month
            f"6blocks_8x9_8x9_8x9_{key}_{code}_tail.onnx": 29 * day,
            f".6blocks_8x8_8x8_8x8_{key}_{other}_flow.4242.tmp.onnx": 2 * hour,  # being written
            f".6blocks_8x8_8x8_8x8_{key}_{code}_flow.4243.tmp.onnx": 2 * day,  # left by a killed export
            "notes.onnx": 40 * day, f"6blocks_8x8_{key}_flow.onnx.bak": 40 * day}  # a user's
    for name, age in ages.items():
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (now - age, now - age))
    backends.OnnxNetworks(shapes, 1, arrays, "weights.h5", str(tmp_path), 1, "fp32", 4)  # exports: prunes
    entry = {f"{stem}_{name}.onnx" for name in backends.NETWORK_IO}
    kept = set(ages) - {f"6blocks_8x8_8x8_8x8_{key}_flow.onnx", f"6blocks_8x8_8x8_8x8_{key}_{other}_trunk.onnx",
                        f"6blocks_8x8_8x8_8x8_{key}_{code}_tail.onnx",
                        f".6blocks_8x8_8x8_8x8_{key}_{code}_flow.4243.tmp.onnx"}
    assert set(os.listdir(tmp_path)) == kept | entry and ExportCounted.exports == [1]
    for name in entry:  # an entry read by a later run is used anew: kept for 30 days from then
        os.utime(tmp_path / name, (now - 29 * day, now - 29 * day))
    backends.OnnxNetworks(shapes, 1, arrays, "weights.h5", str(tmp_path), 1, "fp32", 4)
    assert ExportCounted.exports == [1]
    assert all(now - 60 < os.stat(tmp_path / name).st_mtime for name in entry)
    onnx_export.prune_cache(str(tmp_path), now=now + 2 * day)  # two days on, the entries in use then are not
    assert set(os.listdir(tmp_path)) == kept - {f"6blocks_9x8_9x8_9x8_{key}_flow.onnx",
                                                f"6blocks_8x9_8x9_8x9_{key}_{code}_tail.onnx",
                                                f".6blocks_8x8_8x8_8x8_{key}_{other}_flow.4242.tmp.onnx"} | entry
    onnx_export.prune_cache(str(tmp_path), now=now + 31 * day)  # this run's entry too, once unused for a month
    assert set(os.listdir(tmp_path)) == {"notes.onnx", f"6blocks_8x8_{key}_flow.onnx.bak"}


def test_a_library_caller_s_process_count_of_none_is_one_process(monkeypatch):
    """SuperResolver(process_count=None), as its other settings' default is None: a TypeError traceback ("unsupported
    operand type(s) for //: 'int' and 'NoneType'") as it shared the cores. Now one process, as the default."""
    import inference.resolver
    from utils.weights import read_weight_file
    monkeypatch.setattr(inference.resolver, "default_budget", lambda context: 8 * 2 ** 30)
    resolver = inference.resolver.SuperResolver(BUNDLED_MODEL, backend="nnabla", context="cpu", process_count=None,
                                                file_arrays=read_weight_file(BUNDLED_MODEL))
    assert resolver.max_memory == 8 * 2 ** 30 and resolver.threads == inference.resolver.available_cores(1)


# Twenty-fourth pass, look at tiles, scales, backends, the ONNX cache and evaluate.py's scores

def test_a_palette_png_of_grey_colours_of_a_colour_target_is_refused_as_a_greyscale_one(tmp_path):
    """A result saved by another tool as a palette PNG of grey colours (the twenty-third pass's greyscale results were
    refused by their grey colour type alone): scored 60 dB, SSIM 1.000 against its colour target, as the target itself,
    exit code 0. A palette of colours is scored as before."""
    from PIL import Image

    from evaluation.scoring import read_frame_pair
    colours = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    target, output = str(tmp_path / "target.png"), str(tmp_path / "output.png")
    Image.fromarray(colours).save(target)
    Image.fromarray(colours).convert("L").convert("P").save(output, transparency=0)  # a tRNS chunk before its PLTE
    with pytest.raises(UserError, match=r"output '.*output.png' is a greyscale PNG but its target .* is in colour"):
        read_frame_pair(target, output, None)
    Image.fromarray(colours).convert("P").save(output)
    assert read_frame_pair(target, output, None)[1].shape == (16, 16, 3)


def test_a_link_in_the_onnx_cache_is_kept_while_its_target_is_used(tmp_path, monkeypatch):
    """An entry's files linked into the cache (from a store of exports): each read renews its target's use, but the
    pruning read the link's own time, of when it was made, and removed it in use after 30 days, to be exported again as
    a copy. Now a link is as old as its target's last use (its own where it leads nowhere)."""
    backends, onnx_export, arrays, shapes, stem = counted_exports(monkeypatch)
    monkeypatch.setattr(backends, "CompiledNetwork", lambda *args: "compiled")
    store, cache, month = tmp_path / "store", tmp_path / "cache", 31 * 86400
    backends.OnnxNetworks(shapes, 1, arrays, "weights.h5", str(store), 1, "fp32", 4)
    cache.mkdir()
    for name in os.listdir(store):
        os.symlink(store / name, cache / name)
        os.utime(cache / name, (time.time() - month, time.time() - month), follow_symlinks=False)
    os.symlink(tmp_path / "gone.onnx", cache / f"{stem}_old.onnx")  # leading nowhere, made a month ago
    os.utime(cache / f"{stem}_old.onnx", (time.time() - month, time.time() - month), follow_symlinks=False)
    backends.OnnxNetworks(shapes, 1, arrays, "weights.h5", str(cache), 1, "fp32", 4)  # read: the targets' use renewed
    onnx_export.prune_cache(str(cache))
    assert sorted(os.listdir(cache)) == sorted(os.listdir(store)) and ExportCounted.exports == [1]
    assert all(os.path.islink(cache / name) for name in os.listdir(cache))


@pytest.mark.parametrize("name, value, least", [("OMPI_COMM_WORLD_LOCAL_SIZE", "abc", 1), ("MPI_LOCALNRANKS", "", 1),
                                                ("MV2_COMM_WORLD_LOCAL_SIZE", "0", 1),
                                                ("OMPI_COMM_WORLD_LOCAL_RANK", "-1", 0)])
def test_a_launcher_s_variable_of_this_machine_set_by_hand_is_one_line(monkeypatch, capsys, tmp_path, name, value,
                                                                       least):
    """The launchers' variables of the processes on this machine set by hand without mpirun: `abc` or empty gave int's
    ValueError traceback, 0 "process_count must be a whole number of at least 1", naming no variable."""
    import generate
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        generate.main(["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", str(tmp_path / "out")])
    assert stopped.value.code == 2 and capsys.readouterr().err == (
        f"error: environment variable {name} is '{value}', not a whole number of at least {least}:"
        " a launcher (mpirun, srun) sets it for each process it starts; unset it to run without one\n")


@pytest.mark.parametrize("name, value", [("OMPI_COMM_WORLD_SIZE", "abc"), ("PMI_SIZE", ""), ("OMPI_COMM_WORLD_RANK", "x")])
def test_a_launcher_s_variable_of_the_job_set_by_hand_is_one_line(monkeypatch, capsys, name, value):
    """The launchers' variables of the whole job set by hand without mpirun: generate.py's share of the cores (read
    from the job's size where no variable of this machine's is set) and train.py's rank before its first line gave
    int's ValueError traceback."""
    import train
    from utils import distributed
    monkeypatch.setenv(name, value)
    with pytest.raises(UserError, match=f"^environment variable {name} is '{value}', not a whole number of at least "):
        (distributed.world_rank if name.endswith("RANK") else distributed.local_size)()
    if name.endswith("RANK"):
        with pytest.raises(SystemExit) as stopped:
            train.main(["--help"])
        assert stopped.value.code == 2 and capsys.readouterr().err.startswith(f"error: environment variable {name} ")


# Twenty-fourth pass, second look at the twenty-fourth pass's tile, cache and score fixes

@pytest.mark.parametrize("bits", [8, 4])
def test_a_palette_png_of_grey_pixels_and_an_unused_colour_entry_is_refused_as_a_greyscale_one(tmp_path, bits):
    """A palette PNG of grey colours with one colour entry no pixel uses (the grey palette check read the palette's
    entries alone): scored 54 dB against its colour target, the 4-bit one 34 dB, exit code 0. A palette whose colour
    entry is used is scored as before."""
    from PIL import Image

    from evaluation.scoring import read_frame_pair
    colours = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    target, output = str(tmp_path / "target.png"), str(tmp_path / "output.png")
    Image.fromarray(colours).save(target)
    count = 1 << bits
    greys = [value * 255 // (count - 2) for value in range(count - 1)]
    indices = np.minimum(np.asarray(Image.fromarray(colours).convert("L")) * (count - 1) // 256, count - 2)
    picture = Image.fromarray(indices.astype(np.uint8), "P")
    picture.putpalette([value for grey in greys for value in (grey,) * 3] + [255, 0, 0])  # the last entry red, unused
    picture.save(output, bits=bits)
    with pytest.raises(UserError, match=r"output '.*output.png' is a greyscale PNG but its target .* is in colour"):
        read_frame_pair(target, output, None)
    indices[0, 0] = count - 1  # one red pixel: a colour picture
    picture = Image.fromarray(indices.astype(np.uint8), "P")
    picture.putpalette([value for grey in greys for value in (grey,) * 3] + [255, 0, 0])
    picture.save(output, bits=bits)
    assert read_frame_pair(target, output, None)[1][0, 0].tolist() == [255, 0, 0]


def test_a_launcher_s_variable_of_thousands_of_digits_is_shown_cut_short(monkeypatch):
    """A launcher's variable set by hand to thousands of digits (more than int reads) was shown whole: an error line of
    5,000 digits."""
    from utils import distributed
    monkeypatch.setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "9" * 5000)
    with pytest.raises(UserError, match=r"^environment variable OMPI_COMM_WORLD_LOCAL_SIZE is '9{37}\.\.\.', not a "):
        distributed.local_size()


def test_an_output_folder_on_a_read_only_mount_is_not_told_to_be_given_write_permission(tmp_path, monkeypatch):
    """A --cache-dir or --output-dir on a file system mounted read-only (a bind mount) was told "is not writable; give
    it write permission", as a folder of no write permission is, where no permission can make it writable."""
    from utils import paths
    read_only = os.statvfs_result((4096,) * 8 + (os.ST_RDONLY, 255))
    monkeypatch.setattr(os, "statvfs", lambda path: read_only)
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(UserError, match=r"^--cache-dir '.*' is on a read-only file system; choose another path$"):
        paths.output_folder(str(tmp_path), "--cache-dir")


# Twenty-fifth pass, look at tiles, scales, backends, the ONNX cache and evaluate.py's scores

@pytest.mark.parametrize("kind, mode", [("JPEG", "L"), ("BMP", "1"), ("TIFF", "L"), ("PPM", "L")])
def test_a_grey_picture_of_another_format_named_png_is_refused_as_a_greyscale_one(tmp_path, kind, mode):
    """A grey JPEG, BMP, TIFF or PGM file saved as '0005.png' (the greyscale check read PNG headers alone) was scored
    against its colour target as the target itself, 57 to 60 dB, exit code 0, where a grey PNG was refused. A colour
    JPEG of grey pixels is scored as an RGB PNG of grey pixels is."""
    from PIL import Image

    from evaluation.scoring import read_frame_pair
    colours = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    target, output = str(tmp_path / "target.png"), str(tmp_path / "output.png")
    Image.fromarray(colours).save(target)
    Image.fromarray(colours).convert(mode).save(output, format=kind)
    with pytest.raises(UserError, match=rf"output '.*output.png' is a greyscale {kind} file \(whatever its name\) but "
                                        "its target .* is in colour"):
        read_frame_pair(target, output, None)
    Image.fromarray(colours).convert("L").convert("RGB").save(output, format="JPEG")
    assert read_frame_pair(target, output, None)[1].shape == (16, 16, 3)


def test_an_onnx_cache_entry_read_by_a_run_that_cannot_touch_it_is_kept_while_read(tmp_path, monkeypatch):
    """A shared cache that a run may read but not write (no write permission): its reads could not renew the entry's
    modification time, and another run's export removed the entry after 30 days while it was read each day (that run
    then refused, the cache not writable). Now a file's access time, which the system renews as it is read (set here
    as a relatime mount sets it, whatever this machine's mount), is a use too; an entry no run read is removed as
    before."""
    backends, onnx_export, arrays, shapes, stem = counted_exports(monkeypatch)
    monkeypatch.setattr(backends, "CompiledNetwork", lambda *args: "compiled")
    backends.OnnxNetworks(shapes, 1, arrays, "weights.h5", str(tmp_path), 1, "fp32", 4)
    now, month = time.time(), 31 * 86400
    for name in os.listdir(tmp_path):
        os.utime(tmp_path / name, (now - 3600, now - month))  # read an hour ago, touched a month ago
    onnx_export.prune_cache(str(tmp_path))
    assert len(os.listdir(tmp_path)) == len(backends.NETWORK_IO) and ExportCounted.exports == [1]
    onnx_export.prune_cache(str(tmp_path), now=now + month)  # a month on, unread since
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("dead", [None, "biases", "channels"])
def test_lpips_weights_of_a_layer_0_on_every_image_are_refused(dead):
    """LPIPS weights whose fourth convolution's biases (-1e4) hold its features at 0 on every image (the bounds of
    parameters_out_of_range, loose there, refused them at -1e3 in the first alone), or whose fifth linear layer weighs
    only channels such biases hold at 0: the fourth and fifth terms, or the fifth, lost on every pair (scores 18 % or
    8 % lower), exit code 0. Weights of that draw as they are pass."""
    from utils.lpips import LIN_NAMES, check_shapes, parameter_shapes
    draw = np.random.default_rng(0)
    arrays = {name: (draw.uniform(0.05, 0.5, shape) if name in LIN_NAMES else np.zeros(shape) if len(shape) == 1
                     else draw.normal(0, (2 / np.prod(shape[1:])) ** 0.5, shape)).astype(np.float32)
              for name, shape in parameter_shapes().items()}  # AlexNet's initial draw, He's
    if dead == "biases":
        arrays["conv8/conv/b"][:] = -1e4
    elif dead == "channels":
        arrays["conv10/conv/b"][128:], arrays["conv10/conv/W"][128:], arrays[LIN_NAMES[4]][:, :128] = -1e3, 0, 0
    if dead is None:
        check_shapes(arrays, "weights")
        return
    lost = LIN_NAMES[3 if dead == "biases" else 4]
    with pytest.raises(UserError, match=rf"^weights: its linear layer '{lost}' adds 0 to the score of every pair of "):
        check_shapes(arrays, "weights")


# Twenty-fifth pass, second look at the twenty-fifth pass's tile, cache and score fixes

GREY_PAM_HEADER = b"P7\nWIDTH 16\nHEIGHT 16\nDEPTH %d\nMAXVAL 255\nTUPLTYPE GRAYSCALE%s\nENDHDR\n"


@pytest.mark.parametrize("kind", ["PAM", "PAM with alpha", "PFM", "JPEG of a long header"])
def test_a_grey_picture_pillow_cannot_tell_is_refused_as_a_greyscale_one(tmp_path, monkeypatch, kind):
    """After the first look's fix (Pillow's header says grey), a grey PAM (a format Pillow lacks) saved as '0005.png'
    was still scored against its colour target as the target itself, exit code 0; a grey PFM was a traceback
    (IndexError: OpenCV's PFM reader gives one channel whatever the flags ask), in generate.py too; and a grey JPEG's
    header was walked by Pillow in Python to its end (a 4 MB file of empty markers: 52 s). Now Pillow reads the first
    HEADER_BYTES (made small here) and what it cannot tell there is told by the channels OpenCV decodes."""
    import cv2
    from PIL import Image

    from evaluation import scoring
    from utils.image_io import read_bgr_uint8
    colours = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    grey = colours[..., 1]
    target, output = str(tmp_path / "target.png"), str(tmp_path / "output.png")
    Image.fromarray(colours).save(target)
    said = "picture of one channel"
    if kind.startswith("PAM"):
        alpha = kind.endswith("alpha")
        pixels = np.dstack([grey, np.full_like(grey, 255)]) if alpha else grey
        (tmp_path / "output.png").write_bytes(GREY_PAM_HEADER % (1 + alpha, b"_ALPHA" * alpha) + pixels.tobytes())
        said = "picture of a grey channel and alpha" if alpha else said
    elif kind == "PFM":
        assert cv2.imwrite(str(tmp_path / "output.pfm"), grey.astype(np.float32) / 255)
        os.replace(tmp_path / "output.pfm", output)
        assert read_bgr_uint8(output).shape == (16, 16, 3)
        said = "PPM file"  # Pillow reads PFM's header
    else:
        Image.fromarray(grey).save(output, format="JPEG", comment=b"x" * 1000)
        monkeypatch.setattr(scoring, "HEADER_BYTES", 512, raising=False)
    with pytest.raises(UserError, match=rf"output '.*output.png' is a greyscale {said} \(whatever its name\) but its "
                                        "target .* is in colour"):
        scoring.read_frame_pair(target, output, None)


def test_lpips_weights_found_live_are_probed_once_a_process(monkeypatch):
    """lost_layer (0.1 s a check) ran at each check of the same weights: a conversion's two or three (as read, as
    saved, as read back) and each load of one file by evaluate.py's tests, 47 times in six of the suite's files. Weights
    found live are probed once a process; weights changed by one value are probed again, and weights refused each
    time."""
    from utils import lpips
    draw = np.random.default_rng(0)
    arrays = {name: (draw.uniform(0.05, 0.5, shape) if name in lpips.LIN_NAMES else np.zeros(shape) if len(shape) == 1
                     else draw.normal(0, (2 / np.prod(shape[1:])) ** 0.5, shape)).astype(np.float32)
              for name, shape in lpips.parameter_shapes().items()}  # AlexNet's initial draw, He's
    probes, probe_pictures = [], lpips.probe_pictures
    monkeypatch.setattr(lpips, "probe_pictures", lambda: probes.append(1) or probe_pictures())
    monkeypatch.setattr(lpips, "LIVE_WEIGHTS", set(), raising=False)
    assert [lpips.lost_layer(arrays) for _ in range(3)] == [None] * 3 and len(probes) == 1
    arrays["conv10/conv/W"][0, 0, 0, 0] += 1e-3
    assert lpips.lost_layer(arrays) is None and len(probes) == 2
    arrays["conv8/conv/b"][:] = -1e4  # its fourth and fifth layers' terms lost
    assert [lpips.lost_layer(arrays) for _ in range(2)] == [lpips.LIN_NAMES[3]] * 2 and len(probes) == 4


# Twenty-sixth pass, look at tiles, scales, backends, the ONNX cache and evaluate.py's scores

@pytest.mark.parametrize("flag, text, said", [
    ("--outscale", "1e-400", "--outscale 1e-400 gives frames less than a pixel high or wide; choose a larger factor"),
    ("--outscale", "0." + "0" * 400 + "1", "gives frames less than a pixel high or wide; choose a larger factor"),
    ("--max-memory", "1e-400", "--max-memory 1e-400 is too small a number to compute with (below about 1e-308); "
                               "give a larger one")], ids=["outscale 1e-400", "outscale of 400 zeros", "memory 1e-400"])
def test_a_positive_number_below_the_least_float_is_not_told_to_be_positive(tmp_path, capsys, flag, text, said):
    """A positive factor or budget that float() reads as 0 (1e-400) was told "--outscale must be a positive factor of
    the input's size" and "--max-memory must be a positive finite number", which it is; a factor of 1e-300 was told
    its frames are less than a pixel. Now the tiny ones are told so too."""
    import generate
    from conftest import user_error_line
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
                                           str(tmp_path / "out"), flag, text], capsys)
    assert said in line and "positive" not in line
    assert os.listdir(tmp_path) == []


# Twenty-sixth pass, second look at the twenty-sixth pass's tile, cache and score fixes

def test_a_rate_below_the_least_float_is_told_the_flags_bounds(tmp_path, capsys):
    """The first look's line of a number below the least float, "--fps 1e-400 is too small a number to compute with
    (below about 1e-308); give a larger one", was said of a flag whose least value is 0.01: 1e-300 was then refused
    again. Now its bounds, as of 1e-300."""
    import generate
    from conftest import user_error_line
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
                                           str(tmp_path / "out"), "--fps", "1e-400"], capsys)
    assert "--fps must be a positive finite number at least 0.01 and at most 1000, got 1e-400" in line
    assert "1e-308" not in line and os.listdir(tmp_path) == []


def test_a_full_disk_under_the_onnx_cache_names_the_cache_and_its_flags(tmp_path, monkeypatch):
    """write_bytes turned a full disk into its own line, "no space left on the disk of '<cache>/<stem>_flow.onnx';
    free some space (or choose another folder)", which named a folder the user may never have named (the default
    cache) and neither --cache-dir nor --backend nnabla: the cache's own line was met only by an OSError that a real
    write never raised. Now that line, the cache's folder removed."""
    import errno

    from utils import atomic_files
    backends, _, arrays, shapes, _ = counted_exports(monkeypatch)

    def commit_to_a_full_disk(staged):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(atomic_files.StagedFile, "commit", commit_to_a_full_disk)
    cache = tmp_path / "cache"
    with pytest.raises(UserError, match=rf"^cannot write the ONNX cache in '{re.escape(str(cache))}' \(No space left "
                                        r"on device\); pass a writable --cache-dir or use --backend nnabla$"):
        backends.OnnxNetworks(shapes, 1, arrays, "weights.h5", str(cache), 1, "fp32", 4)
    assert os.listdir(tmp_path) == []


def test_a_port_of_thousands_of_digits_is_a_short_line(tmp_path, capsys):
    """app.py's --port of 4,000 digits was "--port must be at most 65535, got" and every digit, a line of 4 kB."""
    import app
    from conftest import user_error_line
    line = user_error_line(app.main, ["--port", "9" * 4000, "--work-dir", str(tmp_path / "work")], capsys)
    assert "--port must be a positive finite number at most 65535, got 999" in line and len(line) < 200
    assert os.listdir(tmp_path) == []


def test_a_base_url_of_a_port_of_thousands_of_digits_is_a_short_line(tmp_path, capsys):
    """download_test_data.py's --base-url of a port of 5,000 digits was "--base-url '<the URL>' is not a URL like
    http://host:port", a line of 5 kB, which did not say that the port was wrong."""
    import download_test_data
    from conftest import user_error_line
    line = user_error_line(download_test_data.main, ["--base-url", "http://127.0.0.1:" + "9" * 5000, "--output-dir",
                                                     str(tmp_path / "out")], capsys)
    assert "is not a URL like http://host:port (a port from 1 to 65535)" in line and len(line) < 400
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("setting", ["train.save_minutes", "train.learning_rate"])
def test_a_setting_of_an_exponent_past_decimals_is_read_as_written(setting):
    """A number whose exponent has more digits than Decimal reads (1e- and twenty 9s) was float's 0.0:
    train.save_minutes was off, exit code 0, where 1e-400 saves at every iteration; train.learning_rate was "bad value
    0.0". Now it is read as 1e-400 is."""
    import train
    text = "1e-" + "9" * 20
    section, name = setting.split(".")
    value = getattr(getattr(train.parse_args(["--set", f"{setting}={text}"]), section), name)
    assert value > 0 and str(value) == text


def test_an_onnx_cache_entry_of_gigabytes_of_zeros_is_exported_again_unread(tmp_path, monkeypatch):
    """A cache entry of gigabytes of zeros (a preallocated file, a disk's damage) was read whole by onnx.load to find
    its name: past the memory, every run was "out of memory while super-resolving ...; pass a lower --max-memory or
    --tile", the entry kept. Now its bytes are told no ONNX model's by their framing alone, and it is exported again.
    (Reading past the memory stands in for the memory a real file of gigabytes takes.)"""
    import onnx

    backends, onnx_export, arrays, shapes, stem = counted_exports(monkeypatch)
    for name in backends.NETWORK_IO:
        (tmp_path / f"{stem}_{name}.onnx").write_bytes(onnx_export.stamped(ExportCounted.model, f"{stem}_{name}"))
    zeros = tmp_path / f"{stem}_flow.onnx"
    os.truncate(zeros, 2 ** 32)
    load = onnx.load
    monkeypatch.setattr(onnx, "load", lambda path, **options: (_ for _ in ()).throw(MemoryError()) if
                        os.path.getsize(path) > 2 ** 30 else load(path, **options))
    monkeypatch.setattr(backends, "CompiledNetwork", lambda *args: None)
    backends.OnnxNetworks(shapes, 1, arrays, "weights.h5", str(tmp_path), 1, "fp32", 4)
    assert len(ExportCounted.exports) == 1 and os.path.getsize(zeros) < 2 ** 20


# Twenty-sixth pass, third look at the twenty-sixth pass's tile, cache and score fixes

@pytest.mark.parametrize("setting, text, read", [
    ("gan.ratio", "١e-٤٠٠", "1e-400"), ("gan.ratio", "-١e-٤٠٠", "-1e-400"), ("train.save_minutes", "١.٥", "1.5"),
    ("train.max_iter", "١٠٠", "100")])
def test_a_setting_of_other_scripts_digits_is_read_as_its_ascii_digits(setting, text, read):
    """Only the float32 settings read other scripts' digits, by float(): '١e-٤٠٠' was 0.0 (gan.ratio off, exit code
    0) where 1e-400 is the smallest float of its sign, and train.save_minutes=١.٥ and train.max_iter=١٠٠ were "bad
    value". Now every number setting reads them as their ASCII digits, as the flags do."""
    import train
    section, name = setting.split(".")
    value = getattr(getattr(train.parse_args(["--set", f"{setting}={text}"]), section), name)
    assert str(value) == read and value != 0


def test_an_onnx_cache_entry_of_one_byte_repeated_is_exported_again_after_a_few_fields(tmp_path, monkeypatch):
    """An entry of one byte repeated (0x08: a field of two bytes, millions of them) was read field by field, a byte
    at a time, to its end: a hang for gigabytes. Now the fields an export holds at most are read, and it is exported
    again."""
    backends, onnx_export, arrays, shapes, stem = counted_exports(monkeypatch)
    for name in backends.NETWORK_IO:
        (tmp_path / f"{stem}_{name}.onnx").write_bytes(onnx_export.stamped(ExportCounted.model, f"{stem}_{name}"))
    (tmp_path / f"{stem}_flow.onnx").write_bytes(b"\x08" * 2 ** 18)
    varint, reads = onnx_export.varint, []
    monkeypatch.setattr(onnx_export, "varint", lambda file: reads.append(1) or varint(file))
    monkeypatch.setattr(backends, "CompiledNetwork", lambda *args: None)
    backends.OnnxNetworks(shapes, 1, arrays, "weights.h5", str(tmp_path), 1, "fp32", 4)
    assert len(ExportCounted.exports) == 1 and len(reads) < 2 ** 13


# Twenty-sixth pass, fourth look at the twenty-sixth pass's tile, cache and score fixes

@pytest.mark.parametrize("tail", [b"\xa2\x06\x10" + bytes(16), b"\x0a\x00", b"\x0d" + bytes(4)],
                         ids=["field 100 of 16 bytes", "ir_version as a length", "a fixed32 field"])
def test_an_onnx_cache_entry_with_a_field_no_model_has_is_exported_again(tmp_path, monkeypatch, tail):
    """A model followed by a field ModelProto has not (field 100, or one of another wire type than its number's) was
    served, its bytes read whole by onnx.load: one of field 100 claiming a GB took 5 s each run, or ran out of memory
    with the entry kept. Now only ModelProto's fields of their own kinds are taken, and the entry is exported again."""
    backends, onnx_export, arrays, shapes, stem = counted_exports(monkeypatch)
    for name in backends.NETWORK_IO:
        (tmp_path / f"{stem}_{name}.onnx").write_bytes(onnx_export.stamped(ExportCounted.model, f"{stem}_{name}"))
    with open(tmp_path / f"{stem}_flow.onnx", "ab") as entry:
        entry.write(tail)
    monkeypatch.setattr(backends, "CompiledNetwork", lambda *args: None)
    backends.OnnxNetworks(shapes, 1, arrays, "weights.h5", str(tmp_path), 1, "fp32", 4)
    assert len(ExportCounted.exports) == 1


# Twenty-seventh pass, look at tiles, scales, backends, the ONNX cache and evaluate.py's scores

def test_an_onnx_cache_entry_larger_than_its_weights_export_is_exported_again_unread(tmp_path, monkeypatch):
    """A model followed by a graph field claiming more bytes than the weights' export takes, its bytes there, was read
    whole by onnx.load each run (a GB: a GB of memory, beyond memory "out of memory" with the entry kept). Now an entry
    past its weights' size is exported again without being read."""
    onnx = pytest.importorskip("onnx")
    backends, onnx_export, arrays, shapes, stem = counted_exports(monkeypatch)
    for name in backends.NETWORK_IO:
        (tmp_path / f"{stem}_{name}.onnx").write_bytes(onnx_export.stamped(ExportCounted.model, f"{stem}_{name}"))
    most = onnx_export.most_export_bytes(arrays)
    with open(tmp_path / f"{stem}_flow.onnx", "ab") as entry:
        entry.write(b"\x3a" + bytes([0x80 | most & 0x7F, 0x80 | most >> 7 & 0x7F, most >> 14]))  # field 7 of most bytes
        entry.truncate(entry.tell() + most)
    load, sizes = onnx.load, []  # the size of each file onnx.load reads
    monkeypatch.setattr(onnx, "load", lambda path, **kw: sizes.append(os.path.getsize(path)) or load(path, **kw))
    monkeypatch.setattr(backends, "CompiledNetwork", lambda *args: None)
    backends.OnnxNetworks(shapes, 1, arrays, "weights.h5", str(tmp_path), 1, "fp32", 4)
    assert len(ExportCounted.exports) == 1 and max(sizes) < most


# Twenty-seventh pass, second look at the twenty-seventh pass's tile, cache and score fixes

@pytest.mark.parametrize("changed", [(b"nnabla", b"nn\xe1bla"), (b"\x10\x0d", b"\x10\x0b")],
                         ids=["producer-of-invalid-utf8", "opset-13-made-11"])
def test_an_onnx_cache_entry_changed_outside_its_graph_is_exported_again(tmp_path, monkeypatch, changed):
    """The digest covered the graph alone: an entry whose producer's name was made invalid UTF-8 on disk was served
    with libprotobuf's "String field 'onnx.ModelProto.producer_name' contains invalid UTF-8 data" at each run, and
    one of another opset was served as it was. Now the digest covers every field, and such an entry is exported
    again."""
    onnx = pytest.importorskip("onnx")
    backends, onnx_export, arrays, shapes, stem = counted_exports(monkeypatch)
    monkeypatch.setattr(ExportCounted, "model", onnx.helper.make_model(
        onnx.helper.make_graph([], "empty", [], []), producer_name="nnabla",
        opset_imports=[onnx.helper.make_opsetid("", 13)]).SerializeToString())
    for name in backends.NETWORK_IO:
        entry = onnx_export.stamped(ExportCounted.model, f"{stem}_{name}")
        (tmp_path / f"{stem}_{name}.onnx").write_bytes(entry.replace(*changed) if name == "trunk" else entry)
    monkeypatch.setattr(backends, "CompiledNetwork", lambda *args: None)
    backends.OnnxNetworks(shapes, 1, arrays, "weights.h5", str(tmp_path), 1, "fp32", 4)
    assert len(ExportCounted.exports) == 1


@pytest.mark.parametrize("backend", ["nnabla", "openvino"])
def test_a_budget_under_the_process_s_own_bytes_is_not_told_to_use_smaller_frames(backend):
    """--max-memory 0.001 on 17x1 LR frames was told "raise --max-memory or use smaller frames": the least budget is
    the process's and the networks' smallest windows', which no smaller frame fits in. A budget that frames of fewer
    pixels fit in is still told so."""
    from inference.tiles import PROCESS_BYTES, TilePlan
    with pytest.raises(UserError, match=r"^--max-memory 0.001 GB is too small for 17x1 LR frames even with the "
                                        r"smallest tiles \(needs at least .* GB\); raise --max-memory$"):
        TilePlan(1, 17, 10, budget=0.001 * 2 ** 30, backend=backend)
    with pytest.raises(UserError, match=r"; raise --max-memory or use smaller frames$"):
        TilePlan(1080, 1920, 10, budget=PROCESS_BYTES[backend] * 1.05, backend=backend)


# Twenty-seventh pass, third look at the twenty-seventh pass's tile, cache and score fixes

@pytest.mark.parametrize("backend", ["nnabla", "openvino"])
def test_a_budget_no_frame_fits_is_not_told_to_use_smaller_frames(backend):
    """Budgets from the process's own bytes to some MB over them were told "raise --max-memory or use smaller frames"
    (mpirun's shared default "... free memory or use smaller frames"), where 1x1 frames do not fit either. Now the
    least budget that smaller frames are advised at fits 1x1 frames."""
    from inference.tiles import PROCESS_BYTES, TilePlan
    budget = PROCESS_BYTES[backend] + 2 ** 20
    with pytest.raises(UserError, match=r"is too small for 1x1 LR frames .*; raise --max-memory$"):
        TilePlan(1, 1, 10, budget=budget, backend=backend)
    with pytest.raises(UserError, match=r"is too small for 1920x1080 LR frames .*; raise --max-memory$"):
        TilePlan(1080, 1920, 10, budget=budget, backend=backend)
    # (one process's whole half does not fit these frames either: fewer processes are not named, the twenty-eighth
    # pass's second look)
    with pytest.raises(UserError, match=r"shared by 3 processes .*; free memory$"):
        TilePlan(1080, 1920, 10, budget=budget, budget_given=False, backend=backend, shared_by=3)
    least = TilePlan(1080, 1920, 10, budget=2 ** 40, backend=backend).smallest_frames_bytes()
    TilePlan(1, 1, 10, budget=least, backend=backend)
    with pytest.raises(UserError, match=r"; raise --max-memory or use smaller frames$"):
        TilePlan(1080, 1920, 10, budget=least, backend=backend)


# Twenty-seventh pass, fourth look at the twenty-seventh pass's tile, cache and score fixes

@pytest.mark.parametrize("backend, scale, sides", [("nnabla", 4, (1, 1)), ("openvino", 2, (5, 8))])
def test_the_smallest_frames_written_resized_are_told_to_write_smaller_frames_not_to_use_smaller_ones(backend, scale,
                                                                                                     sides):
    """1x1 to 8x8 LR frames written resized (--outscale 8: 64 pixels; 16 Mpx) in a budget that frames written smaller
    fit were told "raise --max-memory or use smaller frames, or write smaller ones": no frame is smaller."""
    from inference.tiles import TilePlan
    for written in (64, 16 * 2 ** 20):
        least = TilePlan(*sides, 10, budget=2 ** 40, scale=scale, written_pixels=written,
                         backend=backend).smallest_frames_bytes()
        with pytest.raises(UserError, match=r"; raise --max-memory or write smaller frames$"):
            TilePlan(*sides, 10, budget=least, scale=scale, written_pixels=written, backend=backend)


# Twenty-eighth pass, look at tiles, scales, backends, the ONNX cache and evaluate.py's scores

def least_budget(height, width, written_pixels, backend):
    """The least budget of LR frames of height x width written at written_pixels, from the plan's own figures."""
    from inference.tiles import TilePlan
    plan = TilePlan(height, width, 10, budget=2 ** 40, written_pixels=written_pixels, backend=backend)
    return plan.smallest_bytes(plan.frame_bytes())


@pytest.mark.parametrize("backend", ["nnabla", "openvino"])
@pytest.mark.parametrize("sides, written, fixed, fitting, advice", [
    ((64, 64), 4096 * 4096, True, (64, 64, 1), "write smaller frames"),
    ((2160, 3840), 2160 * 3840, False, (1, 1, 1), "use smaller frames"),
    ((1080, 1920), 4096 * 4096, True, (1, 1, 1), "use smaller frames and write them smaller")])
def test_a_too_small_budget_advises_only_what_fits_it(backend, sides, written, fixed, fitting, advice):
    """Frames written resized were told "raise --max-memory or use smaller frames, or write smaller ones" where only one
    half fitted or only both together: 64x64 frames of a fixed --output-size of 16 Mpx (smaller frames are written at
    it too), 3840x2160 frames at --outscale 1 (their HR frames alone take GBs), 1920x1080 frames at 16 Mpx."""
    from inference.tiles import TilePlan
    budget = least_budget(*fitting, backend)
    with pytest.raises(UserError, match=rf"; raise --max-memory or {advice}$"):
        TilePlan(*sides, 10, budget=budget, written_pixels=written, backend=backend, written_fixed=fixed)


# Twenty-eighth pass, second look at the twenty-eighth pass's tile, cache and score fixes

@pytest.mark.parametrize("backend", ["nnabla", "openvino"])
@pytest.mark.parametrize("sides", [(64, 64), (1, 4001), (2160, 3840)])
def test_mpirun_s_shared_default_budget_names_fewer_processes_only_where_one_process_s_fits(backend, sides):
    """mpirun -n 2's share of the default budget was told "run fewer processes (mpirun -n), free memory" where -n 1's
    whole half is too small for these frames too. Now fewer processes are named where one process's budget fits."""
    from inference.tiles import TilePlan
    least = least_budget(*sides, None, backend)
    with pytest.raises(UserError, match=r"shared by 2 processes .*; free memory( or use smaller frames)?$"):
        TilePlan(*sides, 10, budget=least / 2.5, budget_given=False, backend=backend, shared_by=2)
    with pytest.raises(UserError, match=r"shared by 2 processes .*; run fewer processes \(mpirun -n\), free memory"):
        TilePlan(*sides, 10, budget=least / 2, budget_given=False, backend=backend, shared_by=2)
    TilePlan(*sides, 10, budget=least, budget_given=False, backend=backend)  # -n 1's whole half
