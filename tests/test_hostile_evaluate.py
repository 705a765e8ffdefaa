"""Hostile inputs and conditions for evaluate.py: its frames, weights, report pictures and scene cuts. Each ends with
one line and exit code 2 (130 for a stop), leaves nothing partial and overwrites nothing (docs/testing.md)."""
import os
import subprocess
import sys

import pytest

from conftest import REPO_ROOT, shared_path
from hostile import CALENDAR, assert_one_error_line, run_script
from utils.errors import UserError


# The first pass of issue 28: the failures it lists

def test_evaluate_offers_only_what_it_takes_for_scene_cuts_and_refuses_an_output_that_is_an_input(tmp_path):
    frames = tmp_path / "frames"
    frames.mkdir()
    from utils.frame_names import list_frames
    for index, path in enumerate(list_frames(shared_path("data", "calendar_lr"))[:5]):
        os.symlink(path, frames / f"{index:04d}.png")
    line = assert_one_error_line(
        run_script("evaluate.py", "--results", str(frames), "--targets", str(frames), "--output",
                   str(tmp_path / "out"), "--scene-cuts", "auto", "--quick"),
        "is not a file; pass a file of frame numbers")
    assert "off" not in line
    assert_one_error_line(
        run_script("evaluate.py", "--results", str(frames), "--targets", str(frames), "--output", str(frames),
                   "--quick"), "is the same file or folder as --results")
    assert sorted(os.listdir(frames)) == [f"{index:04d}.png" for index in range(5)]


# The second pass

@pytest.mark.parametrize("blocked", ["frames.csv", "metrics.md"])
def test_evaluate_with_a_folder_where_its_report_goes_is_one_line_before_scoring(tmp_path, capsys, blocked):
    import evaluate
    from conftest import user_error_line
    (tmp_path / "out" / blocked).mkdir(parents=True)
    calendar = shared_path("data", "calendar_lr")
    line = user_error_line(evaluate.main, ["--results", calendar, "--targets", calendar, "--output",
                                           str(tmp_path / "out"), "--quick"], capsys)
    assert f"holds a folder named {blocked}" in line
    assert os.listdir(tmp_path / "out") == [blocked]


# The fourth pass

def test_evaluate_leaves_no_output_folder_when_a_frame_cannot_be_scored(tmp_path, capsys):
    """It made the folder before scoring, and a damaged frame found while scoring left it empty."""
    import shutil

    import evaluate
    from conftest import user_error_line
    for folder in ("results", "targets"):
        (tmp_path / folder).mkdir()
        for index in range(1, 7):
            shutil.copy(shared_path("data", "calendar_lr", f"{index:04d}.png"), tmp_path / folder)
    (tmp_path / "results" / "0004.png").write_bytes(b"not a picture")
    line = user_error_line(evaluate.main, ["--results", str(tmp_path / "results"), "--targets",
                                           str(tmp_path / "targets"), "--output", str(tmp_path / "eval"), "--quick"],
                           capsys)
    assert "0004.png" in line and not (tmp_path / "eval").exists()


def calendar_folder(folder, count=6, name="{index:04d}.png"):
    import shutil
    folder.mkdir()
    for index in range(1, count + 1):
        shutil.copy(shared_path("data", "calendar_lr", f"{index:04d}.png"), folder / name.format(index=index))
    return str(folder)


# The fifth pass

def test_evaluate_scores_frames_with_an_upper_case_extension_too(tmp_path):
    """A .PNG frame among .png ones was left out without a word, and the sequence scored without it."""
    import evaluate
    for folder in ("results", "targets"):
        calendar_folder(tmp_path / folder)
        os.rename(tmp_path / folder / "0003.png", tmp_path / folder / "0003.PNG")
    evaluate.main(["--results", str(tmp_path / "results"), "--targets", str(tmp_path / "targets"), "--output",
                   str(tmp_path / "eval"), "--quick"])
    rows = (tmp_path / "eval" / "frames.csv").read_text().splitlines()[1:]
    assert [row.split(",")[3] for row in rows] == ["0003.PNG", "0004.png"]


@pytest.mark.parametrize("long_name", ["results folder", "target frames"])
def test_an_evaluation_picture_name_too_long_for_the_file_system_is_one_line_before_scoring(tmp_path, capsys,
                                                                                           long_name):
    """The curves or worst-frame picture is named after the results folder and a target frame: a name near the
    file system's limit failed with a traceback after scoring, and left a report without its pictures."""
    import evaluate
    from conftest import user_error_line
    frame_name = "{index}" + "t" * 236 + ".png" if long_name == "target frames" else "{index:04d}.png"
    results = calendar_folder(tmp_path / ("r" * 240 if long_name == "results folder" else "results"), name=frame_name)
    targets = calendar_folder(tmp_path / "targets", name=frame_name)
    line = user_error_line(evaluate.main, ["--results", results, "--targets", targets, "--output",
                                           str(tmp_path / "eval"), "--quick"], capsys)
    assert "is too long" in line and "shorten the name of the results folder or of the target frames" in line
    assert not (tmp_path / "eval").exists()


