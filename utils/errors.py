"""The one exception type for mistakes a user can fix; entry scripts turn it into one line and exit 2.

Interruptions (Ctrl-C, SIGTERM, SIGUSR1, SIGUSR2, SIGHUP) end a command with one line and exit code 130, distinct
from success (0) and from a user error (2); standard output's or error's reader leaving (`| head`) ends it quietly
with code 141, and its disk filling up with one line and code 2.
Once a command has started to stop, further signals are ignored, so that two quick Ctrl-C cannot cut its
clean-up short or print a traceback while it exits.
"""
import errno
import os
import reprlib
import select
import signal
import socket
import stat
import sys
import threading
import time
import unicodedata
from contextlib import contextmanager

USER_ERROR_EXIT = 2
INTERRUPTED_EXIT = 130  # 128 + SIGINT, what shells report for a command stopped by Ctrl-C
BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE, what shells report for a writer whose reader left (`| head`)
# SIGUSR1 and SIGUSR2: what mpirun forwards unchanged, and what a batch system's advance notice of a job's end
# (Slurm's --signal) is often set to. SIGHUP: the terminal closed (a lost SSH session), unless it is
# ignored from the start, as nohup does: the command must then go on.
FORWARDED_SIGNALS = (signal.SIGUSR1, signal.SIGUSR2)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, *FORWARDED_SIGNALS) + (
    () if signal.getsignal(signal.SIGHUP) == signal.SIG_IGN else (signal.SIGHUP,))


class UserError(Exception):
    """Bad input, bad config or bad weights: the message says what is wrong and what to do."""


# the words of NNabla's, OpenCV's and OpenVINO's errors for an allocation that failed (the C++ runtime's is a
# MemoryError; OpenVINO passes on std::bad_alloc, and EAGAIN for a thread with no memory left for its stack)
OUT_OF_MEMORY = ("memory error in alloc", "Insufficient memory", "std::bad_alloc", "Resource temporarily unavailable")


def out_of_memory(error):
    """Whether an exception is a library's way to say that an allocation failed (on the CPU or a GPU)."""
    return isinstance(error, MemoryError) or any(words in str(error) for words in OUT_OF_MEMORY)


@contextmanager
def out_of_memory_said(message):
    """Within: a library's way to say that an allocation failed (on the CPU or a GPU) is UserError(message)."""
    try:
        yield
    except Exception as error:
        if not out_of_memory(error):
            raise
        raise UserError(message) from None


def one_line(reason):
    """A library's reason as one line of a UserError: urllib's for a redirect loop has three, a status line
    keeps its CR LF, tarfile's for an empty file lists each method it tried on a line of its own."""
    return " ".join(str(reason).split())


JOINERS = "\u200c\u200d"  # of emoji and Indic scripts: part of how a name is drawn, between two such characters
ZWJ = "\u200d"
# printable to str.isprintable, yet drawn as nothing: the combining grapheme joiner, the Hangul fillers and Khmer's
# inherent vowels
BLANK_LETTERS = "\u034f\u115f\u1160\u3164\uffa0\u17b4\u17b5"
# variation selectors (standard, Mongolian, ideographic): they choose how the character before is drawn, and are
# drawn as nothing after one they do not apply to
SELECTORS = {*map(chr, range(0xFE00, 0xFE10)), "\u180b", "\u180c", "\u180d", "\u180f",
             *map(chr, range(0xE0100, 0xE01F0))}
KEYCAP_BASES, KEYCAP = "0123456789#*", "\u20e3"  # 1, U+FE0F, U+20E3: the keycap emoji 1️⃣
FLAG, TAGS, CANCEL_TAG = "\U0001f3f4", {*map(chr, range(0xE0020, 0xE007F))}, "\U000e007f"  # 🏴 + tags: a region's flag


def shown_selector(text, index):
    """Whether the variation selector at text[index] is part of how a name is drawn: after a character that is not
    ASCII (an emoji's, a CJK ideograph's), or a keycap's (a digit, # or *, then U+20E3); not after a letter or
    another selector, or first."""
    before = text[index - 1] if index else ""
    if before in KEYCAP_BASES:
        return text[index + 1:index + 2] == KEYCAP
    return before.isprintable() and not before.isascii() and before not in SELECTORS and before not in BLANK_LETTERS


def in_flag(text, index):
    """Whether the tag character at text[index] is of a region's flag emoji (🏴, tags as of 'gbsct', the cancel tag:
    Scotland's flag); tags elsewhere are drawn as nothing."""
    start = end = index
    while end < len(text) and text[end] in TAGS:  # to the cancel tag that ends them
        end += 1
    while start and text[start - 1] in TAGS:
        start -= 1
    return start < end and text[start - 1:start] == FLAG and text[end:end + 1] == CANCEL_TAG


