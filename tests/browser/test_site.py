"""Every page of the built book in headless Chromium: it renders, its figures load, the console
stays clean, nothing is fetched from another host, and the widgets step without a kernel.

Pages are discovered from the built site's table of contents, so new chapters are tested
without touching this file.
"""

import pytest

from book_site import WEIGHTS, explorer_pages, toc_pages, widget_pages

PAGES = toc_pages()
WIDGET_PAGES = widget_pages()
EXPLORER_PAGES = explorer_pages()
#: Everything a page loads once every figure has been scrolled into view (uncompressed).  On a
#: widget page the HTML document carries the widgets' stored frames (tcplab/widgets.py); the rest
#: (page shell, widget bundle, fonts, figures) must stay within the target by itself.
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
    if path in WIDGET_PAGES:
        assets = size - v.document_bytes()
        assert assets <= MAX_WIDGET_PAGE_BYTES, f"{path} loads {assets} bytes besides its document"
    else:
        assert size <= MAX_PLAIN_PAGE_BYTES, f"{path} loads {size} bytes (at most {MAX_PLAIN_PAGE_BYTES})"


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


# --- stepping the widgets without a kernel --------------------------------------------------
VISIBLE_FRAME = """(stepper) => {
  const tab = [...stepper.children].find(c => c.classList.contains('tcplab-frames'));
  const frame = [...tab.querySelector('.widget-tab-contents').children].findIndex(c => !c.classList.contains('lm-mod-hidden'));
  const img = [...tab.querySelectorAll('img.tcplab-ladder')].find(i => i.checkVisibility());
  const readout = stepper.querySelector('.widget-readout');
  return {frame, src: img ? img.src.slice(-64) : null, readout: readout ? readout.textContent.trim() : null};
}"""


def _visible_steppers(page):
    return [s for s in page.locator(".tcplab-stepper").all() if s.is_visible()]


def _wait_for_change(page, stepper, before, timeout=5_000):
    page.wait_for_function(
        f"([s, before]) => ({VISIBLE_FRAME})(s).frame !== before", arg=[stepper.element_handle(), before["frame"]],
        timeout=timeout)
    return stepper.evaluate(VISIBLE_FRAME)


@pytest.mark.parametrize("path", WIDGET_PAGES, ids=_ids(WIDGET_PAGES))
def test_steppers_step_without_a_kernel(visit, path):
    v = visit(path)
    page = v.page
    page.wait_for_function(WIDGETS_RENDERED, timeout=20_000)
    steppers = _visible_steppers(page)
    if not steppers:
        pytest.skip(f"{path} has widgets but no stepper")
    for stepper in steppers:
        stepper.scroll_into_view_if_needed()
        start = stepper.evaluate(VISIBLE_FRAME)
        assert start["frame"] > 0 and start["src"], f"{path}: no visible frame at first"
        at_end = stepper.locator(".tcplab-nav .mod-active + button").count() == 0
        key, nav = ("ArrowLeft", ":has(+ .mod-active)") if at_end else ("ArrowRight", ".mod-active + button")

        # 1. the slider's keyboard arrow
        stepper.locator(".noUi-handle").first.focus()
        page.keyboard.press(key)
        after_key = _wait_for_change(page, stepper, start)
        assert after_key["src"] != start["src"] and after_key["readout"] != start["readout"]

        # 2. previous / next
        stepper.locator(f".tcplab-nav button{nav}").first.click()
        after_nav = _wait_for_change(page, stepper, after_key)
        assert after_nav["src"] != after_key["src"]

        # 3. play (from the start: stop goes back to step 1); the buttons are play/pause, stop, repeat
        play_pause, stop = stepper.locator(".widget-play button").nth(0), stepper.locator(".widget-play button").nth(1)
        stop.click()
        first = _wait_for_change(page, stepper, after_nav) if after_nav["frame"] != 1 else after_nav
        assert first["frame"] == 1
        play_pause.click()
        after_play = _wait_for_change(page, stepper, first, timeout=10_000)
        assert after_play["frame"] > first["frame"]
        play_pause.click()  # pause
    assert v.errors == [] and v.failed == [] and v.foreign == []


@pytest.mark.parametrize("path", EXPLORER_PAGES, ids=_ids(EXPLORER_PAGES))
def test_explorers_switch_variants_without_a_kernel(visit, path):
    v = visit(path)
    page = v.page
    page.wait_for_function(WIDGETS_RENDERED, timeout=20_000)
    explorers = [e for e in page.locator(".tcplab-explorer").all() if e.is_visible()]
    assert explorers, f"{path}: the widget state names an Explorer but none is visible"
    for explorer in explorers:
        explorer.scroll_into_view_if_needed()
        select = explorer.locator("select").first
        options = select.locator("option").all_inner_texts()
        assert len(options) >= 2
        shown = [s.evaluate(VISIBLE_FRAME)["src"] for s in explorer.locator(".tcplab-stepper").all() if s.is_visible()]
        select.select_option(label=options[1])
        page.wait_for_function(
            "([e, src]) => [...e.querySelectorAll('img.tcplab-ladder')].some(i => i.checkVisibility() && !i.src.endsWith(src))",
            arg=[explorer.element_handle(), shown[0]], timeout=5_000)
        visible = [s for s in explorer.locator(".tcplab-stepper").all() if s.is_visible()]
        assert len(visible) == 1
    assert v.errors == [] and v.failed == [] and v.foreign == []
