"""pcap files: write a Trace as one, read one (or sniffed packets) into a Trace, check a file's framing.

A file or a capture holds only segments: nobody recorded the hosts' states, so
`trace_from_packets` infers them (`tcplab.analysis.inference`), like an observer
on the wire; those STATE events carry the detail "inferred from segments".
"""

import logging
import struct
from pathlib import Path

from ..analysis.inference import infer_states, mark_retransmissions
from ..core.errors import ArgumentTypeError, InvalidArgument
from ..core.segment import Flags
from ..core.trace import Event, Host, Kind, Trace
from ..core.validation import check_instance
from .scapy_convert import from_scapy, to_scapy

log = logging.getLogger(__name__)

PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",    # microsecond timestamps
               b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}    # nanosecond timestamps
PCAPNG_SECTION = b"\x0a\x0d\x0d\x0a"
PCAPNG_BYTE_ORDER = {b"\x4d\x3c\x2b\x1a": "<", b"\x1a\x2b\x3c\x4d": ">"}
PCAP_HEADER, RECORD_HEADER = 24, 16


def write_pcap(trace, path):
    """Write every SEND event of *trace* as an IPv4 packet stamped with its (virtual) time.

    The capture point is each sender's side of the wire, so a segment the link
    later lost is in the file too, as a real capture on the sender would show it.
    Returns the number of packets written.
    """
    from scapy.utils import PcapWriter
    check_instance("trace", trace, Trace)
    if not (isinstance(path, str) or hasattr(path, "__fspath__")):
        raise ArgumentTypeError(f"path must be a file name, got {path!r:.60}")
    count = 0
    base = 1_700_000_000  # a fixed epoch so that files are byte-for-byte reproducible
    with PcapWriter(str(path), linktype=228, sync=False) as writer:  # 228 = LINKTYPE_IPV4
        for event in trace.events:
            if event.kind is not Kind.SEND:
                continue
            src = trace.host(event.host)
            dst = trace.host(trace.peer_of(event.host))
            packet = to_scapy(event.segment, src.ip, dst.ip)
            packet.time = base + event.time
            writer.write(packet)
            count += 1
    return count


