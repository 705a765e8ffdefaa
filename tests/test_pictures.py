"""The demo's pictures: the window of most detail, the labels, the still with its enlarged window."""
import cv2
import numpy as np

from utils import pictures
from utils.metrics import squared_laplacian

FLAT = 0.5


def flat_frames_with_a_textured_patch(patch, count=5, shape=(120, 200), seed=0):
    """count flat grey frames with random texture, different in every frame, in patch (top, left, height,
    width)."""
    top, left, height, width = patch
    frames = np.full((count,) + shape + (3,), FLAT, np.float32)
    frames[:, top:top + height, left:left + width] = np.random.default_rng(seed).random(
        (count, height, width, 1))
    return frames


def test_squared_laplacian_is_zero_on_flat_grey_and_the_squared_second_difference_elsewhere():
    image = np.full((5, 5, 3), 100, np.uint8)
    assert not squared_laplacian(image).any()
    image[2, 2] = 110  # the 4-neighbour Laplacian at the spike is -4 x 10, at its neighbours 10
    energy = squared_laplacian(image)
    assert energy[2, 2] == 1600 and energy[1, 2] == energy[2, 3] == 100 and energy[0, 0] == 0


def test_the_detail_window_lies_in_the_textured_patch_not_the_centre():
    patch = (70, 12, 44, 64)  # bottom-left, away from the centre
    frames = flat_frames_with_a_textured_patch(patch)
    top, left, height, width = pictures.detail_window(frames, (32, 48))
    assert (height, width) == (32, 48)
    assert patch[0] <= top and top + height <= patch[0] + patch[2]
    assert patch[1] <= left and left + width <= patch[1] + patch[3]


def test_a_detail_window_larger_than_the_patch_holds_all_of_it():
    patch = (10, 150, 30, 40)
    top, left, height, width = pictures.detail_window(flat_frames_with_a_textured_patch(patch), (64, 80))
    assert top <= patch[0] and patch[0] + patch[2] <= top + height
    assert left <= patch[1] and patch[1] + patch[3] <= left + width


def test_the_detail_window_is_cut_to_frames_smaller_than_it():
    frames = flat_frames_with_a_textured_patch((0, 0, 8, 8), shape=(40, 50))
    assert pictures.detail_window(frames, (96, 128)) == (0, 0, 40, 50)


def test_a_label_is_drawn_in_the_band_above_the_image_which_stays_as_it_was():
    image = np.random.default_rng(1).integers(0, 256, (60, 160, 3), np.uint8)
    with_label, without = pictures.labelled(image, "ground truth"), pictures.labelled(image, "")
    band = slice(0, pictures.LABEL_HEIGHT)
    assert with_label.shape == (60 + pictures.LABEL_HEIGHT, 160, 3)
    assert (with_label[band] != without[band]).any()
    assert (with_label[band] < 128).any()  # dark text on the white band
    assert np.array_equal(with_label[pictures.LABEL_HEIGHT:], image)


def test_a_label_too_long_for_its_panel_is_made_smaller_rather_than_cut_off():
    image = np.zeros((10, 100, 3), np.uint8)
    label = pictures.labelled(image, "a label much longer than one hundred pixels")[:pictures.LABEL_HEIGHT]
    dark_columns = np.flatnonzero((label < 128).any(axis=(0, 2)))
    assert dark_columns.max() < 100 - pictures.LABEL_MARGIN + 2


def test_every_panel_of_a_row_carries_its_label():
    frames = [np.full((40, 60, 3), value, np.float32) for value in (0.2, 0.5, 0.8)]
    window = (0, 0, 40, 60)
    labels = pictures.panel_labels(2)
    assert labels == ("x2 bicubic", "ours", "ground truth")
    row = pictures.panel_row(frames, window, "clip.mp4", labels)
    panel_width = 60 * pictures.ZOOM
    unlabelled = pictures.labelled(np.zeros((1, panel_width, 3), np.uint8), "")[:pictures.LABEL_HEIGHT]
    for index, label in enumerate(labels):
        left = index * (panel_width + pictures.GAP)
        band = row[pictures.LABEL_HEIGHT:2 * pictures.LABEL_HEIGHT, left:left + panel_width]
        assert np.array_equal(band,
                              pictures.labelled(np.zeros((1, panel_width, 3), np.uint8), label)[:-1]), label
        assert not np.array_equal(band, unlabelled), label
        panel = row[2 * pictures.LABEL_HEIGHT:, left:left + panel_width]
        assert np.all(panel == round(255 * frames[index][0, 0, 0])), label  # the window, enlarged


def test_the_still_shows_the_full_frame_of_ours_with_the_window_outlined_and_enlarged_below(tmp_path):
    shape, window = (120, 200), (70, 12, 32, 48)
    truth = flat_frames_with_a_textured_patch(window, count=7, shape=shape)
    # frame 4: the most detail
    truth[4, 70:102, 12:60] = np.where(np.indices((32, 48)).sum(0) % 2, 1.0, 0.0)[..., None]
    ours, bicubic = np.clip(truth * 0.9 + 0.05, 0, 1), np.full_like(truth, FLAT)
    path = tmp_path / "still.png"
    index = pictures.still_with_inset(str(path), [bicubic, ours, truth], window, "clip.mp4",
                                      pictures.panel_labels(4))
    assert index == 4
    still = cv2.imread(str(path))[:, :, ::-1]
    row_width = 3 * pictures.ZOOM * 48 + 2 * pictures.GAP
    assert still.shape == (3 * pictures.LABEL_HEIGHT + shape[0] + pictures.GAP + pictures.ZOOM * 32,
                           row_width, 3)
    frame_left, frame_top = (row_width - shape[1]) // 2, pictures.LABEL_HEIGHT
    shown = still[frame_top:frame_top + shape[0], frame_left:frame_left + shape[1]].astype(int)
    expected = np.rint(ours[index] * 255).astype(int)
    top, left, height, width = window
    assert np.array_equal(shown[top:top + height, left:left + width], expected[top:top + height,
                                                                               left:left + width])
    assert tuple(shown[top - 1, left + 5]) == pictures.OUTLINE and tuple(shown[top + height,
                                                                               left + 5]) == pictures.OUTLINE
    outside = np.ones(shape, bool)
    outside[top - pictures.OUTLINE_WIDTH:top + height + pictures.OUTLINE_WIDTH,
            left - pictures.OUTLINE_WIDTH:left + width + pictures.OUTLINE_WIDTH] = False
    assert np.array_equal(shown[outside], expected[outside])
    enlarged_ours = still[-pictures.ZOOM * height:,
                          pictures.ZOOM * width + pictures.GAP:][:, :pictures.ZOOM * width]
    assert np.array_equal(enlarged_ours[::pictures.ZOOM, ::pictures.ZOOM], expected[top:top + height,
                                                                                    left:left + width])
