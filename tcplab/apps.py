"""Small application scripts that drive an endpoint inside the simulator.

A script is a list of steps run in order.  Each step either acts at once
(`Send`, `Close`) or waits until something is true (`WaitEstablished`,
`WaitPeerClose`, `Sleep`).  For example, a client that sends 3000 bytes and
closes, and a server that waits for the client's FIN before closing:

    client = [Connect(), WaitEstablished(), SendBytes(3000), Close()]
    server = [Listen(), WaitPeerClose(), Close()]
"""

from dataclasses import dataclass

from .states import State


class Step:
    """One step.  ``run(app, now)`` returns True when the step is done."""

    def run(self, app, now):
        raise NotImplementedError

    def __str__(self):
        return type(self).__name__


@dataclass
class Listen(Step):
    def run(self, app, now):
        app.endpoint.listen(now)
        return True


@dataclass
class Connect(Step):
    """connect() to *port* (the peer's port by default)."""

    port: int | None = None

    def run(self, app, now):
        app.endpoint.connect(self.port or app.peer_port, now)
        return True


@dataclass
class Send(Step):
    data: bytes

    def run(self, app, now):
        app.endpoint.send(self.data, now)
        return True


@dataclass
class SendBytes(Step):
    """send() *n* bytes of a recognisable pattern (b"0123456789" repeated)."""

    n: int

    def run(self, app, now):
        app.endpoint.send(pattern(self.n), now)
        return True


@dataclass
class Close(Step):
    def run(self, app, now):
        app.endpoint.close(now)
        return True


@dataclass
class Abort(Step):
    def run(self, app, now):
        app.endpoint.abort(now)
        return True


@dataclass
class Sleep(Step):
    """Do nothing for *seconds*."""

    seconds: float

    def run(self, app, now):
        if app.wake_at is None:
            app.wake_at = now + self.seconds
        if now >= app.wake_at:
            app.wake_at = None
            return True
        return False


@dataclass
class WaitEstablished(Step):
    def run(self, app, now):
        return app.endpoint.state is State.ESTABLISHED or app.endpoint.state.synchronized


@dataclass
class WaitPeerClose(Step):
    """Wait until the peer's FIN has arrived (the application would read end-of-file)."""

    def run(self, app, now):
        return app.endpoint.peer_closed


@dataclass
class WaitBytes(Step):
    """Wait until *n* bytes in all have been received (read or not)."""

    n: int

    def run(self, app, now):
        return app.received_total >= self.n


@dataclass
class WaitState(Step):
    state: State

    def run(self, app, now):
        return app.endpoint.state is self.state


@dataclass
class Read(Step):
    """read() up to *n* bytes (all that is there by default); done even if nothing was there."""

    n: int | None = None

    def run(self, app, now):
        app.read(now, self.n)
        return True


@dataclass
class Echo(Step):
    """Send back every byte received until the peer closes."""

    def run(self, app, now):
        app.read(now)
        if len(app.received) > app.echoed:
            app.endpoint.send(bytes(app.received[app.echoed:]), now)
            app.echoed = len(app.received)
        return app.endpoint.peer_closed and app.endpoint.readable() == 0


def pattern(n):
    """*n* bytes of b"0123456789..." so that a reader can see where a segment starts."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be an integer >= 0, got {n!r}")
    return (b"0123456789" * (n // 10 + 1))[:n]


class App:
    """Runs a script against one endpoint and collects what the application read."""

    def __init__(self, endpoint, script, peer_port, auto_read=True):
        for i, step in enumerate(script):
            if not isinstance(step, Step):
                raise ValueError(f"script[{i}] must be a tcplab.apps step (Connect, Send, Close, …), got {step!r}")
        self.endpoint = endpoint
        self.script = list(script)
        self.peer_port = peer_port
        self.auto_read = auto_read
        self.position = 0
        self.wake_at = None
        self.received = bytearray()
        self.echoed = 0

    @property
    def received_total(self):
        return len(self.received) + self.endpoint.readable()

    @property
    def done(self):
        return self.position >= len(self.script)

    def read(self, now, n=None):
        data = self.endpoint.read(n, now)
        self.received += data
        return data

    def advance(self, now):
        """Run steps until one has to wait; with auto_read, read whatever has arrived first."""
        if self.auto_read and self.endpoint.readable():
            self.read(now)
        while not self.done:
            if not self.script[self.position].run(self, now):
                return
            self.position += 1
            if self.auto_read and self.endpoint.readable():
                self.read(now)
