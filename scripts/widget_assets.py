"""Sphinx extension: the site serves the ipywidgets JavaScript itself, only to pages that need it.

`npm ci` (the Makefile's $(JS_STAMP) target) installs the pinned `@jupyter-widgets/html-manager`
into node_modules/.  This extension copies what the pages need into the
built site, *outside* the book's root `_static` folder (Jupyter Book 1 adds every .js/.css
found under the static paths to every page, which would load a 3.6 MB bundle everywhere):

- `_static/widgets/config.js` (scripts/widget_config.js) and `embed.js`, which `_config.yml`
  names in MyST-NB's `nb_ipywidgets_js`.  MyST-NB adds those <script>s only to pages whose
  notebook metadata carries widget state.  `embed.js` is html-manager's bundle of the built-in
  widgets (base, controls, output) that needs no RequireJS: 1.9 MB against 3.7 MB for
  `embed-amd.js` + `require.js`, and it cannot fetch third-party widget code from a CDN.
- the Font Awesome files the widget CSS references (Play's icons).  The bundle resolves them
  against `window.__jupyter_widgets_assets_path__`, which config.js sets to `_static/widgets/`.

Configured in `_config.yml` under `sphinx.local_extensions` / `sphinx.config.extensions`.
"""

import shutil
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Where the copies go, relative to the HTML output folder (matches nb_ipywidgets_js).
TARGET = "_static/widgets"
HTML_MANAGER = "node_modules/@jupyter-widgets/html-manager/dist"
SCRIPTS = {
    "config.js": "scripts/widget_config.js",
    "embed.js": f"{HTML_MANAGER}/embed.js",
}
FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".eot", ".svg")
MISSING = ("{path} is missing: the widget JavaScript comes from npm. Run `npm ci --ignore-scripts` "
           "(or `make book`, which does it) in {root}.")


def _root(app):
    return Path(app.config.widget_assets_root or app.confdir).resolve()


def _sources(app):
    root = _root(app)
    scripts = {name: root / rel for name, rel in SCRIPTS.items()}
    for path in scripts.values():
        if not path.is_file():
            raise ExtensionError(MISSING.format(path=path, root=root))
    fonts = sorted(p for p in (root / HTML_MANAGER).iterdir() if p.suffix in FONT_SUFFIXES)
    if not fonts:
        raise ExtensionError(MISSING.format(path=root / HTML_MANAGER / "*.woff2", root=root))
    return scripts, fonts


def _check(app):
    """Fail early (before reading any page) when node_modules is not installed."""
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
    scripts, fonts = _sources(app)
    outdir = Path(app.outdir)
    for name, src in scripts.items():
        _copy_if_changed(src, outdir / TARGET / name)
    for font in fonts:
        _copy_if_changed(font, outdir / TARGET / font.name)
    pages = widget_pages(env)
    logger.info(f"[widget_assets] widget JavaScript in {TARGET}/ for {len(pages)} page(s) with widgets")


def setup(app):
    app.add_config_value("widget_assets_root", "", "env")
    app.connect("builder-inited", _check)
    app.connect("env-updated", _copy)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
