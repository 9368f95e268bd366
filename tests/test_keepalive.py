"""The keep-alive timer (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6) in Linux's form."""
import pytest

from tcplab import Config, Endpoint, Flags, State
from tcplab.core.config import KeepAlive
from tcplab.core.errors import ConnectionReset, ConnectionTimedOut, InvalidArgument

from .helpers import SPORT, established

LINUX = KeepAlive()  # 7200 s idle, 75 s apart, 9 probes


def test_off_by_default_and_linux_defaults_when_on():
    client, _ = established()
    assert client.get_timer() is None
    assert (LINUX.idle, LINUX.interval, LINUX.probes) == (7200.0, 75.0, 9)


def test_a_silent_peer_gets_nine_probes_75_s_apart_then_the_connection_is_aborted():
    client, _ = established(keepalive=LINUX)
    assert client.get_timer() == pytest.approx(0.2 + 7200)     # ESTABLISHED at 0.2 s
    times, sent = [], []
    while client.state is not State.CLOSED:
        times.append(client.get_timer())
        sent += client.handle_timer(times[-1])
    assert [round(t - 0.2, 6) for t in times] == [7200 + 75 * k for k in range(10)]
    probes, rst = sent[:-1], sent[-1]
    assert all(p.flags == Flags.ACK and not p.payload and p.seq == 1000 for p in probes)  # SND.UNA - 1
    assert len(probes) == 9 and rst.flags == Flags.RST
    assert isinstance(client.error, ConnectionTimedOut)
    with pytest.raises(ConnectionTimedOut):
        client.read()


def test_any_segment_from_the_peer_resets_the_count():
    client, server = established(keepalive=KeepAlive(idle=100, interval=10, probes=3))
    client.handle_timer(100.2)
    (probe,) = client.handle_timer(110.2)
    assert client.tcb_.keepalive_probes == 2
    (answer,) = server.receive(probe, 110.25)
    assert answer.flags == Flags.ACK and answer.ack == 1001
    client.receive(answer, 110.3)
    assert client.tcb_.keepalive_probes == 0 and client.get_timer() == pytest.approx(210.3)


def test_a_crashed_peer_answers_the_probe_with_rst():
    client, _ = established(keepalive=KeepAlive(idle=60, interval=5, probes=3))
    (probe,) = client.handle_timer(60.2)
    rebooted = Endpoint(SPORT, name="server", config=Config(isn=777))
    (rst,) = rebooted.receive(probe, 60.25)
    assert rst.flags == Flags.RST and rst.seq == probe.ack
    client.receive(rst, 60.3)
    assert client.state is State.CLOSED and isinstance(client.error, ConnectionReset)


def test_no_probe_while_data_is_outstanding():
    client, _ = established(keepalive=KeepAlive(idle=1, interval=1, probes=1), max_retries=30, rto_max=1000)
    client.send(b"never acknowledged", 0.5)
    sent = []
    while client.get_timer() < 20:        # the keep-alive timer fires every second, the RTO backs off
        sent += client.handle_timer(client.get_timer())
    assert len(sent) == 4 and all(seg.payload == b"never acknowledged" for seg in sent)
    assert client.state is State.ESTABLISHED


@pytest.mark.parametrize("kwargs, field", [(dict(idle=0), "keepalive.idle"), (dict(interval=-1), "keepalive.interval"),
                                           (dict(probes=0), "keepalive.probes"), (dict(probes=2.5), "keepalive.probes")])
def test_bad_settings_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        KeepAlive(**kwargs)


def test_config_takes_only_a_keepalive_or_none():
    with pytest.raises(InvalidArgument, match="config.keepalive"):
        Config(keepalive=True)


def test_the_recorded_linux_run_probes_and_gives_up_like_the_model():
    """Linux 6.x with TCP_KEEPIDLE 1, TCP_KEEPINTVL 1, TCP_KEEPCNT 3 against a tcplab server that answers nothing."""
    from tcplab import Kind
    from tcplab.chapters import realtraffic
    run = realtraffic.kernel_run("keepalive-silent-peer")
    assert run.comparison.agree, run.comparison.table()
    sent = [e for e in run.kernel.filter(Kind.SEND, "linux") if e.time > 0.5]
    probes, (rst,) = sent[:-1], sent[-1:]
    established_ack = [e.segment for e in run.kernel.filter(Kind.SEND, "linux")][1]
    assert len(probes) == 3 and all(p.segment.seq == established_ack.seq - 1 and not p.segment.payload for p in probes)
    times = [p.time for p in probes] + [rst.time]
    assert all(0.9 <= b - a <= 1.2 for a, b in zip(times, times[1:]))
    assert rst.segment.flags == Flags.RST | Flags.ACK          # Linux's abort RST carries ACK
    assert any(e.detail == "recv() failed: ETIMEDOUT" for e in run.kernel.events)
    model = [e.time for e in run.model.filter(Kind.SEND, "client") if e.time > 0.5]
    assert [round(t - 0.1, 6) for t in model] == [1.0, 2.0, 3.0, 4.0]
