"""One vector drawing of a whole trace, every element marked with the step it belongs to.

A widget ships the ladder diagram (and the state diagram) of the *whole* trace once, as SVG,
and CSS reveals it step by step (see `tcplab.views.widgets.style`).  Each element drawn for an event
carries classes naming steps (short: a what-if page holds thousands of them):

- ``tl-ev``: an element of an event or a segment;
- ``tl-f<j>``: drawn at step *j*, hidden while an earlier step is shown;
- ``tl-u<j>``: a segment still travelling until step *j* (shown faint before it);
- ``tl-a<j>``: highlighted while step *j* is shown (the step's own events, the current
  states on the state diagram and the transitions that led there).

The figures come from `tcplab.views` with their artist ids (``flight-<p>``, ``state-<host>-<i>``,
``state-<NAME>``, ``transition-<i>`` ...); this module turns those ids into the classes above.
"""

import io
import math
import re

from ...core.states import TRANSITIONS, State
from ...core.trace import Kind

#: Ladder artist ids that belong to one event: the id's last number is the event index.
_EVENT_ID = re.compile(r"^(?:state-mark-.+|state-.+|call|timer|timer-bracket|error|read|time)-(\d+)$")
#: Ladder artist ids that belong to one segment (packet number).
_FLIGHT_ID = re.compile(r"^(flight|label|retransmission|drop)-(\d+)$")
_MARK = "tcplab "


def _plot():
    from ... import views as plot  # the views layer, imported only when a widget is built
    return plot


def step_of_events(steps):
    """{event index: step number} for the events *steps* cover."""
    return {i: step.number for step in steps for i in step.events}


# --- marking artists ---------------------------------------------------------------------
def _mark(artist, classes):
    artist.set_gid(_MARK + " ".join(classes))


def ladder_classes(trace, steps):
    """{ladder artist id: [classes]} for every artist that belongs to an event or a segment."""
    step_of = step_of_events(steps)
    index = {id(e): i for i, e in enumerate(trace.events)}

    def at(i):
        return [f"tl-f{step_of[i]}", f"tl-a{step_of[i]}"]

    classes = {}
    for i in range(len(trace.events)):
        for prefix in ("call", "timer", "timer-bracket", "error", "read", "time"):
            classes[f"{prefix}-{i}"] = at(i)
        host = trace.events[i].host
        classes[f"state-{host}-{i}"] = classes[f"state-mark-{host}-{i}"] = at(i)
    for flight in trace.flights():
        sent = index[id(flight.send)]
        marks = at(sent)
        if flight.end is not None:
            end = index[id(flight.end)]
            if step_of[end] != step_of[sent]:
                marks = marks + [f"tl-u{step_of[end]}", f"tl-a{step_of[end]}"]
            if flight.lost:
                classes[f"drop-{flight.packet}"] = at(end)
        for prefix in ("flight", "label", "retransmission"):
            classes[f"{prefix}-{flight.packet}"] = marks
    return classes


def mark_ladder(fig, trace, steps):
    """Give every event's artists in *fig* (a `tcplab.views.ladder` of *trace*) its step classes."""
    from ..artists import artists

    classes = ladder_classes(trace, steps)
    for artist in artists(fig):
        gid = artist.get_gid()
        if gid is None:
            continue
        if gid in classes:
            _mark(artist, ["tl-ev"] + classes[gid])
        elif _EVENT_ID.match(gid) or _FLIGHT_ID.match(gid):
            raise ValueError(f"the ladder drew {gid!r}, which no step of the trace covers")
    return fig


def states_by_step(trace, steps):
    """For each step: ``{host: (state, last transition or None, synchronized before)}`` after it."""
    hosts = [h.name for h in trace.hosts]
    current = {h: None for h in hosts}
    last = {h: None for h in hosts}
    synchronized = {h: False for h in hosts}
    result = []
    for step in steps:
        for i in step.events:
            e = trace.events[i]
            if e.kind is Kind.STATE:
                synchronized[e.host] = synchronized[e.host] or (e.before is not None and e.before.synchronized)
                current[e.host], last[e.host] = e.state, (e.before, e.state)
        for h in hosts:
            if current[h] is None:
                current[h] = trace.state_at(h, step.last)
        result.append({h: (current[h], last[h], synchronized[h]) for h in hosts})
    return result


