"""One flag style: the reference's own flags keep their spelling; every other flag answers to both its
dash and its underscore spelling (one shown in --help); --help names the defaults."""
import pytest
from conftest import user_error_line

import convert_tf_vgg19_weights
import demo
import download_test_data
import evaluate
import generate
import train
from authors_scripts import dataPrepare as data_prepare
from training import config
from utils.errors import UserError


def other_spelling(flag):
    name = flag[2:]
    return "--" + (name.replace("_", "-") if "_" in name else name.replace("-", "_"))


def generate_args(flags):
    return vars(generate.parse_args(["--model", "m.h5", "--input-video", "clip.mp4", *flags]))


def evaluate_args(flags):
    return vars(evaluate.parse_args(["--results", "a", "--targets", "b", "--output", "c", *flags]))


def data_prepare_args(tmp_path):
    return lambda flags: vars(
        data_prepare.parse_args(["--disk_path", str(tmp_path), "--video", "v.mp4", *flags]))


def train_args(flags):
    return vars(train.parse_args(["--input_video_dir", "scenes", *flags]).train)


# (script, parse, flag, value, what it sets): flags that are ours, not the reference's
OUR_FLAGS = [
    ("generate", generate_args, "--max-memory", "3", lambda args: args["max_memory"] == 3.0),
    ("generate", generate_args, "--output-video", "x4.mp4", lambda args: args["output_video"] == "x4.mp4"),
    ("generate", generate_args, "--scene-cuts", "off", lambda args: args["scene_cuts"] == "off"),
    ("evaluate", evaluate_args, "--lpips-weights", "alex.h5",
     lambda args: args["lpips_weights"] == "alex.h5"),
    ("download_test_data", lambda flags: vars(download_test_data.parse_args(flags)), "--base-url",
     "http://mirror", lambda args: args["base_url"] == "http://mirror"),
    ("download_test_data", lambda flags: vars(download_test_data.parse_args(flags)), "--output-dir", "data",
     lambda args: args["output_dir"] == "data"),
    ("train", train_args, "--batch_size", "3", lambda config: config["batch_size"] == 3),
]


@pytest.mark.parametrize("script, parse, flag, value, check",
                         OUR_FLAGS,
                         ids=[row[0] + row[2] for row in OUR_FLAGS])
def test_our_flags_accept_the_dash_and_the_underscore_spelling(script, parse, flag, value, check):
    declared, other = parse([flag, value]), parse([other_spelling(flag), value])
    assert check(declared) and declared == other
    assert parse([f"{other_spelling(flag)}={value}"]) == declared


def test_our_switches_accept_both_spellings(tmp_path):
    assert train_args(["--allow_changed_settings"])["allow_changed_settings"] is True
    assert vars(download_test_data.parse_args(["--no_data"]))["no_data"] is True
    parse = data_prepare_args(tmp_path)
    assert parse(["--scene-starts", "0,5"])["scene_starts"] == parse(["--scene_starts",
                                                                      "0,5"])["scene_starts"]
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
    assert (config.data.input_video_dir, config.data.output_dir, config.train.num_resblock,
            config.train.max_iter, config.train.tecogan, config.train.pre_trained_frvsr_weights,
            config.train.vgg_pre_trained_weights, config.train.checkpoint) == ("scenes", "out", 3, 7, True,
                                                                               "f.h5", "v.h5", "c.json")
    args = vars(data_prepare.parse_args(["--start_id", "5", "--duration", "9", "--disk_path", str(tmp_path),
                                         "--summary_dir", str(tmp_path / "log"), "--REMOVE", "--TEST"]))
    assert (args["start_id"], args["duration"], args["REMOVE"], args["TEST"]) == (5, 9, True, True)
    args = vars(
        convert_tf_vgg19_weights.parse_args(["--pre_trained_model", "vgg.tar.gz", "--save-path", "v.h5"]))
    assert args == {"pre_trained_model": "vgg.tar.gz", "save_path": "v.h5"}
    for flag in ("--input-video-dir", "--max-iter", "--pre-trained-frvsr-weights"):
        with pytest.raises(UserError, match=f"unknown flag {flag}"):
            train.parse_args([flag, "x"])
    with pytest.raises(UserError, match="unknown flag --save_path"):
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


# --- train.py's flags are made from training/config.RULES: a setting is declared there and in config.yaml
# only

def test_every_setting_of_rules_has_its_default_in_config_yaml_and_no_other():
    assert set(config.read_yaml(config.DEFAULT_CONFIG)) == set(config.RULES)


# (train.py flag, value given, config key, value it gets): every setting flag, whatever its kind of value
SETTING_FLAGS = [
    (["--context", "cpu"], "nnabla_context.context", "cpu"),
    (["--max_iter", "7"], "train.max_iter", 7),
    (["--batch_size", "3"], "train.batch_size", 3),
    (["--num_resblock", "5"], "train.num_resblock", 5),
    (["--tecogan"], "train.tecogan", True),
    (["--pre_trained_frvsr_weights", "f.h5"], "train.pre_trained_frvsr_weights", "f.h5"),
    (["--vgg_pre_trained_weights", "v.h5"], "train.vgg_pre_trained_weights", "v.h5"),
    (["--checkpoint", "c.json"], "train.checkpoint", "c.json"),
    (["--allow-changed-settings"], "train.allow_changed_settings", True),
    # a path stays text, though YAML reads a number
    (["--input_video_dir", "2000"], "data.input_video_dir", "2000"),
    (["--output_dir", "out"], "data.output_dir", "out"),
]


@pytest.mark.parametrize("flags, key, value", SETTING_FLAGS, ids=[row[0][0] for row in SETTING_FLAGS])
def test_each_setting_flag_sets_its_config_key_and_only_it(flags, key, value):
    given, defaults = config.flat(train.parse_args(flags)), config.flat(train.parse_args([]))
    assert given[key] == value
    assert {name for name in given if given[name] != defaults[name]} == {key}


def test_the_setting_flags_are_exactly_those_declared_in_rules():
    declared = sorted(setting.flag for setting in config.RULES.values() if setting.flag)
    assert declared == sorted(flags[0] for flags, _, _ in SETTING_FLAGS)


def test_a_bad_value_of_a_setting_flag_is_the_config_check_s_one_line(capsys):
    line = user_error_line(train.main, ["--max_iter", "many"], capsys)
    assert line == "error: bad value 'many' for train.max_iter: expected a positive integer"


def test_set_overrides_a_setting_flag():
    assert train.parse_args(["--max_iter", "7", "--set", "train.max_iter=9"]).train.max_iter == 9


def test_a_new_setting_declared_in_rules_and_config_yaml_gets_a_train_flag_with_its_default_in_help(
        tmp_path, monkeypatch, capsys):
    defaults = tmp_path / "config.yaml"
    with open(config.DEFAULT_CONFIG, encoding="utf-8") as file:
        defaults.write_text(file.read().replace("  seed: 0\n", "  seed: 0\n  warmup_iter: 250\n"))
    monkeypatch.setattr(config, "DEFAULT_CONFIG", str(defaults))
    monkeypatch.setitem(
        config.RULES, "train.warmup_iter",
        config.Setting(config._positive_int, "a positive integer", "--warmup-iter", "warm-up iterations"))
    assert train.parse_args([]).train.warmup_iter == 250
    assert train.parse_args(["--warmup_iter", "40"]).train.warmup_iter == 40
    text = help_text(train.parse_args, capsys)
    assert "--warmup-iter WARMUP_ITER warm-up iterations (default: train.warmup_iter of the config; 250 in " \
           "config.yaml)" in text
