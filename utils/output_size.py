"""Any output size: the model's native output resized as it is written (generate.py and demo.py --outscale and
--output-size), so that the networks, their tiles and their memory stay those of the native size.

Lanczos (OpenCV's INTER_LANCZOS4, as Real-ESRGAN's --outscale does), to enlarge and to shrink: shrinking an
x4 model's output to x2 scored higher PSNR against the ground truth with it than with INTER_AREA
(docs/x2.md). A video's sides must be even (H.264 in yuv420p stores colour per 2x2 pixels).
"""
import math
import re

import cv2

from utils.errors import UserError, shortened
from utils.flags import grouping_refused, underflowed

MAX_SIDE = 16384  # pixels on a side of an output frame, at most
SIZE_PATTERN = re.compile(r"(\d+)[xX](\d+)")
MOST_DIGITS = 9  # a side (or position) of more digits exceeds MAX_SIDE by far; int() reads no more than 4300


def parse_outscale(text):
    """--outscale: a positive finite factor of the input's size. Not with '_' (grouping_refused): '1_5' gave frames ten
    times larger, written with exit code 0."""
    if refusal := grouping_refused("--outscale", text, "2 or 1.5"):
        raise UserError(refusal)
    try:
        factor = float(text)
    except ValueError:
        factor = math.nan
    past_a_float = factor == math.inf and "inf" not in text.lower()  # 1e400, or hundreds of digits
    if underflowed(text, factor):  # 1e-400 was told "must be a positive factor"
        raise UserError(f"--outscale {shortened(text)} gives frames less than a pixel high or wide; choose a larger "
                        "factor")
    if (not math.isfinite(factor) or factor <= 0) and not past_a_float:
        raise UserError(
            f"--outscale must be a positive factor of the input's size (e.g. 2 or 1.5), got '{shortened(text)}'")
    if factor > MAX_SIDE:  # frames of a pixel already exceed MAX_SIDE, and larger factors overflow the sides
        raise UserError(f"--outscale {shortened(text)} gives frames of more than {MAX_SIDE} pixels a side; choose a "
                        "smaller factor")
    return factor


def factor_said(factor):
    """A factor as its shortest repr, which reads back as itself (2, 1.4238546), not ".0" of a whole one: to six figures
    (:g), the page passed Output size 1.4238546 on as --outscale 1.42385 (frames of 3605x2876 written 5132x4094, not
    5132x4096), and a refusal said "--outscale 0.0714286" of 0.07142857."""
    return repr(factor).removesuffix(".0")


def parse_output_size(text, for_video):
    """--output-size WxH: (height, width), each at most MAX_SIDE, even when a video is written."""
    match = SIZE_PATTERN.fullmatch(text.strip())
    sides = [side.lstrip("0") for side in match.groups()] if match else [""]
    if "" in sides:  # not WxH, or a side of 0
        raise UserError(f"--output-size must be WIDTHxHEIGHT in pixels (e.g. 3840x2160), got '{shortened(text)}'")
    if max(len(side) for side in sides) > MOST_DIGITS:
        raise UserError(f"--output-size {shortened(text)} gives frames of more than {MAX_SIDE} pixels a side; choose a "
                        "smaller output size")
    width, height = map(int, sides)
    check_sides(height, width, f"--output-size {text}")
    if for_video and (width % 2 or height % 2):
        raise UserError(
            f"--output-size {text} has an odd side, which an H.264 video cannot have; use even sides "
            f"(e.g. {width + width % 2}x{height + height % 2})")
    return height, width


def check_sides(height, width, what):
    if max(height, width) > MAX_SIDE:
        raise UserError(f"{what} gives {width}x{height} frames, more than {MAX_SIDE} pixels a side; choose a "
                        "smaller output size")


def requested_size(input_height, input_width, outscale, output_size, for_video, input_scale=1):
    """(height, width) the frames are written at, or None for the model's native size: output_size (parsed),
    or each side of the input frames times outscale, rounded (to an even number when a video is written).
    input_scale: 1 for LR frames; the model's scale for HR frames (--input-dir-hr), which stand for LR frames of
    1 / input_scale their size (and are cut to their size by default), so that --outscale of the model's scale is
    the default. UserError when a side would exceed MAX_SIDE."""
    if output_size:
        return output_size
    if not outscale:
        return None
    factor = outscale / input_scale
    frames = "HR frames" if input_scale > 1 else "input frames"
    what = f"--outscale {factor_said(outscale)} of {input_width}x{input_height} {frames}"
    if min(input_height, input_width) * factor < 0.5:
        raise UserError(f"{what} gives frames less than a pixel high or wide; choose a larger factor")
    rounding = 2 if for_video else 1
    height, width = (max(rounding, rounding * round(side * factor / rounding))
                     for side in (input_height, input_width))
    check_sides(height, width, what)
    return height, width


def resize_output(frame, height, width):
    """A native output frame (float or 8-bit) resized to (height, width) by Lanczos."""
    if frame.shape[:2] == (height, width):
        return frame
    return cv2.resize(frame, (width, height), interpolation=cv2.INTER_LANCZOS4)
