"""A kernel run beside a simulator run of the same conversation: where Linux and the RFC model differ.

The states each side passed through, and Linux's numbers beside the model's:
retransmission intervals, TIME-WAIT, SYN options, the segments of the close.
"""

from dataclasses import dataclass, field

from ..core.segment import Flags
from ..core.states import State
from ..core.trace import Kind
from .flights import closing_flights
from .roles import opener
from .timing import retransmission_intervals, time_in_state

TCPLAB, LINUX = "tcplab", "linux"  # the host names of a kernel run


@dataclass(frozen=True)
class Side:
    """One role (client or server): the states its kernel-run host and its simulated host passed through."""

    role: str
    kernel_host: str
    sim_host: str
    kernel_states: tuple
    sim_states: tuple
    agree: bool
    note: str = ""


@dataclass(frozen=True)
class Difference:
    """Where Linux and the RFC model (the simulator) differ: a topic, both values and why."""

    topic: str
    linux: str
    model: str
    note: str = ""


@dataclass(frozen=True)
class Comparison:
    sides: tuple
    differences: tuple = field(default=())

    @property
    def agree(self):
        """True if every side passed through the same states in both runs."""
        return all(side.agree for side in self.sides)

    def table(self):
        """Plain text for the book: the state paths, then the differences."""
        lines = []
        for side in self.sides:
            mark = "agree" if side.agree else "DIFFER"
            lines.append(f"{side.role} ({side.kernel_host} / simulated {side.sim_host}): states {mark}")
            lines.append(f"  kernel:    {' -> '.join(side.kernel_states)}")
            lines.append(f"  simulator: {' -> '.join(side.sim_states)}")
            if side.note:
                lines.append(f"  note: {side.note}")
        if self.differences:
            lines.append("Linux compared with the RFC model:")
            for d in self.differences:
                lines.append(f"  {d.topic}: Linux {d.linux}; model {d.model}" + (f" ({d.note})" if d.note else ""))
        return "\n".join(lines)

    def __str__(self):
        return self.table()


_TIMER_EVENTS = ("timeout=2MSL", "retransmission limit")


def compare_states(kernel_trace, sim_trace, roles=None):
    """Compare the states each side passes through in a kernel run and a simulator run.

    *roles* maps kernel host names to simulator host names; by default the host that
    sent the first SYN is the client in both.  A kernel run that stops while a side
    waits for a timer (TIME-WAIT's 2MSL, a retransmission limit) agrees if the
    simulator's path goes on only by that timer.  `differences` lists where Linux's
    numbers differ from the model: retransmission intervals, TIME-WAIT, SYN options,
    piggybacked FINs.
    """
    roles = roles or _match_roles(kernel_trace, sim_trace)
    sides = tuple(_compare_side(kernel_trace, sim_trace, k, s) for k, s in roles.items())
    differences = []
    for kernel_host, sim_host in roles.items():
        if kernel_host != TCPLAB:
            differences += _differences(kernel_trace, sim_trace, kernel_host, sim_host)
    differences += _teardown_difference(kernel_trace, sim_trace)
    return Comparison(sides, tuple(differences))


def _match_roles(kernel_trace, sim_trace):
    kernel_client, sim_client = _client(kernel_trace), _client(sim_trace)
    return {kernel_client: sim_client,
            kernel_trace.peer_of(kernel_client): sim_trace.peer_of(sim_client)}


def _client(trace):
    return opener(trace) or trace.hosts[0].name


def _path(trace, host):
    """[(state, the transition's label)] without repeats (TIME-WAIT restarting its timer is one state)."""
    changes = trace.state_changes(host)
    path = [(changes[0].before, "")] if changes else [(State.CLOSED, "")]
    for event in changes:
        if event.state is not path[-1][0]:
            path.append((event.state, event.detail))
    return path


def _compare_side(kernel_trace, sim_trace, kernel_host, sim_host):
    kernel, sim = _path(kernel_trace, kernel_host), _path(sim_trace, sim_host)
    kernel_states = tuple(s.value for s, _ in kernel)
    sim_states = tuple(s.value for s, _ in sim)
    role = "client" if kernel_host == _client(kernel_trace) else "server"
    if kernel_states == sim_states:
        return Side(role, kernel_host, sim_host, kernel_states, sim_states, True)
    n = len(kernel_states)
    if sim_states[:n] == kernel_states and sim[n][1].startswith(_TIMER_EVENTS):
        note = (f"the kernel run ended in {kernel_states[-1]}; the model goes on to "
                f"{' -> '.join(sim_states[n:])} only when its timer fires ({sim[n][1]})")
        return Side(role, kernel_host, sim_host, kernel_states, sim_states, True, note)
    return Side(role, kernel_host, sim_host, kernel_states, sim_states, False,
                "the state paths differ")


def _seconds(values):
    return ", ".join(f"{v:g}" for v in values) + " s" if values else "none"


def _differences(kernel_trace, sim_trace, linux, sim_host):
    found = []
    kernel_rtx = retransmission_intervals(kernel_trace, linux)
    sim_rtx = retransmission_intervals(sim_trace, sim_host)
    for kind in sorted(set(kernel_rtx) | set(sim_rtx)):
        found.append(Difference(f"{kind} retransmission intervals", _seconds(kernel_rtx.get(kind, [])),
                                _seconds(sim_rtx.get(kind, [])),
                                "Linux's minimum RTO is 200 ms, RFC 6298's 1 s; both double on each timeout"
                                if kind != "SYN,ACK" else "Linux's SYN-ACK timer starts at 1 s and doubles"))
    time_wait = kernel_trace.measurements.get("time_wait")
    sim_time_wait = time_in_state(sim_trace, sim_host, State.TIME_WAIT)
    if time_wait is not None:
        found.append(Difference("TIME-WAIT", f"{time_wait:g} s", f"{sim_time_wait:g} s" if sim_time_wait else "-",
                                "Linux keeps TIME-WAIT a fixed 60 s; RFC 9293 says 2 x MSL = 240 s"))
    kernel_syn, sim_syn = _first_syn(kernel_trace, linux), _first_syn(sim_trace, sim_host)
    if kernel_syn and sim_syn and (kernel_syn.window, kernel_syn.options) != (sim_syn.window, sim_syn.options):
        found.append(Difference(f"{kernel_syn.flags.label()} window and options",
                                _syn_text(kernel_syn), _syn_text(sim_syn),
                                "Linux answers only the options the SYN offered; its window follows its buffers"))
    return found


def _syn_text(seg):
    return f"win={seg.window}" + (f" <{seg.options}>" if seg.options else "")


def _first_syn(trace, host):
    return next((e.segment for e in trace.filter(Kind.SEND, host) if e.segment.flags & Flags.SYN), None)


def _teardown_difference(kernel_trace, sim_trace):
    """The close takes 4 segments in RFC 9293 Figure 12; Linux's delayed ACK often lets its FIN carry the ACK."""
    kernel_count, sim_count = _teardown_segments(kernel_trace), _teardown_segments(sim_trace)
    if kernel_count is None or (kernel_count == sim_count == 4):
        return []
    return [Difference("segments in the close", str(kernel_count), str(sim_count),
                       "a FIN that carries the delayed ACK of the peer's FIN makes it 3 instead of RFC 9293's 4")]


def _teardown_segments(trace):
    """How many first transmissions there are from the first FIN on (4 for FIN, ACK, FIN, ACK)."""
    flights = [f for f in closing_flights(trace, retransmissions=False) if not f.send.detail.startswith("re-ACK")]
    return len(flights) or None
