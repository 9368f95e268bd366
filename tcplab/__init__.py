"""tcplab: a sans-I/O TCP endpoint, a deterministic simulator and the views of the book.

One sub-package per layer; imports point downward only (tests/test_layers.py checks this):

- `core/`: The sans-I/O TCP of RFC 9293: segments, states, the TCB, the endpoint, traces (stdlib only).
- `analysis/`: Pure functions over a Trace: states inferred from segments, a kernel run beside the model.
- `sim/`: The deterministic simulator: the link and its faults, the applications, the named scenarios.
- `io/`: Files and packets: pcap files, traces as JSON, the shipped recordings, conversion to and from scapy.
- `live/`: Real traffic: loopback captures, network namespaces, the TUN driver, the kernel scenarios against Linux.
- `views/`: What the book shows: the figures (ladder, state diagram, time-sequence graph, header) and widgets.
- `chapters/`: Thin per-chapter helpers and the exercises.

`import tcplab` loads only the core; its attributes `scenarios` and `plot` load when first used.
"""

from .core.config import Config, KeepAlive
from .core.endpoint import Endpoint
from .live import browser
from .core.errors import (ArgumentTypeError, ConnectionRefused, ConnectionReset, ConnectionTimedOut, InvalidArgument,
                          InvalidCall, TcpError)
from .core.segment import Flags, Options, Segment
from .core.states import TRANSITIONS, State, Transition
from .core.trace import Event, Host, Kind, Trace

__all__ = ["Config", "KeepAlive", "Endpoint", "TcpError", "InvalidArgument", "ArgumentTypeError", "InvalidCall", "ConnectionRefused", "ConnectionReset",
           "ConnectionTimedOut", "Flags", "Options", "Segment", "State", "Transition", "TRANSITIONS",
           "Event", "Host", "Kind", "Trace"]
__version__ = "0.1.0"

browser.prepare()   # readies scapy and matplotlib in a web browser (pyodide); elsewhere does nothing

_LAZY = {"scenarios": "tcplab.sim.scenarios", "plot": "tcplab.views"}


def __getattr__(name):
    """The attributes `scenarios` and `plot`, imported on first use so `import tcplab` stays light (PEP 562)."""
    if name in _LAZY:
        import importlib
        return importlib.import_module(_LAZY[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
