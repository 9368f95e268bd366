"""Helpers for the FAQ pages.

- ACK versus ack: `ack_report`, `segments_without_ack`, `check_ack_rule_everywhere`.
- The lost final ACK: `lost_final_ack_story`.
- Why three, why four, TIME-WAIT and RST: `rst_reasons`, `ack_rule_table`, `port_budget`,
  `time_wait_ports`, `challenge_ack`, `abort_or_close`.
- The FAQ pages' exercises (registered with `tcplab.chapters.exercises`), among them a
  put-in-order or a pcap-reading one per page (`four_way_cards`, `lost_final_ack_cards`) and
  why-three's predict-then-run (`third_segment_lost`, `established_at`).
"""

from collections import deque
from dataclasses import dataclass

from ..analysis.flights import bytes_read
from ..analysis.invariants import AckBitCount, ack_rule_violations, count_ack_bits
from ..core.errors import InvalidArgument
from ..core.segment import Flags, Segment
from ..core.states import State
from ..core.trace import Kind, Trace
from ..core.validation import check_instance, check_int, check_number
from ..sim import scenarios
from .puzzles import is_in_order
from .registry import exercise, near, whole_number


def ack_report(segment):
    """The ACK control bit beside the 32-bit acknowledgment number, and whether the number means anything."""
    check_instance("segment", segment, Segment)
    bit = bool(segment.flags & Flags.ACK)
    return {"ACK bit": int(bit), "acknowledgment number": segment.ack,
            "meaningful": bit,
            "reading": (f"'I have received everything before byte {segment.ack}; send that one next'"
                        if bit else "the ACK bit is 0, so the acknowledgment number is ignored")}


segments_without_ack = ack_rule_violations


def check_ack_rule_everywhere():
    """Run every named scenario and count segments and violations of 'everything after the SYN carries ACK'."""
    return {row.scenario: (row.segments, row.violations) for row in ack_rule_table()}


def lost_final_ack_story(trace):
    """The lost-final-ack trace told as numbered sentences, with times and states."""
    check_instance("trace", trace, Trace)
    lines = []
    for e in trace.events:
        seg = e.segment
        if e.kind is Kind.DROP:
            lines.append(f"{e.time:7.3f} s  the link loses {seg} on its way to the {e.host}")
        elif e.kind is Kind.SEND and seg.flags & Flags.FIN and e.retransmission:
            lines.append(f"{e.time:7.3f} s  the {e.host} has heard nothing in {e.state}: its RTO fires and it "
                         f"retransmits its FIN")
        elif e.kind is Kind.SEND and e.detail.startswith("re-ACK"):
            lines.append(f"{e.time:7.3f} s  the {e.host}, still in TIME-WAIT, ACKs the FIN again")
        elif e.kind is Kind.SEND and seg.flags & Flags.RST:
            lines.append(f"{e.time:7.3f} s  the {e.host} has no connection any more and answers RST")
        elif e.kind is Kind.STATE and e.before is State.TIME_WAIT and e.state is State.TIME_WAIT:
            lines.append(f"{e.time:7.3f} s  the {e.host} restarts its 2MSL timer")
        elif e.kind is Kind.STATE and e.state in (State.TIME_WAIT, State.LAST_ACK, State.CLOSED):
            lines.append(f"{e.time:7.3f} s  the {e.host} enters {e.state}")
    return lines


RST_REASONS = (
    ("a segment arrives for a port where nothing listens", "rst-closed-port"),
    ("an application aborts a connection (or closes with unread data, or SO_LINGER 0)", "abort"),
    ("a SYN-SENT endpoint receives an ACK for something it never sent (an old duplicate)", "old-duplicate-syn"),
    ("a retransmitted FIN reaches a host that kept no TIME-WAIT state", "lost-final-ack-no-time-wait"),
)


def rst_reasons():
    """(when a RST is sent, the scenario that shows it, the RST segment in that scenario)."""
    rows = []
    for reason, name in RST_REASONS:
        trace = scenarios.run(name)
        rst = next(f.segment for f in trace.flights() if f.segment.flags & Flags.RST)
        rows.append((reason, name, rst))
    return rows


