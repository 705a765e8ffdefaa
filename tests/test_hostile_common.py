"""Hostile inputs and conditions for Every entry script at once, and the utilities they share: image and video files,
scene cuts, paths, errors. Each ends with one line and exit code 2 (130 for a stop), leaves nothing partial and
overwrites nothing (docs/testing.md)."""
import atexit
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

import pytest

from conftest import REPO_ROOT, top_level_make_environment
from hostile import (CALENDAR, FRAMES, WEIGHTS, assert_one_error_line, ffmpeg_video,
                     run_python_without_root_override, run_script, wait_until_stop_signals_caught)
from utils.errors import UserError, exit_on_user_error


# The first pass of issue 28: the failures it lists

@pytest.mark.parametrize("script", [["train.py"], ["evaluate.py"], ["-m", "authors_scripts.dataPrepare"],
                                    ["generate.py"], ["download_test_data.py"]],
                         ids=lambda script: script[-1])
def test_a_flag_typo_is_one_line_naming_it(script):
    assert_one_error_line(run_script(*script, "--outptu-dir", "x"), "--outptu-dir", "--help")


@pytest.mark.parametrize("script", ["train", "evaluate"])
def test_sigterm_during_start_up_is_one_line_and_130(script):
    """After the libraries are loaded, while the flags are read (before any stop handler of the work
    itself)."""
    process = subprocess.Popen([sys.executable, "-c", f"import signal, os, {script}\n"
                                f"{script}.parse_args = lambda argv: os.kill(os.getpid(), signal.SIGTERM)\n"
                                f"{script}.main([])"],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130 and err.splitlines()[-1] == "interrupted", err


# The second pass

def test_a_user_error_on_another_rank_only_is_printed_after_a_moment(capsys):
    """A rank but 0 that alone meets an error still reports it, once rank 0 had the time to go first."""
    started = time.monotonic()
    with pytest.raises(SystemExit) as exit_info, exit_on_user_error(report_after=0.3):
        raise UserError("only here")
    assert exit_info.value.code == 2 and time.monotonic() - started >= 0.3
    assert capsys.readouterr().err == "error: only here\n"


def test_a_process_knows_how_long_ago_it_started():
    """train.py's ranks but 0 wait that long again before a user error's line: rank 0, slower to import on a
    loaded machine, printed its line after them."""
    code = ("import time; time.sleep(1.5); from utils.distributed import seconds_since_start; "
            "print(seconds_since_start())")
    finished = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
                              check=True)
    assert 1.5 <= float(finished.stdout) < 60
    from utils.distributed import seconds_since_start
    before = seconds_since_start()
    time.sleep(0.3)
    assert 0.25 <= seconds_since_start() - before < 5


# The third pass

@pytest.mark.parametrize("script, flag", [("generate", "--input-dir-lr"), ("generate", "--input-video"),
                                          ("generate", "--output-dir"), ("generate", "--output-video"),
                                          ("generate", "--cache-dir"), ("evaluate", "--scene-cuts"),
                                          ("evaluate", "--lpips-weights"), ("demo", "--video"),
                                          ("demo", "--region"), ("train", "--cfg")])
def test_an_empty_path_or_region_is_one_line_not_the_default_or_nothing(tmp_path, capsys, script, flag):
    """An empty value used to read as the flag left out: generate.py super-resolved and wrote nothing
    (--output-dir ''), the demo ran on its default clip (--video ''), train.py on config.yaml alone (--cfg '')."""
    import importlib

    from conftest import user_error_line
    given = {"generate": {"--model": WEIGHTS, "--input-dir-lr": FRAMES, "--output-dir": str(tmp_path / "out")},
             "evaluate": {"--results": FRAMES, "--targets": FRAMES, "--output": str(tmp_path / "out")},
             "demo": {"--model": WEIGHTS, "--output": str(tmp_path / "out")},
             "train": {"--output_dir": str(tmp_path / "out")}}[script]
    if flag.startswith("--input"):
        del given["--input-dir-lr"]  # the inputs exclude each other
    given[flag] = ""
    line = user_error_line(importlib.import_module(script).main, [text for pair in given.items() for text in pair],
                           capsys)
    assert f"{flag} is empty" in line
    assert os.listdir(tmp_path) == []


# The fifth pass

@pytest.mark.parametrize("script, flags", [
    ("generate.py", ["--model", "{fifo}", "--input-dir-lr", FRAMES]),
    ("evaluate.py", ["--results", CALENDAR, "--targets", CALENDAR, "--output", "{out}", "--lpips-weights", "{fifo}"]),
], ids=["generate --model", "evaluate --lpips-weights"])
def test_weights_given_as_a_pipe_are_one_line_not_a_wait_without_end(tmp_path, script, flags):
    """HDF5 opened the pipe and waited for a writer without end."""
    fifo = tmp_path / "weights.h5"
    os.mkfifo(fifo)
    completed = run_script(script, *[flag.format(fifo=fifo, out=tmp_path / "out") for flag in flags], timeout=60)
    assert_one_error_line(completed, f"'{fifo}' is a pipe or device, not a file")
    assert sorted(os.listdir(tmp_path)) == ["weights.h5"]


def test_two_different_stop_signals_during_a_long_computation_are_one_line_and_130():
    """Ctrl-C then SIGTERM while a C call ran (a network's forward): the first handler set SIG_IGN for the
    second, still pending, and Python printed a traceback ("Signal 15 ignored due to race condition")."""
    script = ("import hashlib\nfrom utils.errors import exit_on_user_error\nwith exit_on_user_error():\n"
              "    print('ready', flush=True)\n"
              "    hashlib.pbkdf2_hmac('sha256', b'x', b'y', 3_000_000)  # signals wait until this C call returns\n")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "ready\n"
    time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130 and err.splitlines() == ["interrupted"], err


@pytest.mark.parametrize("module, reader, name, message", [
    ("utils.image_io", "read_rgb", "0001.png", "cannot read image '{path}': its 3.00 GB do not fit in the memory"),
    # a .pth of another kind was read whole before its first bytes were checked
    ("utils.torch_pickle", "read_pth", "video.pth", "'{path}' is not a usable PyTorch weights file")])
def test_a_file_larger_than_the_memory_allowed_is_one_line(tmp_path, module, reader, name, message):
    """A file of gigabytes (a frame preallocated by a failed copy, a video named .pth) under a memory limit:
    MemoryError traceback."""
    path = tmp_path / name
    with open(path, "wb") as file:
        file.truncate(3 << 30)  # sparse: no disk used
    script = (f"import resource\nfrom utils.errors import exit_on_user_error\nfrom {module} import {reader}\n"
              "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
              f"with exit_on_user_error():\n    {reader}({str(path)!r})\n")
    completed = run_script("-c", script)
    assert_one_error_line(completed, message.format(path=path))


# The sixth pass

def test_a_lock_file_replaced_by_a_pipe_says_so_not_none(tmp_path):
    """A pipe named .tecogan.lock in the output folder: "cannot create the lock file ... (None)"."""
    from utils.paths import LOCK_NAME, lock_folder
    os.mkfifo(tmp_path / LOCK_NAME)
    with pytest.raises(UserError, match=r"\(a pipe or device is in its place\); choose another path"):
        with lock_folder(str(tmp_path), "output folder"):
            pass


def test_an_output_video_named_only_by_its_extension_is_told_to_have_a_name(tmp_path):
    """`--output-video .mp4` was refused as not ending in .mp4."""
    from utils.paths import output_file
    with pytest.raises(UserError, match="has no name before its extension; give a name such as 'video.mp4'"):
        output_file(str(tmp_path / ".mp4"), "--output-video", (".mp4", ".mkv"))


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("script", ["demo.py", "evaluate.py"])
def test_a_stop_signal_while_demo_or_evaluate_imports_its_libraries_is_one_line_and_130(script, signal_number):
    """Killed by the signal's default action (exit code 143 or 129, no line) in the seconds their imports take."""
    process = subprocess.Popen([sys.executable, script, "--help"], cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    wait_until_stop_signals_caught(process.pid)  # the scripts' first line; their imports take seconds after it
    process.send_signal(signal_number)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and err.splitlines() == ["interrupted"], (process.returncode, err)


# The seventh pass

@pytest.mark.parametrize("error, shown", [(EOFError(), "EOFError"), (OSError("a\n  b"), "a b"),
                                          (ValueError("x" * 5000), "x" * 197 + "...")])
def test_an_error_reason_is_one_line_and_never_empty(error, shown):
    """`error or type(error).__name__` showed "()": an exception is true even when its message is empty."""
    from utils.errors import error_reason
    assert error_reason(error) == shown


# while the libraries load
SLOW_NUMPY_IMPORT = """
import builtins, runpy, sys, time
real_import = builtins.__import__
def reporting_import(name, *args, **kwargs):
    if name == "numpy" and "numpy" not in sys.modules:
        print("importing", flush=True)
        # short sleeps: a signal that comes just before a sleep's system call would wait for its end
        for _ in range(600):
            time.sleep(0.1)
    return real_import(name, *args, **kwargs)
builtins.__import__ = reporting_import
kind, script = sys.argv[1:3]
sys.argv = [script, "--help"]
(runpy.run_module if kind == "module" else runpy.run_path)(script, run_name="__main__")
"""


@pytest.mark.parametrize("script", ["train.py", "generate.py", "evaluate.py", "demo.py", "convert_lpips_weights.py",
                                    "convert_tf_vgg19_weights.py", "download_test_data.py",
                                    "authors_scripts.dataPrepare"])
def test_a_stop_signal_while_any_entry_script_imports_its_libraries_is_one_line_and_130(script):
    """The converters, download_test_data.py and dataPrepare were ended by SIGTERM's default action (exit code
    143, no line) while they loaded their libraries."""
    kind = "path" if script.endswith(".py") else "module"
    process = subprocess.Popen([sys.executable, "-c", SLOW_NUMPY_IMPORT, kind, script], cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "importing\n"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and err.splitlines() == ["interrupted"], (process.returncode, err)


@pytest.mark.parametrize("text", ["6.0", "1e1", "6.5"])
def test_a_decimal_for_a_whole_number_flag_is_told_to_be_whole_not_a_number(text):
    """`demo.py --frames 6.0` (and --threads, --tile, --num_resblock): "--frames must be a number, got '6.0'"."""
    import argparse

    from utils.flags import positive
    with pytest.raises(argparse.ArgumentTypeError, match=f"^--frames must be a whole number, got '{text}'$"):
        positive(int, "--frames")(text)
    with pytest.raises(argparse.ArgumentTypeError, match="^--frames must be a number, got 'six'$"):
        positive(int, "--frames")("six")


def test_a_lock_file_replaced_by_a_socket_says_so(tmp_path):
    """A socket named .tecogan.lock in the output folder: "cannot create the lock file ... (No such device or
    address)", where a pipe is called a pipe."""
    import socket

    from utils.paths import LOCK_NAME, lock_folder
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / LOCK_NAME))
        with pytest.raises(UserError, match=r"\(a socket is in its place\); choose another path"):
            with lock_folder(str(tmp_path), "output folder"):
                pass


@pytest.mark.parametrize("name", ["..mp4", "...mkv"])
def test_an_output_video_named_by_dots_and_its_extension_is_told_to_have_a_name(tmp_path, name):
    """`--output-video ..mp4` was refused as not ending in .mp4 (os.path.splitext sees no extension in it)."""
    from utils.paths import output_file
    with pytest.raises(UserError, match="has no name before its extension; give a name such as 'video.mp4'"):
        output_file(str(tmp_path / name), "--output-video", (".mp4", ".mkv"))
    assert output_file(str(tmp_path / "a..mp4"), "--output-video", (".mp4", ".mkv"))


@pytest.mark.parametrize("name", ["z" * 256, "\u00e9" * 128], ids=["256 ASCII letters", "128 two-byte letters"])
def test_an_output_folder_whose_name_the_file_system_refuses_is_one_line_before_any_work(tmp_path, name):
    """train.py's --output_dir and data.cache_dir, download_test_data.py's --output-dir and app.py's --work-dir
    passed the checks, and os.makedirs raised OSError (File name too long): a traceback."""
    from utils.paths import output_folder
    with pytest.raises(UserError, match=r"^--output-dir '.*\.\.\.' holds a folder name of 256 bytes, more than the "
                                        r"255 its file system allows; choose a shorter one$"):
        output_folder(str(tmp_path / "new" / name / "run"), "--output-dir")
    assert os.listdir(tmp_path) == []
    assert output_folder(str(tmp_path / name[:-1]), "--output-dir") == str(tmp_path / name[:-1])


# The eighth pass

@pytest.mark.parametrize("text, said", [("9" * 5000, "has too many digits"), ("-" + "9" * 5000, "has too many digits"),
                                        ("1e400", "must be a whole number")],
                         ids=["5000 digits", "minus 5000 digits", "1e400"])
@pytest.mark.parametrize("script, flag", [("generate.py", "--tile"), ("generate.py", "--num_resblock"),
                                          ("demo.py", "--frames"), ("demo.py", "--threads")])
def test_a_whole_number_past_int_or_float_is_not_called_no_number(capsys, script, flag, text, said):
    """A whole-number flag of 5000 digits (more than int() reads) or 1e400 (past a float): "--tile must be a
    number, got '999...'", of a number."""
    import demo
    import generate
    from conftest import user_error_line
    main = {"generate.py": generate.main, "demo.py": demo.main}[script]
    line = user_error_line(main, [f"{flag}={text}"], capsys)
    assert f"{flag} {said}, got '{text[:37]}" in line, line


@pytest.mark.parametrize("role", ["--output-dir", "--work-dir", "output folder (--output_dir)"])
def test_an_output_folder_path_longer_than_the_file_system_takes_is_one_line_before_any_work(tmp_path, role):
    """Folder names each within 255 bytes, 4500 bytes in all: download_test_data.py and app.py passed the checks and
    os.makedirs raised OSError (File name too long), a traceback, with some of the folders made."""
    from utils.paths import output_folder
    deep = os.path.join(str(tmp_path), *["d" * 250] * 18)
    with pytest.raises(UserError, match=rf"^{re.escape(role)} '.*\.\.\.' is a path of \d+ bytes, too long for the "
                                        r"names written inside it \(4096 at most on its file system\); choose a "
                                        r"shorter one$"):
        output_folder(deep, role)
    assert os.listdir(tmp_path) == []
    shallower = os.path.join(str(tmp_path), *["d" * 250] * 10)
    assert output_folder(shallower, role) == shallower


def test_make_folder_removes_the_folders_it_made_that_stay_empty(tmp_path):
    from contextlib import ExitStack

    from utils.paths import make_folder
    (tmp_path / "kept").mkdir()
    with ExitStack() as claim:
        make_folder(str(tmp_path / "kept" / "a" / "b"), claim)
        make_folder(str(tmp_path / "used" / "c" / "d"), claim)
        (tmp_path / "used" / "c" / "note.txt").write_text("written")
    assert sorted(os.listdir(tmp_path)) == ["kept", "used"]
    assert os.listdir(tmp_path / "kept") == [] and os.listdir(tmp_path / "used" / "c") == ["note.txt"]


# Ninth pass, half A

@pytest.mark.parametrize("full, said", [("stdout", ["error: cannot write to standard output: no space left on its "
                                                    "disk; free some space or send it elsewhere, and run again"]),
                                        ("stderr", [])])
def test_standard_output_or_error_on_a_full_disk_is_one_line_and_exit_code_2(full, said):
    """`generate.py ... > log.txt` on a full disk (here /dev/full): OSError traceback (No space left on device) and
    exit code 1 after the work; evaluate.py's and convert_lpips_weights.py's the same. With standard error there:
    exit code 1."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    with open("/dev/full", "w") as device:
        streams[full] = device
        process = subprocess.run([sys.executable, "convert_lpips_weights.py", "--alexnet", "missing.pth", "--lpips",
                                  "missing.pth", "--output", "x.h5"] if full == "stderr" else
                                 [sys.executable, "-c", "from utils.errors import exit_on_user_error\n"
                                  "with exit_on_user_error():\n    print('wrote 8 frames' * 1000)\n"],
                                 cwd=REPO_ROOT, text=True, timeout=60, **streams)
    other = process.stderr if full == "stdout" else process.stdout
    assert process.returncode == 2 and other.splitlines() == said, other


# Tenth pass, half A

def test_a_command_started_without_standard_error_runs_to_its_end():
    """`evaluate.py ... 2>&-`: Python left sys.stderr None, the progress bar failed on it, and the command ended
    with exit code 1, no report and no word (generate.py and demo.py the same, generate.py leaving its
    temporary video)."""
    with tempfile.TemporaryDirectory() as output:
        process = subprocess.run([sys.executable, "evaluate.py", "--results", CALENDAR, "--targets", CALENDAR,
                                  "--output", output, "--quick"],
                                 cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                                 preexec_fn=lambda: os.close(2))
        assert process.returncode == 0 and "scored 37 frames" in process.stdout, process.stdout
        assert "metrics.md" in os.listdir(output)


@pytest.mark.parametrize("target", ["notes.txt", "nowhere.txt"], ids=["to a file", "to nothing"])
def test_a_lock_file_that_is_a_symbolic_link_is_refused_and_its_target_kept(tmp_path, target):
    """A link named .tecogan.lock in an output folder, to a user's file: the run wrote its pid over that file, exit
    code 0 (generate.py, demo.py, train.py, dataPrepare.py, the downloads); to nothing: the file was made there."""
    from utils.paths import LOCK_NAME, lock_folder
    (tmp_path / "notes.txt").write_text("the user's notes")
    (tmp_path / "out").mkdir()
    os.symlink(os.path.join("..", target), tmp_path / "out" / LOCK_NAME)
    with pytest.raises(UserError, match=rf"^output folder '.*out' holds a symbolic link named {LOCK_NAME}, where a "
                                        r"run's lock file goes; remove the link or choose another path$"):
        with lock_folder(str(tmp_path / "out"), "output folder"):
            pass
    assert sorted(os.listdir(tmp_path)) == ["notes.txt", "out"]
    assert (tmp_path / "notes.txt").read_text() == "the user's notes"


# Eleventh pass, half A

def test_a_lock_whose_folder_became_read_only_is_released_without_a_traceback(tmp_path):
    """An output folder made read-only while a command ran: removing the lock file at the end raised a
    PermissionError traceback over the command's own line. Run without the capability that lets root write
    anywhere, so that the permissions hold; the next run takes the lock file over."""
    folder = tmp_path / "out"
    folder.mkdir()
    script = ("import os\nfrom utils.paths import lock_folder\n"
              f"with lock_folder({str(folder)!r}, 'output folder'):\n    os.chmod({str(folder)!r}, 0o555)\n"
              f"with lock_folder({str(folder)!r}, 'output folder'):\n    print('locked again')\n")
    completed = run_python_without_root_override(script)
    os.chmod(folder, 0o755)
    assert completed.returncode == 0 and completed.stdout == "locked again\n", completed.stderr


def test_a_hard_link_named_like_the_lock_file_is_refused_and_its_file_kept(tmp_path):
    """`.tecogan.lock` in the output folder another name of a user's file (a hard link, beside the tenth pass's
    symbolic link): the run wrote its pid over the file's content, exit code 0."""
    from utils.paths import lock_folder
    notes = tmp_path / "notes.txt"
    notes.write_text("the user's notes")
    (tmp_path / "out").mkdir()
    os.link(notes, tmp_path / "out" / ".tecogan.lock")
    with pytest.raises(UserError, match=r"^output folder '.*out' holds a hard link named \.tecogan\.lock \(another "
                                        r"name of a file\), where a run's lock file goes; remove that name"):
        with lock_folder(str(tmp_path / "out"), "output folder"):
            pass
    assert notes.read_text() == "the user's notes"


@pytest.mark.parametrize("kind", ["stale file", "folder", "pipe"])
def test_an_input_folder_with_a_lock_file_no_run_holds_is_read(tmp_path, kind):
    """The check that an input folder is not being written (not_being_written) takes a lock file a killed run left,
    or a folder or a pipe of that name, for no writer: no wait for a pipe's writer, no IsADirectoryError."""
    from utils.paths import LOCK_NAME, not_being_written
    lock = tmp_path / LOCK_NAME
    {"stale file": lambda: lock.write_text("4194305\n"), "folder": lock.mkdir, "pipe": lambda: os.mkfifo(lock)}[kind]()
    not_being_written(str(tmp_path), "input folder")


# Eleventh pass, half B

def test_a_weights_file_larger_than_the_memory_limit_is_one_line(tmp_path):
    """A weights file of a gigabyte (VGG19's is 550 MB) read under ulimit -v: numpy's MemoryError as a traceback, exit
    code 1 (train.py's --vgg_pre_trained_weights, and every reader of weights). Its chunks are compressed to little
    disk (chunks never written are refused as an incomplete file before they are read)."""
    import h5py
    import resource
    path = tmp_path / "large.h5"
    with h5py.File(path, "w") as weights:
        dataset = weights.create_dataset("vgg19/conv1_1/W", shape=(256, 1024, 1024), dtype="f4",
                                         chunks=(1, 1024, 1024), compression="gzip")
        for chunk in range(len(dataset)):
            dataset[chunk] = 0.5
    script = ("import logging\nlogging.getLogger('nnabla').setLevel(logging.WARNING)\n"
              "from utils.errors import exit_on_user_error\nfrom utils.weights import read_weight_file\n"
              f"with exit_on_user_error():\n    read_weight_file({str(path)!r})\n")

    def limit_memory():  # less than the 1 GiB of the one array alone, whatever the imports take
        resource.setrlimit(resource.RLIMIT_AS, (1000 * 2 ** 20, 1000 * 2 ** 20))
    completed = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                               timeout=60, preexec_fn=limit_memory)
    assert_one_error_line(completed, f"weights file '{path}' does not fit in the memory this process may use; free "
                                     "memory, or raise this process's limit (ulimit -v)")


# Eleventh pass, coordinator

@pytest.mark.parametrize("script, flag", [("generate.py", "--model"), ("evaluate.py", "--results"),
                                          ("train.py", "--cfg")])
def test_a_path_with_a_newline_or_an_escape_is_still_one_error_line(tmp_path, script, flag):
    """A path given with a newline, a carriage return and a terminal's escape character: the error line was printed
    as given, two lines and a cursor command. Now each is written by its code."""
    path = str(tmp_path / "a\nb\rc\x1b[2Jd.h5")
    args = [flag, path]
    if script == "evaluate.py":
        args += ["--targets", str(tmp_path), "--output", str(tmp_path / "report")]
    elif script == "generate.py":
        args += ["--input-dir-lr", str(tmp_path)]
    line = assert_one_error_line(run_script(script, *args), "a\\nb\\rc\\x1b[2Jd")
    assert "\x1b" not in line and "\r" not in line


# Twelfth pass, half A

def test_a_killed_runs_lock_file_in_a_folder_copied_by_hard_links_is_taken_over_in_both(tmp_path):
    """A killed run's `.tecogan.lock` (its pid), then the folder copied by hard links (`cp -al`, rsync --link-dest
    backups): the eleventh pass's refusal of a hard-linked lock file refused every later run into either folder.
    Each name is now replaced by a lock file of its own; the copy's is left as it was."""
    from utils.paths import lock_folder
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / ".tecogan.lock").write_text("999999999\n")
    shutil.copytree(tmp_path / "out", tmp_path / "copy", copy_function=os.link)
    with lock_folder(str(tmp_path / "out"), "output folder"):
        assert (tmp_path / "out" / ".tecogan.lock").read_text() == f"{os.getpid()}\n"
        assert (tmp_path / "copy" / ".tecogan.lock").read_text() == "999999999\n"
    with lock_folder(str(tmp_path / "copy"), "output folder"):
        assert os.stat(tmp_path / "copy" / ".tecogan.lock").st_nlink == 1
    assert not os.listdir(tmp_path / "out") and not os.listdir(tmp_path / "copy")


def test_a_path_with_an_ideographic_space_or_an_emoji_is_shown_as_given(tmp_path):
    """The eleventh pass's escaping of error lines wrote every character str.isprintable refuses by its code, and
    that refuses spaces other than ' ' and joiners: a Japanese folder name's ideographic space came out as
    '\\u3000', an emoji family's joiners as '\\u200d'. A direction override is still written by its code."""
    name = "映像\u3000素材 \u00a0👨\u200d👩\u200d👧\u202e.h5"
    line = assert_one_error_line(run_script("generate.py", "--model", str(tmp_path / name), "--input-dir-lr",
                                            str(tmp_path)), "映像\u3000素材 \u00a0👨\u200d👩\u200d👧\\u202e.h5")
    assert "\u202e" not in line


# Twelfth pass, third look at half A

TAKE_OVER = {  # how a run takes over the lock file a killed run left, after locking it: a moment without its pid
    "in place": "os.ftruncate(lock.fileno(), 0)\nos.write(lock.fileno(), f'{os.getpid()}\\n'.encode())\n",
    "emptied first": "os.ftruncate(lock.fileno(), 0)\ntime.sleep(0.3)\n"
                     "os.write(lock.fileno(), f'{os.getpid()}\\n'.encode())\n",
    "hard link replaced": "os.remove(path)\nnew = open(path, 'w')\nfcntl.flock(new, fcntl.LOCK_EX)\n"
                          "new.write(f'{os.getpid()}\\n')\nnew.flush()\nlock.close()\n",
}


@pytest.mark.parametrize("check", ["lock_folder", "not_being_written"])
@pytest.mark.parametrize("take_over", TAKE_OVER)
def test_a_run_refused_while_another_takes_a_lock_over_names_that_run(tmp_path, take_over, check):
    """Two runs into one folder at once, whose lock file a killed run left (also hard-linked by a `cp -al` copy):
    the one refused in the moment after the other had locked the file and before it wrote its pid named the killed
    run's pid, or 'unknown' (refusals of 10 to 15 rounds of 3 or 4 runs at once). It now names the run that holds
    the lock."""
    from utils import paths
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / paths.LOCK_NAME
    path.write_text(f"{2 ** 22 + 1}\n")  # above Linux's largest process id
    if take_over == "hard link replaced":
        os.link(path, tmp_path / "copy_of_the_lock")
    script = (f"import fcntl, os, time\npath = {str(path)!r}\nlock = open(path, 'r+')\nfcntl.flock(lock, fcntl.LOCK_EX)\n"
              f"print('locked', flush=True)\ntime.sleep(0.3)\n{TAKE_OVER[take_over]}time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(UserError, match=rf"'{folder}' is (in use|being written) by another run \(pid {holder.pid}\)"):
            if check == "lock_folder":
                with paths.lock_folder(str(folder), "output folder"):
                    pass
            else:
                paths.not_being_written(str(folder), "input folder")
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root (CAP_MKNOD)")
def test_a_device_node_named_like_the_lock_file_is_refused_and_kept(tmp_path):
    """A character device (mknod) named .tecogan.lock in an output folder: taken as the lock file (locked, its
    pid written to the device) and removed at the end, exit code 0; a pipe or a socket there is refused."""
    from utils.paths import LOCK_NAME, lock_folder
    device = tmp_path / LOCK_NAME
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null
    with pytest.raises(UserError, match=r"\(a pipe or device is in its place\); choose another path"):
        with lock_folder(str(tmp_path), "output folder"):
            pass
    assert stat.S_ISCHR(os.lstat(device).st_mode)


# Twelfth pass, new kinds

@pytest.mark.parametrize("benchmark, flags, said", [
    ("bench_generate", ["--frames", "0"], "--frames must be a positive"),
    ("bench_generate", ["--frames-dir", "/proc/no-such-folder"], "'/proc/no-such-folder' does not exist"),
    ("bench_tiles", ["--sizes", "0x0"], "each side must be from 1"),
    ("bench_tiles", ["--sizes", "nanxinf"], "is not WIDTHxHEIGHT"),
    ("bench_lr_grid", ["--frames", "0"], "--frames must be a positive"),
    ("bench_lr_grid", ["--clip", "/tmp"], "--clip '/tmp' is a folder"),
    ("bench_scene_cuts", ["--frames", "-3"], "--frames must be a positive"),
    ("bench_window_memory", ["--networks", "nosuch"], "invalid choice: 'nosuch'"),
    ("bench_train", ["--frames-dir", "/proc/no-such-folder", "--stages", "frvsr", "--processes", "1"],
     "'/proc/no-such-folder' does not exist"),
    ("bench_generate_mpi", ["--shots", "0"], "--shots must be a positive"),
    ("bench_precision", ["--lr-size", "0x0"], "each side must be from 1"),
    ("bench_generate", ["--frames", "2", "--nosuchflag"], "unknown flag --nosuchflag"),
], ids=lambda value: value if isinstance(value, str) and value.startswith("bench") else None)
def test_a_benchmark_flag_of_a_bad_value_is_one_line_and_exit_code_2(benchmark, flags, said):
    """Zero, negative, malformed or missing values: tracebacks (UserError uncaught, IndexError, OpenCV's
    assertion, KeyError, NNabla's convolution check), argparse's usage lines, or a run of nonsense (a negative
    --frames took all frames but the last)."""
    completed = run_script("-m", f"benchmarks.{benchmark}", *flags, timeout=300)
    assert_one_error_line(completed, said)


def test_a_flag_of_hundreds_of_digits_is_one_line_not_an_overflow():
    """generate.py --threads of 400 digits: utils/flags.positive asked math.isfinite, which turns the int into a
    float: OverflowError and a traceback (found through the benchmarks' --frames)."""
    assert_one_error_line(run_script("generate.py", "--threads", "9" * 400, "--input-dir-lr", FRAMES),
                          "--threads must be a positive finite number at most")


def generate_children_under(folder):
    """Pids of the running generate.py processes whose command line names a path under folder."""
    pids = []
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{name}/cmdline", "rb") as cmdline:
                words = cmdline.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if any(word.endswith("generate.py") for word in words) and any(folder in word for word in words):
            pids.append(int(name))
    return pids


def bench_tiles_meeting_its_generate_run(scratch, act):
    """Run bench_tiles with its temporary folder in scratch; once its generate.py runs, act(the benchmark's process,
    generate.py's pids); return the benchmark's exit code and stderr."""
    scratch.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "benchmarks.bench_tiles", "--sizes", "64x36", "--frames", "2",
                                "--modes", "tiled", "--backend", "nnabla"], cwd=REPO_ROOT,
                               env=dict(os.environ, TMPDIR=str(scratch)), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not generate_children_under(str(scratch)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert generate_children_under(str(scratch)), "generate.py did not start"
        act(process, generate_children_under(str(scratch)))
        _, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    return process.returncode, stderr


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT to it alone"])
def test_a_benchmark_stopped_mid_run_stops_its_generate_run_and_leaves_no_temporary_folder(tmp_path, stop):
    """A benchmark stopped while generate.py ran for it: SIGTERM ended it at once, leaving its temporary folder
    (a 12 MB random model, frames) and generate.py running on by itself; SIGINT to it alone (not to its terminal's
    group) gave a traceback and left generate.py running. Now one line, exit code 130, no process and no folder
    left."""
    scratch = tmp_path / "tmp"
    returncode, stderr = bench_tiles_meeting_its_generate_run(scratch, lambda process, _: process.send_signal(stop))
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert returncode == 130 and lines == ["interrupted"], stderr
    deadline = time.monotonic() + 10
    while generate_children_under(str(scratch)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert generate_children_under(str(scratch)) == []
    assert os.listdir(scratch) == []


def clean_venv(venv_setting):
    """`make clean-venv VENV=...` in the repository, as a user runs it (a top-level make)."""
    return subprocess.run(["make", "--no-print-directory", "-C", REPO_ROOT, "clean-venv", venv_setting],
                          capture_output=True, text=True, timeout=60, env=top_level_make_environment())


@pytest.mark.parametrize("folder", ["a folder of the user's", "a virtual environment"])
def test_make_clean_venv_removes_only_a_virtual_environment(tmp_path, folder):
    """`make clean-venv VENV=<a folder>` (VENV is a variable make's command line sets) ran `rm -rf` on any folder:
    a user's folder named by mistake was deleted, exit code 0."""
    target = tmp_path / "data"
    target.mkdir()
    (target / ("pyvenv.cfg" if folder == "a virtual environment" else "thesis.tex")).write_text("kept?")
    completed = clean_venv(f"VENV={target}")
    if folder == "a virtual environment":
        assert completed.returncode == 0 and not target.exists(), completed.stderr
    else:
        lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
        assert completed.returncode == 2 and len(lines) == 1 and "is not a virtual environment" in lines[0], \
            completed.stderr
        assert (target / "thesis.tex").read_text() == "kept?"


def test_the_gpu_check_refuses_a_work_folder_of_the_users_it_would_empty(tmp_path):
    """GPU_CHECK_DIR naming a folder of the user's: on a machine with a GPU the check began with `rm -rf` on it.
    Now refused in one line before anything else (here, without a GPU, before the GPU is looked for)."""
    (tmp_path / "results.csv").write_text("the user's")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "benchmarks", "gpu_check.sh")], capture_output=True,
                               text=True, timeout=60, env=dict(os.environ, GPU_CHECK_DIR=str(tmp_path)))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and "GPU_CHECK_DIR" in lines[0], completed.stderr
    assert os.listdir(tmp_path) == ["results.csv"]


def test_a_set_up_stopped_before_pip_was_in_the_venv_is_completed_by_the_next(tmp_path):
    """Ctrl-C (SIGTERM to make's group) while `python -m venv` installed pip leaves a .venv whose Python runs
    without pip: every later `make` failed with "No module named pip", exit code 1. Staged with --without-pip,
    and requirement files of nothing to install."""
    venv = tmp_path / ".venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "--version"], capture_output=True).returncode == 0


def test_make_clean_venv_of_a_name_with_a_space_removes_that_venv_and_nothing_beside_it(tmp_path):
    """VENV='.../my venv': the unquoted `rm -rf $(VENV)` removed the folder '.../my' (the user's) and 'venv' in the
    repository, and left the virtual environment."""
    venv, beside = tmp_path / "my venv", tmp_path / "my"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    beside.mkdir()
    (beside / "notes.txt").write_text("kept?")
    completed = clean_venv(f"VENV={venv}")
    assert completed.returncode == 0, completed.stderr
    assert not venv.exists() and (beside / "notes.txt").read_text() == "kept?"


# Twelfth pass, second look at the new kinds

def test_make_clean_venv_of_a_link_named_with_a_trailing_slash_removes_the_link_not_the_venv_it_leads_to(tmp_path):
    """VENV='.venv/' (as a shell's completion writes it) for a .venv that is a link to a shared virtual environment
    (as the worktrees of this project make): `rm -rf ".venv/"` emptied the shared one and kept the link, exit code 0;
    without the slash only the link goes."""
    shared = tmp_path / "shared venv"
    shared.mkdir()
    (shared / "pyvenv.cfg").write_text("home = /usr/bin\n")
    link = tmp_path / ".venv"
    link.symlink_to(shared)
    completed = clean_venv(f"VENV={link}//")
    assert completed.returncode == 0, completed.stderr
    assert not os.path.lexists(link) and os.listdir(shared) == ["pyvenv.cfg"]


@pytest.mark.parametrize("benchmark, flags, said", [
    ("bench_tiles", ["--sizes", "32x32", "--frames", "1", "--modes", "tilde"], "invalid choice: 'tilde'"),
    ("bench_tiles", ["--sizes", "32x32", "--frames", "1", "--modes", "x2"], "--modes 'x2' runs at none of the --sizes"),
    ("bench_generate_mpi", ["--model", "/nonexistent.h5", "--shots", "1", "--frames", "1", "--ranks", "1"],
     "weights file '/nonexistent.h5' does not exist"),
    ("bench_precision", ["--frames", "5"], "--frames must be a positive finite number at least 6"),
    ("bench_precision", ["--lr-size", "11x40", "--precisions", "bf16"], "give at least 12 pixels a side"),
    ("bench_loader", ["--frames", "9"], "--frames must be a positive finite number at least 10"),
    ("bench_lr_grid", ["--frames", "4"], "--frames must be a positive finite number at least 5"),
], ids=["bench_tiles mode unknown", "bench_tiles mode of no size given", "bench_generate_mpi model missing",
        "bench_precision too few frames to score", "bench_precision LR too small to score",
        "bench_loader scenes shorter than a sample", "bench_lr_grid too few frames to score"])
def test_a_benchmark_flag_the_first_look_left_unchecked_is_one_line_and_exit_code_2(benchmark, flags, said):
    """bench_tiles --modes of a name it has not, or of a mode that runs at none of the sizes given: an empty table,
    exit code 0. bench_generate_mpi --model missing: generate.py's lines after the joined video was made, exit
    code 1. bench_precision --frames under 6 scored no pair of frames and bench_lr_grid's under 5 no frame (NaN
    figures, numpy's warnings); bench_precision's --lr-size under 12 no pixel (after the runs, a ValueError from the
    SSIM). bench_loader --frames under a sample's 10: a line about data.max_frm and train.rnn_n, settings this
    benchmark has no flag for."""
    assert_one_error_line(run_script("-m", f"benchmarks.{benchmark}", *flags, timeout=300), said)


