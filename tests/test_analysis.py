"""tcplab.analysis: who opened and closed, the close's flights, retransmission timing, time in a state, the ACK rule."""
import pytest

from tcplab import Event, Flags, Host, Kind, Segment, State, Trace, scenarios
from tcplab.analysis import flights, invariants, roles, timing


def test_the_opener_is_the_host_that_sent_the_first_syn_without_ack():
    assert roles.opener(scenarios.run("handshake")) == "client"
    assert roles.opener(scenarios.run("rst-closed-port")) == "client"
    assert roles.is_opening_syn(Segment(1, 2, 0, 0, "S")) and not roles.is_opening_syn(Segment(1, 2, 0, 1, "SA"))
    only_server = Trace([Event(0.0, "server", Kind.SEND, segment=Segment(80, 40000, 5, 1, "SA"), packet=1)],
                        [Host("client", "10.0.0.1", 40000), Host("server", "10.0.0.2", 80)])
    assert roles.opener(only_server) is None


def test_the_first_closer_is_the_host_that_called_close_first():
    assert roles.first_closer(scenarios.run("four-way-teardown")) == "client"
    assert roles.first_closer(scenarios.run("server-closes-first")) == "server"
    assert roles.first_closer(scenarios.run("handshake")) is None


def test_closing_flights_start_at_the_first_fin():
    close = flights.closing_flights(scenarios.run("four-way-teardown"))
    assert [f.segment.flags for f in close] == [Flags.FIN | Flags.ACK, Flags.ACK, Flags.FIN | Flags.ACK, Flags.ACK]
    lost = scenarios.run("lost-final-ack")
    assert len(flights.closing_flights(lost)) == len(flights.closing_flights(lost, retransmissions=False)) + 1
    assert flights.closing_flights(scenarios.run("handshake")) == []


def test_bytes_read_counts_what_the_application_read():
    trace = scenarios.run("data-transfer", nbytes=3000)
    assert len(flights.bytes_read(trace, "server")) == 3000
    assert flights.bytes_read(trace, "server", since=trace.events[-1].time + 1) == b""


def test_retransmission_timing():
    syn_timeout = scenarios.run("syn-timeout")
    assert timing.retransmission_times(syn_timeout, "client") == [1.0, 3.0, 7.0]
    assert timing.retransmission_intervals(syn_timeout, "client") == {"SYN": [1.0, 2.0, 4.0]}
    assert timing.retransmission_intervals(scenarios.run("handshake"), "client") == {}
    assert [timing.segment_kind(Segment(1, 2, 0, 0, f)) for f in ("S", "SA", "FA", "A")] == \
        ["SYN", "SYN,ACK", "FIN", "data"]


def test_time_in_state():
    trace = scenarios.run("four-way-teardown")
    assert timing.time_in_state(trace, "client", State.TIME_WAIT) == pytest.approx(240.0)
    assert timing.time_in_state(trace, "server", State.TIME_WAIT) is None   # never there
    assert timing.time_in_state(scenarios.run("handshake"), "client", State.ESTABLISHED) is None   # never left


def test_the_ack_rule_holds_in_every_scenario_and_its_exceptions_are_counted():
    for name in scenarios.names():
        count = invariants.count_ack_bits(scenarios.run(name))
        assert count.violations == 0, name
        assert count.segments >= count.with_ack + count.opening_syns
    abort = invariants.count_ack_bits(scenarios.run("abort"))
    assert (abort.segments, abort.opening_syns, abort.rst_without_ack) == (4, 1, 1)
