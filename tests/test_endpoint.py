"""The endpoint against the event processing rules of RFC 9293 §3.10, one behaviour per test."""
import pytest

from tcplab import (Config, Endpoint, ConnectionRefused, ConnectionReset, ConnectionTimedOut, InvalidCall, Flags,
                    Options, Segment, State, Kind)

from .helpers import CPORT, SPORT, deliver_all, endpoints, established, to

A, S, F, R = Flags.ACK, Flags.SYN, Flags.FIN, Flags.RST


# --------------------------------------------------------------------------- opening
def test_handshake_sets_the_tcb():
    client, server = established()
    assert client.state is server.state is State.ESTABLISHED
    assert (client.iss, client.irs, client.snd_una, client.snd_nxt, client.rcv_nxt) == (1000, 5000, 1001, 1001, 5001)
    assert (server.iss, server.irs, server.rcv_nxt) == (5000, 1000, 1001)
    tcb = client.tcb()
    assert tcb.state is State.ESTABLISHED and tcb.rcv_wnd == 65535


def test_syn_ack_acknowledges_isn_plus_one():
    client, server = endpoints()
    server.listen()
    (syn,) = client.connect(SPORT)
    (syn_ack,) = server.receive(syn, 0.1)
    assert syn_ack.flags == S | A and syn_ack.ack == syn.seq + 1 and syn_ack.seq == 5000
    assert syn.options.mss == 1460


def test_closed_endpoint_answers_rst_to_syn():
    server = Endpoint(SPORT, name="server")
    (rst,) = server.receive(Segment(CPORT, SPORT, 77, 0, S), 0.0)
    assert rst.flags == R | A and rst.seq == 0 and rst.ack == 78


def test_closed_endpoint_answers_rst_with_seq_of_ack():
    server = Endpoint(SPORT, name="server")
    (rst,) = server.receive(Segment(CPORT, SPORT, 77, 999, A), 0.0)
    assert rst.flags == R and rst.seq == 999


def test_closed_endpoint_ignores_rst():
    assert Endpoint(SPORT).receive(Segment(CPORT, SPORT, 1, 0, R), 0.0) == []


def test_listen_resets_an_ack_and_ignores_rst_and_bare_segments():
    server = Endpoint(SPORT)
    server.listen()
    (rst,) = server.receive(Segment(CPORT, SPORT, 5, 123, A), 0.0)
    assert rst.flags == R and rst.seq == 123 and server.state is State.LISTEN
    assert server.receive(Segment(CPORT, SPORT, 5, 0, R), 0.0) == []
    assert server.receive(Segment(CPORT, SPORT, 5, 0, Flags.PSH, payload=b"x"), 0.0) == []
    assert server.state is State.LISTEN


def test_syn_sent_resets_unacceptable_ack():
    client, _ = endpoints()
    client.connect(SPORT)
    (rst,) = client.receive(to(client, seq=9, ack=4242, flags=S | A), 0.1)
    assert rst.flags == R and rst.seq == 4242 and client.state is State.SYN_SENT


def test_syn_sent_drops_rst_without_acceptable_ack():
    client, _ = endpoints()
    client.connect(SPORT)
    assert client.receive(to(client, seq=0, ack=4242, flags=R | A), 0.1) == []
    assert client.receive(to(client, seq=0, flags=R), 0.1) == []
    assert client.state is State.SYN_SENT


def test_syn_sent_refused_by_rst_ack():
    client, _ = endpoints()
    client.connect(SPORT)
    client.receive(to(client, seq=0, ack=1001, flags=R | A), 0.1)
    assert client.state is State.CLOSED and isinstance(client.error, ConnectionRefused)
    assert [e.kind for e in client.events][-1] is Kind.ERROR


def test_simultaneous_open_goes_through_syn_received():
    a, b = endpoints()
    (syn_a,) = a.connect(SPORT)
    (syn_b,) = b.connect(CPORT)
    (sa_a,) = a.receive(syn_b, 0.1)
    (sa_b,) = b.receive(syn_a, 0.1)
    assert a.state is b.state is State.SYN_RECEIVED
    assert sa_a.flags == S | A and sa_a.seq == 1000 and sa_a.ack == 5001
    (ack_a,) = a.receive(sa_b, 0.2)
    (ack_b,) = b.receive(sa_a, 0.2)
    assert a.state is b.state is State.ESTABLISHED
    assert (ack_a.seq, ack_a.ack, ack_a.flags) == (1001, 5001, A)


