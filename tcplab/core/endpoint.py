"""A TCP endpoint as a pure state machine (sans-I/O), following RFC 9293 §3.10.

Feed it user calls, arriving segments and the time; it returns the segments to
send and records what happened as `Event`s.  It never touches a socket or a
clock: `receive` and `handle_timer` take ``now`` (seconds of virtual or real
time; it never runs backwards), the user calls take it optionally (default: no
time has passed), and `get_timer()` says when `handle_timer()` is due.

    client = Endpoint(40000, name="client")
    syn, = client.connect(80, now=0.0)          # -> [Segment SYN]
    ...
    client.receive(syn_ack, now=0.1)            # -> [Segment ACK]
    client.state                                # State.ESTABLISHED

Every state change goes through `TRANSITIONS` (tcplab.core.states): a move that is
not in the table raises, so the table, the diagram and the code cannot drift.
The work is split as the RFC splits it: `arrival` holds SEGMENT ARRIVES
(§3.10.7) check by check, `sendpath` the sending side, `timestamps` the Timestamps
option and PAWS (RFC 7323), `keepalive` the keep-alive timer, `timers` the deadlines,
`tcb` the connection's variables; this module holds the user calls
(§3.10.1–§3.10.5), TIMEOUTS (§3.10.8) and the bookkeeping.
"""

import random

from .arrival import SegmentArrives
from .config import Config
from .errors import InvalidCall
from .keepalive import KeepAliveTimer
from .rto import RtoEstimator
from .segment import Flags, Segment
from .sendpath import SendPath
from .seqspace import MODULUS, seq_sub
from .states import KEEPALIVE_STATES, State, find_transition
from .tcb import Tcb, TcbSnapshot
from .timers import KEEPALIVE, TIME_WAIT, Timers
from .timeouts import Timeouts
from .timestamps import Timestamps
from .trace import Event, Kind
from .validation import check_bytes, check_instance, check_int, check_str, check_time

_CLOSING = (State.FIN_WAIT_1, State.FIN_WAIT_2, State.CLOSING, State.LAST_ACK, State.TIME_WAIT)


def _tcb_field(name, doc):
    return property(lambda self: getattr(self.tcb_, name), doc=doc)


