"""The ladder (sequence) diagram: one timeline per host, time flowing down.

Every segment is a slanted arrow from its SEND at the sender to its DELIVER at
the receiver; a lost segment stops part-way in a red ✕.  State changes are
written beside the timeline, application calls and timers in the margin.

Layout.  Data coordinates are inches (x right, y down), so text sizes and gaps
are easy to reason about.  Each event gets a *row position*: events at the same
instant share a row unless they would draw on top of each other (two sends of
one host, a call and a state change); a new instant starts at least one row
lower, and further down in proportion to the time elapsed, so a one-way delay
spans a few rows.  With ``compress_gaps`` a long idle gap (a 240 s TIME-WAIT, a
1 s RTO among millisecond events) becomes a short break, marked "⋮ 240 s later" in
the time column.  The vertical axis is therefore not to scale, and the figure says
so under its "time" heading; the time column gives the real times.

At one instant a server's ``listen()`` is drawn before anything else, and a segment
that arrives at the instant it was sent (a loopback capture) still slants down one row,
so two segments crossing at one instant stay two lines.

A segment injected into the simulated network (an old duplicate from an earlier
connection, a forged RST: see `injected_tag`) enters from the network, part-way
between the hosts, and is tagged.  Relative sequence numbers are counted per
connection: from the ISN (the SYN's sequence number) each sender used for it.

Artist ids (``artist.get_gid()``), for widgets and tests; *p* is the packet
number, *i* the event index in ``trace.events``:

- ``flight-<p>``: the segment's line (a FancyArrowPatch when delivered),
  ``label-<p>`` its text, ``drop-<p>`` the ✕ of a lost segment,
  ``retransmission-<p>`` the note under a retransmitted one, ``injected-<p>`` the tag
  under an injected one (``network-<p>`` the mark where it enters),
  ``inflight-<p>`` the part already travelled when ``upto`` stops mid-flight (and
  ``inflight-<p>-head`` its tip);
- ``state-<host>-<i>``: a state change, ``initial-state-<host>`` the first state;
- ``call-<i>``, ``timer-<i>`` (with ``timer-bracket-<i>``), ``error-<i>``, ``read-<i>``;
- ``host-<name>``, ``timeline-<name>``, ``gap-<n>``, ``time-<i>``, ``time-heading``,
  ``upto`` and ``now``, ``title``.

`ladder` draws a matplotlib Figure; `ladder_svg` writes the same drawing as SVG text
directly (`canvas.SvgCanvas`), as widgets ship it: no figure to build or save.
"""

from .diagram import ladder, ladder_svg
from .labels import injected_tag, segment_label

__all__ = ["ladder", "ladder_svg", "injected_tag", "segment_label"]