def test_a_benchmark_stopped_while_its_libraries_load_says_interrupted_and_exits_130():
    """SIGTERM while a benchmark imported OpenCV and NNabla (a second or two): it ended by the signal, exit code 143
    and no line, where the entry scripts say "interrupted" and exit with 130."""
    process = subprocess.Popen([sys.executable, "-m", "benchmarks.bench_tiles", "--sizes", "32x32", "--frames", "1"],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # OpenCV's library loaded: NNabla's import is still to come
            with open(f"/proc/{process.pid}/maps") as maps:
                if "cv2" in maps.read():
                    break
            time.sleep(0.01)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130 and stderr.split() == ["interrupted"], (process.returncode, stderr)


# Thirteenth pass, second look at the twelfth pass's half A, and the demo-model recipes

def bind_mounted(source, target):
    """mount --bind source over target, or skip the test where this process may not mount (no CAP_SYS_ADMIN)."""
    completed = subprocess.run(["mount", "--bind", str(source), str(target)], capture_output=True)
    if completed.returncode:
        pytest.skip(f"cannot bind-mount here: {completed.stderr.decode(errors='replace').strip()}")


def test_a_users_file_bind_mounted_as_the_lock_file_is_refused_and_kept(tmp_path):
    """A user's file mounted over an output folder's .tecogan.lock (mount --bind, a container's volume of one file):
    taken as a killed run's lock file, its content replaced by the run's pid, exit code 0 (its name could not even
    be removed at the end). A folder mounted as the output folder is still locked as any other."""
    from utils.paths import LOCK_NAME, lock_folder
    users_file, output, source, mounted_folder = (tmp_path / name for name in ("notes.txt", "out", "source", "mounted"))
    users_file.write_text("a user's notes\n")
    for folder in (output, source, mounted_folder):
        folder.mkdir()
    (output / LOCK_NAME).touch()
    bind_mounted(users_file, output / LOCK_NAME)
    try:
        with pytest.raises(UserError, match=f"^output folder '{output}' holds a file mounted at {LOCK_NAME} "):
            with lock_folder(str(output), "output folder"):
                pass
    finally:
        subprocess.run(["umount", str(output / LOCK_NAME)], check=True)
    assert users_file.read_text() == "a user's notes\n"
    bind_mounted(source, mounted_folder)
    try:
        with lock_folder(str(mounted_folder), "output folder"):
            assert (source / LOCK_NAME).is_file()
    finally:
        subprocess.run(["umount", str(mounted_folder)], check=True)


def assert_shown_by_its_code_in_a_cuts_line_and_a_name(tmp_path, line):
    """A cuts file of one line, `line`, is refused naming it with its invisible characters by their codes, as a name
    holding it is written."""
    from utils.errors import printable
    from utils.scenes import read_cuts_file
    cuts = tmp_path / "cuts.txt"
    cuts.write_text(f"{line}\n", encoding="utf-8")
    with pytest.raises(UserError) as error:
        read_cuts_file(str(cuts), 6)
    assert f"line 1: {ascii(line)} is not a frame number" in str(error.value)
    assert printable(f"x{line}.h5") == f"x{ascii(line)[1:-1]}.h5"


@pytest.mark.parametrize("line", ["3\u200d", "\u200c", "3\u034f", "3\u3164", "\u115f", "3\uffa0"],
                         ids=["joiner after a digit", "joiner alone", "grapheme joiner", "Hangul filler",
                              "Hangul choseong filler", "halfwidth Hangul filler"])
def test_a_cuts_line_ending_in_a_character_drawn_as_nothing_shows_it_by_its_code(tmp_path, line):
    """A joiner joining nothing and the letters drawn as nothing were shown as themselves: "3" and U+200D was refused
    as "'3' is not a frame number", which reads as a good line. A joiner in an emoji family or a Persian word is
    still shown as it is (test_a_path_with_an_ideographic_space_or_an_emoji_is_shown_as_given)."""
    from utils.errors import printable
    assert_shown_by_its_code_in_a_cuts_line_and_a_name(tmp_path, line)
    assert printable("می\u200cخواهم.h5") == "می\u200cخواهم.h5"


# Thirteenth pass, second look at the twelfth pass's new kinds and the web app

def picture_named_as_a_video(folder):
    import cv2
    import numpy as np
    path = os.path.join(folder, "picture.mp4")
    cv2.imwrite(os.path.join(folder, "picture.png"), np.zeros((64, 64, 3), np.uint8))
    os.rename(os.path.join(folder, "picture.png"), path)
    return path


@pytest.mark.parametrize("benchmark, clip, said", [
    ("bench_lr_grid", lambda folder: ffmpeg_video(os.path.join(folder, "one.mp4"), frames=1, size="64x48"),
     "has 1 frame(s), fewer than the 5"),
    ("bench_lr_grid", lambda folder: ffmpeg_video(os.path.join(folder, "tiny.mp4"), frames=8, size="16x16"),
     "is 16x16, too small for the evaluation crop"),
    ("bench_precision", lambda folder: ffmpeg_video(os.path.join(folder, "one.mp4"), frames=1, size="64x48"),
     "has 1 frame(s), fewer than the 6"),
    ("bench_lr_grid", picture_named_as_a_video, "is a picture (PNG or JPEG), not a video; give a video file"),
], ids=["bench_lr_grid a 1-frame clip", "bench_lr_grid a 16x16 clip", "bench_precision a 1-frame clip",
        "bench_lr_grid a PNG named .mp4"])
def test_a_benchmark_clip_too_short_or_too_small_to_score_or_no_video_is_one_line_and_exit_code_2(
        tmp_path, benchmark, clip, said):
    """--frames is checked where parsed, the clip itself was not: a 1-frame clip printed NaN figures under numpy's
    warnings, exit code 0; a 16x16 clip NaN figures (bench_lr_grid) or a ValueError from the SSIM after the runs
    (bench_precision); a picture named .mp4 advised `--input-dir-lr`, a flag no benchmark has."""
    completed = run_script("-m", f"benchmarks.{benchmark}", "--clip", clip(str(tmp_path)), "--frames", "6",
                           timeout=300)
    line = assert_one_error_line(completed, said)
    assert "--input-dir-lr" not in line


def test_a_benchmark_whose_child_is_killed_without_a_word_says_so_in_one_line(tmp_path):
    """generate.py killed by SIGKILL (the out-of-memory killer's) before it wrote a line: the benchmark took the last
    line of its empty stderr, an IndexError and a traceback."""
    returncode, stderr = bench_tiles_meeting_its_generate_run(
        tmp_path / "tmp", lambda _, pids: [os.kill(pid, signal.SIGKILL) for pid in pids])
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert returncode == 1 and len(lines) == 1 and "killed by SIGKILL" in lines[0], stderr


def test_a_training_benchmark_of_more_processes_than_mpirun_has_slots_says_so():
    """bench_train --processes of more than the machine's cores: mpirun refuses with a box of text ending in a NUL,
    and the benchmark said "train.py failed: " and that NUL."""
    completed = run_script("-m", "benchmarks.bench_train", "--stages", "frvsr", "--iterations", "1",
                           "--processes", str(os.cpu_count() + 1), timeout=300)
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert completed.returncode == 1 and len(lines) == 1 and "fewer slots" in lines[0], completed.stderr


@pytest.mark.parametrize("zero", ["0", "00", "-0", " 0 "])
def test_a_benchmark_count_that_may_be_0_takes_every_spelling_of_0(zero):
    """--large-frames 0 skips bench_generate's large size; `00` and `-0` were refused as "must be a positive
    finite number"."""
    from benchmarks.harness import count
    assert count("--large-frames", zero=True)(zero) == 0


def test_a_benchmark_size_opencv_cannot_read_back_is_one_line_and_exit_code_2():
    """bench_tiles --sizes 100000x100000 (each side within the bound) asked OpenCV's resize for 30 GB: its error, a
    traceback, or the out-of-memory killer."""
    assert_one_error_line(run_script("-m", "benchmarks.bench_tiles", "--sizes", "100000x100000", "--frames", "1",
                                     "--modes", "tiled", timeout=300),
                          "is more than the 1073741824 pixels a frame OpenCV reads")


def test_a_loop_too_fast_to_time_gives_no_figure_but_one_line():
    """bench_tiles --sizes 1x1: generate.py's loop, under its 0.05 s resolution, read as 0.0 s, a ZeroDivisionError.
    Given generate.py's line itself: how long a 1x1 loop takes depends on the machine's load."""
    from benchmarks.harness import loop_seconds
    with pytest.raises(UserError, match="under 0.05 s, the resolution of its timing"):
        loop_seconds("wrote 1 frames to /tmp/out in 0.0 s (0.0 s per frame, warm-up included)\n")


def test_the_gpu_check_takes_a_relative_work_folder_from_where_it_is_run(tmp_path):
    """GPU_CHECK_DIR=mine, run from the folder holding the user's `mine`: the script moved into the repository first,
    so its check looked at (and on a GPU machine its logs went to) the repository's `mine`, and the user's folder of
    files was not refused."""
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "results.csv").write_text("the user's")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "benchmarks", "gpu_check.sh")], capture_output=True,
                               text=True, timeout=60, cwd=tmp_path, env=dict(os.environ, GPU_CHECK_DIR="mine"))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert f"GPU_CHECK_DIR '{tmp_path / 'mine'}' holds files" in lines[0], completed.stderr
    assert os.listdir(tmp_path / "mine") == ["results.csv"]


@pytest.mark.parametrize("suffix", ["/.", "/bin/..", "/./"])
def test_make_clean_venv_of_a_venv_named_through_dot_or_dot_dot_is_one_line_and_kept(tmp_path, suffix):
    """VENV=<a venv>/. (or bin/..): its pyvenv.cfg was found through the name, then `rm -rf` skipped it with a line
    of its own ("refusing to remove '.' or '..' directory") and make's "Error 1"; now one line of ours, exit code 2."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    completed = clean_venv(f"VENV={venv}{suffix}")
    lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
    assert completed.returncode == 2 and len(lines) == 1 and "ends in . or .." in lines[0], completed.stderr
    assert (venv / "pyvenv.cfg").exists()


@pytest.mark.parametrize("goal", ["setup", "demo", "test"])
def test_make_set_up_with_a_venv_name_of_a_space_is_one_line_and_leaves_the_users_folder_alone(tmp_path, goal):
    """VENV='.../my venv' for a set-up: make split the name, made a virtual environment of the user's folder '.../my'
    (bin, lib, pyvenv.cfg beside the user's files, so that `make clean-venv VENV=.../my` would then delete them all)
    and asked pip for a requirements file 'venv'."""
    mine = tmp_path / "my"
    mine.mkdir()
    (mine / "notes.txt").write_text("kept?")
    completed = subprocess.run(["make", "--no-print-directory", "-C", REPO_ROOT, goal, f"VENV={tmp_path}/my venv"],
                               capture_output=True, text=True, timeout=120, env=top_level_make_environment())
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and "is not one word" in lines[0], completed.stderr
    assert os.listdir(mine) == ["notes.txt"] and not (tmp_path / "my venv").exists()


def test_the_set_up_of_a_venv_named_as_a_file_is_one_line_and_keeps_the_file(tmp_path):
    """VENV naming a file: `python -m venv` said "creating ..." then "Error: Unable to create directory", exit code
    1."""
    (tmp_path / "notes.txt").write_text("kept?")
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(tmp_path / "notes.txt"),
                                str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=120)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and "is a file, not a folder" in lines[0], completed.stderr
    assert (tmp_path / "notes.txt").read_text() == "kept?"


@pytest.mark.parametrize("benchmark, flags, said", [
    ("bench_scene_cuts", ["--frames", "300"],
     "--frames 300 is more than the 250 frames of bikes.mp4; give at most 132"),
    ("bench_generate_mpi", ["--shots", "20", "--frames", "15", "--ranks", "1"],
     "--shots 20 of --frames 15 take 135 frames of bigbuckbunny.mp4, which has 132"),
], ids=["bench_scene_cuts past a clip's end", "bench_generate_mpi past a clip's end"])
def test_a_benchmark_asking_more_frames_than_its_sample_clips_hold_is_one_line_and_exit_code_2(benchmark, flags, said):
    """bench_scene_cuts --frames past bikes.mp4's 250 frames put the cut elsewhere than the "separate" run began (its
    figures compared the wrong frames, exit code 0); bench_generate_mpi's later shots past bigbuckbunny.mp4's end were
    shorter than said, or empty, and the table labelled them as asked."""
    assert_one_error_line(run_script("-m", f"benchmarks.{benchmark}", *flags, timeout=300), said)


def test_the_training_benchmark_on_cudnn_without_a_gpu_is_one_line_and_exit_code_2():
    """bench_train --context cudnn where NNabla's CUDA extension is missing: the scenes were made, then train.py
    refused, and the benchmark said "train.py failed: error: ...", exit code 1."""
    from utils.context import cuda_device_count
    if cuda_device_count():
        pytest.skip("this machine has a GPU")
    assert_one_error_line(run_script("-m", "benchmarks.bench_train", "--context", "cudnn", "--stages", "frvsr",
                                     "--processes", "1", "--iterations", "1", timeout=300), "context 'cudnn' asked for")


# Thirteenth pass, second look at the thirteenth pass's new-kinds fixes

@pytest.mark.parametrize("goal, name", [
    ("setup", "{tmp}/my*"), ("setup", "{tmp}/a%b"), ("setup", "{tmp}/a:b"), ("setup", "{tmp}/a'b"), ("setup", "#b"),
    ("test", "{tmp}/a(b"), ("setup", "{tmp}/a$$b"), ("setup", "{tmp}/a\\b"), ("clean-venv", "{tmp}/a:b"),
], ids=["setup glob", "setup percent", "setup colon", "setup quote", "setup hash first", "test paren", "setup dollar",
        "setup backslash", "clean-venv colon"])
def test_make_with_a_venv_name_of_a_character_make_or_the_shell_reads_is_one_line_and_touches_nothing(
        tmp_path, goal, name):
    """The set-up's commands take VENV unquoted: `my*` was globbed to the user's folder `mydata`, which was made a
    venv; `a%b` made its rule a pattern, nothing done and exit code 0; `a:b` and `a'b` were make's or the shell's own
    errors, `#b` a comment (make_venv.sh without arguments), `a$$b` and `a\\b` the venvs `a` and `ab`. clean-venv quotes
    it, but a `:` broke make's rules (make's own line)."""
    mine = tmp_path / "mydata"
    mine.mkdir()
    (mine / "notes.txt").write_text("kept?")
    completed = subprocess.run(["make", "-n", "--no-print-directory", "-C", REPO_ROOT, goal,
                                "VENV=" + name.replace("{tmp}", str(tmp_path))], capture_output=True, text=True,
                               timeout=120, env=top_level_make_environment())
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and "which make or the shell reads" in lines[0], completed
    assert not completed.stdout and os.listdir(mine) == ["notes.txt"]


@pytest.mark.parametrize("name", ['a"b', "a`b", "a$$b", "a\\b", "a\\\\b", "a'b"])
def test_make_clean_venv_of_a_name_the_shell_reads_in_double_quotes_removes_that_venv_and_no_other(tmp_path, name):
    r"""`venv="$(VENV)"`: `a$$b` (a$b) removed the venv `a` beside it, `a\\b` the venv `a\b`; `a"b` and `a`b`
    were the shell's syntax errors (the venv kept); `a'b` removed it after a syntax error's line."""
    named = name.replace("$$", "$")  # make's $$; a backslash is itself to make
    for venv in (named, "a", "a\\b"):
        (tmp_path / venv).mkdir(exist_ok=True)
        (tmp_path / venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    completed = clean_venv(f"VENV={tmp_path}/{name}")
    assert completed.returncode == 0 and not completed.stderr, completed
    assert sorted(os.listdir(tmp_path)) == sorted({"a", "a\\b"} - {named}), completed


@pytest.mark.parametrize("name", ["v-1.2_x+y@z~", "a=b", "a,b", "é", "a#b"])
def test_make_takes_a_venv_name_of_other_ordinary_characters(tmp_path, name):
    """The refusal above is of the characters make or the shell reads, not of every character but letters."""
    completed = subprocess.run(["make", "-n", "--no-print-directory", "-C", REPO_ROOT, "setup",
                                f"VENV={tmp_path}/{name}"], capture_output=True, text=True, timeout=120,
                               env=top_level_make_environment())
    assert completed.returncode == 0 and f"make_venv.sh {tmp_path}/{name} " in completed.stdout, completed


@pytest.mark.parametrize("place", ["under a file", "a link to nothing"])
def test_the_set_up_of_a_venv_under_a_file_or_at_a_link_to_nothing_is_one_line(tmp_path, place):
    """VENV=<a file>/venv or a dangling link: "creating ..." then venv's "Error: [Errno 20] Not a directory" (or
    "[Errno 17] File exists"), exit code 1 (a file itself was refused in one line)."""
    (tmp_path / "notes.txt").write_text("kept?")
    venv = tmp_path / "notes.txt" / "venv"
    if place == "a link to nothing":
        venv = tmp_path / "venv"
        venv.symlink_to(tmp_path / "gone")
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=120)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and str(venv) in lines[0], completed
    assert not completed.stdout and (tmp_path / "notes.txt").read_text() == "kept?"


@pytest.mark.parametrize("name", ["my logs", "a|b", "a'b"])
def test_the_gpu_check_of_a_work_folder_its_commands_would_split_is_one_line(tmp_path, name):
    """The steps' commands take GPU_CHECK_DIR unquoted (bash -c, fields split at |): on a GPU machine '.../my logs'
    gave train.py '.../my' and 'logs/scenes', every step failed; without a GPU its line was only "no GPU"."""
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "benchmarks", "gpu_check.sh")], capture_output=True,
                               text=True, timeout=60, env=dict(os.environ, GPU_CHECK_DIR=str(tmp_path / name)))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and "a character the shell reads" in lines[0], completed
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("benchmark", ["bench_lr_grid", "bench_precision"])
def test_a_benchmark_clip_too_small_to_score_is_named_by_its_own_size(tmp_path, benchmark):
    """A 52x47 clip was said to be "52x44" (its size cut to whole LR pixels) beside "give a clip of at least 48"."""
    clip = ffmpeg_video(str(tmp_path / "clip.mp4"), frames=8, size="52x47")
    extra = ["--precisions", "fp16"] if benchmark == "bench_precision" else []
    assert_one_error_line(run_script("-m", f"benchmarks.{benchmark}", "--clip", clip, "--frames", "6", *extra,
                                     timeout=300), "is 52x47, too small for the evaluation crop")


def test_a_benchmark_reads_generates_loop_seconds_from_its_lines_end_whatever_its_output_folder_holds(tmp_path):
    """The output folder is under TMPDIR: one named 'bin 9 s' (" in 9 s") gave the benchmark 9 s for a loop of
    0.4 s, a wrong figure and exit code 0."""
    from benchmarks.harness import loop_seconds
    assert loop_seconds("wrote 3 frames to /tmp/bin 9 s/out in 0.4 s (0.13 s per frame, warm-up included)\n") == 0.4


# Thirteenth pass, second look at the thirteenth pass's half A fixes

def flag_of(region):
    """A region's flag emoji: the black flag, the region's letters as tag characters, the cancel tag."""
    return "\U0001f3f4" + "".join(chr(0xE0000 + ord(letter)) for letter in region) + "\U000e007f"


@pytest.mark.parametrize("line", ["3\ufe0f", "\ufe0f", "3\U000e0100", "3\u180b", "3\u17b4", "3\U000e0067\U000e007f"],
                         ids=["variation selector after a digit", "variation selector alone", "ideographic selector",
                              "Mongolian selector", "Khmer inherent vowel", "tags outside a flag"])
def test_a_cuts_line_ending_in_a_selector_or_tag_drawn_as_nothing_shows_it_by_its_code(tmp_path, line):
    """A variation selector that selects nothing, Khmer's inherent vowels and tag characters outside a flag are drawn
    as nothing: "3" and U+FE0F was refused as "'3' is not a frame number", which reads as a good line."""
    assert_shown_by_its_code_in_a_cuts_line_and_a_name(tmp_path, line)


@pytest.mark.parametrize("name", [flag_of("gbeng"), flag_of("gbsct") + " trip", "1\ufe0f\u20e3", "#\ufe0f\u20e3",
                                  "\u2764\ufe0f", "\U0001f3f3\ufe0f\u200d\U0001f308", "\u845b\U000e0100", "\u00a9\ufe0f",
                                  "\u1820\u180b", "\uae40\ubbfc\uc900", "\u0915\u094d\u200d\u0937"],
                         ids=["England's flag", "Scotland's flag", "keycap one", "keycap #", "red heart",
                              "rainbow flag", "ideographic variant", "copyright emoji", "Mongolian variant",
                              "Korean name", "Devanagari half form"])
def test_a_name_of_emoji_sequences_and_variants_is_shown_as_itself(name):
    """A region's flag (tag characters after the black flag) was shown by its codes; the selectors of emoji and
    ideographs, and the joiners of emoji and Indic scripts, are part of how a name is drawn."""
    from utils.errors import printable, shown_plainly
    assert printable(f"{name}.mp4") == f"{name}.mp4"
    assert shown_plainly(name)


# Thirteenth pass, third look at the thirteenth pass's make and benchmark fixes

@pytest.mark.parametrize("goal, name", [("setup", "~"), ("demo", "~/venv"), ("clean-venv", "~/venv"),
                                        ("setup", "{tmp}/venv\n"), ("test", "{tmp}/venv ")],
                         ids=["setup home", "demo home venv", "clean-venv home venv", "setup trailing newline",
                              "test trailing space"])
def test_make_with_a_venv_name_beginning_with_a_tilde_or_ending_in_whitespace_is_one_line(tmp_path, goal, name):
    """`VENV='~'` made the user's home folder a venv (the set-up's command took ~ as the home folder), while the Python
    check and clean-venv read it as a folder named ~ (`clean-venv VENV='~/venv'` said it removed it, exit code 0, and
    kept it). A newline ending the name ($(shell)'s line) was one word to make but split the set-up's command line."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("kept?")
    environment = dict(top_level_make_environment(), HOME=str(home))
    completed = subprocess.run(["make", "-n", "--no-print-directory", "-C", REPO_ROOT, goal,
                                "VENV=" + name.replace("{tmp}", str(tmp_path))], capture_output=True, text=True,
                               timeout=120, env=environment)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and ("begins with ~" in lines[0] or "not one word" in lines[0]), completed
    assert not completed.stdout and os.listdir(home) == ["notes.txt"]


@pytest.mark.parametrize("name", ["a~b", "a!b", "a]b", "a^b", "a+b=c", "é-1.2_x"])
def test_make_takes_a_venv_name_with_a_tilde_inside_and_other_ordinary_characters(tmp_path, name):
    """The refusal of a ~ is of one beginning the name only. (Braces are refused: where sh is bash it expands them.)"""
    completed = subprocess.run(["make", "-n", "--no-print-directory", "-C", REPO_ROOT, "setup",
                                f"VENV={tmp_path}/{name}"], capture_output=True, text=True, timeout=120,
                               env=top_level_make_environment())
    assert completed.returncode == 0 and f"make_venv.sh {tmp_path}/{name} " in completed.stdout, completed


def gpu_check_without_a_gpu(tmp_path, work):
    """benchmarks/gpu_check.sh with GPU_CHECK_DIR=work and an nvidia-smi that lists no GPU (on any machine)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "nvidia-smi").write_text("#!/bin/sh\nexit 9\n")
    (bin_dir / "nvidia-smi").chmod(0o755)
    environment = dict(os.environ, GPU_CHECK_DIR=str(work), PATH=f"{bin_dir}:{os.environ['PATH']}")
    return subprocess.run(["bash", os.path.join(REPO_ROOT, "benchmarks", "gpu_check.sh")], capture_output=True,
                          text=True, timeout=60, env=environment)


@pytest.mark.parametrize("name", ["a{b,c}", "run{1..2}"])
def test_the_gpu_check_of_a_work_folder_bash_expands_in_braces_is_one_line(tmp_path, name):
    """The steps run in `bash -c`, which expands braces: on a GPU machine '/tmp/a{b,c}' gave train.py
    '/tmp/ab/frvsr' and '/tmp/ac/frvsr', every step failed; without a GPU its line was only "no GPU"."""
    completed = gpu_check_without_a_gpu(tmp_path, tmp_path / name)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and "a character the shell reads" in lines[0], completed
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("name", ["run-1.2_x", "é~ü", "a!b", "{a}", "a,b"])
def test_the_gpu_check_takes_a_work_folder_of_ordinary_characters(tmp_path, name):
    """The refusals above are of what the shell reads, not of dashes, dots, non-ASCII letters, lone braces."""
    completed = gpu_check_without_a_gpu(tmp_path, tmp_path / name)
    assert completed.returncode == 2 and "no GPU" in completed.stderr, completed


def python_310_whose_venv_fails(bin_dir, python):
    """A folder bin_dir of a python3.10 whose venv fails as venv does on a full disk, after writing part of the venv
    (its bin and pyvenv.cfg), and which is `python` otherwise. Returns bin_dir."""
    bin_dir.mkdir()
    (bin_dir / "python3.10").write_text(
        "#!/bin/sh\nif [ \"$1\" = -m ] && [ \"$2\" = venv ]; then mkdir -p \"$3/bin\" && touch \"$3/pyvenv.cfg\"\n"
        "  echo \"Error: [Errno 28] No space left on device: '$3/lib'\" >&2; exit 1; fi\n"
        f"exec {python} \"$@\"\n")
    (bin_dir / "python3.10").chmod(0o755)
    return bin_dir


@pytest.mark.parametrize("place", ["a new folder", "an empty folder", "a new nested folder"])
def test_the_set_up_of_a_venv_that_venv_fails_to_create_is_one_line_and_leaves_nothing(tmp_path, place):
    """A full disk or a read-only folder (as root: a 64 KB tmpfs, a read-only bind mount): venv's "Error: [Errno 30]"
    or its ensurepip's failure, exit code 1, and a venv without pip left in the folder. Here a python3.10 that fails
    as venv does there, after writing part of the venv. A new nested name's parent folders, which mkdir -p made,
    stayed (the fourteenth pass)."""
    bin_dir = python_310_whose_venv_fails(tmp_path / "bin", os.path.realpath(sys.executable))
    venv = tmp_path / ("deep/er/venv" if place == "a new nested folder" else "venv")
    if place == "an empty folder":
        venv.mkdir()
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=120,
                               env=dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}"))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and "No space left on device" in lines[0], completed
    assert (os.listdir(venv) == []) if place == "an empty folder" else not venv.exists()
    assert sorted(os.listdir(tmp_path)) == ["bin", "requirements-nodeps.txt", "requirements.txt"] + (
        ["venv"] if place == "an empty folder" else [])


def test_the_set_up_of_a_venv_at_a_loop_of_links_is_one_line_that_says_so(tmp_path):
    """A link in a loop of links was said to be "a link to <the other>, which does not exist" (it exists)."""
    (tmp_path / "one").symlink_to(tmp_path / "two")
    (tmp_path / "two").symlink_to(tmp_path / "one")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(tmp_path / "one"),
                                str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=120)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and "does not exist" not in lines[0], completed


def test_make_clean_venv_of_a_venv_rm_cannot_remove_is_one_line_of_ours(tmp_path):
    """rm's own lines and make's "Error 1": a name too long for the file system (here), or a venv on a read-only disk
    (a line for every file in it, 13 for a bare venv)."""
    completed = clean_venv(f"VENV={tmp_path}/{'v' * 300}")
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and lines[0].startswith("error: rm could not remove"), completed
    assert len([line for line in lines if not line.startswith("make")]) == 1, completed


def test_a_benchmark_reads_generates_loop_seconds_across_an_output_folder_holding_a_newline():
    """A TMPDIR holding a newline split generate.py's line: its end was not found on the line's first part, an
    AttributeError and a traceback (bench_tiles --sizes 64x36 under such a TMPDIR)."""
    from benchmarks.harness import loop_seconds
    assert loop_seconds("wrote 3 frames to /tmp/a\nb/out in 0.4 s (0.13 s per frame, warm-up included)\n") == 0.4


# Thirteenth pass, third look at the thirteenth pass's half A fixes

@pytest.mark.parametrize("name", ["\u0d05\u0d35\u0d28\u0d4d\u200d", "\u0d15\u0d3e\u0d32\u0d4d\u200d x",
                                  "\u06f1\u06f4\u06f0\u06f2 \u0647\u200d.\u0634"],
                         ids=["chillu at the end", "chillu before a space", "Persian abbreviation"])
def test_a_joiner_shaping_the_letter_before_it_at_a_words_end_is_shown_as_itself(name):
    """Malayalam's chillu letters are written in much of its text as the letter, its virama and U+200D, and Persian's
    abbreviations as a letter and U+200D (its joined form) before '.': the joiner, before '.mp4', '.' or a space, was
    shown by its code. A joiner after a digit, an emoji or a Hangul filler, and U+200C at an end, are still."""
    from utils.errors import printable, shown_plainly
    assert printable(f"{name}.mp4") == f"{name}.mp4"
    assert shown_plainly(name)
    for drawn_as_nothing in ("3\u200d", "\U0001f44d\u200d", "\u3164\u200d", "\u0915\u200c"):
        assert printable(f"{drawn_as_nothing}.mp4").endswith("\\u200d.mp4" if "\u200d" in drawn_as_nothing
                                                           else "\\u200c.mp4")


# Fourteenth pass, a first look at make's VENV

@pytest.mark.parametrize("others", [["notes.txt"], [".git"], ["bin", "main.py"]],
                         ids=["a user's file", "a hidden folder", "a file beside a bin folder"])
def test_the_set_up_of_a_venv_naming_a_folder_of_other_files_is_one_line_and_adds_nothing(tmp_path, others):
    """`make setup VENV=<a folder of the user's files>` made it a venv, bin, lib and pyvenv.cfg beside them (exit code
    0), which `make clean-venv` of that name then removed whole, the user's files with it."""
    folder = tmp_path / "mydata"
    folder.mkdir()
    for name in others:
        (folder / name).mkdir() if name in ("bin", ".git") else (folder / name).write_text("the user's")
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(folder),
                                str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=120)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert f"{folder} is a folder of other files (such as '{others[-1]}'), not a virtual environment" in lines[0]
    assert sorted(os.listdir(folder)) == sorted(others)


def test_the_set_up_into_the_folders_a_stopped_venv_left_makes_the_venv(tmp_path):
    """`python -m venv` stopped before its pyvenv.cfg leaves bin, include and lib: the next set-up makes the venv
    there, as into an empty folder."""
    venv = tmp_path / "venv"
    for name in ("bin", "include", "lib"):
        (venv / name).mkdir(parents=True)
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert (venv / "pyvenv.cfg").is_file() and (venv / "bin" / "python").exists()


@pytest.mark.parametrize("goal, name", [("setup", "--help"), ("setup", "-"), ("test", "-v"), ("clean-venv", "-x/v")])
def test_make_with_a_venv_name_beginning_with_a_dash_is_one_line_and_makes_nothing(tmp_path, goal, name):
    """venv, touch and rm read a name beginning with - as an option: `VENV=-` made a venv named -, then touch's two
    lines on every run; `--help` printed venv's help, then bash's line and an empty folder; `-x/v` left -x."""
    completed = subprocess.run(["make", "-n", "--no-print-directory", "-C", REPO_ROOT, goal, f"VENV={name}"],
                               capture_output=True, text=True, timeout=120, env=top_level_make_environment())
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and "begins with -" in lines[0], completed
    assert not completed.stdout and not os.path.lexists(os.path.join(REPO_ROOT, name.split("/")[0]))


# Fourteenth pass, second look at make's set-up, the downloads and the error lines

def make_venv(tmp_path, venv, cwd=None):
    """utils/make_venv.sh on `venv` with empty requirements files (nothing downloaded)."""
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    return subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                           str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.mark.parametrize("name", ["new/..", "new/../mydata", "link/../v"])
def test_the_set_up_of_a_venv_going_up_from_a_missing_folder_or_a_link_is_one_line_and_makes_nothing(tmp_path, name):
    """venv reads `new/..` as Python's abspath does (the folder new is in), the checks through the folders themselves
    (new missing: nothing to check): `make setup VENV=new/..` made the repository a venv beside its files,
    `new/../mydata` a folder of the user's files. Through a link, `..` is the link's target's parent to the shell, not
    to venv."""
    work = tmp_path / "work"
    (work / "mydata").mkdir(parents=True)
    (work / "mydata" / "notes.txt").write_text("the user's")
    (tmp_path / "elsewhere" / "deep").mkdir(parents=True)
    (work / "link").symlink_to(tmp_path / "elsewhere" / "deep")
    before = sorted(os.listdir(work))
    completed = make_venv(tmp_path, name, cwd=work)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and "goes up (..)" in lines[0], completed
    assert sorted(os.listdir(work)) == before and os.listdir(work / "mydata") == ["notes.txt"]
    assert os.listdir(tmp_path / "elsewhere") == ["deep"] and not os.listdir(tmp_path / "elsewhere" / "deep")


def test_the_set_up_of_a_venv_going_up_from_a_real_folder_makes_it(tmp_path):
    """`..` after folders that exist reads the same to venv and the shell: such a name is a venv's name."""
    (tmp_path / "real" / "sub").mkdir(parents=True)
    completed = make_venv(tmp_path, f"{tmp_path}/real/sub/../../venv")
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "venv" / "pyvenv.cfg").is_file() and not os.path.exists(tmp_path / "real" / "venv")


@pytest.mark.parametrize("entry", ["bin/myscript", "lib/python3.10/site-packages/mine.py", "bin"],
                         ids=["a script in bin", "a module in lib", "bin a link to a folder of scripts"])
def test_the_set_up_of_a_venv_naming_a_folder_of_a_venvs_folder_names_holding_files_adds_nothing(tmp_path, entry):
    """A folder whose only entries are bin and lib (a prefix of the user's programs) passed the check of names: venv
    put its own beside the user's scripts, and `make clean-venv` then removed them all; a bin linking to the user's
    folder of scripts was venv's "Unable to create directory" and "nothing of it is left", its include, lib and lib64
    left."""
    folder = tmp_path / "tools"
    if entry == "bin":
        (tmp_path / "scripts").mkdir()
        (tmp_path / "scripts" / "myscript").write_text("the user's")
        folder.mkdir()
        (folder / "bin").symlink_to(tmp_path / "scripts")
    else:
        (folder / entry).parent.mkdir(parents=True)
        (folder / entry).write_text("the user's")
    completed = make_venv(tmp_path, folder)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert f"is a folder of other files (such as '{entry}')" in lines[0]
    assert not (folder / "pyvenv.cfg").exists() and os.listdir(folder) == [entry.split("/")[0]]
    assert entry != "bin" or os.listdir(tmp_path / "scripts") == ["myscript"]


def test_the_set_up_of_a_venv_naming_a_python_installation_is_one_line_and_installs_nothing_into_it(tmp_path):
    """A folder with bin/python of Python 3.10 but no pyvenv.cfg (`VENV=$HOME/.pyenv/versions/3.10.13`) was taken for
    a venv: pip installed the requirements into that Python, and make wrote its stamp there."""
    (tmp_path / "python" / "bin").mkdir(parents=True)
    (tmp_path / "python" / "bin" / "python").symlink_to(os.path.realpath(sys.executable))
    completed = make_venv(tmp_path, tmp_path / "python")
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert "is a Python installation (it has bin/python but no pyvenv.cfg)" in lines[0]
    assert os.listdir(tmp_path / "python") == ["bin"]


@pytest.mark.parametrize("name", ["\u20ddz", "\u0301", "a/\u0338b", "a \u0336b", "x'\u0301"],
                         ids=["enclosing circle first", "acute alone", "overlay after a slash", "strike after a space",
                              "acute after a quote"])
def test_a_combining_mark_with_no_character_of_the_name_under_it_is_shown_by_its_code(tmp_path, name):
    """A mark beginning a name or a folder's name, or after a space or a quote, was shown as itself: drawn on the
    opening quote or the slash before it (`'/a/⃝z'`), the name looked to begin otherwise than it does."""
    from utils.errors import printable
    mark = next(character for character in name if character in "\u20dd\u0301\u0338\u0336")
    assert ascii(mark)[1:-1] in printable(f"'{name}'")
    (tmp_path / "file").write_text("")
    line = assert_one_error_line(run_script("evaluate.py", "--results", CALENDAR, "--targets", CALENDAR,
                                            "--output", str(tmp_path / "file" / name)))
    assert mark not in line and ascii(mark)[1:-1] in line


@pytest.mark.parametrize("name", ["Cafe\u0301", "\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd", "\u0e01\u0e34\u0e19",
                                  "\u0915\u093f\u0924\u093e\u092c", "x\u0336\u0336y", "#\u20e3", "\U0001f44d\u20dd",
                                  "\u00e9\u0301"],
                         ids=["decomposed e acute", "Hebrew with points", "Thai", "Devanagari", "struck through",
                              "keycap # without selector", "emoji in a circle", "two accents"])
def test_a_combining_mark_on_a_character_of_the_name_is_shown_as_itself(name):
    """Marks after letters, digits, other marks or symbols that are not ASCII are how names are written (a macOS
    name's decomposed accents, Hebrew points, Thai and Indic vowel signs)."""
    from utils.errors import printable
    assert printable(f"'{name}.mp4'") == f"'{name}.mp4'"


def test_a_script_prints_a_path_not_utf8_on_a_strict_standard_output(tmp_path):
    """Where the locale makes standard output strict (en_US.UTF-8; here PYTHONIOENCODING=utf-8), evaluate.py's last
    line naming an --output whose path is not UTF-8 was UnicodeEncodeError's traceback, exit code 1, after the report
    was written (train.py's alike, after the training)."""
    output = os.path.join(os.fsdecode(bytes(tmp_path)), os.fsdecode(b"eval\xf8"))
    completed = run_script("evaluate.py", "--results", CALENDAR, "--targets", CALENDAR, "--output", output, "--quick",
                           env=dict(os.environ, PYTHONIOENCODING="utf-8"))
    assert completed.returncode == 0 and "Traceback" not in completed.stderr, completed.stderr
    assert completed.stdout.rstrip().endswith(f"{tmp_path}/eval\\udcf8")


def test_the_set_up_of_a_venv_naming_a_folder_of_files_named_not_utf8_is_one_line_and_adds_nothing(tmp_path):
    """A name not UTF-8 made grep read the folder's listing as binary: "binary file matches" on standard error and no
    name passed on, so a folder of such files was made a venv beside them (and clean-venv then removed them)."""
    folder = tmp_path / "mydata"
    folder.mkdir()
    user_file = os.path.join(str(folder), os.fsdecode(b"\xffnotes.txt"))
    with open(user_file, "w") as file:
        file.write("the user's")
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(folder),
                                str(tmp_path / "requirements.txt")], capture_output=True, timeout=120)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert b"is a folder of other files (such as '\xffnotes.txt')" in lines[0]
    assert os.listdir(folder) == [os.path.basename(user_file)]


def test_a_folder_made_through_a_missing_folder_and_dotdot_leaves_nothing_when_the_run_fails(tmp_path, monkeypatch,
                                                                                            capsys):
    """os.makedirs('new/../x') makes new too, but the folders to remove were taken from normpath ('x'): a failed
    `download_test_data.py --output-dir new/../x` (and every script's make_folder) left the empty folder new."""
    from contextlib import ExitStack
    import download_test_data
    from utils.paths import make_folder
    monkeypatch.chdir(tmp_path)
    with ExitStack() as claim:
        make_folder("new/../x", claim)
        assert sorted(os.listdir(tmp_path)) == ["new", "x"]
    assert os.listdir(tmp_path) == []
    with pytest.raises(SystemExit):
        download_test_data.main(["--weights", "--no-data", "--output-dir", "new/../x", "--base-url",
                                 "http://127.0.0.1:1"])
    assert "Connection refused" in capsys.readouterr().err and os.listdir(tmp_path) == []


