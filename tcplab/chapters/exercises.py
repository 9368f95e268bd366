"""Exercises a reader can check by running code.

A chapter helper module registers its exercises at import time (`registry.exercise`), and a
notebook cell checks an answer:

    from tcplab.chapters.exercises import check
    check("handshake-1", 0)      # prints ✓ and the explanation, or ✗ and a hint

Before the reader answers, the cell holds `answer = None`: `check(key, None)` then reads as a
question, not as a wrong answer ("Your answer goes in place of None"), with the hint behind a
toggle in HTML (the static site shows the stored output; the solution is in the notebook's own
dropdown).
"""

import html

import importlib
from dataclasses import dataclass

from ..core.validation import check_str
from .registry import REGISTRY

#: The chapter module that registers the exercises whose keys start with each prefix (a key may match
#: several prefixes: each matching module is imported).
OWNERS = {"handshake-": "handshake", "transfer-": "transfer", "teardown-": "teardown", "kernel-": "realtraffic",
          "kernel-predict": "kernelpuzzles", "kernel-order": "kernelpuzzles", "kernel-pcap": "kernelpuzzles",
          "ack-vs-ack-": "faq", "lost-final-ack-": "faq", "why-three-": "faq", "why-four-": "faq",
          "time-wait-": "faq", "rst-": "faq", "stuck-": "faq"}

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


def check(key, answer):
    """Check *answer* to exercise *key*; returns a Result that prints as ✓ or ✗ with an explanation."""
    check_str("key", key)
    _load_chapters(key)
    if key not in REGISTRY:
        _load_chapters()
    if key not in REGISTRY:
        raise ValueError(f"exercise must be one of {', '.join(sorted(REGISTRY))}; got {key!r}")
    ex = REGISTRY[key]
    if ex.is_correct(answer):
        return Result(key, True, f"✓ Correct. {ex.explanation}".strip(), hint=ex.hint)
    if answer is None:
        hint = f" Hint: {ex.hint}" if ex.hint else ""
        return Result(key, False, f"{UNANSWERED}{hint}", answered=False, hint=ex.hint)
    return Result(key, False, f"✗ Not quite: {answer!r}. {ex.hint or 'Try again.'}".strip(), hint=ex.hint)


def exercises():
    """Every registered exercise."""
    _load_chapters()
    return dict(REGISTRY)


def _load_chapters(key=None):
    """Import the chapter module that owns *key* (every chapter module when *key* is None)."""
    owners = {owner for prefix, owner in OWNERS.items() if key is None or key.startswith(prefix)}
    for owner in sorted(owners or set(OWNERS.values())):
        importlib.import_module(f"{__package__}.{owner}")
