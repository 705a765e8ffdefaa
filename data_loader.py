"""Training samples from the sequences of data.layout (datasets/: the authors' scene folders by default,
any folder of sequences, REDS), read from their frame files or the decoded-frame cache (data.cache_dir).

A sample is rnn_n consecutive frames of one sequence (a sliding window that never crosses two),
cropped to tar_size = crop_size * scale + 2 * margin (utils.degradation) so that the LR frames can be made
inside the graph, augmented, as RGB float32 in [0, 1].

Every sample is a pure function of (seed, global sample number): the batches of iteration k are the
same whether training runs in one go, resumes from a checkpoint, or is split over processes (each
process takes its slice of the global batch).
"""
import math
import os
import sys
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np

from datasets import reds
from datasets.frame_cache import cached_frames
from datasets.sequences import (check_lengths, find_scenes, folder_sequences, frame_size, of_its_size,
                                scene_sequence)
from utils.distributed import local_size
from utils.errors import UserError, size_said
from utils.degradation import DEFAULT_DEGRADATION, margin
from utils.image_io import read_bgr_uint8

MOVING_FIRST_FRAME_PROBABILITY = 0.3  # the reference moves when uniform(0, 1) >= 0.7
MOVE_STEP_RANGE = (-3.5, 4.5)  # per-frame shift floor(uniform(-3.5, 4.5)) in {-4, ..., 4}


def hr_crop_size(crop_size, scale, degradation=DEFAULT_DEGRADATION):
    """HR pixels a sample needs: the target crop (crop_size LR pixels at `scale`) plus the degradation's
    margin on each side."""
    return crop_size * scale + 2 * margin(degradation, scale)


def training_sequences(data, rnn_n, warn=print):
    """The Sequences of data.layout (datasets/sequences.py), each at least rnn_n frames long."""
    if data.layout == "scenes":
        folders = find_scenes(data.input_video_dir, data.input_video_pre, data.str_dir, data.end_dir,
                              data.max_frm, rnn_n, warn)  # shorter scenes are skipped with a warning
        return [scene_sequence(folder, data.max_frm) for folder in folders]
    if data.layout == "reds":
        sequences = reds.training_sequences(data.input_video_dir, data.sequence_list)
    else:
        sequences = folder_sequences(data.input_video_dir, data.sequence_list)
    check_lengths(sequences, rnn_n)
    return sequences


def sequence_windows(scenes, rnn_n, max_frm):
    """(scene, first frame) of every window of rnn_n consecutive frames of a scene, never across two.
    max_frm: the last frame index, of every scene or (a list) of each."""
    last_frames = max_frm if isinstance(max_frm, list) else [max_frm] * len(scenes)
    return [(scene, start) for scene, last in zip(scenes, last_frames) for start in range(last - rnn_n + 2)]


def read_frame(path):
    # its bytes checked before decoding: libpng printed its own line beside ours for a damaged PNG
    return read_bgr_uint8(path)[:, :, ::-1]  # RGB, as at inference (the reference trains on BGR)


def moving_first_frame_crops(first_frame, rnn_n, rng):
    """rnn_n crops of one frame, each shifted from the last by a random step (simulated camera motion)."""
    steps = np.floor(rng.uniform(*MOVE_STEP_RANGE, size=(rnn_n, 2))).astype(int)
    positions = np.concatenate([np.zeros((1, 2), int), np.cumsum(steps, axis=0)[:-1]])  # (x, y)
    top_left = positions - positions.min(axis=0)
    span = positions.max(axis=0) - positions.min(axis=0)
    height, width = first_frame.shape[0] - span[1], first_frame.shape[1] - span[0]
    return [first_frame[y:y + height, x:x + width] for x, y in top_left]


class PngFrames:
    """The frames of a sequence, decoded from their files when indexed (the path without data.cache_dir).
    size: (height, width) the frames had when training started; a frame rewritten since at another size is a
    UserError (numpy's traceback while stacking the crops, else)."""

    def __init__(self, paths, size):
        self.paths, self.size = paths, tuple(size)

    def __getitem__(self, index):
        return of_its_size(read_frame(self.paths[index]), self.paths[index], self.size)


PREFETCH_DEPTH = 4  # batches BatchPrefetcher reads ahead


def check_batch_memory(batch_size, rnn_n, tar_size):
    """UserError when the batches the loaders of this machine's processes hold at once (those read ahead, the one
    in training, one being stacked) outgrow its memory: the run would take memory without end, until the kernel
    ended it (or another process) without a word."""
    batch_bytes = 4 * batch_size * rnn_n * tar_size ** 2 * 3  # float32 RGB
    held, memory = (PREFETCH_DEPTH + 2) * batch_bytes * local_size(), os.sysconf("SC_PAGE_SIZE") * os.sysconf(
        "SC_PHYS_PAGES")
    if held > memory:
        # the batch rounded up (a need): to the nearest, 1.33335 GB a batch was "1.33 GB", six of them 7.98 GB, not
        # more than the "8.00 GB of memory" the line went on to say
        raise UserError(f"train.batch_size {batch_size} of {rnn_n} frames of {tar_size}x{tar_size} pixels takes "
                        f"{size_said(batch_bytes, math.ceil)} a batch, and the loader holds {PREFETCH_DEPTH + 2} "
                        f"per process ({local_size()} on this machine): more than its "
                        f"{size_said(memory, math.floor)} of memory; lower train.batch_size")


