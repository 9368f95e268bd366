"""tcplab.widgets: steps, text, and the jslink wiring that makes the widgets work without a kernel.

Figures are drawn by tiny stand-ins (the real plots have their own tests) so these run fast;
one test renders the real `tcplab.plot` figures when they are available.
"""

import subprocess
import sys

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import ipywidgets  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from tcplab import Host, Kind, Options, Segment, State, Trace  # noqa: E402
from tcplab.trace import Event  # noqa: E402
from tcplab import widgets as tw  # noqa: E402


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


CALLS = {"ladder": [], "fsm": []}


def fake_ladder(trace, upto=None):
    CALLS["ladder"].append(upto)
    fig = Figure(figsize=(2, 1))
    fig.text(0.1, 0.5, f"upto {upto}")
    return fig


def fake_fsm(current, last):
    CALLS["fsm"].append((current, last))
    fig = Figure(figsize=(2, 1))
    fig.text(0.1, 0.5, repr(current))
    return fig


@pytest.fixture(autouse=True)
def fake_export(monkeypatch):
    """Export without tcplab.plot so these tests do not depend on it."""
    import io

    def encode(fig, frame_format="webp", dpi=96, colors=32):
        if frame_format not in tw.FORMATS:
            raise ValueError(f"frame_format must be one of {tw.FORMATS}; got {frame_format!r}")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png" if frame_format == "webp" else frame_format, dpi=20)
        return f"data:image/{'svg+xml' if frame_format == 'svg' else frame_format};base64,AAAA"

    monkeypatch.setattr(tw, "encode", encode)
    monkeypatch.setattr(tw, "_FSM_CACHE", {})
    CALLS["ladder"].clear()
    CALLS["fsm"].clear()


def make(trace=None, **kwargs):
    return tw.Stepper(trace or handshake(), ladder=fake_ladder, state_diagram=fake_fsm, **kwargs)


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
def test_describe_events():
    trace = handshake()
    text = [tw.describe(e) for e in trace.events]
    assert text[0] == "client calls connect()"
    assert text[1] == "client: CLOSED \u2192 SYN-SENT (active OPEN)"
    assert text[2] == "client sends SYN"
    assert text[5] == "server receives SYN"
    assert text[7] == "server sends SYN,ACK"


def test_describe_drop_timer_and_retransmission():
    seg = Segment(1, 2, seq=5, flags="S")
    assert tw.describe(Event(1.0, "client", Kind.DROP, segment=seg, packet=1)) == "the network loses SYN"
    assert tw.describe(Event(1.0, "client", Kind.TIMER, detail="RTO")) == "client: RTO timer expires"
    resend = Event(1.0, "client", Kind.SEND, segment=seg, packet=2, retransmission=True, detail="retransmission")
    assert "again (retransmission)" in tw.describe(resend)


def test_fields_table_shows_segment_fields():
    trace = handshake()
    table = tw.fields_table(trace, [7])
    for text in ("SYN,ACK", "5000", "1001", "65535", "mss 1460", "server sends SYN,ACK"):
        assert text in table
    # ack is meaningless without the ACK flag: the SYN shows a dash
    syn_row = tw.fields_table(trace, [2])
    assert "<td>\u2014</td>" in syn_row
    assert "colspan" in tw.fields_table(trace, [0])


# --- the stepper --------------------------------------------------------------------------
def test_stepper_structure_and_links():
    trace = handshake()
    w = make(trace)
    assert isinstance(w, ipywidgets.VBox)
    n = w.frame_count
    assert n == len(tw.select_steps(trace))
    # one placeholder child, then one frame per step
    assert len(w.frames.children) == n + 1
    assert (w.slider.min, w.slider.max, w.play.min, w.play.max) == (1, n, 1, n)
    assert len(w.nav.options) == n + 1
    assert w.slider.value == w.play.value == w.frames.selected_index == w.nav.index == 1
    pairs = {((l.source[0].model_id, l.source[1]), (l.target[0].model_id, l.target[1])) for l in w.links}
    assert ((w.play.model_id, "value"), (w.slider.model_id, "value")) in pairs
    assert ((w.slider.model_id, "value"), (w.frames.model_id, "selected_index")) in pairs
    assert ((w.nav.model_id, "index"), (w.slider.model_id, "value")) in pairs
    assert all(isinstance(l, ipywidgets.widgets.widget_link.Link) for l in w.links)  # jslink, not dlink
    assert "tcplab-frames" in w.frames._dom_classes
    assert "tcplab-stepper" in w._dom_classes
    assert "tcplab-nav" in w.nav._dom_classes


def test_stepper_renders_every_step_up_to_its_last_event():
    trace = handshake()
    w = make(trace)
    assert CALLS["ladder"] == [s.last for s in w.steps]
    assert len(w.render_seconds) == w.frame_count
    html = w.frames.children[4].children[0].value
    assert "Step 4 of 8" in html and "server receives SYN" in html and "<img" in html
    assert "<table class='tcplab-fields'>" in html


