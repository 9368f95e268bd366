"""Named, deterministic scenarios: each returns the `Trace` of one simulated conversation.

    from tcplab.sim import scenarios
    scenarios.names()                 # every scenario, in book order
    trace = scenarios.run("lost-final-ack")
    scenarios.describe("lost-final-ack")

Every scenario takes keyword options (delay, seeds, sizes, configs); the
defaults are what the book shows.  ISNs come from seeded generators, so runs
are reproducible but the numbers look like real ones.  An option outside its
range raises InvalidArgument under the option's own name, with the allowed values:
*delay* is a one-way delay in (0, 10] s, *nbytes* at most 1,000,000 and at most
10,000 segments' worth (so that every scenario runs in seconds).
"""

import inspect
import math
import random

from .apps import (Abort, Close, Connect, Listen, Read, Send, SendBytes, Sleep, WaitBytes, WaitEstablished,
                   WaitPeerClose, check_script)
from ..core.config import Config, KeepAlive
from ..core.endpoint import Endpoint
from ..core.errors import InvalidArgument
from ..core.segment import Flags, Options, Segment
from ..core.timestamps import ts_clock
from ..core.validation import (check_bool, check_choice, check_instance, check_int, check_number, check_options,
                               check_str)
from .faults import Delay, DropNth, DropWhere, RandomLoss, is_data, is_final_ack, is_fin, is_syn, is_syn_ack
from .simulator import Simulator

CLIENT_PORT, SERVER_PORT = 40000, 80
CLIENT_IP, SERVER_IP = "10.0.0.1", "10.0.0.2"

MAX_DELAY = 10.0          # seconds, one way
MAX_NBYTES = 1_000_000
MAX_SEGMENTS = 10_000     # nbytes / mss
MAX_SYN_RETRIES = 15      # syn-timeout gives up within about 10 minutes of virtual time
MAX_LOSSES = 10           # lost-final-ack: each lost ACK costs the server one more FIN retransmission
DEFAULT_MSS = Config().mss

_REGISTRY = {}


def scenario(name):
    def register(function):
        _REGISTRY[name] = function
        function.scenario_name = name
        return function
    return register


def names():
    """All scenario names, in the order the book meets them."""
    return list(_REGISTRY)


def describe(name):
    """The one-paragraph description of a scenario."""
    return " ".join(_lookup(name).__doc__.strip().split("\n\n")[0].split())


def options(name):
    """The keyword options scenario *name* takes, with their defaults."""
    return {p.name: p.default for p in inspect.signature(_lookup(name)).parameters.values()}


def run(name, **given):
    """Run the scenario *name* and return its Trace; unknown options raise an error listing the allowed ones."""
    check_options(f"scenario {name!r}", given, options(name))
    return _lookup(name)(**given)


def _lookup(name):
    if not isinstance(name, str) or name not in _REGISTRY:
        raise InvalidArgument(f"scenario must be one of {', '.join(_REGISTRY)}; got {name!r}")
    return _REGISTRY[name]


def _common(delay, seed, high=MAX_DELAY, high_open=False):
    """The options every scenario has: the one-way *delay* and the ISN *seed*."""
    check_number("delay", delay, 0, high, low_open=True, high_open=high_open)
    check_int("seed", seed)


def _config(name, config):
    return check_instance(name, config, (Config, type(None)), "a tcplab.Config or None")


def _nbytes(nbytes, low=0, mss=DEFAULT_MSS):
    check_int("nbytes", nbytes, low, MAX_NBYTES)
    if math.ceil(nbytes / mss) > MAX_SEGMENTS:
        raise InvalidArgument(f"nbytes / mss must be at most {MAX_SEGMENTS} segments, "
                              f"got nbytes={nbytes} with mss={mss}")
    return nbytes


def conversation(client_script, server_script, *, title, faults=(), delay=0.05, seed=1,
                 client_config=None, server_config=None, server_listens=True, server_auto_read=True):
    """Simulate a client and a server with the given scripts; returns (Trace, Simulator)."""
    check_script("client_script", client_script)
    check_str("title", title, empty=True)
    client_config = _config("client_config", client_config) or Config(seed=seed)
    server_config = _config("server_config", server_config) or Config(seed=seed)
    sim = Simulator(delay=delay, faults=faults, title=title)
    sim.add_host("client", Endpoint(CLIENT_PORT, name="client", config=client_config), client_script,
                 peer="server", ip=CLIENT_IP)
    script = ([Listen()] if server_listens else []) + check_script("server_script", server_script)
    sim.add_host("server", Endpoint(SERVER_PORT, name="server", config=server_config), script,
                 peer="client", ip=SERVER_IP, auto_read=server_auto_read)
    return sim.run(), sim


