"""Hostile inputs and conditions for demo.py: its clip, output folder, flags and memory. Each ends with one line and
exit code 2 (130 for a stop), leaves nothing partial and overwrites nothing (docs/testing.md)."""
import os

import pytest

from hostile import WEIGHTS, ffmpeg_video
from utils.errors import UserError


# The first pass of issue 28: the failures it lists

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


# The fourth pass

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


# The fifth pass

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


# The sixth pass

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


# The seventh pass

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


@pytest.mark.parametrize("chosen", ["/nonexistent/ffmpeg", "/tmp"], ids=["missing", "a folder"])
def test_an_imageio_ffmpeg_exe_that_is_not_a_program_is_one_line_before_any_work(tmp_path, monkeypatch, chosen):
    """IMAGEIO_FFMPEG_EXE (imageio-ffmpeg's way to choose an ffmpeg) naming no program: FileNotFoundError or
    PermissionError traceback once the output video was opened (demo.py: after its frames were written)."""
    import demo
    from utils.video_io import check_video_output
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", chosen)
    message = rf"^ffmpeg '{chosen}' \(IMAGEIO_FFMPEG_EXE\) is not an executable file; set it to ffmpeg's path"
    with pytest.raises(UserError, match=message):
        check_video_output(str(tmp_path / "sr.mp4"))
    with pytest.raises(UserError, match=message):
        demo.run(demo.parse_args(["--model", WEIGHTS, "--video", str(tmp_path / "clip.mp4"),
                                  "--output", str(tmp_path / "demo")]))
    assert os.listdir(tmp_path) == []


# The eighth pass

@pytest.mark.parametrize("program", ["#!/bin/sh\nexit 0\n", "not a program", "#!/nonexistent/sh\n"],
                         ids=["another program", "a text file", "a missing interpreter"])
def test_an_imageio_ffmpeg_exe_that_is_no_ffmpeg_is_one_line_before_any_work(tmp_path, monkeypatch, program):
    """IMAGEIO_FFMPEG_EXE naming an executable file that is not ffmpeg: "ffmpeg could not write video: no message"
    once every frame was written (demo.py: its frame folders left), or an OSError traceback (Exec format error,
    No such file) where the system cannot start it."""
    import demo
    from clips import ffmpeg
    from utils.video_io import check_video_output
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


# Ninth pass, half A

def test_a_demo_into_an_output_another_demo_is_writing_is_refused_and_its_frames_kept(tmp_path):
    """A second demo started into the --output of one still running: it deleted the first one's frames, which then
    failed "cannot read image '.../bicubic/0007.png' (No such file or directory); check its permissions"."""
    import demo
    from utils.paths import lock_folder
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=6, size="96x72")
    out = tmp_path / "demo"
    (out / "lr").mkdir(parents=True)
    (out / demo.DEMO_MARK).write_text("written by demo.py\n")
    (out / "lr" / "0001.png").write_bytes(b"the running demo's frame")
    with lock_folder(str(out), "--output"), pytest.raises(UserError, match="is in use by another run"):
        demo.run(demo.parse_args(["--model", WEIGHTS, "--video", clip, "--output", str(out), "--frames", "6"]))
    assert (out / "lr" / "0001.png").read_bytes() == b"the running demo's frame"


@pytest.mark.parametrize("region", ["0,0,64," + "9" * 5000, "0,0,64," + "9" * 4000],
                         ids=["past int()", "4000 digits"])
def test_a_region_of_thousands_of_digits_is_said_past_any_frame_in_a_short_line(capsys, region):
    """--region with a side of 5000 digits: "needs TOP,LEFT,HEIGHT,WIDTH (whole numbers...)"; of 4000 digits (which
    int() reads): "reaches past the frames", with the 4000 digits printed whole."""
    import demo
    from conftest import user_error_line
    line = user_error_line(demo.main, ["--region", region], capsys)
    assert "holds a number of more than 9 digits, past any frame" in line and len(line) < 200, line


