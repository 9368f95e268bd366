"""A TCP endpoint as a pure state machine (sans-I/O), following RFC 9293 §3.10.

Feed it user calls, arriving segments and the time; it returns the segments to
send and records what happened as `Event`s.  It never touches a socket or a
clock: every method takes ``now`` (seconds of virtual or real time), and
`get_timer()` says when `handle_timer()` should next be called.

    client = Endpoint(40000, name="client")
    syn, = client.connect(80, now=0.0)          # -> [Segment SYN]
    ...
    client.receive(syn_ack, now=0.1)            # -> [Segment ACK]
    client.state                                # State.ESTABLISHED

Every state change goes through `TRANSITIONS` (tcplab.states): a move that is
not in the table raises, so the table, the diagram and the code cannot drift.
"""

import random
from dataclasses import dataclass

from .config import Config
from .errors import ConnectionRefused, ConnectionReset, ConnectionTimedOut, InvalidCall
from .rto import RtoEstimator
from .segment import Flags, Options, Segment
from .seqspace import MODULUS, seq_add, seq_ge, seq_gt, seq_in_window, seq_le, seq_lt, seq_max, seq_sub
from .states import State, find_transition
from .trace import Event, Kind

DEFAULT_MSS = 536  # RFC 9293 §3.7.1: the send MSS when the peer sent no MSS option

_RETRANSMIT, _TIME_WAIT, _DELAYED_ACK, _PERSIST = "RTO", "2MSL", "delayed ACK", "persist"
_TIMER_ORDER = (_TIME_WAIT, _DELAYED_ACK, _PERSIST, _RETRANSMIT)


@dataclass(frozen=True)
class Tcb:
    """A snapshot of the Transmission Control Block variables of RFC 9293 §3.3.1."""

    state: State
    iss: int | None
    irs: int | None
    snd_una: int
    snd_nxt: int
    snd_wnd: int
    rcv_nxt: int
    rcv_wnd: int
    rto: float


