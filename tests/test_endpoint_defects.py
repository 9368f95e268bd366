"""Regression tests for defects found by fuzzing and by other projects' TCP test suites.

Each test is named for what it guards; each once failed.
"""
import math
from collections import deque

import pytest

from tcplab import Config, Endpoint, ConnectionReset, InvalidArgument, Flags, Segment, State, Kind
from tcplab.sim.apps import (Close, Connect, Listen, Read, Send, SendBytes, Sleep, WaitBytes, WaitEstablished,
                             WaitPeerClose)
from tcplab.sim.faults import Duplicate
from tcplab.sim.simulator import Simulator

from .helpers import CPORT, SPORT, deliver_all, established

A = Flags.ACK


def run(client_script, server_script, client_config=Config(), server_config=Config(), faults=(), until=3600.0):
    sim = Simulator(delay=0.05, faults=faults)
    sim.add_host("client", Endpoint(CPORT, name="client", config=client_config), client_script, peer="server")
    sim.add_host("server", Endpoint(SPORT, name="server", config=server_config), server_script, peer="client")
    trace = sim.run(until=until)
    return trace, sim


def drained(sim):
    return all(h.endpoint.state is State.CLOSED and h.endpoint.get_timer() is None for h in sim.hosts.values())


def test_queued_data_and_fin_still_go_out_after_the_peer_fin_arrives_in_fin_wait_1():
    # close() with 4,465 bytes still queued behind the peer's window, then the peer's FIN:
    # FIN-WAIT-1 -> CLOSING, and the rest of the data and our FIN must still be sent (§3.10.4).
    trace, sim = run([Connect(), WaitEstablished(), SendBytes(70000), Close()],
                     [Listen(), WaitEstablished(), Close()])
    assert len(sim.received("server")) == 70000
    assert drained(sim)
    assert State.CLOSING in {e.state for e in trace.events if e.kind is Kind.STATE and e.host == "client"}


def test_simultaneous_open_syn_ack_window_is_not_scaled():
    # RFC 7323 §2.2: the window of a SYN (and of a SYN,ACK) is never scaled.
    client = Endpoint(CPORT, name="client", config=Config(isn=1000, window_scale=0))
    server = Endpoint(SPORT, name="server", config=Config(isn=5000, window_scale=2, recv_buffer=3000))
    (syn_c,) = client.connect(SPORT, 0.0)
    (syn_s,) = server.connect(CPORT, 0.0)
    (syn_ack_c,) = client.receive(syn_s, 0.1)
    (syn_ack_s,) = server.receive(syn_c, 0.1)
    client.receive(syn_ack_s, 0.2)
    assert client.state is State.ESTABLISHED
    assert client.snd_wnd == 3000
    burst = client.send(b"x" * 9000, 0.3)
    assert sum(len(s.payload) for s in burst) <= 3000


def test_two_full_windows_do_not_ping_pong_acks_at_the_right_edge():
    # Each side fills the other's window and nobody reads for a while; duplicates make any
    # ACK-for-ACK loop explode.  The conversation must still end, with few segments.
    small = Config(recv_buffer=3000)
    script = [WaitEstablished(), SendBytes(6000), Sleep(5.0), Read(), Sleep(1.0), Read(), Close(), WaitPeerClose(), Read()]
    sim = Simulator(delay=0.05, faults=[Duplicate(n) for n in range(1, 40)])
    sim.add_host("client", Endpoint(CPORT, name="client", config=small), [Connect()] + script, peer="server",
                 auto_read=False)
    sim.add_host("server", Endpoint(SPORT, name="server", config=small), [Listen()] + script, peer="client",
                 auto_read=False)
    trace = sim.run(until=600.0)
    sends = [e for e in trace.events if e.kind is Kind.SEND]
    assert len(sends) < 200
    assert drained(sim)


def test_pure_acks_at_the_right_edge_are_not_answered_for_ever():
    # Both windows full of data still in flight; a pure ACK sits exactly at the peer's right edge.
    client, server = established(recv_buffer=2000)
    client.send(b"c" * 2000, 1.0)
    server.send(b"s" * 2000, 1.0)
    old_syn_ack = Segment(SPORT, CPORT, 5000, 1001, Flags.SYN | A)
    in_flight = client.receive(old_syn_ack, 1.1)            # answered with a pure ACK at SND.NXT
    exchanged = 0
    for i in range(100):
        receiver = server if i % 2 == 0 else client
        in_flight = deliver_all(in_flight, receiver, 1.2 + i * 0.01)
        exchanged += len(in_flight)
        if not in_flight:
            break
    assert exchanged <= 2


def test_right_edge_pure_ack_is_acceptable():
    client, server = established(recv_buffer=2000)
    deliver_all(client.send(b"z" * 2000, 1.0), server, 1.1)   # server's window is now full
    edge_ack = Segment(CPORT, SPORT, client.snd_nxt, server.snd_nxt, A, 100)
    assert server.receive(edge_ack, 1.2) == []   # accepted silently, not answered


def test_unacceptable_pure_acks_are_answered_at_most_twice_a_second():
    client, server = established()
    stale = Segment(CPORT, SPORT, 900000, 5001, A)
    replies = [server.receive(stale, 1.0 + i * 0.01) for i in range(50)]
    assert sum(len(r) for r in replies) == 1
    assert len(server.receive(stale, 1.6)) == 1


