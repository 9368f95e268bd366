"""The CSS that turns one marked drawing into a step-through, shipped inside each widget.

The shown step is the selected child of a `Tab` (``.tcplab-steps``, hidden), kept in step
with the slider by `jslink`; its tab bar lists one ``li`` per child, the current one with
``lm-mod-current``.  For each step *j* two rules, scoped to the steppers a stylesheet serves
(the class *scope*, one per widget):

- ``:has(... li.lm-mod-current:nth-child(-n+j))`` (an earlier step is shown) hides the
  ``tl-f<j>`` elements and fades the ``tl-u<j>`` ones;
- ``:has(... li:nth-child(j+1).lm-mod-current)`` highlights ``tl-a<j>``, and shows that
  step's caption (inside an ``aria-live`` region, so screen readers announce it).

Every caption takes the same grid cell and only the current one is visible, so the captions
keep the height of the tallest: stepping never moves the drawing below them (nor, through
the browser's scroll anchoring, the page), and shows a caption without laying the page out.

Child 0 of the Tab is a placeholder, so step *j* is child *j* and ``li:nth-child(j+1)``.

Stepping fast: a page holds several widgets, each with its stylesheet.  A rule keyed on the
widget's own class is skipped at once for the elements of every other widget (the browser
knows an element's ancestors' classes), so each step restyles one widget against one set of
rules; and the rules look a few levels down with child combinators and no sibling combinator,
so the browser checks a `:has()` cheaply.

Without the widget script (or when printing) the cell shows a static copy of the whole
drawing, ``.tcplab-static``, which the live widget hides.
"""

import itertools

#: The tab bar's items, from a stepper: child combinators only (see "Stepping fast").
TABS = "> .tcplab-steps > .lm-TabBar > .lm-TabBar-content > li"
_scopes = itertools.count(1)


def new_scope():
    """A class for the steppers one stylesheet serves: ``tcplab-w1``, ``tcplab-w2``... (one per widget)."""
    return f"tcplab-w{next(_scopes)}"


def step_rules(count, scope):
    """The rules that reveal steps 1..*count* in the steppers of class *scope* (see the module docstring)."""
    rules = []
    for j in range(1, count + 1):
        earlier = f".{scope}:has({TABS}.lm-mod-current:nth-child(-n+{j}))"
        now = f".{scope}:has({TABS}:nth-child({j + 1}).lm-mod-current)"
        rules.append(f"{earlier} .tl-f{j}{{display:none}}")
        rules.append(f"{earlier} .tl-u{j}{{opacity:.3}}")
        rules.append(f"{now} .tl-a{j}{{--tcplab-show:visible;--tcplab-glow:"
                     "drop-shadow(0 0 1.6px var(--tcplab-glow-color))}")
    return "\n".join(rules)


