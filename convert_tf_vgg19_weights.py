"""Convert TF-slim's VGG19 checkpoint into the NNabla weight file that TecoGAN's VGG loss loads.

    python convert_tf_vgg19_weights.py --pre_trained_model vgg_19.ckpt --save-path vgg19.h5

--pre_trained_model takes the checkpoint as distributed (vgg_19_2016_08_28.tar.gz), the single-file
V1 checkpoint inside it (vgg_19.ckpt), or a V2 checkpoint prefix (model.ckpt for model.ckpt.index
and model.ckpt.data-*). The output holds the names of the official vgg19.h5
(../shared/reference/params_vgg19_h5.txt): conv1..conv16/conv/{W,b} for slim's
vgg_19/conv<block>/conv<block>_<k>, and classifier/{0,3,6}/affine/{W,b} for fc6, fc7, fc8.
4-D weights go from TF's (kh, kw, in, out) to the file's channel-last (out, kh, kw, in), the
fully connected ones included, as slim stores them as convolutions.
TensorFlow is needed only here and only to read the checkpoint.
"""
import logging

from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

logging.getLogger("nnabla").setLevel(logging.WARNING)  # before nnabla's import logs its start-up

import bz2
import gzip
import io
import lzma
import os
import re
import reprlib
import tarfile
import tempfile
import zlib

import nnabla as nn
import numpy as np
from tqdm import tqdm

from utils.atomic_files import check_name_length, disk_full, remove_stale_temporaries
from utils.errors import UserError, counted, error_reason, exit_on_user_error, printable, shortened
from utils.flags import FlagParser
from utils.paths import input_file, not_an_input, output_file
from utils.weights import save_weights
from utils.zips import ZIP_SIGNATURES
from vgg19 import CLASSIFIER_SCOPE, vgg19_layers

SLIM_SCOPE = "vgg_19"
FULLY_CONNECTED = (("fc6", f"{CLASSIFIER_SCOPE}/0/affine"), ("fc7", f"{CLASSIFIER_SCOPE}/3/affine"),
                   ("fc8", f"{CLASSIFIER_SCOPE}/6/affine"))
HWIO_TO_COMPUTE_AXES = (3, 2, 0, 1)  # TF (kh, kw, in, out) -> NNabla compute layout (out, in, kh, kw)
INSTALL_TENSORFLOW = "pip install tensorflow-cpu==2.16.*"
ARCHIVE_ENDINGS = (".tar.gz", ".tgz", ".tar")
ARCHIVE_ERRORS = (tarfile.TarError, EOFError, OSError, zlib.error)  # gzip.BadGzipFile is an OSError


def layer_names():
    """[(slim layer, NNabla layer)] in network order: 16 convolutions, then the 3 fully connected layers."""
    convs = [(f"{SLIM_SCOPE}/conv{stage}/conv{stage}_{k}", f"{name}/conv")
             for stage, layers in enumerate(vgg19_layers(), start=1)
             for k, (name, _) in enumerate(layers, start=1)]
    return convs + [(f"{SLIM_SCOPE}/{slim}", nnabla) for slim, nnabla in FULLY_CONNECTED]


def _import_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import tensorflow
    except ImportError:
        raise UserError(f"reading a TensorFlow checkpoint needs TensorFlow: {INSTALL_TENSORFLOW}")
    return tensorflow


