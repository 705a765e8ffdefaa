"""Checks of the paths a user passes: each says what is wrong with it (missing, a folder, a file, unreadable,
unwritable) and what to do, as one UserError, before any work starts."""
import errno
import fcntl
import hashlib
import os
import re
import shutil
import stat
import time
from contextlib import contextmanager, nullcontext, suppress

from utils.errors import FULL_DISK_BYTES, UserError, error_reason, shortened

LOCK_NAME = ".tecogan.lock"  # inside an output folder, locked by the run writing into it
NAME_MAX = 255  # bytes in a file name on Linux's file systems (ext4, XFS, Btrfs, tmpfs)
LOCK_SIZE = 32  # bytes of a lock file read at most: a pid and its newline
HOLDER_WAIT = 1.0  # seconds a refusal waits for a lock file to name its live holder (lock_holder)
SCRATCH_MARK = ".tecogan_scratch"  # inside a folder a program made for itself and empties again
SCRATCH_ROUNDS = 5  # listings of a scratch folder deleted while another process writes into it (_delete_scratch)
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The demo model shipped with the code; `make demo-model` re-creates it from recipes/demo_*.yaml.
BUNDLED_MODEL = os.path.join(REPO_ROOT, "pretrained", "tecogan_demo_bigbuckbunny.h5")
# Its x2 sibling (FRVSR), re-created by `make demo-model-x2` from recipes/demo_x2_frvsr.yaml.
BUNDLED_X2_MODEL = os.path.join(REPO_ROOT, "pretrained", "frvsr_x2_demo_bigbuckbunny.h5")


def _advice(hint):
    return f"; {hint}" if hint else ""


def existing_parent(path):
    """The nearest ancestor of path that exists (path itself if it exists), read as the system reads the path (made
    absolute by absolute: after 'lnk/..' the folder above lnk's target)."""
    current = absolute(path)
    while not os.path.exists(current):
        current = os.path.dirname(current)
    return current


def _ways(path):
    """The paths the system goes through to reach path, one part more each, as it reads them: a '..' is taken from
    the part before it, a link's target or a file, not dropped with it as os.path.normpath does."""
    parts = path.split(os.sep)
    return [os.sep.join(parts[:count]) or os.sep for count in range(1, len(parts) + 1)]


def file_on_the_way(folder):
    """The first of the folders the path folder goes through, read as the system reads it (a file before a '..', as in
    'notes.txt/../x', is one: the system does not go up from a file), that is a file or another non-folder, or None."""
    for way in _ways(folder):
        if not os.path.exists(way):
            return None
        if not os.path.isdir(way):
            return way
    return None


def absolute(path):
    """path made absolute as the system reads it: os.path.abspath drops 'lnk/..' as text, where the system goes up
    from lnk's target (another folder than the one checked)."""
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)


def is_within(path, folder):
    """Whether path is folder or lies under it, links resolved."""
    inside = os.path.relpath(os.path.realpath(path), os.path.realpath(folder))
    return inside != os.pardir and not inside.startswith(os.pardir + os.sep)


def taken_by_other_than_folder(path):
    """Whether something other than a plain folder (a file, a pipe, a link, a link to nothing) is at path, where a
    folder is to be made or replaced by renaming: the rename would fail after the work that filled it."""
    return os.path.lexists(path) and (os.path.islink(path) or not os.path.isdir(path))


def _dangling_link(path):
    """The first of the folders path goes through, and path, that is a symbolic link to nothing (or in a loop of links),
    or None; read as the system reads path: a link before a '..' ('lnk/../x') is gone through, not dropped."""
    for way in _ways(absolute(path)):
        if not os.path.exists(way):
            return way if os.path.islink(way) else None
    return None


def _no_link_to_nothing(path, role, folder=None):
    """UserError where the folder path (or folder, the one path is written into) goes through a symbolic link to
    nothing or in a loop: creating or writing into it fails."""
    link = _dangling_link(folder or path)
    if link and _in_a_loop(link):  # was said to be a link to the next link of the loop, "which does not exist"
        raise UserError(f"{role} '{path}': '{link}' is a symbolic link in a loop of links (to '{os.readlink(link)}'), "
                        "which leads to no folder; remove the link, or choose another path")
    if link:  # creating the folder would fail on it (FileExistsError)
        raise UserError(f"{role} '{path}': '{link}' is a symbolic link to '{os.readlink(link)}', which does not "
                        "exist (a disk not mounted?); create that folder, or choose another path")


