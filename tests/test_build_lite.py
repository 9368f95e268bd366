"""scripts/build_lite.py takes pyodide's package files out of the carrier only when their sha256
matches the official pyodide-lock.json, and stops naming the file otherwise."""

import hashlib
import importlib.util
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_lite.py"
spec = importlib.util.spec_from_file_location("build_lite", SCRIPT)
build_lite = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_lite)

NUMPY = b"numpy's wheel"
LOCK = {"info": {"version": build_lite.PYODIDE_VERSION}, "packages": {
    "numpy": {"name": "numpy", "file_name": "numpy-2.0.2.whl", "depends": ["prompt_toolkit"],
              "sha256": hashlib.sha256(NUMPY).hexdigest()},
    "prompt-toolkit": {"name": "prompt_toolkit", "file_name": "prompt_toolkit-3.whl", "depends": [],
                       "sha256": hashlib.sha256(b"prompt_toolkit").hexdigest()},
    "pandas": {"name": "pandas", "file_name": "pandas.whl", "depends": [], "sha256": "0" * 64}}}


@pytest.fixture
def carrier(tmp_path, monkeypatch):
    """Write a carrier wheel holding the given {file name: bytes}."""
    monkeypatch.setattr(build_lite, "WHEELS", tmp_path)
    monkeypatch.setattr(build_lite, "PYODIDE_PACKAGES", ["numpy"])

    def write(files):
        with zipfile.ZipFile(tmp_path / build_lite.CARRIER, "w") as archive:
            for name, data in files.items():
                archive.writestr(build_lite.CARRIER_FOLDER + name, data)
        target = tmp_path / "out"
        target.mkdir()
        return target
    return write


def test_matching_files_are_copied_with_their_dependencies_under_the_official_keys(carrier):
    target = carrier({"numpy-2.0.2.whl": NUMPY, "prompt_toolkit-3.whl": b"prompt_toolkit", "pandas.whl": b""})
    kept = build_lite.copy_pyodide_packages(LOCK, target)
    assert sorted(kept) == ["numpy", "prompt-toolkit"]
    assert sorted(p.name for p in target.iterdir()) == ["numpy-2.0.2.whl", "prompt_toolkit-3.whl"]


def test_a_file_whose_sha256_differs_stops_the_build_naming_it(carrier):
    target = carrier({"numpy-2.0.2.whl": b"something else", "prompt_toolkit-3.whl": b"prompt_toolkit"})
    with pytest.raises(SystemExit, match=r"numpy-2\.0\.2\.whl from provisa.* has sha256 [0-9a-f]{64}, but"):
        build_lite.copy_pyodide_packages(LOCK, target)


def test_a_missing_file_stops_the_build_naming_it(carrier):
    target = carrier({"numpy-2.0.2.whl": NUMPY})
    with pytest.raises(SystemExit, match=r"prompt_toolkit-3\.whl \(pyodide package prompt-toolkit\) is not in"):
        build_lite.copy_pyodide_packages(LOCK, target)


def test_a_package_the_lock_lacks_stops_the_build(carrier, monkeypatch):
    monkeypatch.setattr(build_lite, "PYODIDE_PACKAGES", ["scipy"])
    with pytest.raises(SystemExit, match=r"'scipy' is not in pyodide 0\.27\.7's pyodide-lock\.json"):
        build_lite.copy_pyodide_packages(LOCK, carrier({}))
