"""Watch your own kernel: real TCP conversations on loopback, as the same `Trace` the simulator makes.

    from tcplab.live import capture
    trace = capture.capture_or_recorded("loopback-session")   # live if allowed, else the shipped pcap
    trace = capture.record_loopback(closer="server")          # needs root or CAP_NET_RAW
    trace = capture.trace_from_pcap("some.pcap")

A capture opens two Python sockets on 127.0.0.1 (a listener on an ephemeral
port and a client), sniffs `lo` with a BPF filter for exactly those two ports,
and turns every packet into a SEND and a DELIVER event at the same time
(loopback is instant).  Nobody recorded the hosts' states, so `infer_states`
reconstructs them from the segments, like an observer on the wire; those STATE
events carry the detail "inferred from segments".

The recordings ship inside the package (``tcplab/recordings``, found with
`importlib.resources`, so an installed wheel has them too);
``python -m tcplab.live.capture --record`` re-records them there.
"""

import argparse
import logging
import os
import socket
import sys
import threading
import time
from importlib import resources
from pathlib import Path

from ..analysis.inference import infer_states, mark_retransmissions
from ..core.errors import InvalidArgument
from ..core.segment import Flags
from ..core.trace import Event, Host, Kind, Trace
from ..core.validation import check_bytes, check_choice, check_number
from ..io.pcap import check_framing
from ..io.scapy_convert import from_scapy
from .sockio import Cancel, recv_exactly, recv_until_eof, shut

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
CAPTURES = Path(str(resources.files("tcplab").joinpath("recordings")))  # the shipped recordings
TIMEOUT = 5.0          # seconds any one socket operation may take
MAX_TIMEOUT = 60.0     # the largest timeout a caller may ask for
MAX_CLOSE_DELAY = 5.0  # seconds; an application waits at most this long before it closes
SNIFF_GRACE = 0.1      # seconds to let the last packets reach the sniffer

#: The captures shipped with the book: name -> options of `record_loopback`.
RECORDINGS = {
    "loopback-session": dict(closer="client", close_delay=0.2),
    "loopback-three-segment-close": dict(closer="client", close_delay=0.0),
    "loopback-server-closes-first": dict(closer="server", close_delay=0.2),
}
DESCRIPTIONS = {
    "loopback-session": "Handshake, a request and a reply, the client closes; the server closes 0.2 s later.",
    "loopback-three-segment-close": "As loopback-session, but the server closes at once: its FIN carries "
                                    "the delayed ACK, so the close takes three segments.",
    "loopback-server-closes-first": "The server replies and closes first; the server ends in TIME-WAIT.",
}
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
    _load_scapy_layers()
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


def _load_scapy_layers():
    """Register Ethernet and IPv4 with scapy, so that sniffed frames and pcap files are decoded."""
    import scapy.layers.inet  # noqa: F401
    import scapy.layers.l2  # noqa: F401


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


# ----------------------------------------------------------------- packets -> Trace
def deduplicate(packets, window=0.01):
    """Drop the second copy of each packet that `lo` shows twice (once going out, once coming in).

    A copy is the same IP datagram, byte for byte, within *window* seconds; a real
    retransmission comes at least 200 ms later and is kept.
    """
    from scapy.layers.inet import IP
    kept, pending = [], {}
    for packet in packets:
        if IP not in packet:
            continue
        key = bytes(packet[IP])
        first = pending.pop(key, None)
        if first is not None and float(packet.time) - first <= window:
            continue
        pending[key] = float(packet.time)
        kept.append(packet)
    return kept


def trace_from_packets(packets, title=""):
    """A Trace from scapy packets of one TCP conversation (SEND and DELIVER at each packet's time).

    The host that sent the first SYN is "client", the other "server"; packets of
    other conversations are ignored.  States are inferred from the segments.  An
    option no TCP may send (an MSS of 0, say) is ignored, and each such repair is
    listed in ``trace.measurements["warnings"]`` ("packet 5: option ignored: ...").
    """
    from scapy.layers.inet import IP, TCP

    packets = [p for p in packets if IP in p and TCP in p]
    if not packets:
        raise ValueError("packets must contain at least one IPv4 TCP packet, got none")
    client, server = _roles(packets)
    base = float(packets[0].time)
    events, warnings = [], []
    for number, packet in enumerate((p for p in packets if _endpoints(p) in ((client, server), (server, client))),
                                    start=1):
        sender = "client" if _endpoints(packet)[0] == client else "server"
        receiver = "server" if sender == "client" else "client"
        when = max(0.0, float(packet.time) - base)
        if events and when < events[-1].time:
            when = events[-1].time  # a capture clock can step back by microseconds
        notes = []
        segment = from_scapy(packet, notes)
        warnings += [f"packet {number}: {note}" for note in notes]
        events.append(Event(when, sender, Kind.SEND, segment=segment, packet=number))
        events.append(Event(when, receiver, Kind.DELIVER, segment=segment, packet=number))
    hosts = [Host("client", *client), Host("server", *server)]
    trace = infer_states(mark_retransmissions(Trace(events, hosts, title)))
    for warning in warnings:
        log.warning("%s: %s", title or "capture", warning)
    if warnings:
        trace.measurements["warnings"] = warnings
    return trace


