"""Slices of a conversation's flights: the close, and what each application read."""

from ..core.segment import Flags
from ..core.trace import Kind, Trace
from ..core.validation import check_bool, check_instance, check_number


def closing_flights(trace, retransmissions=True):
    """The flights from the first FIN on: the close itself (without retransmissions unless *retransmissions*)."""
    check_instance("trace", trace, Trace)
    check_bool("retransmissions", retransmissions)
    flights = trace.flights()
    start = next((i for i, f in enumerate(flights) if f.segment.flags & Flags.FIN), len(flights))
    return [f for f in flights[start:] if retransmissions or not f.retransmission]


def bytes_read(trace, host, since=0.0):
    """The bytes *host*'s application read at *since* seconds or later."""
    check_instance("trace", trace, Trace).host(host)
    check_number("since", since)
    return b"".join(e.data for e in trace.filter(Kind.READ, host) if e.time >= since)