def trace_from_pcap(path, title=None):
    """Read a pcap (or pcapng) file of one TCP conversation into a Trace (see `trace_from_packets`).

    Every error names the file: a missing file, one cut short inside a record
    (with the byte offset), one scapy cannot decode, one without a TCP conversation.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path must be an existing pcap file, got {str(path)!r}")
    check_framing(path)
    load_scapy_layers()
    from scapy.utils import rdpcap
    try:
        packets = rdpcap(str(path))
    except Exception as error:  # scapy's own exceptions (Scapy_Exception, struct.error, ...) name no file
        raise InvalidArgument(f"path must be a pcap file scapy can read, got {str(path)!r}: "
                              f"{type(error).__name__}: {error}") from error
    try:
        return trace_from_packets(deduplicate(packets), title or path.stem)
    except ValueError as error:
        raise InvalidArgument(f"path must hold one TCP conversation, got {str(path)!r}: {error}") from error


def load_scapy_layers():
    """Register Ethernet and IPv4 with scapy, so that sniffed frames and pcap files are decoded."""
    import scapy.layers.inet  # noqa: F401
    import scapy.layers.l2  # noqa: F401


def deduplicate(packets, window=0.01):
    """Drop the second copy of each packet that `lo` shows twice (once going out, once coming in).

    A copy is the same IP datagram, byte for byte, within *window* seconds; a real
    retransmission comes at least 200 ms later and is kept.
    """
    from scapy.layers.inet import IP
    kept, pending = [], {}
    for packet in packets:
        if IP not in packet:
            continue
        key = bytes(packet[IP])
        first = pending.pop(key, None)
        if first is not None and float(packet.time) - first <= window:
            continue
        pending[key] = float(packet.time)
        kept.append(packet)
    return kept


def trace_from_packets(packets, title=""):
    """A Trace from scapy packets of one TCP conversation (SEND and DELIVER at each packet's time).

    The host that sent the first SYN is "client", the other "server"; packets of
    other conversations are ignored.  States are inferred from the segments.  An
    option no TCP may send (an MSS of 0, say) is ignored, and each such repair is
    listed in ``trace.measurements["warnings"]`` ("packet 5: option ignored: ...").
    """
    from scapy.layers.inet import IP, TCP

    packets = [p for p in packets if IP in p and TCP in p]
    if not packets:
        raise ValueError("packets must contain at least one IPv4 TCP packet, got none")
    client, server = _roles(packets)
    base = float(packets[0].time)
    events, warnings = [], []
    for number, packet in enumerate((p for p in packets if _endpoints(p) in ((client, server), (server, client))),
                                    start=1):
        sender = "client" if _endpoints(packet)[0] == client else "server"
        receiver = "server" if sender == "client" else "client"
        when = max(0.0, float(packet.time) - base)
        if events and when < events[-1].time:
            when = events[-1].time  # a capture clock can step back by microseconds
        notes = []
        segment = from_scapy(packet, notes)
        warnings += [f"packet {number}: {note}" for note in notes]
        events.append(Event(when, sender, Kind.SEND, segment=segment, packet=number))
        events.append(Event(when, receiver, Kind.DELIVER, segment=segment, packet=number))
    hosts = [Host("client", *client), Host("server", *server)]
    trace = infer_states(mark_retransmissions(Trace(events, hosts, title)))
    for warning in warnings:
        log.warning("%s: %s", title or "capture", warning)
    if warnings:
        trace.measurements["warnings"] = warnings
    return trace


def _endpoints(packet):
    from scapy.layers.inet import IP, TCP
    return (packet[IP].src, packet[TCP].sport), (packet[IP].dst, packet[TCP].dport)


def _roles(packets):
    """(client, server) as (ip, port) pairs: the first SYN's sender is the client."""
    from scapy.layers.inet import TCP
    for packet in packets:
        if int(packet[TCP].flags) & (Flags.SYN | Flags.ACK) == Flags.SYN:
            return _endpoints(packet)
    return _endpoints(packets[0])


def check_framing(path):
    """Raise InvalidArgument naming *path* and the byte offset if the file is not whole pcap or pcapng records.

    scapy stops quietly at a record cut short (a capture that was killed, a
    truncated download) and returns the packets before it; this check makes that
    an error.  Returns the number of records (pcap) or blocks (pcapng).
    """
    data = Path(path).read_bytes()
    if data[:4] in PCAP_MAGICS:
        return _check_pcap(path, data, PCAP_MAGICS[data[:4]])
    if data[:4] == PCAPNG_SECTION:
        return _check_pcapng(path, data)
    raise InvalidArgument(f"path must be a pcap or pcapng file, got {str(path)!r}: "
                          f"its first bytes {data[:4].hex() or 'are missing'} are no pcap magic number")


def _cut(path, offset, what, needed, left):
    return InvalidArgument(f"path must be a complete pcap file, but {str(path)!r} is cut short at byte {offset}: "
                           f"{what} needs {needed} bytes, {left} remain")


def _check_pcap(path, data, endian):
    if len(data) < PCAP_HEADER:
        raise _cut(path, 0, "the file header", PCAP_HEADER, len(data))
    offset, records = PCAP_HEADER, 0
    while offset < len(data):
        left = len(data) - offset
        if left < RECORD_HEADER:
            raise _cut(path, offset, f"the header of record {records + 1}", RECORD_HEADER, left)
        (length,) = struct.unpack_from(endian + "I", data, offset + 8)
        if RECORD_HEADER + length > left:
            raise _cut(path, offset, f"record {records + 1}", RECORD_HEADER + length, left)
        offset += RECORD_HEADER + length
        records += 1
    return records


def _check_pcapng(path, data):
    offset, blocks, endian = 0, 0, "<"
    while offset < len(data):
        left = len(data) - offset
        if left < 12:
            raise _cut(path, offset, f"block {blocks + 1}", 12, left)
        if data[offset:offset + 4] == PCAPNG_SECTION:
            endian = PCAPNG_BYTE_ORDER.get(data[offset + 8:offset + 12])
            if endian is None:
                raise InvalidArgument(f"path must be a pcap or pcapng file, got {str(path)!r}: "
                                      f"the section header at byte {offset} has no byte-order magic")
        (length,) = struct.unpack_from(endian + "I", data, offset + 4)
        if length < 12 or length % 4:
            raise InvalidArgument(f"path must be a pcap or pcapng file, got {str(path)!r}: "
                                  f"block {blocks + 1} at byte {offset} claims a length of {length} bytes")
        if length > left:
            raise _cut(path, offset, f"block {blocks + 1}", length, left)
        offset += length
        blocks += 1
    return blocks
