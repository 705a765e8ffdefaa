"""LPIPS v0.1 (Zhang et al. 2018), AlexNet "net-lin" variant, in NNabla.

    x'   = (x - shift) / scale                 x: RGB in [-1, 1], NCHW; shift, scale per channel
    f_l  = AlexNet relu1..relu5 of x'          l = 0..4 (torchvision alexnet().features[0:12])
    fn_l = f_l / (sqrt(sum_c f_l^2) + 1e-10)   unit length over channels at every pixel
    d_l  = mean_hw sum_c w_l[c] (fn_l(a) - fn_l(b))^2
    LPIPS(a, b) = d_0 + d_1 + d_2 + d_3 + d_4

Computed channel-first (NNabla's CPU kernels have no channel-last convolution or pooling).
Parameter names, shapes and layout are those of NNabla's published alex_with_LPIPS.h5 (nnabla-examples'
utils/neu/metrics/lpips, built with PF.convolution): convolution weights (out, in, kh, kw) under
conv0, conv3, conv6, conv8, conv10 (named after torchvision's features indices), and the linear
layers as lin0_model_1_weight .. lin4_model_1_weight of shape (1, C, 1, 1). That file and the ones
convert_lpips_weights.py writes are interchangeable.
"""
import hashlib

import nnabla as nn
import nnabla.functions as F
import numpy as np

from utils.atomic_files import write_atomically
from utils.errors import UserError, printable
from utils.hdf5 import link_to_another_file
from utils.torch_pickle import is_pth
from utils.weights import HostParameter, read_weight_file, save_parameter_file

SHIFT = np.array([-.030, -.088, -.188], np.float32).reshape(1, 3, 1, 1)
SCALE = np.array([.458, .448, .450], np.float32).reshape(1, 3, 1, 1)
NORM_EPS = 1e-10
# the largest LPIPS the lin weights allow below which every pair scores near 0, a perfect LPIPS
LEAST_REACH = 1e-6
# the largest LPIPS one linear layer's weights allow below which they are refused: its term lost on every pair (a
# layer of 1e-7, reaching 2.6e-5, added 1e-8); the published layers reach 4.5 (VGG's v0.0) to 284, 450 times this
# or more
LEAST_LAYER_REACH = 0.01
# the largest LPIPS all of them allow below which they are refused: pairs of random pictures, as different as pictures
# are, score 1/2,500 (weights of one value) to 1/4,300 (the published) of it, so weights of 1e-7 in all (reaching
# 4.6e-4) scored them 1.9e-7, which a report's 3 decimals print as 0 on every pair, exit code 0; below 4 they score
# under 0.002; the published weights reach 210 to 694 (v0.0 and v0.1 of AlexNet, VGG, SqueezeNet), 52 times this or more
LEAST_TOTAL_REACH = 4
# the largest LPIPS the published v0.1 linear layers allow (4 times their weights' sum; each layer's 9.4 to 157), and
# the one above which lin weights are refused: weights of int64's largest value scored pairs 7.6e17, exit code 0
PUBLISHED_REACH = 421
GREATEST_REACH = 1e6
# the LPIPS project's v0.0 AlexNet linear layers (lpips/weights/v0.0/alex.pth), as linear_projections reads them: of
# v0.1's shapes and of weights like theirs, they were converted and scored as v0.1's, where v0.0 was trained on images
# without v0.1's input scaling and scores otherwise (15 % lower on random 64x64 pairs through the tests' AlexNet: 0.083
# and 0.085 where v0.1 scores 0.097 and 0.100); no bound on their values tells them apart (v0.0's reach 262 in all and
# 10 to 90 a layer, v0.1's 421 and 9.4 to 157). Told within V0_0_TOLERANCE, not by a digest of their values: one of
# their float32 values missed a float16 copy, one of them rounded to float16 a bfloat16 copy (saved back in float32,
# the readers taking no bfloat16), each scored as v0.1's, exit code 0, and no rounding is the same at every precision
V0_0_PROJECTIONS = ((2.565887227056, 0.054888065413, 0.912106627627),
                    (10.257388192571, -1.65755959527, -1.243490782482),
                    (22.434313934931, 0.215370735225, -1.452149173071),
                    (16.313912790926, 1.72210363772, -0.207950981544),
                    (13.934519138983, -0.923642971612, 0.035555555583))
