"""Property-based tests: random conversations, faults and inputs keep TCP's promises."""
from hypothesis import HealthCheck, given, settings, strategies as st

from tcplab import Config, Endpoint, TcpError, Flags, Segment, State
from tcplab.core.seqspace import MODULUS, seq_add, seq_le
from tcplab.sim.apps import Close, Connect, Listen, SendBytes, Sleep, WaitEstablished, WaitPeerClose, pattern
from tcplab.sim.faults import Delay, DropNth, Duplicate, RandomLoss
from tcplab.sim.simulator import Simulator

from .helpers import SPORT
from .test_transitions import _drive_to

SETTINGS = settings(max_examples=int(__import__("os").environ.get("TCPLAB_EXAMPLES", 60)), deadline=None, suppress_health_check=[HealthCheck.too_slow])

isns = st.one_of(st.integers(0, MODULUS - 1), st.integers(MODULUS - 3000, MODULUS - 1))
faults = st.lists(st.one_of(
    st.builds(DropNth, st.integers(1, 40)),
    st.builds(Duplicate, st.integers(1, 40)),
    st.builds(Delay, st.integers(1, 40), st.floats(0.01, 0.5)),
), max_size=5)


class CheckedSimulator(Simulator):
    """A simulator that checks SND.UNA =< SND.NXT on both endpoints after every step."""

    def _collect(self, host):
        ep = host.endpoint
        assert seq_le(ep.snd_una, ep.snd_nxt), f"{ep}: SND.UNA {ep.snd_una} > SND.NXT {ep.snd_nxt}"
        super()._collect(host)


@SETTINGS
@given(up=st.integers(0, 12000), down=st.integers(0, 4000), mss=st.integers(200, 1460),
       client_isn=isns, server_isn=isns, delayed=st.sampled_from([None, 0.04, 0.2]),
       fast=st.booleans(), who_closes=st.sampled_from(["client", "server", "both"]),
       rules=faults, loss=st.sampled_from([0.0, 0.05, 0.15]), seed=st.integers(0, 10**6),
       delay=st.floats(0.001, 0.3))
def test_random_conversations_deliver_everything_once_in_order(up, down, mss, client_isn, server_isn, delayed,
                                                                fast, who_closes, rules, loss, seed, delay):
    rules = list(rules) + ([RandomLoss(loss, seed)] if loss else [])
    sim = CheckedSimulator(delay=delay, faults=rules)
    client_cfg = Config(isn=client_isn, mss=mss, delayed_ack=delayed, fast_retransmit=fast, max_retries=40)
    server_cfg = Config(isn=server_isn, mss=mss, delayed_ack=delayed, fast_retransmit=fast, max_retries=40)
    client_script = [Connect(), WaitEstablished(), SendBytes(up)]
    server_script = [Listen(), WaitEstablished(), SendBytes(down)]
    if who_closes == "client":
        client_script += [Close()]
        server_script += [WaitPeerClose(), Close()]
    elif who_closes == "server":
        server_script += [Close()]
        client_script += [WaitPeerClose(), Close()]
    else:
        client_script += [Sleep(0.5), Close()]
        server_script += [Sleep(0.5), Close()]
    sim.add_host("client", Endpoint(40000, name="client", config=client_cfg), client_script, peer="server")
    sim.add_host("server", Endpoint(SPORT, name="server", config=server_cfg), server_script, peer="client")
    trace = sim.run(until=100_000)

    assert sim.received("server") == pattern(up)
    assert sim.received("client") == pattern(down)
    for host in sim.hosts.values():
        assert host.endpoint.state is State.CLOSED, host.endpoint
    # The side(s) that closed first passed through TIME-WAIT; a late RST (the peer's FIN retransmitted
    # after TIME-WAIT ended) is the only way a reset can happen here.
    first_closers = {"client": ["client"], "server": ["server"], "both": ["client", "server"]}[who_closes]
    for name in first_closers:
        states = trace.states(name)
        assert State.TIME_WAIT in states or State.CLOSING in states or State.CLOSE_WAIT in states
    _every_segment_after_the_first_syn_carries_ack(trace)


def _every_segment_after_the_first_syn_carries_ack(trace):
    for flight in trace.flights():
        seg = flight.segment
        if seg.flags & Flags.RST or seg.flags & (Flags.SYN | Flags.ACK) == Flags.SYN:
            continue
        assert seg.flags & Flags.ACK, f"{flight.src} sent {seg} without ACK"


@SETTINGS
@given(state=st.sampled_from([s for s in State if s is not State.CLOSED]),
       steps=st.lists(st.tuples(
           st.sampled_from(["segment", "timer", "send", "close", "read", "abort"]),
           st.integers(-3000, 3000), st.integers(-3000, 3000), st.integers(0, 255), st.binary(max_size=40)),
           max_size=25))
def test_random_inputs_raise_only_documented_errors(state, steps):
    ep = _drive_to(state)
    now = 10.0
    for kind, dseq, dack, flags, payload in steps:
        now += 0.5
        try:
            if kind == "segment":
                seq = seq_add(ep.rcv_nxt, dseq)
                ack = seq_add(ep.snd_nxt, dack)
                ep.receive(Segment(ep.remote_port or 40000, ep.local_port, seq, ack, Flags(flags), 65535,
                                   payload=payload), now)
            elif kind == "timer":
                due = ep.get_timer()
                if due is not None:
                    now = max(now, due)
                    ep.handle_timer(now)
            elif kind == "send":
                ep.send(payload, now)
            elif kind == "close":
                ep.close(now)
            elif kind == "read":
                ep.read(None, now)
            else:
                ep.abort(now)
        except TcpError:
            pass
        assert seq_le(ep.snd_una, ep.snd_nxt)
        assert ep.rcv_wnd >= 0
        assert all(e.time <= now for e in ep.events)
        assert ep.state in State


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_simulation_is_deterministic(seed):
    def once():
        sim = Simulator(delay=0.03, faults=[RandomLoss(0.2, seed)])
        sim.add_host("client", Endpoint(40000, name="client", config=Config(seed=seed)),
                     [Connect(), WaitEstablished(), SendBytes(5000), Close()], peer="server")
        sim.add_host("server", Endpoint(80, name="server", config=Config(seed=seed)),
                     [Listen(), WaitPeerClose(), Close()], peer="client")
        return sim.run().events
    assert once() == once()
