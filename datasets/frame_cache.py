"""The decoded-frame cache (data.cache_dir): each training sequence's frames decoded once into an uint8
array file on local disk, memory-mapped by every loader thread, process and later run, so that a sample
costs its crop instead of rnn_n whole-frame PNG decodes.

    <cache_dir>/<sequence>-<hash of its folder>/frames.npy    (frames, height, width, 3) uint8 RGB
                                               /sources.json  the frames it was decoded from: name, size,
                                               mtime, ctime, inode

An entry is used only while sources.json matches the frame files now (name, size in bytes, modification
and status-change times in nanoseconds, and inode of each; contents are not hashed). The status-change
time is the system's: a rename or a rewrite sets it, and no program sets it back, so frames of one size and one
modification time (unpacked from one zip) swapped by renaming, or a frame copied over with its times kept,
are seen; a chmod also sets it, and decodes the sequence again. The inode is the file a name (or a link)
leads to: links to such frames pointed at each other's are seen, though their status-change times, set within
one tick of the system's clock, may be one. Otherwise it is decoded again into a hidden
staging folder that is renamed into place only when whole (utils.atomic_files.commit_folder): a killed or failed
build (a full disk) leaves nothing that is read.
One process builds at a time (a lock file); the others wait for it and then find the entries valid.
"""
import errno
import fcntl
import hashlib
import json
import math
import os
import re
import shutil
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
from tqdm import tqdm

from datasets.sequences import of_its_size
from utils.atomic_files import commit_folder
from utils.errors import UserError, counted, size_said
from utils.image_io import unreadable_image
from utils.paths import inodes_used_up, no_space, output_folder, taken_by_other_than_folder

FRAMES_FILE, SOURCES_FILE = "frames.npy", "sources.json"
LOCK_FILE = ".build.lock"
STAGING_SUFFIX = ".building"
# what a build's staging folder is named: an entry's name (entry_folder) and the suffix; only these are removed
# as a killed build's leftovers, so that a folder of the user's in data.cache_dir never is
STAGING_NAME = re.compile(r".*-[0-9a-f]{12}" + re.escape(STAGING_SUFFIX))
FORMAT_VERSION = 1  # raise when the entry format changes, so that old entries are rebuilt


ENTRY_NAME_LENGTH = 100  # characters of a sequence's name in its entry's: with the hash and the staging suffix, a
# folder name of 255 bytes (the common limit) would not fit a sequence named by a whole folder name or two


def entry_folder(cache_dir, sequence):
    """Where a sequence's entry lives: its name (readable, cut short) and a hash of its absolute folder
    (unique)."""
    # fsencode: a folder named by bytes that are not UTF-8 (read as surrogates) was a UnicodeEncodeError's traceback
    digest = hashlib.sha1(os.fsencode(os.path.abspath(sequence.folder))).hexdigest()[:12]
    readable = re.sub(r'[^A-Za-z0-9_.-]', '_', sequence.name)[:ENTRY_NAME_LENGTH]
    return os.path.join(cache_dir, f"{readable}-{digest}")


