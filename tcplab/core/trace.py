"""`Trace`: the one record of a TCP conversation that everything else consumes.

The simulator, live captures and the kernel interop all produce a Trace; the
plots, widgets, pcap export and chapters only ever read one.  A Trace is an
ordered tuple of `Event`s plus the hosts that took part.
"""

import math
from dataclasses import dataclass, replace
from enum import Enum

from .errors import InvalidArgument
from .segment import Segment
from .states import State
from .validation import (check_bool, check_bytes, check_choice, check_instance, check_int, check_ip, check_str,
                         check_time)


class Kind(str, Enum):
    """What happened."""

    CALL = "call"          # the application called connect(), listen(), send(), close(), abort()
    SEND = "send"          # a host put a segment on the wire
    DELIVER = "deliver"    # the link handed a segment to its destination host
    DROP = "drop"          # the link lost a segment
    TIMER = "timer"        # a timer expired (RTO, 2MSL, delayed ACK, persist)
    STATE = "state"        # a host changed state
    READ = "read"          # the application read bytes from its receive buffer
    ERROR = "error"        # the connection failed: reset, refused, timed out

    def __str__(self):
        return self.value


@dataclass(frozen=True)
class Event:
    """One timestamped event.  Fields that do not apply to a kind are None/empty.

    - ``packet`` numbers a segment's flight: its SEND and its DELIVER or DROP share it.
    - ``state`` is the host's state after the event; ``before`` is set on STATE events.
    - ``detail`` is a short human note: the call ("close()"), the timer ("RTO"), why a
      segment was sent ("retransmission"), the bytes read.
    """

    time: float
    host: str
    kind: Kind
    segment: Segment | None = None
    state: State | None = None
    before: State | None = None
    detail: str = ""
    packet: int | None = None
    retransmission: bool = False
    data: bytes = b""

    def __post_init__(self):
        # Every check tests the usual case first: events are made for every segment a simulation sends.
        check_time("time", self.time)
        if type(self.host) is not str or not self.host:
            check_str("host", self.host)
        if type(self.kind) is not Kind:
            object.__setattr__(self, "kind", _kind(self.kind))
        if self.segment is not None and type(self.segment) is not Segment:
            check_instance("segment", self.segment, Segment)
        for name in ("state", "before"):
            value = getattr(self, name)
            if value is not None and type(value) is not State:
                object.__setattr__(self, name, State(check_choice(name, value, [s.value for s in State])))
        if type(self.detail) is not str:
            check_str("detail", self.detail, empty=True)
        if self.packet is not None:
            check_int("packet", self.packet, 0)
        if self.retransmission is not True and self.retransmission is not False:
            check_bool("retransmission", self.retransmission)
        if type(self.data) is not bytes:
            object.__setattr__(self, "data", check_bytes("data", self.data))

    def with_changes(self, **changes):
        return replace(self, **changes)

    @property
    def what(self):
        """What happened, in words: the state change, or the segment and the detail."""
        if self.kind is Kind.STATE:
            return f"{self.before} -> {self.state}" + (f"  ({self.detail})" if self.detail else "")
        return "  ".join(part for part in (self.segment and str(self.segment), self.detail and f"[{self.detail}]")
                         if part)

    def __str__(self):
        gap = " " if self.segment is not None or self.kind is Kind.STATE else "  "   # a lone [detail] stands apart
        return f"{self.time:9.3f}  {self.host:<7} {self.kind.value:<7}" + (gap + self.what if self.what else "")


@dataclass(frozen=True)
class Host:
    """A participant: its name in events, its IP address and TCP port."""

    name: str
    ip: str
    port: int

    def __post_init__(self):
        check_str("name", self.name)
        object.__setattr__(self, "ip", check_ip("ip", self.ip))
        check_int("port", self.port, 0, 65535)


@dataclass(frozen=True)
class Flight:
    """One segment's journey: sent by *src* to *dst*; *end* is its DELIVER or DROP (None if neither)."""

    packet: int
    src: str
    dst: str
    segment: Segment
    send: Event
    end: Event | None

    @property
    def lost(self):
        return self.end is not None and self.end.kind is Kind.DROP

    @property
    def retransmission(self):
        return self.send.retransmission


