"""The OpenVINO backend of generate.py against the reference fixtures and the NNabla backend; the ONNX
export (also run by the benchmarks' ONNX Runtime baseline, after its rewrite), its cache, the backend
choice, bfloat16, streaming of long videos, and video output through ffmpeg."""
import os
from collections import OrderedDict

import cv2
import nnabla as nn
import nnabla.parametric_functions as PF
import numpy as np
import onnx
import onnxruntime
import pytest

import generate
import inference.backends
from benchmarks.onnxruntime_baseline import transposed_convolutions_as_convolutions
from clips import decoded_frames, ffmpeg, needs_ffmpeg, stream_summary
from conftest import reference_path, shared_path
from generate import frames_from_folder
from helpers import FIXTURES, NPY_TOLERANCE, assert_matches_fixture, peak_memory_of_generate
from inference import SuperResolver, new_parameters, warp_dense
from inference.onnx_export import CompiledNetwork, cache_stem, cpu_has_bfloat16, export_onnx
from models import deconv_x2, flow_to_high_res
from utils import video_io
from utils.image_io import WriteBehind, read_ahead
from utils.ops import warp_by_flow
from utils.paths import BUNDLED_MODEL
from utils.video_io import open_video_writer, sample_clip
from utils.weights import read_weight_file, save_weights

RNG = np.random.RandomState(0)


def onnx_model(fixture, cache_dir):
    _, _, frames = frames_from_folder(reference_path(fixture, "lr"))
    resolver = SuperResolver(reference_path(fixture, "weights.h5"),
                             "openvino",
                             "cpu",
                             cache_dir=str(cache_dir),
                             threads=2)
    return resolver, frames


@pytest.mark.parametrize("fixture", FIXTURES)
def test_onnx_outputs_match_reference_arrays(fixture, tmp_path):
    resolver, frames = onnx_model(fixture, tmp_path)
    assert_matches_fixture(fixture, dict(resolver.sequence(frames)))


def random_model_file(path, num_resblock):
    """Glorot weights x 0.5 and biases from uniform(-0.1, 0.1): outputs stay in about [-0.2, 1] over 16
    blocks, and replacing the flow by zero moves them by about 1e-2, 500 times the tolerance."""
    nn.random.seed(0)
    parameters = new_parameters(num_resblock)
    for _, parameter in sorted(parameters.items()):
        parameter.d = RNG.uniform(-0.1, 0.1, parameter.shape) if parameter.ndim == 1 else parameter.d * 0.5
    save_weights(str(path), parameters)
    return str(path)


@pytest.mark.slow
def test_both_backends_agree_on_calendar_frames_with_16_blocks(tmp_path):
    shape, _, frames = frames_from_folder(shared_path("data", "calendar_lr"))
    frames = [named for _, named in zip(range(2), frames)]  # frame 2 as warm-up, then frames 1 and 2
    weights = random_model_file(tmp_path / "random16.h5", 16)
    nnabla_model = SuperResolver(weights, "nnabla", "cpu", threads=2)
    onnx_model_16 = SuperResolver(weights, "openvino", "cpu", cache_dir=str(tmp_path / "cache"), threads=2)
    expected = dict(nnabla_model.sequence(frames))
    for name, output in onnx_model_16.sequence(frames):
        assert output.shape == (576, 720, 3)
        assert np.abs(output - expected[name]).max() <= NPY_TOLERANCE, name


def test_numpy_warp_equals_nnabla_warp_inside_and_beyond_the_borders():
    image = RNG.rand(1, 12, 17, 3).astype(np.float32)
    flow = (RNG.randn(1, 12, 17, 2) * 6).astype(np.float32)  # many samples fall outside the image
    flow[0, 0, :3] = ((0, 0), (1, -2), (0.5, 0))  # some exactly on a pixel, one half-way
    variables = nn.Variable.from_numpy_array(image), nn.Variable.from_numpy_array(flow)
    expected = warp_by_flow(*variables)
    expected.forward()
    np.testing.assert_allclose(warp_dense(image[0], flow[0]), expected.d[0], rtol=0, atol=1e-7)


