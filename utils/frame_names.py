"""Frame folders: which files are a sequence's frames and in what order, from names cameras, phones, renderers
and editors write; what is left out (other formats, downloads not finished, a file system's folders) and why."""
import collections
import os
import re
import unicodedata

from utils.errors import UserError
from utils.paths import not_a_file


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


# a phone's photo named by the second it was taken ('IMG_20230601_120000', Android's; '20230601_120000', Samsung's),
# and a later photo of that second named so, then its count: Android's '_1', '_2'.., Samsung's '(0)', '(1)'..; then
# an edit's count after it (Google Photos' '~2': 'IMG_20191227_163739_1~2', among the first photos of its seconds, was
# refused as a copy of its second's first); then what follows a dot (an extension, a motion photo's '.MP'); before that,
# what an editor ends every picture's name with that it exports, a '_' or a '-' and a letter first (Lightroom's
# '-Edit', DxO PhotoLab's '_DxO'; as DCF_NAME's)
TAKEN_IN_A_SECOND = re.compile(r"(.*(?<![0-9])[0-9]{8}_[0-9]{6})(?:_([1-9][0-9]?)|\(([0-9]{1,2})\))?(?:~[0-9]+)?"
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
    0. A 12-hour clock's hour is read as the 24-hour clock's (TWELVE_HOUR_CLOCK: macOS' 'Screenshot .. at 1.00.00 PM'
    came before '.. at 12.59.59 PM', trained on, super-resolved and scored so, exit code 0), and a '-' that begins a
    name or follows a '.' or '_' as a sign (NUMBER: Blender's frames of a scene begun below 0, '-002'.., '-001' and
    '0001' refused as "both frame 1", and as two series)."""
    return (tuple(int(run) for run in NUMBER.findall(by_24_hours(filename))), filename)


# a name's number: its digits, a sign before them where a '-' begins the name or follows a '.' or '_' (Blender's
# '-001.png', 'shot_-001.png', frames of a scene begun below 0), no sign after a letter or a digit ('clip-001',
# '12-00-59'), nor before a time's hour and minutes (a name whose blanks a site or a tool made '-': Swedish
# 'Skärmavbild-..-kl.-1.00.00-em', read as hour -13, came before '..-kl.-12.59.59-em', exit code 0)
NUMBER = re.compile(r"(?:(?<![^._])-(?!\d{1,2}[.:_-]\d{2}(?!\d)))?\d+")


# the words of a half of the day that follow a time and a blank (or its '_', '-') in names of a 12-hour clock of macOS'
# languages (as CLDR writes them; their case any, before no letter, digit or '_'): {word: whether it is the
# afternoon's}. Arabic's '1.00.00 م' (its morning 'ص'; in Arabic-Indic digits too, '١.٠٠.٠٠ م') and Vietnamese'
# '1.00.00 CH' ('SA') were read before '12.59.59', exit code 0, or across noon refused as a poster; and so were Malay's
# '1.00.00 PTG' ('PG', its clock's by default), Persian's 'ب.ظ.' ('ق.ظ.'), Ukrainian's 'пп' ('дп'), Czech' 'odp.' and
# Slovenian's 'pop.' (both 'dop.'), Finnish 'ip.' ('ap.') and Swedish 'em' ('fm'). A channel's 'ch2', 'ch_1' is no
# clock's
HALF_OF_THE_DAY_AFTER = {"sa": False, "ch": True, "ص": False, "م": True, "pg": False, "ptg": True, "ق.ظ.": False,
                         "ب.ظ.": True, "дп": False, "пп": True, "dop.": False, "odp.": True, "pop.": True,
                         "ap.": False, "ip.": True, "fm": False, "em": True}


# and those before a time and a blank (or its '_', '-'), in their case, after no letter or digit: Korean's 'PM 1.00.00'
# ('AM', as CLDR now writes it), Turkish 'ÖS 1.00.00' ('ÖÖ') and Hungarian 'du. 1.00.00' ('de.'), misordered so too (a
# German Photo Booth's 'am 01.01.24', a date, is of no clock)
HALF_OF_THE_DAY_BEFORE = {"AM": False, "PM": True, "ÖÖ": False, "ÖS": True, "de.": False, "du.": True}


# and those before a time, a blank (or its '_', '-') between them or none: Chinese '下午1.00.00' (its morning '上午'),
# Japanese '午後' ('午前'), Korean's '오후 1.00.00' ('오전', as macOS writes it)
HALF_OF_THE_DAY_JOINED = {"上午": False, "下午": True, "午前": False, "午後": True, "오전": False, "오후": True}


# a time of a 12-hour clock: macOS' screenshots' 'at 1.00.00 PM' (a blank or its narrow no-break space before 'PM'),
# Photo Booth's 'at 1.00 PM' (no seconds), OBS' '01-00-00 PM' (its '%I-%M-%S %p'); and of other locales and tools, each
# misordered so (their '1.00.00' before '12.59.59', trained on, super-resolved and scored so, exit code 0) or, across
# noon, refused as two series or a poster: macOS' in Spanish 'a la(s) 1.00.00 p. m.', in Chinese, Japanese and Korean
# (HALF_OF_THE_DAY_JOINED), and Windows' Game Bar's '10_28_2023 1_00_00 PM' (underscores); and so were, misordered so,
# exit code 0, macOS' in Greek '1.00.00 μ.μ.' (its morning 'π.μ.'), a name whose blanks a site or a tool made '_' or
# '-' ('Screen_Shot_.._at_1.00.00_PM', WordPress' 'Screen-Shot-..-at-1.00.00-PM'), a tool's 'PM' after no blank
# ('01-00-00PM', OBS' '%I-%M-%S%p'), and the words of a half of the day of macOS' other languages
# (HALF_OF_THE_DAY_AFTER, HALF_OF_THE_DAY_BEFORE), and theirs too where a site or a tool made the blanks '_' or '-'
# ('Skärmavbild_.._kl._1.00.00_em', '스크린샷_.._PM_1.00.00', 'Ekran-Resmi-..-ÖS-1.00.00'). The hour follows no number
# and separator (a date's '2023-06-01 PM' is no time '06-01'). Two separators beside a word ('Shot__1.00.00__PM', a
# blank and a narrow no-break space) misordered so too, and so did three, and blanks of other scripts' (the ideographic
# space, a thin space): CLOCK_SEPARATOR, any number of them
CLOCK_SEPARATOR = r"[\s_-]"
TWELVE_HOUR_CLOCK = re.compile(rf"(?:(?P<half>{'|'.join(HALF_OF_THE_DAY_JOINED)}){CLOCK_SEPARATOR}*"
                               rf"|(?<![^\W_])(?-i:(?P<before>{'|'.join(map(re.escape, HALF_OF_THE_DAY_BEFORE))}))"
                               rf"{CLOCK_SEPARATOR}+)(?P<hour>\d{{1,2}})"
                               r"(?P<time>[.:_-]\d{2}(?:[.:_-]\d{2})?)(?!\d)"
                               r"|(?<![\d.:])(?<!\d[.:_-])(?P<hour_>\d{1,2})"
                               rf"(?P<time_>[.:_-]\d{{2}}(?:[.:_-]\d{{2}})?{CLOCK_SEPARATOR}*)"
                               r"(?P<half_>[apπμ](?:\.[ \u202f\u00a0]?)?[mμ]\.?(?![a-zα-ω])"
                               rf"|(?<={CLOCK_SEPARATOR})(?:{'|'.join(map(re.escape, HALF_OF_THE_DAY_AFTER))})(?!\w))",
                               re.IGNORECASE)


# {TWELVE_HOUR_CLOCK's word of a half of the day, casefolded: whether it is the afternoon's}
AFTERNOON = {word.casefold(): afternoon for words in (HALF_OF_THE_DAY_JOINED, HALF_OF_THE_DAY_BEFORE,
                                                      HALF_OF_THE_DAY_AFTER) for word, afternoon in words.items()}


def twenty_four_hours(time):
    """TWELVE_HOUR_CLOCK's time as the 24-hour clock's, without its half of the day: '12.00.00 AM' is '0.00.00 ',
    '1.00.00 PM' '13.00.00 ', '下午1.00.00' '13.00.00'."""
    half = (time["half"] or time["before"] or time["half_"]).casefold()
    afternoon = AFTERNOON.get(half, half[0] in "pμ")  # of Latin or Greek letters ('p. m.', 'μ.μ.'), the first's
    hour = int(time["hour"] or time["hour_"]) % 12 + (12 if afternoon else 0)
    return f"{hour}{time['time'] or time['time_']}"


def by_24_hours(name):
    """name with each time of a 12-hour clock in it (TWELVE_HOUR_CLOCK) as the 24-hour clock's (twenty_four_hours)."""
    return TWELVE_HOUR_CLOCK.sub(twenty_four_hours, name)


def later_photo_of_a_second(stem, stems):
    """The name of the first photo of its second (TAKEN_IN_A_SECOND) where stem (a name without its extension, NFC)
    names a phone's later photo of that second among stems (its folder's frames' names so), and that first photo is
    among them, else None: Android's 'IMG_20230601_120000_1', Samsung's '20230601_120000(0)', and Samsung's '(1)'..
    where its '(0)' lies there too (a browser's or Google Takeout's copy is named '(1)' first). Each was refused as a
    copy of the first photo. An editor's ending on every name ('IMG_20230601_120000_1-Edit' among
    'IMG_20230601_120000-Edit'..: EDITED) is the first photo's too; such a later photo was refused as a poster ("named
    otherwise than the other frames"). So is Photo Booth's later photo of one minute (PHOTO_BOOTH_COUNT). Without the
    first photo, a name so is of no burst: ffmpeg's frames of a phone's clip, 'VID_20240101_123456_%d' ('_1'.., no
    'VID_20240101_123456'), were of the series of a first photo up to '_99', then '_100'.. of another, refused by
    training as two series."""
    for cut in [len(stem)] + [edit.start() for edit in EDITED.finditer(stem)]:  # no ending, then each
        if taken := TAKEN_IN_A_SECOND.fullmatch(stem[:cut]):
            break
    ending = stem[cut:]
    if taken and not taken[4] and (taken[2] or taken[3] == "0" or taken[3] and f"{taken[1]}(0){ending}" in stems):
        first = taken[1] + ending
    else:
        first = counted[1] if (counted := PHOTO_BOOTH_COUNT.fullmatch(stem)) else None
    return first if first in stems else None


# macOS' Photo Booth's later photo of one minute (a burst, or another photo that minute): its first's name, then ' #2',
# ' #3'.. ('Photo on 01-01-2024 at 12.00 #2'); refused as a copy of the first ("its name, then a copy's ending")
PHOTO_BOOTH_COUNT = re.compile(r"(.+) #(?:[2-9]|[1-9][0-9]+)", re.DOTALL)


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
        [os.path.join(folder, name) for name in in_frame_order(names)], role, folder))), ends)