def _in_a_loop(link):
    """Whether following the symbolic link goes round a loop of links (ELOOP), not to a missing name."""
    try:
        os.stat(link)
    except OSError as error:
        return error.errno == errno.ELOOP
    return False


def _existing(path, role, hint, folder, regular=False):
    """path if it exists as the kind wanted (a folder whose entries can be listed, or a readable file; a regular
    file, not a pipe or device, where regular is set)."""
    wanted, other = ("folder", "file") if folder else ("file", "folder")
    if os.path.exists(path) and os.path.isdir(path) != folder:
        raise UserError(f"{role} '{path}' is a {other}, not a {wanted}{_advice(hint)}")
    if not os.path.exists(path):
        raise UserError(f"{role} '{path}' does not exist{_advice(hint)}")
    if regular and not os.path.isfile(path):
        raise UserError(f"{role} '{path}' is a pipe or device, not a file{_advice(hint)}")
    if not os.access(path, os.R_OK | (os.X_OK if folder else 0)):
        action = "listed" if folder else "read"
        raise UserError(f"{role} '{path}' cannot be {action} (permission denied); check its permissions")
    return path


def input_file(path, role, hint="", regular=False):
    """path if it is a readable file; else a UserError naming role ("weights file", "--cfg", ...). regular: for
    readers that seek (HDF5, zip), which would wait without end on a pipe for a writer: a pipe or device is
    refused too."""
    return _existing(path, role, hint, folder=False, regular=regular)


def file_identity(path, folder=None):
    """The (device, inode) of the file at path (relative to the folder of the descriptor folder, where given),
    following links; None where there is none (training's output folder, checked at each write; a data folder's
    sequence folders, each used once)."""
    try:
        status = os.stat(path, dir_fd=folder)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def input_folder(path, role, hint=""):
    """path if it is a folder whose entries can be listed; else a UserError naming role."""
    return _existing(path, role, hint, folder=True)


def output_file(path, role, extensions=(), example="video"):
    """path if a file can be written there (created or replaced); nothing is created. extensions: allowed
    endings such as (".h5",), compared case-insensitively; example: a name the line of a path of no name before its
    extension suggests (a converter's '.h5' was told "give a name such as 'video.h5'", a weight file named a video)."""
    ending = f" ending in {extensions[0]}" if extensions else ""
    if not path:  # an unset variable's: "'' is a folder" (the working one, os.path's) named none the user gave
        raise UserError(f"{role} is empty; give a file name{ending}")
    if os.path.isdir(path):
        raise UserError(f"{role} '{path}' is a folder; give a file name inside it")
    # a folder not there ('x.h5/', 'x.h5/.'): "'x.h5/' must end in .h5", of a path that shows '.h5' (without
    # extensions, "the folder of 'x/' does not exist; create it", then "is a folder")
    if os.path.basename(path) in ("", os.curdir, os.pardir):
        raise UserError(f"{role} '{path}' names a folder, not a file; give a file name{ending}")
    name = os.path.basename(path).lower()
    # '.mp4' is all extension, no name; '..mp4' a dot (and no extension to splitext)
    if extensions and any(name.endswith(extension) and not name[:-len(extension)].strip(".")
                          for extension in extensions):
        raise UserError(f"{role} '{path}' has no name before its extension; give a name such as "
                        f"'{example}{extensions[0]}'")
    if extensions and os.path.splitext(path)[1].lower() not in extensions:
        raise UserError(f"{role} '{path}' must end in {' or '.join(extensions)}")
    # the folder as the system reads the path, not os.path.abspath's (which drops 'lnk/..' as text)
    folder = os.path.dirname(path) or os.curdir
    if not os.path.isdir(folder):
        if blocking := file_on_the_way(folder):
            raise UserError(f"{role} '{path}' is under '{blocking}', which is a file; choose another path")
        # a link to nothing (or in a loop) before a '..': "create it" cannot help
        _no_link_to_nothing(path, role, folder)
        raise UserError(f"the folder of {role} '{path}' does not exist; create it or choose another path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"the folder of {role} '{path}' is not writable; choose another path")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise UserError(f"{role} '{path}' exists and is read-only; give it write permission, or choose another "
                        "path")
    return path