def run_exported(output, inputs, folder):
    """Forward with NNabla and, on the export, with OpenVINO (the engine) and with ONNX Runtime after the
    baseline's rewrite: (NNabla output, OpenVINO output, ONNX Runtime output, op types of each model)."""
    model_bytes = export_onnx({"y": output}, inputs, nn.get_parameters(grad_only=False))
    path = os.path.join(folder, "exported.onnx")
    with open(path, "wb") as file:
        file.write(model_bytes)
    for variable in inputs.values():
        variable.d = RNG.randn(*variable.shape)
    output.forward()
    feeds = {name: variable.d.astype(np.float32) for name, variable in inputs.items()}
    rewritten = onnx.load_from_string(model_bytes)
    transposed_convolutions_as_convolutions(rewritten)
    session = onnxruntime.InferenceSession(rewritten.SerializeToString(), providers=["CPUExecutionProvider"])
    op_types = [{node.op_type for node in model.graph.node} for model in (onnx.load_from_string(model_bytes),
                                                                        rewritten)]
    return (output.d, CompiledNetwork(path, 2, "fp32")(feeds), session.run(None, feeds)[0], op_types)


@pytest.mark.parametrize("kernel, pad, output_padding", [(3, 1, 1), (4, 1, 0), (2, 0, 0)])
def test_transposed_convolution_is_exported_and_rewritten_for_the_baseline_as_phase_convolutions(
        kernel, pad, output_padding, tmp_path):
    with nn.parameter_scope("", OrderedDict()):
        features = nn.Variable((1, 5, 6, 7))
        if (kernel, pad, output_padding) == (3, 1, 1):
            output = deconv_x2(features, 4, "deconv")  # the generator's layer
        else:
            output = PF.deconvolution(features, 4, (kernel, kernel), pad=(pad, pad), stride=(2, 2),
                                      output_padding=(output_padding, output_padding), name="deconv")
        for parameter in nn.get_parameters(grad_only=False).values():
            parameter.d = RNG.randn(*parameter.shape)
        expected, openvino_result, rewritten_result, (exported_ops, rewritten_ops) = run_exported(
            output, {"x": features}, tmp_path)
    assert "ConvTranspose" in exported_ops  # OpenVINO runs it as it is
    assert "ConvTranspose" not in rewritten_ops and "DepthToSpace" in rewritten_ops
    for result in (openvino_result, rewritten_result):
        assert result.shape == (1, 4, 12, 14)
        np.testing.assert_allclose(result, expected, atol=1e-5)


def test_fixed_filters_and_edge_padding_are_exported(tmp_path):
    with nn.parameter_scope("", OrderedDict()):
        image = nn.Variable((1, 5, 6, 2))
        # Pad "repeat" + taps
        expected, *results, _ = run_exported(flow_to_high_res(image, 4), {"x": image}, tmp_path)
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-5)


def test_second_run_uses_the_cached_export(tmp_path, monkeypatch):
    first, frames = onnx_model("parity_generate_strong", tmp_path)
    frames = list(frames)
    before = list(first.sequence(frames))
    cached = sorted(os.listdir(tmp_path))
    assert len(cached) == 3 and all(name.endswith(".onnx") for name in cached)  # no temporary file left

    def no_export(*args):
        raise AssertionError("exported again although the cache holds this model")
    monkeypatch.setattr(inference.backends.NnablaNetworks, "export", no_export)
    second, _ = onnx_model("parity_generate_strong", tmp_path)
    after = list(second.sequence(frames))
    assert sorted(os.listdir(tmp_path)) == cached
    for (_, first_output), (_, second_output) in zip(before, after):
        np.testing.assert_array_equal(first_output, second_output)


def test_cache_key_follows_weights_content_block_count_and_window_shapes():
    arrays = read_weight_file(reference_path("parity_generate", "weights.h5"))
    stem = cache_stem(arrays, 2, "60x44")
    assert cache_stem(dict(reversed(list(arrays.items()))), 2, "60x44") == stem  # content, not order
    changed = dict(arrays)
    name = sorted(changed)[0]
    changed[name] = changed[name].copy()
    changed[name].flat[0] += 1e-3
    assert len({stem, cache_stem(changed, 2, "60x44"), cache_stem(arrays, 3, "60x44"),
                cache_stem(arrays, 2, "64x44")}) == 4


def test_auto_backend_is_openvino_on_cpu_and_nnabla_on_gpu_or_without_openvino(monkeypatch):
    assert inference.backends.choose_backend("auto", "cpu") == ("openvino", "cpu")
    assert inference.backends.choose_backend("nnabla", "cpu") == ("nnabla", "cpu")
    monkeypatch.setattr(inference.backends, "openvino_available", lambda: False)
    assert inference.backends.choose_backend("auto", "cpu") == ("nnabla", "cpu")
    monkeypatch.setattr(inference.backends, "openvino_available", lambda: True)
    # as on a GPU with nnabla-ext-cuda
    monkeypatch.setattr(inference.backends, "context_name", lambda requested: "cudnn")
    monkeypatch.setattr(inference.backends,
                        "use_context",
                        lambda requested, device_id=0, type_config="float": requested)
    assert inference.backends.choose_backend("auto", "auto") == ("nnabla", "cudnn")


