"""evaluate.py end to end on real frames (calendar, 180x144), against independent computations."""
import glob
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest
from skimage.color import rgb2ycbcr
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from conftest import REPO_ROOT
from evaluation import scoring
from evaluation_data import (CALENDAR, exits_with_one_line, make_sequence, number, read, read_csv,
                             run_evaluate, write)
from utils.lpips import LPIPS, to_lpips_input

CROP = (slice(8, 136), slice(10, 170))  # 144x180 -> 128x160 at (8, 10)


@pytest.fixture(scope="module")
def two_sequences(tmp_path_factory, lpips_weights):
    """Two degraded sequences (9 and 7 frames) evaluated with LPIPS batches of 3 frames."""
    root = tmp_path_factory.mktemp("two")
    first = make_sequence(root, "calendar_a", 0, 9)
    second = make_sequence(root, "calendar_b", 20, 7)
    patch = pytest.MonkeyPatch()
    patch.setattr(scoring, "LPIPS_BATCH_PIXELS", 3 * 128 * 160)  # batches of 3 frames: boundaries are crossed
    run_evaluate([first[0], second[0]], [first[1], second[1]], root / "eval", "--lpips-weights",
                 lpips_weights)
    patch.undo()
    return root, [first, second]


def test_every_scored_frame_is_listed_in_order(two_sequences):
    root, _ = two_sequences
    rows = read_csv(root / "eval" / "frames.csv")
    assert [(row["sequence"], int(row["frame"])) for row in rows] == (
        [("00_calendar_a", i) for i in range(2, 7)] + [("01_calendar_b", i) for i in range(2, 5)])
    assert rows[0]["target"] == "0003.png" and rows[0]["output"] == "output_0003.png"


def test_psnr_and_ssim_per_frame_equal_scikit_image_on_cropped_y(two_sequences):
    root, sequences = two_sequences
    rows = read_csv(root / "eval" / "frames.csv")
    result_dir, target_dir = sequences[0]
    for row in rows[:5]:
        y_target = rgb2ycbcr(read(os.path.join(target_dir, row["target"]))[CROP])[:, :, 0]
        y_output = rgb2ycbcr(read(os.path.join(result_dir, row["output"]))[CROP])[:, :, 0]
        assert float(row["PSNR"]) == pytest.approx(peak_signal_noise_ratio(y_target, y_output,
                                                                           data_range=255),
                                                   abs=1e-7)
        assert float(row["SSIM"]) == pytest.approx(structural_similarity(
            y_target, y_output, data_range=y_output.max() - y_output.min()), abs=1e-8)


def test_tof_per_frame_uses_the_previous_scored_frame_on_whole_frames(two_sequences):
    root, sequences = two_sequences
    rows = read_csv(root / "eval" / "frames.csv")[:5]
    result_dir, target_dir = sequences[0]

    def grey_flow(folder, previous, current):
        greys = [
            cv2.cvtColor(read(os.path.join(folder, name)), cv2.COLOR_RGB2GRAY) for name in (previous, current)
        ]
        return cv2.calcOpticalFlowFarneback(greys[0], greys[1], None, 0.5, 3, 15, 3, 5, 1.2, 0)[CROP]

    assert rows[0]["tOF"] == ""
    for previous, row in zip(rows, rows[1:]):
        difference = (grey_flow(target_dir, previous["target"], row["target"])
                      - grey_flow(result_dir, previous["output"], row["output"]))
        assert float(row["tOF"]) == pytest.approx(np.linalg.norm(difference, axis=-1).mean(), rel=1e-6)


def test_lpips_and_tlp_per_frame_equal_pairwise_lpips_across_batches(two_sequences, lpips_weights):
    from utils.lpips import load_lpips_weights
    root, sequences = two_sequences
    rows = read_csv(root / "eval" / "frames.csv")[:5]
    result_dir, target_dir = sequences[0]
    model = LPIPS(load_lpips_weights(lpips_weights))
    targets = to_lpips_input(np.stack([read(os.path.join(target_dir, row["target"]))[CROP] for row in rows]))
    outputs = to_lpips_input(np.stack([read(os.path.join(result_dir, row["output"]))[CROP] for row in rows]))
    lpips = [model(targets[k:k + 1], outputs[k:k + 1])[0] for k in range(5)]
    target_steps = [model(targets[k - 1:k], targets[k:k + 1])[0] for k in range(1, 5)]
    output_steps = [model(outputs[k - 1:k], outputs[k:k + 1])[0] for k in range(1, 5)]
    assert np.allclose([float(row["LPIPS"]) for row in rows], lpips, atol=1e-7, rtol=0)
    assert rows[0]["tLP100"] == ""
    expected_tlp = [abs(t - o) * 100 for t, o in zip(target_steps, output_steps)]
    assert np.allclose([float(row["tLP100"]) for row in rows[1:]], expected_tlp, atol=1e-5, rtol=0)


