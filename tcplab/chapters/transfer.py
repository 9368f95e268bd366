"""Helpers for the chapter on data transfer.

- `sequence_table`: seq, len, next seq and ack of each data segment, relative to the ISNs
  (`segment_table`: the same as a `Table`).
- `stream_demo` / `framed_demo`: real sockets on 127.0.0.1 showing that TCP keeps no message
  boundaries (粘包/拆包) and that length-prefixed framing restores them.
- `transfer_summary`: counts a reader can check a time-sequence graph against.
"""

import socket
from contextlib import closing
from dataclasses import dataclass

from ..core.errors import ArgumentTypeError
from ..core.segment import Flags
from ..core.seqspace import seq_relative
from ..core.trace import Kind, Trace
from ..core.validation import check_bool, check_choice, check_instance, check_int, check_number
from ..live.browser import recorded_in_browser
from .puzzles import is_in_order
from .registry import exercise
from .framing import Decoder, encode

SCENARIOS = ("data-transfer", "data-loss", "fast-retransmit", "zero-window", "random-loss")


@dataclass(frozen=True)
class SequenceRow:
    """One segment of `sequence_table`: when, who, and its numbers."""

    time: float
    sender: str
    flags: str
    seq: int
    length: int
    next_seq: int
    ack: int | None
    window: int
    lost: bool
    retransmission: bool

    @property
    def notes(self):
        return " ".join(n for n, on in (("LOST", self.lost), ("retransmission", self.retransmission)) if on)

    def __str__(self):
        ack = "" if self.ack is None else f"ack={self.ack}"
        return (f"{self.time:7.3f}  {self.sender:<6} {self.flags:<8} seq={self.seq:<6} len={self.length:<5} "
                f"next={self.next_seq:<6} {ack:<10} win={self.window:<6} {self.notes}").rstrip()


def sequence_table(trace, relative=True):
    """One SequenceRow per segment; numbers relative to each sender's ISN (as Wireshark shows) by default."""
    check_instance("trace", trace, Trace)
    check_bool("relative", relative)
    isn = {h.name: (trace.isn(h.name) or 0) if relative else 0 for h in trace.hosts}
    rows = []
    for f in trace.flights():
        seg, peer = f.segment, trace.peer_of(f.src)
        rows.append(SequenceRow(f.send.time, f.src, seg.flags.label(), seq_relative(seg.seq, isn[f.src]), seg.len,
                                seq_relative(seg.end_seq, isn[f.src]),
                                seq_relative(seg.ack, isn[peer]) if seg.flags & Flags.ACK else None,
                                seg.window, f.lost, f.retransmission))
    return rows


def segment_table(trace, relative=True):
    """`sequence_table` as a `Table` (HTML in a notebook, aligned text when printed)."""
    from ..views.table import Table   # the views (matplotlib) load only when a table is shown
    rows = [(r.time, r.sender, r.flags, r.seq, r.length, r.next_seq, "" if r.ack is None else r.ack, r.window, r.notes)
            for r in sequence_table(trace, relative)]
    return Table(("time/s", "sender", "flags", "seq", "len", "next seq", "ack", "win", "notes"), rows)


def payload_sizes(trace, host="client"):
    """The payload length of each data segment *host* sent (first transmissions only, in order)."""
    check_instance("trace", trace, Trace).host(host)
    return [len(f.segment.payload) for f in trace.flights()
            if f.src == host and f.segment.payload and not f.retransmission]


@dataclass(frozen=True)
class Summary:
    data_segments: int
    bytes_sent: int
    lost: int
    retransmissions: int
    fast_retransmissions: int
    duplicate_acks: int
    zero_window_adverts: int


def transfer_summary(trace, sender="client"):
    """Counts for the data *sender* sent and the ACKs that came back."""
    check_choice("sender", sender, [h.name for h in check_instance("trace", trace, Trace).hosts])
    receiver = trace.peer_of(sender)
    data = [f for f in trace.flights() if f.src == sender and f.segment.payload]
    acks = [f.segment for f in trace.flights() if f.src == receiver and f.segment.flags & Flags.ACK]
    dup = sum(1 for a, b in zip(acks, acks[1:]) if a.ack == b.ack and not b.payload and not b.flags & Flags.FIN)
    return Summary(len(data), sum(len(f.segment.payload) for f in data if not f.retransmission),
                   sum(1 for f in data if f.lost), sum(1 for f in data if f.retransmission),
                   sum(1 for f in data if f.send.detail == "fast retransmit"), dup,
                   sum(1 for a in acks if a.window == 0))


