"""The demo's pictures: bicubic | ours | ground truth, side by side and labelled, on the window of the clip
where the ground truth has the most detail, enlarged so that texture can be seen. An animated GIF of the
clip, and a still PNG of one frame: the full frame of ours with that window outlined, and the window below.

Frames are (H, W, 3) RGB floats in [0, 1], one array of frames per method, all of one size.
"""
import cv2
import numpy as np
from PIL import Image

from utils import metrics
from utils.atomic_files import write_atomically
from utils.image_io import GIF_FEWEST_HUNDREDTHS, to_uint8, write_rgb

DETAIL_WINDOW = (96, 128)  # height, width of the HR window shown side by side (cut to the frames' size)
ZOOM = 2  # each pixel of the window is shown as ZOOM x ZOOM pixels
GAP = 8  # white pixels between panels
LABEL_HEIGHT = 24  # the white band above each panel that holds its label
LABEL_MARGIN = 6
FONT, FONT_SCALE = cv2.FONT_HERSHEY_SIMPLEX, 0.55
OUTLINE, OUTLINE_WIDTH = (255, 32, 32), 2  # RGB red: the window on the full frame


def panel_labels(scale):
    """The labels of the three panels, left to right, for a model of `scale` (x4 or x2)."""
    return f"x{scale} bicubic", "ours", "ground truth"


