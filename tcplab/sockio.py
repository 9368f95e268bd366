"""Two blocking-socket helpers shared by the drivers that talk to real kernel sockets."""


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
