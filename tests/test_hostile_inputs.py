"""Hostile inputs and conditions across the entry scripts: each ends with one line and exit code 2 (130 for a
stop), leaves nothing partial and overwrites nothing."""
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import REPO_ROOT, reference_path, shared_path
from helpers import mpi_environment, MPIRUN

from utils.errors import UserError, exit_on_user_error
from utils.paths import BUNDLED_MODEL

WEIGHTS = reference_path("parity_generate", "weights.h5")
FRAMES = reference_path("parity_generate", "lr")


def run_script(*argv, timeout=120, **popen):
    return subprocess.run([sys.executable, *argv],
                          cwd=REPO_ROOT,
                          capture_output=True,
                          text=True,
                          timeout=timeout,
                          **popen)


def assert_one_error_line(completed, *fragments):
    # matplotlib says once that it built its font cache (the tests' cache folder is new)
    lines = [line for line in completed.stderr.splitlines() if line.strip() and "[matplotlib." not in line]
    assert completed.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), completed.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@pytest.mark.parametrize("script", [["train.py"], ["evaluate.py"], ["-m", "authors_scripts.dataPrepare"],
                                    ["generate.py"], ["download_test_data.py"]],
                         ids=lambda script: script[-1])
def test_a_flag_typo_is_one_line_naming_it(script):
    assert_one_error_line(run_script(*script, "--outptu-dir", "x"), "--outptu-dir", "--help")


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_while_generate_imports_its_libraries_is_one_line_and_130(signal_number):
    process = subprocess.Popen([sys.executable, "generate.py", "--model", WEIGHTS, "--input-dir-lr", FRAMES],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    process.send_signal(signal_number)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and err.splitlines() == ["interrupted"], err


def child_pids(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as file:
        return [int(child) for child in file.read().split()]


@pytest.mark.parametrize("script", ["train", "evaluate"])
def test_sigterm_during_start_up_is_one_line_and_130(script):
    """After the libraries are loaded, while the flags are read (before any stop handler of the work
    itself)."""
    process = subprocess.Popen([sys.executable, "-c", f"import signal, os, {script}\n"
                                f"{script}.parse_args = lambda argv: os.kill(os.getpid(), signal.SIGTERM)\n"
                                f"{script}.main([])"],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130 and err.splitlines()[-1] == "interrupted", err


@pytest.mark.parametrize("text, message", [("\u00b3\n", "'³' is not a frame number"),
                                           ("\u0663\n", "is not a frame number"),
                                           ("9" * 5000 + "\n", "is outside the frames"),
                                           ("\ufeff3\n5\n", None)],
                         ids=["superscript digit", "Arabic-Indic digit", "5000 digits", "byte-order mark"])
def test_a_cuts_file_with_unusual_characters_is_read_or_refused_in_one_line(tmp_path, text, message):
    from utils.scenes import read_cuts_file
    path = tmp_path / "cuts.txt"
    path.write_text(text, encoding="utf-8")
    if message is None:
        assert read_cuts_file(str(path), 10) == [3, 5]
    else:
        with pytest.raises(UserError, match=message):
            read_cuts_file(str(path), 10)


def test_a_cut_just_after_start_is_found(tmp_path):
    from clips import write_joined_clip
    from utils.scenes import detect_cuts
    path, _ = write_joined_clip(str(tmp_path), [("bikes.mp4", 0, 8), ("carphone_pristine.mp4", 0, 8)],
                                (96, 64))
    assert detect_cuts(path, 0, 16) == [8]
    assert detect_cuts(path, 6, 16) == [8]  # the part's first shot is 2 frames long




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


def ffmpeg_video(path, *output_options, frames=60, size="64x48"):
    from utils.image_io import ffmpeg_executable
    subprocess.run([
        ffmpeg_executable(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size={size}:rate=10",
        "-frames:v",
        str(frames), *output_options,
        str(path)
    ],
                   check=True)
    return str(path)


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


def test_a_raw_h264_stream_without_a_frame_count_is_read_whole(tmp_path):
    from utils.image_io import VideoReader
    reader = VideoReader(ffmpeg_video(tmp_path / "clip.h264", "-c:v", "libx264", "-f", "h264", frames=12))
    reader.select("2", None)
    assert reader.total_frames == 12 and len(list(reader)) == 10


def test_a_picture_renamed_mp4_is_one_line(tmp_path):
    from utils.image_io import VideoReader
    path = tmp_path / "photo.mp4"
    path.write_bytes(open(os.path.join(FRAMES, "lr_0001.png"), "rb").read())
    with pytest.raises(UserError, match="photo.mp4"):
        VideoReader(str(path)).select("0", None)


def test_a_video_turned_by_rotation_metadata_turns_its_sample_aspect_ratio_too(tmp_path):
    from utils.image_io import VideoReader, ffmpeg_executable
    plain = ffmpeg_video(tmp_path / "plain.mp4",
                         "-vf",
                         "setsar=2/1",
                         "-c:v",
                         "libx264",
                         "-pix_fmt",
                         "yuv420p",
                         frames=3)
    turned = str(tmp_path / "turned.mp4")
    subprocess.run([
        ffmpeg_executable(), "-loglevel", "error", "-display_rotation", "90", "-i", plain, "-c", "copy",
        turned
    ],
                   check=True)
    reader = VideoReader(turned)
    assert next(iter(reader)).shape[:2] == (64, 48)  # upright: 48 wide
    assert reader.sample_aspect == (1, 2) and VideoReader(plain).sample_aspect == (2, 1)


def test_odd_sized_hr_frames_make_a_video_padded_to_even_sides(tmp_path):
    import cv2

    import generate
    from utils.image_io import list_frames
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


def test_a_huge_data_max_frm_is_one_line_at_once(tmp_path):
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    completed = run_script("train.py", *tiny_training_flags(scenes, tmp_path / "out", **{
        "data.max_frm": 10 ** 20, "train.max_iter": 1}), timeout=60)
    assert_one_error_line(completed, "no usable scene", "data.max_frm=11")


@pytest.mark.parametrize("rows", ["iteration,PSNR\n2,20.0\n4,25.0\n6,22.0\n", ""], ids=["rows", "no row"])
def test_a_best_model_left_without_its_row_by_a_kill_is_made_the_best_rows_again_at_resume(tmp_path, rows):
    """kill -9 between writing model_best.h5 and its val.csv row; the resumed run starts from checkpoint 6."""
    from training.validation import BEST_MODEL, Validation
    for iteration in (2, 4, 6, 8):
        (tmp_path / f"model_param_{iteration:08d}.h5").write_bytes(f"model {iteration}".encode())
    if rows:
        (tmp_path / "val.csv").write_text(rows)
    (tmp_path / BEST_MODEL).write_bytes(b"model 8")  # validated at 8, better, its row never written
    Validation([], str(tmp_path), 6, "psnr", "cpu")
    if rows:
        assert (tmp_path / BEST_MODEL).read_bytes() == b"model 4"
    else:
        assert not (tmp_path / BEST_MODEL).exists()


@pytest.mark.parametrize("blocked, kind, settings", [("losses.csv", "folder", {}),
                                                     ("tensorboard", "file", {"train.tensorboard": "true"}),
                                                     ("model_param_00000001.h5", "folder", {}),
                                                     ("params_00000001.h5", "folder", {})])
def test_a_training_output_blocked_by_the_other_kind_is_one_line_before_training(
        tmp_path, blocked, kind, settings):
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    out = tmp_path / "out"
    out.mkdir()
    (out / blocked).mkdir() if kind == "folder" else (out / blocked).write_text("x")
    completed = run_script("train.py", *tiny_training_flags(scenes, out, **{"train.max_iter": 1, **settings}),
                           timeout=120)
    assert_one_error_line(completed, str(out / blocked))
    assert sorted(os.listdir(out)) == [blocked]


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a 300 KB tmpfs (mounted when this runs as root), else on an ordinary disk whose writes
    through utils.image_io report ENOSPC (patched), as a full disk does."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs",
         str(folder)], capture_output=True).returncode == 0
    yield folder, mounted
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_while_writing_frames_is_one_line(small_disk, monkeypatch, capsys):
    import errno

    import generate
    from utils import image_io
    folder, mounted = small_disk
    if not mounted:
        committed, commit = [], image_io.StagedFile.commit

        def commit_until_full(staged):
            if len(committed) == 3:
                raise OSError(errno.ENOSPC, "No space left on device")
            committed.append(staged.path)
            commit(staged)
        monkeypatch.setattr(image_io.StagedFile, "commit", commit_until_full)
    with pytest.raises(SystemExit) as exit_info:
        generate.main([
            "--model", WEIGHTS, "--input-dir-lr",
            shared_path("data", "calendar_lr"), "--output-dir",
            str(folder / "out")
        ])
    assert exit_info.value.code == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert "no space left on the disk of" in line
    assert not [name for name in os.listdir(folder / "out") if name.startswith(".") and "tmp" in name]


def test_evaluate_offers_only_what_it_takes_for_scene_cuts_and_refuses_an_output_that_is_an_input(tmp_path):
    frames = tmp_path / "frames"
    frames.mkdir()
    from utils.image_io import list_frames
    for index, path in enumerate(list_frames(shared_path("data", "calendar_lr"))[:5]):
        os.symlink(path, frames / f"{index:04d}.png")
    line = assert_one_error_line(
        run_script("evaluate.py", "--results", str(frames), "--targets", str(frames), "--output",
                   str(tmp_path / "out"), "--scene-cuts", "auto", "--quick"),
        "is not a file; pass a file of frame numbers")
    assert "off" not in line
    assert_one_error_line(
        run_script("evaluate.py", "--results", str(frames), "--targets", str(frames), "--output", str(frames),
                   "--quick"), "is the same file or folder as --results")
    assert sorted(os.listdir(frames)) == [f"{index:04d}.png" for index in range(5)]


def test_an_empty_validation_clip_is_called_a_validation_clip(tmp_path):
    from training.validation import read_clip
    (tmp_path / "clip").mkdir()
    with pytest.raises(UserError) as error:
        read_clip(str(tmp_path / "clip"), 10, 64, "bd", 4)
    assert str(error.value).startswith(f"validation clip '{tmp_path / 'clip'}' has no images")
    assert "LR frames" not in str(error.value)


def test_the_demo_refuses_a_clip_too_large_for_the_free_memory_in_one_line(tmp_path, monkeypatch, capsys):
    import demo
    monkeypatch.setattr(demo, "available_memory", lambda: 2 ** 30)  # 1 GB free: about one 4K frame
    video = ffmpeg_video(tmp_path / "uhd.mp4",
                         "-c:v",
                         "libx264",
                         "-pix_fmt",
                         "yuv420p",
                         frames=6,
                         size="3840x2160")
    with pytest.raises(SystemExit) as exit_info:
        demo.main(["--video", video, "--frames", "6", "--output", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert "6 frames of 3840x2160" in line and "pass a --region" in line
    assert not (tmp_path / "out").exists()


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
    process = mpirun_generate("--input-dir-lr", shared_path("data", "calendar_lr"), "--output-dir", str(out),
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
    process = mpirun_generate("--input-dir-lr", os.path.join(os.path.dirname(REPO_ROOT), "shared", "data",
                                                             "calendar_lr"), "--output-dir", str(out),
                              "--output-video", str(video))
    try:
        wait_for_a_frame(out, process)
        process.send_signal(signal.SIGUSR1)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130 and "interrupted" in err, err[-2000:]
    assert os.listdir(video.parent) == []


# The second pass of issue 28: the same kinds of input with other values and files (docs/testing.md).

@pytest.mark.parametrize("key, text, value", [
    ("train.save_freq", "017", 17), ("train.save_freq", "1_000", 1000), ("train.save_minutes", "1e3", 1000.0),
    ("train.save_freq", "1:20", None), ("train.save_freq", "0x10", None),
    ("train.save_freq", "!!float abc", None),
    ("train.save_freq", "9" * 5000, None), ("train.seed", "!!timestamp x", None),
    ("train.save_freq", "[" * 3000 + "]" * 3000, None), ("train.num_resblock", "10000000000", None),
], ids=["leading zero", "underscores", "exponent without a dot", "sexagesimal", "hexadecimal", "bad tag",
        "5000 digits", "bad timestamp", "nested 3000 deep", "10^10 residual blocks"])
def test_a_setting_value_is_a_plain_number_or_one_short_line(key, text, value):
    """YAML 1.2's whole numbers (YAML 1.1 reads 017 as 15 and 1:20 as 80), and values PyYAML cannot build
    refused like any other bad value."""
    from training.config import load_config, parse_value
    if value is None:
        with pytest.raises(UserError, match=f"^bad value .* for {key}: expected") as error:
            load_config(overrides={key: parse_value(text)})
        assert len(str(error.value)) < 200
    else:
        section, name = key.split(".")
        assert getattr(getattr(load_config(overrides={key: parse_value(text)}), section), name) == value


@pytest.mark.parametrize("content, message", [
    *((f"train:\n  save_freq: {value}\n", "is not valid YAML;")
      for value in ("!!float abc", "!!timestamp x", "9" * 5000, "[" * 3000 + "]" * 3000)),
    ("train:\n  seed: 1\ngan:\n  ratio: 1\ntrain:\n  seed: 2\n", "at line 5 ('train' is given twice)"),
], ids=["bad tag", "bad timestamp", "5000 digits", "nested 3000 deep", "a section twice"])
def test_a_config_file_that_yaml_cannot_build_or_that_sets_a_key_twice_is_one_line(tmp_path, content,
                                                                                  message):
    from training.config import load_config
    path = tmp_path / "my.yaml"
    path.write_text(content)
    with pytest.raises(UserError, match=re.escape(message)):
        load_config(str(path))


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


@pytest.mark.parametrize("extension", ["png", "jpg"])
def test_an_image_cut_short_is_one_line_and_nothing_from_its_decoder(tmp_path, capfd, extension):
    """libpng prints its own error and libjpeg decodes the missing rows grey, with a warning."""
    import cv2

    from utils.image_io import read_rgb
    path = str(tmp_path / f"frame.{extension}")
    cv2.imwrite(path, np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8))
    data = open(path, "rb").read()
    open(path, "wb").write(data[:len(data) // 2])
    capfd.readouterr()
    with pytest.raises(UserError, match="the file is cut short"):
        read_rgb(path)
    assert capfd.readouterr().err == ""


def test_an_empty_video_file_is_one_line_and_nothing_from_ffmpeg(tmp_path, capfd):
    from utils.image_io import VideoReader
    (tmp_path / "empty.mp4").write_bytes(b"")
    capfd.readouterr()
    with pytest.raises(UserError, match="cannot open video"):
        VideoReader(str(tmp_path / "empty.mp4"))
    assert capfd.readouterr().err == ""


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


@pytest.mark.parametrize("flags, message", [
    (["--keep-minutes", "1e308"], "--keep-minutes must be a positive finite number at most 1e+06"),
    (["--max-upload-mb", "9" * 23], "--max-upload-mb must be a positive finite number at most 1e+06"),
], ids=["keep-minutes 1e308", "max-upload-mb 23 digits"])
def test_app_numbers_past_what_the_page_and_its_timer_hold_are_one_line(tmp_path, capsys, flags, message):
    import app
    from conftest import user_error_line
    line = user_error_line(app.main, ["--work-dir", str(tmp_path / "work"), *flags], capsys)
    assert message in line
    assert not (tmp_path / "work").exists()


def test_data_prepare_refuses_a_scene_start_given_twice():
    from authors_scripts.dataPrepare import parse_starts
    with pytest.raises(UserError, match="names frame 0 twice"):
        parse_starts("0,300,0")


@pytest.mark.parametrize("blocked", ["frames.csv", "metrics.md"])
def test_evaluate_with_a_folder_where_its_report_goes_is_one_line_before_scoring(tmp_path, capsys, blocked):
    import evaluate
    from conftest import user_error_line
    (tmp_path / "out" / blocked).mkdir(parents=True)
    calendar = shared_path("data", "calendar_lr")
    line = user_error_line(evaluate.main, ["--results", calendar, "--targets", calendar, "--output",
                                           str(tmp_path / "out"), "--quick"], capsys)
    assert f"holds a folder named {blocked}" in line
    assert os.listdir(tmp_path / "out") == [blocked]


def test_an_atomic_write_onto_a_folder_is_one_line_and_leaves_no_temporary(tmp_path):
    from utils.image_io import write_atomically
    (tmp_path / "model_best.h5").mkdir()
    with pytest.raises(UserError, match="a folder of that name is in the way"):
        write_atomically(str(tmp_path / "model_best.h5"), lambda temporary: open(temporary, "w").close())
    assert os.listdir(tmp_path) == ["model_best.h5"]


def test_a_user_error_every_rank_of_mpirun_train_meets_is_printed_once_and_exits_2():
    for _ in range(3):  # each process used to print it: twice in about one run of three
        finished = subprocess.run([MPIRUN, "-n", "2", sys.executable, "train.py", "--set", "train.scale=3"],
                                  cwd=REPO_ROOT, env=mpi_environment(), capture_output=True, text=True,
                                  timeout=120)
        ours = [line for line in finished.stderr.splitlines() if line.startswith("error: ")]
        assert ours == ["error: bad value 3 for train.scale: expected one of 2, 4"], finished.stderr
        assert finished.returncode == 2


def test_a_user_error_on_another_rank_only_is_printed_after_a_moment(capsys):
    """A rank but 0 that alone meets an error still reports it, once rank 0 had the time to go first."""
    started = time.monotonic()
    with pytest.raises(SystemExit) as exit_info, exit_on_user_error(report_after=0.3):
        raise UserError("only here")
    assert exit_info.value.code == 2 and time.monotonic() - started >= 0.3
    assert capsys.readouterr().err == "error: only here\n"


def test_a_process_knows_how_long_ago_it_started():
    """train.py's ranks but 0 wait that long again before a user error's line: rank 0, slower to import on a
    loaded machine, printed its line after them."""
    code = ("import time; time.sleep(1.5); from utils.distributed import seconds_since_start; "
            "print(seconds_since_start())")
    finished = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
                              check=True)
    assert 1.5 <= float(finished.stdout) < 60
    from utils.distributed import seconds_since_start
    before = seconds_since_start()
    time.sleep(0.3)
    assert 0.25 <= seconds_since_start() - before < 5


# The third pass

@pytest.mark.parametrize("script, flag", [("generate", "--input-dir-lr"), ("generate", "--input-video"),
                                          ("generate", "--output-dir"), ("generate", "--output-video"),
                                          ("generate", "--cache-dir"), ("evaluate", "--scene-cuts"),
                                          ("evaluate", "--lpips-weights"), ("demo", "--video"),
                                          ("demo", "--region"), ("train", "--cfg")])
def test_an_empty_path_or_region_is_one_line_not_the_default_or_nothing(tmp_path, capsys, script, flag):
    """An empty value used to read as the flag left out: generate.py super-resolved and wrote nothing
    (--output-dir ''), the demo ran on its default clip (--video ''), train.py on config.yaml alone (--cfg '')."""
    import importlib

    from conftest import user_error_line
    given = {"generate": {"--model": WEIGHTS, "--input-dir-lr": FRAMES, "--output-dir": str(tmp_path / "out")},
             "evaluate": {"--results": FRAMES, "--targets": FRAMES, "--output": str(tmp_path / "out")},
             "demo": {"--model": WEIGHTS, "--output": str(tmp_path / "out")},
             "train": {"--output_dir": str(tmp_path / "out")}}[script]
    if flag.startswith("--input"):
        del given["--input-dir-lr"]  # the inputs exclude each other
    given[flag] = ""
    line = user_error_line(importlib.import_module(script).main, [text for pair in given.items() for text in pair],
                           capsys)
    assert f"{flag} is empty" in line
    assert os.listdir(tmp_path) == []


def test_a_zip_without_members_is_a_zip_without_frames(tmp_path):
    """It was an error about a missing unpacking folder, naming the job's folder on the server."""
    import zipfile

    from webapp.inputs import upload_input
    zipfile.ZipFile(tmp_path / "empty.zip", "w").close()
    with pytest.raises(UserError, match=r"^'empty.zip' holds no frames"):
        upload_input(str(tmp_path / "empty.zip"), "empty.zip", "", "", str(tmp_path / "job"), 2 ** 30)


def test_an_upload_named_with_an_extension_past_the_file_name_limit_is_read(tmp_path):
    """Its copy kept the extension, a name the file system refuses: OSError, not a message."""
    from helpers import fixture_frames_video
    from webapp.inputs import upload_input
    video = fixture_frames_video(tmp_path / "clip.mp4")
    job = upload_input(video, "clip." + "x" * 300, "", "", str(tmp_path / "job"), 2 ** 30)
    assert job["kind"] == "video" and job["frames"] == 8


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

def decoded_count(path):
    """Frames OpenCV decodes from a video, read to its end: the count its container announces aside."""
    import cv2
    capture, count = cv2.VideoCapture(path), 0
    while capture.grab():
        count += 1
    return count


def test_a_video_with_more_frames_than_its_container_announces_is_read_to_its_last_frame(tmp_path, capsys):
    """An MPEG program stream's count is estimated from its duration: generate.py wrote 3 of 8 frames, exit 0."""
    import cv2

    import generate
    video = ffmpeg_video(tmp_path / "clip.mpg", "-c:v", "mpeg2video", frames=8)
    assert cv2.VideoCapture(video).get(cv2.CAP_PROP_FRAME_COUNT) < decoded_count(video) == 8
    generate.main(["--model", WEIGHTS, "--input-video", video, "--output-dir", str(tmp_path / "out"),
                   "--scene-cuts", "off"])
    assert sorted(os.listdir(tmp_path / "out")) == [f"output_clip_{index:04d}.png" for index in range(1, 9)]


def test_an_mp4_cut_by_stream_copy_is_read_whole_not_called_truncated(tmp_path):
    """`ffmpeg -ss T -c copy` writes an edit list that hides frames its count includes: the clip was refused
    as truncated or damaged."""
    from utils.image_io import VideoReader, ffmpeg_executable
    whole = ffmpeg_video(tmp_path / "whole.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", frames=12)
    cut = str(tmp_path / "cut.mp4")
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-ss", "0.25", "-i", whole, "-c", "copy", cut],
                   check=True)
    reader = VideoReader(cut)
    assert reader.total_frames > decoded_count(cut)
    assert len(list(reader)) == decoded_count(cut)


def test_a_y4m_video_gets_no_lines_from_the_scene_detector(tmp_path, capfd):
    """PySceneDetect logged five lines of a codec it could not name, and then read the video."""
    from utils.scenes import detect_cuts
    video = ffmpeg_video(tmp_path / "clip.y4m", "-pix_fmt", "yuv420p", frames=12)
    capfd.readouterr()
    assert detect_cuts(video) == []
    assert capfd.readouterr().err == ""


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


def test_a_video_whose_place_became_a_folder_leaves_no_temporary(tmp_path):
    from utils.image_io import open_video_writer
    video = open_video_writer(str(tmp_path / "out.mp4"), 10, 16, 16)
    video.write(np.zeros((16, 16, 3), np.uint8))
    (tmp_path / "out.mp4").mkdir()
    with pytest.raises(UserError, match="a folder of that name is in the way"):
        video.close()
    assert os.listdir(tmp_path) == ["out.mp4"]


def test_an_output_name_too_long_for_the_file_system_is_one_line_before_anything_is_written(tmp_path, capsys):
    """OSError (file name too long) at the first frame, after the work had started."""
    import generate
    from conftest import user_error_line
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
                                           str(tmp_path / "out"), "--output-name", "n" * 240], capsys)
    assert "is too long" in line and "--output-name" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["folder", "link to a folder"])
def test_a_folder_named_like_a_frame_is_called_a_folder(tmp_path, kind):
    """It was "cannot read image (Is a directory); check its permissions"."""
    from utils.image_io import list_frames
    (tmp_path / "0001.png").write_bytes(open(os.path.join(FRAMES, "lr_0001.png"), "rb").read())
    if kind == "folder":
        (tmp_path / "0002.png").mkdir()
    else:
        os.symlink(tmp_path, tmp_path / "0002.png")
    with pytest.raises(UserError, match=r"0002.png' is a folder, not an image file"):
        list_frames(str(tmp_path))


def test_a_png_with_damaged_data_is_one_line_and_nothing_from_libpng(tmp_path, capfd):
    """Bytes changed inside its image data (a bad disk or copy): libpng printed its own line beside ours."""
    import cv2

    from utils.image_io import read_rgb
    path = tmp_path / "frame.png"
    cv2.imwrite(str(path), np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8))
    data = bytearray(path.read_bytes())
    start = data.find(b"IDAT") + 24
    data[start:start + 8] = bytes(byte ^ 0x5A for byte in data[start:start + 8])
    path.write_bytes(bytes(data))
    capfd.readouterr()
    with pytest.raises(UserError, match="the file is damaged"):
        read_rgb(str(path))
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("flags", [["--outscale", "1e308"], ["--output-size", "1" * 5000 + "x10"]],
                         ids=["outscale 1e308", "a side of 5000 digits"])
