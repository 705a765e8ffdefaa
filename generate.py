"""Super-resolve a folder of LR frames (or of HR frames, or a video file) with a TecoGAN or FRVSR model, by
its scale (x4 or x2, read from its weights), or to any size with --outscale or --output-size.

    python generate.py --model tecogan_model.h5 --input-dir-lr LR/calendar --output-dir results/calendar
    python generate.py --model tecogan_model.h5 --input-video clip.mp4 --output-video clip_x4.mp4
    mpirun -n 2 python generate.py --model tecogan_model.h5 --input-video clip.mp4 --output-video clip_x4.mp4
    python generate.py --model tecogan_model.h5 --input-video 1080p.mp4 --output-video 2160p.mp4 --outscale 2

The work is done by the inference package (the recurrent model, its backends and tiles); this script reads the
frames, writes the results and reports. Under mpirun each process super-resolves whole scenes and rank 0
writes every frame in order (utils/scenes.spread_scenes).
"""
import logging

from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C while the libraries load: one line, exit code 130
logging.getLogger("nnabla").setLevel(logging.WARNING)  # before nnabla's import logs its start-up

import itertools
import os
import sys
import time
from contextlib import ExitStack, nullcontext


from inference import BACKEND_CHOICES, PRECISIONS, SuperResolver, scene_steps
from inference.onnx_export import default_cache_dir
from models import MAX_RESBLOCKS
from utils.context import CONTEXT_CHOICES
from utils.degradation import degrade_frames, known_degradation, recorded_degradation
from utils.distributed import (MPIProcesses, SingleProcess, end_the_job_on_failure, launched_by_mpirun,
                               local_rank, local_size, user_error_report_after)
from utils.errors import (UserError, counted, discard_at_once_on_stop_signals, exit_on_user_error,
                          interrupt_on_stop_signals, out_of_memory_said, printable, shortened)
from utils.atomic_files import check_name_length, remove_stale_temporaries
from utils.flags import MAX_THREADS, FlagParser, frame_rate, positive, refuse_empty
from utils.frame_names import list_frames
from utils.image_io import WriteBehind, check_jpeg_sides, read_ahead, read_rgb, to_uint8, write_rgb
from utils.output_size import check_sides, parse_outscale, parse_output_size, requested_size, resize_output
from utils.video_io import DEFAULT_FPS, VideoReader, VideoSource, check_video_output, open_video_writer
from utils.paths import (lock_folder, lock_output_file, make_folder, not_an_input, not_being_written, output_folder,
                         remove_lock_file)
from utils.progress import progress_bar
from utils.scenes import (assign_scenes, detect_cuts, read_cuts_file, shot_ranges, split_at_cuts,
                          spread_scenes)


def frame_stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def frames_from_folder(folder, degradation=None, scale=None):
    """(frame shape, frame paths, (name stem, LR frame) pairs) of a folder, checked up front: readable and
    all of one size. degradation: the folder holds HR frames, made LR by it (utils.degradation) at `scale`
    (the model's)."""
    # an --input-dir-hr missing or empty was told to be "a folder of LR frames", the other flag's
    paths = list_frames(folder, wanted=f"pass a folder of {'HR' if degradation else 'LR'} frames")
    first_shape = None
    for path in paths:
        shape = read_rgb(path).shape
        first_shape = first_shape or shape
        if shape != first_shape:
            raise UserError(f"frame '{path}' is {shape[1]}x{shape[0]} but '{paths[0]}' is "
                            f"{first_shape[1]}x{first_shape[0]}; all frames of a sequence must have one size")
    prepare = (lambda frame: degrade_frames(frame, degradation, scale)) if degradation else (
        lambda frame: frame)
    return first_shape[:2], paths, ((frame_stem(path), prepare(of_its_size(read_rgb(path), path, first_shape)))
                                    for path in paths)


def of_its_size(frame, path, shape):
    """frame, read again from path as the run reaches it, unless it is no longer of the shape all frames had when the
    run started: a frame rewritten at another size meanwhile was said to be "a 30x40x3 array; a sequence takes H x W x
    3 RGB arrays of one size ...: start a sequence for each size", a library caller's advice."""
    if frame.shape != shape:
        raise UserError(f"frame '{path}' is now {frame.shape[1]}x{frame.shape[0]}, not the {shape[1]}x{shape[0]} of "
                        "its sequence when the run started: it was changed during the run; restore it, "
                        "then run again")
    return frame


