"""tcplab.live.kernel: tcplab's Endpoint against the Linux TCP stack in a private namespace."""

import os

import pytest

import tcplab
from tcplab import scenarios, Flags, State, Kind
from tcplab.analysis.comparison import compare_states
from tcplab.cli import main as cli
from tcplab.live import kernel, linuxapps, netns, tun

from .helpers import threads_left_by

ok, reason = kernel.available()
needs_kernel = pytest.mark.skipif(not ok, reason=f"kernel interop {reason}")


def our_namespaces():
    prefix = f"{netns.PREFIX}-{os.getpid()}-"
    return [n for n in os.listdir(netns.NETNS_DIR) if n.startswith(prefix)] if os.path.isdir(netns.NETNS_DIR) else []


def sends(trace, host, flags):
    return [e for e in trace.filter(Kind.SEND, host) if e.segment.flags == Flags.parse(flags)]


@pytest.fixture(scope="module")
def runs():
    """Each kernel scenario once (they take a few seconds together), with its comparison."""
    if not ok:
        pytest.skip(f"kernel interop {reason}")
    results = {}
    for name in kernel.names():
        options = {"wait": 3.5} if name == "unanswered-syn-ack" else {}
        results[name] = kernel.compare(name, **options)
    return results


# ------------------------------------------------------------------ comparisons (no root needed)
def test_identical_runs_agree():
    trace = scenarios.run("four-way-teardown")
    comparison = compare_states(trace, trace)
    assert comparison.agree and not comparison.differences
    assert "states agree" in comparison.table()


def test_different_paths_disagree():
    comparison = compare_states(scenarios.run("server-closes-first"), scenarios.run("four-way-teardown"))
    assert not comparison.agree
    assert "DIFFER" in comparison.table()


def test_a_run_cut_short_in_time_wait_agrees_with_a_note():
    full = scenarios.run("four-way-teardown")
    cut = [e for e in full.events if e.time < 100]  # before 2MSL expires
    from tcplab import Trace
    comparison = compare_states(Trace(cut, full.hosts), full)
    assert comparison.agree
    client = next(s for s in comparison.sides if s.role == "client")
    assert client.kernel_states[-1] == "TIME-WAIT" and "timeout=2MSL" in client.note


def test_unknown_kernel_scenario_names_the_allowed_ones():
    with pytest.raises(ValueError, match="withheld-final-ack"):
        kernel.describe("nope")


def test_every_kernel_scenario_has_a_description_and_a_simulator_twin():
    for name in kernel.names():
        assert kernel.describe(name)
        assert len(kernel.simulate(name)) > 0


def test_the_kernel_registry_has_the_shape_of_the_scenario_registry():
    assert kernel.options("withheld-final-ack") == {"losses": 3, "seed": 1, "limit": 10.0}
    assert kernel.run.__doc__ and kernel.names() and kernel.describe("closed-port") == kernel.closed_port.__doc__.strip()
    with pytest.raises(ValueError, match="kernel scenario must be one of tcplab-client"):
        kernel.options("handshake")


def test_a_named_model_runs_with_the_kernel_scenarios_defaults_and_the_given_options():
    assert kernel.simulate("withheld-final-ack").events == scenarios.run("lost-final-ack", losses=3).events
    assert kernel.simulate("withheld-final-ack", losses=2, limit=5).events == \
        scenarios.run("lost-final-ack", losses=2).events
    assert kernel.simulate("closed-port", seed=7).events == scenarios.run("rst-closed-port", seed=7).events


# ------------------------------------------------------------------ namespaces
@needs_kernel
def test_the_namespace_is_removed_after_an_exception():
    with pytest.raises(RuntimeError, match="boom"):
        with netns.Namespace() as ns:
            name = ns.name
            assert netns.exists(name)
            raise RuntimeError("boom")
    assert not netns.exists(name)


@needs_kernel
def test_a_failing_run_leaves_no_namespace(monkeypatch):
    def explode(self, *args, **kwargs):
        raise RuntimeError("driver failed")
    monkeypatch.setattr(tun.Driver, "run", explode)
    with pytest.raises(RuntimeError, match="driver failed"):
        kernel.run("tcplab-client")
    assert our_namespaces() == []


@needs_kernel
def test_namespace_names_are_unique_and_checked():
    assert netns.unique_name() != netns.unique_name()
    with pytest.raises(ValueError, match="must start with 'tcplab-'"):
        netns.Namespace("other")


# ------------------------------------------------------------------ the scenarios
@needs_kernel
@pytest.mark.parametrize("name", kernel.names())
def test_kernel_and_simulator_pass_through_the_same_states(runs, name):
    kernel_trace, sim_trace, comparison = runs[name]
    assert comparison.agree, comparison.table()
    assert {h.name for h in kernel_trace.hosts} == {"tcplab", "linux"}
    for flight in kernel_trace.flights():
        assert flight.end is not None and flight.end.time == flight.send.time
    assert our_namespaces() == []


