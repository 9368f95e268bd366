"""How fast a step-through widget steps on the built static site (prints figures; not a test).

    python benchmarks/bench_site.py [--before OTHER_BUILD] [--steps N]
    python benchmarks/bench_site.py --interactive N [--before OTHER_BUILD]

For the first stepper of each page with widgets, in headless Chromium with no kernel: a real
click on "next" (a mouse press and release at its centre), then

- input to paint: from the click event's timestamp to the end of the frame that shows the new
  step (a message posted from that frame's animation callback runs once the frame is painted);
- style + layout: the renderer's style recalculation and layout time for the step (Chrome
  DevTools Protocol ``Performance.getMetrics``), the work the widget's CSS costs.

With ``--interactive N``, instead: how long after navigation the first widget of each page works
on a 390 px phone with the CPU 4x slower, measured as tests/browser/test_shell.py does (the same
probe, device and request routing), N loads per page and build; a fresh browser context per round
visits the pages in order, as the test does.  Prints the median and the range.

With ``--before`` (another build of the site, e.g. a copy of _build/html made before a change),
both builds are measured in the same run, page by page, alternating step by step.  Needs
`make book` first and Debian's chromium.
"""

import argparse
import functools
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from book_site import SITE, widget_pages  # noqa: E402
from conftest import ARGS, CHROMIUM, DEVICES, QuietHandler, QuietServer  # noqa: E402
from test_shell import INTERACTIVE_PROBE  # noqa: E402

#: In the page: after the next click, wait for the frame that shows the new step, then for its paint.
#: The listener is the last to see the click (window, bubbling), so the frame callbacks the
#: widgets asked for run before this one's.
WATCH = """(stepper) => {
  const current = () => [...stepper.querySelectorAll('.tcplab-steps > .lm-TabBar li')]
      .findIndex(li => li.classList.contains('lm-mod-current'));
  const before = current();
  window.tcplabStep = new Promise(done => {
    window.addEventListener('click', (event) => {
      const t0 = event.timeStamp;
      const frame = () => requestAnimationFrame(() => {
        if (current() === before) { frame(); return; }
        const channel = new MessageChannel();
        channel.port1.onmessage = () => done(performance.now() - t0);
        channel.port2.postMessage(0);
      });
      frame();
    }, {once: true});
  });
}"""

METRICS = ("RecalcStyleDuration", "LayoutDuration")


def serve(folder):
    server = QuietServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class Site:
    """One build of the site open on one page, its first stepper rewound to step 1."""

    def __init__(self, context, base, path):
        self.page = context.new_page()
        self.cdp = context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")
        self.page.goto(base + path)
        self.page.wait_for_selector(".tcplab-stepper .tcplab-nav", timeout=60_000)
        self.stepper = self.page.locator(".tcplab-stepper").first
        self.stepper.scroll_into_view_if_needed()
        self.stepper.locator("[role=slider]").first.focus()
        self.page.keyboard.press("Home")
        self.page.wait_for_timeout(300)
        self.paint, self.work = [], []

    def metrics(self):
        values = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        return sum(values[name] for name in METRICS)

    def step(self):
        """Click "next" once; False at the last step."""
        following = self.stepper.locator(".tcplab-nav .mod-active + button")
        if following.count() == 0:
            return False
        self.page.bring_to_front()        # a page in the background gets no animation frames
        box = following.bounding_box()
        self.stepper.evaluate(WATCH)
        before = self.metrics()
        # A real click at the button's centre (Chrome's input pipeline, hit test included) but
        # without `Locator.click`'s checks, whose script runs in the page inside the timed span.
        self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        self.paint.append(self.page.evaluate("() => window.tcplabStep"))
        self.page.wait_for_timeout(50)
        self.work.append((self.metrics() - before) * 1000)
        return True

    def close(self):
        self.page.close()


def seconds_to_interactive(context, url):
    """Seconds from navigation to the first working widget at *url*, CPU 4x slower (test_shell's method)."""
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_())
    context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.add_init_script(INTERACTIVE_PROBE)
    page.goto(url, wait_until="networkidle")
    page.wait_for_function("() => window.__tcplabInteractive !== undefined", timeout=60_000)
    seconds = page.evaluate("() => window.__tcplabInteractive") / 1000
    page.close()
    return seconds


def interactive(browser, servers, rounds):
    """Print each page's median seconds to the first working widget, and the range, per build."""
    times = {(name, path): [] for name in servers for path in widget_pages()}
    for n in range(rounds):
        contexts = {name: browser.new_context(**DEVICES["phone"], service_workers="block") for name in servers}
        for path in widget_pages():
            order = list(servers) if n % 2 == 0 else list(reversed(servers))
            for name in order:
                times[name, path].append(seconds_to_interactive(contexts[name], servers[name][1] + path))
        for context in contexts.values():
            context.close()
    print(f"{'page (build)':<40} {'median s':>9} {'min s':>6} {'max s':>6}")
    for (name, path), values in times.items():
        print(f"{path + ' (' + name + ')':<40} {statistics.median(values):>9.2f} {min(values):>6.2f} {max(values):>6.2f}")


def row(label, site):
    if not site.paint:
        return f"{label:<40} no step observed"
    return (f"{label:<40} {len(site.paint):>5} {statistics.median(site.paint):>9.1f} {max(site.paint):>7.1f} "
            f"{statistics.median(site.work):>9.1f}")


def main():
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another build of the site, measured alongside")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--interactive", type=int, metavar="N",
                        help="measure the time to the first working widget instead, N loads per page")
    args = parser.parse_args()
    if not (SITE / "index.html").is_file():
        sys.exit("bench_site: build the book first (make book)")
    builds = {"now": SITE} | ({"before": args.before} if args.before else {})
    servers = {name: serve(folder) for name, folder in builds.items()}
    all_paint = {name: [] for name in builds}
    all_work = {name: [] for name in builds}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            if args.interactive:
                interactive(browser, servers, args.interactive)
                browser.close()
                return
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            print(f"{'page (build)':<40} {'steps':>5} {'paint ms':>9} {'max ms':>7} {'style+layout ms':>9}")
            print(f"{'':<40} {'':>5} {'(median)':>9} {'':>7} {'(median)':>9}")
            for path in widget_pages():
                sites = {name: Site(context, base, path) for name, (_, base) in servers.items()}
                for _ in range(args.steps):
                    if not all([site.step() for site in sites.values()]):
                        break
                for name, site in sites.items():
                    print(row(f"{path} ({name})", site))
                    all_paint[name] += site.paint
                    all_work[name] += site.work
                    site.close()
            for name in builds:
                if all_paint[name]:
                    print(f"{'all pages (' + name + ')':<40} {len(all_paint[name]):>5} "
                          f"{statistics.median(all_paint[name]):>9.1f} {max(all_paint[name]):>7.1f} "
                          f"{statistics.median(all_work[name]):>9.1f}")
            browser.close()
    finally:
        for server, _ in servers.values():
            server.shutdown()


if __name__ == "__main__":
    main()
