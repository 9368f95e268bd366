"""tcplab.views.widgets: steps, text, the marked drawing, the CSS that reveals it, the jslink wiring
that makes the widgets work without a kernel, and the what-if variants.

The drawings are the real `tcplab.views` figures (one SVG per widget is fast enough); the
browser tests (tests/browser/test_widgets_static.py) check the same widgets on the built site.
"""

import subprocess
import sys

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import ipywidgets  # noqa: E402
import re  # noqa: E402

from tcplab import Host, Kind, Options, Segment, State, Trace  # noqa: E402
from tcplab import Event  # noqa: E402
from tcplab import scenarios  # noqa: E402
from tcplab.views import widgets as tw  # noqa: E402
from tcplab.views.widgets import drawing, style, whatif  # noqa: E402


def handshake():
    """A hand-built three-way handshake (13 events), independent of the simulator."""
    c, s = "client", "server"
    syn = Segment(40000, 80, seq=1000, flags="S", window=64240, options=Options(mss=1460))
    synack = Segment(80, 40000, seq=5000, ack=1001, flags="SA", window=65535, options=Options(mss=1460))
    ack = Segment(40000, 80, seq=1001, ack=5001, flags="A", window=64240)
    events = [
        Event(0.0, c, Kind.CALL, detail="connect()"),
        Event(0.0, c, Kind.STATE, state=State.SYN_SENT, before=State.CLOSED, detail="active OPEN"),
        Event(0.0, c, Kind.SEND, segment=syn, state=State.SYN_SENT, packet=1),
        Event(0.0, s, Kind.CALL, detail="listen()"),
        Event(0.0, s, Kind.STATE, state=State.LISTEN, before=State.CLOSED, detail="passive OPEN"),
        Event(0.05, s, Kind.DELIVER, segment=syn, packet=1),
        Event(0.05, s, Kind.STATE, state=State.SYN_RECEIVED, before=State.LISTEN, detail="rcv SYN"),
        Event(0.05, s, Kind.SEND, segment=synack, packet=2),
        Event(0.1, c, Kind.DELIVER, segment=synack, packet=2),
        Event(0.1, c, Kind.STATE, state=State.ESTABLISHED, before=State.SYN_SENT, detail="rcv SYN,ACK"),
        Event(0.1, c, Kind.SEND, segment=ack, packet=3),
        Event(0.15, s, Kind.DELIVER, segment=ack, packet=3),
        Event(0.15, s, Kind.STATE, state=State.ESTABLISHED, before=State.SYN_RECEIVED, detail="rcv ACK of SYN"),
    ]
    return Trace(events, [Host(c, "10.0.0.1", 40000), Host(s, "10.0.0.2", 80)], "Three-way handshake")


# --- steps ------------------------------------------------------------------------------
def test_events_steps_one_per_event():
    trace = handshake()
    steps = tw.select_steps(trace, "events")
    assert [s.events for s in steps] == [(i,) for i in range(len(trace))]
    assert [s.number for s in steps] == list(range(1, len(trace) + 1))


def test_interesting_steps_join_a_state_change_to_its_cause():
    steps = tw.select_steps(handshake())
    assert [s.events for s in steps] == [(0, 1), (2,), (3, 4), (5, 6), (7,), (8, 9), (10,), (11, 12)]


def test_max_frames_merges_steps_and_covers_every_event_once():
    trace = handshake()
    steps = tw.select_steps(trace, "events", max_frames=5)
    assert len(steps) <= 5
    assert [i for s in steps for i in s.events] == list(range(len(trace)))
    assert steps[-1].last == len(trace) - 1


@pytest.mark.parametrize("kwargs, message", [
    ({"steps": "all"}, "steps must be"),
    ({"max_frames": 0}, "max_frames must be"),
])
def test_select_steps_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tw.select_steps(handshake(), **kwargs)


def test_select_steps_rejects_an_empty_trace():
    with pytest.raises(ValueError, match="no events"):
        tw.select_steps(Trace([], [Host("client", "10.0.0.1", 1)]))


