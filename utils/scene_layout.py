"""Where training frames live: the layout of the authors' data preparation, which data_loader.py reads.

    <input_video_dir>/<input_video_pre>_<NNNN>/col_high_<NNNN>.png

The first number is the scene id (the authors start at 2000), the second the frame index within
the scene, from 0. authors_scripts/dataPrepare.py writes this layout.
"""
import os

from utils.image_io import write_rgb

DEFAULT_SCENE_PREFIX = "scene"
FIRST_SCENE_ID = 2000


def scene_dir(root, scene_id, prefix=DEFAULT_SCENE_PREFIX):
    return os.path.join(root, f"{prefix}_{scene_id:04d}")


def frame_path(scene_folder, frame_index):
    return os.path.join(scene_folder, f"col_high_{frame_index:04d}.png")


def write_scenes(root, scenes, first_scene_id=FIRST_SCENE_ID):
    """Write scenes in this layout, numbered from first_scene_id: each a list of (H, W, 3) RGB frames
    (uint8, or floats in [0, 1]). Returns root; the tests' and benchmarks' training data."""
    for number, frames in enumerate(scenes):
        folder = scene_dir(root, first_scene_id + number)
        os.makedirs(folder, exist_ok=True)
        for index, frame in enumerate(frames):
            write_rgb(frame_path(folder, index), frame)
    return root
