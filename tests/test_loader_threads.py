"""train.loader_workers null: loader threads from the cores each process may use."""
import pytest

import data_loader


@pytest.mark.parametrize("allowed, machine, local_processes, threads", [
    (range(16), 16, "1", 16),  # one process: every core
    (range(16), 16, "4", 4),  # four processes free to use every core share them
    (range(4), 16, "4", 4),  # a launcher that binds each process to 4 cores leaves them to it
    (range(2), 2, "4", 1),  # more processes than cores: one thread each
])
def test_default_loader_threads_share_the_cores_a_process_may_use(allowed, machine, local_processes, threads,
                                                                   monkeypatch):
    monkeypatch.setattr(data_loader.os, "sched_getaffinity", lambda pid: set(allowed))
    monkeypatch.setattr(data_loader.os, "cpu_count", lambda: machine)
    monkeypatch.setenv("OMPI_COMM_WORLD_LOCAL_SIZE", local_processes)
    assert data_loader.default_loader_threads() == threads
