"""download_test_data.py against a local HTTP server (127.0.0.1, a free port) serving small zips made here."""
import io
import os
import subprocess
import sys
import threading
import urllib.parse
import zipfile
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import h5py
import numpy as np
import pytest

import download_test_data
from conftest import REPO_ROOT
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


def make_zip(members):
    """Bytes of a zip holding {name: bytes}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


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


class FileServer:
    """Serves {path: bytes} with HTTP Range support; records every request's path and Range header.

    cut_after[path] = n sends the full Content-Length but only n bytes, then drops the connection.
    ignore_range makes it answer 200 with the whole file, as servers without Range support do.
    """

    def __init__(self, files):
        self.files = dict(files)
        self.cut_after = {}
        self.ignore_range = False
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.handle(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def handle(self, request):
        path = urllib.parse.urlsplit(request.path).path
        range_header = request.headers.get("Range")
        self.requests.append((path, range_header))
        if path not in self.files:
            request.send_error(404, "Not Found")
            return
        data = self.files[path]
        start = 0
        if range_header and not self.ignore_range:
            start = int(range_header.split("=")[1].split("-")[0])
            if start >= len(data):
                request.send_response(416)
                request.send_header("Content-Range", f"bytes */{len(data)}")
                request.send_header("Content-Length", "0")
                request.end_headers()
                return
            request.send_response(206)
            request.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            request.send_response(200)
        request.send_header("Content-Length", str(len(data) - start))
        request.end_headers()
        body = data[start:]
        if path in self.cut_after:
            body = body[:self.cut_after[path]]
            request.close_connection = True
        request.wfile.write(body)

    def paths_requested(self):
        return [path for path, _ in self.requests]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    files = {path: make_zip(members) for path, members in DATA_ZIP_MEMBERS.items()}
    file_server = FileServer(files)
    yield file_server
    file_server.close()


def run(server, output_dir, *flags):
    download_test_data.main(["--output-dir", str(output_dir), "--base-url", server.url, *flags])


def assert_unpacked(output_dir, zip_path):
    folder = output_dir / REFERENCE_DATA_PATHS[zip_path]
    for name, data in DATA_ZIP_MEMBERS[zip_path].items():
        assert (folder / name).read_bytes() == data


def leftovers(folder):
    """Files that are neither unpacked data nor the done-markers: zips, partial or temporary files."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")
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
    assert list((tmp_path / "LR").iterdir()) == []


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
    files = {path: hdf5_bytes(tmp_path, os.path.basename(path)) for path in REFERENCE_WEIGHT_PATHS}
    file_server = FileServer(files)
    try:
        run(file_server, tmp_path / "out", "--weights", "--no-data")
        assert sorted(file_server.paths_requested()) == sorted(REFERENCE_WEIGHT_PATHS)
        for path, data in files.items():
            assert (tmp_path / "out" / "weights" / os.path.basename(path)).read_bytes() == data

        file_server.files[REFERENCE_WEIGHT_PATHS[0]] = b"<html>login page</html>"
        with pytest.raises(UserError, match="not HDF5"):
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
    assert last_line == f"error: cannot download {server.url}/download/data/TecoGAN/tos_HR.zip: HTTP 404 Not Found"
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "HR" / "tos_HR.zip").exists() and not (tmp_path / "HR" / ".tos_HR.zip.part").exists()


def test_an_unreachable_host_is_an_error_naming_the_url(server, tmp_path):
    url = server.url
    server.close()
    with pytest.raises(UserError, match=f"cannot download {url}/download/data/TecoGAN/vid3_LR.zip"):
        download_test_data.main(["--output-dir", str(tmp_path), "--base-url", url])
