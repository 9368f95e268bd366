"""The Timestamps option of RFC 7323: the timestamp clock, TS.Recent and PAWS.

`Timestamps` is a group of methods of `Endpoint`.  The option is in use only when both SYNs
carried it (RFC 7323 §3.2); then every segment we send carries (TSval, TSecr): TSval read from
our timestamp clock, TSecr the peer's TS.Recent.  On arrival, PAWS runs before the
sequence-number check (RFC 7323 §5.3, R1): a segment that is not a RST and whose TSval is older
than TS.Recent is an old duplicate, dropped and answered with an ACK.  TS.Recent takes the TSval
of a segment that passes and starts at or before Last.ACK.sent, the ACK field we last sent
(§4.3, §5.3 R3), so delayed ACKs echo the oldest unacknowledged segment's timestamp.

Timestamps are compared like sequence numbers, modulo 2**32 (RFC 7323 §5.2).  Not modelled:
TS.Recent expiring after 24 idle days (§5.5), and dropping a segment that lacks the option once it
is in use (§3.2 says SHOULD): such a segment is processed without the PAWS test.
"""

from .segment import Flags
from .seqspace import MODULUS, seq_le, seq_lt

#: The timestamp clock ticks once a millisecond of the caller's time, as Linux's does
#: (RFC 7323 §5.4 allows from 1 ms to 1 s per tick).
TICKS_PER_SECOND = 1000


def ts_clock(offset, now):
    """The timestamp clock at *now* seconds: *offset* plus one tick per millisecond, modulo 2**32."""
    return (offset + int(round(now * TICKS_PER_SECOND, 6))) % MODULUS


class Timestamps:
    """Methods of `Endpoint` for the Timestamps option."""

    def _start_timestamp_clock(self):
        """Give a new connection its clock offset: ``Config.ts_offset``, or one drawn from the seed
    (Linux draws a random offset per connection: net.ipv4.tcp_timestamps = 1)."""
        config = self.config
        if config.timestamps:
            self.tcb_.ts_offset = config.ts_offset if config.ts_offset is not None else self._rng.randrange(MODULUS)

    def _timestamp_pair(self):
        """(TSval, TSecr) for a segment sent now."""
        t = self.tcb_
        return ts_clock(t.ts_offset, self._now), t.ts_recent

    def _timestamps_in_use(self, seg):
        return seg.options.timestamps is not None and self.tcb_.negotiated.get("timestamps", False)

    def _paws_rejects(self, seg):
        """PAWS (RFC 7323 §5.3, R1): True if *seg* is an old duplicate, which is dropped and ACKed."""
        if not self._timestamps_in_use(seg) or seg.flags & Flags.RST:
            return False
        if not seq_lt(seg.options.timestamps[0], self.tcb_.ts_recent):
            return False
        self._send_rate_limited_ack(seg, "ACK after a PAWS drop")
        return True

    def _remember_timestamp(self, seg):
        """R3 (§4.3): an acceptable segment with SEG.SEQ =< Last.ACK.sent sets TS.Recent to its TSval."""
        t = self.tcb_
        if not self._timestamps_in_use(seg):
            return
        tsval = seg.options.timestamps[0]
        if (t.last_ack_sent is None or seq_le(seg.seq, t.last_ack_sent)) and not seq_lt(tsval, t.ts_recent):
            t.ts_recent = tsval
