"""tcplab's Endpoint against the Linux TCP stack, through a TUN device in a private network namespace.

    from tcplab.live import kernel
    kernel.available()                          # (True, "") or (False, why not)
    trace = kernel.run("withheld-final-ack")    # a Trace with hosts "tcplab" and "linux"
    print(kernel.compare("withheld-final-ack")) # the same scenario in the simulator, side by side

How it works: `tcplab.live.netns.Namespace` creates a namespace ``tcplab-<pid>-<n>``
with a TUN device at 10.77.0.1/24 (the kernel's side).  The kernel's sockets are
created inside it; tcplab's Endpoint speaks from 10.77.0.2.  The `Driver` reads
the IP packets Linux sends out of the TUN device, turns them into Segments for
`endpoint.receive`, writes the endpoint's replies back, and calls
`handle_timer` when `get_timer()` is due; time is seconds since the run
started.  Every packet becomes a SEND and a DELIVER (or DROP, when the driver
withholds a segment) at the same moment.  The endpoint records its own states;
the Linux side's states are inferred from the segments (`tcplab.live.capture.infer_states`).

Every run is bounded in time and removes its namespace, also after an error or a
SIGTERM; before a run returns, every thread it started has ended and every socket
is closed (see `tcplab.live.netns`).
"""

import argparse
import errno
import inspect
import itertools
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass

from ..analysis.comparison import LINUX, TCPLAB, compare_states
from ..analysis.inference import infer_states, mark_retransmissions
from ..core.config import Config
from ..core.endpoint import Endpoint
from ..core.segment import Flags
from ..core.states import State
from ..core.trace import Event, Host, Kind, Trace
from ..core.validation import check_choice, check_instance, check_int, check_number, check_options
from ..io.scapy_convert import from_scapy, to_scapy
from ..sim import scenarios
from ..sim.apps import App, Close, Connect, Listen, Send, Sleep, WaitBytes, WaitEstablished, WaitPeerClose
from ..sim.faults import DropWhere, Wire, is_final_ack, is_syn
from . import netns
from .capture import REPLY, REQUEST
from .netns import LINUX_IP, TCPLAB_IP
from .sockio import recv_exactly, recv_until_eof

CLIENT_PORT, SERVER_PORT = scenarios.CLIENT_PORT, scenarios.SERVER_PORT
CLOSED_PORT = 81
TIME_LIMIT = 10.0      # no run lasts longer than this many seconds
QUIET = 0.3            # a finished run waits this long for stragglers
POLL = 0.02            # the longest the driver sleeps between looks at its timers and application
SOCKET_TIMEOUT = 5.0
MAX_CLOSE_DELAY = 5.0  # seconds an application may wait before it closes


def available():
    """(True, "") if kernel runs are possible here, else (False, the reason)."""
    return netns.check()


def tcplab_config(seed=1, **changes):
    """The tcplab endpoint's settings for kernel runs: RFC defaults, but Linux's 200 ms minimum RTO."""
    return Config(seed=seed, rto_min=0.2, **changes)


