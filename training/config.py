"""Training configuration: config.yaml defaults, a user's --cfg file over them, flags over both.

Every key is checked here, once, so that a bad value stops training with one line before any
work starts. A setting is declared in two places: its default and comment in config.yaml, and its
Setting in RULES (the check, and the train.py flag that sets it, if it has one); train.py's flags are
made from RULES (add_config_flags).
"""
import argparse
import codecs
import datetime
import decimal
import math
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Hashable
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
import yaml

from datasets.sequences import LAYOUTS
from models import FLOW_NET_STRIDE, MAX_RESBLOCKS
from utils.context import CONTEXT_CHOICES
from utils.degradation import DEGRADATIONS
from utils.errors import UserError, said_as_yaml, shortened
from utils.metrics import MIN_FRAMES, SMALLEST_SIDE
from utils.ops import SCALES
from utils.paths import input_file
from utils.text import wide_text, wide_text_refusal

DEFAULT_CONFIG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "config.yaml")
REFERENCE_BATCH = 4  # train.learning_rate and train.max_iter are for batch 4 on one process (the reference's)
# train.val_metric: the evaluate.py column it names
METRIC_COLUMNS = {"psnr": "PSNR", "ssim": "SSIM", "tof": "tOF", "lpips": "LPIPS", "tlp": "tLP100"}
FLOAT32_MAX = float(np.finfo(np.float32).max)  # the largest number the networks and solvers hold


def _positive_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _non_negative_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _number(value, largest=FLOAT32_MAX):
    """A number of size at most largest: by default float32's, in which the networks and solvers take it (inf or NaN
    in a setting would train a NaN model, and Adam's eps past float32's range updated no parameter at all). Compared,
    not math.isfinite: an int past a float's range (YAML's 400 digits) makes it raise OverflowError."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) <= largest


def _positive_number(value):
    return _number(value) and value > 0


def _positive_in_float32(value):
    """A positive number that is not 0 in float32 (1e-46 is): Adam's eps of 0 divided 0 by 0, a run diverged at
    iteration 1 and told to lower the learning rate. (train.learning_rate is checked so once scaled by the batch.)"""
    return _positive_number(value) and np.float32(value) > 0


def _non_negative_number(value):  # minutes, which only Python's floats hold
    return _number(value, sys.float_info.max) and value >= 0


def _fraction(value):
    return _number(value) and 0 < value <= 1


def _boolean(value):
    return isinstance(value, bool)


def _string(value):
    """Text the system takes in a path: no NUL ("\0" in YAML) and no lone surrogate ("\ud800"), which the
    file system's encoding cannot write."""
    if not isinstance(value, str) or "\0" in value:
        return False
    try:
        os.fsencode(value)
    except UnicodeEncodeError:
        return False
    return True


def _optional_positive_int(value):
    return value is None or _positive_int(value)


def _resblocks(value):
    return value is None or (_positive_int(value) and value <= MAX_RESBLOCKS)


def _context(value):
    return value in CONTEXT_CHOICES


def _layout(value):
    return value in LAYOUTS


def _degradation(value):
    return value in DEGRADATIONS


def _val_metric(value):
    return isinstance(value, str) and value in METRIC_COLUMNS  # a list or mapping is no key of it


def _val_frames(value):
    return _positive_int(value) and value >= MIN_FRAMES


def _scale(value):
    return _positive_int(value) and value in SCALES


def _val_crop(value):
    return _positive_int(value) and value >= SMALLEST_SIDE


# Keys that were accepted once and are gone: a file that still sets one is told why, not just "unknown".
REMOVED_KEYS = {
    "nnabla_context.type_config": "it was validated but never used: training runs in float32 (half precision "
                                  "is for inference: generate.py --precision fp16); delete the line",
}


def _seed(value):
    return _non_negative_int(value) and value < 2 ** 31  # NNabla's seed is a C int


class Setting(NamedTuple):
    """How a config key is checked, and the train.py flag that sets it, if any (help: that flag's --help)."""
    check: Callable[[object], bool]
    expected: str  # what a valid value is, for the error message
    flag: str = ""
    help: str = ""