# --- text -------------------------------------------------------------------------------
def test_narrate_events():
    trace = handshake()
    text = [tw.narrate(e) for e in trace.events]
    assert text[0] == "client calls connect()"
    assert text[1] == "client: CLOSED \u2192 SYN-SENT (active OPEN)"
    assert text[2] == "client sends SYN"
    assert text[5] == "server receives SYN"
    assert text[7] == "server sends SYN,ACK"


def test_narrate_drop_timer_and_retransmission():
    seg = Segment(1, 2, seq=5, flags="S")
    assert tw.narrate(Event(1.0, "client", Kind.DROP, segment=seg, packet=1)) == "the network loses SYN"
    assert tw.narrate(Event(1.0, "client", Kind.TIMER, detail="RTO")) == "client: RTO timer expires"
    resend = Event(1.0, "client", Kind.SEND, segment=seg, packet=2, retransmission=True, detail="retransmission")
    assert "again (retransmission)" in tw.narrate(resend)


def test_fields_table_shows_segment_fields():
    trace = handshake()
    table = tw.fields_table(trace, [7])
    for text in ("SYN,ACK", "5000", "1001", "65535", "mss 1460", "server sends SYN,ACK"):
        assert text in table
    # ack is meaningless without the ACK flag: the SYN shows a dash
    syn_row = tw.fields_table(trace, [2])
    assert "<td>\u2014</td>" in syn_row
    assert "colspan" in tw.fields_table(trace, [0])


# --- the drawing -------------------------------------------------------------------------
def classes_of(svg):
    """Every class list of a marked element in *svg*."""
    return [c.split() for c in re.findall(r"class='((?:tcplab|tl)-[^']*)'", svg)]


def numbers(classes, prefix):
    return {int(c[len(prefix):]) for c in classes if c.startswith(prefix)}


DRAWN = (Kind.SEND, Kind.DROP, Kind.STATE, Kind.CALL, Kind.TIMER, Kind.ERROR)


@pytest.mark.parametrize("trace", [handshake(), scenarios.run("lost-final-ack")], ids=["handshake", "lost-final-ack"])
def test_the_drawing_marks_every_event_with_its_step(trace):
    steps = tw.select_steps(trace)
    step_of = drawing.step_of_events(steps)
    svg = drawing.ladder_svg(trace, steps)
    marked = [c for c in classes_of(svg) if "tl-ev" in c]
    shown_at = [numbers(c, "tl-f") for c in marked]
    assert all(len(s) == 1 for s in shown_at), "each element appears at exactly one step"
    # one marked element (or more: arrow, label) for every event the ladder draws
    for i, e in enumerate(trace.events):
        if e.kind in DRAWN:
            assert any(step_of[i] in s for s in shown_at), f"event {i} ({e.kind}) has no element"
    # a segment is drawn when sent and travels (until-class) until the step it arrives or is lost
    index = {id(e): i for i, e in enumerate(trace.events)}
    arrivals = {step_of[index[id(f.end)]] for f in trace.flights() if f.end is not None
                and step_of[index[id(f.end)]] != step_of[index[id(f.send)]]}
    assert arrivals == {n for c in marked for n in numbers(c, "tl-u")}


def visible_steps(svg, shown):
    """The steps whose events are visible when step *shown* is current, as the CSS rules do it."""
    return {n for c in classes_of(svg) if "tl-ev" in c for n in numbers(c, "tl-f")
            if not any(f"tl-f{j}" in c for j in range(shown + 1, 10_000))}


def test_each_step_reveals_exactly_the_events_up_to_it():
    trace = scenarios.run("lost-final-ack")
    steps = tw.select_steps(trace)
    svg = drawing.ladder_svg(trace, steps)
    drawn = {s.number for s in steps if any(trace.events[i].kind in DRAWN for i in s.events)}
    for k in range(1, len(steps) + 1):
        assert visible_steps(svg, k) == {n for n in drawn if n <= k}
    # the CSS: one hiding rule per step, keyed on an earlier tab being the current one
    css = style.step_rules(len(steps), "tcplab-w7")
    for j in range(1, len(steps) + 1):
        assert (f".tcplab-w7:has(> .tcplab-steps > .lm-TabBar > .lm-TabBar-content > li.lm-mod-current"
                f":nth-child(-n+{j})) .tl-f{j}{{display:none}}") in css
        assert f"li:nth-child({j + 1}).lm-mod-current) .tl-a{j}{{--tcplab-show:visible" in css


