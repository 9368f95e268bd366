"""Deterministic SVG and PNG bytes of a figure (same figure, same bytes, in any process)."""

import io

import matplotlib

from .style import RC


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
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 10 <= dpi <= 1200:
        raise ValueError(f"dpi must be a number in 10..1200, got {dpi!r}")


def _palette_image(fig, dpi, colors):
    """Draw *fig* once at *dpi* and reduce it to *colors* colours (a PIL image in mode "P")."""
    if isinstance(colors, bool) or not isinstance(colors, int) or not 2 <= colors <= 256:
        raise ValueError(f"colors must be None or an integer in 2..256, got {colors!r}")
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
