"""scripts/site_shell.py: the page shell's rewriting of the written pages."""

import sys
from pathlib import Path

import pydata_sphinx_theme
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import site_shell  # noqa: E402

FONTAWESOME_JS = Path(pydata_sphinx_theme.__file__).parent / "theme/pydata_sphinx_theme/static/scripts/fontawesome.js"
OUTPUT = '<div class="output stream highlight-myst-ansi notranslate"><div class="highlight"><pre><span></span>{}</pre></div>'


@pytest.fixture(scope="module")
def icons():
    return site_shell.solid_icons(FONTAWESOME_JS.read_text(encoding="utf-8"))


def test_every_icon_the_themes_use_is_in_the_solid_set(icons):
    for name in ("bars", "list", "outdent", "magnifying-glass", "search", "download", "expand", "file",
                 "file-pdf", "sun", "moon", "circle-half-stroke", "angle-left", "angle-right", "arrow-up",
                 "chevron-down"):
        width, height, path = icons[name]
        assert width > 0 and height > 0 and path.startswith("M"), name


def test_the_solid_set_must_be_there():
    with pytest.raises(ValueError, match="fontawesome_js must hold"):
        site_shell.solid_icons("var p={};")


def test_an_icon_becomes_an_inline_svg_keeping_its_other_classes_and_attributes(icons):
    svg = site_shell.inline_icons('<i class="theme-switch fa-solid fa-sun fa-lg" data-mode="light"></i>', icons)
    assert svg.startswith('<svg class="theme-switch tcplab-icon tcplab-icon-lg" data-mode="light" aria-hidden="true"')
    assert f'd="{icons["sun"][2]}"' in svg and "fa-" not in svg


def test_an_unknown_icon_is_an_error(icons):
    with pytest.raises(ValueError, match="icon classes must name"):
        site_shell.inline_icons('<i class="fa-solid fa-no-such-icon"></i>', icons)


def test_the_page_loses_the_script_and_its_images_load_lazily_but_scripts_are_left_alone(icons):
    page = ('<script defer src="../_static/scripts/fontawesome.js?digest=1"></script><img src="a.png">'
            '<script type="application/vnd.jupyter.widget-state+json">{"v": "<img src=\\"b\\">"}</script>')
    rewritten = site_shell.rewrite_page(page, icons)
    assert "fontawesome.js" not in rewritten
    assert '<img loading="lazy" decoding="async" src="a.png">' in rewritten
    assert '{"v": "<img src=\\"b\\">"}' in rewritten


def test_a_figure_takes_its_own_height_until_it_is_drawn(icons):
    figure = ('<figure class="tcplab-figure" id="tcplab-1-figure"><style>#tcplab-1-figure{margin:0}</style>'
              '<div class="tcplab-figure-scroll" tabindex="0"><svg style="width:100%;height:auto;min-width:567px;'
              'max-width:672px" id="tcplab-1" viewBox="0 0 504 252" xmlns="http://www.w3.org/2000/svg"></svg></div></figure>')
    sized = site_shell.rewrite_page(figure, icons)
    assert sized == figure.replace('id="tcplab-1-figure">', 'id="tcplab-1-figure" style="contain-intrinsic-size:auto '
                                   'calc(clamp(567px, 100vw - 2.25rem, 672px) * 0.5000 + 1.6em)">')
    assert site_shell.size_figures(sized) == sized


def test_the_bodys_style_sheets_move_to_the_head_once_each(icons):
    page = ('<html><head><link rel="stylesheet" href="a.css"></head><body>'
            '<figure><style>#f1{margin:0}</style><svg><style>*{stroke:none}</style></svg></figure>'
            '<figure><style>#f2{margin:0}</style><svg><style>*{stroke:none}</style></svg></figure>'
            '<svg><style>text{font-family:&quot;A&quot;}</style></svg>'
            '<script type="application/vnd.jupyter.widget-state+json">{"v": "<style>p{}</style>"}</script></body></html>')
    assert site_shell.rewrite_page(page, icons) == (
        '<html><head><link rel="stylesheet" href="a.css">'
        '<style>#f1{margin:0}</style><style>*{stroke:none}</style><style>#f2{margin:0}</style></head><body>'
        '<figure><svg></svg></figure><figure><svg></svg></figure>'
        '<svg><style>text{font-family:&quot;A&quot;}</style></svg>'
        '<script type="application/vnd.jupyter.widget-state+json">{"v": "<style>p{}</style>"}</script></body></html>')


def test_prose_outputs_may_wrap_but_tables_keep_their_columns():
    table = OUTPUT.format("time   event\n0.000  SYN\n0.100  SYN-ACK\n")
    prose = OUTPUT.format("client: CLOSED → SYN-SENT → ESTABLISHED → FIN-WAIT-1 → FIN-WAIT-2\n")
    assert site_shell.mark_prose_outputs(table) == table
    assert '<pre class="tcplab-wrap">' in site_shell.mark_prose_outputs(prose)


def test_chinese_text_is_marked_as_chinese(icons):
    marked = site_shell.rewrite_page(f'<h2>Section {site_shell.CHINESE_SPAN}二</span> describes</h2>', icons)
    assert marked == '<h2>Section <span lang="zh">二</span> describes</h2>'
    assert site_shell.CJK.findall("the seed post (中文术语) and 报文段.") == ["中文术语", "报文段"]


def test_toggles_are_named_by_what_they_show(icons):
    page = site_shell.rewrite_page('<summary aria-label="Toggle hidden content"><p>Show code cell content</p></summary>'
                                   '<summary><span class="toctree-toggle" role="presentation"></span></summary>', icons)
    assert page == ('<summary><p>Show code cell content</p></summary>'
                    '<summary aria-label="Pages in this section"><span class="toctree-toggle" role="presentation">'
                    '</span></summary>')


def test_the_themes_font_icons_become_masks_of_their_paths(icons):
    css = site_shell.icon_stylesheet(icons)
    assert "font-family" not in css and "Font Awesome" not in css
    for selector, name in site_shell.FONT_ICONS.items():
        assert selector in css
        assert icons[name][2][:20] in css, name


def test_chinese_in_the_navigation_is_marked_once():
    nav = '<nav class="bd-toc-nav"><a href="#s">2.1. Section 二 describes</a><span lang="zh">三</span></nav><p>四</p>'
    marked = site_shell.mark_chinese_in_navigation(nav)
    assert marked == ('<nav class="bd-toc-nav"><a href="#s">2.1. Section <span lang="zh">二</span> describes</a>'
                      '<span lang="zh">三</span></nav><p>四</p>')


def test_bootstrap_clicks_are_guarded_once_right_before_bootstrap(icons):
    tag = '<script defer src="../_static/scripts/bootstrap.js?digest=55c2"></script>'
    page = f"<html><head><title>t</title>\n{tag}\n</head><body><p>x</p></body></html>"
    once = site_shell.rewrite_page(page, icons)
    script = f"<script>\n{site_shell.BOOTSTRAP_CLICKS}</script>\n{tag}"
    assert once.count(site_shell.BOOTSTRAP_CLICKS) == 1 and script in once
    assert site_shell.rewrite_page(once, icons) == once
    assert site_shell.rewrite_page("<html><head></head><body></body></html>", icons).count("bootstrap") == 0