# of each layer's sum: a float16 copy of v0.0's is within 0.0001 of it, a bfloat16 one within 0.003 (rounded to
# nearest 0.0013, cut 0.0030); v0.1's lie 0.75 off
V0_0_TOLERANCE = 0.01


class AlexConv:
    """One AlexNet convolution: torchvision features index, shape, stride, padding, max-pool before it."""

    def __init__(self, index, out_channels, in_channels, kernel, stride, pad, pool_before):
        self.index, self.stride, self.pad, self.pool_before = index, stride, pad, pool_before
        self.weight_shape = (out_channels, in_channels, kernel, kernel)
        self.weight_name, self.bias_name = f"conv{index}/conv/W", f"conv{index}/conv/b"


ALEXNET = (
    AlexConv(0, 64, 3, 11, 4, 2, False),    # -> relu1
    AlexConv(3, 192, 64, 5, 1, 2, True),    # -> relu2
    AlexConv(6, 384, 192, 3, 1, 1, True),   # -> relu3
    AlexConv(8, 256, 384, 3, 1, 1, False),  # -> relu4
    AlexConv(10, 256, 256, 3, 1, 1, False),  # -> relu5
)
LIN_NAMES = tuple(f"lin{layer}_model_1_weight" for layer in range(len(ALEXNET)))


def parameter_shapes():
    """{NNabla parameter name: shape} of the LPIPS AlexNet, in the order of the network."""
    shapes = {}
    for conv in ALEXNET:
        shapes[conv.weight_name] = conv.weight_shape
        shapes[conv.bias_name] = conv.weight_shape[:1]
    for conv, name in zip(ALEXNET, LIN_NAMES):
        shapes[name] = (1, conv.weight_shape[0], 1, 1)
    return shapes


def weights_from_torch(alexnet_state, lin_state, paths=None):
    """NNabla-named arrays from torchvision's AlexNet state dict and the LPIPS project's v0.1 alex.pth; paths: the
    two files they were read from, which the refusals name (with each parameter by its name there, not NNabla's).

    torchvision names features.<i>.weight|bias (OIHW, as NNabla's channel-first layout); LPIPS names
    lin<k>.model.1.weight (the 1x1 convolution inside a Dropout+Conv Sequential).
    """
    torch_names = {}
    for conv in ALEXNET:
        torch_names[conv.weight_name] = (alexnet_state, f"features.{conv.index}.weight")
        torch_names[conv.bias_name] = (alexnet_state, f"features.{conv.index}.bias")
    for layer, name in enumerate(LIN_NAMES):
        torch_names[name] = (lin_state, f"lin{layer}.model.1.weight")
    arrays = {}
    for name, (state, torch_name) in torch_names.items():
        if torch_name not in state:
            which, other = (("AlexNet", lin_state) if state is alexnet_state else ("LPIPS", alexnet_state))
            named = f" '{printable(paths[state is not alexnet_state])}'" if paths else ""
            # the two files given in each other's place: "pass torchvision's AlexNet state dict and the LPIPS v0.1
            # alex.pth", which the user had done
            swapped = (", which the other file holds: the two are given in each other's place" if torch_name in other
                       else "")
            raise UserError(f"the PyTorch {which} weights{named} lack '{torch_name}'{swapped}; pass torchvision's "
                            "AlexNet state dict as --alexnet and the LPIPS v0.1 alex.pth as --lpips")
        # a double past float32's range becomes inf, which check_shapes refuses: numpy's warning printed two lines
        with np.errstate(over="ignore"):
            arrays[name] = np.asarray(state[torch_name], np.float32)
    # its new refusals named 'lin2_model_1_weight' or 'conv3/conv/W', which the files call otherwise, and no file
    shown = {name: f"'{torch_name}' of '{printable(paths[state is not alexnet_state])}'"
             for name, (state, torch_name) in torch_names.items()} if paths else None
    check_shapes(arrays, "the PyTorch weights", "pass torchvision's AlexNet state dict and the LPIPS v0.1 alex.pth",
                 shown)
    return arrays


