"""The steps of a job around generate.py, each a process of its own (so that Cancel can kill it at once):

    python -m webapp.steps prepare JOB_FOLDER   # a sample clip's HR frames, for generate.py --input-dir-hr
    python -m webapp.steps finish JOB_FOLDER    # the comparison frame, the frame zip, the evaluate.py table

The job folder holds job.json (its settings: webapp/inputs.job_spec), frames/ (the SR
frames of generate.py) and what finish writes (webapp/jobs.OUTPUTS).
"""
import logging

logging.getLogger("nnabla").setLevel(logging.WARNING)  # before nnabla's import logs its start-up

import itertools
import json
import os
import sys
import zipfile

from evaluation.report import evaluate, markdown_table
from evaluation.scoring import Sequence, load_lpips
from utils import metrics
from utils.atomic_files import write_atomically, write_bytes
from utils.degradation import DEGRADATIONS, degrade_frames
from utils.errors import UserError, exit_on_user_error
from utils.frame_names import list_frames
from utils.image_io import common_image_size, read_rgb, write_rgb
from utils.ops import SCALES, bicubic_upscale_frames
from utils.output_size import resize_output
from utils.video_io import VideoReader
from webapp.inputs import SIZE_FLAGS
from webapp.jobs import OUTPUTS, job_file


# the advice where a job's own files are not as its commands left them (deleted, emptied or made unreadable while it
# ran, as one cleans a server's folder): the finish step said "input folder 'frames' does not exist; pass a folder of LR
# frames", of a folder the user never passed, and job.json unreadable was a PermissionError with "please report it"
CHANGED_WHILE_RUNNING = "it was changed while the job ran; press Run again"


def hr_folder(folder):
    return os.path.join(folder, "hr")


def job_frames(path, role):
    """list_frames of one of the job's folders of frames (its input's copy, hr/, frames/), named as the job's: deleted
    or emptied while the job ran, it was "input folder '...' does not exist; pass a folder of LR frames", of a folder
    the user never passed."""
    return list_frames(path, f"the job's folder of {role}", CHANGED_WHILE_RUNNING)


def prepare(folder, spec):
    """The frames start..end-1 of the sample clip as numbered PNGs in hr/: the ground truth."""
    source = spec["input"]
    os.makedirs(hr_folder(folder), exist_ok=True)
    reader = VideoReader(source["video"])
    reader.select(str(source["start"]), str(source["end"]))
    for index, frame in enumerate(reader, 1):
        write_rgb(os.path.join(hr_folder(folder), f"{index:04d}.png"), frame)


def scale_of(spec):
    """The model's scale (4 or 2), as JobQueue read it from the job's copy of the model when the job's turn came (the
    steps read the model no more: the finish step read it twice for each frame of a sample with ground truth)."""
    return spec["scale"]


def resized(spec):
    """Whether the job writes its frames at an output size other than the model's native one."""
    return bool(set(SIZE_FLAGS) & set(spec["flags"]))


def degraded(hr, spec):
    """The LR frame generate.py --input-dir-hr makes of an HR frame: by the model's training degradation, at
    its scale."""
    return degrade_frames(hr, spec["degradation"], scale_of(spec))


def lr_frame(folder, spec, index):
    """The LR frame generate.py super-resolved as frame `index` of the job (counted from 0)."""
    source = spec["input"]
    if source["kind"] == "video":
        if not os.path.isfile(source["path"]):  # "video file '...' does not exist", a file the user never named
            raise UserError(f"the job's copy of its video '{os.path.basename(source['path'])}' does not exist; "
                            f"{CHANGED_WHILE_RUNNING}")
        reader = VideoReader(source["path"])
        reader.select(source["start"] or None, source["end"] or None)
        frames = itertools.islice(reader, index, None)
    elif source["kind"] == "frames":
        frames = map(read_rgb, job_frames(source["path"], "LR frames")[index:index + 1])
    else:
        hr_paths = job_frames(hr_folder(folder), "HR frames")[index:index + 1]
        frames = (degraded(read_rgb(path), spec) for path in hr_paths)
    frame = next(frames, None)
    if frame is None:  # the job's input cut (or SR frames added) after generate.py: an IndexError or StopIteration
        raise UserError(f"the job's input has fewer frames than its SR frames 'frames'; {CHANGED_WHILE_RUNNING}")
    return frame


def bicubic_like(lr, sr_shape, spec):
    """Bicubic of an LR frame by the model's scale, brought to the SR frame's size as generate.py brings its
    output: resized to an output size, else cut (generate.py cuts HR inputs' results to the HR size)."""
    bicubic = bicubic_upscale_frames([lr], scale_of(spec))[0]
    if resized(spec):
        return resize_output(bicubic, *sr_shape[:2])
    return bicubic[:sr_shape[0], :sr_shape[1]]


def zip_frames(path, frame_paths):
    def write(temporary):
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_STORED) as archive:  # PNGs are compressed already
            for frame_path in frame_paths:
                archive.write(frame_path, os.path.basename(frame_path))
    write_atomically(path, write)


