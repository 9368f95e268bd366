"""The ladder (sequence) diagram: one timeline per host, time flowing down.

Every segment is a slanted arrow from its SEND at the sender to its DELIVER at
the receiver; a lost segment stops part-way in a red ✕.  State changes are
written beside the timeline, application calls and timers in the margin.

Layout.  Data coordinates are inches (x right, y down), so text sizes and gaps
are easy to reason about.  Each event gets a *row position*: events at the same
instant share a row unless they would draw on top of each other (two sends of
one host, a call and a state change); a new instant starts at least one row
lower, and further down in proportion to the time elapsed, so a one-way delay
spans a few rows.  With ``compress_gaps`` a long idle gap (a 240 s TIME-WAIT, a
1 s RTO among millisecond events) becomes a short break, marked "⋮ 240 s later" in
the time column.  The vertical axis is therefore not to scale, and the figure says
so under its "time" heading; the time column gives the real times.

At one instant a server's ``listen()`` is drawn before anything else, and a segment
that arrives at the instant it was sent (a loopback capture) still slants down one row,
so two segments crossing at one instant stay two lines.

A segment injected into the simulated network (an old duplicate from an earlier
connection, a forged RST: see `injected_tag`) enters from the network, part-way
between the hosts, and is tagged.  Relative sequence numbers are counted per
connection: from the ISN (the SYN's sequence number) each sender used for it.

Artist ids (``artist.get_gid()``), for widgets and tests; *p* is the packet
number, *i* the event index in ``trace.events``:

- ``flight-<p>``: the segment's line (a FancyArrowPatch when delivered),
  ``label-<p>`` its text, ``drop-<p>`` the ✕ of a lost segment,
  ``retransmission-<p>`` the note under a retransmitted one, ``injected-<p>`` the tag
  under an injected one (``network-<p>`` the mark where it enters),
  ``inflight-<p>`` the part already travelled when ``upto`` stops mid-flight;
- ``state-<host>-<i>``: a state change, ``initial-state-<host>`` the first state;
- ``call-<i>``, ``timer-<i>`` (with ``timer-bracket-<i>``), ``error-<i>``, ``read-<i>``;
- ``host-<name>``, ``timeline-<name>``, ``gap-<n>``, ``time-<i>``, ``time-heading``,
  ``upto`` and ``now``, ``title``.
"""

import math
import textwrap
from statistics import median

from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Rectangle

from ..core.segment import Flags
from ..core.seqspace import HALF, seq_relative
from ..core.trace import Kind
from .describe import format_time, ladder_description
from .style import COLORS, WIDTH, check_choice, figure_and_axes, host_color, styled

ROW = 0.2            # inches between two rows
DELAY_ROWS = 2.5     # a typical one-way delay spans this many rows
BREAK_AT = 8.0       # gaps longer than this many rows are compressed ...
BREAK_ROWS = 2.2     # ... into a break this many rows high
SIDE = 1.75          # inches from the figure edge to the first and last timeline
STATE_GAP = 0.1      # inches from a timeline to its state labels and notes
LABEL_SIZE = 8       # points; 8 pt is the smallest text of a ladder (see export.to_html)
LABEL_AT = 0.42      # segment labels sit this far along their arrow, from the sender, if free
NOTE_SIZE = 8
SMALL_SIZE = 8       # the time column, addresses, tags
TIME_COLUMN = 0.62   # inches the time column takes at the left edge
INJECTED_AT = 0.3    # an injected segment enters this far along its path

#: A light halo behind text, so a label that crosses a line stays readable.
HALO = [patheffects.withStroke(linewidth=2.6, foreground="white")]

_NOTE_KINDS = (Kind.CALL, Kind.TIMER, Kind.ERROR, Kind.READ)


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


def _text_width(text, size=LABEL_SIZE):
    """Rough width in inches of *text* in DejaVu Sans at *size* points."""
    return len(text) * size * 0.0083


# --- layout -----------------------------------------------------------------------

def _lane(event, flight_of):
    """Which drawing slot an event occupies; two events in one slot need two rows."""
    if event.kind is Kind.SEND:
        return (event.host, "send")
    if event.kind is Kind.DELIVER:
        return (event.host, "recv")
    if event.kind is Kind.DROP:
        flight = flight_of.get(event.packet)
        return ("drop", flight.src if flight else event.host)
    return (event.host, "note")   # states, calls, timers, errors, reads share the margin


