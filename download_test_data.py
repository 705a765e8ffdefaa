"""Fetch the paper's evaluation data and, with --weights, the pretrained NNabla weights.

    python download_test_data.py                 # LR/ and HR/ in the current folder
    python download_test_data.py --weights       # also weights/*.h5
    python download_test_data.py --reds --no-data  # REDS's train_sharp and val_sharp into REDS/

The data are the TecoGAN authors' zips, unpacked as the reference does: vid3_LR.zip and
tos_LR.zip into LR/, vid4_HR.zip and tos_HR.zip into HR/. The weights are the official NNabla
files (tecogan_model.h5, frvsr_model.h5, vgg19.h5) and the AlexNet LPIPS weights of
nnabla-examples (alex_with_LPIPS.h5). REDS's sharp frames (train_sharp.zip, val_sharp.zip) come from its
authors' direct host (SNU CV Lab) and are unpacked into REDS/ as they are (datasets/reds.py reads them;
its README: https://seungjunnah.github.io/Datasets/reds.html). The sizes of what is to be fetched are
printed first.

A download goes to a hidden .<name>.part file beside its destination and is renamed into place
only when whole and valid (a zip's every member passes its CRC check; an HDF5 file opens and its
every dataset reads in full), so an interrupted run resumes (HTTP Range) where it stopped, and a
re-run skips what is already complete and valid. The version of the file the server sent (its ETag or
Last-Modified) is recorded beside the partial file, and a resumed request names it (If-Range), so that a
file changed on the server since is fetched whole again rather than its rest joined to the old start
(an HDF5 file has no checksum that would tell). A zip is unpacked all-or-nothing through a hidden
folder beside its entries, after refusing any member that could land outside its folder or clash
with another or with an entry of the other kind already there (that zip is kept for the next run, as it is
when the disk fills while unpacking).
"""
from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

import errno
import http.client
import itertools
import logging
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from contextlib import ExitStack, suppress

import numpy as np
from tqdm import tqdm

from datasets.reds import FRAMES_PER_SEQUENCE as REDS_FRAMES, PARTS as REDS_PARTS, frame_name as reds_frame_name
from datasets.reds import is_frame_file as is_reds_frame_file
from utils.errors import (UserError, counted, error_reason, exit_on_user_error, one_line, printable, shortened,
                          size_said)
from utils.atomic_files import NOT_WRITABLE, disk_full, folder_changed, remove_file, write_atomically, write_bytes
from utils.flags import FlagParser, refuse_empty
from utils.frame_names import IMAGE_EXTENSIONS, is_frame_path
from utils.hdf5 import MarkedOpen, missing_filter, named_datasets, open_to_read, unknown_type, unwritten
from utils.paths import not_a_file
from utils.paths import (lock_folder, make_folder, missing_folders, output_file, output_folder, partial_path,
                         remove_if_empty, room_to_create)
from utils.zips import (ZIP_ERRORS, ZIP_SIGNATURES, NameRefused, UnpackBlocked, UnsafeZip, checked_members, extract_zip,
                        first_encrypted, slash_separated, unpacked_already, unpacked_marker, unpacked_names)

TECOGAN_DATA_URL = "https://ge.in.tum.de/download/data/TecoGAN/"
NNABLA_TECOGAN_URL = "https://nnabla.org/pretrained-models/nnabla-examples/GANs/tecogan/"
NNABLA_LPIPS_URL = "https://nnabla.org/pretrained-models/nnabla-examples/eval_metrics/lpips/"

# (archive, folder it is unpacked into), as in the reference's download script.
DATA_ARCHIVES = [
    (TECOGAN_DATA_URL + "vid3_LR.zip", "LR"),
    (TECOGAN_DATA_URL + "tos_LR.zip", "LR"),
    (TECOGAN_DATA_URL + "vid4_HR.zip", "HR"),
    (TECOGAN_DATA_URL + "tos_HR.zip", "HR"),
]
REDS_URL = "http://data.cv.snu.ac.kr:8008/webdav/dataset/REDS/"
REDS_ARCHIVES = [REDS_URL + "train_sharp.zip", REDS_URL + "val_sharp.zip"]
REDS_FOLDER = "REDS"
# each REDS zip's folder of sequences, where datasets/reds.py reads them ("train/train_sharp"), by the zip's name
# {zip name: (its part's folder, '/'-separated, its sequences)}
REDS_LAYOUT = {os.path.basename(url): (part.replace(os.sep, "/"), count)
               for url, (part, _, count) in zip(REDS_ARCHIVES, REDS_PARTS)}
WEIGHT_FILES = [
    NNABLA_TECOGAN_URL + "tecogan_model.h5",
    NNABLA_TECOGAN_URL + "frvsr_model.h5",
    NNABLA_TECOGAN_URL + "vgg19.h5",
    NNABLA_LPIPS_URL + "alex_with_LPIPS.h5",
]
CHUNK_BYTES = 1 << 16
MAX_VERSION_CHARACTERS = 1000
TIMEOUT_S = 60


def with_base_url(url, base_url):
    """url with its scheme and host (and a path prefix, if base_url has one) taken from base_url."""
    if not base_url:
        return url
    try:
        base = urllib.parse.urlsplit(base_url)
        valid = base.scheme in ("http", "https") and bool(base.hostname) and (base.port is None
                                                                              or base.port > 0)
    except ValueError:  # an unclosed IPv6 bracket, a port that is no number or out of range
        valid = False
    if not valid:  # shortened: a port of 5,000 digits was a line of 5 kB
        raise UserError(f"--base-url '{shortened(base_url, 200)}' is not a URL like http://host:port (a port from 1 "
                        "to 65535)")
    if base.username is not None:  # urllib would take "user:pass@host" for a host name, and print the password
        raise UserError("--base-url holds a user name or password, which this script does not send; give a "
                        "mirror's address without them")
    # a space or a non-ASCII letter in the mirror's path is sent percent-encoded (urllib refuses it as it is)
    path = urllib.parse.quote(base.path.rstrip("/"), safe="/%") + urllib.parse.urlsplit(url).path
    return urllib.parse.urlunsplit((base.scheme, base.netloc, path, "", ""))


def url_filename(url):
    return os.path.basename(urllib.parse.urlsplit(url).path)


def version_path(partial):
    """Where the version on the server that a partial file holds the start of is recorded (version_served)."""
    return partial + ".version"


def version_served(response):
    """What names the version of the file a reply carries, as a resumed request's If-Range gives it back: a strong
    ETag, else Last-Modified (a weak ETag cannot be used there); None when the server sends neither (or one that
    cannot be sent back)."""
    etag = response.headers.get("ETag", "")
    version = etag if etag and not etag.startswith("W/") else response.headers.get("Last-Modified", "")
    return version if version and sendable(version) else None


def sendable(version):
    """Whether a recorded version can go back in a header as version_served took it from one: latin-1 without
    control characters, within MAX_VERSION_CHARACTERS (a damaged record is not the partial file's version)."""
    return len(version) <= MAX_VERSION_CHARACTERS and re.fullmatch(r"[\t\x20-\x7e\x80-\xff]*", version) is not None


def recorded_version(partial):
    """The version the partial file was started from, or None (none recorded: a server that sent none, or a
    partial file of an older version of this script). A record that is there but blank is damaged, as one that
    cannot be sent (sendable): record_version writes none such (UnversionedBytes does, of a part of bytes of no known
    version), and a crash can leave a file renamed into place empty."""
    path = version_path(partial)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8", errors="replace") as file:
        return file.read(MAX_VERSION_CHARACTERS + 1).strip()


def damaged_record(version):
    """Whether a recorded_version is damaged (blank, or one that cannot be sent): the partial file is fetched anew."""
    return version is not None and not (version and sendable(version))


def record_version(partial, version):
    path = version_path(partial)
    if version:
        write_bytes(path, version, mode="w")
    elif os.path.lexists(path):
        remove_file(path)


def forget_partial(partial):
    """Delete a partial file and the version recorded for it. remove_file's: a disk made read-only (or the folder's
    permissions taken) once the file was renamed into place was a traceback of EROFS, the file installed."""
    for path in (partial, version_path(partial)):
        if os.path.lexists(path):
            remove_file(path)


def header_number(text):
    """A size or offset in a header as a number, or None unless it is plain ASCII digits of a size a disk can
    hold (int() would take a superscript two for no number at all, ' 12' or '1_000' for one, and refuse more
    than 4300 digits with a ValueError). Zeros before it are no digits of it: a 416's '0000000000000000000001000'
    to a partial file of 1000 bytes was "a number of 25 digits, which no file has", its part fetched again whole."""
    match = re.fullmatch(r"0*([0-9]{1,20})", text)
    return int(match.group(1)) if match else None


