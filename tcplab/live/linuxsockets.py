"""Small experiments on real Linux sockets, each run in a private network namespace, with recorded results.

    from tcplab.live import linuxsockets as ls
    ls.result("time-wait-reuse")             # the recorded run shipped in tcplab/recordings/linux-sockets.json
    ls.result("time-wait-reuse", live=True)  # run it now (root: it needs its own namespace)

The experiments are in `tcplab.live.socketexperiments`.  `run_live` starts one with
``unshare --net`` so that its sysctls (timestamps on or off, a narrow port range)
change nothing outside, and the namespace ends with the process however it ends;
``python -m tcplab linux-sockets --record [NAME ...]`` re-records them (default: all).
"""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from ..core.validation import check_choice
from ..io.recordings import DIRECTORY, LINUX_SOCKETS
from .socketexperiments import EXPERIMENTS

RECORDING = DIRECTORY / LINUX_SOCKETS


def _in_namespace(name):
    """Run experiment *name* here, in a fresh namespace made by `run_live` (lo down until we bring it up)."""
    function, sysctls = EXPERIMENTS[name]
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for key, value in sysctls.items():
        Path("/proc/sys", *key.split(".")).write_text(value)
    return function()


def run_live(name):
    """Run experiment *name* now in a private network namespace (needs root); returns its result dict."""
    if name not in EXPERIMENTS:
        raise ValueError(f"name must be one of {', '.join(EXPERIMENTS)}; got {name!r}")
    if os.geteuid() != 0:
        raise PermissionError("a live run needs root (it creates a network namespace)")
    done = subprocess.run(["unshare", "--net", "--", sys.executable, "-m", "tcplab.live.linuxsockets", name],
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout)


def recorded(path=RECORDING):
    """Every recorded result: {"kernel": release, "results": {name: dict}}."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path must be the recorded results, got {str(path)!r} "
                                "(record them with 'python -m tcplab linux-sockets --record', as root)")
    return json.loads(path.read_text())


def result(name, live=False, path=RECORDING):
    """Experiment *name*'s result: the recorded one, or (``live=True``) a fresh run."""
    if name not in EXPERIMENTS:
        raise ValueError(f"name must be one of {', '.join(EXPERIMENTS)}; got {name!r}")
    return run_live(name) if live else recorded(path)["results"][name]


def show(name, live=False, path=RECORDING):
    """Print experiment *name*'s question and result, one line per observation."""
    function, sysctls = EXPERIMENTS[name]
    source = "live run" if live else f"recorded on Linux {recorded(path)['kernel']}"
    settings = ", ".join(f"{k}={v}" for k, v in sysctls.items()) or "default sysctls"
    print(f"{name} ({source}; {settings})")
    for key, value in result(name, live, path).items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value) or "(no socket)"
        print(f"  {key}: {value}")


def record(names=None, path=RECORDING):
    """Run the experiments *names* (default: all) and write their results into the JSON at *path*.

    The results of the other experiments recorded there are kept; returns the path.
    """
    names = list(EXPERIMENTS) if names is None else [check_choice("names", name, EXPERIMENTS) for name in names]
    kept = recorded(path)["results"] if Path(path).is_file() else {}
    results = kept | {name: run_live(name) for name in names}
    results = {name: results[name] for name in EXPERIMENTS if name in results}
    Path(path).write_text(json.dumps({"kernel": platform.release(), "results": results}, indent=1) + "\n")
    return path


if __name__ == "__main__":  # the child process `run_live` starts in the new namespace
    print(json.dumps(_in_namespace(sys.argv[1])))