def _simple(client_script, server_script=(), **kwargs):
    trace, _ = conversation(client_script, server_script, **kwargs)
    return trace


OPEN = [Connect(), WaitEstablished()]

# ----------------------------------------------------------------- the handshake


@scenario("handshake")
def handshake(delay=0.05, seed=1, client_config=None, server_config=None):
    """The three-way handshake: SYN, SYN-ACK, ACK; both sides reach ESTABLISHED.

    Nothing else happens, so the trace ends with both hosts ESTABLISHED.
    """
    _common(delay, seed)
    _config("client_config", client_config)
    _config("server_config", server_config)
    return _simple(OPEN, [WaitEstablished()], title="Three-way handshake", delay=delay, seed=seed,
                   client_config=client_config, server_config=server_config)


@scenario("handshake-options")
def handshake_options(delay=0.05, seed=1):
    """A handshake between two Linux-like hosts that offer MSS, SACK-permitted, timestamps and window scale.

    Each option is in use only because both SYNs carry it.
    """
    _common(delay, seed)
    return _simple(OPEN, [WaitEstablished()], title="Handshake with options", delay=delay, seed=seed,
                   client_config=Config.linux(seed=seed, delayed_ack=None),
                   server_config=Config.linux(seed=seed, delayed_ack=None, mss=1400))


@scenario("lost-syn")
def lost_syn(delay=0.05, seed=1):
    """The client's first SYN is lost; its retransmission timer (initial RTO 1 s) sends it again.

    RFC 6298 §2.1 sets the initial RTO to 1 s; the retransmitted SYN completes the handshake.
    """
    _common(delay, seed)
    return _simple(OPEN, [WaitEstablished()], title="Lost SYN", delay=delay, seed=seed,
                   faults=[DropWhere(is_syn, 1, "lose the first SYN")])


@scenario("lost-syn-ack")
def lost_syn_ack(delay=0.05, seed=1):
    """The server's SYN-ACK is lost: both sides time out; the SYN-ACK is sent again.

    The client retransmits its SYN and the server its SYN-ACK, each after its own 1 s RTO.
    """
    _common(delay, seed)
    return _simple(OPEN, [WaitEstablished()], title="Lost SYN-ACK", delay=delay, seed=seed,
                   faults=[DropWhere(is_syn_ack, 1, "lose the first SYN-ACK")])


@scenario("third-segment-lost")
def third_segment_lost(delay=0.05, seed=1, client_sends=100):
    """The handshake's third segment, the client's ACK, is lost, and the client sends data at once.

    The data segment carries the ACK bit and the same acknowledgment number as the lost ACK, so it
    completes the server's handshake (§3.10.7.4, SYN-RECEIVED, fifth check).  With
    ``client_sends=0`` the client sends nothing, and the server must time out and send its SYN-ACK
    again.
    """
    _common(delay, seed)
    check_int("client_sends", client_sends, 0, MAX_NBYTES)
    client = OPEN + ([SendBytes(client_sends)] if client_sends else [])
    return _simple(client, [WaitEstablished()], title="The third segment is lost", delay=delay, seed=seed,
                   faults=[DropNth(3)])


@scenario("syn-timeout")
def syn_timeout(delay=0.05, seed=1, syn_retries=3):
    """Nobody answers: the client retransmits its SYN with exponential backoff, then gives up.

    Every SYN is lost; after *syn_retries* retransmissions (1, 2, 4 … s apart) the connection times out.
    """
    _common(delay, seed)
    check_int("syn_retries", syn_retries, 0, MAX_SYN_RETRIES)
    return _simple(OPEN, [WaitEstablished()], title="SYN timeout", delay=delay, seed=seed,
                   client_config=Config(seed=seed, syn_retries=syn_retries),
                   faults=[DropWhere(is_syn, 1000, "every SYN is lost")])


