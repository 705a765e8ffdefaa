"""The TecoGAN authors' training-data preparation (thunil/TecoGAN dataPrepare.py), restartable.

    python -m authors_scripts.dataPrepare --disk_path TrainingDataPath --TEST     # check the links, log only
    python -m authors_scripts.dataPrepare --disk_path TrainingDataPath --REMOVE   # 308 scenes from 28 videos
    python -m authors_scripts.dataPrepare --disk_path TrainingDataPath --video clip.mp4 --scene_starts 0,300

Each video of the authors' list (training_videos.json beside this script) is downloaded with
yt-dlp (or youtube-dl), and from each listed start frame a scene of --duration frames is written
as <disk_path>/scene_<id>/col_high_<NNNN>.png, every frame halved in both axes with area
interpolation, as the authors do. Videos of the list below 400 pixels in either axis are skipped. --video
builds scenes from local files (of any size from 2x2) instead of the list; without --scene_starts, the
scenes run back to back inside each shot (cuts found by PySceneDetect), so that none spans a cut.

Differences from the authors' script, all for restarting: a scene id is fixed by the scene's
place in the list (with every video available this is the authors' numbering; an unavailable
video leaves a gap, which data_loader.py skips), a scene is written into a hidden folder and
renamed when whole, scenes already complete are not redone, and a video whose scenes are all
complete is not downloaded again. A run that ends with no scene ready stops with exit code 2.
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import ExitStack, suppress
from dataclasses import dataclass

if not __package__:  # run as a file, as the authors' script was: the repository's packages are one folder up
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

import cv2
import numpy as np
from tqdm import tqdm

from utils.atomic_files import check_name_length, commit_folder, disk_full, write_bytes
from utils.errors import UserError, counted, exit_on_user_error, printable, shortened
from utils.flags import FlagParser, grouping_refused, ungrouped
from utils.image_io import bgr_uint8_to_rgb_float, write_rgb
from utils.video_probe import check_video_streams, mirror_axis, opencv_path
from utils.paths import (input_file, is_within, lock_folder, make_folder, no_space, output_folder, room_to_create,
                         taken_by_other_than_folder)
from utils.scene_layout import frame_path, scene_dir
from utils.scenes import detect_cuts, shot_ranges

VIDEO_LIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "training_videos.json")
MIN_VIDEO_SIZE = 400  # pixels, both axes; the authors skip smaller videos of their list
DOWNSCALE = 0.5  # the authors halve every frame with INTER_AREA "to ensure the quality"
DOWNLOAD_FORMAT = "bestvideo/best"
DOWNLOADERS = ("yt-dlp", "youtube-dl")  # yt-dlp first: youtube-dl is no longer maintained
PROBE_TIMEOUT_S = 300
SOURCE_FILE = ".source.json"  # in a scene folder: the video and frame it was cut from (Video.source, its start)


class VideoFailure(Exception):
    """A video that cannot be used (unavailable, unreadable, too small): logged and skipped."""


class TooShort(VideoFailure):
    """A video in which no scene of --duration frames fits."""


class Log:
    """Lines to the terminal and appended to <summary_dir>/logfile_<mmddHHMM>.txt, as the authors' log."""

    def __init__(self, summary_dir):
        self.path = os.path.join(summary_dir, datetime.datetime.now().strftime("logfile_%m%d%H%M.txt"))
        with room_to_create():
            os.makedirs(summary_dir, exist_ok=True)
            if os.path.exists(self.path) and not os.path.isfile(self.path):  # a folder (a traceback), a pipe (a wait)
                raise UserError(f"'{self.path}' is not a file, and the log goes there; move it, or choose another "
                                "--summary_dir")
            self.file = open(self.path, "a")

    def __call__(self, message):
        # as error lines show names: a --disk_path not UTF-8 was UnicodeEncodeError's traceback (the log file's, then
        # the terminal's), a direction override in a --video's name turned the rest of its line around
        line = printable(message)
        tqdm.write(line)
        try:
            self.file.write(line + "\n")
            self.file.flush()
        except OSError as error:  # a full disk: OSError's traceback, then another from the close
            raise (no_space(self.path) if disk_full(error, self.path) else
                   UserError(f"cannot write the log '{self.path}' ({error.strerror})")) from None

    def close(self):
        with suppress(OSError):  # the write that failed has said why
            self.file.close()
        with suppress(OSError):
            if os.path.getsize(self.path) == 0:  # not a line written (a full disk): no empty log is left
                os.remove(self.path)


