"""Where everything goes: the rows of a ladder's events, and the distances of its layout (in inches).

Each event gets a *row position*: events at the same instant share a row unless they would
draw on top of each other; a new instant starts at least one row lower, further down in
proportion to the time elapsed; with *compress* a long idle gap becomes a short break.
"""

from statistics import median

from ...core.trace import Kind

ROW = 0.2            # inches between two rows
DELAY_ROWS = 2.5     # a typical one-way delay spans this many rows
BREAK_AT = 8.0       # gaps longer than this many rows are compressed ...
BREAK_ROWS = 2.2     # ... into a break this many rows high
SIDE = 1.75          # inches from the figure edge to the first and last timeline
STATE_GAP = 0.1      # inches from a timeline to its state labels and notes
TIME_COLUMN = 0.62   # inches the time column takes at the left edge
INJECTED_AT = 0.3    # an injected segment enters this far along its path


def lane_of(event, flight_of):
    """Which drawing slot an event occupies; two events in one slot need two rows."""
    if event.kind is Kind.SEND:
        return (event.host, "send")
    if event.kind is Kind.DELIVER:
        return (event.host, "recv")
    if event.kind is Kind.DROP:
        flight = flight_of.get(event.packet)
        return ("drop", flight.src if flight else event.host)
    return (event.host, "note")   # states, calls, timers, errors, reads share the margin


def typical_delay(flights):
    delays = [f.end.time - f.send.time for f in flights
              if f.end is not None and f.end.kind is Kind.DELIVER and f.end.time > f.send.time]
    return median(delays) if delays else None


def drawing_order(events):
    """Indices of *events* in the order they are laid out: by time, a ``listen()`` (and the
    state change it makes) first among the events of its instant, otherwise as recorded."""
    first = set()
    for i, event in enumerate(events):
        if event.kind is Kind.CALL and (event.detail or "").startswith("listen("):
            first.add(i)
            following = next((j for j in range(i + 1, len(events)) if events[j].host == event.host), None)
            if following is not None and events[following].kind is Kind.STATE \
                    and events[following].time == event.time:
                first.add(following)
    return sorted(range(len(events)), key=lambda i: (events[i].time, i not in first, i))


def row_positions(events, flight_of, rows_per_second, compress):
    """Row position of every event, and the breaks [(top, bottom, seconds)] between rows.

    A clock turns time into rows; an event goes at its clock row unless that would put
    it on or above the previous event's row (then one row lower) or share a lane with an
    event of the same instant; a segment is delivered at least one row below its send.
    A lost segment's ✕ follows the clock alone.  With *compress*, a gap of more than
    BREAK_AT rows becomes a break and the clock restarts.  *events* are in drawing order.
    """
    positions, breaks, sent_at = [], [], {}
    row, used = 0.0, set()                     # the last event's row and the lanes it uses
    origin_row, origin_time = 0.0, events[0].time if events else 0.0
    previous = origin_time
    for event in events:
        lane = lane_of(event, flight_of)
        clock = origin_row + (event.time - origin_time) * rows_per_second
        if event.kind is Kind.DROP:
            positions.append(max(clock, row))
            continue
        if event.time > previous:
            gap = event.time - previous
            if compress and gap * rows_per_second > BREAK_AT:
                breaks.append((row + 0.5, row + BREAK_ROWS - 0.5, gap))
                clock = row + BREAK_ROWS
                origin_row, origin_time = clock, event.time
            new = max(clock, row + 1.0) if compress else max(clock, row)
            if new > row:
                row, used = new, set()
        if lane in used or (event.kind is Kind.DELIVER and sent_at.get(event.packet) == row):
            row, used = row + 1.0, set()
        used.add(lane)
        positions.append(row)
        if event.kind is Kind.SEND:
            sent_at[event.packet] = row
        previous = event.time
    return positions, breaks