# --- ACK versus ack: the rule over every scenario, with the exceptions counted ----------------
@dataclass(frozen=True)
class AckRuleRow(AckBitCount):
    scenario: str


def ack_rule_table():
    """For every scenario, how its segments split by the ACK bit; `violations` must be 0 everywhere."""
    return [AckRuleRow(**vars(count_ack_bits(scenarios.run(name))), scenario=name) for name in scenarios.names()]


# --- TIME-WAIT and ephemeral ports -------------------------------------------------------------
LINUX_EPHEMERAL = (32768, 60999)   # net.ipv4.ip_local_port_range default
LINUX_TIME_WAIT = 60.0             # TCP_TIMEWAIT_LEN
MAX_CONNECTIONS = 1_000_000        # time_wait_ports models each one: about a second of work


def port_budget(first=LINUX_EPHEMERAL[0], last=LINUX_EPHEMERAL[1], time_wait=LINUX_TIME_WAIT):
    """(ports in the range, the sustained rate of new connections per second to ONE server ip:port
    from ONE client ip before every port is held by a TIME-WAIT socket)."""
    check_int("first", first, 1, 65535)
    check_int("last", last, first, 65535)
    check_number("time_wait", time_wait, 0, low_open=True)
    ports = last - first + 1
    return ports, ports / time_wait


def time_wait_ports(rate, seconds=120, ports=LINUX_EPHEMERAL[1] - LINUX_EPHEMERAL[0] + 1,
                    time_wait=LINUX_TIME_WAIT):
    """A client opens *rate* short connections per second to one server ip:port and closes each one
    first, so each leaves a TIME-WAIT socket holding its local port for *time_wait* seconds.

    Returns ``(connections made, connections that found no free port, most ports in TIME-WAIT at once)``.
    The model steps through every connection, so ``rate * seconds`` is at most MAX_CONNECTIONS.
    """
    check_int("rate", rate, 0, MAX_CONNECTIONS)
    check_int("seconds", seconds, 1, MAX_CONNECTIONS)
    if rate * seconds > MAX_CONNECTIONS:
        raise InvalidArgument(f"rate * seconds must be at most {MAX_CONNECTIONS:,} connections, "
                              f"got rate={rate} * seconds={seconds}")
    check_int("ports", ports, 1, 65535)
    check_number("time_wait", time_wait, 0, low_open=True)
    held = deque()          # release times of ports in TIME-WAIT, in order
    made = failed = peak = 0
    for tick in range(seconds * rate):
        now = tick / rate
        while held and held[0] <= now:
            held.popleft()
        if len(held) >= ports:
            failed += 1
            continue
        made += 1
        held.append(now + time_wait)
        peak = max(peak, len(held))
    return made, failed, peak


def endpoint_in_time_wait(delay=0.05):
    """The client Endpoint of scenario "client-in-time-wait" paused 1 s in (in TIME-WAIT), and the Trace so far."""
    sim = scenarios.time_wait_simulation(delay)
    return sim.hosts["client"].endpoint, sim.run(until=1.0)


# --- RST: challenge ACK and abort --------------------------------------------------------------
def challenge_ack(delay=0.05):
    """Scenario "challenge-ack": three forged RSTs reach an ESTABLISHED server. Returns the Trace."""
    return scenarios.run("challenge-ack", delay=delay)


def abort_or_close(how="abort", nbytes=3000, delay=0.05):
    """Scenario "abort-or-close": returns ``(trace, bytes the server read)``."""
    trace = scenarios.run("abort-or-close", how=how, nbytes=nbytes, delay=delay)
    return trace, bytes_read(trace, "server")


# --- exercises --------------------------------------------------------------------------------
exercise("ack-vs-ack-1",
         "The client's ISN is 1000 and it has sent 500 bytes of data after the handshake, all received. "
         "What acknowledgment number does the server's next segment carry?",
         expected=1501,
         hint="The SYN used sequence number 1000; the data occupies 1001..1500.",
         explanation="ack = the next sequence number the server expects: ISN + 1 (SYN) + 500 = 1501.")