def test_an_output_size_past_what_a_number_holds_is_one_line(tmp_path, capsys, flags):
    """OverflowError (1e308 times the frame's side is infinite) and ValueError (int() of 5000 digits)."""
    import generate
    from conftest import user_error_line
    line = user_error_line(generate.main, ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
                                           str(tmp_path / "out"), *flags], capsys)
    assert flags[0] in line and not (tmp_path / "out").exists()


def test_the_demo_sizes_its_memory_by_the_frames_the_clip_has(tmp_path):
    """--frames beyond the clip's length was refused for the memory of frames that do not exist."""
    import demo
    video = ffmpeg_video(tmp_path / "clip.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", frames=6, size="64x64")
    assert demo.read_frames(video, 10 ** 9, None).shape == (6, 64, 64, 3)


def test_a_demo_folder_with_a_file_where_its_frames_go_is_one_line_before_any_work(tmp_path):
    """FileExistsError when the demo made its lr/ folder, after the model and the clip were read."""
    import demo
    out = tmp_path / "demo"
    out.mkdir()
    (out / demo.DEMO_MARK).write_text("written by demo.py\n")
    (out / "lr").write_text("a user's notes\n")
    with pytest.raises(UserError, match="holds a file named lr"):
        demo.check_output(str(out), str(tmp_path / "clip.mp4"))


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
    assert sorted(os.listdir(folder / "out")) == []


def stop_generate_mid_run(tmp_path, ignore_hangup=False):
    """generate.py writing a video, sent SIGHUP once it has written a frame: (exit code, stderr)."""
    video = ffmpeg_video(tmp_path / "clip.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", frames=40)
    process = subprocess.Popen(
        [sys.executable, "generate.py", "--model", BUNDLED_MODEL, "--backend", "nnabla", "--input-video", video,
         "--output-video", str(tmp_path / "out.mp4"), "--scene-cuts", "off"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=(lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN)) if ignore_hangup else None)
    deadline = time.time() + 120
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
    assert decoded_count(str(tmp_path / "out.mp4")) == 40