def in_frame_order(names):
    """names, a folder's frames' file names, in frame_order, a camera's Adobe RGB name by its sRGB name's numbers
    (camera_numbers)."""
    stems = {name: frame_stem(name) for name in names}
    cameras = srgb_cameras(set(stems.values()))
    return sorted(names, key=lambda name: (camera_numbers(stems[name], cameras), name))


def camera_numbers(stem, cameras):
    """frame_order's numbers of a frame of name stem (without its extension), but of a camera's Adobe RGB name
    (DCF_NAME, of one of cameras, srgb_cameras': adobe_rgb_of) its sRGB name's, its four characters the camera's:
    Nikon's custom '_D850003' was frame 850003 among 'D85_0001', 'D85_0002', 'D85_0004' (85, 1).., and Canon's
    '_D4A0003' (4, 3) among '5D4A0001' (5, 4, 1).., trained on, super-resolved and scored as the last or the first
    frame, exit code 0, and a '_D850003.webp' in the gap of frame 3 left out without a word."""
    head = srgb_head(stem, cameras)
    return frame_order(head + stem[len(head):] if head else stem)[0]


def srgb_head(stem, cameras):
    """The start all the frames' names share before their camera's name (camera_start), then the four characters
    (casefolded) of the one camera among cameras (srgb_cameras) whose sRGB names a camera's Adobe RGB name after that
    start in stem (DCF_NAME: '_' first) is of, its editor's ending alike (adobe_rgb_of), else None."""
    start = next(iter(cameras))[0] if cameras else ""
    adobe_rgb = stem[len(start):]
    if not (stem.startswith(start) and DCF_NAME.fullmatch(adobe_rgb) and adobe_rgb.startswith("_")):
        return None
    # an editor's ending alike: DxO's '_MG_0003_DxO' among 'IMG_0002_DxO'.. was refused as two series, or a poster
    of = {(four, pattern) for _, four, ending, pattern in cameras
          if ending == name_pattern(adobe_rgb[8:]) and adobe_rgb_of(adobe_rgb, four)}
    return start + of.pop()[0] if len(of) == 1 else None


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
    stems = [frame_stem(path) for path in frames]
    pattern_of = series_patterns(stems)
    patterns = {}  # {a pattern: its frames}
    for path, stem in zip(frames, stems):
        patterns.setdefault(pattern_of[stem], []).append(path)
    strays = [paths[0] for paths in patterns.values() if len(paths) == 1]
    if len(strays) == len(frames) > 2:  # each named otherwise, of no series: a tool's hash in each name (Roboflow's
        return frames  # 'frame_0001_jpg.rf.<hash>.jpg'..) was refused by generate.py, the page and training
    if strays[-1:] == frames[-1:] and named_on(stems[-1], stems[-2]):
        # a clip of two frames, the second named on ('0001.png', '0002 (1).png'): the first, no stray of the second's
        # series, was named as the stray ("'0001.png' is named otherwise"), and refused by generate.py and the page
        strays = [path for path in strays if path != frames[-2]]
        if not last_too:
            strays.pop()
        elif len(strays) > 1:  # training's line names the frame named on
            strays.insert(0, strays.pop())
    if len(patterns) > 1 and strays:
        raise UserError(f"'{strays[0]}' is named otherwise than the other frames of its sequence "
                        f"('{os.path.basename(next(path for path in frames if path != strays[0]))}'), so it is no "
                        "frame of theirs (a poster, a thumbnail) or where it comes is not known: remove it, or name it "
                        "as they are named")
    return no_frame_of_another_version(frames)


