"""Progress bars (tqdm: rate and time left) that are seen under mpirun too.

Open MPI passes a process's output on line by line, so tqdm's updates in place (a carriage return and no
newline) stayed unseen until the bar closed: hours of training with no sign of life. Under mpirun each
update is written as a line of its own instead, at most one every LINE_SECONDS.
"""
import sys

from tqdm import tqdm

from utils.distributed import launched_by_mpirun

LINE_SECONDS = 30


class _OneLinePerUpdate:
    """A text stream for tqdm: each update it draws becomes one line of `stream`."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        shown = text.replace("\r", "").strip("\n")
        if shown.strip():
            self.stream.write(shown + "\n")
        return len(text)

    def flush(self):
        self.stream.flush()


def progress_bar(*args, line_seconds=LINE_SECONDS, **kwargs):
    """tqdm(*args, **kwargs); under mpirun, lines on stderr at most every line_seconds."""
    if launched_by_mpirun() and not kwargs.get("disable"):
        kwargs.update(file=_OneLinePerUpdate(kwargs.get("file") or sys.stderr), mininterval=line_seconds,
                      dynamic_ncols=False)  # the whole line: no terminal width to fit
    return tqdm(*args, **kwargs)
