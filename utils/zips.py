"""Unpacking zips safely: every member is checked before anything is written (no path that leaves the
folder, no link or special file, no name twice), and the whole zip lands all-or-nothing."""
import errno
import os
import re
import reprlib
import shutil
import stat
import struct
import zipfile
import zlib

from tqdm import tqdm

from utils.atomic_files import commit_folder, disk_full
from utils.errors import UserError, error_reason

# What zipfile raises for a damaged, encrypted (RuntimeError) or unsupported (NotImplementedError) zip, or one
# whose member name is not the UTF-8 its flag says (UnicodeDecodeError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError,
              UnicodeDecodeError)
# Folders a member may lie in, nested: os.makedirs, shutil.rmtree and os.walk call themselves once per folder, and a
# zip of 1200 nested folders failed with "maximum recursion depth exceeded" (Python's limit: 1000 calls).
MOST_FOLDERS = 500
# the first bytes of a zip: a member's local header, or the end record of a zip without members
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
ENCRYPTED = 0x1  # of a member's general purpose flags: its data is encrypted (zip -P, 7-Zip's and WinZip's AES)


class UnsafeZip(UserError):
    """A zip whose members this refuses to unpack (a path outside its folder, a link or special file, a name twice,
    one both a file and a folder, folders nested too deep, a name the caller keeps for its own): its bytes may be whole,
    and a copy of it is refused alike (the download deleted it and fetched it again on every run)."""


def member_parts(member, archive_name):
    """The path components of a zip member, without '.' parts (bsdtar, also Windows' tar, writes './' and
    './frame.png' for `tar -a -cf frames.zip .`; './' is the folder itself); UserError if it could land outside
    its folder (absolute, a drive, backslashes, empty or '..' parts, a file named '.') or is a symbolic link or
    special file."""
    name = member.filename
    parts = (name[:-1] if member.is_dir() else name).split("/")
    inside = [part for part in parts if part != "."]
    if (name.startswith("/") or re.match(r"[A-Za-z]:", name) or "\\" in name or "\0" in name
            or any(part in ("", "..") for part in parts) or not (inside or member.is_dir())):
        raise UnsafeZip(f"{archive_name} holds {name!r}, a path outside its folder; refusing to unpack it")
    if len(inside) - 1 > MOST_FOLDERS:  # the folders it lies in (in 500: "nested in 500, more than the 500")
        raise UnsafeZip(f"{archive_name} holds {reprlib.repr(name)}, nested in {len(inside) - 1} folders, more than "
                        f"the {MOST_FOLDERS} this unpacks; refusing to unpack it")
    kind = stat.S_IFMT(member.external_attr >> 16)
    if kind not in (0, stat.S_IFDIR if member.is_dir() else stat.S_IFREG):
        raise UnsafeZip(
            f"{archive_name} holds {name!r}, a symbolic link or special file; refusing to unpack it")
    return tuple(inside)


def slash_separated(archive):
    """archive.infolist(), a member made on MS-DOS or Windows (create_system 0) named with backslashes between its
    folders renamed with slashes, as Info-ZIP's unzip and libarchive read it: PowerShell 5.1's Compress-Archive, Windows
    10 and 11's own, writes 'frames\\0001.png' (refused as "a path outside its folder"). A backslash in a name made
    elsewhere is a letter of it, refused by member_parts."""
    for member in archive.infolist():
        if member.create_system == 0 and "\\" in member.filename:
            member.filename = member.filename.replace("\\", "/")  # archive.open reads it by its orig_filename
    return archive.infolist()


def first_encrypted(members):
    """The first of these ZipInfos whose data is encrypted (a folder entry holds none), or None."""
    return next((member for member in members if member.flag_bits & ENCRYPTED and not member.is_dir()), None)


def checked_members(archive, archive_name):
    """[(member, path components)]; UserError for an unsafe member, a name given twice, or a name that is both
    a file and a folder."""
    members = [(member, member_parts(member, archive_name)) for member in slash_separated(archive)]
    seen, files, folders = set(), set(), set()
    for member, parts in members:
        if parts in seen:
            raise UnsafeZip(f"{archive_name} holds {member.filename!r} twice; refusing to unpack it")
        seen.add(parts)
        (folders if member.is_dir() else files).add(parts)
        folders.update(parts[:end] for end in range(1, len(parts)))
    clash = files & folders
    if clash:
        raise UnsafeZip(f"{archive_name} holds {'/'.join(min(clash))!r} both as a file and as a folder; "
                        "refusing to unpack it")
    return members