def source_record(sequence, height, width):
    """What an entry must have been decoded from to be valid now. UserError for a frame gone since the sequence was
    listed: a run waiting for another's build (build_lock) while a frame was removed, or its sequence moved, ended in
    FileNotFoundError's traceback."""
    frames = []
    for path in sequence.frames:
        try:
            stat = os.stat(path)
        except OSError as error:
            raise unreadable_image(path, error) from None
        # ctime: frames swapped by renaming kept their sizes and modification times (those of one zip's members), and
        # their entry was trained on in the old order, exit code 0; inode: links to such frames pointed at each
        # other's (their status-change times one, set within a tick of the clock) were not seen so. Not the device,
        # which a network or removable disk may be given anew at each mount: all would be decoded again
        frames.append([os.path.basename(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino])
    return {"version": FORMAT_VERSION, "folder": os.path.abspath(sequence.folder),
            "shape": [len(sequence.frames), height, width, 3], "frames": frames}


def is_valid(entry, record):
    """The entry was decoded from the frames of record, and its array file is whole: one cut short or replaced
    (a copy of the cache folder broken off, a disk error) is decoded again rather than read."""
    sources, frames_file = os.path.join(entry, SOURCES_FILE), os.path.join(entry, FRAMES_FILE)
    if not (os.path.isfile(sources) and os.path.isfile(frames_file)):  # a pipe would wait for a writer without end
        return False
    try:
        with open(sources, encoding="utf-8") as file:
            if json.load(file) != record:
                return False
        frames = np.load(frames_file, mmap_mode="r")
    except (OSError, ValueError, EOFError, RecursionError):  # RecursionError: JSON arrays nested thousands deep
        return False
    return frames.dtype == np.uint8 and list(frames.shape) == record["shape"]


@contextmanager
def build_lock(cache_dir, report):
    """Hold the cache's build lock; say so when another process holds it and wait for it."""
    path = os.path.join(cache_dir, LOCK_FILE)
    if os.path.lexists(path) and not os.path.isfile(path):  # a folder: a traceback; a pipe: cannot seek
        raise UserError(f"'{path}' is not a file, and the frame cache's lock goes there; move it, or choose "
                        "another data.cache_dir")
    try:
        lock = open(path, "a+")
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):  # no inode left for it: OSError's traceback
            raise no_space(path) from None
        raise
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            report(f"frame cache: waiting for another process building '{cache_dir}'")
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not is_the_file_at(lock, path):  # removed or moved while this run waited: FileNotFoundError's traceback
                raise UserError(f"frame cache folder '{cache_dir}', or its lock, was removed or moved while this run "
                                "waited for another's build; run the same command again (it decodes the frames anew)")
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def is_the_file_at(file, path):
    """Whether the open file is the one path names now."""
    try:
        named = os.stat(path)
    except OSError:
        return False
    held = os.fstat(file.fileno())
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def write_entry(staging, sequence, record, read_frame, progress):
    """Decode a sequence's frames into staging/frames.npy (the whole size reserved first, so that a full disk
    fails at once) and record their sources."""
    os.makedirs(staging)
    shape = tuple(record["shape"])
    with open(os.path.join(staging, FRAMES_FILE), "wb") as file:
        np.lib.format.write_array_header_1_0(file, {"descr": "|u1", "fortran_order": False, "shape": shape})
        os.posix_fallocate(file.fileno(), 0, file.tell() + int(np.prod(shape)))
        for path in sequence.frames:
            # one rewritten at another size since frame_size read it: its rows were written across the next frames'
            file.write(np.ascontiguousarray(of_its_size(read_frame(path), path, shape[1:3])).tobytes())
            progress.update()
    with open(os.path.join(staging, SOURCES_FILE), "w", encoding="utf-8") as file:
        json.dump(record, file)


def cached_frames(sequences, sizes, cache_dir, read_frame, report=print, show_progress=True):
    """{sequence folder: read-only memory map (frames, height, width, 3) uint8} of each sequence, decoding
    with read_frame(path) -> (height, width, 3) uint8 RGB the ones whose entry is missing or stale.
    sizes: (height, width) of each sequence's frames."""
    output_folder(cache_dir, "frame cache folder (data.cache_dir)")
    os.makedirs(cache_dir, exist_ok=True)
    entries = [entry_folder(cache_dir, sequence) for sequence in sequences]
    with build_lock(cache_dir, report):
        for name in os.listdir(cache_dir):
            if STAGING_NAME.fullmatch(name):  # left by a killed build: no process is writing it now
                shutil.rmtree(os.path.join(cache_dir, name), ignore_errors=True)
        records = [source_record(sequence, *size) for sequence, size in zip(sequences, sizes)]
        stale = [(sequence, entry, record) for sequence, entry, record in zip(sequences, entries, records)
                 if not is_valid(entry, record)]
        for sequence, entry, _ in stale:  # replaced by renaming once decoded: refused before the work
            for path in (entry, entry + STAGING_SUFFIX):
                if taken_by_other_than_folder(path):
                    raise UserError(f"'{path}' is not a plain folder, where the frame cache of sequence "
                                    f"'{sequence.name}' goes; move it, or choose another data.cache_dir")
        if stale:
            build(cache_dir, stale, read_frame, report, show_progress)
    return EntryMaps({sequence.folder: (entry, tuple(record["shape"]))
                      for sequence, entry, record in zip(sequences, entries, records)})


