"""The layering rule, read from the folders: imports point downward only, no import cycle, a core without I/O.

Every import counts, including those inside functions: a lazy import is still a dependency.
"""
import ast
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "tcplab"
#: The layers, lowest first; layers of the same rank (sim, io) may not import each other.
RANKS = {"core": 0, "analysis": 1, "sim": 2, "io": 2, "live": 3, "views": 4, "chapters": 5}
TOP = {"__init__", "__main__", "cli"}  # the public API and the command line, above every layer
NOT_IN_CORE = {"scapy", "matplotlib", "ipywidgets", "IPython", "numpy", "PIL", "socket", "select", "selectors",
               "threading", "asyncio", "subprocess", "os", "time", "ctypes", "fcntl", "signal"}


def module_name(path):
    return ".".join(("tcplab",) + path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in path.parts}


def layer(module):
    """The layer of a module name ("top" for tcplab/__init__, __main__ and cli)."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in TOP:
        return "top"
    return parts[1]


def rank(module):
    return len(RANKS) if layer(module) == "top" else RANKS[layer(module)]


def imports(module):
    """(imported tcplab module, line) for every import in *module*, at any depth; and the outside packages."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found, outside = [], []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                (found if alias.name.split(".")[0] == "tcplab" else outside).append((alias.name, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            if source.split(".")[0] != "tcplab":
                outside.append((source, node.lineno))
                continue
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.append((submodule if submodule in MODULES else source, node.lineno))
    return found, outside


GRAPH = {module: sorted({target for target, _ in imports(module)[0]} - {module}) for module in MODULES}


def test_every_module_is_in_a_layer():
    stray = [m for m in MODULES if layer(m) != "top" and layer(m) not in RANKS]
    assert not stray, f"modules outside the layers {sorted(RANKS)}: {stray}"
    assert all(layer(m) in RANKS or m.split(".")[-1] in TOP or m == "tcplab" for m in MODULES)


@pytest.mark.parametrize("module", [m for m in MODULES if layer(m) != "top"])
def test_imports_point_downward(module):
    for target, line in imports(module)[0]:
        assert target in MODULES, f"{module}:{line} imports {target}, which does not exist"
        same = layer(target) == layer(module)
        assert same or rank(target) < rank(module), \
            f"{module}:{line} ({layer(module)}) imports {target} ({layer(target)}): a layer imports only lower layers"


@pytest.mark.parametrize("module", [m for m in MODULES if layer(m) == "core"])
def test_core_does_no_io(module):
    for name, line in imports(module)[1]:
        assert name.split(".")[0] not in NOT_IN_CORE, f"core module {module}:{line} imports {name}"


def cycles(graph):
    """Every strongly connected component of more than one module (Tarjan), as sorted lists."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    assert cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]


def run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_import_tcplab_leaves_scapy_and_matplotlib_out():
    code = ("import sys; import tcplab, tcplab.core.endpoint, tcplab.sim.simulator, tcplab.sim.scenarios; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'scapy', 'matplotlib', 'ipywidgets'}))")
    assert run(code) == "[]"


def test_the_public_api_and_the_lazy_attributes():
    code = ("import sys, tcplab; from tcplab import Endpoint, Segment, Trace, Config, State; "
            "assert 'tcplab.sim.scenarios' not in sys.modules; "
            "from tcplab import scenarios, plot; print(scenarios.__name__, plot.__name__, getattr(tcplab, 'scenarios') is scenarios)")
    assert run(code) == "tcplab.sim.scenarios tcplab.views True"


def test_checking_an_answer_imports_only_its_own_chapter_and_no_driver():
    code = ("import sys; from tcplab.chapters.exercises import check; check('teardown-1', 'FIN-WAIT-2'); "
            "print(sorted(m for m in sys.modules if m.startswith(('tcplab.live.', 'tcplab.chapters.'))))")
    # tcplab.live.browser is the pyodide adaptation `import tcplab` runs; no socket driver loads.
    assert run(code) == "['tcplab.chapters.exercises', 'tcplab.chapters.puzzles', 'tcplab.chapters.registry', " \
                        "'tcplab.chapters.teardown', 'tcplab.live.browser']"


def test_the_architecture_page_is_drawn_from_the_folders():
    root = PACKAGE.parent
    result = subprocess.run([sys.executable, "scripts/architecture.py", "--check"], cwd=root)
    assert result.returncode == 0, "docs/ARCHITECTURE.md is out of date: run python scripts/architecture.py"