def test_evaluate_with_a_pipe_named_like_a_frame_is_one_line_not_a_wait_without_end(tmp_path):
    """generate.py refused it (the third pass); evaluate.py opened it and waited for a writer."""
    results = calendar_folder(tmp_path / "results")
    targets = calendar_folder(tmp_path / "targets")
    os.remove(tmp_path / "results" / "0003.png")
    os.mkfifo(tmp_path / "results" / "0003.png")
    completed = run_script("evaluate.py", "--results", results, "--targets", targets, "--output",
                           str(tmp_path / "eval"), "--quick", timeout=60)
    assert_one_error_line(completed, f"'{tmp_path / 'results' / '0003.png'}' is a pipe or device, not an image file; "
                                     f"remove it from results folder '{results}'")


def test_evaluate_whose_progress_reader_left_ends_with_141_instead_of_waiting_without_end(tmp_path):
    """`2> >(head -c 1)`: the reader leaves after the bar's first line. A scoring thread's next write then failed
    while it held tqdm's lock, and closing the bar waited for that lock without end."""
    process = subprocess.Popen([sys.executable, "evaluate.py", "--results", CALENDAR, "--targets", CALENDAR,
                                "--output", str(tmp_path / "eval"), "--quick"],
                               cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        process.stderr.read(1)
        process.stderr.close()
        assert process.wait(timeout=120) == 141
    finally:
        process.kill()


# The seventh pass

@pytest.mark.parametrize("picture", ["00_sr_curves.png", "00_sr_worst_frame_0003.png"])
def test_a_folder_named_like_a_report_picture_is_refused_before_scoring(tmp_path, picture):
    """evaluate.py's --output (or a demo's eval_ours/) holding a folder named like a curves or worst-frame
    picture: one line only after every frame was scored (and the demo's clip super-resolved), with the CSV files
    and metrics.md already replaced."""
    import demo
    from evaluation.report import evaluate
    from evaluation.scoring import Sequence
    from evaluation_data import make_sequence
    results, targets = make_sequence(tmp_path, "sr", 0, 5)
    (tmp_path / "eval" / picture).mkdir(parents=True)
    with pytest.raises(UserError, match=f"holds a folder named {picture}, where the report goes"):
        evaluate([Sequence(0, results, targets)], str(tmp_path / "eval"), "cpu")
    assert os.listdir(tmp_path / "eval") == [picture]
    out = tmp_path / "demo"
    (out / "eval_ours" / picture).mkdir(parents=True)
    (out / demo.DEMO_MARK).write_text("written by demo.py\n")
    with pytest.raises(UserError, match=f"holds a folder named eval_ours/{picture}, where demo.py writes"):
        demo.check_output(str(out), str(tmp_path / "clip.mp4"))


# The eighth pass

@pytest.mark.parametrize("step", ["score_sequence", "write_report"])
def test_memory_running_out_while_scoring_or_writing_the_report_is_one_line(tmp_path, monkeypatch, step):
    """evaluate.py under a tight `ulimit -v`: numpy's MemoryError ("Unable to allocate 14.7 MiB") as a traceback
    while it drew the worst frame's picture."""
    from evaluation import report
    from evaluation.scoring import Sequence
    from evaluation_data import make_sequence

    def failing(*args, **kwargs):
        raise MemoryError("Unable to allocate 14.7 MiB for an array with shape (256, 2504, 3)")
    monkeypatch.setattr(report, step, failing)
    results, targets = make_sequence(tmp_path, "sr", 0, 5)
    with pytest.raises(UserError, match=r"^out of memory while scoring 1 frame into '.*'; free memory"):
        report.evaluate([Sequence(0, results, targets)], str(tmp_path / "eval"), "cpu")


# Ninth pass, half A

@pytest.mark.parametrize("name", ["frames.csv", "metrics.md"])
def test_a_cuts_file_where_the_report_goes_is_refused_and_kept(tmp_path, capsys, name):
    """A cuts file named frames.csv in the --output folder: replaced by the report, exit code 0."""
    import evaluate
    from conftest import user_error_line
    cuts = tmp_path / "eval" / name
    cuts.parent.mkdir()
    cuts.write_text("3\n")
    line = user_error_line(evaluate.main, ["--results", CALENDAR, "--targets", CALENDAR, "--output",
                                           str(tmp_path / "eval"), "--quick", "--scene-cuts", str(cuts)], capsys)
    assert "is the same file or folder as --scene-cuts" in line
    assert os.listdir(tmp_path / "eval") == [name] and cuts.read_text() == "3\n"


# Eleventh pass, half A

def test_a_rerun_into_the_report_folder_leaves_one_worst_frame_picture(tmp_path):
    """evaluate.py run again into its --output after the results changed (another model, another clip): the
    earlier run's worst-frame picture (00_sr_worst_frame_0004.png) stayed beside this run's (0005), exit code 0;
    demo.py's eval_ours/ the same on a rerun."""
    import shutil

    from evaluation_data import make_sequence, run_evaluate
    results, targets = make_sequence(tmp_path, "sr", 0, 7)
    output = tmp_path / "eval"
    for worst in ("0004", "0005"):
        shutil.copy(os.path.join(targets, "0001.png"), os.path.join(results, f"output_{worst}.png"))
        run_evaluate([results], [targets], output, "--quick")
        shutil.copy(os.path.join(targets, f"{worst}.png"), os.path.join(results, f"output_{worst}.png"))
    assert sorted(name for name in os.listdir(output) if "worst_frame" in name) == ["00_sr_worst_frame_0005.png"]


def test_a_report_into_a_folder_another_run_writes_is_refused_before_scoring(tmp_path, capsys):
    """evaluate.py --output a folder generate.py (or another evaluate.py) is writing: the report and its pictures
    were written among that run's frames, exit code 0; every other command honours the folder's lock."""
    import evaluate
    from conftest import user_error_line
    from evaluation_data import make_sequence
    from utils.paths import lock_folder
    results, targets = make_sequence(tmp_path, "sr", 0, 5)
    busy = tmp_path / "generate_output"
    busy.mkdir()
    with lock_folder(str(busy), "output folder"):
        line = user_error_line(evaluate.main, ["--results", results, "--targets", targets, "--output", str(busy),
                                               "--quick"], capsys)
        assert os.listdir(busy) == [".tecogan.lock"]
    assert f"--output '{busy}' is in use by another run (pid {os.getpid()})" in line, line


def test_results_a_running_generate_still_writes_are_refused(tmp_path, capsys):
    """evaluate.py --results a folder generate.py is (re)writing: it scored what was there, part of the earlier
    run's frames and part of this one's, exit code 0 (a new folder: "has 5 frames but targets 8")."""
    import evaluate
    from conftest import user_error_line
    from evaluation_data import make_sequence
    from utils.paths import lock_folder
    results, targets = make_sequence(tmp_path, "sr", 0, 5)
    with lock_folder(results, "output folder"):
        line = user_error_line(evaluate.main, ["--results", results, "--targets", targets, "--output",
                                               str(tmp_path / "eval"), "--quick"], capsys)
    assert f"--results folder '{results}' is being written by another run (pid {os.getpid()}); wait" in line, line
    assert not (tmp_path / "eval").exists()


@pytest.mark.parametrize("name", ["00_sr_curves.png", "00_sr_worst_frame_mine.png"])
def test_a_cuts_file_named_like_a_report_picture_is_refused_and_kept(tmp_path, capsys, name):
    """A cuts file in --output named like the report's curves picture: replaced by the picture, exit code 0 (the
    ninth pass refused the names of the report's files, not its pictures'); named like a worst-frame picture it
    would be deleted as an earlier run's."""
    import evaluate
    from conftest import user_error_line
    from evaluation_data import make_sequence
    results, targets = make_sequence(tmp_path, "sr", 0, 5)
    cuts = tmp_path / "eval" / name
    cuts.parent.mkdir()
    cuts.write_text("3\n")
    line = user_error_line(evaluate.main, ["--results", results, "--targets", targets, "--output",
                                           str(tmp_path / "eval"), "--quick", "--scene-cuts", str(cuts)], capsys)
    assert "is the same file or folder as --scene-cuts" in line, line
    assert os.listdir(tmp_path / "eval") == [name] and cuts.read_text() == "3\n"


def test_a_report_picture_a_killed_run_left_half_written_is_removed(tmp_path):
    """`kill -9` while evaluate.py wrote a picture left `.00_sr_curves.<pid>.tmp.png` in --output for good."""
    from evaluation_data import make_sequence, run_evaluate
    results, targets = make_sequence(tmp_path, "sr", 0, 5)
    output = tmp_path / "eval"
    output.mkdir()
    dead = 2 ** 22 + 1  # above Linux's largest process id
    (output / f".00_sr_curves.{dead}.tmp.png").write_bytes(b"half a picture")
    (output / f".notes.{dead}.tmp.txt").write_text("another program's")
    run_evaluate([results], [targets], output, "--quick")
    assert sorted(name for name in os.listdir(output) if name.startswith(".")) == [f".notes.{dead}.tmp.txt"]


# Twelfth pass, third look at half A

def test_a_cuts_file_named_like_a_killed_runs_temporary_in_the_output_is_kept(tmp_path):
    """A cuts file in --output named like a temporary of the report a killed run left (`.frames.<pid>.tmp.csv`):
    read, then deleted as that run's left-over, exit code 0. It is an input: kept, and the left-over of another
    report file still goes."""
    from evaluation_data import make_sequence, run_evaluate
    results, targets = make_sequence(tmp_path, "sr", 0, 5)
    output = tmp_path / "eval"
    output.mkdir()
    dead = 2 ** 22 + 1  # above Linux's largest process id
    cuts = output / f".frames.{dead}.tmp.csv"
    cuts.write_text("3\n")
    (output / f".sequences.{dead}.tmp.csv").write_text("half a report")
    run_evaluate([results], [targets], output, "--quick", "--scene-cuts", str(cuts))
    assert sorted(name for name in os.listdir(output) if name.startswith(".")) == [cuts.name]
    assert cuts.read_text() == "3\n"


# Twelfth pass, second look at half A

def test_lpips_weights_named_like_a_killed_runs_temporary_in_the_output_are_kept(tmp_path, lpips_weights):
    """--lpips-weights in --output under the name of a report temporary a killed run left (`.metrics.<pid>.tmp.md`;
    the weights are read whatever their extension): read, then deleted as that run's left-over, exit code 0. It is
    an input, kept as a cuts file is."""
    import shutil
    from evaluation_data import make_sequence, run_evaluate
    results, targets = make_sequence(tmp_path, "sr", 0, 5)
    output = tmp_path / "eval"
    output.mkdir()
    dead = 2 ** 22 + 1  # above Linux's largest process id
    weights = output / f".metrics.{dead}.tmp.md"
    shutil.copyfile(lpips_weights, weights)
    run_evaluate([results], [targets], output, "--lpips-weights", str(weights))
    assert sorted(name for name in os.listdir(output) if name.startswith(".")) == [weights.name]


# Fourteenth pass, second look at make's set-up, the downloads and the error lines

def frames_named(folder, names):
    """folder of CALENDAR's first frames under names."""
    import shutil
    os.makedirs(folder)
    for name, frame in zip(names, sorted(os.listdir(CALENDAR))):
        shutil.copy(os.path.join(CALENDAR, frame), os.path.join(folder, name))
    return folder


def test_a_results_folder_whose_name_is_not_utf8_is_reported_by_its_codes():
    """A --results folder (so its sequence label) whose name is not UTF-8: UnicodeEncodeError's traceback once every
    frame was scored, writing frames.csv, exit code 1."""
    import tempfile
    top = tempfile.mkdtemp()
    try:
        name = os.fsdecode(b"seq\xf9")
        frames = frames_named(os.path.join(top, name), [f"{index:04d}.png" for index in range(5)])
        completed = run_script("evaluate.py", "--results", frames, "--targets", frames, "--output",
                               os.path.join(top, "eval"), "--quick")
        assert completed.returncode == 0, completed.stderr
        assert "00_seq\\udcf9 vs seq\\udcf9" in completed.stdout
        with open(os.path.join(top, "eval", "sequences.csv"), encoding="utf-8") as report:
            assert report.read().splitlines()[1].startswith("00_seq\\udcf9,seq\\udcf9,")
    finally:
        import shutil
        shutil.rmtree(top)


def test_frames_named_with_a_comma_keep_their_columns_in_frames_csv(tmp_path):
    """frames.csv joined its values with commas unquoted: a frame named 'f,3.png' shifted its row's columns."""
    import csv
    import evaluate
    frames = frames_named(str(tmp_path / "c"), [f"f,{index}.png" for index in range(5)])
    evaluate.main(["--results", frames, "--targets", frames, "--output", str(tmp_path / "eval"), "--quick"])
    with open(tmp_path / "eval" / "frames.csv", encoding="utf-8", newline="") as report:
        rows = list(csv.DictReader(report))
    assert [(row["target"], row["output"]) for row in rows] == [("f,2.png", "f,2.png")]  # the first and last 2 unscored
    assert all(None not in row for row in rows)  # no value past the header's columns


# Fourteenth pass, third look at the fourteenth pass's set-up, download and error-line fixes

def test_a_sequence_whose_name_begins_with_a_combining_mark_is_reported_by_its_code(tmp_path):
    """A --results folder (the sequence's label) beginning with a combining mark: printable's TypeError traceback
    once every frame was scored, writing the report, exit code 1, nothing written."""
    import csv
    import evaluate
    frames = frames_named(str(tmp_path / "\u0301seq"), [f"{index:04d}.png" for index in range(5)])
    evaluate.main(["--results", frames, "--targets", frames, "--output", str(tmp_path / "eval"), "--quick"])
    with open(tmp_path / "eval" / "sequences.csv", encoding="utf-8", newline="") as report:
        rows = list(csv.reader(report))
    assert rows[1][:2] == ["00_\\u0301seq", "\\u0301seq"]


def test_a_sequence_named_with_a_bar_keeps_its_columns_in_metrics_md(tmp_path):
    """metrics.md's row of a folder named 'a|b' split at its |: the row's values moved under the next columns'
    titles (PSNR's value under LPIPS)."""
    import evaluate
    frames = frames_named(str(tmp_path / "a|b"), [f"{index:04d}.png" for index in range(5)])
    evaluate.main(["--results", frames, "--targets", frames, "--output", str(tmp_path / "eval"), "--quick"])
    with open(tmp_path / "eval" / "metrics.md", encoding="utf-8") as table:
        lines = table.read().splitlines()
    cells = [line.replace("\\|", "").strip("|").split("|") for line in lines]
    assert {len(row) for row in cells} == {len(cells[0])} and "a\\|b" in lines[2]


def test_a_sequence_named_with_two_dollars_gets_its_curves(tmp_path):
    """A folder named 'x$^$y': matplotlib read the curves' title as TeX, ParseSyntaxException's traceback once every
    frame was scored, exit code 1, no pictures."""
    import evaluate
    frames = frames_named(str(tmp_path / "x$^$y"), [f"{index:04d}.png" for index in range(5)])
    evaluate.main(["--results", frames, "--targets", frames, "--output", str(tmp_path / "eval"), "--quick"])
    assert "00_x$^$y_curves.png" in os.listdir(tmp_path / "eval")


# Fifteenth pass, beside the probers

@pytest.mark.parametrize("hidden", [".0006.4242.tmp.png", "._0003.png"])
def test_hidden_files_of_a_picture_name_are_no_frames(tmp_path, hidden):
    """A generate.py run killed while writing a frame leaves its hidden temporary ('.0006.<pid>.tmp.png', a whole
    picture or part of one), and a copy from macOS adds '._<name>' files of metadata: each was counted as a frame (9
    results for 8 targets refused, or an unreadable 'image' scored). generate.py's input folders and training's
    sequences list frames the same way."""
    import shutil

    import evaluate
    from datasets.sequences import holds_frames
    from utils.frame_names import list_frames
    results, targets = calendar_folder(tmp_path / "results", 6), calendar_folder(tmp_path / "targets", 6)
    evaluate.main(["--results", results, "--targets", targets, "--output", str(tmp_path / "clean"), "--quick"])
    if hidden.startswith("._"):
        (tmp_path / "results" / hidden).write_bytes(b"\x00\x05\x16\x07 Mac OS X metadata")
    else:
        shutil.copy(tmp_path / "results" / "0005.png", tmp_path / "results" / hidden)
    evaluate.main(["--results", results, "--targets", targets, "--output", str(tmp_path / "eval"), "--quick"])
    rows = (tmp_path / "eval" / "frames.csv").read_text().splitlines()
    assert len(rows) == 3 and rows == (tmp_path / "clean" / "frames.csv").read_text().splitlines()
    assert hidden not in [os.path.basename(path) for path in list_frames(results)]
    only_hidden = tmp_path / "only_hidden"
    only_hidden.mkdir()
    shutil.copy(tmp_path / "results" / hidden, only_hidden / hidden)
    assert not holds_frames(str(only_hidden))


def test_lpips_weights_whose_bytes_were_damaged_are_called_damaged(tmp_path):
    """The LPIPS weights carry HDF5's checksum since the fifteenth pass (save_parameter_file); eight bytes of zeros
    inside an array failed it with the line "is not an HDF5 (.h5) file", though it is one, which sends the user to
    the wrong fix."""
    import numpy as np

    from hostile import zero_bytes_inside_the_largest_array
    from utils.lpips import load_lpips_weights, parameter_shapes, save_lpips_weights
    rng = np.random.default_rng(0)
    # of magnitudes: LPIPS's linear weights are never negative (utils.lpips.check_shapes refuses them)
    save_lpips_weights(str(tmp_path / "alex.h5"), {name: np.abs(rng.standard_normal(shape)).astype(np.float32)
                                                   for name, shape in parameter_shapes().items()})
    zero_bytes_inside_the_largest_array(tmp_path / "alex.h5")
    with pytest.raises(UserError, match=r"LPIPS weights file '.*alex\.h5' is damaged \(.*\); fetch them again"):
        load_lpips_weights(str(tmp_path / "alex.h5"))


# Fifteenth pass, third look at the fifteenth pass's download, converter and error-line fixes

@pytest.mark.parametrize("kind, message", [
    ("doubles past float32's range", r"'conv0/conv/W' holds NaN or infinite values"),
    ("complex numbers", r"'conv0/conv/W' holds complex128 values, not numbers; fetch them again"),
    ("text", r"'conv0/conv/W' holds \|S4 values, not numbers; fetch them again"),
    ("records", r"'conv0/conv/W' holds .* values, not numbers; fetch them again"),
    ("a group", r"is not an LPIPS AlexNet weights file \(no 'conv0/conv/W'\)")])
def test_lpips_weights_holding_values_of_no_number_are_one_line_without_numpy_s_warning(tmp_path, kind, message):
    """An LPIPS weights file whose first parameter holds what no network uses: text, records or a group were a
    ValueError or TypeError traceback; complex numbers were taken, their imaginary part dropped, with numpy's warning;
    doubles of 1e300 printed numpy's "overflow encountered in cast" and its source line before the error line."""
    import warnings

    import h5py
    import numpy as np
    from utils.lpips import load_lpips_weights, parameter_shapes
    with h5py.File(tmp_path / "alex.h5", "w") as h5:
        for name, shape in parameter_shapes().items():
            if name != "conv0/conv/W":
                h5[name] = np.zeros(shape, np.float32)
            elif kind == "a group":
                h5.create_group(name)
            else:
                h5[name] = {"doubles past float32's range": np.full(shape, 1e300), "complex numbers":
                            np.full(shape, 1 + 2j), "text": np.full(shape, b"text"),
                            "records": np.zeros(shape, [("real", "f4"), ("imaginary", "f4")])}[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserError, match=message):
            load_lpips_weights(str(tmp_path / "alex.h5"))


# Seventeenth pass, second look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

def test_a_picture_without_a_number_among_results_is_refused_not_paired_with_the_first_target(tmp_path, capsys):
    """A picture without a number among the numbered results (a poster, a thumbnail) sorted first and was scored
    against the first target, each result then against the target before its own, exit code 0."""
    import evaluate
    from conftest import user_error_line
    from hostile import evaluate_of_results_with_a_stray
    line = user_error_line(evaluate.main, evaluate_of_results_with_a_stray(tmp_path, "poster.png", 5), capsys)
    assert "poster.png' has no number in its name" in line
    assert not os.path.exists(tmp_path / "out")


def test_the_line_of_a_run_that_succeeds_shows_an_escape_sequence_in_the_output_by_its_codes(tmp_path, capsys):
    """Error lines show a terminal's escape sequence in a path by its codes; the "wrote frames.csv ... to" line wrote
    --output as it is, to the terminal, which ran it."""
    import evaluate
    calendar = shared_path("data", "calendar_lr")
    evaluate.main(["--results", calendar, "--targets", calendar, "--output", str(tmp_path / "e\x1b[2J"), "--quick"])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "e\\x1b[2J" in out


# Eighteenth pass, second look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

def test_a_browsers_copy_among_the_results_is_refused_not_scored_as_the_last_frame(tmp_path, capsys):
    """'output_0003 (1).png' in place of a results folder's last frame (a browser's second download of frame 3): its
    digits make frame 31, so it was scored against the last target, exit code 0."""
    import evaluate
    from conftest import user_error_line
    from hostile import evaluate_of_results_with_a_stray
    line = user_error_line(evaluate.main, evaluate_of_results_with_a_stray(tmp_path, "output_0003 (1).png", 3), capsys)
    assert "output_0003 (1).png' is named as a copy of" in line
    assert not os.path.exists(tmp_path / "out")


def test_results_whose_names_begin_with_ib_are_said_to_be_left_out_for_it(tmp_path, capsys):
    """generate.py --output-name IBM writes 'IBM_0000.png'..; evaluate.py leaves names beginning with 'IB' out, as the
    authors' metrics.py, and said the folder "has no .png frames", a folder of eight."""
    import shutil

    import evaluate
    from conftest import user_error_line
    results = tmp_path / "results"
    results.mkdir()
    calendar = shared_path("data", "calendar_lr")
    for index, name in enumerate(sorted(os.listdir(calendar))[:8]):
        shutil.copy(os.path.join(calendar, name), results / f"IBM_{index:04d}.png")
    line = user_error_line(evaluate.main, ["--results", str(results), "--targets", calendar, "--output",
                                           str(tmp_path / "out"), "--quick"], capsys)
    assert "'IBM_0000.png'" in line and "begin with 'IB'" in line


# Eighteenth pass, third look at the eighteenth pass's generate and evaluate fixes

def test_targets_whose_names_begin_with_ib_are_not_told_to_be_generated_again(tmp_path, capsys):
    """HR targets named 'IBM_0000.png'.. (left out, as the authors' metrics.py leaves names beginning with 'IB' out)
    were told to be "generated with another --output-name", a flag of generate.py's results, not of targets."""
    import shutil

    import evaluate
    from conftest import user_error_line
    targets = tmp_path / "targets"
    targets.mkdir()
    calendar = shared_path("data", "calendar_lr")
    for index, name in enumerate(sorted(os.listdir(calendar))[:8]):
        shutil.copy(os.path.join(calendar, name), targets / f"IBM_{index:04d}.png")
    line = user_error_line(evaluate.main, ["--results", calendar, "--targets", str(targets), "--output",
                                           str(tmp_path / "out"), "--quick"], capsys)
    assert "targets folder" in line and "'IBM_0000.png'" in line and line.endswith("rename them")
    assert not os.path.exists(tmp_path / "out")


# Nineteenth pass, second look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

def test_a_comma_after_the_last_cuts_file_is_taken_as_after_the_last_folder(tmp_path):
    """--results r1,r2, --targets t1,t2, --scene-cuts c1,c2, : the folders' comma was taken, the cuts files' refused as
    "--scene-cuts names 3 file(s) for 2 --results folder(s)", which names two."""
    import evaluate
    folders = [str(tmp_path / name) for name in ("r1", "r2", "t1", "t2")]
    for folder in folders:
        os.makedirs(folder)
    cuts = [str(tmp_path / name) for name in ("c1.txt", "c2.txt")]
    args = evaluate.parse_args(["--results", ",".join(folders[:2]) + ",", "--targets", ",".join(folders[2:]) + ",",
                                "--output", str(tmp_path / "eval"), "--scene-cuts", ",".join(cuts) + ","])
    assert args.scene_cuts == cuts


# Nineteenth pass, third look at the nineteenth pass's generate and evaluate fixes

def test_an_empty_last_place_in_the_cuts_list_is_a_folder_without_cuts(tmp_path):
    """--results r1,r2 --scene-cuts c1, : cuts for the first folder, none for the second, as ',c2' is none for the
    first; every comma after the last file was dropped, and it was refused as "names 1 file(s) for 2 --results
    folder(s)". A comma after the last place is still taken (c1,, for two folders)."""
    import evaluate
    folders = [str(tmp_path / name) for name in ("r1", "r2", "t1", "t2")]
    for folder in folders:
        os.makedirs(folder)
    cuts = str(tmp_path / "c1.txt")
    for listed in (cuts + ",", cuts + ",,"):
        args = evaluate.parse_args(["--results", ",".join(folders[:2]), "--targets", ",".join(folders[2:]),
                                    "--output", str(tmp_path / "eval"), "--scene-cuts", listed])
        assert args.scene_cuts[0] == cuts and not args.scene_cuts[1]


# Twentieth pass, second look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

def test_commas_after_the_last_cuts_file_are_taken_as_after_the_last_folder(tmp_path):
    """--results r1,r2,, --scene-cuts c1,c2,, : the folders' two commas were taken, the cuts files' refused as
    "--scene-cuts names 4 file(s) for 2 --results folder(s)", which names two. An empty place before the count is
    still a folder without cuts."""
    import evaluate
    folders = [str(tmp_path / name) for name in ("r1", "r2", "t1", "t2")]
    for folder in folders:
        os.makedirs(folder)
    cuts = [str(tmp_path / name) for name in ("c1.txt", "c2.txt")]
    for listed, taken in ((",".join(cuts) + ",,", cuts), (cuts[0] + ",,,,", [cuts[0], ""])):
        args = evaluate.parse_args(["--results", ",".join(folders[:2]) + ",,", "--targets", ",".join(folders[2:]),
                                    "--output", str(tmp_path / "eval"), "--scene-cuts", listed])
        assert args.scene_cuts == taken


# Twentieth pass, fourth look at the twentieth pass's generate and evaluate fixes

def test_one_frame_scored_is_said_in_the_singular(tmp_path, capsys):
    """A sequence of five frames, the fewest scored, has one frame scored: "scored 1 frames in ..."."""
    import shutil

    import evaluate
    folder = tmp_path / "frames"
    folder.mkdir()
    for name in sorted(os.listdir(CALENDAR))[:5]:
        shutil.copy(os.path.join(CALENDAR, name), folder)
    evaluate.main(["--results", str(folder), "--targets", str(folder), "--output", str(tmp_path / "eval"), "--quick"])
    assert "\nscored 1 frame in " in capsys.readouterr().out


# Twenty-first pass, look at generate.py's and evaluate.py's inputs, videos, parts and scene cuts

def test_outputs_twice_their_targets_or_more_are_refused_not_scored_by_a_corner(tmp_path, capsys):
    """LR frames passed as --targets (LR/calendar for HR/calendar): each output, four times their size, was cut to
    their size from its top-left corner, as an output a few pixels larger is, and that corner scored, exit code 0.
    An output a few pixels larger is still cut and scored."""
    import cv2
    import numpy as np

    import evaluate
    rng = np.random.default_rng(0)
    for folder, side in (("targets", 48), ("outputs", 96), ("padded", 52)):
        os.makedirs(tmp_path / folder)
        for index in range(1, 6):
            cv2.imwrite(str(tmp_path / folder / f"{index:04d}.png"), rng.integers(0, 255, (side, side, 3), np.uint8))
    argv = ["--targets", str(tmp_path / "targets"), "--quick", "--output"]
    with pytest.raises(SystemExit) as stopped:
        evaluate.main(["--results", str(tmp_path / "outputs"), *argv, str(tmp_path / "eval")])
    assert stopped.value.code == 2 and not os.path.exists(tmp_path / "eval")
    assert "is 96x96, twice its target" in capsys.readouterr().err
    evaluate.main(["--results", str(tmp_path / "padded"), *argv, str(tmp_path / "eval")])
    assert "\nscored 1 frame in " in capsys.readouterr().out


def test_folders_of_one_frame_are_said_in_the_singular(tmp_path):
    """"results folder ... has 1 frames but targets folder ... has 5", "targets folder ... has 1 frames; at least 5
    are needed"."""
    from evaluation.scoring import Sequence
    for folder, count in (("one", 1), ("five", 5)):
        os.makedirs(tmp_path / folder)
        for index in range(1, count + 1):
            (tmp_path / folder / f"{index:04d}.png").write_bytes(b"")
    with pytest.raises(UserError, match=r"one' has 1 frame but targets folder .* has 5; pass matching folders"):
        Sequence(0, str(tmp_path / "one"), str(tmp_path / "five"))
    with pytest.raises(UserError, match=r"one' has 1 frame; at least 5 are needed"):
        Sequence(0, str(tmp_path / "one"), str(tmp_path / "one"))


# Twenty-first pass, second look at the twenty-first pass's generate, tile and page fixes

@pytest.mark.parametrize("output_shape", [(48, 64), (48, 96), (64, 64)], ids=["x4-of-x3", "twice-wide", "4:3-larger"])
def test_outputs_a_quarter_larger_than_their_targets_in_a_side_are_refused(tmp_path, output_shape):
    """The first look refused outputs twice their targets' width and height: an x4 model's outputs against targets of
    three times the LR frames' size (64 for 48), or twice as wide alone, were still cut to their top-left corner and
    scored, exit code 0. An output a few pixels larger is still cut to its target (the first look's test)."""
    import cv2
    import numpy as np

    from evaluation.scoring import read_frame_pair
    cv2.imwrite(str(tmp_path / "target.png"), np.zeros((48, 48, 3), np.uint8))
    cv2.imwrite(str(tmp_path / "output.png"), np.zeros((*output_shape, 3), np.uint8))
    with pytest.raises(UserError, match=rf"is {output_shape[1]}x{output_shape[0]}, a quarter larger than its target "
                                        r"'.*' \(48x48\) or more: those targets are not the frames it was made for"):
        read_frame_pair(str(tmp_path / "target.png"), str(tmp_path / "output.png"), None)
    cv2.imwrite(str(tmp_path / "output.png"), np.zeros((59, 59, 3), np.uint8))
    assert read_frame_pair(str(tmp_path / "target.png"), str(tmp_path / "output.png"), None)[1].shape == (48, 48, 3)


# Twenty-sixth pass, second look at the twenty-sixth pass's tile, cache and score fixes

@pytest.mark.parametrize("name", ["lpips_v0.1_alex.pth", "alexnet_random.pth"], ids=["legacy", "zip"])
def test_pytorch_weights_given_as_lpips_weights_are_sent_to_the_converter(tmp_path, capsys, name):
    """The LPIPS project's alex.pth given as --lpips-weights was told "is not an HDF5 (.h5) parameter file; fetch them
    again ..., or convert them again", of weights never converted; convert_lpips_weights.py is what takes it."""
    import evaluate
    from conftest import reference_path, user_error_line
    calendar_folder(tmp_path / "frames")
    line = user_error_line(evaluate.main, ["--results", str(tmp_path / "frames"), "--targets", str(tmp_path / "frames"),
                                           "--output", str(tmp_path / "eval"), "--lpips-weights",
                                           reference_path("lpips", name)], capsys)
    assert "it is a PyTorch .pth: convert_lpips_weights.py converts" in line and "again" not in line
    assert not os.path.exists(tmp_path / "eval")


# Twenty-seventh pass, second look at the twenty-seventh pass's tile, cache and score fixes

# (the pair once named, now each folder's step: the twenty-seventh pass's third look)
@pytest.mark.parametrize("skipped, paired", [(3, "'0002.png' then '0003.png' against '0002.png' then '0004.png'"),
                                             (6, "'0005.png' then '0006.png' against '0005.png' then '0007.png'")],
                         ids=["third", "last-but-one"])
def test_folders_that_skip_frame_numbers_at_different_places_are_refused(tmp_path, skipped, paired):
    """Frames are paired in order: a targets folder missing frame 3 and holding frame 7, beside results 1..6, scored
    result 3 against target 4 and each one after against the next, exit code 0. Results numbered in steps of 10
    against targets 1..6 still pair."""
    from evaluation.scoring import Sequence
    calendar_folder(tmp_path / "results")
    calendar_folder(tmp_path / "targets", count=7)
    os.remove(tmp_path / "targets" / f"{skipped:04d}.png")
    with pytest.raises(UserError, match=rf"^results folder '.*results' and targets folder '.*targets' skip frame "
                                        rf"numbers at different places \({paired}\), and frames are paired in order; "
                                        r"pass folders of the same frames, numbered alike \(.*\)$"):
        Sequence(0, str(tmp_path / "results"), str(tmp_path / "targets"))
    calendar_folder(tmp_path / "steps-of-ten", name="{index}0.png")
    assert len(Sequence(0, str(tmp_path / "steps-of-ten"), str(tmp_path / "results")).output_paths) == 6


# Twenty-seventh pass, third look at the twenty-seventh pass's tile, cache and score fixes

def test_folders_skipping_at_different_places_are_told_each_folder_s_step_and_to_number_frames_alike(tmp_path):
    """A video's frames renumbered 1..N beside the same frames named by their times (ffmpeg -frame_pts of a variable
    frame rate: 0, 1, 2, 4, ..) were refused naming 'v_0004.png' against '000004.png', the pair they are, and told to
    "pass folders of the same frames", which they are. Now the line names each folder's step and numbering alike."""
    from evaluation.scoring import Sequence
    calendar_folder(tmp_path / "results", name="v_{index:04d}.png")
    calendar_folder(tmp_path / "targets")
    for index, time in enumerate([0, 1, 2, 4, 5, 6], 1):
        os.rename(tmp_path / "targets" / f"{index:04d}.png", tmp_path / "targets" / f"{time:06d}.png")
    with pytest.raises(UserError, match=r"^results folder '.*results' and targets folder '.*targets' skip frame "
                                        r"numbers at different places \('v_0003.png' then 'v_0004.png' against "
                                        r"'000002.png' then '000004.png'\), and frames are paired in order; pass "
                                        r"folders of the same frames, numbered alike \(where they are the same, "
                                        r"renumber one folder's in order\)$"):
        Sequence(0, str(tmp_path / "results"), str(tmp_path / "targets"))


def test_a_phone_s_pictures_of_one_second_pair_with_the_same_frames_numbered_in_order(tmp_path):
    """A phone's pictures named by their second, the second's second and third 'IMG_20230601_120000_1', '_2', were
    read by their last number: '_2' then 'IMG_20230601_120001' skipped 119,998 frames, and the folder was refused
    beside the same frames numbered 1..6. Now a name of more or fewer numbers than the one before skips none."""
    from evaluation.scoring import Sequence
    calendar_folder(tmp_path / "results")
    calendar_folder(tmp_path / "targets")
    names = ["IMG_20230601_120000.png", "IMG_20230601_120000_1.png", "IMG_20230601_120000_2.png",
             "IMG_20230601_120001.png", "IMG_20230601_120002.png", "IMG_20230601_120002_1.png"]
    for index, name in enumerate(names, 1):
        os.rename(tmp_path / "targets" / f"{index:04d}.png", tmp_path / "targets" / name)
    sequence = Sequence(0, str(tmp_path / "results"), str(tmp_path / "targets"))
    assert [os.path.basename(path) for path in sequence.target_paths] == names


# Twenty-eighth pass, look at tiles, scales, backends, the ONNX cache and evaluate.py's scores

@pytest.mark.parametrize("name", ["{index:04d}_x4.png", "f{index:04d}_v1.png"])
def test_results_skipping_a_frame_number_before_a_number_every_name_holds_are_refused(tmp_path, name):
    """Results named with a number after the frame's, the same in each name ('0004_x4.png', 'f0004_v1.png'), were read
    by that last number alone, which steps by 0: results missing frame 3 beside targets 1..6 scored result 4 against
    target 3 and each one after against the one before it, exit code 0. Now the last number that differs is read."""
    from evaluation.scoring import Sequence
    calendar_folder(tmp_path / "results", count=7, name=name)
    os.remove(tmp_path / "results" / name.format(index=3))
    calendar_folder(tmp_path / "targets")
    paired = " then ".join(f"'{name.format(index=index)}'" for index in (2, 4))
    with pytest.raises(UserError, match=rf"skip frame numbers at different places \({paired} against '0002.png' then "
                                        r"'0003.png'\), and frames are paired in order"):
        Sequence(0, str(tmp_path / "results"), str(tmp_path / "targets"))
    alike = calendar_folder(tmp_path / "alike", count=7)  # targets skipping where the results do still pair
    os.remove(tmp_path / "alike" / "0003.png")
    assert len(Sequence(0, str(tmp_path / "results"), alike).output_paths) == 6