@pytest.mark.parametrize("available, context, message", [(False, "auto", "needs the packages openvino"),
                                                         (True, "cudnn", "runs on the CPU")])
def test_openvino_backend_that_cannot_run_is_a_user_error(monkeypatch, capsys, tmp_path, available, context,
                                                          message):
    monkeypatch.setattr(inference.backends, "openvino_available", lambda: available)
    with pytest.raises(SystemExit) as exit_info:
        generate.main(["--model", reference_path("parity_generate", "weights.h5"), "--input-dir-lr",
                       reference_path("parity_generate", "lr"), "--output-dir", str(tmp_path / "out"),
                       "--backend", "openvino", "--context", context])
    assert exit_info.value.code == 2
    error_lines = capsys.readouterr().err.strip().splitlines()
    assert len(error_lines) == 1 and message in error_lines[0]
    assert not (tmp_path / "out").exists()


def test_command_line_backends_write_the_same_frames(tmp_path):
    fixture = "parity_generate_strong"
    for backend in ("nnabla", "openvino"):
        generate.main([
            "--model",
            reference_path(fixture, "weights.h5"), "--input-dir-lr",
            reference_path(fixture, "lr"), "--output-dir",
            str(tmp_path / backend), "--backend", backend, "--cache-dir",
            str(tmp_path / "cache")
        ])
    names = sorted(os.listdir(tmp_path / "nnabla"))
    assert len(names) == 8 and names == sorted(os.listdir(tmp_path / "openvino"))
    for name in names:
        nnabla_png = cv2.imread(str(tmp_path / "nnabla" / name)).astype(int)
        onnx_png = cv2.imread(str(tmp_path / "openvino" / name)).astype(int)
        assert np.abs(nnabla_png - onnx_png).max() <= 1  # rounding may tip where a value is near x.5 / 255


def test_read_ahead_keeps_order_and_raises_where_the_source_fails():
    def source():
        yield from range(5)
        raise ValueError("frame 6 is corrupt")
    received = []
    with pytest.raises(ValueError, match="frame 6"):
        for item in read_ahead(source(), depth=2):
            received.append(item)
    assert received == list(range(5))


def test_write_behind_runs_writes_in_order_and_raises_their_error():
    written = []
    with WriteBehind(depth=2) as writer:
        for index in range(6):
            writer.submit(written.append, index)
    assert written == list(range(6))

    def failing_write(index):
        raise OSError("disk full")
    with pytest.raises(OSError, match="disk full"):
        with WriteBehind(depth=2) as writer:
            writer.submit(failing_write, 0)


@needs_ffmpeg
def test_output_video_is_h264_at_the_source_rate_with_the_source_audio(tmp_path):
    fixture = "parity_generate_strong"
    ffmpeg("-framerate", "12.5", "-i", reference_path(fixture, "lr", "lr_%04d.png"),
           "-f", "lavfi", "-i", "sine=frequency=440:duration=0.64", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           "-c:a", "aac", str(tmp_path / "clip.mp4"))
    assert any("Audio: aac" in line for line in stream_summary(tmp_path / "clip.mp4"))
    generate.main([
        "--model",
        reference_path(fixture, "weights.h5"), "--input-video",
        str(tmp_path / "clip.mp4"), "--output-dir",
        str(tmp_path / "out"), "--output-video",
        str(tmp_path / "sr.mp4"), "--cache-dir",
        str(tmp_path / "cache")
    ])
    streams = stream_summary(tmp_path / "sr.mp4")
    assert any("Video: h264" in line and "144x112" in line for line in streams), streams
    assert any("Audio: aac" in line for line in streams), streams
    frames, fps = decoded_frames(tmp_path / "sr.mp4")
    assert len(frames) == 8 and fps == pytest.approx(12.5)
    pngs = [
        cv2.imread(str(tmp_path / "out" / f"output_clip_{index:04d}.png")).astype(float)
        for index in range(1, 9)
    ]
    # each video frame is nearest to its own SR frame, despite H.264 loss
    for index, frame in enumerate(frames):
        assert np.argmin([np.abs(frame - png).mean() for png in pngs]) == index
    assert sorted(os.listdir(tmp_path)) == ["cache", "clip.mp4", "out", "sr.mp4"]  # no temporary left


