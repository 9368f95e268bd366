"""Helpers for the chapter on the three-way handshake.

- `handshake_segments`: the SYN, SYN-ACK and ACK built by hand from the rules.
- `check_handshake`: the chapter's claims, checked against any Trace.
- `syn_flood`: a small model of the SYN (half-open) queue and the accept queue
  under a SYN flood, with and without SYN cookies.
- `syn_cookie` / `check_syn_cookie`: a SYN cookie in the layout RFC 4987 §3.6 describes.
"""

import hashlib
import hmac
import itertools
from dataclasses import dataclass
from typing import NamedTuple

from ..analysis.timing import retransmission_times  # noqa: F401 (the chapter imports it from here)
from ..core.errors import InvalidArgument
from ..core.rto import GRANULARITY, backoff
from ..core.segment import Flags, Options, Segment
from ..core.seqspace import check_seq, seq_add
from ..core.states import State
from ..core.trace import Trace
from ..core.validation import check_bool, check_bytes, check_instance, check_int, check_number, check_time
from ..live.browser import recorded_in_browser
from .puzzles import is_in_order
from .registry import exercise, near

MAX_COUNT = 1_000_000      # syn_flood's counts
MAX_RETRIES = 255          # retransmission_schedule's retries (Linux's tcp_syn_retries is at most 127)
MAX_RTO = 86_400.0         # retransmission_schedule's rto_max: a day (and rto_initial is at least GRANULARITY)

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
    check_seq(client_isn, "client_isn")
    check_seq(server_isn, "server_isn")
    check_int("client_port", client_port, 1, 65535)
    check_int("server_port", server_port, 1, 65535)
    check_int("mss", mss, 1, 65535)
    syn = Segment(client_port, server_port, client_isn, 0, Flags.SYN, 64240, Options(mss=mss))
    syn_ack = Segment(server_port, client_port, server_isn, seq_add(client_isn, 1), Flags.SYN | Flags.ACK, 65160,
                      Options(mss=mss))
    ack = Segment(client_port, server_port, seq_add(client_isn, 1), seq_add(server_isn, 1), Flags.ACK, 502)
    return Handshake(syn, syn_ack, ack)