def test_state_diagram_gets_current_states_and_is_shared_between_equal_frames():
    trace = handshake()
    w = make(trace, steps="events")
    current, last = CALLS["fsm"][0]
    assert current == {"client": State.CLOSED, "server": State.CLOSED} and last == {}
    # event 2 (client sends SYN) changes no state: frames 2 and 3 share one widget
    fsm = [f.children[1] for f in w.frames.children[1:]]
    assert fsm[1] is fsm[2]
    assert len({id(f) for f in fsm}) == len(CALLS["fsm"]) < w.frame_count
    final_current, final_last = CALLS["fsm"][-1]
    assert final_current == {"client": State.ESTABLISHED, "server": State.ESTABLISHED}
    assert final_last["server"] == (State.SYN_RECEIVED, State.ESTABLISHED)


def test_show_states_false_draws_no_state_diagram():
    w = make(show_states=False)
    assert CALLS["fsm"] == []
    assert len(w.frames.children[1].children) == 1


def test_step_property_and_start():
    w = make(start="last")
    assert w.step == w.frame_count == w.frames.selected_index
    w.step = 2
    assert (w.slider.value, w.play.value, w.frames.selected_index, w.nav.index) == (2, 2, 2, 2)
    assert make(start=3).step == 3
    with pytest.raises(ValueError, match="start must be"):
        make(start=99)


def test_frame_format_is_checked():
    with pytest.raises(ValueError, match="frame_format"):
        make(frame_format="gif")


def test_palette_png_is_small_and_deterministic():
    import io

    from PIL import Image
    from tcplab.plot import to_png
    fig = Figure(figsize=(2, 1))
    fig.text(0.1, 0.5, "quantize me", color="#0b6bb0")
    small = to_png(fig, dpi=80, colors=16)
    image = Image.open(io.BytesIO(small))
    assert image.mode == "P" and image.size == (160, 80)
    assert to_png(fig, dpi=80, colors=16) == small
    assert len(small) < len(to_png(fig, dpi=80))
    assert fig.dpi == Figure(figsize=(2, 1)).dpi  # the figure's own dpi is restored
    with pytest.raises(ValueError, match="colors"):
        to_png(fig, dpi=80, colors=1000)


def test_style_ships_inside_the_widget():
    w = make()
    header = w.children[0]
    assert isinstance(header, ipywidgets.HTML)
    assert "<style>" in header.value and ".tcplab-frames > .lm-TabBar" in header.value
    assert "display: none" in header.value


# --- the explorer -------------------------------------------------------------------------
def test_explorer_links_dropdown_to_variants_and_bounds_frames():
    variants = {"handshake": handshake(), "again": handshake()}
    w = tw.Explorer(variants, max_frames=10, steps="events", ladder=fake_ladder, state_diagram=fake_fsm)
    assert list(w.dropdown.options) == ["handshake", "again"]
    assert len(w.variants.children) == 2
    assert w.frame_count <= 10
    (link,) = w.links
    assert (link.source[0], link.source[1], link.target[0], link.target[1]) == (
        w.dropdown, "index", w.variants, "selected_index")
    # each variant opens on its complete diagram
    assert all(s.step == s.frame_count for s in w.steppers.values())


def test_explorer_rejects_too_many_variants_for_the_budget():
    with pytest.raises(ValueError, match="max_frames"):
        tw.Explorer({str(i): handshake() for i in range(5)}, max_frames=8, ladder=fake_ladder,
                    state_diagram=fake_fsm)
    with pytest.raises(ValueError, match="at least one"):
        tw.Explorer({})


# --- layering -----------------------------------------------------------------------------
def test_import_tcplab_does_not_import_widgets():
    code = "import sys, tcplab; assert 'ipywidgets' not in sys.modules and 'tcplab.widgets' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_real_figures(monkeypatch):
    """With the real tcplab.plot: WebP frames, compact enough for the static site."""
    monkeypatch.undo()  # the real encode()
    from tcplab import scenarios
    trace = scenarios.run("handshake")
    try:
        w = tw.Stepper(trace)
    except NotImplementedError:
        pytest.skip("tcplab.plot is not finished")
    frame = w.frames.children[1].children[0].value
    assert "data:image/webp;base64," in frame
    assert len(frame) < 40_000, "a ladder frame should be a small palette image"
    fsm = w.frames.children[1].children[1].value
    assert "data:image/webp;base64," in fsm and len(fsm) < 60_000


def test_webp_frames_are_lossless_and_deterministic():
    import io

    from PIL import Image
    from tcplab.plot import to_png, to_webp
    fig = Figure(figsize=(2, 1))
    fig.text(0.1, 0.5, "frame", color="#0b6bb0")
    webp = to_webp(fig, dpi=80, colors=32)
    assert webp == to_webp(fig, dpi=80, colors=32)
    same = Image.open(io.BytesIO(webp)).convert("RGB")
    palette = Image.open(io.BytesIO(to_png(fig, dpi=80, colors=32))).convert("RGB")
    assert same.tobytes() == palette.tobytes()  # lossless: the same pixels as the palette PNG


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
