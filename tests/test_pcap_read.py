"""tcplab.io.pcap reading and the state observer: pcap files and sniffed packets as Traces."""

import logging

import pytest

from tcplab import scenarios, InvalidArgument, Flags, State, Kind, Trace
from tcplab.analysis import inference
from tcplab.io import pcap
from tcplab.io.pcap import write_pcap
from tcplab.io.scapy_convert import from_scapy, to_scapy

from .helpers import path_of


def strip_states(trace):
    """The trace as a wire observer sees it: no STATE events, no states on events."""
    events = [e.with_changes(state=None) for e in trace.events if e.kind in (Kind.SEND, Kind.DELIVER, Kind.DROP)]
    return Trace(events, trace.hosts, trace.title)


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
    assert [float(p.time) for p in pcap.deduplicate(copies)] == [0.0, 0.3]


def test_a_simulated_pcap_reads_back_as_the_same_conversation(tmp_path):
    trace = scenarios.run("lost-final-ack")
    write_pcap(trace, tmp_path / "lost.pcap")
    back = pcap.trace_from_pcap(tmp_path / "lost.pcap")
    assert back.segments() == trace.segments()
    assert [h.port for h in back.hosts] == [h.port for h in trace.hosts]
    assert [f.retransmission for f in back.flights()] == [f.retransmission for f in trace.flights()]
    first = back.events[0]
    assert first.time == 0.0
    for flight in back.flights():
        assert flight.end.kind is Kind.DELIVER and flight.end.time == flight.send.time


def test_trace_from_pcap_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="path must be an existing pcap file"):
        pcap.trace_from_pcap(tmp_path / "nope.pcap")


def test_trace_from_packets_needs_tcp():
    with pytest.raises(ValueError, match="at least one IPv4 TCP packet"):
        pcap.trace_from_packets([])


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
            pcap.trace_from_pcap(path)


def test_a_file_that_is_no_pcap_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(InvalidArgument, match=r"notes.txt'.*no pcap magic number"):
        pcap.trace_from_pcap(path)


def test_scapy_errors_are_wrapped_with_the_file_name(tmp_path):
    import struct
    body = struct.pack("<IHHq", 0x1A2B3C4D, 9, 0, -1)  # a pcapng section header of version 9.0
    path = tmp_path / "future.pcapng"
    path.write_bytes(struct.pack("<II", 0x0A0D0D0A, 12 + len(body)) + body + struct.pack("<I", 12 + len(body)))
    with pytest.raises(InvalidArgument, match=r"future.pcapng'.*Scapy_Exception") as error:
        pcap.trace_from_pcap(path)
    assert type(error.value.__cause__).__name__ == "Scapy_Exception"


def test_a_pcap_without_tcp_names_the_file(tmp_path):
    from scapy.layers.inet import IP, UDP
    from scapy.utils import wrpcap
    path = tmp_path / "udp.pcap"
    wrpcap(str(path), [IP(dst="10.0.0.1") / UDP()])
    with pytest.raises(InvalidArgument, match=r"udp.pcap'.*at least one IPv4 TCP packet"):
        pcap.trace_from_pcap(path)


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
    with caplog.at_level(logging.WARNING, logger="tcplab.io.pcap"):
        back = pcap.trace_from_pcap(path)
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
