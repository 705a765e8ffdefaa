import os
import sys
import tempfile

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO_ROOT), "shared")
REFERENCE = os.path.join(SHARED, "reference")
sys.path.insert(0, REPO_ROOT)


def reference_path(*parts):
    return os.path.join(REFERENCE, *parts)


def shared_path(*parts):
    return os.path.join(SHARED, *parts)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: end-to-end tests that take minutes (still run in CI)")
    # exported ONNX models of the tests go to a throw-away cache, not the user's ~/.cache
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="tecogan-test-cache-")


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
