"""Helpers for the chapter on the four-way teardown.

- `variants`: the teardowns the chapter compares, as Traces (for the Explorer widget).
- `time_wait_hosts`: who ended up in TIME-WAIT (always the side that closed first).
- `TIMERS`: the timer values RFC 9293, RFC 6298 and Linux use, beside the seed's examples.
- `check_teardown`: the chapter's claims checked against a Trace.
"""

from dataclasses import dataclass

from . import scenarios
from .segment import Flags
from .states import State
from .trace import Kind

SCENARIOS = ("four-way-teardown", "server-closes-first", "three-segment-teardown", "simultaneous-close",
             "half-close", "lost-final-ack", "lost-final-ack-no-time-wait")


def variants():
    """Named teardown variants, in the order the chapter discusses them."""
    return {
        "client closes first": scenarios.run("four-way-teardown"),
        "server closes first": scenarios.run("server-closes-first"),
        "FIN piggybacked on the ACK (3 segments)": scenarios.run("three-segment-teardown"),
        "simultaneous close": scenarios.run("simultaneous-close"),
        "half-close: server keeps sending": scenarios.run("half-close"),
    }


def first_closer(trace):
    """The host whose close() came first."""
    for e in trace.events:
        if e.kind is Kind.CALL and e.detail == "close()":
            return e.host
    return None


def time_wait_hosts(trace):
    """Hosts that passed through TIME-WAIT."""
    return [h.name for h in trace.hosts if State.TIME_WAIT in trace.states(h.name)]


def teardown_segments(trace):
    """The segments from the first FIN on: the teardown itself."""
    flights = trace.flights()
    start = next((i for i, f in enumerate(flights) if f.segment.flags & Flags.FIN), len(flights))
    return flights[start:]


def check_teardown(trace):
    """The chapter's claims on *trace*: a list of (claim, holds) pairs."""
    closer = first_closer(trace)
    checks = [("the host that closed first passes through TIME-WAIT", closer in time_wait_hosts(trace))]
    fins = [f for f in trace.flights() if f.segment.flags & Flags.FIN and not f.retransmission]
    checks.append(("each side sends exactly one FIN (not counting retransmissions)",
                   sorted(f.src for f in fins) == sorted(h.name for h in trace.hosts)))
    acked = all(any(g.segment.flags & Flags.ACK and g.segment.ack == f.segment.end_seq and g.src != f.src
                    for g in trace.flights()) for f in fins)
    checks.append(("every FIN is acknowledged with its seq + 1", acked))
    return checks


@dataclass(frozen=True)
class Timer:
    name: str
    rfc: str
    linux: str
    seed: str
    note: str


TIMERS = (
    Timer("MSL", "2 min (RFC 9293 §3.4.2, \"an engineering choice\")", "not used directly", "—",
          "the longest a segment is assumed to survive in the network"),
    Timer("TIME-WAIT", "2 × MSL = 4 min (RFC 9293 §3.6.1, MUST-13)", "60 s (TCP_TIMEWAIT_LEN)",
          "\"2MSL\"; 60 s as an example", "restarted when a retransmitted FIN arrives"),
    Timer("initial RTO", "1 s (RFC 6298 §2.1)", "1 s (TCP_TIMEOUT_INIT)", "30 s as an example",
          "how long a SYN, data or FIN waits before its first retransmission"),
    Timer("minimum RTO", "1 s (RFC 6298 §2.4)", "200 ms (TCP_RTO_MIN)", "—", "the RTO never drops below this"),
    Timer("maximum RTO", "at least 60 s may be applied (RFC 6298 §2.5)", "120 s (TCP_RTO_MAX)", "—",
          "the cap on exponential backoff"),
    Timer("FIN-WAIT-2", "no limit", "60 s for orphaned sockets (tcp_fin_timeout)", "—",
          "only once the application has closed the socket"),
    Timer("delayed ACK", "under 0.5 s (RFC 9293 §3.8.6.3, MUST-40)", "40–200 ms", "—",
          "why a FIN and an ACK often travel together"),
)


def timer_table():
    """TIMERS as aligned text."""
    header = Timer("timer", "RFC", "Linux", "the seed post", "")
    rows = [header] + list(TIMERS)
    widths = [max(len(getattr(r, f)) for r in rows) for f in ("name", "rfc", "linux", "seed")]
    lines = []
    for r in rows:
        lines.append("  ".join(getattr(r, f).ljust(w) for f, w in zip(("name", "rfc", "linux", "seed"), widths))
                     .rstrip())
    return "\n".join(lines)