def _typical_delay(flights):
    delays = [f.end.time - f.send.time for f in flights
              if f.end is not None and f.end.kind is Kind.DELIVER and f.end.time > f.send.time]
    return median(delays) if delays else None


def _drawing_order(events):
    """Indices of *events* in the order they are laid out: by time, a ``listen()`` (and the
    state change it makes) first among the events of its instant, otherwise as recorded."""
    first = set()
    for i, event in enumerate(events):
        if event.kind is Kind.CALL and (event.detail or "").startswith("listen("):
            first.add(i)
            following = next((j for j in range(i + 1, len(events)) if events[j].host == event.host), None)
            if following is not None and events[following].kind is Kind.STATE \
                    and events[following].time == event.time:
                first.add(following)
    return sorted(range(len(events)), key=lambda i: (events[i].time, i not in first, i))


def _rows(events, flight_of, rows_per_second, compress):
    """Row position of every event, and the breaks [(top, bottom, seconds)] between rows.

    A clock turns time into rows; an event goes at its clock row unless that would put
    it on or above the previous event's row (then one row lower) or share a lane with an
    event of the same instant; a segment is delivered at least one row below its send.
    A lost segment's ✕ follows the clock alone.  With *compress*, a gap of more than
    BREAK_AT rows becomes a break and the clock restarts.  *events* are in drawing order.
    """
    positions, breaks, sent_at = [], [], {}
    row, used = 0.0, set()                     # the last event's row and the lanes it uses
    origin_row, origin_time = 0.0, events[0].time if events else 0.0
    previous = origin_time
    for event in events:
        lane = _lane(event, flight_of)
        clock = origin_row + (event.time - origin_time) * rows_per_second
        if event.kind is Kind.DROP:
            positions.append(max(clock, row))
            continue
        if event.time > previous:
            gap = event.time - previous
            if compress and gap * rows_per_second > BREAK_AT:
                breaks.append((row + 0.5, row + BREAK_ROWS - 0.5, gap))
                clock = row + BREAK_ROWS
                origin_row, origin_time = clock, event.time
            new = max(clock, row + 1.0) if compress else max(clock, row)
            if new > row:
                row, used = new, set()
        if lane in used or (event.kind is Kind.DELIVER and sent_at.get(event.packet) == row):
            row, used = row + 1.0, set()
        used.add(lane)
        positions.append(row)
        if event.kind is Kind.SEND:
            sent_at[event.packet] = row
        previous = event.time
    return positions, breaks


# --- segment labels ----------------------------------------------------------------

#: Where along its arrow a label may sit, in order of preference.
_ALONG = (LABEL_AT, 0.32, 0.54, 0.24, 0.62, 0.18, 0.7, 0.12, 0.78)
_LABEL_HEIGHT = LABEL_SIZE * 1.25 / 72


class _LabelBox:
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


def _label_box(start, end, along, label, retransmission):
    return _LabelBox(start, end, along, _text_width(label), retransmission)


# --- drawing ----------------------------------------------------------------------

