"""Helpers for the chapter on data transfer.

- `sequence_table`: seq, len, next seq and ack of each data segment, relative to the ISNs.
- `stream_demo` / `framed_demo`: real sockets on 127.0.0.1 showing that TCP keeps no message
  boundaries (粘包/拆包) and that length-prefixed framing restores them.
- `transfer_summary`: counts a reader can check a time-sequence graph against.
"""

import socket
from contextlib import closing
from dataclasses import dataclass

from .framing import Decoder, encode
from .segment import Flags
from .seqspace import seq_sub

SCENARIOS = ("data-transfer", "data-loss", "fast-retransmit", "zero-window", "random-loss")


@dataclass(frozen=True)
class Row:
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

    def __str__(self):
        ack = "" if self.ack is None else f"ack={self.ack}"
        notes = " ".join(n for n, on in (("LOST", self.lost), ("retransmission", self.retransmission)) if on)
        return (f"{self.time:7.3f}  {self.sender:<6} {self.flags:<8} seq={self.seq:<6} len={self.length:<5} "
                f"next={self.next_seq:<6} {ack:<10} win={self.window:<6} {notes}").rstrip()


def sequence_table(trace, relative=True):
    """One Row per segment; numbers relative to each sender's ISN (as Wireshark shows) by default."""
    isn = {h.name: (trace.isn(h.name) or 0) if relative else 0 for h in trace.hosts}
    rows = []
    for f in trace.flights():
        seg, peer = f.segment, trace.peer_of(f.src)
        rel = (lambda value, host: seq_sub(value, isn[host]) % 2**32)
        rows.append(Row(f.send.time, f.src, seg.flags.label(), rel(seg.seq, f.src), seg.len,
                        rel(seg.end_seq, f.src), rel(seg.ack, peer) if seg.flags & Flags.ACK else None,
                        seg.window, f.lost, f.retransmission))
    return rows


def print_sequence_table(trace, relative=True):
    print("\n".join(str(r) for r in sequence_table(trace, relative)))


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


def stream_demo(messages, bufsize=4096, timeout=5.0):
    """Send each message with its own send() call; return the chunks recv(bufsize) hands the reader.

    The writer sends everything and shuts down its side before the reader
    starts, so the result does not depend on scheduling: all bytes are already
    waiting in the reader's buffer, and recv() returns them bufsize at a time.
    """
    _check_messages(messages)
    if isinstance(bufsize, bool) or not isinstance(bufsize, int) or bufsize < 1:
        raise ValueError(f"bufsize must be an integer >= 1, got {bufsize!r}")
    client, server = _pair(timeout)
    with closing(client), closing(server):
        for message in messages:
            client.sendall(message)
        client.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := server.recv(bufsize):
            chunks.append(chunk)
        return chunks


def framed_demo(messages, bufsize=7, timeout=5.0):
    """As stream_demo, but each message is length-prefixed and a Decoder rebuilds the messages.

    The tiny default *bufsize* forces partial reads, which the decoder copes with.
    """
    _check_messages(messages)
    chunks = stream_demo([encode(m) for m in messages], bufsize, timeout)
    decoder = Decoder()
    received = []
    for chunk in chunks:
        received += decoder.feed(chunk)
    decoder.close()
    return received


def _check_messages(messages):
    if not isinstance(messages, (list, tuple)) or not all(isinstance(m, (bytes, bytearray)) for m in messages):
        raise ValueError("messages must be a list of bytes objects")
