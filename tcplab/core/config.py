"""The knobs of an endpoint, with documented defaults."""

import math
from dataclasses import dataclass, fields

from .errors import InvalidArgument
from .seqspace import MODULUS
from .validation import check_int, check_number


@dataclass(frozen=True)
class KeepAlive:
    """Keep-alive settings (RFC 9293 §3.8.4; RFC 1122 §4.2.3.6).  The defaults are Linux's sysctls.

    - ``idle``: seconds without a segment from the peer before the first probe
      (tcp_keepalive_time, 7200 s; the RFCs: configurable, "no less than two hours" by default);
    - ``interval``: seconds between unanswered probes (tcp_keepalive_intvl, 75 s);
    - ``probes``: unanswered probes before the connection is aborted (tcp_keepalive_probes, 9).
    """

    idle: float = 7200.0
    interval: float = 75.0
    probes: int = 9

    def __post_init__(self):
        check_number("keepalive.idle", self.idle, 0, 10**7, low_open=True)
        check_number("keepalive.interval", self.interval, 0, 10**6, low_open=True)
        check_int("keepalive.probes", self.probes, 1, 255)


@dataclass(frozen=True)
class Config:
    """Endpoint settings.  Defaults follow RFC 9293 and RFC 6298 unless noted.

    - ``isn``: the initial sequence number; None draws one from a generator seeded with ``seed``
      (so every run is reproducible).  Real stacks use a clock plus a keyed hash (RFC 9293 §3.4.1).
    - ``msl``: maximum segment lifetime in seconds.  RFC 9293 §3.4.2 says 2 minutes, and TIME-WAIT
      lasts 2 × MSL = 240 s (§3.6.1).  Linux keeps TIME-WAIT for a fixed 60 s (as if MSL were 30 s).
    - ``rto_initial``/``rto_min``/``rto_max``: RFC 6298 (1 s, 1 s, 60 s).  Linux uses 1 s, 0.2 s, 120 s.
    - ``syn_retries``/``max_retries``: how many times one segment is retransmitted before the
      connection is aborted (Linux: tcp_syn_retries 6, tcp_synack_retries 5, tcp_retries2 15).
    - ``mss``: the largest payload this endpoint will receive; sent in the SYN's MSS option.
    - ``recv_buffer``: receive buffer in bytes; the advertised window is its free space.
    - ``delayed_ack``: None for an immediate ACK of every segment, else the delay in seconds
      (RFC 9293 MUST-40: under 0.5 s; Linux 0.04-0.2 s).  At least every second full segment is ACKed at once.
    - ``fast_retransmit``: retransmit on the third duplicate ACK (RFC 5681 §3.2).
    - ``nodelay``: turn Nagle's algorithm off (RFC 9293 §3.7.4), like the socket option TCP_NODELAY.
      Nagle is on by default, as in Linux, in Linux's form: a segment smaller than the MSS waits
      while an earlier small segment is unacknowledged.
    - ``ack_ratelimit``: at most one ACK per this many seconds in answer to out-of-window segments
      without data and as challenge ACKs (Linux's tcp_invalid_ratelimit, 0.5 s; RFC 5961 §7); 0 for none.
    - ``window_scale``/``sack_permitted``/``timestamps``: options offered in the SYN (RFC 7323, RFC 2018).
      With timestamps in use on a connection, every segment carries TSval from a clock that ticks
      once a millisecond of the caller's time (RFC 7323 §5.4 allows 1 ms to 1 s; Linux ticks in
      ms), and PAWS (RFC 7323 §5.3) drops old duplicates.
    - ``ts_offset``: the timestamp clock's value at time 0; None draws one per connection from the
      seeded generator, as Linux draws a random offset per connection.
    - ``keepalive``: None (the default: RFC 9293 §3.8.4 makes keep-alives optional and RFC 1122
      says off unless asked for, as Linux's SO_KEEPALIVE is) or a `KeepAlive`.
    """

    isn: int | None = None
    seed: int = 0
    msl: float = 120.0
    rto_initial: float = 1.0
    rto_min: float = 1.0
    rto_max: float = 60.0
    syn_retries: int = 6
    max_retries: int = 15
    mss: int = 1460
    recv_buffer: int = 65535
    delayed_ack: float | None = None
    fast_retransmit: bool = True
    window_scale: int | None = None
    sack_permitted: bool = False
    timestamps: bool = False
    persist_initial: float = 1.0
    nodelay: bool = False
    ack_ratelimit: float = 0.5
    ts_offset: int | None = None
    keepalive: KeepAlive | None = None

    def __post_init__(self):
        def need(name, ok, allowed):
            if not ok:
                raise InvalidArgument(f"config.{name} must be {allowed}, got {getattr(self, name)!r}")

        def number(v):
            return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)

        def integer(v):
            return isinstance(v, int) and not isinstance(v, bool)

        need("isn", self.isn is None or (integer(self.isn) and 0 <= self.isn < MODULUS), f"None or 0..{MODULUS - 1}")
        need("seed", integer(self.seed), "an integer")
        need("msl", number(self.msl) and 0 < self.msl <= 3600, "a number of seconds in (0, 3600]")
        need("rto_initial", number(self.rto_initial) and self.rto_initial > 0, "a number of seconds > 0")
        need("rto_min", number(self.rto_min) and 0 < self.rto_min <= self.rto_initial, "> 0 and <= rto_initial")
        need("rto_max", number(self.rto_max) and self.rto_initial <= self.rto_max <= 3600, ">= rto_initial and <= 3600")
        need("syn_retries", integer(self.syn_retries) and 0 <= self.syn_retries <= 255, "an integer in 0..255")
        need("max_retries", integer(self.max_retries) and 0 <= self.max_retries <= 255, "an integer in 0..255")
        need("mss", integer(self.mss) and 1 <= self.mss <= 65495, "an integer in 1..65495")
        need("recv_buffer", integer(self.recv_buffer) and 1 <= self.recv_buffer <= 2**30, "an integer in 1..2**30")
        need("delayed_ack", self.delayed_ack is None or (number(self.delayed_ack) and 0 < self.delayed_ack < 0.5),
             "None or a delay in seconds in (0, 0.5) (RFC 9293 MUST-40)")
        need("fast_retransmit", isinstance(self.fast_retransmit, bool), "True or False")
        need("window_scale", self.window_scale is None or (integer(self.window_scale) and 0 <= self.window_scale <= 14),
             "None or an integer in 0..14")
        need("sack_permitted", isinstance(self.sack_permitted, bool), "True or False")
        need("timestamps", isinstance(self.timestamps, bool), "True or False")
        need("persist_initial", number(self.persist_initial) and 0 < self.persist_initial <= 3600,
             "a number of seconds in (0, 3600]")
        need("nodelay", isinstance(self.nodelay, bool), "True or False")
        need("ts_offset", self.ts_offset is None or (integer(self.ts_offset) and 0 <= self.ts_offset < MODULUS),
             f"None or 0..{MODULUS - 1}")
        need("keepalive", self.keepalive is None or isinstance(self.keepalive, KeepAlive),
             "None or a tcplab.core.config.KeepAlive (e.g. KeepAlive(idle=7200, interval=75, probes=9))")
        need("ack_ratelimit", number(self.ack_ratelimit) and 0 <= self.ack_ratelimit <= 60,
             "a number of seconds in 0..60")
        if self.window_scale is None:
            need("recv_buffer", self.recv_buffer <= 65535, "at most 65535 without window_scale")
        elif self.recv_buffer < 2 ** (self.window_scale + 1):
            raise InvalidArgument(
                f"config.recv_buffer must be at least 2**(window_scale + 1) = {2 ** (self.window_scale + 1)} "
                f"with window_scale={self.window_scale}, or no window could ever open; got recv_buffer="
                f"{self.recv_buffer}: lower window_scale or raise recv_buffer")

    @classmethod
    def linux(cls, **changes):
        """Settings close to Linux's defaults (60 s TIME-WAIT, 200 ms minimum RTO, 40 ms delayed ACK)."""
        base = dict(msl=30.0, rto_min=0.2, rto_max=120.0, syn_retries=6, max_retries=15,
                    delayed_ack=0.04, window_scale=7, sack_permitted=True, timestamps=True,
                    recv_buffer=131072)
        base.update(changes)
        return cls(**base)

    def replace(self, **changes):
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(f"unknown config field(s) {sorted(unknown)}; allowed: {[f.name for f in fields(self)]}")
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Config(**values)
