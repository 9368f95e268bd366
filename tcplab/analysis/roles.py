"""Who did what first: the host that opened the connection and the host that closed it first."""

from ..core.segment import Flags
from ..core.trace import Kind, Trace
from ..core.validation import check_instance


def is_opening_syn(segment):
    """A SYN without ACK: the first segment of a handshake (or its retransmission, or an old duplicate)."""
    return segment.flags & (Flags.SYN | Flags.ACK) == Flags.SYN


def opener(trace):
    """The host that sent the first SYN without ACK (the client of an ordinary handshake), or None."""
    check_instance("trace", trace, Trace)
    return next((e.host for e in trace.filter(Kind.SEND) if is_opening_syn(e.segment)), None)


def first_closer(trace):
    """The host whose close() came first, or None."""
    check_instance("trace", trace, Trace)
    return next((e.host for e in trace.filter(Kind.CALL) if e.detail == "close()"), None)
