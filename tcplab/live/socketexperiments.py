"""The experiments on real Linux sockets: each uses only the sockets API and returns what the application saw.

Each returns a dict: return values, errno names, durations rounded to what is
reproducible, socket states read from /proc/net/tcp.  `EXPERIMENTS` names them
with the sysctls each needs; `tcplab.live.linuxsockets` runs them in a private
network namespace and keeps their recorded results.
"""

import contextlib
import errno
import fcntl
import os
import select
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

from ..core.validation import check_ip, check_number

LOOPBACK = "127.0.0.1"
TIMEOUT = 5.0
_TUNSETIFF, _IFF_TUN, _IFF_NO_PI = 0x400454CA, 0x0001, 0x1000
#: /proc/net/tcp state codes (include/net/tcp_states.h)
PROC_STATES = {1: "ESTABLISHED", 2: "SYN-SENT", 3: "SYN-RECEIVED", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2",
               6: "TIME-WAIT", 7: "CLOSED", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING"}


# ----------------------------------------------------------------- helpers
def _socket(reuse=False):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT)
    if reuse:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def _listener(backlog=8, reuse=False, address=(LOOPBACK, 0)):
    sock = _socket(reuse)
    sock.bind(address)
    sock.listen(backlog)
    return sock


def _accept(listener):
    """The next connection of *listener*, with the same timeout as every socket here."""
    sock, _ = listener.accept()
    sock.settimeout(TIMEOUT)
    return sock


def _errno_name(error):
    return errno.errorcode.get(error.errno, str(error.errno))


def _linger(sock, seconds):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, seconds))


def proc_states(port, own="client", peer="server"):
    """The states of the sockets in /proc/net/tcp whose local or remote port is *port*, named *own* and *peer*."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state = fields[1], fields[2], int(fields[3], 16)
        ports = int(local.split(":")[1], 16), int(remote.split(":")[1], 16)
        if port in ports:
            found.append(f"{own if ports[0] == port else peer} {PROC_STATES[state]}")
    return sorted(found)


def _wait_for_state(port, wanted, timeout=2.0):
    return _wait_until(lambda: any(s.endswith(wanted) for s in proc_states(port)), timeout)


def _recv_outcome(sock):
    """What one recv() returns: the bytes, "EOF", or the errno name."""
    try:
        data = sock.recv(65536)
    except OSError as error:
        return _errno_name(error)
    return data.decode() if data else "EOF"


def _sysctl(key):
    path = Path("/proc/sys", *key.split("."))
    return " ".join(path.read_text().split()) if path.exists() else "(not in this kernel)"


def _counter(name):
    """A counter of this namespace's TCP, e.g. "Tcp.OutRsts" (/proc/net/snmp) or "TcpExt.ListenOverflows" (netstat)."""
    group, field = name.split(".")
    for table in ("/proc/net/snmp", "/proc/net/netstat"):
        lines = Path(table).read_text().splitlines()
        for names, values in zip(lines[::2], lines[1::2]):
            if names.startswith(group + ":"):
                names, values = names.split(), values.split()
                if field in names:
                    return int(values[names.index(field)])
    raise ValueError(f"name must be a counter of /proc/net/snmp or /proc/net/netstat; got {name!r}")


