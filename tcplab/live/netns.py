"""A private network namespace with a TUN device: the wire between tcplab and the Linux TCP stack.

    with Namespace() as ns:          # ip netns add tcplab-<pid>-<n>; TUN "tcplab0" at 10.77.0.1/24
        ns.write(packet_bytes)       # an IPv4 packet from 10.77.0.2 reaches Linux
        raw = ns.read(timeout=0.1)   # the kernel's reply, or None
        listener = ns.call(socket.socket)   # a socket created inside the namespace
    # the namespace is deleted here, even after an exception

Nothing outside the namespace is touched: the kernel's sockets live in it, and
its only interface besides `lo` is the TUN device.  Entering the namespace uses
setns(2) from a short-lived thread (it changes only that thread), so the caller's
own thread never leaves the host's namespace.

Leaving the ``with`` block stops everything that ran inside: every socket is shut
(waking threads blocked on it), `Namespace.sleep` returns early, every thread is
joined (at most COMMAND_TIMEOUT seconds), then the namespace is deleted.  While
the block runs in the main thread, SIGTERM (what ``timeout`` and CI runners send)
raises `Terminated`, so the namespace is deleted before the process exits.
"""

import ctypes
import fcntl
import itertools
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time

from .sockio import Cancel, Cancelled, shut

LINUX_IP = "10.77.0.1"     # the kernel's address, on the TUN device
TCPLAB_IP = "10.77.0.2"    # the address tcplab's endpoint speaks from
TUN_NAME = "tcplab0"
PREFIX = "tcplab"
NETNS_DIR = "/var/run/netns"
COMMAND_TIMEOUT = 5.0

_CLONE_NEWNET = 0x40000000
_TUNSETIFF = 0x400454CA
_IFF_TUN, _IFF_NO_PI = 0x0001, 0x1000
_counter = itertools.count(1)


def check():
    """(True, "") if namespaces with a TUN device can be made here, else (False, the reason)."""
    if os.geteuid() != 0:
        return False, "needs root (to create a network namespace and a TUN device)"
    if not os.path.exists("/dev/net/tun"):
        return False, "needs /dev/net/tun (the TUN/TAP driver)"
    if shutil.which("ip") is None:
        return False, "needs the 'ip' command (iproute2)"
    return True, ""


def unique_name():
    """A namespace name nobody else uses: tcplab-<pid>-<n>."""
    return f"{PREFIX}-{os.getpid()}-{next(_counter)}"


def exists(name):
    """True if the named namespace exists."""
    return os.path.exists(os.path.join(NETNS_DIR, name))


def remove_stale():
    """Delete tcplab namespaces left by processes that no longer run (e.g. killed with SIGKILL).

    Returns the names removed; raises PermissionError without root, RuntimeError if `ip` fails.
    """
    if os.geteuid() != 0:
        raise PermissionError("removing network namespaces needs root")
    removed = []
    for name in sorted(os.listdir(NETNS_DIR)) if os.path.isdir(NETNS_DIR) else []:
        match = re.fullmatch(rf"{PREFIX}-(\d+)-\d+", name)
        if match and not _process_alive(int(match.group(1))):
            _ip("netns", "del", name)
            removed.append(name)
    return removed


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ip(*args, check=True):
    result = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    if check and result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


class Terminated(SystemExit):
    """SIGTERM arrived while a namespace was open; raised so that it is deleted on the way out.

    A SystemExit with status 128 + SIGTERM, as if the signal had ended the process.
    """

    def __init__(self):
        super().__init__(128 + signal.SIGTERM)


def _terminate(signum, frame):
    raise Terminated()


