"""utils.progress: under mpirun, progress (count, rate, time left) is seen while the work runs, not at its end."""
import io
import re
import selectors
import subprocess
import sys
import time

from conftest import REPO_ROOT
from helpers import mpi_environment, MPIRUN

import utils.progress
from utils.progress import progress_bar

# one update drawn, then a long wait: Open MPI holds a line without its newline until the process ends
WORKER = """
import time
from utils.progress import progress_bar
bar = progress_bar(total=4, unit="it", line_seconds=0)
bar.update()
time.sleep(0.2)
bar.update()
time.sleep(120)
"""


def first_lines(process, count, timeout):
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    lines, deadline = [], time.time() + timeout
    while len(lines) < count and selector.select(max(0.0, deadline - time.time())):
        line = process.stderr.readline()
        if not line:
            break
        lines.append(line)
    return lines


def test_under_mpirun_each_update_arrives_as_a_line_while_the_process_still_runs():
    process = subprocess.Popen([MPIRUN, "-n", "1", sys.executable, "-c", WORKER], cwd=REPO_ROOT,
                               env=mpi_environment(PYTHONPATH=REPO_ROOT), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        lines = [line for line in first_lines(process, 3, timeout=60) if "/4" in line]
        assert process.poll() is None  # still sleeping: the lines came while it ran
    finally:
        process.kill()
        process.communicate()
    assert [line.split("|")[-1].split()[0] for line in lines[:3]] == ["0/4", "1/4", "2/4"], lines
    assert "\r" not in "".join(lines)
    assert re.search(r"\d+<\d+:\d+, +[\d.]+(it/s|s/it)", lines[2]), lines[2]  # time left and a rate


def test_without_mpirun_the_bar_is_tqdm_s_own(monkeypatch):
    monkeypatch.setattr(utils.progress, "launched_by_mpirun", lambda: False)
    stream = io.StringIO()
    bar = progress_bar(total=2, file=stream, mininterval=0)
    bar.update()
    bar.close()
    assert "\r" in stream.getvalue()  # updates in place, as in a terminal