def test_syn_received_returns_to_listen_on_rst_after_passive_open():
    client, server = endpoints()
    server.listen()
    server.receive(Segment(CPORT, SPORT, 90, 0, S), 0.0)
    assert server.state is State.SYN_RECEIVED
    server.receive(Segment(CPORT, SPORT, 91, 0, R), 0.1)
    assert server.state is State.LISTEN and server.error is None


def test_syn_received_after_active_open_is_refused_by_rst():
    a, b = endpoints()
    a.connect(SPORT)
    (syn_b,) = b.connect(CPORT)
    a.receive(syn_b, 0.1)
    a.receive(to(a, seq=5001, flags=R), 0.2)
    assert a.state is State.CLOSED and isinstance(a.error, ConnectionRefused)


def test_syn_received_resends_syn_ack_for_retransmitted_syn():
    client, server = endpoints()
    server.listen()
    (syn,) = client.connect(SPORT)
    (first,) = server.receive(syn, 0.1)
    (again,) = server.receive(syn, 1.1)
    assert again.flags == S | A and again.seq == first.seq
    assert server.events[-1].retransmission


def test_syn_received_back_to_listen_on_new_syn():
    server = Endpoint(SPORT, config=Config(isn=1))
    server.listen()
    server.receive(Segment(CPORT, SPORT, 90, 0, S), 0.0)
    server.receive(Segment(CPORT, SPORT, 95, 0, S), 0.1)
    assert server.state is State.LISTEN


def test_syn_received_resets_bad_ack():
    client, server = endpoints()
    server.listen()
    (syn,) = client.connect(SPORT)
    server.receive(syn, 0.1)
    (rst,) = server.receive(Segment(CPORT, SPORT, 1001, 9999, A), 0.2)
    assert rst.flags == R and rst.seq == 9999 and server.state is State.SYN_RECEIVED


def test_close_in_syn_received_sends_fin():
    client, server = endpoints()
    server.listen()
    (syn,) = client.connect(SPORT)
    server.receive(syn, 0.1)
    (fin,) = server.close(0.15)
    assert server.state is State.FIN_WAIT_1 and fin.flags == F | A and fin.seq == 5001


def test_send_from_listen_is_an_active_open():
    server = Endpoint(SPORT)
    server.listen()
    (syn,) = server.connect(CPORT, 0.0)
    assert syn.flags == S and server.state is State.SYN_SENT
    assert server.transitions[-1].detail == "SEND / snd SYN"


def test_close_in_listen_and_syn_sent_deletes_the_tcb():
    server = Endpoint(SPORT)
    server.listen()
    assert server.close(0.0) == [] and server.state is State.CLOSED
    client = Endpoint(CPORT)
    client.connect(SPORT)
    client.close(0.1)
    assert client.state is State.CLOSED and client.get_timer() is None


# --------------------------------------------------------------------------- user calls
@pytest.mark.parametrize("call,message", [
    (lambda e: e.send(b"x"), "send\\(\\) in CLOSED"),
    (lambda e: e.close(), "close\\(\\) in CLOSED"),
    (lambda e: e.abort(), "abort\\(\\) in CLOSED"),
])
def test_calls_on_closed_endpoint(call, message):
    with pytest.raises(InvalidCall, match=message):
        call(Endpoint(CPORT))


def test_calls_while_closing_are_refused():
    client, server = established()
    client.close(1.0)
    with pytest.raises(InvalidCall, match="connection closing"):
        client.send(b"late", 1.1)
    with pytest.raises(InvalidCall, match="connection closing"):
        client.close(1.2)
    with pytest.raises(InvalidCall, match="connection already exists"):
        client.listen(1.3)


@pytest.mark.parametrize("kwargs,message", [
    (dict(local_port=0), "local_port must be"), (dict(local_port=70000), "local_port must be"),
    (dict(local_port=1, config="fast"), "config must be"),
])
def test_bad_constructor_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Endpoint(**kwargs)


@pytest.mark.parametrize("field,value", [("msl", 0), ("delayed_ack", 0.6), ("mss", 0), ("isn", 2**32),
                                         ("window_scale", 15), ("rto_min", 5.0), ("recv_buffer", 100000)])
def test_bad_config_names_the_field(field, value):
    with pytest.raises(ValueError, match=f"config.{field} must be"):
        Config(**{field: value})