RULES = {
    "nnabla_context.context": Setting(_context, f"one of {', '.join(CONTEXT_CHOICES)}", "--context",
                                      "compute context"),
    "nnabla_context.device_id": Setting(_non_negative_int, "a GPU index (0, 1, ...)"),
    "train.eps": Setting(_positive_in_float32, "a positive finite float32 number"),
    "train.learning_rate": Setting(_positive_number, "a positive finite float32 number"),
    "train.decay": Setting(_fraction, "a number in (0, 1]"),
    "train.beta": Setting(_fraction, "a number in (0, 1]"),
    "train.adameps": Setting(_positive_in_float32, "a positive finite float32 number"),
    "train.max_iter": Setting(_positive_int, "a positive integer", "--max_iter",
                              f"iterations at batch {REFERENCE_BATCH} on one process, scaled otherwise"),
    "train.save_freq": Setting(_positive_int, "a positive integer"),
    "train.save_minutes": Setting(_non_negative_number,
                                  f"a non-negative number of minutes of at most {sys.float_info.max:.2g} (0: off)"),
    "train.rnn_n": Setting(_positive_int, "a positive integer"),
    "train.batch_size": Setting(_positive_int, "a positive integer", "--batch_size",
                                "sequences per process and iteration"),
    "train.flip": Setting(_boolean, "true or false"),
    "train.random_crop": Setting(_boolean, "true or false"),
    "train.movingFirstFrame": Setting(_boolean, "true or false"),
    "train.crop_size": Setting(_positive_int, "a positive integer"),
    "train.scale": Setting(_scale, f"one of {', '.join(map(str, SCALES))}"),
    "train.num_resblock": Setting(_resblocks, f"a positive integer up to {MAX_RESBLOCKS}, or null",
                                  "--num_resblock",
                                  "generator residual blocks (default: 10 FRVSR, 16 TecoGAN)"),
    "train.tecogan": Setting(_boolean, "true or false", "--tecogan", "train the TecoGAN stage"),
    "train.pre_trained_frvsr_weights": Setting(_string, "a path or ''", "--pre_trained_frvsr_weights",
                                               "TecoGAN stage: FRVSR model_param file to start from"),
    "train.vgg_pre_trained_weights": Setting(_string, "a path or ''", "--vgg_pre_trained_weights",
                                             "TecoGAN stage: VGG19 weights (.h5)"),
    "train.checkpoint": Setting(_string, "a path or ''", "--checkpoint",
                                "checkpoint_<iter>.json to resume from (default: the latest in output_dir)"),
    "train.allow_changed_settings": Setting(
        _boolean, "true or false", "--allow-changed-settings",
        "resume although settings differ from those the checkpoint was "
        "trained with"),
    "train.seed": Setting(_seed, "an integer from 0 to 2^31 - 1"),
    "train.loader_workers": Setting(_optional_positive_int,
                                    "a positive integer or null (the cores available)"),
    "train.tensorboard": Setting(_boolean, "true or false"),
    "train.val_freq": Setting(_non_negative_int, "a non-negative integer (0: no validation)"),
    "train.val_metric": Setting(_val_metric, f"one of {', '.join(METRIC_COLUMNS)}"),
    "train.val_frames": Setting(_val_frames,
                                f"an integer of at least {MIN_FRAMES} (evaluate.py skips 2 at each end)"),
    "train.val_crop": Setting(_val_crop,
                              f"a multiple of train.scale of at least {SMALLEST_SIDE} (HR pixels)"),
    "gan.ratio": Setting(_number, "a finite float32 number"),
    "gan.vgg_scaling": Setting(_number, "a finite float32 number (<= 0 disables the VGG loss)"),
    "gan.pp_scaling": Setting(_number, "a finite float32 number"),
    "gan.dt_ratio_0": Setting(_number, "a finite float32 number"),
    "gan.crop_dt": Setting(_fraction, "a number in (0, 1]"),
    "gan.d_balance": Setting(_number, "a finite float32 number"),
    "gan.reference_step_order": Setting(_boolean, "true or false"),
    "data.layout": Setting(_layout, f"one of {', '.join(LAYOUTS)}"),
    "data.input_video_dir": Setting(
        _string, "a folder", "--input_video_dir",
        "folder of the training sequences (scene_NNNN/ folders, see data.layout)"),
    "data.sequence_list": Setting(_string, "a text file of sequence names or ''"),
    "data.cache_dir": Setting(_string, "a folder or ''"),
    "data.degradation": Setting(_degradation, f"one of {', '.join(DEGRADATIONS)}"),
    "data.input_video_pre": Setting(_string, "a folder-name prefix"),
    "data.str_dir": Setting(_non_negative_int, "a non-negative integer"),
    "data.end_dir": Setting(_non_negative_int, "a non-negative integer"),
    "data.max_frm": Setting(_positive_int, "a positive integer"),
    "data.output_dir": Setting(_string, "a folder", "--output_dir",
                               "where model_param_*.h5, checkpoints and losses go"),
    "data.val_dir": Setting(_string, "a folder of validation clips or ''"),
}


