"""Step-through widgets for the book: they work in a live kernel *and* on the static website.

`Stepper(trace)` walks a `Trace` one step at a time: the ladder diagram up to the step, both
hosts' states on the state diagram, and the step's segment fields.  `Explorer(variants)` picks
one of several traces of a scenario from a dropdown and shows its stepper.

How they work without a kernel
------------------------------
The static site has no Python, so nothing here relies on Python callbacks.  Every frame is
rendered when the notebook runs and becomes one child of an `ipywidgets.Tab` whose tab bar is
hidden by CSS.  The controls are tied together in the browser with `ipywidgets.jslink`, which
the ipywidgets HTML manager replays on the static page:

- `Play.value`  <-> `IntSlider.value` <-> `Tab.selected_index` (the visible frame);
- `ToggleButtons.index` <-> `IntSlider.value` for "previous" / "next": the ToggleButtons has one
  button per step and CSS shows only the two neighbours of the active one, labelled
  "previous" and "next".  Clicking one selects its step, so it moves one step either way.

The slider counts steps from 1; child 0 of the Tab (and button 0) is an empty placeholder so
that the three indices stay equal.  The CSS ships inside an HTML widget, so it reaches the
static page as well as JupyterLab.

Figures come from `tcplab.plot` (imported when a widget is built, never at `import tcplab`).
"""

import base64
import html
import time
from dataclasses import dataclass

import ipywidgets as widgets

from .trace import Kind

#: Steps show these kinds of events; others (application reads) only appear in the table.
INTERESTING = frozenset({Kind.CALL, Kind.SEND, Kind.DELIVER, Kind.DROP, Kind.TIMER, Kind.STATE, Kind.ERROR})
FORMATS = ("webp", "png", "svg")

STYLE = """
<style>
.tcplab-stepper { max-width: 100%; }
.tcplab-frames > .lm-TabBar, .tcplab-frames > .widget-tab-bar { display: none !important; }
.tcplab-frames > .widget-tab-contents { border: none !important; padding: 0 !important; overflow: visible; }
.tcplab-frame img { max-width: 100%; height: auto; display: block; }
.tcplab-fsm img { max-width: min(100%, 520px); margin-top: 6px; }
.tcplab-caption { font-weight: 600; margin: 2px 0 4px; }
.tcplab-caption .tcplab-time { font-weight: 400; color: #555; margin-left: 0.5em; white-space: nowrap; }
table.tcplab-fields { border-collapse: collapse; font-size: 12px; line-height: 1.35; margin: 2px 0; }
table.tcplab-fields th, table.tcplab-fields td { border: 1px solid #ccc; padding: 1px 6px; text-align: left; white-space: nowrap; }
table.tcplab-fields th { background: #f3f3f3; }
table.tcplab-fields td.tcplab-what { white-space: normal; min-width: 12em; }
.tcplab-nav .widget-toggle-button { display: none; font-size: 0 !important; width: auto !important; min-width: 7.5em; }
.tcplab-nav .widget-toggle-button.mod-active + .widget-toggle-button,
.tcplab-nav .widget-toggle-button:has(+ .widget-toggle-button.mod-active) { display: inline-block; }
.tcplab-nav .widget-toggle-button:first-child { display: none !important; }
.tcplab-nav .widget-toggle-button.mod-active + .widget-toggle-button::after { content: "next \\25B6"; font-size: var(--jp-widgets-font-size, 13px); }
.tcplab-nav .widget-toggle-button:has(+ .widget-toggle-button.mod-active)::after { content: "\\25C0  previous"; font-size: var(--jp-widgets-font-size, 13px); }
[data-theme="dark"] .tcplab-stepper, body[data-jp-theme-light="false"] .tcplab-stepper,
[data-theme="dark"] .tcplab-explorer, body[data-jp-theme-light="false"] .tcplab-explorer {
  background: #fff; color: #1a1a1a; color-scheme: light; border-radius: 4px; padding: 4px;
}
</style>
"""


@dataclass(frozen=True)
class Step:
    """One frame: the events it covers (indices into the trace); the frame shows up to `last`."""

    number: int
    events: tuple[int, ...]

    @property
    def last(self):
        return self.events[-1]