class SequenceSampler:
    """Makes the training samples of one process: of sequences (training_sequences' Sequences, where the caller
    has them already), else of config's."""

    def __init__(self, config, rank=0, num_procs=1, warn=print, sequences=None):
        train, data = config.train, config.data
        if sequences is None:
            sequences = training_sequences(data, train.rnn_n, warn)
        self.scenes = [sequence.folder for sequence in sequences]
        self.windows = sequence_windows(self.scenes, train.rnn_n,
                                        [len(sequence.frames) - 1 for sequence in sequences])
        self.rnn_n, self.tar_size = train.rnn_n, hr_crop_size(train.crop_size, train.scale, data.degradation)
        self.flip, self.random_crop = train.flip, train.random_crop
        self.moving_first_frame = train.movingFirstFrame
        self.seed, self.batch_size = train.seed, train.batch_size
        self.rank, self.global_batch = rank, train.batch_size * num_procs
        sizes = [frame_size(sequence, data.layout) for sequence in sequences]
        for sequence, (height, width) in zip(sequences, sizes):
            if min(height, width) < self.tar_size:
                raise UserError(
                    f"training frames of '{sequence.folder}' are {width}x{height}, smaller than the HR "
                    f"crop of {self.tar_size} pixels; lower train.crop_size")
        check_batch_memory(train.batch_size, train.rnn_n, self.tar_size)
        if data.cache_dir:
            self.frames = cached_frames(sequences,
                                        sizes,
                                        data.cache_dir,
                                        read_frame,
                                        warn,
                                        show_progress=rank == 0)
        else:
            self.frames = {sequence.folder: PngFrames(sequence.frames, size)
                           for sequence, size in zip(sequences, sizes)}

    @lru_cache(maxsize=2)
    def _epoch_order(self, epoch):
        return np.random.default_rng((self.seed, epoch)).permutation(len(self.windows))

    def window(self, number):
        """(scene, first frame) of global sample `number`: every window once per epoch, shuffled."""
        epoch, position = divmod(number, len(self.windows))
        return self.windows[self._epoch_order(epoch)[position]]

    def sample(self, number):
        """Global sample `number`: (rnn_n, tar_size, tar_size, 3) float32 RGB in [0, 1]. Whole frames are only
        indexed (a memory map's are views); the crop is copied."""
        scene, start = self.window(number)
        frames = self.frames[scene]
        rng = np.random.default_rng((self.seed, number, 1))
        sequence = None
        if self.moving_first_frame and rng.uniform() < MOVING_FIRST_FRAME_PROBABILITY:
            sequence = moving_first_frame_crops(frames[start], self.rnn_n, rng)
            if min(sequence[0].shape[:2]) < self.tar_size:
                sequence = None  # the motion ate too much of the frame; use the real sequence
        if sequence is None:
            sequence = [frames[start + offset] for offset in range(self.rnn_n)]
        height, width = sequence[0].shape[:2]
        if self.random_crop:
            top, left = (int(np.floor(rng.uniform(0, size - self.tar_size))) for size in (height, width))
        else:
            top, left = (height - self.tar_size) // 2, (width - self.tar_size) // 2
        crops = np.stack([frame[top:top + self.tar_size, left:left + self.tar_size] for frame in sequence])
        if self.flip and rng.uniform() < 0.5:
            crops = crops[:, :, ::-1]  # horizontal flip, applied (the reference discards it)
        return crops.astype(np.float32) / 255.0

    def batch(self, iteration):
        """This process's part of the global batch of `iteration`: (batch, rnn_n, tar, tar, 3)."""
        first = iteration * self.global_batch + self.rank * self.batch_size
        return np.stack([self.sample(number) for number in range(first, first + self.batch_size)])


def default_loader_threads():
    """train.loader_workers null: the cores this process may use, shared with the other processes of its node
    when each may use all of the node's cores (a launcher that binds each process to its own cores leaves
    none to share)."""
    cores = len(os.sched_getaffinity(0))
    if cores == os.cpu_count():
        cores //= local_size()
    return max(1, cores)


class BatchPrefetcher:
    """Batches of consecutive iterations, read by background threads ahead of the training loop."""

    def __init__(self, sampler, start_iteration, workers=2, depth=PREFETCH_DEPTH):
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
