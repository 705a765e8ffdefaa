"""What the hostile-input tests share (tests/test_hostile_*.py): running an entry script, the one error line
it must end with, real videos made by ffmpeg and a disk without room."""
import os
import subprocess
import sys
import time
from contextlib import contextmanager

from conftest import REPO_ROOT, reference_path, shared_path


WEIGHTS = reference_path("parity_generate", "weights.h5")
FRAMES = reference_path("parity_generate", "lr")


def run_script(*argv, timeout=120, **popen):
    return subprocess.run([sys.executable, *argv],
                          cwd=REPO_ROOT,
                          capture_output=True,
                          text=True,
                          timeout=timeout,
                          **popen)


def assert_one_error_line(completed, *fragments):
    # matplotlib says once that it built its font cache (the tests' cache folder is new)
    lines = [line for line in completed.stderr.splitlines() if line.strip() and "[matplotlib." not in line]
    assert completed.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), completed.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def run_python_without_root_override(script):
    """python -c script in the repository, without the capability that lets root read and write any file (where
    this runs as root), so that permissions hold as for any user."""
    import os
    as_root_without_override = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    return subprocess.run([*(as_root_without_override if os.geteuid() == 0 else []), sys.executable, "-c", script],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)


def ffmpeg_video(path, *output_options, frames=60, size="64x48"):
    from utils.video_probe import ffmpeg_executable
    subprocess.run([
        ffmpeg_executable(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size={size}:rate=10",
        "-frames:v",
        str(frames), *output_options,
        str(path)
    ],
                   check=True)
    return str(path)


def video_refusal(path):
    """The line of the UserError VideoReader raises reading the video at path to its end (asserted raised)."""
    from utils.errors import UserError
    from utils.video_io import VideoReader
    try:
        list(VideoReader(str(path)))
    except UserError as error:
        return str(error)
    raise AssertionError(f"'{path}' was read whole")


def moof_places(data):
    """The places of the moof boxes (fragment indexes) in a fragmented MP4's or MOV's bytes."""
    return [place - 4 for place in range(len(data)) if data[place:place + 4] == b"moof"]


def assert_refused_as_index_disagreeing(path, data, moof):
    """VideoReader refuses the fragmented MP4 or MOV of bytes data, written at path, as damaged at the mdat after the
    moof at place moof (its index not agreeing with that fragment's data)."""
    path.write_bytes(bytes(data))
    mdat = data.index(b"mdat", moof) - 4
    assert video_refusal(path) == (f"video '{path}' is a fragmented MP4 (MOV) whose index does not agree with its "
                                f"fragment's data at byte {mdat}: it is damaged; repair it or pass another video")


def refused_as_fragmented_then_remuxed(path, kind, extension, frames):
    """VideoReader refuses a fragmented `kind` ('MP4', 'MOV') of which OpenCV reads only its first fragment, advising
    a remux into OUT`extension`; that remux, made as advised, is read whole (its `frames`)."""
    import re

    import pytest

    from utils.errors import UserError
    from utils.video_io import VideoReader
    from utils.video_probe import ffmpeg_executable
    name = re.escape(os.path.basename(path))
    with pytest.raises(UserError, match=rf"^video '.*{name}' is a fragmented {kind} of which OpenCV reads only the "
                                        rf"first \d+ of its {frames} frames .*; save it unfragmented \(e.g. ffmpeg "
                                        rf"-i IN -c copy OUT{re.escape(extension)}\) and pass that$"):
        VideoReader(path)
    remux = os.path.join(os.path.dirname(path), "OUT" + extension)
    subprocess.run([ffmpeg_executable(), "-v", "error", "-i", path, "-c", "copy", remux], check=True)
    assert len(list(VideoReader(remux))) == frames


def decoded_count(path):
    """Frames OpenCV decodes from a video, read to its end: the count its container announces aside."""
    import cv2
    capture, count = cv2.VideoCapture(path), 0
    while capture.grab():
        count += 1
    return count


CALENDAR = shared_path("data", "calendar_lr")


def wait_until_stop_signals_caught(pid, timeout=240):
    """Wait until process pid handles every stop signal itself (its /proc status's SigCgt mask; the scripts set
    their handlers first, before their imports): one sent sooner, while Python itself starts (slow on a loaded
    machine), meets the default action or Python's own KeyboardInterrupt, not the script."""
    from utils.errors import STOP_SIGNALS
    wanted = sum(1 << (number - 1) for number in STOP_SIGNALS)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/status") as status:
            caught = int(next(line for line in status if line.startswith("SigCgt:")).split()[1], 16)
        if caught & wanted == wanted:
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not handle the stop signals in {timeout} s")


@contextmanager
def disk_out_of_inodes(folder, monkeypatch):
    """Within: folder (made here) on a disk with bytes free but no inode left: a tmpfs of 4 inodes, filled, where this
    runs as root (unmounted on leaving); else the file system's counts patched as such a disk reports them. Yields
    whether it is mounted: where it is not, the caller patches how its own writes fail on such a disk."""
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=10m,nr_inodes=4", "tmpfs",
                                                    str(folder)], capture_output=True).returncode == 0
    try:
        if mounted:
            while os.statvfs(folder).f_favail:
                (folder / f"file_{os.statvfs(folder).f_favail}").touch()
        else:
            stats = os.statvfs(folder)
            monkeypatch.setattr(os, "statvfs", lambda path: os.statvfs_result(
                (stats.f_bsize, stats.f_frsize, stats.f_blocks, stats.f_bfree, stats.f_bavail, 4, 0, 0, 0, 255)))
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


