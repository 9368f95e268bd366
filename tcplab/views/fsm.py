"""The TCP state diagram, drawn from `tcplab.core.states.TRANSITIONS` and laid out like RFC 9293 Figure 5.

The edges come only from the table; this module holds layout data: where each
state sits (`POSITIONS`, inches, y up), how some arrows bend (`BENDS`) and where
some labels move (`LABEL_SHIFTS`).  Figure 5 draws CLOSED twice: a connection
that was synchronized ends in the lower-right copy (`CLOSED_AGAIN`).

Artist ids: ``state-<NAME>`` (e.g. ``state-SYN-SENT``; the second CLOSED is
``state-CLOSED-2``), ``transition-<i>`` for the arrow of ``TRANSITIONS[i]``,
``transition-label-<i>`` and ``transition-action-<i>`` for its event and action,
``current-<host>`` (``current`` for a single state) for the marker of a current
state, ``last-<host>`` (``last``) for the glow behind the last transition.
"""

from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from ..core.states import TRANSITIONS, State, Transition
from .describe import state_diagram_description
from .style import COLORS, WIDTH, figure_and_axes, host_color, styled

HEIGHT = 8.6
BOX_W, BOX_H = 1.22, 0.42

S = State
#: Centre of each state's box, in inches from the bottom-left corner.
POSITIONS = {
    S.CLOSED: (3.5, 8.0),
    S.LISTEN: (3.5, 6.55),
    S.SYN_RECEIVED: (1.0, 5.1),
    S.SYN_SENT: (6.0, 5.1),
    S.ESTABLISHED: (3.5, 3.85),
    S.FIN_WAIT_1: (1.0, 2.65),
    S.CLOSE_WAIT: (6.0, 2.65),
    S.FIN_WAIT_2: (1.0, 1.35),
    S.CLOSING: (3.5, 1.35),
    S.LAST_ACK: (6.0, 1.35),
    S.TIME_WAIT: (3.5, 0.4),
}
#: Figure 5's second CLOSED box, where synchronized connections end.
CLOSED_AGAIN = (6.0, 0.4)

#: Curvature (matplotlib arc3 ``rad``) of some arrows, by (source, target); others are straight.
BENDS = {
    (S.CLOSED, S.LISTEN): 0.25,
    (S.LISTEN, S.CLOSED): 0.25,
    (S.CLOSED, S.SYN_SENT): -0.3,
    (S.SYN_SENT, S.CLOSED): 0.12,
    (S.SYN_SENT, S.SYN_RECEIVED): 0.0,
    (S.FIN_WAIT_2, S.TIME_WAIT): 0.25,
    (S.LISTEN, S.SYN_RECEIVED): 0.2,
    (S.SYN_RECEIVED, S.LISTEN): 0.2,
}
#: Where some arrows aim, relative to the centres of their (source, target) boxes, in inches.
AIMS = {
    (S.SYN_SENT, S.CLOSED): ((-0.1, 0.0), (0.45, 0.0)),
    (S.CLOSED, S.SYN_SENT): ((0.5, 0.0), (0.0, 0.0)),
}
#: Moves of some labels from their arrow's middle, in inches.
LABEL_SHIFTS = {
    (S.CLOSED, S.LISTEN): (-0.75, 0.0),
    (S.LISTEN, S.CLOSED): (0.55, 0.0),
    (S.CLOSED, S.SYN_SENT): (0.3, 0.15),
    (S.SYN_SENT, S.CLOSED): (-0.45, -0.2),
    (S.LISTEN, S.SYN_RECEIVED): (-0.45, 0.15),
    (S.SYN_RECEIVED, S.LISTEN): (0.45, -0.1),
    (S.LISTEN, S.SYN_SENT): (0.3, 0.1),
    (S.SYN_RECEIVED, S.ESTABLISHED): (-0.45, 0.0),
    (S.SYN_SENT, S.ESTABLISHED): (0.45, 0.0),
    (S.SYN_RECEIVED, S.FIN_WAIT_1): (-0.05, 0.0),
    (S.ESTABLISHED, S.FIN_WAIT_1): (0.05, 0.2),
    (S.ESTABLISHED, S.CLOSE_WAIT): (-0.05, 0.2),
    (S.FIN_WAIT_1, S.FIN_WAIT_2): (-0.05, 0.0),
    (S.FIN_WAIT_1, S.CLOSING): (0.35, 0.22),
    (S.CLOSE_WAIT, S.LAST_ACK): (0.05, 0.0),
    (S.CLOSING, S.TIME_WAIT): (0.0, 0.0),
    (S.FIN_WAIT_2, S.TIME_WAIT): (-0.35, -0.1),
}
del S

