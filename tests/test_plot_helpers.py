"""Hand-built traces for the plot tests (independent of the simulator), and artist look-ups."""

from matplotlib.colors import to_hex

from tcplab import Flags, Options, Segment, State, Event, Host, Kind, Trace

CLIENT = Host("client", "10.0.0.1", 49152)
SERVER = Host("server", "10.0.0.2", 80)
C_ISN, S_ISN = 1000, 5000
DELAY = 0.05


class _Builder:
    """Appends events in time order; ``send`` returns the packet number."""

    def __init__(self):
        self.events, self.packet = [], 0

    def add(self, time, host, kind, **fields):
        self.events.append(Event(time, host, kind, **fields))

    def segment(self, host, seq, ack, flags, payload=b"", window=64240, options=None):
        src, dst = (CLIENT, SERVER) if host == "client" else (SERVER, CLIENT)
        return Segment(src.port, dst.port, seq, ack, Flags.parse(flags), window, options, payload)

    def send(self, time, host, segment, retransmission=False):
        self.packet += 1
        self.add(time, host, Kind.SEND, segment=segment, packet=self.packet, retransmission=retransmission,
                 detail="retransmission" if retransmission else "")
        return self.packet

    def deliver(self, time, host, packet, segment):
        self.add(time, host, Kind.DELIVER, segment=segment, packet=packet)

    def drop(self, time, host, packet, segment):
        self.add(time, host, Kind.DROP, segment=segment, packet=packet)

    def state(self, time, host, before, after, detail=""):
        self.add(time, host, Kind.STATE, state=after, before=before, detail=detail)


def sample_trace():
    """Handshake, 100 bytes lost once and retransmitted, a delayed ACK, four-way teardown, TIME-WAIT.

    10 segments (packets 1..10): packet 4 is dropped, packet 5 retransmits it.
    """
    b, c, s, d = _Builder(), "client", "server", DELAY
    S = State
    b.add(0.0, s, Kind.CALL, detail="listen()")
    b.state(0.0, s, S.CLOSED, S.LISTEN, "passive OPEN")
    b.add(0.0, c, Kind.CALL, detail="connect()")
    b.state(0.0, c, S.CLOSED, S.SYN_SENT, "active OPEN")
    syn = b.segment(c, C_ISN, 0, "S", options=Options(mss=1460, wscale=7, sack_ok=True))
    p = b.send(0.0, c, syn)
    b.deliver(d, s, p, syn)
    b.state(d, s, S.LISTEN, S.SYN_RECEIVED, "rcv SYN")
    synack = b.segment(s, S_ISN, C_ISN + 1, "SA", options=Options(mss=1460, wscale=7, sack_ok=True))
    p = b.send(d, s, synack)
    b.deliver(2 * d, c, p, synack)
    b.state(2 * d, c, S.SYN_SENT, S.ESTABLISHED, "rcv SYN,ACK")
    ack = b.segment(c, C_ISN + 1, S_ISN + 1, "A", window=502)
    p = b.send(2 * d, c, ack)
    b.add(2 * d, c, Kind.CALL, detail="send(100)")
    data = b.segment(c, C_ISN + 1, S_ISN + 1, "PA", payload=b"x" * 100, window=502)
    lost = b.send(2 * d, c, data)
    b.drop(2.6 * d, c, lost, data)
    b.deliver(3 * d, s, p, ack)
    b.state(3 * d, s, S.SYN_RECEIVED, S.ESTABLISHED, "rcv ACK of SYN")
    t = 2 * d + 1.0
    b.add(t, c, Kind.TIMER, detail="RTO")
    p = b.send(t, c, data, retransmission=True)
    b.deliver(t + d, s, p, data)
    b.add(t + d, s, Kind.READ, data=b"x" * 100)
    t2 = t + d + 0.2
    b.add(t2, s, Kind.TIMER, detail="delayed ACK")
    ack2 = b.segment(s, S_ISN + 1, C_ISN + 101, "A", window=502)
    p = b.send(t2, s, ack2)
    b.deliver(t2 + d, c, p, ack2)
    t3 = t2 + d
    b.add(t3, c, Kind.CALL, detail="close()")
    b.state(t3, c, S.ESTABLISHED, S.FIN_WAIT_1, "CLOSE")
    fin = b.segment(c, C_ISN + 101, S_ISN + 1, "FA", window=502)
    p = b.send(t3, c, fin)
    b.deliver(t3 + d, s, p, fin)
    b.state(t3 + d, s, S.ESTABLISHED, S.CLOSE_WAIT, "rcv FIN")
    ack3 = b.segment(s, S_ISN + 1, C_ISN + 102, "A", window=502)
    p = b.send(t3 + d, s, ack3)
    b.deliver(t3 + 2 * d, c, p, ack3)
    b.state(t3 + 2 * d, c, S.FIN_WAIT_1, S.FIN_WAIT_2, "rcv ACK of FIN")
    b.add(t3 + 2 * d, s, Kind.CALL, detail="close()")
    b.state(t3 + 2 * d, s, S.CLOSE_WAIT, S.LAST_ACK, "CLOSE")
    fin2 = b.segment(s, S_ISN + 1, C_ISN + 102, "FA", window=502)
    p = b.send(t3 + 2 * d, s, fin2)
    b.deliver(t3 + 3 * d, c, p, fin2)
    b.state(t3 + 3 * d, c, S.FIN_WAIT_2, S.TIME_WAIT, "rcv FIN")
    ack4 = b.segment(c, C_ISN + 102, S_ISN + 2, "A", window=502)
    p = b.send(t3 + 3 * d, c, ack4)
    b.deliver(t3 + 4 * d, s, p, ack4)
    b.state(t3 + 4 * d, s, S.LAST_ACK, S.CLOSED, "rcv ACK of FIN")
    b.add(t3 + 3 * d + 240.0, c, Kind.TIMER, detail="2MSL")
    b.state(t3 + 3 * d + 240.0, c, S.TIME_WAIT, S.CLOSED, "timeout=2MSL")
    return Trace(b.events, (CLIENT, SERVER), "Handshake, a lost segment, teardown")


