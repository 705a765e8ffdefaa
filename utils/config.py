"""Training configuration: config.yaml defaults, a user's --cfg file over them, flags over both.

Every key is checked here, once, so that a bad value stops training with one line before any
work starts.
"""
import math
import os
from types import SimpleNamespace

import yaml

from models import FLOW_NET_STRIDE
from utils.context import CONTEXT_CHOICES
from utils.errors import UserError
from utils.paths import input_file

DEFAULT_CONFIG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "config.yaml")


def _positive_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _non_negative_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _number(value):
    """A finite number: inf or NaN in a setting would train a NaN model."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _positive_number(value):
    return _number(value) and value > 0


def _fraction(value):
    return _number(value) and 0 < value <= 1


def _boolean(value):
    return isinstance(value, bool)


def _string(value):
    return isinstance(value, str)


def _optional_positive_int(value):
    return value is None or _positive_int(value)


def _context(value):
    return value in CONTEXT_CHOICES


# Keys that were accepted once and are gone: a file that still sets one is told why, not just "unknown".
REMOVED_KEYS = {
    "nnabla_context.type_config": "it was validated but never used: training and inference run in float32 "
                                  "(mixed precision on cuDNN is not implemented); delete the line",
}

def _seed(value):
    return _non_negative_int(value) and value < 2 ** 32  # NNabla's and numpy's seeds are 32-bit


# key: (check, what a valid value is)
RULES = {
    "nnabla_context.context": (_context, f"one of {', '.join(CONTEXT_CHOICES)}"),
    "nnabla_context.device_id": (_non_negative_int, "a GPU index (0, 1, ...)"),
    "train.eps": (_positive_number, "a positive finite number"),
    "train.learning_rate": (_positive_number, "a positive finite number"),
    "train.decay": (_fraction, "a number in (0, 1]"),
    "train.beta": (_fraction, "a number in (0, 1]"),
    "train.adameps": (_positive_number, "a positive finite number"),
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
    "train.allow_changed_settings": (_boolean, "true or false"),
    "train.seed": (_seed, "an integer from 0 to 2^32 - 1"),
    "train.loader_workers": (_positive_int, "a positive integer"),
    "train.tensorboard": (_boolean, "true or false"),
    "gan.ratio": (_number, "a finite number"),
    "gan.vgg_scaling": (_number, "a finite number (<= 0 disables the VGG loss)"),
    "gan.pp_scaling": (_number, "a finite number"),
    "gan.dt_ratio_0": (_number, "a finite number"),
    "gan.crop_dt": (_fraction, "a number in (0, 1]"),
    "gan.d_balance": (_number, "a finite number"),
    "gan.reference_step_order": (_boolean, "true or false"),
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
        with open(path, encoding="utf-8") as file:
            content = yaml.safe_load(file) or {}
    except UnicodeDecodeError:
        raise UserError(f"config file '{path}' is not UTF-8 text; save it as UTF-8")
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
    if values["data.max_frm"] < values["train.rnn_n"] - 1:
        raise UserError(f"data.max_frm {values['data.max_frm']} gives scenes of {values['data.max_frm'] + 1} "
                        f"frames, fewer than train.rnn_n {values['train.rnn_n']}; lower train.rnn_n or raise "
                        "data.max_frm")
    crop_size = values["train.crop_size"]
    if crop_size % FLOW_NET_STRIDE:
        below, above = crop_size // FLOW_NET_STRIDE * FLOW_NET_STRIDE, -(-crop_size // FLOW_NET_STRIDE) * FLOW_NET_STRIDE
        nearest = " or ".join(str(size) for size in (below, above) if size > 0)
        raise UserError(f"train.crop_size {crop_size} is not a multiple of {FLOW_NET_STRIDE} (the flow net pools "
                        f"the LR crop three times by 2); use {nearest}")
    sections = {}
    for key, value in values.items():
        section, name = key.split(".", 1)
        sections.setdefault(section, {})[name] = value
    return SimpleNamespace(**{section: SimpleNamespace(**entries) for section, entries in sections.items()})


def flat(config):
    """The settings of a configuration as {"section.key": value}, as load_config's overrides name them."""
    return {f"{section}.{key}": value for section, entries in vars(config).items()
            for key, value in vars(entries).items()}