def test_an_invisible_character_in_a_cuts_file_is_shown_by_its_code(tmp_path):
    """A zero-width space pasted from a web page after a number: the message read "'3' is not a frame number"."""
    from utils.scenes import read_cuts_file
    path = tmp_path / "cuts.txt"
    path.write_text("3\u200b\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"'3\\u200b' is not a frame number"):
        read_cuts_file(str(path), 10)


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


def test_a_png_whose_text_chunk_fails_its_checksum_is_still_read(tmp_path):
    """Only the header, palette and image data decide: libpng decodes the picture and drops the chunk."""
    import struct
    import zlib

    import cv2

    from utils.image_io import read_rgb
    pixels = np.random.default_rng(0).integers(0, 256, (16, 16, 3), np.uint8)
    data = cv2.imencode(".png", pixels)[1].tobytes()
    body = b"tEXtComment\0hello"
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body) ^ 1)
    header_end = 8 + 12 + 13
    (tmp_path / "frame.png").write_bytes(data[:header_end] + chunk + data[header_end:])
    assert np.array_equal(read_rgb(str(tmp_path / "frame.png")), pixels[:, :, ::-1] / np.float32(255))


def test_an_end_past_the_count_an_mpeg_stream_announces_counts_its_frames(tmp_path):
    """--end 8 on such a clip of 8 frames was refused as past its end."""
    from utils.image_io import VideoReader
    video = ffmpeg_video(tmp_path / "clip.mpg", "-c:v", "mpeg2video", frames=8)
    reader = VideoReader(video)
    assert reader.total_frames < 8
    reader.select("1", "8")
    assert len(list(reader)) == 7
    with pytest.raises(UserError, match="past the end"):
        VideoReader(video).select(None, "9")


def test_evaluate_leaves_no_output_folder_when_a_frame_cannot_be_scored(tmp_path, capsys):
    """It made the folder before scoring, and a damaged frame found while scoring left it empty."""
    import shutil

    import evaluate
    from conftest import user_error_line
    for folder in ("results", "targets"):
        (tmp_path / folder).mkdir()
        for index in range(1, 7):
            shutil.copy(shared_path("data", "calendar_lr", f"{index:04d}.png"), tmp_path / folder)
    (tmp_path / "results" / "0004.png").write_bytes(b"not a picture")
    line = user_error_line(evaluate.main, ["--results", str(tmp_path / "results"), "--targets",
                                           str(tmp_path / "targets"), "--output", str(tmp_path / "eval"), "--quick"],
                           capsys)
    assert "0004.png" in line and not (tmp_path / "eval").exists()


def test_a_validation_picture_blocked_by_a_folder_is_one_line_before_training(tmp_path):
    """It stopped the run at its first validation, after training, losing that iteration's checkpoint."""
    from training_data import make_calendar_scenes, make_sequence_folders, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    clips = make_sequence_folders(tmp_path / "val", {"clip": 6})
    blocked = tmp_path / "out" / "validation" / "iteration_00000002.png"
    blocked.mkdir(parents=True)
    completed = run_script("train.py", *tiny_training_flags(scenes, tmp_path / "out", **{
        "train.max_iter": 2, "train.val_freq": 2, "data.val_dir": clips}), timeout=120)
    assert_one_error_line(completed, f"'{blocked}' is a folder, where train.py writes a file")
    assert sorted(os.listdir(tmp_path / "out")) == ["validation"]


def test_a_config_file_with_a_merge_key_is_read_and_a_key_twice_beside_it_is_still_refused(tmp_path):
    """The check for keys given twice read the merge key '<<' as a key and refused valid YAML as invalid."""
    from training.config import load_config
    path = tmp_path / "my.yaml"
    path.write_text("train:\n  <<: {seed: 7, rnn_n: 5}\n  rnn_n: 6\n")
    config = load_config(str(path))
    assert (config.train.seed, config.train.rnn_n) == (7, 6)
    path.write_text("train:\n  <<: {seed: 7}\n  rnn_n: 5\n  rnn_n: 6\n")
    with pytest.raises(UserError, match=r"at line 4 \('rnn_n' is given twice\)"):
        load_config(str(path))


