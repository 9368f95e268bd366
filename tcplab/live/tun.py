"""The TUN driver: one tcplab Endpoint against the Linux TCP stack, packet by packet, in real time.

The `Driver` reads the IP packets Linux sends out of the namespace's TUN device
(`tcplab.live.netns`), turns them into Segments for `endpoint.receive`, writes
the endpoint's replies back, and calls `handle_timer` when `get_timer()` is due;
time is seconds since the run started.  Every packet becomes a SEND and a DELIVER
(or DROP, when a fault rule withholds tcplab's segment) at the same moment.  The
endpoint records its own states; the Linux side's states are inferred from the
segments (`tcplab.analysis.inference.infer_states`).
"""

import itertools
import threading
import time

from ..analysis.comparison import LINUX, TCPLAB
from ..analysis.inference import infer_states, mark_retransmissions
from ..core.states import State
from ..core.trace import Event, Host, Kind, Trace
from ..io.scapy_convert import from_scapy, to_scapy
from ..sim.apps import App
from ..sim.faults import Wire
from .netns import LINUX_IP, TCPLAB_IP

TIME_LIMIT = 10.0      # no run lasts longer than this many seconds
QUIET = 0.3            # a finished run waits this long for stragglers
POLL = 0.02            # the longest the driver sleeps between looks at its timers and application


class Driver:
    """Runs one tcplab Endpoint (with an application script) against the kernel over the TUN device."""

    def __init__(self, namespace, endpoint, script, peer_port, faults=()):
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
