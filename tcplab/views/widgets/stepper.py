"""`Stepper` walks one trace step by step; `Explorer` chooses among several traces.

How they work without a kernel
------------------------------
The static site has no Python, so nothing here relies on Python callbacks.  A stepper ships
one drawing of the whole trace (`tcplab.views.widgets.drawing`) and the caption of every step; the
controls are tied together in the browser by `ipywidgets.jslink`, which the ipywidgets HTML
manager replays on the static page:

- `Play.value` <-> `IntSlider.value` <-> `Tab.selected_index` (the step shown);
- `ToggleButtons.index` <-> `IntSlider.value` for "previous" / "next": one button per step,
  CSS shows only the two neighbours of the active one, named "previous" and "next".

The Tab (hidden, children empty) only holds the step; CSS in the widget reveals the drawing up
to that step (`tcplab.views.widgets.style`).  Child 0 of the Tab and button 0 are placeholders, so
the slider, the Tab and the buttons count steps alike from 1.

Displayed on its own, a widget is preceded by a static copy of its whole drawing: what a
reader sees without JavaScript, before the widget script has run, and on paper.
"""

import html
import time

import ipywidgets as widgets

from .drawing import ladder_svg, min_width, state_diagram_svg
from .steps import INTERESTING, narrate, fields_table, select_steps
from .style import new_scope, static_stylesheet, stylesheet

def step_text(trace, step):
    """What happens in *step*, in words: its interesting events joined by "; "."""
    main = [i for i in step.events if trace.events[i].kind in INTERESTING] or list(step.events)
    return "; ".join(narrate(trace.events[i]) for i in main)


def states_text(trace, index):
    """Each host's state after event *index*: "client ESTABLISHED, server SYN-RECEIVED"."""
    states = [(h.name, trace.state_at(h.name, index)) for h in trace.hosts]
    return ", ".join(f"{name} {state}" for name, state in states if state is not None)


def captions_html(trace, steps, fields=True, through=None):
    """One caption per step (CSS shows the current one), inside a polite live region; with
    *fields*, a table of the step's segment fields; the last caption stays up to step *through*."""
    count = len(steps)
    parts = []
    for step in steps:
        event = trace.events[step.last]
        shown = range(step.number, (through or count) + 1) if step.number == count else (step.number,)
        parts.append(
            f"<div class='{' '.join(f'tl-a{n}' for n in shown)}'><div class='tcplab-caption'>Step {step.number} of {count}: "
            f"{html.escape(step_text(trace, step))}<span class='tcplab-time'>t = {event.time:.3f} s</span></div>"
            f"<div class='tcplab-states'>{html.escape(states_text(trace, step.last))}</div>"
            + (f"<div class='tcplab-table' tabindex='0' role='region' aria-label='Segment fields of step "
               f"{step.number} (scrolls sideways)'>{fields_table(trace, step.events)}</div>" if fields else "")
            + "</div>")
    return f"<div class='tcplab-captions' role='status' aria-live='polite'>{''.join(parts)}</div>"


def ending_text(trace):
    """How the trace ends: "At t = 1.150 s: client ESTABLISHED, server ESTABLISHED"."""
    return f"At t = {trace.events[-1].time:.3f} s: {states_text(trace, len(trace.events) - 1)}"


def static_html(svg, note):
    """The static copy of a widget: its whole drawing and a note on what the widget adds."""
    return (f"{static_stylesheet()}<div class='tcplab-static'><p class='tcplab-note'>{html.escape(note)}</p>"
            f"<div class='tcplab-static-drawing' tabindex='0' role='group' aria-label='The whole diagram "
            f"(scroll sideways on a narrow screen)'><div style='min-width:{min_width(svg)}px'>{svg}</div></div></div>")


def check_start(start, count):
    """The first step to show, 1..*count*, from an int, "first" or "last"."""
    if start == "first":
        return 1
    if start == "last":
        return count
    if isinstance(start, bool) or not isinstance(start, int) or not 1 <= start <= count:
        raise ValueError(f"start must be 'first', 'last' or a step in 1..{count}; got {start!r}")
    return start


def _drawing(kind, svg):
    return f"<div class='tcplab-drawing {kind}' style='min-width:{min_width(svg)}px'>{svg}</div>"