@pytest.mark.parametrize("weights", ["a file", "missing"])
def test_a_weights_dir_that_is_no_folder_is_refused_before_the_server_starts(tmp_path, weights):
    """The page left its models out without a word."""
    import app
    folder = tmp_path / "my_weights"
    if weights == "a file":
        folder.write_text("x")
    with pytest.raises(UserError, match=f"--weights-dir '{folder}' "
                                        f"{'is a file' if weights == 'a file' else 'does not exist'}"):
        app.parse_args(["--work-dir", str(tmp_path / "work"), "--weights-dir", str(folder)])
    assert not (tmp_path / "work").exists()
    assert app.parse_args(["--work-dir", str(tmp_path / "work")]).weights_dir == "weights"  # may be missing


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stop_signal_to_the_serving_app_is_one_line_and_130(tmp_path, stop):
    """Gradio's block_thread took the interruption for a normal end: exit code 0, and its own line."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--work-dir", str(tmp_path / "work")],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().startswith("TecoGAN app: http://127.0.0.1:")
        process.send_signal(stop)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130 and err.strip().splitlines()[-1] == "interrupted", err[-2000:]
    assert not (tmp_path / "work").exists()  # the app made it, and its uploads and jobs went with it


@pytest.mark.parametrize("case", ["met by every rank", "met by rank 0 alone"])
def test_a_user_error_after_mpirun_train_s_processes_connect_is_one_line_and_ends_the_job(tmp_path, case):
    """After the communicator is made, rank 0's exit waited in MPI's for the others: a data error every rank
    meets was printed by each (after rank 1's 3 s), and one of rank 0 alone (an output blocked by a folder)
    left the job waiting without end."""
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = str(tmp_path / "missing") if case == "met by every rank" else make_calendar_scenes(tmp_path / "scenes")
    (tmp_path / "out" / "losses.csv").mkdir(parents=True)
    completed = subprocess.run([MPIRUN, "-n", "2", sys.executable, "train.py", "--batch_size", "1",
                                *tiny_training_flags(scenes, tmp_path / "out", **{"train.max_iter": 2})],
                               cwd=REPO_ROOT, env=mpi_environment(), capture_output=True, text=True, timeout=120)
    ours = [line for line in completed.stderr.splitlines() if line.startswith("error: ")]
    message = "does not exist" if case == "met by every rank" else "losses.csv' is a folder"
    assert len(ours) == 1 and message in ours[0] and "Traceback" not in completed.stderr, completed.stderr
    assert completed.returncode == 2


def test_a_port_in_use_is_one_line_without_gradio_s_advice_and_leaves_no_work_folder(tmp_path, capsys):
    """Gradio's message went on to advise its own settings (GRADIO_SERVER_PORT, launch()'s server_port), which
    app.py's --port overrides, and the work folder made for the server stayed."""
    import socket

    import app
    from conftest import user_error_line
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        line = user_error_line(app.main, ["--port", str(port), "--work-dir", str(tmp_path / "work")], capsys)
    assert line == (f"error: cannot serve on 127.0.0.1:{port} (Cannot find empty port in range: {port}-{port}); "
                    "pass another --port")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("damage, reason", [
    (lambda data: data[:len(data) // 2], "the file is cut short"),
    (lambda data: data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0xFF]) + data[len(data) // 2 + 1:],
     "the file is damaged (a checksum of its data does not match)"),
], ids=["cut in half", "a byte changed"])
def test_a_damaged_training_frame_is_our_one_line_without_libpng_s(tmp_path, damage, reason):
    """The training loader decoded with cv2.imread, and libpng printed its own line beside ours."""
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    frame = tmp_path / "scenes" / "scene_2001" / "col_high_0005.png"
    frame.write_bytes(damage(frame.read_bytes()))
    completed = run_script("train.py", *tiny_training_flags(scenes, tmp_path / "out", **{"train.max_iter": 4}),
                           timeout=120)
    # the progress bar's lines: "it/s", or "s/it" on a loaded machine
    lines = [line for line in completed.stderr.splitlines() if line.strip() and not re.search(r"it/s|s/it", line)
             and "[matplotlib." not in line]
    assert completed.returncode == 2
    assert lines == [f"error: cannot read image '{frame}': {reason}; replace or remove it"], lines


# The fifth pass: generate.py, evaluate.py and demo.py

CALENDAR = shared_path("data", "calendar_lr")

@pytest.mark.parametrize("script, flags", [
    ("generate.py", ["--model", "{fifo}", "--input-dir-lr", FRAMES]),
    ("evaluate.py", ["--results", CALENDAR, "--targets", CALENDAR, "--output", "{out}", "--lpips-weights", "{fifo}"]),
], ids=["generate --model", "evaluate --lpips-weights"])
def test_weights_given_as_a_pipe_are_one_line_not_a_wait_without_end(tmp_path, script, flags):
    """HDF5 opened the pipe and waited for a writer without end."""
    fifo = tmp_path / "weights.h5"
    os.mkfifo(fifo)
    completed = run_script(script, *[flag.format(fifo=fifo, out=tmp_path / "out") for flag in flags], timeout=60)
    assert_one_error_line(completed, f"'{fifo}' is a pipe or device, not a file")
    assert sorted(os.listdir(tmp_path)) == ["weights.h5"]


def calendar_folder(folder, count=6, name="{index:04d}.png"):
    import shutil
    folder.mkdir()
    for index in range(1, count + 1):
        shutil.copy(shared_path("data", "calendar_lr", f"{index:04d}.png"), folder / name.format(index=index))
    return str(folder)


def test_evaluate_scores_frames_with_an_upper_case_extension_too(tmp_path):
    """A .PNG frame among .png ones was left out without a word, and the sequence scored without it."""
    import evaluate
    for folder in ("results", "targets"):
        calendar_folder(tmp_path / folder)
        os.rename(tmp_path / folder / "0003.png", tmp_path / folder / "0003.PNG")
    evaluate.main(["--results", str(tmp_path / "results"), "--targets", str(tmp_path / "targets"), "--output",
                   str(tmp_path / "eval"), "--quick"])
    rows = (tmp_path / "eval" / "frames.csv").read_text().splitlines()[1:]
    assert [row.split(",")[3] for row in rows] == ["0003.PNG", "0004.png"]


@pytest.mark.parametrize("long_name", ["results folder", "target frames"])
def test_an_evaluation_picture_name_too_long_for_the_file_system_is_one_line_before_scoring(tmp_path, capsys,
                                                                                           long_name):
    """The curves or worst-frame picture is named after the results folder and a target frame: a name near the
    file system's limit failed with a traceback after scoring, and left a report without its pictures."""
    import evaluate
    from conftest import user_error_line
    frame_name = "{index}" + "t" * 236 + ".png" if long_name == "target frames" else "{index:04d}.png"
    results = calendar_folder(tmp_path / ("r" * 240 if long_name == "results folder" else "results"), name=frame_name)
    targets = calendar_folder(tmp_path / "targets", name=frame_name)
    line = user_error_line(evaluate.main, ["--results", results, "--targets", targets, "--output",
                                           str(tmp_path / "eval"), "--quick"], capsys)
    assert "is too long" in line and "shorten the name of the results folder or of the target frames" in line
    assert not (tmp_path / "eval").exists()


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


def test_a_demo_clip_inside_the_demo_output_is_one_line_and_kept(tmp_path, capsys):
    """`demo.py --video results/demo/sr.mp4` replaced the clip it read with its own sr.mp4, exit code 0."""
    import demo
    from conftest import user_error_line
    out = tmp_path / "demo"
    out.mkdir()
    (out / demo.DEMO_MARK).write_text("written by demo.py\n")
    clip = ffmpeg_video(out / "sr.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", frames=6, size="128x128")
    before = open(clip, "rb").read()
    line = user_error_line(demo.main, ["--video", clip, "--output", str(out), "--frames", "6"], capsys)
    assert line == (f"error: --video '{clip}' is inside --output '{out}', whose files demo.py replaces; move the "
                    "video or choose another --output")
    assert open(clip, "rb").read() == before and sorted(os.listdir(out)) == [demo.DEMO_MARK, "sr.mp4"]


def test_a_stop_while_ffmpeg_finishes_the_video_leaves_no_temporary_and_no_ffmpeg(tmp_path, monkeypatch):
    """Ctrl-C while the writer waited for ffmpeg to encode the frames it still held (the end of a run) left
    ffmpeg running and its temporary video behind."""
    from utils.image_io import FfmpegVideoWriter
    writer = FfmpegVideoWriter(str(tmp_path / "sr.mp4"), 24, 64, 48)
    writer.write(np.zeros((48, 64, 3), np.uint8))
    finish = writer.process.wait
    calls = []

    def stopped_once(*args, **kwargs):  # the signal arrives during the first wait
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return finish(*args, **kwargs)

    monkeypatch.setattr(writer.process, "wait", stopped_once)
    with pytest.raises(KeyboardInterrupt):
        writer.close()
    assert finish(timeout=30) is not None and writer.process.returncode != 0  # ended by us, not done
    assert os.listdir(tmp_path) == []


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
    ("pipe", "is a file, not a folder"),
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


def test_two_different_stop_signals_during_a_long_computation_are_one_line_and_130():
    """Ctrl-C then SIGTERM while a C call ran (a network's forward): the first handler set SIG_IGN for the
    second, still pending, and Python printed a traceback ("Signal 15 ignored due to race condition")."""
    script = ("import hashlib\nfrom utils.errors import exit_on_user_error\nwith exit_on_user_error():\n"
              "    print('ready', flush=True)\n"
              "    hashlib.pbkdf2_hmac('sha256', b'x', b'y', 3_000_000)  # signals wait until this C call returns\n")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "ready\n"
    time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130 and err.splitlines() == ["interrupted"], err


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


@pytest.mark.parametrize("module, reader, name, message", [
    ("utils.image_io", "read_rgb", "0001.png", "cannot read image '{path}': its 3.0 GB do not fit in the memory"),
    # a .pth of another kind was read whole before its first bytes were checked
    ("utils.torch_pickle", "read_pth", "video.pth", "'{path}' is not a usable PyTorch weights file")])
def test_a_file_larger_than_the_memory_allowed_is_one_line(tmp_path, module, reader, name, message):
    """A file of gigabytes (a frame preallocated by a failed copy, a video named .pth) under a memory limit:
    MemoryError traceback."""
    path = tmp_path / name
    with open(path, "wb") as file:
        file.truncate(3 << 30)  # sparse: no disk used
    script = (f"import resource\nfrom utils.errors import exit_on_user_error\nfrom {module} import {reader}\n"
              "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
              f"with exit_on_user_error():\n    {reader}({str(path)!r})\n")
    completed = run_script("-c", script)
    assert_one_error_line(completed, message.format(path=path))


def test_a_video_that_cannot_be_read_says_so_without_opencv_s_warning(tmp_path):
    """It was called 'unknown format or corrupt file', beside OpenCV's own warning line. Run without the
    capability that lets root read any file, so that the permissions hold."""
    video = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=3)
    os.chmod(video, 0)
    script = f"from utils.errors import exit_on_user_error\nfrom utils.image_io import VideoReader\n" \
             f"with exit_on_user_error():\n    VideoReader({video!r})\n"
    as_root_without_override = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    completed = subprocess.run([*(as_root_without_override if os.geteuid() == 0 else []), sys.executable, "-c",
                                script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert_one_error_line(completed, f"video file '{video}' cannot be read (permission denied)")


def test_a_folder_named_like_a_demo_frame_is_one_line_before_any_work(tmp_path):
    """A folder sr/output_0001.png in an earlier demo's output: IsADirectoryError traceback when the demo
    cleared its old frames, after the clip and the model were read."""
    import demo
    out = tmp_path / "demo"
    (out / "sr" / "output_0001.png").mkdir(parents=True)
    (out / demo.DEMO_MARK).write_text("written by demo.py\n")
    with pytest.raises(UserError, match=f"--output '{out}' holds a folder named sr/output_0001.png, where demo.py "
                                        "writes a frame"):
        demo.check_output(str(out), str(tmp_path / "clip.mp4"))


@pytest.mark.parametrize("flag, value", [("--frames", "9" * 5000), ("--region", "0,0,96," + "9" * 5000)])
def test_a_demo_value_of_thousands_of_digits_is_shown_cut_short(capsys, flag, value):
    """The error line repeated the 5000 digits."""
    import demo
    from conftest import user_error_line
    line = user_error_line(demo.main, [flag, value], capsys)
    assert len(line) < 200 and flag in line, line


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


def test_evaluate_with_a_pipe_named_like_a_frame_is_one_line_not_a_wait_without_end(tmp_path):
    """generate.py refused it (the third pass); evaluate.py opened it and waited for a writer."""
    results = calendar_folder(tmp_path / "results")
    targets = calendar_folder(tmp_path / "targets")
    os.remove(tmp_path / "results" / "0003.png")
    os.mkfifo(tmp_path / "results" / "0003.png")
    completed = run_script("evaluate.py", "--results", results, "--targets", targets, "--output",
                           str(tmp_path / "eval"), "--quick", timeout=60)
    assert_one_error_line(completed, f"'{tmp_path / 'results' / '0003.png'}' is a pipe or device, not an image file; "
                                     f"remove it from results folder '{results}'")


def test_evaluate_whose_progress_reader_left_ends_with_141_instead_of_waiting_without_end(tmp_path):
    """`2> >(head -c 1)`: the reader leaves after the bar's first line. A scoring thread's next write then failed
    while it held tqdm's lock, and closing the bar waited for that lock without end."""
    process = subprocess.Popen([sys.executable, "evaluate.py", "--results", CALENDAR, "--targets", CALENDAR,
                                "--output", str(tmp_path / "eval"), "--quick"],
                               cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        process.stderr.read(1)
        process.stderr.close()
        assert process.wait(timeout=120) == 141
    finally:
        process.kill()


# The fifth pass: train.py, the data, the downloads and the app

def config_of_flags(*argv):
    """The configuration train.py reads from these flags."""
    from train import parse_args
    return parse_args(list(argv))


@pytest.mark.parametrize("text", ["runs #2", "2024", "yes", "~", "a: b", "{x}"])
def test_a_path_given_by_set_is_taken_as_written(text):
    """--set read a path as YAML: 'runs #2' trained into 'runs' (the rest taken for a comment) and 2024, yes or ~
    were refused as no text, where --output_dir takes each as it is."""
    assert config_of_flags("--set", f"data.output_dir={text}").data.output_dir == text
    assert config_of_flags("--set", f"data.input_video_pre={text}").data.input_video_pre == text


@pytest.mark.parametrize("written, taken", [("''", ""), ('""', ""), ("'runs #2'", "runs #2"), ("'it''s'", "it's"),
                                            ("'a' 'b'", "'a' 'b'")])
def test_a_path_given_by_set_in_quotes_is_read_as_config_yaml_reads_it(written, taken):
    """Taken as written, '' (config.yaml's empty path, which the settings' messages offer) named a folder of two
    apostrophes; quotes that do not make one YAML string stay part of the name."""
    assert config_of_flags("--set", f"data.val_dir={written}").data.val_dir == taken


@pytest.mark.parametrize("value", ["[psnr]", "{psnr: 1}"])
def test_a_list_or_mapping_as_the_validation_metric_is_one_line(value, capsys):
    """A list as train.val_metric was looked up in the metrics' table: TypeError, unhashable type."""
    with pytest.raises(SystemExit) as stop, exit_on_user_error():
        config_of_flags("--set", f"train.val_metric={value}")
    assert stop.value.code == 2
    assert capsys.readouterr().err.startswith("error: bad value ")


def test_a_work_dir_on_a_disk_without_room_for_one_upload_is_refused_before_the_server_starts(small_disk,
                                                                                              monkeypatch):
    """The server started, and each upload failed in Gradio: a traceback on the terminal, "Internal Server
    Error" on the page."""
    import shutil

    import app
    folder, mounted = small_disk
    if not mounted:
        monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(2 ** 30, 2 ** 30, 0))
    with pytest.raises(UserError, match=r"^the disk of --work-dir '.*' has 0 MB free, less than one upload of "
                                        r"--max-upload-mb 1; free some space, or choose another --work-dir or a "
                                        r"lower --max-upload-mb$"):
        app.parse_args(["--work-dir", str(folder / "work"), "--max-upload-mb", "1"])
    assert os.listdir(folder) == []


@pytest.mark.parametrize("key, text, value", [("train.val_crop", "1e3", 1000), ("train.val_frames", "10.0", 10),
                                              ("train.seed", "3.0", 3), ("train.num_resblock", "4.0", 4),
                                              ("train.loader_workers", "2.0", 2)])
def test_a_whole_float_is_that_integer_for_every_whole_number_setting(key, text, value):
    """train.max_iter took 2.0 as 2, and train.val_crop refused 1e3 as "expected a multiple of train.scale of at
    least 48", which 1000 is."""
    section, name = key.split(".")
    assert getattr(getattr(config_of_flags("--set", f"{key}={text}"), section), name) == value


# The sixth pass: generate.py, evaluate.py and demo.py

@pytest.mark.parametrize("width, height", [(30000, 30000), (0, 24)], ids=["claims 30000x30000", "zero wide"])
def test_a_png_whose_header_claims_a_size_its_file_cannot_hold_is_one_line_without_libpng_s(tmp_path, capfd,
                                                                                          width, height):
    """A PNG with intact checksums whose header claims more pixels than its data could hold, or a side of 0:
    libpng's "Not enough image data" or "Invalid IHDR data" line beside ours."""
    import struct
    import zlib
    from utils.image_io import read_rgb

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    path = tmp_path / "0001.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    with pytest.raises(UserError, match="its header claims a size the file cannot hold"):
        read_rgb(str(path))
    assert capfd.readouterr().err == ""


def test_pngs_compressed_as_far_as_deflate_goes_are_read():
    """The size check must not refuse the most compressible picture (one colour) at zlib's strongest level."""
    import cv2
    from utils.image_io import png_size_impossible
    for flat in (np.zeros((4000, 4000, 3), np.uint8), np.full((2000, 3000), 65535, np.uint16)):
        assert not png_size_impossible(cv2.imencode(".png", flat, [cv2.IMWRITE_PNG_COMPRESSION, 9])[1].tobytes())


@pytest.mark.parametrize("kind", ["pipe", "device"])
def test_a_video_given_as_a_pipe_or_device_is_called_so_not_missing(tmp_path, kind):
    """`--input-video` or demo's `--video` a named pipe or /dev/zero: "video file ... does not exist"."""
    from utils.image_io import VideoReader
    path = "/dev/zero" if kind == "device" else str(tmp_path / "clip.mp4")
    if kind == "pipe":
        os.mkfifo(path)
    with pytest.raises(UserError, match=f"video file '{path}' is a pipe or device, not a file; save the video"):
        VideoReader(path)


def test_a_video_named_like_an_audio_stream_has_no_audio_and_is_written(tmp_path, monkeypatch):
    """A silent clip named 'Stream #0:0: Audio: aac.mp4': ffmpeg's echo of the name was read as an audio stream,
    and writing the output video failed after every frame (no audio to map)."""
    import generate
    from clips import ffmpeg
    from utils.image_io import audio_codec
    monkeypatch.chdir(tmp_path)
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.3", "-pix_fmt", "yuv420p",
           "Stream #0:0: Audio: aac.mp4")
    assert audio_codec("Stream #0:0: Audio: aac.mp4") is None
    generate.main(["--model", WEIGHTS, "--input-video", "Stream #0:0: Audio: aac.mp4", "--output-video", "sr.mp4",
                   "--backend", "nnabla", "--threads", "1", "--scene-cuts", "off"])
    assert decoded_count(tmp_path / "sr.mp4") == 3


@pytest.mark.parametrize("name", ["clip\n  Stream #0:1(und): Audio: aac (LC), 44100 Hz.mp4",
                                  os.fsdecode(b"\xff Stream #0:1: Audio: aac.mp4")])
def test_a_silent_clip_whose_name_holds_an_audio_stream_line_has_no_audio(tmp_path, monkeypatch, name):
    """The name ffmpeg echoes may hold a line of its own that reads as an audio stream, or bytes that are not
    UTF-8 around one."""
    from clips import ffmpeg
    from utils.image_io import audio_codec
    monkeypatch.chdir(tmp_path)
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.3", "-pix_fmt", "yuv420p", name)
    assert audio_codec(name) is None
    ffmpeg("-i", name, "-f", "lavfi", "-i", "sine=duration=0.3", "-c:v", "copy", "-c:a", "mp3", "-shortest",
           "sound.mkv")
    assert audio_codec("sound.mkv") == "mp3"


def test_an_output_name_is_refused_exactly_when_its_temporary_name_can_pass_255_bytes(tmp_path):
    """The temporary name adds '.', '.', '.tmp' and a pid of up to 7 digits (Linux's pid_max is at most 2^22)."""
    from utils.image_io import check_name_length, temporary_path
    longest = "é" * 119 + ".mp4"  # 242 bytes: 255 with the temporary name's 13
    check_name_length(str(tmp_path / longest), "shorten it")
    with open(temporary_path(str(tmp_path / longest), 4194304), "wb"):
        pass
    with pytest.raises(UserError, match="is too long: with the temporary name"):
        check_name_length(str(tmp_path / ("x" + longest)), "shorten it")


def test_a_lock_file_replaced_by_a_pipe_says_so_not_none(tmp_path):
    """A pipe named .tecogan.lock in the output folder: "cannot create the lock file ... (None)"."""
    from utils.paths import LOCK_NAME, lock_folder
    os.mkfifo(tmp_path / LOCK_NAME)
    with pytest.raises(UserError, match=r"\(a pipe or device is in its place\); choose another path"):
        with lock_folder(str(tmp_path), "output folder"):
            pass


def test_an_output_video_named_only_by_its_extension_is_told_to_have_a_name(tmp_path):
    """`--output-video .mp4` was refused as not ending in .mp4."""
    from utils.paths import output_file
    with pytest.raises(UserError, match="has no name before its extension; give a name such as 'video.mp4'"):
        output_file(str(tmp_path / ".mp4"), "--output-video", (".mp4", ".mkv"))


@pytest.mark.parametrize("blocker", ["sr.mp4/", "metrics.md/", "scene_cuts.txt/", "bicubic_ours_truth.gif/",
                                     "eval_ours", "eval_bicubic/metrics.md/"])
def test_a_demo_output_taken_by_another_kind_is_one_line_before_any_work(tmp_path, blocker):
    """A folder where the demo writes a file (sr.mp4, metrics.md, ...) or a file where it writes a report folder:
    one line only once the clip was super-resolved and scored, the folder left half rewritten."""
    import demo
    out = tmp_path / "demo"
    (out / blocker).parent.mkdir(parents=True)
    (out / blocker).mkdir() if blocker.endswith("/") else (out / blocker).write_text("mine")
    (out / demo.DEMO_MARK).write_text("written by demo.py\n")
    with pytest.raises(UserError, match=f"--output '{out}' holds a (folder|file) named {blocker.rstrip('/')}, "):
        demo.check_output(str(out), str(tmp_path / "clip.mp4"))


def test_a_link_to_a_folder_blocks_a_demo_report_file_but_not_a_frame(tmp_path):
    """A frame's write replaces a link in its place; evaluate.py refuses a link to a folder as a report file, so
    demo.py must refuse it before the work."""
    import demo
    out = tmp_path / "demo"
    (out / "sr").mkdir(parents=True)
    (out / "eval_ours").mkdir()
    (out / demo.DEMO_MARK).write_text("written by demo.py\n")
    (tmp_path / "elsewhere").mkdir()
    (out / "sr" / "output_0001.png").symlink_to(tmp_path / "elsewhere")
    demo.check_output(str(out), str(tmp_path / "clip.mp4"))
    (out / "eval_ours" / "frames.csv").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UserError, match="holds a folder named eval_ours/frames.csv, where demo.py writes a report"):
        demo.check_output(str(out), str(tmp_path / "clip.mp4"))


