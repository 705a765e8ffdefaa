"""Hostile inputs and conditions for the image, video and scene-cut files every script reads and writes
(utils/image_io.py, utils/video_io.py, utils/video_probe.py, utils/containers.py, utils/scenes.py). Each ends with one
line and exit code 2 (130 for a stop), leaves nothing partial and overwrites nothing (docs/testing.md)."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO_ROOT
from hostile import (FRAMES, WEIGHTS, assert_one_error_line, decoded_count, ffmpeg_video,
                     run_python_without_root_override, video_refusal, with_exif_thumbnail)
from utils.errors import UserError


# The first pass of issue 28: the failures it lists

@pytest.mark.parametrize("text, message", [("\u00b3\n", "'³' is not a frame number"),
                                           ("\u0663\n", "is not a frame number"),
                                           ("9" * 5000 + "\n", "is outside the frames"),
                                           ("\ufeff3\n5\n", None)],
                         ids=["superscript digit", "Arabic-Indic digit", "5000 digits", "byte-order mark"])
def test_a_cuts_file_with_unusual_characters_is_read_or_refused_in_one_line(tmp_path, text, message):
    from utils.scenes import read_cuts_file
    path = tmp_path / "cuts.txt"
    path.write_text(text, encoding="utf-8")
    if message is None:
        assert read_cuts_file(str(path), 10) == [3, 5]
    else:
        with pytest.raises(UserError, match=message):
            read_cuts_file(str(path), 10)


def test_a_cut_just_after_start_is_found(tmp_path):
    from clips import write_joined_clip
    from utils.scenes import detect_cuts
    path, _ = write_joined_clip(str(tmp_path), [("bikes.mp4", 0, 8), ("carphone_pristine.mp4", 0, 8)],
                                (96, 64))
    assert detect_cuts(path, 0, 16) == [8]
    assert detect_cuts(path, 6, 16) == [8]  # the part's first shot is 2 frames long


def test_a_raw_h264_stream_without_a_frame_count_is_read_whole(tmp_path):
    from utils.video_io import VideoReader
    reader = VideoReader(ffmpeg_video(tmp_path / "clip.h264", "-c:v", "libx264", "-f", "h264", frames=12))
    reader.select("2", None)
    assert reader.total_frames == 12 and len(list(reader)) == 10


def test_a_picture_renamed_mp4_is_one_line(tmp_path):
    from utils.video_io import VideoReader
    path = tmp_path / "photo.mp4"
    path.write_bytes(open(os.path.join(FRAMES, "lr_0001.png"), "rb").read())
    with pytest.raises(UserError, match="photo.mp4"):
        VideoReader(str(path)).select("0", None)


def test_a_video_turned_by_rotation_metadata_turns_its_sample_aspect_ratio_too(tmp_path):
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    plain = ffmpeg_video(tmp_path / "plain.mp4",
                         "-vf",
                         "setsar=2/1",
                         "-c:v",
                         "libx264",
                         "-pix_fmt",
                         "yuv420p",
                         frames=3)
    turned = str(tmp_path / "turned.mp4")
    subprocess.run([
        ffmpeg_executable(), "-loglevel", "error", "-display_rotation", "90", "-i", plain, "-c", "copy",
        turned
    ],
                   check=True)
    reader = VideoReader(turned)
    assert next(iter(reader)).shape[:2] == (64, 48)  # upright: 48 wide
    assert reader.sample_aspect == (1, 2) and VideoReader(plain).sample_aspect == (2, 1)


# The second pass

@pytest.mark.parametrize("extension", ["png", "jpg"])
def test_an_image_cut_short_is_one_line_and_nothing_from_its_decoder(tmp_path, capfd, extension):
    """libpng prints its own error and libjpeg decodes the missing rows grey, with a warning."""
    import cv2

    from utils.image_io import read_rgb
    path = str(tmp_path / f"frame.{extension}")
    cv2.imwrite(path, np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8))
    data = open(path, "rb").read()
    open(path, "wb").write(data[:len(data) // 2])
    capfd.readouterr()
    with pytest.raises(UserError, match="the file is cut short"):
        read_rgb(path)
    assert capfd.readouterr().err == ""


def test_an_empty_video_file_is_one_line_and_nothing_from_ffmpeg(tmp_path, capfd):
    from utils.video_io import VideoReader
    (tmp_path / "empty.mp4").write_bytes(b"")
    capfd.readouterr()
    with pytest.raises(UserError, match="cannot open video"):
        VideoReader(str(tmp_path / "empty.mp4"))
    assert capfd.readouterr().err == ""


def test_an_atomic_write_onto_a_folder_is_one_line_and_leaves_no_temporary(tmp_path):
    from utils.atomic_files import write_atomically
    (tmp_path / "model_best.h5").mkdir()
    with pytest.raises(UserError, match="a folder of that name is in the way"):
        write_atomically(str(tmp_path / "model_best.h5"), lambda temporary: open(temporary, "w").close())
    assert os.listdir(tmp_path) == ["model_best.h5"]


# The fourth pass

def test_an_mp4_cut_by_stream_copy_is_read_whole_not_called_truncated(tmp_path):
    """`ffmpeg -ss T -c copy` writes an edit list that hides frames its count includes: the clip was refused
    as truncated or damaged."""
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    whole = ffmpeg_video(tmp_path / "whole.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", frames=12)
    cut = str(tmp_path / "cut.mp4")
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-ss", "0.25", "-i", whole, "-c", "copy", cut],
                   check=True)
    reader = VideoReader(cut)
    assert reader.total_frames > decoded_count(cut)
    assert len(list(reader)) == decoded_count(cut)


def test_a_y4m_video_gets_no_lines_from_the_scene_detector(tmp_path, capfd):
    """PySceneDetect logged five lines of a codec it could not name, and then read the video."""
    from utils.scenes import detect_cuts
    video = ffmpeg_video(tmp_path / "clip.y4m", "-pix_fmt", "yuv420p", frames=12)
    capfd.readouterr()
    assert detect_cuts(video) == []
    assert capfd.readouterr().err == ""


def test_a_video_whose_place_became_a_folder_leaves_no_temporary(tmp_path):
    from utils.video_io import open_video_writer
    video = open_video_writer(str(tmp_path / "out.mp4"), 10, 16, 16)
    video.write(np.zeros((16, 16, 3), np.uint8))
    (tmp_path / "out.mp4").mkdir()
    with pytest.raises(UserError, match="a folder of that name is in the way"):
        video.close()
    assert os.listdir(tmp_path) == ["out.mp4"]


@pytest.mark.parametrize("kind", ["folder", "link to a folder"])
def test_a_folder_named_like_a_frame_is_called_a_folder(tmp_path, kind):
    """It was "cannot read image (Is a directory); check its permissions"."""
    from utils.frame_names import list_frames
    (tmp_path / "0001.png").write_bytes(open(os.path.join(FRAMES, "lr_0001.png"), "rb").read())
    if kind == "folder":
        (tmp_path / "0002.png").mkdir()
    else:
        os.symlink(tmp_path, tmp_path / "0002.png")
    with pytest.raises(UserError, match=r"0002.png' is a folder, not an image file"):
        list_frames(str(tmp_path))


def test_a_png_with_damaged_data_is_one_line_and_nothing_from_libpng(tmp_path, capfd):
    """Bytes changed inside its image data (a bad disk or copy): libpng printed its own line beside ours."""
    import cv2

    from utils.image_io import read_rgb
    path = tmp_path / "frame.png"
    cv2.imwrite(str(path), np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8))
    data = bytearray(path.read_bytes())
    start = data.find(b"IDAT") + 24
    data[start:start + 8] = bytes(byte ^ 0x5A for byte in data[start:start + 8])
    path.write_bytes(bytes(data))
    capfd.readouterr()
    with pytest.raises(UserError, match="the file is damaged"):
        read_rgb(str(path))
    assert capfd.readouterr().err == ""


def test_an_invisible_character_in_a_cuts_file_is_shown_by_its_code(tmp_path):
    """A zero-width space pasted from a web page after a number: the message read "'3' is not a frame number"."""
    from utils.scenes import read_cuts_file
    path = tmp_path / "cuts.txt"
    path.write_text("3\u200b\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"'3\\u200b' is not a frame number"):
        read_cuts_file(str(path), 10)


def test_a_png_whose_text_chunk_fails_its_checksum_is_still_read(tmp_path):
    """Only the header, palette and image data decide: libpng decodes the picture and drops the chunk."""
    import struct
    import zlib

    import cv2

    from utils.image_io import read_rgb
    pixels = np.random.default_rng(0).integers(0, 256, (16, 16, 3), np.uint8)
    data = cv2.imencode(".png", pixels)[1].tobytes()
    body = b"tEXtComment\0hello"
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body) ^ 1)
    header_end = 8 + 12 + 13
    (tmp_path / "frame.png").write_bytes(data[:header_end] + chunk + data[header_end:])
    assert np.array_equal(read_rgb(str(tmp_path / "frame.png")), pixels[:, :, ::-1] / np.float32(255))


def test_an_end_past_the_count_an_mpeg_stream_announces_counts_its_frames(tmp_path):
    """--end 8 on such a clip of 8 frames was refused as past its end."""
    from utils.video_io import VideoReader
    video = ffmpeg_video(tmp_path / "clip.mpg", "-c:v", "mpeg2video", frames=8)
    reader = VideoReader(video)
    assert reader.total_frames < 8
    reader.select("1", "8")
    assert len(list(reader)) == 7
    with pytest.raises(UserError, match="past the end"):
        VideoReader(video).select(None, "9")


# The fifth pass

def test_a_stop_while_ffmpeg_finishes_the_video_leaves_no_temporary_and_no_ffmpeg(tmp_path, monkeypatch):
    """Ctrl-C while the writer waited for ffmpeg to encode the frames it still held (the end of a run) left
    ffmpeg running and its temporary video behind."""
    from utils.video_io import FfmpegVideoWriter
    writer = FfmpegVideoWriter(str(tmp_path / "sr.mp4"), 24, 64, 48)
    writer.write(np.zeros((48, 64, 3), np.uint8))
    finish = writer.process.wait
    calls = []

    def stopped_once(*args, **kwargs):  # the signal arrives during the first wait
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return finish(*args, **kwargs)

    monkeypatch.setattr(writer.process, "wait", stopped_once)
    with pytest.raises(KeyboardInterrupt):
        writer.close()
    assert finish(timeout=30) is not None and writer.process.returncode != 0  # ended by us, not done
    assert os.listdir(tmp_path) == []


def test_a_video_that_cannot_be_read_says_so_without_opencv_s_warning(tmp_path):
    """It was called 'unknown format or corrupt file', beside OpenCV's own warning line. Run without the
    capability that lets root read any file, so that the permissions hold."""
    video = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=3)
    os.chmod(video, 0)
    script = f"from utils.errors import exit_on_user_error\nfrom utils.video_io import VideoReader\n" \
             f"with exit_on_user_error():\n    VideoReader({video!r})\n"
    completed = run_python_without_root_override(script)
    assert_one_error_line(completed, f"video file '{video}' cannot be read (permission denied)")


# The sixth pass

@pytest.mark.parametrize("width, height", [(30000, 30000), (0, 24)], ids=["claims 30000x30000", "zero wide"])
def test_a_png_whose_header_claims_a_size_its_file_cannot_hold_is_one_line_without_libpng_s(tmp_path, capfd,
                                                                                          width, height):
    """A PNG with intact checksums whose header claims more pixels than its data could hold, or a side of 0:
    libpng's "Not enough image data" or "Invalid IHDR data" line beside ours."""
    import struct
    import zlib
    from utils.image_io import read_rgb

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    path = tmp_path / "0001.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    with pytest.raises(UserError, match="its header claims a size the file cannot hold"):
        read_rgb(str(path))
    assert capfd.readouterr().err == ""


def test_pngs_compressed_as_far_as_deflate_goes_are_read():
    """The size check must not refuse the most compressible picture (one colour) at zlib's strongest level."""
    import cv2
    from utils.image_io import png_size_impossible
    for flat in (np.zeros((4000, 4000, 3), np.uint8), np.full((2000, 3000), 65535, np.uint16)):
        assert not png_size_impossible(cv2.imencode(".png", flat, [cv2.IMWRITE_PNG_COMPRESSION, 9])[1].tobytes())


@pytest.mark.parametrize("kind", ["pipe", "device"])
def test_a_video_given_as_a_pipe_or_device_is_called_so_not_missing(tmp_path, kind):
    """`--input-video` or demo's `--video` a named pipe or /dev/zero: "video file ... does not exist"."""
    from utils.video_io import VideoReader
    path = "/dev/zero" if kind == "device" else str(tmp_path / "clip.mp4")
    if kind == "pipe":
        os.mkfifo(path)
    with pytest.raises(UserError, match=f"video file '{path}' is a pipe or device, not a file; save the video"):
        VideoReader(path)


@pytest.mark.parametrize("name", ["clip\n  Stream #0:1(und): Audio: aac (LC), 44100 Hz.mp4",
                                  os.fsdecode(b"\xff Stream #0:1: Audio: aac.mp4")])
def test_a_silent_clip_whose_name_holds_an_audio_stream_line_has_no_audio(tmp_path, monkeypatch, name):
    """The name ffmpeg echoes may hold a line of its own that reads as an audio stream, or bytes that are not
    UTF-8 around one."""
    from clips import ffmpeg
    from utils.video_probe import audio_codec
    monkeypatch.chdir(tmp_path)
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.3", "-pix_fmt", "yuv420p", name)
    assert audio_codec(name) is None
    ffmpeg("-i", name, "-f", "lavfi", "-i", "sine=duration=0.3", "-c:v", "copy", "-c:a", "mp3", "-shortest",
           "sound.mkv")
    assert audio_codec("sound.mkv") == "mp3"


def test_an_output_name_is_refused_exactly_when_its_temporary_name_can_pass_255_bytes(tmp_path):
    """The temporary name adds '.', '.', '.tmp' and a pid of up to 7 digits (Linux's pid_max is at most 2^22)."""
    from utils.atomic_files import check_name_length, temporary_path
    longest = "é" * 119 + ".mp4"  # 242 bytes: 255 with the temporary name's 13
    check_name_length(str(tmp_path / longest), "shorten it")
    with open(temporary_path(str(tmp_path / longest), 4194304), "wb"):
        pass
    with pytest.raises(UserError, match="is too long: with the temporary name"):
        check_name_length(str(tmp_path / ("x" + longest)), "shorten it")


def test_a_start_time_within_the_last_frame_is_not_called_past_the_end(tmp_path):
    """`--start 0.55s` on a clip of 6 frames at 10 fps (0.6 s): "at or after the end of 'clip.mp4' (6 frames,
    0.60 s)", which 0.55 s is not."""
    from clips import ffmpeg
    from utils.video_io import VideoReader
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.6", "-pix_fmt", "yuv420p",
           str(tmp_path / "clip.mp4"))
    with pytest.raises(UserError, match=r"--start 0.55s is after the last frame of .* begins \(6 frames, the last "
                                        r"at 0.50 s\): a start time takes the first frame that begins at or after"):
        VideoReader(str(tmp_path / "clip.mp4")).select("0.55s")
    assert VideoReader(str(tmp_path / "clip.mp4")).select("0.5s") is None


@pytest.mark.parametrize("line", ["\0" * 2_000_000, "x" * 100_000], ids=["2 MB of zero bytes", "100,000 letters"])
def test_a_scene_cuts_line_of_megabytes_is_shown_cut_short(tmp_path, line):
    """A cuts file of zero bytes (a copy that failed) made an error line of 8 MB, each byte shown as \\x00."""
    from utils.scenes import read_cuts_file
    path = tmp_path / "cuts.txt"
    path.write_text(line)
    with pytest.raises(UserError) as error:
        read_cuts_file(str(path), 10)
    message = str(error.value).replace(str(path), "")
    assert len(message) < 200 and "line 1" in message and "is not a frame number" in message, message


# The seventh pass

def test_an_av1_video_opencv_cannot_decode_is_called_so_not_empty(tmp_path):
    """An AV1 video (OpenCV's FFmpeg has no AV1 decoder; FFmpeg's own has): generate.py said "has no frames in
    the chosen range" and demo.py "gave 0 frames", of a clip of 6 frames."""
    from clips import ffmpeg
    from utils.video_io import VideoReader
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.6", "-c:v", "libaom-av1", "-cpu-used", "8",
           "-pix_fmt", "yuv420p", str(tmp_path / "clip.mp4"))
    with pytest.raises(UserError, match=r"has no frame OpenCV can decode \(its codec, such as AV1, may be one "
                                        r"OpenCV lacks\); convert it to H.264 first"):
        next(iter(VideoReader(str(tmp_path / "clip.mp4"))))


@pytest.mark.parametrize("target", [None, "o.mp4"], ids=["output folder", "beside --output-video"])
def test_a_folder_named_like_a_stale_temporary_is_left_not_a_traceback(tmp_path, target):
    """A user's folder named like a temporary of a dead process (`.o.999999.tmp.mp4/`) in generate.py's output
    folder or beside its --output-video: IsADirectoryError traceback from os.remove."""
    from utils.atomic_files import remove_stale_temporaries
    dead = 2 ** 22 + 1  # above Linux's largest process id
    (tmp_path / f".o.{dead}.tmp.mp4").mkdir()
    (tmp_path / f".o.{dead}.tmp.mp4" / "mine.txt").write_text("kept")
    (tmp_path / f".o.{dead + 1}.tmp.mp4").write_bytes(b"stale")
    assert remove_stale_temporaries(str(tmp_path), target and {target}) == [f".o.{dead + 1}.tmp.mp4"]
    assert sorted(os.listdir(tmp_path)) == [f".o.{dead}.tmp.mp4"]


@pytest.mark.parametrize("encoder, codec, container", [("libopus", "opus", ".mov"), ("flac", "flac", ".mov"),
                                                       ("libmp3lame", "mp3", ".m4v"), ("eac3", "eac3", ".m4v")])
def test_audio_a_mov_or_m4v_cannot_hold_is_re_encoded_not_a_failure_after_every_frame(tmp_path, encoder, codec,
                                                                                        container):
    """Opus or FLAC audio copied into .mov, MP3 or E-AC-3 into .m4v (FFmpeg's mov and ipod muxers refuse them,
    its mp4 muxer takes them): "ffmpeg could not write video ...: Nothing was written" after every frame."""
    from clips import ffmpeg
    from utils.video_io import FfmpegVideoWriter, VideoSource
    from utils.video_probe import audio_codec
    source = str(tmp_path / "clip.mkv")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.3", "-f", "lavfi", "-i", "sine=d=0.3",
           "-pix_fmt", "yuv420p", "-c:a", encoder, source)
    assert audio_codec(source) == codec
    writer = FfmpegVideoWriter(str(tmp_path / f"sr{container}"), 10, 32, 24, VideoSource(source, 0.0, 0.3))
    for _ in range(3):
        writer.write(np.zeros((24, 32, 3), np.uint8))
    writer.close()
    assert audio_codec(str(tmp_path / f"sr{container}")) == "aac"


@pytest.mark.parametrize("start, end", [("0.45s", "0.46s"), ("0.41s", "0.5s")])
def test_start_and_end_times_within_one_frame_s_time_are_not_called_out_of_order(tmp_path, start, end):
    """`--start 0.45s --end 0.46s` on a 10 fps clip (no frame begins between them): "--end 0.46s is not after
    --start 0.45s", which it is."""
    from clips import ffmpeg
    from utils.video_io import VideoReader
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.6", "-pix_fmt", "yuv420p",
           str(tmp_path / "clip.mp4"))
    with pytest.raises(UserError, match=f"no frame of '.*' begins from --start {start} to before --end {end} "
                                        r"\(frame 5 begins at 0.50 s\); choose an end after that frame"):
        VideoReader(str(tmp_path / "clip.mp4")).select(start, end)
    with pytest.raises(UserError, match="--end 0.45s is not after --start 0.46s"):
        VideoReader(str(tmp_path / "clip.mp4")).select("0.46s", "0.45s")


# The eighth pass

@pytest.mark.parametrize("pid", [2 ** 31, 2 ** 32, 10 ** 20])
def test_a_file_named_like_a_temporary_of_a_pid_past_a_c_int_is_removed_not_a_traceback(tmp_path, pid):
    """A file named like a stale temporary whose number no pid reaches (`.o.20241205153000.tmp.png`) in
    generate.py's or train.py's output folder: OverflowError traceback from os.kill before any work."""
    from utils.atomic_files import remove_stale_temporaries
    (tmp_path / f".o.{pid}.tmp.png").write_bytes(b"stale")
    assert remove_stale_temporaries(str(tmp_path)) == [f".o.{pid}.tmp.png"]


@pytest.mark.parametrize("encoder", ["libvvenc", "libxavs2"], ids=["VVC", "AVS2"])
def test_a_video_opencv_cannot_even_open_is_called_a_codec_it_lacks_in_one_line(tmp_path, capfd, encoder):
    """A VVC or AVS2 video (FFmpeg decodes them, OpenCV's FFmpeg cannot open them, where it opens an AV1 one and
    then decodes no frame): OpenCV's two "[ERROR...] Could not find decoder" lines beside "unknown format or
    corrupt file"."""
    from clips import ffmpeg
    from utils.video_io import VideoReader
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=96x72:rate=10:duration=0.3", "-pix_fmt", "yuv420p", "-c:v", encoder,
           str(tmp_path / "clip.mkv"))
    capfd.readouterr()
    with pytest.raises(UserError, match=r"has no frame OpenCV can decode \(its codec, such as AV1, may be one "
                                        r"OpenCV lacks\); convert it to H.264 first"):
        VideoReader(str(tmp_path / "clip.mkv"))
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("layout", ["9.1.6", "22.2", "10c"])
def test_audio_of_a_channel_layout_aac_refuses_is_mixed_down_not_a_failure_after_every_frame(tmp_path, layout):
    """PCM audio of 16, 24 or 10 channels (a field recorder, a decoded film mix) into .mp4, which re-encodes it to
    AAC: FFmpeg's AAC encoder refused the layout, "ffmpeg could not write video ...: Nothing was written" after
    every frame."""
    from clips import ffmpeg, stream_summary
    from utils.video_io import FfmpegVideoWriter, VideoSource
    source = str(tmp_path / "clip.mkv")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10:duration=0.3", "-f", "lavfi", "-i",
           f"anullsrc=channel_layout={layout}:d=0.3", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", source)
    writer = FfmpegVideoWriter(str(tmp_path / "sr.mp4"), 10, 32, 24, VideoSource(source, 0.0, 0.3))
    for _ in range(3):
        writer.write(np.zeros((24, 32, 3), np.uint8))
    writer.close()
    assert [line for line in stream_summary(tmp_path / "sr.mp4") if "Audio: aac" in line]