class Trace:
    """An ordered, immutable sequence of events between named hosts.

    ``measurements`` holds what a driver read outside the events (for example the TIME-WAIT
    length `ss` reported during a kernel run), by name: numbers, text or lists of text.
    ``truncated`` is True when the driver stopped before the conversation was over (the
    simulator's *max_events* ran out), so the trace does not show how it ended.
    """

    def __init__(self, events, hosts, title="", measurements=None, truncated=False):
        self.events = _tuple_of("events", events, Event)
        self.hosts = _tuple_of("hosts", hosts, Host)
        self.title = check_str("title", title, empty=True)
        self.measurements = _check_measurements(measurements)
        self.truncated = check_bool("truncated", truncated)
        names = [h.name for h in self.hosts]
        if len(set(names)) != len(names):
            raise InvalidArgument(f"hosts must have distinct names, got {names}")
        for i, event in enumerate(self.events):
            if event.host not in names:
                raise InvalidArgument(f"events[{i}].host must be one of {sorted(names)}, got {event.host!r}")
            if i and event.time < self.events[i - 1].time:
                raise InvalidArgument(f"events[{i}].time goes backwards ({event.time} < {self.events[i - 1].time})")

    # --- sequence protocol ---------------------------------------------
    def __len__(self):
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def __getitem__(self, index):
        return self.events[index]

    def __repr__(self):
        truncated = ", TRUNCATED" if self.truncated else ""
        return f"<Trace {self.title!r}: {len(self.events)} events, {len(self.flights())} segments{truncated}>"

    # --- queries ---------------------------------------------------------
    def host(self, name):
        """The Host called *name*."""
        return self.hosts[self._host_index(name)]

    def _host_index(self, name, argument="host"):
        names = [h.name for h in self.hosts]
        if name not in names:
            raise InvalidArgument(f"{argument} must be one of {', '.join(map(repr, names))}; got {name!r}")
        return names.index(name)

    def peer_of(self, name):
        """The other host of a two-host trace."""
        self._host_index(name)
        others = [h.name for h in self.hosts if h.name != name]
        if len(others) != 1:
            raise InvalidArgument(f"peer_of needs a two-host trace; host {name!r} has {len(others)} peers")
        return others[0]

    def filter(self, kind=None, host=None):
        """Events of one kind and/or one host, in order."""
        kind = _kind(kind) if kind is not None else None
        if host is not None:
            self._host_index(host)
        return [e for e in self.events if (kind is None or e.kind is kind) and (host is None or e.host == host)]

    def flights(self):
        """Every sent segment with its fate, in the order they were sent."""
        ends = {}
        for e in self.events:
            if e.kind in (Kind.DELIVER, Kind.DROP) and e.packet is not None:
                ends[e.packet] = e
        result = []
        for e in self.events:
            if e.kind is Kind.SEND:
                end = ends.get(e.packet)
                dst = end.host if end is not None and end.kind is Kind.DELIVER else self._other(e.host)
                result.append(Flight(e.packet, e.host, dst, e.segment, e, end))
        return result

    def _other(self, name):
        others = [h.name for h in self.hosts if h.name != name]
        return others[0] if others else name

    def segments(self):
        """The segments put on the wire, in order."""
        return [e.segment for e in self.events if e.kind is Kind.SEND]

    def state_changes(self, host=None):
        return self.filter(Kind.STATE, host)

    def states(self, host):
        """The states *host* passed through, starting with the first one it left."""
        self._host_index(host)
        changes = self.state_changes(host)
        if not changes:
            return []
        return [changes[0].before] + [e.state for e in changes]

    def state_at(self, host, index):
        """The state of *host* after event number *index* (CLOSED before its first change)."""
        self._host_index(host)
        check_int("index", index, 0, max(len(self.events) - 1, 0))
        state = None
        for e in self.events[: index + 1]:
            if e.host == host and e.kind is Kind.STATE:
                state = e.state
        if state is None:
            first = self.state_changes(host)
            return first[0].before if first else State.CLOSED
        return state

    def isn(self, host):
        """The initial sequence number *host* chose (the seq of its first SYN), or None."""
        self._host_index(host)
        for e in self.events:
            if e.kind is Kind.SEND and e.host == host and e.segment.flags & e.segment.flags.SYN:
                return e.segment.seq
        return None

    def duration(self):
        return self.events[-1].time - self.events[0].time if self.events else 0.0

    # --- output --------------------------------------------------------
    def listed(self, kinds=None):
        """The events of *kinds* (a kind, a list of kinds, or None for every event), in order."""
        if isinstance(kinds, (str, Kind)):
            kinds = [kinds]
        wanted = {_kind(k, "kinds") for k in _tuple_of("kinds", kinds, (str, Kind))} if kinds else None
        return [e for e in self.events if wanted is None or e.kind in wanted]

    def table(self, kinds=None):
        """A plain-text listing, one event a line (deterministic; `tcplab.views.event_table` is its HTML form)."""
        lines = [f"{'time/s':>9}  {'host':<7} {'kind':<7} what"] + [str(e) for e in self.listed(kinds)]
        if self.truncated:
            lines.append("(truncated: the driver stopped before the conversation ended)")
        return "\n".join(lines)


# --- checks ----------------------------------------------------------------------------------
def _tuple_of(name, items, kind):
    """*items* (any iterable but a string or a mapping) as a tuple, each an instance of *kind*."""
    if isinstance(items, (str, bytes, dict)) or not hasattr(items, "__iter__"):
        raise InvalidArgument(f"{name} must be a list, got {type(items).__name__} {items!r:.60}")
    items = tuple(items)
    for i, item in enumerate(items):
        check_instance(f"{name}[{i}]", item, kind)
    return items


def _kind(value, name="kind"):
    return value if isinstance(value, Kind) else Kind(check_choice(name, value, [k.value for k in Kind]))


def _check_measurements(measurements):
    measurements = dict(check_instance("measurements", measurements, (dict, type(None)), "a dict") or {})
    for key, value in measurements.items():
        check_str("measurements key", key)
        ok = (isinstance(value, str) or (isinstance(value, (int, float)) and math.isfinite(value))
              or (isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)))
        if not ok or isinstance(value, bool):
            raise InvalidArgument(f"measurements[{key!r}] must be a finite number, text or a list of text, "
                                  f"got {value!r}")
    return measurements
