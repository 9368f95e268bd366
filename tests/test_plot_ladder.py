"""The ladder diagram draws what the trace says (checked on the Figure's artists)."""

import pytest
from matplotlib.patches import FancyArrowPatch

from tcplab import Kind
from tcplab.views import ladder
from tcplab.views.describe import format_time
from tcplab.views.ladder import segment_label
from tcplab.views.style import COLORS

try:
    from tests.test_plot_helpers import bulk_trace, by_gid, color_of, gids, one, sample_trace
except ImportError:  # tests/ run as a plain directory
    from test_plot_helpers import bulk_trace, by_gid, color_of, gids, one, sample_trace


@pytest.fixture(scope="module")
def trace():
    return sample_trace()


@pytest.fixture(scope="module")
def fig(trace):
    return ladder(trace)


def test_one_arrow_per_delivered_segment(trace, fig):
    delivered = [f.packet for f in trace.flights() if f.end is not None and not f.lost]
    arrows = [a for a in by_gid(fig, "flight-") if isinstance(a, FancyArrowPatch)]
    assert sorted(int(a.get_gid().split("-")[1]) for a in arrows) == sorted(delivered)
    assert len(gids(fig, "flight-")) == len(trace.flights())      # the lost one is a line


def test_one_cross_per_drop(trace, fig):
    lost = [f.packet for f in trace.flights() if f.lost]
    assert gids(fig, "drop-") == [f"drop-{p}" for p in lost]
    (cross,) = by_gid(fig, "drop-")
    assert color_of(cross) == COLORS["drop"]


def test_retransmissions_are_marked(trace, fig):
    again = [f.packet for f in trace.flights() if f.retransmission]
    assert gids(fig, "retransmission-") == [f"retransmission-{p}" for p in again]
    for p in again:
        arrow = one(fig, f"flight-{p}")
        assert color_of(arrow) == COLORS["retransmission"]
        assert arrow.get_linestyle() != "solid"


def test_a_state_label_per_state_change(trace, fig):
    for host in ("client", "server"):
        changes = [i for i, e in enumerate(trace.events) if e.kind is Kind.STATE and e.host == host]
        labels = [a for a in by_gid(fig, f"state-{host}-")]
        assert [a.get_gid() for a in labels] == [f"state-{host}-{i}" for i in changes]
        assert [a.get_text() for a in labels] == [str(trace.events[i].state) for i in changes]
        (initial,) = by_gid(fig, f"initial-state-{host}")
        assert initial.get_text() == "CLOSED"


def test_calls_and_timers_are_annotated(trace, fig):
    calls = [i for i, e in enumerate(trace.events) if e.kind is Kind.CALL]
    assert [a.get_text() for a in by_gid(fig, "call-")] == [trace.events[i].detail for i in calls]
    timers = [trace.events[i].detail for i, e in enumerate(trace.events) if e.kind is Kind.TIMER]
    texts = [a.get_text() for a in by_gid(fig, "timer-") if not a.get_gid().startswith("timer-bracket")]
    assert texts == [f"{t} fires" for t in timers] and timers == ["RTO", "delayed ACK", "2MSL"]
    assert len(gids(fig, "timer-bracket-")) == 3


def test_hosts_are_labelled_left_to_right(fig):
    client, server = by_gid(fig, "host-client")[0], by_gid(fig, "host-server")[0]
    assert client.get_text() == "client" and server.get_text() == "server"
    assert client.get_position()[0] < server.get_position()[0]


def test_time_flows_down(trace, fig):
    arrows = {a.get_gid(): a for a in by_gid(fig, "flight-") if isinstance(a, FancyArrowPatch)}
    syn = arrows["flight-1"]
    (x0, y0), (x1, y1) = syn._posA_posB
    assert y1 > y0 and x1 > x0                       # client (left) to server (right), downwards
    ys = [arrows[g]._posA_posB[0][1] for g in sorted(arrows, key=lambda g: int(g.split("-")[1]))]
    assert ys == sorted(ys)


def test_labels_are_relative_by_default(trace, fig):
    assert one(fig, "label-1").get_text() == "SYN seq=0"
    assert by_gid(fig, "label-2")[0].get_text() == "SYN,ACK seq=0 ack=1"
    assert by_gid(fig, "label-4")[0].get_text() == "PSH,ACK seq=1 ack=1 len=100"
    absolute = ladder(trace, relative=False)
    assert by_gid(absolute, "label-2")[0].get_text() == "SYN,ACK seq=5000 ack=1001"


def test_segment_label_and_time_format():
    seg = sample_trace().flights()[3].segment
    assert segment_label(seg) == "PSH,ACK seq=1001 ack=5001 len=100"
    assert segment_label(seg, (1000, 5000)) == "PSH,ACK seq=1 ack=1 len=100"
    assert [format_time(t) for t in (0, 0.05, 0.0125, 1.25, 241.5)] == ["0", "50 ms", "12.5 ms", "1.25 s", "241.5 s"]


