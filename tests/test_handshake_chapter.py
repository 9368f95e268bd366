"""What tcplab.chapters.handshake adds for the handshake chapter: options table, backoff schedule, accept queue, exercises."""
import pytest

from tcplab import scenarios, Config
from tcplab.chapters import handshake
from tcplab.chapters.exercises import check, exercises


def test_options_in_use_only_when_both_syns_carry_them():
    rows = {r.option: r for r in handshake.negotiated_options(scenarios.run("handshake-options"))}
    assert [rows[o].in_use for o in ("window scale", "SACK-permitted", "timestamps")] == ["yes"] * 3
    assert rows["MSS"].in_use == "client sends <= 1400, server sends <= 1460"
    one_sided = scenarios.run("handshake", client_config=Config.linux(seed=1, delayed_ack=None))
    rows = {r.option: r for r in handshake.negotiated_options(one_sided)}
    assert rows["window scale"].syn == "7" and rows["window scale"].syn_ack == "—"
    assert [rows[o].in_use for o in ("window scale", "SACK-permitted", "timestamps")] == ["no"] * 3


def test_options_table_needs_a_handshake():
    with pytest.raises(ValueError, match="trace must hold a SYN and a SYN-ACK"):
        handshake.negotiated_options(scenarios.run("syn-timeout"))


def test_options_table_prints(capsys):
    handshake.print_options(scenarios.run("handshake-options"))
    out = capsys.readouterr().out
    assert "in the SYN-ACK" in out and "SACK-permitted" in out


def test_schedule_matches_the_simulator_and_linux():
    assert handshake.retransmission_schedule(3) == ((1.0, 3.0, 7.0), 15.0)
    trace = scenarios.run("syn-timeout")
    assert list(handshake.retransmission_schedule(3).sends) == handshake.retransmission_times(trace, "client")
    assert trace.events[-1].time == handshake.retransmission_schedule(3).give_up
    assert handshake.retransmission_schedule(6) == ((1.0, 3.0, 7.0, 15.0, 31.0, 63.0), 127.0)   # tcp_syn_retries
    assert handshake.retransmission_schedule(5).give_up == 63.0                               # tcp_synack_retries
    assert handshake.retransmission_schedule(3, rto_max=2.0) == ((1.0, 3.0, 5.0), 7.0)
    with pytest.raises(ValueError, match="retries must be"):
        handshake.retransmission_schedule(-1)
    with pytest.raises(ValueError, match="rto_initial must be"):
        handshake.retransmission_schedule(1, rto_initial=0)


def test_accept_queue_on_loopback():
    demo = handshake.accept_demo(clients=3)
    assert (demo.connected_before_accept, demo.accepted, demo.same_port_as_listener, demo.distinct_peers) == \
        (3, 3, True, 3)
    assert "3 of 3 connect() calls returned before any accept()" in str(demo)
    with pytest.raises(ValueError, match="clients must be at most backlog"):
        handshake.accept_demo(clients=5, backlog=2)


@pytest.mark.parametrize("key,right,wrong", [
    ("handshake-ack-wrap", 0, 4294967296),
    ("handshake-server-state", "syn_received", "ESTABLISHED"),
    ("handshake-third-retransmission", 7.0, 4),
    ("handshake-wscale", False, 0),
    ("handshake-final-ack-seq", [1001, 5001], (1000, 5000)),
])
def test_exercises(key, right, wrong):
    assert key in exercises()
    assert check(key, right).correct and not check(key, wrong).correct
    assert not check(key, None).correct


def test_exercise_answers_agree_with_the_simulation():
    hs = handshake.handshake_segments(client_isn=2**32 - 1)
    assert check("handshake-ack-wrap", hs.syn_ack.ack).correct
    hs = handshake.handshake_segments(client_isn=1000, server_isn=5000)
    assert check("handshake-final-ack-seq", (hs.ack.seq, hs.ack.ack)).correct
    assert check("handshake-third-retransmission",
                 handshake.retransmission_times(scenarios.run("syn-timeout"), "client")[2]).correct


def test_opening_state_diagram_is_cropped_to_the_opening_states():
    from tcplab import State
    fig = handshake.opening_state_diagram(current={"client": State.SYN_SENT, "server": State.SYN_RECEIVED},
                                          last={"server": (State.LISTEN, State.SYN_RECEIVED)})
    ax = fig.axes[0]
    gids = {a.get_gid(): a for a in ax.get_children() if a.get_gid()}
    assert "state-FIN-WAIT-1" not in gids and gids["state-SYN-SENT"].get_visible()
    assert "state-CLOSED-2" not in gids and "state-CLOSED-2-name" not in gids  # below the crop: not drawn
    assert "last-server" in gids and fig.get_size_inches()[1] < 6
