"""Fetch the paper's evaluation data and, with --weights, the pretrained NNabla weights.

    python download_test_data.py                 # LR/ and HR/ in the current folder
    python download_test_data.py --weights       # also weights/*.h5

The data are the TecoGAN authors' zips, unpacked as the reference does: vid3_LR.zip and
tos_LR.zip into LR/, vid4_HR.zip and tos_HR.zip into HR/. The weights are the official NNabla
files (tecogan_model.h5, frvsr_model.h5, vgg19.h5) and the AlexNet LPIPS weights of
nnabla-examples (alex_with_LPIPS.h5).

A download goes to a hidden .<name>.part file beside its destination and is renamed into place
only when whole and valid, so an interrupted run resumes (HTTP Range) where it stopped, and a
re-run skips what is already complete.
"""
import argparse
import http.client
import os
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib

import h5py
from tqdm import tqdm

from utils.errors import UserError, exit_on_user_error
from utils.image_io import temporary_path

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
WEIGHT_FILES = [
    NNABLA_TECOGAN_URL + "tecogan_model.h5",
    NNABLA_TECOGAN_URL + "frvsr_model.h5",
    NNABLA_TECOGAN_URL + "vgg19.h5",
    NNABLA_LPIPS_URL + "alex_with_LPIPS.h5",
]
CHUNK_BYTES = 1 << 16
TIMEOUT_S = 60


def with_base_url(url, base_url):
    """url with its scheme and host (and a path prefix, if base_url has one) taken from base_url."""
    if not base_url:
        return url
    base = urllib.parse.urlsplit(base_url)
    if not (base.scheme and base.netloc):
        raise UserError(f"--base-url '{base_url}' is not a URL like http://host:port")
    path = base.path.rstrip("/") + urllib.parse.urlsplit(url).path
    return urllib.parse.urlunsplit((base.scheme, base.netloc, path, "", ""))


def url_filename(url):
    return os.path.basename(urllib.parse.urlsplit(url).path)


def partial_path(destination):
    """The stable name a download grows under until it is whole (stable, so a re-run can resume it)."""
    directory, name = os.path.split(destination)
    return os.path.join(directory, f".{name}.part")


def _content_range(response):
    """(first byte, total size or None) from a Content-Range header 'bytes first-last/total'."""
    match = re.match(r"bytes\s+(\d+)-\d+/(\d+|\*)", response.headers.get("Content-Range", ""))
    if not match:
        return None, None
    return int(match.group(1)), None if match.group(2) == "*" else int(match.group(2))


def _open(url, offset):
    """Open url from byte offset; None if the server says the range starts at or past the end."""
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT_S)
    except urllib.error.HTTPError as error:
        if error.code == 416 and offset:
            return None
        raise UserError(f"cannot download {url}: HTTP {error.code} {error.reason}")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise UserError(f"cannot download {url}: {reason}")


def download(url, destination, validate):
    """Download url to destination, resuming a partial download; validate(path) checks it before the rename.

    validate returns None when the file is good, else a reason; a file that fails is deleted
    (resuming it cannot help) and the user is told to run again.
    """
    if os.path.exists(destination):
        return
    partial = partial_path(destination)
    offset = os.path.getsize(partial) if os.path.exists(partial) else 0
    response = _open(url, offset)
    if response is None:  # 416: the partial file may already be whole; validation decides
        total = offset
    else:
        with response:
            if response.status == 206:
                first, total = _content_range(response)
                if first != offset:
                    raise UserError(f"{url} answered the request to resume at byte {offset} with another "
                                    f"range; delete {partial} and run again")
            else:
                offset, total = 0, None  # the server sent the whole file: start over
            if total is None and response.headers.get("Content-Length"):
                total = offset + int(response.headers["Content-Length"])
            _receive(url, response, partial, offset, total)
    size = os.path.getsize(partial)
    if total is not None and size != total:
        raise UserError(f"download of {url} stopped at {size} of {total} bytes; run again to resume")
    problem = validate(partial)
    if problem:
        os.remove(partial)
        raise UserError(f"{url} gave {problem}; the file was deleted, run again to download it anew")
    os.replace(partial, destination)


