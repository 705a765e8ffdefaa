"""Frame-recurrent inference as a library: TecoGAN / FRVSR super-resolution (x4 or x2, read from the
weights) of frame sequences of any size.

    from inference import SuperResolver
    resolver = SuperResolver("tecogan_model.h5")            # backend and memory budget chosen automatically
    for name, sr_frame in resolver.sequence(named_lr_frames, cuts=[120]):  # (name, (H, W, 3) RGB in [0, 1])
        ...                                                  # sr_frame: (sH, sW, 3), s = resolver.scale

Each frame is computed in tiles whose size follows a memory budget (tiles.py), and the result equals the
untiled computation. The recurrence stays whole-frame: the previous output is the stitched HR frame,
warped by the stitched flow (recurrence.py, warp.py). Per frame: the flow net on aligned LR windows gives
the LR flow; the generator's trunk (input stage and residual blocks, cheap per pixel) runs on large
windows, each of which feeds its features to the generator's tail (upsampling, the most memory per
pixel: tiles.BYTES_PER_PIXEL, by backend and scale) in small windows. Two backends run the networks (backends.py):
NNabla (CPU or cuDNN; float32 or half precision), and on a CPU OpenVINO with the same NNabla graphs exported to ONNX
(onnx_export.py; float32, or bfloat16 where the CPU has it). On cuDNN, when every network fits the frame in
one window, the whole frame step is one NNabla graph on the GPU (DeviceFrameRecurrence). host.py reads the
machine's free memory and cores; resolver.py puts it together.
"""
from inference.backends import (BACKEND_CHOICES, BACKEND_PRECISIONS, PRECISIONS, NnablaNetworks, OnnxNetworks,
                                choose_backend, new_parameters)
from inference.host import available_cores, available_memory, default_budget, gpu_free_memory
from inference.recurrence import (WARMUP_FRAMES, DeviceFrameRecurrence, FrameRecurrence, scene_steps,
                                  super_resolve, with_warmup)
from inference.resolver import SuperResolver, resolve_num_resblock
from inference.tiles import TilePlan, plan_axis
from inference.warp import flow_to_high_res_window, warp_dense, warp_previous_window

__all__ = [
    "BACKEND_CHOICES", "BACKEND_PRECISIONS", "PRECISIONS", "NnablaNetworks", "OnnxNetworks", "choose_backend",
    "new_parameters", "available_cores", "available_memory", "default_budget", "gpu_free_memory",
    "WARMUP_FRAMES", "DeviceFrameRecurrence", "FrameRecurrence", "scene_steps", "super_resolve",
    "with_warmup", "SuperResolver", "resolve_num_resblock", "TilePlan", "plan_axis",
    "flow_to_high_res_window", "warp_dense", "warp_previous_window"
]
