"""Traces as JSON files, which keep what a pcap loses: a host's own states, withheld segments, measurements."""

import json
from pathlib import Path

from ..core.trace import Trace


def save_trace(trace, path):
    """Write *trace* (with its measurements) to *path* as JSON (`Trace.to_dict`)."""
    Path(path).write_text(json.dumps(trace.to_dict(), indent=1) + "\n")


def load_trace(path):
    """The Trace that `save_trace` wrote to *path*."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path must be an existing JSON trace file, got {str(path)!r}")
    return Trace.from_dict(json.loads(path.read_text()))
