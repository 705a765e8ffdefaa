"""The web app (app.py) in a real browser: Debian's chromium (`make test` installs it), headless, driven by
Playwright (its own browser download is not used). Each launch gets a fresh profile (Playwright's temporary
user-data-dir). One server runs for the module, on tiny clips, so that a job takes seconds on two cores.
The finished page of the first test's job is screenshot into the test's temporary folder, or to the path in
TECOGAN_SCREENSHOT (`TECOGAN_SCREENSHOT=docs/app.png`, docs/app.md): a test run changes no tracked file."""
import json
import os
import re
import socket
import subprocess
import sys
import time
import zipfile

import cv2
import h5py
import numpy as np
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError, sync_playwright

from app_media import clip_with_audio, frames_zip, screenshot_path, video_without_frames
from conftest import REPO_ROOT
from utils.image_io import to_uint8
from utils.ops import bicubic_upscale_frames
from utils.video_io import VideoReader
from utils.video_probe import audio_codec

# the Chromium `make test` checked (its CHROMIUM), Debian's by default
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 180_000  # the machine is shared: a run of seconds may take a minute
# the first test's upload: a corner of a sample clip (a face) with a tone
CLIP = dict(width=112, height=96, frames=8, rate=10, sample="carphone_pristine.mp4")
LONG_FRAMES = 300  # the clip of the runs that are cancelled

pytestmark = pytest.mark.slow


SERVER_LOG = []  # the module's server's log file, read by server_log_tail


def server_log_tail(lines=40):
    return SERVER_LOG[0].read_text(errors="replace").splitlines()[-lines:] if SERVER_LOG else []


