"""The command-line flags of every entry script: one spelling rule, and the defaults in --help.

The reference implementation's own flags keep the one spelling they have there (`--input-dir-lr`,
`--num_resblock`, `--input_video_dir`, ...), so its commands run unchanged. Every other flag also
answers to its other spelling, dashes for underscores or the reverse (`--output-video` and
`--output_video`). The other spelling is a hidden alias: --help, usage and error messages show the
spelling the flag was declared with.
"""
import argparse
import math
import re
import sys
from decimal import Decimal
from fractions import Fraction

from utils.errors import UserError, shortened


def spellings(flag):
    """The all-dash and the all-underscore spelling of a long flag: --max-memory -> {--max-memory,
    --max_memory}."""
    name = flag[2:]
    return {"--" + name.replace("_", "-"), "--" + name.replace("-", "_")}


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Ends a flag's help with '(default: X)' when it has a default and its help does not already say it.
    Switches, required flags and flags without a value (None, empty) say their default in their own words
    where there is one (e.g. "default: read from --model")."""

    def _get_help_string(self, action):
        help_text = action.help or ""
        if ("default" in help_text or action.nargs == 0 or action.required
                or action.default in (None, "", [], argparse.SUPPRESS)):
            return help_text
        return help_text + " (default: %(default)s)"


class FlagParser(argparse.ArgumentParser):
    """argparse with the spelling rule above; reference_flags: the flags spelt exactly as the reference."""

    def __init__(self, *args, reference_flags=(), **kwargs):
        kwargs.setdefault("formatter_class", DefaultsHelpFormatter)
        super().__init__(*args, **kwargs)
        self.reference_flags = frozenset(reference_flags)

    def parse_known_args(self, args=None, namespace=None):
        args = self.declared_spellings(sys.argv[1:] if args is None else list(args))
        self.refuse_unknown_flags(args)
        return super().parse_known_args(args, namespace)

    def error(self, message):
        """A usage error as one line (a UserError: exit code 2 at the entry point), not the whole usage. A value
        argparse quotes is cut short (dataPrepare's --duration of 5000 digits made a line of 5 kB), and so is a long
        word it does not quote (an unknown flag, an argument left over)."""
        shown = re.sub(r"'([^']*)'|[^\s']{41,}", lambda value: shortened(value.group(0)) if value.group(1) is None
                       else f"'{shortened(value.group(1))}'", message)
        raise UserError(f"{shown} (see --help)")

    def refuse_unknown_flags(self, args):
        """Name a mistyped flag first, before argparse would report a required flag missing because of it."""
        for arg in args:
            if arg == "--":
                return
            flag = arg.partition("=")[0]
            if flag.startswith("--") and not [known for known in self._option_string_actions
                                              if known.startswith(flag)]:
                self.error(f"unknown flag {flag}")

    def declared_spellings(self, args):
        """args with every alias replaced by its flag's declared spelling (`--max_memory=4` ->
        `--max-memory=4`), up to a bare `--`, after which everything is a value."""
        declared = set(self._option_string_actions)
        aliases = {
            alias: flag for flag in declared if flag.startswith("--") and flag not in self.reference_flags
            for alias in spellings(flag) - declared
        }
        rewritten = []
        for index, arg in enumerate(args):
            if arg == "--":
                return rewritten + args[index:]
            flag, equals, value = arg.partition("=")
            rewritten.append(aliases[flag] + equals + value if flag in aliases else arg)
        return rewritten


def whole(kind, text):
    """Whether text is a number int() refuses only for its form (6.0, 1e1, 1e400): the flag wants a whole
    number."""
    try:
        return kind is int and not math.isnan(float(text))
    except ValueError:
        return False


def grouped(text):
    """Whether a number's text holds '_', which int() and float() read between digits as Python's grouping ('2_5' is
    25): a slip, never a number a user meant. grouping_refused's test, and training.loss_log's of the logs' cells."""
    return "_" in text


def grouping_refused(name, text, example=""):
    """The error line for a number's text holding '_' (grouped), or None: '--fps 2_5' was 25, '--outscale 1_5' (a slip
    for 1.5?) 15. example: what a number looks like."""
    if grouped(text):
        return f"{name} must be a number without '_'{example and f' (e.g. {example})'}, got '{shortened(text)}'"
    return None


