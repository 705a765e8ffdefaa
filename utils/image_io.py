"""Pictures: reading frames (PNG, JPEG, BMP, GIF) as RGB float32 in [0, 1] and telling damaged or unreadable
ones in one line; writing PNGs and JPEGs; streaming frames through background threads (read_ahead, WriteBehind)."""
import os
import struct
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

from utils.atomic_files import write_bytes
from utils.errors import UserError, size_said
from utils.paths import not_a_file


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


JPEG_SIGNATURE = b"\xff\xd8\xff"


GIF_SIGNATURES = (b"GIF87a", b"GIF89a")


def ends_early(data):
    """Whether the bytes of a PNG or JPEG file stop before its end marker (IEND; EOI after the first scan), or those
    of a BMP before the rows its header gives, as a file cut off by a failed copy does: libpng and libjpeg would print
    their own lines, and a JPEG would decode with its missing rows grey. The first scan is the picture's own
    (first_jpeg_scan): a camera's Exif thumbnail, a JPEG with its own scan and end before it, let a photo cut short
    pass and decode with grey rows; a BMP cut short passed and failed at its decoding (OpenCV's own line)."""
    if data.startswith(PNG_SIGNATURE):
        return b"IEND" not in data
    if data.startswith(JPEG_SIGNATURE):
        return data.find(b"\xff\xd9", first_jpeg_scan(data)) < 0
    if data.startswith(b"BM"):
        return bmp_rows_end(data) > len(data)
    return False


def bmp_rows_end(data):
    """Where the rows of a BMP (data, its bytes) end: of an uncompressed one by its header (the offset of its pixels,
    its width, height and bits a pixel), of a run-length packed one by its runs (run_length_rows_end); 0 where the
    header does not say (another packing), past data's end where it is too short to be a header (cut short)."""
    if len(data) < 26:
        return len(data) + 1
    (offset, header_size) = struct.unpack("<II", data[10:18])
    if header_size == 12:  # OS/2's header: 16-bit sides
        width, height, _, bits = struct.unpack("<HHHH", data[18:26])
        compression = 0
    elif len(data) < 34:
        return len(data) + 1
    else:
        width, height, _, bits, compression = struct.unpack("<iiHHI", data[18:34])
    if compression in (1, 2):  # BI_RLE8, BI_RLE4: rows of runs, walked
        return run_length_rows_end(data, offset, abs(width), abs(height), 2 if compression == 2 else 1)
    if compression not in (0, 3, 6):  # BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS: rows of a fixed length
        return 0
    return offset + (abs(width) * bits + 31) // 32 * 4 * abs(height)