def read_checkpoint(prefix, names, shown):
    """{name: float32 array} of the named variables of a V1 or V2 checkpoint; shown: how error lines name it (the
    archive it came in: a temporary folder's path named a file gone by then)."""
    tf = _import_tensorflow()
    try:
        # the path as the system's bytes: load_checkpoint encodes it as UTF-8, and a checkpoint in a folder whose name
        # is not UTF-8 was "cannot read ... as a TensorFlow checkpoint ('utf-8' codec can't encode ...)"
        reader = tf.compat.v1.train.NewCheckpointReader(os.fsencode(prefix))
    # TF raises several types (NotFound, DataLoss, ValueError) for unreadable files
    except Exception as error:
        # a V2 checkpoint's reader reads its .index alone here: one of 0 bytes or damaged was "cannot read
        # '...data-00000-of-00001' as a TensorFlow checkpoint (file is too short to be an sstable); pass vgg_19.ckpt",
        # the data part passed (or a prefix, no file) blamed and the name of a V1 checkpoint advised
        if os.path.isfile(prefix + ".index"):
            raise UserError(f"cannot read the index of the TensorFlow checkpoint {shown}, "
                            f"'{shortened(printable(os.path.basename(prefix)), 80)}.index' ({error_reason(error)}); it "
                            "is cut short or damaged: download vgg_19_2016_08_28.tar.gz again, or save the checkpoint "
                            "again")
        raise UserError(f"cannot read {shown} as a TensorFlow checkpoint ({error_reason(error)}); "
                        "pass vgg_19.ckpt or vgg_19_2016_08_28.tar.gz")
    available = reader.get_variable_to_shape_map()
    missing = [name for name in names if name not in available]
    if missing:
        raise UserError(f"checkpoint {shown} lacks {missing[0]}" +
                        (f" and {len(missing) - 1} more VGG19 variables" if len(missing) > 1 else "") +
                        "; pass TF-slim's vgg_19 checkpoint (vgg_19_2016_08_28.tar.gz)")
    with tqdm(names, desc="read") as bar:  # closed before an error line, which it would otherwise be drawn over
        return {name: real_float32(reader, shown, name) for name in bar}


def real_float32(reader, shown, name):
    """The named variable as a float32 array of finite numbers, or UserError. The values are read only here: a
    .data file missing, cut short or damaged (TF's OpError, an IndexError), text, complex numbers, NaN or values past
    float32's range were a traceback, or numpy's warning lines and a file that training refuses."""
    try:
        tensor = reader.get_tensor(name)
    except Exception as error:  # as tf.train.load_checkpoint's, of several types
        raise UserError(f"cannot read {name} of checkpoint {shown} ({error_reason(error)}); its files are missing, "
                        "cut short or damaged: download vgg_19_2016_08_28.tar.gz again")
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            array = None if np.iscomplexobj(tensor) else np.asarray(tensor, dtype=np.float32)
        except (ValueError, TypeError):  # text, or objects
            array = None
    if array is None or not np.isfinite(array).all():
        kind = "NaN or infinite values" if array is not None else f"values of type {np.asarray(tensor).dtype}"
        raise UserError(f"checkpoint {shown}: {name} holds {kind}, not weights a network can use (finite float32 "
                        "numbers); pass TF-slim's vgg_19 checkpoint (vgg_19_2016_08_28.tar.gz)")
    return array


def slim_variable_names():
    return [f"{slim}/{kind}" for slim, _ in layer_names() for kind in ("weights", "biases")]


def to_nnabla_layout(tf_arrays):
    """{NNabla name: array in compute layout} from slim's arrays, checking that the layers chain up."""
    converted = {}
    channels = 3
    for slim, nnabla in layer_names():
        weights, biases = tf_arrays[f"{slim}/weights"], tf_arrays[f"{slim}/biases"]
        if weights.ndim != 4 or biases.shape != (weights.shape[3],) or weights.shape[2] != channels:
            raise UserError(f"{slim}: weights {weights.shape} and biases {biases.shape} do not form a layer "
                            f"taking {channels} channels; this is not a VGG19 checkpoint")
        channels = weights.shape[3]
        converted[f"{nnabla}/W"] = weights.transpose(HWIO_TO_COMPUTE_AXES)
        converted[f"{nnabla}/b"] = biases
    return converted


