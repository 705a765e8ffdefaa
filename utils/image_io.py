"""Reading frame folders and videos as RGB float32 in [0, 1]; writing PNGs and videos atomically.

Long videos are streamed: read_ahead decodes the next frames and WriteBehind encodes the previous
ones in background threads while the networks compute, with a bounded number of frames in flight.
"""
import importlib.util
import os
import re
import subprocess
import tempfile
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

from utils.errors import UserError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")


def frame_sort_key(filename):
    """Order frames by the number in their name (the reference's order), then by name."""
    digits = "".join(re.findall(r"\d", filename))
    return (int(digits) if digits else -1, filename)


def list_frames(folder):
    """Sorted paths of the image files in folder; UserError if the folder is missing or has none."""
    if not os.path.isdir(folder):
        raise UserError(f"input folder '{folder}' does not exist; pass a folder of LR frames")
    names = [name for name in os.listdir(folder) if name.lower().endswith(IMAGE_EXTENSIONS)]
    if not names:
        raise UserError(f"input folder '{folder}' has no images ({', '.join(IMAGE_EXTENSIONS)}); "
                        "pass a folder of LR frames")
    return [os.path.join(folder, name) for name in sorted(names, key=frame_sort_key)]


def read_rgb(path):
    """(H, W, 3) float32 RGB in [0, 1]; UserError if the file cannot be decoded."""
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise UserError(f"cannot read image '{path}': the file is corrupt or not an image; "
                        "replace or remove it")
    return bgr_uint8_to_rgb_float(image)


def bgr_uint8_to_rgb_float(image):
    return image[:, :, ::-1].astype(np.float32) / 255.0


def to_uint8(image, truncate=False):
    """[0, 1] floats to 8-bit. Rounds by default; truncate=True reproduces the reference's astype."""
    scaled = np.clip(image * 255.0, 0, 255)
    return scaled.astype(np.uint8) if truncate else np.rint(scaled).astype(np.uint8)


def temporary_path(path):
    """A hidden name beside path, keeping the extension so that writers pick the right format."""
    directory, name = os.path.split(path)
    stem, extension = os.path.splitext(name)
    return os.path.join(directory, f".{stem}.{os.getpid()}.tmp{extension}")


def write_atomically(path, write):
    """write(temporary path) beside path, then rename it into place; no partial file is left on failure."""
    temporary = temporary_path(path)
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_bytes(path, content, mode="wb"):
    """Write bytes (or text with mode "w") atomically."""
    def write(temporary):
        with open(temporary, mode, encoding=None if "b" in mode else "utf-8") as file:
            file.write(content)
    write_atomically(path, write)


def write_rgb(path, image, truncate=False):
    """Write an (H, W, 3) RGB image in [0, 1] atomically (temporary name, then rename)."""
    extension = os.path.splitext(path)[1]
    ok, encoded = cv2.imencode(extension, to_uint8(image, truncate)[:, :, ::-1])
    if not ok:
        raise UserError(f"cannot encode an image as '{extension}'; use --output-ext png or jpg")
    write_bytes(path, encoded.tobytes())


class VideoReader:
    """Frames of a video file as RGB float32 in [0, 1], with its frame rate and frame count."""

    def __init__(self, path):
        if not os.path.isfile(path):
            raise UserError(f"video file '{path}' does not exist")
        self.path = path
        self.capture = cv2.VideoCapture(path)
        if not self.capture.isOpened():
            raise UserError(f"cannot open video '{path}': unknown format or corrupt file")
        self.fps = self.capture.get(cv2.CAP_PROP_FPS) or 25.0
        self.frame_count = int(self.capture.get(cv2.CAP_PROP_FRAME_COUNT))

    def __iter__(self):
        while True:
            ok, frame = self.capture.read()
            if not ok:
                break
            yield bgr_uint8_to_rgb_float(frame)
        self.capture.release()


