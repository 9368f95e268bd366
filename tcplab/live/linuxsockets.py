"""Small experiments on real Linux sockets, each run in a private network namespace, with recorded results.

    from tcplab.live import linuxsockets as ls
    ls.result("time-wait-reuse")             # the recorded run shipped in tcplab/recordings/linux-sockets.json
    ls.result("time-wait-reuse", live=True)  # run it now (root: it needs its own namespace)

Each experiment is a function of this module that uses only the sockets API and
returns a dict of what the application saw (return values, errno names,
durations rounded to what is reproducible, socket states read from
/proc/net/tcp).  `run` starts it with ``unshare --net`` so that its sysctls
(timestamps on or off) change nothing outside; ``python -m tcplab.live.linuxsockets
--record`` re-records them all.
"""

import argparse
import errno
import fcntl
import json
import os
import platform
import select
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from .capture import CAPTURES

RECORDING = CAPTURES / "linux-sockets.json"
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


def _listener(backlog=8, reuse=False):
    sock = _socket(reuse)
    sock.bind((LOOPBACK, 0))
    sock.listen(backlog)
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
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(s.endswith(wanted) for s in proc_states(port)):
            return True
        time.sleep(0.01)
    return False


def _recv_outcome(sock):
    """What one recv() returns: the bytes, "EOF", or the errno name."""
    try:
        data = sock.recv(65536)
    except OSError as error:
        return _errno_name(error)
    return data.decode() if data else "EOF"


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
    try:
        new.connect(server.getsockname())
        outcome = "connected"
    except OSError as error:
        outcome = _errno_name(error)
    result = {"states before connect()": states_before, "old connection in TIME-WAIT": in_time_wait,
              "connect() on the same 4-tuple": outcome}
    for sock in (new, server):
        sock.close()
    return result


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


def _sysctl(key):
    path = Path("/proc/sys", *key.split("."))
    return path.read_text().strip() if path.exists() else "(not in this kernel)"


def _listen_overflows():
    lines = Path("/proc/net/netstat").read_text().splitlines()
    names, values = lines[0].split(), lines[1].split()
    return int(values[names.index("ListenOverflows")])


def accept_queue_overflow(backlog=1, clients=4, wait=2.0):
    """A listener with listen(*backlog*) whose application never calls accept(); *clients* connect at once."""
    server = _listener(backlog=backlog)
    overflows = _listen_overflows()
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
              "TcpExtListenOverflows increased": _listen_overflows() > overflows}
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


# ----------------------------------------------------------------- running and recording
def _in_namespace(name):
    """Run experiment *name* here, in a fresh namespace made by `run_live` (lo down until we bring it up)."""
    function, sysctls = EXPERIMENTS[name]
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for key, value in sysctls.items():
        Path("/proc/sys", *key.split(".")).write_text(value)
    return function()


def run_live(name):
    """Run experiment *name* now in a private network namespace (needs root); returns its result dict."""
    if name not in EXPERIMENTS:
        raise ValueError(f"name must be one of {', '.join(EXPERIMENTS)}; got {name!r}")
    if os.geteuid() != 0:
        raise PermissionError("a live run needs root (it creates a network namespace)")
    done = subprocess.run(["unshare", "--net", "--", sys.executable, "-m", "tcplab.live.linuxsockets", "--in-namespace",
                           name], capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout)


def recorded(path=RECORDING):
    """Every recorded result: {"kernel": release, "results": {name: dict}}."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path must be the recorded results, got {str(path)!r} "
                                "(record them with 'python -m tcplab.live.linuxsockets --record', as root)")
    return json.loads(path.read_text())


def result(name, live=False, path=RECORDING):
    """Experiment *name*'s result: the recorded one, or (``live=True``) a fresh run."""
    if name not in EXPERIMENTS:
        raise ValueError(f"name must be one of {', '.join(EXPERIMENTS)}; got {name!r}")
    return run_live(name) if live else recorded(path)["results"][name]


def show(name, live=False, path=RECORDING):
    """Print experiment *name*'s question and result, one line per observation."""
    function, sysctls = EXPERIMENTS[name]
    source = "live run" if live else f"recorded on Linux {recorded(path)['kernel']}"
    settings = ", ".join(f"{k}={v}" for k, v in sysctls.items()) or "default sysctls"
    print(f"{name} ({source}; {settings})")
    for key, value in result(name, live, path).items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value) or "(no socket)"
        print(f"  {key}: {value}")


def record(path=RECORDING):
    """Run every experiment and write the results as JSON; returns the path."""
    results = {name: run_live(name) for name in EXPERIMENTS}
    Path(path).write_text(json.dumps({"kernel": platform.release(), "results": results}, indent=1) + "\n")
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tcplab.live.linuxsockets", description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help=f"re-record {RECORDING} (root)")
    parser.add_argument("--in-namespace", metavar="NAME", choices=list(EXPERIMENTS), help=argparse.SUPPRESS)
    parser.add_argument("--show", metavar="NAME", choices=list(EXPERIMENTS), help="print a recorded result")
    args = parser.parse_args(argv)
    if args.in_namespace:
        print(json.dumps(_in_namespace(args.in_namespace)))
    elif args.record:
        print(f"wrote {record()}")
    elif args.show:
        show(args.show)
    else:
        parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