def frames_from_video(reader, least_count=0):
    """(LR shape, frame names, (name, frame) pairs) of the chosen part of a video; frames are numbered from
    1. names: those of the frames the video announces, or of least_count frames where more (a cut past the count
    announced, in frames held); the pairs name every frame it has (VideoReader)."""
    frames = iter(reader)
    first = next(frames, None)
    if first is None:
        raise UserError(f"video '{reader.path}' has no frames in the chosen range")
    stem = frame_stem(reader.path)
    last = max(reader.end, reader.start + least_count)
    names = [f"{stem}_{index:04d}" for index in range(reader.start + 1, last + 1)]
    numbered = enumerate(itertools.chain([first], frames), reader.start + 1)
    return first.shape[:2], names, ((f"{stem}_{index:04d}", frame) for index, frame in numbered)


def prepare_output_dir(folder, claim):
    """Create folder (and the folders above it that are missing); claim (an ExitStack) removes those left empty
    when the run fails."""
    try:
        make_folder(folder, claim)
    except OSError as error:
        raise UserError(
            f"cannot create output folder '{folder}' ({error.strerror}); choose another --output-dir")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"output folder '{folder}' is not writable; choose another --output-dir")


def save_frame(path, pixels, video):
    if path:
        write_rgb(path, pixels)
    if video:
        video.write(pixels)