def _content_range(response):
    """(first byte, last byte, total size or None) from a Content-Range header 'bytes first-last/total'. The unit in any
    case, as HTTP compares it (RFC 9110, 14.1): 'Bytes 5000-...' was "another range", the part to be deleted by hand.
    A total that is not a number (header_number's) is none: its first digits were read, '0xa80' as 0 ("gave 2688 bytes
    instead of the 0 announced", the file downloaded whole deleted). A list of ranges ('bytes 1000-1500/2688,
    1600-2687/2688', a comma after the first) is none HTTP allows (several ranges come as multipart/byteranges): read
    by its first, the first's bytes were joined to the part, which was then deleted ("gave not a complete HDF5 (.h5)
    file ...; the file was deleted")."""
    match = re.fullmatch(r"bytes\s+([0-9]+)-([0-9]+)/([^,]*)", response.headers.get("Content-Range", "").strip(),
                         re.IGNORECASE)
    if not match:
        return None, None, None
    return tuple(header_number(group) for group in match.groups())


def valid_range(first, last, total):
    """Whether a 206's Content-Range, read by _content_range, is one HTTP allows: 'bytes first-last/total' (or '/*'),
    first at most last, total past last (RFC 9110, 14.4: "The recipient of an invalid Content-Range MUST NOT attempt to
    recombine the received content with a stored representation"). Its grammar has no blank round the dash (incl-range
    = first-pos "-" last-pos), as Apache, nginx and the others write it: 'bytes 1000 - 2687/2688', one missing, one of
    a total below its last byte were "another range; delete <the partial file> and run again", a good part to be
    deleted by hand, or ('bytes 1000-2687/1500') appended to, then deleted whole: "gave 2688 bytes instead of the 1500
    announced". One exception: an empty range at the end of a file of that total ('bytes 2688-2687/2688' to a resume
    at byte 2688, of a server that does not send 416), which joins nothing: the part whole was kept and refused on
    every run, where it had been taken."""
    at_end = first is not None and first == total and last == first - 1
    return at_end or (first is not None and last is not None and first <= last and (total is None or total > last))


def invalid_range(url, response, partial, offset, said=None):
    """The UserError of a 206 whose Content-Range is not valid_range's, before a byte of it is written: to a resume at
    offset the part downloaded is kept (the reply does not say that it is another file's), or as much of it as agreed
    with the reply's bytes (_receive's); one written over from byte 0 (longer than the whole file the reply said, or
    of other first bytes), none of it kept, is said deleted. said: what the reply is, in place of its Content-Range's
    fault."""
    header = response.headers.get("Content-Range")
    said = said or (f"a part whose Content-Range is not HTTP's ('{reply_text(header, 80)}')" if header is not None
                    else "a part without a Content-Range")
    kept = os.path.getsize(partial) if os.path.exists(partial) else 0
    if offset and kept:
        agreeing = " that agree with its bytes" if kept < offset else ""
        return UserError(f"{url} answered the request to resume at byte {offset} with {said}, which does not say where "
                         f"its bytes go; the {size_text(kept)} downloaded{agreeing} are kept in {partial}: run again "
                         "later to resume, or fetch from another host with --base-url")
    if offset:
        # "answered a request for the whole file", the request a resume, the part gone without a word
        return UserError(f"{url} answered the request to resume at byte {offset} with {said}, which does not say where "
                         f"its bytes go; the {size_text(offset)} downloaded, not the start of its file, were written "
                         "over and deleted: run again later, or fetch from another host with --base-url")
    return UserError(f"{url} answered a request for the whole file with {said}, which does not say where its bytes go; "
                     "run again later, or fetch from another host with --base-url")


def longer_than_its_range(url, response, partial, offset, most, sent=None):
    """invalid_range's UserError of a 206 of more bytes than the most its Content-Range says: sent, by its
    Content-Length, or more, read past them."""
    return invalid_range(url, response, partial, offset, (
        f"a part of {f'more than {most}' if sent is None else sent} bytes where its Content-Range "
        f"('{reply_text(response.headers['Content-Range'], 80)}') says {most}"))


def content_length(response):
    """The Content-Length header as a number, or None when it is missing or garbled (header_number), or where the body
    comes chunked: Transfer-Encoding overrides Content-Length (RFC 9112, 6.3), and http.client reads the chunks whole,
    so that a reply of both ('Content-Length: 10') was "gave 2688 bytes instead of the 10 announced; the file was
    deleted, run again to download it anew", a good file deleted and fetched alike on every run."""
    if getattr(response, "chunked", False):
        return None
    return header_number(response.headers.get("Content-Length", ""))


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows a 308 (Permanent Redirect) as a 301: Python's urllib before 3.11 stops at it with an error. Records the
    last address redirected to (redirected_to), which a failure to reach names."""
    http_error_308 = urllib.request.HTTPRedirectHandler.http_error_301
    redirected_to = None

    def redirect_request(self, request, reply, code, message, headers, new_url):
        parts = urllib.parse.urlsplit(new_url)
        refused = redirect_refused(parts)
        if refused:  # named without its password (the line printed it)
            self.redirected_to = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
            raise urllib.error.URLError(refused)
        followed = super().redirect_request(request, reply, 301 if code == 308 else code, message, headers, new_url)
        if followed is not None:
            self.redirected_to = new_url
        return followed


def redirect_refused(parts):
    """Why a redirect to the address of urlsplit's parts is not followed, or None: one of a user name or password
    (urllib took 'user:pass@host' for a host name, "Name or service not known", and the line printed the password,
    as of --base-url). A port past 65535 is urlsplit's ValueError, the address that cannot be used (urllib wrapped a
    port of 5 digits into another: "Connection refused", or a download from whatever listened there)."""
    parts.port  # urlsplit raises its ValueError here
    if parts.username is not None:
        return "it holds a user name or password, not sent by this script; fetch from another host (--base-url)"
    return None


class _Reply(http.client.HTTPResponse):
    """A reply read past the interim ones (1xx) before it, as HTTP asks of a client (RFC 9110, 15.2): http.client passes
    over 100 alone, and a host that sends 103 Early Hints (or 102 Processing) before the file was "cannot download
    ...: HTTP 103 Early Hints" on every run."""

    def _read_status(self):
        while True:
            version, status, reason = super()._read_status()
            if not 101 < status < 200:  # 100: begin() passes over it; 101: a change of protocol, no interim reply
                return version, status, reason
            http.client.parse_headers(self.fp)  # the interim reply's headers


class _InterimPassed:
    """A urllib handler whose connections read their replies as _Reply."""

    def do_open(self, http_class, request, **connection_args):
        return super().do_open(type(http_class.__name__, (http_class,), {"response_class": _Reply}), request,
                               **connection_args)


class _HTTPHandler(_InterimPassed, urllib.request.HTTPHandler):
    pass


class _HTTPSHandler(_InterimPassed, urllib.request.HTTPSHandler):
    pass


def open_url(request, redirects=None):
    """urllib's reply to request; redirects: the _RedirectHandler to follow redirects with (its redirected_to read
    after a failure)."""
    return urllib.request.build_opener(redirects or _RedirectHandler(), _HTTPHandler, _HTTPSHandler).open(
        request, timeout=TIMEOUT_S)


def reply_text(reason, limit=100):
    """A reason that may hold what a server sent (a reason phrase, a header, a status line) as a readable part of
    one line: control characters by their codes (a NUL or a terminal's escape sequence went to the terminal as
    they were) and cut to limit characters (a 60 kB reason phrase was printed whole)."""
    return shortened(printable(one_line(reason)), limit)


def url_asked(url, redirected_to=None):
    """url as a line names a request that failed, with the address a redirect sent it to, where one did."""
    return f"{url} (redirected to {reply_text(redirected_to, 200)})" if redirected_to not in (None, url) else url


def unreachable(url, error, redirected_to=None):
    """The UserError of a request that failed (urllib's URLError or an OSError): its reason as one line, and for
    a server that does not answer, what to do. redirected_to: the address a redirect sent it to, the one that failed
    (a refused connection named the URL asked, whose host had answered, and the user checked --base-url)."""
    reason = getattr(error, "reason", error)
    url = url_asked(url, redirected_to)
    if isinstance(reason, TimeoutError):
        return UserError(f"cannot download {url}: no answer in {TIMEOUT_S} s; check the connection (or "
                         "--base-url) and run again")
    return UserError(f"cannot download {url}: {reply_text(reason)}")


