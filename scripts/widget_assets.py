"""Sphinx extension: the site serves the ipywidgets JavaScript itself, only to pages that need it.

`npm ci` (the Makefile's $(JS_STAMP) target) installs the pinned ipywidgets packages and esbuild
into node_modules/, and `node scripts/build_widgets.mjs` bundles scripts/widget_embed.js, the
book's own renderer of the built-in widgets, into node_modules/.tcplab-widgets/ (embed.js and
embed.css).  This extension copies that bundle into the built site,
*outside* the book's root `_static` folder (Jupyter Book 1 adds every .js/.css found under the
static paths to every page):

- `_static/widgets/embed.js`, which `_config.yml` names in MyST-NB's `nb_ipywidgets_js`: MyST-NB
  adds that (deferred) <script> only to pages whose notebook metadata carries widget state;
- `_static/widgets/embed.css`, which this extension adds to those same pages only.

Play's icons are SVG masks (scripts/widget_icons.css, bundled into embed.css): no icon font.

The widget state MyST-NB writes into a page (one JSON `<script>`, mostly the SVG drawings of every
step-through and what-if case) is stored gzip-compressed and base64-encoded once the pages are
written (`pack_widget_state`): a static host need not compress what it serves, and that text
shrinks about ninefold.  A small inline script right after it starts inflating it with the
browser's DecompressionStream while the rest of the page loads (`INFLATE`), so the state is ready
when the deferred embed.js runs, which then builds the first widget before the theme's own scripts.

Configured in `_config.yml` under `sphinx.local_extensions` / `sphinx.config.extensions`.
"""

import base64
import gzip
import re
import shutil
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Where the copies go, relative to the HTML output folder (matches nb_ipywidgets_js).
TARGET = "_static/widgets"
BUNDLE = "node_modules/.tcplab-widgets"
REQUIRED = ("embed.js", "embed.css")
#: The widget state as MyST-NB writes it, and as the site stores it (read by scripts/widget_embed.js).
STATE_TYPE = "application/vnd.jupyter.widget-state+json"
PACKED_TYPE = STATE_TYPE + ";encoding=gzip-base64"
STATE_SCRIPT = re.compile(r'<script type="' + re.escape(STATE_TYPE) + r'">(.*?)</script>', re.DOTALL)
#: Written after the packed state: a promise of its JSON, in window.tcplabWidgetStates (read by embed.js).
INFLATE = ("<script>(window.tcplabWidgetStates = window.tcplabWidgetStates || []).push((() => {"
           "const text = atob(document.currentScript.previousElementSibling.textContent);"
           "const bytes = new Uint8Array(text.length);"
           "for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);"
           "return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).json();"
           "})());</script>")
MISSING = ("{path} is missing: the widget JavaScript is bundled from npm packages. Run `npm ci --ignore-scripts"
           " && node scripts/build_widgets.mjs` (or `make book`, which does both) in {root}.")


def _root(app):
    return Path(app.config.widget_assets_root or app.confdir).resolve()


def _sources(app):
    """Every file of the bundle; raises when the bundle has not been built."""
    root = _root(app)
    bundle = root / BUNDLE
    for name in REQUIRED:
        if not (bundle / name).is_file():
            raise ExtensionError(MISSING.format(path=bundle / name, root=root))
    return sorted(p for p in bundle.iterdir() if p.is_file())


def _check(app):
    """Fail early (before reading any page) when the bundle is not built."""
    if app.builder.format == "html":
        _sources(app)


def widget_pages(env):
    """The docnames whose notebook metadata carries ipywidgets state."""
    pages = []
    for docname, data in sorted(getattr(env, "nb_metadata", {}).items()):
        if "ipywidgets_state" in data.get("js_files", {}):
            pages.append(docname)
    return pages


def _copy_if_changed(src, dst):
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not dst.exists() or dst.stat().st_size != src.stat().st_size or dst.read_bytes() != src.read_bytes():
        shutil.copyfile(src, dst)


def _copy(app, env):
    """After reading, before writing: so Sphinx can stamp ?v=<checksum> on the <script> tags."""
    if app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for src in _sources(app):
        _copy_if_changed(src, outdir / TARGET / src.name)
    pages = widget_pages(env)
    logger.info(f"[widget_assets] widget JavaScript in {TARGET}/ for {len(pages)} page(s) with widgets")


def _add_css(app, pagename, templatename, context, doctree):
    """The widget CSS, on the pages with widgets only."""
    if app.builder.format == "html" and pagename in widget_pages(app.env):
        app.add_css_file("widgets/embed.css")


def pack_widget_state(page):
    """*page* with its widget-state script gzip-compressed and base64-encoded (deterministic bytes),
    followed by the script that inflates it while the page loads."""

    def pack(match):
        packed = base64.b64encode(gzip.compress(match.group(1).strip().encode("utf-8"), 9, mtime=0))
        return f'<script type="{PACKED_TYPE}">{packed.decode("ascii")}</script>{INFLATE}'

    return STATE_SCRIPT.sub(pack, page)


def unpack_widget_state(page):
    """The widget-state JSON text of a written *page* (packed or not), or None when it has none."""
    packed = re.search(r'<script type="' + re.escape(PACKED_TYPE) + r'">([^<]*)</script>', page)
    if packed:
        return gzip.decompress(base64.b64decode(packed.group(1))).decode("utf-8")
    plain = STATE_SCRIPT.search(page)
    return plain.group(1).strip() if plain else None


def _pack_pages(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for docname in widget_pages(app.env):
        path = outdir / app.builder.get_target_uri(docname)
        text = path.read_text(encoding="utf-8")
        packed = pack_widget_state(text)
        if packed != text:
            path.write_text(packed, encoding="utf-8")
            logger.info(f"[widget_assets] {docname}: widget state {len(text) - len(packed):,} bytes smaller packed")


def setup(app):
    app.add_config_value("widget_assets_root", "", "env")
    app.connect("builder-inited", _check)
    app.connect("env-updated", _copy)
    app.connect("html-page-context", _add_css)
    app.connect("build-finished", _pack_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
