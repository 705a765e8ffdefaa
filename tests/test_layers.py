"""The layout's layers, read from every product file's imports: entry scripts on top, the packages
(inference/, training/, evaluation/, webapp/) below them, the paper's modules below those, the data sets'
layouts (datasets/) below data_loader.py, utils/ at the ground. A file imports only from below its layer
or beside it in a library layer; no imports run in a circle."""
import ast
import os

from conftest import REPO_ROOT

PAPER_MODULES = ("models.py", "losses.py", "vgg19.py", "data_loader.py")
PACKAGES = ("inference", "training", "evaluation", "webapp")
# (name, whether its files may import each other), from the ground up
LAYERS = (("utils/", True), ("datasets/", True), ("the paper's modules", True), ("packages", True),
          ("entry scripts", False), ("benchmark helpers", True), ("benchmarks", False))


def layer_of(path):
    """Index in LAYERS of a product file (a path relative to the repository root)."""
    top = path.split(os.sep)[0]
    if top == "utils":
        return 0
    if top == "datasets":
        return 1
    if path in PAPER_MODULES:
        return 2
    if top in PACKAGES:
        return 3
    if top == "benchmarks":
        return 6 if os.path.basename(path).startswith("bench_") else 5
    return 4  # the other scripts at the top and authors_scripts/


def product_files():
    """Paths (relative to the repository root) of every Python file of the product and its benchmarks."""
    paths = []
    for folder, subfolders, files in os.walk(REPO_ROOT):
        subfolders[:] = sorted(name for name in subfolders if name != "tests" and not name.startswith("."))
        paths += [os.path.relpath(os.path.join(folder, name), REPO_ROOT) for name in sorted(files)
                  if name.endswith(".py")]
    return paths


def module_file(module, files):
    """The product file of a dotted module name (a module or a package's __init__.py), None for others."""
    base = module.replace(".", os.sep)
    return next((path for path in (base + ".py", os.path.join(base, "__init__.py")) if path in files), None)


def imported_files(path, files):
    """{product file: the import statement's text} of every import in a file, top-level or inside a
    function."""
    with open(os.path.join(REPO_ROOT, path)) as source:
        tree = ast.parse(source.read())
    package = os.path.dirname(path).replace(os.sep, ".")
    imports = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            parent = ".".join(package.split(".")[:len(package.split(".")) - node.level
                                                 + 1]) if node.level else ""
            base = ".".join(part for part in (parent, node.module or "") if part)
            # `from a import b`: b is a module of package a, or a name defined in a
            candidates = [f"{base}.{alias.name}" if module_file(f"{base}.{alias.name}", files) else base
                          for alias in node.names]
        else:
            continue
        for module in candidates:
            target = module_file(module, files)
            if target and target != path:
                imports.setdefault(target, ast.unparse(node))
    return imports


def import_graph():
    files = set(product_files())
    return {path: imported_files(path, files) for path in sorted(files)}


def test_the_layers_are_recognised():
    layers = {LAYERS[layer_of(path)][0] for path in product_files()}
    assert layers == {name for name, _ in LAYERS}
    assert layer_of("train.py") == 4 and layer_of(os.path.join("inference", "tiles.py")) == 3
    assert layer_of("models.py") == 2 and layer_of(os.path.join("datasets", "reds.py")) == 1
    assert layer_of(os.path.join("utils", "ops.py")) == 0


def test_no_file_imports_from_a_layer_above_it_or_a_script_beside_it():
    wrong = []
    for path, imports in import_graph().items():
        layer = layer_of(path)
        for target, statement in imports.items():
            target_layer = layer_of(target)
            if target_layer > layer or (target_layer == layer and not LAYERS[layer][1]):
                wrong.append(f"{path} ({LAYERS[layer][0]}) imports {target} ({LAYERS[target_layer][0]}): "
                             f"{statement}")
    assert not wrong, "\n".join(wrong)


def test_no_imports_run_in_a_circle():
    graph = import_graph()
    circles, done = [], set()

    def visit(path, trail):
        if path in trail:
            circles.append(trail[trail.index(path):] + [path])
            return
        if path in done:
            return
        for target in graph[path]:
            visit(target, trail + [path])
        done.add(path)

    for path in graph:
        visit(path, [])
    assert not circles, "\n".join(" -> ".join(circle) for circle in circles)


def test_no_test_module_imports_another():
    """Shared test helpers live in helper modules (helpers.py, clips.py, ...) or conftest, never in a test
    module."""
    tests = os.path.join(REPO_ROOT, "tests")
    wrong = []
    for name in sorted(os.listdir(tests)):
        if name.endswith(".py"):
            with open(os.path.join(tests, name)) as source:
                tree = ast.parse(source.read())
            wrong += [
                f"{name}: {ast.unparse(node)}" for node in ast.walk(tree)
                if isinstance(node, ast.Import) and any(
                    alias.name.startswith("test_") for alias in node.names)
                or isinstance(node, ast.ImportFrom) and (node.module or "").startswith("test_")
            ]
    assert not wrong, "\n".join(wrong)
