"""The time-sequence graph marks every data segment, the ACK line and the window line."""

import pytest
from matplotlib.colors import to_hex

from tcplab.views import time_sequence
from tcplab.views.style import COLORS

try:
    from tests.test_plot_helpers import bulk_trace, by_gid, gids, one, sample_trace
except ImportError:
    from test_plot_helpers import bulk_trace, by_gid, gids, one, sample_trace


def test_a_mark_per_segment_with_relative_sequence_numbers():
    trace = sample_trace()
    fig = time_sequence(trace)
    sent = [f for f in trace.flights() if f.src == "client" and f.segment.len > 0]
    assert sorted(gids(fig, "data-")) == sorted(f"data-{f.packet}" for f in sent)
    beam = one(fig, "data-4")                                  # 100 bytes at relative seq 1
    assert list(beam.get_ydata()) == [1, 101]
    assert list(beam.get_xdata()) == [0.1, 0.1]


def test_retransmissions_and_drops_stand_out():
    fig = time_sequence(sample_trace())
    assert to_hex(one(fig, "data-5").get_color()) == COLORS["retransmission"]
    assert to_hex(one(fig, "data-4").get_color()) == COLORS["client"]
    assert gids(fig, "drop-") == ["drop-4"]


def test_ack_and_window_lines():
    fig = time_sequence(bulk_trace(16))
    ack, window = one(fig, "ack-line"), one(fig, "window-line")
    assert max(ack.get_ydata()) == 16 * 1000 + 1
    assert all(w >= a for a, w in zip(ack.get_ydata(), window.get_ydata()))
    assert [t.get_text() for t in one(fig, "legend").get_texts()][:2] == ["segment sent", "ACK from server"]


def test_server_side_and_bad_host():
    trace = sample_trace()
    fig = time_sequence(trace, "server")
    assert sorted(gids(fig, "data-")) == ["data-2", "data-9"]            # SYN,ACK and FIN
    with pytest.raises(ValueError, match="host"):
        time_sequence(trace, "mallory")


def test_scenario_when_available():
    scenarios = pytest.importorskip("tcplab.sim.scenarios")
    trace = scenarios.run("data-loss")
    fig = time_sequence(trace)
    assert len(gids(fig, "data-")) == sum(1 for f in trace.flights() if f.src == "client" and f.segment.len)
    assert len(by_gid(fig, "drop-")) == sum(1 for f in trace.flights() if f.src == "client" and f.lost)
