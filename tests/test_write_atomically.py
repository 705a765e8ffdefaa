"""utils/atomic_files.write_atomically: the one way files are written, with or without a kept partial file; a
staged file committed later (videos) and a staged folder (zips, scenes) go through the same helper."""
import os

import pytest

from utils.atomic_files import StagedFile, commit_folder, write_atomically


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


def test_a_failed_write_of_a_symbolic_link_leaves_no_dangling_temporary_link(tmp_path):
    def link_then_fail(temporary):
        os.symlink(str(tmp_path / "missing_target"), temporary)
        raise OSError("interrupted")
    with pytest.raises(OSError, match="interrupted"):
        write_atomically(str(tmp_path / "libmpi.so"), link_then_fail)
    assert os.listdir(tmp_path) == []


def test_a_symbolic_link_is_renamed_into_place_over_an_older_one(tmp_path):
    (tmp_path / "old.so").write_bytes(b"old")
    (tmp_path / "new.so").write_bytes(b"new")
    link = str(tmp_path / "libmpi.so")
    os.symlink(str(tmp_path / "old.so"), link)
    write_atomically(link, lambda temporary: os.symlink(str(tmp_path / "new.so"), temporary))
    assert os.readlink(link) == str(tmp_path / "new.so")
    assert sorted(os.listdir(tmp_path)) == ["libmpi.so", "new.so", "old.so"]


def test_a_staged_file_appears_only_when_committed_and_discard_removes_it(tmp_path):
    staged = StagedFile(str(tmp_path / "video.mp4"))
    (tmp_path / os.path.basename(staged.temporary)).write_bytes(b"frames")
    assert not (tmp_path / "video.mp4").exists()
    staged.commit()
    assert os.listdir(tmp_path) == ["video.mp4"] and (tmp_path / "video.mp4").read_bytes() == b"frames"
    discarded = StagedFile(str(tmp_path / "other.mp4"))
    (tmp_path / os.path.basename(discarded.temporary)).write_bytes(b"half")
    discarded.discard()
    assert os.listdir(tmp_path) == ["video.mp4"]


def make_tree(root, files):
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def tree(root):
    return {
        os.path.relpath(os.path.join(directory, name), root): open(os.path.join(directory, name),
                                                                   "rb").read()
        for directory, _, names in os.walk(root) for name in names
    }


def test_a_committed_folder_replaces_the_earlier_one_whole(tmp_path):
    make_tree(tmp_path / "scene", {"0000.png": b"old", "0001.png": b"old"})
    make_tree(tmp_path / ".scene.partial", {"0000.png": b"new"})
    commit_folder(str(tmp_path / ".scene.partial"), str(tmp_path / "scene"))
    assert sorted(os.listdir(tmp_path)) == ["scene"]
    assert tree(tmp_path / "scene") == {"0000.png": b"new"}


def test_a_merged_folder_moves_its_files_beside_those_there_and_is_removed(tmp_path):
    make_tree(tmp_path / "LR", {"calendar/0001.png": b"old", "city/0001.png": b"kept"})
    make_tree(tmp_path / "LR" / ".vid.zip.unpacking", {
        "calendar/0001.png": b"new",
        "walk/0001.png": b"added"
    })
    commit_folder(str(tmp_path / "LR" / ".vid.zip.unpacking"), str(tmp_path / "LR"), merge=True)
    assert tree(tmp_path / "LR") == {"calendar/0001.png": b"new", "city/0001.png": b"kept",
                                     "walk/0001.png": b"added"}


def test_a_write_past_the_file_size_limit_is_one_line_and_leaves_nothing(tmp_path):
    """`ulimit -f`: Python ignores SIGXFSZ, so the write fails with EFBIG, which was a traceback (fifth hostile
    pass)."""
    import resource

    from utils.atomic_files import write_bytes
    from utils.errors import UserError
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, hard))
    try:
        with pytest.raises(UserError, match=r"larger than this process may write \(ulimit -f\)"):
            write_bytes(str(tmp_path / "frame.png"), bytes(100000))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert os.listdir(tmp_path) == []
