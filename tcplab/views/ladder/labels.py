"""The text on a ladder's segments: what a label says, and where along its arrow it fits."""

import math

from matplotlib import patheffects

from ...core.segment import Flags
from ...core.seqspace import seq_relative
from ...core.trace import Kind

LABEL_SIZE = 8       # points; 8 pt is the smallest text of a ladder (see export.to_html)
LABEL_AT = 0.42      # segment labels sit this far along their arrow, from the sender, if free
NOTE_SIZE = 8
SMALL_SIZE = 8       # the time column, addresses, tags

#: A light halo behind text, so a label that crosses a line stays readable.
HALO = [patheffects.withStroke(linewidth=2.6, foreground="white")]

#: Words in an injected SEND's detail, and the tag the ladder writes under such a segment.
_INJECTED_TAGS = (("duplicate from", "old duplicate"), ("old duplicate", "old duplicate"),
                  ("forged", "forged"), ("injected", "injected"))


def injected_tag(event):
    """The tag of a SEND that no endpoint made (``Simulator.inject``), or None.

    The simulator records an injected segment as a SEND of the host it pretends to come
    from, with the detail its caller gave ("old duplicate SYN from an earlier connection",
    "forged RST …"); the endpoints' own SENDs carry their own details ("SYN", "data" …).
    """
    detail = (event.detail or "").lower()
    if event.kind is not Kind.SEND or "made by the link" in detail:
        return None
    return next((tag for word, tag in _INJECTED_TAGS if word in detail), None)


def segment_label(segment, isn=None):
    """Compact text for an arrow: flags, seq, ack, len (seq and ack relative to the ISNs)."""
    own, peer = isn if isn is not None else (None, None)
    seq = segment.seq if own is None else seq_relative(segment.seq, own)
    parts = [segment.flags.label() if segment.flags else "<none>", f"seq={seq}"]
    if segment.flags & Flags.ACK:
        ack = segment.ack if peer is None else seq_relative(segment.ack, peer)
        parts.append(f"ack={ack}")
    if segment.payload:
        parts.append(f"len={len(segment.payload)}")
    if segment.window == 0:
        parts.append("win=0")
    return " ".join(parts)


def text_width(text, size=LABEL_SIZE):
    """Rough width in inches of *text* in DejaVu Sans at *size* points."""
    return len(text) * size * 0.0083


#: Where along its arrow a label may sit, in order of preference.
ALONG = (LABEL_AT, 0.32, 0.54, 0.24, 0.62, 0.18, 0.7, 0.12, 0.78)
_LABEL_HEIGHT = LABEL_SIZE * 1.25 / 72


class LabelBox:
    """The rotated rectangle a label covers (in inches), for overlap tests."""

    def __init__(self, start, end, along, width, below):
        (x0, y0), (x1, y1) = start, end
        dx, dy = x1 - x0, y1 - y0
        self.length = math.hypot(dx, dy) or 1.0
        self.along, self.half_width = along, width / 2 + 0.08
        self.point = (x0 + along * dx, y0 + along * dy)
        if dx < 0:                                    # keep the text upright
            dx, dy = -dx, -dy
        self.angle = math.degrees(math.atan2(dy, dx))  # in data units; the y axis points down
        self.u = (dx / self.length, dy / self.length)
        self.normal = (self.u[1], -self.u[0])         # pointing up the page
        lift = 0 if below else 0.025 + _LABEL_HEIGHT / 2
        self.center = (self.point[0] + lift * self.normal[0], self.point[1] + lift * self.normal[1])
        self.half_height = _LABEL_HEIGHT + 0.03 if below else _LABEL_HEIGHT / 2

    def within(self, limit):
        """True if the label stays between the sender and *limit* (a fraction of the path)."""
        margin = 0.12 if limit < 1 else 0.05
        return (self.along * self.length - self.half_width >= 0.05
                and self.along * self.length + self.half_width <= limit * self.length - margin)

    def crosses(self, start, end):
        """True if the line from *start* to *end* (inches) runs through this label."""
        top = self.center[1] - self.half_width - self.half_height
        bottom = self.center[1] + self.half_width + self.half_height
        if max(start[1], end[1]) < top or min(start[1], end[1]) > bottom:
            return False
        for k in range(17):
            t = k / 16
            dx = start[0] + t * (end[0] - start[0]) - self.center[0]
            dy = start[1] + t * (end[1] - start[1]) - self.center[1]
            if (abs(dx * self.u[0] + dy * self.u[1]) <= self.half_width
                    and abs(dx * self.normal[0] + dy * self.normal[1]) <= self.half_height):
                return True
        return False

    def overlaps(self, other):
        """Separating-axis test of two rotated rectangles."""
        d = (other.center[0] - self.center[0], other.center[1] - self.center[1])
        for axis in (self.u, self.normal, other.u, other.normal):
            reach = sum(box.half_width * abs(box.u[0] * axis[0] + box.u[1] * axis[1])
                        + box.half_height * abs(box.normal[0] * axis[0] + box.normal[1] * axis[1])
                        for box in (self, other))
            if abs(d[0] * axis[0] + d[1] * axis[1]) > reach:
                return False
        return True


def label_box(start, end, along, label, retransmission):
    return LabelBox(start, end, along, text_width(label), retransmission)


def place_labels(labels, tagged):
    """The `LabelBox` of every label of *labels* [(flight, text, start, end, color, limit)], placed in turn
    along its arrow, away from the labels placed before it; *tagged(flight)* says if a tag goes under it.

    Each label tries the spots of `ALONG` in turn, preferring one that no other arrow
    runs through; when all are taken, one label that is in the way may move to another
    of its own spots to make room, and failing that the label goes where it overlaps least.
    """
    lines = [(start, (start[0] + limit * (end[0] - start[0]), start[1] + limit * (end[1] - start[1])))
             for _f, _l, start, end, _c, limit in labels]
    placed, options = [], []
    for n, (flight, label, start, end, _color, limit) in enumerate(labels):
        choices = [label_box(start, end, along, label, tagged(flight)) for along in ALONG]
        fits = [box for box in choices if box.within(limit)] or choices[:1]
        free = [b for b in fits if not any(b.overlaps(other) for other in placed)]
        clear = [b for b in free if not any(b.crosses(*line) for k, line in enumerate(lines) if k != n)]
        box = (clear or free or [None])[0]
        if box is None:
            box = make_room(fits, placed, options) or min(
                choices, key=lambda b: (sum(b.overlaps(other) for other in placed), b not in fits))
        placed.append(box)
        options.append(fits)
    return placed


def make_room(fits, placed, options):
    """A spot from *fits* freed by moving one placed label to another of its spots, or None."""
    for box in fits:
        blocking = [j for j, other in enumerate(placed) if box.overlaps(other)]
        if len(blocking) != 1:
            continue
        j = blocking[0]
        others = placed[:j] + placed[j + 1:] + [box]
        for moved in options[j]:
            if not any(moved.overlaps(other) for other in others):
                placed[j] = moved
                return box
    return None
