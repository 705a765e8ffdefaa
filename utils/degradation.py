"""The degradations that make LR frames from HR frames (data.degradation): one definition for training,
validation, generate.py --input-dir-hr and the demo.

    bd  Gaussian blur of sigma 1.5 (a normalised 9x9 kernel: 1 + 2 * int(3 sigma) taps a side), then every
        scale-th pixel from (0, 0), so that LR pixel i sits on HR pixel scale * i; whole frames are mirrored
        at the borders without repeating the edge pixel. TecoGAN's degradation (DUF's), the default.
    bi  MATLAB's imresize(hr, 1 / scale) with its default antialiasing: Keys' cubic with a = -0.5, stretched
        by the scale when shrinking (h(x) = cubic(x / scale) / scale, 4 * scale taps), normalised; LR pixel
        i is centred on HR position scale * i + (scale - 1) / 2; whole frames are mirrored at the borders
        with the edge pixel repeated (MATLAB's 'symmetric'). The BI of BasicVSR and the REDS literature.

Both are separable filters sampled with stride `scale`. `degrade` applies one in an NNabla graph to HR
crops that carry the filter's reach around them (`margin`; training cuts its targets inside it);
`degrade_frames` to whole frames, their borders mirrored as above. A model_param file records the one it
was trained with in its HDF5 attribute DEGRADATION_ATTRIBUTE; files without it (the official ones) are bd.
"""
import math

import h5py
import nnabla as nn
import nnabla.functions as F
import numpy as np

from utils.errors import UserError, printable, shortened
from utils.hdf5 import hdf5_file, open_to_read
from utils.ops import PAPER_SCALE, to_channel_first, to_channel_last

DEGRADATIONS = ("bd", "bi")
DEFAULT_DEGRADATION = "bd"
DEGRADATION_ATTRIBUTE = "degradation"
BLUR_SIGMA = 1.5
BORDER_MODES = {"bd": "reflect", "bi": "symmetric"}  # numpy's names: without / with the edge pixel repeated


def cubic(x, a=-0.5):
    """Keys' cubic convolution kernel; a = -0.5 as MATLAB's imresize."""
    x = np.abs(x)
    return np.where(x <= 1, (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1,
                    np.where(x < 2, a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a, 0.0))


def filter_taps(degradation, scale=PAPER_SCALE):
    """(1-D weights, margin) of a degradation: LR pixel i is sum_k weights[k] * hr[scale * i - margin + k]."""
    if degradation == "bd":
        reach = int(BLUR_SIGMA * 3)
        offsets = np.arange(-reach, reach + 1)
        return np.exp(-0.5 * (offsets / BLUR_SIGMA) ** 2), reach  # normalised in 2-D (kernel_2d)
    centre = (scale - 1) / 2
    offsets = np.arange(math.floor(centre - 2 * scale), math.ceil(centre + 2 * scale) + 1)
    weights = cubic((offsets - centre) / scale) / scale
    kept = np.nonzero(weights)[0]  # the ends at exactly 2 * scale weigh nothing
    weights = weights[kept[0]:kept[-1] + 1]
    return weights / weights.sum(), -int(offsets[kept[0]])


def margin(degradation=DEFAULT_DEGRADATION, scale=PAPER_SCALE):
    """HR pixels the filter reaches before the pixel an LR pixel starts at (bd: 4; bi x4: 6); training crops
    carry as many on every side."""
    return filter_taps(degradation, scale)[1]


def kernel_2d(degradation, scale=PAPER_SCALE):
    """The separable 2-D filter, normalised to sum 1."""
    weights = filter_taps(degradation, scale)[0]
    kernel = np.outer(weights, weights)
    return kernel / kernel.sum()


def degrade(hr_frames, degradation=DEFAULT_DEGRADATION, scale=PAPER_SCALE):
    """LR frames of HR frames in an NNabla graph, without padding: (B, H, W, C) -> (B, (H - K) // scale + 1,
    (W - K) // scale + 1, C) for a filter of K taps; each channel is filtered on its own."""
    channels = hr_frames.shape[3]
    kernel = np.tile(kernel_2d(degradation, scale)[None, None], (channels, 1, 1, 1)).astype(np.float32)
    lr_frames = F.convolution(to_channel_first(hr_frames), nn.Variable.from_numpy_array(kernel),
                              stride=(scale, scale), group=channels)
    return to_channel_last(lr_frames)


def degrade_frames(hr_frames, degradation=DEFAULT_DEGRADATION, scale=PAPER_SCALE):
    """LR frames of whole HR frames in numpy: (N, H, W, C) (or one (H, W, C)) float32 -> (N, ceil(H / scale),
    ceil(W / scale), C), the borders mirrored as the degradation defines."""
    hr_frames = np.asarray(hr_frames, np.float32)
    single = hr_frames.ndim == 3
    hr_frames = hr_frames[None] if single else hr_frames
    taps = len(filter_taps(degradation, scale)[0])
    before = margin(degradation, scale)
    pads = [(before, scale * (math.ceil(side / scale) - 1) + taps - before - side)
            for side in hr_frames.shape[1:3]]
    padded = np.pad(hr_frames, [(0, 0), *pads, (0, 0)], mode=BORDER_MODES[degradation])
    lr_frames = degrade(nn.Variable.from_numpy_array(padded), degradation, scale)
    lr_frames.forward(clear_buffer=True)
    return lr_frames.d[0].copy() if single else lr_frames.d.copy()


def model_degradation(path):
    """The degradation a model_param file was trained with (bd when it does not say)."""
    try:
        with open_to_read(path, f"weights file '{path}'") as h5:
            value = recorded_degradation(h5.attrs)
    except OSError:
        raise UserError(
            f"weights file '{path}' is not an HDF5 (.h5) parameter file; pass a file saved by train.py "
            "or an official NNabla model")
    return known_degradation(value, path)


def recorded_degradation(attributes):
    """The degradation a model_param file's root attributes record, as text (bd when they record none). Bytes not UTF-8
    by their codes: their decoding raised a traceback in generate.py, demo.py and the page."""
    value = attributes.get(DEGRADATION_ATTRIBUTE, DEFAULT_DEGRADATION)
    if isinstance(value, h5py.Empty):  # an attribute of no data: was shown as h5py's "Empty(dtype=dtype('S5'))"
        return ""
    if isinstance(value, str):  # a variable-length text's bytes not UTF-8, h5py's lone surrogates: as a fixed-length
        try:  # one's, "\xff" (was "\udcff")
            value = value.encode(errors="surrogateescape")
        except UnicodeEncodeError:  # a surrogate no byte stands for: shown by its code as it is
            return value
    return value.decode(errors="backslashreplace") if isinstance(value, bytes) else str(value)


def known_degradation(value, path):
    """value (recorded_degradation's), or UserError where it is none of DEGRADATIONS: shown printable and cut short (one
    recording a newline made an error of two lines, one of thousands of characters a line as long)."""
    if value not in DEGRADATIONS:
        raise UserError(f"weights file '{path}' records degradation '{shortened(printable(value))}', not one of "
                        f"{', '.join(DEGRADATIONS)}")
    return value


def record_degradation(path, degradation):
    """Write the degradation attribute into a model_param file."""
    with hdf5_file(path, "a") as h5:
        h5.attrs[DEGRADATION_ATTRIBUTE] = degradation
