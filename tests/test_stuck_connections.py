"""The scenarios of the FAQ page on stuck connections, and the transfer chapter's wraparound helpers."""
from pytest import approx

from tcplab import scenarios, Flags, State, Kind
from tcplab.chapters import faq, teardown
from tcplab.chapters.handshake import retransmission_schedule
from tcplab.chapters.transfer import bytes_read, paws_story, pure_acks, wrap_seconds


def test_half_open_is_discovered_only_when_the_client_sends():
    trace = scenarios.run("half-open", send_at=3.0)
    assert trace.states("server")[-1] is State.CLOSED
    assert State.ESTABLISHED in trace.states("client")
    assert faq.learned_reset_at(trace) == approx(3.1)
    rst = [f.segment for f in trace.flights() if f.src == "server" and f.segment.flags & Flags.RST][-1]
    data = next(f.segment for f in trace.flights() if f.segment.payload)
    assert rst.seq == data.ack                     # <SEQ=SEG.ACK><CTL=RST>, RFC 9293 §3.10.7.1


def _probes(trace):
    return [f for f in trace.flights() if f.send.detail.startswith("keep-alive probe")]


def test_keepalive_timer_probes_after_two_idle_hours_and_a_live_peer_answers():
    alive = scenarios.run("keepalive")
    (probe,) = _probes(alive)
    assert probe.send.time == approx(0.1 + 7200) and probe.segment.seq == 1000 and not probe.segment.payload
    answer = next(f for f in alive.flights() if f.src == "server" and f.send.time > probe.send.time)
    assert answer.segment.flags == Flags.ACK and answer.segment.ack == 1001
    assert faq.learned_reset_at(alive) is None and faq.final_states(alive) == {"client": State.CLOSED,
                                                                              "server": State.CLOSED}


def test_keepalive_probe_to_a_crashed_peer_gets_a_rst():
    crashed = scenarios.run("keepalive", peer="crashed")
    assert len(_probes(crashed)) == 1
    assert faq.learned_reset_at(crashed) == approx(0.1 + 7200 + 0.1)


def test_keepalive_gives_up_on_a_silent_peer_after_the_last_probe():
    silent = scenarios.run("keepalive", peer="silent", idle=60, interval=10, probes=3)
    assert [round(f.send.time - 0.1, 6) for f in _probes(silent)] == [60, 70, 80]
    (error,) = [e for e in silent.events if e.kind is Kind.ERROR and e.host == "client"]
    assert error.time == approx(0.1 + 90) and "3 keep-alive probes" in error.detail
    assert faq.final_states(silent) == {"client": State.CLOSED, "server": State.CLOSED}   # the RST got through


def test_paws_keeps_an_old_duplicate_from_the_previous_wrap_out_of_the_stream():
    assert bytes_read(scenarios.run("paws-wraparound", timestamps=False), "server") == b"data" * 250 + b"OLD!" * 250
    protected = scenarios.run("paws-wraparound")
    assert bytes_read(protected, "server") == b"data" * 250 + b"new." * 250
    assert any(e.detail == "ACK after a PAWS drop" for e in protected.events)
    assert paws_story(protected).endswith("PAWS drops it")
    assert paws_story(scenarios.run("paws-wraparound", timestamps=False)).startswith("no timestamps")


def test_close_wait_lasts_as_long_as_the_application():
    states = faq.final_states(scenarios.run("close-wait-leak"))
    assert states == {"client": State.FIN_WAIT_2, "server": State.CLOSE_WAIT}


def test_full_accept_queue_leaves_the_server_in_syn_received_until_it_has_room():
    trace = scenarios.run("accept-queue-full")
    established = next(e.time for e in trace.state_changes("server") if e.state is State.ESTABLISHED)
    client_established = next(e.time for e in trace.state_changes("client") if e.state is State.ESTABLISHED)
    assert client_established < 0.2 < 2.5 < established
    assert sum(1 for f in trace.flights() if f.src == "server" and f.retransmission) == 2


def test_lost_fin_is_retransmitted_after_the_rto_floor():
    trace = scenarios.run("lost-fin")
    assert [round(f.send.time, 3) for f in trace.flights() if f.retransmission] == [1.2]


def test_teardown_stepper_starts_at_the_first_fin():
    trace = scenarios.run("four-way-teardown")
    from tcplab.views.widgets import select_steps
    step = select_steps(trace)[teardown.first_fin_step(trace) - 1]
    assert any(trace.events[i].kind is Kind.SEND and trace.events[i].segment.flags & Flags.FIN for i in step.events)


def test_linux_syn_schedule_has_four_linear_retransmissions_first():
    assert retransmission_schedule(6, linear=4).sends == (1, 2, 3, 4, 5, 7, 11, 19, 35, 67)
    assert retransmission_schedule(6, linear=4).give_up == 131
    assert retransmission_schedule(6).give_up == 127


def test_wraparound_time():
    assert round(wrap_seconds(1e9), 1) == 34.4


def test_delayed_ack_leaves_one_pure_ack():
    assert len(pure_acks(scenarios.run("data-transfer", nbytes=4000))) == 4
    assert len(pure_acks(scenarios.run("data-transfer", nbytes=4000, delayed_ack=0.2))) == 1


def test_nagle_waits_for_the_delayed_ack_and_nodelay_does_not():
    def reply_time(trace):
        return next(f.send.time for f in trace.flights() if f.src == "server" and f.segment.payload)
    nagle, nodelay = scenarios.run("nagle-stall"), scenarios.run("nagle-stall", nodelay=True)
    assert reply_time(nagle) == approx(reply_time(nodelay) + 0.3)   # the 0.2 s delayed ACK, then a round trip