def checkpoint_prefix(directory):
    """The checkpoint inside an unpacked archive: the one V2 .index file's prefix (other files beside it, a training's
    graph or events, are not read), or else the one V1 file (beside which a Saver may have written its 'checkpoint'
    state file and a graph, .meta). Of several V2 checkpoints (a training's at two steps), the first by name was
    converted, with exit code 0."""
    names = sorted(os.listdir(directory))
    # reprlib: the first names, each cut short (an archive of thousands of files made a line of kilobytes)
    prefixes = [name[:-len(".index")] for name in names if name.endswith(".index")]
    if len(prefixes) > 1:
        raise UserError(f"the archive holds {len(prefixes)} checkpoints {reprlib.repr(prefixes)}, not one; unpack it "
                        "and pass the one to convert (its prefix, model.ckpt for model.ckpt.index)")
    data_parts = [name for name in names if data_part_stem(name)]
    if data_parts and not prefixes:
        raise without_index(data_parts[0], f"the archive holds '{shortened(printable(data_parts[0]), 80)}'",
                            "pack the checkpoint again with its .index")
    candidates = prefixes or [name for name in names if name != "checkpoint" and not name.endswith(".meta")]
    if len(candidates) == 1:
        return os.path.join(directory, candidates[0])
    held = f"{counted(len(names), 'file')} {reprlib.repr(names)}" if names else "no files"
    raise UserError(f"the archive holds {held}, "
                    "not one checkpoint; pass vgg_19_2016_08_28.tar.gz or the vgg_19.ckpt inside it")


def data_part_stem(name):
    """The checkpoint's prefix of a V2 checkpoint's data part's name ('vgg_19.ckpt' of
    'vgg_19.ckpt.data-00000-of-00001'), else None."""
    match = re.fullmatch(r"(.+)\.data-[0-9]+-of-[0-9]+", name)
    return match.group(1) if match else None


def v2_prefix(path):
    """The prefix of the V2 checkpoint a path names one of the parts of (its .index, or a data part beside its .index),
    else None. A part was read as a V1 checkpoint: the data part "cannot read '...data-00000-of-00001' as a TensorFlow
    checkpoint (... not an sstable (bad magic number) ...)", the .index "lacks vgg_19/conv1/conv1_1/weights and 37 more
    VGG19 variables", of a whole checkpoint (and of one without its data part, whose values are then missing)."""
    if path.endswith(".index"):
        return path[:-len(".index")]
    stem = data_part_stem(os.path.basename(path))
    prefix = None if stem is None else os.path.join(os.path.dirname(path), stem)
    return prefix if prefix and os.path.isfile(prefix + ".index") else None


def without_index(name, held, advice):
    """The UserError of a V2 checkpoint's data part (its base name) given without its .index, which names its
    variables (held: what the line says holds it, the part named): it was read as a V1 checkpoint, "cannot read
    'vgg_19.ckpt.data-00000-of-00001' ... (file is too short to be an sstable ...)", the file blamed where its index is
    missing."""
    return UserError(f"{held}, a part of a TensorFlow checkpoint, without its "
                     f"'{shortened(printable(data_part_stem(name)), 80)}.index' (which names the variables in it); "
                     f"{advice}, or pass vgg_19_2016_08_28.tar.gz")


