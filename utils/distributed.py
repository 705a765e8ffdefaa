"""Data-parallel training across processes started by mpirun.

Gradients are averaged over processes before every update: with NNabla's multi-process
communicator (NCCL) on CUDA, with MPI all-reduce (mpi4py) on CPU. Without mpirun there is one
process and nothing is exchanged.
"""
import os

import numpy as np

MPI_SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE")


def launched_by_mpirun():
    return any(int(os.environ.get(name, "1")) > 1 for name in MPI_SIZE_VARIABLES)


def local_rank():
    for name in ("OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "MV2_COMM_WORLD_LOCAL_RANK"):
        if name in os.environ:
            return int(os.environ[name])
    return 0


class SingleProcess:
    rank, size = 0, 1

    def average_gradients(self, params):
        pass

    def average(self, values):
        return np.asarray(values, np.float64)

    def barrier(self):
        pass

    def any(self, flags):
        return np.asarray(flags, bool)


class MPIProcesses:
    """CPU data parallelism: one flat buffer of all gradients, one MPI all-reduce per update."""

    def __init__(self):
        from mpi4py import MPI
        self.mpi = MPI
        self.comm = MPI.COMM_WORLD
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()

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

    def barrier(self):
        self.comm.Barrier()

    def any(self, flags):
        """Each flag true on some process (the stop request: every process stops at the same iteration)."""
        buffer = np.array(flags, np.int32)
        self.comm.Allreduce(self.mpi.IN_PLACE, buffer, op=self.mpi.MAX)
        return buffer > 0


class NCCLProcesses:
    """CUDA data parallelism with NNabla's own multi-process communicator (NCCL)."""

    def __init__(self, context):
        import nnabla.communicators as C
        self.comm = C.MultiProcessDataParalellCommunicator(context)
        self.comm.init()
        self.rank, self.size = self.comm.rank, self.comm.size

    def average_gradients(self, params):
        self.comm.all_reduce([variable.grad for variable in params.values()], division=True, inplace=False)

    def average(self, values):
        import nnabla as nn
        array = nn.NdArray.from_numpy_array(np.array(values, np.float32))
        self.comm.all_reduce([array], division=True, inplace=True)
        return array.data.astype(np.float64)

    def barrier(self):
        self.comm.barrier()

    def any(self, flags):
        return self.average(np.asarray(flags, np.float32)) > 0


def make_communicator(context_name, context):
    """The communicator for this process: NCCL on cudnn, MPI on cpu, none without mpirun."""
    if not launched_by_mpirun():
        return SingleProcess()
    if context_name == "cudnn":
        return NCCLProcesses(context)
    return MPIProcesses()
