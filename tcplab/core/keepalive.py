"""Keep-alive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6): probing a connection whose peer has gone quiet.

`KeepAliveTimer` is a group of methods of `Endpoint`, active only when ``Config.keepalive`` is set
(keep-alives are optional and off unless asked for).  The timer runs in the states in which an
idle connection can sit (`KEEPALIVE_STATES`) and starts again at ``idle`` whenever an acceptable
segment arrives, which also resets the count of unanswered probes.  When it fires with none of our
data outstanding (RFC 9293 MUST-26) it sends Linux's probe (`tcp_xmit_probe_skb`): no data and
SEG.SEQ = SND.UNA − 1, a number the peer has already acknowledged, so a live peer answers with an
ACK and a peer that has lost the connection with a RST.  Then it waits ``interval``.  When
``probes`` probes went unanswered it aborts as Linux does (`tcp_keepalive_timer`): a RST to the
peer (the RFC's <SEQ=SND.NXT><CTL=RST>; Linux's also carries ACK), and `ConnectionTimedOut` for
the user.
"""

from .errors import ConnectionTimedOut
from .seqspace import seq_add
from .states import KEEPALIVE_STATES
from .timers import KEEPALIVE


class KeepAliveTimer:
    """Methods of `Endpoint` for the keep-alive timer."""

    def _keepalive_restart(self):
        """The peer was heard (or the connection just became idle-able): wait ``idle`` again."""
        settings = self.config.keepalive
        if settings is None or self.state not in KEEPALIVE_STATES:
            return
        self.tcb_.keepalive_probes = 0
        self.timers.start(KEEPALIVE, self._now + settings.idle)

    def _keepalive_timeout(self):
        """The keep-alive timer fired: wait longer, probe, or give up."""
        settings, t = self.config.keepalive, self.tcb_
        if self.state not in KEEPALIVE_STATES:
            return
        if t.retransmit or t.unsent:
            # Data is outstanding: the retransmission or persist timer watches the peer (MUST-26).
            self.timers.start(KEEPALIVE, self._now + settings.idle)
            return
        if t.keepalive_probes >= settings.probes:
            self._send_reset("keep-alive: no answer")
            self._fail(ConnectionTimedOut(f"no answer to {t.keepalive_probes} keep-alive probes"),
                       "keep-alive limit")
            return
        t.keepalive_probes += 1
        self._emit(self._ack_segment(seq=seq_add(t.snd_una, -1)), f"keep-alive probe #{t.keepalive_probes}")
        self.timers.start(KEEPALIVE, self._now + settings.interval)
