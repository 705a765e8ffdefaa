"""download_test_data.py against a local HTTP server (127.0.0.1, a free port) serving small zips made here."""
import io
import os
import re
import stat
import subprocess
import sys
import threading
import urllib.parse
import warnings
import zipfile
import zlib

import cv2
import h5py
import numpy as np
import pytest

import download_test_data
from datasets import reds
from conftest import REPO_ROOT
from file_server import FileServer, lpips_stand_in, make_zip, weight_files
from helpers import script_error_line
from utils.errors import UserError

# The reference's download locations (paths only; the tests swap the host with --base-url).
REFERENCE_DATA_PATHS = {
    "/download/data/TecoGAN/vid3_LR.zip": "LR",
    "/download/data/TecoGAN/tos_LR.zip": "LR",
    "/download/data/TecoGAN/vid4_HR.zip": "HR",
    "/download/data/TecoGAN/tos_HR.zip": "HR",
}
REFERENCE_WEIGHT_PATHS = [
    "/pretrained-models/nnabla-examples/GANs/tecogan/tecogan_model.h5",
    "/pretrained-models/nnabla-examples/GANs/tecogan/frvsr_model.h5",
    "/pretrained-models/nnabla-examples/GANs/tecogan/vgg19.h5",
    "/pretrained-models/nnabla-examples/eval_metrics/lpips/alex_with_LPIPS.h5",
]


def scene_members(scene):
    """A scene folder of three 'frames' whose bytes are distinct and not compressible to nothing."""
    rng = np.random.default_rng(zlib.crc32(scene.encode()))
    return {f"{scene}/{index:04d}.png": rng.bytes(3000) for index in range(1, 4)}


DATA_ZIP_MEMBERS = {
    "/download/data/TecoGAN/vid3_LR.zip": {**scene_members("calendar"), **scene_members("city")},
    "/download/data/TecoGAN/tos_LR.zip": scene_members("bridge"),
    "/download/data/TecoGAN/vid4_HR.zip": {**scene_members("calendar"), **scene_members("walk")},
    "/download/data/TecoGAN/tos_HR.zip": scene_members("room"),
}


def hdf5_bytes(tmp_path, name):
    path = tmp_path / f"made_{name}"
    with h5py.File(path, "w") as h5:
        h5.create_dataset("conv/W", data=np.arange(6, dtype=np.float32))
    return path.read_bytes()


@pytest.fixture
def weight_server(tmp_path):
    file_server = FileServer(weight_files(REFERENCE_WEIGHT_PATHS, hdf5_bytes(tmp_path, "weights.h5")))
    yield file_server
    file_server.close()


@pytest.fixture
def server():
    files = {path: make_zip(members) for path, members in DATA_ZIP_MEMBERS.items()}
    file_server = FileServer(files)
    yield file_server
    file_server.close()


def download(*flags):
    download_test_data.run(download_test_data.parse_args(list(flags)))


def run(server, output_dir, *flags):
    download("--output-dir", str(output_dir), "--base-url", server.url, *flags)


def assert_unpacked(output_dir, zip_path):
    folder = output_dir / REFERENCE_DATA_PATHS[zip_path]
    for name, data in DATA_ZIP_MEMBERS[zip_path].items():
        assert (folder / name).read_bytes() == data


def leftovers(folder):
    """Files that are neither unpacked data nor the done-markers: zips, partial or temporary files."""
    return sorted(
        str(path.relative_to(folder)) for path in folder.rglob("*")
        if path.is_file() and (path.suffix == ".zip" or ".part" in path.name or ".tmp" in path.name))


def test_fetches_the_reference_archives_and_unpacks_them_into_LR_and_HR(server, tmp_path):
    run(server, tmp_path)
    assert sorted(server.paths_requested()) == sorted(REFERENCE_DATA_PATHS)
    for zip_path in REFERENCE_DATA_PATHS:
        assert_unpacked(tmp_path, zip_path)
    assert leftovers(tmp_path) == []


def test_a_second_run_skips_everything_already_unpacked(server, tmp_path):
    run(server, tmp_path)
    server.requests.clear()
    run(server, tmp_path)
    assert server.requests == []


def test_a_partial_download_resumes_with_an_http_range_request(server, tmp_path):
    zip_path = "/download/data/TecoGAN/vid3_LR.zip"
    data = server.files[zip_path]
    half = len(data) // 2
    (tmp_path / "LR").mkdir()
    (tmp_path / "LR" / ".vid3_LR.zip.part").write_bytes(data[:half])
    run(server, tmp_path)
    assert (zip_path, f"bytes={half}-") in server.requests
    assert_unpacked(tmp_path, zip_path)
    assert leftovers(tmp_path) == []


