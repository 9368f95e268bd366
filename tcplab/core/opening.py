"""SEGMENT ARRIVES in CLOSED, LISTEN and SYN-SENT (RFC 9293 §3.10.7.1-3): before a connection is synchronized.

`ArrivesUnsynchronized` is a group of methods of `Endpoint` (through `arrival.SegmentArrives`,
which dispatches to them): a closed port's RST, a listener's SYN,ACK, and the SYN-SENT
checks of the ACK, the RST and the SYN, with the peer's SYN recorded in the TCB.
"""

from .errors import ConnectionRefused
from .segment import Flags, Segment
from .seqspace import seq_add, seq_gt, seq_le, seq_lt
from .tcb import DEFAULT_MSS


class ArrivesUnsynchronized:
    """Methods of `Endpoint` for a segment that arrives before the connection is synchronized."""

    def _arrives_closed(self, seg):
        """§3.10.7.1: anything but a RST gets a RST (a RST is never answered with a RST)."""
        if seg.flags & Flags.RST:
            return
        if seg.flags & Flags.ACK:
            reply = Segment(seg.dport, seg.sport, seg.ack, 0, Flags.RST, 0)
        else:
            reply = Segment(seg.dport, seg.sport, 0, seq_add(seg.seq, seg.len), Flags.RST | Flags.ACK, 0)
        self._emit(reply, "no connection: reset")

    def _arrives_listen(self, seg):
        """§3.10.7.2: a RST is ignored, an ACK reset, a SYN answered with SYN,ACK."""
        if seg.flags & Flags.RST:
            return
        if seg.flags & Flags.ACK:
            self._emit(Segment(seg.dport, seg.sport, seg.ack, 0, Flags.RST, 0), "ACK in LISTEN: reset")
            return
        if not seg.flags & Flags.SYN:
            return
        self.tcb_.remote_port = seg.sport
        self._take_peer_syn(seg)
        self._open_send_side()
        self._move("rcv SYN")
        self._transmit(self._syn(Flags.SYN | Flags.ACK), "SYN-ACK")

    def _arrives_syn_sent(self, seg):
        """§3.10.7.3: check the ACK, then the RST, then the SYN (SYN,ACK or simultaneous open)."""
        t = self.tcb_
        acceptable_ack = False
        if seg.flags & Flags.ACK:
            if seq_le(seg.ack, t.iss) or seq_gt(seg.ack, t.snd_nxt):
                if not seg.flags & Flags.RST:
                    self._emit(Segment(seg.dport, seg.sport, seg.ack, 0, Flags.RST, 0), "unacceptable ACK: reset")
                return
            acceptable_ack = seq_lt(t.snd_una, seg.ack) and seq_le(seg.ack, t.snd_nxt)
        if seg.flags & Flags.RST:
            if acceptable_ack:     # the RFC signals "error: connection reset"; sockets say ECONNREFUSED
                self._fail(ConnectionRefused("connection refused"), "rcv RST,ACK")
            return
        if not seg.flags & Flags.SYN:
            return
        self._take_peer_syn(seg)
        if acceptable_ack:
            self._acknowledge(seg.ack)
        if seq_gt(t.snd_una, t.iss):
            self._set_window(seg, scaled=False, force=True)
            self._move("rcv SYN,ACK")
            self._send_ack("ACK")
            self._push()
        else:
            t.retransmit.clear()
            self._move("rcv SYN")
            self._transmit(self._syn(Flags.SYN | Flags.ACK), "SYN-ACK (simultaneous open)")

    def _take_peer_syn(self, seg):
        """Record IRS and the options the peer's SYN offered."""
        t = self.tcb_
        t.irs = seg.seq
        t.rcv_nxt = seq_add(seg.seq, 1)
        opts = seg.options
        t.send_mss = opts.mss if opts.mss is not None else DEFAULT_MSS
        # An option is in use only if both SYNs carry it (RFC 7323 §1.3, RFC 2018 §2).
        t.negotiated = {"wscale": opts.wscale is not None and self.config.window_scale is not None,
                        "sack_ok": opts.sack_ok and self.config.sack_permitted,
                        "timestamps": opts.timestamps is not None and self.config.timestamps}
        if t.negotiated["wscale"]:
            t.snd_scale, t.rcv_scale = opts.wscale, self.config.window_scale
        t.negotiated["mss"] = t.send_mss
        if opts.timestamps is not None:
            t.ts_recent = opts.timestamps[0]
