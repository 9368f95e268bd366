"""Every row of the transition table against RFC 9293 Figure 5, and every row exercised."""
import pytest

from tcplab import scenarios, Kind
from tcplab.core.states import State, TRANSITIONS, find_transition

S = State

# RFC 9293 Figure 5, transcribed arrow by arrow (source, event, target).
FIGURE_5 = {
    (S.CLOSED, "passive OPEN", S.LISTEN), (S.CLOSED, "active OPEN", S.SYN_SENT),
    (S.LISTEN, "rcv SYN", S.SYN_RECEIVED), (S.LISTEN, "SEND", S.SYN_SENT), (S.LISTEN, "CLOSE", S.CLOSED),
    (S.SYN_SENT, "rcv SYN", S.SYN_RECEIVED), (S.SYN_SENT, "rcv SYN,ACK", S.ESTABLISHED),
    (S.SYN_SENT, "CLOSE", S.CLOSED),
    (S.SYN_RECEIVED, "rcv ACK of SYN", S.ESTABLISHED), (S.SYN_RECEIVED, "CLOSE", S.FIN_WAIT_1),
    (S.SYN_RECEIVED, "rcv RST", S.LISTEN),  # Note 1
    (S.ESTABLISHED, "CLOSE", S.FIN_WAIT_1), (S.ESTABLISHED, "rcv FIN", S.CLOSE_WAIT),
    (S.FIN_WAIT_1, "rcv ACK of FIN", S.FIN_WAIT_2), (S.FIN_WAIT_1, "rcv FIN", S.CLOSING),
    (S.FIN_WAIT_2, "rcv FIN", S.TIME_WAIT), (S.CLOSING, "rcv ACK of FIN", S.TIME_WAIT),
    (S.CLOSE_WAIT, "CLOSE", S.LAST_ACK), (S.LAST_ACK, "rcv ACK of FIN", S.CLOSED),
    (S.TIME_WAIT, "timeout=2MSL", S.CLOSED),
}


def test_drawn_rows_are_exactly_figure_5():
    drawn = {(t.source, t.event, t.target) for t in TRANSITIONS if t.drawn}
    assert drawn == FIGURE_5


def test_every_state_appears():
    seen = {t.source for t in TRANSITIONS} | {t.target for t in TRANSITIONS}
    assert seen == set(State) and len(State) == 11


def test_rows_are_unique():
    keys = [(t.source, t.event, t.target) for t in TRANSITIONS]
    assert len(keys) == len(set(keys))


def test_figure_5_draws_one_rst_arrow_and_no_abort_or_timeout():
    drawn = [t for t in TRANSITIONS if t.drawn and ("RST" in t.event or t.event in ("ABORT", "retransmission limit"))]
    assert [(t.source, t.target) for t in drawn] == [(S.SYN_RECEIVED, S.LISTEN)]


def test_note_2_transition_is_not_drawn():
    row = find_transition(S.FIN_WAIT_1, "rcv FIN, ACK of FIN")
    assert not row.drawn and "Note 2" in row.reference


def test_find_transition_names_the_allowed_events():
    with pytest.raises(ValueError, match="allowed: .*rcv FIN"):
        find_transition(S.FIN_WAIT_2, "CLOSE")


def _walked_rows():
    """Rows recorded by the endpoint while running every scenario and the endpoint unit tests' sequences."""
    from . import test_endpoint
    walked = set()
    for name in scenarios.names():
        for e in scenarios.run(name).events:
            if e.kind is Kind.STATE:
                walked.add((e.before, e.detail, e.state))
    # The unit tests in test_endpoint drive the rarer rows; run them with recording.
    for fn in [getattr(test_endpoint, n) for n in dir(test_endpoint) if n.startswith("test_")]:
        if getattr(fn, "pytestmark", None):
            continue
        _Recorder.run(fn, walked)
    return walked


class _Recorder:
    """Run a test function while capturing every transition every Endpoint makes."""

    @staticmethod
    def run(fn, walked):
        from tcplab.core import endpoint as module
        original = module.Endpoint._move

        def move(self, event, target=None):
            before = self.state
            original(self, event, target)
            walked.add((before, self.events[-1].detail, self.state))
        module.Endpoint._move = move
        try:
            fn()
        finally:
            module.Endpoint._move = original


def test_every_row_is_walked_by_a_scenario_or_unit_test():
    walked = _walked_rows()
    missing = [f"{t.source} --{t.label}--> {t.target}" for t in TRANSITIONS
               if (t.source, t.label, t.target) not in walked]
    # ABORT, RST, the retransmission and keep-alive limits from every state are exercised one by one below.
    per_state = ("ABORT", "retransmission limit", "keep-alive limit") + tuple(f"--{t.label}-->" for t in RESET_ROWS)
    assert not [m for m in missing if not any(p in m for p in per_state)], missing