def run_length_rows_end(data, offset, width, height, per_byte):
    """Where the run-length packed rows of a BMP (data, its bytes; RLE8, or RLE4 of per_byte 2 pixels a byte) that
    begin at offset end, as OpenCV decodes them: at the end-of-picture code, or once the last row is ended (by a row's
    end code, or in RLE8 by a run that fills it); past data's end (len(data) + 1) where they run out first, as in a
    file cut short, whose decoding printed OpenCV's own line ("Unexpected end of input stream") before "the file is
    corrupt or not an image". Pairs of bytes: a count of pixels and their value; or 0 and a code: 0 a row's end (none
    more after an RLE8 run that filled the row), 1 the picture's, 2 a move (two bytes more), n >= 3 n pixels as they
    are (their bytes padded to an even count)."""
    position, x, y, filled = offset, 0, 0, False
    while y < height:
        if position + 2 > len(data):
            return len(data) + 1
        count, code = data[position], data[position + 1]
        position += 2
        if count:
            x += count
        elif code == 0:
            if not filled:
                x, y = 0, y + 1
        elif code == 1:
            return position
        elif code == 2:
            if position + 2 > len(data):
                return len(data) + 1
            x, y = x + data[position], y + data[position + 1]
            position += 2
        else:
            x, position = x + code, position + ((code + per_byte - 1) // per_byte + 1) // 2 * 2
        # an RLE8 row ends at a run that fills it too (an RLE4 row at its code alone)
        filled = bool(count) and per_byte == 1 and x >= width
        if filled:
            x, y = 0, y + 1
    return min(position, len(data) + 1)


def png_checksum_fails(data):
    """Whether a critical chunk of a PNG file (header, palette, image data) fails its CRC, as bytes changed by a
    bad disk or copy make it: libpng would print its own line. An ancillary chunk's failure is libpng's to
    warn about: the picture decodes. data: the whole file, which ends_early found complete."""
    view, position = memoryview(data), len(PNG_SIGNATURE)
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", view[position:position + 4])
        end = position + 8 + length
        if end + 4 > len(data):
            return True
        critical = not view[position + 4] & 0x20  # an upper-case first letter of the chunk's type
        if critical and zlib.crc32(view[position + 4:end]) != struct.unpack(">I", view[end:end + 4])[0]:
            return True
        if view[position + 4:position + 8] == b"IEND":
            return False
        position = end + 4
    return True


# Channels of a PNG's colour types (grey, RGB, palette, grey+alpha, RGBA); deflate packs at most 1032 bytes in one.
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


DEFLATE_MOST_RATIO = 1032


def png_size_impossible(data):
    """Whether a PNG file's header claims a size its file cannot have: a side of 0, or more pixel bytes than the
    whole file could hold compressed, as in a header edited or written by a faulty program: libpng would print
    its own line. data: the whole file, which png_checksum_fails found intact."""
    if data[12:16] != b"IHDR":
        return False
    width, height, depth, colour_type = struct.unpack(">IIBB", data[16:26])
    pixel_bytes = width * height * PNG_CHANNELS.get(colour_type, 4) * depth // 8
    return min(width, height) == 0 or pixel_bytes > DEFLATE_MOST_RATIO * len(data)


def grey_png(path, rgb=None):
    """Whether path is a PNG of grey pixels by its header: a grey colour type (grey, or grey and alpha), or a palette
    of grey colours alone (its PLTE chunk, before the image data), as tools save a greyscale picture too; or, where rgb
    (the picture as read) is given, a palette PNG whose pixels are all grey (a palette of grey colours and one unused
    colour entry scored as its colour target, 54 dB); False for another file or one that cannot be read."""
    try:
        with open(path, "rb") as file:
            header = file.read(33)  # the signature and the IHDR chunk
            if header[:8] != PNG_SIGNATURE or header[12:16] != b"IHDR" or header[25:26] not in (b"\0", b"\3", b"\4"):
                return False
            if header[25:26] != b"\3":
                return True
            while len(chunk := file.read(8)) == 8:
                length, kind = struct.unpack(">I4s", chunk)
                if kind in (b"PLTE", b"IDAT"):
                    colours = np.frombuffer(file.read(length), np.uint8) if kind == b"PLTE" else np.empty(0, np.uint8)
                    if colours.size >= 3 and not np.ptp(colours[:colours.size // 3 * 3].reshape(-1, 3), 1).any():
                        return True
                    break
                file.seek(length + 4, os.SEEK_CUR)
    except OSError:
        return False
    return rgb is not None and not np.ptp(rgb, 2).any()


def unreadable_image(path, error):
    """The UserError for an image file that open() refused with error."""
    if os.path.islink(path) and not os.path.exists(path):  # its permissions are not what is wrong
        return UserError(f"image '{path}' is a symbolic link to '{os.readlink(path)}', which does not exist (or "
                         "leads back to itself); replace or remove it")
    if isinstance(error, FileNotFoundError):  # listed, then deleted or moved (a training run reads frames for days)
        return UserError(f"cannot read image '{path}': it is gone, deleted or moved since its folder was listed; "
                         "restore it and run again")
    return UserError(f"cannot read image '{path}' ({error.strerror}); check its permissions")


def read_rgb(path):
    """(H, W, 3) float32 RGB in [0, 1]; UserError if the file cannot be decoded (read_bgr_uint8)."""
    return bgr_uint8_to_rgb_float(read_bgr_uint8(path))


# the most mean squared error (of values in [0, 1]) of a frame against another's area average at its size, both
# blurred (SAME_PICTURE_BLUR, in the small frame's pixels: the degradations' filters differ from an area average in
# their finest detail), for the two to be one picture at two sizes. The calendar's frames made 4 times smaller by the
# bd degradation (its Gaussian blur) are within 0.006 of theirs, down to 8x8; the same frames flipped, 0.02 and more.
# Within that, at most SAME_PICTURE_SHARE of the small frame's own variance: the error scales with a picture's contrast,
# and two dark or flat clips of other pictures, named alike, fell within 0.01 and were refused as an LR and HR pair
# (an LR frame of any degradation or JPEG stays within 0.2 of its variance, darkened to 5 % within 0.41; another
# picture, 0.79 and more). A small frame whose variance is within an 8-bit frame's rounding (FLAT_VARIANCE: a black or
# grey frame, a fade from black) tells no picture from another: against it an LR frame's rounding was past the share,
# and a pair whose first frames were a fade was trained on as sequences of HR frames, exit code 0, while two clips of
# other pictures, both from black, were refused as a pair. Flat over the frame in each channel: a frame of one colour
# (a title card's blue) varies across its channels alone, and two clips from one were refused as a pair so too
SAME_PICTURE_ERROR = 0.01
SAME_PICTURE_SHARE = 0.5
SAME_PICTURE_BLUR = 1.0
FLAT_VARIANCE = (1 / 255) ** 2 / 12


def is_made_smaller(pairs):
    """Whether frames are other frames made smaller, pairs (an iterable of (small_path, large_path), read as asked) of
    them in the order to ask: the first pair whose small frame is no flat picture (FLAT_VARIANCE) says
    (SAME_PICTURE_ERROR, SAME_PICTURE_SHARE); where all are flat, the first pair, within SAME_PICTURE_ERROR (flat
    frames of one value at two sizes)."""
    errors = []
    for small_path, large_path in pairs:
        small, large = read_rgb(small_path), read_rgb(large_path)
        shrunk = cv2.resize(large, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_AREA)
        small, shrunk = (cv2.GaussianBlur(frame, (0, 0), SAME_PICTURE_BLUR) for frame in (small, shrunk))
        error, variance = float(np.mean(np.square(shrunk - small))), float(np.var(small))
        if np.var(small, axis=(0, 1)).max() >= FLAT_VARIANCE:
            return error <= min(SAME_PICTURE_ERROR, SAME_PICTURE_SHARE * variance)
        errors.append(error)
    return errors[0] <= SAME_PICTURE_ERROR


def damage_of(data):
    """What makes the bytes of an image file (data) fail to decode whole, as a phrase, or "": cut short (ends_early), a
    PNG's checksum that fails, a PNG's header claiming a size the file cannot hold, or a BMP's compression OpenCV does
    not decode (bmp_compression_refused). Checked without decoding, by read_bgr_uint8 before it decodes and by the page
    for each frame of a zip before its job is queued."""
    if ends_early(data):
        return "the file is cut short"
    if data.startswith(PNG_SIGNATURE) and png_checksum_fails(data):
        return "the file is damaged (a checksum of its data does not match)"
    if data.startswith(PNG_SIGNATURE) and png_size_impossible(data):
        return "its header claims a size the file cannot hold (it is damaged or was written wrongly)"
    if data.startswith(b"BM") and (compression := bmp_compression_refused(data)) is not None:
        return (f"it is a BMP of compression {compression} (JPEG or PNG inside, or alpha bit fields), which OpenCV "
                "does not decode (save it as PNG)")
    if data.startswith(b"BM") and (refusal := bmp_bit_fields_refused(data)):
        return refusal
    if data.startswith(b"BM") and (bits := bmp_depth(data)) in BMP_DEPTHS_UNDECODED:
        return f"it is a BMP of {bits} bits a pixel, which OpenCV does not decode (save it as PNG)"
    return ""


# bits a pixel the BMP format gives that OpenCV's reader lacks (it decodes 1, 4, 8, 16, 24 and 32): Windows CE's 2, and
# 64 (16 bits a colour and alpha); such a whole picture was "the file is corrupt or not an image"
BMP_DEPTHS_UNDECODED = (2, 64)


def bmp_depth(data):
    """The bits a pixel a BMP's header gives (data, its bytes), or None where it is too short to say."""
    at = 24 if data[14:18] == b"\x0c\0\0\0" else 28  # OS/2's 12-byte header: 16-bit sides before it
    return struct.unpack("<H", data[at:at + 2])[0] if len(data) >= at + 2 else None


OPENCV_BMP_COMPRESSIONS = (0, 1, 2, 3)  # BI_RGB, BI_RLE8, BI_RLE4, BI_BITFIELDS: those OpenCV's BMP reader decodes


def bmp_compression_refused(data):
    """The compression a BMP's header gives (data, its bytes) where OpenCV's reader refuses it, else None: it printed a
    line of its own ("[ERROR:0@0.7] global loadsave.cpp:865 imdecode_ ... Assertion failed) m_rle_code_ >= 0 && ..."),
    then the file was "corrupt or not an image". OS/2's header (12 bytes) has none."""
    if len(data) < 34 or struct.unpack("<I", data[14:18])[0] < 36:  # OpenCV reads a compression from 36 bytes on
        return None
    compression = struct.unpack("<I", data[30:34])[0]
    return None if compression in OPENCV_BMP_COMPRESSIONS else compression


# the masks (red, green, blue) of 16-bit pixels OpenCV's BMP reader takes after a 40-byte header: 5-6-5 and 5-5-5
OPENCV_16_BIT_MASKS = ((0xF800, 0x07E0, 0x001F), (0x7C00, 0x03E0, 0x001F))


# of 32-bit pixels after a header of less than 56 bytes (it reads no masks there): blue, green, red from the low byte
OPENCV_32_BIT_MASKS = (0xFF0000, 0xFF00, 0xFF)


WHOLE_BYTE_MASKS = (0xFF, 0xFF00, 0xFF0000, 0xFF000000)


def bmp_bit_fields_refused(data):
    """Why OpenCV's reader does not decode a BMP (data, its bytes) of pixels by bit fields as its masks say, a phrase,
    or "": 16-bit pixels in a header of more than 40 bytes (V3 to V5, the masks inside it), which it refuses (it takes
    them after a 40-byte header alone: a whole picture was "the file is corrupt or not an image"), or after one of 40
    of masks other than 5-6-5 and 5-5-5 (the same line); 32-bit pixels of masks other than blue, green, red from the
    low byte in a header of less than 56 bytes (it reads no masks there), or of masks not each one byte (10 bits a
    colour): decoded in other colours, exit code 0, a frame of a zip super-resolved so. Masks all 0 of 32-bit pixels
    are blue, green, red from the low byte to OpenCV and Pillow alike; OS/2's header (12 bytes) has no compression, and
    the pixels where a larger one has it were read as one: a picture OpenCV decodes right was refused."""
    if len(data) < 66 or struct.unpack("<I", data[14:18])[0] < 36:  # OpenCV reads a compression from 36 bytes on
        return ""
    header, bits, compression = struct.unpack("<I", data[14:18])[0], *struct.unpack("<HI", data[28:34])
    if compression != 3 or bits not in (16, 32):
        return ""
    masks = struct.unpack("<III", data[54:66])  # red, green, blue: after a 40-byte header, inside a larger one
    if bits == 32 and masks == (0, 0, 0):
        return ""
    said = ", ".join(f"{colour} 0x{mask:0{bits // 4}x}" for colour, mask in zip("RGB", masks))
    if bits == 16 and header > 40:
        return ("it is a BMP of 16-bit pixels by bit fields in a header of more than 40 bytes (as GIMP writes 'R5 G6 "
                "B5'), which OpenCV does not decode (save it as PNG)")
    if bits == 16 and masks not in OPENCV_16_BIT_MASKS:
        return (f"it is a BMP of 16-bit pixels by bit fields of masks {said} (OpenCV decodes 5-6-5 and 5-5-5 alone), "
                "which OpenCV does not decode (save it as PNG)")
    if bits == 32 and (masks != OPENCV_32_BIT_MASKS if header < 56 else
                       len(set(masks)) < 3 or not set(masks) <= set(WHOLE_BYTE_MASKS)):
        return (f"it is a BMP of 32-bit pixels by bit fields of masks {said}, which OpenCV decodes in other colours "
                "(save it as PNG)")
    return ""


class UnreadableImage(UserError):
    """An image file that does not decode whole: its path and why, a phrase ("the file is cut short"), which the page
    puts in its own line for a frame of an uploaded zip (named as in the zip, with the page's advice)."""

    def __init__(self, path, reason):
        super().__init__(f"cannot read image '{path}': {reason}; replace or remove it")
        self.path, self.reason = path, reason


def read_bgr_uint8(path):
    """(H, W, 3) uint8 BGR, as cv2.imread reads it; UserError if the file cannot be decoded. The file is read
    once: its bytes are checked (ends_early, png_checksum_fails), so that libpng prints no line of its own,
    then decoded."""
    refuse_not_a_file(path)
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        raise unreadable_image(path, error)
    except MemoryError:  # a file of gigabytes (of zeros, preallocated by a failed copy), or a tight ulimit -v
        raise UserError(f"cannot read image '{path}': its {size_said(os.path.getsize(path))} do not fit in "
                        "the memory this process may use; replace or remove it") from None
    damage = damage_of(data)
    if damage:
        raise UnreadableImage(path, damage)
    # a PNG's picture as its header gives it (image_size reads the size from there): OpenCV turns a PNG by the
    # orientation of an eXIf chunk, anywhere in the file, and a frame of 48x64 in its header came out 64x48, which the
    # frame cache wrote into the 48x64 frame it had made room for (the rows garbled, the run trained on them)
    flags = cv2.IMREAD_COLOR | (cv2.IMREAD_IGNORE_ORIENTATION if data.startswith(PNG_SIGNATURE) else 0)
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), flags) if data else None
    except cv2.error:  # e.g. a header claiming more pixels than OpenCV accepts (CV_IO_MAX_IMAGE_PIXELS)
        raise UnreadableImage(path, "its header claims a size OpenCV refuses to decode")
    if image is None:
        if kind := undecoded_format(data):  # an UnreadableImage, which the page names as a frame of the zip: a
            # UserError was "cannot read image '0002.png': ... put that in its place", a file on the server
            raise UnreadableImage(path, f"it is {kind} by its bytes (whatever its name), a format OpenCV does not "
                                  "decode (convert it to PNG)")
        raise UnreadableImage(path, "the file is corrupt or not an image")
    # OpenCV's PFM reader gives a grey one's single channel whatever the flags ask: a grey PFM saved as '0001.png' was
    # a traceback (IndexError) in generate.py and evaluate.py
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


def decoded_channels(path):
    """How many channels OpenCV decodes path's picture into, as the file holds them (1 grey, 2 grey and alpha, 3 or
    4 colour), or None where it cannot decode it."""
    try:
        image = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_UNCHANGED)
    except (OSError, ValueError, cv2.error):
        return None
    return None if image is None else 1 if image.ndim == 2 else image.shape[2]


