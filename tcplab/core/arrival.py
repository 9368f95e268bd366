"""SEGMENT ARRIVES (RFC 9293 §3.10.7): what an endpoint does with each arriving segment.

`SegmentArrives` is a group of methods of `Endpoint`.  `_segment_arrives` dispatches on the
state as the RFC does (§3.10.7.1 CLOSED, .2 LISTEN, .3 SYN-SENT, .4 other states); for the
other states it runs the RFC's checks in order, one method each, so that each can be read
beside the RFC text.  With timestamps in use, PAWS comes first (RFC 7323 §5.3; see `timestamps`).
The third check (security) and the sixth (URG) are not modelled.
"""

from .errors import ConnectionRefused, ConnectionReset
from .opening import ArrivesUnsynchronized
from .segment import Flags, Segment
from .seqspace import seq_add, seq_ge, seq_gt, seq_in_window, seq_le, seq_lt, seq_sub
from .states import State
from .timers import DELAYED_ACK, RETRANSMISSION, TIME_WAIT

DROP = False      # a check returns DROP when processing of the segment ends there
GO_ON = True


class SegmentArrives(ArrivesUnsynchronized):
    """Methods of `Endpoint` that process one arriving segment."""

    def _segment_arrives(self, seg):
        t = self.tcb_
        foreign = t.remote_port is not None and seg.sport != t.remote_port
        if self.state is State.CLOSED or foreign:
            self._arrives_closed(seg)
        elif self.state is State.LISTEN:
            self._arrives_listen(seg)
        elif self.state is State.SYN_SENT:
            self._arrives_syn_sent(seg)
        else:
            self._arrives_synchronized(seg)

    # ------------------------------------------------------------- §3.10.7.4
    def _arrives_synchronized(self, seg):
        """§3.10.7.4: SYN-RECEIVED and every synchronized state, check by check."""
        t = self.tcb_
        if self._paws_rejects(seg):
            return
        if self.state is State.TIME_WAIT and self._retransmitted_fin_in_time_wait(seg):
            return
        window_unscaled = False
        if self.state is State.SYN_RECEIVED and seg.flags & Flags.SYN and seg.seq == t.irs:
            if not seg.flags & Flags.ACK:
                # As Linux does (tcp_check_req): a retransmitted SYN gets our SYN-ACK again.
                self._retransmit_first("SYN-ACK again for retransmitted SYN")
                return
            # Simultaneous open: the peer's SYN,ACK repeats its SYN; keep the ACK part.  Its
            # window is a SYN's, which is never scaled (RFC 7323 §2.2).
            seg = seg.replace(seq=seq_add(seg.seq, 1), flags=seg.flags & ~Flags.SYN)
            window_unscaled = True
            # The repeated SYN lies below RCV.NXT, which §3.10.7.4's first check answers with an
            # ACK (Figure 7 draws none).
            t.ack_immediately = True
        if self._first_check_sequence(seg) is DROP:
            return
        self._remember_timestamp(seg)
        self._keepalive_restart()
        seg, trimmed = self._trim_to_window(seg)
        if self._second_check_rst(seg) is DROP or self._fourth_check_syn(seg) is DROP:
            return
        if self._fifth_check_ack(seg, window_unscaled) is DROP or self.state is State.CLOSED:
            return
        needs_ack = self._seventh_process_text(seg) or trimmed or t.ack_immediately
        if self._eighth_check_fin(seg):
            needs_ack = False
        self._push()
        if needs_ack:
            self._ack_data()

    def _retransmitted_fin_in_time_wait(self, seg):
        """TIME-WAIT: "The only thing that can arrive in this state is a retransmission of the
        remote FIN.  Acknowledge it, and restart the 2 MSL timeout." (§3.10.7.4)"""
        if seg.flags & Flags.FIN and not seg.flags & Flags.RST and seg.end_seq == self.tcb_.rcv_nxt:
            self._move("rcv FIN", target=State.TIME_WAIT)
            self.timers.start(TIME_WAIT, self._now + 2 * self.config.msl)
            self._send_ack("re-ACK of retransmitted FIN")
            return True
        return False

    def _first_check_sequence(self, seg):
        """First, check the sequence number: the four-case acceptability test.

        RCV.WND is the window we advertised.  Like Linux (`tcp_sequence`), a segment without
        data is also accepted exactly at the right edge: a peer that has filled our window sends
        its pure ACKs there.  An unacceptable segment is answered with an ACK, unless it is a RST.
        """
        t = self.tcb_
        wnd = self.rcv_wnd
        if wnd == 0:
            # Nothing fits, but a segment at RCV.NXT still brings a valid ACK, window, FIN or RST.
            acceptable = seg.seq == t.rcv_nxt
        elif seg.len == 0:
            acceptable = seq_in_window(seg.seq, t.rcv_nxt, wnd + 1)
        else:
            acceptable = (seq_in_window(seg.seq, t.rcv_nxt, wnd)
                          or seq_in_window(seq_add(seg.end_seq, -1), t.rcv_nxt, wnd))
        if acceptable:
            return GO_ON
        if not seg.flags & Flags.RST:
            self._send_rate_limited_ack(seg, "ACK of unacceptable segment")
        return DROP

    def _trim_to_window(self, seg):
        """Keep only the part of the segment inside the window; (segment, whether bytes were cut)."""
        t = self.tcb_
        trimmed = False
        ahead = seq_sub(t.rcv_nxt, seg.seq)
        if ahead > 0:
            seg = seg.replace(seq=t.rcv_nxt, payload=seg.payload[ahead:])
        room = max(0, seq_sub(seq_add(t.rcv_nxt, self.rcv_wnd), seg.seq))
        if len(seg.payload) > room:
            seg = seg.replace(payload=seg.payload[:room], flags=seg.flags & ~Flags.FIN)
            trimmed = True
        return seg, trimmed

    def _second_check_rst(self, seg):
        """Second, check the RST bit: an exact match resets; any other in-window RST gets a
        challenge ACK (the optional RFC 5961 mitigation of §3.10.7.4, which Linux implements)."""
        if not seg.flags & Flags.RST:
            return GO_ON
        if seg.seq == self.tcb_.rcv_nxt:
            self._reset_by_peer()
        else:
            self._send_rate_limited_ack(seg, "challenge ACK")
        return DROP

    def _fourth_check_syn(self, seg):
        """Fourth, check the SYN bit: back to LISTEN from a passive SYN-RECEIVED, else a
        challenge ACK (RFC 5961 §4: optional in §3.10.7.4; Linux sends it)."""
        if not seg.flags & Flags.SYN:
            return GO_ON
        if self.state is State.SYN_RECEIVED and self.tcb_.passive:
            self._back_to_listen("rcv SYN")
        else:
            self._send_rate_limited_ack(seg, "challenge ACK")
        return DROP

    def _fifth_check_ack(self, seg, window_unscaled=False):
        """Fifth, check the ACK field: complete the handshake, advance SND.UNA, update the window,
        count duplicate ACKs, and see whether our FIN is acknowledged."""
        t = self.tcb_
        if not seg.flags & Flags.ACK:
            return DROP
        if self.state is State.SYN_RECEIVED:
            if not (seq_lt(t.snd_una, seg.ack) and seq_le(seg.ack, t.snd_nxt)):
                self._emit(Segment(seg.dport, seg.sport, seg.ack, 0, Flags.RST, 0), "unacceptable ACK: reset")
                return DROP
            self._set_window(seg, scaled=not window_unscaled, force=True)
            self._move("rcv ACK of SYN")
            if t.fin_requested:
                self._move("CLOSE")
        if seq_gt(seg.ack, t.snd_nxt):
            self._send_rate_limited_ack(seg, "ACK of unsent data")
            return DROP
        if seq_gt(seg.ack, t.snd_una):
            self._acknowledge(seg.ack)
            # An ACK that advances SND.UNA carries a current window: take it even if an earlier-sent
            # segment updated the window last, as Linux does (tcp_may_update_window).
            self._set_window(seg, scaled=not window_unscaled, force=True)
        else:
            duplicate = (seg.ack == t.snd_una and not seg.payload and not seg.flags & (Flags.SYN | Flags.FIN)
                         and t.retransmit and (seg.window << t.snd_scale) == t.snd_wnd)
            self._set_window(seg, scaled=not window_unscaled)
            if duplicate:
                t.dup_acks += 1
                if t.dup_acks == 3 and self.config.fast_retransmit:
                    self._retransmit_first("fast retransmit")
        self._our_fin_acknowledged(seg)
        return GO_ON

    def _our_fin_acknowledged(self, seg):
        """FIN-WAIT-1 → FIN-WAIT-2, CLOSING → TIME-WAIT, LAST-ACK → CLOSED once our FIN is ACKed."""
        t = self.tcb_
        if t.fin_seq is None or not seq_ge(t.snd_una, seq_add(t.fin_seq, 1)):
            return
        fin_in_order = seg.flags & Flags.FIN and seg.seq == t.rcv_nxt
        if self.state is State.FIN_WAIT_1 and not fin_in_order:
            self._move("rcv ACK of FIN")
        elif self.state is State.CLOSING:
            self._enter_time_wait("rcv ACK of FIN")
        elif self.state is State.LAST_ACK:
            self._delete_tcb("rcv ACK of FIN")

    def _seventh_process_text(self, seg):
        """Seventh, process the segment text: take in-order bytes, hold out-of-order ones.
        Returns True if an ACK is due."""
        t = self.tcb_
        if self.state not in (State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2):
            return False
        if seg.seq != t.rcv_nxt and (seg.payload or seg.flags & Flags.FIN):
            t.out_of_order[seg.seq] = (seg.payload, bool(seg.flags & Flags.FIN))
            t.ack_immediately = True  # out of order: a duplicate ACK at once
            return True
        if not seg.payload:
            return False
        self._take_bytes(seg.payload)
        t.unacked_in += 1
        if t.out_of_order:
            t.ack_immediately = True  # a gap was filled: tell the sender at once
            if self._fill_from_out_of_order():
                return False  # a held FIN was processed and acknowledged
        return True

    def _take_bytes(self, payload):
        t = self.tcb_
        t.received += payload
        t.rcv_nxt = seq_add(t.rcv_nxt, len(payload))

    def _fill_from_out_of_order(self):
        """Move held segments that now continue the stream; True if a held FIN was processed."""
        t = self.tcb_
        progress = True
        while progress and t.out_of_order:
            progress = False
            for seq in list(t.out_of_order):
                payload, fin = t.out_of_order[seq]
                ahead = seq_sub(t.rcv_nxt, seq)
                if 0 <= ahead <= len(payload):
                    del t.out_of_order[seq]
                    self._take_bytes(payload[ahead:][: self.rcv_wnd])
                    progress = True
                    if fin:
                        self._process_fin()
                        return True
                elif ahead > len(payload):
                    del t.out_of_order[seq]  # already covered
        return False

    def _eighth_check_fin(self, seg):
        """Eighth, check the FIN bit (in order only); True if it was processed."""
        t = self.tcb_
        if seg.flags & Flags.FIN and not t.peer_closed and seg.end_seq == seq_add(t.rcv_nxt, 1):
            self._process_fin()
            return True
        return False

    def _process_fin(self):
        """The peer's FIN consumes one sequence number and moves the state on."""
        t = self.tcb_
        t.rcv_nxt = seq_add(t.rcv_nxt, 1)
        t.peer_closed = True
        t.out_of_order.clear()
        state = self.state
        if state in (State.SYN_RECEIVED, State.ESTABLISHED):
            self._move("rcv FIN", target=State.CLOSE_WAIT)
            if self.config.delayed_ack is not None:
                # Like Linux's delayed ACK after a FIN: if the application closes soon,
                # its FIN carries this ACK and the close takes three segments.
                t.unacked_in = 1
                self.timers.start(DELAYED_ACK, self._now + self.config.delayed_ack)
            else:
                self._send_ack("ACK of FIN")
        elif state is State.FIN_WAIT_1:
            if t.fin_seq is not None and seq_ge(t.snd_una, seq_add(t.fin_seq, 1)):
                self._enter_time_wait("rcv FIN, ACK of FIN")
            else:
                self._move("rcv FIN", target=State.CLOSING)
            self._send_ack("ACK of FIN")
        elif state is State.FIN_WAIT_2:
            self._enter_time_wait("rcv FIN")
            self._send_ack("ACK of FIN")

    # ------------------------------------------------------------- TCB updates
    def _set_window(self, seg, scaled=True, force=False):
        """Update SND.WND from a segment whose ACK lies in SND.UNA..SND.NXT (§3.10.7.4, fifth check).

        Taken when the segment is newer than the last update (SND.WL1/WL2), when *force* says
        its ACK advanced SND.UNA, or when it opens the window further: a receiver's right edge
        only moves right, so a wider edge is never stale, and a stray in-window segment that set
        SND.WL1 far ahead cannot freeze the window for ever.
        """
        t = self.tcb_
        if seq_lt(seg.ack, t.snd_una) or seq_gt(seg.ack, t.snd_nxt):
            return
        window = seg.window << (t.snd_scale if scaled else 0)
        newer = seq_lt(t.snd_wl1, seg.seq) or (t.snd_wl1 == seg.seq and seq_le(t.snd_wl2, seg.ack))
        wider = seq_gt(seq_add(seg.ack, window), seq_add(t.snd_wl2, t.snd_wnd))
        if not (newer or force or wider):
            return
        t.snd_wnd = window
        t.snd_wl1, t.snd_wl2 = seg.seq, seg.ack
        if self._usable_window() > 0:
            self._stop_persist()

    def _acknowledge(self, ack):
        """SND.UNA advances: drop acknowledged segments, take an RTT sample, restart the timer."""
        t = self.tcb_
        t.snd_una = ack
        if t.rtt_probe is not None and seq_ge(ack, t.rtt_probe[0]):
            t.rto.sample(self._now - t.rtt_probe[1])
            t.rtt_probe = None
        queue = t.retransmit
        while queue and seq_le(queue[0].end_seq, ack):
            queue.popleft()
        t.retries = 0
        t.dup_acks = 0
        self.timers.stop(RETRANSMISSION)
        if queue:
            self.timers.start(RETRANSMISSION, self._now + t.rto.rto)

    def _reset_by_peer(self):
        """An acceptable RST: §3.10.7.4, second check, state by state."""
        if self.state is State.SYN_RECEIVED and self.tcb_.passive:
            self._back_to_listen("rcv RST")
        elif self.state is State.SYN_RECEIVED:
            self._fail(ConnectionRefused("connection refused"), "rcv RST")
        elif self.state in (State.CLOSING, State.LAST_ACK, State.TIME_WAIT):
            self._delete_tcb("rcv RST")
        else:
            self._fail(ConnectionReset("connection reset by peer"), "rcv RST")
