"""Re-execute the book's notebooks in place, storing outputs and widget state.

    python scripts/execute_notebooks.py book/            # every notebook under book/
    python scripts/execute_notebooks.py book/stepper-demo.ipynb

The static website has no kernel: what readers see is what this script stores.  Each
notebook runs with the `python3` kernel in its own folder, with widget state saved in the
notebook's metadata (`store_widget_state=True`) so the widgets work on the static pages.
Runs are deterministic: PYTHONHASHSEED=0 and the inline matplotlib backend.
"""

import argparse
import hashlib
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ENV = {
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}
SKIP_PARTS = {".ipynb_checkpoints", "_build", ".venv", "node_modules"}


def notebooks(paths):
    """The .ipynb files named by *paths* (files, or folders searched recursively), sorted."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += [p for p in path.rglob("*.ipynb") if not SKIP_PARTS & set(p.parts)]
        elif path.suffix == ".ipynb" and path.is_file():
            found.append(path)
        else:
            raise SystemExit(f"execute_notebooks: {path} is neither a folder nor a .ipynb file")
    return sorted(set(found))


def execute(path, timeout=300, kernel_name="python3"):
    """Run one notebook in its folder and write it back with outputs and widget state."""
    nb = nbformat.read(path, as_version=4)
    saved = {k: os.environ.get(k) for k in ENV}
    os.environ.update(ENV)  # the kernel inherits the environment of this process
    try:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=kernel_name,
            resources={"metadata": {"path": str(path.parent.resolve())}},
            store_widget_state=True,
            record_timing=False,
        )
        client.execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    _merge_streams(nb)
    if _has_widget_state(nb):
        nb = _stable_widget_ids(nb, path)
    else:
        nb.metadata.pop("widgets", None)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return nb


def _merge_streams(nb):
    """Join consecutive stdout (or stderr) outputs of a cell: how a print() is split into
    messages depends on timing, and the stored notebook should not."""
    for cell in nb.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.output_type == "stream" and previous is not None and previous.output_type == "stream"
                    and previous.name == output.name):
                previous.text += output.text
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged


def _stable_widget_ids(nb, path):
    """Rename the random widget model ids to ids derived from the notebook's name and their order,
    so that re-executing an unchanged notebook rewrites it byte for byte (and diffs stay small)."""
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    prefix = hashlib.sha256(path.name.encode()).hexdigest()[:16]
    renames = {old: f"{prefix}{i:016x}" for i, old in enumerate(state)}
    text = nbformat.writes(nb)
    text = re.sub(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])", lambda m: renames.get(m.group(0), m.group(0)), text)
    return nbformat.reads(text, as_version=4)


def _has_widget_state(nb):
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return bool(state.get("state"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="notebooks or folders of notebooks")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default 300)")
    parser.add_argument("--kernel", default="python3", help="kernel name (default python3)")
    args = parser.parse_args(argv)
    paths = notebooks(args.paths)
    if not paths:
        print("execute_notebooks: no notebooks found", file=sys.stderr)
        return 1
    for path in paths:
        start = time.perf_counter()
        nb = execute(path, timeout=args.timeout, kernel_name=args.kernel)
        size = path.stat().st_size
        widgets = "with widget state" if _has_widget_state(nb) else "no widgets"
        print(f"executed {path} in {time.perf_counter() - start:.1f} s ({size / 1e6:.2f} MB, {widgets})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