@scenario("simultaneous-open")
def simultaneous_open(delay=0.05, seed=1):
    """Both hosts send a SYN at the same moment (RFC 9293 Figure 7): four segments, both pass SYN-RECEIVED."""
    _common(delay, seed)
    sim = Simulator(delay=delay, title="Simultaneous open")
    sim.add_host("client", Endpoint(CLIENT_PORT, name="client", config=Config(seed=seed)),
                 [Connect(), WaitEstablished()], peer="server", ip=CLIENT_IP)
    sim.add_host("server", Endpoint(SERVER_PORT, name="server", config=Config(seed=seed)),
                 [Connect(), WaitEstablished()], peer="client", ip=SERVER_IP)
    return sim.run()


@scenario("old-duplicate-syn")
def old_duplicate_syn(delay=0.05, seed=1):
    """An old duplicate SYN arrives first (RFC 9293 Figure 8); the client's RST clears it.

    This is why the handshake has three messages: the client must confirm the server's SYN-ACK.
    """
    _common(delay, seed)
    client_config = Config(seed=seed)
    client_isn = Endpoint(CLIENT_PORT, name="client", config=client_config)._rng.randrange(2**32)
    old_isn = (client_isn - 100_000) % 2**32
    sim = Simulator(delay=delay, title="Old duplicate SYN", faults=[Delay(2, 3 * delay)])
    sim.add_host("client", Endpoint(CLIENT_PORT, name="client", config=client_config),
                 [Sleep(delay / 2), Connect(), WaitEstablished()], peer="server", ip=CLIENT_IP)
    sim.add_host("server", Endpoint(SERVER_PORT, name="server", config=Config(seed=seed)),
                 [Listen(), WaitEstablished()], peer="client", ip=SERVER_IP)
    old_syn = Segment(CLIENT_PORT, SERVER_PORT, old_isn, 0, Flags.SYN, 65535)
    sim.inject(0.0, "client", old_syn, detail="old duplicate SYN from an earlier connection")
    return sim.run()


@scenario("rst-closed-port")
def rst_closed_port(delay=0.05, seed=1):
    """The client connects to a port where nothing listens: the server's stack answers RST,ACK.

    RFC 9293 §3.10.7.1 has the closed port answer, and §3.10.7.3 has the client signal "error:
    connection reset"; like Linux's sockets (ECONNREFUSED), tcplab reports "connection refused".
    """
    _common(delay, seed)
    return _simple(OPEN, [], title="RST from a closed port", delay=delay, seed=seed, server_listens=False)


# ----------------------------------------------------------------- data transfer


@scenario("data-transfer")
def data_transfer(nbytes=4000, delay=0.05, seed=1, mss=1460, delayed_ack=None):
    """The client sends *nbytes* in MSS-sized segments; the server ACKs cumulatively; both close."""
    _common(delay, seed)
    server = Config(seed=seed, mss=mss, delayed_ack=delayed_ack)
    _nbytes(nbytes, mss=mss)
    return _simple(OPEN + [SendBytes(nbytes), Close()], [WaitPeerClose(), Close()],
                   title=f"Data transfer ({nbytes} bytes, MSS {mss})", delay=delay, seed=seed,
                   server_config=server)


@scenario("data-loss")
def data_loss(nbytes=6000, lose=2, delay=0.05, seed=1, fast_retransmit=False):
    """One data segment (the *lose*-th) is lost; the RTO fires and the sender retransmits it.

    The receiver keeps the out-of-order segments and ACKs everything at once when the gap fills.
    """
    _common(delay, seed)
    _nbytes(nbytes, 1)
    check_int("lose", lose, 1, math.ceil(nbytes / DEFAULT_MSS))  # at least this many data segments are sent
    drop = DropWhere(_nth_data(lose), 1, f"lose data segment {lose}")
    return _simple(OPEN + [SendBytes(nbytes), Close()], [WaitPeerClose(), Close()],
                   title="Lost segment repaired by fast retransmit" if fast_retransmit
                   else "Lost segment repaired after the RTO", delay=delay, seed=seed, faults=[drop],
                   client_config=Config(seed=seed, fast_retransmit=fast_retransmit))


@scenario("fast-retransmit")
def fast_retransmit(nbytes=8760, lose=1, delay=0.05, seed=1):
    """A lost segment is repaired after three duplicate ACKs, long before the RTO (RFC 5681 §3.2)."""
    return data_loss(nbytes=nbytes, lose=lose, delay=delay, seed=seed, fast_retransmit=True)


