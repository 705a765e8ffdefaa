"""Small media files for the web app's tests: clips with sound, a video without frames, zips of frames; where the
page's screenshot goes."""
import os
import subprocess
import zipfile

import cv2
import numpy as np

from conftest import REPO_ROOT
from utils.video_io import sample_clip
from utils.video_probe import ffmpeg_executable


def clip_with_audio(path, width, height, frames, rate=10, sample=None):
    """An H.264 + AAC mp4 with a 440 Hz tone: of ffmpeg's test pattern (moving, so that every frame differs),
    or of the top-left width x height of a sample clip (utils.video_io.sample_clip); square pixels."""
    picture = (["-i", sample_clip(sample)] if sample else
               ["-f", "lavfi", "-i", f"testsrc=size={width}x{height}:rate={rate}"])
    subprocess.run([
        ffmpeg_executable(), "-y", "-hide_banner", "-loglevel", "error", *picture, "-f", "lavfi", "-i",
        "sine=frequency=440:sample_rate=44100", "-map", "0:v", "-map", "1:a", "-vf",
        f"crop={width}:{height}:0:0,fps={rate},setsar=1", "-frames:v",
        str(frames), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
        str(path)
    ],
                   check=True)
    return str(path)


def video_without_frames(path):
    """An AVI that OpenCV opens but that holds no frame (a writer closed before its first frame)."""
    cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48)).release()
    return str(path)


def png_bytes(width, height, seed=0):
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), np.uint8)
    return cv2.imencode(".png", pixels)[1].tobytes()


def frames_zip(path, members):
    """A zip of {member name: (width, height)} random PNG frames."""
    with zipfile.ZipFile(path, "w") as archive:
        for seed, (name, (width, height)) in enumerate(members.items()):
            archive.writestr(name, png_bytes(width, height, seed))
    return str(path)


def slow_to_unpack_zip(path, count=6000):
    """A zip of `count` tiny frames of one colour each: its unpacking and checks take seconds before a job is queued."""
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(count):
            archive.writestr(f"{index:05d}.png",
                             cv2.imencode(".png", np.full((24, 32, 3), index % 255, np.uint8))[1].tobytes())
    return str(path)


def screenshot_path(tmp_folder):
    """Where tests/test_app.py screenshots the finished page: TECOGAN_SCREENSHOT's path (relative to the repository)
    where it is set and not blank (`TECOGAN_SCREENSHOT=docs/app.png`, docs/app.md; app.png in it where it names a
    folder), else `tmp_folder`, so that a test run leaves docs/app.png as committed."""
    asked = os.environ.get("TECOGAN_SCREENSHOT", "").strip()
    path = os.path.join(REPO_ROOT, asked) if asked else str(tmp_folder)
    # a folder (`TECOGAN_SCREENSHOT=docs`): app.png in it; it was Playwright's EISDIR after the job, each test failed
    return os.path.join(path, "app.png") if not asked or os.path.isdir(path) else path