# ------------------------------------------------------------------ real sockets
def _pair(timeout):
    """A connected (client, server) socket pair on 127.0.0.1, both with *timeout*."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with closing(listener):
        listener.settimeout(timeout)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        client = socket.create_connection(listener.getsockname(), timeout=timeout)
        try:
            server, _ = listener.accept()
        except BaseException:
            client.close()
            raise
        server.settimeout(timeout)
        return client, server


@recorded_in_browser()
def stream_demo(messages, bufsize=4096, timeout=5.0):
    """Send each message with its own send() call; return the chunks recv(bufsize) hands the reader.

    The writer sends everything and shuts down its side before the reader
    starts, so the result does not depend on scheduling: all bytes are already
    waiting in the reader's buffer, and recv() returns them bufsize at a time.
    """
    _check_messages(messages)
    check_int("bufsize", bufsize, 1)
    check_number("timeout", timeout, 0, 3600, low_open=True)
    client, server = _pair(timeout)
    with closing(client), closing(server):
        for message in messages:
            client.sendall(message)
        client.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := server.recv(bufsize):
            chunks.append(chunk)
        return chunks


@recorded_in_browser()
def framed_demo(messages, bufsize=7, timeout=5.0):
    """As stream_demo, but each message is length-prefixed and a Decoder rebuilds the messages.

    The tiny default *bufsize* forces partial reads, which the decoder copes with.
    """
    _check_messages(messages)
    check_int("bufsize", bufsize, 1)
    chunks = stream_demo([encode(m) for m in messages], bufsize, timeout)
    decoder = Decoder()
    received = []
    for chunk in chunks:
        received += decoder.feed(chunk)
    decoder.close()
    return received


def _check_messages(messages):
    if not isinstance(messages, (list, tuple)) or not all(isinstance(m, (bytes, bytearray)) for m in messages):
        raise ArgumentTypeError(f"messages must be a list of bytes objects, got {messages!r:.60}")


# --------------------------------------------------------------------------- exercises
# ------------------------------------------------------------------ wraparound and PAWS
SEQUENCE_SPACE = 2**32


def wrap_seconds(bits_per_second):
    """How long a sender at *bits_per_second* takes to use all 2**32 sequence numbers once."""
    check_number("bits_per_second", bits_per_second, 0, low_open=True)
    return SEQUENCE_SPACE * 8 / bits_per_second


def paws_story(trace):
    """One line on the old duplicate of `paws-wraparound`: its TSval beside the server's TS.Recent."""
    check_instance("trace", trace, Trace)
    sends = [e for e in trace.events if e.kind is Kind.SEND]
    old = next((e.segment for e in sends if e.detail.startswith("old duplicate")), None)
    if old is None:
        raise ValueError("trace must be a run of the scenario paws-wraparound (it has no old duplicate)")
    if old.options.timestamps is None:
        return "no timestamps: only the sequence-number test looks at the old duplicate, and it is in the window"
    answer = next((e.segment for e in sends if e.host == "server" and e.detail == "ACK after a PAWS drop"), None)
    if answer is None:
        return f"old duplicate TSval {old.options.timestamps[0]}: PAWS let it through"
    return (f"old duplicate TSval {old.options.timestamps[0]} < TS.Recent {answer.options.timestamps[1]} "
            f"(the TSecr of the server's answer): PAWS drops it")


def bytes_read(trace, host):
    """Every byte the application on *host* read, in order (what `paws-wraparound` corrupts or not)."""
    check_instance("trace", trace, Trace)
    check_choice("host", host, [h.name for h in trace.hosts])
    return b"".join(e.data for e in trace.events if e.kind is Kind.READ and e.host == host)