@scenario("random-loss")
def random_loss(nbytes=20000, rate=0.1, delay=0.05, seed=1):
    """A bulk transfer over a link that loses each segment with probability *rate* (seeded)."""
    _common(delay, seed)
    _nbytes(nbytes)
    check_number("rate", rate, 0, 1, high_open=True)
    return _simple(OPEN + [SendBytes(nbytes), Close()], [WaitPeerClose(), Close()],
                   title=f"Random loss {rate:.0%}", delay=delay, seed=seed, faults=[RandomLoss(rate, seed)],
                   client_config=Config(seed=seed, max_retries=30))


@scenario("zero-window")
def zero_window(nbytes=8000, buffer=4000, pause=4.0, delay=0.05, seed=1):
    """Flow control: a slow reader's window closes to zero; the sender probes; a window update reopens it."""
    _common(delay, seed)
    check_int("buffer", buffer, 1, 65535)
    _nbytes(nbytes, buffer)  # more than the buffer holds, or the window never closes
    check_number("pause", pause, 0, 600)
    trace, _ = conversation(OPEN + [SendBytes(nbytes), Close()],
                            [WaitBytes(buffer), Sleep(pause), Read(), WaitPeerClose(), Read(), Close()],
                            title="Zero window and persist probes", delay=delay, seed=seed,
                            server_config=Config(seed=seed, recv_buffer=buffer, mss=1000), server_auto_read=False)
    return trace


def _nth_data(n):
    seen = []

    def predicate(wire):
        if is_data(wire) and wire.host == "client":
            seen.append(wire)
            return len(seen) == n
        return False
    return predicate


# ---------------------------------------------------------------------- teardown


@scenario("four-way-teardown")
def four_way_teardown(delay=0.05, seed=1, server_delay=0.2):
    """The client closes first: FIN, ACK … FIN, ACK; the client waits 2MSL in TIME-WAIT.

    The server closes *server_delay* seconds after the client's FIN, so four segments are seen.
    """
    _common(delay, seed)
    check_number("server_delay", server_delay, 0, 600)
    return _simple(OPEN + [Sleep(0.1), Close()], [WaitPeerClose(), Sleep(server_delay), Close()],
                   title="Four-way teardown", delay=delay, seed=seed)


@scenario("server-closes-first")
def server_closes_first(delay=0.05, seed=1):
    """The server closes first, so the server, not the client, ends in TIME-WAIT."""
    _common(delay, seed)
    return _simple(OPEN + [WaitPeerClose(), Sleep(0.2), Close()], [WaitEstablished(), Sleep(0.1), Close()],
                   title="Server closes first", delay=delay, seed=seed)


@scenario("three-segment-teardown")
def three_segment_teardown(delay=0.05, seed=1, delayed_ack=0.04):
    """The server delays its ACK of the FIN and closes meanwhile: its FIN carries the ACK (3 segments).

    This is what Linux captures usually show (delayed ACK after a FIN).
    """
    _common(delay, seed)
    return _simple(OPEN + [Sleep(0.1), Close()], [WaitPeerClose(), Close()],
                   title="Teardown in three segments", delay=delay, seed=seed,
                   server_config=Config(seed=seed, delayed_ack=delayed_ack))


@scenario("simultaneous-close")
def simultaneous_close(delay=0.05, seed=1):
    """Both sides close at the same moment: FIN-WAIT-1 → CLOSING → TIME-WAIT on both (RFC 9293 Figure 13)."""
    _common(delay, seed, 0.2, high_open=True)  # both close 0.2 s after opening
    return _simple(OPEN + [Sleep(0.2), Close()], [WaitEstablished(), Sleep(0.2 - delay), Close()],
                   title="Simultaneous close", delay=delay, seed=seed)


@scenario("half-close")
def half_close(nbytes=3000, delay=0.05, seed=1):
    """The client closes its direction; the server ACKs, keeps sending *nbytes*, then closes (CLOSE-WAIT)."""
    _common(delay, seed)
    _nbytes(nbytes)
    return _simple(OPEN + [Sleep(0.1), Close()], [WaitPeerClose(), Sleep(0.1), SendBytes(nbytes), Close()],
                   title="Half-close", delay=delay, seed=seed)


