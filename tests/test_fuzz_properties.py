"""The endpoint never hangs and never lies: random conversations and random inputs (issue 8).

The generators and the promises (a to h) live in tests/fuzzing.py, shared with benchmarks/fuzz.py
(`make fuzz`).  Hypothesis drives the generators through `st.randoms()`, so a failure shrinks.
Profiles: "ci" (the default: derandomized, no shrinking; every failure notes its reproduction) and
"fuzz" (more examples, shrinking), chosen with TCPLAB_HYPOTHESIS_PROFILE=fuzz.  A promise an open endpoint defect still breaks is marked
xfail(strict=True, raises=Broken): remove the mark when the defect is fixed (the test then XPASSes).
"""
import os

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from tcplab import Config, Endpoint, Flags, KeepAlive, State
from tcplab.core.seqspace import seq_gt
from tcplab.sim.apps import (
    Close,
    Connect,
    Listen,
    SendBytes,
    WaitEstablished,
    WaitPeerClose,
    pattern,
)

from .fuzzing import (
    PROMISES,
    Broken,
    Conversation,
    PauseReading,
    ResumeReading,
    check_conversation,
    check_inputs,
    drive_to,
    random_conversation,
    random_inputs,
)
from .helpers import established, to

settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True, database=None,
                          phases=[Phase.generate], report_multiple_bugs=False,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=3000, deadline=None, report_multiple_bugs=False,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = settings.get_profile(os.environ.get("TCPLAB_HYPOTHESIS_PROFILE", "ci"))

# Promises that open endpoint defects (issue 8) still break in the CI examples; the reason names the defect.
OPEN_DEFECTS = {}


def promise(letter):
    if letter in OPEN_DEFECTS:
        return pytest.param(letter, marks=pytest.mark.xfail(strict=True, raises=Broken, reason=OPEN_DEFECTS[letter]))
    return letter


@pytest.mark.parametrize("letter", [promise(letter) for letter in PROMISES])
@PROFILE
@given(rng=st.randoms(use_true_random=False))
def test_random_conversations_keep_the_promise(letter, rng):
    conversation = random_conversation(rng)
    note(conversation.repro())
    check_conversation(conversation, letter)


@PROFILE
@given(rng=st.randoms(use_true_random=False))
def test_random_inputs_in_every_state_raise_only_documented_errors(rng):
    inputs = random_inputs(rng)
    note(inputs.repro())
    check_inputs(inputs)


@PROFILE
@given(rng=st.randoms(use_true_random=False), idle=st.sampled_from([0.05, 0.5, 3.0]),
       interval=st.sampled_from([0.05, 0.3, 2.0]), probes=st.integers(1, 4), offsets=st.sampled_from([0, 2**32 - 50]))
def test_timestamps_and_keepalive_on_both_ends_keep_every_promise(rng, idle, interval, probes, offsets):
    """Random conversations again, with timestamps (clocks near 2**32) and keep-alive on both ends:
    PAWS never drops a segment the stream needs, and keep-alive always lets a connection drain."""
    conversation = random_conversation(rng)
    knobs = dict(timestamps=True, ts_offset=offsets, keepalive=KeepAlive(idle=idle, interval=interval, probes=probes))
    conversation.client = conversation.client.replace(**knobs)
    conversation.server = conversation.server.replace(**knobs)
    note(conversation.repro())
    check_conversation(conversation)


@pytest.mark.parametrize("state", [s for s in State if s is not State.CLOSED], ids=str)
def test_the_harness_reaches_every_state_even_with_odd_configs(state):
    for config in (Config(isn=2**32 - 1), Config(isn=0, mss=1, recv_buffer=1, delayed_ack=0.2),
                   Config(isn=7, window_scale=14, recv_buffer=2**30)):
        assert drive_to(state, config).state is state


def test_a_plain_conversation_delivers_everything_and_ends_closed():
    conversation = Conversation(
        client=Config(isn=2**32 - 10), server=Config(isn=5),
        client_script=[Connect(), PauseReading(), WaitEstablished(), SendBytes(5000), ResumeReading(), Close()],
        server_script=[Listen(), WaitEstablished(), SendBytes(3000), WaitPeerClose(), Close()],
        faults=[("DropNth", (4,)), ("Duplicate", (6,)), ("Delay", (7, 0.3))], delay=0.05, injections=[])
    sim = check_conversation(conversation)
    assert sim.received("server") == pattern(5000) and sim.received("client") == pattern(3000)
    assert all(host.endpoint.state is State.CLOSED for host in sim.hosts.values())


def test_the_harness_catches_a_window_overrun(monkeypatch):
    """A sender that believes every window is 65535 bytes must break promise (c)."""
    conversation = Conversation(
        client=Config(), server=Config(recv_buffer=1000),
        client_script=[Connect(), WaitEstablished(), SendBytes(5000), Close()],
        server_script=[Listen(), WaitEstablished(), WaitPeerClose(), Close()],
        faults=[], delay=0.05, injections=[])
    receive = Endpoint.receive

    def believe_a_large_window(self, segment, now):
        return receive(self, segment.replace(window=65535) if self.name == "client" else segment, now)

    monkeypatch.setattr(Endpoint, "receive", believe_a_large_window)
    with pytest.raises(Broken, match=r"\(c\) payload past the peer's right edge"):
        check_conversation(conversation, "c")


# ---------------------------------------------------------------------- found by benchmarks/fuzz.py
def test_no_payload_past_the_right_edge_when_an_ack_comes_on_an_older_segment():
    """Fuzz seeds 8, 17, 74, 954: the peer's segment 5101 arrives before its retransmitted 5001.

    5101 (out of order, acceptable) sets SND.WL1 = 5101 with a 4000-byte window; then 5001 arrives with
    ACK 2461 and window 2540, so the peer's right edge stays at 5001.  RFC 9293's WL1 test refuses
    that window (5001 < WL1) while SND.UNA moves to 2461: SND.UNA + the old 4000 would reach 6461.
    """
    client, _ = established(client_isn=1000, server_isn=5000)
    ack = to(client, seq=5001, ack=1001, flags=Flags.ACK, window=4000)
    client.receive(ack, 1.0)
    client.send(b"a" * 6000, 1.1)
    client.receive(to(client, seq=5101, ack=1001, flags=Flags.ACK, window=4000, payload=b"b" * 100), 1.2)
    sent = client.receive(to(client, seq=5001, ack=2461, flags=Flags.ACK, window=2540, payload=b"c" * 100), 1.3)
    sent += client.handle_timer(client.get_timer()) if client.get_timer() is not None else []
    beyond = [seg for seg in sent if seg.payload and seq_gt(seg.seq + len(seg.payload), 5001)]
    assert not beyond, f"sent past the peer's right edge 5001: {', '.join(map(str, beyond))}"
