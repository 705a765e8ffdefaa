"""LPIPS in NNabla against the fixture made with the real lpips package, and the torch-free .pth reader."""
import collections
import hashlib
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import types
import zipfile

import nnabla as nn
import nnabla.functions as F
import nnabla.parametric_functions as PF
import numpy as np
import pytest

from conftest import (REPO_ROOT, UNUSABLE_H5_OUTPUT_IDS, UNUSABLE_H5_OUTPUTS, make_unusable_output,
                      reference_path)
from utils.errors import UserError
from utils.lpips import (LPIPS, alexnet_features, load_lpips_weights, parameter_shapes, save_lpips_weights,
                         to_lpips_input, weights_from_torch)
from utils import torch_pickle
from utils.torch_pickle import read_pth, read_state_dict

ALEXNET_PTH = reference_path("lpips", "alexnet_random.pth")
LIN_PTH = reference_path("lpips", "lpips_v0.1_alex.pth")
REFERENCE = json.load(open(reference_path("lpips", "distances.json")))
INPUTS = np.load(reference_path("lpips", "inputs.npz"))
INTERMEDIATES = np.load(reference_path("lpips", "intermediates.npz"))
TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def arrays():
    return weights_from_torch(read_state_dict(ALEXNET_PTH), read_state_dict(LIN_PTH))


@pytest.fixture(scope="module")
def model(arrays):
    return LPIPS(arrays)


def test_fixture_weight_files_are_the_documented_ones():
    for name, path in (("alexnet_random.pth", ALEXNET_PTH), ("lpips_v0.1_alex.pth", LIN_PTH)):
        assert hashlib.sha256(open(path, "rb").read()).hexdigest() == REFERENCE["files_sha256"][name]


def test_zip_format_trunk_equals_its_seeded_draw():
    """alexnet_random.pth holds RandomState(7) He-normal weights and uniform biases (README), in draw
    order."""
    state = read_state_dict(ALEXNET_PTH)
    draw = np.random.RandomState(7)
    for index in (0, 3, 6, 8, 10):
        weight = state[f"features.{index}.weight"]
        fan_in = np.prod(weight.shape[1:])
        expected_weight = (draw.standard_normal(size=weight.shape) * np.sqrt(2 / fan_in)).astype(np.float32)
        expected_bias = draw.uniform(-0.1, 0.1, size=weight.shape[:1]).astype(np.float32)
        assert np.array_equal(weight, expected_weight)
        assert np.array_equal(state[f"features.{index}.bias"], expected_bias)
    assert list(state) == [f"features.{i}.{kind}" for i in (0, 3, 6, 8, 10) for kind in ("weight", "bias")]


def test_legacy_format_lin_layers_have_the_documented_shapes_and_values():
    state = read_state_dict(LIN_PTH)
    channels = (64, 192, 384, 256, 256)
    assert list(state) == [f"lin{k}.model.1.weight" for k in range(5)]
    for k, (weight, maximum) in enumerate(zip(state.values(), (0.49, 1.05, 1.32, 0.75, 0.41))):
        assert weight.shape == (1, channels[k], 1, 1) and weight.dtype == np.float32
        assert weight.min() >= 0 and weight.max() == pytest.approx(maximum, abs=0.005)


def legacy_header():
    """The first three pickles of the legacy file (magic number, protocol, sys_info)."""
    return open(LIN_PTH, "rb").read()[:119]


class RunsCommand:
    def __reduce__(self):
        return os.system, ("touch pwned_by_pickle",)


def zip_with_pickle(path, data_pkl):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", data_pkl)
        archive.writestr("archive/byteorder", "little")


def test_zip_pickle_that_runs_code_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    zip_with_pickle(tmp_path / "evil.pth", pickle.dumps({"w": RunsCommand()}, protocol=2))
    with pytest.raises(UserError, match="refusing to load 'posix.system'"):
        read_pth(str(tmp_path / "evil.pth"))
    assert not (tmp_path / "pwned_by_pickle").exists()


def test_legacy_pickle_that_runs_code_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "evil.pth").write_bytes(legacy_header() + pickle.dumps(RunsCommand(), protocol=2))
    with pytest.raises(UserError, match="refusing to load"):
        read_pth(str(tmp_path / "evil.pth"))
    assert not (tmp_path / "pwned_by_pickle").exists()