@scenario("lost-final-ack")
def lost_final_ack(delay=0.05, seed=1, losses=1):
    """The client's last ACK is lost: the server in LAST-ACK retransmits its FIN after its RTO;
    the client, still in TIME-WAIT, ACKs it again and restarts its 2MSL timer.

    With *losses* > 1 several final ACKs are lost and the FIN retransmissions back off (1 s, 2 s, …).
    """
    _common(delay, seed)
    check_int("losses", losses, 1, MAX_LOSSES)
    return _simple(OPEN + [Sleep(0.1), Close()], [WaitPeerClose(), Sleep(0.1), Close()],
                   title="Lost final ACK", delay=delay, seed=seed,
                   faults=[DropWhere(is_final_ack, losses, "lose the final ACK")])


@scenario("lost-final-ack-no-time-wait")
def lost_final_ack_no_time_wait(delay=0.05, seed=1, msl=0.1):
    """As lost-final-ack, but the client keeps TIME-WAIT only 2 × *msl* seconds, far less than the server's RTO:
    the retransmitted FIN finds no connection, and the client's stack answers RST.
    """
    _common(delay, seed)
    check_number("msl", msl, 0, 120, low_open=True)
    return _simple(OPEN + [Sleep(0.1), Close()], [WaitPeerClose(), Sleep(0.1), Close()],
                   title="Lost final ACK without TIME-WAIT", delay=delay, seed=seed,
                   client_config=Config(seed=seed, msl=msl),
                   faults=[DropWhere(is_final_ack, 1, "lose the final ACK")])


@scenario("abort")
def abort(delay=0.05, seed=1):
    """The client aborts an established connection: it sends RST and the server reports a reset."""
    _common(delay, seed)
    return _simple(OPEN + [Sleep(0.1), Abort()], [WaitEstablished()], title="Abort with RST",
                   delay=delay, seed=seed)



# ------------------------------------------- the chapters' hand-built conversations
# (a block of its own: chapters/faq.py and chapters/teardown.py call these through the registry)
STALE_DATA, FRESH_DATA = b"OLD DATA", b"new data"
STALE_DETAIL = "delayed duplicate from the previous connection"


def _fixed_isn_hosts(sim, client_script, server_script, client_isn=1000, server_isn=5000):
    """The client (ISN *client_isn*) and the server (ISN *server_isn*) of a hand-built conversation."""
    sim.add_host("client", Endpoint(CLIENT_PORT, name="client", config=Config(isn=client_isn)), client_script,
                 peer="server", ip=CLIENT_IP)
    sim.add_host("server", Endpoint(SERVER_PORT, name="server", config=Config(isn=server_isn)), server_script,
                 peer="client", ip=SERVER_IP)
    return sim


def time_wait_simulation(delay=0.05):
    """The simulator of "client-in-time-wait", not yet run (for a reader who wants its client Endpoint)."""
    check_number("delay", delay, 0, MAX_DELAY, low_open=True)
    return _fixed_isn_hosts(Simulator(delay=delay, title="Client in TIME-WAIT"),
                            [Connect(), WaitEstablished(), Sleep(0.1), Close()], [Listen(), WaitPeerClose(), Close()])


@scenario("client-in-time-wait")
def client_in_time_wait(delay=0.05, seed=1, until=1.0):
    """A four-way teardown stopped at *until* s, while the client that closed first is in TIME-WAIT.

    The ISNs are fixed (client 1000, server 5000), so *seed* changes nothing.
    """
    _common(delay, seed)
    return time_wait_simulation(delay).run(until=check_number("until", until, 0, 3600))


@scenario("challenge-ack")
def challenge_ack(delay=0.05, seed=1):
    """Three forged RSTs reach an ESTABLISHED server; only the one whose seq is exactly RCV.NXT resets it.

    The optional RFC 5961 §3.2 protection of RFC 9293 §3.10.7.4 (Linux and tcplab implement it):

    1. seq outside the receive window: dropped silently;
    2. seq inside the window but not exactly RCV.NXT: the server sends a challenge ACK and stays up;
    3. seq exactly RCV.NXT: the connection is reset.

    The client's ISN is 1000 and the server's 5000, so the server's RCV.NXT is 1001; *seed* changes nothing.
    """
    _common(delay, seed)
    sim = _fixed_isn_hosts(Simulator(delay=delay, title="RST processing and the challenge ACK"),
                           OPEN, [Listen(), WaitEstablished()])
    for when, seq, what in ((0.5, 1001 + 100_000, "forged RST, seq outside the window"),
                            (1.0, 1001 + 3_000, "forged RST, seq inside the window"),
                            (1.5, 1001, "forged RST, seq = RCV.NXT exactly")):
        sim.inject(when, "client", Segment(CLIENT_PORT, SERVER_PORT, seq, 0, Flags.RST, 0), detail=what)
    return sim.run()