def test_frame_average_pools_frames_and_sequence_average_averages_sequences(two_sequences):
    root, _ = two_sequences
    frames = read_csv(root / "eval" / "frames.csv")
    summary = {row["label"]: row for row in read_csv(root / "eval" / "sequences.csv")}
    for metric in scoring.METRICS:
        per_sequence = [[number(row[metric]) for row in frames if row["sequence"] == label]
                        for label in ("00_calendar_a", "01_calendar_b")]
        means = [np.nanmean(values) for values in per_sequence]
        assert float(summary["00_calendar_a"][metric]) == pytest.approx(means[0], rel=1e-8)
        assert float(summary["frame average"][metric]) == pytest.approx(np.nanmean(sum(per_sequence, [])),
                                                                        rel=1e-8)
        assert float(summary["sequence average"][metric]) == pytest.approx(np.mean(means), rel=1e-8)
    assert summary["frame average"]["frames"] == "8"


def test_markdown_table_has_the_readme_layout(two_sequences):
    root, _ = two_sequences
    lines = (root / "eval" / "metrics.md").read_text().splitlines()
    summary = {row["label"]: row for row in read_csv(root / "eval" / "sequences.csv")}
    assert lines[0] == "| | PSNR &#8593; | LPIPS &#8595; | tOF &#8595; | tLP &#8595; | SSIM &#8593; |"
    assert lines[1] == "|---|---|---|---|---|---|"
    average = summary["sequence average"]
    assert lines[-1] == "| sequence average | " + " | ".join(
        f"{float(average[key]):.3f}" for key in ("PSNR", "LPIPS", "tOF", "tLP100", "SSIM")) + " |"


def test_pictures_show_curves_and_the_worst_psnr_frame(two_sequences):
    root, sequences = two_sequences
    rows = [row for row in read_csv(root / "eval" / "frames.csv") if row["sequence"] == "00_calendar_a"]
    worst = min(rows, key=lambda row: float(row["PSNR"]))
    strip = read(root / "eval" / f"00_calendar_a_worst_frame_{os.path.splitext(worst['target'])[0]}.png")
    target = read(os.path.join(sequences[0][1], worst["target"]))[CROP]
    output = read(os.path.join(sequences[0][0], worst["output"]))[CROP]
    assert np.array_equal(strip[:, :160], target)
    assert np.array_equal(strip[:, -160:], output)
    assert cv2.imread(str(root / "eval" / "00_calendar_a_curves.png")) is not None
    assert os.path.exists(root / "eval" / "01_calendar_b_curves.png")
    assert not [name for name in os.listdir(root / "eval") if name.startswith(".")]  # no temporary files left


def test_output_equal_to_target_scores_perfectly(tmp_path, lpips_weights):
    result_dir, target_dir = make_sequence(tmp_path, "same", 5, 6, degrade=False)
    run_evaluate([result_dir], [target_dir], tmp_path / "eval", "--lpips-weights", lpips_weights)
    rows = read_csv(tmp_path / "eval" / "frames.csv")
    assert [row["PSNR"] for row in rows] == ["inf", "inf"]
    assert all(float(row["SSIM"]) == pytest.approx(1, abs=1e-12) and float(row["LPIPS"]) == 0 for row in rows)
    assert float(rows[1]["tOF"]) == 0 and float(rows[1]["tLP100"]) == 0
    assert "| sequence average | inf | 0.000 | 0.000 | 0.000 | 1.000 |" in (tmp_path / "eval"
                                                                            / "metrics.md").read_text()


def test_larger_output_is_cut_to_the_target_from_the_top_left(tmp_path):
    result_dir, target_dir = make_sequence(tmp_path, "padded", 5, 5, degrade=False, output_pad=3)
    run_evaluate([result_dir], [target_dir], tmp_path / "eval", "--quick")
    assert read_csv(tmp_path / "eval" / "frames.csv")[0]["PSNR"] == "inf"