class Endpoint:
    """One end of a TCP connection.  See the module docstring for the calling pattern."""

    def __init__(self, local_port, *, config=None, name="tcp"):
        if isinstance(local_port, bool) or not isinstance(local_port, int) or not 0 < local_port <= 65535:
            raise ValueError(f"local_port must be an integer in 1..65535, got {local_port!r}")
        if config is not None and not isinstance(config, Config):
            raise ValueError(f"config must be a tcplab.config.Config, got {type(config).__name__}")
        self.name = str(name)
        self.local_port = local_port
        self.config = config or Config()
        self._rng = random.Random(f"{self.config.seed}/{self.name}/{local_port}")
        self.state = State.CLOSED
        self.error = None
        self.events = []          # every Event this endpoint recorded, in order
        self._unread_events = 0   # index into events of the first not yet taken
        self._outbox = []
        self._now = 0.0
        self._reset_tcb()

    def _reset_tcb(self):
        self.remote_port = None
        self.passive = False
        self.iss = None
        self.irs = None
        self.snd_una = self.snd_nxt = 0
        self.snd_wnd = 0
        self.snd_wl1 = self.snd_wl2 = 0
        self.rcv_nxt = 0
        self.send_mss = DEFAULT_MSS
        self.snd_scale = self.rcv_scale = 0
        self.negotiated = {}
        self._ts_recent = 0
        self._unsent = bytearray()         # bytes given to send() and not yet segmentized
        self._fin_requested = False        # close() was called
        self._fin_seq = None               # sequence number of our FIN once sent
        self._queue = []                   # segments sent and not yet fully acknowledged
        self._received = bytearray()       # in-order bytes the application has not read
        self._out_of_order = {}            # seq -> (payload, fin) held until the gap fills
        self.peer_closed = False           # a FIN from the peer was received
        self._rto = RtoEstimator(self.config.rto_initial, self.config.rto_min, self.config.rto_max)
        self._retries = 0
        self._rtt_probe = None             # (end_seq, send time) of the segment being timed
        self._dup_acks = 0
        self._unacked_in = 0               # in-order segments received since we last ACKed
        self._ack_immediately = False      # the next ACK must not be delayed
        self._persist_backoff = 0
        self._window_was_small = False
        self._timers = {}

    # ------------------------------------------------------------------ views
    @property
    def rcv_wnd(self):
        """RCV.WND: free space in the receive buffer."""
        return max(0, self.config.recv_buffer - len(self._received))

    @property
    def rto(self):
        """The current retransmission timeout in seconds."""
        return self._rto.rto

    def tcb(self):
        """A frozen snapshot of the TCB variables readers care about."""
        return Tcb(self.state, self.iss, self.irs, self.snd_una, self.snd_nxt, self.snd_wnd,
                   self.rcv_nxt, self.rcv_wnd, self._rto.rto)

    @property
    def transitions(self):
        """The STATE events recorded so far."""
        return [e for e in self.events if e.kind is Kind.STATE]

    @property
    def bytes_unsent(self):
        return len(self._unsent)

    @property
    def bytes_in_flight(self):
        return seq_sub(self.snd_nxt, self.snd_una)

    def readable(self):
        """How many received bytes wait for `read()`."""
        return len(self._received)

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
        return min(self._timers.values()) if self._timers else None

    def __repr__(self):
        return f"<Endpoint {self.name} :{self.local_port} {self.state}>"

    # ------------------------------------------------------------- user calls
    def listen(self, now=0.0):
        """Passive OPEN: wait for a SYN."""
        self._at(now, "listen()")
        self._require((State.CLOSED,), "listen()", "connection already exists")
        self._record(Kind.CALL, detail="listen()")
        self.passive = True
        self._move("passive OPEN")
        return self.segments_to_send()

    def connect(self, remote_port, now=0.0):
        """Active OPEN: send a SYN to *remote_port* (from LISTEN this is Figure 5's "SEND")."""
        self._at(now, f"connect({remote_port})")
        if isinstance(remote_port, bool) or not isinstance(remote_port, int) or not 0 < remote_port <= 65535:
            raise ValueError(f"remote_port must be an integer in 1..65535, got {remote_port!r}")
        self._require((State.CLOSED, State.LISTEN), "connect()", "connection already exists")
        self._record(Kind.CALL, detail=f"connect({remote_port})")
        event = "active OPEN" if self.state is State.CLOSED else "SEND"
        self.remote_port = remote_port
        self.passive = False
        self._open_send_side()
        self._move(event)
        self._transmit(self._syn(Flags.SYN), "SYN")
        return self.segments_to_send()

    def send(self, data, now=0.0):
        """SEND: queue *data* (bytes) for transmission."""
        self._at(now, "send()")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ValueError(f"data must be bytes, got {type(data).__name__}")
        if self.state is State.CLOSED:
            raise InvalidCall("send() in CLOSED: connection does not exist")
        if self.state is State.LISTEN:
            raise InvalidCall("send() in LISTEN: the remote port is unknown; use connect() first")
        if self._fin_requested or self.state in (State.FIN_WAIT_1, State.FIN_WAIT_2, State.CLOSING,
                                                 State.LAST_ACK, State.TIME_WAIT):
            raise InvalidCall(f"send() in {self.state}: connection closing")
        self._record(Kind.CALL, detail=f"send({len(data)} bytes)")
        self._unsent += bytes(data)
        self._push()
        return self.segments_to_send()

    def read(self, max_bytes=None, now=0.0):
        """RECEIVE: take up to *max_bytes* received bytes (all by default).

        Returns the bytes; a window update this frees up is queued for `segments_to_send()`.
        """
        self._now = now
        if max_bytes is not None and (isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0):
            raise ValueError(f"max_bytes must be None or an integer >= 0, got {max_bytes!r}")
        n = len(self._received) if max_bytes is None else min(max_bytes, len(self._received))
        data = bytes(self._received[:n])
        del self._received[:n]
        if data:
            self._record(Kind.READ, detail=f"read {len(data)} bytes", data=data)
        if self._window_was_small and self.state.synchronized and self._window_open_enough():
            self._window_was_small = False
            self._send_ack("window update")
        return data

    def close(self, now=0.0):
        """CLOSE: no more data from us; a FIN follows the queued data."""
        self._at(now, "close()")
        state = self.state
        if state is State.CLOSED:
            raise InvalidCall("close() in CLOSED: connection does not exist")
        if state in (State.LISTEN, State.SYN_SENT):
            self._record(Kind.CALL, detail="close()")
            self._clear_timers()
            self._move("CLOSE")
            self._reset_tcb()
            return self.segments_to_send()
        if self._fin_requested or state in (State.FIN_WAIT_1, State.FIN_WAIT_2, State.CLOSING,
                                            State.LAST_ACK, State.TIME_WAIT):
            raise InvalidCall(f"close() in {state}: connection closing")
        self._record(Kind.CALL, detail="close()")
        self._fin_requested = True
        if state is State.SYN_RECEIVED and self._unsent:
            return self.segments_to_send()  # RFC 9293: queued until ESTABLISHED
        self._move("CLOSE")
        self._push()
        return self.segments_to_send()

    def abort(self, now=0.0):
        """ABORT: drop the connection at once, sending RST where the peer has state."""
        self._at(now, "abort()")
        if self.state is State.CLOSED:
            raise InvalidCall("abort() in CLOSED: connection does not exist")
        self._record(Kind.CALL, detail="abort()")
        row = find_transition(self.state, "ABORT")
        if row.action == "snd RST":
            self._emit(Segment(self.local_port, self.remote_port, self.snd_nxt, 0, Flags.RST, 0), "abort")
        self._clear_timers()
        self._move("ABORT")
        self._reset_tcb()
        return self.segments_to_send()

    # -------------------------------------------------------------- arrivals
    def receive(self, segment, now):
        """Process one arriving segment (RFC 9293 §3.10.7); returns the segments to send."""
        if not isinstance(segment, Segment):
            raise ValueError(f"segment must be a tcplab.Segment, got {type(segment).__name__}")
        if segment.dport != self.local_port:
            raise ValueError(f"segment.dport must be this endpoint's port {self.local_port}, got {segment.dport}")
        self._now = now
        foreign = self.remote_port is not None and segment.sport != self.remote_port
        if self.state is State.CLOSED or foreign:
            self._reply_as_closed(segment)
        elif self.state is State.LISTEN:
            self._receive_in_listen(segment)
        elif self.state is State.SYN_SENT:
            self._receive_in_syn_sent(segment)
        else:
            self._receive_synchronized(segment)
        return self.segments_to_send()

    def _reply_as_closed(self, seg):
        """§3.10.7.1: anything but a RST gets a RST."""
        if seg.flags & Flags.RST:
            return
        if seg.flags & Flags.ACK:
            reply = Segment(seg.dport, seg.sport, seg.ack, 0, Flags.RST, 0)
        else:
            reply = Segment(seg.dport, seg.sport, 0, seq_add(seg.seq, seg.len), Flags.RST | Flags.ACK, 0)
        self._emit(reply, "no connection: reset")

    def _receive_in_listen(self, seg):
        """§3.10.7.2."""
        if seg.flags & Flags.RST:
            return
        if seg.flags & Flags.ACK:
            self._emit(Segment(seg.dport, seg.sport, seg.ack, 0, Flags.RST, 0), "ACK in LISTEN: reset")
            return
        if not seg.flags & Flags.SYN:
            return
        self.remote_port = seg.sport
        self._take_peer_syn(seg)
        self._open_send_side()
        self._move("rcv SYN")
        self._transmit(self._syn(Flags.SYN | Flags.ACK), "SYN-ACK")

    def _receive_in_syn_sent(self, seg):
        """§3.10.7.3."""
        acceptable_ack = False
        if seg.flags & Flags.ACK:
            if seq_le(seg.ack, self.iss) or seq_gt(seg.ack, self.snd_nxt):
                if not seg.flags & Flags.RST:
                    self._emit(Segment(seg.dport, seg.sport, seg.ack, 0, Flags.RST, 0), "unacceptable ACK: reset")
                return
            acceptable_ack = seq_lt(self.snd_una, seg.ack) and seq_le(seg.ack, self.snd_nxt)
        if seg.flags & Flags.RST:
            if acceptable_ack:
                self._fail(ConnectionRefused("connection refused"), "rcv RST,ACK")
            return
        if not seg.flags & Flags.SYN:
            return
        self._take_peer_syn(seg)
        if acceptable_ack:
            self._acknowledge(seg.ack)
        if seq_gt(self.snd_una, self.iss):
            self._set_window(seg, scaled=False, force=True)
            self._move("rcv SYN,ACK")
            self._send_ack("ACK")
            self._push()
        else:
            self._queue.clear()
            self._move("rcv SYN")
            self._transmit(self._syn(Flags.SYN | Flags.ACK), "SYN-ACK (simultaneous open)")

    def _receive_synchronized(self, seg):
        """§3.10.7.4 for SYN-RECEIVED and every synchronized state."""
        state = self.state
        if state is State.TIME_WAIT and seg.flags & Flags.FIN and not seg.flags & Flags.RST \
                and seg.end_seq == self.rcv_nxt:
            self._move("rcv FIN", target=State.TIME_WAIT)
            self._start_timer(_TIME_WAIT, 2 * self.config.msl)
            self._send_ack("re-ACK of retransmitted FIN")
            return
        if state is State.SYN_RECEIVED and seg.flags & Flags.SYN and seg.seq == self.irs:
            if not seg.flags & Flags.ACK:
                # As Linux does (tcp_check_req): a retransmitted SYN gets our SYN-ACK again.
                self._retransmit_first("SYN-ACK again for retransmitted SYN")
                return
            # Simultaneous open: the peer's SYN,ACK repeats its SYN; keep only the ACK part.
            seg = seg.replace(seq=seq_add(seg.seq, 1), flags=seg.flags & ~Flags.SYN)
            self._ack_immediately = True  # RFC 9293 Figure 7, lines 6 and 7
        if not self._acceptable(seg):
            if not seg.flags & Flags.RST:
                self._send_ack("ACK of unacceptable segment")
            return
        seg, trimmed = self._trim(seg)
        if seg.flags & Flags.RST:
            if seg.seq == self.rcv_nxt:
                self._reset_by_peer()
            else:
                self._send_ack("challenge ACK")
            return
        if seg.flags & Flags.SYN:
            if state is State.SYN_RECEIVED and self.passive:
                self._back_to_listen("rcv SYN")
            else:
                self._send_ack("challenge ACK")
            return
        if not seg.flags & Flags.ACK:
            return
        if state is State.SYN_RECEIVED:
            if not (seq_lt(self.snd_una, seg.ack) and seq_le(seg.ack, self.snd_nxt)):
                self._emit(Segment(seg.dport, seg.sport, seg.ack, 0, Flags.RST, 0), "unacceptable ACK: reset")
                return
            self._set_window(seg, force=True)
            self._move("rcv ACK of SYN")
            if self._fin_requested:
                self._move("CLOSE")
        if not self._process_ack(seg):
            return
        if self.state is State.CLOSED:
            return
        needs_ack = self._process_text(seg) or trimmed or self._ack_immediately
        if seg.flags & Flags.FIN and not self.peer_closed and seg.end_seq == seq_add(self.rcv_nxt, 1):
            self._process_fin()
            needs_ack = False
        self._take_timestamp(seg)
        self._push()
        if needs_ack:
            self._ack_data()

    # ------------------------------------------------------------ §3.10.7.4 steps
    def _acceptable(self, seg):
        """The four-case acceptability test of RFC 9293 §3.10.7.4 (zero window: ACKs still count)."""
        wnd = self.rcv_wnd
        if wnd == 0:
            # Nothing fits, but a segment at RCV.NXT still brings a valid ACK, window or RST;
            # its bytes are trimmed away next.
            return seg.seq == self.rcv_nxt
        if seg.len == 0:
            return seq_in_window(seg.seq, self.rcv_nxt, wnd)
        return (seq_in_window(seg.seq, self.rcv_nxt, wnd)
                or seq_in_window(seq_add(seg.end_seq, -1), self.rcv_nxt, wnd))

    def _trim(self, seg):
        """Cut what lies before RCV.NXT or beyond the window; return (segment, whether bytes were cut)."""
        trimmed = False
        ahead = seq_sub(self.rcv_nxt, seg.seq)
        if ahead > 0:
            payload = seg.payload[ahead:]
            seg = seg.replace(seq=self.rcv_nxt, payload=payload)
        room = max(0, seq_sub(seq_add(self.rcv_nxt, self.rcv_wnd), seg.seq))
        if len(seg.payload) > room:
            seg = seg.replace(payload=seg.payload[:room], flags=seg.flags & ~Flags.FIN)
            trimmed = True
        return seg, trimmed

    def _process_ack(self, seg):
        """The fifth check: advance SND.UNA, update the window; False means drop the segment."""
        if seq_gt(seg.ack, self.snd_nxt):
            self._send_ack("ACK of unsent data")
            return False
        if seq_gt(seg.ack, self.snd_una):
            self._acknowledge(seg.ack)
            self._set_window(seg)
        else:
            duplicate = (seg.ack == self.snd_una and not seg.payload and not seg.flags & (Flags.SYN | Flags.FIN)
                         and self._queue and (seg.window << self.snd_scale) == self.snd_wnd)
            self._set_window(seg)
            if duplicate:
                self._dup_acks += 1
                if self._dup_acks == 3 and self.config.fast_retransmit:
                    self._retransmit_first("fast retransmit")
        our_fin_acked = self._fin_seq is not None and seq_ge(self.snd_una, seq_add(self._fin_seq, 1))
        if our_fin_acked:
            fin_in_order = seg.flags & Flags.FIN and seg.seq == self.rcv_nxt
            if self.state is State.FIN_WAIT_1 and not fin_in_order:
                self._move("rcv ACK of FIN")
            elif self.state is State.CLOSING:
                self._enter_time_wait("rcv ACK of FIN")
            elif self.state is State.LAST_ACK:
                self._clear_timers()
                self._move("rcv ACK of FIN")
                self._reset_tcb()
        return True

    def _process_text(self, seg):
        """The seventh check: take in-order bytes, hold out-of-order ones.  Returns True if an ACK is due."""
        if self.state not in (State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2):
            return False
        if seg.seq != self.rcv_nxt and (seg.payload or seg.flags & Flags.FIN):
            self._out_of_order[seg.seq] = (seg.payload, bool(seg.flags & Flags.FIN))
            self._ack_immediately = True  # out of order: a duplicate ACK at once
            return True
        if not seg.payload:
            return False
        self._take_bytes(seg.payload)
        self._unacked_in += 1
        if self._out_of_order:
            self._ack_immediately = True  # a gap was filled: tell the sender at once
            if self._fill_from_out_of_order():
                return False  # a held FIN was processed and acknowledged
        return True

    def _take_bytes(self, payload):
        self._received += payload
        self.rcv_nxt = seq_add(self.rcv_nxt, len(payload))
        if self.rcv_wnd < self.config.mss:
            self._window_was_small = True

    def _fill_from_out_of_order(self):
        """Move held segments that now continue the stream; True if a held FIN was processed."""
        progress = True
        while progress and self._out_of_order:
            progress = False
            for seq in list(self._out_of_order):
                payload, fin = self._out_of_order[seq]
                ahead = seq_sub(self.rcv_nxt, seq)
                if ahead >= 0 and ahead <= len(payload):
                    del self._out_of_order[seq]
                    self._take_bytes(payload[ahead:][: self.rcv_wnd])
                    progress = True
                    if fin:
                        self._process_fin()
                        return True
                elif ahead > len(payload):
                    del self._out_of_order[seq]  # already covered
        return False

    def _process_fin(self):
        """The eighth check: the peer's FIN consumes one sequence number."""
        self.rcv_nxt = seq_add(self.rcv_nxt, 1)
        self.peer_closed = True
        self._out_of_order.clear()
        state = self.state
        if state in (State.SYN_RECEIVED, State.ESTABLISHED):
            self._move("rcv FIN", target=State.CLOSE_WAIT)
            if self.config.delayed_ack is not None:
                # Like Linux's delayed ACK after a FIN: if the application closes soon,
                # its FIN carries this ACK and the close takes three segments.
                self._unacked_in = 1
                self._start_timer(_DELAYED_ACK, self.config.delayed_ack)
            else:
                self._send_ack("ACK of FIN")
        elif state is State.FIN_WAIT_1:
            if self._fin_seq is not None and seq_ge(self.snd_una, seq_add(self._fin_seq, 1)):
                self._enter_time_wait("rcv FIN, ACK of FIN")
            else:
                self._move("rcv FIN", target=State.CLOSING)
            self._send_ack("ACK of FIN")
        elif state is State.FIN_WAIT_2:
            self._enter_time_wait("rcv FIN")
            self._send_ack("ACK of FIN")

    # ----------------------------------------------------------------- timers
    def handle_timer(self, now):
        """Fire every timer due at *now*; returns the segments to send."""
        self._now = now
        for name in _TIMER_ORDER:
            deadline = self._timers.get(name)
            if deadline is None or deadline > now:
                continue
            del self._timers[name]
            self._record(Kind.TIMER, detail=name)
            if name == _TIME_WAIT:
                self._move("timeout=2MSL")
                self._clear_timers()
                self._reset_tcb()
                break
            if name == _DELAYED_ACK:
                if self.state.synchronized or self.state is State.SYN_RECEIVED:
                    self._send_ack("delayed ACK")
            elif name == _PERSIST:
                self._window_probe()
            elif name == _RETRANSMIT:
                self._on_retransmission_timeout()
        return self.segments_to_send()

    def _on_retransmission_timeout(self):
        if not self._queue:
            return
        limit = self.config.syn_retries if self.state in (State.SYN_SENT, State.SYN_RECEIVED) \
            else self.config.max_retries
        if self._retries >= limit:
            self._fail(ConnectionTimedOut(f"no acknowledgment after {self._retries} retransmissions"),
                       "retransmission limit")
            return
        self._retries += 1
        self._rto.timed_out()
        self._retransmit_first(f"retransmission #{self._retries} (RTO)")
        self._start_timer(_RETRANSMIT, self._rto.rto)

    def _window_probe(self):
        if not (self._unsent or self._fin_requested) or self.snd_wnd > 0 or not self.state.synchronized:
            self._persist_backoff = 0
            return
        probe = self._ack_segment(seq=seq_add(self.snd_una, -1))
        self._emit(probe, "zero-window probe")
        self._persist_backoff += 1
        self._start_timer(_PERSIST, min(self.config.rto_max, self.config.persist_initial * 2 ** self._persist_backoff))

    def _start_timer(self, name, delay):
        self._timers[name] = self._now + delay

    def _clear_timers(self):
        self._timers.clear()

    # --------------------------------------------------------------- sending
    def _push(self):
        """Segmentize queued bytes into the send window; send the FIN when everything is out."""
        if self.state not in (State.ESTABLISHED, State.CLOSE_WAIT, State.FIN_WAIT_1, State.LAST_ACK):
            return
        while self._unsent:
            usable = seq_sub(seq_add(self.snd_una, self.snd_wnd), self.snd_nxt)
            size = min(self.send_mss, usable, len(self._unsent))
            if size <= 0:
                if not self._queue and _PERSIST not in self._timers:
                    self._start_timer(_PERSIST, self.config.persist_initial)
                return
            payload = bytes(self._unsent[:size])
            del self._unsent[:size]
            flags = Flags.ACK | (Flags.PSH if not self._unsent else Flags(0))
            self._transmit(self._ack_segment(flags=flags, payload=payload), "data")
        if self._fin_requested and self._fin_seq is None:
            self._fin_seq = self.snd_nxt
            self._transmit(self._ack_segment(flags=Flags.FIN | Flags.ACK), "FIN")

    def _transmit(self, seg, reason):
        """Send a new segment that occupies sequence space and keep it for retransmission."""
        self._queue.append(seg)
        # SND.NXT moves past the segment (a simultaneous open's SYN-ACK repeats our SYN's number).
        self.snd_nxt = seq_max(self.snd_nxt, seg.end_seq)
        if self._rtt_probe is None:
            self._rtt_probe = (seg.end_seq, self._now)
        if _RETRANSMIT not in self._timers:
            self._start_timer(_RETRANSMIT, self._rto.rto)
        self._emit(seg, reason)

    def _retransmit_first(self, reason):
        """Send the oldest unacknowledged segment again, with fresh ACK and window fields."""
        if not self._queue:
            return
        seg = self._queue[0]
        ahead = seq_sub(self.snd_una, seg.seq)
        if ahead > 0 and seg.payload:
            seg = seg.replace(seq=self.snd_una, payload=seg.payload[ahead:])
        if seg.flags & Flags.ACK:
            seg = seg.replace(ack=self.rcv_nxt, window=self._advertised_window(seg.flags),
                              options=self._options_for(seg.flags))
        self._queue[0] = seg
        self._rtt_probe = None  # Karn's rule: never time a retransmitted segment
        self._emit(seg, reason, retransmission=True)

    def _emit(self, seg, reason, retransmission=False):
        if seg.flags & Flags.ACK:
            self._timers.pop(_DELAYED_ACK, None)
            self._unacked_in = 0
            self._ack_immediately = False
        self._outbox.append(seg)
        self._record(Kind.SEND, segment=seg, detail=reason, retransmission=retransmission)

    def _send_ack(self, reason):
        self._emit(self._ack_segment(), reason)

    def _ack_data(self):
        """ACK received data now, or after the delayed-ACK timer (at least every second segment)."""
        if self.config.delayed_ack is None or self._unacked_in >= 2 or self._ack_immediately:
            self._send_ack("ACK")
        elif _DELAYED_ACK not in self._timers:
            self._start_timer(_DELAYED_ACK, self.config.delayed_ack)

    def _ack_segment(self, flags=Flags.ACK, payload=b"", seq=None):
        return Segment(self.local_port, self.remote_port, self.snd_nxt if seq is None else seq, self.rcv_nxt,
                       flags, self._advertised_window(flags), self._options_for(flags), payload)

    def _syn(self, flags, retransmission=False):
        options = Options(mss=self.config.mss,
                          wscale=self.config.window_scale if self._offer("wscale", flags) else None,
                          sack_ok=self.config.sack_permitted and self._offer("sack_ok", flags),
                          timestamps=self._timestamp_pair() if self._offer("timestamps", flags) else None)
        ack = self.rcv_nxt if flags & Flags.ACK else 0
        return Segment(self.local_port, self.remote_port, self.iss, ack, flags,
                       min(self.rcv_wnd, 65535), options)

    def _offer(self, option, flags):
        wanted = {"wscale": self.config.window_scale is not None, "sack_ok": self.config.sack_permitted,
                  "timestamps": self.config.timestamps}[option]
        if flags & Flags.ACK:  # a SYN-ACK only echoes what the SYN offered (RFC 7323 §1.3)
            return wanted and self.negotiated.get(option, False)
        return wanted

    def _options_for(self, flags):
        if flags & Flags.SYN:
            return self._queue[0].options if self._queue else Options()
        if self.negotiated.get("timestamps"):
            return Options(timestamps=self._timestamp_pair())
        return Options()

    def _timestamp_pair(self):
        return (int(self._now * 1000) % MODULUS, self._ts_recent)

    def _advertised_window(self, flags):
        if flags & Flags.SYN:
            return min(self.rcv_wnd, 65535)
        return min(self.rcv_wnd >> self.rcv_scale, 65535)

    def _window_open_enough(self):
        return self.rcv_wnd >= min(self.send_mss, self.config.recv_buffer // 2)

    # ------------------------------------------------------------ bookkeeping
    def _open_send_side(self):
        self.iss = self.config.isn if self.config.isn is not None else self._rng.randrange(MODULUS)
        self.snd_una = self.iss
        self.snd_nxt = self.iss

    def _take_peer_syn(self, seg):
        """Record IRS and the options the peer's SYN offered."""
        self.irs = seg.seq
        self.rcv_nxt = seq_add(seg.seq, 1)
        opts = seg.options
        self.send_mss = opts.mss if opts.mss is not None else DEFAULT_MSS
        # An option is in use only if both SYNs carry it (RFC 7323 §1.3, RFC 2018 §2).
        self.negotiated = {"wscale": opts.wscale is not None and self.config.window_scale is not None,
                           "sack_ok": opts.sack_ok and self.config.sack_permitted,
                           "timestamps": opts.timestamps is not None and self.config.timestamps}
        if self.negotiated["wscale"]:
            self.snd_scale, self.rcv_scale = opts.wscale, self.config.window_scale
        self.negotiated["mss"] = self.send_mss
        self._take_timestamp(seg)

    def _take_timestamp(self, seg):
        if seg.options.timestamps is not None:
            self._ts_recent = seg.options.timestamps[0]

    def _set_window(self, seg, scaled=True, force=False):
        """Update SND.WND unless the segment is older than the last window update (SND.WL1/WL2)."""
        newer = seq_lt(self.snd_wl1, seg.seq) or (self.snd_wl1 == seg.seq and seq_le(self.snd_wl2, seg.ack))
        if not (newer or force):
            return
        self.snd_wnd = seg.window << (self.snd_scale if scaled else 0)
        self.snd_wl1, self.snd_wl2 = seg.seq, seg.ack
        if self.snd_wnd > 0 and _PERSIST in self._timers:
            del self._timers[_PERSIST]
            self._persist_backoff = 0

    def _acknowledge(self, ack):
        """SND.UNA advances: drop acknowledged segments, take an RTT sample, manage the timer."""
        self.snd_una = ack
        if self._rtt_probe is not None and seq_ge(ack, self._rtt_probe[0]):
            self._rto.sample(self._now - self._rtt_probe[1])
            self._rtt_probe = None
        self._queue = [s for s in self._queue if seq_gt(s.end_seq, ack)]
        self._retries = 0
        self._dup_acks = 0
        self._timers.pop(_RETRANSMIT, None)
        if self._queue:
            self._start_timer(_RETRANSMIT, self._rto.rto)

    def _enter_time_wait(self, event):
        self._clear_timers()
        self._queue.clear()
        self._move(event, target=State.TIME_WAIT)
        self._start_timer(_TIME_WAIT, 2 * self.config.msl)

    def _reset_by_peer(self):
        if self.state is State.SYN_RECEIVED and self.passive:
            self._back_to_listen("rcv RST")
        elif self.state is State.SYN_RECEIVED:
            self._fail(ConnectionRefused("connection refused"), "rcv RST")
        elif self.state in (State.CLOSING, State.LAST_ACK, State.TIME_WAIT):
            self._clear_timers()
            self._move("rcv RST")
            self._reset_tcb()
        else:
            self._fail(ConnectionReset("connection reset by peer"), "rcv RST")

    def _back_to_listen(self, event):
        self._clear_timers()
        self._move(event, target=State.LISTEN)
        self._reset_tcb()
        self.passive = True

    def _fail(self, error, event):
        self.error = error
        self._clear_timers()
        self._move(event, target=State.CLOSED)
        self._record(Kind.ERROR, detail=str(error))
        self._reset_tcb()

    def _move(self, event, target=None):
        row = find_transition(self.state, event, target)
        before, self.state = self.state, row.target
        self._record(Kind.STATE, before=before, detail=row.label)

    def _require(self, states, call, message):
        if self.state not in states:
            raise InvalidCall(f"{call} in {self.state}: {message}")

    def _at(self, now, call):
        if isinstance(now, bool) or not isinstance(now, (int, float)):
            raise ValueError(f"now must be a number of seconds, got {now!r}")
        self._now = float(now)

    def _record(self, kind, **fields):
        self.events.append(Event(time=self._now, host=self.name, kind=kind, state=self.state, **fields))
