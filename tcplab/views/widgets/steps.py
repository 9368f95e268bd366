"""What a widget steps through: the steps of a trace and the words and fields shown for each."""

import html
from dataclasses import dataclass

from ...core.trace import Kind

#: Steps show these kinds of events; others (application reads) only appear in the table.
INTERESTING = frozenset({Kind.CALL, Kind.SEND, Kind.DELIVER, Kind.DROP, Kind.TIMER, Kind.STATE, Kind.ERROR})


@dataclass(frozen=True)
class Step:
    """One frame: the events it covers (indices into the trace); the frame shows up to `last`."""

    number: int
    events: tuple[int, ...]

    @property
    def last(self):
        return self.events[-1]


# --- choosing the steps -------------------------------------------------------------------
def select_steps(trace, steps="interesting", max_frames=40):
    """Group the trace's events into at most *max_frames* steps.

    - ``"events"``: one step per event.
    - ``"interesting"``: one step per event of an `INTERESTING` kind; a state change made by
      the same host at the same instant as the previous step's event joins that step (the
      host received a SYN *and* moved to SYN-RECEIVED), and uninteresting events join the step
      before them.
    If that still makes more than *max_frames* steps, consecutive steps are merged evenly.
    """
    if steps not in ("events", "interesting"):
        raise ValueError(f"steps must be 'events' or 'interesting'; got {steps!r}")
    if not isinstance(max_frames, int) or max_frames < 1:
        raise ValueError(f"max_frames must be a positive integer; got {max_frames!r}")
    events = trace.events
    if not events:
        raise ValueError("the trace has no events to step through")
    groups = []
    for i, event in enumerate(events):
        if steps == "events" or not groups:
            groups.append([i])
            continue
        previous = events[groups[-1][-1]]
        joins = (event.kind not in INTERESTING
                 or (event.kind is Kind.STATE and event.host == previous.host
                     and event.time == previous.time and previous.kind is not Kind.STATE))
        if joins:
            groups[-1].append(i)
        else:
            groups.append([i])
    if len(groups) > max_frames:
        size = -(-len(groups) // max_frames)  # ceil
        groups = [sum(groups[j:j + size], []) for j in range(0, len(groups), size)]
    return [Step(n, tuple(g)) for n, g in enumerate(groups, start=1)]


# --- text -----------------------------------------------------------------------------------
def narrate(event):
    """A short sentence for one event: "client sends SYN", "server: LISTEN -> SYN-RECEIVED"."""
    seg = event.segment
    label = seg.flags.label() if seg is not None else ""
    if seg is not None and seg.payload:
        label += f" + {len(seg.payload)} bytes"
    retx = " again (retransmission)" if event.retransmission else ""
    kind = event.kind
    if kind is Kind.SEND:
        text = f"{event.host} sends {label}{retx}"
    elif kind is Kind.DELIVER:
        text = f"{event.host} receives {label}"
    elif kind is Kind.DROP:
        text = f"the network loses {label}"
    elif kind is Kind.STATE:
        text = f"{event.host}: {event.before} \u2192 {event.state}"
    elif kind is Kind.TIMER:
        return f"{event.host}: {event.detail or 'a'} timer expires"
    elif kind is Kind.CALL:
        return f"{event.host} calls {event.detail}" if event.detail else f"{event.host} makes a call"
    elif kind is Kind.READ:
        text = f"{event.host}'s application reads {len(event.data)} bytes"
    elif kind is Kind.ERROR:
        text = f"{event.host}: error"
    else:  # pragma: no cover - every Kind is handled above
        text = f"{event.host}: {kind}"
    restates = kind is Kind.SEND and _letters(event.detail) in (_letters(label), _letters(label.replace(",", "")))
    if event.detail and not restates:
        text += f" ({event.detail})"
    return text


def _letters(text):
    return "".join(c for c in text.upper() if c.isalpha())


def _cell(value):
    return f"<td>{html.escape(str(value))}</td>"


def fields_table(trace, indices):
    """An HTML table with one row per event: time, host, what, flags, seq, ack, len, window, options."""
    head = "".join(f"<th>{h}</th>" for h in ("time/s", "host", "what", "flags", "seq", "ack", "len", "win", "options"))
    rows = []
    for i in indices:
        e = trace.events[i]
        seg = e.segment
        if seg is not None:
            acked = bool(seg.flags & seg.flags.ACK)
            seg_cells = (_cell(seg.flags.label()) + _cell(seg.seq) + _cell(seg.ack if acked else "\u2014")
                         + _cell(seg.len) + _cell(seg.window) + _cell(str(seg.options) or "\u2014"))
        else:
            seg_cells = "<td colspan='6'>\u2014</td>"
        rows.append(f"<tr>{_cell(f'{e.time:.3f}')}{_cell(e.host)}"
                    f"<td class='tcplab-what'>{html.escape(narrate(e))}</td>{seg_cells}</tr>")
    return f"<table class='tcplab-fields'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"



def last_transitions(trace, index):
    """For each host, its most recent state change up to event *index*: ``{host: (before, after)}``."""
    last = {}
    for e in trace.events[: index + 1]:
        if e.kind is Kind.STATE:
            last[e.host] = (e.before, e.state)
    return last
