"""Sphinx extension: the page shell serves what the theme needs, and marks Chinese text.

- Icons.  pydata-sphinx-theme loads Font Awesome's whole icon set as a 1.5 MB script
  (`fontawesome.js`) on every page to turn some fifteen `<i class="fa-solid fa-bars">` into SVG.
  After the build, every such element in the written pages becomes that inline `<svg>` (path
  data taken from the theme's own fontawesome.js), the script tag goes, and so do the Font
  Awesome files in the output.  The icons the theme's CSS draws with Font Awesome's solid font
  (admonition titles, download and external links) become CSS masks of the same paths, in
  `_static/tcplab-icons.css`: no page fetches an icon font.  Icons the pages do not name are never shipped.
- The navigation's icon-only expand buttons get a name (axe-core: summary-name), and MyST-NB's
  toggles of hidden cells are named by the text they show (axe-core: label-content-name-mismatch).
- Text outputs of cells that are not tables (no columns) are marked so CSS lets them wrap;
  tables printed as text keep their columns and scroll sideways on their own.
- Images load lazily and decode off the main thread, so the widget script (which waits for the
  window's load event) is not held up by figures further down the page.
- Figures (tcplab.views.export.to_html) get the height they will take, as CSS
  `contain-intrinsic-size`: `_static/tcplab.css` lets the browser skip laying out and painting a
  figure far from the screen (`content-visibility: auto`), and that height stands in for it
  until it is first drawn, so the page's length and the scroll bar are right from the start.
- Style sheets in the body (each figure's, each widget's static copy's) move to the end of the
  head, each distinct one once: the browser meets every rule before the body instead of
  restyling the page at every figure as it reads it.  Each such sheet styles the whole page
  wherever it stands (its rules name the figure's id), so nothing changes but the time.
- Clicks in widgets.  Bootstrap's data API (the theme's menus) listens to every click on the
  page and each time searches the whole document for its elements, which holds 16,000 on the
  longest chapter: most of a step's script time.  A small script before bootstrap.js
  (`scripts/bootstrap_clicks.js`) lets those listeners skip clicks inside widgets, which hold
  none of their elements.
- Chinese text.  Every run of CJK characters outside code is wrapped in `<span lang="zh">`, so
  screen readers and fonts treat it as Chinese (pages written in English otherwise claim it):
  in the document by a post-transform, in the navigation the theme writes by the rewriting.

Configured in `_config.yml` under `sphinx.local_extensions` / `sphinx.config.extensions`.
"""

import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

FONTAWESOME = "_static/scripts/fontawesome.js"
#: Removed from the output.
FONTAWESOME_FILES = ("_static/scripts/fontawesome.js", "_static/scripts/fontawesome.js.map",
                     "_static/scripts/fontawesome.js.LICENSE.txt", "_static/vendor/fontawesome")
#: The stylesheet of the icons the theme's CSS would draw with the solid webfont (written after the build).
ICON_CSS = "tcplab-icons.css"
#: Pseudo-elements the theme's CSS draws with Font Awesome's solid font, and the icon each shows.
FONT_ICONS = {".admonition>.admonition-title:after, div.admonition>.admonition-title:after": "bell"} | {
    f".admonition.{kind}>.admonition-title:after, div.admonition.{kind}>.admonition-title:after": icon
    for kind, icon in (("attention", "circle-exclamation"), ("caution", "triangle-exclamation"),
                       ("warning", "triangle-exclamation"), ("danger", "triangle-exclamation"),
                       ("error", "circle-xmark"), ("hint", "lightbulb"), ("tip", "lightbulb"),
                       ("important", "circle-exclamation"), ("note", "circle-info"), ("seealso", "share"),
                       ("admonition-todo", "pencil"))} | {
    "a.reference.download:before": "download",
    ".nav-link.nav-external:after, nav.bd-links li>a.reference.external:after": "arrow-up-right-from-square",
    "div#searchbox p.highlight-link a:before": "magnifying-glass-minus"}
