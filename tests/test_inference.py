"""Tiled inference: the window plan, exactness of every network's tiles against the untiled computation
and the reference fixtures, the memory budget, and the HR-input degradation."""

import nnabla as nn
import numpy as np
import pytest

from clips import read_clip
from conftest import reference_path
from helpers import FIXTURES, NPY_TOLERANCE, assert_matches_fixture, calendar_frames, run_fixture
from inference import (SuperResolver, TilePlan, flow_to_high_res_window, plan_axis,
                       warp_previous_window)
from models import FLOW_NET_HALO, FLOW_NET_STRIDE, flow_to_high_res
from utils.degradation import degrade, degrade_frames
from utils.errors import UserError
from utils.ops import warp_by_flow
from utils.paths import BUNDLED_MODEL

RNG = np.random.RandomState(0)


@pytest.mark.parametrize("length, window, halo, align", [(144, 40, 7, 1), (101, 30, 10, 1), (37, 37, 5, 1),
                                                         (500, 90, 35, 1), (171, 147, 64, 8),
                                                         (300, 165, 64, 8)])
def test_windows_keep_every_pixel_once_and_each_with_its_whole_halo(length, window, halo, align):
    windows = plan_axis(length, window, halo, align)
    end = length - length % align
    assert [pixel for w in windows for pixel in range(w.keep_start, w.keep_stop)] == list(range(end))
    assert len({w.stop - w.start for w in windows}) == 1  # one shape: one graph or ONNX session
    for w in windows:
        assert 0 <= w.start <= w.keep_start < w.keep_stop <= w.stop <= length
        assert w.keep_start - w.start >= halo or w.start == 0
        assert w.stop - w.keep_stop >= halo or w.stop == length
        assert w.start % align == 0 and w.keep_start % align == 0


def test_a_window_that_cannot_keep_anything_is_refused():
    with pytest.raises(ValueError):
        plan_axis(100, 20, 10)


def test_flow_net_tiles_with_its_halo_equal_the_whole_frame_and_a_smaller_halo_does_not(monkeypatch):
    import inference.tiles
    frames = [RNG.rand(170, 203, 3).astype(np.float32) for _ in range(2)]
    weights = reference_path("parity_generate_strong", "weights.h5")
    whole = SuperResolver(weights, "nnabla", "cpu").model(170, 203)
    assert len(whole.plan.tiles("flow")) == 1
    expected = whole.flow_lr(*frames)
    # 48: two strides short of the measured reach (58 pixels, rounded up to the stride: 64). Tiles of 32: 6 and 12
    # windows, each kept part's edge a halo from its window's (tiles of 8 made 45 and 117)
    for halo, exact in ((FLOW_NET_HALO, True), (FLOW_NET_HALO - 2 * FLOW_NET_STRIDE, False)):
        monkeypatch.setattr(inference.tiles, "FLOW_NET_HALO", halo)
        tiled = SuperResolver(weights, "nnabla", "cpu", tile=32).model(170, 203)
        assert len(tiled.plan.tiles("flow")) > 1
        difference = np.abs(tiled.flow_lr(*frames) - expected).max()
        assert (difference <= 1e-6) == exact, (halo, difference)


@pytest.mark.parametrize("backend", ["nnabla", "openvino"])
@pytest.mark.parametrize("fixture", FIXTURES)
@pytest.mark.parametrize("tile", [16, 5])
def test_small_tiles_match_the_reference_fixtures(fixture, backend, tile, tmp_path):
    assert_matches_fixture(fixture, run_fixture(fixture, backend, tile=tile, cache_dir=str(tmp_path)))


def assert_tiled_equals_untiled(weights, frames, backend, tile, tmp_path, tolerance=NPY_TOLERANCE):
    height, width = frames[0][1].shape[:2]
    tiled = SuperResolver(weights, backend, "cpu", tile=tile, cache_dir=str(tmp_path), threads=2)
    untiled = SuperResolver(weights, backend, "cpu", cache_dir=str(tmp_path), threads=2)
    assert len(untiled.model(height, width).plan.tiles("flow")) == 1
    assert len(tiled.model(height, width).plan.tiles("trunk")) > 4
    expected = dict(untiled.sequence(frames))
    scale = tiled.scale
    for name, output in tiled.sequence(frames):
        assert output.shape == (scale * height, scale * width, 3)
        assert np.abs(output - expected[name]).max() <= tolerance, name


@pytest.mark.parametrize("backend", ["nnabla", "openvino"])
@pytest.mark.parametrize("scale", [4, 2])
def test_tiles_equal_the_whole_frame_on_odd_sized_real_frames(backend, scale, x2_weights, tmp_path):
    # 143 x 171: no side a multiple of the flow net's stride; tiles of 16 split the flow net too. Two frames: the
    # second runs the recurrent path (the previous output warped by the tiled flow)
    frames = calendar_frames(2, 143, 171)
    weights = reference_path("parity_generate_strong", "weights.h5") if scale == 4 else x2_weights
    assert_tiled_equals_untiled(weights, frames, backend, 16, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["nnabla", "openvino"])