class UnpackBlocked(UserError):
    """Something outside the zip stops it from unpacking: an entry of another kind already in its folder (a file
    where the zip has a folder, or the reverse), a folder that is a link to another disk or that refuses a write, a
    full disk, or a member past the file size limit (ulimit -f). Nothing is unpacked, and the zip, which is fine, can
    be kept for the next run. The message ends with what to do first."""


class NameRefused(UserError):
    """The file system of the folder refuses a member's name (too long, or of a character it takes in none): the zip
    may be whole, and a copy of it is refused alike (the download deleted it and fetched it again on every run)."""


NAME_REFUSALS = (errno.ENAMETOOLONG, errno.EINVAL, errno.EILSEQ)  # a file system's errors of a name it refuses


class DamagedZip(UserError):
    """A member's data is not what the zip says it is (its CRC-32 or size, its compressed stream): the zip was cut or
    altered after it was made (its cause: zipfile's error). Nothing is unpacked; only a new copy of the zip helps."""


def check_no_clash(members, folder):
    """UnpackBlocked, before anything moves, if a member's file or folders meet an entry of the other kind, or
    a member's file meets another file (a user's own, which the rename would replace). The same file is no
    clash: it is what an unpack stopped while moving its files into place left."""
    for member, parts in members:
        folder_parts = [parts[:end] for end in range(1, len(parts) + (1 if member.is_dir() else 0))]
        for prefix in folder_parts:
            path = os.path.join(folder, *prefix)
            if os.path.lexists(path) and not os.path.isdir(path):
                raise UnpackBlocked(f"{path} is a file where {member.filename!r} needs a folder; move it away")
        path = os.path.join(folder, *parts)
        if not member.is_dir() and os.path.isdir(path):
            raise UnpackBlocked(f"{path} is a folder where {member.filename!r} is a file; move it away")
        if not member.is_dir() and os.path.lexists(path) and not same_content(path, member):
            raise UnpackBlocked(f"{path} is already there and differs from {member.filename!r} in the zip; move it "
                                "away")


def check_not_staged_over(members, folder, staging, archive_name, reserved=None):
    """UserError for a member that would land under the hidden folder the zip is unpacked in first: moved onto that
    folder, it was deleted with it, and the unpack reported done without it (a download then fetched the zip again on
    every run, the file never found). reserved: {path: what it is} of other names of the caller's own beside the zip
    (a download's partial file and done-marker, the zip itself), which a member must not take either."""
    own = {os.path.realpath(path): what for path, what in (reserved or {}).items()}
    own[os.path.realpath(staging)] = "the hidden folder it is unpacked in first"
    for member, parts in members:
        what = own.get(os.path.realpath(os.path.join(folder, parts[0]))) if parts else None  # "./" alone has none
        if what:
            raise UnsafeZip(f"{archive_name} holds {member.filename!r}, under the name of {what}; refusing to unpack "
                            "it")


def same_content(path, member):
    """Whether the file at path holds what the zip member holds (its size and CRC-32; its size alone for a member that
    records no CRC-32, WinZip's AES encryption AE-2: one unpacked with its password was refused on every run)."""
    if not os.path.isfile(path) or os.path.getsize(path) != member.file_size:
        return False
    if aes_without_crc(member):
        return True
    checksum = 0
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            checksum = zlib.crc32(block, checksum)
    return checksum == member.CRC


AES_EXTRA = 0x9901  # the extra field of a member encrypted by WinZip's AES: its vendor version, "AE", strength, method


WINZIP_AES = 99  # the compression method an AES-encrypted member records, its own method in AES_EXTRA


