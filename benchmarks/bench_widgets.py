"""How long the widgets take to build and how many bytes they add to a page.

    python benchmarks/bench_widgets.py [--runs N]

Prints medians of N runs (default 5), side by side in one run:

- a ~20-step `Stepper` (the four-way teardown): cold (the state diagram drawn too) and warm
  (the state diagram shared, as for the second widget of a page), against the raster approach
  it replaces (one WebP ladder and one state diagram per step);
- a `WhatIf` with every single-loss case of the whole conversation (handshake, data, teardown;
  no switches) and the chapters' what-if widgets, each built from scratch;
- the bytes each adds to a static page: its widget state (JSON, as stored in the notebook, and
  compressed as the site's page stores it) plus the static copy shown before the widget script runs.
"""

import argparse
import base64
import gzip
import json
import statistics
import time

from ipywidgets.embed import dependency_state, embed_data

from tcplab import plot, scenarios
from tcplab.views.widgets import Stepper, WhatIf, drawing, select_steps, whatif
from tcplab.views.widgets.whatif import CONVERSATIONS, Conversation, _transfer


def timed(function, runs):
    """(median CPU seconds, median wall seconds, the last result): CPU time is what the build
    costs; wall time also counts waiting for the CPU on a shared machine."""
    cpu, wall, result = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return statistics.median(cpu), statistics.median(wall), result


def page_bytes(widget):
    """(raw, packed): its widget state (JSON) plus its static copy, as the notebook holds them, and
    as the site's page holds them (the state gzip-compressed and base64-encoded, see
    scripts/widget_assets.py)."""
    state = json.dumps(embed_data(views=[widget], state=dependency_state([widget]))["manager_state"]).encode("utf-8")
    static = len(widget.static_html().encode("utf-8"))
    return len(state) + static, len(base64.b64encode(gzip.compress(state, 9, mtime=0))) + static


def raster_frames(trace):
    """The replaced approach: one WebP ladder per step (and one state diagram per step)."""
    total = 0
    for step in select_steps(trace):
        total += len(plot.to_webp(plot.ladder(trace, upto=step.last), dpi=96, colors=32))
        states = {h.name: trace.state_at(h.name, step.last) for h in trace.hosts}
        total += len(plot.to_webp(plot.state_diagram(current=states), dpi=80, colors=32))
    return total


def cold_whatif(make):
    """Build a what-if from scratch (no cases simulated or drawn by an earlier widget)."""
    whatif._CASES.clear()
    return make()


def cold_stepper(trace):
    drawing._BASES.clear()
    return Stepper(trace)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    trace = scenarios.run("four-way-teardown")
    Stepper(trace)                                     # imports, fonts: not part of any figure

    def row(label, count, cpu, wall, size=None):
        sizes = "" if size is None else f"{size[0] / 1e3:8.1f} {size[1] / 1e3:8.1f}"
        print(f"{label:<44} {count:>5} {cpu:>7.3f} {wall:>7.3f} {sizes}")

    print(f"{'widget':<44} {'steps':>5} {'CPU s':>7} {'wall s':>7} {'raw KB':>8} {'page KB':>8}")
    cpu, wall, stepper = timed(lambda: cold_stepper(trace), runs)
    row("Stepper, four-way teardown (cold)", stepper.frame_count, cpu, wall, page_bytes(stepper))
    cpu_warm, wall, _ = timed(lambda: Stepper(trace), runs)
    row("Stepper, four-way teardown (warm)", stepper.frame_count, cpu_warm, wall)
    cpu, wall, raster_size = timed(lambda: raster_frames(trace), 1)
    row("  the raster frames it replaces", stepper.frame_count, cpu, wall, (raster_size, raster_size))
    print(f"  ratio raster / vector (CPU, warm): {cpu / cpu_warm:.1f}")

    whole = Conversation("Every single loss of a whole conversation", _transfer)
    cpu, wall, widget = timed(lambda: cold_whatif(lambda: WhatIf(whole)), max(1, runs // 2))
    row("WhatIf, whole conversation, single losses", widget.case_count, cpu, wall, page_bytes(widget))
    for name in CONVERSATIONS:
        cpu, wall, widget = timed(lambda: cold_whatif(lambda: WhatIf.for_scenario(name)), 1)
        row(f"WhatIf.for_scenario({name!r})", widget.case_count, cpu, wall, page_bytes(widget))
    cpu, wall, widget = timed(lambda: WhatIf.for_scenario("lost-final-ack"), 1)
    row("  again, sharing the teardown's cases", widget.case_count, cpu, wall)
    print("steps: for a WhatIf, its cases.  raw KB: widget state + static copy as in the notebook;")
    print("page KB: the same as the site's page holds it (the state gzip-compressed, base64).")


if __name__ == "__main__":
    main()
