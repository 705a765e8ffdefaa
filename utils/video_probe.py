"""What FFmpeg says about a video before it is read: its streams, codecs, rates, key frames, rotation, sound,
and whether its last frames decode (a cut into zeros). Runs `ffmpeg` (imageio-ffmpeg's or the system's)."""
import functools
import importlib.util
import itertools
import os
import re
import select
import shutil
import statistics
import struct
import subprocess
from fractions import Fraction

import cv2

from utils.containers import (EBML_SIGNATURE, JPEG_TAIL, PRORES_TAIL, VideoCutShort, ZERO_TAIL, asf_padding,
    avi_frames_after_the_cut, exact_rate, fixed_packets, flv_bytes_appended,
    jpeg_ended, jpeg_frame_end, live_matroska_cut_short, matroska_elements, prores_frame_end, quicktime_boxes,
    quicktime_places, riff_chunks, shorter_than_its_container, zeros_begin, zeros_end)
from utils.errors import UserError
from utils.image_io import GIF_FEWEST_HUNDREDTHS, GIF_PLAYED_HUNDREDTHS, GIF_SIGNATURES, PNG_SIGNATURE
from utils.paths import absolute
from utils.text import utf8


# OpenCV's FFmpeg prints its own lines about a damaged video ("moov atom not found"); the UserError raised for
# it is the one line to show. Read when the first video is opened.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


def media_path(path):
    """path as FFmpeg (and OpenCV's video IO, which uses it) must get it to read it as a file: absolute, since a
    relative name with a colon ('take:2.mp4', 'file:x.mp4') is taken for a protocol and fails to open. Made absolute as
    the system reads it (utils.paths.absolute): os.path.abspath's 'lnk/..' dropped as text read another file, or wrote a
    video into another folder than its rename and lock's."""
    return absolute(path)


def opencv_path(path, written=None):
    """media_path for OpenCV's video IO (and PySceneDetect's, which uses it). A name that is not UTF-8 (a byte such as
    0xff, which Python reads as a lone surrogate) crashed OpenCV's binding, a segmentation fault and no line: it is
    refused (FFmpeg, which gets the bytes, takes it). written: the option naming path as a video to write (OpenCV's
    writer, used where imageio-ffmpeg is not installed), which no link can stand for."""
    full = media_path(path)
    if not (utf8(full) or os.path.isabs(path)):
        # a relative name of UTF-8 text in a working folder that is not: './name' (which FFmpeg takes for no
        # protocol, as the absolute path); it was refused, "rename it", though the name given was UTF-8
        full = os.path.join(os.curdir, path)
    if not utf8(full):
        if written:
            raise UserError(f"{written} '{path}': its path is not UTF-8 text, which OpenCV (the video writer "
                            "without imageio-ffmpeg) cannot write; choose a UTF-8 name, or install imageio-ffmpeg")
        raise UserError(f"video '{path}': its path is not UTF-8 text, which OpenCV cannot open; rename it, or pass a "
                        "link to it whose path is UTF-8")
    return full


def gif_average_rate(walked):
    """The average frame rate of an animated GIF (walked: gif_read's) as players show it (its frames over the sum of
    their delays, one under GIF_FEWEST_HUNDREDTHS taken as GIF_PLAYED_HUNDREDTHS), as variable-frame-rate videos are
    written at their average rate; None for a file that is no GIF or whose blocks do not walk to a frame (cut short or
    damaged)."""
    delays = walked and walked[0]
    if not delays:
        return None
    shown = sum(delay if delay >= GIF_FEWEST_HUNDREDTHS else GIF_PLAYED_HUNDREDTHS for delay in delays)
    return exact_rate(Fraction(100 * len(delays), shown))


def packet_times(path, signature, sound=False):
    """(its time base, the times and durations in it of each packet, and where `sound`, the end in seconds of the last
    packet of its audio streams, else None) of path's first video stream as FFmpeg's demuxer gives them, from the
    file's zero (framecrc of a copy: nothing decoded), where the file begins with signature; else, or without a working
    ffmpeg, None."""
    with open(path, "rb") as file:
        if file.read(len(signature)) != signature:
            return None
    ffmpeg = working_ffmpeg()
    if not ffmpeg:
        return None
    listed = subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-copyts", "-i", media_path(path), "-map",
                             "0:v:0", *(["-map", "0:a?"] if sound else []), "-c", "copy", "-f", "framecrc", "-"],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            errors="replace").stdout.splitlines()
    bases = {fields[0]: Fraction(fields[1].strip()) for line in listed if line.startswith("#tb ")
             and len(fields := line[4:].split(":", 1)) == 2 and re.fullmatch(r" *\d+/\d+", fields[1])
             and not fields[1].strip().startswith("0/")}
    packets = [(fields[0], int(fields[2]), int(fields[3])) for line in listed if line and line[0] != "#"
               and len(fields := line.split(",")) > 3 and re.fullmatch(r" *-?\d+", fields[2])
               and fields[3].strip().isdigit()]
    video = [(time, duration) for stream, time, duration in packets if stream == "0"]
    if "0" not in bases or not video:
        return None
    ends = [(time + duration) * bases[stream] for stream, time, duration in packets
            if stream != "0" and stream in bases]
    return bases["0"], video, max(ends, default=None) if sound else None


# FFmpeg's time of a packet that records none (AV_NOPTS_VALUE): an AVI's, whose decoder orders its frames
NO_TIME = -2 ** 63


def frames_before_the_cut(path, read, cut):
    """Of a video cut short of which `read` frames were read, the frames shown before the first one cut or missing:
    where its packets record times (packet_times: a TS's, an FLV's), those before the last packet's where it is cut
    (how_it_ends), and before the first gap in their times (frames decoded after the cut would be shown there); an
    AVI's by its frames' kinds (avi_frames_after_the_cut). The advice of the part before the cut was all
    frames read but one cut, and took in a B-frame cut (shown among them, not last) or frames shown after a gap (their
    numbers not the video's), their pixels wrong, exit code 0."""
    times = packet_times(path, b"")
    if times is None or any(time == NO_TIME for time, _ in times[1]):
        with open(path, "rb") as file:
            return read - avi_frames_after_the_cut(file, os.fstat(file.fileno()).st_size, cut)
    shown, end = sorted(times[1][:-1] if cut else times[1]), times[1][-1][0] if cut else None
    count = 0
    for (time, duration), following in itertools.zip_longest(shown, shown[1:]):
        if end is not None and time >= end:
            break
        count += 1
        if following is not None and following[0] - time >= duration * 3 / 2:  # a frame missing (not milliseconds'
            break  # rounding: a Matroska file's 33 and 34 ms at 30 fps)
    return min(count, read - cut)


# how far a Matroska video's average rate may lie from the rate its header gives before it is taken instead (a constant
# rate of 30000/1001 in milliseconds' times is kept exact)
RATE_TOLERANCE = 0.05


