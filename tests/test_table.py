"""tcplab.views.Table: an HTML table in a notebook, aligned text when printed."""

from tcplab import Trace, scenarios
from tcplab.chapters import teardown
from tcplab.views import Table, event_table


def test_text_aligns_columns_and_numbers_right():
    table = Table(("name", "n"), [("a", 5), ("longer", 12)])
    assert str(table) == repr(table) == "name     n\na        5\nlonger  12"


def test_html_is_a_table_with_escaped_cells():
    html = Table(("what",), [("<mss 1460>",)], note="a note")._repr_html_()
    assert "<table class='tcplab-text-table'>" in html and "<th>what</th>" in html
    assert "<td>&lt;mss 1460&gt;</td>" in html and "a note" in html


def test_event_table_holds_what_trace_table_prints():
    trace = scenarios.run("four-way-teardown")
    table = event_table(trace, kinds=["send", "state"])
    listed = trace.listed(["send", "state"])
    assert [row[3] for row in table.rows] == [e.what for e in listed]
    assert all(str(e).endswith(e.what) for e in listed)
    assert "FIN-WAIT-2 -> TIME-WAIT" in str(table) and "<td>FIN-WAIT-2 -&gt; TIME-WAIT" in table._repr_html_()


def test_a_truncated_trace_says_so_under_its_table():
    trace = scenarios.run("handshake")
    cut = Trace(trace.events[:3], trace.hosts, trace.title, truncated=True)
    assert str(event_table(cut)).endswith("the conversation ended)")
    assert "the conversation ended)" not in str(event_table(trace))


def test_the_timer_reference_table_is_a_table():
    table = teardown.timer_table()
    assert table.columns == ("timer", "RFC", "Linux", "the seed post")
    assert any("TCP_TIMEWAIT_LEN" in cell for row in table.rows for cell in row)


def test_a_column_empty_in_every_row_is_left_out():
    table = Table(("a", "unused", "b"), [(1, "", "x"), (2, "", "")])
    assert table.columns == ("a", "b") and table.rows == [(1, "x"), (2, "")]
