"""Blocking-socket helpers shared by the drivers that talk to real kernel sockets.

Every driver thread that blocks does so on a socket with a timeout or in
`Cancel.sleep`, so that the thread that started it can stop it: `Cancel.set`
ends the sleeps, and `shut` wakes a thread blocked in accept, recv or send on
that socket (closing alone does not, on Linux).
"""

import socket
import threading


class Cancelled(ConnectionAbortedError):
    """Raised in a driver thread whose work was cancelled (an OSError, like the socket errors it ends)."""


class Cancel:
    """A cancellation flag for driver threads."""

    def __init__(self):
        self._event = threading.Event()

    def set(self):
        self._event.set()

    def is_set(self):
        return self._event.is_set()

    def sleep(self, seconds):
        """Sleep *seconds*, or raise Cancelled as soon as the flag is set."""
        if self._event.wait(seconds):
            raise Cancelled("cancelled by the driver")


def shut(sock):
    """Shut *sock* down both ways (waking any thread blocked on it) and close it; never raises."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # not connected, or already closed
    sock.close()


def recv_exactly(sock, n):
    """Read exactly *n* bytes from *sock*, or raise ConnectionError if the peer closes first."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError(f"the peer closed after {len(data)} of {n} bytes")
        data += chunk
    return data


def recv_until_eof(sock):
    """Read and discard until the peer closes its side (recv returns b"")."""
    while sock.recv(4096):
        pass
