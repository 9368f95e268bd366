"""What tcplab.chapters.teardown adds for the teardown chapter: tables, the stale-segment demo, exercises."""
import pytest

from tcplab import scenarios, State
from tcplab.chapters import teardown
from tcplab.chapters.exercises import check, exercises


def test_teardown_table_counts_four_three_and_relative_numbers():
    four = teardown.teardown_table(scenarios.run("four-way-teardown")).rows
    three = teardown.teardown_table(scenarios.run("three-segment-teardown")).rows
    assert len(four) == 4 and len(three) == 3
    assert four[0][1:5] == ("client → server", "FIN,ACK", 1, 1) and four[0][-1] == "client: FIN-WAIT-1"
    assert four[-1][-1] == "client: TIME-WAIT"


def test_teardown_table_marks_loss_and_rst_without_ack():
    table = teardown.teardown_table(scenarios.run("lost-final-ack-no-time-wait"))
    assert table.rows[3][-1] == "lost"
    assert "RST" in table.rows[-1][2] and table.rows[-1][4] == "—"
    assert "FIN-WAIT-1" in str(table) and "<td>FIN,ACK</td>" in table._repr_html_()


def test_time_wait_drops_the_old_duplicate():
    trace, late = teardown.stale_segment(time_wait=True)
    assert late == b""
    assert any(e.detail == "ACK of unacceptable segment" and e.state is State.TIME_WAIT for e in trace.events)


def test_without_time_wait_the_old_duplicate_corrupts_the_new_connection():
    trace, late = teardown.stale_segment(time_wait=False)
    assert late == teardown.STALE
    assert teardown.FRESH not in late


@pytest.mark.parametrize("key,answer", [("teardown-1", "FIN_WAIT_2"), ("teardown-2", " Server"),
                                        ("teardown-3", 4001), ("teardown-4", (240, 60))])
def test_exercises_accept_the_right_answer(key, answer):
    assert check(key, answer).correct
    assert not check(key, None).correct


def test_exercise_answers_agree_with_the_simulation():
    assert check("teardown-2", teardown.time_wait_hosts(scenarios.run("server-closes-first"))[0]).correct
    client = scenarios.run("four-way-teardown").states("client")
    assert check("teardown-1", str(client[client.index(State.FIN_WAIT_1) + 1])).correct
    assert {"teardown-1", "teardown-2", "teardown-3", "teardown-4"} <= set(exercises())