def test_a_start_time_within_the_last_frame_is_not_called_past_the_end(tmp_path):
    """`--start 0.55s` on a clip of 6 frames at 10 fps (0.6 s): "at or after the end of 'clip.mp4' (6 frames,
    0.60 s)", which 0.55 s is not."""
    from clips import ffmpeg
    from utils.image_io import VideoReader
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.6", "-pix_fmt", "yuv420p",
           str(tmp_path / "clip.mp4"))
    with pytest.raises(UserError, match=r"--start 0.55s is after the last frame of .* begins \(6 frames, the last "
                                        r"at 0.50 s\): a start time takes the first frame that begins at or after"):
        VideoReader(str(tmp_path / "clip.mp4")).select("0.55s")
    assert VideoReader(str(tmp_path / "clip.mp4")).select("0.5s") is None


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


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("script", ["demo.py", "evaluate.py"])
def test_a_stop_signal_while_demo_or_evaluate_imports_its_libraries_is_one_line_and_130(script, signal_number):
    """Killed by the signal's default action (exit code 143 or 129, no line) in the seconds their imports take."""
    process = subprocess.Popen([sys.executable, script, "--help"], cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    process.send_signal(signal_number)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and err.splitlines() == ["interrupted"], (process.returncode, err)


@pytest.mark.parametrize("line", ["\0" * 2_000_000, "x" * 100_000], ids=["2 MB of zero bytes", "100,000 letters"])
def test_a_scene_cuts_line_of_megabytes_is_shown_cut_short(tmp_path, line):
    """A cuts file of zero bytes (a copy that failed) made an error line of 8 MB, each byte shown as \\x00."""
    from utils.scenes import read_cuts_file
    path = tmp_path / "cuts.txt"
    path.write_text(line)
    with pytest.raises(UserError) as error:
        read_cuts_file(str(path), 10)
    message = str(error.value).replace(str(path), "")
    assert len(message) < 200 and "line 1" in message and "is not a frame number" in message, message


# The sixth pass: train.py, the data, the downloads and the app

@pytest.mark.parametrize("seed", ["2147483648", "4294967295.0"])
def test_a_seed_past_nnabla_s_c_int_is_one_line(seed, capsys):
    """train.seed took values up to 2^32 - 1, and NNabla's seed, a C int, raised OverflowError at the start."""
    with pytest.raises(SystemExit) as stop, exit_on_user_error():
        config_of_flags("--set", f"train.seed={seed}")
    assert stop.value.code == 2
    assert capsys.readouterr().err.startswith(f"error: bad value {int(float(seed))} for train.seed: expected an "
                                              "integer from 0 to 2^31 - 1")
    assert config_of_flags("--set", "train.seed=2147483647").train.seed == 2 ** 31 - 1


@pytest.mark.parametrize("escape", ["\\0", "\\ud800"])
def test_a_path_setting_holding_a_nul_or_a_lone_surrogate_is_one_line(tmp_path, capsys, escape):
    """YAML's "\\0" or "\\ud800" in a path (a config file's or a quoted --set value) reached os.makedirs:
    ValueError, embedded null byte; UnicodeEncodeError, surrogates not allowed."""
    with pytest.raises(SystemExit) as stop, exit_on_user_error():
        config_of_flags("--set", f'data.output_dir="{tmp_path}/a{escape}b"')
    assert stop.value.code == 2
    assert capsys.readouterr().err.startswith("error: bad value ")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("line, shown", [("\ufeff\ufeff000", r"'\ufeff000'"), ("0\u200b00", r"'0\u200b00'"),
                                         ("00\x0001", r"'00\x0001'"), ("7" * 100000, "'" + "7" * 37 + "...")])
def test_a_sequence_list_name_with_an_invisible_character_or_of_a_page_s_length_is_shown_readable(
        tmp_path, line, shown):
    """A second byte-order mark or a zero-width space made the error read "names 000, not REDS sequences"; a
    NUL was written into the line as it is; a name of 100,000 characters was shown whole."""
    from datasets import reds
    from training_data import make_reds_folder
    sequence_list = tmp_path / "list.txt"
    sequence_list.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(UserError) as error:
        reds.training_sequences(make_reds_folder(tmp_path / "REDS", train=("000",), val=()), str(sequence_list))
    message = str(error.value)
    assert f"names {shown}" in message and message.isprintable() and len(message) < 400


def test_scene_starts_of_thousands_of_digits_are_shown_cut_short():
    """dataPrepare's --scene_starts of 5000 digits (too many for int()) was shown whole in the error line."""
    from authors_scripts.dataPrepare import parse_starts
    with pytest.raises(UserError, match=r"^--scene_starts '9{37}\.\.\.' is not a comma-separated list of frame numbers"):
        parse_starts("9" * 5000)


def test_a_zip_member_name_too_long_for_the_file_system_is_named_cut_short(tmp_path):
    """The error of a member of 5000 characters (a download's zip or an upload) held the whole path."""
    import zipfile

    from utils.zips import extract_zip
    with zipfile.ZipFile(tmp_path / "frames.zip", "w") as archive:
        archive.writestr("/".join(["d" * 200] * 25) + "/0001.png", b"frame")
    with pytest.raises(UserError, match=r"^cannot unpack frames.zip into .*: the name 'd+\.\.\.d+' is too long for "
                                        r"this file system; shorten it in the zip$") as error:
        extract_zip(str(tmp_path / "frames.zip"), str(tmp_path / "out"))
    assert len(str(error.value)) < 300
    assert sorted(os.listdir(tmp_path)) == ["frames.zip"]


def test_a_config_file_that_is_a_socket_is_one_line(tmp_path, capsys):
    """Opening a socket raised OSError (No such device or address): a traceback."""
    import socket
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "cfg.yaml"))
        with pytest.raises(SystemExit) as stop, exit_on_user_error():
            config_of_flags("--cfg", str(tmp_path / "cfg.yaml"))
    assert stop.value.code == 2
    assert capsys.readouterr().err == (f"error: cannot read config file '{tmp_path / 'cfg.yaml'}' (No such device "
                                       "or address); give a YAML file\n")


def test_a_checkpoint_given_as_a_pipe_is_one_line_not_a_wait_without_end(tmp_path):
    """--checkpoint a pipe waited for a writer without end."""
    from training.checkpoint import read_checkpoint
    os.mkfifo(tmp_path / "checkpoint_00000004.json")
    with pytest.raises(UserError, match=r"checkpoint '.*' is a pipe or device, not a file; pass a "
                                        r"checkpoint_<iter>.json from the output folder"):
        read_checkpoint(str(tmp_path / "checkpoint_00000004.json"))


# Seventh pass, the coordinator's part: the reason of a library's error in a line

def zip_claiming_more_than_it_holds(path, member):
    """A zip whose one stored member claims 3 GiB in both headers: reading it ends in an EOFError without a
    message."""
    import struct
    import zipfile
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, b"\x80\x02}q\x00.")
    data = bytearray(path.read_bytes())
    claim = struct.pack("<II", 3 << 30, 3 << 30)
    data[18:26] = claim  # the local header's compressed and uncompressed sizes
    central = data.find(b"PK\x01\x02")
    data[central + 20:central + 28] = claim
    path.write_bytes(bytes(data))
    return str(path)


@pytest.mark.parametrize("error, shown", [(EOFError(), "EOFError"), (OSError("a\n  b"), "a b"),
                                          (ValueError("x" * 5000), "x" * 197 + "...")])
def test_an_error_reason_is_one_line_and_never_empty(error, shown):
    """`error or type(error).__name__` showed "()": an exception is true even when its message is empty."""
    from utils.errors import error_reason
    assert error_reason(error) == shown


def test_a_pth_member_cut_off_names_its_error(tmp_path):
    from utils.torch_pickle import read_pth
    with pytest.raises(UserError, match=r"is a damaged zip file \(EOFError\); download or save it again"):
        read_pth(zip_claiming_more_than_it_holds(tmp_path / "claim.pth", "archive/data.pkl"))


def test_a_downloaded_zip_member_cut_off_names_its_error(tmp_path):
    from utils.zips import extract_zip
    path = zip_claiming_more_than_it_holds(tmp_path / "frames.zip", "frames/0001.png")
    with pytest.raises(UserError, match=r"^cannot unpack frames.zip into .* \(EOFError\)$"):
        extract_zip(path, str(tmp_path / "out"))


# every entry script: numpy's import blocks until the test has sent its signal, so the signal surely comes
# while the libraries load
SLOW_NUMPY_IMPORT = """
import builtins, runpy, sys, time
real_import = builtins.__import__
def reporting_import(name, *args, **kwargs):
    if name == "numpy" and "numpy" not in sys.modules:
        print("importing", flush=True)
        time.sleep(60)
    return real_import(name, *args, **kwargs)
builtins.__import__ = reporting_import
kind, script = sys.argv[1:3]
sys.argv = [script, "--help"]
(runpy.run_module if kind == "module" else runpy.run_path)(script, run_name="__main__")
"""


@pytest.mark.parametrize("script", ["train.py", "generate.py", "evaluate.py", "demo.py", "convert_lpips_weights.py",
                                    "convert_tf_vgg19_weights.py", "download_test_data.py",
                                    "authors_scripts.dataPrepare"])
def test_a_stop_signal_while_any_entry_script_imports_its_libraries_is_one_line_and_130(script):
    """The converters, download_test_data.py and dataPrepare were ended by SIGTERM's default action (exit code
    143, no line) while they loaded their libraries."""
    kind = "path" if script.endswith(".py") else "module"
    process = subprocess.Popen([sys.executable, "-c", SLOW_NUMPY_IMPORT, kind, script], cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "importing\n"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and err.splitlines() == ["interrupted"], (process.returncode, err)


# Seventh pass, half A: generate.py, evaluate.py and demo.py

def test_an_av1_video_opencv_cannot_decode_is_called_so_not_empty(tmp_path):
    """An AV1 video (OpenCV's FFmpeg has no AV1 decoder; FFmpeg's own has): generate.py said "has no frames in
    the chosen range" and demo.py "gave 0 frame(s)", of a clip of 6 frames."""
    from clips import ffmpeg
    from utils.image_io import VideoReader
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.6", "-c:v", "libaom-av1", "-cpu-used", "8",
           "-pix_fmt", "yuv420p", str(tmp_path / "clip.mp4"))
    with pytest.raises(UserError, match=r"has no frame OpenCV can decode \(its codec, such as AV1, may be one "
                                        r"OpenCV lacks\); convert it to H.264 first"):
        next(iter(VideoReader(str(tmp_path / "clip.mp4"))))


@pytest.mark.parametrize("target", [None, "o.mp4"], ids=["output folder", "beside --output-video"])
def test_a_folder_named_like_a_stale_temporary_is_left_not_a_traceback(tmp_path, target):
    """A user's folder named like a temporary of a dead process (`.o.999999.tmp.mp4/`) in generate.py's output
    folder or beside its --output-video: IsADirectoryError traceback from os.remove."""
    from utils.image_io import remove_stale_temporaries
    dead = 2 ** 22 + 1  # above Linux's largest process id
    (tmp_path / f".o.{dead}.tmp.mp4").mkdir()
    (tmp_path / f".o.{dead}.tmp.mp4" / "mine.txt").write_text("kept")
    (tmp_path / f".o.{dead + 1}.tmp.mp4").write_bytes(b"stale")
    assert remove_stale_temporaries(str(tmp_path), target) == [f".o.{dead + 1}.tmp.mp4"]
    assert sorted(os.listdir(tmp_path)) == [f".o.{dead}.tmp.mp4"]


@pytest.mark.parametrize("encoder, codec, container", [("libopus", "opus", ".mov"), ("flac", "flac", ".mov"),
                                                       ("libmp3lame", "mp3", ".m4v"), ("eac3", "eac3", ".m4v")])
def test_audio_a_mov_or_m4v_cannot_hold_is_re_encoded_not_a_failure_after_every_frame(tmp_path, encoder, codec,
                                                                                        container):
    """Opus or FLAC audio copied into .mov, MP3 or E-AC-3 into .m4v (FFmpeg's mov and ipod muxers refuse them,
    its mp4 muxer takes them): "ffmpeg could not write video ...: Nothing was written" after every frame."""
    from clips import ffmpeg
    from utils.image_io import FfmpegVideoWriter, VideoSource, audio_codec
    source = str(tmp_path / "clip.mkv")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.3", "-f", "lavfi", "-i", "sine=d=0.3",
           "-pix_fmt", "yuv420p", "-c:a", encoder, source)
    assert audio_codec(source) == codec
    writer = FfmpegVideoWriter(str(tmp_path / f"sr{container}"), 10, 32, 24, VideoSource(source, 0.0, 0.3))
    for _ in range(3):
        writer.write(np.zeros((24, 32, 3), np.uint8))
    writer.close()
    assert audio_codec(str(tmp_path / f"sr{container}")) == "aac"


@pytest.mark.parametrize("text", ["6.0", "1e1", "6.5"])
def test_a_decimal_for_a_whole_number_flag_is_told_to_be_whole_not_a_number(text):
    """`demo.py --frames 6.0` (and --threads, --tile, --num_resblock): "--frames must be a number, got '6.0'"."""
    import argparse

    from utils.flags import positive
    with pytest.raises(argparse.ArgumentTypeError, match=f"^--frames must be a whole number, got '{text}'$"):
        positive(int, "--frames")(text)
    with pytest.raises(argparse.ArgumentTypeError, match="^--frames must be a number, got 'six'$"):
        positive(int, "--frames")("six")