# Ninth pass, half A

def test_a_video_filling_the_disk_is_said_as_a_full_disk_and_left_nowhere(small_disk):
    """ffmpeg's own words in the line, with its pointer: "ffmpeg could not write video '...': [out#0/mp4 @
    0x55c8984f2080] Error closing file: No space left on device"."""
    from utils.video_io import FfmpegVideoWriter
    folder, mounted = small_disk
    if not mounted:
        pytest.skip("needs a tmpfs of its own (root)")
    writer = FfmpegVideoWriter(str(folder / "sr.mp4"), 10, 160, 120)
    noise = np.random.default_rng(0).integers(0, 256, (40, 120, 160, 3), np.uint8)  # barely compresses
    with pytest.raises(UserError, match=rf"^no space left on the disk of '{folder}/sr.mp4'; free some space"):
        for frame in noise:
            writer.write(frame)
        writer.close()
    assert os.listdir(folder) == []


def test_a_file_of_audio_only_is_called_so(tmp_path):
    """An .mp4 holding only a sound track: "cannot open video: unknown format or corrupt file", of a sound file that
    plays."""
    from clips import ffmpeg
    from utils.video_io import VideoReader
    ffmpeg("-f", "lavfi", "-i", "sine=d=0.5", "-c:a", "aac", str(tmp_path / "sound.mp4"))
    with pytest.raises(UserError, match=r"^'.*sound.mp4' holds audio only, no video stream; pass a video file$"):
        VideoReader(str(tmp_path / "sound.mp4"))


@pytest.mark.parametrize("target", ["nowhere.png", "0001.png"], ids=["to nothing", "to itself"])
def test_a_frame_that_is_a_link_to_nothing_is_called_so_not_a_permission_problem(tmp_path, target):
    """A frame linked to a file since moved (or in a loop of links): "cannot read image (No such file or directory);
    check its permissions"."""
    from utils.image_io import read_rgb
    os.symlink(target, tmp_path / "0001.png")
    with pytest.raises(UserError, match=rf"^image '.*0001.png' is a symbolic link to '{target}', which does not exist "
                                        r"\(or leads back to itself\); replace or remove it$"):
        read_rgb(str(tmp_path / "0001.png"))


# Tenth pass, half A

def test_a_file_of_subtitles_only_is_called_so(tmp_path):
    """A Matroska file holding only subtitles (or sound and subtitles): "cannot open video: unknown format or corrupt
    file", of a file that FFmpeg reads; the ninth pass's fix named sound alone."""
    from clips import ffmpeg
    from utils.video_io import VideoReader
    (tmp_path / "words.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nhello\n")
    ffmpeg("-f", "lavfi", "-i", "sine=d=0.5", "-i", str(tmp_path / "words.srt"), "-map", "0", "-map", "1",
           "-c:a", "aac", "-c:s", "srt", str(tmp_path / "talk.mkv"))
    ffmpeg("-i", str(tmp_path / "words.srt"), "-c:s", "srt", str(tmp_path / "words.mkv"))
    with pytest.raises(UserError, match=r"^'.*words.mkv' holds subtitles only, no video stream; pass a video file$"):
        VideoReader(str(tmp_path / "words.mkv"))
    with pytest.raises(UserError, match=r"^'.*talk.mkv' holds audio and subtitles only, no video stream"):
        VideoReader(str(tmp_path / "talk.mkv"))


# Eleventh pass, half A

@pytest.mark.parametrize("change, said", [
    ("os.chmod({folder!r}, 0o555)", "(Permission denied): its folder is not writable (or no longer)"),
    ("shutil.rmtree({folder!r})", "(No such file or directory): its folder was removed or moved while this ran")],
                         ids=["read-only", "removed"])
def test_a_staged_file_whose_folder_changed_before_its_rename_is_one_line(tmp_path, change, said):
    """A video's folder made read-only (or its disk remounted read-only), or removed, before its rename into place:
    a traceback (read-only: a second one from the temporary's removal while handling the first). Run without the
    capability that lets root write anywhere, so that the permissions hold."""
    folder = tmp_path / "out"
    folder.mkdir()
    script = ("import os, shutil\nfrom utils.errors import exit_on_user_error\n"
              "from utils.atomic_files import StagedFile\n"
              f"with exit_on_user_error():\n    staged = StagedFile({str(folder / 'o.mp4')!r})\n"
              f"    open(staged.temporary, 'wb').close()\n    {change.format(folder=str(folder))}\n"
              "    staged.commit()\n")
    completed = run_python_without_root_override(script)
    if folder.exists():
        os.chmod(folder, 0o755)
        assert [name for name in os.listdir(folder) if not name.startswith(".o.")] == []  # the temporary cannot go
    assert_one_error_line(completed, f"cannot write '{folder / 'o.mp4'}' {said}")


def test_an_unreadable_cuts_file_is_said_without_the_errno_and_path_twice(tmp_path):
    """A cuts file without read permission: "cannot read --scene-cuts '.../cuts.txt' ([Errno 13] Permission
    denied: '.../cuts.txt')", where the other unreadable inputs say the reason alone. Run without the capability
    that lets root read any file, so that the permissions hold."""
    cuts = tmp_path / "cuts.txt"
    cuts.write_text("3\n")
    os.chmod(cuts, 0)
    script = ("from utils.errors import exit_on_user_error\nfrom utils.scenes import read_cuts_file\n"
              f"with exit_on_user_error():\n    read_cuts_file({str(cuts)!r}, 8)\n")
    completed = run_python_without_root_override(script)
    line = assert_one_error_line(completed, f"cannot read --scene-cuts '{cuts}' (Permission denied); pass a readable")
    assert "Errno" not in line and line.count(str(cuts)) == 1, line


def test_a_disk_out_of_inodes_is_not_called_out_of_space(tmp_path, monkeypatch):
    """A file system with bytes free but no inode left (many small files, a tmpfs of few nr_inodes): "no space left
    on the disk ...; free some space", where `df -h` shows space free. On a tmpfs of 4 inodes where this runs as
    root, else with the file system's counts patched as such a disk reports them."""
    import errno

    from hostile import disk_out_of_inodes
    from utils import atomic_files
    from utils.atomic_files import write_bytes
    folder = tmp_path / "disk"
    with disk_out_of_inodes(folder, monkeypatch) as mounted:
        if not mounted:
            def no_inode_left(path, *args, **kwargs):
                raise OSError(errno.ENOSPC, "No space left on device", path)
            monkeypatch.setattr(atomic_files, "open", no_inode_left, raising=False)  # the builtin, for write_bytes
        with pytest.raises(UserError, match=r"^no room for another file on the disk of '.*frame.png': its inodes .* "
                                            r"are used up, though bytes are free; delete files"):
            write_bytes(str(folder / "frame.png"), b"pixels")


def test_a_cuts_line_of_legitimate_characters_is_shown_as_it_is(tmp_path):
    """A line with an ideographic space was written by its codes ('3\\u30004'), not as the user typed it."""
    from utils.scenes import read_cuts_file
    path = tmp_path / "cuts.txt"
    path.write_text("3\u30004\n", encoding="utf-8")
    with pytest.raises(UserError, match="'3\u30004' is not a frame number"):
        read_cuts_file(str(path), 10)


# Twelfth pass, third look at half A

def test_a_file_named_like_a_temporary_with_a_pid_no_run_writes_is_kept(tmp_path):
    """Beside a killed run's temporary of the output, a user's files of its form with a pid written as no process
    writes one (a leading zero, Arabic-Indic digits): deleted as stale temporaries (the converter's, generate.py's
    and evaluate.py's clean-up), though temporary_path never writes such a name."""
    from utils.atomic_files import remove_stale_temporaries
    dead = 2 ** 22 + 1  # above Linux's largest process id
    names = [f".w.{dead}.tmp.h5", ".w.0123.tmp.h5", ".w.\u0661\u0662\u0663.tmp.h5"]
    for name in names:
        (tmp_path / name).write_text("x")
    assert remove_stale_temporaries(str(tmp_path), {"w.h5"}) == [names[0]]
    assert sorted(os.listdir(tmp_path)) == sorted(names[1:])


# Twelfth pass, second look at half A

def test_a_killed_runs_temporary_of_an_output_named_with_a_newline_is_removed(tmp_path):
    """generate.py names its frames after the input's, which may hold a newline: the temporary a run killed while
    writing one left was never removed (the pattern's '.' took no newline), beside the files of names without."""
    from utils.atomic_files import remove_stale_temporaries, temporary_path
    dead = 2 ** 22 + 1  # above Linux's largest process id
    outputs = ["frame\n1.png", "\n.png", "frame 2.png"]
    temporaries = sorted(os.path.basename(temporary_path(str(tmp_path / name), dead)) for name in outputs)
    for name in temporaries:
        (tmp_path / name).write_text("x")
    assert sorted(remove_stale_temporaries(str(tmp_path), set(outputs))) == temporaries
    assert os.listdir(tmp_path) == []


# Thirteenth pass, second look at the twelfth pass's half A, and the demo-model recipes

@pytest.mark.parametrize("command", [
    lambda video, out: ["generate.py", "--model", WEIGHTS, "--input-video", video, "--output-dir", out],
    lambda video, out: ["-m", "authors_scripts.dataPrepare", "--disk_path", out, "--video", video, "--duration", "5"],
], ids=["generate.py", "dataPrepare"])
def test_a_video_whose_name_is_not_utf8_is_one_line_not_a_crash(tmp_path, command):
    """OpenCV's binding crashed on a path holding a byte that is not UTF-8 (Python's lone surrogate): a segmentation
    fault, no line, nothing said (exit code -11); FFmpeg alone takes such a name."""
    video = os.fsencode(ffmpeg_video(tmp_path / "clip.mp4", frames=8))
    named = video.replace(b"clip", b"clip\xff")
    os.rename(video, named)
    completed = subprocess.run([sys.executable, *command(named, str(tmp_path / "out"))], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=120)
    assert_one_error_line(completed, "clip\\udcff.mp4': its path is not UTF-8 text, which OpenCV cannot open; rename")
    assert not os.path.exists(tmp_path / "out")


def test_scene_detection_of_a_video_whose_name_is_not_utf8_is_one_line(tmp_path):
    """PySceneDetect opens the video with OpenCV too: the same crash."""
    from utils.scenes import detect_cuts
    video = os.fsencode(ffmpeg_video(tmp_path / "clip.mp4", frames=8))
    os.rename(video, video.replace(b"clip", b"clip\xff"))
    with pytest.raises(UserError, match="its path is not UTF-8 text"):
        detect_cuts(os.fsdecode(video.replace(b"clip", b"clip\xff")))


# Thirteenth pass, second look at the thirteenth pass's half A fixes

def test_an_output_video_whose_name_is_not_utf8_is_refused_before_any_frame_by_its_own_name(tmp_path, monkeypatch):
    """Without imageio-ffmpeg OpenCV writes --output-video: a name that is not UTF-8 was refused only at the first
    frame, by its temporary's name ('.w\\udcff.1184.tmp.mp4', never given) and as a video OpenCV 'cannot open'."""
    from utils import video_io
    monkeypatch.setattr(video_io, "ffmpeg_executable", lambda: None)
    named = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"sr\xff.mp4"))
    for attempt in (lambda: video_io.check_video_output(named), lambda: video_io.VideoWriter(named, 10.0, 32, 24)):
        with pytest.raises(UserError) as raised:
            attempt()
        assert str(raised.value).startswith(f"--output-video '{named}': its path is not UTF-8 text")
        assert "cannot write" in str(raised.value) and ".tmp." not in str(raised.value)
    assert os.listdir(tmp_path) == []
    video_io.check_video_output(str(tmp_path / "sr é 動画 👨\u200d👩\u200d👧.mp4"))  # UTF-8 names of any kind are taken


# Thirteenth pass, third look at the thirteenth pass's half A fixes

def test_a_relative_utf8_video_name_in_a_working_folder_that_is_not_utf8_is_written_and_read(tmp_path, monkeypatch):
    """OpenCV's video IO was given the absolute path, not UTF-8 there: 'in.mp4' and --output-video 'x:1.mp4' (no
    imageio-ffmpeg) were refused, "rename it" and "choose a UTF-8 name", though the names given were UTF-8."""
    import numpy as np
    from utils import video_io, video_probe
    here = os.path.join(os.fsencode(tmp_path), b"c\xff")
    os.mkdir(here)
    monkeypatch.chdir(here)
    assert video_probe.opencv_path("x:1.mp4") == os.path.join(os.curdir, "x:1.mp4")
    monkeypatch.setattr(video_io, "ffmpeg_executable", lambda: None)
    video_io.check_video_output("x:1.mp4")
    writer = video_io.VideoWriter("x:1.mp4", 10.0, 32, 24)
    for _ in range(3):
        writer.write(np.full((24, 32, 3), 128, np.uint8))
    writer.close()
    assert sorted(os.listdir(".")) == ["x:1.mp4"]
    assert video_io.VideoReader("x:1.mp4").capture.isOpened()
    with pytest.raises(UserError, match="its path is not UTF-8 text"):  # a name of its own that is not: refused
        video_probe.opencv_path(os.fsdecode(b"y\xff.mp4"))


# Fourteenth pass, second look at generate.py, evaluate.py, demo.py and the web app

@pytest.mark.parametrize("name, muxer", [("anim.png", "apng"), ("camera.mjpeg", "mjpeg")],
                         ids=["animated PNG", "Motion JPEG stream"])
def test_a_video_of_pictures_is_read_as_a_video(tmp_path, name, muxer):
    """An animated PNG and a Motion JPEG stream (a camera's .mjpeg) begin as a PNG or a JPEG: both were refused as
    "a picture (PNG or JPEG), not a video; put it in a folder", which would have given their first frame alone,
    though OpenCV reads every frame."""
    from utils.video_io import VideoReader
    video = ffmpeg_video(tmp_path / name, "-f", muxer, frames=7, size="32x24")
    frames = list(VideoReader(video))
    assert len(frames) == 7 and not np.array_equal(frames[0], frames[-1])


@pytest.mark.parametrize("name", ["still.png", "still.jpg"])
def test_a_picture_of_one_frame_is_still_refused_as_a_picture(tmp_path, name):
    from utils.video_io import VideoReader
    picture = ffmpeg_video(tmp_path / name, "-update", "1", frames=1, size="32x24")
    os.rename(picture, tmp_path / "still.mp4")
    with pytest.raises(UserError, match=r"is a picture \(PNG or JPEG\), not a video"):
        VideoReader(str(tmp_path / "still.mp4"))


# Fourteenth pass, third look at the fourteenth pass's generate, demo and app fixes

def test_a_motion_jpeg_stream_of_camera_pictures_is_read_as_a_video(tmp_path):
    """A stream of JPEGs that hold an Exif thumbnail (a camera's pictures put one after the other, as FFmpeg's mjpeg
    reader takes them): the first scan and end markers found were the thumbnail's, inside its first segment, so the
    stream was refused as "a picture (PNG or JPEG), not a video", though OpenCV reads every frame."""
    import cv2
    from utils.video_io import VideoReader
    pictures = []
    for index in range(4):
        frame = np.zeros((24, 32, 3), np.uint8)
        frame[:, index * 8:] = 255
        pictures.append(with_exif_thumbnail(cv2.imencode(".jpg", frame)[1].tobytes(),
                                            cv2.imencode(".jpg", frame[::4, ::4])[1].tobytes()))
    stream = tmp_path / "camera.mjpeg"
    stream.write_bytes(b"".join(pictures))
    frames = list(VideoReader(str(stream)))
    assert len(frames) == 4 and not np.array_equal(frames[0], frames[-1])


# Fourteenth pass, fourth look at the fourteenth pass's output-lock and path fixes

def test_a_full_disk_behind_a_link_and_dot_dot_is_told_as_a_full_disk(tmp_path, monkeypatch):
    """A video written to lnk/../clip.mp4 goes into the folder above lnk's target, on a full disk; whether ffmpeg's
    failure (no errno) was a full disk was asked of the disk os.path.abspath reads the path on (the working folder's),
    and the line was ffmpeg's words, not "no space left"."""
    from utils.atomic_files import disk_full
    from utils.paths import no_space
    full = tmp_path / "full"
    full.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(full)],
                                           capture_output=True).returncode:
        pytest.skip("needs root, to mount a small disk")
    try:
        (full / "deeper").mkdir()
        with pytest.raises(OSError), open(full / "filler", "wb") as filler:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        (tmp_path / "lnk").symlink_to(full / "deeper")
        monkeypatch.chdir(tmp_path)
        assert disk_full(None, "lnk/../clip.mp4")
        assert "no space left on the disk of 'lnk/../clip.mp4'" in str(no_space("lnk/../clip.mp4"))
        assert not disk_full(None, "clip.mp4")  # the working folder's disk has room
    finally:
        subprocess.run(["umount", str(full)], check=True)


# Fifteenth pass, second look at generate.py and evaluate.py

@pytest.mark.parametrize("extension, audio", [(".mp3", "libmp3lame"), (".m4a", "aac")])
def test_a_sound_file_with_a_cover_picture_is_refused_as_holding_no_video(tmp_path, extension, audio):
    """A song as a music library keeps it: its audio and a cover picture attached to the file. OpenCV opened the
    picture as a video of one frame at 90,000 frames a second, so generate.py super-resolved the cover and wrote an
    MP4 of it at that rate, exit code 0, where the same file without its cover is refused as audio only."""
    import cv2
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    cover, sound = tmp_path / "cover.png", tmp_path / f"song{extension}"
    cv2.imwrite(str(cover), np.full((24, 32, 3), 128, np.uint8))
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=1", "-i", str(cover),
                    "-map", "0", "-map", "1", "-c:a", audio, "-c:v", "png", "-disposition:v", "attached_pic",
                    str(sound)], check=True)
    with pytest.raises(UserError, match="holds audio and a cover picture only, no video stream"):
        VideoReader(str(sound))
    ffmpeg_video(tmp_path / "clip.mp4", frames=3)  # a video with its own frames still opens
    assert VideoReader(str(tmp_path / "clip.mp4")).total_frames == 3


def test_ffmpeg_ended_while_the_last_frames_wait_in_its_pipe_is_one_line_naming_the_signal(tmp_path):
    """ffmpeg killed (by another program, or by the system out of memory) while the last frames still sat in the
    pipe's buffer: closing the pipe raised BrokenPipeError, a traceback and exit code 1 from generate.py; killed
    while frames were written, the line said "no message"."""
    from utils.video_io import FfmpegVideoWriter
    writer = FfmpegVideoWriter(str(tmp_path / "clip.mp4"), 10, 4, 4)
    writer.write(np.zeros((4, 4, 3), np.uint8))  # 48 bytes: held in the pipe's buffer
    writer.process.kill()
    writer.process.wait()
    with pytest.raises(UserError, match="could not write video .*: it was ended by SIGKILL"):
        writer.close()
    assert os.listdir(tmp_path) == []


# Fifteenth pass, third look at the fifteenth pass's generate, demo and app fixes

@pytest.mark.parametrize("where", ["-metadata", "-metadata:s:v:0"])
def test_a_video_whose_words_read_like_a_stream_line_is_one_video(tmp_path, where):
    """The file's own words (a comment, a track's title) are printed among FFmpeg's stream lines, indented under
    a "key : value"; one reading 'Stream #0:1: Video: h264, 64x48' was taken for a second video stream, and a
    video of one stream was refused as holding two."""
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=3)
    worded = tmp_path / "worded.mkv"
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-i", clip, "-c", "copy", where,
                    "comment=Stream #0:1: Video: h264, 64x48", str(worded)], check=True)
    assert sum(1 for _ in VideoReader(str(worded))) == 3


def test_an_mpeg_ts_whose_video_stream_two_programs_share_is_one_video(tmp_path):
    """A transport stream whose programs share a stream (as a broadcast's services may): FFmpeg lists the stream
    under each program, and its video was refused as two video streams, advising to save a second that is not
    there."""
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=3)
    shared = tmp_path / "shared.ts"
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-i", clip, "-c", "copy", "-program", "title=A:st=0",
                    "-program", "title=B:st=0", str(shared)], check=True)
    assert sum(1 for _ in VideoReader(str(shared))) == 3


def test_a_video_beside_a_track_of_a_codec_ffmpeg_does_not_know_is_one_video(tmp_path):
    """A camera's MP4 may hold, beside its video, a track of a format of its maker's that FFmpeg names 'none' (no
    decoder, here an H.264 track relabelled): nothing can read it, yet the video was refused as one of two, with
    advice to save that track alone."""
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=3)
    other = ffmpeg_video(tmp_path / "other.mp4", "-pix_fmt", "yuv420p", frames=3, size="32x32")
    both = tmp_path / "both.mp4"
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-i", clip, "-i", other, "-map", "0", "-map", "1", "-c",
                    "copy", str(both)], check=True)
    data = both.read_bytes()
    second = data.rindex(b"avc1")  # the sample entry of the second track
    both.write_bytes(data[:second] + b"zzzz" + data[second + 4:])
    assert sum(1 for _ in VideoReader(str(both))) == 3


