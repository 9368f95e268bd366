"""tcplab.live.capture: loopback captures, pcap files and the state observer."""

import logging

import pytest

from tcplab import scenarios, InvalidArgument, Flags, State, Event, Host, Kind, Trace
from tcplab.analysis import inference
from tcplab.io.pcap import write_pcap
from tcplab.io.scapy_convert import from_scapy, to_scapy
from tcplab.live import capture
from tcplab.live.sockio import recv_until_eof

from .helpers import threads_left_by

live = pytest.mark.skipif(not capture.can_capture(), reason="live capture needs root or CAP_NET_RAW")


def strip_states(trace):
    """The trace as a wire observer sees it: no STATE events, no states on events."""
    events = [e.with_changes(state=None) for e in trace.events if e.kind in (Kind.SEND, Kind.DELIVER, Kind.DROP)]
    return Trace(events, trace.hosts, trace.title)


def path_of(trace, host):
    """States without repeats (TIME-WAIT restarting 2MSL is one visit)."""
    states = []
    for state in trace.states(host):
        if not states or states[-1] is not state:
            states.append(state)
    return states


# ------------------------------------------------------------------ the observer
@pytest.mark.parametrize("name", ["handshake", "four-way-teardown", "server-closes-first", "three-segment-teardown",
                                  "simultaneous-close", "half-close", "lost-final-ack", "lost-syn", "lost-syn-ack",
                                  "rst-closed-port", "abort", "data-loss"])
def test_observer_infers_the_states_the_endpoint_went_through(name):
    trace = scenarios.run(name)
    inferred = inference.infer_states(strip_states(trace))
    for host in ("client", "server"):
        actual = path_of(trace, host)
        if actual and actual[-1] is State.CLOSED and actual[-2:-1] == [State.TIME_WAIT]:
            actual = actual[:-1]  # the 2MSL timer is invisible on the wire
        assert path_of(inferred, host) == actual, host


def test_inferred_states_are_marked_and_fill_event_states():
    inferred = inference.infer_states(strip_states(scenarios.run("four-way-teardown")))
    changes = inferred.state_changes()
    assert changes and all(e.detail == inference.INFERRED for e in changes)
    sends = inferred.filter(Kind.SEND, "client")
    assert sends[0].state is State.SYN_SENT
    assert sends[-1].state is State.TIME_WAIT


def test_infer_states_names_the_allowed_hosts():
    with pytest.raises(ValueError, match="host must be one of"):
        inference.infer_states(scenarios.run("handshake"), hosts=["nobody"])


def test_retransmissions_are_marked_from_sequence_numbers():
    trace = scenarios.run("lost-final-ack")
    marked = inference.mark_retransmissions(Trace([e.with_changes(retransmission=False) for e in trace.events],
                                                trace.hosts))
    assert [e.retransmission for e in marked.filter(Kind.SEND)] == [e.retransmission for e in trace.filter(Kind.SEND)]


# ------------------------------------------------------------------ packets and pcaps
def test_deduplicate_keeps_one_copy_of_each_loopback_packet_but_real_retransmissions():
    from scapy.layers.inet import IP, TCP
    packet = IP(src="127.0.0.1", dst="127.0.0.1") / TCP(sport=1, dport=2, flags="F", seq=5)
    copies = []
    for when in (0.0, 0.00001, 0.3, 0.30001):
        copy = IP(bytes(packet))
        copy.time = when
        copies.append(copy)
    assert [float(p.time) for p in capture.deduplicate(copies)] == [0.0, 0.3]


def test_a_simulated_pcap_reads_back_as_the_same_conversation(tmp_path):
    trace = scenarios.run("lost-final-ack")
    write_pcap(trace, tmp_path / "lost.pcap")
    back = capture.trace_from_pcap(tmp_path / "lost.pcap")
    assert back.segments() == trace.segments()
    assert [h.port for h in back.hosts] == [h.port for h in trace.hosts]
    assert [f.retransmission for f in back.flights()] == [f.retransmission for f in trace.flights()]
    first = back.events[0]
    assert first.time == 0.0
    for flight in back.flights():
        assert flight.end.kind is Kind.DELIVER and flight.end.time == flight.send.time


