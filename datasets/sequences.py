"""Which folders hold training sequences, and which frames, in order, each has (data.layout).

    scenes     the authors' authors_scripts/dataPrepare.py output (the default):
               <root>/<prefix>_<NNNN>/col_high_<FFFF>.png, scene ids data.str_dir..data.end_dir, frames
               0..data.max_frm; a scene lacking one of them is skipped with a warning
    sequences  <root>/<sequence>/<frames>, or two levels deep <root>/<group>/<sequence>/<frames>
               (Vimeo-90K's sequences/00001/0001/im1.png..im7.png): frames of any name, ordered by the
               number in it; every frame of a sequence is used, so sequences keep their own lengths
    reds       the REDS folder of download_test_data.py --reds (datasets/reds.py)

data.sequence_list names the sequences to use, one a line, as this module names them: the folder's path
under the root with '/' (0001, 00001/0001), or REDS' 000..269.
"""
import errno
import os
import re
import reprlib
import unicodedata
from typing import NamedTuple

from utils.errors import UserError, counted, shown_plainly
from utils.frame_names import (IMAGE_EXTENSIONS, OTHER_PICTURE_EXTENSIONS, by_24_hours, file_system_folder,
    frame_order, frame_stem, is_folder_entry, is_frame_name, list_frames, no_stray_frame, series_patterns, spellings,
    visible_subfolders)
from utils.image_io import common_image_size, image_size, is_made_smaller
from utils.paths import file_identity, input_file, input_folder, is_within
from utils.scene_layout import frame_path, scene_dir
from utils.text import utf8, wide_text, wide_text_refusal

LAYOUTS = ("scenes", "sequences", "reds")
SHOWN_NAMES = 5  # names an error lists before "and N more"
NAME_REPR = reprlib.Repr()
NAME_REPR.maxstring = 80  # characters of a name an error line shows


class Sequence(NamedTuple):
    name: str  # as errors and data.sequence_list name it
    folder: str
    frames: list  # paths of its frames, in order


def shown_name(name):
    """A name as an error line shows it: as it is, unless it holds an invisible character (a byte-order mark, a
    zero-width space, a NUL: a list line would look like a good name) or is too long for a line; then quoted,
    with those characters by their codes, cut short."""
    # the length first: shown_plainly looks at every character, and a list line of a gigabyte took minutes
    return name if len(name) <= NAME_REPR.maxstring and shown_plainly(name) else NAME_REPR.repr(name)


def named(names):
    """'a, b, c' of a list of names, cut after SHOWN_NAMES with the count of the rest."""
    shown = ", ".join(map(shown_name, names[:SHOWN_NAMES]))
    return shown + (f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else "")


def find_scenes(input_dir, prefix, first_id, last_id, max_frm, rnn_n, warn=print):
    """Scene folders with ids first_id..last_id and every frame 0..max_frm, in id order; folders lacking a
    frame are skipped with a warning. When none is left, the one-line error names the data.max_frm (and the
    train.rnn_n) that would use the longest scene. The folder is listed (not every id tried), so a wide id
    range costs nothing."""
    if not input_dir:
        raise UserError(
            "no training data: set --input_video_dir (scenes made by authors_scripts/dataPrepare.py)")
    input_folder(input_dir, "training data folder (--input_video_dir)",
                 "prepare scenes with authors_scripts/dataPrepare.py")
    name_pattern = re.compile(re.escape(prefix) + r"_(\d+)")
    scene_ids = sorted(int(match.group(1)) for name in os.listdir(input_dir)
                       for match in [name_pattern.fullmatch(name)]
                       if match and first_id <= int(match.group(1)) <= last_id
                       and scene_dir(input_dir, int(match.group(1)), prefix) == os.path.join(input_dir, name))
    scenes, skipped, longest_skipped = [], [], 0
    for folder in (scene_dir(input_dir, scene_id, prefix) for scene_id in scene_ids):
        if not os.path.isdir(folder):  # a file of that name, or a link to nothing (a disk not mounted)
            skipped.append(f"warning: skipping {folder}: it is not a folder"
                           + (" but a link to nothing (a disk not mounted?)" if os.path.islink(folder) else ""))
            continue
        present = set(os.listdir(input_folder(folder, "scene folder")))
        # the first missing frame (the search stops there: a data.max_frm of 20 digits costs nothing)
        missing = next((index for index in range(max_frm + 1)
                        if os.path.basename(frame_path(folder, index)) not in present), None)
        if missing is not None:
            skipped.append(
                f"warning: skipping {folder}: it lacks frame {missing} (frames 0..{max_frm} are used, "
                "data.max_frm)")
            longest_skipped = max(longest_skipped, missing)  # frames 0..missing - 1 are there
            continue
        scenes.append(folder)
    if not scenes:
        advice = "check data.str_dir, data.end_dir, data.max_frm"
        if longest_skipped >= 2:  # a sequence needs two frames
            advice = (f"the longest scene there has frames 0..{longest_skipped - 1}: set --set "
                      f"data.max_frm={longest_skipped - 1} to train on it")
            if longest_skipped < rnn_n:
                advice += f", with --set train.rnn_n={longest_skipped} or less"
        raise UserError(
            f"no usable scene '{prefix}_NNNN' with ids {first_id}..{last_id} and frames 0..{max_frm} "
            f"in '{input_dir}'; {advice}")
    for message in skipped:
        warn(message)
    # a scene's folder linked to another's ('scene_2002' -> 'scene_2000') trained on that one twice, exit code 0
    once_each(input_dir, [(os.path.basename(folder), folder) for folder in scenes], False, "scene folder",
              advice=("or set data.str_dir and data.end_dir to leave one of them out",))
    return scenes


