"""evaluate.py --scene-cuts: the temporal metrics leave out the pair of frames across a cut."""
import numpy as np
import pytest
from evaluation import scoring
from evaluation_data import exits_with_one_line, make_sequence, number, read_csv, run_evaluate


@pytest.fixture(scope="module")
def with_and_without_cut(tmp_path_factory, lpips_weights):  # noqa: F811
    """One 9-frame sequence evaluated without cuts and with a cut at frame 4, with LPIPS."""
    root = tmp_path_factory.mktemp("cut")
    result_dir, target_dir = make_sequence(root, "calendar", 0, 9)
    (root / "cuts.txt").write_text("4\n")
    run_evaluate([result_dir], [target_dir], root / "plain", "--lpips-weights", lpips_weights)
    run_evaluate([result_dir], [target_dir], root / "cut", "--lpips-weights", lpips_weights,
                 "--scene-cuts", str(root / "cuts.txt"))
    return root


def test_the_pair_across_a_cut_has_no_tof_or_tlp_and_every_other_value_is_unchanged(with_and_without_cut):
    plain = read_csv(with_and_without_cut / "plain" / "frames.csv")
    cut = read_csv(with_and_without_cut / "cut" / "frames.csv")
    assert [int(row["frame"]) for row in cut] == [2, 3, 4, 5, 6]
    for plain_row, cut_row in zip(plain, cut):
        for metric in scoring.METRICS:
            if int(cut_row["frame"]) == 4 and metric in ("tOF", "tLP100"):
                assert cut_row[metric] == "" and plain_row[metric] != "", metric
            else:
                assert cut_row[metric] == plain_row[metric], (cut_row["frame"], metric)


def test_sequence_means_leave_out_the_pair_across_the_cut(with_and_without_cut):
    frames = read_csv(with_and_without_cut / "cut" / "frames.csv")
    summary = read_csv(with_and_without_cut / "cut" / "sequences.csv")[0]
    for metric in ("tOF", "tLP100"):
        defined = [number(row[metric]) for row in frames if row[metric]]
        assert len(defined) == 3  # frame 2 has no previous scored frame, frame 4 opens a shot
        assert number(summary[metric]) == pytest.approx(np.mean(defined), rel=1e-9)


@pytest.mark.parametrize("content, message", [("3\nx\n", "line 2: 'x' is not a frame number"),
                                              ("5\n3\n", "does not come after 5"),
                                              ("9\n", "outside the frames 1..8")])
def test_a_bad_cuts_file_fails_in_one_line(tmp_path, capsys, content, message):
    result_dir, target_dir = make_sequence(tmp_path, "seq", 0, 9, degrade=False)
    (tmp_path / "cuts.txt").write_text(content)
    exits_with_one_line(capsys, [
        "--results", result_dir, "--targets", target_dir, "--output",
        str(tmp_path / "e"), "--quick", "--scene-cuts",
        str(tmp_path / "cuts.txt")
    ], message)
    assert not (tmp_path / "e").exists()


def test_one_cuts_file_is_needed_per_result_folder(tmp_path, capsys):
    result_dir, target_dir = make_sequence(tmp_path, "seq", 0, 6, degrade=False)
    (tmp_path / "cuts.txt").write_text("3\n")
    exits_with_one_line(capsys, [
        "--results", result_dir, "--targets", target_dir, "--output",
        str(tmp_path / "e"), "--scene-cuts", f"{tmp_path / 'cuts.txt'},{tmp_path / 'cuts.txt'}"
    ], "--scene-cuts names 2 files for 1 --results folder")
