"""Chapter helper for "Watch your own kernel" (book/kernel.ipynb): real Linux traffic beside the model.

    from tcplab.chapters import realtraffic as rt
    real = rt.loopback("loopback-session")          # the recorded loopback capture (live=True records one)
    rt.side_by_side(real, scenarios.run("four-way-teardown"))
    run = rt.kernel_run("withheld-final-ack")       # a recorded kernel run: .kernel, .model, .comparison
    print(rt.linux_vs_rfc())                        # where Linux differs from the textbook, measured

Everything the chapter shows comes from the recordings shipped in the package
(`tcplab.io.recordings`): loopback captures and kernel runs (tcplab against Linux
in a private namespace).  Passing ``live=True`` records afresh instead (root needed).
"""

from dataclasses import dataclass

from ..analysis.comparison import Comparison, compare_states
from ..analysis.flights import closing_flights
from ..analysis.timing import segment_kind, time_in_state
from ..analysis.wireshark import wireshark_labels, zero_window_probes  # noqa: F401 (the chapter calls them from here)
from ..core.segment import Flags
from ..core.states import State
from ..core.trace import Kind, Trace
from ..io import recordings
from ..live import capture, kernel
from ..sim import scenarios
from .registry import exercise, near

#: The model scenario that matches each recorded loopback capture.
MODEL_FOR = {
    "loopback-session": "four-way-teardown",
    "loopback-three-segment-close": "three-segment-teardown",
    "loopback-server-closes-first": "server-closes-first",
}

#: Linux's constants this chapter measures (include/net/tcp.h).
TCP_TIMEWAIT_LEN = 60.0
TCP_RTO_MIN = 0.2
RFC_MSL = 120.0
RFC_RTO_MIN = 1.0


# ----------------------------------------------------------------- loopback captures
def loopback(name="loopback-session", live=False, directory=None):
    """The loopback capture *name*: the recorded one, or (``live=True``, root) a fresh one."""
    return capture.capture_or_recorded(name, directory=directory, live=live)


def model_for(name):
    """The simulator's trace of the same exchange as the loopback capture *name*."""
    if name not in MODEL_FOR:
        raise ValueError(f"name must be one of {', '.join(MODEL_FOR)}; got {name!r}")
    return scenarios.run(MODEL_FOR[name])


def side_by_side(left, right, titles=(None, None)):
    """The ladder diagrams of *left* and *right*, shown side by side where the page is wide
    enough and one under the other where it is not (a phone): `tcplab.views.figure.Panels`."""
    from ..views import ladder
    from ..views.figure import Panels
    return Panels(*(ladder(trace, title=title) for trace, title in zip((left, right), titles)))


def syn_options(trace):
    """Rows (sender, flags, raw window, MSS, window scale, SACK-permitted, timestamps) for the SYNs of *trace*."""
    rows = []
    for event in trace.filter(Kind.SEND):
        seg = event.segment
        if seg.flags & Flags.SYN:
            o = seg.options
            rows.append((event.host, seg.flags.label(), seg.window, o.mss, o.wscale, o.sack_ok,
                         o.timestamps is not None))
    return rows


def print_syn_options(trace):
    """Print `syn_options` as a table, and the window the scale factors give."""
    print(f"{'sender':7} {'segment':8} {'window':>6} {'MSS':>6} {'wscale':>6} {'SACK':>5} {'TS':>5}")
    for host, flags, window, mss, wscale, sack, ts in syn_options(trace):
        print(f"{host:7} {flags:8} {window:>6} {mss!s:>6} {wscale!s:>6} {sack!s:>5} {ts!s:>5}")


def scaled_windows(trace):
    """[(time, host, raw window field, window in bytes)] for the non-SYN segments of *trace*.

    Window scaling is in use only if both SYNs carried the option (RFC 7323 §2.2); the
    window field of a SYN is never scaled.
    """
    shifts = {}
    for event in trace.filter(Kind.SEND):
        if event.segment.flags & Flags.SYN:
            shifts[event.host] = event.segment.options.wscale
    both = len(shifts) == 2 and all(s is not None for s in shifts.values())
    rows = []
    for event in trace.filter(Kind.SEND):
        seg = event.segment
        if not seg.flags & Flags.SYN:
            shift = shifts[event.host] if both else 0
            rows.append((round(event.time, 3), event.host, seg.window, seg.window << shift))
    return rows


