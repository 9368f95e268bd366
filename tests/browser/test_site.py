"""Every page of the built book in headless Chromium: it renders, its figures load, the console
stays clean, nothing is fetched from another host, and the page weighs what it should (tests/browser/test_widgets_static.py steps the widgets).

Pages are discovered from the built site's table of contents, so new chapters are tested
without touching this file.
"""

import pytest

from book_site import WEIGHTS, toc_pages, widget_pages

PAGES = toc_pages()
WIDGET_PAGES = widget_pages()
#: Everything a page loads once every figure has been scrolled into view, its HTML document included
#: (uncompressed by the server: a static host serves the files as they are on disk).
MAX_PLAIN_PAGE_BYTES = 1_200_000
MAX_WIDGET_PAGE_BYTES = 2_500_000

#: The view scripts on a page, then: have the ipywidgets HTML manager rendered all of them?
WIDGETS_RENDERED = """() => {
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  return views.length === 0 || document.querySelectorAll('.jupyter-widgets.lm-Widget').length >= views.length;
}"""

#: Figures load lazily: bring every one in, as a reader scrolling through the page would.
LOAD_EVERY_FIGURE = """async () => {
  const images = [...document.querySelectorAll('img')];
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done, {once: true});
    img.addEventListener('error', done, {once: true});
  })));
}"""

FIGURES = """() => {
  const broken = [];
  for (const img of document.querySelectorAll('article img, main img')) {
    if (!img.complete || img.naturalWidth === 0) broken.push(img.getAttribute('src').slice(0, 80));
  }
  for (const svg of document.querySelectorAll('.cell_output svg')) {
    const box = svg.getBoundingClientRect();
    if (svg.checkVisibility() && (box.width === 0 || box.height === 0)) broken.push('inline svg of size 0');
  }
  const shown = [...document.querySelectorAll('.cell_output img')].filter(i => i.checkVisibility());
  return {broken, shown: shown.length};
}"""


def _ids(pages):
    return [p.replace("/", "_").removesuffix(".html") for p in pages]


def test_the_site_lists_pages():
    assert PAGES, "no pages found in the built table of contents"


@pytest.mark.parametrize("path", PAGES, ids=_ids(PAGES))
def test_page_loads_cleanly(visit, path):
    v = visit(path)
    assert v.response is not None and v.response.ok, f"{path}: HTTP {v.response and v.response.status}"
    v.page.wait_for_function(WIDGETS_RENDERED, timeout=20_000)
    v.page.evaluate(LOAD_EVERY_FIGURE)
    v.page.wait_for_load_state("networkidle")
    v.page.wait_for_timeout(300)  # late console messages
    figures = v.page.evaluate(FIGURES)
    assert figures["broken"] == [], f"{path}: figures that did not load: {figures['broken']}"
    assert v.errors == [], f"{path}: console errors: {v.errors}"
    assert v.failed == [], f"{path}: failed requests: {v.failed}"
    assert v.foreign == [], f"{path}: requests to other hosts: {v.foreign}"
    size, count = v.weight()
    WEIGHTS[path] = (size, count)
    limit = MAX_WIDGET_PAGE_BYTES if path in WIDGET_PAGES else MAX_PLAIN_PAGE_BYTES
    assert size <= limit, f"{path} loads {size} bytes (at most {limit})"


def test_the_site_serves_its_favicon(visit, site_url):
    v = visit(PAGES[0])
    href = v.page.evaluate("() => document.querySelector('link[rel~=icon]')?.href")
    assert href and href.startswith(site_url), f"favicon: {href!r}"
    assert v.page.request.get(href).ok


def test_plain_pages_do_not_load_the_widget_bundle(visit):
    plain = [p for p in PAGES if p not in WIDGET_PAGES]
    if not plain:
        pytest.skip("every page has widgets")
    v = visit(plain[0])
    loaded = v.page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    assert not [u for u in loaded if "/widgets/" in u or "require.js" in u], loaded


def test_search_finds_a_chapter_from_any_page(visit, site_url):
    """Pages load no search index (the theme would load it everywhere): the search button's form
    goes to search.html, which loads the index and lists the chapters that hold the words."""
    v = visit(PAGES[0])
    loaded = v.page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    assert not [u for u in loaded if "searchindex" in u], loaded
    v.page.locator(".search-button-field").first.click()
    field = v.page.locator("input[name=q]:visible").first
    field.fill("TIME-WAIT")
    field.press("Enter")
    v.page.wait_for_url("**/search.html?q=TIME-WAIT*", timeout=10_000)
    v.page.wait_for_selector("#search-results li a", timeout=20_000)
    found = v.page.locator("#search-results li a").all_inner_texts()
    assert any("TIME-WAIT" in text for text in found), found