def _set_sigterm_handler(handler):
    """Install *handler* for SIGTERM (main thread only); the previous handler, or None where none can be set."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.signal(signal.SIGTERM, handler)
    return signal.SIG_DFL if previous is None else previous


class Namespace:
    """A network namespace with a configured TUN device; use it as a context manager."""

    def __init__(self, name=None):
        ok, reason = check()
        if not ok:
            raise RuntimeError(f"cannot create a network namespace: {reason}")
        self.name = name or unique_name()
        if not self.name.startswith(PREFIX + "-"):
            raise ValueError(f"name must start with {PREFIX + '-'!r}, got {self.name!r}")
        self.tun = None
        self._sockets = []
        self._threads = []
        self._cancel = Cancel()
        self._lock = threading.Lock()
        self._previous_handler = None
        self._libc = ctypes.CDLL(None, use_errno=True)

    # ------------------------------------------------------------ lifetime
    def __enter__(self):
        self._previous_handler = _set_sigterm_handler(_terminate)
        try:
            self.open()
        except BaseException:
            self._restore_sigterm_handler()
            raise
        return self

    def __exit__(self, kind, error, traceback):
        if self._previous_handler is None:
            self.close()
            return False
        deferred = []  # a SIGTERM during the clean-up waits until it is done
        _set_sigterm_handler(lambda signum, frame: deferred.append(signum))
        try:
            self.close()
        finally:
            self._restore_sigterm_handler()
        if deferred and not isinstance(error, Terminated):
            raise Terminated() from error
        return False

    def _restore_sigterm_handler(self):
        if self._previous_handler is not None:
            signal.signal(signal.SIGTERM, self._previous_handler)
            self._previous_handler = None

    def open(self):
        """Create the namespace and its TUN device; on any failure, remove what was made."""
        _ip("netns", "add", self.name)
        try:
            self.tun = self.call(self._open_tun)
            _ip("-n", self.name, "link", "set", "lo", "up")
            _ip("-n", self.name, "addr", "add", f"{LINUX_IP}/24", "dev", TUN_NAME)
            _ip("-n", self.name, "link", "set", TUN_NAME, "up")
        except BaseException:
            self.close()
            raise

    def close(self):
        """Stop every thread working in the namespace, close the TUN device and every socket, delete it.

        Threads are woken (sockets shut, `sleep` cancelled) and joined for at most
        COMMAND_TIMEOUT seconds in all; RuntimeError if one still runs after that.
        """
        with self._lock:
            self._cancel.set()
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            shut(sock)
        deadline = time.monotonic() + COMMAND_TIMEOUT
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        still_running = [thread.name for thread in self._threads if thread.is_alive()]
        self._threads.clear()
        if self.tun is not None:
            os.close(self.tun)
            self.tun = None
        if exists(self.name):
            _ip("netns", "del", self.name)
        if still_running:
            raise RuntimeError(f"{', '.join(still_running)} still ran {COMMAND_TIMEOUT} s after the namespace "
                               "was closed")

    # ------------------------------------------------------------ inside the namespace
    def call(self, function, *args):
        """Run *function(*args)* in a thread that has entered the namespace; return its result."""
        box = {}

        def body():
            try:
                self._enter()
                box["result"] = function(*args)
            except BaseException as error:  # handed to the caller's thread below
                box["error"] = error

        thread = threading.Thread(target=body, name=f"{self.name}-call", daemon=True)
        thread.start()
        thread.join(COMMAND_TIMEOUT)
        if thread.is_alive():
            self._threads.append(thread)  # close() joins it
            raise TimeoutError(f"{getattr(function, '__name__', function)} did not return within {COMMAND_TIMEOUT} s")
        if "error" in box:
            raise box["error"]
        return box["result"]

    def start(self, function, *args):
        """Run *function(*args)* in a background thread inside the namespace; returns a `Worker`."""
        worker = Worker(self, function, args)
        self._threads.append(worker)
        worker.start()
        return worker

    def socket(self):
        """A TCP socket that belongs to the namespace (shut and closed with it)."""
        sock = self.call(socket.socket, socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return self.adopt(sock)

    def adopt(self, sock):
        """Make *sock* (e.g. one returned by accept in a worker) shut and closed with the namespace.

        Raises Cancelled (and shuts *sock*) if the namespace is already closing.
        """
        with self._lock:
            if not self._cancel.is_set():
                self._sockets.append(sock)
                return sock
        shut(sock)
        raise Cancelled(f"the namespace {self.name} is closing")

    def sleep(self, seconds):
        """Sleep in a worker thread; raises Cancelled as soon as the namespace closes."""
        self._cancel.sleep(seconds)

    def _enter(self):
        fd = os.open(os.path.join(NETNS_DIR, self.name), os.O_RDONLY)
        try:
            if self._libc.setns(fd, _CLONE_NEWNET) != 0:
                errno = ctypes.get_errno()
                raise OSError(errno, f"setns into {self.name}: {os.strerror(errno)}")
        finally:
            os.close(fd)

    @staticmethod
    def _open_tun():
        fd = os.open("/dev/net/tun", os.O_RDWR)
        try:
            fcntl.ioctl(fd, _TUNSETIFF, struct.pack("16sH", TUN_NAME.encode(), _IFF_TUN | _IFF_NO_PI))
        except BaseException:
            os.close(fd)
            raise
        return fd

    # ------------------------------------------------------------ the wire
    def read(self, timeout):
        """The next IP packet the kernel sent out of the TUN device, or None after *timeout* seconds."""
        ready, _, _ = select.select([self.tun], [], [], max(0.0, timeout))
        return os.read(self.tun, 65535) if ready else None

    def write(self, packet):
        """Hand one IP packet (bytes) to the kernel as if it had arrived on the TUN device."""
        os.write(self.tun, bytes(packet))

    def execute(self, *command, timeout=COMMAND_TIMEOUT):
        """Run a command inside the namespace (ip netns exec) and return its standard output."""
        result = subprocess.run(["ip", "netns", "exec", self.name, *command],
                                capture_output=True, text=True, timeout=timeout)
        return result.stdout


class Worker(threading.Thread):
    """A daemon thread running inside the namespace; `.result`, `.error` once it has finished."""

    def __init__(self, namespace, function, args):
        super().__init__(name=f"{namespace.name}-worker", daemon=True)
        self.namespace, self.function, self.args = namespace, function, args
        self.result = self.error = None

    def run(self):
        try:
            self.namespace._enter()
            self.result = self.function(*self.args)
        except BaseException as error:  # reported by the driver, never lost
            self.error = error
