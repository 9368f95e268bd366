"""The time-sequence graph (Stevens, tcptrace) of the data one host sends.

x is time, y the sequence number relative to the sender's ISN.  Each segment is
an I-beam from seq to seq + len at the moment it was sent; the ACK line climbs
as the peer's acknowledgments arrive, and the window line (ack + window) above
it is how far the sender may go.  Retransmissions are orange, losses a red ✕.

Artist ids: ``data-<p>`` for the I-beam of packet *p*, ``drop-<p>`` for its ✕,
``flag-<p>`` for the "SYN"/"FIN" note, ``ack-line``, ``window-line``, ``legend``.
"""

from matplotlib.lines import Line2D

from ..core.segment import Flags
from ..core.seqspace import seq_sub
from ..core.trace import Kind
from .describe import time_sequence_description
from .style import COLORS, WIDTH, check_choice, host_color, new_figure, styled

HEIGHT = 4.2


def _window_shift(trace, host, peer):
    """The peer's window-scale shift, if both SYNs offered scaling (RFC 7323)."""
    scales = {}
    for e in trace.events:
        if e.kind is Kind.SEND and e.segment.flags & Flags.SYN and e.host not in scales:
            scales[e.host] = e.segment.options.wscale
    if scales.get(host) is not None and scales.get(peer) is not None:
        return scales[peer]
    return 0


def _steps(points, end):
    """x and y lists of a staircase through *points*, held until time *end*."""
    xs, ys = [], []
    for t, value in points:
        if ys:
            xs.append(t)
            ys.append(ys[-1])
        xs.append(t)
        ys.append(value)
    if xs:
        xs.append(max(end, xs[-1]))
        ys.append(ys[-1])
    return xs, ys


def _fit_window(ax, flights, relative, windows):
    """Frame the data; a window line far above it is cut off, with a note saying so."""
    bottoms = [relative(f.segment.seq) for f in flights] or [0]
    tops = [relative(f.segment.seq) + f.segment.len for f in flights]
    if not flights:
        return
    bottom, top = min(bottoms + [0]), max(tops)
    span = max(top - bottom, 1)
    window_top = max((v for _, v in windows), default=top)
    high = min(max(window_top, top), top + 0.6 * span)
    ax.set_ylim(bottom - 0.06 * span, high + 0.06 * span)
    if window_top > high:
        note = ax.text(0.99, 0.98, "the window line (ack + window) runs above the top", transform=ax.transAxes,
                       ha="right", va="top", fontsize=7.5, style="italic", color=COLORS["window"])
        note.set_gid("window-note")


@styled
def time_sequence(trace, host="client", *, ax=None, title=None):
    """The time-sequence graph of the data *host* sends in *trace*, as a Figure."""
    names = [h.name for h in trace.hosts]
    check_choice("host", host, names)
    peer = next((n for n in names if n != host), host)
    flights = [f for f in trace.flights() if f.src == host and f.segment.len > 0]
    sent = [f for f in trace.flights() if f.src == host]
    isn = trace.isn(host)
    if isn is None:
        isn = sent[0].segment.seq if sent else 0
    relative = lambda number: seq_sub(number, isn)

    if ax is None:
        fig = new_figure(WIDTH, HEIGHT)
        ax = fig.add_axes((0.1, 0.12, 0.87, 0.76 if title != "" else 0.84))
        fig.alt = time_sequence_description(trace, host, flights)
    fig = ax.figure
    color = host_color(host, names.index(host))[0]
    _draw_segments(ax, flights, relative, color)
    acks = [e for e in trace.events if e.kind is Kind.DELIVER and e.host == host
            and e.segment is not None and e.segment.flags & Flags.ACK]
    windows = _draw_acks(ax, trace, acks, flights, relative, _window_shift(trace, host, peer))
    ax.autoscale_view()
    ax.margins(x=0.03, y=0.06)
    _fit_window(ax, flights, relative, windows)
    _label_axes(ax, host, peer, title, flights)
    _draw_legend(ax, color, peer, flights, acks)
    return fig