def ungrouped(kind, name, example=""):
    """An argparse type: kind(text), but grouping_refused's line where text holds '_' (dataPrepare's '--duration 1_0'
    made scenes of 10 frames, '--start_id 2_000' numbered them from 2000)."""
    def parse(text):
        if refusal := grouping_refused(name, text, example):
            raise argparse.ArgumentTypeError(refusal)
        return kind(text)
    parse.__name__ = kind.__name__  # argparse names a value kind() refuses by it ("invalid int value")
    return parse


def underflowed(text, value):
    """Whether value, float(text), is 0 where text is a positive number below the least float (1e-400, or '0.' and
    hundreds of zeros before a 1): such a text was told "must be a positive ... number", which it is."""
    return value == 0 and Decimal(re.split("[eE]", text.strip())[0]) > 0


def positive(kind, name, least=None, most=None):
    """An argparse type: a positive finite number of `kind` (int or float), within least..most where given (a
    value past what the work can use would overflow later, far from the flag), or a one-line error naming
    the flag."""
    bounds = " and ".join(part for part in (least is not None and f"at least {least:g}",
                                            most is not None and f"at most {most:g}") if part)

    def parse(text):
        if refusal := grouping_refused(name, text):
            raise argparse.ArgumentTypeError(refusal)
        try:
            value = kind(text)
        except ValueError:
            if kind is int and re.fullmatch(r"\s*[+-]?\d+\s*", text):  # more than the 4300 digits int() reads
                raise argparse.ArgumentTypeError(f"{name} has too many digits, got '{shortened(text)}'")
            raise argparse.ArgumentTypeError(f"{name} must be a {'whole ' if whole(kind, text) else ''}number, got "
                                             f"'{shortened(text)}'")
        # not of a flag with a least value: --fps 1e-400 was told to be below 1e-308, and 1e-300 then below 0.01
        if kind is float and least is None and underflowed(text, value):
            raise argparse.ArgumentTypeError(f"{name} {shortened(text.strip())} is too small a number to compute with "
                                             "(below about 1e-308); give a larger one")
        # an int of hundreds of digits is finite, and too large for math.isfinite's float
        if ((kind is float and not math.isfinite(value)) or value <= 0 or (least is not None and value < least)
                or (most is not None and value > most)):
            raise argparse.ArgumentTypeError(
                f"{name} must be a positive finite number{' ' + bounds if bounds else ''}"
                f", got {shortened(text)}")
        return value
    return parse


def frame_rate(name, least, most):
    """An argparse type: a frame rate as a Fraction, given as a number (25, 29.97) or as FFmpeg writes rates, a
    ratio of whole numbers (30000/1001, NTSC's exact rate, which 29.97 is not), within least..most."""
    number = positive(float, name, least, most)

    def parse(text):
        match = re.fullmatch(r"\s*(\d{1,12})\s*/\s*(\d{1,12})\s*", text)
        if not match and "/" in text:  # not "must be a number": a ratio is taken, of whole numbers
            raise argparse.ArgumentTypeError(f"{name} must be a number or a ratio of whole numbers of at most 12 "
                                             f"digits (e.g. 30000/1001), got '{shortened(text)}'")
        if not match:
            return Fraction(number(text)).limit_denominator(100000)
        rate = Fraction(int(match.group(1)), int(match.group(2))) if int(match.group(2)) else None
        # the bounds as written (0.01 is 1/100), not as binary floats, which 1/100 is just below
        if rate is None or not Fraction(str(least)) <= rate <= Fraction(str(most)):
            raise argparse.ArgumentTypeError(f"{name} must be a rate from {least:g} to {most:g}, got "
                                             f"{shortened(text)}")
        return rate
    return parse


MAX_THREADS = 1024  # --threads beyond it overflow the backends' thread counts


def refuse_empty(args, *flags):
    """UserError for a flag given an empty value: the scripts read a text flag's absence as `not value`, so an
    empty one would silently fall back to the default (or to nothing)."""
    for flag in flags:
        value = getattr(args, flag[2:].replace("-", "_"))
        if value is not None and not value.strip():
            raise UserError(f"{flag} is empty; give its value (see --help), or leave {flag} out")
