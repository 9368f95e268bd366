"""The in-browser book (scripts/build_lite.py, in _build/html/lite): a chapter runs in headless
Chromium on pyodide, every request goes to 127.0.0.1, and the cells print the same trace as the
stored notebook, draw their figures and the stepper widget, and nothing lands on stderr (scapy and
matplotlib are quiet).

The kernel starts cold (pyodide, then numpy, matplotlib, scapy and tcplab): 10-20 s on a quiet
machine, so the waits are generous but bounded.
"""

import json
import time
from urllib.parse import urlparse

import pytest

from book_site import ROOT, SITE

CHAPTER = "faq/lost-final-ack.ipynb"
KERNEL_TIMEOUT_MS = 300_000   # 10-20 s on a quiet machine, 80 s with its 2 cores shared by many jobs
RUN_TIMEOUT_MS = 600_000

pytestmark = pytest.mark.skipif(not (SITE / "lite" / "index.html").is_file(),
                                reason=f"no in-browser book at {SITE / 'lite'} (make book builds it)")

KERNEL_IDLE = "() => window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'"

#: Clear the stored outputs and start running every cell (playwright's evaluate has no timeout:
#: the test waits for window.ranAll with one).
RUN_ALL = """async () => {
  const app = window.jupyterapp;
  await app.commands.execute('notebook:clear-all-cell-outputs');
  app.commands.execute('notebook:run-all-cells').then(() => { window.ranAll = true; });
}"""

#: The code cells' outputs, as nbformat JSON.
OUTPUTS = """() => [...window.jupyterapp.shell.currentWidget.content.model.cells]
  .filter(c => c.type === 'code').map(c => c.outputs.toJSON())"""

#: Figures shown in the notebook's output areas that the browser decoded.
RENDERED_FIGURES = """() => [...document.querySelectorAll('.jp-OutputArea-output img')]
  .filter(img => img.complete && img.naturalWidth > 0).length
  + document.querySelectorAll('.jp-OutputArea-output .tcplab-figure svg').length"""


#: The chapter's stepper widget, drawn by the ipywidgets extension JupyterLite serves.
STEPPER_SHOWN = "() => document.querySelectorAll('.jp-OutputArea-output .jupyter-widgets').length > 0"


class LitePage:
    """A JupyterLite page whose requests to other hosts are refused and recorded."""

    def __init__(self, context):
        self.page = context.new_page()
        self.foreign, self.failed, self.errors = [], [], []
        self.page.route("**/*", self._route)
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} (HTTP {r.status})"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route):
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob", "about") or url.hostname == "127.0.0.1":
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()


@pytest.fixture
def lite(browser_context):
    page = LitePage(browser_context)
    yield page
    page.page.close()


def stored_outputs(path):
    notebook = json.loads(path.read_text())
    return [c["outputs"] for c in notebook["cells"] if c["cell_type"] == "code"]


def stdout(outputs):
    return "".join("".join(o["text"]) if isinstance(o["text"], list) else o["text"]
                   for o in outputs if o["output_type"] == "stream" and o["name"] == "stdout")


def images(outputs):
    """Figures among the outputs: raster images, or the book's inline SVG figures (tcplab.views)."""
    return sum(1 for o in outputs if "image/png" in o.get("data", {})
               or 'class="tcplab-figure"' in "".join(o.get("data", {}).get("text/html", "")))


def test_a_chapter_runs_in_the_browser_with_nothing_from_other_hosts(lite, site_url):
    page = lite.page
    started = time.monotonic()
    page.goto(f"{site_url}lite/notebooks/index.html?path={CHAPTER}")
    page.wait_for_function(KERNEL_IDLE, timeout=KERNEL_TIMEOUT_MS)
    ready = time.monotonic()
    page.evaluate(RUN_ALL)
    page.wait_for_function(f"() => ({OUTPUTS})()[0].length > 0", timeout=RUN_TIMEOUT_MS)
    first = time.monotonic()
    page.wait_for_function("() => window.ranAll === true", timeout=RUN_TIMEOUT_MS)
    outputs = page.evaluate(OUTPUTS)
    print(f"\n{CHAPTER}: kernel idle after {ready - started:.1f} s, first cell's output after "
          f"{first - started:.1f} s, every cell run after {time.monotonic() - started:.1f} s")

    stored = stored_outputs(ROOT / "book" / CHAPTER)
    assert len(outputs) == len(stored)
    errors = [f"cell {i}: {o['ename']}: {o['evalue']}" for i, cell in enumerate(outputs)
              for o in cell if o["output_type"] == "error"]
    assert not errors, errors
    assert "FIN sent at" in stdout(outputs[2])
    noise = [f"cell {i}: {''.join(o['text'])}" for i, cell in enumerate(outputs)
             for o in cell if o["output_type"] == "stream" and o["name"] == "stderr"]
    assert not noise, f"scapy or matplotlib talked on stderr: {noise}"
    for i, (new, old) in enumerate(zip(outputs, stored)):
        assert stdout(new) == stdout(old), f"cell {i} printed something else in the browser"
    assert sum(map(images, outputs)) == sum(map(images, stored)) > 0
    try:
        page.wait_for_function(f"() => ({RENDERED_FIGURES})() >= {sum(map(images, stored))}", timeout=30_000)
    except Exception:
        shown = page.evaluate(f"() => [({RENDERED_FIGURES})(), document.querySelectorAll('.jp-OutputArea-output svg').length,"
                              " document.querySelectorAll('.jp-OutputArea-output figure').length,"
                              " [...document.querySelectorAll('.jp-OutputArea-output')].map(o => o.innerHTML.slice(0, 120)).filter(h => h.includes('figure'))]")
        pytest.fail(f"figures drawn in the browser: {shown}; stored: {sum(map(images, stored))}")
    page.wait_for_function(STEPPER_SHOWN, timeout=30_000)
    assert not lite.foreign, f"requests to other hosts: {lite.foreign}"
    assert not lite.failed, f"failed requests: {lite.failed}"
    assert not lite.errors, lite.errors
