"""Shot boundaries of a video: where a frame-recurrent model must start again.

A cut at frame n means that frame n opens a new shot. Cuts are found by PySceneDetect's
ContentDetector (changes of hue, saturation and brightness between frames; OpenCV decodes), or read
from a file of frame numbers, one a line.
"""
import bisect
import itertools
import logging
import os
import re

import numpy as np

from utils.atomic_files import write_bytes
from utils.errors import UserError, shortened, shown_plainly
from utils.image_io import WriteBehind
from utils.text import wide_text, wide_text_refusal
from utils.video_probe import opencv_path

# Shortest shot the detector reports (frames): PySceneDetect's default (15) would miss a shot of under
# 15 frames; a few frames still keep a flash from opening two shots.
MIN_SHOT_FRAMES = 4


def detect_cuts(path, start=0, end=None):
    """Frame numbers (counted from the video's first frame) that open a new shot, within start..end-1."""
    from scenedetect import ContentDetector, SceneManager

    # CRITICAL: it logs an ERROR for a video whose codec OpenCV names no FOURCC (a .y4m), which it then reads
    # as well as we do (VideoReader checks what OpenCV decodes)
    logging.getLogger("pyscenedetect").setLevel(logging.CRITICAL)
    video = frames_in_decoding_order(opencv_path(path))
    # from a little before start: the detector reports no cut within MIN_SHOT_FRAMES of where it begins
    for _ in range(max(0, start - MIN_SHOT_FRAMES)):
        if video.read(decode=False) is False:
            return []
    manager = SceneManager()
    manager.add_detector(ContentDetector(min_scene_len=MIN_SHOT_FRAMES))
    manager.detect_scenes(video=video, end_time=end)
    return [
        scene_start.frame_num for scene_start, _ in manager.get_scene_list()[1:]
        if start < scene_start.frame_num < (end or 1 << 62)
    ]


def frames_in_decoding_order(path):
    """PySceneDetect's OpenCV video of path whose frames are numbered as they are decoded, as VideoReader numbers them:
    PySceneDetect numbers a frame by its time times the average frame rate, and a variable-rate video's cut at frame
    12 was said at frame 5 (the recurrence started again in mid-shot, the true cut missed, exit code 0); a GIF of two
    frames of 655 s each (OpenCV's rate 100) had its cut at frame 65500, whose 65501 names generate.py's progress bar
    counted first ("0/65501")."""
    from scenedetect import FrameTimecode
    from scenedetect.backends.opencv import VideoStreamCv2

    class InDecodingOrder(VideoStreamCv2):
        read_count = 0

        def read(self, decode=True):
            frame = super().read(decode)
            self.read_count += frame is not False
            return frame

        @property
        def position(self):  # of the frame read last, as PySceneDetect's (the first frame's before one is read)
            return FrameTimecode(max(self.read_count - 1, 0), self.frame_rate)

    return InDecodingOrder(path)


