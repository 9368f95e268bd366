"""The state diagram is drawn from TRANSITIONS and highlights what it is told to."""

import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch

from tcplab import TRANSITIONS, State
from tcplab.views import state_diagram
from tcplab.views.fsm import CLOSED_AGAIN, POSITIONS
from tcplab.views.style import COLORS

try:
    from tests.test_plot_helpers import by_gid, gids, one
except ImportError:
    from test_plot_helpers import by_gid, gids, one


def arrows(fig):
    return {a.get_gid(): a for a in by_gid(fig, "transition-") if isinstance(a, FancyArrowPatch)}


@pytest.fixture(scope="module")
def fig():
    return state_diagram()


def test_one_arrow_per_drawn_row(fig):
    drawn = [i for i, row in enumerate(TRANSITIONS) if row.drawn]
    assert sorted(arrows(fig)) == sorted(f"transition-{i}" for i in drawn)
    for i in drawn:
        assert arrows(fig)[f"transition-{i}"].get_label() == TRANSITIONS[i].label
        assert one(fig, f"transition-label-{i}").get_text() == TRANSITIONS[i].event
        if TRANSITIONS[i].action:
            assert one(fig, f"transition-action-{i}").get_text() == TRANSITIONS[i].action


def test_every_state_has_a_box_where_the_layout_says(fig):
    assert set(POSITIONS) == set(State)
    for state in State:
        box = one(fig, f"state-{state.value}")
        x, y = POSITIONS[state]
        assert box.get_x() + box.get_width() / 2 == pytest.approx(x)
        assert one(fig, f"state-{state.value}-name").get_text() == state.value
    assert one(fig, "state-CLOSED-2").get_x() + one(fig, "state-CLOSED-2").get_width() / 2 == pytest.approx(
        CLOSED_AGAIN[0])


def test_figure5_layout_order():
    y = {s: POSITIONS[s][1] for s in State}
    assert y[State.CLOSED] > y[State.LISTEN] > y[State.SYN_SENT] == y[State.SYN_RECEIVED]
    assert y[State.SYN_SENT] > y[State.ESTABLISHED] > y[State.FIN_WAIT_1] == y[State.CLOSE_WAIT]
    assert y[State.FIN_WAIT_1] > y[State.FIN_WAIT_2] == y[State.CLOSING] == y[State.LAST_ACK] > y[State.TIME_WAIT]
    assert POSITIONS[State.SYN_RECEIVED][0] < POSITIONS[State.SYN_SENT][0]


def test_paths_have_their_colours(fig):
    for gid, arrow in arrows(fig).items():
        row = TRANSITIONS[int(gid.split("-")[1])]
        expected = {"client": COLORS["client"], "server": COLORS["server"], "both": COLORS["both"],
                    "unusual": COLORS["unusual"]}[row.path]
        assert to_hex(arrow.get_edgecolor()) == expected
    assert [t.get_text() for t in one(fig, "legend").get_texts()] == [
        "client path", "server path", "both sides", "simultaneous / unusual"]


def test_current_state_is_highlighted():
    fig = state_diagram(State.ESTABLISHED)
    box = one(fig, "state-ESTABLISHED")
    assert to_hex(box.get_facecolor()) == COLORS["highlight"]
    assert to_hex(one(fig, "state-LISTEN").get_facecolor()) == "#ffffff"


def test_two_hosts_are_marked_in_their_colours():
    fig = state_diagram({"client": State.ESTABLISHED, "server": State.SYN_RECEIVED})
    assert one(fig, "current-client").get_text() == "client"
    assert one(fig, "current-server").get_text() == "server"
    assert to_hex(one(fig, "state-ESTABLISHED").get_edgecolor()) == COLORS["client"]
    assert to_hex(one(fig, "state-SYN-RECEIVED").get_edgecolor()) == COLORS["server"]


def test_last_transition_glows():
    i, row = next((i, r) for i, r in enumerate(TRANSITIONS) if r.source is State.SYN_SENT
                  and r.target is State.ESTABLISHED)
    fig = state_diagram(State.ESTABLISHED, last=row)
    assert gids(fig, "last") == ["last"]
    assert arrows(fig)[f"transition-{i}"].get_linewidth() > 2
    by_pair = state_diagram(last={"client": (State.SYN_SENT, State.ESTABLISHED)})
    assert gids(by_pair, "last-") == ["last-client"]


def test_undrawn_rows_appear_only_when_last():
    i, rst = next((i, r) for i, r in enumerate(TRANSITIONS) if not r.drawn and r.event == "rcv RST")
    assert f"transition-{i}" not in arrows(state_diagram())
    assert f"transition-{i}" in arrows(state_diagram(State.CLOSED, last=rst))


def test_states_subset():
    fig = state_diagram(states=[State.CLOSED, State.LISTEN, State.SYN_SENT])
    assert gids(fig, "state-ESTABLISHED") == []
    pairs = {(TRANSITIONS[int(g.split("-")[1])].source, TRANSITIONS[int(g.split("-")[1])].target)
             for g in arrows(fig)}
    assert (State.CLOSED, State.LISTEN) in pairs and all(State.ESTABLISHED not in p for p in pairs)


@pytest.mark.parametrize("kwargs, message", [
    ({"current": "OPEN"}, "current"), ({"current": {"client": 3}}, "current"),
    ({"last": "CLOSE"}, "last"), ({"last": (State.CLOSED, State.TIME_WAIT)}, "last"),
    ({"states": "LISTEN"}, "states"),
])
def test_bad_arguments_name_themselves(kwargs, message):
    with pytest.raises(ValueError, match=message):
        state_diagram(**kwargs)


def test_a_subset_of_states_gives_a_shorter_figure():
    from tcplab.views import state_diagram
    full = state_diagram()
    closing = state_diagram(states=[State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2, State.TIME_WAIT,
                                    State.CLOSED])
    opening = state_diagram(states=[State.CLOSED, State.LISTEN, State.SYN_SENT, State.SYN_RECEIVED,
                                    State.ESTABLISHED])
    assert opening.get_size_inches()[1] < 0.7 * full.get_size_inches()[1]
    gids = {a.get_gid() for a in closing.axes[0].get_children()}
    assert "state-CLOSED-2" in gids  # TIME-WAIT's arrow ends in Figure 5's second CLOSED
    assert "state-CLOSED-2" not in {a.get_gid() for a in opening.axes[0].get_children()}