#: An acceptable RST in a synchronized state: "connection reset", or in CLOSING, LAST-ACK and
#: TIME-WAIT just the TCB deleted (§3.10.7.4).
RESET_ROWS = [t for t in TRANSITIONS if t.event == "rcv RST" and t.action in ("connection reset", "delete TCB")]


def test_a_reset_tells_the_user_only_where_the_user_may_still_receive():
    told = {t.source for t in RESET_ROWS if t.action == "connection reset"}
    assert told == {S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT}
    assert {t.source for t in RESET_ROWS} - told == {S.CLOSING, S.LAST_ACK, S.TIME_WAIT}


@pytest.mark.parametrize("row", RESET_ROWS, ids=lambda t: str(t.source))
def test_exact_rst_from_every_synchronized_state(row):
    from tcplab import Segment, Flags
    ep = _drive_to(row.source)
    ep.receive(Segment(ep.remote_port, ep.local_port, ep.rcv_nxt, 0, Flags.RST), 9.0)
    assert ep.state is State.CLOSED and ep.transitions[-1].detail == row.label


@pytest.mark.parametrize("row", [t for t in TRANSITIONS if t.event == "ABORT"], ids=lambda t: str(t.source))
def test_abort_from_every_state(row):
    from tcplab import Flags
    ep = _drive_to(row.source)
    out = ep.abort(9.0)
    assert ep.state is State.CLOSED
    assert bool(out and out[0].flags & Flags.RST) == (row.action == "snd RST")
    assert ep.transitions[-1].detail == row.label


@pytest.mark.parametrize("row", [t for t in TRANSITIONS if t.event == "retransmission limit"],
                         ids=lambda t: str(t.source))
def test_retransmission_limit_from_every_state(row):
    ep = _drive_to(row.source, max_retries=2, syn_retries=2)
    for _ in range(10):
        if ep.state is State.CLOSED:
            break
        ep.handle_timer(ep.get_timer())
    assert ep.state is State.CLOSED and ep.transitions[-1].detail == row.label


@pytest.mark.parametrize("row", [t for t in TRANSITIONS if t.event == "keep-alive limit"],
                         ids=lambda t: str(t.source))
def test_keepalive_limit_from_every_state(row):
    from tcplab import Flags
    from tcplab.core.config import KeepAlive
    from tcplab.core.errors import ConnectionTimedOut
    from .helpers import established
    client, server = established(keepalive=KeepAlive(idle=10, interval=1, probes=2))
    ep = client
    if row.source is not S.ESTABLISHED:
        (fin,) = client.close(1.0)
        (ack,) = server.receive(fin, 1.1)
        client.receive(ack, 1.2)
        ep = server if row.source is S.CLOSE_WAIT else client
    assert ep.state is row.source
    sent = []
    while ep.state is not State.CLOSED:
        sent += ep.handle_timer(ep.get_timer())
    assert [s.flags for s in sent] == [Flags.ACK, Flags.ACK, Flags.RST]
    assert ep.transitions[-1].detail == row.label and isinstance(ep.error, ConnectionTimedOut)


def _drive_to(state, **config):
    """An endpoint in *state*, with something outstanding where the state allows it."""
    from .helpers import SPORT, endpoints, established
    from tcplab import Segment, Flags
    if state is S.LISTEN:
        ep, _ = endpoints(**config)
        ep.listen()
        return ep
    if state is S.SYN_SENT:
        ep, _ = endpoints(**config)
        ep.connect(SPORT)
        return ep
    if state is S.SYN_RECEIVED:
        client, server = endpoints(**config)
        server.listen()
        (syn,) = client.connect(SPORT)
        server.receive(syn, 0.1)
        return server
    client, server = established(**config)
    if state is S.ESTABLISHED:
        client.send(b"outstanding", 1.0)
        return client
    if state is S.FIN_WAIT_1:
        client.close(1.0)
        return client
    if state is S.CLOSE_WAIT:
        (fin,) = client.close(1.0)
        server.receive(fin, 1.1)
        server.send(b"outstanding", 1.2)
        return server
    (fin,) = client.close(1.0)
    if state is S.CLOSING:
        server.close(1.0)
        client.receive(Segment(SPORT, client.local_port, 5001, 1001, Flags.FIN | Flags.ACK), 1.1)
        return client
    (ack,) = server.receive(fin, 1.1)
    client.receive(ack, 1.2)
    if state is S.FIN_WAIT_2:
        return client
    (fin2,) = server.close(1.3)
    if state is S.LAST_ACK:
        return server
    client.receive(fin2, 1.4)
    assert state is S.TIME_WAIT
    return client