def _wait_until(condition, timeout=2.0):
    """Poll *condition* every 10 ms until it holds or *timeout* seconds pass; whether it held."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _send_outcome(sock, data):
    """What one send() returns: "returned N", or the errno name."""
    try:
        return f"returned {sock.send(data)}"
    except OSError as error:
        return _errno_name(error)


def _connect_outcome(sock, address):
    """What connect() returns: "connected", or the errno name."""
    try:
        sock.connect(address)
    except OSError as error:
        return _errno_name(error)
    return "connected"


# ----------------------------------------------------------------- the experiments
def time_wait_reuse():
    """Close a connection from the client side, then connect() again from the same port to the same server.

    Both client sockets set SO_REUSEADDR and bind() the same port, so the new connection has
    the old one's 4-tuple while the old one is still in TIME-WAIT.
    """
    server = _listener(reuse=True)
    old = _socket(reuse=True)
    old.bind((LOOPBACK, 0))
    port = old.getsockname()[1]
    old.connect(server.getsockname())
    accepted, _ = server.accept()
    old.close()                                  # the client closes first ...
    accepted.recv(1)
    accepted.close()                             # ... so the client's side ends in TIME-WAIT
    in_time_wait = _wait_for_state(port, "TIME-WAIT")
    states_before = proc_states(port)
    new = _socket(reuse=True)
    new.bind((LOOPBACK, port))
    result = {"states before connect()": states_before, "old connection in TIME-WAIT": in_time_wait,
              "connect() on the same 4-tuple": _connect_outcome(new, server.getsockname())}
    for sock in (new, server):
        sock.close()
    return result


def time_wait_syn():
    """The server closes first and waits in TIME-WAIT; the client connects again from the same port.

    The new SYN carries the old connection's 4-tuple and arrives at the server's TIME-WAIT socket.
    The client sets SO_REUSEADDR and bind()s its old port (free again: its side ended in LAST-ACK).
    """
    with contextlib.ExitStack() as opened:
        server = opened.enter_context(_listener())
        old = opened.enter_context(_socket(reuse=True))
        old.bind((LOOPBACK, 0))
        port = old.getsockname()[1]
        old.connect(server.getsockname())
        _accept(server).close()                  # the server closes first ...
        old.recv(1)
        old.close()                              # ... so the server's side ends in TIME-WAIT
        _wait_until(lambda: proc_states(port) == ["server TIME-WAIT"])
        result = {"states before connect()": proc_states(port)}
        new = opened.enter_context(_socket(reuse=True))
        new.bind((LOOPBACK, port))
        start = time.monotonic()
        result["connect() from the same port"] = _connect_outcome(new, server.getsockname())
        took = time.monotonic() - start
        result["connect() took"] = "under 0.1 s" if took < 0.1 else f"{took:.1f} s"
        if result["connect() from the same port"] == "connected":
            peer = opened.enter_context(_accept(server)).getpeername()
            result["the server's accept()"] = "the client's old port" if peer[1] == port else f"port {peer[1]}"
            result["states after"] = proc_states(port)
    return result


def data_after_close():
    """The client calls close() with nothing unread; the server, in CLOSE-WAIT, then sends 5 bytes.

    For comparison the same with shutdown(SHUT_WR) in place of close(): the client can still read.
    """
    result = {}
    with contextlib.ExitStack() as opened:
        server = opened.enter_context(_listener())
        client = opened.enter_context(_socket())
        client.connect(server.getsockname())
        accepted = opened.enter_context(_accept(server))
        port = client.getsockname()[1]
        client.close()
        _wait_for_state(port, "FIN-WAIT-2")       # the server's ACK of the FIN has arrived
        result["after the client's close()"] = proc_states(port)
        resets = _counter("Tcp.OutRsts")
        result["the server's send() of 5 bytes"] = _send_outcome(accepted, b"hello")
        _wait_until(lambda: not proc_states(port))
        result["after the data arrived"] = proc_states(port)
        result["RSTs sent since (Tcp OutRsts)"] = _counter("Tcp.OutRsts") - resets
        result["the server's next send()"] = _send_outcome(accepted, b"hello")
        result["the server's recv()"] = _recv_outcome(accepted)
    with contextlib.ExitStack() as opened:
        server = opened.enter_context(_listener())
        client = opened.enter_context(_socket())
        client.connect(server.getsockname())
        accepted = opened.enter_context(_accept(server))
        client.shutdown(socket.SHUT_WR)
        accepted.recv(1)                         # end-of-file: the client's FIN
        accepted.sendall(b"hello")
        result["with shutdown(SHUT_WR) in place of close(): the client's recv()"] = _recv_outcome(client)
    return result


def port_exhaustion(address=LOOPBACK, wait=1.5):
    """Connect to one server ip:port and close first, once per ephemeral port; then connect once more.

    Every port of net.ipv4.ip_local_port_range is then in TIME-WAIT with that server ip:port.  The
    next connect() is tried at once, to another port of the same server, and again after *wait*
    seconds (net.ipv4.tcp_tw_reuse may then let it take over a TIME-WAIT 4-tuple).
    """
    address, wait = check_ip("address", address), check_number("wait", wait, 0)
    if address != LOOPBACK:
        subprocess.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"], check=True)
    low, high = map(int, _sysctl("net.ipv4.ip_local_port_range").split())
    result = {"net.ipv4.ip_local_port_range": f"{low}-{high}",
              "net.ipv4.tcp_tw_reuse": _sysctl("net.ipv4.tcp_tw_reuse"), "server": f"{address}:8080"}
    with contextlib.ExitStack() as opened:
        server = opened.enter_context(_listener(address=(address, 8080)))
        other = opened.enter_context(_listener(address=(address, 8081)))
        for _ in range(high - low + 1):
            with _socket() as client:
                client.connect(server.getsockname())
                port = client.getsockname()[1]
                with _accept(server) as accepted:
                    client.close()               # the client closes first
                    accepted.recv(1)
            _wait_for_state(port, "TIME-WAIT")
        result["client ports in TIME-WAIT"] = _ports_in_time_wait(low, high)

        def connect(listener):
            return _connect_outcome(opened.enter_context(_socket()), listener.getsockname())

        result["connect() to the same server ip:port"] = connect(server)
        result["connect() to another port of the same server"] = connect(other)
        time.sleep(wait)
        result[f"connect() to the same server ip:port {wait} s later"] = connect(server)
        result["client ports in TIME-WAIT at the end"] = _ports_in_time_wait(low, high)
    return result


def _ports_in_time_wait(low, high):
    return sum(proc_states(port).count("client TIME-WAIT") for port in range(low, high + 1))


def orphaned_fin_wait_2(limit=10.0):
    """The client calls close(); the server never does.  How long the client's orphaned FIN-WAIT-2 lasts.

    /proc/net/tcp is read every 10 ms until the client's socket is gone (at most *limit* seconds).
    """
    limit = check_number("limit", limit, 0, low_open=True)
    with contextlib.ExitStack() as opened:
        server = opened.enter_context(_listener())
        client = opened.enter_context(_socket())
        client.connect(server.getsockname())
        opened.enter_context(_accept(server))    # the server's socket: never closed until the end
        port = client.getsockname()[1]
        client.close()
        start = time.monotonic()
        _wait_for_state(port, "FIN-WAIT-2")
        result = {"net.ipv4.tcp_fin_timeout": _sysctl("net.ipv4.tcp_fin_timeout"),
                  "after the client's close()": proc_states(port)}
        gone = _wait_until(lambda: not any(s.startswith("client") for s in proc_states(port)), limit)
        took = time.monotonic() - start
        result["the client's socket left FIN-WAIT-2 after"] = f"{took:.1f} s" if gone else f"more than {limit:.0f} s"
        result["then"] = proc_states(port)
    return result


def time_wait_settings():
    """The sysctls that decide how many TIME-WAIT sockets a namespace keeps and when it reuses them."""
    return {key: _sysctl(key) for key in ("net.ipv4.ip_local_port_range", "net.ipv4.tcp_tw_reuse",
                                          "net.ipv4.tcp_tw_reuse_delay", "net.ipv4.tcp_timestamps",
                                          "net.ipv4.tcp_max_tw_buckets", "net.ipv4.tcp_tw_recycle")}


def rst_with_unread_data():
    """The peer sends 5 bytes and aborts (SO_LINGER 0); the reader has not read yet and now reads twice."""
    server = _listener()
    writer = _socket()
    writer.connect(server.getsockname())
    reader, _ = server.accept()
    writer.sendall(b"hello")
    time.sleep(0.1)
    _linger(writer, 0)
    writer.close()                               # abort: RST
    time.sleep(0.1)
    result = {"first recv()": _recv_outcome(reader), "second recv()": _recv_outcome(reader)}
    for sock in (reader, server):
        sock.close()
    return result


def close_with_unread_data():
    """The server receives 5 bytes, does not read them and calls close(); what does the client see?

    For comparison the same with the bytes read first.
    """
    result = {}
    for read_first in (False, True):
        server = _listener()
        client = _socket()
        client.connect(server.getsockname())
        accepted, _ = server.accept()
        client.sendall(b"hello")
        time.sleep(0.1)
        if read_first:
            accepted.recv(5)
        accepted.close()
        time.sleep(0.1)
        label = "read, then close()" if read_first else "close() with 5 bytes unread"
        result[f"server: {label}; client's recv()"] = _recv_outcome(client)
        for sock in (client, server):
            sock.close()
    return result


def linger_timeout(seconds=1):
    """close() with SO_LINGER {on, *seconds*} while the peer's window is closed: close() waits, then returns.

    The receiver sets a small buffer and never reads, so the data cannot all be acknowledged.
    """
    server = _listener()
    sender = _socket()
    sender.connect(server.getsockname())
    receiver, _ = server.accept()
    receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sender.setblocking(False)
    queued = 0
    try:
        while True:
            queued += sender.send(b"x" * 65536)
    except BlockingIOError:
        pass
    sender.setblocking(True)
    _linger(sender, seconds)
    port = sender.getsockname()[1]
    start = time.monotonic()
    try:
        sender.close()
        outcome = "returned 0"
    except OSError as error:
        outcome = _errno_name(error)
    waited = time.monotonic() - start
    result = {"SO_LINGER": f"on, {seconds} s", "close()": outcome,
              "close() blocked for (s)": round(waited, 1),
              "states after close()": proc_states(port, own="sender", peer="receiver")}
    receiver.close()
    server.close()
    return result


def close_wait_leak(wait=1.0):
    """The client closes; the server's application never calls close(): CLOSE-WAIT lasts as long as it does."""
    server = _listener()
    client = _socket()
    client.connect(server.getsockname())
    accepted, _ = server.accept()
    port = client.getsockname()[1]
    client.close()
    time.sleep(wait)
    result = {f"{wait:.0f} s after the client's close()": proc_states(port),
              "the server's recv()": _recv_outcome(accepted)}
    time.sleep(wait)
    result[f"{2 * wait:.0f} s after, the server still not closing"] = proc_states(port)
    accepted.close()
    time.sleep(0.1)
    result["after the server's close()"] = proc_states(port)
    server.close()
    return result