def test_tensor_reaching_past_its_storage_is_refused(tmp_path):
    """features.0.weight with stride 65535 instead of 363 would read outside storage '0'."""
    with zipfile.ZipFile(ALEXNET_PTH) as original, zipfile.ZipFile(tmp_path / "bad.pth", "w") as patched:
        for name in original.namelist():
            data = original.read(name)
            if name.endswith("data.pkl"):
                assert data.count(b"M\x6b\x01") == 1  # BININT2 363
                data = data.replace(b"M\x6b\x01", b"M\xff\xff")
            patched.writestr(name, data)
    with pytest.raises(UserError, match="reaches element"):
        read_pth(str(tmp_path / "bad.pth"))


def test_zip_prefix_other_than_archive_is_accepted(tmp_path):
    with zipfile.ZipFile(ALEXNET_PTH) as original, zipfile.ZipFile(tmp_path / "renamed.pth", "w") as renamed:
        for name in original.namelist():
            renamed.writestr(name.replace("archive/", "alexnet_random/", 1), original.read(name))
    assert np.array_equal(read_state_dict(str(tmp_path / "renamed.pth"))["features.8.weight"],
                          read_state_dict(ALEXNET_PTH)["features.8.weight"])


def test_truncated_legacy_file_is_refused(tmp_path):
    (tmp_path / "short.pth").write_bytes(open(LIN_PTH, "rb").read()[:-100])
    with pytest.raises(UserError, match="truncated"):
        read_pth(str(tmp_path / "short.pth"))


def test_file_that_is_not_a_pth_is_refused(tmp_path):
    (tmp_path / "image.pth").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(UserError, match="not a usable PyTorch weights file"):
        read_pth(str(tmp_path / "image.pth"))


class FakeFloatStorage:
    """Pickled as the global torch.FloatStorage while fake_torch() is in sys.modules."""


def fake_rebuild_tensor_v2(*args):
    raise AssertionError("only pickled, never called")


class TensorStub:
    """Pickles as torch's _rebuild_tensor_v2(storage '0' of numel floats, offset, size, stride), plus a BUILD
    of `state` when given."""

    def __init__(self, numel, size, stride, offset=0, state=None):
        self.numel, self.size, self.stride, self.offset, self.state = numel, size, stride, offset, state

    def __reduce__(self):
        args = (StorageStub(self.numel), self.offset, self.size, self.stride, False,
                collections.OrderedDict())
        return (fake_rebuild_tensor_v2, args) + ((self.state,) if self.state is not None else ())


class StorageStub:
    def __init__(self, numel):
        self.numel = numel


class TorchLikePickler(pickle.Pickler):
    def persistent_id(self, obj):
        return ("storage", FakeFloatStorage, "0", "cpu", obj.numel) if isinstance(obj, StorageStub) else None


@pytest.fixture
def torch_pickle_of(monkeypatch):
    """torch_pickle_of(obj): the data.pkl torch.save would write for obj (TensorStub standing for tensors)."""
    torch, torch_utils = types.ModuleType("torch"), types.ModuleType("torch._utils")
    torch.FloatStorage, torch_utils._rebuild_tensor_v2 = FakeFloatStorage, fake_rebuild_tensor_v2
    FakeFloatStorage.__module__, FakeFloatStorage.__qualname__ = "torch", "FloatStorage"
    fake_rebuild_tensor_v2.__module__ = "torch._utils"
    fake_rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "torch._utils", torch_utils)

    def dumps(obj):
        buffer = io.BytesIO()
        TorchLikePickler(buffer, protocol=2).dump(obj)
        return buffer.getvalue()
    return dumps


FOUR_FLOATS = np.arange(4, dtype="<f4").tobytes()


def zip_pth(path, data_pkl, storage=FOUR_FLOATS):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", data_pkl)
        archive.writestr("archive/byteorder", "little")
        archive.writestr("archive/data/0", storage)
    return str(path)


def test_crafted_tensor_pickle_is_read_like_a_torch_one(tmp_path, torch_pickle_of):
    """The crafting helpers make what the reader reads: the hostile variants below differ only in one
    field."""
    path = zip_pth(tmp_path / "good.pth", torch_pickle_of({"w": TensorStub(4, (2, 2), (1, 2))}))
    assert np.array_equal(read_state_dict(path)["w"], np.arange(4, dtype=np.float32).reshape(2, 2).T)