def test_a_failed_demo_removes_the_output_folders_it_made(tmp_path, monkeypatch):
    """A full disk at the demo's first file in a new `--output new/sub`: one line, and `new/sub` left behind, empty
    (or holding only the lock file of the run that failed)."""
    import demo

    def failing(path, content, mode="wb"):
        raise UserError(f"no space left on the disk of '{path}'")
    monkeypatch.setattr(demo, "write_bytes", failing)
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=6, size="96x72")
    with pytest.raises(UserError, match="no space left"):
        demo.run(demo.parse_args(["--model", WEIGHTS, "--video", clip, "--output", str(tmp_path / "new" / "sub"),
                                  "--frames", "6"]))
    assert os.listdir(tmp_path) == ["clip.mp4"]


# Thirteenth pass, third look at the thirteenth pass's half A fixes

def test_an_output_opencv_cannot_write_sr_mp4_into_is_refused_before_any_frame(tmp_path, monkeypatch):
    """Without imageio-ffmpeg OpenCV writes sr.mp4: an --output whose path is not UTF-8 was refused only once lr/,
    ground_truth/, bicubic/ and the cuts file were written (left behind), as an --output-video demo.py has not."""
    import demo
    monkeypatch.setattr(demo, "ffmpeg_executable", lambda: None)
    out = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"demo\xff"))
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=5, size="64x64")
    with pytest.raises(UserError) as raised:
        demo.run(demo.parse_args(["--model", WEIGHTS, "--video", clip, "--output", out, "--frames", "5"]))
    assert str(raised.value).startswith(f"--output '{out}{os.sep}sr.mp4': its path is not UTF-8 text")
    assert sorted(os.listdir(tmp_path)) == ["clip.mp4"]


# Fourteenth pass, second look at generate.py, evaluate.py, demo.py and the web app

@pytest.mark.parametrize("place", [("lr", "0009.png"), ("sr.mp4",)], ids=["an earlier run's frame", "sr.mp4"])
def test_a_model_inside_the_output_folder_is_refused_and_kept(tmp_path, place):
    """--model inside an --output of an earlier demo run, under a name the demo deletes or writes: only --video was
    checked, so the run deleted the model as an earlier run's frame (or wrote sr.mp4 over it), exit code 0."""
    import shutil
    import demo
    out = tmp_path / "demo"
    model = out.joinpath(*place)
    model.parent.mkdir(parents=True, exist_ok=True)
    (out / demo.DEMO_MARK).write_text("")
    shutil.copyfile(WEIGHTS, model)
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=6, size="96x72")
    with pytest.raises(UserError, match=f"^--model '{model}' is inside --output '{out}'"):
        demo.run(demo.parse_args(["--model", str(model), "--video", clip, "--output", str(out), "--frames", "6"]))
    with open(WEIGHTS, "rb") as weights:
        assert model.read_bytes() == weights.read()


# Fourteenth pass, third look at the fourteenth pass's generate, demo and app fixes

def test_a_demo_whose_sr_mp4_generate_is_writing_is_refused_and_nothing_written(tmp_path):
    """generate.py writing its --output-video into a demo's --output as sr.mp4, and the demo run meanwhile: only
    generate.py locked the video, so both wrote it and said so, exit code 0, and the later rename replaced the
    other's (the demo's sr.mp4 no longer the frames of its sr/, or generate.py's video lost)."""
    import demo
    from utils.paths import lock_output_file
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=6, size="96x72")
    out = tmp_path / "demo"
    out.mkdir()
    (out / demo.DEMO_MARK).write_text("written by demo.py\n")
    before = sorted(os.listdir(out))
    with lock_output_file(str(out / "sr.mp4"), "--output-video"), \
            pytest.raises(UserError, match=rf"^sr.mp4 '{out}/sr.mp4' is being written by another run \(pid "
                                           rf"{os.getpid()}\).*choose another --output$"):
        demo.run(demo.parse_args(["--model", WEIGHTS, "--video", clip, "--output", str(out), "--frames", "6"]))
    assert sorted(os.listdir(out)) == before


