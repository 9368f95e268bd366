"""The book's figures as a reader meets them, on a desktop and a 390 px phone, light and dark:
text never below 9 CSS px, paper that is the page's own background, a name and a description
for assistive technology, and a link that opens the figure full size."""

import pytest

from book_site import SITE, toc_pages

FIGURE_PAGES = [p for p in toc_pages() if "tcplab-figure" in (SITE / p).read_text(encoding="utf-8")] \
    if SITE.is_dir() else []

SCREENS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

#: Each shown figure, measured once it is scrolled into view: figures off screen may skip rendering
#: (CSS content-visibility) and then have no boxes to measure.
MEASURE = """async () => {
  const measured = [];
  for (const svg of [...document.querySelectorAll('svg.tcplab-svg')].filter(s => s.checkVisibility())) {
    svg.scrollIntoView({block: 'center', behavior: 'instant'});
    await new Promise(frame => requestAnimationFrame(() => requestAnimationFrame(frame)));
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
    const title = document.getElementById(svg.getAttribute('aria-labelledby').split(' ')[0]);
    measured.push({id: svg.id, smallest: Math.min(...sizes), role: svg.getAttribute('role'),
                   name: title ? title.textContent : '', description: (svg.querySelector('desc') || {}).textContent || '',
                   paper: getComputedStyle(svg.querySelector('path')).fill,
                   page: getComputedStyle(document.body).backgroundColor});
  }
  return measured;
}"""


@pytest.fixture
def page_at(browser_context, site_url):
    pages = []

    def load(path, screen, scheme):
        page = browser_context.new_page()
        pages.append(page)
        page.set_viewport_size(SCREENS[screen])
        page.emulate_media(color_scheme=scheme)
        page.goto(site_url + path, wait_until="networkidle")
        return page

    yield load
    for page in pages:
        page.close()


def test_some_pages_have_figures():
    assert FIGURE_PAGES, f"no page of {SITE} shows a tcplab figure"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("path", FIGURE_PAGES)
def test_figures_are_legible_and_described(page_at, path, screen, scheme):
    page = page_at(path, screen, scheme)
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    figures = page.evaluate(MEASURE)
    assert figures, f"{path}: no figure visible"
    for f in figures:
        assert f["smallest"] >= 9 - 1e-6, f"{path} ({screen}): text of {f['smallest']:.2f} px in {f['id']}"
        assert f["paper"] == f["page"], f"{path} ({scheme}): figure paper {f['paper']} on a {f['page']} page"
        assert f["role"] == "img" and f["name"].strip() and len(f["description"]) > 40, f


def test_a_figure_opens_full_size_and_closes(page_at):
    page = page_at(FIGURE_PAGES[0], "phone", "dark")
    page.locator(".tcplab-figure-open").first.click()
    overlay = page.evaluate("""() => { const f = document.querySelector('.tcplab-figure:target');
        if (!f) return null; const r = f.getBoundingClientRect(), s = f.querySelector('svg').getBoundingClientRect();
        return {width: r.width, height: r.height, svg: s.width, natural: s.width >= 0.99 * f.querySelector('svg')
                .viewBox.baseVal.width * 96 / 72}; }""")
    assert overlay is not None and overlay["width"] == 390 and overlay["height"] == 844 and overlay["natural"]
    page.locator(".tcplab-figure-close").first.click()
    assert page.evaluate("document.querySelectorAll('.tcplab-figure:target').length") == 0
