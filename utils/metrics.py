"""The paper's evaluation metrics, as the TecoGAN authors' metrics.py computes them on VID4.

Images are (H, W, 3) RGB; 8-bit values (uint8, or floats on the 0..255 scale). Each function states
its definition; evaluate.py applies them to whole sequences.
"""
import cv2
import numpy as np
from scipy.ndimage import uniform_filter

BORDER_FRAMES = 2  # the first and last 2 frames of a sequence are not scored
MIN_FRAMES = 2 * BORDER_FRAMES + 1  # the fewest frames of a sequence with one frame scored
CROP_STEP = 32
CROP_MIN_MARGIN = 16
SMALLEST_SIDE = CROP_STEP + CROP_MIN_MARGIN  # 48: the smallest frame side whose crop (crop_box) is not empty
# ITU-R BT.601 studio swing: Y = 16 + 0.256788 R + 0.504129 G + 0.097906 B on 0..255 values
Y_OFFSET = 16.0
Y_WEIGHTS = np.array([0.256788235294118, 0.504129411764706, 0.097905882352941])
SSIM_WINDOW = 7
SSIM_K1, SSIM_K2 = 0.01, 0.03
FARNEBACK = dict(pyr_scale=0.5, levels=3, winsize=15, iterations=3, poly_n=5, poly_sigma=1.2, flags=0)


def scored_frames(frame_count):
    """Indices of the scored frames: all but the first and last BORDER_FRAMES."""
    return range(BORDER_FRAMES, frame_count - BORDER_FRAMES)


def crop_box(height, width):
    """(y, x, h, w) of the centred evaluation crop.

    h = (H // 32) * 32, reduced by 32 while h > H - 16 (so at least 16 rows are cut); the same for w;
    offsets (H - h) // 2 and (W - w) // 2. VID4's 576x720 gives 544x704 at (16, 8).
    """
    def side(length):
        kept = (length // CROP_STEP) * CROP_STEP
        while kept > length - CROP_MIN_MARGIN:
            kept -= CROP_STEP
        return kept
    h, w = side(height), side(width)
    return (height - h) // 2, (width - w) // 2, h, w


def crop(image):
    """The centred evaluation crop (crop_box) of an (H, W, ...) array."""
    y, x, h, w = crop_box(*image.shape[:2])
    return image[y:y + h, x:x + w]


def luma(rgb):
    """Y of BT.601 studio swing, float64 (H, W): 16 + 0.256788 R + 0.504129 G + 0.097906 B.

    The values are first rounded and clipped to 0..255, as the authors' to_uint8 does.
    """
    rounded = np.clip(np.round(np.asarray(rgb, np.float32)), 0, 255).astype(np.float64)
    return rounded @ Y_WEIGHTS + Y_OFFSET


def psnr(target, output):
    """PSNR on Y: 20 log10(255 / RMSE(Y_target, Y_output)); inf when the two are equal."""
    rmse = np.sqrt(np.mean((luma(target) - luma(output)) ** 2))
    return float("inf") if rmse == 0 else float(20 * np.log10(255.0 / rmse))


def ssim(target, output):
    """Mean SSIM of Y (Wang et al. 2004) with the classic 7x7 uniform window (scikit-image's defaults).

    Local means, variances and covariance over 7x7 windows (sample covariance, factor 49/48, scipy's
    reflect border); S = (2 mu_t mu_o + C1)(2 cov + C2) / ((mu_t^2 + mu_o^2 + C1)(var_t + var_o + C2)),
    C1 = (0.01 L)^2, C2 = (0.03 L)^2 with L = max - min of the output's Y (the authors' data_range);
    averaged over the pixels at least 3 from the border. An output of one flat colour has a data range of 0, so
    C1 = C2 = 0: where the target is flat too the formula is 0/0, and the SSIM undefined (nan, left out of the
    means).
    """
    y_target, y_output = luma(target), luma(output)
    data_range = y_output.max() - y_output.min()
    c1, c2 = (SSIM_K1 * data_range) ** 2, (SSIM_K2 * data_range) ** 2
    window_pixels = SSIM_WINDOW ** 2
    covariance_norm = window_pixels / (window_pixels - 1)

    def local_mean(values):
        return uniform_filter(values, size=SSIM_WINDOW)

    mean_t, mean_o = local_mean(y_target), local_mean(y_output)
    var_t = covariance_norm * (local_mean(y_target * y_target) - mean_t * mean_t)
    var_o = covariance_norm * (local_mean(y_output * y_output) - mean_o * mean_o)
    cov = covariance_norm * (local_mean(y_target * y_output) - mean_t * mean_o)
    with np.errstate(divide="ignore", invalid="ignore"):  # nan, without numpy's warning lines
        ssim_map = ((2 * mean_t * mean_o + c1) * (2 * cov + c2)
                    / ((mean_t ** 2 + mean_o ** 2 + c1) * (var_t + var_o + c2)))
    border = (SSIM_WINDOW - 1) // 2
    return float(ssim_map[border:-border, border:-border].mean())


def grey(rgb_uint8):
    """OpenCV's RGB2GRAY of an 8-bit RGB image (the input of tOF's optical flow)."""
    return cv2.cvtColor(np.ascontiguousarray(rgb_uint8, np.uint8), cv2.COLOR_RGB2GRAY)


def squared_laplacian(rgb_uint8):
    """(H, W) float64 map of high-frequency energy: the squared 4-neighbour Laplacian of the grey frame
    (grey), edges mirrored. Its mean is the frame's high-frequency energy; flat areas give 0."""
    return cv2.Laplacian(grey(rgb_uint8).astype(np.float64), cv2.CV_64F, ksize=1) ** 2


def high_frequency_energy(frames_uint8):
    """The high-frequency energy of a sequence of 8-bit RGB frames: the mean of squared_laplacian over
    every pixel of the scored frames (scored_frames: frames 3..N-2 of N, counting from 1)."""
    return float(np.mean([squared_laplacian(frames_uint8[index]).mean()
                          for index in scored_frames(len(frames_uint8))]))


def high_frequency_ratio(target_frames_uint8, output_frames_uint8):
    """How much of the target's high-frequency energy the output has: high_frequency_energy(output) /
    high_frequency_energy(target). 1 matches the target's detail; bicubic upsampling, which blurs, gives
    far less; above 1 is more detail (or noise) than the target holds. NaN (not computed) for a target that
    holds none: flat frames (a black clip, a title card of one colour)."""
    target_energy = high_frequency_energy(target_frames_uint8)
    return high_frequency_energy(output_frames_uint8) / target_energy if target_energy > 0 else float("nan")


def optical_flow(previous_grey, current_grey):
    """(H, W, 2) Farneback flow from the previous to the current grey frame (the authors' settings)."""
    return cv2.calcOpticalFlowFarneback(previous_grey, current_grey, None, **FARNEBACK)


def tof(previous_target_grey, target_grey, previous_output_grey, output_grey):
    """tOF: mean over the cropped pixels of |flow(target pair) - flow(output pair)|_2.

    The flows are computed on the whole (uncropped) grey frames; the flow fields are then cropped.
    """
    difference = (crop(optical_flow(previous_target_grey, target_grey))
                  - crop(optical_flow(previous_output_grey, output_grey)))
    return float(np.sqrt(np.sum(difference * difference, axis=-1)).mean())


def tlp100(lpips_target_pair, lpips_output_pair):
    """tLP x 100: |LPIPS(previous target, target) - LPIPS(previous output, output)| * 100."""
    return abs(float(lpips_target_pair) - float(lpips_output_pair)) * 100.0
