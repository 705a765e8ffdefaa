"""train.scale: both stages train at x2 into files of the x2 shapes, validated at x2; a bad scale, or a
TecoGAN stage started from an FRVSR file of the other scale, stops with one line."""
import csv
import os

import cv2
import numpy as np
import pytest

import train
from training_data import CALENDAR, make_calendar_scenes, tiny_training_flags
from utils.frame_names import list_frames
from utils.weights import read_weight_file

INPUT_WEIGHT = "generator/generator_unit/input_stage/conv/conv/W"
TRANSPOSED = "generator/generator_unit/conv_tran2highres/conv_tran{}/deconv/W"


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    return make_calendar_scenes(tmp_path_factory.mktemp("scenes"))


def frvsr_run(scenes, output_dir, scale):
    train.main(tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2, "train.scale": scale})
               + ["--batch_size", "4"])
    return str(output_dir / "model_param_00000002.h5")


def tecogan_flags(scenes, output_dir, frvsr_model, scale):
    return tiny_training_flags(scenes, output_dir, **{"train.max_iter": 2, "train.scale": scale,
                                                      "gan.vgg_scaling": -1}) + [
        "--tecogan", "--batch_size", "4", "--num_resblock", "2", "--pre_trained_frvsr_weights", frvsr_model]


@pytest.fixture(scope="module")
def frvsr_x2(scenes, tmp_path_factory):
    return frvsr_run(scenes, tmp_path_factory.mktemp("frvsr_x2"), 2)


def one_error_line(capsys, exit_info):
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_x2_frvsr_file_has_the_x2_generator_and_the_x4_names_otherwise(frvsr_x2, scenes, tmp_path):
    x2, x4 = read_weight_file(frvsr_x2), read_weight_file(frvsr_run(scenes, tmp_path / "x4", 4))
    assert x2[INPUT_WEIGHT].shape == (64, 3, 3, 3 + 3 * 2 * 2) and x4[INPUT_WEIGHT].shape == (64, 3, 3,
                                                                                              3 + 3 * 4 * 4)
    assert TRANSPOSED.format(1) in x2 and TRANSPOSED.format(2) not in x2 and TRANSPOSED.format(2) in x4
    assert set(x4) - set(x2) == {TRANSPOSED.format(2), TRANSPOSED.format(2).replace("/W", "/b")}
    assert all(x2[name].shape == x4[name].shape for name in x2 if name != INPUT_WEIGHT)


def test_x2_tecogan_stage_trains_from_an_x2_frvsr_file(frvsr_x2, scenes, tmp_path):
    train.main(tecogan_flags(scenes, tmp_path / "run", frvsr_x2, 2))
    arrays = read_weight_file(str(tmp_path / "run" / "model_param_00000002.h5"))
    assert arrays[INPUT_WEIGHT].shape[-1] == 15
    assert np.isfinite(arrays[INPUT_WEIGHT]).all()


def test_x2_validation_scores_the_x2_model_on_lr_made_with_stride_2(scenes, tmp_path):
    clip = tmp_path / "val" / "calendar"
    os.makedirs(clip)
    for index, path in enumerate(list_frames(CALENDAR)[:6]):
        cv2.imwrite(str(clip / f"{index}.png"), cv2.imread(path)[:144, :160])
    train.main(tiny_training_flags(scenes, tmp_path / "run", **{"train.max_iter": 2, "train.scale": 2,
                                                                "train.val_freq": 2, "train.val_frames": 6,
                                                                "data.val_dir": str(tmp_path / "val")}))
    with open(tmp_path / "run" / "val.csv") as log:
        [row] = list(csv.DictReader(log))
    assert 10 < float(row["PSNR"]) < 60
    picture = cv2.imread(str(tmp_path / "run" / "validation" / "iteration_00000002.png"))
    assert picture is not None and picture.shape[1] > 3 * 128  # three panels of the 128-pixel crop, enlarged


def test_tecogan_stage_from_an_frvsr_file_of_another_scale_stops_with_one_line(
        frvsr_x2, scenes, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        train.main(tecogan_flags(scenes, tmp_path / "run", frvsr_x2, 4))
    line = one_error_line(capsys, exit_info)
    assert "is an x2 FRVSR model" in line and "train.scale=2" in line, line


@pytest.mark.parametrize("value", [3, 1, 8, 2.5, "two", "true"])
def test_scale_other_than_2_or_4_stops_with_one_line(value, scenes, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        train.main(tiny_training_flags(scenes, tmp_path / "run", **{"train.scale": value}))
    line = one_error_line(capsys, exit_info)
    assert "train.scale" in line and "one of 2, 4" in line, line