@pytest.mark.parametrize("below", ["", "x"], ids=["the link", "a folder under it"])
def test_an_output_folder_through_a_loop_of_links_is_said_to_be_one(tmp_path, below):
    """`--output-dir loop1` of two links to each other was "a symbolic link to 'loop2', which does not exist (a disk not
    mounted?); create that folder": loop2 exists, and cannot be created. A link to a missing name still says so."""
    from utils.paths import output_folder
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    (tmp_path / "unmounted").symlink_to(tmp_path / "disk")
    with pytest.raises(UserError, match="is a symbolic link in a loop of links") as error:
        output_folder(os.path.join(tmp_path, "loop1", below), "--output-dir")
    assert "does not exist" not in str(error.value)
    with pytest.raises(UserError, match=r"symbolic link to '.*disk', which does not exist \(a disk not mounted\?\)"):
        output_folder(os.path.join(tmp_path, "unmounted", below), "--output-dir")


# Fourteenth pass, third look at the fourteenth pass's set-up, download and error-line fixes

@pytest.mark.parametrize("name", ["\u0301", "\u20ddseq.mp4", "\u0301\u0302"],
                         ids=["a mark alone", "a circle first", "two marks"])
def test_a_name_beginning_with_a_combining_mark_is_shown_by_its_codes(name):
    """printable of a name that begins with a mark (a sequence's folder in evaluate.py's report, a --video's name in
    dataPrepare's progress bar) was category('')'s TypeError: a traceback once every frame was scored."""
    from utils.errors import printable
    assert printable(name) == ascii(name[0])[1:-1] + ("\\u0302" if name.endswith("\u0302") else name[1:])


@pytest.mark.parametrize("name", ["/a/\u0301\u0301", "x \u20dd\u20dd", "a\ufe0f\u0301"],
                         ids=["two marks after a slash", "two circles after a space", "after a selector on a letter"])
def test_a_combining_mark_after_one_shown_by_its_code_is_shown_by_its_code_too(name):
    """A mark after a mark (or a variation selector) shown by its code counted as drawn on a character of the name: it
    was drawn on the last letter of the code before it ('\\u0301' with its 1 accented)."""
    from utils.errors import printable
    assert printable(name)[-6:] == ascii(name[-1])[1:-1]


@pytest.mark.parametrize("where", ["VENV", "the folder make runs in"])
def test_the_set_up_of_a_venv_whose_path_is_not_utf8_is_one_line_naming_it(tmp_path, where):
    """pip cannot write a path that is not UTF-8 into a venv's scripts (surrogates not allowed): venv said only that
    ensurepip failed, and the line asked "is its disk full, or its path too long?", sending the user to free space
    in vain (a VENV so named, or a clone of the repository into such a folder with the default .venv)."""
    top = os.fsdecode(bytes(tmp_path)) + "/" + os.fsdecode(b"d\xfe")
    os.makedirs(top)
    venv = top + "/.venv" if where != "VENV" else os.path.join(top, os.fsdecode(b"venv\xff"))
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), os.path.basename(venv),
                                str(tmp_path / "requirements.txt")], capture_output=True, timeout=300,
                               cwd=os.path.dirname(venv))
    lines = os.fsdecode(completed.stderr).strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert "is not UTF-8" in lines[0] and "disk full" not in lines[0]
    assert os.listdir(top) == []


def test_the_set_up_of_a_venv_made_without_pip_says_so(tmp_path):
    """A venv made without pip (uv venv, python -m venv --without-pip) was said to be one an earlier set-up had stopped
    in before pip was in."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    completed = make_venv(tmp_path, tmp_path / "venv")
    assert completed.returncode == 0, completed.stderr
    assert "made without" in completed.stdout
    assert subprocess.run([str(tmp_path / "venv" / "bin" / "python"), "-m", "pip", "--version"]).returncode == 0


def test_the_set_up_of_a_venv_named_in_utf8_beyond_ascii_makes_it(tmp_path):
    """Names in other scripts are ordinary folder names: the check for paths not UTF-8 takes them."""
    venv = tmp_path / "日本語" / "Ελληνικά café"
    completed = make_venv(tmp_path, venv)
    assert completed.returncode == 0, completed.stderr
    assert (venv / "pyvenv.cfg").is_file()


def test_a_failed_run_through_a_missing_folder_and_dotdot_keeps_the_users_empty_folder(tmp_path, monkeypatch, capsys):
    """`--output-dir new/../results` with the user's empty folder results: every name after new's `..` was taken for
    a folder to make (none could be seen through the missing new), so a failed run removed results with new."""
    from contextlib import ExitStack
    import download_test_data
    from utils.paths import make_folder
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    with ExitStack() as claim:
        make_folder("new/../results/run", claim)
        assert sorted(os.listdir(tmp_path)) == ["new", "results"] and os.listdir("results") == ["run"]
    assert os.listdir(tmp_path) == ["results"] and os.listdir("results") == []
    with pytest.raises(SystemExit):
        download_test_data.main(["--weights", "--no-data", "--output-dir", "new/../results", "--base-url",
                                 "http://127.0.0.1:1"])
    assert "Connection refused" in capsys.readouterr().err and os.listdir(tmp_path) == ["results"]


def test_make_clean_venv_of_a_venv_made_in_a_folder_of_the_users_files_keeps_them(tmp_path):
    """A venv made in place in a project of the user's (`python -m venv .`): it has pyvenv.cfg, so `make clean-venv`
    removed it whole, the user's files in it too, exit code 0."""
    project = tmp_path / "project"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(project)], check=True, timeout=120)
    (project / "train_notes.py").write_text("the user's")
    completed = clean_venv(f"VENV={project}")
    lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
    assert completed.returncode == 2 and len(lines) == 1 and "such as 'train_notes.py'" in lines[0], completed.stderr
    assert (project / "train_notes.py").read_text() == "the user's" and (project / "pyvenv.cfg").is_file()


def test_make_clean_venv_removes_a_venv_of_the_entries_other_tools_and_pip_add(tmp_path):
    """A venv's own entries beside venv's (virtualenv's and uv's .gitignore and CACHEDIR.TAG, pip's share, etc and
    src, make's stamps) are no files of the user's: such a venv is removed."""
    venv = tmp_path / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    for name in (".gitignore", "CACHEDIR.TAG", ".installed", ".installed-test"):
        (venv / name).write_text("")
    for name in ("share", "etc", "src"):
        (venv / name).mkdir()
    completed = clean_venv(f"VENV={venv}")
    assert completed.returncode == 0 and not venv.exists(), completed.stderr


def test_the_set_up_finds_python_310_of_a_pyenv_elsewhere_than_the_home_folder(tmp_path):
    """pyenv's Pythons under PYENV_ROOT (/opt/pyenv, as some installers put it), with another version chosen (its
    python3.10 shim refuses): only ~/.pyenv/versions was looked in, "Python 3.10 not found; install it, e.g.
    'pyenv install 3.10'", which the user had done."""
    base = os.path.realpath(sys._base_executable)
    versions = os.path.dirname(os.path.dirname(os.path.dirname(base)))
    if os.path.basename(versions) != "versions" or os.path.exists("/usr/bin/python3.10"):
        pytest.skip("Python 3.10 here is not a pyenv version, or the system's is found anyway")
    (tmp_path / "home").mkdir()
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(tmp_path / "venv"),
                                str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=300,
                               env=dict(os.environ, HOME=str(tmp_path / "home"), PYENV_ROOT=os.path.dirname(versions),
                                        PATH="/usr/bin:/bin"))
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "venv" / "pyvenv.cfg").is_file()


def test_the_set_up_into_a_venv_emptied_with_a_glob_makes_the_venv_again(tmp_path):
    """`rm -rf .venv/*` leaves make's stamps (names beginning with a dot): the next `make setup` said the folder was
    one of other files (such as '.installed'), not a virtual environment, and made nothing."""
    venv = tmp_path / "venv"
    venv.mkdir()
    for name in (".installed", ".installed-test"):
        (venv / name).write_text("")
    completed = make_venv(tmp_path, venv)
    assert completed.returncode == 0, completed.stderr
    assert (venv / "pyvenv.cfg").is_file() and (venv / "bin" / "python").exists()


# Fourteenth pass, fourth look at the fourteenth pass's output-lock and path fixes

def test_an_output_file_through_a_file_and_dot_dot_is_said_to_be_under_that_file(tmp_path, monkeypatch):
    """--output-video notes.txt/../clip.mp4: the system does not go up from a file, and output_file, which checks the
    folder as the system reads it, said "the folder ... does not exist; create it", a folder that cannot be made."""
    from utils.paths import output_file
    (tmp_path / "notes.txt").write_text("the user's notes\n")
    monkeypatch.chdir(tmp_path)
    for path in ("notes.txt/../clip.mp4", "./notes.txt/../clip.mp4", f"{tmp_path}/notes.txt/../clip.mp4"):
        with pytest.raises(UserError, match=r"is under '(.*/)?notes.txt', which is a file; choose another path"):
            output_file(path, "--output-video", (".mp4",))
    with pytest.raises(UserError, match="does not exist; create it"):  # a missing folder can be made
        output_file("missing/../clip.mp4", "--output-video", (".mp4",))
    assert (tmp_path / "notes.txt").read_text() == "the user's notes\n"


def test_an_output_folder_through_a_file_and_dot_dot_is_said_to_be_under_that_file(tmp_path, monkeypatch):
    """output_folder (every entry's --output, --output-dir, --summary_dir...) of notes.txt/../out passed, as
    os.path.abspath reads it (the working folder), and making it failed after the checks (demo.py's traceback)."""
    from utils.paths import output_folder
    (tmp_path / "notes.txt").write_text("the user's notes\n")
    monkeypatch.chdir(tmp_path)
    for path in ("notes.txt/../out", "notes.txt/../new/out", f"{tmp_path}/notes.txt/../out"):
        with pytest.raises(UserError, match=r"is under '(.*/)?notes.txt', which is a file; choose another path"):
            output_folder(path, "--output")
    assert output_folder("missing/../out", "--output") == "missing/../out"  # os.makedirs makes it
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]


# Fifteenth pass, second look at paths through links and `..`

def test_weights_saved_through_a_link_and_dotdot_make_no_folder_elsewhere(tmp_path, monkeypatch):
    """save_weights('lnk/../../q/w.h5') (lnk a link to runs/a/deep: runs/q/w.h5) made the folder os.path.abspath names
    first (./../q, 'lnk/..' dropped as text): a stray empty folder beside the working folder."""
    import nnabla as nn
    import numpy as np

    from utils.weights import save_weights
    (tmp_path / "runs" / "a" / "deep").mkdir(parents=True)
    (tmp_path / "runs" / "q").mkdir()
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "lnk").symlink_to(tmp_path / "runs" / "a" / "deep")
    monkeypatch.chdir(tmp_path / "work")
    save_weights(os.path.join("lnk", "..", "..", "q", "w.h5"), {"w": nn.Variable.from_numpy_array(np.ones(2))})
    assert os.listdir(tmp_path / "runs" / "q") == ["w.h5"]
    assert sorted(os.listdir(tmp_path)) == ["runs", "work"]


@pytest.mark.parametrize("kind", ["link to nothing", "loop of links"])
def test_an_output_folder_behind_a_link_to_nothing_and_dotdot_is_one_line_naming_the_link(tmp_path, monkeypatch, kind):
    """--output broken/../out (broken a link to nothing, or in a loop): output_folder looked for such links in the path
    os.path.abspath makes ('broken/..' dropped as text), found none, and making the folder failed: a FileNotFoundError
    (ELOOP) traceback in demo.py, dataPrepare and download_test_data.py."""
    from utils.paths import output_folder
    monkeypatch.chdir(tmp_path)
    os.symlink("nowhere" if kind == "link to nothing" else "broken", "broken")
    expected = ("is a symbolic link in a loop of links" if kind == "loop of links"
                else "is a symbolic link to 'nowhere', which does not exist")
    for path in (os.path.join("broken", "..", "out"), os.path.join("broken", "..", "new", "out")):
        with pytest.raises(UserError, match=f"^--output '{re.escape(path)}': '{tmp_path}/broken' {expected}"):
            output_folder(path, "--output")
    assert os.listdir(tmp_path) == ["broken"]


def test_an_output_folder_through_a_link_and_dotdot_is_checked_where_it_is_made(tmp_path, monkeypatch):
    """--output lnk/../out (lnk a link to ro/deep, on a read-only disk): the folder to write into was checked as
    os.path.abspath reads it (the working folder, writable), and making it failed: an OSError traceback (EROFS) in
    demo.py and download_test_data.py."""
    from utils import paths
    (tmp_path / "ro" / "deep").mkdir(parents=True)
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "lnk").symlink_to(tmp_path / "ro" / "deep")
    monkeypatch.chdir(tmp_path / "work")
    read_only = str(tmp_path / "ro")  # as a read-only mount reads to root, whom permissions do not stop
    real_access = os.access
    monkeypatch.setattr(paths.os, "access", lambda path, mode: real_access(path, mode) and not (
        mode & os.W_OK and os.path.realpath(path) == read_only))
    with pytest.raises(UserError, match=r"^--output 'lnk/../out' cannot be written \('.*/lnk/..' is not writable\)"):
        paths.output_folder(os.path.join("lnk", "..", "out"), "--output")


@pytest.mark.parametrize("kind", ["link to nothing", "loop of links"])
def test_an_output_file_behind_a_link_to_nothing_and_dotdot_names_the_link(tmp_path, monkeypatch, kind):
    """--output-video broken/../x.mp4: "the folder ... does not exist; create it", where no folder can be created (a
    loop), or the one to create is the link's target."""
    from utils.paths import output_file
    monkeypatch.chdir(tmp_path)
    os.symlink("nowhere" if kind == "link to nothing" else "broken", "broken")
    expected = ("is a symbolic link in a loop of links" if kind == "loop of links"
                else "is a symbolic link to 'nowhere', which does not exist")
    with pytest.raises(UserError, match=f"^--output-video 'broken/\\.\\./x\\.mp4': '{tmp_path}/broken' {expected}"):
        output_file(os.path.join("broken", "..", "x.mp4"), "--output-video", (".mp4",))


@pytest.mark.parametrize("script", ["generate.py", "evaluate.py", "train.py", "download_test_data.py",
                                    os.path.join("authors_scripts", "dataPrepare.py")])
def test_a_working_folder_deleted_under_the_shell_is_one_line(tmp_path, script):
    """A command run from a folder deleted since the shell entered it (`rm -rf` of it in another terminal): NNabla's
    import asks for the working folder, and so does every relative path (download_test_data.py's default '.'): a
    FileNotFoundError traceback, exit code 1, before any flag was read."""
    gone = tmp_path / "gone"
    gone.mkdir()
    completed = subprocess.run(["bash", "-c", 'cd "$1" && rmdir "$1" && exec "$2" "$3" --help', "bash", str(gone),
                                sys.executable, os.path.join(REPO_ROOT, script)], capture_output=True, text=True,
                               timeout=120)
    assert_one_error_line(completed, "the working folder was deleted since this shell entered it; cd to an existing "
                                     "folder")


# Fifteenth pass, second look at make's set-up and VENV

def python_310_and_path():
    """The real Python 3.10 the tests run on (through any pyenv shim or venv link), and a PATH of its folder and the
    system's."""
    python = os.path.realpath(sys._base_executable)
    return python, f"{os.path.dirname(python)}:/usr/bin:/bin"


def test_the_set_up_with_home_unset_finds_python_310_on_path(tmp_path):
    """HOME unset (a service's environment, `env -u HOME make setup`): set -u's "HOME: unbound variable", then "Python
    3.10 not found; install it" with python3.10 on PATH, and no venv."""
    _, path = python_310_and_path()
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    environment = {key: value for key, value in os.environ.items() if key not in ("HOME", "PYENV_ROOT")}
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(tmp_path / "venv"),
                                str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=300,
                               env=dict(environment, PATH=path))
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    assert (tmp_path / "venv" / "pyvenv.cfg").is_file()


def python_310_without_ensurepip(folder, pip_wheel=None):
    """A Python 3.10 installation in folder whose standard library lacks ensurepip, as Debian's and Ubuntu's python3.10
    is without python3.10-venv: a copy of the real binary beside links to every other module. Returns its bin.
    With pip_wheel (a folder of pip), its ensurepip is the real one's but for the pip wheel, that folder."""
    import sysconfig
    python, _ = python_310_and_path()
    stdlib = sysconfig.get_path("stdlib")
    os.makedirs(folder / "bin")
    os.makedirs(folder / "lib" / os.path.basename(stdlib))
    shutil.copy2(python, folder / "bin" / "python3.10")
    for name in os.listdir(stdlib):
        if name != "ensurepip":
            os.symlink(os.path.join(stdlib, name), folder / "lib" / os.path.basename(stdlib) / name)
    if pip_wheel is not None:
        import ensurepip
        ours = folder / "lib" / os.path.basename(stdlib) / "ensurepip"
        os.makedirs(ours / "_bundled" / f"pip-{ensurepip.version()}-py3-none-any.whl")
        for name in ("__init__.py", "__main__.py", "_bundled/__init__.py"):
            os.symlink(os.path.join(stdlib, "ensurepip", name), ours / name)
        os.symlink(pip_wheel, ours / "_bundled" / f"pip-{ensurepip.version()}-py3-none-any.whl" / "pip")
        return folder / "bin"
    assert subprocess.run([str(folder / "bin" / "python3.10"), "-c", "import ensurepip"],
                          capture_output=True).returncode != 0
    return folder / "bin"


@pytest.fixture(scope="module")
def python_310_of_compiled_pip(tmp_path_factory):
    """A PATH whose python3.10 is the real one but for its ensurepip's pip wheel, the tests' own pip of the same version
    (its bytecode compiled): the set-up's reading of pip's settings before a new venv by the pip of ensurepip's wheel,
    at a fifth of its start (pip from the wheel compiles its modules each time). The real wheel where they differ."""
    import ensurepip
    import pip
    _, path = python_310_and_path()
    if pip.__version__ != ensurepip.version():
        return path
    bin_folder = python_310_without_ensurepip(tmp_path_factory.mktemp("python") / "python",
                                              os.path.dirname(pip.__file__))
    return f"{bin_folder}:/usr/bin:/bin"


@pytest.mark.parametrize("venv", ["new", "made without pip"])
def test_the_set_up_with_a_python_310_without_ensurepip_says_to_install_it(tmp_path, venv):
    """Ubuntu 22.04's own python3.10 without python3.10-venv: venv failed on ensurepip, said to be "is its disk full, or
    its path too long?", sending the user to free space; a venv made `--without-pip` with it (the way round) was
    ensurepip's "No module named ensurepip" and exit code 1. Now one line naming python3.10-venv."""
    if any(os.path.exists(f"{folder}/bin/python3.10") for folder in ("/usr", "/usr/local")):
        pytest.skip("the system's own python3.10 would be found first")
    bin_folder = python_310_without_ensurepip(tmp_path / "python")
    if venv != "new":
        subprocess.run([str(bin_folder / "python3.10"), "-m", "venv", "--without-pip", str(tmp_path / "venv")],
                       check=True, timeout=120)
    before = sorted(os.listdir(tmp_path))
    (tmp_path / "home").mkdir()
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    environment = {key: value for key, value in os.environ.items() if key != "PYENV_ROOT"}
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(tmp_path / "venv"),
                                str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=300,
                               env=dict(environment, HOME=str(tmp_path / "home"), PATH=f"{bin_folder}:/usr/bin:/bin"))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert "has no ensurepip" in lines[0] and "python3.10-venv" in lines[0] and "disk full" not in lines[0]
    assert sorted(os.listdir(tmp_path)) == sorted(before + ["home", "requirements.txt", "requirements-nodeps.txt"])


def test_the_set_up_takes_a_python_310_with_ensurepip_found_after_one_without(tmp_path):
    """A python3.10 without ensurepip first on PATH, pyenv's 3.10 under PYENV_ROOT: the one with ensurepip makes the
    venv."""
    python, _ = python_310_and_path()
    versions = os.path.dirname(os.path.dirname(os.path.dirname(python)))
    if os.path.basename(versions) != "versions":
        pytest.skip("Python 3.10 here is not a pyenv version")
    bin_folder = python_310_without_ensurepip(tmp_path / "python")
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(tmp_path / "venv"),
                                str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=300,
                               env=dict(os.environ, PYENV_ROOT=os.path.dirname(versions),
                                        PATH=f"{bin_folder}:/usr/bin:/bin"))
    assert completed.returncode == 0, completed.stderr
    assert f"with {os.path.dirname(versions)}/versions/" in completed.stdout


def test_make_clean_venv_stopped_midway_leaves_a_venv_it_removes_and_the_set_up_refuses(tmp_path):
    """rm took pyvenv.cfg first (its first entry on ext4): a clean-venv stopped (Ctrl-C) or failed midway left bin/python
    and part of lib, which the set-up called "a Python installation" and clean-venv "not a virtual environment", and
    neither went on. Now bin goes first and pyvenv.cfg last; staged as a file rm cannot remove from lib."""
    venv = tmp_path / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    kept = venv / "lib" / "python3.10" / "site-packages" / "kept"
    kept.mkdir(parents=True)
    (kept / "module.py").write_text("")
    kept.chmod(0o555)
    without_root_override = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    try:
        completed = subprocess.run([*(without_root_override if os.geteuid() == 0 else []), "make",
                                    "--no-print-directory", "-C", REPO_ROOT, "clean-venv", f"VENV={venv}"],
                                   capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    finally:
        kept.chmod(0o755)
    lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
    assert completed.returncode == 2 and len(lines) == 1 and "rm could not remove" in lines[0], completed.stderr
    assert (venv / "pyvenv.cfg").is_file() and not os.path.lexists(venv / "bin")
    set_up = make_venv(tmp_path, venv)
    lines = set_up.stderr.strip().splitlines()
    assert set_up.returncode == 2 and len(lines) == 1 and "a stopped 'make clean-venv'?" in lines[0], set_up.stderr
    assert (kept / "module.py").exists() and not os.path.lexists(venv / "bin")
    completed = clean_venv(f"VENV={venv}")
    assert completed.returncode == 0 and not os.path.lexists(venv), completed.stderr


@pytest.mark.parametrize("user", ["not root", "root without apt-get", "root, apt-get failing"])
def test_make_browser_without_chromium_that_apt_get_cannot_install_is_one_line(tmp_path, user):
    """`make test` (its browser goal) as a user not root, where Chromium is missing: apt-get's "Reading package lists",
    its two lines on its lock ("Permission denied") and make's; on a system without apt-get, the shell's "not found";
    as root, apt-get's lines on each index and package it could not fetch or find. Staged with an `id` that says the
    user's id first on PATH, and an apt-get there (failing as on its lock, or as offline), or a PATH of that folder
    alone."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "id").write_text(f"#!/bin/sh\necho {1000 if user == 'not root' else 0}\n")
    if user == "not root":
        (fake_bin / "apt-get").write_text(f"#!/bin/sh\ntouch {tmp_path}/apt-get-ran\n"
                                          "echo 'E: Could not open lock file'\necho 'E: Unable to lock directory'\n"
                                          "exit 100\n")
    if user == "root, apt-get failing":
        (fake_bin / "apt-get").write_text("#!/bin/sh\necho 'Reading package lists...'\n[ $1 = update ] && "
                                          "{ echo 'Err:1 http://deb.debian.org/debian bookworm InRelease'; exit 0; }\n"
                                          "echo 'E: Unable to locate package chromium' >&2\n"
                                          "echo 'E: Unable to locate package chromium-driver' >&2\nexit 100\n")
    for program in os.listdir(fake_bin):
        (fake_bin / program).chmod(0o755)
    completed = subprocess.run([shutil.which("make"), "--no-print-directory", "-C", REPO_ROOT, "browser",
                                f"CHROMIUM={tmp_path}/chromium"], capture_output=True, text=True, timeout=60,
                               env=dict(top_level_make_environment(),
                                        PATH=str(fake_bin) if user == "root without apt-get" else
                                        f"{fake_bin}:/usr/bin:/bin"))
    lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
    assert completed.returncode == 2 and len(lines) == 1, completed
    if user == "root, apt-get failing":
        assert lines[0] == ("error: apt-get could not install chromium and chromium-driver (Unable to locate package "
                            "chromium), which the web page's tests drive; install them, then run make again")
    else:
        assert lines[0].startswith(f"error: {tmp_path}/chromium is missing") and "as root" in lines[0]
        assert not completed.stdout and not os.path.exists(tmp_path / "apt-get-ran")


VENV_WITH_PIP = []  # the venv made once a test process, which venv_with_pip copies


def venv_with_pip(folder):
    """A venv at folder as `python -m venv` makes it, with pip: made once a test process (venv's ensurepip takes
    seconds, and the set-up's tests made dozens) and copied, its links kept and its scripts' paths made folder's. A
    venv's Python takes its prefix from where its bin/python stands (the pyvenv.cfg beside it), so the copy's
    `bin/python -m pip`, which the set-up runs, installs into the copy."""
    if not VENV_WITH_PIP:
        made = tempfile.mkdtemp(prefix="venv-with-pip-")
        atexit.register(shutil.rmtree, made, True)
        subprocess.run([sys._base_executable, "-m", "venv", os.path.join(made, "venv")], check=True, timeout=300)
        VENV_WITH_PIP.append(os.path.join(made, "venv"))
    shutil.copytree(VENV_WITH_PIP[0], folder, symlinks=True)
    for script in os.scandir(os.path.join(folder, "bin")):
        if script.is_file(follow_symlinks=False):
            with open(script.path, "rb") as file:
                text = file.read()
            if VENV_WITH_PIP[0].encode() in text:
                with open(script.path, "wb") as file:
                    file.write(text.replace(VENV_WITH_PIP[0].encode(), os.fsencode(folder)))


def set_up_copy(tmp_path, requirements=""):
    """A copy of the repository's Makefile and make_venv.sh in tmp_path/repo, with requirements.txt of `requirements`
    and empty other requirements files."""
    copy = tmp_path / "repo"
    (copy / "utils").mkdir(parents=True)
    shutil.copy(os.path.join(REPO_ROOT, "Makefile"), copy)
    shutil.copy(os.path.join(REPO_ROOT, "utils", "make_venv.sh"), copy / "utils")
    for name in ("requirements.txt", "requirements-nodeps.txt", "requirements-test.txt",
                 "requirements-tensorflow.txt"):
        (copy / name).write_text(requirements if name == "requirements.txt" else "")
    return copy


def test_make_setup_offline_is_one_line_and_the_next_run_goes_on(tmp_path):
    """Offline (a package index refusing connections), `make setup` was pip's "Retrying" warnings and its two
    ERROR lines ("No matching distribution found"), exit code 1 from the script. The venv made is kept, and the next
    run goes on from it."""
    copy = set_up_copy(tmp_path, "nnabla==1.39.0\n")
    offline = dict(top_level_make_environment(), PIP_CONFIG_FILE=os.devnull, PIP_RETRIES="1",
                   PIP_INDEX_URL="http://127.0.0.1:1/simple", PIP_FIND_LINKS="")
    for run in ("first", "again"):
        completed = subprocess.run(["make", "--no-print-directory", "setup", "VENV=venv"], cwd=copy,
                                   capture_output=True, text=True, timeout=300, env=offline)
        lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
        assert completed.returncode == 2 and len(lines) == 1, (run, completed.stderr)
        assert lines[0].startswith("error: pip could not install requirements.txt into venv (the package index could"
                                   " not be reached: No matching distribution found for nnabla==1.39.0"), lines[0]
        assert (copy / "venv" / "pyvenv.cfg").is_file() and not (copy / "venv" / ".installed").exists()
        assert ("creating venv" in completed.stdout) == (run == "first")


def wheel_of_a_package(folder):
    """A wheel of a package of one empty module, made in folder without a build tool."""
    import zipfile
    path = folder / "package-1-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("package/__init__.py", "")
        wheel.writestr("package-1.dist-info/METADATA", "Metadata-Version: 2.1\nName: package\nVersion: 1\n")
        wheel.writestr("package-1.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
                                                    "Tag: py3-none-any\n")
        wheel.writestr("package-1.dist-info/RECORD", "package/__init__.py,,\npackage-1.dist-info/METADATA,,\n"
                                                     "package-1.dist-info/WHEEL,,\npackage-1.dist-info/RECORD,,\n")
    return path


def test_make_setup_of_a_venv_not_the_users_to_write_that_has_what_it_needs_goes_on(tmp_path):
    """A venv linked to that is not the user's to write (a shared one), holding what the requirements ask, its stamp
    older than the requirements (a fresh clone): pip had nothing to do, and touch's "cannot touch 'venv/.installed':
    Permission denied" stopped `make setup` (and `make demo`) every time. A requirement it lacks is one line of pip's
    error."""
    copy = set_up_copy(tmp_path)
    completed = subprocess.run(["make", "--no-print-directory", "setup", "VENV=venv"], cwd=copy, capture_output=True,
                               text=True, timeout=300, env=top_level_make_environment())
    assert completed.returncode == 0, completed.stderr
    (copy / "venv" / ".installed").unlink()
    without_root_override = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    as_user = without_root_override if os.geteuid() == 0 else []
    subprocess.run(["chmod", "-R", "a-w", str(copy / "venv")], check=True)
    try:
        completed = subprocess.run([*as_user, "make", "--no-print-directory", "setup", "VENV=venv"], cwd=copy,
                                   capture_output=True, text=True, timeout=300, env=top_level_make_environment())
        assert completed.returncode == 0 and not completed.stderr, completed.stderr
        (copy / "requirements.txt").write_text(f"{wheel_of_a_package(tmp_path)}\n")
        completed = subprocess.run([*as_user, "make", "--no-print-directory", "setup", "VENV=venv"], cwd=copy,
                                   capture_output=True, text=True, timeout=300,
                                   env=dict(top_level_make_environment(), PIP_CONFIG_FILE=os.devnull))
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(copy / "venv")], check=True)
    lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith("error: pip could not install requirements.txt into venv (") and "denied" in lines[0]


@pytest.mark.parametrize("name", ["link", "link//", "link/.", "link/./"])
def test_the_set_up_of_a_venv_named_by_a_link_to_an_empty_folder_makes_it_there(tmp_path, name):
    """A .venv linked to an empty folder on another disk (`ln -s /data/venv .venv`): venv refuses a link, "cannot create
    the virtual environment (Unable to create directory ...)", an over-refusal. Now venv is given the folder the link
    leads to; the link stays. `link/.` and `link/./` (the fifteenth pass's third look): venv read the name as abspath
    does, the link itself, and refused it as before that fix."""
    (tmp_path / "disk" / "venv").mkdir(parents=True)
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "link").symlink_to(tmp_path / "disk" / "venv")
    completed = make_venv(tmp_path, name, cwd=tmp_path / "work")
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "work" / "link").is_symlink() and (tmp_path / "disk" / "venv" / "pyvenv.cfg").is_file()
    assert subprocess.run([str(tmp_path / "work" / "link" / "bin" / "python"), "-m", "pip", "--version"],
                          capture_output=True).returncode == 0


def test_the_set_up_of_a_venv_under_a_link_to_nothing_names_the_link(tmp_path):
    """VENV=<a link to a missing folder>/venv (a disk not mounted): mkdir's "File exists", which the link does, and
    cannot be made."""
    (tmp_path / "unmounted").symlink_to(tmp_path / "disk")
    completed = make_venv(tmp_path, tmp_path / "unmounted" / "venv")
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert f"{tmp_path}/unmounted is a link to {tmp_path}/disk, which leads to no folder" in lines[0]
    assert "File exists" not in lines[0] and not os.path.lexists(tmp_path / "disk")


@pytest.mark.parametrize("name, said", [("notes.txt/../v", "from notes.txt, a file,"),
                                        ("missing/../v", "from missing, a missing folder,"),
                                        ("link/../v", "from link, a link,")])
def test_the_set_up_of_a_venv_going_up_from_a_file_says_it_is_a_file(tmp_path, name, said):
    """VENV=notes.txt/../v was "goes up (..) from notes.txt, a missing folder or a link": it is a file."""
    (tmp_path / "notes.txt").write_text("the user's")
    (tmp_path / "elsewhere" / "deep").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere" / "deep")
    completed = make_venv(tmp_path, name, cwd=tmp_path)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and f"goes up (..) {said} which venv" in lines[0], lines
    assert sorted(os.listdir(tmp_path)) == ["elsewhere", "link", "notes.txt", "requirements-nodeps.txt",
                                            "requirements.txt"] and os.listdir(tmp_path / "elsewhere") == ["deep"]


# Fifteenth pass, second look at the downloads, converters and error lines

@pytest.mark.parametrize("script", ["download_test_data", "demo", "app", "authors_scripts.dataPrepare"])
def test_an_output_folder_on_a_disk_with_no_room_for_it_is_the_no_room_line(tmp_path, monkeypatch, capsys, script):
    """make_folder, which every script's output folder is made by, let the OSError of a disk with no room for another
    folder (its inodes used up, or the block a folder takes on most file systems) through: a traceback in
    download_test_data.py, demo.py, app.py, dataPrepare and train.py. On a tmpfs of 4 inodes where this runs as
    root, else with the file system's counts and mkdir patched as on such a disk."""
    import errno
    import importlib
    from hostile import disk_out_of_inodes
    from utils.video_io import sample_clip
    folder = tmp_path / "disk"
    output = str(folder / "out")
    argv = {"download_test_data": ["--output-dir", output, "--base-url", "http://127.0.0.1:9"],
            "demo": ["--output", output, "--frames", "5"],
            "app": ["--work-dir", output, "--max-upload-mb", "1"],
            "authors_scripts.dataPrepare": ["--disk_path", output, "--video", sample_clip("bikes.mp4"),
                                            "--scene_starts", "0", "--duration", "3"]}[script]
    with disk_out_of_inodes(folder, monkeypatch) as mounted:
        if not mounted:
            def no_inode_left(path, *args, **kwargs):
                raise OSError(errno.ENOSPC, "No space left on device", path)
            monkeypatch.setattr(os, "mkdir", no_inode_left)
        with pytest.raises(SystemExit) as stop:
            importlib.import_module(script).main(argv)
        assert not os.path.exists(output)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert stop.value.code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"error: no room for another file on the disk of '{output}': its inodes")


# Fifteenth pass, third look at the fifteenth pass's set-up fixes

@pytest.mark.parametrize("name", ["dangling/", "dangling//"])
def test_the_set_up_of_a_venv_named_by_a_link_to_nothing_with_a_slash_names_the_link(tmp_path, name):
    """VENV=dangling/ (a .venv linked to a disk not mounted, the name completed by the shell with its /): test -L
    follows a name ending in /, so the link was not seen: mkdir's "cannot make the folder dangling/ (File exists)"."""
    (tmp_path / "dangling").symlink_to(tmp_path / "disk")
    completed = make_venv(tmp_path, name, cwd=tmp_path)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert f"is a link to {tmp_path}/disk, which leads to no folder" in lines[0] and "File exists" not in lines[0]
    assert not os.path.lexists(tmp_path / "disk")


def test_the_set_up_with_home_empty_finds_pyenvs_python_310(tmp_path):
    """HOME set but empty (`HOME= make setup`): bash's ~ is then empty, ~/.pyenv was /.pyenv, and pyenv's 3.10 (the
    only one, not on PATH) was "Python 3.10 not found; install it", as HOME unset was before its fix."""
    python, _ = python_310_and_path()
    versions = os.path.dirname(os.path.dirname(os.path.dirname(python)))
    home = subprocess.run(["bash", "-c", "unset HOME; echo ~"], capture_output=True, text=True).stdout.strip()
    if os.path.dirname(versions) != os.path.join(home, ".pyenv"):
        pytest.skip("Python 3.10 here is not a pyenv version in the user's home folder")
    environment = {key: value for key, value in os.environ.items() if key != "PYENV_ROOT"}
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(tmp_path / "venv"),
                                str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=300,
                               env=dict(environment, HOME="", PATH="/usr/bin:/bin"))
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    assert (tmp_path / "venv" / "pyvenv.cfg").is_file()


def test_the_set_up_of_a_venv_without_pip_not_the_users_to_write_is_one_line(tmp_path):
    """A venv made without pip (`uv venv`, `python -m venv --without-pip`) that is not the user's to write (a shared
    one): ensurepip's pip error, its traceback and exit code 1. Now one line with pip's error."""
    venv = tmp_path / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    before = sorted(str(path) for path in venv.rglob("*"))
    without_root_override = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    subprocess.run(["chmod", "-R", "a-w", str(venv)], check=True)
    try:
        completed = subprocess.run([*(without_root_override if os.geteuid() == 0 else []), "bash",
                                    os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                    str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=300)
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(venv)], check=True)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error: cannot install pip into {venv} (") and "denied" in lines[0], lines[0]
    assert sorted(str(path) for path in venv.rglob("*")) == before


def test_make_test_hands_its_chromium_to_the_web_pages_tests(tmp_path):
    """`make test CHROMIUM=/opt/chromium/chrome` (a Chromium a user not root installed elsewhere): make's check passed,
    and every test of the web page then failed on /usr/bin/chromium, which tests/test_app.py drove whatever CHROMIUM
    said. Staged in a copy of the Makefile whose venv's python records the CHROMIUM pytest is given, and by reading
    test_app's CHROMIUM under that environment."""
    chromium = users_chromium(tmp_path)
    completed = make_test_recording_chromium(tmp_path, f"CHROMIUM={chromium}")
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "given").read_text() == str(chromium)
    read = subprocess.run([sys.executable, "-c", "import sys; sys.path[:0] = ['tests', '.']; import test_app; "
                           "print(test_app.CHROMIUM)"], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
                          env=dict(os.environ, CHROMIUM=str(chromium)))
    assert read.returncode == 0 and read.stdout.strip() == str(chromium), read.stderr