class View:
    """What a stepper shows of one trace, as HTML: the marked drawing(s) and every step's caption.

    With *through* (more steps than this trace has, when several traces share one set of
    controls), the last caption stays shown up to step *through*; *attributes* go to groups of
    the ladder's elements (see `drawing.ladder_svg`).
    """

    def __init__(self, trace, steps, *, name, ladder=None, state_diagram=None, show_states=True, fields=True,
                 through=None, attributes=None):
        self.ladder_svg = ladder_svg(trace, steps, ladder, f"Ladder diagram of {name}", attributes)
        drawings = [_drawing("tcplab-ladder", self.ladder_svg)]
        if show_states:
            fsm = state_diagram_svg(trace, steps, state_diagram,
                                    f"State diagram of {name}: each host's current state is outlined")
            drawings.append(_drawing("tcplab-fsm", fsm))
        # Never narrower than the text floor allows: on a phone the drawings scroll sideways
        # (a focusable region, so the keyboard can scroll it too).
        self.drawing_html = (f"<div class='tcplab-view' tabindex='0' role='group' "
                             f"aria-label='Drawings of {html.escape(name, quote=True)} (scroll sideways on a narrow screen)'>"
                             f"{''.join(drawings)}</div>")
        self.captions_html = captions_html(trace, steps, fields, through)


class Controls:
    """Play, the slider and previous / next, jslinked to each other and to a hidden Tab (``frames``)
    whose selected child is the step shown; ``box`` holds the visible controls."""

    def __init__(self, count, start, interval):
        placeholder = widgets.Box()     # one empty child, count + 1 times: the Tab only holds the step
        self.frames = widgets.Tab(children=[placeholder] * (count + 1), selected_index=start)
        self.frames.add_class("tcplab-steps")
        self.play = widgets.Play(value=start, min=1, max=count, step=1, interval=interval, show_repeat=False,
                                 description="play the steps", tooltip="play the steps")
        # No readout: the caption says "Step k of n", and a readout makes the browser lay the page
        # out again inside every click, to check whether the number fits its box.
        self.slider = widgets.IntSlider(value=start, min=1, max=count, step=1, description="step",
                                        continuous_update=True, readout=False,
                                        layout=widgets.Layout(width="min(100%, 360px)"))
        self.nav = widgets.ToggleButtons(
            options=[(f"step {i}", i) for i in range(count + 1)], index=start,
            tooltips=[""] + [f"go to step {i}" for i in range(1, count + 1)],
            style={"button_width": "auto"})
        self.nav.add_class("tcplab-nav")
        self.links = [
            widgets.jslink((self.play, "value"), (self.slider, "value")),
            widgets.jslink((self.slider, "value"), (self.frames, "selected_index")),
            widgets.jslink((self.nav, "index"), (self.slider, "value")),
        ]
        self.box = widgets.HBox([self.play, self.slider, self.nav], layout=widgets.Layout(flex_flow="row wrap"))
        self.box.add_class("tcplab-controls")


