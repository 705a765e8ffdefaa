"""FRVSR training: loss parity with the reference, exact resume, mpirun data parallelism, config errors."""
import csv
import json
import os
import sys
import time

import nnabla as nn
import numpy as np
import pytest

import generate
import train
from conftest import reference_path
from helpers import mpirun_train
from reference_graphs import LOSSES, frvsr_reference_graph
from training_data import (event_scalars, final_parameters, logged_losses, logged_rows, make_calendar_scenes,
                           summary_line, tiny_training_flags)
from training.loss_log import ITERATION_SECONDS


@pytest.mark.parametrize("scale, losses_file", [(1, "losses.json"), (4, "losses_x4.json")])
def test_frvsr_losses_match_reference(scale, losses_file):
    graph, _ = frvsr_reference_graph(scale)
    with open(os.path.join(LOSSES, losses_file)) as file:
        expected = json.load(file)["frvsr"]
    for name in ("content_loss", "warp_loss", "fnet_loss", "gen_loss"):
        assert float(getattr(graph, name).d) == pytest.approx(expected[name], rel=1e-5), name


def test_frvsr_flow_and_outputs_match_reference_with_strong_weights():
    graph, _ = frvsr_reference_graph(4)
    expected = np.load(os.path.join(LOSSES, "intermediates_x4.npz"))
    assert np.abs(graph.flow_lr.d - expected["frvsr_flow_lr"]).max() <= 5e-5
    assert np.abs(graph.generated.d[0] - expected["frvsr_s_gen_output"]).max() <= 2e-5


def test_frvsr_outputs_and_lr_frames_match_reference():
    graph, inputs = frvsr_reference_graph(1)
    expected = np.load(os.path.join(LOSSES, "intermediates_frvsr.npz"))
    assert np.abs(graph.generated.d[0] - expected["s_gen_output"]).max() <= 2e-5
    assert np.abs(graph.lr_frames.d - inputs["train_lr"]).max() <= 1e-6


def test_targets_are_the_centre_crop_in_minus_one_to_one():
    inputs = np.load(os.path.join(LOSSES, "inputs.npz"))
    targets = train.hr_targets(nn.Variable.from_numpy_array(inputs["data_hr"]))
    targets.forward()
    np.testing.assert_allclose(targets.d, inputs["train_hr"], atol=1e-7)


def test_schedule_scales_with_batch_and_processes():
    config = train.parse_args(["--max_iter", "1000", "--batch_size", "2"])
    assert train.scaled_schedule(config, 2) == (1000, pytest.approx(5e-5))
    assert train.scaled_schedule(config, 1) == (2000, pytest.approx(2.5e-5))


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    return make_calendar_scenes(tmp_path_factory.mktemp("scenes"))


def test_resume_gives_identical_parameters(scenes, tmp_path):
    flags = ["--batch_size", "4"]  # the reference batch: max_iter is the number of iterations
    train.main(tiny_training_flags(scenes, tmp_path / "once", **{"train.max_iter": 4}) + flags)
    train.main(tiny_training_flags(scenes, tmp_path / "split", **{"train.max_iter": 2}) + flags)
    # resumes at 2
    train.main(tiny_training_flags(scenes, tmp_path / "split", **{"train.max_iter": 4}) + flags)
    name_once, once = final_parameters(tmp_path / "once")
    name_split, split = final_parameters(tmp_path / "split")
    assert name_once == name_split == "params_00000004.h5"
    for name in once:
        np.testing.assert_array_equal(once[name], split[name], err_msg=name)
    with open(tmp_path / "split" / "losses.csv") as log:
        assert [line.split(",")[0] for line in log.read().splitlines()[1:]] == ["1", "2", "3", "4"]
    assert (tmp_path / "split" / "losses.png").stat().st_size > 0


def batch_4_flags(scenes, output_dir, max_iter):
    return tiny_training_flags(scenes, output_dir, **{"train.max_iter": max_iter}) + ["--batch_size", "4"]


def test_losses_csv_records_the_wall_time_of_each_iteration(scenes, tmp_path, monkeypatch):
    training_step, steps = train.training_step, []

    def third_step_a_second_slower(*args, **kwargs):
        steps.append(None)
        if len(steps) == 3:
            time.sleep(1.0)
        return training_step(*args, **kwargs)

    monkeypatch.setattr(train, "training_step", third_step_a_second_slower)
    train.main(batch_4_flags(scenes, tmp_path, 4))
    seconds = [float(row[ITERATION_SECONDS]) for row in logged_rows(tmp_path)]
    assert len(seconds) == 4 and min(seconds) > 0
    assert seconds[2] >= 1.0 and seconds[3] < seconds[2]  # each iteration's own time, not the time so far


