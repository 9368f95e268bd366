"""The page shell on every page, on a laptop (1366 px) and a phone (390 px, touch), light and dark:
the navigation opens and closes, nothing is wider than the screen unless it scrolls on purpose,
axe-core finds no serious or critical violation, there is one search bar, and widget pages are
interactive soon after navigation on a slow phone.

A viewport screenshot of each page, device and scheme is left in _build/screenshots/ to look at.
"""

import statistics

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from book_site import INTERACTIVE, OUTPUT_VIOLATIONS, ROOT, SITE, toc_pages, widget_pages

PAGES = toc_pages()
WIDGET_PAGES = widget_pages()
MODES = [(device, scheme) for device in ("desktop", "phone") for scheme in ("light", "dark")]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = SITE.parent / "screenshots"
#: On a phone-size page with the CPU 4x slower, the first widget must work within 2 s of
#: navigation (the median of three loads), on a machine as fast as the one the target was set on.
#: A machine busy with other jobs loads every page slower, so the budget scales with how much
#: slower it loads a page without widgets (PLAIN_PAGE, the median of three loads right before
#: the page measured; its load event, same device and throttling) than that machine did
#: (PLAIN_SECONDS); it never shrinks below 2 s.  Three loads still vary by about 10 %, which
#: NOISE allows for.  The medians, and the budget each was held to, are printed at the end of
#: the run; benchmarks/bench_site.py --interactive measures the target itself, side by side.
TARGET_SECONDS = 2.0
PLAIN_PAGE = "book/references.html"
PLAIN_SECONDS = 0.85
NOISE = 1.15
LOADS = 3

#: Visible elements that reach past the right edge of the screen, unless an ancestor scrolls sideways.
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX;
      if ((x === 'auto' || x === 'scroll') && a.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).slice(0, 2).join('.') : '');
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('dialog:not([open]), script, style') || !el.checkVisibility({visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0 && box.right > width + 1 && !scrolls(el)) {
      wide.push(`${name(el)} (${Math.round(box.right)} px)`);
    }
  }
  return {page: document.documentElement.scrollWidth > width, wide: wide.slice(0, 8)};
}"""

#: axe-core's serious and critical violations, each node marked as inside a cell output or not.
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').flatMap(v =>
    v.nodes.map(n => {
      const el = document.querySelector(n.target[0]);
      return {rule: v.id, target: n.target.join(' ').slice(0, 100),
              output: !!(el && el.closest('.cell_output, .jupyter-widgets, .widget-subarea'))};
    }));
}"""

#: Text in the article and the navigation lists in Chinese characters but not marked lang="zh", code excepted.
UNMARKED_CHINESE = """() => {
  const found = [];
  for (const root of document.querySelectorAll('article.bd-article, nav')) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (/[\\u4e00-\\u9fff]/.test(node.textContent) && !node.parentElement.closest('[lang^="zh"], pre, code, script, .cell_output')) {
        found.push(node.textContent.trim().slice(0, 40));
      }
    }
  }
  return found;
}"""

#: Records when the first widget with a working control appears (performance.now(), in ms).
INTERACTIVE_PROBE = """(() => {
  const ready = () => document.querySelector('.jupyter-widgets.lm-Widget .noUi-handle, .jupyter-widgets.lm-Widget button');
  new MutationObserver((records, observer) => {
    if (ready()) { window.__tcplabInteractive = performance.now(); observer.disconnect(); }
  }).observe(document, {childList: true, subtree: true});
})();"""


def _ids(pages):
    return [p.replace("/", "_").removesuffix(".html") for p in pages]


def _visible(locator):
    return [e for e in locator.all() if e.is_visible()]


def _dialog_open(page, dialog):
    return page.evaluate(f"() => document.querySelector('{dialog}').open")


def _check_phone_navigation(page, path):
    toggle = page.locator(".bd-header-article .primary-toggle")
    assert toggle.is_visible(), f"{path}: no navigation button on the phone"
    toggle.tap()
    page.wait_for_function("() => document.querySelector('#pst-primary-sidebar-modal').open", timeout=3_000)
    links = page.locator("#pst-primary-sidebar-modal .bd-docs-nav a")
    assert links.count() >= len(PAGES) - 1 and links.first.is_visible(), \
        f"{path}: the open navigation holds {links.count()} links"
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('#pst-primary-sidebar-modal').open", timeout=3_000)

    toggle.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#pst-primary-sidebar-modal').open", timeout=3_000)
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('#pst-primary-sidebar-modal').open", timeout=3_000)
    returned = "() => document.activeElement !== null && document.activeElement.classList.contains('primary-toggle')"
    try:   # the dialog closes first; the focus comes back in the same task or the next frame
        page.wait_for_function(returned, timeout=3_000)
    except PlaywrightTimeout:
        pytest.fail(f"{path}: focus does not return to the navigation button")

    contents = page.locator(".bd-header-article .secondary-toggle")
    if contents.is_visible():
        contents.tap()
        page.wait_for_function("() => document.querySelector('#pst-secondary-sidebar-modal').open", timeout=3_000)
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.querySelector('#pst-secondary-sidebar-modal').open", timeout=3_000)