def check_shapes(arrays, source, advice="download or convert the weights again", shown=None):
    """UserError unless every parameter has LPIPS AlexNet's shape and finite values (NaN weights score every
    pair 0, a perfect LPIPS); advice: what the line says to do (a shape's line said nothing); shown: {name: how the
    line names it} (a PyTorch file's name for it, and the file), else its name quoted."""
    said = {name: (shown or {}).get(name, f"'{name}'") for name in parameter_shapes()}
    for name, shape in parameter_shapes().items():
        if tuple(arrays[name].shape) != shape:
            raise UserError(
                f"{source}: {said[name]} has shape {tuple(arrays[name].shape)}, LPIPS AlexNet needs {shape}; {advice}")
        if not np.isfinite(arrays[name]).all():
            raise UserError(f"{source}: {said[name]} holds NaN or infinite values; {advice}")
    negative = next((name for name in LIN_NAMES if (arrays[name] < 0).any()), None)
    if negative:
        raise UserError(f"{source}: {said[negative]} holds negative values, which no LPIPS weights hold (its training "
                        "keeps the linear layers' weights at 0 or above; negative ones score distances below 0); "
                        f"{advice}")
    if v0_0_weights(arrays):
        raise UserError(f"{source}: its linear layers ({said[LIN_NAMES[0]]} .. {said[LIN_NAMES[-1]]}) are the LPIPS "
                        "project's v0.0 AlexNet weights (weights/v0.0/alex.pth), which score pairs otherwise than the "
                        "v0.1 weights this LPIPS computes (v0.0's were trained on images without v0.1's scaling); "
                        f"{advice}")
    # each squared difference of unit vectors is at most 4: lin weights of zeros scored every pair 0, exit code 0
    reaches = {name: 4 * float(np.abs(arrays[name].astype(np.float64)).sum()) for name in LIN_NAMES}
    reach = sum(reaches.values())
    if reach < LEAST_REACH:
        raise UserError(f"{source}: its linear layers' weights ({said[LIN_NAMES[0]]} .. {said[LIN_NAMES[-1]]}) are so "
                        f"small (or 0) that no pair of images scores above {reach:.3g} (each pair near 0, a perfect "
                        f"LPIPS), as no trained network's weights do; {advice}")
    if reach < LEAST_TOTAL_REACH:
        raise UserError(f"{source}: its linear layers' weights ({said[LIN_NAMES[0]]} .. {said[LIN_NAMES[-1]]}) are so "
                        f"small that no pair of images scores above {reach:.3g} (the published LPIPS weights': "
                        f"{PUBLISHED_REACH}), and pairs of random pictures score some thousands of times less, each "
                        f"near 0, as no trained network's weights do; {advice}")
    # one layer's of zeros lost its term on every pair (the last's: 5 % of the fixture's scores), exit code 0
    lost = next((name for name in LIN_NAMES if reaches[name] < LEAST_LAYER_REACH), None)
    if lost:
        raise UserError(f"{source}: the weights of its linear layer {said[lost]} are so small (or 0) that the layer "
                        f"adds at most {reaches[lost]:.3g} to a pair's score (its term lost on every pair), as no "
                        f"trained network's weights do; {advice}")
    overflowing, vanishing, cause = parameters_out_of_range(arrays)
    if overflowing:
        raise UserError(f"{source}: its weights up to {said[overflowing]} are so large that LPIPS's float32 "
                        "computation overflows there on some images (scoring them 0, a perfect LPIPS, or NaN), as no "
                        f"trained network's weights do; {advice}")
    if reach > GREATEST_REACH:
        raise UserError(f"{source}: its linear layers' weights ({said[LIN_NAMES[0]]} .. {said[LIN_NAMES[-1]]}) are so "
                        f"large that pairs of images can score up to {reach:.3g} (the published LPIPS weights': "
                        f"{PUBLISHED_REACH}), as no trained network's weights do; {advice}")
    if cause == "biases":
        raise UserError(f"{source}: its biases up to {said[vanishing]} are so far below 0 that LPIPS's features there "
                        "are 0 on every image (its ReLU's), scoring each pair 0, a perfect LPIPS, as no trained "
                        f"network's biases do; {advice}")
    if cause == "constant":
        raise UserError(f"{source}: its weights up to {said[vanishing]} are so small (or 0) beside its biases that "
                        f"LPIPS's features there are the same on every image to within {100 * NORM_EPS:g} (scoring "
                        f"each pair near 0, a perfect LPIPS), as no trained network's weights do; {advice}")
    if vanishing:
        raise UserError(f"{source}: its weights up to {said[vanishing]} are so small (or 0) that LPIPS's features "
                        f"there fall below its normalization's {NORM_EPS:g} on every image (scoring each pair near 0, "
                        f"a perfect LPIPS), as no trained network's weights do; {advice}")
    lost = lost_layer(arrays)
    if lost:
        raise UserError(f"{source}: its linear layer {said[lost]} adds 0 to the score of every pair of test pictures "
                        "(the channels it weighs are 0 on every image: biases so far below 0 that the ReLU holds them "
                        f"there, or its weights on such channels alone), its term lost on every pair, as no trained "
                        f"network's weights do; {advice}")


