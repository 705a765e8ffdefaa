"""What the host offers this process: free memory (RAM or GPU) and CPU cores, and the default budget."""
import os


def available_memory():
    """Bytes of RAM the system can give this process now (MemAvailable), or the physical RAM."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def available_cores(process_count=1):
    """CPU cores for this process: those it is bound to (mpirun binds each rank to its own by default),
    else its share of all the machine's cores among `process_count` processes."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores if cores < (os.cpu_count() or 1) else max(1, cores // process_count)


def gpu_free_memory():
    """Free bytes of the current CUDA device (cudaMemGetInfo of the CUDA runtime that nnabla-ext-cuda
    loads), or None when no CUDA runtime answers."""
    import ctypes
    import ctypes.util
    for name in (ctypes.util.find_library("cudart"), "libcudart.so", "libcudart.so.12", "libcudart.so.11.0"):
        try:
            runtime = ctypes.CDLL(name)
        except (OSError, TypeError):
            continue
        free, total = ctypes.c_size_t(), ctypes.c_size_t()
        if runtime.cudaMemGetInfo(ctypes.byref(free), ctypes.byref(total)) == 0:
            return free.value
    return None


DEFAULT_MEMORY_FRACTION = 0.5  # of the free RAM (or GPU memory): room for the rest of the system


def default_budget(context):
    free = gpu_free_memory() if context == "cudnn" else None
    return DEFAULT_MEMORY_FRACTION * (free if free else available_memory())
