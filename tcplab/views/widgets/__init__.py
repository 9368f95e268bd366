"""Step-through widgets for the book: they work in a live kernel *and* on the static website.

- `Stepper(trace)` walks a `Trace` one step at a time: the ladder diagram up to the step, both
  hosts' states on the state diagram, and the step's segment fields.
- `Explorer(variants)` picks one of several traces of a scenario and shows its stepper.
- `WhatIf.for_scenario("teardown")` lets the reader lose any one segment of a conversation
  (or lose it twice, or flip a setting) and step through what follows.

Modules: `steps` (which events make a step, and their words), `drawing` (one SVG of the whole
trace, marked step by step), `style` (the CSS that reveals it), `stepper` and `whatif`.
Figures come from `tcplab.views` (imported when a widget is built, never at ``import tcplab``).
"""

from .stepper import Explorer, Stepper
from .steps import INTERESTING, Step, narrate, fields_table, last_transitions, select_steps
from .whatif import WhatIf, loss_variants

__all__ = ["Stepper", "Explorer", "WhatIf", "loss_variants", "Step", "INTERESTING", "select_steps", "narrate",
           "fields_table", "last_transitions"]
