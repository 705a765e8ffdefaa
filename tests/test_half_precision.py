"""--precision fp16: NNabla's half precision (context type_config 'half') in the whole generate loop.

It is cuDNN's fast path; NNabla's CPU context computes it too (far more slowly than float32), which
is how these tests run it on small frames. Refusals of precisions a backend lacks are in
test_onnx_backend.py, next to bf16's."""
import nnabla as nn
import numpy as np
import pytest
from conftest import reference_path
from helpers import calendar_frames

import generate
import inference
from inference import SuperResolver, choose_backend
from utils.image_io import read_rgb, write_rgb
from utils.paths import BUNDLED_MODEL

SMALL_MODEL = reference_path("parity_generate_strong", "weights.h5")  # 2 blocks
BOUND_DB = 40  # PSNR of the fp16 output against the fp32 output


def psnr(reference, output):
    return 10 * np.log10(1 / np.mean((np.clip(reference, 0, 1) - np.clip(output, 0, 1)) ** 2))


def assert_close_in_half(fp32, fp16):
    """fp16 outputs are float32 arrays of the fp32 outputs' shape, rounded differently, PSNR above
    BOUND_DB."""
    for name, expected in fp32.items():
        output = fp16[name]
        assert output.dtype == np.float32 and output.shape == expected.shape
        assert np.isfinite(output).all()
        assert np.abs(output - expected).max() > 0, name  # computed in float16, not float32
        assert psnr(expected, output) > BOUND_DB, name


def test_auto_backend_computes_fp16_with_nnabla_in_half():
    assert choose_backend("auto", "cpu", precision="fp16") == ("nnabla", "cpu")
    assert nn.get_current_context().backend[0] == "cpu:half"
    assert choose_backend("auto", "cpu", precision="fp32")[1] == "cpu"
    assert nn.get_current_context().backend[0] == "cpu:float"


def test_the_graphs_are_built_in_the_resolvers_precision_whatever_was_chosen_after_it():
    half = SuperResolver(SMALL_MODEL, "nnabla", "cpu", precision="fp16")
    # sets NNabla's default context back to float
    SuperResolver(SMALL_MODEL, "nnabla", "cpu", precision="fp32")
    graphs = half.model(8, 8).networks.graph_copies[0]
    _, output = graphs["tail"]
    output.forward()
    assert output.d.dtype == np.float16


@pytest.mark.slow
def test_fp16_output_of_the_bundled_model_is_close_to_fp32_on_a_small_clip():
    frames = calendar_frames(3, 16, 16)
    fp32, fp16 = (dict(SuperResolver(BUNDLED_MODEL, "nnabla", "cpu", precision=precision).sequence(frames))
                  for precision in ("fp32", "fp16"))
    assert_close_in_half(fp32, fp16)


@pytest.mark.slow
def test_fp16_tiles_are_close_to_the_fp32_whole_frame():
    height, width = 8, 24
    frames = calendar_frames(2, height, width)
    tiled = SuperResolver(SMALL_MODEL, "nnabla", "cpu", tile=2, threads=2, precision="fp16")
    plan = tiled.model(height, width).plan
    assert len(plan.tiles("trunk")) > 1 and all(
        len(plan.tail_tiles[tile]) > 1 for tile in plan.tiles("trunk"))
    untiled = SuperResolver(SMALL_MODEL, "nnabla", "cpu", precision="fp32")
    assert_close_in_half(dict(untiled.sequence(frames)), dict(tiled.sequence(frames)))


def test_fp16_device_frame_step_is_close_to_the_fp32_numpy_warp_path():
    height, width = 12, 20
    host = SuperResolver(SMALL_MODEL, "nnabla", "cpu", precision="fp32").model(height, width)
    half = SuperResolver(SMALL_MODEL, "nnabla", "cpu", precision="fp16")
    with nn.context_scope(half.nnabla_context):
        device = inference.DeviceFrameRecurrence(
            half.model(height, width).networks, half.num_resblock, height, width)
    frames = [(str(index), frame) for index, (_, frame) in enumerate(calendar_frames(3, height, width))]
    assert_close_in_half({name: host.step(frame) for name, frame in frames},
                         {name: device.step(frame) for name, frame in frames})


def test_generate_in_fp16_on_the_cpu_warns_in_one_line_and_writes_frames_close_to_fp32(capsys, tmp_path):
    (tmp_path / "lr").mkdir()
    for index, (_, frame) in enumerate(calendar_frames(2, 8, 12)):
        write_rgb(str(tmp_path / "lr" / f"{index}.png"), frame)
    outputs = {}
    for precision in ("fp32", "fp16"):
        generate.main([
            "--model", SMALL_MODEL, "--input-dir-lr",
            str(tmp_path / "lr"), "--output-dir",
            str(tmp_path / precision), "--backend", "nnabla", "--context", "cpu", "--precision", precision
        ])
        warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning")]
        assert len(warnings) == (precision == "fp16") and all("--context cudnn" in line for line in warnings)
        outputs[precision] = {
            path.name: read_rgb(str(path)) for path in sorted((tmp_path / precision).iterdir())
        }
    assert len(outputs["fp16"]) == 2 and outputs["fp16"].keys() == outputs["fp32"].keys()
    for name, expected in outputs["fp32"].items():
        assert psnr(expected, outputs["fp16"][name]) > BOUND_DB, name