def bulk_trace(segments=40, mss=1000, window=8):
    """A handshake then *segments* data segments sent in bursts of *window*, one ACK per two."""
    b, c, s, d = _Builder(), "client", "server", DELAY
    S = State
    b.state(0.0, s, S.CLOSED, S.LISTEN)
    b.state(0.0, c, S.CLOSED, S.SYN_SENT)
    syn = b.segment(c, C_ISN, 0, "S")
    p = b.send(0.0, c, syn)
    b.deliver(d, s, p, syn)
    b.state(d, s, S.LISTEN, S.SYN_RECEIVED)
    synack = b.segment(s, S_ISN, C_ISN + 1, "SA")
    p = b.send(d, s, synack)
    b.deliver(2 * d, c, p, synack)
    b.state(2 * d, c, S.SYN_SENT, S.ESTABLISHED)
    t, sent = 2 * d, 0
    while sent < segments:
        burst = []
        for _ in range(min(window, segments - sent)):
            seg = b.segment(c, C_ISN + 1 + sent * mss, S_ISN + 1, "PA", payload=b"y" * mss, window=502)
            burst.append((b.send(t, c, seg), seg))
            sent += 1
        acks = []
        for k, (packet, seg) in enumerate(burst):
            b.deliver(t + d, s, packet, seg)
            if k % 2 == 1 or k == len(burst) - 1:
                ack = b.segment(s, S_ISN + 1, seg.end_seq, "A", window=64)
                acks.append((b.send(t + d, s, ack), ack))
        for packet, ack in acks:
            b.deliver(t + 2 * d, c, packet, ack)
        t += 2 * d
    return Trace(b.events, (CLIENT, SERVER), f"{segments} segments of bulk data")


def by_gid(fig, prefix):
    """Every artist of *fig* whose gid starts with *prefix*, in drawing order."""
    found = []
    for artist in fig.findobj():
        gid = artist.get_gid()
        if gid and gid.startswith(prefix):
            found.append(artist)
    return found


def one(fig, gid):
    """The one artist whose gid is exactly *gid*."""
    (artist,) = [a for a in fig.findobj() if a.get_gid() == gid]
    return artist


def gids(fig, prefix):
    return [a.get_gid() for a in by_gid(fig, prefix)]


def color_of(artist):
    """The main colour of a line, patch or text, as '#rrggbb'."""
    for getter in ("get_color", "get_edgecolor"):
        if hasattr(artist, getter):
            return to_hex(getattr(artist, getter)())
    raise AssertionError(f"no colour on {artist!r}")


def test_sample_traces_are_consistent():
    trace = sample_trace()
    flights = trace.flights()
    assert len(flights) == 10
    assert [f.packet for f in flights if f.lost] == [4]
    assert [f.packet for f in flights if f.retransmission] == [5]
    assert trace.states("client")[-1] is State.CLOSED
    bulk = bulk_trace(12)
    assert sum(1 for f in bulk.flights() if f.segment.payload) == 12
