"""`BookFigure`: a matplotlib Figure that shows itself in notebooks as the book shows figures.

Its notebook output is HTML (`export.to_html`): an inline SVG whose text stays text, whose
colours follow the page's light or dark theme, whose accessible name and description are
the figure's ``alt`` (written by the drawing function from the data it drew), never
narrower than its smallest text allows, with a link to open it full size.  Jupyter Book
copies the HTML into the page as it is, so the description travels with the figure.
`Panels` shows several figures side by side where they fit and stacked where they do not.
"""

from matplotlib.figure import Figure

from ..core.errors import InvalidArgument
from ..core.validation import check_instance
from .export import to_html


class BookFigure(Figure):
    """A Figure with an ``alt`` text, displayed as the book's HTML figure (module docstring)."""

    alt = None

    def description(self):
        """The text alternative: ``alt``, or the title's words when no drawing function set one."""
        if self.alt:
            return self.alt
        titles = [ax.get_title(loc) for ax in self.axes for loc in ("left", "center")]
        named = next((t for t in titles if t), None)
        return f"Figure: {named}" if named else "Figure drawn by tcplab (no description was given)"

    def _repr_html_(self):
        return to_html(self, self.description())


class Panels:
    """Figures shown side by side when the column is wide enough for all, else one under another."""

    def __init__(self, *figures):
        if not figures:
            raise InvalidArgument("figures must be one or more figures drawn by tcplab.views, got none")
        for figure in figures:
            check_instance("figures", figure, BookFigure, "a figure drawn by tcplab.views")
        self.figures = figures

    def _repr_html_(self):
        inner = "".join(f'<div style="flex:1 1 0;min-width:min(100%,{f.get_size_inches()[0] * 96 * 0.84:.0f}px)">'
                        f"{to_html(f, f.description())}</div>" for f in self.figures)
        return f'<div class="tcplab-panels" style="display:flex;flex-wrap:wrap;gap:0 1em">{inner}</div>'

    def __repr__(self):
        return f"Panels({len(self.figures)} figures)"


def register_display():
    """In IPython, show BookFigures through `_repr_html_` only: the inline backend would
    otherwise add a PNG of every Figure.  Outside IPython this does nothing."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    if BookFigure not in formatters["text/html"].type_printers:
        formatters["text/html"].for_type(BookFigure, BookFigure._repr_html_)
        formatters["image/png"].for_type(BookFigure, lambda fig: None)
