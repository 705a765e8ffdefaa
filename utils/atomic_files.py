"""Writing files atomically: the one way every output is written (a temporary beside the target, renamed
over it in a held folder), its temporaries cleaned after a kill, a full disk told in one line."""
import errno
import os
import re
import shutil
from contextlib import contextmanager, suppress

from utils.errors import FULL_DISK_BYTES, UserError, shortened
from utils.paths import NAME_MAX, file_on_the_way, inodes_used_up, no_space, not_a_file, process_alive


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
        # past `ulimit -f` (Python ignores SIGXFSZ); HDF5's close after the failed write replaced the OSError by a
        # RuntimeError whose message alone holds the errno, a traceback where a file's end fell past the limit
        if errno.EFBIG in error_numbers(error):
            raise too_large(path) from None
        if getattr(error, "errno", None) in NOT_WRITABLE or getattr(error, "filename", None) == staged.temporary:
            raise folder_changed(path, error) or error from None
        if getattr(error, "errno", None) in (errno.ENOENT, errno.ENOTDIR) and not os.path.isdir(
                os.path.dirname(path) or os.curdir):  # h5py's error names no file: its folder gone, said so
            raise folder_changed(path, error) from None
        raise
    finally:
        staged.discard()


NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)


def too_large(path):
    """The UserError for a write of path that failed with EFBIG: past `ulimit -f` (Python ignores SIGXFSZ)."""
    return UserError(f"cannot write '{path}': it is larger than this process may write (ulimit -f) or the file system "
                     "holds; raise the limit or choose another folder")


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