def test_bad_arguments_to_calls():
    client, server = established()
    with pytest.raises(ValueError, match="data must be bytes"):
        client.send("text", 1.0)
    with pytest.raises(ValueError, match="remote_port must be"):
        Endpoint(CPORT).connect(0)
    with pytest.raises(ValueError, match="segment.dport must be"):
        client.receive(Segment(1, 2), 1.0)
    with pytest.raises(ValueError, match="now must be"):
        client.send(b"x", now="soon")
    with pytest.raises(ValueError, match="max_bytes must be"):
        client.read(-1)


# --------------------------------------------------------------------------- data
def test_segmentation_by_mss_and_cumulative_ack():
    client, server = established()
    segs = client.send(b"a" * 3000, 1.0)
    assert [len(s.payload) for s in segs] == [1460, 1460, 80]
    assert [s.seq for s in segs] == [1001, 2461, 3921]
    acks = deliver_all(segs, server, 1.1)
    assert [a.ack for a in acks] == [2461, 3921, 4001]
    client.receive(acks[-1], 1.2)
    assert client.snd_una == client.snd_nxt == 4001 and client.get_timer() is None
    assert server.read(now=1.3) == b"a" * 3000


def test_mss_option_limits_segment_size():
    client, server = established(mss=500)
    assert max(len(s.payload) for s in client.send(b"x" * 1200, 1.0)) == 500


def test_out_of_order_segments_are_held_and_acked_together():
    client, server = established()
    first, second, third = client.send(b"x" * 3000, 1.0)
    (dup1,) = server.receive(second, 1.1)
    (dup2,) = server.receive(third, 1.1)
    assert dup1.ack == dup2.ack == 1001
    (ack,) = server.receive(first, 1.2)
    assert ack.ack == 4001 and server.read() == b"x" * 3000


def test_duplicate_segment_is_acked_again_and_not_delivered_twice():
    client, server = established()
    (seg,) = client.send(b"hello", 1.0)
    server.receive(seg, 1.1)
    (again,) = server.receive(seg, 1.2)
    assert again.flags == A and again.ack == 1006
    assert server.read() == b"hello"


def test_ack_of_unsent_data_is_answered_and_dropped():
    client, server = established()
    (reply,) = client.receive(to(client, seq=5001, ack=99999, flags=A), 1.0)
    assert reply.flags == A and client.snd_una == 1001


def test_unacceptable_segment_gets_ack():
    client, server = established()
    (reply,) = server.receive(Segment(CPORT, SPORT, 900000, 5001, A, payload=b"zz"), 1.0)
    assert (reply.seq, reply.ack, reply.flags) == (5001, 1001, A)


def test_rst_in_window_but_not_exact_gets_challenge_ack():
    client, server = established()
    (challenge,) = server.receive(Segment(CPORT, SPORT, 1500, 0, R), 1.0)
    assert challenge.flags == A and server.state is State.ESTABLISHED


def test_rst_outside_window_is_ignored():
    client, server = established()
    assert server.receive(Segment(CPORT, SPORT, 10**9, 0, R), 1.0) == []
    assert server.state is State.ESTABLISHED


def test_exact_rst_resets():
    client, server = established()
    server.receive(Segment(CPORT, SPORT, 1001, 0, R), 1.0)
    assert server.state is State.CLOSED and isinstance(server.error, ConnectionReset)


def test_syn_in_established_gets_challenge_ack():
    client, server = established()
    (challenge,) = server.receive(Segment(CPORT, SPORT, 1001, 0, S), 1.0)
    assert challenge.flags == A and challenge.ack == 1001 and server.state is State.ESTABLISHED


def test_abort_sends_rst_and_peer_resets():
    client, server = established()
    (rst,) = client.abort(1.0)
    assert rst.flags == R and rst.seq == 1001 and client.state is State.CLOSED
    server.receive(rst, 1.1)
    assert server.state is State.CLOSED and isinstance(server.error, ConnectionReset)


def test_zero_window_then_probe_then_window_update():
    client, server = established(recv_buffer=2000)
    segs = client.send(b"z" * 5000, 1.0)
    assert sum(len(s.payload) for s in segs) == 2000  # the peer's window
    acks = deliver_all(segs, server, 1.1)
    assert acks[-1].window == 0
    assert deliver_all(acks, client, 1.2) == []
    due = client.get_timer()
    (probe,) = client.handle_timer(due)
    assert probe.seq == client.snd_una - 1 and not probe.payload
    assert client.events[-1].detail == "zero-window probe"
    (still_zero,) = server.receive(probe, due + 0.1)
    assert still_zero.window == 0
    client.receive(still_zero, due + 0.2)
    next_due = client.get_timer()
    assert next_due - (due + 0.2) > 1.0  # the persist timer backs off
    server.read(now=due + 0.5)
    (update,) = server.segments_to_send()
    assert update.window == 2000
    more = client.receive(update, due + 0.6)
    assert sum(len(s.payload) for s in more) == 2000