@dataclass
class Video:
    """One source of scenes: a link of the authors' list or a local file, with its scenes' start frames."""
    name: str  # how the log names it: the link or the file path
    starts: list
    first_scene_id: int
    link: str = None
    path: str = None

    def scenes(self):
        """[(scene id, first frame)]."""
        return [(self.first_scene_id + k, start) for k, start in enumerate(self.starts)]

    def source(self):
        """The video as its scenes' folders record it (SOURCE_FILE): its link, or a local file's name (a link's
        target's) and size (moved, the same video; another of that name, another)."""
        return self.link or f"{os.path.basename(os.path.realpath(self.path))} ({os.path.getsize(self.path)} bytes)"


def load_video_list():
    """The authors' list, checked (a list edited by hand failed with a traceback, or an id holding '../' made a link
    to another page of the host)."""
    try:
        with open(VIDEO_LIST, encoding="utf-8") as file:
            listing = json.load(file)
    except (OSError, ValueError, RecursionError) as error:  # RecursionError: arrays nested thousands deep
        problem = f"cannot be read as JSON ({shortened(str(error))})"
    else:
        problem = video_list_problem(listing)
    if problem:
        raise UserError(f"the video list '{VIDEO_LIST}' {problem}; restore it (git checkout {VIDEO_LIST})")
    return listing


def whole_number(value, least):
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def video_list_problem(listing):
    """What makes the content of training_videos.json unusable, or None."""
    if not isinstance(listing, dict):
        return "is not a JSON object"
    if not isinstance(listing.get("link_prefix"), str):
        return "has no link_prefix text"
    for key, least in (("scene_duration_frames", 1), ("first_scene_id", 0)):
        if not whole_number(listing.get(key), least):
            return f"has no {key} of a whole number >= {least}"
    if not (isinstance(listing.get("videos"), list) and listing["videos"]):  # none: "check the reasons ... skipped"
        return "has no list of videos"
    listed = {}  # the start frames listed so far of each video id
    for number, entry in enumerate(listing["videos"], 1):
        video_id = entry.get("id") if isinstance(entry, dict) else None
        # a name of letters, digits, - and _ (the link's last part, and the downloaded file's name in --disk_path)
        if not (isinstance(video_id, str) and re.fullmatch(r"[A-Za-z0-9_-]+", video_id)):
            return f"has no id of letters and digits in video {number}"
        starts = entry["scene_start_frames"] if "scene_start_frames" in entry else None
        # none: the video was skipped as "shorter than" the duration
        if not (isinstance(starts, list) and starts and all(whole_number(start, 0) for start in starts)
                and len(set(starts)) == len(starts)):
            return f"has no scene_start_frames of different frame numbers >= 0 in video {number} ({video_id})"
        # a video may be listed again with other starts; one listed again with a start of before cut that scene twice
        again = sorted(listed.setdefault(video_id, set()) & set(starts))
        if again:
            return f"lists frame {again[0]} of video {video_id} again in video {number}: that scene would be cut twice"
        listed[video_id].update(starts)
    return None


def listed_videos(first_scene_id):
    """The authors' 28 videos; scene ids run through the whole list in order."""
    listing = load_video_list()
    videos = []
    for entry in listing["videos"]:
        starts = entry["scene_start_frames"]
        link = listing["link_prefix"] + entry["id"]
        videos.append(Video(link, starts, first_scene_id, link=link))
        first_scene_id += len(starts)
    return videos


def shot_scene_starts(frame_count, cuts, duration):
    """Back-to-back scenes inside each shot: from each shot's first frame, every `duration` frames while a
    whole scene fits before the next cut, so that no scene spans a cut."""
    return [start for first, stop in shot_ranges(cuts, frame_count)
            for start in range(first, stop - duration + 1, duration)]