# pairs of pictures each layer's term is computed on (lost_layer): noise against noise, and a ramp against its mirror
PROBE_SIZE = 32  # pixels a side: the least whose last layers are 1x1 (0.1 s a check; 64, 3x3, 0.25 s)


def probe_pictures():
    """(a, b): two batches of (N, 3, PROBE_SIZE, PROBE_SIZE) pictures in [-1, 1], each pair of them unlike."""
    noise = np.random.default_rng(0).uniform(-1, 1, (4, 3, PROBE_SIZE, PROBE_SIZE)).astype(np.float32)
    ramp = np.broadcast_to(np.linspace(-1, 1, PROBE_SIZE, dtype=np.float32), (1, 3, PROBE_SIZE, PROBE_SIZE))
    return np.concatenate([noise[:2], ramp]), np.concatenate([noise[2:], ramp[..., ::-1]])


def lost_layer(arrays):
    """The first linear layer whose term is 0 on every probe pair (probe_pictures), or None. parameters_out_of_range
    bounds each layer's features from above, which cannot see a layer that is 0 on every image where its bounds are
    loose: biases of -1e4 in the fourth convolution (refused at -1e3 in the first) held its features at 0, the fourth
    and fifth terms lost (the scores 18 % lower), exit code 0, and so did a fifth linear layer weighing only channels
    such biases hold at 0."""
    key = parameters_digest(arrays)
    if key in LIVE_WEIGHTS:
        return None
    terms = LPIPS(arrays).per_layer(*probe_pictures())
    lost = next((name for name, term in zip(LIN_NAMES, terms.T) if not (term > 0).any()), None)
    if lost is None:
        LIVE_WEIGHTS.add(key)
    return lost


# parameters_digest of the weights lost_layer found each layer of live in, this process: a conversion checked its
# weights as read, as saved and as read back, and evaluate.py's tests load one file some hundred times (0.1 s a check;
# the digest: 0.01 s)
LIVE_WEIGHTS = set()


def parameters_digest(arrays):
    """sha256 (hex) of every parameter's name, shape, type and values, in parameter_shapes' order."""
    digest = hashlib.sha256()
    for name in parameter_shapes():
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.shape}|{array.dtype.str};".encode())
        digest.update(array.data)
    return digest.hexdigest()


def linear_projections(arrays):
    """Each linear layer's values (LIN_NAMES' order) summed plain and weighed by the cosine and sine of their indices:
    (5, 3) numbers that rounding moves a little (by a value's relative error at most), other weights far (as
    V0_0_PROJECTIONS')."""
    rows = []
    for name in LIN_NAMES:
        values = np.asarray(arrays[name], np.float64).ravel()
        index = np.arange(values.size, dtype=np.float64)
        rows.append((values.sum(), (values * np.cos(index)).sum(), (values * np.sin(index)).sum()))
    return np.array(rows)


def v0_0_weights(arrays):
    """Whether the linear layers are the LPIPS project's v0.0 ones at any precision: linear_projections within
    V0_0_TOLERANCE of each layer's sum of V0_0_PROJECTIONS'."""
    known = np.array(V0_0_PROJECTIONS)
    return bool((np.abs(linear_projections(arrays) - known) <= V0_0_TOLERANCE * known[:, :1]).all())