exercise("lost-final-ack-1",
         "In scenarios.run('lost-final-ack', losses=2), at what time (in seconds) does the server send its "
         "second retransmission of the FIN?",
         expected=3.35,
         predicate=near(3.35, 0.005),
         hint="The first FIN leaves at 0.35 s; the RTO starts at 1 s and doubles after each timeout.",
         explanation="0.35 + 1 = 1.35 s for the first retransmission, + 2 = 3.35 s for the second (RFC 6298 §5.5).")
exercise("why-three-1",
         "In the scenario 'old-duplicate-syn', which control flag does the client send to stop the server "
         "from completing a connection with the old ISN?",
         expected="RST",
         hint="The client sees a SYN-ACK acknowledging a sequence number it never sent.",
         explanation="The client answers the SYN-ACK for the old SYN with a RST (RFC 9293 §3.10.7.3, Figure 8); "
                     "the server goes back to LISTEN.")
exercise("why-four-1",
         "How many segments does the teardown take when the server's FIN is piggybacked on its ACK of the "
         "client's FIN?",
         expected=3,
         hint="Count FIN, FIN+ACK, ACK.",
         explanation="FIN → FIN,ACK (ACK and FIN in one segment) → ACK: three segments, as in 'three-segment-teardown'.")
exercise("time-wait-1",
         "A client tuned with net.ipv4.ip_local_port_range = 10000 65535 and Linux's 60 s TIME-WAIT closes "
         "every connection first. About how many new connections per second can it sustain to one server ip:port?",
         expected=925.6,
         predicate=near(55536 / 60, 1),
         hint="Count the ports (both ends included) and divide by the TIME-WAIT length.",
         explanation="55,536 ports / 60 s ≈ 925.6 connections per second (faq.port_budget(10000, 65535)).")
exercise("rst-1",
         "A RST arrives at an ESTABLISHED connection with seq = RCV.NXT + 100, inside the receive window. "
         "What does an endpoint that implements RFC 5961's protection (optional in RFC 9293 §3.10.7.4; "
         "Linux and tcplab do) send back? (name the segment)",
         expected="challenge ACK",
         predicate=lambda a: isinstance(a, str) and "ACK" in a.upper() and "RST" not in a.upper(),
         hint="With RFC 5961's protection (optional in RFC 9293 §3.10.7.4), only an exact match with RCV.NXT resets.",
         explanation="A challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; the connection stays up. Only a RST "
                     "whose seq is exactly RCV.NXT resets it.")


# --- connections that hang: half-open, keep-alive, CLOSE-WAIT, accept queue ------------------
def learned_reset_at(trace, host="client"):
    """When *host* learned that its connection was reset (its "connection reset" error), or None."""
    return next((round(e.time, 6) for e in trace.filter(Kind.ERROR, host) if "reset" in e.detail), None)


def final_states(trace):
    """{host: the state each host is left in when the trace ends}."""
    return {h.name: trace.states(h.name)[-1] for h in trace.hosts}


exercise("stuck-1",
         "In scenarios.run('half-open', send_at=5.0), at what time does the client learn that the connection is gone?",
         predicate=near(5.1, 1e-6),
         hint="The client's data leaves at send_at; how long until the server's RST is back?",
         explanation="5.1 s: the data reaches the crashed server at 5.05 s, its RST is back 0.05 s later. "
                     "Until the client sends, nothing tells it (no keep-alive).")
exercise("stuck-2",
         "In the scenario 'close-wait-leak', which state is the server left in?",
         expected="CLOSE-WAIT", hint="It has received the client's FIN but never called close().",
         explanation="CLOSE-WAIT, for as long as the application keeps the socket; the client waits in FIN-WAIT-2.")