def parse_starts(text):
    if refusal := grouping_refused("--scene_starts", text, "0,300"):  # int() read '0,3_00' as 0 and 300
        raise UserError(refusal)
    try:
        starts = [int(value) for value in text.split(",") if value.strip()]
    except ValueError:
        starts = []
    if not starts or min(starts) < 0:
        raise UserError(
            f"--scene_starts '{shortened(text)}' is not a comma-separated list of frame numbers >= 0, e.g. 0,300")
    repeated = sorted({start for start in starts if starts.count(start) > 1})
    if repeated:
        raise UserError(f"--scene_starts '{text}' names frame {repeated[0]} twice, which would make the same "
                        "scene twice; list each start once")
    return starts


def local_videos(paths, scene_starts, first_scene_id, duration):
    """Videos from --video files; each --scene_starts list belongs to the --video at the same place
    (a single list applies to all); without one, back-to-back scenes fill each shot of the file."""
    for path in paths:
        input_file(path, "--video", regular=True)  # read three times: a pipe gives its frames once, or waits
    if len(scene_starts) not in (0, 1, len(paths)):
        raise UserError(f"{len(scene_starts)} --scene_starts for {len(paths)} --video files: "
                        "give one list for all videos or one list per video")
    lists = [parse_starts(text) for text in scene_starts]
    videos = []
    cut = {}  # the start frames so far of each file (by its device and inode: a link to it is the same file)
    for index, path in enumerate(paths):
        if lists:
            starts = lists[index if len(lists) > 1 else 0]
        else:
            frame_count = video_frame_count(path)
            if frame_count == 0:
                raise UserError(
                    f"--video '{path}' cannot be read as a video; pass a video file (mp4, mov, ...)")
            starts = shot_scene_starts(frame_count, detect_cuts(path), duration)
        # a file given again (as the authors' list may list a video again) with a start of before: the same scene
        # was cut twice, the training weighing it double
        status = os.stat(path)
        again = sorted(cut.setdefault((status.st_dev, status.st_ino), set()) & set(starts))
        if again:
            raise UserError(f"--video '{path}' is given again with frame {again[0]} among its starts: that scene would "
                            "be cut twice; give each file once, or other --scene_starts for it")
        cut[status.st_dev, status.st_ino].update(starts)
        videos.append(Video(path, starts, first_scene_id, path=path))
        first_scene_id += len(starts)
    return videos


def video_frame_count(path):
    capture = cv2.VideoCapture(opencv_path(path))
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if capture.isOpened() else 0
    # a container without a frame count (a raw .h264 stream, a camera's .mjpeg): OpenCV says a negative number, and no
    # scene was planned ("no shot of the video has 120 frames"); counted by reading them
    if count <= 0:
        count = 0
        while capture.grab():
            count += 1
    capture.release()
    return count


def video_size(path):
    """(width, height) of a video file; VideoFailure if it cannot be opened."""
    capture = cv2.VideoCapture(opencv_path(path))
    if not capture.isOpened():
        raise VideoFailure(f"cannot open '{path}' as a video")
    size = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    capture.release()
    if min(size) <= 0:  # opened, but no frame found (an animated WebP): it was skipped as "0x0 is too small"
        raise VideoFailure(f"cannot read '{path}' as a video (OpenCV finds no frame in it)")
    return size


def find_downloader():
    for program in DOWNLOADERS:
        found = shutil.which(program)
        if found:
            return found
    raise UserError("downloading the authors' videos needs yt-dlp or youtube-dl: pip install yt-dlp "
                    "(or pass --video FILE to use local videos)")


