"""Exercises a reader can check by running code.

A chapter helper module registers its exercises at import time:

    exercise("handshake-1", "What ack number does the SYN-ACK carry if the client's ISN is 4294967295?",
             expected=0, explanation="ISN + 1 wraps around modulo 2**32.")

and a notebook cell checks an answer:

    from tcplab.chapters.exercises import check
    check("handshake-1", 0)      # prints ✓ and the explanation, or ✗ and a hint

Before the reader answers, the cell holds `answer = None`: `check(key, None)` then reads as a
question, not as a wrong answer ("Your answer goes in place of None"), with the hint behind a
toggle in HTML (the static site shows the stored output; the solution is in the notebook's own
dropdown).
"""

import html

from dataclasses import dataclass
from typing import Any, Callable

from ..core.errors import ArgumentTypeError
from ..core.validation import check_str

_REGISTRY = {}


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


UNANSWERED = "Your answer goes in place of None; run the cell to check it."


@dataclass(frozen=True)
class Result:
    """What `check` says: printed as text in a console, shown as HTML in a notebook."""

    key: str
    correct: bool
    message: str
    answered: bool = True
    hint: str = ""

    def __str__(self):
        return self.message

    def _repr_pretty_(self, printer, cycle):
        printer.text(self.message)

    def _repr_html_(self):
        if not self.answered:
            state, body = "tcplab-question", f"<p>{html.escape(UNANSWERED)}</p>"
            if self.hint:
                body += f"<details><summary>Hint</summary><p>{html.escape(self.hint)}</p></details>"
        else:
            state = "tcplab-correct" if self.correct else "tcplab-wrong"
            body = f"<p>{html.escape(self.message)}</p>"
        return f'<div class="tcplab-exercise {state}" role="status">{body}</div>'


def exercise(key, prompt, expected=None, predicate=None, hint="", explanation=""):
    """Register an exercise; *predicate*(answer) decides when *expected* equality is not enough."""
    check_str("key", key)
    check_str("prompt", prompt)
    if predicate is not None and not callable(predicate):
        raise ArgumentTypeError(f"predicate must be None or a function of the answer, got {predicate!r}")
    if key in _REGISTRY and _REGISTRY[key].prompt != prompt:
        raise ValueError(f"exercise key must be unique; {key!r} is already registered")
    _REGISTRY[key] = Exercise(key, prompt, expected, predicate, hint, explanation)
    return _REGISTRY[key]


def check(key, answer):
    """Check *answer* to exercise *key*; returns a Result that prints as ✓ or ✗ with an explanation."""
    _load_chapters()
    if key not in _REGISTRY:
        raise ValueError(f"exercise must be one of {', '.join(sorted(_REGISTRY))}; got {key!r}")
    ex = _REGISTRY[key]
    if ex.is_correct(answer):
        return Result(key, True, f"✓ Correct. {ex.explanation}".strip(), hint=ex.hint)
    if answer is None:
        hint = f" Hint: {ex.hint}" if ex.hint else ""
        return Result(key, False, f"{UNANSWERED}{hint}", answered=False, hint=ex.hint)
    return Result(key, False, f"✗ Not quite: {answer!r}. {ex.hint or 'Try again.'}".strip(), hint=ex.hint)


def exercises():
    """Every registered exercise."""
    _load_chapters()
    return dict(_REGISTRY)


def _load_chapters():
    from . import faq, handshake, realtraffic, teardown, transfer  # noqa: F401  (they register their exercises)