@pytest.mark.parametrize("name", ["lr", "sr", "eval_ours"])
def test_a_demo_output_folder_that_is_a_link_to_a_user_s_folder_is_refused_before_any_work(tmp_path, name):
    """`lr` (or `sr`, `eval_ours`) in an earlier demo's output, a symbolic link to a folder of the user's: the
    demo deleted the user's 0001.png, ... there and wrote its own frames in their place."""
    import demo
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "0001.png").write_bytes(b"the user's frame")
    out = tmp_path / "demo"
    out.mkdir()
    (out / demo.DEMO_MARK).write_text("written by demo.py\n")
    (out / name).symlink_to(mine)
    with pytest.raises(UserError, match=f"holds a symbolic link named {name}, where demo.py writes"):
        demo.check_output(str(out), str(tmp_path / "clip.mp4"))
    assert (mine / "0001.png").read_bytes() == b"the user's frame"


@pytest.mark.parametrize("picture", ["00_sr_curves.png", "00_sr_worst_frame_0003.png"])
def test_a_folder_named_like_a_report_picture_is_refused_before_scoring(tmp_path, picture):
    """evaluate.py's --output (or a demo's eval_ours/) holding a folder named like a curves or worst-frame
    picture: one line only after every frame was scored (and the demo's clip super-resolved), with the CSV files
    and metrics.md already replaced."""
    import demo
    from evaluation.report import evaluate
    from evaluation.scoring import Sequence
    from evaluation_data import make_sequence
    results, targets = make_sequence(tmp_path, "sr", 0, 5)
    (tmp_path / "eval" / picture).mkdir(parents=True)
    with pytest.raises(UserError, match=f"holds a folder named {picture}, where the report goes"):
        evaluate([Sequence(0, results, targets)], str(tmp_path / "eval"), "cpu")
    assert os.listdir(tmp_path / "eval") == [picture]
    out = tmp_path / "demo"
    (out / "eval_ours" / picture).mkdir(parents=True)
    (out / demo.DEMO_MARK).write_text("written by demo.py\n")
    with pytest.raises(UserError, match=f"holds a folder named eval_ours/{picture}, where demo.py writes"):
        demo.check_output(str(out), str(tmp_path / "clip.mp4"))


def test_a_lock_file_replaced_by_a_socket_says_so(tmp_path):
    """A socket named .tecogan.lock in the output folder: "cannot create the lock file ... (No such device or
    address)", where a pipe is called a pipe."""
    import socket

    from utils.paths import LOCK_NAME, lock_folder
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / LOCK_NAME))
        with pytest.raises(UserError, match=r"\(a socket is in its place\); choose another path"):
            with lock_folder(str(tmp_path), "output folder"):
                pass


@pytest.mark.parametrize("name", ["..mp4", "...mkv"])
def test_an_output_video_named_by_dots_and_its_extension_is_told_to_have_a_name(tmp_path, name):
    """`--output-video ..mp4` was refused as not ending in .mp4 (os.path.splitext sees no extension in it)."""
    from utils.paths import output_file
    with pytest.raises(UserError, match="has no name before its extension; give a name such as 'video.mp4'"):
        output_file(str(tmp_path / name), "--output-video", (".mp4", ".mkv"))
    assert output_file(str(tmp_path / "a..mp4"), "--output-video", (".mp4", ".mkv"))


@pytest.mark.parametrize("start, end", [("0.45s", "0.46s"), ("0.41s", "0.5s")])
def test_start_and_end_times_within_one_frame_s_time_are_not_called_out_of_order(tmp_path, start, end):
    """`--start 0.45s --end 0.46s` on a 10 fps clip (no frame begins between them): "--end 0.46s is not after
    --start 0.45s", which it is."""
    from clips import ffmpeg
    from utils.image_io import VideoReader
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.6", "-pix_fmt", "yuv420p",
           str(tmp_path / "clip.mp4"))
    with pytest.raises(UserError, match=f"no frame of '.*' begins from --start {start} to before --end {end} "
                                        r"\(frame 5 begins at 0.50 s\); choose an end after that frame"):
        VideoReader(str(tmp_path / "clip.mp4")).select(start, end)
    with pytest.raises(UserError, match="--end 0.45s is not after --start 0.46s"):
        VideoReader(str(tmp_path / "clip.mp4")).select("0.46s", "0.45s")


@pytest.mark.parametrize("kind", ["file", "link to nothing"])
def test_a_cache_dir_taken_by_a_file_or_a_dangling_link_is_said_as_such(tmp_path, kind):
    """`--cache-dir` (OpenVINO's ONNX cache) a file: "cannot write the ONNX cache in 'cfile' (File exists)"."""
    from inference.onnx_export import cached_models
    cache = tmp_path / "cache"
    cache.write_text("mine") if kind == "file" else cache.symlink_to(tmp_path / "unmounted" / "cache")
    expected = "is a file, not a folder" if kind == "file" else "is a symbolic link to .*, which does not exist"
    with pytest.raises(UserError, match=f"^--cache-dir '{cache}'(: '.*')? {expected}"):
        cached_models(str(cache), "stem", ["generator"], lambda: {"generator": b"onnx"})


@pytest.mark.parametrize("chosen", ["/nonexistent/ffmpeg", "/tmp"], ids=["missing", "a folder"])
def test_an_imageio_ffmpeg_exe_that_is_not_a_program_is_one_line_before_any_work(tmp_path, monkeypatch, chosen):
    """IMAGEIO_FFMPEG_EXE (imageio-ffmpeg's way to choose an ffmpeg) naming no program: FileNotFoundError or
    PermissionError traceback once the output video was opened (demo.py: after its frames were written)."""
    import demo
    from utils.image_io import check_video_output
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", chosen)
    message = rf"^ffmpeg '{chosen}' \(IMAGEIO_FFMPEG_EXE\) is not an executable file; set it to ffmpeg's path"
    with pytest.raises(UserError, match=message):
        check_video_output(str(tmp_path / "sr.mp4"))
    with pytest.raises(UserError, match=message):
        demo.run(demo.parse_args(["--model", WEIGHTS, "--video", str(tmp_path / "clip.mp4"),
                                  "--output", str(tmp_path / "demo")]))
    assert os.listdir(tmp_path) == []


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
    with pytest.raises(UserError, match=r"^out of memory while super-resolving 32x24 frames in a budget of "):
        list(resolver.sequence(frames))
    monkeypatch.setattr(resolver_module, "super_resolve", lambda model, scene: iter([1 / 0]))
    with pytest.raises(ZeroDivisionError):
        list(resolver.sequence(frames))


# Seventh pass, half B: train.py, the data, the downloads, the converter and the app

def test_a_resume_with_another_save_freq_keeps_the_model_files_of_the_first_schedule(tmp_path):
    """Pruning took every model_param file off the new save_freq's schedule for a timed one: resumed with
    save_freq 5 and checkpoints by time, a run of save_freq 2 lost model_param_00000002.h5."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"

    def run(max_iter, save_freq, save_minutes):
        train.main(tiny_training_flags(scenes, output_dir, **{
            "train.max_iter": max_iter, "train.save_freq": save_freq, "train.save_minutes": save_minutes}))
    run(6, 2, 0)
    run(12, 5, "1.0e-9")  # every iteration is due by time; 7, 8, 9 and 11 are off the schedule of save_freq 5
    models = sorted(int(name[len("model_param_"):-len(".h5")]) for name in os.listdir(output_dir)
                    if name.startswith("model_param_"))
    assert models == [2, 4, 6, 9, 10, 11, 12]


@pytest.mark.parametrize("escape", ["\\u0000", "\\n", "\\u2028"])
def test_a_checkpoint_naming_a_file_with_a_control_character_is_refused_readably(tmp_path, escape):
    """A NUL edited into the checkpoint's parameter file name was written into the error line as it is."""
    from training.checkpoint import read_checkpoint
    path = tmp_path / "checkpoint_00000004.json"
    path.write_text('{"iteration": 4, "params": "params_00000004.h5' + escape + '", "solvers": {}}')
    with pytest.raises(UserError, match=r"is not a checkpoint of train.py") as error:
        read_checkpoint(str(path))
    assert str(error.value).isprintable()


@pytest.mark.parametrize("separator", ["\u2028", "\x0c", "\x85", "\x1c"])
def test_a_sequence_list_line_holding_a_unicode_line_separator_is_one_name(tmp_path, separator):
    """str.splitlines() cut the line 'a<U+2028>b' in two, and training went on with sequences a and b."""
    from datasets.sequences import read_sequence_list
    sequence_list = tmp_path / "list.txt"
    sequence_list.write_text(f"a{separator}b\r\nc\n", encoding="utf-8", newline="")
    assert read_sequence_list(str(sequence_list)) == [f"a{separator}b", "c"]


@pytest.mark.parametrize("name", ["a" * 240, "g" * 200 + "/" + "s" * 200])
def test_the_frame_cache_of_a_sequence_named_by_a_long_folder_name_is_built(tmp_path, name):
    """The entry's name held the whole sequence name: with its hash and '.building' a 240-character folder
    name passed the file system's 255 bytes, and the build failed with an OSError traceback."""
    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import Sequence
    from training_data import calendar_frame
    from utils.image_io import write_rgb
    folder = tmp_path / "data" / name
    folder.mkdir(parents=True)
    write_rgb(str(folder / "0.png"), calendar_frame(0, 8, 8))
    sequence = Sequence(name, str(folder), [str(folder / "0.png")])
    frames = frame_cache.cached_frames([sequence], [(8, 8)], str(tmp_path / "cache"), read_frame,
                                       report=lambda message: None, show_progress=False)
    np.testing.assert_array_equal(frames[str(folder)][0], read_frame(str(folder / "0.png")))


def test_a_learning_rate_that_scaling_makes_infinite_is_one_line(capsys):
    """1e308 passed the finite-number check; scaled by the batch it became inf, shown as "learning rate inf",
    and the run diverged with advice to resume from "the last checkpoint (none)"."""
    from train import scaled_schedule
    with pytest.raises(UserError, match=r"^train.learning_rate 1e\+308 scaled by batch 4 x 2 processes / 4 is not "
                                        r"finite; lower it$"):
        scaled_schedule(config_of_flags("--set", "train.learning_rate=1e308"), 2)


def test_a_run_diverging_before_its_first_checkpoint_says_to_start_again(tmp_path, capsys):
    """The line advised resuming from "the last checkpoint (none)" with --allow-changed-settings."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    flags = tiny_training_flags(make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run",
                                **{"train.max_iter": 4, "train.save_freq": 100, "train.learning_rate": 1e30})
    with pytest.raises(SystemExit) as stop:
        train.main(flags)
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        "a loss is not finite; no checkpoint was written yet: start again with a lower train.learning_rate "
        "(--set train.learning_rate=...)")


def test_an_archive_of_thousands_of_files_is_named_by_its_count_and_first_names(tmp_path):
    """The converter's error listed every file of the archive: 5000 files made a line of 44 kB."""
    import io
    import tarfile

    from convert_tf_vgg19_weights import convert
    with tarfile.open(tmp_path / "vgg.tar.gz", "w:gz") as archive:
        for index in range(5000):
            info = tarfile.TarInfo(f"f{index}")
            info.size = 1
            archive.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(UserError, match=r"^the archive holds 5000 files \['f0', .*, \.\.\.\], not one checkpoint; "
                                        r"pass vgg_19_2016_08_28.tar.gz") as error:
        convert(str(tmp_path / "vgg.tar.gz"), str(tmp_path / "vgg19.h5"))
    assert len(str(error.value)) < 300
    assert sorted(os.listdir(tmp_path)) == ["vgg.tar.gz"]


@pytest.mark.parametrize("folders, shown", [
    (["/".join(["d" * 200] * 19) + "/a", "/".join(["d" * 200] * 19) + "/b"],
     "('dddddddddddd...ddddddddddd/a', 'dddddddddddd...ddddddddddd/b')"),
    (["a\nb", "c"], r"('a\nb', 'c')"),
], ids=["3800 characters deep", "a newline"])
def test_an_upload_with_frames_in_several_folders_names_them_readably_and_short(tmp_path, folders, shown):
    """Two folders 3800 characters deep made the page's message 7700 characters long."""
    import zipfile

    from webapp.inputs import zip_input
    with zipfile.ZipFile(tmp_path / "up.zip", "w") as archive:
        for folder in folders:
            archive.write(FRAMES + "/" + sorted(os.listdir(FRAMES))[0], f"{folder}/0001.png")
    with pytest.raises(UserError) as error:
        zip_input(str(tmp_path / "up.zip"), "frames.zip", str(tmp_path / "frames"), 2 ** 30)
    assert str(error.value) == (f"'frames.zip' holds frames in several folders {shown}; zip the frames of one "
                                "clip only")


@pytest.mark.parametrize("kind, said", [("dangling link", "it is not a folder but a link to nothing (a disk not "
                                                          "mounted?)"),
                                        ("file", "it is not a folder")])
def test_a_scene_name_that_is_no_folder_is_skipped_with_a_warning(tmp_path, kind, said):
    """A scene folder that was a link to an unmounted disk (or a file of that name) was left out without a word:
    training went on with the other scenes only."""
    from datasets.sequences import find_scenes
    from training_data import make_calendar_scenes
    import shutil
    scenes = make_calendar_scenes(tmp_path / "scenes")
    second = os.path.join(scenes, "scene_2001")
    shutil.rmtree(second)
    if kind == "file":
        open(second, "w").close()
    else:
        os.symlink(tmp_path / "unmounted", second)
    warnings = []
    assert find_scenes(scenes, "scene", 2000, 2001, 11, 3, warnings.append) == [os.path.join(scenes, "scene_2000")]
    assert warnings == [f"warning: skipping {second}: {said}"]


