"""Conversion between `tcplab.Segment` and scapy packets (the io layer; imports scapy)."""

from scapy.layers.inet import IP, TCP
from scapy.packet import Raw

from ..core.segment import Flags, Options, Segment
from ..core.validation import check_instance, check_ip


def _scapy_options(options):
    result = []
    if options.mss is not None:
        result.append(("MSS", options.mss))
    if options.sack_ok:
        result.append(("SAckOK", b""))
    if options.timestamps is not None:
        result.append(("Timestamp", options.timestamps))
    if options.wscale is not None:
        result.append(("NOP", None))
        result.append(("WScale", options.wscale))
    return result


def to_scapy(segment, src_ip="10.0.0.1", dst_ip="10.0.0.2"):
    """*segment* as a scapy ``IP()/TCP()/Raw()`` packet; checksums and lengths are filled in by scapy."""
    check_instance("segment", segment, Segment)
    src_ip, dst_ip = check_ip("src_ip", src_ip), check_ip("dst_ip", dst_ip)
    tcp = TCP(sport=segment.sport, dport=segment.dport, seq=segment.seq, ack=segment.ack,
              flags=int(segment.flags), window=segment.window,
              options=_scapy_options(segment.options))
    packet = IP(src=src_ip, dst=dst_ip) / tcp
    if segment.payload:
        packet = packet / Raw(load=segment.payload)
    # Build once so that checksums, lengths and data offset are computed.
    return IP(bytes(packet))


def _options_from_scapy(tcp_options, notes):
    values = {}
    for name, value in tcp_options:
        if name == "MSS":
            values["mss"] = value
        elif name == "WScale":
            if isinstance(value, int) and value > 14:
                # RFC 7323 §2.3: a shift count above 14 SHOULD be logged and MUST be used as 14.
                notes.append(f"window scale {value} used as 14 (RFC 7323 §2.3)")
                value = 14
            values["wscale"] = value
        elif name == "SAckOK":
            values["sack_ok"] = True
        elif name == "Timestamp":
            values["timestamps"] = tuple(value)
    kept = {}
    for key, value in values.items():
        try:
            Options(**{key: value})
        except ValueError as error:
            notes.append(f"option ignored: {error}")
        else:
            kept[key] = value
    return Options(**kept)


def from_scapy(packet, notes=None):
    """A Segment from any scapy packet with a TCP layer (IP addresses are not kept).

    An option whose value no TCP may send (an MSS of 0, say) is left out, not fatal:
    a description of each such repair is appended to *notes* (a list) if given.
    """
    if TCP not in packet:
        raise ValueError(f"packet has no TCP layer: {packet.summary()}")
    tcp = packet[TCP]
    payload = bytes(tcp.payload) if tcp.payload else b""
    if IP in packet:
        # Ethernet frames can carry padding after the IP datagram; keep only the TCP payload.
        ip = packet[IP]
        tcp_len = ip.len - ip.ihl * 4 - tcp.dataofs * 4 if ip.len else None
        if tcp_len is not None and 0 <= tcp_len < len(payload):
            payload = payload[:tcp_len]
    return Segment(sport=tcp.sport, dport=tcp.dport, seq=tcp.seq, ack=tcp.ack,
                   flags=Flags(int(tcp.flags)), window=tcp.window,
                   options=_options_from_scapy(tcp.options, [] if notes is None else notes), payload=payload)
