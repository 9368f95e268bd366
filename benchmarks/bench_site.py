"""How the built site feels in a browser (prints figures; not a test).

For each page with a step-through widget: how long a step takes on the static page with no
kernel, from the key press on the slider to the next step being shown (median of 20
steps), measured in headless Chromium.  Needs `make book` first and Debian's chromium.

Run: .venv/bin/python benchmarks/bench_site.py
"""

import functools
import http.server
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from book_site import SITE, widget_pages  # noqa: E402
from conftest import ARGS, CHROMIUM  # noqa: E402

STEPS = 20

#: In the page: press ArrowRight on a stepper's slider and time until the next step is current.
STEP = """async (stepper) => {
  const visible = () => [...stepper.querySelectorAll('.tcplab-steps > .lm-TabBar li')]
      .findIndex(li => li.classList.contains('lm-mod-current'));
  const handle = stepper.querySelector('.widget-slider .ui-slider-handle, .widget-slider [role="slider"]');
  const before = visible();
  const start = performance.now();
  handle.focus();
  handle.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', keyCode: 39, bubbles: true}));
  while (visible() === before) {
    await new Promise(r => requestAnimationFrame(r));
    if (performance.now() - start > 3000) return null;
  }
  return performance.now() - start;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    from playwright.sync_api import sync_playwright

    if not (SITE / "index.html").is_file():
        sys.exit("bench_site: build the book first (make book)")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                           args=ARGS)
            page = context.new_page()
            print(f"{'page':<32} {'steps':>5} {'median ms':>10} {'max ms':>8}")
            for path in widget_pages():
                page.goto(base + path)
                page.wait_for_selector(".tcplab-stepper .widget-slider", timeout=20_000)
                stepper = page.locator(".tcplab-stepper").first
                stepper.scroll_into_view_if_needed()
                stepper.evaluate("s => { s.querySelector('.widget-play button:nth-child(2)').click(); }")
                page.wait_for_timeout(200)
                times = [t for t in (stepper.evaluate(STEP) for _ in range(STEPS)) if t is not None]
                if times:
                    print(f"{path:<32} {len(times):>5} {statistics.median(times):>10.1f} {max(times):>8.1f}")
                else:
                    print(f"{path:<32} no step observed")
            context.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