def test_frames_are_ordered_by_the_digits_in_their_names_and_ib_frames_ignored(tmp_path):
    targets, results = tmp_path / "hr", tmp_path / "sr"
    targets.mkdir()
    results.mkdir()
    for k in range(11):  # frame_9 must come before frame_10; a plain name sort would not do that
        write(targets / f"frame_{k}.png", read(CALENDAR[k]))
        write(results / f"out_{k}.png", read(CALENDAR[k]))
    write(results / "IB_3.png", read(CALENDAR[30]))
    (results / "notes.txt").write_text("not a frame")
    run_evaluate([str(results)], [str(targets)], tmp_path / "eval", "--quick")
    rows = read_csv(tmp_path / "eval" / "frames.csv")
    assert [row["target"] for row in rows] == [f"frame_{k}.png" for k in range(2, 9)]
    assert all(row["PSNR"] == "inf" for row in rows)


def test_without_lpips_weights_the_other_metrics_are_reported_with_a_hint(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(scoring, "DEFAULT_LPIPS_WEIGHTS", str(tmp_path / "absent.h5"))
    result_dir, target_dir = make_sequence(tmp_path, "seq", 0, 6)
    run_evaluate([result_dir], [target_dir], tmp_path / "eval")
    hints = [
        line for line in capsys.readouterr().out.splitlines() if "download_test_data.py --weights" in line
    ]
    assert len(hints) == 1 and "LPIPS" in hints[0]
    rows = read_csv(tmp_path / "eval" / "frames.csv")
    assert all(row["LPIPS"] == "" and row["tLP100"] == "" and float(row["PSNR"]) > 20 for row in rows)
    assert float(rows[1]["tOF"]) > 0
    assert "| n/a |" in (tmp_path / "eval" / "metrics.md").read_text()


def test_quick_mode_skips_lpips_even_with_weights(tmp_path, lpips_weights):
    result_dir, target_dir = make_sequence(tmp_path, "seq", 0, 6)
    run_evaluate([result_dir], [target_dir], tmp_path / "eval", "--quick", "--lpips-weights", lpips_weights)
    assert all(row["LPIPS"] == "" for row in read_csv(tmp_path / "eval" / "frames.csv"))


def test_mismatched_frame_counts_fail_in_one_line(tmp_path, capsys):
    result_dir, target_dir = make_sequence(tmp_path, "seq", 0, 7)
    os.remove(os.path.join(result_dir, "output_0007.png"))
    exits_with_one_line(capsys,
                        ["--results", result_dir, "--targets", target_dir, "--output",
                         str(tmp_path / "e")], "has 6 frames but targets")
    assert not os.path.exists(tmp_path / "e")


def test_output_smaller_than_target_fails_in_one_line(tmp_path, capsys):
    result_dir, target_dir = make_sequence(tmp_path, "seq", 0, 6)
    for path in glob.glob(os.path.join(result_dir, "*.png")):
        write(path, read(path)[:-4])
    exits_with_one_line(
        capsys,
        ["--results", result_dir, "--targets", target_dir, "--output",
         str(tmp_path / "e"), "--quick"], "smaller than its target")


def test_empty_or_missing_folders_fail_in_one_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    _, target_dir = make_sequence(tmp_path, "seq", 0, 6)
    out = ["--output", str(tmp_path / "e")]
    exits_with_one_line(capsys, ["--results", str(tmp_path / "empty"), "--targets", target_dir] + out,
                        "has no .png frames")
    exits_with_one_line(capsys, ["--results", str(tmp_path / "nowhere"), "--targets", target_dir] + out,
                        "does not exist")


def test_paths_of_the_wrong_kind_are_named_so_in_one_line(tmp_path, capsys):
    result_dir, target_dir = make_sequence(tmp_path, "seq", 0, 6)
    (tmp_path / "a_file").write_text("x")
    a_file, out = str(tmp_path / "a_file"), ["--output", str(tmp_path / "e")]
    exits_with_one_line(capsys, ["--results", a_file, "--targets", target_dir] + out,
                        f"results folder '{a_file}' is a file, not a folder")
    exits_with_one_line(capsys,
                        ["--results", result_dir, "--targets", target_dir, "--lpips-weights",
                         str(tmp_path)] + out, f"LPIPS weights file '{tmp_path}' is a folder, not a file")
    exits_with_one_line(capsys, ["--results", result_dir, "--targets", target_dir, "--output", a_file],
                        f"--output '{a_file}' is a file, not a folder")
    exits_with_one_line(capsys, ["--results", result_dir, "--targets", target_dir, "--output", a_file + "/e"],
                        f"--output '{a_file}/e' is under '{a_file}', which is a file")


def test_unequal_numbers_of_result_and_target_folders_fail_in_one_line(tmp_path, capsys):
    result_dir, target_dir = make_sequence(tmp_path, "seq", 0, 6)
    exits_with_one_line(capsys, ["--results", f"{result_dir},{result_dir}", "--targets", target_dir,
                                 "--output", str(tmp_path / "e")], "names 2 folders but --targets names 1")


def test_too_short_sequence_fails_in_one_line(tmp_path, capsys):
    result_dir, target_dir = make_sequence(tmp_path, "seq", 0, 4)
    exits_with_one_line(capsys,
                        ["--results", result_dir, "--targets", target_dir, "--output",
                         str(tmp_path / "e")], "at least 5 are needed")


def test_named_lpips_weights_that_do_not_exist_fail_in_one_line(tmp_path, capsys):
    result_dir, target_dir = make_sequence(tmp_path, "seq", 0, 6)
    exits_with_one_line(capsys, [
        "--results", result_dir, "--targets", target_dir, "--output",
        str(tmp_path / "e"), "--lpips-weights",
        str(tmp_path / "missing.h5")
    ], "missing.h5")


def test_script_reports_a_user_error_without_traceback(tmp_path):
    result = subprocess.run([
        sys.executable,
        os.path.join(REPO_ROOT, "evaluate.py"), "--results",
        str(tmp_path / "a"), "--targets",
        str(tmp_path / "b"), "--output",
        str(tmp_path / "e")
    ],
                            capture_output=True,
                            text=True,
                            timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: results folder '{tmp_path / 'a'}' does not exist"]


def test_frames_too_small_for_the_crop_fail_in_one_line(tmp_path, capsys):
    for role in ("hr", "sr"):
        folder = tmp_path / role / "seq"
        folder.mkdir(parents=True)
        for k in range(6):
            # 40 rows: no 32-row crop
            write(folder / f"{k + 1:04d}.png", np.full((40, 64, 3), 30 * k, np.uint8))
    exits_with_one_line(capsys, [
        "--results",
        str(tmp_path / "sr" / "seq"), "--targets",
        str(tmp_path / "hr" / "seq"), "--output",
        str(tmp_path / "e")
    ], "at least 48x48 pixels")
    assert not (tmp_path / "e").exists()


def test_results_naming_no_folder_fail_in_one_line(tmp_path, capsys):
    exits_with_one_line(capsys, ["--results", ",", "--targets", ",", "--output", str(tmp_path / "e")],
                        "--results names no folder")


def test_rows_and_pictures_are_named_after_the_results_folder_with_the_targets_beside(tmp_path):
    first = make_sequence(tmp_path / "one", "truth", 0, 6)
    second = make_sequence(tmp_path / "two", "truth", 0, 6, degrade=False)
    results = [str(tmp_path / name) for name in ("bicubic", "ours")]
    for source, result in zip((first[0], second[0]), results):
        os.rename(source, result)
    run_evaluate(results, [first[1], second[1]], tmp_path / "eval", "--quick")
    summary = read_csv(tmp_path / "eval" / "sequences.csv")
    assert [(row["label"], row["target_folder"]) for row in summary[:2]] == [("00_bicubic", "truth"),
                                                                          ("01_ours", "truth")]
    assert {row["sequence"]
            for row in read_csv(tmp_path / "eval" / "frames.csv")} == {"00_bicubic", "01_ours"}
    table = (tmp_path / "eval" / "metrics.md").read_text()
    assert "| 00_bicubic vs truth |" in table and "| 01_ours vs truth |" in table
    frames = read_csv(tmp_path / "eval" / "frames.csv")
    worst = min((row for row in frames if row["sequence"] == "00_bicubic"),
                key=lambda row: float(row["PSNR"]))
    assert int(worst["frame"]) + 1 == int(os.path.splitext(worst["target"])[0])  # frame i is file i + 1
    assert os.path.exists(tmp_path / "eval"
                          / f"00_bicubic_worst_frame_{os.path.splitext(worst['target'])[0]}.png")