# ----------------------------------------------------------------- the zero-window capture
def zero_window(live=False, directory=None):
    """The zero-window loopback capture as a Trace: recorded, or (``live=True``) captured now."""
    return capture.capture_or_recorded(recordings.ZERO_WINDOW, directory=directory, live=live)


# ----------------------------------------------------------------- kernel runs
@dataclass(frozen=True)
class KernelRun:
    """One kernel scenario: Linux's trace, the model's trace of the same scenario, and their comparison."""

    name: str
    kernel: Trace
    model: Trace
    comparison: Comparison
    live: bool


def kernel_run(name, live=False, directory=None):
    """Kernel scenario *name*: the recorded run, or (``live=True``, root) a fresh one; with the model's run."""
    options = recordings.KERNEL_RUNS[name] if name in recordings.KERNEL_RUNS else None
    if options is None:
        raise ValueError(f"name must be one of {', '.join(recordings.KERNEL_RUNS)}; got {name!r}")
    trace = kernel.run(name, **options) if live else recordings.load_kernel_run(name, directory)
    model = kernel.simulate(name, trace, **options)
    return KernelRun(name, trace, model, compare_states(trace, model), live)


# ----------------------------------------------------------------- measurements
def send_times(trace, host, kind):
    """Times, relative to the first, at which *host* sent a segment of *kind* ("FIN", "SYN,ACK", "SYN")."""
    times = [e.time for e in trace.filter(Kind.SEND, host) if segment_kind(e.segment) == kind]
    return [round(t - times[0], 2) for t in times]


def close_segments(trace):
    """The flags of the segments from the first FIN on (first transmissions only)."""
    return [f"{f.src}: {f.segment.flags.label()}" for f in closing_flights(trace, retransmissions=False)]


def time_wait_seconds(trace, host):
    """How long *host* stays in TIME-WAIT: the kernel run's `ss` reading, or the simulated 2MSL timer."""
    measured = trace.measurements.get("time_wait")
    if measured is not None:
        return measured
    seconds = time_in_state(trace, host, State.TIME_WAIT)
    return None if seconds is None else round(seconds, 1)


@dataclass(frozen=True)
class Row:
    topic: str
    linux: str
    textbook: str
    source: str


def linux_vs_rfc(directory=None):
    """The chapter's table: what the recordings measured on Linux, beside the RFC model, with the source."""
    three = loopback("loopback-three-segment-close", directory=directory)
    withheld = kernel_run("withheld-final-ack", directory=directory)
    closes_first = kernel_run("linux-closes-first", directory=directory)
    synack = kernel_run("unanswered-syn-ack", directory=directory)
    probes = zero_window(directory=directory)
    syn = next(e.segment for e in three.filter(Kind.SEND) if e.segment.flags & Flags.SYN)
    fin_linux = send_times(withheld.kernel, kernel.LINUX, "FIN")[1:]
    fin_model = send_times(withheld.model, "server", "FIN")[1:]
    labels = wireshark_labels(probes)
    probe_label = sorted({labels[e.packet] for e in probes.filter(Kind.SEND, "client")
                          if e.packet in labels and labels[e.packet] != "TCP ZeroWindow"})
    model_tw = time_wait_seconds(scenarios.run("server-closes-first"), "server")
    synack_linux = send_times(synack.kernel, kernel.LINUX, "SYN,ACK")[1:]
    synack_model = send_times(synack.model, "server", "SYN,ACK")[1:1 + len(synack_linux)]
    o = syn.options
    offered = [f"MSS {o.mss}"] + (["SACK-permitted"] if o.sack_ok else []) + \
        (["timestamps"] if o.timestamps else []) + ([f"window scale {o.wscale}"] if o.wscale is not None else [])
    return [
        Row("segments in the close", f"{len(close_segments(three))} (the FIN carries the delayed ACK)",
            "4 (RFC 9293 Figure 12)", "loopback-three-segment-close.pcap"),
        Row("FIN retransmissions from LAST-ACK", _after(fin_linux), _after(fin_model),
            "kernel-withheld-final-ack.json"),
        Row("first retransmission timeout", f"{fin_linux[0]:g} s (TCP_RTO_MIN = 0.2 s)",
            f"{fin_model[0]:g} s (RFC 6298 §2.4: at least 1 s)", "kernel-withheld-final-ack.json"),
        Row("SYN-ACK retransmissions", _after(synack_linux), _after(synack_model) + " (initial RTO 1 s)",
            "kernel-unanswered-syn-ack.json"),
        Row("TIME-WAIT", f"{closes_first.kernel.measurements['time_wait']:g} s (ss; TCP_TIMEWAIT_LEN = 60 s)",
            f"{model_tw:g} s (2 x MSL, RFC 9293 §3.6.1)", "kernel-linux-closes-first.json"),
        Row("MSS on 127.0.0.1", f"{o.mss} (65535 - 40 header bytes)", "536 if none is sent (RFC 9293 §3.7.1)",
            "loopback-three-segment-close.pcap"),
        Row("options in the SYN", ", ".join(offered), "none required",
            "loopback-three-segment-close.pcap"),
        Row("zero-window probe", f"no data, seq = SND.UNA - 1; Wireshark: {', '.join(probe_label)}",
            "1 octet of new data, if any (RFC 9293 §3.8.6.1)", f"{recordings.ZERO_WINDOW}.pcap"),
    ]


