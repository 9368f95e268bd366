"""The margins of a ladder: state changes beside each timeline, and the notes of calls, timers, errors and reads."""

import textwrap

from ...core.trace import Kind
from ..style import COLORS, WIDTH
from .labels import NOTE_SIZE, text_width
from .layout import ROW, STATE_GAP, TIME_COLUMN

NOTE_KINDS = (Kind.CALL, Kind.TIMER, Kind.ERROR, Kind.READ)


class MarginDrawing:
    """The part of `diagram.Ladder` that writes in the margins (a mixin: it uses the ladder's layout)."""

    def note_width(self, host, y):
        """Inches free for a note at height *y* beside *host*'s timeline, on its outer side
        (on the left, up to the time column, or to the edge where the column is empty)."""
        x = self.margin_x(host) + self.outward(host) * 0.05
        if self.outward(host) > 0:
            return WIDTH - x - 0.05
        labelled = any(abs(y - row) < ROW * 0.8 for row in self.time_rows)
        return x - (TIME_COLUMN if labelled else 0.1)

    def draw_state(self, i, event):
        color, fill = self.color[event.host]
        if self.future(i):
            color, fill = COLORS["grey"], COLORS["grey_fill"]
        emphasis = self.upto == i
        self.text(self.margin_x(event.host) + self.outward(event.host) * 0.05, self.y[i], str(event.state),
                  f"state-{event.host}-{i}", ha=self.ha(event.host), va="center", size=NOTE_SIZE,
                  color=color, zorder=5, weight="bold" if emphasis else "normal",
                  box=(fill, color, 1.6 if emphasis else 0.8))
        self.canvas.marker(self.x[event.host], self.y[i], f"state-mark-{event.host}-{i}", shape="o", size=3.5,
                           color=color, zorder=4)

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
        width = text_width(text, NOTE_SIZE) * (1.1 if kind is Kind.ERROR else 1.0)
        room = self.note_width(event.host, self.y[i])
        if width > room and self.inner_side_free(event.host, self.y[i], width):
            side = -side                           # a long note goes where no segment passes
        else:
            columns = max(int(room / text_width("x", NOTE_SIZE)), 8)
            text = "\n".join(textwrap.wrap(text, columns, break_long_words=False)) or text
        ha = "right" if side < 0 else "left"
        self.text(self.x[event.host] + side * (STATE_GAP + 0.05), self.y[i], text, gid,
                  ha=ha, va="center", size=NOTE_SIZE, color=color, halo=True,
                  style="italic" if kind is not Kind.ERROR else "normal",
                  weight="bold" if self.upto == i or kind is Kind.ERROR else "normal", zorder=5)

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
        self.canvas.line([x + tick, x, x, x + tick], [y0, y0, y1, y1], f"timer-bracket-{i}", color=color, lw=1.1,
                         zorder=2, cap="projecting", join="miter")
