"""A deterministic discrete-event simulator: endpoints, their application scripts, a faulty link.

Time is virtual: the simulator jumps from one event to the next, so a 240 s
TIME-WAIT costs nothing.  Ties are broken by the order events were scheduled,
so the same inputs always give the same `Trace`.

    sim = Simulator(delay=0.05, faults=[DropWhere(is_final_ack)])
    sim.add_host("client", Endpoint(40000, name="client"), [Connect(), WaitEstablished(), Close()], peer="server")
    sim.add_host("server", Endpoint(80, name="server"), [Listen(), WaitPeerClose(), Close()], peer="client")
    trace = sim.run()
"""

import heapq
import itertools
import math
from dataclasses import dataclass, field

from ..core.endpoint import Endpoint
from ..core.errors import InvalidArgument
from ..core.segment import Segment
from ..core.trace import Event, Host, Kind, Trace
from ..core.validation import check_choice, check_instance, check_int, check_ip, check_number, check_str, check_time
from .apps import App
from .faults import Rule, Wire


@dataclass
class SimHost:
    name: str
    ip: str
    endpoint: Endpoint
    app: App
    peer: str
    sent: int = 0
    timer_at: set = field(default_factory=set)


class Simulator:
    """Two (or more) hosts joined by a link with a one-way *delay* and a list of fault rules."""

    def __init__(self, delay=0.05, faults=(), title=""):
        self.delay = check_number("delay", delay, 0, low_open=True)
        if isinstance(faults, (str, bytes)) or not hasattr(faults, "__iter__"):
            check_instance("faults", faults, (list, tuple), "a list of tcplab.sim.faults rules")
        self.faults = list(faults)
        for i, rule in enumerate(self.faults):
            check_instance(f"faults[{i}]", rule, Rule, "a tcplab.sim.faults rule (DropNth, DropWhere, …)")
        self.title = check_str("title", title, empty=True)
        self.hosts = {}
        self.now = 0.0
        self._queue = []
        self._order = itertools.count()
        self._packets = itertools.count(1)
        self._on_link = 0
        self._events = []

    def add_host(self, name, endpoint, script=(), *, peer, ip=None, auto_read=True):
        """Add a host running *script* (a list of tcplab.sim.apps steps) on *endpoint*.

        *name* must be the endpoint's own name (the name its events carry); *ip* is an IP address
        (10.0.0.1, 10.0.0.2, … by default).
        """
        check_str("name", name)
        if name in self.hosts:
            raise InvalidArgument(f"name must be unique; host {name!r} already exists")
        check_instance("endpoint", endpoint, Endpoint)
        if endpoint.name != name:
            raise InvalidArgument(f"name must be the endpoint's name {endpoint.name!r} (its events carry it), "
                                  f"got {name!r}")
        check_str("peer", peer)
        ip = check_ip("ip", ip) if ip is not None else f"10.0.0.{len(self.hosts) + 1}"
        self.hosts[name] = SimHost(name, ip, endpoint, App(endpoint, script, None, auto_read), peer)
        return self.hosts[name]

    def inject(self, time, sender, segment, detail="injected"):
        """Put *segment* on the link at *time* as if *sender* had sent it (e.g. an old duplicate SYN)."""
        time = check_time("time", time, self.now)
        check_choice("sender", sender, self.hosts)
        check_instance("segment", segment, Segment)
        check_str("detail", detail, empty=True)
        self._schedule(time, "inject", (sender, segment, detail))

    # ------------------------------------------------------------------ running
    def run(self, until=3600.0, max_events=200_000):
        """Run until nothing is left to do (or virtual time *until*, which may be math.inf); return the Trace.

        At most *max_events* events are handled; if work is still left then, the Trace is
        returned with ``truncated=True`` (its table and repr say so).
        """
        if until != math.inf:
            until = check_time("until", until)
        check_int("max_events", max_events, 1)
        for host in self.hosts.values():
            if host.peer not in self.hosts:
                raise InvalidArgument(f"peer of host {host.name!r} must be one of {sorted(self.hosts)}, "
                                      f"got {host.peer!r}")
            host.app.peer_port = self.hosts[host.peer].endpoint.local_port
        for host in self.hosts.values():
            self._step_app(host)
        handled = 0
        while self._queue and handled < max_events:
            time, _, kind, payload = heapq.heappop(self._queue)
            if time > until:
                break
            self.now = time
            handled += 1
            self._handle(kind, payload)
            self.after_event()
        truncated = handled >= max_events and any(when <= until for when, *_ in self._queue)
        hosts = [Host(h.name, h.ip, h.endpoint.local_port) for h in self.hosts.values()]
        return Trace(self._events, hosts, self.title, truncated=truncated)

    def _handle(self, kind, payload):
        if kind == "arrive":
            name, segment, packet = payload
            host = self.hosts[name]
            self._record(Event(self.now, name, Kind.DELIVER, segment=segment, state=host.endpoint.state,
                               packet=packet))
            self.on_arrive(name, segment)
            host.endpoint.receive(segment, self.now)
            self._after(host)
        elif kind == "drop":
            name, segment, packet, reason = payload
            self._record(Event(self.now, name, Kind.DROP, segment=segment, packet=packet, detail=reason,
                               state=self.hosts[name].endpoint.state))
        elif kind == "timer":
            host = self.hosts[payload]
            host.timer_at.discard(self.now)
            deadline = host.endpoint.get_timer()
            if deadline is not None and deadline <= self.now:
                host.endpoint.handle_timer(self.now)
            self._after(host)
        elif kind == "wake":
            self._after(self.hosts[payload])
        elif kind == "inject":
            sender, segment, detail = payload
            host = self.hosts[sender]
            self._put_on_link(host, Event(self.now, sender, Kind.SEND, segment=segment, detail=detail,
                                          state=host.endpoint.state))

    def _after(self, host):
        """Let every app react, then collect what each endpoint did."""
        self._collect(host)
        for other in self.hosts.values():
            self._step_app(other)

    def _step_app(self, host):
        host.app.advance(self.now)
        if host.app.wake_at is not None:
            self._schedule(host.app.wake_at, "wake", host.name)
        self._collect(host)

    def _collect(self, host):
        host.endpoint.segments_to_send()  # the SEND events below carry the same segments
        for event in host.endpoint.take_events():
            if event.kind is Kind.SEND:
                self._put_on_link(host, event)
            else:
                self._record(event)
        deadline = host.endpoint.get_timer()
        if deadline is not None and deadline not in host.timer_at:
            host.timer_at.add(deadline)
            self._schedule(deadline, "timer", host.name)

    def _put_on_link(self, host, event):
        self.on_send(host.name, event)
        packet = next(self._packets)
        self._record(event.with_changes(time=self.now, packet=packet))
        self._on_link += 1
        host.sent += 1
        wire = Wire(self._on_link, host.sent, host.name, event.segment, host.endpoint.state, self.now)
        action = None
        for rule in self.faults:
            action = rule.decide(wire)
            if action is not None:
                break
        if action is not None and action.kind == "drop":
            # A DROP event belongs to the host the segment was meant for, half-way along the link.
            self._schedule(self.now + self.delay / 2, "drop", (host.peer, event.segment, packet, action.reason))
            return
        extra = action.extra_delay if action is not None and action.kind == "delay" else 0.0
        self._schedule(self.now + self.delay + extra, "arrive", (host.peer, event.segment, packet))
        if action is not None and action.kind == "duplicate":
            copy = next(self._packets)
            self._record(event.with_changes(time=self.now, packet=copy, detail="duplicate made by the link"))
            self._schedule(self.now + self.delay * 1.5, "arrive", (host.peer, event.segment, copy))

    def _schedule(self, time, kind, payload):
        heapq.heappush(self._queue, (time, next(self._order), kind, payload))

    def _record(self, event):
        self._events.append(event)

    # ------------------------------------------------------------------ hooks
    # A subclass that watches a conversation (the fuzzing harness in tests/) overrides these.
    def on_send(self, name, event):
        """Host *name* puts *event*'s segment on the link (before the fault rules decide its fate)."""

    def on_arrive(self, name, segment):
        """*segment* reaches host *name*, whose endpoint has not yet seen it."""

    def after_event(self):
        """One event (an arrival, a timer, an application step …) has been handled."""

    # ------------------------------------------------------------------ results
    @property
    def pending(self):
        """How many events are still scheduled (after `run`: work left past *until* or *max_events*)."""
        return len(self._queue)

    def received(self, name):
        """The bytes the application on host *name* read."""
        check_choice("name", name, self.hosts)
        return bytes(self.hosts[name].app.received)
