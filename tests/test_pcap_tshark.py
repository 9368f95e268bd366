"""Every scenario's pcap, checked by an independent decoder: tshark (Wireshark).

tshark must decode every frame (no malformed packets), verify every IP and TCP
checksum, find the handshake and teardown segments each scenario has, and flag
retransmissions exactly where tcplab's trace says it retransmitted.  The files
are LINKTYPE_IPV4 (228) with virtual timestamps, so frame times are trace times.
"""

import shutil
import subprocess
from dataclasses import dataclass

import pytest

from tcplab import scenarios, Kind
from tcplab.io.pcap import write_pcap

TSHARK = shutil.which("tshark")
pytestmark = pytest.mark.skipif(TSHARK is None, reason="tshark (Wireshark's command-line decoder) is not installed")

FIELDS = ["frame.number", "frame.time_relative", "frame.protocols", "tcp.srcport",
          "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset",
          "ip.checksum.status", "tcp.checksum.status",
          "tcp.analysis.retransmission", "tcp.analysis.fast_retransmission",
          "tcp.analysis.spurious_retransmission", "_ws.malformed", "_ws.expert.severity"]
GOOD = "1"                      # tshark's checksum status: 0 bad, 1 good, 2 unverified
EXPERT_ERROR = 0x00800000       # PI_ERROR: malformed packets, bad checksums
CLIENT, SERVER = str(scenarios.CLIENT_PORT), str(scenarios.SERVER_PORT)

#: Scenarios without a SYN-ACK, without FINs from both sides, or with a RST.
NO_SYN_ACK = {"syn-timeout", "rst-closed-port"}
NOT_CLOSED = {"handshake", "handshake-options", "lost-syn", "lost-syn-ack", "syn-timeout", "simultaneous-open",
              "old-duplicate-syn", "rst-closed-port", "abort", "lost-final-ack-no-time-wait",
              "half-open", "close-wait-leak", "accept-queue-full", "challenge-ack", "abort-or-close",
              "third-segment-lost"}
WITH_RST = {"rst-closed-port", "abort", "old-duplicate-syn", "lost-final-ack-no-time-wait", "half-open",
            "challenge-ack", "abort-or-close", "stale-segment"}

#: tshark's retransmission heuristic also fires on SYN,ACKs that repeat a sequence number it has seen:
#: in a simultaneous open each SYN,ACK repeats its sender's SYN (RFC 9293 Figure 7), and after an old
#: duplicate SYN is reset the server's fresh SYN,ACK has a new ISN below the old one (Figure 8).
#: Neither is a retransmission; tcplab is right not to flag them.
SYN_ACK_HEURISTIC = {"simultaneous-open", "old-duplicate-syn"}
#: ... and on an old duplicate put on the link by hand: a copy of data sent before, but not a retransmission.
INJECTED_DUPLICATE = {"stale-segment"}
#: In paws-wraparound the new data repeats the sequence numbers of the old duplicate just before it (that is
#: the wraparound); tshark takes the new data for a retransmission.  It is not one.
WRAPPED = {"paws-wraparound"}


@dataclass
class Frame:
    number: int
    time: float
    protocols: str
    sport: str
    syn: bool
    ack: bool
    fin: bool
    rst: bool
    ip_checksum: str
    tcp_checksum: str
    retransmission: bool
    malformed: bool
    severities: list

    @classmethod
    def parse(cls, line):
        v = line.split("\t")
        flag = {"1", "True"}.__contains__
        return cls(int(v[0]), float(v[1]), v[2], v[3], flag(v[4]), flag(v[5]), flag(v[6]), flag(v[7]),
                   v[8], v[9], any(v[10:13]), bool(v[13]), [int(s) for s in v[14].split(",") if s])


def tshark(path, *extra):
    command = [TSHARK, "-n", "-r", str(path), "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
               *extra]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module", params=scenarios.names())
