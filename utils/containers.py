"""Walks of a video file's own bytes (MP4/MOV boxes and sample tables, Matroska elements, RIFF chunks, GIF and
APNG frames): where its frames lie, and zeros where a cut or a hole left them. No decoding here."""
import os
import re
import struct
from fractions import Fraction

from utils.errors import UserError, counted
from utils.image_io import PNG_SIGNATURE, holds_several_pictures


# a Matroska or WebM file's first bytes (EBML's)
EBML_SIGNATURE = b"\x1a\x45\xdf\xa3"


class VideoCutShort(UserError):
    """An animated GIF that ends before its trailer after whole frames (gif_cut_short), an animated PNG before its IEND
    (apng_cut_short), an AVI, MKV, WebM, MP4 or MOV cut off into zeros (cut_into_zeros), or a video of a codec FFmpeg
    decodes, damaged (undecodable_codec): a video, of which the page names what is wrong."""


def gif_cut_short(path, walked):
    """The UserError of an animated GIF (path; walked: gif_read's) that ends before its trailer after one whole frame or
    more: OpenCV read the whole frames, and a GIF cut at a frame's end (a download cut off) was a shorter clip, its job
    "done", exit code 0; or inside its first frame after whole sub-blocks of its data, which OpenCV decodes as a frame
    (the rows past them filled: a GIF of 3 frames cut so was a clip of 1, "done"); or in zeros from a block's place to
    its end (a download cut off into a file of its full length: read as 1, 2 or 3 frames of 3, "done"). None for a
    whole GIF, a file that is no GIF, and one cut otherwise before a whole frame (OpenCV decodes none:
    undecodable_codec)."""
    if walked is not None and walked[3] is not None:
        return VideoCutShort(f"video '{path}' is a GIF cut short (it is zeros from byte {walked[3]} to its end, where "
                             "its trailer should be, as a download cut off leaves a file made its full length first): "
                             "repair it or pass another video")
    if walked is None or walked[1] or not (walked[0] or walked[2]):
        return None
    ends = f"after {counted(len(walked[0]), 'whole frame')}" if walked[0] else "inside its first frame"
    return VideoCutShort(f"video '{path}' is a GIF cut short (it ends {ends}, before its trailer): repair it or pass "
                         "another video")


def apng_cut_short(path):
    """The UserError of an animated PNG (an acTL chunk before its first IDAT) that ends before its IEND chunk, its
    chunks walked by their lengths (a download cut off, or cut off into a file of its full length, zeros where its
    chunks should be): OpenCV read the frames it holds, and an APNG of 6 frames cut so was a clip of 4, its job "done",
    exit code 0, as a GIF cut short was (gif_cut_short). None for a whole one, and for a file that is no APNG."""
    with open(path, "rb") as file:
        if file.read(len(PNG_SIGNATURE)) != PNG_SIGNATURE or not holds_several_pictures(path):
            return None
        size, position, announced = os.fstat(file.fileno()).st_size, len(PNG_SIGNATURE), None
        while position + 12 <= size:
            file.seek(position)
            length, kind = struct.unpack(">I4s", file.read(8))
            if kind == b"IEND":
                return None
            if kind == b"acTL" and length >= 4:
                announced = struct.unpack(">I", file.read(4))[0]
            position += 12 + length
    frames = f"; its acTL chunk announces {counted(announced, 'frame')}" if announced else ""
    return VideoCutShort(f"video '{path}' is an animated PNG cut short (it ends before its IEND chunk, as a download "
                         f"cut off leaves it{frames}): repair it or pass another video")


def exact_rate(rate):
    """A frame rate as a Fraction. OpenCV reports a stream's rational rate (e.g. 30000/1001) as a double:
    the closest fraction of denominator <= 100000 gives the rational back exactly."""
    return Fraction(rate).limit_denominator(100000)


# the bytes at a file's end that must be zeros, beside a chunk or element of zeros, for a video to be cut off into zeros
ZERO_TAIL = 16


MATROSKA_SEGMENT, MATROSKA_CLUSTER = b"\x18\x53\x80\x67", b"\x1f\x43\xb6\x75"


def quicktime_places(file, size, ends_in_zeros):
    """The places an MP4's or MOV's data goes on: its samples' by its sample tables (quicktime_samples), in a file that
    ends in zeros (a whole file's are not read through), then its fragments' (iso_boxes), whatever its end."""
    if ends_in_zeros:
        yield from quicktime_samples(file, size)
    yield from iso_boxes(file, size)


def top_level_boxes(file, size):
    """(place, kind, length, where its contents begin) of each of an MP4's or MOV's top-level boxes, walked by their
    lengths (a 64-bit one after its kind where its length is 1) up to the file's end; the walk ends after a box of a
    length shorter than its header (0: it runs to the file's end, as a writer that cannot seek back leaves its last
    mdat)."""
    position = 0
    while position + 8 <= size:
        file.seek(position)
        length, kind = struct.unpack(">I4s", file.read(8))
        head = 8
        if length == 1:
            length, head = struct.unpack(">Q", file.read(8).ljust(8, b"\0"))[0], 16
        yield position, kind, length, position + head
        if length < head:
            return
        position += length


def iso_boxes(file, size):
    """The places of an MP4's (MOV's) top-level boxes after its first fragment's (moof) begins: a fragmented file's
    (a recording's, `frag_keyframe`) frames are indexed in each fragment, and one cut into zeros at a fragment's start
    was read as the fragments before. Nothing of a file that is not fragmented (its index, moov, holds every frame):
    zeros after its last box are a writer's padding, or a cut that its frames' decoding tells. A box of length 0 (its
    type not zeros) runs to the file's end (ISO/IEC 14496-12, as a writer that cannot seek back leaves its last mdat):
    its place is its type's, and the walk ends there; its length's four zero bytes were taken for a hole, and a whole
    fragmented MP4 or MOV was refused."""
    fragmented = False
    for position, kind, length, _ in top_level_boxes(file, size):
        if fragmented:
            yield position + 4 if length == 0 and kind.strip(b"\0") else position
        fragmented = fragmented or kind == b"moof"


