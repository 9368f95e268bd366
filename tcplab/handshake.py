"""Helpers for the chapter on the three-way handshake.

- `handshake_segments`: the SYN, SYN-ACK and ACK built by hand from the rules.
- `check_handshake`: the chapter's claims, checked against any Trace.
- `syn_flood`: a small model of the SYN (half-open) queue and the accept queue
  under a SYN flood, with and without SYN cookies.
- `syn_cookie` / `check_syn_cookie`: a SYN cookie in the layout RFC 4987 §3.6 describes.
"""

import hashlib
import hmac
from dataclasses import dataclass
from typing import NamedTuple

from .segment import Flags, Options, Segment
from .seqspace import seq_add
from .states import State
from .trace import Kind

SCENARIOS = ("handshake", "handshake-options", "lost-syn", "lost-syn-ack", "syn-timeout", "simultaneous-open",
             "old-duplicate-syn", "rst-closed-port")


class Handshake(NamedTuple):
    syn: Segment
    syn_ack: Segment
    ack: Segment


def handshake_segments(client_isn=1000, server_isn=5000, client_port=40000, server_port=80, mss=1460):
    """The three segments of a handshake, built from the rules rather than simulated.

    The SYN carries the client's ISN; the SYN-ACK carries the server's ISN and
    acknowledges client ISN + 1 (the SYN used one sequence number); the ACK
    acknowledges server ISN + 1.
    """
    syn = Segment(client_port, server_port, client_isn, 0, Flags.SYN, 64240, Options(mss=mss))
    syn_ack = Segment(server_port, client_port, server_isn, seq_add(client_isn, 1), Flags.SYN | Flags.ACK, 65160,
                      Options(mss=mss))
    ack = Segment(client_port, server_port, seq_add(client_isn, 1), seq_add(server_isn, 1), Flags.ACK, 502)
    return Handshake(syn, syn_ack, ack)


def check_handshake(trace):
    """The handshake rules, each checked on *trace*: a list of (claim, holds) pairs."""
    flights = [f for f in trace.flights() if not f.lost]
    syn_acks = [f.segment for f in flights if f.segment.flags == Flags.SYN | Flags.ACK]
    syn_ack = syn_acks[-1] if syn_acks else None  # the one that completed (earlier ones may be refused)
    syn = next((f.segment for f in flights if f.segment.flags == Flags.SYN and syn_ack is not None
                and seq_add(f.segment.seq, 1) == syn_ack.ack), None)
    acks = [f.segment for f in flights if f.segment.flags == Flags.ACK]
    checks = []
    if syn is None or syn_ack is None or not acks:
        return [("the trace holds a SYN, a SYN-ACK and an ACK", False)]
    checks.append(("SYN-ACK acknowledges the client's ISN + 1", syn_ack.ack == seq_add(syn.seq, 1)))
    checks.append(("the final ACK acknowledges the server's ISN + 1", acks[0].ack == seq_add(syn_ack.seq, 1)))
    checks.append(("the final ACK's seq is the client's ISN + 1", acks[0].seq == seq_add(syn.seq, 1)))
    checks.append(("the client went CLOSED → SYN-SENT → ESTABLISHED",
                   trace.states("client")[:3] == [State.CLOSED, State.SYN_SENT, State.ESTABLISHED]))
    server = trace.states("server")
    checks.append(("the server went LISTEN → SYN-RECEIVED → ESTABLISHED",
                   _contains_run(server, [State.LISTEN, State.SYN_RECEIVED, State.ESTABLISHED])))
    return checks


def _contains_run(sequence, run):
    return any(sequence[i:i + len(run)] == run for i in range(len(sequence)))


def retransmission_times(trace, host):
    """When *host* retransmitted, relative to its first transmission of the same segment."""
    first = {}
    result = []
    for e in trace.filter(Kind.SEND, host):
        key = (e.segment.seq, e.segment.flags)
        if e.retransmission and key in first:
            result.append(round(e.time - first[key], 6))
        first.setdefault(key, e.time)
    return result


