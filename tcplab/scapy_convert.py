"""Conversion between `tcplab.Segment` and scapy packets (a driver; imports scapy)."""

from scapy.layers.inet import IP, TCP
from scapy.packet import Raw

from .segment import Flags, Options, Segment


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


def segment_to_scapy(segment, src_ip, dst_ip):
    """``IP()/TCP()/Raw()`` for *segment*; checksums and lengths are filled in by scapy."""
    tcp = TCP(sport=segment.sport, dport=segment.dport, seq=segment.seq, ack=segment.ack,
              flags=int(segment.flags), window=segment.window,
              options=_scapy_options(segment.options))
    packet = IP(src=src_ip, dst=dst_ip) / tcp
    if segment.payload:
        packet = packet / Raw(load=segment.payload)
    # Build once so that checksums, lengths and data offset are computed.
    return IP(bytes(packet))


def _options_from_scapy(tcp_options):
    values = {}
    for name, value in tcp_options:
        if name == "MSS":
            values["mss"] = value
        elif name == "WScale":
            values["wscale"] = min(value, 14)
        elif name == "SAckOK":
            values["sack_ok"] = True
        elif name == "Timestamp":
            values["timestamps"] = tuple(value)
    return Options(**values)


def segment_from_scapy(packet):
    """A Segment from any scapy packet with a TCP layer (IP addresses are not kept)."""
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
                   options=_options_from_scapy(tcp.options), payload=payload)
