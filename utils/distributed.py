"""Data-parallel training across processes started by mpirun (Open MPI, MPICH, MVAPICH) or Slurm's srun.

Gradients are averaged over processes before every update: with NNabla's multi-process communicator
(NCCL) on CUDA, on the GPU; with MPI all-reduce (mpi4py) on CPU. Without a launcher there is one
process and nothing is exchanged.
"""
import os
import sys
import traceback
from contextlib import contextmanager

import numpy as np

from utils.errors import UserError, shortened, wait_to_exit

# The launchers' variables for the number of processes and the rank within the node, in the order
# they are trusted: mpirun's own first (Slurm's are also set around an mpirun inside an allocation).
WORLD_SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE", "SLURM_STEP_NUM_TASKS",
                        "SLURM_NTASKS")
LOCAL_SIZE_VARIABLES = ("OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "MV2_COMM_WORLD_LOCAL_SIZE")
WORLD_RANK_VARIABLES = ("OMPI_COMM_WORLD_RANK", "PMI_RANK", "MV2_COMM_WORLD_RANK", "SLURM_PROCID")
LOCAL_RANK_VARIABLES = ("OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "MV2_COMM_WORLD_LOCAL_RANK",
                        "SLURM_LOCALID")
ABORT_AFTER = 0.5  # seconds: mpirun's time to forward a failing process's last lines before its abort


def _launched_by_slurm():
    return "SLURM_LOCALID" in os.environ  # set for every task srun starts, not in the batch script itself


def _launcher_variables():
    """The world-size variables this process's launcher set, most trusted first."""
    return [name for name in WORLD_SIZE_VARIABLES
            if name in os.environ and (not name.startswith("SLURM_") or _launched_by_slurm())]


def world_size():
    """Processes the launcher started (1 without one)."""
    variables = _launcher_variables()
    return launcher_number(variables[0], 1) if variables else 1


def launched_by_mpirun():
    """True under a launcher, also for one process: `mpirun -n 1` trains through the communicator."""
    return bool(_launcher_variables())


def launcher_number(name, least):
    """The whole number a launcher's variable name holds, of at least least; a UserError for another value (set by
    hand, as `abc` or empty: int's ValueError was a traceback; 0 processes on this machine was said as a
    process_count of 0; one of thousands of digits is shown cut short)."""
    value = os.environ[name]
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < least:
        raise UserError(f"environment variable {name} is '{shortened(value)}', not a whole number of at least {least}: "
                        "a launcher (mpirun, srun) sets it for each process it starts; unset it to run without one")
    return number


def local_size():
    """Processes the launcher started on this process's node (all of them when it does not say)."""
    for name in LOCAL_SIZE_VARIABLES:
        if name in os.environ:
            return launcher_number(name, 1)
    return world_size()


def world_rank():
    """This process's rank among all the launcher started (0 without one)."""
    for name in WORLD_RANK_VARIABLES:
        if name in os.environ and (not name.startswith("SLURM_") or _launched_by_slurm()):
            return launcher_number(name, 0)
    return 0


def seconds_since_start():
    """Wall-clock seconds since this process started, from Linux's /proc (0 where it cannot be read)."""
    try:
        with open("/proc/self/stat") as file:
            started_ticks = int(file.read().rsplit(")", 1)[1].split()[19])  # field 22, starttime
        with open("/proc/uptime") as file:
            uptime = float(file.read().split()[0])
        return max(0.0, uptime - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


# seconds: ranks but 0 print a user error this late (utils.errors), plus as long as their own start took (the
# imports, until main): on a loaded machine rank 0 may be that far behind
OTHER_RANKS_REPORT_AFTER = 3.0


def user_error_report_after(rank):
    """exit_on_user_error's report_after for this process of mpirun: rank 0 prints a user error's line at once, and
    its abort ends the job; another rank waits first, so that the line is printed once where rank 0 meets the error
    too, and still printed where this rank meets it alone (or first: the frames it reads ahead of rank 0)."""
    return 0 if rank == 0 else OTHER_RANKS_REPORT_AFTER + seconds_since_start()


def local_rank():
    """This process's rank among the processes of its node, as the launcher numbers them."""
    for name in LOCAL_RANK_VARIABLES:
        if name in os.environ:
            return launcher_number(name, 0)
    return 0


class SingleProcess:
    rank, size = 0, 1

    def __init__(self, device_id=0):
        self.device_id = device_id

    def average_gradients(self, params):
        pass

    def average(self, values):
        return np.asarray(values, np.float64)

    def broadcast(self, values):
        """Rank 0's float64 values, bit for bit."""
        return np.array(values, np.float64)

    def any(self, flags):
        return np.asarray(flags, bool)


class MPIProcesses:
    """CPU data parallelism: one flat buffer of all gradients, one MPI all-reduce per update."""

    def __init__(self, device_id=0):
        from mpi4py import MPI
        self.mpi = MPI
        self.comm = MPI.COMM_WORLD
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.device_id = device_id

    def average_gradients(self, params):
        variables = list(params.values())
        flat = np.concatenate([variable.g.ravel() for variable in variables]).astype(np.float32)
        self.comm.Allreduce(self.mpi.IN_PLACE, flat, op=self.mpi.SUM)
        flat /= self.size
        offset = 0
        for variable in variables:
            variable.g = flat[offset:offset + variable.size].reshape(variable.shape)
            offset += variable.size

    def average(self, values):
        buffer = np.array(values, np.float64)
        self.comm.Allreduce(self.mpi.IN_PLACE, buffer, op=self.mpi.SUM)
        return buffer / self.size

    def broadcast(self, values):
        buffer = np.array(values, np.float64)
        self.comm.Bcast(buffer, root=0)
        return buffer

    def any(self, flags):
        """Each flag true on some process (the stop request: every process stops at the same iteration)."""
        buffer = np.array(flags, np.int32)
        self.comm.Allreduce(self.mpi.IN_PLACE, buffer, op=self.mpi.MAX)
        return buffer > 0

    def abort(self, exit_code):
        """End every process of the job now, with this exit code (MPI_Abort). mpirun forwards what a process
        printed a moment later, and an abort can end the job first: the error's line was lost on a loaded
        machine, so the abort waits that moment."""
        sys.stdout.flush()
        sys.stderr.flush()
        # another process meeting the same error a moment sooner ends this one by its abort while this waits
        wait_to_exit(ABORT_AFTER)
        self.comm.Abort(exit_code)


@contextmanager
def end_the_job_on_failure(processes):
    """Under mpirun, a process that fails (an error, a user error of its own, a stop signal to it alone) ends
    every process at once, with its exit code: the others would wait for it in their next exchange. An
    unexpected error's traceback is printed first. An exit all processes agreed on (train.py's stop request)
    belongs after the block."""
    try:
        yield
    except SystemExit as exit_info:
        if processes.size > 1 and exit_info.code not in (0, None):
            processes.abort(exit_info.code)
        raise
    except BaseException:
        if processes.size > 1:
            traceback.print_exc()
            processes.abort(1)
        raise


class NCCLProcesses:
    """CUDA data parallelism with NNabla's own multi-process communicator (NCCL).

    Each process computes on the GPU the communicator works on: the one of its local rank (NNabla's
    communicator numbers the processes of a node itself). The gradients stay on the GPU and are
    all-reduced after each backward pass: NNabla's all_reduce_callback, which would overlap the two,
    does not support shared parameters, and the recurrent generator, the flow net and the
    discriminator (real and generated triplets) all share theirs.
    """

    def __init__(self, device_id=0):
        import nnabla.communicators as C
        from nnabla.ext_utils import get_extension_context

        from utils.cuda_libraries import SETUP_ADVICE, missing_communicator_libraries
        if device_id != 0:
            raise UserError(
                f"nnabla_context.device_id {device_id} applies to one process; under mpirun each process "
                "uses the GPU of its local rank: choose the GPUs with CUDA_VISIBLE_DEVICES instead")
        try:
            self.comm = C.MultiProcessDataParalellCommunicator(
                get_extension_context("cudnn", device_id=str(local_rank())))
            self.comm.init()
        except RuntimeError as error:
            missing = missing_communicator_libraries()
            found = (f"not found: {'; '.join(missing)}" if missing
                     else f"failed: {str(error).strip().splitlines()[-1]}")
            raise UserError(f"NNabla's NCCL communicator {found}; {SETUP_ADVICE}")
        self.rank, self.size, self.device_id = self.comm.rank, self.comm.size, self.comm.local_rank

    def average_gradients(self, params):
        self.comm.all_reduce([variable.grad for variable in params.values()], division=True, inplace=False)

    @staticmethod
    def _through(collective, array):
        import nnabla as nn
        buffer = nn.NdArray.from_numpy_array(array)
        collective([buffer])
        return buffer.data

    def average(self, values):
        def all_reduce(arrays):
            self.comm.all_reduce(arrays, division=True, inplace=True)
        return self._through(all_reduce, np.array(values, np.float32)).astype(np.float64)

    def broadcast(self, values):
        """Rank 0's float64 values, bit for bit: they travel as pairs of float32 words (a broadcast
        copies, it does no arithmetic)."""
        def from_rank_0(arrays):
            self.comm.bcast(arrays, 0, inplace=True)
        words = np.ascontiguousarray(np.array(values, np.float64)).view(np.float32)
        return np.ascontiguousarray(self._through(from_rank_0, words)).view(np.float64)

    def any(self, flags):
        return self.average(np.asarray(flags, np.float32)) > 0

    def abort(self, exit_code):
        """End this process now, without MPI's exit, which would wait for the others: the launcher ends the job
        when a process exits with an error (NNabla's communicator has no abort)."""
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exit_code)


def make_communicator(context_name, device_id=0):
    """The communicator for this process: NCCL on cudnn, MPI on cpu, none without a launcher.

    Its device_id is the GPU this process computes on. Every process must see all the others: a
    communicator smaller than the launcher's world (each rank alone, as when mpirun and the MPI
    library do not belong together) would train the ranks apart."""
    if not launched_by_mpirun():
        return SingleProcess(device_id)
    comm = NCCLProcesses(device_id) if context_name == "cudnn" else MPIProcesses(device_id)
    if comm.size != world_size():
        raise UserError(
            f"the launcher started {world_size()} processes but this one's communicator holds "
            f"{comm.size}: the MPI library ({'NCCL' if context_name == 'cudnn' else 'mpi4py'}) is "
            "not the launcher's; use the venv's mpirun (.venv/bin/mpirun), or one MPI for both")
    return comm
