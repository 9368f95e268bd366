"""The TCP connection states and the transitions between them, declared as data.

`TRANSITIONS` is the single source of truth: the endpoint refuses to make a move
that is not in it, the state diagram is drawn from it, and the tests check every
row against RFC 9293 Figure 5 (§3.3.2) and the event processing of §3.10.
"""

from dataclasses import dataclass
from enum import Enum


class State(str, Enum):
    """The eleven states of RFC 9293 §3.3.2 (CLOSED is "fictional": no TCB)."""

    CLOSED = "CLOSED"
    LISTEN = "LISTEN"
    SYN_SENT = "SYN-SENT"
    SYN_RECEIVED = "SYN-RECEIVED"
    ESTABLISHED = "ESTABLISHED"
    FIN_WAIT_1 = "FIN-WAIT-1"
    FIN_WAIT_2 = "FIN-WAIT-2"
    CLOSE_WAIT = "CLOSE-WAIT"
    CLOSING = "CLOSING"
    LAST_ACK = "LAST-ACK"
    TIME_WAIT = "TIME-WAIT"

    def __str__(self):
        return self.value

    @property
    def synchronized(self):
        """True once both ISNs are known (ESTABLISHED and every later state)."""
        return self not in (State.CLOSED, State.LISTEN, State.SYN_SENT, State.SYN_RECEIVED)


#: Which side of a connection usually walks a transition, for colouring diagrams.
CLIENT, SERVER, BOTH, UNUSUAL = "client", "server", "both", "unusual"


@dataclass(frozen=True)
class Transition:
    """One arrow of the state diagram: in *source*, on *event*, do *action*, go to *target*."""

    source: State
    event: str
    action: str
    target: State
    path: str
    drawn: bool
    reference: str

    @property
    def label(self):
        """The RFC's "event / action" label."""
        return f"{self.event} / {self.action}" if self.action else self.event


def _t(source, event, action, target, path, reference, drawn=True):
    return Transition(source, event, action, target, path, drawn, reference)


S = State
TRANSITIONS = (
    # --- Figure 5 --------------------------------------------------------------
    _t(S.CLOSED, "passive OPEN", "create TCB", S.LISTEN, SERVER, "Figure 5"),
    _t(S.CLOSED, "active OPEN", "create TCB, snd SYN", S.SYN_SENT, CLIENT, "Figure 5"),
    _t(S.LISTEN, "rcv SYN", "snd SYN,ACK", S.SYN_RECEIVED, SERVER, "Figure 5"),
    _t(S.LISTEN, "SEND", "snd SYN", S.SYN_SENT, UNUSUAL, "Figure 5"),
    _t(S.LISTEN, "CLOSE", "delete TCB", S.CLOSED, SERVER, "Figure 5"),
    _t(S.SYN_SENT, "rcv SYN", "snd SYN,ACK", S.SYN_RECEIVED, UNUSUAL, "Figure 5 (simultaneous open)"),
    _t(S.SYN_SENT, "rcv SYN,ACK", "snd ACK", S.ESTABLISHED, CLIENT, "Figure 5"),
    _t(S.SYN_SENT, "CLOSE", "delete TCB", S.CLOSED, CLIENT, "Figure 5"),
    _t(S.SYN_RECEIVED, "rcv ACK of SYN", "", S.ESTABLISHED, SERVER, "Figure 5"),
    _t(S.SYN_RECEIVED, "CLOSE", "snd FIN", S.FIN_WAIT_1, UNUSUAL, "Figure 5"),
    _t(S.ESTABLISHED, "CLOSE", "snd FIN", S.FIN_WAIT_1, BOTH, "Figure 5"),
    _t(S.ESTABLISHED, "rcv FIN", "snd ACK", S.CLOSE_WAIT, BOTH, "Figure 5"),
    _t(S.FIN_WAIT_1, "rcv ACK of FIN", "", S.FIN_WAIT_2, BOTH, "Figure 5"),
    _t(S.FIN_WAIT_1, "rcv FIN", "snd ACK", S.CLOSING, UNUSUAL, "Figure 5 (simultaneous close)"),
    _t(S.FIN_WAIT_1, "rcv FIN, ACK of FIN", "snd ACK", S.TIME_WAIT, BOTH,
       "Figure 5 Note 2 (omitted from the figure); §3.10.7.4", drawn=False),
    _t(S.FIN_WAIT_2, "rcv FIN", "snd ACK", S.TIME_WAIT, BOTH, "Figure 5"),
    _t(S.CLOSE_WAIT, "CLOSE", "snd FIN", S.LAST_ACK, BOTH, "Figure 5"),
    _t(S.CLOSING, "rcv ACK of FIN", "", S.TIME_WAIT, UNUSUAL, "Figure 5"),
    _t(S.LAST_ACK, "rcv ACK of FIN", "", S.CLOSED, BOTH, "Figure 5"),
    _t(S.TIME_WAIT, "timeout=2MSL", "delete TCB", S.CLOSED, BOTH, "Figure 5"),
    # --- event processing of §3.10: Note 1's reset (drawn), and moves Figure 5 does not draw --
    _t(S.TIME_WAIT, "rcv FIN", "snd ACK, restart 2MSL", S.TIME_WAIT, BOTH, "§3.10.7.4 (TIME-WAIT)", drawn=False),
    _t(S.SYN_RECEIVED, "rcv RST", "", S.LISTEN, SERVER, "Figure 5 (Note 1); §3.10.7.4"),
    _t(S.SYN_RECEIVED, "rcv SYN", "", S.LISTEN, SERVER, "§3.10.7.4 (fourth, check the SYN bit)", drawn=False),
    _t(S.SYN_RECEIVED, "rcv RST", "connection refused", S.CLOSED, UNUSUAL, "§3.10.7.4", drawn=False),
    _t(S.SYN_SENT, "rcv RST,ACK", "connection reset", S.CLOSED, CLIENT, "§3.10.7.3", drawn=False),
)
# An acceptable RST tells the user "connection reset" where the user may still receive; in
# CLOSING, LAST-ACK and TIME-WAIT §3.10.7.4 only enters CLOSED and deletes the TCB.
_RESET_ACTIONS = {S.ESTABLISHED: "connection reset", S.FIN_WAIT_1: "connection reset",
                  S.FIN_WAIT_2: "connection reset", S.CLOSE_WAIT: "connection reset",
                  S.CLOSING: "delete TCB", S.LAST_ACK: "delete TCB", S.TIME_WAIT: "delete TCB"}
