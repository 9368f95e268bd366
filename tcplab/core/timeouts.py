"""TIMEOUTS (RFC 9293 §3.10.8): what each of an endpoint's named timers does when it fires."""

from .errors import ConnectionTimedOut
from .states import State
from .timers import DELAYED_ACK, KEEPALIVE, PERSIST, RETRANSMISSION, TIME_WAIT


class Timeouts:
    """Methods of `Endpoint`: `Endpoint.handle_timer` calls `_timer_fires` for each timer due."""

    def _timer_fires(self, name):
        if name == TIME_WAIT:
            self._delete_tcb("timeout=2MSL")
        elif name == DELAYED_ACK:
            if self.state.synchronized or self.state is State.SYN_RECEIVED:
                self._send_ack("delayed ACK")
        elif name == PERSIST:
            self._window_probe()
        elif name == RETRANSMISSION:
            self._retransmission_timeout()
        elif name == KEEPALIVE:
            self._keepalive_timeout()

    def _retransmission_timeout(self):
        """RFC 6298 §5.4–5.6: retransmit the oldest segment, back off, or give up at the limit."""
        t = self.tcb_
        if not t.retransmit:
            return
        limit = self.config.syn_retries if self.state in (State.SYN_SENT, State.SYN_RECEIVED) \
            else self.config.max_retries
        if t.retries >= limit:
            self._fail(ConnectionTimedOut(f"no acknowledgment after {t.retries} retransmissions"),
                       "retransmission limit")
            return
        t.retries += 1
        t.rto.timed_out()
        self._retransmit_first(f"retransmission #{t.retries} (RTO)")
        self.timers.start(RETRANSMISSION, self._now + t.rto.rto)

    def _stop_persist(self):
        self.timers.stop(PERSIST)
        self.tcb_.persist_backoff = 0
