"""When things happened: retransmissions of the same segment, and how long a host stayed in a state."""

from ..core.segment import Flags
from ..core.states import State
from ..core.trace import Kind, Trace
from ..core.validation import check_instance


def segment_kind(segment):
    """"SYN", "SYN,ACK", "FIN" (a FIN without data) or "data": what a retransmission repeats."""
    if segment.flags & Flags.SYN:
        return "SYN,ACK" if segment.flags & Flags.ACK else "SYN"
    return "FIN" if segment.flags & Flags.FIN and not segment.payload else "data"


def resends(trace, host):
    """(event, first, previous) for each segment *host* sent again, in sending order: the SEND event and
    the times of the first and of the previous transmission of the same sequence space (same seq, same kind)."""
    check_instance("trace", trace, Trace).host(host)
    sent, found = {}, []
    for event in trace.filter(Kind.SEND, host):
        seg = event.segment
        if not seg.len:
            continue
        key = (seg.seq, segment_kind(seg))
        if key in sent:
            found.append((event, sent[key][0], sent[key][-1]))
        sent.setdefault(key, []).append(event.time)
    return found


def retransmission_times(trace, host):
    """When *host* retransmitted, in seconds after its first transmission of the same segment."""
    return [round(event.time - first, 6) for event, first, _ in resends(trace, host) if event.retransmission]


def retransmission_intervals(trace, host):
    """{segment kind: [seconds between successive transmissions]} for segments *host* sent more than once."""
    intervals = {}
    for event, _, previous in resends(trace, host):
        intervals.setdefault(segment_kind(event.segment), []).append(round(event.time - previous, 2))
    return intervals


def time_in_state(trace, host, state):
    """How long *host* stayed in *state* on its first visit (seconds, 3 decimals), or None if it never left it."""
    check_instance("trace", trace, Trace).host(host)
    check_instance("state", state, State)
    changes = trace.state_changes(host)
    for i, event in enumerate(changes):
        if event.state is state and event.before is not state:
            later = [e for e in changes[i + 1:] if e.state is not state]
            return round(later[0].time - event.time, 3) if later else None
    return None