class Endpoint(SegmentArrives, SendPath, Timeouts, Timestamps, KeepAliveTimer):
    """One end of a TCP connection.  See the module docstring for the calling pattern."""

    def __init__(self, local_port, *, config=None, name="tcp"):
        check_int("local_port", local_port, 1, 65535)
        if config is not None:
            check_instance("config", config, Config, "a tcplab.core.config.Config")
        self.name = check_str("name", name)
        self.local_port = local_port
        self.config = config or Config()
        self._rng = random.Random(f"{self.config.seed}/{self.name}/{local_port}")
        self.state = State.CLOSED
        self.error = None         # the TcpError that ended the last connection, if one did
        self.events = []          # every Event this endpoint recorded, in order
        self._unread_events = 0   # index into events of the first not yet taken
        self._outbox = []
        self._now = 0.0
        self.timers = Timers()
        self._new_tcb()

    def _new_tcb(self):
        self.tcb_ = Tcb(RtoEstimator(self.config.rto_initial, self.config.rto_min, self.config.rto_max))

    # ------------------------------------------------------------------ views
    iss = _tcb_field("iss", "ISS: our initial sequence number")
    irs = _tcb_field("irs", "IRS: the peer's initial sequence number")
    snd_una = _tcb_field("snd_una", "SND.UNA: the oldest unacknowledged sequence number")
    snd_nxt = _tcb_field("snd_nxt", "SND.NXT: the next sequence number to send")
    snd_wnd = _tcb_field("snd_wnd", "SND.WND: the peer's window, in bytes")
    rcv_nxt = _tcb_field("rcv_nxt", "RCV.NXT: the next sequence number expected")
    remote_port = _tcb_field("remote_port", "the peer's port, once known")
    passive = _tcb_field("passive", "True if this connection was opened by listen()")
    peer_closed = _tcb_field("peer_closed", "True once the peer's FIN has arrived")
    send_mss = _tcb_field("send_mss", "the largest payload we send (the peer's MSS option, else 536)")
    negotiated = _tcb_field("negotiated", "the options both SYNs carried")

    @property
    def rcv_wnd(self):
        """RCV.WND: the window we advertised, from RCV.NXT to the right edge (before any, the free buffer)."""
        t = self.tcb_
        if t.rcv_adv is None:
            return max(0, self.config.recv_buffer - len(t.received))
        return max(0, seq_sub(t.rcv_adv, t.rcv_nxt))

    @property
    def rto(self):
        """The current retransmission timeout in seconds."""
        return self.tcb_.rto.rto

    def tcb(self):
        """A frozen snapshot of the TCB variables readers care about."""
        t = self.tcb_
        return TcbSnapshot(self.state, t.iss, t.irs, t.snd_una, t.snd_nxt, t.snd_wnd, t.rcv_nxt,
                           self.rcv_wnd, t.rto.rto)

    @property
    def transitions(self):
        """The STATE events recorded so far."""
        return [e for e in self.events if e.kind is Kind.STATE]

    def readable(self):
        """How many received bytes wait for `read()`."""
        return len(self.tcb_.received)

    def unsent(self):
        """How many bytes given to `send()` wait to leave (behind the window, Nagle, or a queued FIN)."""
        return len(self.tcb_.unsent)

    def take_events(self):
        """The events recorded since the last call (for drivers that build a Trace)."""
        new = self.events[self._unread_events:]
        self._unread_events = len(self.events)
        return new

    def segments_to_send(self):
        """Drain and return the segments queued for sending."""
        out, self._outbox = self._outbox, []
        return out

    def get_timer(self):
        """The time at which `handle_timer` must be called next, or None."""
        return self.timers.next()

    def __repr__(self):
        return f"<Endpoint {self.name} :{self.local_port} {self.state}>"

    # ------------------------------------------------------------- user calls
    def listen(self, now=None):
        """OPEN, passive (§3.10.1): wait for a SYN."""
        self._clock(now)
        self._require((State.CLOSED,), "listen()", "connection already exists")
        self._record(Kind.CALL, detail="listen()")
        self.error = None
        self.tcb_.passive = True
        self._move("passive OPEN")
        return self.segments_to_send()

    def connect(self, remote_port, now=None):
        """OPEN, active (§3.10.1): send a SYN to *remote_port* (from LISTEN, Figure 5's "SEND")."""
        self._clock(now)
        check_int("remote_port", remote_port, 1, 65535)
        self._require((State.CLOSED, State.LISTEN), "connect()", "connection already exists")
        self._record(Kind.CALL, detail=f"connect({remote_port})")
        self.error = None
        event = "active OPEN" if self.state is State.CLOSED else "SEND"
        self.tcb_.remote_port = remote_port
        self.tcb_.passive = False
        self._open_send_side()
        self._move(event)
        self._transmit(self._syn(Flags.SYN), "SYN")
        return self.segments_to_send()

    def send(self, data, now=None):
        """SEND (§3.10.2): queue *data* (bytes) for transmission."""
        self._clock(now)
        data = check_bytes("data", data)
        if self.state is State.CLOSED:
            raise InvalidCall("send() in CLOSED: connection does not exist")
        if self.state is State.LISTEN:
            raise InvalidCall("send() in LISTEN: the remote port is unknown; use connect() first")
        if self.tcb_.fin_requested or self.state in _CLOSING:
            raise InvalidCall(f"send() in {self.state}: connection closing")
        self._record(Kind.CALL, detail=f"send({len(data)} bytes)")
        self.tcb_.unsent += data
        self._push()
        return self.segments_to_send()

    def read(self, max_bytes=None, now=None):
        """RECEIVE (§3.10.3): take up to *max_bytes* received bytes (all by default).

        Returns the bytes (b"" when none wait); a window update this frees up is queued for
        `segments_to_send()`.  After the connection failed (reset, refused, timed out) it
        raises that error, as the RFC gives outstanding RECEIVEs a "reset" response (§3.10.7.4).
        """
        self._clock(now)
        if max_bytes is not None:
            check_int("max_bytes", max_bytes, 0)
        t = self.tcb_
        if self.error is not None and self.state is State.CLOSED and not t.received:
            raise self.error
        n = len(t.received) if max_bytes is None else min(max_bytes, len(t.received))
        data = bytes(t.received[:n])
        del t.received[:n]
        if data:
            self._record(Kind.READ, detail=f"read {len(data)} bytes", data=data)
        if self._window_update_due():
            self._send_ack("window update")
        return data

    def close(self, now=None):
        """CLOSE (§3.10.4): no more data from us; a FIN follows the queued data."""
        self._clock(now)
        state = self.state
        if state is State.CLOSED:
            raise InvalidCall("close() in CLOSED: connection does not exist")
        if state in (State.LISTEN, State.SYN_SENT):
            self._record(Kind.CALL, detail="close()")
            self._delete_tcb("CLOSE")
            return self.segments_to_send()
        if self.tcb_.fin_requested or state in _CLOSING:
            raise InvalidCall(f"close() in {state}: connection closing")
        self._record(Kind.CALL, detail="close()")
        self.tcb_.fin_requested = True
        if state is State.SYN_RECEIVED and self.tcb_.unsent:
            return self.segments_to_send()  # §3.10.4: queued until ESTABLISHED
        self._move("CLOSE")
        self._push()
        return self.segments_to_send()

    def abort(self, now=None):
        """ABORT (§3.10.5): drop the connection at once, sending RST where the peer has state."""
        self._clock(now)
        if self.state is State.CLOSED:
            raise InvalidCall("abort() in CLOSED: connection does not exist")
        self._record(Kind.CALL, detail="abort()")
        if find_transition(self.state, "ABORT").action == "snd RST":
            self._send_reset("abort")
        self._delete_tcb("ABORT")
        return self.segments_to_send()

    # -------------------------------------------------------------- arrivals
    def receive(self, segment, now):
        """SEGMENT ARRIVES (§3.10.7): process one segment; returns the segments to send."""
        self._clock(now, required=True)
        check_instance("segment", segment, Segment, "a tcplab.Segment")
        if segment.dport != self.local_port:
            raise InvalidCall(f"segment.dport must be this endpoint's port {self.local_port}, got {segment.dport}")
        self._segment_arrives(segment)
        return self.segments_to_send()

    # ----------------------------------------------------------------- timers
    def handle_timer(self, now):
        """TIMEOUTS (§3.10.8): fire every timer due at *now*; returns the segments to send."""
        self._clock(now, required=True)
        for name in self.timers.due(now):
            if not self.timers.running(name):
                continue  # an earlier timer in this round stopped it
            self.timers.stop(name)
            self._record(Kind.TIMER, detail=name)
            self._timer_fires(name)
        return self.segments_to_send()

    # ------------------------------------------------------------ bookkeeping
    def _open_send_side(self):
        t = self.tcb_
        t.iss = self.config.isn if self.config.isn is not None else self._rng.randrange(MODULUS)
        t.snd_una = t.snd_nxt = t.iss
        self._start_timestamp_clock()

    def _send_reset(self, reason):
        """Send <SEQ=SND.NXT><CTL=RST> to the peer (ABORT, §3.10.5)."""
        self._emit(Segment(self.local_port, self.tcb_.remote_port, self.tcb_.snd_nxt, 0, Flags.RST, 0), reason)

    def _enter_time_wait(self, event):
        self.timers.clear()
        self.tcb_.retransmit.clear()
        self._move(event, target=State.TIME_WAIT)
        self.timers.start(TIME_WAIT, self._now + 2 * self.config.msl)

    def _back_to_listen(self, event):
        self.timers.clear()
        self._move(event, target=State.LISTEN)
        self._new_tcb()
        self.tcb_.passive = True

    def _delete_tcb(self, event):
        self.timers.clear()
        self._move(event, target=State.CLOSED)
        self._new_tcb()

    def _fail(self, error, event):
        self.error = error
        self.timers.clear()
        self._move(event, target=State.CLOSED)
        self._record(Kind.ERROR, detail=str(error))
        self._new_tcb()

    def _move(self, event, target=None):
        row = find_transition(self.state, event, target)
        before, self.state = self.state, row.target
        self._record(Kind.STATE, before=before, detail=row.label)
        if self.state in KEEPALIVE_STATES and not self.timers.running(KEEPALIVE):
            self._keepalive_restart()

    def _require(self, states, call, message):
        if self.state not in states:
            raise InvalidCall(f"{call} in {self.state}: {message}")

    def _clock(self, now, required=False):
        """Validate *now* (a finite time that never runs backwards) and make it the current time."""
        if now is None and not required:
            return
        self._now = check_time("now", now, not_before=self._now)

    def _record(self, kind, **fields):
        self.events.append(Event(time=self._now, host=self.name, kind=kind, state=self.state, **fields))

    def _record_send(self, seg, reason, retransmission):
        self._record(Kind.SEND, segment=seg, detail=reason, retransmission=retransmission)