def _after(times):
    return ", ".join(f"+{t:g}" for t in times) + " s" if times else "none"


def print_linux_vs_rfc(directory=None):
    rows = linux_vs_rfc(directory)
    widths = [max(len(getattr(r, f)) for r in rows) for f in ("topic", "linux", "textbook")]
    head = ("", "Linux (measured)", "textbook")
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)) + "  from")
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip((r.topic, r.linux, r.textbook), widths)) + f"  {r.source}")


# ----------------------------------------------------------------- exercises
exercise("kernel-close-segments",
         "In the recorded capture 'loopback-three-segment-close', how many segments does the close take, "
         "counting from the client's FIN?",
         expected=3,
         hint="Count the rows of close_segments(loopback('loopback-three-segment-close')).",
         explanation="FIN,ACK from the client, FIN,ACK from the server (its FIN carries the ACK it was "
                     "delaying), and the client's ACK: three, where RFC 9293 Figure 12 draws four.")
exercise("kernel-third-fin",
         "Linux's minimum RTO is 0.2 s and the timer doubles after each timeout. About how many seconds "
         "after its first FIN does Linux send its third retransmission of that FIN, if no ACK ever comes? "
         "(one decimal)",
         predicate=near(1.45, 0.15),
         hint="The gaps are 0.2, 0.4 and 0.8 s (plus a few milliseconds each).",
         explanation="0.2 + 0.4 + 0.8 = 1.4 s; the recorded run shows a little more, because each timeout also "
                     "adds a share of the measured round trip and some timer slack. The RFC 6298 model "
                     "needs 1 + 2 + 4 = 7 s.")
exercise("kernel-loopback-mss",
         "The loopback interface has an MTU of 65536 bytes. What MSS does Linux announce in a SYN to "
         "127.0.0.1?",
         expected=65495,
         hint="MSS = MTU minus the IPv4 header (20) and the TCP header (20)... and the kernel keeps the "
              "largest IP datagram at 65535 bytes.",
         explanation="An IPv4 datagram is at most 65535 bytes (its length field has 16 bits); minus 20 "
                     "bytes of IP and 20 of TCP header leaves 65495.")
exercise("kernel-wireshark-probe",
         "A Linux sender probes a zero window with a segment of no data whose seq is SND.UNA - 1. "
         "What does Wireshark label it? (the text in square brackets, without 'TCP ')",
         predicate=lambda a: isinstance(a, str) and a.strip().lower().removeprefix("tcp ").replace("-", "")
         .replace(" ", "") == "keepalive",
         hint="Which other TCP mechanism sends an empty segment one below the next sequence number?",
         explanation="Keep-Alive: Wireshark's rule for a keep-alive (0 or 1 byte at next seq - 1) matches "
                     "first; its 'ZeroWindowProbe' label needs 1 byte at the next sequence number.")
exercise("kernel-time-wait-ratio",
         "How many times longer is RFC 9293's TIME-WAIT (2 x MSL) than Linux's? (an integer)",
         expected=4,
         hint="MSL is 120 s in RFC 9293 §3.4.2; TCP_TIMEWAIT_LEN is 60 s.",
         explanation="240 s / 60 s = 4.")