def test_search_terms_highlighted_in_a_page_with_figures_raise_no_error(visit):
    """After a search, Sphinx highlights the words in the page it opens (?highlight=…), also
    inside the figures' SVG; their <title> and <desc> are left alone (no getBBox there)."""
    page = next(p for p in PAGES if p.endswith("lost-final-ack.html"))
    v = visit(page + "?highlight=TIME-WAIT")
    v.page.wait_for_timeout(1500)
    assert v.page.locator("svg tspan, span.highlighted").count() > 0
    assert v.errors == [], v.errors


#: Every section of the page, in order; then each one's heading position after a link to it.
SECTIONS = "() => [...document.querySelectorAll('article.bd-article section[id]')].slice(1).map(s => s.id)"
LANDED = """(id) => {
  const header = document.querySelector('.bd-header-article').getBoundingClientRect().bottom;
  const top = document.getElementById(id).getBoundingClientRect().top;
  const end = scrollY + innerHeight >= document.documentElement.scrollHeight - 2;
  return {header, top, end};
}"""


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_link_to_any_section_brings_its_heading_into_view(visit, device):
    """Sections far from the screen are laid out only near it (content-visibility: auto, with a
    guessed height): a link to one, from above or below, still lands on its heading, below the
    sticky header, wherever the reader was."""
    page = visit("book/transfer.html", device=device).page
    sections = page.evaluate(SECTIONS)
    assert len(sections) >= 10
    missed = []
    for section in sections + sections[::-1]:
        page.evaluate("(id) => { location.hash = '#' + id; }", section)
        page.wait_for_timeout(300)
        at = page.evaluate(LANDED, section)
        if not (at["header"] - 1 <= at["top"] <= at["header"] + 40 or at["end"]):
            missed.append(f"{section}: heading at {at['top']:.0f} px, header ends at {at['header']:.0f} px")
    assert missed == []


#: Elements that reach past the sides of a section drawn only near the screen (content-visibility:
#: auto clips what overflows it), unless something between them scrolls sideways on purpose.  A few
#: pixels are allowed: the padding of inline code that ends a line may reach past the text.
CLIPPED = """() => {
  const clipped = [];
  for (const section of document.querySelectorAll('article.bd-article section')) {
    if (getComputedStyle(section).contentVisibility !== 'auto') continue;
    const box = section.getBoundingClientRect();
    for (const el of section.querySelectorAll('*')) {
      const out = [...el.getClientRects()].filter(r => r.width > 0 && (r.left < box.left - 4 || r.right > box.right + 4));
      if (out.length === 0) continue;
      const r = out[0];
      let scrolls = false;
      for (let a = el.parentElement; a && a !== section; a = a.parentElement) {
        if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX)) { scrolls = true; break; }
      }
      if (!scrolls) clipped.push(`${section.id}: ${el.tagName.toLowerCase()}.${el.className} (${Math.round(r.left)}-${Math.round(r.right)} px, the section ${Math.round(box.left)}-${Math.round(box.right)} px)`);
    }
  }
  return clipped.slice(0, 8);
}"""


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("path", PAGES)
def test_no_section_clips_what_it_holds(visit, path, device):
    page = visit(path, device=device).page
    page.add_style_tag(content="article.bd-article section { contain-intrinsic-size: none; }")
    page.evaluate("() => document.querySelectorAll('article.bd-article section').forEach(s => s.scrollIntoView())")
    assert page.evaluate(CLIPPED) == []


def test_the_download_menu_opens_and_a_click_in_a_widget_closes_it_and_steps(visit):
    """Bootstrap's document-wide click searches skip clicks inside widgets
    (scripts/bootstrap_clicks.js); its menus still open, and close when a widget is clicked."""
    page = visit("book/transfer.html").page
    assert page.evaluate("() => document.addEventListener !== EventTarget.prototype.addEventListener")
    stepper = page.locator(".tcplab-stepper").first
    stepper.scroll_into_view_if_needed()
    stepper.locator("[role=slider]").first.focus()
    page.keyboard.press("Home")
    menu = page.locator(".dropdown-download-buttons .dropdown-menu")
    page.locator(".dropdown-download-buttons > button").click()
    page.wait_for_function("() => document.querySelector('.dropdown-download-buttons .dropdown-menu').classList.contains('show')",
                           timeout=3_000)
    assert menu.is_visible()
    current = "(s) => [...s.querySelectorAll('.tcplab-steps > .lm-TabBar li')].findIndex(li => li.classList.contains('lm-mod-current'))"
    before = stepper.evaluate(current)
    stepper.locator(".tcplab-nav .mod-active + button").click()
    page.wait_for_function("() => !document.querySelector('.dropdown-download-buttons .dropdown-menu').classList.contains('show')",
                           timeout=3_000)
    assert stepper.evaluate(current) == before + 1
