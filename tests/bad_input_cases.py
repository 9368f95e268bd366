"""Bad inputs at every public entry point, each with the argument its error message must name.

Shared by `benchmarks/census_inputs.py` (which counts the outcomes) and `tests/test_bad_inputs.py`
(which asserts that every case is clean).  A case is *clean* when it raises a tcplab error
(`TcpError`) or a ValueError/TypeError whose message names the argument; *other* when it raises
anything else or a message that does not name the argument; *hang* when it runs past the
timeout; *accepted* when it returns normally.
"""

import contextlib
import io
import math
import signal
from dataclasses import dataclass
from typing import Callable

from tcplab import Config, Endpoint, Event, Flags, Host, Kind, Options, Segment, Trace
from tcplab.core import errors
from tcplab.io.pcap import write_pcap
from tcplab.io.scapy_convert import to_scapy

NAN, INF = math.nan, math.inf


@dataclass(frozen=True)
class Case:
    id: str
    call: Callable[[], object]
    names: tuple   # the message must contain one of these
    endpoint: bool = False   # an Endpoint call (tcplab/core/endpoint.py), counted apart by the census


CASES = []


def case(id, call, *names, endpoint=False):
    CASES.append(Case(id, call, names, endpoint))


class Hang(BaseException):
    """Raised by the alarm when a case runs past its timeout."""


def _alarm(signum, frame):
    raise Hang()


