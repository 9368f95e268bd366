"""The real-socket experiments: the recorded results say what the book claims, and a live run agrees (root)."""
import os

import pytest

from tcplab.chapters.faq import LINUX_EPHEMERAL
from tcplab.chapters.handshake import retransmission_schedule
from tcplab.live import linuxsockets as ls
from tcplab.live import socketexperiments as experiments

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


def test_data_after_close_is_answered_with_rst():
    run = ls.result("data-after-close")
    assert run["after the client's close()"] == ["client FIN-WAIT-2", "server CLOSE-WAIT"]
    assert run["the server's send() of 5 bytes"] == "returned 5"
    assert run["after the data arrived"] == [] and run["RSTs sent since (Tcp OutRsts)"] == 1
    assert run["the server's next send()"] == "EPIPE"             # a RST that arrives in CLOSE-WAIT
    assert run["with shutdown(SHUT_WR) in place of close(): the client's recv()"] == "hello"


@pytest.mark.parametrize("name", ["time-wait-syn", "time-wait-syn-no-timestamps"])
def test_a_syn_reopens_the_servers_time_wait_connection(name):
    run = ls.result(name)
    assert run["states before connect()"] == ["server TIME-WAIT"]
    assert run["connect() from the same port"] == "connected" and run["connect() took"] == "under 0.1 s"
    assert run["the server's accept()"] == "the client's old port"
    assert run["states after"] == ["client ESTABLISHED", "server ESTABLISHED"]


def test_ports_run_out_per_server_ip_and_port():
    later = "connect() to the same server ip:port 1.5 s later"
    runs = {name: ls.result(name) for name in ("port-exhaustion", "port-exhaustion-not-loopback",
                                               "port-exhaustion-not-loopback-tw-reuse")}
    for run in runs.values():
        assert run["net.ipv4.ip_local_port_range"] == "40000-40003" and run["client ports in TIME-WAIT"] == 4
        assert run["connect() to the same server ip:port"] == "EADDRNOTAVAIL"
        assert run["connect() to another port of the same server"] == "connected"
    assert runs["port-exhaustion"]["net.ipv4.tcp_tw_reuse"] == "2"              # 2: loopback only, and this is
    assert runs["port-exhaustion"][later] == "connected"                        # loopback: reused after 1 s
    assert runs["port-exhaustion-not-loopback"][later] == "EADDRNOTAVAIL"       # 10.1.0.1 is not
    assert runs["port-exhaustion-not-loopback-tw-reuse"][later] == "connected"  # unless tcp_tw_reuse = 1


def test_time_wait_settings_are_what_the_book_computes_with():
    settings = ls.result("time-wait-settings")
    assert settings["net.ipv4.ip_local_port_range"] == " ".join(map(str, LINUX_EPHEMERAL))
    assert settings["net.ipv4.tcp_tw_reuse"] == "2" and settings["net.ipv4.tcp_tw_reuse_delay"] == "1000"
    assert settings["net.ipv4.tcp_tw_recycle"] == "(not in this kernel)"


def _seconds(text):
    return float(text.removesuffix(" s"))


def test_orphaned_fin_wait_2_lasts_tcp_fin_timeout():
    run = ls.result("orphaned-fin-wait-2")
    assert run["net.ipv4.tcp_fin_timeout"] == "2"
    assert run["after the client's close()"] == ["client FIN-WAIT-2", "server CLOSE-WAIT"]
    assert 2.0 <= _seconds(run["the client's socket left FIN-WAIT-2 after"]) < 2.5
    assert run["then"] == ["server CLOSE-WAIT"]


def test_record_keeps_the_other_results(tmp_path, monkeypatch):
    path = tmp_path / "linux-sockets.json"
    path.write_text(ls.RECORDING.read_text())
    monkeypatch.setattr(ls, "run_live", lambda name: {"rerun": name})
    ls.record(["keepalive-settings"], path)
    rerecorded = ls.recorded(path)["results"]
    assert list(rerecorded) == list(ls.EXPERIMENTS)
    assert rerecorded["keepalive-settings"] == {"rerun": "keepalive-settings"}
    assert rerecorded["nagle-stall"] == ls.result("nagle-stall")
    with pytest.raises(ValueError, match="names must be one of"):
        ls.record(["no-such-experiment"], path)


@pytest.mark.parametrize("call, message", [
    (lambda: experiments.port_exhaustion("localhost"), "address must be an IP address"),
    (lambda: experiments.port_exhaustion(wait=-1), "wait must be"),
    (lambda: experiments.orphaned_fin_wait_2(limit=0), "limit must be")])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@needs_root
@pytest.mark.parametrize("name", ["time-wait-reuse", "time-wait-reuse-no-timestamps", "rst-with-unread-data",
                                  "close-with-unread-data", "close-wait-leak", "time-wait-syn",
                                  "time-wait-syn-no-timestamps", "data-after-close", "port-exhaustion",
                                  "port-exhaustion-not-loopback", "port-exhaustion-not-loopback-tw-reuse",
                                  "time-wait-settings"])
def test_a_live_run_agrees_with_the_recording(name):
    assert ls.run_live(name) == ls.result(name)


@needs_root
def test_a_live_orphaned_fin_wait_2_lasts_about_tcp_fin_timeout():
    run, recorded = ls.run_live("orphaned-fin-wait-2"), ls.result("orphaned-fin-wait-2")
    assert 2.0 <= _seconds(run.pop("the client's socket left FIN-WAIT-2 after")) < 3.0
    recorded.pop("the client's socket left FIN-WAIT-2 after")
    assert run == recorded