def _open(url, offset, version=None):
    """Open url from byte offset; a reply of status 416 if the server says the range starts at or past the end
    (its Content-Range may give the file's size). version: the
    version of the file the bytes before offset came from (If-Range: a server whose file has changed since
    sends the whole new one instead of the rest of it)."""
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    if offset and version:
        headers["If-Range"] = version
    redirects = _RedirectHandler()
    try:
        return open_url(urllib.request.Request(url, headers=headers), redirects)
    except urllib.error.HTTPError as error:
        if error.code == 416 and offset:
            return error
        # a redirect's own error (a loop) is the asked host's, another one the host's redirected to
        redirected_to = None if 300 <= error.code < 400 else redirects.redirected_to
        raise UserError(f"cannot download {url_asked(url, redirected_to)}: HTTP {error.code} "
                        f"{reply_text(error.reason)}")
    except (urllib.error.URLError, OSError) as error:
        raise unreachable(url, error, redirects.redirected_to)
    # urllib lets these through: a host or redirect it cannot parse or encode (an unclosed IPv6 bracket, an
    # empty or 64-character host label, a space, a port past a C long: OverflowError), and a reply that is not HTTP
    # (a bad status line, a header line past 64 KiB, over 100 headers)
    except (ValueError, OverflowError, http.client.InvalidURL) as error:
        raise UserError(f"cannot download {url}: its address cannot be used ({reply_text(error)}); check the host "
                        "in --base-url, or the redirect the server sent")
    except http.client.HTTPException as error:
        raise UserError(f"cannot download {url}: the reply is not HTTP ({type(error).__name__}: "
                        f"{reply_text(error)}); check the address and port")


def download(url, destination, validate):
    """Download url to destination, resuming a partial download; validate(path) checks it before the rename.

    validate returns None when the file is good, else a reason. A file that fails is deleted (resuming
    it cannot help) and the user is told to run again; so is a destination already in place that fails
    (left by an older version of this script), which is downloaded again. Returns False if destination
    was already there and good.
    """
    if os.path.exists(destination):
        problem = validate(destination)
        if problem is None:
            # a partial file kept (refused as its host holds it) beside a file the user put in place was kept for good
            forget_partial(partial_path(destination))
            return False
        # the problem may hold a member's name or a library's message: an escape sequence in it went to the terminal
        print(printable(f"{destination} is {problem}; downloading it again"))
        remove_file(destination)
    write_atomically(destination, lambda partial: _fetch_whole(url, partial, validate),
                     partial=partial_path(destination))
    forget_partial(partial_path(destination))  # its recorded version
    return True


def _fetch_whole(url, partial, validate):
    """Grow partial into the whole file at url (resuming what it holds) and validate it; a file that fails
    validation is deleted, one cut short is kept to be resumed."""
    offset = os.path.getsize(partial) if os.path.exists(partial) else 0
    version = recorded_version(partial) if offset else None
    if damaged_record(version):  # which file the start is from is unknown
        offset, version = 0, None
    asked_from, refused_size = offset, None
    response = _open(url, offset, version)
    if offset and another_file(response, offset, version):
        refused_size = the_416s_size(response) if response.status == 416 else None
        response.close()
        offset, response = 0, _open(url, 0)
    requested = offset  # the byte the reply answers a request from (offset, where it starts over, 0)
    # a 416 that gives no size of the host's file: the partial file may be whole, or the host refuses to resume it
    unsized_416 = response.status == 416 and offset and the_416s_size(response) is None
    unsized_range = None  # the Content-Range of a 206 that gives no size of its file ('bytes 1000-1500/*')
    at_end = False  # a 206 of an empty range at the part's end ('bytes 2688-2687/2688'), valid_range's exception
    most, skip = None, 0  # a 206's bytes by its Content-Range; those of them before the part's end
    unversioned = UnversionedBytes(url, partial, None)  # the bytes a reply writes of no version over a recorded one
    if response.status == 416:  # the partial file may already be whole; validation decides
        response.close()
        total = offset
    else:
        with response:
            coding = unasked_coding(response)
            if coding:
                raise UserError(f"{url} was sent encoded ({coding[0]} '{reply_text(coding[1], 40)}'), which this "
                                "script neither asks for nor decodes; fetch from another host with --base-url")
            page, start = web_page(response, offset)
            if page:  # before the partial file is written over: a sign-in page at a resume lost all of it
                kept = f" (the {offset} bytes downloaded are kept, to resume)" if offset else ""
                raise UserError(f"{url} answered with a web page (Content-Type '{reply_text(page, 40)}'), not the "
                                "file: a network's sign-in page or a server's error page; sign in, or check "
                                f"--base-url, then run again{kept}")
            # a reply of no byte (204 No Content, 205, a Content-Length of 0, an empty body) to a resume: the part
            # downloaded (a REDS zip's gigabytes) was written over with it and deleted, "gave an empty file", where it
            # says nothing of them; so was it by a body of fewer bytes than any file holds (SMALLEST_FILE_BYTES: 1 to
            # 8, whole, or of a Content-Length cut there: "stopped at 0 of 6432 bytes")
            if offset and response.status != 206:
                start = start or first_bytes(response)
                if len(start) < SMALLEST_FILE_BYTES:
                    sent = f"{counted(len(start), 'byte')}, too few to be the file" if start else "no byte of the file"
                    raise UserError(f"{url} answered the request to resume at byte {offset} with {sent} "
                                    f"(HTTP {response.status} {reply_text(response.reason, 40)}, its body "
                                    f"{'ended' if start else 'empty'} or broken off); the {size_text(offset)} "
                                    f"downloaded are kept in {partial}: run again later to resume, or fetch from "
                                    "another host with --base-url")
                # a server's error in text or JSON ("Service temporarily unavailable", of any Content-Type but a web
                # page's) over a part that begins as a file: written over and deleted, "gave a file beginning ...",
                # the part lost
                with open(partial, "rb") as file:
                    if is_file_start(file.read(len(start))) and not is_file_start(start):
                        raise UserError(f"{url} answered the request to resume at byte {offset} with bytes beginning "
                                        f"{printable(repr(start))}, not the file (HTTP {response.status} "
                                        f"{reply_text(response.reason, 40)}); the {size_text(offset)} downloaded are "
                                        f"kept in {partial}: run again later to resume, or delete it to fetch the "
                                        "file whole")
            # a 206 without Content-Range to a request for the whole file can only be the whole file
            if response.status == 206 and (offset or "Content-Range" in response.headers):
                first, last, total = _content_range(response)
                if not valid_range(first, last, total):
                    raise invalid_range(url, response, partial, offset)
                # a Content-Length past its range's bytes: read whole, they were joined to the part and the whole
                # deleted ("gave 2700 bytes instead of the 2688 announced"); one short of them is a part cut short
                most = last - first + 1  # the bytes it holds, by its Content-Range
                sent = content_length(response)
                if sent is not None and first <= last and sent > most:
                    raise longer_than_its_range(url, response, partial, offset, most, sent)
                at_end = first == total  # an empty range at the part's end (valid_range's): no byte of it is joined
                if total is None:
                    unsized_range = response.headers["Content-Range"]
                # a resume answered with a range from before the part's end (the whole file from byte 0: 'bytes
                # 0-<last>/<size>' or '/*'): its bytes the part holds are passed over. It started over, writing the
                # part from byte 0: a body past its range then left none of the part ("gave 2700 bytes instead of the
                # 2688 announced; the file was deleted"), and 'bytes 0-1499/*' to a part of 2000 bytes cut it to 1500
                if first <= offset <= last + 1:
                    skip = offset - first
                elif first == 0 and total is not None and last == total - 1:
                    offset = 0  # the whole file, shorter than the part (not its start): start over, as on a 200
                else:
                    raise UserError(
                        f"{url} answered the request to resume at byte {offset} with another range; delete "
                        f"{partial} and run again" if offset else
                        f"{url} answered a request for the whole file with a part of it (Content-Range "
                        f"'{reply_text(response.headers['Content-Range'], 80)}'); run again later, or fetch from "
                        "another host with --base-url")
            else:
                offset, total = 0, None  # the server sent the whole file: start over
            # a reply from byte 0 (offset - skip), a resume's too: every byte of the part is then the host's (compared
            # or written), of its version; unrecorded, a file changed on the host since had its rest joined to them.
            # One naming none (or a weak ETag) keeps the part's recorded one, whether it compared the part (skip) or
            # wrote it over (a 200, a start over): erased, a file changed since was spliced so too (exit code 0)
            if not offset - skip and (version_served(response) or not version):
                record_version(partial, version_served(response))
            # its bytes written (over the part, or past its end) are then of no known version: under the part's record
            # kept, a host that sent "v2" naming none, then "v1" again, had v1's rest joined to them (exit code 0)
            unversioned = UnversionedBytes(url, partial, version if not offset - skip and not version_served(response)
                                           else None)
            if asked_from and not offset:  # where the sizes line said "resumed" (by the HEAD's version), now whole
                print(restarted(url, asked_from, version, version_served(response), refused_size))
            length = content_length(response)
            if total is None and length is not None:  # a garbled length counts as none
                total = offset - skip + length
            if not at_end:  # its bytes, where it sent any (5 to a whole part), were joined to it and the whole deleted
                if not _receive(url, response, partial, offset, total, start, most, skip, unversioned):
                    # a body past its range without a Content-Length (chunked, or to the connection's end): joined,
                    # the whole deleted ("gave 2700 bytes instead of the 2688 announced"), as one of a Content-Length;
                    # of the whole file, installed where its size was not given ('bytes 0-2687/*')
                    if not os.path.getsize(partial):  # written over from byte 0 (_receive's), none of it kept
                        forget_partial(partial)
                    raise longer_than_its_range(url, response, partial, requested, most)
    size = os.path.getsize(partial)
    if total is not None and size < total:
        raise UserError(f"download of {url} stopped at {size} of {total} bytes; run again to resume")
    # Without a size from the server only the content can tell whether the file is whole.
    try:
        problem = validate(partial)
    except MarkedOpen:  # served so (copied while its writer had it open): "close it there" named no program here
        unversioned.keep()  # whole, of no version: resumed at its end once the mark is cleared
        raise UserError(f"{url} gave an HDF5 file marked open for writing by the program that wrote it (HDF5's mark, "
                        f"copied with it); it is kept in {partial}: clear the mark with `h5clear -s` and run again, "
                        "or delete it and fetch from another host with --base-url") from None
    if total is not None and size > total:
        problem = f"{size} bytes instead of the {total} announced"
    if problem and unsized_range:
        # its range may end before the file does (a host that sends some bytes a request): its bytes were taken for the
        # whole file and, failing the check, deleted ("gave not a complete HDF5 (.h5) file (...); the file was
        # deleted"), on every run. Its bytes of no version, kept so under the part's recorded one (a range ending
        # before the file, or its Content-Length short of its range), had that version's rest joined to them by the
        # run again, and installed (exit code 0): dropped, as where it is cut short
        unversioned.drop()
        size = os.path.getsize(partial)
        raise UserError(f"{url} sent a range of a file whose size it does not give (Content-Range "
                        f"'{reply_text(unsized_range, 80)}'), and the {size_text(size)} downloaded are not the whole "
                        f"file; they are kept in {partial}: run again to resume, or delete it to fetch the file whole")
    if problem and unsized_416:
        # deleted as a file that failed its check ("gave not a complete HDF5 (.h5) file; ... run again to download it
        # anew"), though it was the start of one (a REDS zip's: gigabytes)
        raise UserError(f"{url} refused to resume the download at byte {offset} (HTTP 416, giving no size of its "
                        f"file), and the {size_text(offset)} downloaded are not the whole file; they are kept in "
                        f"{partial}: run again later to resume, or delete it to fetch the file whole")
    if problem and (response.status == 416 or at_end):
        # the host sent nothing (its file is of the part's size, it said): the bytes checked are those an earlier run
        # downloaded, of a file beginning otherwise too, which "fetched again from this host it is the same" blamed on
        # the host, where a run again fetches the file whole (so an empty range at the part's end, which said so too)
        forget_partial(partial)
        said = ("refused to resume the download at byte {} (HTTP 416" if response.status == 416 else
                "answered the request to resume at byte {} with no byte (an empty range")
        raise UserError(f"{url} {said.format(offset)}, its file being of that size), and the {size_text(offset)} "
                        f"downloaded are {problem}; they were deleted, run again to download the file anew")
    if problem:
        zipped = url_filename(url).lower().endswith(".zip")
        start, kind = foreign_start(partial, zipped), "zip" if zipped else "HDF5"
        forget_partial(partial)
        if start and offset - skip:
            # its start is that of the part an earlier run downloaded (a page, another file's start), the rest joined
            # to it: "fetched again from this host it is the same, check --base-url" blamed the host, where a run again
            # fetches the file whole. Not of a range from byte 0 (offset - skip, its first byte), every byte of it the
            # host's, compared with the part's or written over them: that blamed the part, a second run needed
            raise UserError(f"{url}: the {size_text(offset)} downloaded before this run, the rest it sent joined to "
                            f"them, make {start}, no {kind} file; they were deleted, run again to download the file "
                            "anew")
        if start:  # fetched again, it is the same: "run again to download it anew" had it fetched on every run
            raise UserError(f"{url} gave {start}, no {kind} file: a page or another file in its place; it was deleted: "
                            "fetched again from this host it is the same, check --base-url or fetch from another host")
        raise UserError(f"{url} gave {problem}; the file was deleted, run again to download it anew")


