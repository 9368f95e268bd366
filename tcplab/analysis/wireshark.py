"""What Wireshark's TCP analysis would say of a conversation, and Linux's zero-window probes in it."""

from ..core.segment import Flags
from ..core.seqspace import seq_sub
from ..core.trace import Kind, Trace
from ..core.validation import check_instance


def wireshark_labels(trace):
    """{packet: label} for the segments Wireshark's TCP analysis would flag, following its rules.

    Wireshark (epan/dissectors/packet-tcp.c) decides from the segments alone, per direction:

    - "TCP ZeroWindow": the window field is 0 (and no SYN, FIN or RST);
    - "TCP ZeroWindowProbe": 1 byte at the next expected sequence number while the peer's window is 0;
    - "TCP Keep-Alive": 0 or 1 byte at the next expected sequence number *minus one*;
    - "TCP Window Update": no data, the same ack, a different non-zero window.

    Linux's zero-window probes carry no data and use SND.UNA - 1, so they match the
    keep-alive rule, not the probe rule.
    """
    check_instance("trace", trace, Trace)
    next_seq, last_ack, last_window, labels = {}, {}, {}, {}
    for event in trace.filter(Kind.SEND):
        seg, host = event.segment, event.host
        peer = trace.peer_of(host)
        plain = not seg.flags & (Flags.SYN | Flags.FIN | Flags.RST)
        size = len(seg.payload)
        expected = next_seq.get(host)
        label = None
        if plain and expected is not None:
            if size == 1 and seg.seq == expected and last_window.get(peer) == 0:
                label = "TCP ZeroWindowProbe"
            elif size <= 1 and seq_sub(seg.seq, expected) == -1:
                label = "TCP Keep-Alive"
            elif seg.window == 0:
                label = "TCP ZeroWindow"
            elif (size == 0 and seg.flags & Flags.ACK and seg.ack == last_ack.get(host)
                  and last_window.get(host) not in (None, seg.window)):
                label = "TCP Window Update"
        elif plain and seg.window == 0:
            label = "TCP ZeroWindow"
        if label:
            labels[event.packet] = label
        if expected is None or seq_sub(seg.end_seq, expected) > 0:
            next_seq[host] = seg.end_seq
        if seg.flags & Flags.ACK:
            last_ack[host] = seg.ack
        if not seg.flags & Flags.SYN:
            last_window[host] = seg.window
    return labels


def zero_window_probes(trace, host="client"):
    """[(time, seq - SND.UNA, payload bytes)] for the zero-window probes *host* sent: its segments of at
    most one byte that repeat sequence space below its highest sequence number sent.  SND.UNA is the
    highest acknowledgment number the peer had sent by then."""
    check_instance("trace", trace, Trace).host(host)
    highest, una, probes = None, None, []
    for event in trace.filter(Kind.SEND):
        seg = event.segment
        if event.host != host:
            if seg.flags & Flags.ACK and (una is None or seq_sub(seg.ack, una) > 0):
                una = seg.ack
            continue
        if highest is not None and una is not None and len(seg.payload) <= 1 \
                and not seg.flags & (Flags.SYN | Flags.FIN) and seq_sub(seg.seq, highest) < 0:
            probes.append((round(event.time, 3), seq_sub(seg.seq, una), len(seg.payload)))
        if highest is None or seq_sub(seg.end_seq, highest) > 0:
            highest = seg.end_seq
    return probes