TRANSITIONS += tuple(
    _t(s, "rcv RST", action, S.CLOSED, BOTH, "§3.10.7.4", drawn=False) for s, action in _RESET_ACTIONS.items())
_ABORT_ACTIONS = {S.LISTEN: "delete TCB", S.SYN_SENT: "delete TCB", S.SYN_RECEIVED: "snd RST",
                  S.ESTABLISHED: "snd RST", S.FIN_WAIT_1: "snd RST", S.FIN_WAIT_2: "snd RST",
                  S.CLOSE_WAIT: "snd RST", S.CLOSING: "delete TCB", S.LAST_ACK: "delete TCB",
                  S.TIME_WAIT: "delete TCB"}
TRANSITIONS += tuple(
    _t(s, "ABORT", action, S.CLOSED, BOTH, "§3.10.5 (ABORT)", drawn=False) for s, action in _ABORT_ACTIONS.items())
TRANSITIONS += tuple(
    _t(s, "retransmission limit", "connection timed out", S.CLOSED, BOTH, "§3.8.3 (R2)",
       drawn=False)
    for s in (S.SYN_SENT, S.SYN_RECEIVED, S.ESTABLISHED, S.FIN_WAIT_1, S.CLOSE_WAIT, S.CLOSING, S.LAST_ACK))
#: The states in which an idle connection may be probed: nothing of ours can be outstanding in them.
KEEPALIVE_STATES = (S.ESTABLISHED, S.CLOSE_WAIT, S.FIN_WAIT_2)
TRANSITIONS += tuple(
    _t(s, "keep-alive limit", "snd RST, connection timed out", S.CLOSED, BOTH,
       "§3.8.4 (keep-alives); a RST as Linux sends", drawn=False)
    for s in KEEPALIVE_STATES)
del S


def find_transition(source, event, target=None):
    """The row for (*source*, *event*[, *target*]), or ValueError listing what *source* allows."""
    for row in TRANSITIONS:
        if row.source is source and row.event == event and (target is None or row.target is target):
            return row
    allowed = sorted({row.event for row in TRANSITIONS if row.source is source})
    raise ValueError(f"event {event!r} is not a transition of state {source}; allowed: {', '.join(allowed)}")