# the brands of an ISO media file's 'ftyp' box that make it a picture OpenCV does not decode (an iPhone's photo renamed
# '.jpg', a browser's AVIF saved as '.png')
HEIF_BRANDS = {b"heic": "HEIF (HEIC)", b"heix": "HEIF (HEIC)", b"heim": "HEIF (HEIC)", b"heis": "HEIF (HEIC)",
               b"hevc": "HEIF (HEIC)", b"hevx": "HEIF (HEIC)", b"avif": "AVIF", b"avis": "AVIF"}


# JPEG processes libjpeg does not decode: lossless (a medical or a raw converter's export), hierarchical
UNDECODED_JPEG_FRAMES = {0xC3: "lossless JPEG", 0xC5: "hierarchical JPEG", 0xC6: "hierarchical JPEG",
                         0xC7: "lossless JPEG", 0xCB: "lossless JPEG", 0xCD: "hierarchical JPEG",
                         0xCE: "hierarchical JPEG", 0xCF: "lossless JPEG"}


def undecoded_format(data):
    """The name of the format of an image file's bytes (data) where it is one OpenCV does not decode though its name is
    a frame's (a GIF saved as '0002.png', an iPhone's HEIC photo renamed '.jpg', a lossless JPEG), else "": such a
    file was said to be "corrupt or not an image"."""
    if data.startswith(GIF_SIGNATURES):
        return "GIF"
    if data[4:8] == b"ftyp":
        brands = data[8:8 + max(0, min(int.from_bytes(data[:4], "big"), 256) - 8)]
        named = [HEIF_BRANDS[brands[at:at + 4]] for at in range(0, len(brands) - 3, 4)
                 if brands[at:at + 4] in HEIF_BRANDS]
        return ("AVIF" if "AVIF" in named else named[0]) if named else ""
    if data.startswith((b"\xff\x0a", b"\0\0\0\x0cJXL \r\n\x87\n")):
        return "JPEG XL"
    if data.startswith(JPEG_SIGNATURE):
        return next((UNDECODED_JPEG_FRAMES[marker] for marker in jpeg_markers(data)
                     if marker in UNDECODED_JPEG_FRAMES), "")
    return ""


