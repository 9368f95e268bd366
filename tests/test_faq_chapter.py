"""What tcplab.chapters.faq adds for the FAQ pages: the ACK table, port budget, challenge ACK, abort, exercises."""
import pytest

from tcplab import scenarios, Flags, State
from tcplab.chapters import faq
from tcplab.chapters.exercises import check


def test_ack_rule_table_accounts_for_every_segment():
    rows = faq.ack_rule_table()
    assert [r.scenario for r in rows] == scenarios.names()
    for r in rows:
        assert r.violations == 0
        assert r.with_ack + r.opening_syns + r.rst_without_ack == r.segments, r
    assert sum(r.rst_without_ack for r in rows) >= 3


def test_port_budget_matches_the_linux_defaults():
    ports, rate = faq.port_budget()
    assert ports == 28232 and round(rate) == 471
    with pytest.raises(ValueError, match="last must be an integer in 5..65535"):
        faq.port_budget(5, 4)
    with pytest.raises(ValueError, match="time_wait"):
        faq.port_budget(time_wait=0)


def test_time_wait_ports_fail_only_above_the_budget():
    assert faq.time_wait_ports(400)[1] == 0
    made, failed, peak = faq.time_wait_ports(600)
    assert failed > 0 and peak == 28232 and made + failed == 600 * 120
    with pytest.raises(ValueError, match="rate"):
        faq.time_wait_ports(-1)


def test_challenge_ack_only_exact_rst_resets():
    trace = faq.challenge_ack()
    replies = [e for e in trace.filter("send", "server") if e.detail == "challenge ACK"]
    assert len(replies) == 1 and replies[0].time == pytest.approx(1.05)
    assert trace.states("server")[-1] is State.CLOSED
    assert [e.time for e in trace.state_changes("server")][-1] == pytest.approx(1.55)


def test_abort_discards_unread_data_close_delivers_it():
    assert faq.abort_or_close("close")[1] == b"0123456789" * 300
    trace, data = faq.abort_or_close("abort")
    assert data == b"" and any(s.flags & Flags.RST for s in trace.segments())
    with pytest.raises(ValueError, match="how must be"):
        faq.abort_or_close("shutdown")


def test_lost_final_ack_exercise_matches_the_simulation():
    trace = scenarios.run("lost-final-ack", losses=2)
    fins = [f.send.time for f in trace.flights() if f.segment.flags & Flags.FIN and f.retransmission]
    assert check("lost-final-ack-1", fins[1]).correct


@pytest.mark.parametrize("key,answer", [("ack-vs-ack-1", 1501), ("why-three-1", "rst"), ("why-four-1", 3),
                                        ("time-wait-1", 925.6), ("rst-1", "challenge ACK")])
def test_faq_exercises(key, answer):
    assert check(key, answer).correct
    assert not check(key, None).correct


def test_endpoint_in_time_wait_refuses_a_new_connect_and_challenges_a_syn():
    from tcplab import InvalidCall
    from tcplab import Segment
    client, trace = faq.endpoint_in_time_wait()
    assert client.state is State.TIME_WAIT and client.get_timer() == pytest.approx(trace.events[-1].time + 240, abs=1)
    with pytest.raises(InvalidCall, match="TIME-WAIT"):
        client.connect(80, now=1.0)
    [reply] = client.receive(Segment(80, 40000, 9000, 0, "S"), now=1.0)
    assert reply.flags == Flags.ACK


def test_predict_then_run_exercises_match_the_simulations():
    from tcplab import Kind
    from tcplab.analysis.flights import closing_flights
    from tcplab.core.seqspace import seq_relative

    transfer = scenarios.run("data-transfer", nbytes=3000)
    iss = transfer.isn("client")
    data_acks = [seq_relative(f.segment.ack, iss) for f in transfer.flights()
                 if f.src == "server" and f.segment.flags & Flags.ACK and not f.segment.flags & Flags.FIN
                 and seq_relative(f.segment.ack, iss) <= 3001]
    assert check("ack-vs-ack-predict", max(data_acks)).correct
    close = closing_flights(scenarios.run("three-segment-teardown", delayed_ack=None))
    assert check("why-four-predict", len(close)).correct
    last = scenarios.run("lost-final-ack-no-time-wait").flights()[-1]
    assert last.src == "client" and check("time-wait-predict", last.segment.flags.label()).correct
    states = [e.state for e in scenarios.run("abort").events if e.kind is Kind.STATE and e.host == "server"]
    assert check("rst-predict", str(states[-1])).correct