@scenario("abort-or-close")
def abort_or_close(how="abort", nbytes=3000, delay=0.05, seed=1):
    """The client sends *nbytes* then closes (*how* "close": FIN) or aborts ("abort": RST) at once; the
    server's application reads only 0.5 s later.

    After a FIN every byte is still delivered; after a RST the bytes the server had received
    but not yet read are thrown away with the connection.
    """
    _common(delay, seed)
    check_choice("how", how, ("abort", "close"))
    _nbytes(nbytes)
    end = Abort() if how == "abort" else Close()
    server = [WaitEstablished(), Sleep(0.5), Read()] + ([WaitPeerClose(), Close()] if how == "close" else [])
    trace, _ = conversation(OPEN + [SendBytes(nbytes), end], server, delay=delay, seed=seed,
                            title=f"{how}() right after sending {nbytes} bytes", server_auto_read=False)
    return trace


@scenario("stale-segment")
def stale_segment(time_wait=True, delay=0.05, seed=1):
    """A delayed duplicate of the server's data segment arrives after the connection has closed.

    - ``time_wait=True``: the client that closed first is still in TIME-WAIT for this 4-tuple; the
      duplicate is old (below RCV.NXT), so it is ACKed and dropped (RFC 9293 §3.10.7.4).
    - ``time_wait=False``: the client kept no state and the same 4-tuple has been reused at once by
      a new connection whose server happens to pick the same ISN; the duplicate falls exactly at
      RCV.NXT and its bytes are delivered to the new connection's application, which never sees
      the new server's real data (the new data arrives as an "old" duplicate and is dropped).

    In the first case the client's ACK reaches a server that has forgotten the connection; its RST
    then ends the client's TIME-WAIT early, as Linux does by default (RFC 1337 "TIME-WAIT assassination").
    *delay* (one way) is at most 0.1 s, so that the teardown is over before the duplicate arrives at 1 s.
    The ISNs are fixed, so *seed* changes nothing.
    """
    check_bool("time_wait", time_wait)
    _common(delay, seed, 0.1)
    old = Segment(SERVER_PORT, CLIENT_PORT, 5001, 1001, Flags.PSH | Flags.ACK, 65535, payload=STALE_DATA)
    if time_wait:
        sim = _fixed_isn_hosts(Simulator(delay=delay, title="Old duplicate arrives during TIME-WAIT"),
                               [Connect(), WaitEstablished(), Sleep(0.2), Close()],
                               [Listen(), WaitEstablished(), Send(STALE_DATA), WaitPeerClose(), Close()])
        arrival = 1.0
    else:
        sim = _fixed_isn_hosts(Simulator(delay=delay, title="Old duplicate arrives at a new connection (no TIME-WAIT)"),
                               OPEN, [Listen(), WaitEstablished(), Sleep(0.1), Send(FRESH_DATA)], client_isn=2000)
        arrival = 2 * delay
    sim.inject(arrival, "server", old, detail=STALE_DETAIL)
    return sim.run()


# ------------------------------------------------------- connections that go wrong
def _crash_is_silent(wire):
    """The first RST the server sends: the one its crash would have sent, had it been an abort."""
    return wire.host == "server" and bool(wire.segment.flags & Flags.RST)


@scenario("half-open")
def half_open(delay=0.05, seed=1, crash=0.3, send_at=2.0):
    """The server crashes at *crash* s and keeps no state; the client, idle, still thinks it is ESTABLISHED.

    The crash is modelled as an abort whose RST the link loses: the server is CLOSED, the client is
    never told.  At *send_at* s the client sends data; the server's stack answers RST (RFC 9293
    §3.10.7.1) and the client learns that the connection is gone (RFC 9293 §3.5.1, Figure 10).
    The ISNs are fixed (client 1000, server 5000), so *seed* changes nothing.
    """
    _common(delay, seed)
    check_number("crash", crash, 3 * delay, 3600)
    check_number("send_at", send_at, 2 * delay, 3600)
    return _simple(OPEN + [Sleep(send_at - 2 * delay), SendBytes(100)],
                   [WaitEstablished(), Sleep(crash - 3 * delay), Abort()],
                   title="Half-open: the server crashed", delay=delay, seed=seed,
                   client_config=Config(isn=1000), server_config=Config(isn=5000),
                   faults=[DropWhere(_crash_is_silent, 1, "the crashed server sends nothing")])


