"""Hostile inputs and conditions for app.py, the page in the browser: its command line and the uploads it reads. Each
ends with one line and exit code 2 (130 for a stop), leaves nothing partial and overwrites nothing
(docs/testing.md)."""
import os
import re
import signal
import subprocess
import sys
import time
from html import escape

import pytest

from conftest import REPO_ROOT
from hostile import FRAMES
from utils.errors import UserError
from utils.output_size import MAX_SIDE


# The second pass

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


# The third pass

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


# The fourth pass

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


# The fifth pass

def test_a_work_dir_on_a_disk_without_room_for_one_upload_is_refused_before_the_server_starts(small_disk,
                                                                                              monkeypatch):
    """The server started, and each upload failed in Gradio: a traceback on the terminal, "Internal Server
    Error" on the page."""
    import shutil

    import app
    folder, mounted = small_disk
    if not mounted:
        monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(2 ** 30, 2 ** 30, 0))
    with pytest.raises(UserError, match=r"^the disk of --work-dir '.*' has [\d.]+ (bytes|kB|MB) free, less than one "
                                        r"upload of --max-upload-mb 1; free some space, or choose another "
                                        r"--work-dir or a lower --max-upload-mb$"):
        app.parse_args(["--work-dir", str(folder / "work"), "--max-upload-mb", "1"])
    assert os.listdir(folder) == []


# The seventh pass

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


# Ninth pass, the coordinator's part: the uploads and jobs folders are the server's own

def busy_port_main(work, capsys, *flags):
    """app.main's one error line where it cannot serve (its port is taken): everything before the server starts,
    and the clean-up after it, runs. flags: more of app.py's."""
    import socket

    import app
    from conftest import user_error_line
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        return user_error_line(app.main, ["--port", str(busy.getsockname()[1]), "--work-dir", str(work), *flags],
                               capsys)


@pytest.mark.parametrize("name", ["uploads", "jobs"])
@pytest.mark.parametrize("kind", ["folder of the user's", "link to the user's folder", "file"])
def test_a_work_dir_holding_a_user_s_own_uploads_or_jobs_is_refused_and_kept(tmp_path, capsys, name, kind):
    """The server emptied <work-dir>/uploads and <work-dir>/jobs at start and stop whatever they were: a user's
    --work-dir ~ deleted their own jobs folder."""
    work = tmp_path / "work"
    mine = tmp_path / "mine" if kind == "link to the user's folder" else work / name
    mine.mkdir(parents=True)
    (mine / "thesis.txt").write_text("mine")
    work.mkdir(exist_ok=True)
    if kind == "file":
        (mine / "thesis.txt").rename(tmp_path / "thesis.txt")
        mine.rmdir()
        (tmp_path / "thesis.txt").rename(work / name)
    elif kind == "link to the user's folder":
        (work / name).symlink_to(mine)
    line = busy_port_main(work, capsys)
    what = {"file": "a file", "link to the user's folder": "a symbolic link"}.get(kind, "a folder of files this "
                                                                                        "program did not write")
    assert line.startswith(f"error: '{work / name}' is {what}") and line.endswith("choose another --work-dir"), line
    assert ((mine / "thesis.txt") if kind != "file" else work / name).read_text() == "mine"
    assert sorted(os.listdir(work)) == [name]  # the other scratch folder and the lock went again


def test_what_a_killed_server_left_is_deleted_and_the_user_s_files_beside_it_kept(tmp_path, capsys):
    work = tmp_path / "work"
    for name in ("uploads", "jobs"):
        (work / name / "a1b2").mkdir(parents=True)
        (work / name / "a1b2" / "frame.png").write_bytes(b"left by a killed server")
        (work / name / ".tecogan_scratch").touch()
    (work / "notes.txt").write_text("mine")
    (work / "onnx-cache").mkdir()
    line = busy_port_main(work, capsys)
    assert line.startswith("error: cannot serve on 127.0.0.1:")
    assert sorted(os.listdir(work)) == ["notes.txt", "onnx-cache"]


def test_an_empty_uploads_or_jobs_folder_is_taken_over(tmp_path, capsys):
    work = tmp_path / "work"
    (work / "jobs").mkdir(parents=True)
    (work / "uploads").mkdir()
    line = busy_port_main(work, capsys)
    assert line.startswith("error: cannot serve on 127.0.0.1:") and os.listdir(work) == []


def test_a_scratch_mark_that_is_no_regular_file_does_not_make_a_folder_the_server_s(tmp_path, capsys):
    """A link named like the mark (to a file elsewhere) must not let the server empty a user's folder."""
    work = tmp_path / "work"
    (work / "jobs").mkdir(parents=True)
    (work / "jobs" / "thesis.txt").write_text("mine")
    (tmp_path / "elsewhere").write_text("")
    (work / "jobs" / ".tecogan_scratch").symlink_to(tmp_path / "elsewhere")
    assert "a folder of files this program did not write" in busy_port_main(work, capsys)
    assert (work / "jobs" / "thesis.txt").read_text() == "mine"


# Tenth pass, half B

@pytest.mark.parametrize("name", ["uploads", "jobs"])
@pytest.mark.parametrize("spelling", ["folder", "link"])
def test_weights_inside_a_folder_the_server_deletes_are_refused_and_kept(tmp_path, capsys, name, spelling):
    """--weights-dir <work-dir>/jobs/mine (or a link to it), the jobs folder left by a killed server: the server
    deleted it at start, the user's generators with it, and served a page without them."""
    import shutil

    work = tmp_path / "work"
    mine = work / name / "mine"
    mine.mkdir(parents=True)
    (work / name / ".tecogan_scratch").touch()
    shutil.copy(os.path.join(REPO_ROOT, "pretrained", "tecogan_demo_bigbuckbunny.h5"), mine / "model.h5")
    weights = mine if spelling == "folder" else tmp_path / "weights"
    if spelling == "link":
        weights.symlink_to(mine)
    line = busy_port_main(work, capsys, "--weights-dir", str(weights))
    assert line == (f"error: --weights-dir '{weights}' is inside '{work / name}', a folder the server deletes when it "
                    "starts and stops; move the generators out of it, or choose another --work-dir")
    assert (mine / "model.h5").is_file()


# Twelfth pass, the app's jobs

CALENDAR_SPEC = dict(input=dict(kind="frames", path=os.path.join(REPO_ROOT, "data", "calendar_lr"), frames=6),
                     model=os.path.join(REPO_ROOT, "pretrained", "tecogan_demo_bigbuckbunny.h5"), flags={})


def test_run_again_on_an_upload_gradio_has_deleted_is_one_line_and_leaves_no_job(tmp_path):
    """Run pressed again on the same upload after Gradio's sweep deleted its copy (--keep-minutes after the upload):
    FileNotFoundError with a traceback, and "Error" on the page."""
    from webapp.inputs import job_spec
    from webapp.jobs import JobQueue

    queue = JobQueue(str(tmp_path / "work"), 60)
    gone = str(tmp_path / "gradio" / "clip.mp4")
    with pytest.raises(UserError, match=r"^'clip\.mp4' is no longer on the server \(an upload is deleted "
                                        r"with its job's files\); upload it again$"):
        queue.submit(lambda folder: job_spec(folder, gone, None, "bundled: tecogan_demo_bigbuckbunny.h5", "", "",
                                             {}, str(tmp_path), 2 ** 30))
    assert os.listdir(queue.jobs_folder) == []


def test_a_job_whose_command_cannot_start_fails_with_one_line_and_the_queue_goes_on(tmp_path):
    """The interpreter of the jobs' commands gone (a venv moved while the server runs): Popen's OSError killed the
    queue's thread; the job stayed "running" and every later one "waiting", with no word on the page."""
    from webapp.jobs import JobQueue

    queue = JobQueue(str(tmp_path / "work"), 60, python=str(tmp_path / "gone" / "python"))
    jobs = [queue.submit(lambda folder: CALENDAR_SPEC) for _ in range(2)]
    for job in jobs:
        assert job.finished.wait(30)
        assert job.state == "failed"
        assert job.message == (f"the run could not start ([Errno 2] No such file or directory: "
                               f"'{tmp_path / 'gone' / 'python'}'); please report it")
    assert os.listdir(queue.jobs_folder) == []


@pytest.mark.parametrize("code, message", [
    (-signal.SIGKILL, "the run was killed (SIGKILL: most often the system out of memory); try a shorter clip or a "
                      "smaller Output size"),
    (-signal.SIGSEGV, "the run was killed (Segmentation fault); please report it"),
    (-(signal.SIGRTMIN + 6), "the run was killed (Real-time signal 6); please report it")])
def test_a_run_killed_by_a_signal_says_so_not_a_negative_exit_code(code, message):
    """generate.py killed by the kernel's out-of-memory killer: "stopped with exit code -9 (<its last log line>);
    please report it"."""
    from webapp.jobs import failure

    assert failure(["loading the model"], code, "/jobs/1") == message


def test_a_finished_job_s_files_go_on_time_while_a_long_job_runs(tmp_path, monkeypatch):
    """The expiry sweep ran only between jobs: a done job's files (a user's upload and results) outlived the time
    the page showed for as long as the next job ran, hours for a long video."""
    from webapp import jobs

    monkeypatch.setattr(jobs, "SWEEP_SECONDS", 0.2)
    delay = tmp_path / "delay"
    delay.write_text("0")
    interpreter = tmp_path / "python"  # each command of a job sleeps as long as the file says, then succeeds
    interpreter.write_text(f"#!/bin/sh\nsleep $(cat {delay})\n")
    interpreter.chmod(0o755)
    queue = jobs.JobQueue(str(tmp_path / "work"), 0.5, python=str(interpreter))
    quick = queue.submit(lambda folder: CALENDAR_SPEC)
    assert quick.finished.wait(30) and quick.state == "done"
    delay.write_text("30")
    long = queue.submit(lambda folder: CALENDAR_SPEC)
    time.sleep(3)
    assert long.state == "running"
    assert quick.state == "expired" and not os.path.exists(quick.folder)
    queue.cancel(long.id)


def test_a_sample_name_not_in_the_list_is_one_line_as_a_model_s_is(tmp_path):
    """A value the page's list never holds, sent to the job function (Gradio's API, an old page): KeyError."""
    from webapp.inputs import job_spec

    with pytest.raises(UserError, match=r"^sample 'bikes' is not in the list; reload the page and choose a sample$"):
        job_spec(str(tmp_path / "input"), None, "bikes", "bundled: tecogan_demo_bigbuckbunny.h5", "", "", {},
                 str(tmp_path), 2 ** 30)


# Twelfth pass, third look at half B

def test_an_upload_gradio_deletes_while_run_starts_is_one_line_and_leaves_no_job(tmp_path, monkeypatch):
    """Gradio's sweep deleting the upload after the check that it is there and before its copy: FileNotFoundError with
    a traceback, and "Error" on the page."""
    import shutil

    from webapp import inputs
    from webapp.jobs import JobQueue

    upload = tmp_path / "gradio" / "clip.mp4"
    upload.parent.mkdir()
    upload.write_bytes(b"a video")
    real_copy = shutil.copyfile

    def swept_first(source, target):
        os.remove(source)
        return real_copy(source, target)
    monkeypatch.setattr(inputs.shutil, "copyfile", swept_first)
    queue = JobQueue(str(tmp_path / "work"), 60)
    with pytest.raises(UserError, match=r"^'clip\.mp4' is no longer on the server \(an upload is deleted "
                                        r"with its job's files\); upload it again$"):
        queue.submit(lambda folder: inputs.job_spec(folder, str(upload), None, "bundled: tecogan_demo_bigbuckbunny.h5",
                                                    "", "", {}, str(tmp_path), 2 ** 30))
    assert os.listdir(queue.jobs_folder) == []


def test_run_pressed_while_the_server_stops_starts_no_job(tmp_path):
    """A job submitted after the queue's stop (Run pressed between Ctrl-C's cancelling of the jobs and the page's
    close) ran: its command, in a session of its own, outlived the server, writing into the work folder it deletes."""
    from webapp.jobs import JobQueue

    interpreter = tmp_path / "python"  # a job's command that runs a while
    interpreter.write_text("#!/bin/sh\nsleep 3\n")
    interpreter.chmod(0o755)
    queue = JobQueue(str(tmp_path / "work"), 60, python=str(interpreter))
    queue.stop()
    with pytest.raises(UserError, match=r"^the server is stopping; start it again, then press Run$"):
        queue.submit(lambda folder: CALENDAR_SPEC)
    assert os.listdir(queue.jobs_folder) == []


def test_the_page_says_a_keep_minutes_of_a_fraction_as_given(tmp_path):
    """--keep-minutes 0.4 (or 1.4): the page said files are deleted "at the latest 0 minutes" (or 1) after a job
    ends, rounded down past the time they are kept."""
    import gradio as gr

    from webapp.jobs import JobQueue
    from webapp.ui import build

    page = build(JobQueue(str(tmp_path / "work"), 1.4 * 60), str(tmp_path), 200, 2000)
    said = [block.value for block in page.blocks.values() if isinstance(block, gr.Markdown) and block.value]
    assert any("deleted at the latest 1.4 minutes after it ends" in text for text in said)


# Thirteenth pass, second look at the twelfth pass's new kinds and the web app

def impossible_png(width, height):
    """A PNG whose header claims width x height over one tiny data chunk (a damaged or crafted file)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b""))


def test_a_failed_frame_of_an_uploaded_zip_is_named_as_in_the_zip_not_by_its_path_on_the_server(tmp_path):
    """A zip of frames whose headers claim 4000x3000 over a few bytes (read whole only by generate.py): the job failed
    with "cannot read image 'input/frames/0001.png'", a path in the job's folder on the server. (Headers of
    100000x100000, as first tried, are now refused before the job is queued: the x4 model's output of them is past the
    largest side; since the twentieth pass's third look, so are those of 4000x3000, by generate.py's byte checks, and
    the job's turn is reached by frames whose compressed data alone is not a picture.)"""
    import struct
    import zipfile
    import zlib

    from webapp.inputs import job_spec
    from webapp.jobs import JobQueue

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    not_a_picture = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", b"\x00" * 64) + chunk(b"IEND", b""))  # whole, checksums right, no zlib stream
    for frame, line in ((impossible_png(4000, 3000),
                         "frame '0001.png' of 'frames.zip' cannot be read: its header claims"),
                        (not_a_picture, "cannot read image '0001.png': the file is corrupt or not an image")):
        with zipfile.ZipFile(tmp_path / "frames.zip", "w") as archive:
            for name in ("0001.png", "0002.png"):
                archive.writestr(name, frame)
        queue = JobQueue(str(tmp_path / "work"), 60)
        try:
            job = queue.submit(lambda folder: job_spec(folder, str(tmp_path / "frames.zip"), None,
                                                       "bundled: tecogan_demo_bigbuckbunny.h5", "", "", {},
                                                       str(tmp_path), 2 ** 30))
        except UserError as error:
            message = str(error)
        else:
            assert job.finished.wait(120) and job.state == "failed"
            message = job.message
        assert message.startswith(line), message
        assert "input" not in message


# Fourteenth pass, second look at generate.py, evaluate.py, demo.py and the web app

