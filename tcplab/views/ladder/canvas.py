"""What a ladder draws on: a matplotlib Axes, or SVG text written directly.

`diagram.Ladder` lays a trace out in inches (y pointing down the page) and draws it with six
calls: `text`, `line`, `marker`, `arrow`, `band` and `legend`, each element named by an id
(``flight-3``, ``state-client-7`` ...).  `AxesCanvas` turns the calls into matplotlib artists
(the book's figures); `SvgCanvas` writes the same drawing as compact SVG at once, with no
figure to build or save, which is what a widget ships for each of its cases (dozens on a
page, built in a live kernel while the reader waits).
"""

import functools
import html

from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.textpath import TextToPath

from .labels import HALO

PT = 72                         # SVG units (points) per inch
ARROW_SCALE = 9                 # the arrow head's mutation scale, points
LINE = 1.3                      # the usual line width (a segment's arrow), the SVG's default
TEXT = 8                        # the usual text size, points, the SVG's default
INK = "#222222"                 # the text colour of every figure (rc "text.color")
_DASHES = {":": (1.0, 1.65), "--": (3.7, 1.6)}   # matplotlib's patterns, in line widths


# --- matplotlib ------------------------------------------------------------------------------
class AxesCanvas:
    """Draws on a matplotlib Axes whose data units are inches, y pointing down."""

    def __init__(self, ax):
        self.ax = ax

    def text(self, x, y, s, gid, *, size, color=INK, ha="left", va="center", weight="normal", style="normal",
             rotation=0, halo=False, box=None, zorder=3):
        kw = dict(ha=ha, va=va, fontsize=size, color=color, fontweight=weight, style=style, zorder=zorder)
        if "\n" in s:
            kw["multialignment"] = ha
        if rotation:
            kw |= dict(rotation=rotation, rotation_mode="anchor", transform_rotates_text=True)
        if box is not None:
            fill, edge, lw = box
            kw["bbox"] = dict(boxstyle="round,pad=0.25", facecolor=fill, edgecolor=edge, lw=lw)
        t = self.ax.text(x, y, s, **kw)
        t.set_gid(gid)
        if halo:
            t.set_path_effects(HALO)
        return t

    def line(self, xs, ys, gid, *, color, lw, dash="-", zorder=2, cap="butt", join="round"):
        line = Line2D(xs, ys, color=color, lw=lw, linestyle=dash, zorder=zorder, solid_capstyle=cap,
                      solid_joinstyle=join)
        line.set_gid(gid)
        self.ax.add_line(line)

    def marker(self, x, y, gid, *, shape, size, color, width=1.0, face=None, zorder=4):
        mark = Line2D([x], [y], marker=shape, markersize=size, markeredgewidth=width, color=color,
                      markerfacecolor=face or color, markeredgecolor=color, linestyle="none", zorder=zorder)
        mark.set_gid(gid)
        self.ax.add_line(mark)

    def arrow(self, start, end, gid, *, color, lw, dash="-", zorder=3):
        arrow = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=ARROW_SCALE, color=color, lw=lw,
                                linestyle=dash, shrinkA=0, shrinkB=0.5, zorder=zorder)
        arrow.set_gid(gid)
        self.ax.add_patch(arrow)

    def band(self, y0, y1, gid, *, color, width):
        band = Rectangle((0, y0), width, y1 - y0, facecolor=color, edgecolor="none", zorder=0)
        band.set_gid(gid)
        self.ax.add_patch(band)

    def legend(self, entries, gid, *, size):
        """*entries*: [(label, colour, line width or None, dash, mark or None)], in one row at the bottom centre."""
        handles = []
        for label, color, width, dash, marker in entries:
            if width is None:
                handles.append(Line2D([], [], color=color, marker=marker, markeredgewidth=2.2, linestyle="none",
                                      label=label))
            elif marker is not None:
                handles.append(Line2D([], [], color=color, lw=width, linestyle=dash, marker=marker, markersize=4.5,
                                      markerfacecolor="white", markevery=[0], label=label))
            else:
                handles.append(Line2D([], [], color=color, lw=width, linestyle=dash, label=label))
        legend = self.ax.legend(handles=handles, loc="lower center", ncol=len(handles), bbox_to_anchor=(0.5, 0),
                                bbox_transform=self.ax.transAxes, handlelength=2.2, columnspacing=1.4,
                                fontsize=size, borderaxespad=0.9)
        legend.set_gid(gid)


# --- SVG -----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=8192)
def text_extent(s, size, weight="normal", style="normal"):
    """(width, height, descent) in points of one line *s* in DejaVu Sans, as matplotlib measures it."""
    prop = FontProperties(family="DejaVu Sans", size=size, weight=weight, style=style)
    return TextToPath().get_text_width_height_descent(s, prop, ismath=False)


