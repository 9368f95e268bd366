"""`Table`: rows under a header, an HTML table in a notebook or on the site, aligned text elsewhere.

A table printed as fixed-width text runs off a phone's screen; as HTML its cells wrap.  The
text form (``str`` and ``repr``) is what a terminal, a doctest and nbval see.
"""

import html
import numbers

from ..core.errors import InvalidArgument
from ..core.trace import Trace
from ..core.validation import check_instance, check_str


class Table:
    """*rows* (sequences of cells) under *columns* (their names); numbers align right in text.
    A column empty ("") in every row is left out.

    ``str(table)`` is aligned text, ``table._repr_html_()`` an HTML table, ``table.rows`` the cells.
    """

    def __init__(self, columns, rows, note=""):
        self.columns = tuple(check_str(f"columns[{i}]", c)
                             for i, c in enumerate(check_instance("columns", columns, (list, tuple))))
        self.rows = [tuple(check_instance(f"rows[{i}]", row, (list, tuple)))
                     for i, row in enumerate(check_instance("rows", rows, (list, tuple)))]
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise InvalidArgument(f"rows[{i}] must have {len(self.columns)} cells (one per column), got {len(row)}")
        self.note = check_str("note", note, empty=True)
        # A column with no value in any row says nothing: it goes (a narrow screen has no room to spare).
        kept = [k for k in range(len(self.columns)) if not self.rows or any(row[k] != "" for row in self.rows)]
        self.columns = tuple(self.columns[k] for k in kept)
        self.rows = [tuple(row[k] for k in kept) for row in self.rows]

    def _numeric(self, k):
        cells = [row[k] for row in self.rows if row[k] != ""]
        return bool(cells) and all(isinstance(c, numbers.Number) for c in cells)

    def __str__(self):
        cells = [self.columns] + [tuple(_text(c) for c in row) for row in self.rows]
        widths = [max(len(row[k]) for row in cells) for k in range(len(self.columns))]
        right = [self._numeric(k) for k in range(len(self.columns))]
        lines = ["  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right)).rstrip()
                 for row in cells]
        return "\n".join(lines + ([self.note] if self.note else []))

    __repr__ = __str__

    def _repr_html_(self):
        right = [self._numeric(k) for k in range(len(self.columns))]

        def cell(tag, value, k):
            align = " class='tcplab-num'" if right[k] else ""
            return f"<{tag}{align}>{html.escape(_text(value))}</{tag}>"

        head = "".join(cell("th", c, k) for k, c in enumerate(self.columns))
        body = "".join("<tr>" + "".join(cell("td", c, k) for k, c in enumerate(row)) + "</tr>" for row in self.rows)
        note = f"<p class='tcplab-table-note'>{html.escape(self.note)}</p>" if self.note else ""
        # Focusable, so a keyboard can scroll it where it is wider than the screen.
        return (f"<div class='tcplab-table-wrap' tabindex='0' role='group' aria-label='Table of "
                f"{html.escape(', '.join(self.columns))} (scrolls sideways on a narrow screen)'><table class='tcplab-text-table'><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table>{note}</div>")


def _text(value):
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def event_table(trace, kinds=None):
    """`Trace.table` as a `Table`: every event (or those of *kinds*), one a row."""
    check_instance("trace", trace, Trace)
    return Table(("time/s", "host", "kind", "what"),
                 [(e.time, e.host, e.kind.value, e.what) for e in trace.listed(kinds)],
                 "(truncated: the driver stopped before the conversation ended)" if trace.truncated else "")