def _server_cut_off(after):
    def predicate(wire):
        return wire.host == "server" and wire.time > after
    return predicate


@scenario("keepalive")
def keepalive(delay=0.05, seed=1, peer="alive", idle=7200.0, interval=75.0, probes=9):
    """An idle client whose keep-alive timer probes the server (RFC 9293 §3.8.4), with Linux's 7200 s, 75 s and 9 probes.

    The probe is Linux's: no data, SEG.SEQ = SND.UNA - 1 (client ISN 1000, so 1000).  *peer*
    "alive": the server ACKs the probe, the count starts again, and the client closes 1 s later;
    "crashed": the server crashed at 0.3 s (as in "half-open") and its stack answers the probe
    with RST; "silent": from 0.3 s the link loses everything the server sends, so no probe is
    answered, and after *probes* probes the client aborts (a RST, which reaches the server, and a
    timeout error for its application).  Only the client has keep-alive on.  The ISNs are fixed,
    so *seed* changes nothing.
    """
    _common(delay, seed)
    check_choice("peer", peer, ("alive", "crashed", "silent"))
    settings = KeepAlive(idle=idle, interval=interval, probes=probes)
    client = OPEN + ([Sleep(idle + 1.0), Close()] if peer == "alive" else [])
    server = {"alive": [WaitPeerClose(), Close()], "crashed": [WaitEstablished(), Sleep(0.15), Abort()],
              "silent": [WaitEstablished()]}[peer]
    faults = {"alive": [], "crashed": [DropWhere(_crash_is_silent, 1, "the crashed server sends nothing")],
              "silent": [DropWhere(_server_cut_off(0.3), 10**6, "the link from the server has failed")]}[peer]
    title = {"alive": "Keep-alive probe to a live server", "crashed": "Keep-alive probe to a crashed server",
             "silent": "Keep-alive probes whose answers are lost"}[peer]
    sim = Simulator(delay=delay, faults=faults, title=title)
    sim.add_host("client", Endpoint(CLIENT_PORT, name="client", config=Config(isn=1000, keepalive=settings)),
                 client, peer="server", ip=CLIENT_IP)
    sim.add_host("server", Endpoint(SERVER_PORT, name="server", config=Config(isn=5000)), [Listen()] + server,
                 peer="client", ip=SERVER_IP)
    return sim.run(until=math.inf)


@scenario("close-wait-leak")
def close_wait_leak(delay=0.05, seed=1):
    """The client closes; the server's application reads end-of-file but never calls close().

    The server stays in CLOSE-WAIT and the client in FIN-WAIT-2 for as long as the application
    lives: nothing in RFC 9293 times out CLOSE-WAIT.
    """
    _common(delay, seed)
    return _simple(OPEN + [Sleep(0.1), Close()], [WaitPeerClose()], title="CLOSE-WAIT leak: the server never closes",
                   delay=delay, seed=seed)


@scenario("accept-queue-full")
def accept_queue_full(delay=0.05, seed=1, full_until=2.5):
    """The server's accept queue is full until *full_until* s: like Linux (tcp_abort_on_overflow = 0),
    the server drops the ACK that would complete the handshake, and the client's request with it.

    The client is ESTABLISHED after the SYN-ACK, the server stays in SYN-RECEIVED and retransmits
    its SYN-ACK; once the queue has room, the next ACK completes the handshake.
    """
    _common(delay, seed)
    check_number("full_until", full_until, 0, 60)
    def queue_full(wire):
        return wire.host == "client" and not wire.segment.flags & Flags.SYN and wire.time < full_until

    return _simple(OPEN + [SendBytes(100), Sleep(4.0)], [WaitEstablished(), Read()],
                   title="Accept queue full: the handshake's ACK is dropped", delay=delay, seed=seed,
                   faults=[DropWhere(queue_full, 100, "accept queue full: dropped")])


@scenario("lost-fin")
def lost_fin(delay=0.05, seed=1):
    """The four-way teardown with the client's FIN lost once: the client stays in FIN-WAIT-1 until its RTO resends it."""
    _common(delay, seed)
    return _simple(OPEN + [Sleep(0.1), Close()], [WaitPeerClose(), Sleep(0.2), Close()],
                   title="The client's FIN is lost", delay=delay, seed=seed,
                   faults=[DropWhere(is_fin, 1, "lose the first FIN")])