def not_an_input(path, role, inputs):
    """path unless it is the same file as one of inputs ((role, path) pairs; a missing or empty path is none),
    also through another spelling, a hard link or a symbolic link: writing it would destroy that input."""
    for input_role, input_path in inputs:
        if input_path and os.path.exists(path) and os.path.exists(input_path) and os.path.samefile(
                path, input_path):
            raise UserError(
                f"{role} '{path}' is the same file or folder as {input_role} '{input_path}'; writing "
                "there would destroy that input: choose another path")
    return path


def on_a_read_only_mount(path):
    """Whether path is on a file system mounted read-only (a bind mount, a CD-ROM's, a snapshot's), where "give it
    write permission" cannot help; False where that cannot be told."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def output_folder(path, role):
    """path if it is, or can be created as, a writable folder; nothing is created (create it after every
    other check has passed, so that a refused run leaves nothing behind)."""
    if not path:
        raise UserError(f"{role} is empty; give a folder")
    if os.path.exists(path) and not os.path.isdir(path):
        what = "a file" if os.path.isfile(path) else "a pipe or device"  # a FIFO (mkfifo) is no file to the user
        raise UserError(f"{role} '{path}' is {what}, not a folder; choose another path")
    _no_link_to_nothing(path, role)
    parent = existing_parent(path)
    # a file before a '..' (notes.txt/../out): making the folder failed
    blocking = parent if not os.path.isdir(parent) else file_on_the_way(path)
    if blocking:
        raise UserError(f"{role} '{path}' is under '{blocking}', which is a file; choose another path")
    if not os.access(parent, os.W_OK | os.X_OK):
        if os.path.isdir(path) and on_a_read_only_mount(path):  # no permission makes it writable
            raise UserError(f"{role} '{path}' is on a read-only file system; choose another path")
        if os.path.isdir(path):  # the folder itself (validation/ made read-only): its permissions the fix
            raise UserError(f"{role} '{path}' is not writable; give it write permission, or choose another path")
        raise UserError(
            f"{role} '{path}' cannot be written ('{parent}' is not writable); choose another path")
    if os.path.isdir(path) and not os.access(path, os.R_OK):  # a drop box: a run lists what an earlier one left
        raise UserError(f"{role} '{path}' can be written but not listed (no read permission); give it read "
                        "permission or choose another path")
    # a folder to create whose name the file system refuses: os.makedirs would fail with ENAMETOOLONG
    name_max = os.pathconf(parent, "PC_NAME_MAX")
    too_long = [name for name in os.path.relpath(os.path.abspath(path), parent).split(os.sep)
                if len(os.fsencode(name)) > name_max]
    if too_long:
        raise UserError(f"{role} '{shortened(path, 80)}' holds a folder name of {len(os.fsencode(too_long[0]))} "
                        f"bytes, more than the {name_max} its file system allows; choose a shorter one")
    # and a path the file system refuses whole (ENAMETOOLONG), with room for one longest name written inside it
    path_max, length = os.pathconf(parent, "PC_PATH_MAX"), len(os.fsencode(os.path.abspath(path)))
    if length + 1 + name_max >= path_max:
        raise UserError(f"{role} '{shortened(path, 80)}' is a path of {length} bytes, too long for the names written "
                        f"inside it ({path_max} at most on its file system); choose a shorter one")
    return path


def remove_if_empty(folder):
    """Remove folder if nothing is in it (a run that made it and then wrote nothing leaves nothing behind)."""
    with suppress(OSError):  # not empty
        os.rmdir(folder)


def partial_path(destination):
    """The stable name a download grows under until it is whole (stable, so a re-run can resume it)."""
    directory, name = os.path.split(destination)
    return os.path.join(directory, f".{name}.part")


def missing_folders(path):
    """The folders os.makedirs(path) would make, outermost first: a run that made them and failed removes each
    one left empty, deepest first (path alone left a new parent folder behind). Not normalised: os.makedirs makes
    `new` for `new/../x` too (normpath's `x` alone left it behind); a `.` or `..` is no folder of its own. A folder
    after a `..` may be there once the folders before it are made (make_folder makes them one by one)."""
    missing, folder = [], path
    while folder and not os.path.lexists(folder):
        folder = folder.rstrip(os.sep) or os.sep
        if os.path.basename(folder) not in (os.curdir, os.pardir):
            missing.insert(0, folder)
        folder = os.path.dirname(folder)
    return missing


def make_folder(path, claim):
    """os.makedirs(path), and when claim (an ExitStack) closes, the removal of each folder made here that is then
    empty. Made one by one, outermost first, so that only those made here are removed: through a missing folder and
    `..` (new/../results), the user's own empty results is there once new is made, and a failed run removed it."""
    with room_to_create():
        for folder in missing_folders(path):
            try:
                os.mkdir(folder)
            except FileExistsError:
                continue
            claim.callback(remove_if_empty, folder)  # run last first: the deepest is removed first
        os.makedirs(path, exist_ok=True)


@contextmanager
def room_to_create():
    """The OSError of a folder or file made on a full disk, or one out of inodes (each takes an inode, and a folder a
    block on most file systems), as no_space's one line: it was a traceback."""
    try:
        yield
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT) and error.filename:
            raise no_space(error.filename) from None
        raise


