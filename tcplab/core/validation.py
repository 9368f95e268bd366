"""One way to check an argument, used by every public entry point.

Each checker returns the value (normalised where noted) or raises `InvalidArgument`
(a `ValueError`) or `ArgumentTypeError` (both a `ValueError` and a `TypeError`),
with a message that names the argument, what is allowed, and what was given:

    >>> check_int("port", 0, 1, 65535)
    Traceback (most recent call last):
    ...
    tcplab.core.errors.InvalidArgument: port must be an integer in 1..65535, got 0
"""

import ipaddress
import math

from .errors import ArgumentTypeError, InvalidArgument


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_int(name, value, low=None, high=None):
    """An integer (not a bool) in low..high (either bound may be None)."""
    if type(value) is int and (low is None or value >= low) and (high is None or value <= high):
        return value  # the common case, without building a message
    if low is not None and high is not None:
        allowed = f"an integer in {low}..{high}"
    elif low is not None:
        allowed = f"an integer >= {low}"
    elif high is not None:
        allowed = f"an integer <= {high}"
    else:
        allowed = "an integer"
    if not _is_int(value):
        raise ArgumentTypeError(f"{name} must be {allowed}, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidArgument(f"{name} must be {allowed}, got {value!r}")
    return value


def check_number(name, value, low=None, high=None, *, low_open=False, high_open=False):
    """A finite real number (not a bool, not NaN or ±inf) within the bounds; returns a float."""
    if type(value) is float and _within(value, low, high, low_open, high_open):
        return value  # the common case, without building a message
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high}")
    allowed = "a finite number" + (" " + " and ".join(parts) if parts else "")
    if not _is_number(value):
        raise ArgumentTypeError(f"{name} must be {allowed}, got {value!r}")
    if not math.isfinite(value) or not _within(value, low, high, low_open, high_open):
        raise InvalidArgument(f"{name} must be {allowed}, got {value!r}")
    return float(value)


def _within(value, low, high, low_open, high_open):
    if not -math.inf < value < math.inf:
        return False
    if low is not None and (value < low or (low_open and value == low)):
        return False
    return high is None or not (value > high or (high_open and value == high))


def check_time(name, value, not_before=None):
    """A time in seconds: finite, >= 0, and not earlier than *not_before* (time never runs backwards)."""
    value = check_number(name, value, 0)
    if not_before is not None and value < not_before:
        raise InvalidArgument(f"{name} must not go backwards: got {value!r} after {not_before!r}")
    return value


def check_bool(name, value):
    """True or False (not 0/1, not a string)."""
    if not isinstance(value, bool):
        raise ArgumentTypeError(f"{name} must be True or False, got {value!r}")
    return value


def check_bytes(name, value):
    """bytes, bytearray or memoryview; returns bytes."""
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise ArgumentTypeError(f"{name} must be bytes, got {type(value).__name__}")
    return bytes(value)


def check_str(name, value, *, empty=False):
    """A string (non-empty unless *empty*)."""
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{name} must be a string, got {value!r}")
    if not empty and not value:
        raise InvalidArgument(f"{name} must be a non-empty string, got {value!r}")
    return value


def check_choice(name, value, allowed):
    """One of *allowed* (compared with ==); the message lists them."""
    allowed = tuple(allowed)
    if value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise InvalidArgument(f"{name} must be one of {listed}; got {value!r}")
    return value


def check_instance(name, value, kind, what=None):
    """An instance of *kind* (a class or tuple of classes); *what* names it in the message."""
    if not isinstance(value, kind):
        if what is None:
            kinds = kind if isinstance(kind, tuple) else (kind,)
            what = " or ".join(f"{k.__module__}.{k.__qualname__}" for k in kinds)
        raise ArgumentTypeError(f"{name} must be {what}, got {type(value).__name__} {value!r:.60}")
    return value


def check_options(name, given, allowed):
    """The keys of *given* are all in *allowed*; the message lists what is allowed."""
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise InvalidArgument(f"{name}: unknown option(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed)) or 'none'}")
    return given


def check_ip(name, value):
    """An IPv4 or IPv6 address written as digits (never a host name, which would need DNS); returns it as text."""
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{name} must be an IP address such as '10.0.0.1', got {value!r}")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise InvalidArgument(f"{name} must be an IP address such as '10.0.0.1' (not a host name), "
                              f"got {value!r}") from None