SIDEBAR_SHOWN = "() => document.getElementById('pst-primary-sidebar').checkVisibility({visibilityProperty: true})"


def _check_desktop_navigation(page, path):
    toggle = page.locator(".bd-header-article .primary-toggle")
    assert page.evaluate(SIDEBAR_SHOWN) and toggle.is_visible(), f"{path}: no navigation column or button"
    toggle.click()
    page.wait_for_function(f"() => !({SIDEBAR_SHOWN})()", timeout=3_000)
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not _dialog_open(page, "#pst-primary-sidebar-modal")
    toggle.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(SIDEBAR_SHOWN, timeout=3_000)
    assert toggle.get_attribute("aria-expanded") == "true"
    fields = _visible(page.locator(".search-button-field, form.bd-search"))
    assert len(fields) == 1, f"{path}: {len(fields)} search bars"


@pytest.mark.parametrize("device,scheme", MODES, ids=[f"{d}-{s}" for d, s in MODES])
@pytest.mark.parametrize("path", PAGES, ids=_ids(PAGES))
def test_page_shell(visit, path, device, scheme):
    v = visit(path, device=device, scheme=scheme)
    page = v.page
    assert page.evaluate("() => document.documentElement.dataset.theme") == scheme
    page.wait_for_function(
        "() => document.querySelectorAll('script[type=\"application/vnd.jupyter.widget-view+json\"]').length"
        " <= document.querySelectorAll('.jupyter-widgets.lm-Widget').length", timeout=30_000)
    page.wait_for_timeout(300)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{_ids([path])[0]}-{device}-{scheme}.png")

    too_wide = page.evaluate(TOO_WIDE)
    assert not too_wide["page"] and too_wide["wide"] == [], f"{path}: wider than the screen: {too_wide['wide']}"

    assert page.evaluate(UNMARKED_CHINESE) == [], f"{path}: Chinese text without lang=\"zh\""

    # Sections and figures far from the screen are not painted until a reader scrolls near them
    # (content-visibility: auto), and axe-core finds a text's background by what is painted under
    # it: draw everything first, as a reader scrolling through would see it.
    page.add_style_tag(content="* { content-visibility: visible !important; }")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_RUN)
    for found in violations:
        if found["output"]:
            OUTPUT_VIOLATIONS.add(f"{path:<30} {device}-{scheme:<5} {found['rule']}: {found['target']}")
    shell = [f"{f['rule']}: {f['target']}" for f in violations if not f["output"]]
    assert shell == [], f"{path} ({device}, {scheme}): axe-core violations in the page shell: {shell}"
    inside = [f"{f['rule']}: {f['target']}" for f in violations if f["output"]]
    assert inside == [], f"{path} ({device}, {scheme}): axe-core violations in widgets and figures: {inside}"

    if device == "phone":
        _check_phone_navigation(page, path)
    else:
        _check_desktop_navigation(page, path)
    assert v.errors == [] and v.failed == [] and v.foreign == []


@pytest.mark.parametrize("path", WIDGET_PAGES, ids=_ids(WIDGET_PAGES))
def test_first_widget_is_interactive_on_a_slow_phone(visit, path):
    def slow_down(page):
        page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
        page.add_init_script(INTERACTIVE_PROBE)

    def seconds(page_path, probe):
        v = visit(page_path, device="phone", before=slow_down)
        if probe:
            v.page.wait_for_function("() => window.__tcplabInteractive !== undefined", timeout=60_000)
            value = v.page.evaluate("() => window.__tcplabInteractive")
        else:
            value = v.page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
        v.page.close()      # one page at a time: a page left open would compete for the CPU
        return value / 1000

    plain = statistics.median(seconds(PLAIN_PAGE, probe=False) for _ in range(LOADS))
    budget = TARGET_SECONDS * max(1.0, plain / PLAIN_SECONDS)
    loads = [seconds(path, probe=True) for _ in range(LOADS)]
    median = statistics.median(loads)
    INTERACTIVE[path] = (median, budget, plain)
    assert median <= budget * NOISE, (
        f"{path}: the first widget works after {loads} s; the budget is {budget:.2f} s "
        f"(+{NOISE - 1:.0%}): a page without widgets loaded in {plain:.2f} s, against {PLAIN_SECONDS} s "
        f"on the machine the {TARGET_SECONDS} s target was set on")