def png_turned_by_exif(rgb_uint8, orientation=6):
    """Bytes of a PNG of an (H, W, 3) RGB picture with an eXIf chunk after its header giving an EXIF orientation
    (6: turn a quarter clockwise to show), as cameras and phone editors write them."""
    import struct
    import zlib

    import cv2
    encoded = cv2.imencode(".png", rgb_uint8[:, :, ::-1])[1].tobytes()
    # TIFF, little-endian: one entry, Orientation (0x112), a SHORT
    exif = b"II*\0" + struct.pack("<IHHHII", 8, 1, 0x112, 3, 1, orientation) + struct.pack("<I", 0)
    chunk = struct.pack(">I", len(exif)) + b"eXIf" + exif + struct.pack(">I", zlib.crc32(b"eXIf" + exif))
    header_end = 8 + 25  # the signature and the IHDR chunk
    return encoded[:header_end] + chunk + encoded[header_end:]


def zip_of_method(members, method):
    """Bytes of a zip of {name: bytes} stored whole, each member's compression method field then set to method (9:
    Deflate64, which Windows writes for large files; zipfile refuses to open such a member before reading it)."""
    import io
    import struct
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    data = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):  # local headers, central directory
        position = data.find(signature)
        while position >= 0:
            struct.pack_into("<H", data, position + offset, method)
            position = data.find(signature, position + 4)
    return bytes(data)


def zero_bytes_inside_the_largest_array(path):
    """Eight bytes of zeros written inside the data of the largest array of the HDF5 file path (a disk's or a copy's
    error): the file still opens, and holds other numbers there."""
    import h5py
    with h5py.File(path, "r") as h5:
        arrays = []
        h5.visititems(lambda name, item: arrays.append((item.size, name)) if isinstance(item, h5py.Dataset) else None)
        dataset = h5[max(arrays)[1]]
        offset = dataset.id.get_offset() if dataset.chunks is None else dataset.id.get_chunk_info(0).byte_offset
    with open(path, "r+b") as file:
        file.seek(offset + 40)
        file.write(bytes(8))