def is_scratch_folder(folder):
    """Whether folder is a real folder (no link) holding the scratch mark as a regular file."""
    with suppress(OSError):
        return not os.path.islink(folder) and stat.S_ISREG(os.lstat(os.path.join(folder, SCRATCH_MARK)).st_mode)
    return False


def make_scratch_folder(path, hint):
    """A new empty folder at path, marked as one this program may empty again, after deleting what a killed run
    left there (a folder with the mark). A folder of the same name without the mark is the user's own: taken
    over only while empty, else UserError, and nothing in it is deleted; hint says what to do instead."""
    if taken_by_other_than_folder(path):
        kind = "a symbolic link" if os.path.islink(path) else "a file"
        raise UserError(f"'{path}' is {kind}, where a folder of this program's own goes; move it away, or {hint}")
    try:
        if is_scratch_folder(path):
            _delete_scratch(path)
        elif os.path.isdir(path) and os.listdir(path):
            raise UserError(f"'{path}' is a folder of files this program did not write (it lacks {SCRATCH_MARK}) "
                            f"and would be emptied; move it away, or {hint}")
        os.makedirs(path, exist_ok=True)
        os.close(os.open(os.path.join(path, SCRATCH_MARK), os.O_WRONLY | os.O_CREAT, 0o644))
    except OSError as error:
        raise UserError(f"cannot make the folder '{path}' ({error_reason(error)}); {hint}")


def remove_scratch_folder(path):
    """Delete path if it is a folder made by make_scratch_folder (it holds the mark); anything else stays."""
    if is_scratch_folder(path):
        with suppress(OSError):  # of its listing: the rest ignores errors, as a server's stop must not fail
            _delete_scratch(path, ignore_errors=True)


def _by_full_path(function, path, exc_info):
    """shutil.rmtree's onerror: its error raised naming the file by its full path. Its own named a file by its name
    alone: a job's folder made read-only left the next start refused with "cannot make the folder '.../jobs'
    ([Errno 13] Permission denied: 'result.mp4')", a file the user could not find."""
    error = exc_info[1]
    raise OSError(error.errno, error.strerror, path) from error


