"""The layering rule: imports point downward only, and the sans-I/O core does no I/O."""
import ast
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "tcplab"
CORE = ["seqspace", "segment", "states", "config", "rto", "trace", "endpoint", "errors", "validation", "tcb",
        "timers", "sendpath", "arrival"]
DRIVERS = ["scapy_convert", "pcap", "sim", "faults", "apps", "scenarios", "capture", "kernel", "netns", "sockio"]
IO_AND_VIEWS = {"scapy", "matplotlib", "ipywidgets", "socket", "time", "select", "threading", "asyncio",
                "subprocess", "os", "numpy", "IPython"}


def imports(module):
    """(name, at_top_level) for every import in tcplab/<module>.py; local names start with '.'."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], id(node) in top
        elif isinstance(node, ast.ImportFrom):
            name = (node.module or "").split(".")[0]
            yield ("." + name if node.level else name), id(node) in top


@pytest.mark.parametrize("module", CORE)
def test_core_imports_only_core(module):
    for name, at_top in imports(module):
        if name.startswith("."):
            local = name[1:]
            assert local in CORE, \
                f"core module {module} imports tcplab.{local}"
        else:
            assert name not in IO_AND_VIEWS, f"core module {module} imports {name}"


@pytest.mark.parametrize("module", DRIVERS)
def test_drivers_do_not_import_views(module):
    for name, _ in imports(module):
        assert name not in {"matplotlib", "ipywidgets", ".plot", ".widgets"}, f"driver {module} imports {name}"


def test_import_tcplab_leaves_scapy_and_matplotlib_out():
    code = ("import sys; import tcplab, tcplab.core.endpoint, tcplab.sim.simulator, tcplab.sim.scenarios; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'scapy', 'matplotlib', 'ipywidgets'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
