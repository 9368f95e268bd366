"""tcplab: a sans-I/O TCP endpoint, a deterministic simulator and the views of the book.

Layers, imports pointing downward only:

- core: `seqspace`, `segment`, `states`, `config`, `rto`, `trace`, `endpoint`
- drivers: `scapy_convert`, `pcap`, `sim`, `faults`, `apps`, `scenarios`, `capture`, `kernel`
- views: `plot`, `widgets`
- chapter helpers: `handshake`, `transfer`, `teardown`, `faq`, `framing`

`import tcplab` loads only the core; scapy and matplotlib load when first used.
"""

from .segment import Flags, Options, Segment
from .states import State, TRANSITIONS
from .trace import Event, Host, Kind, Trace

__all__ = ["Flags", "Options", "Segment", "State", "TRANSITIONS", "Event", "Host", "Kind", "Trace"]
__version__ = "0.1.0"