def test_each_stylesheet_serves_only_its_own_steppers():
    """A widget's rules are keyed on its own class (stepping restyles one widget)."""
    stepper = tw.Stepper(scenarios.run("handshake"))
    explorer = tw.Explorer({"a": scenarios.run("handshake"), "b": scenarios.run("lost-syn")})
    what_if = tw.WhatIf.for_scenario("handshake")
    scopes = set()
    for widget, steppers in ((stepper, [stepper]), (explorer, list(explorer.steppers.values())),
                             (what_if, what_if.panels)):
        sheet = widget.children[0].value
        [scope] = set(re.findall(r"\.(tcplab-w\d+):has", sheet))
        assert all(scope in s._dom_classes for s in steppers)
        scopes.add(scope)
    assert len(scopes) == 3


def test_the_state_diagram_outlines_each_hosts_state_at_each_step():
    trace = handshake()
    steps = tw.select_steps(trace)
    svg = drawing.state_diagram_svg(trace, steps)
    outlines = re.findall(r"<g class='tcplab-now ([^']*)'><rect[^>]*stroke='([^']*)'.*?>(client|server)</text></g>", svg)
    at = {host: set() for host in ("client", "server")}
    for classes, _color, host in outlines:
        shown = numbers(classes.split(), "tl-a")
        assert not shown & at[host], "a host is outlined once per step"
        at[host] |= shown
    assert at["client"] == at["server"] == {s.number for s in steps}
    assert "class='tcplab-taken" in svg


def test_svg_is_compact_text_with_an_accessible_name():
    trace = scenarios.run("four-way-teardown")
    svg = drawing.ladder_svg(trace, tw.select_steps(trace), label="Ladder diagram of a teardown")
    assert svg.startswith("<svg") and "aria-label=\"Ladder diagram of a teardown\"" in svg
    assert "<text" in svg and "FIN" in svg, "text stays text (crisp, searchable)"
    ids = re.findall(r" id='([^']*)'", svg)
    assert all(f"#{i}" in svg for i in ids), "only ids the drawing refers to (content-hashed markers)"
    assert " width=" not in re.match("<svg[^>]*>", svg).group(0), "CSS sizes the drawing"
    assert len(svg) < 30_000


# --- the stepper --------------------------------------------------------------------------
def make(trace=None, **kwargs):
    return tw.Stepper(trace or handshake(), **kwargs)


def test_stepper_structure_and_links():
    trace = handshake()
    w = make(trace)
    assert isinstance(w, ipywidgets.VBox)
    n = w.frame_count
    assert n == len(tw.select_steps(trace))
    assert len(w.frames.children) == n + 1, "a placeholder, then one child per step"
    assert (w.slider.min, w.slider.max, w.play.min, w.play.max) == (1, n, 1, n)
    assert len(w.nav.options) == n + 1
    assert w.slider.value == w.play.value == w.frames.selected_index == w.nav.index == 1
    pairs = {((l.source[0].model_id, l.source[1]), (l.target[0].model_id, l.target[1])) for l in w.links}
    assert ((w.play.model_id, "value"), (w.slider.model_id, "value")) in pairs
    assert ((w.slider.model_id, "value"), (w.frames.model_id, "selected_index")) in pairs
    assert ((w.nav.model_id, "index"), (w.slider.model_id, "value")) in pairs
    assert all(isinstance(l, ipywidgets.widgets.widget_link.Link) for l in w.links)  # jslink, not dlink
    assert "tcplab-steps" in w.frames._dom_classes and "tcplab-stepper" in w._dom_classes
    assert "tcplab-nav" in w.nav._dom_classes


def test_stepper_ships_one_drawing_and_a_caption_per_step():
    trace = handshake()
    w = make(trace)
    assert w.drawing.value.count("<svg") == 2, "the ladder and the state diagram"
    captions = w.captions.value
    assert "aria-live='polite'" in captions
    for step in w.steps:
        assert f"<div class='tl-a{step.number}'><div class='tcplab-caption'>Step {step.number} of " in captions
    assert "client sends SYN" in captions and "<table class='tcplab-fields'>" in captions
    assert "<table" not in make(trace, fields=False).captions.value
    assert make(trace, show_states=False).drawing.value.count("<svg") == 1


