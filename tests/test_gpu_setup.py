"""The GPU path without a GPU: the libraries nnabla-ext-cuda loads, start-up checks, devices per rank, exact
parameter agreement."""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from conftest import REPO_ROOT, user_error_line

import train
from utils import context, cuda_libraries, distributed
from utils.errors import UserError

LAUNCHER_VARIABLES = distributed.WORLD_SIZE_VARIABLES + distributed.LOCAL_RANK_VARIABLES + ("SLURM_PROCID",)


@pytest.fixture
def no_launcher(monkeypatch):
    for name in LAUNCHER_VARIABLES:
        monkeypatch.delenv(name, raising=False)


# --- item 1: the libraries of make setup-gpu are where NNabla looks


def test_the_linked_openmpi_home_dlopens_with_every_symbol_nnabla_looks_up(tmp_path):
    home = cuda_libraries.link_mpi_home(str(tmp_path / "openmpi"))
    script = (
        "import ctypes, os, sys\n"
        "from utils import cuda_libraries as c\n"
        "environ = {}\n"
        f"c.prepare(environ, folders=[], mpi_home={home!r})\n"
        "library = ctypes.CDLL(os.path.join(environ['OMPI_HOME'], 'lib', 'libmpi.so'))\n"
        "print(' '.join(name for name in c.MPI_SYMBOLS if not hasattr(library, name)) or 'all found')\n")
    completed = subprocess.run([sys.executable, "-c", script],
                               cwd=REPO_ROOT,
                               capture_output=True,
                               text=True,
                               check=False)
    assert completed.stdout.strip() == "all found", completed.stderr[-2000:]


def test_the_venvs_own_libmpi_so_is_no_library_nnabla_can_open():
    """Why the link exists: PyPI's Open MPI ships a linker script at <venv>/lib/libmpi.so."""
    with pytest.raises(OSError):
        import ctypes
        ctypes.CDLL(os.path.join(sys.prefix, "lib", "libmpi.so"))
    assert cuda_libraries.real_libmpi().startswith(os.path.join(sys.prefix, "lib", "libmpi.so."))


def test_nccl_home_is_the_wheels_folder_when_it_is_installed(tmp_path):
    library = tmp_path / "nvidia" / "nccl" / "lib" / "libnccl.so.2"
    library.parent.mkdir(parents=True)
    library.write_bytes(b"")
    environ = {}
    cuda_libraries.prepare(environ, folders=[str(tmp_path)], mpi_home=str(tmp_path / "none"))
    assert environ == {"NCCL_HOME": str(tmp_path / "nvidia" / "nccl")}
    assert os.path.isfile(os.path.join(environ["NCCL_HOME"], "lib", "libnccl.so.2"))  # what NNabla opens


def test_homes_the_user_set_are_kept(tmp_path):
    (tmp_path / "nvidia" / "nccl" / "lib").mkdir(parents=True)
    (tmp_path / "nvidia" / "nccl" / "lib" / "libnccl.so.2").write_bytes(b"")
    home = cuda_libraries.link_mpi_home(str(tmp_path / "openmpi"))
    environ = {"NCCL_HOME": "/opt/nccl", "OMPI_HOME": "/opt/openmpi"}
    cuda_libraries.prepare(environ, folders=[str(tmp_path)], mpi_home=home)
    assert environ == {"NCCL_HOME": "/opt/nccl", "OMPI_HOME": "/opt/openmpi"}


def test_without_the_nccl_wheel_no_nccl_home_is_invented(tmp_path):
    environ = {}
    cuda_libraries.prepare(environ, folders=[str(tmp_path)], mpi_home=str(tmp_path / "none"))
    assert "NCCL_HOME" not in environ and "OMPI_HOME" not in environ


# --- item 2: start-up checks, one line each


class FailingRegistry:
    """nnabla.communicators.MultiProcessDataParalellCommunicator when the extension registered none."""

    def __init__(self, context):
        raise RuntimeError(
            "value error in query\n.../communicator.cpp\nMultiProcessDataParalellCommunicatorCuda "
            "could not be found in []")


