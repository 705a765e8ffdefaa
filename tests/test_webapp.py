"""The web app's logic without a browser: the upload checks (webapp/inputs.py) and the job queue
(webapp/jobs.py), whose jobs are real generate.py runs on tiny clips."""
import os
import time
import zipfile

import h5py
import numpy as np
import pytest

from app_media import clip_with_audio, frames_zip, video_without_frames
from utils.errors import UserError
from utils.frame_names import list_frames
from utils.image_io import read_rgb
from utils.ops import bicubic_upscale_frames
from utils.output_size import resize_output
from utils.paths import BUNDLED_MODEL, BUNDLED_X2_MODEL
from utils.video_io import VideoReader, sample_clip
from utils.video_probe import audio_codec
from webapp.inputs import (BUNDLED_MODELS, SAMPLES, check_model, job_spec, list_models, sample_input,
                           size_flags, upload_input)
from webapp.jobs import OUTPUTS, SWEEP_SECONDS, JobQueue
from webapp.steps import bicubic_like

ENGINE = {"--backend": "auto", "--precision": "fp32"}


def files_under(folder):
    return sorted(os.path.relpath(os.path.join(directory, name), folder)
                  for directory, _, names in os.walk(folder) for name in names)


def check_upload(path, name, folder, start="", end=""):
    return upload_input(str(path), name, start, end, str(folder), 2 ** 30)


def test_zip_with_a_path_outside_the_archive_is_refused_and_nothing_is_written_outside(tmp_path):
    upload = frames_zip(tmp_path / "sent.zip", {"0001.png": (32, 24), "../escape.png": (32, 24)})
    with pytest.raises(UserError, match=r"'frames\.zip' holds '\.\./escape\.png', a path outside its folder.*"
                                        r"zip the frame files themselves"):
        check_upload(upload, "frames.zip", tmp_path / "job" / "input")
    assert files_under(tmp_path) == ["job/input/upload.zip", "sent.zip"]


def test_zip_of_frames_of_two_sizes_is_refused_with_both_sizes(tmp_path):
    upload = frames_zip(tmp_path / "sent.zip", {
        "0001.png": (32, 24),
        "0002.png": (32, 24),
        "0003.png": (40, 24)
    })
    with pytest.raises(UserError,
                       match=r"frame '0003\.png' is 40x24 but '0001\.png' is 32x24; all frames of a "
                       r"clip must have one size"):
        check_upload(upload, "frames.zip", tmp_path / "input")