def _delete_scratch(path, ignore_errors=False):
    """Delete a folder made by make_scratch_folder, its mark last: a server killed while it deleted its jobs (a large
    job's frames take seconds, at its stop or start) left, where the mark came early in the folder's listing, the other
    jobs in a folder without the mark, and every later start was refused ("a folder of files this program did not
    write"). A file that comes or goes meanwhile is listed and deleted again, SCRATCH_ROUNDS times at most: a killed
    server's generate.py goes on writing its frames until its folder is gone, and the start that deleted it was refused
    ("cannot make the folder ... (No such file or directory: '.sr_0532.png...tmp.png'); choose another --work-dir").
    Where files stay (a stop ignores errors), the mark stays with them, for the next start; otherwise OSError, also
    where files still arrive after the last round (it returned in silence, the folder still there)."""
    failure = None
    for _ in range(SCRATCH_ROUNDS):
        with os.scandir(path) as entries:
            others = [entry.path for entry in entries if entry.name != SCRATCH_MARK]
        if not others:
            with suppress(OSError) if ignore_errors else nullcontext():
                os.remove(os.path.join(path, SCRATCH_MARK))
                os.rmdir(path)
            return
        failure = None
        for other in others:
            try:
                if os.path.isdir(other) and not os.path.islink(other):
                    shutil.rmtree(other, onerror=_by_full_path)
                else:
                    os.remove(other)
            except OSError as error:  # gone, or a file came into it: the next round lists it again
                failure = error
    if not ignore_errors:  # still files after the last round: a process goes on writing there
        raise failure or OSError("files keep arriving in it; stop what writes there")