def restarted(url, kept, version, served, refused_size=None):
    """The line of a download that was to resume from byte kept of a partial file of version (or None) and that the
    host answered with the whole file of version served (or None): another version than the partial file's (a host of
    several servers, each of its own ETag, answers a GET with another than its HEAD's), a host that does not resume, or
    a host's file shorter than the partial file (refused_size: the digits of the size a 416 reply to the resume gave,
    where it gave one; one larger than the partial file's was called shorter). The sizes line had said "resumed", and a
    whole file came without a word. A size of more digits than header_number reads (a 416 of 25 digits) was "the host
    does not resume (its file is the partial download's version)", a reply that gave a size taken for one that gave
    none."""
    refused = None if refused_size is None else header_number(refused_size)
    why = ("the host's file is shorter than the part downloaded" if refused is not None and refused < kept
           # its digits, the zeros before them none (header_number's): '00000' and 21 nines was "of 26 digits"
           else "the host refused to resume (HTTP 416), giving its file's size as a number of "
           f"{len(refused_size.lstrip('0'))} digits, which no file has" if refused_size is not None and refused is None
           else "the host's file is another version than the partial download's (ETag or Last-Modified "
           f"{reply_text(served, 40)}, not {reply_text(version, 40)})" if version and served and served != version else
           # of the partial download's version: "or its file is another version" said what its reply showed was not
           "the host does not resume (its file is the partial download's version)"
           if version and served == version and refused_size is None
           else "the host does not resume, or its file is another version than the partial download's")
    return printable(f"{url_filename(url)}: fetched whole, not resumed from the {size_text(kept)} downloaded: {why}")


def unasked_coding(response):
    """(header, its value) of a coding the reply's bytes were sent in that this script does not undo, or None: the file
    compressed, though urllib asks for identity, failed its check alike on every run. Every header of a name counts
    (the first alone let a second one's gzip through), and Transfer-Encoding too: http.client undoes a "chunked"
    alone ("gzip, chunked" was kept compressed and framed)."""
    for header in ("Content-Encoding", "Transfer-Encoding"):
        value = ", ".join(value.strip() for value in response.headers.get_all(header, []))
        chunked = header == "Transfer-Encoding" and getattr(response, "chunked", False)  # http.client undid it
        undone = ("", "identity", "chunked") if chunked else ("", "identity")
        codings = [coding.strip().lower() for coding in value.split(",")]
        if any(coding not in undone for coding in codings):
            return header, value
    return None


# the first bytes of a zip (utils.zips) and of an HDF5 file
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
FILE_SIGNATURES = (*ZIP_SIGNATURES, HDF5_SIGNATURE)
SMALLEST_FILE_BYTES = 22  # of a zip, its end record alone; an HDF5 file's superblock alone is larger


def foreign_start(path, is_zip):
    """How a downloaded file that failed its check begins, as part of a line, where that is not how a zip (is_zip) or
    an HDF5 file begins (at byte 0, or of an HDF5 file past a user block, at 512, 1024, 2048...); else None. Such a file
    (a server's page sent as text/plain, the file gzipped, another file in its place, an empty body) was "a corrupt zip"
    or "not a complete HDF5 (.h5) file", deleted with "run again to download it anew", and fetched and deleted alike
    on every run."""
    size = os.path.getsize(path)
    if not size:
        return "an empty file"
    offsets = [0] if is_zip else [0] + [512 << power for power in range(64) if 512 << power < size]
    with open(path, "rb") as file:
        start = file.read(24)
        for offset in offsets:
            file.seek(offset)
            head = file.read(len(HDF5_SIGNATURE))
            # a file cut within its first bytes (no size sent) begins as a signature does
            if any(head[:len(signature)] == signature[:len(head)]
                   for signature in (ZIP_SIGNATURES if is_zip else (HDF5_SIGNATURE,))):
                return None
    return f"a file beginning {printable(repr(start))}"


