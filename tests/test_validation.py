"""Validation during training: val.csv equals evaluate.py on generate.py's outputs of the same model_param
file, model_best.h5 is the best row's model, both survive resume; bad validation settings stop with one
line."""
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest
import training_data
from conftest import REPO_ROOT

import evaluate
import generate
import train
from evaluation import scoring
from evaluation_data import read_csv
from helpers import mpi_environment, MPIRUN
from training.validation import Validation, validation_clips
from utils.frame_names import list_frames
from utils.weights import read_weight_file

VAL_FRAMES = 6  # of the 7 frames of each clip
# The clips' HR frames are 160x144 (LR 40x36); train.val_crop 128 is 32x32 LR pixels, centred on the LR
# grid: LR rows 2..33 and columns 4..35, HR rows 8..135 and columns 16..143.
HR_ROWS, HR_COLUMNS = slice(8, 136), slice(16, 144)
LR_ROWS, LR_COLUMNS = slice(2, 34), slice(4, 36)


def write_frames(folder, frames):
    os.makedirs(folder, exist_ok=True)
    for index, frame in enumerate(frames):
        cv2.imwrite(os.path.join(folder, f"{index:03d}.png"), frame)


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    return training_data.make_calendar_scenes(tmp_path_factory.mktemp("scenes"))


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """data.val_dir with a clip of HR frames (hr_only) and a clip of LR/ and HR/ frames (pair), 7 frames each;
    returns (val_dir, {clip: 8-bit BGR HR frames}, {clip: 8-bit BGR LR frames of the pair})."""
    root = tmp_path_factory.mktemp("val")
    calendar = [cv2.imread(path)[:144, :160] for path in list_frames(training_data.CALENDAR)]
    hr = {"hr_only": calendar[:7], "pair": calendar[20:27]}
    lr = [cv2.resize(frame, (40, 36), interpolation=cv2.INTER_AREA) for frame in hr["pair"]]
    write_frames(root / "hr_only", hr["hr_only"])
    write_frames(root / "pair" / "HR", hr["pair"])
    write_frames(root / "pair" / "LR", lr)
    return str(root), hr, lr


def validation_flags(scenes, output_dir, val_dir, max_iter, **overrides):
    settings = {"train.max_iter": max_iter, "data.val_dir": val_dir, "train.val_freq": 2,
                "train.val_frames": VAL_FRAMES, **overrides}
    return training_data.tiny_training_flags(scenes, output_dir, **settings) + ["--batch_size", "2"]


def model_param(output_dir, iteration):
    return os.path.join(output_dir, f"model_param_{int(iteration):08d}.h5")


def evaluate_generated(model, clips, work):
    """evaluate.py's sequence average row on generate.py's outputs of model for the validation crops."""
    _, hr, lr = clips
    results, targets = [], []
    for name in ("hr_only", "pair"):
        target = str(work / "targets" / name)
        write_frames(target, [frame[HR_ROWS, HR_COLUMNS] for frame in hr[name][:VAL_FRAMES]])
        if name == "pair":
            source = str(work / "lr" / name)
            write_frames(source, [frame[LR_ROWS, LR_COLUMNS] for frame in lr[:VAL_FRAMES]])
            inputs = ["--input-dir-lr", source]
        else:
            inputs = ["--input-dir-hr", target]
        results.append(str(work / "results" / name))
        targets.append(target)
        generate.main(
            ["--model", model, "--output-dir", results[-1], "--backend", "nnabla", "--context", "cpu"]
            + inputs)
    evaluate.main([
        "--results", ",".join(results), "--targets", ",".join(targets), "--output",
        str(work / "eval"), "--lpips-weights", scoring.DEFAULT_LPIPS_WEIGHTS
    ])  # the file the training run used
    return next(row for row in read_csv(work / "eval" / "sequences.csv")
                if row["label"] == "sequence average")


def assert_same_model(path, other):
    arrays, expected = read_weight_file(path), read_weight_file(other)
    assert arrays.keys() == expected.keys()
    for name in arrays:
        np.testing.assert_array_equal(arrays[name], expected[name], err_msg=name)


def best_row(rows, column, lower):
    return (min if lower else max)(rows, key=lambda row: float(row[column]))


def test_validation_matches_evaluate_keeps_the_best_model_and_survives_resume(scenes, clips, lpips_weights,
                                                                               tmp_path, monkeypatch):
    monkeypatch.setattr(scoring, "DEFAULT_LPIPS_WEIGHTS", lpips_weights)
    output_dir = tmp_path / "run"
    # max_iter 2 at batch 2 = 4 iterations: validations at 2 and 4
    train.main(validation_flags(scenes, output_dir, clips[0], 2, **{"train.val_metric": "lpips",
                                                                     "train.tensorboard": "true"}))
    rows = read_csv(output_dir / "val.csv")
    assert [row["iteration"] for row in rows] == ["2", "4"]
    assert list(rows[0]) == ["iteration", "PSNR", "SSIM", "LPIPS", "tOF", "tLP100", "seconds"]
    for row in rows:
        expected = evaluate_generated(model_param(output_dir, row["iteration"]), clips,
                                      tmp_path / row["iteration"])
        for column in scoring.METRICS:
            assert float(row[column]) == pytest.approx(float(expected[column]),
                                                       rel=1e-6), (row["iteration"], column)
        assert float(row["seconds"]) > 0
    assert_same_model(output_dir / "model_best.h5",
                      model_param(output_dir,
                                  best_row(rows, "LPIPS", True)["iteration"]))
    assert (output_dir / "val.png").stat().st_size > 0
    for iteration in (2, 4):
        picture = cv2.imread(str(output_dir / "validation" / f"iteration_{iteration:08d}.png"))
        assert picture.shape[1] > 3 * 128  # three panels of the enlarged window
    scalars = training_data.event_scalars(output_dir / "tensorboard")
    for column in scoring.METRICS:
        assert scalars[f"validation/{column}"] == [
            (int(row["iteration"]), pytest.approx(float(row[column]), rel=1e-6)) for row in rows
        ]
    images = training_data.event_images(output_dir / "tensorboard")["validation/bicubic_ours_truth"]
    assert [step for step, _ in images] == [2, 4]

    # resumed to 6 iterations: the earlier rows stay, the best is chosen among all three
    train.main(validation_flags(scenes, output_dir, clips[0], 3, **{"train.val_metric": "lpips"}))
    resumed = read_csv(output_dir / "val.csv")
    assert resumed[:2] == rows and resumed[2]["iteration"] == "6"
    assert_same_model(output_dir / "model_best.h5",
                      model_param(output_dir, best_row(resumed, "LPIPS", True)["iteration"]))