def test_a_video_of_a_codec_ffmpeg_does_not_know_is_not_said_to_hold_no_video(tmp_path):
    """An MP4 whose only video track is of a codec FFmpeg does not know (here an H.264 track relabelled): OpenCV
    cannot open it, and the line said "holds video only, no video stream", of a file that holds one."""
    from utils.video_io import VideoReader
    clip = ffmpeg_video(tmp_path / "clip.mp4", "-pix_fmt", "yuv420p", frames=3)
    data = open(clip, "rb").read()
    entry = data.rindex(b"avc1")  # the sample entry of its track
    unknown = tmp_path / "unknown.mp4"
    unknown.write_bytes(data[:entry] + b"zzzz" + data[entry + 4:])
    with pytest.raises(UserError, match=r"^video '.*unknown.mp4' has no frame OpenCV can decode"):
        VideoReader(str(unknown))


def test_a_video_cut_short_before_its_first_whole_frame_is_said_truncated_not_of_a_codec_opencv_lacks(tmp_path):
    """An H.264 MKV cut short before its first whole frame (a download broken off early): its header opens, no frame
    decodes, and the line blamed a codec "such as AV1" OpenCV may lack, advising to convert it to H.264 with
    ffmpeg, which decodes nothing of it either."""
    from hostile import video_cut_before_its_first_frame
    from utils.video_io import VideoReader
    from utils.video_probe import decodes_a_frame
    cut = video_cut_before_its_first_frame(tmp_path)
    assert not decodes_a_frame(cut)
    with pytest.raises(UserError, match=r"ended before its first frame .*: it is truncated or damaged") as raised:
        list(VideoReader(cut))
    assert "AV1" not in str(raised.value)


# Sixteenth pass, second look at generate.py's and evaluate.py's videos, streams, parts and scene cuts

@pytest.mark.parametrize("start, end", [(None, "30"), ("22", "30"), (None, "2.9s"), ("30", None)],
                         ids=["an end", "a start and an end", "an end time", "a start"])
def test_a_part_past_the_frames_an_edit_list_holds_is_refused_not_cut_short(tmp_path, start, end):
    """An MP4 trimmed by stream copy holds 25 frames and announces 40 (its edit list hides 15): `--end 30` was taken
    as its last frame, 25 frames written and exit code 0, fewer than asked without a word."""
    from hostile import video_of_an_edit_list
    from utils.video_io import VideoReader
    cut = video_of_an_edit_list(tmp_path)
    held = decoded_count(cut)
    assert held < 30 < VideoReader(cut).total_frames
    with pytest.raises(UserError, match=rf"is (past|at or after) the end of '.*cut.mp4' \({held} frames"):
        VideoReader(cut).select(start, end)


def test_a_part_within_the_frames_an_edit_list_holds_is_read_whole(tmp_path):
    from hostile import video_of_an_edit_list
    from utils.video_io import VideoReader
    cut = video_of_an_edit_list(tmp_path)
    held = decoded_count(cut)
    reader = VideoReader(cut)
    reader.select("2", str(held))
    assert sum(1 for _ in reader) == held - 2


def test_an_animated_webp_opencv_cannot_decode_gets_the_conversion_ffmpeg_can_do(tmp_path):
    """An animated WebP, which the FFmpeg beside us decodes and OpenCV's does not: the line said only "pass another
    video", where converting it to H.264 with that FFmpeg gives a video generate.py reads."""
    from utils.video_io import VideoReader
    from utils.video_probe import decodes_a_frame
    clip = ffmpeg_video(tmp_path / "clip.webp", "-c:v", "libwebp_anim", "-loop", "0", frames=5)
    assert decodes_a_frame(clip)
    with pytest.raises(UserError, match=r"^video '.*clip.webp' has no frame OpenCV can decode .*convert it to H.264"):
        VideoReader(clip)


def test_a_cut_past_the_count_a_program_stream_estimates_but_within_its_frames_is_read(tmp_path):
    """A cuts file of a cut at frame 28 of an MPEG program stream of 30 frames, which announces 26: refused as
    "outside the frames 1..25" of a video that holds it."""
    from hostile import mpeg_program_stream
    from utils.scenes import read_cuts_file
    from utils.video_io import VideoReader
    clip = mpeg_program_stream(tmp_path)
    reader = VideoReader(clip)
    assert reader.total_frames <= 28 < decoded_count(clip)
    (tmp_path / "cuts.txt").write_text("28\n")
    assert read_cuts_file(str(tmp_path / "cuts.txt"), reader.total_frames, frames_held=reader.frames_held) == [28]


def test_a_cut_past_the_frames_a_program_stream_holds_is_refused_with_their_count(tmp_path):
    from hostile import mpeg_program_stream
    from utils.scenes import read_cuts_file
    from utils.video_io import VideoReader
    clip = mpeg_program_stream(tmp_path)
    reader = VideoReader(clip)
    (tmp_path / "cuts.txt").write_text(f"{decoded_count(clip)}\n")
    with pytest.raises(UserError, match=rf"is outside the frames 1..{decoded_count(clip) - 1} "):
        read_cuts_file(str(tmp_path / "cuts.txt"), reader.total_frames, frames_held=reader.frames_held)


# Sixteenth pass, third look at the sixteenth pass's generate and evaluate fixes

@pytest.mark.parametrize("start, end", [(None, "100"), ("80", None)])
def test_a_part_far_past_an_estimated_count_is_not_said_to_be_past_the_frames_held(tmp_path, start, end):
    """An MPEG program stream of 30 frames announces 26, an estimate; a part far past it is refused without decoding
    the video to its end, and the line said "past the end of 'clip.mpg' (26 frames, 1.04 s)", a count a user takes
    for the frames held (an --end 26 then leaves 4 frames out)."""
    from hostile import mpeg_program_stream
    from utils.video_io import VideoReader
    clip = mpeg_program_stream(tmp_path)
    reader = VideoReader(clip)
    with pytest.raises(UserError, match=rf"\({reader.total_frames} frames, [0-9.]+ s, as it announces\)") as error:
        reader.select(start, end)
    assert f"({decoded_count(clip)} frames" not in str(error.value)


def test_a_cut_far_past_an_estimated_count_is_not_said_to_be_outside_the_frames_held(tmp_path):
    """The same for a cuts file's cut: "frame 100 is outside the frames 1..25" of a video of 30 frames."""
    from hostile import mpeg_program_stream
    from utils.scenes import read_cuts_file
    from utils.video_io import VideoReader
    clip = mpeg_program_stream(tmp_path)
    reader = VideoReader(clip)
    (tmp_path / "cuts.txt").write_text("100\n")
    with pytest.raises(UserError, match=rf"outside the frames 1..{reader.total_frames - 1} the video announces "):
        read_cuts_file(str(tmp_path / "cuts.txt"), reader.total_frames, frames_held=reader.frames_held)


# Eighteenth pass, second look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

@pytest.mark.parametrize("position", ["1:75", "0:1:60", "1:60:00"])
def test_a_time_of_sixty_seconds_or_minutes_after_a_colon_is_refused_as_ffmpeg_refuses_it(tmp_path, position):
    """--start 1:75 (a typo of 1:57?) was read as 2:15 and that part of a 150 s video super-resolved, exit code 0,
    where FFmpeg refuses such a time ("Invalid duration"). 75:00, without hours, is still 75 minutes."""
    from utils.video_io import VideoReader, parse_position
    clip = ffmpeg_video(tmp_path / "long.mp4", frames=1500, size="16x16")
    with pytest.raises(UserError, match=rf"^--start '{position}' is neither a frame number .* below 60\)$"):
        VideoReader(clip).select(position, None)
    assert parse_position("75:00") == ("time", 4500) and parse_position("1:59.5") == ("time", 119.5)


# Eighteenth pass, third look at the eighteenth pass's generate and evaluate fixes

@pytest.mark.parametrize("position, seconds", [(".5s", 0.5), ("0:59.99999999999999999", 60.0)],
                         ids=["no zero before the point", "seconds of 20 digits below 60"])
def test_a_time_ffmpeg_takes_is_taken(tmp_path, position, seconds):
    """'.5s' was refused where '0.5s' and FFmpeg's '.5' are taken; '1:59.99999999999999999' was refused as seconds of
    60 or more, its float being 60.0: seconds are below 60 as written (1:59.99999999999999999 so too)."""
    from utils.video_io import VideoReader, parse_position
    assert parse_position(position) == ("time", seconds)
    reader = VideoReader(ffmpeg_video(tmp_path / "clip.mp4", frames=700, size="16x16"))
    reader.select("0", position)
    assert reader.frame_count == round(seconds * float(reader.fps))


@pytest.mark.parametrize("frames, picture", [(["0001.png", "0003.png", "0005.png"], "thumb_4.webp"),
                                             (["0000.png", "0002.png", "0004.png"], "cover@3x.webp")],
                         ids=["a thumbnail", "a retina cover"])
def test_a_picture_named_otherwise_among_frames_numbered_by_twos_is_no_frame_left_out(tmp_path, frames, picture):
    """Frames numbered by twos (a render of every second frame) beside a picture of another format named otherwise
    whose number falls between two of theirs: it was refused as a frame left out ("is a picture among the frames of
    its sequence"); a picture named as the frames ('0002.webp') still is."""
    import cv2
    from utils.frame_names import list_frames
    for name in [*frames, picture]:
        cv2.imwrite(str(tmp_path / name), np.zeros((8, 8, 3), np.uint8))
    assert [os.path.basename(path) for path in list_frames(str(tmp_path))] == frames
    os.rename(tmp_path / picture, tmp_path / f"{int(frames[0][:4]) + 1:04d}.webp")
    with pytest.raises(UserError, match="is a picture among the frames of its sequence"):
        list_frames(str(tmp_path))


# Nineteenth pass, second look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

def test_a_cuts_file_of_one_long_line_is_refused_at_once(tmp_path):
    """A file of one line of megabytes given as --scene-cuts (a log, a file of another kind by mistake) was refused
    only after every character of the whole line was checked for how a terminal shows it, a wait growing with the
    line. The line shows its start alone."""
    import time

    from utils.scenes import read_cuts_file
    cuts = tmp_path / "cuts.txt"
    cuts.write_text("a" * 8 * 2 ** 20)
    started = time.perf_counter()
    with pytest.raises(UserError, match=r"line 1: 'a{10,}\.\.\. is not a frame number") as refused:
        read_cuts_file(str(cuts), 8)
    assert time.perf_counter() - started < 4
    assert len(str(refused.value)) < 300


def test_audio_matroska_cannot_hold_is_re_encoded_into_an_mkv(tmp_path):
    """A .mov of QuickTime's IMA ADPCM audio (old cameras') to --output-video .mkv: its audio was copied, as Matroska
    was said to take every codec, and ffmpeg failed once every frame was super-resolved, "Nothing was written into
    output file" (it has no Matroska tag for that codec). Audio it takes is still copied."""
    import generate
    from utils.video_probe import ffmpeg_executable, media_streams
    for codec in ("adpcm_ima_qt", "pcm_s16le"):
        video = str(tmp_path / f"{codec}.mov")
        subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc=size=32x24:rate=10", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                        "-frames:v", "6", "-t", "0.6", "-c:v", "libx264", "-c:a", codec, video], check=True)
        output = str(tmp_path / f"{codec}.mkv")
        generate.main(["--model", WEIGHTS, "--input-video", video, "--output-video", output, "--scene-cuts", "off"])
        assert ("Audio", "aac" if codec == "adpcm_ima_qt" else codec) in media_streams(output)


# Nineteenth pass, third look at the nineteenth pass's generate and evaluate fixes

@pytest.mark.parametrize("codec", ["pcm_u8", "libmp3lame"])
@pytest.mark.parametrize("start", [[], ["--start", "1"]], ids=["whole", "from frame 1"])
def test_the_audio_of_an_avi_whose_seek_fails_near_its_start_is_kept(tmp_path, codec, start):
    """An AVI of H.264 with PCM or MP3 audio to an .mp4: the output had no audio, exit code 0 (after a note that it
    was re-encoded, for PCM): ffmpeg was told to seek the audio's file to the part's start, even 0, and that seek
    fails near an AVI's start ("could not seek to position"), leaving its audio at its end."""
    import generate
    from utils.video_probe import ffmpeg_executable, media_streams
    video = str(tmp_path / "clip.avi")
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-frames:v", "8", "-t", "0.27",
                    "-c:v", "libx264", "-c:a", codec, video], check=True)
    output = str(tmp_path / "clip.mp4")
    generate.main(["--model", WEIGHTS, "--input-video", video, "--output-video", output, "--scene-cuts", "off",
                   *start])
    assert any(kind == "Audio" for kind, _ in media_streams(output))


def test_a_cuts_file_of_many_lines_is_refused_at_its_first_bad_line_without_reading_the_rest(tmp_path):
    """A log or table of hundreds of megabytes given as --scene-cuts was read whole, each of its lines kept in memory,
    before its first line was refused: gigabytes of memory and seconds of waiting for a refusal of line 1."""
    import tracemalloc

    from utils.scenes import read_cuts_file
    table = tmp_path / "log.csv"
    table.write_text("2024-01-01,12:00:00,frame,ok\n" * 2 ** 20)
    tracemalloc.start()
    try:
        with pytest.raises(UserError, match="line 1: '2024-01-01,12:00:00,frame,ok' is not a frame number"):
            read_cuts_file(str(table), 100)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < table.stat().st_size / 10


# Twentieth pass, second look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

@pytest.mark.parametrize("extension", [".mkv", ".mp4"])
def test_the_copied_audio_of_a_part_starts_with_its_video(tmp_path, extension):
    """A part (2.5 s + 1 s of a video of keyframes 3 s apart) to an .mkv: its copied audio ran from the keyframe before
    the start (0 s), 2.5 s before the video, which began that much later in the file (the seek lands on the keyframe,
    and copied packets before the start were kept; MP4's edit list hides them)."""
    from fractions import Fraction

    from hostile import stream_span
    from utils.video_io import FfmpegVideoWriter, VideoSource
    from utils.video_probe import ffmpeg_executable
    video = str(tmp_path / "clip.mp4")
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=10",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "4", "-g", "30", "-c:v",
                    "libx264", "-c:a", "aac", video], check=True)
    output = str(tmp_path / f"part{extension}")
    writer = FfmpegVideoWriter(output, Fraction(10), 32, 24, source=VideoSource(video, 2.5, 1.0))
    for _ in range(10):
        writer.write(np.zeros((24, 32, 3), np.uint8))
    writer.close()
    (video_first, video_end), (audio_first, audio_end) = stream_span(output, "0:v"), stream_span(output, "0:a")
    assert video_first == 0 and abs(video_end - 1) < 0.01
    assert abs(audio_first - video_first) < 0.05 and abs(audio_end - 1) < 0.05


def test_a_cuts_file_without_a_line_end_is_refused_without_holding_it(tmp_path):
    """A file of gigabytes with no line end (a disk image's NULs, a minified log) given as --scene-cuts was read whole
    as its first line before it was refused: a MemoryError traceback under a memory limit. A comment line of
    megabytes is still read past."""
    import tracemalloc

    from utils.scenes import read_cuts_file
    image = tmp_path / "disk.img"
    with open(image, "wb") as file:
        file.truncate(64 * 2 ** 20)
    comments = tmp_path / "cuts.txt"
    comments.write_text("# " + "x" * 4 * 2 ** 20 + "\n 3 # a shot\n")
    tracemalloc.start()
    try:
        with pytest.raises(UserError, match=r"line 1: '\\x00.*\.\.\. is not a frame number"):
            read_cuts_file(str(image), 8)
        assert read_cuts_file(str(comments), 8) == [3]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 ** 20


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "latin-1", "gb18030", "shift_jis"])
def test_a_cuts_file_in_another_encoding_is_read_or_refused_by_its_name(tmp_path, encoding):
    """A cuts file written by PowerShell 5 ('echo 3 > cuts.txt': UTF-16 with its byte-order mark) was refused as
    "cannot read ... ('utf-8' codec can't decode byte 0xff in position 0 ...); pass a readable text file", one without
    the mark as "'\\x003\\x00' is not a frame number"; one of numbers with a comment in Latin-1, GB18030 or Shift JIS
    was refused the same way, where the comment is left out."""
    from utils.scenes import read_cuts_file
    cuts = tmp_path / "cuts.txt"
    cuts.write_bytes("3\n# カット café\n6\n".encode(encoding, "replace"))
    if encoding.startswith("utf"):
        with pytest.raises(UserError, match="it is UTF-16 or UTF-32 text, not UTF-8; save it as UTF-8"):
            read_cuts_file(str(cuts), 8)
    else:
        assert read_cuts_file(str(cuts), 8) == [3, 6]


# Twentieth pass, third look at the twentieth pass's generate and evaluate fixes

def test_a_cuts_line_past_the_read_piece_is_read_whole_not_cut_short(tmp_path):
    """A cuts file's line is read 65,536 characters at a time, its text kept to that length: a number after 65,536
    leading zeros was refused as frame 0 (the zeros alone kept), and '3', 70,000 spaces and '4' was read as frame 3
    (the text past the spaces unread), exit code 0. Blanks before a comment are still read past."""
    from utils.scenes import read_cuts_file
    zeros, spaced, commented = tmp_path / "zeros.txt", tmp_path / "spaced.txt", tmp_path / "commented.txt"
    zeros.write_text("0" * 70_000 + "3\n0" + "0" * 65_536 + "5\n")
    spaced.write_text("3" + " \t" * 35_000 + "4\n")
    commented.write_text("3" + " " * 70_000 + "# a shot\n6\n")
    assert read_cuts_file(str(zeros), 8) == [3, 5]
    with pytest.raises(UserError, match=r"line 1: '3 .* is not a frame number"):
        read_cuts_file(str(spaced), 8)
    assert read_cuts_file(str(commented), 8) == [3, 6]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_a_cuts_file_of_utf16_or_utf32_without_its_mark_opening_with_a_comment_is_refused_by_its_name(tmp_path,
                                                                                                       encoding):
    """UTF-16 or UTF-32 without a byte-order mark was named as such only where its first line held a number; one
    opening with a comment or a blank line was "line 2: '\\x003\\x00' is not a frame number" (or "line 1: '\\x00'"), one
    of a comment in Japanese as well."""
    from utils.scenes import read_cuts_file
    cuts = tmp_path / "cuts.txt"
    for text in ("# cuts of clip 1\n3\n", "\n3\n", "# カット\n3\n"):
        cuts.write_bytes(text.encode(encoding))
        with pytest.raises(UserError, match="it is UTF-16 or UTF-32 text, not UTF-8; save it as UTF-8"):
            read_cuts_file(str(cuts), 8)


def test_the_aac_of_an_mpeg_ts_is_copied_into_an_mkv(tmp_path):
    """The one probe of an audio packet wrote Matroska to a pipe, where the muxer refuses the AAC of an MPEG-TS (its
    sample rate comes with the first packet, after the header it cannot go back to): a broadcast recording's AAC was
    re-encoded for an .mkv, "note: ... is aac, which .mkv cannot hold", where FFmpeg writes it into the file as it is.
    Matroska refusing a codec (QuickTime's IMA ADPCM) is still found."""
    from utils.video_probe import ffmpeg_executable, matroska_takes_audio
    ffmpeg = ffmpeg_executable()
    recording, camera = str(tmp_path / "recording.ts"), str(tmp_path / "camera.mov")
    for path, codec in ((recording, "aac"), (camera, "adpcm_ima_qt")):
        subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=10", "-f",
                        "lavfi", "-i", "sine=sample_rate=48000", "-t", "0.5", "-c:v", "libx264", "-c:a", codec, path],
                       check=True)
    assert matroska_takes_audio(recording, ffmpeg)
    assert not matroska_takes_audio(camera, ffmpeg)


# Twenty-first pass, look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

