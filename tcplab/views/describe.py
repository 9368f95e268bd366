"""Text alternatives of the figures, written from the data they draw (for screen readers and
the ``alt`` of every figure in the book)."""

from ..core.segment import Flags
from ..core.trace import Kind


def format_time(seconds):
    """'0', '50 ms', '1.25 s', '241.5 s'."""
    if seconds == 0:
        return "0"
    if abs(seconds) < 1:
        ms = seconds * 1000
        return f"{ms:.0f} ms" if abs(ms - round(ms)) < 1e-6 else f"{ms:.1f} ms"
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + " s"

#: A description stops listing events after this many and says how many more there were.
MAX_CLAUSES = 60


def ladder_description(trace, title, order, label_of, tag_of):
    """"Sequence diagram: …" for *trace*, its events taken in *order* (indices, as drawn);
    *label_of(flight)* and *tag_of(flight)* give the text the ladder writes on and under
    each segment's arrow, so both say the same."""
    hosts = [f"{h.name} ({h.ip}:{h.port})" for h in trace.hosts]
    where = " on the left and ".join(hosts[:2]) + (" on the right" if len(hosts) == 2 else "")
    if len(hosts) != 2:
        where = ", ".join(hosts)
    head = f"Sequence diagram{': ' + title if title else ''}. {where}; time runs down, not to scale."
    flight_of = {f.send.packet: f for f in trace.flights()}
    clauses, moments = [], []
    for event in (trace.events[i] for i in order):
        clause = _clause(event, flight_of, label_of, tag_of)
        if clause is None:
            continue
        clauses.append(clause)
        moments.append(event.time)
    shown, rest = clauses[:MAX_CLAUSES], len(clauses) - MAX_CLAUSES
    body, last = [], None
    for clause, time in zip(shown, moments):
        if time != last:
            body.append(f"At {_seconds(time)}: {clause}")
            last = time
        else:
            body[-1] += f"; {clause}"
    text = head + " " + ". ".join(body) + "."
    if rest > 0:
        text += f" … and {rest} more events."
    ends = [f"{h.name} {trace.states(h.name)[-1]}" for h in trace.hosts if trace.states(h.name)]
    return text + (f" Final states: {', '.join(ends)}." if ends else "")


def _clause(event, flight_of, label_of, tag_of):
    kind = event.kind
    if kind is Kind.SEND:
        flight = flight_of.get(event.packet)
        if flight is None:
            return None
        text = f"{flight.src} sends {label_of(flight)}"
        tag = tag_of(flight)
        if tag == "retransmission":
            text += " (a retransmission)"
        elif tag is not None:
            text = f"an {tag} {label_of(flight)} enters from the network towards {flight.dst}" \
                if tag[0] in "aeiou" else f"a {tag} {label_of(flight)} enters from the network towards {flight.dst}"
        if flight.lost:
            text += ", which is lost on the link"
        return text
    if kind is Kind.CALL:
        return f"{event.host} calls {event.detail}"
    if kind is Kind.STATE:
        return f"{event.host} enters {event.state}"
    if kind is Kind.TIMER:
        return f"{event.host}'s {event.detail or 'timer'} timer fires"
    if kind is Kind.ERROR:
        return f"{event.host} reports: {event.detail}"
    return None


def _seconds(time):
    return format_time(time) if time else "0 s"


def state_diagram_description(title, current, last, states):
    """"State diagram: …" naming the states drawn, where each host is and the arrow that glows."""
    text = f"State diagram of TCP connection states{': ' + title if title else ''} (after RFC 9293 Figure 5)"
    text += f", with {len(states)} states: {', '.join(str(s) for s in states)}."
    for host, state in current.items():
        text += f" {host.capitalize() if host else 'The connection'} is in {state}." if host \
            else f" The highlighted state is {state}."
    for host, transition in last.items():
        who = f"{host}'s" if host else "the"
        text += f" The arrow of {who} last move, {transition.source} to {transition.target} " \
                f"({transition.label}), is highlighted."
    return text


def header_description(segment, highlighted):
    """"TCP header: …" naming the segment and the highlighted fields."""
    text = f"TCP header diagram of the segment {segment}, one row per 32 bits."
    if highlighted:
        text += f" Highlighted: {', '.join(highlighted)}."
    return text


def time_sequence_description(trace, host, flights):
    """"Time-sequence graph: …" with the counts a reader would look for."""
    lost = sum(f.lost for f in flights)
    again = sum(f.retransmission for f in flights)
    acks = sum(1 for e in trace.events if e.kind is Kind.DELIVER and e.host == host
               and e.segment is not None and e.segment.flags & Flags.ACK)
    span = max((f.send.time for f in flights), default=0.0)
    return (f"Time-sequence graph of the data {host} sends: relative sequence number against time, "
            f"one vertical bar per segment. {len(flights)} segments in {_seconds(span)}, "
            f"{again} retransmitted, {lost} lost on the link; the {acks} ACKs {host} receives "
            f"are a step line, and ACK plus the advertised window a dashed one.")