def frames_lost(path):
    """Whether a video's bytes show frames lost that FFmpeg drops without a word (or with a warning alone, "Packet
    corrupt"): an MPEG-TS's (M2TS's) packet, before its last, damaged or holed (mpeg_ts_damaged; a TS of 12 frames so
    was read as 11, exit code 0, its count taken for an estimate), or a fragmented MP4's (MOV's) fragment index
    damaged (fragment_index_damaged). (A gap in the frames' times is no sign: a variable rate's pause is one.)"""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if file.read(8)[4:] == b"ftyp":
            return fragment_index_damaged(file, size)
        return mpeg_ts_damaged(file, size)


def mpeg_ts_damaged(file, size):
    """Whether an MPEG-TS (M2TS) has a packet, before its last, whose place lacks its sync byte (0x47), whose
    continuity counter does not follow its PID's last (a packet of its lost, or its header's bytes changed), no
    discontinuity flagged, or that begins a unit of a PID of PES packets (its frames') without a PES start code (00 00
    01: the frame's header damaged, and the frame dropped); False for another file."""
    packets = fixed_packets(file, size)
    if packets is None or packets[0]:  # an ASF's packets, after its header
        return False
    length, counters, streams = packets[1], {}, set()
    position, end = 0, size - size % length
    while position < end:
        file.seek(position)
        block = file.read(min(4096 * length, end - position))
        for place in range(length - 188, len(block), length):
            header = block[place:place + 6]
            pid, counter = int.from_bytes(header[1:3], "big") & 0x1fff, header[3] & 0x0f
            if header[0] != 0x47:
                return True
            if header[3] & 0x10 and pid != NULL_PID:  # a payload: its counter counts on (once repeated at most)
                flagged = header[3] & 0x20 and header[4] and header[5] & 0x80  # adaptation's discontinuity indicator
                if pid in counters and not flagged and counter not in (counters[pid], (counters[pid] + 1) % 16):
                    return True
                counters[pid] = counter
                if header[1] & 0x40:  # a unit's start: a PES packet's (a frame's), or a table's pointer field
                    start = place + 4 + (1 + header[4] if header[3] & 0x20 else 0)
                    if block[start:start + 3] == b"\0\0\1":
                        streams.add(pid)
                    elif pid in streams:
                        return True
        position += len(block)
    return False


def fragment_index_damaged(file, size):
    """Whether a fragmented MP4's or MOV's fragment index (a moof box, and the traf boxes in it) is damaged: its boxes,
    walked by their lengths, do not end at its end. FFmpeg's demuxer drops such a fragment's frames without a word, and
    a fragmented H.264 MP4 of 12 frames damaged by 64 bytes at its middle was read as 9, exit code 0. (A gap in the
    frames' times is no sign: a variable rate's pause is one.)"""
    for position, kind, length, start in top_level_boxes(file, size):
        if kind == b"moof" and length >= start - position and position + length <= size:
            file.seek(start)
            moof = file.read(length - (start - position))
            if not all(boxes_fill(moof[begin:end]) for begin, end in [(0, len(moof))] + quicktime_boxes(moof, b"traf")):
                return True
    return False