@pytest.mark.parametrize("damage", ["nested", "frames pipe", "sources pipe"])
def test_a_damaged_frame_cache_entry_is_decoded_again_not_a_traceback_or_a_wait(tmp_path, damage):
    """sources.json of arrays nested 100,000 deep raised RecursionError at every later run; frames.npy or
    sources.json replaced by a pipe waited for a writer without end."""
    import threading

    from data_loader import read_frame
    from datasets import frame_cache
    from datasets.sequences import Sequence
    from training_data import calendar_frame
    from utils.image_io import write_rgb
    folder = tmp_path / "clip"
    folder.mkdir()
    write_rgb(str(folder / "0.png"), calendar_frame(0, 8, 8))
    sequence, cache = Sequence("clip", str(folder), [str(folder / "0.png")]), str(tmp_path / "cache")

    def cached():
        return frame_cache.cached_frames([sequence], [(8, 8)], cache, read_frame, report=lambda message: None,
                                         show_progress=False)
    cached()
    entry = frame_cache.entry_folder(cache, sequence)
    if damage == "nested":
        with open(os.path.join(entry, frame_cache.SOURCES_FILE), "w") as file:
            file.write("[" * 100000 + "]" * 100000)
    else:
        name = frame_cache.FRAMES_FILE if damage == "frames pipe" else frame_cache.SOURCES_FILE
        os.remove(os.path.join(entry, name))
        os.mkfifo(os.path.join(entry, name))
    results = []
    worker = threading.Thread(target=lambda: results.append(cached()), daemon=True)
    worker.start()
    worker.join(60)
    assert results, "the build waited or failed"
    np.testing.assert_array_equal(results[0][str(folder)][0], read_frame(str(folder / "0.png")))


@pytest.mark.parametrize("flag", ["--duration", "--start_id"])
def test_a_data_prepare_number_of_thousands_of_digits_is_shown_cut_short(flag):
    """argparse's "invalid int value" quoted all 5000 digits (int() refuses more than 4300): a line of 5 kB."""
    from authors_scripts.dataPrepare import parse_args
    with pytest.raises(UserError) as error:
        parse_args(["--disk_path", "out", flag, "9" * 5000])
    assert str(error.value) == f"argument {flag}: invalid int value: '{'9' * 37}...' (see --help)"


def test_a_temporal_validation_metric_on_clips_of_one_scored_frame_is_refused_before_training(tmp_path):
    """train.val_metric tof with clips of 5 frames (evaluate.py scores the middle one) was nan at every validation:
    the first one stopped the run with a TypeError traceback (no best to print), losing that iteration's
    checkpoint."""
    from training.validation import validation_clips
    from training_data import make_sequence_folders
    val_dir = make_sequence_folders(tmp_path / "val", {"clip": 5}, sizes={"clip": (64, 64)})
    config = config_of_flags("--set", "train.val_freq=1", "--set", f"data.val_dir={val_dir}", "--set",
                             "train.val_metric=tof", "--set", "train.val_crop=48")
    with pytest.raises(UserError, match=r"^train.val_metric tof compares each scored frame with the one before, "
                                        r"and validation clip 'clip' gives 5 frames, of which evaluate.py scores "
                                        r"one; use at least 6 frames"):
        validation_clips(config)


def test_a_vgg19_save_path_too_long_for_its_temporary_name_is_refused_before_the_conversion(tmp_path):
    """A --save-path of 250 bytes passed the checks; after the conversion the temporary name it is first
    written under (longer still) failed with an OSError traceback: File name too long."""
    from convert_tf_vgg19_weights import convert
    (tmp_path / "vgg_19.ckpt").write_bytes(b"not read: the save path is refused first")
    with pytest.raises(UserError, match=r"^output file name 'y+\.\.\.' is too long: .*; choose a shorter "
                                        r"--save-path$"):
        convert(str(tmp_path / "vgg_19.ckpt"), str(tmp_path / ("y" * 246 + ".h5")))
    assert os.listdir(tmp_path) == ["vgg_19.ckpt"]


@pytest.mark.parametrize("name", ["z" * 256, "\u00e9" * 128], ids=["256 ASCII letters", "128 two-byte letters"])
def test_an_output_folder_whose_name_the_file_system_refuses_is_one_line_before_any_work(tmp_path, name):
    """train.py's --output_dir and data.cache_dir, download_test_data.py's --output-dir and app.py's --work-dir
    passed the checks, and os.makedirs raised OSError (File name too long): a traceback."""
    from utils.paths import output_folder
    with pytest.raises(UserError, match=r"^--output-dir '.*\.\.\.' holds a folder name of 256 bytes, more than the "
                                        r"255 its file system allows; choose a shorter one$"):
        output_folder(str(tmp_path / "new" / name / "run"), "--output-dir")
    assert os.listdir(tmp_path) == []
    assert output_folder(str(tmp_path / name[:-1]), "--output-dir") == str(tmp_path / name[:-1])


# Eighth pass, half A: generate.py, evaluate.py, demo.py, convert_lpips_weights.py and their utilities

@pytest.mark.parametrize("pid", [2 ** 31, 2 ** 32, 10 ** 20])
def test_a_file_named_like_a_temporary_of_a_pid_past_a_c_int_is_removed_not_a_traceback(tmp_path, pid):
    """A file named like a stale temporary whose number no pid reaches (`.o.20241205153000.tmp.png`) in
    generate.py's or train.py's output folder: OverflowError traceback from os.kill before any work."""
    from utils.image_io import remove_stale_temporaries
    (tmp_path / f".o.{pid}.tmp.png").write_bytes(b"stale")
    assert remove_stale_temporaries(str(tmp_path)) == [f".o.{pid}.tmp.png"]


@pytest.mark.parametrize("encoder", ["libvvenc", "libxavs2"], ids=["VVC", "AVS2"])
def test_a_video_opencv_cannot_even_open_is_called_a_codec_it_lacks_in_one_line(tmp_path, capfd, encoder):
    """A VVC or AVS2 video (FFmpeg decodes them, OpenCV's FFmpeg cannot open them, where it opens an AV1 one and
    then decodes no frame): OpenCV's two "[ERROR...] Could not find decoder" lines beside "unknown format or
    corrupt file"."""
    from clips import ffmpeg
    from utils.image_io import VideoReader
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=96x72:rate=10:duration=0.3", "-pix_fmt", "yuv420p", "-c:v", encoder,
           str(tmp_path / "clip.mkv"))
    capfd.readouterr()
    with pytest.raises(UserError, match=r"has no frame OpenCV can decode \(its codec, such as AV1, may be one "
                                        r"OpenCV lacks\); convert it to H.264 first"):
        VideoReader(str(tmp_path / "clip.mkv"))
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("layout", ["9.1.6", "22.2", "10c"])
def test_audio_of_a_channel_layout_aac_refuses_is_mixed_down_not_a_failure_after_every_frame(tmp_path, layout):
    """PCM audio of 16, 24 or 10 channels (a field recorder, a decoded film mix) into .mp4, which re-encodes it to
    AAC: FFmpeg's AAC encoder refused the layout, "ffmpeg could not write video ...: Nothing was written" after
    every frame."""
    from clips import ffmpeg, stream_summary
    from utils.image_io import FfmpegVideoWriter, VideoSource
    source = str(tmp_path / "clip.mkv")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.3", "-f", "lavfi", "-i",
           f"anullsrc=channel_layout={layout}:d=0.3", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", source)
    writer = FfmpegVideoWriter(str(tmp_path / "sr.mp4"), 10, 32, 24, VideoSource(source, 0.0, 0.3))
    for _ in range(3):
        writer.write(np.zeros((24, 32, 3), np.uint8))
    writer.close()
    assert [line for line in stream_summary(tmp_path / "sr.mp4") if "Audio: aac" in line]


@pytest.mark.parametrize("text, said", [("9" * 5000, "has too many digits"), ("-" + "9" * 5000, "has too many digits"),
                                        ("1e400", "must be a whole number")],
                         ids=["5000 digits", "minus 5000 digits", "1e400"])
@pytest.mark.parametrize("script, flag", [("generate.py", "--tile"), ("generate.py", "--num_resblock"),
                                          ("demo.py", "--frames"), ("demo.py", "--threads")])
def test_a_whole_number_past_int_or_float_is_not_called_no_number(capsys, script, flag, text, said):
    """A whole-number flag of 5000 digits (more than int() reads) or 1e400 (past a float): "--tile must be a
    number, got '999...'", of a number."""
    import demo
    import generate
    from conftest import user_error_line
    main = {"generate.py": generate.main, "demo.py": demo.main}[script]
    line = user_error_line(main, [f"{flag}={text}"], capsys)
    assert f"{flag} {said}, got '{text[:37]}" in line, line


@pytest.mark.parametrize("program", ["#!/bin/sh\nexit 0\n", "not a program", "#!/nonexistent/sh\n"],
                         ids=["another program", "a text file", "a missing interpreter"])
def test_an_imageio_ffmpeg_exe_that_is_no_ffmpeg_is_one_line_before_any_work(tmp_path, monkeypatch, program):
    """IMAGEIO_FFMPEG_EXE naming an executable file that is not ffmpeg: "ffmpeg could not write video: no message"
    once every frame was written (demo.py: its frame folders left), or an OSError traceback (Exec format error,
    No such file) where the system cannot start it."""
    import demo
    from clips import ffmpeg
    from utils.image_io import check_video_output
    clip = tmp_path / "clip.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=96x72:rate=10:duration=0.6", "-pix_fmt", "yuv420p", str(clip))
    chosen = tmp_path / "bin" / "ffmpeg"
    chosen.parent.mkdir()
    chosen.write_text(program)
    chosen.chmod(0o755)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(chosen))
    message = rf"^ffmpeg '{chosen}' \(IMAGEIO_FFMPEG_EXE\) is not ffmpeg \(asked its version, it did not say "
    with pytest.raises(UserError, match=message):
        check_video_output(str(tmp_path / "sr.mp4"))
    with pytest.raises(UserError, match=message):
        demo.run(demo.parse_args(["--model", WEIGHTS, "--video", str(clip), "--output", str(tmp_path / "demo"),
                                  "--frames", "6"]))
    assert sorted(os.listdir(tmp_path)) == ["bin", "clip.mp4"]


@pytest.mark.parametrize("flag", ["--alexnet", "--lpips"])
def test_convert_lpips_weights_output_equal_to_an_input_is_refused_and_the_input_kept(tmp_path, capsys, flag):
    """A .pth saved under a .h5 name and given again as --output (here through another spelling): exit code 0,
    the input replaced by the result."""
    import shutil

    import convert_lpips_weights
    from conftest import user_error_line
    inputs = {"--alexnet": reference_path("lpips", "alexnet_random.pth"),
              "--lpips": reference_path("lpips", "lpips_v0.1_alex.pth")}
    given = tmp_path / "weights.h5"
    shutil.copy(inputs[flag], given)
    inputs[flag] = str(given)
    argv = [part for pair in inputs.items() for part in pair] + ["--output", f"{tmp_path}/./weights.h5"]
    line = user_error_line(convert_lpips_weights.main, argv, capsys)
    assert f"is the same file or folder as {flag}" in line, line
    assert given.read_bytes() == open(reference_path("lpips", "alexnet_random.pth" if flag == "--alexnet"
                                                     else "lpips_v0.1_alex.pth"), "rb").read()


def test_convert_lpips_weights_output_name_too_long_for_its_temporary_is_refused_before_the_conversion(tmp_path,
                                                                                                        capsys):
    """An --output name of 253 bytes (the file system takes it, not the temporary name written first): OSError
    traceback after the conversion."""
    import convert_lpips_weights
    from conftest import user_error_line
    argv = ["--alexnet", reference_path("lpips", "alexnet_random.pth"), "--lpips",
            reference_path("lpips", "lpips_v0.1_alex.pth"), "--output", str(tmp_path / ("y" * 250 + ".h5"))]
    assert "is too long: with the temporary name" in user_error_line(convert_lpips_weights.main, argv, capsys)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("where", ["converted", "loaded"])
def test_lpips_weights_holding_nan_are_refused_not_a_perfect_score(tmp_path, where):
    """AlexNet weights with a NaN: convert_lpips_weights.py wrote them (exit code 0), and evaluate.py with them
    reported LPIPS and tLP of 0.000 for every frame, a perfect score."""
    import h5py

    from utils.lpips import load_lpips_weights, parameter_shapes, weights_from_torch
    from utils.torch_pickle import read_state_dict
    alexnet = read_state_dict(reference_path("lpips", "alexnet_random.pth"))
    lin = read_state_dict(reference_path("lpips", "lpips_v0.1_alex.pth"))
    alexnet["features.0.weight"] = np.full_like(alexnet["features.0.weight"], np.nan)
    if where == "converted":
        with pytest.raises(UserError, match="'conv0/conv/W' holds NaN or infinite values"):
            weights_from_torch(alexnet, lin)
        return
    with h5py.File(tmp_path / "alex.h5", "w") as h5:
        for name, shape in parameter_shapes().items():
            h5[name] = np.full(shape, np.nan if name == "conv0/conv/W" else 0.5, np.float32)
    with pytest.raises(UserError, match="'conv0/conv/W' holds NaN or infinite values"):
        load_lpips_weights(str(tmp_path / "alex.h5"))