# ====================================================================== the driver
class Driver:
    """Runs one tcplab Endpoint (with an application script) against the kernel over the TUN device."""

    def __init__(self, namespace, endpoint, script, peer_port, faults=()):
        from ..io import scapy_convert  # noqa: F401 - load scapy now, not while a segment waits to go out
        self.ns = namespace
        self.endpoint = endpoint
        self.app = App(endpoint, script, peer_port)
        self.faults = list(faults)
        self.events = []
        self.linux_events = []
        self._packets = itertools.count(1)
        self._sent = 0
        self._start = time.monotonic()
        self._last_packet = 0.0
        self._last_withheld = False
        self._lock = threading.Lock()

    def now(self):
        """Seconds since the run started."""
        return time.monotonic() - self._start

    # ------------------------------------------------------------ running
    def run(self, linux_app=None, limit=TIME_LIMIT, hold=0.0):
        """Drive until both sides are done and the wire is quiet (at least *hold*, at most *limit* seconds)."""
        self._step()
        worker = self.ns.start(linux_app, self.linux_call) if linux_app else None
        while self.now() < limit and not (self.now() >= hold and self._finished(worker)):
            self._receive_one()
            self._fire_timer()
            self._step()
        if worker is not None:
            worker.join(0.5)
            if worker.error is not None:
                self._linux_event(Kind.ERROR, f"{type(worker.error).__name__}: {worker.error}")

    def _finished(self, worker):
        return (self.app.done and self.endpoint.state in (State.CLOSED, State.TIME_WAIT)
                and (worker is None or not worker.is_alive())
                and not self._last_withheld and self.now() - self._last_packet >= QUIET)

    def _receive_one(self):
        raw = self.ns.read(self._wait_time())
        if raw is None:
            return
        segment = _segment_for(raw, self.endpoint.local_port)
        if segment is None:
            return  # IPv6 router solicitations and the like
        now = self._last_packet = self.now()
        packet = next(self._packets)
        self.events.append(Event(now, LINUX, Kind.SEND, segment=segment, packet=packet))
        self.events.append(Event(now, TCPLAB, Kind.DELIVER, segment=segment, packet=packet,
                                 state=self.endpoint.state))
        self.endpoint.receive(segment, now)
        self._collect(now)

    def _wait_time(self):
        deadlines = [d for d in (self.endpoint.get_timer(), self.app.wake_at) if d is not None]
        return max(0.0, min([POLL] + [d - self.now() for d in deadlines]))

    def _fire_timer(self):
        deadline, now = self.endpoint.get_timer(), self.now()
        if deadline is not None and deadline <= now:
            self.endpoint.handle_timer(now)
            self._collect(now)

    def _step(self):
        now = self.now()
        self.app.advance(now)
        self._collect(now)

    def _collect(self, now):
        """Record the endpoint's events; put its segments on the wire unless a fault rule withholds them."""
        self.endpoint.segments_to_send()
        for event in self.endpoint.take_events():
            if event.kind is Kind.SEND:
                self._transmit(event, now)
            else:
                self.events.append(event)

    def _transmit(self, event, now):
        packet = next(self._packets)
        self._sent += 1
        self._last_packet = now
        self.events.append(event.with_changes(packet=packet))
        wire = Wire(self._sent, self._sent, TCPLAB, event.segment, self.endpoint.state, now)
        action = next((a for a in (rule.decide(wire) for rule in self.faults) if a is not None), None)
        self._last_withheld = action is not None and action.kind == "drop"
        if self._last_withheld:
            self.events.append(Event(now, LINUX, Kind.DROP, segment=event.segment, packet=packet,
                                     detail=action.reason))
            return
        self.ns.write(bytes(to_scapy(event.segment, TCPLAB_IP, LINUX_IP)))
        self.events.append(Event(now, LINUX, Kind.DELIVER, segment=event.segment, packet=packet))

    # ------------------------------------------------------------ the Linux application
    def linux_call(self, detail):
        """Record a call the Linux-side application made (called from its thread)."""
        self._linux_event(Kind.CALL, detail)

    def _linux_event(self, kind, detail):
        with self._lock:
            self.linux_events.append(Event(self.now(), LINUX, kind, detail=detail))

    # ------------------------------------------------------------ the result
    def trace(self, linux_port, title):
        """Everything that happened, with the Linux side's states inferred from its segments."""
        events = sorted(self.events + self.linux_events, key=lambda e: e.time)
        hosts = [Host(TCPLAB, TCPLAB_IP, self.endpoint.local_port), Host(LINUX, LINUX_IP, linux_port)]
        return infer_states(mark_retransmissions(Trace(events, hosts, title), hosts=[LINUX]), hosts=[LINUX])