def holds_several_pictures(path):
    """Whether a file that begins as a PNG or JPEG holds more than one picture: an animated PNG (an acTL chunk
    before its first IDAT) or a Motion JPEG stream (another JPEG right after the first one's end), which FFmpeg
    and OpenCV read as videos. Read from the file's start only, without decoding."""
    with open(path, "rb") as file:
        data = file.read(FIRST_PICTURE_BYTES)
    if data.startswith(PNG_SIGNATURE):
        position = len(PNG_SIGNATURE)
        while position + 8 <= len(data):
            length, kind = struct.unpack(">I4s", data[position:position + 8])
            if kind in (b"acTL", b"IDAT"):
                return kind == b"acTL"
            position += 12 + length
        return False
    if data.startswith(JPEG_SIGNATURE):  # the first end marker after the first picture's own scan
        end = data.find(b"\xff\xd9", first_jpeg_scan(data))
        return end >= 0 and data[end + 2:].lstrip(b"\0\r\n").startswith(JPEG_SIGNATURE)
    return False


def is_one_picture(path):
    """Whether the file is one PNG or JPEG picture, no video (VideoReader refuses one so): an animated PNG or a Motion
    JPEG stream is a video of pictures."""
    with open(path, "rb") as file:
        header = file.read(len(PNG_SIGNATURE))
    return header.startswith((PNG_SIGNATURE, JPEG_SIGNATURE)) and not holds_several_pictures(path)