@pytest.mark.parametrize("step", ["score_sequence", "write_report"])
def test_memory_running_out_while_scoring_or_writing_the_report_is_one_line(tmp_path, monkeypatch, step):
    """evaluate.py under a tight `ulimit -v`: numpy's MemoryError ("Unable to allocate 14.7 MiB") as a traceback
    while it drew the worst frame's picture."""
    from evaluation import report
    from evaluation.scoring import Sequence
    from evaluation_data import make_sequence

    def failing(*args, **kwargs):
        raise MemoryError("Unable to allocate 14.7 MiB for an array with shape (256, 2504, 3)")
    monkeypatch.setattr(report, step, failing)
    results, targets = make_sequence(tmp_path, "sr", 0, 5)
    with pytest.raises(UserError, match=r"^out of memory while scoring 1 frames into '.*'; free memory"):
        report.evaluate([Sequence(0, results, targets)], str(tmp_path / "eval"), "cpu")


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
    with pytest.raises(UserError, match=r"^out of memory while super-resolving 32x24 frames in a budget of "):
        resolver.model(24, 32)


def test_a_demo_rerun_after_kill_9_removes_the_temporaries_the_killed_run_left(tmp_path):
    """kill -9 while the demo encoded sr.mp4 left `.sr.<pid>.tmp.mp4` in --output, and a rerun into the folder
    kept it for good (generate.py and train.py remove theirs)."""
    import demo
    from clips import ffmpeg
    clip = tmp_path / "clip.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=96x72:rate=10:duration=0.6", "-pix_fmt", "yuv420p", str(clip))
    out = tmp_path / "demo"
    (out / "eval_ours").mkdir(parents=True)
    (out / demo.DEMO_MARK).write_text("written by demo.py\n")
    dead = 2 ** 22 + 1  # above Linux's largest process id
    stale = [out / f".sr.{dead}.tmp.mp4", out / "eval_ours" / f".frames.{dead}.tmp.csv"]
    for path in stale:
        path.write_bytes(b"half written")
    demo.run(demo.parse_args(["--model", WEIGHTS, "--video", str(clip), "--output", str(out), "--frames", "6"]))
    assert not [path for path in stale if path.exists()]
    assert (out / "sr.mp4").stat().st_size > 0


# Eighth pass, half B: train.py, the data, the downloads, the converters and the app

LONG_WORD = "a" * 5000


@pytest.mark.parametrize("argv, line", [
    (["--" + LONG_WORD], "unknown flag --" + "a" * 35 + "... (see --help)"),
    (["--max_iter", "3", LONG_WORD], "unrecognized arguments: " + "a" * 37 + "... (see --help)"),
    (["--", LONG_WORD], "unrecognized arguments: -- " + "a" * 37 + "... (see --help)"),
    (["--set", LONG_WORD], "--set needs SECTION.KEY=VALUE, got '" + "a" * 37 + "...'"),
    (["--set", f"train.{LONG_WORD}=1"], "unknown setting 'train." + "a" * 31 + "...'; use section.key as in "
                                        "config.yaml"),
], ids=["unknown flag", "left-over argument", "after --", "--set without =", "unknown --set key"])
def test_a_long_word_train_py_does_not_know_is_shown_cut_short(argv, line):
    """Only the values argparse quotes were cut short: an unknown flag, a left-over argument or a --set key of 5000
    characters made an error line of 5 kB (every script's flags share the first two)."""
    from train import parse_args
    with pytest.raises(UserError) as error:
        parse_args(argv)
    assert str(error.value) == line


@pytest.mark.parametrize("role", ["--output-dir", "--work-dir", "output folder (--output_dir)"])
def test_an_output_folder_path_longer_than_the_file_system_takes_is_one_line_before_any_work(tmp_path, role):
    """Folder names each within 255 bytes, 4500 bytes in all: download_test_data.py and app.py passed the checks and
    os.makedirs raised OSError (File name too long), a traceback, with some of the folders made."""
    from utils.paths import output_folder
    deep = os.path.join(str(tmp_path), *["d" * 250] * 18)
    with pytest.raises(UserError, match=rf"^{re.escape(role)} '.*\.\.\.' is a path of \d+ bytes, too long for the "
                                        r"names written inside it \(4096 at most on its file system\); choose a "
                                        r"shorter one$"):
        output_folder(deep, role)
    assert os.listdir(tmp_path) == []
    shallower = os.path.join(str(tmp_path), *["d" * 250] * 10)
    assert output_folder(shallower, role) == shallower


def test_download_test_data_refuses_an_output_dir_path_too_long_in_one_line(tmp_path, capsys):
    import download_test_data
    deep = os.path.join(str(tmp_path), *["d" * 250] * 18)
    with pytest.raises(SystemExit) as stop:
        download_test_data.main(["--weights", "--no-data", "--output-dir", deep, "--base-url", "http://127.0.0.1:1"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert os.listdir(tmp_path) == []


def test_a_failed_download_into_a_new_nested_folder_leaves_no_folder(tmp_path, capsys):
    """Only --output-dir and the folders inside it were removed again: a run into x/y that failed left x behind."""
    import download_test_data
    with pytest.raises(SystemExit) as stop:
        download_test_data.main(["--weights", "--no-data", "--output-dir", str(tmp_path / "x" / "y"), "--base-url",
                                 "http://127.0.0.1:1"])
    assert stop.value.code == 2
    assert os.listdir(tmp_path) == []


def test_a_failed_training_run_into_a_new_nested_folder_leaves_no_folder(tmp_path, capsys):
    """train.py removed the --output_dir it made, but not the new folder above it."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes = make_calendar_scenes(tmp_path / "scenes")
    flags = tiny_training_flags(scenes, tmp_path / "x" / "y", **{"train.max_iter": 2}) + ["--tecogan"]
    with pytest.raises(SystemExit) as stop:
        train.main(flags)  # the VGG19 loss without its weights: refused once the output folder is claimed
    assert stop.value.code == 2
    assert "--vgg_pre_trained_weights" in capsys.readouterr().err
    assert os.listdir(tmp_path) == ["scenes"]


def test_make_folder_removes_the_folders_it_made_that_stay_empty(tmp_path):
    from contextlib import ExitStack

    from utils.paths import make_folder
    (tmp_path / "kept").mkdir()
    with ExitStack() as claim:
        make_folder(str(tmp_path / "kept" / "a" / "b"), claim)
        make_folder(str(tmp_path / "used" / "c" / "d"), claim)
        (tmp_path / "used" / "c" / "note.txt").write_text("written")
    assert sorted(os.listdir(tmp_path)) == ["kept", "used"]
    assert os.listdir(tmp_path / "kept") == [] and os.listdir(tmp_path / "used" / "c") == ["note.txt"]


def test_resuming_from_a_checkpoint_older_than_the_output_folders_newest_is_refused(tmp_path, capsys):
    """Resumed with --checkpoint checkpoint_2 (say, with another learning rate) into a folder holding checkpoint_4,
    the run pruned checkpoint_2 and kept checkpoint_4; killed, the next plain resume continued from checkpoint_4 of
    the abandoned run, or called the run finished, and this run's iterations were lost."""
    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 4}))
    before = sorted(os.listdir(output_dir))
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 6})
                   + ["--checkpoint", str(output_dir / "checkpoint_00000002.json")])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: --checkpoint '{output_dir / 'checkpoint_00000002.json'}' (iteration 2) is older than "
        f"'{output_dir / 'checkpoint_00000004.json'}' in the output folder, from which a later resume would "
        "continue instead of this run; resume into another --output_dir, or move the newer checkpoints out of it"]
    assert sorted(os.listdir(output_dir)) == before
    train.main(tiny_training_flags(scenes, tmp_path / "fork", **{"train.max_iter": 4})
               + ["--checkpoint", str(output_dir / "checkpoint_00000002.json")])
    assert "checkpoint_00000004.json" in os.listdir(tmp_path / "fork")


def test_a_second_download_into_a_folder_in_use_is_one_line_and_writes_nothing(tmp_path, capsys):
    """Two runs into one --output-dir wrote the same partial file: the second truncated the first's, and the one
    that finished second stopped with a FileNotFoundError traceback (the other had renamed the file)."""
    import download_test_data
    from utils.paths import lock_folder
    with lock_folder(str(tmp_path), "--output-dir"):
        with pytest.raises(SystemExit) as stop:
            download_test_data.main(["--weights", "--no-data", "--output-dir", str(tmp_path), "--base-url",
                                     "http://127.0.0.1:1"])
        assert os.listdir(tmp_path) == [".tecogan.lock"]
    assert stop.value.code == 2
    assert capsys.readouterr().err == (f"error: --output-dir '{tmp_path}' is in use by another run "
                                       f"(pid {os.getpid()}); wait for it to end, stop it, or choose another folder\n")


def test_a_second_data_prepare_into_a_disk_path_in_use_is_one_line_and_cuts_nothing(tmp_path):
    """Two runs into one --disk_path cut the same scenes: each deleted the other's partial scene folders, both
    stopped with a FileNotFoundError traceback and one scene of three was made."""
    from authors_scripts import dataPrepare
    from utils.image_io import sample_clip
    from utils.paths import lock_folder
    with lock_folder(str(tmp_path), "--disk_path"):
        with pytest.raises(UserError, match=rf"^--disk_path '{re.escape(str(tmp_path))}' is in use by another run "
                                            rf"\(pid {os.getpid()}\)"):
            dataPrepare.prepare_scenes(dataPrepare.parse_args(
                ["--disk_path", str(tmp_path), "--video", sample_clip("bigbuckbunny.mp4"), "--scene_starts", "0"]))
        assert os.listdir(tmp_path) == [".tecogan.lock"]


@pytest.mark.parametrize("place", ["run", "."], ids=["inside", "equal"])
def test_an_output_folder_inside_a_sequences_data_folder_is_refused_before_any_work(tmp_path, capsys, place):
    """With data.layout sequences, an --output_dir inside --input_video_dir trained on the first run, then its
    losses.png (and validation/ pictures) were a training sequence: every resume was refused ("run (1 frames)")."""
    import train
    from training_data import make_sequence_folders
    data = make_sequence_folders(tmp_path / "data", {"a": 4, "b": 4}, sizes={"a": (64, 64), "b": (64, 64)})
    output_dir = os.path.normpath(os.path.join(data, place))
    with pytest.raises(SystemExit) as stop:
        train.main(["--input_video_dir", data, "--output_dir", output_dir, "--num_resblock", "2", "--context", "cpu",
                    "--max_iter", "2", "--set", "data.layout=sequences", "--set", "train.crop_size=8", "--set",
                    "train.rnn_n=3"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"error: --output_dir '{output_dir}' is inside --input_video_dir '{data}', whose folders of pictures are "
        "training sequences (data.layout sequences); choose an --output_dir outside it")
    assert sorted(os.listdir(data)) == ["a", "b"]


@pytest.mark.parametrize("kind", ["folder", "pipe"])
def test_a_data_prepare_log_name_taken_by_a_folder_or_pipe_is_one_line(tmp_path, kind):
    """A folder named like this minute's logfile_<mmddHHMM>.txt: IsADirectoryError traceback (a pipe: a wait)."""
    import datetime

    from authors_scripts import dataPrepare
    now = datetime.datetime.now()
    for moment in (now, now + datetime.timedelta(minutes=1)):  # the minute may turn before Log opens its file
        path = str(tmp_path / moment.strftime("logfile_%m%d%H%M.txt"))
        os.mkdir(path) if kind == "folder" else os.mkfifo(path)
    with pytest.raises(UserError, match=r"^'.*logfile_\d{8}\.txt' is not a file, and the log goes there; move it, or "
                                        r"choose another --summary_dir$"):
        dataPrepare.Log(str(tmp_path))


@pytest.mark.parametrize("name, make", [
    ("scene_2000", lambda path: open(path, "w").close()),
    (".scene_2000.partial", lambda path: open(path, "w").close()),
    ("scene_2000", os.mkfifo),
    ("scene_2000", lambda path: os.symlink(path + ".unmounted", path)),
    ("scene_2000", lambda path: (os.mkdir(path + ".elsewhere"), os.symlink(path + ".elsewhere", path))),
], ids=["file", "file as partial folder", "pipe", "link to nothing", "link to an empty folder"])
def test_a_data_prepare_scene_place_taken_by_other_than_a_folder_is_one_line_before_cutting(tmp_path, name, make):
    """The scene was cut, then renaming it into place failed: NotADirectoryError, FileExistsError or rmtree's
    OSError on a link, a traceback after the work."""
    from authors_scripts import dataPrepare
    from utils.image_io import sample_clip
    make(str(tmp_path / name))
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(UserError, match=rf"^'{re.escape(str(tmp_path / name))}' is not a plain folder, where scene "
                                        r"2000 goes; move it, or choose another --disk_path or --start_id$"):
        dataPrepare.prepare_scenes(dataPrepare.parse_args(["--disk_path", str(tmp_path), "--video",
                                                           sample_clip("bigbuckbunny.mp4"), "--scene_starts", "0",
                                                           "--duration", "5"]))
    assert sorted(os.listdir(tmp_path)) == before


def test_frvsr_weights_that_the_tecogan_run_would_write_over_are_refused(tmp_path, capsys):
    """--pre_trained_frvsr_weights run/model_param_00000002.h5 with --output_dir run (the FRVSR run's folder, its
    checkpoints deleted): the TecoGAN run replaced the FRVSR weights it started from with its own, exit code 0."""
    import glob

    import train
    from training_data import make_calendar_scenes, tiny_training_flags
    scenes, output_dir = make_calendar_scenes(tmp_path / "scenes"), tmp_path / "run"
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2}))
    for path in glob.glob(str(output_dir / "checkpoint_*")) + glob.glob(str(output_dir / "*_0000000*.h5")):
        if "model_param" not in path:
            os.remove(path)
    weights = output_dir / "model_param_00000002.h5"
    before = weights.read_bytes()
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2, "gan.vgg_scaling": 0})
                   + ["--tecogan", "--pre_trained_frvsr_weights", str(weights)])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: --pre_trained_frvsr_weights '{weights}' is a file train.py writes in --output_dir '{output_dir}', and "
        "this run would replace it; move it out of that folder, or choose another --output_dir"]
    assert weights.read_bytes() == before
