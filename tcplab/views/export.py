"""Deterministic SVG, PNG and HTML of a figure (same figure, same bytes, in any process)."""

import hashlib
import html
import io
import re

import matplotlib

from ..core.errors import InvalidArgument
from ..core.validation import check_int, check_number, check_str
from . import theme
from .artists import texts
from .rc import RC


def to_svg(fig):
    """The figure as SVG text: fixed ids (``svg.hashsalt``), glyphs as paths, no date."""
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def to_png(fig, dpi=150, colors=None):
    """The figure as PNG bytes at *dpi* dots per inch.

    With *colors* (2..256) the image is reduced to a palette of that many colours first:
    line art loses nothing visible and the file shrinks several times (the widgets use it).
    """
    _check_dpi(dpi)
    if colors is None:
        buffer = io.BytesIO()
        with matplotlib.rc_context(RC):
            fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return buffer.getvalue()
    return _encode(_palette_image(fig, dpi, colors), "PNG", compress_level=6)


def to_webp(fig, dpi=96, colors=32):
    """The figure as lossless WebP bytes, reduced to a palette of *colors*: about a quarter
    smaller than the same palette PNG, which keeps pages with many widget frames light."""
    _check_dpi(dpi)
    return _encode(_palette_image(fig, dpi, colors).convert("RGB"), "WEBP", lossless=True, method=4)


def _check_dpi(dpi):
    check_number("dpi", dpi, 10, 1200)


def _palette_image(fig, dpi, colors):
    """Draw *fig* once at *dpi* and reduce it to *colors* colours (a PIL image in mode "P")."""
    check_int("colors", colors, 2, 256)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image  # a dependency of matplotlib

    original_dpi = fig.dpi
    with matplotlib.rc_context(RC):
        fig.set_dpi(dpi)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        image = Image.frombuffer("RGBA", canvas.get_width_height(), bytes(canvas.buffer_rgba()), "raw", "RGBA", 0, 1)
        fig.set_dpi(original_dpi)
    return image.convert("RGB").quantize(colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)


def _encode(image, image_format, **options):
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


# --- the book's figures: inline SVG that follows the page's theme --------------------

#: The smallest text a reader sees, in CSS pixels, at any width the page shows a figure.
TEXT_FLOOR_PX = 9.0
#: CSS pixels per point (the SVG's user unit is the point: 96 / 72).
PX_PER_PT = 96 / 72

_COLOR = re.compile(r"((?:fill|stroke): ?)(#[0-9a-fA-F]{6})")
_SIZE = re.compile(r'<svg ([^>]*?)width="([\d.]+)pt" height="([\d.]+)pt"')
_FONT = "font-family: 'DejaVu Sans'"
_FONT_STACK = "font-family:'DejaVu Sans',Verdana,'Bitstream Vera Sans',sans-serif"


def smallest_text(fig):
    """The size in points of the smallest visible text of *fig* (None if it has none)."""
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    return min(sizes) if sizes else None


def display_widths(fig):
    """(natural, least): the figure's width in CSS px, and the least width the book shows it at,
    so that its smallest text is never below `TEXT_FLOOR_PX` (narrower screens scroll it)."""
    natural = fig.get_size_inches()[0] * 96
    smallest = smallest_text(fig)
    if smallest is None:
        return natural, natural / 2
    least = natural * TEXT_FLOOR_PX / (smallest * PX_PER_PT)
    if least > natural + 0.5:
        raise ValueError(f"fig has {smallest} pt text, below the {TEXT_FLOOR_PX} px floor even at full size")
    return natural, min(least, natural)


