"""Shot boundaries of a video: where a frame-recurrent model must start again.

A cut at frame n means that frame n opens a new shot. Cuts are found by PySceneDetect's
ContentDetector (changes of hue, saturation and brightness between frames; OpenCV decodes), or read
from a file of frame numbers, one a line.
"""
import bisect
import itertools
import logging
import os

from utils.errors import UserError

# Shortest shot the detector reports (frames): PySceneDetect's default (15) would miss a shot of under
# 15 frames; a few frames still keep a flash from opening two shots.
MIN_SHOT_FRAMES = 4


def detect_cuts(path, start=0, end=None):
    """Frame numbers (counted from the video's first frame) that open a new shot, within start..end-1."""
    from scenedetect import ContentDetector, detect

    logging.getLogger("pyscenedetect").setLevel(logging.WARNING)
    scenes = detect(path, ContentDetector(min_scene_len=MIN_SHOT_FRAMES), start_time=start, end_time=end)
    return [scene_start.frame_num for scene_start, _ in scenes[1:] if start < scene_start.frame_num < (end or 1 << 62)]


def read_cuts_file(path, frame_count):
    """Cut frame numbers from a text file, one a line (blank lines and '#' comments skipped): whole
    numbers, increasing, each inside the video (1 .. frame_count - 1). UserError otherwise."""
    if not os.path.isfile(path):
        raise UserError(f"--scene-cuts '{path}' is not a file; pass auto, off, or a file of frame numbers")
    try:
        with open(path, encoding="utf-8") as file:
            lines = [(number, line.split("#")[0].strip()) for number, line in enumerate(file, 1)]
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read --scene-cuts '{path}' ({error}); pass a text file of frame numbers")
    cuts = []
    for number, text in lines:
        if not text:
            continue
        if not text.isdigit():
            raise UserError(f"--scene-cuts '{path}' line {number}: '{text}' is not a frame number; "
                            "write one whole number a line")
        cut = int(text)
        if not 0 < cut < frame_count:
            raise UserError(f"--scene-cuts '{path}' line {number}: frame {cut} is outside the video's frames "
                            f"1..{frame_count - 1} (frame 0 always starts a scene)")
        if cuts and cut <= cuts[-1]:
            raise UserError(f"--scene-cuts '{path}' line {number}: frame {cut} does not come after {cuts[-1]}; "
                            "list the cuts in increasing order")
        cuts.append(cut)
    return cuts


def split_at_cuts(items, cuts):
    """Yield one iterator per scene over a stream of items, a new scene at each index in cuts (sorted).

    Streams: each scene's iterator must be used up before the next is taken, as itertools.groupby."""
    for _, scene in itertools.groupby(enumerate(items), key=lambda pair: bisect.bisect_right(cuts, pair[0])):
        yield (item for _, item in scene)
