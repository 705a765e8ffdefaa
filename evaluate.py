"""Score super-resolved sequences against their ground truth with the paper's metrics.

    python evaluate.py --results results/calendar,results/city --targets HR/calendar,HR/city --output eval/

PSNR, SSIM, LPIPS, tOF and tLP100 as the TecoGAN authors' metrics.py computes them (definitions in
utils/metrics.py and utils/lpips.py). With --scene-cuts, the temporal metrics (tOF, tLP100) leave out
the pair of frames across each cut: it compares two shots, not the motion of one. Writes frames.csv (per frame), sequences.csv (per sequence, frame
average, sequence average), metrics.md (the README's results table), per-sequence PSNR/tOF curves and a
target | output strip of each sequence's worst-PSNR frame.
"""
import logging

logging.getLogger("nnabla").setLevel(logging.WARNING)  # before nnabla's import logs its start-up

import itertools
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from matplotlib.figure import Figure
from tqdm import tqdm

from utils import metrics
from utils.context import CONTEXT_CHOICES, use_context
from utils.errors import UserError, exit_on_user_error
from utils.flags import FlagParser
from utils.image_io import frame_sort_key, read_rgb, to_uint8, write_atomically, write_bytes, write_rgb
from utils.lpips import LPIPS, load_lpips_weights, to_lpips_input
from utils.paths import input_folder, output_folder
from utils.scenes import read_cuts_file

DEFAULT_LPIPS_WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights", "alex_with_LPIPS.h5")
LPIPS_BATCH_PIXELS = 8 * 544 * 704  # frame pixels per AlexNet batch: 8 cropped VID4 frames, about 1.5 GB on a CPU
METRICS = ("PSNR", "SSIM", "LPIPS", "tOF", "tLP100")
TABLE_COLUMNS = (("PSNR", "PSNR &#8593;"), ("LPIPS", "LPIPS &#8595;"), ("tOF", "tOF &#8595;"),
                 ("tLP100", "tLP &#8595;"), ("SSIM", "SSIM &#8593;"))
STRIP_GAP = 8  # white pixels between target and output in the worst-frame strip


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
            raise UserError(f"results folder '{result_dir}' has {len(self.output_paths)} frames but targets "
                            f"folder '{target_dir}' has {len(self.target_paths)}; pass matching folders")
        if len(self.target_paths) < metrics.MIN_FRAMES:
            raise UserError(f"targets folder '{target_dir}' has {len(self.target_paths)} frames; at least "
                            f"{metrics.MIN_FRAMES} are needed (the first and last "
                            f"{metrics.BORDER_FRAMES} are not scored)")
        height, width = read_rgb(self.target_paths[0]).shape[:2]
        _, _, crop_height, crop_width = metrics.crop_box(height, width)
        if crop_height <= 0 or crop_width <= 0:
            smallest = metrics.SMALLEST_SIDE
            raise UserError(f"target '{self.target_paths[0]}' is {width}x{height}: the evaluation crop needs frames "
                            f"of at least {smallest}x{smallest} pixels")
        self.cuts = set(read_cuts_file(cuts_path, len(self.target_paths))) if cuts_path else set()

    def temporal(self, frame, value):
        """A temporal metric of the pair (frame - 1, frame), or nan (left out of the means) across a cut."""
        return np.nan if frame in self.cuts else value


def list_png_frames(folder, role):
    """*.png in folder, except names starting with IB, sorted by the digits in their name (the authors' order)."""
    input_folder(folder, f"{role} folder")
    names = [name for name in os.listdir(folder) if name.endswith(".png") and not name.startswith("IB")]
    if not names:
        raise UserError(f"{role} folder '{folder}' has no .png frames")
    return [os.path.join(folder, name) for name in sorted(names, key=frame_sort_key)]


def read_frame_pair(target_path, output_path, frame_shape):
    """8-bit RGB target and output; an output larger than its target is cut to the target (top-left)."""
    target = to_uint8(read_rgb(target_path))
    output = to_uint8(read_rgb(output_path))
    height, width = target.shape[:2]
    if frame_shape is not None and target.shape != frame_shape:
        raise UserError(f"target '{target_path}' is {width}x{height} but earlier frames of its sequence are "
                        f"{frame_shape[1]}x{frame_shape[0]}; a sequence must have one frame size")
    if output.shape[0] < height or output.shape[1] < width:
        raise UserError(f"output '{output_path}' is {output.shape[1]}x{output.shape[0]}, smaller than its target "
                        f"'{target_path}' ({width}x{height}); compare outputs with the matching HR frames")
    return target, output[:height, :width]