@pytest.mark.parametrize("per_byte", [1, 2], ids=["RLE8", "RLE4"])
def test_a_run_length_bmp_cut_short_is_said_so_before_it_is_decoded(tmp_path, capfd, per_byte):
    """A BMP packed in runs (Paint's and GIMP's RLE8 and RLE4) has rows of no fixed length, so the byte check of a BMP
    let one cut short through to its decoding: OpenCV's own line ("imdecode_ ... Unexpected end of input stream"), then
    "the file is corrupt or not an image". Its runs are now walked as OpenCV reads them: a file whose last row is
    there, its end codes cut off, is still read."""
    from hostile import run_length_bmp
    from utils.image_io import read_bgr_uint8
    indices = (np.arange(8 * 12).reshape(8, 12) // 5 % 16).astype(np.uint8)
    data = run_length_bmp(indices, per_byte)
    frame = tmp_path / "0001.bmp"
    frame.write_bytes(data[:-2])  # the picture's end code cut off: the last row is there
    assert read_bgr_uint8(str(frame)).shape == (8, 12, 3)
    capfd.readouterr()
    for cut in (len(data) // 2, len(data) - 6):
        frame.write_bytes(data[:cut])
        with pytest.raises(UserError, match="0001.bmp': the file is cut short; replace or remove it"):
            read_bgr_uint8(str(frame))
    assert capfd.readouterr().err == ""


def test_counts_of_one_in_the_demo_s_evaluate_s_and_the_video_reader_s_lines_are_said_in_the_singular(tmp_path):
    """Lines that said "frame(s)", "folder(s)", "file(s)" beside a count now say it as generate.py's "wrote 1 frame"
    does (utils.errors.counted): demo.py "gave 1 frame(s)", a video cut short "(the 1 frame(s) there are fewer than the
    5 needed)", a part past a video of one frame "(1 frames, 0.10 s)", evaluate.py "--results names 1 folder(s)" and
    "--scene-cuts names 2 file(s) for 1 --results folder(s)"."""
    import re

    import demo
    import evaluate
    from hostile import intra_video_cut_short
    from utils.video_io import VideoReader
    one = ffmpeg_video(tmp_path / "one.mp4", frames=1, size="64x64")
    with pytest.raises(UserError, match=r"gave 1 frame; the demo needs at least 5$"):
        demo.read_frames(one, 5, None)
    with pytest.raises(UserError, match=r"--start 1 is at or after the end of .*one.mp4' \(1 frame, 0.10 s"):
        VideoReader(one).select("1")
    reader = VideoReader(intra_video_cut_short(tmp_path, 10), "--frames", 5, folder_flag=None)
    reader.select("2")
    with pytest.raises(UserError, match=r"\(the 1 frame there is fewer than the 5 needed\)$"):
        list(reader)
    for flags, said in ((["--results", "r", "--targets", "t1,t2"], "--results names 1 folder but --targets names 2;"),
                        (["--results", "r", "--targets", "t", "--scene-cuts", "c1,c2"],
                         "--scene-cuts names 2 files for 1 --results folder;")):
        with pytest.raises(UserError, match=f"^{re.escape(said)}"):
            evaluate.parse_args(flags + ["--output", str(tmp_path / "e")])


@pytest.mark.parametrize("matrix", [["-display_hflip"], ["-display_vflip"],
                                    ["-display_rotation", "90", "-display_hflip"]],
                         ids=["flipped", "flipped vertically", "turned and flipped"])
def test_a_video_whose_display_matrix_mirrors_it_is_read_as_players_show_it(tmp_path, matrix):
    """A video mirrored by its display matrix (QuickTime Player's Flip Horizontal writes one, the pixels unchanged):
    OpenCV turned it by the matrix's rotation alone, and the frames were read mirrored (and turned 180 degrees where
    flipped alone) from what players and FFmpeg show, the video super-resolved so, exit code 0."""
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    plain, mirrored = str(tmp_path / "plain.mp4"), str(tmp_path / "mirrored.mov")
    ffmpeg_video(plain, "-c:v", "libx264", "-pix_fmt", "yuv444p", frames=1, size="32x24")
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", *matrix, "-i", plain, "-c", "copy", mirrored],
                   check=True)
    frame = next(iter(VideoReader(mirrored)))
    shown = subprocess.run([ffmpeg_executable(), "-v", "error", "-i", mirrored, "-f", "rawvideo", "-pix_fmt", "rgb24",
                            "-"], capture_output=True, check=True).stdout
    assert frame.shape == ((32, 24, 3) if "90" in matrix else (24, 32, 3))
    assert np.abs(np.rint(frame * 255) - np.frombuffer(shown, np.uint8).reshape(frame.shape)).mean() < 2


def test_a_frame_number_of_many_leading_zeros_is_that_frame():
    """--start 0000000000000000003 (19 digits, the number read from a long zero-padded name) was "at or after the end"
    of a video of 12 frames: a number of more than 18 digits was taken as past any end, its zeros counted."""
    from utils.video_io import parse_position
    assert parse_position("0" * 18 + "3") == ("frame", 3)
    assert parse_position("0" * 400) == ("frame", 0)
    assert parse_position("1" + "0" * 18)[1] == float("inf")


def test_a_frame_of_a_format_opencv_does_not_decode_under_a_frame_s_name_is_named_by_its_format(tmp_path):
    """A GIF saved as '0002.png', an iPhone's HEIC or a browser's AVIF renamed '.jpg', a lossless JPEG: "the file is
    corrupt or not an image", where it is a whole picture of a format OpenCV does not decode. A damaged one of a format
    it decodes (a WebP named '.png' cut short) is still said to be corrupt."""
    import io
    import re

    from PIL import Image

    from utils.image_io import read_bgr_uint8
    from utils.video_probe import ffmpeg_executable
    picture = Image.fromarray(np.full((8, 8, 3), 90, np.uint8))
    saved = {}
    for kind in ("GIF", "WEBP"):
        stream = io.BytesIO()
        picture.save(stream, kind)
        saved[kind] = stream.getvalue()
    picture.save(tmp_path / "source.png")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-i", str(tmp_path / "source.png"), "-c:v", "ljpeg", "-pix_fmt",
                    "bgr24", str(tmp_path / "lossless.jpg")], check=True)
    heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64
    for name, data, said in (("0002.png", saved["GIF"], "it is GIF by its bytes"),
                             ("0002.jpg", heic, "it is HEIF (HEIC) by its bytes"),
                             ("0003.jpg", (tmp_path / "lossless.jpg").read_bytes(), "it is lossless JPEG by its bytes"),
                             ("0004.png", saved["WEBP"][:-20], "the file is corrupt or not an image")):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(UserError, match=f"'.*{name}': {re.escape(said)}"):
            read_bgr_uint8(str(tmp_path / name))


@pytest.mark.parametrize("extension", [".mkv", ".mp4"])
def test_the_audio_of_a_video_that_begins_after_its_sound_stays_in_step(tmp_path, extension):
    """A video whose first frame begins half a second after its audio (an MP4's edit list, a broadcast's MPEG-TS):
    the output video begins with that frame, and the audio was copied from the file's start, half a second late (a
    click at 2.0 s, with the frame of 2.0 s, came 0.5 s after that frame in the output), exit code 0."""
    from hostile import click_after_writing
    from utils.video_probe import ffmpeg_executable
    ffmpeg, source, output = ffmpeg_executable(), str(tmp_path / "late.mp4"), str(tmp_path / f"sr{extension}")
    subprocess.run([ffmpeg, "-v", "error", "-itsoffset", "0.5", "-f", "lavfi", "-i",
                    "testsrc=size=32x24:rate=10:duration=3", "-f", "lavfi", "-i",
                    "aevalsrc='if(between(t,2.0,2.01),0.9,0)':s=8000:d=3.5", "-map", "0:v", "-map", "1:a", "-c:v",
                    "libx264", "-c:a", "aac", source], check=True)
    click = click_after_writing(source, output)
    assert click == pytest.approx(1.5, abs=0.03)  # the frame of 2.0 s, the output's 16th


# Twenty-first pass, second look at the twenty-first pass's generate, tile and page fixes

def test_a_re_encoded_audio_that_ends_before_the_part_is_said_to_give_no_track(tmp_path, capsys):
    """A PCM source's part after its audio's end, to .mp4: the note said the audio "is re-encoded to AAC", and the
    output had no audio track at all, without a word."""
    from utils.video_io import FfmpegVideoWriter, VideoSource
    from utils.video_probe import ffmpeg_executable, media_streams
    source, output = str(tmp_path / "pcm.mkv"), str(tmp_path / "sr.mp4")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=16x16:rate=10:duration=3",
                    "-f", "lavfi", "-i", "sine=duration=1", "-c:v", "libx264", "-c:a", "pcm_s16le", source], check=True)
    for start, track in ((2.0, False), (0.5, True)):
        writer = FfmpegVideoWriter(output, 10, 16, 16, VideoSource(source, start, 0.3))
        for _ in range(3):
            writer.write(np.zeros((16, 16, 3), np.uint8))
        writer.close()
        err = capsys.readouterr().err
        assert ("Audio", "aac") in media_streams(output) if track else ("Audio", "aac") not in media_streams(output)
        assert ("has no audio track: the audio of" in err) is not track, err


def test_a_frame_of_a_format_opencv_does_not_decode_is_named_as_a_frame_of_the_uploaded_zip(tmp_path):
    """A GIF named '0002.png' in an uploaded zip: "cannot read image '0002.png': it is GIF by its bytes ...; convert it
    to PNG and put that in its place", a file on the server, where a damaged frame is "frame '0002.png' of
    'frames.zip' cannot be read: ...; zip whole frames again and upload that zip" (undecoded_format's UserError was
    no UnreadableImage)."""
    import io
    import zipfile

    import cv2
    from PIL import Image

    from utils.image_io import UnreadableImage, read_bgr_uint8
    from webapp.inputs import zip_input
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    with zipfile.ZipFile(tmp_path / "up.zip", "w") as archive:
        archive.writestr("0001.png", cv2.imencode(".png", np.zeros((8, 8, 3), np.uint8))[1].tobytes())
        archive.writestr("0002.png", gif.getvalue())
    with pytest.raises(UserError) as refused:
        zip_input(str(tmp_path / "up.zip"), "frames.zip", str(tmp_path / "job"), 2 ** 30)
    assert str(refused.value) == (
        "frame '0002.png' of 'frames.zip' cannot be read: it is GIF by its bytes (whatever its name), a format OpenCV "
        "does not decode (convert it to PNG); zip whole frames again and upload that zip")
    (tmp_path / "0002.png").write_bytes(gif.getvalue())
    with pytest.raises(UnreadableImage, match=r"'.*0002.png': it is GIF by its bytes .*\(convert it to PNG\); "
                                              "replace or remove it$"):
        read_bgr_uint8(str(tmp_path / "0002.png"))


@pytest.mark.parametrize("fps", [1 / 1000, 1e-9])
def test_a_gif_of_a_clip_slower_than_a_gif_can_say_is_written(tmp_path, fps):
    """demo.py on a clip of 0.001 fps (a frame each 1000 s): its GIF's delays, past the 65535 hundredths a GIF holds,
    failed in Pillow's writer, a struct.error traceback with exit code 1, the demo's metrics and page not written."""
    from PIL import Image

    from utils.pictures import side_by_side_gif
    frames = [np.full((16, 16, 3), value, np.float32) for value in (0.2, 0.8)]
    side_by_side_gif(str(tmp_path / "x.gif"), [frames] * 3, (0, 0, 16, 16), "clip", fps, ["a", "b", "c"])
    with Image.open(tmp_path / "x.gif") as gif:
        assert gif.n_frames == 2 and gif.info["duration"] == 655350


def test_the_audio_of_an_mpeg_ts_whose_video_begins_after_its_sound_stays_in_step(tmp_path):
    """An MPEG-TS whose first frame begins 0.128 s after its first audio packet (H.264 with B-frames beside AAC, a
    broadcast's timestamps from 5 s): video_lead read 0, FFmpeg's output of the frame alone beginning at it, and the
    audio was put 0.128 s late (a click with the frame of 1.5 s came at 1.628 s), exit code 0."""
    from hostile import click_after_writing
    from utils.video_probe import ffmpeg_executable
    ffmpeg, source, output = ffmpeg_executable(), str(tmp_path / "broadcast.ts"), str(tmp_path / "sr.mkv")
    subprocess.run([ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=10:duration=3", "-f", "lavfi",
                    "-i", "aevalsrc='if(between(t,1.5,1.51),0.9,0)':s=8000:d=3", "-c:v", "libx264", "-c:a", "aac",
                    "-output_ts_offset", "5", source], check=True)
    click = click_after_writing(source, output)
    assert click == pytest.approx(1.5, abs=0.03)  # the frame of 1.5 s, the output's 16th


@pytest.mark.parametrize("header", [56, 108, 124])
def test_a_bmp_of_16_bit_bit_fields_in_a_larger_header_is_named_not_called_corrupt(tmp_path, header):
    """A whole BMP of 16-bit pixels by bit fields (R5 G6 B5) in a V3, V4 or V5 header (GIMP's export): "the file is
    corrupt or not an image", where OpenCV's reader takes such pixels after a 40-byte header alone."""
    import struct

    from utils.image_io import UnreadableImage, read_bgr_uint8
    pixels = bytes(range(24))  # 4x3 pixels of 2 bytes, rows of 8
    info = struct.pack("<IiiHHIIiiII", header, 4, 3, 1, 16, 3, len(pixels), 2835, 2835, 0, 0)
    info += struct.pack("<III", 0xF800, 0x07E0, 0x001F).ljust(header - 40, b"\0")
    (tmp_path / "0001.bmp").write_bytes(b"BM" + struct.pack("<IHHI", 14 + header + 24, 0, 0, 14 + header) + info
                                        + pixels)
    with pytest.raises(UnreadableImage, match="it is a BMP of 16-bit pixels by bit fields in a header of more than 40 "
                                              r"bytes .* which OpenCV does not decode \(save it as PNG\)"):
        read_bgr_uint8(str(tmp_path / "0001.bmp"))


# Twenty-second pass, look at generate.py's and evaluate.py's inputs, videos and scores

def test_a_video_whose_frame_size_changes_is_refused_before_it_is_read(tmp_path):
    """A video of 32x24 frames, then 48x32 ones (two recordings joined, a broadcast's MPEG-TS): OpenCV read the MP4's
    later frames squeezed to 32x24, exit code 0, and failed on the MPEG-TS's with a cv2.error traceback (the scene
    detector's, or the frames' own with --scene-cuts off), even for --end 3, before the change."""
    from hostile import video_of_two_sizes
    from utils.video_io import VideoReader, read_video_frames
    from utils.video_probe import ffmpeg_executable
    path, broadcast = video_of_two_sizes(tmp_path / "joined.mp4"), str(tmp_path / "joined.ts")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-i", path, "-c", "copy", broadcast], check=True)
    said = (r"changes its frame size part-way: its first 4 frames are 32x24, then 48x32, which OpenCV reads squeezed "
            r"to 32x24 \(or not at all\); save each size as a video of its own \(e.g. ffmpeg -i IN -t 0.4 FIRST.mkv "
            r"and ffmpeg -ss 0.4 -i IN REST.mkv\) and super-resolve each$")
    with pytest.raises(UserError, match=said):
        VideoReader(path).select()
    with pytest.raises(UserError, match=said):
        read_video_frames(path, 2)
    with pytest.raises(UserError, match=said):
        VideoReader(broadcast).select(None, "3")
    assert VideoReader(ffmpeg_video(tmp_path / "one.mp4", frames=4, size="32x24")).select() is None


def test_the_flac_of_a_part_stays_in_step_in_an_mp4(tmp_path):
    """FLAC (and ALAC) copied into an .mp4, .mov or .m4v from a seek (a part, or a video beginning after its sound):
    FFmpeg read the packets before the start, which the edit list was to hide, as if they were not there, and the
    click beside the frame of 1.0 s of a part from 0.5 s came at 0.671 s, exit code 0."""
    from hostile import click_after_writing
    from utils.video_probe import ffmpeg_executable
    source = str(tmp_path / "flac.mkv")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=10:duration=3",
                    "-f", "lavfi", "-i", "aevalsrc='if(between(t,1.5,1.51),0.9,0)':s=48000:d=3", "-c:v", "libx264",
                    "-c:a", "flac", source], check=True)
    assert click_after_writing(source, str(tmp_path / "sr.mp4"), 0.5, 20) == pytest.approx(1.0, abs=0.03)


def test_the_audio_a_player_plays_is_the_one_copied(tmp_path):
    """An MKV of two audio tracks, the first silent and not flagged default, the second (a tone) the default one
    players play: the first was copied into the output video, silent, exit code 0."""
    from utils.video_io import FfmpegVideoWriter, VideoSource
    from utils.video_probe import ffmpeg_executable
    source, output = str(tmp_path / "two.mkv"), str(tmp_path / "sr.mp4")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=16x16:rate=10:duration=1",
                    "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-f", "lavfi", "-i", "sine=r=8000:d=1", "-map", "0",
                    "-map", "1", "-map", "2", "-t", "1", "-c:v", "libx264", "-c:a", "aac", "-disposition:a:0", "0",
                    "-disposition:a:1", "default", source], check=True)
    writer = FfmpegVideoWriter(output, 10, 16, 16, VideoSource(source, 0.5, 0.3))
    for _ in range(3):
        writer.write(np.zeros((16, 16, 3), np.uint8))
    writer.close()
    heard = np.frombuffer(subprocess.run([ffmpeg_executable(), "-v", "error", "-i", output, "-map", "0:a", "-f",
                                          "f32le", "-"], capture_output=True, check=True).stdout, np.float32)
    assert np.abs(heard).max() > 0.05


@pytest.mark.parametrize("lead", [None, 0.15], ids=["avi-of-b-frames", "lead-between-frames"])
def test_the_lead_of_a_video_is_read_to_the_millisecond(tmp_path, lead):
    """video_lead read an XviD-like AVI (MPEG-4 Part 2 of B-frames, which AVI stores without presentation times) as
    leading by 0.1 s, FFmpeg's decoder giving its first frame a frame late: the click beside the frame of 1.5 s came
    at 1.4 s; and it read a lead in whole frames (an MKV's video copied 0.15 s after its sound, at 10 fps, as 0.2 s):
    the audio out of step by up to half a frame, exit code 0."""
    from hostile import click_after_writing
    from utils.video_probe import ffmpeg_executable
    ffmpeg, source = ffmpeg_executable(), str(tmp_path / ("clip.avi" if lead is None else "clip.mkv"))
    video = ["-f", "lavfi", "-i", "testsrc=size=32x24:rate=10:duration=3"]
    if lead is not None:  # copied, the video keeps the MKV's millisecond times (an encoder's are whole frames)
        subprocess.run([ffmpeg, "-v", "error", *video, "-c:v", "libx264", str(tmp_path / "video.mkv")], check=True)
        video = ["-itsoffset", str(lead), "-i", str(tmp_path / "video.mkv")]
    subprocess.run([ffmpeg, "-v", "error", *video, "-f", "lavfi", "-i",
                    "aevalsrc='if(between(t,1.5,1.51),0.9,0)':s=8000:d=3", "-c:v",
                    "mpeg4" if lead is None else "copy", "-bf", "2", "-c:a", "pcm_s16le", source], check=True)
    assert click_after_writing(source, str(tmp_path / "sr.mkv")) == pytest.approx(1.5 - (lead or 0), abs=0.02)


# Twenty-second pass, second look at the twenty-second pass's generate and tile fixes

def test_a_video_of_two_sizes_is_refused_when_its_first_frame_is_read_before_the_part(tmp_path):
    """The web page's upload check reads a video's first frame before its Start and End are chosen (select's size
    check): an MKV of 32x24 frames, then 48x32 ones, failed there with OpenCV's cv2.error traceback
    ("_step >= minstep"), where generate.py refuses the video in one line."""
    from hostile import video_of_two_sizes
    from utils.video_io import VideoReader
    with pytest.raises(UserError, match=r"changes its frame size part-way: its first 4 frames are 32x24, then 48x32"):
        next(iter(VideoReader(video_of_two_sizes(tmp_path / "joined.mkv"))))


def test_the_size_change_of_a_variable_rate_video_is_said_at_its_frame_and_time(tmp_path):
    """A phone's variable-rate video of 32x24 frames 0.1 s apart, then 7 ms apart, changing to 48x32 at its fifth
    frame (0.307 s): FFmpeg gave the frames at the average rate's times, left out those close together, and the line
    said "its first 3 frames ..." and to cut it at 0.4 s, after the change. Now each frame at its own time."""
    from hostile import video_of_two_sizes
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    joined, path = video_of_two_sizes(tmp_path / "joined.mkv"), str(tmp_path / "variable.mkv")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-i", joined, "-c", "copy", "-bsf:v",
                    r"setts=ts=if(lt(N\,3)\,N*100\,300+(N-3)*7)", path], check=True)
    with pytest.raises(UserError, match=r"its first 4 frames are 32x24, then 48x32, .* \(e.g. ffmpeg -i IN -t 0.307 "
                                        r"FIRST.mkv and ffmpeg -ss 0.307 -i IN REST.mkv\)"):
        VideoReader(path).select()


@pytest.mark.parametrize("then", ["yuv444p", "yuv420p10le"])
def test_a_video_whose_pixel_format_changes_is_refused(tmp_path, then):
    """Two recordings of one size joined, 4:2:0 then 4:4:4 or 8-bit then 10-bit: OpenCV read the later frames as the
    first ones' format, their planes misread (a mean error of 109 and 121 of 255), exit code 0; the size check did not
    see it (FFmpeg converted every frame to the format its output was opened with)."""
    from hostile import video_of_two_sizes
    from utils.video_io import VideoReader
    path = video_of_two_sizes(tmp_path / "joined.mkv", then="32x24", formats=("yuv420p", then))
    with pytest.raises(UserError, match=rf"changes its pixel format part-way: its first 4 frames are yuv420p, then "
                                        rf"{then}, which OpenCV reads as yuv420p, their colours wrong; save each "
                                        r"format as a video of its own \(e.g. ffmpeg -i IN -t 0.4 FIRST.mkv"):
        VideoReader(path).select()


def test_the_split_a_size_change_s_line_advises_is_timed_from_the_file_s_start(tmp_path):
    """An AVI of H.264 with B-frames, 32x24 then 48x32 from its fifth frame: FFmpeg gives its first frame at 0.2 s (AVI
    stores no presentation times), and the line's "-t 0.4" and "-ss 0.4", timed from that frame, not from the file's
    start as ffmpeg counts them, cut after the second frame: its REST.mkv changed its size again."""
    from hostile import video_of_two_sizes
    from utils.video_io import VideoReader
    with pytest.raises(UserError, match=r"first 4 frames .* \(e.g. ffmpeg -i IN -t 0.6 FIRST.mkv and ffmpeg -ss 0.6 "):
        VideoReader(video_of_two_sizes(tmp_path / "joined.avi", b_frames=2)).select()


# Twenty-third pass, look at generate.py's and evaluate.py's inputs, videos and scores

@pytest.mark.parametrize("kind", ["variable-rate", "gif-of-655-s-frames"])
def test_a_cut_is_numbered_by_its_frame_not_by_its_time(tmp_path, kind):
    """PySceneDetect numbered a frame by its time times the average rate: a variable-rate video's cut at frame 12
    (frames 0.1 s apart, then 7 ms apart) was said at frame 5, the recurrence started again in mid-shot and not at the
    cut, exit code 0; a GIF of two frames of 655 s each (OpenCV's rate 100) had a cut at frame 65500, and generate.py's
    progress bar counted 65501 frames first ("0/65501"), then "2/2"."""
    from PIL import Image

    from utils.scenes import detect_cuts
    from utils.video_probe import ffmpeg_executable
    if kind == "gif-of-655-s-frames":
        path, frames = str(tmp_path / "slides.gif"), [Image.new("RGB", (16, 16), colour) for colour in ("red", "blue")]
        frames[0].save(path, save_all=True, append_images=frames[1:], duration=655000, loop=0)
        assert detect_cuts(path) == []  # a cut within MIN_SHOT_FRAMES of the start is none
        return
    path, shots = str(tmp_path / "variable.mkv"), str(tmp_path / "shots.mkv")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=10", "-f",
                    "lavfi", "-i", "smptebars=size=32x24:rate=10", "-filter_complex",
                    "[0]trim=end_frame=12[a];[1]trim=end_frame=12[b];[a][b]concat=n=2", "-c:v", "libx264", shots],
                   check=True)
    subprocess.run([ffmpeg_executable(), "-v", "error", "-i", shots, "-c", "copy", "-bsf:v",
                    r"setts=ts=if(lt(N\,6)\,N*100\,500+(N-5)*7)", path], check=True)
    assert detect_cuts(path) == [12] and detect_cuts(path, 9, 20) == [12]