def to_themed_svg(fig, alt):
    """The figure as inline SVG for an HTML page: text as text, colours that turn dark with the
    page (see `theme`), a halo behind labels, and *alt* as its accessible name and description.

    Deterministic, like `to_svg`: ids come from the content.  The ``<svg>`` element's id is
    ``tcplab-<hash>``, and every artist's gid becomes ``tcplab-<hash>-<gid>``.
    """
    alt = " ".join(check_str("alt", alt).split())
    if not alt:
        raise InvalidArgument("alt must be a text that describes the figure, got only white space")
    svg = _text_svg(fig)
    svg = svg[svg.index("<svg"):]
    uid = "tcplab-" + hashlib.sha1((svg + alt).encode()).hexdigest()[:10]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r' d="([^"]*)"', lambda m: f' d="{_compact_path(m.group(1))}"', svg)
    svg = re.sub(r' (x|y)="(-?\d+\.\d{3,})"', lambda m: f' {m.group(1)}="{_number(m.group(2))}"', svg)
    svg = re.sub(r' transform="rotate\(-0 [^"]*\)"', "", svg)
    svg = svg.replace(_FONT + "; ", "")                  # one font rule for the whole figure instead
    svg = svg.replace("<style type=\"text/css\">*{", f"<style type=\"text/css\">#{uid} *{{")
    # Ids unique in a page that shows several figures (artist gids become "<uid>-flight-3").
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{uid}-\1"', svg)
    svg = re.sub(r'(url\(#|xlink:href="#)', rf"\g<1>{uid}-", svg)
    colors = sorted({c.lower() for _, c in _COLOR.findall(svg)} | {theme.LIGHT_BACKGROUND})
    svg = _COLOR.sub(lambda m: f"{m.group(1)}var({theme.variable(m.group(2))}, {m.group(2).lower()})", svg)
    title = html.escape(alt.split(":")[0].split(".")[0][:80], quote=False)
    paper = f"var({theme.variable(theme.LIGHT_BACKGROUND)}, {theme.LIGHT_BACKGROUND})"
    style = ("<style>"
             + f"#{uid} text{{{_FONT_STACK}}}"
             + theme.dark_stylesheet(colors, f"#{uid}")
             + f"#{uid} .tcplab-halo text{{paint-order:stroke;stroke:{paper};stroke-width:2.6px;"
               "stroke-linejoin:round}"
             + "</style>")
    head = (f'<svg id="{uid}" class="tcplab-svg" role="img" aria-labelledby="{uid}-title {uid}-desc" '
            f'preserveAspectRatio="xMinYMin meet" \\1')
    svg = _SIZE.sub(head, svg, count=1)
    svg, classes = _styles_to_classes(_drop_automatic_ids(svg), uid)
    style = style.replace("</style>", classes + "</style>")
    opening_end = svg.index(">") + 1
    # "nohighlight": Sphinx's search highlighter would wrap a found word of them in an SVG
    # <tspan> and measure it with getBBox, which <title> and <desc> do not have.
    return (svg[:opening_end] + f'<title id="{uid}-title" class="nohighlight">{title}</title>'
            f'<desc id="{uid}-desc" class="nohighlight">{html.escape(alt, quote=False)}</desc>' + style
            + svg[opening_end:])


#: The ids matplotlib gives every group ("patch_3", "text_12", "line2d_5" …), as the page has them.
_AUTOMATIC_ID = re.compile(r' id="(tcplab-[0-9a-f]{10}-(?:figure|axes|patch|text|line2d|legend|'
                           r'[A-Za-z]*Collection|matplotlib\.axis|[xy]tick|image)_\d+)"')


def _drop_automatic_ids(svg):
    """*svg* without matplotlib's own group ids that nothing refers to, and without the
    indentation between tags: the artists' gids, and every id a url(#…) or href names, stay."""
    referenced = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', svg))
    svg = _AUTOMATIC_ID.sub(lambda m: m.group(0) if m.group(1) in referenced else "", svg)
    return re.sub(r">\s+<", "><", svg)


def _styles_to_classes(svg, uid):
    """(*svg* with each distinct style attribute of its elements turned into a class, the CSS of
    those classes): a figure repeats a few dozen styles hundreds of times."""
    names = {}

    def restyle(match):
        tag = match.group(0)
        style = re.search(r' style="([^"]*)"', tag)
        if style is None:
            return tag
        name = names.setdefault(style.group(1), f"s{len(names)}")
        tag = tag.replace(style.group(0), "", 1)
        if ' class="' in tag:
            return tag.replace(' class="', f' class="{name} ', 1)
        end = "/>" if tag.endswith("/>") else ">"
        return tag[:-len(end)] + f' class="{name}"' + end
    opening_end = svg.index(">") + 1
    svg = svg[:opening_end] + re.sub(r"<[a-zA-Z][^<>]*>", restyle, svg[opening_end:])
    return svg, "".join(f"#{uid} .{name}{{{css}}}" for css, name in names.items())