def _endpoints(packet):
    from scapy.layers.inet import IP, TCP
    return (packet[IP].src, packet[TCP].sport), (packet[IP].dst, packet[TCP].dport)


def _roles(packets):
    """(client, server) as (ip, port) pairs: the first SYN's sender is the client."""
    from scapy.layers.inet import TCP
    for packet in packets:
        if int(packet[TCP].flags) & (Flags.SYN | Flags.ACK) == Flags.SYN:
            return _endpoints(packet)
    return _endpoints(packets[0])


def trace_from_pcap(path, title=None):
    """Read a pcap (or pcapng) file of one TCP conversation into a Trace (see `trace_from_packets`).

    Every error names the file: a missing file, one cut short inside a record
    (with the byte offset), one scapy cannot decode, one without a TCP conversation.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path must be an existing pcap file, got {str(path)!r}")
    check_framing(path)
    _load_scapy_layers()
    from scapy.utils import rdpcap
    try:
        packets = rdpcap(str(path))
    except Exception as error:  # scapy's own exceptions (Scapy_Exception, struct.error, ...) name no file
        raise InvalidArgument(f"path must be a pcap file scapy can read, got {str(path)!r}: "
                              f"{type(error).__name__}: {error}") from error
    try:
        return trace_from_packets(deduplicate(packets), title or path.stem)
    except ValueError as error:
        raise InvalidArgument(f"path must hold one TCP conversation, got {str(path)!r}: {error}") from error


# ----------------------------------------------------------------- shipped captures
def recorded_path(name, directory=None):
    """The path of the shipped capture *name* (directory defaults to the package's recordings)."""
    if name not in RECORDINGS:
        raise ValueError(f"name must be one of {', '.join(RECORDINGS)}; got {name!r}")
    return Path(directory or CAPTURES) / f"{name}.pcap"


def load_recorded(name="loopback-session", directory=None):
    """The shipped capture *name* as a Trace."""
    path = recorded_path(name, directory)
    if not path.is_file():
        raise FileNotFoundError(f"recorded capture {name!r} is missing: {path} "
                                "(run 'python -m tcplab.live.capture --record', as root)")
    return trace_from_pcap(path, title=f"{DESCRIPTIONS[name]} (recorded)")


def capture_or_recorded(name="loopback-session", directory=None, live=None):
    """A live capture of *name* when this process may sniff, else the recorded one (with a warning).

    *live*: None decides by `can_capture()`; False always loads the recording.
    """
    path = recorded_path(name, directory)
    if live is None:
        live = can_capture()
        if not live:
            log.warning("Live capture needs root or CAP_NET_RAW, so this shows the recorded capture %s instead.",
                        path)
    if live:
        try:
            return record_loopback(title=f"{DESCRIPTIONS[name]} (live)", **RECORDINGS[name])
        except Exception as error:  # any failure of a live capture falls back to the recording
            log.warning("Live capture failed (%s), so this shows the recorded capture %s instead.", error, path)
    return load_recorded(name, directory)


def record_all(directory=CAPTURES):
    """Record every capture of RECORDINGS into *directory*; returns the written paths."""
    from scapy.utils import wrpcap
    directory = writable_directory("directory", directory)
    written = []
    for name, options in RECORDINGS.items():
        path = recorded_path(name, directory)
        wrpcap(str(path), capture_loopback(**options))
        written.append(path)
    return written


def writable_directory(name, directory):
    """*directory* as a Path, created if missing; InvalidArgument naming *name* if it cannot be written to."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidArgument(f"{name} must be a directory that can be created or written to, "
                              f"got {str(directory)!r}: {error.strerror or error}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InvalidArgument(f"{name} must be a directory that can be written to, got {str(directory)!r}")
    return directory


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tcplab.live.capture", description=__doc__.split("\n")[0])
    parser.add_argument("--record", metavar="DIR", nargs="?", const=str(CAPTURES),
                        help=f"record the shipped loopback captures into DIR (default {CAPTURES})")
    parser.add_argument("--show", metavar="NAME", choices=list(RECORDINGS), help="print a recorded capture")
    args = parser.parse_args(argv)
    if args.record:
        try:
            directory = writable_directory("--record DIR", args.record)
        except InvalidArgument as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        if not can_capture():
            print("error: recording needs root or CAP_NET_RAW", file=sys.stderr)
            return 1
        for path in record_all(directory):
            print(f"wrote {path}")
    elif args.show:
        print(load_recorded(args.show).table())
    else:
        parser.print_usage()
    return 0


if __name__ == "__main__":
    sys.exit(main())
