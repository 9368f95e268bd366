"""Exports are deterministic; drawing leaves global state alone; figures show in Jupyter."""

import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib
import pytest

from tcplab import State
from tcplab.views import header, ladder, state_diagram, time_sequence, to_png, to_svg

try:
    from tests.test_plot_helpers import sample_trace
except ImportError:
    from test_plot_helpers import sample_trace

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent("""
    import hashlib, sys
    sys.path[:0] = [{root!r}, {tests!r}]
    import matplotlib
    matplotlib.use("Agg")
    from test_plot_helpers import sample_trace
    from tcplab.views import ladder, state_diagram, time_sequence, header, to_svg, to_png
    from tcplab.views.export import to_html
    from tcplab import State
    t = sample_trace()
    figures = [ladder(t), ladder(t, upto=12), state_diagram({{"client": State.ESTABLISHED}}),
               time_sequence(t), header(t.flights()[0].segment, highlight=("SYN",))]
    for fig in figures:
        print(hashlib.sha256(to_svg(fig).encode()).hexdigest(), hashlib.sha256(to_png(fig, dpi=60)).hexdigest(),
              hashlib.sha256(to_html(fig, fig.alt or "a figure").encode()).hexdigest())
""")


def run_in_new_process():
    code = SCRIPT.format(root=str(ROOT), tests=str(ROOT / "tests"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={"PYTHONHASHSEED": "random", "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_svg_and_png_are_identical_across_processes():
    first, second = run_in_new_process(), run_in_new_process()
    assert first == second and len(first.splitlines()) == 5


def test_svg_has_no_date_and_keeps_gids():
    svg = to_svg(ladder(sample_trace()))
    assert svg.startswith("<?xml") and "<dc:date>" not in svg
    assert 'id="flight-1"' in svg and 'id="drop-4"' in svg


def test_png_bytes():
    data = to_png(state_diagram(State.LISTEN), dpi=50)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="dpi"):
        to_png(state_diagram(), dpi=0)


def test_global_rcparams_untouched_and_no_pyplot_figures_kept():
    import matplotlib.pyplot as plt
    before = dict(matplotlib.rcParams)
    open_before = plt.get_fignums()
    t = sample_trace()
    figures = [ladder(t), state_diagram(), time_sequence(t), header(t.flights()[0].segment)]
    to_svg(figures[0])
    to_png(figures[1], dpi=40)
    assert dict(matplotlib.rcParams) == before
    assert plt.get_fignums() == open_before
    for fig in figures:
        assert isinstance(fig, matplotlib.figure.Figure)
        assert tuple(fig.get_facecolor()[:3]) == (1.0, 1.0, 1.0)


def test_figures_use_the_book_font():
    fig = ladder(sample_trace())
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
    assert {t.get_fontfamily()[0] for t in texts} == {"DejaVu Sans"}


def test_returned_figure_displays_inline_in_jupyter():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    code = (f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'tests')!r}]\n"
            "from test_plot_helpers import sample_trace\n"
            "from tcplab.views import ladder\n"
            "ladder(sample_trace())")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    try:
        nbclient.NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    except Exception as error:  # no kernel installed here
        pytest.skip(f"no Jupyter kernel: {error}")
    outputs = nb.cells[0].outputs
    (shown,) = [o for o in outputs if "text/html" in o.get("data", {})]
    assert "image/png" not in shown["data"], "the inline backend added a PNG"
    page = shown["data"]["text/html"]
    assert page.startswith('<figure class="tcplab-figure"') and 'role="img"' in page
    assert "<desc " in page and "Sequence diagram: " in page