def classic_metrics(sequence):
    """Yield (record, cropped target, cropped output) for each scored frame: PSNR, SSIM and tOF filled in."""
    previous_greys, frame_shape = None, None
    for i in metrics.scored_frames(len(sequence.target_paths)):
        target, output = read_frame_pair(sequence.target_paths[i], sequence.output_paths[i], frame_shape)
        frame_shape = target.shape
        greys = metrics.grey(target), metrics.grey(output)
        target_crop, output_crop = metrics.crop(target), metrics.crop(output)
        record = {"sequence": sequence.label, "target_folder": sequence.target_folder, "frame": i,
                  "target": os.path.basename(sequence.target_paths[i]),
                  "output": os.path.basename(sequence.output_paths[i]),
                  "PSNR": metrics.psnr(target_crop, output_crop), "SSIM": metrics.ssim(target_crop, output_crop),
                  "tOF": np.nan if previous_greys is None else sequence.temporal(i, metrics.tof(
                      previous_greys[0], greys[0], previous_greys[1], greys[1])),
                  "LPIPS": np.nan, "tLP100": np.nan}
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
        chunk = [first] + list(itertools.islice(frame_pairs, max(2, LPIPS_BATCH_PIXELS // (height * width)) - 1))
        frames = ([previous] if previous else []) + chunk
        distances, target_steps, output_steps = model.sequence(to_lpips_input(np.stack([t for t, _ in frames])),
                                                               to_lpips_input(np.stack([o for _, o in frames])))
        for k in range(1 if previous else 0, len(frames)):
            yield float(distances[k]), (metrics.tlp100(target_steps[k - 1], output_steps[k - 1]) if k else np.nan)
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
            records[record_index].update(LPIPS=lpips, tLP100=sequence.temporal(records[record_index]["frame"], tlp))
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
                 **{key: mean_of(r[key] for r in records) for key in METRICS}) for records in records_by_sequence]
    pooled = [record for records in records_by_sequence for record in records]
    rows.append(dict(label="frame average", target_folder="", frames=len(pooled),
                     **{key: mean_of(r[key] for r in pooled) for key in METRICS}))
    rows.append(dict(label="sequence average", target_folder="", frames=len(pooled),
                     **{key: mean_of(row[key] for row in rows[:len(records_by_sequence)]) for key in METRICS}))
    return rows


def csv_value(value):
    """Metric values with 10 significant digits ('inf' for a perfect PSNR), empty where undefined."""
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:.10g}"
    return str(value)


def csv_text(columns, rows):
    lines = [",".join(columns)] + [",".join(csv_value(row[column]) for column in columns) for row in rows]
    return "\n".join(lines) + "\n"


