"""The numpy part of the recurrence: flow upsampling and warp of the previous output, for any window
of the frame, matching NNabla's graph ops (models.flow_to_high_res, utils.ops.warp_by_flow) exactly."""
import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

from utils.ops import linear_weights


def flow_to_high_res_window(flow_lr, rows, columns, scale):
    """HR flow (in HR pixels) on LR rows x columns of the frame: bilinear upsampling by s = scale of s *
    flow_lr, edge-clamped, as models.flow_to_high_res computes it for the whole frame (TF1's mapping without
    half-pixel centres).

    flow_lr (H, W, 2); rows, columns: (start, stop) in LR pixels. Returns (s rows, s columns, 2).
    """
    height, width, _ = flow_lr.shape
    row_index = np.minimum(np.arange(rows[0], rows[1] + 1), height - 1)
    column_index = np.minimum(np.arange(columns[0], columns[1] + 1), width - 1)
    flow = flow_lr[row_index[:, None], column_index[None, :]] * np.float32(scale)
    weights = [linear_weights(phase / scale) for phase in range(scale)]
    up_rows, up_columns = rows[1] - rows[0], columns[1] - columns[0]
    output = np.empty((up_rows, scale, up_columns, scale, 2), np.float32)
    taps = [[flow[dy:dy + up_rows, dx:dx + up_columns] for dx in (0, 1)] for dy in (0, 1)]
    for phase_y, phase_x in itertools.product(range(scale), repeat=2):
        total = None
        for dy, dx in itertools.product((0, 1), repeat=2):
            term = np.float32(weights[phase_y][dy] * weights[phase_x][dx]) * taps[dy][dx]
            total = term if total is None else total + term
        output[:, phase_y, :, phase_x] = total
    return output.reshape(up_rows * scale, up_columns * scale, 2)


REMAP_MAX_SIDE = 32767  # SHRT_MAX: cv2.remap takes no image or map of a longer side (an x4 frame of 8192 LR pixels)


def warp_dense(image, flow, top=0, left=0):
    """Backward warp of an (H, W, C) float32 image by the flow of a window of it, as utils.ops.warp_by_flow.

    flow (h, w, 2) belongs to the output pixels top..top+h, left..left+w; flow[..., 0] is the row and
    flow[..., 1] the column displacement (tfa.image.dense_image_warp): out[y, x] = image[y - flow_y,
    x - flow_x], bilinear, sample positions clamped to the image. The float32 arithmetic follows
    NNabla's WarpByFlow kernel step for step: the position is y - flow in float32, the weights are
    measured from the clamped floor, and the interpolation is upper + beta * (lower - upper).
    """
    height, width, _ = image.shape
    out_rows, out_columns, _ = flow.shape
    rows = np.arange(top, top + out_rows, dtype=np.float32)[:, None] - flow[:, :, 0]  # float32, as NNabla
    columns = np.arange(left, left + out_columns, dtype=np.float32)[None, :] - flow[:, :, 1]
    top_row, left_column = np.floor(rows), np.floor(columns)
    top_index, bottom_index = np.clip(top_row, 0, height - 1), np.clip(top_row + 1, 0, height - 1)
    left_index, right_index = np.clip(left_column, 0, width - 1), np.clip(left_column + 1, 0, width - 1)
    alpha = (columns - left_index)[:, :, None]
    beta = (rows - top_index)[:, :, None]

    def gather(row_index, column_index):
        if max(height, width, out_rows, out_columns) >= REMAP_MAX_SIDE:  # cv2.remap asserts, with a traceback
            # a NaN position (a NaN flow) is any pixel, as cv2.remap's: its weights make that output NaN on both paths
            # (its cast to an index was an IndexError, a traceback)
            return image[np.nan_to_num(row_index).astype(np.intp), np.nan_to_num(column_index).astype(np.intp)]
        # Whole-number maps make nearest-neighbour remapping an exact gather, on all cores.
        return cv2.remap(image, column_index, row_index, cv2.INTER_NEAREST)

    top_left, top_right = gather(top_index, left_index), gather(top_index, right_index)
    bottom_left, bottom_right = gather(bottom_index, left_index), gather(bottom_index, right_index)
    upper = alpha * (top_right - top_left) + top_left
    lower = alpha * (bottom_right - bottom_left) + bottom_left
    return beta * (lower - upper) + upper


WARP_CHUNK_PIXELS = 2 ** 20  # HR pixels warped at once: bounds the warp's temporary arrays (about 100 MB)


WARP_THREADS = os.cpu_count() or 1  # numpy and OpenCV release the GIL: chunks are warped in parallel
_warp_pool = ThreadPoolExecutor(WARP_THREADS)


def warp_previous_window(previous_output, flow_lr, rows, columns):
    """The previous HR output warped onto the current frame, on LR rows x columns (start, stop): (sh, sw, 3),
    the scale s being the previous output's size over the flow's."""
    scale = previous_output.shape[1] // flow_lr.shape[1]
    chunk_rows = max(1, WARP_CHUNK_PIXELS // (scale * scale * (columns[1] - columns[0])))
    warped = np.empty((scale * (rows[1] - rows[0]), scale *
                       (columns[1] - columns[0]), previous_output.shape[2]), np.float32)

    def warp_chunk(start):
        stop = min(rows[1], start + chunk_rows)
        flow_hr = flow_to_high_res_window(flow_lr, (start, stop), columns, scale)
        warped[scale * (start - rows[0]):scale * (stop - rows[0])] = warp_dense(
            previous_output, flow_hr, scale * start, scale * columns[0])
    list(_warp_pool.map(warp_chunk, range(rows[0], rows[1], chunk_rows)))
    return warped