def test_persist_timer_backs_off_without_overflow_for_thousands_of_probes():
    client, server = established(recv_buffer=2000)
    deliver_all(client.send(b"z" * 5000, 1.0), server, 1.1)
    now = 1.2
    for _ in range(1500):
        now = client.get_timer()
        for probe in client.handle_timer(now):
            for answer in server.receive(probe, now):
                client.receive(answer, now)
    assert client.state is State.ESTABLISHED
    assert client.get_timer() - now <= client.config.rto_max


def test_window_scale_that_can_never_open_a_window_is_rejected():
    with pytest.raises(InvalidArgument, match=r"recv_buffer.*window_scale"):
        Config(recv_buffer=3000, window_scale=14)


def test_receiver_does_not_advertise_silly_windows():
    # MUST-39: the right edge moves only by at least min(buffer/2, Eff.snd.MSS).
    client, server = established(recv_buffer=1460)
    acks = deliver_all(client.send(b"q" * 1460, 1.0), server, 1.1)
    assert acks[-1].window == 0
    server.read(1, now=1.2)
    assert server.segments_to_send() == []
    server.read(1, now=1.3)
    assert server.segments_to_send() == []
    server.read(now=1.4)                      # the whole buffer is free: worth advertising
    (update,) = server.segments_to_send()
    assert update.window == 1460


def test_small_reads_never_advertise_a_small_window():
    client, server = established(recv_buffer=1460, nodelay=True)
    deliver_all(client.send(b"q" * 1460, 1.0), server, 1.1)
    for i in range(20):
        server.read(1, now=1.2 + i * 0.01)
        for seg in server.send(b"d", now=1.2 + i * 0.01):     # any segment carries the window
            assert seg.window == 0 or seg.window >= 730


def test_nagle_holds_a_second_small_write_until_the_first_is_acked():
    client, server = established()
    (first,) = client.send(b"a", 1.0)
    assert client.send(b"b", 1.01) == []                    # held: "a" is unacknowledged
    (ack,) = server.receive(first, 1.05)
    (second,) = client.receive(ack, 1.1)
    assert second.payload == b"b"


def test_nodelay_sends_small_writes_at_once():
    client, server = established(nodelay=True)
    assert len(client.send(b"a", 1.0)) == 1 and len(client.send(b"b", 1.01)) == 1


def test_nagle_does_not_hold_full_segments_or_the_tail_of_a_bulk_write():
    client, server = established()
    segs = client.send(b"x" * 3000, 1.0)       # 1460 + 1460 + 80: the 80 goes too (Linux's Minshall rule)
    assert [len(s.payload) for s in segs] == [1460, 1460, 80]


def test_close_pushes_data_nagle_was_holding():
    client, server = established()
    client.send(b"a", 1.0)
    client.send(b"b", 1.01)
    out = client.close(1.02)
    assert [s.payload for s in out if s.payload] == [b"b"] and out[-1].flags & Flags.FIN


@pytest.mark.parametrize("reader_state", ["CLOSE-WAIT", "TIME-WAIT"])
def test_no_window_update_once_the_peer_has_closed(reader_state):
    client, server = established(recv_buffer=2000)
    deliver_all(client.send(b"z" * 2000, 1.0), server, 1.1)
    if reader_state == "TIME-WAIT":
        deliver_all(server.close(1.2), client, 1.3)
        for seg in client.close(1.4):
            deliver_all(server.receive(seg, 1.5), client, 1.6)
        assert server.state is State.TIME_WAIT
    else:
        deliver_all(client.close(1.2), server, 1.3)
        assert server.state is State.CLOSE_WAIT
    assert len(server.read(now=2.0)) == 2000
    assert server.segments_to_send() == []


def test_read_after_reset_raises_connection_reset():
    client, server = established()
    (rst,) = client.abort(1.0)
    server.receive(rst, 1.1)
    with pytest.raises(ConnectionReset):
        server.read(now=1.2)


@pytest.mark.parametrize("bad", [None, "1", math.nan, math.inf, -1.0, True])
@pytest.mark.parametrize("call", ["receive", "handle_timer", "read"])
def test_every_call_validates_now(call, bad):
    client, server = established()
    if call == "read" and bad is None:
        return  # read(now=None): no time has passed, by design
    with pytest.raises(ValueError, match="now must"):
        if call == "receive":
            server.receive(Segment(CPORT, SPORT, 1001, 5001, A), bad)
        elif call == "handle_timer":
            server.handle_timer(bad)
        else:
            server.read(now=bad)


def test_time_never_runs_backwards():
    client, server = established()
    with pytest.raises(ValueError, match="backwards"):
        server.handle_timer(0.1)


def test_acknowledging_pops_only_the_acknowledged_segments():
    # O(1) amortised per ACK: the retransmission queue is a deque popped from the left, never rebuilt.
    client, server = established(mss=100)
    segs = client.send(b"y" * 60000, 1.0)
    queue = client.tcb_.retransmit
    for seg in segs[:5]:
        for ack in server.receive(seg, 1.1):
            client.receive(ack, 1.2)
    assert client.tcb_.retransmit is queue and isinstance(queue, deque)
    assert list(queue) == segs[5:]


def test_a_stray_segment_with_an_old_ack_cannot_freeze_the_send_window():
    # Found by fuzzing: an in-window segment far ahead, carrying an old ACK and a tiny window,
    # set SND.WL1/WL2 so that no later ACK could update the window again.
    client, server = established(recv_buffer=2000)
    stray = Segment(SPORT, CPORT, 6500, (1001 - 50000) % 2**32, A, 1)
    client.receive(stray, 1.0)
    assert sum(len(s.payload) for s in client.send(b"x" * 1000, 1.1)) == 1000