def test_a_communicator_that_cannot_be_made_names_the_missing_library(monkeypatch, tmp_path):
    import nnabla.communicators
    import nnabla.ext_utils
    monkeypatch.setattr(nnabla.communicators, "MultiProcessDataParalellCommunicator", FailingRegistry)
    monkeypatch.setattr(nnabla.ext_utils, "get_extension_context", lambda *args, **kwargs: None)
    monkeypatch.setenv("NCCL_HOME", str(tmp_path))  # no lib/libnccl.so there
    with pytest.raises(UserError) as error:
        distributed.NCCLProcesses()
    message = str(error.value)
    assert "libnccl ($NCCL_HOME/lib" in message and "make setup-gpu" in message and "NCCL_HOME" in message
    assert "\n" not in message


def test_a_communicator_smaller_than_the_launchers_world_stops(monkeypatch, no_launcher):
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")

    class Alone(distributed.SingleProcess):
        pass
    monkeypatch.setattr(distributed, "MPIProcesses", Alone)
    with pytest.raises(UserError, match="launcher started 2 processes but this one's communicator holds 1"):
        distributed.make_communicator("cpu")


def test_a_gpu_index_past_the_gpu_count_stops(monkeypatch):
    monkeypatch.setattr(context, "cuda_status", lambda: (2, None))
    with pytest.raises(UserError, match="GPU 2 asked for, but this process sees 2 GPU"):
        context.use_context("cudnn", device_id=2)


def test_a_device_id_under_mpirun_on_nccl_is_refused():
    with pytest.raises(UserError, match="CUDA_VISIBLE_DEVICES"):
        distributed.NCCLProcesses(device_id=1)


