"""The registry of exercises: each chapter module registers its own at import time.

    from .registry import exercise
    exercise("handshake-1", "What ack number does the SYN-ACK carry if the client's ISN is 4294967295?",
             expected=0, explanation="ISN + 1 wraps around modulo 2**32.")

`tcplab.chapters.exercises.check` imports only the chapter module that owns a key, so checking
one answer never imports the others (nor, through them, the live-traffic drivers).
"""

from dataclasses import dataclass
from typing import Any, Callable

from ..core.errors import ArgumentTypeError
from ..core.validation import check_str

REGISTRY = {}


def whole_number(answer, expected):
    """Whether *answer* is an integer (not a bool) equal to *expected*."""
    return isinstance(answer, int) and not isinstance(answer, bool) and answer == expected


def near(target, tolerance=1e-9):
    """A predicate for a numeric answer: a number (not a bool) within *tolerance* of *target*."""
    return lambda answer: (isinstance(answer, (int, float)) and not isinstance(answer, bool)
                           and abs(answer - target) <= tolerance)


@dataclass(frozen=True)
class Exercise:
    key: str
    prompt: str
    expected: Any = None
    predicate: Callable[[Any], bool] | None = None
    hint: str = ""
    explanation: str = ""

    def is_correct(self, answer):
        if self.predicate is not None:
            return bool(self.predicate(answer))
        if isinstance(self.expected, str) and isinstance(answer, str):
            return " ".join(answer.upper().replace("_", "-").split()) == \
                " ".join(self.expected.upper().replace("_", "-").split())
        return answer == self.expected


def exercise(key, prompt, expected=None, predicate=None, hint="", explanation=""):
    """Register an exercise; *predicate*(answer) decides when *expected* equality is not enough."""
    check_str("key", key)
    check_str("prompt", prompt)
    if predicate is not None and not callable(predicate):
        raise ArgumentTypeError(f"predicate must be None or a function of the answer, got {predicate!r}")
    if key in REGISTRY and REGISTRY[key].prompt != prompt:
        raise ValueError(f"exercise key must be unique; {key!r} is already registered")
    REGISTRY[key] = Exercise(key, prompt, expected, predicate, hint, explanation)
    return REGISTRY[key]
