"""The segments of a ladder: each one's arrow (or its path to the ✕ where the link lost it) and its label."""

from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from ...core.trace import Kind
from ..style import COLORS, WIDTH
from .labels import LABEL_SIZE, SMALL_SIZE, injected_tag, place_labels, segment_label, text_width
from .layout import DELAY_ROWS, INJECTED_AT, ROW, SIDE


class SegmentDrawing:
    """The part of `diagram.Ladder` that draws segments (a mixin: it uses the ladder's layout)."""

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
        needed = (text_width(self.label_text(flight)) + 0.35) / span
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

    def draw_labels(self):
        """Write every segment's label along its arrow (see `labels.place_labels`)."""
        boxes = place_labels(self.labels, lambda flight: self.tag(flight) is not None)
        for (flight, label, *_, color, _limit), box in zip(self.labels, boxes):
            self.draw_flight_label(flight, label, box, color)

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
