"""Training sequences from the scene folders of authors_scripts/dataPrepare.py.

Layout: <input_video_dir>/<input_video_pre>_<NNNN>/col_high_<FFFF>.png, scenes NNNN = str_dir..end_dir,
frames FFFF = 0..max_frm. A sample is rnn_n consecutive frames of one scene (a sliding window),
cropped to tar_size = crop_size * scale + 2 * BLUR_MARGIN so that the LR frames can be made by blurring
inside the graph, augmented, as RGB float32 in [0, 1].

Every sample is a pure function of (seed, global sample number): the batches of iteration k are the
same whether training runs in one go, resumes from a checkpoint, or is split over processes (each
process takes its slice of the global batch).
"""
import os
import re
import sys
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import cv2
import numpy as np

from utils.errors import UserError
from utils.image_io import common_image_size
from utils.ops import BLUR_MARGIN
from utils.paths import input_folder
from utils.scene_layout import frame_path, scene_dir

MOVING_FIRST_FRAME_PROBABILITY = 0.3  # the reference moves when uniform(0, 1) >= 0.7
MOVE_STEP_RANGE = (-3.5, 4.5)  # per-frame shift floor(uniform(-3.5, 4.5)) in {-4, ..., 4}


def hr_crop_size(crop_size, scale):
    """HR pixels a sample needs: the target crop (crop_size LR pixels at `scale`) plus the blur margin on each side."""
    return crop_size * scale + 2 * BLUR_MARGIN


def find_scenes(input_dir, prefix, first_id, last_id, max_frm, rnn_n, warn=print):
    """Scene folders with ids first_id..last_id and every frame 0..max_frm, in id order; folders lacking a
    frame are skipped with a warning. When none is left, the one-line error names the data.max_frm (and the
    train.rnn_n) that would use the longest scene. The folder is listed (not every id tried), so a wide id range
    costs nothing."""
    if not input_dir:
        raise UserError("no training data: set --input_video_dir (scenes made by authors_scripts/dataPrepare.py)")
    input_folder(input_dir, "training data folder (--input_video_dir)",
                 "prepare scenes with authors_scripts/dataPrepare.py")
    name_pattern = re.compile(re.escape(prefix) + r"_(\d+)")
    scene_ids = sorted(int(match.group(1)) for name in os.listdir(input_dir)
                       for match in [name_pattern.fullmatch(name)]
                       if match and first_id <= int(match.group(1)) <= last_id
                       and scene_dir(input_dir, int(match.group(1)), prefix) == os.path.join(input_dir, name))
    scenes, skipped, longest_skipped = [], [], 0
    for folder in (scene_dir(input_dir, scene_id, prefix) for scene_id in scene_ids):
        if not os.path.isdir(folder):
            continue
        present = set(os.listdir(input_folder(folder, "scene folder")))
        missing = [index for index in range(max_frm + 1) if os.path.basename(frame_path(folder, index)) not in present]
        if missing:
            skipped.append(f"warning: skipping {folder}: it lacks frame {missing[0]} (frames 0..{max_frm} are used, "
                           "data.max_frm)")
            longest_skipped = max(longest_skipped, missing[0])  # frames 0..missing[0] - 1 are there
            continue
        scenes.append(folder)
    if not scenes:
        advice = "check data.str_dir, data.end_dir, data.max_frm"
        if longest_skipped >= 2:  # a sequence needs two frames
            advice = (f"the longest scene there has frames 0..{longest_skipped - 1}: set --set "
                      f"data.max_frm={longest_skipped - 1} to train on it")
            if longest_skipped < rnn_n:
                advice += f", with --set train.rnn_n={longest_skipped} or less"
        raise UserError(f"no usable scene '{prefix}_NNNN' with ids {first_id}..{last_id} and frames 0..{max_frm} "
                        f"in '{input_dir}'; {advice}")
    for message in skipped:
        warn(message)
    return scenes


def scene_frame_size(scene, max_frm):
    """(height, width) shared by frames 0..max_frm of a scene (read from their headers); UserError if they differ."""
    return common_image_size([frame_path(scene, index) for index in range(max_frm + 1)], "training frame",
                             "all frames of a scene must have one size: re-run dataPrepare.py for this scene or "
                             "remove it")


def sequence_windows(scenes, rnn_n, max_frm):
    """(scene, first frame) of every window of rnn_n consecutive frames."""
    return [(scene, start) for scene in scenes for start in range(max_frm - rnn_n + 2)]


def read_frame(path):
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise UserError(f"cannot read training frame '{path}': corrupt or missing; re-run dataPrepare.py for its scene")
    return image[:, :, ::-1]  # RGB, as at inference (the reference trains on BGR)