BASE = """
.tcplab-stepper, .tcplab-explorer { max-width: 100%; min-width: 0; --tcplab-glow-color: #e0a800; }
.tcplab-stepper .widget-html, .tcplab-explorer .widget-html { max-width: 100%; margin: 0; color: inherit; }
.tcplab-stepper .widget-html-content, .tcplab-explorer .widget-html-content { min-width: 0; flex: 1 1 auto;
  white-space: normal; line-height: 1.4; font-size: 14px; color: inherit; }
.tcplab-stepper .widget-label, .tcplab-explorer .widget-label { color: inherit; }
.tcplab-steps, .tcplab-frames > .lm-TabBar, .tcplab-frames > .widget-tab-bar { display: none !important; }
.tcplab-frames > .widget-tab-contents { border: none !important; padding: 0 !important; overflow: visible; }
.tcplab-controls { gap: 4px 8px; align-items: center; }
.tcplab-stepper, .tcplab-explorer, .tcplab-frames, .tcplab-frames > .widget-tab-contents { overflow: visible !important; }
.tcplab-bar { position: sticky; top: var(--tcplab-sticky-top, 0px); z-index: 3; padding: 2px 0;
  background: var(--pst-color-background, var(--jp-layout-color0, #fff)); }
.tcplab-controls .widget-play { width: auto; }
.tcplab-controls .widget-slider { max-width: 100%; }
.tcplab-view { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: flex-start; overflow-x: auto; }
.tcplab-ladder { flex: 1 1 360px; max-width: 700px; }
.tcplab-fsm { flex: 1 1 300px; max-width: 560px; }
.tcplab-drawing svg { display: block; width: 100%; height: auto; }
.tcplab-drawing text { font-family: "DejaVu Sans", Verdana, "Bitstream Vera Sans", sans-serif !important; }
.tcplab-drawing .tl-ev, .tcplab-drawing .tcplab-taken { filter: var(--tcplab-glow, none); }
.tcplab-drawing .tcplab-now { visibility: var(--tcplab-show, hidden); }
.tcplab-drawing text { paint-order: stroke; stroke: #fff; stroke-width: 2.4px; stroke-linejoin: round; }
.tcplab-drawing text.tcplab-tag { stroke: none; }
.tcplab-drawing [data-lose] { cursor: pointer; }
.tcplab-drawing [data-lose]:hover text, .tcplab-drawing [data-lose]:focus text { text-decoration: underline; font-weight: bold; }
.tcplab-drawing [data-lose]:focus { outline: 2px solid var(--tcplab-glow-color); outline-offset: 2px; }
.tcplab-captions { min-height: 3.2em; display: grid; }
.tcplab-captions, .tcplab-summary, .tcplab-caption, .tcplab-states { white-space: normal; overflow-wrap: anywhere; }
.tcplab-captions > div { grid-area: 1 / 1; min-width: 0; visibility: var(--tcplab-show, hidden); }
.tcplab-caption { font-weight: 600; margin: 2px 0 4px; font-size: 14px; }
.tcplab-caption .tcplab-time { font-weight: 400; opacity: .75; margin-left: .5em; white-space: nowrap; }
.tcplab-table { overflow-x: auto; max-width: 100%; }
table.tcplab-fields { border-collapse: collapse; font-size: 12px; line-height: 1.35; margin: 2px 0; }
table.tcplab-fields th, table.tcplab-fields td { border: 1px solid rgba(128,128,128,.45); padding: 1px 6px;
  text-align: left; white-space: nowrap; }
table.tcplab-fields th { background: rgba(128,128,128,.12); }
table.tcplab-fields td.tcplab-what { white-space: normal; min-width: 10em; }
.tcplab-nav .widget-toggle-button { display: none; font-size: 0 !important; width: auto !important; min-width: 7.5em; }
.tcplab-nav .widget-toggle-button.mod-active + .widget-toggle-button,
.tcplab-nav .widget-toggle-button:has(+ .widget-toggle-button.mod-active) { display: inline-block; }
/* at the first and last step, "previous" and "next" keep their places, hidden: the bar never changes size */
.tcplab-nav .widget-toggle-button:first-child { visibility: hidden; }
.tcplab-nav .widget-toggle-button.mod-active:last-child { display: inline-block; visibility: hidden; }
.tcplab-nav .widget-toggle-button.mod-active:last-child::after,
.tcplab-nav .widget-toggle-button.mod-active + .widget-toggle-button::after {
  content: "next \\25B6" / ", next"; font-size: var(--jp-widgets-font-size, 13px); }
.tcplab-nav .widget-toggle-button:has(+ .widget-toggle-button.mod-active)::after {
  content: "\\25C0  previous" / ", previous"; font-size: var(--jp-widgets-font-size, 13px); }
.tcplab-whatif .tcplab-choices { gap: 4px 12px; }
.tcplab-whatif .widget-dropdown { width: auto; max-width: 100%; }
.tcplab-whatif .widget-dropdown > select { max-width: 100%; }
.tcplab-whatif .widget-label { width: auto; min-width: 0; }
html[data-theme="dark"] .tcplab-drawing svg, body[data-jp-theme-light="false"] .tcplab-drawing svg {
  filter: invert(.9) hue-rotate(180deg) !important; background: transparent !important; }
[data-theme="dark"] .tcplab-stepper, [data-theme="dark"] .tcplab-explorer,
body[data-jp-theme-light="false"] .tcplab-stepper { --tcplab-glow-color: #1f57ff; }
.cell_output:has(.tcplab-stepper, .tcplab-explorer) .tcplab-static,
.jp-OutputArea:has(.tcplab-stepper, .tcplab-explorer) .tcplab-static { display: none; }
@media (max-width: 500px) {
  .tcplab-caption { font-size: 13px; }
  .tcplab-nav .widget-toggle-button { min-width: 5.5em; }
  /* one row of controls on a phone: the bar sticks, so every row it saves is a row of drawing */
  .tcplab-controls .widget-slider { width: auto !important; flex: 1 1 100px; min-width: 100px; }
  .tcplab-controls .widget-slider .widget-label { width: auto; min-width: 0; max-width: none; margin-right: 6px; }
}
@media print {
  .tcplab-stepper, .tcplab-explorer { display: none !important; }
  .cell_output .tcplab-static, .jp-OutputArea .tcplab-static { display: block !important; }
}
"""

#: What the static copy needs before any widget CSS exists (it ships in the copy itself).
STATIC = """
.tcplab-static-drawing { overflow-x: auto; }
.tcplab-static svg { display: block; width: 100%; max-width: 700px; height: auto; }
.tcplab-static text { font-family: "DejaVu Sans", Verdana, sans-serif !important; }
.tcplab-static .tcplab-note { font-style: italic; font-size: 14px; }
html[data-theme="dark"] .tcplab-static svg { filter: invert(.9) hue-rotate(180deg) !important;
  background: transparent !important; }
"""


def stylesheet(count, scope):
    """The whole `<style>` element for the steppers of class *scope*, of at most *count* steps."""
    return f"<style>{BASE}{step_rules(count, scope)}</style>"


def static_stylesheet():
    return f"<style>{STATIC}</style>"
