"""An endpoint's named timers: each is a deadline in the caller's time, or not running.

The endpoint never reads a clock: `next()` tells the driver when to call
`Endpoint.handle_timer(now)`, and `due(now)` says which timers have expired, in the
order they are handled.
"""

RETRANSMISSION = "RTO"          # RFC 6298
TIME_WAIT = "2MSL"              # RFC 9293 §3.6.1
DELAYED_ACK = "delayed ACK"     # RFC 9293 §3.8.6.3
PERSIST = "persist"             # RFC 9293 §3.8.6.1 (zero-window probes)
KEEPALIVE = "keep-alive"        # RFC 9293 §3.8.4
ORDER = (TIME_WAIT, DELAYED_ACK, PERSIST, RETRANSMISSION, KEEPALIVE)


class Timers:
    """Deadlines by timer name."""

    def __init__(self):
        self._deadlines = {}

    def start(self, name, deadline):
        """(Re)start *name* so that it expires at *deadline*."""
        self._deadlines[name] = deadline

    def stop(self, name):
        self._deadlines.pop(name, None)

    def clear(self):
        self._deadlines.clear()

    def running(self, name):
        return name in self._deadlines

    def next(self):
        """The earliest deadline, or None when no timer runs."""
        return min(self._deadlines.values()) if self._deadlines else None

    def due(self, now):
        """The names of the timers expired at *now*, in handling order."""
        return [name for name in ORDER if self._deadlines.get(name, now + 1) <= now]