@contextmanager
def lock_folder(path, role, name=LOCK_NAME, busy=None):
    """Hold a lock on the existing folder path while the block runs, so that a second run into it stops with
    one line naming the holder's pid. The lock file is removed on leaving; a process that dies (even by
    kill -9) releases its lock, and the file it leaves is taken over by the next run.

    name: the lock file's, another than LOCK_NAME for a lock of one output file in the folder (lock_output_file);
    busy: then the line of a second run, of the holder's pid."""
    lock_path = os.path.join(path, name)
    while True:
        read_only, existed = False, os.path.lexists(lock_path)
        try:
            # O_NOFOLLOW: a link of its name would have the pid written over the file it leads to; O_NONBLOCK: a
            # device in its place is not waited for
            descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
        except PermissionError as error:
            # another user's lock file (a shared folder): locked as well through a read-only descriptor, so that
            # their live run is named, and one they left (killed) taken over, not "Permission denied"
            try:
                descriptor = os.open(lock_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                if os.path.lexists(lock_path):  # a file of its name (mode 000, say) this user may not read either
                    raise UserError(f"{role} '{path}' holds a file named {name} that this user may not read or "
                                    "write, where a run's lock file goes; remove that file or choose another "
                                    "path") from None
                raise UserError(f"cannot create the lock file of {role} '{path}' ({error.strerror}); choose "
                                "another path") from None
            read_only = True
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise UserError(f"{role} '{path}' holds a symbolic link named {name}, where a run's lock file "
                                "goes; remove the link or choose another path") from None
            if error.errno in (errno.ENOSPC, errno.EDQUOT):  # a disk out of inodes (or full): said as writes say it
                raise no_space(lock_path) from None
            if error.errno in (errno.ENOENT, errno.ENOTDIR):  # "choose another path" named a path a run again takes
                raise UserError(f"cannot create the lock file of {role} '{path}' ({error.strerror}): the folder was "
                                "removed or moved as this run began (another run's removal of the folder it made, "
                                "left empty); run again") from None
            is_socket = error.errno == errno.ENXIO and stat.S_ISSOCK(os.stat(lock_path).st_mode)
            reason = "a socket is in its place" if is_socket else error.strerror
            raise UserError(f"cannot create the lock file of {role} '{path}' ({reason}); choose another path")
        # a pipe or a device node (mknod) would be taken as the lock, and removed at the end
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.close(descriptor)
            raise UserError(f"cannot create the lock file of {role} '{path}' (a pipe or device is in its place); "
                            "choose another path")
        # a file mounted there (mount --bind, a container's volume) is another file's name: its content would become
        # our pid, and the name cannot be removed
        if mounted_elsewhere(descriptor, path):
            os.close(descriptor)
            raise UserError(f"{role} '{path}' holds a file mounted at {name} (mount --bind), where a run's lock "
                            "file goes; unmount it or choose another path")
        lock = os.fdopen(descriptor, "r+")
        hard_link = UserError(f"{role} '{path}' holds a hard link named {name} (another name of a file), "
                              "where a run's lock file goes; remove that name or choose another path")
        # another name of a user's file: its content would become our pid
        linked = os.fstat(lock.fileno()).st_nlink > 1
        if read_only and not re.fullmatch(rb"\d*\n?", os.pread(lock.fileno(), LOCK_SIZE, 0)):
            lock.close()  # no run's lock file: a file of the user's own (read-only), or another user's, kept
            raise UserError(f"{role} '{path}' holds a file named {name} that this user may not write, where a run's "
                            "lock file goes; remove that file or choose another path")
        if linked and not re.fullmatch(rb"\d*\n?", os.pread(lock.fileno(), LOCK_SIZE, 0)):
            lock.close()
            raise hard_link
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            holder = lock_holder(lock_path)
            raise UserError(busy(holder) if busy else
                            f"{role} '{path}' is in use by another run (pid {holder}); wait for it to end, "
                            "stop it, or choose another folder")
        except OSError as error:  # a file system that gives no locks: a traceback
            lock.close()
            if not existed:  # made by this run: the folder is left as it was
                os.remove(lock_path)
            raise UserError(f"cannot lock {role} '{path}' ({error.strerror}): its file system gives no locks (an NFS "
                            "mount without its lock service), which keep a second run from writing over this one's "
                            "files; choose a folder on another disk") from None
        if os.path.exists(lock_path) and os.path.samestat(os.fstat(lock.fileno()), os.stat(lock_path)):
            if read_only:  # a killed run's of another user: replaced by a file of ours where the folder lets us
                try:
                    os.remove(lock_path)
                except OSError:  # a folder of the sticky bit (/tmp): held as it is, its pid not ours
                    break
                lock.close()
                continue
            if not linked:
                break
            # a killed run's lock file, and the folder copied by hard links since (cp -al, rsync --link-dest): this
            # name goes, the copy keeps its own, and a new file is locked
            try:
                os.remove(lock_path)
            except OSError:
                lock.close()
                raise hard_link from None
        lock.close()  # its holder removed the file between our open and our lock: lock the new one
    with suppress(OSError):  # a full disk: the lock holds without the pid, shown to other runs as unknown
        os.ftruncate(lock.fileno(), 0)
        os.write(lock.fileno(), f"{os.getpid()}\n".encode())
    try:
        yield lock_path
    finally:
        with suppress(OSError):  # one left (its folder made read-only meanwhile) is taken over by the next run
            # while locked, so that no run can hold a lock on a removed file; not another run's, made after a stop
            # signal removed this one (remove_lock_file)
            if os.path.samestat(os.fstat(lock.fileno()), os.stat(lock_path)):
                os.remove(lock_path)
        lock.close()


def remove_lock_file(lock_path):
    """Remove the file of a lock this process holds (lock_folder's lock_path) before the lock ends: mpirun kills its
    processes a moment after a stop signal, before their blocks end; the lock goes with the process."""
    with suppress(OSError):
        os.remove(lock_path)


def output_lock_name(name):
    """The name of the lock file of the output file name, beside it (lock_output_file)."""
    lock_name = f".{name}{LOCK_NAME}"
    if len(os.fsencode(lock_name)) > NAME_MAX:  # a name its temporary's (utils.atomic_files.temporary_path) still fits
        lock_name = f".{hashlib.sha1(os.fsencode(name)).hexdigest()}{LOCK_NAME}"
    return lock_name


def lock_output_file(path, role, advice="choose another name"):
    """lock_folder for one file a run writes (--output-video, demo.py's sr.mp4) into a folder other runs may write
    other files into: a second run writing the same file stops with one line, where both ran and the later rename
    replaced the other's file."""
    folder, name = os.path.split(path)
    folder = folder or os.curdir  # not os.path.abspath's: 'lnk/..' is the folder above lnk's target, as for the video
    return lock_folder(folder, f"the folder of {role}", name=output_lock_name(name),
                       busy=lambda holder: f"{role} '{path}' is being written by another run (pid {holder}); wait "
                                           f"for it to end, stop it, or {advice}")


def mount_id(descriptor):
    """The id of the mount the open file lies on (/proc/self/fdinfo), or None where /proc is not mounted."""
    with suppress(OSError, ValueError):
        with open(f"/proc/self/fdinfo/{descriptor}", encoding="ascii") as info:
            for line in info:
                if line.startswith("mnt_id:"):
                    return int(line.split()[1])
    return None


def mounted_elsewhere(descriptor, folder):
    """Whether the open file lies on another mount than folder: a file mounted over its name (bind mounts of one
    file system keep its device number, so os.stat cannot tell)."""
    try:  # O_PATH: a folder that may be written but not listed (mode 0333) is opened too
        folder_descriptor = os.open(folder, os.O_PATH | os.O_DIRECTORY)
    except OSError:  # gone meanwhile: the steps after say so
        return False
    try:
        folder_mount = mount_id(folder_descriptor)
    finally:
        os.close(folder_descriptor)
    file_mount = mount_id(descriptor)
    return None not in (file_mount, folder_mount) and file_mount != folder_mount


def lock_holder(lock_path):
    """The pid of the run holding lock_path's lock, as its file names it, or 'unknown' (written on a full disk). A run
    that has just locked a killed run's file writes its own pid a moment later, and one taking over a hard-linked
    file locks a new file of that name: the file is read again until it names a live process, HOLDER_WAIT at most."""
    deadline = time.monotonic() + HOLDER_WAIT
    while True:
        holder = ""
        with suppress(OSError):  # gone: its run ended, or is replacing a hard-linked file
            descriptor = os.open(lock_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            try:
                holder = os.pread(descriptor, LOCK_SIZE, 0).decode(errors="replace").strip()
            finally:
                os.close(descriptor)
        if (holder.isdecimal() and process_alive(int(holder))) or time.monotonic() > deadline:
            return holder or "unknown"
        time.sleep(HOLDER_WAIT / 50)


def process_alive(pid):
    """Whether a process of that pid exists, another user's too."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # OverflowError: a number past any pid, in a name like ours
        return False
    except PermissionError:  # another user's process
        return True
    return True


def not_being_written(path, role):
    """UserError when a run holds path's lock (lock_folder): its frames, read now, would be part old and part new,
    or too few. The lock is only tested (a shared lock, released at once); nothing is created."""
    try:  # O_NONBLOCK: a pipe in the lock file's place does not wait for a writer
        lock = os.open(os.path.join(path, LOCK_NAME), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return
    try:
        fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = lock_holder(os.path.join(path, LOCK_NAME))
        raise UserError(f"{role} '{path}' is being written by another run (pid {holder}); wait for it to end, "
                        "then run again") from None
    except OSError:  # a lock file of another kind (a pipe) that no run holds
        return
    finally:
        os.close(lock)


def no_space(path):
    if inodes_used_up(path):  # df -h shows free bytes: "no space" would send the user looking for the wrong thing
        return UserError(f"no room for another file on the disk of '{path}': its inodes (how many files it holds) are "
                         "used up, though bytes are free; delete files (or choose another folder) and run again")
    return UserError(f"no space left on the disk of '{path}'; free some space (or choose another folder) and run "
                     "again")


def inodes_used_up(path):
    """Whether the file system of path's folder has bytes free but no inode left for another file. A folder not made
    (its own inode the one missing: tensorboard/ of tensorboard/events) is counted in the nearest folder above it."""
    folder = os.path.dirname(path) or os.curdir  # not abspath's folder: 'lnk/..' is above lnk's target
    while True:
        try:
            stats = os.statvfs(folder)
            break
        except FileNotFoundError:
            if os.path.dirname(folder) in ("", folder):
                return False
            folder = os.path.dirname(folder)
        except OSError:
            return False
    return stats.f_files > 0 and stats.f_favail == 0 and stats.f_bavail * stats.f_frsize >= FULL_DISK_BYTES


def not_a_file(path):
    """'a folder' or 'a pipe or device' where path is one of those, else None (a file, or nothing)."""
    if os.path.exists(path) and not os.path.isfile(path):
        return "a folder" if os.path.isdir(path) else "a pipe or device"
    return None