def unpack_checkpoint_archive(archive_path, directory):
    """Copy the regular files of a .tar.gz flat into directory (by base name, so nothing can land outside), hidden ones
    left out (macOS's '._' metadata beside each file of an archive packed on a Mac, '.DS_Store': such an archive was
    refused, its '._vgg_19.ckpt' read as the checkpoint); a truncated or corrupt archive is refused whole, and so is one
    of two files of one name in two folders (the last of them was converted, with exit code 0)."""
    paths = {}  # of each name copied, the member it came from
    links = []  # the symbolic links it holds, which are not copied
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            for member in archive.getmembers():
                name = os.path.basename(member.name)
                if member.issym() and name and not name.startswith("."):
                    links.append(member)
                if member.isfile() and name and not name.startswith("."):
                    if paths.setdefault(name, os.path.normpath(member.name)) != os.path.normpath(member.name):
                        raise UserError(f"the archive '{archive_path}' holds two files named '{name}' "
                                        f"('{shortened(paths[name], 80)}' and '{shortened(member.name, 80)}'), not one "
                                        "checkpoint; pass vgg_19_2016_08_28.tar.gz or the vgg_19.ckpt inside it")
                    with archive.extractfile(member) as source, unpacked_file(directory, name, member,
                                                                              archive_path) as output:
                        while chunk := source.read(1 << 20):
                            output.write(chunk)
            while archive.fileobj.read(1 << 20):  # to the end, where gzip checks its CRC and length
                pass
    except ARCHIVE_ERRORS as error:
        if disk_full(error, os.path.join(directory, "")):
            raise UserError(f"no space left in the temporary folder '{os.path.dirname(directory)}' to unpack "
                            f"'{archive_path}'; free some space, or set TMPDIR to a folder on a larger disk")
        # a tar archive's own refusal (not the temporary folder's, of writing): "a whole gzip file around no tar
        # archive this reads" named a tar.gz of a member's name too long for the file system, which it reads
        inner = whole_layer(archive_path) if isinstance(error, tarfile.TarError) else None
        if inner:  # its layer's checks passed: not cut or damaged on its way, and "download it again" could not help
            kind, start = inner
            held = f"a file beginning {printable(repr(start))}" if start else "nothing"
            raise UserError(f"'{archive_path}' is a whole {kind} file around no tar archive this reads (it holds "
                            f"{held}), not vgg_19_2016_08_28.tar.gz as distributed; if it "
                            f"holds the vgg_19.ckpt, unpack its {kind} layer and pass that, or else pass "
                            "vgg_19_2016_08_28.tar.gz")
        raise UserError(f"cannot unpack '{archive_path}' ({error_reason(error)}); "
                        "download vgg_19_2016_08_28.tar.gz again")
    def held_as_link(link):
        return UserError(f"the archive '{archive_path}' holds '{shortened(printable(link.name), 80)}' as a symbolic "
                         f"link (to '{shortened(printable(link.linkname), 80)}'), not the file: pack the checkpoint "
                         "again with `tar -h`, which stores the files links lead to, or pass the vgg_19.ckpt it leads "
                         "to")
    try:
        prefix = checkpoint_prefix(directory)
    except UserError:
        # an archive of the checkpoint as a symbolic link (tar packs a link as one, without -h) was said to hold "no
        # files", or the files beside it alone
        if links:
            raise held_as_link(links[0]) from None
        raise
    # a part of the checkpoint as a link (its .index beside its data file) was "cannot read
    # 'vgg_19.ckpt.data-00000-of-00001' ... as a TensorFlow checkpoint (... file is too short ...)", the file blamed
    stem = re.sub(r"\.(index|data-[0-9]+-of-[0-9]+)$", "", os.path.basename(prefix))  # the checkpoint's name
    parts = [link for link in links if os.path.basename(link.name) == stem
             or os.path.basename(link.name).startswith(stem + ".")]
    if parts:
        raise held_as_link(parts[0])
    return prefix


def unpacked_file(directory, name, member, archive_path):
    """The file name of directory opened to write the archive's member into; UserError where the file system refuses
    the name (longer than its 255 bytes: "cannot unpack ... (File name too long); download vgg_19_2016_08_28.tar.gz
    again", of a whole archive a download again could not mend)."""
    try:
        return open(os.path.join(directory, name), "wb")
    except OSError as error:
        if disk_full(error, os.path.join(directory, "")):
            raise
        raise UserError(f"the archive '{archive_path}' holds a file '{shortened(printable(member.name), 80)}' that "
                        f"cannot be unpacked here ({error.strerror or error_reason(error)}), not "
                        "vgg_19_2016_08_28.tar.gz as distributed; pass the vgg_19.ckpt inside it") from None