def test_run_on_a_disk_that_cannot_take_a_job_s_folder_is_one_line_and_leaves_no_job(tmp_path, monkeypatch):
    """A disk out of room (or of inodes, which a tmpfs of free bytes runs out of) when Run makes the job's folder:
    the OSError of os.makedirs came before the job's own checks, so the page said "Error" and the server logged a
    traceback."""
    import errno

    from webapp import jobs

    queue = jobs.JobQueue(str(tmp_path / "work"), 60)

    def full(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
    monkeypatch.setattr(jobs.os, "makedirs", full)
    with pytest.raises(UserError, match=r"^no space left on the disk of '.*'; free some space"):
        queue.submit(lambda folder: CALENDAR_SPEC)
    assert os.listdir(queue.jobs_folder) == [] and queue.jobs == {}


# Fourteenth pass, fourth look at the fourteenth pass's output-lock and path fixes

def test_work_and_weights_folders_through_a_link_and_dot_dot_are_those_checked(tmp_path, capsys, monkeypatch):
    """--work-dir lnk/../work and --weights-dir lnk/../weights were checked where the system reads them (the folder
    above lnk's target) and then made absolute by os.path.abspath (which drops 'lnk/..': the working folder): the
    server listed the generators of another folder (or none) and put its jobs and uploads beside them."""
    import webapp.ui
    from conftest import user_error_line
    (tmp_path / "sub" / "a").mkdir(parents=True)
    (tmp_path / "sub" / "weights").mkdir()
    (tmp_path / "lnk").symlink_to(tmp_path / "sub" / "a")
    seen = {}

    def build(queue, weights_dir, *sizes):
        seen.update(weights=weights_dir, uploads=os.environ["GRADIO_TEMP_DIR"])
        raise UserError("stopped before serving")
    monkeypatch.setattr(webapp.ui, "build", build)
    monkeypatch.chdir(tmp_path)
    import app
    line = user_error_line(app.main, ["--work-dir", "lnk/../work", "--weights-dir", "lnk/../weights"], capsys)
    assert line == "error: stopped before serving"
    assert os.path.realpath(seen["weights"]) == str(tmp_path / "sub" / "weights")
    assert os.path.realpath(seen["uploads"]) == str(tmp_path / "sub" / "work" / "uploads")
    assert sorted(os.listdir(tmp_path)) == ["lnk", "sub"]


# Fifteenth pass, second look at demo.py and the web app

def test_an_upload_of_several_video_streams_says_so_not_that_it_is_no_video(tmp_path):
    """The refusal of a video whose stream to take is not known is the user's to act on: the upload's check turned
    every refusal of the video reader into "not a video with frames this app can decode"."""
    from hostile import video_behind_a_cover
    from webapp.inputs import upload_input
    video = video_behind_a_cover(tmp_path)
    with pytest.raises(UserError, match=r"^'my clip.mkv' holds 2 video streams \(mjpeg 64x64, h264 72x56\)"):
        upload_input(video, "my clip.mkv", "", "", str(tmp_path / "job"), 2 ** 30)


def test_a_failed_job_s_advice_names_the_page_s_fields_not_generate_s_flags(tmp_path):
    """An upload cut short fails once generate.py reaches its end, whose line advised "pass --end 13", a flag the page
    does not have: its field is End (as the upload's own checks already said). (The page refuses such an upload at once
    since the twenty-fifth pass: its copy is cut before the job's turn.)"""
    from hostile import queued_then_cut_short
    from webapp.inputs import job_spec
    from webapp.jobs import JobQueue
    video = str(tmp_path / "cut.mkv")
    queue = JobQueue(str(tmp_path / "work"), 60)
    job = queued_then_cut_short(queue, video, lambda: queue.submit(
        lambda folder: job_spec(folder, video, None, "bundled: tecogan_demo_bigbuckbunny.h5", "", "",
                                {"--backend": "nnabla"}, str(tmp_path), 2 ** 30)))
    assert job.finished.wait(300) and job.state == "failed"
    assert job.message.startswith("video 'cut.mkv' ended after ")
    assert job.message.endswith(" to use what is there)") and "set End to " in job.message and "--" not in job.message


def test_an_upload_on_a_server_with_a_bad_ffmpeg_setting_is_still_taken_for_a_video(tmp_path, monkeypatch):
    """The check of a video's streams asks ffmpeg; a bad IMAGEIO_FFMPEG_EXE is said by the job that needs ffmpeg (its
    line names the setting), not by every upload's check as "not a video"."""
    from helpers import fixture_frames_video
    from webapp.inputs import upload_input
    video = fixture_frames_video(tmp_path / "clip.mp4")
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", "/bin/true")
    assert upload_input(video, "clip.mp4", "", "", str(tmp_path / "job"), 2 ** 30)["frames"] == 8


# Fifteenth pass, third look at the fifteenth pass's path and training-data fixes

def test_an_upload_of_a_clip_folder_holding_a_hidden_folder_is_its_frames(tmp_path):
    """A zip of a clip's folder from a file server that keeps '.AppleDouble' beside the files (an entry named after each
    frame): hidden files are no frames, but the hidden folder was one more folder of frames, and the upload was
    refused as frames "in several folders"."""
    import zipfile

    from webapp.inputs import zip_input
    names = sorted(os.listdir(FRAMES))[:3]
    with zipfile.ZipFile(tmp_path / "up.zip", "w") as archive:
        for name in names:
            archive.write(os.path.join(FRAMES, name), f"clip/{name}")
            archive.writestr(f"clip/.AppleDouble/{name}", b"\x00\x05\x16\x07")
    spec = zip_input(str(tmp_path / "up.zip"), "frames.zip", str(tmp_path / "frames"), 2 ** 30)
    assert (os.path.basename(spec["path"]), spec["frames"]) == ("clip", 3)


# Fifteenth pass, third look at the fifteenth pass's generate, demo and app fixes

@pytest.mark.parametrize("name", ["take--end.mkv", "a --start b.mkv", "--outscale.mkv"])
def test_a_refused_upload_is_named_as_given_though_its_name_holds_a_flag(tmp_path, name):
    """The page's words for generate.py's flags (End for --end) were put in after the upload's name: an upload named
    'take--end.mkv' was refused as 'takeEnd.mkv', a file the user does not have."""
    from hostile import video_behind_a_cover
    from webapp.inputs import upload_input
    video = video_behind_a_cover(tmp_path)
    with pytest.raises(UserError) as raised:
        upload_input(video, name, "", "", str(tmp_path / "job"), 2 ** 30)
    assert str(raised.value).startswith(f"'{name}' holds 2 video streams")


def test_a_failed_job_s_message_names_the_upload_as_given_though_its_name_holds_a_flag(tmp_path):
    """generate.py's line of a failed job, its upload's copy put back as the name the user gave it: the page's words
    for the flags were put in after that name, so 'take--end.mkv' became 'takeEnd.mkv'."""
    from webapp.jobs import failure
    folder = str(tmp_path / "job")
    copy = os.path.join(folder, "input", "upload.mkv")
    line = f"error: video '{copy}' ended after 13 of the 40 frames it announces: ... (or pass --end 13 to use what is"
    message = failure([line + " there)"], 2, folder, {"path": copy, "name": "take--end.mkv"})
    assert message.startswith("video 'take--end.mkv' ended after 13") and "set End to 13" in message


def test_an_upload_cut_short_before_its_first_frame_is_named_as_given_not_by_the_servers_path(tmp_path):
    """An MKV cut short before its first whole frame opens, and its first frame fails: that line named the upload's
    copy on the server ('.../job/upload.mkv'), not the file the user sent."""
    from hostile import video_cut_before_its_first_frame
    from webapp.inputs import upload_input
    cut = video_cut_before_its_first_frame(tmp_path)
    with pytest.raises(UserError) as raised:
        upload_input(cut, "my clip.mkv", "", "", str(tmp_path / "job"), 2 ** 30)
    assert str(raised.value).startswith("video 'my clip.mkv' ") and str(tmp_path) not in str(raised.value)


def test_a_frame_of_a_zip_is_named_as_given_though_its_name_holds_a_flag(tmp_path):
    """A zip of frames, one of them damaged and named 'lr_0007--end.png': the page's words for generate.py's flags
    were put in everywhere, so the line named 'lr_0007End.png', a file the zip does not hold."""
    import zipfile
    from webapp.inputs import upload_input
    upload = tmp_path / "frames.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        for name in sorted(os.listdir(FRAMES))[:6]:
            archive.write(os.path.join(FRAMES, name), name)
        archive.writestr("lr_0007--end.png", b"not a picture")
    with pytest.raises(UserError, match=r"^frame 'lr_0007--end.png' of 'frames.zip' cannot be read: "):
        upload_input(str(upload), "frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)


# Sixteenth pass, second look at demo.py and the web page

@pytest.mark.parametrize("name", ["a*b*c.png", "[x](http://example.com).png", "<b>B</b>.png", "~~s~~ &amp; _t_.png",
                                  "`x`\\.png"])
def test_a_name_in_a_message_on_the_page_is_shown_as_written_not_as_markdown(tmp_path, name):
    """The status is Markdown: a zip member named '[x](http://example.com).png' was shown as a link, 'a*b*c.png' as
    'abc.png' with b in italics, '<b>B</b>.png' in bold, files the user does not have."""
    from markdown_it import MarkdownIt

    from webapp.jobs import Job
    from webapp.ui import describe
    job = Job("1", str(tmp_path), CALENDAR_SPEC)
    job.state, job.message = "failed", f"cannot read image '{name}'"
    html = MarkdownIt("commonmark").enable("strikethrough").render(describe(None, job))
    assert html == f"<p>Job 1 failed: cannot read image '{escape(name, quote=False)}'</p>\n"


@pytest.mark.parametrize("method", ["stored", "deflated"])
def test_an_uploaded_zip_whose_frame_was_altered_says_it_is_damaged_not_where_the_server_unpacks(tmp_path, method):
    """A zip altered after it was made (a byte of a frame changed in transfer): "cannot unpack 'frames.zip' into
    /.../jobs/<id>/input/frames (Bad CRC-32 ...); zip the frame files themselves", a folder on the server and advice
    for a zip of a folder."""
    from hostile import fixture_frames_zip
    from webapp.inputs import upload_input
    upload = tmp_path / "frames.zip"
    fixture_frames_zip(upload, deflated=method == "deflated")
    data = bytearray(upload.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside a frame's data (kilobytes each; the headers between them, tens of bytes)
    upload.write_bytes(bytes(data))
    with pytest.raises(UserError) as raised:
        upload_input(str(upload), "my frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)
    assert str(raised.value).startswith("'my frames.zip' is damaged (")
    assert str(raised.value).endswith("); zip the frames again and upload that zip")
    assert str(tmp_path) not in str(raised.value)


def test_an_uploaded_zip_that_fills_the_servers_disk_is_not_advised_to_be_zipped_again(tmp_path, monkeypatch):
    """The server's disk filled up while an upload was unpacked: "no space left on the disk of ...; free some space;
    zip the frame files themselves (e.g. ...) and upload that zip", advice for a zip of a folder that cannot help."""
    from hostile import disk_out_of_inodes, fixture_frames_zip
    from webapp.inputs import zip_input
    disk = tmp_path / "disk"
    with disk_out_of_inodes(disk, monkeypatch) as mounted:
        if not mounted:
            pytest.skip("needs a tmpfs of few inodes (root)")
        for filler in sorted(disk.iterdir())[:3]:  # room for the zip, the unpacking folder and one frame
            filler.unlink()
        fixture_frames_zip(disk / "upload.zip", count=3)
        with pytest.raises(UserError) as raised:
            zip_input(str(disk / "upload.zip"), "my frames.zip", str(disk / "frames"), 2 ** 30)
    assert str(raised.value).startswith("no space left on the disk of ")
    assert "'my frames.zip'" in str(raised.value) and "zip the frame" not in str(raised.value)


@pytest.mark.parametrize("member", ["x" * 300 + ".png", "a/" * 1200 + "lr_0009.png"], ids=["name too long", "deep"])
def test_an_uploaded_zip_of_a_name_too_long_or_too_deep_is_refused_without_the_servers_folder(tmp_path, member):
    """A member named past the file system's limit: "cannot unpack 'frames.zip' into /.../jobs/<id>/input/frames: the
    name ... is too long", a folder on the server; one nested in 1200 folders: the same folder, and "maximum recursion
    depth exceeded while calling a Python object" (os.makedirs calls itself once per folder)."""
    from hostile import fixture_frames_zip
    from webapp.inputs import upload_input
    upload = fixture_frames_zip(tmp_path / "frames.zip", [(member, b"\x89PNG")])
    with pytest.raises(UserError) as raised:
        upload_input(upload, "my frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)
    assert str(tmp_path) not in str(raised.value) and "recursion" not in str(raised.value)
    assert str(raised.value).endswith("; zip the frame files themselves (e.g. `cd frames && zip ../frames.zip *.png`) "
                                      "and upload that zip")
    assert ("too long" if member.endswith("x.png") else "nested in 1200 folders") in str(raised.value)


def test_a_zip_of_frames_uploaded_without_its_extension_is_taken_for_one(tmp_path):
    """A zip of frames named 'frames' (saved without its extension): "'frames' is not a video with frames this app
    can decode; upload a video file (...) or a zip of frames", which it is."""
    from hostile import fixture_frames_zip
    from webapp.inputs import upload_input
    spec = upload_input(fixture_frames_zip(tmp_path / "frames"), "frames", "", "", str(tmp_path / "job"), 2 ** 30)
    assert (spec["kind"], spec["frames"]) == ("frames", 6)


# Sixteenth pass, third look at the sixteenth pass's demo and web-page fixes

def zip_made_on_windows(path, members):
    """A zip as PowerShell 5.1's Compress-Archive (Windows 10 and 11's own) writes one: made on MS-DOS/Windows
    (create_system 0), backslashes between a member's folders."""
    import zipfile
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            member = zipfile.ZipInfo(name)
            member.create_system, member.external_attr, member.compress_type = 0, 0x20, zipfile.ZIP_DEFLATED
            archive.writestr(member, data)
    return str(path)


def test_a_zip_of_a_folder_of_frames_made_by_windows_compress_archive_is_unpacked(tmp_path):
    """`Compress-Archive -Path frames -DestinationPath frames.zip` names its members 'frames\\lr_0001.png': refused as
    "holds 'frames\\\\lr_0001.png', a path outside its folder", which it is not (Info-ZIP's unzip and libarchive take a
    Windows-made zip's backslashes for folders)."""
    from webapp.inputs import upload_input
    frames = sorted(os.listdir(FRAMES))[:6]
    upload = zip_made_on_windows(tmp_path / "frames.zip", [
        (f"clip\\frames\\{name}", open(os.path.join(FRAMES, name), "rb").read()) for name in frames])
    spec = upload_input(upload, "frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)
    assert (spec["kind"], spec["frames"]) == ("frames", 6)
    assert spec["path"] == str(tmp_path / "job" / "frames" / "clip" / "frames")


@pytest.mark.parametrize("member", ["..\\x.png", "\\x.png", "C:\\x.png", "frames\\..\\..\\x.png"])
def test_a_windows_made_zips_member_leaving_its_folder_by_backslashes_is_still_refused(tmp_path, member):
    from utils.zips import extract_zip
    upload = zip_made_on_windows(tmp_path / "frames.zip", [(member, b"\x89PNG")])
    with pytest.raises(UserError, match="a path outside its folder; refusing to unpack it"):
        extract_zip(upload, str(tmp_path / "out" / "frames"))
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize("folders", [500, 501])
def test_a_member_nested_in_the_most_folders_unpacked_is_not_refused_as_more(tmp_path, folders):
    """A frame nested in 500 folders: "nested in 500 folders, more than the 500 this unpacks"."""
    from hostile import fixture_frames_zip
    from webapp.inputs import upload_input
    upload = fixture_frames_zip(tmp_path / "deep.zip", count=0, extra=[
        ("a/" * folders + name, open(os.path.join(FRAMES, name), "rb").read()) for name in sorted(os.listdir(FRAMES))])
    if folders == 500:
        assert upload_input(upload, "deep.zip", "", "", str(tmp_path / "job"), 2 ** 30)["kind"] == "frames"
    else:
        with pytest.raises(UserError, match="nested in 501 folders, more than the 500 this unpacks"):
            upload_input(upload, "deep.zip", "", "", str(tmp_path / "job"), 2 ** 30)


@pytest.mark.parametrize("name", ["frames_2024.12.06", "my.frames", "Frames v1.2"])
def test_a_zip_of_frames_uploaded_with_a_dot_in_its_name_and_no_zip_extension_is_taken_for_one(tmp_path, name):
    """A zip saved without '.zip' whose name holds a dot ('frames_2024.12.06'): "is not a video with frames this app
    can decode; upload a video file (...) or a zip of frames", which it is (only a name without any dot was tried)."""
    from hostile import fixture_frames_zip
    from webapp.inputs import upload_input
    spec = upload_input(fixture_frames_zip(tmp_path / "upload"), name, "", "", str(tmp_path / "job"), 2 ** 30)
    assert (spec["kind"], spec["frames"]) == ("frames", 6)


@pytest.mark.parametrize("name, member", [("frames", "upload_0001.png"), ("frames", "my upload/../x.png"),
                                          ("frames.zip", "upload.zip")])
def test_a_member_named_like_the_servers_copy_of_an_upload_is_shown_as_written(tmp_path, name, member):
    """The zip's refusals named the server's copy ('upload', 'upload.zip'), each of its letters then replaced by the
    upload's name: a zip 'frames' was said to hold "''frames'_0001.png' twice", 'upload_0001.png' given twice."""
    import warnings
    from hostile import fixture_frames_zip
    from webapp.inputs import upload_input
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile's "Duplicate name"
        upload = fixture_frames_zip(tmp_path / "upload", [(member, b"x")] * (1 if ".." in member else 2))
    with pytest.raises(UserError) as raised:
        upload_input(upload, name, "", "", str(tmp_path / "job"), 2 ** 30)
    assert str(raised.value).startswith(f"'{name}' holds '{member}', a path outside" if ".." in member else
                                        f"'{name}' holds '{member}' twice;")


def test_an_uploaded_zip_encrypted_with_a_password_says_so_in_words(tmp_path):
    """`zip -P secret`: "cannot unpack 'frames.zip' (File <ZipInfo filename='lr_0001.png' filemode='-rw-r--r--'
    external_attr=0x1 file_size=... compress_size=...> is encrypted, password required for extraction)", zipfile's
    own description of a member."""
    import shutil
    from webapp.inputs import upload_input
    name = sorted(os.listdir(FRAMES))[0]
    shutil.copyfile(os.path.join(FRAMES, name), tmp_path / name)
    subprocess.run(["zip", "-q", "-P", "secret", "frames.zip", name], cwd=tmp_path, check=True)
    with pytest.raises(UserError) as raised:
        upload_input(str(tmp_path / "frames.zip"), "frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)
    assert str(raised.value).startswith(f"'frames.zip' holds '{name}' encrypted (with a password), which this does "
                                        "not unpack; zip the frame files themselves")
    assert "ZipInfo" not in str(raised.value) and not (tmp_path / "job" / "frames").exists()


def test_a_video_uploaded_without_its_extension_whose_end_holds_a_zips_signature_is_taken_for_a_video(tmp_path):
    """An MP4 named 'clip' whose comment holds the bytes of a zip's end record, 'PK\\x05\\x06' (zipfile.is_zipfile
    looks for them anywhere in a file's last 64 KiB): "'clip' is not a zip archive this app can read"."""
    from hostile import ffmpeg_video
    from webapp.inputs import upload_input
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-metadata", "comment=PK\x05\x06 made on a phone, a day by the sea",
                        frames=10)
    assert upload_input(clip, "clip", "", "", str(tmp_path / "job"), 2 ** 30)["kind"] == "video"


# Seventeenth pass, second look at demo.py and the web page

@pytest.mark.parametrize("stray, refusal", [
    ("lr_0001 - Copy.png", "'lr_0001 - Copy.png' and 'lr_0001.png' are both frame 1 by the numbers in their names"),
    ("lr_0002.jpg", "'lr_0002.jpg' and 'lr_0002.png' are both frame 2 by the numbers in their names"),
    ("poster.png", "'poster.png' has no number in its name"),
], ids=["explorer's copy", "another format", "poster"])
def test_a_copy_of_a_frame_or_a_poster_in_an_uploaded_zip_is_refused_not_super_resolved_as_a_frame(tmp_path, stray,
                                                                                                   refusal):
    """Windows Explorer's 'lr_0001 - Copy.png', a conversion's 'lr_0002.jpg' or a 'poster.png' zipped with the frames:
    taken as a seventh frame (the poster and Explorer's copy first), and the job's video showed it, exit code 0."""
    from hostile import fixture_frames_zip
    from webapp.inputs import upload_input
    frames = {name: open(os.path.join(FRAMES, name), "rb").read() for name in sorted(os.listdir(FRAMES))[:6]}
    copied = frames["lr_0002.png" if stray.endswith(".jpg") else "lr_0001.png"]  # the bytes of a frame, any format
    upload = fixture_frames_zip(tmp_path / "frames.zip", count=0, extra=[
        *((f"clip/{name}", data) for name, data in frames.items()), (f"clip/{stray}", copied)])
    with pytest.raises(UserError) as raised:
        upload_input(upload, "frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)
    assert str(raised.value).startswith(refusal)
    assert str(tmp_path) not in str(raised.value)


# Eighteenth pass, second look at demo.py and the web page

@pytest.mark.parametrize("stray", ["lr_0003 2.png", "lr_0003-1.png", "lr_0003 - Copy (2).png",
                                   "lr_0003-DESKTOP-4F2K9QL.png", "lr_0003 copy 2.png"],
                         ids=["macOS's copy", "Safari's copy", "Explorer's second copy", "OneDrive's conflict copy",
                              "Finder's second copy"])
def test_a_copy_of_a_frame_named_by_an_added_number_in_an_uploaded_zip_is_refused_not_super_resolved(tmp_path, stray):
    """A frame's copy whose name adds a number or an ending to the frame's ('lr_0003 2.png' beside 'lr_0003.png'): its
    digits make another number (00032, 00031, 34..), no frame's, so it was super-resolved as a seventh, later frame,
    exit code 0, where training refuses such a copy since the seventeenth pass. Frames named 'frame (1).png'.. are still
    read, in order."""
    from hostile import fixture_frames_zip
    from webapp.inputs import upload_input
    frames = {name: open(os.path.join(FRAMES, name), "rb").read() for name in sorted(os.listdir(FRAMES))[:6]}
    upload = fixture_frames_zip(tmp_path / "frames.zip", count=0, extra=[
        *((f"clip/{name}", data) for name, data in frames.items()), (f"clip/{stray}", frames["lr_0003.png"])])
    with pytest.raises(UserError) as raised:
        upload_input(upload, "frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)
    assert str(raised.value).startswith(f"'{stray}' is named as a copy of 'lr_0003.png'")
    assert str(tmp_path) not in str(raised.value)
    batch = fixture_frames_zip(tmp_path / "batch.zip", count=0, extra=[
        (f"clip/frame ({index}).png", data) for index, data in enumerate(frames.values(), 1)])
    assert upload_input(batch, "batch.zip", "", "", str(tmp_path / "batch"), 2 ** 30)["frames"] == 6


@pytest.mark.parametrize("moment", ["stop", "start"])
def test_a_server_killed_while_it_deletes_its_jobs_leaves_them_marked_for_the_next_start(tmp_path, monkeypatch,
                                                                                            moment):
    """The scratch folders' mark was deleted in the folder's listing order, often before other jobs' frames: a server
    killed then (a large job's frames take seconds to delete, at its stop or at the start that clears a killed
    server's jobs) left them in a folder without the mark, and every later start was refused ("a folder of files this
    program did not write ...; move it away"). Here the listing gives the mark first, and the kill comes at the next
    file deleted after it."""
    from utils import paths
    jobs = str(tmp_path / "work" / "jobs")
    paths.make_scratch_folder(jobs, "choose another --work-dir")
    for job in ("a1", "b2"):
        os.makedirs(os.path.join(jobs, job, "frames"))
        open(os.path.join(jobs, job, "frames", "sr_0001.png"), "wb").close()
    listing, unlink = os.scandir, os.unlink

    class MarkFirst:
        def __init__(self, *folder):
            self.entries = sorted(listing(*folder), key=lambda entry: entry.name != paths.SCRATCH_MARK)

        def __enter__(self):
            return iter(self.entries)

        def __exit__(self, *exception):
            return False

    def killed_after_the_mark(path, *args, **kwargs):
        unlink(path, *args, **kwargs)
        if not os.path.exists(os.path.join(jobs, paths.SCRATCH_MARK)):
            raise KeyboardInterrupt  # the kill, as the next file's deletion would follow

    monkeypatch.setattr(os, "scandir", MarkFirst)
    monkeypatch.setattr(os, "unlink", killed_after_the_mark)
    monkeypatch.setattr(os, "remove", killed_after_the_mark)
    with pytest.raises(KeyboardInterrupt):
        if moment == "stop":
            paths.remove_scratch_folder(jobs)
        else:
            paths.make_scratch_folder(jobs, "choose another --work-dir")
    monkeypatch.undo()
    paths.make_scratch_folder(jobs, "choose another --work-dir")  # the next start
    assert os.listdir(jobs) == [paths.SCRATCH_MARK]


@pytest.mark.parametrize("factor, refusal", [("1e-3", "gives frames less than a pixel high or wide"),
                                             ("1000", f"more than {MAX_SIDE} pixels a side")])
def test_an_output_size_whose_factor_the_frames_cannot_take_is_refused_before_the_job_is_queued(tmp_path, factor,
                                                                                                 refusal):
    """Output size 1e-3 of an upload's 66x50 frames (less than a pixel) or 1000 (past the largest side): the job was
    queued, waited for every job ahead of it, and failed when generate.py refused the factor, where the page refuses
    bad input before it queues the job."""
    from helpers import fixture_frames_video
    from webapp.inputs import job_spec, list_models
    video = fixture_frames_video(tmp_path / "clip.mp4")
    model = next(iter(list_models(str(tmp_path / "no_weights"))))
    with pytest.raises(UserError, match=rf"^Output size {factor.replace('1e-3', '0.001')} of \d+x\d+ input frames "
                                        rf".*{refusal}"):
        job_spec(str(tmp_path / "job"), video, None, model, "", "", {"--backend": "auto"}, str(tmp_path / "no_weights"),
                 2 ** 30, factor)
    assert job_spec(str(tmp_path / "fits"), video, None, model, "", "", {"--backend": "auto"},
                    str(tmp_path / "no_weights"), 2 ** 30, "0.5")["flags"]["--outscale"] == "0.5"


# Eighteenth pass, third look at the eighteenth pass's download and weight-file fixes

def test_the_model_list_leaves_out_a_converter_s_temporary_and_macos_metadata_in_the_weights_folder(tmp_path):
    """A converter killed while saving into the weights folder leaves write_atomically's '.<name>.<pid>.tmp.h5' there,
    and a copy from macOS adds '._<name>.h5' of metadata: the page offered both as models (choosing one was refused)."""
    import numpy as np

    from utils.atomic_files import temporary_path
    from utils.weights import HostParameter, save_weights
    from webapp.inputs import list_models
    save_weights(str(tmp_path / "mine.h5"), {"conv/b": HostParameter(np.zeros(2, np.float32), True)})
    partial = temporary_path(str(tmp_path / "vgg19_x.h5"))
    os.link(tmp_path / "mine.h5", partial)
    (tmp_path / "._mine.h5").write_bytes(b"\x00\x05\x16\x07")
    shown = [name for name in list_models(str(tmp_path)) if name.startswith("weights/: ")]
    assert shown == ["weights/: mine.h5"]


# Eighteenth pass, second look at tiles, memory budgets, output scales, precisions and backends

def test_a_work_dir_just_short_of_one_upload_names_less_room_than_the_upload(tmp_path, monkeypatch):
    """199.6 MB free for --max-upload-mb 200: "has 200 MB free, less than one upload of --max-upload-mb 200", the
    room rounded to the nearest whole MB, up to the upload it is less than."""
    import shutil

    import app
    from hostile import sizes_in_bytes
    free = 200 * 2 ** 20 - 400 * 2 ** 10
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(2 ** 40, 2 ** 40 - free, free))
    with pytest.raises(UserError, match="less than one upload of --max-upload-mb 200;") as refused:
        app.parse_args(["--work-dir", str(tmp_path / "work"), "--max-upload-mb", "200"])
    assert sizes_in_bytes(str(refused.value))[0] < 200 * 2 ** 20


def test_a_zip_just_past_the_unpacked_limit_names_more_than_the_limit(tmp_path):
    """A zip unpacking to 10.4 MB on a page that unpacks 10 MB: "unpacks to 10 MB, more than the 10 MB this app
    unpacks", both rounded to the nearest whole MB."""
    import zipfile

    from hostile import sizes_in_bytes
    from webapp.inputs import upload_input
    upload = tmp_path / "sent.zip"
    with zipfile.ZipFile(upload, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("0001.png", bytes(10 * 2 ** 20 + 400 * 2 ** 10))
    with pytest.raises(UserError, match="this app unpacks; upload fewer or smaller frames") as refused:
        upload_input(str(upload), "frames.zip", "", "", str(tmp_path / "input"), 10 * 2 ** 20)
    unpacked, limit = sizes_in_bytes(str(refused.value))
    assert unpacked > limit == 10 * 2 ** 20


# Eighteenth pass, third look at the eighteenth pass's demo, page and frame-copy fixes

def test_frames_the_model_s_own_scale_makes_too_wide_are_refused_before_the_job_is_queued(tmp_path):
    """An upload of frames 4100 pixels wide with Output size left empty: the x4 model's output (16400 pixels) is past
    the largest side generate.py writes, so the job was queued, waited for every job ahead of it, and failed when its
    turn came (the page checked an Output size factor only). A factor of 2 fits and is queued."""
    import cv2
    import numpy as np

    from hostile import fixture_frames_zip
    from webapp.inputs import job_spec, list_models
    wide = cv2.imencode(".png", np.zeros((4, 4100, 3), np.uint8))[1].tobytes()
    upload = fixture_frames_zip(tmp_path / "wide.zip", count=0,
                                extra=[(f"clip/{index:04d}.png", wide) for index in range(1, 6)])
    weights = str(tmp_path / "no_weights")
    x4_model = next(iter(list_models(weights)))  # the bundled TecoGAN model, the page's default
    with pytest.raises(UserError, match=rf"^the x4 model's output of 4100x4 frames gives 16400x16 frames, more than "
                                        rf"{MAX_SIDE} pixels a side"):
        job_spec(str(tmp_path / "job"), upload, None, x4_model, "", "", {"--backend": "auto"}, weights, 2 ** 30)
    assert job_spec(str(tmp_path / "halved"), upload, None, x4_model, "", "", {"--backend": "auto"}, weights, 2 ** 30,
                    "2")["flags"]["--outscale"] == "2"


def test_a_zip_holding_a_video_and_no_frames_is_told_to_upload_the_video_itself(tmp_path):
    """A zip of a video was told only to "zip the frames of one clip", where uploading the video is the shorter way."""
    from helpers import fixture_frames_video
    from hostile import fixture_frames_zip
    from webapp.inputs import upload_input
    video = open(fixture_frames_video(tmp_path / "clip.mp4"), "rb").read()
    upload = fixture_frames_zip(tmp_path / "clip.zip", count=0, extra=[("clip.mp4", video)])
    with pytest.raises(UserError, match=r"^'clip\.zip' holds no frames .*; zip the frames of one clip, or upload a "
                                        r"video as it is, not zipped$"):
        upload_input(upload, "clip.zip", "", "", str(tmp_path / "job"), 2 ** 30)


@pytest.mark.parametrize("change", ["a frame comes", "a temporary goes"])
def test_a_start_beside_a_killed_server_s_job_still_writing_its_frames_deletes_them_and_starts(tmp_path, monkeypatch,
                                                                                                 change):
    """A server killed by SIGKILL leaves its job's generate.py running, writing its frames into the jobs folder (the
    second look left that alone), until the next start deletes its folder. That start was refused half the time: a
    frame written into the folder being deleted ("Directory not empty"), or a temporary renamed into its frame between
    the listing and its deletion ("No such file or directory"), was "cannot make the folder '.../jobs' (...); choose
    another --work-dir". Here the frame comes, or the temporary goes, at the first deletion in the job's frames."""
    from utils import paths
    jobs = str(tmp_path / "work" / "jobs")
    paths.make_scratch_folder(jobs, "choose another --work-dir")
    frames = os.path.join(jobs, "a1", "frames")
    os.makedirs(frames)
    for name in ("sr_0001.png", ".sr_0002.png.99.tmp.png"):
        open(os.path.join(frames, name), "wb").close()
    unlink, written = os.unlink, []

    def generate_writing(name, *args, dir_fd=None, **kwargs):
        if not written:  # the orphan's next step, once, as the deletion begins in its folder
            written.append(True)
            if change == "a frame comes":
                open(os.path.join(frames, "sr_0003.png"), "wb").close()
            else:
                os.rename(os.path.join(frames, ".sr_0002.png.99.tmp.png"), os.path.join(frames, "sr_0002.png"))
        return unlink(name, *args, dir_fd=dir_fd, **kwargs)

    monkeypatch.setattr(os, "unlink", generate_writing)
    paths.make_scratch_folder(jobs, "choose another --work-dir")  # the start
    monkeypatch.undo()
    assert written and os.listdir(jobs) == [paths.SCRATCH_MARK]


def test_a_start_beside_a_process_that_never_stops_writing_into_the_jobs_folder_is_one_line(tmp_path, monkeypatch):
    """A frame written into the jobs folder at every deletion, past the last round: the start returned as if the
    folder were deleted, with the frames and the folder still there, and went on in it; now its one line says so."""
    from utils import paths
    jobs = str(tmp_path / "work" / "jobs")
    paths.make_scratch_folder(jobs, "choose another --work-dir")
    frames = os.path.join(jobs, "a1")
    os.makedirs(frames)
    open(os.path.join(frames, "sr_0001.png"), "wb").close()
    rmtree, written = paths.shutil.rmtree, []

    def writing_again(path, *args, **kwargs):
        rmtree(path, *args, **kwargs)
        written.append(True)
        os.makedirs(frames)
        open(os.path.join(frames, f"sr_{len(written) + 1:04d}.png"), "wb").close()

    monkeypatch.setattr(paths.shutil, "rmtree", writing_again)
    with pytest.raises(UserError, match=r"^cannot make the folder '.*jobs' \(files keep arriving in it; stop what "
                                        r"writes there\); choose another --work-dir$"):
        paths.make_scratch_folder(jobs, "choose another --work-dir")
    assert len(written) == paths.SCRATCH_ROUNDS and os.path.isfile(os.path.join(jobs, paths.SCRATCH_MARK))


# Eighteenth pass, third look at the eighteenth pass's tile, memory and size fixes

def test_a_zip_a_byte_past_the_page_s_limit_names_more_than_the_limit_in_gigabytes(tmp_path):
    """--max-upload-mb 11 unpacks 110 MB, 0.107 GB: the limit rounded to the nearest was "0.11 GB", and a zip a byte
    past it "unpacks to 0.11 GB, more than the 0.11 GB this app unpacks"."""
    import zipfile

    import app
    from hostile import sizes_in_bytes
    from webapp.inputs import upload_input
    limit = app.UNPACK_FACTOR * 11 * 2 ** 20
    upload = tmp_path / "sent.zip"
    with zipfile.ZipFile(upload, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("0001.png", bytes(limit + 1))
    with pytest.raises(UserError, match="this app unpacks; upload fewer or smaller frames") as refused:
        upload_input(str(upload), "frames.zip", "", "", str(tmp_path / "input"), limit)
    unpacked, said_limit = sizes_in_bytes(str(refused.value))
    assert unpacked > limit >= said_limit


# Nineteenth pass, second look at demo.py and the web page

def small_frames_zip(path):
    import cv2
    import numpy as np

    from hostile import fixture_frames_zip
    frame = cv2.imencode(".png", np.zeros((24, 32, 3), np.uint8))[1].tobytes()
    return fixture_frames_zip(path, count=0, extra=[(f"clip/{index:04d}.png", frame) for index in range(1, 4)])


def test_a_model_named_with_an_upper_case_extension_is_offered_as_generate_py_reads_it(tmp_path):
    """'TecoGAN.H5' in the weights folder (a name made on Windows) was left off the page without a word, where
    generate.py --model reads it."""
    import shutil

    from utils.paths import BUNDLED_X2_MODEL
    from webapp.inputs import job_spec, list_models
    weights = tmp_path / "weights"
    weights.mkdir()
    shutil.copyfile(BUNDLED_X2_MODEL, weights / "TecoGAN.H5")
    assert "weights/: TecoGAN.H5" in list_models(str(weights))
    spec = job_spec(str(tmp_path / "job"), small_frames_zip(tmp_path / "frames.zip"), None, "weights/: TecoGAN.H5", "",
                    "", {"--backend": "auto"}, str(weights), 2 ** 30)
    assert spec["model"] == str(weights / "TecoGAN.H5")


def test_a_model_of_residual_blocks_without_the_input_convolution_says_what_it_lacks(tmp_path):
    """A generator's weights less its input convolution: "holds no generator (no residual blocks)", though it holds
    them, since check_model read the scale (the nineteenth pass's mend)."""
    import h5py

    from models import GENERATOR_INPUT_WEIGHT
    from utils.paths import BUNDLED_MODEL
    from webapp.inputs import check_model
    path = tmp_path / "partial.h5"
    with h5py.File(BUNDLED_MODEL, "r") as source, h5py.File(path, "w") as target:
        for name in source:
            source.copy(name, target)
        del target[GENERATOR_INPUT_WEIGHT]
    with pytest.raises(UserError) as refused:
        check_model(str(path), "weights/: partial.h5")
    assert "no residual blocks" not in str(refused.value)
    assert str(refused.value).startswith(f"model 'weights/: partial.h5' lacks the generator's input convolution "
                                         f"('{GENERATOR_INPUT_WEIGHT}'); choose another model")


@pytest.mark.parametrize("kind", ["a link to nothing", "an empty file", "a folder"])
def test_a_model_the_page_cannot_read_gets_the_page_s_advice_not_generate_py_s(tmp_path, kind):
    """A model of the list that is a link to nothing (a disk not mounted), an empty file or a folder: "...; pass the
    path of a .h5 model file; choose another model, ...", generate.py's advice (a flag the page has not) before the
    page's."""
    from webapp.inputs import job_spec
    weights = tmp_path / "weights"
    weights.mkdir()
    model = weights / "mine.h5"
    if kind == "a link to nothing":
        model.symlink_to(tmp_path / "unmounted" / "mine.h5")
    elif kind == "an empty file":
        model.write_bytes(b"")
    else:
        model.mkdir()
    with pytest.raises(UserError) as refused:
        job_spec(str(tmp_path / "job"), small_frames_zip(tmp_path / "frames.zip"), None, "weights/: mine.h5", "", "",
                 {"--backend": "auto"}, str(weights), 2 ** 30)
    line = str(refused.value)
    assert line.startswith("model weights file 'weights/: mine.h5' ") and str(tmp_path) not in line
    assert line.count("; ") == 1 and line.endswith("; choose another model, or replace the file with a TecoGAN/FRVSR "
                                                   "generator's weights")
    assert not (tmp_path / "job").exists()


@pytest.mark.parametrize("text", ["1920 x 1080", "1920×1080", "1920*1080", "4x"])
def test_an_output_size_neither_a_factor_nor_a_size_names_both_forms(text):
    """'1920 x 1080' or '1920×1080' typed in Output size, meant as a size: "Output size must be a positive factor of
    the input's size (e.g. 2 or 1.5)", as if the field took factors only."""
    from webapp.inputs import size_flags
    with pytest.raises(UserError, match=r"^Output size must be a factor \(e\.g\. 2 or 1\.5\) or WIDTHxHEIGHT in pixels "
                                        rf"\(e\.g\. 1920x1080\), got '{text.replace('*', '[*]')}'$"):
        size_flags(text)
    assert size_flags("1920x1080") == {"--output-size": "1920x1080"} and size_flags("4") == {"--outscale": "4"}


def test_a_job_whose_model_is_deleted_while_it_waits_fails_with_the_page_s_line(tmp_path):
    """A model of the weights folder deleted while its job waited for the one ahead: the job failed with generate.py's
    line, "weights file '<the server's path>' does not exist; pass the path of a .h5 model file", a flag the page has
    not."""
    import shutil

    from utils.paths import BUNDLED_X2_MODEL
    from webapp.inputs import job_spec
    from webapp.jobs import JobQueue
    weights = tmp_path / "weights"
    weights.mkdir()
    shutil.copyfile(BUNDLED_X2_MODEL, weights / "mine.h5")
    queue = JobQueue(str(tmp_path / "work"), 60)
    with queue.changed:  # the queue's thread takes no job until the model is gone
        job = queue.submit(lambda folder: job_spec(folder, small_frames_zip(tmp_path / "frames.zip"), None,
                                                   "weights/: mine.h5", "", "", {"--backend": "auto"}, str(weights),
                                                   2 ** 30))
        os.remove(weights / "mine.h5")
    assert job.finished.wait(120) and job.state == "failed"
    assert job.message == ("model weights file 'weights/: mine.h5' does not exist; choose another model, or replace "
                           "the file with a TecoGAN/FRVSR generator's weights")
    assert not os.path.exists(job.folder)


def test_a_model_that_fails_unforeseen_at_its_job_s_turn_fails_that_job_and_the_queue_goes_on(tmp_path, monkeypatch):
    """The model's check at a job's turn runs in the queue's thread: an exception other than a UserError (a library's,
    on a file replaced meanwhile) would end that thread, and no job would run again."""
    import webapp.jobs
    from webapp.jobs import JobQueue
    calls = []

    def failing_once(path, name):
        calls.append(path)
        if len(calls) == 1:
            raise RuntimeError("unforeseen")
        raise UserError("refused")

    monkeypatch.setattr(webapp.jobs, "check_model", failing_once)
    queue = JobQueue(str(tmp_path / "work"), 60)
    spec = dict(input=dict(kind="frames", path=str(tmp_path), frames=1), model="mine.h5", flags={})
    first, second = (queue.submit(lambda folder: spec) for _ in range(2))
    assert first.finished.wait(30) and second.finished.wait(30)
    assert first.message == "the model could not be read (unforeseen); please report it"
    assert second.message == "refused" and first.state == second.state == "failed"


# Nineteenth pass, third look at the nineteenth pass's demo and page fixes

@pytest.mark.parametrize("change", ["replaced by an x2 model", "deleted"])
def test_a_model_replaced_or_deleted_while_its_job_runs_changes_nothing_of_the_job(tmp_path, change):
    """generate.py and the finish step each read the model from the weights folder: one replaced by an x2 model while
    the job ran gave a comparison of x2 bicubic beside x4 frames, the job done; one deleted failed the job after its
    frames were made, with generate.py's line. A command of the job between the two changes the model here."""
    import shutil

    import cv2

    from utils.paths import BUNDLED_MODEL, BUNDLED_X2_MODEL
    from webapp.inputs import job_spec
    from webapp.jobs import JobQueue
    weights = tmp_path / "weights"
    weights.mkdir()
    model = weights / "mine.h5"
    shutil.copyfile(BUNDLED_MODEL, model)
    action = (f"import shutil; shutil.copyfile({str(BUNDLED_X2_MODEL)!r}, {str(model)!r})"
              if change.startswith("replaced") else f"import os; os.remove({str(model)!r})")

    class ChangingQueue(JobQueue):
        def commands(self, job):
            *run, finish = super().commands(job)
            return [*run, ("changing the model", [sys.executable, "-c", action]), finish]

    queue = ChangingQueue(str(tmp_path / "work"), 60)
    job = queue.submit(lambda folder: job_spec(folder, small_frames_zip(tmp_path / "frames.zip"), None,
                                               "weights/: mine.h5", "", "", {"--backend": "auto"}, str(weights),
                                               2 ** 30))
    assert job.finished.wait(300)
    assert (job.state, job.message) == ("done", "")
    shapes = {kind: cv2.imread(job.outputs()[kind]).shape for kind in ("bicubic", "ours")}
    assert shapes["bicubic"] == shapes["ours"] == (4 * 24, 4 * 32, 3)


def test_a_model_replaced_by_another_scale_while_its_job_waits_gets_the_page_s_output_size_line(tmp_path):
    """An x2 model replaced by an x4 one while its job of 4100-pixel-wide frames waited: the page's check of the output
    size had taken x2, and the job failed with generate.py's line, "--output-video of x4 4100x8 frames gives ...", a
    flag the page has not."""
    import shutil

    import cv2
    import numpy as np

    from hostile import fixture_frames_zip
    from utils.paths import BUNDLED_MODEL, BUNDLED_X2_MODEL
    from webapp.inputs import job_spec
    from webapp.jobs import JobQueue
    weights = tmp_path / "weights"
    weights.mkdir()
    shutil.copyfile(BUNDLED_X2_MODEL, weights / "mine.h5")
    frame = cv2.imencode(".png", np.zeros((8, 4100, 3), np.uint8))[1].tobytes()
    upload = fixture_frames_zip(tmp_path / "wide.zip", count=0,
                                extra=[(f"{index:04d}.png", frame) for index in range(1, 4)])
    queue = JobQueue(str(tmp_path / "work"), 60)
    with queue.changed:  # the queue's thread takes no job until the model is replaced
        job = queue.submit(lambda folder: job_spec(folder, upload, None, "weights/: mine.h5", "", "",
                                                   {"--backend": "auto"}, str(weights), 2 ** 30))
        shutil.copyfile(BUNDLED_MODEL, weights / "mine.h5")
    assert job.finished.wait(120) and job.state == "failed"
    assert job.message == (f"the x4 model's output of 4100x8 frames gives 16400x32 frames, more than {MAX_SIDE} pixels "
                           "a side; choose a smaller output size")
    assert not os.path.exists(job.folder)


def model_recording_degradation(path, degradation):
    import shutil

    import h5py

    from utils.degradation import DEGRADATION_ATTRIBUTE
    from utils.paths import BUNDLED_X2_MODEL
    shutil.copyfile(BUNDLED_X2_MODEL, path)
    with h5py.File(path, "a") as model:
        model.attrs[DEGRADATION_ATTRIBUTE] = degradation


def test_a_model_recording_an_unknown_degradation_is_refused_before_a_sample_job_is_queued(tmp_path):
    """A sample with ground truth is made LR by the degradation the model records (generate.py --input-dir-hr): a
    model recording one generate.py does not know was queued, and the job failed when its turn came, with generate.py's
    line naming the server's path."""
    from webapp.inputs import job_spec
    from webapp.jobs import JobQueue
    weights = tmp_path / "weights"
    weights.mkdir()
    model_recording_degradation(weights / "mine.h5", "gaussian")
    queue = JobQueue(str(tmp_path / "work"), 60)
    with pytest.raises(UserError) as refused:
        queue.submit(lambda folder: job_spec(folder, None, "bikes.mp4 (640x272, with ground truth)",
                                             "weights/: mine.h5", "", "5", {"--backend": "auto"}, str(weights),
                                             2 ** 30))
    assert str(refused.value) == ("model weights file 'weights/: mine.h5' records degradation 'gaussian', not one of "
                                  "bd, bi; choose another model, or replace the file with a TecoGAN/FRVSR generator's "
                                  "weights")
    assert os.listdir(queue.jobs_folder) == []


def test_a_model_replaced_by_one_recording_an_unknown_degradation_while_its_job_waits_gets_the_page_s_line(tmp_path):
    """Checked again when the job's turn comes, as a model deleted meanwhile is: the job failed with generate.py's line,
    "weights file '<the server's path>' records degradation 'gaussian', ..."."""
    import shutil

    from utils.paths import BUNDLED_X2_MODEL
    from webapp.inputs import job_spec
    from webapp.jobs import JobQueue
    weights = tmp_path / "weights"
    weights.mkdir()
    shutil.copyfile(BUNDLED_X2_MODEL, weights / "mine.h5")
    queue = JobQueue(str(tmp_path / "work"), 60)
    with queue.changed:  # the queue's thread takes no job until the model is replaced
        job = queue.submit(lambda folder: job_spec(folder, None, "bikes.mp4 (640x272, with ground truth)",
                                                   "weights/: mine.h5", "", "5", {"--backend": "auto"}, str(weights),
                                                   2 ** 30))
        model_recording_degradation(weights / "mine.h5", "gaussian")
    assert job.finished.wait(120) and job.state == "failed"
    assert job.message == ("model weights file 'weights/: mine.h5' records degradation 'gaussian', not one of bd, bi; "
                           "choose another model, or replace the file with a TecoGAN/FRVSR generator's weights")


# Nineteenth pass, second look at tiles, memory budgets, output scales, precisions and backends

@pytest.mark.parametrize("typed", ["1.4238546", "0.07142857", "2.3178949", "3.14159265"])
def test_the_page_s_output_size_factor_is_passed_on_as_typed(typed):
    """The Output size factor was passed on to generate.py to six figures (:g): 1.4238546 as --outscale 1.42385, and
    frames of 3605x2876 were written 5132x4094, not the 5132x4096 generate.py writes of --outscale 1.4238546."""
    from utils.output_size import parse_outscale, requested_size
    from webapp.inputs import size_flags
    passed = parse_outscale(size_flags(typed)["--outscale"])
    assert passed == parse_outscale(typed)
    assert requested_size(2876, 3605, passed, None, True) == requested_size(2876, 3605, float(typed), None, True)


# Nineteenth pass, fourth look at the nineteenth pass's demo and page fixes

def test_a_model_unreadable_at_its_job_s_turn_is_not_said_to_be_in_a_folder_that_is_not_writable(tmp_path,
                                                                                                  monkeypatch):
    """A model of the weights folder made unreadable (mode 0) while its job waited: write_atomically reads any
    EACCES of its copy as its own folder's, and the job failed with "cannot write 'model.h5' (Permission denied): its
    folder is not writable (or no longer); make it writable, then run again", a folder of the server the user never
    named. Root reads a file of mode 0: there the copy's refusal is what a server run by a user meets."""
    import errno
    import shutil

    from utils.paths import BUNDLED_X2_MODEL
    from webapp.inputs import job_spec
    from webapp.jobs import JobQueue
    weights = tmp_path / "weights"
    weights.mkdir()
    model = weights / "mine.h5"
    shutil.copyfile(BUNDLED_X2_MODEL, model)
    copyfile = shutil.copyfile

    def refused_to_read(source, target, **kwargs):
        if os.fspath(source) == str(model):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(source))
        return copyfile(source, target, **kwargs)

    queue = JobQueue(str(tmp_path / "work"), 60)
    with queue.changed:  # the queue's thread takes no job until the model is unreadable
        job = queue.submit(lambda folder: job_spec(folder, small_frames_zip(tmp_path / "frames.zip"), None,
                                                   "weights/: mine.h5", "", "", {"--backend": "auto"}, str(weights),
                                                   2 ** 30))
        model.chmod(0)
        if os.geteuid() == 0:
            monkeypatch.setattr(shutil, "copyfile", refused_to_read)
    assert job.finished.wait(120) and job.state == "failed"
    assert "not writable" not in job.message and "model.h5" not in job.message
    assert job.message.startswith("model ") and "'weights/: mine.h5'" in job.message
    assert "Permission denied" in job.message or "permission denied" in job.message
    assert not os.path.exists(job.folder)


def test_an_output_size_start_and_end_typed_in_full_width_are_read_as_in_ascii(tmp_path):
    """A Japanese or Chinese input method types the fields in full width: Python read its digits alone, so
    '３８４０x２１６０' was a size while '３８４０ｘ２１６０' was told both forms, '１．５' was neither a factor nor a
    size, and a Start of '０ｓ' was neither a frame nor a time."""
    from webapp.inputs import job_spec, size_flags
    assert size_flags("３８４０ｘ２１６０") == size_flags("3840x2160") == {"--output-size": "3840x2160"}
    assert size_flags("１．５") == {"--outscale": "1.5"}
    spec = job_spec(str(tmp_path / "job"), None, "bikes.mp4 (640x272, with ground truth)", "bundled: "
                    "tecogan_demo_bigbuckbunny.h5", "０ｓ", "０：００．２", {"--backend": "auto"}, str(tmp_path), 2 ** 30,
                    "２")
    assert (spec["input"]["start"], spec["input"]["frames"]) == (0, 5)
    assert spec["flags"]["--outscale"] == "2"
    with pytest.raises(UserError, match="got '1920×1080'"):  # the multiplication sign is no 'x' in any width
        size_flags("1920×1080")
    with pytest.raises(UserError, match="got '1920x1080²'"):  # a superscript is no digit: not 1920x10802
        size_flags("1920x1080²")


def test_a_done_job_s_folder_keeps_its_results_not_the_copy_of_its_model(tmp_path):
    """The copy of the model taken at the job's turn (the third look's) stayed in a done job's folder for
    --keep-minutes, nearly all of it (9 MB beside a small clip's results), though no command of the job reads it any
    more: each job done within that time held that much of the work folder's disk, which uploads need."""
    from webapp.inputs import job_spec
    from webapp.jobs import MODEL_COPY, JobQueue
    queue = JobQueue(str(tmp_path / "work"), 60)
    job = queue.submit(lambda folder: job_spec(folder, small_frames_zip(tmp_path / "frames.zip"), None,
                                               "bundled: frvsr_x2_demo_bigbuckbunny.h5", "", "", {"--backend": "auto"},
                                               str(tmp_path), 2 ** 30))
    assert job.finished.wait(300) and (job.state, job.message) == ("done", "")
    assert MODEL_COPY not in os.listdir(job.folder)
    assert set(job.outputs()) == {"video", "frames_zip", "bicubic", "ours"}


def test_an_onnx_cache_that_cannot_be_written_gets_the_page_s_advice_not_generate_py_s_flag(tmp_path):
    """The ONNX cache of the work folder a file (or not writable, a read-only mount): the job failed with generate.py's
    "--cache-dir '...' is a file, not a folder; choose another path" (or "pass a writable --cache-dir"), a flag the
    server sets and no field of the page."""
    from inference.onnx_export import openvino_available
    from webapp.inputs import job_spec
    from webapp.jobs import JobQueue
    if not openvino_available():
        pytest.skip("needs OpenVINO (the ONNX cache is the OpenVINO backend's)")
    work = tmp_path / "work"
    work.mkdir()
    (work / "onnx_cache").write_text("not a folder")
    queue = JobQueue(str(work), 60)
    job = queue.submit(lambda folder: job_spec(folder, small_frames_zip(tmp_path / "frames.zip"), None,
                                               "bundled: frvsr_x2_demo_bigbuckbunny.h5", "", "",
                                               {"--backend": "openvino"}, str(tmp_path), 2 ** 30))
    assert job.finished.wait(300) and job.state == "failed"
    assert "--cache-dir" not in job.message and "choose another path" not in job.message
    assert job.message == (f"the server's ONNX cache '{work / 'onnx_cache'}' is a file, not a folder; choose Backend "
                           "nnabla, or make the ONNX cache a writable folder (app.py keeps it in its --work-dir) and "
                           "run again")
    assert (work / "onnx_cache").read_text() == "not a folder"


# Nineteenth pass, beside the probers: merging the looks

def test_the_lpips_and_vgg_weights_named_in_upper_case_are_not_offered_as_models(tmp_path):
    """'.H5' models offered since the second look (a Windows name): 'VGG19.H5' and 'ALEX_WITH_LPIPS.H5' were then
    offered as generators, and choosing one was refused."""
    from webapp.inputs import list_models
    for name in ("VGG19.H5", "ALEX_WITH_LPIPS.H5", "Vgg19.h5", "Mine.H5"):
        (tmp_path / name).write_bytes(b"")
    assert [name for name in list_models(str(tmp_path)) if name.startswith("weights/: ")] == ["weights/: Mine.H5"]


@pytest.mark.parametrize("backend, precision, other", [("nnabla", "bf16", "openvino"), ("openvino", "fp16", "nnabla")])
def test_a_backend_and_precision_that_do_not_go_together_are_refused_before_the_job_is_queued(tmp_path, backend,
                                                                                              precision, other):
    """Backend nnabla with Precision bf16 (noticed by the third look at the tiles): the job was queued, waited for every
    job ahead of it, and failed at its turn with generate.py's refusal of the pair."""
    import zipfile

    from webapp.inputs import check_engine, job_spec
    upload = str(tmp_path / "frames.zip")
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("0001.png", b"")
    with pytest.raises(UserError, match=rf"^Precision {precision} runs on {other} only, not {backend}; use Backend "
                                        rf"{other}, or Precision "):
        job_spec(str(tmp_path / "job"), upload, None, "bundled: tecogan_demo_bigbuckbunny.h5", "", "",
                 {"--backend": backend, "--precision": precision}, str(tmp_path / "weights"), 2 ** 30)
    assert not (tmp_path / "job").exists()
    for fine in ({"--backend": "auto", "--precision": precision}, {"--backend": other, "--precision": precision},
                 {"--backend": backend, "--precision": "fp32"}):
        check_engine(fine)


# Twentieth pass, second look at demo.py and the web page

def test_a_sample_job_s_model_is_opened_once_when_submitted_once_at_its_turn_and_not_by_its_steps(tmp_path,
                                                                                                  monkeypatch):
    """A model checked for a sample with ground truth was opened twice as the job was submitted (check_model read its
    arrays, check_degradation opened it again for its attribute) and twice at the job's turn (its copy), and the finish
    step read it again for each frame it made LR or scaled (its scale, its degradation)."""
    import json
    import shutil

    from hostile import hdf5_opens
    from utils.paths import BUNDLED_X2_MODEL
    from webapp.inputs import job_spec
    from webapp.jobs import MODEL_COPY, JobQueue, job_file
    from webapp.steps import finish, prepare
    weights = tmp_path / "weights"
    weights.mkdir()
    model = str(weights / "mine.h5")
    shutil.copyfile(BUNDLED_X2_MODEL, model)
    opened = hdf5_opens(monkeypatch)

    class WithoutCommands(JobQueue):  # the steps run below, in this process, where their openings are counted
        def commands(self, job):
            return []

    queue = WithoutCommands(str(tmp_path / "work"), 60)
    job = queue.submit(lambda folder: job_spec(folder, None, "carphone_pristine.mp4 (176x144, with ground truth)",
                                               "weights/: mine.h5", "", "3", {"--backend": "auto"}, str(weights),
                                               2 ** 30))
    assert opened.count(model) == 1
    assert job.finished.wait(60) and (job.state, job.message) == ("done", "")
    copy = os.path.join(job.folder, MODEL_COPY)
    assert opened.count(copy) == 1 and opened.count(model) == 1
    with open(job_file(job.folder), encoding="utf-8") as file:
        spec = json.load(file)
    assert (spec["scale"], spec["degradation"]) == (2, "bd")
    shutil.copyfile(model, copy)  # deleted as the job was done: put back, so that a step reading it would find it
    prepare(job.folder, spec)
    shutil.copytree(os.path.join(job.folder, "hr"), os.path.join(job.folder, "frames"))  # generate.py's frames, as such
    finish(job.folder, spec)
    assert opened.count(copy) == 1
    assert os.path.isfile(os.path.join(job.folder, "compare_bicubic.png"))  # of the LR frame degraded at x2


@pytest.mark.parametrize("recorded, shown", [(b"\xff", r"\xff"), ("bd\nbi", r"bd\nbi"), ("x" * 5000, "x" * 37 + "...")],
                         ids=["bytes not UTF-8", "a newline", "5000 characters"])
def test_a_model_recording_a_degradation_of_odd_text_is_refused_in_one_short_line(tmp_path, recorded, shown):
    """Bytes not UTF-8 raised UnicodeDecodeError, a traceback in generate.py --input-dir-hr, demo.py and the page; a
    newline made the page's refusal two lines; 5000 characters a line as long, on the page and the terminal."""
    import numpy as np

    from utils.degradation import model_degradation
    from webapp.inputs import job_spec
    weights = tmp_path / "weights"
    weights.mkdir()
    model_recording_degradation(weights / "mine.h5", np.bytes_(recorded) if isinstance(recorded, bytes) else recorded)
    with pytest.raises(UserError) as refused:
        job_spec(str(tmp_path / "job"), None, "carphone_pristine.mp4 (176x144, with ground truth)", "weights/: mine.h5",
                 "", "3", {"--backend": "auto"}, str(weights), 2 ** 30)
    assert str(refused.value) == (f"model weights file 'weights/: mine.h5' records degradation '{shown}', not one of "
                                  "bd, bi; choose another model, or replace the file with a TecoGAN/FRVSR generator's "
                                  "weights")
    with pytest.raises(UserError, match=f"^weights file '.*mine.h5' records degradation '{re.escape(shown)}', not one "
                                        "of bd, bi$"):
        model_degradation(str(weights / "mine.h5"))


def test_a_run_after_the_jobs_folder_was_deleted_while_the_server_runs_is_one_line_and_leaves_no_folder(tmp_path):
    """The work folder deleted while the server ran (as one cleans results/): the next Run made jobs/ again without its
    mark, the stop left it, and every later start was refused ("a folder of files this program did not write")."""
    import shutil

    from utils.paths import make_scratch_folder
    from webapp.jobs import JobQueue
    work = tmp_path / "work"
    make_scratch_folder(str(work / "jobs"), "choose another --work-dir")  # as app.py makes it
    queue = JobQueue(str(work), 60)
    shutil.rmtree(work)
    spec = dict(input=dict(kind="frames", path=str(tmp_path), frames=1), model=str(tmp_path / "gone.h5"), flags={})
    with pytest.raises(UserError, match=rf"^the server's folder '{re.escape(queue.jobs_folder)}' was deleted while the "
                                        "server ran; stop the server and start it again$"):
        queue.submit(lambda folder: spec)
    assert not work.exists()
    make_scratch_folder(queue.jobs_folder, "choose another --work-dir")  # the next start


def test_an_uploads_folder_made_again_without_its_mark_is_named_at_the_stop(tmp_path, capsys):
    """Gradio makes its uploads folder again, with its parents, as it takes an upload after the server's was deleted:
    the stop left it without a word (a folder it cannot tell from a user's), and the next start was refused."""
    import shutil

    import app
    from utils.paths import make_scratch_folder
    uploads = str(tmp_path / "work" / "uploads")
    make_scratch_folder(uploads, "choose another --work-dir")
    app.remove_scratch(uploads)
    assert not os.path.exists(uploads) and capsys.readouterr().err == ""
    make_scratch_folder(uploads, "choose another --work-dir")
    shutil.rmtree(tmp_path / "work")
    os.makedirs(os.path.join(uploads, "0123abcd"))  # Gradio's copy of an upload
    app.remove_scratch(uploads)
    assert os.path.isdir(os.path.join(uploads, "0123abcd"))
    assert capsys.readouterr().err == (f"note: '{uploads}' was deleted while the server ran and made again without its "
                                       ".tecogan_scratch mark (by an upload): it is left as it is, and the next start "
                                       "refuses it; move it away first\n")


def test_a_failed_upload_named_with_a_quote_and_the_cache_flag_gets_its_own_advice_not_the_onnx_cache_s(tmp_path):
    """The ONNX cache's lines are told by generate.py's --cache-dir outside quoted names; the upload's name, put in
    first, held a quote ("it's --cache-dir.mkv"), which left the flag outside them: a video cut short after its first
    frames was given "choose Backend nnabla, or make the ONNX cache a writable folder". (The page refuses such an upload
    at once since the twenty-fifth pass: its copy is cut before the job's turn.)"""
    from hostile import queued_then_cut_short
    from webapp.inputs import job_spec
    from webapp.jobs import JobQueue
    upload = tmp_path / "it's --cache-dir.mkv"
    queue = JobQueue(str(tmp_path / "work"), 60)
    job = queued_then_cut_short(queue, str(upload), lambda: queue.submit(
        lambda folder: job_spec(folder, str(upload), None, "bundled: frvsr_x2_demo_bigbuckbunny.h5", "", "",
                                {"--backend": "auto"}, str(tmp_path), 2 ** 30)))
    assert job.finished.wait(300) and job.state == "failed"
    assert job.message == ("video 'it's --cache-dir.mkv' ended after 7 of the 40 frames it announces: it is truncated "
                           "or damaged; repair it (or set End to 5 to use what is there)")


@pytest.mark.parametrize("typed, shown", [("2\u200b", "2\\\\u200b"), ("\ufeff2", "\\\\ufeff2"), ("2\x00", "2\\\\x00")],
                         ids=["zero-width space", "byte-order mark", "NUL"])
def test_a_refused_field_holding_a_character_shown_as_nothing_shows_it_by_its_code_on_the_page(typed, shown):
    """An Output size of 2 and a zero-width space (pasted) was refused on the page as "got '2'": a factor the field
    takes. The terminal's lines show such characters by their codes (utils.errors.printable); the page's did not."""
    from webapp.inputs import size_flags
    from webapp.ui import plain_text
    with pytest.raises(UserError) as refused:
        size_flags(typed)
    assert plain_text(str(refused.value)).endswith(f"got \\'{shown}\\'")


# Twentieth pass, third look at the twentieth pass's demo and page fixes

def test_a_page_whose_weights_folder_and_model_are_named_not_utf8_loads_and_runs_the_model(tmp_path):
    """A model named with a byte 0xff (a lone surrogate in Python's str) in the weights folder, or a --weights-dir so
    named: Gradio's JSON refused the page's config ("str is not valid UTF-8: surrogates not allowed"), no page loaded,
    and app.py did not start (tracebacks, exit code 1). The name is shown by its codes, and the model it stands for is
    the one checked."""
    import shutil

    from gradio.routes import ORJSONResponse

    from utils.paths import BUNDLED_X2_MODEL
    from webapp.inputs import check_model, list_models
    from webapp.jobs import JobQueue
    from webapp.ui import build
    weights = os.path.join(os.fsdecode(bytes(tmp_path)), os.fsdecode(b"w\xff"))
    os.mkdir(weights)
    model = os.path.join(weights, os.fsdecode(b"\xffmine.h5"))
    shutil.copyfile(BUNDLED_X2_MODEL, model)
    models = list_models(weights)
    assert models["weights/: \\udcffmine.h5"] == model
    assert check_model(models["weights/: \\udcffmine.h5"], "weights/: \\udcffmine.h5")[0] == 2
    page = build(JobQueue(str(tmp_path / "work"), 60), weights, 10, 100)
    config = ORJSONResponse._render(page.get_config_file())  # as Gradio sends it to a page: it raised TypeError
    assert b"\\\\udcffmine.h5" in config and b"w\\\\udcff" in config


def test_a_work_dir_named_not_utf8_is_refused_before_the_server_starts(tmp_path):
    """Gradio puts the paths of uploads (under --work-dir) in the JSON it sends: the server started, and every upload
    was "Internal Server Error" on the page and a traceback on the terminal."""
    import app
    work = os.path.join(os.fsdecode(bytes(tmp_path)), os.fsdecode(b"work\xff"))
    with pytest.raises(UserError, match=r"^--work-dir '.*': its path is not UTF-8 text, which the page cannot send to "
                                        "the browser; choose a UTF-8 name$"):
        app.parse_args(["--work-dir", work])
    assert not os.path.lexists(work)
    assert app.parse_args(["--work-dir", str(tmp_path / "work")]).work_dir == str(tmp_path / "work")


@pytest.mark.parametrize("replaced", ["a link to a folder", "a folder made again"])
def test_a_run_after_the_jobs_folder_was_replaced_while_the_server_runs_is_refused_and_writes_nothing(tmp_path,
                                                                                                       replaced):
    """The second look refused a Run once jobs/ was deleted (no folder there); one replaced by a link to the user's
    folder took the job there, and one made again by hand took it into a folder without the mark, which the stop left
    with the jobs kept for --keep-minutes, and the next start refused."""
    import shutil

    from utils.paths import make_scratch_folder
    from webapp.jobs import JobQueue
    work, mine = tmp_path / "work", tmp_path / "mine"
    make_scratch_folder(str(work / "jobs"), "choose another --work-dir")  # as app.py makes it
    queue = JobQueue(str(work), 60)
    shutil.rmtree(work / "jobs")
    mine.mkdir()
    if replaced == "a link to a folder":
        os.symlink(mine, work / "jobs")
    else:
        os.mkdir(work / "jobs")
    spec = dict(input=dict(kind="frames", path=str(tmp_path), frames=1), model=str(tmp_path / "gone.h5"), flags={})
    with pytest.raises(UserError, match=rf"^the server's folder '{re.escape(queue.jobs_folder)}' was replaced while "
                                        "the server ran; stop the server and start it again$"):
        queue.submit(lambda folder: spec)
    assert os.listdir(mine) == [] and os.listdir(work / "jobs") == []


def test_the_stop_names_no_folder_it_leaves_that_the_next_start_takes(tmp_path, capsys):
    """An uploads/ or jobs/ made again empty (by hand, or emptied by Gradio's sweep) was named at the stop, "the next
    start refuses it; move it away first": the next start takes an empty folder; and jobs/ was said made "by an
    upload"."""
    import app
    from utils.paths import make_scratch_folder
    for name in app.SCRATCH_FOLDERS:
        folder = str(tmp_path / "work" / name)
        os.makedirs(folder)
        app.remove_scratch(folder)
        assert capsys.readouterr().err == ""
        make_scratch_folder(folder, "choose another --work-dir")  # taken: no refusal
    jobs = str(tmp_path / "other" / "jobs")
    os.makedirs(os.path.join(jobs, "0123abcd"))
    app.remove_scratch(jobs)
    assert capsys.readouterr().err == (f"note: '{jobs}' was deleted while the server ran and made again without its "
                                       ".tecogan_scratch mark: it is left as it is, and the next start refuses it; "
                                       "move it away first\n")


@pytest.mark.parametrize("cut, damage", [(40, "the file is cut short"),
                                         (-1, "the file is damaged (a checksum of its data does not match)")],
                         ids=["after its header", "its last byte"])
def test_a_zip_of_a_png_cut_short_is_refused_before_its_job_is_queued(tmp_path, cut, damage):
    """The check before a job is queued read each frame's header alone: a PNG cut short after it passed, and the job
    failed at its turn, after every job ahead of it ("cannot read image '0002.png': the file is cut short")."""
    import zipfile

    import cv2
    import numpy as np

    from webapp.inputs import upload_input
    png = cv2.imencode(".png", np.full((24, 32, 3), 128, np.uint8))[1].tobytes()
    with zipfile.ZipFile(tmp_path / "frames.zip", "w") as archive:
        archive.writestr("0001.png", png)
        archive.writestr("0002.png", png[:cut])
    with pytest.raises(UserError, match=rf"^frame '0002.png' of 'my frames.zip' cannot be read: {re.escape(damage)}; "
                                        "zip whole frames again and upload that zip$"):
        upload_input(str(tmp_path / "frames.zip"), "my frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)
    with zipfile.ZipFile(tmp_path / "whole.zip", "w") as archive:
        archive.writestr("0001.png", png)
        archive.writestr("0002.png", png + b"trailing bytes")  # past IEND: read, as generate.py reads it
    whole = upload_input(str(tmp_path / "whole.zip"), "whole.zip", "", "", str(tmp_path / "job2"), 2 ** 30)
    assert whole["frames"] == 2


@pytest.mark.parametrize("output_size, start, end, refusal", [
    ("－２", "", "", "Output size must be a positive factor of the input's size (e.g. 2 or 1.5), got '－２'"),
    ("１９２１ｘ１０８０", "", "", "Output size １９２１ｘ１０８０ has an odd side"),
    ("", "－１", "", "Start '－１' is neither a frame number"),
    ("", "３", "１", "End １ is not after Start ３; choose an end after the start"),
    ("", "１：００", "", "Start １：００ is at or after the end of 'carphone_pristine.mp4'"),
], ids=["factor", "size", "start", "end", "time"])
def test_a_refused_field_typed_in_full_width_is_named_as_typed(output_size, start, end, refusal):
    """The page's fields read full-width texts as ASCII (field_text); their refusals named the folded text ('－２' as
    "got '-2'"), where the refusal of a text neither a factor nor a size named it as typed."""
    from webapp.inputs import job_spec
    with pytest.raises(UserError) as refused:
        job_spec("/nonexistent", None, "carphone_pristine.mp4 (176x144, with ground truth)",
                 "bundled: frvsr_x2_demo_bigbuckbunny.h5", start, end, {"--backend": "auto"}, "/nonexistent", 2 ** 30,
                 output_size)
    assert str(refused.value).startswith(refusal)


@pytest.mark.parametrize("deleted", ["the jobs folder", "the job's folder"])
def test_a_job_whose_folder_is_deleted_while_it_runs_fails_with_that_line(tmp_path, deleted):
    """The jobs folder deleted while a job ran (as one cleans results/): generate.py's "the folder of --output-video
    'result.mp4' does not exist; create it or choose another path", a flag the page has not, or in the finish step a
    traceback, "the run stopped with exit code 1 (FileNotFoundError: ...job.json'); please report it". A command that
    deletes it and fails stands for those here."""
    import sys

    from utils.paths import make_scratch_folder
    from webapp.jobs import JobQueue

    class DeletingCommands(JobQueue):
        def _take_model(self, job):  # the model is not what this is about
            pass

        def commands(self, job):
            gone = self.jobs_folder if deleted == "the jobs folder" else job.folder
            return [("super-resolving", [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1]); "
                                         "sys.exit('error: the folder of --output-video does not exist')", gone])]

    work = tmp_path / "work"
    make_scratch_folder(str(work / "jobs"), "choose another --work-dir")  # as app.py makes it
    queue = DeletingCommands(str(work), 60)
    spec = dict(input=dict(kind="frames", path=str(tmp_path), frames=1), model=str(tmp_path / "gone.h5"), flags={})
    job = queue.submit(lambda folder: spec)
    assert job.finished.wait(60) and job.state == "failed"
    assert job.message == (f"the server's folder '{queue.jobs_folder}' was deleted while the job ran, with the job's "
                           "files; stop the server and start it again" if deleted == "the jobs folder" else
                           "the job's folder was deleted while the job ran; press Run again")


# Twentieth pass, fourth look at the twentieth pass's demo and page fixes

@pytest.mark.parametrize("frame", ["a camera's JPEG", "a BMP"])
def test_a_zip_of_a_camera_jpeg_or_a_bmp_cut_short_is_refused_before_its_job_is_queued(tmp_path, frame):
    """The byte checks before a job is queued (utils.image_io.damage_of, read_bgr_uint8's own): a JPEG holding an Exif
    thumbnail (as a camera writes it) and cut short passed, the thumbnail's scan and end taken for the picture's, and
    decoded with its missing rows grey (exit code 0); a BMP cut short was "the file is corrupt or not an image; replace
    or remove it" after OpenCV's own line ("[ERROR:0@0.2] global loadsave.cpp:910 imdecode_ ...")."""
    import zipfile

    import cv2
    import numpy as np

    from hostile import with_exif_thumbnail
    from utils.image_io import read_bgr_uint8
    from webapp.inputs import upload_input
    picture = np.random.default_rng(0).integers(0, 256, (24, 32, 3), np.uint8)
    if frame == "a BMP":
        name, data = "0002.bmp", cv2.imencode(".bmp", picture)[1].tobytes()
    else:
        name, data = "0002.jpg", with_exif_thumbnail(cv2.imencode(".jpg", picture)[1].tobytes(),
                                                     cv2.imencode(".jpg", picture[::4, ::4])[1].tobytes())
    extension = os.path.splitext(name)[1]
    with zipfile.ZipFile(tmp_path / "frames.zip", "w") as archive:
        archive.writestr("0001" + extension, data)
        archive.writestr(name, data[:len(data) * 3 // 4])
    with pytest.raises(UserError, match=rf"^frame '{name}' of 'my frames.zip' cannot be read: the file is cut short; "
                                        "zip whole frames again and upload that zip$"):
        upload_input(str(tmp_path / "frames.zip"), "my frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)
    (tmp_path / name).write_bytes(data[:-1])  # generate.py's reading: one line of its own before decoding
    with pytest.raises(UserError, match=r": the file is cut short; replace or remove it$"):
        read_bgr_uint8(str(tmp_path / name))
    with zipfile.ZipFile(tmp_path / "whole.zip", "w") as archive:  # whole frames of each are taken
        archive.writestr("0001" + extension, data)
        archive.writestr(name, data)
    whole = upload_input(str(tmp_path / "whole.zip"), "whole.zip", "", "", str(tmp_path / "job2"), 2 ** 30)
    assert whole["frames"] == 2


@pytest.mark.parametrize("kind", ["variable-length", "of no data"])
def test_a_model_recording_a_degradation_of_another_hdf5_kind_is_named_as_a_fixed_length_one_is(tmp_path, kind):
    """A degradation recorded as a variable-length text of bytes not UTF-8 was shown as h5py's lone surrogate,
    '\\udcff', where a fixed-length text is shown '\\xff'; one of no data (HDF5's null dataspace) as h5py's name for it,
    "Empty(dtype=dtype('S5'))", where an empty text is shown ''."""
    import h5py
    import numpy as np

    from webapp.inputs import job_spec
    weights = tmp_path / "weights"
    weights.mkdir()
    recorded = (np.array(b"\xffab", dtype=h5py.string_dtype("ascii")) if kind == "variable-length" else
                h5py.Empty("S5"))
    model_recording_degradation(weights / "mine.h5", recorded)
    with pytest.raises(UserError) as refused:
        job_spec(str(tmp_path / "job"), None, "carphone_pristine.mp4 (176x144, with ground truth)", "weights/: mine.h5",
                 "", "3", {"--backend": "auto"}, str(weights), 2 ** 30)
    shown = r"\xffab" if kind == "variable-length" else ""
    assert str(refused.value).startswith(f"model weights file 'weights/: mine.h5' records degradation '{shown}', not ")


# Twenty-first pass, look at demo.py and the web page

def test_an_uploads_folder_gradio_made_again_is_removed_at_the_stop_once_gradio_has_emptied_it(tmp_path, capsys):
    """uploads/ deleted while the server ran (as one cleans results/) is made again by Gradio as it takes an upload,
    without the mark; Gradio deletes its files as the server stops, and left its folders (named by each file's SHA-256)
    empty: the stop named uploads/ and the next start refused it until it was moved away, with no file in it."""
    import app
    from utils.paths import make_scratch_folder
    uploads = tmp_path / "work" / "uploads"
    (uploads / ("0f" * 32)).mkdir(parents=True)  # Gradio's, its upload deleted at the stop
    (uploads / ("a1" * 32)).mkdir()
    app.remove_scratch(str(uploads))
    assert capsys.readouterr().err == "" and not uploads.exists()
    make_scratch_folder(str(uploads), "choose another --work-dir")  # the next start: taken
    kept = tmp_path / "other" / "uploads"
    for folder in ("0f" * 32, "b2" * 32, "mine"):
        (kept / folder).mkdir(parents=True)
    (kept / ("b2" * 32) / "clip.mp4").write_bytes(b"a file Gradio did not delete")
    app.remove_scratch(str(kept))
    assert sorted(os.listdir(kept)) == ["b2" * 32, "mine"] and os.listdir(kept / ("b2" * 32)) == ["clip.mp4"]
    assert capsys.readouterr().err.startswith(f"note: '{kept}' was deleted while the server ran and made again")


def test_a_job_set_up_by_a_server_older_than_its_steps_fails_with_what_to_do(tmp_path, capsys):
    """A job.json without 'scale' and 'degradation' (written by a server started before its code was updated, which
    keeps its JobQueue in memory while each step runs the code on disk) failed the job with "the run stopped with exit
    code 1 (KeyError: 'scale'); please report it"."""
    import json

    from helpers import finish_step_line
    (tmp_path / "job.json").write_text(json.dumps(dict(input=dict(kind="frames", path=str(tmp_path)), flags={},
                                                       model=str(tmp_path / "model.h5"))))
    assert finish_step_line(tmp_path, capsys) == (2, (
        "the job was set up by code older than its steps' (its job.json lacks 'scale': the code was updated while the "
        "server ran); stop the server and start it again"))


@pytest.mark.parametrize("name", ["0002.jpg", "0002.bmp"])
def test_a_zip_s_frame_that_is_no_picture_is_named_as_in_the_zip_with_the_page_s_advice(tmp_path, name):
    """A JPEG or BMP frame that is no picture (a web page saved under a frame's name) or damaged inside its data passes
    the byte checks and fails the size check, which decodes it: "cannot read image '0002.jpg': the file is corrupt or
    not an image; replace or remove it", a file on the server, where one cut short is named as in the zip."""
    import zipfile

    import cv2
    import numpy as np

    from webapp.inputs import upload_input
    frame = cv2.imencode(os.path.splitext(name)[1], np.full((24, 32, 3), 128, np.uint8))[1].tobytes()
    with zipfile.ZipFile(tmp_path / "frames.zip", "w") as archive:
        archive.writestr("0001" + os.path.splitext(name)[1], frame)
        archive.writestr(name, b"<!DOCTYPE html><html><body>404 Not Found</body></html>")
    with pytest.raises(UserError, match=rf"^frame '{name}' of 'my frames.zip' cannot be read: the file is corrupt or "
                                        "not an image; zip whole frames again and upload that zip$"):
        upload_input(str(tmp_path / "frames.zip"), "my frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)


@pytest.mark.parametrize("compression", [4, 6])
def test_a_bmp_of_a_compression_opencv_does_not_decode_is_one_line_without_opencv_s_own(tmp_path, capfd, compression):
    """A BMP holding a JPEG or PNG (compression 4, 5) or of alpha bit fields (6), whole: OpenCV's reader printed a line
    of its own ("[ERROR:0@0.7] global loadsave.cpp:865 imdecode_ ... Assertion failed) m_rle_code_ >= 0 && ..."), on
    the server's terminal as the page checked a zip's frames, then "cannot read image '0002.bmp': the file is corrupt
    or not an image"."""
    import struct
    import zipfile

    import cv2
    import numpy as np

    from utils.image_io import read_bgr_uint8
    from webapp.inputs import upload_input
    whole = cv2.imencode(".bmp", np.full((24, 32, 3), 128, np.uint8))[1].tobytes()
    other = bytearray(whole)
    struct.pack_into("<I", other, 30, compression)  # the header's compression
    (tmp_path / "0002.bmp").write_bytes(bytes(other))
    refusal = (f"it is a BMP of compression {compression} (JPEG or PNG inside, or alpha bit fields), which OpenCV does "
               "not decode (save it as PNG)")
    with pytest.raises(UserError, match=rf": {re.escape(refusal)}; replace or remove it$"):
        read_bgr_uint8(str(tmp_path / "0002.bmp"))
    with zipfile.ZipFile(tmp_path / "frames.zip", "w") as archive:
        archive.writestr("0001.bmp", whole)
        archive.writestr("0002.bmp", bytes(other))
    with pytest.raises(UserError, match=rf"^frame '0002.bmp' of 'my frames.zip' cannot be read: {re.escape(refusal)};"):
        upload_input(str(tmp_path / "frames.zip"), "my frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)
    assert "imdecode_" not in capfd.readouterr().err


@pytest.mark.parametrize("cut", [0, 200], ids=["whole", "cut short"])
def test_an_uploaded_camera_jpeg_is_refused_as_a_picture_as_a_plain_jpeg_is(tmp_path, cut):
    """FFmpeg counts one frame in a JPEG holding a camera's Exif segment (none in a plain one), so the check of a
    picture given as a video, made only where no frame was counted, let a phone's photo pass as a video of one frame;
    cut short, it was super-resolved with its missing rows grey (exit code 0)."""
    import cv2
    import numpy as np

    from hostile import with_exif_thumbnail
    from webapp.inputs import upload_input
    picture = np.random.default_rng(0).integers(0, 256, (24, 32, 3), np.uint8)
    photo = with_exif_thumbnail(cv2.imencode(".jpg", picture)[1].tobytes(),
                                cv2.imencode(".jpg", picture[::4, ::4])[1].tobytes())
    (tmp_path / "IMG_0001.jpg").write_bytes(photo[:len(photo) - cut])
    with pytest.raises(UserError, match=r"^'IMG_0001.jpg' is not a video with frames this app can decode; upload a "
                                        r"video file \(mp4, mov, mkv, avi, webm\) or a zip of frames$"):
        upload_input(str(tmp_path / "IMG_0001.jpg"), "IMG_0001.jpg", "", "", str(tmp_path / "job"), 2 ** 30)


# Twenty-first pass, second look at the twenty-first pass's generate, tile and page fixes

def test_one_job_ahead_is_said_in_the_singular(tmp_path):
    """"Job 2: waiting, 1 job(s) ahead of it.": the first look's counted wordings missed the page's queue line."""
    from webapp.jobs import Job
    from webapp.ui import describe

    class Queue:
        def __init__(self, ahead):
            self.ahead = lambda job: ahead

    job = Job("2", str(tmp_path), CALENDAR_SPEC)
    job.state = "waiting"
    assert describe(Queue(1), job) == "Job 2: waiting, 1 job ahead of it."
    assert describe(Queue(2), job) == "Job 2: waiting, 2 jobs ahead of it."


# Twenty-second pass, look at demo.py and the web page

def test_the_pages_screenshot_goes_to_a_temporary_folder_unless_asked_for(tmp_path, monkeypatch):
    """tests/test_app.py wrote docs/app.png, a tracked file, on every run; now only where TECOGAN_SCREENSHOT names it
    (docs/app.md)."""
    from app_media import screenshot_path
    monkeypatch.delenv("TECOGAN_SCREENSHOT", raising=False)
    assert screenshot_path(tmp_path) == str(tmp_path / "app.png")
    monkeypatch.setenv("TECOGAN_SCREENSHOT", " ")
    assert screenshot_path(tmp_path) == str(tmp_path / "app.png")
    monkeypatch.setenv("TECOGAN_SCREENSHOT", "docs/app.png")
    assert screenshot_path(tmp_path) == os.path.join(REPO_ROOT, "docs", "app.png")


@pytest.mark.parametrize("bits, masks, header", [
    (32, (0xFF, 0xFF00, 0xFF0000), 40), (32, (0xFF000000, 0xFF0000, 0xFF00), 52),
    (32, (0x3FF00000, 0xFFC00, 0x3FF), 124), (16, (0x1F, 0x7E0, 0xF800), 40)],
    ids=["32-bit RGBA masks, 40", "32-bit RGBX masks, V2", "10 bits a colour, V5", "16-bit B5 G6 R5, 40"])
def test_a_zips_bmp_frame_of_bit_fields_opencv_misreads_is_named(tmp_path, bits, masks, header):
    """32-bit pixels of masks other than blue, green, red from the low byte after a header of less than 56 bytes
    (OpenCV reads no masks there), or of 10 bits a colour: decoded in other colours and super-resolved so, exit code
    0; 16-bit ones of masks other than 5-6-5 and 5-5-5 after a 40-byte header: "the file is corrupt or not an
    image". The same masks in a V5 header, one byte a colour, are read as they say."""
    import zipfile

    import cv2
    import numpy as np

    from hostile import bit_fields_bmp
    from utils.image_io import read_bgr_uint8
    from webapp.inputs import upload_input
    rgb = np.random.default_rng(0).integers(0, 256, (6, 8, 3), np.uint8)
    with zipfile.ZipFile(tmp_path / "frames.zip", "w") as archive:
        archive.writestr("0001.bmp", cv2.imencode(".bmp", rgb[..., ::-1])[1].tobytes())
        archive.writestr("0002.bmp", bit_fields_bmp(rgb, bits, masks, header))
    with pytest.raises(UserError, match=rf"^frame '0002.bmp' of 'frames.zip' cannot be read: it is a BMP of {bits}-bit "
                                        "pixels by bit fields of masks R 0x"):
        upload_input(str(tmp_path / "frames.zip"), "frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)
    if set(masks) <= {0xFF, 0xFF00, 0xFF0000, 0xFF000000}:  # one byte a colour: read in a V5 header
        (tmp_path / "v5.bmp").write_bytes(bit_fields_bmp(rgb, 32, masks, 124))
        assert np.array_equal(read_bgr_uint8(str(tmp_path / "v5.bmp"))[..., ::-1], rgb)


@pytest.mark.parametrize("minutes, said", [(1, "1 minute"), (123456.4, "123456.4 minutes"),
                                           (1e6, "1000000 minutes"), (0.1, "0.1 minutes")])
def test_the_page_says_keep_minutes_as_given_with_its_noun(minutes, said):
    """--keep-minutes 1 was "deleted at the latest 1 minutes after it ends"; 123456.4 was said as 123456 (six digits:
    less than the files are kept), 1000000 as "1e+06"."""
    from webapp.jobs import minutes_said  # the page's introduction says "deleted at the latest {minutes_said} after"
    assert minutes_said(minutes * 60) == said


@pytest.mark.parametrize("delays, rate", [([500, 100, 100, 100], 5), ([10, 10, 10, 10], 10)])
def test_an_uploaded_gif_of_varying_delays_is_read_at_its_average_rate(tmp_path, delays, rate):
    """OpenCV's rate of an animated GIF is FFmpeg's guess from its first delays: one of 500, 100, 100 and 100 ms was
    read at 10 fps and its job's video played in 0.4 s, twice as fast, "done" (variable-frame-rate videos are written
    at their average rate, here 5 fps). Delays under 20 ms are played as 100 ms, as browsers and FFmpeg play them."""
    import numpy as np
    from PIL import Image

    from utils.video_io import VideoReader
    frames = [Image.fromarray(np.full((8, 8, 3), 60 * index, np.uint8)) for index in range(4)]
    frames[0].save(tmp_path / "clip.gif", save_all=True, append_images=frames[1:], duration=delays)
    reader = VideoReader(str(tmp_path / "clip.gif"))
    assert (reader.fps, reader.total_frames) == (rate, 4)


@pytest.mark.parametrize("bits", [2, 64])
def test_a_zips_bmp_frame_of_a_depth_opencv_lacks_is_named(tmp_path, bits):
    """A BMP of 2 bits a pixel (Windows CE's) or 64, whole, was "the file is corrupt or not an image"."""
    import struct
    import zipfile

    row_bytes, colours = (8 * bits + 31) // 32 * 4, 2 ** bits if bits < 8 else 0
    offset = 14 + 40 + 4 * colours
    header = struct.pack("<IiiHHIIiiII", 40, 8, 8, 1, bits, 0, 8 * row_bytes, 2835, 2835, colours, 0)
    with zipfile.ZipFile(tmp_path / "frames.zip", "w") as archive:
        archive.writestr("0001.bmp", b"BM" + struct.pack("<IHHI", offset + 8 * row_bytes, 0, 0, offset) + header
                         + bytes(4 * colours + 8 * row_bytes))
    from webapp.inputs import upload_input
    with pytest.raises(UserError, match=rf"^frame '0001.bmp' of 'frames.zip' cannot be read: it is a BMP of {bits} "
                                        r"bits a pixel, which OpenCV does not decode \(save it as PNG\);"):
        upload_input(str(tmp_path / "frames.zip"), "frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)


def test_an_uploaded_gif_cut_short_is_called_cut_short_not_a_codec_opencv_lacks(tmp_path):
    """FFmpeg decodes the rows a GIF cut short holds, OpenCV no frame: the page said "its codec, such as AV1, may be
    one OpenCV lacks; convert it to H.264 first, e.g. ffmpeg -i IN ...", which makes a picture of grey rows."""
    import numpy as np
    from PIL import Image

    from webapp.inputs import upload_input
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (24, 32, 3), np.uint8)).save(tmp_path / "whole.gif")
    whole = (tmp_path / "whole.gif").read_bytes()
    (tmp_path / "anim.gif").write_bytes(whole[:len(whole) * 3 // 4])
    with pytest.raises(UserError, match=r"^video 'anim.gif' is a GIF of which OpenCV decodes no frame \(it decodes "
                                        r"whole GIFs\): it is cut short or damaged; repair it or pass another video$"):
        upload_input(str(tmp_path / "anim.gif"), "anim.gif", "", "", str(tmp_path / "job"), 2 ** 30)


# Twenty-second pass, second look at the twenty-second pass's demo and page fixes

def os2_bmp(rows):
    """The bytes of an OS/2 BMP (a 12-byte header, no compression field) of 24-bit rows (bottom-up, each padded)."""
    import struct
    return b"BM" + struct.pack("<IHHIIHHHH", 26 + len(rows), 0, 0, 26, 12, 2, len(rows) // 8, 1, 24) + rows


@pytest.mark.parametrize("case", ["OS/2, 32 and 3 where a larger header's depth and compression lie",
                                  "OS/2, 16 and 3 there", "V4, 32-bit bit fields of masks 0",
                                  "40 bytes, 32-bit bit fields of masks 0"])
def test_a_bmp_opencv_decodes_right_is_read_not_refused_as_of_bit_fields(tmp_path, case):
    """bmp_bit_fields_refused read an OS/2 BMP's pixels (its 12-byte header has no compression) as a depth of 32 or 16
    and compression 3, and refused a picture OpenCV decodes right; masks all 0 of 32-bit pixels are blue, green, red
    from the low byte to OpenCV and Pillow alike, and were "decoded in other colours"."""
    import numpy as np

    from hostile import bit_fields_bmp
    from utils.image_io import read_bgr_uint8
    if case.startswith("OS/2"):
        rows = bytearray(64)
        rows[:8] = bytes([5, 6, 32 if "32" in case else 16, 0, 3, 0, 0, 0])  # the bytes at 28..33: 32 or 16, then 3
        data, bgr = os2_bmp(bytes(rows)), np.zeros((8, 2, 3), np.uint8)
        bgr[-1] = [[5, 6, 32 if "32" in case else 16], [0, 3, 0]]
    else:
        rgb = np.random.default_rng(0).integers(0, 256, (8, 12, 3), np.uint8)
        data = bytearray(bit_fields_bmp(rgb, 32, (0xFF0000, 0xFF00, 0xFF), 108 if "V4" in case else 40))
        data[54:66], bgr = bytes(12), rgb[..., ::-1]
    (tmp_path / "0001.bmp").write_bytes(bytes(data))
    assert np.array_equal(read_bgr_uint8(str(tmp_path / "0001.bmp")), bgr)


def test_an_uploaded_gif_cut_at_a_frame_s_end_is_called_cut_short_not_read_as_a_shorter_clip(tmp_path):
    """A GIF cut at the end of its third frame of four (a download cut off there) was read as a clip of 3 frames, its
    job "done", exit code 0: it ends before its trailer."""
    import numpy as np
    from PIL import Image

    from webapp.inputs import upload_input
    frames = [Image.fromarray(np.random.default_rng(index).integers(0, 256, (8, 8, 3), np.uint8)) for index in range(4)]
    frames[0].save(tmp_path / "whole.gif", save_all=True, append_images=frames[1:], duration=100)
    whole = (tmp_path / "whole.gif").read_bytes()
    (tmp_path / "anim.gif").write_bytes(whole[:whole.rfind(b"\x21\xf9\x04")])  # before the last frame's delay
    with pytest.raises(UserError, match=r"^video 'anim.gif' is a GIF cut short \(it ends after 3 whole frames, before "
                                        r"its trailer\): repair it or pass another video$"):
        upload_input(str(tmp_path / "anim.gif"), "anim.gif", "", "", str(tmp_path / "job"), 2 ** 30)


def test_a_screenshot_asked_into_a_folder_goes_to_app_png_in_it(tmp_path, monkeypatch):
    """TECOGAN_SCREENSHOT=docs (a folder) was Playwright's "EISDIR" after the first test's job, and every test of
    tests/test_app.py failed at its fixture; a path outside the repository is taken as it is."""
    from app_media import screenshot_path
    monkeypatch.setenv("TECOGAN_SCREENSHOT", "docs")
    assert screenshot_path(tmp_path) == os.path.join(REPO_ROOT, "docs", "app.png")
    monkeypatch.setenv("TECOGAN_SCREENSHOT", str(tmp_path / "page.png"))
    assert screenshot_path(tmp_path / "unused") == str(tmp_path / "page.png")


@pytest.mark.parametrize("picture", ["lr_0003.webp", "lr_0000.tif"])
def test_a_zips_picture_of_another_format_next_to_its_first_or_last_frame_is_named_not_left_out(tmp_path, picture):
    """'lr_0003.webp' after 'lr_0001.png', 'lr_0002.png' (a frame exported otherwise), or a '.tif' before them, was left
    out without a word: the job's video a frame short, "done" (one in a gap was refused already)."""
    from hostile import fixture_frames_zip
    from webapp.inputs import upload_input
    upload = fixture_frames_zip(tmp_path / "frames.zip", [(picture, b"RIFF")], count=2)
    with pytest.raises(UserError, match=rf"^'{picture}' is a picture numbered next to the first or last frame of its "
                                        r"sequence in a format frames are not read in \(frames: \.png, \.jpg, \.jpeg, "
                                        r"\.bmp\), so the clip would be read without it: convert it to PNG or remove "
                                        "it$"):
        upload_input(upload, "frames.zip", "", "", str(tmp_path / "job"), 2 ** 30)


@pytest.mark.parametrize("frames, picture, refused", [(["c1_1.png", "c1_2.png"], "c1_3.webp", True),
                                                      (["c1_1.png", "c1_2.png"], "c1_0.webp", True),
                                                      (["c1_1.png", "c1_2.png"], "c2_1.webp", False),
                                                      (["a.png", "b.png"], "c.webp", False)])
def test_a_picture_next_to_the_ends_of_frames_named_by_several_numbers_is_told_by_their_last(tmp_path, frames,
                                                                                              picture, refused):
    """Frames numbered by each number of their names (frame_order, the pass's second look at the training data) met
    the page's check of a picture next to the first or last frame (its first look), which took a frame's number for
    one integer: 'c1_3.webp' after 'c1_1.png', 'c1_2.png' was a TypeError. Names without a number have no neighbour."""
    from utils.frame_names import list_frames
    for name in frames + [picture]:
        (tmp_path / name).write_bytes(b"")
    if refused:
        with pytest.raises(UserError, match=rf"^'.*{picture}' is a picture numbered next to the first or last frame"):
            list_frames(str(tmp_path), ends=True)
    else:
        assert [os.path.basename(path) for path in list_frames(str(tmp_path), ends=True)] == frames


def test_a_video_named_zip_is_read_as_the_video_it_is(tmp_path):
    """A video named 'clip.zip' (no zip by its bytes, no zip's end record in it) was "not a zip archive this app can
    read; upload a video, or a zip of frames", which it was."""
    from hostile import ffmpeg_video
    from webapp.inputs import upload_input
    clip = ffmpeg_video(tmp_path / "clip.mp4", frames=3, size="16x16")
    os.rename(clip, tmp_path / "clip.zip")
    read = upload_input(str(tmp_path / "clip.zip"), "clip.zip", "", "", str(tmp_path / "job"), 2 ** 30)
    assert (read["kind"], read["frames"]) == ("video", 3)


# Twenty-third pass, look at demo.py and the web page

def frames_beside_a_picture(tmp_path, frames, picture, refused_as=None):
    """list_frames(ends=True) of a folder of frames (empty files) and a picture beside them: the frames' names read, or
    None where refused_as ('numbered', 'lettered') says the picture is refused as next to the first or last frame."""
    from utils.frame_names import list_frames
    for name in frames + [picture]:
        (tmp_path / name).write_bytes(b"")
    if refused_as is None:
        return [os.path.basename(path) for path in list_frames(str(tmp_path), ends=True)]
    with pytest.raises(UserError, match=rf"^'.*{re.escape(picture)}' is a picture {refused_as} next to the first or "
                                        "last frame"):
        list_frames(str(tmp_path), ends=True)
    return None


@pytest.mark.parametrize("picture, refused", [("0004 (1).webp", True), ("Copy of 0004.webp", True),
                                              ("0000 (1).webp", True), ("0003 (1).webp", False)])
def test_a_zips_picture_named_as_a_copy_of_the_frame_next_to_its_ends_is_named_not_left_out(tmp_path, picture,
                                                                                             refused):
    """'0004 (1).webp' (a second download of frame 4) after '0001.png'..'0003.png' was left out without a word, the
    job's video a frame short, where '0002 (1).webp' in a gap was refused; a copy of a frame that is there leaves
    nothing out."""
    frames = ["0001.png", "0002.png", "0003.png"]
    assert frames_beside_a_picture(tmp_path, frames, picture, "numbered" if refused else None) in (frames, None)


@pytest.mark.parametrize("sub_blocks", [1, 2])
def test_an_uploaded_gif_cut_inside_its_first_frame_at_a_sub_block_s_end_is_called_cut_short(tmp_path, sub_blocks):
    """A GIF of 3 frames cut after whole sub-blocks of its first frame's data (a download cut off there), which OpenCV
    decodes as a frame, its rows past them filled, was read as a clip of 1 frame, its job "done", exit code 0."""
    import numpy as np
    from PIL import Image

    from webapp.inputs import upload_input
    frames = [Image.fromarray(np.random.default_rng(seed).integers(0, 256, (32, 32, 3), np.uint8)) for seed in range(3)]
    frames[0].save(tmp_path / "whole.gif", save_all=True, append_images=frames[1:], duration=100)
    whole = (tmp_path / "whole.gif").read_bytes()
    data = whole.index(b"\x2c\x00\x00\x00\x00\x20\x00\x20\x00") + 11  # the first frame's: its descriptor, code size
    assert whole[data] == whole[data + 256] == 255  # two sub-blocks of 255 bytes
    (tmp_path / "anim.gif").write_bytes(whole[:data + 256 * sub_blocks])
    with pytest.raises(UserError, match=r"^video 'anim.gif' is a GIF cut short \(it ends inside its first frame, "
                                        r"before its trailer\): repair it or pass another video$"):
        upload_input(str(tmp_path / "anim.gif"), "anim.gif", "", "", str(tmp_path / "job"), 2 ** 30)


@pytest.mark.parametrize("kept", [0.5, 0.9])
def test_an_uploaded_gif_cut_short_into_zeros_of_its_full_length_is_called_cut_short(tmp_path, kept):
    """A GIF of 3 frames cut off into a file made its full length first (BitTorrent's, a download manager's: zeros
    after the cut) was read as a clip of 1 or 2 frames, or of 3 the last half zeros, its job "done", exit code 0."""
    import numpy as np
    from PIL import Image

    from webapp.inputs import upload_input
    frames = [Image.fromarray(np.random.default_rng(seed).integers(0, 256, (16, 16, 3), np.uint8)) for seed in range(3)]
    frames[0].save(tmp_path / "whole.gif", save_all=True, append_images=frames[1:], duration=100)
    whole = (tmp_path / "whole.gif").read_bytes()
    (tmp_path / "anim.gif").write_bytes(whole[:int(len(whole) * kept)].ljust(len(whole), b"\0"))
    with pytest.raises(UserError, match=r"^video 'anim.gif' is a GIF cut short \(it is zeros from byte \d+ to its end, "
                                        r"where its trailer should be, .*\): repair it or pass another video$"):
        upload_input(str(tmp_path / "anim.gif"), "anim.gif", "", "", str(tmp_path / "job"), 2 ** 30)


# Twenty-third pass, second look at the twenty-third pass's demo and page fixes

@pytest.mark.parametrize("frames, picture", [(["f0001_v1.png", "f0002_v1.png"], "f0003_v1.webp"),
                                             (["f0001_v1.png", "f0002_v1.png"], "f0000_v1 (1).webp"),
                                             (["img_0001_x4.png", "img_0002_x4.png"], "img_0003_x4.WEBP"),
                                             (["0001.png", "0002.png", "0003 (1).png"], "0004.webp"),
                                             (["0001.png"], "0002.webp"), (["7.png"], "Copy of 6.tif")])
def test_a_zips_picture_next_to_its_ends_is_named_whichever_number_counts_its_frames(tmp_path, frames, picture):
    """The next frame was taken as the last number's next: 'f0003_v1.webp' after 'f0001_v1.png', 'f0002_v1.png' (a
    version's number last), 'img_0003_x4.webp' (a scale's), '0004.webp' after a last frame named '0003 (1).png' were
    left out without a word, the job's video a frame short, "done"; and a zip of one frame was taken as ordered by
    name, with no neighbours: '0002.webp' beside '0001.png' was a clip of 1 frame, "done"."""
    from utils.frame_names import list_frames
    for name in frames + [picture]:
        (tmp_path / name).write_bytes(b"")
    with pytest.raises(UserError, match=rf"^'.*{re.escape(picture)}' is a picture numbered next to the first or last "
                                        "frame"):
        list_frames(str(tmp_path), ends=True)


@pytest.mark.parametrize("kept, extension, kind", [(0.6, "avi", "an AVI"), (0.9, "avi", "an AVI"),
                                                   (0.97, "mkv", "a Matroska or WebM video")])
def test_an_uploaded_video_cut_short_into_zeros_of_its_full_length_is_called_cut_short(tmp_path, kept, extension, kind):
    """A Motion JPEG AVI of 20 frames cut off into a file made its full length first (zeros after the cut: its index
    lost) was read as a clip of the frames before the cut, FFmpeg decoding them without an error, its job "done", exit
    code 0; a Motion JPEG MKV cut so in its last frame (its Cues after it zeros) was read whole, that frame's rows
    wrong, "done". Zeros after the container (a writer's padding) are no cut."""
    from hostile import ffmpeg_video
    from webapp.inputs import upload_input
    whole = open(ffmpeg_video(tmp_path / f"whole.{extension}", "-c:v", "mjpeg", frames=20, size="16x16"), "rb").read()
    (tmp_path / f"clip.{extension}").write_bytes(whole[:int(len(whole) * kept)].ljust(len(whole), b"\0"))
    with pytest.raises(UserError, match=rf"^video 'clip.{extension}' is {kind} cut short \(it is zeros from byte \d+ "
                                        r"on, .*\): repair it or pass another video$"):
        upload_input(str(tmp_path / f"clip.{extension}"), f"clip.{extension}", "", "", str(tmp_path / "job"), 2 ** 30)
    (tmp_path / f"padded.{extension}").write_bytes(whole + bytes(512))
    read = upload_input(str(tmp_path / f"padded.{extension}"), f"padded.{extension}", "", "", str(tmp_path / "job2"),
                        2 ** 30)
    assert (read["kind"], read["frames"]) == ("video", 20)


@pytest.mark.parametrize("zeros", [False, True])
def test_a_motion_jpeg_avi_cut_in_its_header_is_refused_in_one_line(tmp_path, capfd, zeros):
    """demo.py on a Motion JPEG AVI cut inside its header (a download cut off early, with or without zeros after the
    cut) printed OpenCV's own line, "Unexpected element. Expected: LIST. Got: ...", bytes of the file among its words,
    above the error line: its own reader of such AVIs, tried after FFmpeg's, wrote it."""
    from hostile import ffmpeg_video
    from utils.video_io import VideoReader
    whole = open(ffmpeg_video(tmp_path / "whole.avi", "-c:v", "mjpeg", frames=2, size="16x16"), "rb").read()
    (tmp_path / "clip.avi").write_bytes(whole[:3000] + bytes(len(whole) - 3000 if zeros else 0))
    capfd.readouterr()
    with pytest.raises(UserError, match=r"^cannot open video '.*clip.avi': unknown format or corrupt file$"):
        VideoReader(str(tmp_path / "clip.avi"), end_flag="--frames", fewest=5, folder_flag=None)
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("extension", ["png", "apng"])
def test_an_uploaded_animated_png_cut_short_is_called_cut_short(tmp_path, extension):
    """(Found merging the looks.) An animated PNG cut off at 70 % of its bytes: the reader's refusal, a plain UserError
    where a GIF's or an AVI's cut short is a VideoCutShort, was said on the page as "not a video with frames this app
    can decode", where the file is one cut short."""
    from PIL import Image

    from webapp.inputs import upload_input
    path = tmp_path / f"anim.{extension}"
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "green", "blue", "white", "black", "yellow")]
    frames[0].save(path, format="PNG", save_all=True, append_images=frames[1:], duration=100, loop=0)
    path.write_bytes(path.read_bytes()[:path.stat().st_size * 7 // 10])
    with pytest.raises(UserError, match=rf"^video 'anim.{extension}' is an animated PNG cut short \(it ends before its "
                                        r"IEND chunk, .*\): repair it or pass another video$"):
        upload_input(str(path), f"anim.{extension}", "", "", str(tmp_path / "job"), 2 ** 30)


@pytest.mark.parametrize("element, into", [(b"\x1f\x43\xb6\x75", 4), (b"\xa3", 1)], ids=["cluster", "frame"])
def test_a_live_mkv_cut_into_zeros_inside_an_elements_header_is_called_cut_short(tmp_path, element, into):
    """(A look after the twenty-third pass.) A live recording's MKV (`-live 1`, no cues) of 30 frames cut off into
    zeros inside a cluster's or a frame's header (its ID's bytes, then zeros: a length no length begins with) was read
    as the frames before the cut (15 of 30 at byte 12,040), no error, exit code 0: the walk of its elements ended at
    that header, no place of zeros found."""
    from hostile import ffmpeg_video
    from utils.containers import matroska_elements
    from utils.video_io import VideoReader
    path = ffmpeg_video(tmp_path / "whole.mkv", "-c:v", "mjpeg", "-live", "1", frames=30, size="16x16")
    whole = open(path, "rb").read()
    with open(path, "rb") as file:  # the first such element in the file's second half
        cut = next(place for place in matroska_elements(file, len(whole))
                   if place > len(whole) // 2 and whole.startswith(element, place)) + into
    (tmp_path / "clip.mkv").write_bytes(whole[:cut] + bytes(len(whole) - cut))
    with pytest.raises(UserError, match=rf"^video '.*clip.mkv' is a Matroska or WebM video cut short \(it is zeros "
                                        rf"from byte {cut} on, .*\): repair it or pass another video$"):
        VideoReader(str(tmp_path / "clip.mkv"))


@pytest.mark.parametrize("kept", [0.3, 0.55, 0.8, 0.99])
def test_a_live_mkv_cut_off_plainly_is_called_cut_short_and_a_whole_one_is_read(tmp_path, kept):
    """(A look after the twenty-third pass.) A live recording's MKV (`-live 1`: its Segment's length not known, no cues,
    no duration, no frame count) of 30 frames cut off plainly (a download or a recording stopped) was read as the frames
    before the cut, 604 of 627 cuts (every 37th byte), no error, exit code 0: the element it ends inside runs past the
    file's end, which is now read. A whole one reads its 30 frames."""
    from hostile import ffmpeg_video
    from utils.video_io import VideoReader
    path = ffmpeg_video(tmp_path / "whole.mkv", "-c:v", "mjpeg", "-live", "1", frames=30, size="16x16")
    whole = open(path, "rb").read()
    assert VideoReader(path).frame_count == 30
    (tmp_path / "clip.mkv").write_bytes(whole[:int(len(whole) * kept)])
    with pytest.raises(UserError, match=r"^video '.*clip.mkv' is a Matroska or WebM video cut short \(its element at "
                                        r"byte \d+ runs \d+ bytes past the file's end, .*\): repair it or pass another "
                                        r"video$"):
        VideoReader(str(tmp_path / "clip.mkv"))


# After the twenty-third pass: CI's failure on the page

def test_the_page_shows_a_job_done_only_with_its_results_once_the_run_has_ended(tmp_path):
    """CI's run of 098da70 failed test_the_input_that_runs_is_the_last_one_chosen: the status said "done" and the Run
    pressed next was never answered. The Run event's loop read the job's state while the job ended: a state of "done"
    before its end was marked (the model's copy being deleted) showed "done" in a yield of no results, and the event
    went on half a second more; Gradio's page drops a click on a button whose event is pending. A job ending between
    two looks of the loop (here, held between the two marks) is now shown once, with its results, as the event ends."""
    import threading
    import types

    from webapp.ui import build

    class Queue:
        keep_seconds, changed = 60, threading.Condition()

        def __init__(self):
            self.job = types.SimpleNamespace(id="a1", state="running", phase="super-resolving", counting_since=None,
                                             finished=threading.Event(), started=0.0, ended=None, total_frames=5,
                                             outputs=lambda: {"video": "sr.mp4"})
            self.job.progress = lambda: f"{self.job.phase}..."

        def submit(self, make_spec):
            return self.job

        def ahead(self, job):
            return 0

    queue = Queue()
    page = build(queue, str(tmp_path), 10, 100)
    start_job = next(function.fn for function in page.fns.values() if function.name == "start_job")
    run = start_job(None, "clip", "model", "", "", "", "cpu", "fp32", None, types.SimpleNamespace(session_hash="tab"))
    shown = [next(run)]
    assert shown[0][0] == "Job a1: super-resolving..."
    queue.job.state, queue.job.ended = "done", 1.0  # done, its end not yet marked
    threading.Timer(0.6, queue.job.finished.set).start()
    shown += list(run)
    assert [status.split(",")[0] for status, *_ in shown] == ["Job a1: super-resolving...", "Job a1: done"]
    assert shown[-1][2] == "sr.mp4"


# Twenty-fourth pass, look at demo.py and the web page

class OneTabQueue:
    """A JobQueue's face to the page (webapp.ui.build), its jobs held running until cancelled: what the page's Run
    events show is seen without a generate.py run."""

    def __init__(self):
        import threading
        self.keep_seconds, self.changed, self.jobs, self.discarded = 60, threading.Condition(), {}, []

    def submit(self, make_spec):
        import threading
        import types
        job_id = f"j{len(self.jobs) + 1}"
        job = types.SimpleNamespace(id=job_id, state="running", phase="super-resolving", counting_since=None,
                                    finished=threading.Event(), started=0.0, ended=None, total_frames=5)
        job.progress = lambda: f"{job.phase}..."
        make_spec(job_id)  # job_spec: refused (UserError) as the page's checks refuse
        self.jobs[job_id] = job
        return job

    def cancel(self, job_id):
        job = self.jobs[job_id]
        if job.state != "running":
            return False
        job.state, job.ended = "cancelled", 1.0
        job.finished.set()
        return True

    def discard(self, job_id):
        self.discarded.append(job_id)
        self.cancel(job_id)

    def ahead(self, job):
        return 0

    def get(self, job_id):
        return self.jobs[job_id]


@pytest.mark.parametrize("second_refused", [False, True], ids=["queued", "refused"])
def test_run_pressed_while_the_tab_s_job_runs_replaces_it_and_the_page_takes_the_click(tmp_path, monkeypatch,
                                                                                       second_refused):
    """Gradio's default trigger_mode ("once") drops a click on a button whose event is pending: a Run pressed while
    the tab's job ran or waited did nothing, without a word, where docs/app.md says Run again replaces the tab's job.
    The page now takes it; the job is stopped and the earlier Run's event shows nothing more, whether the new Run
    queues a job or is refused: its end yields outputs left unchanged (Gradio's page shows the outputs an event yielded
    last as it ends, and a Run refused while the job ran showed "Cannot run", then the replaced job's progress)."""
    import types

    import webapp.ui
    from webapp.ui import UNCHANGED, build

    monkeypatch.setattr(webapp.ui, "POLL_SECONDS", 0)
    queue = OneTabQueue()
    spec = ([UserError("nothing to run: upload a video or a zip of frames, or choose a sample clip")]
            if second_refused else [])

    def job_spec(folder, *args):
        if folder == "j2" and spec:
            raise spec[0]
    monkeypatch.setattr(webapp.ui, "job_spec", job_spec)
    page = build(queue, str(tmp_path), 10, 100)
    run_click = next(function for function in page.fns.values() if function.name == "start_job")
    assert run_click.trigger_mode == "multiple"
    tab = types.SimpleNamespace(session_hash="tab")
    settings = (None, "clip", "model", "", "", "", "auto", "fp32")
    first = run_click.fn(*settings, None, tab)
    assert next(first)[:2] == ("Job j1: super-resolving...", "j1")
    second = run_click.fn(*settings, "j1", tab)
    shown = next(second)
    assert queue.jobs["j1"].state == "cancelled" and "j1" in queue.discarded
    assert list(first) == [UNCHANGED]  # the first Run's event ends showing nothing
    assert all(output == {"__type__": "update"} for output in UNCHANGED)  # gr.skip(): no change
    if second_refused:
        assert shown[0].startswith("**Cannot run:** nothing to run") and list(second) == []
    else:
        assert shown[:2] == ("Job j2: super-resolving...", "j2") and queue.jobs["j2"].state == "running"
        second.close()


@pytest.mark.parametrize("frames, picture, refused", [(["clip2_a.png", "clip2_b.png"], "clip2_c.webp", True),
                                                      (["clip2_b.png", "clip2_c.png"], "clip2_a.tif", True),
                                                      (["clip2_a.png"], "clip2_b (1).webp", True),
                                                      (["clip2_a.png", "clip2_b.png"], "clip2_d.webp", False),
                                                      (["clip2_a.png", "clip2_b.png"], "clip2_a.webp", False)])
def test_a_zips_picture_a_letter_past_the_ends_of_frames_ordered_by_name_is_named_not_left_out(tmp_path, frames,
                                                                                                picture, refused):
    """Frames whose names hold one number alike are ordered by name, as their gaps are: 'clip2_c.webp' after
    'clip2_a.png', 'clip2_b.png' (a frame exported otherwise) was left out without a word, the job's video a frame
    short, "done". One two letters past, or of a frame's own name (the picture a frame was converted from), is none."""
    listed = frames_beside_a_picture(tmp_path, frames, picture, "lettered" if refused else None)
    assert refused or listed == frames


def test_a_video_named_zip_with_an_empty_zip_s_end_record_appended_is_read_as_the_video(tmp_path):
    """A video named 'clip.zip' whose last bytes are a zip's end record listing no member (appended by hand, or a
    polyglot's) was read as a zip: "'clip.zip' holds no frames ...; upload a video as it is, not zipped", which it
    was."""
    import struct

    from hostile import ffmpeg_video
    from webapp.inputs import upload_input
    clip = ffmpeg_video(tmp_path / "clip.mp4", frames=3, size="16x16")
    (tmp_path / "clip.zip").write_bytes(open(clip, "rb").read() + struct.pack("<4s4H2LH", b"PK\5\6", 0, 0, 0, 0, 0,
                                                                                   0, 0))
    read = upload_input(str(tmp_path / "clip.zip"), "clip.zip", "", "", str(tmp_path / "job"), 2 ** 30)
    assert (read["kind"], read["frames"]) == ("video", 3)


@pytest.mark.parametrize("frames, unfinished", [(["0001.png", "0002.png"], "0003.png.crdownload"),
                                                (["0002.png", "0003.png"], "0001.jpg.part"),
                                                (["0001.png"], "0002.png~"),
                                                (["clip2_a.png", "clip2_b.png"], "clip2_c.png.bak")])
def test_a_zips_download_not_finished_next_to_its_first_or_last_frame_is_named_not_left_out(tmp_path, frames,
                                                                                            unfinished):
    """A frame still downloading ('0003.png.crdownload' after '0001.png', '0002.png'), or a backup left of it, was
    refused in a gap and left out without a word next to the first or last frame: the job's video a frame short,
    "done", as a picture of another format there was (the twenty-third pass)."""
    from utils.frame_names import list_frames
    for name in frames + [unfinished]:
        (tmp_path / name).write_bytes(b"")
    with pytest.raises(UserError, match=rf"^'.*{re.escape(unfinished)}' is a picture's download not finished, or its "
                                        r"backup, next to the first or last frame of its sequence where no frame of "
                                        "its name is, so the clip would be read without it: finish the download"):
        list_frames(str(tmp_path), ends=True)
    assert len(list_frames(str(tmp_path))) == len(frames)  # generate.py's folder: its ends are the user's to choose


def test_an_uploaded_mp4_cut_into_zeros_is_called_cut_short_at_once_and_a_raw_black_mov_padded_is_read(tmp_path):
    """An H.264 MP4 (faststart) cut off into zeros of its full length passed the upload's check (its first frame
    decodes) and failed at its job's turn, after every job ahead of it, with "ended after N of the 10 frames": its
    sample tables now place a frame in the zeros, as an AVI's chunks and an MKV's elements did. A raw video's frame may
    begin with zeros (black rows): a whole one of black frames, padded with zeros, is no cut."""
    from hostile import ffmpeg_video
    from utils.video_probe import cut_into_zeros
    from webapp.inputs import upload_input
    data = open(ffmpeg_video(tmp_path / "a.mp4", "-c:v", "libx264", "-movflags", "+faststart", frames=10,
                             size="16x16"), "rb").read()
    kept = len(data) * 6 // 10
    (tmp_path / "cut.mp4").write_bytes(data[:kept] + bytes(len(data) - kept))
    with pytest.raises(UserError, match=r"^video 'cut\.mp4' is an MP4 or MOV video cut short \(it is zeros from byte "
                                        r"\d+ on, where its data goes on, .*\): repair it or pass another video$"):
        upload_input(str(tmp_path / "cut.mp4"), "cut.mp4", "", "", str(tmp_path / "job"), 2 ** 30)
    black = ffmpeg_video(tmp_path / "black.mov", "-vf", "drawbox=c=black:t=fill", "-c:v", "rawvideo", "-pix_fmt",
                         "rgb24", "-movflags", "+faststart", frames=2, size="16x16")
    with open(black, "ab") as file:
        file.write(bytes(64))
    assert cut_into_zeros(black) is None


# Twenty-fourth pass, second look at the twenty-fourth pass's demo and page fixes

@pytest.mark.parametrize("frames, picture", [(["a1.png", "b1.png"], "c1.webp"), (["b1.png", "c1.png"], "a1.tif"),
                                             (["x_a1.png", "x_b1.png", "x_c1.png"], "x_d1.webp")])
def test_a_zips_picture_a_letter_past_the_ends_is_named_wherever_the_letter_counting_the_frames_is(tmp_path, frames,
                                                                                                  picture):
    """Frames of one number are ordered by name, and the pictures a letter past the first and last were refused only
    where the letter ends the name ('clip2_c'): 'c1.webp' after 'a1.png', 'b1.png' was left out without a word, the
    job's video a frame short, "done". The letter is the one the frames' names differ in; the refusal says "lettered"
    (it said "numbered next to", of a picture whose number is the frames')."""
    from utils.frame_names import list_frames
    for name in frames + [picture]:
        (tmp_path / name).write_bytes(b"")
    with pytest.raises(UserError, match=rf"^'.*{re.escape(picture)}' is a picture lettered next to the first or last "
                                        "frame of its sequence"):
        list_frames(str(tmp_path), ends=True)


# Twenty-fifth pass, look at demo.py and the web page

TRUNCATED = "announces: it is truncated or damaged"


@pytest.mark.parametrize("extension, options, kept, shown", [
    ("mkv", ["-c:v", "mjpeg"], 0.6, TRUNCATED), ("mp4", ["-c:v", "mjpeg", "-movflags", "+faststart"], 0.6, TRUNCATED),
    ("flv", ["-c:v", "flv"], 0.6, TRUNCATED),
    ("avi", ["-c:v", "mjpeg"], 0.7, "announces, the file shorter than its container says: it is truncated")],
                         ids=["mkv", "mp4", "flv", "avi"])
def test_an_uploaded_video_cut_off_plainly_is_refused_at_once_and_its_part_before_the_cut_is_read(tmp_path, extension,
                                                                                                   options, kept,
                                                                                                   shown):
    """An MKV, WebM, MP4, MOV or FLV of a recorded length cut off plainly (no zeros after it) passed the upload's check
    (its first frame decodes) and failed at its job's turn, after every job ahead of it, with the reader's "ended after
    N": the file shorter than its container says, the part chosen is now decoded at upload. A Motion JPEG AVI cut so,
    read to the cut without a word (a shorter clip, "done"), is refused too. Its part before the cut (End) is read."""
    from hostile import ffmpeg_video
    from webapp.inputs import upload_input
    whole = ffmpeg_video(tmp_path / f"whole.{extension}", *options, frames=10, size="16x16")
    assert upload_input(whole, "whole", "", "", str(tmp_path / "job0"), 2 ** 30)["frames"] == 10
    data = open(whole, "rb").read()
    (tmp_path / f"cut.{extension}").write_bytes(data[:int(len(data) * kept)])
    with pytest.raises(UserError, match=rf"^video 'cut\.{extension}' ended after \d of the 10 frames it {shown}; "
                                        r"repair it \(or (pass|set) End (to )?\d to use what is there\)$"):
        upload_input(str(tmp_path / f"cut.{extension}"), f"cut.{extension}", "", "", str(tmp_path / "job"), 2 ** 30)
    read = upload_input(str(tmp_path / f"cut.{extension}"), f"cut.{extension}", "1", "3", str(tmp_path / "job2"),
                        2 ** 30)
    assert read["frames"] == 2


# Twenty-fifth pass, second look at the twenty-fifth pass's demo and page fixes

def flv_without_filesize(data):
    """An FLV's bytes (FFmpeg's, its onMetaData recording its duration and filesize) with its filesize 0, its duration
    kept (as a writer that cannot seek back to the file's start leaves the filesize)."""
    import struct
    at = data.index(b"\x00\x08filesize\x00") + 11
    return data[:at] + struct.pack(">d", 0.0) + data[at + 8:]


@pytest.mark.parametrize("made", ["mp4 mdat of length 0", "flv without filesize"])
def test_an_uploaded_video_of_no_recorded_length_cut_off_plainly_is_refused_at_once(tmp_path, made):
    """An MP4 whose mdat box has length 0 (to the file's end: a writer that cannot seek back) and an FLV whose filesize
    is 0 (its duration recorded), cut off plainly at 70 %, passed the upload's check (no length ran past the file's end)
    and failed at the job's turn with "ended after 5 of the 10 frames"; the part chosen is now decoded at upload."""
    import struct
    from hostile import ffmpeg_video
    from webapp.inputs import upload_input
    extension = made[:3]
    options = ["-c:v", "mjpeg", "-movflags", "+faststart"] if extension == "mp4" else ["-c:v", "flv"]
    data = open(ffmpeg_video(tmp_path / f"made.{extension}", *options, frames=10, size="16x16"), "rb").read()
    if extension == "mp4":  # its last box, mdat, of length 0
        data = data[:data.rindex(b"mdat") - 4] + struct.pack(">I", 0) + data[data.rindex(b"mdat"):]
    else:
        data = flv_without_filesize(data)
    (tmp_path / f"whole.{extension}").write_bytes(data)
    assert upload_input(str(tmp_path / f"whole.{extension}"), "whole", "", "", str(tmp_path / "j0"), 2 ** 30)[
        "frames"] == 10
    (tmp_path / f"cut.{extension}").write_bytes(data[:len(data) * 7 // 10])
    with pytest.raises(UserError, match=rf"^video 'cut\.{extension}' ended after \d of the 10 frames it announces"):
        upload_input(str(tmp_path / f"cut.{extension}"), f"cut.{extension}", "", "", str(tmp_path / "j1"), 2 ** 30)


@pytest.mark.parametrize("layout, cut", [("opendml", False), ("opendml", True), ("flv", False), ("flv", True),
                                         ("flv garbage after", False)])
def test_an_opendml_avi_or_an_flv_of_no_filesize_is_told_cut_by_its_lists_or_tags(tmp_path, layout, cut):
    """An AVI over 1 GB (OpenDML: a RIFF 'AVIX' list after the first) cut in its AVIX list was read by the upload's
    check and its job as 1,193 of its 1,250 frames, "done": only the first RIFF list's length was read. An FLV whose
    onMetaData records no filesize (0, or none) is told cut where its last tag runs past the file's end."""
    import struct
    from utils.containers import shorter_than_its_container
    if layout == "opendml":
        movi = b"LIST" + struct.pack("<I", 16) + b"movi" + b"00dc" + struct.pack("<I", 3) + b"abc\0"
        first = b"RIFF" + struct.pack("<I", 4 + len(movi)) + b"AVI " + movi
        data = first + b"RIFF" + struct.pack("<I", 4 + len(movi)) + b"AVIX" + movi
    else:
        tag = bytes([9]) + (6).to_bytes(3, "big") + bytes(7) + b"frame!" + struct.pack(">I", 17)
        data = b"FLV\x01\x01" + struct.pack(">I", 9) + bytes(4) + tag * 3
        data += b"garbage" * 3 if "garbage" in layout else b""
    (tmp_path / "video").write_bytes(data[:-10] if cut else data)
    assert shorter_than_its_container(str(tmp_path / "video")) is cut


def test_an_uploaded_mp4_cut_off_before_its_index_is_called_truncated_not_no_video(tmp_path):
    """An MP4 written with its index (moov) last, cut off plainly, cannot be opened: it was "not a video with frames
    this app can decode; upload a video file (mp4, mov, mkv, avi, webm)", of an MP4; it is said to be truncated."""
    from hostile import ffmpeg_video
    from webapp.inputs import upload_input
    data = open(ffmpeg_video(tmp_path / "whole.mp4", "-c:v", "mjpeg", frames=10, size="16x16"), "rb").read()
    (tmp_path / "cut.mp4").write_bytes(data[:len(data) // 2])
    with pytest.raises(UserError, match=r"^'cut\.mp4' is shorter than its container says and cannot be opened \(a "
                                        r"download or copy cut off, its index lost\): it is truncated; upload the "
                                        r"whole file$"):
        upload_input(str(tmp_path / "cut.mp4"), "cut.mp4", "", "", str(tmp_path / "job"), 2 ** 30)


def test_an_uploaded_flv_that_records_no_length_cut_off_plainly_is_refused_and_its_part_before_the_cut_read(tmp_path):
    """An FLV whose onMetaData records no length (duration and filesize 0, as FFmpeg writes one to a pipe) cut off
    plainly at 60 % was read by the upload's check and its job as the frames before the cut, "done": the count announced
    is FFmpeg's estimate of the cut file itself. Its last tag runs past the file's end: refused, End before it read."""
    import struct
    from hostile import ffmpeg_video
    from webapp.inputs import upload_input
    data = flv_without_filesize(open(ffmpeg_video(tmp_path / "made.flv", "-c:v", "flv", frames=10, size="16x16"),
                                     "rb").read())
    at = data.index(b"\x00\x08duration\x00") + 11
    (tmp_path / "cut.flv").write_bytes((data[:at] + struct.pack(">d", 0.0) + data[at + 8:])[:len(data) * 6 // 10])
    with pytest.raises(UserError, match=r"^video 'cut\.flv' ended after \d frames, the file shorter than its container "
                                        r"says: it is truncated; repair it \(or set End to (\d) to use what is there\)$"
                       ) as refused:
        upload_input(str(tmp_path / "cut.flv"), "cut.flv", "", "", str(tmp_path / "j1"), 2 ** 30)
    advised = re.search(r"set End to (\d)", str(refused.value))[1]
    taken = upload_input(str(tmp_path / "cut.flv"), "cut.flv", "", advised, str(tmp_path / "j2"), 2 ** 30)
    assert taken["frames"] == int(advised)


# Twenty-fifth pass, third look at the twenty-fifth pass's demo and page fixes

def test_the_page_s_advice_sets_its_fields_rather_than_passing_flags():
    """The reader's "(or pass --end 13 to use what is there)" read "(or pass End 13 ...)" on the page, and "leave --end
    out" "leave End out": a field is set, or left empty; a quoted name holding those words is kept as given."""
    from webapp.inputs import page_terms
    assert page_terms("video 'take pass --end 3.mkv' ended after 13 frames: it is truncated; repair it (or pass --end "
                      "13 to use what is there)") == ("video 'take pass --end 3.mkv' ended after 13 frames: it is "
                                                     "truncated; repair it (or set End to 13 to use what is there)")
    assert page_terms("--end 40 is past the end of 'x' (13 frames, 1.30 s); choose an earlier end or leave --end out"
                      ) == "End 40 is past the end of 'x' (13 frames, 1.30 s); choose an earlier end or leave End empty"


def cut_upload(tmp_path, data, cut, extension, end="", stopped=None):
    """upload_input of data[:cut] as 'cut.<extension>' with End end, and the frames of its decode at upload (its calls
    of stopped)."""
    from webapp.inputs import upload_input
    (tmp_path / f"cut.{extension}").write_bytes(data[:cut])
    decoded = []
    read = upload_input(str(tmp_path / f"cut.{extension}"), f"cut.{extension}", "", end, str(tmp_path / f"job{end}"),
                        2 ** 30, stopped or (lambda: decoded.append(1) and False))
    return read, len(decoded)


@pytest.mark.parametrize("made", ["ts", "fragmented mp4"])
def test_an_uploaded_ts_or_fragmented_mp4_cut_off_plainly_is_refused_and_the_advised_end_read_right(tmp_path, made):
    """An MPEG-TS cut off plainly (inside a packet) and a fragmented Motion JPEG MP4 (`frag_keyframe`) cut inside a
    fragment were read by the upload and their job as the frames before the cut, "done" (the TS's count the cut file's
    estimate, the MP4's its fragments'), the MP4's last frame the one the cut falls in, decoded wrong (up to 255 of
    255). Both are refused; the End advised reads frames equal to the whole file's. A whole one is not read at upload
    (its frames are grabbed: read_at_upload)."""
    import numpy as np
    from hostile import ffmpeg_video
    from utils.video_io import VideoReader
    extension = made.split()[-1]
    options = ["-c:v", "mpeg2video"] if made == "ts" else ["-c:v", "mjpeg", "-movflags", "frag_keyframe+empty_moov"]
    whole = ffmpeg_video(tmp_path / f"whole.{extension}", *options, frames=10, size="16x16")
    data = open(whole, "rb").read()
    assert cut_upload(tmp_path, data, len(data), extension)[1] == 9  # whole: its frames grabbed at upload, not read
    cut = len(data) * 6 // 10 + (5 if made == "ts" and len(data) * 6 // 10 % 188 == 0 else 0)
    if made != "ts":  # inside the mdat of a fragment, near its end
        cut = data.index(b"moof", data.index(b"mdat", data.index(b"moof", cut))) - 14
    with pytest.raises(UserError, match=rf"^video 'cut\.{extension}' ended after \d+ (of the \d+ )?frames.*(, the "
                                        r"file shorter than its container says|: it is truncated or damaged).*; repair "
                                        r"it \(or set End to (\d+) to use what is there\)$") as refused:
        cut_upload(tmp_path, data, cut, extension)
    advised = re.search(r"set End to (\d+)", str(refused.value))[1]
    read, decoded = cut_upload(tmp_path, data, cut, extension, advised)
    # its End checked by decoding up to it (the tab asked at each frame), its frames not read again: no more
    assert read["frames"] == int(advised) and decoded == int(advised)
    reader = VideoReader(read["path"])
    reader.select(None, advised)
    assert all(np.array_equal(part, first) for part, first in zip(reader, VideoReader(whole)))


def test_a_fragmented_h264_mp4_cut_of_which_opencv_decodes_no_frame_is_called_truncated_not_of_a_lacking_codec(
        tmp_path):
    """A fragmented H.264 MP4 cut off plainly in its second fragment, of which FFmpeg decodes a frame and OpenCV none,
    was "has no frame OpenCV can decode (its codec, such as AV1, may be one OpenCV lacks); convert it to H.264
    first"."""
    from hostile import ffmpeg_video
    from utils.video_probe import undecodable_codec
    data = open(ffmpeg_video(tmp_path / "whole.mp4", "-c:v", "libx264", "-g", "5", "-movflags",
                             "frag_keyframe+empty_moov", frames=10, size="16x16"), "rb").read()
    (tmp_path / "cut.mp4").write_bytes(data[:data.rindex(b"mdat") + 20])
    assert str(undecodable_codec(str(tmp_path / "cut.mp4"))) == (
        f"video '{tmp_path / 'cut.mp4'}' is shorter than its container says, and OpenCV decodes no frame of it (a "
        "download or copy cut off): it is truncated; repair it or pass another video")


def test_an_upload_s_decode_stops_at_its_tab_s_cancel(tmp_path):
    """The decode at upload of a video cut off plainly (40 s of CPU for a minute of 1080p) went on after its tab's
    Cancel, and after a later Run, beside that Run's own: it stops at the next frame."""
    from hostile import ffmpeg_video
    from webapp.inputs import SetUpStopped
    data = open(ffmpeg_video(tmp_path / "whole.avi", "-c:v", "mjpeg", frames=10, size="16x16"), "rb").read()
    asked = []
    with pytest.raises(SetUpStopped):
        cut_upload(tmp_path, data, len(data) * 9 // 10, "avi", stopped=lambda: asked.append(1) or len(asked) == 2)
    assert len(asked) == 2  # at the second frame (the queue's submit removes the job's folder)


@pytest.mark.parametrize("stop", ["cancel", "run again"])
def test_cancel_or_a_later_run_stops_a_run_setting_its_job_up(tmp_path, monkeypatch, stop):
    """The page's Run of an upload decoded at set-up held on through a Cancel (only a job already queued was stopped)
    and a later Run: the set-up is now asked to stop. A Cancel shows it, a later Run its own job."""
    import threading
    import types

    import webapp.ui
    from webapp.inputs import SetUpStopped
    from webapp.ui import UNCHANGED, build

    monkeypatch.setattr(webapp.ui, "POLL_SECONDS", 0)
    queue, entered = OneTabQueue(), threading.Event()

    def job_spec(folder, *args):
        if not entered.is_set():  # the first Run's set-up: a decode that runs until it is stopped
            entered.set()
            while not args[-1]():
                entered.wait(0.01)
            raise SetUpStopped()
    monkeypatch.setattr(webapp.ui, "job_spec", job_spec)
    page = build(queue, str(tmp_path), 10, 100)
    events = {function.name: function.fn for function in page.fns.values()}
    tab, settings = types.SimpleNamespace(session_hash="tab"), (None, "clip", "model", "", "", "", "auto", "fp32")
    first, shown = events["start_job"](*settings, None, tab), []
    setting_up = threading.Thread(target=lambda: shown.extend(first))
    setting_up.start()
    assert entered.wait(60)
    if stop == "cancel":
        events["stop_job"](None, tab)
    else:
        assert next(events["start_job"](*settings, None, tab))[0] == "Job j1: super-resolving..."  # the queue's first
    setting_up.join(60)
    assert not setting_up.is_alive()
    assert shown == ([("Cancelled before its job was queued; nothing was kept.", None, None, None, None, "")]
                     if stop == "cancel" else [UNCHANGED])


# Twenty-sixth pass, look at demo.py and the web page

def fragment_index_alone(data):
    """A fragmented MP4's bytes cut after the index (moof) of a fragment in its second half, before that fragment's
    frames (its mdat)."""
    moof = data.index(b"moof", len(data) // 2) - 4
    return data[:data.index(b"mdat", moof) - 4]


@pytest.mark.parametrize("extension, options, spoilt", [
    ("flv", ["-c:v", "flv"], lambda data: data[:len(data) * 6 // 10] + bytes(len(data) - len(data) * 6 // 10)),
    ("mp4", ["-c:v", "libx264"], lambda data: data[:len(data) // 2] + b"\xaa" * 64 + data[len(data) // 2 + 64:]),
    ("ts", ["-c:v", "libx264"], lambda data: data[:-24] + bytes(24)),
    ("mp4", ["-c:v", "mjpeg", "-movflags", "frag_keyframe+empty_moov"], fragment_index_alone)],
                         ids=["flv cut into zeros", "mp4 damaged", "ts cut into zeros", "fragment's index alone"])
def test_an_uploaded_video_its_job_refuses_after_reading_is_refused_at_upload_with_the_job_s_line(tmp_path, extension,
                                                                                                 options, spoilt):
    """An FLV cut off into zeros of its full length, an H.264 MP4 (its index last) damaged in its frames, an MPEG-TS
    whose last packet is zeros, and a fragmented MP4 cut between a fragment's index and its frames: none is shorter than
    its container says, so the upload's check decoded their first frame alone and passed them, and their job failed at
    its turn, after every job ahead of it: "ended after 2 of the 10 frames it announces: it is truncated or damaged".
    The frames OpenCV grabs of the part are now counted at upload, and a part that ends early is read as its job reads
    it: refused at once with the job's line in the page's terms, the End it advises read."""
    from hostile import ffmpeg_video
    from utils.video_io import VideoReader
    from webapp.inputs import page_terms, upload_input
    data = spoilt(open(ffmpeg_video(tmp_path / f"whole.{extension}", *options, frames=10, size="16x16"), "rb").read())
    upload = tmp_path / f"clip.{extension}"
    upload.write_bytes(data)
    with pytest.raises(UserError) as job:
        list(VideoReader(str(upload)))
    with pytest.raises(UserError) as page:
        upload_input(str(upload), upload.name, "", "", str(tmp_path / "job"), 2 ** 30)
    assert str(page.value) == page_terms(str(job.value)).replace(str(upload), upload.name)
    advised = re.search(r"set End to (\d+) to use what is there\)$", str(page.value))[1]
    assert upload_input(str(upload), upload.name, "", advised, str(tmp_path / "job2"), 2 ** 30)["frames"] == int(
        advised)


def test_an_uploaded_fragmented_mp4_indexed_by_its_first_fragment_gets_the_job_s_remux_not_not_a_video(tmp_path):
    """A fragmented MP4 whose index holds its first fragment alone (`-movflags frag_keyframe`, a recording's), which
    its job refuses with the remux that reads it, was "'clip.mp4' is not a video with frames this app can decode; upload
    a video file (mp4, mov, mkv, avi, webm) or a zip of frames", of an MP4: the page now says the job's line."""
    from hostile import ffmpeg_video
    from utils.video_io import VideoReader
    from webapp.inputs import page_terms, upload_input
    path = ffmpeg_video(tmp_path / "clip.mp4", "-c:v", "libx264", "-g", "5", "-movflags", "frag_keyframe", frames=20,
                        size="16x16")
    with pytest.raises(UserError) as job:
        VideoReader(path)
    with pytest.raises(UserError, match=r"^video 'clip\.mp4' is a fragmented MP4 of which OpenCV reads only the first "
                                        r"\d+ of its 20 frames .*; save it unfragmented \(e\.g\. ffmpeg -i IN -c copy "
                                        r"OUT\.mp4\) and pass that$") as page:
        upload_input(path, "clip.mp4", "", "", str(tmp_path / "job"), 2 ** 30)
    assert str(page.value) == page_terms(str(job.value)).replace(path, "clip.mp4")


# Twenty-sixth pass, second look at the twenty-sixth pass's demo and page fixes

def damaged_apng(folder):
    """An animated PNG of 12 frames of 32x24 whose bytes at 15 % are overwritten by 32 others: OpenCV opens none of
    it, FFmpeg decodes 11 of its frames; the path."""
    from hostile import ffmpeg_video
    path = ffmpeg_video(folder / "clip.apng", "-plays", "0", frames=12, size="32x24")
    data = open(path, "rb").read()
    at = len(data) * 15 // 100
    with open(path, "wb") as file:
        file.write(data[:at] + b"\x55" * 32 + data[at + 32:])
    return path


@pytest.mark.parametrize("made", ["damaged_apng", "animated_webp", "video_after_its_cover"])
def test_an_upload_refused_as_it_opens_where_ffmpeg_decodes_a_frame_gets_the_job_s_line_not_not_a_video(tmp_path,
                                                                                                      made):
    """A damaged animated PNG and an animated WebP, which their job refuses with the conversion that reads them
    ("convert it to H.264 first"), and an MP4 whose cover picture comes before its video ("save the file without it
    (e.g. ffmpeg -i IN -map 0 -map -0:v:0 ...)") were "'clip.apng' is not a video with frames this app can decode;
    upload a video file (mp4, ...)": the page's one line for every refusal as a video opens hid what to do of a video
    FFmpeg decodes. The page now says the job's line there (a fragmented MP4's remux too), "not a video" kept for a
    picture and a file of no frame."""
    import hostile
    from utils.video_io import VideoReader
    from webapp.inputs import page_terms, upload_input
    path = {"damaged_apng": lambda: damaged_apng(tmp_path),
            "animated_webp": lambda: hostile.ffmpeg_video(tmp_path / "clip.webp", "-loop", "0", frames=6, size="32x24"),
            "video_after_its_cover": lambda: hostile.video_after_its_cover(tmp_path)}[made]()
    name = os.path.basename(path)
    with pytest.raises(UserError) as job:
        VideoReader(path)
    with pytest.raises(UserError) as page:
        upload_input(path, name, "", "", str(tmp_path / "job"), 2 ** 30)
    assert str(page.value) == page_terms(str(job.value)).replace(path, name)
    assert "not a video" not in str(page.value)


# Twenty-seventh pass, look at demo.py and the web page

@pytest.mark.parametrize("extension, options", [("h264", ["-c:v", "libx264"]),
                                                ("mkv", ["-c:v", "libx264", "-live", "1"])],
                         ids=["raw h264", "live mkv"])
@pytest.mark.parametrize("end", ["", "5"])
def test_an_upload_that_announces_no_frame_count_is_counted_once(tmp_path, extension, options, end):
    """A video that announces no frame count (a raw H.264 stream, a live MKV) has its frames counted as it opens: the
    page opened it twice (a reader for its first frame, another for the part), and counted its 12 frames twice, the
    tab's stop asked 24 times. One reader now serves: its frames are counted once, the stop asked at each."""
    from hostile import ffmpeg_video
    from webapp.inputs import upload_input
    path = ffmpeg_video(tmp_path / f"clip.{extension}", *options, frames=12, size="32x24")
    asks = []
    source = upload_input(path, os.path.basename(path), "", end, str(tmp_path / "job"), 2 ** 30,
                          stopped=lambda: asks.append(1) and False)
    assert (source["frames"], len(asks)) == (int(end or 12), 12)


@pytest.mark.parametrize("extension, options", [("ogv", ["-c:v", "libtheora"]), ("mkv", ["-c:v", "libx264"])],
                         ids=["theora ogv", "h264 mkv"])
def test_an_upload_damaged_so_that_nothing_decodes_a_frame_gets_the_job_s_repair_not_not_a_video(tmp_path, extension,
                                                                                              options):
    """A Theora OGV or an H.264 MKV damaged near its start, whose video FFmpeg lists and decodes no frame of, was
    "'clip.ogv' is not a video with frames this app can decode; upload a video file (mp4, mov, mkv, avi, webm) or a zip
    of frames", of a video of those kinds, where its job says it is damaged: "has no frame OpenCV can decode, though it
    decodes its codec (theora): it is damaged or cut short; repair it or pass another video". The page says the job's
    line."""
    from hostile import ffmpeg_video
    from utils.video_io import VideoReader
    from webapp.inputs import page_terms, upload_input
    data = open(ffmpeg_video(tmp_path / f"whole.{extension}", *options, frames=12, size="32x24"), "rb").read()
    upload = tmp_path / f"clip.{extension}"
    at = len(data) * 15 // 100
    upload.write_bytes(data[:at] + b"\xa5" * 16 + data[at + 16:])
    with pytest.raises(UserError, match="it is damaged or cut short; repair it") as job:
        VideoReader(str(upload))
    with pytest.raises(UserError) as page:
        upload_input(str(upload), upload.name, "", "", str(tmp_path / "job"), 2 ** 30)
    assert str(page.value) == page_terms(str(job.value)).replace(str(upload), upload.name)


# Twenty-seventh pass, second look at the twenty-seventh pass's demo and page fixes

@pytest.mark.parametrize("extension, options", [("h264", ["-c:v", "libx264"]), ("mp4", ["-c:v", "libx264"])],
                         ids=["raw h264", "mp4"])
def test_the_jobs_folder_deleted_while_an_upload_is_set_up_is_the_server_s_line(tmp_path, extension, options):
    """The jobs folder deleted while the server runs (a results/ cleaned) during an upload's set-up: a raw H.264
    stream's count went on in its deleted copy, a FileNotFoundError traceback; an MP4 was "cannot write '.../job.json'
    (No such file or directory): ...; restore it (or choose another output) and run again", an output the page has not.
    Either is now the line of the folder deleted, with what to do."""
    import shutil

    from hostile import ffmpeg_video
    from webapp.inputs import upload_input
    from webapp.jobs import JobQueue
    path = ffmpeg_video(tmp_path / f"clip.{extension}", *options, frames=12, size="32x24")
    queue, asks = JobQueue(str(tmp_path / "work"), 60), []

    def stopped():  # the folder deleted at the set-up's third frame
        asks.append(1)
        if len(asks) == 3:
            shutil.rmtree(queue.jobs_folder)
        return False
    with pytest.raises(UserError) as refusal:
        queue.submit(lambda folder: upload_input(path, os.path.basename(path), "", "", folder, 2 ** 30, stopped))
    assert str(refusal.value) == (f"the server's folder '{queue.jobs_folder}' was deleted while its input was set up, "
                                  "with the job's files; stop the server and start it again")


@pytest.mark.parametrize("extension, options", [("mp4", ["-c:v", "libx264"]), ("avi", ["-c:v", "mjpeg"])],
                         ids=["mp4", "avi"])
def test_an_upload_s_frames_to_its_end_are_decoded_once(tmp_path, extension, options):
    """An End within the count a video announces has its frames decoded from the start by the part's check
    (frames_held): the page then grabbed them again, each decoded twice (599 frames for an End of 300, twice the time of
    no End), the tab's stop asked 23 times for an End of 12. Those the check decoded are not decoded again."""
    from hostile import ffmpeg_video
    from webapp.inputs import upload_input
    path = ffmpeg_video(tmp_path / f"clip.{extension}", *options, frames=12, size="32x24")
    asks = []
    source = upload_input(path, os.path.basename(path), "", "12", str(tmp_path / "job"), 2 ** 30,
                          stopped=lambda: asks.append(1) and False)
    assert (source["frames"], len(asks)) == (12, 12)


# Twenty-seventh pass, third look at the twenty-seventh pass's demo and page fixes

@pytest.mark.parametrize("deleted", ["input folder", "copy", "copy made a folder"])
@pytest.mark.parametrize("extension, options", [("h264", ["-c:v", "libx264"]), ("mp4", ["-c:v", "libx264"])],
                         ids=["raw h264", "mp4"])
def test_the_job_s_copy_of_an_upload_deleted_while_it_is_set_up_is_one_line(tmp_path, extension, options, deleted):
    """The job's input/ folder, or the upload's copy in it, deleted while the upload was set up (its jobs and job
    folders there): a raw H.264 stream's count went on in the deleted copy, a FileNotFoundError traceback (a folder put
    in its place: IsADirectoryError); an MP4's job was queued without its input. Either is now the line of the copy
    deleted, with what to do."""
    import shutil

    from hostile import ffmpeg_video
    from webapp.inputs import upload_input
    path = ffmpeg_video(tmp_path / f"clip.{extension}", *options, frames=12, size="32x24")
    folder, asks = tmp_path / "job" / "input", []

    def stopped():  # deleted at the set-up's third frame
        asks.append(1)
        if len(asks) == 3:
            shutil.rmtree(folder) if deleted == "input folder" else os.remove(folder / f"upload.{extension}")
            if deleted == "copy made a folder":
                os.mkdir(folder / f"upload.{extension}")
        return False
    with pytest.raises(UserError) as refusal:
        upload_input(path, os.path.basename(path), "", "", str(folder), 2 ** 30, stopped)
    assert str(refusal.value) == (f"the job's copy of 'clip.{extension}' was deleted while it was set up; press Run "
                                  "again")


def test_a_job_whose_folder_is_deleted_while_it_waits_says_it_waited_not_ran(tmp_path):
    """A job's folder deleted while it waited behind another job failed with "the job's folder was deleted while the
    job ran; press Run again", of a job that had not run. It says it waited to start."""
    import shutil
    import sys

    from utils.paths import BUNDLED_MODEL
    from webapp.jobs import JobQueue
    gate = tmp_path / "gate"

    class WaitingCommands(JobQueue):
        def commands(self, job):  # the first job runs until the gate is opened
            return [("super-resolving", [sys.executable, "-c", "import os, sys, time\n"
                                         "while not os.path.exists(sys.argv[1]): time.sleep(0.02)", str(gate)])]

    queue = WaitingCommands(str(tmp_path / "work"), 60)
    spec = dict(input=dict(kind="frames", path=str(tmp_path), frames=1), model=BUNDLED_MODEL, flags={})
    running, waiting = queue.submit(lambda folder: spec), queue.submit(lambda folder: spec)
    shutil.rmtree(waiting.folder)
    gate.touch()
    assert running.finished.wait(60) and waiting.finished.wait(60) and waiting.state == "failed"
    assert waiting.message == "the job's folder was deleted while the job waited to start; press Run again"


def test_an_end_s_frames_of_a_video_shorter_than_its_container_are_decoded_once(tmp_path):
    """A file shorter than its container says (an AVI cut at 80 %) whose End its check (frames_held) decoded to was
    read to End again at upload, each frame decoded twice, the tab's stop asked 16 times for an End of 8. Those the
    check decoded are not decoded again: no read to End refuses them."""
    from hostile import ffmpeg_video
    from webapp.inputs import upload_input
    data = open(ffmpeg_video(tmp_path / "whole.avi", "-c:v", "mjpeg", frames=12, size="32x24"), "rb").read()
    upload = tmp_path / "clip.avi"
    upload.write_bytes(data[:len(data) * 80 // 100])
    asks = []
    source = upload_input(str(upload), upload.name, "", "8", str(tmp_path / "job"), 2 ** 30,
                          stopped=lambda: asks.append(1) and False)
    assert (source["frames"], len(asks)) == (8, 8)


# Twenty-seventh pass, fourth look at the twenty-seventh pass's demo and page fixes

@pytest.mark.parametrize("extension, options", [("h264", ["-c:v", "libx264"]),
                                                ("mkv", ["-c:v", "libx264", "-live", "1"])], ids=["raw h264", "live mkv"])
def test_a_video_renamed_while_it_is_read_to_its_end_is_one_line(tmp_path, extension, options):
    """A raw H.264 stream or live MKV renamed while VideoReader read it to its end (generate.py --input-video, the
    page's count): its open capture read on, the end's walk of the file by its path was a FileNotFoundError traceback,
    exit code 1. It is the line of the input removed or moved, with what to do."""
    from hostile import ffmpeg_video
    from utils.video_io import VideoReader
    path = ffmpeg_video(tmp_path / f"clip.{extension}", *options, frames=12, size="32x24")
    reader = VideoReader(path)
    with pytest.raises(UserError) as refusal:
        for index, _ in enumerate(reader):
            if index == 2:
                os.rename(path, tmp_path / f"renamed.{extension}")
    assert str(refusal.value) == (f"input video '{path}' was removed or moved while it was read; put it back (or pass "
                                  "it where it is now) and run again")


# Twenty-eighth pass, second look at the twenty-eighth pass's demo and page fixes

@pytest.mark.parametrize("replacement", ["link to a folder", "new folder"])
def test_a_job_s_folder_replaced_while_it_runs_is_the_line_of_the_folder_replaced(tmp_path, replacement):
    """A job's folder replaced while it ran (by a link to another folder, or by a new folder, which may get the deleted
    one's inode) was taken for the job's: the finish step's FileNotFoundError of job.json was shown as "the run stopped
    with exit code 1 (FileNotFoundError: ...); please report it". It is the line of the folder replaced."""
    from helpers import stand_in_queue
    put = "os.symlink(sys.argv[2], sys.argv[1])" if replacement == "link to a folder" else "os.mkdir(sys.argv[1])"
    # the folder replaced, then the finish step's first read of it
    submit = stand_in_queue(tmp_path, f"import os, shutil, sys\nshutil.rmtree(sys.argv[1])\n{put}",
                            "import sys\nopen(sys.argv[1] + '/job.json')")
    job = submit()
    assert job.finished.wait(60) and job.state == "failed"
    assert job.message == "the job's folder was replaced while the job ran; press Run again"


def test_a_job_its_folder_cannot_be_made_for_is_told_the_jobs_folder_is_not_writable(tmp_path, monkeypatch):
    """The jobs folder made read-only while the server ran (a user's chmod; root writes anyway, hence the stand-in): a
    job's folder not made was "the job's folder was deleted while its input was set up; press Run again", and Run
    failed again. It is the line of a folder not writable."""
    import errno

    from webapp.jobs import JobQueue
    queue = JobQueue(str(tmp_path / "work"), 60)

    def refused(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    monkeypatch.setattr(os, "makedirs", refused)
    with pytest.raises(UserError) as refusal:
        queue.submit(lambda folder: {})
    assert re.fullmatch(rf"cannot make '{re.escape(queue.jobs_folder)}/\w+' \(Permission denied\): its folder is not "
                        r"writable \(or no longer\); make it writable, then run again", str(refusal.value))


def test_a_job_s_settings_made_unreadable_while_it_runs_fail_its_finish_step_with_what_to_do(tmp_path, capsys):
    """The job's job.json made unreadable while it ran (a folder in its place here; a chmod 000 as root reads anyway)
    was the finish step's traceback, "the run stopped with exit code 1 (IsADirectoryError: ...); please report it"
    (PermissionError the same). It is one line: the file named, its reason, what to do."""
    from helpers import finish_step_line
    (tmp_path / "job.json").mkdir()
    assert finish_step_line(tmp_path, capsys) == (2, "the job's settings 'job.json' cannot be read (Is a directory); "
                                                     "it was changed while the job ran; press Run again")


@pytest.mark.parametrize("change", ["deleted", "emptied"])
def test_a_job_s_sr_frames_deleted_before_its_finish_step_are_named_as_the_job_s(tmp_path, capsys, change):
    """The job's frames/ (generate.py's SR frames) deleted or emptied before its finish step: "input folder 'frames'
    does not exist; pass a folder of LR frames" (or "has no images ...; pass a folder of LR frames"), of a folder the
    user never passed and advice no field follows. It names the job's folder of SR frames, and what to do."""
    import json

    from helpers import finish_step_line
    (tmp_path / "job.json").write_text(json.dumps(dict(input=dict(kind="frames", path=str(tmp_path)), flags={},
                                                       scale=4, degradation="bd")))
    if change == "emptied":
        (tmp_path / "frames").mkdir()
    what = "does not exist" if change == "deleted" else "has no images (.png, .jpg, .jpeg, .bmp)"
    assert finish_step_line(tmp_path, capsys) == (
        2, f"the job's folder of SR frames 'frames' {what}; it was changed while the job ran; press Run again")


# Twenty-eighth pass, third look at the twenty-eighth pass's demo and page fixes

@pytest.mark.parametrize("text, reason", [("", "not JSON"), ('{"input": {"kind": "fra', "not JSON"),
                                          ("\udcff", "not JSON"), ("[1, 2]", "not a job's settings"),
                                          ("null", "not a job's settings"), ('{"input": "x"}', "not a job's settings")])
def test_a_job_s_settings_changed_to_other_text_while_it_runs_fail_its_finish_step_with_what_to_do(tmp_path, capsys,
                                                                                                   text, reason):
    """The job's job.json emptied, cut short, not UTF-8 or other JSON while it ran: a JSONDecodeError,
    UnicodeDecodeError or TypeError traceback ("the run stopped with exit code 1 (...); please report it"), or, a list,
    "its job.json lacks 'input': the code was updated while the server ran". It is one line: the file, what to do."""
    from helpers import finish_step_line
    (tmp_path / "job.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    assert finish_step_line(tmp_path, capsys) == (2, f"the job's settings 'job.json' cannot be read ({reason}); "
                                                     "it was changed while the job ran; press Run again")


def job_of_frames(folder, lr_count, sr_count):
    """A job's folder as the finish step finds it after generate.py: job.json of an input of lr_count LR frames (16x12)
    in folder/input, sr_count SR frames (64x48) in frames/."""
    import json

    from app_media import png_bytes
    for name, count, width, height in (("input", lr_count, 16, 12), ("frames", sr_count, 64, 48)):
        (folder / name).mkdir()
        for index in range(1, count + 1):
            (folder / name / f"{index:04d}.png").write_bytes(png_bytes(width, height))
    (folder / "job.json").write_text(json.dumps(dict(input=dict(kind="frames", path=str(folder / "input"),
                                                                 frames=lr_count),
                                                     flags={}, scale=4, degradation="bd")))


@pytest.mark.parametrize("lr_count, sr_count", [(1, 3), (3, 7)])
def test_a_job_s_input_cut_short_before_its_finish_step_is_told_it_was_changed(tmp_path, capsys, lr_count, sr_count):
    """The job's input holding fewer frames than its SR frames at its finish step (its copy cut, or SR frames added,
    while it ran): an IndexError traceback (a video's StopIteration), "please report it". It is one line."""
    from helpers import finish_step_line
    job_of_frames(tmp_path, lr_count, sr_count)
    assert finish_step_line(tmp_path, capsys) == (2, "the job's input has fewer frames than its SR frames 'frames'; "
                                                     "it was changed while the job ran; press Run again")


def test_a_job_s_input_deleted_before_its_finish_step_is_named_as_the_job_s(tmp_path, capsys):
    """The job's copy of its input frames deleted before its finish step: "input folder '.../input' does not exist; pass
    a folder of LR frames", of a folder the user never passed and advice no field follows. It is the job's folder."""
    import shutil

    from helpers import finish_step_line
    job_of_frames(tmp_path, 3, 3)
    shutil.rmtree(tmp_path / "input")
    assert finish_step_line(tmp_path, capsys) == (2, "the job's folder of LR frames 'input' does not exist; it was "
                                                     "changed while the job ran; press Run again")


def test_a_job_s_video_copy_deleted_before_its_finish_step_is_named_as_the_job_s(tmp_path, capsys):
    """The job's copy of its video deleted before its finish step: "video file '.../clip.mp4' does not exist", a path
    the user never gave, and no word of what to do. It names the job's copy, and what to do."""
    import json

    from helpers import finish_step_line
    job_of_frames(tmp_path, 3, 3)
    (tmp_path / "job.json").write_text(json.dumps(dict(input=dict(kind="video", path=str(tmp_path / "clip.mp4"),
                                                                  start="", end="", frames=3),
                                                       flags={}, scale=4, degradation="bd")))
    assert finish_step_line(tmp_path, capsys) == (2, "the job's copy of its video 'clip.mp4' does not exist; it was "
                                                     "changed while the job ran; press Run again")


def test_a_job_s_folder_made_a_link_while_it_waits_writes_nothing_into_the_link_s_target(tmp_path):
    """A job's folder replaced by a link to another folder while it waited behind another job: its model, job.json and
    outputs were written into the link's target (another job's folder, or anyone's), and the job was done. It fails
    with the line of the folder replaced, and the target is left as it was."""
    import shutil

    from helpers import stand_in_queue
    go = tmp_path / "go"
    submit = stand_in_queue(tmp_path, f"import os, time\nwhile not os.path.exists({str(go)!r}): time.sleep(0.01)",
                            "import sys\nopen(sys.argv[1] + '/compare.png', 'w')")
    jobs = [submit() for _ in range(2)]
    shutil.rmtree(jobs[1].folder)
    os.symlink(tmp_path / "other", jobs[1].folder)
    go.touch()
    assert jobs[1].finished.wait(60) and jobs[1].state == "failed"
    assert jobs[1].message == "the job's folder was replaced while the job waited to start; press Run again"
    assert os.listdir(tmp_path / "other") == []


def test_a_job_s_folder_made_a_link_to_another_job_s_between_its_steps_leaves_that_job_s_files(tmp_path):
    """A job's folder replaced by a link to another job's folder (holding its job.json) between two of its commands,
    none failing: the finish step overwrote that job's comparison and downloads, and this job was done. It fails with
    the line of the folder replaced, and the other job's files are left as they were."""
    from helpers import stand_in_queue
    replace_by_link = "import os, shutil, sys\nshutil.rmtree(sys.argv[1])\nos.symlink(sys.argv[2], sys.argv[1])"
    submit = stand_in_queue(tmp_path, replace_by_link, "import sys\nopen(sys.argv[1] + '/compare.png', 'w')")
    (tmp_path / "other" / "job.json").write_text("{}")
    job = submit()
    assert job.finished.wait(60) and job.state == "failed"
    assert job.message == "the job's folder was replaced while the job ran; press Run again"
    assert os.listdir(tmp_path / "other") == ["job.json"]


def test_a_job_s_file_the_start_cannot_delete_is_named_by_its_path(tmp_path, monkeypatch):
    """A job's folder left read-only by a user's chmod (its files stay after the server's stop): the next start was
    refused with "cannot make the folder '.../jobs' ([Errno 13] Permission denied: 'result.mp4')", a file named by its
    name alone. The file is named by its path (root deletes anyway, hence the stand-in)."""
    import errno

    from helpers import failing_for
    from utils.paths import make_scratch_folder
    jobs = tmp_path / "jobs"
    make_scratch_folder(str(jobs), "choose another --work-dir")
    (jobs / "abc").mkdir()
    (jobs / "abc" / "result.mp4").write_bytes(b"")
    monkeypatch.setattr(os, "unlink", failing_for(os.unlink, "result.mp4", errno.EACCES))
    with pytest.raises(UserError) as refusal:
        make_scratch_folder(str(jobs), "choose another --work-dir")
    assert str(refusal.value) == (f"cannot make the folder '{jobs}' ([Errno 13] Permission denied: "
                                  f"'{jobs / 'abc' / 'result.mp4'}'); choose another --work-dir")


def test_a_demo_frame_folder_made_read_only_is_told_not_writable(tmp_path, monkeypatch):
    """demo.py run again into an --output whose sr/ was made read-only: its earlier frames not deleted were a
    PermissionError traceback, exit code 1. It is the line of a folder not writable (root deletes anyway, hence the
    stand-in)."""
    import errno

    from demo import remove_own_frames
    from helpers import failing_for
    (tmp_path / "output_0001.png").write_bytes(b"")
    monkeypatch.setattr(os, "remove", failing_for(os.remove, "output_0001.png", errno.EACCES))
    with pytest.raises(UserError) as refusal:
        remove_own_frames(str(tmp_path), r"output_\d{4,}\.png")
    assert str(refusal.value) == (f"cannot delete '{tmp_path / 'output_0001.png'}' (Permission denied): its folder is "
                                  "not writable (or no longer); make it writable, then run again")


# Twenty-eighth pass, fourth look at the twenty-eighth pass's demo and page fixes

@pytest.mark.parametrize("change", [{"input": {"path": "x"}}, {"input": {"kind": "frames"}},
                                    {"input": {"kind": "frames", "path": ["x"]}}, {"input": {"kind": "x", "path": "x"}},
                                    {"scale": "4"}, {"scale": 0}, {"scale": 4.0}, {"scale": None},
                                    {"input": {"kind": "video", "path": "x", "start": 1, "end": ""}}],
                         ids=["kind left out", "path left out", "path a list", "kind unknown", "scale a text",
                              "scale 0", "scale a float", "scale null", "start a number"])
def test_a_job_s_settings_of_other_types_inside_fail_its_finish_step_with_what_to_do(tmp_path, capsys, change):
    """The job's job.json JSON of a job's shape with other types inside, written while it ran: 'input' without its kind
    or path, a path a list, 'scale' a text or 0 were a KeyError, TypeError or ValueError traceback ("the run stopped
    with exit code 1 (...); please report it"). It is the line of settings that are not a job's."""
    import json

    from helpers import finish_step_line
    job_of_frames(tmp_path, 3, 3)
    spec = dict(json.loads((tmp_path / "job.json").read_text()), **change)
    (tmp_path / "job.json").write_text(json.dumps(spec))
    assert finish_step_line(tmp_path, capsys) == (2, "the job's settings 'job.json' cannot be read (not a job's "
                                                     "settings); it was changed while the job ran; press Run again")


@pytest.mark.parametrize("frame, content, line", [
    ("0001", "junk", "cannot read image 'frames/0001.png': the file is corrupt or not an image; replace or remove it"),
    ("0003", "other size", "the job's SR frame 'frames/0003.png' is 32x24 but 'frames/0001.png' is 64x48; it was "
                           "changed while the job ran; press Run again")])
def test_a_job_s_sr_frame_other_than_the_middle_one_changed_fails_its_finish_step(tmp_path, capsys, frame, content,
                                                                                  line):
    """An SR frame other than the middle one (which alone is decoded) replaced by junk or a frame of another size
    before the job's finish step: it was zipped as it was, and the job done. Its PNG header says so: one line."""
    from app_media import png_bytes
    from helpers import finish_step_line
    job_of_frames(tmp_path, 3, 3)
    (tmp_path / "frames" / f"{frame}.png").write_bytes(b"junk" if content == "junk" else png_bytes(32, 24))
    assert finish_step_line(tmp_path, capsys) == (2, line)


@pytest.mark.parametrize("width, height", [(8, 6), (32, 24), (17, 12)])
def test_a_job_s_input_of_another_frame_size_before_its_finish_step_is_told_it_was_changed(tmp_path, capsys, width,
                                                                                         height):
    """The job's input frames replaced by frames of another size while it ran: the comparison's bicubic half was of
    another size than ours (8x6 LR frames), or of a part of another frame, and the job done (exit code 0). It is one
    line."""
    from app_media import png_bytes
    from helpers import finish_step_line
    job_of_frames(tmp_path, 3, 3)
    for index in (1, 2, 3):
        (tmp_path / "input" / f"{index:04d}.png").write_bytes(png_bytes(width, height))
    assert finish_step_line(tmp_path, capsys) == (
        2, f"the job's input frame is {width}x{height}, not the 16x12 its SR frames 'frames' were made of; it was "
           "changed while the job ran; press Run again")