# --- choosing the steps -------------------------------------------------------------------
def select_steps(trace, steps="interesting", max_frames=40):
    """Group the trace's events into at most *max_frames* steps.

    - ``"events"``: one step per event.
    - ``"interesting"``: one step per event of an `INTERESTING` kind; a state change made by
      the same host at the same instant as the previous step's event joins that step (the
      host received a SYN *and* moved to SYN-RECEIVED), and uninteresting events join the step
      before them.
    If that still makes more than *max_frames* steps, consecutive steps are merged evenly.
    """
    if steps not in ("events", "interesting"):
        raise ValueError(f"steps must be 'events' or 'interesting'; got {steps!r}")
    if not isinstance(max_frames, int) or max_frames < 1:
        raise ValueError(f"max_frames must be a positive integer; got {max_frames!r}")
    events = trace.events
    if not events:
        raise ValueError("the trace has no events to step through")
    groups = []
    for i, event in enumerate(events):
        if steps == "events" or not groups:
            groups.append([i])
            continue
        previous = events[groups[-1][-1]]
        joins = (event.kind not in INTERESTING
                 or (event.kind is Kind.STATE and event.host == previous.host
                     and event.time == previous.time and previous.kind is not Kind.STATE))
        if joins:
            groups[-1].append(i)
        else:
            groups.append([i])
    if len(groups) > max_frames:
        size = -(-len(groups) // max_frames)  # ceil
        groups = [sum(groups[j:j + size], []) for j in range(0, len(groups), size)]
    return [Step(n, tuple(g)) for n, g in enumerate(groups, start=1)]


# --- text -----------------------------------------------------------------------------------
def describe(event, trace=None):
    """A short sentence for one event: "client sends SYN", "server: LISTEN -> SYN-RECEIVED"."""
    seg = event.segment
    label = seg.flags.label() if seg is not None else ""
    if seg is not None and seg.payload:
        label += f" + {len(seg.payload)} bytes"
    retx = " again (retransmission)" if event.retransmission else ""
    kind = event.kind
    if kind is Kind.SEND:
        text = f"{event.host} sends {label}{retx}"
    elif kind is Kind.DELIVER:
        text = f"{event.host} receives {label}"
    elif kind is Kind.DROP:
        text = f"the network loses {label}"
    elif kind is Kind.STATE:
        text = f"{event.host}: {event.before} \u2192 {event.state}"
    elif kind is Kind.TIMER:
        return f"{event.host}: {event.detail or 'a'} timer expires"
    elif kind is Kind.CALL:
        return f"{event.host} calls {event.detail}" if event.detail else f"{event.host} makes a call"
    elif kind is Kind.READ:
        text = f"{event.host}'s application reads {len(event.data)} bytes"
    elif kind is Kind.ERROR:
        text = f"{event.host}: error"
    else:  # pragma: no cover - every Kind is handled above
        text = f"{event.host}: {kind}"
    restates = kind is Kind.SEND and _letters(event.detail) in (_letters(label), _letters(label.replace(",", "")))
    if event.detail and not restates:
        text += f" ({event.detail})"
    return text


def _letters(text):
    return "".join(c for c in text.upper() if c.isalpha())


def _cell(value):
    return f"<td>{html.escape(str(value))}</td>"


def fields_table(trace, indices):
    """An HTML table with one row per event: time, host, what, flags, seq, ack, len, window, options."""
    head = "".join(f"<th>{h}</th>" for h in ("time/s", "host", "what", "flags", "seq", "ack", "len", "win", "options"))
    rows = []
    for i in indices:
        e = trace.events[i]
        seg = e.segment
        if seg is not None:
            acked = bool(seg.flags & seg.flags.ACK)
            seg_cells = (_cell(seg.flags.label()) + _cell(seg.seq) + _cell(seg.ack if acked else "\u2014")
                         + _cell(seg.len) + _cell(seg.window) + _cell(str(seg.options) or "\u2014"))
        else:
            seg_cells = "<td colspan='6'>\u2014</td>"
        rows.append(f"<tr>{_cell(f'{e.time:.3f}')}{_cell(e.host)}"
                    f"<td class='tcplab-what'>{html.escape(describe(e, trace))}</td>{seg_cells}</tr>")
    return f"<table class='tcplab-fields'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


# --- figures --------------------------------------------------------------------------------
def _plot():
    from . import plot  # views layer; imported only when a widget is built
    return plot


def encode(fig, frame_format="webp", dpi=96, colors=32):
    """*fig* as a data URI: lossless WebP or PNG at *dpi*, reduced to a palette of *colors*
    (line art loses nothing visible and shrinks about four times), or SVG."""
    plot = _plot()
    if frame_format == "webp":
        return "data:image/webp;base64," + base64.b64encode(plot.to_webp(fig, dpi=dpi, colors=colors)).decode("ascii")
    if frame_format == "png":
        data = plot.to_png(fig, dpi=dpi, colors=colors)
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    if frame_format == "svg":
        text = plot.to_svg(fig)
        return "data:image/svg+xml;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")
    raise ValueError(f"frame_format must be one of {FORMATS}; got {frame_format!r}")


#: State diagrams already drawn, shared by every widget of the process: {key: data URI}.
_FSM_CACHE = {}
_FSM_CACHE_SIZE = 256


