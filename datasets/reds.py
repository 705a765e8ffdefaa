"""REDS (NTIRE 2019, Nah et al.): 270 sequences of 100 sharp 1280x720 frames, as its official zips unpack.

    <root>/train/train_sharp/000..239/00000000.png..00000099.png   (train_sharp.zip)
    <root>/val/val_sharp/000..029/00000000.png..00000099.png       (val_sharp.zip)

The REDS literature (EDVR, BasicVSR) counts val_sharp's 000..029 as 240..269 and holds out REDS4 (000,
011, 015, 020) for evaluation; the other 266 train. Names are mapped here, when read: the folders stay as
the zips made them, and no frame is copied.
"""
import os
import re

from datasets.sequences import LINK_TO_NOTHING, Sequence, named, once_each, read_sequence_list
from utils.errors import UserError, counted
from utils.frame_names import IMAGE_EXTENSIONS, OTHER_PICTURE_EXTENSIONS, copied_names, frame_order, is_frame_name
from utils.paths import input_folder, partial_path
from utils.zips import unpacked_marker, unpacked_names

# (folder under the root, first sequence number, sequences) of each part, as its zip unpacks
PARTS = ((os.path.join("train", "train_sharp"), 0, 240), (os.path.join("val", "val_sharp"), 240, 30))
SEQUENCE_COUNT = 270
FRAMES_PER_SEQUENCE = 100
REDS4 = ("000", "011", "015", "020")
DOWNLOAD_HINT = "run download_test_data.py --reds again"


def sequence_name(number):
    return f"{number:03d}"


def frame_name(index):
    return f"{index:08d}.png"


def is_frame_file(relative, count):
    """Whether a path under a part's folder ('000/00000000.png', '/'-separated) names a frame as sequence_folder and
    frame_name place them, of one of the part's count sequences, that training reads (a zip of '999/00000000.png' or
    '000/00000100.png' alone passed for REDS, and train.py then said to fetch it again, which skipped it as done)."""
    match = re.fullmatch(r"([0-9]{3})/([0-9]{8})\.png", relative)
    return match is not None and int(match[1]) < count and int(match[2]) < FRAMES_PER_SEQUENCE


def sequence_folder(root, name):
    """The folder of sequence `name` (000..269) under a REDS root."""
    number = int(name)
    for part, first, count in PARTS:
        if first <= number < first + count:
            return os.path.join(root, part, sequence_name(number - first))
    raise ValueError(f"REDS has no sequence {name}")


def is_reds_folder(path):
    """True for a folder laid out as the REDS zips unpack: its train_sharp part, or its val_sharp part alone
    (val_sharp.zip unpacked without train_sharp.zip, its tenth: with a list of 240..269 it was refused as "not a REDS
    folder")."""
    return any(os.path.isdir(os.path.join(path, part)) for part, _, _ in PARTS)


def refuse_no_folder(root, folder, what, files=True):
    """UserError for the first of the folders from root down to folder (a part's, 'train', 'train/train_sharp', and a
    sequence's) that is a symbolic link to nothing (a disk not mounted), or (files) a file: a REDS folder linked in from
    another disk was called lacking, "run download_test_data.py --reds again", which skipped it as done, or the root
    "not a REDS folder"; a file in a sequence's place was called lacking so too, and the download fetched the zip
    again only to refuse to unpack it over that file."""
    parts = os.path.relpath(folder, root).split(os.sep)
    for path in (os.path.join(root, *parts[:depth]) for depth in range(1, len(parts) + 1)):
        if os.path.islink(path) and not os.path.exists(path):
            problem, remedy = LINK_TO_NOTHING
            raise UserError(f"'{path}', {what}, {problem}; {remedy}")
        if files and os.path.exists(path) and not os.path.isdir(path):
            raise UserError(f"'{path}', {what}, is a file, not a folder; move it away, then {DOWNLOAD_HINT}")


