"""The set-up script finds Python 3.10 by itself and says what to install when there is none."""
import os
import shutil
import subprocess

import pytest

from conftest import REPO_ROOT

SCRIPT = os.path.join(REPO_ROOT, "utils", "make_venv.sh")


@pytest.mark.skipif(any(os.path.exists(path) for path in ("/usr/bin/python3.10", "/usr/local/bin/python3.10")),
                    reason="this machine has a system-wide Python 3.10, so 'none found' cannot be staged")
def test_without_python_3_10_one_line_says_what_to_install(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "env", "command"):
        if shutil.which(tool):
            os.symlink(shutil.which(tool), bin_dir / tool)
    completed = subprocess.run(["bash", SCRIPT, str(tmp_path / "venv"), "requirements.txt"], cwd=REPO_ROOT,
                               env={"PATH": str(bin_dir), "HOME": str(tmp_path)}, capture_output=True, text=True)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "Python 3.10 not found" in lines[0] and "pyenv install 3.10" in lines[0]
    assert not (tmp_path / "venv").exists()


def test_project_environment_runs_python_3_10():
    version = subprocess.run([os.path.join(REPO_ROOT, ".venv", "bin", "python"), "-c",
                              "import sys; print(sys.version_info[:2])"], capture_output=True, text=True).stdout
    assert version.strip() == "(3, 10)"
