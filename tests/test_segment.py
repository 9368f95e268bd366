from hypothesis import given, settings, strategies as st
import pytest

from tcplab.core.segment import MAX_PAYLOAD, Flags, Options, Segment
from tcplab.io.scapy_convert import from_scapy, to_scapy


def test_len_counts_syn_and_fin():
    assert Segment(1, 2, flags="S").len == 1
    assert Segment(1, 2, flags="FA").len == 1
    assert Segment(1, 2, flags="A", payload=b"abc").len == 3
    assert Segment(1, 2, flags="SF", payload=b"ab").len == 4
    assert Segment(1, 2, seq=2**32 - 1, flags="S").end_seq == 0


def test_human_form():
    syn = Segment(40000, 80, 1000, 0, "S", 64240, Options(mss=1460, wscale=7))
    assert str(syn) == "SYN seq=1000 win=64240 <mss 1460,ws 7>"
    assert str(Segment(40000, 80, 1001, 5001, "A")) == "ACK seq=1001 ack=5001"
    assert str(Segment(1, 2, 7, 9, "PA", payload=b"hi")) == "PSH,ACK seq=7 ack=9 len=2"


@pytest.mark.parametrize("text,expected", [
    ("SA", Flags.SYN | Flags.ACK), ("syn,ack", Flags.SYN | Flags.ACK), ("FIN|ACK", Flags.FIN | Flags.ACK),
    ("R", Flags.RST), (0x12, Flags.SYN | Flags.ACK), ("", Flags(0)),
])
def test_flag_parsing(text, expected):
    assert Flags.parse(text) == expected


@pytest.mark.parametrize("field,kwargs,message", [
    ("sport", dict(sport=70000), "sport must be an integer in 0..65535"),
    ("dport", dict(dport=-1), "dport must be an integer in 0..65535"),
    ("seq", dict(seq=2**32), "seq must be an integer in 0..4294967295"),
    ("ack", dict(ack=-5), "ack must be an integer in 0..4294967295"),
    ("flags", dict(flags="SXQ"), "unknown flag 'X'"),
    ("window", dict(window=65536), "window must be an integer in 0..65535"),
    ("payload", dict(payload=b"x" * (MAX_PAYLOAD + 1)), "payload must be at most"),
    ("payload", dict(payload="text"), "payload must be bytes"),
])
def test_bad_values_name_the_field(field, kwargs, message):
    args = dict(sport=1, dport=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Segment(**args)


@pytest.mark.parametrize("kwargs,message", [
    (dict(mss=0), "options.mss"), (dict(wscale=15), "options.wscale"),
    (dict(timestamps=(1,)), "options.timestamps"), (dict(timestamps=(1, 2**32)), "TSecr"),
])
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Options(**kwargs)


def test_scapy_packet_has_valid_checksum():
    from scapy.layers.inet import IP, TCP
    packet = to_scapy(Segment(40000, 80, 1, 0, "S", options=Options(mss=1460)), "10.0.0.1", "10.0.0.2")
    stored = packet[TCP].chksum
    del packet[TCP].chksum
    assert IP(bytes(packet))[TCP].chksum == stored
    assert packet[IP].src == "10.0.0.1"


def test_from_scapy_requires_tcp():
    from scapy.layers.inet import IP, UDP
    with pytest.raises(ValueError, match="no TCP layer"):
        from_scapy(IP() / UDP())


segments = st.builds(
    Segment,
    sport=st.integers(0, 65535), dport=st.integers(0, 65535),
    seq=st.integers(0, 2**32 - 1), ack=st.integers(0, 2**32 - 1),
    flags=st.integers(0, 255).map(Flags), window=st.integers(0, 65535),
    options=st.builds(Options, mss=st.none() | st.integers(1, 65535), wscale=st.none() | st.integers(0, 14),
                      sack_ok=st.booleans(),
                      timestamps=st.none() | st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))),
    payload=st.binary(max_size=64),
)


@settings(max_examples=60, deadline=None)
@given(segments)
def test_scapy_round_trip(segment):
    from scapy.layers.inet import IP
    packet = IP(bytes(to_scapy(segment, "192.0.2.1", "192.0.2.2")))
    assert from_scapy(packet) == segment


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80))
def test_parsing_random_bytes_never_crashes_badly(raw):
    """Garbage on the wire either parses into a valid Segment or raises ValueError."""
    from scapy.layers.inet import IP
    try:
        packet = IP(raw)
    except Exception:  # scapy's own dissector errors are not ours to test
        return
    try:
        from_scapy(packet)
    except ValueError:
        pass
