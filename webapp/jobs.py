"""The job queue: jobs run one at a time, in the order they came, each in a folder of its own.

A job is a few commands: generate.py itself (the same run as on the command line, no second pipeline),
and before and after it the steps of webapp/steps.py. Each runs as a process of its own, in a process
group of its own, so that Cancel stops a job at once (the group is killed: generate.py, its ffmpeg)
and leaves no partial file (the job's folder is deleted). A job's folder is deleted keep_seconds after
the job ends, or when the page that submitted it starts another (discard).
"""
import contextlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import uuid
from collections import deque

from utils.atomic_files import disk_full, folder_changed, write_atomically, write_bytes
from utils.errors import UserError, counted, error_reason
from utils.paths import REPO_ROOT, is_scratch_folder
from utils.paths import no_space
from webapp.inputs import check_degradation, check_model, check_output_size, page_terms

GENERATE = os.path.join(REPO_ROOT, "generate.py")
TQDM_COUNT = re.compile(r"(\d+)/(\d+) \[")  # tqdm's "n/total [elapsed<remaining, rate]"
ERROR_PREFIX = "error: "  # how an entry script reports a UserError (utils.errors.exit_on_user_error)
SWEEP_SECONDS = 10  # how often ended jobs are checked for expiry
# the files of a finished job, by what they are
OUTPUTS = {
    "video": "result.mp4",
    "frames_zip": "result_frames.zip",
    "bicubic": "compare_bicubic.png",
    "ours": "compare_ours.png",
    "table": "metrics.md"
}


MODEL_COPY = "model.h5"  # the job's model, copied into its folder when its turn comes (JobQueue._take_model)


class ModelNotCopied(Exception):
    """The job's model could not be read for its copy (not an OSError: write_atomically reads those as its folder's)."""


def job_file(folder):
    return os.path.join(folder, "job.json")


def folder_identity(path):
    """(device, inode) of the folder at path itself (not a link's target), or None where no folder is there."""
    try:
        status = os.lstat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino) if stat.S_ISDIR(status.st_mode) else None


def clock(seconds):
    """A duration for people: '45 s', '3 min 05 s'."""
    seconds = int(round(seconds))
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


def minutes_said(seconds):
    """--keep-minutes as given, with its noun: '0.4 minutes' (rounded, 0.4 was "0 minutes"), '1 minute' (was "1
    minutes"), '123456.4 minutes' and '1000000 minutes' (six digits, they were "123456", less than kept, and
    "1e+06")."""
    minutes = float(f"{seconds / 60:.15g}")  # the float error of * 60 / 60 left out
    return counted(int(minutes) if minutes.is_integer() else minutes, "minute")


class Job:
    """One submitted run: its folder, its settings (spec, also in job.json) and where it stands."""

    def __init__(self, job_id, folder, spec, identity=None):
        self.id, self.folder, self.spec = job_id, folder, spec
        self.identity = identity  # folder_identity of the folder submit made, for JobQueue._folder_gone
        self.state = "waiting"  # then running, and done, failed or cancelled; expired once its files are gone
        self.phase = ""
        self.total_frames = spec["input"]["frames"]
        self.done_frames = 0
        self.counting_since = None  # when generate.py reported its first count (the model is built by then)
        self.started = self.ended = None
        self.message = ""
        self.process = None
        self.finished = threading.Event()  # set once an ended job's processes are gone and its files settled

    @property
    def active(self):
        return self.state in ("waiting", "running")

    def outputs(self):
        """{kind: path} of the finished job's files that exist (the table only for clips with ground
        truth)."""
        paths = {kind: os.path.join(self.folder, name) for kind, name in OUTPUTS.items()}
        return {kind: path for kind, path in paths.items() if os.path.isfile(path)}

    def count(self, done, total):
        self.counting_since = self.counting_since or time.monotonic()
        self.done_frames, self.total_frames = done, total

    def progress(self):
        """'frame 12 of 30, 2.4 frames/s, 8 s left' while generate.py runs, else the phase."""
        if self.counting_since is None or self.done_frames == 0:
            return f"{self.phase}..."
        rate = self.done_frames / max(time.monotonic() - self.counting_since, 1e-6)
        left = (self.total_frames - self.done_frames) / rate
        return (f"{self.phase}: frame {self.done_frames} of {self.total_frames}, {rate:.2f} frames/s, "
                f"{clock(left)} left")


