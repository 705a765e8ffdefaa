"""Text files users write (cuts files, CSVs, configs) and names: UTF-8, wide encodings, line numbers."""
import codecs
import re
from contextlib import suppress

from utils.errors import UserError


def utf8(text):
    """Whether text is UTF-8 text: a name's byte that is not (0xff) is a lone surrogate in Python's str."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")  # C0 and C1 but white space


# the byte-order marks of UTF-16 and UTF-32 (UTF-32 little-endian's begins as UTF-16's)
WIDE_TEXT_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)


# the first bytes of UTF-16 (little- and big-endian) or UTF-32 text of ASCII characters without a mark
WIDE_TEXT_START = re.compile(rb"[^\0]\0(?:[^\0]\0|\Z)|\0[^\0](?:\0[^\0]|\Z)|[^\0]\0\0\0|\0\0\0[^\0]")


# a line of the one to three NULs alone that such text's line end leaves where its lines are split at the CR or LF
# byte: UTF-16's CRLF ('\r\0\n\0'), a blank line, its end, big-endian's NUL before a '#'
WIDE_LINE_END = re.compile(rb"[\r\n]\0{1,3}(?![^\r\n])")


# NULs in a row that neither UTF-16 nor UTF-32 text holds (none of its characters is a NUL): a crash's or a failed
# copy's, a disk image's
NO_TEXT_NULS = b"\0" * 8


def wide_text(data):
    """Whether the bytes of a text file (the whole, its first line, or one of its lines) are UTF-16 or UTF-32 text
    (Windows' "Unicode", PowerShell 5's '>'): a byte-order mark; without one, the NULs such text puts beside ASCII
    characters, as its first characters (WIDE_TEXT_START), as a quarter of its bytes or more (text mixing them with
    other characters: a comment in Japanese, then numbers), or as a line's end leaves them (WIDE_LINE_END). NULs
    alone, or eight in a row, are no such text (a file a crash or a failed copy left of NULs, or ended with them; a
    disk image): a loss log ending in NULs was said to be UTF-16. The one test of a sequence list, a loss log and a
    cuts file (utils.scenes), which judged it two ways (the first characters; the share of NULs) and told a file of
    NULs, or UTF-16 of names in Chinese after one in ASCII, apart."""
    nuls = data.count(b"\0")
    if not nuls or nuls == len(data) > 3 or NO_TEXT_NULS in data:
        return data.startswith(WIDE_TEXT_MARKS)
    marked = data.startswith(WIDE_TEXT_MARKS)
    if not (marked or WIDE_TEXT_START.match(data[:4]) is not None or nuls * 4 >= len(data)
            or WIDE_LINE_END.match(b"\n" + data[:4]) is not None or WIDE_LINE_END.search(data) is not None):
        return False
    # and text without control characters in one of them (its end may be cut inside a letter: a file's head), not a
    # binary file of many zero bytes (an HDF5 file given for a checkpoint's JSON was said to be UTF-16 text)
    for encoding in ("utf-32", "utf-16") if marked else ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"):
        with suppress(UnicodeDecodeError):  # not final: a file's head may end inside a letter
            if not CONTROL_CHARACTERS.search(codecs.getincrementaldecoder(encoding)().decode(data)):
                return True
    return False


def wide_text_refusal(what, advice="save it as UTF-8"):
    """The one line for a text file of ours saved as UTF-16 or UTF-32 (wide_text of its bytes): what names the file
    ("config file '...'", "cannot read --scene-cuts '...': it"), advice says what to do. The config file, checkpoint,
    loss log, sequence list and cuts file each said it in its own words."""
    return UserError(f"{what} is UTF-16 or UTF-32 text, not UTF-8; {advice}")


def text_line(data, offset):
    """The line of a text file's bytes data at offset (from 1), its lines ended as csv and universal newlines end them:
    by LF, CR LF or CR alone (Excel for Mac's "CSV (Macintosh)"), where a count of LFs named line 1."""
    return len((data[:offset] + b".").splitlines())