def test_a_resumed_validation_starts_from_the_best_row_up_to_its_checkpoint(scenes, clips, tmp_path):
    output_dir = tmp_path / "run"
    train.main(validation_flags(scenes, output_dir, clips[0], 3, **{"train.val_freq": 1}))
    rows = read_csv(output_dir / "val.csv")
    assert [row["iteration"] for row in rows] == [str(iteration) for iteration in range(1, 7)]
    config = train.parse_args(validation_flags(scenes, output_dir, clips[0], 3))
    for metric, column, lower in (("psnr", "PSNR", False), ("tof", "tOF", True)):
        for start in (3, 6):
            validation = Validation(validation_clips(config), str(output_dir), start, metric, "cpu")
            assert validation.best == float(best_row(rows[:start], column, lower)[column]), (metric, start)


def test_without_lpips_weights_val_csv_has_no_lpips_columns(scenes, clips, tmp_path, monkeypatch):
    monkeypatch.setattr(scoring, "DEFAULT_LPIPS_WEIGHTS", str(tmp_path / "absent.h5"))
    train.main(validation_flags(scenes, tmp_path / "run", clips[0], 1))
    rows = read_csv(tmp_path / "run" / "val.csv")
    assert [row["iteration"]
            for row in rows] == ["2"] and list(rows[0]) == ["iteration", "PSNR", "SSIM", "tOF", "seconds"]


def test_mpirun_two_processes_validate_on_rank_zero_without_deadlock(scenes, clips, tmp_path):
    flags = validation_flags(scenes, tmp_path / "mpi", clips[0], 2, **{"train.val_freq": 1})
    flags[flags.index("--batch_size") + 1] = "1"  # max_iter 2 at batch 1 x 2 processes = 4 iterations
    completed = subprocess.run([MPIRUN, "-n", "2", sys.executable, "train.py"] + flags, cwd=REPO_ROOT,
                               env=mpi_environment(), capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "parameters identical on 2 processes" in completed.stdout
    assert [row["iteration"] for row in read_csv(tmp_path / "mpi" / "val.csv")] == ["1", "2", "3", "4"]
    assert completed.stdout.count("validation at iteration") + completed.stderr.count(
        "validation at iteration") == 4


def make_clip(folder, count, hr_size=(160, 144), lr_size=None, odd_frame=None):
    """A clip of count frames of hr_size (width, height), with LR/ frames of lr_size when given; odd_frame:
    (index, size) of one HR frame of another size."""
    calendar = [cv2.imread(path) for path in list_frames(training_data.CALENDAR)[:count]]
    hr = [frame[:hr_size[1], :hr_size[0]] for frame in calendar]
    if odd_frame:
        index, (width, height) = odd_frame
        hr[index] = calendar[index][:height, :width]
    if lr_size:
        write_frames(os.path.join(folder, "HR"), hr)
        write_frames(os.path.join(folder, "LR"), [cv2.resize(frame, lr_size) for frame in hr])
    else:
        write_frames(folder, hr)


@pytest.mark.parametrize("clip, overrides, message", [
    (None, {"data.val_dir": ""}, "train.val_freq 2 needs data.val_dir"),
    (None, {"data.val_dir": "/nonexistent/val"}, "does not exist"),
    (None, {"train.val_crop": 50}, "train.val_crop"),
    (None, {"train.val_crop": 32}, "train.val_crop"),
    (None, {"train.val_frames": 4}, "train.val_frames"),
    (None, {"train.val_metric": "mse"}, "train.val_metric"),
    (None, {"train.val_metric": "tlp"}, "needs the LPIPS weights"),
    ({"count": 4}, {}, "has 4 frames; at least 5"),
    ({"count": 7, "lr_size": (44, 36)}, {}, "HR frames must be 4 times the LR size"),
    ({"count": 7, "odd_frame": (3, (160, 140))}, {}, "must have one size"),
    ({"count": 7, "hr_size": (160, 40)}, {}, "at least 48x48"),
    ({"count": 0}, {}, "no clip folders"),
])
def test_bad_validation_settings_stop_with_one_line(scenes, tmp_path, monkeypatch, capsys, clip, overrides,
                                                    message):
    monkeypatch.setattr(scoring, "DEFAULT_LPIPS_WEIGHTS", str(tmp_path / "absent.h5"))
    val_dir = tmp_path / "val"
    val_dir.mkdir()
    if clip is None:
        make_clip(str(val_dir / "good"), 7)
    elif clip["count"]:
        make_clip(str(val_dir / "bad"), **clip)
    with pytest.raises(SystemExit) as exit_info:
        train.main(validation_flags(scenes, tmp_path / "run", str(val_dir), 1, **overrides))
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], lines
    assert not (tmp_path / "run").exists()  # stopped before any work