#: Font Awesome's solid set is registered by `d("fas",p)`, the object `var p={...}` before it.
SOLID_PACK_END, PACK_START = 'd("fas",p)', "var p={"
ICON = re.compile(r'"?([\w-]+)"?:\[(\d+),(\d+),\[([^\]]*)\],"[^"]*","([^"]*)"\]')
ICON_ELEMENT = re.compile(r'<(i|span) class="([^"]*\bfa-[\w-]+[^"]*)"([^>]*)>\s*</\1>')
FA_CLASS = re.compile(r"^(fa|fas|far|fab|fa-solid|fa-regular|fa-brands|fa-[\w-]+)$")
#: bootstrap.js's tag, before which goes a script that keeps its document-wide click searches out
#: of widgets (scripts/bootstrap_clicks.js).
BOOTSTRAP_TAG = re.compile(r'<script defer src="[^"]*_static/scripts/bootstrap\.js')
BOOTSTRAP_CLICKS = (Path(__file__).with_name("bootstrap_clicks.js")).read_text(encoding="utf-8")
SCRIPT_TAG = re.compile(r'\s*<script defer src="[^"]*' + re.escape(FONTAWESOME) + r'[^"]*"></script>')
IMG_TAG = re.compile(r"<img (?![^>]*\bloading=)")
#: The navigation's expand buttons hold only an icon: they get a name.
SECTION_TOGGLE = '<summary><span class="toctree-toggle" role="presentation">'
NAMED_SECTION_TOGGLE = '<summary aria-label="Pages in this section"><span class="toctree-toggle" role="presentation">'
#: A text output of a cell; it is a table when two or more of its lines hold columns (a gap of 2+ spaces).
TEXT_OUTPUT = re.compile(r'(<div class="output (?:stream|text_plain)[^"]*"><div class="highlight"><pre)>(.*?</pre>)', re.DOTALL)
COLUMN_GAP = re.compile(r"\S {2,}\S")
#: MyST-NB names its show/hide toggles of hidden cells "Toggle hidden content", which is not the
#: visible text ("Show code cell content"): without the label their name is what they show.
HIDDEN_CELL_TOGGLE = '<summary aria-label="Toggle hidden content">'
#: A style sheet in the page.  One holding a character reference stays put: inside an <svg> it
#: is decoded, in the head it would not be.
STYLE_ELEMENT = re.compile(r"<style\b[^>]*>[^<&]*</style>")
#: A figure's opening tag, up to its <svg>'s width limits (CSS px) and viewBox (its aspect ratio).
FIGURE = re.compile(r'<figure class="tcplab-figure" (id="[^"]+")>(<style>[^<]*</style><div class="tcplab-figure-scroll"[^>]*>'
                    r'<svg style="width:100%;height:auto;min-width:(\d+)px;max-width:(\d+)px"[^>]*?'
                    r'viewBox="0 0 ([\d.]+) ([\d.]+)")')
#: The column a figure is shown in, at most: the screen less the article's padding on a phone.
COLUMN = "100vw - 2.25rem"
#: The line under a figure that opens it full size.
FIGURE_LINK = "1.6em"
#: The class MarkChinese gives Chinese text; the rewriting turns it into the lang attribute.
CHINESE_CLASS = "tcplab-lang-zh"
CHINESE_SPAN, LANG_SPAN = f'<span class="{CHINESE_CLASS}">', '<span lang="zh">'
#: Script elements, which the rewriting leaves alone (widget state holds HTML as JSON strings).
SCRIPT_ELEMENT = re.compile(r"(<script\b.*?</script>)", re.DOTALL)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+"
                 r"(?:[\s\u00b7]*[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+)*")


