"""Where the built book is and which pages its table of contents lists (no browser needed)."""

import os
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import widget_assets  # noqa: E402  (scripts/widget_assets.py: how a page stores its widget state)

SITE = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
#: Measured by the browser tests and printed at the end of the run: {page: (bytes, files)},
#: {page: (median seconds until the first widget is interactive, its budget, seconds a page without
#: widgets took to load)}, and axe-core's findings inside outputs.
WEIGHTS = {}
INTERACTIVE = {}
OUTPUT_VIOLATIONS = set()


class _Links(HTMLParser):
    """hrefs of internal links inside the primary sidebar's <nav class="bd-docs-nav">."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.links = []
        self.redirect = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            content = attrs.get("content") or ""
            if "url=" in content.lower():
                self.redirect = content[content.lower().index("url=") + 4:].strip()
        if self.depth:
            self.depth += 1
            if tag == "a" and "internal" in (attrs.get("class") or "") and attrs.get("href"):
                self.links.append(attrs["href"])
        elif tag == "nav" and "bd-docs-nav" in (attrs.get("class") or ""):
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1


def _parse(path):
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def toc_pages(site=SITE):
    """Paths (relative to *site*) of the root page and every page the built table of contents lists."""
    if not (site / "index.html").is_file():
        return []
    start = "index.html"
    index = _parse(site / start)
    if index.redirect:
        start = urlparse(urljoin("http://x/index.html", index.redirect)).path.lstrip("/")
    pages = [start]
    for href in _parse(site / start).links:
        path = urlparse(urljoin(f"http://x/{start}", href)).path.lstrip("/")
        if path and path not in pages and (site / path).is_file():
            pages.append(path)
    return pages


def widget_pages(site=SITE):
    """Pages that hold widget state (as JSON or packed, see scripts/widget_assets.py)."""
    return [p for p in toc_pages(site) if widget_state(site / p) is not None]


def widget_state(path):
    """The widget-state JSON text stored in the written page at *path*, or None."""
    return widget_assets.unpack_widget_state(path.read_text(encoding="utf-8"))


def explorer_pages(site=SITE):
    """Widget pages whose stored widget state holds an Explorer (its CSS class is in the state)."""
    return [p for p in widget_pages(site) if '"tcplab-explorer"' in widget_state(site / p)]