class _Ladder:
    """Draws one trace; the state lives here so the drawing steps read like prose."""

    def __init__(self, trace, upto, relative, ax, title, compress_gaps):
        self.trace, self.upto, self.relative = trace, upto, relative
        self.events = trace.events
        self.flights = trace.flights()
        self.flight_of = {f.packet: f for f in self.flights}
        self.index = {id(e): i for i, e in enumerate(self.events)}
        self.names = [h.name for h in trace.hosts]
        self.isns = self.connection_isns()

        self.delay = _typical_delay(self.flights) or 0.05
        rows_per_second = DELAY_ROWS / self.delay
        order = self.order = _drawing_order(self.events)
        ordered = [self.events[i] for i in order]
        if not compress_gaps and trace.duration() > 0:
            # One linear scale, as tall as the compressed layout would be.
            compressed, _ = _rows(ordered, self.flight_of, rows_per_second, True)
            rows_per_second = max(max(compressed), 12.0) / trace.duration()
        placed, self.breaks = _rows(ordered, self.flight_of, rows_per_second, compress_gaps)
        rows = [0.0] * len(order)
        for i, row in zip(order, placed):
            rows[i] = row

        self.title = trace.title if title is None else title
        self.top = (0.3 if self.title else 0.0) + 1.05   # where the first event sits
        self.y = [self.top + r * ROW for r in rows]
        for flight in self.flights:              # a ✕ sits on its segment's path
            if flight.lost:
                self.y[self.index[id(flight.end)]] = (self.y[self.index[id(flight.send)]]
                                                      + self.drop_fraction(flight) * self.drop_span(flight))
        self.bottom = max(self.y) + 0.35
        self.height = self.bottom + 0.45

        span = WIDTH - 2 * SIDE
        step = span / (len(self.names) - 1) if len(self.names) > 1 else 0
        self.x = {name: SIDE + k * step for k, name in enumerate(self.names)}
        if len(self.names) == 1:
            self.x[self.names[0]] = WIDTH / 2
        self.color = {name: host_color(name, k) for k, name in enumerate(self.names)}

        self.fig, self.ax = figure_and_axes(ax, WIDTH, self.height)
        if ax is None:
            self.fig.alt = ladder_description(trace, self.title, self.order, self.label_text, self.tag)

    # --- helpers ---------------------------------------------------------------
    def connection_isns(self):
        """{host: [ISN, …]}: the sequence number of every SYN each host sent (one per connection)."""
        isns = {name: [] for name in self.names}
        for flight in self.flights:
            if flight.segment.flags & Flags.SYN and flight.src in isns \
                    and flight.segment.seq not in isns[flight.src]:
                isns[flight.src].append(flight.segment.seq)
        return isns

    def relative_to(self, host, number):
        """The ISN of *host* that *number* belongs to: the nearest one at or below it, or None
        (the number is then shown as it is) when it lies before all of them: a segment of an
        earlier connection whose SYN the trace does not hold."""
        candidates = [isn for isn in self.isns.get(host) or [] if seq_relative(number, isn) < HALF]
        return min(candidates, key=lambda isn: seq_relative(number, isn)) if candidates else None

    def future(self, index):
        return self.upto is not None and index is not None and index > self.upto

    def outward(self, host):
        """-1 if *host*'s notes go on its left (the first host), else +1."""
        return -1 if self.names.index(host) == 0 and len(self.names) > 1 else 1

    def margin_x(self, host):
        return self.x[host] + self.outward(host) * STATE_GAP

    def ha(self, host):
        return "right" if self.outward(host) < 0 else "left"

    def text(self, x, y, s, gid, halo=False, **kw):
        t = self.ax.text(x, y, s, **kw)
        t.set_gid(gid)
        if halo:
            t.set_path_effects(HALO)
        return t

    def note_width(self, host, y):
        """Inches free for a note at height *y* beside *host*'s timeline, on its outer side
        (on the left, up to the time column, or to the edge where the column is empty)."""
        x = self.margin_x(host) + self.outward(host) * 0.05
        if self.outward(host) > 0:
            return WIDTH - x - 0.05
        labelled = any(abs(y - row) < ROW * 0.8 for row in self.time_rows)
        return x - (TIME_COLUMN if labelled else 0.1)

    # --- the steps -----------------------------------------------------------------
    def draw(self):
        ax = self.ax
        ax.set_xlim(0, WIDTH)
        ax.set_ylim(self.height, 0)
        ax.set_axis_off()
        if self.upto is not None:
            self.draw_upto_band()
        self.draw_header()
        self.draw_timelines()
        self.draw_time_column()
        self.labels = []
        for flight in self.flights:
            self.draw_flight(flight)
        self.place_labels()
        for i, event in enumerate(self.events):
            if event.kind is Kind.STATE:
                self.draw_state(i, event)
            elif event.kind in _NOTE_KINDS:
                self.draw_note(i, event)
        self.draw_legend()
        return self.fig

    def draw_upto_band(self):
        y = self.y[self.upto]
        band = Rectangle((0, y - ROW / 2), WIDTH, ROW, facecolor=COLORS["highlight_fill"],
                         edgecolor="none", zorder=0)
        band.set_gid("upto")
        self.ax.add_patch(band)
        self.text(WIDTH - 0.05, y, "▸ now", "now", ha="right", va="center",
                  fontsize=SMALL_SIZE, color=COLORS["muted"])

    def draw_header(self):
        y = 0.12
        if self.title:
            self.text(0.1, y, self.title, "title", ha="left", va="top", fontsize=10, fontweight="bold")
            y += 0.3
        for host in self.trace.hosts:
            x, (color, fill) = self.x[host.name], self.color[host.name]
            self.text(x, y + 0.05, host.name, f"host-{host.name}", ha="center", va="top",
                      fontsize=10, fontweight="bold", color=color)
            self.text(x, y + 0.27, f"{host.ip}:{host.port}", f"address-{host.name}", ha="center",
                      va="top", fontsize=SMALL_SIZE, color=COLORS["muted"])
            states = self.trace.states(host.name)
            if states:
                self.text(x, y + 0.62, str(states[0]), f"initial-state-{host.name}", ha="center",
                          va="center", fontsize=NOTE_SIZE, color=color, zorder=4,
                          bbox=dict(boxstyle="round,pad=0.25", facecolor=fill, edgecolor=color, lw=0.8))

    def draw_timelines(self):
        start = self.top - 0.22
        pieces, y = [], start
        for top, bottom, _ in self.breaks:
            pieces.append((y, self.top + top * ROW, "-"))
            pieces.append((self.top + top * ROW, self.top + bottom * ROW, ":"))
            y = self.top + bottom * ROW
        pieces.append((y, self.bottom, "-"))
        for name in self.names:
            for k, (y0, y1, style) in enumerate(pieces):
                line = Line2D([self.x[name]] * 2, [y0, y1], color=COLORS["muted"], lw=1.1,
                              linestyle=style, zorder=1, solid_capstyle="butt")
                line.set_gid(f"timeline-{name}" if k == 0 else f"timeline-{name}-{k}")
                self.ax.add_line(line)
        for n, (top, bottom, seconds) in enumerate(self.breaks):
            # In the time column, where no segment or ✕ can reach.
            y = self.top + (top + bottom) / 2 * ROW
            self.text(0.08, y, f"⋮ {format_time(seconds)} later", f"gap-{n}", ha="left",
                      va="center", fontsize=SMALL_SIZE, style="italic", color=COLORS["muted"], halo=True)

    def draw_time_column(self):
        self.text(0.08, self.top - 0.32, "time", "time-heading", ha="left", va="center",
                  fontsize=SMALL_SIZE, color=COLORS["faint"], fontweight="bold")
        self.text(0.08, self.top - 0.17, "not to scale", "time-scale", ha="left", va="center",
                  fontsize=SMALL_SIZE, color=COLORS["faint"], style="italic")
        last_y, last_time = None, None
        self.time_rows = []
        for i in sorted(range(len(self.events)), key=lambda i: (self.y[i], i)):
            event, y = self.events[i], self.y[i]
            if event.kind is Kind.DROP or event.time == last_time or (last_y is not None and y - last_y < ROW * 0.95):
                continue
            color = COLORS["grey"] if self.future(i) else COLORS["faint"]
            self.text(0.08, y, format_time(event.time), f"time-{i}", ha="left", va="center",
                      fontsize=SMALL_SIZE, color=color)
            last_y, last_time = y, event.time
            self.time_rows.append(y)

    def draw_flight(self, flight):
        ax = self.ax
        si = self.index[id(flight.send)]
        ei = self.index[id(flight.end)] if flight.end is not None else None
        x0, y0 = self.x[flight.src], self.y[si]
        x_dst = self.x.get(flight.dst, x0)
        injected = injected_tag(flight.send) is not None
        if injected:
            x0 += INJECTED_AT * (x_dst - x0)
        color = COLORS["retransmission"] if flight.retransmission else self.color[flight.src][0]
        if injected:
            color = COLORS["unusual"]
        style = (0, (4, 2.5)) if flight.retransmission else "-"
        if self.future(si):
            color = COLORS["grey"]
        lw = 2.2 if self.upto is not None and self.upto in (si, ei) else 1.3
        label = self.label_text(flight)

        if flight.end is None or flight.lost:
            # A lost (or unfinished) segment follows the path a delivered one would take
            # and stops part-way: at the ✕, where the link lost it.
            span = x_dst - x0
            fraction = 0.5 if flight.end is None else self.drop_fraction(flight)
            drop = self.drop_span(flight) if flight.end is not None else DELAY_ROWS * ROW
            x1, y1 = x0 + fraction * span, y0 + fraction * drop
            if flight.end is None:
                style = ":"
            line = Line2D([x0, x1], [y0, y1], color=color, lw=lw, linestyle=style, zorder=3)
            line.set_gid(f"flight-{flight.packet}")
            ax.add_line(line)
            self.labels.append((flight, label, (x0, y0), (x_dst, y0 + drop), color, fraction))
            if flight.lost:
                cross = COLORS["grey"] if self.future(ei) else COLORS["drop"]
                mark = Line2D([x1], [y1], marker="x", markersize=9, markeredgewidth=2.6, color=cross,
                              linestyle="none", zorder=6)
                mark.set_gid(f"drop-{flight.packet}")
                ax.add_line(mark)
        else:
            x1, y1 = x_dst, self.y[ei]
            arrow = FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=9,
                                    color=color, lw=lw, linestyle=style, shrinkA=0, shrinkB=0.5,
                                    zorder=3)
            arrow.set_gid(f"flight-{flight.packet}")
            ax.add_patch(arrow)
            self.labels.append((flight, label, (x0, y0), (x1, y1), color, 1.0))
            if self.upto is not None and si <= self.upto < ei:
                self.draw_in_flight(flight, (x0, y0), (x1, y1))
        if injected:
            mark = Line2D([x0], [y0], marker="o", markersize=5, markerfacecolor="white", markeredgecolor=color,
                          markeredgewidth=1.3, linestyle="none", zorder=4)
            mark.set_gid(f"network-{flight.packet}")
            ax.add_line(mark)

    def drop_span(self, flight):
        """How far down a lost segment would have travelled: like its delivered neighbours."""
        si = self.index[id(flight.send)]
        spans = [(abs(self.index[id(g.send)] - si), self.y[self.index[id(g.end)]] - self.y[self.index[id(g.send)]])
                 for g in self.flights
                 if g.src == flight.src and g.send.time == flight.send.time and g.end is not None
                 and g.end.kind is Kind.DELIVER]
        return min(spans)[1] if spans else DELAY_ROWS * ROW

    def drop_fraction(self, flight):
        """How far across a lost segment got: its time on the wire over the usual delay, or
        further (up to 0.8) if its label needs the room before the ✕."""
        fraction = (flight.end.time - flight.send.time) / self.delay
        span = WIDTH - 2 * SIDE if len(self.names) > 1 else 1.0
        needed = (_text_width(self.label_text(flight)) + 0.35) / span
        return min(max(fraction, needed, 0.5), 0.8)

    def draw_in_flight(self, flight, start, end):
        """Upto stops while the segment travels: draw the distance covered so far in colour."""
        (x0, y0), (x1, y1) = start, end
        now = self.y[self.upto]
        fraction = 0.5 if y1 == y0 else min(max((now - y0) / (y1 - y0), 0.0), 1.0)
        xs, ys = x0 + fraction * (x1 - x0), y0 + fraction * (y1 - y0)
        color = COLORS["retransmission"] if flight.retransmission else self.color[flight.src][0]
        if injected_tag(flight.send) is not None:
            color = COLORS["unusual"]
        line = Line2D([x0, xs], [y0, ys], color=color, lw=2.2, zorder=4, marker="o",
                      markevery=[1], markersize=4.5)
        line.set_gid(f"inflight-{flight.packet}")
        self.ax.add_line(line)

    def label_text(self, flight):
        segment = flight.segment
        isn = (self.relative_to(flight.src, segment.seq), self.relative_to(flight.dst, segment.ack)) \
            if self.relative else None
        return segment_label(segment, isn)

    @staticmethod
    def tag(flight):
        """The note under a segment's label: "retransmission", "old duplicate" … or None."""
        return injected_tag(flight.send) or ("retransmission" if flight.retransmission else None)

    def place_labels(self):
        """Write every segment's label along its arrow, away from the labels placed before it.

        Each label tries the spots of `_ALONG` in turn, preferring one that no other arrow
        runs through; when all are taken, one label that is in the way may move to another
        of its own spots to make room, and failing that the label goes where it overlaps least.
        """
        lines = [(start, (start[0] + limit * (end[0] - start[0]), start[1] + limit * (end[1] - start[1])))
                 for _f, _l, start, end, _c, limit in self.labels]
        placed, options = [], []
        for n, (flight, label, start, end, _color, limit) in enumerate(self.labels):
            choices = [_label_box(start, end, along, label, self.tag(flight) is not None) for along in _ALONG]
            fits = [box for box in choices if box.within(limit)] or choices[:1]
            free = [b for b in fits if not any(b.overlaps(other) for other in placed)]
            clear = [b for b in free if not any(b.crosses(*line) for k, line in enumerate(lines) if k != n)]
            box = (clear or free or [None])[0]
            if box is None:
                box = self.make_room(fits, placed, options) or min(
                    choices, key=lambda b: (sum(b.overlaps(other) for other in placed), b not in fits))
            placed.append(box)
            options.append(fits)
        for (flight, label, *_, color, _limit), box in zip(self.labels, placed):
            self.draw_flight_label(flight, label, box, color)

    @staticmethod
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

    def draw_flight_label(self, flight, label, box, color):
        (xm, ym), (nx, ny) = box.point, box.normal
        text = dict(ha="center", fontsize=LABEL_SIZE, color=color, rotation=box.angle, rotation_mode="anchor",
                    transform_rotates_text=True, zorder=5, halo=True)
        self.text(xm + 0.025 * nx, ym + 0.025 * ny, label, f"label-{flight.packet}", va="bottom", **text)
        tag = self.tag(flight)
        if tag is not None:
            gid = "retransmission" if tag == "retransmission" else "injected"
            self.text(xm - 0.03 * nx, ym - 0.03 * ny, tag, f"{gid}-{flight.packet}",
                      va="top", style="italic", **(text | {"fontsize": SMALL_SIZE}))

    def draw_state(self, i, event):
        color, fill = self.color[event.host]
        if self.future(i):
            color, fill = COLORS["grey"], COLORS["grey_fill"]
        emphasis = self.upto == i
        self.text(self.margin_x(event.host) + self.outward(event.host) * 0.05, self.y[i], str(event.state),
                  f"state-{event.host}-{i}", ha=self.ha(event.host), va="center", fontsize=NOTE_SIZE,
                  color=color, zorder=5, fontweight="bold" if emphasis else "normal",
                  bbox=dict(boxstyle="round,pad=0.25", facecolor=fill, edgecolor=color,
                            lw=1.6 if emphasis else 0.8))
        dot = Line2D([self.x[event.host]], [self.y[i]], marker="o", markersize=3.5, color=color,
                     linestyle="none", zorder=4)
        dot.set_gid(f"state-mark-{event.host}-{i}")
        self.ax.add_line(dot)

    def draw_note(self, i, event):
        kind = event.kind
        gid = f"{kind.value}-{i}"
        color = {Kind.CALL: COLORS["ink"], Kind.TIMER: COLORS["timer"], Kind.ERROR: COLORS["drop"],
                 Kind.READ: COLORS["muted"]}[kind]
        text = event.detail or kind.value
        if kind is Kind.TIMER:
            text = f"{event.detail or 'timer'} fires"
            self.draw_timer_bracket(i, event)
        elif kind is Kind.READ:
            text = f"read {len(event.data)} B" if event.data else (event.detail or "read")
        if self.future(i):
            color = COLORS["grey"]
        side = self.outward(event.host)
        width = _text_width(text, NOTE_SIZE) * (1.1 if kind is Kind.ERROR else 1.0)
        room = self.note_width(event.host, self.y[i])
        if width > room and self.inner_side_free(event.host, self.y[i], width):
            side = -side                           # a long note goes where no segment passes
        else:
            columns = max(int(room / _text_width("x", NOTE_SIZE)), 8)
            text = "\n".join(textwrap.wrap(text, columns, break_long_words=False)) or text
        ha = "right" if side < 0 else "left"
        self.text(self.x[event.host] + side * (STATE_GAP + 0.05), self.y[i], text, gid,
                  ha=ha, va="center", fontsize=NOTE_SIZE, color=color, halo=True, multialignment=ha,
                  style="italic" if kind is not Kind.ERROR else "normal",
                  fontweight="bold" if self.upto == i or kind is Kind.ERROR else "normal", zorder=5)

    def inner_side_free(self, host, y, width):
        """True if no segment passes within a row of *y* on the inner side of *host*'s timeline."""
        x = self.x[host]
        reach = (x - width - STATE_GAP, x) if self.outward(host) > 0 else (x, x + width + STATE_GAP)
        for _flight, _label, (x0, y0), (x1, y1), _color, limit in self.labels:
            for k in range(21):
                t = limit * k / 20
                px, py = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                if reach[0] <= px <= reach[1] and abs(py - y) < ROW:
                    return False
        return True

    def timer_start(self, i, event):
        """Where the timer that fired at event *i* was (probably) armed."""
        host, name = event.host, (event.detail or "").lower()
        before = self.events[:i]
        if "2msl" in name or "time" in name:
            wanted = lambda e: e.kind is Kind.STATE and e.host == host and str(e.state) == "TIME-WAIT"
        elif "delayed" in name:
            wanted = lambda e: e.kind is Kind.DELIVER and e.host == host
        elif "rto" in name or "retrans" in name:
            again = next((e for e in self.events[i + 1:] if e.kind is Kind.SEND and e.host == host), None)
            key = (again.segment.seq, again.segment.len) if again is not None else None
            wanted = lambda e: (e.kind is Kind.SEND and e.host == host
                                and (key is None or (e.segment.seq, e.segment.len) == key))
            for j in range(len(before)):
                if wanted(before[j]):
                    return j                            # the first transmission
            return None
        else:
            wanted = lambda e: e.kind is Kind.SEND and e.host == host
        for j in range(len(before) - 1, -1, -1):
            if wanted(before[j]):
                return j
        return None

    def draw_timer_bracket(self, i, event):
        start = self.timer_start(i, event)
        color = COLORS["grey"] if self.future(i) else COLORS["timer"]
        x = self.x[event.host] + self.outward(event.host) * 0.05
        y1 = self.y[i]
        y0 = self.y[start] if start is not None else y1 - ROW
        tick = 0.04 * -self.outward(event.host)
        line = Line2D([x + tick, x, x, x + tick], [y0, y0, y1, y1], color=color, lw=1.1, zorder=2,
                      solid_joinstyle="miter")
        line.set_gid(f"timer-bracket-{i}")
        self.ax.add_line(line)

    def draw_legend(self):
        handles = [Line2D([], [], color=self.color[name][0], lw=1.3, label=f"sent by {name}")
                   for name in self.names if any(f.src == name for f in self.flights)]
        if any(injected_tag(f.send) for f in self.flights):
            handles.append(Line2D([], [], color=COLORS["unusual"], lw=1.3, marker="o", markersize=4.5,
                                  markerfacecolor="white", markevery=[0], label="from the network"))
        if any(f.retransmission for f in self.flights):
            handles.append(Line2D([], [], color=COLORS["retransmission"], lw=1.3,
                                  linestyle=(0, (4, 2.5)), label="retransmission"))
        if any(f.lost for f in self.flights):
            handles.append(Line2D([], [], color=COLORS["drop"], marker="x", markeredgewidth=2.2,
                                  linestyle="none", label="lost on the link"))
        if any(e.kind is Kind.TIMER for e in self.events):
            handles.append(Line2D([], [], color=COLORS["timer"], lw=1.1, label="timer running"))
        if not handles:
            return
        legend = self.ax.legend(handles=handles, loc="lower center", ncol=len(handles),
                                bbox_to_anchor=(0.5, 0), bbox_transform=self.ax.transAxes,
                                handlelength=2.2, columnspacing=1.4, fontsize=SMALL_SIZE, borderaxespad=0.9)
        legend.set_gid("legend")