def test_a_demo_rerun_after_a_kill_that_left_the_video_s_lock_file(tmp_path):
    """The lock file of sr.mp4, left by a demo killed (SIGKILL) before it wrote its mark: the next run into that
    folder is taken, as with the folder's own lock file."""
    import demo
    from utils.paths import output_lock_name
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=6, size="96x72")
    out = tmp_path / "demo"
    out.mkdir()
    (out / output_lock_name("sr.mp4")).write_text("4194304\n")
    demo.check_output(str(out), clip, WEIGHTS)


# Fourteenth pass, fourth look at the fourteenth pass's output-lock and path fixes

def test_an_output_through_the_video_file_and_dot_dot_is_one_line_and_nothing_made(tmp_path):
    """--output clip.mp4/../out (a slip for the folder beside the video): the output folder was checked as
    os.path.abspath reads it (clip.mp4 and .. both dropped), and making it was NotADirectoryError's traceback."""
    import demo
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=5, size="64x64")
    with pytest.raises(UserError, match=r"^--output '.*clip.mp4/../out' is under '.*clip.mp4', which is a file"):
        demo.run(demo.parse_args(["--model", WEIGHTS, "--video", clip, "--output", f"{clip}/../out", "--frames", "5"]))
    assert sorted(os.listdir(tmp_path)) == ["clip.mp4"]


# Fifteenth pass, second look at demo.py and the web app

def test_a_demo_of_a_one_colour_clip_says_n_a_for_its_high_frequency_share(tmp_path):
    """A clip of flat frames (black, as a fade-in opens; a title card): the ground truth holds no high-frequency
    energy, and the share of it was a ZeroDivisionError's traceback after the whole run, metrics.md not written."""
    import demo
    clip = ffmpeg_video(tmp_path / "black.mp4", "-vf", "drawbox=c=black:t=fill", "-pix_fmt", "yuv420p", frames=6,
                        size="64x64")
    out = tmp_path / "demo"
    demo.run(demo.parse_args(["--model", WEIGHTS, "--video", clip, "--output", str(out), "--frames", "6"]))
    rows = [line.split("|") for line in (out / "metrics.md").read_text().splitlines()[2:]]
    assert [row[-2].strip() for row in rows] == ["n/a", "n/a"]


class InterruptedExtension:
    """A meta path finder for `name` whose module fails as pybind11 reports a stop signal (KeyboardInterrupt) during
    its extension's initialisation: ImportError("initialization failed") from it. calls: the imports tried."""

    def __init__(self, name):
        self.name, self.calls = name, 0

    def find_spec(self, name, path, target=None):
        import importlib.util
        return importlib.util.spec_from_loader(name, self) if name == self.name else None

    def create_module(self, spec):
        self.calls += 1
        raise ImportError("initialization failed") from KeyboardInterrupt()

    def exec_module(self, module):
        pass


def test_a_stop_while_openvino_is_imported_is_a_stop_and_the_onnx_cache_is_kept(tmp_path, monkeypatch, capsys):
    """Ctrl-C while OpenVINO's bindings initialised (its first compile, seconds into the demo): pybind11 made it an
    ImportError, which the backend took for a damaged cache: it deleted the cached ONNX files, exported them anew and
    imported OpenVINO again, whose "already registered" ended the demo with a traceback, exit code 1."""
    import sys
    import demo
    from inference import onnx_export
    extension = InterruptedExtension("openvino")
    monkeypatch.setattr(sys, "meta_path", [extension, *sys.meta_path])
    monkeypatch.delitem(sys.modules, "openvino", raising=False)
    monkeypatch.setattr(onnx_export, "_CORE", [])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=5, size="64x64")
    with pytest.raises(SystemExit) as exit_info:
        demo.main(["--model", WEIGHTS, "--video", clip, "--output", str(tmp_path / "demo"), "--frames", "5"])
    assert exit_info.value.code == 130 and capsys.readouterr().err.splitlines()[-1] == "interrupted"
    assert extension.calls == 1
    assert [name for _, _, names in os.walk(tmp_path / "cache") for name in names if name.endswith(".onnx")]


