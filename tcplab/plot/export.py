"""Deterministic SVG and PNG bytes of a figure (same figure, same bytes, in any process)."""

import io

import matplotlib

from .style import RC


def to_svg(fig):
    """The figure as SVG text: fixed ids (``svg.hashsalt``), glyphs as paths, no date."""
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def to_png(fig, dpi=150):
    """The figure as PNG bytes at *dpi* dots per inch."""
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 10 <= dpi <= 1200:
        raise ValueError(f"dpi must be a number in 10..1200, got {dpi!r}")
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()