def test_navigation_buttons_have_names_not_numbers():
    w = make()
    assert w.nav.options[1] == ("step 1", 1)
    css = w.children[0].value
    assert 'content: "next \\25B6" / ", next"' in css and '/ ", previous"' in css
    assert w.play.description == "play the steps" and w.slider.description == "step"


def test_static_copy_shows_the_whole_ladder_until_the_widget_runs():
    w = make()
    static = w.static_html()
    assert "<div class='tcplab-static'>" in static and w.ladder_svg in static
    css = w.children[0].value
    assert ".cell_output:has(.tcplab-stepper, .tcplab-explorer) .tcplab-static" in css
    assert "@media print" in css and "background: #fff" not in css


def test_step_property_and_start():
    w = make(start="last")
    assert w.step == w.frame_count
    w.step = 2
    assert w.slider.value == w.play.value == w.frames.selected_index == w.nav.index == 2
    with pytest.raises(ValueError, match="start must be"):
        make(start=0)


def test_state_diagram_replacement_is_called_without_current_states():
    calls = []

    def opening(current=None, last=None):
        calls.append((current, last))
        from tcplab.views import state_diagram
        return state_diagram(states=[State.CLOSED, State.LISTEN, State.SYN_SENT, State.SYN_RECEIVED,
                                     State.ESTABLISHED])
    make(state_diagram=opening)
    make(state_diagram=opening)
    assert calls == [(None, None)], "drawn once, then shared"


# --- the explorer and the what-if ---------------------------------------------------------
def test_explorer_links_dropdown_to_variants_and_bounds_frames():
    variants = {"handshake": handshake(), "again": handshake()}
    w = tw.Explorer(variants, max_frames=10, steps="events")
    assert list(w.dropdown.options) == ["handshake", "again"]
    assert len(w.variants.children) == 2
    assert w.frame_count <= 10
    (link,) = w.links
    assert (link.source[0], link.source[1], link.target[0], link.target[1]) == (
        w.dropdown, "index", w.variants, "selected_index")
    assert all(s.step == s.frame_count for s in w.steppers.values())


def test_segment_names_read_like_the_book():
    trace = whatif.CONVERSATIONS["teardown"].run()
    assert whatif.segment_names(trace) == [
        "the client's SYN", "the server's SYN-ACK", "the client's ACK of the SYN-ACK (end of the handshake)",
        "the client's FIN", "the server's ACK of the client's FIN", "the server's FIN", "the final ACK"]


def sends(trace, host, flag):
    return [e for e in trace.events if e.kind is Kind.SEND and e.host == host and flag in e.segment.flags.label()]


def test_every_single_loss_is_simulated_and_ends_its_own_way():
    variants = tw.loss_variants(whatif.CONVERSATIONS["teardown"])
    names = whatif.segment_names(variants[0].trace)
    assert [v.label for v in variants] == [whatif.NOTHING] + [
        x for n in names for x in ((n, f"{n}, twice") if whatif._loses_twice(n) else (n,))]
    for v in variants[1:]:
        drops = [e for e in v.trace.events if e.kind is Kind.DROP]
        assert len(drops) == v.times
        lost = drops[0].segment
        if lost.len or lost.flags.label() != "ACK":   # it occupies sequence space: it is sent again
            again = [e for e in v.trace.events[v.trace.events.index(drops[0]):]
                     if e.kind is Kind.SEND and (e.segment.seq, e.segment.flags) == (lost.seq, lost.flags)]
            assert again and all(e.retransmission for e in again)
    stories = {tuple(str(e) for e in v.trace.events) for v in variants}
    assert len(stories) == len(variants), "each loss leads to its own story"


def test_losing_the_final_ack_makes_the_server_retransmit_its_fin_and_time_wait_answer():
    variants = {v.label: v for v in tw.loss_variants(whatif.CONVERSATIONS["teardown"])}
    for label, fins in (("the final ACK", 2), ("the final ACK, twice", 3)):
        trace = variants[label].trace
        server_fins = sends(trace, "server", "FIN")
        assert len(server_fins) == fins and all(e.retransmission for e in server_fins[1:])
        acks = [e for e in trace.events if e.kind is Kind.SEND and e.host == "client" and e.state is State.TIME_WAIT]
        assert len(acks) == fins, "TIME-WAIT ACKs every copy of the FIN"
        assert trace.state_at("server", len(trace.events) - 1) is State.CLOSED