def test_a_demo_of_a_video_cut_short_advises_its_own_flag_and_that_advice_runs(tmp_path):
    """A video cut short (a download broken off) was refused with "pass --end 13 to use what is there", a flag
    demo.py does not have; --frames is its flag for where the frames end."""
    import re
    import demo
    from hostile import video_cut_short
    clip = video_cut_short(tmp_path)
    with pytest.raises(UserError, match=r"truncated or damaged; repair it \(or pass --frames \d+ to use what is "
                                        r"there\)$") as raised:
        demo.run(demo.parse_args(["--model", WEIGHTS, "--video", clip, "--output", str(tmp_path / "a")]))
    frames = re.search(r"--frames (\d+)", str(raised.value))[1]
    demo.run(demo.parse_args(["--model", WEIGHTS, "--video", clip, "--output", str(tmp_path / "b"), "--frames",
                              frames]))
    assert len(os.listdir(tmp_path / "b" / "sr")) == int(frames)


# Fifteenth pass, third look at the fifteenth pass's download, converter and error-line fixes

@pytest.mark.parametrize("step", ["write_frames", "super_resolve"])
def test_a_frame_folder_on_a_disk_out_of_inodes_is_the_no_room_line(tmp_path, monkeypatch, step):
    """demo.py's lr/, bicubic/, ground_truth/ and sr/ made once its output folder is: on a disk whose inodes ran out
    just then, OSError's traceback (No space left on device)."""
    import numpy as np
    import demo
    from hostile import disk_out_of_inodes
    with disk_out_of_inodes(tmp_path / "disk", monkeypatch) as mounted:
        if not mounted:
            pytest.skip("needs a tmpfs of few inodes (root)")
        folder = str(tmp_path / "disk" / "sr")
        with pytest.raises(UserError, match="^no room for another file on the disk of .*sr'"):
            if step == "write_frames":
                demo.write_frames(folder, np.zeros((1, 4, 4, 3), np.float32))
            else:
                demo.super_resolve(None, np.zeros((1, 4, 4, 3), np.float32), [], folder, folder + ".mp4", 25)


# Fifteenth pass, third look at the fifteenth pass's generate, demo and app fixes

def test_a_video_cut_short_before_the_demos_fewest_frames_advises_no_frames_it_refuses(tmp_path):
    """A video cut short after 3 frames: demo.py advised "pass --frames 3 to use what is there", and `--frames 3`
    was then refused as fewer than the 5 frames the demo needs."""
    import re
    import demo
    from hostile import intra_video_cut_short
    from utils import metrics
    clip = intra_video_cut_short(tmp_path, 10)
    with pytest.raises(UserError, match="truncated or damaged") as raised:
        demo.run(demo.parse_args(["--model", WEIGHTS, "--video", clip, "--output", str(tmp_path / "a")]))
    there = int(re.search(r"ended after (\d+) of", str(raised.value))[1])
    assert there < metrics.MIN_FRAMES and "pass --frames" not in str(raised.value)
    assert f"fewer than the {metrics.MIN_FRAMES} needed" in str(raised.value)


# Sixteenth pass, second look at demo.py and the web page

@pytest.mark.parametrize("video, refusal", [
    ("frames", "is a folder; pass a video file"),
    ("photo.mp4", "is a picture (PNG or JPEG), not a video; pass a video file")])
