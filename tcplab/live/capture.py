"""Watch your own kernel: sniff real TCP conversations on loopback, as the same `Trace` the simulator makes.

    from tcplab.live import capture
    trace = capture.capture_or_recorded("loopback-session")   # live if allowed, else the shipped pcap
    trace = capture.record_loopback(closer="server")          # needs root or CAP_NET_RAW

A capture opens two Python sockets on 127.0.0.1 (a listener on an ephemeral
port and a client), sniffs `lo` with a BPF filter for exactly those two ports,
and turns every packet into a SEND and a DELIVER event at the same time
(loopback is instant), with the states inferred from the segments
(`tcplab.io.pcap.trace_from_packets`).  The shipped recordings of these
conversations are in `tcplab.io.recordings`.
"""

import logging
import socket
import threading
import time

from ..core.validation import check_bytes, check_choice, check_int, check_number
from ..io import recordings
from ..io.pcap import deduplicate, load_scapy_layers, trace_from_packets
from .sockio import Cancel, recv_exactly, recv_until_eof, shut

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
TIMEOUT = 5.0          # seconds any one socket operation may take
MAX_TIMEOUT = 60.0     # the largest timeout a caller may ask for
MAX_CLOSE_DELAY = 5.0  # seconds; an application waits at most this long before it closes
SNIFF_GRACE = 0.1      # seconds to let the last packets reach the sniffer
REQUEST = b"GET /tcplab HTTP/1.0\r\n\r\n"
REPLY = b"HTTP/1.0 200 OK\r\n\r\nhello from the kernel\n"


# ----------------------------------------------------------------- permissions
def can_capture():
    """True if this process may sniff packets (root or CAP_NET_RAW)."""
    try:
        probe = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    except (PermissionError, OSError, AttributeError):
        return False
    probe.close()
    return True


# ----------------------------------------------------------------- live capture
def sniff_conversation(server, client, timeout=TIMEOUT, listener_options=(), client_options=()):
    """Sniff `lo` while two sockets on 127.0.0.1 talk; return the packets (deduplicated).

    A listener and a client socket are bound to ephemeral ports (so that the BPF
    filter names both before the SYN) and configured with *listener_options* and
    *client_options*, ``(level, option, value)`` triples for setsockopt.  The
    client connects and runs ``client(sock, cancel)`` here, then closes;
    ``server(conn, cancel)`` runs in a thread on the accepted connection.  Both
    must block only on their socket (each operation times out after *timeout*
    seconds) or in ``cancel.sleep``.  Before this returns, also after an error or
    a timeout, every socket is shut, the server thread and the sniffer are stopped
    and joined: nothing keeps running.
    """
    timeout = check_number("timeout", timeout, 0, MAX_TIMEOUT, low_open=True)
    load_scapy_layers()
    from scapy.sendrecv import AsyncSniffer

    cancel, sockets, errors, sniffer = Cancel(), [], [], None

    def serve(listener):
        try:
            conn, _ = listener.accept()
            sockets.append(conn)
            with conn:
                conn.settimeout(timeout)
                server(conn, cancel)
        except Exception as error:  # handed to the capturing thread below
            if not cancel.is_set():
                errors.append(error)

    thread = None
    try:
        listener = _loopback_socket(sockets, listener_options, timeout)
        listener.listen(1)
        sock = _loopback_socket(sockets, client_options, timeout)
        ports = (listener.getsockname()[1], sock.getsockname()[1])
        started = threading.Event()
        sniffer = AsyncSniffer(iface="lo", filter=f"tcp and port {ports[0]} and port {ports[1]}",
                               store=True, started_callback=started.set)
        sniffer.start()
        if not started.wait(timeout):
            raise TimeoutError(f"the sniffer on lo did not start within {timeout} s")
        thread = threading.Thread(target=serve, args=(listener,), name="tcplab-loopback-server", daemon=True)
        thread.start()
        sock.connect(listener.getsockname())
        client(sock, cancel)
        sock.close()
        thread.join(timeout)
        if thread.is_alive() or errors:
            raise TimeoutError(f"the loopback server did not finish: {errors[0] if errors else 'timed out'}")
        time.sleep(SNIFF_GRACE)
    finally:
        cancel.set()
        for each in sockets:
            shut(each)
        if thread is not None:
            thread.join(timeout)
        packets = _stop(sniffer, timeout) if sniffer is not None else []
    return deduplicate(packets)


