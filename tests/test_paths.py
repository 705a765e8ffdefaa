"""Each path check names what is wrong with a path, before any work."""
import os

import pytest

from utils.errors import UserError
from utils.paths import input_file, input_folder, output_file, output_folder


def test_input_file_tells_a_folder_from_a_missing_file(tmp_path):
    with pytest.raises(UserError, match="is a folder, not a file"):
        input_file(str(tmp_path), "weights file")
    with pytest.raises(UserError, match="does not exist; pass a model"):
        input_file(str(tmp_path / "none.h5"), "weights file", "pass a model")
    (tmp_path / "a.h5").write_bytes(b"x")
    assert input_file(str(tmp_path / "a.h5"), "weights file") == str(tmp_path / "a.h5")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_input_file_reports_an_unreadable_file(tmp_path):
    path = tmp_path / "a.h5"
    path.write_bytes(b"x")
    path.chmod(0)
    with pytest.raises(UserError, match="permission denied"):
        input_file(str(path), "weights file")


def test_input_folder_tells_a_file_from_a_missing_folder(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(UserError, match="is a file, not a folder"):
        input_folder(str(tmp_path / "f"), "input folder")
    with pytest.raises(UserError, match="does not exist"):
        input_folder(str(tmp_path / "none"), "input folder")
    assert input_folder(str(tmp_path), "input folder") == str(tmp_path)


def test_output_file_refuses_folders_wrong_endings_and_paths_under_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    for path, message in [(str(tmp_path), "is a folder"), (str(tmp_path / "a.txt"), "must end in .h5"),
                          (str(tmp_path / "f" / "a.h5"), "which is a file"),
                          (str(tmp_path / "f" / "deeper" / "a.h5"), "which is a file"),
                          (str(tmp_path / "none" / "a.h5"), "does not exist; create it")]:
        with pytest.raises(UserError, match=message):
            output_file(path, "--save-path", (".h5",))
    assert output_file(str(tmp_path / "A.H5"), "--save-path", (".h5",)) == str(tmp_path / "A.H5")
    assert not os.path.exists(tmp_path / "A.H5")


def test_output_folder_refuses_a_file_or_a_path_under_a_file_and_creates_nothing(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(UserError, match="is a file, not a folder"):
        output_folder(str(tmp_path / "f"), "--output-dir")
    with pytest.raises(UserError, match="which is a file"):
        output_folder(str(tmp_path / "f" / "sub"), "--output-dir")
    assert output_folder(str(tmp_path / "new" / "deeper"), "--output-dir") == str(tmp_path / "new" / "deeper")
    assert not os.path.exists(tmp_path / "new")


@pytest.mark.parametrize("under", [False, True], ids=["the folder", "a folder above it"])
def test_output_folder_refuses_a_link_to_nothing_and_creates_nothing(tmp_path, under):
    """Fourth hostile pass: train.py's --output_dir on a link to an unmounted disk was a FileExistsError."""
    link = tmp_path / "outputs"
    link.symlink_to(tmp_path / "scratch" / "outputs")
    with pytest.raises(UserError, match=f"'{link}' is a symbolic link to '{tmp_path}/scratch/outputs', which does "
                                        "not exist"):
        output_folder(str(link / "frvsr" if under else link), "output folder")
    assert sorted(os.listdir(tmp_path)) == ["outputs"]