def to_html(fig, alt):
    """The figure as the book shows it: a themed inline SVG (`to_themed_svg`) in a ``<figure>``
    that is never narrower than its text floor allows (it scrolls sideways on a narrow
    screen) and a link that opens it full size over the page (CSS ``:target``, no script)."""
    svg = to_themed_svg(fig, alt)
    uid = re.search(r'<svg id="([^"]+)"', svg).group(1)
    natural, least = display_widths(fig)
    svg = svg.replace("<svg ", f'<svg style="width:100%;height:auto;min-width:{least:.0f}px;'
                      f'max-width:{natural:.0f}px" ', 1)
    figure_id = uid + "-figure"
    css = (f"#{figure_id}{{margin:0 0 .5em}}"
           # pydata-sphinx-theme lays HTML outputs on a light card in dark mode; a themed figure needs none.
           + ",".join(f"html[data-theme=dark] .bd-content div.cell_output div.text_html:has(>{inner})"
                      for inner in ("figure.tcplab-figure", "div.tcplab-panels"))
           + "{background:transparent;padding:0}"
           f"#{figure_id} .tcplab-figure-scroll{{overflow-x:auto}}"
           f"#{figure_id} .tcplab-figure-open,#{figure_id} .tcplab-figure-close{{font-size:.85em}}"
           f"#{figure_id} .tcplab-figure-close{{display:none}}"
           f"#{figure_id}:target{{position:fixed;inset:0;z-index:2000;overflow:auto;margin:0;padding:2.5em 1em 1em;"
           f"background:var({theme.PAGE_BACKGROUND},#fff)}}"
           f"#{figure_id}:target .tcplab-figure-scroll{{overflow:visible}}"
           f"#{figure_id}:target svg{{min-width:{natural:.0f}px!important;max-width:none!important;"
           f"width:max(100%,{natural:.0f}px)!important}}"
           f"#{figure_id}:target .tcplab-figure-open{{display:none}}"
           f"#{figure_id}:target .tcplab-figure-close{{display:inline;position:fixed;top:.5em;right:1em}}")
    return (f'<figure class="tcplab-figure" id="{figure_id}"><style>{css}</style>'
            # Focusable, so a keyboard can scroll it where it is wider than the screen.
            f'<div class="tcplab-figure-scroll" tabindex="0" role="group" aria-labelledby="{uid}-title">'
            f"{svg}</div>"
            f'<a class="tcplab-figure-open" href="#{figure_id}">Open the figure full size</a>'
            f'<a class="tcplab-figure-close" href="#{figure_id}-closed">Close the full-size figure</a>'
            f"</figure>")


def _compact_path(data):
    """Path data with coordinates to 1/100 pt and single spaces: a third smaller, the same to the eye."""
    data = re.sub(r"-?\d+\.\d{3,}", lambda m: _number(m.group(0)), data)
    return " ".join(data.split())


def _number(text):
    """A coordinate to 1/100 pt."""
    return f"{float(text):.2f}".rstrip("0").rstrip(".")


def _text_svg(fig):
    """SVG with text as <text> (selectable, scalable, and a tenth of the size) and every halo
    (a path effect, which the SVG backend would turn into outlines) as a class instead."""
    haloed = [t for t in texts(fig) if t.get_path_effects()]
    saved = [(t, t.get_path_effects(), t.get_gid()) for t in haloed]
    names = set()
    for n, t in enumerate(haloed):
        t.set_path_effects([])
        if t.get_gid() is None:
            t.set_gid(f"halo-{n}")
        names.add(t.get_gid())
    try:
        buffer = io.StringIO()
        with matplotlib.rc_context(RC | {"svg.fonttype": "none"}):
            fig.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        for t, effects, gid in saved:
            t.set_path_effects(effects)
            t.set_gid(gid)
    return re.sub(r'<g id="([^"]+)">', lambda m: f'<g id="{m.group(1)}" class="tcplab-halo">'
                  if m.group(1) in names else m.group(0), buffer.getvalue())