def first_jpeg_scan(data):
    """Where the scan (SOS marker) of the JPEG that data begins with is, its segments walked by their lengths: a
    camera's Exif segment before it holds a thumbnail, a JPEG of its own whose scan and end come first. Not a JPEG's
    segments: where the walk stops, its end marker looked for from there."""
    position = 2
    for position, marker in jpeg_segments(data):
        if marker == 0xDA:
            break
    return position


def jpeg_markers(data):
    """The markers of the segments of the JPEG that data begins with, to its first scan's (SOS)."""
    return [marker for _, marker in jpeg_segments(data)]


def jpeg_segments(data):
    """(position, marker) of each segment of the JPEG that data begins with, walked by their lengths to its first scan
    (SOS, yielded last), then (where the walk stopped, None) where data ends first or holds no segment there."""
    position = 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker != 0xFF:  # not a fill byte
            yield position, marker
        if marker == 0xDA:
            return
        if marker == 0xFF:
            position += 1
        elif marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            position += 2
        else:
            position += 2 + struct.unpack(">H", data[position + 2:position + 4])[0]
    yield position, None


FIRST_PICTURE_BYTES = 64 * 2 ** 20  # holds_several_pictures reads this much at most: a frame of a stream is smaller


def refuse_not_a_file(path):
    """UserError where an image's path (listed as a file, or named by a layout, or replaced since: a training run reads
    its frames for days) is a folder, a pipe or a device: a pipe would wait for a writer without end, a folder be
    called a matter of permissions."""
    if kind := not_a_file(path):
        raise UserError(f"cannot read image '{path}': it is {kind}, not an image file; put the image there and run "
                        "again")


