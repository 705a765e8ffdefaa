"""The main job: the demo pipeline end to end, the bundled model and its recipe."""
import glob
import os

import cv2
import numpy as np
import pytest
from PIL import Image

import demo
from conftest import REPO_ROOT
from inference import NnablaNetworks
from models import model_scale
from training.config import load_config
from utils import metrics, pictures
from utils.paths import BUNDLED_MODEL, BUNDLED_X2_MODEL
from utils.weights import count_resblocks, read_weight_file

RECIPES = [os.path.join(REPO_ROOT, "recipes", name)  # the stages of `make demo-model`, in order
           for name in ("demo_frvsr.yaml", "demo_tecogan.yaml", "demo_texture.yaml",
                        "demo_detail.yaml")]
X2_RECIPES = [os.path.join(REPO_ROOT, "recipes", "demo_x2_frvsr.yaml")]  # the stages of `make demo-model-x2`


def test_demo_pipeline_writes_every_file_and_a_table_of_both_methods(tmp_path):
    out = tmp_path / "demo"
    demo.main(["--frames", "6", "--region", "40,200,72,96", "--output", str(out)])
    for folder in ("lr", "bicubic", "sr", "ground_truth"):
        assert len(os.listdir(out / folder)) == 6, folder
    assert (out / "sr.mp4").stat().st_size > 0
    assert (out / "bicubic_ours_truth.gif").read_bytes()[:6] == b"GIF89a"
    frame_height, frame_width = cv2.imread(str(out / "ground_truth" / "0001.png")).shape[:2]
    window_height, window_width = min(pictures.DETAIL_WINDOW[0], frame_height), min(pictures.DETAIL_WINDOW[1],
                                                                                     frame_width)
    row_width = 3 * pictures.ZOOM * window_width + 2 * pictures.GAP
    # the labelled full frame of ours, a gap, then the title and the labelled enlarged windows
    assert cv2.imread(str(out / "bicubic_ours_truth.png")).shape == (
        3 * pictures.LABEL_HEIGHT + frame_height + pictures.GAP + pictures.ZOOM * window_height,
        max(frame_width, row_width), 3)
    rows = table_rows(out)
    assert list(rows) == ["x4 bicubic", "ours"]
    truth = read_frames(out / "ground_truth", "*.png")
    for name, pattern in (("x4 bicubic", "bicubic/*.png"), ("ours", "sr/output_*.png")):
        assert float(rows[name]["HF"]) == pytest.approx(
            metrics.high_frequency_ratio(truth, read_frames(out, pattern)), abs=5e-4), name
    assert not [name for name in os.listdir(out) if name.startswith(".") and name != demo.DEMO_MARK]


def read_frames(folder, pattern):
    """The 8-bit RGB frames of folder/pattern, in name order."""
    return np.stack([cv2.imread(path)[:, :, ::-1] for path in sorted(glob.glob(str(folder / pattern)))])


def table_rows(out):
    """{method: {column: value}} of the demo's metrics.md."""
    lines = [[cell.strip() for cell in line.strip("|").split("|")]
             for line in (out / "metrics.md").read_text().splitlines()]
    columns = [title.split()[0] for title in lines[0][1:]]
    return {cells[0]: dict(zip(columns, cells[1:])) for cells in lines[2:]}


@pytest.mark.slow
def test_on_its_default_clip_the_demo_beats_bicubic_in_psnr_temporal_consistency_and_detail(tmp_path):
    demo.main(["--output", str(tmp_path / "demo")])  # bikes.mp4, 60 frames
    rows = table_rows(tmp_path / "demo")
    bicubic, ours = rows["x4 bicubic"], rows["ours"]
    assert float(ours["PSNR"]) > float(bicubic["PSNR"]) + 1.75  # dB
    assert float(ours["tOF"]) < 0.7 * float(bicubic["tOF"])
    assert float(ours["SSIM"]) > float(bicubic["SSIM"])
    assert float(ours["HF"]) > 3 * float(bicubic["HF"])  # of the truth's high-frequency energy


@pytest.mark.slow
def test_the_bundled_x2_model_beats_x2_bicubic_on_the_demo_clip_and_is_labelled_x2(tmp_path):
    demo.main(["--model", BUNDLED_X2_MODEL, "--output", str(tmp_path / "demo")])  # bikes.mp4, 60 frames
    rows = table_rows(tmp_path / "demo")
    assert list(rows) == ["x2 bicubic", "ours"]
    bicubic, ours = rows["x2 bicubic"], rows["ours"]
    assert float(ours["PSNR"]) > float(bicubic["PSNR"]) + 1.5  # dB, the bar for the x2 recipe
    assert float(ours["tOF"]) < float(bicubic["tOF"])
    truth = cv2.imread(str(tmp_path / "demo" / "ground_truth" / "0001.png"))
    assert truth.shape[:2] == (264, 632)  # 2x the 316x132 LR frames the 9x9 blur leaves of 640x272 at stride 2
    for folder in ("bicubic", "sr"):
        assert cv2.imread(sorted(glob.glob(str(tmp_path / "demo" / folder / "*.png")))[0]).shape == truth.shape