def test_a_folder_or_a_picture_as_the_demos_video_is_refused_without_a_flag_the_demo_does_not_have(tmp_path, capsys,
                                                                                                  video, refusal):
    """--video a folder (of frames, say): "pass a video file, or the folder as --input-dir-lr"; a picture: "put it in a
    folder and pass that as --input-dir-lr", generate.py's flag; demo.py has none that takes frames."""
    import shutil
    import demo
    from conftest import user_error_line
    from hostile import FRAMES
    path = tmp_path / video
    if video == "frames":
        path.mkdir()
    else:
        shutil.copyfile(os.path.join(FRAMES, sorted(os.listdir(FRAMES))[0]), path)
    line = user_error_line(demo.main, ["--model", WEIGHTS, "--video", str(path), "--output", str(tmp_path / "out")],
                           capsys)
    assert line.endswith(f"'{path}' {refusal}")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("share", [0.75, 0.25])
def test_the_demos_memory_advice_is_one_it_then_takes(tmp_path, monkeypatch, share):
    """Frames too large for the free memory: the advice's region was always "e.g. 0,0,540,960", past frames smaller
    than that (then refused as reaching past them) and, for larger ones, too large for the memory with as many frames;
    with too little memory for the least region, a region was advised all the same."""
    import re
    import demo
    clip = ffmpeg_video(tmp_path / "clip.mp4", frames=10, size="64x64")
    monkeypatch.setattr(demo, "available_memory", lambda: share * demo.FRAME_COPIES * 10 * 64 * 64 * 3 * 4)
    with pytest.raises(UserError) as raised:
        demo.read_frames(clip, 10, None, scale=4)
    example = re.search(r"--region .*\(e\.g\. ([\d,]+)\)", str(raised.value))
    if share < 0.5:  # a region of a quarter of the pixels is 32x32, below the least the demo takes
        assert not example and str(raised.value).endswith("free some memory, or pass a shorter or smaller video")
    else:
        region = demo.parse_region(example[1])
        assert demo.read_frames(clip, 10, region, scale=4).shape == (10, region[2], region[3], 3)


# Seventeenth pass, third look at the seventeenth pass's frame-folder and output-line fixes

def test_the_demos_closing_lines_show_an_outputs_escape_sequence_and_newline_by_their_codes(tmp_path, capsys):
    """generate.py's and evaluate.py's lines of a run that succeeds show a path's escape sequences and newlines by
    their codes (the seventeenth pass, through utils.errors.printable); demo.py's "In <output>/:" line printed its
    --output as given: the terminal ran the sequence and the newline split the line."""
    import demo
    out = tmp_path / "demo\x1b]0;title\x07\nout"
    clip = ffmpeg_video(tmp_path / "clip.mp4", frames=5, size="64x64")
    demo.main(["--model", WEIGHTS, "--video", clip, "--frames", "5", "--output", str(out)])
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "\x07" not in printed
    [closing] = [line for line in printed.splitlines() if line.startswith("demo finished in ")]
    assert closing.endswith(f"In {tmp_path}/demo\\x1b]0;title\\x07\\nout/:")
    assert (out / "sr.mp4").is_file()


# Eighteenth pass, second look at tiles, memory budgets, output scales, precisions and backends

def test_frames_just_past_the_free_memory_name_a_need_above_the_memory_free(monkeypatch):
    """Five 1920x1080 frames needing 1 MB more than is free: "need about 0.93 GB, and 0.93 GB is free", both rounded
    to the nearest."""
    import demo
    from hostile import sizes_in_bytes
    needed = demo.FRAME_COPIES * 5 * 1080 * 1920 * 3 * 4
    monkeypatch.setattr(demo, "available_memory", lambda: needed - 2 ** 20)
    with pytest.raises(UserError, match="is free: pass ") as refused:
        demo.check_memory((0, 0, 1080, 1920), 5, "clip.mp4", 32)
    said_needed, said_free = sizes_in_bytes(str(refused.value).split("from 'clip.mp4'")[1])
    assert said_needed >= needed > said_free


# Eighteenth pass, third look at the eighteenth pass's demo, page and frame-copy fixes

@pytest.mark.parametrize("region, subject", [(None, "the 64x48 frames of 'clip.mp4' are"),
                                             ((0, 0, 48, 64), "--region 0,0,48,64 is")],
                         ids=["whole frames", "region"])
