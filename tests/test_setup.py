"""The set-up script finds Python 3.10 by itself and says what to install when there is none."""
import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO_ROOT, top_level_make_environment
from packaging.requirements import Requirement

SCRIPT = os.path.join(REPO_ROOT, "utils", "make_venv.sh")


@pytest.mark.skipif(any(
    os.path.exists(path) for path in ("/usr/bin/python3.10", "/usr/local/bin/python3.10")),
                    reason="this machine has a system-wide Python 3.10, so 'none found' cannot be staged")
def test_without_python_3_10_one_line_says_what_to_install(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "env", "command"):
        if shutil.which(tool):
            os.symlink(shutil.which(tool), bin_dir / tool)
    completed = subprocess.run(["bash", SCRIPT, str(tmp_path / "venv"), "requirements.txt"],
                               cwd=REPO_ROOT,
                               env={
                                   "PATH": str(bin_dir),
                                   "HOME": str(tmp_path)
                               },
                               capture_output=True,
                               text=True)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "Python 3.10 not found" in lines[0] and "pyenv install 3.10" in lines[0]
    assert not (tmp_path / "venv").exists()


def venv_whose_python_is(tmp_path, python):
    """A .venv in tmp_path whose bin/python is a link to PYTHON (which may not exist), with venv's pyvenv.cfg: a
    folder of bin/python without one is a Python installation, not a venv (the fourteenth hostile pass)."""
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    os.symlink(python, bin_dir / "python")
    (tmp_path / ".venv" / "pyvenv.cfg").write_text(f"home = {os.path.dirname(python)}\n")
    return tmp_path / ".venv"


def assert_refused_and_kept(completed, venv, said):
    assert completed.returncode == 2, completed.stderr
    lines = [line for line in completed.stderr.strip().splitlines() if not line.startswith("make: ***")]
    assert len(lines) == 1 and said in lines[0] and "make clean-venv" in lines[0], completed.stderr
    assert "pip" not in completed.stdout + completed.stderr
    assert os.path.islink(venv / "bin" / "python")


def test_a_venv_whose_python_was_removed_is_named_not_given_to_pip(tmp_path):
    # a pyenv upgrade removes the Python a .venv links to: pip could not even start
    venv = venv_whose_python_is(tmp_path, str(tmp_path / "removed" / "python3.10"))
    completed = subprocess.run(["bash", SCRIPT, str(venv), "requirements.txt"], cwd=REPO_ROOT,
                               capture_output=True, text=True)
    assert_refused_and_kept(completed, venv, "no working Python")


OTHER_PYTHONS = [path for path in map(shutil.which, ("python3", "python3.11", "python3.12", "python3.9"))
                 if path and subprocess.run([path, "-c", "import sys; assert sys.version_info[:2] != (3, 10)"],
                                            capture_output=True).returncode == 0]