def test_zip_that_unpacks_past_the_limit_is_refused_before_unpacking(tmp_path):
    upload = tmp_path / "sent.zip"
    with zipfile.ZipFile(upload, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("0001.png", bytes(3 * 2 ** 20))  # 3 MB of zeros, a few KB compressed
    with pytest.raises(UserError,
                       match=r"'frames\.zip' unpacks to 3\.0 MB, more than the 2\.0 MB this app unpacks"):
        upload_input(str(upload), "frames.zip", "", "", str(tmp_path / "input"), 2 * 2 ** 20)
    assert files_under(tmp_path) == ["input/upload.zip", "sent.zip"]


def test_zip_of_one_folder_of_frames_gives_that_folder(tmp_path):
    upload = frames_zip(tmp_path / "sent.zip", {"clip/0002.png": (32, 24), "clip/0001.png": (32, 24),
                                                "__MACOSX/clip/._0001.png": (8, 8), "clip/notes.txt": (1, 1)})
    source = check_upload(upload, "frames.zip", tmp_path / "input")
    assert source["kind"] == "frames" and source["frames"] == 2
    assert [os.path.basename(path) for path in list_frames(source["path"])] == ["0001.png", "0002.png"]


def test_zip_made_by_bsdtar_with_dot_slash_names_gives_its_frames(tmp_path):
    """`tar -a -cf frames.zip .` (bsdtar; Windows' tar) names the members './' and './0001.png': refused as
    paths outside the folder until the fourth hostile pass."""
    from app_media import png_bytes
    upload = tmp_path / "sent.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("./", b"")
        for index in (2, 1):
            archive.writestr(f"./{index:04d}.png", png_bytes(32, 24, index))
    source = check_upload(upload, "frames.zip", tmp_path / "input")
    assert source["frames"] == 2 and source["path"] == str(tmp_path / "input" / "frames")
    assert files_under(tmp_path / "input" / "frames") == ["0001.png", "0002.png"]


def test_file_that_is_no_video_is_refused(tmp_path):
    upload = tmp_path / "clip.mp4"
    upload.write_text("not a video")
    with pytest.raises(UserError, match=r"'holiday\.mp4' is not a video with frames this app can decode; "
                                        r"upload a video file"):
        check_upload(upload, "holiday.mp4", tmp_path / "input")


def test_video_without_frames_is_refused(tmp_path):
    upload = video_without_frames(tmp_path / "empty.avi")
    with pytest.raises(UserError, match=r"'empty\.avi' is not a video with frames this app can decode; "
                                        r"upload a video file"):
        check_upload(upload, "empty.avi", tmp_path / "input")


def test_start_past_the_end_names_the_field_and_the_upload(tmp_path):
    upload = clip_with_audio(tmp_path / "clip.mp4", 32, 24, 4)
    with pytest.raises(UserError, match=r"^Start 9 is at or after the end of 'mine\.mp4' \(4 frames"):
        check_upload(upload, "mine.mp4", tmp_path / "input", start="9")


def test_model_without_a_generator_is_refused(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as h5:
        h5["discriminator/conv/W"] = np.zeros((3, 3), np.float32)
    with pytest.raises(UserError, match=r"model 'other\.h5' holds no generator.*choose another model"):
        check_model(str(path), "other.h5")
    path.write_text("not HDF5")
    with pytest.raises(UserError,
                       match=r"'other\.h5' is not an HDF5 \(\.h5\) parameter file.*choose another model"):
        check_model(str(path), "other.h5")


def test_a_model_whose_input_channels_fit_no_scale_is_refused_before_the_upload_is_unpacked(x2_weights, tmp_path):
    """An x3 generator's weights in weights/: its scale was read after the upload was unpacked, the file read twice."""
    weights = tmp_path / "weights"
    weights.mkdir()
    with h5py.File(x2_weights, "r") as source, h5py.File(weights / "x3.h5", "w") as target:
        for name in source:
            source.copy(name, target)
        weight = "generator/generator_unit/input_stage/conv/conv/W"
        del target[weight]
        target[weight] = np.zeros((64, 3, 3, 3 + 3 * 9), np.float32)
    assert check_model(x2_weights, "x2.h5") == (2, "bd") and check_model(BUNDLED_MODEL, "bundled") == (4, "bd")
    upload = frames_zip(tmp_path / "frames.zip", {f"{index:04d}.png": (16, 12) for index in (1, 2, 3)})
    with pytest.raises(UserError, match=r"^model weights file 'weights/: x3\.h5': the generator's input convolution "
                                        r"has shape \(64, 3, 3, 30\), whose input channels fit no scale .*; choose "
                                        r"another model"):
        job_spec(str(tmp_path / "job"), upload, None, "weights/: x3.h5", "", "", ENGINE, str(weights), 2 ** 30)
    assert not (tmp_path / "job").exists()


def test_models_are_the_bundled_ones_then_the_weights_folder_without_lpips_and_vgg(tmp_path):
    for name in ("mine.h5", "alex_with_LPIPS.h5", "vgg19.h5", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    models = list_models(str(tmp_path))
    assert list(models)[-1] == "weights/: mine.h5"
    # the default (first) is the x4 TecoGAN model, then the x2 one
    assert list(models.items())[:2] == [("bundled: tecogan_demo_bigbuckbunny.h5", BUNDLED_MODEL),
                                        ("bundled: frvsr_x2_demo_bigbuckbunny.h5", BUNDLED_X2_MODEL)]
    assert len(models) == len([name for name in os.listdir(BUNDLED_MODELS) if name.endswith(".h5")]) + 1


def video_job(queue, tmp_path, name, width, height, frames, flags=ENGINE):
    clip = clip_with_audio(tmp_path / f"{name}.mp4", width, height, frames)
    return queue.submit(lambda folder: dict(input=upload_input(clip, f"{name}.mp4", "", "", folder, 2 ** 30),
                                            model=BUNDLED_MODEL, flags=flags))


def wait_until(condition, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the job queue did not get there"
        time.sleep(0.1)


@pytest.mark.slow
def test_jobs_run_in_turn_and_each_gets_its_own_results(tmp_path):
    queue = JobQueue(str(tmp_path / "work"), keep_seconds=600)
    first = video_job(queue, tmp_path, "first", 48, 32, 5)
    second = video_job(queue, tmp_path, "second", 32, 24, 4)
    assert queue.ahead(second) == 1
    wait_until(lambda: not second.active)
    assert (first.state, second.state) == ("done", "done")
    assert second.started >= first.ended
    for job, (width, height, frames) in ((first, (48, 32, 5)), (second, (32, 24, 4))):
        outputs = job.outputs()
        reader = VideoReader(outputs["video"])
        assert (reader.total_frames, next(iter(reader)).shape) == (frames, (4 * height, 4 * width, 3))
        assert audio_codec(outputs["video"]) == "aac"
        with zipfile.ZipFile(outputs["frames_zip"]) as archive:
            assert len(archive.namelist()) == frames
        assert set(outputs) == set(OUTPUTS) - {"table"}  # no ground truth, no table


@pytest.mark.slow
def test_cancel_drops_a_waiting_job_kills_the_running_one_at_once_deletes_their_files_and_the_next_runs(
        tmp_path):
    queue = JobQueue(str(tmp_path / "work"), keep_seconds=600)
    running = video_job(queue, tmp_path, "long", 96, 64, 200)
    waiting = video_job(queue, tmp_path, "short", 32, 24, 4)
    dropped = video_job(queue, tmp_path, "dropped", 32, 24, 4)
    wait_until(lambda: running.done_frames >= 1)
    assert queue.cancel(dropped.id)
    assert dropped.state == "cancelled" and not os.path.exists(dropped.folder) and list(
        queue.waiting) == [waiting]
    process = running.process
    assert queue.cancel(running.id)
    assert process.poll() is not None  # killed, not left to finish its frame
    assert running.state == "cancelled" and not os.path.exists(running.folder)
    wait_until(lambda: not waiting.active)
    assert waiting.state == "done" and dropped.started is None
    assert files_under(queue.jobs_folder) == sorted(
        os.path.join(waiting.id, path) for path in files_under(waiting.folder))


def test_output_size_field_becomes_generate_py_s_flags():
    assert size_flags(" ") == {}
    assert size_flags("1.5") == {"--outscale": "1.5"}
    assert size_flags("1920x1080") == {"--output-size": "1920x1080"}


@pytest.mark.parametrize("text", ["0", "abc", "99999x2", "33x24"])
def test_bad_output_size_is_refused_with_one_line_before_a_job_is_queued(tmp_path, text):
    queue = JobQueue(str(tmp_path / "work"), keep_seconds=600)
    clip = clip_with_audio(tmp_path / "clip.mp4", 32, 24, 2)
    with pytest.raises(UserError) as error:
        model = "bundled: " + os.path.basename(BUNDLED_MODEL)
        weights = str(tmp_path / "weights")
        queue.submit(
            lambda folder: job_spec(folder, clip, None, model, "", "", ENGINE, weights, 2 ** 30, text))
    message = str(error.value)
    assert message.startswith("Output size") and "\n" not in message and "--" not in message
    assert files_under(tmp_path / "work") == []


@pytest.mark.slow
def test_output_size_2_gives_twice_the_input_size_and_bicubic_at_that_size(tmp_path):
    queue = JobQueue(str(tmp_path / "work"), keep_seconds=600)
    job = video_job(queue, tmp_path, "clip", 32, 24, 3, flags=dict(ENGINE, **size_flags("2")))
    wait_until(lambda: not job.active)
    assert job.state == "done", job.message
    outputs = job.outputs()
    reader = VideoReader(outputs["video"])
    assert (reader.total_frames, next(iter(reader)).shape) == (3, (48, 64, 3))
    for kind in ("ours", "bicubic"):
        assert read_rgb(outputs[kind]).shape == (48, 64, 3)


@pytest.mark.slow
def test_a_failed_run_reports_generate_py_s_message_and_keeps_the_queue_going(tmp_path):
    queue = JobQueue(str(tmp_path / "work"), keep_seconds=600)
    failing = video_job(queue,
                        tmp_path,
                        "clip",
                        32,
                        24,
                        4,
                        flags={
                            "--backend": "nnabla",
                            "--precision": "bf16"
                        })
    wait_until(lambda: not failing.active)
    assert failing.state == "failed"
    assert failing.message.startswith("Precision bf16 runs on openvino only")
    assert not os.path.exists(failing.folder)
    following = video_job(queue, tmp_path, "next", 32, 24, 4)
    wait_until(lambda: not following.active)
    assert following.state == "done"


def table_rows(path):
    """{row name: PSNR} of a markdown table of evaluate.markdown_table."""
    with open(path, encoding="utf-8") as file:
        rows = [line.strip("|\n").split("|") for line in file if line.startswith("| ") and "PSNR" not in line]
    return {cells[0].strip(): float(cells[1]) for cells in rows}


@pytest.mark.slow
def test_sample_with_ground_truth_gets_the_evaluate_table_where_ours_beats_bicubic(tmp_path):
    queue = JobQueue(str(tmp_path / "work"), keep_seconds=600)
    sample = next(name for name in SAMPLES if name.startswith("carphone"))
    job = queue.submit(
        lambda folder: dict(input=sample_input(sample, "", "8"), model=BUNDLED_MODEL, flags=ENGINE))
    wait_until(lambda: not job.active)
    assert job.state == "done", job.message
    outputs = job.outputs()
    assert set(outputs) == set(OUTPUTS)
    psnr = table_rows(outputs["table"])
    assert list(psnr) == ["x4 bicubic", "ours"]
    assert psnr["ours"] > psnr["x4 bicubic"] > 20
    reader = VideoReader(outputs["video"])
    assert (reader.total_frames, reader.fps, next(iter(reader)).shape) == (8, VideoReader(sample_clip(
        "carphone_pristine.mp4")).fps, (144, 176, 3))  # the ground truth's size and rate


@pytest.mark.slow
def test_a_finished_job_s_files_are_deleted_once_its_time_is_up(tmp_path):
    queue = JobQueue(str(tmp_path / "work"), keep_seconds=1)
    job = video_job(queue, tmp_path, "clip", 32, 24, 4)
    wait_until(lambda: not job.active)
    assert job.state == "done" and os.path.isfile(job.outputs()["video"])
    wait_until(lambda: job.state == "expired", seconds=1 + 3 * SWEEP_SECONDS)
    assert not os.path.exists(job.folder)


def test_bicubic_comparison_takes_the_scale_from_the_weights_and_the_written_size(x2_weights):
    lr = np.random.default_rng(0).integers(0, 256, (12, 16, 3), dtype=np.uint8)
    # the spec as the job's turn writes it into job.json: the scale read from the weights (JobQueue._take_model)
    scale = check_model(x2_weights, "x2.h5")[0]
    native = bicubic_like(lr, (24, 32, 3), dict(model=x2_weights, scale=scale, flags=ENGINE))
    np.testing.assert_array_equal(native, bicubic_upscale_frames([lr], 2)[0])
    resized = bicubic_like(lr, (18, 24, 3), dict(model=x2_weights, scale=scale,
                                                 flags=dict(ENGINE, **size_flags("1.5"))))
    np.testing.assert_array_equal(resized, resize_output(native, 18, 24))


def test_a_zip_whose_member_name_is_not_the_utf8_it_claims_is_one_line(tmp_path):
    """zipfile's UnicodeDecodeError was no zip error: a traceback (the fifth hostile pass)."""
    from helpers import zip_with_undecodable_name
    upload = zip_with_undecodable_name(tmp_path / "sent.zip")
    with pytest.raises(UserError, match=r"^'frames\.zip' is not a zip archive this app can read"):
        check_upload(upload, "frames.zip", tmp_path / "input")