def _n(value):
    """A coordinate in points, to 0.1: "126", "140.2"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _font_size(size):
    """The font-size attribute, unless it is the drawing's default (`TEXT`)."""
    return "" if size == TEXT else f" font-size='{_n(size)}'"


def _width(lw):
    """The stroke-width attribute, unless it is the drawing's default (`LINE`)."""
    return "" if lw == LINE else f" stroke-width='{_n(lw)}'"


def _c(color):
    """#rrggbb as #rgb where that is the same colour."""
    if len(color) == 7 and color[1] == color[2] and color[3] == color[4] and color[5] == color[6]:
        return "#" + color[1] + color[3] + color[5]
    return color


def _attr(text):
    return html.escape(text, quote=True).replace("&#x27;", "&#39;")


class SvgCanvas:
    """Writes the drawing as SVG text; `svg()` returns it.

    *marks* gives, per element id, the attributes of the group the element goes into (for a
    widget: its step classes, or what makes a segment pickable); elements without marks are
    written bare.  Elements are written in z-order, then in the order drawn, as matplotlib does.
    """

    def __init__(self, width, height, marks=None):
        self.width, self.height = width, height
        self.marks = marks or {}
        self.items = []         # (zorder, n, id, svg)

    def _add(self, zorder, gid, svg):
        self.items.append((zorder, len(self.items), gid, svg))

    def text(self, x, y, s, gid, *, size, color=INK, ha="left", va="center", weight="normal", style="normal",
             rotation=0, halo=False, box=None, zorder=3):
        lines = s.split("\n")
        extents = [text_extent(line or " ", size, weight, style) for line in lines]
        _, lp_height, lp_descent = text_extent("lp", size, weight, style)
        step = (lp_height - lp_descent) * 1.2                   # matplotlib's line spacing
        width = max(w for w, _, _ in extents)
        height = step * (len(lines) - 1) + lp_height
        top = {"top": 0, "bottom": -height, "center": -height / 2}[va]  # the block's top, from y
        left = {"left": 0, "center": -width / 2, "right": -width}[ha]
        x0, y0 = x * PT, y * PT
        parts = []
        if box is not None:
            fill, edge, lw = box
            pad = 0.25 * size
            parts.append(f"<rect x='{_n(x0 + left - pad)}' y='{_n(y0 + top - pad)}' width='{_n(width + 2 * pad)}' "
                         f"height='{_n(height + 2 * pad)}' rx='{_n(pad)}' fill='{_c(fill)}' stroke='{_c(edge)}'{_width(lw)}/>")
        anchor = {"left": "", "center": " text-anchor='middle'", "right": " text-anchor='end'"}[ha]
        font = _font_size(size) + (" font-weight='bold'" if weight == "bold" else "") \
            + (" font-style='italic'" if style == "italic" else "")
        first = y0 + top + lp_height - lp_descent
        if len(lines) == 1:
            body = html.escape(s, quote=False)
        else:
            body = "".join(f"<tspan x='{_n(x0)}' y='{_n(first + k * step)}'>{html.escape(line, quote=False)}</tspan>"
                           for k, line in enumerate(lines))
        turn = f" transform='rotate({_n(rotation)} {_n(x0)} {_n(y0)})'" if rotation else ""
        parts.append(f"<text x='{_n(x0)}' y='{_n(first)}'{anchor}{font} fill='{_c(color)}'{turn}>{body}</text>")
        self._add(zorder, gid, "".join(parts))

    def line(self, xs, ys, gid, *, color, lw, dash="-", zorder=2, cap="butt", join="round"):
        points = "L".join(f"{_n(x * PT)} {_n(y * PT)}" for x, y in zip(xs, ys))
        ends = {"butt": "", "projecting": " stroke-linecap='square'", "round": " stroke-linecap='round'"}[cap]
        corners = " stroke-linejoin='miter'" if join == "miter" else ""
        self._add(zorder, gid, f"<path d='M{points}' stroke='{_c(color)}'{_width(lw)}{self._dashes(dash, lw)}"
                               f"{ends}{corners}/>")

    @staticmethod
    def _dashes(dash, lw):
        if dash == "-":
            return ""
        on, off = dash[1] if isinstance(dash, tuple) else _DASHES[dash]
        return f" stroke-dasharray='{_n(on * lw)},{_n(off * lw)}'"

    def marker(self, x, y, gid, *, shape, size, color, width=1.0, face=None, zorder=4):
        cx, cy, r = x * PT, y * PT, size / 2
        if shape == "x":
            svg = (f"<path d='M{_n(cx - r)} {_n(cy - r)}L{_n(cx + r)} {_n(cy + r)}M{_n(cx - r)} {_n(cy + r)}"
                   f"L{_n(cx + r)} {_n(cy - r)}' stroke='{_c(color)}'{_width(width)}/>")
        else:
            svg = (f"<circle cx='{_n(cx)}' cy='{_n(cy)}' r='{_n(r)}' fill='{_c(face or color)}' stroke='{_c(color)}'"
                   f"{_width(width)}/>")
        self._add(zorder, gid, svg)

    def arrow(self, start, end, gid, *, color, lw, dash="-", zorder=3):
        (x0, y0), (x1, y1) = [(x * PT, y * PT) for x, y in (start, end)]
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 or 1.0
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        x1, y1 = x1 - 0.5 * ux, y1 - 0.5 * uy                 # shrinkB=0.5 pt, as the figure
        head, half = 0.4 * ARROW_SCALE, 0.2 * ARROW_SCALE
        bx, by = x1 - head * ux, y1 - head * uy
        self._add(zorder, gid,
                  f"<path d='M{_n(x0)} {_n(y0)}L{_n(x1)} {_n(y1)}' stroke='{_c(color)}'{_width(lw)}"
                  f"{self._dashes(dash, lw)} stroke-linecap='round'/>"
                  f"<path d='M{_n(bx - half * uy)} {_n(by + half * ux)}L{_n(x1)} {_n(y1)}L{_n(bx + half * uy)} "
                  f"{_n(by - half * ux)}z' fill='{_c(color)}' stroke='{_c(color)}'{_width(lw)}/>")

    def band(self, y0, y1, gid, *, color, width):
        self._add(0, gid, f"<rect x='0' y='{_n(y0 * PT)}' width='{_n(width * PT)}' height='{_n((y1 - y0) * PT)}' "
                          f"fill='{_c(color)}'/>")

    def legend(self, entries, gid, *, size):
        """One row at the bottom centre, spaced as matplotlib's legend (``handlelength=2.2``...)."""
        handle, pad, gap = 2.2 * size, 0.8 * size, 1.4 * size
        widths = [handle + pad + text_extent(label, size)[0] for label, *_ in entries]
        x = (self.width * PT - (sum(widths) + gap * (len(entries) - 1))) / 2
        y = self.height * PT - 0.9 * size - 0.4 * size - text_extent("lp", size)[1] / 2
        parts = []
        for (label, color, lw, dash, marker), width in zip(entries, widths):
            middle = x + handle / 2
            if lw is None:          # a mark alone: the ✕ of a lost segment
                r = 3
                parts.append(f"<path d='M{_n(middle - r)} {_n(y - r)}L{_n(middle + r)} {_n(y + r)}M{_n(middle - r)} "
                             f"{_n(y + r)}L{_n(middle + r)} {_n(y - r)}' stroke='{_c(color)}' stroke-width='2.2'/>")
            else:
                parts.append(f"<path d='M{_n(x)} {_n(y)}H{_n(x + handle)}' stroke='{_c(color)}'{_width(lw)}"
                             f"{self._dashes(dash, lw)}/>")
                if marker == "o":
                    parts.append(f"<circle cx='{_n(x)}' cy='{_n(y)}' r='2.2' fill='#fff' stroke='{_c(color)}'/>")
            _, height, descent = text_extent("lp", size)
            parts.append(f"<text x='{_n(x + handle + pad)}' y='{_n(y + height / 2 - descent)}'"
                         f"{_font_size(size)} fill='{_c(INK)}'>"
                         f"{html.escape(label, quote=False)}</text>")
            x += width + gap
        self._add(5, gid, "".join(parts))

    def svg(self, label):
        """The drawing as one `<svg>` element, sized by CSS, named *label* for assistive technology."""
        body = []                   # [(mark, [svg, ...])]: neighbours with one mark share a group
        for _z, _k, gid, svg in sorted(self.items, key=lambda item: item[:2]):
            mark = self.marks.get(gid)
            if body and mark is not None and body[-1][0] == mark:
                body[-1][1].append(svg)
            else:
                body.append((mark, [svg]))
        inner = "\n".join("".join(svgs) if mark is None else f"<g {mark}>{''.join(svgs)}</g>" for mark, svgs in body)
        return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {_n(self.width * PT)} {_n(self.height * PT)}' "
                f"role=\"img\" aria-label=\"{_attr(label)}\" font-size='{TEXT}' fill='none' stroke-width='{LINE}' "
                f"stroke-linejoin='round'>\n{inner}\n</svg>")