def test_opencv_writes_the_video_when_ffmpeg_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(video_io, "ffmpeg_executable", lambda: None)
    writer = open_video_writer(str(tmp_path / "sr.mp4"), 10, 32, 24)
    assert isinstance(writer, video_io.VideoWriter)
    for value in range(3):
        writer.write(np.full((24, 32, 3), 80 * value, np.uint8))
    writer.close()
    frames, fps = decoded_frames(tmp_path / "sr.mp4")
    assert len(frames) == 3 and fps == pytest.approx(10)


@pytest.mark.slow
@needs_ffmpeg
def test_peak_memory_stays_flat_over_300_frames(tmp_path):
    carphone = sample_clip("carphone_pristine.mp4")
    for frame_count in (60, 300):  # the 120-frame clip looped, at a quarter size (44x36 -> 176x144)
        ffmpeg("-stream_loop", "2", "-i", carphone, "-vf", "scale=44:36", "-frames:v", str(frame_count),
               "-c:v", "libx264", "-pix_fmt", "yuv420p", str(tmp_path / f"clip{frame_count}.mp4"))
    weights = random_model_file(tmp_path / "tiny.h5", 1)
    peaks = {}
    for frame_count in (60, 300):  # each run exports its own ONNX files, so that both do the same work
        output_dir = tmp_path / f"out{frame_count}"
        peaks[frame_count] = peak_memory_of_generate(
            ["--model", weights, "--input-video", str(tmp_path / f"clip{frame_count}.mp4"), "--output-dir",
             str(output_dir), "--output-video", str(tmp_path / f"sr{frame_count}.mp4"), "--output-ext", "jpg",
             "--cache-dir", str(tmp_path / f"cache{frame_count}")], tmp_path / f"log{frame_count}.txt")
        assert len(os.listdir(output_dir)) == frame_count
    assert len(decoded_frames(tmp_path / "sr300.mp4")[0]) == 300
    # Holding the 240 extra outputs would take 240 x 176 x 144 x 3 x 4 bytes = 70 MiB.
    assert peaks[300] - peaks[60] < 16, peaks


def test_bfloat16_is_recognised_from_the_cpu_flags(tmp_path):
    flags = "flags\t\t: fpu sse2 avx2 avx512f avx512bw"
    (tmp_path / "plain").write_text(f"processor\t: 0\n{flags}\n")
    (tmp_path / "bf16").write_text(f"processor\t: 0\n{flags} avx512_bf16\n")
    (tmp_path / "amx").write_text(f"processor\t: 0\n{flags} amx_tile amx_bf16\n")
    assert not cpu_has_bfloat16(str(tmp_path / "plain"))
    assert cpu_has_bfloat16(str(tmp_path / "bf16")) and cpu_has_bfloat16(str(tmp_path / "amx"))
    assert not cpu_has_bfloat16(str(tmp_path / "missing"))


@pytest.mark.parametrize("backend, precision, has_bf16, message", [
    ("openvino", "bf16", False, "needs a CPU with bfloat16 instructions"),
    ("nnabla", "bf16", True, "--precision bf16 runs on openvino only"),
    ("openvino", "fp16", True, "--precision fp16 runs on nnabla only")])
def test_a_precision_where_it_cannot_run_is_one_line(monkeypatch, capsys, tmp_path, backend, precision,
                                                     has_bf16, message):
    monkeypatch.setattr(inference.backends, "cpu_has_bfloat16", lambda: has_bf16)
    with pytest.raises(SystemExit) as exit_info:
        generate.main(["--model", reference_path("parity_generate", "weights.h5"), "--input-dir-lr",
                       reference_path("parity_generate", "lr"), "--output-dir", str(tmp_path / "out"),
                       "--backend", backend, "--precision", precision])
    assert exit_info.value.code == 2
    error_lines = capsys.readouterr().err.strip().splitlines()
    assert len(error_lines) == 1 and message in error_lines[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not cpu_has_bfloat16(),
                    reason="this CPU has no bfloat16 instructions (AVX512_BF16 or AMX)")
def test_bfloat16_output_is_close_to_float32_on_the_bundled_model(tmp_path):
    _, _, frames = frames_from_folder(shared_path("data", "calendar_lr"))
    frames = [named for _, named in zip(range(4), frames)]
    float32, bfloat16 = (dict(
        SuperResolver(BUNDLED_MODEL, "openvino", "cpu", cache_dir=str(tmp_path),
                      precision=precision).sequence(frames)) for precision in ("fp32", "bf16"))
    for name, output in float32.items():
        difference = np.abs(bfloat16[name] - output)
        assert difference.max() > 0  # computed in bfloat16, not float32
        assert 10 * np.log10(1 / np.mean(difference ** 2)) > 40, name
