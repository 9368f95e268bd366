"""tcplab: a sans-I/O TCP endpoint, a deterministic simulator and the views of the book.

Layers, imports pointing downward only (tests/test_layers.py checks this):

- core: `seqspace`, `segment`, `states`, `config`, `rto`, `errors`, `trace`, `endpoint`
- drivers: `scapy_convert`, `pcap`, `sim`, `faults`, `apps`, `scenarios`, `capture`, `kernel`, `netns`
- views: `plot`, `widgets`
- chapter helpers: `handshake`, `transfer`, `teardown`, `faq`, `framing`, `exercises`, `realtraffic`

`import tcplab` loads only the core; scapy and matplotlib load when first used.
"""

from . import browser
from .config import Config
from .endpoint import Endpoint
from .errors import (ArgumentTypeError, ConnectionRefused, ConnectionReset, ConnectionTimedOut, InvalidArgument,
                     InvalidCall, TcpError)
from .segment import Flags, Options, Segment
from .states import TRANSITIONS, State, Transition
from .trace import Event, Host, Kind, Trace

__all__ = ["Config", "Endpoint", "TcpError", "InvalidArgument", "ArgumentTypeError", "InvalidCall", "ConnectionRefused", "ConnectionReset",
           "ConnectionTimedOut", "Flags", "Options", "Segment", "State", "Transition", "TRANSITIONS",
           "Event", "Host", "Kind", "Trace"]
__version__ = "0.1.0"

browser.prepare()   # readies scapy and matplotlib in a web browser (pyodide); elsewhere does nothing