def test_a_clip_too_small_for_the_demo_is_said_in_a_grammatical_line(region, subject):
    """The line of a clip whose whole frames are too small said "the 64x48 frames of '...' is smaller than 53x53"."""
    import re

    import demo
    with pytest.raises(UserError, match=rf"^{re.escape(subject)} smaller than 53x53, "):
        demo.clip_box(region, (48, 64), "clip.mp4", demo.DEFAULT_DEGRADATION, 4)


# Eighteenth pass, third look at the eighteenth pass's tile, memory and size fixes

def test_the_demo_running_out_of_memory_names_only_its_own_flags(tmp_path, monkeypatch, capsys):
    """The networks out of memory on the demo's frames: "...; pass a lower --max-memory or --tile, free memory, or
    raise this process's limit", generate.py's advice, with two flags demo.py does not have."""
    import demo
    import inference.resolver

    def running_out(*args, **kwargs):
        raise MemoryError
        yield
    monkeypatch.setattr(inference.resolver, "super_resolve", running_out)
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", frames=6, size="64x64")
    with pytest.raises(SystemExit) as exit_info:
        demo.main(["--model", WEIGHTS, "--video", clip, "--frames", "6", "--output", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith("error: out of memory while super-resolving")
    with pytest.raises(SystemExit):
        demo.parse_args(["--help"])
    usage = capsys.readouterr().out
    flags = [word.strip(",.;") for word in line.split() if word.startswith("--")]
    assert flags and all(f"{flag} " in usage for flag in flags)


# Nineteenth pass, second look at demo.py and the web page

@pytest.mark.parametrize("region", ["0,0,6_4,64", "1_0,0,64,64"])
def test_a_region_with_an_underscore_is_refused_not_read_as_python_s_grouping(region):
    """int() reads '_' between digits as Python's grouping: '--region 0,0,6_4,64' was a 64-high region, where every
    number flag and --outscale refuse '_' since the nineteenth pass's mend."""
    import demo
    with pytest.raises(UserError, match=rf"^--region must be a number without '_' .*got '{region}'$"):
        demo.parse_args(["--region", region])
    assert demo.parse_args(["--region", "0,0,64,64"]).region == (0, 0, 64, 64)


# Twentieth pass, second look at demo.py and the web page

def test_the_demos_closing_line_names_an_output_given_with_a_slash_with_one_slash(tmp_path, capsys):
    """'--output d1/' was named "In d1//:" (noticed by the nineteenth pass's looks, counted by this one)."""
    import demo
    clip = ffmpeg_video(tmp_path / "clip.mp4", frames=5, size="64x64")
    demo.main(["--model", WEIGHTS, "--video", clip, "--frames", "5", "--output", f"{tmp_path}/d1/"])
    [closing] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("demo finished in ")]
    assert closing.endswith(f"In {tmp_path}/d1/:")
    assert (tmp_path / "d1" / "sr.mp4").is_file()


def test_the_demo_opens_its_model_once(tmp_path, monkeypatch):
    """The demo read the model's arrays (SuperResolver), then opened the file again for its degradation, as the page
    did (the nineteenth pass's closing note named the page's)."""
    import demo
    from hostile import hdf5_opens
    clip = ffmpeg_video(tmp_path / "clip.mp4", frames=5, size="64x64")
    opened = hdf5_opens(monkeypatch)
    demo.main(["--model", WEIGHTS, "--video", clip, "--frames", "5", "--output", str(tmp_path / "out")])
    assert opened.count(WEIGHTS) == 1
    assert (tmp_path / "out" / "sr.mp4").is_file()


# Twenty-first pass, look at demo.py and the web page

def test_a_blank_output_is_refused_as_empty_as_generate_py_refuses_its_output_dir():
    """--output ' ' made a folder named ' ' and wrote the demo into it ("In  /:"), where generate.py refuses a blank
    --output-dir as empty (and demo.py a blank --video)."""
    import demo
    with pytest.raises(UserError, match="^--output is empty; give its value"):
        demo.parse_args(["--output", " "])


@pytest.mark.parametrize("fps", [60, 30])
def test_the_demos_gif_plays_a_clip_of_60_or_30_frames_a_second_at_its_rate(tmp_path, fps):
    """The GIF's one delay, round(1000 / fps) ms, is cut by Pillow to whole hundredths of a second: a 60 fps clip's
    frames got 1 hundredth, which browsers play as 10 (the GIF at 10 fps, six times slower than the clip), a 30 fps
    clip's 3 (33 fps)."""
    import numpy as np
    from PIL import Image, ImageSequence

    from utils.pictures import side_by_side_gif
    frames = np.random.default_rng(0).random((6, 16, 16, 3), dtype=np.float32)
    side_by_side_gif(str(tmp_path / "clip.gif"), [frames] * 3, (0, 0, 16, 16), "clip.mp4", fps, ("a", "b", "c"))
    durations = [frame.info["duration"] for frame in ImageSequence.Iterator(Image.open(tmp_path / "clip.gif"))]
    assert min(durations) >= 20 and abs(sum(durations) - 6000 / fps) <= 10


# Twenty-second pass, look at demo.py and the web page

@pytest.mark.parametrize("fps, frames", [(0.01, 7), (0.001, 2)])
def test_the_gif_of_a_slow_clip_that_does_not_change_is_written(tmp_path, fps, frames):
    """Pillow's GIF writer merges frames that look alike by adding their delays: a static clip of 0.01 fps (7 frames of
    100 s) or 0.001 fps (2 frames, each shown the longest a GIF can say) gave a struct.error traceback, exit code 1,
    the demo's GIF, still and metrics.md not written."""
    import numpy as np
    from PIL import Image, ImageSequence

    from utils.pictures import GIF_MOST_HUNDREDTHS, side_by_side_gif
    still = np.full((frames, 16, 16, 3), 0.5, np.float32)
    side_by_side_gif(str(tmp_path / "clip.gif"), [still] * 3, (0, 0, 16, 16), "clip.mp4", fps, ("a", "b", "c"))
    durations = [frame.info["duration"] for frame in ImageSequence.Iterator(Image.open(tmp_path / "clip.gif"))]
    assert durations == [min(round(frames * 1000 / fps), 10 * GIF_MOST_HUNDREDTHS)]


def test_the_demos_titles_show_a_clip_name_of_other_letters_by_their_codes():
    """OpenCV's Hershey font has ASCII alone: the GIF's and the still's titles of a clip named 'café.mp4' read
    'caf??.mp4' (a '?' a byte of UTF-8), exit code 0."""
    import numpy as np

    from utils.pictures import labelled
    window = np.zeros((8, 200, 3), np.uint8)
    assert np.array_equal(labelled(window, "café.mp4"), labelled(window, "caf\\xe9.mp4"))
    assert not np.array_equal(labelled(window, "café.mp4"), labelled(window, "caf??.mp4"))


# Twenty-fifth pass, look at demo.py and the web page

@pytest.mark.parametrize("folder", ["/proc/tecogan_output", "/sys/tecogan_output/run"])
def test_a_demo_output_folder_the_system_will_not_make_is_one_line_not_a_traceback(folder):
    """demo.py --output /proc/x (or /sys/x) run as root, to whom /proc and /sys are writable by their modes, passed
    every check and ended in os.mkdir's traceback ("FileNotFoundError: [Errno 2] No such file or directory: '/proc/x'",
    exit code 1), where generate.py's --output-dir says "cannot create output folder"."""
    from contextlib import ExitStack

    import demo
    with ExitStack() as claim, pytest.raises(UserError, match=rf"^cannot create --output '{folder}' \([^)]+\); "
                                                              "choose another --output$"):
        demo.make_output(folder, claim)
    assert not os.path.exists(folder)