def check_handshake(trace):
    """The handshake rules, each checked on *trace*: a list of (claim, holds) pairs."""
    check_instance("trace", trace, Trace)
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
    the connection and keeps no state until the client's ACK returns it.  Every count is at most MAX_COUNT.
    """
    for name, value in (("spoofed_syns", spoofed_syns), ("syn_backlog", syn_backlog),
                        ("legit_clients", legit_clients), ("accept_backlog", accept_backlog)):
        check_int(name, value, 0, MAX_COUNT)
    check_bool("syn_cookies", syn_cookies)
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
COOKIE_PERIOD = 64                   # seconds per counter tick, as in Bernstein's original (Linux: 60 s)


def _cookie_hash(secret, four_tuple, tick):
    message = f"{four_tuple}|{tick}".encode()
    return int.from_bytes(hmac.new(secret, message, hashlib.sha256).digest()[:3], "big")


def syn_cookie(secret, four_tuple, mss, now):
    """The server's ISN as a SYN cookie: t mod 32 (5 bits), MSS index (3 bits), a keyed hash (24 bits).

    *four_tuple* is (client ip, client port, server ip, server port); *mss* is the
    client's MSS, rounded down to a value in MSS_TABLE.
    """
    _check_cookie_inputs(secret, four_tuple, now)
    check_int("mss", mss, 1, 65535)
    index = max((i for i, value in enumerate(MSS_TABLE) if value <= mss), default=0)
    tick = int(now // COOKIE_PERIOD)
    return ((tick % 32) << 27) | (index << 24) | _cookie_hash(secret, four_tuple, tick)


def _check_cookie_inputs(secret, four_tuple, now):
    if not check_bytes("secret", secret):
        raise InvalidArgument("secret must be non-empty bytes, got b''")
    if not (isinstance(four_tuple, tuple) and len(four_tuple) == 4):
        raise InvalidArgument(f"four_tuple must be (client ip, client port, server ip, server port), got {four_tuple!r}")
    check_time("now", now)


def check_syn_cookie(secret, four_tuple, ack, now, max_age_ticks=2):
    """The MSS encoded in the cookie that the client's ACK returns (ACK - 1), or None if it is not valid.

    A cookie is accepted for *max_age_ticks* periods of COOKIE_PERIOD seconds (1..32: the tick has 5 bits).
    """
    _check_cookie_inputs(secret, four_tuple, now)
    check_seq(ack, "ack")
    check_int("max_age_ticks", max_age_ticks, 1, 32)
    cookie = seq_add(ack, -1)
    tick_bits, index, digest = cookie >> 27, (cookie >> 24) & 0x7, cookie & 0xFFFFFF
    current = int(now // COOKIE_PERIOD)
    for tick in range(current, current - max_age_ticks, -1):
        if tick % 32 == tick_bits and index < len(MSS_TABLE) and _cookie_hash(secret, four_tuple, tick) == digest:
            return MSS_TABLE[index]
    return None


# ------------------------------------------------------------------ options negotiation
class OptionRow(NamedTuple):
    option: str
    syn: str
    syn_ack: str
    in_use: str

    def __str__(self):
        return f"{self.option:<15} {self.syn:<18} {self.syn_ack:<18} {self.in_use}"


def _option_text(options, name):
    value = getattr(options, name)
    if name == "sack_ok":
        return "yes" if value else "—"
    if name == "timestamps":
        return "—" if value is None else f"val {value[0]} ecr {value[1]}"
    return "—" if value is None else str(value)


def negotiated_options(trace):
    """One OptionRow per option: what the SYN and the SYN-ACK carry, and what is in use afterwards.

    MSS is announced, not negotiated: each side sends segments no larger than the MSS the
    *other* side announced.  Window scale, SACK-permitted and timestamps are in use only if
    both SYNs carry them (RFC 7323 §1.3 and §3.2, RFC 2018 §2).
    """
    check_instance("trace", trace, Trace)
    flights = [f for f in trace.flights() if not f.lost]
    syn = next((f for f in flights if f.segment.flags == Flags.SYN), None)
    syn_ack = next((f for f in flights if f.segment.flags == Flags.SYN | Flags.ACK), None)
    if syn is None or syn_ack is None:
        raise ValueError("trace must hold a SYN and a SYN-ACK that were delivered")
    a, b = syn.segment.options, syn_ack.segment.options
    rows = [OptionRow("MSS", _option_text(a, "mss"), _option_text(b, "mss"),
                      f"{syn.src} sends <= {b.mss or 536}, {syn_ack.src} sends <= {a.mss or 536}")]
    for name, label in (("wscale", "window scale"), ("sack_ok", "SACK-permitted"), ("timestamps", "timestamps")):
        both = _present(getattr(a, name)) and _present(getattr(b, name))
        rows.append(OptionRow(label, _option_text(a, name), _option_text(b, name), "yes" if both else "no"))
    return rows


def _present(value):
    return value is not None and value is not False


def print_options(trace):
    """`negotiated_options` as a small table."""
    rows = negotiated_options(trace)
    print(f"{'option':<15} {'in the SYN':<18} {'in the SYN-ACK':<18} in use?")
    print("\n".join(str(row) for row in rows))


# ------------------------------------------------------------- retransmission schedule
class Schedule(NamedTuple):
    """When a segment that is never answered is sent again, and when the sender gives up."""

    sends: tuple[float, ...]   # retransmission times, seconds after the first transmission
    give_up: float             # when the last timeout expires and the connection attempt fails


def retransmission_schedule(retries, rto_initial=1.0, rto_max=120.0, linear=0):
    """The exponential backoff of RFC 6298 §5.5: RTO 1, 2, 4 … s (capped at *rto_max*, Linux's 120 s).

    *linear* retransmissions come first without doubling the timer, as Linux does for SYNs
    since 6.5 (``net.ipv4.tcp_syn_linear_timeouts`` = 4).  ``retransmission_schedule(6, linear=4)``
    is Linux's SYN: 10 retransmissions, the last at 67 s, connect() fails at 131 s;
    ``retransmission_schedule(6)`` is the pre-6.5 schedule (the last SYN at 63 s, failure at 127 s)
    and ``retransmission_schedule(5)`` its SYN-ACK (tcp_synack_retries 5): given up at 63 s.
    *retries* and *linear* are at most MAX_RETRIES; the timeouts are `tcplab.core.rto.backoff`'s.
    """
    check_int("retries", retries, 0, MAX_RETRIES)
    check_int("linear", linear, 0, MAX_RETRIES)
    check_number("rto_initial", rto_initial, GRANULARITY, MAX_RTO)
    check_number("rto_max", rto_max, rto_initial, MAX_RTO)
    timeouts = [backoff(float(rto_initial), max(0, count - linear), rto_max) for count in range(retries + linear + 1)]
    totals = tuple(itertools.accumulate(timeouts, initial=0.0))
    return Schedule(totals[1:-1], totals[-1])


# ------------------------------------------------------------- the opening states
OPENING_STATES = (State.CLOSED, State.LISTEN, State.SYN_SENT, State.SYN_RECEIVED, State.ESTABLISHED)


def opening_state_diagram(current=None, last=None, title=None):
    """The top of RFC 9293 Figure 5: only the states a connection passes while opening.

    Same arguments as `tcplab.views.state_diagram`; the figure is about half as tall (and half
    the bytes in a widget frame).
    """
    from ..views import state_diagram

    return state_diagram(current=current, last=last, states=OPENING_STATES, title=title)


# ----------------------------------------------------------------- real sockets
@dataclass(frozen=True)
class AcceptDemo:
    """What `accept_demo` observed on 127.0.0.1."""

    clients: int
    connected_before_accept: int   # connect() calls that returned before the server called accept()
    accepted: int                  # sockets accept() handed out afterwards
    same_port_as_listener: bool    # every accepted socket has the listening port as its local port
    distinct_peers: int            # distinct (client ip, client port) among them

    def __str__(self):
        return (f"{self.connected_before_accept} of {self.clients} connect() calls returned before any accept(); "
                f"accept() then returned {self.accepted} sockets, all on the listening port: "
                f"{self.same_port_as_listener}; distinct client ends: {self.distinct_peers}")


@recorded_in_browser(lambda fields: AcceptDemo(**fields))
def accept_demo(clients=3, backlog=8, timeout=5.0):
    """Real sockets: the kernel completes handshakes before the application calls accept().

    A server socket listens; *clients* sockets connect and each connect() returns (the
    handshake is done, the connection waits in the accept queue); only then does the
    server call accept(), once per client.
    """
    import socket
    from contextlib import ExitStack

    check_int("backlog", backlog, 1, 128)
    check_int("clients", clients, 1)
    check_number("timeout", timeout, 0, 3600, low_open=True)
    if clients > backlog:
        raise InvalidArgument(f"clients must be at most backlog ({backlog}) so that every handshake completes, "
                         f"got {clients}")
    with ExitStack() as stack:
        listener = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        listener.settimeout(timeout)
        listener.bind(("127.0.0.1", 0))
        listener.listen(backlog)
        port = listener.getsockname()[1]
        connected = 0
        for _ in range(clients):
            client = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=timeout))
            connected += client.getpeername()[1] == port
        accepted = []
        for _ in range(clients):
            conn, peer = listener.accept()
            stack.enter_context(conn)
            accepted.append((conn.getsockname()[1], peer))
        return AcceptDemo(clients, connected, len(accepted), all(p == port for p, _ in accepted),
                          len({peer for _, peer in accepted}))


# --------------------------------------------------------------------------- exercises
exercise("handshake-ack-wrap",
         "The client's ISN is 4294967295 (2**32 - 1). What acknowledgment number does the server's SYN-ACK carry?",
         expected=0,
         hint="The SYN uses one sequence number, and sequence numbers are counted modulo 2**32.",
         explanation="The SYN-ACK acknowledges ISN + 1 = 2**32, which wraps around to 0 (RFC 9293 §3.4).")
exercise("handshake-server-state",
         "Which state is the server in right after it has sent its SYN-ACK?",
         expected="SYN-RECEIVED",
         hint="It has received a SYN but its own SYN is not acknowledged yet.",
         explanation="LISTEN --rcv SYN / snd SYN,ACK--> SYN-RECEIVED; the client's ACK moves it to ESTABLISHED.")
exercise("handshake-third-retransmission",
         "Nobody answers a client's SYN. With the initial RTO of 1 s doubling after each timeout, how many "
         "seconds after the first SYN is the third retransmission sent?",
         predicate=near(7),
         hint="The timeouts are 1, 2 and 4 s; add them up.",
         explanation="1 + 2 + 4 = 7 s (RFC 6298 §2.1 and §5.5); the syn-timeout scenario shows 1, 3 and 7 s.")
exercise("handshake-wscale",
         "The client's SYN carries window scale 7, SACK-permitted and timestamps; the server's SYN-ACK carries "
         "only an MSS. Is window scaling in use on this connection? (True or False)",
         expected=False,
         predicate=lambda answer: answer is False,
         hint="An option is used only if both SYNs carry it.",
         explanation="The SYN-ACK did not carry window scale, so neither side scales its window (RFC 7323 §1.3).")
exercise("handshake-final-ack-seq",
         "The client's ISN is 1000 and the server's is 5000. What are the sequence and acknowledgment numbers "
         "of the third segment (the client's ACK)? Answer as a tuple (seq, ack).",
         expected=(1001, 5001),
         predicate=lambda answer: isinstance(answer, (tuple, list)) and tuple(answer) == (1001, 5001),
         hint="The client's SYN used sequence number 1000; the server's SYN used 5000.",
         explanation="seq = 1000 + 1 (the SYN consumed one number), ack = 5000 + 1: the next number expected.")


# ------------------------------------------------------------------------ thinking exercises
def _syn_timeout_failure(retries):
    from ..sim import scenarios
    return scenarios.run("syn-timeout", syn_retries=retries).events[-1].time


def _first_ack_number():
    from scapy.all import TCP

    from .puzzles import tcp_packets
    syn_ack = next(p for p in tcp_packets("loopback-session") if p[TCP].flags == "SA")
    return syn_ack[TCP].seq + 1


def handshake_cards():
    """The segments of the "lost-syn-ack" scenario, shuffled, for the ordering exercise."""
    from . import puzzles
    from ..sim import scenarios
    return puzzles.shuffled(scenarios.run("lost-syn-ack"), seed=3)


exercise("handshake-predict",
         "Predict, then run: with syn_retries=2 and every SYN lost, at what time does connect() fail?",
         predicate=near(_syn_timeout_failure(2)),
         hint="The RTO starts at 1 s and doubles after each timeout; the connection fails when the timer "
              "expires after the last retransmission.",
         explanation="7 s: retransmissions at 1 s and 3 s (RTO 1 s, then 2 s), failure 4 s after the second.")
exercise("handshake-order",
         "Put the shuffled segments of 'lost-syn-ack' in the order they were sent (a string of letters).",
         predicate=lambda answer: is_in_order(handshake_cards(), answer),
         hint="Who retransmits first, and which SYN-ACK answers which SYN?",
         explanation="The lost SYN-ACK is followed by two retransmissions, the server's and the one answering "
                     "the client's retransmitted SYN; the client ACKs both.")
exercise("handshake-pcap",
         "In the recorded loopback-session.pcap, what acknowledgment number (absolute) does the client's first ACK carry?",
         predicate=lambda answer: answer == _first_ack_number(),
         hint="Find the SYN-ACK with rdpcap; the client acknowledges the server's ISN + 1.",
         explanation="The server's ISN + 1: the SYN-ACK's seq plus one, because the SYN uses one sequence number.")