@pytest.mark.skipif(not OTHER_PYTHONS, reason="this machine has no Python other than 3.10 to make a .venv of")
def test_a_venv_of_another_python_is_named_not_given_to_pip(tmp_path):
    # `python3 -m venv .venv` before `make`: pip would say only "No matching distribution found for nnabla"
    venv = venv_whose_python_is(tmp_path, OTHER_PYTHONS[0])
    completed = subprocess.run(["bash", SCRIPT, str(venv), "requirements.txt"], cwd=REPO_ROOT,
                               capture_output=True, text=True)
    version = subprocess.run([OTHER_PYTHONS[0], "-c", "import sys; print('Python %d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True).stdout.strip()
    assert_refused_and_kept(completed, venv, f"holds {version}, not the Python 3.10")


def test_make_sets_up_again_a_venv_whose_python_was_removed_after_its_set_up(tmp_path):
    # the set-up's stamp is newer than every requirements file, so only the Python's state can say
    for name in ("Makefile", "requirements.txt", "requirements-nodeps.txt", "requirements-test.txt",
                 "requirements-tensorflow.txt"):
        shutil.copy(os.path.join(REPO_ROOT, name), tmp_path / name)
    shutil.copytree(os.path.join(REPO_ROOT, "utils"), tmp_path / "utils")
    venv = venv_whose_python_is(tmp_path, str(tmp_path / "removed" / "python3.10"))
    (venv / ".installed").touch()
    completed = subprocess.run(["make", "setup"], cwd=tmp_path, capture_output=True, text=True,
                               env=top_level_make_environment())
    assert_refused_and_kept(completed, venv, "no working Python")


def test_project_environment_runs_python_3_10():
    version = subprocess.run(
        [os.path.join(REPO_ROOT, ".venv", "bin", "python"), "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True).stdout
    assert version.strip() == "(3, 10)"


# --- each set-up installs what its command needs: the demo no test-only package, the tests all of them
TEST_ONLY = {"tensorflow-cpu", "pytest", "scikit-image", "onnxruntime", "playwright"}


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def listed_packages(requirements_file):
    """Names of the packages a requirements file installs, following its -r includes (not its -c
    constraints)."""
    names = set()
    with open(os.path.join(REPO_ROOT, requirements_file)) as lines:
        for line in lines:
            line = line.split("#")[0].strip()
            if line.startswith("-r"):
                names |= listed_packages(line[2:].strip())
            elif line and not line.startswith("-"):
                names.add(normalized(Requirement(line).name))
    return names


def installed_by(target):
    """The packages that `make TARGET` installs on a fresh clone: every requirements file its commands
    name."""
    commands = subprocess.run(["make", "-n", "-B", target], cwd=REPO_ROOT, capture_output=True, text=True,
                              check=True).stdout
    files = set(re.findall(r"requirements[\w-]*\.txt", commands))
    if "make_venv.sh" in commands:
        files.add("requirements-nodeps.txt")
    return set().union(*(listed_packages(name) for name in files))


def test_make_demo_installs_no_test_only_package():
    demo = installed_by("demo")
    assert "nnabla" in demo and "openvino" in demo
    assert not demo & TEST_ONLY


def test_make_test_installs_what_make_demo_does_and_the_test_only_packages():
    assert installed_by("test") >= installed_by("demo") | TEST_ONLY


def with_dependencies(names):
    """names and, recursively, what the installed distributions of them require (extras left out)."""
    closure, pending = set(), list(names)
    while pending:
        name = pending.pop()
        if name in closure:
            continue
        closure.add(name)
        for line in importlib.metadata.distribution(name).requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(normalized(requirement.name))
    return closure


def product_imports():
    """{top-level module: first file importing it} of every import in the product's code (not tests/,
    benchmarks/)."""
    modules = {}
    for folder, subfolders, files in os.walk(REPO_ROOT):
        subfolders[:] = [name for name in subfolders
                         if name not in ("tests", "benchmarks") and not name.startswith(".")]
        for name in (name for name in files if name.endswith(".py")):
            path = os.path.join(folder, name)
            with open(path) as source:
                tree = ast.parse(source.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    imported = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    imported = [node.module]
                else:
                    continue
                for module in imported:
                    modules.setdefault(module.split(".")[0], os.path.relpath(path, REPO_ROOT))
    return modules


def own_modules():
    """The top-level modules and packages of this repository."""
    return {name[:-3] if name.endswith(".py") else name for name in os.listdir(REPO_ROOT)
            if name.endswith(".py") or os.path.isdir(os.path.join(REPO_ROOT, name))}


def providers(module):
    """Normalized names of the installed distributions that provide a top-level module: from their file
    lists, else the one named as the module (some wheels list no top-level names); empty if none."""
    names = importlib.metadata.packages_distributions().get(module, [])
    if not names:
        try:
            names = [importlib.metadata.distribution(module).metadata["Name"]]
        except importlib.metadata.PackageNotFoundError:
            names = []
    return {normalized(name) for name in names}


def test_make_demo_installs_every_package_the_product_imports():
    # the optional extras, documented in docs/gpu.md and docs/data.md: the CUDA extension (make setup-gpu)
    # and TensorFlow for convert_tf_vgg19_weights.py (requirements-tensorflow.txt)
    optional = {"nnabla_ext", "tensorflow"}
    without_dependencies = listed_packages("requirements-nodeps.txt")  # installed with --no-deps
    available = with_dependencies(installed_by("demo") - without_dependencies) | without_dependencies
    ours = own_modules()
    for module, path in product_imports().items():
        if module in optional or module in sys.stdlib_module_names or module in ours:
            continue
        assert providers(module), f"{path} imports {module}, which no installed distribution provides"
        assert providers(module) & available, f"{path} imports {module}, which `make demo` does not install"
