"""The simulator, fault rules, app scripts, scenarios and pcap export."""
import pytest

from tcplab import scenarios, Endpoint, Flags, Segment, State, Event, Host, Kind, Trace
from tcplab.io.pcap import write_pcap
from tcplab.io.tracejson import trace_from_dict, trace_to_dict
from tcplab.io.scapy_convert import from_scapy
from tcplab.sim.apps import Connect, Listen, Send, WaitEstablished, pattern
from tcplab.sim.faults import Delay, DropNth, Duplicate, RandomLoss, Wire, is_final_ack
from tcplab.sim.simulator import Simulator


def test_every_scenario_is_deterministic_and_documented():
    for name in scenarios.names():
        assert scenarios.run(name).events == scenarios.run(name).events
        assert len(scenarios.describe(name)) > 20


def test_unknown_scenario_lists_the_names():
    with pytest.raises(ValueError, match="scenario must be one of handshake"):
        scenarios.run("nope")


def test_handshake_trace_shape():
    trace = scenarios.run("handshake")
    flags = [f.segment.flags for f in trace.flights()]
    assert flags == [Flags.SYN, Flags.SYN | Flags.ACK, Flags.ACK]
    assert trace.states("client") == [State.CLOSED, State.SYN_SENT, State.ESTABLISHED]
    assert trace.states("server") == [State.CLOSED, State.LISTEN, State.SYN_RECEIVED, State.ESTABLISHED]
    c, s = trace.isn("client"), trace.isn("server")
    assert trace.flights()[1].segment.ack == c + 1 and trace.flights()[2].segment.ack == s + 1


def test_lost_final_ack_scenario():
    trace = scenarios.run("lost-final-ack")
    drops = [f for f in trace.flights() if f.lost]
    assert len(drops) == 1 and drops[0].segment.flags == Flags.ACK and drops[0].src == "client"
    retx = [f for f in trace.flights() if f.retransmission]
    assert len(retx) == 1 and retx[0].segment.flags == Flags.FIN | Flags.ACK and retx[0].src == "server"
    assert retx[0].send.time - drops[0].send.time == pytest.approx(1.0 - 0.05)
    client_changes = [(e.before, e.state) for e in trace.state_changes("client")]
    assert (State.TIME_WAIT, State.TIME_WAIT) in client_changes  # 2MSL restarted
    assert trace.states("server")[-1] is State.CLOSED


def test_lost_final_ack_with_backoff():
    trace = scenarios.run("lost-final-ack", losses=3)
    fins = [f.send.time for f in trace.flights() if f.src == "server" and f.segment.flags & Flags.FIN]
    gaps = [round(b - a, 6) for a, b in zip(fins, fins[1:])]
    assert gaps == [1.0, 2.0, 4.0]


def test_no_time_wait_means_rst():
    trace = scenarios.run("lost-final-ack-no-time-wait")
    last = trace.flights()[-1]
    assert last.src == "client" and last.segment.flags == Flags.RST


def test_three_segment_teardown_has_three_segments_after_the_first_fin():
    trace = scenarios.run("three-segment-teardown")
    segs = trace.segments()
    first_fin = next(i for i, s in enumerate(segs) if s.flags & Flags.FIN)
    assert [s.flags for s in segs[first_fin:]] == [Flags.FIN | Flags.ACK, Flags.FIN | Flags.ACK, Flags.ACK]


def test_half_close_delivers_server_data_after_clients_fin():
    trace = scenarios.run("half-close", nbytes=5000)
    reads = [e for e in trace.events if e.kind is Kind.READ and e.host == "client"]
    assert b"".join(e.data for e in reads) == pattern(5000)


def test_inject_and_faults_validate_arguments():
    sim = Simulator()
    with pytest.raises(ValueError, match="sender must be one of"):
        sim.inject(0.0, "mars", Segment(1, 2))
    with pytest.raises(ValueError, match="delay must be"):
        Simulator(delay=0)
    with pytest.raises(ValueError, match="faults\\[0\\] must be"):
        Simulator(faults=["drop everything"])
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        DropNth(0)
    with pytest.raises(ValueError, match="rate must be a finite number >= 0 and < 1"):
        RandomLoss(1.5)
    with pytest.raises(ValueError, match="extra must be"):
        Delay(1, -1)
    with pytest.raises(ValueError, match="script\\[0\\] must be"):
        sim.add_host("a", Endpoint(1, name="a"), ["connect"], peer="b")
    with pytest.raises(ValueError, match="name must be the endpoint's name 'b'"):
        sim.add_host("a", Endpoint(1, name="b"), [], peer="b")


def test_duplicate_and_delay_rules():
    trace, sim = scenarios.conversation([Connect(), WaitEstablished(), Send(b"abc")], [WaitEstablished()],
                                        title="dup", faults=[Duplicate(4)])
    assert sim.received("server") == b"abc"
    assert sum(1 for e in trace.events if e.detail == "duplicate made by the link") == 1
    trace = scenarios.run("old-duplicate-syn")
    assert trace.states("server") == [State.CLOSED, State.LISTEN, State.SYN_RECEIVED, State.LISTEN,
                                      State.SYN_RECEIVED, State.ESTABLISHED]