def test_a_broken_connection_keeps_only_the_partial_file_and_the_next_run_completes_it(server, tmp_path):
    zip_path = "/download/data/TecoGAN/tos_LR.zip"
    data = server.files[zip_path]
    server.cut_after[zip_path] = 1000
    with pytest.raises(UserError, match="tos_LR.zip"):
        run(server, tmp_path)
    lr = tmp_path / "LR"
    assert not (lr / "tos_LR.zip").exists() and not (lr / "bridge").exists()
    assert (lr / ".tos_LR.zip.part").read_bytes() == data[:1000]

    del server.cut_after[zip_path]
    server.requests.clear()
    run(server, tmp_path)
    assert (zip_path, "bytes=1000-") in server.requests
    assert_unpacked(tmp_path, zip_path)
    assert leftovers(tmp_path) == []


def test_a_server_ignoring_the_range_request_gives_the_whole_file_again(server, tmp_path):
    zip_path = "/download/data/TecoGAN/vid3_LR.zip"
    (tmp_path / "LR").mkdir()
    (tmp_path / "LR" / ".vid3_LR.zip.part").write_bytes(b"stale bytes of some other file")
    server.ignore_range = True
    run(server, tmp_path)
    assert_unpacked(tmp_path, zip_path)


def test_a_corrupt_zip_is_deleted_and_nothing_is_unpacked(server, tmp_path):
    zip_path = "/download/data/TecoGAN/vid3_LR.zip"
    data = bytearray(server.files[zip_path])
    data[100:110] = b"\0" * 10  # inside the first member's compressed data: its CRC check fails
    server.files[zip_path] = bytes(data)
    with pytest.raises(UserError, match="vid3_LR.zip gave a corrupt zip"):
        run(server, tmp_path)
    assert not (tmp_path / "LR").exists()


def test_a_zip_with_a_path_outside_the_target_folder_is_refused(server, tmp_path):
    zip_path = "/download/data/TecoGAN/vid3_LR.zip"
    server.files[zip_path] = make_zip({"calendar/0001.png": b"fine", "../escaped.txt": b"evil"})
    output_dir = tmp_path / "out"
    with pytest.raises(UserError, match=r"'\.\./escaped\.txt', a path outside"):
        run(server, output_dir)
    assert not (output_dir / "escaped.txt").exists()
    assert not (output_dir / "LR" / "calendar").exists()
    assert not (output_dir / "LR" / ".vid3_LR.zip.unpacked").exists()


def test_weights_come_from_the_nnabla_pretrained_model_area_and_must_be_hdf5(tmp_path):
    files = weight_files(REFERENCE_WEIGHT_PATHS, hdf5_bytes(tmp_path, "weights.h5"))
    file_server = FileServer(files)
    try:
        run(file_server, tmp_path / "out", "--weights", "--no-data")
        assert sorted(file_server.paths_requested()) == sorted(REFERENCE_WEIGHT_PATHS)
        for path, data in files.items():
            assert (tmp_path / "out" / "weights" / os.path.basename(path)).read_bytes() == data

        file_server.files[REFERENCE_WEIGHT_PATHS[0]] = b"<html>login page</html>"
        with pytest.raises(UserError, match=r"gave a file beginning b'<html>login page</html>', no HDF5 file: a page "
                                            "or another file in its place; it was deleted"):
            run(file_server, tmp_path / "other", "--weights", "--no-data")
        assert not (tmp_path / "other" / "weights" / "tecogan_model.h5").exists()
    finally:
        file_server.close()


def test_a_missing_file_is_one_line_naming_the_url_and_exit_code_2(server, tmp_path):
    del server.files["/download/data/TecoGAN/tos_HR.zip"]
    result = subprocess.run([sys.executable, "download_test_data.py", "--output-dir", str(tmp_path),
                             "--base-url", server.url], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (f"error: cannot download {server.url}/download/data/TecoGAN/tos_HR.zip: "
                         "HTTP 404 Not Found")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "HR" / "tos_HR.zip").exists() and not (tmp_path / "HR"
                                                                  / ".tos_HR.zip.part").exists()


def test_a_redirect_loop_is_one_line_and_leaves_nothing(server, tmp_path, capsys):
    """urllib's reason for it runs over three lines, which the error line used to carry."""
    path = "/download/data/TecoGAN/vid3_LR.zip"
    server.redirect[path] = path
    with pytest.raises(SystemExit) as exit_info:
        download_test_data.main(["--output-dir", str(tmp_path), "--base-url", server.url])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    line = err[err.index("error: "):]
    assert line.count("\n") == 1 and "infinite loop" in line
    assert line.startswith(f"error: cannot download {server.url}{path}: HTTP 302 ")
    assert leftovers(tmp_path) == []