def _segment_for(raw, port):
    """The Segment in an IPv4 packet from Linux to tcplab's *port*, or None for anything else."""
    if not raw or raw[0] >> 4 != 4:
        return None
    from scapy.layers.inet import IP, TCP
    packet = IP(raw)
    if TCP not in packet or packet.src != LINUX_IP or packet.dst != TCPLAB_IP or packet[TCP].dport != port:
        return None
    return from_scapy(packet)


# ====================================================================== Linux-side applications
def linux_server(ns, listener, closes_first, close_delay):
    """A kernel server: accept, read the request, send the reply, then close (first, or after EOF)."""
    def app(call):
        conn = ns.adopt(listener.accept()[0])
        call("accept()")
        with conn:
            conn.settimeout(SOCKET_TIMEOUT)
            recv_exactly(conn, len(REQUEST))
            conn.sendall(REPLY)
            call(f"send({len(REPLY)} bytes)")
            if not closes_first:
                recv_until_eof(conn)
                call("read() = EOF")
            ns.sleep(close_delay)
            call("close()")
    return app


def linux_client(ns, sock, closes_first, close_delay):
    """A kernel client: connect to tcplab, send the request, read the reply, then close (first, or after EOF)."""
    def app(call):
        call(f"connect({SERVER_PORT})")
        sock.connect((TCPLAB_IP, SERVER_PORT))
        sock.sendall(REQUEST)
        call(f"send({len(REQUEST)} bytes)")
        recv_exactly(sock, len(REPLY))
        if not closes_first:
            recv_until_eof(sock)
            call("read() = EOF")
        ns.sleep(close_delay)
        call("close()")
        sock.close()
    return app


# ====================================================================== kernel scenarios
@dataclass(frozen=True)
class KernelScenario:
    name: str
    function: object
    simulate: object   # (kernel_trace, **options) -> the simulator's Trace of the same scenario
    description: str


_SCENARIOS = {}


def kernel_scenario(name, simulate):
    def register(function):
        doc = function.__doc__.strip().split("\n\n")[0].replace("\n", " ")
        _SCENARIOS[name] = KernelScenario(name, function, simulate, doc)
        return function
    return register


def names():
    """The kernel scenarios, in book order."""
    return list(_SCENARIOS)


def describe(name):
    return _lookup(name).description


def run(name, **options):
    """Run the kernel scenario *name* in a fresh namespace; returns its Trace.

    The options are the scenario function's arguments (e.g. ``limit``, ``seed``);
    unknown ones are refused with the list of allowed ones.
    """
    function = _lookup(name).function
    check_options(f"kernel scenario {name!r}", options, inspect.signature(function).parameters)
    ok, reason = available()
    if not ok:
        raise RuntimeError(f"kernel scenario {name!r} cannot run here: it {reason}")
    return function(**options)


def simulate(name, kernel_trace=None, **options):
    """The simulator's Trace of the same scenario (some choose their variant from what Linux did)."""
    return _lookup(name).simulate(kernel_trace, **options)


def compare(name, **options):
    """Run *name* against the kernel and in the simulator; returns (kernel_trace, sim_trace, Comparison)."""
    kernel_trace = run(name, **options)
    sim_trace = simulate(name, kernel_trace, **{k: v for k, v in options.items() if k in ("losses", "seed")})
    return kernel_trace, sim_trace, compare_states(kernel_trace, sim_trace)


def _lookup(name):
    if name not in _SCENARIOS:
        raise ValueError(f"kernel scenario must be one of {', '.join(_SCENARIOS)}; got {name!r}")
    return _SCENARIOS[name]