def test_long_gaps_are_compressed(trace, fig):
    texts = [a.get_text() for a in by_gid(fig, "gap-")]
    assert any("239.95 s" in t for t in texts) and any("950 ms" in t for t in texts)
    assert fig.get_size_inches()[1] < 12
    linear = ladder(trace, compress_gaps=False)
    assert gids(linear, "gap-") == []


def test_upto_greys_out_the_future(trace):
    k = 14
    fig = ladder(trace, upto=k)
    assert gids(fig, "upto") == ["upto"]
    for flight in trace.flights():
        si = trace.events.index(flight.send)
        line = one(fig, f"flight-{flight.packet}")
        assert (color_of(line) == COLORS["grey"]) == (si > k), flight.packet
    for artist in by_gid(fig, "state-client-") + by_gid(fig, "state-server-"):
        i = int(artist.get_gid().rsplit("-", 1)[1])
        assert (color_of(artist) == COLORS["grey"]) == (i > k)
    for artist in by_gid(fig, "call-"):
        i = int(artist.get_gid().split("-")[1])
        assert (color_of(artist) == COLORS["grey"]) == (i > k)


def test_upto_mid_flight_draws_the_distance_travelled(trace):
    send = next(i for i, e in enumerate(trace.events) if e.kind is Kind.SEND and e.packet == 3)
    fig = ladder(trace, upto=send + 1)
    assert gids(fig, "inflight-") == ["inflight-3", "inflight-3-head"]


def test_figure_height_grows_with_rows():
    small, large = ladder(bulk_trace(8)), ladder(bulk_trace(40))
    assert small.get_size_inches()[0] == large.get_size_inches()[0] == 7.0
    assert large.get_size_inches()[1] > small.get_size_inches()[1] + 5
    assert len(gids(large, "label-")) == 40 + 2 + 20


def test_labels_do_not_overlap_in_a_bulk_transfer():
    fig = ladder(bulk_trace(24))
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    renderer = FigureCanvasAgg(fig).get_renderer()
    labels = by_gid(fig, "label-")
    boxes = [t.get_window_extent(renderer) for t in labels]
    # Rotated labels have loose axis-aligned boxes; their centres must at least be apart.
    centres = {(round(b.x0 + b.width / 2), round(b.y0 + b.height / 2)) for b in boxes}
    assert len(centres) == len(boxes)


def test_draws_into_a_given_axes(trace):
    from tcplab.views.style import new_figure
    host = new_figure(7, 12)
    ax = host.add_axes((0, 0, 1, 1))
    assert ladder(trace, ax=ax) is host


@pytest.mark.parametrize("kwargs, message", [
    ({"upto": 10_000}, "upto"), ({"upto": -1}, "upto"), ({"upto": "3"}, "upto"),
    ({"relative": "yes"}, "relative"), ({"compress_gaps": None}, "compress_gaps"),
])
def test_bad_arguments_name_themselves(trace, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ladder(trace, **kwargs)


def test_rejects_what_is_not_a_trace():
    with pytest.raises(ValueError, match="trace"):
        ladder([1, 2, 3])


def test_scenarios_render_when_available():
    scenarios = pytest.importorskip("tcplab.sim.scenarios")
    for name in ("handshake", "data-loss", "four-way-teardown"):
        trace = scenarios.run(name)
        fig = ladder(trace)
        delivered = [f for f in trace.flights() if f.end is not None and not f.lost]
        arrows = [a for a in by_gid(fig, "flight-") if isinstance(a, FancyArrowPatch)]
        assert len(arrows) == len(delivered)
        assert len(gids(fig, "drop-")) == sum(f.lost for f in trace.flights())


@pytest.mark.parametrize("name", ["four-way-teardown", "lost-final-ack", "old-duplicate-syn", "paws-wraparound"])
def test_the_svg_writer_draws_what_the_figure_draws(name):
    """`ladder_svg` (widgets) and `ladder` (figures) share one layout: the same size, the same
    texts, and each text's anchor at the same place (in points)."""
    import html
    import re

    from tcplab import scenarios
    from tcplab.views import ladder_svg
    from tcplab.views.artists import texts

    trace = scenarios.run(name)
    fig = ladder(trace)
    svg = ladder_svg(trace)
    width, height = (float(v) for v in re.search(r"viewBox='0 0 ([\d.]+) ([\d.]+)'", svg).groups())
    assert (round(width), round(height)) == tuple(round(v * 72) for v in fig.get_size_inches())

    def words(body):
        lines = re.findall(r"<tspan [^>]*>(.*?)</tspan>", body) or [body]
        return html.unescape("\n".join(lines))

    drawn = [t for t in texts(fig) if t.get_text().strip() and t.axes is not None]
    written = re.findall(r"<text x='([\d.]+)' y='[\d.]+'[^>]*>(.*?)</text>", svg)
    assert sorted(words(body) for _, body in written) == sorted(t.get_text() for t in drawn)
    in_axes = [t for t in drawn if t.get_transform() == t.axes.transData]     # not the legend's
    assert len(in_axes) >= 10
    assert {(t.get_text(), round(t.get_position()[0] * 72)) for t in in_axes} <= {
        (words(body), round(float(x))) for x, body in written}