def web_page(response, offset):
    """(the Content-Type of a reply that is a web page, not a zip or HDF5 file, or None; the bytes of the body read to
    tell, which go to the file first). A captive portal answers every plain HTTP request, REDS's host's among them,
    with its sign-in page. A reply labelled a page is the file where its bytes say so: a 206 of the range asked for
    (at a resume), or a body that begins as a zip or HDF5 file does (a misconfigured server labels files it does not
    know text/html: they were refused on every run). Its first bytes are read whole (peek gave what one chunk held: a
    page "P..." sent a byte a chunk began as a zip does, and at a resume it replaced the part downloaded)."""
    content_type = response.headers.get("Content-Type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in ("text/html", "application/xhtml+xml"):
        return None, b""
    if response.status == 206 and offset and _content_range(response)[0] == offset:
        return None, b""
    start = first_bytes(response)
    return (None if is_file_start(start) else content_type), start


def is_file_start(data):
    """Whether bytes begin as a zip or an HDF5 file does (FILE_SIGNATURES)."""
    return any(data.startswith(signature) for signature in FILE_SIGNATURES)


def first_bytes(response):
    """The body's first bytes, as many as the smallest file holds (SMALLEST_FILE_BYTES, more than the longest of
    FILE_SIGNATURES; fewer where it ends first), read whole; none where it breaks off before them (nothing then says
    it is the file)."""
    read = b""
    try:
        while len(read) < SMALLEST_FILE_BYTES:
            block = response.read1(SMALLEST_FILE_BYTES - len(read))
            if not block:
                break
            read += block
    except (OSError, http.client.HTTPException, ValueError):
        return b""
    return read


def another_file(response, offset, version):
    """Whether the reply to a request to resume at offset shows that the server's file is not the one whose start
    the partial file holds (its rest would be joined to the start of another): a 206 of another version (from a
    server that ignores If-Range), or a 416 that gives a size other than the partial file's."""
    if response.status == 416:
        size = the_416s_size(response)
        return size is not None and header_number(size) != offset
    return response.status == 206 and version is not None and version_served(response) not in (None, version)


def the_416s_size(response):
    """The digits of the size of the host's file a 416 reply gives (Content-Range 'bytes */<size>'), or None."""
    match = re.fullmatch(r"bytes\s*\*/([0-9]+)", response.headers.get("Content-Range", "").strip(), re.IGNORECASE)
    return match.group(1) if match else None


def _receive(url, response, partial, offset, total, start=b"", most=None, skip=0, unversioned=None):
    """Write the reply's body to partial from byte offset; start: its first bytes, already read (web_page). most: the
    bytes its Content-Range says it holds, where it is a range: a body past them (of no Content-Length: chunked, or to
    the connection's end) is cut off the partial file again, which is left as it was (or as far as it agreed with the
    body, below), and False returned. skip: the body's first bytes, which the partial file holds already (a range from
    before its end): compared with them, and where they differ (the part another file's start, or damaged) the partial
    file is cut there and the body written from there on, a line saying so once the body is written whole.
    unversioned: the UnversionedBytes of a body naming no version over a partial file of a recorded one, begun at the
    body's first byte that the partial file does not hold, and broken off or cut short, dropped (those before it are of
    the recorded version, the body agreeing). Returns False where the body passed its range, else True."""
    written, differs_at, downloaded = 0, None, offset  # downloaded: the part's bytes before this reply
    unversioned = unversioned or UnversionedBytes(url, partial, None)
    # the byte the body ends before: the file's size, or a range's end where its Content-Range gives no size ('bytes
    # 0-2687/*', to the connection's end): one cut short so kept its bytes of no version under the part's recorded one
    end = total if total is not None or most is None else offset - skip + most
    # unbuffered: a buffered write failed at the close, past the except below (`ulimit -f`, a full disk)
    with open(partial, "r+b" if offset else "wb", buffering=0) as file, \
            tqdm(total=total, initial=offset, unit="B", unit_scale=True, unit_divisor=1024,  # as size_said counts
                 desc=url_filename(url)) as bar:
        file.seek(offset - skip)
        # the body's bytes received, not yet written (past the part's end): gathered to CHUNK_BYTES a write, where each
        # block was written as it came, a chunked reply's blocks of 1 KiB each a write of its own, the part unbuffered
        pending = bytearray()

        def write_pending():
            while pending:  # a write stops short at a limit, the next one raising its error
                del pending[:file.write(pending)]
        try:
            # read1: the bytes at hand (read() gathered 64 KiB first, and a stall or break dropped what it had
            # gathered: the part a link that stalls before 64 KiB each time got never grew); written at a break
            for chunk in itertools.chain([start], iter(lambda: response.read1(CHUNK_BYTES), b"")):
                # compared before a body past its range is refused: a block that held both kept the part whole, its
                # damage in it, where across blocks the part was cut at its first byte that differs
                held = min(len(chunk), max(0, skip - written))  # its bytes the partial file holds
                on_disk = file.read(held) if held else b""
                if chunk[:held] != on_disk:
                    # passed over unread, a part of another file of one layout, its rest joined to it, was installed
                    # as the file (exit code 0), and a damaged one kept its damage, the host's bytes in hand
                    agreed = len(os.path.commonprefix([chunk[:held], on_disk]))
                    file.seek(agreed - held, os.SEEK_CUR)
                    file.truncate()
                    bar.update(file.tell() - offset)  # back to the cut (it counted past the file's size)
                    differs_at, offset, skip, held = file.tell(), file.tell(), 0, agreed
                written += len(chunk)
                if most is not None and written > most:
                    file.truncate(offset)  # to before the body's first byte written: of the recorded version alone
                    unversioned.cut_off()
                    return False
                if len(chunk) > held:
                    unversioned.begin(file.tell())
                pending += memoryview(chunk)[held:]
                if len(pending) >= CHUNK_BYTES:
                    write_pending()
                bar.update(len(chunk) - held)
            write_pending()
        # ValueError: http.client reading a negative chunk size ("-5") as a length to read; KeyboardInterrupt: a stop
        # (Ctrl-C, SIGTERM), which kept the bytes of no version (below), the run again joining the recorded version's
        # rest to them (exit code 0)
        except (OSError, http.client.HTTPException, ValueError, KeyboardInterrupt) as error:
            with suppress(OSError):  # the bytes received before a break are kept (a write's own error: met again)
                write_pending()
            # before an error raised as it is: past `ulimit -f` the bytes of no version were kept under the part's
            # recorded version, and the run again, the limit raised, joined that version's rest to them (exit code 0)
            unversioned.drop()
            # past `ulimit -f`: write_atomically names the limit ("broke off; run again to resume" failed on every run),
            # and a disk made read-only (or the part's permissions taken) while written: "broke off ([Errno 30]
            # Read-only file system); run again to resume" blamed the link, a run again refused alike
            if isinstance(error, KeyboardInterrupt) or getattr(error, "errno", None) in (errno.EFBIG, *NOT_WRITABLE):
                raise
            if disk_full(error, partial):
                raise UserError(f"no space left on the disk of '{partial}' for {url_filename(url)} "
                                f"({size_text(total)}); free some space and run again to resume")
            raise UserError(f"download of {url} broke off ({error_reason(error)}); "
                            "run again to resume")
        dropped = unversioned.start is not None and end is not None and file.tell() < end  # cut short
        if dropped:
            unversioned.drop()
    # the sizes line said "resumed", and the part was written over without a word (not where that was dropped)
    if differs_at is not None and not dropped:
        print(printable(f"{url_filename(url)}: the {size_text(downloaded)} downloaded differ from the host's bytes "
                        f"from byte {differs_at} on: written over from there, not resumed"))
    return True


class UnversionedBytes:
    """The bytes a reply naming no version writes to a partial file whose recorded version it keeps (_fetch_whole's: a
    reply from byte 0, comparing the part or writing it over) and their record: where they begin in the partial file
    (start, None where none is written or they were dropped). Under the record kept, a host that sent "v2" naming none,
    then "v1" again, had v1's rest joined to them and installed (exit code 0). Of a version None (a part of none, or a
    reply naming one), it does nothing."""

    def __init__(self, url, partial, version):
        self.url, self.partial, self.version = url, partial, version
        self.start = None

    def begin(self, position):
        """Before the first of them is written, at position: the record says no version (a run again fetches the
        file whole, damaged_record). Marked only once they were dropped, a disk made read-only mid-write (the cut
        refused as the writes) kept them under the recorded version, the run again splicing its rest to them."""
        if self.version and self.start is None:
            write_bytes(version_path(self.partial), "\n", mode="w")
            self.start = position

    def cut_off(self):
        """The partial file was cut back to before them (a body past its range): its record restored."""
        if self.start is not None:
            record_version(self.partial, self.version)
            self.start = None

    def drop(self):
        """Cut the partial file back to their start (broken off, or short of the whole file) and restore its record,
        saying so: the sizes line said "resumed", and the bytes they replaced are asked for again."""
        if self.start is None:
            return
        os.truncate(self.partial, self.start)
        record_version(self.partial, self.version)
        print(f"{url_filename(self.url)}: the host named no version (ETag or Last-Modified) of the bytes it sent from "
              f"byte {self.start} on, where the partial download's is recorded; short of the whole file, they were "
              "dropped")
        self.start = None

    def keep(self):
        """Keep them, the whole file, under no record: a run again resumes at its end."""
        if self.start is not None:
            record_version(self.partial, None)


UNPACKED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)  # zipfile's own