def syn_retransmissions(address="10.9.0.2"):
    """connect() to an address whose SYNs vanish (a dummy interface); when each SYN leaves, and how it ends."""
    tun = os.open("/dev/net/tun", os.O_RDWR)   # a TUN device nobody answers on: every SYN vanishes
    fcntl.ioctl(tun, _TUNSETIFF, struct.pack("16sH", b"blackhole0", _IFF_TUN | _IFF_NO_PI))
    subprocess.run(["ip", "addr", "add", "10.9.0.1/24", "dev", "blackhole0"], check=True)
    subprocess.run(["ip", "link", "set", "blackhole0", "up"], check=True)
    sent, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            if not select.select([tun], [], [], 0.5)[0]:
                continue
            ip = os.read(tun, 65535)
            if ip[0] >> 4 == 4 and ip[9] == 6 and ip[(ip[0] & 15) * 4 + 13] & 0x02:
                sent.append(time.monotonic())

    watcher = threading.Thread(target=watch)
    watcher.start()
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    start = time.monotonic()
    try:
        client.connect((address, 80))
        outcome = "connected"
    except OSError as error:
        outcome = _errno_name(error)
    failed = time.monotonic() - start
    stop.set()
    watcher.join()
    client.close()
    os.close(tun)
    first = sent[0] if sent else start
    return {"SYNs sent": len(sent), "retransmissions at (s after the first SYN)":
            [round(t - first, 1) for t in sent[1:]],
            "connect()": f"{outcome} after {failed:.0f} s",
            "net.ipv4.tcp_syn_retries": Path("/proc/sys/net/ipv4/tcp_syn_retries").read_text().strip(),
            "net.ipv4.tcp_syn_linear_timeouts": _sysctl("net.ipv4.tcp_syn_linear_timeouts")}