def matroska_average_rate(path, rate, seconds):
    """The average frame rate of a Matroska or WebM video (its frames over the time from the first to the last, as
    FFmpeg's demuxer times them) where it lies more than RATE_TOLERANCE from rate (OpenCV's, its header's) and its
    frames span the `seconds` its header announces (a file cut short spans fewer: its rate and count stay its header's,
    and its reading says it is cut short), else None; None for another file, or without a working ffmpeg. A screen
    recording's pause (60 frames over 12 s, its header's 30 fps) was written at 30 fps, 2 s of video beside 12 s of its
    sound, exit code 0, where variable-rate videos are written at their average rate (an MP4's, as OpenCV gives
    it). seconds None: a file that announces no duration (a live recording's, `-live 1`'s, a browser's MediaRecorder
    WebM, its frames' times varying), whose average is taken as it is (one cut off is refused as cut short,
    live_matroska_cut_short): read at its header's rate, a pause of 6 minutes between 30 frames and 30 was 2 s of
    video, exit code 0."""
    timed = packet_times(path, EBML_SIGNATURE)
    if not timed or len(timed[1]) < 2:
        return None
    base, packets, _ = timed
    first, (last, lasting) = min(time for time, _ in packets) * base, max(packets)
    last *= base
    average = exact_rate((len(packets) - 1) / (last - first)) if last > first else None
    if not average or abs(average / rate - 1) <= RATE_TOLERANCE:
        return None
    if seconds is None:
        return average

    def spanned(end):
        return abs(end - Fraction(seconds)) <= max(RATE_TOLERANCE * seconds, 1 / rate)

    # the file's end, from its zero as its header's duration counts it, its last frame lasting as its header says (not
    # the average's time: 3 frames 1 s apart, at 30 fps by their header, ended 1 s past the file's 2.03 s): a video
    # that begins late (3 s) or sound that lasts past its last frame was taken for a file cut short, and written at its
    # header's 30 fps, exit code 0. Its sound's end read only then (its packets double the reading's time)
    end = last + (lasting * base if lasting > 0 else 1 / average)
    if not spanned(end) and (sounded := packet_times(path, EBML_SIGNATURE, sound=True)) and sounded[2]:
        end = max(end, sounded[2])
    return average if spanned(end) else None


def apng_average_rate(path):
    """The average frame rate of an animated PNG (its frames over the sum of their delays, as FFmpeg's demuxer gives
    them: a delay of 0 as 1/15 s), as variable-frame-rate videos are written at their average rate; None for a file
    that is no PNG, or without a working ffmpeg. OpenCV's rate is FFmpeg's guess from its first delays, as a GIF's was:
    an APNG of 500, 100, 100 and 100 ms was written at 10 fps, twice as fast (0.4 s of 0.8 s), exit code 0."""
    timed = packet_times(path, PNG_SIGNATURE)
    if not timed:
        return None
    base, packets, _ = timed
    shown = sum(duration for _, duration in packets) * base
    return exact_rate(len(packets) / shown) if shown > 0 else None