def otherwise_named(names, missing):
    """The advice for a sequence lacking the frames missing that holds pictures of names other than REDS's, names,
    numbered as one of those lacking (frames converted to JPEG, renamed '.PNG', copied as '00000005 (1).png'), or ''.
    Told to run the download again, which skips REDS as done, the user was sent round in a circle while the frames lay
    there (so was one renamed as Windows XP's copy, 'Copy (2) of 00000005.png', whose digits make 200000005). Only
    those: a sequence cut short by a stopped unzip, beside a 'preview.jpg' or a frame's copy of its own, was told to
    rename that one picture to those 50 frames, and not to download again; so was one cut short beside a picture
    numbered as one of them (a conversion of frame 50 alone): the download now follows for the others."""
    numbers = {(int(os.path.splitext(frame)[0]),) for frame in missing}
    numbered = {name: [frame_order(stem)[0] for stem in copied_names(stem)]
                for name in names if is_frame_name(name, IMAGE_EXTENSIONS + OTHER_PICTURE_EXTENSIONS)
                for stem in [os.path.splitext(name)[0]]}
    pictures = sorted(name for name, its_numbers in numbered.items() if numbers.intersection(its_numbers))
    if not pictures:
        return ""
    others = numbers.difference(*(numbered[name] for name in pictures))
    # counted: "for the other 1 frames"
    return (f"it holds pictures of other names ({named(pictures)}), and training reads REDS's, {frame_name(0)}.."
            f"{frame_name(FRAMES_PER_SEQUENCE - 1)}: rename or convert them to those, or train on them with "
            "data.layout sequences" + (f"; for the other {counted(len(others), 'frame')}, {DOWNLOAD_HINT}" if others
                                       else ""))


def download_hint(root, frames):
    """What to do about frames (paths under root, '/'-separated) a REDS folder lacks: DOWNLOAD_HINT, unless the zip of
    their part that download_test_data.py unpacked there held none of them (a mirror's zip of part of REDS): its
    done-marker lists what it held, and a run again skipped it as done ("already unpacked"), the user sent round in a
    circle. Each such zip is named, with its marker (of frames of both parts, the second's was left unnamed, and the
    run the line advised skipped that zip as unpacked)."""
    partial = []  # (zip name, its marker, the first frame it lacks) of each part's zip
    for part, _, _ in PARTS:
        prefix = part.replace(os.sep, "/") + "/"
        wanted = [frame for frame in frames if frame.startswith(prefix)]
        archive = os.path.join(root, os.path.basename(part) + ".zip")
        names = unpacked_names(archive) if wanted else None
        held = {"/".join(step for step in name.split("/") if step != ".") for name in names or ()}
        lacking = [frame for frame in wanted if frame not in held]
        if names is not None and lacking:
            partial.append((os.path.basename(archive), unpacked_marker(archive), lacking[0]))
    if not partial:
        return DOWNLOAD_HINT
    zips, markers = " and ".join(name for name, _, _ in partial), " and ".join(f"'{path}'" for _, path, _ in partial)
    frames, several = " and no ".join(frame for _, _, frame in partial), len(partial) > 1
    return (f"the {zips} download_test_data.py unpacked there held no {frames}"
            f" (a mirror's zip of part of REDS), and a run again skips {'them' if several else 'it'} as unpacked: "
            f"delete {markers}, then run download_test_data.py --reds --base-url with a host of the whole "
            f"zip{'s' if several else ''}")


def download_traces(root):
    """The names under root of what download_test_data.py --reds leaves there besides the frames (a zip it has not
    unpacked, the partial file a zip grows in, a zip's done-marker): a root that holds one and no part's folder is its
    REDS folder, the zips not downloaded or unpacked yet (a run stopped, or refused to unpack) or the frames deleted
    since, which was called "not a REDS folder as download_test_data.py --reds unpacks it; pass that folder or check
    data.layout" (that folder it was; of a download of tens of GB stopped midway, too)."""
    archives = [os.path.join(root, os.path.basename(part) + ".zip") for part, _, _ in PARTS]
    return [os.path.basename(path) for archive in archives
            for path in (archive, partial_path(archive), unpacked_marker(archive)) if os.path.isfile(path)]


def relative_frames(root, folder, frames):
    """The '/'-separated paths under root of frames (names) of folder."""
    return ["/".join((*os.path.relpath(folder, root).split(os.sep), frame)) for frame in frames]


def training_names():
    """The 266 training sequences of the REDS4 split."""
    return [sequence_name(number) for number in range(SEQUENCE_COUNT) if sequence_name(number) not in REDS4]


