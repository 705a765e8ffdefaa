"""Reading frame folders and videos as RGB float32 in [0, 1]; writing PNGs and videos atomically."""
import os
import re

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


def write_rgb(path, image, truncate=False):
    """Write an (H, W, 3) RGB image in [0, 1] atomically (temporary name, then rename)."""
    extension = os.path.splitext(path)[1]
    ok, encoded = cv2.imencode(extension, to_uint8(image, truncate)[:, :, ::-1])
    if not ok:
        raise UserError(f"cannot encode an image as '{extension}'; use --output-ext png or jpg")
    temporary = temporary_path(path)
    with open(temporary, "wb") as file:
        file.write(encoded.tobytes())
    os.replace(temporary, path)


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
