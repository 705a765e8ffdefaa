"""generate.py on an x2 model file with no flag: the scale is read from the weights, through both backends,
half precision, --input-dir-hr and mpirun over scenes; a file whose channels fit no scale stops with one
line."""
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

import generate
from conftest import REPO_ROOT, shared_path
from helpers import mpi_environment, MPIRUN
from inference import SuperResolver
from utils.degradation import degrade_frames
from utils.frame_names import list_frames
from utils.image_io import read_rgb, to_uint8, write_rgb

CALENDAR = shared_path("data", "calendar_lr")  # 180x144 real frames


@pytest.fixture(scope="module")
def small_frames(tmp_path_factory):
    """Four calendar frames cut to 60x44, as a folder."""
    folder = tmp_path_factory.mktemp("small")
    for path in list_frames(CALENDAR)[:4]:
        write_rgb(str(folder / os.path.basename(path)), read_rgb(path)[:44, :60])
    return str(folder)


def written(folder):
    return {name: read_rgb(os.path.join(folder, name)) for name in sorted(os.listdir(folder))}


def run_generate(x2_weights, inputs, output, *flags):
    generate.main(["--model", x2_weights, "--input-dir-lr", inputs, "--output-dir", str(output), *flags])
    return written(str(output))


def test_x2_file_gives_frames_twice_the_input_size_and_both_backends_agree(x2_weights, small_frames,
                                                                           tmp_path):
    frames = {backend: run_generate(x2_weights, small_frames, tmp_path / backend, "--backend", backend,
                                    "--cache-dir", str(tmp_path / "cache"))
              for backend in ("nnabla", "openvino")}
    assert len(frames["nnabla"]) == 4 and frames["nnabla"].keys() == frames["openvino"].keys()
    for name, frame in frames["nnabla"].items():
        assert frame.shape == (88, 120, 3)
        # rounding may tip at x.5
        assert np.abs(frame - frames["openvino"][name]).max() <= 1 / 255 + 1e-6, name


def test_x2_file_in_fp16_is_close_to_fp32(x2_weights, tmp_path):
    (tmp_path / "lr").mkdir()
    for path in list_frames(CALENDAR)[:2]:
        write_rgb(str(tmp_path / "lr" / os.path.basename(path)), read_rgb(path)[:8, :12])
    fp32, fp16 = (run_generate(x2_weights, str(tmp_path / "lr"), tmp_path / precision, "--backend", "nnabla",
                               "--precision", precision) for precision in ("fp32", "fp16"))
    for name, expected in fp32.items():
        assert fp16[name].shape == (16, 24, 3)
        assert 10 * np.log10(1 / np.mean((fp16[name] - expected) ** 2)) > 40, name


def test_x2_file_degrades_hr_frames_with_stride_2_and_writes_them_at_their_size(x2_weights, tmp_path):
    (tmp_path / "hr").mkdir()
    hr_frames = [read_rgb(path)[:45, :61] for path in list_frames(CALENDAR)[:3]]  # odd sides: LR 23x31
    for index, frame in enumerate(hr_frames):
        write_rgb(str(tmp_path / "hr" / f"{index}.png"), frame)
    generate.main(["--model", x2_weights, "--input-dir-hr", str(tmp_path / "hr"), "--output-dir",
                   str(tmp_path / "out"), "--backend", "nnabla"])
    outputs = written(str(tmp_path / "out"))
    resolver = SuperResolver(x2_weights, "nnabla", "cpu")
    lr_frames = [(str(index), degrade_frames(read_rgb(str(tmp_path / "hr" / f"{index}.png")), scale=2))
                 for index in range(3)]
    assert lr_frames[0][1].shape == (23, 31, 3)
    for (name, expected), written_frame in zip(resolver.sequence(lr_frames), outputs.values()):
        assert written_frame.shape == (45, 61, 3)
        np.testing.assert_array_equal(to_uint8(written_frame), to_uint8(expected[:45, :61]), err_msg=name)


@pytest.mark.slow
def test_two_ranks_write_the_frames_of_one_process_with_an_x2_file(x2_weights, tmp_path):
    frames = str(tmp_path / "lr")
    os.makedirs(frames)
    for index, path in enumerate(list_frames(CALENDAR)[:6]):
        write_rgb(os.path.join(frames, f"{index}.png"), read_rgb(path)[:40, :48])
    cuts = tmp_path / "cuts.txt"
    cuts.write_text("3\n")  # two scenes, one per rank
    flags = ["--input-dir-lr", frames, "--scene-cuts", str(cuts), "--backend", "nnabla"]
    one = run_generate(x2_weights, frames, tmp_path / "one", *flags[2:])
    command = [
        MPIRUN, "--bind-to", "none", "-n", "2",
        sys.executable, "generate.py", "--model", x2_weights, "--output-dir",
        str(tmp_path / "two"), *flags
    ]
    completed = subprocess.run(command,
                               cwd=REPO_ROOT,
                               env=mpi_environment(),
                               capture_output=True,
                               text=True,
                               timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    two = written(str(tmp_path / "two"))
    assert list(two) == list(one) and all(frame.shape == (80, 96, 3) for frame in two.values())
    for name, frame in one.items():
        np.testing.assert_array_equal(two[name], frame, err_msg=name)


def test_a_file_whose_input_channels_fit_no_scale_stops_with_one_line_naming_it(
        x2_weights, small_frames, tmp_path, capsys):
    odd = str(tmp_path / "x3.h5")
    with h5py.File(x2_weights, "r") as source, h5py.File(odd, "w") as target:
        for name in source:
            source.copy(name, target)
        weight = "generator/generator_unit/input_stage/conv/conv/W"
        del target[weight]
        target[weight] = np.zeros((64, 3, 3, 3 + 3 * 9), np.float32)  # an x3 generator's input
    with pytest.raises(SystemExit) as exit_info:
        generate.main(["--model", odd, "--input-dir-lr", small_frames, "--output-dir", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and odd in lines[0], lines
    assert "shape (64, 3, 3, 30), whose input channels fit no scale" in lines[0], lines
    assert not (tmp_path / "out").exists()