def video_behind_a_cover(folder):
    """An MKV whose first video stream is a picture of one frame (a cover track) and whose second is a clip of 10
    frames: the path, made by ffmpeg in folder."""
    from utils.video_probe import ffmpeg_executable
    cover = ffmpeg_video(folder / "cover.jpg", frames=1, size="64x64")
    clip = ffmpeg_video(folder / "clip.mp4", "-pix_fmt", "yuv420p", frames=10, size="72x56")
    path = folder / "covered.mkv"
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-y", "-i", cover, "-i", clip, "-map", "0", "-map", "1",
                    "-c", "copy", str(path)], check=True)
    return str(path)


def video_cut_short(folder):
    """An MKV of 40 frames cut to its first 60 % (a download broken off): the path, made by ffmpeg in folder. OpenCV
    decodes a part of the frames its header announces."""
    whole = ffmpeg_video(folder / "whole.mkv", "-c:v", "libx264", "-pix_fmt", "yuv420p", frames=40, size="64x64")
    with open(whole, "rb") as file:
        data = file.read()
    path = folder / "cut.mkv"
    path.write_bytes(data[:len(data) * 6 // 10])
    return str(path)


def queued_then_cut_short(queue, upload, submit):
    """The job submit() gives (its spec's input: the video upload, an MKV of 40 frames made there, whole), that video's
    copy in the job's folder cut to its first 60 % (video_cut_short's) before the job's turn: the page refuses a video
    cut short at upload, and a job whose video fails at its turn is made so. queue: the JobQueue, whose worker waits for
    its lock."""
    import pathlib
    import shutil
    made = os.path.join(os.path.dirname(upload), "made")
    os.makedirs(made, exist_ok=True)
    cut = video_cut_short(pathlib.Path(made))
    shutil.copyfile(os.path.join(made, "whole.mkv"), upload)
    with queue.changed:
        job = submit()
        shutil.copyfile(cut, job.spec["input"]["path"])
    return job


def stale_temporary_through_a_link_and_dotdot(tmp_path, output_name):
    """runs/deep, and work/lnk a link to it (work/ to be the working folder): the name of a killed run's temporary of
    output_name (of a pid past any live process's), written in runs/, where lnk/../<output_name> is, and in work/,
    for another output of that name."""
    (tmp_path / "runs" / "deep").mkdir(parents=True)
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "lnk").symlink_to(tmp_path / "runs" / "deep")
    stem, extension = os.path.splitext(output_name)
    stale = f".{stem}.4194303.tmp{extension}"
    (tmp_path / "runs" / stale).write_bytes(b"killed run's")
    (tmp_path / "work" / stale).write_bytes(b"another folder's")
    return stale


def intra_video_cut_short(folder, percent):
    """An MKV of 40 frames, each coded alone, cut to its first `percent` % (a download broken off): the path, made by
    ffmpeg in folder. OpenCV decodes about that share of the frames (10 %: 3 of them)."""
    whole = ffmpeg_video(folder / "whole.mkv", "-c:v", "libx264", "-g", "1", "-pix_fmt", "yuv420p", frames=40,
                         size="64x64")
    with open(whole, "rb") as file:
        data = file.read()
    path = folder / "cut.mkv"
    path.write_bytes(data[:len(data) * percent // 100])
    return str(path)


def video_cut_before_its_first_frame(folder):
    """An H.264 MKV of 40 frames cut to its first quarter, before its first whole frame (a download broken off early):
    the path, made by ffmpeg in folder. Its header opens; neither OpenCV nor FFmpeg decodes a frame."""
    whole = ffmpeg_video(folder / "whole.mkv", "-c:v", "libx264", "-pix_fmt", "yuv420p", frames=40, size="64x64")
    with open(whole, "rb") as file:
        data = file.read()
    path = folder / "cut.mkv"
    path.write_bytes(data[:len(data) // 4])
    return str(path)


def fixture_frames_zip(path, extra=(), deflated=False, count=6):
    """A zip of the parity fixture's first `count` LR frames, then the (name, bytes) members of extra."""
    import zipfile
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED) as archive:
        for name in sorted(os.listdir(FRAMES))[:count]:
            archive.write(os.path.join(FRAMES, name), name)
        for name, data in extra:
            archive.writestr(name, data)
    return str(path)


def video_of_an_edit_list(folder):
    """An MP4 of 40 frames in one group of pictures, cut by `ffmpeg -ss 1.5 -c copy` (as a user trims a clip
    without re-encoding): its edit list hides the 15 frames before the cut, which the frame count OpenCV reads still
    includes. The path, made by ffmpeg in folder."""
    from utils.video_probe import ffmpeg_executable
    whole = ffmpeg_video(folder / "whole.mp4", "-c:v", "libx264", "-g", "40", "-pix_fmt", "yuv420p", frames=40)
    cut = str(folder / "cut.mp4")
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-ss", "1.5", "-i", whole, "-c", "copy", cut],
                   check=True)
    return cut


def mpeg_program_stream(folder):
    """An MPEG-1 program stream (.mpg, as DVD and camcorder files are) of 30 frames: OpenCV announces a count estimated
    from its duration, 26. The path, made by ffmpeg in folder."""
    return ffmpeg_video(folder / "clip.mpg", "-r", "25", "-c:v", "mpeg1video", "-f", "mpeg", frames=30)


def winzip_aes_zip(members):
    """Bytes of a zip of {name: bytes} whose members are marked as WinZip's AES-256 encryption of vendor version AE-2
    (method 99, the encrypted flag, the 0x9901 extra field, a CRC-32 field of 0 as AE-2 writes it); their data stays
    plain, which nothing reads: zipfile refuses method 99 before reading."""
    import io
    import struct
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            member = zipfile.ZipInfo(name)
            member.extra = struct.pack("<HHH2sBH", 0x9901, 7, 2, b"AE", 3, 0)
            archive.writestr(member, data)
    data = bytearray(buffer.getvalue())
    for signature, flags, crc in ((b"PK\x03\x04", 6, 14), (b"PK\x01\x02", 8, 16)):  # local headers, central directory
        position = data.find(signature)
        while position >= 0:
            struct.pack_into("<HH", data, position + flags, 1, 99)
            struct.pack_into("<I", data, position + crc, 0)
            position = data.find(signature, position + 4)
    return bytes(data)


def hdf5_of_a_plugin_filter(path, code=32001):
    """An HDF5 file at path of one parameter whose chunks name HDF5 filter code (32001: Blosc, of hdf5plugin) where
    they were compressed by gzip: as a file of that plugin's reads where HDF5 lacks the plugin."""
    import struct

    import h5py
    import numpy as np
    with h5py.File(path, "w", libver="earliest") as h5:  # a filter pipeline message of version 1, the filter named
        h5.create_dataset("conv/W", data=np.arange(4096, dtype=np.float32), compression="gzip", chunks=(1024,))
    data = bytearray(path.read_bytes())
    name = data.index(b"deflate")  # after the filter's code, the name's length, its flags and its count of values
    struct.pack_into("<H", data, name - 8, code)
    path.write_bytes(bytes(data))


def sequence_of_a_copy(tmp_path, names, original):
    """A data folder of one sequence 's' of 8x8 frames named names, the last a copy of the frame named original:
    (root, the copy's path, the original's path)."""
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"s": len(names)}, name_frame=names.__getitem__,
                                 sizes={"s": (8, 8)})
    return root, os.path.join(root, "s", names[-1]), os.path.join(root, "s", original)


def refused_naming_two_frames(tmp_path, names, first, second, said):
    """Training's listing of a sequence 's' of 8x8 frames named names (sequence_of_a_copy), refused in the line
    "'<first>' and '<second>' <said>" (said a regular expression, first and second names of names): its root."""
    import re

    import pytest
    from datasets.sequences import folder_sequences
    from utils.errors import UserError
    root, _, _ = sequence_of_a_copy(tmp_path, names, names[0])
    first, second = (re.escape(os.path.join(root, "s", name)) for name in (first, second))
    with pytest.raises(UserError, match=rf"^'{first}' and '{second}' {said}$"):
        folder_sequences(root)
    return root


def trained_frame_names(root, frame_names):
    """The names of the frames, in order, that training reads of a sequence 's' of 8x8 frames named frame_names, made
    in root in place of what it held."""
    import shutil
    from datasets.sequences import folder_sequences
    from training_data import make_sequence_folders
    shutil.rmtree(root)
    make_sequence_folders(root, {"s": len(frame_names)}, name_frame=frame_names.__getitem__,
                          sizes={"s": (8, 8)})
    return [os.path.basename(path) for path in folder_sequences(root)[0].frames]


def listed_frame_names(folder, names, ends=False):
    """The names, in order, that generate.py's listing (the page's, where ends) reads of empty files named names, made
    in folder (a pathlib.Path): names alone are read, not pictures."""
    from utils.frame_names import list_frames
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).touch()
    return [os.path.basename(path) for path in list_frames(str(folder), ends=ends)]


