"""Matplotlib views of tcplab data: ladder diagrams, the state diagram, time-sequence graphs, headers.

Every function returns a `matplotlib.figure.Figure` (it displays inline in Jupyter) and
never calls ``plt.show()``; `to_svg` and `to_png` export one deterministically, and
`to_html` gives the book's form (themed inline SVG with its ``alt`` text, see `figure`).
`ladder_svg` writes a ladder as SVG text directly, as widgets ship it.
`Table` and `event_table` show tables as HTML (their text form is aligned columns).
"""

from .export import to_html, to_png, to_svg, to_themed_svg, to_webp
from .fsm import state_diagram
from .header import header
from .ladder import ladder, ladder_svg
from .table import Table, event_table
from .tsg import time_sequence

__all__ = ["ladder", "ladder_svg", "state_diagram", "time_sequence", "header", "to_svg", "to_png", "to_webp",
           "to_themed_svg", "to_html", "Table", "event_table"]