def decoded(request, tmp_path_factory):
    """(name, trace, frames as tshark decoded them) for one scenario."""
    name = request.param
    trace = scenarios.run(name)
    path = tmp_path_factory.mktemp("pcap") / f"{name}.pcap"
    write_pcap(trace, path)
    fields = [arg for field in FIELDS for arg in ("-e", field)]
    output = tshark(path, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", *fields)
    frames = [Frame.parse(line) for line in output.splitlines() if line]
    return name, trace, frames, path


def test_every_frame_decodes_as_ip_and_tcp(decoded):
    name, trace, frames, _ = decoded
    assert len(frames) == len(trace.filter(Kind.SEND))
    for frame in frames:
        assert frame.protocols.startswith("ip:tcp"), (frame.number, frame.protocols)
        assert not frame.malformed, f"frame {frame.number} is malformed"
        assert all(s < EXPERT_ERROR for s in frame.severities), f"frame {frame.number} has an expert error"


def test_checksums_verify(decoded):
    name, _, frames, _ = decoded
    bad = [(f.number, f.ip_checksum, f.tcp_checksum) for f in frames if (f.ip_checksum, f.tcp_checksum) != (GOOD, GOOD)]
    assert bad == [], f"{name}: frames with unverified or bad checksums (frame, ip, tcp): {bad}"


def test_frame_times_are_the_virtual_send_times(decoded):
    _, trace, frames, _ = decoded
    sends = trace.filter(Kind.SEND)
    assert [round(f.time, 6) for f in frames] == [round(e.time - sends[0].time, 6) for e in sends]


def test_the_conversation_has_the_segments_the_scenario_promises(decoded):
    name, _, frames, _ = decoded
    from_client = [f for f in frames if f.sport == CLIENT]
    from_server = [f for f in frames if f.sport == SERVER]
    assert any(f.syn and not f.ack for f in from_client), "no SYN from the client"
    has_syn_ack = any(f.syn and f.ack for f in frames)
    assert has_syn_ack is (name not in NO_SYN_ACK), "SYN-ACK"
    if name not in NO_SYN_ACK | {"simultaneous-open"}:
        first_syn_ack = next(f.number for f in from_server if f.syn and f.ack)
        assert any(f.ack and not f.syn and f.number > first_syn_ack for f in from_client), "no ACK of the SYN-ACK"
    if name not in NOT_CLOSED:
        assert any(f.fin for f in from_client) and any(f.fin for f in from_server), "FIN both ways"
    assert any(f.rst for f in frames) is (name in WITH_RST), "RST"


def test_tshark_flags_retransmissions_exactly_where_tcplab_retransmitted(decoded):
    name, trace, frames, _ = decoded
    ours = {i for i, e in enumerate(trace.filter(Kind.SEND), start=1) if e.retransmission}
    theirs = {f.number for f in frames if f.retransmission}
    if name in SYN_ACK_HEURISTIC:
        extra = theirs - ours
        assert extra and all(frames[n - 1].syn and frames[n - 1].ack for n in extra)
        theirs -= extra
    if name in INJECTED_DUPLICATE:
        sends = trace.filter(Kind.SEND)
        extra = theirs - ours
        assert extra and all(sends[n - 1].detail == scenarios.STALE_DETAIL for n in extra)
        theirs -= extra
    if name in WRAPPED:
        sends = list(trace.filter(Kind.SEND))
        old = next(i for i, e in enumerate(sends, start=1) if e.detail.startswith("old duplicate"))
        extra = theirs - ours
        assert extra and all(n > old and sends[n - 1].segment.seq == sends[old - 1].segment.seq for n in extra)
        theirs -= extra
    assert theirs == ours


def test_only_expected_warnings(decoded):
    name, _, _, path = decoded
    allowed = {"Connection reset (RST)", "TCP window specified by the receiver is now completely full",
               "TCP Zero Window segment"}
    report = tshark(path, "-q", "-z", "expert,warn")
    summaries = {line.split("TCP", 1)[1].strip() for line in report.splitlines()
                 if line.strip()[:1].isdigit() and " TCP " in line}
    assert summaries <= allowed, f"{name}: unexpected tshark warnings {summaries - allowed}"