def read_cuts_file(path, frame_count, other_choices=(), frames_held=None):
    """Cut frame numbers from a text file, one a line (blank lines and '#' comments skipped): whole
    numbers, increasing, each inside the video (1 .. frame_count - 1). UserError otherwise, offering
    other_choices (the command's other --scene-cuts values) beside a file. frames_held: a video's
    (VideoReader.frames_held), whose frame_count is the count it announces: a cut past it is checked against the
    frames the video holds, which can be more."""
    if not os.path.isfile(path):
        raise UserError(
            f"--scene-cuts '{path}' is not a file; pass {''.join(f'{choice}, ' for choice in other_choices)}"
            f"{'or ' if other_choices else ''}a file of frame numbers")
    cuts, numbers = [], []
    try:
        # -sig: a byte-order mark some editors write is skipped; read a line at a time, each checked as it comes: a
        # log or table of hundreds of megabytes given by mistake was read whole (its lines in memory) before its
        # first line was refused
        # surrogateescape: a comment in another encoding than UTF-8 (Latin-1's 'café', GB18030, Shift JIS) is read
        # past, as it is left out: it was "cannot read ... ('utf-8' codec can't decode byte 0xe9 ...); pass a readable
        # text file"; a line of numbers with such bytes is no frame number, said with them as codes
        with open(path, "rb") as raw:
            # its first line whole: UTF-16 or UTF-32 whose first line is a comment ('# cuts' then '3') was "line 2:
            # '\x003\x00' is not a frame number" (a comment is read past)
            first_line = raw.readline(LINE_READ)
        with open(path, encoding="utf-8-sig", errors="surrogateescape") as file:
            for number, text in enumerate(texts_before_comments(file), 1):
                if (number == 1 and wide_text(first_line)) or (
                        "\0" in text and wide_text(text.encode("utf-8", "surrogateescape"))):
                    # the byte-order mark of UTF-16 or UTF-32 (PowerShell 5's 'echo 3 > cuts.txt', Notepad's
                    # "Unicode"), or digits with NULs beside them on any line (after a comment of other characters
                    # than ASCII, whose first characters show no pattern): the same line, which said nothing of the
                    # encoding; or the NULs alone of a wide line's end or a wide comment's start (UTF-16 with CRLF
                    # line ends or big-endian, after such a comment: "line 2: '\x00' is not a frame number")
                    raise wide_text_refusal(f"cannot read --scene-cuts '{path}': it",
                                            "save it as UTF-8 (or ASCII) text, one frame number a line")
                cut = read_cut(path, number, text, frame_count, frames_held)
                if cut is None:
                    continue
                if cuts and cut <= cuts[-1]:
                    raise UserError(
                        f"--scene-cuts '{path}' line {number}: frame {cut} does not come after {cuts[-1]}; "
                        "list the cuts in increasing order")
                cuts.append(cut)
                numbers.append(number)
    except OSError as error:  # an OSError's reason without its errno and the path again
        raise UserError(f"cannot read --scene-cuts '{path}' ({getattr(error, 'strerror', None) or error}); pass a "
                        "readable text file of frame numbers")
    # past the count announced, which a count estimated from the duration misses (one within it and past the frames
    # held opens a shot of no frames: not decoded for)
    held = frames_held(cuts[-1] + 1) if frames_held and cuts and cuts[-1] >= frame_count else frame_count
    for number, cut in zip(numbers, cuts):
        if cut >= held:  # far past the count announced, an estimate, the video is not decoded: said as announced
            raise cut_outside(path, number, str(cut), held, announced=bool(frames_held) and held == frame_count)
    return cuts


# characters of a cuts file's line read at once, and kept of its text before a comment
LINE_READ = 1 << 16


def texts_before_comments(file, limit=LINE_READ):
    """The text before '#' of each line of a text file, stripped, at most limit characters of it kept: a line is read
    limit characters at a time, a comment's left as read, the rest of one whose text reaches limit (no frame number)
    only once the next line is asked for. A file of gigabytes without a line end (a disk image's NULs, a minified log)
    was read whole as its first line before it was refused, a MemoryError traceback under a memory limit."""
    while line := file.readline(limit):
        text, in_comment = kept(line.split("#", 1)[0], limit), "#" in line
        while not line.endswith("\n") and len(text) < limit and (line := file.readline(limit)):
            if not in_comment:
                text, in_comment = kept(text + line.split("#", 1)[0], limit), "#" in line
        yield text.strip()
        while not line.endswith("\n") and (line := file.readline(limit)):
            pass


def kept(text, limit):
    """text without its leading blanks, at most limit characters of it; one reaching limit with a run of blanks or
    leading zeros in it is kept with each run as one character: a number after 65,536 zeros was read as frame 0, and
    '3', 70,000 spaces and '4' as frame 3, the text past the limit unread."""
    text = text.lstrip()
    if len(text) >= limit:
        text = re.sub(r"\s+", " ", re.sub("^0+", "0", text))
    return text[:limit]


