"""Where training frames live: the layout of the authors' data preparation, which data_loader.py reads.

    <input_video_dir>/<input_video_pre>_<NNNN>/col_high_<NNNN>.png

The first number is the scene id (the authors start at 2000), the second the frame index within
the scene, from 0. authors_scripts/dataPrepare.py writes this layout.
"""
import os

DEFAULT_SCENE_PREFIX = "scene"


def scene_dir(root, scene_id, prefix=DEFAULT_SCENE_PREFIX):
    return os.path.join(root, f"{prefix}_{scene_id:04d}")


def frame_path(scene_folder, frame_index):
    return os.path.join(scene_folder, f"col_high_{frame_index:04d}.png")
