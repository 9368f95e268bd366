"""The ladder diagram itself: the figure, its header, timelines and time column, and `ladder()`."""

from ...core.segment import Flags
from ...core.seqspace import HALF, seq_relative
from ...core.trace import Kind
from ..describe import format_time, ladder_description
from ..style import COLORS, WIDTH, check_choice, figure_and_axes, host_color, styled
from .canvas import AxesCanvas, SvgCanvas
from .labels import NOTE_SIZE, SMALL_SIZE, injected_tag
from .layout import DELAY_ROWS, ROW, SIDE, STATE_GAP, drawing_order, row_positions, typical_delay
from .margin import NOTE_KINDS, MarginDrawing
from .segments import SegmentDrawing


class Ladder(SegmentDrawing, MarginDrawing):
    """Draws one trace; the state lives here so the drawing steps read like prose."""

    def __init__(self, trace, upto, relative, title, compress_gaps):
        self.trace, self.upto, self.relative = trace, upto, relative
        self.events = trace.events
        self.flights = trace.flights()
        self.flight_of = {f.packet: f for f in self.flights}
        self.index = {id(e): i for i, e in enumerate(self.events)}
        self.names = [h.name for h in trace.hosts]
        self.isns = self.connection_isns()

        self.delay = typical_delay(self.flights) or 0.05
        rows_per_second = DELAY_ROWS / self.delay
        order = self.order = drawing_order(self.events)
        ordered = [self.events[i] for i in order]
        if not compress_gaps and trace.duration() > 0:
            # One linear scale, as tall as the compressed layout would be.
            compressed, _ = row_positions(ordered, self.flight_of, rows_per_second, True)
            rows_per_second = max(max(compressed), 12.0) / trace.duration()
        placed, self.breaks = row_positions(ordered, self.flight_of, rows_per_second, compress_gaps)
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
        self.canvas = None

    def description(self):
        """The figure's alt text: what it shows, in words."""
        return ladder_description(self.trace, self.title, self.order, self.label_text, self.tag)

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

    def text(self, x, y, s, gid, **kw):
        self.canvas.text(x, y, s, gid, **kw)

    # --- the steps -----------------------------------------------------------------
    def draw(self, canvas):
        """Draw on *canvas* (`canvas.AxesCanvas` or `canvas.SvgCanvas`), in inches, y down."""
        self.canvas = canvas
        if self.upto is not None:
            self.draw_upto_band()
        self.draw_header()
        self.draw_timelines()
        self.draw_time_column()
        self.labels = []
        for flight in self.flights:
            self.draw_flight(flight)
        self.draw_labels()
        for i, event in enumerate(self.events):
            if event.kind is Kind.STATE:
                self.draw_state(i, event)
            elif event.kind in NOTE_KINDS:
                self.draw_note(i, event)
        self.draw_legend()
        return canvas

    def draw_upto_band(self):
        y = self.y[self.upto]
        self.canvas.band(y - ROW / 2, y + ROW / 2, "upto", color=COLORS["highlight_fill"], width=WIDTH)
        self.text(WIDTH - 0.05, y, "▸ now", "now", ha="right", va="center",
                  size=SMALL_SIZE, color=COLORS["muted"])

    def draw_header(self):
        y = 0.12
        if self.title:
            self.text(0.1, y, self.title, "title", ha="left", va="top", size=10, weight="bold")
            y += 0.3
        for host in self.trace.hosts:
            x, (color, fill) = self.x[host.name], self.color[host.name]
            self.text(x, y + 0.05, host.name, f"host-{host.name}", ha="center", va="top",
                      size=10, weight="bold", color=color)
            self.text(x, y + 0.27, f"{host.ip}:{host.port}", f"address-{host.name}", ha="center",
                      va="top", size=SMALL_SIZE, color=COLORS["muted"])
            states = self.trace.states(host.name)
            if states:
                self.text(x, y + 0.62, str(states[0]), f"initial-state-{host.name}", ha="center",
                          va="center", size=NOTE_SIZE, color=color, zorder=4, box=(fill, color, 0.8))

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
                self.canvas.line([self.x[name]] * 2, [y0, y1], f"timeline-{name}" if k == 0 else f"timeline-{name}-{k}",
                                 color=COLORS["muted"], lw=1.1, dash=style, zorder=1)
        for n, (top, bottom, seconds) in enumerate(self.breaks):
            # In the time column, where no segment or ✕ can reach.
            y = self.top + (top + bottom) / 2 * ROW
            self.text(0.08, y, f"⋮ {format_time(seconds)} later", f"gap-{n}", ha="left",
                      va="center", size=SMALL_SIZE, style="italic", color=COLORS["muted"], halo=True)

    def draw_time_column(self):
        self.text(0.08, self.top - 0.32, "time", "time-heading", ha="left", va="center",
                  size=SMALL_SIZE, color=COLORS["faint"], weight="bold")
        self.text(0.08, self.top - 0.17, "not to scale", "time-scale", ha="left", va="center",
                  size=SMALL_SIZE, color=COLORS["faint"], style="italic")
        last_y, last_time = None, None
        self.time_rows = []
        for i in sorted(range(len(self.events)), key=lambda i: (self.y[i], i)):
            event, y = self.events[i], self.y[i]
            if event.kind is Kind.DROP or event.time == last_time or (last_y is not None and y - last_y < ROW * 0.95):
                continue
            color = COLORS["grey"] if self.future(i) else COLORS["faint"]
            self.text(0.08, y, format_time(event.time), f"time-{i}", ha="left", va="center",
                      size=SMALL_SIZE, color=color)
            last_y, last_time = y, event.time
            self.time_rows.append(y)

    def draw_legend(self):
        # (label, colour, line width or None for a mark alone, dash, mark)
        entries = [(f"sent by {name}", self.color[name][0], 1.3, "-", None)
                   for name in self.names if any(f.src == name for f in self.flights)]
        if any(injected_tag(f.send) for f in self.flights):
            entries.append(("from the network", COLORS["unusual"], 1.3, "-", "o"))
        if any(f.retransmission for f in self.flights):
            entries.append(("retransmission", COLORS["retransmission"], 1.3, (0, (4, 2.5)), None))
        if any(f.lost for f in self.flights):
            entries.append(("lost on the link", COLORS["drop"], None, "-", "x"))
        if any(e.kind is Kind.TIMER for e in self.events):
            entries.append(("timer running", COLORS["timer"], 1.1, "-", None))
        if entries:
            self.canvas.legend(entries, "legend", size=SMALL_SIZE)


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
    layout = Ladder(trace, upto, relative, title, compress_gaps)
    fig, axes = figure_and_axes(ax, WIDTH, layout.height)
    if ax is None:
        fig.alt = layout.description()
    axes.set_xlim(0, WIDTH)
    axes.set_ylim(layout.height, 0)
    axes.set_axis_off()
    layout.draw(AxesCanvas(axes))
    return fig


def ladder_svg(trace, *, marks=None, label="", relative=True, title=None, compress_gaps=True):
    """The ladder diagram of *trace* as SVG text, written directly (no matplotlib figure).

    *marks* maps element ids (``flight-3``, ``label-3``, ``state-client-7`` ...) to the
    attributes of a group around them (``class='...'``); *label* is the drawing's accessible
    name.  The drawing is the one `ladder` makes, at 72 units an inch and with text as text.
    """
    _check(trace, None, relative)
    check_choice("compress_gaps", compress_gaps, (True, False))
    layout = Ladder(trace, None, relative, title, compress_gaps)
    return layout.draw(SvgCanvas(WIDTH, layout.height, marks)).svg(label)