def no_frame_of_another_version(frames):
    """frames, the paths of a sequence's frames in order, unless some are of other versions, named as most of them but
    for a number before their last, their lasts (the frames') in those others' run where none of theirs is: a frame
    re-rendered, 'sh010_comp_v002.1005.png' among 'sh010_comp_v001.1001.png'..'.1010.png' (numbered (10, 2, 1005)),
    was trained on, super-resolved and scored as the last frame, exit code 0; and so were two ('v002.1004',
    'v002.1005'), or two of two versions ('v002.1004', 'v003.1007'); then a UserError naming the first. Frames
    numbered on ('v1_0001'..'v1_0004', 'v2_0005') leave no frame out of their run, and a clock's minutes
    ('12-00-40', '12-01-00', '12-01-20', '12-01-40') repeat its seconds."""
    numbers = [frame_order(os.path.basename(path))[0] for path in frames]
    if len(frames) < 3 or len({len(number) for number in numbers}) > 1 or len(numbers[0]) < 2:
        return frames
    kinds = collections.Counter(number[:-1] for number in numbers).most_common()
    if len(kinds) < 2 or kinds[0][1] == kinds[1][1]:
        return frames
    most = {number[-1] for number in numbers if number[:-1] == kinds[0][0]}
    others = [(path, number[-1]) for path, number in zip(frames, numbers) if number[:-1] != kinds[0][0]]
    lasts = sorted(number[-1] for number in numbers)
    steps = {after - before for before, after in zip(lasts, lasts[1:])}
    patterns = {name_pattern(frame_stem(frame)) for frame in frames}
    if (len(steps) == 1 and 0 not in steps and len(patterns) == 1
            and all(min(most) < last < max(most) and last not in most for _, last in others)):
        path = others[0][0]
        other = next(frame for frame, number in zip(frames, numbers) if number[:-1] == kinds[0][0])
        raise UserError(f"'{path}' is a frame of another version than the other frames of its sequence "
                        f"('{os.path.basename(other)}'), numbered as they are but for a number before its frame's, so "
                        "it would be read out of its place: remove it, or name it as they are named (its version's "
                        "frames in a folder of their own)")
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
        stem = frame_stem(path)
        if (DCF_NAME.fullmatch(stem) and any(character.isalpha() for character in stem[:4])
                and (counted := COPY_COUNT.fullmatch(stem[8:]))):  # a camera's: '00000002' is ffmpeg's
            versions.setdefault((stem[:8].casefold(), name_pattern(counted[1])), []).append(path)
    alone = collections.Counter(ending for (_, ending), paths in versions.items() if len(paths) == 1)
    several = collections.Counter(ending for (_, ending), paths in versions.items() if len(paths) > 1)
    for (_, ending), paths in versions.items():
        if len(paths) > 1 and alone[ending] > several[ending]:
            other, path = paths[:2]
            number = unicodedata.normalize("NFC", os.path.basename(path))[:8]
            # most of them one frame each, the names of several clips' frames named after their camera files
            # ('GOPR0001-1'..'-3', 'GOPR0002-1', 'GOPR0003-1', 'GOPR0004-1') are a picture's exports', and the line said
            # only that, its remedy to remove a frame
            raise UserError(f"'{other}' and '{path}' are one camera picture's ({number}) two versions (an editor's "
                            "exports of its virtual copies, '-2', '-3', or a second export beside the first), so it "
                            "would be read twice, as consecutive frames: remove one, or move it to a folder of its "
                            "own; or frames of several clips named after their camera files ('GOPR0001-1.png'..): "
                            "move each clip's frames to a folder of their own")
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
    composed = set(map(frame_stem, frames))
    for stem, path in stems.items():
        # 'IMG_20230601_120000_1', a phone's second photo of one second, is named after its first, no copy; and so is
        # its edit, '_1~2', which is a copy of '_1' where that lies beside it (as it is of the first, named after it).
        # Of names in either Unicode form: Photo Booth's 'à 12.00 #2' beside a decomposed 'à 12.00' was refused as
        # its copy
        first = later_photo_of_a_second(frame_stem(path), composed)
        name = named_after(stem, spelled, lengths)
        if first is not None and name is not None and unicodedata.normalize("NFC", name) == first:
            # looked for again without the first, in either form (a copy of spelled for each name made listing 12,000
            # frames 40 times as long)
            hidden = {form: spelled.pop(form) for form in {first, spelled.get(first)} if form in spelled}
            name = named_after(stem, spelled, lengths)
            spelled.update(hidden)
        if original := stems.get(name):
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
    # compared in composed Unicode form (frame_stem): a later photo's '.webp' in its gap, 'à 12.00 #2.webp' beside a
    # decomposed 'à 12.00', was left out without a word
    composed = set(map(frame_stem, frames))
    cameras = srgb_cameras(composed)
    patterns = {series_pattern(stem, composed, cameras) for stem in composed}

    def place(stem):
        """Where a picture of name stem (without its extension: the 2 of '.jp2' made '0002.jp2' frame 22, left out
        without a word) lies among the frames: its number, or stem where they are ordered by name (None, nowhere,
        where its number is another or it is named after a frame: 'clip2_a_thumb.webp', or named otherwise)."""
        if by_name:
            return (stem if frame_order(stem)[0] in numbers and not named_after(stem, spelled, lengths)
                    else None)
        stem = unicodedata.normalize("NFC", stem)
        return camera_numbers(stem, cameras) if series_pattern(stem, composed, cameras) in patterns else None

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
        # and, after the last, one number stepped and those after it at 0: a clock's or a timecode's next frame
        # ('12-01-00.webp' after '12-00-59.png', '01-00-01-00' after '01-00-00-23' was left out without a word)
        return {cut[:at] + (cut[at] + step,) + rest for cut in {number, number[:shortest]} for at in range(len(cut))
                for rest in {cut[at + 1:], *([(0,) * (len(cut) - at - 1)] if step > 0 else [])}}

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
    # and the names a last letter before the first and after the last, carried ('clip2_bb.webp' after 'clip2_aa'..
    # 'clip2_az', 'clip2_ba' was left out without a word: only 'clip2_ca' was taken)
    # The letters counted end where the run of letters the two names last differ in ends ('clip2_bb1.webp' after
    # 'clip2_az1', 'clip2_ba1': the letters were taken at the name's end alone, and it was left out so)
    end = (differ[-1] + len(re.match(r"[a-zA-Z]*", heads[0][differ[-1] + 1:])[0]) + 1 if differ else None)
    letter_ends |= {stepped + stem[end:] for stem, step in zip(heads, (-1, 1))
                    if (stepped := next_letters(stem[:end], step))} if by_letter else set()

    def at_an_end(name):  # named as a copy of the frame next to the first or last too ('0004 (1).webp'), as in a gap
        return (any(place(stem) in beside_ends for stem in copied_names(os.path.splitext(name)[0]))
                or any(stem in letter_ends for stem in copied_names(frame_stem(name))))

    with os.scandir(folder) as entries:
        listed = [(entry.name, is_folder_entry(entry)) for entry in entries]
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
        how = ("lettered" if any(stem in letter_ends for stem in copied_names(frame_stem(beside[0])))
               else "numbered")
        raise UserError(f"'{os.path.join(folder, beside[0])}' is a picture {how} next to the first or last frame of "
                        f"its sequence in a format frames are not read in (frames: {', '.join(IMAGE_EXTENSIONS)}), so "
                        "the clip would be read without it: convert it to PNG or remove it")
    if left_out:
        raise UserError(f"'{os.path.join(folder, left_out[0])}' is a picture among the frames of its sequence in a "
                        f"format frames are not read in (frames: {', '.join(IMAGE_EXTENSIONS)}), so the frames "
                        "either side of it would be read as consecutive: convert it to PNG or remove it")
    return frames