def reds_sequences(root, names, role="REDS folder (--input_video_dir)", list_path="",
                   other_choice="name the sequences to use in data.sequence_list"):
    """The Sequences `names` of a REDS root, each with its 100 frames; UserError naming the sequences or
    frames it lacks, and saying to download them or (other_choice) do without them."""
    input_folder(root, role, "download REDS with download_test_data.py --reds")
    if not is_reds_folder(root):
        refuse_no_folder(root, os.path.join(root, PARTS[0][0]), "where REDS's train_sharp sequences lie", files=False)
        traces = download_traces(root)
        if traces:
            raise UserError(f"{role} '{root}' has no {PARTS[0][0]} folder, where download_test_data.py --reds unpacks "
                            f"REDS, though it began there ({traces[0]} is there): its zips are not unpacked yet, or "
                            f"their files were deleted since; {DOWNLOAD_HINT}")
        raise UserError(f"{role} '{root}' has no {PARTS[0][0]} folder: it is not a REDS folder as "
                        "download_test_data.py --reds unpacks it; pass that folder or check data.layout")
    unknown = [
        name for name in names if not (re.fullmatch(r"[0-9]{3}", name) and int(name) < SEQUENCE_COUNT)
    ]
    if unknown:
        raise UserError(f"sequence list '{list_path}' names {named(unknown)}, not REDS sequences (000..269, "
                        "val_sharp's 000..029 counted as 240..269); fix the list")
    names = list(dict.fromkeys(names))
    missing = [name for name in names if not os.path.isdir(sequence_folder(root, name))]
    for name in missing:
        refuse_no_folder(root, sequence_folder(root, name), f"where REDS sequence {name} lies")
    if missing:
        hint = download_hint(root, [frame for name in missing
                                    for frame in relative_frames(root, sequence_folder(root, name), [frame_name(0)])])
        raise UserError(
            f"{role} '{root}' lacks {len(missing)} of the {len(names)} REDS sequences used: "
            f"{named(missing)}; {hint}, or {other_choice}")
    sequences = []
    for name in names:
        folder = sequence_folder(root, name)
        present = set(os.listdir(input_folder(folder, f"REDS sequence {name}")))  # unreadable: was a traceback
        frames = [frame_name(index) for index in range(FRAMES_PER_SEQUENCE)]
        missing = [frame for frame in frames if frame not in present]
        if missing:
            hint = otherwise_named(present - set(frames), missing) or download_hint(
                root, relative_frames(root, folder, missing))
            raise UserError(
                f"REDS sequence {name} ('{folder}') lacks {len(missing)} of its {FRAMES_PER_SEQUENCE} "
                f"frames: {named(missing)}; {hint}")
        sequences.append(Sequence(name, folder, [os.path.join(folder, frame) for frame in frames]))
    return sequences


def training_sequences(root, list_path=""):
    """The training Sequences of a REDS root: those of the list file list_path, else REDS4's complement."""
    names = read_sequence_list(list_path) if list_path else training_names()
    sequences = reds_sequences(root, names, list_path=list_path)
    # a sequence's folder linked to another's ('000' -> '001') trained on that one twice, exit code 0
    once_each(root, [(os.path.relpath(sequence.folder, root).replace(os.sep, "/"), sequence.folder)
                     for sequence in sequences], bool(list_path),
              advice=(f"then {DOWNLOAD_HINT}, or name the sequences to use in data.sequence_list",
                      f"then {DOWNLOAD_HINT}, or leave one of them out of the list"))
    return sequences


def reds4_folders(root, role="validation folder (data.val_dir)"):
    """The folders of the REDS4 sequences, checked like training sequences."""
    # data.sequence_list chooses training sequences only: validation on REDS is on REDS4
    folders = [sequence.folder for sequence in reds_sequences(
        root, list(REDS4), role, other_choice="set data.val_dir to a folder of other clips")]
    # a clip's folder linked to another's ('011' -> '000') scored that one twice at each validation, exit code 0
    once_each(root, [(os.path.relpath(folder, root).replace(os.sep, "/"), folder) for folder in folders], False,
              "validation clip", "it would be scored twice at each validation",
              (f"then {DOWNLOAD_HINT}, or set data.val_dir to a folder of other clips",))
    return folders