def fragment_samples_short(path):
    """(whether an MP4 or MOV is fragmented: a top-level box follows a moof, as iso_boxes takes it; the place of the
    media data (mdat) of its first fragment whose index (the moof's trun boxes, sizes defaulting to the tfhd's or the
    moov's trex, places by their data offsets) leaves out bytes after a video track's samples, or gives a video track's
    samples past it (samples_leave_out), or that no moof indexes (its kind's bytes changed), else None), its top-level
    boxes walked once for both (VideoReader's opening asks both, and walked them twice). Such an index's boxes still
    end at their ends (boxes_fill), and a fragmented H.264 MP4 of 12 frames whose second fragment's trun said 0 samples
    was read as 9, exit code 0: FFmpeg's demuxer drops the bytes no index gives without a word; with a sound track, as
    9 of 12 too (judged by sizes alone, as a first form of this check did, a trun of sound's count 0, every frame read,
    was refused). Bytes before a fragment's first run, or after a sound track's, are judged only where every track is
    video, or by the video's decode times after them (below); nor a fragment whose sizes the index does not give."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if file.read(8)[4:] != b"ftyp":
            return False, None
        tracks, runs, fragmented, after_a_moof, judged = None, [], False, False, True
        # each video track's decode time after its samples so far; an mdat with bytes no run holds after a sound
        # track's run, which may be a video track's where that run's place is the end of the video's (no offset given:
        # `-movflags omit_tfhd_offset`), and a fragmented MP4 with sound whose video trun gave 0 of 3 frames was read as
        # 9 of 12, exit code 0: the frames a trun leaves out are told by the next fragment's decode time (tfdt) of its
        # track, later than the sum of its samples' durations says (a gap in times alone is no sign: a live
        # recording's), the next that gives one: a fragment of sound alone between (no frame in its time: a variable
        # frame rate's, frames dropped) cleared the doubt, and a Motion JPEG MOV with sound whose video trun gave 1 of a
        # fragment's 2 frames was read as 23 of 24, exit code 0. One at or before the decode time of the track's last
        # sample so far FFmpeg's demuxer drops frames at without a word: a tfdt a frame's less in a fragmented MP4 of 12
        # frames, read as 11, exit code 0; so too the tfdt after a last sample of time 0, that sample's own (FFmpeg's
        # muxer writes it, `frag_every_frame` with sound), which the sum of durations took for no going back. One
        # earlier by less than that last sample's duration, each frame read (a muxer's rounding: YouTube's test files'
        # tfdt are 30 of 90,000 less), was refused so too, the whole file: it is no sign
        ends, doubt, earlier = {}, None, False
        for position, kind, length, start in top_level_boxes(file, size):
            fragmented, after_a_moof = after_a_moof, after_a_moof or kind == b"moof"
            if length < start - position or position + length > size:
                break  # a box running to the end, or past it: a cut, which its own checks tell
            file.seek(start)
            if kind == b"moov":
                tracks = media_tracks(file.read(length - (start - position)))
                judged = judged and tracks is not None
            elif kind == b"moof":
                judged = judged and tracks is not None  # no moov before it: FFmpeg cannot open it
                runs, times = judged and fragment_runs(file.read(length - (start - position)), position, tracks) or (
                    None, {})
                later, earlier = False, False
                for track, (time, span, last) in times.items():
                    end, final = ends.get(track, (time, -1))  # (its samples' end, its last sample's decode time)
                    later, earlier = later or time > end, earlier or time <= final
                    ends[track] = time + span, final if last is None else time + last
                if doubt is not None and later:
                    return True, doubt
                doubt = None if times else doubt
            elif kind == b"mdat" and fragmented and judged:
                if earlier or runs is not None and samples_leave_out(runs, start, position + length,
                                                                     all(video for *_, video in tracks.values())):
                    return True, position
                if doubt is None and runs is not None and samples_leave_out(runs, start, position + length, True):
                    doubt = position
                runs = []
    return fragmented, None


def samples_leave_out(runs, start, end, every_track_video):
    """Whether bytes of an mdat (from start to end) that no run of samples holds (runs: (start, end, whether a video
    track's), fragment_runs) follow a video track's run, or, in a file whose every track is video, any run: FFmpeg reads
    none of them; or a video track's run reaches past the mdat: a Motion JPEG MOV of 12 frames whose trun said 6 of a
    fragment's 1 was read as 17, the bytes after it decoded as frames, exit code 0."""
    owner = every_track_video  # bytes before the first run (all of an mdat that no moof indexes)
    for first, last, video in sorted(runs):
        if first > start and owner or video and last > end:
            return True
        if last >= start:  # a run of no samples too: the bytes after it are its track's (a trun's count 0)
            start, owner = last, video or every_track_video
    return start < end and owner


def media_tracks(moov):
    """(Each track's default sample size and duration, its trex box's in the moov's mvex, None where it gives none;
    whether it is video, its handler's type, hdlr, 'vide') by its track ID; None where a track's ID or handler cannot be
    read, or there is none."""
    tracks = {}
    for begin, end in quicktime_boxes(moov, b"trak"):
        track = moov[begin:end]
        header = next(iter(quicktime_boxes(track, b"tkhd")), (0, 0))[0]
        handler = next(iter(quicktime_boxes(track, b"mdia", b"hdlr")), (0, 0))[0]
        at = header + (20 if track[header:header + 1] == b"\1" else 12)  # after the version's creation, modification
        if not header or not handler or handler + 12 > len(track) or at + 4 > len(track):
            return None
        tracks[struct.unpack_from(">I", track, at)[0]] = track[handler + 8:handler + 12] == b"vide"
    defaults = {track: (sample_size, duration) for begin, end in quicktime_boxes(moov, b"mvex", b"trex")
                if end - begin >= 20
                for track, duration, sample_size in [struct.unpack_from(">I4xII", moov, begin + 4)]}
    return {track: (*defaults.get(track, (None, None)), video) for track, video in tracks.items()} or None


def fragment_runs(moof, place, tracks):
    """(start, end in the file, whether a video track's) of each run of samples a fragment index (the contents of a
    moof box at place) gives, by their data offsets from the base its tfhd gives (the moof's start where it gives
    none, for a traf after the first the end of the last's samples: ISO/IEC 14496-12) and their sizes; and each video
    track's (decode time of its first sample, its tfdt's, None where it gives none; the sum of its samples' durations;
    its last sample's decode time from the first's, None where it has none); None where a trun's samples run past its
    box, or a size is given nowhere (neither in the trun, nor by the tfhd's or the track's default, media_tracks), or a
    track is none of the moov's."""
    runs, end, times = [], place, {}
    for begin, finish in quicktime_boxes(moof, b"traf"):
        traf = moof[begin:finish]
        header = next(iter(quicktime_boxes(traf, b"tfhd")), None)
        if header is None or header[1] - header[0] < 8:
            return None
        flags, track = struct.unpack_from(">II", traf, header[0])
        flags &= 0xffffff
        if track not in tracks:
            return None
        base = (struct.unpack_from(">Q", traf, header[0] + 8)[0] if flags & 1 and header[0] + 16 <= header[1]
                else place if flags & 0x20000 or not runs else end)  # default-base-is-moof, or the first traf
        # tfhd's optional fields in order: base data offset (8 bytes), sample description index, duration, size
        at = header[0] + 8 + 8 * (flags & 1) + 4 * bool(flags & 2)
        duration = struct.unpack_from(">I", traf, at)[0] if flags & 8 and at + 4 <= header[1] else tracks[track][1]
        at += 4 * bool(flags & 8)
        default = struct.unpack_from(">I", traf, at)[0] if flags & 0x10 and at + 4 <= header[1] else tracks[track][0]
        decode = next(iter(quicktime_boxes(traf, b"tfdt")), (0, 0))
        time = (None if decode[1] - decode[0] < 8 else struct.unpack_from(">Q" if traf[decode[0]] == 1 else ">I", traf,
                                                                          decode[0] + 4)[0])
        end, span, latest = base, 0, None
        for first, last in quicktime_boxes(traf, b"trun"):
            if last - first < 8:
                return None
            flags, count = struct.unpack_from(">II", traf, first)
            flags &= 0xffffff
            if flags & 1 and first + 12 <= last:  # its data offset, from the base; else after the run before
                end = base + struct.unpack_from(">i", traf, first + 8)[0]
            place_of_samples = first + 8 + 4 * bool(flags & 1) + 4 * bool(flags & 4)
            fields = [bit for bit in (0x100, 0x200, 0x400, 0x800) if flags & bit]
            if place_of_samples + 4 * len(fields) * count > last:
                return None
            length, lasting = (sum(struct.unpack_from(">I", traf, place_of_samples + 4 * len(fields) * sample
                                                      + 4 * fields.index(field))[0] for sample in range(count))
                               if field in fields else None if known is None else known * count
                               for field, known in ((0x200, default), (0x100, duration)))
            if length is None:
                return None
            runs.append((end, end + length, tracks[track][2]))
            end += length
            if count and span is not None and lasting is not None:
                latest = span + lasting - (struct.unpack_from(">I", traf, place_of_samples + 4 * len(fields) * (
                    count - 1) + 4 * fields.index(0x100))[0] if 0x100 in fields else duration)
            span = None if span is None or lasting is None else span + lasting
        if tracks[track][2] and track not in times and time is not None and span is not None:
            times[track] = time, span, latest
    return runs, times


def boxes_fill(data):
    """Whether data's boxes, walked by their lengths, end at its end."""
    position = 0
    while position + 8 <= len(data):
        length = struct.unpack_from(">I", data, position)[0]
        if length < 8:
            return False
        position += length
    return position == len(data)


def zeros_end(file, position, size):
    """Where the zeros from position (in a file of size bytes) end: the place of the first byte that is not zero, or
    size."""
    while position < size:
        file.seek(position)
        block = file.read(min(65536, size - position))
        if rest := block.lstrip(b"\0"):
            return position + len(block) - len(rest)
        position += len(block)
    return size


def zeros_begin(file, size):
    """Where the zeros that end a file (of size bytes) begin, read back from its end."""
    end = size
    while end:
        file.seek(max(0, end - 65536))
        block = file.read(end - max(0, end - 65536))
        if kept := len(block.rstrip(b"\0")):
            return end - len(block) + kept
        end -= len(block)
    return 0


# the codecs (an MP4's or MOV's sample entries) whose frames never begin with four zero bytes: H.264's and H.265's (a
# length, then a NAL unit), AV1's, VP8's and VP9's, JPEG's, MPEG-4 Part 2's (a start code) and ProRes' (a size, then
# 'icpf'); a raw frame may (black rows), and an AAC frame may
NEVER_ZEROS_FIRST = {b"avc1", b"avc3", b"hvc1", b"hev1", b"dvh1", b"dvhe", b"av01", b"vp08", b"vp09", b"jpeg", b"mjpa",
                     b"mjpb", b"mp4v", b"apch", b"apcn", b"apcs", b"apco", b"ap4h", b"ap4x"}


def quicktime_samples(file, size, ends=False):
    """The places of the samples of an MP4's or MOV's tracks of a codec whose frames never begin with four zero bytes
    (NEVER_ZEROS_FIRST), by the sample tables of its moov box (stco or co64, stsc, stsz), in a file whose moov box comes
    before its zeros (a faststart file's, before its media data: a moov box after them is gone, and no frame is read).
    None of a track whose tables cannot be read (FFmpeg says what is wrong), nor of a sample of no bytes (a frame
    dropped, remuxed from an AVI's empty chunk): placed at the zeros after a whole file's last frame, it was taken for a
    frame cut off, and the file refused as cut short. ends: (place, where it ends) of each."""
    moov = None
    for position, kind, length, start in top_level_boxes(file, size):
        if kind == b"moov" and (length >= start - position or length == 0):
            file.seek(start)
            moov = file.read(min(length or size - position, size - position) - (start - position))
            break
    for start, end in quicktime_boxes(moov or b"", b"trak"):
        track = moov[start:end]
        table = {kind: next(iter(quicktime_boxes(track, b"mdia", b"minf", b"stbl", kind)), (0, 0))[0]
                 for kind in (b"stsd", b"stco", b"co64", b"stsc", b"stsz")}
        if track[table[b"stsd"] + 12:table[b"stsd"] + 16] not in NEVER_ZEROS_FIRST:
            continue
        at = table[b"co64"] or table[b"stco"]  # 0: no such box (a box's contents follow its header)
        if not (at and table[b"stsc"] and table[b"stsz"]):
            continue
        try:
            count = struct.unpack_from(">I", track, at + 4)[0]
            chunks = struct.unpack_from(f">{count}{'Q' if table[b'co64'] else 'I'}", track, at + 8)
            count = struct.unpack_from(">I", track, table[b"stsc"] + 4)[0]
            runs = struct.unpack_from(f">{3 * count}I", track, table[b"stsc"] + 8)
            common, count = struct.unpack_from(">II", track, table[b"stsz"] + 4)
            sizes = () if common else struct.unpack_from(f">{count}I", track, table[b"stsz"] + 12)
        except struct.error:
            continue
        sample, run = 0, 0
        for chunk, place in enumerate(chunks, 1):
            while 3 * (run + 1) < len(runs) and runs[3 * (run + 1)] <= chunk:
                run += 1
            for _ in range(runs[3 * run + 1] if runs else 0):
                if sample >= count:
                    break
                length = common or sizes[sample]
                if length and place + 4 <= size:  # one of no bytes (a dropped frame's) is the next one's place
                    yield (place, place + length) if ends else place
                place, sample = place + length, sample + 1


# the bytes before a ProRes frame's end that zeros must begin at or before for the frame to be cut: its slices'
# data may end in a zero byte (6 of 1,086 frames of FFmpeg's three ProRes encoders, none in more)
PRORES_TAIL = 4


def prores_frame_end(file, place):
    """Where the ProRes frame at place (an MP4's or MOV's sample's) ends, by its length (its first 4 bytes, before
    'icpf'); None where no ProRes frame begins there. (A Matroska block holds the frame without them.)"""
    file.seek(place)
    head = file.read(8)
    return place + struct.unpack(">I", head[:4])[0] if len(head) == 8 and head[4:] == b"icpf" else None


# the bytes before a JPEG frame's end that zeros must begin at or before for the frame to be cut: a whole one ends in
# its EOI marker (FF D9) or, written without it (some webcams'), in its scan's last bytes, which may be zeros (136 of
# 4,800 frames of FFmpeg's Motion JPEG encoder end in one or two zero bytes before their EOI, none in more)
JPEG_TAIL = 4


def jpeg_frame_end(file, size):
    """Where the last sample of an MP4's or MOV's tracks (quicktime_samples) ends, where it is a JPEG frame (Motion
    JPEG's: its SOI marker, FF D8, first); else None. A frame written without its EOI marker says "EOI missing" of
    every frame, and one cut into zeros says nothing more: its end is told by the sample's length."""
    place, end = max(quicktime_samples(file, size, ends=True), default=(None, None))
    if place is None:
        return None
    file.seek(place)
    return end if file.read(2) == b"\xff\xd8" else None


def jpeg_ended(file, position):
    """Whether a JPEG frame's EOI marker (FF D9), with any 0xFF fill after it, ends at position: zeros from there on
    inside its sample are a writer's padding (a camera's frames padded to a length), not a cut."""
    file.seek(max(0, position - 64))
    return file.read(position - max(0, position - 64)).rstrip(b"\xff").endswith(b"\xff\xd9")


def fixed_packets(file, size):
    """(where the first begins, their length, where the last ends) of the packets of a file made of packets of one
    length: an MPEG-TS's (188 bytes, each beginning with its sync byte 0x47) or an M2TS's (192: a time code, then the
    same), or an ASF's (WMV's) Data Object's (its recorded length over its recorded count); None for another file, and
    for a live ASF (no count recorded, or its broadcast flag set: asf_broadcast)."""
    file.seek(0)
    head = file.read(400)
    for length, offset in ((188, 0), (192, 4)):
        if len(head) > 2 * length + offset and all(head[offset + k * length] == 0x47 for k in range(3)):
            return 0, length, size
    if not head.startswith(ASF_HEADER) or asf_broadcast(file):
        return None
    start = struct.unpack("<Q", head[16:24])[0]
    file.seek(start)
    data = file.read(50)
    if len(data) < 50 or data[:16] != ASF_DATA:
        return None
    length, count = struct.unpack("<Q", data[16:24])[0], struct.unpack("<Q", data[40:48])[0]
    if not count or (length - 50) % count or length <= 50:
        return None
    return start + 50, (length - 50) // count, start + length


# the packets at a TS's start (its tables') and before its last one, of which that one's PID must be one's for it to
# be a packet cut
TS_PACKETS_COMPARED = 16
# the PID of a TS's null packets (stuffing: an M2TS's, to align its units of 32 packets, among its frames' packets)
NULL_PID = 0x1fff


def mpeg_ts_packets(file, size):
    """Whether an MPEG-TS (or M2TS) ends inside a packet, its last one cut (a download or copy cut off plainly: nothing
    else in it records its length); None for another file. Such a TS was read as the frames before the cut, "done",
    exit code 0, and the frame the cut falls in decoded wrong at some cuts (0.12): the frame its last packet holds is
    taken as cut (how_it_ends). A TS cut at a packet's end is not told; nor bytes after its last packet
    where no packet of its streams begins (no sync byte, 0x47, at a packet's place, or a PID none of its first or last
    packets has, nor a null packet's): a whole TS with a line of text or a zip appended was refused as cut."""
    packets = fixed_packets(file, size)
    if packets is None or packets[0]:  # an ASF's packets, after its header: its Data Object's length tells
        return None
    length = packets[1]
    if not size % length:
        return False
    file.seek(0)
    first = file.read(TS_PACKETS_COMPARED * length)
    start = max(0, size - size % length - TS_PACKETS_COMPARED * length)
    file.seek(start)
    last = file.read(size - start)
    cut = last[len(last) - size % length + length - 188:]  # after an M2TS packet's time code: its sync byte on
    pids = {int.from_bytes(block[place + 1:place + 3], "big") & 0x1fff for block in (first, last[:-(size % length)])
            for place in range(length - 188, len(block), length)}
    return not cut or cut[0] == 0x47 and (len(cut) < 3 or int.from_bytes(cut[1:3], "big") & 0x1fff in pids | {NULL_PID})


def riff_chunks(file, size):
    """The places of the chunks of an AVI's RIFF lists ('AVI ', OpenDML's 'AVIX') and of their 'movi' lists (its
    frames), walked by their lengths: where no index follows the frames, one cut into zeros among them is found."""
    position, list_end = 0, 0
    while position + 8 <= size:
        file.seek(position)
        chunk, length, form = struct.unpack("<4sI4s", file.read(12).ljust(12, b"\0"))
        if position >= list_end and chunk != b"RIFF":  # after its RIFF lists: padding, or what no list holds
            return
        if position >= list_end:
            list_end, position = position + 8 + length, position + 12
            continue
        yield position
        position += 12 if (chunk, form) == (b"LIST", b"movi") else 8 + length + (length & 1)


def avi_frames(path):
    """The frame chunks ('00dc', '00db', '01dc'..) of an AVI, counted in its index (idx1, 16 bytes an entry) where its
    first RIFF list has one, else walked in its movi lists (riff_chunks); None for a file that is no AVI. Its header's
    count (strh's) may be fewer, and OpenCV reads no more than one frame past that count."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        head = file.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:] != b"AVI ":
            return None
        end = min(size, 8 + struct.unpack("<I", head[4:8])[0])
        position = 12
        while position + 8 <= end:
            file.seek(position)
            chunk, length = struct.unpack("<4sI", file.read(8))
            if chunk == b"idx1":
                return sum(entry[0][2:] in (b"dc", b"db") for entry in struct.iter_unpack(
                    "<4sIII", file.read(min(length, end - position - 8) // 16 * 16)))
            position += 8 + length + (length & 1)
        count = 0
        for position in riff_chunks(file, size):
            file.seek(position)
            count += file.read(4)[2:] in (b"dc", b"db")
        return count


# the most B-frames between two others (H.264's, MPEG-4 Part 2's)
MOST_B_FRAMES = 16
# the bytes of a frame read for its picture's kind: its parameter sets and an encoder's SEI message (x264's settings)
# may come before its first slice
PICTURE_HEAD = 4096


def avi_frames_after_the_cut(file, size, cut):
    """Of an AVI cut short, the frames read last to leave out (an AVI records no times: its decoder orders its frames):
    its last frame chunk ('00dc', '01dc'..: riff_chunks) where it is cut (how_it_ends); where that one is
    a B-frame (H.264's slice type, MPEG-4 Part 2's VOP coding type), the frames from the last one that is none (an I or
    P frame, shown after the B-frames decoded after it: some of them cut off); where it is an I or P frame after a
    B-frame, that one (the B-frames shown before it decoded after it, cut off)."""
    frames = []
    for position in riff_chunks(file, size):
        file.seek(position)
        chunk, length = struct.unpack("<4sI", file.read(8))
        if chunk[2:] in (b"dc", b"db"):
            frames.append((position + 8, length))
    kinds = []
    for place, length in reversed(frames[-MOST_B_FRAMES - 2:]):
        file.seek(place)
        kinds.append(picture_kind(file.read(min(length, PICTURE_HEAD))))
    if kinds[:1] == [None] and "B" in kinds:  # cut before its slice's kind, in a video of B-frames
        kinds[0] = "B"
    if kinds[:1] == ["B"]:
        return next((count for count, kind in enumerate(kinds, 1) if kind != "B"), len(kinds))
    return int(cut or kinds[1:2] == ["B"])


def picture_kind(frame):
    """'B' where a frame's bytes (Annex B start codes: an AVI's, a TS's) begin an H.264 slice of slice type B or an
    MPEG-4 Part 2 VOP coded B; else 'I or P', or None where neither is found."""
    for match in re.finditer(b"\0\0\1(.)", frame, re.DOTALL):
        code, rest = match[1][0], frame[match.end():]
        if code == 0xb6 and rest:  # an MPEG-4 VOP: its coding type, 2 bits
            return "B" if rest[0] >> 6 == 2 else "I or P"
        if code & 0x80 == 0 and code & 0x1f in (1, 5):  # an H.264 slice: first_mb_in_slice, then slice_type (ue(v))
            bits = "".join(f"{byte:08b}" for byte in rest[:8])
            values, at = [], 0
            while len(values) < 2 and (zeros := len(bits) - len(bits[at:].lstrip("0")) - at) < 32 and (
                    at + 2 * zeros + 1 <= len(bits)):
                values.append(int(bits[at + zeros:at + 2 * zeros + 1], 2) - 1)
                at += 2 * zeros + 1
            return ("B" if values[1] % 5 == 1 else "I or P") if len(values) == 2 else None
    return None


def ebml_element(file, position):
    """The header of the Matroska (EBML) element at position: (its ID's bytes, its length (None: not known), where its
    data begins); None where no header can be read there (zeros, another file's bytes, the file's end)."""
    file.seek(position)
    read = file.read(12)
    lengths = [8 - byte.bit_length() + 1 if byte else 9 for byte in read[:1]]
    if not lengths or lengths[0] > 4 or len(read) < lengths[0] + 1:
        return None
    width = 8 - read[lengths[0]].bit_length() + 1 if read[lengths[0]] else 9
    if width > 8 or len(read) < lengths[0] + width:
        return None
    value = int.from_bytes(read[lengths[0]:lengths[0] + width], "big") & ((1 << (7 * width)) - 1)
    return read[:lengths[0]], None if value == (1 << (7 * width)) - 1 else value, position + lengths[0] + width


def matroska_segment(file):
    """(the Segment's element header, as ebml_element gives it) of a Matroska or WebM file, else None."""
    header = ebml_element(file, 0)
    segment = header and header[1] is not None and ebml_element(file, header[2] + header[1])
    return segment if segment and segment[0] == MATROSKA_SEGMENT else None


# the IDs of the elements a Matroska Segment holds (SeekHead, Info, Tracks, Cluster, Cues, Attachments, Chapters,
# Tags) and a Cluster (Timestamp, SilentTracks, Position, PrevSize, SimpleBlock, BlockGroup, EncryptedBlock), and of
# Void and CRC-32, which either may
MATROSKA_CHILDREN = {bytes.fromhex(element) for element in (
    "114d9b74", "1549a966", "1654ae6b", "1f43b675", "1c53bb6b", "1941a469", "1043a770", "1254c367",
    "e7", "5854", "a7", "ab", "a3", "a0", "af", "ec", "bf")}


def matroska_children(file, segment, end):
    """(place, element header) of each element of a Matroska Segment (its clusters, cues..) and of its clusters' (their
    frames), walked by their lengths up to end; (place, None) where a header cannot be read, and the walk ends. It ends
    too at an element of an ID neither holds (MATROSKA_CHILDREN): bytes after a live Segment's last cluster (its length
    not known: a line of text appended, a zip) were walked as an element running past the file's end, and a whole live
    WebM refused as cut short."""
    position = segment[2]
    while position < end:
        file.seek(position)
        head = file.read(4)  # an ID's bytes, the file's end may cut them (zeros: a cut, which ebml_element tells)
        if head[:1] != b"\0" and not any(head.startswith(known) or known.startswith(head)
                                          for known in MATROSKA_CHILDREN):
            return
        child = ebml_element(file, position)
        yield position, child
        if child is None:
            return
        # into a cluster (or one of a length not known): its elements, then the next
        position = child[2] + (0 if child[0] == MATROSKA_CLUSTER or child[1] is None else child[1])


def matroska_elements(file, size, overruns=None):
    """The places of a Matroska or WebM file's Segment's elements and of its clusters' (matroska_children): where no
    cues follow the last cluster (a live recording's, `-live 1`'s), one cut into zeros inside it was read as 24 to 29
    frames of 30; and a cut inside an element's header (its ID's bytes, then zeros, which no length begins with) as the
    frames before it (15 of 30), the walk ending there without a place of zeros. overruns: a list given, to which
    (its place, the bytes it runs past the file's end) of each element of a live Segment (its length not known) that
    runs past the file's end is added (live_matroska_cut_short): the one walk of the file tells both."""
    segment = matroska_segment(file)
    if not segment:
        return
    for position, child in matroska_children(file, segment, size if segment[1] is None
                                             else min(size, segment[2] + segment[1])):
        yield position
        if overruns is not None and segment[1] is None and child and child[1] is not None and (
                child[2] + child[1] > size):
            overruns.append((position, child[2] + child[1] - size))
        if child is None:  # a header cut into zeros (its ID, then a length's first byte 0): where its zeros begin
            file.seek(position)
            yield position + len(file.read(12).rstrip(b"\0"))


def live_matroska_cut_short(path, position, past):
    """The UserError of a live Matroska or WebM recording (its Segment's length not known, `-live 1`'s, a stream's
    dump: no cues, no duration, no frame count) cut off plainly, its element at `position` (a cluster, a frame) running
    `past` bytes past the file's end (found by cut_into_zeros's walk, matroska_elements): the frames before the cut were
    read, 604 of 627 cuts of a 30-frame file a shorter clip, exit code 0, where a file of a known length is told cut
    short by the frames its header announces. One cut at an element's end is read (nothing tells it)."""
    return VideoCutShort(f"video '{path}' is a Matroska or WebM video cut short (its element at byte {position} runs "
                         f"{past} bytes past the file's end, as a download or a recording cut off leaves it): repair "
                         "it or pass another video")


def quicktime_boxes(data, *path):
    """(start, end) of the contents of each QuickTime box of data at path (kinds, e.g. b"moov", b"trak")."""
    spans = [(0, len(data))]
    for kind in path:
        found = []
        for start, end in spans:
            while start + 8 <= end:
                size, named = struct.unpack(">I4s", data[start:start + 8])
                head = 8
                if size == 1 and start + 16 <= end:
                    size, head = struct.unpack(">Q", data[start + 8:start + 16])[0], 16
                elif size == 0:
                    size = end - start
                if size < head:
                    break
                if named == kind:
                    found.append((start + head, min(start + size, end)))
                start += size
        spans = found
    return spans


# an ASF (WMV, WMA) file's Header Object and the Data Object after it (its frames' packets), and the File Properties
# Object inside its Header Object, by their GUIDs' bytes
ASF_HEADER, ASF_DATA, ASF_FILE_PROPERTIES = (bytes.fromhex(guid) for guid in (
    "3026b2758e66cf11a6d900aa0062ce6c", "3626b2758e66cf11a6d900aa0062ce6c", "a1dcab8c47a9cf118ee400c00c205365"))


def asf_broadcast(file):
    """Whether an ASF (WMV) file's File Properties Object sets its broadcast flag (a live stream's, saved): its Data
    Object's length and packet count are then not to be trusted (the ASF specification calls them invalid), and a whole
    one that recorded them as its stream's (2 GB, or all ones) was refused as "shorter than its container says"."""
    file.seek(0)
    header = file.read(30)
    end = min(struct.unpack("<Q", header[16:24])[0], 1 << 20) if len(header) == 30 else 0
    position = 30
    while position + 24 <= end:
        file.seek(position)
        guid, length = struct.unpack("<16sQ", file.read(24))
        if guid == ASF_FILE_PROPERTIES:
            file.seek(position + 88)
            return bool(int.from_bytes(file.read(4).ljust(4, b"\0"), "little") & 1)
        if length < 24:
            return False
        position += length
    return False


def asf_padding(file, start):
    """The padding bytes at the end of the ASF data packet at start (its payload parsing information's padding length):
    a WMV cut off inside them has its frames whole."""
    file.seek(start)
    head = file.read(32)
    at = 1 + (head[0] & 0x0f) if head[:1] and head[0] & 0x80 else 0  # its error correction data
    if len(head) < at + 2:
        return 0
    flags, at = head[at], at + 2  # its length type flags, then its property flags
    widths = [(0, 1, 2, 4)[flags >> shift & 3] for shift in (5, 1, 3)]  # its packet length, sequence, padding length
    at += widths[0] + widths[1]
    return int.from_bytes(head[at:at + widths[2]], "little")


# the top-level boxes of an MP4 or MOV that hold its frames or say where they are
QUICKTIME_FRAME_BOXES = (b"mdat", b"moov", b"moof")


def shorter_than_its_container(path):
    """Whether a video is shorter than its container says (a download or a copy cut off plainly, no zeros after it): a
    Matroska or WebM Segment of a recorded length, an AVI's RIFF lists (OpenDML's AVIX after the first), an FLV's
    recorded file size or its last tag, an MP4's or MOV's top-level box (its frames' mdat) running past the file's end
    or its mdat of length 0 (to the file's end: its frames' end not known), or an ASF's (WMV's) Header or Data Object
    (its frames' packets) running past the file's end. Such a video of 30 frames cut at 50 to 97 % passed the upload's
    check (its first frame decodes) and failed at its job's turn, after every job ahead of it, with the reader's "ended
    after N of the 30 frames"; where this is so, the part chosen is decoded at upload (webapp.inputs.video_input). A
    Motion JPEG AVI cut at a frame's end and a WMV cut off so decode cleanly to the cut (a shorter clip without a word,
    exit code 0): VideoReader refuses them by this. An OpenDML AVI of 1,250 frames cut in its AVIX list was read as
    1,193, and an FLV written without its filesize, to a pipe, as 10 of 30. Headers only are read (an FLV's tags' 4
    first bytes: 3 ms a minute of 30 fps)."""
    return how_it_ends(path)[0]


def how_it_ends(path):
    """(whether the video is shorter than its container says: shorter_than_its_container; whether, so, it ends inside
    a frame that FFmpeg's demuxer hands its decoder cut, else False, None where not walked here: a Matroska file's
    blocks), its file opened and walked once for both (VideoReader's end of reading asks both). The frame cut is an
    ASF's (WMV's) where its last packet runs past the file's end, an AVI's where its last chunk does (a frame's: '00dc',
    '00db'), an FLV's where its last tag does (a video tag), a fragmented MP4's or MOV's where a fragment's mdat or moof
    does, an MPEG-TS's where its last packet does (mpeg_ts_packets); not another MP4's or MOV's, whose index places each
    frame (FFmpeg reads none cut). The reader's advice of the part before the cut leaves that frame out: a WMV, AVI or
    FLV cut off plainly was advised `--end N` of the N frames read, the last one's pixels wrong (up to 255 of 255), exit
    code 0; a fragmented MP4 of Motion JPEG cut at 10 to 97 % was read as the frames before the cut and that one,
    decoded wrong (up to 255 of 255), exit code 0. A cut between fragments is not told."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        head = file.read(12)
        if head.startswith(b"RIFF") and len(head) == 12:  # its RIFF lists, OpenDML's AVIX after the first
            position = 0
            while position + 8 <= size and file.seek(position) == position and file.read(4) == b"RIFF":
                length = struct.unpack("<I", file.read(4))[0]
                position += 8 + length + (length & 1)
            if position <= size:
                return False, False
            if head[8:] != b"AVI ":
                return True, None
            last = None
            for last in riff_chunks(file, size):
                pass
            if last is None:
                return True, None
            file.seek(last)
            chunk, length = struct.unpack("<4sI", file.read(8))
            return True, last + 8 + length > size and chunk[2:] in (b"dc", b"db")
        if head.startswith(ASF_HEADER[:12]):  # the Data Object's end (an index, which may follow it, holds no frame)
            file.seek(16)
            end = struct.unpack("<Q", file.read(8).ljust(8, b"\0"))[0]
            file.seek(end)
            data = file.read(24)
            if len(data) == 24 and data[:16] == ASF_DATA and struct.unpack("<Q", data[16:])[0] >= 50 and not (
                    asf_broadcast(file)):
                end += struct.unpack("<Q", data[16:])[0]  # 50 or more: its header's bytes, then its packets
            if end <= size:
                return False, False
            packets = fixed_packets(file, size)
            if packets is None or size >= packets[2] or not (size - packets[0]) % packets[1]:
                return True, None if packets is None else False
            start = size - (size - packets[0]) % packets[1]
            return True, size < start + packets[1] - asf_padding(file, start)
        if head.startswith(b"FLV"):  # its onMetaData's filesize, an AMF number, where the writer recorded it; its tags
            last, end = flv_end(file, size)
            file.seek(0)
            recorded = file.read(4096).partition(b"\x00\x08filesize\x00")[2][:8]
            shorter = len(recorded) == 8 and struct.unpack(">d", recorded)[0] > size or end > size
            return shorter, shorter and last is not None and last[2] > size and last[1] == 9
        if head.startswith(EBML_SIGNATURE):
            segment = matroska_segment(file)
            shorter = bool(segment and segment[1] is not None and segment[2] + segment[1] > size)
            return shorter, shorter and None
        if (packets := mpeg_ts_packets(file, size)) is not None:
            return packets, packets
        if head[4:8] != b"ftyp":
            return False, None
        fragmented = False
        for position, kind, length, _ in top_level_boxes(file, size):
            if length < 8:  # 0: to the file's end (a writer that cannot seek back), the frames' end not known
                return length == 0 and kind == b"mdat", False
            if position + length > size:  # a box of the frames or their index cut off; bytes appended after the last
                # box (a zip, a phone's trailer, a line of text) are none, and a whole MP4 of an edit list (`ffmpeg -ss
                # T -c copy`), read short of its count, was refused as truncated. A fragment's index (moof) cut: its
                # frames are not read, and the count is the frames before it (one of them left out)
                return kind in QUICKTIME_FRAME_BOXES, kind == b"moof" or fragmented and kind == b"mdat"
            fragmented = fragmented or kind == b"moof"
        return False, False


# the kinds of an FLV's tags: audio, video, script data (onMetaData)
FLV_TAGS = {8, 9, 18}


def flv_tags(file, size):
    """(place, kind, where its data ends) of each of an FLV's tags, walked by their lengths (the header's, then each
    tag's 11 bytes, its data and the 4 bytes of its length after it) up to the file's end or to bytes that are no tag
    (a kind not an FLV's, its reserved bits set, or a stream ID not 0: padding, or bytes appended after). A tag's
    header cut short is a tag of the bytes there. Such bytes were walked as a tag when their first byte's low bits were
    a kind (a line of text beginning 'I', 'H' or 'R'), and a whole FLV with them appended refused as cut."""
    file.seek(5)
    position = struct.unpack(">I", file.read(4).ljust(4, b"\0"))[0] + 4
    while position < size:
        file.seek(position)
        header = file.read(11)
        if header[0] not in FLV_TAGS or header[8:].strip(b"\0"):
            return
        end = position + 11 + int.from_bytes(header[1:4].ljust(3, b"\0"), "big")
        yield position, header[0], end
        position = end + 4


def flv_end(file, size):
    """(its last tag, as flv_tags gives it, or None; where its tags end, after the 4 bytes of the last one's length, or
    where they begin without one) of an FLV."""
    last = None
    for last in flv_tags(file, size):
        pass
    if last is None:
        file.seek(5)
        return None, struct.unpack(">I", file.read(4).ljust(4, b"\0"))[0] + 4
    return last, last[2] + 4


def flv_bytes_appended(path):
    """Whether a file is an FLV with bytes after its tags (flv_tags: bytes of no tag, a line of text, a zip): FFmpeg's
    demuxer reads them as a tag of another stream (a line of text beginning 'I' as a video stream of codec 'none',
    'mpeg4' or 'vp6f'), and a whole FLV with such a line appended was refused as holding 2 video streams, "save the
    one you want alone"."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        return file.read(3) == b"FLV" and flv_end(file, size)[1] < size
