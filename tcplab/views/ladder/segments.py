"""The segments of a ladder: each one's arrow (or its path to the ✕ where the link lost it) and its label."""

from ...core.trace import Kind
from ..style import COLORS, WIDTH
from .labels import LABEL_SIZE, SMALL_SIZE, injected_tag, place_labels, segment_label, text_width
from .layout import DELAY_ROWS, INJECTED_AT, ROW, SIDE


class SegmentDrawing:
    """The part of `diagram.Ladder` that draws segments (a mixin: it uses the ladder's layout)."""

    def draw_flight(self, flight):
        canvas = self.canvas
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
            canvas.line([x0, x1], [y0, y1], f"flight-{flight.packet}", color=color, lw=lw, dash=style, zorder=3,
                        cap="projecting")
            self.labels.append((flight, label, (x0, y0), (x_dst, y0 + drop), color, fraction))
            if flight.lost:
                cross = COLORS["grey"] if self.future(ei) else COLORS["drop"]
                canvas.marker(x1, y1, f"drop-{flight.packet}", shape="x", size=9, width=2.6, color=cross, zorder=6)
        else:
            x1, y1 = x_dst, self.y[ei]
            canvas.arrow((x0, y0), (x1, y1), f"flight-{flight.packet}", color=color, lw=lw, dash=style, zorder=3)
            self.labels.append((flight, label, (x0, y0), (x1, y1), color, 1.0))
            if self.upto is not None and si <= self.upto < ei:
                self.draw_in_flight(flight, (x0, y0), (x1, y1))
        if injected:
            canvas.marker(x0, y0, f"network-{flight.packet}", shape="o", size=5, face="white", color=color, width=1.3,
                          zorder=4)

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
        self.canvas.line([x0, xs], [y0, ys], f"inflight-{flight.packet}", color=color, lw=2.2, zorder=4,
                         cap="projecting")
        self.canvas.marker(xs, ys, f"inflight-{flight.packet}-head", shape="o", size=4.5, color=color, zorder=4)

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
        text = dict(ha="center", size=LABEL_SIZE, color=color, rotation=box.angle, zorder=5, halo=True)
        self.text(xm + 0.025 * nx, ym + 0.025 * ny, label, f"label-{flight.packet}", va="bottom", **text)
        tag = self.tag(flight)
        if tag is not None:
            gid = "retransmission" if tag == "retransmission" else "injected"
            self.text(xm - 0.03 * nx, ym - 0.03 * ny, tag, f"{gid}-{flight.packet}",
                      va="top", style="italic", **(text | {"size": SMALL_SIZE}))