def test_what_if_widget_links_each_chooser_to_its_cases():
    w = tw.WhatIf.for_scenario("lost-final-ack")
    assert [s.description for s in w.switches] == ["who closes first"]
    assert len(w.choosers) == len(w.panels) == 2, "one loss chooser and one set of controls per setting"
    for chooser in w.choosers:
        assert chooser.value == "the final ACK"
    links = {(l.source[0].model_id, l.source[1]): (l.target[0].model_id, l.target[1]) for l in w.links}
    assert links[(w.switches[0].model_id, "index")][1] == "selected_index"
    for chooser, panel, (path, variants) in zip(w.choosers, w.panels, w.variants.items()):
        assert len(panel.cases) == len(variants) == len(chooser.options)
        assert links[(chooser.model_id, "index")][1] == "selected_index"
        assert panel.count == max(len(s) for s in w.steps[path])
        assert panel.controls.slider.value == panel.count, "each case opens on its whole story"
        assert "tcplab-stepper" in panel._dom_classes
        for case, steps in zip(panel.cases, w.steps[path]):
            # the last caption stays up to the panel's last step
            last = " ".join(f"tl-a{n}" for n in range(len(steps), panel.count + 1))
            assert f"<div class='{last}'><div class='tcplab-caption'>Step {len(steps)} of" in case.value
    assert "tcplab-whatif" in w._dom_classes and "tcplab-static" in w.static_html()
    assert repr(w) == "WhatIf('What if the final ACK is lost?', 20 cases)"


def data_sent(trace):
    """(time, bytes) of each data segment the client sends."""
    return [(round(e.time, 3), len(e.segment.payload)) for e in trace.events
            if e.kind is Kind.SEND and e.host == "client" and e.segment.payload]


def test_transfer_nagle_holds_small_pieces_while_data_is_unacknowledged():
    transfer = whatif.CONVERSATIONS["transfer"]
    assert [s.label for s in transfer.switches] == ["delayed ACK", "Nagle"]
    pieces = [len(p) for p in whatif.REQUEST]
    # Nagle off (TCP_NODELAY): each write leaves at once, 10 ms apart
    assert data_sent(transfer.run(nodelay=True)) == [(0.1, pieces[0]), (0.11, pieces[1]), (0.12, pieces[2])]
    # Nagle on: the first small piece leaves; the next two wait for its ACK (one round trip) and leave together
    assert data_sent(transfer.run(nodelay=False)) == [(0.1, pieces[0]), (0.2, pieces[1] + pieces[2])]
    # ... and with a delayed ACK they wait 0.2 s longer: the stall of book/transfer.ipynb's Nagle section
    assert data_sent(transfer.run(nodelay=False, delayed_ack=0.2)) == [(0.1, pieces[0]), (0.4, pieces[1] + pieces[2])]


def test_each_segment_on_a_case_diagram_picks_its_loss():
    w = tw.WhatIf.for_scenario("teardown")
    labels = list(w.choosers[0].options)
    variants = w.variants[("the client",)]
    nothing, final_ack = variants[0], variants[labels.index("the final ACK")]
    # as it is: every segment picks the case that loses it once
    assert whatif.pick_targets(nothing, labels) == {
        k: labels.index(name) for k, name in enumerate(whatif.segment_names(nothing.trace), start=1)}
    # the lost final ACK picks "lost twice"; its retransmission is no choice of the list
    targets = whatif.pick_targets(final_ack, labels)
    assert labels.index("the final ACK, twice") in targets.values()
    assert labels.index("the final ACK") not in targets.values()
    case = w.panels[0].cases[0].value
    # a button's name: the loss, then the words it shows (WCAG's label in name)
    buttons = re.findall(r"<g [^>]*data-lose='(\d+)' role='button' tabindex='0' aria-label=\"Lose ([^\"]*): ([^\"]*)\">"
                         r"<text [^>]*>([^<]*)</text>", case)
    assert [(int(i), name) for i, name, _, _ in buttons] == [
        (i, labels[i]) for i in sorted(whatif.pick_targets(nothing, labels).values())]
    assert all(shown == text for _, _, shown, text in buttons)
    assert case.count("onclick=") == 1 and "dispatchEvent(new Event('change'" in case
    assert "<a " not in case and 'role="group" aria-label="Ladder diagram' in case
    assert "data-lose" not in w.static_html() and "<a " not in w.static_html()


