"""Light and dark: WCAG contrast, and the dark counterpart of every colour a figure uses.

Figures are drawn once, in the light palette of `style.COLORS`.  Their SVG for the book
(`export.to_html`) names each colour through a CSS variable whose fallback is the light
colour; a stylesheet inside the SVG swaps in `dark_variant` of each colour when the page is
dark (``html[data-theme=dark]``, or ``prefers-color-scheme: dark`` before the theme's script
runs).  The dark variant keeps the hue and mirrors the lightness, then lightens or darkens
a foreground colour until it reads on the dark page as well as the light one did.
"""

import colorsys

#: The page backgrounds of the book's theme (``--pst-color-background`` of sphinx-book-theme).
LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#121212"
#: The theme's variable for it: a figure's paper is the page, whatever the theme makes it.
PAGE_BACKGROUND = "--pst-color-background"

#: The dark page's ink: the dark variant of the light palette's ink (style.COLORS["ink"]).
DARK_INK = "#dddddd"

#: WCAG 2.x minimum contrast for text and for lines and marks.
TEXT_CONTRAST = 4.5
LINE_CONTRAST = 3.0


def _rgb(color):
    color = color.lstrip("#")
    if len(color) != 6:
        raise ValueError(f"color must be '#rrggbb', got {color!r}")
    return tuple(int(color[i:i + 2], 16) / 255 for i in (0, 2, 4))


def _hex(rgb):
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb)


def luminance(color):
    """WCAG relative luminance of '#rrggbb'."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in _rgb(color)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    """WCAG contrast ratio of two colours, 1..21."""
    low, high = sorted((luminance(a), luminance(b)))
    return (high + 0.05) / (low + 0.05)


def dark_variant(color):
    """The colour to use for *color* on the dark page.

    White paper becomes the dark page; a light fill becomes a dark fill of the same hue, dark
    enough for light text (the dark ink) to read on it at 4.5:1; a foreground colour (text,
    lines) keeps its hue and is lightened until its contrast with the dark page is at least
    its contrast with white paper (and at least 4.5:1).
    """
    color = color.lower()
    if color == LIGHT_BACKGROUND:
        return DARK_BACKGROUND
    h, l, s = colorsys.rgb_to_hls(*_rgb(color))
    if luminance(color) > 0.5:                     # a fill or a highlight: stays a background
        lightness = 1 - l
        while contrast(_hex(colorsys.hls_to_rgb(h, lightness, s)), DARK_INK) < TEXT_CONTRAST and lightness > 0.02:
            lightness -= 0.01
        return _hex(colorsys.hls_to_rgb(h, lightness, s))
    wanted = max(TEXT_CONTRAST, min(contrast(color, LIGHT_BACKGROUND), 12.0))
    lightness = 1 - l
    while contrast(_hex(colorsys.hls_to_rgb(h, lightness, s)), DARK_BACKGROUND) < wanted and lightness < 0.97:
        lightness += 0.01
    return _hex(colorsys.hls_to_rgb(h, lightness, s))


def variable(color):
    """The CSS custom property that carries *color* in a themed SVG."""
    return "--tcplab-" + color.lower().lstrip("#")


def dark_stylesheet(colors, selector):
    """CSS that gives the elements matching *selector* the dark variant of each of *colors*."""
    def dark(color):
        if color == LIGHT_BACKGROUND:
            return f"var({PAGE_BACKGROUND}, {DARK_BACKGROUND})"
        return dark_variant(color)

    declarations = ";".join(f"{variable(c)}:{dark(c)}" for c in sorted(set(c.lower() for c in colors)))
    block = "{" + declarations + "}"
    return (f"html[data-theme=dark] {selector}{block}"
            f"@media (prefers-color-scheme:dark){{html:not([data-theme]) {selector},{selector}:root{block}}}")