def test_zero_window_rejects_data_but_accepts_ack():
    client, server = established(recv_buffer=1000)
    segs = client.send(b"q" * 1000, 1.0)
    deliver_all(segs, server, 1.1)
    (reply,) = server.receive(Segment(CPORT, SPORT, 2001, 5001, A, payload=b"extra"), 1.2)
    assert reply.ack == 2001 and reply.window == 0 and server.readable() == 1000


# --------------------------------------------------------------------------- timers
def test_syn_retransmission_backs_off_then_times_out():
    client = Endpoint(CPORT, config=Config(isn=1, syn_retries=3))
    client.connect(SPORT, 0.0)
    times = []
    while client.state is State.SYN_SENT:
        now = client.get_timer()
        out = client.handle_timer(now)
        times += [now] * len(out)
    assert times == [1.0, 3.0, 7.0]
    assert isinstance(client.error, ConnectionTimedOut)
    assert client.transitions[-1].detail == "retransmission limit / connection timed out"


def test_rtt_sample_and_karns_rule():
    client, server = established(rto_min=0.2)
    assert client.rto == pytest.approx(0.2 + 4 * 0.1, abs=1e-9)  # first sample 0.2 s: SRTT 0.2, RTTVAR 0.1
    (seg,) = client.send(b"x", 1.0)
    client.handle_timer(client.get_timer())  # retransmit
    backed_off = client.rto
    (ack,) = server.receive(seg, 5.0)
    client.receive(ack, 5.1)
    assert client.rto == backed_off  # no sample from the retransmitted segment


def test_retransmission_of_data_uses_current_ack_field():
    client, server = established()
    (seg,) = client.send(b"x", 1.0)
    (again,) = client.handle_timer(client.get_timer())
    assert again.seq == seg.seq and again.payload == seg.payload and client.events[-1].retransmission


def test_fast_retransmit_on_third_duplicate_ack():
    client, server = established()
    segs = client.send(b"d" * 5840, 1.0)
    dups = deliver_all(segs[1:], server, 1.1)
    assert len(dups) == 3 and len({d.ack for d in dups}) == 1
    out = deliver_all(dups, client, 1.2)
    assert len(out) == 1 and out[0].seq == segs[0].seq
    assert client.events[-1].detail == "fast retransmit"


def test_delayed_ack_waits_then_acks_every_second_segment():
    client, server = established(delayed_ack=0.2)
    first, second, third = client.send(b"w" * 3000, 1.0)
    assert server.receive(first, 1.1) == []
    assert server.get_timer() == pytest.approx(1.3)
    (ack,) = server.receive(second, 1.15)
    assert ack.ack == 3921
    assert server.receive(third, 1.16) == []
    (late,) = server.handle_timer(1.36)
    assert late.ack == 4001


# --------------------------------------------------------------------------- closing
def close_both(client, server, t=2.0):
    (fin,) = client.close(t)
    (ack,) = server.receive(fin, t + 0.1)
    client.receive(ack, t + 0.2)
    (fin2,) = server.close(t + 0.3)
    (last,) = client.receive(fin2, t + 0.4)
    return fin, ack, fin2, last


def test_four_way_close_states():
    client, server = established()
    fin, ack, fin2, last = close_both(client, server)
    assert (fin.flags, ack.flags, fin2.flags, last.flags) == (F | A, A, F | A, A)
    assert ack.ack == fin.seq + 1 and last.ack == fin2.seq + 1
    assert client.state is State.TIME_WAIT and server.state is State.LAST_ACK
    server.receive(last, 2.5)
    assert server.state is State.CLOSED
    assert client.get_timer() == pytest.approx(2.4 + 240)
    client.handle_timer(client.get_timer())
    assert client.state is State.CLOSED


def test_time_wait_reacks_retransmitted_fin_and_restarts_2msl():
    client, server = established(msl=30.0)
    fin, ack, fin2, last = close_both(client, server)
    (again,) = client.receive(fin2, 10.0)
    assert again == last.replace(window=again.window)
    assert client.get_timer() == pytest.approx(70.0)
    assert client.transitions[-1].detail == "rcv FIN / snd ACK, restart 2MSL"


