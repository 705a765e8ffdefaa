"""demo.py on a clip with a cut: generate.py starts the recurrence again there and evaluate.py leaves the pair
across it out of tOF and tLP."""
import csv
import os

import cv2
import numpy as np
from clips import needs_ffmpeg, write_joined_clip

import demo
from inference import SuperResolver
from utils.image_io import read_rgb
from utils.paths import BUNDLED_MODEL

SHOT = 8


@needs_ffmpeg
def test_the_demo_passes_the_clips_cut_to_generate_and_evaluate(tmp_path):
    video, _ = write_joined_clip(str(tmp_path), [("bikes.mp4", 0, SHOT), ("bigbuckbunny.mp4", 40, SHOT)],
                                 (200, 104))
    out = tmp_path / "demo"
    demo.main(["--video", video, "--frames", str(2 * SHOT), "--output", str(out)])
    assert (out / "scene_cuts.txt").read_text() == f"{SHOT}\n"
    lr = [read_rgb(str(out / "lr" / f"{index:04d}.png")) for index in range(1, 2 * SHOT + 1)]
    resolver = SuperResolver(BUNDLED_MODEL, "openvino", "cpu", cache_dir=str(tmp_path / "cache"))
    _, first_after_cut = next(
        resolver.sequence([(str(index), frame) for index, frame in enumerate(lr[SHOT:])]))
    written = cv2.imread(str(out / "sr" / f"output_{SHOT + 1:04d}.png"))[:, :, ::-1].astype(int)
    # the second shot's own start
    assert np.abs(written - np.rint(np.clip(first_after_cut, 0, 1) * 255)).max() <= 1
    for method in ("eval_ours", "eval_bicubic"):
        with open(os.path.join(out, method, "frames.csv"), newline="") as file:
            tof = {int(row["frame"]): row["tOF"] for row in csv.DictReader(file)}
        assert tof[SHOT] == "" and all(tof[frame] for frame in tof if frame not in (SHOT, min(tof))), method
