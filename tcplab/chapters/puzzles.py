"""Exercises that make the reader work with real conversations: put shuffled segments back in order,
and read a recorded pcap.

    from tcplab.chapters import puzzles
    from tcplab.sim import scenarios
    cards = puzzles.shuffled(scenarios.run("handshake"))   # the segments, out of order, lettered
    puzzles.print_cards(cards)
    puzzles.is_in_order(cards, ["B", "A", "C"])            # True when the letters give the sending order
    rdpcap(str(puzzles.simulated_pcap("rst-closed-port")))   # a simulated conversation, read like a capture
"""

import os
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.seqspace import seq_relative
from ..core.validation import check_choice


@dataclass(frozen=True)
class Card:
    """One segment of a conversation, with the letter it is shown under and its place in the original."""

    letter: str
    position: int
    sender: str
    text: str


def shuffled(trace, seed=1, relative=True):
    """The trace's segments (in sending order, retransmissions included) as lettered cards, shuffled."""
    flights = trace.flights()
    if not 2 <= len(flights) <= 26:
        raise ValueError(f"trace must have 2..26 segments to shuffle, got {len(flights)}")
    isn = {h.name: trace.isn(h.name) for h in trace.hosts}
    texts = []
    for f in flights:
        seg = f.segment
        seq = seq_relative(seg.seq, isn[f.src]) if relative else seg.seq
        ack = seq_relative(seg.ack, isn[f.dst]) if relative and seg.flags & seg.flags.ACK else seg.ack
        texts.append(f"{f.src} → {f.dst}: {seg.flags.label():<8} seq={seq} ack={ack} data={len(seg.payload)}")
    order = list(range(len(flights)))
    rng = random.Random(seed)
    while order == sorted(order):
        rng.shuffle(order)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [Card(letters[i], position, flights[position].src, texts[position]) for i, position in enumerate(order)]


def print_cards(cards):
    for card in cards:
        print(f"{card.letter}  {card.text}")


def answer(cards):
    """The letters in sending order."""
    return [card.letter for card in sorted(cards, key=lambda c: c.position)]


def is_in_order(cards, letters):
    """Whether *letters* (a list, or a string like "BAC") list the cards in the order they were sent
    (cards that read the same, such as two copies of a retransmitted SYN, may swap places).
    Any other kind of answer is simply not in order."""
    if not isinstance(letters, (str, list)):
        return False
    letters = [c for c in letters if not c.isspace()] if isinstance(letters, str) else list(letters)
    by_letter = {card.letter: card for card in cards}
    if sorted(letters) != sorted(by_letter):
        return False
    sent = sorted(cards, key=lambda card: card.position)
    return [by_letter[letter].text for letter in letters] == [card.text for card in sent]


def recorded_pcap(name):
    """The path of a pcap shipped with tcplab, for exercises that read one with scapy's rdpcap."""
    from ..io.recordings import capture_path
    return capture_path(name)


def tcp_packets(name):
    """The TCP packets of shipped pcap *name*, read with scapy."""
    from scapy.all import TCP, rdpcap
    return [p for p in rdpcap(str(recorded_pcap(name))) if TCP in p]


def simulated_pcap(name, directory=None):
    """Write the simulated scenario *name* as a pcap and return its path (in *directory*, by default
    a folder under the system's temporary directory): scapy and Wireshark read it like any capture."""
    from ..io.pcap import write_pcap
    from ..sim import scenarios
    check_choice("name", name, scenarios.names())
    folder = Path(directory) if directory is not None else Path(tempfile.gettempdir()) / "tcplab-pcaps"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.pcap"
    partial = folder / f".{name}.{os.getpid()}.pcap"
    write_pcap(scenarios.run(name), partial)
    os.replace(partial, path)   # a reader in another process never sees a half-written file
    return path
