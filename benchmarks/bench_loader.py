"""Training samples per second of one loader thread: frames decoded from PNG files against the
decoded-frame cache (data.cache_dir), at 1280x720 (REDS's size) and 640x360, with the reference's sample
settings (rnn_n 10, LR crop 32, flips, random crops, moving first frame).

The frames: bigbuckbunny.mp4 (1280x720), and the same frames halved, as scenes of --frames frames.
Also prints the cache's build time and size on disk.

    .venv/bin/python benchmarks/bench_loader.py [--samples-png 20] [--samples-cache 400]
"""
import argparse
import os
import sys
import tempfile
import time

import cv2

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)

from data_loader import SequenceSampler  # noqa: E402
from utils.config import load_config  # noqa: E402
from utils.errors import exit_on_user_error  # noqa: E402
from utils.image_io import VideoReader, sample_clip  # noqa: E402
from utils.scene_layout import write_scenes  # noqa: E402

SIZES = ((720, 1280), (360, 640))


def samples_per_second(sampler, count):
    started = time.perf_counter()
    for number in range(count):
        sampler.sample(number)
    return count / (time.perf_counter() - started)


def folder_bytes(folder):
    return sum(os.path.getsize(os.path.join(directory, name)) for directory, _, names in os.walk(folder)
               for name in names)


def main():
    with exit_on_user_error():
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--frames", type=int, default=24, help="frames of each of the two scenes")
        parser.add_argument("--samples-png", type=int, default=20, help="samples timed on the PNG path")
        parser.add_argument("--samples-cache", type=int, default=400, help="samples timed on the cache")
        args = parser.parse_args()
        frames = []
        for frame in VideoReader(sample_clip("bigbuckbunny.mp4")):
            frames.append(frame)
            if len(frames) == 2 * args.frames:
                break
        print(f"one loader thread, samples of 10 frames, HR crop 136 pixels; pid {os.getpid()}")
        for height, width in SIZES:
            with tempfile.TemporaryDirectory(prefix="bench-loader-") as scratch:
                resized = [cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA) for frame in frames]
                data_dir = write_scenes(os.path.join(scratch, "scenes"),
                                        [resized[:args.frames], resized[args.frames:]])
                settings = {"data.input_video_dir": data_dir, "data.end_dir": 2001, "data.max_frm": args.frames - 1}
                png = SequenceSampler(load_config(overrides=settings))
                cache_dir = os.path.join(scratch, "cache")
                started = time.perf_counter()
                cached = SequenceSampler(load_config(overrides={**settings, "data.cache_dir": cache_dir}),
                                         warn=lambda message: None)
                build_seconds = time.perf_counter() - started
                png_rate = samples_per_second(png, args.samples_png)
                cache_rate = samples_per_second(cached, args.samples_cache)
                print(f"{width}x{height}: PNG {png_rate:.1f} samples/s, cache {cache_rate:.0f} samples/s "
                      f"({cache_rate / png_rate:.0f}x); cache of {2 * args.frames} frames built in "
                      f"{build_seconds:.1f} s, {folder_bytes(cache_dir) / 1e6:.0f} MB on disk "
                      f"({folder_bytes(data_dir) / 1e6:.0f} MB of PNG)")


if __name__ == "__main__":
    main()
