"""What if this segment were lost?  The reader loses any one segment and steps through the rest.

`WhatIf.for_scenario(name)` simulates a conversation (`CONVERSATIONS`) once as it is and once
per segment it carries with that segment lost (`DropNth`), plus "lost twice" for the segments
whose second loss tells more (the first SYN, the final ACK), and does so again for every
setting of its switches (who closes first, delayed ACK...).  Every variant becomes a `Stepper`
inside nested Tabs, one level per switch and one for the loss, each jslinked to its chooser,
so the static page needs no kernel.  In a live kernel `WhatIf.simulate` runs any other case.
"""

import html
import re
import time
from dataclasses import dataclass, field

import ipywidgets as widgets

from ...core.config import Config
from ...core.segment import Flags
from ...core.seqspace import seq_relative
from ...core.states import State
from ...core.trace import Kind
from ...core.validation import check_choice, check_int
from ...sim.apps import Close, Connect, Send, Sleep, WaitBytes, WaitEstablished, WaitPeerClose
from ...sim.faults import DropWhere
from ...sim.scenarios import conversation
from .stepper import Controls, Stepper, View, _display_with_static, ending_text, static_html
from .drawing import ladder_svg
from .steps import select_steps
from .style import new_scope, stylesheet

NOTHING = "nothing (as it is)"


# --- the conversations -----------------------------------------------------------------------
@dataclass(frozen=True)
class Switch:
    """A choice the reader can flip: *options* maps each option's label to settings for `Conversation`."""

    label: str
    options: dict


@dataclass(frozen=True)
class Conversation:
    """A client and a server, scripted by ``build(**settings)`` -> (client script, server script,
    client Config, server Config); *switches* are the settings the reader may change."""

    title: str
    build: object
    switches: tuple = ()
    first_loss: str | None = None      # the loss chosen when the widget opens (a segment's name)

    def run(self, faults=(), **settings):
        client, server, client_config, server_config = self.build(**settings)
        trace, _ = conversation(client, server, title=self.title, faults=faults,
                                client_config=client_config, server_config=server_config)
        return trace


OPEN = [Connect(), WaitEstablished()]


def _handshake(**_):
    return OPEN, [WaitEstablished()], Config(seed=1), Config(seed=1)


#: The transfer's request, written in three small pieces 10 ms apart, and the server's reply.
REQUEST = (b"GET ", b"/ HTTP/1.0", b"\r\n\r\n")
REPLY = b"ok"


def _transfer(delayed_ack=None, nodelay=False):
    """With Nagle on, the second and third pieces wait for the ACK of the first and leave together."""
    writes = [Send(REQUEST[0])] + [step for piece in REQUEST[1:] for step in (Sleep(0.01), Send(piece))]
    client = OPEN + writes + [WaitBytes(len(REPLY)), Close()]
    server = [WaitBytes(sum(map(len, REQUEST))), Send(REPLY), WaitPeerClose(), Close()]
    return client, server, Config(seed=1, nodelay=nodelay), Config(seed=1, delayed_ack=delayed_ack)


def _teardown(closer="client"):
    first = [Sleep(0.1), Close()]
    second = [WaitPeerClose(), Sleep(0.1), Close()]
    if closer == "client":
        return OPEN + first, second, Config(seed=1), Config(seed=1)
    return OPEN + second, [WaitEstablished()] + first, Config(seed=1), Config(seed=1)


CLOSER = Switch("who closes first", {"the client": {"closer": "client"}, "the server": {"closer": "server"}})
DELAYED_ACK = Switch("delayed ACK", {"off": {"delayed_ack": None}, "on (0.2 s)": {"delayed_ack": 0.2}})
NAGLE = Switch("Nagle", {"on": {"nodelay": False}, "off (TCP_NODELAY)": {"nodelay": True}})

CONVERSATIONS = {
    "handshake": Conversation("What if a handshake segment is lost?", _handshake),
    "transfer": Conversation("What if a segment of a small request is lost?", _transfer, (DELAYED_ACK, NAGLE)),
    "teardown": Conversation("What if a teardown segment is lost?", _teardown, (CLOSER,)),
    "lost-final-ack": Conversation("What if the final ACK is lost?", _teardown, (CLOSER,),
                                   first_loss="the final ACK"),
}


