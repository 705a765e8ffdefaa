"""What the benchmarks share: the machine's load, a child process's peak memory, the reference
implementation's figures, and the frames and training scenes they run on."""
import json
import os
import subprocess
import sys
import tempfile

import cv2

from utils.image_io import list_frames, read_rgb, sample_clip
from utils.paths import REPO_ROOT
from utils.scene_layout import write_scenes

SHARED = os.path.join(os.path.dirname(REPO_ROOT), "shared")  # fixtures and data beside the repository


def load_line():
    return "load average (1, 5, 15 min): " + ", ".join(f"{load:.2f}" for load in os.getloadavg())


def run_with_peak_memory(command):
    """Run a command from the repository root; return (exit code, stdout, stderr, peak resident memory of
    that process in MiB)."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=REPO_ROOT)
        # this child's own rusage, not the maximum over all children
        _, status, usage = os.wait4(process.pid, 0)
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
            sys.exit("bigbuckbunny.mp4 has too few frames")
        cv2.imwrite(os.path.join(folder, f"{index:04d}.png"), cv2.resize(frame, (width, height),
                                                                          interpolation=cv2.INTER_AREA))
    capture.release()


def make_scenes(root, source_dir, frames_per_scene=20):
    """As many whole scenes of the frames in source_dir as they fill; returns data.max_frm for them."""
    sources = list_frames(source_dir)
    write_scenes(root, [[read_rgb(path) for path in sources[first:first + frames_per_scene]]
                        for first in range(0, len(sources) - frames_per_scene + 1, frames_per_scene)])
    return frames_per_scene - 1