class JobQueue:
    """Jobs run in turn by one thread; the work folder holds jobs/ (one folder each) and the ONNX cache.

    keep_seconds: how long an ended job's files are kept. python: the interpreter of the job's commands."""

    def __init__(self, work_folder, keep_seconds, python=sys.executable):
        self.jobs_folder = os.path.join(work_folder, "jobs")
        self.cache_folder = os.path.join(work_folder, "onnx_cache")
        self.keep_seconds, self.python = keep_seconds, python
        os.makedirs(self.jobs_folder, exist_ok=True)
        self.jobs_identity = self._jobs_identity()  # submit's check that it is still the folder made here
        self.changed = threading.Condition()
        self.jobs, self.waiting = {}, deque()
        self.stopping = False
        threading.Thread(target=self._work, name="jobs", daemon=True).start()
        threading.Thread(target=self._sweep, name="expiry", daemon=True).start()

    def submit(self, make_spec):
        """A new job whose spec is make_spec(its input folder); a UserError of make_spec leaves nothing."""
        if self._jobs_identity() != self.jobs_identity:
            # deleted while the server ran (a results/ cleaned), with the work folder's lock: the makedirs below made it
            # again without its mark, the stop left it, and every later start was refused ("a folder of files this
            # program did not write"); made again with the mark, a second server could take the unlocked folder and
            # delete this one's jobs. The folder made at the start, not any folder: one made again by hand took the
            # jobs, the stop left them and the next start was refused; a link to a folder put them in the user's folder
            # and left them there
            what = "replaced" if os.path.lexists(self.jobs_folder) else "deleted"
            raise UserError(f"the server's folder '{self.jobs_folder}' was {what} while the server ran; stop the "
                            "server and start it again")
        job_id = uuid.uuid4().hex[:12]
        folder, identity = os.path.join(self.jobs_folder, job_id), None
        try:
            os.makedirs(folder)
            identity = folder_identity(folder)
            spec = make_spec(os.path.join(folder, "input"))
            write_bytes(job_file(folder), json.dumps(spec), mode="w")
        except BaseException as error:
            # the jobs folder deleted (a results/ cleaned) while the upload was read: a FileNotFoundError traceback (a
            # raw H.264 stream's count), "ended before its first frame" of a whole FLV (its copy gone), or "cannot
            # write '.../job.json' ...; restore it (or choose another output)", an output the page has not
            gone = isinstance(error, (OSError, UserError)) and self._folder_gone(folder, identity,
                                                                                   "its input was set up", False)
            shutil.rmtree(folder, ignore_errors=True)
            # a folder made on a full disk (or one out of inodes): Gradio's "Error" and a traceback
            if isinstance(error, OSError) and disk_full(error, folder):
                raise no_space(folder) from None
            if gone:
                raise UserError(gone) from None
            if isinstance(error, OSError) and identity is None:
                # the job's folder not made (the jobs folder made read-only): "the job's folder was deleted while its
                # input was set up; press Run again", which failed again
                raise folder_changed(folder, error, "make") or error from None
            raise
        job = Job(job_id, folder, spec, identity)
        with self.changed:
            if self.stopping:  # Run pressed while the server stops: its run would outlive the server
                shutil.rmtree(folder, ignore_errors=True)
                raise UserError("the server is stopping; start it again, then press Run")
            self.jobs[job_id] = job
            self.waiting.append(job)
            self.changed.notify_all()
        return job

    def _jobs_identity(self):
        """(device, inode, marked) of the jobs folder itself (not a link's target), or None where no folder is there:
        marked, whether it holds app.py's scratch mark (a folder made again may get the deleted one's inode)."""
        identity = folder_identity(self.jobs_folder)
        return identity and (*identity, is_scratch_folder(self.jobs_folder))

    def _folder_gone(self, folder, identity, during="the job ran", spec_written=True):
        """The line of a job (its folder, of folder_identity identity when made) whose folder was deleted or replaced
        during its set-up, its wait or its run (with the jobs folder, as one cleans results/), else None: generate.py's
        "the folder of --output-video 'result.mp4' does not exist; create it or choose another path", a flag the page
        has not, or the finish step's traceback, "please report it". The folder itself, not a link's target, holding
        its job.json once spec_written: one replaced by a link to another folder, or by a new folder (which may get the
        deleted one's inode), was taken for the job's, and the finish step's FileNotFoundError of job.json shown with
        "please report it"."""
        if folder_identity(folder) == identity and (not spec_written or os.path.lexists(job_file(folder))):
            return None
        if self._jobs_identity() != self.jobs_identity:
            what = "replaced" if os.path.lexists(self.jobs_folder) else "deleted"
            return (f"the server's folder '{self.jobs_folder}' was {what} while {during}, with the job's files; "
                    "stop the server and start it again")
        what = "replaced" if os.path.lexists(folder) else "deleted"
        return f"the job's folder was {what} while {during}; press Run again"

    def get(self, job_id):
        return self.jobs.get(job_id)

    def ahead(self, job):
        """Jobs that run before this waiting one: those waiting before it, and the one running."""
        with self.changed:
            running = any(other.state == "running" for other in self.jobs.values())
            return running + (list(self.waiting).index(job) if job in self.waiting else 0)

    def cancel(self, job_id):
        """Stop a job now: a waiting one never runs, a running one's processes are killed; either way its
        folder is deleted before this returns. False if the job had already ended."""
        job = self.jobs.get(job_id)
        if job is None:
            return False
        with self.changed:
            if not job.active:
                return False
            was_waiting = job.state == "waiting"
            job.state, job.ended = "cancelled", time.monotonic()
            if was_waiting:
                self.waiting.remove(job)
            elif job.process is not None:
                try:
                    os.killpg(job.process.pid, signal.SIGKILL)
                except ProcessLookupError:  # between two commands: the last one has ended
                    pass
        if was_waiting:
            self._remove_files(job)
            job.finished.set()
        job.finished.wait()
        return True

    def discard(self, job_id):
        """The page that submitted the job is done with it: cancel it if it is not over, delete its files."""
        job = self.jobs.get(job_id)
        if job is not None and not self.cancel(job_id):
            self._remove_files(job)
            job.state = "expired"

    def stop(self):
        """Cancel every job and take no new one (the server is stopping)."""
        with self.changed:
            self.stopping = True
            stopped = list(self.jobs)
        for job_id in stopped:
            self.cancel(job_id)

    def _remove_files(self, job):
        shutil.rmtree(job.folder, ignore_errors=True)

    def _work(self):
        while True:
            with self.changed:
                self.changed.wait_for(lambda: self.waiting)
                job = self.waiting.popleft()
                job.state, job.started = "running", time.monotonic()
            self._run(job)

    def _sweep(self):
        """A thread of its own: a long job must not hold back the deletion of the ended ones' files."""
        while True:
            time.sleep(SWEEP_SECONDS)
            with self.changed:
                self._expire()

    def _expire(self):
        now = time.monotonic()
        for job in self.jobs.values():
            if job.state == "done" and now - job.ended > self.keep_seconds:
                self._remove_files(job)
                job.state = "expired"

    def commands(self, job):
        """[(phase, command)]: the steps of a job."""
        source, folder = job.spec["input"], job.folder
        steps = [self.python, "-m", "webapp.steps"]
        # spec["flags"]: the page's settings that are generate.py flags, passed on as they are
        flags = [option for flag, value in job.spec["flags"].items() for option in (flag, value)]
        generate = [
            self.python, GENERATE, "--model", job.spec["model"], *flags, "--cache-dir", self.cache_folder,
            "--output-dir",
            os.path.join(folder, "frames"), "--output-name", "sr", "--output-video",
            os.path.join(folder, OUTPUTS["video"])
        ]
        commands = []
        if source["kind"] == "video":
            generate += ["--input-video", source["path"]]
            generate += [
                option for flag, value in (("--start", source["start"]), ("--end", source["end"])) if value
                for option in (flag, value)
            ]
        elif source["kind"] == "frames":
            generate += ["--input-dir-lr", source["path"]]
        else:
            commands.append(("taking the sample's frames", steps + ["prepare", folder]))
            generate += ["--input-dir-hr", os.path.join(folder, "hr"), "--fps", repr(source["fps"])]
        commands.append(("super-resolving", generate))
        commands.append(("making the comparison and the downloads", steps + ["finish", folder]))
        return commands

    def _take_model(self, job):
        """The job's model copied into its folder and checked there, when its turn comes: generate.py and the steps
        read that copy (job.json says so). Its model deleted or replaced while the job waited gets the page's line, not
        generate.py's ("weights file '/srv/weights/mine.h5' does not exist; pass the path of a .h5 model file"); one
        deleted or replaced by another scale while the job ran (generate.py and the finish step each read it) failed
        the job after its frames were made, or gave a comparison at the other scale, with the job done."""
        model, name = job.spec["model"], job.spec.get("model_name", job.spec["model"])
        copy = os.path.join(job.folder, MODEL_COPY)

        def copy_model(temporary):
            try:
                shutil.copyfile(model, temporary)
            except OSError as error:
                # the model's own (unreadable, gone, a FIFO), not the job folder's: write_atomically read a model of
                # mode 0 as "cannot write 'model.h5' (Permission denied): its folder is not writable"
                if error.filename == model or isinstance(error, shutil.SpecialFileError):
                    raise ModelNotCopied(error) from error
                raise

        try:
            write_atomically(copy, copy_model)
        except (OSError, ModelNotCopied) as error:  # gone, a folder, a FIFO, a link to nothing: check_model says which
            check_model(model, name)
            reason = error_reason(error.__cause__ if isinstance(error, ModelNotCopied) else error)
            raise UserError(f"model '{name}' could not be copied for its job ({reason}); press Run again, or choose "
                            "another model")
        # one replaced by another scale: its output checked as the page checks it before a job is queued, not failed by
        # generate.py's line ("--output-video of x4 4100x8 frames gives 16400x32 frames, ...", a flag the page has not)
        scale, degradation = check_model(copy, name)
        degradation = check_degradation(degradation, copy, name, job.spec["input"])
        check_output_size(job.spec["flags"], job.spec["input"], scale)
        # the steps take the scale and degradation read here: the finish step read the model again for each frame
        job.spec = dict(job.spec, model=copy, scale=scale, degradation=degradation)  # a new dict: a spec may be shared
        write_bytes(job_file(job.folder), json.dumps(job.spec), mode="w")

    def _run(self, job):
        failed = False  # the state says so only once the job's files are gone: who sees "failed" finds no folder
        try:
            # its folder replaced by a link while it waited: its model, job.json and outputs were written into the
            # link's target (another job's folder, or anyone's), and the job done
            gone = self._folder_gone(job.folder, job.identity, "the job waited to start")
            if gone:
                raise UserError(gone)
            self._take_model(job)
        except UserError as error:
            # its folder deleted while it waited behind another job (or as its model was copied): "...while the job ran"
            gone = self._folder_gone(job.folder, job.identity, "the job waited to start")
            job.message = gone or str(error).replace(job.folder + os.sep, "")
            failed = True
        except Exception as error:  # raised here, it would end the queue's thread, as Popen's OSError below
            job.message, failed = f"the model could not be read ({error_reason(error)}); please report it", True
        for phase, command in [] if failed else self.commands(job):
            with self.changed:
                if job.state != "running":
                    break
                # counts are generate.py's only
                job.phase, job.counting_since, job.done_frames = phase, None, 0
                try:
                    job.process = subprocess.Popen(command, cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                                   start_new_session=True)
                except OSError as error:  # raised here, it would end the queue's thread: no job would run again
                    job.message = f"the run could not start ({error_reason(error)}); please report it"
                    failed = True
                    break
            lines = read_lines(job.process.stderr, job if GENERATE in command else None)
            code = job.process.wait()
            # asked after each command, not only a failed one: its folder made a link to another job's folder between
            # two commands, the finish step overwrote that job's comparison and downloads, and this job was done
            gone = job.state == "running" and self._folder_gone(job.folder, job.identity)
            if (gone or code != 0) and job.state == "running":
                job.message = gone or failure(lines, code, job.folder, job.spec["input"])
                failed = True
                break
        with self.changed:
            job.ended = job.ended or time.monotonic()
            if job.state == "running" and not failed:
                job.state = "done"
                # read by the job's commands alone: a done job's folder kept it for --keep-minutes, most of the folder
                # (9 MB of a bundled model beside a small clip's results), on the disk the uploads need
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(job.folder, MODEL_COPY))
            else:  # nothing of a stopped or failed job is shown: no partial file is kept
                self._remove_files(job)
                if job.state == "running":
                    job.state = "failed"
        job.finished.set()