class Stepper(widgets.VBox):
    """Walk *trace* one step at a time; works in a live kernel and on the static website.

    Parameters
    ----------
    trace : tcplab.core.trace.Trace
    title : str, optional
        Shown above the controls (the ladder diagram already shows ``trace.title``).
    steps : "interesting" or "events"
        See `select_steps`.
    max_frames : int
        At most this many steps (consecutive steps are merged beyond it).
    start : int or "first" or "last"
        The step shown first (1-based).
    interval : int
        Milliseconds between steps when playing.
    show_states : bool
        Draw the state diagram beside the ladder (below it on a narrow screen).
    ladder, state_diagram : callables, optional
        Replace `tcplab.views.ladder` / `tcplab.views.state_diagram` (same signatures).
    fields : bool
        Show a table of each step's segment fields under its caption.
    style : bool
        Ship the widget CSS (a container holding several steppers ships it once).

    Attributes: ``play``, ``slider``, ``nav`` (previous / next), ``frames`` (the Tab holding
    the step), ``steps`` (list of `Step`), ``drawing`` (the HTML widget with the SVG),
    ``build_seconds`` and ``step`` (get or set).
    """

    def __init__(self, trace, *, title=None, steps="interesting", max_frames=40, start="first", interval=1200,
                 show_states=True, ladder=None, state_diagram=None, fields=True, style=True, **kwargs):
        began = time.perf_counter()
        self.trace = trace
        self.scope = new_scope() if style else None
        self.steps = select_steps(trace, steps, max_frames)
        count = len(self.steps)
        start = check_start(start, count)
        view = View(trace, self.steps, name=title or trace.title or "the trace", ladder=ladder,
                    state_diagram=state_diagram, show_states=show_states, fields=fields)
        self.ladder_svg = view.ladder_svg
        self.drawing = widgets.HTML(view.drawing_html)
        self.captions = widgets.HTML(view.captions_html)
        controls = Controls(count, start, interval)
        self.play, self.slider, self.nav, self.frames, self.links = (
            controls.play, controls.slider, controls.nav, controls.frames, controls.links)
        controls.box.add_class("tcplab-bar")     # sticky: the controls stay in view beside the drawing
        header = widgets.HTML((stylesheet(count, self.scope) if style else "")
                              + (f"<div class='tcplab-caption'>{html.escape(title)}</div>" if title else ""))
        super().__init__([header, controls.box, self.frames, self.captions, self.drawing], **kwargs)
        self.add_class("tcplab-stepper")
        if style:
            self.add_class(self.scope)
        self.build_seconds = time.perf_counter() - began

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

    def static_html(self):
        """What shows before (or without) the widget script: the whole ladder diagram."""
        return static_html(self.ladder_svg,
                           f"The whole conversation; with JavaScript, step through it ({self.frame_count} steps).")

    def _ipython_display_(self):
        _display_with_static(self)

    def __repr__(self):
        # The text a notebook stores beside the widget view (nbval compares it): short and stable.
        return f"Stepper({self.trace.title or 'trace'!r}, {self.frame_count} steps)"


def _display_with_static(widget):
    """Display the static copy, then the widget (the widget's CSS hides the copy)."""
    from IPython.display import HTML, display

    display(HTML(widget.static_html()))
    display(widget._repr_mimebundle_(), raw=True)


class Explorer(widgets.VBox):
    """Choose one of several *variants* of a scenario (``{label: Trace}``) and step through it.

    The Dropdown's ``index`` is jslinked to a Tab (tab bar hidden) holding one `Stepper` per
    variant, so choosing works on the static site too.  *max_frames* bounds the steps of all
    variants together (each gets an equal share).  Other keyword arguments go to `Stepper`.
    """

    css_class = "tcplab-explorer"

    def __init__(self, variants, *, title=None, description="variant", max_frames=60, start="last",
                 **stepper_kwargs):
        began = time.perf_counter()
        variants = dict(variants)
        if not variants:
            raise ValueError("variants must name at least one trace")
        share = max_frames // len(variants)
        if share < 2:
            raise ValueError(f"max_frames={max_frames} leaves fewer than 2 steps for each of "
                             f"{len(variants)} variants; raise max_frames or pass fewer variants")
        self.steppers = {name: Stepper(trace, max_frames=share, start=start, style=False, **stepper_kwargs)
                         for name, trace in variants.items()}
        self.dropdown = widgets.Dropdown(options=list(variants), index=0, description=description,
                                         style={"description_width": "initial"})
        self.variants = widgets.Tab(children=list(self.steppers.values()), selected_index=0)
        self.variants.add_class("tcplab-frames")
        self.links = [widgets.jslink((self.dropdown, "index"), (self.variants, "selected_index"))]
        most = max(s.frame_count for s in self.steppers.values())
        scope = new_scope()
        for stepper in self.steppers.values():
            stepper.add_class(scope)
        header = widgets.HTML(stylesheet(most, scope) + (f"<div class='tcplab-caption'>{html.escape(title)}</div>"
                                                  if title else ""))
        super().__init__([header, *self.choosers(), self.variants])
        self.add_class(self.css_class)
        self.build_seconds = time.perf_counter() - began

    def choosers(self):
        """The controls above the steppers."""
        return [self.dropdown]

    @property
    def frame_count(self):
        return sum(s.frame_count for s in self.steppers.values())

    def static_html(self):
        first = next(iter(self.steppers.values()))
        return static_html(first.ladder_svg,
                           f"{next(iter(self.steppers))}: the whole conversation; with JavaScript, choose among "
                           f"{len(self.steppers)} variants and step through each.")

    def _ipython_display_(self):
        _display_with_static(self)

    def __repr__(self):
        return f"Explorer({list(self.steppers)!r}, {self.frame_count} steps)"

