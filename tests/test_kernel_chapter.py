"""tcplab.chapters.realtraffic: the helper of the chapter "Watch your own kernel" and the recordings it reads."""

import json
import shutil
import subprocess

import pytest

from tcplab import scenarios, Flags, State, Kind
from tcplab.chapters import realtraffic as rt
from tcplab.chapters.exercises import check, exercises
from tcplab.io import recordings
from tcplab.io.tracejson import load_trace, save_trace, trace_from_dict, trace_to_dict
from tcplab.live import capture, kernel

TSHARK = shutil.which("tshark")
ok, reason = kernel.available()
needs_kernel = pytest.mark.skipif(not ok, reason=f"kernel interop {reason}")
needs_capture = pytest.mark.skipif(not capture.can_capture(), reason="live capture needs root or CAP_NET_RAW")


# ------------------------------------------------------------------ JSON round trip
@pytest.mark.parametrize("name", ["lost-final-ack", "zero-window", "handshake-options", "rst-closed-port"])
def test_json_round_trip_keeps_every_event(name):
    trace = scenarios.run(name)
    trace.measurements = {"time_wait": 59.0}
    again = trace_from_dict(json.loads(json.dumps(trace_to_dict(trace))))
    assert again.events == trace.events
    assert again.hosts == trace.hosts and again.title == trace.title
    assert again.measurements == {"time_wait": 59.0}


def test_save_and_load(tmp_path):
    trace = scenarios.run("four-way-teardown")
    save_trace(trace, tmp_path / "t.json")
    assert load_trace(tmp_path / "t.json").events == trace.events
    with pytest.raises(FileNotFoundError, match="path must be an existing JSON trace file"):
        load_trace(tmp_path / "missing.json")
    with pytest.raises(FileNotFoundError, match="record it with"):
        recordings.load_kernel_run("closed-port", directory=tmp_path)


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="name must be one of"):
        rt.kernel_run("no-such-run")
    with pytest.raises(ValueError, match="name must be one of"):
        rt.model_for("no-such-capture")


# ------------------------------------------------------------------ the recordings
@pytest.mark.parametrize("name", list(recordings.KERNEL_RUNS))
def test_every_recorded_kernel_run_agrees_with_the_model(name):
    run = rt.kernel_run(name)
    assert not run.live
    assert run.comparison.agree, run.comparison.table()


def test_withheld_final_ack_shows_linux_200ms_rto():
    run = rt.kernel_run("withheld-final-ack")
    linux = rt.send_times(run.kernel, kernel.LINUX, "FIN")
    model = rt.send_times(run.model, "server", "FIN")
    assert len(linux) == 4 and model == [0.0, 1.0, 3.0, 7.0]
    gaps = [b - a for a, b in zip(linux, linux[1:])]
    assert 0.19 <= gaps[0] <= 0.3
    assert all(1.7 <= b / a <= 2.3 for a, b in zip(gaps, gaps[1:]))  # doubles
    restarts = [e for e in run.kernel.state_changes(kernel.TCPLAB)
                if e.before is State.TIME_WAIT and e.state is State.TIME_WAIT]
    assert len(restarts) == 3


def test_recorded_time_wait_and_rst():
    assert 55 <= rt.kernel_run("linux-closes-first").kernel.measurements["time_wait"] <= 60
    refused = rt.kernel_run("closed-port").kernel
    [rst] = [e.segment for e in refused.filter(Kind.SEND, kernel.LINUX)]
    syn = refused.filter(Kind.SEND, kernel.TCPLAB)[0].segment
    assert rst.flags == Flags.RST | Flags.ACK and rst.seq == 0 and rst.ack == syn.seq + 1


def test_synack_retransmissions_start_at_one_second():
    times = rt.send_times(rt.kernel_run("unanswered-syn-ack").kernel, kernel.LINUX, "SYN,ACK")
    assert len(times) >= 3 and 0.95 <= times[1] <= 1.2 and 2.9 <= times[2] <= 3.3


