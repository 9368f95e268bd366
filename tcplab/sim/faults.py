"""Fault rules for the simulated link: drop, duplicate, delay (reorder), random loss.

Each rule looks at one segment as it enters the link, described by a `Wire`
record, and returns an `Action` or None.  The first rule that acts wins.
"""

import random
from dataclasses import dataclass

from ..analysis.roles import is_opening_syn
from ..core.errors import ArgumentTypeError
from ..core.segment import Flags
from ..core.states import State
from ..core.validation import check_int, check_number, check_str


@dataclass(frozen=True)
class Wire:
    """What a rule sees: the n-th segment on the link (1-based), overall and from its sender."""

    number: int
    number_from_host: int
    host: str
    segment: object
    state: State          # the sender's state just after sending
    time: float


@dataclass(frozen=True)
class Action:
    kind: str             # "drop", "duplicate" or "delay"
    extra_delay: float = 0.0
    reason: str = ""


class Rule:
    """Base class: override `decide(wire)`; `description` names the rule in plots and notes."""

    description = "fault"

    def decide(self, wire):
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__}: {self.description}>"


class DropNth(Rule):
    """Drop the n-th segment on the link (1-based), or the n-th sent by *host*."""

    def __init__(self, n, host=None):
        check_int("n", n, 1)
        if host is not None:
            check_str("host", host)
        self.n, self.host = n, host
        self.description = f"drop segment #{n}" + (f" from {host}" if host else "")

    def decide(self, wire):
        number = wire.number if self.host is None else (wire.number_from_host if wire.host == self.host else None)
        if number == self.n:
            return Action("drop", reason=self.description)
        return None


class DropWhere(Rule):
    """Drop segments for which ``predicate(wire)`` is true, at most *times* times."""

    def __init__(self, predicate, times=1, description="drop matching segment"):
        if not callable(predicate):
            raise ArgumentTypeError(f"predicate must be a function of a Wire (such as is_syn), got {predicate!r}")
        check_int("times", times, 1)
        check_str("description", description)
        self.predicate, self.left, self.description = predicate, times, description

    def decide(self, wire):
        if self.left > 0 and self.predicate(wire):
            self.left -= 1
            return Action("drop", reason=self.description)
        return None


class Duplicate(Rule):
    """Deliver the n-th segment on the link twice."""

    def __init__(self, n):
        check_int("n", n, 1)
        self.n = n
        self.description = f"duplicate segment #{n}"

    def decide(self, wire):
        return Action("duplicate", reason=self.description) if wire.number == self.n else None


class Delay(Rule):
    """Hold the n-th segment on the link for *extra* more seconds (so later ones overtake it)."""

    def __init__(self, n, extra):
        check_int("n", n, 1)
        self.n, self.extra = n, check_number("extra", extra, 0, low_open=True)
        self.description = f"delay segment #{n} by {extra:g} s"

    def decide(self, wire):
        return Action("delay", self.extra, self.description) if wire.number == self.n else None


class RandomLoss(Rule):
    """Drop each segment with probability *rate*, from a generator seeded with *seed*."""

    def __init__(self, rate, seed=0):
        rate = check_number("rate", rate, 0, 1, high_open=True)
        self.rate, self._rng = rate, random.Random(check_int("seed", seed))
        self.description = f"random loss {rate:.0%} (seed {seed})"

    def decide(self, wire):
        return Action("drop", reason=self.description) if self._rng.random() < self.rate else None


# --- predicates for DropWhere ---------------------------------------------------------
def is_final_ack(wire):
    """The last ACK of a teardown: a bare ACK sent by a host that has just entered TIME-WAIT."""
    return wire.state is State.TIME_WAIT and wire.segment.flags == Flags.ACK


def is_syn(wire):
    """A SYN without ACK (the first segment of a handshake, or its retransmission)."""
    return is_opening_syn(wire.segment)


def is_syn_ack(wire):
    return wire.segment.flags & (Flags.SYN | Flags.ACK) == Flags.SYN | Flags.ACK


def is_data(wire):
    return bool(wire.segment.payload)


def is_fin(wire):
    return bool(wire.segment.flags & Flags.FIN)
