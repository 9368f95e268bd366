"""Named kernel scenarios: tcplab's Endpoint against the Linux TCP stack, each returning the `Trace` of one run.

    from tcplab.live import kernel
    kernel.available()                          # (True, "") or (False, why not)
    kernel.names()                              # every kernel scenario, in book order
    trace = kernel.run("withheld-final-ack")    # a Trace with hosts "tcplab" and "linux"
    kernel.simulate("withheld-final-ack")       # the model's Trace of the same conversation
    kernel_trace, sim_trace, comparison = kernel.compare("withheld-final-ack")

The registry has the shape of `tcplab.sim.scenarios` (`names`, `describe`,
`options`, `run`); each kernel scenario also names its model, the simulated
scenario of the same conversation.  A run creates a private network namespace
(`tcplab.live.netns`) whose kernel sockets (`tcplab.live.linuxapps`) talk to
tcplab's endpoint through a TUN device (`tcplab.live.tun`).  Every run is bounded
in time and removes its namespace, also after an error or a SIGTERM; before a run
returns, every thread it started has ended and every socket is closed.
"""

import inspect

from ..analysis.comparison import LINUX, TCPLAB, compare_states
from ..analysis.flights import closing_flights
from ..core.config import Config
from ..core.endpoint import Endpoint
from ..core.errors import InvalidArgument
from ..core.segment import Flags
from ..core.states import State
from ..core.validation import check_choice, check_instance, check_int, check_number, check_options
from ..sim import scenarios
from ..sim.apps import Close, Connect, Listen, Send, Sleep, WaitBytes, WaitEstablished, WaitPeerClose
from ..sim.faults import DropWhere, is_final_ack, is_syn
from . import netns
from .capture import REPLY, REQUEST
from .linuxapps import bound_socket, linux_client, linux_keepalive_client, linux_server, listener, time_wait_from_ss
from .tun import TIME_LIMIT, Driver

CLIENT_PORT, SERVER_PORT = scenarios.CLIENT_PORT, scenarios.SERVER_PORT
CLOSED_PORT = 81
MAX_CLOSE_DELAY = 5.0  # seconds an application may wait before it closes

_REGISTRY = {}


def scenario(name, model):
    """Register a kernel scenario whose model is *model*: the name of the simulated scenario of the same
    conversation, or ``model(kernel_trace, **options)`` returning the simulator's Trace when none is named."""
    def register(function):
        _REGISTRY[name] = function
        function.scenario_name = name
        function.model = model
        return function
    return register


def names():
    """All kernel scenario names, in the order the book meets them."""
    return list(_REGISTRY)


def describe(name):
    """The one-paragraph description of a kernel scenario."""
    return _lookup(name).__doc__.strip().split("\n\n")[0].replace("\n", " ")


def options(name):
    """The keyword options kernel scenario *name* takes, with their defaults."""
    return {p.name: p.default for p in inspect.signature(_lookup(name)).parameters.values()}


def run(name, **given):
    """Run kernel scenario *name* in a fresh namespace and return its Trace; unknown options are refused."""
    check_options(f"kernel scenario {name!r}", given, options(name))
    ok, reason = available()
    if not ok:
        raise RuntimeError(f"kernel scenario {name!r} cannot run here: it {reason}")
    return _lookup(name)(**given)


def simulate(name, kernel_trace=None, **given):
    """The simulator's Trace of the same conversation, with the options the two share (the kernel
    scenario's defaults where not *given*); a model function may choose its variant from *kernel_trace*."""
    model = _lookup(name).model
    if callable(model):
        return model(kernel_trace, **given)
    shared = {**options(name), **given}
    return scenarios.run(model, **{k: v for k, v in shared.items() if k in scenarios.options(model)})


def compare(name, **given):
    """Run *name* against the kernel and in the simulator; returns (kernel_trace, sim_trace, Comparison)."""
    kernel_trace = run(name, **given)
    sim_trace = simulate(name, kernel_trace, **given)
    return kernel_trace, sim_trace, compare_states(kernel_trace, sim_trace)


def _lookup(name):
    if not isinstance(name, str) or name not in _REGISTRY:
        raise InvalidArgument(f"kernel scenario must be one of {', '.join(_REGISTRY)}; got {name!r}")
    return _REGISTRY[name]


def available():
    """(True, "") if kernel runs are possible here, else (False, the reason)."""
    return netns.check()


