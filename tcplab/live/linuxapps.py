"""The Linux side of a kernel run: real sockets inside the namespace, a server and a client, and `ss`.

Each application is a function ``app(call)`` that `tcplab.live.netns.Namespace.start`
runs in a thread inside the namespace; it reports each socket call it makes with
``call("accept()")`` so the Trace shows it.  Both play the loopback captures'
conversation (`tcplab.live.capture.REQUEST` and `REPLY`).
"""

import errno
import re
import socket

from ..analysis.comparison import LINUX
from ..core.states import State
from .capture import REPLY, REQUEST
from .netns import LINUX_IP, TCPLAB_IP
from .sockio import recv_exactly, recv_until_eof

SOCKET_TIMEOUT = 5.0


def linux_server(ns, listener, closes_first, close_delay):
    """A kernel server: accept, read the request, send the reply, then close (first, or after EOF)."""
    def app(call):
        conn = ns.adopt(listener.accept()[0])
        call("accept()")
        with conn:
            conn.settimeout(SOCKET_TIMEOUT)
            recv_exactly(conn, len(REQUEST))
            conn.sendall(REPLY)
            call(f"send({len(REPLY)} bytes)")
            if not closes_first:
                recv_until_eof(conn)
                call("read() = EOF")
            ns.sleep(close_delay)
            call("close()")
    return app


def linux_client(ns, sock, server_port, closes_first, close_delay):
    """A kernel client: connect to tcplab, send the request, read the reply, then close (first, or after EOF)."""
    def app(call):
        call(f"connect({server_port})")
        sock.connect((TCPLAB_IP, server_port))
        sock.sendall(REQUEST)
        call(f"send({len(REQUEST)} bytes)")
        recv_exactly(sock, len(REPLY))
        if not closes_first:
            recv_until_eof(sock)
            call("read() = EOF")
        ns.sleep(close_delay)
        call("close()")
        sock.close()
    return app


def linux_keepalive_client(ns, sock, server_port, idle, interval, probes):
    """A kernel client with keep-alive on (TCP_KEEPIDLE/INTVL/CNT): connect, then wait in recv() until it fails."""
    def app(call):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for option, value in ((socket.TCP_KEEPIDLE, idle), (socket.TCP_KEEPINTVL, interval),
                              (socket.TCP_KEEPCNT, probes)):
            sock.setsockopt(socket.IPPROTO_TCP, option, value)
        call(f"connect({server_port}) with SO_KEEPALIVE, {idle} s / {interval} s / {probes} probes")
        sock.connect((TCPLAB_IP, server_port))
        sock.settimeout(idle + (probes + 2) * interval)
        try:
            sock.recv(1)
            call("recv() returned")
        except OSError as error:
            call(f"recv() failed: {errno.errorcode.get(error.errno, error.errno)}")
        sock.close()
    return app


def listener(ns, port):
    """A kernel socket listening on Linux's *port* in the namespace."""
    sock = bound_socket(ns, port)
    sock.listen(4)
    return sock


def bound_socket(ns, port):
    """A kernel TCP socket in the namespace, bound to Linux's address and *port*."""
    sock = ns.socket()
    sock.settimeout(SOCKET_TIMEOUT)
    sock.bind((LINUX_IP, port))
    return sock


def time_wait_from_ss(ns, trace):
    """Linux's TIME-WAIT length, read from `ss` (remaining time + time spent so far), if Linux is in it."""
    entered = [e.time for e in trace.state_changes(LINUX) if e.state is State.TIME_WAIT]
    if not entered:
        return {}
    output = ns.execute("ss", "-tanoH", "state", "time-wait")
    match = re.search(r"timewait,(\d+(?:\.\d+)?)(ms|sec|min)", output)
    if not match:
        return {}
    remaining = float(match.group(1)) * {"ms": 0.001, "sec": 1.0, "min": 60.0}[match.group(2)]
    elapsed = trace.events[-1].time - entered[0]
    return {"time_wait": round(remaining + elapsed, 1), "time_wait_source": f"ss: {match.group(0)}"}
