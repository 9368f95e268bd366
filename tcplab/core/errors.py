"""The errors tcplab raises.  All derive from TcpError.

- `InvalidArgument` (also a ValueError): an argument outside its allowed values.
- `ArgumentTypeError` (also a TypeError and a ValueError): an argument of the wrong type.
- `InvalidCall` (also a ValueError): a user call the current state does not allow.
- `ConnectionReset`, `ConnectionRefused`, `ConnectionTimedOut`: what happened to a connection.
"""


class TcpError(Exception):
    """Base class of every error tcplab raises on purpose."""


class InvalidArgument(TcpError, ValueError):
    """An argument outside its allowed values; the message names it and what is allowed."""


class ArgumentTypeError(InvalidArgument, TypeError):
    """An argument of the wrong type (a ValueError too, so one ``except ValueError`` catches all bad input)."""


class InvalidCall(TcpError, ValueError):
    """A user call that the current state does not allow (RFC 9293 §3.10: "error: …")."""


class ConnectionReset(TcpError):
    """The peer reset the connection (an acceptable RST arrived)."""


class ConnectionRefused(TcpError):
    """The peer refused the connection (RST in reply to our SYN).

    RFC 9293 §3.10.7.3 signals this as "error: connection reset"; the name is the sockets API's
    (ECONNREFUSED), which is what a reader sees from Linux."""


class ConnectionTimedOut(TcpError):
    """A segment was retransmitted the maximum number of times without being acknowledged."""
