"""Choice of the NNabla compute context: cuDNN when nnabla-ext-cuda and a GPU are present, else CPU."""
import nnabla as nn
from nnabla.ext_utils import get_extension_context

from utils.errors import UserError

CONTEXT_CHOICES = ("auto", "cpu", "cudnn")


def cuda_device_count():
    """Number of CUDA devices NNabla can use (0 without nnabla-ext-cuda or without a GPU)."""
    try:
        from nnabla_ext.cuda import init as cuda_init
        return int(cuda_init.get_device_count())
    except Exception:  # ImportError, or a CUDA runtime without a usable driver
        return 0


def use_context(requested="auto", device_id=0):
    """Set and return NNabla's default context; 'auto' picks cudnn when a GPU is usable, else cpu."""
    if requested not in CONTEXT_CHOICES:
        raise UserError(f"unknown context '{requested}'; choose one of {', '.join(CONTEXT_CHOICES)}")
    name = requested
    if requested == "auto":
        name = "cudnn" if cuda_device_count() > 0 else "cpu"
    elif requested == "cudnn" and cuda_device_count() == 0:
        raise UserError("context 'cudnn' asked for, but nnabla-ext-cuda or a GPU is missing; "
                        "install nnabla-ext-cuda matching your CUDA, or use --context cpu")
    context = get_extension_context(name, device_id=str(device_id))
    nn.set_default_context(context)
    return name