# how a picture in a format frames are not read in that lies between a sequence's frames is refused
PICTURE_IN_A_GAP = "is a picture among the frames of its sequence in a format frames are not read in"


def sequence_beside_a_picture(tmp_path, names, picture):
    """A data folder of one sequence 's' of 8x8 frames named names, and in its folder a copy of the first frame named
    picture: (root, the picture's path)."""
    import shutil
    from training_data import make_sequence_folders
    root = make_sequence_folders(tmp_path / "data", {"s": len(names)}, name_frame=names.__getitem__,
                                 sizes={"s": (8, 8)})
    shutil.copy(os.path.join(root, "s", names[0]), os.path.join(root, "s", picture))
    return root, os.path.join(root, "s", picture)


def evaluate_of_results_with_a_stray(tmp_path, stray, source):
    """evaluate.py's flags for 6 of calendar's frames as targets and as results, the results' last replaced by a copy
    of the frame of index source named stray (a poster, a browser's copy)."""
    import shutil
    from utils.frame_names import list_frames
    results, targets = tmp_path / "results", tmp_path / "targets"
    results.mkdir()
    targets.mkdir()
    calendar = list_frames(shared_path("data", "calendar_lr"))
    for index, path in enumerate(calendar[:6]):
        shutil.copy(path, results / f"output_{index:04d}.png")
        shutil.copy(path, targets / f"{index:04d}.png")
    os.remove(results / "output_0005.png")
    shutil.copy(calendar[source], results / stray)
    return ["--results", str(results), "--targets", str(targets), "--output", str(tmp_path / "out"), "--quick"]