def parse_args(argv=None):
    parser = FlagParser(description="TecoGAN / FRVSR video super-resolution (x4 or x2, read from --model)",
                           reference_flags=("--model", "--input-dir-lr", "--output-dir", "--output-name",
                                            "--output-ext", "--num_resblock"))
    parser.add_argument("--model", required=True, help="NNabla weights (.h5): tecogan_model.h5, "
                        "frvsr_model.h5 or a train.py model_param_*.h5")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--input-dir-lr",
                        help="folder of LR frames (png/jpg), sorted by the number in their name")
    source.add_argument(
        "--input-dir-hr",
        help="folder of HR frames: made LR by the degradation the model "
        "records (bd: Gaussian blur sigma 1.5, every s-th pixel from (0, 0) for an xs model, the official "
        "models'; "
        "or bi: MATLAB's bicubic), to compare the result with them")
    source.add_argument("--input-video", help="video file to read the LR frames from")
    parser.add_argument("--output-dir",
                        help="where to write the SR frames (default: results/<input name>; with "
                        "--input-video and --output-video, frames are written only when this is given)")
    parser.add_argument("--output-name", default="output", help="prefix of the output file names")
    parser.add_argument("--output-ext",
                        default="png",
                        choices=("png", "jpg"),
                        help="format of the output frames")
    parser.add_argument("--output-video",
                        help="also write the SR frames as this .mp4 file (H.264 through ffmpeg, "
                        "with the input video's audio, frame rate and sample aspect ratio)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--outscale",
                      metavar="F",
                      help="write frames F times the size of the LR frames (e.g. 2 "
                      "with an x4 model, 1.5, 3): the model's output resized as it is written (Lanczos); "
                      "with --output-video each side is rounded to an even number "
                      "(H.264) (default: the model's scale)")
    size.add_argument("--output-size",
                      metavar="WxH",
                      help="write frames of this size (e.g. 3840x2160), resized "
                      "like --outscale; even sides with --output-video")
    parser.add_argument("--fps", type=frame_rate("--fps", least=0.01, most=1000),
                        help="frame rate of --output-video: a number or a ratio such as 30000/1001 "
                        f"(default: the input video's, else {DEFAULT_FPS})")
    parser.add_argument("--start", help="first frame of --input-video to super-resolve: a frame number "
                        "(the first is 0) or a time (4.5s, 1:02.5) (default: the first frame)")
    parser.add_argument("--end", help="where to stop in --input-video; that frame or time is not included "
                        "(default: the end)")
    parser.add_argument(
        "--scene-cuts",
        help="where the recurrence starts again: auto (the default for "
        "--input-video: cuts detected by PySceneDetect), off (the default for a frame folder: one "
        "scene), or a text file of the frame numbers that open a shot, one a line (counted from "
        "the video's first frame, or the folder's first frame in name order)")
    parser.add_argument("--num_resblock", type=positive(int, "--num_resblock", most=MAX_RESBLOCKS),
                        help="generator residual blocks (default: read from --model)")
    parser.add_argument("--backend", default="auto", choices=BACKEND_CHOICES,
                        help="auto: NNabla on a GPU, OpenVINO on a CPU when installed, else NNabla")
    parser.add_argument(
        "--precision",
        default="fp32",
        choices=PRECISIONS,
        help="fp16: NNabla computes in half precision (the fast path on cudnn; slow on a CPU); "
        "bf16: OpenVINO computes in bfloat16 on CPUs that have it (faster); docs/benchmarks.md "
        "shows the speed and quality cost of both")
    parser.add_argument(
        "--context",
        default="auto",
        choices=CONTEXT_CHOICES,
        help="NNabla's context; auto: cudnn when nnabla-ext-cuda and a GPU are present, else cpu")
    parser.add_argument("--tile", type=positive(int, "--tile"), help="force tiles of this side in LR pixels, "
                        "halo not counted (default: the largest that fit --max-memory)")
    parser.add_argument("--max-memory", type=positive(float, "--max-memory", most=1e6), metavar="GB",
                        help="memory budget of the process in GB, of each under mpirun (default: half the free "
                        "RAM, shared by mpirun's processes on each machine's CPU, or of the free GPU memory on cudnn)")
    parser.add_argument("--cache-dir", help=f"where ONNX exports are kept (default: {default_cache_dir()})")
    parser.add_argument(
        "--threads",
        type=positive(int, "--threads", most=MAX_THREADS),
        help="CPU threads of OpenVINO, or of NNabla's parallel tiles (default: all cores on cpu)")
    parser.add_argument("--truncate", action="store_true",
                        help="write PNGs by truncation like the reference (default: rounding)")
    args = parser.parse_args(argv)
    refuse_empty(args, "--input-dir-lr", "--input-dir-hr", "--input-video", "--output-dir", "--output-video",
                 "--start", "--end", "--scene-cuts", "--cache-dir")
    if (args.start or args.end) and not args.input_video:
        raise UserError("--start and --end choose a part of --input-video; use them with --input-video")
    if os.sep in args.output_name or (os.altsep
                                      and os.altsep in args.output_name) or args.output_name in (".", ".."):
        raise UserError(
            f"--output-name '{args.output_name}' must be a plain name prefix, without '{os.sep}'; "
            "use --output-dir to choose the folder")
    # its frames would be hidden names, which no frame folder's listing reads (utils.frame_names.is_frame_name): they
    # were written with exit code 0, then "has no images" to generate.py and "has no .png frames" to evaluate.py
    if args.output_name.startswith("."):
        raise UserError(f"--output-name '{shortened(args.output_name)}' begins with '.', which makes its frames hidden "
                        "files that no frame folder's listing reads (evaluate.py's, generate.py's, training's); "
                        "choose a name without a leading '.'")
    if args.output_video:
        check_video_output(args.output_video)
        check_name_length(args.output_video, "choose a shorter --output-video name")
        not_an_input(args.output_video, "--output-video", [("--input-video", args.input_video),
                                                           ("--model", args.model),
                                                           ("--scene-cuts", args.scene_cuts)])
        for flag, folder in (("--output-dir", args.output_dir), ("--cache-dir", args.cache_dir)):
            # realpath, not abspath: 'lnk/..' is the folder above lnk's target, as the system reads it
            if folder and os.path.realpath(folder) == os.path.realpath(args.output_video):
                raise UserError(f"--output-video '{args.output_video}' is also the folder {flag}; "
                                "give them different paths")
    args.outscale = parse_outscale(args.outscale) if args.outscale is not None else None
    args.output_size = parse_output_size(args.output_size, bool(
        args.output_video)) if args.output_size is not None else None
    if args.scene_cuts is None:
        args.scene_cuts = "auto" if args.input_video else "off"
    if args.scene_cuts == "auto" and not args.input_video:
        raise UserError(
            "--scene-cuts auto detects cuts in --input-video; for a frame folder give a file of the "
            "frame numbers that open a shot, or off")
    return args


