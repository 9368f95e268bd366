"""Helpers for the chapter on the four-way teardown.

- `variants`: the teardowns the chapter compares, as Traces (for the Explorer widget).
- `time_wait_hosts`: who ended up in TIME-WAIT (always the side that closed first).
- `TIMERS`: the timer values RFC 9293, RFC 6298 and Linux use, beside the seed's examples.
- `check_teardown`: the chapter's claims checked against a Trace.
- `teardown_table`: the teardown segments of a trace, one row each, with relative numbers.
- `stale_segment`: what TIME-WAIT protects a new connection from (an old duplicate).
- the chapter's exercises (registered with `tcplab.chapters.exercises`).
"""

from dataclasses import dataclass

from ..analysis.flights import bytes_read, closing_flights
from ..analysis.roles import first_closer
from ..core.segment import Flags
from ..core.seqspace import seq_relative
from ..core.states import State
from ..core.trace import Kind, Trace
from ..core.validation import check_bool, check_instance
from ..sim import scenarios
from .puzzles import is_in_order
from .registry import exercise, near

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


def time_wait_hosts(trace):
    """Hosts that passed through TIME-WAIT."""
    check_instance("trace", trace, Trace)
    return [h.name for h in trace.hosts if State.TIME_WAIT in trace.states(h.name)]


def teardown_segments(trace):
    """The segments from the first FIN on: the teardown itself."""
    return closing_flights(trace)


def first_fin_step(trace, max_frames=40):
    """The 1-based step of `tcplab.views.widgets.Stepper` (default grouping) at which the first FIN is sent."""
    from ..views.widgets import select_steps
    first = next((i for i, e in enumerate(trace.events) if e.kind is Kind.SEND and e.segment.flags & Flags.FIN), None)
    if first is None:
        raise ValueError(f"trace must contain a FIN; {trace.title!r} has none")
    return next(step.number for step in select_steps(trace, max_frames=max_frames) if first in step.events)


def check_teardown(trace):
    """The chapter's claims on *trace*: a list of (claim, holds) pairs."""
    check_instance("trace", trace, Trace)
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
          "the RTO before any round trip has been measured (a SYN's first retransmission)"),
    Timer("minimum RTO", "1 s (RFC 6298 §2.4, a SHOULD)", "200 ms (TCP_RTO_MIN)", "—",
          "after a round-trip sample, a smaller computed RTO is rounded up to this"),
    Timer("maximum RTO", "at least 60 s may be applied (RFC 6298 §2.5)", "120 s (TCP_RTO_MAX)", "—",
          "the cap on exponential backoff"),
    Timer("FIN-WAIT-2", "no limit", "60 s for orphaned sockets (tcp_fin_timeout)", "—",
          "only once the application has closed the socket"),
    Timer("delayed ACK", "under 0.5 s (RFC 9293 §3.8.6.3, MUST-40)", "40–200 ms", "—",
          "why a FIN and an ACK often travel together"),
)


def timer_table():
    """TIMERS as a `Table` (HTML in a notebook, aligned text when printed)."""
    from ..views.table import Table   # the views (matplotlib) load only when a table is shown
    return Table(("timer", "RFC", "Linux", "the seed post"), [(t.name, t.rfc, t.linux, t.seed) for t in TIMERS])


def teardown_table(trace, relative=True):
    """The teardown segments (from the first FIN on) as a `Table`, one segment a row.

    Sequence and acknowledgment numbers are relative to each sender's ISN (like Wireshark)
    when *relative*; each row also says which state the sender was in after sending.
    """
    from ..views.table import Table   # the views (matplotlib) load only when a table is shown
    check_instance("trace", trace, Trace)
    check_bool("relative", relative)
    isn = {h.name: trace.isn(h.name) for h in trace.hosts}
    rows = []
    for f in teardown_segments(trace):
        seg = f.segment
        seq, ack = seg.seq, seg.ack
        if relative and isn.get(f.src) is not None and isn.get(f.dst) is not None:
            seq, ack = seq_relative(seg.seq, isn[f.src]), seq_relative(seg.ack, isn[f.dst])
        rows.append((f.send.time, f"{f.src} → {f.dst}", seg.flags.label(), seq,
                     ack if seg.flags & Flags.ACK else "—", len(seg.payload) or "",
                     f"{f.src}: {f.send.state}", "lost" if f.lost else ""))
    return Table(("time/s", "segment", "flags", "seq", "ack", "len", "sender's state", "fate"), rows)