def accept_queue_overflow(backlog=1, clients=4, wait=2.0):
    """A listener with listen(*backlog*) whose application never calls accept(); *clients* connect at once."""
    server = _listener(backlog=backlog)
    overflows = _counter("TcpExt.ListenOverflows")
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(clients)]
    outcomes = [None] * clients

    def connect(i):
        sockets[i].settimeout(wait)
        try:
            sockets[i].connect(server.getsockname())
            outcomes[i] = "connect() returned"
        except OSError as error:
            outcomes[i] = "timed out" if isinstance(error, socket.timeout) else _errno_name(error)

    threads = []
    for i in range(clients):
        threads.append(threading.Thread(target=connect, args=(i,)))
        threads[-1].start()
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    result = {"listen() backlog": backlog, "clients": clients,
              "connect() outcomes": outcomes,
              "TcpExtListenOverflows increased": _counter("TcpExt.ListenOverflows") > overflows}
    for sock in sockets + [server]:
        sock.close()
    return result


def nagle_stall(rounds=20, nodelay=False):
    """write(header); write(body); read(reply), *rounds* times; the median round time in ms.

    The server replies once it has both parts.  Without TCP_NODELAY, Nagle holds the body
    until the header is acknowledged, and the server delays that ACK.
    """
    server = _listener()
    client = _socket()
    client.connect(server.getsockname())
    accepted, _ = server.accept()
    if nodelay:
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def serve():
        for _ in range(rounds):
            got = b""
            while len(got) < 10:
                got += accepted.recv(10 - len(got))
            accepted.sendall(b"ok")

    thread = threading.Thread(target=serve)
    thread.start()
    times = []
    for _ in range(rounds):
        start = time.monotonic()
        client.send(b"HEAD")
        client.send(b"BODY!!")
        got = b""
        while len(got) < 2:
            got += client.recv(2 - len(got))
        times.append(time.monotonic() - start)
    thread.join()
    for sock in (client, accepted, server):
        sock.close()
    times.sort()
    median = times[len(times) // 2] * 1000
    return {"TCP_NODELAY": nodelay, "rounds": rounds,
            "median round (ms)": "under 5" if median < 5 else f"{10 * round(median / 10)} (rounded to 10 ms)"}


def keepalive_settings():
    """Linux's keep-alive defaults (per network namespace) and what a socket gets without asking."""
    sock = _socket()
    result = {key: _sysctl(key) for key in ("net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl",
                                            "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_fin_timeout")}
    result["SO_KEEPALIVE of a new socket"] = sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)
    sock.close()
    return result