# --- predict, then run: each uses the scenario-building API, and the book's solution shows the run ---
exercise("ack-vs-ack-predict",
         "Predict, then run: in scenarios.run('data-transfer', nbytes=3000), what acknowledgment number "
         "(counted from the client's ISN, as the diagrams show it) does the server's ACK of the last data byte carry?",
         expected=3001,
         hint="The SYN takes number 0 and the bytes take 1..3000; an ACK names the next number expected.",
         explanation="3001 = 1 (the SYN) + 3000 bytes.  The server's next ACK, of the client's FIN, carries 3002.")
exercise("why-four-predict",
         "Predict, then run: scenarios.run('three-segment-teardown') closes in three segments.  How many "
         "segments does it take from the first FIN on with delayed_ack=None?",
         expected=4,
         hint="Without a delayed ACK the server ACKs the client's FIN at once, before its application closes.",
         explanation="Four: FIN, ACK, FIN, ACK.  Only a delayed ACK lets the server's FIN carry the ACK.")
exercise("time-wait-predict",
         "Predict, then run: scenarios.run('lost-final-ack-no-time-wait') shortens TIME-WAIT to 0.2 s.  What "
         "does the client send when the server's retransmitted FIN arrives? (name the segment)",
         expected="RST",
         hint="By then the client has deleted its TCB: the segment arrives at a CLOSED port (§3.10.7.1).",
         explanation="A RST: with no TCB the FIN is answered like any segment for a closed port, and the "
                     "server leaves LAST-ACK on that RST instead of on the ACK.")
exercise("rst-predict",
         "Predict, then run: in scenarios.run('abort'), which state is the server in once the client's RST arrives?",
         expected="CLOSED",
         hint="A RST that passes the checks deletes the connection at once; nothing is acknowledged.",
         explanation="CLOSED: the RFC signals \"connection reset\" (§3.10.7.4, second check); Linux "
                     "reports ECONNRESET, 'connection reset by peer'.")


# --- put it in order, read a pcap: one per page -------------------------------------------------
def four_way_cards():
    """The segments of "four-way-teardown", shuffled, for the why-four ordering exercise."""
    from . import puzzles
    return puzzles.shuffled(scenarios.run("four-way-teardown"), seed=2)


def lost_final_ack_cards():
    """The segments of "lost-final-ack", shuffled, for the ordering exercise."""
    from . import puzzles
    return puzzles.shuffled(scenarios.run("lost-final-ack"), seed=2)


def _flag_count(packets, flag, present=True):
    """How many *packets* have TCP *flag* ("A", "S", "F" …) set (clear, with present=False)."""
    from scapy.all import TCP
    return sum(1 for p in packets if bool(getattr(p[TCP].flags, flag)) == present)


def _recorded(name):
    from .puzzles import tcp_packets
    return tcp_packets(name)


def _simulated(name):
    from scapy.all import TCP, rdpcap

    from .puzzles import simulated_pcap
    return [p for p in rdpcap(str(simulated_pcap(name))) if TCP in p]


def _first_fin_port(name):
    from scapy.all import TCP
    return next(p[TCP].sport for p in _recorded(name) if p[TCP].flags.F)


def _closed_port_rst_ack():
    from scapy.all import TCP
    return next(p[TCP].ack for p in _simulated("rst-closed-port") if p[TCP].flags.R)


exercise("ack-vs-ack-pcap",
         "Read the recorded loopback-three-segment-close.pcap with scapy: how many of its segments have the "
         "ACK bit clear?",
         predicate=lambda answer: whole_number(answer, _flag_count(_recorded("loopback-three-segment-close"), "A",
                                                                  present=False)),
         hint="Read each packet's ACK bit, p[TCP].flags.A; which segment can have nothing to acknowledge yet?",
         explanation="One: the client's first SYN.  Every later segment, the SYN-ACK included, carries the ACK bit.")
