"""tcplab.kernel: tcplab's Endpoint against the Linux TCP stack in a private namespace."""

import os

import pytest

from tcplab import kernel, netns, scenarios
from tcplab.segment import Flags
from tcplab.states import State
from tcplab.trace import Kind

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
    comparison = kernel.compare_states(trace, trace)
    assert comparison.agree and not comparison.differences
    assert "states agree" in comparison.table()


def test_different_paths_disagree():
    comparison = kernel.compare_states(scenarios.run("server-closes-first"), scenarios.run("four-way-teardown"))
    assert not comparison.agree
    assert "DIFFER" in comparison.table()


def test_a_run_cut_short_in_time_wait_agrees_with_a_note():
    full = scenarios.run("four-way-teardown")
    cut = [e for e in full.events if e.time < 100]  # before 2MSL expires
    from tcplab.trace import Trace
    comparison = kernel.compare_states(Trace(cut, full.hosts), full)
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
    monkeypatch.setattr(kernel.Driver, "run", explode)
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
    assert payload == {"tcplab": kernel.REQUEST, "linux": kernel.REPLY}
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
    assert all(1.5 < b / a < 2.6 for a, b in zip(gaps, gaps[1:]))  # doubling
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
    assert kernel.main(["--list"]) == 0
    assert "withheld-final-ack" in capsys.readouterr().out


def test_run_explains_why_it_cannot_run(monkeypatch):
    monkeypatch.setattr(kernel, "available", lambda: (False, "needs root"))
    with pytest.raises(RuntimeError, match="cannot run here: it needs root"):
        kernel.run("tcplab-client")