def _receive(url, response, partial, offset, total):
    with open(partial, "ab" if offset else "wb") as file, \
            tqdm(total=total, initial=offset, unit="B", unit_scale=True, desc=url_filename(url)) as bar:
        try:
            for chunk in iter(lambda: response.read(CHUNK_BYTES), b""):
                file.write(chunk)
                bar.update(len(chunk))
        except (OSError, http.client.HTTPException) as error:
            raise UserError(f"download of {url} broke off ({error or type(error).__name__}); "
                            "run again to resume")


def zip_problem(path):
    """None if path is a zip whose every member passes its CRC check, else what is wrong."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad_member = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        return f"a corrupt zip ({error})"
    return f"a corrupt zip (member '{bad_member}' fails its CRC check)" if bad_member else None


def hdf5_problem(path):
    return None if h5py.is_hdf5(path) else "a file that is not HDF5 (.h5)"


def extract_zip(path, folder):
    """Unpack a zip into folder, each file atomically; refuses the whole zip if any member would land outside."""
    root = os.path.realpath(folder)
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        targets = [os.path.realpath(os.path.join(root, member.filename)) for member in members]
        for member, target in zip(members, targets):
            if os.path.commonpath([root, target]) != root:
                raise UserError(f"{os.path.basename(path)} holds '{member.filename}', a path outside "
                                f"{folder}; refusing to unpack it")
        for member, target in tqdm(list(zip(members, targets)), desc=f"unpack {os.path.basename(path)}",
                                   unit="file"):
            if member.is_dir():
                os.makedirs(target, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            temporary = temporary_path(target)
            with archive.open(member) as source, open(temporary, "wb") as output:
                shutil.copyfileobj(source, output)
            os.replace(temporary, target)
        return [member.filename for member in members]


def fetch_archive(url, folder):
    """Download a zip into folder and unpack it there; a marker file records that it is done."""
    name = url_filename(url)
    marker = os.path.join(folder, f".{name}.unpacked")
    if os.path.exists(marker):
        print(f"{name}: already unpacked in {folder}/, skipped")
        return
    os.makedirs(folder, exist_ok=True)
    archive = os.path.join(folder, name)
    download(url, archive, zip_problem)
    names = extract_zip(archive, folder)
    temporary = temporary_path(marker)
    with open(temporary, "w") as file:
        file.write("\n".join(names) + "\n")
    os.replace(temporary, marker)
    os.remove(archive)


def fetch_weight_file(url, folder):
    destination = os.path.join(folder, url_filename(url))
    if os.path.exists(destination):
        print(f"{destination}: already there, skipped")
        return
    os.makedirs(folder, exist_ok=True)
    download(url, destination, hdf5_problem)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output-dir", default=".",
                        help="folder that receives LR/, HR/ and weights/ (default: the current folder)")
    parser.add_argument("--weights", action="store_true",
                        help="also download tecogan_model.h5, frvsr_model.h5, vgg19.h5 and alex_with_LPIPS.h5 "
                             "into <output-dir>/weights/")
    parser.add_argument("--no-data", action="store_true", help="skip the LR/HR evaluation data")
    parser.add_argument("--base-url", default=None,
                        help="fetch everything from this host instead (e.g. a mirror or a local test server); "
                             "the paths stay those of the official URLs")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.no_data and not args.weights:
        raise UserError("nothing to do: --no-data without --weights")
    if not args.no_data:
        for url, folder in DATA_ARCHIVES:
            fetch_archive(with_base_url(url, args.base_url), os.path.join(args.output_dir, folder))
    if args.weights:
        for url in WEIGHT_FILES:
            fetch_weight_file(with_base_url(url, args.base_url), os.path.join(args.output_dir, "weights"))
    print("done: " + ", ".join(os.path.join(args.output_dir, folder) + "/"
                               for folder, wanted in (("LR", not args.no_data), ("HR", not args.no_data),
                                                      ("weights", args.weights)) if wanted))


if __name__ == "__main__":
    with exit_on_user_error():
        main()