def tcplab_config(seed=1, **changes):
    """The tcplab endpoint's settings for kernel runs: RFC defaults, but Linux's 200 ms minimum RTO."""
    return Config(seed=seed, rto_min=0.2, **changes)


def session(tcplab_role="client", closer=TCPLAB, close_delay=0.0, faults=(), seed=1, limit=TIME_LIMIT,
            title=None, config=None):
    """tcplab and Linux exchange a request and a reply; *closer* ("tcplab" or "linux") closes first.

    The other side closes *close_delay* seconds after it reads end-of-file (tcplab
    waits at least 0.1 s, like the simulator's scenarios).
    """
    check_choice("tcplab_role", tcplab_role, ("client", "server"))
    check_choice("closer", closer, (TCPLAB, LINUX))
    close_delay = check_number("close_delay", close_delay, 0, MAX_CLOSE_DELAY)
    limit = _check_limit("limit", limit)
    if config is None:
        config = tcplab_config(check_int("seed", seed))
    check_instance("config", config, Config)
    title = title or f"tcplab as {tcplab_role} against Linux; {closer} closes first"
    tcplab_closes = closer == TCPLAB
    with netns.Namespace() as ns:
        if tcplab_role == "client":
            endpoint = Endpoint(CLIENT_PORT, name=TCPLAB, config=config)
            script = [Connect(SERVER_PORT), WaitEstablished(), Send(REQUEST), WaitBytes(len(REPLY))]
            linux_app = linux_server(ns, listener(ns, SERVER_PORT), not tcplab_closes, close_delay)
            linux_port = SERVER_PORT
        else:
            sock = bound_socket(ns, CLIENT_PORT)
            endpoint = Endpoint(SERVER_PORT, name=TCPLAB, config=config)
            script = [Listen(), WaitBytes(len(REQUEST)), Send(REPLY)]
            linux_app = linux_client(ns, sock, SERVER_PORT, not tcplab_closes, close_delay)
            linux_port = CLIENT_PORT
        script += [Close()] if tcplab_closes else [WaitPeerClose(), Sleep(max(0.1, close_delay)), Close()]
        driver = Driver(ns, endpoint, script, linux_port, faults)
        driver.run(linux_app, limit=limit)
        trace = driver.trace(linux_port, title)
        trace.measurements.update(time_wait_from_ss(ns, trace))
    return trace


def _check_limit(name, seconds):
    """A run's length in seconds: more than 0, at most TIME_LIMIT."""
    return check_number(name, seconds, 0, TIME_LIMIT, low_open=True)


# ----------------------------------------------------------------- the scenarios
def _teardown_variant(kernel_trace, closer_host):
    """"three-segment-teardown" if the other side's FIN carried the ACK of *closer_host*'s FIN, else four-way."""
    close = closing_flights(kernel_trace, retransmissions=False)
    fins = [i for i, f in enumerate(close) if f.segment.flags & Flags.FIN]
    if len(fins) >= 2 and close[0].src == closer_host and fins[1] == 1:
        return "three-segment-teardown"
    return "four-way-teardown"


def _model_tcplab_client(kernel_trace, seed=1, **_):
    return scenarios.run(_teardown_variant(kernel_trace, TCPLAB) if kernel_trace else "four-way-teardown",
                         seed=seed)


@scenario("tcplab-client", _model_tcplab_client)
def tcplab_client(close_delay=0.0, seed=1, limit=TIME_LIMIT):
    """tcplab connects to a Linux server, sends a request, reads the reply and closes first.

    The Linux application closes as soon as it reads end-of-file; its FIN usually
    carries the delayed ACK of tcplab's FIN, so the close takes three segments.
    """
    return session("client", TCPLAB, close_delay, seed=seed, limit=limit,
                   title="tcplab client against a Linux server; tcplab closes first")


@scenario("linux-closes-first", "server-closes-first")
def linux_closes_first(seed=1, limit=TIME_LIMIT):
    """tcplab connects to a Linux server, which replies and closes first: Linux ends in TIME-WAIT.

    tcplab closes 0.1 s after it reads end-of-file; `ss` shows how long Linux keeps TIME-WAIT.
    """
    return session("client", LINUX, 0.0, seed=seed, limit=limit,
                   title="tcplab client against a Linux server; Linux closes first")


@scenario("tcplab-server", "four-way-teardown")
def tcplab_server(seed=1, limit=TIME_LIMIT):
    """A Linux client connects to tcplab, sends a request, reads the reply and closes first.

    tcplab (the server) closes 0.1 s after it reads end-of-file.
    """
    return session("server", LINUX, 0.0, seed=seed, limit=limit,
                   title="Linux client against a tcplab server; Linux closes first")


