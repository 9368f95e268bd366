"""`Trace`: the one record of a TCP conversation that everything else consumes.

The simulator, live captures and the kernel interop all produce a Trace; the
plots, widgets, pcap export and chapters only ever read one.  A Trace is an
ordered tuple of `Event`s plus the hosts that took part.
"""

from dataclasses import dataclass, replace
from enum import Enum

from .segment import Flags, Options, Segment
from .states import State


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

    def with_changes(self, **changes):
        return replace(self, **changes)

    def __str__(self):
        text = f"{self.time:9.3f}  {self.host:<7} {self.kind.value:<7}"
        if self.kind is Kind.STATE:
            return f"{text} {self.before} -> {self.state}" + (f"  ({self.detail})" if self.detail else "")
        if self.segment is not None:
            text += f" {self.segment}"
        if self.detail:
            text += f"  [{self.detail}]"
        return text


@dataclass(frozen=True)
class Host:
    """A participant: its name in events, its IP address and TCP port."""

    name: str
    ip: str
    port: int


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

    ``measurements`` holds numbers a driver read outside the events (for example the TIME-WAIT
    length `ss` reported during a kernel run), by name.
    """

    def __init__(self, events, hosts, title="", measurements=None):
        self.events = tuple(events)
        self.hosts = tuple(hosts)
        self.title = title
        self.measurements = dict(measurements or {})
        names = {h.name for h in self.hosts}
        for i, event in enumerate(self.events):
            if not isinstance(event, Event):
                raise ValueError(f"events[{i}] must be a tcplab.trace.Event, got {type(event).__name__}")
            if event.host not in names:
                raise ValueError(f"events[{i}].host must be one of {sorted(names)}, got {event.host!r}")
            if i and event.time < self.events[i - 1].time:
                raise ValueError(f"events[{i}].time goes backwards ({event.time} < {self.events[i - 1].time})")

    # --- sequence protocol ---------------------------------------------
    def __len__(self):
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def __getitem__(self, index):
        return self.events[index]

    def __repr__(self):
        return f"<Trace {self.title!r}: {len(self.events)} events, {len(self.flights())} segments>"

    # --- queries ---------------------------------------------------------
    def host(self, name):
        for h in self.hosts:
            if h.name == name:
                return h
        raise ValueError(f"host must be one of {[h.name for h in self.hosts]}, got {name!r}")

    def peer_of(self, name):
        """The other host of a two-host trace."""
        others = [h.name for h in self.hosts if h.name != name]
        if len(others) != 1:
            raise ValueError(f"peer_of needs a two-host trace with host {name!r}")
        return others[0]

    def filter(self, kind=None, host=None):
        """Events of one kind and/or one host, in order."""
        kind = Kind(kind) if kind is not None else None
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
        changes = self.state_changes(host)
        if not changes:
            return []
        return [changes[0].before] + [e.state for e in changes]

    def state_at(self, host, index):
        """The state of *host* after event number *index* (CLOSED before its first change)."""
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
        for e in self.events:
            if e.kind is Kind.SEND and e.host == host and e.segment.flags & e.segment.flags.SYN:
                return e.segment.seq
        return None

    def duration(self):
        return self.events[-1].time - self.events[0].time if self.events else 0.0

    # --- output --------------------------------------------------------
    def table(self, kinds=None):
        """A plain-text listing, one event a line (deterministic, good for notebooks)."""
        wanted = {Kind(k) for k in kinds} if kinds else None
        lines = [f"{'time/s':>9}  {'host':<7} {'kind':<7} what"]
        lines += [str(e) for e in self.events if wanted is None or e.kind in wanted]
        return "\n".join(lines)

    def to_dict(self):
        """Everything in the trace as plain JSON-ready data (`Trace.from_dict` reads it back)."""
        return {"title": self.title, "hosts": [[h.name, h.ip, h.port] for h in self.hosts],
                "measurements": dict(self.measurements), "events": [_event_to_dict(e) for e in self.events]}

    @classmethod
    def from_dict(cls, data):
        """The Trace that `to_dict` produced."""
        events = [_event_from_dict(item) for item in data["events"]]
        return cls(events, [Host(*h) for h in data["hosts"]], data["title"], data.get("measurements"))

    def to_pcap(self, path):
        """Write every sent segment to a pcap file with virtual timestamps (uses scapy)."""
        from .pcap import write_pcap
        return write_pcap(self, path)


# --- plain-data form of events and segments (for JSON) -------------------------------------
def _segment_to_dict(seg):
    o = seg.options
    return {"sport": seg.sport, "dport": seg.dport, "seq": seg.seq, "ack": seg.ack, "flags": int(seg.flags),
            "window": seg.window, "payload": seg.payload.hex(),
            "options": {"mss": o.mss, "wscale": o.wscale, "sack_ok": o.sack_ok,
                        "timestamps": list(o.timestamps) if o.timestamps else None}}


def _segment_from_dict(data):
    o = data["options"]
    options = Options(o["mss"], o["wscale"], o["sack_ok"], tuple(o["timestamps"]) if o["timestamps"] else None)
    return Segment(data["sport"], data["dport"], data["seq"], data["ack"], Flags(data["flags"]), data["window"],
                   options, bytes.fromhex(data["payload"]))


def _event_to_dict(e):
    item = {"time": e.time, "host": e.host, "kind": e.kind.value}
    if e.segment is not None:
        item["segment"] = _segment_to_dict(e.segment)
    for name in ("state", "before"):
        if getattr(e, name) is not None:
            item[name] = getattr(e, name).value
    if e.detail:
        item["detail"] = e.detail
    if e.packet is not None:
        item["packet"] = e.packet
    if e.retransmission:
        item["retransmission"] = True
    if e.data:
        item["data"] = e.data.hex()
    return item


def _event_from_dict(item):
    return Event(item["time"], item["host"], Kind(item["kind"]),
                 segment=_segment_from_dict(item["segment"]) if "segment" in item else None,
                 state=State(item["state"]) if "state" in item else None,
                 before=State(item["before"]) if "before" in item else None,
                 detail=item.get("detail", ""), packet=item.get("packet"),
                 retransmission=item.get("retransmission", False), data=bytes.fromhex(item.get("data", "")))
