"""The header figure shows a segment's fields as 32-bit rows."""

import pytest
from matplotlib.colors import to_hex

from tcplab import Flags, Options, Segment
from tcplab.io.scapy_convert import to_scapy
from tcplab.views import header
from tcplab.views.header import FIELDS
from tcplab.views.style import COLORS

try:
    from tests.test_plot_helpers import gids, one
except ImportError:
    from test_plot_helpers import gids, one

ACK = Segment(49152, 80, seq=1001, ack=5001, flags=Flags.ACK, window=502)
SYN = Segment(49152, 80, seq=1000, flags=Flags.SYN, window=64240, options=Options(mss=1460, wscale=7))


def test_ack_bit_and_ack_number():
    fig = header(ACK, highlight=("ack", "ACK"))
    assert one(fig, "value-ACK").get_text() == "1"
    assert one(fig, "value-ack").get_text() == "5001"
    assert one(fig, "value-SYN").get_text() == "0"
    assert to_hex(one(fig, "field-ack").get_facecolor()) == COLORS["highlight"]
    assert to_hex(one(fig, "field-ACK").get_facecolor()) == COLORS["highlight"]
    assert to_hex(one(fig, "field-seq").get_facecolor()) == "#ffffff"
    assert gids(fig, "note-ack") == []


def test_every_field_is_drawn_with_its_value():
    fig = header(SYN)
    for name in ("sport", "dport", "seq", "ack", "offset", "window", "checksum", "urgent", "options",
                 "CWR", "ECE", "URG", "ACK", "PSH", "RST", "SYN", "FIN"):
        assert gids(fig, f"field-{name}") == [f"field-{name}"], name
    assert one(fig, "value-seq").get_text() == "1000"
    assert one(fig, "value-offset").get_text() == "7"          # 20 bytes + mss 4 + nop 1 + ws 3
    assert one(fig, "value-checksum").get_text().startswith("0x")
    assert "mss 1460" in one(fig, "value-options").get_text()
    assert one(fig, "note-ack").get_text().startswith("not used")


def test_checksum_matches_scapy_and_depends_on_addresses():
    from scapy.layers.inet import TCP
    expected = to_scapy(SYN, "192.0.2.1", "192.0.2.2")[TCP].chksum
    fig = header(SYN, src_ip="192.0.2.1", dst_ip="192.0.2.2")
    assert one(fig, "value-checksum").get_text() == f"0x{expected:04x}"


def test_flags_highlight_means_all_eight_bits():
    fig = header(SYN, highlight=["flags"])
    for name in ("CWR", "SYN", "FIN"):
        assert to_hex(one(fig, f"field-{name}").get_facecolor()) == COLORS["highlight"]


@pytest.mark.parametrize("kwargs, message", [
    ({"highlight": ("acknowledgment",)}, "highlight"), ({"src_ip": "not-an-ip"}, "src_ip"),
    ({"dst_ip": "300.1.1.1"}, "dst_ip"),
])
def test_bad_arguments_name_themselves(kwargs, message):
    with pytest.raises(ValueError, match=message):
        header(SYN, **kwargs)
    assert "sport" in FIELDS and "FIN" in FIELDS


def test_rejects_what_is_not_a_segment():
    with pytest.raises(ValueError, match="segment"):
        header("SYN")
