"""The Transmission Control Block (RFC 9293 §3.3.1): every variable of one connection.

An `Endpoint` keeps one `Tcb` while a connection exists and replaces it with a fresh
one when the connection is deleted; `TcbSnapshot` is the frozen view readers print.
"""

from collections import deque
from dataclasses import dataclass, field

from .rto import RtoEstimator
from .states import State

DEFAULT_MSS = 536  # RFC 9293 §3.7.1: the send MSS when the peer sent no MSS option


@dataclass
class Tcb:
    """The send and receive sequence variables, the queues and the per-connection bookkeeping."""

    rto: RtoEstimator
    remote_port: int | None = None
    passive: bool = False              # reached SYN-RECEIVED from LISTEN (Figure 5, note 1)
    # Send sequence variables (§3.3.1)
    iss: int | None = None
    snd_una: int = 0
    snd_nxt: int = 0
    snd_wnd: int = 0
    snd_wl1: int = 0
    snd_wl2: int = 0
    # Receive sequence variables
    irs: int | None = None
    rcv_nxt: int = 0
    rcv_adv: int | None = None         # RCV.NXT + RCV.WND as last advertised: the right edge
    # What the SYNs negotiated
    send_mss: int = DEFAULT_MSS
    snd_scale: int = 0
    rcv_scale: int = 0
    negotiated: dict = field(default_factory=dict)
    ts_recent: int = 0                 # TS.Recent (RFC 7323 §4.3): the TSval to echo, and PAWS's reference
    ts_offset: int = 0                 # our timestamp clock's value at time 0
    last_ack_sent: int | None = None   # Last.ACK.sent (RFC 7323 §4.3): the ACK field we last sent
    # Queues
    unsent: bytearray = field(default_factory=bytearray)   # given to send(), not yet segmentized
    retransmit: deque = field(default_factory=deque)       # sent, not yet fully acknowledged, in order
    received: bytearray = field(default_factory=bytearray)  # in order, not yet read
    out_of_order: dict = field(default_factory=dict)       # seq -> (payload, fin), held until the gap fills
    # Closing
    fin_requested: bool = False        # close() was called
    fin_seq: int | None = None         # the sequence number of our FIN once it was sent
    peer_closed: bool = False          # the peer's FIN arrived
    # Retransmission, acknowledgment and window bookkeeping
    retries: int = 0
    rtt_probe: tuple | None = None     # (end_seq, send time) of the segment being timed
    dup_acks: int = 0
    unacked_in: int = 0                # in-order segments received since we last ACKed
    ack_immediately: bool = False      # the next ACK must not be delayed
    persist_backoff: int = 0
    keepalive_probes: int = 0          # keep-alive probes sent since the peer was last heard
    small_end: int | None = None       # Nagle (Minshall): end of the last sub-MSS segment sent
    window_was_small: bool = False     # the window last advertised was below the SWS threshold
    last_oow_ack: float | None = None  # when we last answered an out-of-window segment (rate limit)


@dataclass(frozen=True)
class TcbSnapshot:
    """A frozen copy of the TCB variables readers care about."""

    state: State
    iss: int | None
    irs: int | None
    snd_una: int
    snd_nxt: int
    snd_wnd: int
    rcv_nxt: int
    rcv_wnd: int
    rto: float
