"""The errors an endpoint reports.  All derive from TcpError, a ValueError's sibling."""


class TcpError(Exception):
    """Base class of every error tcplab raises on purpose."""


class InvalidCall(TcpError, ValueError):
    """A user call that the current state does not allow (RFC 9293 §3.10: "error: …")."""


class ConnectionReset(TcpError):
    """The peer reset the connection (an acceptable RST arrived)."""


class ConnectionRefused(TcpError):
    """The peer refused the connection (RST in reply to our SYN)."""


class ConnectionTimedOut(TcpError):
    """A segment was retransmitted the maximum number of times without being acknowledged."""