OPEN_MAPS = 64  # entries EntryMaps keeps mapped at once


class EntryMaps:
    """{sequence folder: read-only memory map (frames, height, width, 3) uint8} of the cache's entries, each mapped when
    indexed, at most OPEN_MAPS at once (the least recently used let go; a sample's views keep theirs): a map holds a
    file descriptor and one of the kernel's map areas, and a map of every sequence at once passed the usual limit of
    open files (1024) with a thousand sequences, and the kernel's limit of maps (65530) with Vimeo-90K's 64,612: a
    traceback."""

    def __init__(self, entries):
        self.entries = entries  # {sequence folder: (entry folder, shape of its frames)}
        self.mapped = lru_cache(maxsize=OPEN_MAPS)(self.open_entry)

    def __getitem__(self, folder):
        return self.mapped(folder)

    def open_entry(self, folder):
        entry, shape = self.entries[folder]
        path = os.path.join(entry, FRAMES_FILE)
        try:
            # a pipe put in its place would wait for a writer
            frames = np.load(path, mmap_mode="r") if os.path.isfile(path) else None
        except (OSError, ValueError, EOFError):  # EOFError: cut short to its header
            frames = None
        if not isinstance(frames, np.ndarray) or frames.shape != shape:  # rebuilt meanwhile by a run on changed frames
            raise UserError(f"frame cache entry '{path}' is gone or no longer holds the {'x'.join(map(str, shape))} "
                            "frames it held when training started: it was removed, or rebuilt by another run, while "
                            "training read it; run the same command again to resume (it decodes the frames anew)")
        return frames


def build(cache_dir, stale, read_frame, report, show_progress):
    """Decode the (sequence, entry folder, source record) of stale into their entries."""
    needed = sum(int(np.prod(record["shape"])) for _, _, record in stale)
    free = shutil.disk_usage(cache_dir).free
    # the room rounded down only past the need: rounded down where the need fits, "decoding ... 0.94 GB ... (0.93 GB
    # free)" went on to decode
    report(f"frame cache: decoding {counted(len(stale), 'sequence')}, {size_said(needed, math.ceil)}, into "
           f"'{cache_dir}' ({size_said(free, math.floor if needed > free else math.ceil)} free)")
    full_disk = (
        f"the disk of frame cache folder '{cache_dir}' is full: decoding {counted(len(stale), 'sequence')} needs "
        f"{size_said(needed, math.ceil)}; free space or set data.cache_dir to a folder on a larger local disk "
        "(nothing half-written is kept; the next run decodes again)")
    if needed > free:
        raise UserError(full_disk)
    with tqdm(total=sum(len(sequence.frames) for sequence, _, _ in stale), unit="frame", desc="frame cache",
              disable=not show_progress, dynamic_ncols=True) as progress:
        for sequence, entry, record in stale:
            staging = entry + STAGING_SUFFIX
            try:
                write_entry(staging, sequence, record, read_frame, progress)
                commit_folder(staging, entry)
            except OSError as error:
                if error.errno in (errno.ENOSPC, errno.EDQUOT):
                    # bytes free but no inode left: "is full" sent the user to df -h, which showed room
                    raise no_space(entry) if inodes_used_up(entry) else UserError(full_disk)
                if error.errno == errno.EFBIG:  # its reservation: OSError's traceback
                    raise UserError(f"the frame cache of sequence '{sequence.name}' takes "
                                    f"{size_said(int(np.prod(record['shape'])), math.ceil)} in one file, more than "
                                    f"this process may write (ulimit -f) or the file system of '{cache_dir}' holds "
                                    "(FAT32: 4 GB); raise the limit, or set data.cache_dir to a folder on another disk")
                if isinstance(error, PermissionError):  # an entry of another user's, in a shared cache folder
                    raise UserError(f"cannot replace the out-of-date frame cache entry '{entry}' "
                                    f"({error.strerror}); delete it, or set data.cache_dir to a folder of your own")
                raise
            finally:
                shutil.rmtree(staging, ignore_errors=True)