def _img(uri, alt, css_class):
    return f"<img class='{css_class}' src='{uri}' alt='{html.escape(alt, quote=True)}'>"


def last_transitions(trace, index):
    """For each host, its most recent state change up to event *index*: ``{host: (before, after)}``."""
    last = {}
    for e in trace.events[: index + 1]:
        if e.kind is Kind.STATE:
            last[e.host] = (e.before, e.state)
    return last


class _Renderer:
    """Renders the frames of one trace; state diagrams are cached and their widgets shared."""

    def __init__(self, trace, frame_format, dpi, state_dpi, colors, ladder, state_diagram, show_states):
        if frame_format not in FORMATS:
            raise ValueError(f"frame_format must be one of {FORMATS}; got {frame_format!r}")
        self.trace = trace
        self.frame_format = frame_format
        self.dpi = dpi
        self.state_dpi = state_dpi
        self.colors = colors
        self.ladder = ladder
        self.state_diagram = state_diagram
        self.show_states = show_states
        self.fsm_widgets = {}
        self.times = []

    def ladder_uri(self, upto):
        ladder = self.ladder or _plot().ladder
        return encode(ladder(self.trace, upto=upto), self.frame_format, self.dpi, self.colors)

    def fsm_key(self, upto):
        hosts = [h.name for h in self.trace.hosts]
        current = tuple((h, self.trace.state_at(h, upto)) for h in hosts)
        last = tuple(sorted(last_transitions(self.trace, upto).items()))
        return current, last

    def fsm_uri(self, key):
        current, last = key
        state_diagram = self.state_diagram or _plot().state_diagram
        cache_key = (key, self.frame_format, self.state_dpi, self.colors, state_diagram)
        if cache_key not in _FSM_CACHE:
            if len(_FSM_CACHE) >= _FSM_CACHE_SIZE:
                _FSM_CACHE.pop(next(iter(_FSM_CACHE)))
            fig = state_diagram(current=dict(current), last=dict(last))
            _FSM_CACHE[cache_key] = encode(fig, self.frame_format, self.state_dpi, self.colors)
        return _FSM_CACHE[cache_key]

    def fsm_widget(self, upto):
        """One HTML widget per distinct (states, last transitions); frames showing it share it."""
        key = self.fsm_key(upto)
        if key not in self.fsm_widgets:
            alt = "State diagram: " + ", ".join(f"{h} in {s}" for h, s in key[0])
            value = f"<div class='tcplab-frame tcplab-fsm'>{_img(self.fsm_uri(key), alt, 'tcplab-fsm')}</div>"
            self.fsm_widgets[key] = widgets.HTML(value)
        return self.fsm_widgets[key]

    def frame(self, step, count, title):
        start = time.perf_counter()
        trace = self.trace
        event = trace.events[step.last]
        main = [e for e in step.events if trace.events[e].kind in INTERESTING] or list(step.events)
        what = "; ".join(describe(trace.events[i], trace) for i in main)
        caption = (f"<div class='tcplab-caption'>Step {step.number} of {count}: {html.escape(what)}"
                   f"<span class='tcplab-time'>t = {event.time:.3f} s</span></div>")
        alt = f"Ladder diagram of {title or trace.title or 'the trace'}, up to step {step.number}: {what}"
        body = (f"<div class='tcplab-frame'>{caption}{_img(self.ladder_uri(step.last), alt, 'tcplab-ladder')}"
                f"{fields_table(trace, step.events)}</div>")
        children = [widgets.HTML(body)]
        if self.show_states:
            children.append(self.fsm_widget(step.last))
        self.times.append(time.perf_counter() - start)
        return widgets.VBox(children)


