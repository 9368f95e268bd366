"""tcplab.live.capture: live loopback captures, the fallback to the recordings, and cleanup."""

import logging

import pytest

from tcplab import Flags, State, Kind
from tcplab.io import recordings
from tcplab.live import capture
from tcplab.live.sockio import recv_until_eof

from .helpers import path_of, threads_left_by

live = pytest.mark.skipif(not capture.can_capture(), reason="live capture needs root or CAP_NET_RAW")


def test_without_permission_capture_or_recorded_warns_once_and_falls_back(monkeypatch, caplog):
    monkeypatch.setattr(capture, "can_capture", lambda: False)
    with caplog.at_level(logging.WARNING, logger="tcplab.live.capture"):
        trace = capture.capture_or_recorded("loopback-session")
    assert "recorded" in trace.title
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1 and "needs root or CAP_NET_RAW" in messages[0]


def test_a_failing_live_capture_falls_back_too(monkeypatch, caplog):
    def broken(**options):
        raise PermissionError("Operation not permitted")
    monkeypatch.setattr(capture, "record_loopback", broken)
    with caplog.at_level(logging.WARNING, logger="tcplab.live.capture"):
        trace = capture.capture_or_recorded("loopback-session", live=True)
    assert "recorded" in trace.title and "failed" in caplog.text


# ------------------------------------------------------------------ live
@live
@pytest.mark.parametrize("closer", ["client", "server"])
def test_live_loopback_capture(closer):
    trace = capture.record_loopback(closer=closer, close_delay=0.05, timeout=3.0)
    assert {h.name: h.ip for h in trace.hosts} == {"client": "127.0.0.1", "server": "127.0.0.1"}
    assert trace.events[0].time == 0.0
    sends = trace.filter(Kind.SEND)
    assert sends[0].segment.flags == Flags.SYN and sends[0].host == "client"
    payload = b"".join(e.segment.payload for e in sends)
    assert capture.REQUEST in payload and capture.REPLY in payload
    assert len(sends) == len(set((e.host, e.segment) for e in sends))  # each packet once
    assert path_of(trace, closer)[-1] is State.TIME_WAIT
    assert path_of(trace, trace.peer_of(closer))[-1] is State.CLOSED


@live
def test_record_all_writes_the_shipped_captures(tmp_path):
    paths = capture.record_all(tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{n}.pcap" for n in recordings.LOOPBACK)
    for name in recordings.LOOPBACK:
        assert recordings.load_capture(name, directory=tmp_path).filter(Kind.SEND)


# ------------------------------------------------------------------ live captures stop everything they start
@live
def test_a_capture_whose_server_hangs_times_out_and_leaves_no_thread():
    import time

    def hanging_server(conn, cancel):
        cancel.sleep(60)

    def client(sock, cancel):
        sock.sendall(b"hello")

    began = time.monotonic()
    left, error = threads_left_by(lambda: capture.sniff_conversation(hanging_server, client, timeout=0.5))
    assert isinstance(error, TimeoutError) and "did not finish" in str(error)
    assert left == []
    assert time.monotonic() - began < 3


@live
def test_a_capture_whose_client_fails_stops_the_server_blocked_in_recv():
    def reading_server(conn, cancel):
        recv_until_eof(conn)

    def failing_client(sock, cancel):
        raise RuntimeError("client failed")

    left, error = threads_left_by(lambda: capture.sniff_conversation(reading_server, failing_client, timeout=2.0))
    assert isinstance(error, RuntimeError) and str(error) == "client failed"
    assert left == []


@live
def test_a_successful_capture_leaves_no_thread():
    left, error = threads_left_by(lambda: capture.capture_loopback(close_delay=0.0, timeout=2.0))
    assert error is None and left == []


@pytest.mark.parametrize("options, message", [
    (dict(closer="nobody"), "closer must be one of 'client', 'server'"),
    (dict(close_delay=-1), "close_delay must be a finite number >= 0"),
    (dict(close_delay=float("nan")), "close_delay must be a finite number"),
    (dict(request="text"), "request must be bytes"),
    (dict(timeout=0), "timeout must be a finite number > 0"),
    (dict(timeout=float("inf")), "timeout must be a finite number"),
])
def test_capture_loopback_checks_its_arguments(options, message):
    with pytest.raises(ValueError, match=message):
        capture.capture_loopback(**options)
