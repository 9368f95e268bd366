"""Helpers for the FAQ pages.

- ACK versus ack: `ack_report`, `segments_without_ack`, `check_ack_rule_everywhere`.
- The lost final ACK: `lost_final_ack_story`.
- Why three, why four, TIME-WAIT and RST: `rst_reasons`.
"""

from . import scenarios
from .segment import Flags
from .states import State
from .trace import Kind


def ack_report(segment):
    """The ACK control bit beside the 32-bit acknowledgment number, and whether the number means anything."""
    bit = bool(segment.flags & Flags.ACK)
    return {"ACK bit": int(bit), "acknowledgment number": segment.ack,
            "meaningful": bit,
            "reading": (f"'I have received everything before byte {segment.ack}; send that one next'"
                        if bit else "the ACK bit is 0, so the acknowledgment number is ignored")}


def segments_without_ack(trace):
    """Flights after each host's first SYN that lack the ACK bit (RFC 9293 §3.1 says there are none,
    except a RST answering a segment that had no ACK context)."""
    bad = []
    for f in trace.flights():
        flags = f.segment.flags
        if flags & Flags.RST:
            continue
        if flags & (Flags.SYN | Flags.ACK) == Flags.SYN:
            continue  # an opening SYN (or its retransmission, or an old duplicate)
        if not flags & Flags.ACK:
            bad.append(f)
    return bad


def check_ack_rule_everywhere():
    """Run every named scenario and count segments and violations of 'everything after the SYN carries ACK'."""
    results = {}
    for name in scenarios.names():
        trace = scenarios.run(name)
        results[name] = (len(trace.flights()), len(segments_without_ack(trace)))
    return results


def lost_final_ack_story(trace):
    """The lost-final-ack trace told as numbered sentences, with times and states."""
    lines = []
    for e in trace.events:
        seg = e.segment
        if e.kind is Kind.DROP:
            lines.append(f"{e.time:7.3f} s  the link loses {seg} on its way to the {e.host}")
        elif e.kind is Kind.SEND and seg.flags & Flags.FIN and e.retransmission:
            lines.append(f"{e.time:7.3f} s  the {e.host} has heard nothing in {e.state}: its RTO fires and it "
                         f"retransmits its FIN")
        elif e.kind is Kind.SEND and e.detail.startswith("re-ACK"):
            lines.append(f"{e.time:7.3f} s  the {e.host}, still in TIME-WAIT, ACKs the FIN again")
        elif e.kind is Kind.SEND and seg.flags & Flags.RST:
            lines.append(f"{e.time:7.3f} s  the {e.host} has no connection any more and answers RST")
        elif e.kind is Kind.STATE and e.before is State.TIME_WAIT and e.state is State.TIME_WAIT:
            lines.append(f"{e.time:7.3f} s  the {e.host} restarts its 2MSL timer")
        elif e.kind is Kind.STATE and e.state in (State.TIME_WAIT, State.LAST_ACK, State.CLOSED):
            lines.append(f"{e.time:7.3f} s  the {e.host} enters {e.state}")
    return lines


RST_REASONS = (
    ("a segment arrives for a port where nothing listens", "rst-closed-port"),
    ("an application aborts a connection (or closes with unread data, or SO_LINGER 0)", "abort"),
    ("a SYN-SENT endpoint receives an ACK for something it never sent (an old duplicate)", "old-duplicate-syn"),
    ("a retransmitted FIN reaches a host that kept no TIME-WAIT state", "lost-final-ack-no-time-wait"),
)


def rst_reasons():
    """(when a RST is sent, the scenario that shows it, the RST segment in that scenario)."""
    rows = []
    for reason, name in RST_REASONS:
        trace = scenarios.run(name)
        rst = next(f.segment for f in trace.flights() if f.segment.flags & Flags.RST)
        rows.append((reason, name, rst))
    return rows