def test_a_loss_log_without_the_iteration_time_resumes_and_keeps_its_rows(scenes, tmp_path):
    train.main(batch_4_flags(scenes, tmp_path / "once", 4))
    train.main(batch_4_flags(scenes, tmp_path / "old", 2))
    old_rows = logged_losses(tmp_path / "old")
    with open(tmp_path / "old" / "losses.csv", "w", newline="") as log:  # as runs before the column wrote it
        writer = csv.DictWriter(log, fieldnames=list(old_rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(old_rows)
    train.main(batch_4_flags(scenes, tmp_path / "old", 4))
    assert logged_losses(tmp_path / "old") == logged_losses(tmp_path / "once")
    seconds = [row[ITERATION_SECONDS] for row in logged_rows(tmp_path / "old")]
    assert seconds[:2] == ["", ""] and all(float(value) > 0 for value in seconds[2:])


def test_progress_bar_and_summary_report_samples_per_second(scenes, tmp_path, capsys):
    train.main(tiny_training_flags(scenes, tmp_path, **{"train.max_iter": 4}) + ["--batch_size", "2"])
    captured = capsys.readouterr()
    done, seconds, samples_per_second = summary_line(captured.out)
    # 8 iterations of 2, to the printed rounding
    assert done == 8 and abs(2 * done / samples_per_second - seconds) <= 0.05 + 0.005 * seconds
    bar = captured.err.replace("\r", "\n").strip().splitlines()[-1]
    # the final bar: count, ETA, throughput
    assert "8/8 [" in bar and "<00:00" in bar and "samples/s=" in bar, bar


def test_tensorboard_scalars_are_the_loss_log_and_the_throughput(scenes, tmp_path):
    train.main(batch_4_flags(scenes, tmp_path, 4) + ["--set", "train.tensorboard=true"])
    scalars = event_scalars(tmp_path / "tensorboard")
    rows = logged_rows(tmp_path)
    for name in rows[0]:
        if name != "iteration":
            expected = [(int(row["iteration"]), pytest.approx(float(row[name]), rel=1e-6)) for row in rows]
            assert scalars[name] == expected, name
    assert [step for step, _ in scalars["samples_per_second"]] == [1, 2, 3, 4]
    assert all(value > 0 for _, value in scalars["samples_per_second"])


def test_tensorboard_off_does_not_import_tensorboardx(scenes, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # importing it now raises ImportError
    train.main(batch_4_flags(scenes, tmp_path, 2))
    assert not (tmp_path / "tensorboard").exists()


def test_tensorboard_without_tensorboardx_is_one_line(scenes, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(SystemExit) as exit_info:
        train.main(batch_4_flags(scenes, tmp_path / "run", 2) + ["--set", "train.tensorboard=true"])
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "needs tensorboardX" in lines[0], lines


def test_model_param_file_loads_in_generate(scenes, tmp_path):
    train.main(tiny_training_flags(scenes, tmp_path / "run", **{"train.max_iter": 8}) + ["--batch_size", "4"])
    generate.main([
        "--model",
        str(tmp_path / "run" / "model_param_00000002.h5"), "--input-dir-lr",
        reference_path("parity_generate", "lr"), "--output-dir",
        str(tmp_path / "sr")
    ])
    assert len(os.listdir(tmp_path / "sr")) == 8


def test_mpirun_two_processes_equal_one_process_on_the_global_batch(scenes, tmp_path):
    completed = mpirun_train(["--batch_size", "1"] + tiny_training_flags(scenes, tmp_path / "mpi",
                                                                         **{"train.max_iter": 6}))
    done, seconds, samples_per_second = summary_line(completed.stdout)
    # the global batch: 1 x 2 processes (to the printed rounding: seconds to 0.05, samples/s to 3 digits)
    assert abs(2 * done / samples_per_second - seconds) <= 0.05 + 0.005 * seconds
    train.main(
        tiny_training_flags(scenes, tmp_path / "single", **{"train.max_iter": 6}) + ["--batch_size", "2"])
    name_mpi, distributed = final_parameters(tmp_path / "mpi")
    name_single, single = final_parameters(tmp_path / "single")
    assert name_mpi == name_single == "params_00000012.h5"  # max_iter 6 at batch 4 = 12 iterations of 2
    for name in single:
        np.testing.assert_allclose(distributed[name], single[name], atol=1e-5, err_msg=name)
    # and the losses logged: the global batch's, the mean of the two processes' (not rank 0's half of the batch)
    for mpi_row, single_row in zip(logged_losses(tmp_path / "mpi"), logged_losses(tmp_path / "single"), strict=True):
        for name in ("content_loss", "warp_loss", "fnet_loss"):
            assert float(mpi_row[name]) == pytest.approx(float(single_row[name]), rel=1e-5), (name, mpi_row)


@pytest.mark.parametrize("flags, message", [
    (["--set", "train.batch_size=0"], "train.batch_size"),
    (["--set", "gan.crop_dt=2"], "gan.crop_dt"),
    (["--set", "train.flip=maybe"], "train.flip"),
    (["--set", "train.unknown=1"], "unknown setting"),
    (["--set", "nnabla_context.context=tpu"], "nnabla_context.context"),
    (["--max_iter", "-5"], "train.max_iter"),
    (["--input_video_dir", "/nonexistent/scenes"], "does not exist"),
    (["--cfg", "/nonexistent.yaml"], "does not exist"),
])
def test_bad_settings_stop_with_one_line(flags, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        train.main(["--output_dir", str(tmp_path / "out")] + flags)
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines


def test_invalid_yaml_file_is_reported_with_its_line(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("train:\n  batch_size: [1,\n")
    with pytest.raises(SystemExit):
        train.main(["--cfg", str(bad)])
    assert "not valid YAML" in capsys.readouterr().err


def test_only_the_newest_checkpoints_are_kept(scenes, tmp_path):
    train.main(tiny_training_flags(scenes, tmp_path / "run", **{"train.max_iter": 8}) + ["--batch_size", "4"])
    names = sorted(os.listdir(tmp_path / "run"))
    assert [name for name in names if name.startswith("checkpoint_")] == ["checkpoint_00000006.json",
                                                                           "checkpoint_00000008.json"]
    assert [name for name in names
            if name.startswith("params_")] == ["params_00000006.h5", "params_00000008.h5"]
    assert len([name for name in names if name.startswith("model_param_")]) == 4