def test_huge_shape_of_stride_0_is_refused_before_any_allocation(tmp_path, torch_pickle_of):
    """A file of a few hundred bytes claims a 16384x16384 float tensor repeating one element (1 GiB if
    copied)."""
    path = zip_pth(tmp_path / "huge.pth", torch_pickle_of({"w": TensorStub(4, (16384, 16384), (0, 0))}))
    assert os.path.getsize(path) < 1000
    script = (
        "import resource, sys\nfrom utils.errors import UserError\nfrom utils.torch_pickle import read_pth\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        "try:\n    read_pth(sys.argv[1])\nexcept UserError as error:\n    print(error)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    result = subprocess.run([sys.executable, "-c", script, path], cwd=REPO_ROOT, capture_output=True,
                            text=True, check=False)
    peak_after_imports_kib, message, peak_kib = result.stdout.strip().splitlines()
    assert "has 268435456 elements, more than its storage of 4" in message
    assert int(peak_kib) - int(peak_after_imports_kib) < 32 * 1024


@pytest.mark.parametrize("state", [{"storage": 5}, (None, {"size": "big"})], ids=["dict", "slots"])
def test_build_that_rewrites_a_tensor_is_refused(tmp_path, torch_pickle_of, state):
    path = zip_pth(tmp_path / "build.pth", torch_pickle_of({"w": TensorStub(4, (4,), (1,), state=state)}))
    with pytest.raises(UserError, match=r"rewrites a TensorRef \(BUILD\)"):
        read_pth(path)


def test_an_empty_tensor_of_impossible_shape_is_refused(tmp_path, torch_pickle_of):
    path = zip_pth(tmp_path / "empty.pth", torch_pickle_of({"w": TensorStub(4, (0, 2 ** 62), (1, 1))}))
    with pytest.raises(UserError, match=r"impossible shape \(0, 4611686018427387904\)"):
        read_pth(path)


def test_many_tensors_over_one_storage_share_it(tmp_path, torch_pickle_of):
    """Each of 1000 tensors claims the whole storage: views, not 1000 copies."""
    path = zip_pth(tmp_path / "many.pth", torch_pickle_of({f"w{index}": TensorStub(4, (4,), (1,))
                                                           for index in range(1000)}))
    state = read_state_dict(path)
    assert len({array.ctypes.data for array in state.values()}) == 1
    assert not state["w0"].flags.writeable


@pytest.mark.parametrize(
    "size, stride, offset", [((4.0, ), (1, ), 0), ((4, ), (1, 1), 0), ((4, ), (-1, ), 0), ((4, ), (1, ), "0"),
                             ((1, ) * 40, (1, ) * 40, 0)],
    ids=["float size", "stride of other length", "negative stride", "text offset", "40 dims"])
def test_tensor_with_malformed_size_stride_or_offset_is_refused(tmp_path, torch_pickle_of, size, stride,
                                                                offset):
    path = zip_pth(tmp_path / "odd.pth", torch_pickle_of({"w": TensorStub(4, size, stride, offset)}))
    with pytest.raises(UserError, match="offset, size or stride is not a tuple of counts"):
        read_pth(path)


def test_storage_of_a_partial_element_is_refused(tmp_path, torch_pickle_of):
    path = zip_pth(tmp_path / "odd.pth", torch_pickle_of({"w": TensorStub(1, (1,), (1,))}), storage=b"\0" * 6)
    with pytest.raises(UserError, match="storage '0' has 6 bytes, not a whole number of 4-byte elements"):
        read_pth(path)


def nested_lists(depth):
    return b"\x80\x02" + b"]" * depth + b"a" * (depth - 1) + b"."  # EMPTY_LIST x depth, APPEND x depth-1


def test_containers_nested_without_end_are_refused(tmp_path):
    with pytest.raises(UserError, match="nests containers more than 100 deep"):
        read_pth(zip_pth(tmp_path / "deep.pth", nested_lists(150)))


def test_a_pickle_that_would_stack_100000_objects_is_refused_before_building_them(tmp_path, monkeypatch):
    def no_loading(*arguments):
        raise AssertionError("the pickle was loaded")
    monkeypatch.setattr(torch_pickle.RestrictedUnpickler, "load", no_loading)
    with pytest.raises(UserError, match="holds more than 10000 objects at once"):
        read_pth(zip_pth(tmp_path / "deep.pth", nested_lists(100000)))


def test_a_structure_shared_exponentially_often_is_read_in_its_own_size(tmp_path, torch_pickle_of):
    """60 levels of [inner, inner]: 2^60 references to one tensor in a pickle of a few hundred bytes."""
    shared = TensorStub(4, (4,), (1,))
    for _ in range(60):
        shared = [shared, shared]
    path = zip_pth(tmp_path / "laughs.pth", torch_pickle_of({"w": shared}))
    script = (
        "import sys\nfrom utils.torch_pickle import read_pth\nvalue = read_pth(sys.argv[1])['w']\n"
        "for _ in range(60):\n    assert value[0] is value[1]\n    value = value[0]\nprint(value.sum())")
    result = subprocess.run([sys.executable, "-c", script, path], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.stdout.strip() == "6.0", result.stderr


def test_a_list_inside_itself_is_refused(tmp_path):
    """EMPTY_LIST, BINPUT 0, BINGET 0, APPEND, STOP: a list holding itself."""
    with pytest.raises(UserError, match="nests containers more than 100 deep"):
        read_pth(zip_pth(tmp_path / "cycle.pth", b"\x80\x02]q\x00h\x00a."))


@pytest.mark.parametrize("claim", [b"X\xff\xff\xff\xff", b"\x8e" + (2 ** 62).to_bytes(8, "little")],
                         ids=["4 GiB text", "2^62 bytes"])
@pytest.mark.parametrize("layout", ["zip", "legacy"])
def test_a_string_longer_than_the_file_is_refused(tmp_path, claim, layout):
    data_pkl = b"\x80\x02" + claim + b"short."
    path = tmp_path / "long.pth"
    if layout == "zip":
        zip_pth(path, data_pkl)
    else:
        path.write_bytes(legacy_header() + data_pkl)
    with pytest.raises(UserError, match="not a usable PyTorch weights file"):
        read_pth(str(path))


def test_a_compressed_storage_is_refused_before_it_is_inflated(tmp_path, torch_pickle_of):
    """64 MiB of zeros deflate to a few tens of KiB: a zip bomb, which torch.save never writes."""
    path = tmp_path / "bomb.pth"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", torch_pickle_of({"w": TensorStub(4, (4,), (1,))}))
        archive.writestr("archive/data/0", bytes(64 << 20), compress_type=zipfile.ZIP_DEFLATED)
    assert os.path.getsize(path) < 1 << 20
    with pytest.raises(UserError, match="holds the compressed member 'archive/data/0'"):
        read_pth(str(path))


def test_a_zip_whose_pickle_is_damaged_is_refused(tmp_path):
    with open(ALEXNET_PTH, "rb") as original:
        data = bytearray(original.read())
    with zipfile.ZipFile(ALEXNET_PTH) as archive:
        member = archive.getinfo("archive/data.pkl")
    start = member.header_offset + 30 + len(member.filename) + len(member.extra)
    data[start + 10:start + 20] = b"\xff" * 10  # stored bytes no longer match their CRC
    (tmp_path / "damaged.pth").write_bytes(bytes(data))
    with pytest.raises(UserError, match="damaged zip file"):
        read_pth(str(tmp_path / "damaged.pth"))


@pytest.mark.parametrize("make", [os.mkfifo, lambda path: os.symlink("/dev/zero", path)], ids=["pipe", "/dev/zero"])
def test_a_pipe_or_device_as_weights_file_is_refused_at_once(tmp_path, make):
    """A pipe waited without end for a writer; /dev/zero was read until memory ran out."""
    make(tmp_path / "alex.pth")
    result = run_converter("--alexnet", str(tmp_path / "alex.pth"), "--lpips", LIN_PTH, "--output",
                           str(tmp_path / "out.h5"))
    assert (result.returncode, result.stderr) == (
        2, f"error: PyTorch weights file '{tmp_path / 'alex.pth'}' is a pipe or device, not a file\n")


def test_an_output_name_ending_in_upper_case_H5_is_written_as_hdf5(converted, tmp_path):
    """--output alex.H5 passed the check (extensions compare case-insensitively), then NNabla's save asserted
    on the extension: a traceback after the conversion."""
    result = run_converter("--alexnet", ALEXNET_PTH, "--lpips", LIN_PTH, "--output", str(tmp_path / "alex.H5"))
    assert result.returncode == 0, result.stderr
    upper, lower = load_lpips_weights(str(tmp_path / "alex.H5")), load_lpips_weights(converted)
    assert upper.keys() == lower.keys() and all(np.array_equal(upper[name], lower[name]) for name in upper)


def test_a_folder_given_as_weights_file_is_named_a_folder(tmp_path):
    with pytest.raises(UserError, match="is a folder, not a file"):
        read_pth(str(tmp_path))


@pytest.mark.parametrize("pair", REFERENCE["pairs"], ids=lambda pair: pair["kind"])
def test_distance_and_layer_terms_match_the_lpips_package(model, pair):
    terms = model.per_layer(INPUTS[pair["a"]], INPUTS[pair["b"]])[0]
    assert np.abs(terms - np.array(pair["per_layer"])).max() <= TOLERANCE
    assert abs(terms.sum() - pair["distance"]) <= TOLERANCE


def test_identical_images_are_at_distance_zero(model):
    assert np.abs(model(INPUTS["a_0"], INPUTS["b_0"])).max() <= 1e-12


def test_batched_pairs_match_the_lpips_package(model):
    batch = REFERENCE["batch"]
    a = np.concatenate([INPUTS["a_1"], INPUTS["a_4"]])
    b = np.concatenate([INPUTS["b_1"], INPUTS["b_4"]])
    terms = model.per_layer(a, b)
    assert np.abs(terms - np.array(batch["per_layer"])).max() <= TOLERANCE
    assert np.abs(terms.sum(axis=1) - np.array(batch["distance"])).max() <= TOLERANCE


@pytest.mark.parametrize("pair_index", [1, 3])
def test_trunk_taps_match_the_lpips_package(arrays, pair_index):
    params = {name: nn.Variable.from_numpy_array(array) for name, array in arrays.items()}
    scaled = INTERMEDIATES[f"p{pair_index}_a_scaled"]
    taps = alexnet_features(nn.Variable.from_numpy_array(scaled), params)
    nn.forward_all(taps)
    for layer, tap in enumerate(taps, start=1):
        reference = INTERMEDIATES[f"p{pair_index}_a_relu{layer}"]
        assert tap.shape == reference.shape
        assert np.abs(tap.d - reference).max() <= 1e-4 * max(1.0, np.abs(reference).max())


def test_sequence_gives_the_same_distances_as_separate_pairs(model):
    frames = np.concatenate([INPUTS[f"a_{k}"] for k in (0, 1, 4)] + [INPUTS["b_1"]])  # four 64x64 frames
    noisy = np.clip(frames + np.random.RandomState(3).normal(0, 0.05, frames.shape), -1, 1).astype(np.float32)
    distances, target_steps, output_steps = model.sequence(frames, noisy)
    assert np.allclose(distances, model(frames, noisy), atol=1e-7, rtol=0)
    assert np.allclose(target_steps, model(frames[:-1], frames[1:]), atol=1e-7, rtol=0)
    assert np.allclose(output_steps, model(noisy[:-1], noisy[1:]), atol=1e-7, rtol=0)


def test_sequence_of_one_frame_has_no_temporal_pairs(model):
    distances, target_steps, output_steps = model.sequence(INPUTS["a_1"], INPUTS["b_1"])
    assert abs(distances[0] - REFERENCE["pairs"][1]["distance"]) <= TOLERANCE
    assert len(target_steps) == len(output_steps) == 0


def test_to_lpips_input_maps_8_bit_rgb_to_nchw_in_minus_one_to_one():
    rgb = np.array([[[0, 127, 255]]], np.uint8)
    assert np.array_equal(to_lpips_input(rgb), np.array([0 / 127.5 - 1, 127 / 127.5 - 1, 255 / 127.5 - 1],
                                                        np.float32).reshape(1, 3, 1, 1))


def run_converter(*args):
    return subprocess.run([sys.executable, os.path.join(REPO_ROOT, "convert_lpips_weights.py"), *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("lpips") / "alex_with_LPIPS.h5")
    result = run_converter("--alexnet", ALEXNET_PTH, "--lpips", LIN_PTH, "--output", path)
    assert result.returncode == 0, result.stderr
    return path


def test_converter_writes_every_torch_tensor_under_its_nnabla_name(converted):
    alexnet, lins = read_state_dict(ALEXNET_PTH), read_state_dict(LIN_PTH)
    loaded = load_lpips_weights(converted)
    for index in (0, 3, 6, 8, 10):
        assert np.array_equal(loaded[f"conv{index}/conv/W"], alexnet[f"features.{index}.weight"])
        assert np.array_equal(loaded[f"conv{index}/conv/b"], alexnet[f"features.{index}.bias"])
    for k in range(5):
        assert np.array_equal(loaded[f"lin{k}_model_1_weight"], lins[f"lin{k}.model.1.weight"])
    assert not [name for name in os.listdir(os.path.dirname(converted)) if name.startswith(".")]


def test_converted_file_loads_into_nnabla_examples_style_network(converted):
    """nn.load_parameters, then the network as nnabla-examples' get_alex_feat builds it with PF.convolution:
    the file's names and shapes must be the ones it creates, and it must give our relu5."""
    scaled = nn.Variable.from_numpy_array(INTERMEDIATES["p1_a_scaled"])
    with nn.parameter_scope("lpips_layout_check"):
        nn.load_parameters(converted)
        h = F.relu(PF.convolution(scaled, 64, (11, 11), pad=(2, 2), stride=(4, 4), name="conv0"))
        h = F.relu(PF.convolution(F.max_pooling(h, (3, 3), (2, 2)), 192, (5, 5), pad=(2, 2), name="conv3"))
        h = F.relu(PF.convolution(F.max_pooling(h, (3, 3), (2, 2)), 384, (3, 3), pad=(1, 1), name="conv6"))
        h = F.relu(PF.convolution(h, 256, (3, 3), pad=(1, 1), name="conv8"))
        relu5 = F.relu(PF.convolution(h, 256, (3, 3), pad=(1, 1), name="conv10"))
        for k, channels in enumerate((64, 192, 384, 256, 256)):
            nn.parameter.get_parameter_or_create(f"lin{k}_model_1_weight", (1, channels, 1, 1))
        names = set(nn.get_parameters(grad_only=False))
        relu5.forward()
        nn.clear_parameters()
    assert names == set(parameter_shapes())
    params = {
        name: nn.Variable.from_numpy_array(array) for name, array in load_lpips_weights(converted).items()
    }
    ours = alexnet_features(scaled, params)[4]
    ours.forward()
    assert np.array_equal(relu5.d, ours.d)


def test_converter_with_swapped_files_says_what_is_missing(tmp_path):
    result = run_converter("--alexnet", LIN_PTH, "--lpips", ALEXNET_PTH, "--output", str(tmp_path / "out.h5"))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error:") and "features.0.weight" in line
    assert not (tmp_path / "out.h5").exists()


def test_converter_with_a_missing_file_fails_in_one_line(tmp_path):
    result = run_converter("--alexnet", str(tmp_path / "none.pth"), "--lpips", LIN_PTH,
                           "--output", str(tmp_path / "out.h5"))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error:") and "none.pth" in line


@pytest.mark.parametrize("make, output, message", UNUSABLE_H5_OUTPUTS, ids=UNUSABLE_H5_OUTPUT_IDS)
def test_converter_with_an_unusable_output_fails_in_one_line_and_writes_nothing(
        tmp_path, make, output, message):
    make_unusable_output(tmp_path, make, output)
    before = sorted(tmp_path.rglob("*"))
    result = run_converter("--alexnet", ALEXNET_PTH, "--lpips", LIN_PTH, "--output", str(tmp_path / output))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {message.format(flag='--output', tmp=tmp_path)}")
    assert sorted(tmp_path.rglob("*")) == before


def test_converter_with_a_folder_as_input_names_it_a_folder(tmp_path):
    result = run_converter("--alexnet", str(tmp_path), "--lpips", LIN_PTH, "--output",
                           str(tmp_path / "out.h5"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: --alexnet '{tmp_path}' is a folder, not a file"]


def test_lpips_weights_that_are_a_folder_are_named_a_folder(tmp_path):
    with pytest.raises(UserError, match="LPIPS weights file '.*' is a folder, not a file"):
        load_lpips_weights(str(tmp_path))


def test_weights_file_without_lpips_parameters_is_refused(tmp_path, arrays):
    partial = dict(arrays)
    del partial["lin4_model_1_weight"]
    nn.save_parameters(str(tmp_path / "partial.h5"), {name: nn.Variable.from_numpy_array(array)
                                                      for name, array in partial.items()})
    with pytest.raises(UserError, match="lin4_model_1_weight"):
        load_lpips_weights(str(tmp_path / "partial.h5"))


def test_weights_file_that_is_not_hdf5_is_refused(tmp_path):
    shutil.copy(LIN_PTH, tmp_path / "alex.h5")
    with pytest.raises(UserError, match="not an HDF5"):
        load_lpips_weights(str(tmp_path / "alex.h5"))


def test_save_then_load_round_trips(tmp_path, arrays):
    save_lpips_weights(str(tmp_path / "round.h5"), arrays)
    loaded = load_lpips_weights(str(tmp_path / "round.h5"))
    assert all(np.array_equal(loaded[name], arrays[name]) for name in parameter_shapes())


def test_reader_needs_no_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # any import of torch fails now, installed or not
    state = read_pth(LIN_PTH)
    assert isinstance(state, dict) and state