def test_trace_from_pcap_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="path must be an existing pcap file"):
        capture.trace_from_pcap(tmp_path / "nope.pcap")


def test_trace_from_packets_needs_tcp():
    with pytest.raises(ValueError, match="at least one IPv4 TCP packet"):
        capture.trace_from_packets([])


# ------------------------------------------------------------------ shipped captures
@pytest.mark.parametrize("name", list(capture.RECORDINGS))
def test_recorded_captures_load_with_a_full_conversation(name):
    trace = capture.load_recorded(name)
    assert [h.name for h in trace.hosts] == ["client", "server"]
    assert all(h.ip == "127.0.0.1" for h in trace.hosts)
    flags = [(e.host, e.segment.flags) for e in trace.filter(Kind.SEND)]
    assert flags[:3] == [("client", Flags.SYN), ("server", Flags.SYN | Flags.ACK), ("client", Flags.ACK)]
    for host in ("client", "server"):
        assert any(f & Flags.FIN for h, f in flags if h == host)
    states = {h: path_of(trace, h) for h in ("client", "server")}
    assert State.ESTABLISHED in states["client"] and State.ESTABLISHED in states["server"]
    closer = "server" if name == "loopback-server-closes-first" else "client"
    assert states[closer][-1] is State.TIME_WAIT
    assert states[trace.peer_of(closer)][-2:] == [State.LAST_ACK, State.CLOSED]


def test_linux_closes_in_three_segments_when_the_server_closes_at_once():
    trace = capture.load_recorded("loopback-three-segment-close")
    sends = trace.filter(Kind.SEND)
    fins = [i for i, e in enumerate(sends) if e.segment.flags & Flags.FIN]
    assert len(sends) - fins[0] == 3  # FIN/ACK, FIN/ACK, ACK
    assert State.FIN_WAIT_2 not in trace.states("client")


def test_load_recorded_names_the_allowed_captures():
    with pytest.raises(ValueError, match="loopback-session"):
        capture.load_recorded("nope")


def test_load_recorded_explains_a_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="--record"):
        capture.load_recorded("loopback-session", directory=tmp_path)


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
    assert sorted(p.name for p in paths) == sorted(f"{n}.pcap" for n in capture.RECORDINGS)
    for name in capture.RECORDINGS:
        assert capture.load_recorded(name, directory=tmp_path).filter(Kind.SEND)


def test_capture_main_without_arguments_prints_usage(capsys):
    assert capture.main([]) == 0
    assert "usage" in capsys.readouterr().out


def test_hosts_and_events_types():
    trace = capture.load_recorded("loopback-session")
    assert all(isinstance(h, Host) for h in trace.hosts)
    assert all(isinstance(e, Event) for e in trace.events)


# ------------------------------------------------------------------ the recordings are package data
def test_recordings_ship_inside_the_package_as_package_data():
    import tomllib
    from fnmatch import fnmatch
    from importlib import resources
    from pathlib import Path
    package = Path(str(resources.files("tcplab")))
    assert capture.CAPTURES.parent == package
    root = package.parent / "pyproject.toml"
    if not root.is_file():
        pytest.skip("tcplab is installed, not checked out: pyproject.toml is not beside it")
    patterns = tomllib.loads(root.read_text())["tool"]["setuptools"]["package-data"]["tcplab"]
    shipped = sorted(p.relative_to(package).as_posix() for p in capture.CAPTURES.iterdir())
    assert shipped and all(any(fnmatch(name, pattern) for pattern in patterns) for name in shipped)
    for name in capture.RECORDINGS:
        assert capture.recorded_path(name).is_file()


