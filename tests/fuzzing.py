"""The adversarial harness: random conversations, random raw inputs, and the promises they must keep.

Two generators take any `random.Random` (a seeded one in benchmarks/fuzz.py, Hypothesis's
shrinkable `st.randoms()` in tests/test_fuzz_properties.py):

- `random_conversation(rng)` -> `Conversation`: two endpoints with random `Config` knobs and
  ISNs (often near 2**32), application scripts with every open and close order, aborts, late
  and partial reads (zero windows), on a link with random loss, duplication, reordering and
  injected raw control segments.
- `random_inputs(rng)` -> `Inputs`: an endpoint driven to some state, then random user calls,
  timers and raw segments.

`check_conversation` / `check_inputs` play one and raise `Broken(promise, detail)` at the first
promise broken; `repro()` of either is Python that rebuilds the case for a regression test.
The promises (letters as in issue 8):

a. it drains by itself: both ends CLOSED with no timer, never longer than `stall_limit()` virtual
   seconds without progress;
b. on a normal close every byte is delivered once and in order (and always: what was delivered
   is a prefix of what was sent);
c. no payload past the right edge the peer advertised (SYN windows unscaled), nor above its MSS;
d. the FIN's sequence number never changes;
e. the ACK number a side sends never goes backwards;
f. never more than `segment_limit()` segments sent without progress (progress: new data or FIN
   acknowledged or received, a state change, an application step or read);
g. SND.UNA =< SND.NXT after every event;
h. random inputs in every state raise only tcplab's documented errors (`TcpError`).
"""

import dataclasses
import math
from dataclasses import dataclass

from tcplab import Config, Endpoint, Flags, KeepAlive, Options, Segment, State, TcpError
from tcplab.core.seqspace import MODULUS, seq_add, seq_ge, seq_gt, seq_le
from tcplab.sim import faults as faults_module
from tcplab.sim.apps import (
    Abort,
    App,
    Close,
    Connect,
    Listen,
    Read,
    Send,
    SendBytes,
    Sleep,
    ScriptStep,
    WaitEstablished,
    WaitPeerClose,
    pattern,
)
from tcplab.sim.faults import Delay, DropNth, DropWhere, Duplicate, RandomLoss
from tcplab.sim.simulator import Simulator

CLIENT_PORT, SERVER_PORT = 40000, 80
CONFIG_FIELDS = {f.name for f in dataclasses.fields(Config)}
PREDICATES = ("is_syn", "is_syn_ack", "is_fin", "is_data", "is_final_ack")


PROMISES = "abcdefgh"


class Broken(AssertionError):
    """A promise broken: *promise* is its letter (see the module docstring)."""

    def __init__(self, promise, detail):
        super().__init__(f"({promise}) {detail}")
        self.promise, self.detail = promise, detail


class _Stop(Exception):
    """A conversation hangs or loops, but its promise is not being checked: stop playing it."""


# ---------------------------------------------------------------------- application steps
@dataclass
class PauseReading(ScriptStep):
    """Stop reading what arrives (the receive buffer fills and the window closes)."""

    def perform(self, app, now):
        app.auto_read = False
        return True


@dataclass
class ResumeReading(ScriptStep):
    """Read everything that has arrived, and from now on everything that arrives."""

    def perform(self, app, now):
        app.auto_read = True
        app.read(now)
        return True


