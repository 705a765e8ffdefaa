"""The evaluation report: per-frame and per-sequence CSV files, the results table (metrics.md), per-sequence
PSNR/tOF curves and a target | output strip of each sequence's worst-PSNR frame; and evaluate(), which
scores sequences in parallel and writes it."""
import csv
import io
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import ExitStack

import numpy as np
from matplotlib.figure import Figure
from tqdm import tqdm

from evaluation.scoring import METRICS, score_sequence, summarise
from utils import metrics
from utils.atomic_files import check_name_length, remove_stale_temporaries, write_atomically, write_bytes
from utils.context import use_context
from utils.errors import UserError, counted, printable
from utils.image_io import write_rgb
from utils.paths import lock_folder, make_folder, output_folder

TABLE_COLUMNS = (("PSNR", "PSNR &#8593;"), ("LPIPS", "LPIPS &#8595;"), ("tOF", "tOF &#8595;"),
                 ("tLP100", "tLP &#8595;"), ("SSIM", "SSIM &#8593;"))
STRIP_GAP = 8  # white pixels between target and output in the worst-frame strip


def csv_value(value):
    """Metric values with 10 significant digits ('inf' for a perfect PSNR), empty where undefined; names as error
    lines show them (a folder's name not UTF-8 was UnicodeEncodeError's traceback once every frame was scored)."""
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:.10g}"
    return printable(str(value))