def cut_into_zeros(path, listing=None):
    """The UserError of an AVI (a RIFF file), a Matroska or WebM file, or an MP4 or MOV whose parts, walked by their
    lengths inside their container (riff_chunks, matroska_elements, quicktime_places), reach one that is zeros, the
    file's last bytes zeros too: a download cut off into a file made its full length first (BitTorrent's, a download
    manager's). FFmpeg reads a Motion JPEG AVI's frames before the zeros without an error (its index after them lost):
    one of 30 frames cut at 9/10 was a clip of 27, "done"; and a Motion JPEG MKV's last frame with zeros in it, its Cues
    after it zeros, read as a frame, its rows wrong, "done". An MP4's or MOV's frames are found by its sample tables
    (quicktime_samples: its upload passed the page's check and failed at its job's turn), a fragmented one's by its
    fragments (iso_boxes: one cut into zeros at a fragment's start was read as 20 of 30 frames, exit code 0). A
    Matroska, WebM or MP4 (MOV) file whose walk finds no such part (a live MKV's, or an MP4's zeros inside its last
    frame) has its last second decoded, as FFmpeg seeks to it (last_frames_decode_cleanly): a cut there was read as 27
    of 30 frames, or as 30, the last one's pixels wrong, exit code 0. A Matroska or WebM file, and a fragmented MP4, is
    walked whatever its end: one with a hole of zeros where its elements go on (a download not finished, a piece
    missing: BitTorrent's come in any order) was read as the frames FFmpeg's demuxer found past it (22 of 30, its
    average rate over them 7.2 fps), or as the fragments before it (10 of 30), exit code 0. A live Matroska file cut off
    plainly is told by the same walk (live_matroska_cut_short). An MPEG-TS or an ASF (WMV), of packets of one length,
    is told by the packet its zeros begin before (packets_cut_into_zeros). The parts' headers only are read; zeros after
    the container (a writer's padding) are no cut. None for another file. listing: its media_listing, where already
    read."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        head = file.read(12)
        walk = riff_chunks if head[8:] == b"AVI " else matroska_elements if head.startswith(EBML_SIGNATURE) else (
            quicktime_places if head[4:8] == b"ftyp" else None)
        if size < len(head) + ZERO_TAIL:
            return None
        if walk is None:
            return packets_cut_into_zeros(path, file, size)
        file.seek(size - ZERO_TAIL)
        # a Matroska file's and a fragmented MP4's walk is made whatever its end (a hole of zeros inside it is told
        # below); an AVI's or an MP4's frames are counted in its index, and one with a hole is said to end early
        ends_in_zeros = not file.read().strip(b"\0")
        if not ends_in_zeros and walk is riff_chunks:
            return None
        kind = "an AVI" if walk is riff_chunks else "a Matroska or WebM video" if walk is matroska_elements else (
            "an MP4 or MOV video")
        overruns = []  # a live Matroska file cut off plainly: told by the same walk (it was walked twice)
        last = None  # the last part's place (all are before the zeros that end the file, else told below)
        for position in (matroska_elements(file, size, overruns) if walk is matroska_elements
                         else quicktime_places(file, size, ends_in_zeros) if walk is quicktime_places
                         else walk(file, size)):
            last = max(position, last or 0)
            file.seek(position)
            if not file.read(4).strip(b"\0"):
                if (end := zeros_end(file, position, size)) < size:
                    return VideoCutShort(
                        f"video '{path}' is {kind} with a hole (it is zeros from byte {position} to byte {end}, where "
                        "its data goes on, as a download not finished leaves a file made its full length first, a "
                        "piece missing): repair it or pass another video")
                return VideoCutShort(f"video '{path}' is {kind} cut short (it is zeros from byte {position} on, where "
                                     "its data goes on, as a download cut off leaves a file made its full length "
                                     "first): repair it or pass another video")
        if overruns:
            return live_matroska_cut_short(path, *overruns[0])
        # FFmpeg's ProRes decoder decodes zeros without a word: a MOV cut into zeros inside its last frame's slices was
        # read whole, that frame's pixels wrong, exit code 0. Its frame says its own length
        if walk is quicktime_places and ends_in_zeros and last is not None and (
                end := prores_frame_end(file, last)) and (position := zeros_begin(file, size)) <= end - PRORES_TAIL:
            return VideoCutShort(f"video '{path}' is {kind} cut short (it is zeros from byte {position} on, inside its "
                                 f"last frame, a ProRes frame that its header says ends at byte {end}, as a download "
                                 "cut off leaves a file made its full length first): repair it or pass another video")
        # a Motion JPEG frame without its EOI marker (a webcam's) cut into zeros: its decoder's line ("EOI missing") is
        # the stream's, said of every frame, and a MOV cut so at 90 % of its last frame was read whole, that frame's
        # pixels wrong (up to 255), exit code 0. Its sample's length says where it ends; zeros after its EOI marker
        # are padding (a whole MOV of frames padded with 16 zeros was refused)
        if walk is quicktime_places and ends_in_zeros and (end := jpeg_frame_end(file, size)) and (
                position := zeros_begin(file, size)) <= end - JPEG_TAIL and not jpeg_ended(file, position):
            return VideoCutShort(f"video '{path}' is {kind} cut short (it is zeros from byte {position} on, inside its "
                                 f"last frame, a JPEG frame that its index says ends at byte {end}, as a download cut "
                                 "off leaves a file made its full length first): repair it or pass another video")
        if not ends_in_zeros or walk is riff_chunks or last_frames_decode_cleanly(path, listing):
            return None
        position = zeros_begin(file, size)
    return VideoCutShort(f"video '{path}' is {kind} cut short (it is zeros from byte {position} on, inside its last "
                         "frames, which FFmpeg cannot decode, as a download cut off leaves a file made its full length "
                         "first): repair it or pass another video")


def packets_cut_into_zeros(path, file, size):
    """The UserError of an MPEG-TS, M2TS or ASF (WMV) file, made of packets of one length (fixed_packets), that is
    zeros from a packet's start, or an ASF packet's payload, to its end (to its Data Object's, an ASF's): a download cut
    off into a file made its full length first. FFmpeg reads the packets before the zeros without an error, and a TS or
    a WMV of 30 frames cut so at half its length was read as 14 or 13, exit code 0. None where the zeros begin in the
    last packet (a null packet's payload, an ASF packet's padding), and for another file."""
    packets = fixed_packets(file, size)
    file.seek(size - ZERO_TAIL)
    if not packets or file.read().strip(b"\0"):
        return None
    first, length, end = packets
    position = zeros_begin(file, size)
    start = first + -(-max(0, position - first) // length) * length  # the first packet that begins in the zeros
    # in the last packet, zeros in an ASF packet's payload (before its padding) are a cut too: a WMV of 40 frames cut so
    # was read as 37, the last one's pixels wrong (up to 255), and advised `--end 37`
    if start >= end and not (first and position + ZERO_TAIL <= end - asf_padding(file, end - length)):
        return None
    kind = "an ASF (WMV)" if first else "an MPEG-TS"
    return VideoCutShort(f"video '{path}' is {kind} video cut short (it is zeros from byte {position} on, where its "
                         "packets go on, as a download cut off leaves a file made its full length first): repair it "
                         "or pass another video")


def fragmented_mp4_frames(path):
    """The frames of a fragmented MP4's (MOV's: fragment_samples_short tells it) first video stream, counted by
    FFmpeg's demuxer (its packets: nothing decoded), None where it times none. Its moov box may hold the first
    fragment's frames (`-movflags frag_keyframe` without `empty_moov`), and their count was taken for the file's."""
    timed = packet_times(path, b"")
    return len(timed[1]) if timed else None


# a decoder's lines that say a frame refers to one before where the decoding began (H.264's, HEVC's): the B-frames
# before an open GOP's key frame, where a seek lands or a stream's dump begins; a frame cut off says its own bytes are
# wrong, and no frame refers to the last ones
REFERENCE_MISSING = ("mmco: unref short failure|Missing reference picture|reference picture missing during reorder|"
                     "co located POCs unavailable|number of reference frames .* exceeds max|"
                     "Could not find ref with POC")


def last_frames_decode_cleanly(path, listing=None):
    """Whether FFmpeg's decoder of path's first video stream says nothing wrong (no warning: a Motion JPEG frame's end
    missing is one) of its last second (from the key frame before it, as FFmpeg seeks to it: -sseof) that its first
    packets (START_PACKETS, its last aside) do not say too, or, where it does, of that second decoded from a key frame
    EARLIER_SECONDS before (the whole stream where that is the same key frame); True without a working ffmpeg. A seek's
    own lines are not the file's, nor its start's: the B-frames before an open GOP's key frame lose their references
    ("mmco: unref short failure", REFERENCE_MISSING), and a whole H.264 MP4 of open GOPs ending in a `free` box of
    zeros, and a whole live MKV (a stream's dump, beginning at such a key frame) whose last frame is silent PCM, were
    refused as cut short. The demuxer's lines are not the frames' (zeros in an MKV's Cues after whole frames). 0.2 s for
    10 minutes of 480x270 H.264 in an MP4, 3.4 s in a live MKV (no duration: every frame decoded, once); asked only of a
    file whose last bytes are zeros. H.264's and Motion JPEG's decoders say a frame cut into zeros; HEVC's, MPEG-4 Part
    2's, VP8's, VP9's and ProRes' decode the zeros without a word (a ProRes frame's cut is told by its length,
    prores_frame_end). listing: its media_listing, where already read."""
    ffmpeg = working_ffmpeg()
    if not ffmpeg:
        return True
    listing = listing or media_listing(path, ffmpeg)
    codec = video_codec(path, ffmpeg, listing)

    def said(completed):  # the decoder's lines, their numbers aside ("SEI ... truncated at 16", "at 17")
        return {re.sub(r"\d+", "#", line) for line in re.findall(
            rf"^\[{re.escape(codec)} @ 0x[0-9a-f]+\] ((?!{REFERENCE_MISSING}).*)",
            completed.stderr.decode(errors="replace"), re.MULTILINE)} if codec else set()

    def decoded(*before):  # (its lines, the frames it gave)
        completed = ffmpeg_decoding(path, "warning", "-fps_mode", "passthrough", "-enc_time_base:v", "demux",
                                    "-progress", "pipe:1", "-f", "null", "-", before=before)
        frames = re.findall(rb"^frame=(\d+)", completed.stdout, re.MULTILINE)
        return said(completed), int(frames[-1]) if frames else 0

    # from the key frame the seek lands on, every frame given (-noaccurate_seek): their count tells where it landed
    last, landed = decoded("-noaccurate_seek", "-sseof", "-1")
    if not last:
        return True
    # lines its first packets (not its last, which the zeros are in) give too are the stream's, said of every frame (a
    # Motion JPEG camera's frames without their end, "EOI missing"; an H.264 encoder's SEI cut short), not a cut's: a
    # whole file of them ending in zeros was refused as cut short
    def first_packets(muxer, count):  # ffmpeg's copy of its first `count` packets (-c copy: nothing decoded)
        return [ffmpeg, "-nostdin", "-v", "quiet", "-i", media_path(path), "-map", "0:v:0", "-c", "copy", "-frames:v",
                str(count), "-f", muxer, "-"]

    listed = subprocess.run(first_packets("framecrc", START_PACKETS + 1), stdin=subprocess.DEVNULL,
                            capture_output=True).stdout.splitlines()
    if (packets := sum(bool(line) and not line.startswith(b"#") for line in listed)) > 1:
        with subprocess.Popen(first_packets("nut", min(START_PACKETS, packets - 1)),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE) as copied:
            last -= said(subprocess.run([ffmpeg, "-nostdin", "-v", "warning", "-f", "nut", "-i", "-", "-f", "null",
                                         "-"], stdin=copied.stdout, capture_output=True))
    if not last:
        return True
    if re.search(r"^ *Duration: N/A", listing, re.MULTILINE):
        return False  # a file of no duration (a live MKV's) is decoded whole by the seek: not twice
    # the last second decoded from an earlier key frame has its references: a cut says its lines again, a seek's are
    # of the frame it landed on. The whole stream decoded took 12.8 s before an hour's H.264 MP4 cut inside its last
    # frame was refused; only a seek that lands on the same key frame (a longer GOP) has the whole stream decoded
    earlier, frames = decoded("-noaccurate_seek", "-sseof", f"-{1 + EARLIER_SECONDS}")
    if frames > landed:
        return not last & earlier
    return not last & decoded()[0]


# the packets from a video's start that last_frames_decode_cleanly decodes for the lines of every frame (about a second)
START_PACKETS = 30


# how far before the last second last_frames_decode_cleanly decodes a video from, to decode that second with its
# references (past a key frame before it, where its GOPs are shorter)
EARLIER_SECONDS = 10


def undecodable_codec(path):
    """The UserError of a video that FFmpeg decodes a frame of and OpenCV none. OpenCV's FFmpeg decodes GIFs: a GIF cut
    short, of which FFmpeg decoded the rows it holds, was told to be of a codec OpenCV lacks, to convert with FFmpeg;
    so was a video shorter than its container says (shorter_than_its_container). A GIF or a video of a codec FFmpeg
    decodes itself, damaged, is a VideoCutShort: the page said "not a video with frames this app can decode; upload a
    video file (mp4, ...)" of a damaged Theora OGV or H.264 MKV, of which FFmpeg lists the video and decodes no frame."""
    with open(path, "rb") as file:
        if file.read(6) in GIF_SIGNATURES:
            return VideoCutShort(f"video '{path}' is a GIF of which OpenCV decodes no frame (it decodes whole GIFs): it "
                                 "is cut short or damaged; repair it or pass another video")
    if shorter_than_its_container(path):  # a fragmented H.264 MP4 cut off plainly in its second fragment was told to
        # be of a codec OpenCV lacks, to convert it to H.264
        return UserError(f"video '{path}' is shorter than its container says, and OpenCV decodes no frame of it (a "
                         "download or copy cut off): it is truncated; repair it or pass another video")
    if (codec := video_codec(path)) in NATIVE_DECODERS:  # an H.264 MP4 holed, an FLV cut into zeros: told to convert
        # to H.264 what is H.264 or FLV1
        return VideoCutShort(f"video '{path}' has no frame OpenCV can decode, though it decodes its codec ({codec}): "
                             "it is damaged or cut short; repair it or pass another video")
    return UserError(f"video '{path}' has no frame OpenCV can decode (its codec, such as AV1, may be one OpenCV "
                     "lacks); convert it to H.264 first, e.g. ffmpeg -i IN -c:v libx264 OUT.mp4")


# the codecs FFmpeg decodes itself, in every build (OpenCV's too), as FFmpeg names them; AV1's decoder is a library's
# (libdav1d, libaom), which OpenCV's build may lack
NATIVE_DECODERS = ("h264", "hevc", "mpeg4", "mpeg2video", "mpeg1video", "flv1", "h263", "mjpeg", "msmpeg4v2",
                   "msmpeg4v3", "wmv1", "wmv2", "vp8", "vp9", "theora", "prores", "ffv1", "rawvideo")


def ffmpeg_decoding(path, log_level, *output, before=()):
    """FFmpeg's run decoding path's first video stream into output (its arguments; before: the input's, e.g. a seek),
    or None without imageio-ffmpeg."""
    ffmpeg = ffmpeg_executable()
    if ffmpeg is None:
        return None
    return subprocess.run([ffmpeg, "-nostdin", "-v", log_level, *before, "-i", media_path(path), "-map", "0:v:0",
                           *output],
                          stdin=subprocess.DEVNULL, capture_output=True)


def decodes_a_frame(path):
    """Whether FFmpeg decodes a first frame of path's first video stream (False without imageio-ffmpeg)."""
    completed = ffmpeg_decoding(path, "quiet", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-")
    return completed is not None and completed.returncode == 0 and len(completed.stdout) > 0


def decodes_cleanly(path):
    """Whether FFmpeg decodes the first video stream of path to its end without an error (False without
    imageio-ffmpeg). Each frame at its own time, in the stream's time base: at a constant rate, the null muxer's
    complaints of frames closer than the rate ("non monotonically increasing dts") were taken for errors, and a screen
    recording in an MKV or WebM (frames of jittering times, a pause) was refused as "truncated or damaged", its count
    announced from its duration at its highest rate. Nor with fewer frames decoded than packets read, as its summary (at
    the verbose level) gives them: an H.264 MP4 of 8 frames whose sample aspect FFmpeg ignores as invalid (65535:1) it
    decodes as 1 frame, a warning its only word, and its reading of 1 frame, as OpenCV decodes it, was taken for the
    whole (each_packet_decoded)."""
    text = null_decoding(path, "level+verbose")
    # a picture referring to one before the stream's start is no loss (REFERENCE_MISSING): an H.264 open-GOP cut into
    # a TS, its 12 frames all read of the 13 its times announce, was refused with the advice "--end 1"
    return not re.search(rf"\[(error|fatal|panic)\] (?!{REFERENCE_MISSING})", text) and each_packet_decoded(path, text)


def null_decoding(path, log_level, *output):
    """FFmpeg's log decoding path's first video stream, each frame at its own time (decodes_cleanly), with output (its
    options) at log_level; "[error]" where it fails or without imageio-ffmpeg."""
    completed = ffmpeg_decoding(path, log_level, "-nostats", *output, "-fps_mode", "passthrough", "-enc_time_base:v",
                                "demux", "-f", "null", "-")
    return "[error]" if completed is None or completed.returncode else completed.stderr.decode(errors="replace")


def each_packet_decoded(path, text=None, frames_read=None):
    """Whether FFmpeg decodes a frame of each packet of path's first video stream, and no more frames than frames_read
    (those OpenCV read of it to its end, where given), as its summary at the verbose level (text: that log, where it
    was run) counts them, but those shown before its first frame decoded: an MP4's or MOV's edit list hides them
    (`ffmpeg -ss T -c copy`'s), and a decoder drops the pictures referring to one before the file's first (an open
    GOP's leading B-frames, as `ffmpeg -ss T -c copy` of MPEG-2 leaves them, in an MP4, MKV, MPG or TS, were refused
    as "truncated or damaged", their frames all read). Their times (`-debug_ts`) are read only where the counts
    differ."""
    counts = re.findall(r"\(video\): (\d+) packets read \(\d+ bytes\); (\d+) frames decoded",
                        text or null_decoding(path, "level+verbose"))
    # OpenCV's decoder drops the leading pictures of the second of two HEVC open-GOP cuts in TS joined by cat, and
    # stops at a third's, where FFmpeg's decodes them all: read as 68 of 72 and of 108 frames, exit code 0
    if len(counts) != 1 or frames_read is not None and int(counts[0][1]) > frames_read:
        return False
    if not (not_decoded := int(counts[0][0]) - int(counts[0][1])):
        return True
    times = null_decoding(path, "level+info", "-debug_ts")
    shown = [float(time) for time in re.findall(r"decoder -> pts:\S+ pts_time:(-?[\d.]+)", times)]
    packets = re.findall(r"demuxer\+ffmpeg -> ist_index:\S+ type:video pkt_pts:\S+ pkt_pts_time:(\S+)", times)
    timed = [float(time) for time in packets if time != "NOPTS"]
    if not shown or not timed:  # a raw stream's packets are untimed: nothing says which were shown first
        return False
    # a cut MKV's leading B-frames are timed at its first frame's time, or untimed (a live MKV cut at an open GOP); a
    # cut TS's a tick or two after it, where ffmpeg lifted their negative times (two MPEG-2 open-GOP cuts of `-ss T -c
    # copy` joined by cat were refused, their frames all read): within half a frame (the frames' median step) of it
    first, *later = sorted(set(shown))
    half_a_frame = statistics.median([after - before for before, after in zip([first, *later], later)] or [0]) / 2
    # untimed packets only between the first timed and one timed later, but those decoded, shown between the two
    # times where no packet is timed: a TS must time a picture only each 0.7 s, and two joined, timed at every second
    # picture (or at each one's first alone), the second's sample aspect invalid (65535:1), were read as 18 of 32
    # frames (17 of 18), exit code 0
    timed_at = [index for index, time in enumerate(packets) if time != "NOPTS"]
    later = next((index for index in timed_at if float(packets[index]) >= first + half_a_frame
                  and float(packets[index]) > first), timed_at[0])
    later_time = float(packets[later])
    decoded = sum(first < time < later_time for time in shown) - sum(first < time < later_time for time in timed)
    untimed_first = max(0, packets[timed_at[0]:later].count("NOPTS") - max(0, decoded))
    return (sum(time < first or first < time < first + half_a_frame for time in timed)
            + max(0, timed.count(first) - shown.count(first)) + untimed_first >= not_decoded)


# the codecs whose frame size and pixel format change only at a key frame, where a new sequence header takes effect
# (H.264's and HEVC's at an IDR or IRAP picture, MPEG-1's, MPEG-2's and MPEG-4's at an I picture, VP8's at a key
# frame): size_change decodes their key frames alone, and every frame only where those change. VP9 and AV1 change their
# size at inter frames too (reference scaling): every frame of theirs (and of other codecs) is decoded.
KEY_FRAME_CHANGES = ("h264", "hevc", "mpeg1video", "mpeg2video", "mpeg4", "vp8")


# a part of at most this many frames to check (SIZE_CHANGE_MARGIN included) has every frame decoded at once: fewer than
# the key frames of a long video may cost
FEW_FRAMES_TO_CHECK = 1000


def size_change(path, frames=None, listing=None):
    """((width, height, layout) of the first frame, that of the first of another size or pixel layout, its index, its
    time in seconds from the file's start as ffmpeg's -t and -ss count it, not from the first frame's (an AVI of
    B-frames begins its frames a frame or two late: the line's advice cut two frames early), None where a frame has no
    time) of path's first video stream as FFmpeg decodes its first `frames` frames (all without), or None where both
    hold. The layout is FFmpeg's pixel format, its range too (yuvj420p, full range, is not yuv420p): OpenCV reads every
    frame with the first one's, and the frames of two recordings joined, 4:2:0 then 4:4:4 or 8-bit then 10-bit, came out
    with their planes misread, exit code 0; limited range then full (a camera's clip joined to a phone's), with their
    levels misread (a mean error of 4 to 6 of 255), exit code 0, where range was taken alike. Each frame as FFmpeg's
    showinfo filter gives it (no checksum) at its own time (a variable-rate video's frames close together were once left
    out, the first size's count and end said wrong), read as they come, stopped at the first change. Of a codec of
    KEY_FRAME_CHANGES, the key frames of the whole file are decoded first, and its frames only where they change or
    some are not given (key_frames_of_one_kind): every frame decoded before the first was read took 8 s for 10 minutes
    of 480x270 H.264 (50 s an hour, minutes at 1080p) where its key frames take 0.3 to 0.9 s (docs/benchmarks.md).
    Nothing without a working ffmpeg, as check_video_streams. listing: its media_listing, where already read."""
    ffmpeg = working_ffmpeg()
    if not ffmpeg:
        return None
    codec = video_codec(path, ffmpeg, listing)
    if codec in KEY_FRAME_CHANGES and not (frames and frames <= FEW_FRAMES_TO_CHECK) and key_frames_of_one_kind(
            ffmpeg, path):
        return None
    return shown_change(ffmpeg, path, frames)


def shown_change(ffmpeg, path, frames=None):
    """first_size_change of the frames FFmpeg decodes of path's first video stream, at most `frames`, read as they come
    and stopped at the first change."""
    command = [ffmpeg, "-nostdin", "-nostats", "-hide_banner", "-v", "info", "-i", media_path(path),
               *(["-frames:v", str(frames)] if frames else []), "-map", "0:v:0", "-vf", "showinfo=checksum=0",
               "-f", "null", "-"]
    with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE) as process:
        try:
            return first_size_change((line.decode(errors="replace") for line in process.stderr), frames)
        finally:
            process.kill()


# a packet's line in FFmpeg's framecrc output, and its flags where they are not the key flag alone
FRAMECRC_PACKET = re.compile(rb"^\d+, .*?(?:, F=0x([0-9A-Fa-f]+))?\s*$", re.MULTILINE)


def key_frames_of_one_kind(ffmpeg, path):
    """Whether FFmpeg decodes every key frame of path's first video stream, all of one size and pixel layout (of a codec
    of KEY_FRAME_CHANGES, then all its frames are). The key frames alone are read (-discard nokey: MP4, MPEG-TS) or
    decoded (-skip_frame nokey: Matroska, whose demuxer reads every packet), and counted against the packets flagged key
    (framecrc's, of the same reading): a key frame that H.264's decoder holds for its reordering when the next one
    changes the size is dropped, and two recordings joined, the first of two key frames, were seen as of one size; so a
    count short of the key packets is no answer (False), nor is a failed reading."""
    completed = subprocess.run([ffmpeg, "-nostdin", "-nostats", "-hide_banner", "-v", "info", "-discard", "nokey",
                                "-skip_frame", "nokey", "-i", media_path(path), "-map", "0:v:0", "-vf",
                                "showinfo=checksum=0", "-f", "null", "-", "-map", "0:v:0", "-c", "copy", "-f",
                                "framecrc", "-"], stdin=subprocess.DEVNULL, capture_output=True)
    lines = completed.stderr.decode(errors="replace").splitlines()
    keys = sum(not flags or int(flags, 16) & 1 for flags in FRAMECRC_PACKET.findall(completed.stdout))
    shown = sum(bool(SHOWN_FRAME.search(line)) for line in lines)
    return completed.returncode == 0 and shown == keys > 0 and first_size_change(lines) is None


# a frame without a time (pts:NOPTS) is a frame too: its change is timed by the frame rate (refuse_a_size_change)
SHOWN_FRAME = re.compile(r"\] n: *\d+ pts: *\S+ pts_time:(\S+) .* fmt:(\S+) .* s:(\d+)x(\d+) ")


# the line showinfo gives after a frame's (and its side data's): its colour range, pc where full
SHOWN_RANGE = re.compile(r"\] color_range:(\S+)")


# FFmpeg's names of the pixel formats of a limited or full range (YUV and grey): RGB's is always full
RANGED_FORMATS = ("yuv", "nv", "p0", "p2", "p4", "gray", "ya", "y2", "y4")


def shown_frames(lines):
    """(its time as showinfo gives it, (width, height, layout)) of each frame of FFmpeg's log lines of its showinfo
    filter. The layout is the pixel format and the range: yuvj420p and yuv420p of color_range pc are both 'yuv420p (full
    range)' (FFmpeg gives a limited-range recording's frames joined to a full-range one's as either)."""
    def frame(shown, colour_range):  # RGB is of one range, full: gbrp is not said to be "(full range)"
        full = shown.group(2).startswith("yuvj") or colour_range == "pc" and shown.group(2).startswith(RANGED_FORMATS)
        return shown.group(1), (int(shown.group(3)), int(shown.group(4)),
                                shown.group(2).replace("yuvj", "yuv", 1) + (" (full range)" if full else ""))

    pending = None
    for line in lines:
        shown = SHOWN_FRAME.search(line)
        ranged = pending and not shown and SHOWN_RANGE.search(line)
        if shown or ranged:
            if pending:
                yield frame(pending, ranged and ranged.group(1))
            pending = shown
    if pending:
        yield frame(pending, None)


def first_size_change(lines, frames=None):
    """size_change's answer from FFmpeg's log lines of its showinfo filter, of at most `frames` frames."""
    first, count = None, 0
    for seconds, frame in shown_frames(lines):
        if first is None:
            first = frame
        elif frame != first:
            return first, frame, count, round(float(seconds), 6) if re.fullmatch(r"-?\d+(\.\d*)?", seconds) else None
        count += 1
        if count == frames:
            break
    return None


def ffmpeg_executable():
    """Path of the ffmpeg binary shipped by the imageio-ffmpeg package, or None when it is not installed."""
    if importlib.util.find_spec("imageio_ffmpeg") is None:
        return None
    import imageio_ffmpeg
    chosen = imageio_ffmpeg.get_ffmpeg_exe()  # IMAGEIO_FFMPEG_EXE's value as it is, where set
    found = shutil.which(chosen)
    if found is None:
        raise UserError(f"ffmpeg '{chosen}' (IMAGEIO_FFMPEG_EXE) is not an executable file; set it to ffmpeg's path "
                        "or unset it")
    if not says_it_is_ffmpeg(found):
        raise UserError(f"ffmpeg '{chosen}' (IMAGEIO_FFMPEG_EXE) is not ffmpeg (asked its version, it did not say "
                        "'ffmpeg version'); set it to ffmpeg's path or unset it")
    return found


def working_ffmpeg():
    """ffmpeg_executable(), or None where it is missing or IMAGEIO_FFMPEG_EXE names no ffmpeg: the checks that ask
    FFmpeg do nothing then, and a bad IMAGEIO_FFMPEG_EXE is said where a video is written."""
    try:
        return ffmpeg_executable()
    except UserError:
        return None


FFMPEG_VERSION = b"ffmpeg version"  # how ffmpeg -version begins


@functools.lru_cache(maxsize=None)
def says_it_is_ffmpeg(program):
    """Whether program, asked its version, begins its answer as ffmpeg does. IMAGEIO_FFMPEG_EXE may name another
    program (ffprobe, a script, a text file), which would fail only once the frames are written. Reads the
    answer's first bytes only (a program may print without end) and waits at most 10 s for them."""
    try:
        process = subprocess.Popen([program, "-version"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
    except OSError:  # no program the system can start: a text file, a script of a missing interpreter
        return False
    with process:
        answered = select.select([process.stdout], [], [], 10)[0]
        first = os.read(process.stdout.fileno(), len(FFMPEG_VERSION)) if answered else b""
        process.kill()
    return first == FFMPEG_VERSION


# the kinds of stream FFmpeg lists, as an error line names them
STREAM_KINDS = {"Audio": "audio", "Subtitle": "subtitles", "Data": "data", "Attachment": "attachments"}


def media_listing(path, ffmpeg=None):
    """FFmpeg's listing of a media file (`ffmpeg -i`), its name left out: the name may hold words like the listing's,
    even a line of its own; the file's words (a comment, a title) are printed after a "key : ", their lines after a
    ": " too."""
    # surrogateescape: ffmpeg prints the name's bytes as given, so a name that is not UTF-8 reads back as itself
    completed = subprocess.run([ffmpeg or ffmpeg_executable(), "-hide_banner", "-nostdin", "-i", media_path(path)],
                               capture_output=True, text=True, errors="surrogateescape")
    return completed.stderr.replace(media_path(path), "")


def stream_lines(path, ffmpeg=None, listing=None):
    """FFmpeg's line of each stream of a media file ("Stream #0:0: Video: h264 ..., 72x56 ..."), once: a stream that
    programs of an MPEG-TS share is listed under each of them. listing: its media_listing, where already read."""
    lines = re.findall(r"^ *(Stream #(\d+:\d+).*)", listing or media_listing(path, ffmpeg), re.MULTILINE)
    first = {}
    for line, index in lines:
        first.setdefault(index, line)
    return list(first.values())


def mirror_axis(capture, path, turned_by_a_matrix):
    """The axis by which the frames OpenCV decodes of a video (capture, of file path) are mirrored from what players
    show, or None: OpenCV turns them upright by the display matrix's rotation alone, and a mirrored one (QuickTime
    Player's Flip Horizontal) is then mirrored by the rows' or the columns' axis (as OpenCV turned it by 0 or 180
    degrees, or by 90 or 270). turned_by_a_matrix: whether FFmpeg lists a display matrix (check_video_streams)."""
    turned = capture.get(cv2.CAP_PROP_ORIENTATION_META)
    return (0 if turned % 180 == 0 else 1) if turned_by_a_matrix and display_mirrored(path) else None


def display_mirrored(path):
    """Whether the display matrix of a video file's first video stream mirrors its picture (QuickTime Player's Flip
    Horizontal and Flip Vertical write such a matrix, the pixels unchanged): players show the picture mirrored, where
    OpenCV turns it by the matrix's rotation alone, and the video was super-resolved the other way round, exit code 0.
    Read from the matrix FFmpeg writes into a QuickTime header (tkhd) of the stream's first packet, whatever the file's
    container (MOV's, or MP4's for a codec MOV does not hold: VP9, AV1); False where neither holds it. Asked only of a
    file whose display matrix FFmpeg lists (check_video_streams), with a working ffmpeg."""
    for muxer in ("mov", "mp4"):
        header = subprocess.run([ffmpeg_executable(), "-nostdin", "-v", "error", "-i", media_path(path), "-map",
                                 "0:v:0", "-c", "copy", "-frames:v", "1", "-f", muxer, "-movflags",
                                 "frag_keyframe+empty_moov", "-"], stdin=subprocess.DEVNULL, capture_output=True).stdout
        for track in quicktime_boxes(header, b"moov", b"trak"):
            for start, end in quicktime_boxes(header[track[0]:track[1]], b"tkhd"):
                tkhd = header[track[0] + start:track[0] + end]
                matrix = 4 + (32 if tkhd[:1] == b"\1" else 20) + 16  # after the version's times, the layer and volume
                if len(tkhd) >= matrix + 20:
                    a, b, _, c, d = struct.unpack(">5i", tkhd[matrix:matrix + 20])
                    return a * d - b * c < 0
    return False


def video_codec(path, ffmpeg=None, listing=None):
    """The codec of path's first video stream (cover pictures aside) as FFmpeg names it (e.g. 'h264'), else None.
    listing: its media_listing, where already read."""
    return next((codec for line in stream_lines(path, ffmpeg, listing) if "(attached pic)" not in line
                 for kind, codec in streams_of([line]) if kind == "Video"), None)


def media_streams(path, ffmpeg=None):
    """(kind, codec) of each stream of a media file, as FFmpeg names them (e.g. ('Audio', 'aac'))."""
    return streams_of(stream_lines(path, ffmpeg))


def streams_of(lines):
    """(kind, codec) of each of FFmpeg's stream lines."""
    return [match.groups() for line in lines if (match := re.match(r"Stream #\S+.*?: (\w+): (\w+)", line))]


# the codecs FFmpeg's MP4 muxer does not take and its MOV muxer does (a phone's 3GP: H.263 video, AMR sound)
MP4_LACKS = ("h263", "amr_nb", "amr_wb", "prores")


def own_container(path, listing=None):
    """The extension of the file a line's advice saves path's streams into as they are (ffmpeg -i IN ... -c copy
    OUT.ext): the file's own container. An MKV does not hold an MP4's mov_text subtitles (an iTunes film's), and the
    advice failed ("Subtitle codec mov_text is not supported"), nor an MP4 a MOV's PCM sound or ProRes video ("Could not
    find tag for codec prores"): a QuickTime file (its ftyp brand 'qt  ') is a .mov whatever its name; another of an
    ftyp box an .mp4, or a .mov where it holds a codec the MP4 muxer does not take (MP4_LACKS), whatever its name: its
    extension's muxer (.m4v's ipod, .3gp's, .3g2's) takes a few codecs alone, and a HandBrake HEVC .m4v's or a VP9 MP4
    renamed .3gp's advice failed ("Could not find tag for codec hevc"). A Matroska or WebM file is an .mkv (a WebM holds
    VP8, VP9 and AV1 alone: an H.264 MKV renamed .webm's advice failed); another, its name's extension, else .mp4.
    listing: its media_listing, where already read."""
    with open(path, "rb") as file:
        head = file.read(12)
    if head[4:] == b"ftypqt  ":
        return ".mov"
    if head[4:8] == b"ftyp":
        codecs = {codec for _, codec in streams_of(stream_lines(path, listing=listing))}
        return ".mov" if codecs & set(MP4_LACKS) else ".mp4"
    if head.startswith(EBML_SIGNATURE):
        return ".mkv"
    extension = os.path.splitext(path)[1].lower()
    return extension if re.fullmatch(r"\.\w{1,5}", extension) else ".mp4"


class SeveralVideoStreams(UserError):
    """A file of several video streams: which one to super-resolve is not known."""


def check_video_streams(path, listing=None):
    """UserError unless the file holds one video stream, attached pictures (cover art) and streams of a codec FFmpeg
    does not know aside: a song with its album's cover (OpenCV read the cover as a video of one frame at 90000 fps);
    SeveralVideoStreams for more than one (OpenCV reads the first, which may be a picture of one frame beside the
    video, an MKV's cover track, or another angle). Nothing without a working ffmpeg: a bad IMAGEIO_FFMPEG_EXE is
    said where it is needed, as before (the app took every upload for "not a video"). Returns whether a display
    matrix turns or mirrors a stream (FFmpeg lists one only then: display_mirrored asks no more of a file without).
    listing: its media_listing, where already read (VideoReader's, of the file it opened)."""
    ffmpeg = working_ffmpeg()
    if not ffmpeg:
        return False
    listing = listing or media_listing(path, ffmpeg)
    lines = stream_lines(path, ffmpeg, listing)
    # a track of a codec FFmpeg does not know ("Video: none", a camera maker's own) is no video anything reads
    streams = [line for line in lines if ": Video: " in line and "(attached pic)" not in line
               and ": Video: none " not in line]
    if len(streams) > 1 and flv_bytes_appended(path):  # an FLV holds one video stream: the others are bytes appended
        streams = streams[:1]
    if not streams and any("(attached pic)" in line for line in lines):
        kinds = sorted({STREAM_KINDS.get(kind, kind.lower()) for kind, _ in streams_of(lines) if kind != "Video"})
        raise UserError(f"'{path}' holds {' and '.join([*kinds, 'a cover picture'])} only, no video stream; pass a "
                        "video file")
    if len(streams) > 1:
        shown = ", ".join(" ".join(re.search(r"Video: (\w+).*?, (\d+x\d+)\b|$", line).groups(default="?"))
                          for line in streams)
        raise SeveralVideoStreams(
            f"'{path}' holds {len(streams)} video streams ({shown}), and which one to super-resolve is not known; "
            "save the one you want alone (e.g. ffmpeg -i IN -map 0:v:1 -c copy OUT.mkv for the second) and use that "
            "file")
    # OpenCV reads the first video stream, a cover before the video too (an MP4 whose udta box comes before its trak):
    # the cover was super-resolved as a video of one frame, exit code 0
    covers = [line for line in itertools.takewhile(lambda line: line not in streams, lines)
              if ": Video: " in line and "(attached pic)" in line]
    if streams and covers:
        size = re.search(r", (\d+x\d+)\b|$", covers[0]).group(1) or "?"
        dropped = " ".join(f"-map -0:v:{index}" for index in range(len(covers)))
        extension = own_container(path, listing)
        raise UserError(f"'{path}' holds a cover picture ({size}) before its video stream, which OpenCV would read in "
                        f"the video's place; save the file without it (e.g. ffmpeg -i IN -map 0 {dropped} -c copy "
                        f"OUT{extension}) and use that file")
    return "Display Matrix:" in listing


def audio_codec(path, ffmpeg=None):
    """Codec name of the audio stream of a media file a player plays (played_audio; ffmpeg's name, e.g. 'aac'), or
    None."""
    played = played_audio(path, ffmpeg)
    return played and played[1]


def played_audio(path, ffmpeg=None, listing=None):
    """(its index among the audio streams, its codec) of the audio stream of a media file a player plays: the first
    flagged default, where one is, else the first (an MKV whose first audio track is a silent or other-language one
    not flagged default: it was copied, where players play the default one, exit code 0); None without audio.
    listing: its media_listing, where already read."""
    audio = [(line, codec) for line in stream_lines(path, ffmpeg, listing) for kind, codec in streams_of([line])
             if kind == "Audio"]
    if not audio:
        return None
    index = next((index for index, (line, _) in enumerate(audio) if "(default)" in line), 0)
    return index, audio[index][1]


def first_audio_packet(path, ffmpeg, muxer, start_seconds=None, output=os.devnull, audio=0):
    """ffmpeg's run (a CompletedProcess, stdout in bytes) copying the first packet of path's audio stream `audio`
    (its index among them, played_audio's) into
    muxer, written to output ('-': stdout), the input sought to start_seconds (-ss) first when given: the one probe of
    the two questions below, which differ in the seek, the muxer and the output asked. os.devnull, not a pipe, for a
    muxer asked as the output video's: a file it can seek, as that video is (Matroska refuses the AAC of an MPEG-TS,
    whose header it writes without the sample rate, on a pipe alone: it was re-encoded, "aac, which .mkv cannot
    hold")."""
    seek = [] if start_seconds is None else ["-ss", repr(start_seconds)]
    return subprocess.run([ffmpeg, "-nostdin", "-v", "error", *seek, "-i", media_path(path), "-map", f"0:a:{audio}",
                           "-c:a", "copy", "-frames:a", "1", "-f", muxer, "-y", output], stdin=subprocess.DEVNULL,
                          capture_output=True)


def matroska_takes_audio(path, ffmpeg, audio=0):
    """Whether FFmpeg's Matroska muxer takes the first audio stream of path as it is, asked with its first packet.
    It takes most codecs, not every one: one without a Matroska or WAV tag (QuickTime's IMA ADPCM, 'adpcm_ima_qt', of
    old cameras' .mov) made ffmpeg fail once every frame was super-resolved, "Nothing was written into output file"."""
    return first_audio_packet(path, ffmpeg, "matroska", audio=audio).returncode == 0


def audio_after_seek(path, start_seconds, ffmpeg, audio=0):
    """Whether ffmpeg, told to seek path to start_seconds (-ss), still reads a packet of its first audio stream. In
    some AVI and FLV files (H.264 with PCM, ADPCM, MP3 or Nellymoser audio) a seek that fails near their start ("could
    not seek to position") leaves their audio at its end: the output video had none, with exit code 0."""
    listed = first_audio_packet(path, ffmpeg, "framecrc", start_seconds, "-", audio).stdout
    lines = listed.decode(errors="replace").splitlines()
    return any(line and not line.startswith("#") for line in lines)


# a video beginning less than this after its file's start (seconds) is taken to begin with it: no seek for so little
LEAD_UNHEARD = 0.02


def video_lead(path, ffmpeg, listing=None):
    """Seconds by which the first frame of path's first video stream begins after the file's start (its first audio
    packet, where that comes first), as FFmpeg times them; 0 below LEAD_UNHEARD, or where no frame is decoded. The
    frame's time as the file gives it (-copyts), less the file's start FFmpeg lists: without, FFmpeg's output began at
    the frame, and an MPEG-TS whose video began 0.128 s after its audio (B-frames, a broadcast's) was said to lead by
    0, its audio put 0.128 s late, exit code 0; a start below 0 (an MP4's AAC priming) is taken as 0, as before. In the
    stream's own time base (passthrough), not in frames: a lead of 0.128 s at 10 fps was read as 0.1 s. An AVI's by
    its first packet's decoding time: it stores no presentation times, and the frame of an MPEG-4 Part 2 video of
    B-frames (an XviD or DivX AVI) came a frame late by FFmpeg's decoder, the audio put 0.077 s early, exit code 0.
    listing: its media_listing, where already read."""
    listing = listing or media_listing(path, ffmpeg)
    by_packet = re.search(r"^Input #0, avi,", listing, re.MULTILINE)
    listed = subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-copyts", "-i", media_path(path), "-map", "0:v:0",
                             *(["-c", "copy"] if by_packet else ["-enc_time_base:v", "demux", "-fps_mode",
                                                                 "passthrough"]),
                             "-frames:v", "1", "-f", "framecrc", "-"], stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, errors="replace").stdout.splitlines()
    base = next((line.split(":", 1)[1].strip() for line in listed if line.startswith("#tb 0:")), None)
    frame = next((line.split(",") for line in listed if line and line[0] != "#"), None)
    if not base or not frame or len(frame) < 3:
        return 0.0
    start = re.search(r"^ *Duration: .*, start: (-?\d+(?:\.\d+)?)", listing, re.MULTILINE)
    try:
        lead = float(int(frame[1 if by_packet else 2]) * Fraction(base)) - max(
            0.0, float(start.group(1)) if start else 0.0)
    except (ValueError, ZeroDivisionError):
        return 0.0
    return lead if lead >= LEAD_UNHEARD else 0.0