def markdown_table(summary_rows, columns=TABLE_COLUMNS):
    """The README's results table layout: | | PSNR | LPIPS | tOF | tLP | SSIM |, three decimals, n/a if not computed.
    columns: (key of the rows, title) pairs, TABLE_COLUMNS unless a caller adds its own."""
    lines = ["| | " + " | ".join(title for _, title in columns) + " |",
             "|---|" + "---|" * len(columns)]
    for row in summary_rows:
        cells = ["n/a" if np.isnan(row[key]) else f"{row[key]:.3f}" for key, _ in columns]
        name = f"{row['label']} vs {row['target_folder']}" if row["target_folder"] else row["label"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_text(path, text):
    write_bytes(path, text, mode="w")


def plot_curves(records, path):
    """Per-frame PSNR and tOF of one sequence."""
    figure = Figure(figsize=(8, 5), tight_layout=True)
    psnr_axes, tof_axes = figure.subplots(2, 1, sharex=True)
    frames = [record["frame"] for record in records]
    psnr_axes.plot(frames, [record["PSNR"] for record in records], marker=".")
    psnr_axes.set_ylabel("PSNR (dB, Y)")
    psnr_axes.set_title(records[0]["sequence"])
    tof_axes.plot(frames, [record["tOF"] for record in records], marker=".", color="tab:orange")
    tof_axes.set_ylabel("tOF")
    tof_axes.set_xlabel("frame")
    write_atomically(path, figure.savefig)


def write_worst_strip(worst, path):
    """target | output of the worst-PSNR frame (the scored crops), side by side with a white gap."""
    _, target, output = worst
    gap = np.full((target.shape[0], STRIP_GAP, 3), 255, np.uint8)
    write_rgb(path, np.concatenate([target, gap, output], axis=1) / 255.0)


def write_report(output_dir, records_by_sequence, worsts):
    frame_rows = [record for records in records_by_sequence for record in records]
    summary_rows = summarise(records_by_sequence)
    write_text(os.path.join(output_dir, "frames.csv"),
               csv_text(("sequence", "target_folder", "frame", "target", "output") + METRICS, frame_rows))
    write_text(os.path.join(output_dir, "sequences.csv"),
               csv_text(("label", "target_folder", "frames") + METRICS, summary_rows))
    write_text(os.path.join(output_dir, "metrics.md"), markdown_table(summary_rows))
    for records, worst in zip(records_by_sequence, worsts):
        plot_curves(records, os.path.join(output_dir, f"{records[0]['sequence']}_curves.png"))
        shown = os.path.splitext(worst[0]["target"])[0]  # the target frame file the picture shows
        write_worst_strip(worst, os.path.join(output_dir, f"{records[0]['sequence']}_worst_frame_{shown}.png"))
    return summary_rows


def load_lpips(quick=False, weights=None):
    """The LPIPS weights (weights: a file, default DEFAULT_LPIPS_WEIGHTS), or None, with one line saying why,
    when quick or no weights file is present."""
    if quick:
        print("--quick: LPIPS and tLP skipped")
        return None
    path = weights or DEFAULT_LPIPS_WEIGHTS
    if not weights and not os.path.exists(path):
        print(f"LPIPS and tLP skipped: no weights at '{path}'; get alex_with_LPIPS.h5 with "
              "`python download_test_data.py --weights` (or convert the PyTorch files with convert_lpips_weights.py)")
        return None
    return load_lpips_weights(path)


def parse_args(argv=None):
    parser = FlagParser(description="PSNR, SSIM, LPIPS, tOF and tLP of super-resolved sequences, "
                                    "as the TecoGAN authors' metrics.py",
                        reference_flags=("--results", "--targets", "--output"))
    parser.add_argument("--results", required=True, help="comma-separated folders of output frames (*.png)")
    parser.add_argument("--targets", required=True, help="comma-separated folders of ground-truth frames, "
                                                         "in the order of --results")
    parser.add_argument("--output", required=True, help="folder for the CSV files, metrics.md and the pictures")
    parser.add_argument("--quick", action="store_true", help="skip LPIPS and tLP (PSNR, SSIM and tOF only)")
    parser.add_argument("--lpips-weights", help=f"alex_with_LPIPS.h5; without it LPIPS and tLP are skipped "
                                                f"(default: {DEFAULT_LPIPS_WEIGHTS})")
    parser.add_argument("--context", default="auto", choices=CONTEXT_CHOICES,
                        help="where LPIPS runs; auto: cudnn when nnabla-ext-cuda and a GPU are present, else cpu")
    parser.add_argument("--scene-cuts", help="comma-separated files of the frame numbers that open a shot, one "
                        "file per --results folder (as generate.py --scene-cuts, counted from the folder's first "
                        "frame); tOF and tLP leave out the pair across each cut (default: none)")
    args = parser.parse_args(argv)
    args.results = [folder for folder in args.results.split(",") if folder]
    args.targets = [folder for folder in args.targets.split(",") if folder]
    if not args.results:
        raise UserError("--results names no folder; give the folders of output frames, separated by commas")
    if len(args.results) != len(args.targets):
        raise UserError(f"--results names {len(args.results)} folder(s) but --targets names {len(args.targets)}; "
                        "give one target folder per result folder")
    args.scene_cuts = args.scene_cuts.split(",") if args.scene_cuts else [None] * len(args.results)
    if len(args.scene_cuts) != len(args.results):
        raise UserError(f"--scene-cuts names {len(args.scene_cuts)} file(s) for {len(args.results)} --results "
                        "folder(s); give one cuts file per result folder")
    return args


def evaluate(sequences, output, context="auto", lpips_arrays=None):
    """Score the Sequences, write the report into the folder output and print its table; returns the
    summary rows (per sequence, frame average, sequence average). LPIPS and tLP need lpips_arrays."""
    output_folder(output, "--output")
    try:
        os.makedirs(output, exist_ok=True)
    except OSError as error:
        raise UserError(f"cannot create output folder '{output}' ({error.strerror}); choose another --output")
    context = use_context(context)
    total = sum(len(metrics.scored_frames(len(sequence.target_paths))) for sequence in sequences)
    # NNabla and OpenCV release the GIL: on a CPU, sequences are scored in parallel, one per core.
    workers = min(len(sequences), os.cpu_count() or 1) if context == "cpu" else 1
    start = time.time()
    with tqdm(total=total, unit="frame", desc=f"scoring ({context})") as progress, \
            ThreadPoolExecutor(workers) as pool:
        scored = list(pool.map(lambda sequence: score_sequence(sequence, lpips_arrays, progress), sequences))
    elapsed = time.time() - start
    records_by_sequence, worsts = zip(*scored)
    summary_rows = write_report(output, records_by_sequence, worsts)
    print(markdown_table(summary_rows), end="")
    print(f"scored {total} frames in {elapsed:.1f} s ({total / elapsed:.2f} frames/s); "
          f"wrote frames.csv, sequences.csv, metrics.md and pictures to {output}")
    return summary_rows


def run(args):
    sequences = [Sequence(index, *folders_and_cuts)
                 for index, folders_and_cuts in enumerate(zip(args.results, args.targets, args.scene_cuts))]
    evaluate(sequences, args.output, args.context, load_lpips(args.quick, args.lpips_weights))


def main(argv=None):
    with exit_on_user_error():
        run(parse_args(argv))


if __name__ == "__main__":
    main()