def test_bundled_model_tiled_equals_untiled_on_a_held_out_clip(backend, tmp_path):
    frames = [(str(index), frame[:120, :200].astype(np.float32) / 255)  # 15 trunk tiles of 40; the second frame
              for index, frame in enumerate(read_clip("bikes.mp4", count=2))]  # runs the recurrent path
    assert_tiled_equals_untiled(BUNDLED_MODEL, frames, backend, 40, tmp_path)


@pytest.mark.parametrize("scale", [4, 2])
def test_hr_flow_of_a_window_equals_the_whole_frame_upsampling(scale):
    flow_lr = (RNG.randn(11, 14, 2) * 3).astype(np.float32)
    whole = flow_to_high_res(nn.Variable.from_numpy_array(flow_lr[None]), scale)
    whole.forward()
    for rows, columns in [((0, 11), (0, 14)), ((3, 9), (5, 14)), ((10, 11), (0, 1))]:
        window = flow_to_high_res_window(flow_lr, rows, columns, scale)
        expected = whole.d[0, scale * rows[0]:scale * rows[1], scale * columns[0]:scale * columns[1]]
        np.testing.assert_allclose(window, expected, rtol=0, atol=2e-6)


@pytest.mark.parametrize("scale", [4, 2])
def test_warp_of_a_window_equals_the_nnabla_warp_of_the_whole_frame(monkeypatch, scale):
    import inference.warp
    monkeypatch.setattr(inference.warp, "WARP_CHUNK_PIXELS", 64)  # many chunks
    previous = RNG.rand(1, 10 * scale, 14 * scale, 3).astype(np.float32)
    flow_lr = (RNG.randn(10, 14, 2) * 4).astype(np.float32)
    flow_hr = flow_to_high_res(nn.Variable.from_numpy_array(flow_lr[None]), scale)
    expected = warp_by_flow(nn.Variable.from_numpy_array(previous), flow_hr)
    expected.forward()
    window = warp_previous_window(previous[0], flow_lr, (2, 9), (3, 11))
    np.testing.assert_allclose(window,
                               expected.d[0, 2 * scale:9 * scale, 3 * scale:11 * scale],
                               rtol=0,
                               atol=1e-5)


@pytest.mark.parametrize("budget_gb, shape, scale", [(4, (1080, 1920), 4), (2, (720, 1280), 4), (1.2, (180, 320), 4),
                                                     (12, (2160, 3840), 4), (1.5, (1080, 1920), 2)])
@pytest.mark.parametrize("backend", ["openvino", "nnabla"])
def test_budget_plans_windows_whose_estimated_memory_fits(budget_gb, shape, scale, backend):
    from inference.tiles import BYTES_PER_PIXEL, HR_FRAME_BUFFERS, PROCESS_BYTES, WRITTEN_FRAME_BUFFERS
    plan = TilePlan(*shape, 16, budget=budget_gb * 2 ** 30, scale=scale, backend=backend)
    pixels = shape[0] * shape[1]
    frames = (PROCESS_BYTES[backend] + (HR_FRAME_BUFFERS + WRITTEN_FRAME_BUFFERS) * scale ** 2 * 3 * 4 * pixels
              + 16 * 4 * pixels)
    windows = sum(np.prod(plan.window_shapes[name]) * BYTES_PER_PIXEL[backend][scale][name]
                  for name in ("flow", "trunk", "tail"))
    assert frames + windows <= budget_gb * 2 ** 30
    assert plan.window_shapes["tail"][0] <= 128 + 4


def test_a_budget_below_the_frames_themselves_is_a_user_error():
    with pytest.raises(UserError, match="too small"):
        TilePlan(1080, 1920, 16, budget=1.0 * 2 ** 30)  # four 8K float frames alone need 1.6 GB


@pytest.mark.parametrize("scale, lr_shape", [(4, (12, 16, 3)), (2, (23, 31, 3))])
def test_hr_input_is_degraded_like_training_with_lr_pixel_i_on_hr_pixel_scale_i(scale, lr_shape):
    hr = RNG.rand(45, 62, 3).astype(np.float32)
    lr = degrade_frames(hr, scale=scale)
    assert lr.shape == lr_shape
    # unpadded: pixel j on scale * j + 4, the blur's reach
    training = degrade(nn.Variable.from_numpy_array(hr[None]), scale=scale)
    training.forward()
    rows, columns = training.shape[1:3]
    offset = 4 // scale
    np.testing.assert_allclose(lr[offset:offset + rows, offset:offset + columns], training.d[0], rtol=0,
                               atol=1e-6)


