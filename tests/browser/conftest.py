"""Fixtures for the browser tests: the built site served on 127.0.0.1 and a headless Chromium.

The tests skip, saying why, when the site is not built (`make book`), Playwright is not
installed or Chromium is missing (CHROMIUM overrides /usr/bin/chromium).
"""

import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

import book_site

from book_site import SITE
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--disable-sync", "--disable-default-apps", "--disable-extensions", "--mute-audio",
        "--no-default-browser-check", "--disable-features=Translate,OptimizationHints,MediaRouter"]


def skip_reason():
    """Why the browser tests cannot run here, or None."""
    if not (SITE / "index.html").is_file():
        return f"browser tests skipped: no built site at {SITE} (run `make book` first)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests skipped: the Python package playwright is not installed"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"browser tests skipped: Chromium not found at {CHROMIUM} (set CHROMIUM=/path/to/chromium)"
    return None


SKIP = skip_reason()


def pytest_collection_modifyitems(config, items):
    if SKIP:
        here = Path(__file__).parent
        for item in items:
            if here in Path(str(item.fspath)).parents:
                item.add_marker(pytest.mark.skip(reason=SKIP))


def pytest_terminal_summary(terminalreporter):
    if SKIP:
        terminalreporter.write_line(SKIP, yellow=True)
    if book_site.WEIGHTS:
        terminalreporter.write_sep("-", "bytes each page loads (HTML and every asset, uncompressed)")
        for path, (size, count) in sorted(book_site.WEIGHTS.items()):
            terminalreporter.write_line(f"{path:<32} {size / 1e6:5.2f} MB in {count} files")
    if book_site.INTERACTIVE:
        terminalreporter.write_sep("-", "first widget interactive after navigation (390 px phone, CPU 4x slower)")
        terminalreporter.write_line(f"{'page':<32} {'median':>6}  {'budget':>6}  (a page without widgets loads in)")
        for path, (seconds, budget, plain) in sorted(book_site.INTERACTIVE.items()):
            terminalreporter.write_line(f"{path:<32} {seconds:5.2f} s  {budget:5.2f} s  ({plain:.2f} s)")
    if book_site.OUTPUT_VIOLATIONS:
        terminalreporter.write_sep("-", "axe-core: serious or critical violations inside cell outputs (widgets, figures)")
        for line in sorted(book_site.OUTPUT_VIOLATIONS):
            terminalreporter.write_line(line)


# --- the server and the browser ------------------------------------------------------------
class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    """A threaded server that says nothing when a browser closes a page before a file is sent."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def site_url():
    """The built site served by a threaded http.server on 127.0.0.1 at a free port."""
    server = QuietServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, name="book-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


#: The devices every page is tried on: a laptop and a phone (touch, 2 device pixels per CSS pixel).
DEVICES = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True},
}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def browser_context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def device_context(browser):
    """device_context(device, scheme): a browser context for DEVICES[device] in the "light" or "dark" scheme."""
    contexts = {}

    def get(device, scheme):
        if (device, scheme) not in contexts:
            contexts[device, scheme] = browser.new_context(
                **DEVICES[device], color_scheme=scheme, service_workers="block")
        return contexts[device, scheme]

    try:
        yield get
    finally:
        for context in contexts.values():
            context.close()


class Visit:
    """One page load with everything that went wrong recorded."""

    def __init__(self, context, url, before=None):
        self.page = context.new_page()
        self.errors = []        # console errors and uncaught exceptions
        self.failed = []        # failed requests and HTTP errors
        self.foreign = []       # requests to hosts other than 127.0.0.1
        page = self.page
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", self._response)
        page.route("**/*", self._route)
        if before is not None:
            before(page)
        self.response = page.goto(url, wait_until="networkidle")

    def _route(self, route):
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob", "about") or url.hostname == "127.0.0.1":
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def _response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def weight(self):
        """(bytes, count): uncompressed bytes of the page and every resource it loaded, and how many."""
        sizes = self.page.evaluate("""() => performance.getEntriesByType('navigation')
            .concat(performance.getEntriesByType('resource')).map(e => e.decodedBodySize || 0)""")
        return sum(sizes), len(sizes)

    def close(self):
        if not self.page.is_closed():
            self.page.close()


@pytest.fixture
def visit(browser_context, device_context, site_url):
    """visit(path) in the default context, or visit(path, device=..., scheme=..., before=callback(page))."""
    visits = []

    def load(path, device=None, scheme="light", before=None):
        context = browser_context if device is None else device_context(device, scheme)
        v = Visit(context, site_url + path, before)
        visits.append(v)
        return v

    yield load
    for v in visits:
        v.close()