def csv_text(columns, rows):
    """The CSV file of rows, quoted where a value needs it (a folder named 'a,b' shifted its row's columns)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([csv_value(row[column]) for column in columns] for row in rows)
    return text.getvalue()


def markdown_cell(text):
    """text as one cell of a Markdown table, its | escaped (a | ends a cell in GitHub's tables)."""
    return text.replace("|", "\\|")


def markdown_table(summary_rows, columns=TABLE_COLUMNS):
    """The results table of docs/evaluation.md: | | PSNR | LPIPS | tOF | tLP | SSIM |, three decimals,
    n/a if not computed. columns: (key of the rows, title) pairs, TABLE_COLUMNS unless a caller adds its
    own."""
    lines = ["| | " + " | ".join(title for _, title in columns) + " |",
             "|---|" + "---|" * len(columns)]
    for row in summary_rows:
        cells = ["n/a" if np.isnan(row[key]) else f"{row[key]:.3f}" for key, _ in columns]
        name = printable(f"{row['label']} vs {row['target_folder']}" if row["target_folder"] else row["label"])
        # a | in a name ended its cell: a folder 'a|b' moved the row's values under the next columns' titles
        lines.append(f"| {markdown_cell(name)} | " + " | ".join(cells) + " |")
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
    # parse_math: a name holding two $ was read as TeX (`x$^$y`: ParseSyntaxException's traceback after the scoring)
    psnr_axes.set_title(printable(records[0]["sequence"]), parse_math=False)
    tof_axes.plot(frames, [record["tOF"] for record in records], marker=".", color="tab:orange")
    tof_axes.set_ylabel("tOF")
    tof_axes.set_xlabel("frame")
    write_atomically(path, figure.savefig)


def write_worst_strip(worst, path):
    """target | output of the worst-PSNR frame (the scored crops), side by side with a white gap."""
    _, target, output = worst
    gap = np.full((target.shape[0], STRIP_GAP, 3), 255, np.uint8)
    write_rgb(path, np.concatenate([target, gap, output], axis=1) / 255.0)


REPORT_FILES = ("frames.csv", "sequences.csv", "metrics.md")
# the names curves_path and worst_frame_path give, with the sequences' labels (index_name)
PICTURE_NAMES = r"\d+_\w+_(curves|worst_frame_\w+)\.png"
PROGRESS_SECONDS = 0.2  # how often the progress bar shows the frames the scoring threads have counted


class FrameCount:
    """The frames scored so far, counted by the scoring threads (score_sequence's progress); the main thread
    alone shows them. A thread whose tqdm write failed (standard error's reader gone) would keep tqdm's lock,
    and the bar's close would wait for it without end."""

    def __init__(self):
        self.n = 0
        self.lock = threading.Lock()

    def update(self, count=1):
        with self.lock:
            self.n += count


def write_report(output_dir, records_by_sequence, worsts):
    frame_rows = [record for records in records_by_sequence for record in records]
    summary_rows = summarise(records_by_sequence)
    frames_csv, sequences_csv, metrics_md = (os.path.join(output_dir, name) for name in REPORT_FILES)
    write_text(frames_csv,
               csv_text(("sequence", "target_folder", "frame", "target", "output") + METRICS, frame_rows))
    write_text(sequences_csv, csv_text(("label", "target_folder", "frames") + METRICS, summary_rows))
    write_text(metrics_md, markdown_table(summary_rows))
    for records, worst in zip(records_by_sequence, worsts):
        label = records[0]["sequence"]
        plot_curves(records, curves_path(output_dir, label))
        picture = worst_frame_path(output_dir, label, worst[0]["target"])
        write_worst_strip(worst, picture)
        remove_earlier_worst_frames(output_dir, label, picture)
    return summary_rows


def report_names(output_dir, sequences=()):
    """The names in output_dir that a report writes over or deletes: its files, the pictures of earlier reports
    there, and those of the Sequences (their curves, and the worst-frame picture of any target)."""
    pictures = [name for name in os.listdir(output_dir) if re.fullmatch(PICTURE_NAMES, name)
                ] if os.path.isdir(output_dir) else []
    for sequence in sequences:
        pictures += [os.path.basename(curves_path(output_dir, sequence.label))] + [
            os.path.basename(worst_frame_path(output_dir, sequence.label, os.path.basename(target)))
            for target in sequence.target_paths]
    return {*REPORT_FILES, *pictures}


def remove_earlier_worst_frames(output_dir, label, kept):
    """Delete the worst-frame pictures of this sequence label other than kept: an earlier run into output_dir
    (other results or frames) found another worst frame, whose picture would stand beside this run's."""
    prefix = os.path.basename(worst_frame_path(output_dir, label, ""))[:-len(".png")]
    for name in os.listdir(output_dir):
        path = os.path.join(output_dir, name)
        if (name.startswith(prefix) and re.fullmatch(PICTURE_NAMES, name) and path != kept
                and not os.path.isdir(path)):
            os.remove(path)


def curves_path(output_dir, label):
    return os.path.join(output_dir, f"{label}_curves.png")


def worst_frame_path(output_dir, label, target_name):
    """The worst-frame strip's file, named after the target frame file it shows."""
    return os.path.join(output_dir, f"{label}_worst_frame_{os.path.splitext(target_name)[0]}.png")


def check_picture_names(output_dir, sequences):
    """UserError, before any scoring, when a picture's name (made of the results folder's and a target frame's
    names) would be too long for the file system, or a folder has a picture's name."""
    for sequence in sequences:
        longest_target = max((os.path.basename(path) for path in sequence.target_paths),
                             key=lambda name: len(os.fsencode(name)))
        for path in (curves_path(output_dir, sequence.label),
                     worst_frame_path(output_dir, sequence.label, longest_target)):
            check_name_length(path, "shorten the name of the results folder or of the target frames")
        # the worst frame is known only once scored: any target's picture
        for path in [curves_path(output_dir, sequence.label)] + [
                worst_frame_path(output_dir, sequence.label, os.path.basename(target))
                for target in sequence.target_paths]:
            if os.path.isdir(path):
                raise UserError(f"--output '{output_dir}' holds a folder named {os.path.basename(path)}, where the "
                                "report goes; move it or choose another --output")


def evaluate(sequences, output, context="auto", lpips_arrays=None, inputs=()):
    """Score the Sequences, write the report into the folder output and print its table; returns the
    summary rows (per sequence, frame average, sequence average). LPIPS and tLP need lpips_arrays. inputs: the
    caller's other input files (the LPIPS weights' path), kept in output whatever their names."""
    output_folder(output, "--output")
    blocked = [name for name in REPORT_FILES if os.path.isdir(os.path.join(output, name))]
    if blocked:
        raise UserError(f"--output '{output}' holds a folder named {blocked[0]}, where the report goes; "
                        "move it or choose another --output")
    check_picture_names(output, sequences)
    context = use_context(context)
    total = sum(len(metrics.scored_frames(len(sequence.target_paths))) for sequence in sequences)
    # NNabla and OpenCV release the GIL: on a CPU, sequences are scored in parallel, one per core.
    workers = min(len(sequences), os.cpu_count() or 1) if context == "cpu" else 1
    try:
        with ExitStack() as claim:
            try:  # removed again when a frame cannot be scored: no empty folder left behind
                make_folder(output, claim)
            except OSError as error:
                raise UserError(f"cannot create output folder '{output}' ({error.strerror}); choose another --output")
            # another command writing there (generate.py's frames, a second evaluate.py) would get this report's
            # files among its own, or its own among this report's
            claim.enter_context(lock_folder(output, "--output"))
            # what a run killed while writing its report (kill -9) left, which no later run would finish; an input
            # named like one (a cuts file, the LPIPS weights) is kept
            remove_stale_temporaries(output, report_names(output, sequences),
                                     [path for path in (*inputs, *(sequence.cuts_path for sequence in sequences))
                                      if path])
            start, scored_frames = time.time(), FrameCount()
            with tqdm(total=total, unit="frame", desc=f"scoring ({context})") as progress, \
                    ThreadPoolExecutor(workers) as pool:
                futures = [pool.submit(score_sequence, sequence, lpips_arrays, scored_frames)
                           for sequence in sequences]
                while wait(futures, timeout=PROGRESS_SECONDS).not_done:
                    progress.update(scored_frames.n - progress.n)
                progress.update(scored_frames.n - progress.n)
                scored = [future.result() for future in futures]
            elapsed = time.time() - start
            records_by_sequence, worsts = zip(*scored)
            summary_rows = write_report(output, records_by_sequence, worsts)
    except MemoryError:  # numpy's arrays of a score or a picture, under a tight ulimit -v or on a full machine
        raise UserError(f"out of memory while scoring {counted(total, 'frame')} into '{output}'; free memory, or score "
                        "fewer sequences at once") from None
    print(markdown_table(summary_rows), end="")
    print(f"scored {counted(total, 'frame')} in {elapsed:.1f} s ({total / elapsed:.2f} frames/s); "
          f"wrote frames.csv, sequences.csv, metrics.md and pictures to {printable(output)}")
    return summary_rows