exercise("why-three-pcap",
         "Read the recorded loopback-session.pcap with scapy: how many of its segments carry the SYN flag?",
         predicate=lambda answer: whole_number(answer, _flag_count(_recorded("loopback-session"), "S")),
         hint="Read each packet's SYN bit, p[TCP].flags.S.  Each side has an ISN to announce.",
         explanation="Two, one per direction: the client's SYN and the server's SYN-ACK.  The server's SYN rides "
                     "on its ACK of the client's SYN, so two SYNs and two ACKs take three segments.")
exercise("why-four-order",
         "Put the shuffled segments of 'four-way-teardown' in the order they were sent (a string of letters).",
         predicate=lambda answer: is_in_order(four_way_cards(), answer),
         hint="Handshake first.  The server ACKs the client's FIN at once; its own FIN waits for its application.",
         explanation="SYN, SYN-ACK, ACK, then FIN (client), ACK (server), FIN (server), ACK (client).")
exercise("lost-final-ack-order",
         "Put the shuffled segments of 'lost-final-ack' in the order they were sent (a string of letters).",
         predicate=lambda answer: is_in_order(lost_final_ack_cards(), answer),
         hint="After the handshake and the close, the client's last ACK is lost: who sends what next?",
         explanation="SYN, SYN-ACK, ACK; FIN, ACK, FIN; the client's ACK (lost); the server's retransmitted FIN; "
                     "the client's ACK again, from TIME-WAIT.")
exercise("time-wait-pcap",
         "Read the recorded loopback-server-closes-first.pcap with scapy: which TCP port sends the first FIN?",
         predicate=lambda answer: whole_number(answer, _first_fin_port("loopback-server-closes-first")),
         hint="Find the first packet whose TCP flags include F and read its source port; compare it with the SYN's "
              "destination port.",
         explanation="The server's port, the SYN's destination: the server closes first, so the server's socket is "
                     "the one that waits in TIME-WAIT.")
exercise("rst-pcap",
         "tcplab writes the simulated 'rst-closed-port' conversation as a pcap.  Read it with scapy: what "
         "acknowledgment number (absolute) does the RST carry?",
         predicate=lambda answer: whole_number(answer, _closed_port_rst_ack()),
         hint="The SYN had no ACK bit, so RFC 9293 §3.10.7.1 answers <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; "
              "a SYN counts in SEG.LEN.",
         explanation="The SYN's sequence number + 1, so that the client accepts the RST; its own seq is 0.")
exercise("stuck-pcap",
         "tcplab writes the simulated 'close-wait-leak' conversation as a pcap.  Read it with scapy: how many "
         "segments carry the FIN flag?",
         predicate=lambda answer: whole_number(answer, _flag_count(_simulated("close-wait-leak"), "F")),
         hint="Read each packet's FIN bit, p[TCP].flags.F.  Which application never calls close()?",
         explanation="One, the client's: the server ACKs it and stays in CLOSE-WAIT, because its application never "
                     "calls close(), so its FIN is never sent.")


def third_segment_lost(client_sends=100):
    """The registered scenario "third-segment-lost": the client's ACK is lost, then it sends *client_sends* bytes."""
    return scenarios.run("third-segment-lost", client_sends=client_sends)


def established_at(trace, host="server"):
    """When *host* entered ESTABLISHED, or None."""
    return next((round(e.time, 6) for e in trace.filter(Kind.STATE, host) if e.state is State.ESTABLISHED), None)


exercise("why-three-predict",
         "Predict, then run: the handshake's third segment, the client's ACK, is lost, and the client sends "
         "100 bytes right after it.  At what time (in seconds) does the server enter ESTABLISHED?",
         predicate=lambda answer: near(established_at(third_segment_lost()), 1e-6)(answer),
         hint="The data segment carries the ACK bit and the same acknowledgment number as the lost ACK.",
         explanation="At 0.15 s, as if nothing were lost: the data segment's ACK acknowledges the server's SYN, so "
                     "it completes the handshake (RFC 9293 §3.10.7.4, SYN-RECEIVED, fifth check).  With nothing to "
                     "send, the client would wait for the server's retransmitted SYN-ACK and ACK it again: "
                     "ESTABLISHED at 1.15 s.")
