"""The look shared by every figure: one font, one palette, paper that follows the page.

`RC` is applied with `matplotlib.rc_context` inside each drawing function (the
`styled` decorator) and again when exporting, so importing tcplab never changes
the global rcParams.  Sizes are in points; layouts are in inches.
"""

import functools

import matplotlib

from .figure import BookFigure, register_display
from .rc import RC

#: Book width of a figure, in inches.
WIDTH = 7.0

#: The palette (Okabe-Ito based, safe for colour-blind readers).
COLORS = {
    "ink": "#222222",
    "muted": "#666666",
    "faint": "#6b6b6b",
    "grey": "#c4c4c4",        # what has not happened yet (``upto``)
    "grey_fill": "#f3f3f3",
    "client": "#0b6bb0",      # segments sent by the client, the client's states
    "client_fill": "#e3eff9",
    "server": "#0a7a57",      # segments sent by the server, the server's states
    "server_fill": "#dff3ea",
    "both": "#3d3d3d",
    "unusual": "#a5468b",
    "retransmission": "#a36100",
    "drop": "#d1301f",
    "timer": "#7b4fa6",
    "highlight": "#ffd84d",
    "highlight_fill": "#fff4c2",
    "ack": "#0a7a57",
    "window": "#786a12",
}

#: Colours of further hosts, after "client" and "server".
EXTRA_HOST_COLORS = ("#7b4fa6", "#a5468b", "#6b6b6b")


def host_color(name, index=0):
    """The line colour and the light fill used for host *name* (the *index*-th host)."""
    if name in ("client", "server"):
        return COLORS[name], COLORS[name + "_fill"]
    if index < 2:
        key = ("client", "server")[index]
        return COLORS[key], COLORS[key + "_fill"]
    color = EXTRA_HOST_COLORS[(index - 2) % len(EXTRA_HOST_COLORS)]
    return color, "#f1ecf6"


def styled(function):
    """Run a drawing function inside ``rc_context(RC)``."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(RC):
            return function(*args, **kwargs)

    return wrapper


def new_figure(width, height):
    """A white Figure that displays inline in Jupyter but is not kept by pyplot.

    Created through pyplot so the notebook's inline backend registers its display
    formatter, then closed at once: no figure is shown twice or leaks.
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(width, height), facecolor="white", FigureClass=BookFigure)
    plt.close(fig)
    register_display()
    return fig


def figure_and_axes(ax, width, height):
    """(*fig*, *ax*): the given Axes and its figure, or a new figure filled by one Axes."""
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(width, height)
    return fig, fig.add_axes((0, 0, 1, 1))


def check_choice(name, value, allowed):
    """Raise ValueError naming argument *name* unless *value* is one of *allowed*."""
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {shown}; got {value!r}")
    return value