def sizes_in_bytes(line):
    """Every size a line names ("40.0 MB", "0.00 GB", "400GB", "192 bytes"), in order, in bytes of the units
    --max-memory counts (GB of 2 ** 30 bytes)."""
    import re
    units = {"GB": 2 ** 30, "MB": 2 ** 20, "kB": 2 ** 10, "byte": 1, "bytes": 1}
    return [float(number) * units[unit] for number, unit in re.findall(r"([\d.]+) ?(GB|MB|kB|bytes|byte)\b", line)]


def replace_by_a_copy(path):
    """The file at path replaced by a copy of it, as a backup restored or a folder moved to another disk and linked
    back replaces it: its name the same, its inode another."""
    import shutil
    shutil.copy(path, f"{path}.copy")
    os.replace(f"{path}.copy", path)


def cached_and_read(data_root, cache_dir):
    """The frames of the one sequence of data_root (the sequences layout) as the frame cache in cache_dir gives them,
    decoding what is stale, and as read from their files: ([frame as nested lists], [frame as nested lists])."""
    from data_loader import read_frame
    from datasets.frame_cache import cached_frames
    from datasets.sequences import folder_sequences, frame_size
    sequences = folder_sequences(str(data_root))
    maps = cached_frames(sequences, [frame_size(sequences[0], "sequences")], str(cache_dir), read_frame,
                         report=lambda line: None, show_progress=False)
    return ([frame.tolist() for frame in maps[sequences[0].folder]],
            [read_frame(path).tolist() for path in sequences[0].frames])