def image_size(path):
    """(height, width) of an image file: from the header of a PNG (cheap: 24 bytes), else by decoding it."""
    refuse_not_a_file(path)
    try:
        with open(path, "rb") as file:
            header = file.read(24)
    except OSError as error:
        raise unreadable_image(path, error)
    if header[:8] == PNG_SIGNATURE and header[12:16] == b"IHDR":
        width, height = struct.unpack(">II", header[16:24])
        return height, width
    return read_rgb(path).shape[:2]


def common_image_size(paths, what, advice):
    """(height, width) shared by the image files of paths (image_size); otherwise a UserError on the first
    that differs: "<what> '<path>' is WxH but '<first path>' is WxH; <advice>"."""
    size = image_size(paths[0])
    for path in paths[1:]:
        other = image_size(path)
        if other != size:
            raise UserError(
                f"{what} '{path}' is {other[1]}x{other[0]} but '{paths[0]}' is {size[1]}x{size[0]}; "
                f"{advice}")
    return size


def bgr_uint8_to_rgb_float(image):
    return image[:, :, ::-1].astype(np.float32) / 255.0


CONVERT_ROWS = 256  # rows converted to 8-bit at once: the float temporaries of an 8K frame stay small


def to_uint8(image, truncate=False):
    """[0, 1] floats to 8-bit. Rounds by default; truncate=True reproduces the reference's astype."""
    pixels = np.empty(image.shape, np.uint8)
    for start in range(0, image.shape[0], CONVERT_ROWS):
        scaled = np.clip(image[start:start + CONVERT_ROWS] * 255.0, 0, 255)
        pixels[start:start + CONVERT_ROWS] = scaled if truncate else np.rint(scaled)
    return pixels