def parameters_out_of_range(arrays):
    """(the parameter at which LPIPS's float32 computation can overflow on some image; the parameter at which the
    features are the same on every image to within 100 times the normalization's NORM_EPS, and why: "small" (the
    features fall below it), "constant" (the biases hold them, the weights' part below it) or "biases" (the biases
    so far below 0 that the ReLU makes them 0)), each the first in the network's order, or None. Bounds follow from
    the images' range: a channel's output after its ReLU (and the max pool's after it) is at most the sum of its
    weights' magnitudes times the largest input plus its bias, or 0 where that is below 0; what of it differs between
    two images is at most those magnitudes times what differs in the input, 0 in a channel the ReLU holds at 0. The
    channels' sum of squares (unit_normalize's) must stay in float32's range; a lin layer sums its weights times
    squared differences of unit vectors, each at most 4. Weights of 1e30 scored every pair 0, as NaN ones did. Where
    the features' part that differs between images is shorter than 100 times NORM_EPS, which unit_normalize adds to
    their length, every pair scores near 0: a first convolution of 1e-20, or of zeros, scored every pair 0 or near it,
    exit code 0, and so did one of zeros and biases of 1 (features of the same value on every image), and biases of
    -1e6 (refused at -1e30 as overflowing, where the ReLU makes the features 0)."""
    limit = float(np.finfo(np.float32).max)
    vanishing = cause = None
    with np.errstate(over="ignore"):
        largest = np.max(np.maximum(np.abs(-1 - SHIFT), np.abs(1 - SHIFT)) / SCALE)  # of x', the scaled images
        differing = largest  # what of the input differs between images, at most
        for conv, lin_name in zip(ALEXNET, LIN_NAMES):
            magnitudes = np.abs(arrays[conv.weight_name].astype(np.float64)).sum(axis=(1, 2, 3))
            bias = arrays[conv.bias_name].astype(np.float64)
            if np.max(magnitudes * largest + np.abs(bias)) >= limit:  # the convolution's own output
                return conv.weight_name, None, None
            channels = np.maximum(magnitudes * largest + bias, 0)  # after the ReLU, at most
            if np.sum(channels ** 2) >= limit:
                return conv.weight_name, None, None
            if 4 * np.abs(arrays[lin_name].astype(np.float64)).sum() >= limit:
                return lin_name, None, None
            varying = np.where(channels > 0, magnitudes * differing, 0)
            if vanishing is None and np.sqrt(np.sum(varying ** 2)) < 100 * NORM_EPS:
                unbiased = np.sqrt(np.sum((magnitudes * largest) ** 2))
                vanishing, cause = ((conv.bias_name, "biases") if not channels.any() and unbiased >= 100 * NORM_EPS
                                    else (conv.weight_name, "small") if np.sqrt(np.sum(channels ** 2)) < 100 * NORM_EPS
                                    else (conv.weight_name, "constant"))
            largest, differing = np.max(channels), np.max(varying)
    return None, vanishing, cause


def load_lpips_weights(path, advice=None):
    """{name: float32 array} from an alex_with_LPIPS.h5 file; UserError if it is not one. advice: what each line says
    to do about a file that is not one, in place of fetching or converting it again (the download's: the file it
    fetched is kept, to be fetched from another host)."""
    again = advice or "fetch them again with `python download_test_data.py --weights`, or convert them again"
    if advice is None and is_pth(path):  # the LPIPS project's alex.pth was told "convert them again", never converted
        again = ("it is a PyTorch .pth: convert_lpips_weights.py converts the LPIPS project's weights/v0.1/alex.pth "
                 "(with torchvision's AlexNet) into one")
    # its parameters alone: another dataset beside them (text, a record) was refused as the file's own values
    arrays = read_weight_file(path, again, "LPIPS weights file", missing_advice=(
        "run `python download_test_data.py --weights` or convert_lpips_weights.py"), nonfinite_advice=again,
        names=set(parameter_shapes()))
    # a group of the name is no parameter either (read_weight_file reads datasets only)
    missing = [name for name in parameter_shapes() if name not in arrays]
    if missing:
        linked = link_to_another_file(path, missing[0])
        held = (f"its '{printable(linked[0])}' is a link to another file, '{printable(linked[1])}', not arrays of its "
                f"own, where it needs '{missing[0]}'" if linked else f"no '{missing[0]}'")
        raise UserError(f"'{path}' is not an LPIPS AlexNet weights file ({held}); "
                        + (advice or "use NNabla's alex_with_LPIPS.h5 or convert_lpips_weights.py's output"))
    # a double past float32's range becomes inf, which check_shapes refuses: numpy's warning printed two lines
    with np.errstate(over="ignore"):
        arrays = {name: np.asarray(arrays[name], np.float32) for name in parameter_shapes()}
    check_shapes(arrays, f"'{path}'", again)
    return arrays


def save_lpips_weights(path, arrays):
    """Write {name: array} as an NNabla parameter file (nn.save_parameters' .h5), atomically."""
    check_shapes(arrays, "the weights to save")
    params = {name: HostParameter(np.asarray(arrays[name]), need_grad=False) for name in parameter_shapes()}
    write_atomically(path, lambda temporary: save_parameter_file(temporary, params))


