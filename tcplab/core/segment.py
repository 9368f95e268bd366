"""A TCP segment as an immutable value: header fields, options and payload.

`Segment` knows nothing about IP addresses, sockets or scapy: conversion to and
from scapy packets is `tcplab.io.scapy_convert.to_scapy` / `from_scapy` (the io layer).
"""

from dataclasses import dataclass, field, replace
from enum import IntFlag

from .errors import ArgumentTypeError, InvalidArgument
from .seqspace import check_seq, seq_add
from .validation import check_bool, check_bytes, check_int, check_instance, check_options

#: Largest payload one IPv4 datagram can carry behind a 20-byte IP and a 20-byte TCP header.
MAX_PAYLOAD = 65535 - 40


class Flags(IntFlag):
    """The TCP control bits, in header order from least significant bit."""

    FIN = 0x01
    SYN = 0x02
    RST = 0x04
    PSH = 0x08
    ACK = 0x10
    URG = 0x20
    ECE = 0x40
    CWR = 0x80

    @classmethod
    def parse(cls, value):
        """Flags from a Flags/int, from letters ("SA") or from names ("SYN,ACK", "syn|ack")."""
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(check_int("flags", int(value), 0, 0xFF))
        if not isinstance(value, str):
            raise ArgumentTypeError(f"flags must be Flags, an integer in 0..255 or a string such as 'SA', "
                                    f"got {value!r}")
        text = value.strip().upper()
        names = [n for n in text.replace("|", ",").replace("+", ",").replace(" ", ",").split(",") if n]
        if names and all(n in cls.__members__ for n in names):
            result = cls(0)
            for n in names:
                result |= cls[n]
            return result
        letters = {"F": cls.FIN, "S": cls.SYN, "R": cls.RST, "P": cls.PSH,
                   "A": cls.ACK, "U": cls.URG, "E": cls.ECE, "C": cls.CWR}
        result = cls(0)
        for letter in text.replace(",", "").replace(" ", ""):
            if letter not in letters:
                raise InvalidArgument(
                    f"flags: unknown flag {letter!r} in {value!r}; allowed letters are "
                    f"{''.join(letters)} or names {', '.join(cls.__members__)}")
            result |= letters[letter]
        return result

    def label(self):
        """Names joined by commas in the order people say them: "SYN,ACK", "FIN,ACK"."""
        order = ("SYN", "FIN", "RST", "PSH", "ACK", "URG", "ECE", "CWR")
        names = [n for n in order if self & Flags[n]]
        return ",".join(names) if names else "<none>"


@dataclass(frozen=True)
class Options:
    """The TCP options tcplab models: MSS, window scale, SACK-permitted and timestamps."""

    mss: int | None = None
    wscale: int | None = None
    sack_ok: bool = False
    timestamps: tuple[int, int] | None = None  # (TSval, TSecr)

    def __post_init__(self):
        if self.mss is not None:
            check_int("options.mss", self.mss, 1, 65535)
        if self.wscale is not None:
            check_int("options.wscale", self.wscale, 0, 14)
        check_bool("options.sack_ok", self.sack_ok)
        if self.timestamps is not None:
            if not (isinstance(self.timestamps, tuple) and len(self.timestamps) == 2):
                raise InvalidArgument(f"options.timestamps must be a (TSval, TSecr) pair, got {self.timestamps!r}")
            for name, v in zip(("TSval", "TSecr"), self.timestamps):
                check_int(f"options.timestamps {name}", v, 0, 2**32 - 1)

    def __bool__(self):
        return any((self.mss is not None, self.wscale is not None, self.sack_ok, self.timestamps is not None))

    def __str__(self):
        parts = []
        if self.mss is not None:
            parts.append(f"mss {self.mss}")
        if self.sack_ok:
            parts.append("sackOK")
        if self.timestamps is not None:
            parts.append(f"TS val {self.timestamps[0]} ecr {self.timestamps[1]}")
        if self.wscale is not None:
            parts.append(f"ws {self.wscale}")
        return ",".join(parts)


NO_OPTIONS = Options()


@dataclass(frozen=True)
class Segment:
    """One TCP segment.  `len` is SEG.LEN: payload bytes plus one each for SYN and FIN."""

    sport: int
    dport: int
    seq: int = 0
    ack: int = 0
    flags: Flags = Flags(0)
    window: int = 65535
    options: Options = field(default=NO_OPTIONS)
    payload: bytes = b""

    def __post_init__(self):
        check_int("sport", self.sport, 0, 65535)
        check_int("dport", self.dport, 0, 65535)
        check_seq(self.seq, "seq")
        check_seq(self.ack, "ack")
        object.__setattr__(self, "flags", Flags.parse(self.flags))
        check_int("window", self.window, 0, 65535)
        if self.options is None:
            object.__setattr__(self, "options", NO_OPTIONS)
        check_instance("options", self.options, Options)
        if type(self.payload) is not bytes:
            object.__setattr__(self, "payload", check_bytes("payload", self.payload))
        if len(self.payload) > MAX_PAYLOAD:
            raise InvalidArgument(f"payload must be at most {MAX_PAYLOAD} bytes for one segment, "
                                  f"got {len(self.payload)}")

    # --- derived values -------------------------------------------------
    @property
    def len(self):
        """SEG.LEN: the sequence space this segment occupies (RFC 9293 §3.4)."""
        return len(self.payload) + (1 if self.flags & Flags.SYN else 0) + (1 if self.flags & Flags.FIN else 0)

    @property
    def end_seq(self):
        """The sequence number just after this segment: SEG.SEQ + SEG.LEN."""
        return seq_add(self.seq, self.len)

    def has(self, flags):
        """True if every flag in *flags* (Flags or text such as "SA") is set."""
        wanted = Flags.parse(flags)
        return self.flags & wanted == wanted

    def replace(self, **changes):
        """A copy with some fields changed."""
        check_options("changes", changes, self.__dataclass_fields__)
        return replace(self, **changes)

    # --- text -----------------------------------------------------------
    def __str__(self):
        parts = [self.flags.label(), f"seq={self.seq}"]
        if self.flags & Flags.ACK:
            parts.append(f"ack={self.ack}")
        if self.payload:
            parts.append(f"len={len(self.payload)}")
        if self.flags & Flags.SYN or self.window == 0:
            parts.append(f"win={self.window}")
        if self.options:
            parts.append(f"<{self.options}>")
        return " ".join(parts)
