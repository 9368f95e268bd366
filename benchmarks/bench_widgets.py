"""How long a Stepper takes to render its frames, and how many bytes it adds to a page.

    python benchmarks/bench_widgets.py [scenario ...]      (default: handshake four-way-teardown lost-syn)

Prints, per scenario: frames, the median and the total render time per frame (ladder + state
diagram + encoding; state diagrams are shared between frames and cached across widgets, so a
second widget of the same scenario is faster), and the bytes of the frames' HTML as stored in
the widget state (what the static page carries, uncompressed).
"""

import statistics
import sys
import time

import ipywidgets

from tcplab import scenarios
from tcplab import widgets as tw


def frame_bytes(stepper):
    """Bytes of every HTML value reachable from the stepper's frames (shared widgets once)."""
    seen, total, stack = set(), 0, list(stepper.frames.children)
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        if isinstance(w, ipywidgets.HTML):
            total += len(w.value.encode("utf-8"))
        stack.extend(getattr(w, "children", ()))
    return total


def main(names):
    print(f"{'scenario':<22} {'frames':>6} {'median ms':>10} {'mean ms':>8} {'total s':>8} {'bytes':>10}")
    for name in names:
        trace = scenarios.run(name)
        tw._FSM_CACHE.clear()
        start = time.perf_counter()
        stepper = tw.Stepper(trace)
        total = time.perf_counter() - start
        times = [t * 1000 for t in stepper.render_seconds]
        print(f"{name:<22} {stepper.frame_count:>6} {statistics.median(times):>10.1f} "
              f"{statistics.mean(times):>8.1f} {total:>8.2f} {frame_bytes(stepper):>10,}")
    # A warm run: the state diagrams come from the cache (as for a second widget on a page).
    trace = scenarios.run(names[0])
    stepper = tw.Stepper(trace)
    times = [t * 1000 for t in stepper.render_seconds]
    print(f"{names[0] + ' (warm)':<22} {stepper.frame_count:>6} {statistics.median(times):>10.1f} "
          f"{statistics.mean(times):>8.1f}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["handshake", "four-way-teardown", "lost-syn"])