def loss_log_resumed(folder, text):
    """folder/losses.csv of text resumed at iteration 2, a row of iteration 3 added and the file written back: its rows
    as csv reads them. text: bytes are written as they are (another encoding than UTF-8)."""
    import csv
    from training.loss_log import LossLog
    path = os.path.join(folder, "losses.csv")
    with open(path, "wb") as file:
        file.write(text if isinstance(text, bytes) else text.encode("utf-8"))
    log = LossLog(str(folder), 2)
    log.add(3, {"content_loss": 0.3})
    log.write(plot=False)
    with open(path, newline="") as file:
        return list(csv.reader(file))


def reds_training_sequence(tmp_path):
    """A REDS folder whose training set is sequence '000' (100 frames of 8x8) and a sequence list naming it, for
    reds.training_sequences: (root, the sequence's folder, the list's path)."""
    from training_data import make_reds_folder
    root = make_reds_folder(tmp_path / "REDS", train=("000",), val=(), height=8, width=8)
    (tmp_path / "list.txt").write_text("000\n")
    return root, os.path.join(root, "train", "train_sharp", "000"), str(tmp_path / "list.txt")


def stream_span(path, stream):
    """(first, end) in seconds of a stream of a media file ('0:v', '0:a') as it plays, from its decoded frames' times
    (framecrc: time base, then one line a frame of stream, dts, pts, duration; an MP4's edit list applied)."""
    from fractions import Fraction

    from utils.video_probe import ffmpeg_executable
    listed = subprocess.run([ffmpeg_executable(), "-v", "error", "-i", str(path), "-map", stream, "-f", "framecrc",
                             "-"], capture_output=True, text=True, check=True).stdout.splitlines()
    base = Fraction(next(line for line in listed if line.startswith("#tb")).split(":")[1].strip())
    packets = [[int(field) for field in line.split(",")[1:4]] for line in listed if line and line[0] != "#"]
    return float(packets[0][1] * base), float((packets[-1][1] + packets[-1][2]) * base)


def hdf5_opens(monkeypatch):
    """The paths h5py opens from now on (every opener of the project goes through h5py.File), in order: a list that
    grows as files are opened. A subclass, so that h5py's own isinstance checks still hold."""
    import h5py
    opened = []

    class CountedFile(h5py.File):
        def __init__(self, name, *args, **kwargs):
            opened.append(os.fspath(name) if isinstance(name, (str, bytes, os.PathLike)) else name)
            super().__init__(name, *args, **kwargs)

    monkeypatch.setattr(h5py, "File", CountedFile)
    return opened