def test_make_browser_refuses_a_chromium_that_is_a_folder(tmp_path):
    """`make browser CHROMIUM=/usr/bin` (a folder): test -x passed it, and the web page's tests failed on it. As a user
    not root (an `id` of the test's own on PATH), one line saying what to do."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "id").write_text("#!/bin/sh\necho 1000\n")
    (fake_bin / "id").chmod(0o755)
    completed = subprocess.run(["make", "--no-print-directory", "-C", REPO_ROOT, "browser", f"CHROMIUM={tmp_path}"],
                               capture_output=True, text=True, timeout=60,
                               env=dict(top_level_make_environment(), PATH=f"{fake_bin}:/usr/bin:/bin"))
    lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
    assert completed.returncode == 2 and len(lines) == 1, completed
    assert lines[0].startswith(f"error: {tmp_path} is missing or not a program") and "CHROMIUM" in lines[0]


def test_the_set_up_of_a_folder_not_the_users_to_read_is_one_line(tmp_path):
    """VENV=<an empty folder not the user's to read> (mode 000, another user's): ls's "cannot open directory" line,
    then venv's failure and find's, exit code 1 without a line of the set-up's. Run as root without its override of
    permissions where the tests run as root."""
    folder = tmp_path / "locked"
    folder.mkdir()
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    without_root_override = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    folder.chmod(0)
    try:
        completed = subprocess.run([*(without_root_override if os.geteuid() == 0 else []), "bash",
                                    os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(folder),
                                    str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=300)
    finally:
        folder.chmod(0o755)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0] == f"error: cannot read the folder {folder} (Permission denied); set VENV to a folder of yours"
    assert os.listdir(folder) == []


def test_the_set_up_with_a_pip_configuration_pip_cannot_read_says_so_in_one_line(tmp_path):
    """A pip.conf pip cannot read (a section header missing its ]): `pip --version` failed, so the venv was said to have
    no pip ("installing pip into venv (it has none ...)", ensurepip every run), and pip's failure was its last line,
    the file's line it stopped at ('[global\\n')."""
    venv = tmp_path / "venv"
    venv_with_pip(venv)
    (tmp_path / "pip.conf").write_text("[global\nindex-url = http://127.0.0.1:1/simple\n")
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(tmp_path / "requirements.txt")], capture_output=True, text=True, timeout=300,
                               env=dict(os.environ, PIP_CONFIG_FILE=str(tmp_path / "pip.conf")))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert "its configuration file could not be loaded: File contains no section headers" in lines[0], lines[0]
    assert f"{tmp_path}/pip.conf" in lines[0] and "installing pip" not in completed.stdout, completed.stdout


@pytest.mark.parametrize("name", ["notes.txt/", "notes.txt//"])
def test_the_set_up_of_a_file_named_with_a_slash_says_it_is_a_file(tmp_path, name):
    """VENV=notes.txt/ (a file, the name completed by the shell and a / typed after it): test -e follows the /, so the
    file was not seen: mkdir's "cannot make the folder notes.txt/ (File exists)"."""
    (tmp_path / "notes.txt").write_text("the user's")
    completed = make_venv(tmp_path, name, cwd=tmp_path)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error: {name} is a file, not a folder"), lines[0]
    assert (tmp_path / "notes.txt").read_text() == "the user's"


def make_venv_refusal(copy, goal, name):
    """The one error line of `make goal VENV=name` in copy (set_up_copy), asserted to exit with code 2."""
    completed = subprocess.run(["make", "--no-print-directory", goal, f"VENV={name}"], cwd=copy, capture_output=True,
                               text=True, timeout=300, env=top_level_make_environment())
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    return lines[0]


def make_dry_run_refusal(tmp_path, goal, setting):
    """The one error line of `make -n goal setting` (`NAME=value`) in a set_up_copy, asserted to exit with code 2 and to
    print no command."""
    completed = subprocess.run(["make", "--no-print-directory", "-n", goal, setting], cwd=set_up_copy(tmp_path),
                               capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and not completed.stdout, completed.stdout + completed.stderr
    return lines[0]


# Sixteenth pass, second look at make's set-up, VENV and CHROMIUM

@pytest.mark.parametrize("goal, name", [("setup", "$HOME/v"), ("clean-venv", "a$b")])
def test_make_with_a_venv_name_holding_a_dollar_before_a_letter_is_one_line_and_touches_no_other_venv(tmp_path, goal,
                                                                                                        name):
    """`make setup VENV='$HOME/v'` (quoted, so the shell left the $ to make) made a venv OME/v: make reads $H as its
    variable H, empty. `make clean-venv VENV='a$b'` removed the venv a."""
    copy = set_up_copy(tmp_path)
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(copy / "a")], check=True, timeout=120)
    line = make_venv_refusal(copy, goal, name)
    assert f"VENV '{name}' holds a $" in line, line
    assert sorted(os.listdir(copy)) == ["Makefile", "a", "requirements-nodeps.txt", "requirements-tensorflow.txt",
                                        "requirements-test.txt", "requirements.txt", "utils"]
    assert (copy / "a" / "pyvenv.cfg").is_file()


@pytest.mark.parametrize("setting", ["PIP_TIMEOUT=abc", "PIP_REQUIRE_VIRTUALENV=maybe"])
def test_the_set_up_with_a_pip_variable_pip_cannot_read_says_so_and_installs_no_pip(tmp_path, setting):
    """A PIP_ variable pip cannot read: `pip --version` failed, so a venv with pip was said to have none ("installing
    pip into venv (it has none ...)", ensurepip every run), as a pip.conf pip cannot read was before its fix. (Named
    as a new venv's line names it since the twenty-fifth pass's second look, where pip install's line named none.)"""
    venv = tmp_path / "venv"
    venv_with_pip(venv)
    name, value = setting.split("=")
    requirements = set_up_copy(tmp_path) / "requirements.txt"
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv), str(requirements)],
                               capture_output=True, text=True, timeout=300, env=dict(os.environ, **{name: value}))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error: {name} is set ({value}), which pip refuses (") and (
        lines[0].endswith("; unset it or give it a value pip takes, then run make again")), lines[0]
    assert "installing pip" not in completed.stdout, completed.stdout


def test_the_line_for_a_venv_whose_python_is_gone_names_the_clean_venv_that_removes_it(tmp_path):
    """A VENV whose Python was removed (or another Python's) was "remove it ('make clean-venv' removes .venv)", which
    sent a user of VENV=v to remove the repository's .venv, not v."""
    copy = set_up_copy(tmp_path)
    venv = copy / "v"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    (venv / "bin" / "python").unlink()
    (venv / "bin" / "python").symlink_to(tmp_path / "removed" / "python3.10")
    completed = subprocess.run(["make", "--no-print-directory", "setup", "VENV=v"], cwd=copy, capture_output=True,
                               text=True, timeout=300, env=top_level_make_environment())
    said = re.search(r"\('(make clean-venv[^']*)' removes it\)", completed.stderr)
    assert completed.returncode == 2 and said, completed.stderr
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(copy / ".venv")], check=True, timeout=120)
    cleaned = subprocess.run(said.group(1).split(), cwd=copy, capture_output=True, text=True, timeout=60,
                             env=top_level_make_environment())
    assert cleaned.returncode == 0 and not os.path.lexists(venv) and (copy / ".venv" / "pyvenv.cfg").is_file()


def make_test_recording_chromium(tmp_path, *make_settings, environment=()):
    """`make test` in a copy of the Makefile whose venv's python records the CHROMIUM pytest is given (in
    tmp_path/given), as a user not root (an `id` of the test's own first on PATH)."""
    copy = set_up_copy(tmp_path)
    (copy / "venv" / "bin").mkdir(parents=True)
    (copy / "venv" / "bin" / "python").write_text(f'#!/bin/sh\n[ "$1" = -c ] && {{ echo 1; exit 0; }}\n'
                                                  f'printf %s "$CHROMIUM" > {tmp_path}/given\n')
    (copy / "venv" / "bin" / "python").chmod(0o755)
    for stamp in (".installed", ".installed-test"):
        (copy / "venv" / stamp).write_text("")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "id").write_text("#!/bin/sh\necho 1000\n")
    (tmp_path / "bin" / "id").chmod(0o755)
    return subprocess.run(["make", "--no-print-directory", "test", "VENV=venv", *make_settings], cwd=copy,
                          capture_output=True, text=True, timeout=60,
                          env=dict(top_level_make_environment(), PATH=f"{tmp_path}/bin:/usr/bin:/bin",
                                   **dict(environment)))


def users_chromium(tmp_path):
    """A Chromium of the user's elsewhere than Debian's (a script), in a folder named with a space."""
    chromium = tmp_path / "my chromium" / "chrome"
    chromium.parent.mkdir()
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    return chromium


def test_make_test_takes_a_chromium_from_the_environment(tmp_path):
    """`CHROMIUM=/opt/chromium/chrome make test` (exported, as pytest alone reads it): make checked /usr/bin/chromium
    and handed that to the tests; without it, "set CHROMIUM to the Chromium you have", which the user had (and as root,
    apt-get installed Debian's)."""
    chromium = users_chromium(tmp_path)
    completed = make_test_recording_chromium(tmp_path, environment={"CHROMIUM": str(chromium)})
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "given").read_text() == str(chromium)


@pytest.mark.parametrize("where", ["command line", "environment"])
def test_make_test_with_chromium_empty_takes_debians_as_the_tests_do(tmp_path, where):
    """`make test CHROMIUM=` (a shell variable unset: `CHROMIUM=$CHROME`) was "error:  is missing or not a program",
    the name left out (and, as root, apt-get run first), where tests/test_app.py reads an empty CHROMIUM as Debian's
    /usr/bin/chromium."""
    completed = make_test_recording_chromium(tmp_path, *(["CHROMIUM="] if where == "command line" else []),
                                             environment={"CHROMIUM": ""} if where == "environment" else {})
    debians = os.path.isfile("/usr/bin/chromium") and os.access("/usr/bin/chromium", os.X_OK)
    if debians:
        assert completed.returncode == 0 and (tmp_path / "given").read_text() == "/usr/bin/chromium", completed.stderr
    else:
        lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
        assert completed.returncode == 2 and len(lines) == 1, completed.stderr
        assert lines[0].startswith("error: /usr/bin/chromium is missing"), lines[0]


def test_two_set_ups_of_one_venv_at_once_take_turns(tmp_path):
    """`make demo` and `make app` started together on a fresh clone: both ran venv, ensurepip and pip in one folder, the
    second saying "installing pip into venv (it has none: ... an earlier set-up stopped before pip was in)". The second
    is started once the first's venv has its pyvenv.cfg, while its pip is still being put in."""
    copy = set_up_copy(tmp_path)
    first = subprocess.Popen(["make", "--no-print-directory", "setup", "VENV=venv"], cwd=copy, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=top_level_make_environment())
    deadline = time.monotonic() + 120
    while not (copy / "venv" / "pyvenv.cfg").exists() and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.01)
    second = subprocess.run(["make", "--no-print-directory", "setup", "VENV=venv"], cwd=copy, capture_output=True,
                            text=True, timeout=300, env=top_level_make_environment())
    _, first_err = first.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, (first_err, second.stderr)
    assert "installing pip" not in second.stdout and "waiting for another set-up" in second.stdout, second.stdout
    assert subprocess.run([str(copy / "venv" / "bin" / "python"), "-m", "pip", "--version"],
                          capture_output=True).returncode == 0


@pytest.mark.parametrize("name", ["link", "link/"])
def test_make_clean_venv_of_a_link_to_nothing_says_so_and_keeps_it(tmp_path, name):
    """`make clean-venv VENV=<a link to nothing>` (a venv's disk not mounted) said the link "holds files of its own
    beside the virtual environment's (such as 'link')": ls lists the link itself."""
    (tmp_path / "link").symlink_to(tmp_path / "disk")
    completed = clean_venv(f"VENV={tmp_path}/{name}")
    lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error: '{tmp_path}/link' is a link to {tmp_path}/disk, which leads to no folder")
    assert os.readlink(tmp_path / "link") == str(tmp_path / "disk")


# Sixteenth pass, third look at the sixteenth pass's set-up fixes

@pytest.mark.parametrize("goal", ["setup", "clean-venv"])
def test_make_with_a_venv_name_ending_in_makes_literal_dollar_takes_it_as_one(tmp_path, goal):
    """`VENV='a$$'` is make's way of writing the folder a$ (a `$$` is a literal $): the check for a $ make reads took
    the second $ of the pair as one ending the name, and the first as a $ before a letter, so `make clean-venv` of a
    venv a$ was refused as "a $ that make reads as one of its variables (the name became 'a$')", and `make setup`
    said so too, not that a $ is read by the shell in its commands."""
    copy = set_up_copy(tmp_path)
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(copy / "a$")], check=True, timeout=120)
    completed = subprocess.run(["make", "--no-print-directory", goal, "VENV=a$$"], cwd=copy, capture_output=True,
                               text=True, timeout=300, env=top_level_make_environment())
    assert "make reads as one of its variables" not in completed.stderr, completed.stderr
    if goal == "clean-venv":
        assert completed.returncode == 0 and not os.path.lexists(copy / "a$"), completed.stderr
    else:
        lines = completed.stderr.strip().splitlines()
        assert completed.returncode == 2 and len(lines) == 1, completed.stderr
        assert "VENV 'a$' holds $, which make or the shell reads in its commands" in lines[0], lines[0]
        assert (copy / "a$" / "pyvenv.cfg").is_file() and not (copy / "a$" / ".installed").exists()


@pytest.mark.parametrize("name", ["$(HOME", "${HOME}/v${PWD", "$b$(HOME"])
@pytest.mark.parametrize("goal", ["setup", "clean-venv"])
def test_make_with_a_venv_name_holding_an_unclosed_reference_names_venv(tmp_path, goal, name):
    """`VENV='$(HOME'` (a `$(` or `${` left open) was make's "Makefile:21: *** unterminated variable reference.  Stop.",
    naming neither VENV nor the name."""
    copy = set_up_copy(tmp_path)
    line = make_venv_refusal(copy, goal, name)
    assert f"VENV '{name}' holds a $( or ${{ that is not closed" in line, line
    assert sorted(os.listdir(copy)) == ["Makefile", "requirements-nodeps.txt", "requirements-tensorflow.txt",
                                        "requirements-test.txt", "requirements.txt", "utils"]


@pytest.mark.parametrize("where", ["command line", "environment"])
def test_make_test_hands_the_chromium_named_with_two_spaces_as_written(tmp_path, where):
    """`CHROMIUM='/opt/my  chromium/chrome'` (two spaces): make's strip made it '/opt/my chromium/chrome', another
    Chromium, checked and handed to the tests where there is one."""
    chromium = tmp_path / "my  chromium" / "chrome"
    chromium.parent.mkdir()
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    other = tmp_path / "my chromium" / "chrome"
    other.parent.mkdir()
    shutil.copy(chromium, other)
    completed = make_test_recording_chromium(
        tmp_path, *([f"CHROMIUM={chromium}"] if where == "command line" else []),
        environment={"CHROMIUM": str(chromium)} if where == "environment" else {})
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "given").read_text() == str(chromium)


def test_make_test_takes_a_chromium_from_the_environment_holding_a_dollar_as_written(tmp_path):
    """`CHROMIUM='/opt/a$x/chrome' make test` (the shell's value, exported): make read `$x` as its variable x, empty,
    and checked '/opt/a/chrome' ("error: .../a/ is missing or not a program"), where the tests read the path given."""
    chromium = tmp_path / "a$x" / "chrome"
    chromium.parent.mkdir()
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    completed = make_test_recording_chromium(tmp_path, environment={"CHROMIUM": str(chromium)})
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "given").read_text() == str(chromium)


def test_two_set_ups_of_one_venv_linked_to_from_two_clones_take_turns(tmp_path):
    """Two clones whose venv links to one shared folder, set up at once: each locked the folder its link is in, so
    both ran venv, ensurepip and pip in the shared folder, the second saying "installing pip into venv (it has none:
    ... an earlier set-up stopped before pip was in)"."""
    (tmp_path / "shared" / "venv").mkdir(parents=True)
    copies = []
    for clone in ("first", "second"):
        copies.append(set_up_copy(tmp_path / clone))
        (copies[-1] / "venv").symlink_to(tmp_path / "shared" / "venv")
    first = subprocess.Popen(["make", "--no-print-directory", "setup", "VENV=venv"], cwd=copies[0],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=top_level_make_environment())
    deadline = time.monotonic() + 120
    while not (tmp_path / "shared" / "venv" / "pyvenv.cfg").exists() and time.monotonic() < deadline \
            and first.poll() is None:
        time.sleep(0.01)
    second = subprocess.run(["make", "--no-print-directory", "setup", "VENV=venv"], cwd=copies[1], capture_output=True,
                            text=True, timeout=300, env=top_level_make_environment())
    _, first_err = first.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, (first_err, second.stderr)
    assert "installing pip" not in second.stdout and "waiting for another set-up" in second.stdout, second.stdout


def test_the_set_up_where_flock_cannot_lock_goes_on_without_the_lock(tmp_path):
    """On NFS, flock locks only what is open for writing (never a folder): flock's "9: Bad file descriptor" (exit code
    65), then "waiting for another set-up" with none, and the set-up stopped with exit code 65, for every set-up. A
    flock of the test's own that fails as util-linux's does there stands in for NFS."""
    copy = set_up_copy(tmp_path)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "flock").write_text('#!/bin/sh\necho "flock: 9: Bad file descriptor" >&2\nexit 65\n')
    (tmp_path / "bin" / "flock").chmod(0o755)
    completed = subprocess.run(["make", "--no-print-directory", "setup", "VENV=venv"], cwd=copy, capture_output=True,
                               text=True, timeout=300,
                               env=dict(top_level_make_environment(), PATH=f"{tmp_path}/bin:{os.environ['PATH']}"))
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    assert "waiting" not in completed.stdout and (copy / "venv" / ".installed").exists(), completed.stdout


@pytest.mark.parametrize("name", ["my venv", "my "])
def test_make_clean_venv_of_a_name_make_splits_says_nothing_but_what_it_removes(tmp_path, name):
    """`make clean-venv VENV='my venv'` (the one goal that takes such a name) removed it, after make's two warnings
    "overriding recipe for target 'my'" and "ignoring old recipe for target 'my'": the set-up's rules, of two targets
    each, named the first word twice."""
    copy = set_up_copy(tmp_path)
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(copy / name)], check=True, timeout=120)
    completed = subprocess.run(["make", "--no-print-directory", "clean-venv", f"VENV={name}"], cwd=copy,
                               capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    assert completed.stdout == f'rm -rf "{name}"\n' and not os.path.lexists(copy / name)


def test_make_test_drops_the_spaces_around_a_chromium_from_the_environment(tmp_path):
    """Spaces around an exported CHROMIUM (`CHROMIUM=" $CHROME "`) are dropped, as before CHROMIUM was taken as written
    inside: the Chromium is found and handed to the tests without them."""
    chromium = users_chromium(tmp_path)
    completed = make_test_recording_chromium(tmp_path, environment={"CHROMIUM": f"  {chromium} "})
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "given").read_text() == str(chromium)


# Seventeenth pass, second look at make's set-up, VENV and CHROMIUM

def test_make_gpu_check_runs_its_steps_with_the_venv_make_set_up(tmp_path):
    """`make gpu-check VENV=v` set up v, then ran every step of benchmarks/gpu_check.sh with .venv's Python and mpirun
    (missing: "No such file or directory" on every step; or another venv measured). An nvidia-smi of the test's own
    lists a GPU; the venv's python and mpirun record that they ran."""
    copy = set_up_copy(tmp_path)
    (copy / "benchmarks").mkdir()
    shutil.copy(os.path.join(REPO_ROOT, "benchmarks", "gpu_check.sh"), copy / "benchmarks")
    (copy / "requirements-gpu.txt").write_text("")
    (copy / "v" / "bin").mkdir(parents=True)
    (copy / "v" / "pyvenv.cfg").write_text("")
    for program in ("python", "mpirun"):
        (copy / "v" / "bin" / program).write_text(f'#!/bin/sh\necho "$0" >> {tmp_path}/ran\n'
                                                  '[ "$1" = -c ] && echo 1\nexit 0\n')
        (copy / "v" / "bin" / program).chmod(0o755)
    for stamp in (".installed", ".installed-test"):
        (copy / "v" / stamp).write_text("")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "nvidia-smi").write_text('#!/bin/sh\necho "GPU 0: a GPU"\n')
    (tmp_path / "bin" / "nvidia-smi").chmod(0o755)
    completed = subprocess.run(["make", "--no-print-directory", "gpu-check", "VENV=v"], cwd=copy, capture_output=True,
                               text=True, timeout=300,
                               env=dict(top_level_make_environment(), GPU_CHECK_DIR=str(tmp_path / "work"),
                                        PATH=f"{tmp_path}/bin:{os.environ['PATH']}"))
    logs = "".join(path.read_text() for path in sorted((tmp_path / "work").glob("step_*.log")))
    assert ".venv" not in logs, logs
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert {"v/bin/python", "v/bin/mpirun"} <= set((tmp_path / "ran").read_text().split())


@pytest.mark.parametrize("setting", ["PIP_TARGET", "PIP_PREFIX", "PIP_ROOT", "PIP_DRY_RUN", "PIP_USER", "PIP_PYTHON"])
def test_the_set_up_with_a_pip_variable_that_installs_elsewhere_installs_into_the_venv(tmp_path, setting):
    """PIP_TARGET, PIP_PREFIX, PIP_ROOT (pip installed into that folder), PIP_PYTHON (into that Python's environment)
    and PIP_DRY_RUN (nothing installed): the set-up ended with exit code 0 and its stamp, the venv without the packages,
    so `make demo` then failed to import them. PIP_USER was pip's refusal of a --user install in a venv."""
    venv = tmp_path / "venv"
    for folder in (venv, tmp_path / "elsewhere") if setting == "PIP_PYTHON" else (venv,):
        venv_with_pip(folder)
    requirements = set_up_copy(tmp_path, "package\n") / "requirements.txt"
    wheel_of_a_package(tmp_path)
    value = {"PIP_DRY_RUN": "1", "PIP_USER": "1",
             "PIP_PYTHON": str(tmp_path / "elsewhere" / "bin" / "python")}.get(setting, str(tmp_path / "elsewhere"))
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv), str(requirements)],
                               capture_output=True, text=True, timeout=300,
                               env=dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1",
                                        PIP_FIND_LINKS=str(tmp_path), **{setting: value}))
    assert completed.returncode == 0, completed.stderr
    assert subprocess.run([str(venv / "bin" / "python"), "-c", "import package"], timeout=60).returncode == 0
    assert not list((tmp_path / "elsewhere").rglob("package"))


@pytest.mark.parametrize("where", ["command line", "environment"])
def test_make_test_with_a_chromium_holding_a_newline_is_one_line(tmp_path, where):
    """`CHROMIUM=$'/opt/a\\nb/chrome'`: make cut its command at the newline, the shell's "Syntax error: Unterminated
    quoted string"."""
    chromium = tmp_path / "a\nb" / "chrome"
    chromium.parent.mkdir()
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    completed = make_test_recording_chromium(
        tmp_path, *([f"CHROMIUM={chromium}"] if where == "command line" else []),
        environment={"CHROMIUM": str(chromium)} if where == "environment" else {})
    lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith("error: CHROMIUM holds a newline"), lines[0]
    assert not (tmp_path / "given").exists()


@pytest.mark.parametrize("goal", ["setup", "clean-venv"])
def test_make_run_in_another_folder_with_the_makefile_named_is_one_line_and_touches_no_venv_there(tmp_path, goal):
    """`make -f ~/TecoGAN/Makefile setup` in another folder was make's "No rule to make target 'requirements.txt'",
    and `clean-venv` removed that folder's own .venv (another project's)."""
    copy = set_up_copy(tmp_path)
    (tmp_path / "other").mkdir()
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(tmp_path / "other" / ".venv")], check=True,
                   timeout=120)
    completed = subprocess.run(["make", "--no-print-directory", "-f", str(copy / "Makefile"), goal],
                               cwd=tmp_path / "other", capture_output=True, text=True, timeout=60,
                               env=top_level_make_environment())
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert f"make runs in {tmp_path}/other, which has no utils/make_venv.sh" in lines[0], lines[0]
    assert (tmp_path / "other" / ".venv" / "pyvenv.cfg").is_file() and not completed.stdout


def python_other_than_310():
    """A Python of another version than 3.10 on this machine (on PATH, Debian's, pyenv's), or None."""
    pyenv = os.path.expanduser("~/.pyenv/versions")
    candidates = [shutil.which(name) for name in ("python3", "python3.11", "python3.12", "python3.13", "python3.9")]
    candidates += ["/usr/bin/python3"] + sorted(os.path.join(pyenv, version, "bin", "python3")
                                                for version in (os.listdir(pyenv) if os.path.isdir(pyenv) else []))
    for candidate in filter(None, candidates):
        version = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2] >= (3, 3) and "
                                  "sys.version_info[:2] != (3, 10))"], capture_output=True, text=True, timeout=60)
        if version.stdout.strip() == "True":
            return candidate
    return None


def venv_of_another_python(tmp_path):
    """tmp_path/venv, a venv (without pip) of a Python other than 3.10; the test skipped where there is none."""
    other = python_other_than_310()
    if other is None:
        pytest.skip("no Python but 3.10 on this machine")
    venv = tmp_path / "venv"
    subprocess.run([other, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    return venv


def test_the_set_up_with_pythonoptimize_refuses_a_venv_of_another_python(tmp_path):
    """PYTHONOPTIMIZE=1 (Python drops asserts): the version check, an assert, passed a venv of Python 3.12, into which
    the set-up put pip, then pip failed on the requirements ("note: This error originates from a subprocess")."""
    venv = venv_of_another_python(tmp_path)
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(set_up_copy(tmp_path) / "requirements.txt")], capture_output=True, text=True,
                               timeout=300, env=dict(os.environ, PYTHONOPTIMIZE="1"))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error: {venv} holds Python 3.") and "not the Python 3.10" in lines[0], lines[0]
    assert "installing pip" not in completed.stdout and not list(venv.glob("lib/*/site-packages/pip")), completed.stdout


def set_up_of_a_broken_build(tmp_path, failure):
    """make_venv.sh on a copy of the repository whose requirements hold a package whose setup.py is failure: the venv
    and the stderr's one line (asserted one, with exit code 2)."""
    copy = set_up_copy(tmp_path, "./broken\n")
    (copy / "broken").mkdir()
    (copy / "broken" / "setup.py").write_text(failure + "\n")
    venv = tmp_path / "venv"
    venv_with_pip(venv)
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                "requirements.txt"], cwd=copy, capture_output=True, text=True, timeout=300,
                               env=dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1"))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    return venv, lines


@pytest.mark.parametrize("failure, said", [("print 'x'", "SyntaxError: Missing parentheses in call to 'print'"),
                                           ("import sys; sys.exit('gcc: error: x.c: No such file')",
                                            "gcc: error: x.c: No such file")])
def test_the_set_up_with_a_package_whose_build_fails_without_an_error_line_names_the_builds_last_line(tmp_path, failure,
                                                                                                      said):
    """A package built by pip (an sdist) whose build failed with a Python exception or a compiler's "gcc: error: ..."
    (no line beginning with "error:"): the one line was pip's closing "(hint: See above for details.)", nothing
    above it."""
    venv, lines = set_up_of_a_broken_build(tmp_path, failure)
    assert lines[0].startswith(f"error: pip could not install requirements.txt into {venv} ({said}"), lines[0]


def test_make_setup_with_pythoninspect_set_asks_nothing(tmp_path):
    """PYTHONINSPECT=1: every Python of the set-up went on to read commands after its own, from make's standard input:
    on a terminal a hang with no prompt shown, from a pipe (here, one nothing is written to) "Python 3.10 not found;
    install it" with Python 3.10 there, and for a venv there "venv holds Python 3.10, not the Python 3.10 NNabla 1.39
    needs"."""
    copy = set_up_copy(tmp_path)
    read_end, write_end = os.pipe()
    try:
        make = subprocess.Popen(["make", "--no-print-directory", "setup", "VENV=venv"], cwd=copy, stdin=read_end,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=dict(top_level_make_environment(), PYTHONINSPECT="1"))
        try:
            _, err = make.communicate(timeout=300)
        finally:
            make.kill()
    finally:
        os.close(read_end)
        os.close(write_end)
    assert make.returncode == 0 and not err, err
    assert (copy / "venv" / ".installed").exists()


def test_the_set_up_of_a_venv_beyond_ascii_with_pythons_utf8_mode_off_names_the_encoding(tmp_path):
    """`LC_ALL=C PYTHONUTF8=0 make setup VENV=é`: Python's file system encoding is then ASCII, pip could not write the
    path into the venv's scripts, and the line asked "is its disk full, or its path too long?"."""
    venv = tmp_path / "é"
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(set_up_copy(tmp_path) / "requirements.txt")], capture_output=True, text=True,
                               encoding="utf-8", timeout=300, env=dict(os.environ, LC_ALL="C", PYTHONUTF8="0"))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error: the path of {venv} ({venv}) cannot be written in Python's file system "
                               "encoding here (ascii") and "disk full" not in lines[0], lines[0]
    assert not os.path.lexists(venv)


def test_the_line_for_a_venv_whose_path_is_not_utf8_says_what_path_to_choose(tmp_path):
    """The line for a VENV whose path is not UTF-8 ended "set VENV to a folder whose path is", the sentence cut
    short."""
    venv = os.path.join(os.fsdecode(bytes(tmp_path)), os.fsdecode(b"venv\xff"))
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), venv,
                                str(set_up_copy(tmp_path) / "requirements.txt")], capture_output=True, timeout=300)
    lines = os.fsdecode(completed.stderr).strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].endswith("is not UTF-8, which pip cannot write into a virtual environment's scripts; set VENV to "
                             "a folder whose path is UTF-8"), lines[0]


@pytest.mark.parametrize("setting", ["PIP_LOG", "PIP_LOCAL_LOG"])
@pytest.mark.parametrize("log", ["a folder", "under /proc"])
def test_the_set_up_with_a_pip_log_file_pip_cannot_write_is_one_line(tmp_path, setting, log):
    """PIP_LOG (pip's --log, also read as PIP_LOG_FILE and PIP_LOCAL_LOG) naming a folder or a file that cannot be made:
    pip's "--- Logging error ---" and a traceback for each line it logged, hundreds of lines, on a set-up that went on
    with exit code 0."""
    venv = tmp_path / "venv"
    path = str(tmp_path) if log == "a folder" else "/proc/pip.log"
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(set_up_copy(tmp_path) / "requirements.txt")], capture_output=True, text=True,
                               timeout=300, env=dict(os.environ, **{setting: path}))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error: {setting} is set ({path}), a log file pip cannot write ("), lines[0]
    assert not os.path.lexists(venv)


def test_the_set_up_with_a_pip_log_file_in_a_missing_folder_goes_on(tmp_path):
    """pip makes the folder of its --log file where it is missing: such a PIP_LOG is not refused."""
    venv = tmp_path / "venv"
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(set_up_copy(tmp_path) / "requirements.txt")], capture_output=True, text=True,
                               timeout=300, env=dict(os.environ, PIP_LOG=str(tmp_path / "logs" / "pip.log")))
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    assert (tmp_path / "logs" / "pip.log").is_file() and (venv / "pyvenv.cfg").is_file()


# Seventeenth pass, third look at the seventeenth pass's set-up fixes

def set_up_with_a_pip_configuration(tmp_path, section, setting, value, venv_name="venv", environment=()):
    """make_venv.sh of a new venv (tmp_path/venv_name) with a requirements.txt of one local package, pip's only
    configuration file setting `setting` to `value` in `section`, and the variables of `environment` set."""
    venv = tmp_path / venv_name
    venv_with_pip(venv)
    requirements = set_up_copy(tmp_path, "package\n") / "requirements.txt"
    wheel_of_a_package(tmp_path)
    (tmp_path / "pip.conf").write_text(f"[{section}]\n{setting} = {value}\n")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv), str(requirements)],
                               capture_output=True, text=True, timeout=300,
                               env=dict(os.environ, PIP_CONFIG_FILE=str(tmp_path / "pip.conf"), PIP_NO_INDEX="1",
                                        PIP_FIND_LINKS=str(tmp_path), **dict(environment)))
    installed = subprocess.run([str(venv / "bin" / "python"), "-c", "import package"], capture_output=True,
                               timeout=60).returncode == 0
    return completed, installed


@pytest.mark.parametrize("section, setting", [("install", "target"), ("global", "prefix"), ("install", "root"),
                                              ("global", "python")])
def test_the_set_up_with_a_pip_configuration_that_installs_elsewhere_is_one_line(tmp_path, section, setting):
    """The seventeenth pass dropped PIP_TARGET, PIP_PREFIX, PIP_ROOT and PIP_PYTHON, but a pip.conf (the user's, the
    system's, PIP_CONFIG_FILE's) setting the same was taken: exit code 0 with the venv empty, the packages in that
    folder, or in another Python's environment."""
    elsewhere = tmp_path / "elsewhere"
    if setting == "python":
        venv_with_pip(elsewhere)
    value = elsewhere / "bin" / "python" if setting == "python" else elsewhere
    completed, installed = set_up_with_a_pip_configuration(tmp_path, section, setting, value)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error: pip's configuration sets {section}.{setting}='{value}', which sends"), lines[0]
    assert not installed and not list(tmp_path.glob("elsewhere/**/package"))


@pytest.mark.parametrize("section, setting", [("install", "dry_run"), ("global", "user")])
def test_the_set_up_with_a_pip_configuration_that_installs_nothing_installs_into_the_venv(tmp_path, section, setting):
    """pip.conf's `dry-run` (nothing installed, exit code 0 and the stamp) and `user` (pip's refusal of a --user
    install in any venv), the settings whose variables the seventeenth pass dropped."""
    completed, installed = set_up_with_a_pip_configuration(tmp_path, section, setting, "true")
    assert completed.returncode == 0 and installed, completed.stderr


@pytest.mark.parametrize("goal", ["setup", "gpu-check"])
@pytest.mark.parametrize("name", ["v{1,2}", "v{a..b}"])
def test_make_with_a_venv_name_holding_braces_is_one_line_and_makes_nothing(tmp_path, goal, name):
    """`VENV='v{1,2}'`: where /bin/sh is bash (Fedora, Arch, macOS) the set-up's unquoted command made a venv v1 and
    asked pip for a requirements file v2; `make gpu-check`'s steps (run by bash) ran `v1/bin/python v2/bin/python`."""
    copy = set_up_copy(tmp_path)
    line = make_venv_refusal(copy, goal, name)
    assert f"VENV '{name}' holds {{ }}, which make or the shell reads" in line, line
    assert sorted(path.name for path in copy.iterdir() if path.name.startswith("v")) == []


@pytest.mark.parametrize("goal", ["setup", "clean-venv"])
def test_make_run_in_another_clone_with_this_makefile_named_is_one_line_and_touches_no_venv_there(tmp_path, goal):
    """The seventeenth pass's check looked only for a utils/make_venv.sh where make runs: `make -f ~/TecoGAN/Makefile
    clean-venv` in another clone (or a project with such a file) removed that folder's .venv."""
    copy = set_up_copy(tmp_path)
    other = set_up_copy(tmp_path / "other")
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(other / ".venv")], check=True, timeout=120)
    completed = subprocess.run(["make", "--no-print-directory", "-f", str(copy / "Makefile"), goal], cwd=other,
                               capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert f"make runs in {other}, whose Makefile is not this one ({copy / 'Makefile'})" in lines[0], lines[0]
    assert (other / ".venv" / "pyvenv.cfg").is_file() and not (other / ".venv" / "bin" / "pip").exists()
    assert not completed.stdout


@pytest.mark.parametrize("how", ["-C", "-f", "in it"])
def test_make_of_a_clone_whose_path_holds_spaces_and_quotes_runs(tmp_path, how):
    """The documented ways of running make (in the clone, `make -C <clone>`, `-f <clone>/Makefile` in it) on a clone
    whose path holds two spaces in a row, a quote, a $ and a backslash: not refused as another folder."""
    copy = set_up_copy(tmp_path / "my  clone's $x \\ \"q\"")
    command = {"-C": ["make", "-C", str(copy)], "-f": ["make", "-f", str(copy / "Makefile")], "in it": ["make"]}[how]
    completed = subprocess.run(command + ["--no-print-directory", "-n", "demo"], cwd=tmp_path if how == "-C" else copy,
                               capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    assert completed.returncode == 0 and ".venv/bin/python demo.py" in completed.stdout, completed.stderr


@pytest.mark.parametrize("venv", ["my venv", "v{1,2}"])
def test_the_gpu_check_with_a_venv_the_shell_splits_is_one_line(tmp_path, venv):
    """`GPU_CHECK_VENV='my venv' bash benchmarks/gpu_check.sh` (the venv `make gpu-check VENV=...` hands on): its steps
    take the name unquoted, so a venv `my` was set up and every step failed on "my: command not found"."""
    copy = set_up_copy(tmp_path)
    (copy / "benchmarks").mkdir()
    shutil.copy(os.path.join(REPO_ROOT, "benchmarks", "gpu_check.sh"), copy / "benchmarks")
    (copy / "requirements-gpu.txt").write_text("")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "nvidia-smi").write_text('#!/bin/sh\necho "GPU 0: a GPU"\n')
    (tmp_path / "bin" / "nvidia-smi").chmod(0o755)
    completed = subprocess.run(["bash", str(copy / "benchmarks" / "gpu_check.sh")], cwd=copy, capture_output=True,
                               text=True, timeout=300,
                               env=dict(top_level_make_environment(), GPU_CHECK_DIR=str(tmp_path / "work"),
                                        GPU_CHECK_VENV=venv, PATH=f"{tmp_path}/bin:{os.environ['PATH']}"))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error: GPU_CHECK_VENV '{venv}' holds a space or a character the shell reads"), lines[0]
    assert sorted(path.name for path in copy.iterdir() if path.name.startswith(("my", "v"))) == []


@pytest.mark.parametrize("failure, said", [("print('gcc: error: x.c: No such file'); print(); raise SystemExit(1)",
                                            "gcc: error: x.c: No such file"),
                                           ("print('error: old option ignored'); raise SystemExit('no compiler')",
                                            "no compiler")])
def test_the_set_up_with_a_package_whose_build_fails_names_the_builds_last_line_not_empty(tmp_path, failure, said):
    """A build whose last line was empty was pip's closing "(hint: See above for details.)" again; one that printed an
    "error:" line before it failed was said to fail on that line ("old option ignored")."""
    venv, lines = set_up_of_a_broken_build(tmp_path, failure)
    assert lines[0].startswith(f"error: pip could not install requirements.txt into {venv} ({said}); "), lines[0]


# Eighteenth pass, second look at make's set-up, VENV and CHROMIUM

@pytest.mark.parametrize("holding", ["the package", "another pip"])
def test_the_set_up_with_a_pythonpath_installs_into_the_venv(tmp_path, holding):
    """PYTHONPATH naming another environment's packages: pip took the requirement found there as installed and put
    none into the venv, exit code 0 and the stamp, so `make demo` failed without it. Naming a folder with a package
    `pip` in it, the sixteenth pass refused the set-up ("where venv's Python finds a pip that is not its own"): the
    set-up now installs without PYTHONPATH, and goes on."""
    other = tmp_path / "other"
    if holding == "the package":
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--find-links",
                        str(wheel_of_a_package(tmp_path).parent), "--target", str(other), "package"], check=True,
                       timeout=300)
    else:
        (other / "pip").mkdir(parents=True)
        (other / "pip" / "__init__.py").write_text("")
    completed, installed = set_up_with_a_pip_configuration(tmp_path, "global", "timeout", "60",
                                                           environment={"PYTHONPATH": str(other)})
    assert completed.returncode == 0 and not completed.stderr and installed, completed.stderr
    assert "installing pip" not in completed.stdout, completed.stdout