@pytest.mark.parametrize("height, width, scale", [(37, 45, 4), (5, 6, 4), (37, 45, 2)])  # a stride remainder;
# smaller than the stride
def test_device_frame_step_equals_the_numpy_warp_path(height, width, scale, x2_weights):
    import inference
    weights = reference_path("parity_generate_strong", "weights.h5") if scale == 4 else x2_weights
    resolver = SuperResolver(weights, "nnabla", "cpu")
    host = resolver.model(height, width)
    assert isinstance(host, inference.FrameRecurrence)
    device = inference.DeviceFrameRecurrence(host.networks, resolver.num_resblock, height, width)
    frames = [RNG.rand(height, width, 3).astype(np.float32) for _ in range(4)]
    for sequence in range(2):  # reset starts again from a zero previous output
        host.reset()
        device.reset()
        for frame in frames:
            expected, output = host.step(frame), device.step(frame)
            assert output.shape == expected.shape == (scale * height, scale * width, 3)
            assert np.abs(output - expected).max() <= 2e-5


def test_cudnn_runs_the_device_frame_step_without_cpu_lanes_unless_tiles_are_forced(monkeypatch):
    import inference.resolver
    monkeypatch.setattr(inference.resolver, "choose_backend", lambda *arguments: ("nnabla", "cudnn"))
    weights = reference_path("parity_generate_strong", "weights.h5")
    # context set by the test run, not switched to cuDNN
    resolver = SuperResolver(weights, max_memory=2 ** 32)
    assert resolver.lanes == 1
    assert isinstance(resolver.model(40, 48), inference.DeviceFrameRecurrence)
    tiled = SuperResolver(weights, tile=16, max_memory=2 ** 32)
    assert isinstance(tiled.model(40, 48), inference.FrameRecurrence)


# --- frames the library cannot take: an error naming the frame, not a wrong picture
@pytest.mark.parametrize("frames, said", [
    ([np.zeros((32, 40, 3), np.float32), np.zeros((36, 40, 3), np.float32)], "frame 1 is a 36x40x3 array; .*32x40x3"),
    ([np.zeros((32, 40), np.float32)], "frame 0 is a 32x40 array;"),
    ([np.zeros((32, 40, 4), np.float32)], "frame 0 is a 32x40x4 array;"),
    ([np.zeros((32, 40, 3), np.float32).tolist()], "frame 0 is a list;"),
    ([np.zeros(40, np.float32)], "frame 0 is a 40 array;"),
    ([np.zeros((32, 40, 3), np.uint8)], "frame 0 holds uint8 values; pass RGB floats in \\[0, 1\\]"),
])
def test_frames_of_another_size_layout_or_type_are_refused_by_name(frames, said):
    resolver = SuperResolver(BUNDLED_MODEL, backend="nnabla", max_memory=2 ** 30)
    with pytest.raises(UserError, match=said):
        list(resolver.sequence(enumerate(frames)))


def test_a_sequence_of_frames_as_the_library_takes_them_still_runs():
    frames = RNG.rand(2, 32, 40, 3)  # float64: converted as before
    outputs = list(SuperResolver(BUNDLED_MODEL, backend="nnabla", max_memory=2 ** 30).sequence(enumerate(frames)))
    assert [name for name, _ in outputs] == [0, 1] and all(output.shape == (128, 160, 3) for _, output in outputs)


@pytest.mark.parametrize("option, value", [("tile", "8"), ("tile", float("nan")), ("tile", 2.5), ("tile", True),
                                           ("threads", 0), ("threads", -1), ("threads", 2.5),
                                           ("max_memory", float("nan")), ("max_memory", float("inf")),
                                           ("max_memory", "4G"), ("process_count", 0)])
def test_the_librarys_settings_of_another_kind_are_one_line(option, value):
    """A library caller's tile of '8' or NaN, max_memory of NaN or inf, threads of -1 or process_count of 0
    failed deep inside (NumPy's, OpenVINO's or a ZeroDivisionError), or said "--max-memory nan GB is too small";
    threads=0 silently meant all cores."""
    with pytest.raises(UserError, match=rf"must be a .*got {value!r}$"):
        SuperResolver(BUNDLED_MODEL, "nnabla", "cpu", **{option: value})


def test_whole_numbers_given_as_floats_are_taken():
    resolver = SuperResolver(BUNDLED_MODEL, "nnabla", "cpu", tile=8.0, threads=2.0, process_count=1.0)
    assert (resolver.tile, resolver.threads) == (8, 2) and type(resolver.tile) is int


@pytest.mark.parametrize("frames", [np.zeros((2, 24, 32, 3), np.float32), [np.zeros((24, 32, 3), np.float32)] * 2,
                                    [(0, np.zeros((24, 32, 3), np.float32)), np.zeros((24, 32, 3), np.float32)],
                                    [(0, np.zeros((24, 32, 3), np.float32), "extra")]])
def test_frames_given_without_names_are_one_line(frames):
    """README's sequence() takes (name, frame) pairs: frames alone were unpacked by their rows ("too many values
    to unpack"), a traceback."""
    resolver = SuperResolver(BUNDLED_MODEL, "nnabla", "cpu")
    with pytest.raises(UserError, match=r"a sequence takes \(name, frame\) pairs, got a .*; pass e\.g\. enumerate"):
        list(resolver.sequence(frames))
