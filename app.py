"""A local web page to super-resolve one's own video by 4x: upload, run, compare, download.

    python app.py                       # http://127.0.0.1:7860 (make app)
    python app.py --port 8000 --max-upload-mb 500

Jobs run one at a time through generate.py (webapp/jobs.py); everything the server writes (uploads, jobs,
the ONNX cache) stays under --work-dir. docs/app.md says what the page does and its limits.
"""
import logging

from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

logging.getLogger("nnabla").setLevel(logging.WARNING)  # before nnabla's import logs its start-up
logging.getLogger("httpx").setLevel(logging.WARNING)  # Gradio's requests to itself at start-up

import math
import os
import re
import shutil
import sys
import time
from contextlib import ExitStack, suppress

from utils.errors import UserError, exit_on_user_error, interrupt_on_stop_signals, size_said
from utils.flags import FlagParser, positive
from utils.text import utf8
from utils.paths import (SCRATCH_MARK, absolute, existing_parent, input_folder, is_scratch_folder, is_within,
                         lock_folder, make_folder, make_scratch_folder, output_folder, remove_scratch_folder)

UNPACK_FACTOR = 10  # a zip of frames may unpack to this many times the upload limit (PNGs hardly compress)
# Bounds of --max-upload-mb and --keep-minutes (a terabyte, about two years): larger values overflow the
# page's settings (64-bit integers) and the job timer.
MOST_UPLOAD_MB, MOST_KEEP_MINUTES = 10 ** 6, 10 ** 6
MOST_PORT = 65535  # TCP's
DEFAULT_WEIGHTS = "weights"  # download_test_data.py --weights puts the official generators there
SCRATCH_FOLDERS = ("uploads", "jobs")  # under --work-dir, made empty at start and deleted at the end
# the folders Gradio puts each upload and copy of a result into, under its temporary folder (uploads/): named by the
# SHA-256 of their file (its processing_utils, route_utils)
GRADIO_FILE_FOLDER = re.compile(r"[0-9a-f]{64}")


def parse_args(argv=None):
    parser = FlagParser(description="TecoGAN web app: x4 video super-resolution in the browser")
    # its bound in the flag's type, whose line shortens the number: one of 4,000 digits was a line of 4 kB
    parser.add_argument("--port", type=positive(int, "--port", most=MOST_PORT), default=7860, help="port on 127.0.0.1")
    parser.add_argument(
        "--work-dir",
        default=os.path.join("results", "app"),
        help="where uploads, jobs and the ONNX cache go; the uploads and jobs folders the server makes there "
        "are deleted when it stops (a folder of those names that it did not make is refused)")
    parser.add_argument("--weights-dir",
                        help="folder whose .h5 generators the page offers beside the bundled models (default: "
                        "weights, if there is one)")
    parser.add_argument("--max-upload-mb", type=positive(int, "--max-upload-mb", most=MOST_UPLOAD_MB),
                        default=200, help="largest upload, in MB")
    parser.add_argument("--keep-minutes", type=positive(float, "--keep-minutes", most=MOST_KEEP_MINUTES),
                        default=60,
                        help="how long a finished job's files are kept")
    args = parser.parse_args(argv)
    output_folder(args.work_dir, "--work-dir")
    if not utf8(absolute(args.work_dir)):  # absolute: a UTF-8 name in a working folder that is not
        # Gradio puts the paths of uploads and results in the JSON it sends the browser, which refuses them: the
        # server started, and every upload was "Internal Server Error" on the page and a traceback on the terminal
        raise UserError(f"--work-dir '{args.work_dir}': its path is not UTF-8 text, which the page cannot send to the "
                        "browser; choose a UTF-8 name")
    check_free_space(args.work_dir, args.max_upload_mb)
    if args.weights_dir is None:
        args.weights_dir = DEFAULT_WEIGHTS
    else:  # a folder named on purpose must be there: a typo would leave its models off the page without a word
        input_folder(args.weights_dir, "--weights-dir", "give the folder that holds your .h5 generators")
    for name in SCRATCH_FOLDERS:  # one left by a killed server is deleted at start, with the generators in it
        scratch = os.path.join(args.work_dir, name)
        if is_within(args.weights_dir, scratch):
            raise UserError(f"--weights-dir '{args.weights_dir}' is inside '{scratch}', a folder the server deletes "
                            "when it starts and stops; move the generators out of it, or choose another --work-dir")
    return args