def zip_problem(path):
    """None if path is a zip whose every member passes its CRC check, else what is wrong. A zip of a member compressed
    by a method zipfile lacks (Windows writes Deflate64 for large files), which may be whole, is a UserError, the file
    kept: deleted as corrupt, it was downloaded again (REDS's: tens of GB) and refused again on every run."""
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                if member.compress_type not in UNPACKED_METHODS:
                    raise UserError(f"the zip '{path}' holds {printable(repr(member.filename))} compressed by method "
                                    f"{member.compress_type} "
                                    f"({zipfile.compressor_names.get(member.compress_type, 'unknown')}), which this "
                                    "script cannot unpack; it is kept: unpack it into its folder with another program "
                                    "(7z) and run again, which then deletes it, or delete it and fetch from another "
                                    "host with --base-url")
            encrypted = first_encrypted(archive.infolist())
            if encrypted:  # it may be whole: deleting it cannot help
                raise UserError(f"the zip '{path}' holds {printable(repr(encrypted.filename))} encrypted (with a "
                                "password), which this script cannot unpack; it is kept: unpack it into its folder "
                                "with another program and its password (7z x -p) and run again, which then deletes "
                                "it, or delete it and fetch from another host with --base-url")
            bad_member = archive.testzip()
    except ZIP_ERRORS as error:
        return f"a corrupt zip ({error_reason(error)})"
    return f"a corrupt zip (member '{bad_member}' fails its CRC check)" if bad_member else None


def hdf5_problem(path, names=None, fetched=False):
    """None if path is an HDF5 file whose every dataset reads in full, else what is wrong. HDF5 records the
    file's length in its superblock, so a truncated file fails to open. names: the datasets its reader reads (as
    read_weight_file takes them), where it passes over others, as this does: one of them that cannot be read here (of
    a type numpy lacks, or compressed by a filter this HDF5 lacks) had such a file, which the reader reads, refused
    (to be fetched from another host), and one never written whole deleted and fetched again on every run. fetched:
    path is the file as its host sent it, whole (not one in place): one of a parameter never written whole is so on
    the host (copied or saved while its writer wrote; bytes damaged on the way fail to open or fail a checksum), a
    UserError, the file kept: deleted, it was fetched again and refused alike on every run (VGG19's: 550 MB), where a
    run again now asks the host for the bytes past its end alone (a whole new file if the host's has changed)."""
    datasets = []
    try:
        with open_to_read(path, f"the HDF5 file '{path}'") as h5:
            datasets, checked = named_datasets(h5, names or ()), set()
            for name, dataset in datasets:
                # a hard link to one checked under another name is checked (its every value read) once
                if names is not None and name not in names or dataset.id in checked:
                    continue
                checked.add(dataset.id)
                compression = missing_filter(dataset)
                if compression:  # it may be whole: deleting it cannot help
                    raise UserError(f"the HDF5 file '{path}' holds its parameter '{printable(dataset.name)}' "
                                    f"{compression}; it is kept: run again once HDF5 has the plugin, or delete it and "
                                    "fetch from another host with --base-url")
                unknown = unknown_type(dataset)
                if unknown:  # it may be whole: deleting it cannot help
                    raise UserError(f"the HDF5 file '{path}' holds its parameter '{printable(dataset.name)}' of values "
                                    f"of a type numpy lacks ({unknown}), which cannot be read; it is kept: delete it "
                                    "and fetch from another host with --base-url")
                problem = dataset_problem(dataset, os.path.getsize(path))
                if problem and fetched and unwritten(dataset):
                    raise UserError(f"the HDF5 file '{path}' is not complete as its host holds it ({problem}: never "
                                    "written whole, a copy or save cut short); it is kept: fetched again from this "
                                    "host it is the same; delete it and fetch from another host with --base-url")
                if problem:
                    return f"not a complete HDF5 (.h5) file ({problem})"
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        return f"not a complete HDF5 (.h5) file ({error_reason(error)})"
    if not datasets and fetched:  # as its host holds it, whole: deleted, it was fetched again on every run
        raise UserError(f"the HDF5 file '{path}' holds no parameters as its host holds it; it is kept: fetched again "
                        "from this host it is the same; delete it and fetch from another host with --base-url")
    return None if datasets else "an HDF5 (.h5) file without any parameters"


CHECK_BYTES = 1 << 24  # of a dataset read at a time by its check


def dataset_problem(dataset, file_bytes):
    """None once every value of an HDF5 dataset has been read (a checksum that fails raises OSError), else what is
    wrong. Read CHECK_BYTES at a time (dataset_slices): read whole, VGG19's fc6 (411 MB) was numpy's MemoryError, a
    traceback, under a memory limit its download fitted. A dataset of values the file never wrote (HDF5 reads its
    fill value: hundreds of GB of them, declared in a file of 2 kB) is no parameter written whole (unwritten)."""
    if unwritten(dataset):
        return (f"its parameter '{printable(dataset.name)}' declares {size_text(dataset.nbytes)} of values in a file "
                f"of {size_text(file_bytes)}")
    for index in dataset_slices(dataset.shape or (), dataset.dtype.itemsize):  # None: an empty dataspace
        dataset[index]
    return None


def dataset_slices(shape, itemsize):
    """Indexes that together read every value of an array of shape, each at most CHECK_BYTES (one value at the
    least): slices along the first axis past which a value's rest fits (slicing the first axis alone read a (1, N)
    array whole)."""
    total = itemsize * int(np.prod(shape, dtype=object))
    if total <= CHECK_BYTES:  # the whole array (a scalar among them)
        yield ()
        return
    axis, row = 0, total // shape[0]  # row: the bytes of one index of axis, with the axes after it
    while row > CHECK_BYTES:
        axis += 1
        row //= shape[axis]
    step = CHECK_BYTES // row
    for outer in np.ndindex(*shape[:axis]):
        for start in range(0, shape[axis], step):
            yield outer + (slice(start, start + step),)


def fetch_archive(url, archive):
    """Download a zip and unpack it in its folder; a marker file records that it is done. A zip whose bytes cannot
    be unpacked (DamagedZip) is deleted, so that the next run downloads it again; one whose members are refused
    (UnsafeZip) or whose folder refuses them is kept: fetched again, it was refused alike on every run."""
    folder, name = os.path.split(archive)
    marker = unpacked_marker(archive)
    gone = files_gone(archive)
    if gone == []:
        if os.path.exists(archive):  # a run stopped between writing the marker and deleting the zip
            remove_file(archive)
        print(f"{name}: already unpacked in {printable(folder)}/, skipped")
        return
    if gone:
        print(f"{name}: {len(gone)} of its files are no longer in {printable(folder)}/ (e.g. {printable(gone[0])}); "
              "downloading it again")
    make_destination_folder(folder)
    # a whole zip kept (one of a method zipfile lacks) whose files another program (7z) has unpacked, as its refusal
    # advises: it was refused on every run, the zips after it never fetched, and once deleted, downloaded again
    kept = [path for path in (archive, partial_path(archive)) if os.path.isfile(path)]
    names = unpacked_already(kept[0], folder) if kept else None
    if names is not None:
        # a REDS zip of no REDS frame (one of no files, or of others already there) was said done, its check skipped
        check_layout(kept[0], name)
        print(f"{name}: its files are already in {printable(folder)}/ (unpacked by another program); deleting the zip")
    else:
        download(url, archive, zip_problem)
        check_layout(archive)
        try:
            names = extract_zip(archive, folder, reserved=own_names(archive))
        except (UnpackBlocked, NameRefused) as error:  # fetched again, the zip is refused alike
            raise UserError(f"cannot unpack {name}: {error}, then run again (the zip is kept in {archive})")
        except UnsafeZip as error:  # fetched again from this host, it is refused alike: deleted, it was on every run
            raise UserError(f"{error} (the zip is kept in {archive}: fetched again from this host it is refused alike; "
                            "delete it and fetch from another host with --base-url)")
        except UserError as error:
            remove_file(archive)
            raise UserError(f"{error}; deleted {archive}, the next run downloads it again")
    # a newline in a name is written as "\\n" (utils.zips refuses every name holding a backslash, so this reads back
    # alone): as it was, the name read as two, neither found, and the zip was fetched again on every run
    write_bytes(marker, "\n".join(name.replace("\n", "\\n") for name in names) + "\n", mode="w")
    if os.path.exists(archive):
        remove_file(archive)
    forget_partial(partial_path(archive))


