"""Validation during training: super-resolve a few short clips with the generator just saved, as generate.py
does (inference.SuperResolver), and score them with evaluate.py's functions.

data.val_dir is a REDS folder (datasets/reds.py), whose REDS4 sequences are the clips, read where they are, or
it holds one subfolder per clip, in either layout:
    <clip>/*.png                      HR frames, made LR by the training degradation (utils.degradation,
                                      as generate.py --input-dir-hr)
    <clip>/LR/*.png and <clip>/HR/*   LR frames and their HR frames (train.scale times the LR size), paired in
    order
Frames are ordered by the number in their name (generate.py's order). Each clip gives its first
train.val_frames frames, centre-cropped to train.val_crop HR pixels on a side (on the LR grid, so that LR and
HR stay aligned).
"""
import filecmp
import os
import re
import tempfile
import time

import numpy as np
from tqdm import tqdm

from datasets import reds
from datasets.sequences import (LINK_TO_NOTHING, holds_frames, links_to_nothing, named, once_each, one_series,
                                read_sequence_list, smaller_twins)
from evaluation import scoring
from inference import SuperResolver
from training.checkpoint import MODEL_FILE_PATTERN
from training.config import METRIC_COLUMNS
from training.loss_log import LossLog
from training.stage_weights import model_file
from utils import metrics
from utils.atomic_files import folder_changed, held_descriptor, remove_file, write_bytes
from utils.degradation import degrade_frames
from utils.errors import UserError, counted
from utils.frame_names import list_frames, visible_subfolders
from utils.image_io import common_image_size, read_rgb, write_rgb
from utils.ops import bicubic_upscale_frames
from utils.paths import input_file, input_folder, room_to_create
from utils.pictures import detail_frame, detail_window, joined, panel_labels, panel_row

LOWER_IS_BETTER = ("tOF", "LPIPS", "tLP100")
LPIPS_COLUMNS = ("LPIPS", "tLP100")  # computed only when evaluate.py finds LPIPS weights
TEMPORAL_COLUMNS = ("tOF", "tLP100")  # of pairs of scored frames
PAIR_FOLDERS = ("LR", "HR")
PAIR_NAMES = {name.casefold() for name in PAIR_FOLDERS}  # their names in any case, as a user may type them
BEST_MODEL = "model_best.h5"
LOG_NAME = "val"  # val.csv and val.png in the output folder
PICTURE_FOLDER = "validation"  # validation/iteration_<N>.png: bicubic | ours | ground truth of each clip
PICTURE_PATTERN = re.compile(r"iteration_\d+\.png")
SECONDS = "seconds"
# what an out-of-memory error in validation advises, in train.py's settings (the resolver's default names generate.py's
# flags); the validation settings may change on resume
MEMORY_ADVICE = ("in validation, beside the training's networks: lower train.val_crop or train.val_frames, free "
                 "memory, or set train.val_freq=0, then run again to resume")


class Clip:
    """One validation clip: its name, the folder its HR frames are read from, LR frames (h, w, 3) and HR frames
    (sh, sw, 3), RGB float32 in [0, 1]."""

    def __init__(self, name, hr_folder, lr_frames, hr_frames):
        self.name, self.hr_folder, self.lr_frames, self.hr_frames = name, hr_folder, lr_frames, hr_frames
        self.scale = hr_frames[0].shape[1] // lr_frames[0].shape[1]


# where a validation clip's frames of two series go: a clip each
CLIP_APART = "a clip folder of data.val_dir, to score both"


def clip_frame_size(paths, folder):
    return common_image_size(paths, f"validation clip '{folder}': frame",
                             "the frames of a clip must have one size")


def is_pair_clip(folder):
    """Whether a clip's folder holds its LR and HR frames apart (LR/ and HR/), else its HR frames."""
    return all(os.path.isdir(os.path.join(folder, name)) for name in PAIR_FOLDERS)