# --- naming segments --------------------------------------------------------------------------
def segment_names(trace):
    """A reader's name for each segment sent in *trace*, in the order they entered the link."""
    names, fins = [], {}
    isn = {h.name: trace.isn(h.name) for h in trace.hosts}
    for e in trace.events:
        if e.kind is not Kind.SEND:
            continue
        seg, src = e.segment, e.host
        peer = trace.peer_of(src)
        flags = seg.flags
        if flags & Flags.SYN:
            name = f"the {src}'s SYN-ACK" if flags & Flags.ACK else f"the {src}'s SYN"
        elif flags & Flags.RST:
            name = f"the {src}'s RST"
        elif flags & Flags.FIN:
            fins[src] = seg.seq + seg.len
            name = f"the {src}'s FIN"
        elif seg.payload:
            first = seq_relative(seg.seq, isn[src])
            name = f"the {src}'s data, bytes {first}\u2013{first + len(seg.payload) - 1}"
        elif e.state is State.TIME_WAIT:
            name = "the final ACK"
        elif peer in fins and seg.ack == fins[peer] % 2**32:
            name = f"the {src}'s ACK of the {peer}'s FIN"
        elif seq_relative(seg.ack, isn[peer]) == 1 and e.state in (State.ESTABLISHED, State.SYN_RECEIVED):
            name = f"the {src}'s ACK of the SYN-ACK (end of the handshake)"
        else:
            name = f"the {src}'s ACK of bytes up to {seq_relative(seg.ack, isn[peer]) - 1}"
        if e.retransmission:
            name += " (retransmitted)"
        names.append(name)
    seen = {}
    for k, name in enumerate(names):   # the same words twice: number the later ones
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            names[k] = f"{name} ({_ordinal(seen[name])})"
    return names


def _ordinal(n):
    return {2: "second", 3: "third", 4: "fourth"}.get(n, f"{n}th")


def _loses_twice(name):
    """Losing these twice shows more than losing them once: the backoff and TIME-WAIT's restart."""
    return name.endswith("'s SYN") or name == "the final ACK"


def _drop_from(n):
    """Drop the *n*-th segment on the link and its retransmissions (the rule's *times* says how many)."""
    key = {}

    def predicate(wire):
        if wire.number == n:
            key["match"] = (wire.host, wire.segment.seq, wire.segment.flags)
            return True
        return key.get("match") == (wire.host, wire.segment.seq, wire.segment.flags)
    return predicate


@dataclass
class Variant:
    """One simulated case: its label in the chooser, the trace, and what was lost."""

    label: str
    trace: object
    lost: str | None = None
    times: int = 0
    loss_step: int | None = field(default=None, compare=False)


def loss_variants(conv, **settings):
    """The conversation as it is, then with each of its segments lost once (and twice where that
    differs), for the given *settings* of its switches: a list of `Variant`."""
    base = conv.run(**settings)
    variants = [Variant(NOTHING, base)]
    for n, name in enumerate(segment_names(base), start=1):
        for times in ((1, 2) if _loses_twice(name) else (1,)):
            lose = DropWhere(_drop_from(n), times, f"lose {name}" + (" twice" if times > 1 else ""))
            trace = conv.run(faults=[lose], **settings)
            label = name if times == 1 else f"{name}, twice"
            variants.append(Variant(label, trace, name, times))
    return variants


# --- the widget --------------------------------------------------------------------------------
def _summary(variant):
    """What was lost and how the conversation ends."""
    trace = variant.trace
    retransmitted = sum(1 for e in trace.events if e.kind is Kind.SEND and e.retransmission)
    lost = "Nothing is lost." if variant.lost is None else (
        f"The network loses {variant.lost}" + (" and its retransmission." if variant.times > 1 else "."))
    again = {0: "no retransmission", 1: "1 retransmission"}.get(retransmitted, f"{retransmitted} retransmissions")
    errors = [e.detail for e in trace.events if e.kind is Kind.ERROR]
    ends = ending_text(trace) + (f" (error: {errors[-1]})" if errors else "")
    return f"<p class='tcplab-summary'>{html.escape(lost)} {html.escape(ends)}; {again}.</p>"


# --- picking a segment on the diagram ------------------------------------------------------
# Each segment's arrow and label in a case's ladder sit in `<g data-lose="i">` (i: the loss
# chooser's option that loses it), the label a button named "Lose the server's FIN: ...".  One
# inline handler on the ladder sets the chooser and dispatches the `change` event its
# ipywidgets view listens to, so the model, and the jslinked Tab of cases, follow: the same
# on the static page (no kernel) and in JupyterLab or Notebook, where the HTML widget keeps
# inline handlers (it sets innerHTML unsanitized).
PICK = ("onclick=\"var p=event.target.closest('[data-lose]');if(p){event.preventDefault();"
        "var s=this.closest('.tcplab-stepper').querySelector('select');s.selectedIndex=p.dataset.lose;"
        "s.dispatchEvent(new Event('change',{bubbles:true}));s.focus({preventScroll:true})}\" "
        "onkeydown=\"if(event.key=='Enter'||event.key==' ')this.onclick(event)\"")


