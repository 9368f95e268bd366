"""Small application scripts that drive an endpoint inside the simulator.

A script is a list of steps run in order.  Each step either acts at once
(`Send`, `Close`) or waits until something is true (`WaitEstablished`,
`WaitPeerClose`, `Sleep`).  For example, a client that sends 3000 bytes and
closes, and a server that waits for the client's FIN before closing:

    client = [Connect(), WaitEstablished(), SendBytes(3000), Close()]
    server = [Listen(), WaitPeerClose(), Close()]
"""

from dataclasses import dataclass

from ..core.endpoint import Endpoint
from ..core.errors import TcpError
from ..core.states import State
from ..core.validation import check_bool, check_bytes, check_instance, check_int, check_number

#: The most bytes one SendBytes step (or `pattern`) produces (10 MB: about 7,000 full-sized segments).
MAX_BYTES = 10_000_000


class ScriptStep:
    """One step of an application script.  ``perform(app, now)`` returns True when the step is done."""

    def perform(self, app, now):
        raise NotImplementedError

    def __str__(self):
        return type(self).__name__


@dataclass
class Listen(ScriptStep):
    def perform(self, app, now):
        app.endpoint.listen(now)
        return True


@dataclass
class Connect(ScriptStep):
    """connect() to *port* (the peer's port by default)."""

    port: int | None = None

    def __post_init__(self):
        if self.port is not None:
            check_int("port", self.port, 1, 65535)

    def perform(self, app, now):
        app.endpoint.connect(self.port or app.peer_port, now)
        return True


@dataclass
class Send(ScriptStep):
    data: bytes

    def __post_init__(self):
        self.data = check_bytes("data", self.data)

    def perform(self, app, now):
        app.endpoint.send(self.data, now)
        return True


@dataclass
class SendBytes(ScriptStep):
    """send() *n* bytes of a recognisable pattern (b"0123456789" repeated)."""

    n: int

    def __post_init__(self):
        check_int("n", self.n, 0, MAX_BYTES)

    def perform(self, app, now):
        app.endpoint.send(pattern(self.n), now)
        return True


@dataclass
class Close(ScriptStep):
    def perform(self, app, now):
        app.endpoint.close(now)
        return True


@dataclass
class Abort(ScriptStep):
    def perform(self, app, now):
        app.endpoint.abort(now)
        return True


@dataclass
class Sleep(ScriptStep):
    """Do nothing for *seconds*."""

    seconds: float

    def __post_init__(self):
        check_number("seconds", self.seconds, 0)

    def perform(self, app, now):
        if app.wake_at is None:
            app.wake_at = now + self.seconds
        if now >= app.wake_at:
            app.wake_at = None
            return True
        return False


@dataclass
class WaitEstablished(ScriptStep):
    def perform(self, app, now):
        return app.endpoint.state is State.ESTABLISHED or app.endpoint.state.synchronized


@dataclass
class WaitPeerClose(ScriptStep):
    """Wait until the peer's FIN has arrived (the application would read end-of-file)."""

    def perform(self, app, now):
        return app.endpoint.peer_closed


@dataclass
class WaitBytes(ScriptStep):
    """Wait until *n* bytes in all have been received (read or not)."""

    n: int

    def __post_init__(self):
        check_int("n", self.n, 0)

    def perform(self, app, now):
        return app.received_total >= self.n


@dataclass
class Read(ScriptStep):
    """read() up to *n* bytes (all that is there by default); done even if nothing was there."""

    n: int | None = None

    def __post_init__(self):
        if self.n is not None:
            check_int("n", self.n, 0)

    def perform(self, app, now):
        app.read(now, self.n)
        return True


@dataclass
class Echo(ScriptStep):
    """Send back every byte received until the peer closes."""

    def perform(self, app, now):
        app.read(now)
        if len(app.received) > app.echoed:
            app.endpoint.send(bytes(app.received[app.echoed:]), now)
            app.echoed = len(app.received)
        return app.endpoint.peer_closed and app.endpoint.readable() == 0


def check_script(name, script):
    """*script* as a list of steps; anything else raises an error naming the offending item."""
    if isinstance(script, (str, bytes)) or not hasattr(script, "__iter__"):
        check_instance(name, script, (list, tuple), "a list of tcplab.sim.apps steps")
    script = list(script)
    for i, step in enumerate(script):
        check_instance(f"{name}[{i}]", step, ScriptStep,
                       "a tcplab.sim.apps step (Connect(), SendBytes(100), Close(), …)")
    return script


def pattern(n):
    """*n* bytes of b"0123456789..." so that a reader can see where a segment starts."""
    check_int("n", n, 0, MAX_BYTES)
    return (b"0123456789" * (n // 10 + 1))[:n]


class App:
    """Runs a script against one endpoint and collects what the application read."""

    def __init__(self, endpoint, script, peer_port, auto_read=True):
        self.endpoint = check_instance("endpoint", endpoint, Endpoint)
        self.script = check_script("script", script)
        if peer_port is not None:
            check_int("peer_port", peer_port, 1, 65535)
        self.peer_port = peer_port
        self.auto_read = check_bool("auto_read", auto_read)
        self.position = 0
        self.wake_at = None
        self.received = bytearray()
        self.echoed = 0
        self.error = None  # the TcpError a read() raised, if the connection failed

    @property
    def received_total(self):
        return len(self.received) + self.endpoint.readable()

    @property
    def done(self):
        return self.position >= len(self.script)

    def read(self, now, n=None):
        """read() from the endpoint; if the connection failed, the application sees the error and stops."""
        try:
            data = self.endpoint.read(n, now)
        except TcpError as error:
            self.error = error
            self.position = len(self.script)
            return b""
        self.received += data
        return data

    def advance(self, now):
        """Run steps until one has to wait; with auto_read, read whatever has arrived first."""
        if self.auto_read and self.endpoint.readable():
            self.read(now)
        while not self.done:
            if not self.script[self.position].perform(self, now):
                return
            self.position += 1
            if self.auto_read and self.endpoint.readable():
                self.read(now)