def shapes_before(text, index):
    """Whether the joiner U+200D at text[index] follows a letter or mark it may shape, not ASCII: at a word's end too
    it is part of how the word is drawn (Malayalam's chillu letters, ന, U+0D4D, U+200D: ൻ, as much of its text is
    written; Persian's abbreviations, ه and U+200D before '.ش', the letter in its joined form)."""
    before = text[index - 1] if index else "a"
    return not before.isascii() and before not in BLANK_LETTERS and unicodedata.category(before)[0] in "LM"


def on_its_base(text, index):
    """Whether the combining mark at text[index] is drawn on a character of the name: after a letter, digit or mark, or
    any character not ASCII (an emoji's, a symbol's), or a keycap's U+20E3 after # or *. First, or after a space or
    ASCII punctuation, it is drawn on what is before it in the line (the opening quote, a slash) and looks part of
    that, not of the name."""
    if not index:  # a name beginning with one (a sequence's folder in evaluate.py's report): category("") raised
        return False
    before = text[index - 1]
    return (before.isalnum() or not before.isascii() and before.isprintable() and before not in BLANK_LETTERS
            or unicodedata.category(before)[0] == "M" or text[index] == KEYCAP and before in KEYCAP_BASES)


def shown_as_itself(text):
    """For each character of text, whether a terminal shows it as itself: a printable one (not a blank letter), a
    space other than ' ' (a Japanese name's ideographic space, a no-break space), or a joiner between two characters
    it joins (neither ASCII: an emoji family, a Persian word) or U+200D after a letter it shapes (a Malayalam
    chillu), which str.isprintable calls not printable. A joiner after a digit ('3' and U+200D in a cuts file) or at
    an end is drawn as nothing, as the blank letters are, and so are a variation selector that selects nothing (after
    a letter) and tags outside a flag's emoji; a combining mark with no character of the name to be drawn on
    (on_its_base) is drawn on the quote or slash before it, and one after a mark or selector shown by its code on the
    code's last letter."""
    shown_before = False
    for index, character in enumerate(text):
        shown_before = shown_one(text, index, shown_before)
        yield shown_before


def shown_one(text, index, shown_before):
    """shown_as_itself's answer for text[index], given its answer for the character before it (shown_before)."""
    character = text[index]
    if character in JOINERS:
        neighbours = text[max(index - 1, 0):index] + text[index + 1:index + 2]
        return (len(neighbours) == 2 and not any(neighbour.isascii() for neighbour in neighbours)
                or character == ZWJ and shapes_before(text, index))
    if character in SELECTORS:
        return shown_selector(text, index)
    if character in TAGS or character == CANCEL_TAG:
        return in_flag(text, index)
    if unicodedata.category(character)[0] == "M" and character not in BLANK_LETTERS:
        return shown_before and on_its_base(text, index)
    return character.isprintable() and character not in BLANK_LETTERS or unicodedata.category(character) == "Zs"


def shown_plainly(text):
    """Whether every character of text is shown as itself (shown_as_itself): an error line may then show it as it
    is; otherwise it is quoted with those characters by their codes."""
    return all(shown_as_itself(text))


def printable(text):
    """text with each character a terminal would not show as itself (a newline or CR in a file name, a NUL, an
    escape sequence, a direction override, a joiner joining nothing) written by its code, so that an error stays
    one line and shows what was given."""
    return "".join(character if shown else ascii(character)[1:-1]
                   for character, shown in zip(text, shown_as_itself(text)))


def shortened(text, limit=40):
    """text as an error line shows a value the user gave: whole, or cut to limit characters ending in "..." (a
    value of thousands of digits, a line of megabytes)."""
    return text if len(text) <= limit else text[:limit - 3] + "..."


class _YamlWords(reprlib.Repr):
    """reprlib's summary with YAML's words for a switch, a null and a date, as config.yaml and the checkpoints' JSON
    write them: `--set train.max_iter=[yes]` was "bad value [True]", and a resume "train.tecogan False -> True",
    Python's words, in no file or flag."""

    def repr_bool(self, value, level):
        return "true" if value else "false"

    def repr_NoneType(self, value, level):
        return "null"

    def repr_date(self, value, level):
        return str(value)

    repr_datetime = repr_date

    def repr_str(self, value, level):  # its start, as shortened() cuts what the user gave (reprlib cut its middle)
        return shortened(repr(value), self.maxstring)