def session(tcplab_role="client", closer=TCPLAB, close_delay=0.0, faults=(), seed=1, limit=TIME_LIMIT,
            title=None, config=None):
    """tcplab and Linux exchange a request and a reply; *closer* ("tcplab" or "linux") closes first.

    The other side closes *close_delay* seconds after it reads end-of-file (tcplab
    waits at least 0.1 s, like the simulator's scenarios).
    """
    check_choice("tcplab_role", tcplab_role, ("client", "server"))
    check_choice("closer", closer, (TCPLAB, LINUX))
    close_delay = check_number("close_delay", close_delay, 0, MAX_CLOSE_DELAY)
    limit = _check_limit("limit", limit)
    if config is None:
        config = tcplab_config(check_int("seed", seed))
    check_instance("config", config, Config)
    title = title or f"tcplab as {tcplab_role} against Linux; {closer} closes first"
    tcplab_closes = closer == TCPLAB
    with netns.Namespace() as ns:
        if tcplab_role == "client":
            listener = _kernel_listener(ns)
            endpoint = Endpoint(CLIENT_PORT, name=TCPLAB, config=config)
            script = [Connect(SERVER_PORT), WaitEstablished(), Send(REQUEST), WaitBytes(len(REPLY))]
            linux_app, linux_port = linux_server(ns, listener, not tcplab_closes, close_delay), SERVER_PORT
        else:
            sock = _kernel_socket(ns, CLIENT_PORT)
            endpoint = Endpoint(SERVER_PORT, name=TCPLAB, config=config)
            script = [Listen(), WaitBytes(len(REQUEST)), Send(REPLY)]
            linux_app, linux_port = linux_client(ns, sock, not tcplab_closes, close_delay), CLIENT_PORT
        script += [Close()] if tcplab_closes else [WaitPeerClose(), Sleep(max(0.1, close_delay)), Close()]
        driver = Driver(ns, endpoint, script, linux_port, faults)
        driver.run(linux_app, limit=limit)
        trace = driver.trace(linux_port, title)
        trace.measurements.update(_linux_time_wait(ns, trace))
    return trace


def _check_limit(name, seconds):
    """A run's length in seconds: more than 0, at most TIME_LIMIT."""
    return check_number(name, seconds, 0, TIME_LIMIT, low_open=True)


def _kernel_listener(ns, port=SERVER_PORT):
    listener = _kernel_socket(ns, port)
    listener.listen(4)
    return listener


def _kernel_socket(ns, port):
    sock = ns.socket()
    sock.settimeout(SOCKET_TIMEOUT)
    sock.bind((LINUX_IP, port))
    return sock


def _linux_time_wait(ns, trace):
    """Linux's TIME-WAIT length, read from `ss` (remaining time + time spent so far), if Linux is in it."""
    entered = [e.time for e in trace.state_changes(LINUX) if e.state is State.TIME_WAIT]
    if not entered:
        return {}
    output = ns.run("ss", "-tanoH", "state", "time-wait")
    match = re.search(r"timewait,(\d+(?:\.\d+)?)(ms|sec|min)", output)
    if not match:
        return {}
    remaining = float(match.group(1)) * {"ms": 0.001, "sec": 1.0, "min": 60.0}[match.group(2)]
    elapsed = trace.events[-1].time - entered[0]
    return {"time_wait": round(remaining + elapsed, 1), "time_wait_source": f"ss: {match.group(0)}"}


def _teardown_variant(kernel_trace, closer_host):
    """"three-segment-teardown" if the other side's FIN carried the ACK of *closer_host*'s FIN, else four-way."""
    flights = [f for f in kernel_trace.flights() if not f.retransmission]
    fins = [i for i, f in enumerate(flights) if f.segment.flags & Flags.FIN]
    if len(fins) >= 2 and flights[fins[0]].src == closer_host and fins[1] == fins[0] + 1:
        return "three-segment-teardown"
    return "four-way-teardown"


def _sim_tcplab_client(kernel_trace, seed=1, **_):
    return scenarios.run(_teardown_variant(kernel_trace, TCPLAB) if kernel_trace else "four-way-teardown",
                         seed=seed)


