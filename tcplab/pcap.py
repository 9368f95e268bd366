"""Write a Trace as a pcap file (a driver; uses scapy)."""

from scapy.utils import PcapWriter

from .trace import Kind


def write_pcap(trace, path):
    """Write every SEND event of *trace* as an IPv4 packet stamped with its (virtual) time.

    The capture point is each sender's side of the wire, so a segment the link
    later lost is in the file too, as a real capture on the sender would show it.
    Returns the number of packets written.
    """
    count = 0
    base = 1_700_000_000  # a fixed epoch so that files are byte-for-byte reproducible
    with PcapWriter(str(path), linktype=228, sync=False) as writer:  # 228 = LINKTYPE_IPV4
        for event in trace.events:
            if event.kind is not Kind.SEND:
                continue
            src = trace.host(event.host)
            dst = trace.host(trace.peer_of(event.host))
            packet = event.segment.to_scapy(src.ip, dst.ip)
            packet.time = base + event.time
            writer.write(packet)
            count += 1
    return count