def read_cut(path, number, text, frame_count, frames_held):
    """The cut frame number a cuts file's line holds (its text without the comment), None for a blank line;
    UserError for a line that is no frame number, or one outside the frames."""
    if not text:
        return None
    # not str.isdigit: it takes superscripts and other scripts' digits
    if not re.fullmatch(r"[0-9]+", text):
        # ascii(): an invisible character (a zero-width space pasted from a web page) shown as its code; of the
        # part shown alone: shown_plainly over a whole line of megabytes kept the refusal waiting
        head = text[:60]
        shown = f"'{head}'" if shown_plainly(head) else ascii(head)
        raise UserError(f"--scene-cuts '{path}' line {number}: {shortened(shown, 60)} is not a frame number; "
                        "write one whole number a line, in the digits 0-9")
    digits = text.lstrip("0") or "0"
    # of more digits than ten times the count: past any end (read no further)
    cut = int(digits) if len(digits) <= len(str(frame_count)) + 1 else None
    if cut is None or cut == 0 or (frames_held is None and cut >= frame_count):
        raise cut_outside(path, number, digits, frame_count)
    return cut


def cut_outside(path, number, digits, frame_count, announced=False):
    return UserError(f"--scene-cuts '{path}' line {number}: frame {shortened(digits, 23)} is outside the frames "
                     f"1..{frame_count - 1}{' the video announces' if announced else ''} (frame 0 always starts a "
                     "scene)")


def split_at_cuts(items, cuts):
    """Yield one iterator per scene over a stream of items, a new scene at each index in cuts (sorted).

    Streams: each scene's iterator must be used up before the next is taken, as itertools.groupby."""
    for _, scene in itertools.groupby(enumerate(items), key=lambda pair: bisect.bisect_right(cuts, pair[0])):
        yield (item for _, item in scene)


def write_cuts_file(path, cuts):
    """A file read_cuts_file reads back: the cut frame numbers, one a line."""
    write_bytes(path, "".join(f"{cut}\n" for cut in cuts), mode="w")


def shot_ranges(cuts, frame_count):
    """(first frame, stop) of each shot of frames 0..frame_count-1, split at cuts (sorted, inside)."""
    bounds = [0, *cuts, frame_count]
    return list(itertools.pairwise(bounds))


def assign_scenes(costs, ranks):
    """Owner rank of each scene, in scene order: each goes to the rank with the least work so far (the
    lowest rank on ties). Loads differ by at most the largest cost, and every rank meets its scenes in
    about the order rank 0 writes them, so few finished frames wait for rank 0."""
    loads, owners = [0] * ranks, []
    for cost in costs:
        owner = min(range(ranks), key=lambda rank: (loads[rank], rank))
        owners.append(owner)
        loads[owner] += cost
    return owners


def spread_scenes(scenes, owners, processes, super_resolve_scene, frame_shape, waiting_frames):
    """Whole scenes super-resolved on the processes of mpirun; yields, on rank 0 only, (name, frame) of
    every frame in order.

    scenes: one iterator of (name, LR frame) per scene, the same on every rank (as split_at_cuts gives);
    owners: the rank of each scene (assign_scenes); super_resolve_scene(scene) yields (name, frame) of a
    scene, frames uint8 of frame_shape. A rank sends each finished frame of its scenes to rank 0 (tag: the
    scene's index), keeping at most `waiting_frames` not yet received; rank 0 computes its own scenes
    and receives the others' frames scene by scene, in order. Each scene starts the recurrence anew,
    so the frames equal one process's."""
    if processes.rank == 0:
        for index, (owner, scene) in enumerate(zip(owners, scenes)):
            if owner == 0:
                yield from super_resolve_scene(scene)
                continue
            for name, _ in scene:
                frame = np.empty(frame_shape, np.uint8)
                processes.comm.Recv(frame, source=owner, tag=index)
                yield name, frame
        return
    last = max(index for index, owner in enumerate(owners) if owner == processes.rank)
    with WriteBehind(depth=waiting_frames) as sender:  # a thread sends while the next frames compute
        for index, (owner, scene) in enumerate(zip(owners, scenes)):
            if owner == processes.rank:
                for _, frame in super_resolve_scene(scene):
                    sender.submit(processes.comm.Send, frame, 0, index)
            if index == last:
                break