EXPERIMENTS = {
    "time-wait-reuse": (time_wait_reuse, {"net.ipv4.tcp_timestamps": "1"}),
    "time-wait-reuse-no-timestamps": (time_wait_reuse, {"net.ipv4.tcp_timestamps": "0"}),
    "time-wait-syn": (time_wait_syn, {"net.ipv4.tcp_timestamps": "1"}),
    "time-wait-syn-no-timestamps": (time_wait_syn, {"net.ipv4.tcp_timestamps": "0"}),
    "time-wait-settings": (time_wait_settings, {}),
    "port-exhaustion": (port_exhaustion, {"net.ipv4.ip_local_port_range": "40000 40003"}),
    "port-exhaustion-not-loopback": (lambda: port_exhaustion("10.1.0.1"),
                                     {"net.ipv4.ip_local_port_range": "40000 40003"}),
    "port-exhaustion-not-loopback-tw-reuse": (lambda: port_exhaustion("10.1.0.1"),
                                              {"net.ipv4.ip_local_port_range": "40000 40003",
                                               "net.ipv4.tcp_tw_reuse": "1"}),
    "data-after-close": (data_after_close, {}),
    "orphaned-fin-wait-2": (orphaned_fin_wait_2, {"net.ipv4.tcp_fin_timeout": "2"}),
    "rst-with-unread-data": (rst_with_unread_data, {}),
    "close-with-unread-data": (close_with_unread_data, {}),
    "linger-timeout": (linger_timeout, {}),
    "close-wait-leak": (close_wait_leak, {}),
    "accept-queue-overflow": (accept_queue_overflow, {}),
    "nagle-stall": (nagle_stall, {}),
    "nagle-stall-nodelay": (lambda: nagle_stall(nodelay=True), {}),
    "syn-retransmissions": (syn_retransmissions, {}),
    "keepalive-settings": (keepalive_settings, {}),
}