def moving_first_frame_crops(first_frame, rnn_n, rng):
    """rnn_n crops of one frame, each shifted from the last by a random step (simulated camera motion)."""
    steps = np.floor(rng.uniform(*MOVE_STEP_RANGE, size=(rnn_n, 2))).astype(int)
    positions = np.concatenate([np.zeros((1, 2), int), np.cumsum(steps, axis=0)[:-1]])  # (x, y)
    top_left = positions - positions.min(axis=0)
    span = positions.max(axis=0) - positions.min(axis=0)
    height, width = first_frame.shape[0] - span[1], first_frame.shape[1] - span[0]
    return [first_frame[y:y + height, x:x + width] for x, y in top_left]


class SequenceSampler:
    """Makes the training samples of one process."""

    def __init__(self, config, rank=0, num_procs=1, warn=print):
        train, data = config.train, config.data
        self.scenes = find_scenes(data.input_video_dir, data.input_video_pre, data.str_dir, data.end_dir,
                                  data.max_frm, train.rnn_n, warn)
        self.windows = sequence_windows(self.scenes, train.rnn_n, data.max_frm)
        self.rnn_n, self.tar_size = train.rnn_n, hr_crop_size(train.crop_size, train.scale)
        self.flip, self.random_crop, self.moving_first_frame = train.flip, train.random_crop, train.movingFirstFrame
        self.seed, self.batch_size = train.seed, train.batch_size
        self.rank, self.global_batch = rank, train.batch_size * num_procs
        for scene in self.scenes:
            height, width = scene_frame_size(scene, data.max_frm)
            if min(height, width) < self.tar_size:
                raise UserError(f"training frames of '{scene}' are {width}x{height}, smaller than the HR crop of "
                                f"{self.tar_size} pixels; lower train.crop_size")

    @lru_cache(maxsize=2)
    def _epoch_order(self, epoch):
        return np.random.default_rng((self.seed, epoch)).permutation(len(self.windows))

    def window(self, number):
        """(scene, first frame) of global sample `number`: every window once per epoch, shuffled."""
        epoch, position = divmod(number, len(self.windows))
        return self.windows[self._epoch_order(epoch)[position]]

    def sample(self, number):
        """Global sample `number`: (rnn_n, tar_size, tar_size, 3) float32 RGB in [0, 1]."""
        scene, start = self.window(number)
        rng = np.random.default_rng((self.seed, number, 1))
        frames = None
        if self.moving_first_frame and rng.uniform() < MOVING_FIRST_FRAME_PROBABILITY:
            frames = moving_first_frame_crops(read_frame(frame_path(scene, start)), self.rnn_n, rng)
            if min(frames[0].shape[:2]) < self.tar_size:
                frames = None  # the motion ate too much of the frame; use the real sequence
        if frames is None:
            frames = [read_frame(frame_path(scene, start + offset)) for offset in range(self.rnn_n)]
        frames = np.stack(frames)
        height, width = frames.shape[1:3]
        if self.random_crop:
            top, left = (int(np.floor(rng.uniform(0, size - self.tar_size))) for size in (height, width))
        else:
            top, left = (height - self.tar_size) // 2, (width - self.tar_size) // 2
        frames = frames[:, top:top + self.tar_size, left:left + self.tar_size]
        if self.flip and rng.uniform() < 0.5:
            frames = frames[:, :, ::-1]  # horizontal flip, applied (the reference discards it)
        return frames.astype(np.float32) / 255.0

    def batch(self, iteration):
        """This process's part of the global batch of `iteration`: (batch, rnn_n, tar, tar, 3)."""
        first = iteration * self.global_batch + self.rank * self.batch_size
        return np.stack([self.sample(number) for number in range(first, first + self.batch_size)])


class BatchPrefetcher:
    """Batches of consecutive iterations, read by background threads ahead of the training loop."""

    def __init__(self, sampler, start_iteration, workers=2, depth=4):
        self.sampler, self.next_iteration = sampler, start_iteration
        self.pool = ThreadPoolExecutor(workers)
        self.pending = deque()
        self.wait_seconds = 0.0
        for _ in range(depth):
            self._submit()

    def _submit(self):
        self.pending.append(self.pool.submit(self.sampler.batch, self.next_iteration))
        self.next_iteration += 1

    def next(self):
        started = time.perf_counter()
        batch = self.pending.popleft().result()
        self.wait_seconds += time.perf_counter() - started
        self._submit()
        return batch

    def close(self):
        for future in self.pending:
            future.cancel()
        self.pool.shutdown(wait=False)


def warn_to_stderr(message):
    print(message, file=sys.stderr)