def solid_icons(fontawesome_js):
    """{name or alias: (width, height, path)} of Font Awesome's solid set in *fontawesome_js*."""
    end = fontawesome_js.find(SOLID_PACK_END)
    start = fontawesome_js.rfind(PACK_START, 0, end)
    if end < 0 or start < 0:
        raise ValueError(f"fontawesome_js must hold Font Awesome's solid icon pack ({SOLID_PACK_END})")
    icons = {}
    for name, width, height, aliases, path in ICON.findall(fontawesome_js[start:end]):
        icon = (int(width), int(height), path)
        icons[name] = icon
        for alias in json.loads(f"[{aliases}]"):
            if isinstance(alias, str):
                icons.setdefault(alias, icon)
    return icons


def inline_icons(page, icons):
    """*page* with every Font Awesome `<i>`/`<span>` replaced by its inline `<svg>`."""

    def svg(match):
        classes = match.group(2).split()
        names = [c[3:] for c in classes if c.startswith("fa-") and c[3:] in icons]
        if not names:
            raise ValueError(f"icon classes must name a Font Awesome solid icon; got {match.group(2)!r}")
        width, height, path = icons[names[0]]
        kept = [c for c in classes if not FA_CLASS.match(c)] + ["tcplab-icon"]
        if "fa-lg" in classes:
            kept.append("tcplab-icon-lg")
        return (f'<svg class="{" ".join(kept)}"{match.group(3)} aria-hidden="true" focusable="false" '
                f'width="{width / height:.4g}em" height="1em" viewBox="0 0 {width} {height}">'
                f'<path fill="currentColor" d="{path}"/></svg>')

    return ICON_ELEMENT.sub(svg, page)


def icon_stylesheet(icons):
    """CSS drawing each of `FONT_ICONS` as a mask of its path, in the colour of the text."""
    mask = "var(--tcplab-icon) center / contain no-repeat"
    rules = [f'{", ".join(FONT_ICONS)} {{ content: ""; font: inherit; display: inline-block; width: 1em; '
             f"height: 1em; background-color: currentColor; -webkit-mask: {mask}; mask: {mask}; }}"]
    for selector, name in FONT_ICONS.items():
        width, height, path = icons[name]
        svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'><path d='{path}'/></svg>"
        rules.append(f'{selector} {{ content: ""; --tcplab-icon: url("data:image/svg+xml,{quote(svg, safe=" =:/<>.,-")}"); }}')
    return "/* Written by scripts/site_shell.py: the theme's font icons as masks. */\n" + "\n".join(rules) + "\n"


NAVIGATION = re.compile(r"<nav\b.*?</nav>", re.DOTALL)
TAG_AND_TEXT = re.compile(r"(<[^>]*>)([^<]+)")


def mark_chinese_in_navigation(page):
    """*page* with every run of CJK characters in its navigation lists (the sidebar, the page's
    table of contents: written by the theme, not from the document) in `<span lang="zh">`."""

    def text(match):
        if match.group(1) == LANG_SPAN:
            return match.group(0)
        return match.group(1) + CJK.sub(lambda m: f"{LANG_SPAN}{m.group()}</span>", match.group(2))

    return NAVIGATION.sub(lambda nav: TAG_AND_TEXT.sub(text, nav.group()), page)


def mark_prose_outputs(page):
    """*page* with `class="tcplab-wrap"` on every text output that is not a table: those may wrap."""

    def mark(match):
        lines = match.group(2).splitlines()
        if sum(1 for line in lines if COLUMN_GAP.search(line)) >= 2:
            return match.group(0)
        return f'{match.group(1)} class="tcplab-wrap">{match.group(2)}'

    return TEXT_OUTPUT.sub(mark, page)


def size_figures(page):
    """*page* with each figure's height as its `contain-intrinsic-size`: its drawing as wide as
    the column, within the drawing's own least and greatest width, plus the link under it."""

    def size(match):
        least, most, width, height = match.group(3, 4, 5, 6)
        shown = f"clamp({least}px, {COLUMN}, {most}px)"
        style = f"contain-intrinsic-size:auto calc({shown} * {float(height) / float(width):.4f} + {FIGURE_LINK})"
        return f'<figure class="tcplab-figure" {match.group(1)} style="{style}">{match.group(2)}'

    return FIGURE.sub(size, page)