JPEG_MAX_SIDE = 65500  # libjpeg's limit: OpenCV's encoder raised an error of its own, a traceback


def check_jpeg_sides(height, width, extension):
    """UserError where a frame of height x width cannot be written as `extension` (".jpg": JPEG's sides)."""
    if extension.lower().lstrip(".") in ("jpg", "jpeg") and max(height, width) > JPEG_MAX_SIDE:
        raise UserError(f"cannot write a {width}x{height} frame as JPEG: it holds at most {JPEG_MAX_SIDE} pixels a "
                        "side; use --output-ext png")


def write_rgb(path, image, truncate=False):
    """Write an (H, W, 3) RGB image in [0, 1] (or already 8-bit) atomically (temporary name, then rename)."""
    extension = os.path.splitext(path)[1]
    check_jpeg_sides(*image.shape[:2], extension)
    pixels = image if image.dtype == np.uint8 else to_uint8(image, truncate)
    ok, encoded = cv2.imencode(extension, pixels[:, :, ::-1])
    if not ok:
        raise UserError(f"cannot encode an image as '{extension}'; use --output-ext png or jpg")
    write_bytes(path, encoded.tobytes())


# a GIF's delay under 2 hundredths is shown as 10 by browsers and FFmpeg (its gif demuxer's min_delay, default_delay)
GIF_FEWEST_HUNDREDTHS, GIF_PLAYED_HUNDREDTHS = 2, 10