def scene_sequence(folder, max_frm):
    """The Sequence of a scene folder of find_scenes: its frames 0..max_frm."""
    return Sequence(os.path.basename(folder), folder,
                    [frame_path(folder, index) for index in range(max_frm + 1)])


def read_sequence_list(path, available=()):
    """The names of a data.sequence_list file: one a line; blank lines and comments are left out: from a '#' that
    begins a line or follows a space (one inside a name, as in a folder 'take#2', is part of it: cut there, the name
    of another folder, 'take', was trained on). available: names of the sequences there, and of entries that may be
    ones (matched in either Unicode form); a line is cut at a later such '#', or not at all, where that names one of
    them (a folder 'take #2': cut at its ' #', 'take' beside it was trained on in its place, exit code 0)."""
    input_file(path, "sequence list (data.sequence_list)")
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        raise UserError(f"cannot read sequence list '{path}' ({error}); give a UTF-8 text file of names")
    if wide_text(data):
        # a list of UTF-16 (Windows' "Unicode": a NUL beside each Latin letter); one without its byte-order mark decoded
        # as UTF-8, its names with a NUL between letters: "names 3 sequence(s) that ... lacks: 's\x00', '\x00t\x00'"
        raise wide_text_refusal(f"cannot read sequence list '{path}': it", "give a UTF-8 text file of names")
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark (Windows Notepad) is no name
    except UnicodeDecodeError:
        # a folder named in another encoding (Latin-1) is listed with its bytes, as the list names it: it was refused
        # with them
        text = data.decode("utf-8", "surrogateescape")
    # lines end at a newline (CR and CRLF read as one) alone: splitlines() also cut a name at a form feed, U+0085 or
    # U+2028, which a folder name may hold, and trained on its pieces
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if any(line and not line.strip("\0") for line in lines):  # zero bytes (a crash's, a failed copy's) taken for a name
        raise UserError(f"cannot read sequence list '{path}': it holds zero bytes, no text (a crash's, or a failed "
                        "copy's?); give a UTF-8 text file of names")
    spelled = spellings(available)
    names = [list_line_name(line, spelled) for line in lines]
    names = [name for name in names if name]
    if not names:
        raise UserError(f"sequence list '{path}' names no sequence; write one name a line")
    return names


def list_line_name(line, spelled):
    """The name a line of a sequence list gives: the line before its first comment, its spaces around left out, unless
    the line whole, or cut at a later comment's '#', names one of the sequences there (the longest that does), as it is
    or without those spaces, spelled as spellings() gives them. A folder whose name begins or ends with a space ('a ')
    was refused as lacking 'a', and could not be listed."""
    cuts = [len(line)] + [match.start() for match in re.finditer(r"(?:^|(?<=\s))#", line)][::-1]
    names = [name for cut in cuts for name in (line[:cut], line[:cut].strip().strip("/"))]
    there = (spelled.get(name) or spelled.get(unicodedata.normalize("NFC", name)) for name in names if name)
    return next((name for name in there if name), names[-1])