PATH_STYLE = {
    "client": dict(color=COLORS["client"], linestyle="-"),
    "server": dict(color=COLORS["server"], linestyle="-"),
    "both": dict(color=COLORS["both"], linestyle="-"),
    "unusual": dict(color=COLORS["unusual"], linestyle=(0, (4, 2))),
}
PATH_NAMES = {"client": "client path", "server": "server path", "both": "both sides",
              "unusual": "simultaneous / unusual"}


def _as_state(value, name):
    if isinstance(value, State):
        return value
    try:
        return State(value)
    except ValueError:
        pass
    allowed = ", ".join(s.value for s in State)
    raise ValueError(f"{name} must be a tcplab.core.states.State ({allowed}), got {value!r}")


def _per_host(value, name, convert):
    """None, one value, or a {host name: value} dict, as a {key: value} dict (key None for one)."""
    if value is None:
        return {}
    if isinstance(value, dict):
        for host in value:
            if not isinstance(host, str):
                raise ValueError(f"{name} keys must be host names (str), got {host!r}")
        return {host: convert(v, f"{name}[{host!r}]") for host, v in value.items()}
    return {None: convert(value, name)}


def _as_transition(value, name):
    """A row of TRANSITIONS, given as the row itself or as a (source, target) pair of states."""
    if isinstance(value, Transition) and value in TRANSITIONS:
        return value
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(s, State) for s in value):
        rows = [row for row in TRANSITIONS if (row.source, row.target) == value]
        if rows:
            return next((row for row in rows if row.drawn), rows[0])
    raise ValueError(f"{name} must be a row of tcplab.core.states.TRANSITIONS or a (source, target) pair "
                     f"of States joined by one; got {value!r}")