def test_main_turns_a_user_error_into_one_line_and_exit_code_2(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        download_test_data.main(["--output-dir", str(tmp_path / "out"), "--no-data"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == "error: nothing to do: --no-data without --weights or --reds\n"


def test_an_unreachable_host_is_an_error_naming_the_url(server, tmp_path):
    url = server.url
    server.close()
    with pytest.raises(UserError, match=f"cannot download {url}/download/data/TecoGAN/vid3_LR.zip"):
        download("--output-dir", str(tmp_path / "out"), "--base-url", url)
    assert not (tmp_path / "out").exists()  # no empty folders left behind


def test_a_cut_weight_download_without_content_length_is_not_taken_as_complete(weight_server, tmp_path):
    path = REFERENCE_WEIGHT_PATHS[0]
    weight_server.omit_length = True
    weight_server.cut_after[path] = len(weight_server.files[path]) // 2
    with pytest.raises(UserError, match="tecogan_model.h5 gave not a complete HDF5"):
        run(weight_server, tmp_path, "--weights", "--no-data")
    weights = tmp_path / "weights"
    assert not (weights / "tecogan_model.h5").exists() and not (weights / ".tecogan_model.h5.part").exists()

    del weight_server.cut_after[path]
    run(weight_server, tmp_path, "--weights", "--no-data")
    assert (weights / "tecogan_model.h5").read_bytes() == weight_server.files[path]


def test_a_cut_zip_download_without_content_length_is_neither_kept_nor_unpacked(server, tmp_path):
    path = "/download/data/TecoGAN/vid3_LR.zip"
    server.omit_length = True
    server.cut_after[path] = len(server.files[path]) - 30
    with pytest.raises(UserError, match="vid3_LR.zip gave a corrupt zip"):
        run(server, tmp_path)
    assert not (tmp_path / "LR").exists()


def test_a_truncated_weight_file_left_in_place_is_downloaded_again(weight_server, tmp_path, capsys):
    """An older version renamed a cut download into place; a re-run must not skip it as complete."""
    path = REFERENCE_WEIGHT_PATHS[1]
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "frvsr_model.h5").write_bytes(weight_server.files[path][:-100])
    run(weight_server, tmp_path, "--weights", "--no-data")
    assert (tmp_path / "weights" / "frvsr_model.h5").read_bytes() == weight_server.files[path]
    assert "frvsr_model.h5 is not a complete HDF5" in capsys.readouterr().out


def symlink_member(name, target):
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


HOSTILE_ZIPS = {
    "dot": ([("calendar/0001.png", b"fine"), (".", b"evil")], "a path outside"),
    "dot-dot at the end": ([("calendar/0001.png", b"fine"), ("calendar/..", b"evil")], "a path outside"),
    "absolute": ([("calendar/0001.png", b"fine"), ("/tmp/evil.txt", b"evil")], "a path outside"),
    "drive letter": ([("calendar/0001.png", b"fine"), ("C:evil.txt", b"evil")], "a path outside"),
    "backslash": ([("calendar/0001.png", b"fine"), ("..\\evil.txt", b"evil")], "a path outside"),
    "empty part": ([("calendar/0001.png", b"fine"), ("calendar//0002.png", b"evil")], "a path outside"),
    "symlink then a file under it": ([symlink_member("link", "/tmp"), ("link/evil.txt", b"evil")],
                                     "a symbolic link"),
    "file and folder of one name": ([("calendar", b"a file"), ("calendar/0001.png", b"fine")],
                                    "'calendar' both as a file and as a folder"),
    "duplicate": ([("calendar/0001.png", b"fine"), ("calendar/0001.png", b"other")], "twice"),
}


def make_raw_zip(members):
    """Bytes of a zip of [(name or ZipInfo, bytes)], in order, duplicates and odd names kept as given."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("case", HOSTILE_ZIPS)
def test_a_hostile_zip_is_refused_whole_and_kept_until_deleted_then_fetched_again(server, tmp_path, case):
    """Refused, nothing unpacked. Since the twentieth pass the zip is kept, not deleted: fetched again from the same
    host it was refused alike on every run; deleted as the line says, the host's mended copy is fetched."""
    members, reason = HOSTILE_ZIPS[case]
    zip_path = "/download/data/TecoGAN/vid3_LR.zip"
    good_zip = server.files[zip_path]
    server.files[zip_path] = make_raw_zip(members)
    output_dir = tmp_path / "out"
    kept = output_dir / "LR" / "vid3_LR.zip"
    with pytest.raises(UserError, match=f"vid3_LR.zip holds .*{reason}.*; refusing to unpack it \\(the zip is kept in "
                                        f"{re.escape(str(kept))}: fetched again from this host it is refused alike; "
                                        "delete it and fetch from another host with --base-url\\)$"):
        run(server, output_dir)
    assert os.listdir(output_dir / "LR") == ["vid3_LR.zip"] and kept.read_bytes() == server.files[zip_path]

    os.remove(kept)
    server.files[zip_path] = good_zip
    run(server, output_dir)
    assert_unpacked(output_dir, zip_path)
    assert leftovers(output_dir) == []


def test_unpacking_left_half_done_by_a_killed_run_is_cleaned_and_redone(server, tmp_path):
    staging = tmp_path / "LR" / ".vid3_LR.zip.unpacking" / "calendar"
    staging.mkdir(parents=True)
    (staging / "0001.png").write_bytes(b"half")
    run(server, tmp_path)
    assert not staging.parent.exists()
    assert_unpacked(tmp_path, "/download/data/TecoGAN/vid3_LR.zip")


@pytest.mark.parametrize("file_path, folder_path, output_dir, message", [
    ("out", None, "out", "--output-dir '{tmp}/out' is a file, not a folder"),
    ("out/LR", None, "out", "output folder '{tmp}/out/LR' is a file, not a folder"),
    ("file", None, "file/out", "--output-dir '{tmp}/file/out' is under '{tmp}/file', which is a file"),
    (None, "out/weights/tecogan_model.h5", "out", "'{tmp}/out/weights/tecogan_model.h5' is a folder"),
    (None, "out/HR/.vid4_HR.zip.part", "out", "'{tmp}/out/HR/.vid4_HR.zip.part' is a folder"),
], ids=["output-dir a file", "LR a file", "under a file", "weight file a folder", "partial file a folder"])
def test_an_unusable_destination_is_one_line_before_anything_is_fetched(server, tmp_path, file_path,
                                                                        folder_path, output_dir, message):
    if file_path:
        (tmp_path / file_path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file_path).write_text("x")
    if folder_path:
        (tmp_path / folder_path).mkdir(parents=True)
    out = tmp_path / output_dir
    before = sorted(str(path) for path in tmp_path.rglob("*"))
    line = script_error_line("download_test_data.py", "--output-dir", str(out), "--weights", "--base-url",
                             server.url)
    assert line.startswith("error: ") and message.format(tmp=tmp_path) in line
    assert server.requests == []
    assert sorted(str(path) for path in tmp_path.rglob("*")) == before


def encrypted_zip():
    """A zip whose one member is flagged as encrypted (bit 0 of the flags in its local and central headers);
    zipfile reads such members only with a password."""
    data = bytearray(make_zip({"calendar/0001.png": b"secret"}))
    data[6] |= 0x1
    data[data.index(b"PK\x01\x02") + 8] |= 0x1
    return bytes(data)


def test_an_encrypted_zip_is_one_line_and_nothing_is_unpacked(server, tmp_path):
    server.files["/download/data/TecoGAN/vid3_LR.zip"] = encrypted_zip()
    # kept and named, not called corrupt and deleted: fetched again, it was refused again on every run
    with pytest.raises(UserError, match=r"vid3_LR\.zip\.part' holds '.*' encrypted \(with a password\).*it is kept"):
        run(server, tmp_path)
    assert os.listdir(tmp_path / "LR") == [".vid3_LR.zip.part"]  # nothing unpacked


def test_a_zip_left_beside_its_done_marker_is_removed(server, tmp_path):
    run(server, tmp_path)
    (tmp_path / "LR" / "vid3_LR.zip").write_bytes(b"left by a run stopped before deleting it")
    run(server, tmp_path)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("base_url", ["http://[::1", "http://127.0.0.1:abc", "http://127.0.0.1:99999",
                                      "http://127.0.0.1:0", "ftp://127.0.0.1", "http://:8000"])
def test_a_malformed_base_url_is_one_line_before_anything_is_written(tmp_path, base_url):
    with pytest.raises(UserError, match="is not a URL like http://host:port"):
        download("--output-dir", str(tmp_path / "out"), "--base-url", base_url)
    assert not (tmp_path / "out").exists()


def test_a_garbled_content_length_counts_as_none_and_the_content_decides(weight_server, tmp_path):
    weight_server.garbled_length = "lots"
    run(weight_server, tmp_path, "--weights", "--no-data")
    for path in REFERENCE_WEIGHT_PATHS:
        assert (tmp_path / "weights" / os.path.basename(path)).read_bytes() == weight_server.files[path]


REDS_PATHS = {"/webdav/dataset/REDS/train_sharp.zip": ("train/train_sharp", ("000", "001")),
              "/webdav/dataset/REDS/val_sharp.zip": ("val/val_sharp", ("000",))}


def reds_zip_members(part, sequences):
    """Members in the official zips' layout and names: <part>/<sequence>/00000000.png..00000099.png, real
    (tiny) PNG frames, each different."""
    rng = np.random.default_rng(len(part))
    return {
        f"{part}/{sequence}/{index:08d}.png": cv2.imencode(".png", rng.integers(0, 256, (4, 6, 3),
                                                                                np.uint8))[1].tobytes()
        for sequence in sequences for index in range(reds.FRAMES_PER_SEQUENCE)
    }


@pytest.fixture
def reds_server():
    members = {path: reds_zip_members(*layout) for path, layout in REDS_PATHS.items()}
    file_server = FileServer({path: make_zip(content) for path, content in members.items()})
    file_server.members = members
    yield file_server
    file_server.close()


def test_reds_is_fetched_from_its_direct_host_and_read_with_val_sharp_counted_from_240(reds_server, tmp_path,
                                                                                       capsys):
    run(reds_server, tmp_path, "--reds", "--no-data")
    sizes = {os.path.basename(path): len(data) for path, data in reds_server.files.items()}
    assert capsys.readouterr().out.splitlines()[0] == (
        f"to download: train_sharp.zip ({sizes['train_sharp.zip'] / 1024:.1f} kB), val_sharp.zip "
        f"({sizes['val_sharp.zip'] / 1024:.1f} kB), {sum(sizes.values()) / 1024:.1f} kB in all; each zip needs "
        "about "
        "its size again while it is unpacked")
    assert sorted(reds_server.paths_requested()) == sorted(REDS_PATHS)
    assert [url.replace(download_test_data.REDS_URL, "/webdav/dataset/REDS/")
            for url in download_test_data.REDS_ARCHIVES] == list(REDS_PATHS)
    root = tmp_path / download_test_data.REDS_FOLDER
    sequences = reds.reds_sequences(str(root), ["000", "001", "240"])
    train_members, val_members = reds_server.members.values()
    for sequence, (members, part, folder) in zip(sequences, [(train_members, "train/train_sharp", "000"),
                                                             (train_members, "train/train_sharp", "001"),
                                                             (val_members, "val/val_sharp", "000")]):
        assert [open(path, "rb").read() for path in sequence.frames] == [
            members[f"{part}/{folder}/{index:08d}.png"] for index in range(reds.FRAMES_PER_SEQUENCE)]
    assert leftovers(tmp_path) == []


def test_an_interrupted_reds_download_resumes_and_unpacks_all_or_nothing(reds_server, tmp_path):
    zip_path = "/webdav/dataset/REDS/train_sharp.zip"
    reds_server.cut_after[zip_path] = 2000
    with pytest.raises(UserError, match="train_sharp.zip"):
        run(reds_server, tmp_path, "--reds", "--no-data")
    assert not (tmp_path / "REDS" / "train").exists()
    del reds_server.cut_after[zip_path]
    run(reds_server, tmp_path, "--reds", "--no-data")
    assert (zip_path, "bytes=2000-") in reds_server.requests
    assert len(reds.reds_sequences(str(tmp_path / "REDS"), ["000", "001", "240"])) == 3


@pytest.mark.parametrize("existing", ["a file where a folder goes", "a folder where a file goes"])
def test_an_unpack_that_clashes_with_an_existing_entry_moves_nothing_and_keeps_the_zip(
        server, tmp_path, capsys, existing):
    clash = tmp_path / "LR" / ("city" if existing.startswith("a file") else "city/0002.png")
    clash.parent.mkdir(parents=True, exist_ok=True)
    if existing.startswith("a file"):
        clash.write_text("the user's own file")
    else:
        clash.mkdir()
    with pytest.raises(SystemExit) as exit_info:
        download_test_data.main(["--output-dir", str(tmp_path), "--base-url", server.url])
    assert exit_info.value.code == 2
    [line] = capsys.readouterr().err.strip().splitlines()[-1:]
    assert line.startswith("error: ") and str(clash) in line and "kept" in line
    assert not (tmp_path / "LR" / "calendar").exists()  # no part of the zip was merged
    assert (tmp_path / "LR"
            / "vid3_LR.zip").read_bytes() == server.files["/download/data/TecoGAN/vid3_LR.zip"]
    (clash.unlink if existing.startswith("a file") else clash.rmdir)()
    server.requests.clear()
    run(server, tmp_path)
    assert "/download/data/TecoGAN/vid3_LR.zip" not in server.paths_requested()  # the kept zip is used
    for zip_path in REFERENCE_DATA_PATHS:
        assert_unpacked(tmp_path, zip_path)
    assert leftovers(tmp_path) == []


# The fourth hostile pass of issue 28 (docs/testing.md): replies that are not HTTP and addresses urllib cannot
# use were tracebacks (http.client's exceptions and ValueError are no URLError), and so was a Content-Length
# of a digit Python's int() refuses although str.isdigit() takes it.

class RawReplyServer:
    """Answers every connection on 127.0.0.1 with the same bytes, whatever was asked, then closes it."""

    def __init__(self, reply):
        import socket
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.reply = reply
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:  # closed
                return
            with connection:
                connection.recv(65536)
                connection.sendall(self.reply)


@pytest.mark.parametrize("reply, message", [
    (b"HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n", "the reply is not HTTP (BadStatusLine: HTTP/1.1 abc OK)"),
    (b"SSH-2.0-OpenSSH_8.9p1\r\n", "the reply is not HTTP (BadStatusLine: SSH-2.0-OpenSSH_8.9p1)"),
    (b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n", "the reply is not HTTP (LineTooLong"),
    (b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(101)) + b"\r\n",
     "got more than 100 headers"),
    (b"HTTP/1.1 302 Found\r\nLocation: http://[::1/x.zip\r\nContent-Length: 0\r\n\r\n",
     "its address cannot be used (Invalid IPv6 URL)"),
], ids=["bad status line", "an SSH server", "header line of 70,000 bytes", "101 headers", "redirect to '[::1'"])
def test_a_reply_that_is_not_http_is_one_line_and_leaves_nothing(tmp_path, capsys, reply, message):
    server = RawReplyServer(reply)
    try:
        with pytest.raises(SystemExit) as exit_info:
            download_test_data.main(["--output-dir", str(tmp_path), "--base-url", server.url, "--reds", "--no-data"])
    finally:
        server.socket.close()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    line = err[err.index("error: "):]
    assert line.count("\n") == 1 and message in line and "Traceback" not in err
    assert line.startswith(f"error: cannot download {server.url}/webdav/dataset/REDS/train_sharp.zip: ")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("host", ["a..b", "a" * 64 + ".com", "ex ample"])
def test_a_base_url_whose_host_cannot_be_encoded_is_one_line(tmp_path, host):
    with pytest.raises(UserError, match=r"its address cannot be used \(.*\); check the host in --base-url"):
        download("--output-dir", str(tmp_path / "out"), "--base-url", f"http://{host}/", "--reds", "--no-data")
    assert not (tmp_path / "out").exists()


# superscript two: str.isdigit() is true, int() refuses it; and a number of more than the 4300 digits int() takes
# (the sixth hostile pass: a ValueError traceback)
@pytest.mark.parametrize("garbled", ["\u00b2", "9" * 5000])
def test_a_content_length_of_a_digit_int_refuses_counts_as_none(reds_server, tmp_path, capsys, garbled):
    reds_server.garbled_length = garbled
    run(reds_server, tmp_path, "--reds", "--no-data")
    assert "train_sharp.zip (size unknown)" in capsys.readouterr().out
    assert len(reds.reds_sequences(str(tmp_path / "REDS"), ["000", "001", "240"])) == 3


# The fifth hostile pass: a 308 redirect stopped the download (urllib before Python 3.11 does not follow it), and
# a 206 without Content-Range to a request without Range was refused with advice to delete a file not there.

def test_a_permanent_redirect_308_is_followed(weight_server, tmp_path):
    weight_server.redirect_status = 308
    for path in REFERENCE_WEIGHT_PATHS:
        weight_server.redirect[path] = "/moved" + path
        weight_server.files["/moved" + path] = weight_server.files[path]
    run(weight_server, tmp_path, "--weights", "--no-data")
    assert sorted(os.listdir(tmp_path / "weights")) == sorted(map(os.path.basename, REFERENCE_WEIGHT_PATHS))
    assert {"/moved" + path for path in REFERENCE_WEIGHT_PATHS} <= set(weight_server.paths_requested())


# the second: a Content-Range total of thousands of digits (the sixth hostile pass: int() raised ValueError)
@pytest.mark.parametrize("size_header", [lambda size: b"Content-Length: %d" % size,
                                         lambda size: b"Content-Range: bytes 0-%d/%s" % (size - 1, b"9" * 5000)])
def test_a_206_without_a_usable_content_range_to_a_request_for_the_whole_file_is_the_whole_file(tmp_path,
                                                                                               size_header):
    weights = lpips_stand_in("gzip")  # served at each path, the LPIPS one's too, also to HEAD requests
    server = RawReplyServer(b"HTTP/1.1 206 Partial Content\r\n%s\r\nConnection: close\r\n\r\n"
                            % size_header(len(weights)) + weights)
    try:
        run(server, tmp_path / "out", "--weights", "--no-data")
    finally:
        server.socket.close()
    for path in REFERENCE_WEIGHT_PATHS:
        assert (tmp_path / "out" / "weights" / os.path.basename(path)).read_bytes() == weights
    assert leftovers(tmp_path / "out") == []


def test_a_206_from_another_byte_to_a_request_for_the_whole_file_is_one_line_without_a_file_to_delete(
        tmp_path):
    weights = hdf5_bytes(tmp_path, "w.h5")
    server = RawReplyServer(b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 10-%d/%d\r\nContent-Length: %d"
                            b"\r\nConnection: close\r\n\r\n" % (len(weights) - 1, len(weights), len(weights) - 10)
                            + weights[10:])
    try:
        with pytest.raises(UserError, match=r"answered a request for the whole file with a part of it "
                                            r"\(Content-Range 'bytes 10-.*'\); run again later") as error:
            run(server, tmp_path / "out", "--weights", "--no-data")
    finally:
        server.socket.close()
    assert "delete" not in str(error.value)
    assert not (tmp_path / "out").exists()


def test_a_full_disk_while_unpacking_keeps_the_downloaded_zip_for_the_next_run(server, tmp_path, monkeypatch):
    """A full disk while unpacking was taken for a damaged zip: the zip (REDS's: tens of GB) was deleted."""
    import errno
    from utils import zips

    def disk_full(source, output):
        raise OSError(errno.ENOSPC, "No space left on device")
    with monkeypatch.context() as patched:
        patched.setattr(zips.shutil, "copyfileobj", disk_full)
        with pytest.raises(UserError, match=r"cannot unpack vid3_LR.zip: no space left on the disk of .*; free "
                                            r"some space, then run again \(the zip is kept in "):
            run(server, tmp_path)
    assert (tmp_path / "LR" / "vid3_LR.zip").read_bytes() == server.files["/download/data/TecoGAN/vid3_LR.zip"]
    assert os.listdir(tmp_path / "LR") == ["vid3_LR.zip"]  # nothing unpacked, no staging folder
    server.requests.clear()
    run(server, tmp_path)
    assert "/download/data/TecoGAN/vid3_LR.zip" not in server.paths_requested()
    for zip_path in REFERENCE_DATA_PATHS:
        assert_unpacked(tmp_path, zip_path)


def test_a_full_disk_while_downloading_says_so_and_keeps_the_part_to_resume(server, tmp_path, monkeypatch):
    """A full disk while downloading was reported as a download that "broke off"."""
    import errno
    import io

    class FullDisk(io.FileIO):
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")
    with monkeypatch.context() as patched:
        patched.setattr(download_test_data, "open", lambda path, mode, **options: FullDisk(path, mode), raising=False)
        with pytest.raises(UserError, match=r"^no space left on the disk of '.*\.vid3_LR\.zip\.part' for vid3_LR.zip "
                                            r"\(.*B\); free some space and run again to resume$"):
            run(server, tmp_path)
    run(server, tmp_path)
    for zip_path in REFERENCE_DATA_PATHS:
        assert_unpacked(tmp_path, zip_path)
    assert leftovers(tmp_path) == []


def test_a_server_that_never_answers_is_one_line_after_one_timeout_saying_what_to_do(tmp_path, monkeypatch):
    """Each size asked first (HEAD) waited its timeout in silence, one file after the other (the REDS and
    weights files: six minutes), and the download's error said only "timed out"."""
    import socket
    import time
    listener = socket.create_server(("127.0.0.1", 0))  # accepts (the backlog) and never answers
    monkeypatch.setattr(download_test_data, "TIMEOUT_S", 0.5)
    started = time.monotonic()
    try:
        with pytest.raises(UserError, match=r"^cannot download http://127.0.0.1:\d+/.*tecogan_model.h5: no answer in "
                                            r"0.5 s; check the connection \(or --base-url\) and run again$"):
            download("--output-dir", str(tmp_path / "out"), "--base-url",
                     f"http://127.0.0.1:{listener.getsockname()[1]}", "--weights", "--no-data")
    finally:
        listener.close()
    assert time.monotonic() - started < 2 * 0.5 + 1
    assert not (tmp_path / "out").exists()


def test_a_zip_whose_member_name_is_not_the_utf8_it_claims_is_a_corrupt_zip(tmp_path):
    """zipfile's UnicodeDecodeError was no zip error: a traceback where the download checks the zip."""
    from helpers import zip_with_undecodable_name
    assert download_test_data.zip_problem(str(zip_with_undecodable_name(tmp_path / "a.zip"))).startswith(
        "a corrupt zip (")


@pytest.mark.parametrize("folder", ["a b", "\u00e9t\u00e9", "a%20b"], ids=["a space", "non-ASCII", "percent-encoded"])
def test_a_mirror_path_with_a_space_or_a_non_ascii_letter_is_sent_percent_encoded(weight_server, tmp_path, folder):
    """urllib refused such a path: "its address cannot be used (URL can't contain control characters...)"."""
    quoted = urllib.parse.quote(folder, safe="%")
    for path in REFERENCE_WEIGHT_PATHS:
        weight_server.files[f"/{quoted}{path}"] = weight_server.files[path]
    download("--output-dir", str(tmp_path), "--base-url", f"{weight_server.url}/{folder}/", "--weights", "--no-data")
    assert sorted(os.listdir(tmp_path / "weights")) == sorted(map(os.path.basename, REFERENCE_WEIGHT_PATHS))


def test_a_base_url_with_a_password_is_refused_without_showing_it(tmp_path):
    """urllib took "user:secret@host" for a host name: "Name or service not known", with the password shown."""
    with pytest.raises(UserError) as error:
        download("--output-dir", str(tmp_path / "out"), "--base-url", "http://user:secret@127.0.0.1:1/", "--weights")
    assert str(error.value).startswith("--base-url holds a user name or password") and "secret" not in str(error.value)
    assert not (tmp_path / "out").exists()


# The seventh hostile pass: what a server sent went into the error line as it was, a NUL or a terminal's escape
# sequence included, and a reason phrase of 60,000 bytes made a line of that length.
@pytest.mark.parametrize("reply, shown", [
    (b"HTTP/1.1 404 Not\x00Found\r\nContent-Length: 0\r\n\r\n", r"HTTP 404 Not\x00Found"),
    (b"HTTP/1.1 404 \x1b[2JGone\r\nContent-Length: 0\r\n\r\n", r"HTTP 404 \x1b[2JGone"),
    (b"HTTP/1.1 404 " + b"x" * 60000 + b"\r\nContent-Length: 0\r\n\r\n", "HTTP 404 " + "x" * 97 + "..."),
    (b"HTTP/1.1 099 \x1b\x1b\r\n\r\n", r"(BadStatusLine: HTTP/1.1 099 \x1b\x1b)"),
    (b"HTTP/1.1 206 Partial\r\nContent-Range: bytes 5-9/10\x00\r\nContent-Length: 5\r\n\r\nhello",
     r"(Content-Range 'bytes 5-9/10\x00')"),
], ids=["NUL in the reason", "escape in the reason", "reason of 60,000 bytes", "escapes in a bad status line",
        "NUL in Content-Range"])
def test_what_a_server_sends_is_shown_readable_and_cut_short(tmp_path, capsys, reply, shown):
    server = RawReplyServer(reply)
    try:
        with pytest.raises(SystemExit) as exit_info:
            download_test_data.main(["--output-dir", str(tmp_path), "--base-url", server.url, "--weights",
                                     "--no-data"])
    finally:
        server.socket.close()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    line = err[err.index("error: "):]
    assert line.count("\n") == 1 and shown in line and line[:-1].isprintable() and len(line) < 400
    assert not (tmp_path / "weights").exists() or os.listdir(tmp_path / "weights") == []


# The eighth hostile pass: a chunk size of "-5" made http.client raise ValueError (a negative length to read), which
# the download did not take for a connection that broke off: a traceback.

@pytest.mark.parametrize("size_line", [b"-5", b"-0x5"])
def test_a_negative_chunk_size_is_a_download_that_broke_off(tmp_path, size_line):
    server = RawReplyServer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%s\r\nabcde\r\n0\r\n\r\n"
                            % size_line)
    try:
        with pytest.raises(UserError, match=r"^download of .*/tecogan_model.h5 broke off \(.*\); run again to "
                                            r"resume$"):
            run(server, tmp_path / "out", "--weights", "--no-data")
    finally:
        server.socket.close()