def _check(trace, upto, relative):
    if not (hasattr(trace, "events") and hasattr(trace, "flights") and hasattr(trace, "hosts")):
        raise ValueError(f"trace must be a tcplab.core.trace.Trace, got {type(trace).__name__}")
    if not trace.events:
        raise ValueError("trace must have at least one event")
    if upto is not None:
        if isinstance(upto, bool) or not isinstance(upto, int) or not 0 <= upto < len(trace.events):
            raise ValueError(f"upto must be None or an event index in 0..{len(trace.events) - 1}, got {upto!r}")
    check_choice("relative", relative, (True, False))


@styled
def ladder(trace, *, upto=None, relative=True, ax=None, title=None, compress_gaps=True):
    """The ladder diagram of *trace* as a Figure (see the module docstring for the layout).

    - ``upto=k`` highlights event ``trace.events[k]`` and greys out everything after it;
    - ``relative`` shows sequence numbers relative to each sender's ISN, like Wireshark;
    - ``title`` defaults to ``trace.title`` (``""`` for none);
    - ``compress_gaps`` draws long idle gaps as short breaks.
    """
    _check(trace, upto, relative)
    check_choice("compress_gaps", compress_gaps, (True, False))
    return _Ladder(trace, upto, relative, ax, title, compress_gaps).draw()