# --- the widgets ----------------------------------------------------------------------------
class Stepper(widgets.VBox):
    """Walk *trace* one step at a time; works in a live kernel and on the static website.

    Parameters
    ----------
    trace : tcplab.trace.Trace
    title : str, optional
        Shown above the controls (the ladder diagram already shows ``trace.title``).
    frame_format : "webp", "png" or "svg"
        How frames are embedded (lossless WebP is the most compact; every current browser shows it).
    dpi, state_dpi, colors : int
        PNG resolution of the ladder and of the state diagram, and the size of the PNG palette
        (None keeps full colour).
    steps : "interesting" or "events"
        See `select_steps`.
    max_frames : int
        At most this many frames (steps are merged beyond it), to bound the page's weight.
    start : int or "first" or "last"
        The step shown first (1-based).
    interval : int
        Milliseconds between steps when playing.
    show_states : bool
        Draw the state diagram next to the ladder.
    ladder, state_diagram : callables, optional
        Replace `tcplab.plot.ladder` / `tcplab.plot.state_diagram` (same signatures).

    Attributes: ``play``, ``slider``, ``nav`` (previous / next), ``frames`` (the Tab),
    ``steps`` (list of `Step`), ``render_seconds`` (per frame) and ``step`` (get or set).
    """

    def __init__(self, trace, *, title=None, frame_format="webp", steps="interesting", max_frames=40,
                 start="first", interval=1200, dpi=96, state_dpi=80, colors=32, show_states=True,
                 ladder=None, state_diagram=None, style=True, **kwargs):
        self.trace = trace
        self.steps = select_steps(trace, steps, max_frames)
        count = len(self.steps)
        if start == "first":
            start = 1
        elif start == "last":
            start = count
        if not isinstance(start, int) or not 1 <= start <= count:
            raise ValueError(f"start must be 'first', 'last' or a step in 1..{count}; got {start!r}")
        renderer = _Renderer(trace, frame_format, dpi, state_dpi, colors, ladder, state_diagram, show_states)
        frames = [widgets.Box()] + [renderer.frame(s, count, title) for s in self.steps]
        self.render_seconds = list(renderer.times)

        self.frames = widgets.Tab(children=frames, selected_index=start)
        self.frames.add_class("tcplab-frames")
        self.play = widgets.Play(value=start, min=1, max=count, step=1, interval=interval,
                                 show_repeat=False, description="Play", tooltip="play the steps")
        self.slider = widgets.IntSlider(value=start, min=1, max=count, step=1, description="step",
                                        continuous_update=True, readout=True,
                                        layout=widgets.Layout(width="min(100%, 420px)"))
        self.nav = widgets.ToggleButtons(
            options=[(str(i), i) for i in range(count + 1)], index=start,
            tooltips=[""] + [f"go to step {i}" for i in range(1, count + 1)],
            style={"button_width": "auto"})
        self.nav.add_class("tcplab-nav")
        self.links = [
            widgets.jslink((self.play, "value"), (self.slider, "value")),
            widgets.jslink((self.slider, "value"), (self.frames, "selected_index")),
            widgets.jslink((self.nav, "index"), (self.slider, "value")),
        ]
        header = widgets.HTML((STYLE if style else "")
                              + (f"<div class='tcplab-caption'>{html.escape(title)}</div>" if title else ""))
        controls = widgets.HBox([self.play, self.slider, self.nav],
                                layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        super().__init__([header, controls, self.frames], **kwargs)
        self.add_class("tcplab-stepper")

    @property
    def step(self):
        """The step shown (1-based)."""
        return self.slider.value

    @step.setter
    def step(self, value):
        self.slider.value = value
        # jslink keeps the browser in sync; keep Python's copies in sync too.
        self.play.value = value
        self.frames.selected_index = value
        self.nav.index = value

    @property
    def frame_count(self):
        return len(self.steps)

    def __repr__(self):
        # The text a notebook stores beside the widget view (nbval compares it): short and stable.
        return f"Stepper({self.trace.title or 'trace'!r}, {self.frame_count} steps)"


class Explorer(widgets.VBox):
    """Choose one of several *variants* of a scenario (``{label: Trace}``) and step through it.

    The Dropdown's ``index`` is jslinked to a Tab (tab bar hidden) holding one `Stepper` per
    variant, so choosing works on the static site too.  *max_frames* bounds the frames of all
    variants together (each gets an equal share).  Other keyword arguments go to `Stepper`.
    """

    def __init__(self, variants, *, title=None, description="variant", max_frames=60, start="last",
                 **stepper_kwargs):
        variants = dict(variants)
        if not variants:
            raise ValueError("variants must name at least one trace")
        share = max_frames // len(variants)
        if share < 2:
            raise ValueError(f"max_frames={max_frames} leaves fewer than 2 frames for each of "
                             f"{len(variants)} variants; raise max_frames or pass fewer variants")
        self.steppers = {name: Stepper(trace, max_frames=share, start=start, style=False, **stepper_kwargs)
                         for name, trace in variants.items()}
        self.dropdown = widgets.Dropdown(options=list(variants), index=0, description=description)
        self.variants = widgets.Tab(children=list(self.steppers.values()), selected_index=0)
        self.variants.add_class("tcplab-frames")
        self.links = [widgets.jslink((self.dropdown, "index"), (self.variants, "selected_index"))]
        header = widgets.HTML(STYLE + (f"<div class='tcplab-caption'>{html.escape(title)}</div>" if title else ""))
        super().__init__([header, self.dropdown, self.variants])
        self.add_class("tcplab-explorer")

    @property
    def frame_count(self):
        return sum(s.frame_count for s in self.steppers.values())

    @property
    def render_seconds(self):
        return [t for s in self.steppers.values() for t in s.render_seconds]

    def __repr__(self):
        return f"Explorer({list(self.steppers)!r}, {self.frame_count} steps)"