def with_exif_thumbnail(picture, thumbnail):
    """A JPEG as a camera writes it: an APP1 (Exif) segment after its start, holding a small JPEG of its own."""
    import struct
    payload = b"Exif\0\0" + b"MM\0*\0\0\0\x08" + b"\0" * 6 + thumbnail
    return picture[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + picture[2:]


def bit_fields_bmp(rgb, bits, masks, header=40):
    """The bytes of a BMP of rgb (a (height, width, 3) uint8 array) in pixels of `bits` (16 or 32) by bit fields
    (compression 3) of masks (red, green, blue), each colour's top bits at its mask's place, rows bottom-up; the masks
    after a 40-byte header, inside a larger one (V2 to V5)."""
    import struct

    import numpy as np
    height, width = rgb.shape[:2]
    pixels = np.zeros((height, width), np.uint64)
    for colour, mask in enumerate(masks):
        shift, depth = (mask & -mask).bit_length() - 1, bin(mask).count("1")
        pixels |= ((rgb[..., colour].astype(np.uint64) << np.uint64(max(depth - 8, 0))) >> np.uint64(max(8 - depth, 0))
                   << np.uint64(shift))
    row_bytes = (width * bits // 8 + 3) // 4 * 4
    rows = b"".join(b"".join(int(pixel).to_bytes(bits // 8, "little") for pixel in row).ljust(row_bytes, b"\0")
                    for row in pixels[::-1])
    info = struct.pack("<IiiHHIIiiII", header, width, height, 1, bits, 3, len(rows), 2835, 2835, 0, 0)
    masks_bytes = struct.pack("<III", *masks)
    info += masks_bytes if header == 40 else masks_bytes.ljust(header - 40, b"\0")
    offset = 14 + len(info)
    return b"BM" + struct.pack("<IHHI", offset + len(rows), 0, 0, offset) + info + rows


def run_length_bmp(indices, per_byte=1):
    """The bytes of a BMP of palette indices (a (height, width) array of 0..15) packed as Windows' RLE8 (per_byte 1) or
    RLE4 (2 pixels a byte): each row's first three pixels as they are (absolute mode), the rest in runs, a row's end
    code after each row and the picture's end code last, as Paint and GIMP write them."""
    import struct

    def packed(values):
        values = [int(value) for value in values]
        if per_byte == 2:
            values = [high << 4 | low for high, low in zip(values[::2], values[1::2] + [0])]
        return bytes(values) + b"\0" * (len(values) % 2)

    body = bytearray()
    for row in indices[::-1]:  # bottom-up
        body += b"\0\3" + packed(row[:3])
        position = 3
        while position < len(row):
            run = 1
            while position + run < len(row) and row[position + run] == row[position] and run < 255:
                run += 1
            body += bytes([run, row[position] * (17 if per_byte == 2 else 1)])
            position += run
        body += b"\0\0"
    body += b"\0\1"
    palette = b"".join(bytes([17 * index, 255 - 17 * index, 8 * index, 0]) for index in range(16))
    offset = 14 + 40 + len(palette)
    height, width = indices.shape
    return (b"BM" + struct.pack("<IHHI", offset + len(body), 0, 0, offset)
            + struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8 // per_byte, per_byte, len(body), 0, 0, 16, 0)
            + palette + bytes(body))


def click_after_writing(source, output, start=0.0, frames=30):
    """The time in output (a video of `frames` black 32x24 frames at 10 a second, written with source's audio from
    start, in seconds) of the click source's audio holds: its audio stream's start plus the first sample past 0.3."""
    import numpy as np

    from utils.video_io import FfmpegVideoWriter, VideoSource
    from utils.video_probe import ffmpeg_executable
    writer = FfmpegVideoWriter(output, 10, 32, 24, VideoSource(source, start, frames / 10 if start else None))
    for _ in range(frames):
        writer.write(np.zeros((24, 32, 3), np.uint8))
    writer.close()
    samples = np.frombuffer(subprocess.run([ffmpeg_executable(), "-v", "error", "-i", output, "-map", "0:a", "-f",
                                            "f32le", "-ac", "1", "-ar", "8000", "-"], capture_output=True,
                                           check=True).stdout, np.float32)
    return stream_span(output, "0:a")[0] + np.argmax(np.abs(samples) > 0.3) / 8000


def video_of_two_sizes(path, first="32x24", then="48x32", frames=4, formats=(), b_frames=0):
    """A video (H.264, container by path's extension) whose frame size changes after `frames` frames at 10 a second:
    two recordings' streams joined, as a broadcast's MPEG-TS changes its size; returns path. formats: the two
    recordings' pixel formats (x264's choice without); b_frames: x264's -bf."""
    from utils.video_probe import ffmpeg_executable
    streams = []
    for index, size in enumerate((first, then)):
        streams.append(f"{path}.{index}.h264")
        subprocess.run([ffmpeg_executable(), "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size={size}:rate=10",
                        "-frames:v", str(frames), *(["-pix_fmt", formats[index]] if formats else []), "-c:v",
                        "libx264", "-bf", str(b_frames), streams[-1]], check=True)
    with open(f"{path}.h264", "wb") as joined:
        for stream in streams:
            with open(stream, "rb") as part:
                joined.write(part.read())
    subprocess.run([ffmpeg_executable(), "-v", "error", "-y", "-fflags", "+genpts", "-r", "10", "-i", f"{path}.h264",
                    "-c", "copy", str(path)], check=True)
    return str(path)


def written_into_a_held_folder(folder, picture):
    """write_bytes of picture (a path under folder) while train.py's output folder folder is held (held_folder, its
    changes said by the loss log's another_folder), refused: (picture, pytest's ExceptionInfo of the UserError)."""
    import pytest

    from training.loss_log import another_folder
    from utils.atomic_files import held_folder, write_bytes
    from utils.errors import UserError
    from utils.paths import file_identity
    with held_folder(str(folder), file_identity(str(folder)), lambda path: another_folder(str(folder), path)):
        with pytest.raises(UserError) as error:
            write_bytes(str(picture), b"picture")
    return picture, error


def video_after_its_cover(folder, subtitles=False):
    """An MP4 of 10 frames of 32x24 whose cover picture (64x64, an attached picture) FFmpeg lists as its first video
    stream: the moov box's udta (which holds the cover) moved before its trak, as some taggers write it; with a track
    of mov_text subtitles (an iTunes film's) where `subtitles`; the path."""
    import struct

    from utils.containers import quicktime_boxes
    from utils.video_probe import ffmpeg_executable
    clip, cover = ffmpeg_video(folder / "clip.mp4", frames=10, size="32x24"), folder / "cover.png"
    subprocess.run([ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", "color=red:size=64x64", "-frames:v", "1",
                    str(cover)], check=True)
    covered, path, text = folder / "covered.mp4", folder / "cover_first.mp4", folder / "lines.srt"
    text.write_text("1\n00:00:00,000 --> 00:00:00,500\nhello\n")
    subprocess.run([ffmpeg_executable(), "-v", "error", "-i", clip, "-i", str(cover), *(
        ["-i", str(text)] if subtitles else []), "-map", "0", "-map", "1", *(["-map", "2"] if subtitles else []), "-c",
                    "copy", "-c:s", "mov_text", "-disposition:v:1", "attached_pic", str(covered)], check=True)
    data = covered.read_bytes()
    (start, end), = quicktime_boxes(data, b"moov")  # after the mdat: the chunks' offsets stay
    children = []
    while start < end:
        size = struct.unpack(">I", data[start:start + 4])[0]
        children.append(data[start:start + size])
        start += size
    children.sort(key=lambda box: box[4:8] != b"udta")
    path.write_bytes(data[:start - sum(map(len, children))] + b"".join(children) + data[end:])
    return str(path)


def screen_recording(folder):
    """A screen recording's MKV: 20 frames of 16x16 (its header's rate 10 fps), 10 about 33 ms apart, jittering, a pause
    of 10 s, then 10 more; the path."""
    from utils.video_probe import ffmpeg_executable
    source, path = ffmpeg_video(folder / "shots.mkv", "-c:v", "libx264", frames=20, size="16x16"), folder / "screen.mkv"
    subprocess.run([ffmpeg_executable(), "-v", "error", "-i", source, "-c", "copy", "-bsf:v",
                    r"setts=ts=if(lt(N\,10)\,N*33+mod(N*7\,11)\,10000+N*33+mod(N*7\,11))", str(path)], check=True)
    return str(path)
