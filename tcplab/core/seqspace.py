"""Sequence-number arithmetic modulo 2**32 (RFC 9293 §3.4).

TCP sequence numbers wrap around: after 4294967295 comes 0.  Comparisons
therefore look at the signed 32-bit difference, which is correct as long as
the two numbers are less than 2**31 apart (always true inside one window).
"""

from .validation import check_int

MODULUS = 2**32
HALF = 2**31


def check_seq(value, field="seq"):
    """Return *value* if it is a valid 32-bit sequence number, else raise InvalidArgument naming *field*."""
    if type(value) is int and 0 <= value < MODULUS:
        return value
    return check_int(field, value, 0, MODULUS - 1)


def seq_add(a, n):
    """a + n in sequence space (*n* may be any integer)."""
    if type(a) is not int or not 0 <= a < MODULUS:
        check_seq(a, "a")
    if type(n) is not int:
        check_int("n", n)
    return (a + n) % MODULUS


def seq_sub(a, b):
    """The signed distance a - b, in -2**31 .. 2**31-1."""
    if type(a) is not int or not 0 <= a < MODULUS:
        check_seq(a, "a")
    if type(b) is not int or not 0 <= b < MODULUS:
        check_seq(b, "b")
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
    check_seq(value, "value")
    check_seq(start, "start")
    check_int("size", size, 0, MODULUS)
    return 0 <= (value - start) % MODULUS < size if size > 0 else False


def seq_relative(value, origin):
    """*value* counted from *origin* (an ISN), as Wireshark's relative sequence numbers: 0..2**32-1."""
    check_seq(value, "value")
    check_seq(origin, "origin")
    return (value - origin) % MODULUS


def seq_max(a, b):
    """The later of two sequence numbers."""
    return a if seq_ge(a, b) else b