def run_downloader(downloader, arguments, timeout=None):
    """stdout of the downloader; VideoFailure with its last error line if it fails."""
    try:
        # read as UTF-8 (JSON's coding), other bytes replaced: a title or an error line in latin-1 was a
        # UnicodeDecodeError traceback
        result = subprocess.run([downloader, *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                encoding="utf-8", errors="replace", timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise VideoFailure(f"{os.path.basename(downloader)} did not run: {error}")
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        # its line may hold what a server sent (a title): a terminal's escape sequences by their codes, cut short
        raise VideoFailure(f"{os.path.basename(downloader)} failed: "
                           f"{shortened(printable(lines[-1]), 200) if lines else f'exit code {result.returncode}'}")
    return result.stdout


def pixel_side(value):
    """A width or height from the downloader's JSON as an int, or -1 (unknown: the video is skipped as too small).
    A whole number may come as a float (1280.0)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if whole_number(value, 0) else -1


def probe_link(downloader, link):
    """(width, height, file extension) of the format the download would fetch, without downloading."""
    # "--" ends the downloader's options: a link is never read as one (a list edited to begin links with "-")
    output = run_downloader(downloader, ["--dump-single-json", "--no-playlist", "-f", DOWNLOAD_FORMAT, "--", link],
                            timeout=PROBE_TIMEOUT_S)
    try:
        info = json.loads(output)
    except (ValueError, RecursionError):
        raise VideoFailure("the downloader's video information is not JSON")
    if not isinstance(info, dict):
        raise VideoFailure("the downloader's video information is not a JSON object")
    width, height = map(pixel_side, (info.get("width"), info.get("height")))
    extension = info.get("ext") or "mp4"
    if not (isinstance(extension, str) and re.fullmatch(r"[A-Za-z0-9]+", extension)):  # a part of the file's path
        raise VideoFailure(f"the downloader names the video's extension {shortened(repr(extension))}")
    return width, height, extension


def template_folder(disk_path):
    """disk_path as the folder of the downloaders' output template: absolute (yt-dlp joins a relative one to the
    home folder of its configuration's -P, and expands a leading "~" to the user's home) and with its links resolved
    (os.path.abspath drops 'lnk/..' as text: another folder than the one made and locked), "%", their formatting
    character, written "%%" for itself."""
    return os.path.realpath(disk_path).replace("%", "%%")


def download_link(downloader, link, extension, disk_path):
    """The video file <disk_path>/<video id>.<extension>, as the authors name it."""
    video_id = link.rstrip("/").rsplit("/", 1)[-1]
    path = os.path.join(disk_path, f"{video_id}.{extension}")
    if not os.path.isfile(path):  # the downloader itself writes under a temporary name
        template = os.path.join(template_folder(disk_path), f"{video_id}.%(ext)s")
        run_downloader(downloader, ["--no-playlist", "-f", DOWNLOAD_FORMAT, "-o", template, "--", link])
    if not os.path.isfile(path):
        # written under another extension than the video information's (a --remux-video or --recode-video in the
        # downloader's configuration): the one file of the video's id is the video (its temporary files have two dots)
        written = [name for name in os.listdir(disk_path) if re.fullmatch(re.escape(video_id) + r"\.[A-Za-z0-9]+", name)
                   and os.path.isfile(os.path.join(disk_path, name))]
        if len(written) != 1:
            raise VideoFailure(f"the download did not produce {path}"
                               + (f" (but {len(written)} files named {video_id}.*)" if written else ""))
        path = os.path.join(disk_path, written[0])
    return path


def scene_is_complete(disk_path, scene_id, duration):
    folder = scene_dir(disk_path, scene_id)
    return all(os.path.isfile(frame_path(folder, index)) for index in range(duration))


def partial_scene_dir(disk_path, scene_id):
    """Hidden folder a scene is written into until all its frames are there."""
    return os.path.join(disk_path, "." + os.path.basename(scene_dir(disk_path, scene_id)) + ".partial")


def recorded_source(disk_path, scene_id):
    """{"video": Video.source(), "start": first frame} that a scene folder records it was cut from, or None (none
    recorded: a scene of a run before the record, or no scene there)."""
    path = os.path.join(scene_dir(disk_path, scene_id), SOURCE_FILE)
    if not os.path.isfile(path):  # none, or a pipe (which would wait for a writer)
        return None
    try:
        with open(path, encoding="utf-8") as file:
            recorded = json.load(file)
    except (OSError, ValueError, RecursionError):
        return None
    return recorded if isinstance(recorded, dict) else None


def check_scene_sources(disk_path, videos):
    """UserError, before any cutting, where a scene's folder holds a scene cut from another video or frame (an earlier
    run's, of another --video given the same ids): taken for this video's, its scenes were never cut ("all 2 scenes
    already prepared", exit code 0), and one lacking frames was cut over."""
    for video in videos:
        for scene_id, start in video.scenes():
            recorded = recorded_source(disk_path, scene_id)
            if recorded not in (None, {"video": video.source(), "start": start}):
                taken = [int(name[len("scene_"):]) for name in os.listdir(disk_path)
                         if re.fullmatch(r"scene_[0-9]+", name)]
                raise UserError(f"'{scene_dir(disk_path, scene_id)}' holds a scene cut from "
                                f"{shortened(str(recorded.get('video')))} at frame "
                                f"{shortened(str(recorded.get('start')))}, not from {video.name} at frame {start}; "
                                f"choose another --start_id (scene ids from {max(taken) + 1} are free) or another "
                                "--disk_path")


def check_scene_places(disk_path, scene_ids, kept):
    """UserError, before any cutting, where a scene to make or its partial folder is taken by other than a folder
    (a file, a pipe, a link): renaming the cut scene into place failed after the work, with a traceback; or where
    one of kept is inside one of them: it would be deleted with it. kept: (flag, path, what it holds, what to do)
    of the log folder and the local videos."""
    for scene_id in scene_ids:
        for path in (scene_dir(disk_path, scene_id), partial_scene_dir(disk_path, scene_id)):
            if taken_by_other_than_folder(path):
                raise UserError(f"'{path}' is not a plain folder, where scene {scene_id} goes; move it, or choose "
                                "another --disk_path or --start_id")
            for flag, inside, what, advice in kept:
                if is_within(inside, path):
                    raise UserError(f"{flag} '{inside}' is inside '{path}', which cutting scene {scene_id} replaces, "
                                    f"and the {what} with it; {advice}")


def reset_folder(folder):
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    with room_to_create():
        os.makedirs(folder)


def finish_scene(disk_path, scene_id):
    """Rename the scene's whole partial folder into place, over an incomplete scene of an earlier run."""
    commit_folder(partial_scene_dir(disk_path, scene_id), scene_dir(disk_path, scene_id))


def cut_scenes(video_path, source, scenes, duration, disk_path, log):
    """Write each (scene id, first frame) as a scene folder, with the record of its source (SOURCE_FILE); returns the
    ids made.

    The authors seek to every frame; this reads the video once from the start instead, which
    gives the same frames where seeking is exact and the right ones where it is not. Scenes may
    overlap (the list has such starts), so a frame can go into several scenes.
    """
    capture = cv2.VideoCapture(opencv_path(video_path))
    if not capture.isOpened():
        raise VideoFailure(f"cannot open '{video_path}' as a video")
    # a video mirrored by its display matrix (QuickTime Player's Flip Horizontal or Vertical): OpenCV turns it by the
    # matrix's rotation alone, and its scenes were written mirrored from what players show (upside down where flipped
    # vertically), exit code 0
    try:
        mirror = mirror_axis(capture, video_path, check_video_streams(video_path))
    except UserError:  # no stream to tell (several video streams, a cover alone): OpenCV's frames, as before
        mirror = None
    end = max(start for _, start in scenes) + duration
    made = []
    frames_read = 0
    try:
        with tqdm(total=end, desc=printable(os.path.basename(video_path)), unit="frame", leave=False) as bar:
            while frames_read < end and capture.grab():
                index = frames_read
                frames_read += 1
                bar.update()
                wanted = [(scene_id, start) for scene_id, start in scenes if start <= index < start + duration]
                if not wanted:
                    continue
                ok, frame = capture.retrieve()
                if not ok:
                    break
                frame = frame if mirror is None else np.flip(frame, mirror)
                small = cv2.resize(frame, (0, 0), fx=DOWNSCALE, fy=DOWNSCALE, interpolation=cv2.INTER_AREA)
                rgb = bgr_uint8_to_rgb_float(small)
                for scene_id, start in wanted:
                    folder = partial_scene_dir(disk_path, scene_id)
                    if index == start:
                        reset_folder(folder)
                        write_bytes(os.path.join(folder, SOURCE_FILE), json.dumps({"video": source, "start": start}),
                                    mode="w")
                    write_rgb(frame_path(folder, index - start), rgb)
                    if index == start + duration - 1:
                        finish_scene(disk_path, scene_id)
                        made.append(scene_id)
                        log(f"{os.path.basename(scene_dir(disk_path, scene_id))}: frames {start}..{index} "
                            f"of {video_path}, {small.shape[1]}x{small.shape[0]}")
    finally:  # also on Ctrl-C: a scene begun is begun again by the next run, so its partial folder goes
        capture.release()
        for scene_id, _ in scenes:
            if scene_id not in made:
                shutil.rmtree(partial_scene_dir(disk_path, scene_id), ignore_errors=True)
    for scene_id, start in scenes:
        if scene_id not in made:
            log(f"{os.path.basename(scene_dir(disk_path, scene_id))}: skipped, {video_path} ends after "
                f"{counted(frames_read, 'frame')}, before frame {start + duration - 1}")
    return made


def prepare_video(video, args, downloader, log):
    """Make the video's missing scenes (or, with --TEST, only check it); returns the ids made."""
    scenes = video.scenes()
    if not scenes:
        where = "the video is shorter than" if video.link else "no shot of the video has"
        raise TooShort(f"no scene fits: {where} {counted(args.duration, 'frame')}")
    pending = [(scene_id, start) for scene_id, start in scenes
               if not scene_is_complete(args.disk_path, scene_id, args.duration)]
    if not pending and not args.TEST:
        log(f"{video.name}: {'all ' if len(scenes) > 1 else ''}{counted(len(scenes), 'scene')} already prepared")
        return []
    if video.link:
        width, height, extension = probe_link(downloader, video.link)
    else:
        width, height = video_size(video.path)
        if min(width, height) < 2:  # halved (DOWNSCALE), a side would have no pixel
            raise VideoFailure(f"{width}x{height} is too small: the scenes' frames are half its size")
    if video.link and (width < MIN_VIDEO_SIZE or height < MIN_VIDEO_SIZE):  # a --video at any size from 2x2
        raise VideoFailure(f"{width}x{height} is smaller than {MIN_VIDEO_SIZE} pixels")
    first, last = scenes[0][0], scenes[-1][0]
    if args.TEST:
        log(f"{video.name}: {width}x{height}, would make scene_{first:04d}..scene_{last:04d} "
            f"({len(scenes)} x {counted(args.duration, 'frame')})")
        return []
    path = download_link(downloader, video.link, extension, args.disk_path) if video.link else video.path
    made = cut_scenes(path, video.source(), pending, args.duration, args.disk_path, log)
    if args.REMOVE and video.link:
        log(f"remove {path}")
        os.remove(path)
    return made


def parse_args(argv=None):
    listing = load_video_list()
    parser = FlagParser(description=__doc__.split("\n\n")[0],
                        reference_flags=("--start_id", "--duration", "--disk_path", "--summary_dir",
                                         "--REMOVE", "--TEST"))
    parser.add_argument("--start_id", default=listing["first_scene_id"], type=ungrouped(int, "--start_id", "2000"),
                        help="id of the first scene")
    parser.add_argument("--duration", default=listing["scene_duration_frames"],
                        type=ungrouped(int, "--duration", "120"),
                        help="frames per scene")
    parser.add_argument("--disk_path", required=True, help="folder that receives the scene folders")
    parser.add_argument("--summary_dir", default="", help="folder of the log file (default: <disk_path>/log)")
    parser.add_argument("--REMOVE", action="store_true",
                        help="delete each downloaded video once its scenes are made (local files are kept)")
    parser.add_argument("--TEST", action="store_true",
                        help="only check the videos (links, sizes) and log; download and write nothing")
    parser.add_argument("--video", action="append", default=[], metavar="FILE",
                        help="a local video to cut scenes from instead of the authors' list (repeatable)")
    parser.add_argument("--scene_starts", action="append", default=[], metavar="F1,F2,...",
                        help="first frames of the scenes of the matching --video (repeatable; one list "
                             "applies to every video; default: back-to-back scenes over the whole video)")
    args = parser.parse_args(argv)
    if args.duration < 1 or args.start_id < 0:
        raise UserError("--duration must be at least 1 and --start_id at least 0")
    if args.scene_starts and not args.video:
        raise UserError("--scene_starts needs --video: the authors' list has its own start frames")
    args.summary_dir = args.summary_dir or os.path.join(args.disk_path, "log")
    output_folder(args.disk_path, "--disk_path")
    output_folder(args.summary_dir, "--summary_dir")
    folder = template_folder(args.disk_path)
    if not (args.video or args.TEST) and os.path.expandvars(folder) != folder:
        # yt-dlp and youtube-dl expand environment variables in their output template, and "$" has no escape there
        raise UserError(f"--disk_path {shortened(repr(args.disk_path))} holds a '$' that the downloader reads as an "
                        "environment variable (the videos would be written elsewhere); use a folder without one")
    return args


def prepare_scenes(args):
    """Make (or with --TEST check) the scenes of the chosen videos; UserError when none is made."""
    if args.video:
        videos, downloader = local_videos(args.video, args.scene_starts, args.start_id, args.duration), None
    else:
        videos, downloader = listed_videos(args.start_id), find_downloader()
    last_id = max((scene_id for video in videos for scene_id, _ in video.scenes()), default=args.start_id)
    check_name_length(partial_scene_dir(args.disk_path, last_id), "use a smaller --start_id")
    with ExitStack() as claim:
        make_folder(args.disk_path, claim)  # a run refused in make_scenes leaves no folder it made
        # a second run into the folder would cut the same scenes, each one deleting the other's partial folders
        claim.enter_context(lock_folder(args.disk_path, "--disk_path"))
        make_folder(args.summary_dir, claim)  # removed, as --disk_path, if the run leaves it empty
        make_scenes(args, videos, downloader)


def make_scenes(args, videos, downloader):
    """Make the scenes of videos into args.disk_path (held by this run), logging each; UserError when none is
    made."""
    check_scene_sources(args.disk_path, videos)
    if not args.TEST:
        check_scene_places(args.disk_path, [scene_id for video in videos for scene_id, _ in video.scenes()
                                            if not scene_is_complete(args.disk_path, scene_id, args.duration)],
                           [("--summary_dir", args.summary_dir, "log", "choose another --summary_dir")]
                           + [("--video", path, "video", "move the video out of it") for path in args.video])
    log = Log(args.summary_dir)
    try:
        log("[Configurations]: " + ", ".join(f"{name}={value}" for name, value in vars(args).items()))
        scene_count = sum(len(video.starts) for video in videos)
        log(f"{'Check' if args.TEST else 'Prepare'} {counted(scene_count, 'scene')} of "
            f"{counted(args.duration, 'frame')} from {counted(len(videos), 'video')}")
        made, failures = [], []
        for video in videos:
            try:
                made += prepare_video(video, args, downloader, log)
            except VideoFailure as failure:
                failures.append(failure)
                log(f"{video.name}: skipped, {failure}")
        failed = len(failures)
        ready = sum(scene_is_complete(args.disk_path, scene_id, args.duration)
                    for video in videos for scene_id, _ in video.scenes())
        log(f"Done: {counted(len(videos) - failed, 'usable video')}, {failed} skipped; "
            + ("nothing written (--TEST)" if args.TEST else
               f"{ready} of {scene_count} scenes ready in {args.disk_path} ({len(made)} made now)"))
        if failed == len(videos) or (ready == 0 and not args.TEST):
            # the length's advice where a --video was no video (an audio file) misled: the reason was in the log alone
            too_short = args.video and all(isinstance(failure, TooShort) for failure in failures)
            raise UserError(f"no scene {'would be' if args.TEST else 'was'} made (see {log.path}); " + (
                "use longer videos, or shots of at least --duration frames, or a lower --duration" if too_short else
                f"check the reasons the videos were skipped{f' (the first: {failures[0]})' if failures else ''}"))
    finally:
        log.close()


def main(argv=None):
    with exit_on_user_error():
        prepare_scenes(parse_args(argv))


if __name__ == "__main__":
    main()
