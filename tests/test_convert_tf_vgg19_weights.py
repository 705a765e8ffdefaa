"""convert_tf_vgg19_weights.py on real checkpoints written here by TensorFlow (slim's names, small widths)."""
import ast
import subprocess
import sys
import tarfile

import h5py
import numpy as np
import pytest

import convert_tf_vgg19_weights as converter
from conftest import (REPO_ROOT, UNUSABLE_H5_OUTPUT_IDS, UNUSABLE_H5_OUTPUTS, make_unusable_output,
                      reference_path)
from helpers import script_error_line
from utils.errors import UserError


@pytest.fixture(scope="module")
def tf():
    """TensorFlow writes the checkpoints (requirements-test.txt has it); imported here, not when tests are
    collected."""
    import tensorflow
    return tensorflow

# slim's vgg_19 layers with narrow widths and a 2x2 fc6 kernel (the real one is 7x7 over 512 channels):
# (variable scope, kernel size, output channels).
SLIM_LAYERS = (
    [(f"vgg_19/conv{block}/conv{block}_{k}", 3, width)
     for block, (count, width) in enumerate(zip((2, 2, 4, 4, 4), (4, 6, 8, 10, 12)), start=1)
     for k in range(1, count + 1)]
    + [("vgg_19/fc6", 2, 16), ("vgg_19/fc7", 1, 14), ("vgg_19/fc8", 1, 10)])


def random_slim_arrays():
    """{variable name: array} in TF's layout: weights (kh, kw, in, out), biases (out,)."""
    rng = np.random.RandomState(0)
    arrays = {}
    channels = 3
    for scope, kernel, width in SLIM_LAYERS:
        arrays[f"{scope}/weights"] = rng.standard_normal((kernel, kernel, channels, width)).astype(np.float32)
        arrays[f"{scope}/biases"] = rng.standard_normal(width).astype(np.float32)
        channels = width
    arrays["global_step"] = np.array(12345, dtype=np.int64)  # the released file has one too
    return arrays


def write_checkpoint(tf, arrays, prefix, version):
    tf1 = tf.compat.v1
    with tf.Graph().as_default():
        for name, array in arrays.items():
            tf1.get_variable(name, initializer=tf.constant(array))
        saver = tf1.train.Saver(write_version=version)
        with tf1.Session() as session:
            session.run(tf1.global_variables_initializer())
            saver.save(session, str(prefix), write_meta_graph=False)


@pytest.fixture(scope="module")
def checkpoints(tf, tmp_path_factory):
    """{'V2': prefix, 'V1': single file, 'tar.gz': the V1 file packed as vgg_19_2016_08_28.tar.gz is}."""
    folder = tmp_path_factory.mktemp("checkpoints")
    arrays = random_slim_arrays()
    (folder / "v2").mkdir()
    write_checkpoint(tf, arrays, folder / "v2" / "vgg_19.ckpt", tf.compat.v1.train.SaverDef.V2)
    paths = {"V2": folder / "v2" / "vgg_19.ckpt"}
    (folder / "v1").mkdir()
    try:
        write_checkpoint(tf, arrays, folder / "v1" / "vgg_19.ckpt", tf.compat.v1.train.SaverDef.V1)
    except Exception as error:  # a TensorFlow that no longer writes V1
        paths["V1_error"] = repr(error)
        return arrays, paths
    paths["V1"] = folder / "v1" / "vgg_19.ckpt"
    with tarfile.open(folder / "vgg_19_2016_08_28.tar.gz", "w:gz") as archive:
        archive.add(paths["V1"], arcname="vgg_19.ckpt")
    paths["tar.gz"] = folder / "vgg_19_2016_08_28.tar.gz"
    return arrays, paths


def reference_names_and_shapes():
    with open(reference_path("params_vgg19_h5.txt")) as file:
        rows = [line.rstrip("\n").split("\t") for line in file if line.strip()]
    return [(name, ast.literal_eval(shape)) for name, shape in rows]


def read_h5_in_file_order(path):
    """[(name, array)] ordered by the 'index' attribute NNabla writes."""
    with h5py.File(path, "r") as h5:
        entries = []
        h5.visititems(lambda name, item: entries.append((item.attrs["index"], name, item[()]))
                      if isinstance(item, h5py.Dataset) else None)
    return [(name, array) for _, name, array in sorted(entries)]


