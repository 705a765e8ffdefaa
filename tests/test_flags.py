"""One flag style: the reference's own flags keep their spelling; every other flag answers to both its dash and
its underscore spelling (one shown in --help); --help names the defaults."""
import importlib.util
import os

import pytest
from conftest import REPO_ROOT

import convert_tf_vgg19_weights
import demo
import download_test_data
import evaluate
import generate
import train
from utils.errors import UserError

_spec = importlib.util.spec_from_file_location("dataPrepare", os.path.join(REPO_ROOT, "authors_scripts",
                                                                           "dataPrepare.py"))
data_prepare = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(data_prepare)


def other_spelling(flag):
    name = flag[2:]
    return "--" + (name.replace("_", "-") if "_" in name else name.replace("-", "_"))


def generate_args(flags):
    return vars(generate.parse_args(["--model", "m.h5", "--input-video", "clip.mp4", *flags]))


def evaluate_args(flags):
    return vars(evaluate.parse_args(["--results", "a", "--targets", "b", "--output", "c", *flags]))


def data_prepare_args(tmp_path):
    return lambda flags: vars(data_prepare.parse_args(["--disk_path", str(tmp_path), "--video", "v.mp4", *flags]))


def train_args(flags):
    return vars(train.parse_args(["--input_video_dir", "scenes", *flags]).train)


# (script, parse, flag, value, what it sets): flags that are ours, not the reference's
OUR_FLAGS = [
    ("generate", generate_args, "--max-memory", "3", lambda args: args["max_memory"] == 3.0),
    ("generate", generate_args, "--output-video", "x4.mp4", lambda args: args["output_video"] == "x4.mp4"),
    ("generate", generate_args, "--scene-cuts", "off", lambda args: args["scene_cuts"] == "off"),
    ("evaluate", evaluate_args, "--lpips-weights", "alex.h5", lambda args: args["lpips_weights"] == "alex.h5"),
    ("download_test_data", lambda flags: vars(download_test_data.parse_args(flags)), "--base-url", "http://mirror",
     lambda args: args["base_url"] == "http://mirror"),
    ("download_test_data", lambda flags: vars(download_test_data.parse_args(flags)), "--output-dir", "data",
     lambda args: args["output_dir"] == "data"),
    ("train", train_args, "--batch_size", "3", lambda config: config["batch_size"] == 3),
]


@pytest.mark.parametrize("script, parse, flag, value, check", OUR_FLAGS, ids=[row[0] + row[2] for row in OUR_FLAGS])
def test_our_flags_accept_the_dash_and_the_underscore_spelling(script, parse, flag, value, check):
    declared, other = parse([flag, value]), parse([other_spelling(flag), value])
    assert check(declared) and declared == other
    assert parse([f"{other_spelling(flag)}={value}"]) == declared


def test_our_switches_accept_both_spellings(tmp_path):
    assert train_args(["--allow_changed_settings"])["allow_changed_settings"] is True
    assert vars(download_test_data.parse_args(["--no_data"]))["no_data"] is True
    parse = data_prepare_args(tmp_path)
    assert parse(["--scene-starts", "0,5"])["scene_starts"] == parse(["--scene_starts", "0,5"])["scene_starts"]
    assert parse(["--scene-starts", "0,5"])["scene_starts"] == ["0,5"]


def test_the_reference_flags_parse_as_spelt_there_and_only_so(tmp_path):
    args = vars(generate.parse_args(["--model", "m.h5", "--input-dir-lr", "lr", "--output-dir", "out",
                                     "--output-name", "sr", "--output-ext", "jpg", "--num_resblock", "10"]))
    assert (args["model"], args["input_dir_lr"], args["output_dir"], args["output_name"], args["output_ext"],
            args["num_resblock"]) == ("m.h5", "lr", "out", "sr", "jpg", 10)
    for flag in ("--input_dir_lr", "--output_dir", "--num-resblock"):
        with pytest.raises(UserError):
            generate.parse_args(["--model", "m.h5", "--input-video", "clip.mp4", flag, "1"])
    config = train.parse_args(["--input_video_dir", "scenes", "--output_dir", "out", "--num_resblock", "3",
                               "--max_iter", "7", "--tecogan", "--pre_trained_frvsr_weights", "f.h5",
                               "--vgg_pre_trained_weights", "v.h5", "--checkpoint", "c.json"])
    assert (config.data.input_video_dir, config.data.output_dir, config.train.num_resblock, config.train.max_iter,
            config.train.tecogan, config.train.pre_trained_frvsr_weights, config.train.vgg_pre_trained_weights,
            config.train.checkpoint) == (
        "scenes", "out", 3, 7, True, "f.h5", "v.h5", "c.json")
    args = vars(data_prepare.parse_args(["--start_id", "5", "--duration", "9", "--disk_path", str(tmp_path),
                                         "--summary_dir", str(tmp_path / "log"), "--REMOVE", "--TEST"]))
    assert (args["start_id"], args["duration"], args["REMOVE"], args["TEST"]) == (5, 9, True, True)
    args = vars(convert_tf_vgg19_weights.parse_args(["--pre_trained_model", "vgg.tar.gz", "--save-path", "v.h5"]))
    assert args == {"pre_trained_model": "vgg.tar.gz", "save_path": "v.h5"}
    for flag in ("--input-video-dir", "--max-iter", "--pre-trained-frvsr-weights"):
        with pytest.raises(SystemExit):
            train.parse_args([flag, "x"])
    with pytest.raises(SystemExit):
        convert_tf_vgg19_weights.parse_args(["--pre_trained_model", "vgg.tar.gz", "--save_path", "v.h5"])


def help_text(parse_args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--help"])
    assert exit_info.value.code == 0
    return " ".join(capsys.readouterr().out.split())


# (script's parse_args, a flag, the default its --help must name)
DEFAULTS = [
    (generate.parse_args, "--output-ext", "(default: png)"),
    (generate.parse_args, "--backend", "(default: auto)"),
    (demo.parse_args, "--frames", "(default: 60)"),
    (evaluate.parse_args, "--context", "(default: auto)"),
    (download_test_data.parse_args, "--output-dir", "(default: the current folder)"),
    (convert_tf_vgg19_weights.parse_args, "--save-path", "(default: vgg19.h5)"),
    (data_prepare.parse_args, "--duration", "(default: 120)"),
    (train.parse_args, "--num_resblock", "(default: 10 FRVSR, 16 TecoGAN)"),
]


@pytest.mark.parametrize("parse_args, flag, default", DEFAULTS, ids=[row[1] for row in DEFAULTS])
def test_help_names_the_default_and_one_spelling(parse_args, flag, default, capsys):
    text = help_text(parse_args, capsys)
    assert default in text[text.index(f" {flag} "):]
    assert other_spelling(flag) == flag or f"{other_spelling(flag)} " not in text
