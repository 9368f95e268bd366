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

from tcplab.apps import (
    Close,
    Connect,
    Listen,
    SendBytes,
    WaitEstablished,
    WaitPeerClose,
    pattern,
)
from tcplab.config import Config
from tcplab.endpoint import Endpoint
from tcplab.states import State

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

settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True, database=None,
                          phases=[Phase.generate], report_multiple_bugs=False,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=3000, deadline=None, report_multiple_bugs=False,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = settings.get_profile(os.environ.get("TCPLAB_HYPOTHESIS_PROFILE", "ci"))

# Promises that open endpoint defects (issue 8) still break; the reason names the defect.
OPEN_DEFECTS = {
    "a": "endpoint defect: stuck in CLOSING with data unsent (and its peer in FIN-WAIT-2); "
         "recv_buffer < 2**window_scale advertises a zero window for ever",
    "c": "endpoint defect: window scaled on a SYN,ACK after simultaneous open; usable window counted from "
         "SND.UNA when the SND.WL1/WL2 test refused the segment's window (sends past SND.WL2 + SND.WND)",
}


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