def check_layout(archive, name=None):
    """UserError, the zip kept, for a zip of this script's (by its name) that holds none of the frames its readers
    read (a mirror's zip of another layout, or of other files). Of REDS's: no frame where datasets/reds.py reads its
    sequences': unpacked, it was reported done, and train.py then called the folder "not a REDS folder as
    download_test_data.py --reds unpacks it", or said a sequence lacked its frames (named '0000.png' or
    '00000000.jpg', or in a folder '0'), "run download_test_data.py --reds again", where a run again skipped it as
    done. Of the evaluation data's (vid3_LR.zip...): no frame, as one of other files (an .h5) was unpacked and said
    done, and generate.py and evaluate.py found no frames in LR/ or HR/. name: the zip's own name, of archive a partial
    file of it."""
    name = name or os.path.basename(archive)
    data_zips = {url_filename(url) for url, _ in DATA_ARCHIVES}
    if name not in REDS_LAYOUT and name not in data_zips:
        return
    with zipfile.ZipFile(archive) as opened:  # whole and valid: download checked it
        # {path: its member}, from the zip's list
        members = {"/".join(step for step in member.filename.split("/") if step != "."): member
                   for member in slash_separated(opened) if not member.is_dir()}
        if name in data_zips:
            try:
                checked_members(opened, name)
            except UnsafeZip:  # an unsafe member is named by the unpack, which refuses it whatever else it holds
                return
        files = list(members)
        first = f"its first file: {printable(repr(files[0]))}" if files else "it holds no file"
        if name in data_zips:
            # as the readers take them (utils.frame_names.is_frame_path, the page's reader's too): not hidden, nor in a
            # hidden folder or macOS's __MACOSX (a zip of macOS's '__MACOSX/._0001.png' alone, its metadata beside each
            # frame of a zip made on a Mac, was unpacked and said done)
            frames = [file for file in files if is_frame_path(file)]
            if not frames:
                raise UserError(f"{archive} is not the TecoGAN authors' {name}: it holds no frame (a "
                                f"{', '.join(IMAGE_EXTENSIONS[:-1])} or {IMAGE_EXTENSIONS[-1]} file), which "
                                f"generate.py and evaluate.py read ({first}); it is kept: delete it and fetch from "
                                "another host with --base-url")
            unreadable_frames(opened, archive, f"the TecoGAN authors' {name}", frames, members,
                              "generate.py and evaluate.py")
            return
        part, count = REDS_LAYOUT[name]
        frames = [file for file in files
                  if file.startswith(part + "/") and is_reds_frame_file(file[len(part) + 1:], count)]
        if not frames:
            named = f"{reds_frame_name(0)}..{reds_frame_name(REDS_FRAMES - 1)}"
            raise UserError(f"{archive} is not REDS's {name}: it holds no frame {part}/NNN/NNNNNNNN.png (sequences "
                            f"000..{count - 1:03d}, frames {named}), where train.py reads its sequences ({first}); it "
                            "is kept: delete it and fetch from another host with --base-url")
        unreadable_frames(opened, archive, f"REDS's {name}", frames, members, "train.py")


ZEROED_BYTES = 16  # of a frame's first bytes that are zeros (or another byte repeated) where it is no picture


def unreadable_frames(opened, archive, what, frames, members, readers):
    """UserError, the zip kept, where a frame of a zip of frames (opened; frames: their paths, members: {path: its
    member}) is empty, or begins with ZEROED_BYTES zeros, where every picture format begins with its signature: no
    frame of the authors' or REDS's is so. A zip of frames of 0 bytes was unpacked and said done, its readers then
    refusing each frame, and a run again skipped it as done; the sizes are the zip's list's, read at no cost. So was one
    of frames of zeros (copied from files a download had allocated and never written; each passes its CRC, of the
    zeros): a member's first bytes are read as the zip's list names them (its cost: docs/benchmarks.md), zeros alone
    refused (the tests' zips serve frames of random bytes, whose first 16 are zeros once in 2**128). Another byte 16
    times over is no picture's start either: frames of 0xFF (erased flash memory's) or of spaces were unpacked and said
    done, as those of zeros were."""
    empty = [frame for frame in frames if not members[frame].file_size]
    repeated = {} if empty else {frame: repeated_at_start(opened, members[frame]) for frame in frames}
    zeroed = [frame for frame in frames if repeated.get(frame) is not None]
    if empty or zeroed:
        bad = empty or zeroed
        byte = None if empty else repeated[bad[0]]
        said = ("empty (0 bytes" if empty else
                "zeros where a picture begins with its format's signature (no picture" if not byte else
                f"the byte 0x{byte:02x} repeated where a picture begins with its format's signature (no picture")
        raise UserError(f"{archive} is not {what}: {counted(len(bad), 'frame')} of its {len(frames)} "
                        f"{'is' if len(bad) == 1 else 'are'} {said}; {printable(repr(bad[0]))}), which "
                        f"{readers} cannot read; it is kept: delete it and fetch from another host with --base-url")


def repeated_at_start(opened, member):
    """The byte a member of the zip opened begins with ZEROED_BYTES of (0 too of one shorter that is all zeros), or
    None; None too where they cannot be read here (encrypted, of a method zipfile lacks: a zip another program
    unpacked, as its refusal advises), which its own check names."""
    try:
        with opened.open(member) as data:
            start = data.read(ZEROED_BYTES)
    except ZIP_ERRORS:
        return None
    if not start or start.count(start[0]) != len(start) or start[0] and len(start) < ZEROED_BYTES:
        return None
    return start[0]


def own_names(archive):
    """{path: what it is} of the files this script keeps beside a zip, which none of its members may take: each zip of
    its folder (another's too: REDS/ and LR/ hold two), its partial file, version record and done-marker. Unpacked, a
    member named as a partial file was deleted with it (or taken for the start of the other zip's download) and the
    zip fetched again on every run, one named as the done-marker was written over by it, and one named as the zip
    itself was "already there" (to be moved away)."""
    folder = os.path.dirname(archive)
    names = {}
    for url in [url for url, _ in DATA_ARCHIVES] + REDS_ARCHIVES:
        zip_path = os.path.join(folder, url_filename(url))
        partial = partial_path(zip_path)
        names.update({zip_path: f"the zip {url_filename(url)}",
                      partial: f"the file {url_filename(url)} is downloaded into",
                      version_path(partial): f"the record of {url_filename(url)}'s partial download",
                      unpacked_marker(zip_path): f"the record that {url_filename(url)} is unpacked"})
    return names


def files_gone(archive):
    """None if the zip was not unpacked (or its done-marker is damaged); else the files its done-marker lists
    (one member name a line) that are no longer in its folder: deleted since (say, to free space, or to unpack it
    again), which the marker alone would have the run skip as done."""
    marker = unpacked_marker(archive)
    if not os.path.exists(marker):
        return None
    if not os.path.isfile(marker):  # reading a pipe would wait for a writer
        return []
    names = unpacked_names(archive)
    if names is None:
        return None
    # A file is looked for: a folder in its place is none.
    folder = os.path.dirname(archive)
    return [name for name in names if not name.endswith("/")
            and not os.path.isfile(os.path.join(folder, *(part for part in name.split("/") if part != ".")))]


def read_names(destination):
    """The names of the datasets the program reads of a weight file this downloads, or None: every one (read_weight_file
    refuses a file of one it cannot read). Of alex_with_LPIPS.h5, utils.lpips reads its parameters alone."""
    if os.path.basename(destination) == url_filename(WEIGHT_FILES[-1]):
        logging.getLogger("nnabla").setLevel(logging.WARNING)  # its import logs its start-up, a line among the bars
        from utils.lpips import parameter_shapes  # it imports NNabla: for that file alone
        return set(parameter_shapes())
    return None


def weight_problem(path, destination, names):
    """download's check of a weight file at path (destination, or its partial file as fetched): hdf5_problem, then of
    alex_with_LPIPS.h5 (names given: read_names), the LPIPS reader's own check of its layout, a UserError, the file
    kept.
    A file of its parameters missing, under a group, of another shape or of NaN was said done (and skipped as there
    on every run again), and evaluation refused it, "fetch them again with download_test_data.py --weights"."""
    fetched = path != destination
    problem = hdf5_problem(path, names, fetched)
    if problem is None and names is not None:
        from utils.lpips import load_lpips_weights  # imported by read_names
        load_lpips_weights(path, "it is kept: " + ("fetched again from this host it is the same; delete it and fetch "
                                                   "from another host with --base-url" if fetched else
                                                   "delete it and run again"))
    return problem


def make_destination_folder(folder):
    """os.makedirs(folder), every error one line: a full disk's as room_to_create's, a disk made read-only (or the
    output folder's permissions taken, or it removed) since the run's check as folder_changed's; each was a traceback.
    So was a name taken since by no folder (a file, a link to a missing folder, a pipe: FileExistsError), and EIO."""
    with room_to_create():
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as error:
            if error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise
            changed = folder_changed(error.filename or folder, error, "create")
            if changed:
                raise changed from None
            if error.errno == errno.EEXIST:  # made since check_destinations, which refuses it before a byte is fetched
                what = "a symbolic link" if os.path.islink(folder) else not_a_file(folder) or "a file"
                raise UserError(f"cannot create the folder '{folder}': {what} of that name is there now, made while "
                                "this ran; move it away and run again") from None
            raise UserError(f"cannot create the folder '{folder}' ({error.strerror or error_reason(error)}); check "
                            "its disk, then run again") from None


def fetch_weight_file(url, destination):
    make_destination_folder(os.path.dirname(destination))
    names = read_names(destination)
    if not download(url, destination, lambda path: weight_problem(path, destination, names)):
        print(f"{printable(destination)}: already there, skipped")