def _state_marks(trace, steps, boxes, arrows):
    """({(host, box id): [steps]}, {arrow id: [steps]}): where each host is, and which
    transitions it took, at every step; only boxes and arrows the diagram draws count."""
    at_steps, taken = {}, {}
    for step, states in zip(steps, states_by_step(trace, steps)):
        for host, (state, last, synchronized) in states.items():
            if state is None:
                continue
            box = f"state-{state.value}"
            if state is State.CLOSED and synchronized and box + "-2" in boxes:
                box += "-2"
            if box in boxes:
                at_steps.setdefault((host, box), []).append(step.number)
            if last is not None:
                for i, row in enumerate(TRANSITIONS):
                    if (row.source, row.target) == last and f"transition-{i}" in arrows:
                        taken.setdefault(f"transition-{i}", []).append(step.number)
    return at_steps, taken


class _BaseStateDiagram:
    """A state diagram drawn once and saved as SVG, with its boxes' places in SVG units."""

    def __init__(self, fig):
        fig.patch.set_visible(False)
        self.svg = _save(fig)
        ax = fig.axes[0]
        height = fig.get_figheight() * 72
        scale = 72 / fig.dpi
        self.boxes = {}
        for artist in fig.findobj(lambda a: (a.get_gid() or "").startswith("state-")
                                  and not a.get_gid().endswith("-name")):
            (x0, y0), (x1, y1) = ax.transData.transform(
                [(artist.get_x(), artist.get_y()),
                 (artist.get_x() + artist.get_width(), artist.get_y() + artist.get_height())]) * scale
            self.boxes[artist.get_gid()] = (x0, height - y1, x1 - x0, y1 - y0)
        self.arrows = {a.get_gid() for a in fig.findobj(lambda a: (a.get_gid() or "").startswith("transition-"))}


#: Base state diagrams already drawn, by (drawing function, states): most widgets share one.
_BASES = {}


def _base_state_diagram(state_diagram, states):
    key = (state_diagram, states)
    if key not in _BASES:
        if state_diagram is None:
            fig = _plot().state_diagram(states=states)
        else:
            fig = state_diagram(current=None, last=None)
        _BASES[key] = _BaseStateDiagram(fig)
    return _BASES[key]


def _outline(host, side, box, numbers):
    """SVG for *host*'s outline and name tag on *box* (x, y, w, h in SVG units), shown at *numbers*."""
    edge, _fill = _plot().style.host_color(host, side)
    x, y, w, h = box
    pad = 2.5 + 3.5 * side
    classes = " ".join(["tcplab-now"] + [f"tl-a{n}" for n in numbers])
    tag_w = 8 + 6.9 * len(host)                # bold 10 px DejaVu Sans: about 6.9 px a letter
    tag_x = x + 4 if side == 0 else x + w - 4 - tag_w
    tag_y = y - pad - 7                        # across the outline's top edge
    return (f'<g class="{classes}"><rect x="{x - pad:.1f}" y="{y - pad:.1f}" width="{w + 2 * pad:.1f}" '
            f'height="{h + 2 * pad:.1f}" rx="{6 + pad:.1f}" fill="none" stroke="{edge}" stroke-width="2.4"/>'
            f'<rect x="{tag_x:.1f}" y="{tag_y:.1f}" width="{tag_w:.1f}" height="14" rx="3" fill="{edge}"/>'
            f'<text class="tcplab-tag" x="{tag_x + 4:.1f}" y="{tag_y + 10.8:.1f}" fill="#ffffff" '
            f'style="font: bold 10px \'DejaVu Sans\'">{host}</text></g>')


def state_diagram_svg(trace, steps, state_diagram=None, label=""):
    """The state diagram of the states *trace* visits, with each host's current state outlined
    and the transitions it took marked, step by step, as SVG text."""
    visited = frozenset({e.state for e in trace.events if e.kind is Kind.STATE}
                        | {e.before for e in trace.events if e.kind is Kind.STATE and e.before is not None})
    base = _base_state_diagram(state_diagram, visited or None)
    at_steps, taken = _state_marks(trace, steps, base.boxes, base.arrows)
    svg = base.svg
    for arrow_id, numbers in taken.items():
        classes = " ".join(["tcplab-taken"] + [f"tl-a{n}" for n in numbers])
        svg = svg.replace(f' id="{arrow_id}"', f' id="{_MARK}{classes}"', 1)
    hosts = [h.name for h in trace.hosts]
    overlays = "".join(_outline(host, hosts.index(host), base.boxes[box], numbers)
                       for (host, box), numbers in at_steps.items())
    svg = svg.replace("</svg>", overlays + "</svg>")
    return _tidy(svg, label)


# --- SVG text ------------------------------------------------------------------------------
_ID = re.compile(r'\sid="([^"]*)"')
_NUMBER = re.compile(r"(\d+\.\d)\d+")