@pytest.mark.parametrize("setting", ["PIP_Target", "PIP_root", "PIP___PREFIX"])
def test_the_set_up_with_a_pip_variable_spelt_otherwise_installs_into_the_venv(tmp_path, setting):
    """pip reads its variables whatever the case after PIP_ (and a leading -- of the option's name): the seventeenth
    pass dropped PIP_TARGET, PIP_ROOT and PIP_PREFIX, but `PIP_Target=...` installed the packages into that folder,
    exit code 0 and the stamp with the venv empty."""
    completed, installed = set_up_with_a_pip_configuration(tmp_path, "global", "timeout", "60",
                                                           environment={setting: str(tmp_path / "elsewhere")})
    assert completed.returncode == 0 and installed, completed.stderr
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.parametrize("section, setting", [("install", "target"), ("global", "python")])
def test_the_set_up_with_an_empty_pip_configuration_setting_goes_on(tmp_path, section, setting):
    """pip ignores a setting left empty in its configuration file (`target =`): the seventeenth pass's check refused
    it as "sets install.target='', which sends the set-up's install elsewhere"."""
    completed, installed = set_up_with_a_pip_configuration(tmp_path, section, setting, "")
    assert completed.returncode == 0 and not completed.stderr and installed, completed.stderr


def test_the_set_up_of_a_venv_whose_path_holds_an_equals_sign_installs_into_it(tmp_path):
    """The seventeenth pass's pip ran through env, which reads any word with a = as a setting: a venv /tmp/x=y/venv (or
    `VENV=a=b`) was "pip could not install requirements.txt into ... (env: '-m': No such file or directory)"."""
    completed, installed = set_up_with_a_pip_configuration(tmp_path, "global", "timeout", "60", venv_name="x=y")
    assert completed.returncode == 0 and not completed.stderr and installed, completed.stderr


@pytest.mark.parametrize("log", ["under a file", "in /proc"])
def test_the_set_up_with_a_pip_log_file_in_a_folder_pip_cannot_make_is_one_line(tmp_path, log):
    """PIP_LOG naming a file in a missing folder pip cannot make (under a file, in /proc): the seventeenth pass checked
    only a folder there, and pip's "--- Logging error ---" with a traceback for each line it logged, some 1,500 lines,
    came on a set-up that went on with exit code 0."""
    (tmp_path / "notes.txt").write_text("the user's")
    path = str(tmp_path / "notes.txt" / "logs" / "pip.log") if log == "under a file" else "/proc/missing/pip.log"
    venv = tmp_path / "venv"
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(set_up_copy(tmp_path) / "requirements.txt")], capture_output=True, text=True,
                               timeout=300, env=dict(os.environ, PIP_LOG=path))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error: PIP_LOG is set ({path}), a log file pip cannot write ("), lines[0]
    assert not os.path.lexists(venv) and (tmp_path / "notes.txt").read_text() == "the user's"


@pytest.mark.parametrize("venv_there", [False, True], ids=["new venv", "venv there"])
@pytest.mark.parametrize("variable", ["PYTHONHOME", "PYTHONPLATLIBDIR"])
def test_the_set_up_with_a_variable_python_does_not_start_with_names_it(tmp_path, variable, venv_there):
    """PYTHONHOME set to a folder that is no Python's (another Python's, or one removed): Python 3.10 on PATH was "not
    found; install it", and a good venv was "no working Python (its Python was removed or moved); remove it"
    (sixteenth pass). PYTHONPLATLIBDIR (sys.platlibdir, `lib64` where Fedora builds Python so) naming a folder the
    Python has none of was the same two lines (eighteenth)."""
    value = str(tmp_path / "removed") if variable == "PYTHONHOME" else "lib-missing"
    assert_the_set_up_names_the_python_variable(tmp_path, variable, value, venv_there)


def venv_recording_its_programs(venv, record):
    """A stand-in venv (pyvenv.cfg, both stamps) whose python and mpirun append their path to `record` and succeed
    (printing 1 for `-c`, as make's check of the venv's Python wants)."""
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("")
    for program in ("python", "mpirun"):
        (venv / "bin" / program).write_text(f'#!/bin/sh\necho "$0" >> "{record}"\n[ "$1" = -c ] && echo 1\nexit 0\n')
        (venv / "bin" / program).chmod(0o755)
    for stamp in (".installed", ".installed-test"):
        (venv / stamp).write_text("")


def path_with_a_gpu(tmp_path):
    """PATH with an nvidia-smi of the test's own first, which lists a GPU."""
    (tmp_path / "bin").mkdir(exist_ok=True)
    (tmp_path / "bin" / "nvidia-smi").write_text('#!/bin/sh\necho "GPU 0: a GPU"\n')
    (tmp_path / "bin" / "nvidia-smi").chmod(0o755)
    return f"{tmp_path}/bin:{os.environ['PATH']}"


@pytest.mark.parametrize("goal", ["demo", "gpu-check"])
def test_make_with_a_venv_named_with_an_equals_sign_runs_its_python(tmp_path, goal):
    """`make setup VENV=a=b` set up a=b, but the shell read the first word of `a=b/bin/python demo.py` as an
    assignment: "demo.py: not found" for `make demo`, and "-m: command not found" for every step of `make
    gpu-check`."""
    copy = set_up_copy(tmp_path)
    (copy / "benchmarks").mkdir()
    shutil.copy(os.path.join(REPO_ROOT, "benchmarks", "gpu_check.sh"), copy / "benchmarks")
    (copy / "requirements-gpu.txt").write_text("")
    venv_recording_its_programs(copy / "a=b", tmp_path / "ran")
    completed = subprocess.run(["make", "--no-print-directory", goal, "VENV=a=b"], cwd=copy, capture_output=True,
                               text=True, timeout=300,
                               env=dict(top_level_make_environment(), GPU_CHECK_DIR=str(tmp_path / "work"),
                                        PATH=path_with_a_gpu(tmp_path)))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    ran = set(os.path.normpath(path) for path in (tmp_path / "ran").read_text().split())
    assert "a=b/bin/python" in ran and ("a=b/bin/mpirun" in ran) == (goal == "gpu-check"), ran


def test_make_clean_venv_removes_a_venv_holding_its_pip_configuration(tmp_path):
    """A venv's pip.conf (pip's configuration for that venv alone, its "site" file) was said to be a file of the user's
    beside the venv: "holds files of its own beside the virtual environment's (such as 'pip.conf'); nothing
    removed"."""
    copy = set_up_copy(tmp_path)
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(copy / "v")], check=True, timeout=120)
    (copy / "v" / "pip.conf").write_text("[global]\ntimeout = 60\n")
    completed = subprocess.run(["make", "--no-print-directory", "clean-venv", "VENV=v"], cwd=copy, capture_output=True,
                               text=True, timeout=60, env=top_level_make_environment())
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    assert not os.path.lexists(copy / "v")


@pytest.mark.parametrize("script", [".ci/run", "benchmarks/gpu_check.sh"])
def test_a_set_up_script_run_through_a_link_runs_in_its_repository(tmp_path, script):
    """.ci/run and benchmarks/gpu_check.sh go to the repository they are in, but run through a link elsewhere (`ln -s
    ~/TecoGAN/.ci/run ~/bin/ci`) they went to the folder above the link: make ran there (another project's Makefile,
    or make's "No rule to make target"), and the GPU check's steps ran there. A Makefile in each folder records where
    make ran."""
    copy = tmp_path / "repo"
    (copy / os.path.dirname(script)).mkdir(parents=True)
    shutil.copy(os.path.join(REPO_ROOT, script), copy / script)
    for folder in (copy, tmp_path):
        (folder / "Makefile").write_text('test setup-gpu setup-test:\n\t@echo "$(CURDIR)" >> ran\n')
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "script").symlink_to(copy / script)
    subprocess.run(["bash", str(tmp_path / "links" / "script")], cwd=tmp_path, capture_output=True, text=True,
                   timeout=120, env=dict(top_level_make_environment(), GPU_CHECK_DIR=str(tmp_path / "work"),
                                         PATH=path_with_a_gpu(tmp_path)))
    assert set((copy / "ran").read_text().splitlines()) == {str(copy)} and not (tmp_path / "ran").exists()


@pytest.mark.parametrize("workers", ["abc", "", "2 x"])
def test_make_test_with_a_test_workers_pytest_cannot_take_is_one_line_before_anything_runs(tmp_path, workers):
    """`make test TEST_WORKERS=abc` (or empty) set up the venv and checked the Chromium, then was pytest's usage
    lines ("argument -n/--numprocesses: invalid parse_numprocesses value: 'abc'") and make's."""
    copy = set_up_copy(tmp_path)
    completed = subprocess.run(["make", "--no-print-directory", "-n", "test", f"TEST_WORKERS={workers}"], cwd=copy,
                               capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and not completed.stdout, completed.stdout + completed.stderr
    assert f"TEST_WORKERS '{workers}' is not a number of pytest workers" in lines[0], lines[0]


def test_the_set_up_with_a_pip_log_file_pip_cannot_write_to_is_one_line(tmp_path):
    """PIP_LOG naming a file that opens but takes no bytes (/dev/full, as a log on a full disk): the seventeenth
    pass's check opens it, and pip's "--- Logging error ---" and a traceback for each line it logged, over a thousand
    lines, came on a set-up that went on with exit code 0."""
    completed, _ = set_up_with_a_pip_configuration(tmp_path, "global", "timeout", "60",
                                                   environment={"PIP_LOG": "/dev/full"})
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr[:2000]
    assert lines[0].startswith("error: pip could not write its log file (OSError: [Errno 28] No space left on device), "
                               "which PIP_LOG"), lines[0]


def test_the_set_up_with_another_venv_first_on_path_makes_a_venv_that_outlives_it(tmp_path):
    """Another project's venv of Python 3.10 activated (its bin first on PATH): the set-up made the venv with that
    venv's python3.10, whose home was then the other venv's bin, so removing the other venv left this one "no working
    Python (its Python was removed or moved)"."""
    python, path = python_310_and_path()
    other = tmp_path / "other"
    subprocess.run([python, "-m", "venv", "--without-pip", str(other)], check=True, timeout=120)
    venv = tmp_path / "venv"
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(set_up_copy(tmp_path) / "requirements.txt")], capture_output=True, text=True,
                               timeout=300, env=dict(os.environ, PATH=f"{other}/bin:{path}", VIRTUAL_ENV=str(other)))
    assert completed.returncode == 0, completed.stderr
    shutil.rmtree(other)
    assert subprocess.run([str(venv / "bin" / "python"), "-c", ""], timeout=60).returncode == 0


# Eighteenth pass, third look at the eighteenth pass's set-up fixes

@pytest.mark.parametrize("setting", ["PIP_--TARGET", "PIP_DRY-RUN", "PIP_no-deps"])
def test_the_set_up_with_a_pip_variable_the_shell_cannot_name_installs_into_the_venv(tmp_path, setting):
    """A PIP_ variable whose name is no shell variable's (a - in it, as `env` or a service's environment file sets it):
    bash passes it on unseen, and the eighteenth pass's pip_env, which drops the variables bash lists, left it to pip,
    which reads `PIP_--TARGET` as --target: exit code 0 and the stamp, the packages in that folder (or none
    installed)."""
    value = str(tmp_path / "elsewhere") if "TARGET" in setting else "1"
    completed, installed = set_up_with_a_pip_configuration(tmp_path, "global", "timeout", "60",
                                                           environment={setting: value})
    assert completed.returncode == 0 and installed, completed.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_the_set_up_reads_a_pip_log_file_of_a_tilde_alone_as_the_home_folder(tmp_path):
    """pip reads PIP_LOG as Python's expanduser does: `~` is the home folder (and `~name/` that user's home). The
    eighteenth pass's check read only `~/`: it made a file `~` in the folder make runs in (and a folder `~name`
    holding one), and let `~`, a folder pip cannot write, by to pip's logging error after the packages were in."""
    home = tmp_path / "home"
    home.mkdir()
    run_in = set_up_copy(tmp_path)
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(tmp_path / "venv"),
                                str(run_in / "requirements.txt")], cwd=run_in, capture_output=True, text=True,
                               timeout=300, env=dict(os.environ, HOME=str(home), PIP_LOG="~"))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith("error: PIP_LOG is set (~), a log file pip cannot write (Is a directory)"), lines[0]
    assert not list(run_in.glob("~*")) and not os.path.lexists(tmp_path / "venv")


@pytest.mark.parametrize("where", ["command line", "environment"])
def test_make_test_takes_test_workers_with_spaces_around_it(tmp_path, where):
    """`make test TEST_WORKERS='2 '` (or `auto ` from a CI system's settings) reached pytest as `-n 2`, the shell
    dropping the space; the eighteenth pass's check read it with the space and refused it as "not a number of pytest
    workers"."""
    copy = set_up_copy(tmp_path)
    given = "2 " if where == "command line" else " auto\t"
    completed = subprocess.run(["make", "--no-print-directory", "-n", "test"]
                               + ([f"TEST_WORKERS={given}"] if where == "command line" else []), cwd=copy,
                               capture_output=True, text=True, timeout=60,
                               env=dict(top_level_make_environment(),
                                        **({"TEST_WORKERS": given} if where == "environment" else {})))
    assert completed.returncode == 0, completed.stderr
    words = [line.split() for line in completed.stdout.splitlines() if " -m pytest " in line]
    assert len(words) == 1 and words[0][words[0].index("-n") + 1] == given.strip(), completed.stdout


# Nineteenth pass, second look at make's set-up, VENV and CHROMIUM

def assert_the_set_up_names_the_python_variable(tmp_path, variable, value, venv_there):
    """make_venv.sh, of a new venv or of one there (made without pip), with Python 3.10 on PATH and `variable` set to
    `value`, with which Python does not start, is one line naming the variable, the venv left as it was (none made)."""
    _, path = python_310_and_path()
    venv = tmp_path / "venv"
    if venv_there:
        subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(set_up_copy(tmp_path) / "requirements.txt")], capture_output=True, text=True,
                               timeout=300, env=dict(os.environ, PATH=path, **{variable: value}))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error: {variable} is set ({value}), with which ") and "unset it" in lines[0], lines[0]
    assert os.path.exists(venv / "pyvenv.cfg") == venv_there


@pytest.mark.parametrize("venv_there", [False, True], ids=["new venv", "venv there"])
@pytest.mark.parametrize("variable, value", [("PYTHONHASHSEED", "abc"), ("PYTHONUTF8", "2"),
                                             ("PYTHONIOENCODING", "no-such-codec")])
def test_the_set_up_with_a_python_variable_of_a_value_python_refuses_names_it(tmp_path, variable, value, venv_there):
    """Python's variables of a value it refuses ("Fatal Python error: ... PYTHONHASHSEED must be "random" or an
    integer"): the eighteenth pass named PYTHONHOME and PYTHONPLATLIBDIR alone, so Python 3.10 on PATH was "not found;
    install it", and a good venv "no working Python (its Python was removed or moved); remove it"."""
    assert_the_set_up_names_the_python_variable(tmp_path, variable, value, venv_there)


def test_the_set_up_with_a_log_file_pip_cannot_write_from_its_configuration_names_that_setting(tmp_path):
    """`log = /dev/full` in pip's configuration file (a log on a full disk): pip's logging error was said as "which
    PIP_LOG, PIP_LOG_FILE or PIP_LOCAL_LOG names; unset it", none of which was set."""
    completed, _ = set_up_with_a_pip_configuration(tmp_path, "global", "log", "/dev/full")
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr[:2000]
    assert "which pip's configuration sets (global.log='/dev/full')" in lines[0] and "PIP_LOG" not in lines[0], lines[0]


def test_the_set_up_reads_a_pip_log_file_under_an_empty_home_as_pip_does(tmp_path):
    """HOME set but empty: pip (Python's expanduser) reads `~/x` as /x, but the eighteenth pass's check read ~ as the
    home folder from the password database, and left an empty file there (and its folders) for a log pip wrote at
    /x. Here /x is a file under tmp_path."""
    import pwd
    log = tmp_path / "logs" / "pip.log"
    password_home = pwd.getpwuid(os.getuid()).pw_dir.rstrip("/")
    assert not os.path.lexists(password_home + str(log))
    completed, installed = set_up_with_a_pip_configuration(tmp_path, "global", "timeout", "60",
                                                           environment={"HOME": "", "PIP_LOG": f"~{log}",
                                                                        "PIP_NO_CACHE_DIR": "1"})
    assert completed.returncode == 0 and installed, completed.stderr
    assert log.stat().st_size > 0 and not os.path.lexists(password_home + str(log))


@pytest.mark.parametrize("given", ["2\n", "\n2"])
def test_make_test_takes_test_workers_with_a_newline_around_it_in_one_command(tmp_path, given):
    """A TEST_WORKERS of `2\\n` (a CI setting written as a YAML block) passed the eighteenth pass's check, which reads
    it stripped, but cut the test command in two: pytest ran without its folder and flags, and make ran `--dist
    loadfile ...` as a command whose error its leading - ignores (exit code 0); `\\n2` was pytest's usage lines."""
    copy = set_up_copy(tmp_path)
    completed = subprocess.run(["make", "--no-print-directory", "-n", "test"], cwd=copy, capture_output=True, text=True,
                               timeout=60, env=dict(top_level_make_environment(), TEST_WORKERS=given))
    assert completed.returncode == 0, completed.stderr
    commands = [line for line in completed.stdout.splitlines() if " -m pytest " in line or "--dist" in line]
    assert len(commands) == 1 and commands[0].endswith(" -m pytest -q -n 2 --dist loadfile --durations=15 tests"), \
        completed.stdout


@pytest.mark.parametrize("name", ["v\n", "my\nv"])
def test_make_clean_venv_of_a_name_holding_a_newline_is_one_line_and_removes_nothing(tmp_path, name):
    """clean-venv, the one goal that takes a name make splits, with a newline in it (`VENV=$'v\\n'`): make cut its
    command in two, the shell's "Syntax error: Unterminated quoted string" and make's line."""
    copy = set_up_copy(tmp_path)
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(copy / "v")], check=True, timeout=120)
    completed = subprocess.run(["make", "--no-print-directory", "clean-venv", f"VENV={name}"], cwd=copy,
                               capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
    assert completed.returncode == 2 and len(lines) == 1 and not completed.stdout, completed.stderr
    assert lines[0].startswith("error: VENV holds a newline"), lines[0]
    assert (copy / "v" / "pyvenv.cfg").is_file()


@pytest.mark.parametrize("name", ["@v", "+v"])
def test_make_demo_with_a_venv_name_beginning_with_a_recipe_mark_runs_that_venvs_python(tmp_path, name):
    """make reads a recipe line's leading @ or + (after expanding it) as its own mark: `make demo VENV=@v` ran
    v/bin/python demo.py, another venv's Python where there is one (here `v`), else "make: v/bin/python: No such file
    or directory"."""
    copy = set_up_copy(tmp_path)
    for venv in (name, "v"):
        subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(copy / venv)], check=True, timeout=120)
        (copy / venv / ".installed").write_text("")
    (copy / "demo.py").write_text("import sys\nopen('ran', 'w').write(sys.prefix)\n")
    completed = subprocess.run(["make", "--no-print-directory", "demo", f"VENV={name}"], cwd=copy, capture_output=True,
                               text=True, timeout=120, env=top_level_make_environment())
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert os.path.samefile((copy / "ran").read_text(), copy / name)


# Nineteenth pass, third look at the nineteenth pass's set-up fixes

def set_up_in_tmp_path(tmp_path, venv_there=False, timeout=300, path=None, **environment):
    """make_venv.sh of tmp_path/venv (made before without pip where venv_there) with Python 3.10 on PATH (or `path`),
    empty requirements and the variables of `environment` set; None where it runs past `timeout` seconds (killed).
    Its lines' bytes not UTF-8 (a locale's) as surrogates, os.fsdecode's."""
    path = path or python_310_and_path()[1]
    venv = tmp_path / "venv"
    if venv_there:
        subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    try:
        return subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                               str(set_up_copy(tmp_path) / "requirements.txt")], capture_output=True, text=True,
                              errors="surrogateescape", timeout=timeout, env=dict(os.environ, PATH=path, **environment))
    except subprocess.TimeoutExpired:
        return None


@pytest.mark.parametrize("venv_there", [False, True], ids=["new venv", "venv there"])
def test_the_set_up_with_two_python_variables_of_values_python_refuses_names_both(tmp_path, venv_there):
    """Two of Python's variables wrong at once were tried one at a time, each failing with the other still set:
    "Python 3.10 not found; install it", and a good venv "no working Python ...; remove it". A variable Python starts
    with (PYTHONDONTWRITEBYTECODE) is not named."""
    completed = set_up_in_tmp_path(tmp_path, venv_there, PYTHONHASHSEED="abc", PYTHONUTF8="2",
                                   PYTHONDONTWRITEBYTECODE="1")
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith("error: PYTHONHASHSEED is set (abc) and PYTHONUTF8 is set (2), with which "), lines[0]
    assert "unset them" in lines[0] and "PYTHONDONTWRITEBYTECODE" not in lines[0], lines[0]
    assert (tmp_path / "venv" / "pyvenv.cfg").exists() == venv_there


@pytest.mark.parametrize("variable", ["PYTHONIOENCODING", "PIP_LOG"])
def test_the_set_up_shows_a_refused_value_holding_a_newline_on_one_line(tmp_path, variable):
    """A Python variable or a PIP_LOG refused, its value holding a newline: the line naming it was cut in two."""
    value = "no-such-codec\nx" if variable == "PYTHONIOENCODING" else "/proc/missing\nx/pip.log"
    completed = set_up_in_tmp_path(tmp_path, **{variable: value})
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    shown = value.replace("\n", "\\n")
    assert lines[0].startswith(f"error: {variable} is set ({shown}), "), lines[0]


def test_the_set_up_refused_for_another_reason_leaves_no_folder_of_its_pip_log(tmp_path):
    """The log check made PIP_LOG's folders and an empty file before anything else, which stayed when the set-up was
    then refused for another reason (here a Python variable)."""
    completed = set_up_in_tmp_path(tmp_path, PIP_LOG=str(tmp_path / "logs" / "pip" / "pip.log"), PYTHONHASHSEED="abc")
    assert completed.returncode == 2 and "PYTHONHASHSEED" in completed.stderr, completed.stderr
    assert not os.path.lexists(tmp_path / "logs")


def test_the_set_up_with_a_pip_log_in_the_new_venvs_folder_goes_on(tmp_path):
    """`PIP_LOG=venv/pip.log` for a new venv: the log check made the folder and the file, and the set-up then refused
    the folder as "a folder of other files (such as 'pip.log')". pip writes its log there once the venv is made."""
    completed = set_up_in_tmp_path(tmp_path, PIP_LOG=str(tmp_path / "venv" / "pip.log"))
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    assert (tmp_path / "venv" / "pyvenv.cfg").is_file() and (tmp_path / "venv" / "pip.log").stat().st_size > 0


@pytest.mark.parametrize("where", ["command line", "environment"])
@pytest.mark.parametrize("around", ["{}\n", "\n{}", "\t{}\t", "{}\r", "{}\r\n", "\v{}\f", " \r\t{}\f\n"],
                         ids=["newline after", "newline before", "tabs", "carriage return", "windows line end",
                              "vertical tab and form feed", "mixed"])
def test_make_test_drops_the_blanks_around_a_chromium(tmp_path, where, around):
    """A CHROMIUM with a newline around it (a CI setting written as a YAML block) was refused as holding one, where
    TEST_WORKERS' are dropped; with tabs around it, "missing" (as root after apt-get installed Debian's chromium). The
    twentieth pass: one read from a file of Windows' line ends (`/opt/chrome\\r`) was "missing or not a program", its
    line overwritten on a terminal from the carriage return on; a vertical tab or form feed the same."""
    chromium = users_chromium(tmp_path)
    setting = around.format(chromium)
    completed = (make_test_recording_chromium(tmp_path, f"CHROMIUM={setting}") if where == "command line"
                 else make_test_recording_chromium(tmp_path, environment={"CHROMIUM": setting}))
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "given").read_text() == str(chromium)


def test_the_set_up_with_a_log_file_pip_cannot_write_names_the_variable_spelt_as_set(tmp_path):
    """`PIP_Log=/dev/full` (pip reads its variables in any case): the line said "which PIP_LOG, PIP_LOG_FILE or
    PIP_LOCAL_LOG names; unset it", none of them set."""
    completed, _ = set_up_with_a_pip_configuration(tmp_path, "global", "timeout", "60",
                                                   environment={"PIP_Log": "/dev/full"})
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr[:2000]
    assert "which PIP_Log names; unset it" in lines[0], lines[0]


# Twentieth pass, second look at make's set-up, VENV and CHROMIUM

def test_the_set_up_with_a_pip_log_fifo_a_collector_reads_goes_on_and_the_log_reaches_it(tmp_path):
    """PIP_LOG naming a FIFO a log collector reads (`mkfifo p; tee pip.log <p &`): the log check opened and closed it,
    which ended the collector's input, and pip then waited forever to open it with no one reading (the set-up hung,
    nothing logged), where pip alone writes its log to the collector."""
    fifo = tmp_path / "pip.fifo"
    os.mkfifo(fifo)
    with open(tmp_path / "collected", "wb") as collected:
        collector = subprocess.Popen(["cat", str(fifo)], stdout=collected)
        try:
            completed = set_up_in_tmp_path(tmp_path, venv_there=True, PIP_LOG=str(fifo), timeout=60)
        finally:
            collector.kill() if collector.poll() is None else None
            collector.wait()
    if completed is None:  # a reader for the pip left waiting to open the FIFO, which then ends
        subprocess.Popen(["timeout", "60", "cat", str(fifo)], stdout=subprocess.DEVNULL)
    assert completed is not None and completed.returncode == 0 and not completed.stderr, completed
    assert b"pip" in (tmp_path / "collected").read_bytes()


def test_the_set_up_with_pythonioencoding_utf16_is_one_line(tmp_path):
    """PYTHONIOENCODING=utf-16 (with which Python starts): pip's lines, which the set-up reads, held NUL bytes, and
    bash's "warning: command substitution: ignored null byte in input" came before the error line."""
    completed, _ = set_up_with_a_pip_configuration(tmp_path, "global", "timeout", "60",
                                                   environment={"PYTHONIOENCODING": "utf-16", "PIP_LOG": "/dev/full"})
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr[:2000]
    assert lines[0].startswith("error: pip could not write its log file (OSError: [Errno 28] "), lines[0]


def test_the_set_up_says_pips_own_failure_by_its_traceback_s_last_line(tmp_path):
    """pip's own failure (no file can be written, as on a full /tmp: "No usable temporary directory found") is pip's
    "ERROR: Exception:" and a traceback: the line said "(Exception:)", nothing of what failed."""
    import resource
    venv = tmp_path / "venv"
    venv_with_pip(venv)
    requirements = set_up_copy(tmp_path, "package\n") / "requirements.txt"
    wheel_of_a_package(tmp_path)
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv), str(requirements)],
                               capture_output=True, text=True, timeout=300,
                               preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0)),
                               env=dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1",
                                        PIP_FIND_LINKS=str(tmp_path)))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr[:2000]
    assert lines[0].startswith(f"error: pip could not install {requirements} into {venv} (FileNotFoundError: "
                               "[Errno 2] No usable temporary directory found in "), lines[0]


# Twentieth pass, third look at the twentieth pass's set-up fixes

def venv_of_a_pip_that_crashes(tmp_path, traceback_end):
    """A venv (without pip) whose stand-in pip passes the set-up's checks, logs a line to PIP_LOG and fails its install
    as pip's own crash does: "ERROR: Exception:", a traceback, and its last lines `traceback_end`. With traceback_end
    None, they are STAND_IN_PIP_CRASH's where it is set, and the install succeeds where not; before that the stand-in
    says STAND_IN_PIP_SAYS on its output through logging, as pip says its lines, and kills the process
    STAND_IN_PIP_STOPS (a log's reader, gone before it ends, once STAND_IN_PIP_COLLECTED, where it is set, holds the
    line logged) and removes the folder STAND_IN_PIP_REMOVES (a venv, as `make clean-venv` during the set-up does).
    ({PIP_CONFIG_FILE} in STAND_IN_PIP_CRASH is the configuration file it read.)
    Each run reads PIP_CONFIG_FILE, as pip does: its configuration file is written as `pip config list` says one
    (`global.log='/tmp/pip.log'`), which the stand-in's `config list` says; its install appends what it read to
    STAND_IN_PIP_CONFIGURED, and after it what it read of PIP_CONSTRAINT's and PIP_REQUIREMENT's files, their names
    in any case after PIP_ as pip reads them, the last set in the environment (or, where none is set, of the
    configuration's `constraint` and `requirement`, its install section's over its global one's). With PIP_GLOBAL or
    PIP_SITE set (in any case after PIP_), its `config list` lists that file's settings alone, none here, as pip's does
    (or fails, where the value is no boolean)."""
    venv = tmp_path / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    pip = next(venv.glob("lib/python3*/site-packages")) / "pip"
    (pip / "_internal" / "cli").mkdir(parents=True)
    for name in ("__init__.py", "_internal/__init__.py", "_internal/cli/__init__.py", "_internal/cli/main.py"):
        (pip / name).write_text("")
    ending = f"    end = {traceback_end!r}\n" if traceback_end is not None else (
        "    if os.environ.get('STAND_IN_PIP_SAYS'):\n"
        "        import logging\n"
        "        logging.basicConfig(stream=sys.stdout, level=logging.INFO, format='%(message)s')\n"
        "        logging.info(os.environ['STAND_IN_PIP_SAYS'])\n"
        "    stops = os.environ.get('STAND_IN_PIP_STOPS')\n"
        "    if stops and os.path.exists(f'/proc/{stops}/fd/1'):\n"
        "        import signal, time\n"
        "        collected, waited = os.environ.get('STAND_IN_PIP_COLLECTED'), time.time()\n"
        "        while collected and os.path.getsize(collected) < 16 and time.time() < waited + 60:\n"
        "            time.sleep(0.01)  # the reader has taken what was logged: stopped after the first pip's log\n"
        "        os.kill(int(stops), signal.SIGKILL)\n"
        "        while os.path.exists(f'/proc/{stops}/fd/1'):\n"
        "            time.sleep(0.01)\n"
        "    if os.environ.get('STAND_IN_PIP_REMOVES'):\n"
        "        import shutil\n"
        "        shutil.rmtree(os.environ['STAND_IN_PIP_REMOVES'])\n"
        "    end = os.environ.get('STAND_IN_PIP_CRASH')\n"
        "    end is not None or sys.exit(0)\n"
        "    end = end.replace('{PIP_CONFIG_FILE}', config or '')\n")
    (pip / "__main__.py").write_text(
        "import os, sys\nconfig = os.environ.get('PIP_CONFIG_FILE')\n"
        "try:\n    configured = open(config).read() if config and config != os.devnull else ''\n"
        "except OSError:\n    configured = ''\n"
        "listed = not [name for name in os.environ if name.startswith('PIP_') and\n"
        "              name[4:].lower().replace('_', '-').lstrip('-') in ('global', 'site')]\n"
        "if 'config' in sys.argv and listed:\n"
        "    sys.stdout.write(''.join(line for line in configured.splitlines(True)\n"
        "                             if line.startswith(('global.', 'install.'))))\n"
        "if 'install' in sys.argv:\n"
        "    import ast\n"
        "    settings = dict(line.split('=', 1) for line in configured.splitlines() if '=' in line)\n"
        "    for option in ('constraint', 'requirement'):\n"
        "        named = [value for name, value in os.environ.items() if name.startswith('PIP_') and value and\n"
        "                 name[4:].lower().replace('_', '-').lstrip('-') == option]\n"
        "        value = (named or [''])[-1] or ast.literal_eval(settings.get(f'install.{option}') or\n"
        "                                                        settings.get(f'global.{option}') or \"''\")\n"
        "        for name in value.split():\n"
        "            configured += open(name).read()\n"
        "    os.environ.get('STAND_IN_PIP_CONFIGURED') and open(os.environ['STAND_IN_PIP_CONFIGURED'], 'a').write(\n"
        "        configured)\n"
        "    os.environ.get('PIP_LOG') and open(os.environ['PIP_LOG'], 'a').write('what pip logged\\n')\n" + ending +
        "    print('ERROR: Exception:\\nTraceback (most recent call last):\\n  File \"pip/x.py\", line 1, in run\\n'\n"
        "          '    status = run_func(*args)\\n' + end)\n    sys.exit(2)\n")
    return venv


@pytest.mark.parametrize("traceback_end, said", [
    ("MemoryError", "MemoryError"),
    ("OSError: first\n\nDuring handling of the above exception, another exception occurred:\n\n"
     "Traceback (most recent call last):\n  File \"pip/y.py\", line 2, in run\n    raise\nAssertionError",
     "AssertionError"),
    ("pip._vendor.urllib3.exceptions.ProtocolError: ('Connection aborted.', BrokenPipeError(32))",
     "pip._vendor.urllib3.exceptions.ProtocolError: ('Connection aborted.', BrokenPipeError(32))")],
    ids=["no message", "chained", "a name with _"])
def test_the_set_up_says_pips_crash_by_its_last_exception_whatever_its_form(tmp_path, traceback_end, said):
    """The second look said pip's own crash by the traceback's last line, read as `Name(Error|Exception): message`: an
    exception without a message (MemoryError) was "(Exception:)" again, one named with a _ (pip._vendor's) the same, and
    a chain ending in one an earlier exception's line ("OSError: first")."""
    venv = venv_of_a_pip_that_crashes(tmp_path, traceback_end)
    requirements = set_up_copy(tmp_path, "package\n") / "requirements.txt"
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv), str(requirements)],
                               capture_output=True, text=True, timeout=120)
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error: pip could not install {requirements} into {venv} ({said}); "), lines[0]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "cp500"])
def test_the_set_up_reads_a_pythons_version_in_any_pythonioencoding(tmp_path, encoding):
    """The second look had the set-up's pip write UTF-8; the Pythons whose lines it reads otherwise did not: a venv of
    another Python with PYTHONIOENCODING=utf-16 was bash's "ignored null byte" warning before the line, with utf-8-sig
    "holds \\ufeffPython 3.11", with cp500 (EBCDIC) a line of other characters."""
    venv = venv_of_another_python(tmp_path)
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(set_up_copy(tmp_path) / "requirements.txt")], capture_output=True, timeout=120,
                               env=dict(os.environ, PYTHONIOENCODING=encoding))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert re.match(rb"error: \S+ holds Python 3\.\d+, not the Python 3\.10 ", lines[0]), lines[0]


def test_the_set_up_takes_the_python_a_venv_was_made_from_in_any_pythonioencoding(tmp_path):
    """Another project's venv first on PATH (activated): the Python it was made from is taken, read from it; with
    PYTHONIOENCODING=cp500 its folder was unreadable and that venv's Python was taken (a venv made of a venv)."""
    python, path = python_310_and_path()
    other = tmp_path / "other"
    subprocess.run([python, "-m", "venv", "--without-pip", str(other)], check=True, timeout=120)
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        (tmp_path / name).write_text("")
    venv = tmp_path / "venv"
    set_up = subprocess.Popen(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                               str(tmp_path / "requirements.txt")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, start_new_session=True,
                              env=dict(os.environ, PATH=f"{other}/bin:{path}", PYTHONIOENCODING="cp500"))
    try:  # (its first line is all this needs: the venv it goes on to make is not waited for)
        first = set_up.stdout.readline()
    finally:
        os.killpg(set_up.pid, signal.SIGKILL)
        set_up.wait()
    assert first == f"creating {venv} with {python}\n", (first, set_up.stderr.read())


def test_the_set_up_says_a_pip_log_under_a_link_to_nothing_is_one(tmp_path):
    """A PIP_LOG in a folder that is a link to nothing (a log disk not mounted) was refused as "Not a directory", where
    pip's own error is "File exists" and a VENV there is said to be a link to nothing."""
    (tmp_path / "logs").symlink_to(tmp_path / "unmounted")
    completed = set_up_in_tmp_path(tmp_path, PIP_LOG=str(tmp_path / "logs" / "pip.log"))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert f"cannot write ({tmp_path}/logs is a link to {tmp_path}/unmounted, which leads to no folder)" in lines[0]
    assert not (tmp_path / "venv").exists()


@pytest.mark.parametrize("chromium, shown", [("/opt/a\\cb/chrome", "/opt/a\\cb/chrome"),
                                             ("/opt/\\101/chrome", "/opt/\\101/chrome"),
                                             ("/opt/a\rb/chrome", "/opt/a\\rb/chrome")],
                         ids=["backslash c", "backslash octal", "carriage return inside"])
def test_make_test_shows_a_missing_chromium_as_it_is_named(tmp_path, chromium, shown):
    """dash's echo read the backslashes in CHROMIUM's "missing" line: `\\c` cut it at "error: /opt/a" (the rest and
    the line end gone), `\\101` named another file, A; a carriage return inside it overwrote the line on a terminal."""
    completed = make_test_recording_chromium(tmp_path, f"CHROMIUM={chromium}")
    lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error: {shown} is missing or not a program, "), lines[0]
    assert lines[0].endswith("then run make again"), lines[0]


