"""The Timestamps option (RFC 7323): negotiation, the timestamp clock, TS.Recent and PAWS."""
import shutil
import subprocess

import pytest

from tcplab import Config, Endpoint, Flags, Options, State
from tcplab.core.errors import ConnectionReset, InvalidArgument
from tcplab.core.timestamps import ts_clock

from .helpers import CPORT, SPORT, established, to


def test_both_syns_carry_the_option_then_every_segment_does():
    client, server = (Endpoint(CPORT, name="client", config=Config(isn=1000, timestamps=True, ts_offset=100)),
                      Endpoint(SPORT, name="server", config=Config(isn=5000, timestamps=True, ts_offset=9000)))
    server.listen(0.0)
    (syn,) = client.connect(SPORT, 0.0)
    assert syn.options.timestamps == (100, 0)            # TSecr is zero without the ACK bit (§3.2)
    (syn_ack,) = server.receive(syn, 0.05)
    assert syn_ack.options.timestamps == (9050, 100)     # TSval ticks once a millisecond; TSecr echoes the SYN
    (ack,) = client.receive(syn_ack, 0.1)
    assert ack.options == Options(timestamps=(200, 9050))
    assert client.negotiated["timestamps"] and server.negotiated["timestamps"]
    server.receive(ack, 0.15)
    (data,) = client.send(b"x", 0.2)
    assert data.options.timestamps == (300, 9050)


def test_one_sided_offer_is_not_used():
    client, server = established(timestamps=False)
    assert not client.negotiated["timestamps"]
    lone = Endpoint(CPORT, name="client", config=Config(isn=1, timestamps=True))
    peer = Endpoint(SPORT, name="server", config=Config(isn=2))
    peer.listen()
    (syn_ack,) = peer.receive(lone.connect(SPORT)[0], 0.1)
    assert syn_ack.options.timestamps is None
    (ack,) = lone.receive(syn_ack, 0.2)
    assert ack.options.timestamps is None and not lone.negotiated["timestamps"]


def test_the_clock_offset_is_drawn_from_the_seed_per_connection():
    def first_tsval(seed):
        return Endpoint(CPORT, name="client", config=Config(seed=seed, timestamps=True)).connect(SPORT)[0] \
            .options.timestamps[0]
    assert first_tsval(1) == first_tsval(1) != first_tsval(2)
    assert ts_clock(2**32 - 1, 0.002) == 1        # modulo 2**32


@pytest.mark.parametrize("field, value", [("ts_offset", -1), ("ts_offset", 2**32), ("ts_offset", 1.5),
                                          ("timestamps", 1)])
def test_bad_settings_name_the_field(field, value):
    with pytest.raises(InvalidArgument, match=field):
        Config(**{field: value})


def _stamped(ep, seq, tsval, flags=Flags.ACK, payload=b""):
    return to(ep, seq=seq, ack=ep.snd_nxt, flags=flags, payload=payload, options=Options(timestamps=(tsval, 0)))


def _timestamped_pair():
    return established(timestamps=True, ts_offset=0)


def test_paws_drops_an_old_duplicate_in_the_window_and_acks_it():
    client, server = _timestamped_pair()
    assert server.tcb_.ts_recent == 200           # the client's ACK of the SYN-ACK, sent at 0.2 s
    server.receive(_stamped(server, 1001, 1000, payload=b"new!"), 1.0)
    (ack,) = server.receive(_stamped(server, 1005, 400, payload=b"old!"), 1.1)
    assert ack.flags == Flags.ACK and ack.ack == 1005     # dropped: RCV.NXT did not move
    assert server.read() == b"new!" and server.tcb_.ts_recent == 1000


def test_without_timestamps_the_same_segment_is_taken_as_new_data():
    client, server = established()
    server.receive(to(server, seq=1001, ack=client.snd_nxt, flags=Flags.ACK, payload=b"new!"), 1.0)
    server.receive(to(server, seq=1005, ack=client.snd_nxt, flags=Flags.ACK, payload=b"old!"), 1.1)
    assert server.read() == b"new!old!"


def test_a_rst_is_exempt_from_paws():
    client, server = _timestamped_pair()
    server.receive(_stamped(server, 1001, 1000, payload=b"new!"), 1.0)
    assert server.receive(_stamped(server, 1005, 400, flags=Flags.RST), 1.1) == []
    assert server.state is State.CLOSED and isinstance(server.error, ConnectionReset)


def test_ts_recent_follows_last_ack_sent_with_delayed_acks():
    """§4.3: with a delayed ACK, the ACK echoes the earliest unacknowledged segment's TSval."""
    client, server = established(timestamps=True, ts_offset=0, delayed_ack=0.2)
    assert server.receive(_stamped(server, 1001, 1000, payload=b"a" * 10), 1.0) == []
    (ack,) = server.receive(_stamped(server, 1011, 1010, payload=b"b" * 10), 1.01)
    assert ack.ack == 1021 and ack.options.timestamps == (1010, 1000)


def test_a_newer_segment_at_the_left_edge_updates_ts_recent():
    client, server = _timestamped_pair()
    server.receive(_stamped(server, 1001, 1000, payload=b"abc"), 1.0)
    server.receive(_stamped(server, 1004, 1500), 1.5)
    assert server.tcb_.ts_recent == 1500


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark (Wireshark's command-line decoder) is not installed")
def test_the_pcap_carries_each_segments_timestamps(tmp_path):
    from tcplab import Kind, scenarios
    from tcplab.io.pcap import write_pcap
    trace = scenarios.run("paws-wraparound")
    write_pcap(trace, tmp_path / "paws.pcap")
    out = subprocess.run(["tshark", "-n", "-r", str(tmp_path / "paws.pcap"), "-T", "fields",
                          "-e", "tcp.options.timestamp.tsval", "-e", "tcp.options.timestamp.tsecr"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    decoded = [tuple(map(int, line.split("\t"))) for line in out.splitlines()]
    assert decoded == [e.segment.options.timestamps for e in trace.filter(Kind.SEND)]