@needs_kernel
def test_tcplab_client_exchanges_data_and_closes(runs):
    trace, _, _ = runs["tcplab-client"]
    payload = {host: b"".join(e.segment.payload for e in trace.filter(Kind.SEND, host)) for host in ("tcplab", "linux")}
    assert payload == {"tcplab": linuxapps.REQUEST, "linux": linuxapps.REPLY}
    assert trace.states("tcplab")[-1] is State.TIME_WAIT
    assert trace.states("linux")[-2:] == [State.LAST_ACK, State.CLOSED]
    assert all(e.detail == "inferred from segments" for e in trace.state_changes("linux"))


@needs_kernel
def test_linux_keeps_time_wait_for_60_seconds(runs):
    trace, _, comparison = runs["linux-closes-first"]
    assert trace.states("linux")[-1] is State.TIME_WAIT
    assert 55 <= trace.measurements["time_wait"] <= 61
    assert any(d.topic == "TIME-WAIT" and d.model == "240 s" for d in comparison.differences)


@needs_kernel
def test_tcplab_server_for_a_linux_client(runs):
    trace, _, _ = runs["tcplab-server"]
    assert sends(trace, "linux", "S") and sends(trace, "tcplab", "SA")
    assert trace.states("tcplab")[-2:] == [State.LAST_ACK, State.CLOSED]
    assert trace.states("linux")[-1] is State.TIME_WAIT


@needs_kernel
def test_linux_retransmits_its_fin_from_last_ack_with_backoff(runs):
    trace, sim, comparison = runs["withheld-final-ack"]
    fins = [e for e in trace.filter(Kind.SEND, "linux") if e.segment.flags & Flags.FIN]
    assert len(fins) == 4 and [e.retransmission for e in fins] == [False, True, True, True]
    gaps = [b.time - a.time for a, b in zip(fins, fins[1:])]
    assert 0.15 < gaps[0] < 0.5            # Linux's 200 ms minimum RTO (+ a little)
    assert all(1.3 < b / a < 3.0 for a, b in zip(gaps, gaps[1:]))  # doubling (a loaded machine adds jitter)
    assert len(trace.filter(Kind.DROP)) == 3
    assert trace.states("linux")[-1] is State.CLOSED
    assert any(d.topic == "FIN retransmission intervals" and d.model == "1, 2, 4 s" for d in comparison.differences)


@needs_kernel
def test_linux_retransmits_an_unanswered_syn_ack(runs):
    trace, _, comparison = runs["unanswered-syn-ack"]
    syn_acks = sends(trace, "linux", "SA")
    assert len(syn_acks) == 3
    times = [round(e.time - syn_acks[0].time, 1) for e in syn_acks]
    assert times[1] == pytest.approx(1.0, abs=0.2) and times[2] == pytest.approx(3.0, abs=0.3)
    assert trace.duration() <= 3.5 + 0.5
    assert trace.states("linux")[-1] is State.SYN_RECEIVED


@needs_kernel
def test_a_closed_linux_port_answers_rst(runs):
    trace, _, _ = runs["closed-port"]
    assert sends(trace, "linux", "RA")
    assert trace.filter(Kind.ERROR, "tcplab")[0].detail == "connection refused"
    assert trace.states("linux") == []


@needs_kernel
def test_kernel_main_lists_scenarios(capsys):
    assert cli(["kernel", "--list"]) == 0
    assert "withheld-final-ack" in capsys.readouterr().out


def test_run_explains_why_it_cannot_run(monkeypatch):
    monkeypatch.setattr(kernel, "available", lambda: (False, "needs root"))
    with pytest.raises(RuntimeError, match="cannot run here: it needs root"):
        kernel.run("tcplab-client")


# ------------------------------------------------------------------ every run stops what it started
@needs_kernel
def test_a_run_that_hits_its_time_limit_while_linux_sleeps_leaves_no_thread():
    import time
    began = time.monotonic()
    left, error = threads_left_by(lambda: kernel.run("tcplab-client", close_delay=5.0, limit=0.5))
    assert error is None and left == []
    assert time.monotonic() - began < 4.0  # the Linux application's 5 s sleep was cancelled
    assert our_namespaces() == []


@needs_kernel
def test_a_run_that_fails_while_linux_waits_in_accept_leaves_no_thread(monkeypatch):
    def explode(self, *args):
        raise RuntimeError("driver failed")
    monkeypatch.setattr(tun.Driver, "_receive_one", explode)
    left, error = threads_left_by(lambda: kernel.run("tcplab-client"))
    assert isinstance(error, RuntimeError) and str(error) == "driver failed"
    assert left == [] and our_namespaces() == []