def test_make_clean_venv_shows_a_name_with_a_backslash_as_it_is(tmp_path):
    """`make clean-venv VENV='x\\cy'` (the one goal that takes a backslash) of a folder of the user's: dash's echo cut
    the line at "error: 'x" and nothing said why it was kept."""
    copy = set_up_copy(tmp_path)
    (copy / "x\\cy").mkdir()
    (copy / "x\\cy" / "data").write_text("")
    completed = subprocess.run(["make", "--no-print-directory", "clean-venv", "VENV=x\\cy"], cwd=copy,
                               capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
    assert completed.returncode == 2 and lines == ["error: 'x\\cy' is not a virtual environment (it has no pyvenv.cfg);"
                                                   " nothing removed: remove it yourself if that is what you meant"]
    assert (copy / "x\\cy" / "data").exists()


@pytest.mark.parametrize("end", ["\r", "\f"], ids=["carriage return", "form feed"])
def test_make_refuses_a_venv_ending_in_a_carriage_return_naming_it(tmp_path, end):
    """`VENV=$'v\\r'` (from a file of Windows' line ends) was refused as one that "begins or ends with a space, tab or
    newline", shown as 'v' (make's strip took the carriage return)."""
    copy = set_up_copy(tmp_path)
    completed = subprocess.run(["make", "--no-print-directory", "setup", f"VENV=v{end}"], cwd=copy,
                               capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    shown = {"\r": "\\r", "\f": "\\f"}[end]
    assert f"VENV 'v{shown}' is not one word, or begins or ends with a space, tab, newline, carriage return" in lines[0]
    assert not (copy / "v").exists() and not (copy / f"v{end}").exists()


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_the_set_up_writes_a_pip_log_on_its_own_stream_where_it_is_named(tmp_path, stream):
    """`PIP_LOG=/dev/stderr` (a CI job's log): pip's /dev/stderr was the set-up's reading of pip's output, so that the
    log of a failed install was lost, one line said in its place (a good one's went to stderr, however /dev/stdout was)."""
    venv = venv_of_a_pip_that_crashes(tmp_path, "MemoryError")
    requirements = set_up_copy(tmp_path, "package\n") / "requirements.txt"
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv), str(requirements)],
                               capture_output=True, text=True, timeout=120,
                               env=dict(os.environ, PIP_LOG=f"/dev/{stream}"))
    assert completed.returncode == 2 and "(MemoryError)" in completed.stderr, completed.stderr
    logged = completed.stdout if stream == "stdout" else completed.stderr
    assert "what pip logged\n" in logged and "what pip logged" not in (completed.stdout + completed.stderr).replace(
        "what pip logged", "", 1), (completed.stdout, completed.stderr)


# Twentieth pass, fourth look at the twentieth pass's set-up fixes

def run_the_set_up_of_a_pip_that_crashes(tmp_path, pip_log, shell_end=""):
    """make_venv.sh, through bash -c ending in `shell_end` (redirections), of a venv whose stand-in pip logs a line to
    `pip_log` and crashes with a MemoryError."""
    venv = venv_of_a_pip_that_crashes(tmp_path, "MemoryError")
    requirements = set_up_copy(tmp_path, "package\n") / "requirements.txt"
    return subprocess.run(["bash", "-c", f'bash "$0" "$1" "$2" {shell_end}',
                           os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv), str(requirements)],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ, PIP_LOG=pip_log))


@pytest.mark.parametrize("pip_log", ["/dev//stderr", "/dev/fd/../fd/2", "/proc/thread-self/fd/2", "/dev/./stdout"])
def test_the_set_up_writes_a_pip_log_on_its_own_stream_however_it_is_spelt(tmp_path, pip_log):
    """`PIP_LOG=/dev//stderr`: only three spellings of each stream were the set-up's own, others pip's reading of its
    output again, the failed install's log lost."""
    completed = run_the_set_up_of_a_pip_that_crashes(tmp_path, pip_log)
    assert completed.returncode == 2 and "(MemoryError)" in completed.stderr, completed.stderr
    logged = completed.stdout if pip_log.endswith("stdout") else completed.stderr
    assert "what pip logged\n" in logged, (completed.stdout, completed.stderr)


def test_the_set_up_with_a_pip_log_of_its_closed_stdout_is_one_line(tmp_path):
    """`PIP_LOG=/dev/stdout` with stdout closed: bash's "cannot duplicate fd" and "1: Bad file descriptor", exit 1."""
    completed = run_the_set_up_of_a_pip_that_crashes(tmp_path, "/dev/stdout", ">&-")
    assert completed.returncode == 2, completed
    assert completed.stderr == ("error: PIP_LOG is set (/dev/stdout), the set-up's standard output, which is closed; "
                                "unset it or name a file, then run make again\n")


def test_the_set_up_keeps_a_pip_log_on_its_stderr_a_file_opened_without_append(tmp_path):
    """`PIP_LOG=/dev/stderr` and `2>make.log`: pip appended its log and the set-up wrote its error line at its own
    offset, over the log."""
    log = tmp_path / "make.log"
    completed = run_the_set_up_of_a_pip_that_crashes(tmp_path, "/dev/stderr", f"2>'{log}'")
    assert completed.returncode == 2, completed
    lines = log.read_text().splitlines()
    assert lines[0] == "what pip logged" and len(lines) == 2 and "(MemoryError)" in lines[1], lines


@pytest.mark.parametrize("name, shown", [("x\ry", "x\\ry"), ("x\vy/", "x\\vy")],
                         ids=["carriage return", "vertical tab and a slash"])
def test_make_clean_venv_shows_a_carriage_return_in_a_name_escaped(tmp_path, name, shown):
    """`make clean-venv VENV=$'x\\ry'` of a folder of the user's: the name printed raw, the line overwritten from the
    carriage return on a terminal, as CHROMIUM's was."""
    copy = set_up_copy(tmp_path)
    (copy / name.rstrip("/")).mkdir()
    (copy / name.rstrip("/") / "data").write_text("")
    completed = subprocess.run(["make", "--no-print-directory", "clean-venv", f"VENV={name}"], cwd=copy,
                               capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
    assert completed.returncode == 2 and lines == [f"error: '{shown}' is not a virtual environment (it has no "
                                                   "pyvenv.cfg); nothing removed: remove it yourself if that is what "
                                                   "you meant"], completed.stderr
    assert (copy / name.rstrip("/") / "data").exists()


def test_the_set_up_refuses_a_pip_log_of_its_stderr_a_socket_in_one_line(tmp_path):
    """`PIP_LOG=/dev/stderr` in a systemd service (stderr journald's socket): pip's open of /dev/fd/N failed after the
    check, said as pip's crash "(OSError: [Errno 6] No such device or address: '/dev/fd/10')", naming no setting."""
    import socket
    venv = venv_of_a_pip_that_crashes(tmp_path, "MemoryError")
    requirements = set_up_copy(tmp_path, "package\n") / "requirements.txt"
    ours, theirs = socket.socketpair()
    with ours, theirs:
        completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                    str(requirements)], stdout=subprocess.PIPE, stderr=theirs.fileno(), text=True,
                                   timeout=120, env=dict(os.environ, PIP_LOG="/dev/stderr"))
        theirs.close()
        said = b""
        while chunk := ours.recv(65536):
            said += chunk
    assert completed.returncode == 2 and said.decode() == (
        "error: PIP_LOG is set (/dev/stderr), a log file pip cannot write (the set-up's standard error is a socket, "
        "which cannot be opened by name); unset it or name a file pip can write, then run make again\n"), said


def test_the_set_up_shows_a_carriage_return_in_a_pip_log_and_in_pips_crash_escaped(tmp_path):
    """`PIP_LOG=$'.../pip.log\\r'` (from a file of Windows' line ends) refused, and pip's crash of a message ending in a
    carriage return: the set-up's line printed it raw, overwritten from there on a terminal."""
    (tmp_path / "file").write_text("")
    completed = set_up_in_tmp_path(tmp_path, PIP_LOG=f"{tmp_path}/file/pip.log\r")
    assert completed.returncode == 2 and completed.stderr == (
        f"error: PIP_LOG is set ({tmp_path}/file/pip.log\\r), a log file pip cannot write (Not a directory); unset it "
        "or name a file pip can write, then run make again\n"), completed.stderr
    crashing = tmp_path / "crashing"
    crashing.mkdir()
    venv = venv_of_a_pip_that_crashes(crashing, "OSError: disk\r")
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(set_up_copy(crashing, "package\n") / "requirements.txt")], capture_output=True,
                               timeout=120)
    assert completed.returncode == 2 and b"(OSError: disk\\r); what it installed" in completed.stderr, completed.stderr
    assert b"\r" not in completed.stderr


# Twenty-first pass, look at make's set-up, VENV, CHROMIUM and PIP_LOG

@pytest.fixture(scope="module")
def stand_in_pip(tmp_path_factory):
    """One venv of venv_of_a_pip_that_crashes' stand-in pip, told by its variables what to do, and requirements of one
    package: (venv, requirements)."""
    folder = tmp_path_factory.mktemp("stand-in-pip")
    return venv_of_a_pip_that_crashes(folder, None), set_up_copy(folder, "package\n") / "requirements.txt"


def run_the_set_up_of_the_stand_in_pip(stand_in_pip, venv=None, pass_fds=(), stdin=None, **environment):
    """make_venv.sh of stand_in_pip's venv (or of `venv`, a copy of it) and requirements with the variables of
    `environment` set, and the descriptors pass_fds passed on, its stdin `stdin` (output bytes)."""
    venv, requirements = venv or stand_in_pip[0], stand_in_pip[1]
    return subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv), str(requirements)],
                          capture_output=True, timeout=120, env=dict(os.environ, **environment), pass_fds=pass_fds,
                          stdin=stdin)


@pytest.mark.parametrize("link, to, stream", [("ci.log", "/dev/stderr", "stderr"), ("fd", "/dev/fd", "stdout"),
                                              ("self", "/proc/self", "stdout")],
                         ids=["a link to /dev/stderr", "under a link to /dev/fd", "under a link to /proc/self"])
def test_the_set_up_writes_a_pip_log_on_its_own_stream_through_a_link(tmp_path, stand_in_pip, link, to, stream):
    """`ln -s /dev/stderr ci.log; PIP_LOG=ci.log` (or a name under a link to /dev/fd or /proc/self): the name, read as
    written, was no stream of the set-up's, and through the link pip's own again, the failed install's log lost."""
    (tmp_path / link).symlink_to(to)
    pip_log = {"stderr": tmp_path / link, "stdout": tmp_path / link / ("1" if to == "/dev/fd" else "fd/1")}[stream]
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, PIP_LOG=str(pip_log), STAND_IN_PIP_CRASH="MemoryError")
    assert completed.returncode == 2 and b"(MemoryError)" in completed.stderr, completed.stderr
    assert b"what pip logged\n" in getattr(completed, stream), (completed.stdout, completed.stderr)


def test_the_set_up_with_a_pip_log_of_its_closed_stderr_leaves_its_script_as_it_is(tmp_path, stand_in_pip):
    """`PIP_LOG=/dev/stderr make setup 2>&-`: bash leaves the script it runs open on a closed stderr, for reading, which
    the set-up took for its stderr: pip's log and the set-up's error line were appended to utils/make_venv.sh."""
    copy = set_up_copy(tmp_path, "package\n")
    completed = subprocess.run(["bash", "-c", 'bash "$0" "$1" "$2" 2>&-', str(copy / "utils" / "make_venv.sh"),
                                str(stand_in_pip[0]), str(copy / "requirements.txt")], capture_output=True, timeout=120,
                               env=dict(os.environ, PIP_LOG="/dev/stderr", STAND_IN_PIP_CRASH="MemoryError"))
    assert completed.returncode == 2 and not completed.stdout, completed
    with open(os.path.join(REPO_ROOT, "utils", "make_venv.sh"), "rb") as script:
        assert (copy / "utils" / "make_venv.sh").read_bytes() == script.read()


def fifo_no_one_reads(fifo):
    """The set-up's line for PIP_LOG naming `fifo`, which no one reads."""
    return (f"error: PIP_LOG is set ({fifo}), a FIFO no one reads (what read it is not started, or stopped), which pip "
            "would wait for forever; start what reads it, or unset it, then run make again\n")


def test_the_set_up_with_a_pip_log_fifo_no_one_reads_is_one_line_and_makes_nothing(tmp_path):
    """PIP_LOG naming a FIFO no one reads (its collector not started; the twentieth pass left it alone): the set-up,
    holding it open read and write, was its reader, so that pip's log was lost with exit code 0 (a small install) or
    the set-up hung once the pipe was full. Said in one line, before anything is made."""
    os.mkfifo(tmp_path / "pip.fifo")
    completed = set_up_in_tmp_path(tmp_path, PIP_LOG=str(tmp_path / "pip.fifo"), timeout=60)
    assert completed is not None and completed.returncode == 2, completed
    assert completed.stderr == fifo_no_one_reads(tmp_path / "pip.fifo") and not (tmp_path / "venv").exists()


def test_the_set_up_with_a_pip_log_fifo_whose_reader_stopped_is_one_line(tmp_path, stand_in_pip):
    """A FIFO whose collector stopped after the first pip's log: the set-up, its reader, took the next pip's log, lost
    with exit code 0 (a large one hung once the pipe was full). The collector is stopped by the first install."""
    fifo = tmp_path / "pip.fifo"
    os.mkfifo(fifo)
    with open(tmp_path / "collected", "wb") as collected:
        collector = subprocess.Popen(["cat", str(fifo)], stdout=collected)
        try:
            completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, PIP_LOG=str(fifo),
                                                           STAND_IN_PIP_STOPS=str(collector.pid),
                                                           STAND_IN_PIP_COLLECTED=str(tmp_path / "collected"))
        finally:
            collector.kill()
            collector.wait()
    assert completed.returncode == 2 and completed.stderr.decode() == fifo_no_one_reads(fifo), completed.stderr
    assert (tmp_path / "collected").read_bytes() == b"what pip logged\n"


def test_the_set_up_says_pips_crash_of_a_message_beginning_with_a_line_end_by_that_message(stand_in_pip):
    """pip's crash of a message beginning with a line end (`Exception: ` and the message below it): said as
    "(Exception: )", nothing of what failed."""
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, STAND_IN_PIP_CRASH="Exception: \n\nthe disk is gone")
    lines = completed.stderr.decode().strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert f"into {stand_in_pip[0]} (Exception: the disk is gone); what it installed" in lines[0], lines[0]


def test_the_set_up_lets_pip_say_a_name_not_utf8_on_its_output(stand_in_pip):
    """`PIP_VERBOSE=1` with a PIP_FIND_LINKS folder not UTF-8: pip's "Looking in links: ..." on its output, in strict
    UTF-8, was pip's "--- Logging error ---", said as "pip could not write its log file", which PIP_LOG (unset)
    names. (Said once: a line an earlier pip of the set-up's said is left out, the twenty-fifth pass's second look.)"""
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, STAND_IN_PIP_SAYS="Looking in links: /tmp/\udce9")
    assert completed.returncode == 0 and completed.stderr == b"Looking in links: /tmp/\xe9\n", completed.stderr


def test_the_set_up_with_a_pip_log_of_its_own_requirements_is_one_line_and_changes_nothing(tmp_path):
    """`PIP_LOG=requirements.txt` (a slip for `-r`): pip appended its log to the repository's requirements, and the next
    set-up was pip's "Invalid requirement" on the log's first line."""
    requirements = tmp_path / "repo" / "requirements.txt"
    completed = set_up_in_tmp_path(tmp_path, PIP_LOG=str(requirements))
    assert completed.returncode == 2 and completed.stderr == (
        f"error: PIP_LOG is set ({requirements}), which is {requirements}, a file the set-up reads; pip would append "
        "its log to it: name another file, then run make again\n"), completed.stderr
    assert requirements.read_text() == "" and not (tmp_path / "venv").exists()


@pytest.mark.parametrize("end", ["/", "/."])
def test_the_set_up_with_a_pip_log_named_as_a_folder_is_one_line_before_anything_is_made(tmp_path, end):
    """`PIP_LOG=logs/` (meant as a folder) not there passed the check: pip made a folder `logs` and crashed on opening
    it, said after the venv was made as "(IsADirectoryError: ...)", naming no setting."""
    completed = set_up_in_tmp_path(tmp_path, PIP_LOG=f"{tmp_path}/logs{end}")
    assert completed.returncode == 2 and completed.stderr == (
        f"error: PIP_LOG is set ({tmp_path}/logs{end}), a log file pip cannot write (its name ends in {end}, a "
        "folder's); unset it or name a file pip can write, then run make again\n"), completed.stderr
    assert not (tmp_path / "venv").exists() and not (tmp_path / "logs").exists()


def test_the_set_up_and_make_show_an_escape_sequence_in_a_name_by_its_codes(tmp_path):
    """An escape sequence, a backspace or DEL in PIP_LOG or CHROMIUM (the fourth look showed carriage returns, vertical
    tabs and form feeds by their codes): printed raw, the line redrawn or the terminal changed from there."""
    (tmp_path / "file").write_text("")
    completed = set_up_in_tmp_path(tmp_path, PIP_LOG=f"{tmp_path}/file/\x1b[2Kpip.log\b")
    assert completed.returncode == 2 and completed.stderr == (
        f"error: PIP_LOG is set ({tmp_path}/file/\\x1b[2Kpip.log\\x08), a log file pip cannot write (Not a directory); "
        "unset it or name a file pip can write, then run make again\n"), completed.stderr
    (tmp_path / "make").mkdir()
    completed = make_test_recording_chromium(tmp_path / "make", "CHROMIUM=/opt/\x1b[2Kchrome\x7f")
    lines = [line for line in completed.stderr.splitlines() if not line.startswith("make: ***")]
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].startswith("error: /opt/\\x1b[2Kchrome\\x7f is missing or not a program, "), lines[0]


@pytest.mark.parametrize("goal, setting, said", [
    ("test", "TEST_WORKERS=a\nb", "TEST_WORKERS 'a\\nb' is not a number of pytest workers"),
    ("test", "TEST_WORKERS=2\r3", "TEST_WORKERS '2\\r3' is not a number of pytest workers"),
    ("test", "TEST_WORKERS=2\x1b[2K", "TEST_WORKERS '2\\x1b[2K' is not a number of pytest workers"),
    ("clean-venv", "VENV=a:\nb", "VENV 'a:\\nb' holds :, which make or the shell reads"),
    ("clean-venv", "VENV=a$b\nc", "VENV 'a$b\\nc' holds a $ that make reads as one of its variables")],
    ids=["workers, newline inside", "workers, carriage return inside", "workers, escape sequence", "venv holding :",
         "venv holding $"])
def test_make_shows_a_value_it_refuses_on_one_line(tmp_path, goal, setting, said):
    """`make test TEST_WORKERS=$'a\\nb'` and `make clean-venv VENV=$'a:\\nb'` (the one goal that takes a name make
    splits) were refused in two lines, a carriage return or an escape sequence in them printed raw, the line overwritten
    from there on a terminal (as CHROMIUM's and other refusals of VENV's now show them by their codes)."""
    line = make_dry_run_refusal(tmp_path, goal, setting)
    assert f"*** {said}" in line, line


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp500"])
def test_make_takes_a_set_up_venv_as_set_up_in_any_pythonioencoding(tmp_path, encoding):
    """make's check that the venv's Python runs read its output "1", which PYTHONIOENCODING=utf-8-sig or cp500 makes
    other bytes: the venv was taken for one whose Python does not run, and every `make demo` ran the set-up again. A
    venv of the real Python 3.10 (a link to it) with its stamp."""
    copy = set_up_copy(tmp_path)
    (copy / "venv" / "bin").mkdir(parents=True)
    (copy / "venv" / "bin" / "python").symlink_to(python_310_and_path()[0])
    (copy / "venv" / ".installed").write_text("")
    completed = subprocess.run(["make", "--no-print-directory", "-n", "setup", "VENV=venv"], cwd=copy,
                               capture_output=True, text=True, timeout=60,
                               env=dict(top_level_make_environment(), PYTHONIOENCODING=encoding))
    assert completed.returncode == 0 and "make_venv.sh" not in completed.stdout, completed.stdout + completed.stderr


def test_ci_run_by_sh_runs_make_test(tmp_path):
    """`sh .ci/run` (a CI job's line; Debian's sh is dash): dash's "set: Illegal option -o pipefail" and exit code 2,
    where the script has no pipeline for pipefail to change. A Makefile records where make ran."""
    copy = tmp_path / "repo"
    (copy / ".ci").mkdir(parents=True)
    shutil.copy(os.path.join(REPO_ROOT, ".ci", "run"), copy / ".ci" / "run")
    (copy / "Makefile").write_text('test:\n\t@echo "$(CURDIR)" >> ran\n')
    completed = subprocess.run(["sh", str(copy / ".ci" / "run")], cwd=tmp_path, capture_output=True, text=True,
                               timeout=60, env=top_level_make_environment())
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    assert (copy / "ran").read_text() == f"{copy}\n"


# Twenty-first pass, second look at the twenty-first pass's set-up fixes

def copy_of_the_stand_in_pip(stand_in_pip, venv):
    """A copy at `venv` of stand_in_pip's venv (its Python a link, its prefix where its pyvenv.cfg is)."""
    shutil.copytree(stand_in_pip[0], venv, symlinks=True)
    return venv


def test_the_set_up_shows_an_escape_sequence_in_a_venv_by_its_codes(tmp_path, stand_in_pip):
    """A VENV holding an escape sequence (make refuses only the names that break its commands) was made as named, and
    make_venv.sh's lines naming it ("creating ...", its errors) printed it raw, the line redrawn from there."""
    (tmp_path / "notes\x1b[2K").write_text("")
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, tmp_path / "notes\x1b[2K")
    assert completed.returncode == 2 and completed.stderr == (
        f"error: {tmp_path}/notes\\x1b[2K is a file, not a folder; move it, or set VENV to another folder\n"
    ).encode(), completed.stderr
    venv = copy_of_the_stand_in_pip(stand_in_pip, tmp_path / "venv\x1b[2K")
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, venv, STAND_IN_PIP_CRASH="MemoryError")
    assert completed.returncode == 2 and b"\x1b" not in completed.stderr, completed.stderr
    assert f"into {tmp_path}/venv\\x1b[2K (MemoryError); what it installed".encode() in completed.stderr


def test_the_set_up_with_a_pip_log_fifo_no_one_reads_spelt_otherwise_is_one_line(tmp_path, stand_in_pip):
    """pip reads `PIP_Log` as PIP_LOG (any case after PIP_): a FIFO no one reads so named was not looked at, and pip
    waited for it forever."""
    os.mkfifo(tmp_path / "pip.fifo")
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, PIP_Log=str(tmp_path / "pip.fifo"))
    assert completed.returncode == 2 and completed.stderr.decode() == fifo_no_one_reads(tmp_path / "pip.fifo").replace(
        "PIP_LOG", "PIP_Log", 1), completed.stderr


@pytest.mark.parametrize("log, said", [
    ("pip's.fifo", "a FIFO no one reads (what read it is not started, or stopped), which pip would wait for forever; "
     "start what reads it, or remove it from pip's configuration file, then run make again"),
    ("repo/requirements.txt", "which is {tmp_path}/repo/requirements.txt, a file the set-up reads; pip would append "
     "its log to it: name another file, then run make again")], ids=["a FIFO no one reads", "the requirements"])
def test_the_set_up_with_a_pip_log_in_pips_configuration_is_looked_at_as_pip_log(tmp_path, log, said):
    """`log = pip's.fifo` in pip's configuration file, a FIFO no one reads: not looked at, the set-up's first pip (pip
    config list, which opens the log too) waited for it forever (a name with a ' is said by pip config list in double
    quotes); `log = requirements.txt`: pip appended its log to the requirements. A venv of pip's own; no install is
    run."""
    venv_with_pip(tmp_path / "venv")
    if log.endswith(".fifo"):
        os.mkfifo(tmp_path / log)
    (tmp_path / "pip.conf").write_text(f"[global]\nlog = {tmp_path}/{log}\n")
    completed = set_up_in_tmp_path(tmp_path, timeout=30, PIP_CONFIG_FILE=str(tmp_path / "pip.conf"))
    assert completed is not None and completed.returncode == 2, completed
    assert completed.stderr == (f"error: pip's configuration sets global.log ({tmp_path}/{log}), "
                                f"{said.format(tmp_path=tmp_path)}\n"), completed.stderr
    assert (tmp_path / "repo" / "requirements.txt").read_text() == ""


def test_the_set_up_whose_venv_is_removed_during_it_says_so(tmp_path, stand_in_pip):
    """`make clean-venv` during a set-up: the set-up's line said "what it installed is kept" of a venv just removed."""
    venv = copy_of_the_stand_in_pip(stand_in_pip, tmp_path / "venv")
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, venv, STAND_IN_PIP_REMOVES=str(venv))
    lines = completed.stderr.decode().strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    assert lines[0].endswith(f"into {venv}, whose Python was removed during the set-up (by 'make clean-venv'?); run "
                             "make again once that is done, to make it anew"), lines[0]


def test_the_set_up_whose_new_venv_is_removed_while_venv_makes_it_says_so(tmp_path):
    """`make clean-venv` while `python -m venv` made the venv (once its pyvenv.cfg was there): said as ensurepip's
    failure, "is its disk full, or its path too long?". A python3.10 first on PATH that makes the venv's pyvenv.cfg,
    removes the venv and fails as venv does then, the real Python for all else."""
    python, path = python_310_and_path()
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python3.10").write_text(
        '#!/bin/sh\nif [ "$1 $2" = "-m venv" ]; then mkdir -p "$3" && : > "$3/pyvenv.cfg" && rm -rf "$3"\n'
        "  echo \"Error: Command '['$3/bin/python3.10', '-m', 'ensurepip', '--upgrade', '--default-pip']' returned "
        f'non-zero exit status 1." >&2; exit 1; fi\nexec {python} "$@"\n')
    (tmp_path / "bin" / "python3.10").chmod(0o755)
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(tmp_path / "venv"),
                                str(set_up_copy(tmp_path) / "requirements.txt")], capture_output=True, text=True,
                               timeout=60, env=dict(os.environ, PATH=f"{tmp_path}/bin:{path}"))
    assert completed.returncode == 2 and completed.stderr == (
        f"error: cannot create the virtual environment {tmp_path}/venv, which was removed during the set-up (by 'make "
        "clean-venv'?); run make again once that is done, to make it anew\n"), completed.stderr


# Twenty-second pass, look at make's set-up, VENV, CHROMIUM and pip's settings

def test_the_set_up_reads_a_pip_configuration_of_a_pipe_once_for_all_its_pips(tmp_path, stand_in_pip):
    """`PIP_CONFIG_FILE=<(...)` (a pipe a process writes once): the set-up's first pip (pip config list) read all of
    it, and pip install ran without the configuration (its index, its find-links: packages from another index, exit
    code 0). A FIFO written once left the next pip waiting forever."""
    reading, writing = os.pipe()
    os.write(writing, b"global.timeout='60'\n")
    os.close(writing)
    try:
        completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, pass_fds=(reading,),
                                                       PIP_CONFIG_FILE=f"/dev/fd/{reading}",
                                                       STAND_IN_PIP_CONFIGURED=str(tmp_path / "configured"))
    finally:
        os.close(reading)
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    assert (tmp_path / "configured").read_text() == "global.timeout='60'\n" * 2  # both installs read it


def stand_in_set_up_that_may_wait(stand_in_pip, shell_end="", **environment):
    """make_venv.sh of stand_in_pip run by bash with `shell_end` after it (a redirection) and the variables of
    `environment` set: (exit code, stderr bytes), stopped (its pip and all) with a TimeoutExpired after 30 s."""
    set_up = subprocess.Popen(["bash", "-c", f'exec bash "$0" "$1" "$2" {shell_end}',
                               os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(stand_in_pip[0]),
                               str(stand_in_pip[1])], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=dict(os.environ, **environment), start_new_session=True)
    try:
        said = set_up.communicate(timeout=30)[1]
        return set_up.returncode, said
    finally:
        if set_up.poll() is None:
            os.killpg(set_up.pid, signal.SIGKILL)
            set_up.communicate()


def test_the_set_up_with_a_pip_configuration_fifo_no_one_writes_is_one_line(tmp_path, stand_in_pip):
    """PIP_CONFIG_FILE naming a FIFO no one writes (the twenty-first pass left it alone): the set-up's first pip waited
    for it forever, as pip alone does."""
    os.mkfifo(tmp_path / "pip.conf")
    status, said = stand_in_set_up_that_may_wait(stand_in_pip, PIP_CONFIG_FILE=str(tmp_path / "pip.conf"))
    assert status == 2 and said.decode() == (
        f"error: PIP_CONFIG_FILE is set ({tmp_path}/pip.conf), a FIFO no one writes (what writes it is not started, or "
        "stopped), which pip would wait for forever; start what writes it, or unset it, then run make again\n")


def test_the_set_up_writes_a_pip_log_its_configuration_names_as_its_stderr_there(tmp_path, stand_in_pip):
    """`log = /dev/stderr` in pip's configuration file (PIP_LOG's was mended by the twentieth pass): pip's /dev/stderr
    is the set-up's reading of its output, so that the failed install's log was lost."""
    (tmp_path / "pip.conf").write_text("global.log='/dev/stderr'\n")
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, PIP_CONFIG_FILE=str(tmp_path / "pip.conf"),
                                                   STAND_IN_PIP_CRASH="MemoryError")
    assert completed.returncode == 2 and completed.stderr.startswith(b"what pip logged\nerror: "), completed.stderr
    assert b"(MemoryError)" in completed.stderr


@pytest.mark.parametrize("variable, configuration", [
    ("PIP_--LOG", None), ("PIP_Log-File", None),
    (None, "global.log='{tmp_path}/pip.log'\nglobal.log-file='{requirements}'\n"),
    (None, "global.log-file='{requirements}'\ninstall.log=''\n"),
    (None, "global.log='~{user}/{from_home}'\n")],
    ids=["PIP_--LOG", "PIP_Log-File", "two names in a section", "an empty one over the global one", "~user"])
def test_the_set_up_looks_at_every_pip_log_setting_pip_takes(tmp_path, stand_in_pip, variable, configuration):
    """A log pip reads that the set-up did not look at, here the set-up's requirements, to which pip appended its log
    (a FIFO no one reads: pip waited forever): a variable whose name is no shell variable's; of `log` and `log-file`
    in one section of pip's configuration, the one pip takes (the later in the file, which `pip config list` does not
    say); the global one under an empty one in the install section (pip drops empty values); one under ~user/."""
    import pwd
    requirements = stand_in_pip[1]
    home = pwd.getpwuid(os.getuid())
    setting = {variable: str(requirements)} if variable else {"PIP_CONFIG_FILE": str(tmp_path / "pip.conf")}
    if configuration:
        (tmp_path / "pip.conf").write_text(configuration.format(
            tmp_path=tmp_path, requirements=requirements, user=home.pw_name,
            from_home=os.path.relpath(requirements, home.pw_dir)))
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, **setting)
    said = completed.stderr.decode()
    assert completed.returncode == 2 and said.startswith("error: ") and said.count("\n") == 1, said
    assert said.endswith(f"which is {requirements}, a file the set-up reads; pip would append its log to it: name "
                         "another file, then run make again\n"), said


def test_the_set_up_keeps_the_callers_descriptor_9_that_pip_writes_its_log_to(tmp_path, stand_in_pip):
    """`PIP_LOG=/dev/fd/9 make setup 9>>pip.log`: the set-up's lock of the venv's folder took descriptor 9, and pip
    opened that folder: "IsADirectoryError", the log not written (a PIP_CONFIG_FILE of /dev/fd/9 read as no file)."""
    completed = subprocess.run(["bash", "-c", 'bash "$0" "$1" "$2" 9>>"$3"', os.path.join(REPO_ROOT, "utils",
                                "make_venv.sh"), str(stand_in_pip[0]), str(stand_in_pip[1]), str(tmp_path / "pip.log")],
                               capture_output=True, timeout=120, env=dict(os.environ, PIP_LOG="/dev/fd/9"))
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    assert (tmp_path / "pip.log").read_text() == "what pip logged\n" * 2


def test_the_set_up_shows_an_escape_sequence_in_a_venv_by_its_codes_in_every_line(tmp_path, stand_in_pip):
    """A VENV holding an escape sequence (the twenty-first pass showed it by its codes in make_venv.sh's lines): the
    line naming a Python variable the venv's Python does not start with printed it raw, the line redrawn from there."""
    venv = copy_of_the_stand_in_pip(stand_in_pip, tmp_path / "venv\x1b[2K")
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, venv, PYTHONHASHSEED="abc")
    assert completed.returncode == 2 and completed.stderr.decode() == (
        f"error: PYTHONHASHSEED is set (abc), with which {tmp_path}/venv\\x1b[2K's Python does not start (Python "
        "refuses its value); unset it, then run make again\n")


def test_the_set_up_whose_venv_is_removed_while_pip_is_put_in_says_so(tmp_path):
    """`make clean-venv` while ensurepip put pip into a venv without it: "cannot install pip into it (... No such file
    or directory ...); make room or write access there". The venv's Python a script that removes the venv and fails as
    ensurepip then does, the real Python (as the venv's) for all else."""
    python, _ = python_310_and_path()
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    (venv / "bin" / "python").unlink()
    (venv / "bin" / "python").write_text(
        f'#!/bin/bash\nif [ "$2" = ensurepip ]; then rm -rf "{venv}"\n  echo "ERROR: Could not install packages due '
        f"to an OSError: [Errno 2] No such file or directory: '{venv}/lib'\" >&2; exit 1; fi\n"
        f'exec -a "$0" {python} "$@"\n')
    (venv / "bin" / "python").chmod(0o755)
    completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(venv),
                                str(set_up_copy(tmp_path) / "requirements.txt")], capture_output=True, text=True,
                               timeout=60)
    assert completed.returncode == 2 and completed.stderr == (
        f"error: cannot install pip into {venv}, which was removed during the set-up (by 'make clean-venv'?); run make "
        "again once that is done, to make it anew\n"), completed.stderr


def test_the_set_up_with_its_stdin_closed_and_a_pip_configuration_there_goes_on(stand_in_pip):
    """`PIP_CONFIG_FILE=/dev/stdin make setup <&-` (stdin closed, a service's): pip config list's stdin was a pipe of
    the set-up's own, which it read forever, where pip alone finds no /dev/stdin and goes on."""
    status, said = stand_in_set_up_that_may_wait(stand_in_pip, "<&-", PIP_CONFIG_FILE="/dev/stdin")
    assert status == 0 and not said, said


# Twenty-second pass, second look at the twenty-second pass's set-up fixes

@pytest.mark.parametrize("setting, value, said", [
    ("CHROMIUM", "/opt/$HOME/chrome", "'/opt/$HOME/chrome' holds a $ that make reads as one of its variables (the path "
                                      "became '/opt/OME/chrome')"),
    ("CHROMIUM", "/opt/$(x/chrome", "'/opt/$(x/chrome' holds a $( or ${ that is not closed, which make cannot read"),
    ("TEST_WORKERS", "$HOME", "'$HOME' holds a $ that make reads as one of its variables (the value became 'OME')"),
    ("TEST_WORKERS", "$(x", "'$(x' holds a $( or ${ that is not closed, which make cannot read"),
    ("TEST_WORKERS", "$(nproc)", "'$(nproc)' (which make read as '') is not a number of pytest workers")],
    ids=["CHROMIUM $H", "CHROMIUM $( not closed", "TEST_WORKERS $H", "TEST_WORKERS $( not closed",
         "TEST_WORKERS $(nproc)"])
def test_make_refuses_a_setting_on_its_command_line_holding_a_dollar_it_reads(tmp_path, setting, value, said):
    """`make test CHROMIUM='$HOME/chrome'` or `TEST_WORKERS='$HOME'` (quoted, so the shell left the $ to make; VENV's
    was refused): make read $H as its variable, and the tests were handed OME/chrome, another program where one is
    there, or "TEST_WORKERS 'OME'" was said; `$(x` was make's "unterminated variable reference", naming neither;
    `$(nproc)` (the shell's way, make's empty variable) was "TEST_WORKERS ''" (the twenty-second pass's first and
    second looks at the set-up)."""
    completed = subprocess.run(["make", "--no-print-directory", "-n", "browser" if setting == "CHROMIUM" else "test",
                                f"{setting}={value}"], cwd=set_up_copy(tmp_path), capture_output=True, text=True,
                               timeout=60, env=top_level_make_environment())
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and not completed.stdout, completed.stdout + completed.stderr
    assert f"*** {setting} {said}" in lines[0], lines[0]


def test_make_takes_a_test_workers_from_the_environment_as_given(tmp_path):
    """`TEST_WORKERS='$(x' make test` (from the environment, the shell's value, as CHROMIUM's is): make read it as its
    text, "unterminated variable reference", naming no TEST_WORKERS."""
    completed = subprocess.run(["make", "--no-print-directory", "-n", "test"], cwd=set_up_copy(tmp_path),
                               capture_output=True, text=True, timeout=60,
                               env=dict(top_level_make_environment(), TEST_WORKERS="$(x"))
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1, completed.stdout + completed.stderr
    assert "*** TEST_WORKERS '$(x' is not a number of pytest workers" in lines[0], lines[0]


def test_the_set_up_names_the_log_variables_set_where_pip_cannot_write_its_log(stand_in_pip):
    """pip's "--- Logging error ---" said with the log variables read from `env`'s listing a line at a time: a value
    holding a newline and a line `PIP_LOG=...` named a variable not set ("which PIP_LOG, PIP_LOCAL_LOG names")."""
    completed = run_the_set_up_of_the_stand_in_pip(
        stand_in_pip, NOTES="a\nPIP_LOCAL_LOG=/tmp/x", PIP_Log="/dev/full",
        STAND_IN_PIP_CRASH="--- Logging error ---\nOSError: [Errno 28] No space left on device")
    assert completed.returncode == 2 and completed.stderr.decode() == (
        "error: pip could not write its log file (OSError: [Errno 28] No space left on device), which PIP_Log names; "
        "unset it or name a file pip can write, then run make again\n"), completed.stderr