def hoist_styles(page):
    """*page* with the style sheets of its body (script elements excepted) at the end of its
    head, in their order, each distinct one once."""
    head, end, body = page.partition("</head>")
    if not end:
        return page
    styles = []
    parts = SCRIPT_ELEMENT.split(body)
    for i in range(0, len(parts), 2):
        parts[i] = STYLE_ELEMENT.sub(lambda match: styles.append(match.group()) or "", parts[i])
    return head + "".join(dict.fromkeys(styles)) + end + "".join(parts)


def rewrite_page(page, icons):
    """The written HTML *page* as the site serves it: inline icons, no Font Awesome script, lazy
    images, figures' heights, the body's style sheets in the head, named section toggles in the
    navigation, text outputs that may wrap marked, Chinese text in `lang="zh"`, and bootstrap's
    click searches kept out of widgets."""
    parts = SCRIPT_ELEMENT.split(SCRIPT_TAG.sub("", page))
    for i in range(0, len(parts), 2):  # the text between <script> elements
        text = inline_icons(parts[i], icons).replace(SECTION_TOGGLE, NAMED_SECTION_TOGGLE)
        text = text.replace(HIDDEN_CELL_TOGGLE, "<summary>")
        text = mark_prose_outputs(mark_chinese_in_navigation(text.replace(CHINESE_SPAN, LANG_SPAN)))
        parts[i] = size_figures(IMG_TAG.sub('<img loading="lazy" decoding="async" ', text))
    page = hoist_styles("".join(parts))
    if BOOTSTRAP_CLICKS in page:
        return page
    return BOOTSTRAP_TAG.sub(lambda m: f"<script>\n{BOOTSTRAP_CLICKS}</script>\n{m.group()}", page, count=1)


def _rewrite_output(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    source = outdir / FONTAWESOME
    if not source.is_file():
        return
    icons = solid_icons(source.read_text(encoding="utf-8"))
    pages = sorted(outdir.rglob("*.html"))
    for path in pages:
        text = path.read_text(encoding="utf-8")
        rewritten = rewrite_page(text, icons)
        if rewritten != text:
            path.write_text(rewritten, encoding="utf-8")
    (outdir / "_static" / ICON_CSS).write_text(icon_stylesheet(icons), encoding="utf-8")
    for rel in FONTAWESOME_FILES:
        target = outdir / rel
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    logger.info(f"[site_shell] inline SVG icons in {len(pages)} page(s); Font Awesome files removed")


class MarkChinese(SphinxPostTransform):
    """Wrap runs of CJK characters in prose (titles too) in a span that becomes `<span lang="zh">`."""

    default_priority = 900
    formats = ("html",)
    SKIP = (nodes.FixedTextElement, nodes.literal, nodes.raw, nodes.comment)

    def run(self):
        for text in list(self.document.findall(nodes.Text)):
            if not CJK.search(text) or self._skipped(text):
                continue
            parts, last = [], 0
            for match in CJK.finditer(text):
                parts.append(nodes.Text(text[last:match.start()]))
                parts.append(nodes.inline(match.group(), match.group(), classes=[CHINESE_CLASS]))
                last = match.end()
            parts.append(nodes.Text(text[last:]))
            text.parent.replace(text, [p for p in parts if not (isinstance(p, nodes.Text) and not p)])

    def _skipped(self, text):
        node = text.parent
        while node is not None:
            if isinstance(node, self.SKIP) or "cell_output" in node.get("classes", []):
                return True
            node = node.parent
        return False


def setup(app):
    app.add_css_file(ICON_CSS, priority=900)
    app.add_post_transform(MarkChinese)
    app.connect("build-finished", _rewrite_output)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
