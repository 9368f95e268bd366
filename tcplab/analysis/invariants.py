"""Rules every conversation keeps, checked on a Trace: "every segment after the SYN carries ACK"."""

from dataclasses import dataclass

from ..core.segment import Flags
from ..core.trace import Trace
from ..core.validation import check_instance
from .roles import is_opening_syn


def ack_rule_violations(trace):
    """Flights without the ACK bit other than opening SYNs and RSTs (RFC 9293 §3.1: once a
    connection is established the bit is always set; <SEQ=SEG.ACK><CTL=RST> replies and aborts
    carry none)."""
    check_instance("trace", trace, Trace)
    return [f for f in trace.flights()
            if not f.segment.flags & (Flags.RST | Flags.ACK) and not is_opening_syn(f.segment)]


@dataclass(frozen=True)
class AckBitCount:
    """How the segments of one conversation split by the ACK bit."""

    segments: int
    with_ack: int
    opening_syns: int      # SYN without ACK: the first segment of a handshake (or its retransmission)
    rst_without_ack: int   # RFC 9293's <SEQ=...><CTL=RST> replies and aborts carry no ACK
    violations: int


def count_ack_bits(trace):
    """`AckBitCount` of *trace*; `violations` is 0 in every conversation that keeps the rule."""
    check_instance("trace", trace, Trace)
    segments = [f.segment for f in trace.flights()]
    return AckBitCount(len(segments), sum(bool(s.flags & Flags.ACK) for s in segments),
                       sum(is_opening_syn(s) for s in segments),
                       sum(bool(s.flags & Flags.RST) and not s.flags & Flags.ACK for s in segments),
                       len(ack_rule_violations(trace)))