def test_the_set_up_with_a_pip_configuration_fifo_no_one_writes_makes_no_venv(tmp_path):
    """PIP_CONFIG_FILE naming a FIFO no one writes, refused by the twenty-second pass once a new venv was made (the
    check needs a Python), where a log FIFO's is refused before anything is made."""
    os.mkfifo(tmp_path / "pip.conf")
    completed = set_up_in_tmp_path(tmp_path, PIP_CONFIG_FILE=str(tmp_path / "pip.conf"), timeout=60)
    assert completed is not None and completed.returncode == 2, completed
    assert completed.stderr.startswith(f"error: PIP_CONFIG_FILE is set ({tmp_path}/pip.conf), a FIFO no one writes"), (
        completed.stderr)
    assert not (tmp_path / "venv").exists() and completed.stdout == ""


def set_up_of_a_pipe_configuration(stand_in_pip, configuration, **environment):
    """run_the_set_up_of_the_stand_in_pip with PIP_CONFIG_FILE a pipe holding `configuration` (`<(...)`'s /dev/fd/N),
    and the variables of `environment` set: (the completed set-up, the configuration's name)."""
    reading, writing = os.pipe()
    os.write(writing, configuration.encode())
    os.close(writing)
    try:
        return run_the_set_up_of_the_stand_in_pip(stand_in_pip, pass_fds=(reading,),
                                                  PIP_CONFIG_FILE=f"/dev/fd/{reading}", **environment), reading
    finally:
        os.close(reading)


def test_the_set_up_names_a_pipe_configuration_pip_cannot_load_as_given(stand_in_pip):
    """pip's reason naming the configuration read once (a pipe's or FIFO's) named its copy, "file:
    '/tmp/pip-config.zctCxW'", which is gone when the set-up ends, and not the PIP_CONFIG_FILE given."""
    completed, reading = set_up_of_a_pipe_configuration(
        stand_in_pip, "[global\n", STAND_IN_PIP_CRASH="pip._internal.exceptions.ConfigurationFileCouldNotBeLoaded: "
        "File contains no section headers. file: '{PIP_CONFIG_FILE}', line: 1")
    assert completed.returncode == 2 and completed.stderr.decode().endswith(
        f"(pip._internal.exceptions.ConfigurationFileCouldNotBeLoaded: File contains no section headers. file: "
        f"'/dev/fd/{reading}', line: 1); what it installed is kept: run make again once that is put right\n"), (
        completed.stderr)


def test_the_set_up_that_cannot_copy_a_pipe_configuration_to_a_missing_tmpdir_says_so(tmp_path, stand_in_pip):
    """A pipe's or FIFO's PIP_CONFIG_FILE copied into a TMPDIR that is not there: "(No such file or directory); make
    room in /nonexistent", the folder missing."""
    completed, reading = set_up_of_a_pipe_configuration(stand_in_pip, "", TMPDIR=str(tmp_path / "missing"))
    assert completed.returncode == 2 and completed.stderr.decode() == (
        f"error: cannot copy PIP_CONFIG_FILE (/dev/fd/{reading}), a FIFO or pipe each of the set-up's pips would read, "
        f"to a file in {tmp_path}/missing (No such file or directory); make room there, or set TMPDIR to a folder you "
        "can write, then run make again\n"), completed.stderr


def test_the_set_up_reads_a_pip_configuration_of_its_stdin_a_file(tmp_path, stand_in_pip):
    """`PIP_CONFIG_FILE=/dev/stdin make setup <pip.conf`: since pip's stdin became /dev/null (the twenty-second pass,
    for a closed stdin), each of the set-up's pips read an empty configuration, the install from another index than it
    names, exit code 0, where pip alone reads the file."""
    (tmp_path / "pip.conf").write_text("global.timeout='60'\n")
    with open(tmp_path / "pip.conf") as configuration:
        completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(stand_in_pip[0]),
                                    str(stand_in_pip[1])], stdin=configuration, capture_output=True, timeout=120,
                                   env=dict(os.environ, PIP_CONFIG_FILE="/dev/stdin",
                                            STAND_IN_PIP_CONFIGURED=str(tmp_path / "configured")))
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    assert (tmp_path / "configured").read_text() == "global.timeout='60'\n" * 2


def test_the_set_up_with_its_stdin_a_folder_goes_on(tmp_path, stand_in_pip):
    """`make setup </` (a slip for `>`): Python does not start with its stdin a folder, and a good venv was said to hold
    "no working Python (its Python was removed or moved)"."""
    folder = os.open(tmp_path, os.O_RDONLY)
    try:
        completed = subprocess.run(["bash", os.path.join(REPO_ROOT, "utils", "make_venv.sh"), str(stand_in_pip[0]),
                                    str(stand_in_pip[1])], stdin=folder, capture_output=True, timeout=120)
    finally:
        os.close(folder)
    assert completed.returncode == 0 and not completed.stderr, completed.stderr


# Twenty-third pass, look at make's set-up, VENV, CHROMIUM and pip's settings

@pytest.mark.parametrize("setting, value", [("VENV", "a}${x"), ("VENV", "a)$(x"), ("CHROMIUM", "/opt/}${x/chrome"),
                                            ("TEST_WORKERS", ")$(x")],
                         ids=["VENV brace before", "VENV paren before", "CHROMIUM", "TEST_WORKERS"])
def test_make_refuses_a_dollar_reference_left_open_after_a_close(tmp_path, setting, value):
    """`VENV='a}${x'`: the check of a $( or ${ left open counted the braces without their order (one of each), and make
    went on to its own "unterminated variable reference", naming no VENV."""
    goal = {"VENV": "setup", "CHROMIUM": "browser", "TEST_WORKERS": "test"}[setting]
    line = make_dry_run_refusal(tmp_path, goal, f"{setting}={value}")
    assert f"*** {setting} '{value}' holds a $( or ${{ that is not closed, which make cannot read" in line, line


def test_make_setup_test_reads_a_pip_configuration_pipe_once_for_both_requirements(tmp_path, stand_in_pip):
    """`make setup-test` of a venv without its stamps (a new one) ran the set-up twice, requirements.txt's and then
    requirements-test.txt's: a PIP_CONFIG_FILE pipe (`<(...)`) was read by the first alone, and the second installed
    the test packages with an empty configuration (from another index than it names), exit code 0."""
    copy = set_up_copy(tmp_path, "package\n")
    copy_of_the_stand_in_pip(stand_in_pip, copy / "venv")
    reading, writing = os.pipe()
    os.write(writing, b"global.timeout='60'\n")
    os.close(writing)
    try:
        completed = subprocess.run(["make", "--no-print-directory", "setup-test", "VENV=venv"], cwd=copy,
                                   capture_output=True, text=True, timeout=120, pass_fds=(reading,),
                                   env=dict(top_level_make_environment(), PIP_CONFIG_FILE=f"/dev/fd/{reading}",
                                            STAND_IN_PIP_CONFIGURED=str(tmp_path / "configured")))
    finally:
        os.close(reading)
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    # requirements.txt's install, requirements-test.txt's and requirements-nodeps.txt's, each with the configuration
    assert (tmp_path / "configured").read_text() == "global.timeout='60'\n" * 3
    assert (copy / "venv" / ".installed").exists() and (copy / "venv" / ".installed-test").exists()


@pytest.mark.parametrize("chromium", ["chrome", "./chrome"], ids=["a name", "a relative path"])
def test_make_hands_the_tests_a_relative_chromium_as_the_path_it_checked(tmp_path, chromium):
    """`make test CHROMIUM=chrome` (a link in the repository's folder): make's check passed that file, but Playwright
    runs a name without a / from PATH ("spawn chrome ENOENT" for every page test). Both are handed as the path from /
    make checked, which no test's folder changes."""
    copy = set_up_copy(tmp_path)
    completed = subprocess.run(["make", "--no-print-directory", "-n", "test", "VENV=venv", f"CHROMIUM={chromium}"],
                               cwd=copy, capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    assert completed.returncode == 0, completed.stderr
    assert f'CHROMIUM="{copy}/{chromium}" venv/bin/python -m pytest' in completed.stdout, completed.stdout


def test_the_set_up_reads_a_pip_constraint_file_of_a_pipe_once_for_all_its_installs(tmp_path, stand_in_pip):
    """`PIP_CONSTRAINT=<(...)`: the first pip install read the pipe, and the later ones (requirements-nodeps.txt's, and
    requirements-test.txt's where make installs both) ran without it, other versions than it pins installed, exit
    code 0."""
    reading, writing = os.pipe()
    os.write(writing, b"package==1\n")
    os.close(writing)
    try:
        completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, pass_fds=(reading,), PIP_CONSTRAINT=f"/dev/fd/"
                                                       f"{reading}", STAND_IN_PIP_CONFIGURED=str(tmp_path / "read"))
    finally:
        os.close(reading)
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    assert (tmp_path / "read").read_text() == "package==1\n" * 2


@pytest.mark.parametrize("where", ["PIP_REPORT", "PIP_Report", "configuration"])
def test_the_set_up_refuses_a_pip_report_each_of_its_pips_would_write_over(tmp_path, stand_in_pip, where):
    """`PIP_REPORT=requirements.txt` (a slip for -r): each of the set-up's pips wrote its report over the repository's
    requirements, and `PIP_REPORT=report.json` (or a configuration file's `report`) was left holding the last pip's
    report alone (requirements-nodeps.txt's), exit code 0."""
    requirements = stand_in_pip[1]
    (tmp_path / "pip.conf").write_text(f"install.report='{requirements}'\n")
    configuration = {"PIP_CONFIG_FILE": str(tmp_path / "pip.conf")}
    setting = {where: str(requirements)} if where != "configuration" else configuration
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, **setting)
    said = completed.stderr.decode()
    assert completed.returncode == 2 and len(said.splitlines()) == 1, said
    assert said.startswith(f"error: pip's configuration sets install.report='{requirements}', a report each of the "
                           if where == "configuration" else f"error: {where} is set ({requirements}), a report each of "
                           "the set-up's pips would write over"), said
    assert requirements.read_text() == "package\n"


@pytest.mark.parametrize("variable", ["PIP_CONSTRAINT", "PIP_REQUIREMENT"])
def test_the_set_up_with_a_pip_constraint_or_requirement_fifo_no_one_writes_is_one_line(tmp_path, stand_in_pip,
                                                                                        variable):
    """PIP_CONSTRAINT or PIP_REQUIREMENT naming a FIFO no one writes: the set-up's first pip install waited for it
    forever (as PIP_CONFIG_FILE's did before the twenty-second pass)."""
    os.mkfifo(tmp_path / "pip.fifo")
    status, said = stand_in_set_up_that_may_wait(stand_in_pip, **{variable: str(tmp_path / "pip.fifo")})
    assert status == 2 and said.decode() == (
        f"error: {variable} is set ({tmp_path}/pip.fifo), a FIFO no one writes (what writes it is not started, or "
        "stopped), which pip would wait for forever; start what writes it, or unset it, then run make again\n")


def test_the_set_up_says_pips_error_ending_in_a_colon_with_what_it_names(stand_in_pip):
    """`PIP_REQUIRE_HASHES=1 make setup` (the requirements pin with ~=): "(In --require-hashes mode, all requirements
    must have their versions pinned with ==. These do not:)", what does not on pip's next line left out."""
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, STAND_IN_PIP_CRASH=(
        "MemoryError\nERROR: In --require-hashes mode, all requirements must have their versions pinned with ==. These "
        "do not:\n    numpy~=1.26.4 from file:///wheels/numpy.whl (from -r requirements.txt (line 1))\n"))
    assert completed.returncode == 2 and completed.stderr.decode().endswith(
        "(In --require-hashes mode, all requirements must have their versions pinned with ==. These do not: "
        "numpy~=1.26.4 from file:///wheels/numpy.whl (from -r requirements.txt (line 1))); what it installed is kept: "
        "run make again once that is put right\n"), completed.stderr


# Twenty-third pass, second look at the twenty-third pass's set-up fixes

@pytest.mark.parametrize("goal, venv", [("venv/.installed-test", "./venv"), ("setup-test", "venv")],
                         ids=["the stamp's file, VENV with ./", "setup-test"])
def test_make_runs_one_set_up_for_the_test_stamp_however_it_is_named(tmp_path, goal, venv):
    """`make venv/.installed-test VENV=./venv` (a VENV written with ./, as the refusal of a leading - asks): make reads
    the goal as the stamp's file, but its name was compared as text, and the two set-ups ran again (a PIP_CONFIG_FILE
    pipe read by the first alone, the test packages from another index, exit code 0). A dry run of `make setup-test`
    showed `:` for the test stamp's set-up, which does not run."""
    completed = subprocess.run(["make", "--no-print-directory", "-n", goal, f"VENV={venv}"], cwd=set_up_copy(tmp_path),
                               capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    assert completed.returncode == 0 and completed.stdout.splitlines() == [
        f"bash utils/make_venv.sh {venv} requirements.txt requirements-test.txt",
        f"touch {venv}/.installed 2>/dev/null || true", f"touch {venv}/.installed-test 2>/dev/null || true"], (
        completed.stdout + completed.stderr)


@pytest.mark.parametrize("goals", [["setup-gpu", "setup-test"], ["setup-test", "setup-gpu"]],
                         ids=["gpu first", "test first"])
def test_make_runs_one_set_up_for_test_and_gpu_requirements_of_a_venv_set_up(tmp_path, stand_in_pip, goals):
    """`make setup-gpu setup-test` of a venv whose requirements.txt is installed (its stamp up to date): the twenty-
    third pass's one set-up ran only where requirements.txt's did, and here two ran, requirements-gpu.txt's and
    requirements-test.txt's, the second reading a PIP_CONFIG_FILE pipe's end: packages from another index, exit code
    0."""
    copy = set_up_copy(tmp_path, "package\n")
    copy_of_the_stand_in_pip(stand_in_pip, copy / "venv")
    (copy / "venv" / ".installed").touch()
    completed = subprocess.run(["make", "--no-print-directory", "-n", *goals, "VENV=venv"], cwd=copy,
                               capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    set_ups = [line for line in completed.stdout.splitlines() if "make_venv.sh" in line]
    assert completed.returncode == 0 and set_ups == [
        "bash utils/make_venv.sh venv requirements-test.txt requirements-gpu.txt"], completed.stdout + completed.stderr


def test_make_gpu_check_leaves_the_set_up_to_its_script(tmp_path):
    """`PIP_CONFIG_FILE=<(...) make gpu-check`: make set up the test stamp, and benchmarks/gpu_check.sh's first step, a
    make of its own (`make setup-gpu setup-test`), set up again, reading the pipe's end: the CUDA wheels installed
    with an empty configuration, from another index, exit code 0. The script's set-up is the one run."""
    completed = subprocess.run(["make", "--no-print-directory", "-n", "gpu-check", "VENV=venv"],
                               cwd=set_up_copy(tmp_path), capture_output=True, text=True, timeout=60,
                               env=top_level_make_environment())
    assert completed.returncode == 0 and completed.stdout == 'GPU_CHECK_VENV="venv" bash benchmarks/gpu_check.sh\n', (
        completed.stdout + completed.stderr)


@pytest.mark.parametrize("chromium", ["a name on PATH", "~/chrome"])
def test_make_takes_chromium_as_the_shell_names_a_program(tmp_path, chromium):
    """`make test CHROMIUM=chromium` (Debian's own, on PATH): make checked a file of that name in the repository's
    folder, "missing or not a program" (as root after apt-get's update and install), where Playwright, as the shell,
    runs it from PATH. `CHROMIUM='~/chrome'` (quoted, or from the environment) was "missing" with ~/chrome there: no
    command reads its ~ as a home folder. As a user not root (an `id` of the test's own first on PATH)."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    for program in ("id", "my-chromium"):
        (fake_bin / program).write_text("#!/bin/sh\necho 1000\n")
        (fake_bin / program).chmod(0o755)
    shutil.copy(fake_bin / "my-chromium", tmp_path / "chrome")
    name = "my-chromium" if chromium == "a name on PATH" else chromium
    environment = dict(top_level_make_environment(), PATH=f"{fake_bin}:/usr/bin:/bin", HOME=str(tmp_path))
    completed = subprocess.run(["make", "--no-print-directory", "-C", REPO_ROOT, "browser", f"CHROMIUM={name}"],
                               capture_output=True, text=True, timeout=60, env=environment)
    if chromium == "~/chrome":
        assert completed.returncode == 2 and completed.stderr.splitlines()[0] == (
            f"error: CHROMIUM '~/chrome' begins with ~, which make's commands and the tests do not read as a home "
            f"folder; write the path out, e.g. {tmp_path}/chrome, then run make again"), completed.stderr
        return
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    completed = subprocess.run(["make", "--no-print-directory", "-C", REPO_ROOT, "-n", "test", "VENV=venv",
                                f"CHROMIUM={name}"], capture_output=True, text=True, timeout=60, env=environment)
    assert f'CHROMIUM="{fake_bin}/my-chromium" venv/bin/python -m pytest' in completed.stdout, completed.stdout


@pytest.mark.parametrize("named", ["a pipe", "a FIFO no one writes"])
def test_the_set_up_reads_a_constraint_pipe_of_pips_configuration_once(tmp_path, stand_in_pip, named):
    """`constraint = /dev/fd/63` in pip's configuration (the twenty-third pass read the variables' pipes once): the
    first pip install read the pipe, and requirements-nodeps.txt's ran without it, other versions than it pins
    installed, exit code 0; a FIFO no one writes there left the set-up waiting forever."""
    if named == "a FIFO no one writes":
        os.mkfifo(tmp_path / "pip.fifo")
        (tmp_path / "pip.conf").write_text(f"install.constraint='{tmp_path}/pip.fifo'\n")
        status, said = stand_in_set_up_that_may_wait(stand_in_pip, PIP_CONFIG_FILE=str(tmp_path / "pip.conf"))
        assert status == 2 and said.decode() == (
            f"error: pip's configuration sets install.constraint ({tmp_path}/pip.fifo), a FIFO no one writes (what "
            "writes it is not started, or stopped), which pip would wait for forever; start what writes it, or remove "
            "it from pip's configuration file, then run make again\n")
        return
    reading, writing = os.pipe()
    os.write(writing, b"package==1\n")
    os.close(writing)
    (tmp_path / "pip.conf").write_text(f"global.constraint='/nonexistent'\ninstall.constraint='/dev/fd/{reading}'\n")
    try:
        completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, pass_fds=(reading,), PIP_CONFIG_FILE=str(
            tmp_path / "pip.conf"), STAND_IN_PIP_CONFIGURED=str(tmp_path / "read"))
    finally:
        os.close(reading)
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    assert (tmp_path / "read").read_text() == ((tmp_path / "pip.conf").read_text() + "package==1\n") * 2


@pytest.mark.parametrize("where", ["PIP_CONSTRAINT", "configuration"])
def test_the_set_up_reads_a_constraint_file_of_its_stdin_once(tmp_path, stand_in_pip, where):
    """`PIP_CONSTRAINT=/dev/stdin make setup <constraints.txt` (as PIP_CONFIG_FILE=/dev/stdin is read): the names were
    read once by a loop whose input was their list, which /dev/stdin then named, and each pip read /dev/null, the
    pins left out, exit code 0."""
    (tmp_path / "constraints.txt").write_text("package==1\n")
    (tmp_path / "pip.conf").write_text("install.constraint='/dev/stdin'\n")
    setting = {"PIP_CONSTRAINT": "/dev/stdin"} if where == "PIP_CONSTRAINT" else {
        "PIP_CONFIG_FILE": str(tmp_path / "pip.conf")}
    with open(tmp_path / "constraints.txt") as stdin:
        completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, stdin=stdin, STAND_IN_PIP_CONFIGURED=str(
            tmp_path / "read"), **setting)
    assert completed.returncode == 0 and not completed.stderr, completed.stderr
    configured = "" if where == "PIP_CONSTRAINT" else (tmp_path / "pip.conf").read_text()
    assert (tmp_path / "read").read_text() == (configured + "package==1\n") * 2


@pytest.mark.parametrize("setting, value, refused", [
    ("CHROMIUM", "/opt/a(b/$(HOME)/chrome", False), ("CHROMIUM", "/opt/x}/${HOME}/chrome", False),
    ("VENV", "$(a ${b)}", True)], ids=["a ( of the path's", "a } of the path's", "a ${ closed after the $( around it"])
def test_make_reads_a_dollar_reference_as_make_does(tmp_path, setting, value, refused):
    """The check of a $( or ${ left open counted the opens and closes of the whole value: a ( or } of the path's own
    beside a reference make reads (`$(HOME)`) was refused as "not closed", and `VENV='$(a ${b)}'` (a ${ closed only
    after the $( around it, left alone by the first look) passed to make's "unterminated variable reference"."""
    completed = subprocess.run(["make", "--no-print-directory", "-n", "browser" if setting == "CHROMIUM" else "setup",
                                f"{setting}={value}"], cwd=set_up_copy(tmp_path), capture_output=True, text=True,
                               timeout=60, env=top_level_make_environment())
    if refused:
        lines = completed.stderr.strip().splitlines()
        assert completed.returncode == 2 and len(lines) == 1, completed.stderr
        assert f"*** VENV '{value}' holds a $( or ${{ that is not closed, which make cannot read" in lines[0], lines[0]
    else:
        home = os.environ["HOME"]
        assert completed.returncode == 0 and value.replace("$(HOME)", home).replace("${HOME}", home) in (
            completed.stdout), completed.stdout + completed.stderr


# Twenty-fourth pass, look at make's set-up, VENV, CHROMIUM and pip's settings

def test_the_set_up_refuses_a_constraint_fifo_of_pips_configuration_before_making_a_venv(tmp_path):
    """A configuration file's `constraint` naming a FIFO no one writes was refused only once a new venv was made (its
    pip read the configuration: venv's and ensurepip's seconds, a venv left), where a variable's is refused before
    anything is made. The configuration is read, for a new venv, by the pip ensurepip would put into it."""
    os.mkfifo(tmp_path / "pip.fifo")
    (tmp_path / "pip.conf").write_text(f"[install]\nconstraint = {tmp_path}/pip.fifo\n")
    completed = set_up_in_tmp_path(tmp_path, PIP_CONFIG_FILE=str(tmp_path / "pip.conf"), timeout=60)
    assert completed is not None and completed.returncode == 2 and completed.stderr == (
        f"error: pip's configuration sets install.constraint ({tmp_path}/pip.fifo), a FIFO no one writes (what writes "
        "it is not started, or stopped), which pip would wait for forever; start what writes it, or remove it from "
        "pip's configuration file, then run make again\n"), completed
    assert not (tmp_path / "venv").exists() and completed.stdout == ""


@pytest.mark.parametrize("setting, value, goal", [
    ("VENV", "$(subst a,(b,c)", "setup"), ("CHROMIUM", "/opt/${subst a,{b,c}/chrome", "browser"),
    ("TEST_WORKERS", "$(if x,(y)", "test"), ("VENV", "$(subst ${a,b},c,d)", "setup")],
    ids=["VENV", "CHROMIUM", "TEST_WORKERS", "a ${ closed in the next argument"])
def test_make_refuses_a_call_of_its_function_left_open_by_a_paren_of_its_own(tmp_path, setting, value, goal):
    """`VENV='$(subst a,(b,c)'`: make reads a call of one of its functions to the close that matches it, counting the
    opens of its kind, where the check read it as a variable's reference (to its first close): make's "unterminated
    call to function 'subst': missing ')'", naming no VENV. Its arguments are split at the commas outside its opens:
    `$(subst ${a,b},c,d)` was make's "unterminated variable reference"."""
    line = make_dry_run_refusal(tmp_path, goal, f"{setting}={value}")
    assert f"*** {setting} '{value}' holds a $( or ${{ that is not closed, which make cannot read" in line, line


def test_make_reads_a_call_of_its_function_holding_parens_as_make_does(tmp_path):
    """A call of make's function whose parens of its own are closed (`$(words a (b) c)`) is make's to read: 3; and the
    last argument takes the commas past the function's count (`$(subst a,b,c,${x,y})`, `c,`)."""
    completed = subprocess.run(["make", "--no-print-directory", "-n", "test", "VENV=$(subst a,b,c,${x,y})",
                                "TEST_WORKERS=$(words a (b) c)"], cwd=set_up_copy(tmp_path), capture_output=True,
                               text=True, timeout=60, env=top_level_make_environment())
    assert completed.returncode == 0 and " c,/bin/python -m pytest -q -n 3 --dist" in completed.stdout, (
        completed.stdout + completed.stderr)


@pytest.mark.parametrize("where", ["PIP_REPORT", "configuration"])
def test_the_set_up_says_a_pip_report_on_pips_output_as_such(tmp_path, stand_in_pip, where):
    """`PIP_REPORT=-` (pip's report on its output, a JSON document among each pip's lines) was refused with the words
    of a file's: "a report each of the set-up's pips would write over (the last one's alone kept, ...)"."""
    (tmp_path / "pip.conf").write_text("install.report='-'\n")
    setting = {"PIP_REPORT": "-"} if where == "PIP_REPORT" else {"PIP_CONFIG_FILE": str(tmp_path / "pip.conf")}
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, **setting)
    named = "PIP_REPORT is set (-)" if where == "PIP_REPORT" else "pip's configuration sets install.report='-'"
    assert completed.returncode == 2 and completed.stderr.decode().startswith(
        f"error: {named}, pip's report on its output, a JSON document each of the set-up's pips would print among its "
        "lines; "), completed.stderr


@pytest.mark.parametrize("where", ["PIP_CONSTRAINT", "configuration"])
def test_the_set_up_refuses_a_constraint_file_of_its_closed_stdin(tmp_path, stand_in_pip, where):
    """`PIP_CONSTRAINT=/dev/stdin make setup <&-` (a service's stdin closed): pip alone fails to open it, but the
    set-up's pips, given /dev/null, read no constraints, the pins left out, exit code 0."""
    (tmp_path / "pip.conf").write_text("install.constraint='/dev/stdin'\n")
    setting = {"PIP_CONSTRAINT": "/dev/stdin"} if where == "PIP_CONSTRAINT" else {
        "PIP_CONFIG_FILE": str(tmp_path / "pip.conf")}
    status, said = stand_in_set_up_that_may_wait(stand_in_pip, "<&-", STAND_IN_PIP_CONFIGURED=str(tmp_path / "read"),
                                                 **setting)
    named, undo = ("PIP_CONSTRAINT is set", "unset it") if where == "PIP_CONSTRAINT" else (
        "pip's configuration sets install.constraint", "remove it from pip's configuration file")
    assert status == 2 and said.decode() == (
        f"error: {named} (/dev/stdin), the set-up's standard input, which is closed; give make the file there (make "
        f"setup <constraints.txt), or {undo}, then run make again\n"), said
    assert not (tmp_path / "read").exists()


# Twenty-fourth pass, second look at the twenty-fourth pass's set-up fixes

def test_the_set_up_refuses_a_pip_configuration_it_cannot_load_before_making_a_venv(tmp_path):
    """A configuration file pip cannot load (`[global` with no close) was said once a new venv was made, by pip
    install's line (venv's and ensurepip's seconds, a venv left), where the first look refuses pip's other settings
    before anything: the pip ensurepip would put into the venv, which reads the configuration first, fails on it."""
    (tmp_path / "pip.conf").write_text("[global\nindex-url = http://127.0.0.1:1/simple\n")
    completed = set_up_in_tmp_path(tmp_path, PIP_CONFIG_FILE=str(tmp_path / "pip.conf"), timeout=60)
    assert completed is not None and completed.returncode == 2 and completed.stderr == (
        f"error: pip's configuration file could not be loaded (File contains no section headers. file: "
        f"'{tmp_path}/pip.conf', line: 1); mend it, or run make with PIP_CONFIG_FILE=/dev/null (no configuration "
        "files), then run make again\n"), completed
    assert not (tmp_path / "venv").exists() and completed.stdout == ""


@pytest.mark.parametrize("setting, stdin_is", [("PIP_CONSTRAINT", "a terminal"), ("PIP_CONFIG_FILE", "a terminal"),
                                              ("PIP_CONSTRAINT", "a folder")])
def test_the_set_up_refuses_a_pip_file_of_its_stdin_a_terminal_or_a_folder(tmp_path, stand_in_pip, setting, stdin_is):
    """`PIP_CONSTRAINT=/dev/stdin make setup` at a terminal, the file not given: pip alone waits for the user to type
    it, but the set-up's pips, given /dev/null, read no constraints (the pins left out), or an empty configuration
    (the install from another index), exit code 0. A folder there (`make setup </`, a slip for `>`, which the set-up
    reads as /dev/null) the same, where pip alone fails."""
    import pty
    terminal, stdin = pty.openpty() if stdin_is == "a terminal" else (None, os.open(tmp_path, os.O_RDONLY))
    try:
        completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, stdin=stdin, STAND_IN_PIP_CONFIGURED=str(
            tmp_path / "read"), **{setting: "/dev/stdin"})
    finally:
        terminal is None or os.close(terminal)
        os.close(stdin)
    example = "constraints.txt" if setting == "PIP_CONSTRAINT" else "pip.conf"
    assert completed.returncode == 2 and completed.stderr.decode() == (
        f"error: {setting} is set (/dev/stdin), the set-up's standard input, {stdin_is}; give make the file there "
        f"(make setup <{example}), or unset it, then run make again\n"), completed.stderr
    assert not (tmp_path / "read").exists()


def test_the_set_up_looks_at_pips_configuration_whatever_pip_configs_own_options_say(tmp_path, stand_in_pip):
    """`PIP_GLOBAL=1` or `PIP_SITE=yes` (pip config's own options, which pip install does not read; here `PIP_Global`,
    as pip reads any case): `pip config list` listed that file alone, and so a target in the user's pip.conf was not
    looked at, the install elsewhere than the venv, exit code 0."""
    (tmp_path / "pip.conf").write_text(f"install.target='{tmp_path}/elsewhere'\n")
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, PIP_CONFIG_FILE=str(tmp_path / "pip.conf"),
                                                   PIP_Global="1")
    assert completed.returncode == 2 and completed.stderr.decode().startswith(
        f"error: pip's configuration sets install.target='{tmp_path}/elsewhere', which sends the set-up's install "
        "elsewhere than "), completed.stderr


@pytest.mark.parametrize("goal, venv", [("setup", ""), ("clean-venv", "$(nothing)")])
def test_make_says_an_empty_venv_is_empty(tmp_path, goal, venv):
    """`VENV=` (`VENV=$MY_VENV`, unset) was refused as "not one word, or begins or ends with a space, ...", true but
    not what is wrong, and `make clean-venv VENV=` printed `rm -rf ""`, exit code 0, nothing removed."""
    completed = subprocess.run(["make", "--no-print-directory", goal, f"VENV={venv}"], cwd=set_up_copy(tmp_path),
                               capture_output=True, text=True, timeout=60, env=top_level_make_environment())
    given = f" ('{venv}', which make reads as nothing)" if venv else ""
    assert completed.returncode == 2 and not completed.stdout and completed.stderr.endswith(
        f"*** VENV is empty{given}: name the virtual environment's folder, or leave VENV out for .venv.  Stop.\n"), (
        completed.stdout + completed.stderr)


@pytest.mark.parametrize("setting, value, goal, said", [
    ("VENV", "$(subst (,),v)", "setup", "subst with 2 arguments, fewer than the 3"),
    ("TEST_WORKERS", "$(word 2)", "test", "word with 1 argument, fewer than the 2"),
    ("VENV", "$(if v,v,$(subst a,b))", "setup", None)], ids=["VENV", "TEST_WORKERS", "a branch make leaves unread"])
def test_make_refuses_a_call_of_its_function_with_too_few_arguments(tmp_path, setting, value, goal, said):
    """`VENV='$(subst (,),v)'` (two arguments, as make splits them at its commas): make's "insufficient number of
    arguments (2) to function 'subst'", naming no VENV. A call in an if's branch that make does not take is make's to
    read (here v)."""
    completed = subprocess.run(["make", "--no-print-directory", "-n", goal, f"{setting}={value}"],
                               cwd=set_up_copy(tmp_path), capture_output=True, text=True, timeout=60,
                               env=top_level_make_environment())
    if said is None:
        assert completed.returncode == 0 and "bash utils/make_venv.sh v requirements.txt" in completed.stdout, (
            completed.stdout + completed.stderr)
        return
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode == 2 and len(lines) == 1 and not completed.stdout, completed.stdout + completed.stderr
    assert f"*** {setting} '{value}' holds a call of make's function {said} it takes, which make cannot read" in (
        lines[0]), lines[0]


# Twenty-fifth pass, look at make's set-up, VENV, CHROMIUM and pip's settings

@pytest.mark.parametrize("setting, said", [
    ({"PIP_TIMEOUT": "abc"}, "PIP_TIMEOUT is set (abc), which pip refuses (invalid floating-point value: 'abc'); unset "
     "it or give it a value pip takes"),
    ({"PIP_CONFIG_FILE": "utf-16"}, "pip's configuration file could not be loaded (it is not UTF-8: file '{}'); mend "
     "it, or run make with PIP_CONFIG_FILE=/dev/null (no configuration files)")], ids=["PIP_TIMEOUT", "UTF-16"])
def test_the_set_up_refuses_a_setting_pip_install_refuses_before_making_a_venv(tmp_path, python_310_of_compiled_pip,
                                                                               setting, said):
    """`PIP_TIMEOUT=abc` (a value pip install refuses) and a configuration file of UTF-16 (pip's "contains invalid UTF-8
    characters") were said once a new venv was made, by pip install's line (venv's and ensurepip's seconds, a venv
    left), where a configuration file pip cannot load is refused before anything. (Its pip, ensurepip's, compiled.)"""
    if "PIP_CONFIG_FILE" in setting:
        (tmp_path / "pip.conf").write_bytes("[global]\ntimeout = 60\n".encode("utf-16"))
        setting, said = {"PIP_CONFIG_FILE": str(tmp_path / "pip.conf")}, said.format(tmp_path / "pip.conf")
    completed = set_up_in_tmp_path(tmp_path, timeout=60, path=python_310_of_compiled_pip, **setting)
    assert completed is not None and completed.returncode == 2 and completed.stderr == (
        f"error: {said}, then run make again\n"), completed
    assert not (tmp_path / "venv").exists() and completed.stdout == ""


@pytest.mark.parametrize("value, read", [("$(and v,$(word 1))", False), ("$(if v,$(subst a,b))", False),
                                         ("$(or ,$(foreach a,v))", False), ("$(if ,$(word 1),v)", True)])
def test_make_refuses_a_call_of_too_few_arguments_in_an_argument_it_surely_reads(tmp_path, value, read):
    """`VENV='$(and v,$(word 1))'`: the check left every argument of and after its first, as one make may leave unread,
    but after a first of plain text make reads it: make's "insufficient number of arguments (1) to function 'word'",
    naming no VENV. An argument make surely reads (after plain text deciding it) is checked; one it surely leaves unread
    (an if's branch not taken) is not: `$(if ,$(word 1),v)` is v."""
    if read:
        completed = subprocess.run(["make", "--no-print-directory", "-n", "setup", f"VENV={value}"],
                                   cwd=set_up_copy(tmp_path), capture_output=True, text=True, timeout=60,
                                   env=top_level_make_environment())
        assert completed.returncode == 0 and "bash utils/make_venv.sh v requirements.txt" in completed.stdout, (
            completed.stdout + completed.stderr)
        return
    line = make_dry_run_refusal(tmp_path, "setup", f"VENV={value}")
    assert f"*** VENV '{value}' holds a call of make's function " in line and ", which make cannot read" in line, line


@pytest.mark.parametrize("setting", ["PIP_CONFIG_FILE", "PIP_CONSTRAINT"])
def test_the_set_up_refuses_a_pip_file_of_a_device_that_never_ends(tmp_path, stand_in_pip, setting):
    """`PIP_CONFIG_FILE=/dev/zero` (or a constraint file of it, a slip): pip read it without end, the set-up with it,
    no line said."""
    status, said = stand_in_set_up_that_may_wait(stand_in_pip, STAND_IN_PIP_CONFIGURED=str(tmp_path / "read"),
                                                 **{setting: "/dev/zero"})
    assert status == 2 and said.decode() == (
        f"error: {setting} is set (/dev/zero), a device, not a file, which pip would read without end or wait for; "
        "name a file, or unset it, then run make again\n"), said
    assert not (tmp_path / "read").exists()


# Twenty-fifth pass, second look at the twenty-fifth pass's set-up fixes

@pytest.fixture(scope="module")
def venv_of_the_tests_pip(tmp_path_factory):
    """A venv made without pip, whose pip is a link to the tests' own (compiled): a real pip for the set-up's checks,
    without venv_with_pip's first cost (ensurepip's seconds). Only for set-ups that install nothing."""
    return venv_linked_to_the_tests_pip(tmp_path_factory.mktemp("venv-of-the-tests-pip") / "venv")


def venv_linked_to_the_tests_pip(folder):
    """folder made a venv without pip, its pip a link to the tests' own."""
    import pip
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    os.symlink(os.path.dirname(pip.__file__), next(folder.glob("lib/python3*/site-packages")) / "pip")
    return folder


@pytest.mark.parametrize("venv, setting", [("new", "config"), ("there", "config"), ("there", "PIP_TIMEOUT")])
def test_the_set_up_reads_pips_settings_as_pip_install_does_whatever_pip_configs_own_section_holds(
        tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv, setting):
    """A value only pip config's own section holds (`[config]` of `user = maybe`), which pip install does not read,
    failed `pip config list` alone: before a new venv it was refused as pip install's ("pip's configuration sets user
    to a value pip refuses"), where pip install takes the configuration, and in a venv there the configuration was not
    looked at, its `target` taken, the install elsewhere, exit code 0. There a setting pip install refuses
    (`PIP_TIMEOUT=abc`) was pip install's "(An error occurred during configuration: option timeout: ...)", naming no
    PIP_TIMEOUT, as a new venv's line does."""
    (tmp_path / "pip.conf").write_text(f"[config]\nuser = maybe\n[install]\ntarget = {tmp_path}/elsewhere\n")
    if venv == "there":
        (tmp_path / "venv").symlink_to(venv_of_the_tests_pip)
    environment = {"PIP_TIMEOUT": "abc"} if setting == "PIP_TIMEOUT" else {
        "PIP_CONFIG_FILE": str(tmp_path / "pip.conf")}
    completed = set_up_in_tmp_path(tmp_path, timeout=60, path=python_310_of_compiled_pip, **environment)
    said = ("PIP_TIMEOUT is set (abc), which pip refuses (invalid floating-point value: 'abc'); unset it or give it a "
            "value pip takes" if setting == "PIP_TIMEOUT" else f"pip's configuration sets install.target='{tmp_path}/"
            f"elsewhere', which sends the set-up's install elsewhere than {tmp_path}/venv;")
    assert completed is not None and completed.returncode == 2 and completed.stderr.startswith(f"error: {said}"), (
        completed)
    assert os.path.exists(tmp_path / "venv") == (venv == "there") and completed.stdout == ""


def test_the_set_up_says_a_warning_each_of_its_pips_gives_once(stand_in_pip):
    """`PIP_INDEX_URL='not a url'`: pip's warning "The index url ... seems invalid" was said once for each of the
    set-up's pips (requirements.txt's, requirements-nodeps.txt's), where pip alone says it once a run."""
    warning = 'WARNING: The index url "not a url" seems invalid, please provide a scheme.'
    completed = run_the_set_up_of_the_stand_in_pip(stand_in_pip, STAND_IN_PIP_SAYS=warning)
    assert completed.returncode == 0 and completed.stderr.decode() == warning + "\n", completed.stderr


def test_the_set_up_names_a_pip_setting_its_options_own_check_refuses_where_it_is_set(tmp_path,
                                                                                       python_310_of_compiled_pip):
    """A value pip refuses through an option's own check (`no-cache-dir = abc`: pip's usage, then "--no-cache-dir
    error: invalid truth value 'abc'") was said once a new venv was made, naming no setting; and a variable of a value
    pip takes beside a configuration file's it refuses (`PIP_TIMEOUT=5`, `timeout = abc`) was named as the one
    refused, where unsetting it changes nothing."""
    (tmp_path / "pip.conf").write_text("[install]\nno-cache-dir = abc\n")
    completed = set_up_in_tmp_path(tmp_path, timeout=60, path=python_310_of_compiled_pip, PIP_NO_CACHE_DIR="1",
                                   PIP_CONFIG_FILE=str(tmp_path / "pip.conf"))
    assert completed is not None and completed.returncode == 2 and completed.stderr.startswith(
        "error: pip's configuration sets no-cache-dir to a value pip refuses (invalid truth value 'abc'); mend it "
        "('pip config debug' names the files)"), completed
    assert not os.path.exists(tmp_path / "venv") and completed.stdout == ""


# Twenty-sixth pass, look at make's set-up, VENV, CHROMIUM and pip's settings

def refusal_of_a_pip_setting(tmp_path, path, venv_there, venv, setting):
    """The line of make_venv.sh's refusal (exit code 2, one line, no venv made where it was new) of a new venv, or of
    venv_there linked in (venv "there"), with python3.10 of PATH path and the variables of setting (PIP_CONFIG_FILE's
    the configuration's text, written to a file)."""
    if "PIP_CONFIG_FILE" in setting:
        (tmp_path / "pip.conf").write_text(setting["PIP_CONFIG_FILE"])
        setting = {"PIP_CONFIG_FILE": str(tmp_path / "pip.conf")}
    if venv == "there":
        (tmp_path / "venv").symlink_to(venv_there)
    completed = set_up_in_tmp_path(tmp_path, timeout=60, path=path, **setting)
    assert completed is not None and completed.returncode == 2 and completed.stderr.count("\n") == 1, completed
    assert os.path.exists(tmp_path / "venv") == (venv == "there")
    return completed.stderr


PLATFORM_REFUSED = ("PIP_PLATFORM is set (x), which the set-up's pip install cannot take (pip takes a platform or "
                    "interpreter only for an install into --target); unset it, then run make again")


@pytest.mark.parametrize("venv, setting, said", [
    ("new", {"PIP_PLATFORM": "x"}, PLATFORM_REFUSED), ("there", {"PIP_PLATFORM": "x"}, PLATFORM_REFUSED),
    ("new", {"PIP_CONFIG_FILE": "[install]\nuse-feature = truststore\n"}, "pip's configuration sets use-feature, which "
     "the set-up's pip install cannot take (To use the truststore feature, 'truststore' must be installed into pip's "
     "current environment.); remove it from pip's configuration file")],
    ids=["PIP_PLATFORM, new venv", "PIP_PLATFORM, venv there", "use-feature, new venv"])
def test_the_set_up_names_a_setting_pip_install_refuses_as_it_starts(tmp_path, python_310_of_compiled_pip,
                                                                     venv_of_the_tests_pip, venv, setting, said):
    """`PIP_PLATFORM=x` (or a python-version, abi or implementation: pip takes them only for an install into --target)
    and `use-feature = truststore` without truststore, which pip install checks as it starts rather than as it reads
    its options, were said once a new venv was made (venv's seconds, a venv left), and in a venv there by pip's reason
    alone ("When restricting platform ..., either --no-deps must be set"), naming no setting."""
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv, setting)
    assert refused.startswith(f"error: {said}"), refused


@pytest.mark.parametrize("given", ["-e", "MAKEFLAGS=e"])
def test_make_refuses_environment_overrides_of_its_python(tmp_path, given):
    """`make -e demo` (or MAKEFLAGS=e) took the environment's variables over the Makefile's own: a PYTHON set for
    another tool ran demo.py with that Python after the set-up of the venv, exit code 0. (make -e without one of
    them, with CHROMIUM, runs as before.)"""
    environment = dict(top_level_make_environment(), PYTHON="/usr/bin/python3")
    if given == "-e":
        command = ["make", "--no-print-directory", "-e", "-n", "demo"]
    else:
        command, environment["MAKEFLAGS"] = ["make", "--no-print-directory", "-n", "demo"], "e"
    completed = subprocess.run(command, cwd=set_up_copy(tmp_path), capture_output=True, text=True, timeout=60,
                               env=environment)
    assert completed.returncode == 2 and not completed.stdout and completed.stderr.count("\n") == 1, completed
    assert "*** make -e takes PYTHON from the environment over this Makefile's own, which names the venv and what " \
        "runs in it; run make without -e (giving VENV on its command line), or unset PYTHON." in completed.stderr, (
            completed.stderr)


def test_the_set_up_of_a_venv_venv_fails_to_create_in_a_folder_a_stopped_venv_left_says_what_is_left(
        tmp_path, python_310_of_compiled_pip):
    """A folder an earlier venv stopped in (its own empty bin), where venv then failed (a full disk): said to have
    "nothing of it left", its pyvenv.cfg and bin there, kept, as what was there cannot be told from what venv added.
    (A python3.10 that fails as venv does there, after writing part of the venv; else the one of compiled pip.)"""
    bin_dir = python_310_whose_venv_fails(tmp_path / "python", f"{python_310_of_compiled_pip.split(':')[0]}/python3.10")
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    completed = set_up_in_tmp_path(tmp_path, timeout=60, path=f"{bin_dir}:{os.environ['PATH']}")
    assert completed is not None and completed.returncode == 2 and completed.stderr == (
        f"error: cannot create the virtual environment {tmp_path}/venv ([Errno 28] No space left on device: "
        f"'{tmp_path}/venv/lib'); what venv made in it is left, beside what was there, for the next run to go on from: "
        "make room or write access there, or set VENV to another folder\n"), completed
    assert sorted(os.listdir(tmp_path / "venv")) == ["bin", "pyvenv.cfg"]


# Twenty-sixth pass, second look at the twenty-sixth pass's set-up fixes

CONSTRAINT_GONE = ("the set-up's pip install cannot take (Could not open requirements file: [Errno 2] No such file or "
                   "directory: '{tmp}/gone.txt');")


@pytest.mark.parametrize("venv, setting, said", [
    ("new", {"PIP_CONSTRAINT": "{tmp}/gone.txt"}, f"PIP_CONSTRAINT is set ({{tmp}}/gone.txt), which {CONSTRAINT_GONE} "
     "unset it"),
    ("there", {"PIP_CONSTRAINT": "{tmp}/gone.txt"}, "PIP_CONSTRAINT is set ({tmp}/gone.txt), which "
     f"{CONSTRAINT_GONE} unset it"),
    ("new", {"PIP_CONFIG_FILE": "[global]\nconstraint = {tmp}/gone.txt\n"}, "pip's configuration sets constraint, "
     f"which {CONSTRAINT_GONE} remove it from pip's configuration file"),
    ("new", {"PIP_INSTALL_OPTION": "--prefix={tmp}/elsewhere"}, "PIP_INSTALL_OPTION is set (--prefix={tmp}/"
     "elsewhere), which the set-up's pip install cannot take (Location-changing options found in --install-option: "
     "['--prefix'] from command line.")],
    ids=["PIP_CONSTRAINT, new venv", "PIP_CONSTRAINT, venv there", "constraint, new venv",
         "PIP_INSTALL_OPTION, new venv"])
def test_the_set_up_names_a_constraint_file_or_install_option_pip_install_refuses_as_it_starts(
        tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv, setting, said):
    """A constraint file pip's settings name that is not there (`PIP_CONSTRAINT`, a pip.conf's `constraint` of a file
    since removed) and `PIP_INSTALL_OPTION=--prefix=...`, which pip install refuses as it starts ("Could not open
    requirements file", "Location-changing options found in --install-option"), were said once a new venv was made
    (venv's seconds, a venv left), and in a venv there naming no setting, as the first look's platform was."""
    setting = {name: value.format(tmp=tmp_path) for name, value in setting.items()}
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv, setting)
    assert refused.startswith(f"error: {said.format(tmp=tmp_path)}"), refused