def next_letters(stem, step):
    """stem with its last letters counted one on (step 1) or back (-1), as a letter counter ('split's 'aa', 'ab'..)
    counts, 'az' to 'ba' and back; None where stem ends in no letter a..z of one case, or the count runs out."""
    at = len(stem) - 1
    while at >= 0 and stem[at].isascii() and stem[at].isalpha():
        low = "a" if stem[at].islower() else "A"
        if (place := ord(stem[at]) - ord(low) + step) in range(26):
            # each letter after it at its first or last, of its own case ('c_Az' on is 'c_Ba': 'c_BA' was taken, and
            # 'c_Ba.webp' after 'c_Ay', 'c_Az' left out of the page's clip without a word)
            return stem[:at] + chr(ord(low) + place) + "".join(("a" if step > 0 else "z") if letter.islower() else
                                                               ("A" if step > 0 else "Z") for letter in stem[at + 1:])
        at -= 1
    return None


def frame_stem(path):
    """A frame's name without its folder and extension, in composed Unicode form (NFC): a folder copied from macOS names
    its frames in decomposed form, and the rules that compare names (series, cameras, letter counters) compare them
    so."""
    return unicodedata.normalize("NFC", os.path.splitext(os.path.basename(path))[0])


# what is added to a picture's name while it downloads, or to keep it as it was: Chrome's and Edge's '.crdownload',
# Firefox's '.part', Safari's '.download' (a folder), exiftool's '_original' (the file before its edit), an editor's
# backup '~' or '.bak'; one in a gap ('0002.png.crdownload' between '0001.png' and '0003.png') was left out without a
# word, the frames either side trained on as consecutive, exit code 0, while the frame was still downloading; and so
# were Internet Explorer's '.partial', Opera's '.opdownload', WinSCP's '.filepart' (a data set copied to a server by
# SFTP), uTorrent's '.!ut' and qBittorrent's '.!qB' (a data set's torrent), and a merge tool's or a patch's '.orig';
# and so were Resilio Sync's '.!sync', BitComet's '.bc!', Free Download Manager's '.fdmdownload', Xunlei's '.xltd',
# Thunder's '.td', DownThemAll's '.dtapart', a writer's temporary '.tmp' (a frame written as '0002.png.tmp', then
# renamed, by a run killed between the two) and a backup's '.old'
UNFINISHED = re.compile(r"(?!\.)(.+?)(\.crdownload|\.part|\.partial|\.filepart|\.opdownload|\.download|\.!ut|\.!qb|"
                        r"\.!sync|\.bc!|\.fdmdownload|\.xltd|\.td|\.dtapart|\.tmp|\.old|"
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
    upper case); and without a 12-hour clock's 'AM' or 'PM' (TWELVE_HOUR_CLOCK), part of its time: macOS' screenshot
    'at 11.59.59 AM' before those 'at 12.00.00 PM'.. (or 'PM' before the next day's 'AM') was refused as "named
    otherwise than the other frames", a poster."""
    return unicodedata.normalize("NFC", NUMBER.sub("0", by_24_hours(stem))).casefold()


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


# a phone's photo named by the time it was taken, and a tag of the mode it was taken in: Pixel's motion photo
# 'PXL_20230601_120001456.MP', '.NIGHT', '.PORTRAIT' (and the like: '.PANO', a RAW's '.RAW-01.MP.COVER'), an older
# Android's HDR+ '_HDR' or an edit's '~2' after the time, or after a mode tag (Google Photos' edit of a motion photo,
# '.MP~2', of a portrait, '.PORTRAIT~2': refused so), or after a time without a '_' (OPPO's 'IMG20230307070131~2':
# refused so), and the Pixel 2's and 3's motion photo 'MVIMG_' for 'IMG_';
# then an editor's ending, as every name of its export has. A Pixel on Motion "Auto" writes '.MP' on some of a
# folder's photos: each was refused as "named otherwise than the other frames" (a poster), two in a row as frames of two
# series; and so were the others
PHONE_MODE = re.compile(r"(mv(?=img_))?(.*(?<![0-9])[0-9]{8}_?[0-9]{6}(?:[0-9]{3})?)"
                        r"((?:(?:\.[a-z][a-z0-9_]*(?:-[0-9]+)?)+|_hdr\+?)?(?:~[0-9]+)?)"
                        r"((?:[_-][a-z][^.]*)?)", re.IGNORECASE | re.DOTALL)


def phone_photo(stem):
    """stem, a picture's name without its extension, without a phone's mode tag (PHONE_MODE)."""
    mode = PHONE_MODE.fullmatch(stem)
    return mode[2] + mode[4] if mode and (mode[1] or mode[3]) else stem


def series_patterns(stems):
    """{stem: the pattern of its series} of a sequence's frames' names without their extension (NFC): their
    name_pattern, but a camera's Adobe RGB name's that of the one camera's sRGB names among them that it is named after
    (adobe_rgb_of, DCF_NAME: '_MG_0003' of 'IMG_0002'), a burst's cover's that of its name without '_COVER'
    (BURST_COVER), and a phone's later photo of one second that of the second's first (later_photo_of_a_second). One
    series of a camera or a phone, each was refused as two series (its Adobe RGB frames, or its burst's frames after
    some of the camera's), or as a poster (one Adobe RGB frame, a burst's cover)."""
    cameras, named = srgb_cameras(stems), set(stems)  # a set: later_photo_of_a_second looks names up in it
    return {stem: series_pattern(stem, named, cameras) for stem in stems}


def srgb_cameras(stems):
    """{(the start all of stems share before a camera's name (camera_start), the first four characters, casefolded, of
    a camera's sRGB name after it among stems (DCF_NAME), the pattern of its editor's ending, its pattern)}: once each,
    as a sequence's frames of one camera share them."""
    start = camera_start(stems)
    return {(start, stem[len(start):][:4].casefold(), name_pattern(stem[len(start) + 8:]), name_pattern(stem))
            for stem in stems if DCF_NAME.fullmatch(stem[len(start):]) and not stem[len(start):].startswith("_")
            and any(character.isalpha() for character in stem[len(start):][:4])}  # a camera's: '00000002' is ffmpeg's


def camera_start(stems):
    """The start all of stems (a sequence's frames' names without their extension) share before a camera's name
    (DCF_NAME) in each, '' where none: generate.py's 'output_' ('output__MG_0003' among 'output_IMG_0002'.., its
    results of a camera's frames, was refused by evaluate.py as "named otherwise", a poster; and 'x4__MG_0003' so)."""
    common = os.path.commonprefix(list(stems))
    return next((common[:cut] for cut in range(len(common), 0, -1)
                 if all(DCF_NAME.fullmatch(stem[cut:]) for stem in stems)), "")


def series_pattern(stem, stems, cameras):
    """The pattern of the series of a picture of name stem (without its extension) among a sequence's frames of names
    stems, their cameras (srgb_cameras): series_patterns' of a frame."""
    own = name_pattern(cover[1] + cover[2] if (cover := BURST_COVER.fullmatch(stem)) else
                       later_photo_of_a_second(stem, stems) or phone_photo(stem))
    head = srgb_head(stem, cameras)
    return name_pattern(head + stem[len(head):]) if head else own


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
    """stem cut after each character that is neither a letter nor a digit (a blank, where blank) nor a number's sign
    (NUMBER: Blender's '-0001', its default name of frame -1, was refused as a copy of '0001'), in order, its spaces
    after that left out ('of f001', 'f001' of 'Copy (2) of f001')."""
    return [stem[cut + 1:].lstrip() for cut, character in enumerate(stem[:-1])
            if (character.isspace() if blank else not character.isalnum())
            and not ((number := NUMBER.match(stem, cut)) and number[0].startswith("-"))]


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


def is_folder_entry(entry):
    """Whether a scandir entry is a folder, or a link to one; False for a link that leads back to itself ('0004.png'
    -> '0004.png': DirEntry.is_dir raised its OSError, a traceback, where reading it says what it is)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def only_files(paths, role, folder):
    """paths, the frames of folder, unless one is a folder, a pipe, a socket or a device (reading it would wait
    for a writer, or never end): then a UserError naming it."""
    for path in paths:
        if kind := not_a_file(path):
            raise UserError(f"'{path}' is {kind}, not an image file; remove it from {role} '{folder}'")
    return paths
