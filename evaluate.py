"""Score super-resolved sequences against their ground truth with the paper's metrics.

    python evaluate.py --results results/calendar,results/city --targets HR/calendar,HR/city --output eval/

PSNR, SSIM, LPIPS, tOF and tLP100 as the TecoGAN authors' metrics.py computes them (definitions in
utils/metrics.py and utils/lpips.py; the scoring in evaluation/). With --scene-cuts, the temporal metrics
(tOF, tLP100) leave out the pair of frames across each cut: it compares two shots, not the motion of one.
Writes frames.csv (per frame), sequences.csv (per sequence, frame average, sequence average), metrics.md
(the results table of docs/evaluation.md), per-sequence PSNR/tOF curves and a target | output strip of each
sequence's worst-PSNR frame.
"""
import logging

from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

logging.getLogger("nnabla").setLevel(logging.WARNING)  # before nnabla's import logs its start-up

import os

from evaluation.report import evaluate, report_names
from evaluation.scoring import DEFAULT_LPIPS_WEIGHTS, Sequence, load_lpips
from utils.context import CONTEXT_CHOICES
from utils.errors import UserError, counted, exit_on_user_error
from utils.flags import FlagParser, refuse_empty
from utils.paths import not_an_input, not_being_written, output_folder


def parse_args(argv=None):
    parser = FlagParser(description="PSNR, SSIM, LPIPS, tOF and tLP of super-resolved sequences, "
                                    "as the TecoGAN authors' metrics.py",
                        reference_flags=("--results", "--targets", "--output"))
    parser.add_argument("--results", required=True, help="comma-separated folders of output frames (*.png)")
    parser.add_argument("--targets", required=True, help="comma-separated folders of ground-truth frames, "
                                                         "in the order of --results")
    parser.add_argument("--output",
                        required=True,
                        help="folder for the CSV files, metrics.md and the pictures")
    parser.add_argument("--quick", action="store_true", help="skip LPIPS and tLP (PSNR, SSIM and tOF only)")
    parser.add_argument("--lpips-weights", help=f"alex_with_LPIPS.h5; without it LPIPS and tLP are skipped "
                                                f"(default: {DEFAULT_LPIPS_WEIGHTS})")
    parser.add_argument(
        "--context",
        default="auto",
        choices=CONTEXT_CHOICES,
        help="where LPIPS runs; auto: cudnn when nnabla-ext-cuda and a GPU are present, else cpu")
    parser.add_argument(
        "--scene-cuts",
        help="comma-separated files of the frame numbers that open a shot, one "
        "file per --results folder (as generate.py --scene-cuts, counted from the folder's first "
        "frame); tOF and tLP leave out the pair across each cut (default: none)")
    args = parser.parse_args(argv)
    refuse_empty(args, "--scene-cuts", "--lpips-weights")
    args.results = [folder for folder in args.results.split(",") if folder]
    args.targets = [folder for folder in args.targets.split(",") if folder]
    if not args.results:
        raise UserError("--results names no folder; give the folders of output frames, separated by commas")
    if len(args.results) != len(args.targets):
        raise UserError(
            f"--results names {counted(len(args.results), 'folder')} but --targets names {len(args.targets)}; "
            "give one target folder per result folder")
    not_an_input(args.output, "--output", [("--results", folder) for folder in args.results]
                 + [("--targets", folder) for folder in args.targets])
    for role, folders in (("--results", args.results), ("--targets", args.targets)):
        for folder in folders:
            not_being_written(folder, f"{role} folder")
    # an empty place is a folder without cuts, the last one too ('c1,' for 2 folders, as ',c2'); commas after the last
    # place, as --results and --targets take them: 'c1,c2,' was "names 3 file(s)" for 2 folders, 'c1,c2,,' "names 4"
    args.scene_cuts = args.scene_cuts.split(",") if args.scene_cuts else [None] * len(args.results)
    while len(args.scene_cuts) > len(args.results) and not args.scene_cuts[-1]:
        args.scene_cuts.pop()
    if len(args.scene_cuts) != len(args.results):
        raise UserError(
            f"--scene-cuts names {counted(len(args.scene_cuts), 'file')} for "
            f"{counted(len(args.results), '--results folder')}; give one cuts file per result folder")
    output_folder(args.output, "--output")  # before its names are listed
    # a cuts file named frames.csv (or like a picture) in --output would be replaced (or deleted) by the report
    for name in report_names(args.output):
        not_an_input(os.path.join(args.output, name), "report file",
                     [("--scene-cuts", path) for path in args.scene_cuts] + [("--lpips-weights", args.lpips_weights)])
    return args


def run(args):
    sequences = [Sequence(index, *folders_and_cuts)
                 for index, folders_and_cuts in enumerate(zip(args.results, args.targets, args.scene_cuts))]
    evaluate(sequences, args.output, args.context, load_lpips(args.quick, args.lpips_weights), [args.lpips_weights])


def main(argv=None):
    with exit_on_user_error():
        run(parse_args(argv))


if __name__ == "__main__":
    main()