def test_a_video_whose_first_video_stream_is_its_cover_is_refused(tmp_path):
    """An MP4 whose cover picture (an attached picture, its udta box before its trak) FFmpeg lists before its video:
    OpenCV reads the first video stream, and the cover was super-resolved as a video of one 64x64 frame at 90000 fps,
    exit code 0."""
    from hostile import video_after_its_cover
    from utils.video_io import VideoReader
    with pytest.raises(UserError, match=r"holds a cover picture \(64x64\) before its video stream, which OpenCV would "
                                        r"read in the video's place; save the file without it \(e.g. ffmpeg -i IN -map "
                                        r"0 -map -0:v:0 -c copy OUT.mp4\)"):
        VideoReader(video_after_its_cover(tmp_path))


@pytest.mark.parametrize("extension", [".mp4", ".mkv"])
def test_the_size_check_of_a_video_of_one_size_decodes_its_key_frames_alone(tmp_path, monkeypatch, extension):
    """VideoReader.refuse_a_size_change decoded every frame once more before the first was read: 8 s for 10 minutes of
    480x270 H.264 (48 s an hour) before the first output. Of H.264, whose size and format change only at a key frame,
    its key frames are decoded (the Matroska demuxer reads every packet: decoded by -skip_frame nokey), 2 of its 60."""
    from utils import video_probe
    shown = []
    counted = video_probe.first_size_change
    monkeypatch.setattr(video_probe, "first_size_change", lambda lines, frames=None: counted(
        (video_probe.SHOWN_FRAME.search(line) and shown.append(line) or line for line in lines), frames))
    path = ffmpeg_video(tmp_path / f"clip{extension}", "-c:v", "libx264", "-g", "30", frames=60, size="32x24")
    assert video_probe.size_change(path) is None and len(shown) == 2


def test_a_video_whose_colour_range_changes_is_refused(tmp_path):
    """A limited-range recording joined to a full-range one (a phone's): OpenCV read the later frames with the first
    ones' range, their levels misread (a mean error of 4 of 255 against FFmpeg's decode of them), exit code 0; the
    check took yuvj420p for yuv420p, and FFmpeg gives such frames as yuv420p of color_range pc too."""
    from hostile import video_of_two_sizes
    from utils.video_io import VideoReader
    path = video_of_two_sizes(tmp_path / "joined.mp4", then="32x24", formats=("yuv420p", "yuvj420p"))
    with pytest.raises(UserError, match=r"changes its pixel format part-way: its first 4 frames are yuv420p, then "
                                        r"yuv420p \(full range\), which OpenCV reads as yuv420p, their colours wrong"):
        VideoReader(path).select()


def test_an_animated_png_of_varying_delays_is_read_at_its_average_rate(tmp_path):
    """An APNG of 500, 100, 100 and 100 ms: OpenCV's rate is FFmpeg's guess from its first delays (10 fps), and its
    video was written at 10 fps, twice as fast (0.4 s of 0.8 s), exit code 0, as a GIF's was before gif_average_rate."""
    from PIL import Image

    from utils.video_io import VideoReader
    path = str(tmp_path / "anim.png")
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "green", "blue", "white")]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=[500, 100, 100, 100], loop=0)
    assert VideoReader(path).fps == 5


def test_a_variable_rate_mkv_announcing_more_frames_than_it_holds_is_read_whole(tmp_path):
    """A screen recording's MKV: frames about 33 ms apart, jittering, and a pause of 10 s, so that its count announced
    (its duration at the 10 fps its header gives) is 107 of its 20 frames: FFmpeg's check that it decodes cleanly took
    the null muxer's complaints of frames closer than 1/10 s ("non monotonically increasing dts") for errors, and the
    video was refused as "truncated or damaged"."""
    from hostile import screen_recording
    from utils.video_io import VideoReader
    reader = VideoReader(screen_recording(tmp_path))
    reader.select()
    assert len(list(reader)) == 20


def test_a_variable_rate_mkv_is_written_at_its_average_rate(tmp_path):
    """The screen recording's MKV above (20 frames over 10.6 s, its header's 10 fps): read at 10 fps, its video was
    written 2 s long beside 10.6 s of its sound, exit code 0, where variable-rate videos are written at their average
    rate (an MP4's, as OpenCV gives it); its count announced, its duration at 10 fps, was 107."""
    from hostile import screen_recording
    from utils.video_io import VideoReader
    reader = VideoReader(screen_recording(tmp_path))
    assert float(reader.fps) == pytest.approx(19 / 10.63, rel=0.01) and reader.total_frames == 19


# Twenty-third pass, second look at the twenty-third pass's generate and tile fixes

@pytest.mark.parametrize("layout", ["sound-lasting-past-it", "beginning-at-3-s", "three-frames-1-s-apart"])
def test_a_variable_rate_mkv_of_longer_sound_a_late_start_or_few_frames_is_written_at_its_average_rate(tmp_path,
                                                                                                       layout):
    """The screen recording's MKV (20 frames over 10.6 s, its header's 10 fps) with sound lasting 13 s, or its frames
    from 3 s (ffmpeg's -ss cut of a longer recording keeps its times), or an MKV of 3 frames 1 s apart (its header's 10
    fps): its frames did not span the duration its header gives, from the file's zero, its last frame taken to last
    the average's time (1 s, where its header gives 0.1 s), and it was taken for a file cut short and written at 10
    fps, 2 s of video beside 13 s of its sound (0.3 s of 3 s), exit code 0."""
    from hostile import screen_recording
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    path = str(tmp_path / "recording.mkv")
    if layout == "three-frames-1-s-apart":
        source, options, rate = ffmpeg_video(tmp_path / "three.mkv", "-c:v", "libx264", frames=3, size="16x16"), [
            "-c", "copy", "-bsf:v", "setts=ts=N*1000"], 1
    else:
        source, options, rate = screen_recording(tmp_path), ([
            "-f", "lavfi", "-i", "sine=d=13", "-c:v", "copy", "-c:a", "flac"] if layout == "sound-lasting-past-it"
            else ["-c", "copy", "-bsf:v", "setts=ts=TS+3000"]), 19 / 10.63
    subprocess.run([ffmpeg_executable(), "-v", "error", "-i", source, *options, path], check=True)
    assert float(VideoReader(path).fps) == pytest.approx(rate, rel=0.02)  # the muxer rounds the times anew


@pytest.mark.parametrize("grey", ["L", "LA"])
def test_a_greyscale_result_of_a_colour_target_is_refused(tmp_path, grey):
    """A result saved as a greyscale PNG by another tool, of colour targets: the authors' PSNR and SSIM are of luma
    alone, and evaluate.py scored it 60 dB, SSIM 1.000, as the target itself, exit code 0. A greyscale result of a grey
    target is scored, and so is a model's RGB output of equal channels."""
    from PIL import Image

    from evaluation.scoring import read_frame_pair
    colours = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    target, output = str(tmp_path / "target.png"), str(tmp_path / "output.png")
    Image.fromarray(colours).save(target)
    Image.fromarray(colours).convert(grey).save(output)
    with pytest.raises(UserError, match=r"output '.*output.png' is a greyscale PNG but its target '.*target.png' is in "
                                        r"colour: PSNR and SSIM, of luma alone, would score it as the target; compare "
                                        r"outputs saved in colour \(RGB\)$"):
        read_frame_pair(target, output, None)
    Image.fromarray(colours).convert("L").convert("RGB").save(output)
    assert read_frame_pair(target, output, None)[1].shape == (16, 16, 3)
    Image.fromarray(colours).convert("L").save(output)
    Image.fromarray(colours).convert("L").convert("RGB").save(target)
    assert read_frame_pair(target, output, None)[1].shape == (16, 16, 3)


@pytest.mark.parametrize("cut", ["ending-early", "zeros-to-its-length"])
def test_an_animated_png_cut_short_is_refused(tmp_path, cut):
    """An animated PNG of 6 frames cut off at 70 % of its bytes (a download cut off, or cut off into a file made its
    full length first): OpenCV read the frames it holds, and it was a clip of 4 frames, its job "done", exit code 0,
    as a GIF cut short was."""
    from PIL import Image

    from utils.video_io import VideoReader
    path = tmp_path / "anim.png"
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "green", "blue", "white", "black", "yellow")]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    data = path.read_bytes()
    kept = data[:len(data) * 7 // 10]
    path.write_bytes(kept + (bytes(len(data) - len(kept)) if cut == "zeros-to-its-length" else b""))
    with pytest.raises(UserError, match=r"is an animated PNG cut short \(it ends before its IEND chunk, as a download "
                                        r"cut off leaves it; its acTL chunk announces 6 frames\): repair it or pass "
                                        r"another video$"):
        VideoReader(str(path))


def test_the_advice_for_a_video_after_its_cover_works_on_one_of_mov_text_subtitles(tmp_path):
    """The cover refusal's advice saved the file as an MKV, which holds no MP4's mov_text subtitles (an iTunes film's):
    the command it gave failed ("Subtitle codec mov_text is not supported"). Now in the file's own container."""
    from hostile import video_after_its_cover
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    path = video_after_its_cover(tmp_path, subtitles=True)
    with pytest.raises(UserError, match=r"\(e.g. ffmpeg -i IN -map 0 -map -0:v:0 -c copy OUT.mp4\)") as refused:
        VideoReader(path)
    command = re.search(r"\(e.g. (ffmpeg .*?)\)", str(refused.value)).group(1).split()
    saved = str(tmp_path / command[-1])
    subprocess.run([ffmpeg_executable(), "-v", "error", *[path if word == "IN" else word for word in command[1:-1]],
                    saved], check=True)
    reader = VideoReader(saved)
    reader.select()
    assert len(list(reader)) == 10


# Twenty-fourth pass, look at generate.py's videos, frames and scene cuts

def test_a_video_with_sound_is_listed_by_ffmpeg_once_from_its_opening_to_its_output(tmp_path, monkeypatch):
    """FFmpeg's listing of a video (`ffmpeg -i`, 16 to 45 ms each) ran four times a run of generate.py on a video with
    sound: its streams (check_video_streams), its codec for the size check (size_change), its audio track
    (played_audio) and its start (video_lead). The listing VideoReader reads of the file it opened serves them all,
    passed on to the output video's writer as generate.py passes it (VideoSource's listing)."""
    import utils.image_io as image_io
    import utils.video_io as video_io
    import utils.video_probe as video_probe
    video = str(tmp_path / "clip.mp4")
    subprocess.run([video_probe.ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i",
                    "testsrc=size=16x16:rate=10:d=0.2", "-f", "lavfi", "-i", "sine=d=0.2", "-c:v", "libx264", "-c:a",
                    "aac", video], check=True)
    listed, listing = [], video_probe.media_listing
    for module in (video_io, video_probe):
        monkeypatch.setattr(module, "media_listing", lambda *args: listed.append(args) or listing(*args))
    reader = video_io.VideoReader(video)
    reader.select("0", "2")
    writer = video_io.open_video_writer(str(tmp_path / "sr.mkv"), reader.fps, 16, 16, video_io.VideoSource(
        video, reader.start_seconds, reader.duration_seconds, reader.sample_aspect, reader.listing))
    for frame in reader:
        writer.write(image_io.to_uint8(frame))
    writer.close()
    assert [args[0] for args in listed] == [video]
    assert any(kind == "Audio" for kind, _ in video_probe.media_streams(str(tmp_path / "sr.mkv")))


@pytest.mark.parametrize("options, extension", [(["-c:v", "libx264", "-movflags", "+faststart"], ".mp4"),
                                                (["-c:v", "libx264", "-live", "1"], ".mkv"),
                                                (["-c:v", "mjpeg", "-live", "1"], ".mkv")],
                         ids=["faststart-mp4", "live-mkv", "motion-jpeg-live-mkv"])
def test_a_video_cut_into_zeros_inside_its_last_frame_is_called_cut_short(tmp_path, options, extension):
    """An H.264 MP4 whose index comes first (`+faststart`) or a live recording's MKV (no cues) of H.264 or Motion JPEG,
    cut off into zeros inside its last frame (a download cut off into a file made its full length first): nothing
    after that frame tells the cut (no index, no cues), and it was read whole, its last frame's pixels wrong, or as 9
    of its 10 frames, exit code 0. Its last second is now decoded where its last bytes are zeros (FFmpeg's decoder says
    the error); an MKV whose Cues alone are cut into zeros, its frames whole, is read whole."""
    from utils.video_io import VideoReader
    path = ffmpeg_video(tmp_path / f"whole{extension}", "-bf", "0", *options, frames=10, size="32x32")
    whole = open(path, "rb").read()
    assert len(list(VideoReader(path))) == 10
    cut = tmp_path / f"clip{extension}"
    cut.write_bytes(whole[:-24] + bytes(24))
    with pytest.raises(UserError, match=rf"^video '.*clip{extension}' is an? .* cut short \(it is zeros from byte "
                                        rf"{len(whole) - 24} on, inside its last frames, .*\): repair it or pass "
                                        r"another video$"):
        VideoReader(str(cut))


def test_a_fragmented_mp4_cut_into_zeros_at_a_fragment_is_called_cut_short_and_an_mkv_of_cues_cut_so_is_read(
        tmp_path):
    """A fragmented MP4 (a recording's, `frag_keyframe`) cut off into zeros where its last fragment begins was read as
    the fragments before it (20 of 30 frames), exit code 0: its boxes are now walked as an MKV's elements are. An MKV
    whose Cues alone (after every frame) are zeros holds every frame: read whole, the demuxer's complaint of the zeros
    not taken for a frame's."""
    from utils.video_io import VideoReader
    path = ffmpeg_video(tmp_path / "whole.mp4", "-c:v", "libx264", "-g", "10", "-movflags", "frag_keyframe+empty_moov",
                        frames=30, size="16x16")
    whole = open(path, "rb").read()
    fragment = whole.rindex(b"moof") - 4
    (tmp_path / "clip.mp4").write_bytes(whole[:fragment] + bytes(len(whole) - fragment))
    with pytest.raises(UserError, match=rf"^video '.*clip.mp4' is an MP4 or MOV video cut short \(it is zeros from "
                                        rf"byte {fragment} on, where its data goes on, .*\): repair it or pass another "
                                        r"video$"):
        VideoReader(str(tmp_path / "clip.mp4"))
    whole = open(ffmpeg_video(tmp_path / "cues.mkv", "-c:v", "libx264", frames=10, size="16x16"), "rb").read()
    (tmp_path / "cues.mkv").write_bytes(whole[:-8] + bytes(8 + 16))  # the Cues' last bytes, then zeros after
    assert len(list(VideoReader(str(tmp_path / "cues.mkv")))) == 10


def test_a_live_variable_rate_mkv_is_written_at_its_average_rate(tmp_path):
    """The screen recording's MKV (20 frames over 10.6 s, its header's 10 fps) as a live recording writes it (`-live
    1`, as a browser's MediaRecorder writes its WebM: no duration, no count): read at its header's 10 fps, its video was
    2 s long beside 10.6 s, exit code 0, as a variable-rate MKV of a known duration was before matroska_average_rate."""
    from hostile import screen_recording
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    path = str(tmp_path / "live.mkv")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-i", screen_recording(tmp_path), "-c", "copy", "-live", "1",
                    path], check=True)
    reader = VideoReader(path)
    assert float(reader.fps) == pytest.approx(19 / 10.63, rel=0.01) and reader.total_frames == 20


@pytest.mark.parametrize("options, extension", [(["-c:v", "libx264"], ".mkv"),
                                                (["-c:v", "mjpeg", "-live", "1"], ".mkv"),
                                                (["-c:v", "libx264", "-g", "10", "-movflags",
                                                  "frag_keyframe+empty_moov"], ".mp4")],
                         ids=["mkv", "live-mkv", "fragmented-mp4"])
def test_a_video_with_a_hole_of_zeros_is_refused(tmp_path, options, extension):
    """An MKV (of cues, or a live one's) or a fragmented MP4 with zeros in its middle where a frame's or a fragment's
    header was (a download not finished, a piece missing, its end there: BitTorrent's pieces come in any order):
    FFmpeg's demuxer reads past the zeros to the next cluster, and the MKV of 30 frames was read as 22 at 7.2 fps (its
    average rate over the frames left), the live one as 29, the MP4 as the 10 frames of its first fragment, exit code
    0; only a file ending in zeros was walked."""
    from utils.containers import matroska_elements
    from utils.video_io import VideoReader
    path = ffmpeg_video(tmp_path / f"whole{extension}", *options, frames=30, size="16x16")
    whole = open(path, "rb").read()
    with open(path, "rb") as file:  # the first frame in the file's second half; the second fragment
        hole = next(place for place in matroska_elements(file, len(whole))
                    if place > len(whole) // 2 and whole.startswith(b"\xa3", place)
                    ) if extension == ".mkv" else whole.index(b"moof", whole.index(b"moof") + 4) - 4
    (tmp_path / f"clip{extension}").write_bytes(whole[:hole] + bytes(200) + whole[hole + 200:])
    with pytest.raises(UserError, match=rf"^video '.*clip{extension}' is an? .* video with a hole \(it is zeros from "
                                        rf"byte {hole} to byte \d+, .*, a piece missing\): repair it or pass another "
                                        r"video$"):
        VideoReader(str(tmp_path / f"clip{extension}"))


def test_a_live_mkv_ending_in_zeros_is_walked_once_and_read_whole(tmp_path, monkeypatch):
    """A whole live recording's MKV (`-live 1`) whose last frame is of silent PCM sound (its last bytes zeros): its
    elements were walked twice, for zeros (cut_into_zeros) and then for one running past its end
    (live_matroska_cut_short), 0.12 s more for 10 minutes; one walk now tells both. Its 10 frames are read."""
    import utils.containers as containers
    import utils.video_io as video_io
    import utils.video_probe as video_probe
    path = str(tmp_path / "live.mkv")
    subprocess.run([video_probe.ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=16x16:rate=10",
                    "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-frames:v", "10", "-t", "1.3", "-c:v", "libx264",
                    "-c:a", "pcm_s16le", "-live", "1", path], check=True)
    assert not open(path, "rb").read()[-16:].strip(b"\0")
    walks, children = [], containers.matroska_children
    monkeypatch.setattr(containers, "matroska_children", lambda *args: walks.append(args) or children(*args))
    assert len(list(video_io.VideoReader(path))) == 10 and len(walks) == 1


# Twenty-fourth pass, second look at the twenty-fourth pass's video fixes

def test_a_whole_mp4_or_live_mkv_of_open_gops_ending_in_zeros_is_read(tmp_path):
    """A whole H.264 MP4 of open GOPs (key frames whose B-frames before them refer to the GOP before, as broadcast and
    camera encoders write) ending in a `free` box of zeros (a writer's padding): its last second, decoded from the
    key frame FFmpeg seeks to, lost those B-frames' references ("mmco: unref short failure"), and the file was refused
    as cut short inside its last frames; so was a whole live MKV (a stream's dump beginning at such a key frame) whose
    last frame is silent PCM, decoded from its start. A line saying a reference is missing tells of frames before the
    decoding began, not of a cut: both are read whole."""
    import struct
    import utils.video_io as video_io
    import utils.video_probe as video_probe
    path, live = str(tmp_path / "whole.mp4"), str(tmp_path / "live.mkv")
    subprocess.run([video_probe.ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=32x32:rate=25",
                    "-frames:v", "50", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-x264-params",
                    "open-gop=1:keyint=20:bframes=3", "-movflags", "+faststart", path], check=True)
    subprocess.run([video_probe.ffmpeg_executable(), "-v", "error", "-ss", "1", "-i", path, "-f", "lavfi", "-i",
                    "anullsrc=r=8000:cl=mono", "-map", "0:v", "-map", "1:a", "-t", "4", "-c:v", "copy", "-c:a",
                    "pcm_s16le", "-live", "1", live], check=True)
    whole = open(path, "rb").read()
    (tmp_path / "padded.mp4").write_bytes(whole + struct.pack(">I4s", 4096, b"free") + bytes(4088))
    assert len(list(video_io.VideoReader(str(tmp_path / "padded.mp4")))) == 50
    assert not open(live, "rb").read()[-16:].strip(b"\0")
    assert len(list(video_io.VideoReader(live))) == 30  # from the key frame at 0.8 s


def test_a_video_replaced_between_its_opening_and_the_output_video_is_refused(tmp_path):
    """The one listing of a video (VideoReader's, passed to the writer through VideoSource) is of the file opened: one
    with sound put in its place before the output video was opened (during the model's loading, the scene cuts'
    decoding) had its sound muxed by the first file's listing, beside the first file's frames: a file without sound
    replaced by one with two tracks gave their first, exit code 0, one with sound replaced by one without "ffmpeg could
    not write video ...: Error opening output files: Invalid argument". Now said in one line, before any frame."""
    import utils.video_io as video_io
    import utils.video_probe as video_probe
    video, other = str(tmp_path / "clip.mp4"), str(tmp_path / "other.mp4")
    for path, sound in ((video, []), (other, ["-f", "lavfi", "-i", "sine=d=0.2", "-c:a", "aac"])):
        subprocess.run([video_probe.ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i",
                        "testsrc=size=16x16:rate=10:d=0.2", *sound, "-c:v", "libx264", path], check=True)
    reader = video_io.VideoReader(video)
    os.replace(other, video)
    with pytest.raises(UserError, match=r"^input video '.*clip.mp4' changed while it was read \(another file was put "
                                        r"in its place or it was rewritten\); run again once it is no longer written$"):
        video_io.open_video_writer(str(tmp_path / "sr.mkv"), reader.fps, 16, 16, video_io.VideoSource(
            video, reader.start_seconds, reader.duration_seconds, reader.sample_aspect, reader.listing,
            reader.identity))
    assert os.listdir(tmp_path) == ["clip.mp4"]  # no output, nothing partial


