"""Sequences for evaluate.py's tests, made of the real calendar frames, and readers of its report."""
import csv
import glob

import cv2
import numpy as np
import pytest

import evaluate
from conftest import shared_path

CALENDAR = sorted(glob.glob(shared_path("data", "calendar_lr", "*.png")))


def read(path):
    return cv2.imread(str(path))[:, :, ::-1].copy()


def write(path, rgb):
    cv2.imwrite(str(path), np.ascontiguousarray(rgb[:, :, ::-1]))


def make_sequence(root, name, first, count, degrade=True, output_pad=0, output_prefix="output_"):
    """targets root/hr/<name>/NNNN.png from calendar frames; outputs root/sr/<name>/, blurred and noisy."""
    target_dir, result_dir = root / "hr" / name, root / "sr" / name
    target_dir.mkdir(parents=True)
    result_dir.mkdir(parents=True)
    noise = np.random.RandomState(first)
    for k in range(count):
        target = read(CALENDAR[first + k])
        output = target
        if degrade:
            output = np.clip(cv2.GaussianBlur(target, (0, 0), 1.0) + noise.normal(0, 4, target.shape), 0, 255)
            output = output.round().astype(np.uint8)
        if output_pad:
            output = np.pad(output, ((0, output_pad), (0, output_pad), (0, 0)), mode="reflect")
        write(target_dir / f"{k + 1:04d}.png", target)
        write(result_dir / f"{output_prefix}{k + 1:04d}.png", output)
    return str(result_dir), str(target_dir)


def run_evaluate(results, targets, output, *extra):
    evaluate.main(["--results", ",".join(results), "--targets", ",".join(targets), "--output", str(output),
                   "--context", "cpu", *extra])


def read_csv(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def number(text):
    return float(text) if text else float("nan")


def exits_with_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        evaluate.main(argv)
    assert stop.value.code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0]
