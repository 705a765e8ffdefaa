"""Small real training scenes for the tests, in the layout of authors_scripts/dataPrepare.py, and readers of
what a run reports."""
import csv
import glob
import os
import re
import struct

import h5py

from conftest import shared_path
from datasets import reds
from training.loss_log import ITERATION_SECONDS
from utils.frame_names import list_frames
from utils.image_io import read_rgb, write_rgb
from utils.scene_layout import write_scenes

CALENDAR = shared_path("data", "calendar_lr")  # 41 real frames, 180x144


def make_calendar_scenes(root, scene_count=2, frames_per_scene=12):
    """Scenes 2000, 2001, ... cut back to back from the VID4 calendar frames (from the first again when they
    run out); returns root."""
    sources = list_frames(CALENDAR)
    return write_scenes(str(root), [[read_rgb(sources[(number * frames_per_scene + frame) % len(sources)])
                                     for frame in range(frames_per_scene)] for number in range(scene_count)])


def calendar_frame(number, height=None, width=None):
    """VID4 calendar frame `number` (wrapping round), cut to height x width from the top left: (h, w, 3)
    RGB."""
    sources = list_frames(CALENDAR)
    return read_rgb(sources[number % len(sources)])[:height, :width]


def make_sequence_folders(root, lengths, name_frame=lambda index: f"frame_{index}.png", sizes=None):
    """A folder of sequences (data.layout sequences): {relative folder: frame count}, frames named by
    name_frame(index), cut back to back from the calendar frames; sizes: {folder: (height, width)} for those
    that are not 144x180. Returns root."""
    number = 0
    for name, count in lengths.items():
        folder = os.path.join(str(root), name)
        os.makedirs(folder, exist_ok=True)
        for index in range(count):
            write_rgb(os.path.join(folder, name_frame(index)),
                      calendar_frame(number,
                                     *(sizes or {}).get(name, ())))
            number += 1
    return str(root)


def make_lr_hr_pair(root, low, high, count=3, side=32, scale=4, other_pictures=False, brightness=1.0, first=None):
    """Folders low and high (relative to root) of count frames named alike: high's calendar frames cut to side x side,
    low's those frames made scale times smaller by the bd degradation (an LR and HR pair's), or where other_pictures,
    of the frames turned upside down (two clips at two sizes); both darkened to brightness; where first, high's first
    frame is first (side x side x 3, a fade from black). Returns root."""
    import numpy as np
    from utils.degradation import degrade_frames
    for index in range(count):
        frame = first if first is not None and index == 0 else calendar_frame(index, side, side) * brightness
        small = degrade_frames(frame[::-1] if other_pictures else frame, "bd", scale)
        for name, picture in ((high, frame), (low, np.clip(small, 0, 1))):
            os.makedirs(os.path.join(str(root), name), exist_ok=True)
            write_rgb(os.path.join(str(root), name, f"{index:04d}.png"), picture)
    return str(root)


def make_reds_folder(root, train=("000", "001", "011", "015", "020"), val=("000",), height=64, width=80):
    """A REDS folder as download_test_data.py --reds unpacks it (datasets/reds.py's layout and names): the
    given train_sharp and val_sharp sequences, each of its 100 frames cut from the calendar frames. Returns
    root."""
    for part, sequences in ((os.path.join("train", "train_sharp"), train), (os.path.join("val",
                                                                                         "val_sharp"), val)):
        make_sequence_folders(os.path.join(str(root), part),
                              {sequence: reds.FRAMES_PER_SEQUENCE for sequence in sequences}, reds.frame_name,
                              {sequence: (height, width) for sequence in sequences})
    return str(root)


def tiny_training_flags(data_dir, output_dir, **overrides):
    """train.py flags for a run of a few seconds: 2 blocks, LR crop 8, sequences of 3 frames."""
    settings = {"train.crop_size": 8, "train.rnn_n": 3, "train.save_freq": 2, "train.seed": 3,
                "data.str_dir": 2000, "data.end_dir": 2001, "data.max_frm": 11, **overrides}
    flags = ["--input_video_dir", str(data_dir), "--output_dir", str(output_dir), "--num_resblock", "2",
             "--context", "cpu"]
    for key, value in settings.items():
        flags += ["--set", f"{key}={value}"]
    return flags


def logged_rows(output_dir):
    """losses.csv as a list of {column: text}."""
    with open(os.path.join(output_dir, "losses.csv"), newline="") as log:
        return list(csv.DictReader(log))


def logged_losses(output_dir):
    """losses.csv's rows without the iteration time, which differs from run to run."""
    return [{
        key: value for key, value in row.items() if key != ITERATION_SECONDS
    } for row in logged_rows(output_dir)]


def summary_line(stdout):
    """(iterations, seconds, samples/s) of the 'trained N iterations in S s (..., R samples/s, ...)' line."""
    matches = re.findall(r"^trained (\d+) iterations? in ([\d.]+) s \(.*?, ([\d.e+]+) samples/s,", stdout,
                         re.MULTILINE)
    assert len(matches) == 1, stdout
    done, seconds, rate = matches[0]
    return int(done), float(seconds), float(rate)


def events(folder):
    """The Events of the TensorBoard event files in folder, in order. A file is a sequence of records: 8-byte
    length, 4-byte CRC, an Event protobuf, 4-byte CRC."""
    from tensorboardX.proto.event_pb2 import Event
    for path in sorted(glob.glob(os.path.join(folder, "events.out.tfevents.*"))):
        with open(path, "rb") as file:
            content = file.read()
        position = 0
        while position < len(content):
            (length,) = struct.unpack("<Q", content[position:position + 8])
            yield Event.FromString(content[position + 12:position + 12 + length])
            position += 12 + length + 4


def event_scalars(folder):
    """{tag: [(step, value)]} of the TensorBoard event files in folder as TensorBoard shows them: a session
    start at step s (a resumed run's purge_step) hides the events of steps >= s read before it."""
    from tensorboardX.proto.event_pb2 import SessionLog
    scalars = {}
    for event in events(folder):
        if event.HasField("session_log") and event.session_log.status == SessionLog.START:
            scalars = {tag: [(step, value) for step, value in points if step < event.step]
                       for tag, points in scalars.items()}
        for value in event.summary.value:
            if not value.HasField("image"):
                scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    return scalars


def event_images(folder):
    """{tag: [(step, (height, width))]} of the images in the TensorBoard event files in folder."""
    images = {}
    for event in events(folder):
        for value in event.summary.value:
            if value.HasField("image"):
                images.setdefault(value.tag, []).append((event.step, (value.image.height, value.image.width)))
    return images


def final_parameters(output_dir):
    """(name, {parameter: array}) of the newest params_N.h5 checkpoint file in output_dir."""
    files = sorted(name for name in os.listdir(output_dir) if name.startswith("params_"))
    with h5py.File(os.path.join(output_dir, files[-1]), "r") as h5:
        arrays = {}
        h5.visititems(lambda name, item: arrays.__setitem__(name, item[()])
                      if isinstance(item, h5py.Dataset) else None)
    return files[-1], arrays