def expected_file_arrays(slim_arrays):
    """The official file layout, computed independently: (kh, kw, in, out) -> (out, kh, kw, in)."""
    reference_names = [name for name, _ in reference_names_and_shapes()]
    slim_names = [f"{scope}/{kind}" for scope, _, _ in SLIM_LAYERS for kind in ("weights", "biases")]
    return {nnabla: np.moveaxis(slim_arrays[slim], 3, 0) if slim.endswith("weights") else slim_arrays[slim]
            for nnabla, slim in zip(reference_names, slim_names)}


def assert_converted(output, slim_arrays):
    converted = read_h5_in_file_order(output)
    reference = reference_names_and_shapes()
    assert [name for name, _ in converted] == [name for name, _ in reference]
    expected = expected_file_arrays(slim_arrays)
    for (name, array), (_, reference_shape) in zip(converted, reference):
        assert array.ndim == len(reference_shape), name
        if name.startswith("conv") and name.endswith("/W"):
            assert array.shape[1:3] == reference_shape[1:3], name  # the 3x3 kernel sits in the middle
        np.testing.assert_array_equal(array, expected[name], err_msg=name)


@pytest.mark.parametrize("form", ["V2", "V1", "tar.gz"])
def test_every_tensor_arrives_under_the_official_name_in_the_channel_last_layout(checkpoints, tmp_path, form):
    slim_arrays, paths = checkpoints
    if form not in paths:
        pytest.skip(f"this TensorFlow cannot write V1 checkpoints: {paths['V1_error']}")
    output = tmp_path / "vgg19.h5"
    converter.main(["--pre_trained_model", str(paths[form]), "--save-path", str(output)])
    assert_converted(output, slim_arrays)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["vgg19.h5"]  # no temporary left behind


def test_a_save_path_ending_in_upper_case_H5_is_written_as_hdf5(checkpoints, tmp_path):
    """--save-path VGG19.H5 passed the check, then NNabla's save asserted on the extension after the work."""
    slim_arrays, paths = checkpoints
    converter.main(["--pre_trained_model", str(paths["V2"]), "--save-path", str(tmp_path / "VGG19.H5")])
    assert_converted(tmp_path / "VGG19.H5", slim_arrays)


def test_a_checkpoint_without_a_vgg19_layer_is_refused_by_name(tf, tmp_path):
    arrays = {
        name: array for name, array in random_slim_arrays().items() if not name.startswith("vgg_19/fc8")
    }
    write_checkpoint(tf, arrays, tmp_path / "partial.ckpt", tf.compat.v1.train.SaverDef.V2)
    with pytest.raises(UserError, match="lacks vgg_19/fc8/weights and 1 more"):
        converter.convert(str(tmp_path / "partial.ckpt"), str(tmp_path / "out.h5"))
    assert not (tmp_path / "out.h5").exists()


def test_layers_that_do_not_chain_up_are_refused(tf, tmp_path):
    arrays = random_slim_arrays()
    # 3 inputs, not 4
    arrays["vgg_19/conv2/conv2_1/weights"] = arrays["vgg_19/conv2/conv2_1/weights"][:, :, :3]
    write_checkpoint(tf, arrays, tmp_path / "odd.ckpt", tf.compat.v1.train.SaverDef.V2)
    with pytest.raises(UserError, match="vgg_19/conv2/conv2_1: .* taking 4 channels"):
        converter.convert(str(tmp_path / "odd.ckpt"), str(tmp_path / "out.h5"))


def test_a_file_that_is_no_checkpoint_is_refused(tf, tmp_path):
    (tmp_path / "junk.ckpt").write_bytes(b"not a checkpoint " * 100)
    with pytest.raises(UserError, match="cannot read .*junk.ckpt' as a TensorFlow checkpoint"):
        converter.convert(str(tmp_path / "junk.ckpt"), str(tmp_path / "out.h5"))


def test_without_tensorflow_the_error_says_how_to_install_it(checkpoints, tmp_path, monkeypatch):
    _, paths = checkpoints
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # makes `import tensorflow` fail
    with pytest.raises(UserError, match=r"pip install tensorflow-cpu==2\.16\.\*"):
        converter.convert(str(paths["V2"]), str(tmp_path / "out.h5"))