def test_an_mp4_whose_last_sample_has_no_bytes_ending_in_zeros_is_not_called_cut_short(tmp_path):
    """An MP4 (`+faststart`) whose last sample has no bytes (a dropped frame, as a remux of an AVI's empty chunk
    leaves it) and a writer's zeros after it: that sample's place is where the zeros begin, and quicktime_samples took
    it for a frame cut off, the whole file refused as "cut short (it is zeros from byte N on, where its data goes
    on ...)". A sample of no bytes is now passed over."""
    import struct
    from utils.video_probe import cut_into_zeros
    data = bytearray(open(ffmpeg_video(tmp_path / "whole.mp4", "-c:v", "libx264", "-bf", "0", "-movflags",
                                       "+faststart", frames=10, size="16x16"), "rb").read())
    sizes = data.index(b"stsz") + 16  # the table of the samples' sizes, after its version, common size and count
    last = struct.unpack_from(">I", data, sizes + 4 * 9)[0]
    struct.pack_into(">I", data, sizes + 4 * 9, 0)  # the last frame dropped: no bytes, in the box of media data
    struct.pack_into(">I", data, data.index(b"mdat") - 4, struct.unpack_from(">I", data, data.index(b"mdat") - 4)[0]
                     - last)
    (tmp_path / "clip.mp4").write_bytes(data[:-last] + bytes(4096))
    assert cut_into_zeros(str(tmp_path / "clip.mp4")) is None


def test_a_fragmented_mp4_whose_index_holds_its_first_fragment_is_refused_not_read_short(tmp_path):
    """A fragmented MP4 whose moov box holds its first fragment's frames (`-movflags frag_keyframe` without
    `empty_moov`, a recording's): OpenCV counts those and reads no more, and a whole one of 20 frames was read as its
    first 6, exit code 0. FFmpeg's demuxer counts its 20: the file is refused, with the remux that reads it; one
    written with `empty_moov` is read whole, as before."""
    from utils.video_io import VideoReader
    path = ffmpeg_video(tmp_path / "clip.mp4", "-c:v", "libx264", "-g", "5", "-movflags", "frag_keyframe", frames=20,
                        size="16x16")
    with pytest.raises(UserError, match=r"^video '.*clip.mp4' is a fragmented MP4 of which OpenCV reads only the "
                                        r"first \d of its 20 frames \(those its moov box holds, .*\); save it "
                                        r"unfragmented \(e.g. ffmpeg -i IN -c copy OUT.mp4\) and pass that$"):
        VideoReader(path)
    path = ffmpeg_video(tmp_path / "empty.mp4", "-c:v", "libx264", "-g", "5", "-movflags", "frag_keyframe+empty_moov",
                        frames=20, size="16x16")
    assert len(list(VideoReader(path))) == 20


# Twenty-fifth pass, look at generate.py's videos, frames and scene cuts

def test_a_fragmented_prores_mov_indexed_by_its_first_fragment_is_advised_a_remux_into_a_mov(tmp_path):
    """A fragmented ProRes MOV whose moov box holds its first fragment (`-movflags frag_keyframe`) was refused as "a
    fragmented MP4", advised `ffmpeg -i IN -c copy OUT.mp4`, which fails ("Could not find tag for codec prores"): the
    advice now names the file's own container, and the remux it advises is read whole."""
    from hostile import refused_as_fragmented_then_remuxed
    path = ffmpeg_video(tmp_path / "clip.mov", "-c:v", "prores_ks", "-movflags", "frag_keyframe", "-frag_duration",
                        "0.4", frames=20, size="16x16")
    refused_as_fragmented_then_remuxed(path, "MOV", ".mov", 20)


def test_a_whole_fragmented_mp4_whose_last_box_runs_to_the_file_s_end_is_read(tmp_path):
    """A whole fragmented MP4 whose last box (its last fragment's mdat) has length 0, "to the end of the file" (ISO/IEC
    14496-12; a writer that cannot seek back writes it so): the length's four zero bytes were taken for a hole, "an MP4
    or MOV video with a hole (it is zeros from byte N to byte N+4 ...)", and the whole file refused."""
    import struct
    from utils.video_io import VideoReader
    data = bytearray(open(ffmpeg_video(tmp_path / "whole.mp4", "-c:v", "libx264", "-g", "5", "-movflags",
                                       "frag_keyframe+empty_moov", frames=20, size="16x16"), "rb").read())
    last = data.rindex(b"mdat") - 4
    del data[last + struct.unpack_from(">I", data, last)[0]:]  # the mfra box after it
    struct.pack_into(">I", data, last, 0)
    (tmp_path / "clip.mp4").write_bytes(data)
    assert len(list(VideoReader(str(tmp_path / "clip.mp4")))) == 20


def test_a_whole_video_whose_decoder_warns_of_every_frame_ending_in_zeros_is_read(tmp_path):
    """A Motion JPEG MKV of frames without their end marker (EOI, as some webcams write them; FFmpeg's decoder says
    "EOI missing, emulating" of every frame) followed by a writer's zeros: its last second's warning was taken for a
    cut, "cut short ... inside its last frames", though its first second says it too. Read whole, as without the
    zeros."""
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    stream = subprocess.run([ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=16x16:rate=10",
                             "-frames:v", "10", "-c:v", "mjpeg", "-f", "mjpeg", "-"], check=True,
                            capture_output=True).stdout
    assert stream.count(b"\xff\xd9\xff\xd8") == 9
    path = str(tmp_path / "noeoi.mkv")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-f", "mjpeg", "-framerate", "10", "-i", "-", "-c", "copy",
                    path], input=stream.replace(b"\xff\xd9\xff\xd8", b"\xff\xd8")[:-2], check=True)
    with open(path, "ab") as file:
        file.write(bytes(4096))
    assert len(list(VideoReader(path))) == 10


def test_a_prores_mov_cut_into_zeros_inside_its_last_frame_is_called_cut_short(tmp_path):
    """A ProRes MOV (`+faststart`) cut into zeros in the second half of its last frame: FFmpeg's ProRes decoder decodes
    the zeros without a word, and it was read whole, its last frame's pixels wrong, exit code 0. The frame's length (its
    first 4 bytes) says where it ends. The same file whole, a `free` box of zeros after it, is read."""
    import struct
    from utils.video_io import VideoReader
    whole = open(ffmpeg_video(tmp_path / "whole.mov", "-c:v", "prores_ks", "-movflags", "+faststart", frames=10,
                              size="16x16"), "rb").read()
    last = whole.rindex(b"icpf") - 4
    assert last + struct.unpack_from(">I", whole, last)[0] == len(whole)
    cut = (last + len(whole)) // 2
    (tmp_path / "clip.mov").write_bytes(whole[:cut] + bytes(len(whole) - cut))
    with pytest.raises(UserError, match=rf"^video '.*clip.mov' is an MP4 or MOV video cut short \(it is zeros from "
                                        rf"byte {cut} on, inside its last frame, a ProRes frame that its header says "
                                        rf"ends at byte {len(whole)}, .*\): repair it or pass another video$"):
        VideoReader(str(tmp_path / "clip.mov"))
    (tmp_path / "padded.mov").write_bytes(whole + struct.pack(">I4s", 4096, b"free") + bytes(4088))
    assert len(list(VideoReader(str(tmp_path / "padded.mov")))) == 10


def test_a_video_replaced_between_its_capture_s_opening_and_its_listing_is_refused(tmp_path, monkeypatch):
    """VideoReader took the file's identity after OpenCV's opening and FFmpeg's listing: a file put in its place
    between the two (its frames the first file's, its listing and sound the second's) was the file the writer checked
    against, and the second file's sound was muxed beside the first's frames, exit code 0. The identity is now taken
    before both."""
    import utils.video_io as video_io
    video, other = str(tmp_path / "clip.mp4"), str(tmp_path / "other.mp4")
    for path, sound in ((video, []), (other, ["-f", "lavfi", "-i", "sine=d=0.2", "-c:a", "aac"])):
        subprocess.run([video_io.ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i",
                        "testsrc=size=16x16:rate=10:d=0.2", *sound, "-c:v", "libx264", path], check=True)
    listing = video_io.media_listing
    monkeypatch.setattr(video_io, "media_listing", lambda *args: os.replace(other, video) or listing(*args))
    reader = video_io.VideoReader(video)
    with pytest.raises(UserError, match=r"^input video '.*clip.mp4' changed while it was read"):
        video_io.open_video_writer(str(tmp_path / "sr.mkv"), reader.fps, 16, 16, video_io.VideoSource(
            video, reader.start_seconds, reader.duration_seconds, reader.sample_aspect, reader.listing,
            reader.identity))


def test_a_long_video_cut_inside_its_last_frame_is_refused_without_decoding_it_whole(tmp_path, monkeypatch):
    """An H.264 MP4 (`+faststart`) cut into zeros inside its last frame: its last second's warnings had the whole stream
    decoded before the refusal (12.8 s for an hour of 64x64). The last second decoded from a key frame 10 s earlier,
    with its references, says the cut's lines again: every decode is now of the file's end (or its first second)."""
    import io
    import utils.video_probe as video_probe
    from utils.containers import quicktime_samples
    from utils.video_io import VideoReader
    whole = open(ffmpeg_video(tmp_path / "whole.mp4", "-c:v", "libx264", "-bf", "0", "-g", "10", "-movflags",
                              "+faststart", frames=130, size="32x32"), "rb").read()
    cut = max(quicktime_samples(io.BytesIO(whole), len(whole))) + 8  # its last frame's slice header
    (tmp_path / "clip.mp4").write_bytes(whole[:cut] + bytes(len(whole) - cut))
    decodes, decoding = [], video_probe.ffmpeg_decoding
    monkeypatch.setattr(video_probe, "ffmpeg_decoding",
                        lambda *args, before=(): decodes.append(before) or decoding(*args, before=before))
    with pytest.raises(UserError, match=r"^video '.*clip.mp4' is an MP4 or MOV video cut short \(it is zeros from "
                                        rf"byte {cut} on, inside its last frames, "):
        VideoReader(str(tmp_path / "clip.mp4"))
    assert decodes and all({"-sseof", "-t"} & set(before) for before in decodes)


def test_a_video_removed_while_it_is_read_is_said_to_be_gone(tmp_path):
    """An input video removed (or moved away) between its opening and the output video's was said to have "another
    file put in its place", to "run again once it is no longer written": it is now said to be gone."""
    import utils.video_io as video_io
    video = ffmpeg_video(tmp_path / "clip.mp4", "-c:v", "libx264", frames=2, size="16x16")
    reader = video_io.VideoReader(video)
    os.rename(video, tmp_path / "moved.mp4")
    with pytest.raises(UserError, match=r"^input video '.*clip.mp4' was removed or moved while it was read; put it "
                                        r"back \(or pass it where it is now\) and run again$"):
        video_io.open_video_writer(str(tmp_path / "sr.mkv"), reader.fps, 16, 16, video_io.VideoSource(
            video, reader.start_seconds, reader.duration_seconds, reader.sample_aspect, reader.listing,
            reader.identity))
    assert sorted(os.listdir(tmp_path)) == ["moved.mp4"]


# Twenty-fifth pass, second look at the twenty-fifth pass's video fixes

@pytest.mark.parametrize("extension, codec", [("avi", "mjpeg"), ("wmv", "wmv2")])
def test_a_video_cut_off_plainly_that_decodes_cleanly_to_its_cut_is_refused(tmp_path, extension, codec):
    """A Motion JPEG AVI cut off at a frame's end and a WMV cut off plainly decode cleanly to the cut (the WMV's count
    then the frames there): generate.py and demo.py read them as shorter clips, exit code 0. The file shorter than its
    container says (shorter_than_its_container: the AVI's RIFF list, the WMV's Data Object) is now refused with the
    frames there, and the part before the cut is read."""
    from utils.containers import riff_chunks
    from utils.video_io import VideoReader
    whole = ffmpeg_video(tmp_path / f"whole.{extension}", "-c:v", codec, frames=30, size="16x16")
    data = open(whole, "rb").read()
    with open(whole, "rb") as file:  # the AVI before its 6th frame's chunk
        cut = [place for place in riff_chunks(file, len(data)) if data[place:place + 4] == b"00dc"][5] if (
            extension == "avi") else len(data) // 2
    (tmp_path / f"cut.{extension}").write_bytes(data[:cut])
    with pytest.raises(UserError, match=rf"^video '.*cut\.{extension}' ended after (5 of the 30 frames it announces|"
                                        r"\d+ frames), the file shorter than its container says: it is truncated; "
                                        r"repair it \(or pass --end \d+ to use what is there\)$"):
        list(VideoReader(str(tmp_path / f"cut.{extension}")))
    reader = VideoReader(str(tmp_path / f"cut.{extension}"))
    reader.select(None, "3")
    assert len(list(reader)) == 3
    assert len(list(VideoReader(whole))) == 30


def test_a_fragmented_hevc_m4v_is_advised_a_remux_its_muxer_takes(tmp_path):
    """A fragmented HEVC MP4 named .m4v (HandBrake's), indexed by its first fragment, was advised `ffmpeg -i IN -c copy
    OUT.m4v`, which fails (the .m4v muxer, ipod's: "Could not find tag for codec hevc"); so did a VP9 MP4 renamed .3gp,
    and an H.264 MKV renamed .webm its remux without a cover. An MP4 (an ftyp box) is now an .mp4, or a .mov where it
    holds a codec the MP4 muxer lacks (a phone's H.263 3GP), and a Matroska file an .mkv, whatever their names."""
    from hostile import refused_as_fragmented_then_remuxed
    from utils.video_probe import own_container
    path = ffmpeg_video(tmp_path / "clip.m4v", "-c:v", "libx265", "-x265-params", "log-level=none", "-g", "5",
                        "-f", "mp4", "-movflags", "frag_keyframe", frames=20, size="16x16")
    refused_as_fragmented_then_remuxed(path, "MP4", ".mp4", 20)
    (tmp_path / "phone.3gp").write_bytes(open(path, "rb").read()[:4] + b"ftyp3gp4")
    assert own_container(str(tmp_path / "phone.3gp"), "  Stream #0:0: Video: h263 (s263), yuv420p, 128x96\n") == ".mov"
    webm = ffmpeg_video(tmp_path / "clip.webm", "-c:v", "libx264", "-f", "matroska", frames=1, size="16x16")
    assert own_container(webm) == ".mkv"


def test_a_motion_jpeg_mov_without_eoi_cut_into_zeros_late_in_its_last_frame_is_called_cut_short(tmp_path):
    """A Motion JPEG MOV of frames without their EOI marker (a webcam's) cut into zeros at 90 % of its last frame: its
    decoder says "EOI missing" of that frame as of every frame, the stream's line, and it was read whole, that frame's
    pixels wrong (up to 255), exit code 0. Its sample's length says where it ends (jpeg_frame_end); padded, it is read
    whole."""
    import io
    from utils.containers import quicktime_samples
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    stream = subprocess.run([ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=16x16:rate=10",
                             "-frames:v", "10", "-c:v", "mjpeg", "-f", "mjpeg", "-"], check=True,
                            capture_output=True).stdout
    path = str(tmp_path / "noeoi.mov")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-f", "mjpeg", "-framerate", "10", "-i", "-", "-c", "copy",
                    "-movflags", "+faststart", path], input=stream.replace(b"\xff\xd9", b""), check=True)
    whole = open(path, "rb").read()
    last = max(quicktime_samples(io.BytesIO(whole), len(whole)))
    cut = last + (len(whole) - last) * 9 // 10
    (tmp_path / "cut.mov").write_bytes(whole[:cut] + bytes(len(whole) - cut))
    with pytest.raises(UserError, match=rf"^video '.*cut.mov' is an MP4 or MOV video cut short \(it is zeros from "
                                        rf"byte {cut} on, inside its last frame, a JPEG frame that its index says ends "
                                        rf"at byte {len(whole)}, .*\): repair it or pass another video$"):
        VideoReader(str(tmp_path / "cut.mov"))
    (tmp_path / "padded.mov").write_bytes(whole + bytes(4096))
    assert len(list(VideoReader(str(tmp_path / "padded.mov")))) == 10


@pytest.mark.parametrize("extension, codec, kind", [("ts", "libx264", "an MPEG-TS"),
                                                    ("wmv", "wmv2", r"an ASF \(WMV\)")], ids=["ts", "wmv"])
