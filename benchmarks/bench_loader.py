"""Training samples per second of one loader thread: frames decoded from PNG files against the
decoded-frame cache (data.cache_dir), at 1280x720 (REDS's size) and 640x360, with the reference's sample
settings (rnn_n 10, LR crop 32, flips, random crops, moving first frame).

The frames: the first frames of bigbuckbunny.mp4 at each size, as two scenes of --frames frames. Also
prints the cache's build time and size on disk.

    .venv/bin/python -m benchmarks.bench_loader [--frames 24] [--samples-png 20] [--samples-cache 400]
"""
from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

import os
import tempfile
import time

from benchmarks.harness import count, make_scenes, write_resized_frames
from data_loader import SequenceSampler
from training.config import load_config
from utils.errors import exit_on_user_error
from utils.flags import FlagParser, positive

SIZES = ((1280, 720), (640, 360))


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
        parser = FlagParser(description=__doc__.splitlines()[0])
        sample_frames = load_config().train.rnn_n  # a scene shorter than a sample failed on settings not given here
        parser.add_argument("--frames", type=positive(int, "--frames", least=sample_frames), default=24,
                            help=f"frames of each of the two scenes, at least a sample's {sample_frames}")
        parser.add_argument("--samples-png", type=count("--samples-png"), default=20,
                            help="samples timed on the PNG path")
        parser.add_argument("--samples-cache", type=count("--samples-cache"), default=400,
                            help="samples timed on the cache")
        args = parser.parse_args()
        print(f"one loader thread, samples of {sample_frames} frames, HR crop 136 pixels")
        for width, height in SIZES:
            with tempfile.TemporaryDirectory(prefix="bench-loader-") as scratch:
                write_resized_frames(os.path.join(scratch, "frames"), (width, height), 2 * args.frames)
                data_dir = os.path.join(scratch, "scenes")
                max_frm = make_scenes(data_dir, os.path.join(scratch, "frames"), args.frames)
                settings = {"data.input_video_dir": data_dir, "data.end_dir": 2001, "data.max_frm": max_frm}
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