def readable(folder):
    """Whether folder can be listed: one that cannot is said so as read_clip lists its frames (the listing of its
    subfolders before that was a PermissionError traceback)."""
    return os.access(folder, os.R_OK | os.X_OK)


def readable_frames(folder):
    return readable(folder) and holds_frames(folder)


def clips_in(folder):
    """The subfolders that hold frames of a subfolder of data.val_dir that holds none, nor LR/ and HR/: a folder of
    clips (REDS' val/val_sharp), or a clip's LR and HR frames in folders of other names."""
    if not readable(folder) or is_pair_clip(folder) or holds_frames(folder):
        return []
    return [clip for clip in visible_subfolders(folder) if readable_frames(os.path.join(folder, clip))]


def read_clip(folder, frames, crop, degradation, scale):
    """The Clip of a folder of data.val_dir (see the module's docstring), checked: enough frames, one size,
    HR `scale` times LR, a crop that evaluate.py can score."""
    is_pair = is_pair_clip(folder)
    wanted = "put the clip's HR frames in it (or its LR/ and HR/ folders), or remove it from data.val_dir"
    beside = [f"{name}/" for name in (visible_subfolders(folder) if readable(folder) else [])
              if name.casefold() in PAIR_NAMES]
    if beside and holds_frames(folder):
        # a clip's frames beside its LR/ and HR/: the two were scored, its frames left out without a word; beside one
        # of them (or 'lr/', 'hr/'), its frames were scored, degraded, and the folder left out so, exit code 0
        raise UserError(f"validation clip '{folder}' holds frames beside its {' and '.join(beside)} folder"
                        f"{'s' if len(beside) > 1 else ''}, so which are its frames is not known; keep its HR frames "
                        "in it, or its LR/ and HR/ folders, and move the others elsewhere")
    # one series (a poster, two cameras' frames were scored as the clip's, exit code 0)
    hr_paths = one_series(list_frames(os.path.join(folder, "HR") if is_pair else folder, "validation clip", wanted),
                          CLIP_APART)[:frames]
    if len(hr_paths) < metrics.MIN_FRAMES:
        raise UserError(
            f"validation clip '{folder}' has {counted(len(hr_paths), 'frame')}; at least {metrics.MIN_FRAMES} are "
            "needed "
            f"(evaluate.py leaves out the first and last {metrics.BORDER_FRAMES}): add frames or move "
            "the clip out of data.val_dir")
    hr_height, hr_width = clip_frame_size(hr_paths, folder)
    if is_pair:
        lr_paths = one_series(list_frames(os.path.join(folder, "LR"), "validation clip", wanted), CLIP_APART)[:frames]
        if len(lr_paths) != len(hr_paths):
            raise UserError(
                f"validation clip '{folder}' has {len(lr_paths)} LR and {len(hr_paths)} HR frames; "
                "give each LR frame its HR frame")
        lr_height, lr_width = clip_frame_size(lr_paths, folder)
        if (hr_height, hr_width) != (scale * lr_height, scale * lr_width):
            raise UserError(
                f"validation clip '{folder}': HR frames are {hr_width}x{hr_height} but LR frames are "
                f"{lr_width}x{lr_height}; HR frames must be {scale} times the LR size (train.scale)")
    # the crop on the LR grid: crop // scale LR pixels, centred, and the HR pixels they become
    lr_crop = [min(crop, side) // scale for side in (hr_height, hr_width)]
    if min(lr_crop) * scale < metrics.SMALLEST_SIDE:
        raise UserError(
            f"validation clip '{folder}' has frames of {hr_width}x{hr_height} HR pixels; evaluate.py "
            f"needs at least {metrics.SMALLEST_SIDE}x{metrics.SMALLEST_SIDE}: use larger frames")
    top, left = ((side // scale - kept) // 2 for side, kept in zip((hr_height, hr_width), lr_crop))
    rows, columns = slice(top, top + lr_crop[0]), slice(left, left + lr_crop[1])
    hr_rows, hr_columns = (slice(scale * part.start, scale * part.stop) for part in (rows, columns))
    hr_frames = [read_rgb(path)[hr_rows, hr_columns] for path in hr_paths]
    if is_pair:
        lr_frames = [read_rgb(path)[rows, columns] for path in lr_paths]
    else:
        lr_frames = list(degrade_frames(hr_frames, degradation, scale))
    return Clip(os.path.basename(os.path.normpath(folder)), os.path.dirname(hr_paths[0]), lr_frames, hr_frames)


def check_layout(val_dir, names):
    """Refuse a data.val_dir whose subfolders `names` are not one clip each: a clip's LR and HR frames in
    folders of other names, folders of clips' LR and HR frames, a clip passed as data.val_dir (frames beside
    folders, its LR/ and HR/, or its twins told by their frames), a clip or its frames' folder twice, and a
    folder of clips a level up, and its links to nothing."""
    # a clip that is a link to nothing (a disk not mounted) was left out without a word, the others scored, exit code 0;
    # a clip's LR/ or HR/ so, called a folder of clips to pass as data.val_dir
    dangling = links_to_nothing(val_dir) + [f"{name}/{inner}" for name in names if readable(os.path.join(val_dir, name))
                                            for inner in links_to_nothing(os.path.join(val_dir, name))
                                            if inner.casefold() in PAIR_NAMES]
    if dangling:
        problem, remedy = LINK_TO_NOTHING
        raise UserError(f"'{os.path.join(val_dir, dangling[0])}' {problem}, so validation cannot read it; {remedy}")
    # of any case: a clip's 'lr/' and 'hr/' passed so were scored as two clips of HR frames, exit code 0
    pair_folders = [name for name in names if name.casefold() in PAIR_NAMES]
    pair = {name.casefold() for name in pair_folders} == PAIR_NAMES
    # and of other names, told by their frames: a clip's 'low/' and 'high/', 'BIx4/' and 'GT/' passed so were
    # scored as two clips of HR frames, exit code 0
    twins = smaller_twins({name: os.path.join(val_dir, name) for name in names
                           if readable_frames(os.path.join(val_dir, name))})
    groups = {name: clips for name in names if (clips := clips_in(os.path.join(val_dir, name)))}
    inner_twins = smaller_twins({f"{name}/{clip}": os.path.join(val_dir, name, clip)
                                 for name, clips in groups.items() for clip in clips})
    inner_low, (inner_high, _) = next(iter(inner_twins.items()), (None, (None, None)))
    if inner_low and os.path.dirname(inner_low) == os.path.dirname(inner_high):
        # a clip's LR and HR frames in folders of other names ('low/' and 'high/', 'Lr/' and 'Hr/'), one a whole
        # factor smaller: called a clip that "has no images"
        clip = os.path.join(val_dir, os.path.dirname(inner_low))
        raise UserError(f"validation clip '{clip}' holds its LR and HR frames in '{os.path.basename(inner_low)}/' "
                        f"and '{os.path.basename(inner_high)}/', where validation reads them in LR/ and HR/: "
                        "rename the two folders")
    if pair and not any(holds_frames(os.path.join(val_dir, name)) for name in pair_folders) or inner_low:
        # download_test_data.py's folder, LR/<clip> and HR/<clip>: it was called "a clip's LR/ and HR/ folders",
        # to "put each clip in a subfolder of it", which did not say where its LR and HR frames go (and so Vid4's
        # BIx4/<clip> and GT/<clip>, each called a clip that "has no images")
        raise UserError(f"validation folder '{val_dir}' holds folders of clips' LR and HR frames "
                        "(download_test_data.py's LR/<clip> and HR/<clip>), where validation reads a clip's in "
                        "<clip>/LR and <clip>/HR: make a folder of clip folders so laid out and pass it as "
                        "data.val_dir")
    low = next(iter(twins), None)
    frames_here = holds_frames(val_dir)
    if names and (frames_here or pair or low):
        # a clip passed as data.val_dir: its subfolders were scored as the clips, its frames left out without a
        # word ('thumbs/' scored in its place; its LR/ and HR/ each as a clip of HR frames), exit code 0
        held = ("a clip's LR/ and HR/ folders" if pair else f"frames beside folders ({named(names)})"
                if frames_here else f"a clip's LR and HR frames ('{low}' holds frames as many as "
                f"'{twins[low][0]}', named alike and {twins[low][1]} times smaller)")
        raise UserError(f"validation folder '{val_dir}' holds {held}, so which are the clips is not known; put "
                        "each clip in a subfolder of it")
    once_each(val_dir, [(name, os.path.join(val_dir, name)) for name in names], False, "validation clip",
              "it would be scored twice at each validation", ("or move it out of data.val_dir",))
    # and the folders of their frames: a clip whose LR/ and HR/ were links to another's was that clip, scored twice
    # at each validation, exit code 0
    frame_folders = []
    for name in names:
        folder = os.path.join(val_dir, name)
        frame_folders += ([(f"{name}/{part}", os.path.join(folder, part)) for part in PAIR_FOLDERS]
                          if is_pair_clip(folder) else [(name, folder)])
    once_each(val_dir, frame_folders, False, "frames folder of a validation clip",
              "it would be scored twice at each validation", ("or move it out of data.val_dir",))
    for name in groups:
        # a clip's LR/ without its HR/ (or HR/ without LR/: the other missing, a file, or a link to one) was called a
        # folder of clips (REDS' val_sharp), to pass as data.val_dir, where its frames would be scored as a clip's
        halves = [part for part in PAIR_FOLDERS if os.path.isdir(os.path.join(val_dir, name, part))]
        if len(halves) == 1:
            clip, other = os.path.join(val_dir, name), next(part for part in PAIR_FOLDERS if part not in halves)
            raise UserError(f"validation clip '{clip}' holds an {halves[0]}/ folder but no {other}/ folder beside it, "
                            "where validation reads a clip's LR and HR frames: put its "
                            f"{other} frames in '{os.path.join(clip, other)}'"
                            f"{' (or its HR frames alone in the clip)' if other == 'LR' else ''}")
    if groups:
        # REDS' val/ (its val_sharp/<clip>), a folder of clips passed a level up: it was called a clip that "has no
        # images", to put frames in it or remove it, neither of which makes a run
        name = next(iter(groups))
        raise UserError(f"validation clip '{os.path.join(val_dir, name)}' holds no frames but folders of them "
                        f"({named(groups[name])}): it is a folder of clips (REDS' val/val_sharp/<clip>), where "
                        f"data.val_dir's subfolders are the clips; pass '{os.path.join(val_dir, name)}' as "
                        "data.val_dir")


def validation_clips(config):
    """The Clips of data.val_dir, one per subfolder in name order, checked with train.val_metric; None when
    train.val_freq is 0. Call it on every process before any work, so that a bad clip stops them all."""
    if not config.train.val_freq:
        return None
    column = METRIC_COLUMNS[config.train.val_metric]
    if column in LPIPS_COLUMNS and not os.path.isfile(scoring.DEFAULT_LPIPS_WEIGHTS):
        raise UserError(
            f"train.val_metric {config.train.val_metric} needs the LPIPS weights "
            f"{scoring.DEFAULT_LPIPS_WEIGHTS} (download_test_data.py --weights); get them or choose "
            "psnr, ssim or tof")
    val_dir = config.data.val_dir
    input_folder(val_dir, "validation folder (data.val_dir)")
    if reds.is_reds_folder(val_dir):
        # a REDS list naming a REDS4 sequence trained on a clip validation scores, model_best.h5 chosen by it, exit
        # code 0
        listed = (read_sequence_list(config.data.sequence_list)
                  if config.data.layout == "reds" and config.data.sequence_list else [])
        trained = [name for name in reds.REDS4 if name in listed]
        if trained:
            raise UserError(f"sequence list '{config.data.sequence_list}' names REDS4's {named(trained)}, which "
                            f"validation scores (data.val_dir '{val_dir}' is a REDS folder), so it would be trained "
                            "on and scored; leave REDS4 out of the list, or set data.val_dir to a folder of other "
                            "clips")
        folders = reds.reds4_folders(val_dir)
    else:
        names = visible_subfolders(val_dir)
        check_layout(val_dir, names)
        folders = [os.path.join(val_dir, name) for name in names]
    if not folders:
        raise UserError(
            f"validation folder '{val_dir}' has no clip folders; put each clip's HR frames (or its LR/ "
            "and HR/ folders) in a subfolder of it")
    clips = [read_clip(folder, config.train.val_frames, config.train.val_crop, config.data.degradation,
                       config.train.scale) for folder in folders]
    shortest = min(clips, key=lambda clip: len(clip.hr_frames))
    if column in TEMPORAL_COLUMNS and len(shortest.hr_frames) <= metrics.MIN_FRAMES:
        # one scored frame has no pair: the metric would be nan at every validation, and no model the best
        raise UserError(
            f"train.val_metric {config.train.val_metric} compares each scored frame with the one before, and "
            f"validation clip '{shortest.name}' gives {len(shortest.hr_frames)} frames, of which evaluate.py "
            f"scores one; use at least {metrics.MIN_FRAMES + 1} frames (train.val_frames and the clips) or "
            "another train.val_metric")
    return clips


def check_not_trained_on(clips, sequences):
    """Refuse validation clips (validation_clips) whose HR frames are a training sequence's (the sampler's Sequences,
    after data.sequence_list), their folders compared by real path (links, '..', trailing slashes), no frame read: a
    folder of sequences passed as data.val_dir too (or a sequence of it, a link to one) was trained on and scored,
    model_best.h5 chosen by clips it trained on, exit code 0."""
    trained = {}
    for sequence in sequences:
        for folder in dict.fromkeys(os.path.dirname(frame) for frame in sequence.frames):
            trained.setdefault(os.path.realpath(folder), sequence)
    for clip in clips:
        sequence = trained.get(os.path.realpath(clip.hr_folder))
        if sequence:
            raise UserError(f"validation clip '{clip.hr_folder}' (data.val_dir) is training sequence "
                            f"'{sequence.folder}', so it would be trained on and scored, model_best.h5 chosen by "
                            "clips trained on; set data.val_dir to a folder of other clips, or leave the sequence out "
                            "of training (data.sequence_list)")


def is_better(value, best, column):
    if best is None:
        return not np.isnan(value)
    return value < best if column in LOWER_IS_BETTER else value > best


class Validation:
    """Runs on rank 0. val.csv / val.png (a LossLog: resumed like losses.csv), validation/iteration_<N>.png,
    model_best.h5 (a copy of the model_param file of the best val.csv row by `metric`), and TensorBoard
    entries when board is given. folder_identity: LossLog's, for val.csv and the files written beside it."""

    def __init__(self, clips, output_dir, start_iteration, metric, context, device_id=0, board=None,
                 folder_identity=None):
        self.clips, self.output_dir, self.board = clips, output_dir, board
        self.context, self.device_id = context, device_id
        self.column = METRIC_COLUMNS[metric]
        self.lpips_arrays = scoring.load_lpips()  # None, with one line saying so, without the weights file
        self.columns = [column for column in scoring.METRICS
                        if self.lpips_arrays is not None or column not in LPIPS_COLUMNS]
        self.log = LossLog(
            output_dir, start_iteration, LOG_NAME, {
                column: f"{column} ({'lower' if column in LOWER_IS_BETTER else 'higher'} is better)"
                for column in self.columns
            }, folder_identity)
        self.best, best_iteration = None, None
        for row in self.log.rows:
            if is_better(row.get(self.column, np.nan), self.best, self.column):
                self.best, best_iteration = row[self.column], row["iteration"]
        self.restore_best_model(best_iteration)
        self.bicubic = [bicubic_upscale_frames(clip.lr_frames, clip.scale) for clip in clips]

    def restore_best_model(self, best_iteration):
        """model_best.h5 as the model of the best row kept: a run killed between writing model_best.h5 and its
        row in val.csv (or stopped past its checkpoint) left the model of a row that is not there."""
        best_path = os.path.join(self.output_dir, BEST_MODEL)
        self.log.check_folder(best_path)
        if best_iteration is None:
            if os.path.exists(best_path):
                self.keep_only_copy(best_path, None, f"remove it: no validation row holds a {self.column} score")
                remove_file(best_path)
        elif os.path.isfile(model_file(self.output_dir, best_iteration)):
            # of mode 200 (written, not read): a PermissionError traceback at the resume
            input_file(model_file(self.output_dir, best_iteration), "training output")
            self.keep_only_copy(best_path, model_file(self.output_dir, best_iteration),
                                f"replace it by iteration {best_iteration}'s, the best by {self.column}")
            with open(model_file(self.output_dir, best_iteration), "rb") as model:
                write_bytes(best_path, model.read())
        elif not os.path.exists(best_path) or self.another_row_s_model(best_path, best_iteration):
            # the best row's model_param file deleted, and model_best.h5 another row's model (train.val_metric changed
            # since): the best of the rows whose model is kept, said, not another metric's best under this one's name
            kept, kept_value = None, None
            for row in self.log.rows:
                if os.path.isfile(model_file(self.output_dir, row["iteration"])) and is_better(
                        row.get(self.column, np.nan), kept_value, self.column):
                    kept, kept_value = row, row[self.column]
            if kept is None:
                if os.path.exists(best_path):
                    self.keep_only_copy(best_path, None, "remove it: no validation row's model_param file is kept")
                    remove_file(best_path)
                return
            path = input_file(model_file(self.output_dir, kept["iteration"]), "training output")
            self.keep_only_copy(best_path, path, f"replace it by iteration {kept['iteration']}'s, the best by "
                                f"{self.column} of the validations whose model_param file is kept")
            with open(path, "rb") as model:
                write_bytes(best_path, model.read())
            # a folder of the best's model_param name was said deleted
            # and a pipe or socket of that name "deleted"
            gone = ("is a folder, not a file" if os.path.isdir(model_file(self.output_dir, best_iteration)) else
                    "is not a file" if os.path.exists(model_file(self.output_dir, best_iteration)) else "was deleted")
            tqdm.write(f"{BEST_MODEL} is now the model of iteration {kept['iteration']}, the best by {self.column} "
                       f"of the validations whose model_param file is kept: that of the best, iteration "
                       f"{best_iteration}, {gone}")
        # else model_best.h5 is the best row's model, its model_param file deleted since (to save space, say): kept

    def keep_only_copy(self, best_path, replacement, change):
        """Refuse the change (replacement: the model_param file model_best.h5 becomes a copy of; None: it is removed)
        where model_best.h5 is the only copy of its model: no model_param file in the folder holds its bytes. Why: a
        resume with train.val_metric changed (or val.csv edited) replaced or removed it, and where the user had deleted
        that model's model_param file (model_best.h5 kept it), the model was lost."""
        if not os.path.isfile(best_path):
            return
        input_file(best_path, "training output")
        models = ([replacement] if replacement else []) + [
            os.path.join(self.output_dir, name) for name in sorted(os.listdir(self.output_dir))
            if MODEL_FILE_PATTERN.fullmatch(name) and os.path.join(self.output_dir, name) != replacement]
        if any(os.path.isfile(path) and filecmp.cmp(best_path, input_file(path, "training output"), shallow=False)
               for path in models):
            return
        # what is known, not a guess at the cause ("the best by another train.val_metric, its model_param file
        # deleted?" was said also of a val.csv edited and of a file of the user's)
        # a folder of a row's model_param name is no file, and not missing (said so once)
        missing = [row["iteration"] for row in self.log.rows
                   if not os.path.isfile(model_file(self.output_dir, row["iteration"]))]
        if missing:
            folders = sum(os.path.isdir(model_file(self.output_dir, iteration)) for iteration in missing)
            # a pipe or socket of that name, said missing
            there = sum(os.path.exists(model_file(self.output_dir, iteration)) for iteration in missing)
            shown = ", ".join(map(str, missing[:3])) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
            state = ("a folder" if folders == len(missing) == 1 else "folders" if folders == len(missing) else
                     "missing" if not there else "missing or folders" if there == folders else
                     "not a file" if there == len(missing) == 1 else "not files" if there == len(missing) else
                     "missing or not files")
            known = (f"; the model_param file of val.csv's iteration {shown} is {state}" if len(missing) == 1 else
                     f"; the model_param files of val.csv's iterations {shown} are {state}")
        else:
            known = (", and every val.csv row's model_param file is there" if self.log.rows else
                     ", and val.csv holds no row" if os.path.exists(self.log.csv_path) else ", and there is no val.csv")
        raise UserError(f"'{best_path}' holds the only copy of its model (no model_param file in the output folder "
                        f"holds it{known}), and this run would {change}; move it out of the folder to keep it, and "
                        "run again")

    def another_row_s_model(self, best_path, best_iteration):
        """Whether model_best.h5 has the bytes of a model_param file of a val.csv row other than best_iteration's."""
        others = [model_file(self.output_dir, row["iteration"]) for row in self.log.rows
                  if row["iteration"] != best_iteration]
        # a folder of that name: said without what to do, where its write and its removal say to move it away
        best = input_file(best_path, "training output", "move it away and run again")
        return any(filecmp.cmp(best, input_file(other, "training output"), shallow=False)
                   for other in others if os.path.isfile(other))

    def super_resolve(self, model_path):
        """The SR frames of every clip, cut to its HR frames, as generate.py makes them from model_path."""
        resolver = SuperResolver(model_path, backend="nnabla", context=self.context, device_id=self.device_id,
                                 memory_advice=MEMORY_ADVICE)
        outputs = []
        for clip in self.clips:
            height, width = clip.hr_frames[0].shape[:2]
            outputs.append(
                [frame[:height, :width] for _, frame in resolver.sequence(enumerate(clip.lr_frames))])
        return outputs

    def score(self, outputs):
        """evaluate.py's sequence average of each metric over the clips, scored as evaluate.py scores the
        frames written as PNG (8-bit, rounded)."""
        with tempfile.TemporaryDirectory(prefix="tecogan-val-") as scratch:
            sequences = []
            for index, (clip, sr_frames) in enumerate(zip(self.clips, outputs)):
                folders = [os.path.join(scratch, role, clip.name) for role in ("ours", "truth")]
                for folder, frames in zip(folders, (sr_frames, clip.hr_frames)):
                    os.makedirs(folder)
                    for number, frame in enumerate(frames):
                        write_rgb(os.path.join(folder, f"{number:04d}.png"), frame)
                sequences.append(scoring.Sequence(index, *folders))
            with tqdm(disable=True) as progress:
                records = [
                    scoring.score_sequence(sequence, self.lpips_arrays, progress)[0] for sequence in sequences
                ]
        average = scoring.summarise(records)[-1]
        return {column: average[column] for column in self.columns}

    def picture(self, outputs, iteration):
        """Bicubic | ours | ground truth of each clip, on its window and frame of most detail, one clip a
        row."""
        rows = []
        for clip, bicubic_frames, sr_frames in zip(self.clips, self.bicubic, outputs):
            window = detail_window(clip.hr_frames)
            index = detail_frame(clip.hr_frames, window)
            columns = (bicubic_frames[index], sr_frames[index], clip.hr_frames[index])
            rows.append(panel_row(columns, window, f"{clip.name}, frame {index + 1}, iteration {iteration}",
                                  panel_labels(clip.scale)))
        return joined(rows, axis=0)

    def run(self, iteration, model_path):
        """Validate the model_param file of this iteration; returns the metrics."""
        started = time.perf_counter()
        # read first: the model_param file removed during the validation (old ones deleted to free the disk: they are
        # kept) was a FileNotFoundError traceback at model_best.h5's copy
        try:
            with open(model_path, "rb") as model:
                model_bytes = model.read()
        except FileNotFoundError:
            model_bytes = None  # said where model_best.h5 needs it
        outputs = self.super_resolve(model_path)
        values = self.score(outputs)
        picture = self.picture(outputs, iteration)
        # the output folder moved away or replaced during the validation (minutes on long clips): the picture and
        # model_best.h5 went into the folder in its place (another run's, say), val.csv's write after them refused; a
        # model better than the last read the model_param file from there, a FileNotFoundError traceback
        folder = os.path.join(self.output_dir, PICTURE_FOLDER)
        self.log.check_folder(folder)
        with room_to_create():  # the first validation, on a disk whose inodes ran out meanwhile: OSError's traceback
            try:
                # not os.makedirs: an output folder moved away is not made again; in the folder checked, where the
                # run holds it (held_folder): one replaced by another run's after the check got this run's picture
                # over that run's of the iteration
                with held_descriptor(folder) as output:
                    os.mkdir(os.path.basename(folder) if output is not None else folder, dir_fd=output)
            except FileExistsError:
                if not os.path.isdir(folder):  # said "its folder was removed or moved" at the picture's write
                    made = (f"a symbolic link to '{os.readlink(folder)}', which leads to no folder,"
                            if os.path.islink(folder) else "a file")
                    raise UserError(f"'{folder}' is {made} since this run started; restore or move it, and run "
                                    "again") from None
            except OSError as error:  # the output folder moved away, or made read-only (its permissions taken away,
                # its disk remounted read-only) before the first validation: a PermissionError traceback. Its path in
                # full: made by the held folder's descriptor, the error named 'validation' alone, and room_to_create's
                # line for a full disk named it, counted on the disk of the working folder
                error.filename = folder
                raise folder_changed(folder, error) or error from None
        write_rgb(os.path.join(self.output_dir, PICTURE_FOLDER, f"iteration_{iteration:08d}.png"), picture)
        if is_better(values[self.column], self.best, self.column):
            # before val.csv: a crash between the two leaves a row to compute again, never a stale best
            if model_bytes is None:
                raise UserError(f"'{model_path}', written by this run, was removed before its validation (by another "
                                "program?); run again to resume")
            # checked again: a folder replaced by another run's while the picture was written got this model over
            # that run's model_best.h5
            best_path = os.path.join(self.output_dir, BEST_MODEL)
            self.log.check_folder(best_path)
            write_bytes(best_path, model_bytes)
            self.best = values[self.column]
        seconds = time.perf_counter() - started
        self.log.add(iteration, {**values, SECONDS: seconds})
        self.log.write()
        if self.board:
            self.board.add(iteration, {f"validation/{column}": value for column, value in values.items()})
            self.board.add_image("validation/bicubic_ours_truth", picture, iteration)
        shown = ", ".join(f"{column} {value:.4g}" for column, value in values.items())
        tqdm.write(f"validation at iteration {iteration}: {shown} ({seconds:.1f} s for "
                   f"{counted(len(self.clips), 'clip')}; best {self.column} "
                   f"{'none yet (nan)' if self.best is None else format(self.best, '.4g')})")
        return values