def pick_targets(variant, labels):
    """{k: chooser index} for the segments of *variant* the reader may pick (k: place on the link):
    a segment the chooser can lose, not the case shown; the lost segment itself picks "twice"."""
    targets = {}
    for k, name in enumerate(segment_names(variant.trace), start=1):
        if name == variant.lost and variant.times == 1:
            name = f"{name}, twice"
        if name in labels and name != variant.label:
            targets[k] = labels.index(name)
    return targets


def pick_attributes(trace, targets, labels):
    """{ladder element id: attributes} that make the segments of *targets* pickable: the arrow
    clickable, the label a button (one stop for the keyboard).

    The button is named for the loss and, so that its name holds the words it shows, its
    text: "Lose the server's FIN: FIN,ACK seq=1 ack=2" (not in parentheses, which axe-core's
    label-in-name check skips)."""
    from ..ladder import segment_label      # matplotlib's font tools, loaded only when a widget is built

    isn = {h.name: trace.isn(h.name) for h in trace.hosts}
    attributes = {}
    for k, flight in enumerate(trace.flights(), start=1):
        index = targets.get(k)
        if index is None:
            continue
        shown = segment_label(flight.segment, (isn[flight.src], isn[flight.dst]))
        name = html.escape(f"Lose {labels[index]}: {shown}", quote=False).replace('"', "&quot;")
        attributes[f"flight-{flight.packet}"] = f"data-lose='{index}'"
        attributes[f"label-{flight.packet}"] = f"data-lose='{index}' role='button' tabindex='0' aria-label=\"{name}\""
    return attributes


def _with_picker(drawing, targets):
    """*drawing* (a case's HTML) with the handler that picks, when its ladder holds buttons:
    the ladder is then a group, not an image."""
    if not targets:
        return drawing
    return re.sub(r"(<div class='tcplab-drawing tcplab-ladder')([^>]*><svg [^>]*?)role=\"img\"",
                  lambda m: f'{m.group(1)} {PICK}{m.group(2)}role="group"', drawing, count=1)


#: Cases already simulated and drawn, by (conversation, settings, options); and for each
#: (conversation, settings) the ladder of the conversation as it is, for the static copy.
_CASES = {}
_STATIC = {}


def _cases(conv, settings, options):
    """(variants, their steps, the most steps, one HTML page per case) for *conv* with *settings*:
    simulated and drawn once per process, so two widgets of one conversation share the work."""
    key = (conv.build, tuple(sorted(settings.items())), tuple(sorted(options.items())))
    if key not in _CASES:
        variants = loss_variants(conv, **settings)
        steps = [select_steps(v.trace, max_frames=options["max_frames"]) for v in variants]
        count = max(len(s) for s in steps)
        labels = [v.label for v in variants]
        pages = []
        for v, case_steps in zip(variants, steps):
            targets = pick_targets(v, labels)
            view = View(v.trace, case_steps, name=v.label, show_states=options["show_states"], fields=options["fields"],
                        through=count, attributes=pick_attributes(v.trace, targets, labels))
            pages.append(_summary(v) + view.captions_html + _with_picker(view.drawing_html, targets))
            if key[:2] not in _STATIC:      # the static copy: the conversation as it is, nothing to pick
                _STATIC[key[:2]] = ladder_svg(v.trace, case_steps, label=f"Ladder diagram of {v.label}")
        if len(_CASES) >= 16:
            _CASES.pop(next(iter(_CASES)))
        _CASES[key] = variants, steps, count, pages
    return _CASES[key]