def test_the_set_up_refuses_truststore_reached_through_a_pth_file_of_the_base_pythons_site_before_a_new_venv(
        tmp_path, python_310_of_compiled_pip):
    """`use-feature = truststore` where the base Python reaches truststore through a .pth file of its user site (as
    `pip install --user -e` puts one), which a new venv's Python does not read: the site folders alone were left out of
    the check's sys.path, so that it passed, the venv made before pip install's refusal."""
    site_packages = tmp_path / "user" / "lib" / "python3.10" / "site-packages"
    site_packages.mkdir(parents=True)
    (tmp_path / "elsewhere" / "truststore").mkdir(parents=True)
    (tmp_path / "elsewhere" / "truststore" / "__init__.py").write_text("import ssl\nSSLContext = ssl.SSLContext\n")
    (site_packages / "elsewhere.pth").write_text(f"{tmp_path}/elsewhere\n")
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, None, "new", {
        "PIP_USE_FEATURE": "truststore", "PYTHONUSERBASE": str(tmp_path / "user")})
    assert refused == (
        "error: PIP_USE_FEATURE is set (truststore), which the set-up's pip install cannot take (To use the truststore "
        "feature, 'truststore' must be installed into pip's current environment.); unset it, then run make again\n")


# Twenty-sixth pass, third look at the twenty-sixth pass's set-up fixes

@pytest.mark.parametrize("venv, name, said", [
    ("new", "{tmp}/folder", "Could not open requirements file: [Errno 21] Is a directory: '{tmp}/folder'"),
    ("new", "{tmp}/latin-1.txt", "Could not decode requirements file: 'utf-8' codec can't decode byte 0xe9 in "
     "position 5: invalid continuation byte"),
    ("there", "{tmp}/latin-1.txt", "Could not decode requirements file: 'utf-8' codec can't decode byte 0xe9 in "
     "position 5: invalid continuation byte"),
    ("new", "file://{tmp}/gone.txt", "404 Client Error: FileNotFoundError for url: file://{tmp}/gone.txt"),
    ("new", "file://elsewhere/c.txt", "non-local file URIs are not supported on this platform: "
     "'file://elsewhere/c.txt'"),
    ("there", "{tmp}/socket", "Could not open requirements file: [Errno 6] No such device or address: '{tmp}/socket'")],
    ids=["a folder, new venv", "not UTF-8, new venv", "not UTF-8, venv there", "a file: URL, new venv",
         "another host's file: URL, new venv", "a socket, venv there"])
def test_the_set_up_names_a_constraint_pip_install_cannot_read_as_it_starts(
        tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv, name, said):
    """A constraint file pip's settings name that is a folder or a socket, that is not text of the locale's encoding
    (Latin-1, a binary file: pip's traceback, taken by the check as no refusal), or a `file:` URL of one not there or
    of another host, each refused by pip install as it starts, passed the check of the second look: said once a new
    venv was made, and in a venv there naming no setting."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "latin-1.txt").write_bytes("# caf\xe9\nnumpy\n".encode("latin-1"))
    name = name.format(tmp=tmp_path)
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "socket"))
        refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv,
                                           {"PIP_CONSTRAINT": name})
    assert refused == (f"error: PIP_CONSTRAINT is set ({name}), which the set-up's pip install cannot take "
                       f"({said.format(tmp=tmp_path)}); unset it, then run make again\n")


@pytest.mark.parametrize("venv, constraint, said", [
    ("new", "-e {tmp}/folder", "Unnamed requirements are not allowed as constraints"),
    ("there", "numpy[extra]", "Constraints cannot have extras")], ids=["-e, new venv", "extras, venv there"])
def test_the_set_up_names_a_constraint_of_a_form_pip_install_refuses(
        tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv, constraint, said):
    """A constraint pip install refuses before it reaches its index (`-e folder`, a name with extras) passed the check
    of the second look, which read the file's lines but not their form: said once a new venv was made, and in a venv
    there naming no setting."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "constraints.txt").write_text(constraint.format(tmp=tmp_path) + "\n")
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv,
                                       {"PIP_CONSTRAINT": str(tmp_path / "constraints.txt")})
    assert refused == (f"error: PIP_CONSTRAINT is set ({tmp_path}/constraints.txt), which the set-up's pip install "
                       f"cannot take ({said}); unset it, then run make again\n")


# Twenty-sixth pass, fourth look at the twenty-sixth pass's set-up fixes

@pytest.mark.parametrize("venv", ["new", "there"])
def test_the_set_up_names_a_constraint_file_of_utf16_without_its_bom_in_one_line(
        tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv):
    """A constraint file in UTF-16 without its BOM (as some editors save), which pip reads as UTF-8, gave pip's reason
    with NULs in it, and bash's warning of them ("command substitution: ignored null byte in input") was a second line
    before the refusal. (Since the twenty-seventh pass the file holding them is named, not pip's line.)"""
    (tmp_path / "folder").mkdir()
    (tmp_path / "constraints.txt").write_bytes(f"-e {tmp_path}/folder\n".encode("utf-16-le"))
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv,
                                       {"PIP_CONSTRAINT": str(tmp_path / "constraints.txt")})
    assert refused == (f"error: PIP_CONSTRAINT is set ({tmp_path}/constraints.txt), which the set-up's pip install "
                       f"cannot take (Could not decode requirements file: {tmp_path}/constraints.txt holds NUL bytes "
                       "(as UTF-16 or UTF-32 without its BOM, which pip reads as UTF-8); save it in UTF-8); unset it, "
                       "then run make again\n")


# Twenty-seventh pass, look at make's set-up, VENV, CHROMIUM and pip's settings

@pytest.mark.parametrize("venv", ["new", "there"])
def test_the_set_up_names_a_requirement_file_whose_constraint_file_pip_install_refuses(
        tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv):
    """`-c FILE` inside the requirement file `PIP_REQUIREMENT` names, FILE holding a constraint of a form pip install
    refuses as it starts (`-e folder`): the check looked at the forms of `PIP_CONSTRAINT`'s files alone, so that it
    passed, said once a new venv was made, and in a venv there naming no setting."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "constraints.txt").write_text(f"-e {tmp_path}/folder\n")
    (tmp_path / "requirements.txt").write_text(f"-c {tmp_path}/constraints.txt\n")
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv,
                                       {"PIP_REQUIREMENT": str(tmp_path / "requirements.txt")})
    assert refused == (f"error: PIP_REQUIREMENT is set ({tmp_path}/requirements.txt), which the set-up's pip install "
                       "cannot take (Unnamed requirements are not allowed as constraints); unset it, then run make "
                       "again\n")


def constraint_refused(path, reason):
    """The set-up's line refusing a PIP_CONSTRAINT of path for pip's reason."""
    return (f"error: PIP_CONSTRAINT is set ({path}), which the set-up's pip install cannot take ({reason}); unset it, "
            "then run make again\n")


@pytest.mark.parametrize("venv, lines", [("new", {"a.txt": "-r a.txt"}), ("there", {"a.txt": "-c {tmp}/b.txt",
                                                                                     "b.txt": "-c {tmp}/a.txt"})],
                         ids=["a file naming itself, new venv", "two files naming each other, venv there"])
def test_the_set_up_names_constraint_files_naming_each_other(
        tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv, lines):
    """Constraint files whose `-r` or `-c` lines lead back to themselves: pip install's RecursionError, a traceback the
    check took for no refusal, said once a new venv was made, and in a venv there "(RecursionError: maximum recursion
    depth exceeded while calling a Python object)" naming no setting."""
    for name, line in lines.items():
        (tmp_path / name).write_text(line.format(tmp=tmp_path) + "\n")
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv,
                                       {"PIP_CONSTRAINT": str(tmp_path / "a.txt")})
    assert refused == constraint_refused(f"{tmp_path}/a.txt", "Could not read requirements file: its -r and -c lines "
                                         "lead back to a file they came from, or nest deeper than pip reads")


def test_the_set_up_names_a_constraint_file_holding_nuls_not_a_line_pip_takes(tmp_path, python_310_of_compiled_pip):
    """A constraint file in UTF-16 without its BOM whose line is one pip takes (`-c FILE`): its NULs dropped from pip's
    reason, it was said "(Invalid requirement: -c FILE)", as if the line were wrong."""
    (tmp_path / "b.txt").write_text("numpy\n")
    (tmp_path / "a.txt").write_bytes(f"-c {tmp_path}/b.txt\n".encode("utf-16-le"))
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, None, "new",
                                       {"PIP_CONSTRAINT": str(tmp_path / "a.txt")})
    assert refused == constraint_refused(tmp_path / "a.txt", f"Could not decode requirements file: {tmp_path}/a.txt "
                                         "holds NUL bytes (as UTF-16 or UTF-32 without its BOM, which pip reads as "
                                         "UTF-8); save it in UTF-8")


@pytest.mark.parametrize("venv", ["new", "there"])
def test_the_set_up_names_a_constraint_file_whose_coding_line_names_no_encoding(
        tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv):
    """`# -*- coding: nosuch -*-` in a constraint file (pip reads a file of no BOM in the encoding its coding line
    names): pip install's LookupError, a traceback the check took for no refusal, said once a new venv was made, and
    in a venv there "(LookupError: unknown encoding: nosuch)" naming no setting."""
    (tmp_path / "constraints.txt").write_text("# -*- coding: nosuch -*-\nnumpy\n")
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, venv_of_the_tests_pip, venv,
                                       {"PIP_CONSTRAINT": str(tmp_path / "constraints.txt")})
    assert refused == constraint_refused(f"{tmp_path}/constraints.txt", "Could not decode requirements file: unknown "
                                         "encoding: nosuch")


def test_the_set_up_names_the_setting_of_a_constraint_line_over_128_kib(tmp_path, python_310_of_compiled_pip):
    """A constraint line pip refuses of over 128 KiB (its reason quoting it): bash's "Argument list too long" as a
    first line, then "pip's configuration sets constraint", which no configuration file set."""
    line = f"-e {tmp_path}/" + "x" * 140_000
    (tmp_path / "constraints.txt").write_text(line + "\n")
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, None, "new",
                                       {"PIP_CONSTRAINT": str(tmp_path / "constraints.txt")})
    assert refused.startswith(f"error: PIP_CONSTRAINT is set ({tmp_path}/constraints.txt), which the set-up's pip "
                              f"install cannot take ({tmp_path}/xxx"), refused[:300]
    assert line[3:] in refused and refused.endswith("; unset it, then run make again\n"), refused[-300:]


def locale_built(tmp_path_factory, language, charmap):
    """LOCPATH of the locale `language`.`charmap`, built by localedef (this machine has C, C.utf8 and POSIX alone)."""
    folder = tmp_path_factory.mktemp("locales")
    try:
        subprocess.run(["localedef", "-i", language, "-f", charmap, str(folder / f"{language}.{charmap}")],
                       check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.CalledProcessError) as failed:
        pytest.skip(f"no locale of {charmap} can be built here ({failed})")
    return str(folder)


@pytest.fixture(scope="session")
def latin_1_locale(tmp_path_factory):
    """LOCPATH of a French locale in ISO-8859-1."""
    return locale_built(tmp_path_factory, "fr_FR", "ISO-8859-1")


def test_the_set_up_names_a_constraint_file_under_a_latin_1_locale_in_the_bytes_given(
        tmp_path, python_310_of_compiled_pip, latin_1_locale):
    """Under a Latin-1 locale, `PIP_CONSTRAINT` of `café.txt` not there: pip's reason, the name decoded by the locale,
    was printed in UTF-8 (`caf\\xc3\\x83\\xc2\\xa9`), so that the line showed the name as given and twice encoded."""
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, None, "new", {
        "LOCPATH": latin_1_locale, "LC_ALL": "fr_FR.ISO-8859-1", "PIP_CONSTRAINT": f"{tmp_path}/café.txt"})
    assert refused == constraint_refused(f"{tmp_path}/café.txt", "Could not open requirements file: [Errno 2] No such "
                                         f"file or directory: '{tmp_path}/café.txt'")


# Twenty-seventh pass, beside the looks: a progress bar open at a command's end
@pytest.mark.parametrize("ending, line", [("raise KeyboardInterrupt", "interrupted"),
                                          ("raise UserError('bad input; fix it')", "error: bad input; fix it")])
def test_a_progress_bar_open_at_an_interruption_or_error_is_shown_before_its_line(ending, line):
    """A bar left open (a second Ctrl-C's interruption raised again inside train.py's progress.close(), under load)
    was closed by tqdm at the interpreter's exit and printed after "interrupted": the line was not the last."""
    script = ("from tqdm import tqdm\nfrom utils.errors import UserError, exit_on_user_error\n"
              f"with exit_on_user_error():\n    bar = tqdm(total=10)\n    bar.update()\n    {ending}\n")
    ended = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert ended.returncode == (130 if line == "interrupted" else 2), ended.stderr
    assert ended.stderr.splitlines()[-1] == line and "1/10" in ended.stderr, ended.stderr


# Twenty-seventh pass, second look at the twenty-seventh pass's set-up fixes
@pytest.mark.parametrize("encoding, reason", [
    ("undefined", "decoding with 'undefined' codec failed (UnicodeError: undefined encoding)"),
    ("punycode", "decoding with 'punycode' codec failed (UnicodeError: Invalid extended code point '\\n')")],
    ids=["undefined", "punycode"])
def test_the_set_up_names_a_constraint_file_whose_coding_line_names_an_encoding_that_cannot_decode_it(
        tmp_path, python_310_of_compiled_pip, encoding, reason):
    """`# -*- coding: undefined -*-` (or punycode) in a constraint file: its decoding raises a UnicodeError that is no
    UnicodeDecodeError, a traceback of pip install the check took for no refusal, said once a new venv was made, and
    in a venv there as "(UnicodeError: ...)" naming no setting; punycode's reason, holding a line end, was cut there."""
    (tmp_path / "constraints.txt").write_text(f"# -*- coding: {encoding} -*-\nnumpy==1.0\n")
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, None, "new",
                                       {"PIP_CONSTRAINT": str(tmp_path / "constraints.txt")})
    assert refused == constraint_refused(f"{tmp_path}/constraints.txt", f"Could not decode requirements file: {reason}")


@pytest.mark.parametrize("files, named, read_as", [
    ({"a.txt": ("# a note\0\n-r {tmp}/b.txt\n", "utf-8"), "b.txt": ("-c {tmp}/c.txt\n", "utf-16-le")}, "b.txt",
     "UTF-16 or UTF-32 without its BOM, which pip reads as UTF-8"),
    ({"a.txt": ("\ufeffnumpy\n", "utf-32-le")}, "a.txt", "UTF-32 with its BOM, which pip reads as UTF-16")],
    ids=["a NUL in a comment above a file of UTF-16", "UTF-32 LE with its BOM"])
def test_the_set_up_names_the_file_whose_line_pip_refuses_for_its_nuls_and_how_pip_read_it(
        tmp_path, python_310_of_compiled_pip, files, named, read_as):
    """A constraint file holding a NUL in a comment alone (which pip takes) naming one of UTF-16 without its BOM: the
    first of them was named as holding NULs, not the one whose line pip refuses; a file of UTF-32 LE with its BOM,
    which pip reads as UTF-16 (their BOMs begin alike), was said to be "without its BOM"."""
    (tmp_path / "c.txt").write_text("numpy\n")
    for name, (text, encoding) in files.items():
        (tmp_path / name).write_bytes(text.format(tmp=tmp_path).encode(encoding))
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, None, "new",
                                       {"PIP_CONSTRAINT": str(tmp_path / "a.txt")})
    assert refused == constraint_refused(f"{tmp_path}/a.txt", f"Could not decode requirements file: {tmp_path}/{named} "
                                         f"holds NUL bytes (as {read_as}); save it in UTF-8")


@pytest.fixture(scope="session")
def koi8_r_locale(tmp_path_factory):
    """LOCPATH of a Russian locale in KOI8-R."""
    return locale_built(tmp_path_factory, "ru_RU", "KOI8-R")


def test_the_set_up_names_a_constraint_file_under_koi8_r_in_the_bytes_given_beside_a_character_it_lacks(
        tmp_path, python_310_of_compiled_pip, koi8_r_locale):
    """Under KOI8-R, `PIP_CONSTRAINT` of a name in KOI8-R whose UTF-8 line pip refuses holds `é`, which KOI8-R lacks:
    the whole line was written in UTF-8, the name in it twice encoded beside the name as given."""
    name = os.fsdecode("файл.txt".encode("koi8-r"))
    (tmp_path / name).write_text("# -*- coding: utf-8 -*-\ncafé\n", encoding="utf-8")
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, None, "new", {
        "LOCPATH": koi8_r_locale, "LC_ALL": "ru_RU.KOI8-R", "PIP_CONSTRAINT": f"{tmp_path}/{name}"})
    assert refused == constraint_refused(f"{tmp_path}/{name}", "Invalid requirement: 'caf\\xe9' (from line 2 of "
                                         f"{tmp_path}/{name})")


def test_the_set_up_shows_a_long_value_holding_an_escape_without_waiting(tmp_path):
    """A refused value of 60,000 characters holding an escape (`PIP_LOG`, its name ending in /): one_line looked at it
    a character at a time, bash finding each from the text's start, a minute before the line was said."""
    value = f"{tmp_path}/nowhere/" + "a" * 60_000 + "\x1b/"
    completed = set_up_in_tmp_path(tmp_path, timeout=30, PIP_LOG=value)
    assert completed is not None and completed.returncode == 2, completed
    assert completed.stderr == (f"error: PIP_LOG is set ({value[:-2]}\\x1b/), a log file pip cannot write (its name "
                                "ends in /, a folder's); unset it or name a file pip can write, then run make again\n")


# Twenty-seventh pass, third look at the twenty-seventh pass's set-up fixes
def test_the_set_up_shows_a_c1_control_beside_a_byte_not_utf8_by_its_code(tmp_path):
    """Under a UTF-8 locale, a refused value holding U+009B (a CSI, which a terminal may take as an escape sequence's
    start) and a byte not UTF-8: bash's [[:cntrl:]] looked at the text's bytes, found no control, and the CSI was
    printed raw."""
    value = f"{tmp_path}/nowhere/\u009b\udcff/"
    completed = set_up_in_tmp_path(tmp_path, timeout=30, LC_ALL="C.UTF-8", PIP_LOG=value)
    assert completed is not None and completed.returncode == 2, completed
    assert completed.stderr == (f"error: PIP_LOG is set ({tmp_path}/nowhere/\\x9b\udcff/), a log file pip cannot "
                                "write (its name ends in /, a folder's); unset it or name a file pip can write, then run "
                                "make again\n")


@pytest.mark.parametrize("text, encoding", [("numpy\0==1.0\n", "utf-8"), ("\ufeff\0numpy==1.0\n", "utf-16-le")],
                         ids=["a NUL in a UTF-8 line", "a NUL after the BOM of UTF-16 LE"])
def test_the_set_up_says_a_constraint_file_holding_nuls_of_its_own_is_to_lose_them(
        tmp_path, python_310_of_compiled_pip, text, encoding):
    """A constraint file whose line holds a NUL of its own, in UTF-8 or in UTF-16 with its BOM (whose BOM and NUL
    begin as UTF-32 LE's): said to be "as UTF-16 or UTF-32 without its BOM" (or "UTF-32 with its BOM"), to be saved
    in UTF-8, which the UTF-8 file already is."""
    (tmp_path / "constraints.txt").write_bytes(text.encode(encoding))
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, None, "new",
                                       {"PIP_CONSTRAINT": str(tmp_path / "constraints.txt")})
    assert refused == constraint_refused(tmp_path / "constraints.txt", "Could not decode requirements file: "
                                         f"{tmp_path}/constraints.txt holds NUL characters in its lines, which pip "
                                         "cannot read; remove them")


@pytest.mark.parametrize("named", ["fifo", "/dev/stdin"])
def test_the_set_up_refuses_a_pipe_or_device_named_inside_a_constraint_file_before_a_new_venv(
        tmp_path, python_310_of_compiled_pip, named):
    """`-r FIFO` (no one writing it) or `-r /dev/stdin` inside a constraint file: the check before a new venv waited
    forever on the FIFO, no line said; /dev/stdin was the /dev/null of the set-up's pips, the pins left out."""
    if named == "fifo":
        named = str(tmp_path / "fifo")
        os.mkfifo(named)
    (tmp_path / "constraints.txt").write_text(f"-r {named}\n")
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, None, "new",
                                       {"PIP_CONSTRAINT": str(tmp_path / "constraints.txt")})
    assert refused == constraint_refused(f"{tmp_path}/constraints.txt", f"Could not open requirements file: {named}, "
                                         f"which {tmp_path}/constraints.txt names, is a pipe, device or stream, not a "
                                         "file, which each pip of the set-up would read in turn; name a file")


def test_the_set_up_names_a_constraint_file_naming_a_file_url_of_another_host(tmp_path, python_310_of_compiled_pip):
    """`-r file://otherhost/x.txt` inside a constraint file (the first look refused such a URL given, not named
    inside): pip's ValueError, a traceback the check took for no refusal, said once a new venv was made."""
    (tmp_path / "constraints.txt").write_text("-r file://otherhost/x.txt\n")
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, None, "new",
                                       {"PIP_CONSTRAINT": str(tmp_path / "constraints.txt")})
    assert refused == constraint_refused(f"{tmp_path}/constraints.txt", "non-local file URIs are not supported on "
                                         "this platform: 'file://otherhost/x.txt'")


# Twenty-eighth pass, look at make's set-up, VENV, CHROMIUM and pip's settings

# pip 25's internals, as a venv's newer pip names them, put in place of pip 23's when the venv's Python starts: no
# pip._internal.utils.urls.get_url_scheme (gone since pip 24), no req_file.auto_decode, but _decode_req_file(data, url)
# called by get_file_content.
PIP_25_INTERNALS = """
from pip._internal.exceptions import InstallationError
from pip._internal.req import req_file
from pip._internal.utils import urls
from pip._internal.utils.encoding import auto_decode
def get_file_content(url, session):
    try:
        with open(url, "rb") as read:
            data = read.read()
    except OSError as unread:
        raise InstallationError(f"Could not open requirements file: {unread}")
    return url, req_file._decode_req_file(data, url)
req_file._decode_req_file = lambda data, url: auto_decode(data)
req_file.get_file_content = get_file_content
del req_file.auto_decode, urls.get_url_scheme
"""


@pytest.fixture(scope="module")
def venv_of_pip_25s_internals(tmp_path_factory):
    """A venv made without pip, whose pip is a link to the tests' own, its internals renamed as pip 25's."""
    folder = venv_linked_to_the_tests_pip(tmp_path_factory.mktemp("venv-of-pip-25s-internals") / "venv")
    (next(folder.glob("lib/python3*/site-packages")) / "sitecustomize.py").write_text(PIP_25_INTERNALS)
    return folder


@pytest.mark.parametrize("text, reason", [
    (b"# coding: undefined\nnumpy\n", "Could not decode requirements file: decoding with 'undefined' codec failed "
                                      "(UnicodeError: undefined encoding)"),
    ("numpy\n".encode("utf-16-le"), "Could not decode requirements file: {path} holds NUL bytes (as UTF-16 or UTF-32 "
                                    "without its BOM, which pip reads as UTF-8); save it in UTF-8")],
    ids=["coding line of undefined", "UTF-16 without its BOM"])
def test_the_set_up_names_a_constraint_file_pip_refuses_in_a_venv_of_a_newer_pip(
        tmp_path, venv_of_pip_25s_internals, text, reason):
    """In a venv whose pip is 24 or 25 (upgraded in it), the check's import of get_url_scheme, or its patch of
    req_file.auto_decode, was a traceback taken for no refusal: pip's own reason said, naming no PIP_CONSTRAINT."""
    (tmp_path / "constraints.txt").write_bytes(text)
    refused = refusal_of_a_pip_setting(tmp_path, os.environ["PATH"], venv_of_pip_25s_internals, "there",
                                       {"PIP_CONSTRAINT": str(tmp_path / "constraints.txt")})
    assert refused == constraint_refused(tmp_path / "constraints.txt",
                                         reason.format(path=tmp_path / "constraints.txt"))


@pytest.mark.parametrize("given", [False, True], ids=["named inside a constraint file", "given"])
def test_the_set_up_refuses_a_file_url_of_four_slashes_before_a_new_venv(tmp_path, python_310_of_compiled_pip, given):
    """`file:////otherhost/x.txt`, a path (`//otherhost/x.txt`) to the check's reading of a `file:` URL, another host to
    pip's session reading it: pip's ValueError, a traceback the check took for no refusal, said once a new venv was
    made, naming no PIP_CONSTRAINT."""
    constraint = "file:////otherhost/x.txt"
    if not given:
        (tmp_path / "constraints.txt").write_text(f"-r {constraint}\n")
        constraint = str(tmp_path / "constraints.txt")
    refused = refusal_of_a_pip_setting(tmp_path, python_310_of_compiled_pip, None, "new",
                                       {"PIP_CONSTRAINT": constraint})
    assert refused == constraint_refused(constraint, "non-local file URIs are not supported on this platform: "
                                         "'file://otherhost/x.txt'")


# Twenty-eighth pass, second look at the twenty-eighth pass's set-up fixes

# A pip that moved another internal the check imports, as a venv's later pip may: pip 23's
# req_install.check_invalid_constraint_type taken away once pip install's own modules hold it.
PIP_OF_ANOTHER_INTERNAL = """
from pip._internal.req import req_install
from pip._internal.resolution.legacy import resolver
from pip._internal.resolution.resolvelib import factory
del req_install.check_invalid_constraint_type
"""


@pytest.fixture(scope="module")
def venv_of_another_pips_internals(tmp_path_factory):
    """A venv made without pip, whose pip is a link to the tests' own, one internal the check imports moved."""
    folder = venv_linked_to_the_tests_pip(tmp_path_factory.mktemp("venv-of-another-pips-internals") / "venv")
    (next(folder.glob("lib/python3*/site-packages")) / "sitecustomize.py").write_text(PIP_OF_ANOTHER_INTERNAL)
    return folder


def test_the_set_up_says_its_check_cannot_read_a_pip_that_moved_an_internal(tmp_path, venv_of_another_pips_internals):
    """The check's ImportError (or AttributeError, TypeError) in a pip whose internals moved was a traceback taken for
    no refusal: pip install's own reason said, naming no setting and not saying the check did not run."""
    import pip
    (tmp_path / "constraints.txt").write_bytes(b"# coding: undefined\nnumpy\n")
    refused = refusal_of_a_pip_setting(tmp_path, os.environ["PATH"], venv_of_another_pips_internals, "there",
                                       {"PIP_CONSTRAINT": str(tmp_path / "constraints.txt")})
    assert refused == (f"error: the set-up's check of pip's settings cannot read pip {pip.__version__}, the venv's "
                       f"({tmp_path}/venv) (ImportError: cannot import name 'check_invalid_constraint_type' from "
                       "'pip._internal.req.req_install' "
                       f"({next((tmp_path / 'venv').glob('lib/python3*/site-packages'))}/pip/_internal/req/"
                       "req_install.py)), whose internals it does not "
                       "know; remove the venv (make clean-venv), which the set-up makes again with Python 3.10's own "
                       "pip, then run make again\n")


# pip 24's and 25's reading of a `file:` URL, put in place of pip 23's: by its session, as Latin-1 (the text/plain of
# its local adapter), not by the decoding of requirements files.
PIP_24S_FILE_URLS = """
from pip._internal.req import req_file
from pip._internal.utils.urls import url_to_path
def get_file_content(url, session, read=req_file.get_file_content):
    if not url.lower().startswith("file:"):
        return read(url, session)
    with open(url_to_path(url), "rb") as file:
        return url, file.read().decode("latin-1")
req_file.get_file_content = get_file_content
"""


@pytest.fixture(scope="module")
def venv_of_pip_24s_file_urls(tmp_path_factory):
    """A venv made without pip, whose pip is a link to the tests' own, reading `file:` URLs as pip 24 does."""
    folder = venv_linked_to_the_tests_pip(tmp_path_factory.mktemp("venv-of-pip-24s-file-urls") / "venv")
    (next(folder.glob("lib/python3*/site-packages")) / "sitecustomize.py").write_text(PIP_24S_FILE_URLS)
    return folder


@pytest.mark.parametrize("given", [True, False], ids=["given", "named inside a constraint file"])
def test_the_set_up_tells_a_utf_16_file_read_through_a_file_url_by_its_own_bytes(tmp_path, venv_of_pip_24s_file_urls,
                                                                                  given):
    """pip 24 on reads a `file:` URL by its session, not by the decoding the check patches: the bytes the check told
    by were the file's read before, so that UTF-16 with its BOM was said to be "without its BOM", and named inside a
    file, to hold "NUL characters in its lines", to be removed."""
    (tmp_path / "c.txt").write_bytes("numpy\n".encode("utf-16"))
    constraint = f"file://{tmp_path}/c.txt"
    if not given:
        (tmp_path / "constraints.txt").write_text(f"-c {constraint}\n")
        constraint = str(tmp_path / "constraints.txt")
    refused = refusal_of_a_pip_setting(tmp_path, os.environ["PATH"], venv_of_pip_24s_file_urls, "there",
                                       {"PIP_CONSTRAINT": constraint})
    assert refused == constraint_refused(constraint, f"Could not decode requirements file: file://{tmp_path}/c.txt "
                                         "holds NUL bytes (as UTF-16 or UTF-32, which pip reads through a file: URL as "
                                         "Latin-1); save it in UTF-8")