class _Diagram:
    def __init__(self, current, last, states, ax, title):
        self.current = _per_host(current, "current", _as_state)
        self.last = _per_host(last, "last", _as_transition)
        if states is None:
            self.states = set(State)
        else:
            if isinstance(states, (str, State)) or not hasattr(states, "__iter__"):
                raise ValueError(f"states must be None or a collection of State, got {states!r}")
            self.states = {_as_state(s, "states") for s in states}
        self.title = title
        # Figure 5's second CLOSED is where synchronized connections end; draw it only if an
        # arrow shown here leads there.
        self.closed_again = State.CLOSED in self.states and any(
            row.target is State.CLOSED and row.source.synchronized and row.source in self.states
            and (row.drawn or row in self.last.values()) for row in TRANSITIONS)
        self.bottom, self.top, height = self.extent()
        self.fig, self.ax = figure_and_axes(ax, WIDTH, height)
        if ax is None:
            shown = [s for s in State if s in self.states]
            self.fig.alt = state_diagram_description(title, self.current, self.last, shown)
        self.boxes = {}
        self.centers = {}

    def host_colors(self, key):
        """(edge, fill) for the marker of host *key* (None: the single current state)."""
        if key is None:
            return "#c99a00", COLORS["highlight"]
        names = list(self.current) or list(self.last)
        index = names.index(key) if key in names else 0
        return host_color(key, index)

    def extent(self):
        """(bottom, top, figure height in inches): the drawn states' boxes, room for the legend
        below and the title above.  A subset of the states gives a shorter figure."""
        ys = [POSITIONS[s][1] for s in self.states] + ([CLOSED_AGAIN[1]] if self.closed_again else [])
        title = 0.35 if self.title else 0.0
        top = max(ys) + BOX_H / 2 + 0.19 + title
        bottom = min(ys) - BOX_H / 2 - 0.74
        full = (HEIGHT - 0.2 + title) - (-0.55)          # the span of the whole diagram
        return bottom, top, (HEIGHT + title) * (top - bottom) / full

    # --- the steps ---------------------------------------------------------------
    def draw(self):
        ax = self.ax
        ax.set_xlim(0, WIDTH)
        ax.set_ylim(self.bottom, self.top)
        ax.set_axis_off()
        if self.title:
            t = ax.text(0.1, self.top - 0.1, self.title, ha="left", va="top", fontsize=10, fontweight="bold")
            t.set_gid("title")
        for state in State:
            if state in self.states:
                self.draw_state(state, POSITIONS[state], f"state-{state.value}")
        if self.closed_again:
            self.draw_state(State.CLOSED, CLOSED_AGAIN, "state-CLOSED-2", key="again")
        highlighted = set(self.last.values())
        for i, row in enumerate(TRANSITIONS):
            if (row.drawn or row in highlighted) and row.source in self.states and row.target in self.states:
                self.draw_transition(i, row)
        self.draw_current()
        self.draw_legend()
        return self.fig

    def draw_state(self, state, center, gid, key=None):
        x, y = center
        box = FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle="round,pad=0,rounding_size=0.08",
                             facecolor="white", edgecolor=COLORS["ink"], lw=1.0, zorder=3)
        box.set_gid(gid)
        self.ax.add_patch(box)
        text = self.ax.text(x, y, state.value, ha="center", va="center", fontsize=8.5, fontweight="bold",
                            zorder=4)
        text.set_gid(gid + "-name")
        self.boxes[key or state] = box
        self.centers[key or state] = center

    def endpoints(self, row):
        """The box centres an arrow for *row* joins (the second CLOSED for synchronized sources)."""
        if row.target is State.CLOSED and row.source.synchronized:
            return POSITIONS[row.source], CLOSED_AGAIN
        return POSITIONS[row.source], POSITIONS[row.target]

    def draw_transition(self, i, row):
        ax = self.ax
        (x0, y0), (x1, y1) = self.endpoints(row)
        box_a, box_b = (x0, y0), (x1, y1)
        style = dict(PATH_STYLE[row.path])
        if not row.drawn:
            style["linestyle"] = (0, (1.5, 1.5))
        rad = BENDS.get((row.source, row.target), 0.0)
        if row.source is row.target:                   # a loop above the box
            start, end = (x0 - 0.3, y0 + BOX_H / 2), (x0 + 0.3, y0 + BOX_H / 2)
            arrow = FancyArrowPatch(start, end, connectionstyle="arc3,rad=-1.6", arrowstyle="-|>",
                                    mutation_scale=11, lw=1.2, shrinkA=0, shrinkB=0, zorder=2, **style)
            mid = ((x0), y0 + BOX_H / 2 + 0.5)
            path = None
        else:
            (ax0, ay0), (ax1, ay1) = AIMS.get((row.source, row.target), ((0, 0), (0, 0)))
            x0, y0, x1, y1 = x0 + ax0, y0 + ay0, x1 + ax1, y1 + ay1
            path = _clipped_arc((x0, y0), (x1, y1), rad, box_a, box_b)
            arrow = FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=11, lw=1.2, zorder=2, **style)
            dx, dy = x1 - x0, y1 - y0
            mid = (x0 + dx / 2 + rad * dy / 2, y0 + dy / 2 - rad * dx / 2)
        arrow.set_gid(f"transition-{i}")
        arrow.set_label(row.label)
        ax.add_patch(arrow)
        for key, last in self.last.items():
            if last == row:
                self.draw_glow(arrow, path, key)
        shift = LABEL_SHIFTS.get((row.source, row.target), (0.0, 0.0))
        self.draw_label(i, row, (mid[0] + shift[0], mid[1] + shift[1]), style["color"])

    def draw_glow(self, arrow, path, key):
        """A wide translucent stroke under *arrow* (drawn along *path*, or as the loop *arrow* is)."""
        edge, fill = self.host_colors(key)
        style = dict(arrowstyle="-", lw=7, color=COLORS["highlight"] if key is None else edge, alpha=0.45,
                     zorder=1, capstyle="round")
        if path is not None:
            glow = FancyArrowPatch(path=path, **style)
        else:
            glow = FancyArrowPatch(posA=arrow._posA_posB[0], posB=arrow._posA_posB[1],
                                   connectionstyle=arrow.get_connectionstyle(), **style)
        glow.set_gid("last" if key is None else f"last-{key}")
        self.ax.add_patch(glow)
        arrow.set_linewidth(2.2)

    def draw_label(self, i, row, point, color):
        """Figure 5 style: the event over a rule over the action."""
        x, y = point
        box = dict(boxstyle="square,pad=0.08", facecolor="white", edgecolor="none", alpha=0.9)
        event = self.ax.text(x, y + 0.015, row.event, ha="center", va="bottom", fontsize=7, color=color,
                             bbox=box, zorder=5)
        event.set_gid(f"transition-label-{i}")
        event.set_label(row.label)
        if row.action:
            action = self.ax.text(x, y - 0.015, row.action, ha="center", va="top", fontsize=7,
                                  color=color, style="italic", bbox=box, zorder=5)
            action.set_gid(f"transition-action-{i}")
            half = max(len(row.event), len(row.action)) * 6.8 * 0.0083 / 2
            rule = Line2D([x - half, x + half], [y, y], color=color, lw=0.6, zorder=6)
            rule.set_gid(f"transition-rule-{i}")
            self.ax.add_line(rule)

    def draw_current(self):
        keys = list(self.current)
        for key, state in self.current.items():
            edge, fill = self.host_colors(key)
            places = [("", POSITIONS[state])]
            if state is State.CLOSED:
                places.append(("-2", CLOSED_AGAIN))
            for suffix, (x, y) in places:
                box = self.boxes.get("again" if suffix else state)
                if box is None:
                    continue
                sharing = [k for k in keys if self.current[k] is state]
                if len(sharing) == 1:
                    box.set_facecolor(fill)
                box.set_edgecolor(edge)
                box.set_linewidth(2.4)
                if key is None:
                    continue
                side = sharing.index(key)
                tag = self.ax.text(x - BOX_W / 2 + side * BOX_W, y + BOX_H / 2 + 0.02, key,
                                   ha="left" if side == 0 else "right", va="bottom", fontsize=7,
                                   fontweight="bold", color="white", zorder=6,
                                   bbox=dict(boxstyle="round,pad=0.18", facecolor=edge, edgecolor="none"))
                tag.set_gid(f"current-{key}{suffix}")
            if key is None:
                marker = self.ax.text(*POSITIONS[state], "", gid="current")
                marker.set_visible(False)

    def draw_legend(self):
        handles = [Line2D([], [], lw=1.4, label=PATH_NAMES[path], **PATH_STYLE[path]) for path in PATH_STYLE]
        legend = self.ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 0.0),
                                bbox_transform=self.ax.transAxes, fontsize=7, ncol=4, handlelength=2.4,
                                columnspacing=1.4)
        legend.set_gid("legend")


