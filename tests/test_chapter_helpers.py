"""The chapter helper modules: handshake, transfer, teardown, faq."""
import pytest

from tcplab import scenarios, Flags, Segment
from tcplab.chapters import faq, handshake, teardown, transfer


def test_hand_built_handshake_matches_the_simulation_rules():
    hs = handshake.handshake_segments(client_isn=2**32 - 1, server_isn=7)
    assert hs.syn_ack.ack == 0 and hs.ack.seq == 0 and hs.ack.ack == 8
    assert hs.syn.flags == Flags.SYN and hs.syn_ack.flags == Flags.SYN | Flags.ACK


@pytest.mark.parametrize("name", ["handshake", "lost-syn", "lost-syn-ack", "old-duplicate-syn"])
def test_handshake_claims_hold(name):
    checks = handshake.check_handshake(scenarios.run(name))
    assert checks and all(ok for _, ok in checks), checks


def test_handshake_claims_fail_on_a_trace_without_handshake():
    assert handshake.check_handshake(scenarios.run("rst-closed-port"))[0][1] is False


def test_syn_retransmissions_back_off():
    assert handshake.retransmission_times(scenarios.run("syn-timeout"), "client") == [1.0, 3.0, 7.0]


def test_syn_flood_model():
    without = handshake.syn_flood(spoofed_syns=500, syn_backlog=128)
    with_cookies = handshake.syn_flood(spoofed_syns=500, syn_backlog=128, syn_cookies=True)
    small = handshake.syn_flood(spoofed_syns=10, syn_backlog=128)
    assert (without.legit_connected, with_cookies.legit_connected, small.legit_connected) == (0, 5, 5)
    assert without.half_open_peak == 128
    with pytest.raises(ValueError, match="syn_backlog must be"):
        handshake.syn_flood(syn_backlog=-1)


def test_syn_cookie_round_trip_and_expiry():
    key, four = b"secret", ("10.0.0.1", 40000, "10.0.0.2", 80)
    cookie = handshake.syn_cookie(key, four, 1460, now=1000.0)
    assert handshake.check_syn_cookie(key, four, (cookie + 1) % 2**32, now=1010.0) == 1460
    assert handshake.check_syn_cookie(key, four, (cookie + 1) % 2**32, now=1000.0 + 64 * 3) is None
    assert handshake.check_syn_cookie(b"other", four, (cookie + 1) % 2**32, now=1010.0) is None
    assert handshake.check_syn_cookie(key, four, (cookie + 1) % 2**32, now=1010.0) is not None
    assert handshake.syn_cookie(key, four, 1000, now=0.0) >> 24 & 7 == 0  # rounded down to 536


def test_sequence_table_is_relative_to_isns():
    rows = transfer.sequence_table(scenarios.run("data-transfer"))
    assert (rows[0].seq, rows[0].next_seq) == (0, 1)
    data = [r for r in rows if r.length and r.sender == "client" and "SYN" not in r.flags and "FIN" not in r.flags]
    assert [r.seq for r in data] == [1, 1461, 2921]


def test_transfer_summary_counts_loss():
    s = transfer.transfer_summary(scenarios.run("fast-retransmit"))
    assert (s.lost, s.retransmissions, s.fast_retransmissions) == (1, 1, 1) and s.duplicate_acks >= 3
    assert transfer.transfer_summary(scenarios.run("zero-window")).zero_window_adverts >= 1


def test_stream_loses_boundaries_and_framing_restores_them():
    assert transfer.stream_demo([b"hello ", b"world ", b"again"]) == [b"hello world again"]
    assert [len(c) for c in transfer.stream_demo([b"x" * 10000], bufsize=4096)] == [4096, 4096, 1808]
    assert transfer.framed_demo([b"hello ", b"world ", b"again"]) == [b"hello ", b"world ", b"again"]
    with pytest.raises(ValueError, match="messages must be a list of bytes"):
        transfer.stream_demo("hello")
    with pytest.raises(ValueError, match="bufsize must be"):
        transfer.stream_demo([b"x"], bufsize=0)


@pytest.mark.parametrize("name", teardown.SCENARIOS[:5])
def test_teardown_claims(name):
    checks = teardown.check_teardown(scenarios.run(name))
    assert all(ok for _, ok in checks), checks


def test_time_wait_goes_to_the_first_closer():
    for label, trace in teardown.variants().items():
        closer = teardown.first_closer(trace)
        assert closer in teardown.time_wait_hosts(trace), label
    assert "TCP_TIMEWAIT_LEN" in str(teardown.timer_table())


def test_ack_report():
    assert faq.ack_report(Segment(1, 2, 5, 99, "A"))["meaningful"] is True
    assert faq.ack_report(Segment(1, 2, 5, 99, "S"))["ACK bit"] == 0


def test_every_segment_after_the_syn_carries_ack_in_every_scenario():
    results = faq.check_ack_rule_everywhere()
    assert set(results) == set(scenarios.names())
    assert all(violations == 0 for _, violations in results.values())
    assert sum(count for count, _ in results.values()) > 100


def test_segments_without_ack_finds_a_violation():
    from tcplab import Event, Host, Kind, Trace
    hosts = [Host("client", "10.0.0.1", 1), Host("server", "10.0.0.2", 2)]
    bad = Trace([Event(0.0, "client", Kind.SEND, segment=Segment(1, 2, 5, 0, "P", payload=b"x"), packet=1)], hosts)
    assert len(faq.segments_without_ack(bad)) == 1


def test_lost_final_ack_story_mentions_the_key_steps():
    story = "\n".join(faq.lost_final_ack_story(scenarios.run("lost-final-ack")))
    for phrase in ("loses ACK", "retransmits its FIN", "ACKs the FIN again", "restarts its 2MSL"):
        assert phrase in story
    assert "answers RST" in "\n".join(faq.lost_final_ack_story(scenarios.run("lost-final-ack-no-time-wait")))


def test_rst_reasons_each_show_a_rst():
    assert all(seg.flags & Flags.RST for _, _, seg in faq.rst_reasons())