INT_TAG, FLOAT_TAG, MERGE_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:merge"


class ConfigLoader(yaml.SafeLoader):
    """YAML with YAML 1.2's numbers: 017 is 17, 1e3 is 1000.0 and 1:20 is text, where PyYAML's YAML 1.1 reads
    octal 15, text and sexagesimal 80 (a typo would silently change a setting). A key given twice is refused,
    as YAML says: PyYAML keeps the last, so a second `train:` section would silently drop the first. A merge
    key (`<<: *defaults`) is left to PyYAML, whose keys written beside it override the merged ones."""

    def __init__(self, stream):
        super().__init__(stream)
        self.flattened = set()  # the mappings whose merge keys are resolved: their keys may repeat a merged one

    def flatten_mapping(self, node):
        """PyYAML's, where a key given by two merged mappings (`<<: [*a, *b]`) is the earlier one's, as YAML says:
        PyYAML tells the second by the identity of its text, which only one-letter keys share, and took b's
        max_iter, exit code 0. A key given twice is refused here, where every mapping passes, a merged one too:
        in one written inline (`<<: {max_iter: 7, max_iter: 8}`), which PyYAML never constructs, and the merge key
        itself (`<<:` on two lines), each was read as its first, exit code 0."""
        if id(node) not in self.flattened:
            self.flattened.add(id(node))
            # a dict: a list's search made a mapping of 80,000 keys (a file under CONFIG_BYTES) take minutes
            keys = {}
            for key_node, _ in node.value:
                # deep: a list or mapping as a key is built empty at first, and `[1]: 2` beside `[2]: 3` was "'[]' is
                # given twice", of two keys; now PyYAML's "found unhashable key"
                key = MERGE_TAG if key_node.tag == MERGE_TAG else self.construct_object(key_node, deep=True)
                if not isinstance(key, Hashable):
                    continue
                if key in keys:
                    # as written: `1: 2` beside `true: 3` (equal in Python) was "'True' is given twice", of neither
                    written, first = (_written_key(key_node, key), _written_key(keys[key], key))
                    raise yaml.constructor.ConstructorError(None, None, f"'{written}' is given twice" if
                                                            written == first else f"'{written}' and '{first}' of line "
                                                            f"{keys[key].start_mark.line + 1} are one key",
                                                            key_node.start_mark)
                keys[key] = key_node
        own = sum(key_node.tag != MERGE_TAG for key_node, _ in node.value)
        super().flatten_mapping(node)
        merged, seen = [], set()
        for key_node, value_node in node.value[:len(node.value) - own]:
            key = (key_node.tag, key_node.value) if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            if key not in seen:
                seen.add(key)
                merged.append((key_node, value_node))
        node.value = merged + node.value[len(node.value) - own:]