class Server:
    def __init__(self, url, work, process):
        self.url, self.work, self.process = url, work, process


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("app")
    weights = root / "weights"
    weights.mkdir()
    with h5py.File(weights / "not_a_generator.h5", "w") as h5:
        h5["discriminator/conv/W"] = np.zeros((3, 3), np.float32)
    log = root / "server.log"
    SERVER_LOG[:] = [log]
    with open(log, "w") as output:
        process = subprocess.Popen([sys.executable, "app.py", "--port", str(free_port()), "--work-dir",
                                    str(root / "work"), "--weights-dir", str(weights)],
                                   cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while not (address := re.search(r"http://127\.0\.0\.1:\d+/", log.read_text())):
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    yield Server(address[0], root / "work", process)
    process.terminate()
    process.wait(60)
    assert not (root / "work" / "jobs").exists() and not (root / "work" / "uploads").exists()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


def open_page(browser, server, outside=None):
    """A new tab on the app, in a browser context of its own (Chromium opens at most 6 connections to a host
    per context, and every Gradio tab holds some open); outside: a list that gets the URLs the tab asks for
    elsewhere than the server. Close it with page.context.close()."""
    page = browser.new_context(viewport={"width": 1280, "height": 1300}).new_page()
    page.set_default_timeout(WAIT_MS)
    # what the tab met, for the message of a test that fails: its console's errors and warnings, and the
    # requests that failed or were refused
    page.notes = []
    page.on("console", lambda message: page.notes.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("requestfailed", lambda request: page.notes.append(
        f"failed: {request.method} {request.url} ({request.failure})"))
    page.on("response", lambda response: page.notes.append(
        f"HTTP {response.status}: {response.request.method} {response.url}") if response.status >= 400 else None)
    if outside is not None:
        page.on("request", lambda request: None
                if request.url.startswith(server.url) else outside.append(request.url))
    page.goto(server.url)
    page.wait_for_function("() => document.querySelector('#model input')?.value")
    return page


@pytest.fixture
def tab(browser, server):
    """open_page for a test: tab() opens one, closed when the test ends."""
    pages = []

    def open_tab():
        pages.append(open_page(browser, server))
        return pages[-1]
    yield open_tab
    for page in pages:
        page.context.close()


def upload(page, path):
    """Choose the file and wait for its upload's end: the file's row, labelled with its name. (Not the name as
    text: while the upload runs the box shows it whole; once done, split into stem and extension.)"""
    page.set_input_files("#upload input[type=file]", str(path))
    try:
        page.locator(f"#upload td.filename[aria-label={json.dumps(os.path.basename(path))}]").wait_for()
    except PlaywrightTimeoutError:
        raise AssertionError(f"the upload of {os.path.basename(path)} did not show; the upload box: "
                             f"{page.inner_text('#upload')!r}; the tab met: {page.notes}; the server's log "
                             f"ends: {server_log_tail()}") from None


def wait_for_status(page, pattern):
    """The status line once it matches pattern; if it never does, what it said (a timeout alone told nothing)."""
    try:
        page.wait_for_function("pattern => new RegExp(pattern).test(document.querySelector('#status').innerText)",
                               arg=pattern, timeout=WAIT_MS)
    except PlaywrightTimeoutError:
        raise AssertionError(f"the status never matched {pattern!r}; it says {page.inner_text('#status')!r}; the tab "
                             f"met: {page.notes}; the server's log ends: {server_log_tail()}") from None
    return page.inner_text("#status")


def fetch(page, url, path):
    response = page.request.get(url)
    assert response.ok, url
    path.write_bytes(response.body())
    return str(path)


def decode_png(data):
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]


@pytest.fixture(scope="module")
def finished(server, browser, tmp_path_factory):
    """A tab whose upload has run to the end, the clip it uploaded, and the URLs it asked for elsewhere than
    the server."""
    clip = clip_with_audio(tmp_path_factory.mktemp("clip") / "clip.mp4", **CLIP)
    outside = []
    page = open_page(browser, server, outside)
    upload(page, clip)
    page.click("#run")
    wait_for_status(page, "done")
    # a frame shown
    page.wait_for_function("() => document.querySelector('#result-video video')?.readyState >= 2")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#comparison img')].every(image => image.complete)")
    page.screenshot(path=screenshot_path(tmp_path_factory.mktemp("screenshot")), full_page=True)
    yield page, clip, outside
    page.context.close()


def test_the_page_asks_nothing_of_any_server_but_its_own(finished):
    _, _, outside = finished
    assert outside == []


def long_clip(folder):
    """A clip long enough to be seen running, of CLIP's size (the networks compiled for it are reused)."""
    return clip_with_audio(folder / "long.mp4", CLIP["width"], CLIP["height"], LONG_FRAMES)


def test_progress_shows_the_frame_count_frames_per_second_and_time_left(tab, tmp_path):
    page = tab()
    upload(page, long_clip(tmp_path))
    page.click("#run")
    wait_for_status(page, rf"super-resolving: frame [1-9]\d* of {LONG_FRAMES}, \d+\.\d\d frames/s, "
                          r"(\d+ min )?\d+ s left")
    page.click("#cancel")
    wait_for_status(page, "cancelled")


def test_played_video_is_the_upload_at_four_times_the_size_with_its_frames_and_sound(finished, tmp_path):
    page, _, _ = finished
    played = page.eval_on_selector(
        "#result-video video", "video => [video.videoWidth, video.videoHeight, video.duration, video.src]")
    assert played[:2] == [4 * CLIP["width"], 4 * CLIP["height"]]
    assert played[2] == pytest.approx(CLIP["frames"] / CLIP["rate"], abs=0.5 / CLIP["rate"])
    path = fetch(page, played[3], tmp_path / "played.mp4")
    assert [frame.shape
            for frame in VideoReader(path)] == [(4 * CLIP["height"], 4 * CLIP["width"], 3)] * CLIP["frames"]
    assert audio_codec(path) == "aac"


def test_comparison_is_bicubic_and_ours_of_the_middle_frame(finished, tmp_path):
    page, clip, _ = finished
    sources = page.eval_on_selector_all("#comparison img", "images => images.map(image => image.src)")
    bicubic, ours = (decode_png(page.request.get(source).body()) for source in sources)
    middle = CLIP["frames"] // 2
    lr_frame = list(VideoReader(clip))[middle]
    np.testing.assert_array_equal(bicubic, to_uint8(bicubic_upscale_frames([lr_frame], 4)[0]))
    with zipfile.ZipFile(fetch(page, page.get_attribute("#downloads a[download$='.zip']", "href"),
                               tmp_path / "frames.zip")) as archive:
        np.testing.assert_array_equal(ours, decode_png(archive.read(sorted(archive.namelist())[middle])))
    assert np.abs(ours.astype(int) - bicubic).mean() > 1  # two different pictures, not one twice


def test_downloads_are_the_video_and_a_zip_of_every_frame(finished, tmp_path):
    page, _, _ = finished
    names = page.eval_on_selector_all("#downloads a[download]", "links => links.map(link => link.download)")
    assert names == ["result.mp4", "result_frames.zip"]
    with page.expect_download() as download:
        page.click("#downloads a[download$='.zip']")
    path = tmp_path / "frames.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        frames = [decode_png(archive.read(name)) for name in sorted(archive.namelist())]
    assert [frame.shape for frame in frames] == [(4 * CLIP["height"], 4 * CLIP["width"], 3)] * CLIP["frames"]


def test_second_tab_waits_its_turn_and_cancel_stops_the_running_job_leaving_nothing(server, tab, tmp_path):
    long_run, short_run = tab(), tab()
    upload(long_run, long_clip(tmp_path))
    long_run.click("#run")
    job_id = re.search(r"Job ([0-9a-f]+)", wait_for_status(long_run, rf"frame \d+ of {LONG_FRAMES}"))[1]
    upload(short_run, clip_with_audio(tmp_path / "short.mp4", CLIP["width"], CLIP["height"], 5))
    short_run.click("#run")
    wait_for_status(short_run, r"waiting, 1 job ahead")
    long_run.click("#cancel")
    wait_for_status(long_run, "cancelled; it was stopped and its files deleted")
    assert not (server.work / "jobs" / job_id).exists()
    wait_for_status(short_run, "done")
    short_run.wait_for_function(
        "width => document.querySelector('#result-video video')?.videoWidth === width", arg=4 * CLIP["width"])


def processes_naming(text):
    """Pids of the processes whose command line holds text."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                if text.encode() in file.read():
                    found.append(pid)
        except OSError:  # ended meanwhile
            pass
    return found


def test_a_closed_or_reloaded_tab_stops_its_job_so_others_need_not_wait(server, tab, tmp_path):
    """A tab closed mid-run left its job running to the end (minutes on a long clip, results no page could show)
    and every other tab's job waiting behind it; a reloaded tab, whose new page no longer knows the job, too."""
    closed, reloaded = tab(), tab()
    upload(closed, long_clip(tmp_path))
    closed.click("#run")
    running = re.search(r"Job ([0-9a-f]+)", wait_for_status(closed, rf"frame \d+ of {LONG_FRAMES}"))[1]
    assert processes_naming(running)
    upload(reloaded, clip_with_audio(tmp_path / "short.mp4", CLIP["width"], CLIP["height"], 5))
    reloaded.click("#run")
    waiting = re.search(r"Job ([0-9a-f]+)", wait_for_status(reloaded, r"waiting, 1 job ahead"))[1]
    reloaded.reload()
    closed.context.close()
    deadline = time.monotonic() + 60
    while ((server.work / "jobs" / running).exists() or (server.work / "jobs" / waiting).exists()
           or processes_naming(running)):
        assert time.monotonic() < deadline, f"a job of a tab gone is still there; the server's log ends: " \
                                            f"{server_log_tail()}"
        time.sleep(0.5)


def wait_for_new_job_folders(server, before, count=1):
    """The job folders made since `before` (a Run's set-up has begun: its upload is being copied and unpacked)."""
    deadline = time.monotonic() + 60
    while len(made := set(os.listdir(server.work / "jobs")) - before) < count:
        assert time.monotonic() < deadline, "Run made no job folder"
        time.sleep(0.02)
    return made


def assert_no_job_left(server, before):
    """No job folder but those of `before`, and no process of a job still running."""
    assert set(os.listdir(server.work / "jobs")) == before and not processes_naming(str(server.work / "jobs"))


def test_a_double_click_on_run_gives_one_job_that_cancel_stops(server, tab, tmp_path):
    """Two clicks in one go both submitted before the tab's State held the first job: that one ran unseen ahead
    of the second, and Cancel stopped only the second."""
    page = tab()
    upload(page, long_clip(tmp_path))
    before = set(os.listdir(server.work / "jobs"))
    page.dblclick("#run")
    wait_for_status(page, rf"frame \d+ of {LONG_FRAMES}")
    page.click("#cancel")
    wait_for_status(page, "cancelled")
    assert_no_job_left(server, before)


def choose(page, dropdown, option):
    page.click(f"#{dropdown} input")
    page.get_by_role("option", name=option).click()


def test_sample_with_ground_truth_shows_the_evaluate_table(tab):
    page = tab()
    choose(page, "sample", "carphone_pristine.mp4 (176x144, with ground truth)")
    page.fill("#end textarea", "5")
    page.click("#run")
    wait_for_status(page, "done, 5 frames")
    rows = page.eval_on_selector_all("#metrics tr", "rows => rows.map(row => row.innerText.split('\\t')[0])")
    assert rows[1:] == ["x4 bicubic", "ours"]


def text_file(path):
    path.write_text("not a video")
    return path


def test_the_input_that_runs_is_the_last_one_chosen(tab, tmp_path):
    """With a file uploaded and then a sample chosen, the upload ran (here: refused as no video) while the page
    showed the sample chosen; now choosing one clears the other."""
    page = tab()
    upload(page, text_file(tmp_path / "text.mp4"))
    choose(page, "sample", "carphone_pristine.mp4 (176x144, with ground truth)")
    page.wait_for_selector("#upload td.filename", state="detached")
    page.fill("#end textarea", "5")
    page.click("#run")
    assert "done, 5 frames" in wait_for_status(page, "done|Cannot run")
    upload(page, tmp_path / "text.mp4")
    page.wait_for_function("() => document.querySelector('#sample input').value === ''")
    page.click("#run")
    assert "'text.mp4' is not a video" in wait_for_status(page, "Cannot run")


def submit_bad(page, path=None, model=None):
    """The status line after Run with this upload (and model) on a new tab."""
    if path:
        upload(page, path)
    if model:
        choose(page, "model", model)
    page.click("#run")
    return wait_for_status(page, "Cannot run")


BAD_UPLOADS = {
    "text.mp4": r"'text\.mp4' is not a video with frames this app can decode; upload a video file",
    "empty.avi": r"'empty\.avi' is not a video with frames this app can decode; upload a video file",
    "escape.zip": (r"'escape\.zip' holds '\.\./\.\./escape\.png', a path outside its folder"
                   r".*zip the frame files"),
    "mixed.zip": (r"frame '0002\.png' is 40x24 but '0001\.png' is 32x24; "
                  r"all frames of a clip must have one size"),
    "model": r"model 'weights/: not_a_generator\.h5' holds no generator.*choose another model",
}


@pytest.mark.parametrize("case, message", BAD_UPLOADS.items(), ids=list(BAD_UPLOADS))
def test_bad_upload_gets_a_message_that_says_what_to_do_and_the_server_keeps_serving(
        server, tab, tmp_path, case, message):
    makers = {
        "text.mp4": text_file,
        "empty.avi": video_without_frames,
        "escape.zip": lambda path: frames_zip(path, {
            "0001.png": (32, 24),
            "../../escape.png": (32, 24)
        }),
        "mixed.zip": lambda path: frames_zip(path, {
            "0001.png": (32, 24),
            "0002.png": (40, 24)
        }),
        "model": lambda path: clip_with_audio(path.with_suffix(".mp4"), 32, 24, 3)
    }
    jobs = set((server.work / "jobs").iterdir())
    text = (submit_bad(tab(), makers[case](tmp_path / case), "weights/: not_a_generator.h5")
            if case == "model" else submit_bad(tab(), makers[case](tmp_path / case)))
    assert re.search(message, text), text
    assert server.process.poll() is None
    assert set((server.work / "jobs").iterdir()) == jobs  # a refused job leaves no folder
    assert not list(server.work.parent.rglob("escape.png"))


def test_a_second_server_on_the_same_work_folder_stops_with_one_line(server):
    second = subprocess.run(
        [sys.executable, "app.py", "--port",
         str(free_port()), "--work-dir",
         str(server.work)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120)
    assert second.returncode == 2
    assert second.stderr.strip().splitlines()[-1] == (
        f"error: --work-dir '{server.work}' is in use by another run "
        f"(pid {server.process.pid}); wait for it to end, stop it, "
        "or choose another folder")
    assert server.process.poll() is None


# Thirteenth pass, second look at the twelfth pass's new kinds and the web app

def cancelled_during_the_set_up(server, page, tmp_path, cancels):
    """Run on page of a zip slow to unpack, and Cancel pressed `cancels` times while the job is set up (its folder
    made, before the tab knows the job): the job must end cancelled. The job folders before the Run."""
    from app_media import slow_to_unpack_zip
    upload(page, slow_to_unpack_zip(tmp_path / "frames.zip"))
    before = set(os.listdir(server.work / "jobs"))
    page.click("#run")
    wait_for_new_job_folders(server, before)
    for _ in range(cancels):
        page.click("#cancel")
    status = wait_for_status(page, r"cancelled|frame \d+ of")
    assert "cancelled; it was stopped and its files deleted" in status, status
    return before


def test_cancel_pressed_while_a_job_is_set_up_stops_it(server, tab, tmp_path):
    """Cancel clicked while Run still copied and unpacked a large zip (seconds, before the tab knew its job): it was
    ignored, and the job ran to its end."""
    assert_no_job_left(server, cancelled_during_the_set_up(server, tab(), tmp_path, cancels=1))


# Thirteenth pass, second look at the thirteenth pass's new-kinds fixes

def test_run_again_after_a_cancel_during_the_set_up_runs_and_a_second_cancel_stops_it(server, tab, tmp_path):
    """Cancel pressed twice while Run sets its job up stops that job; Run pressed again afterwards is not stopped by
    those Cancels (it runs until its own Cancel)."""
    page = tab()
    before = cancelled_during_the_set_up(server, page, tmp_path, cancels=2)
    page.click("#run")
    wait_for_status(page, r"frame [1-9]\d* of 6000")
    page.click("#cancel")
    wait_for_status(page, "cancelled; it was stopped and its files deleted")
    assert_no_job_left(server, before)


def test_two_tabs_each_cancelling_its_job_during_the_set_up_stop_both(server, tab, tmp_path):
    from app_media import slow_to_unpack_zip
    pages = [tab(), tab()]
    for index, page in enumerate(pages):
        upload(page, slow_to_unpack_zip(tmp_path / f"frames{index}.zip"))
    before = set(os.listdir(server.work / "jobs"))
    for page in pages:
        page.click("#run")
    wait_for_new_job_folders(server, before, 2)
    for page in pages:
        page.click("#cancel")
    for page in pages:
        status = wait_for_status(page, r"cancelled|frame \d+ of")
        assert "cancelled; it was stopped and its files deleted" in status, status
    assert_no_job_left(server, before)


def test_a_cancel_before_run_or_after_the_job_is_done_changes_nothing(server, tab, tmp_path):
    """Cancel with no job, then Run: the job runs to its end; Cancel then keeps its results."""
    page = tab()
    upload(page, clip_with_audio(tmp_path / "short.mp4", CLIP["width"], CLIP["height"], 5))
    page.click("#cancel")
    page.click("#run")
    done = wait_for_status(page, "done|cancelled")
    assert "done" in done, done
    page.wait_for_function("() => document.querySelector('#result-video video')?.readyState >= 2")
    job_id = re.search(r"Job ([0-9a-f]+)", done)[1]
    page.click("#cancel")
    time.sleep(2)
    assert page.inner_text("#status") == done and (server.work / "jobs" / job_id).exists()
    assert page.eval_on_selector("#result-video video", "video => video.readyState") >= 2
