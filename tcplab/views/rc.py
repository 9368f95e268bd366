"""The rcParams every figure is drawn with (`style.styled`) and exported with (`export`).

Applied with `matplotlib.rc_context`, never globally, so importing tcplab never changes
the global rcParams.  Sizes are in points.
"""

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 10,
    "axes.labelsize": 8.5,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.8,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "text.color": "#222222",
    "axes.labelcolor": "#222222",
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    # White paper; the book's SVG turns it (and every colour) dark on a dark page (theme.py).
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "figure.dpi": 100,
    "savefig.dpi": 150,
    # Deterministic files: fixed ids in SVG, glyphs drawn as paths.
    "svg.hashsalt": "tcplab",
    "svg.fonttype": "path",
    "path.simplify": True,
}