def score_table(folder, spec, sr_frames_folder):
    """evaluate.py's table of bicubic (by the model's scale) and ours against the ground truth (hr/), as
    markdown."""
    hr_paths = job_frames(hr_folder(folder), "HR frames")
    if len(hr_paths) < metrics.MIN_FRAMES:
        return (f"The evaluate.py table needs at least {metrics.MIN_FRAMES} frames (the first and last "
                f"{metrics.BORDER_FRAMES} are not scored); this run has {len(hr_paths)}.\n")
    bicubic_folder = os.path.join(folder, "bicubic")
    os.makedirs(bicubic_folder, exist_ok=True)
    for hr_path in hr_paths:
        hr = read_rgb(hr_path)
        write_rgb(os.path.join(bicubic_folder, os.path.basename(hr_path)),
                  bicubic_like(degraded(hr, spec), hr.shape, spec))
    rows = evaluate(
        [Sequence(0, bicubic_folder, hr_folder(folder)),
         Sequence(1, sr_frames_folder, hr_folder(folder))],
        os.path.join(folder, "evaluation"),
        lpips_arrays=load_lpips())
    labels = (f"x{scale_of(spec)} bicubic", "ours")
    return markdown_table([dict(row, label=label, target_folder="") for row, label in zip(rows, labels)])


def finish(folder, spec):
    """The comparison pair of the middle frame, the zip of the SR frames and, for a sample with ground truth,
    the evaluate.py table."""
    sr_frames_folder = os.path.join(folder, "frames")
    sr_paths = job_frames(sr_frames_folder, "SR frames")
    # the zip took a frame of another size or of junk as it was (one other than the middle one, which alone is decoded),
    # exit code 0: the frames' PNG headers, 24 bytes each, say so
    common_image_size(sr_paths, "the job's SR frame", CHANGED_WHILE_RUNNING)
    middle = len(sr_paths) // 2
    ours = read_rgb(sr_paths[middle])
    write_rgb(os.path.join(folder, OUTPUTS["ours"]), ours)
    lr = lr_frame(folder, spec, middle)
    native = tuple(side * scale_of(spec) for side in lr.shape[:2])
    # the job's input replaced by frames of another size while it ran: the comparison was of another size, or of a part
    # of the frame, exit code 0 (HR frames are cut to their size by generate.py; an output size is any size)
    if spec["input"]["kind"] != "hr_frames" and not resized(spec) and native != ours.shape[:2]:
        raise UserError(f"the job's input frame is {lr.shape[1]}x{lr.shape[0]}, not the "
                        f"{ours.shape[1] // scale_of(spec)}x{ours.shape[0] // scale_of(spec)} its SR frames 'frames' "
                        f"were made of; {CHANGED_WHILE_RUNNING}")
    write_rgb(os.path.join(folder, OUTPUTS["bicubic"]), bicubic_like(lr, ours.shape, spec))
    zip_frames(os.path.join(folder, OUTPUTS["frames_zip"]), sr_paths)
    if spec["input"]["kind"] == "hr_frames" and not resized(spec):  # the ground truth has the native size
        write_bytes(os.path.join(folder, OUTPUTS["table"]),
                    score_table(folder, spec, sr_frames_folder),
                    mode="w")


# the texts the steps read of job.json's 'input', by its kind
INPUT_TEXTS = {"video": ("path", "start", "end"), "frames": ("path",), "hr_frames": ("video",)}


def one_of(value, choices):
    """Whether value is one of choices and of their type (4.0 and True compare equal to numbers of SCALES)."""
    return any(type(value) is type(choice) and value == choice for choice in choices)


def is_job_settings(spec):
    """Whether the JSON of job.json has what the steps read, of the types they read (a key left out is main's line of
    older code; the degradation is read of HR frames alone): 'input' without 'kind' or 'path', a path a list, 'scale'
    a text or 0 were a KeyError, TypeError or ValueError traceback, "please report it"."""
    if not isinstance(spec, dict) or not isinstance(spec.get("flags", {}), dict):
        return False
    source = spec.get("input", {"kind": "frames", "path": ""})
    return (isinstance(source, dict) and one_of(source.get("kind"), INPUT_TEXTS)
            and all(isinstance(source.get(key), str) for key in INPUT_TEXTS[source["kind"]])
            and one_of(spec.get("scale", SCALES[0]), SCALES)
            and (source["kind"] != "hr_frames" or one_of(spec.get("degradation", DEGRADATIONS[0]), DEGRADATIONS)))


def read_spec(folder):
    """The settings in the job's job.json, or UserError where they are not a job's settings: emptied, cut short, not
    UTF-8 or other JSON (a list; a text for 'input'; is_job_settings) were a JSONDecodeError, UnicodeDecodeError or
    TypeError traceback, "please report it", or, a list, "its job.json lacks 'input': the code was updated while the
    server ran". A job's folder deleted or replaced is JobQueue's line; this is a file of it."""
    try:
        with open(job_file(folder), encoding="utf-8") as file:
            spec = json.load(file)
    except OSError as error:
        reason = error.strerror
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        reason = "not JSON"
    else:
        if is_job_settings(spec):
            return spec
        reason = "not a job's settings"
    raise UserError(f"the job's settings 'job.json' cannot be read ({reason}); {CHANGED_WHILE_RUNNING}")


STEPS = {"prepare": prepare, "finish": finish}
# what the steps read of job.json (JobQueue._take_model writes the last two): a server started before its code was
# updated (a git pull while it runs) keeps its JobQueue in memory, while each step runs the code on disk; its job.json
# without 'scale' failed the job with "the run stopped with exit code 1 (KeyError: 'scale'); please report it"
SPEC_KEYS = ("input", "flags", "scale", "degradation")


def main(argv=None):
    with exit_on_user_error():
        step, folder = argv or sys.argv[1:]
        if step not in STEPS:
            raise UserError(f"unknown step '{step}'; choose one of {', '.join(STEPS)}")
        spec = read_spec(folder)
        missing = [key for key in SPEC_KEYS if key not in spec]
        if missing:
            raise UserError(f"the job was set up by code older than its steps' (its job.json lacks '{missing[0]}': the "
                            "code was updated while the server ran); stop the server and start it again")
        STEPS[step](folder, spec)


if __name__ == "__main__":
    main()