def gif_read(path):
    """gif_walk of the file at path, read once for both its questions (gif_average_rate, gif_cut_short), or None for a
    file that is no GIF (by its signature)."""
    with open(path, "rb") as file:
        if file.read(6) not in GIF_SIGNATURES:
            return None
        file.seek(0)
        return gif_walk(file.read())


def gif_walk(data):
    """(the delay of each whole frame, in hundredths of a second; whether the GIF ends in its trailer; whether it ends
    inside a frame after whole sub-blocks of its data, which FFmpeg decodes as a frame, its rows past them filled; the
    place from which it is zeros) of a GIF (data, its bytes), its blocks walked by their lengths to its trailer or its
    end; None where a block is not a GIF's. The place is where the file is zeros from a block's place to its end (a
    download cut off into a file made its full length first, as BitTorrent's and download managers' are), else
    None."""
    def past_sub_blocks(position):  # past the terminator; len(data) + 1 where the file ends at a sub-block's end
        while position < len(data) and data[position]:
            position += 1 + data[position]
        return position + 1 if position < len(data) else len(data) + 1 if position == len(data) else None

    def past_colour_table(position, flags):
        return position + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)

    if len(data) < 13:
        return None
    position, delays, delay = past_colour_table(13, data[10]), [], 0
    while position is not None and position < len(data) and data[position] != 0x3B:
        if data[position] == 0x21 and position + 1 < len(data):  # an extension: a graphic control one holds a delay
            if data[position + 1] == 0xF9 and position + 6 <= len(data):
                delay = struct.unpack("<H", data[position + 4:position + 6])[0]
            position = past_sub_blocks(position + 2)
        elif data[position] == 0x2C and position + 10 <= len(data):  # a frame: its colour table, then its data
            position = past_sub_blocks(past_colour_table(position + 10, data[position + 9]) + 1)
            if position is not None and position <= len(data):
                delays.append(delay)
            elif position is not None:  # cut at a sub-block's end: FFmpeg decoded it as a whole frame
                return delays, False, True, None
            delay = 0
        elif data[position] in (0x21, 0x2C):  # a block's first bytes, then the file's end
            position = None
        elif not data[position:].strip(b"\0"):  # zeros to the end: the frames before them read, the rest lost
            return delays, False, False, position
        else:
            return None
    return delays, position is not None and position < len(data), False, None


_END = object()


def read_ahead(items, depth=2):
    """Yield the items of an iterable while a background thread produces up to `depth` more.

    Errors raised by the iterable are raised here, at the item where they happened.
    """
    iterator = iter(items)
    with ThreadPoolExecutor(1) as worker:
        pending = deque(worker.submit(next, iterator, _END) for _ in range(depth))
        while True:
            item = pending.popleft().result()
            if item is _END:
                return
            pending.append(worker.submit(next, iterator, _END))
            yield item


class WriteBehind:
    """Runs write calls in order in a background thread, at most `depth` waiting.

    An error of a write is raised by a later submit() or by the end of the with block.
    """

    def __init__(self, depth=2):
        self.depth = depth
        self.worker = ThreadPoolExecutor(1)
        self.pending = deque()

    def submit(self, function, *args):
        self.pending.append(self.worker.submit(function, *args))
        while len(self.pending) > self.depth:
            self.pending.popleft().result()

    def __enter__(self):
        return self

    def __exit__(self, error_type, error, traceback):
        if error_type is not None:  # the caller failed: drop the writes not started, keep its error
            self.worker.shutdown(cancel_futures=True)
            return
        try:
            while self.pending:
                self.pending.popleft().result()
        finally:
            self.worker.shutdown(cancel_futures=True)
