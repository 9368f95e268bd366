"""The send path of an endpoint: segmentizing, retransmission, ACKs and window advertisement.

`SendPath` is a group of methods of `Endpoint`; they read and change its TCB (``self.tcb_``).
"""

from .rto import backoff
from .segment import Flags, Options, Segment
from .seqspace import seq_add, seq_gt, seq_max, seq_sub
from .states import State
from .timers import DELAYED_ACK, PERSIST, RETRANSMISSION

#: States in which queued data (and then our FIN) may still be segmentized: every state after
#: ESTABLISHED in which our FIN may not have gone out yet (RFC 9293 §3.10.4: CLOSE "in any case"
#: enters FIN-WAIT-1 while earlier SENDs are still being segmentized).
SENDING_STATES = (State.ESTABLISHED, State.CLOSE_WAIT, State.FIN_WAIT_1, State.CLOSING, State.LAST_ACK)


class SendPath:
    """Methods of `Endpoint` that build and send segments."""

    # ---------------------------------------------------------------- segmentize
    def _push(self):
        """Segmentize queued bytes into the send window; send the FIN once everything is out."""
        t = self.tcb_
        if self.state not in SENDING_STATES:
            return
        while t.unsent:
            size = min(t.send_mss, self._usable_window(), len(t.unsent))
            if size <= 0:
                if not t.retransmit and not self.timers.running(PERSIST):
                    self.timers.start(PERSIST, self._now + self.config.persist_initial)
                return
            if size == len(t.unsent) < t.send_mss and self._nagle_holds():
                return
            payload = bytes(t.unsent[:size])
            del t.unsent[:size]
            flags = Flags.ACK | (Flags.PSH if not t.unsent else Flags(0))
            seg = self._ack_segment(flags=flags, payload=payload)
            if size < t.send_mss:
                t.small_end = seg.end_seq
            self._transmit(seg, "data")
        if t.fin_requested and t.fin_seq is None:
            t.fin_seq = t.snd_nxt
            self._transmit(self._ack_segment(flags=Flags.FIN | Flags.ACK), "FIN")

    def _usable_window(self):
        """How much new data fits: the peer's right edge (SND.WL2 + SND.WND) minus SND.NXT.

        The edge is taken from the ACK that carried the window, so a window learnt from an
        older ACK is never stretched past what the peer offered.
        """
        t = self.tcb_
        return seq_sub(seq_add(t.snd_wl2, t.snd_wnd), t.snd_nxt)

    def _nagle_holds(self):
        """Nagle's algorithm (RFC 9293 §3.7.4, SHLD-7) in Linux's form (Minshall's variant).

        A segment smaller than the MSS waits while an earlier small segment is unacknowledged,
        unless ``Config.nodelay`` is set (TCP_NODELAY) or close() was called (the FIN pushes it).
        """
        t = self.tcb_
        return (not self.config.nodelay and not t.fin_requested
                and t.small_end is not None and seq_gt(t.small_end, t.snd_una))

    def _transmit(self, seg, reason):
        """Send a new segment that occupies sequence space and keep it for retransmission."""
        t = self.tcb_
        t.retransmit.append(seg)
        # SND.NXT moves past the segment (a simultaneous open's SYN-ACK repeats our SYN's number).
        t.snd_nxt = seq_max(t.snd_nxt, seg.end_seq)
        if t.rtt_probe is None:
            t.rtt_probe = (seg.end_seq, self._now)
        if not self.timers.running(RETRANSMISSION):
            self.timers.start(RETRANSMISSION, self._now + t.rto.rto)
        self._emit(seg, reason)

    def _retransmit_first(self, reason):
        """Send the oldest unacknowledged segment again, with fresh ACK and window fields."""
        t = self.tcb_
        if not t.retransmit:
            return
        seg = t.retransmit[0]
        ahead = seq_sub(t.snd_una, seg.seq)
        if ahead > 0 and seg.payload:
            seg = seg.replace(seq=t.snd_una, payload=seg.payload[ahead:])
        if seg.flags & Flags.ACK:
            seg = seg.replace(ack=t.rcv_nxt, window=self._advertised_window(seg.flags),
                              options=self._options_for(seg.flags))
        t.retransmit[0] = seg
        t.rtt_probe = None  # Karn's rule: never time a retransmitted segment
        self._emit(seg, reason, retransmission=True)

    def _window_probe(self):
        """The persist timer fired: probe a zero window, backing off up to ``rto_max``.

        The probe is Linux's (`tcp_xmit_probe_skb`): no data, sequence number SND.UNA − 1, so the
        receiver must answer with an ACK that carries its current window.  RFC 9293 §3.8.6.1 asks
        for at least one octet of new data (if available) or a retransmission; the answer, and the
        connection's fate, are the same.
        """
        t = self.tcb_
        if not t.unsent or self._usable_window() > 0 or self.state not in SENDING_STATES:
            t.persist_backoff = 0
            return
        self._emit(self._ack_segment(seq=seq_add(t.snd_una, -1)), "zero-window probe")
        t.persist_backoff += 1
        delay = backoff(self.config.persist_initial, t.persist_backoff, self.config.rto_max)
        self.timers.start(PERSIST, self._now + delay)

    # ---------------------------------------------------------------- ACKs
    def _emit(self, seg, reason, retransmission=False):
        t = self.tcb_
        if seg.flags & Flags.ACK:
            self.timers.stop(DELAYED_ACK)
            t.unacked_in = 0
            t.ack_immediately = False
            if not seg.flags & Flags.RST:
                t.last_ack_sent = seg.ack
        self._outbox.append(seg)
        self._record_send(seg, reason, retransmission)

    def _send_ack(self, reason):
        self._emit(self._ack_segment(), reason)

    def _send_rate_limited_ack(self, seg, reason):
        """ACK an out-of-window or otherwise invalid segment, at most once per ``ack_ratelimit``.

        Only segments without data (or with SYN) are limited, as in Linux (`tcp_oow_rate_limited`)
        and RFC 5961 §7: two endpoints that each find the other's pure ACK unacceptable would
        otherwise answer each other for ever.
        """
        t = self.tcb_
        if not seg.payload or seg.flags & Flags.SYN:
            if t.last_oow_ack is not None and self._now - t.last_oow_ack < self.config.ack_ratelimit:
                return
            t.last_oow_ack = self._now
        self._send_ack(reason)

    def _ack_data(self):
        """ACK received data now, or after the delayed-ACK timer (at least every second segment)."""
        t = self.tcb_
        if self.config.delayed_ack is None or t.unacked_in >= 2 or t.ack_immediately:
            self._send_ack("ACK")
        elif not self.timers.running(DELAYED_ACK):
            self.timers.start(DELAYED_ACK, self._now + self.config.delayed_ack)

    def _ack_segment(self, flags=Flags.ACK, payload=b"", seq=None):
        t = self.tcb_
        return Segment(self.local_port, t.remote_port, t.snd_nxt if seq is None else seq, t.rcv_nxt,
                       flags, self._advertised_window(flags), self._options_for(flags), payload)

    # ---------------------------------------------------------------- SYNs and options
    def _syn(self, flags):
        t = self.tcb_
        options = Options(mss=self.config.mss,
                          wscale=self.config.window_scale if self._offer("wscale", flags) else None,
                          sack_ok=self.config.sack_permitted and self._offer("sack_ok", flags),
                          timestamps=self._timestamp_pair() if self._offer("timestamps", flags) else None)
        ack = t.rcv_nxt if flags & Flags.ACK else 0
        return Segment(self.local_port, t.remote_port, t.iss, ack, flags, self._advertised_window(flags), options)

    def _offer(self, option, flags):
        wanted = {"wscale": self.config.window_scale is not None, "sack_ok": self.config.sack_permitted,
                  "timestamps": self.config.timestamps}[option]
        if flags & Flags.ACK:  # a SYN-ACK only echoes what the SYN offered (RFC 7323 §1.3)
            return wanted and self.tcb_.negotiated.get(option, False)
        return wanted

    def _options_for(self, flags):
        t = self.tcb_
        if flags & Flags.SYN:
            return t.retransmit[0].options if t.retransmit else Options()
        if t.negotiated.get("timestamps"):
            return Options(timestamps=self._timestamp_pair())
        return Options()

    # ---------------------------------------------------------------- window advertisement
    def _sws_threshold(self):
        """min(½ buffer, Eff.snd.MSS): the smallest window increase worth advertising (MUST-39)."""
        return max(1, min(self.config.recv_buffer // 2, self.tcb_.send_mss))

    def _advertised_window(self, flags):
        """The window field to send, with receiver silly-window avoidance (RFC 9293 §3.8.6.2.2).

        The right edge RCV.NXT + RCV.WND stays where it was last advertised until the buffer's
        free space would move it by at least the SWS threshold; it never moves left.  A SYN's
        window is never scaled (RFC 7323 §2.2).
        """
        t = self.tcb_
        free = self.config.recv_buffer - len(t.received)
        if flags & Flags.SYN:
            window = min(free, 65535)
            if flags & Flags.ACK:
                t.rcv_adv = seq_add(t.rcv_nxt, window)
            return window
        threshold = self._sws_threshold()
        candidate = seq_add(t.rcv_nxt, free)
        if t.rcv_adv is None or seq_sub(candidate, t.rcv_adv) >= threshold:
            edge = seq_add(t.rcv_nxt, min(free >> t.rcv_scale, 65535) << t.rcv_scale)
            if t.rcv_adv is None or seq_gt(edge, t.rcv_adv):
                t.rcv_adv = edge
        window = max(0, seq_sub(t.rcv_adv, t.rcv_nxt))
        t.window_was_small = window < threshold
        return min(window >> t.rcv_scale, 65535)

    def _window_update_due(self):
        """After a read: the window was small, and the right edge can now move by the threshold."""
        t = self.tcb_
        if not t.window_was_small or t.peer_closed or self.state not in (
                State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2):
            return False
        candidate = seq_add(t.rcv_nxt, self.config.recv_buffer - len(t.received))
        return t.rcv_adv is None or seq_sub(candidate, t.rcv_adv) >= self._sws_threshold()