def planned_files(args):
    """[(fetch function, url, destination)] of every file this run may write: the zips (into LR/, HR/) and
    the weights (into weights/)."""
    files = []
    if not args.no_data:
        files += [(fetch_archive, url, os.path.join(folder, url_filename(url)))
                  for url, folder in DATA_ARCHIVES]
    if args.weights:
        files += [(fetch_weight_file, url, os.path.join("weights", url_filename(url)))
                  for url in WEIGHT_FILES]
    if args.reds:
        files += [(fetch_archive, url, os.path.join(REDS_FOLDER, url_filename(url))) for url in REDS_ARCHIVES]
    return [(fetch, with_base_url(url, args.base_url), os.path.join(args.output_dir, destination))
            for fetch, url, destination in files]


def remote_size(url):
    """(the size the server announces for url (a HEAD request), or None when it does not say; the version it names,
    version_served's, or None). A size of 0 is none said: no file this script fetches is empty (one sent so is
    refused), and a host whose HEAD replies say 0 (a proxy's, a server's of HEAD not configured) sends the file to a
    GET: it was left out of the sizes line as a partial file already whole, and fetched unannounced."""
    redirects = _RedirectHandler()
    try:
        with open_url(urllib.request.Request(url, method="HEAD"), redirects) as response:
            return content_length(response) or None, version_served(response)
    except (urllib.error.URLError, OSError) as error:
        if isinstance(getattr(error, "reason", error), TimeoutError):  # the download would wait as long again
            raise unreachable(url, error, redirects.redirected_to)
        return None, None
    except (http.client.HTTPException, ValueError, OverflowError):  # as _open's errors
        return None, None


def size_text(size):
    return "size unknown" if size is None else size_said(size)


def zip_in_place(path):
    """Whether path is a zip whose list of members reads and whose members' own headers do, which the run unpacks
    rather than fetches (each member's CRC is checked as it is unpacked); one of size 0, or cut short (a browser's
    download stopped), is fetched again, and was left out of the sizes line as in place (REDS's: tens of GB not
    announced). So is one whose members' headers are not there: a downloader that preallocates the whole file and
    fetches its parts at once, stopped, leaves zeros where its parts were not written, the end's list of members among
    what it wrote. A header is 30 bytes and its name, read for each member, where reading every member's bytes (the CRC
    check) would read the whole zip before the sizes line, then again to unpack it (both measured in docs/testing.md's
    twenty-second pass); zeros inside one member alone are found by that check, which names the zip as it fetches it
    again."""
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                try:
                    archive.open(member).close()  # its header read: its signature and name, not its data
                except (RuntimeError, NotImplementedError):  # encrypted, or of a method zipfile lacks: header read
                    pass
            return True
    except ZIP_ERRORS:  # FileNotFoundError among them
        return False


def kept_size(destination, size, served):
    """The bytes a run resumes from, of a file of size (or None) whose host names its version served (or None): its
    partial file's size, or 0 where it is fetched whole (none, not a file, longer than the host's file, or of a version
    record a run does not resume from, or not the host's version: _fetch_whole's)."""
    partial = partial_path(destination)
    version = recorded_version(partial)
    if not os.path.isfile(partial) or damaged_record(version) or (version and served and served != version):
        return 0
    kept = os.path.getsize(partial)
    return kept if size is None or kept <= size else 0


def announce_sizes(files):
    """Print what this run will fetch and its size, before it starts; files already in place are left out: a zip
    unpacked, and one in place not unpacked yet (a zip the user placed there, one kept as refused), which was listed
    "to download" with its size on the host (REDS's: tens of GB), none of it fetched."""
    pending = [(fetch, url, destination) for fetch, url, destination in files
               if (not zip_in_place(destination) and files_gone(destination) != [] if fetch is fetch_archive
                   else not os.path.exists(destination))]
    # a partial file is resumed: a kept one already whole (refused as its host holds it) was listed "to download" at
    # its whole size, and one half fetched at the whole size too, where the run asks for its bytes past its end alone
    sizes = [(size, kept_size(destination, size, served))
             for (size, served), destination in ((remote_size(url), destination) for _, url, destination in pending)]
    pending = [(entry, size) for entry, size in zip(pending, sizes) if size[0] is None or size[1] < size[0]]
    if not pending:
        return
    left = [None if size is None else size - kept for _, (size, kept) in pending]
    total = "" if None in left else f", {size_text(sum(left))} in all"
    # a partial file beside a host that gives no size (a HEAD of 0) is resumed as well: it was "(size unknown)" alone
    listed = ", ".join(f"{url_filename(url)} ({size_text(size)}" + (
        "" if not kept else f" of {size_text(whole)}, resumed" if size is not None
        else f", resumed from the {size_text(kept)} downloaded") + ")"
        for ((_, url, _), (whole, kept)), size in zip(pending, left))
    # weights alone are renamed into place: the line said so of zips where none was to be fetched
    unpacking = ("; each zip needs about its size again while it is unpacked"
                 if any(fetch is fetch_archive for (fetch, _, _), _ in pending) else "")
    print(f"to download: {listed}{total}{unpacking}")


def check_destinations(output_dir, files):
    """Refuse, before anything is written, a destination (or its folder, or its partial file) that is a
    folder, a file, under a file or not writable, and a partial file that is not one this script wrote: a
    symbolic link would have the download appended to (or written over) the file it leads to, even outside
    the output folder, and a pipe would wait for a reader without end. A zip's done-marker that is no file
    (a folder) had the zip skipped as unpacked, its files unchecked."""
    output_folder(output_dir, "--output-dir")
    for fetch, _, destination in files:
        folder = os.path.dirname(destination)
        output_folder(folder, "output folder")
        if os.path.isdir(folder):
            partial = partial_path(destination)
            # before output_file: of a folder there, its "give a file name inside it" named no name the user gave
            for path, what in ((partial, "grows there until it is whole"),
                               (version_path(partial), "records there the version its partial file holds")):
                kind = "a symbolic link" if os.path.islink(path) else not_a_file(path)
                if kind:
                    raise UserError(f"'{path}' is {kind}, not a file this script wrote (the download of "
                                    f"{os.path.basename(destination)} {what}); move it away and run again")
            for path in (destination, partial):
                output_file(path, "download destination")
            marker = unpacked_marker(destination)
            if fetch is fetch_archive and os.path.exists(marker) and not os.path.isfile(marker):
                raise UserError(f"'{marker}', which records that {os.path.basename(destination)} is unpacked and its "
                                "files, is not a file; move it away and run again")
            if not_a_file(destination):  # a pipe: checking the file in place would wait for a writer
                raise UserError(f"download destination '{destination}' is a pipe or device; move it away and run "
                                "again")


def parse_args(argv=None):
    parser = FlagParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output-dir", default=".",
                        help="folder that receives LR/, HR/ and weights/ (default: the current folder)")
    parser.add_argument(
        "--weights",
        action="store_true",
        help="also download tecogan_model.h5, frvsr_model.h5, vgg19.h5 and alex_with_LPIPS.h5 "
        "into <output-dir>/weights/")
    parser.add_argument("--no-data", action="store_true", help="skip the LR/HR evaluation data")
    parser.add_argument(
        "--reds",
        action="store_true",
        help="also download REDS's train_sharp.zip and val_sharp.zip (tens of GB; the sizes are "
        "printed first) into <output-dir>/REDS/, for train.py's data.layout reds")
    parser.add_argument(
        "--base-url",
        default=None,
        help="fetch everything from this host instead (e.g. a mirror or a local test server); "
        "the paths stay those of the official URLs (default: the official hosts)")
    return parser.parse_args(argv)


def run(args):
    if args.no_data and not args.weights and not args.reds:
        raise UserError("nothing to do: --no-data without --weights or --reds")
    # an unset shell variable's (--base-url "$MIRROR"): the official hosts were asked without a word, and offline
    # the line named nnabla.org ("Name or service not known") for a run given a mirror
    refuse_empty(args, "--base-url")
    files = planned_files(args)
    check_destinations(args.output_dir, files)
    # a run that fails (say, offline) leaves no empty folder behind
    with ExitStack() as claim:
        make_folder(args.output_dir, claim)
        # a second run into the folder would write the same partial files: one truncated the other's
        claim.enter_context(lock_folder(args.output_dir, "--output-dir"))
        announce_sizes(files)
        folders = sorted({os.path.dirname(destination) for _, _, destination in files})
        new_folders = sorted({missing for folder in folders for missing in missing_folders(folder)})  # parents first
        try:
            for fetch, url, destination in files:
                fetch(url, destination)
        finally:
            for folder in reversed(new_folders):  # a disk made read-only meanwhile: its error's traceback hid the line
                remove_if_empty(folder)
    print("done: " + ", ".join(printable(os.path.join(args.output_dir, folder)) + "/"
                               for folder, wanted in (("LR", not args.no_data), ("HR", not args.no_data),
                                                      ("weights", args.weights), (REDS_FOLDER, args.reds))
                               if wanted))


def main(argv=None):
    with exit_on_user_error():
        run(parse_args(argv))


if __name__ == "__main__":
    main()