# --- what TIME-WAIT guards against: an old duplicate from the previous incarnation -------------
STALE, FRESH = scenarios.STALE_DATA, scenarios.FRESH_DATA   # the old duplicate's bytes, the new server's


def stale_segment(time_wait=True, delay=0.05):
    """Scenario "stale-segment": a delayed duplicate of the server's data segment arrives after the
    connection has closed.  Returns ``(trace, the bytes the client's application read once the
    duplicate was on its way)``."""
    trace = scenarios.run("stale-segment", time_wait=time_wait, delay=delay)
    injected = next(e for e in trace.filter(Kind.SEND, "server") if e.detail == scenarios.STALE_DETAIL)
    return trace, bytes_read(trace, "client", since=injected.time)


# --- exercises --------------------------------------------------------------------------------
exercise("teardown-1",
         "The client has sent its FIN and received the server's ACK of it, but not yet the server's FIN. "
         "Which state is the client in?",
         expected="FIN-WAIT-2",
         hint="There are two FIN-WAIT states; which one does the ACK of our FIN lead to?",
         explanation="FIN-WAIT-1 lasts until our FIN is acknowledged; then FIN-WAIT-2 until the peer's FIN "
                     "arrives (RFC 9293 Figure 5).")
exercise("teardown-2",
         "In the scenario 'server-closes-first', which host ends in TIME-WAIT? Answer 'client' or 'server'.",
         expected="server",
         predicate=lambda a: isinstance(a, str) and a.strip().lower() == "server",
         hint="TIME-WAIT belongs to the side that sent the first FIN (the active closer).",
         explanation="The server called close() first, so it took the FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT path.")
exercise("teardown-3",
         "A FIN,ACK segment carries seq=4000 and no data. What acknowledgment number acknowledges it?",
         expected=4001,
         hint="SEG.LEN counts the FIN as one sequence number.",
         explanation="The FIN occupies sequence number 4000, so the next expected number is 4001.")
exercise("teardown-4",
         "How many seconds does an RFC 9293 TIME-WAIT last, and how many does Linux use? Answer a pair (rfc, linux).",
         expected=(240, 60),
         predicate=lambda a: isinstance(a, (tuple, list)) and len(a) == 2 and tuple(a) == (240, 60),
         hint="MSL is 2 minutes in RFC 9293 §3.4.2; Linux fixes TCP_TIMEWAIT_LEN.",
         explanation="2 × MSL = 2 × 120 s = 240 s in the RFC; Linux's TCP_TIMEWAIT_LEN is 60 s.")


# ------------------------------------------------------------------------ thinking exercises
def _fin_retransmitted_at():
    return next(f.send.time for f in scenarios.run("lost-fin").flights() if f.retransmission)


def teardown_cards():
    """The segments of "three-segment-teardown", shuffled, for the ordering exercise."""
    from . import puzzles
    return puzzles.shuffled(scenarios.run("three-segment-teardown"), seed=4)


def _fins_in_capture():
    from scapy.all import TCP

    from .puzzles import tcp_packets
    return sum(1 for p in tcp_packets("loopback-three-segment-close") if p[TCP].flags.F)


exercise("teardown-predict",
         "Predict, then run: the client's FIN (sent at 0.2 s) is lost once.  When is it retransmitted?",
         predicate=near(_fin_retransmitted_at()),
         hint="A FIN is retransmitted like data, when the RTO expires; the client measured a 0.1 s round trip "
              "in the handshake, and RFC 6298 rounds a smaller RTO up to 1 s.",
         explanation="At 1.2 s: 0.2 s plus the 1 s RTO.  Meanwhile the client stays in FIN-WAIT-1.")
exercise("teardown-order",
         "Put the shuffled segments of 'three-segment-teardown' in the order they were sent (a string of letters).",
         predicate=lambda answer: is_in_order(teardown_cards(), answer),
         hint="Handshake first; in the close, the server's FIN carries the ACK of the client's FIN.",
         explanation="SYN, SYN-ACK, ACK, then FIN, FIN+ACK, ACK.")
exercise("teardown-pcap",
         "Read the recorded loopback-three-segment-close.pcap with scapy: how many segments carry the FIN flag?",
         predicate=lambda answer: answer == _fins_in_capture(),
         hint="rdpcap the file and test each packet's TCP flags for F.",
         explanation="Two, one per direction, as in every close; the capture has three teardown segments because "
                     "the server's FIN carries its ACK.")
