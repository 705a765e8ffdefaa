"""generate.py --outscale and --output-size: the model's native output resized as it is written (Lanczos), to
frames and video alike; bad sizes stop with one line before any work."""
import cv2
import numpy as np
import pytest

import generate
from conftest import reference_path
from utils.frame_names import list_frames
from utils.image_io import read_rgb

WEIGHTS = reference_path("parity_generate_strong", "weights.h5")  # x4
FRAMES = reference_path("parity_generate_strong", "lr")  # 36x28


@pytest.fixture(scope="module")
def native(tmp_path_factory):
    """The native x4 frames, 8-bit, as generate.py writes them without a size flag."""
    folder = tmp_path_factory.mktemp("native")
    generate.main(
        ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
         str(folder), "--backend", "nnabla"])
    return [read_rgb(path) for path in list_frames(str(folder))]


def written(tmp_path, *flags):
    generate.main(["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir", str(tmp_path / "out"),
                   "--backend", "nnabla", *flags])
    return [read_rgb(path) for path in list_frames(str(tmp_path / "out"))]


def mean_difference(frames, expected_frames):
    return max(np.abs(frame - expected).mean() for frame, expected in zip(frames, expected_frames))


@pytest.mark.parametrize("flags, size, interpolation", [
    (("--outscale", "2"), (56, 72), cv2.INTER_LANCZOS4),       # x4 model, half its native size: shrink
    (("--outscale", "6"), (168, 216), cv2.INTER_LANCZOS4),     # one and a half times its native size: enlarge
    (("--output-size", "200x120"), (120, 200), cv2.INTER_LANCZOS4),
])
def test_frames_are_the_native_output_resized(native, tmp_path, flags, size, interpolation):
    frames = written(tmp_path, *flags)
    assert len(frames) == len(native) and all(frame.shape == size + (3,) for frame in frames)
    # resized from the float output before rounding to 8 bits: within a grey level of resizing the 8-bit
    # frames
    expected = [cv2.resize(frame, size[::-1], interpolation=interpolation) for frame in native]
    assert mean_difference(frames, expected) < 0.5 / 255
    assert mean_difference(frames, [cv2.resize(frame, size[::-1], interpolation=cv2.INTER_AREA)
                                    for frame in native]) > 2 * mean_difference(frames, expected)


def test_outscale_with_a_video_rounds_each_side_to_an_even_number(tmp_path):
    video = tmp_path / "sr.mp4"
    frames = written(tmp_path, "--outscale", "2.5", "--output-video", str(video))  # 90x70: even already
    frames_odd = written(tmp_path / "odd", "--outscale", "2.25")  # 81x63 without a video
    assert frames[0].shape == (70, 90, 3) and frames_odd[0].shape == (63, 81, 3)
    capture = cv2.VideoCapture(str(video))
    ok, first = capture.read()
    assert ok and first.shape == (70, 90, 3)
    frames_even = written(tmp_path / "even", "--outscale", "2.25", "--output-video",
                          str(tmp_path / "even.mp4"))
    # each side to an even neighbour
    assert frames_even[0].shape[:2] in ((62, 80), (64, 80), (62, 82), (64, 82))
    assert all(side % 2 == 0 for side in frames_even[0].shape[:2])


@pytest.mark.parametrize("flags, message", [
    (("--outscale", "0"), "--outscale must be a positive factor"),
    (("--outscale", "-2"), "--outscale must be a positive factor"),
    (("--outscale", "nan"), "--outscale must be a positive factor"),
    (("--outscale", "inf"), "--outscale must be a positive factor"),
    (("--outscale", "two"), "--outscale must be a positive factor"),
    (("--outscale", "500"), "more than 16384 pixels a side"),  # 36 x 500 = 18000
    (("--output-size", "16386x100"), "more than 16384 pixels a side"),
    (("--output-size", "640"), "WIDTHxHEIGHT"),
    (("--output-size", "0x480"), "WIDTHxHEIGHT"),
    (("--output-size", "640x-480"), "WIDTHxHEIGHT"),
    (("--output-size", "641x480", "--output-video", "VIDEO"), "odd side"),
    (("--outscale", "2", "--output-size", "640x480"), "not allowed with"),
])
def test_bad_sizes_stop_with_one_line_before_any_output(tmp_path, capsys, flags, message):
    flags = [str(tmp_path / "sr.mp4") if flag == "VIDEO" else flag for flag in flags]
    with pytest.raises(SystemExit) as exit_info:
        generate.main(
            ["--model", WEIGHTS, "--input-dir-lr", FRAMES, "--output-dir",
             str(tmp_path / "out"), *flags])
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], lines
    assert not (tmp_path / "out").exists() and not (tmp_path / "sr.mp4").exists()