def read_lines(stream, job=None):
    """The lines a command writes to stderr (tqdm's updates end in a carriage return); job: who is given the
    frame counts of its progress bar (generate.py's; the steps' bars count other things)."""
    lines, pending = [], b""
    for chunk in iter(lambda: stream.read1(4096), b""):
        pending += chunk
        *complete, pending = re.split(rb"[\r\n]", pending)
        for line in complete:
            text = line.decode(errors="replace").strip()
            counted = TQDM_COUNT.search(text)
            if counted:
                if job:
                    job.count(int(counted[1]), int(counted[2]))
            elif text:
                lines.append(text)
    stream.close()
    return lines + ([pending.decode(errors="replace").strip()] if pending.strip() else [])


CACHE_FLAG = re.compile(r"(?<![\w-])--cache-dir(?![\w-])")
CACHE_ADVICE = ("choose Backend nnabla, or make the ONNX cache a writable folder (app.py keeps it in its --work-dir) "
                "and run again")
# a folder where a file of the cache goes (generate.py's "holds a folder '...' where an ONNX file goes"): the advice
# above did not fit it, the cache being a writable folder already
CACHE_FOLDER_ADVICE = ("choose Backend nnabla, or move that folder out of the ONNX cache (app.py keeps it in its "
                       "--work-dir) and run again")