def test_three_segment_close_and_loopback_options():
    three = rt.loopback("loopback-three-segment-close")
    assert rt.close_segments(three) == ["client: FIN,ACK", "server: FIN,ACK", "client: ACK"]
    assert State.FIN_WAIT_2 not in three.states("client")
    rows = rt.syn_options(three)
    assert [r[1] for r in rows] == ["SYN", "SYN,ACK"]
    assert all(r[3] == 65495 and r[4] is not None and r[5] and r[6] for r in rows)
    shift = rows[0][4]
    assert all(window == field << shift for _, host, field, window in rt.scaled_windows(three) if host == "server")


def test_model_for_each_capture_has_the_same_states():
    for name, model in rt.MODEL_FOR.items():
        real, sim = rt.loopback(name), scenarios.run(model)
        for host in ("client", "server"):
            expected = list(sim.states(host))
            if expected[-2:] == [State.TIME_WAIT, State.CLOSED]:
                expected.pop()  # a capture ends long before the 2MSL timer fires
            assert list(real.states(host)) == expected, (name, host)


def test_zero_window_probes_have_no_data_and_seq_below_snd_nxt():
    probes = rt.zero_window_probes(rt.zero_window())
    assert len(probes) >= 2
    assert all(offset == -1 and size == 0 for _, offset, size in probes)


def test_wireshark_labels_on_small_cases():
    labels = rt.wireshark_labels(scenarios.run("zero-window"))
    assert "TCP ZeroWindow" in labels.values() and "TCP Keep-Alive" in labels.values()
    assert not rt.wireshark_labels(scenarios.run("handshake"))


@pytest.mark.skipif(TSHARK is None, reason="tshark (Wireshark's command-line decoder) is not installed")
def test_wireshark_labels_agree_with_tshark():
    path = recordings.capture_path(recordings.ZERO_WINDOW)
    out = subprocess.run([TSHARK, "-r", str(path), "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info"],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    ours = rt.wireshark_labels(rt.zero_window())
    wanted = ("TCP ZeroWindow", "TCP Keep-Alive", "TCP ZeroWindowProbe", "TCP Window Update")
    theirs = {}
    for line in out.splitlines():
        number, info = line.split("\t", 1)
        found = [w for w in wanted if f"[{w}]" in info]
        if found:
            theirs[int(number)] = found[0]
    assert theirs and ours == theirs


def test_linux_vs_rfc_table():
    rows = {r.topic: r for r in rt.linux_vs_rfc()}
    assert rows["segments in the close"].linux.startswith("3")
    assert rows["FIN retransmissions from LAST-ACK"].textbook == "+1, +3, +7 s"
    assert "Keep-Alive" in rows["zero-window probe"].linux
    assert rows["TIME-WAIT"].textbook.startswith("240 s")


def test_side_by_side_draws_two_ladders_that_wrap_on_a_phone():
    panels = rt.side_by_side(rt.loopback(), rt.model_for("loopback-session"), titles=("a", "b"))
    assert [f.alt.split(".")[0] for f in panels.figures] == ["Sequence diagram: a", "Sequence diagram: b"]
    page = panels._repr_html_()
    assert "flex-wrap:wrap" in page and page.count('role="img"') == 2


# ------------------------------------------------------------------ exercises
ANSWERS = {"kernel-close-segments": 3, "kernel-third-fin": 1.4, "kernel-loopback-mss": 65495,
           "kernel-wireshark-probe": "Keep-Alive", "kernel-time-wait-ratio": 4}


@pytest.mark.parametrize("key", list(ANSWERS))
def test_exercises(key):
    assert key in exercises()
    assert check(key, ANSWERS[key]).correct
    assert not check(key, None).correct


def test_exercise_answers_match_the_recordings():
    assert len(rt.close_segments(rt.loopback("loopback-three-segment-close"))) == ANSWERS["kernel-close-segments"]
    assert rt.syn_options(rt.loopback())[0][3] == ANSWERS["kernel-loopback-mss"]
    assert check("kernel-wireshark-probe", "tcp keep-alive").correct


# ------------------------------------------------------------------ live (root only)
@needs_kernel
def test_live_kernel_run():
    run = rt.kernel_run("closed-port", live=True)
    assert run.live and run.comparison.agree


@needs_capture
def test_live_zero_window_capture():
    trace = rt.zero_window(live=True)
    assert trace.title.endswith("(live)")
    assert rt.zero_window_probes(trace)