@needs_kernel
def test_a_run_cut_short_while_linux_waits_in_accept_leaves_no_thread(monkeypatch):
    monkeypatch.setattr(tun.Driver, "_step", lambda self: None)  # tcplab never connects
    left, error = threads_left_by(lambda: kernel.run("tcplab-client", limit=0.3))
    assert error is None and left == [] and our_namespaces() == []


@needs_kernel
def test_sigterm_during_a_run_removes_its_namespace():
    import signal
    import subprocess
    import sys
    import time
    child = subprocess.Popen([sys.executable, "-c", "from tcplab.live import kernel; kernel.run('unanswered-syn-ack', "
                              "wait=8.0)"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    prefix = f"{netns.PREFIX}-{child.pid}-"
    try:
        deadline = time.monotonic() + 20
        while not any(n.startswith(prefix) for n in os.listdir(netns.NETNS_DIR)):
            assert child.poll() is None and time.monotonic() < deadline, "the run never made its namespace"
            time.sleep(0.05)
        time.sleep(0.3)  # well inside the run
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=15)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 128 + signal.SIGTERM, err
    leftover = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=10).stdout
    assert prefix not in leftover


@needs_kernel
def test_the_sigterm_handler_is_restored_after_a_run():
    import signal
    before = signal.getsignal(signal.SIGTERM)
    kernel.run("closed-port")
    assert signal.getsignal(signal.SIGTERM) is before


@needs_kernel
def test_sigterm_in_a_namespace_raises_terminated_after_the_cleanup():
    import signal
    with pytest.raises(netns.Terminated) as raised:
        with netns.Namespace() as ns:
            name = ns.name
            os.kill(os.getpid(), signal.SIGTERM)
            pytest.fail("SIGTERM did not interrupt the block")
    assert raised.value.code == 128 + signal.SIGTERM
    assert not netns.exists(name)


# ------------------------------------------------------------------ arguments and the command line
@pytest.mark.parametrize("name, options, message", [
    ("tcplab-client", dict(limit=-1), "limit must be a finite number > 0 and <= 10.0"),
    ("tcplab-client", dict(limit=float("nan")), "limit must be a finite number"),
    ("tcplab-client", dict(limit=float("inf")), "limit must be a finite number"),
    ("tcplab-client", dict(close_delay=-1), "close_delay must be a finite number >= 0"),
    ("tcplab-client", dict(seed="x"), "seed must be an integer"),
    ("tcplab-client", dict(wait=1), r"unknown option\(s\) wait; allowed: close_delay, limit, seed"),
    ("withheld-final-ack", dict(losses=0), r"losses must be an integer in 1..5"),
    ("unanswered-syn-ack", dict(wait=0), "wait must be a finite number > 0"),
    ("closed-port", dict(limit=11), "limit must be a finite number > 0 and <= 10.0"),
])
def test_kernel_run_checks_every_argument(monkeypatch, name, options, message):
    monkeypatch.setattr(kernel, "available", lambda: (True, ""))
    monkeypatch.setattr(netns, "check", lambda: pytest.fail("a bad argument got as far as making a namespace"))
    with pytest.raises(ValueError, match=message):
        kernel.run(name, **options)


def test_clean_without_root_says_it_cannot_and_exits_non_zero(monkeypatch, capsys):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert cli(["kernel", "--clean"]) != 0
    out, err = capsys.readouterr()
    assert out == "" and err == "error: cannot remove stale namespaces: removing network namespaces needs root\n"


def test_clean_as_an_unprivileged_user_exits_non_zero():
    import shutil
    import subprocess
    import sys
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("dropping to user nobody needs root and setpriv")
    source = os.path.dirname(os.path.dirname(tcplab.__file__))  # the checkout that holds the package
    result = subprocess.run([setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable,
                             "-c", "import sys; from tcplab.cli import main; sys.exit(main(['kernel', '--clean']))"],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": source},
                            cwd="/")
    assert result.returncode == 1, result.stderr
    assert "needs root" in result.stderr and "Traceback" not in result.stderr


@needs_kernel
def test_clean_as_root_removes_a_namespace_left_by_a_dead_process():
    import subprocess
    import sys
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          timeout=30)
    name = f"{netns.PREFIX}-{int(dead.stdout)}-1"
    subprocess.run(["ip", "netns", "add", name], check=True, timeout=10)
    try:
        assert name in netns.remove_stale()
        assert not netns.exists(name)
    finally:
        if netns.exists(name):
            subprocess.run(["ip", "netns", "del", name], timeout=10)