def holds_frames(folder):
    """Whether folder holds a frame: an entry of an image's name that is no folder (a NAS's thumbnail folder, Synology's
    @eaDir, holds a folder named after each picture)."""
    with os.scandir(folder) as entries:
        return any(is_frame_name(entry.name) and not is_folder_entry(entry) for entry in entries)


def listable(folder):
    """Whether folder's entries can be listed (a PermissionError traceback where not); FileNotFoundError where it is
    no longer there (a folder moved away since its parent was listed was said to be closed, "permission denied")."""
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), folder)
    return os.access(folder, os.R_OK | os.X_OK)


CLOSED = ("cannot be listed (permission denied)", "give it read permission")
OTHER_FORMAT = ("holds no frame but pictures of a format training does not read (frames: "
                f"{', '.join(IMAGE_EXTENSIONS)})", "convert them to PNG")
# what file_system_folder's folders are, as the lines about a sequence in one say
DRIVE_S_OWN = ("a folder a drive keeps for itself (lost+found, chkdsk's FOUND.000, a recycle bin, a NAS's thumbnails "
               "or snapshots), whose folders are no sequences")
LINK_TO_NOTHING = ("is a symbolic link to nothing (a disk not mounted, a folder moved, or a loop of links)",
                   "mount its disk or remove the link")
DEEPER = ("holds folders of frames deeper than the layout reads (<group>/<sequence>/<frames>)",
          "pass it as --input_video_dir of a run of its own, move its sequences up a level")


def holds_other_pictures(folder):
    """Whether folder holds pictures of a format of OTHER_PICTURE_EXTENSIONS."""
    with os.scandir(folder) as entries:
        return any(is_frame_name(entry.name, OTHER_PICTURE_EXTENSIONS) and not is_folder_entry(entry)
                   for entry in entries)


def holds_folders_of_frames(folder, root):
    """Whether a folder under folder, at any depth (not hidden, nor a drive's own, nor through one that holds frames),
    holds frames, or pictures of other formats named as frames are (a folder of them alone, two levels down, is
    OTHER_FORMAT): folders that hold none walked down to the first that does, each once (a loop of links ends), none
    that is root or holds it (a link up). Only folders without frames are walked, which a data folder rarely holds:
    four levels down ('g/h/i/s/0001.png' beside a sequence 'a') was left out without a word, exit code 0, and so were
    '.webp' frames three levels down ('g/h/s/0001.webp')."""
    seen, folders = {os.path.realpath(root)}, [folder]
    while folders:
        here = folders.pop()
        for name in visible_subfolders(here):
            path = os.path.join(here, name)
            if os.path.realpath(path) in seen or is_within(root, path) or not listable(path):
                continue
            if holds_frames(path) or holds_other_pictures(path):  # '.webp' frames in 'g/h/s' were left out unsaid
                return True
            seen.add(os.path.realpath(path))
            folders.append(path)
    return False


def links_to_nothing(folder):
    """The names of folder's entries that are symbolic links to nothing, neither hidden nor named as frames (a frame's
    link to nothing is refused when the frame is read): a sequence folder's link whose disk is not mounted was left
    out without a word, and the run trained on the others, exit code 0."""
    with os.scandir(folder) as entries:
        return sorted(entry.name for entry in entries if entry.is_symlink() and not os.path.exists(entry.path)
                      and not entry.name.startswith(".") and not is_frame_name(entry.name))


LOW_RESOLUTION = ("holds the LR frames of an LR/ and HR/ pair (download_test_data.py's LR/<clip>, a validation "
                  "clip's <clip>/LR), which training would read as HR frames", "train on the HR/ frames alone")


def is_low_resolution(name, names):
    """Whether a folder name among its folder's subfolders names is an LR/ (of any case) beside an HR/: the evaluation
    data's LR/<clip> beside HR/<clip> (download_test_data.py's folder passed as --input_video_dir) or a validation
    clip's <clip>/LR beside <clip>/HR were trained on as sequences of HR frames, exit code 0."""
    return name.casefold() == "lr" and any(other.casefold() == "hr" for other in names)