@scenario("withheld-final-ack", "lost-final-ack")
def withheld_final_ack(losses=3, seed=1, limit=TIME_LIMIT):
    """tcplab closes first and withholds its final ACK *losses* times: Linux, in LAST-ACK, retransmits its FIN.

    The retransmissions back off from Linux's 200 ms minimum RTO; the next ACK gets through.
    """
    check_int("losses", losses, 1, 5)  # so the run stays short
    rule = DropWhere(is_final_ack, losses, "withheld by tcplab (final ACK)")
    return session("client", TCPLAB, 0.1, faults=[rule], seed=seed, limit=limit,
                   title=f"tcplab withholds its final ACK {losses}x; Linux retransmits its FIN")


def _never_answers(wire):
    return not is_syn(wire)


def _model_unanswered(kernel_trace, seed=1, **_):
    trace, _ = scenarios.conversation(
        [Connect(), WaitEstablished()], [WaitEstablished()], title="The client never answers the SYN-ACK",
        seed=seed, faults=[DropWhere(lambda w: w.host == "client" and _never_answers(w), 1000,
                                     "the client never answers")])
    return trace


@scenario("unanswered-syn-ack", _model_unanswered)
def unanswered_syn_ack(wait=4.0, seed=1):
    """tcplab sends a SYN and never answers Linux's SYN-ACK: Linux retransmits the SYN-ACK (1 s, then 2 s later …).

    The run stops after *wait* seconds; Linux would go on 5 times (tcp_synack_retries).
    """
    wait = _check_limit("wait", wait)
    config = tcplab_config(check_int("seed", seed))
    with netns.Namespace() as ns:
        listener(ns, SERVER_PORT)
        endpoint = Endpoint(CLIENT_PORT, name=TCPLAB, config=config)
        rule = DropWhere(_never_answers, 1000, "withheld by tcplab (never answers the SYN-ACK)")
        driver = Driver(ns, endpoint, [Connect(SERVER_PORT), WaitEstablished()], SERVER_PORT, [rule])
        driver.run(limit=wait, hold=wait)
        return driver.trace(SERVER_PORT, "tcplab never answers Linux's SYN-ACK")


@scenario("closed-port", "rst-closed-port")
def closed_port(seed=1, limit=3.0):
    """tcplab connects to a port where nothing listens: Linux answers RST,ACK ("connection refused")."""
    limit = _check_limit("limit", limit)
    config = tcplab_config(check_int("seed", seed))
    with netns.Namespace() as ns:
        endpoint = Endpoint(CLIENT_PORT, name=TCPLAB, config=config)
        driver = Driver(ns, endpoint, [Connect(CLOSED_PORT)], CLOSED_PORT)
        driver.run(limit=limit)
        return driver.trace(CLOSED_PORT, "tcplab connects to a closed Linux port")


KEEPALIVE = dict(idle=1, interval=1, probes=3)   # seconds, seconds, probes: a short schedule for a run


def _sim_keepalive(kernel_trace, seed=1, **_):
    return scenarios.run("keepalive", peer="silent", seed=seed, **KEEPALIVE)


def _answers_withheld(wire):
    return wire.state is State.ESTABLISHED


@scenario("keepalive-silent-peer", _sim_keepalive)
def keepalive_silent_peer(seed=1):
    """A Linux client with keep-alive on (1 s idle, 1 s apart, 3 probes) and a tcplab server that answers nothing.

    tcplab completes the handshake, then withholds every segment it sends; Linux probes, gives up,
    sends a RST and its recv() fails with ETIMEDOUT.
    """
    config = tcplab_config(check_int("seed", seed))
    with netns.Namespace() as ns:
        sock = bound_socket(ns, CLIENT_PORT)
        endpoint = Endpoint(SERVER_PORT, name=TCPLAB, config=config)
        rule = DropWhere(_answers_withheld, 1000, "withheld by tcplab (a silent peer)")
        driver = Driver(ns, endpoint, [Listen(), WaitEstablished()], CLIENT_PORT, [rule])
        limit = KEEPALIVE["idle"] + (KEEPALIVE["probes"] + 2) * KEEPALIVE["interval"]
        driver.run(linux_keepalive_client(ns, sock, SERVER_PORT, **KEEPALIVE), limit=limit)
        return driver.trace(CLIENT_PORT, "A Linux client's keep-alive probes, never answered")