@styled
def state_diagram(current=None, *, last=None, states=None, ax=None, title=None):
    """RFC 9293's state diagram (Figure 5) as a Figure, drawn from `TRANSITIONS`.

    - ``current``: a State to highlight, or {host name: State} to mark several hosts;
    - ``last``: a Transition (or {host name: Transition}; a (source, target) pair of
      States also names one) whose arrow glows; an undrawn
      row (a reset, an abort, a timeout) is drawn dotted when it is the last one;
    - ``states``: only these states and the arrows between them (default: all); the figure
      is cropped to them (e.g. the opening states give the top half of Figure 5).
    """
    return _Diagram(current, last, states, ax, title).draw()


# --- arrows between boxes -----------------------------------------------------------------
GAP = 0.03  # inches left between an arrow's end and the box it touches


def _clipped_arc(start, end, rad, center_a, center_b):
    """The arc3 curve from *start* to *end*, cut where it leaves box A and enters box B.

    Matplotlib can clip an arrow to its boxes itself (patchA/patchB), but it does so by
    searching the path at every draw, which made a state diagram take a quarter of a second.
    The curve is a quadratic Bezier, so the cut points are found here once, by bisection.
    """
    (x0, y0), (x2, y2) = start, end
    control = ((x0 + x2) / 2 + rad * (y2 - y0), (y0 + y2) / 2 - rad * (x2 - x0))
    points = ((x0, y0), control, (x2, y2))
    t_a = _exit(points, center_a, 0.0, 0.5)
    t_b = _exit(points, center_b, 1.0, 0.5)
    p0, p1, p2 = _sub_bezier(points, t_a, t_b)
    return Path([p0, p1, p2], [Path.MOVETO, Path.CURVE3, Path.CURVE3])


def _point(points, t):
    (x0, y0), (x1, y1), (x2, y2) = points
    u = 1 - t
    return (u * u * x0 + 2 * u * t * x1 + t * t * x2, u * u * y0 + 2 * u * t * y1 + t * t * y2)


def _inside(point, center):
    return (abs(point[0] - center[0]) <= BOX_W / 2 + GAP and abs(point[1] - center[1]) <= BOX_H / 2 + GAP)


def _exit(points, center, inside_t, outside_t):
    """The parameter where the curve crosses the edge of the box around *center* (bisection)."""
    for _ in range(30):
        middle = (inside_t + outside_t) / 2
        if _inside(_point(points, middle), center):
            inside_t = middle
        else:
            outside_t = middle
    return outside_t


def _sub_bezier(points, t_a, t_b):
    """The piece of a quadratic Bezier between parameters t_a and t_b, as three control points."""
    (x0, y0), (x1, y1), (x2, y2) = points
    ua, ub = 1 - t_a, 1 - t_b
    control = (ua * ub * x0 + (ua * t_b + t_a * ub) * x1 + t_a * t_b * x2,
               ua * ub * y0 + (ua * t_b + t_a * ub) * y1 + t_a * t_b * y2)
    return _point(points, t_a), control, _point(points, t_b)