def capture_loopback(closer="client", close_delay=0.2, request=REQUEST, reply=REPLY, timeout=TIMEOUT):
    """Sniff one real TCP conversation between two sockets on 127.0.0.1; return its packets (deduplicated).

    The client connects, sends *request*, reads *reply* and the side named by *closer*
    ("client" or "server") closes first; the other closes *close_delay* seconds after
    it reads end-of-file.
    """
    check_choice("closer", closer, ("client", "server"))
    close_delay = check_number("close_delay", close_delay, 0, MAX_CLOSE_DELAY)
    request, reply = check_bytes("request", request), check_bytes("reply", reply)

    def server(conn, cancel):
        recv_exactly(conn, len(request))
        conn.sendall(reply)
        if closer == "client":
            recv_until_eof(conn)
            cancel.sleep(close_delay)
        else:
            cancel.sleep(0.05)

    def client(sock, cancel):
        sock.sendall(request)
        recv_exactly(sock, len(reply))
        if closer == "server":
            recv_until_eof(sock)
            cancel.sleep(close_delay)

    return sniff_conversation(server, client, timeout)


def record_loopback(closer="client", close_delay=0.2, request=REQUEST, reply=REPLY, timeout=TIMEOUT, title=None):
    """A live loopback conversation (see `capture_loopback`) as a Trace with inferred states."""
    packets = capture_loopback(closer, close_delay, request, reply, timeout)
    return trace_from_packets(packets, title or f"Loopback capture ({closer} closes first)")


def capture_zero_window(nbytes=20000, buffer=4096, pause=1.8, timeout=TIMEOUT):
    """Sniff a loopback connection whose receiver does not read for *pause* seconds; return its packets.

    The listener's receive buffer and the client's send buffer are set to *buffer*
    bytes, so the receiver's window closes after a few kilobytes and the sender
    probes it.  The packets are deduplicated; see `sniff_conversation`.
    """
    nbytes = check_int("nbytes", nbytes, 1, 10_000_000)
    buffer = check_int("buffer", buffer, 1024, 1 << 20)
    pause = check_number("pause", pause, 0, MAX_CLOSE_DELAY)

    def slow_reader(conn, cancel):
        cancel.sleep(pause)
        while conn.recv(65536):
            pass

    def bulk_sender(sock, cancel):
        sock.sendall(b"x" * nbytes)

    return sniff_conversation(slow_reader, bulk_sender, timeout,
                              listener_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, buffer)],
                              client_options=[(socket.SOL_SOCKET, socket.SO_SNDBUF, buffer)])


def _loopback_socket(sockets, options, timeout):
    """A TCP socket bound to an ephemeral port on 127.0.0.1, added to *sockets*."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sockets.append(sock)
    for level, option, value in options:
        sock.setsockopt(level, option, value)
    sock.settimeout(timeout)
    sock.bind((LOOPBACK, 0))
    return sock


def _stop(sniffer, timeout):
    """Stop *sniffer* and join its thread (at most *timeout* seconds); return the packets it stored.

    It is stopped even if it never reported that it started: the stop is repeated
    until its thread ends, so a sniffer that starts late stops too.
    """
    deadline = time.monotonic() + timeout
    thread = getattr(sniffer, "thread", None)
    while thread is not None and thread.is_alive() and time.monotonic() < deadline:
        if getattr(sniffer, "continue_sniff", False):
            sniffer.stop_cb()
        thread.join(0.05)
    if thread is not None and thread.is_alive():
        raise TimeoutError(f"the sniffer on lo did not stop within {timeout} s")
    return list(sniffer.results or [])


# ----------------------------------------------------------------- live, or the recording
def capture_or_recorded(name="loopback-session", directory=None, live=None):
    """A live capture of *name* (see `tcplab.io.recordings`) when this process may sniff, else the recorded one.

    *live*: None decides by `can_capture()` (and warns when it cannot); False always
    loads the recording.  A live capture that fails falls back to the recording, with a warning.
    """
    path = recordings.capture_path(name, directory)
    if live is None:
        live = can_capture()
        if not live:
            log.warning("Live capture needs root or CAP_NET_RAW, so this shows the recorded capture %s instead.",
                        path)
    if live:
        title = f"{recordings.DESCRIPTIONS[name]} (live)"
        try:
            if name == recordings.ZERO_WINDOW:
                return trace_from_packets(capture_zero_window(), title)
            return record_loopback(title=title, **recordings.LOOPBACK[name])
        except Exception as error:  # any failure of a live capture falls back to the recording
            log.warning("Live capture failed (%s), so this shows the recorded capture %s instead.", error, path)
    return recordings.load_capture(name, directory)


def record_all(directory=recordings.DIRECTORY):
    """Record every loopback capture of `tcplab.io.recordings.LOOPBACK` as a pcap in *directory*; returns the paths."""
    from scapy.utils import wrpcap
    directory = recordings.writable_directory("directory", directory)
    written = []
    for name, options in recordings.LOOPBACK.items():
        path = recordings.capture_path(name, directory)
        wrpcap(str(path), capture_loopback(**options))
        written.append(path)
    return written