def detail_window(frames, size=DETAIL_WINDOW):
    """(top, left, height, width) of the window of `size` (cut to the frames) whose high-frequency energy,
    the squared Laplacian of the grey frames (metrics.squared_laplacian) summed over the window and the
    clip, is largest: where the detail is, rather than the centre (often sky, a wall or a blurred roof)."""
    energy = sum(metrics.squared_laplacian(to_uint8(frame)) for frame in frames)
    height, width = min(size[0], energy.shape[0]), min(size[1], energy.shape[1])
    integral = np.pad(energy.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    window_sums = (integral[height:, width:] - integral[:-height, width:] - integral[height:, :-width]
                   + integral[:-height, :-width])  # (H - height + 1, W - width + 1): one per top-left corner
    top, left = np.unravel_index(np.argmax(window_sums), window_sums.shape)
    return int(top), int(left), height, width


def detail_frame(frames, window):
    """Index of the scored frame (metrics.scored_frames) with the most high-frequency energy in window."""
    return max(metrics.scored_frames(len(frames)),
               key=lambda index: metrics.squared_laplacian(to_uint8(cut(frames[index], window))).sum())


def cut(frame, window):
    top, left, height, width = window
    return frame[top:top + height, left:left + width]


def drawable(text):
    """text as OpenCV's Hershey font draws it: ASCII, each other character (or one not shown, a newline) by its code
    as Python writes it ('caf\\xe9.mp4'): the font has ASCII alone, and a clip named 'café.mp4' was titled 'caf??.mp4'
    (a '?' a byte of UTF-8), one named in Japanese all '?'."""
    return "".join(character if character.isascii() and character.isprintable() else ascii(character)[1:-1]
                   for character in text)


def labelled(image, text):
    """An 8-bit image under a white band of LABEL_HEIGHT rows with text in black (drawable), made smaller to fit."""
    text = drawable(text)
    band = np.full((LABEL_HEIGHT, image.shape[1], 3), 255, np.uint8)
    text_width = cv2.getTextSize(text, FONT, FONT_SCALE, 1)[0][0]
    scale = FONT_SCALE * min(1.0, (image.shape[1] - 2 * LABEL_MARGIN) / max(text_width, 1))
    cv2.putText(band, text, (LABEL_MARGIN, LABEL_HEIGHT - 8), FONT, scale, (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate([band, image])


def joined(images, axis):
    """8-bit images one after another along axis (1: left to right, 0: top to bottom), GAP white pixels
    apart, each centred across the other axis on white."""
    across = 1 - axis
    extent = max(image.shape[across] for image in images)
    parts = []
    for image in images:
        before = (extent - image.shape[across]) // 2
        padding = [(0, 0), (0, 0), (0, 0)]
        padding[across] = (before, extent - image.shape[across] - before)
        gap_shape = [extent, extent, 3]
        gap_shape[axis] = GAP
        parts += [np.pad(image, padding, constant_values=255), np.full(gap_shape, 255, np.uint8)]
    return np.concatenate(parts[:-1], axis=axis)


def panel_row(frames, window, title, labels):
    """The window of each method's frame, enlarged ZOOM times and labelled, left to right under a title."""
    panels = [labelled(np.repeat(np.repeat(to_uint8(cut(frame, window)), ZOOM, 0), ZOOM, 1), label)
              for frame, label in zip(frames, labels)]
    row = joined(panels, axis=1)
    return labelled(row, title)


def window_title(clip_name, window):
    top, left, height, width = window
    return f"{clip_name}: the {width}x{height} window at x={left}, y={top}, shown x{ZOOM}"


def side_by_side_gif(path, columns, window, clip_name, fps, labels):
    """An animated GIF, at the clip's frame rate, of the labelled window of each column of frames."""
    shown, durations = gif_timing(len(columns[0]), fps)
    images = [Image.fromarray(panel_row(frames, window, window_title(clip_name, window), labels))
              for index, frames in enumerate(zip(*columns)) if index in shown]
    images, durations = merged_repeats(images, durations)
    write_atomically(
        path, lambda temporary: images[0].save(
            temporary, save_all=True, append_images=images[1:], duration=durations, loop=0))


def merged_repeats(images, durations):
    """(images, delays in ms) with each run of frames a GIF shows alike made one, shown as long as the run (at most
    GIF_MOST_HUNDREDTHS): Pillow's writer merges such frames itself by adding their delays, and a static clip of
    0.01 fps (7 frames of 100 s) or 0.001 fps (2 frames) failed in it with a struct.error, exit code 1. The frames
    are made the GIF's palette pictures here, as Pillow would make them, and compared as shown."""
    pictures = [image.convert("P", palette=Image.Palette.ADAPTIVE) for image in images]
    merged, delays, shown = [], [], None
    for picture, delay in zip(pictures, durations):
        looks = np.asarray(picture.convert("RGB"))
        if shown is not None and np.array_equal(looks, shown):
            delays[-1] = min(delays[-1] + delay, 10 * GIF_MOST_HUNDREDTHS)
            continue
        merged.append(picture)
        delays.append(delay)
        shown = looks
    return merged, delays


# A GIF's delays are whole hundredths of a second, and browsers play one under 2 hundredths as 10
# (utils.image_io.GIF_FEWEST_HUNDREDTHS): one delay of round(1000 / fps) ms, which Pillow cuts to hundredths, played a
# 60 fps clip at 10 fps (1 hundredth), one of 120 fps at 10 fps too (0), and one of 30 fps at 33 fps (3 hundredths).
# and at most 65535 hundredths (two bytes): a clip of under 0.0016 fps (a frame each 11 minutes or more) failed in
# Pillow's writer, a struct.error traceback with exit code 1, the demo's page and metrics not written
GIF_MOST_HUNDREDTHS = 2 ** 16 - 1


def gif_timing(count, fps):
    """(indices of the frames a GIF shows, their delays in ms) for `count` frames at fps: each frame shown from the
    hundredth of a second nearest its time in the clip, and those less than GIF_FEWEST_HUNDREDTHS after the last
    shown left out (a clip of more than 50 fps); none shown longer than a GIF can say (GIF_MOST_HUNDREDTHS)."""
    starts = [round(index * 100 / fps) for index in range(count + 1)]  # in hundredths; the last: the clip's end
    shown = [0]
    for index in range(1, count):
        if starts[index] - starts[shown[-1]] >= GIF_FEWEST_HUNDREDTHS:
            shown.append(index)
    ends = [starts[index] for index in shown[1:]] + [starts[count]]
    return shown, [10 * min(max(end - starts[index], GIF_FEWEST_HUNDREDTHS), GIF_MOST_HUNDREDTHS)
                   for index, end in zip(shown, ends)]


def still_with_inset(path, columns, window, clip_name, labels):
    """A PNG of the frame with the most detail in window: the full frame of ours (columns[1]) with the window
    outlined, and below it the window of each column (labelled by labels, see panel_labels) enlarged. Returns
    the frame's index."""
    index = detail_frame(columns[2], window)
    top, left, height, width = window
    ours = to_uint8(columns[1][index])
    for offset in range(1, OUTLINE_WIDTH + 1):  # around the window: its own pixels stay as they are
        cv2.rectangle(ours, (left - offset, top - offset),
                      (left + width - 1 + offset, top + height - 1 + offset), OUTLINE, 1)
    full = labelled(ours, f"ours, frame {index + 1} of {clip_name}; the outlined window is enlarged below")
    write_rgb(path, joined([full, panel_row([frames[index] for frames in columns], window,
                                            window_title(clip_name, window), labels)], axis=0))
    return index