@pytest.fixture
def extension_that_does_not_load(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def failing_import(name, *args, **kwargs):
        if name.startswith("nnabla_ext.cuda"):
            raise ImportError("libcudnn.so.8: cannot open shared object file: No such file or directory")
        return real_import(name, *args, **kwargs)
    context.cuda_status.cache_clear()
    monkeypatch.setattr(context, "_extension_installed", lambda: True)
    monkeypatch.setattr(context, "prepare", lambda: None)
    monkeypatch.setattr(builtins, "__import__", failing_import)
    yield
    context.cuda_status.cache_clear()


def test_cudnn_with_an_extension_that_does_not_load_prints_its_import_error(extension_that_does_not_load):
    with pytest.raises(UserError) as error:
        context.use_context("cudnn")
    assert "does not load (libcudnn.so.8: cannot open shared object file" in str(error.value)
    assert "make setup-gpu" in str(error.value)


def test_auto_falling_back_to_cpu_says_why_in_one_line(extension_that_does_not_load, capsys):
    assert context.use_context("auto") == "cpu"
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: --context auto runs on the CPU")
    assert "libcudnn.so.8" in lines[0]


def test_a_wheel_library_that_does_not_load_is_reported_as_the_reason(monkeypatch):
    def failing_prepare():
        raise OSError("libcudnn_cnn_infer.so.8: undefined symbol: cublasLtMatmul")
    context.cuda_status.cache_clear()
    monkeypatch.setattr(context, "_extension_installed", lambda: True)
    monkeypatch.setattr(context, "prepare", failing_prepare)
    with pytest.raises(UserError, match="does not load \\(libcudnn_cnn_infer.so.8: undefined symbol"):
        context.use_context("cudnn")
    context.cuda_status.cache_clear()


def test_auto_without_the_extension_uses_the_cpu_silently(monkeypatch, capsys):
    context.cuda_status.cache_clear()
    monkeypatch.setattr(context, "_extension_installed", lambda: False)
    assert context.use_context("auto") == "cpu"
    context.cuda_status.cache_clear()
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("missing, what", [
    (["libnccl.so.2 (NCCL_HOME unset)"], "not found: libnccl.so.2 (NCCL_HOME unset)"),
    ([], "failed: NCCL error in ncclCommInitRank: unhandled system error")])
def test_a_communicator_that_cannot_start_says_what_is_missing_in_one_line(monkeypatch, missing, what):
    import nnabla.communicators
    import nnabla.ext_utils

    def nccl_fails(context):  # what NNabla raises when NCCL or its libraries cannot start
        raise RuntimeError(
            "Traceback (most recent call last):\nNCCL error in ncclCommInitRank: unhandled system error")
    monkeypatch.setattr(nnabla.communicators, "MultiProcessDataParalellCommunicator", nccl_fails)
    monkeypatch.setattr(nnabla.ext_utils, "get_extension_context", lambda name, device_id: name)
    monkeypatch.setattr(cuda_libraries, "missing_communicator_libraries", lambda: missing)
    with pytest.raises(UserError) as error:
        distributed.NCCLProcesses()
    assert str(error.value) == f"NNabla's NCCL communicator {what}; {cuda_libraries.SETUP_ADVICE}"


# --- item 3: world size and local rank from every launcher


@pytest.mark.parametrize("variables, size, rank", [
    ({"OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_LOCAL_RANK": "3"}, 4, 3),
    ({"PMI_SIZE": "2", "MPI_LOCALRANKID": "1"}, 2, 1),
    ({"MV2_COMM_WORLD_SIZE": "8", "MV2_COMM_WORLD_LOCAL_RANK": "5"}, 8, 5),
    ({"SLURM_NTASKS": "4", "SLURM_PROCID": "2", "SLURM_LOCALID": "0"}, 4, 0),
    ({"SLURM_NTASKS": "8", "SLURM_STEP_NUM_TASKS": "2", "SLURM_LOCALID": "1"}, 2, 1),
    ({"OMPI_COMM_WORLD_SIZE": "1", "OMPI_COMM_WORLD_LOCAL_RANK": "0"}, 1, 0),  # mpirun -n 1
    ({"SLURM_NTASKS": "4"}, None, 0),  # a batch script's own process, no srun task
    ({}, None, 0),
])
def test_world_size_and_local_rank_from_the_launcher(monkeypatch, no_launcher, variables, size, rank):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert distributed.launched_by_mpirun() == (size is not None)
    assert distributed.world_size() == (size or 1)
    assert distributed.local_rank() == rank


def test_one_process_trains_on_the_configured_gpu(monkeypatch, capsys, no_launcher, tmp_path):
    monkeypatch.setattr(train, "context_name", lambda requested: "cudnn")  # as on a machine with GPUs
    chosen = []

    def use_context(context, device_id=0):
        chosen.append((context, device_id))
        raise UserError("stopped once the context is chosen")
    monkeypatch.setattr(train, "use_context", use_context)
    argv = [
        "--output_dir",
        str(tmp_path / "out"), "--context", "cudnn", "--set", "nnabla_context.device_id=3"
    ]
    assert user_error_line(train.main, argv, capsys) == "error: stopped once the context is chosen"
    assert chosen == [("cudnn", 3)]


# --- item 4: parameters_agree exact in float32


class Float32Ranks:
    """`size` ranks in threads, exchanging values as NCCL does: averages computed in float32, a
    broadcast copying rank 0's bits."""

    def __init__(self, size):
        self.size, self.barrier, self.posted = size, threading.Barrier(size), {}

    def rank(self, rank):
        ranks = self

        class Rank:
            def average(self, values):
                ranks.posted[rank] = np.array(values, np.float32)
                ranks.barrier.wait()
                total = np.zeros_like(ranks.posted[0])
                for other in range(ranks.size):
                    total += ranks.posted[other]
                ranks.barrier.wait()
                return (total / np.float32(ranks.size)).astype(np.float64)

            def broadcast(self, values):
                if rank == 0:
                    ranks.posted["root"] = np.array(values, np.float64)
                ranks.barrier.wait()
                received = ranks.posted["root"].copy()
                ranks.barrier.wait()
                return received
        return Rank()

    def run(self, function, per_rank_args):
        results = [None] * self.size

        def work(rank):
            results[rank] = function(self.rank(rank), *per_rank_args[rank])
        threads = [threading.Thread(target=work, args=(rank,)) for rank in range(self.size)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results


class Parameter:
    def __init__(self, array):
        self.d = array


def model_like_parameters(seed):
    generator = np.random.default_rng(seed)
    return {f"p{index}": Parameter((generator.standard_normal(size) * 0.05 + 0.01).astype(np.float32))
            for index, size in enumerate([27, 64, 36864, 64, 1728, 3] * 10)}


@pytest.mark.parametrize("size", [2, 4])
def test_identical_ranks_agree_where_float32_averages_of_checksums_do_not(size):
    params = model_like_parameters(0)
    checksums = np.array([np.sum(param.d, dtype=np.float64) for param in params.values()])
    ranks = Float32Ranks(size)
    means = ranks.run(lambda comm, values: comm.average(values), [(checksums,)] * size)[0]
    squares = ranks.run(lambda comm, values: comm.average(values), [(checksums ** 2,)] * size)[0]
    assert np.any(squares - means ** 2 > 1e-12 * (1 + squares))  # the old test's false "DIFFERENT"
    assert ranks.run(train.parameters_agree, [(params,)] * size) == [True] * size


@pytest.mark.parametrize("differing_rank", [0, 1, 3])
def test_a_one_ulp_difference_on_any_rank_is_found_by_every_rank(differing_rank):
    per_rank = [model_like_parameters(0) for _ in range(4)]
    changed = per_rank[differing_rank]["p7"].d
    changed[5] = np.nextafter(changed[5], np.float32(1))
    assert Float32Ranks(4).run(train.parameters_agree, [(params,) for params in per_rank]) == [False] * 4


# --- item 7: nnabla_context.type_config is gone, and a config that still sets it is told why


@pytest.mark.parametrize("as_file", [False, True])
def test_type_config_is_refused_with_the_reason(as_file, capsys, tmp_path):
    if as_file:
        (tmp_path / "old.yaml").write_text("nnabla_context:\n  type_config: half\n")
        flags = ["--cfg", str(tmp_path / "old.yaml")]
    else:
        flags = ["--set", "nnabla_context.type_config=float"]
    with pytest.raises(SystemExit) as exit_info:
        train.main(["--output_dir", str(tmp_path / "out")] + flags)
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "nnabla_context.type_config" in lines[0] and "removed" in lines[0]
    assert "float32" in lines[0] and "delete the line" in lines[0]


def test_the_default_config_has_no_type_config():
    assert not hasattr(train.parse_args([]).nnabla_context, "type_config")


# --- item 8: the device check stops with one line where there is no GPU


GPU_CHECK = os.path.join(REPO_ROOT, "benchmarks", "gpu_check.sh")


def test_the_device_check_without_a_gpu_stops_with_one_line(tmp_path):
    fake = tmp_path / "nvidia-smi"  # as on a machine with the tools but no usable GPU
    fake.write_text("#!/bin/sh\necho 'NVIDIA-SMI has failed' >&2\nexit 9\n")
    fake.chmod(0o755)
    environment = dict(os.environ,
                       PATH=f"{tmp_path}:{os.environ['PATH']}",
                       GPU_CHECK_DIR=str(tmp_path / "work"))
    completed = subprocess.run(["bash", GPU_CHECK],
                               capture_output=True,
                               text=True,
                               env=environment,
                               check=False)
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [
        "error: no GPU: nvidia-smi lists no NVIDIA GPU; run this on a machine with one (--dry-run lists the "
        "steps)"
    ]
    assert not (tmp_path / "work").exists()


def test_the_device_check_lists_its_steps_without_a_gpu():
    completed = subprocess.run(["bash", GPU_CHECK, "--dry-run"], capture_output=True, text=True, check=False)
    assert completed.returncode == 0
    for step in ("make setup-gpu", "TECOGAN_TEST_CONTEXT=cudnn", "--tecogan", "mpirun -n 1",
                 "benchmarks.bench_generate --engines nnabla",
                 "benchmarks.bench_precision --precisions fp16 --context cudnn",
                 "benchmarks.bench_train --context cudnn"):
        assert step in completed.stdout, step