def alexnet_features(images, params):
    """[relu1 .. relu5] of AlexNet for (N, 3, H, W) scaled images; pools are 3x3/2, floor mode."""
    features, h = [], images
    for conv in ALEXNET:
        if conv.pool_before:
            h = F.max_pooling(h, (3, 3), (2, 2), ignore_border=True)
        h = F.relu(F.convolution(h, params[conv.weight_name], params[conv.bias_name],
                                 pad=(conv.pad, conv.pad), stride=(conv.stride, conv.stride)))
        features.append(h)  # (N, C_l, h_l, w_l)
    return features


def unit_normalize(features):
    """Each pixel's channel vector divided by its L2 norm plus 1e-10 (the eps outside the sqrt)."""
    return features / (F.sum(features ** 2, axis=1, keepdims=True) ** 0.5 + NORM_EPS)


def layer_distances(normalized_a, normalized_b, lin_weights):
    """(P, 5) terms d_l between two equally long batches of normalized features (lists over layers)."""
    terms = []
    for a, b, weight in zip(normalized_a, normalized_b, lin_weights):
        # (P, 1, h, w): the lin layer is a 1x1 convolution
        weighted = F.convolution(F.squared_error(a, b), weight)
        terms.append(F.mean(weighted, axis=(1, 2, 3)))
    return F.stack(*terms, axis=1)


def to_lpips_input(rgb_uint8):
    """(N, H, W, 3) or (H, W, 3) 8-bit RGB -> NCHW float32 in [-1, 1], as uint8 / 127.5 - 1 in float64."""
    images = np.asarray(rgb_uint8)
    images = images[None] if images.ndim == 3 else images
    return (images.astype(np.float64) / 127.5 - 1.0).astype(np.float32).transpose(0, 3, 1, 2)


class LPIPS:
    """LPIPS distances between images of one size; each image goes through AlexNet once per call."""

    def __init__(self, arrays):
        self.params = {name: nn.Variable.from_numpy_array(array) for name, array in arrays.items()}

    def normalized_features(self, images):
        """[fn_0 .. fn_4] of (N, 3, H, W) images in [-1, 1]."""
        # in numpy: NNabla's CPU broadcasting is slow
        scaled = (np.asarray(images, np.float32) - SHIFT) / SCALE
        return [
            unit_normalize(layer)
            for layer in alexnet_features(nn.Variable.from_numpy_array(scaled), self.params)
        ]

    def pair_terms(self, images, pairs):
        """[(P, 5) per-layer terms] for each (slice a, slice b) in pairs: LPIPS(images[a][p],
        images[b][p])."""
        features = self.normalized_features(images)
        lin_weights = [self.params[name] for name in LIN_NAMES]
        terms = [
            layer_distances([layer[a] for layer in features], [layer[b] for layer in features], lin_weights)
            for a, b in pairs
        ]
        nn.forward_all(terms, clear_buffer=True)
        return [term.d.copy() for term in terms]

    def per_layer(self, images_a, images_b):
        """(N, 5) terms d_0..d_4 of LPIPS(images_a[n], images_b[n]); both (N, 3, H, W) in [-1, 1]."""
        count = len(images_a)
        return self.pair_terms(np.concatenate([images_a, images_b]),
                               [(slice(0, count), slice(count, None))])[0]

    def __call__(self, images_a, images_b):
        """(N,) LPIPS distances of image pairs, both (N, 3, H, W) in [-1, 1]."""
        return self.per_layer(images_a, images_b).sum(axis=1)

    def sequence(self, targets, outputs):
        """LPIPS of (targets[k], outputs[k]), of (targets[k-1], targets[k]) and of (outputs[k-1], outputs[k]).

        targets, outputs: (K, 3, H, W) consecutive frames in [-1, 1]. Returns (K,), (K-1,), (K-1,) distances;
        AlexNet runs once per image.
        """
        count = len(targets)
        pairs = [(slice(0, count), slice(count, None))]
        if count > 1:
            pairs += [(slice(0, count - 1), slice(1, count)), (slice(count, -1), slice(count + 1, None))]
        distances = [
            terms.sum(axis=1) for terms in self.pair_terms(np.concatenate([targets, outputs]), pairs)
        ]
        return tuple(distances) if count > 1 else (distances[0], np.zeros(0), np.zeros(0))