def test_what_if_rejects_unknown_names_and_simulates_on_demand():
    with pytest.raises(ValueError, match="name must be one of"):
        tw.WhatIf.for_scenario("nope")
    w = tw.WhatIf.for_scenario("handshake")
    stepper = w.simulate("the client's SYN", times=3)
    assert sum(e.kind is Kind.DROP for e in stepper.trace.events) == 3
    with pytest.raises(ValueError, match="lose must be one of"):
        w.simulate("the final ACK")
    with pytest.raises(ValueError, match="times"):
        w.simulate("the client's SYN", times=0)


def test_explorer_rejects_too_many_variants_for_the_budget():
    with pytest.raises(ValueError, match="max_frames"):
        tw.Explorer({str(i): handshake() for i in range(5)}, max_frames=8)
    with pytest.raises(ValueError, match="at least one"):
        tw.Explorer({})


# --- layering -----------------------------------------------------------------------------
def test_import_tcplab_does_not_import_widgets():
    code = "import sys, tcplab; assert 'ipywidgets' not in sys.modules and 'tcplab.views.widgets' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- scripts/execute_notebooks.py ----------------------------------------------------------
def test_execute_notebooks_stores_outputs_and_widget_state(tmp_path):
    """A notebook with a jslinked widget, executed in its own folder, keeps the widget state."""
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    from pathlib import Path
    import importlib.util

    script = Path(__file__).resolve().parents[1] / "scripts" / "execute_notebooks.py"
    spec = importlib.util.spec_from_file_location("execute_notebooks", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    folder = tmp_path / "chapter"
    folder.mkdir()
    (folder / "data.txt").write_text("here")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import os; print(open('data.txt').read(), os.environ['PYTHONHASHSEED'])"),
        nbformat.v4.new_code_cell("import ipywidgets as w\na, b = w.IntSlider(), w.IntText()\n"
                                  "w.jslink((a, 'value'), (b, 'value'))\nw.VBox([a, b])"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "page.ipynb"
    nbformat.write(nb, path)
    (folder / ".ipynb_checkpoints").mkdir()
    nbformat.write(nb, folder / ".ipynb_checkpoints" / "page-checkpoint.ipynb")

    assert module.notebooks([tmp_path]) == [path]
    assert module.main([str(tmp_path), "--timeout", "120"]) == 0
    done = nbformat.read(path, as_version=4)
    assert done.cells[0].outputs[0]["text"] == "here 0\n"
    assert "application/vnd.jupyter.widget-view+json" in done.cells[1].outputs[0]["data"]
    state = done.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert {m["model_name"] for m in state.values()} >= {"IntSliderModel", "IntTextModel", "LinkModel", "VBoxModel"}


def test_drawings_never_shrink_their_text_below_the_floor():
    import re

    from tcplab import scenarios
    from tcplab.views.widgets import Stepper
    from tcplab.views.widgets.drawing import TEXT_FLOOR_PX

    stepper = Stepper(scenarios.run("lost-final-ack"))
    html = "".join(child.value for child in stepper.children if isinstance(getattr(child, "value", None), str))
    html += stepper.static_html()
    boxes = re.findall(r"min-width:(\d+)px'>(<svg.*?</svg>)", html, flags=re.S)
    assert len(boxes) >= 2
    for width, svg in boxes:
        view = float(re.search(r"viewBox='[\d.]+ [\d.]+ ([\d.]+)", svg).group(1))
        # font-size, and the font shorthand of the host tags on the state diagram's outlines
        sizes = (re.findall(r"font-size:([\d.]+)px", svg) + re.findall(r"font: bold ([\d.]+)px", svg)
                 + re.findall(r"font-size='([\d.]+)'", svg))
        assert min(float(s) for s in sizes) * int(width) / view >= TEXT_FLOOR_PX
    assert re.search(r"class=.tcplab-tag[^>]*font: bold", html), "the host tags are measured too"