@pytest.mark.parametrize("model, recipe, scale", [(BUNDLED_MODEL, RECIPES[-1], 4),
                                                  (BUNDLED_X2_MODEL, X2_RECIPES[-1], 2)])
def test_bundled_models_load_with_their_block_count_and_scale_read_from_the_file(model, recipe, scale):
    arrays = read_weight_file(model)
    blocks = count_resblocks(arrays)
    config = load_config(recipe)
    assert blocks == config.train.num_resblock
    assert model_scale(arrays, model) == scale == config.train.scale
    NnablaNetworks({
        "flow": (16, 16),
        "trunk": (16, 16),
        "tail": (16, 16)
    }, blocks, scale=scale).load(arrays, model)
    assert os.path.getsize(model) < 20 * 2 ** 20


@pytest.mark.parametrize("recipe", RECIPES + X2_RECIPES)
def test_recipe_configs_pass_validation(recipe):
    config = load_config(recipe)
    assert config.data.input_video_dir == "data/bigbuckbunny_scenes"


@pytest.mark.parametrize("flags, message", [(["--frames", "3"], "--frames"),
                                            (["--region", "0,0,8"], "--region"),
                                            (["--model", "/nonexistent.h5"], "does not exist")])
def test_bad_demo_flags_stop_with_one_line(flags, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        demo.main(flags + ["--output", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0]


@pytest.mark.parametrize("region, message", [
    ("0,0,16,16", "--region 0,0,16,16 is smaller than 53x53"),
    ("0,0,52,200", "--region 0,0,52,200 is smaller than 53x53"),
    ("240,0,60,60", "--region 240,0,60,60 reaches past the 640x272 frames"),
    ("0,1000,60,60", "--region 0,1000,60,60 reaches past the"),
])
def test_a_region_outside_the_frames_or_too_small_to_evaluate_stops_before_any_output(region, message, capsys,
                                                                                      tmp_path):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        demo.main(["--frames", "5", "--region", region, "--output", str(out)])
    assert exit_info.value.code == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert message in line
    assert not out.exists()


def test_the_smallest_region_allowed_runs_through_evaluation(tmp_path):
    side = demo.smallest_region_side(4)
    assert demo.ground_truth_side(side, 4) >= 48 > demo.ground_truth_side(side - 1, 4)
    demo.main(["--frames", "5", "--region", f"0,0,{side},{side}", "--output", str(tmp_path / "demo")])
    assert (tmp_path / "demo" / "metrics.md").exists()


def test_an_output_that_is_a_file_stops_before_any_output(capsys, tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(SystemExit) as exit_info:
        demo.main(["--frames", "5", "--output", str(tmp_path / "out" / "demo")])
    assert exit_info.value.code == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert "which is a file" in line


def write_video(path, frame_count, size=64, fps=25):
    """A short MJPG clip of distinct frames: a random texture that moves a pixel a frame."""
    texture = np.random.default_rng(0).integers(0, 256, (size, size, 3), np.uint8)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (size, size))
    for index in range(frame_count):
        writer.write(np.roll(texture, index, axis=1))
    writer.release()


def test_a_video_shorter_than_evaluation_needs_stops_before_any_output(capsys, tmp_path):
    write_video(tmp_path / "short.avi", 3)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        demo.main(["--video", str(tmp_path / "short.avi"), "--frames", "5", "--output", str(out)])
    assert exit_info.value.code == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert "gave 3 frames; the demo needs at least 5" in line
    assert not out.exists()


def test_the_demo_video_and_gif_keep_the_frame_rate_of_the_source_clip(tmp_path):
    write_video(tmp_path / "clip.avi", 5, fps=12)
    out = tmp_path / "demo"
    demo.main(["--video", str(tmp_path / "clip.avi"), "--frames", "5", "--output", str(out)])
    video = cv2.VideoCapture(str(out / "sr.mp4"))
    assert video.get(cv2.CAP_PROP_FPS) == pytest.approx(12)
    video.release()
    gif = Image.open(out / "bicubic_ours_truth.gif")
    assert abs(gif.info["duration"] - 1000 / 12) <= 10  # GIF delays are whole hundredths of a second


@pytest.mark.parametrize("flags, message", [(["--threads", "0"], "--threads must be a positive"),
                                            (["--model", "README.md"], "is not an HDF5")])
def test_flags_generate_would_refuse_stop_the_demo_before_any_output(flags, message, capsys, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        demo.main(["--frames", "5", "--region", "0,0,64,64", "--output", str(out)] + flags)
    assert exit_info.value.code == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert message in line
    assert not out.exists()


def test_a_shorter_rerun_into_the_same_folder_uses_only_its_own_frames(tmp_path):
    out = tmp_path / "demo"
    demo.main(["--frames", "6", "--region", "0,0,64,64", "--output", str(out)])
    demo.main(["--frames", "5", "--region", "0,0,64,64", "--output", str(out)])
    for folder in demo.FRAME_NAMES:
        assert len(os.listdir(out / folder)) == 5, folder