def _save(fig):
    import matplotlib

    from ..artists import texts

    # Halos are path effects, which the SVG backend draws as outlines of every glyph; the
    # widget's CSS draws them instead (paint-order: stroke), at a fraction of the size.
    for text in texts(fig):
        text.set_path_effects([])
    buffer = io.StringIO()
    with matplotlib.rc_context(_plot().style.RC | {"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def svg_text(fig, label):
    """*fig* (without its background) as compact inline SVG; see `_tidy`."""
    fig.patch.set_visible(False)
    return _tidy(_save(fig), label)


def _tidy(svg, label):
    """Text as text, numbers to 0.1 pt, marks turned into classes, ids nothing refers to
    dropped, sized by CSS, with *label* as the drawing's accessible name."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = _ID.sub(lambda m: f' class="{m.group(1)[len(_MARK):]}"' if m.group(1).startswith(_MARK) else m.group(0), svg)
    svg = re.sub(r" clip-path=\"url\(#[^)]*\)\"", "", svg)    # the axes fill the figure: nothing to clip
    referenced = set(re.findall(r"(?:url\(#|href=\"#)([^)\"]+)", svg))
    svg = _ID.sub(lambda m: m.group(0) if m.group(1) in referenced else "", svg)
    svg = re.sub(r"<[^>]*>", lambda m: _short_numbers(m.group(0)), svg)   # in tags: never in the text shown
    svg = re.sub(r" transform=\"rotate\(-0 [^)]*\)\"", "", svg)
    svg = svg.replace("font-family: 'DejaVu Sans'; ", "")       # the widget CSS names the font
    svg = re.sub(r"\s*\n\s*", "\n", svg)
    svg = re.sub(r'="([^"\']*)"', r"='\1'", svg)   # single quotes: no escapes in the notebook's JSON
    svg = re.sub(r"\n(?=[LMQCz])", " ", svg).replace("\n'", "'")
    svg = re.sub(r"style='([^']*)'", lambda m: "style='" + re.sub(r"([:;]) ", r"\1", m.group(1)) + "'", svg)
    for _ in range(2):                                          # <g> wrappers that only wrap
        svg = re.sub(r"<g>\n(<path [^>]*/>|<text [^>]*>[^<]*</text>|<use [^>]*/>)\n</g>", r"\1", svg)
    svg = re.sub(r"<svg ([^>]*?)width='[^']*' height='[^']*'",
                 lambda m: f'<svg {m.group(1)}role="img" aria-label="{_attr(label)}"', svg, count=1)
    return svg.strip()


def _short_numbers(tag):
    """Numbers in *tag* to 0.1, without a trailing ".0"."""
    return re.sub(r"(\d)\.0\b", r"\1", _NUMBER.sub(r"\1", tag))


def _attr(text):
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def ladder_svg(trace, steps, ladder=None, label="", attributes=None):
    """The marked ladder diagram of the whole *trace* as SVG text.

    Written directly (`tcplab.views.ladder_svg`), unless *ladder* replaces the drawing function
    (a Figure is then drawn, marked and saved).  *attributes* adds attributes to the groups of
    some elements: ``{"label-3": "data-lose='2'"}``.
    """
    if ladder is not None:
        fig = ladder(trace)
        return svg_text(mark_ladder(fig, trace, steps), label)
    marks = {gid: "class='" + " ".join(["tl-ev"] + classes) + "'"
             for gid, classes in ladder_classes(trace, steps).items()}
    for gid, extra in (attributes or {}).items():
        marks[gid] = f"{marks[gid]} {extra}" if gid in marks else extra
    return _plot().ladder_svg(trace, marks=marks, label=label)


#: The smallest text a reader is shown, in CSS px (the book's floor for figures and widgets).
TEXT_FLOOR_PX = 9


def min_width(svg):
    """The narrowest width (CSS px) at which *svg*'s smallest text is still `TEXT_FLOOR_PX`."""
    width = float(re.search(r"viewBox='[\d.]+ [\d.]+ ([\d.]+) [\d.]+'", svg).group(1))
    # font-size:8px (matplotlib 3.9+), the shorthand font:400 8px 'DejaVu Sans' (older releases),
    # or the attribute font-size='8' (`tcplab.views.ladder_svg`)
    sizes = (re.findall(r"font-size:\s*([\d.]+)px", svg) + re.findall(r"font:[^;'\"]*?([\d.]+)px", svg)
             + re.findall(r"font-size='([\d.]+)'", svg))
    if not sizes:
        return 0
    smallest = min(float(size) for size in sizes)
    return math.ceil(width * TEXT_FLOOR_PX / smallest)