class WhatIf(widgets.VBox):
    """Choose a segment to lose (and the switches' settings) and step through what follows.

    *conv* is a `Conversation` (see `CONVERSATIONS`).  For each setting of the switches, one set
    of controls steps through whichever case the loss chooser shows: every case is one HTML
    widget (its drawing and captions) in a Tab jslinked to the chooser, so a what-if with dozens
    of cases stays light.  The state diagram and the field tables are off by default: the
    ladder's labels already give each segment's flags, seq and ack.
    """

    css_class = "tcplab-whatif"

    def __init__(self, conv, *, max_frames=40, interval=1200, show_states=False, fields=False):
        began = time.perf_counter()
        self.conversation = conv
        self.options = dict(max_frames=max_frames, interval=interval, show_states=show_states, fields=fields)
        self.switches = [widgets.ToggleButtons(options=list(s.options), description=s.label,
                                               style={"description_width": "initial", "button_width": "auto"})
                         for s in conv.switches]
        self.variants, self.steps, self.choosers, self.panels, self.links = {}, {}, [], [], []
        self.scope = new_scope()
        body = self._level(0, {}, ())
        most = max(p.count for p in self.panels)
        header = widgets.HTML(stylesheet(most, self.scope) + f"<div class='tcplab-caption'>{html.escape(conv.title)}</div>")
        switches = widgets.HBox(self.switches, layout=widgets.Layout(flex_flow="row wrap"))
        switches.add_class("tcplab-choices")
        super().__init__([header, switches, body])
        self.add_class(self.css_class)
        self.add_class("tcplab-explorer")
        self.build_seconds = time.perf_counter() - began

    def _level(self, depth, settings, path):
        """The Tab (or panel) for switch *depth* onwards, given the settings chosen above it."""
        if depth == len(self.switches):
            return self._panel(settings, path)
        switch = self.conversation.switches[depth]
        children = [self._level(depth + 1, settings | changes, path + (option,))
                    for option, changes in switch.options.items()]
        tab = widgets.Tab(children=children, selected_index=0)
        tab.add_class("tcplab-frames")
        self.links.append(widgets.jslink((self.switches[depth], "index"), (tab, "selected_index")))
        return tab

    def _panel(self, settings, path):
        """The loss chooser, one set of controls and one HTML widget per case, for one setting."""
        variants, steps, count, pages = _cases(self.conversation, settings, self.options)
        cases = [widgets.HTML(page) for page in pages]
        if not hasattr(self, "static_svg"):
            self.static_svg = _STATIC[(self.conversation.build, tuple(sorted(settings.items())))]
        self.variants[path], self.steps[path] = variants, steps
        labels = [v.label for v in variants]
        first = self.conversation.first_loss
        index = labels.index(first) if first in labels else 0
        chooser = widgets.Dropdown(options=labels, index=index, description="lose",
                                   style={"description_width": "initial"})
        tab = widgets.Tab(children=cases, selected_index=index)
        tab.add_class("tcplab-frames")
        controls = Controls(count, count, self.options["interval"])
        self.links += [widgets.jslink((chooser, "index"), (tab, "selected_index"))] + controls.links
        self.choosers.append(chooser)
        bar = widgets.VBox([chooser, controls.box])
        bar.add_class("tcplab-bar")     # sticky: the chooser and controls stay in view beside the drawing
        panel = widgets.VBox([bar, controls.frames, tab])
        panel.add_class("tcplab-stepper")
        panel.add_class(self.scope)
        panel.count, panel.controls, panel.cases = count, controls, cases
        self.panels.append(panel)
        return panel

    @classmethod
    def for_scenario(cls, name, **kwargs):
        """The what-if widget of a chapter: ``WhatIf.for_scenario("teardown")``; names in `CONVERSATIONS`."""
        check_choice("name", name, tuple(CONVERSATIONS))
        return cls(CONVERSATIONS[name], **kwargs)

    def simulate(self, lose=None, times=1, **settings):
        """In a live kernel: a `Stepper` of this conversation with the segment named *lose*
        (a name from the chooser, or None) lost *times* times, with the switches' *settings*."""
        check_int("times", times, 1, 10)
        base = self.conversation.run(**settings)
        faults = []
        if lose is not None:
            names = segment_names(base)
            check_choice("lose", lose, tuple(names))
            n = names.index(lose) + 1
            faults = [DropWhere(_drop_from(n), times, f"lose {lose}")]
        return Stepper(self.conversation.run(faults=faults, **settings), max_frames=self.options["max_frames"])

    @property
    def case_count(self):
        return sum(len(v) for v in self.variants.values())

    def static_html(self):
        return static_html(self.static_svg,
                           f"The conversation as it is; with JavaScript, lose any of its segments "
                           f"({self.case_count - len(self.variants)} cases) and step through what follows.")

    def _ipython_display_(self):
        _display_with_static(self)

    def __repr__(self):
        return f"WhatIf({self.conversation.title!r}, {self.case_count} cases)"


__all__ = ["WhatIf", "Conversation", "Switch", "CONVERSATIONS", "loss_variants", "segment_names", "pick_targets",
           "pick_attributes"]