def _written_key(node, key):
    """A mapping key's text as the file writes it (`true`, `0x1`), where Python's shows another (True, 1)."""
    return "<<" if key == MERGE_TAG else shortened(node.value if isinstance(node, yaml.ScalarNode) else str(key), 40)


ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (INT_TAG, FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
INT_TEXT = re.compile(r"^[-+]?[0-9][0-9_]*$")
FLOAT_TEXT = re.compile(r"^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+|[0-9][0-9_]*(?=[eE]))"
                        r"(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")
ConfigLoader.add_implicit_resolver(INT_TAG, INT_TEXT, list("-+0123456789"))
ConfigLoader.add_implicit_resolver(FLOAT_TAG, FLOAT_TEXT, list("-+0123456789."))

LONG_TEXT_DIGITS = 4300  # the most digits Python reads from text or writes as text (sys.get_int_max_str_digits)
LONG_INTEGER_DIGITS = 100_000  # the most digits of a LongInteger's stand-in (10 ** 99999 is made in milliseconds)


class LongInteger(int):
    """A whole number of more digits than Python reads from text (4300), or written past a float's range (1e400): it
    was left text, "expected a positive integer" (or "not valid YAML" in a config file), or read as inf, "bad value
    inf", where one of 30 digits was read, and refused or taken by its setting's own rule ("more iterations than
    NNabla's solvers count"). Past every bound a setting has and every iteration a run reaches, it stands as
    10 ** (digits - 1), its sign kept, digits at most LONG_INTEGER_DIGITS (reading all its digits takes time of their
    square: minutes for a megabyte; 1e99999999999 has more than memory holds), and is shown as written, shortened
    (str() of an int that long raises)."""

    def __new__(cls, text, digits):
        sign = -1 if text.startswith("-") else 1
        digits = min(digits, LONG_INTEGER_DIGITS)
        value = super().__new__(cls, sign * 10 ** (digits - 1))
        value.text, value.digits = text, digits
        return value

    def __reduce__(self):  # copy.deepcopy and pickle made it from int's value alone: a TypeError (no digits)
        return type(self), (self.text, self.digits)

    def __repr__(self):  # as reprlib.repr shows an int of more than 40 characters
        return self.text if len(self.text) <= 40 else f"{self.text[:18]}...{self.text[-19:]}"

    def __str__(self):  # as shortened(str()) shows it
        return shortened(self.text)

    def __format__(self, spec):
        return format(str(self), spec.rstrip("d"))


class WrittenNumber(float):
    """A number YAML reads past a float's range that is not whole (9999...9.5 of 400 digits), or below a float's
    smallest that is not 0 (1e-400): it was read as inf, "bad value inf", or as 0, which train.save_minutes takes for
    off where 1e-9 saves at every iteration. It stands as the infinity or the smallest float of its sign, and is
    shown as written, shortened, as a LongInteger is."""

    def __new__(cls, text, value):
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __reduce__(self):  # as a LongInteger's
        return type(self), (self.text, float(self))

    __repr__, __str__ = LongInteger.__repr__, LongInteger.__str__

    def __format__(self, spec):
        return str(self)


class WrittenWhole(WrittenNumber):
    """A whole float that is not the number written (1e23 is 99999999999999991611392; 0.99999999999999999999 is 1.0):
    a whole-number setting takes the number written (_coerce), or refuses it where it is not whole, said as written;
    any other setting takes that float, shown as a float is (3e+38)."""

    __str__, __format__ = float.__repr__, float.__format__


def _integer(text):
    """A whole number of a setting: 017 is 17, 1_000 is 1000; one of thousands of digits a LongInteger."""
    text = text.replace("_", "")
    # no digit at all ('!!int', '!!int _', '!!int +') is no number: it was 0, a seed or a first frame of 0, exit code 0
    body = text.lstrip("+-")
    sign, digits = ("-" if text.startswith("-") else ""), body.lstrip("0") or ("0" if body else "")
    try:
        return int(sign + digits)
    except ValueError:  # more digits than int() reads; or no number ('!!int abc'), left to fail as it is
        if not re.fullmatch("[0-9]+", digits):
            raise
        return LongInteger(sign + digits, len(digits))


def _decimal(text):
    """A number's text as a Decimal, one of an exponent past Decimal's (more than 18 digits) at Decimal's largest: 1e-
    and twenty 9s was float's 0.0 as it is, which train.save_minutes takes for off, where 1e-400 saves at every
    iteration, and train.learning_rate was "bad value 0.0"."""
    try:
        return decimal.Decimal(text)
    except decimal.InvalidOperation:
        match = re.fullmatch(r"\s*([-+]?[0-9.]+[eE][-+]?)0*([0-9]{19,})\s*", text)
        if not match:
            raise
        return decimal.Decimal(match.group(1) + "9" * 18)


def _float(loader, node):
    """A number with a dot or an exponent, as YAML reads it; one past a float's range a LongInteger."""
    value = loader.construct_yaml_float(node)
    text = loader.construct_scalar(node)
    try:
        written = _decimal(text.replace("_", ""))
    except decimal.InvalidOperation:  # YAML 1.1's '!!float 1:30' (90.0): '!!float 0:0' was a traceback
        return value
    if (math.isinf(value) and "inf" not in text.lower()) or value == 0:
        number = written
        if math.isinf(value) and number == number.to_integral_value():
            return LongInteger(text.strip(), number.adjusted() + 1)
        if number:  # 999...9.5 of 400 digits, 1e-400
            return WrittenNumber(text.strip(), math.copysign(math.inf if math.isinf(value) else math.ulp(0.0),
                                                             -1 if number < 0 else 1))
    elif value.is_integer() and written != decimal.Decimal(value):
        # a whole float that is not the number written: 1e23 (99999999999999991611392) was that whole number's setting,
        # and 0.99999999999999999999 (1.0) an iteration; the number written is told (_coerce)
        return WrittenWhole(text.strip(), value)
    return value


def _int(loader, node):
    """A whole number as _integer reads it; one tagged '!!int' in YAML 1.1's other forms (0x10, 0b101, 1:30) as PyYAML
    reads it, as '!!float 1:30' is: they were "not valid YAML; fix the syntax", of valid YAML."""
    text = loader.construct_scalar(node)
    try:
        return _integer(text)
    except ValueError:
        # 1:30 of 300,000 parts took minutes (their product's digits, squared); a text of no digit ('!!int', '!!int _')
        # is no number, where PyYAML's reading was an IndexError's traceback or 0
        if len(text) > LONG_TEXT_DIGITS or not re.search("[0-9]", text):
            raise
        value = loader.construct_yaml_int(node)
    if value and math.log10(abs(value)) >= LONG_TEXT_DIGITS:  # past the digits str() writes: a ValueError traceback
        return LongInteger(text.strip(), math.floor(math.log10(abs(value))) + 1)
    return value


class NotADate(yaml.constructor.ConstructorError):
    """A value YAML 1.1 reads as a date that no calendar has (2020-02-30, 2020-13-45, a time 25:00:00)."""


def _timestamp(loader, node):
    """A date or time as PyYAML reads it. One of no calendar (a folder `output_dir: 2020-02-30`) was "not valid YAML;
    fix the syntax", without a line, of a valid file: now told where, and to quote it if it is text."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError as error:
        raise NotADate(None, None, f"YAML reads {shortened(node.value, 40)} as a date, which no calendar has "
                       f"({shortened(str(error), 50)}); "
                       "write it in quotes if it is text", node.start_mark) from None


ConfigLoader.add_constructor(INT_TAG, _int)
ConfigLoader.add_constructor(FLOAT_TAG, _float)
ConfigLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
# What PyYAML's constructors raise on well-formed YAML they cannot build: '!!float abc', '!!timestamp x'
# (AttributeError), lists nested thousands deep; and '!!bool 1' (KeyError), '!!float' of nothing (IndexError) and
# '!!set [1]' (TypeError), which were tracebacks, in a --cfg file and by --set.
UNBUILDABLE_YAML = (yaml.YAMLError, ValueError, AttributeError, KeyError, IndexError, TypeError, RecursionError)
WIDE_TEXT_HEAD = 4096  # bytes of a config file read to tell UTF-16 or UTF-32 text
CONFIG_BYTES = 2 ** 20  # the most a config file holds: config.yaml, every setting with its comments, is 6 kB


def read_yaml(path):
    input_file(path, "config file")
    try:
        # its head (/dev/zero has no end): UTF-16 without its byte-order mark (iconv's UTF-16LE) decodes as UTF-8, a NUL
        # beside each letter, "not valid YAML; fix the syntax"
        # opened once: a pipe (--cfg <(sed ...), --cfg /dev/stdin) opened again was empty, its settings dropped for
        # config.yaml's, exit code 0
        # at most CONFIG_BYTES: a pipe without end (`yes | train.py --cfg /dev/stdin`) was read until the memory filled,
        # a MemoryError traceback
        with open(path, "rb") as file:
            head = file.read(WIDE_TEXT_HEAD)
            if wide_text(head):
                raise wide_text_refusal(f"config file '{path}'")
            data = head + file.read(CONFIG_BYTES + 1 - len(head))
        if len(data) > CONFIG_BYTES:
            # what its first MiB holds first: /dev/zero stays "not valid YAML" (NULs), bytes of no text "not UTF-8"
            yaml.reader.Reader(codecs.getincrementaldecoder("utf-8")().decode(data[:CONFIG_BYTES]))
            raise UserError(f"config file '{path}' holds more than {CONFIG_BYTES >> 20} MiB, more than settings take "
                            "(config.yaml's are a few kB); give a YAML file of settings")
        content = yaml.load(data.decode("utf-8"), ConfigLoader)
    except UnicodeDecodeError:
        raise UserError(f"config file '{path}' is not UTF-8 text; save it as UTF-8")
    except OSError as error:  # a socket (ENXIO), or a device that cannot be read
        raise UserError(f"cannot read config file '{path}' ({error.strerror}); give a YAML file")
    except NotADate as error:
        raise UserError(f"config file '{path}' line {error.problem_mark.line + 1}: {error.problem}")
    except UNBUILDABLE_YAML as error:
        mark, problem = getattr(error, "problem_mark", None), getattr(error, "problem", None)
        where = f" at line {mark.line + 1}" if mark else ""
        # a tab before a comment or a value (`max_iter:<TAB>1e5`): YAML 1.2 allows it, PyYAML not; "fix the syntax".
        # Inside an unquoted value (`output_dir: a<TAB>b`) it is no indent: "use spaces" alone changed the value
        tab = problem and "'\\t'" in problem
        if isinstance(error, RecursionError):  # valid YAML (lists 5,000 deep): it was "not valid YAML; fix the syntax"
            raise UserError(f"config file '{path}' nests lists or mappings deeper than its YAML reader goes (Python's "
                            "recursion limit); settings are plain values, in sections of key: value")
        raise UserError(f"config file '{path}' is not valid YAML{where}{f' ({problem})' if problem else ''}; " + (
            "a tab outside quotes (an indent, or beside or inside an unquoted value) is not read: use spaces, or "
            "quote a value that holds a tab" if tab else "fix the syntax"))
    # a file or a section whose keys are all commented out is empty (YAML reads it as null); a list, false, 0 or ''
    # is no sections (they were taken for an empty file: a run of every default)
    content = {} if content is None else content
    if not isinstance(content, dict) or not all(isinstance(section, dict) or section is None
                                                for section in content.values()):
        raise UserError(
            f"config file '{path}' must hold sections (nnabla_context, train, gan, data) of key: value")
    settings = {}
    for section, entries in content.items():
        for key in (section, *(entries or {})):
            # a key `~` (or `null`, or none before the colon) was "unknown key 'train.None'", `on:` 'train.True'
            if key is None or isinstance(key, bool):
                read, written = ("null", "~, null or nothing") if key is None else (
                    str(key).lower(), "yes, no, on, off, true or false")
                raise UserError(f"config file '{path}' has a key YAML reads as {read} (a key written {written}); the "
                                "keys are the names of config.yaml's")
        settings.update({f"{section}.{key}": value for key, value in (entries or {}).items()})
    return settings


def parse_value(text):
    """A command-line value read as YAML, so that 1e-4, true and null mean what they do in config.yaml."""
    try:
        return yaml.load(text, ConfigLoader)
    except UNBUILDABLE_YAML:
        return text


# the checks of whole-number settings: a whole float (4.0, 1e3) given for one is taken as that integer
INTEGER_CHECKS = (_positive_int, _non_negative_int, _optional_positive_int, _resblocks, _scale, _seed, _val_frames,
                  _val_crop)


FLOAT32_CHECKS = (_positive_number, _positive_in_float32, _number, _fraction)


def _coerce(key, value):
    """YAML reads 5e-5 (no dot) as a string and 4.0 as a float; accept both forms of a number."""
    check = RULES[key].check
    if isinstance(value, str) and check in FLOAT32_CHECKS + INTEGER_CHECKS + (_non_negative_number,):
        # one rule for every number: other scripts' digits (YAML's text) were read by float() for the float32
        # settings alone, '١e-٤٠٠' as 0.0 (gan.ratio off, exit code 0), and train.save_minutes=١.٥ was refused.
        # Now they are read as their ASCII digits are, as the flags read them
        ascii_digits = re.sub(r"\d", lambda digit: str(unicodedata.decimal(digit.group())), value)
        read = parse_value(ascii_digits) if ascii_digits != value else value  # '5' in quotes is still text
        value = read if isinstance(read, (int, float)) and not isinstance(read, bool) else value
    if isinstance(value, str) and check in FLOAT32_CHECKS:
        # a number in quotes (PyYAML's own reading left 5e-5, of no dot, text) read as the same number unquoted is: by
        # float(), '1e-400' was "bad value 0.0" and '1e400' "bad value inf", of neither as written. Of digits: '.inf'
        # and '.nan' stay text, refused as written
        text = value.strip()
        number = re.search("[0-9]", text) and (INT_TEXT.match(text) or FLOAT_TEXT.match(text))
        return parse_value(text) if number else value
    if isinstance(value, float) and value.is_integer() and check in INTEGER_CHECKS:
        if isinstance(value, WrittenWhole):  # the number written, where the float is another (1e23); not whole: bad
            number = decimal.Decimal(value.text.replace("_", ""))
            return int(number) if number == number.to_integral_value() else value
        return int(value)
    return value


def _text_advice(key, value):
    """The end of the line refusing a path or name that YAML read as another type: `output_dir: 2020-01-01` in a --cfg
    file was "bad value datetime.date(2020, 1, 1) for data.output_dir: expected a folder", and `output_dir: 2020`
    "bad value 2020", of the folder's name as written. Not of a switch: `val_dir: off` is rather an off than a name."""
    if RULES[key].check is not _string or isinstance(value, bool):
        return ""
    read_as = "a number" if isinstance(value, (int, float)) else "a date" if isinstance(value, datetime.date) else ""
    return f"; YAML reads it as {read_as}, not text: write it in quotes" if read_as else ""


def _said(number):
    """A whole number of a setting as a line shows it: whole, or its first digits (one of 4,300 digits made a line of
    4 kB); one made from a setting past the digits str() writes (the multiple of 8 above 4,300 nines) by its size."""
    try:
        return shortened(str(number))
    except ValueError:
        return f"a number of more than {LONG_TEXT_DIGITS} digits"


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
                raise UserError(f"unknown key '{shortened(key)}' in '{path}'; the keys are those of config.yaml")
            values[key] = value
    for key, value in (overrides or {}).items():
        if key in REMOVED_KEYS:
            raise UserError(f"{key} was removed: {REMOVED_KEYS[key]}")
        if key not in RULES:
            raise UserError(f"unknown setting '{shortened(key)}'; use section.key as in config.yaml")
        values[key] = value
    for key, value in values.items():
        if key not in RULES:
            raise UserError(f"unknown key '{key}' in '{DEFAULT_CONFIG}'")
        values[key] = _coerce(key, value)
        if not RULES[key].check(values[key]):
            # a switch or null as YAML writes it, in a list too: `max_iter: ~` was "bad value None", `[yes]` "[True]"
            shown = said_as_yaml(values[key], 80)
            # `max_iter: "5"` (or --set train.max_iter='"5"') was "bad value '5' ...: expected a positive integer"
            # and `tecogan: 'true'` "bad value 'true' ...: expected true or false". Only where the value unquoted is
            # right: `max_iter: '-1'` (or '.inf', '[5]') was told to be written without them, to be refused again
            text = isinstance(values[key], str) and len(values[key]) <= 100
            unquoted = parse_value(values[key]) if text else values[key]
            quoted = text and not isinstance(unquoted, str) and RULES[key].check(_coerce(key, unquoted))
            raise UserError(f"bad value {shown} for {key}: expected {RULES[key].expected}" + (
                "; in quotes it is text: write it without them" if quoted else _text_advice(key, values[key])))
    if values["data.end_dir"] < values["data.str_dir"]:
        raise UserError(
            f"data.end_dir ({_said(values['data.end_dir'])}) is below data.str_dir ({_said(values['data.str_dir'])})")
    if values["train.rnn_n"] < 2:
        raise UserError("train.rnn_n must be at least 2: the recurrent losses need a previous frame")
    if values["data.layout"] == "scenes" and values["data.max_frm"] < values["train.rnn_n"] - 1:
        # _said: written whole (4 kB of nines), and past 4,299 digits a ValueError traceback
        raise UserError(f"data.max_frm {_said(values['data.max_frm'])} gives scenes of "
                        f"{_said(values['data.max_frm'] + 1)} "
                        f"frames, fewer than train.rnn_n {_said(values['train.rnn_n'])}; lower train.rnn_n or raise "
                        "data.max_frm")
    if values["data.sequence_list"] and values["data.layout"] == "scenes":
        raise UserError(
            "data.sequence_list names sequences of the sequences and reds layouts; set data.layout, or "
            "choose scenes with data.str_dir and data.end_dir")
    if values["train.val_freq"] and not values["data.val_dir"]:
        raise UserError(
            f"train.val_freq {_said(values['train.val_freq'])} needs data.val_dir, a folder of validation "
            "clips; set it (--set data.val_dir=...) or set train.val_freq to 0")
    if values["train.val_crop"] % values["train.scale"]:
        raise UserError(f"bad value {_said(values['train.val_crop'])} for train.val_crop: expected "
                        f"{RULES['train.val_crop'].expected}")
    crop_size = values["train.crop_size"]
    if crop_size % FLOW_NET_STRIDE:
        below, above = crop_size // FLOW_NET_STRIDE * FLOW_NET_STRIDE, -(-crop_size
                                                                         // FLOW_NET_STRIDE) * FLOW_NET_STRIDE
        nearest = " or ".join(_said(size) for size in (below, above) if size > 0)
        raise UserError(
            f"train.crop_size {_said(crop_size)} is not a multiple of {FLOW_NET_STRIDE} (the flow net pools "
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


def _flag_options(setting):
    """argparse options of a setting's flag: a switch for true/false, the choices of a choice, else a value
    read as YAML (as --set reads it; a path as it is). Absent flags set no attribute: they override nothing. Not
    None: a flag of YAML's null was taken for absent, `--max_iter ''` (an unset variable's) a run of config.yaml's
    900,000 iterations, exit code 0, and `--num_resblock null` kept a --cfg file's block count."""
    if setting.check is _boolean:
        return {"action": "store_true", "default": argparse.SUPPRESS}
    if setting.check is _context:
        return {"choices": CONTEXT_CHOICES, "default": argparse.SUPPRESS}
    return {"type": str if setting.check is _string else parse_value, "default": argparse.SUPPRESS,
            "metavar": setting.flag[2:].upper().replace("-", "_")}


def _flag_help(key, setting, default):
    """A setting flag's --help: what it sets and, unless its help says so, where its default comes from."""
    if "default" in setting.help or setting.check is _boolean:
        return setting.help
    shown = f"; {default} in config.yaml" if default not in ("", None) else ""
    return f"{setting.help} (default: {key} of the config{shown})"


def add_config_flags(parser):
    """--cfg, a flag for each setting of RULES that has one, and --set SECTION.KEY=VALUE for every setting."""
    parser.add_argument("--cfg", help="a YAML file over config.yaml's defaults (default: config.yaml alone)")
    defaults = read_yaml(DEFAULT_CONFIG)
    for key, setting in RULES.items():
        if setting.flag:
            parser.add_argument(setting.flag, dest=key, help=_flag_help(key, setting, defaults.get(key)),
                                **_flag_options(setting))
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override any config.yaml entry, e.g. --set train.crop_size=16 (repeatable; a "
                             "path or name is taken as written, or as config.yaml reads it when quoted)")


def config_from_flags(args):
    """The validated configuration of parsed add_config_flags flags: --cfg over config.yaml, then the setting
    flags given, then --set (last wins)."""
    overrides = {key: value for key, value in vars(args).items() if key in RULES}
    for assignment in args.set:
        key, separator, value = assignment.partition("=")
        if not separator:
            raise UserError(f"--set needs SECTION.KEY=VALUE, got '{shortened(assignment)}'")
        key = key.strip()
        # a path or name is taken as written, as its flag takes it: read as YAML, 'runs #2' would lose its end
        # to a comment and 2024 or yes would be no text; unless it is quoted as in config.yaml ('' is empty)
        text_setting = key in RULES and RULES[key].check is _string
        quoted = len(value) >= 2 and value[0] == value[-1] and value[0] in "'\""
        overrides[key] = value if text_setting and not quoted else parse_value(value)
    return load_config(args.cfg, overrides)