class VideoWriter:
    """mp4 writer that renames its file into place only when closed."""

    def __init__(self, path, fps, width, height):
        self.path = path
        self.temporary = temporary_path(path)
        self.writer = cv2.VideoWriter(self.temporary, cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
        if not self.writer.isOpened():
            raise UserError(f"cannot write video '{path}'; check the folder is writable and the name ends in .mp4")

    def write(self, rgb_uint8):
        self.writer.write(np.ascontiguousarray(rgb_uint8[:, :, ::-1]))

    def close(self):
        self.writer.release()
        os.replace(self.temporary, self.path)

    def abort(self):
        self.writer.release()
        if os.path.exists(self.temporary):
            os.remove(self.temporary)


def ffmpeg_executable():
    """Path of the ffmpeg binary shipped by the imageio-ffmpeg package, or None when it is not installed."""
    if importlib.util.find_spec("imageio_ffmpeg") is None:
        return None
    import imageio_ffmpeg
    return imageio_ffmpeg.get_ffmpeg_exe()


class FfmpegVideoWriter:
    """H.264 video written by ffmpeg from RGB frames on its stdin, renamed into place when closed.

    audio_source: a video file whose audio track, if it has one, is copied (not re-encoded).
    """

    def __init__(self, path, fps, width, height, audio_source=None, ffmpeg=None):
        self.path = path
        self.temporary = temporary_path(path)
        command = [ffmpeg or ffmpeg_executable(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                   "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-framerate", repr(float(fps)),
                   "-i", "-"]
        if audio_source:
            command += ["-i", audio_source, "-map", "0:v", "-map", "1:a?", "-c:a", "copy"]
        # yuv420p: the pixel format every player decodes; CRF 18 keeps the SR detail visible.
        command += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", self.temporary]
        self.log = tempfile.TemporaryFile()  # a file, not a pipe: ffmpeg never blocks on its messages
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self.log)

    def write(self, rgb_uint8):
        try:
            self.process.stdin.write(np.ascontiguousarray(rgb_uint8).tobytes())
        except BrokenPipeError:
            self.process.wait()
            self._fail()

    def close(self):
        self.process.stdin.close()
        if self.process.wait() != 0:
            self._fail()
        self.log.close()
        os.replace(self.temporary, self.path)

    def abort(self):
        self.process.kill()
        self.process.wait()
        self.log.close()
        if os.path.exists(self.temporary):
            os.remove(self.temporary)

    def _fail(self):
        self.log.seek(0)
        messages = self.log.read().decode(errors="replace").strip().splitlines()
        self.abort()
        raise UserError(f"ffmpeg could not write video '{self.path}': {messages[-1] if messages else 'no message'}")


def open_video_writer(path, fps, width, height, audio_source=None):
    """H.264 through ffmpeg (with the audio of audio_source) when imageio-ffmpeg is installed, else OpenCV."""
    ffmpeg = ffmpeg_executable()
    if ffmpeg:
        return FfmpegVideoWriter(path, fps, width, height, audio_source, ffmpeg)
    return VideoWriter(path, fps, width, height)


_END = object()


def read_ahead(items, depth=2):
    """Yield the items of an iterable while a background thread produces up to `depth` more.

    Errors raised by the iterable are raised here, at the item where they happened.
    """
    iterator = iter(items)
    with ThreadPoolExecutor(1) as worker:
        pending = deque(worker.submit(next, iterator, _END) for _ in range(depth))
        while True:
            item = pending.popleft().result()
            if item is _END:
                return
            pending.append(worker.submit(next, iterator, _END))
            yield item


class WriteBehind:
    """Runs write calls in order in a background thread, at most `depth` waiting.

    An error of a write is raised by a later submit() or by the end of the with block.
    """

    def __init__(self, depth=2):
        self.depth = depth
        self.worker = ThreadPoolExecutor(1)
        self.pending = deque()

    def submit(self, function, *args):
        self.pending.append(self.worker.submit(function, *args))
        while len(self.pending) > self.depth:
            self.pending.popleft().result()

    def __enter__(self):
        return self

    def __exit__(self, error_type, error, traceback):
        if error_type is not None:  # the caller failed: drop the writes not started, keep its error
            self.worker.shutdown(cancel_futures=True)
            return
        try:
            while self.pending:
                self.pending.popleft().result()
        finally:
            self.worker.shutdown(cancel_futures=True)
