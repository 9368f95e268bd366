"""`BookFigure`: a matplotlib Figure that shows itself in notebooks as a compact PNG.

A notebook stores every figure it shows, and the website serves them; full-colour PNGs
of line art are four times larger than they need to be.  A BookFigure is displayed as a
palette PNG (the same picture to the eye) at the inline backend's usual 100 dpi.
"""

from matplotlib.figure import Figure

DISPLAY_DPI = 100
DISPLAY_COLORS = 64


class BookFigure(Figure):
    """A Figure whose notebook display is a palette PNG (see the module docstring)."""

    def _repr_png_(self):
        from .export import to_png
        return to_png(self, dpi=DISPLAY_DPI, colors=DISPLAY_COLORS)


def register_display():
    """In IPython, show BookFigures through `_repr_png_` (the inline backend would otherwise
    claim them as Figures).  Outside IPython this does nothing."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    if BookFigure not in formatter.type_printers:
        formatter.for_type(BookFigure, BookFigure._repr_png_)