@kernel_scenario("tcplab-client", _sim_tcplab_client)
def tcplab_client(close_delay=0.0, seed=1, limit=TIME_LIMIT):
    """tcplab connects to a Linux server, sends a request, reads the reply and closes first.

    The Linux application closes as soon as it reads end-of-file; its FIN usually
    carries the delayed ACK of tcplab's FIN, so the close takes three segments.
    """
    return session("client", TCPLAB, close_delay, seed=seed, limit=limit,
                   title="tcplab client against a Linux server; tcplab closes first")


@kernel_scenario("linux-closes-first", lambda kernel_trace, seed=1, **_: scenarios.run("server-closes-first",
                                                                                        seed=seed))
def linux_closes_first(seed=1, limit=TIME_LIMIT):
    """tcplab connects to a Linux server, which replies and closes first: Linux ends in TIME-WAIT.

    tcplab closes 0.1 s after it reads end-of-file; `ss` shows how long Linux keeps TIME-WAIT.
    """
    return session("client", LINUX, 0.0, seed=seed, limit=limit,
                   title="tcplab client against a Linux server; Linux closes first")


@kernel_scenario("tcplab-server", lambda kernel_trace, seed=1, **_: scenarios.run("four-way-teardown", seed=seed))
def tcplab_server(seed=1, limit=TIME_LIMIT):
    """A Linux client connects to tcplab, sends a request, reads the reply and closes first.

    tcplab (the server) closes 0.1 s after it reads end-of-file.
    """
    return session("server", LINUX, 0.0, seed=seed, limit=limit,
                   title="Linux client against a tcplab server; Linux closes first")


@kernel_scenario("withheld-final-ack", lambda kernel_trace, seed=1, losses=3, **_: scenarios.run(
    "lost-final-ack", seed=seed, losses=losses))
def withheld_final_ack(losses=3, seed=1, limit=TIME_LIMIT):
    """tcplab closes first and withholds its final ACK *losses* times: Linux, in LAST-ACK, retransmits its FIN.

    The retransmissions back off from Linux's 200 ms minimum RTO; the next ACK gets through.
    """
    check_int("losses", losses, 1, 5)  # so the run stays short
    rule = DropWhere(is_final_ack, losses, "withheld by tcplab (final ACK)")
    return session("client", TCPLAB, 0.1, faults=[rule], seed=seed, limit=limit,
                   title=f"tcplab withholds its final ACK {losses}x; Linux retransmits its FIN")


def _never_answers(wire):
    return not is_syn(wire)


def _sim_unanswered(kernel_trace, seed=1, **_):
    trace, _ = scenarios.conversation(
        [Connect(), WaitEstablished()], [WaitEstablished()], title="The client never answers the SYN-ACK",
        seed=seed, faults=[DropWhere(lambda w: w.host == "client" and _never_answers(w), 1000,
                                     "the client never answers")])
    return trace


@kernel_scenario("unanswered-syn-ack", _sim_unanswered)
def unanswered_syn_ack(wait=4.0, seed=1):
    """tcplab sends a SYN and never answers Linux's SYN-ACK: Linux retransmits the SYN-ACK (1 s, then 2 s later …).

    The run stops after *wait* seconds; Linux would go on 5 times (tcp_synack_retries).
    """
    wait = _check_limit("wait", wait)
    config = tcplab_config(check_int("seed", seed))
    with netns.Namespace() as ns:
        _kernel_listener(ns)
        endpoint = Endpoint(CLIENT_PORT, name=TCPLAB, config=config)
        rule = DropWhere(_never_answers, 1000, "withheld by tcplab (never answers the SYN-ACK)")
        driver = Driver(ns, endpoint, [Connect(SERVER_PORT), WaitEstablished()], SERVER_PORT, [rule])
        driver.run(limit=wait, hold=wait)
        return driver.trace(SERVER_PORT, "tcplab never answers Linux's SYN-ACK")