def scene_cuts(choice, total_frames, start, end=None, video=None, frames_held=None):
    """Indices, within the frames start..end-1 super-resolved (end None: to the last), of the frames that open a shot.
    frames_held: the video's (VideoReader.frames_held), whose total_frames is the count it announces."""
    if choice == "off":
        return []
    cuts = (detect_cuts(video, start, end) if choice == "auto"
            else read_cuts_file(choice, total_frames, other_choices=("auto", "off"), frames_held=frames_held))
    return [cut - start for cut in cuts if start < cut and (end is None or cut < end)]


def output_path(output_dir, name, args):
    return os.path.join(output_dir, f"{args.output_name}_{name}.{args.output_ext}")


def check_output_paths(output_dir, names, args, inputs=(), other_inputs=()):
    """UserError when a file would replace an input, or a name is too long. Two frames never get one file: two of one
    name have one number, which list_frames refuses.

    inputs: the input frames' paths, in the order of names; other_inputs: (flag, path) of the other files read
    (the model, the cuts file, the video), which a frame of their name in --output-dir would replace."""
    paths = {name: output_path(output_dir, name, args) for name in names}
    overwritten = {os.path.realpath(path)
                   for path in paths.values()} & {os.path.realpath(path) for path in inputs}
    if overwritten:
        raise UserError(f"output '{sorted(overwritten)[0]}' would overwrite an input frame; choose another "
                        "--output-dir or --output-name")
    outputs = {os.path.realpath(path) for path in paths.values()}
    for flag, path in other_inputs:
        if path and os.path.realpath(path) in outputs:
            raise UserError(f"an output frame would overwrite {flag} '{path}'; choose another --output-dir or "
                            "--output-name, or move that file")
    if paths:
        check_name_length(max(paths.values(), key=lambda path: len(os.fsencode(path))),
                          "choose a shorter --output-name, or shorten the input's name")
    blocked = [path for path in paths.values() if os.path.isdir(path)]
    if blocked:
        raise UserError(f"output frame '{blocked[0]}' is a folder; remove it or choose another --output-dir")


# A rank other than 0 keeps at most this share of its memory budget (beyond it) in finished frames that
# wait for rank 0.
WAITING_SHARE = 0.25


def processes_of_this_run():
    """The processes of mpirun (mpi4py), or one process."""
    return MPIProcesses() if launched_by_mpirun() else SingleProcess()


def on_rank_zero(processes, compute):
    """compute() run on rank 0 only, and its result (or its UserError) on every rank."""
    if processes.size == 1:
        return compute()
    result = None
    if processes.rank == 0:
        try:
            result = compute()
        except UserError as error:
            result = error
    result = processes.comm.bcast(result, root=0)
    if isinstance(result, UserError):
        raise result
    return result