def test_last_ack_retransmits_fin_with_backoff():
    client, server = established()
    close_both(client, server)
    sent = []
    for _ in range(3):
        now = server.get_timer()
        (seg,) = server.handle_timer(now)
        sent.append((now, seg.flags))
    assert [round(t - 2.3, 6) for t, _ in sent] == [1.0, 3.0, 7.0]
    assert all(f == F | A for _, f in sent)


def test_closed_peer_answers_rst_to_retransmitted_fin():
    client, server = established(msl=0.05)
    fin, ack, fin2, last = close_both(client, server)
    client.handle_timer(client.get_timer())
    assert client.state is State.CLOSED
    (rst,) = client.receive(fin2, 3.4)
    assert rst.flags == R and rst.seq == fin2.ack
    server.receive(rst, 3.5)
    assert server.state is State.CLOSED


def test_half_close_peer_keeps_sending_in_close_wait():
    client, server = established()
    (fin,) = client.close(2.0)
    (ack,) = server.receive(fin, 2.1)
    client.receive(ack, 2.2)
    assert server.state is State.CLOSE_WAIT and client.state is State.FIN_WAIT_2 and server.peer_closed
    data = server.send(b"still talking", 2.3)
    (data_ack,) = deliver_all(data, client, 2.4)
    assert client.read() == b"still talking" and data_ack.ack == 5001 + 13


def test_fin_that_also_acks_our_fin_goes_straight_to_time_wait():
    client, server = established(delayed_ack=0.1)
    (fin,) = client.close(2.0)
    assert server.receive(fin, 2.1) == []  # the ACK of the FIN is delayed
    (fin_ack,) = server.close(2.12)
    assert fin_ack.flags == F | A and fin_ack.ack == fin.seq + 1
    client.receive(fin_ack, 2.2)
    assert client.state is State.TIME_WAIT
    assert client.transitions[-1].detail == "rcv FIN, ACK of FIN / snd ACK"


def test_simultaneous_close_goes_through_closing():
    client, server = established()
    (fin_c,) = client.close(2.0)
    (fin_s,) = server.close(2.0)
    (ack_c,) = client.receive(fin_s, 2.1)
    (ack_s,) = server.receive(fin_c, 2.1)
    assert client.state is server.state is State.CLOSING
    client.receive(ack_s, 2.2)
    server.receive(ack_c, 2.2)
    assert client.state is server.state is State.TIME_WAIT


def test_data_queued_before_close_is_sent_before_fin():
    client, server = established(recv_buffer=1000)
    out = client.send(b"y" * 1500, 1.0)
    out += client.close(1.0)
    assert client.state is State.FIN_WAIT_1
    assert [s.flags & F for s in out] == [0]  # window full: FIN waits behind the data
    acks = deliver_all(out, server, 1.1)
    server.read()
    more = deliver_all(acks + server.segments_to_send(), client, 1.2)
    assert more[-1].flags & F and more[-1].seq == 2501


# --------------------------------------------------------------------------- wraparound
def test_transfer_across_sequence_wrap():
    client, server = established(client_isn=2**32 - 1000, server_isn=2**32 - 2)
    segs = client.send(b"w" * 4000, 1.0)
    assert segs[-1].end_seq < segs[0].seq  # wrapped
    acks = deliver_all(segs, server, 1.1)
    client.receive(acks[-1], 1.2)
    assert client.snd_una == client.snd_nxt == (2**32 - 1000 + 1 + 4000) % 2**32
    assert server.read() == b"w" * 4000
    close_both(client, server)
    assert client.state is State.TIME_WAIT


def test_options_negotiated_only_when_both_offer():
    linux = Config.linux(isn=1, ts_offset=5)
    client = Endpoint(CPORT, name="client", config=linux)
    server = Endpoint(SPORT, name="server", config=Config(isn=2))
    server.listen()
    (syn,) = client.connect(SPORT)
    assert syn.options.wscale == 7 and syn.options.sack_ok and syn.options.timestamps == (5, 0)
    (syn_ack,) = server.receive(syn, 0.1)
    assert syn_ack.options == Options(mss=1460)
    client.receive(syn_ack, 0.2)
    assert client.negotiated == {"wscale": False, "sack_ok": False, "timestamps": False, "mss": 1460}