# ------------------------------------------------------------------- SYN flood model
@dataclass(frozen=True)
class FloodResult:
    """What happened to the legitimate clients during a flood."""

    spoofed_syns: int
    syn_backlog: int
    syn_cookies: bool
    legit_clients: int
    half_open_peak: int
    legit_connected: int
    legit_dropped: int

    def __str__(self):
        mode = "with SYN cookies" if self.syn_cookies else "without SYN cookies"
        return (f"{self.spoofed_syns} spoofed SYNs, SYN queue of {self.syn_backlog}, {mode}: "
                f"half-open peak {self.half_open_peak}, {self.legit_connected} of {self.legit_clients} "
                f"real clients connected, {self.legit_dropped} dropped")


def syn_flood(spoofed_syns=200, syn_backlog=128, syn_cookies=False, legit_clients=5, accept_backlog=16):
    """Spoofed SYNs (whose SYN-ACKs go nowhere) fill the SYN queue; then real clients arrive.

    Each spoofed SYN holds a half-open entry for as long as the server keeps
    retransmitting its SYN-ACK (about a minute on Linux), longer than this model
    runs.  With the queue full, a real client's SYN is dropped, unless SYN
    cookies are on: then the server answers with a SYN-ACK whose ISN encodes
    the connection and keeps no state until the client's ACK returns it.
    """
    for name, value in (("spoofed_syns", spoofed_syns), ("syn_backlog", syn_backlog),
                        ("legit_clients", legit_clients), ("accept_backlog", accept_backlog)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    half_open = min(spoofed_syns, syn_backlog)
    room = syn_backlog - half_open
    connected = 0
    for _ in range(legit_clients):
        if connected >= accept_backlog:
            break
        if room > 0:          # a normal half-open entry; the ACK moves it to the accept queue
            connected += 1
        elif syn_cookies:     # stateless: the cookie in the SYN-ACK comes back in the ACK
            connected += 1
    return FloodResult(spoofed_syns, syn_backlog, syn_cookies, legit_clients, half_open, connected,
                       legit_clients - connected)


# ------------------------------------------------------------------------ SYN cookies
MSS_TABLE = (536, 1300, 1440, 1460)  # the MSS values a cookie can encode (3 bits; 4 used here)
COOKIE_PERIOD = 64                   # seconds per counter tick, as Linux does


def _cookie_hash(secret, four_tuple, tick):
    message = f"{four_tuple}|{tick}".encode()
    return int.from_bytes(hmac.new(secret, message, hashlib.sha256).digest()[:3], "big")


def syn_cookie(secret, four_tuple, mss, now):
    """The server's ISN as a SYN cookie: t mod 32 (5 bits), MSS index (3 bits), a keyed hash (24 bits).

    *four_tuple* is (client ip, client port, server ip, server port); *mss* is the
    client's MSS, rounded down to a value in MSS_TABLE.
    """
    if not isinstance(secret, bytes) or not secret:
        raise ValueError("secret must be non-empty bytes")
    index = max((i for i, value in enumerate(MSS_TABLE) if value <= mss), default=0)
    tick = int(now // COOKIE_PERIOD)
    return ((tick % 32) << 27) | (index << 24) | _cookie_hash(secret, four_tuple, tick)


def check_syn_cookie(secret, four_tuple, ack, now, max_age_ticks=2):
    """The MSS encoded in the cookie that the client's ACK returns (ACK - 1), or None if it is not valid."""
    cookie = seq_add(ack, -1)
    tick_bits, index, digest = cookie >> 27, (cookie >> 24) & 0x7, cookie & 0xFFFFFF
    current = int(now // COOKIE_PERIOD)
    for tick in range(current, current - max_age_ticks, -1):
        if tick % 32 == tick_bits and index < len(MSS_TABLE) and _cookie_hash(secret, four_tuple, tick) == digest:
            return MSS_TABLE[index]
    return None