def failure(lines, code, folder, source=None):
    """The message of a failed command: its UserError line (paths in the job folder made relative, an upload's copy
    and frames by the names the user knows: source, the job's input; generate.py's flags by the page's fields), else
    its last line."""
    errors = [line[len(ERROR_PREFIX):] for line in lines if line.startswith(ERROR_PREFIX)]
    if errors:
        message = page_terms(errors[-1])  # first: the names put in below may hold a flag's letters ('take--end.mkv')
        # before the upload's name is put in: one holding a quote ("it's --cache-dir.mkv") left its flag outside the
        # quotes, and a video cut short was given the ONNX cache's advice
        unquoted = re.sub(r"'[^'\n]*'", "", message)
        about_cache = CACHE_FLAG.search(unquoted)  # not in a quoted name ('a--cache-dir.mp4')
        if source and "name" in source:  # a frame of a zip was 'input/frames/0001.png', a folder on the server
            path = page_terms(source["path"])
            message = message.replace(path + os.sep, "").replace(path, source["name"])
        if about_cache:
            # generate.py's flag, which the server sets (its --work-dir's onnx_cache), and its advice ("choose another
            # path", "pass a writable --cache-dir"), which no field of the page follows
            cause = message.split("; ")[0].replace("--cache-dir '", "the server's ONNX cache '", 1)
            folder_in_the_way = "--cache-dir  holds a folder  where an ONNX file goes" in unquoted  # names taken out
            message = f"{cause}; {CACHE_FOLDER_ADVICE if folder_in_the_way else CACHE_ADVICE}"
        return message.replace(page_terms(folder) + os.sep, "")
    if code == -signal.SIGKILL:  # not Cancel's (a cancelled job reports nothing): the kernel's out-of-memory killer
        return ("the run was killed (SIGKILL: most often the system out of memory); try a shorter clip or a smaller "
                "Output size")
    if code < 0:  # Popen's code of a process ended by a signal
        return f"the run was killed ({signal.strsignal(-code)}); please report it"  # a real-time one has no name
    return f"the run stopped with exit code {code} ({lines[-1] if lines else 'no message'}); please report it"
