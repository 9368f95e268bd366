"""The real-socket experiments: the recorded results say what the book claims, and a live run agrees (root)."""
import os

import pytest

from tcplab.chapters.handshake import retransmission_schedule
from tcplab.live import linuxsockets as ls

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="a live run creates a network namespace (root)")


def test_every_experiment_is_recorded():
    assert set(ls.recorded()["results"]) == set(ls.EXPERIMENTS)


def test_time_wait_reuse_depends_on_timestamps():
    assert ls.result("time-wait-reuse")["connect() on the same 4-tuple"] == "connected"
    assert ls.result("time-wait-reuse-no-timestamps")["connect() on the same 4-tuple"] == "EADDRNOTAVAIL"
    assert ls.result("time-wait-reuse")["old connection in TIME-WAIT"]


def test_linux_reads_queued_bytes_before_the_reset():
    assert ls.result("rst-with-unread-data") == {"first recv()": "hello", "second recv()": "ECONNRESET"}


def test_close_with_unread_data_sends_rst():
    outcomes = ls.result("close-with-unread-data")
    assert outcomes["server: close() with 5 bytes unread; client's recv()"] == "ECONNRESET"
    assert outcomes["server: read, then close(); client's recv()"] == "EOF"


def test_syn_schedule_since_linux_6_5():
    run = ls.result("syn-retransmissions")
    assert run["SYNs sent"] == 11 and run["connect()"].startswith("ETIMEDOUT")
    computed = retransmission_schedule(6, linear=4).sends        # what the handshake chapter prints beside it
    measured = run["retransmissions at (s after the first SYN)"]
    assert len(measured) == len(computed) and all(0 <= m - c < 1.5 for m, c in zip(measured, computed))


def test_nagle_stall_and_nodelay():
    assert ls.result("nagle-stall-nodelay")["median round (ms)"] == "under 5"
    assert ls.result("nagle-stall")["median round (ms)"] != "under 5"


def test_unknown_experiment_names_the_choices():
    with pytest.raises(ValueError, match="name must be one of"):
        ls.result("no-such-experiment")


def test_show_prints_the_recording(capsys):
    ls.show("close-wait-leak")
    out = capsys.readouterr().out
    assert "recorded on Linux" in out and "server CLOSE-WAIT" in out


@needs_root
@pytest.mark.parametrize("name", ["time-wait-reuse", "time-wait-reuse-no-timestamps", "rst-with-unread-data",
                                  "close-with-unread-data", "close-wait-leak"])
def test_a_live_run_agrees_with_the_recording(name):
    assert ls.run_live(name) == ls.result(name)