def test_a_transport_stream_or_wmv_cut_into_zeros_is_called_cut_short(tmp_path, extension, codec, kind):
    """An MPEG-TS or a WMV cut off into a file of its full length (zeros from half its length, a download made its full
    length first): FFmpeg reads the packets before the zeros without an error, and they were read as 14 and 13 of their
    30 frames, exit code 0. They are made of packets of one length: zeros from a packet's start on are a cut. A WMV
    whose index after its packets is zeros has its frames whole, and is read."""
    from utils.containers import fixed_packets
    from utils.video_io import VideoReader
    whole = ffmpeg_video(tmp_path / f"whole.{extension}", "-c:v", codec, frames=30, size="16x16")
    data = open(whole, "rb").read()
    (tmp_path / f"cut.{extension}").write_bytes(data[:len(data) // 2] + bytes(len(data) - len(data) // 2))
    with pytest.raises(UserError, match=rf"^video '.*cut.{extension}' is {kind} video cut short \(it is zeros from "
                                        r"byte \d+ on, where its packets go on, .*\): repair it or pass another "
                                        r"video$"):
        VideoReader(str(tmp_path / f"cut.{extension}"))
    if extension == "wmv":
        with open(whole, "rb") as file:
            end = fixed_packets(file, len(data))[2]
        (tmp_path / "index.wmv").write_bytes(data[:end] + bytes(len(data) - end))
        assert len(list(VideoReader(str(tmp_path / "index.wmv")))) == 30


# Twenty-fifth pass, third look at the twenty-fifth pass's video fixes

def test_an_mp4_of_an_edit_list_with_bytes_after_its_last_box_is_read(tmp_path):
    """An MP4 trimmed by `ffmpeg -ss T -c copy` (its edit list hides frames it counts: 24 of 30 read) with bytes
    appended after its last box (a zip, a line of text, a phone's trailer) was refused as "shorter than its container
    says: it is truncated", those bytes walked as a box running past the file's end. A box running past the end is a
    cut only where it is one of the frames or their index (mdat, moov, moof)."""
    from utils.containers import shorter_than_its_container
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    whole = ffmpeg_video(tmp_path / "whole.mp4", "-c:v", "libx264", "-g", "10", frames=30, size="16x16")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-ss", "0.55", "-i", whole, "-c", "copy",
                    str(tmp_path / "trim.mp4")], check=True)
    data = open(tmp_path / "trim.mp4", "rb").read()
    held = len(list(VideoReader(str(tmp_path / "trim.mp4"))))
    for name, tail in (("zip", b"PK\x03\x04\x14\x00\x00\x00" + bytes(40)), ("text", b"Copyright 2026 somebody\n")):
        (tmp_path / f"{name}.mp4").write_bytes(data + tail)
        assert len(list(VideoReader(str(tmp_path / f"{name}.mp4")))) == held < 30
    (tmp_path / "cut.mp4").write_bytes(data[:len(data) * 9 // 10])
    assert shorter_than_its_container(str(tmp_path / "cut.mp4"))


def test_a_broadcast_wmv_whose_data_object_length_is_its_streams_is_read(tmp_path):
    """A WMV saved from a live stream sets its broadcast flag, and its Data Object's length and packet count are then
    invalid (the ASF specification's word): a whole one that recorded them as 2 GB or all ones was refused as "shorter
    than its container says: it is truncated" after its 30 frames (asf_broadcast)."""
    import struct
    from utils.containers import ASF_DATA, ASF_FILE_PROPERTIES
    from utils.video_io import VideoReader
    data = bytearray(open(ffmpeg_video(tmp_path / "whole.wmv", "-c:v", "wmv2", frames=30, size="16x16"), "rb").read())
    properties, packets = data.find(ASF_FILE_PROPERTIES), data.find(ASF_DATA)
    data[properties + 88:properties + 92] = struct.pack("<I", 1)
    for length in (0x7fffffff, 2 ** 64 - 1):
        data[packets + 16:packets + 24] = struct.pack("<Q", length)
        (tmp_path / "live.wmv").write_bytes(data)
        assert len(list(VideoReader(str(tmp_path / "live.wmv")))) == 30


def test_a_motion_jpeg_mov_of_frames_padded_with_zeros_after_their_eoi_is_read(tmp_path):
    """A Motion JPEG MOV whose frames are padded after their EOI marker (a camera's frames of a length) with 16 or 200
    zeros inside their samples was refused as "cut short ... inside its last frame" (jpeg_frame_end); zeros after an
    EOI are padding (jpeg_ended). A frame without EOI cut into zeros there is still refused."""
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    stream = subprocess.run([ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=16x16:rate=10",
                             "-frames:v", "10", "-c:v", "mjpeg", "-f", "mjpeg", "-"], check=True,
                            capture_output=True).stdout
    for name, frames in (("padded", stream.replace(b"\xff\xd9", b"\xff\xd9" + bytes(16))),
                         ("noeoi", stream.replace(b"\xff\xd9", bytes(16)))):
        subprocess.run([ffmpeg_executable(), "-v", "error", "-f", "mjpeg", "-framerate", "10", "-i", "-", "-c", "copy",
                        "-movflags", "+faststart", str(tmp_path / f"{name}.mov")], input=frames, check=True)
    assert len(list(VideoReader(str(tmp_path / "padded.mov")))) == 10
    with pytest.raises(UserError, match=r"cut short \(it is zeros from byte \d+ on, inside its last frame"):
        VideoReader(str(tmp_path / "noeoi.mov"))


@pytest.mark.parametrize("extension, codec, fraction", [("wmv", "wmv2", None), ("wmv", "wmv2", 0.5),
                                                        ("avi", "mjpeg", 0.5), ("flv", "flv1", 0.5)])
def test_the_part_advised_before_a_plain_cut_leaves_out_the_frame_cut(tmp_path, extension, codec, fraction):
    """A WMV, AVI or FLV cut off plainly inside a frame: its demuxer hands that frame cut to the decoder, and it was
    read with its pixels wrong (up to 255 of 255): the advice "pass --end N" took it in, and a WMV cut inside its last
    frame that announces its count was read whole, exit code 0 (None: 5 bytes before its last packet's padding). The
    frame whose packet, chunk or tag runs past the file's end (how_it_ends) is left out of the advice,
    and such a WMV is refused."""
    import io
    from utils.containers import asf_padding, fixed_packets
    from utils.video_io import VideoReader
    whole = ffmpeg_video(tmp_path / f"whole.{extension}", "-c:v", codec, frames=30, size="32x32")
    frames = list(VideoReader(whole))
    data = open(whole, "rb").read()
    if fraction is None:
        _, length, end = fixed_packets(io.BytesIO(data), len(data))
        cut = end - asf_padding(io.BytesIO(data), end - length) - 5
    else:
        cut = round(len(data) * fraction)
    (tmp_path / f"cut.{extension}").write_bytes(data[:cut])
    with pytest.raises(UserError, match=r"truncated.*\(or pass --end \d+ to use what is there\)$") as raised:
        list(VideoReader(str(tmp_path / f"cut.{extension}")))
    reader = VideoReader(str(tmp_path / f"cut.{extension}"))
    reader.select(None, re.search(r"--end (\d+)", str(raised.value))[1])
    read = list(reader)
    assert read and max(float(np.abs(got - want).max()) for got, want in zip(read, frames)) < 0.02


# Twenty-sixth pass, look at generate.py's videos, frames and scene cuts

APPENDED = {"text": b"Copyright 2026 somebody\n", "zip": b"PK\x03\x04\x14\x00\x00\x00" + bytes(40),
            "sync byte": b"Generated by a camera\n"}


@pytest.mark.parametrize("tail", APPENDED.values(), ids=APPENDED.keys())
@pytest.mark.parametrize("extension, muxer", [("ts", "mpegts"), ("m2ts", "mpegts")])
def test_a_whole_transport_stream_with_bytes_appended_is_read(tmp_path, extension, muxer, tail):
    """A whole MPEG-TS or M2TS with a line of text or a zip appended was refused as "shorter than its container says:
    it is truncated" (its length not a multiple of its packets'); no packet of its streams begins there
    (mpeg_ts_packets: its sync byte, 0x47, and a PID of its last packets), and it is read whole."""
    from utils.video_io import VideoReader
    m2ts = ["-mpegts_m2ts_mode", "1"] if extension == "m2ts" else []
    data = open(ffmpeg_video(tmp_path / f"whole.{extension}", "-c:v", "libx264", "-f", muxer, *m2ts, frames=10,
                             size="16x16"), "rb").read()
    (tmp_path / f"tail.{extension}").write_bytes(data + tail)
    assert len(list(VideoReader(str(tmp_path / f"tail.{extension}")))) == 10


@pytest.mark.parametrize("tail", [b"I am a line of text\n", b"Hi\n"], ids=["kind 9", "short"])
def test_a_whole_flv_with_bytes_appended_is_not_called_cut(tmp_path, tail):
    """A whole H.264 FLV with a line of text appended whose first byte's low bits are a tag's kind ('I': video, 'H':
    audio) was walked as a tag running past the file's end, and refused as cut; bytes of no tag (flv_tags: its kind
    byte and stream ID) end the walk. A tag cut off is still a cut."""
    from utils.containers import how_it_ends, shorter_than_its_container
    data = open(ffmpeg_video(tmp_path / "whole.flv", "-c:v", "libx264", frames=10, size="16x16"), "rb").read()
    (tmp_path / "tail.flv").write_bytes(data + tail)
    assert how_it_ends(str(tmp_path / "tail.flv")) == (False, False)
    (tmp_path / "cut.flv").write_bytes(data[:len(data) - 30])
    assert shorter_than_its_container(str(tmp_path / "cut.flv"))


@pytest.mark.parametrize("tail", APPENDED.values(), ids=APPENDED.keys())
def test_a_whole_live_webm_with_bytes_appended_is_read(tmp_path, tail):
    """A whole live WebM (its Segment's and clusters' lengths not known, as `-live 1` or a browser's MediaRecorder
    writes it) with a line of text or a zip appended was refused as "cut short (its element at byte N runs M bytes
    past the file's end ...)"; an element of an ID no Segment or cluster holds ends the walk (matroska_children)."""
    from utils.video_io import VideoReader
    data = open(ffmpeg_video(tmp_path / "whole.webm", "-c:v", "libvpx", "-live", "1", frames=10, size="16x16"),
                "rb").read()
    (tmp_path / "tail.webm").write_bytes(data + tail)
    assert len(list(VideoReader(str(tmp_path / "tail.webm")))) == 10


def test_a_transport_stream_cut_inside_a_packet_of_its_tables_is_called_cut(tmp_path):
    """A TS repeats its tables (PAT, PMT, SDT) among its frames' packets, seldom: one cut inside such a packet, of a
    PID none of the packets before it has, is a cut (its later frames gone), not bytes appended after a whole file."""
    from utils.video_io import VideoReader
    data = open(ffmpeg_video(tmp_path / "whole.ts", "-c:v", "libx264", frames=40, size="64x64"), "rb").read()
    pids = [data[place + 1:place + 3] for place in range(0, len(data), 188)]
    table = next(place for place in range(20, len(pids) // 2) if pids[place] not in pids[place - 16:place])
    (tmp_path / "cut.ts").write_bytes(data[:188 * table + 100])
    with pytest.raises(UserError, match=r"the file shorter than its container says: it is truncated"):
        list(VideoReader(str(tmp_path / "cut.ts")))


@pytest.mark.parametrize("extension, options", [
    ("ts", ["-c:v", "libx264", "-bf", "3"]), ("m2ts", ["-c:v", "libx264", "-bf", "3", "-f", "mpegts",
                                                       "-mpegts_m2ts_mode", "1"]),
    ("flv", ["-c:v", "libx264", "-bf", "3"]), ("avi", ["-c:v", "libx264", "-bf", "3"]),
    ("avi", ["-c:v", "mpeg4", "-bf", "2"])], ids=["ts", "m2ts", "flv", "avi h264", "avi mpeg4"])
def test_the_part_advised_before_a_plain_cut_of_a_video_of_b_frames_is_its_frames_decoded_right(tmp_path, extension,
                                                                                               options):
    """A TS, M2TS, FLV or AVI of B-frames cut off plainly: the advice "pass --end N" was every frame read but the one
    cut, and took in a B-frame cut (shown before frames decoded ahead of it) or a frame shown after a gap (B-frames
    decoded after the cut), their pixels wrong (up to 0.56 of 1), exit code 0. The part advised, read, is the whole
    video's first frames, at every cut."""
    from utils.video_io import VideoReader
    whole = ffmpeg_video(tmp_path / f"whole.{extension}", *options, frames=40, size="64x64")
    frames = list(VideoReader(whole))
    data = open(whole, "rb").read()
    for cut in (len(data) * percent // 100 | 1 for percent in range(78, 92, 3)):  # odd: inside a TS packet
        (tmp_path / f"cut.{extension}").write_bytes(data[:cut])
        with pytest.raises(UserError, match=r"truncated.*\(or pass --end \d+ to use what is there\)$") as raised:
            list(VideoReader(str(tmp_path / f"cut.{extension}")))
        reader = VideoReader(str(tmp_path / f"cut.{extension}"))
        reader.select(None, re.search(r"--end (\d+)", str(raised.value))[1])
        assert max(float(np.abs(got - want).max()) for got, want in zip(list(reader), frames)) < 0.02, cut


def test_a_video_cut_inside_its_second_frame_read_from_its_first_is_not_said_to_end_before_a_start(tmp_path):
    """A Motion JPEG AVI cut inside its second frame, read from its first: its first frame is all there is before the
    frame cut, and the line said "(what is there ends before the start chosen)" of a start no one chose."""
    from utils.containers import riff_chunks
    from utils.video_io import VideoReader
    whole = ffmpeg_video(tmp_path / "whole.avi", "-c:v", "mjpeg", frames=10, size="16x16")
    data = open(whole, "rb").read()
    with open(whole, "rb") as file:
        second = [place for place in riff_chunks(file, len(data)) if data[place:place + 4] == b"00dc"][1]
    (tmp_path / "cut.avi").write_bytes(data[:second + 40])
    with pytest.raises(UserError, match=r"ended after 1 of the 10 frames it announces: it is truncated or damaged; "
                                        r"repair it or pass another video$"):
        list(VideoReader(str(tmp_path / "cut.avi")))


@pytest.mark.parametrize("codec", ["msmpeg4", "wmv2"])
def test_a_wmv_cut_into_zeros_inside_its_last_packet_s_payload_is_called_cut_short(tmp_path, codec):
    """A WMV (MPEG-4 or WMV2) cut into zeros inside its last packet's payload, before its padding: zeros in the last
    packet were all taken for padding, and it was read as 37 of its 40 frames and advised `--end 37`, its last frame's
    pixels wrong (up to 255 of 255), exit code 0."""
    import io
    from utils.containers import asf_padding, fixed_packets
    from utils.video_io import VideoReader
    data = open(ffmpeg_video(tmp_path / "whole.wmv", "-c:v", codec, frames=40, size="64x64"), "rb").read()
    _, length, end = fixed_packets(io.BytesIO(data), len(data))
    cut = end - length + (length - asf_padding(io.BytesIO(data), end - length)) // 4
    (tmp_path / "cut.wmv").write_bytes(data[:cut] + bytes(len(data) - cut))
    with pytest.raises(UserError, match=rf"^video '.*cut.wmv' is an ASF \(WMV\) video cut short \(it is zeros from "
                                        rf"byte {cut} on, where its packets go on, .*\): repair it or pass another "
                                        r"video$"):
        VideoReader(str(tmp_path / "cut.wmv"))


# Twenty-sixth pass, second look at the twenty-sixth pass's video fixes

@pytest.mark.parametrize("spoil", [
    lambda data, middle: data[:middle] + b"\xaa" * 64 + data[middle + 64:],
    lambda data, middle: data[:middle] + bytes(200) + data[middle + 200:],
    lambda data, middle: data[:middle - middle % 188] + data[middle - middle % 188 + 188:]],
    ids=["damaged", "holed", "a packet dropped"])
def test_an_h264_ts_whose_packet_a_hole_or_damage_took_is_refused_not_read_short(tmp_path, spoil):
    """A 64x64 H.264 TS of 12 frames damaged by 64 bytes (a frame's PES header), holed by 200 zeros (a packet's sync
    byte) or with a packet dropped (its PID's continuity counter skips) at its middle: FFmpeg's demuxer drops the frame
    without a word, and it was read as 11 frames, exit code 0, its count taken for an estimate."""
    from hostile import ffmpeg_video
    from utils.video_io import VideoReader
    data = open(ffmpeg_video(tmp_path / "whole.ts", "-c:v", "libx264", "-bf", "0", frames=12, size="64x64"),
                "rb").read()
    (tmp_path / "clip.ts").write_bytes(spoil(data, len(data) // 2))
    with pytest.raises(UserError, match=r"ended after 11 of the 12 frames it announces: it is truncated or damaged"):
        list(VideoReader(str(tmp_path / "clip.ts")))


@pytest.mark.parametrize("encoder, extension, codec, spoil", [
    ("flv", "flv", "flv1", lambda data: data[:len(data) // 5] + bytes(len(data) - len(data) // 5)),
    ("libx264", "mp4", "h264", lambda data: data[:len(data) // 2] + bytes(200) + data[len(data) // 2 + 200:])],
    ids=["FLV1 FLV cut into zeros", "H.264 MP4 holed"])
def test_a_spoilt_video_of_a_codec_opencv_decodes_is_called_damaged_not_of_a_codec_to_convert(
        tmp_path, encoder, extension, codec, spoil):
    """An FLV1 FLV cut into zeros at 20 % and an H.264 MP4 holed by 200 zeros at its middle, of which FFmpeg decodes a
    frame and OpenCV none, were "has no frame OpenCV can decode (its codec, such as AV1, may be one OpenCV lacks);
    convert it to H.264 first", of FLV1 and H.264."""
    from hostile import ffmpeg_video
    data = open(ffmpeg_video(tmp_path / f"whole.{extension}", "-c:v", encoder, frames=12, size="64x64"), "rb").read()
    path = tmp_path / f"clip.{extension}"
    path.write_bytes(spoil(data))
    assert video_refusal(path) == (f"video '{path}' has no frame OpenCV can decode, though it decodes its codec "
                                f"({codec}): it is damaged or cut short; repair it or pass another video")


def test_a_fragmented_mp4_whose_fragment_index_is_damaged_is_refused_not_read_short(tmp_path):
    """A fragmented H.264 MP4 of 12 frames (3 a fragment) whose second fragment's index (moof) is damaged by 64 bytes:
    FFmpeg's demuxer drops that fragment's frames without a word, and it was read as 9 frames, exit code 0."""
    from utils.video_io import VideoReader
    data = open(ffmpeg_video(tmp_path / "whole.mp4", "-c:v", "libx264", "-g", "3", "-movflags",
                             "frag_keyframe+empty_moov", frames=12, size="32x24"), "rb").read()
    second = data.index(b"moof", data.index(b"moof") + 4) - 4
    (tmp_path / "clip.mp4").write_bytes(data[:second + 34] + b"\xaa" * 64 + data[second + 98:])
    with pytest.raises(UserError, match=r"ended after 9 of the 12 frames it announces: it is truncated or damaged"):
        list(VideoReader(str(tmp_path / "clip.mp4")))


@pytest.mark.parametrize("tail", [b"It" * 100, b"I" * 15], ids=["vp6f", "mpeg4"])
def test_a_whole_flv_with_a_line_beginning_i_appended_is_read_not_called_two_video_streams(tmp_path, tail):
    """A whole FLV1 FLV with a line beginning 'I' appended (a video tag's kind, a stream ID not 0): FFmpeg's demuxer
    lists it as a second video stream (of vp6f or mpeg4), and the file was refused as "holds 2 video streams
    (flv1 32x32, ? ?) ...; save the one you want alone"."""
    from utils.video_io import VideoReader
    data = open(ffmpeg_video(tmp_path / "whole.flv", "-c:v", "flv", frames=10, size="32x32"), "rb").read()
    (tmp_path / "tail.flv").write_bytes(data + tail)
    assert len(list(VideoReader(str(tmp_path / "tail.flv")))) == 10


def test_an_end_past_the_frames_of_a_holed_ts_says_it_is_damaged_not_past_its_end(tmp_path):
    """`--end 12` of a 64x64 H.264 TS of 12 frames holed by 200 zeros at its middle (a frame lost) was "--end 12 is
    past the end of ... (11 frames, 1.10 s)", the frames after the one lost taken for the video's, numbered one less."""
    from hostile import ffmpeg_video
    from utils.video_io import VideoReader
    data = open(ffmpeg_video(tmp_path / "whole.ts", "-c:v", "libx264", "-bf", "0", frames=12, size="64x64"),
                "rb").read()
    middle = len(data) // 2
    (tmp_path / "clip.ts").write_bytes(data[:middle] + bytes(200) + data[middle + 200:])
    reader = VideoReader(str(tmp_path / "clip.ts"))
    reader.select(None, "12")
    with pytest.raises(UserError, match=r"ended after 11 of the 12 frames it announces: it is truncated or damaged"):
        list(reader)


@pytest.mark.parametrize("extension, muxer", [("ts", []), ("m2ts", ["-f", "mpegts", "-mpegts_m2ts_mode", "1"])],
                         ids=["TS", "M2TS"])
def test_a_whole_ts_of_a_pause_is_read_whole_not_called_damaged(tmp_path, extension, muxer):
    """A whole TS or M2TS of 30 frames with a 2 s pause after the 15th (a variable rate) announces 50 frames: a gap in
    its frames' times is no frame lost (frames_lost reads the packets' bytes instead)."""
    from hostile import ffmpeg_video
    from utils.video_io import VideoReader
    path = ffmpeg_video(tmp_path / f"pause.{extension}", "-vf", "setpts='N/10/TB+if(gte(N,15),2/TB,0)'", "-fps_mode",
                        "passthrough", "-c:v", "libx264", *muxer, frames=30, size="32x32")
    assert len(list(VideoReader(path))) == 30


def test_a_damaged_ts_is_not_advised_a_part_that_holds_its_damage(tmp_path):
    """A 64x64 H.264 TS of 12 frames (B-frames) holed by 200 zeros at 30 %: its frames' gap comes after the frame the
    hole spoilt, and the advice "--end 4" read frames wrong (up to 0.72 of 1), exit code 0; a file whose bytes show a
    packet damaged is advised no part."""
    from hostile import ffmpeg_video
    data = open(ffmpeg_video(tmp_path / "whole.ts", "-c:v", "libx264", frames=12, size="64x64"), "rb").read()
    place = len(data) * 30 // 100
    path = tmp_path / "clip.ts"
    path.write_bytes(data[:place] + bytes(200) + data[place + 200:])
    assert video_refusal(path) == (f"video '{path}' ended after 11 of the 12 frames it announces: it is truncated or "
                                "damaged; repair it or pass another video")


# Twenty-sixth pass, third look at the twenty-sixth pass's video fixes
@pytest.mark.parametrize("announced", [1, 5])
def test_an_avi_announcing_fewer_frames_than_it_holds_is_refused_not_read_short(tmp_path, announced):
    """An AVI of 12 frames whose header (strh's length) announces fewer: OpenCV reads one frame past that count and no
    more, and one announcing 1 was read as 2 frames, exit code 0 (FFmpeg decodes all 12)."""
    import struct

    from hostile import ffmpeg_video
    from utils.video_io import VideoReader
    data = bytearray(open(ffmpeg_video(tmp_path / "whole.avi", "-c:v", "mjpeg", frames=12, size="32x32"), "rb").read())
    struct.pack_into("<I", data, data.index(b"strh") + 40, announced)
    path = tmp_path / "clip.avi"
    path.write_bytes(bytes(data))
    with pytest.raises(UserError) as error:
        VideoReader(str(path))
    assert str(error.value) == (
        f"video '{path}' is an AVI of which OpenCV reads only the first {announced + 1} of its 12 frames (its header "
        f"announces {announced}); save it anew (e.g. ffmpeg -i IN -c copy OUT.avi) and pass that")


def test_an_avi_announcing_one_frame_fewer_than_it_holds_is_read_whole(tmp_path):
    """An AVI of 12 frames announcing 11: OpenCV reads the 12 (one past its count), and the count is the frames held."""
    import struct

    from hostile import ffmpeg_video
    from utils.video_io import VideoReader
    data = bytearray(open(ffmpeg_video(tmp_path / "whole.avi", "-c:v", "mjpeg", frames=12, size="32x32"), "rb").read())
    struct.pack_into("<I", data, data.index(b"strh") + 40, 11)
    (tmp_path / "clip.avi").write_bytes(bytes(data))
    reader = VideoReader(str(tmp_path / "clip.avi"))
    assert (reader.total_frames, len(list(reader))) == (12, 12)


@pytest.mark.parametrize("extension, end", [("h264", ""), ("mp4", "35")], ids=["raw H.264", "End past an MP4's count"])
def test_the_page_s_count_of_a_video_s_frames_stops_at_its_tab_s_cancel(tmp_path, extension, end):
    """A raw H.264 stream announces no count, and an End up to 2 s past a video's count is checked by decoding:
    VideoReader counted the frames itself as the upload opened it (twice) or at End's check, never asking the tab, and
    a Cancel did not stop it. Its count asks the tab's stop at each frame."""
    from hostile import ffmpeg_video
    from webapp.inputs import SetUpStopped, video_input
    path = ffmpeg_video(tmp_path / f"clip.{extension}", "-c:v", "libx264", frames=30, size="16x16")
    asked = []
    with pytest.raises(SetUpStopped):
        video_input(path, f"clip.{extension}", "", end, stopped=lambda: asked.append(1) or True)
    assert len(asked) == 1


# Twenty-sixth pass, fourth look at the twenty-sixth pass's video fixes

@pytest.mark.parametrize("damage", ["a trun's count 0", "a moof's kind changed"])
@pytest.mark.parametrize("fragment", [1, -1], ids=["second fragment", "last fragment"])
def test_a_fragmented_mp4_whose_index_leaves_out_a_fragment_s_frames_is_refused_not_read_short(tmp_path, damage,
                                                                                                 fragment):
    """A fragmented H.264 MP4 of 12 frames (4 fragments) whose second or last fragment's index gives none of the
    frames its data holds, its boxes' lengths whole: FFmpeg's demuxer drops them without a word, and it was read as 9
    frames, exit code 0."""
    import struct

    from hostile import assert_refused_as_index_disagreeing, ffmpeg_video, moof_places
    data = bytearray(open(ffmpeg_video(tmp_path / "whole.mp4", "-c:v", "libx264", "-g", "3", "-movflags",
                                       "frag_keyframe+empty_moov", frames=12, size="32x32"), "rb").read())
    moof = moof_places(data)[fragment]
    if damage == "a moof's kind changed":
        data[moof + 4:moof + 8] = b"xoof"
    else:
        struct.pack_into(">I", data, data.index(b"trun", moof) + 8, 0)
    assert_refused_as_index_disagreeing(tmp_path / "clip.mp4", data, moof)


def test_the_decode_checking_a_part_s_end_stops_at_the_reader_s_stop(tmp_path):
    """An End within 2 s past a video's count (an estimate) is checked by decoding the frames up to it: that decode
    asked no one, and the page's Cancel or a later Run went unheard until it ended (a long video's end chosen, its
    whole). It asks the reader's stop at each frame."""
    from hostile import ffmpeg_video
    from utils.video_io import VideoReader

    class Stopped(Exception):
        pass

    def stop():
        raise Stopped()
    reader = VideoReader(ffmpeg_video(tmp_path / "clip.ts", "-c:v", "libx264", frames=12, size="16x16"), stop=stop)
    with pytest.raises(Stopped):
        reader.select(None, "12")


# Twenty-seventh pass, look at generate.py's videos, frames and scene cuts
def fragmented_mp4_with_sound(folder, flags=""):
    """A fragmented H.264 MP4 of 12 frames (4 fragments) with an AAC sound track, its bytes: each moof's first traf is
    the video's. flags: more of `-movflags`' (e.g. '+omit_tfhd_offset')."""
    from clips import ffmpeg
    path = folder / "whole.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=32x32:rate=10", "-f", "lavfi", "-i", "sine=r=8000", "-frames:v", "12",
           "-shortest", "-c:v", "libx264", "-g", "3", "-c:a", "aac", "-movflags", "frag_keyframe+empty_moov" + flags,
           str(path))
    return bytearray(path.read_bytes())


@pytest.mark.parametrize("frames_left", [0, 2])
def test_a_fragmented_mp4_with_sound_whose_video_trun_leaves_out_frames_is_refused(tmp_path, frames_left):
    """A fragmented MP4 with sound whose second fragment's video trun gives 0 or 2 of its 3 frames, its boxes whole:
    FFmpeg's demuxer drops the frames no index gives, and it was read as 9 or 11 of its 12 frames, exit code 0 (the
    check summed sizes only where every track is video). The sound's run begins where the video's bytes end (its data
    offset), and the bytes between are told."""
    import struct

    from hostile import assert_refused_as_index_disagreeing, moof_places
    data = fragmented_mp4_with_sound(tmp_path)
    moof = moof_places(data)[1]
    struct.pack_into(">I", data, data.index(b"trun", moof) + 8, frames_left)
    assert_refused_as_index_disagreeing(tmp_path / "clip.mp4", data, moof)


def test_a_fragmented_mp4_whose_sound_trun_gives_no_samples_is_read_whole(tmp_path):
    """A fragmented MP4 whose second fragment's sound trun gives none of its samples: every frame is there, and all 12
    are read (a check by sizes alone refused it)."""
    import struct

    from hostile import moof_places
    from utils.video_io import VideoReader
    data = fragmented_mp4_with_sound(tmp_path)
    moof = moof_places(data)[1]
    struct.pack_into(">I", data, data.index(b"trun", data.index(b"trun", moof) + 4) + 8, 0)
    path = tmp_path / "clip.mp4"
    path.write_bytes(bytes(data))
    assert len(list(VideoReader(str(path)))) == 12


def test_a_fragmented_motion_jpeg_mov_whose_trun_gives_samples_past_its_data_is_refused(tmp_path):
    """A fragmented Motion JPEG MOV of 12 frames, one a fragment, whose second fragment's trun gives 6 frames of its
    default size: the bytes after its data (the next fragment's) were decoded as frames, and it was read as 17, exit
    code 0."""
    import struct

    from hostile import assert_refused_as_index_disagreeing, ffmpeg_video, moof_places
    data = bytearray(open(ffmpeg_video(tmp_path / "whole.mov", "-c:v", "mjpeg", "-movflags",
                                       "frag_keyframe+empty_moov", frames=12, size="32x32"), "rb").read())
    moof = moof_places(data)[1]
    struct.pack_into(">I", data, data.index(b"trun", moof) + 8, 6)
    assert_refused_as_index_disagreeing(tmp_path / "clip.mov", data, moof)


# Twenty-seventh pass, second look at the twenty-seventh pass's video fixes
@pytest.mark.parametrize("frames_left", [0, 2])
def test_a_fragmented_mp4_with_sound_and_no_offsets_whose_video_trun_leaves_out_frames_is_refused(tmp_path,
                                                                                               frames_left):
    """A fragmented MP4 with sound written with `omit_tfhd_offset` whose second fragment's video trun gives 0 or 2 of
    its 3 frames: the sound's run is placed at the end of the video's (no offset), the bytes left are after it, and it
    was read as 9 or 11 of its 12 frames, exit code 0. The next fragment's video decode time (tfdt) tells it."""
    import struct

    from hostile import assert_refused_as_index_disagreeing, moof_places
    data = fragmented_mp4_with_sound(tmp_path, "+omit_tfhd_offset")
    moof = moof_places(data)[1]
    struct.pack_into(">I", data, data.index(b"trun", moof) + 8, frames_left)
    assert_refused_as_index_disagreeing(tmp_path / "clip.mp4", data, moof)


def test_a_fragmented_mp4_with_sound_and_no_offsets_whose_sound_trun_gives_no_samples_is_read_whole(tmp_path):
    """The same file whose second fragment's sound trun gives none of its samples: the bytes no run holds are the
    sound's, the video's decode times agree with its durations, and all 12 frames are read."""
    import struct

    from hostile import moof_places
    from utils.video_io import VideoReader
    data = fragmented_mp4_with_sound(tmp_path, "+omit_tfhd_offset")
    moof = moof_places(data)[1]
    struct.pack_into(">I", data, data.index(b"trun", data.index(b"trun", moof) + 4) + 8, 0)
    path = tmp_path / "clip.mp4"
    path.write_bytes(bytes(data))
    assert len(list(VideoReader(str(path)))) == 12


@pytest.mark.parametrize("earlier", [1024, 3072])
def test_a_fragmented_mp4_whose_video_decode_time_goes_back_is_refused(tmp_path, earlier):
    """A fragmented H.264 MP4 of 12 frames (3 a fragment, 1024 the time of each) whose third fragment's decode time
    (tfdt) is a frame's or a fragment's earlier than the second fragment's samples end: FFmpeg's demuxer drops frames
    there without a word, and it was read short (11 of 12 for a frame's), exit code 0."""
    import struct

    from hostile import assert_refused_as_index_disagreeing, ffmpeg_video, moof_places
    data = bytearray(open(ffmpeg_video(tmp_path / "whole.mp4", "-c:v", "libx264", "-g", "3", "-movflags",
                                       "frag_keyframe+empty_moov", frames=12, size="32x32"), "rb").read())
    moof = moof_places(data)[2]
    at = data.index(b"tfdt", moof) + 8
    wide = data[at - 4] == 1  # version 1: a 64-bit time
    form = ">Q" if wide else ">I"
    struct.pack_into(form, data, at, struct.unpack_from(form, data, at)[0] - earlier)
    assert_refused_as_index_disagreeing(tmp_path / "clip.mp4", data, moof)


# Twenty-seventh pass, third look at the twenty-seventh pass's video fixes
@pytest.mark.parametrize("earlier", [1, 30, 1023])
def test_a_fragmented_mp4_whose_video_decode_time_is_less_than_a_frame_early_is_read_whole(tmp_path, earlier):
    """A fragmented H.264 MP4 of 12 frames (3 a fragment, 1024 the time of each) whose third fragment's decode time
    (tfdt) is earlier than the second fragment's samples end by less than its last frame's time (a muxer's rounding:
    YouTube's test files' are 30 of 90,000 early): FFmpeg's demuxer drops no frame, and every one is read, where the
    whole file was refused as damaged."""
    import struct

    from hostile import ffmpeg_video, moof_places
    from utils.video_io import VideoReader
    whole = ffmpeg_video(tmp_path / "whole.mp4", "-c:v", "libx264", "-g", "3", "-movflags", "frag_keyframe+empty_moov",
                         frames=12, size="32x32")
    data = bytearray(open(whole, "rb").read())
    at = data.index(b"tfdt", moof_places(data)[2]) + 8
    form = ">Q" if data[at - 4] == 1 else ">I"
    struct.pack_into(form, data, at, struct.unpack_from(form, data, at)[0] - earlier)
    path = tmp_path / "clip.mp4"
    path.write_bytes(bytes(data))
    assert [frame.tobytes() for frame in VideoReader(str(path))] == [frame.tobytes() for frame in VideoReader(whole)]


def test_a_fragmented_mp4_whose_video_decode_time_is_early_within_a_long_last_frame_is_read_whole(tmp_path):
    """A fragmented MP4 of 12 frames with a gap of 7 frames' time after its third (a variable frame rate's: its trun
    gives each frame's time, the third's 8192) whose second fragment's decode time (tfdt) is 4096 earlier than the
    first's samples end, within that long last frame: FFmpeg's demuxer drops no frame, and every one is read, where the
    whole file was refused as damaged."""
    import struct

    from hostile import ffmpeg_video, moof_places
    from utils.video_io import VideoReader
    whole = ffmpeg_video(tmp_path / "whole.mp4", "-vf", "setpts='(N+if(gte(N,3),7,0))/10/TB'", "-fps_mode", "vfr",
                         "-c:v", "libx264", "-bf", "0", "-g", "3", "-movflags", "frag_keyframe+empty_moov", frames=12,
                         size="32x32")
    data = bytearray(open(whole, "rb").read())
    at = data.index(b"tfdt", moof_places(data)[1]) + 8
    form = ">Q" if data[at - 4] == 1 else ">I"
    struct.pack_into(form, data, at, struct.unpack_from(form, data, at)[0] - 4096)
    path = tmp_path / "clip.mp4"
    path.write_bytes(bytes(data))
    assert [frame.tobytes() for frame in VideoReader(str(path))] == [frame.tobytes() for frame in VideoReader(whole)]


def test_a_video_trun_a_frame_short_before_a_fragment_of_sound_alone_is_refused(tmp_path):
    """A fragmented Motion JPEG MOV with sound (PCM of 44.1 kHz) written with `omit_tfhd_offset`, a fragment a 0.15 s
    and a frame in 4 dropped, so that the sixth fragment holds sound alone, whose video trun before that fragment gives
    one frame less: the fragment of sound alone, of no video decode time, cleared the doubt its data left, and it was
    read a frame short, exit code 0. The video decode time (tfdt) after it tells it."""
    import struct

    from clips import ffmpeg
    from hostile import assert_refused_as_index_disagreeing, moof_places
    whole = tmp_path / "whole.mov"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=32x32:rate=10", "-f", "lavfi", "-i", "sine=r=44100", "-frames:v", "12",
           "-shortest", "-vf", "select='not(eq(mod(n,4),1))'", "-fps_mode", "vfr", "-c:v", "mjpeg", "-c:a", "pcm_s16le",
           "-frag_duration", "150000", "-movflags", "empty_moov+omit_tfhd_offset", str(whole))
    data = bytearray(whole.read_bytes())
    moofs = moof_places(data)
    video = [struct.unpack_from(">I", data, data.index(b"tfhd", moof) + 8)[0] == 1 for moof in moofs]
    moof = moofs[video.index(False) - 1]  # the fragment before the first of sound alone
    count = data.index(b"trun", moof) + 8
    struct.pack_into(">I", data, count, struct.unpack_from(">I", data, count)[0] - 1)
    assert_refused_as_index_disagreeing(tmp_path / "clip.mov", data, moof)


def test_a_fragmented_mp4_whose_last_frame_of_no_time_shares_the_next_decode_time_is_refused(tmp_path):
    """A fragmented MP4 of 12 frames whose trun gives each frame's time (a gap of 7 frames' after the third), the first
    fragment's last frame made to last 0 and the second fragment's decode time (tfdt) that frame's own, as FFmpeg's
    muxer writes `frag_every_frame` files with AAC at times: the tfdt is not earlier than the durations before it, but
    FFmpeg's demuxer drops one of the two frames of one decode time, and it was read as 11 of 12, exit code 0."""
    import struct

    from hostile import assert_refused_as_index_disagreeing, ffmpeg_video, moof_places
    whole = ffmpeg_video(tmp_path / "whole.mp4", "-vf", "setpts='(N+if(gte(N,3),7,0))/10/TB'", "-fps_mode", "vfr",
                         "-c:v", "libx264", "-bf", "0", "-g", "3", "-movflags", "frag_keyframe+empty_moov", frames=12,
                         size="32x32")
    data = bytearray(open(whole, "rb").read())
    first, second = moof_places(data)[:2]
    # the trun's data offset, first sample's flags, then each sample's time and size: the third's time is 8192
    struct.pack_into(">I", data, data.index(b"trun", first) + 36, 0)
    at = data.index(b"tfdt", second) + 8
    form = ">Q" if data[at - 4] == 1 else ">I"
    struct.pack_into(form, data, at, struct.unpack_from(form, data, at)[0] - 8192)
    assert_refused_as_index_disagreeing(tmp_path / "clip.mp4", data, second)


# Twenty-eighth pass, look at generate.py's videos, frames and scene cuts


@pytest.mark.parametrize("aspect", ["65535/1", "1/65535"])
def test_an_mp4_whose_invalid_sample_aspect_stops_decoding_is_refused_as_read_short(tmp_path, aspect):
    """An H.264 MP4 of 8 frames whose stream's sample aspect is one FFmpeg ignores as invalid: OpenCV, and FFmpeg,
    decode its first frame alone, FFmpeg with a warning its only word, and it was read as 1 of its 8 frames, exit code
    0. FFmpeg's count of packets read against frames decoded tells it."""
    from hostile import ffmpeg_video, video_refusal
    path = ffmpeg_video(tmp_path / "clip.mp4", "-c:v", "libx264", "-bsf:v",
                        f"h264_metadata=sample_aspect_ratio={aspect}", frames=8, size="32x32")
    assert video_refusal(path) == (f"video '{path}' ended after 1 of the 8 frames it announces: it is truncated or "
                                   "damaged; repair it (or pass --end 1 to use what is there)")


# Twenty-eighth pass, second look at the twenty-eighth pass's video fixes


@pytest.mark.parametrize("extension", ["mp4", "mpg"])
def test_an_mpeg2_open_gop_cut_by_stream_copy_is_read_whole_not_called_truncated(tmp_path, extension):
    """`ffmpeg -ss T -c copy` of MPEG-2 of open GOPs leaves the first GOP's leading B-frames, which refer to a picture
    before the cut: FFmpeg's decoder drops them, its packets read more than its frames decoded, and the clip, read as
    FFmpeg decodes it, was refused as "truncated or damaged"."""
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    whole = ffmpeg_video(tmp_path / f"whole.{extension}", "-c:v", "mpeg2video", "-g", "12", "-bf", "2", frames=36,
                         size="32x32")
    cut = str(tmp_path / f"cut.{extension}")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-ss", "1.3", "-i", whole, "-c", "copy", cut], check=True)
    assert len(list(VideoReader(cut))) == decoded_count(cut) < 30


@pytest.mark.parametrize("damage", ["invalid sample aspect", "cut"])
def test_a_raw_h264_stream_its_decoder_does_not_decode_whole_is_refused(tmp_path, damage):
    """A raw H.264 stream announces no count: its frames were counted by OpenCV's decoding alone, and one whose sample
    aspect FFmpeg ignores as invalid (65535:1) was read as 1 of its 8 frames, one cut at two thirds as 7 frames (FFmpeg
    decodes 9 of its 10 packets, with an error), exit code 0. FFmpeg's decoding of it to its end now tells it."""
    from hostile import ffmpeg_video, video_refusal
    metadata = ["-bsf:v", "h264_metadata=sample_aspect_ratio=65535/1"] if damage != "cut" else []
    path = ffmpeg_video(tmp_path / "clip.h264", "-c:v", "libx264", *metadata, frames=8 if metadata else 24,
                        size="32x32")
    if damage == "cut":
        data = open(path, "rb").read()
        open(path, "wb").write(data[:len(data) * 2 // 3])
    assert re.fullmatch(rf"video '{re.escape(path)}' ended after \d+ frames?: it is truncated or damaged; repair it "
                        r"\(or pass --end \d+ to use what is there\)", video_refusal(path))


# Twenty-eighth pass, third look at the twenty-eighth pass's video fixes


@pytest.mark.parametrize("seconds", ["2.3", "3.1"])
def test_two_mpeg2_open_gop_cuts_in_ts_joined_by_cat_are_read_whole_not_called_truncated(tmp_path, seconds):
    """`ffmpeg -ss T -c copy` of MPEG-2 of open GOPs into a TS lifts the leading B-frames' negative times to a tick or
    two after the first frame's; the decoder drops them. Two such cuts joined by cat, read past the count the first
    announces, were refused as "truncated or damaged", all the frames FFmpeg decodes read."""
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    whole = ffmpeg_video(tmp_path / "whole.mkv", "-c:v", "mpeg2video", "-g", "12", "-bf", "2", frames=48, size="32x32")
    cut, joined = tmp_path / "cut.ts", tmp_path / "joined.ts"
    subprocess.run([ffmpeg_executable(), "-v", "error", "-ss", seconds, "-i", whole, "-c", "copy", str(cut)],
                   check=True)
    joined.write_bytes(cut.read_bytes() * 2)
    assert len(list(VideoReader(str(joined)))) == decoded_count(str(joined))


def ts_with_picture_times_absent(path, untimed=slice(1, None, 2)):
    """The bytes of the H.264 TS at path with the times (PTS, DTS) of the video PES headers of the pictures `untimed`
    selects flagged absent (every second one, as a TS may: a time each 0.7 s is needed); the bytes they held are left
    as the header's stuffing."""
    data = bytearray(open(path, "rb").read())
    starts = [offset + 4 + (1 + data[offset + 4] if data[offset + 3] & 0x20 else 0)
              for offset in range(0, len(data), 188) if data[offset + 1] & 0x40]
    pictures = [start for start in starts if data[start:start + 4] == b"\x00\x00\x01\xe0"]
    for start in pictures[untimed]:
        data[start + 7] &= 0x3F
    return bytes(data)


def test_a_ts_of_sparse_times_joined_to_one_its_decoder_drops_is_refused(tmp_path):
    """Two TS joined by cat, their pictures timed every second one (untimed packets were counted as shown before the
    first frame, as a live MKV cut at an open GOP leaves them), the second's sample aspect invalid (65535:1): FFmpeg
    decodes 18 of its 32 packets, and it was read as 18 frames, exit code 0."""
    from hostile import video_refusal
    plain = ffmpeg_video(tmp_path / "plain.ts", "-c:v", "libx264", "-bf", "0", frames=16, size="32x32")
    invalid = ffmpeg_video(tmp_path / "invalid.ts", "-c:v", "libx264", "-bf", "0", "-bsf:v",
                           "h264_metadata=sample_aspect_ratio=65535/1", frames=16, size="32x32")
    joined = tmp_path / "joined.ts"
    joined.write_bytes(ts_with_picture_times_absent(plain) + ts_with_picture_times_absent(invalid))
    assert re.fullmatch(rf"video '{re.escape(str(joined))}' ended after \d+ frames: it is truncated or damaged; .*",
                        video_refusal(str(joined)))


# Twenty-eighth pass, fourth look at the twenty-eighth pass's video fixes


@pytest.mark.parametrize("cuts", [2, 3])
def test_hevc_open_gop_cuts_in_ts_joined_by_cat_that_opencv_reads_short_are_refused(tmp_path, cuts):
    """`ffmpeg -ss T -c copy` of HEVC of open GOPs into a TS, joined by cat: FFmpeg decodes every frame, OpenCV's
    decoder drops the second cut's leading pictures and stops at a third cut's. Read past the count the first
    announces, it was read as 68 of the 72 (or 108) frames FFmpeg decodes, exit code 0."""
    from hostile import video_refusal
    from utils.video_probe import ffmpeg_executable
    whole = ffmpeg_video(tmp_path / "whole.mkv", "-c:v", "libx265", "-x265-params",
                         "open-gop=1:keyint=12:bframes=2:log-level=0", frames=48, size="32x32")
    cut, joined = tmp_path / "cut.ts", tmp_path / "joined.ts"
    subprocess.run([ffmpeg_executable(), "-v", "error", "-ss", "2.3", "-i", whole, "-c", "copy", str(cut)],
                   check=True)
    joined.write_bytes(cut.read_bytes() * cuts)
    assert re.fullmatch(rf"video '{re.escape(str(joined))}' ended after \d+ frames: it is truncated or damaged; .*",
                        video_refusal(str(joined)))


@pytest.mark.parametrize("dropped", [2, 3])
def test_a_ts_timed_at_its_first_picture_alone_joined_to_one_its_decoder_drops_is_refused(tmp_path, dropped):
    """A TS timed at its first picture alone joined by cat to one of an invalid sample aspect (65535:1) whose pictures
    are untimed: every untimed packet was counted as shown before the first frame, no packet being timed later, and
    FFmpeg's 17 frames of 18 or 19 packets were read as the whole, exit code 0."""
    from hostile import video_refusal
    plain = ffmpeg_video(tmp_path / "plain.ts", "-c:v", "libx264", "-bf", "0", frames=16, size="32x32")
    invalid = ffmpeg_video(tmp_path / "invalid.ts", "-c:v", "libx264", "-bf", "0", "-bsf:v",
                           "h264_metadata=sample_aspect_ratio=65535/1", frames=dropped, size="32x32")
    joined = tmp_path / "joined.ts"
    joined.write_bytes(ts_with_picture_times_absent(plain, slice(1, None))
                      + ts_with_picture_times_absent(invalid, slice(1, None)))
    assert re.fullmatch(rf"video '{re.escape(str(joined))}' ended after 17 frames: it is truncated or damaged; .*",
                        video_refusal(str(joined)))


def test_an_h264_open_gop_cut_into_ts_read_whole_short_of_its_estimate_is_not_refused(tmp_path):
    """`ffmpeg -ss T -c copy` of H.264 of open GOPs (headers at each key frame) into a TS, its times jittered to the
    millisecond: its 12 frames, all FFmpeg decodes, fall short of the 13 its times announce, and its decoder's line
    that a leading picture's reference is missing ("mmco: unref short failure") had it refused as "truncated or
    damaged", with the advice "--end 1"."""
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    whole = ffmpeg_video(tmp_path / "whole.ts", "-c:v", "libx264", "-x264-params",
                         "open-gop=1:keyint=12:bframes=3:repeat-headers=1", "-vf", r"setpts=(N*0.04+gte(N\,1)*2)/TB",
                         "-fps_mode", "vfr", "-enc_time_base:v", "1:1000", frames=48, size="32x32")
    cut = str(tmp_path / "cut.ts")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-ss", "3.1", "-i", whole, "-c", "copy", cut], check=True)
    reader = VideoReader(cut)
    assert len(list(reader)) == decoded_count(cut) < reader.total_frames