def check_free_space(work_dir, max_upload_mb):
    """UserError when the disk of work_dir cannot take one upload of the largest size: Gradio would take each
    upload and fail writing it, with a traceback on the terminal and "Internal Server Error" on the page."""
    free = shutil.disk_usage(existing_parent(work_dir)).free
    if free < max_upload_mb * 2 ** 20:
        raise UserError(f"the disk of --work-dir '{work_dir}' has {size_said(free, math.floor)} free, less than one "
                        f"upload of --max-upload-mb {max_upload_mb}; free some space, or choose another --work-dir or "
                        "a lower --max-upload-mb")


def remove_scratch(path):
    """remove_scratch_folder at the stop, and a line where a folder of that name stays without the mark and holds files:
    the server's was deleted while it ran (as one cleans results/) and Gradio made it again as it took an upload (or
    the user by hand), a folder the stop cannot tell from a user's and leaves; the next start refused it with no word
    said at the stop. One left empty is taken over by the next start: the line said it would be refused. Gradio's own
    folders left empty in uploads are removed first (remove_emptied_upload_folders)."""
    remove_scratch_folder(path)
    uploads = os.path.basename(path) == SCRATCH_FOLDERS[0]
    with suppress(OSError):  # a stop must not fail
        if not os.path.islink(path) and os.path.isdir(path) and not is_scratch_folder(path):
            if uploads:
                remove_emptied_upload_folders(path)
            if os.path.isdir(path) and os.listdir(path):
                made = " (by an upload)" if uploads else ""
                print(f"note: '{path}' was deleted while the server ran and made again without its {SCRATCH_MARK} "
                      f"mark{made}: it is left as it is, and the next start refuses it; move it away first",
                      file=sys.stderr, flush=True)


def remove_emptied_upload_folders(uploads):
    """The folders Gradio made in uploads (without the mark: made again as Gradio took an upload, after the server's
    was deleted while it ran) and left empty as it deleted its files when the server stopped, then uploads itself if
    that leaves it empty: the stop named it, with no file in it, and the next start refused it until it was moved away.
    Empty folders alone are removed: nothing a user put there is lost."""
    with os.scandir(uploads) as entries:
        made = [entry.path for entry in entries if GRADIO_FILE_FOLDER.fullmatch(entry.name)
                and entry.is_dir(follow_symlinks=False)]
    for folder in made:
        with suppress(OSError):  # one holding a file (a user's, or Gradio's not deleted) stays
            os.rmdir(folder)
    if made and not os.listdir(uploads):
        os.rmdir(uploads)


def main(argv=None):
    with exit_on_user_error(), ExitStack() as held:
        args = parse_args(argv)
        work = absolute(args.work_dir)  # not os.path.abspath: 'lnk/..' is above lnk's target, the folder checked
        make_folder(work, held)  # a server that could not start leaves no folder
        held.enter_context(lock_folder(work, "--work-dir"))  # a second server would delete this one's jobs
        uploads, jobs = (os.path.join(work, name) for name in SCRATCH_FOLDERS)
        for scratch in (uploads, jobs):  # emptied of what a killed server left; a user's own folder is refused
            make_scratch_folder(scratch, "choose another --work-dir")
            held.callback(remove_scratch, scratch)  # after the server has stopped, or when it cannot start
        # read when Gradio is imported: its uploads and copies of results go under the work folder; and no
        # telemetry or update check from a local app
        os.environ.update(GRADIO_TEMP_DIR=uploads, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1",
                          HF_HUB_DISABLE_TELEMETRY="1")
        from webapp.jobs import JobQueue
        from webapp.ui import build

        queue = JobQueue(work, args.keep_minutes * 60)
        page = build(queue, absolute(args.weights_dir), args.max_upload_mb,
                     UNPACK_FACTOR * args.max_upload_mb)
        page.queue(default_concurrency_limit=None)
        try:
            try:
                page.launch(server_name="127.0.0.1",
                            server_port=args.port,
                            max_file_size=f"{args.max_upload_mb}mb",
                            allowed_paths=[queue.jobs_folder],
                            prevent_thread_lock=True,
                            quiet=True,
                            footer_links=[])
            except OSError as error:  # Gradio's "Cannot find empty port", or the address refused
                # its first sentence: the next ones advise Gradio's own settings, which app.py's --port overrides
                reason = str(error).split(". ")[0].rstrip(".")
                raise UserError(f"cannot serve on 127.0.0.1:{args.port} ({reason}); pass another --port")
            print(f"TecoGAN app: {page.local_url} (Ctrl-C stops it)", flush=True)
            # SIGTERM stops it as Ctrl-C does, through the clean-up below, and exit_on_user_error's 130; not
            # page.block_thread(), which takes the interruption for a normal end (exit code 0)
            with interrupt_on_stop_signals():
                while True:
                    time.sleep(3600)
        finally:
            queue.stop()
            page.close()


if __name__ == "__main__":
    main()
