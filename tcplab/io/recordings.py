"""The recordings shipped with the book: which there are, where they are, and loading them as Traces.

    from tcplab.io import recordings
    trace = recordings.load_capture("loopback-session")       # a loopback capture (pcap)
    trace = recordings.load_kernel_run("withheld-final-ack")  # tcplab against Linux (JSON)

They are package data (``tcplab/recordings``, found with `importlib.resources`,
so an installed wheel has them too).  The loopback pcaps are recorded by
``python -m tcplab capture --record`` (`tcplab.live.capture`); the kernel runs and
the zero-window pcap by ``scripts/record_kernel_traces.py``.  A kernel run is
stored as JSON because a pcap would lose what tcplab's endpoint knows about
itself (its states, the segments it withheld) and the `ss` reading of Linux's
TIME-WAIT.
"""

import os
from importlib import resources
from pathlib import Path

from ..core.errors import InvalidArgument
from .tracejson import load_trace

DIRECTORY = Path(str(resources.files("tcplab").joinpath("recordings")))

#: The loopback captures of one request and reply: name -> the options of
#: `tcplab.live.capture.capture_loopback` that record it.
LOOPBACK = {
    "loopback-session": dict(closer="client", close_delay=0.2),
    "loopback-three-segment-close": dict(closer="client", close_delay=0.0),
    "loopback-server-closes-first": dict(closer="server", close_delay=0.2),
}
#: The loopback connection whose reader pauses (`tcplab.live.capture.capture_zero_window`).
ZERO_WINDOW = "loopback-zero-window"
#: What each shipped pcap shows: the title of its Trace.
DESCRIPTIONS = {
    "loopback-session": "Handshake, a request and a reply, the client closes; the server closes 0.2 s later.",
    "loopback-three-segment-close": "As loopback-session, but the server closes at once: its FIN carries "
                                    "the delayed ACK, so the close takes three segments.",
    "loopback-server-closes-first": "The server replies and closes first; the server ends in TIME-WAIT.",
    ZERO_WINDOW: "A receiver that does not read: the window closes, the sender probes",
}
#: The kernel runs: name of a `tcplab.live.kernel` scenario -> the options it was run with.
KERNEL_RUNS = {
    "tcplab-client": {},
    "linux-closes-first": {},
    "tcplab-server": {},
    "withheld-final-ack": {"losses": 3},
    "unanswered-syn-ack": {"wait": 4.0},
    "closed-port": {},
    "keepalive-silent-peer": {},
}
#: Results of real-socket runs: the Linux socket experiments (`tcplab.live.linuxsockets`) and the
#: chapters' socket demos that a browser replays (`tcplab.live.browser`).
LINUX_SOCKETS, SOCKET_DEMOS = "linux-sockets.json", "socket-demos.json"


def files():
    """The file name of every shipped recording, sorted."""
    return sorted([f"{name}.pcap" for name in DESCRIPTIONS] + [f"kernel-{name}.json" for name in KERNEL_RUNS]
                  + [LINUX_SOCKETS, SOCKET_DEMOS])


def capture_path(name, directory=None):
    """The path of the shipped pcap *name* (*directory* defaults to the package's recordings)."""
    if name not in DESCRIPTIONS:
        raise InvalidArgument(f"name must be one of {', '.join(DESCRIPTIONS)}; got {name!r}")
    return Path(directory or DIRECTORY) / f"{name}.pcap"


def load_capture(name="loopback-session", directory=None):
    """The shipped pcap *name* as a Trace, its states inferred from the segments."""
    from .pcap import trace_from_pcap  # scapy loads only when a capture is read
    path = capture_path(name, directory)
    if not path.is_file():
        recorder = "python -m tcplab capture --record" if name in LOOPBACK else "scripts/record_kernel_traces.py"
        raise FileNotFoundError(f"recorded capture {name!r} is missing: {path} (run '{recorder}', as root)")
    return trace_from_pcap(path, title=f"{DESCRIPTIONS[name]} (recorded)")


def kernel_run_path(name, directory=None):
    """The recorded run of kernel scenario *name*: kernel-<name>.json in *directory* (default the package's)."""
    if name not in KERNEL_RUNS:
        raise InvalidArgument(f"name must be one of {', '.join(KERNEL_RUNS)}; got {name!r}")
    return Path(directory or DIRECTORY) / f"kernel-{name}.json"


def load_kernel_run(name, directory=None):
    """The recorded run of kernel scenario *name* as a Trace."""
    path = kernel_run_path(name, directory)
    if not path.is_file():
        raise FileNotFoundError(f"recorded kernel run {name!r} is missing: {path} "
                                "(record it with 'python scripts/record_kernel_traces.py', as root)")
    return load_trace(path)


def writable_directory(name, directory):
    """*directory* as a Path, created if missing; InvalidArgument naming *name* if it cannot be written to."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidArgument(f"{name} must be a directory that can be created or written to, "
                              f"got {str(directory)!r}: {error.strerror or error}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InvalidArgument(f"{name} must be a directory that can be written to, got {str(directory)!r}")
    return directory