exercise("transfer-fin-seq",
         "After the handshake (the client's SYN has relative seq 0) the client sends 1460, 1460 and 1080 bytes, "
         "then its FIN. What relative sequence number does the FIN carry?",
         expected=4001,
         hint="The SYN used number 0, so the first data byte is number 1; each byte uses one number.",
         explanation="1 + 1460 + 1460 + 1080 = 4001; the FIN itself uses 4001, so the server ACKs 4002.")
exercise("transfer-ack-after-loss",
         "The client sends five 1460-byte segments starting at relative seq 1; the second one is lost. What "
         "acknowledgment number do the server's ACKs for segments 3, 4 and 5 carry?",
         expected=1461,
         hint="An ACK is cumulative: it names the first byte still missing.",
         explanation="Bytes 1..1460 arrived, byte 1461 did not, so every ACK says 1461 until the gap is filled.")
exercise("transfer-dup-acks",
         "How many duplicate ACKs make a sender retransmit without waiting for its RTO (fast retransmit)?",
         expected=3,
         hint="RFC 5681 §3.2 waits for more than one or two, which reordering alone can cause.",
         explanation="The third duplicate ACK triggers fast retransmit (RFC 5681 §3.2).")
exercise("transfer-zero-window",
         "A receiver has a 4000-byte buffer, announces MSS 1000 and does not read. How many full-sized segments "
         "can the sender send before the window is zero?",
         expected=4,
         hint="The window is the free space in the receiver's buffer.",
         explanation="4 x 1000 bytes fill the buffer; the ACK of the fourth advertises win=0 (the zero-window "
                     "scenario).")
exercise("transfer-frame-size",
         "How many bytes does framing.encode(b'hello') put on the wire?",
         expected=9,
         hint="A 4-byte length header comes before the message.",
         explanation="4 header bytes (the length 5, big-endian) + 5 message bytes = 9.")


# ------------------------------------------------------------------------ thinking exercises
def pure_acks(trace, host="server"):
    """The segments *host* sent that carry only an acknowledgment: no data, no SYN, FIN or RST."""
    control = Flags.SYN | Flags.FIN | Flags.RST
    return [f.segment for f in trace.flights() if f.src == host and not f.segment.payload
            and not f.segment.flags & control]


def _delayed_ack_count():
    from ..sim import scenarios
    return len(pure_acks(scenarios.run("data-transfer", nbytes=4000, delayed_ack=0.2)))


def transfer_cards():
    """The segments of a 3000-byte transfer (with its handshake and close), shuffled, for the ordering exercise."""
    from . import puzzles
    from ..sim import scenarios
    return puzzles.shuffled(scenarios.run("data-transfer", nbytes=3000), seed=2)


def _zero_windows():
    from scapy.all import TCP

    from .puzzles import tcp_packets
    return sum(1 for p in tcp_packets("loopback-zero-window") if p[TCP].window == 0)


exercise("transfer-predict-delayed-ack",
         "Predict, then run: in scenarios.run('data-transfer', nbytes=4000, delayed_ack=0.2), how many "
         "segments does the server send that carry only an ACK?",
         predicate=lambda answer: answer == _delayed_ack_count(),
         hint="A delaying receiver still ACKs every second full-sized segment at once, and an ACK that is "
              "still waiting can ride on a segment the server sends anyway.",
         explanation="One: the ACK of the first two full segments goes at once; the ACK of the rest rides on "
                     "the server's FIN.")
exercise("transfer-order",
         "Put the shuffled segments of a 3000-byte transfer in the order they were sent (a string of letters).",
         predicate=lambda answer: is_in_order(transfer_cards(), answer),
         hint="Sequence numbers grow with every byte sent; an ACK cannot come before the segment it acknowledges.",
         explanation="Handshake, the data segments by sequence number with the server's ACKs after them, then the close.")
exercise("transfer-pcap",
         "Read the recorded loopback-zero-window.pcap with scapy: how many segments advertise a window of 0?",
         predicate=lambda answer: answer == _zero_windows(),
         hint="rdpcap the file and count the packets whose TCP window field is 0.",
         explanation="The receiver announces a zero window when its buffer is full, and again in answer to each "
                     "probe it answers.")