@pytest.mark.parametrize("make_bad", [lambda tmp: tmp / "a-file", lambda tmp: tmp / "a-file" / "below"])
def test_record_into_a_directory_that_cannot_be_made_is_one_line_and_exit_2(capsys, tmp_path, make_bad):
    (tmp_path / "a-file").write_text("not a directory")
    code = capture.main(["--record", str(make_bad(tmp_path))])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("error: --record DIR must be a directory") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


# ------------------------------------------------------------------ damaged pcap files
def test_a_pcap_cut_mid_record_is_an_error_naming_the_file_and_the_byte(tmp_path):
    path = tmp_path / "cut.pcap"
    write_pcap(scenarios.run("four-way-teardown"), path)
    data = path.read_bytes()
    last_segment = scenarios.run("four-way-teardown").filter(Kind.SEND)[-1].segment
    last_record = len(data) - (16 + len(to_scapy(last_segment, "10.0.0.1", "10.0.0.2")))
    for cut in (len(data) - 5, last_record + 7):
        path.write_bytes(data[:cut])
        with pytest.raises(InvalidArgument, match=rf"cut.pcap' is cut short at byte {last_record}:"):
            capture.trace_from_pcap(path)


def test_a_file_that_is_no_pcap_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(InvalidArgument, match=r"notes.txt'.*no pcap magic number"):
        capture.trace_from_pcap(path)


def test_scapy_errors_are_wrapped_with_the_file_name(tmp_path):
    import struct
    body = struct.pack("<IHHq", 0x1A2B3C4D, 9, 0, -1)  # a pcapng section header of version 9.0
    path = tmp_path / "future.pcapng"
    path.write_bytes(struct.pack("<II", 0x0A0D0D0A, 12 + len(body)) + body + struct.pack("<I", 12 + len(body)))
    with pytest.raises(InvalidArgument, match=r"future.pcapng'.*Scapy_Exception") as error:
        capture.trace_from_pcap(path)
    assert type(error.value.__cause__).__name__ == "Scapy_Exception"


def test_a_pcap_without_tcp_names_the_file(tmp_path):
    from scapy.layers.inet import IP, UDP
    from scapy.utils import wrpcap
    path = tmp_path / "udp.pcap"
    wrpcap(str(path), [IP(dst="10.0.0.1") / UDP()])
    with pytest.raises(InvalidArgument, match=r"udp.pcap'.*at least one IPv4 TCP packet"):
        capture.trace_from_pcap(path)


def test_one_packet_with_mss_0_is_kept_without_the_option_and_a_warning(tmp_path, caplog):
    from scapy.layers.inet import IP, TCP
    from scapy.utils import wrpcap
    trace = scenarios.run("four-way-teardown")
    packets = []
    for event in trace.filter(Kind.SEND):
        packet = to_scapy(event.segment, "10.0.0.1" if event.host == "client" else "10.0.0.2",
                                        "10.0.0.2" if event.host == "client" else "10.0.0.1")
        if event.segment.flags == Flags.SYN:
            packet[TCP].options = [("MSS", 0)]
            packet = IP(bytes(packet))
        packet.time = 1_700_000_000 + event.time
        packets.append(packet)
    path = tmp_path / "mss0.pcap"
    wrpcap(str(path), packets)
    with caplog.at_level(logging.WARNING, logger="tcplab.live.capture"):
        back = capture.trace_from_pcap(path)
    assert len(back.filter(Kind.SEND)) == len(packets)
    assert back.filter(Kind.SEND)[0].segment.options.mss is None
    assert back.measurements["warnings"] == ["packet 1: option ignored: options.mss must be an integer in "
                                             "1..65535, got 0"]
    assert "packet 1: option ignored" in caplog.text
    assert State.ESTABLISHED in path_of(back, "client") and State.ESTABLISHED in path_of(back, "server")


def test_a_window_scale_above_14_is_used_as_14_and_noted():
    from scapy.layers.inet import IP, TCP
    notes = []
    segment = from_scapy(IP() / TCP(flags="S", options=[("WScale", 15)]), notes)
    assert segment.options.wscale == 14 and notes == ["window scale 15 used as 14 (RFC 7323 §2.3)"]


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