def _draw_segments(ax, flights, relative, color):
    """A vertical beam per data segment (a ✕ on a lost one), with a note on a SYN or FIN."""
    for f in flights:
        x, low = f.send.time, relative(f.segment.seq)
        high = low + f.segment.len
        beam_color = COLORS["retransmission"] if f.retransmission else color
        beam = Line2D([x, x], [low, high], color=beam_color, lw=1.6, marker="_", markersize=7,
                      markeredgewidth=1.4, zorder=4)
        beam.set_gid(f"data-{f.packet}")
        ax.add_line(beam)
        if f.lost:
            cross = Line2D([x], [(low + high) / 2], marker="x", markersize=8, markeredgewidth=2.2,
                           color=COLORS["drop"], linestyle="none", zorder=5)
            cross.set_gid(f"drop-{f.packet}")
            ax.add_line(cross)
        for flag in (Flags.SYN, Flags.FIN):
            if f.segment.flags & flag:
                note = ax.annotate(flag.name, (x, high), xytext=(3, 0), textcoords="offset points",
                                   fontsize=7.5, color=COLORS["muted"], va="center")
                note.set_gid(f"flag-{f.packet}")


def _draw_acks(ax, trace, acks, flights, relative, shift):
    """The ACK line and the window line (ack + window) of the ACKs *acks*; returns the window points."""
    times = [f.send.time for f in flights] + [e.time for e in acks]
    end = max(times) if times else trace.duration()
    end += 0.04 * (end - min(times)) if times and end > min(times) else 0.05
    windows = []
    if acks:
        ack_points = [(e.time, relative(e.segment.ack)) for e in acks]
        for e in acks:
            scale = 0 if e.segment.flags & Flags.SYN else shift
            windows.append((e.time, relative(e.segment.ack) + (e.segment.window << scale)))
        line = Line2D(*_steps(ack_points, end), color=COLORS["ack"], lw=1.3, zorder=3)
        line.set_gid("ack-line")
        ax.add_line(line)
        window = Line2D(*_steps(windows, end), color=COLORS["window"], lw=1.1, linestyle=(0, (4, 2)), zorder=2)
        window.set_gid("window-line")
        ax.add_line(window)
    return windows


def _label_axes(ax, host, peer, title, flights):
    ax.set_xlabel("time (s)")
    ax.set_ylabel(f"sequence number (relative to {host}'s ISN)")
    ax.grid(True, color="#e6e6e6", lw=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if not flights:
        ax.text(0.5, 0.5, f"{host} sent no data", transform=ax.transAxes, ha="center", va="center",
                color=COLORS["muted"])
    if title is None:
        title = f"Time-sequence graph: {host} → {peer}"
    if title:
        ax.set_title(title, loc="left", fontweight="bold")


def _draw_legend(ax, color, peer, flights, acks):
    handles = [Line2D([], [], color=color, lw=1.6, marker="_", markersize=7, label="segment sent")]
    if any(f.retransmission for f in flights):
        handles.append(Line2D([], [], color=COLORS["retransmission"], lw=1.6, marker="_", markersize=7,
                              label="retransmission"))
    if any(f.lost for f in flights):
        handles.append(Line2D([], [], color=COLORS["drop"], marker="x", markeredgewidth=2, linestyle="none",
                              label="lost"))
    if acks:
        handles.append(Line2D([], [], color=COLORS["ack"], lw=1.3, label=f"ACK from {peer}"))
        handles.append(Line2D([], [], color=COLORS["window"], lw=1.1, linestyle=(0, (4, 2)),
                              label="ACK + window"))
    legend = ax.legend(handles=handles, loc="upper left", fontsize=7.5, frameon=True, framealpha=0.9,
                       edgecolor="#dddddd")
    legend.set_gid("legend")
