import os
import shutil
import signal
import subprocess
import tempfile

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO_ROOT), "shared")
REFERENCE = os.path.join(SHARED, "reference")


def reference_path(*parts):
    return os.path.join(REFERENCE, *parts)


def shared_path(*parts):
    return os.path.join(SHARED, *parts)


def top_level_make_environment():
    """This environment without make's variables: a make run by a test under `make test` is then a top-level make,
    as a user's is (a sub-make's lines say make[1])."""
    return {name: value for name, value in os.environ.items() if name not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}


# The NNabla context of the tests' graphs (parity tests included): cpu by default; benchmarks/gpu_check.sh
# sets cudnn. It is set again before every test: a test that runs train.py or generate.py with --context
# changes NNabla's default context for the tests after it.
TEST_CONTEXT = os.environ.get("TECOGAN_TEST_CONTEXT", "cpu")
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2, signal.SIGHUP, signal.SIGCONT)
_contexts = []


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: end-to-end tests that take minutes (still run in CI)")
    # exported ONNX models of the tests go to a throw-away cache, not the user's ~/.cache
    config._tecogan_cache = os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="tecogan-test-cache-")
    # each mpirun's temporary folder (helpers.mpi_environment) goes in this one
    config._tecogan_mpi_tmp = os.environ["TECOGAN_TEST_MPI_TMP"] = tempfile.mkdtemp(prefix="tecogan-test-mpirun-")
    import nnabla as nn

    from utils.context import use_context
    from utils.errors import UserError
    try:
        use_context(TEST_CONTEXT)
    except UserError as error:
        raise pytest.UsageError(f"TECOGAN_TEST_CONTEXT={TEST_CONTEXT}: {error}")
    _contexts.append(nn.get_current_context())


def pytest_unconfigure(config):
    for folder in (getattr(config, "_tecogan_cache", ""), getattr(config, "_tecogan_mpi_tmp", "")):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _test_context():
    import nnabla as nn
    nn.set_default_context(_contexts[0])


@pytest.fixture(autouse=True)
def _signal_handlers_as_before():
    """A test that stops a command in this process leaves its stop signals ignored (utils.errors), and every
    process started later would inherit SIGHUP ignored, as under nohup: they come back after each test."""
    saved = {number: signal.getsignal(number) for number in HANDLED_SIGNALS}
    yield
    for number, handler in saved.items():
        if handler is not None:  # None: a handler not set from Python
            signal.signal(number, handler)


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)


@pytest.fixture(scope="module")
def lpips_weights(tmp_path_factory):
    """The fixture's random-trunk LPIPS weights as an .h5 file (evaluate.py's and validation's tests)."""
    from utils.lpips import save_lpips_weights, weights_from_torch
    from utils.torch_pickle import read_state_dict
    path = str(tmp_path_factory.mktemp("weights") / "alex_with_LPIPS.h5")
    save_lpips_weights(
        path,
        weights_from_torch(read_state_dict(reference_path("lpips", "alexnet_random.pth")),
                           read_state_dict(reference_path("lpips", "lpips_v0.1_alex.pth"))))
    return path


# Output paths of an .h5 that a command must refuse in one line before any work: (what to create first,
# the path under tmp_path, the start of the message; {flag} is the command's flag, {tmp} tmp_path).
UNUSABLE_H5_OUTPUTS = [
    (None, "out.txt", "{flag} '{tmp}/out.txt' must end in .h5"),
    ("folder", "out.h5", "{flag} '{tmp}/out.h5' is a folder"),
    ("file", "file/out.h5", "{flag} '{tmp}/file/out.h5' is under '{tmp}/file', which is a file"),
    (None, "missing/out.h5", "the folder of {flag} '{tmp}/missing/out.h5' does not exist"),
]
UNUSABLE_H5_OUTPUT_IDS = ["other extension", "a folder", "under a file", "no such folder"]


def make_unusable_output(tmp_path, make, output):
    """Create what makes output (relative to tmp_path) unusable: a folder of its name, or a file above it."""
    if make == "folder":
        (tmp_path / output).mkdir()
    elif make == "file":
        (tmp_path / "file").write_text("x")


def user_error_line(main, argv, capsys):
    """The one error line an entry script's main(argv) prints for a user error, after checking that it exits
    with code 2 (a UserError is caught in main itself, not only when the script runs as __main__)."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    return line


@pytest.fixture(scope="session")
def x2_weights(tmp_path_factory):
    """An x2 model as an .h5 file, made of parity_generate_strong's x4 weights (2 residual blocks, every
    weight x4, so that the flow net and the recurrent path change the outputs): the input convolution keeps
    the first 3 + 12 of its input channels and the tail its first transposed convolution."""
    import h5py

    path = str(tmp_path_factory.mktemp("x2") / "x2_model.h5")
    weight = "generator/generator_unit/input_stage/conv/conv/W"
    with h5py.File(reference_path("parity_generate_strong", "weights.h5"),
                   "r") as source, h5py.File(path, "w") as x2:
        for name in source:
            source.copy(name, x2)
        x4_input = x2[weight][()]
        del x2[weight], x2["generator/generator_unit/conv_tran2highres/conv_tran2"]
        x2[weight] = x4_input[..., :3 + 3 * 2 * 2]
    return path


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a 300 KB tmpfs (mounted when this runs as root), else on an ordinary disk whose writes
    through utils.image_io report ENOSPC (patched), as a full disk does."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs",
         str(folder)], capture_output=True).returncode == 0
    yield folder, mounted
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)