@scenario("nagle-stall")
def nagle_stall(delay=0.05, seed=1, nodelay=False, delayed_ack=0.2):
    """A request written in two pieces (4 bytes, then 6) to a server that delays its ACKs by *delayed_ack* s.

    With Nagle on (``nodelay=False``, the default of `Config`) the second piece waits until the first is
    acknowledged, and that ACK is delayed: the reply comes a delayed ACK later.  ``nodelay=True`` is
    TCP_NODELAY: both pieces leave at once.
    """
    _common(delay, seed)
    check_bool("nodelay", nodelay)
    check_number("delayed_ack", delayed_ack, 0, 0.5, low_open=True, high_open=True)
    return _simple(OPEN + [Send(b"HEAD"), Send(b"BODY!!"), WaitBytes(2), Close()],
                   [WaitBytes(10), Send(b"ok"), WaitPeerClose(), Close()],
                   title=f"Two small writes, Nagle {'off (TCP_NODELAY)' if nodelay else 'on'}", delay=delay, seed=seed,
                   client_config=Config(seed=seed, nodelay=nodelay),
                   server_config=Config(seed=seed, delayed_ack=delayed_ack))


# ------------------------------------------------ timestamps and PAWS (RFC 7323)
def _wrap_seconds(gbps):
    """How long a sender at *gbps* Gbit/s takes to use all 2**32 sequence numbers once."""
    return 2**32 * 8 / (gbps * 1e9)


@scenario("paws-wraparound")
def paws_wraparound(delay=0.05, seed=1, timestamps=True, gbps=10.0):
    """A fast transfer's sequence numbers come round again and a segment from the previous wrap arrives.

    At *gbps* Gbit/s a sender uses all 2**32 sequence numbers in 2**32 × 8 / rate seconds (3.4 s at
    10 Gbit/s), far less than an MSL.  The scenario picks the connection up as the numbers come
    round: the client sends 1,000 bytes (b"new." repeated) and, just before them, the link delivers
    an old duplicate a router held since the previous wrap: the same sequence numbers, other bytes
    (b"OLD!") and a timestamp one wrap older.  The 4 GiB in between are not simulated: they would
    leave the sequence numbers where they are.  Without *timestamps* the server takes the old bytes
    as new and drops the real ones as duplicates, so its application reads the wrong data; with
    them, PAWS (RFC 7323 §5.3) drops the old segment and ACKs it.
    """
    _common(delay, seed)
    check_bool("timestamps", timestamps)
    check_number("gbps", gbps, 0.01, 1000)
    rng = random.Random(f"paws-wraparound/{seed}")
    client_isn, server_isn, client_clock, server_clock = (rng.randrange(2**32) for _ in range(4))
    earlier, now = b"data" * 250, b"new." * 250
    client = OPEN + [Send(earlier), Sleep(0.2), Send(now), Sleep(0.3), Close()]
    sim = Simulator(delay=delay, title=f"An old duplicate from the previous wrap, timestamps {'on' if timestamps else 'off'}")
    sim.add_host("client", Endpoint(CLIENT_PORT, name="client", config=Config(
        isn=client_isn, timestamps=timestamps, ts_offset=client_clock, nodelay=True)), client, peer="server",
        ip=CLIENT_IP)
    sim.add_host("server", Endpoint(SERVER_PORT, name="server", config=Config(
        isn=server_isn, timestamps=timestamps, ts_offset=server_clock)), [Listen(), WaitPeerClose(), Close()],
        peer="client", ip=SERVER_IP)
    sent_at = 2 * delay + 0.2   # when the client sends the new bytes: established after one RTT, then 0.2 s
    then = sent_at - _wrap_seconds(gbps)
    options = Options(timestamps=(ts_clock(client_clock, then), ts_clock(server_clock, then))) if timestamps else None
    old = Segment(CLIENT_PORT, SERVER_PORT, (client_isn + 1 + len(earlier)) % 2**32, (server_isn + 1) % 2**32,
                  Flags.ACK | Flags.PSH, 65535, options, b"OLD!" * 250)
    sim.inject(sent_at - delay / 2, "client", old, detail="old duplicate from the previous wrap (held in the network)")
    return sim.run()