def smaller_twins(sequences):
    """{name: (twin, factor)} of the sequences ({name: folder}) that hold an LR and HR pair's LR frames whatever their
    folders are named: frames as many as a twin's, named alike, a whole factor smaller in both sides, its first frame
    the twin's made smaller (is_made_smaller); a twin is a sequence of the same name in another group (Vid4's
    BIx4/<clip> beside GT/<clip>) or the other of the two sequences in one folder (a clip's 'low/' and 'high/'). An LR/
    beside an HR/ was told by its name alone: 'LR_bicubic/', 'lr_x4/', 'ＬＲ/' (full-width), 'LR /' beside theirs were
    trained on as sequences of HR frames, exit code 0."""
    places = {}
    for name in sequences:
        group, _, leaf = name.rpartition("/")
        places.setdefault(("in", group), []).append(name)
        places.setdefault(("named", leaf), []).append(name)
    frames, sizes, twins = {}, {}, {}  # frames: {name: (its frames' names without extensions, their paths)}
    for (how, _), names in places.items():
        if len(names) < 2 or how == "in" and len(names) > 2:
            continue
        alike = {}
        for name in names:
            if name not in frames:
                try:
                    listed = sorted(entry for entry in os.listdir(sequences[name]) if is_frame_name(entry))
                except FileNotFoundError:  # moved away since it was found: list_frames says so in training's words
                    listed = []
                frames[name] = (tuple(os.path.splitext(entry)[0] for entry in listed),
                                [os.path.join(sequences[name], entry) for entry in listed])
            if frames[name][1]:  # emptied since, so too
                alike.setdefault(frames[name][0], []).append(name)
        kinds = {}  # {(frames' names, size): the sequences of them}: a Vimeo-90K's thousand groups, a few sizes
        for name in (name for names in alike.values() if len(names) > 1 for name in names):
            if name not in sizes:
                sizes[name] = image_size(frames[name][1][0])
            kinds.setdefault((frames[name][0], sizes[name]), []).append(name)
        for (stems, (height, width)), smaller in kinds.items():
            for (other_stems, (other_height, other_width)), larger in kinds.items():
                factor = round(other_width / width)
                if (stems == other_stems and factor >= 2 and abs(other_width / factor - width) < 1
                        and abs(other_height / factor - height) < 1):
                    for name in smaller:
                        # no twin of a name of its series ('scene_2000' and 'scene_2001', two videos' scenes at two
                        # sizes; '2019/beach' and '2020/beach'), which an LR and HR pair's names are not
                        # and of its frames made smaller (is_made_smaller): two clips of other pictures at two
                        # sizes, named alike, were refused as a pair ('beach/' and 'city/' of ffmpeg's frames). Its
                        # first, middle and last frames, as its first alone, a fade from black, told nothing; then
                        # the others, where those are all flat (two clips of other pictures, black but for one frame,
                        # were refused as a pair)
                        order = dict.fromkeys((0, len(stems) // 2, len(stems) - 1, *range(len(stems))))
                        twin = next((twin for twin in larger if re.sub(r"\d", "", twin) != re.sub(r"\d", "", name)
                                     and is_made_smaller((frames[name][1][index], frames[twin][1][index])
                                                         for index in order)), None)
                        if twin:
                            twins[name] = (twin, factor)
    return twins


def folder_sequence_names(root):
    """({name: folder}, [(name, (problem, remedy))]) of the sequences layout: root's subfolders that hold frames, and
    the subfolders holding frames of those that hold none (two levels); and the entries among them that may be
    sequences or not: an LR/ beside an HR/ (LOW_RESOLUTION), folders that cannot be listed (CLOSED), links to nothing
    (LINK_TO_NOTHING), folders of pictures of other formats alone (OTHER_FORMAT: a sequence of '.webp' frames was left
    out without a word), folders of a group folder that hold folders of frames at any depth (DEEPER: a group of groups,
    'vimeo/00001/0001/im1.png' beside a sequence 'a', was left out without a word, the run trained on 'a' alone, exit
    code 0). UserError for a subfolder that holds both frames and folders of frames: which are the sequences is not
    known (three thumbnails in a Vimeo-90K group folder were trained on as its one sequence, its sequences left out)."""
    found, unknown = {}, [(name, LINK_TO_NOTHING) for name in links_to_nothing(root)]
    names = visible_subfolders(root)
    for name in names:
        folder = os.path.join(root, name)
        if is_low_resolution(name, names):
            unknown.append((name, LOW_RESOLUTION))
            continue
        if not listable(folder):
            unknown.append((name, CLOSED))
            continue
        inner_sequences, inner_others, inner_deeper = [], [], []
        inner_names = visible_subfolders(folder)
        for inner in inner_names:
            path = os.path.join(folder, inner)
            if is_low_resolution(inner, inner_names):
                unknown.append((f"{name}/{inner}", LOW_RESOLUTION))
            elif not listable(path):
                unknown.append((f"{name}/{inner}", CLOSED))
            elif holds_frames(path):
                inner_sequences.append(inner)
            elif holds_other_pictures(path):
                inner_others.append(inner)
            elif not is_within(root, path) and holds_folders_of_frames(path, root):  # not root by a link: once_each's
                inner_deeper.append(inner)
        is_sequence = holds_frames(folder)
        if is_sequence and inner_sequences:
            raise frames_beside_sequences(folder, inner_sequences)
        if is_sequence:
            found[name] = folder
        elif not inner_sequences and holds_other_pictures(folder):  # a sequence of .webp frames was left out unsaid
            unknown.append((name, OTHER_FORMAT))
        else:  # a group folder: its links to nothing, and its folders of such pictures, may be sequences
            unknown += [(f"{name}/{inner}", LINK_TO_NOTHING) for inner in links_to_nothing(folder)]
            unknown += [(f"{name}/{inner}", OTHER_FORMAT) for inner in inner_others]
            # not a sequence's: its folders are none ('a/thumbs/small/0001.png' in a sequence 'a' was refused, "move
            # its sequences up a level", where a level up they would be a sequence's folders of frames)
            unknown += [(f"{name}/{inner}", DEEPER) for inner in inner_deeper]
        for inner in inner_sequences:
            found[f"{name}/{inner}"] = os.path.join(folder, inner)
    # root's own frames beside its sequences: a sequence passed as --input_video_dir with a folder of its thumbnails
    # ('thumbs/0001.png') was trained on as the thumbnails' sequence alone, its frames left out without a word, exit
    # code 0, where root's subfolder so is refused
    if found and holds_frames(root):
        raise frames_beside_sequences(root, list(found))
    return found, unknown


def frames_beside_sequences(folder, sequences):
    """The UserError of a folder that holds both frames and folders of frames (sequences, their names)."""
    return UserError(f"'{folder}' holds frames and also folders of frames ({named(sequences)}), so which are the "
                     "sequences is not known; move the frames or the folders elsewhere")


def refuse_unknown(root, unknown, names):
    """UserError where an entry that may be a sequence or not (folder_sequence_names) may be one used: any, without a
    list (names None), else one a name of the list lies in."""
    used = [(name, why) for name, why in unknown
            if names is None or any(wanted == name or wanted.startswith(name + "/") for wanted in names)]
    if used:
        name, (problem, remedy) = used[0]
        advice = (f"{remedy}, move it out of --input_video_dir, or name the sequences to use in data.sequence_list"
                  if names is None else f"{remedy}, or leave it out of the list")
        raise UserError(f"'{os.path.join(root, name)}' {problem}, so whether it is a sequence is not known; {advice}")


def chosen(available, names, root, list_path, hint):
    """[(name, folder)] of the names given (data.sequence_list), or of every available sequence; UserError
    naming those the root lacks, and those of them that are folders there but no sequence (a list naming a hidden
    folder, or a group folder, was told the root lacked what the user saw there)."""
    if names is None:
        return sorted(available.items())
    missing = [name for name in names if name not in available]
    if missing:
        sequence_folders = {os.path.realpath(folder) for folder in available.values()}
        # folders there that are none of the sequences (a name spelled './a' is the sequence 'a': it is only misnamed)
        there = [name for name in missing if os.path.isdir(os.path.join(root, name))
                 and os.path.realpath(os.path.join(root, name)) not in sequence_folders]
        # a folder of frames in lost+found, chkdsk's FOUND.000 or a recycle bin was told "a hidden folder is none; a
        # sequence's folder holds its frames ...", none of which it was
        drives = [name for name in there if in_a_file_system_folder(root, name)]
        there = [name for name in there if name not in drives]
        of_a_drive = (f"; of those, {named(drives)} {'is, or lies' if len(drives) == 1 else 'are, or lie'} in, "
                      f"{DRIVE_S_OWN}: move the sequence out of it to train on it") if drives else ""
        no_sequence = (f"; of those, {named(there)} {'is a folder' if len(there) == 1 else 'are folders'} there but "
                       "no sequence (a hidden folder is none; a sequence's folder holds its frames, and a group "
                       "folder's are named <group>/<sequence>)") if there else ""
        # a list saved in Latin-1 (Windows' "ANSI") naming a folder named in UTF-8: 'caf\udce9' alone told nothing
        encoded = [name for name in missing if not utf8(name)]
        not_utf8 = (f"; of those, {named(encoded)} {'holds' if len(encoded) == 1 else 'hold'} bytes that are not "
                    "UTF-8: the list was saved in another encoding (Latin-1, Windows' ANSI)") if encoded else ""
        raise UserError(f"sequence list '{list_path}' names {counted(len(missing), 'sequence')} that '{root}' lacks: "
                        f"{named(missing)}{of_a_drive}{no_sequence}{not_utf8}; "
                        f"{'save the list as UTF-8, ' if encoded else ''}"
                        f"{hint}")
    return [(name, available[name]) for name in dict.fromkeys(names)]


def in_a_file_system_folder(root, name):
    """Whether the folder name (a path under root, '/' between its parts) is, or lies in, one a file system keeps
    (utils.frame_names.file_system_folder)."""
    parent = root
    for part in name.split("/"):
        if file_system_folder(parent, part):
            return True
        parent = os.path.join(parent, part)
    return False


def folder_sequences(root, list_path=""):
    """The Sequences of the sequences layout, all or those of the list file list_path."""
    if not root:
        raise UserError("no training data: set --input_video_dir (a folder of sequence folders)")
    input_folder(root, "training data folder (--input_video_dir)")
    try:
        available, unknown = folder_sequence_names(root)
    except (FileNotFoundError, NotADirectoryError) as error:  # a data set of thousands of folders takes a while to list
        raise UserError(f"'{error.filename}' was moved or removed while training listed --input_video_dir; restore "
                        "it, or run again") from None
    if not available and not unknown:
        raise no_sequence_there(root)
    # a name of the list in another Unicode form matches an entry that may be a sequence, to be refused as one
    names = read_sequence_list(list_path, [*available, *(name for name, _ in unknown)]) if list_path else None
    # without a list, an LR and HR pair's LR frames under another name than LR/ (smaller_twins); a list naming one
    # trains on it: frames alike a whole factor smaller than another sequence's may be a sequence of its own
    twins = [] if names else [(name, (f"holds frames as many as '{twin}', named alike and {factor} times smaller (an "
                                      "LR and HR pair's LR frames: Vid4's BIx4/<clip> and GT/<clip>), which training "
                                      "would read as HR frames", "train on the HR frames alone"))
                              for name, (twin, factor) in smaller_twins(available).items()]
    refuse_unknown(root, unknown + twins, names)
    if not available:
        raise no_sequence_there(root)
    pairs = chosen(available, names, root, list_path, "fix the list or add those folders")
    once_each(root, pairs, names is not None)
    # list_frames: one frame a number, no copy of one, no picture of another format left out between them; named as
    # training's (a sequence moved away, or emptied, since its folder was found was "input folder ... does not exist;
    # pass a folder of LR frames", generate.py's words: training reads HR frames)
    return [Sequence(name, folder, one_series(list_frames(folder, "training sequence folder", CHANGED_SINCE_FOUND)))
            for name, folder in pairs]


def one_series(frames, apart="a sequence folder, to train on both"):
    """frames, the paths of a sequence's frames in order (by the numbers in their names), unless they are not all of
    one series, named alike but for their numbers. Ordered by all their digits, two series were trained on as one
    sequence, the last frame of one and the first of the next as consecutive, exit code 0: two cameras'
    'cam1_0001.png'.. and 'cam2_0001.png'.. (10001.., then 20001..), takes or versions ('take1_', 'take2_'; 'v1_',
    'v2_'), a stereo pair's 'left_0001.png', 'left_0002.png' and 'right_0003.png'..; and so was a poster or a thumbnail
    named otherwise with a number ('poster_0.png', before '0001.png'), as one without is refused (one_frame_a_number).
    Two series of one pattern are told apart by a number after a letter ahead of the frame's own, the last: numbers
    after no letter are a frame's place ('01:00:00:23', '01:00:01:00', a timecode; a date's '2023-06-01-001'), and so
    is a number after a letter that each frame has its own ('im1_x4', 'im2_x4'). Frames ordered by name (no digits, or
    one number alike) are of no series. apart: the folder the line says to move one series to (a validation clip's:
    its two series were scored as one clip, val.csv's temporal scores taken across them, exit code 0)."""
    numbers = {frame_order(os.path.basename(path))[0] for path in frames}
    if len(numbers) == 1 or () in numbers:
        return frames
    series = {}  # {(a pattern, the name's numbers after a letter but the last): (its frames, their last numbers)}
    patterns = {}  # {a pattern: its frames}
    stems = [frame_stem(path) for path in frames]
    pattern_of = series_patterns(stems)
    for path, stem in zip(frames, stems):
        # a 12-hour clock's hour after its half of the day ('下午1.00.00', Chinese macOS') is no series' number: one
        # recording's frames of two hours, each of its seconds, were refused as two series
        timed = by_24_hours(stem)
        runs = list(re.finditer(r"\d+", timed))
        named_by = tuple(int(run[0]) for run in runs[:-1] if run.start() and timed[run.start() - 1].isalpha())
        paths, counted = series.setdefault((pattern_of[stem], named_by), ([], set()))
        paths.append(path)
        counted.add(int(runs[-1][0]))
        patterns.setdefault(pattern_of[stem], []).append(path)
    no_stray_frame(frames, last_too=True)  # a poster or a thumbnail named otherwise with a number: list_frames' before
    # the first frames of two series of other patterns, else of one pattern with a number in common
    owners = {}  # {a frame's own number: the first frames of the series of several frames that have it}
    for paths, counted in series.values():
        for number in counted if len(paths) > 1 else ():
            owners.setdefault(number, []).append(paths[0])
    firsts = ([paths[0] for paths in patterns.values()] if len(patterns) > 1 else
              next((firsts for firsts in owners.values() if len(firsts) > 1), []))
    if len(firsts) > 1:
        raise UserError(f"'{firsts[0]}' and '{firsts[1]}' are frames of two series (two cameras' 'cam1_0001.png', "
                        "'cam2_0001.png'; a stereo pair's 'left_0001.png', 'right_0003.png'), which training would "
                        "read as one sequence, the last frame of one and the first of the other as consecutive: move "
                        f"one series' frames to a folder of their own ({apart}), or name them alike if they are one")
    return frames


def through_a_link(root, name):
    """Whether the folder name (a path under root, '/' between its parts) is reached through a symbolic link."""
    parts = name.split("/")
    return any(os.path.islink(os.path.join(root, *parts[:depth])) for depth in range(1, len(parts) + 1))


def once_each(root, pairs, listed, what="sequence folder", twice="its frames would be trained on twice",
              advice=("move it out of --input_video_dir, or name the sequences to use in data.sequence_list",
                      "move it out of --input_video_dir, or leave one of them out of the list")):
    """UserError where two of pairs, [(name, folder)] of the sequences used (of root, a data folder), are one folder:
    a data folder holding a link to itself ('current' -> '.'), to a sequence or to a group folder beside it trained on
    those sequences twice, exit code 0, and a validation folder's link to a clip scored it twice at each validation;
    so did a folder mounted at two places (a bind mount, a container's two volumes of one folder), which no path
    shows: it is the one file (device and inode) where its file system numbers its files (a zero is no number).
    The line names the one reached through a link, what it is (what), what would happen (twice) and what to do
    (advice: without a list, with one: listed)."""
    # a link to root itself ('current' -> '.' in data.val_dir), or root mounted in itself, was read as a clip, and
    # refused as "a clip with no images", which did not say that it is the folder itself
    whole, root_identity = os.path.realpath(root), file_identity(root)
    for name, folder in pairs:
        identity = file_identity(folder)
        linked = os.path.realpath(folder) == whole
        if linked or (identity and identity[1] and identity == root_identity):
            how, remedy = reached_how(linked)
            raise UserError(f"'{os.path.join(root, name)}' is '{root}' itself ({how}), no {what}; {remedy}, "
                            f"{advice[listed]}")
    first = {}
    for name, folder in sorted(pairs, key=lambda pair: through_a_link(root, pair[0])):
        identity = file_identity(folder)
        for key in (os.path.realpath(folder), identity if identity and identity[1] else None):
            other = first.setdefault(key, name) if key else name
            if other == name:
                continue
            how, remedy = reached_how(through_a_link(root, name) or through_a_link(root, other)
                                      or key == os.path.realpath(folder))
            raise UserError(f"'{os.path.join(root, name)}' is the {what} '{os.path.join(root, other)}' again ({how}), "
                            f"so {twice}; {remedy}, {advice[listed]}")


def reached_how(linked):
    """(how, remedy) of a folder reached again: through a symbolic link (linked), else mounted there too."""
    return (("through a symbolic link", "remove the link") if linked else
            ("mounted there too: a bind mount, or a container's volume", "unmount it"))


def no_sequence_there(root):
    """The UserError of a data folder root that holds no sequence: a drive's top folder whose only sequences lie in its
    lost+found, chkdsk's FOUND.000 or a recycle bin was told it held none, and not why."""
    try:
        drives = sorted(name for name in os.listdir(root) if not name.startswith(".")
                        and os.path.isdir(os.path.join(root, name)) and file_system_folder(root, name))
    except OSError:  # gone since: said as before
        drives = []
    of_a_drive = (f"; {named(drives)} {'is' if len(drives) == 1 else 'are each'} {DRIVE_S_OWN}: move a sequence out "
                  "of it to train on it") if drives else ""
    return UserError(f"'{root}' holds no sequence folder (<sequence>/<frames> or <group>/<sequence>/<frames>, "
                     f"frames {', '.join(IMAGE_EXTENSIONS)}){of_a_drive}; check --input_video_dir and data.layout")


CHANGED_SINCE_FOUND = "it was moved or emptied since training found it in --input_video_dir: restore it, or run again"


def check_lengths(sequences, rnn_n):
    """UserError naming the sequences shorter than train.rnn_n, and the train.rnn_n that would use them
    all."""
    short = [sequence for sequence in sequences if len(sequence.frames) < rnn_n]
    if short:
        shortest = min(len(sequence.frames) for sequence in short)
        # counted: a sequence of one frame was "(1 frames)", and one sequence "them"
        lengths = [f"{sequence.name} ({counted(len(sequence.frames), 'frame')})" for sequence in short]
        them = "it" if len(short) == 1 else "them"
        advice = (f"set --set train.rnn_n={shortest} to use {them}" if shortest >= 2 else
                  "a sequence needs at least 2 frames")
        raise UserError(f"{counted(len(short), 'sequence')} {'is' if len(short) == 1 else 'are'} shorter than "
                        f"train.rnn_n {rnn_n}: {named(lengths)}; "
                        f"{advice}, or leave {them} out with data.sequence_list")


SIZE_ADVICE = {
    "scenes": "all frames of a scene must have one size: re-run dataPrepare.py for this scene or remove it",
    "sequences": "all frames of a sequence must have one size: resize or remove the odd frames, or leave the "
                 "sequence out with data.sequence_list",
}


def of_its_size(frame, path, size):
    """frame, (height, width, 3) decoded from path, unless its size is not the (height, width) its sequence's frames had
    when training started (frame_size): then a UserError, the frame changed since."""
    if frame.shape[:2] != tuple(size):
        raise UserError(f"training frame '{path}' is now {frame.shape[1]}x{frame.shape[0]}, not the "
                        f"{size[1]}x{size[0]} of its sequence when training started: it was changed while training "
                        "read it; restore it, then run the same command again to resume")
    return frame


def frame_size(sequence, layout):
    """(height, width) shared by the frames of a sequence (read from their headers); UserError if they
    differ."""
    return common_image_size(sequence.frames, "training frame",
                             SIZE_ADVICE.get(layout, SIZE_ADVICE["sequences"]))