def test_a_missing_checkpoint_is_one_line_and_exit_code_2(tmp_path):
    result = subprocess.run([sys.executable, "convert_tf_vgg19_weights.py", "--pre_trained_model",
                             str(tmp_path / "nowhere.ckpt"), "--save-path", str(tmp_path / "out.h5")],
                            cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(
        f"error: --pre_trained_model '{tmp_path / 'nowhere.ckpt'}' does not exist")


def test_main_called_as_a_function_turns_a_user_error_into_one_line_and_exit_code_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        converter.main(
            ["--pre_trained_model",
             str(tmp_path / "nowhere.ckpt"), "--save-path",
             str(tmp_path / "o.h5")])
    assert exit_info.value.code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: --pre_trained_model '{tmp_path / 'nowhere.ckpt'}' does not exist")


def cut_in_gzip_header(data):
    return data[:20]


def cut_in_half(data):
    return data[:len(data) // 2]


def cut_in_gzip_trailer(data):
    return data[:-4]


def corrupt_in_the_middle(data):
    middle = len(data) // 2
    return data[:middle] + bytes(byte ^ 0xFF for byte in data[middle:middle + 64]) + data[middle + 64:]


@pytest.mark.parametrize("damage",
                         [cut_in_gzip_header, cut_in_half, cut_in_gzip_trailer, corrupt_in_the_middle])
@pytest.mark.parametrize("name", ["vgg_19_2016_08_28.tar.gz", "download.bin"])
def test_a_truncated_or_corrupt_archive_is_one_line_and_writes_nothing(checkpoints, tmp_path, damage, name):
    _, paths = checkpoints
    if "tar.gz" not in paths:
        pytest.skip(f"this TensorFlow writes no V1 checkpoint: {paths['V1_error']}")
    (tmp_path / name).write_bytes(damage(paths["tar.gz"].read_bytes()))
    with pytest.raises(UserError, match=f"cannot unpack .*{name}.*download vgg_19_2016_08_28.tar.gz again"):
        converter.convert(str(tmp_path / name), str(tmp_path / "out.h5"))
    assert sorted(path.name for path in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize("make, save_path, message", UNUSABLE_H5_OUTPUTS, ids=UNUSABLE_H5_OUTPUT_IDS)
def test_an_unusable_save_path_is_one_line_before_any_work(checkpoints, tmp_path, make, save_path, message):
    _, paths = checkpoints
    make_unusable_output(tmp_path, make, save_path)
    before = sorted(tmp_path.rglob("*"))
    line = script_error_line("convert_tf_vgg19_weights.py", "--pre_trained_model", str(paths["V2"]), "--save-path",
                             str(tmp_path / save_path))
    assert line.startswith(f"error: {message.format(flag='--save-path', tmp=tmp_path)}")
    assert sorted(tmp_path.rglob("*")) == before


def test_a_folder_given_as_checkpoint_is_named_a_folder(tmp_path):
    with pytest.raises(UserError, match=r"--pre_trained_model '.*' is a folder, not a file"):
        converter.convert(str(tmp_path), str(tmp_path / "out.h5"))


# The fifth hostile pass: a full temporary folder was called a damaged archive to download again, and a pipe as
# the checkpoint waited for a writer without end.

def test_a_full_temporary_folder_while_unpacking_says_so_and_not_to_download_again(checkpoints, tmp_path,
                                                                                  monkeypatch):
    import errno
    _, paths = checkpoints
    if "tar.gz" not in paths:
        pytest.skip(f"this TensorFlow writes no V1 checkpoint: {paths['V1_error']}")

    class FullDisk:
        def __init__(self, path, mode):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *error):
            return False

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(converter, "open", FullDisk, raising=False)
    with pytest.raises(UserError, match=r"^no space left in the temporary folder '.*' to unpack '.*'; free some "
                                        r"space, or set TMPDIR to a folder on a larger disk$"):
        converter.convert(str(paths["tar.gz"]), str(tmp_path / "out.h5"))
    assert list(tmp_path.iterdir()) == []


def test_a_pipe_given_as_checkpoint_is_one_line(tmp_path):
    import os
    os.mkfifo(tmp_path / "vgg_19.ckpt")
    with pytest.raises(UserError, match=r"--pre_trained_model '.*' is a pipe or device, not a file"):
        converter.convert(str(tmp_path / "vgg_19.ckpt"), str(tmp_path / "out.h5"))


def test_an_empty_archive_is_one_line(tmp_path):
    """The sixth hostile pass: tarfile's error for an empty .tar.gz lists each method it tried on a line of its
    own, and the error took four lines."""
    (tmp_path / "vgg_19_2016_08_28.tar.gz").write_bytes(b"")
    with pytest.raises(UserError) as error:
        converter.convert(str(tmp_path / "vgg_19_2016_08_28.tar.gz"), str(tmp_path / "out.h5"))
    assert str(error.value).startswith(f"cannot unpack '{tmp_path / 'vgg_19_2016_08_28.tar.gz'}' (")
    assert "\n" not in str(error.value)
    assert not (tmp_path / "out.h5").exists()
