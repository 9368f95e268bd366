"""What a capture does not show: each host's states, and which segments were retransmissions.

Pure functions from a Trace to a Trace: the states are inferred from the segments each
host sent and received, following the transition table.
"""

from ..core.segment import Flags
from ..core.seqspace import seq_add, seq_ge, seq_gt
from ..core.states import State, find_transition
from ..core.trace import Event, Kind, Trace
from .roles import is_opening_syn

INFERRED = "inferred from segments"


def mark_retransmissions(trace, hosts=None):
    """Flag SEND events of *hosts* (default all) that repeat sequence space already sent."""
    highest = {}
    events = []
    for event in trace.events:
        if event.kind is Kind.SEND and event.segment.len and (hosts is None or event.host in hosts):
            sent = highest.get(event.host)
            if sent is not None and not seq_gt(event.segment.end_seq, sent):
                event = event.with_changes(retransmission=True, detail=event.detail or "retransmission")
            else:
                highest[event.host] = event.segment.end_seq
        events.append(event)
    return Trace(events, trace.hosts, trace.title)


# ----------------------------------------------------------------- the observer
class Observer:
    """Infers the RFC 9293 states one host passes through from the segments it sends and receives."""

    def __init__(self, passive):
        self.state = State.LISTEN if passive else State.CLOSED
        self.iss = None
        self.fin_seq = None
        self.peer_fin = False

    def sent(self, seg):
        """The (event, target) moves implied by sending *seg*."""
        moves = []
        if is_opening_syn(seg) and self.iss is None:
            self.iss = seg.seq
            moves.append(("active OPEN" if self.state is State.CLOSED else "SEND", State.SYN_SENT))
        elif seg.flags & Flags.SYN and self.iss is None:
            self.iss = seg.seq
        if seg.flags & Flags.FIN and self.fin_seq is None:
            self.fin_seq = seq_add(seg.seq, len(seg.payload))
            target = State.LAST_ACK if self.state is State.CLOSE_WAIT else State.FIN_WAIT_1
            moves.append(("CLOSE", target))
        if seg.flags & Flags.RST and self.state not in (State.CLOSED, State.LISTEN):
            moves.append(("ABORT", State.CLOSED))
        return self._apply(moves)

    def received(self, seg):
        """The (event, target) moves implied by receiving *seg*."""
        state, flags = self.state, seg.flags
        if flags & Flags.RST:
            return self._apply(self._on_reset(flags))
        if state is State.SYN_SENT:
            if flags & Flags.SYN:
                event = "rcv SYN,ACK" if flags & Flags.ACK else "rcv SYN"
                target = State.ESTABLISHED if flags & Flags.ACK else State.SYN_RECEIVED
                return self._apply([(event, target)])
            return []
        if state is State.LISTEN:
            return self._apply([("rcv SYN", State.SYN_RECEIVED)] if flags == Flags.SYN else [])
        moves = []
        if state is State.SYN_RECEIVED and flags & Flags.ACK and self.iss is not None \
                and seq_gt(seg.ack, self.iss):
            moves.append(("rcv ACK of SYN", State.ESTABLISHED))
        return self._apply(moves) + self._apply(self._on_fin_and_ack(seg))

    def _on_reset(self, flags):
        if self.state is State.SYN_SENT:
            return [("rcv RST,ACK", State.CLOSED)] if flags & Flags.ACK else []
        if self.state is State.SYN_RECEIVED:
            return [("rcv RST", State.LISTEN)]
        return [("rcv RST", State.CLOSED)] if self.state.synchronized else []

    def _on_fin_and_ack(self, seg):
        fin = bool(seg.flags & Flags.FIN) and not self.peer_fin
        ours_acked = self.fin_seq is not None and seg.flags & Flags.ACK and seq_ge(seg.ack, seq_add(self.fin_seq, 1))
        self.peer_fin = self.peer_fin or fin
        state = self.state
        if state is State.FIN_WAIT_1 and ours_acked and fin:
            return [("rcv FIN, ACK of FIN", State.TIME_WAIT)]
        if state is State.FIN_WAIT_1 and ours_acked:
            return [("rcv ACK of FIN", State.FIN_WAIT_2)]
        if state is State.FIN_WAIT_1 and fin:
            return [("rcv FIN", State.CLOSING)]
        if state is State.CLOSING and ours_acked:
            return [("rcv ACK of FIN", State.TIME_WAIT)]
        if state is State.LAST_ACK and ours_acked:
            return [("rcv ACK of FIN", State.CLOSED)]
        if fin and state in (State.ESTABLISHED, State.FIN_WAIT_2):
            return [("rcv FIN", State.CLOSE_WAIT if state is State.ESTABLISHED else State.TIME_WAIT)]
        return []

    def _apply(self, moves):
        """Take each move the state table allows; return (before, after) pairs."""
        done = []
        for event, target in moves:
            try:
                find_transition(self.state, event, target)
            except ValueError:
                continue  # not a move the observer can vouch for
            done.append((self.state, target))
            self.state = target
        return done


def infer_states(trace, hosts=None):
    """A copy of *trace* with STATE events inferred for *hosts* (default: every host).

    SEND and DELIVER events of those hosts get their `state` filled in the way the
    simulator does: a SEND carries the state after sending, a DELIVER the state before
    the segment is processed.  A host that answers a SYN with SYN,ACK was in LISTEN.
    """
    names = [h.name for h in trace.hosts] if hosts is None else list(hosts)
    for name in names:
        trace.host(name)  # raises with the allowed names
    observers = {name: Observer(_is_passive(trace, name)) for name in names}
    events = []
    start = trace.events[0].time if trace.events else 0.0
    for name, observer in observers.items():
        if observer.state is State.LISTEN:
            events.append(Event(start, name, Kind.STATE, state=State.LISTEN, before=State.CLOSED, detail=INFERRED))
    for event in trace.events:
        observer = observers.get(event.host)
        if observer is None or event.kind not in (Kind.SEND, Kind.DELIVER):
            events.append(event)
            continue
        if event.kind is Kind.DELIVER:
            events.append(event.with_changes(state=observer.state))
            moves = observer.received(event.segment)
        else:
            moves = observer.sent(event.segment)
            events.append(event.with_changes(state=observer.state))
        events += [Event(event.time, event.host, Kind.STATE, state=after, before=before, detail=INFERRED)
                   for before, after in moves]
    return Trace(events, trace.hosts, trace.title)


def _is_passive(trace, name):
    for event in trace.events:
        if event.kind is Kind.SEND and event.host == name and event.segment.flags & Flags.SYN:
            return bool(event.segment.flags & Flags.ACK)
    return False