@kernel_scenario("closed-port", lambda kernel_trace, seed=1, **_: scenarios.run("rst-closed-port", seed=seed))
def closed_port(seed=1, limit=3.0):
    """tcplab connects to a port where nothing listens: Linux answers RST,ACK ("connection refused")."""
    limit = _check_limit("limit", limit)
    config = tcplab_config(check_int("seed", seed))
    with netns.Namespace() as ns:
        endpoint = Endpoint(CLIENT_PORT, name=TCPLAB, config=config)
        driver = Driver(ns, endpoint, [Connect(CLOSED_PORT)], CLOSED_PORT)
        driver.run(limit=limit)
        return driver.trace(CLOSED_PORT, "tcplab connects to a closed Linux port")


KEEPALIVE = dict(idle=1, interval=1, probes=3)   # seconds, seconds, probes: a short schedule for a run


def linux_keepalive_client(ns, sock, idle, interval, probes):
    """A kernel client with keep-alive on (TCP_KEEPIDLE/INTVL/CNT): connect, then wait in recv() until it fails."""
    def app(call):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for option, value in ((socket.TCP_KEEPIDLE, idle), (socket.TCP_KEEPINTVL, interval),
                              (socket.TCP_KEEPCNT, probes)):
            sock.setsockopt(socket.IPPROTO_TCP, option, value)
        call(f"connect({SERVER_PORT}) with SO_KEEPALIVE, {idle} s / {interval} s / {probes} probes")
        sock.connect((TCPLAB_IP, SERVER_PORT))
        sock.settimeout(idle + (probes + 2) * interval)
        try:
            sock.recv(1)
            call("recv() returned")
        except OSError as error:
            call(f"recv() failed: {errno.errorcode.get(error.errno, error.errno)}")
        sock.close()
    return app


def _sim_keepalive(kernel_trace, seed=1, **_):
    return scenarios.run("keepalive", peer="silent", seed=seed, **KEEPALIVE)


def _answers_withheld(wire):
    return wire.state is State.ESTABLISHED


@kernel_scenario("keepalive-silent-peer", _sim_keepalive)
def keepalive_silent_peer(seed=1):
    """A Linux client with keep-alive on (1 s idle, 1 s apart, 3 probes) and a tcplab server that answers nothing.

    tcplab completes the handshake, then withholds every segment it sends; Linux probes, gives up,
    sends a RST and its recv() fails with ETIMEDOUT.
    """
    config = tcplab_config(check_int("seed", seed))
    with netns.Namespace() as ns:
        sock = _kernel_socket(ns, CLIENT_PORT)
        endpoint = Endpoint(SERVER_PORT, name=TCPLAB, config=config)
        rule = DropWhere(_answers_withheld, 1000, "withheld by tcplab (a silent peer)")
        driver = Driver(ns, endpoint, [Listen(), WaitEstablished()], CLIENT_PORT, [rule])
        limit = KEEPALIVE["idle"] + (KEEPALIVE["probes"] + 2) * KEEPALIVE["interval"]
        driver.run(linux_keepalive_client(ns, sock, **KEEPALIVE), limit=limit)
        return driver.trace(CLIENT_PORT, "A Linux client's keep-alive probes, never answered")


# ====================================================================== command line
def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tcplab.live.kernel",
                                     description="Run tcplab against the Linux TCP stack in a private namespace.")
    parser.add_argument("scenario", nargs="?", help=f"one of: {', '.join(names())}")
    parser.add_argument("--list", action="store_true", help="list the kernel scenarios")
    parser.add_argument("--clean", action="store_true", help="remove namespaces left by killed runs")
    args = parser.parse_args(argv)
    if args.clean:
        try:
            removed = netns.remove_stale()
        except (PermissionError, RuntimeError) as error:
            print(f"error: cannot remove stale namespaces: {error}", file=sys.stderr)
            return 1
        print("\n".join(f"removed {name}" for name in removed) or "nothing to remove")
        return 0
    if args.list or not args.scenario:
        for name in names():
            print(f"{name:<20} {describe(name)}")
        return 0
    try:
        kernel_trace, _, comparison = compare(args.scenario)
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(kernel_trace.table())
    print()
    print(comparison.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