def run(args, processes, output_claim):
    """output_claim: an ExitStack that holds the output folder's lock until the caller's block ends."""
    # the model opened once, for its arrays and its degradation (--input-dir-hr opened it again for its degradation)
    attributes = {}
    resolver = SuperResolver(args.model, args.backend, args.context, args.num_resblock, args.tile,
                             args.max_memory and args.max_memory * 2 ** 30, args.threads, args.cache_dir,
                             process_count=local_size(), device_id=local_rank(), precision=args.precision,
                             attributes=attributes)
    if resolver.precision == "fp16" and resolver.context == "cpu":
        print("warning: --precision fp16 is meant for --context cudnn: NNabla's CPU kernels compute float16 "
              "hundreds of times more slowly than float32", file=sys.stderr)
    # One budget, rank 0's, so that every rank makes the tile plan of one process (tiles agree only to ~1e-6).
    resolver.max_memory = on_rank_zero(processes, lambda: resolver.max_memory)
    video_source, crop, input_paths = None, None, []
    if args.input_video:
        reader = VideoReader(args.input_video)
        reader.select(args.start, args.end)
        # without --end, to the last frame held: a cut past the count announced is kept
        cuts = on_rank_zero(processes, lambda: scene_cuts(
            args.scene_cuts, reader.total_frames, reader.start, reader.end if reader.end_chosen else None,
            args.input_video, reader.frames_held))
        shape, names, named_frames = frames_from_video(reader, cuts[-1] + 1 if cuts else 0)
        fps = reader.fps
        video_source = VideoSource(args.input_video, reader.start_seconds, reader.duration_seconds,
                                   reader.sample_aspect, reader.listing, reader.identity)
    else:
        folder = args.input_dir_lr or args.input_dir_hr
        # another run's output folder still being written; on rank 0 alone, before it locks its own output (which
        # may be this folder)
        on_rank_zero(processes, lambda: not_being_written(folder, "input folder"))
        degradation = known_degradation(recorded_degradation(attributes), args.model) if args.input_dir_hr else None
        shape, input_paths, named_frames = frames_from_folder(folder, degradation, resolver.scale)
        fps = DEFAULT_FPS
        names = [frame_stem(path) for path in input_paths]
        cuts = on_rank_zero(processes, lambda: scene_cuts(args.scene_cuts, len(names), 0, len(names)))
        if args.input_dir_hr:  # LR frames of ceil(H / s) x ceil(W / s); the SR frames are cut to the HR size
            crop, shape = shape, (-(-shape[0] // resolver.scale), -(-shape[1] // resolver.scale))
    # --outscale of HR frames: of the LR frames they stand for, whose SR frames are cut to the HR frames' size
    size = requested_size(*(crop or shape), args.outscale, args.output_size, bool(args.output_video),
                          resolver.scale if crop else 1)
    # abspath: '..' or '.' name the folder they stand for, not a way out of results/
    source_name = os.path.splitext(os.path.basename(os.path.abspath(args.input_video or args.input_dir_lr
                                                                    or args.input_dir_hr)))[0]
    output_dir = args.output_dir
    if output_dir is None and not (args.input_video and args.output_video):
        output_dir = os.path.join("results", source_name)
    if output_dir:  # a file, a pipe or a link to nothing in its place: said as such, not as "File exists"
        output_folder(output_dir, "--output-dir" if args.output_dir else "output folder")
        check_output_paths(output_dir, names, args, input_paths,
                           [("--model", args.model), ("--scene-cuts", args.scene_cuts),
                            ("--input-video", args.input_video)])
    native_height, native_width = crop or (shape[0] * resolver.scale, shape[1] * resolver.scale)
    # frames resized as they are written take memory too
    resolver.written_size = size if size and size != (native_height, native_width) else None
    resolver.written_fixed = bool(args.output_size)  # smaller frames are still written at it
    owners = assign_scenes([scene_steps(stop - first) for first, stop in shot_ranges(cuts, len(names))],
                           processes.size)
    if owners.count(processes.rank) == 0:
        print(
            f"rank {processes.rank} of {processes.size}: idle, the {counted(len(owners), 'scene')} went to other ranks"
        )
        return
    out_height, out_width = size or (native_height, native_width)
    # before the model is built: OpenVINO's export (seconds) wrote a cache entry for a run then refused
    if args.output_video:  # H.264 (x264) refuses sides past MAX_SIDE: found now, not by ffmpeg after the work
        check_sides(out_height, out_width, f"--output-video of x{resolver.scale} {shape[1]}x{shape[0]} frames")
    else:  # found at the first frame's write, after its work (a minute for 1x16385 LR frames of the x4 model)
        check_jpeg_sides(out_height, out_width, args.output_ext)
    model = resolver.model(*shape)  # the tile plan is checked against the budget before anything is written
    waiting_frames = max(1, int(WAITING_SHARE * resolver.max_memory // (out_height * out_width * 3)))

    resizing_failed = (f"out of memory while resizing the output frames to {out_width}x{out_height}; "
                       "choose a smaller --output-size or --outscale, free memory, or raise this process's limit "
                       "(ulimit -v)")

    def super_resolve_scene(scene):
        for name, output in resolver.sequence(scene, shape):
            with out_of_memory_said(resizing_failed):
                pixels = to_uint8(resize_output(output[:native_height, :native_width], out_height, out_width),
                                  args.truncate)
            yield name, pixels

    started = time.perf_counter()
    # A stream: the next frames are decoded and the previous ones written while a frame computes.
    frames = spread_scenes(split_at_cuts(read_ahead(named_frames), cuts), owners, processes,
                           super_resolve_scene, (out_height, out_width, 3), waiting_frames)
    spread = f", rank 0 of {processes.size} has {owners.count(0)}" if processes.size > 1 else ""
    if processes.rank:
        for _ in frames:
            pass
        print(f"rank {processes.rank} of {processes.size}: super-resolved {owners.count(processes.rank)} of "
              f"{len(owners)} scenes in {time.perf_counter() - started:.1f} s")
        return
    # a file named like a temporary of a killed run may be an input: kept
    inputs = [*input_paths, *(path for path in (args.input_video, args.model, args.scene_cuts)
                               if path and os.path.isfile(path))]
    if output_dir:
        prepare_output_dir(output_dir, output_claim)
        output_claim.enter_context(lock_folder(output_dir, "output folder"))
        # only the frames' of this run: --output-dir may be a folder of the user's, with other programs' files
        remove_stale_temporaries(output_dir, {os.path.basename(output_path(output_dir, name, args)) for name in names},
                                 inputs)
    video_lock = None
    if args.output_video:
        video_lock = output_claim.enter_context(lock_output_file(args.output_video, "--output-video"))
        remove_stale_temporaries(os.path.dirname(args.output_video) or os.curdir,
                                 {os.path.basename(args.output_video)}, inputs)
    description = (f"{resolver.num_resblock} blocks, {resolver.backend} {resolver.precision} on "
                   f"{resolver.context}, {model.describe()}, {counted(len(cuts) + 1, 'scene')}{spread}")
    def to_their_end(frames):
        """frames, the bar's total set to their count as they end (before the bar closes): a video announcing more
        than it holds (an FLV's count, estimated from its duration: 7 of 5 frames) left the bar at "71% 5/7" above
        "wrote 5 frames"."""
        count = 0
        for count, item in enumerate(frames, 1):
            yield item
        progress.total = count

    # drawn before the video is opened: a bar that cannot be written (standard error on a full disk) fails here
    progress = progress_bar(to_their_end(frames), total=len(names), unit="frame", desc=description)
    video = None
    if args.output_video:
        # the bar cleared and drawn again around the writer's note (audio re-encoded): written after the bar, the note
        # began on the bar's line, "... 0/10 [00:00<?, ?frame/s]note: the audio of ..."
        try:
            with progress.external_write_mode(file=sys.stderr):
                video = open_video_writer(args.output_video, args.fps or fps, out_width, out_height, video_source)
        except BaseException:
            # a stop (Ctrl-C while ffmpeg probes the audio) or an error before any frame: the bar taken away, the
            # error line the last; the bar, closed only as the program ended, was drawn again under "interrupted"
            progress.leave = False
            progress.close()
            raise
    # under mpirun, whose kill follows a forwarded SIGTERM or Ctrl-C within a second: no partial video left
    in_time = discard_at_once_on_stop_signals(lambda: abandon_video(video, video_lock)) if (
        video and processes.size > 1) else nullcontext()
    try:
        # one frame written while the next computes: no more HR frames held
        with in_time, WriteBehind(depth=1) as writer:
            for name, pixels in progress:
                writer.submit(save_frame, output_dir and output_path(output_dir, name, args), pixels, video)
    except BaseException:
        if video:
            video.abort()
        raise
    if video:
        video.close()
    seconds = time.perf_counter() - started
    # as error lines show them: an escape sequence or a newline in a name is shown by its code, not run by the terminal
    written = " and ".join(printable(place) for place in (output_dir, args.output_video) if place)
    print(f"wrote {counted(progress.n, 'frame')} to {written} in {seconds:.1f} s "
          f"({seconds / max(progress.n, 1):.2f} s per frame, warm-up included)")


def abandon_video(video, lock_path):
    """The partial video and its lock file removed at once, from the thread a stop signal wakes under mpirun."""
    video.abort()
    remove_lock_file(lock_path)


def main(argv=None):
    # SIGTERM stops like Ctrl-C: the video being written is removed, no partial file is left.
    processes = processes_of_this_run()
    report_after = user_error_report_after(processes.rank)
    with end_the_job_on_failure(processes), exit_on_user_error(report_after=report_after), \
            interrupt_on_stop_signals(), ExitStack() as output_claim:
        run(parse_args(argv), processes, output_claim)


if __name__ == "__main__":
    main()
