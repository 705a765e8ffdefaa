"""generate.py on videos: the part chosen by --start/--end, the exact frame rate, the sample aspect ratio
and the audio of the source, frames written only when asked; and --input-dir-hr."""
import os

import cv2
import numpy as np
import pytest

import generate
from clips import decoded_frames, ffmpeg, needs_ffmpeg, stream_summary
from conftest import reference_path, shared_path
from inference import SuperResolver
from utils import video_io
from utils.degradation import degrade_frames
from utils.frame_names import list_frames
from utils.image_io import read_rgb

FIXTURE = "parity_generate_strong"
WEIGHTS = reference_path(FIXTURE, "weights.h5")


def make_clip(path, rate, extra=()):
    """The 8 fixture frames as an H.264 video at `rate` (text, e.g. 30000/1001), with extra ffmpeg flags."""
    ffmpeg("-framerate", rate, "-i", reference_path(FIXTURE, "lr", "lr_%04d.png"), *extra,
           "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "0", str(path))


@needs_ffmpeg
def test_output_video_keeps_the_exact_rate_and_aspect_and_re_encodes_audio_mp4_cannot_hold(tmp_path, capsys):
    source = tmp_path / "clip.mov"
    make_clip(
        source, "30000/1001",
        ["-f", "lavfi", "-i", "sine=frequency=440:duration=0.27", "-vf", "setsar=4/3", "-c:a", "pcm_s16le"])
    assert any("Audio: pcm_s16le" in line for line in stream_summary(source))
    generate.main([
        "--model", WEIGHTS, "--input-video",
        str(source), "--output-video",
        str(tmp_path / "sr.mp4"), "--cache-dir",
        str(tmp_path / "cache")
    ])
    assert "re-encoded to AAC" in capsys.readouterr().err
    streams = stream_summary(tmp_path / "sr.mp4")
    assert any("Video: h264" in line and "144x112" in line and "SAR 4:3" in line for line in streams), streams
    assert any("Audio: aac" in line for line in streams), streams
    frames, fps = decoded_frames(tmp_path / "sr.mp4")
    assert len(frames) == 8 and fps == pytest.approx(30000 / 1001, abs=1e-6)
    # no frames: --output-dir not given
    assert sorted(os.listdir(tmp_path)) == ["cache", "clip.mov", "sr.mp4"]


@needs_ffmpeg
def test_start_and_end_choose_frames_and_audio_and_the_part_is_its_own_sequence(tmp_path):
    source = tmp_path / "clip.mp4"
    make_clip(source, "10", ["-f", "lavfi", "-i", "sine=frequency=440:duration=0.8", "-c:a", "aac"])
    generate.main(["--model", WEIGHTS, "--input-video", str(source), "--start", "2", "--end", "0.6s",
                   "--output-dir", str(tmp_path / "out"), "--output-video", str(tmp_path / "sr.mp4"),
                   "--cache-dir", str(tmp_path / "cache")])
    names = sorted(os.listdir(tmp_path / "out"))
    assert names == [f"output_clip_{index:04d}.png" for index in (3, 4, 5, 6)]  # frames 2..5, numbered from 1
    frames, _ = decoded_frames(tmp_path / "sr.mp4")
    assert len(frames) == 4
    audio = [line for line in stream_summary(tmp_path / "sr.mp4") if "Audio:" in line]
    assert audio
    # the chosen frames, super-resolved as a sequence of their own (the warm-up runs on them)
    capture = cv2.VideoCapture(str(source))
    decoded = [capture.read()[1][:, :, ::-1].astype(np.float32) / 255 for _ in range(8)]
    expected = SuperResolver(WEIGHTS, "openvino", "cpu", cache_dir=str(tmp_path / "cache")).sequence(
        [(str(index), decoded[index]) for index in range(2, 6)])
    for name, (_, output) in zip(names, expected):
        written = cv2.imread(str(tmp_path / "out" / name))[:, :, ::-1].astype(int)
        assert np.abs(written - np.rint(np.clip(output, 0, 1) * 255)).max() <= 1, name


def test_hr_input_is_degraded_and_the_output_is_cut_to_the_hr_size(tmp_path):
    # 180x144 calendar frames as the "HR" input: LR 45x36, output 180x144 (4 x 45 = 180, 4 x 36 = 144)
    hr_dir = tmp_path / "hr"
    hr_dir.mkdir()
    paths = list_frames(shared_path("data", "calendar_lr"))[:3]
    for path in paths:
        image = cv2.imread(path)[:142, :177]  # sides not multiples of 4: LR 36x45, SR cut back to 142x177
        cv2.imwrite(str(hr_dir / os.path.basename(path)), image)
    generate.main(["--model", WEIGHTS, "--input-dir-hr", str(hr_dir), "--output-dir", str(tmp_path / "out"),
                   "--cache-dir", str(tmp_path / "cache")])
    hr_frames = [(os.path.splitext(os.path.basename(path))[0], read_rgb(str(hr_dir / os.path.basename(path))))
                 for path in paths]
    expected = SuperResolver(WEIGHTS, "openvino", "cpu", cache_dir=str(tmp_path / "cache")).sequence(
        [(name, degrade_frames(frame)) for name, frame in hr_frames])
    for name, output in expected:
        assert output.shape == (144, 180, 3)
        written = cv2.imread(str(tmp_path / "out" / f"output_{name}.png"))[:, :, ::-1].astype(int)
        assert written.shape == (142, 177, 3)
        assert np.abs(written - np.rint(np.clip(output[:142, :177], 0, 1) * 255)).max() <= 1, name


class CaptureWithoutRate:
    """A video whose container states no frame rate (OpenCV then reports 0). It wraps OpenCV's capture
    rather than subclassing it: a Python subclass of cv2.VideoCapture crashes the interpreter at exit."""

    def __init__(self, path, *backend):
        self.capture = OPENCV_CAPTURE(path, *backend)

    def get(self, prop):
        return 0.0 if prop == cv2.CAP_PROP_FPS else self.capture.get(prop)

    def __getattr__(self, name):
        return getattr(self.capture, name)


OPENCV_CAPTURE = cv2.VideoCapture


def test_a_video_stating_no_frame_rate_gets_the_same_default_as_a_frame_folder(tmp_path, monkeypatch):
    path = str(tmp_path / "clip.avi")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 30, (16, 16))
    writer.write(np.zeros((16, 16, 3), np.uint8))
    writer.release()
    monkeypatch.setattr(video_io.cv2, "VideoCapture", CaptureWithoutRate)
    assert video_io.VideoReader(path).fps == 24 == video_io.DEFAULT_FPS  # docs/inference.md: --fps
