"""Small real training scenes for the tests, in the layout of authors_scripts/dataPrepare.py."""
from conftest import shared_path
from utils.image_io import list_frames, read_rgb
from utils.scene_layout import write_scenes

CALENDAR = shared_path("data", "calendar_lr")  # 41 real frames, 180x144


def make_calendar_scenes(root, scene_count=2, frames_per_scene=12):
    """Scenes 2000, 2001, ... cut back to back from the VID4 calendar frames (from the first again when they
    run out); returns root."""
    sources = list_frames(CALENDAR)
    return write_scenes(str(root), [[read_rgb(sources[(number * frames_per_scene + frame) % len(sources)])
                                     for frame in range(frames_per_scene)] for number in range(scene_count)])


def tiny_training_flags(data_dir, output_dir, **overrides):
    """train.py flags for a run of a few seconds: 2 blocks, LR crop 8, sequences of 3 frames."""
    settings = {"train.crop_size": 8, "train.rnn_n": 3, "train.save_freq": 2, "train.seed": 3,
                "data.str_dir": 2000, "data.end_dir": 2001, "data.max_frm": 11, **overrides}
    flags = ["--input_video_dir", str(data_dir), "--output_dir", str(output_dir), "--num_resblock", "2",
             "--context", "cpu"]
    for key, value in settings.items():
        flags += ["--set", f"{key}={value}"]
    return flags