def said_as_yaml(value, limit=40):
    """A value the user gave as an error line shows it: in YAML's words (_YamlWords), it and each part of it cut to
    limit characters (a list of lists of an alias is hundreds of kB even in reprlib's summary)."""
    words = _YamlWords()
    words.maxstring = words.maxlong = words.maxother = limit
    return shortened(words.repr(value), limit)


def counted(count, noun, plural=None):
    """A count and its noun as every line says them: '1 frame', '2 frames' ("wrote 1 frames" of generate.py, "scored
    1 frames" of evaluate.py's sequence of five); plural where it is not the noun and an s ('processes')."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


SIZE_UNITS = (("GB", 2 ** 30, 2), ("MB", 2 ** 20, 1), ("kB", 2 ** 10, 1))  # name, bytes, decimals shown


def size_said(byte_count, rounded=round):
    """A count of bytes as every line says it (of memory, of a disk, of a download): in GB of 2 ** 30 bytes, as
    --max-memory counts them, from a tenth of one, below in MB or kB of 2 ** 20 and 2 ** 10, then in bytes. A file of
    40 MB was "its 0.0 GB do not fit", a budget of 1 MB "a budget of 0.00 GB"; the training's and the frame cache's
    lines said GB of 10 ** 9 bytes, the download's "400GB", the page's whole MB. rounded: to the figure shown, math.ceil
    for an amount needed and math.floor for one there is (to the nearest, 199.6 MB free was "200 MB free, less than
    one upload of 200")."""
    for unit, size, decimals in SIZE_UNITS:
        if byte_count >= size / 10:
            return f"{rounded(byte_count / size * 10 ** decimals) / 10 ** decimals:.{decimals}f} {unit}"
    whole = rounded(byte_count)
    if whole == 1:
        return "1 byte"
    return f"{whole} bytes" if whole or not byte_count else "less than a byte"


def error_reason(error):
    """A library's exception as the reason in an error line: its message as one line, cut short, or its type's
    name when it has none (zipfile's EOFError for a member cut off). Not `error or ...`: an exception is true
    even when its message is empty."""
    return shortened(one_line(error), 200) or type(error).__name__


def ignore_stop_signals():
    for signal_number in STOP_SIGNALS:
        signal.signal(signal_number, signal.SIG_IGN)


def interrupt(signal_number, frame):
    """Signal handler: stop now (KeyboardInterrupt); later signals are ignored while the command cleans up, by a
    handler that does nothing rather than SIG_IGN: a second signal received while this one waited for a long C
    call (a network's forward) is still pending, and Python prints a traceback ("Signal 15 ignored due to race
    condition") for a pending signal whose handler has become SIG_IGN."""
    for number in STOP_SIGNALS:
        signal.signal(number, ignore_signal)
    if not isinstance(sys.unraisablehook, _InterruptAgain):
        sys.unraisablehook = _InterruptAgain(sys.unraisablehook)
    raise KeyboardInterrupt


INTERRUPT_AGAIN_SECONDS = 0.01  # twice Python's switch interval: the hook has returned by then


class _InterruptAgain:
    """sys.unraisablehook while a command stops: an interruption raised in a finalizer (a weakref callback as NNabla
    frees a graph, where a second Ctrl-C's handler ran) was dropped by Python with a traceback ("Exception ignored
    in"), and train.py went on to its iteration's end. It is raised again, once out of the finalizer; other
    exceptions go to the hook before."""

    def __init__(self, previous):
        self.previous = previous

    def __call__(self, unraisable):
        if not issubclass(unraisable.exc_type, KeyboardInterrupt):
            self.previous(unraisable)
            return
        # from a thread, a moment later: raised in this hook, the interruption was dropped again, without the hook.
        # Where the main thread is still in a finalizer then, it comes here again
        while True:
            signal.signal(signal.SIGINT, interrupt)
            try:
                # a signal, not _thread.interrupt_main: a main thread waiting in a call (sleep, a lock) wakes
                again = threading.Timer(INTERRUPT_AGAIN_SECONDS, signal.pthread_kill,
                                        (threading.main_thread().ident, signal.SIGINT))
                again.daemon = True  # a process that exits meanwhile does not wait for it
                again.start()
                return
            except KeyboardInterrupt:  # its handler ran here all the same (the main thread waited that long)
                pass


def ignore_signal(signal_number, frame):
    """A signal handler that does nothing."""


def wait_to_exit(seconds):
    """Sleep seconds before this process of mpirun says its line or ends the job. The job may end meanwhile: another
    process's abort (Open MPI's SIGTERM, then SIGKILL) ends this one quietly, not as KeyboardInterrupt's traceback.
    A stop mpirun forwards (SIGUSR1, SIGUSR2), which no abort sends, is ignored: its default action ended the
    process without its line, with exit code 138, where its own exit follows within these seconds."""
    for signal_number in STOP_SIGNALS:
        signal.signal(signal_number, ignore_signal if signal_number in FORWARDED_SIGNALS else signal.SIG_DFL)
    time.sleep(seconds)


@contextmanager
def stops_through_imports():
    """For an import made while a command runs (a library needed only then): a stop signal during it stays a
    KeyboardInterrupt. pybind11 reports any exception raised while its extension module initialises (OpenVINO's,
    ONNX's) as ImportError("initialization failed") from it, which an `except Exception` took for a failure of its
    own: the ONNX cache was deleted and exported anew, and the second import's "already registered" was a
    traceback, exit code 1."""
    try:
        yield
    except ImportError as error:
        if isinstance(error.__cause__, KeyboardInterrupt):
            raise error.__cause__ from None
        raise


def exit_at_once_on_stop_signals():
    """For the start of an entry script, before its libraries are imported: a signal then ends the process
    with one line (nothing has been written yet). exit_on_user_error takes over when main starts. Closed
    standard streams are opened on /dev/null first (open_closed_standard_streams), and a working folder that is gone
    is said in one line (refuse_a_removed_working_folder)."""
    open_closed_standard_streams()
    print_names_of_any_bytes()
    refuse_a_removed_working_folder()

    def exit_now(signal_number, frame):
        os.write(sys.stderr.fileno(), b"interrupted\n")
        os._exit(INTERRUPTED_EXIT)
    for signal_number in STOP_SIGNALS:
        signal.signal(signal_number, exit_now)


def refuse_a_removed_working_folder():
    """Exit with one line and code 2 where the working folder has been deleted (or moved off its disk) since the shell
    entered it: NNabla's import, and every relative path, ask for it, and a FileNotFoundError traceback came of it."""
    try:
        os.getcwd()
    except FileNotFoundError:
        say("error: the working folder was deleted since this shell entered it; cd to an existing folder and run "
            "again")
        sys.exit(USER_ERROR_EXIT)


def print_names_of_any_bytes():
    """Let standard output take a path that is not UTF-8 (its bytes held as lone surrogates), by their codes as error
    lines show them: where the locale makes it strict (en_US.UTF-8; C.UTF-8 lets them through), train.py's and
    evaluate.py's last line naming such a folder was UnicodeEncodeError's traceback, exit code 1, after the work."""
    if getattr(sys.stdout, "errors", None) == "strict" and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")


def open_closed_standard_streams():
    """Give /dev/null to a standard stream the command was started without (`2>&-`): Python leaves sys.stderr
    None, where the progress bars fail with a traceback nobody sees, and the next file opened would take its
    descriptor, so that ffmpeg's messages, which go there, would be written into it."""
    for descriptor, name in enumerate(("stdin", "stdout", "stderr")):
        try:
            os.fstat(descriptor)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != descriptor:
                os.dup2(null, descriptor)
                os.close(null)
        if getattr(sys, name) is None:
            setattr(sys, name, open(descriptor, "r" if descriptor == 0 else "w", closefd=False))


@contextmanager
def exit_on_user_error(report=True, report_after=0.0):
    """Print a UserError as one line on stderr and exit with code 2, an interruption with code 130 (no
    traceback). Every stop signal raises KeyboardInterrupt inside, once (interrupt), unless a command
    handles it otherwise; once the block ends without an error, they are ignored. report=False: exit without
    the line (the other processes of mpirun, whose rank 0 prints it). report_after: seconds to wait before the
    line, for the other processes of mpirun when each may meet the error: rank 0's line comes first and its exit
    ends the job, so the line is printed once, and still printed when only this process met it."""
    for signal_number in STOP_SIGNALS:
        signal.signal(signal_number, interrupt)
    try:
        yield
    except UserError as error:
        close_progress_bars()
        if report:
            if report_after:
                wait_to_exit(report_after)
            say(f"error: {printable(str(error))}")
        sys.exit(USER_ERROR_EXIT)
    except KeyboardInterrupt:
        ignore_stop_signals()
        close_progress_bars()
        say("interrupted")
        sys.exit(INTERRUPTED_EXIT)
    except BrokenPipeError:
        gone = [stream for stream in (sys.stdout, sys.stderr) if reader_gone(stream)]
        if not gone:
            raise
        for stream in gone:
            silence(stream)
        sys.exit(BROKEN_PIPE_EXIT)
    except OSError as error:  # a write to standard output or error whose disk is full (`> log.txt`)
        full = [stream for stream in (sys.stdout, sys.stderr) if writes_to_a_full_disk(stream)]
        if error.errno not in (errno.ENOSPC, errno.EDQUOT) or not full:
            raise
        for stream in full:
            silence(stream)
        say(f"error: cannot write to standard {'output' if sys.stdout in full else 'error'}: no space left on its "
            "disk; free some space or send it elsewhere, and run again")
        sys.exit(USER_ERROR_EXIT)
    # Done: a stop signal while the process exits (the libraries' clean-up at exit, MPI's wait for the other ranks)
    # ends nothing half-done; raised in an atexit callback, it printed a traceback after a finished run, exit code 0.
    ignore_stop_signals()


def close_progress_bars():
    """Close the progress bars left open by the error or interruption that ends the command, so that their last state
    comes before its line: closed by tqdm at the interpreter's exit, a bar was printed after it (a second Ctrl-C's
    interruption raised again inside train.py's progress.close(), under load: "interrupted" was not the last line)."""
    module = sys.modules.get("tqdm.std")  # not imported: no bar to close
    for bar in list(getattr(getattr(module, "tqdm", None), "_instances", ())):
        try:
            bar.close()
        except OSError:  # standard error's disk full: say() below tells it
            pass


def say(line):
    """Print line on standard error; where it cannot be written (its disk full), the exit code alone tells."""
    try:
        print(line, file=sys.stderr, flush=True)
    except OSError:
        silence(sys.stderr)


def silence(stream):
    """Send what is still written to stream (standard output or error) to /dev/null: Python's own flush at exit
    would fail again, and end the process with code 120."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, stream.fileno())
    os.close(null)


FULL_DISK_BYTES = 1 << 16  # what is left of a disk that a failed write found full (a block or so)
FULL_DEVICE = os.makedev(1, 7)  # /dev/full, where every write fails as on a full disk


def writes_to_a_full_disk(stream):
    """Whether stream (standard output or error) is a file on a full disk, or /dev/full."""
    try:
        status = os.fstat(stream.fileno())
        if stat.S_ISCHR(status.st_mode):
            return status.st_rdev == FULL_DEVICE
        disk = os.fstatvfs(stream.fileno())
    except (OSError, ValueError):  # no file descriptor (replaced by a test's capture, closed)
        return False
    return stat.S_ISREG(status.st_mode) and disk.f_bavail * disk.f_frsize < FULL_DISK_BYTES


def reader_gone(stream):
    """Whether stream (standard output or error: the progress bars) is a pipe whose reading end was closed (its
    writing end then polls POLLERR)."""
    poller = select.poll()
    try:
        poller.register(stream.fileno(), 0)
    except (OSError, ValueError):  # no file descriptor (replaced by a test's capture, closed)
        return False
    return any(events & select.POLLERR for _, events in poller.poll(0))


@contextmanager
def interrupt_on_stop_signals():
    """Within: Ctrl-C and SIGTERM both raise KeyboardInterrupt, once. The previous handlers come back on
    leaving, except after an interruption (the command is then exiting, and must not be interrupted again)."""
    previous = {signal_number: signal.signal(signal_number, interrupt) for signal_number in STOP_SIGNALS}
    try:
        yield
    except KeyboardInterrupt:
        previous = {}
        raise
    finally:
        for signal_number, handler in previous.items():
            signal.signal(signal_number, handler)


@contextmanager
def discard_at_once_on_stop_signals(discard):
    """Within: a stop signal also runs discard() at once, from a thread, while the main thread may be inside
    a long C call (a network's forward), where Python's own handlers wait for it to return. mpirun kills its
    processes a fraction of a second after passing on SIGTERM or Ctrl-C, before a forward ends; this removes
    their partial files in time. Needs the handlers of exit_on_user_error (or interrupt_on_stop_signals):
    Python writes a signal's number to the wakeup socket only for signals with a Python handler."""
    receiver, sender = socket.socketpair()
    sender.setblocking(False)
    stop_numbers = {int(number) for number in STOP_SIGNALS}

    def watch():
        while True:
            received = receiver.recv(64)
            if not received:  # the context ended
                return
            if stop_numbers & set(received):
                discard()
                return

    previous = signal.set_wakeup_fd(sender.fileno(), warn_on_full_buffer=False)
    watcher = threading.Thread(target=watch, name="discard on stop", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous)
        sender.shutdown(socket.SHUT_RDWR)
        watcher.join()
        receiver.close()
        sender.close()