def aes_without_crc(member):
    """Whether a zip member is AES-encrypted of vendor version AE-2, whose CRC-32 field is 0 (not its data's): marked
    encrypted, of method 99, and of that extra field. The extra field alone (on a member zipfile unpacks, its CRC-32
    its data's) had same_content take any file of its size for it: the unpack replaced a user's own file of another
    content, and a kept zip was deleted as unpacked over files of other content."""
    if not member.flag_bits & ENCRYPTED or member.compress_type != WINZIP_AES:
        return False
    extra = member.extra
    while len(extra) >= 4:
        kind, size = struct.unpack("<HH", extra[:4])
        if kind == AES_EXTRA and size >= 2 and len(extra) >= 6:
            return struct.unpack("<H", extra[4:6])[0] == 2
        extra = extra[4 + size:]
    return False


def unpacked_already(path, folder):
    """The member names of the whole zip at path if each file it holds is already in folder with its content (size
    and CRC-32), as another program (7z) unpacks a zip of a method zipfile lacks; else None."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = checked_members(archive, os.path.basename(path))
    except (UserError, *ZIP_ERRORS):  # a partial download (no central directory yet), a member refused
        return None
    if all(member.is_dir() or same_content(os.path.join(folder, *parts), member) for member, parts in members):
        return [member.filename for member, _ in members]
    return None


def unpacked_marker(archive):
    """The hidden file beside a zip that download_test_data.py writes once the zip is unpacked, listing its members."""
    folder, name = os.path.split(archive)
    return os.path.join(folder, f".{name}.unpacked")


def unpacked_names(archive):
    """The member names the done-marker of a zip (unpacked_marker) lists, or None where there is no marker file or it is
    damaged: every marker written ends with "\\n" (a zip of no files writes that alone), and a crash after its rename
    can leave it empty or cut, a list that lost files. "\\n" alone ends a name (splitlines also cut a name holding
    "\\r", "\\x85" or "\\u2028" in two, never found, and such a zip was fetched again on every run); a newline in a
    name is written as "\\\\n" (member_parts refuses every name holding a backslash)."""
    marker = unpacked_marker(archive)
    if not os.path.isfile(marker):
        return None
    try:
        with open(marker, encoding="utf-8", errors="replace", newline="") as file:
            listing = file.read()
    # another user's, unreadable to this one, or of a disk that fails: a traceback of the download and of training
    except OSError as error:
        raise UserError(f"cannot read '{marker}', the record that {os.path.basename(archive)} is unpacked and of its "
                        f"files ({error.strerror or error_reason(error)}); let this user read it, or delete it and "
                        "run the download again") from None
    if not listing.endswith("\n"):
        return None
    return [line.replace("\\n", "\n") for line in listing.split("\n") if line]


def staging_folder(path):
    """The hidden folder a zip is unpacked into before its files move into place (stable, so that one left by
    a killed run is found and removed by the next)."""
    directory, name = os.path.split(path)
    return os.path.join(directory, f".{name}.unpacking")


def extract_zip(path, folder, archive_name=None, reserved=None):
    """Unpack a zip into folder all-or-nothing: every member is checked, the whole zip is unpacked into a
    hidden folder beside its entries, then its files are renamed into place. Returns the member names.
    archive_name: the zip's name in messages (its file's name by default; the page's, its upload's name, not the
    server's copy's). reserved: {path in folder: what it is} that no member may take (check_not_staged_over)."""
    archive_name = archive_name or os.path.basename(path)
    staging = staging_folder(path)
    shutil.rmtree(staging, ignore_errors=True)
    # a file or link of its name, which rmtree leaves: making the folder failed each run; or a folder left by another
    # user's run, whose files this one cannot delete (it was called "a file")
    if os.path.lexists(staging):
        kind = ("a symbolic link" if os.path.islink(staging) else
                "a folder whose files this user cannot delete" if os.path.isdir(staging) else "a file")
        raise UnpackBlocked(f"{staging}, the hidden folder {archive_name} is unpacked in first, is taken by {kind}; "
                            "move it away")
    try:
        with zipfile.ZipFile(path) as archive:
            members = checked_members(archive, archive_name)
            # here, not in checked_members: unpacked_already takes an encrypted zip's files that its user unpacked
            # with the password, as the download's refusal advises (they were refused again on every run)
            encrypted = first_encrypted(member for member, _ in members)
            if encrypted:  # zipfile's refusal described the member by its ZipInfo's repr
                raise UserError(f"{archive_name} holds {encrypted.filename!r} encrypted (with a password), which this "
                                "does not unpack")
            check_not_staged_over(members, folder, staging, archive_name, reserved)
            check_no_clash(members, folder)
            os.makedirs(staging)  # also for a zip without members, which unpacks to an empty folder
            for member, parts in tqdm(members, desc=f"unpack {archive_name}", unit="file"):
                target = os.path.join(staging, *parts)
                if member.is_dir():
                    os.makedirs(target, exist_ok=True)
                    continue
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with archive.open(member) as source, open(target, "wb") as output:
                    shutil.copyfileobj(source, output)
        commit_folder(staging, folder, merge=True)
    except ZIP_ERRORS as error:
        if disk_full(error, staging):
            raise UnpackBlocked(f"no space left on the disk of {folder} to unpack {archive_name} into; free some "
                                "space")
        if getattr(error, "errno", None) == errno.EFBIG:  # past `ulimit -f`: the next run's unpack fails alike
            raise UnpackBlocked(f"a file of {archive_name} is larger than this process may write (ulimit -f) or the "
                                f"file system of {folder} holds; raise the limit or choose another folder")
        if getattr(error, "errno", None) == errno.EXDEV:  # a folder in place is a link to another disk
            raise UnpackBlocked(f"{os.path.dirname(error.filename2)} is on another disk than {archive_name}, and "
                                f"the unpacked files are renamed into place, not copied; link the whole of {folder} "
                                "to that disk instead")
        if isinstance(error, (zipfile.BadZipFile, zlib.error, EOFError)):  # read from the zip, not written to the disk
            raise DamagedZip(f"cannot unpack {archive_name} into {folder} ({error_reason(error)})") from error
        written = getattr(error, "filename", None) not in (None, path)  # a file or folder of the unpack, not the zip
        # a name the folder's file system refuses: past its names' limit (255 bytes, 143 on eCryptfs), or of a character
        # FAT, exFAT and Windows' shares take in none (':', '?'). The reason would hold the whole path.
        if written and error.errno in NAME_REFUSALS:
            name = os.path.relpath(error.filename, staging)
            if error.errno == errno.ENAMETOOLONG:
                limit = name_limit(os.path.dirname(staging), name)
                raise NameRefused(f"the name {reprlib.repr(name)} in {archive_name} is too long to unpack into "
                                  f"{folder} ({limit} on its file system); shorten it in the zip")
            raise NameRefused(f"the name {reprlib.repr(name)} in {archive_name} cannot be unpacked into {folder}: its "
                              f"file system refuses it ({error.strerror}; FAT, exFAT and Windows' shares take no "
                              "':', '?', '*', '\"', '<', '>' or '|' in a name); rename it in the zip")
        # the folder refuses a write (a permission, an immutable or read-only folder): the download deleted the zip as
        # the zip's fault and fetched it again on every run
        if getattr(error, "errno", None) in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise UnpackBlocked(f"the files of {archive_name} cannot be written into {folder} ({error_reason(error)}); "
                                "let this user write there")
        # any other refusal of a file or folder the unpack writes (a folder's most links, an I/O error of its disk),
        # not of the zip, which the download deleted and fetched again on every run
        if written:
            raise UnpackBlocked(f"the files of {archive_name} cannot be written into {folder} ({error_reason(error)}); "
                                "mend that folder's disk or choose another")
        raise UserError(f"cannot unpack {archive_name} into {folder} ({error_reason(error)})")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [member.filename for member, _ in members]


def name_limit(folder, name):
    """The limit of the file system of folder (an existing folder) that a member's name (its path under folder) is
    past: its longest name, or its longest path, said as part of a line."""
    try:
        longest = os.pathconf(folder, "PC_NAME_MAX")
        if any(len(os.fsencode(part)) > longest for part in name.split(os.sep)):
            return f"at most {longest} bytes a name"
        return f"at most {os.pathconf(folder, 'PC_PATH_MAX')} bytes a path"
    except (OSError, ValueError):
        return "its limit"
