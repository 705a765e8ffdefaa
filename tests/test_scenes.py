"""Scene cuts: the recurrence starts again at every cut, exactly as at the start of a clip."""
import cv2
import numpy as np
import pytest

import generate
from clips import needs_ffmpeg, write_joined_clip
from helpers import NPY_TOLERANCE, expect_user_error
from inference import SuperResolver
from utils.paths import BUNDLED_MODEL
from utils.scenes import detect_cuts, split_at_cuts

SHOT = 12  # frames of each clip in the joined video
LR_SIZE = (160, 68)


@pytest.fixture(scope="module")
def joined_video(tmp_path_factory):
    """12 frames of bikes.mp4, then 12 of bigbuckbunny.mp4, at one LR size, losslessly encoded; and its
    frames."""
    return write_joined_clip(str(tmp_path_factory.mktemp("joined")),
                             [("bikes.mp4", 0, SHOT), ("bigbuckbunny.mp4", 40, SHOT)], LR_SIZE)


def test_split_at_cuts_streams_one_scene_per_shot():
    assert [list(scene) for scene in split_at_cuts(iter("abcdefg"), [2, 5])] == [["a", "b"], ["c", "d", "e"],
                                                                                ["f", "g"]]
    assert [list(scene) for scene in split_at_cuts(iter("abc"), [])] == [["a", "b", "c"]]


@needs_ffmpeg
def test_the_cut_between_two_real_clips_is_detected(joined_video):
    path, _ = joined_video
    assert detect_cuts(path) == [SHOT]
    assert detect_cuts(path, 3, 20) == [SHOT] and detect_cuts(path, SHOT + 1) == []


@needs_ffmpeg
def test_after_a_cut_outputs_equal_a_separate_run_and_without_the_reset_they_do_not(joined_video, tmp_path):
    path, frames = joined_video
    resolver = SuperResolver(BUNDLED_MODEL, "openvino", "cpu", cache_dir=str(tmp_path))
    named = [(str(index), frame) for index, frame in enumerate(frames)]
    with_reset = dict(resolver.sequence(named, cuts=detect_cuts(path)))
    without_reset = dict(resolver.sequence(named))
    second_clip = dict(resolver.sequence(named[SHOT:]))
    first_clip = dict(resolver.sequence(named[:SHOT]))
    for name, output in second_clip.items():
        assert np.abs(with_reset[name] - output).max() <= NPY_TOLERANCE, name
    for name, output in first_clip.items():
        assert np.abs(with_reset[name] - output).max() <= NPY_TOLERANCE, name
    assert np.abs(without_reset[str(SHOT)] - second_clip[str(SHOT)]).max() > 1e-2


@needs_ffmpeg
def test_generate_resets_at_detected_cuts_by_default_and_not_with_off(joined_video, tmp_path, capsys):
    path, frames = joined_video
    for choice in ("auto", "off"):
        generate.main([
            "--model", BUNDLED_MODEL, "--input-video", path, "--output-dir",
            str(tmp_path / choice), "--cache-dir",
            str(tmp_path / "cache")
        ] + (["--scene-cuts", choice] if choice == "off" else []))
    assert "2 scenes" in capsys.readouterr().err
    resolver = SuperResolver(BUNDLED_MODEL, "openvino", "cpu", cache_dir=str(tmp_path / "cache"))
    second_clip = [
        output for _, output in resolver.sequence([(str(i), frame) for i, frame in enumerate(frames[SHOT:])])
    ]
    first_after_cut = f"output_joined_{SHOT + 1:04d}.png"
    expected = np.rint(np.clip(second_clip[0], 0, 1) * 255)
    for choice, close in (("auto", True), ("off", False)):
        written = cv2.imread(str(tmp_path / choice / first_after_cut))[:, :, ::-1].astype(int)
        assert (np.abs(written - expected).max() <= 1) == close, choice


@pytest.mark.parametrize("content, message", [("12\nabc\n", "line 2: 'abc' is not a frame number"),
                                              ("15\n12\n", "does not come after 15"),
                                              ("24\n", "outside the frames"),
                                              ("0\n", "outside the frames"),
                                              ("-3\n", "is not a frame number")])
def test_bad_cuts_file(capsys, tmp_path, joined_video, content, message):
    cuts = tmp_path / "cuts.txt"
    cuts.write_text(content)
    expect_user_error(capsys, ["--model", BUNDLED_MODEL, "--input-video", joined_video[0], "--scene-cuts",
                               str(cuts), "--output-dir", str(tmp_path / "out")], message)
    assert not (tmp_path / "out").exists()


def test_a_cuts_file_splits_a_frame_folder(tmp_path, joined_video):
    _, frames = joined_video
    folder = tmp_path / "frames"
    folder.mkdir()
    for index, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"{index:04d}.png"), np.rint(frame[:, :, ::-1] * 255).astype(np.uint8))
    (tmp_path / "cuts.txt").write_text(f"# the second clip\n{SHOT}\n")
    generate.main([
        "--model", BUNDLED_MODEL, "--input-dir-lr",
        str(folder), "--scene-cuts",
        str(tmp_path / "cuts.txt"), "--output-dir",
        str(tmp_path / "out"), "--cache-dir",
        str(tmp_path / "cache")
    ])
    resolver = SuperResolver(BUNDLED_MODEL, "openvino", "cpu", cache_dir=str(tmp_path / "cache"))
    _, first = next(resolver.sequence([(str(i), frame) for i, frame in enumerate(frames[SHOT:])]))
    written = cv2.imread(str(tmp_path / "out" / f"output_{SHOT:04d}.png"))[:, :, ::-1].astype(int)
    assert np.abs(written - np.rint(np.clip(first, 0, 1) * 255)).max() <= 1


def test_auto_cuts_need_a_video(capsys, tmp_path):
    expect_user_error(capsys,
                      ["--model", BUNDLED_MODEL, "--input-dir-lr",
                       str(tmp_path), "--scene-cuts", "auto"], "detects cuts in --input-video")