def test_final_ack_predicate():
    ack = Segment(1, 2, flags=Flags.ACK)
    assert is_final_ack(Wire(1, 1, "client", ack, State.TIME_WAIT, 0.0))
    assert not is_final_ack(Wire(1, 1, "client", ack, State.ESTABLISHED, 0.0))


def test_trace_validates_events():
    with pytest.raises(ValueError, match="events\\[0\\].host must be one of"):
        Trace([Event(0.0, "mars", Kind.CALL)], [Host("client", "10.0.0.1", 1)])
    with pytest.raises(ValueError, match="goes backwards"):
        Trace([Event(1.0, "client", Kind.CALL), Event(0.5, "client", Kind.CALL)], [Host("client", "10.0.0.1", 1)])


def test_pcap_round_trip(tmp_path):
    from scapy.utils import rdpcap
    trace = scenarios.run("data-loss")
    path = tmp_path / "loss.pcap"
    assert write_pcap(trace, path) == len(trace.segments())
    packets = rdpcap(str(path))
    assert [from_scapy(p) for p in packets] == trace.segments()
    assert float(packets[-1].time) - float(packets[0].time) == pytest.approx(trace.segments() and
        trace.filter("send")[-1].time - trace.filter("send")[0].time)


def test_trace_table_and_queries():
    trace = scenarios.run("four-way-teardown")
    text = trace.table()
    assert "FIN-WAIT-2 -> TIME-WAIT" in text and text.splitlines()[0].split()[0] == "time/s"
    assert trace.state_at("client", len(trace) - 1) is State.CLOSED
    assert trace.peer_of("client") == "server"
    with pytest.raises(ValueError, match="host must be one of"):
        trace.host("mars")


def test_echo_server_sends_back_what_it_receives():
    from tcplab.sim.apps import Close, Echo, SendBytes, WaitBytes
    trace, sim = scenarios.conversation([Connect(), WaitEstablished(), SendBytes(5000), WaitBytes(5000), Close()],
                                        [Echo(), Close()], title="echo")
    assert sim.received("server") == pattern(5000)
    assert sim.received("client") == pattern(5000)
    assert trace.states("client")[-1] is State.CLOSED and trace.states("server")[-1] is State.CLOSED


def test_trace_round_trips_through_plain_data():
    import json
    trace = scenarios.run("lost-final-ack")
    trace.measurements["time_wait"] = 59.0
    again = trace_from_dict(json.loads(json.dumps(trace_to_dict(trace))))
    assert again.events == trace.events and again.hosts == trace.hosts and again.title == trace.title
    assert again.measurements == {"time_wait": 59.0}
    assert Trace([], [Host("client", "10.0.0.1", 1)]).measurements == {}


def test_a_run_cut_short_by_max_events_is_marked_truncated():
    def simulator():
        sim = Simulator()
        sim.add_host("client", Endpoint(40000, name="client"), [Connect(), WaitEstablished()], peer="server")
        sim.add_host("server", Endpoint(80, name="server"), [Listen(), WaitEstablished()], peer="client")
        return sim

    cut = simulator().run(max_events=2)
    assert cut.truncated and "TRUNCATED" in repr(cut) and cut.table().endswith("the conversation ended)")
    assert trace_from_dict(trace_to_dict(cut)).truncated
    whole = simulator().run()
    assert not whole.truncated and "truncated" not in whole.table() and "truncated" not in trace_to_dict(whole)


def test_a_subclass_sees_every_segment_sent_and_arriving_through_the_hooks():
    from tcplab.sim.apps import Close, WaitPeerClose

    class Watcher(Simulator):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.sent, self.arrived, self.events = [], [], 0

        def on_send(self, name, event):
            self.sent.append((name, event.segment))

        def on_arrive(self, name, segment):
            self.arrived.append((name, segment))

        def after_event(self):
            self.events += 1

    sim = Watcher()
    sim.add_host("client", Endpoint(40000, name="client"), [Connect(), WaitEstablished(), Close()], peer="server")
    sim.add_host("server", Endpoint(80, name="server"), [Listen(), WaitPeerClose(), Close()], peer="client")
    trace = sim.run()
    assert sim.sent == [(e.host, e.segment) for e in trace.filter(Kind.SEND)]
    assert sim.arrived == [(e.host, e.segment) for e in trace.filter(Kind.DELIVER)]
    assert sim.events >= len(sim.arrived) and sim.pending == 0


def test_pending_counts_the_work_left_after_a_run_cut_short():
    sim = Simulator()
    sim.add_host("client", Endpoint(40000, name="client"), [Connect(), WaitEstablished()], peer="server")
    sim.add_host("server", Endpoint(80, name="server"), [], peer="client")
    sim.run(until=0.01)
    assert sim.pending > 0