def classify(c, timeout=10.0):
    """(verdict, detail) for one case: verdict is "clean", "other", "hang" or "accepted"."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        result = c.call()
    except Hang:
        return "hang", f"still running after {timeout:g} s"
    except Exception as error:  # noqa: BLE001 -- classifying every exception is the point
        message = str(error)
        described = f"{type(error).__name__}: {message[:200]}"
        if not isinstance(error, (errors.TcpError, ValueError, TypeError)):
            return "other", described
        if not any(name in message for name in c.names):
            return "other", f"{described}  (does not name {' / '.join(c.names)})"
        return "clean", described
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return "accepted", f"returned {result!r:.120}"


# ------------------------------------------------------------------------- value families
NOT_INT = [None, "x", 1.5, True, NAN, b"1"]
NOT_NUMBER = [None, "x", True, NAN, INF, -INF, b"1", [1]]


def _label(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."


def each(prefix, values, build, *names, endpoint=False):
    for value in values:
        case(f"{prefix}={_label(value)}", (lambda v: lambda: build(v))(value), *names, endpoint=endpoint)


# ------------------------------------------------------------------------- segment.py
def _segment(**fields):
    values = dict(sport=40000, dport=80)
    values.update(fields)
    return Segment(**values)


each("Segment.sport", NOT_INT + [-1, 65536], lambda v: _segment(sport=v), "sport")
each("Segment.dport", NOT_INT + [-1, 65536], lambda v: _segment(dport=v), "dport")
each("Segment.seq", NOT_INT + [-1, 2**32], lambda v: _segment(seq=v), "seq")
each("Segment.ack", NOT_INT + [-1, 2**32], lambda v: _segment(ack=v), "ack")
each("Segment.window", NOT_INT + [-1, 65536], lambda v: _segment(window=v), "window")
each("Segment.flags", [None, 1.5, 256, -1, 999, Flags(256), "XYZ", "SYN,BOGUS", b"S", True],
     lambda v: _segment(flags=v), "flags")
each("Segment.options", ["mss=1460", 5, {"mss": 1}], lambda v: _segment(options=v), "options")
each("Segment.payload", ["text", None, 5, [1, 2], b"x" * 70000], lambda v: _segment(payload=v), "payload")
each("Segment.has", [None, 1.5, 999, "Q"], lambda v: _segment().has(v), "flags")
case("Segment.replace(bogus=1)", lambda: _segment().replace(bogus=1), "bogus")
case("Segment.replace(sport=None)", lambda: _segment().replace(sport=None), "sport")
each("scapy_convert.to_scapy.src_ip", ["client", None, "10.0.0.300", 5], lambda v: to_scapy(_segment(), src_ip=v), "src_ip")
each("scapy_convert.to_scapy.dst_ip", ["server", "::zz"], lambda v: to_scapy(_segment(), dst_ip=v), "dst_ip")
each("Flags.parse", [None, 1.5, 256, -1, "Q", "SYN|NOPE", b"S", [1]], Flags.parse, "flags")
each("Options.mss", NOT_INT[1:] + [0, 65536], lambda v: Options(mss=v), "mss")
each("Options.wscale", NOT_INT[1:] + [-1, 15], lambda v: Options(wscale=v), "wscale")
each("Options.sack_ok", [None, 1, "yes"], lambda v: Options(sack_ok=v), "sack_ok")
each("Options.timestamps", [5, (1,), (1, 2, 3), (1, "x"), (-1, 0), (0, 2**32), [1, 2]],
     lambda v: Options(timestamps=v), "timestamps")

# ------------------------------------------------------------------------- seqspace.py
from tcplab.core import seqspace  # noqa: E402

each("check_seq", NOT_INT + [-1, 2**32], seqspace.check_seq, "seq")
for fname in ("seq_add", "seq_sub", "seq_lt", "seq_le", "seq_gt", "seq_ge", "seq_relative", "seq_max"):
    function = getattr(seqspace, fname)
    each(f"{fname}.a", [None, "x", 1.5, -1, 2**32], (lambda f: lambda v: f(v, 1))(function), "a", "value")
    each(f"{fname}.b", [None, "x"], (lambda f: lambda v: f(1, v))(function), "b", "n", "origin")
each("seq_in_window.value", [None, "x", -1], lambda v: seqspace.seq_in_window(v, 0, 10), "value")
each("seq_in_window.size", [None, "x", -1, 2**32 + 1], lambda v: seqspace.seq_in_window(0, 0, v), "size")

# ------------------------------------------------------------------------- trace.py
_SEG = Segment(40000, 80, 1, 0, Flags.SYN)


def _event(**fields):
    values = dict(time=0.0, host="client", kind=Kind.SEND, segment=_SEG, packet=1)
    values.update(fields)
    return Event(**values)


each("Event.time", NOT_NUMBER + [-1.0], lambda v: _event(time=v), "time")
each("Event.host", [None, "", 5], lambda v: _event(host=v), "host")
each("Event.kind", [None, "bogus", 5], lambda v: _event(kind=v), "kind")
each("Event.segment", ["SYN", 5, b"x"], lambda v: _event(segment=v), "segment")
each("Event.state", ["BOGUS", 5], lambda v: _event(state=v), "state")
each("Event.before", ["BOGUS", 5], lambda v: _event(before=v), "before")
each("Event.detail", [None, 5], lambda v: _event(detail=v), "detail")
each("Event.packet", ["x", 1.5, -1, True], lambda v: _event(packet=v), "packet")
each("Event.retransmission", [None, 1, "yes"], lambda v: _event(retransmission=v), "retransmission")
each("Event.data", ["text", None, 5], lambda v: _event(data=v), "data")
each("Host.name", [None, "", 5], lambda v: Host(v, "10.0.0.1", 80), "name")
each("Host.ip", ["client", "example.com", "localhost", None, 5, "10.0.0.256", ""], lambda v: Host("a", v, 80), "ip")
each("Host.port", NOT_INT + [-1, 65536], lambda v: Host("a", "10.0.0.1", v), "port")

_HOSTS = [Host("client", "10.0.0.1", 40000), Host("server", "10.0.0.2", 80)]
each("Trace.events", [None, 5, ["x"], [_event(host="nobody")]], lambda v: Trace(v, _HOSTS), "events")
case("Trace.events backwards", lambda: Trace([_event(time=1.0), _event(time=0.5, packet=2)], _HOSTS), "events")
each("Trace.hosts", [None, 5, ["client"], [("client", "10.0.0.1", 1)]], lambda v: Trace([], v), "hosts")
case("Trace.hosts duplicate name", lambda: Trace([], [_HOSTS[0], _HOSTS[0]]), "hosts")
each("Trace.title", [None, 5], lambda v: Trace([], _HOSTS, v), "title")
each("Trace.measurements", [5, "x", {"a": b"x"}, {"a": NAN}, {5: 1.0}, {"a": [1]}], lambda v: Trace([], _HOSTS, "", v),
     "measurements")
each("Trace.truncated", [None, 1, "yes"], lambda v: Trace([], _HOSTS, truncated=v), "truncated")


from tcplab.io.tracejson import trace_from_dict, trace_to_dict  # noqa: E402


def _trace_dict(**changes):
    from tcplab import scenarios
    data = trace_to_dict(scenarios.run("handshake"))
    data.update(changes)
    return data


def _event_dict(**changes):
    data = _trace_dict()
    data["events"][0].update(changes)
    return data


def _segment_dict(**changes):
    data = _trace_dict()
    first = next(e for e in data["events"] if "segment" in e)
    first["segment"].update(changes)
    return data


each("trace_from_dict", [None, 5, "x", [], {}], trace_from_dict, "data")
for key in ("events", "hosts", "title"):
    case(f"trace_from_dict missing {key}", (lambda k: lambda: trace_from_dict(
        {x: y for x, y in _trace_dict().items() if x != k}))(key), key)
each("trace_from_dict hosts", [None, 5, [["client"]], [["client", "10.0.0.1", "x"]],
                               [["client", "client.example", 1], ["server", "10.0.0.2", 80]]],
     lambda v: trace_from_dict(_trace_dict(hosts=v)), "hosts", "ip", "port", "name")
each("trace_from_dict events", [None, 5, [None], [{}], [{"time": 0.0}]], lambda v: trace_from_dict(_trace_dict(events=v)),
     "events", "time", "host", "kind")
each("trace_from_dict event.time", [None, "x", NAN, INF, -1.0], lambda v: trace_from_dict(_event_dict(time=v)), "time")
each("trace_from_dict event.kind", [None, "bogus", 5], lambda v: trace_from_dict(_event_dict(kind=v)), "kind")
each("trace_from_dict event.host", [None, "nobody"], lambda v: trace_from_dict(_event_dict(host=v)), "host")
each("trace_from_dict event.state", ["BOGUS", 5], lambda v: trace_from_dict(_event_dict(state=v)), "state")
each("trace_from_dict event.data", ["zz", 5], lambda v: trace_from_dict(_event_dict(data=v)), "data")
each("trace_from_dict event.packet", ["x", -1], lambda v: trace_from_dict(_event_dict(packet=v)), "packet")
each("trace_from_dict segment", [None, 5, {}], lambda v: trace_from_dict(_event_dict(segment=v)),
     "segment", "sport")
each("trace_from_dict segment.sport", ["x", None, -1], lambda v: trace_from_dict(_segment_dict(sport=v)), "sport")
each("trace_from_dict segment.flags", [999, "x", None, -1], lambda v: trace_from_dict(_segment_dict(flags=v)), "flags")
each("trace_from_dict segment.window", [None, 70000], lambda v: trace_from_dict(_segment_dict(window=v)), "window")
each("trace_from_dict segment.payload", ["zz", None, 5], lambda v: trace_from_dict(_segment_dict(payload=v)), "payload")
each("trace_from_dict segment.options", [None, 5, {}, {"mss": "x", "wscale": None, "sack_ok": False, "timestamps": None}],
     lambda v: trace_from_dict(_segment_dict(options=v)), "options", "mss")


def _handshake_trace():
    from tcplab import scenarios
    return scenarios.run("handshake")


each("Trace.host", [None, "nobody", 5], lambda v: _handshake_trace().host(v), "host")
each("Trace.peer_of", [None, "nobody"], lambda v: _handshake_trace().peer_of(v), "name", "host")
each("Trace.filter.kind", ["bogus", 5], lambda v: _handshake_trace().filter(kind=v), "kind")
each("Trace.filter.host", [5, "nobody"], lambda v: _handshake_trace().filter(host=v), "host")
each("Trace.states", [None, "nobody"], lambda v: _handshake_trace().states(v), "host")
each("Trace.state_at.host", [None, "nobody"], lambda v: _handshake_trace().state_at(v, 0), "host")
each("Trace.state_at.index", [None, "x", -1, 10**6], lambda v: _handshake_trace().state_at("client", v), "index")
each("Trace.isn", [None, "nobody"], lambda v: _handshake_trace().isn(v), "host")
each("Trace.table", ["bogus", 5, ["bogus"]], lambda v: _handshake_trace().table(v), "kinds", "kind")
each("pcap.write_pcap.path", [None, 5], lambda v: write_pcap(_handshake_trace(), v), "path")

# ------------------------------------------------------------------------- faults.py
from tcplab.sim import faults  # noqa: E402

each("DropNth.n", NOT_INT + [0, -1], faults.DropNth, "n")
each("DropNth.host", [5, ""], lambda v: faults.DropNth(1, v), "host")
each("DropWhere.predicate", [None, 5, "x"], faults.DropWhere, "predicate")
each("DropWhere.times", NOT_INT + [0], lambda v: faults.DropWhere(faults.is_syn, v), "times")
each("DropWhere.description", [None, 5], lambda v: faults.DropWhere(faults.is_syn, 1, v), "description")
each("Duplicate.n", NOT_INT + [0], faults.Duplicate, "n")
each("Delay.n", NOT_INT + [0], lambda v: faults.Delay(v, 1.0), "n")
each("Delay.extra", NOT_NUMBER + [0, -1.0], lambda v: faults.Delay(1, v), "extra")
each("RandomLoss.rate", NOT_NUMBER + [-0.1, 1.0, 1.5], faults.RandomLoss, "rate")
each("RandomLoss.seed", [None, "x", 1.5], lambda v: faults.RandomLoss(0.1, v), "seed")

# ------------------------------------------------------------------------- apps.py
from tcplab.sim import apps  # noqa: E402

each("Connect.port", ["x", 1.5, True, 0, -1, 65536], apps.Connect, "port")
each("Send.data", ["text", None, 5], apps.Send, "data")
each("SendBytes.n", NOT_INT + [-1, 10**12], apps.SendBytes, "n")
each("Sleep.seconds", NOT_NUMBER + [-1.0], apps.Sleep, "seconds")
each("WaitBytes.n", NOT_INT + [-1], apps.WaitBytes, "n")
each("Read.n", ["x", 1.5, -1, True], apps.Read, "n")
each("pattern", NOT_INT + [-1, 10**12], apps.pattern, "n")
each("App.script", [None, 5, ["Close"], [apps.Close, 5]], lambda v: apps.App(Endpoint(1), v, 80), "script")
each("App.endpoint", [None, "x"], lambda v: apps.App(v, [], 80), "endpoint")
each("App.auto_read", [None, 1, "yes"], lambda v: apps.App(Endpoint(1), [], 80, v), "auto_read")

# ------------------------------------------------------------------------- sim.py
from tcplab.sim.simulator import Simulator  # noqa: E402

each("Simulator.delay", NOT_NUMBER + [0, -0.1], lambda v: Simulator(delay=v), "delay")
each("Simulator.faults", [None, 5, ["drop"], [faults.is_syn]], lambda v: Simulator(faults=v), "faults")
each("Simulator.title", [None, 5], lambda v: Simulator(title=v), "title")


def _add(name="client", endpoint=None, script=(), peer="server", ip=None, auto_read=True):
    sim = Simulator()
    endpoint = Endpoint(40000, name="client") if endpoint is None else endpoint
    return sim.add_host(name, endpoint, script, peer=peer, ip=ip, auto_read=auto_read)


each("add_host.name", [None, "", 5], lambda v: _add(name=v), "name")
case("add_host name differs from endpoint.name", lambda: _add(name="a", endpoint=Endpoint(1, name="b")), "name")
each("add_host.endpoint", ["x", 5, Config()], lambda v: _add(endpoint=v), "endpoint")
each("add_host.script", [5, ["Close"], [None]], lambda v: _add(script=v), "script")
each("add_host.peer", [None, "", 5], lambda v: _add(peer=v), "peer")
each("add_host.ip", ["client", "example.com", 5, "10.0.0.999"], lambda v: _add(ip=v), "ip")
each("add_host.auto_read", [None, 1, "yes"], lambda v: _add(auto_read=v), "auto_read")


def _sim_pair():
    sim = Simulator()
    sim.add_host("client", Endpoint(40000, name="client"), [apps.Connect()], peer="server")
    sim.add_host("server", Endpoint(80, name="server"), [apps.Listen()], peer="client")
    return sim


case("add_host duplicate name", lambda: _sim_pair().add_host("client", Endpoint(1, name="client"), peer="server"),
     "name")
each("inject.time", NOT_NUMBER + [-1.0], lambda v: _sim_pair().inject(v, "client", _SEG), "time")
each("inject.sender", [None, "nobody"], lambda v: _sim_pair().inject(0.0, v, _SEG), "sender")
each("inject.segment", [None, "SYN"], lambda v: _sim_pair().inject(0.0, "client", v), "segment")
each("inject.detail", [None, 5], lambda v: _sim_pair().inject(0.0, "client", _SEG, v), "detail")
each("run.until", NOT_NUMBER[:3] + [NAN, -1.0], lambda v: _sim_pair().run(until=v), "until")
each("run.max_events", NOT_INT + [0, -1], lambda v: _sim_pair().run(max_events=v), "max_events")


def _lonely_run():
    sim = Simulator()
    sim.add_host("client", Endpoint(1, name="client"), peer="nobody")
    return sim.run()


case("run with a peer that does not exist", _lonely_run, "peer")

each("Simulator.received", [None, "nobody"], lambda v: _sim_pair().received(v), "name")

# ------------------------------------------------------------------------- scenarios.py
from tcplab import scenarios  # noqa: E402

each("scenarios.run name", [None, "nope", 5], scenarios.run, "scenario", "name")
each("scenarios.describe", [None, "nope"], scenarios.describe, "scenario", "name")
each("scenarios.options", [None, "nope"], lambda v: scenarios.options(v), "scenario")
case("scenarios.run unknown option", lambda: scenarios.run("handshake", bogus=1), "bogus")
case("scenarios.run unknown option lists allowed", lambda: scenarios.run("data-loss", size=1), "nbytes")
for scen in scenarios.names():
    each(f"{scen} delay", [None, "x", NAN, INF, 0, -1.0, 1e9], (lambda s: lambda v: scenarios.run(s, delay=v))(scen),
         "delay")
    each(f"{scen} seed", ["x", 1.5, None], (lambda s: lambda v: scenarios.run(s, seed=v))(scen), "seed")
for scen in ("data-transfer", "data-loss", "fast-retransmit", "random-loss", "zero-window", "half-close"):
    each(f"{scen} nbytes", ["x", -1, 1.5, None, 10**12], (lambda s: lambda v: scenarios.run(s, nbytes=v))(scen),
         "nbytes")
each("data-loss lose", [0, -1, 100, "x", None], lambda v: scenarios.run("data-loss", lose=v), "lose")
each("fast-retransmit lose", [0, 100, "x"], lambda v: scenarios.run("fast-retransmit", lose=v), "lose")
each("data-loss fast_retransmit", [None, 1, "yes"], lambda v: scenarios.run("data-loss", fast_retransmit=v),
     "fast_retransmit")
case("data-transfer nbytes=10**6 mss=1 (a million segments)",
     lambda: scenarios.run("data-transfer", nbytes=10**6, mss=1), "nbytes")
each("data-transfer mss", [0, -1, "x", 10**6], lambda v: scenarios.run("data-transfer", mss=v), "mss")
each("data-transfer delayed_ack", [0, -1.0, 5.0, "x", NAN], lambda v: scenarios.run("data-transfer", delayed_ack=v),
     "delayed_ack")
each("random-loss rate", [-0.1, 1.0, 5, "x", NAN], lambda v: scenarios.run("random-loss", rate=v), "rate")
each("zero-window buffer", [0, -1, "x", 10**9], lambda v: scenarios.run("zero-window", buffer=v), "buffer")
each("zero-window pause", [-1.0, NAN, INF, "x"], lambda v: scenarios.run("zero-window", pause=v), "pause")
each("syn-timeout syn_retries", [-1, 1000, "x"], lambda v: scenarios.run("syn-timeout", syn_retries=v), "syn_retries")
each("four-way-teardown server_delay", [-1.0, NAN, INF, "x"],
     lambda v: scenarios.run("four-way-teardown", server_delay=v), "server_delay")
each("three-segment-teardown delayed_ack", [0, 1.0, "x"],
     lambda v: scenarios.run("three-segment-teardown", delayed_ack=v), "delayed_ack")
each("lost-final-ack losses", [0, -1, "x", 10**6], lambda v: scenarios.run("lost-final-ack", losses=v), "losses")
each("lost-final-ack-no-time-wait msl", [0, -1.0, NAN, "x"],
     lambda v: scenarios.run("lost-final-ack-no-time-wait", msl=v), "msl")
each("handshake client_config", ["x", 5], lambda v: scenarios.run("handshake", client_config=v), "client_config")
each("handshake server_config", ["x", 5], lambda v: scenarios.run("handshake", server_config=v), "server_config")
each("simultaneous-close delay", [0.2, 0.5], lambda v: scenarios.run("simultaneous-close", delay=v), "delay")
each("conversation.client_script", [5, ["x"]], lambda v: scenarios.conversation(v, [], title="t"), "script")
each("conversation.title", [None, 5], lambda v: scenarios.conversation([], [], title=v), "title")
each("client-in-time-wait until", [None, "x", NAN, -1.0, 1e9], lambda v: scenarios.run("client-in-time-wait", until=v),
     "until")

# ------------------------------------------------------------------------- analysis/
from tcplab import State  # noqa: E402
from tcplab.analysis import flights, invariants, roles, timing  # noqa: E402

for fn in (roles.opener, roles.first_closer, invariants.ack_rule_violations, invariants.count_ack_bits,
           flights.closing_flights):
    each(f"analysis.{fn.__name__}.trace", [None, "x", 5], fn, "trace")
each("analysis.closing_flights.retransmissions", [None, 1, "no"],
     lambda v: flights.closing_flights(_handshake_trace(), v), "retransmissions")
for fn in (flights.bytes_read, timing.resends, timing.retransmission_times, timing.retransmission_intervals):
    each(f"analysis.{fn.__name__}.trace", [None, "x"], (lambda f: lambda v: f(v, "client"))(fn), "trace")
    each(f"analysis.{fn.__name__}.host", [None, "nobody"], (lambda f: lambda v: f(_handshake_trace(), v))(fn),
         "host")
each("analysis.bytes_read.since", [None, "x", NAN], lambda v: flights.bytes_read(_handshake_trace(), "client", v),
     "since")
each("analysis.time_in_state.host", [None, "nobody"],
     lambda v: timing.time_in_state(_handshake_trace(), v, State.TIME_WAIT), "host")
each("analysis.time_in_state.state", [None, "TIME-WAIT", 5],
     lambda v: timing.time_in_state(_handshake_trace(), "client", v), "state")

# ------------------------------------------------------------------------- faq.py
from tcplab.chapters import faq  # noqa: E402

each("faq.ack_report", [None, "x"], faq.ack_report, "segment")
each("faq.segments_without_ack", [None, "x"], faq.segments_without_ack, "trace")
each("faq.lost_final_ack_story", [None, 5], faq.lost_final_ack_story, "trace")
each("faq.port_budget.first", [0, -1, "x", 70000, 1.5], lambda v: faq.port_budget(first=v), "first")
each("faq.port_budget.last", [0, 70000, "x", 100], lambda v: faq.port_budget(first=1000, last=v), "last")
each("faq.port_budget.time_wait", NOT_NUMBER + [0, -1.0], lambda v: faq.port_budget(time_wait=v), "time_wait")
each("faq.time_wait_ports.rate", NOT_INT + [-1, 10**7, 10**9], faq.time_wait_ports, "rate")
each("faq.time_wait_ports.seconds", NOT_INT + [0, 10**9], lambda v: faq.time_wait_ports(10, seconds=v), "seconds")
each("faq.time_wait_ports.ports", NOT_INT + [0, -1], lambda v: faq.time_wait_ports(10, ports=v), "ports")
each("faq.third_segment_lost.client_sends", NOT_INT + [-1, 10**12], faq.third_segment_lost, "client_sends")
each("faq.time_wait_ports.time_wait", NOT_NUMBER + [0, -1.0], lambda v: faq.time_wait_ports(10, time_wait=v),
     "time_wait")
each("faq.endpoint_in_time_wait.delay", NOT_NUMBER + [0, -1.0], faq.endpoint_in_time_wait, "delay")
each("faq.challenge_ack.delay", NOT_NUMBER + [0, -1.0], faq.challenge_ack, "delay")
each("faq.abort_or_close.how", [None, "rst", 5], faq.abort_or_close, "how")
each("faq.abort_or_close.nbytes", [-1, "x", None, 10**12], lambda v: faq.abort_or_close(nbytes=v), "nbytes")
each("faq.abort_or_close.delay", [NAN, INF, 0, "x"], lambda v: faq.abort_or_close(delay=v), "delay")

# ------------------------------------------------------------------------- handshake.py
from tcplab.chapters import handshake  # noqa: E402

each("handshake_segments.client_isn", NOT_INT + [-1, 2**32], handshake.handshake_segments, "client_isn")
each("handshake_segments.server_isn", [None, "x", -1, 2**32], lambda v: handshake.handshake_segments(server_isn=v),
     "server_isn")
each("handshake_segments.client_port", [None, 0, 65536], lambda v: handshake.handshake_segments(client_port=v),
     "client_port")
each("handshake_segments.server_port", [None, 0, 65536], lambda v: handshake.handshake_segments(server_port=v),
     "server_port")
each("handshake_segments.mss", [None, 0, 65536, "x"], lambda v: handshake.handshake_segments(mss=v), "mss")
each("check_handshake", [None, 5], handshake.check_handshake, "trace")
each("retransmission_times.trace", [None], lambda v: handshake.retransmission_times(v, "client"), "trace")
each("retransmission_times.host", [None, "nobody"], lambda v: handshake.retransmission_times(_handshake_trace(), v),
     "host")
each("syn_flood.spoofed_syns", NOT_INT + [-1, 10**12], handshake.syn_flood, "spoofed_syns")
each("syn_flood.syn_backlog", NOT_INT + [-1, 10**12], lambda v: handshake.syn_flood(syn_backlog=v), "syn_backlog")
each("syn_flood.legit_clients", NOT_INT + [-1, 10**9], lambda v: handshake.syn_flood(legit_clients=v), "legit_clients")
each("syn_flood.accept_backlog", [-1, "x", 10**12], lambda v: handshake.syn_flood(accept_backlog=v), "accept_backlog")
each("syn_flood.syn_cookies", [None, 1, "yes"], lambda v: handshake.syn_flood(syn_cookies=v), "syn_cookies")
_TUPLE = ("10.0.0.1", 40000, "10.0.0.2", 80)
each("syn_cookie.secret", [None, b"", "key", 5], lambda v: handshake.syn_cookie(v, _TUPLE, 1460, 0.0), "secret")
each("syn_cookie.four_tuple", [None, 5, ("a",)], lambda v: handshake.syn_cookie(b"k", v, 1460, 0.0), "four_tuple")
each("syn_cookie.mss", [None, "x", -1, 0, NAN], lambda v: handshake.syn_cookie(b"k", _TUPLE, v, 0.0), "mss")
each("syn_cookie.now", [None, "x", NAN, INF, -1.0], lambda v: handshake.syn_cookie(b"k", _TUPLE, 1460, v), "now")
each("check_syn_cookie.ack", [None, "x", -1, 2**32], lambda v: handshake.check_syn_cookie(b"k", _TUPLE, v, 0.0), "ack")
each("check_syn_cookie.now", [None, NAN, INF], lambda v: handshake.check_syn_cookie(b"k", _TUPLE, 1, v), "now")
each("check_syn_cookie.max_age_ticks", [None, -1, "x", 10**12],
     lambda v: handshake.check_syn_cookie(b"k", _TUPLE, 1, 0.0, v), "max_age_ticks")
each("check_syn_cookie.secret", [None, ""], lambda v: handshake.check_syn_cookie(v, _TUPLE, 1, 0.0), "secret")
each("negotiated_options", [None, 5], handshake.negotiated_options, "trace")
each("print_options", [None, 5], handshake.print_options, "trace")
each("opening_state_diagram.current", ["BOGUS", 5], handshake.opening_state_diagram, "current", "state")
each("retransmission_schedule.retries", NOT_INT + [-1, 10**9], handshake.retransmission_schedule, "retries")
each("retransmission_schedule.rto_initial", NOT_NUMBER + [0, -1.0],
     lambda v: handshake.retransmission_schedule(3, rto_initial=v), "rto_initial")
each("retransmission_schedule.rto_max", NOT_NUMBER + [0, 0.5],
     lambda v: handshake.retransmission_schedule(3, rto_max=v), "rto_max")
each("accept_demo.clients", [None, "x", 0, 10**6], handshake.accept_demo, "clients")
each("accept_demo.timeout", [None, "x", NAN, 0, -1.0, INF], lambda v: handshake.accept_demo(1, timeout=v), "timeout")

# ------------------------------------------------------------------------- teardown.py, transfer.py, framing.py
from tcplab.chapters import framing, teardown, transfer  # noqa: E402

each("teardown.first_closer", [None, 5], teardown.first_closer, "trace")
each("teardown.check_teardown", [None, 5], teardown.check_teardown, "trace")
each("teardown.time_wait_hosts", [None, 5], teardown.time_wait_hosts, "trace")
each("teardown.teardown_segments", [None, "x"], teardown.teardown_segments, "trace")
each("teardown.teardown_table.trace", [None], teardown.teardown_table, "trace")
each("teardown.teardown_table.relative", [None, 1, "yes"], lambda v: teardown.teardown_table(_handshake_trace(), v),
     "relative")
each("teardown.stale_segment.time_wait", [None, 1, "yes"], teardown.stale_segment, "time_wait")
each("teardown.stale_segment.delay", [NAN, INF, 0, "x", 10.0], lambda v: teardown.stale_segment(delay=v), "delay")
each("transfer.sequence_table", [None, 5], transfer.sequence_table, "trace")
each("transfer.sequence_table.relative", [None, "yes"], lambda v: transfer.sequence_table(_handshake_trace(), v),
     "relative")
each("transfer.segment_table", [None, 5], transfer.segment_table, "trace")
each("transfer.payload_sizes.host", [None, "nobody"], lambda v: transfer.payload_sizes(_handshake_trace(), v), "host")
each("transfer.transfer_summary.sender", [None, "nobody"],
     lambda v: transfer.transfer_summary(_handshake_trace(), v), "sender")
each("transfer.stream_demo.messages", [None, "abc", [b"a", "b"], 5], transfer.stream_demo, "messages")
each("transfer.stream_demo.bufsize", NOT_INT + [0], lambda v: transfer.stream_demo([b"a"], v), "bufsize")
each("transfer.stream_demo.timeout", [None, "x", NAN, 0, -1.0, INF], lambda v: transfer.stream_demo([b"a"], 4, v),
     "timeout")
each("transfer.framed_demo.bufsize", [0, "x"], lambda v: transfer.framed_demo([b"a"], v), "bufsize")
each("framing.encode.message", ["text", None, 5], framing.encode, "message")
each("framing.encode.max_length", NOT_INT + [-1, 2**32], lambda v: framing.encode(b"x", v), "max_length")
case("framing.encode too long", lambda: framing.encode(b"xx", 1), "message")
each("framing.Decoder.max_length", NOT_INT + [-1], framing.Decoder, "max_length")
each("framing.Decoder.feed", ["text", None, 5], lambda v: framing.Decoder().feed(v), "data")
each("framing.decode_all", ["text", None], framing.decode_all, "stream", "data")
case("framing.decode_all truncated", lambda: framing.decode_all(b"\x00\x00\x00\x05ab"), "truncated")

# ------------------------------------------------------------------------- exercises.py
from tcplab.chapters import exercises, registry  # noqa: E402

each("exercises.check.key", [None, "nope", 5], lambda v: exercises.check(v, 1), "exercise", "key")
each("registry.exercise.key", [None, "", 5], lambda v: registry.exercise(v, "prompt?"), "key")
each("registry.exercise.prompt", [None, "", 5], lambda v: registry.exercise("census-x", v), "prompt")
each("registry.exercise.predicate", ["x", 5], lambda v: registry.exercise("census-y", "p?", predicate=v), "predicate")

# ------------------------------------------------------------------------- puzzles.py
from tcplab.chapters import puzzles  # noqa: E402

each("puzzles.simulated_pcap.name", [None, "no-such-scenario", 5], puzzles.simulated_pcap, "name")

# ------------------------------------------------------------------------- the command line
from tcplab.cli import main as _cli_main  # noqa: E402


class CliError(ValueError):
    """A command that exited non-zero without a traceback; the message is what it printed on stderr."""


def _cli(*argv):
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = _cli_main(list(argv))
        except SystemExit as exit:
            code = exit.code
    if code not in (0, None) and "Traceback" not in err.getvalue():
        raise CliError(err.getvalue().strip())
    return code


case("cli no command", lambda: _cli(), "COMMAND", "command")
case("cli unknown command", lambda: _cli("bogus"), "COMMAND", "command")
case("cli show without NAME", lambda: _cli("show"), "NAME")
case("cli show unknown NAME", lambda: _cli("show", "nope"), "NAME")
case("cli show empty NAME", lambda: _cli("show", ""), "NAME")
case("cli show extra argument", lambda: _cli("show", "handshake", "extra"), "extra")
case("cli pcap without FILE", lambda: _cli("pcap", "handshake"), "FILE")
case("cli pcap FILE is a directory", lambda: _cli("pcap", "handshake", "/tmp"), "FILE")
case("cli pcap FILE in a missing directory", lambda: _cli("pcap", "handshake", "/nonexistent/dir/x.pcap"), "FILE")
case("cli pcap unknown NAME", lambda: _cli("pcap", "nope", "/tmp/x.pcap"), "NAME")
case("cli diagram not svg", lambda: _cli("diagram", "handshake", "/tmp/x.png"), "FILE")
case("cli diagram missing directory", lambda: _cli("diagram", "handshake", "/nonexistent/x.svg"), "FILE")
case("cli diagram unknown NAME", lambda: _cli("diagram", "nope", "/tmp/x.svg"), "NAME")
case("cli list extra argument", lambda: _cli("list", "extra"), "extra")
case("cli unknown flag", lambda: _cli("show", "--bogus", "handshake"), "bogus")

# ------------------------------------------------------------------------- endpoint.py (the lead's)


def _established():
    sim = _sim_pair()
    sim.run()
    return sim.hosts["client"].endpoint


def _ep_call(method, *args):
    endpoint = Endpoint(40000, name="client")
    return getattr(endpoint, method)(*args)


each("Endpoint.local_port", NOT_INT + [0, 65536], Endpoint, "local_port", endpoint=True)
each("Endpoint.config", ["x", 5, {}], lambda v: Endpoint(1, config=v), "config", endpoint=True)
each("Endpoint.name", [None, "", 5], lambda v: Endpoint(1, name=v), "name", endpoint=True)
# The user calls' now=None is their documented default ("no time passed"); receive and handle_timer need one.
for method in ("listen", "close", "abort"):
    each(f"Endpoint.{method}.now", ["x", NAN, INF, -INF, -1.0],
         (lambda m: lambda v: _ep_call(m, v))(method), "now", endpoint=True)
each("Endpoint.connect.remote_port", NOT_INT + [0, 65536], lambda v: _ep_call("connect", v), "remote_port",
     endpoint=True)
each("Endpoint.connect.now", ["x", NAN, INF, -1.0], lambda v: _ep_call("connect", 80, v), "now", endpoint=True)
each("Endpoint.send.data", ["text", None, 5], lambda v: _established().send(v, 10.0), "data", endpoint=True)
each("Endpoint.send.now", ["x", NAN, INF, 0.0], lambda v: _established().send(b"x", v), "now", endpoint=True)
each("Endpoint.read.max_bytes", ["x", 1.5, -1, True], lambda v: _established().read(v, 10.0), "max_bytes",
     endpoint=True)
each("Endpoint.read.now", ["x", NAN, INF, -1.0, 0.0], lambda v: _established().read(None, v), "now",
     endpoint=True)
each("Endpoint.receive.segment", [None, "x", b"\x00" * 20], lambda v: _established().receive(v, 10.0), "segment",
     endpoint=True)
each("Endpoint.receive.now", [None, "x", NAN, INF, -1.0, 0.0],
     lambda v: _established().receive(Segment(80, 40000, 1, 0, Flags.ACK), v), "now", endpoint=True)
each("Endpoint.handle_timer.now", [None, "x", NAN, INF, -1.0, 0.0], lambda v: _established().handle_timer(v), "now",
     endpoint=True)

# ------------------------------------------------------------------------- timestamps and keep-alive
from tcplab import KeepAlive  # noqa: E402
from tcplab.chapters.transfer import bytes_read, paws_story  # noqa: E402

each("Config.ts_offset", [v for v in NOT_INT if v is not None] + [-1, 2**32], lambda v: Config(ts_offset=v), "ts_offset")
each("Config.keepalive", ["x", 5, True, (7200, 75, 9)], lambda v: Config(keepalive=v), "keepalive")
each("KeepAlive.idle", NOT_NUMBER + [0, -1.0, 10**8], lambda v: KeepAlive(idle=v), "idle")
each("KeepAlive.interval", NOT_NUMBER + [0, -1.0, 10**7], lambda v: KeepAlive(interval=v), "interval")
each("KeepAlive.probes", NOT_INT + [0, -1, 256], lambda v: KeepAlive(probes=v), "probes")
each("keepalive peer", [None, "dead", 5], lambda v: scenarios.run("keepalive", peer=v), "peer")
each("keepalive idle", NOT_NUMBER + [0, -1.0], lambda v: scenarios.run("keepalive", idle=v), "idle")
each("keepalive probes", NOT_INT + [0, 256], lambda v: scenarios.run("keepalive", probes=v), "probes")
each("paws-wraparound timestamps", [None, 1, "yes"], lambda v: scenarios.run("paws-wraparound", timestamps=v),
     "timestamps")
each("paws-wraparound gbps", NOT_NUMBER + [0, -1.0, 0.001, 10**4], lambda v: scenarios.run("paws-wraparound", gbps=v),
     "gbps")
each("transfer.bytes_read.trace", [None, "x", 5], lambda v: bytes_read(v, "server"), "trace")
each("transfer.bytes_read.host", [None, "nobody", 5], lambda v: bytes_read(scenarios.run("handshake"), v), "host")
each("transfer.paws_story.trace", [None, "x", 5], paws_story, "trace")
case("transfer.paws_story another scenario", lambda: paws_story(scenarios.run("handshake")), "trace")

# ------------------------------------------------------------------------- views/table.py
def _table(**fields):
    from tcplab.views.table import Table
    values = dict(columns=("a", "b"), rows=[(1, 2)])
    values.update(fields)
    return Table(**values)


each("Table.columns", [[5], [""], None], lambda v: _table(columns=v), "columns")
each("Table.rows", [[(1,)], [(1, 2, 3)]], lambda v: _table(rows=v), "rows")
each("Table.note", [5], lambda v: _table(note=v), "note")
each("event_table.trace", [None, "handshake"], lambda v: __import__("tcplab.views.table").views.table.event_table(v),
     "trace")
each("event_table.kinds", ["bogus", ["bogus"]], lambda v: __import__("tcplab.views.table").views.table.event_table(
    _handshake_trace(), v), "kinds", "kind")
