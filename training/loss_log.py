"""The logs of a training run: a CSV of every iteration and a PNG of the loss curves (and the same for the
validation metrics), and optionally the same values as TensorBoard scalars and images."""
import csv
import errno
import io
import logging
import os
import threading
import time
import unicodedata
from contextlib import contextmanager, suppress

from matplotlib.figure import Figure

from utils.atomic_files import (disk_full, folder_changed, held_descriptor, remove_file, too_large,
                                write_atomically, write_bytes)
from utils.errors import UserError
from utils.flags import grouped
from utils.paths import file_identity, input_file
from utils.paths import no_space, remove_if_empty
from utils.text import text_line, wide_text, wide_text_refusal

# wall time of an iteration: reading its batch, the step, the all-reduces
ITERATION_SECONDS = "iteration_seconds"
TENSORBOARD_FOLDER = "tensorboard"
LOSS_LOG = "losses"  # losses.csv and losses.png in the output folder
FEW_POINTS = 50  # curves of at most this many points mark each point
FLUSH_SECONDS = 120  # TensorBoard shows a run's events at most this late (tensorboardX's SummaryWriter's default)


class LossLog:
    """<name>.csv (one row of numbers per logged iteration) and <name>.png (curves of the plotted columns).

    plotted: {column: axis label}; default: every column whose name ends in "loss". folder_identity: output_dir's
    file_identity when the run took it (default: now), which every write checks (check_same_folder)."""

    def __init__(self, output_dir, start_iteration, name=LOSS_LOG, plotted=None, folder_identity=None):
        self.csv_path = os.path.join(output_dir, f"{name}.csv")
        self.png_path = os.path.join(output_dir, f"{name}.png")
        self.plotted = plotted
        self.folder, self.folder_identity = output_dir, folder_identity or file_identity(output_dir)
        self.dropped = False  # whether the CSV holds rows past start_iteration, left there until the next write
        self.header = []  # the CSV's header's names: a user's column without numbers yet is kept at the next write
        self.rows = self._read_rows_before(start_iteration)

    def write_dropped(self):
        """Make the drop of the rows past the start lasting now, not at the next write: the CSV rewritten (removed,
        with its PNG, where no row is kept). For rows of another run, which a later resume would take for this one's
        where this run writes none before its first checkpoint (a validation every val_freq iterations, past it)."""
        if not self.dropped:
            return
        if self.rows:
            self.write()
        else:
            self.check_folder(self.csv_path)
            for path in (self.csv_path, self.png_path):
                with suppress(FileNotFoundError):
                    remove_file(path)
        self.dropped = False

    def _read_rows_before(self, iteration):
        """Rows of an earlier run up to the checkpoint we resume from (later ones are replaced).

        The log is written before the checkpoint that covers it (see write), so it holds every row up to
        the checkpoint, and possibly rows past it, of iterations that the resumed run repeats."""
        if not os.path.isfile(self.csv_path):
            return []
        rows, reader, line = [], None, 1  # line: where the row being read starts
        # a log that can be written but not read (mode 200, checked at the start as an output): a traceback
        input_file(self.csv_path, "training output")
        with open(self.csv_path, "rb") as file:
            data = file.read()
        if wide_text(data):  # Notepad's "Unicode", PowerShell 5's '>': said "line 1 is not a row of numbers"
            raise wide_text_refusal(f"'{self.csv_path}'", "save it as UTF-8 (as train.py writes it), or delete the "
                                    "file, which loses only the earlier curves")
        try:
            # utf-8-sig: a spreadsheet that saved the log puts a byte-order mark before the first column's name
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:  # decoded with errors="replace": a user's column named in Latin-1 ('café')
            # was written back renamed ('caf\ufffd'), exit code 0
            line = text_line(data, error.start)  # a file of CR line ends (Excel for Mac's) was said at line 1
            raise UserError(f"'{self.csv_path}' line {line} is not UTF-8 text; save the file as UTF-8 (as "
                            "train.py writes it), or delete it, which loses only the earlier curves") from None
        try:
            with io.StringIO(text, newline="") as file:
                # skipinitialspace: 'iteration, content_loss' (a space after each comma, as hand edits write) named a
                # column ' content_loss', and this run's rows went on in another column of the name without it
                reader, names = csv.reader(file, skipinitialspace=True), None
                for cells in reader:
                    # the names stripped: columns aligned by spaces before the commas ('iteration ,') were refused as
                    # the first row's fault, and a tab or a no-break space after a comma, or spaces ending the
                    # header, named another column than this run's, its rows going on beside it, the curves split
                    cells = [trimmed(cell) for cell in cells]
                    if not any(cells):  # a blank line, one of spaces, or a spreadsheet's empty row (',,,')
                        pass
                    elif names is None:
                        names, header_line = cells, line
                        self.header = [name for name in names if name]
                        if "iteration" not in cells:
                            # 'Iteration', say, or the header deleted (a first row of numbers taken for it): said "line
                            # 1 is not a row of numbers; fix or delete that line", whose deletion, where the header was
                            # deleted, dropped the first row of numbers from the file at the next write, silently
                            raise UserError(
                                f"'{self.csv_path}' line {line} is not a header naming a column 'iteration' (train.py "
                                "writes 'iteration,...' above the rows); name that column so (or put the header back "
                                "above the rows), or delete the file, which loses only the earlier curves")
                        repeated = [name for index, name in enumerate(names) if name and name in names[:index]]
                        if repeated:  # zip into a row kept the last column of the name: the other's values dropped,
                            # the file written back without them; a second 'iteration' dropped the rows as past the
                            # checkpoint
                            raise UserError(f"'{self.csv_path}' line {line} names the column '{repeated[0]}' twice; "
                                            "rename or delete one of them")
                    else:
                        if any(cells[len(names):]):
                            raise ValueError("more cells than columns")
                        # an empty cell (or none): a column this row's run did not write (e.g. the iteration time of
                        # older runs). Not dict(zip()): of the columns without a name (a spreadsheet's header ending in
                        # empty cells, a column of notes beside them), it kept the last cell, a number dropped
                        row = {}
                        for name, cell in zip(names, cells):
                            if cell == "":
                                continue
                            if name in row:
                                raise UserError(f"'{self.csv_path}' line {line} holds numbers in two columns without "
                                                f"a name; name them in line {header_line}, or delete one")
                            row[name] = cell
                        rows.append({**{key: number(float, value) for key, value in row.items()},
                                     "iteration": number(int, row.get("iteration", ""))})
                    line = reader.line_num + 1
        except (csv.Error, ValueError) as error:
            # csv's own error (a NUL byte) is in the line it counted last; a value's, in the row's first line (an
            # unclosed quote took the lines after it into its row, and the last line of the file was named)
            line = reader.line_num if isinstance(error, csv.Error) and reader else line
            raise UserError(
                f"'{self.csv_path}' line {line} is not a row of numbers; "
                "fix or delete that line (or the file, which loses only the earlier curves)")
        kept = [row for row in rows if row["iteration"] <= iteration]
        self.dropped = len(kept) < len(rows)
        return kept

    def add(self, iteration, values):
        self.rows.append({"iteration": iteration, **{key: float(value) for key, value in values.items()}})

    def write(self, plot=True):
        """Rewrite the CSV and (plot=True) the PNG. Call it before the checkpoint of the last row is written:
        a crash between the two then leaves rows past the checkpoint, which a resumed run drops, never a gap.
        The columns are those of every row, in the order they first appear; a row lacking one leaves it
        empty."""
        if not self.rows:
            return
        self.check_folder(self.csv_path)
        table = io.StringIO()
        # the header read first: a user's column named where no row has its number yet was written back without it
        columns = list(dict.fromkeys([*self.header, *(key for row in self.rows for key in row)]))
        writer = csv.DictWriter(table, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        write_bytes(self.csv_path, table.getvalue(), mode="w")
        if plot:
            self._plot()

    def check_folder(self, path):
        """check_same_folder of the output folder this log is in, for a write of path there."""
        check_same_folder(self.folder, self.folder_identity, path)

    def _plot(self):
        labels = self.plotted or {key: key.replace("_", " ") for key in self.rows[-1] if key.endswith("loss")}
        names = [key for key in labels if any(key in row for row in self.rows)]
        iterations = [row["iteration"] for row in self.rows]
        figure = Figure(figsize=(8, 2.2 * len(names)))
        axes = figure.subplots(len(names), 1, sharex=True, squeeze=False)
        for axis, name in zip(axes[:, 0], names):
            axis.plot(iterations, [row.get(name, float("nan")) for row in self.rows], linewidth=0.8,
                      marker="." if len(self.rows) <= FEW_POINTS else None)  # one point shows too
            axis.set_ylabel(labels[name], fontsize=8)
            axis.grid(alpha=0.3)
        axes[-1, 0].set_xlabel("iteration")
        figure.tight_layout()
        # checked again: a folder replaced by another run's while the CSV was written got this run's curves over
        # that run's
        self.check_folder(self.png_path)
        write_atomically(self.png_path, lambda temporary: figure.savefig(temporary, dpi=90))


class TensorBoardScalars:
    """Scalars per iteration in <output_dir>/tensorboard, one tag per value name.

    tensorboardX is imported here, so that a run without TensorBoard never loads it. The event files are
    streams appended to (not written atomically); a run that resumes at iteration N (0: one started again after a
    run killed before its first checkpoint) tells TensorBoard to hide the events from N + 1 on that an earlier,
    killed run left behind. The events are written in this thread (tensorboardX's EventsWriter, not its
    SummaryWriter, whose writer thread died on a full disk with a traceback of its own), so that a failed write is
    this run's one line."""

    def __init__(self, output_dir, start_iteration, output_identity=None):
        """output_identity: LossLog's folder_identity."""
        try:
            from tensorboardX import summary
            from tensorboardX.event_file_writer import EventsWriter
            from tensorboardX.proto.event_pb2 import Event, SessionLog
        except ImportError:
            raise UserError(
                "train.tensorboard needs tensorboardX: install it (pip install -r requirements.txt) "
                "or set train.tensorboard to false")
        # a NaN is a value written on purpose (tOF of clips of one scored frame, val.csv's nan): its warning, "NaN or
        # Inf found in input tensor", was a timestamped line at each validation, glued to the progress bar
        logging.getLogger("tensorboardX.x2num").setLevel(logging.ERROR)
        self.folder = os.path.join(output_dir, TENSORBOARD_FOLDER)
        self.output_dir, self.output_identity = output_dir, output_identity or file_identity(output_dir)
        # tensorboardX writes a path whose part before its first ':' is 's3' or 'gs' to that cloud ('s3:run', a
        # folder here: a traceback of botocore's, after it looked for credentials); './' starts a relative one. Not
        # made absolute: a folder above the run's renamed mid-run ('mv experiments experiments-old') took that path
        # away, and the next flush ended the run, which trains on without TensorBoard (the other files relative)
        self.prefix = os.path.join(self.folder if os.path.isabs(self.folder) else os.path.join(os.curdir, self.folder),
                                   "events")
        self.files = 0  # the events files this run made: a new one's name is told apart from a kept copy's
        self.summary, self.event, self.session_log = summary, Event, SessionLog
        self.events_writer = EventsWriter
        self.start = self.session_start(start_iteration + 1)
        self.unflushed = []  # the events since the last flush: written again where their file was removed meanwhile
        self.lock = threading.Lock()  # a stop signal's checkpoint flushes in its own thread while this one writes
        self.path, made = None, not os.path.isdir(self.folder)
        try:
            self.open_file()
        except UserError:
            # its first file refused (past `ulimit -f`): that file and tensorboard/ were left, and so was the output
            # folder the run had made, which a refusal before training removes (make_folder) where it is empty
            if self.path:
                with suppress(OSError):
                    self.writer.close()
                with suppress(FileNotFoundError):  # where it was never made
                    remove_file(self.path)
            if made:
                remove_if_empty(self.folder)
            raise
        self.flushed = time.monotonic()

    def open_file(self, session_start=True):
        """A new events file, starting with this run's session start (which hides from TensorBoard the events of its
        iterations that a killed run before it left)."""
        with self.writing():
            # tensorboard/ alone, never the output folder above it: one removed or moved mid-run (its checkpoints
            # with it) was made again here, and the run went on in it, unlocked, as if nothing had happened
            check_same_folder(self.output_dir, self.output_identity, self.folder)
            # made in the folder checked where the run holds it (held_folder): one replaced by another run's in the
            # instant after the check got tensorboard/ and a new events file there, whose session start hid that
            # run's events past this run's start
            with held_descriptor(self.folder) as output:
                self.make_file(output, session_start)

    def make_file(self, output, session_start):
        """open_file's tensorboard/ and events file; output: a descriptor of the output folder held (held_descriptor),
        in which both are made, or None."""
        try:
            os.mkdir(os.path.basename(self.folder) if output is not None else self.folder, dir_fd=output)
        except FileExistsError:
            if os.path.islink(self.folder) and not os.path.isdir(self.folder):  # a link to nothing, or a loop
                raise UserError(f"'{self.folder}' is a symbolic link to '{os.readlink(self.folder)}', which leads "
                                "to no folder, since this run made its folder of TensorBoard's events there; "
                                "restore the folder it leads to (a disk not mounted?) and run again") from None
            if not os.path.isdir(self.folder):  # the output folder's own check at the start, met mid-run
                raise UserError(f"'{self.folder}' is a file since this run made its folder of TensorBoard's "
                                "events there; move it away and run again") from None
        # its name holds the second it starts and the host: the pid tells apart the files of two runs in one
        # second, the count this run's new files from the file it replaces (a copy kept under its name)
        writer = self.events_writer(self.prefix, f".{os.getpid()}" + (f".{self.files}" if self.files else ""))
        self.files += 1
        path = getattr(writer, "_file_name", None)  # tensorboardX's own name for it (2.6: private)
        identity = file_identity(path)
        if output is not None and identity != file_identity(os.path.join(os.path.basename(self.folder),
                                                                         os.path.basename(path)), output):
            # opened by its path in another folder: a file of no events (tensorboardX's version record alone)
            writer.close()
            if identity:
                with suppress(OSError):
                    os.remove(path)
            raise another_folder(self.output_dir, self.folder)
        self.writer, self.path, self.identity = writer, path, identity
        if session_start:
            self.writer.write_event(self.start)
        # on the disk at once, its first bytes kept: a copy made before a flush was empty, without this run's
        # session start (TensorBoard showed a killed run's events past the checkpoint beside this run's), and the
        # file emptied in place (': > events...') is told by them (see flush)
        self.writer.flush()
        self.marks = file_marks(self.path)

    def session_start(self, step):
        """The event that hides from TensorBoard the events of steps >= step read before it."""
        return self.event(step=step, session_log=self.session_log(status=self.session_log.START))

    @contextmanager
    def writing(self):
        try:
            yield
        except OSError as error:
            if disk_full(error, self.folder):
                raise no_space(os.path.join(self.folder, "events")) from None
            if error.errno == errno.EFBIG:  # past `ulimit -f`: tensorboardX's OSError was a traceback, exit code 1
                raise too_large(self.path or os.path.join(self.folder, "events")) from None
            raise folder_changed(self.folder, error) or error from None

    def write(self, iteration, summaries):
        """The summaries of one iteration, then a flush if the last was FLUSH_SECONDS ago: after all of them (a flush
        after the first alone left the iteration's other values unseen until the next iteration's, minutes later
        where iterations take minutes)."""
        with self.lock, self.writing():
            for summary in summaries:
                self.unflushed.append(self.event(wall_time=time.time(), step=iteration, summary=summary))
                self.writer.write_event(self.unflushed[-1])
        if time.monotonic() - self.flushed > FLUSH_SECONDS:
            self.flush()

    def add(self, iteration, values):
        self.write(iteration, [self.summary.scalar(name, value) for name, value in values.items()])

    def add_image(self, tag, rgb_uint8, iteration):
        """An (H, W, 3) 8-bit RGB picture under tag at this iteration."""
        self.write(iteration, [self.summary.image(tag, rgb_uint8, dataformats="HWC")])

    def flush(self):
        """The events so far to the disk. Where the events file (or tensorboard/) was removed since it was made (to
        clear the curves, say), a new one gets the events since the last flush, and those after: the open handle kept
        writing to the removed file, and they were lost with it, silently, to the end of the run."""
        with self.lock, self.writing():
            moved = bool(self.path) and file_identity(self.path) != self.identity
            if moved and (renamed := self.renamed()):
                # renamed in its folder to another events name (kept apart by a user): TensorBoard still reads it,
                # and the run writes on into it; a new file's session start hid this run's events up to the last
                # flush, which the renamed file holds
                self.path, moved = renamed, False
            # emptied in place (to clear the curves): the writes went on at their offset after a hole of zeros, and
            # TensorBoard read none of the file's events, silently, to the end of the run; cut short in place
            # ('truncate -s'), none after the cut
            if moved or (self.path and cut_since(self.path, self.marks)):
                # gone, or another file in its place: a copy (tensorboard/ moved to another disk and linked back, the
                # events file restored from a backup) or a folder of its name, while the run's open handle wrote on
                # to the removed file, silently, to the end of the run. A copy keeps this run's session start and the
                # events before: the new file's would hide them from TensorBoard
                copy = moved and os.path.isfile(self.path)
                removed = self.writer
                # the new file first: where it fails (the run's line, or a stop signal's checkpoint's, after which
                # the run goes on), the writes go on to the removed file, not to a closed one ("ValueError: write
                # to closed file", a traceback), and the next flush tries again
                self.open_file(session_start=not copy)
                with suppress(OSError):
                    removed.close()
                if copy and self.unflushed:
                    # the copy may hold some of the events written again below, the last perhaps cut short: a full
                    # buffer (a picture's events are larger) wrote them before it was made, and TensorBoard showed
                    # them twice; a session start at the first one's step hides them
                    self.writer.write_event(self.session_start(self.unflushed[0].step))
                for event in self.unflushed:
                    self.writer.write_event(event)
            self.writer.flush()
            self.marks = file_marks(self.path)
            self.unflushed = []
        self.flushed = time.monotonic()

    def renamed(self):
        """The path of this run's events file (its identity) under another name TensorBoard reads in its folder (one
        holding 'tfevents'), or None."""
        folder = os.path.dirname(self.path)
        with suppress(OSError):
            for entry in os.scandir(folder):
                if "tfevents" in entry.name and file_identity(os.path.join(folder, entry.name)) == self.identity:
                    return os.path.join(folder, entry.name)
        return None

    def close(self):
        self.flush()
        with self.writing():
            self.writer.close()


# Unicode's default-ignorable code points that are not format characters (Cf): letters and marks drawn as nothing
# (Hangul fillers, the combining grapheme joiner, variation selectors, Khmer's and Mongolian's invisible ones); and the
# format characters that change the letter before them. Each range says whether it does so: a variation selector (an
# emoji's colour form, an ideograph's variant, a Mongolian letter's form), the zero-width joiner and non-joiner (a
# Malayalam chillu, a Persian word's end), the tags that make a black flag a region's ('🏴' and England's tags). After
# a letter or symbol beyond ASCII those are part of a name's last letter ('note❤️'), kept. One table: INVISIBLE and
# JOINING are read from it.
DRAWN_AS_NOTHING = (  # (first, last, joins the letter before it)
    (0x034F, 0x034F, False), (0x115F, 0x1160, False), (0x17B4, 0x17B5, False), (0x180B, 0x180D, True),
    (0x180E, 0x180E, False), (0x180F, 0x180F, True), (0x200C, 0x200D, True), (0x3164, 0x3164, False),
    (0xFE00, 0xFE0F, True), (0xFFA0, 0xFFA0, False), (0xE0020, 0xE007F, True), (0xE0100, 0xE01EF, True))
INVISIBLE = frozenset(chr(code) for first, last, _ in DRAWN_AS_NOTHING for code in range(first, last + 1))
JOINING = frozenset(chr(code) for first, last, joins in DRAWN_AS_NOTHING if joins for code in range(first, last + 1))


def invisible(character):
    """Whether character is white space or drawn as nothing."""
    return character.isspace() or unicodedata.category(character) == "Cf" or character in INVISIBLE


def trimmed(cell):
    """A cell without the white space and the invisible characters at its ends: a zero-width space (a name pasted from
    a web page), a second byte-order mark (utf-8-sig drops one) or a Hangul filler named another column than this
    run's, its rows going on beside it, the curves split in two, as spaces did."""
    start, end = 0, len(cell)
    while start < end and invisible(cell[start]):
        start += 1
    while end > start and invisible(cell[end - 1]):
        end -= 1
    if end > start and not cell[end - 1].isascii():
        # 'note❤️' lost its selector, 'ന്‍' its joiner, in the file written back (another letter drawn); an emoji flag
        # of a region (a black flag and its tags: 🏴 and England's, Scotland's, Wales's) lost all its tags, and two of
        # them were one column named twice
        while end < len(cell) and cell[end] in JOINING:
            end += 1
    return cell[start:end]


def number(kind, text):
    """kind(text) (int or float); ValueError for a '_' in it (utils.flags.grouped), which both read as digits'
    grouping: an iteration '1_0' was 10, its row dropped as past the checkpoint, a loss '0_5' 5.0."""
    if grouped(text):
        raise ValueError(f"'_' in {text!r}")
    return kind(text)


MARK_BYTES = 12  # an events file's first record's length and its checksum; its last record's checksum and more


def file_marks(path):
    """(the first MARK_BYTES bytes of the file at path, its size, its last MARK_BYTES bytes; fewer where it is shorter),
    or None where there is none."""
    try:
        with open(path, "rb") as file:
            head = file.read(MARK_BYTES)
            size = file.seek(0, os.SEEK_END)
            file.seek(max(size - MARK_BYTES, 0))
            return head, size, file.read(MARK_BYTES)
    except (OSError, TypeError):
        return None


def cut_since(path, marks):
    """Whether the file at path, of file_marks marks, no longer holds their bytes where they were: emptied or cut short
    in place (the writes after go on at their offset, after a hole of zeros)."""
    if not marks:
        return False
    head, size, tail = marks
    try:
        with open(path, "rb") as file:
            if file.read(MARK_BYTES) != head:
                return True
            file.seek(max(size - MARK_BYTES, 0))
            return file.read(MARK_BYTES) != tail
    except OSError:
        return True


def check_same_folder(folder, identity, path):
    """UserError where folder, whose file_identity was identity when the run took it, is another folder now: moved away
    while the run trained and another made in its place ('mv run run.old; mkdir run'), the run went on writing into
    the new one, unlocked (its lock is in the old), its checkpoints split between the two, exit code 0."""
    now = file_identity(folder)
    if identity and now and now != identity:
        raise another_folder(folder, path)


def another_folder(folder, path):
    """check_same_folder's UserError, for a write of path."""
    return UserError(("" if path == folder else f"cannot write '{path}': ") + f"the output folder '{folder}' is "
                     "another folder than the one this run started in (moved away while this ran, another made in "
                     "its place); put the run's folder back there and run again to resume")
