"""utils/image_io.write_atomically: the one way files are written, with or without a kept partial file."""
import os

import pytest

from utils.image_io import write_atomically


def write_then_fail(temporary):
    with open(temporary, "wb") as file:
        file.write(b"half")
    raise OSError("disk full")


def test_a_failed_write_leaves_neither_the_file_nor_a_temporary(tmp_path):
    with pytest.raises(OSError, match="disk full"):
        write_atomically(str(tmp_path / "out.bin"), write_then_fail)
    assert os.listdir(tmp_path) == []


def test_a_named_partial_file_is_kept_when_the_write_fails_and_renamed_when_it_succeeds(tmp_path):
    partial = str(tmp_path / ".out.bin.part")
    with pytest.raises(OSError, match="disk full"):
        write_atomically(str(tmp_path / "out.bin"), write_then_fail, partial=partial)
    assert os.listdir(tmp_path) == [".out.bin.part"]

    def append_rest(temporary):
        with open(temporary, "ab") as file:
            file.write(b" and the rest")
    write_atomically(str(tmp_path / "out.bin"), append_rest, partial=partial)
    assert os.listdir(tmp_path) == ["out.bin"]
    assert (tmp_path / "out.bin").read_bytes() == b"half and the rest"