class TolerantApp(App):
    """An App that records a documented error raised by a step and goes on with the next step."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.errors = []

    def advance(self, now):
        while True:
            try:
                return super().advance(now)
            except TcpError as error:
                self.errors.append(f"{self.script[self.position]}: {type(error).__name__}: {error}")
                self.position += 1


# ---------------------------------------------------------------------- conversations
@dataclass
class Conversation:
    """Everything that decides one simulated conversation."""

    client: Config
    server: Config
    client_script: list
    server_script: list
    faults: list          # (rule name, args) pairs, see `build_rule`
    delay: float
    injections: list      # (time, sender, Segment) put on the link as if sender sent them

    @property
    def hostile(self):
        """Aborts, injected segments or a refused connection: delivery of every byte is not promised."""
        steps = self.client_script + self.server_script
        return bool(self.injections) or any(isinstance(s, Abort) for s in steps) \
            or not any(isinstance(s, (Listen, Connect)) for s in self.server_script)

    def sent_by(self, name):
        script = self.client_script if name == "client" else self.server_script
        out = bytearray()
        for step in script:
            if isinstance(step, SendBytes):
                out += pattern(step.n)
            elif isinstance(step, Send):
                out += step.data
        return bytes(out)

    def repro(self):
        """Python that rebuilds this conversation (paste into a regression test)."""
        def script(steps):
            return "[" + ", ".join(_step_repr(s) for s in steps) + "]"
        rules = ", ".join(f"{name}({', '.join(map(repr, args))})" for name, args in self.faults)
        injections = ", ".join(f"({t!r}, {sender!r}, {_segment_repr(seg)})" for t, sender, seg in self.injections)
        return (f"Conversation(\n    client={_config_repr(self.client)},\n    server={_config_repr(self.server)},\n"
                f"    client_script={script(self.client_script)},\n"
                f"    server_script={script(self.server_script)},\n"
                f"    faults=[{', '.join(repr(f) for f in self.faults)}],  # {rules or 'none'}\n"
                f"    delay={self.delay!r},\n    injections=[{injections}])")


def build_rule(name, args):
    if name == "DropWhere":
        predicate, times = args
        return DropWhere(getattr(faults_module, predicate), times, description=f"drop {predicate}")
    return {"DropNth": DropNth, "Duplicate": Duplicate, "Delay": Delay, "RandomLoss": RandomLoss}[name](*args)


def _step_repr(step):
    return repr(step).replace("(port=None)", "()").replace("(n=None)", "()")


def _config_repr(config):
    default = Config()
    changed = [f"{f}={getattr(config, f)!r}" for f in sorted(CONFIG_FIELDS)
               if getattr(config, f) != getattr(default, f)]
    return f"Config({', '.join(changed)})"


def _segment_repr(seg):
    options = "" if seg.options == Options() else f", options={seg.options!r}"
    payload = f", payload={seg.payload!r}" if seg.payload else ""
    return (f"Segment({seg.sport}, {seg.dport}, {seg.seq}, {seg.ack}, Flags({int(seg.flags)}), {seg.window}"
            f"{options}{payload})")


def random_config(rng):
    """A valid Config with random knobs (invalid combinations are redrawn with fewer knobs)."""
    mss = rng.choice([536, 1460, rng.randint(1, 1460), rng.randint(20, 300)])
    knobs = {
        "seed": rng.randrange(2**16),
        "isn": rng.choice([rng.randrange(MODULUS), MODULUS - rng.randint(1, 4000), MODULUS - 1, 0]),
        "mss": mss,
        "recv_buffer": rng.choice([65535, rng.randint(1, 65535), rng.randint(mss, 4 * mss), rng.randint(1, 3000)]),
        "delayed_ack": rng.choice([None, None, 0.04, 0.2, round(rng.uniform(0.001, 0.49), 3)]),
        "fast_retransmit": rng.random() < 0.7,
        "window_scale": rng.choice([None, None, 0, rng.randint(0, 14), 7]),
        "sack_permitted": rng.random() < 0.3,
        "timestamps": rng.random() < 0.4,
        "ts_offset": rng.choice([None, rng.randrange(MODULUS), MODULUS - rng.randint(1, 2000)]),
        "keepalive": rng.choice([None, None, KeepAlive(idle=rng.choice([0.5, 2.0, round(rng.uniform(0.05, 30), 2)]),
                                                       interval=rng.choice([0.2, 1.0, round(rng.uniform(0.05, 5), 2)]),
                                                       probes=rng.randint(1, 5))]),
        "msl": rng.choice([120.0, 30.0, 1.0, round(rng.uniform(0.05, 5), 2)]),
        "max_retries": rng.choice([15, 15, rng.randint(0, 8)]),
        "syn_retries": rng.choice([6, 6, rng.randint(0, 4)]),
        "persist_initial": rng.choice([1.0, 0.2, 3.0]),
    }
    if rng.random() < 0.3:
        knobs.update(rto_initial=1.0, rto_min=rng.choice([0.2, 1.0]), rto_max=rng.choice([2.0, 60.0, 120.0]))
    if knobs["window_scale"] is not None and rng.random() < 0.5:
        knobs["recv_buffer"] = rng.choice([rng.randint(65536, 2**20), rng.randint(1, 65535)])
    if "nodelay" in CONFIG_FIELDS:
        knobs["nodelay"] = rng.random() < 0.5
    # Config rejects combinations that cannot work: give up knobs, in this order, until it accepts.
    for simpler in ({}, {"window_scale": None, "recv_buffer": min(knobs["recv_buffer"], 65535)},
                    {"persist_initial": 1.0}, {"rto_initial": 1.0, "rto_min": 1.0, "rto_max": 60.0},
                    {"recv_buffer": 65535, "mss": 1460}):
        knobs.update(simpler)
        try:
            return Config(**knobs)
        except ValueError:
            continue
    return Config(seed=knobs["seed"], isn=knobs["isn"])


def _send_steps(rng, budget):
    """Up to three sends (one byte at times, to exercise Nagle) with short sleeps between them."""
    steps = []
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        n = rng.choice([1, rng.randint(0, budget), budget])
        steps.append(SendBytes(n) if n != 1 else Send(b"x"))
        if rng.random() < 0.3:
            steps.append(Sleep(round(rng.uniform(0.01, 1.5), 3)))
    return steps


def _late_reads(rng):
    """Pause reading, then read little by little: zero windows, probes and window updates."""
    steps = [Sleep(round(rng.uniform(0.1, 6), 2))]
    for _ in range(rng.randint(0, 3)):
        steps += [Read(rng.choice([1, rng.randint(1, 2000)])), Sleep(round(rng.uniform(0.05, 3), 2))]
    return steps + [ResumeReading()]


def random_conversation(rng):
    """Draw one conversation from *rng* (any random.Random)."""
    client, server = random_config(rng), random_config(rng)
    opening = rng.choice(["active", "active", "active", "simultaneous", "refused"])
    closing = rng.choice(["client first", "server first", "simultaneous", "after sleeps", "client aborts",
                          "server aborts", "server keeps sending"])
    budget = {name: max(1, min(40_000, 40 * min(peer.mss, peer.recv_buffer, 1460)))
              for name, peer in (("client", server), ("server", client))}
    scripts = {}
    for name in ("client", "server"):
        opener = Connect() if name == "client" or opening == "simultaneous" else Listen()
        script = [opener]
        late = rng.random() < 0.3
        if late:
            script.append(PauseReading())
        script.append(WaitEstablished())
        script += _send_steps(rng, budget[name])
        if late:
            script += _late_reads(rng)
        scripts[name] = script
    if opening == "refused":
        scripts["server"] = []
    first, second = ("server", "client") if closing.startswith("server") else ("client", "server")
    if closing in ("client first", "server first"):
        scripts[first].append(Close())
        scripts[second] += [WaitPeerClose(), Close()]
    elif closing == "server keeps sending":
        scripts["client"].append(Close())
        scripts["server"] += [WaitPeerClose()] + _send_steps(rng, budget["server"]) + [Close()]
    elif closing == "simultaneous":
        scripts["client"].append(Close())
        scripts["server"].append(Close())
    elif closing == "after sleeps":
        for name in scripts:
            scripts[name] += [Sleep(round(rng.uniform(0, 3), 2)), Close()]
    else:
        scripts[first] += [Sleep(round(rng.uniform(0, 4), 2)), Abort()]
        scripts[second] += [WaitPeerClose(), Close()]
    if opening == "refused":
        scripts["server"] = []
    rules = []
    for _ in range(rng.choice([0, 0, 1, 2, 3, 5])):
        kind = rng.choice(["DropNth", "DropNth", "Duplicate", "Delay", "DropWhere"])
        n = rng.randint(1, 60)
        if kind == "Delay":
            rules.append((kind, (n, round(rng.uniform(0.01, 3), 3))))
        elif kind == "DropWhere":
            rules.append((kind, (rng.choice(PREDICATES), rng.randint(1, 3))))
        else:
            rules.append((kind, (n,)))
    if rng.random() < 0.35:
        rules.append(("RandomLoss", (rng.choice([0.02, 0.05, 0.1, 0.2]), rng.randrange(2**16))))
    injections = []
    if rng.random() < 0.15:
        for _ in range(rng.randint(1, 4)):
            sender = rng.choice(["client", "server"])
            receiver = server if sender == "client" else client
            sender_config = client if sender == "client" else server
            sport, dport = (CLIENT_PORT, SERVER_PORT) if sender == "client" else (SERVER_PORT, CLIENT_PORT)
            injections.append((round(rng.uniform(0, 8), 3), sender, Segment(
                sport, dport,
                seq_add(sender_config.isn, rng.randint(-70000, 70000)),
                seq_add(receiver.isn, rng.randint(-70000, 70000)),
                Flags(rng.choice([Flags.SYN, Flags.RST, Flags.ACK, Flags.RST | Flags.ACK, Flags.SYN | Flags.ACK,
                                  rng.randrange(256) & ~int(Flags.FIN)])),
                rng.choice([0, 1, 65535, rng.randrange(65536)]))))
    return Conversation(client, server, scripts["client"], scripts["server"], rules,
                        round(rng.uniform(0.001, 0.3), 4), injections)


# ---------------------------------------------------------------------- limits
def _sleeps(conversation):
    return sum(s.seconds for s in conversation.client_script + conversation.server_script if isinstance(s, Sleep))


def stall_limit(conversation):
    """Virtual seconds a conversation may go without progress: a full retransmission schedule
    (backoff capped at rto_max), 2 MSL, every application sleep, link delays and a persist interval."""
    retries = max(c.max_retries for c in (conversation.client, conversation.server)) + \
        max(c.syn_retries for c in (conversation.client, conversation.server))
    rto_max = max(c.rto_max for c in (conversation.client, conversation.server))
    msl = max(c.msl for c in (conversation.client, conversation.server))
    extra = sum(args[1] for name, args in conversation.faults if name == "Delay")
    keepalive = max([k.idle + (k.probes + 1) * k.interval for k in _keepalives(conversation)], default=0)
    return (retries + 3) * rto_max + 2 * msl + _sleeps(conversation) + 10 * conversation.delay + extra + keepalive + 10


def _keepalives(conversation):
    return [c.keepalive for c in (conversation.client, conversation.server) if c.keepalive is not None]


def segment_limit(conversation):
    """Segments the two ends may send without progress: every retransmission of both schedules,
    each answered, a persist probe per persist interval of every sleep, and every injection answered."""
    retries = sum(c.max_retries + c.syn_retries + 4 for c in (conversation.client, conversation.server))
    persist = min(c.persist_initial for c in (conversation.client, conversation.server))
    duplicates = sum(1 for name, _ in conversation.faults if name == "Duplicate")
    # Keep-alive probes, each answered: a full round of probes, and one more round per idle time slept.
    keepalive = sum(2 * (k.probes + 1) * (1 + math.ceil(_sleeps(conversation) / k.idle))
                    for k in _keepalives(conversation))
    return 2 * retries + 2 * math.ceil(_sleeps(conversation) / persist) + 2 * len(conversation.injections) \
        + 2 * duplicates + keepalive + 20


# ---------------------------------------------------------------------- the checking simulator
class CheckedSimulator(Simulator):
    """A Simulator that checks promises (a) and (c) to (g) on every segment and every event."""

    def __init__(self, conversation, promises=PROMISES):
        super().__init__(delay=conversation.delay, faults=[build_rule(n, a) for n, a in conversation.faults])
        self.conversation = conversation
        self.promises = promises
        self.max_quiet_segments = segment_limit(conversation)
        self.max_quiet_time = stall_limit(conversation)
        self.syn_options = {}        # host -> Options of the SYN it sent
        self.right_edge = {}         # host -> the largest right edge advertised *to* it
        self.fin_seq = {}            # host -> sequence number of its first FIN
        self.last_ack = {}           # host -> the last ACK number it sent
        self.highest_seq = {}        # host -> the highest end of sequence space it sent
        self.quiet_segments = 0
        self.last_progress = 0.0
        self.fingerprint = None
        self.segments = 0

    def broken(self, promise, detail):
        """Raise Broken if *promise* is checked; else stop a hang or loop (a, f) and ignore the rest."""
        if promise in self.promises:
            raise Broken(promise, detail)
        if promise in "af":
            raise _Stop(detail)

    def _peer(self, name):
        return self.hosts[name].peer

    def _scale(self, name):
        """The shift *name* applies to the windows it advertises (RFC 7323: both SYNs carry the option)."""
        mine, theirs = self.syn_options.get(name), self.syn_options.get(self._peer(name))
        if mine is None or theirs is None or mine.wscale is None or theirs.wscale is None:
            return 0
        return min(mine.wscale, 14)

    def on_send(self, name, event):
        seg = event.segment
        self.segments += 1
        highest = self.highest_seq.get(name)
        if event.detail == "injected" or seg.flags & Flags.RST:
            self.quiet_segments -= 1       # may be answered once; an RST's seq is not our sequence space
        elif highest is None or seq_gt(seg.end_seq, highest):
            self.highest_seq[name] = seg.end_seq
            self.quiet_segments -= 1       # new sequence space may be answered once
        else:
            self.quiet_segments += 1
        if self.quiet_segments > self.max_quiet_segments:
            self.broken("f", f"segments without progress: {self.quiet_segments} (limit {self.max_quiet_segments});"
                              f" last {name} sent {seg} at t={self.now:.3f}")
        if event.detail != "injected" and not seg.flags & Flags.RST:
            self._check_sent(name, seg)

    def _check_sent(self, name, seg):
        if seg.flags & Flags.SYN:
            self.syn_options[name] = seg.options
        if seg.payload:
            peer_syn = self.syn_options.get(self._peer(name))
            mss = peer_syn.mss if peer_syn is not None and peer_syn.mss is not None else 536
            if len(seg.payload) > mss:
                self.broken("c", f"payload above the peer's MSS: {name} sent {len(seg.payload)} B > {mss}: {seg} at t={self.now:.3f}")
            edge = self.right_edge.get(name)
            end = seq_add(seg.seq, len(seg.payload))
            probe = len(seg.payload) == 1 and edge is not None and seg.seq == edge
            if edge is None or (seq_gt(end, edge) and not probe):
                self.broken("c", f"payload past the peer's right edge: {name} sent {seg} ending at {end} > {edge}"
                                  f" at t={self.now:.3f}")
        if seg.flags & Flags.FIN:
            first = self.fin_seq.setdefault(name, seg.end_seq - 1 if seg.end_seq else MODULUS - 1)
            if first != seq_add(seg.end_seq, -1):
                self.broken("d", f"FIN moved: {name}'s FIN from {first} to {seq_add(seg.end_seq, -1)}: {seg}")
        if seg.flags & Flags.ACK:
            last = self.last_ack.get(name)
            if last is not None and not seq_ge(seg.ack, last):
                self.broken("e", f"ACK number went backwards: {name} sent ACK {seg.ack} after ACK {last}: {seg} at t={self.now:.3f}")
            self.last_ack[name] = seg.ack

    def on_arrive(self, name, seg):
        if seg.flags & Flags.ACK and not seg.flags & Flags.RST:
            shift = 0 if seg.flags & Flags.SYN else self._scale(self._peer(name))
            edge = seq_add(seg.ack, seg.window << shift)
            old = self.right_edge.get(name)
            self.right_edge[name] = edge if old is None or seq_gt(edge, old) else old

    def after_event(self):
        self._check_state()

    def _check_state(self):
        fingerprint = []
        for name, host in self.hosts.items():
            ep = host.endpoint
            if not seq_le(ep.snd_una, ep.snd_nxt):
                self.broken("g", f"SND.UNA > SND.NXT: {name} {ep.snd_una} > {ep.snd_nxt} in {ep.state}"
                                  f" at t={self.now:.3f}")
            if ep.state in (State.CLOSED, State.LISTEN):     # a new incarnation starts afresh
                for promise in (self.fin_seq, self.last_ack, self.highest_seq):
                    promise.pop(name, None)
            fingerprint.append((ep.state, ep.snd_una, ep.snd_nxt, ep.rcv_nxt, host.app.position, len(host.app.received)))
        if fingerprint != self.fingerprint:
            self.fingerprint = fingerprint
            self.quiet_segments = min(self.quiet_segments, 0)
            self.last_progress = self.now
        elif self.now - self.last_progress > self.max_quiet_time:
            self.broken("a", f"no progress for too long: {self.now - self.last_progress:.1f} s (limit "
                              f"{self.max_quiet_time:.1f} s) at t={self.now:.3f}")


def play(conversation, promises=PROMISES):
    """Run *conversation* in a CheckedSimulator checking *promises*; returns the simulator (raises Broken)."""
    sim = CheckedSimulator(conversation, promises)
    for name, port, config, script, peer in (
            ("client", CLIENT_PORT, conversation.client, conversation.client_script, "server"),
            ("server", SERVER_PORT, conversation.server, conversation.server_script, "client")):
        host = sim.add_host(name, Endpoint(port, name=name, config=config), script, peer=peer)
        host.app = TolerantApp(host.endpoint, script, None)
    for time, sender, seg in conversation.injections:
        sim.inject(time, sender, seg)
    try:
        sim.run(until=math.inf, max_events=2_000_000)
    except (Broken, _Stop):
        raise
    except Exception as error:
        sim.broken("h", f"undocumented error {type(error).__name__}: {error} at t={sim.now:.3f}")
        raise _Stop(str(error)) from error
    return sim


def drained(ep, peer):
    """CLOSED with no timer; or back in LISTEN; or idle on a half-open connection whose peer aborted
    or gave up (RFC 9293 §3.5.1: without keep-alives nothing tells this end)."""
    if ep.get_timer() is not None:
        return False
    if ep.state in (State.CLOSED, State.LISTEN):
        return True
    peer_gone = peer.state in (State.CLOSED, State.LISTEN) and (
        peer.error is not None or any(e.detail == "abort()" for e in peer.events))
    idle = ep.snd_una == ep.snd_nxt and not ep.unsent()
    return peer_gone and idle and ep.state in (State.ESTABLISHED, State.FIN_WAIT_2, State.CLOSE_WAIT)


def check_conversation(conversation, promises=PROMISES):
    """Play *conversation* and check *promises* (letters, all by default); returns the simulator or None
    if it had to be stopped (a hang or loop while a and f were not checked)."""
    try:
        sim = play(conversation, promises)
        _check_ending(conversation, sim)
    except _Stop:
        return None
    return sim


def _check_ending(conversation, sim):
    if sim.pending:
        sim.broken("a", f"still running: after {sim.segments} segments at t={sim.now:.3f}")
    stuck = [(name, host.endpoint) for name, host in sim.hosts.items()
             if not drained(host.endpoint, sim.hosts[host.peer].endpoint)]
    if stuck:
        states = " and ".join(f"{name} in {ep.state}" for name, ep in stuck)
        unsent = ", ".join(f"{name}: timer {ep.get_timer()}, {ep.unsent()} B unsent" for name, ep in stuck)
        sim.broken("a", f"stuck, {states}: {unsent}, at t={sim.now:.3f}")
    for name, host in sim.hosts.items():
        sent, got = conversation.sent_by(sim.hosts[name].peer), sim.received(name)
        if sent[:len(got)] != got:
            sim.broken("b", f"read bytes never sent: {name} read {len(got)} B that are not a prefix of what was sent")
    timed_out = any(type(h.endpoint.error).__name__ == "ConnectionTimedOut" for h in sim.hosts.values())
    if not conversation.hostile and not timed_out and not stuck:
        for name, host in sim.hosts.items():
            read_error = getattr(host.app, "error", None)
            if host.endpoint.error is not None or read_error or host.app.errors or not host.app.done:
                sim.broken("b", f"normal close went wrong: {name} error {host.endpoint.error!r}, app errors "
                                f"{host.app.errors + [read_error] if read_error else host.app.errors}, "
                                f"script stopped at step {host.app.position}")
            sent = conversation.sent_by(host.peer)
            if sim.received(name) != sent:
                sim.broken("b", f"bytes lost on a normal close: {name} read {len(sim.received(name))} of {len(sent)} B")


# ---------------------------------------------------------------------- raw inputs in every state
@dataclass
class Inputs:
    """An endpoint driven to *state* (with *config*), then *steps*: (kind, seq offset, ack offset, flags,
    window, payload) tuples; kinds are segment, timer, send, close, read, abort, wait."""

    state: State
    config: Config
    steps: list

    def repro(self):
        return f"Inputs(State.{self.state.name}, {_config_repr(self.config)}, {self.steps!r})"


def random_inputs(rng):
    steps = []
    for _ in range(rng.randint(0, 25)):
        steps.append((rng.choice(["segment", "segment", "segment", "timer", "send", "close", "read", "abort",
                                  "wait"]),
                      rng.choice([0, 1, -1, rng.randint(-3000, 3000), rng.randint(-70000, 70000),
                                  rng.randrange(MODULUS)]),
                      rng.choice([0, 1, -1, rng.randint(-3000, 3000), rng.randrange(MODULUS)]),
                      int(rng.choice([Flags.ACK, Flags.ACK | Flags.FIN, Flags.RST, Flags.SYN, Flags.SYN | Flags.ACK,
                                      rng.randrange(256)])),
                      rng.choice([0, 1, 65535, rng.randrange(65536)]),
                      rng.randbytes(rng.choice([0, 0, 1, rng.randint(0, 1500)]))))
    config = random_config(rng)
    return Inputs(rng.choice([s for s in State if s is not State.CLOSED]), config, steps)


def drive_to(state, config):
    """An endpoint with *config* in *state*, with data outstanding where the state allows it."""
    ep = Endpoint(CLIENT_PORT, name="client", config=config)
    peer = Endpoint(SERVER_PORT, name="server", config=Config(isn=seq_add(config.isn or 0, 77777)))
    if state is State.LISTEN:
        peer, ep = ep, Endpoint(SERVER_PORT, name="server", config=config)
        ep.listen(0.0)
        return ep
    link = _Link(ep, peer)
    if state is State.SYN_RECEIVED:      # ep is the passive side here
        ep = Endpoint(SERVER_PORT, name="server", config=config)
        peer = Endpoint(CLIENT_PORT, name="client", config=Config(isn=seq_add(config.isn or 0, 77777)))
        ep.listen(0.0)
        ep.receive(peer.connect(SERVER_PORT, 0.0)[0], 0.1)
        return ep
    link.call(ep, ep.connect(SERVER_PORT, link.now))
    if state is State.SYN_SENT:
        return ep
    peer.listen(0.0)
    link.settle(lambda: ep.state is State.ESTABLISHED and peer.state is State.ESTABLISHED)
    link.call(ep, ep.send(b"outstanding", link.now))
    if state is State.ESTABLISHED:
        return ep
    if state is State.CLOSING:
        link.call(ep, ep.close(link.now))
        link.call(peer, peer.close(link.now))
        link.deliver(peer)
    elif state is State.CLOSE_WAIT or state is State.LAST_ACK:
        link.call(peer, peer.close(link.now))
        link.settle(lambda: ep.state is State.CLOSE_WAIT)
        if state is State.LAST_ACK:
            link.call(ep, ep.close(link.now))
        else:
            link.call(ep, ep.send(b"more", link.now))
    else:
        link.call(ep, ep.close(link.now))
        link.settle(lambda: ep.state is not State.FIN_WAIT_1 or state is State.FIN_WAIT_1)
        if state is State.TIME_WAIT:
            link.call(peer, peer.close(link.now))
            link.settle(lambda: ep.state is State.TIME_WAIT)
    if ep.state is not state:
        raise RuntimeError(f"harness: could not drive an endpoint to {state} (got {ep.state})")
    return ep


class _Link:
    """A lossless, instantaneous link between two endpoints, for driving one of them to a state."""

    def __init__(self, a, b):
        self.now = 0.0
        self.out = {a: [], b: []}
        self.peer = {a: b, b: a}

    def call(self, endpoint, segments):
        self.out[endpoint] += segments

    def deliver(self, sender):
        segments, self.out[sender] = self.out[sender], []
        receiver = self.peer[sender]
        for seg in segments:
            self.out[receiver] += receiver.receive(seg, self.now)
        return bool(segments)

    def settle(self, done):
        """Deliver segments and fire timers until *done()* (or nothing is left to do)."""
        for _ in range(1000):
            if done():
                return
            delivered = [self.deliver(ep) for ep in list(self.out)]    # both directions, every round
            if not any(delivered):
                due = [t for t in (ep.get_timer() for ep in self.out) if t is not None]
                if not due:
                    return
                self.now = max(self.now, min(due))
                for ep in self.out:
                    if ep.get_timer() is not None and ep.get_timer() <= self.now:
                        self.out[ep] += ep.handle_timer(self.now)
            self.now += 0.01


def check_inputs(inputs):
    """Apply *inputs*; only TcpError may be raised, and SND.UNA =< SND.NXT after every step."""
    ep = drive_to(inputs.state, inputs.config)
    now = max([10.0] + [e.time for e in ep.events])
    for kind, dseq, dack, flags, window, payload in inputs.steps:
        now += 0.5
        try:
            if kind == "segment":
                ep.receive(Segment(ep.remote_port or CLIENT_PORT, ep.local_port, seq_add(ep.rcv_nxt, dseq),
                                   seq_add(ep.snd_nxt, dack), Flags(flags), window, payload=payload), now)
            elif kind == "timer":
                due = ep.get_timer()
                if due is not None:
                    now = max(now, due)
                    ep.handle_timer(now)
            elif kind == "wait":
                now += abs(dseq) % 1000
            elif kind == "send":
                ep.send(payload, now)
            elif kind == "close":
                ep.close(now)
            elif kind == "read":
                ep.read(None, now)
            else:
                ep.abort(now)
        except TcpError:
            pass
        except Exception as error:
            raise Broken("h", f"undocumented error {type(error).__name__}: {kind} in {ep.state}: {error}") from error
        ep.segments_to_send()
        if not seq_le(ep.snd_una, ep.snd_nxt):
            raise Broken("g", f"SND.UNA > SND.NXT: after {kind} {ep.snd_una} > {ep.snd_nxt} in {ep.state}")
        if ep.rcv_wnd < 0:
            raise Broken("h", f"negative receive window: after {kind} {ep.rcv_wnd}")
        due = ep.get_timer()
        if due is not None and not math.isfinite(due):
            raise Broken("a", f"timer not finite: after {kind} {due}")
    return ep
