"""A local HTTP server (127.0.0.1, a free port) serving files made by the tests, for download_test_data.py."""
import functools
import gzip
import io
import threading
import urllib.parse
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LPIPS_NAME = "alex_with_LPIPS.h5"


def make_zip(members):
    """Bytes of a zip holding {name: bytes}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@functools.lru_cache(maxsize=None)
def lpips_stand_in(compression=None):
    """Bytes of an alex_with_LPIPS.h5 of the published layout (utils.lpips's fifteen parameters, of their shapes), of
    one value each: what the download's check of that file, the LPIPS reader's, takes. Not compressed: its 10 MB are
    served and read faster than a compressed file's 0.1 MB are inflated, twice a check; compression (h5py's, "gzip"):
    for a server that sends it at once, whole, whatever is asked."""
    import h5py
    import numpy as np

    from utils.lpips import parameter_shapes
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        for name, shape in parameter_shapes().items():
            # of one value a layer (0.01, the linear layers' 0.1), which the reader takes: of zeros, it was refused
            h5.create_dataset(name, data=np.full(shape, 0.1 if name.startswith("lin") else 0.01, np.float32),
                              compression=compression, chunks=shape if compression else None)
    return buffer.getvalue()


def weight_files(paths, weights):
    """{path: bytes} serving weights (bytes, or {path: bytes}) at each of paths, and at the path of alex_with_LPIPS.h5
    among them the stand-in of its layout (lpips_stand_in), which the download checks with the LPIPS reader."""
    return {path: lpips_stand_in() if path.endswith("/" + LPIPS_NAME)
            else weights[path] if isinstance(weights, dict) else weights for path in paths}


class FileServer:
    """Serves {path: bytes} with HTTP Range support; records every request's path and Range header.

    cut_after[path] = n sends the full Content-Length but only n bytes, then drops the connection.
    ignore_range makes it answer 200 with the whole file, as servers without Range support do.
    omit_length makes it send no Content-Length: the end of the connection is the end of the file
    (HTTP/1.0), so a cut connection looks like a complete download; garbled_length sends this text instead.
    redirect[path] = location answers a request for path with a redirect_status (302) to location.
    etags[path] = tag sends ETag: tag and answers a Range request whose If-Range is not that tag with the whole
    file (200), as servers do; ignore_if_range makes it answer the range all the same. head_etags[path] = tag sends
    that ETag to a HEAD request instead (a host of several servers, each of its own ETag). refused_sizes[path] = n
    answers a Range request with 416 and Content-Range 'bytes */n' (of a size other than the file's).
    head_lengths[path] = text sends that Content-Length to a HEAD request instead of the file's (a host whose HEAD
    replies say 0). range_totals[path] = text sends that text as the total of a 206's Content-Range ('bytes a-b/text');
    content_ranges[path] = text sends that text as a 206's whole Content-Range (None: none at all); range_ends[path] = n
    sends a 206 of the bytes before n alone (its Content-Length theirs). empty_206 answers a range at the file's end
    with a 206 of no byte ('bytes <size>-<size - 1>/<size>') where servers send 416. range_extras[path] = bytes sends
    them after a 206's range, counted in its Content-Length. range_starts[path] = n answers every GET of path, with a
    Range or without, with a 206 from byte n (a host that sends the whole file as a range, 'bytes 0-<last>/<size>').
    chunked sends the body in one chunk (Transfer-Encoding: chunked), beside a Content-Length only if garbled_length.
    gzip makes it send the whole file gzip-compressed (Content-Encoding: gzip) whatever the request asks for;
    gzip_encodings are the Content-Encoding headers it sends then, one header each (["identity", "gzip"]: two), or
    the headers of the name gzip_header names (Transfer-Encoding: a compression of the transfer alone).
    """

    def __init__(self, files):
        self.files = dict(files)
        self.cut_after = {}
        self.ignore_range = False
        self.omit_length = False
        self.garbled_length = None
        self.redirect = {}
        self.redirect_status = 302
        self.etags = {}
        self.ignore_if_range = False
        self.head_etags = {}
        self.refused_sizes = {}
        self.head_lengths = {}
        self.range_totals = {}
        self.content_ranges = {}
        self.range_ends = {}
        self.empty_206 = False
        self.range_extras = {}
        self.range_starts = {}
        self.chunked = False
        self.gzip = False
        self.gzip_encodings = ["gzip"]
        self.gzip_header = "Content-Encoding"
        self.requests = []
        self.heads = []  # HEAD requests (sizes asked before downloading), apart from requests
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.handle(self)

            def do_HEAD(self):
                server.handle(self, head=True)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def handle(self, request, head=False):
        path = urllib.parse.urlsplit(request.path).path
        range_header = request.headers.get("Range")
        (self.heads if head else self.requests).append((path, range_header))
        if path in self.redirect:
            request.send_response(self.redirect_status)
            request.send_header("Location", self.redirect[path])
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        if path not in self.files:
            request.send_error(404, "Not Found")
            return
        data = self.files[path]
        if self.gzip:
            body = gzip.compress(data)
            request.send_response(200)
            for encoding in self.gzip_encodings:
                request.send_header(self.gzip_header, encoding)
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(b"" if head else body)
            return
        start, end = 0, len(data)
        if_range = request.headers.get("If-Range")
        changed = if_range is not None and if_range != self.etags.get(path) and not self.ignore_if_range
        if (range_header or path in self.range_starts) and not self.ignore_range and not changed:
            start = self.range_starts.get(path) if path in self.range_starts else int(
                range_header.split("=")[1].split("-")[0])
            if (start >= len(data) and not self.empty_206) or path in self.refused_sizes:
                request.send_response(416)
                request.send_header("Content-Range", f"bytes */{self.refused_sizes.get(path, len(data))}")
                request.send_header("Content-Length", "0")
                request.end_headers()
                return
            request.send_response(206)
            total = self.range_totals.get(path, len(data))
            content_range = self.content_ranges.get(path, f"bytes {start}-{len(data) - 1}/{total}")
            if content_range is not None:
                request.send_header("Content-Range", content_range)
            data = data[:self.range_ends.get(path, end)] + self.range_extras.get(path, b"")
            end = len(data)
        else:
            request.send_response(200)
        etag = self.head_etags.get(path, self.etags.get(path)) if head else self.etags.get(path)
        if etag:
            request.send_header("ETag", etag)
        if head and path in self.head_lengths:
            request.send_header("Content-Length", self.head_lengths[path])
        elif not self.omit_length and (self.garbled_length or not self.chunked):
            request.send_header("Content-Length", self.garbled_length or str(end - start))
        if self.chunked:
            request.send_header("Transfer-Encoding", "chunked")
        request.end_headers()
        body = b"" if head else data[start:end]
        if path in self.cut_after:
            body = body[:self.cut_after[path]]
            request.close_connection = True
        if self.chunked and not head:
            body = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n" if body else b"0\r\n\r\n"
        request.wfile.write(body)

    def paths_requested(self):
        return [path for path, _ in self.requests]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
