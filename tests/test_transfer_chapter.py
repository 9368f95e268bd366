"""What tcplab.chapters.transfer adds for the data-transfer chapter: payload sizes and exercises checked against scenarios."""
import pytest

from tcplab import scenarios
from tcplab.chapters import transfer
from tcplab.chapters.exercises import check, exercises
from tcplab.chapters.framing import encode


def test_payload_sizes_follow_the_receivers_mss():
    assert transfer.payload_sizes(scenarios.run("data-transfer")) == [1460, 1460, 1080]
    assert transfer.payload_sizes(scenarios.run("data-transfer", mss=536)) == [536] * 7 + [248]
    assert transfer.payload_sizes(scenarios.run("data-loss")) == [1460] * 4 + [160]   # first sends only


@pytest.mark.parametrize("key,right,wrong", [
    ("transfer-fin-seq", 4001, 4000),
    ("transfer-ack-after-loss", 1461, 2921),
    ("transfer-dup-acks", 3, 2),
    ("transfer-zero-window", 4, 65),
    ("transfer-frame-size", 9, 5),
])
def test_exercises(key, right, wrong):
    assert key in exercises()
    assert check(key, right).correct and not check(key, wrong).correct


def test_exercise_answers_agree_with_the_scenarios():
    rows = transfer.sequence_table(scenarios.run("data-transfer"))
    fin = next(r for r in rows if r.sender == "client" and "FIN" in r.flags)
    assert check("transfer-fin-seq", fin.seq).correct
    loss = transfer.sequence_table(scenarios.run("data-loss"))
    dup = [r.ack for r in loss if r.sender == "server" and r.length == 0][1:4]
    assert all(check("transfer-ack-after-loss", a).correct for a in dup)
    zero = transfer.sequence_table(scenarios.run("zero-window"))
    first_zero = next(r for r in zero if r.sender == "server" and r.window == 0)
    assert check("transfer-zero-window", (first_zero.ack - 1) // 1000).correct
    assert check("transfer-frame-size", len(encode(b"hello"))).correct
