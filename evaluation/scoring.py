"""Scoring a super-resolved sequence against its ground truth with the paper's metrics (utils/metrics.py,
utils/lpips.py), frame by frame, and their sequence means, as the TecoGAN authors' metrics.py does.

With a cuts file, the temporal metrics (tOF, tLP100) leave out the pair of frames across each cut: it
compares two shots, not the motion of one.
"""
import io
import itertools
import os
import warnings

import numpy as np
from PIL import Image

from utils import metrics
from utils.errors import UserError, counted
from utils.frame_names import (frame_order, in_frame_order, is_frame_name, no_stray_frame, one_frame_a_number,
                               only_files)
from utils.image_io import decoded_channels, grey_png, read_rgb, to_uint8
from utils.lpips import LPIPS, load_lpips_weights, to_lpips_input
from utils.paths import REPO_ROOT, input_folder
from utils.scenes import read_cuts_file

DEFAULT_LPIPS_WEIGHTS = os.path.join(REPO_ROOT, "weights", "alex_with_LPIPS.h5")
# frame pixels per AlexNet batch: 8 cropped VID4 frames (its memory: docs/)
LPIPS_BATCH_PIXELS = 8 * 544 * 704
METRICS = ("PSNR", "SSIM", "LPIPS", "tOF", "tLP100")


class Sequence:
    """A result folder and its target folder, with their frames paired in order, and the frames that open
    a shot (cuts_path: a utils.scenes cuts file, frame numbers counted from the folder's first frame)."""

    def __init__(self, index, result_dir, target_dir, cuts_path=None):
        # the results folder names the rows and pictures (two methods scored on one truth stay apart)
        self.label = f"{index:02d}_{os.path.basename(os.path.normpath(result_dir))}"
        self.target_folder = os.path.basename(os.path.normpath(target_dir))
        self.output_paths = list_png_frames(result_dir, "results")
        self.target_paths = list_png_frames(target_dir, "targets")
        if len(self.output_paths) != len(self.target_paths):
            raise UserError(f"results folder '{result_dir}' has {counted(len(self.output_paths), 'frame')} but targets "
                            f"folder '{target_dir}' has {len(self.target_paths)}; pass matching folders")
        # frames are paired in order: a targets folder missing frame 3 and holding frame 9 scored result 3 against
        # target 4 and every one after it against the next, exit code 0
        paired_off = next((index for index, (output_skips, target_skips) in enumerate(
            zip(skipped_numbers(self.output_paths), skipped_numbers(self.target_paths)))
            if output_skips != target_skips), None)
        if paired_off is not None:
            # the line named the frames after the skip as a pair, 'v_0004.png' against '000004.png' for a video's
            # frames renumbered beside the same frames named by their times (ffmpeg -frame_pts, a variable frame rate),
            # and told to pass the same frames: now each folder's step, and the frames numbered alike
            output_step, target_step = (" then ".join(f"'{os.path.basename(path)}'" for path in paths[paired_off:][:2])
                                        for paths in (self.output_paths, self.target_paths))
            raise UserError(f"results folder '{result_dir}' and targets folder '{target_dir}' skip frame numbers at "
                            f"different places ({output_step} against {target_step}), and frames are paired in order; "
                            "pass folders of the same frames, numbered alike (where they are the same, renumber "
                            "one folder's in order)")
        if len(self.target_paths) < metrics.MIN_FRAMES:
            raise UserError(f"targets folder '{target_dir}' has {counted(len(self.target_paths), 'frame')}; at least "
                            f"{metrics.MIN_FRAMES} are needed (the first and last "
                            f"{metrics.BORDER_FRAMES} are not scored)")
        height, width = read_rgb(self.target_paths[0]).shape[:2]
        _, _, crop_height, crop_width = metrics.crop_box(height, width)
        if crop_height <= 0 or crop_width <= 0:
            smallest = metrics.SMALLEST_SIDE
            raise UserError(
                f"target '{self.target_paths[0]}' is {width}x{height}: the evaluation crop needs frames "
                f"of at least {smallest}x{smallest} pixels")
        self.cuts_path = cuts_path
        self.cuts = set(read_cuts_file(cuts_path, len(self.target_paths))) if cuts_path else set()

    def temporal(self, frame, value):
        """A temporal metric of the pair (frame - 1, frame), or nan (left out of the means) across a cut."""
        return np.nan if frame in self.cuts else value


