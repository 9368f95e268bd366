"""pcap files: write a Trace as one, and check a file's record framing before scapy decodes it (a driver)."""

import struct
from pathlib import Path

from ..core.errors import ArgumentTypeError, InvalidArgument
from ..core.trace import Kind, Trace
from ..core.validation import check_instance
from .scapy_convert import to_scapy

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
