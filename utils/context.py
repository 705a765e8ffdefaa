"""Choice of the NNabla compute context: cuDNN when nnabla-ext-cuda and a GPU are present, else CPU."""
import functools
import importlib.util
import sys

import nnabla as nn
from nnabla.ext_utils import get_extension_context

from utils.cuda_libraries import prepare
from utils.errors import UserError, counted

CONTEXT_CHOICES = ("auto", "cpu", "cudnn")
# --precision choices NNabla computes in, as its context's type_config. "half" is NNabla's mixed precision:
# float16 arrays and kernels (cuDNN's fast path on GPUs with tensor cores), float32 where a function has
# no half kernel. NNabla's CPU kernels accept it too, more slowly than float32.
NNABLA_TYPE_CONFIGS = {"fp32": "float", "fp16": "half"}
INSTALL = ("run 'make setup-gpu' (nnabla-ext-cuda120, CUDA 12 and cuDNN 8 libraries, NCCL), "
           "or use --context cpu")


def _extension_installed():
    try:
        return importlib.util.find_spec("nnabla_ext.cuda") is not None
    except ImportError:  # no nnabla_ext package at all
        return False


@functools.cache
def cuda_status():
    """(number of CUDA devices NNabla can use, why there are none or None).

    The reason is None when nnabla-ext-cuda is not installed (a CPU set-up), and names the real error
    when it is installed but does not load (a CUDA or cuDNN library missing) or sees no GPU."""
    if not _extension_installed():
        return 0, None
    try:
        prepare()  # before the extension's import: it looks for its libraries then
        from nnabla_ext.cuda import init as cuda_init
        count = int(cuda_init.get_device_count())
    except Exception as error:  # OSError, ImportError (a library missing), or a CUDA runtime without a driver
        message = str(error).strip().splitlines()
        reason = message[-1] if message else type(error).__name__
        return 0, f"nnabla-ext-cuda is installed but does not load ({reason})"
    if count == 0:
        return 0, "nnabla-ext-cuda loads but sees no GPU"
    return count, None


def cuda_device_count():
    """Number of CUDA devices NNabla can use (0 without nnabla-ext-cuda or without a GPU)."""
    return cuda_status()[0]


def context_name(requested):
    """'cpu' or 'cudnn' for a --context choice; auto says on stderr why it falls back when a GPU set-up is
    broken."""
    if requested not in CONTEXT_CHOICES:
        raise UserError(f"unknown context '{requested}'; choose one of {', '.join(CONTEXT_CHOICES)}")
    if requested == "cpu":
        return "cpu"
    count, reason = cuda_status()
    if count:
        return "cudnn"
    if requested == "cudnn":
        raise UserError(
            f"context 'cudnn' asked for, but {reason or 'nnabla-ext-cuda is not installed'}; {INSTALL}")
    if reason:
        print(f"warning: --context auto runs on the CPU: {reason}", file=sys.stderr)
    return "cpu"


def use_context(requested="auto", device_id=0, type_config="float"):
    """Set and return NNabla's default context; 'auto' picks cudnn when a GPU is usable, else cpu.
    type_config: a value of NNABLA_TYPE_CONFIGS."""
    name = context_name(requested)
    if name == "cudnn" and device_id >= cuda_device_count():
        count = cuda_device_count()
        raise UserError(
            f"GPU {device_id} asked for, but this process sees {counted(count, 'GPU')} (0..{count - 1}); set "
            "nnabla_context.device_id lower, start fewer processes per node, or check CUDA_VISIBLE_DEVICES")
    nn.set_default_context(get_extension_context(name, device_id=str(device_id), type_config=type_config))
    return name