def is_archive(path):
    """Whether path is (or, by its name or its broken compression, should be) a tar archive: a truncated
    .tar.gz may not even look like one."""
    if path.lower().endswith(ARCHIVE_ENDINGS):
        return True
    try:
        return os.path.isfile(path) and tarfile.is_tarfile(path)
    except ARCHIVE_ERRORS:
        return True


# the first bytes of files packed by a program this does not unpack, by its name (gzip, bzip2 and xz unpacked where they
# hold a tar archive, which tarfile reads)
PACKINGS = (*((signature, "zip") for signature in ZIP_SIGNATURES), (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
            (b"\x28\xb5\x2f\xfd", "Zstandard"), (b"Rar!\x1a\x07", "RAR"), (b"\x04\x22\x4d\x18", "LZ4"))
TAR_COMPRESSIONS = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"))


DECOMPRESSED = {"gzip": gzip.open, "bzip2": bz2.open, "xz": lzma.open}  # of TAR_COMPRESSIONS, as tarfile reads them


def packed_by(start):
    """The packing (of PACKINGS or TAR_COMPRESSIONS) of a file beginning with the bytes start, or None."""
    return next((kind for signature, kind in PACKINGS + TAR_COMPRESSIONS if start.startswith(signature)), None)


def whole_layer(path):
    """(its compression, gzip, bzip2 or xz, and the first 16 bytes it holds) of a file whose compressed layer reads
    whole to its end, its checks passed (gzip's CRC and length), or None. A file tarfile cannot unpack whose layer is
    whole was not cut or damaged on its way (a gzip of the bare checkpoint, of a tar cut before it was compressed):
    "download vgg_19_2016_08_28.tar.gz again" sent the user to fetch what was not the download's fault."""
    try:
        with io.open(path, "rb") as file:
            kind = packed_by(file.read(8))
        if kind not in DECOMPRESSED:
            return None
        with DECOMPRESSED[kind](path, "rb") as file:
            start = file.read(16)
            while file.read(1 << 20):
                pass
    except (OSError, EOFError, lzma.LZMAError, zlib.error):  # gzip's BadGzipFile and bz2's errors are OSErrors
        return None
    return kind, start


def packed_inside(path, kind):
    """The packing (of PACKINGS or TAR_COMPRESSIONS) of what a file compressed by kind (gzip, bzip2 or xz) holds, by
    its first bytes, or None: a tar archive or a checkpoint inside, another kind (LZ4's, unread), bytes that do not
    decompress."""
    if kind not in DECOMPRESSED:
        return None
    try:
        with DECOMPRESSED[kind](path, "rb") as file:
            start = file.read(8)
    except (OSError, EOFError, lzma.LZMAError, zlib.error):  # gzip's BadGzipFile and bz2's errors are OSErrors
        return None
    return packed_by(start)


def refuse_packed(path, shown, tar_compressions=False):
    """UserError for a file packed by a program this does not unpack (by its first bytes, whatever its name): a zip of
    the checkpoint was read as one, "cannot read ... as a TensorFlow checkpoint (... not an sstable ...)", as if it were
    damaged. tar_compressions: of gzip, bzip2 and xz too (a file that holds no tar archive: vgg_19.ckpt.gz). shown: how
    the line names it."""
    if not os.path.isfile(path):  # a V2 prefix, no file itself (a pipe of its name would wait for a writer)
        return
    try:
        with io.open(path, "rb") as file:
            start = file.read(8)
    except OSError:  # unreadable, which reading the checkpoint names
        return
    kind = packed_by(start)
    inner = packed_inside(path, kind)
    if inner:  # tarfile's "file could not be opened successfully ...; download vgg_19_2016_08_28.tar.gz again"
        raise UserError(f"{shown} is packed by {kind} around a file packed by {inner} (packed twice, as a server's "
                        "encoding of a download can leave it), which this does not unpack (it unpacks tar archives, "
                        f".tar.gz among them); unpack its {kind} layer and pass what it holds")
    if kind and (tar_compressions or kind not in DECOMPRESSED):
        raise UserError(f"{shown} is packed by {kind}, which this does not unpack (it unpacks tar archives, "
                        ".tar.gz among them); unpack it and pass the vgg_19.ckpt inside it (or a V2 checkpoint's "
                        "prefix), or pass vgg_19_2016_08_28.tar.gz")


def convert(pre_trained_model, save_path):
    """Write the NNabla VGG19 weight file for a checkpoint (prefix, V1 file or .tar.gz); returns its names.
    Both paths are checked before any work, and nothing is written unless the whole conversion succeeds."""
    if not os.path.isfile(pre_trained_model + ".index"):  # else a V2 prefix, which is no file itself
        input_file(pre_trained_model, "--pre_trained_model", "pass vgg_19.ckpt, a V2 prefix with .index, or "
                   "download http://download.tensorflow.org/models/vgg_19_2016_08_28.tar.gz", regular=True)
    output_file(save_path, "--save-path", (".h5",), "vgg19")
    check_name_length(save_path, "choose a shorter --save-path")  # else ENAMETOOLONG after the conversion
    # a V1 checkpoint or an archive may have any name, .h5 too: it would be replaced by the result
    not_an_input(save_path, "--save-path", [("--pre_trained_model", pre_trained_model)])
    archive = is_archive(pre_trained_model)
    stem = data_part_stem(pre_trained_model)
    if not archive and stem and not os.path.isfile(stem + ".index"):
        raise without_index(os.path.basename(pre_trained_model), f"--pre_trained_model '{pre_trained_model}' is",
                            "pass the prefix of a checkpoint whose .index is beside its data")
    refuse_packed(pre_trained_model, f"--pre_trained_model '{pre_trained_model}'", tar_compressions=not archive)
    with tempfile.TemporaryDirectory() as unpacked:
        if archive:
            prefix = unpack_checkpoint_archive(pre_trained_model, unpacked)
            shown = f"'{os.path.relpath(prefix, unpacked)}' in '{pre_trained_model}'"
            if is_archive(prefix):  # an archive of the archive (re-packed): read as a checkpoint, "not an sstable"
                raise UserError(f"{shown} is an archive itself, not a checkpoint; unpack '{pre_trained_model}' and "
                                f"pass the {os.path.basename(prefix)} inside it")
            refuse_packed(prefix, shown, tar_compressions=True)  # an archive of a zip of the checkpoint
        else:
            prefix, shown = v2_prefix(pre_trained_model) or pre_trained_model, f"'{pre_trained_model}'"
        tf_arrays = read_checkpoint(prefix, slim_variable_names(), shown)
    converted = to_nnabla_layout(tf_arrays)
    # what a run killed while saving (kill -9) left beside the output, which no later run would finish
    # the folder as the system reads it: os.path.abspath drops 'lnk/..' as text (another folder's temporaries)
    remove_stale_temporaries(os.path.dirname(save_path) or os.curdir, {os.path.basename(save_path)},
                             (pre_trained_model,))
    save_weights(save_path, {name: nn.Variable.from_numpy_array(array, need_grad=False)
                             for name, array in converted.items()})
    return list(converted)


def parse_args(argv=None):
    parser = FlagParser(description=__doc__.split("\n\n")[0],
                        reference_flags=("--pre_trained_model", "--save-path"))
    parser.add_argument("--pre_trained_model", required=True,
                        help="vgg_19_2016_08_28.tar.gz, the vgg_19.ckpt inside it, or a V2 checkpoint prefix")
    parser.add_argument("--save-path", default="vgg19.h5", help="the NNabla .h5 to write")
    return parser.parse_args(argv)


def main(argv=None):
    with exit_on_user_error():
        args = parse_args(argv)
        names = convert(args.pre_trained_model, args.save_path)
        print(f"wrote {len(names)} parameters to {printable(args.save_path)}")


if __name__ == "__main__":
    main()
