"""Sequence-number arithmetic modulo 2**32 (RFC 9293 §3.4).

TCP sequence numbers wrap around: after 4294967295 comes 0.  Comparisons
therefore look at the signed 32-bit difference, which is correct as long as
the two numbers are less than 2**31 apart (always true inside one window).
"""

MODULUS = 2**32
HALF = 2**31


def check_seq(value, field="seq"):
    """Return *value* if it is a valid 32-bit sequence number, else raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{field} must be an integer in 0..{MODULUS - 1}, got {value!r}")
    if not 0 <= value < MODULUS:
        raise ValueError(f"{field} must be in 0..{MODULUS - 1}, got {value}")
    return value


def seq_add(a, n):
    """a + n in sequence space."""
    return (a + n) % MODULUS


def seq_sub(a, b):
    """The signed distance a - b, in -2**31 .. 2**31-1."""
    d = (a - b) % MODULUS
    return d - MODULUS if d >= HALF else d


def seq_lt(a, b):
    """a < b in sequence space."""
    return seq_sub(a, b) < 0


def seq_le(a, b):
    """a =< b in sequence space."""
    return seq_sub(a, b) <= 0


def seq_gt(a, b):
    """a > b in sequence space."""
    return seq_sub(a, b) > 0


def seq_ge(a, b):
    """a >= b in sequence space."""
    return seq_sub(a, b) >= 0


def seq_in_window(value, start, size):
    """start =< value < start + size, the window test of RFC 9293 §3.4."""
    return 0 <= (value - start) % MODULUS < size if size > 0 else False


def seq_relative(value, origin):
    """*value* counted from *origin* (an ISN), as Wireshark's relative sequence numbers: 0..2**32-1."""
    return (value - origin) % MODULUS


def seq_max(a, b):
    """The later of two sequence numbers."""
    return a if seq_ge(a, b) else b
