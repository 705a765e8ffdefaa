"""Training configuration: config.yaml defaults, a user's --cfg file over them, flags over both.

Every key is checked here, once, so that a bad value stops training with one line before any
work starts.
"""
import os
from types import SimpleNamespace

import yaml

from utils.errors import UserError
from utils.paths import input_file

DEFAULT_CONFIG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "config.yaml")


def _positive_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _non_negative_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _positive_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fraction(value):
    return _number(value) and 0 < value <= 1


def _boolean(value):
    return isinstance(value, bool)


def _string(value):
    return isinstance(value, str)


def _optional_positive_int(value):
    return value is None or _positive_int(value)


def _context(value):
    return value in ("auto", "cpu", "cudnn")


# Keys that were accepted once and are gone: a file that still sets one is told why, not just "unknown".
REMOVED_KEYS = {
    "nnabla_context.type_config": "it was validated but never used: training and inference run in float32 "
                                  "(mixed precision on cuDNN is not implemented); delete the line",
}

# key: (check, what a valid value is)
RULES = {
    "nnabla_context.context": (_context, "one of auto, cpu, cudnn"),
    "nnabla_context.device_id": (_non_negative_int, "a GPU index (0, 1, ...)"),
    "train.eps": (_positive_number, "a positive number"),
    "train.learning_rate": (_positive_number, "a positive number"),
    "train.decay": (_fraction, "a number in (0, 1]"),
    "train.beta": (_fraction, "a number in (0, 1]"),
    "train.adameps": (_positive_number, "a positive number"),
    "train.max_iter": (_positive_int, "a positive integer"),
    "train.save_freq": (_positive_int, "a positive integer"),
    "train.rnn_n": (_positive_int, "a positive integer"),
    "train.batch_size": (_positive_int, "a positive integer"),
    "train.flip": (_boolean, "true or false"),
    "train.random_crop": (_boolean, "true or false"),
    "train.movingFirstFrame": (_boolean, "true or false"),
    "train.crop_size": (_positive_int, "a positive integer"),
    "train.num_resblock": (_optional_positive_int, "a positive integer or null"),
    "train.tecogan": (_boolean, "true or false"),
    "train.pre_trained_frvsr_weights": (_string, "a path or ''"),
    "train.vgg_pre_trained_weights": (_string, "a path or ''"),
    "train.checkpoint": (_string, "a path or ''"),
    "train.seed": (_non_negative_int, "a non-negative integer"),
    "train.loader_workers": (_positive_int, "a positive integer"),
    "gan.ratio": (_number, "a number"),
    "gan.vgg_scaling": (_number, "a number (<= 0 disables the VGG loss)"),
    "gan.pp_scaling": (_number, "a number"),
    "gan.dt_ratio_0": (_number, "a number"),
    "gan.crop_dt": (_fraction, "a number in (0, 1]"),
    "gan.d_balance": (_number, "a number"),
    "data.input_video_dir": (_string, "a folder"),
    "data.input_video_pre": (_string, "a folder-name prefix"),
    "data.str_dir": (_non_negative_int, "a non-negative integer"),
    "data.end_dir": (_non_negative_int, "a non-negative integer"),
    "data.max_frm": (_positive_int, "a positive integer"),
    "data.output_dir": (_string, "a folder"),
}


def read_yaml(path):
    input_file(path, "config file")
    try:
        with open(path) as file:
            content = yaml.safe_load(file) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UserError(f"config file '{path}' is not valid YAML{where}; fix the syntax")
    if not isinstance(content, dict) or not all(isinstance(section, dict) for section in content.values()):
        raise UserError(f"config file '{path}' must hold sections (nnabla_context, train, gan, data) of key: value")
    return {f"{section}.{key}": value for section, entries in content.items() for key, value in entries.items()}


def parse_value(text):
    """A command-line value read as YAML, so that 1e-4, true and null mean what they do in config.yaml."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _coerce(key, value):
    """YAML reads 5e-5 (no dot) as a string and 4.0 as a float; accept both forms of a number."""
    check, _ = RULES[key]
    if isinstance(value, str) and check in (_positive_number, _number, _fraction):
        try:
            return float(value)
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer() and check in (_positive_int, _non_negative_int):
        return int(value)
    return value


def load_config(path=None, overrides=None):
    """Return the validated configuration as nested namespaces (config.train.batch_size, ...).

    overrides: {"section.key": value}, applied last (command-line flags).
    """
    values = read_yaml(DEFAULT_CONFIG)
    if path:
        for key, value in read_yaml(path).items():
            if key in REMOVED_KEYS:
                raise UserError(f"'{path}' sets {key}, which was removed: {REMOVED_KEYS[key]}")
            if key not in RULES:
                raise UserError(f"unknown key '{key}' in '{path}'; the keys are those of config.yaml")
            values[key] = value
    for key, value in (overrides or {}).items():
        if key in REMOVED_KEYS:
            raise UserError(f"{key} was removed: {REMOVED_KEYS[key]}")
        if key not in RULES:
            raise UserError(f"unknown setting '{key}'; use section.key as in config.yaml")
        values[key] = value
    for key, value in values.items():
        if key not in RULES:
            raise UserError(f"unknown key '{key}' in '{DEFAULT_CONFIG}'")
        values[key] = _coerce(key, value)
        check, expected = RULES[key]
        if not check(values[key]):
            raise UserError(f"bad value {values[key]!r} for {key}: expected {expected}")
    if values["data.end_dir"] < values["data.str_dir"]:
        raise UserError(f"data.end_dir ({values['data.end_dir']}) is below data.str_dir ({values['data.str_dir']})")
    if values["train.rnn_n"] < 2:
        raise UserError("train.rnn_n must be at least 2: the recurrent losses need a previous frame")
    sections = {}
    for key, value in values.items():
        section, name = key.split(".", 1)
        sections.setdefault(section, {})[name] = value
    return SimpleNamespace(**{section: SimpleNamespace(**entries) for section, entries in sections.items()})