def skipped_numbers(paths):
    """For each frame after a sequence's first, how many frames the last number in its name that differs from the one
    before's skips after it, in steps of the least step forward (frames numbered every 40 ms skip none; a scene's
    first frame after another's last steps back, skipping none; a name of more or fewer numbers than the one before, a
    phone's second picture of a second, 'IMG_20230601_120000_1', skips none); empty where a name has no number."""
    numbers = [frame_order(os.path.basename(path))[0] for path in paths]
    if not all(numbers):
        return []
    # by the last number alone, a burst's 'IMG_.._120000_2' then 'IMG_.._120001' skipped 119,998 frames, refused
    # beside the same frames numbered 1..N; and a number after the frame's, the same in every name ('0004_x4.png',
    # 'f0004_v1.png'), stepped by 0: results missing frame 3 were scored against targets 3.., exit code 0
    steps = [next((now - then for then, now in zip(before[::-1], number[::-1]) if now != then), 0)
             if len(number) == len(before) else 0 for before, number in zip(numbers, numbers[1:])]
    least = min((step for step in steps if step > 0), default=1)
    return [step // least - 1 if step > 0 else 0 for step in steps]


def list_png_frames(folder, role):
    """*.png in folder (.PNG too), except hidden names (is_frame_name) and names starting with IB, sorted by the
    numbers in their name (frame_order: the authors' order, by the digits in the name, where each name holds one
    number or numbers of one width; as generate.py orders its input frames), refused as generate.py's are where two
    are one frame, or one is named otherwise than the others (no_stray_frame: 'poster_5.png' after 'output_0000.png'..
    'output_0004.png' was scored as the last result, exit code 0); a camera's Adobe RGB frame in its sRGB name's place
    (in_frame_order: Nikon's custom '_D850003.png' among 'D85_0001.png'.. was scored against the last result)."""
    input_folder(folder, f"{role} folder")
    pngs = [name for name in os.listdir(folder) if is_frame_name(name, ".png")]
    names = [name for name in pngs if not name.startswith("IB")]
    if not names:
        # frames of generate.py --output-name IBM were said to be no .png frames at all; targets were told to be
        # generated with another --output-name, a flag of generate.py's results alone
        raise UserError(f"{role} folder '{folder}' has no .png frames" + (
            f" but ones whose names begin with 'IB' ('{min(pngs)}'), which are left out as the authors' metrics.py "
            "leaves them out; rename them" + (" (or generate them with another --output-name)" if role == "results"
                                              else "") if pngs else ""))
    return no_stray_frame(one_frame_a_number(only_files(
        [os.path.join(folder, name) for name in in_frame_order(names)], f"{role} folder", folder)))


# the mean spread of a target's channels (8-bit levels) above which it is in colour, a grey output of it refused (a
# black-and-white film's frames saved as RGB spread by a level or two, where JPEG's chroma left noise)
COLOUR_SPREAD = 4
# Pillow's modes of a picture of one channel (and alpha): black and white, grey of 8, 16 or 32 bits, floats
GREY_MODES = {"1", "L", "LA", "La", "I", "F"}
# bytes of a picture's file Pillow reads its header from (greyscale_format): twice the largest segment of a JPEG
# header (an EXIF of 64 KiB)
HEADER_BYTES = 2 ** 17


def greyscale_format(path, rgb):
    """The format of a greyscale picture (as a PNG: grey_png; for other data named '.png', what its header says to
    Pillow: a grey mode, or a palette whose pixels as read, rgb, are all grey; or, where Pillow cannot tell from the
    file's first HEADER_BYTES, a picture OpenCV decodes into one channel, or grey and alpha), or None for a colour one.
    A grey JPEG, BMP, TIFF, PGM or JPEG 2000 file saved as '0005.png' was scored against its colour target as the
    target itself, 57 to 60 dB, exit code 0, where a grey PNG was refused; and so was a grey PAM or PFM (formats Pillow
    lacks) after that fix, and a grey JPEG whose header Pillow could not read in bounds."""
    if grey_png(path, rgb):
        return "PNG"
    try:
        # the header alone, bounded: Pillow walked a JPEG's markers in Python until its frame header, 52 s for a 4 MB
        # file of a million empty ones (OpenCV's decoding of it: 0.05 s)
        with open(path, "rb") as file:
            header = io.BytesIO(file.read(HEADER_BYTES))
        with warnings.catch_warnings():  # Pillow's warning of a picture of over 89 million pixels: a line of its own
            warnings.simplefilter("ignore")
            with Image.open(header) as picture:  # no pixel is decoded
                mode, kind = picture.mode, picture.format
    except Exception:  # a format Pillow lacks, or a header longer than HEADER_BYTES: OpenCV decoded it (rgb)
        said = {1: "picture of one channel", 2: "picture of a grey channel and alpha"}.get(decoded_channels(path))
        return said and f"{said} (whatever its name)"
    palette_of_greys = mode in ("P", "PA") and not np.ptp(rgb, 2).any()
    if kind != "PNG" and (mode in GREY_MODES or mode.startswith("I;") or palette_of_greys):
        return f"{kind} file (whatever its name)"
    return None


def read_frame_pair(target_path, output_path, frame_shape):
    """8-bit RGB target and output; an output larger than its target is cut to the target (top-left), as the authors'
    metrics.py cuts an output a few pixels larger. One a quarter larger or more in either side is refused: its targets
    are frames of another size than the ones it was made for (LR frames passed as --targets were scored against the
    outputs' top-left corners, exit code 0)."""
    target = to_uint8(read_rgb(target_path))
    output = to_uint8(read_rgb(output_path))
    height, width = target.shape[:2]
    if frame_shape is not None and target.shape != frame_shape:
        raise UserError(f"target '{target_path}' is {width}x{height} but earlier frames of its sequence are "
                        f"{frame_shape[1]}x{frame_shape[0]}; a sequence must have one frame size")
    if output.shape[0] < height or output.shape[1] < width:
        raise UserError(
            f"output '{output_path}' is {output.shape[1]}x{output.shape[0]}, smaller than its target "
            f"'{target_path}' ({width}x{height}); compare outputs with the matching HR frames")
    # a quarter larger in either side, not twice in both: an x4 model's outputs against targets of three times the LR
    # frames' size, or twice as wide alone, were cut to their top-left corner and scored, exit code 0
    if 4 * output.shape[0] >= 5 * height or 4 * output.shape[1] >= 5 * width:
        larger = "twice" if output.shape[0] >= 2 * height and output.shape[1] >= 2 * width else "a quarter larger than"
        raise UserError(
            f"output '{output_path}' is {output.shape[1]}x{output.shape[0]}, {larger} its target '{target_path}' "
            f"({width}x{height}) or more: those targets are not the frames it was made for (LR frames?); compare "
            "outputs with the matching HR frames")
    output = output[:height, :width]
    # a greyscale PNG (another tool's results) of a colour target: the authors' PSNR and SSIM are of luma alone, and
    # scored it as the target itself (60 dB, SSIM 1.000), exit code 0. Not an RGB output of equal channels: a model's
    # (an untrained one's black frames) is scored as it is
    if (kind := greyscale_format(output_path, output)) and np.ptp(target, axis=2).mean() > COLOUR_SPREAD:
        raise UserError(f"output '{output_path}' is a greyscale {kind} but its target '{target_path}' is in colour: "
                        "PSNR and SSIM, of luma alone, would score it as the target; compare outputs saved in colour "
                        "(RGB)")
    return target, output


def classic_metrics(sequence):
    """Yield (record, cropped target, cropped output) for each scored frame: PSNR, SSIM and tOF filled in."""
    previous_greys, frame_shape = None, None
    for i in metrics.scored_frames(len(sequence.target_paths)):
        target, output = read_frame_pair(sequence.target_paths[i], sequence.output_paths[i], frame_shape)
        frame_shape = target.shape
        greys = metrics.grey(target), metrics.grey(output)
        target_crop, output_crop = metrics.crop(target), metrics.crop(output)
        record = {
            "sequence": sequence.label,
            "target_folder": sequence.target_folder,
            "frame": i,
            "target": os.path.basename(sequence.target_paths[i]),
            "output": os.path.basename(sequence.output_paths[i]),
            "PSNR": metrics.psnr(target_crop, output_crop),
            "SSIM": metrics.ssim(target_crop, output_crop),
            "tOF": np.nan if previous_greys is None else sequence.temporal(
                i, metrics.tof(previous_greys[0], greys[0], previous_greys[1], greys[1])),
            "LPIPS": np.nan,
            "tLP100": np.nan
        }
        previous_greys = greys
        yield record, target_crop, output_crop


def lpips_metrics(model, frame_pairs):
    """Yield (LPIPS, tLP100) for each (target, output) of a sequence in order; tLP100 is nan for the first.

    Frames go through the network in batches of consecutive frames (LPIPS_BATCH_PIXELS); each batch
    after the first repeats the previous batch's last frame, so that the pair across the boundary is
    scored too.
    """
    previous = None
    frame_pairs = iter(frame_pairs)
    for first in frame_pairs:
        height, width = first[0].shape[:2]
        chunk = [first] + list(
            itertools.islice(frame_pairs,
                             max(2, LPIPS_BATCH_PIXELS // (height * width)) - 1))
        frames = ([previous] if previous else []) + chunk
        distances, target_steps, output_steps = model.sequence(
            to_lpips_input(np.stack([t for t, _ in frames])),
            to_lpips_input(np.stack([o for _, o in frames])))
        for k in range(1 if previous else 0, len(frames)):
            yield float(
                distances[k]), (metrics.tlp100(target_steps[k - 1], output_steps[k - 1]) if k else np.nan)
        previous = frames[-1]


def score_sequence(sequence, lpips_arrays, progress):
    """Per-frame records of one sequence, and its worst-PSNR (target, output) crops.

    LPIPS and tLP100 are nan without lpips_arrays. Each call builds its own LPIPS network, so that
    sequences can be scored in parallel threads without sharing NNabla arrays.
    """
    records, worst = [], None

    def frame_pairs():
        nonlocal worst
        for record, target_crop, output_crop in classic_metrics(sequence):
            records.append(record)
            if worst is None or record["PSNR"] < worst[0]["PSNR"]:
                worst = record, target_crop, output_crop
            yield target_crop, output_crop

    if lpips_arrays is None:
        for _ in frame_pairs():
            progress.update(1)
    else:
        for record_index, (lpips, tlp) in enumerate(lpips_metrics(LPIPS(lpips_arrays), frame_pairs())):
            records[record_index].update(LPIPS=lpips,
                                         tLP100=sequence.temporal(records[record_index]["frame"], tlp))
            progress.update(1)
    return records, worst


def mean_of(values):
    """Mean of the defined (non-nan) values; nan when there are none."""
    defined = [value for value in values if not np.isnan(value)]
    return float(np.mean(defined)) if defined else np.nan


def summarise(records_by_sequence):
    """Rows {label, target_folder, frames, metric: mean} per sequence, then the frame average and the
    sequence average."""
    rows = [dict(label=records[0]["sequence"], target_folder=records[0]["target_folder"], frames=len(records),
                 **{key: mean_of(r[key] for r in records) for key in METRICS})
            for records in records_by_sequence]
    pooled = [record for records in records_by_sequence for record in records]
    rows.append(dict(label="frame average", target_folder="", frames=len(pooled),
                     **{key: mean_of(r[key] for r in pooled) for key in METRICS}))
    rows.append(
        dict(label="sequence average",
             target_folder="",
             frames=len(pooled),
             **{key: mean_of(row[key] for row in rows[:len(records_by_sequence)]) for key in METRICS}))
    return rows


def load_lpips(quick=False, weights=None):
    """The LPIPS weights (weights: a file, default DEFAULT_LPIPS_WEIGHTS), or None, with one line saying why,
    when quick or no weights file is present."""
    if quick:
        print("--quick: LPIPS and tLP skipped")
        return None
    path = weights or DEFAULT_LPIPS_WEIGHTS
    if not weights and not os.path.exists(path):
        print(
            f"LPIPS and tLP skipped: no weights at '{path}'; get alex_with_LPIPS.h5 with "
            "`python download_test_data.py --weights` (or convert the PyTorch files with "
            "convert_lpips_weights.py)"
        )
        return None
    return load_lpips_weights(path)
