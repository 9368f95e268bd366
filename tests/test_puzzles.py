"""Ordering puzzles and pcap-reading helpers for the exercises."""
import pytest

from tcplab import scenarios
from tcplab.chapters import puzzles


def test_shuffled_cards_are_out_of_order_and_the_answer_solves_them():
    cards = puzzles.shuffled(scenarios.run("handshake"))
    assert [c.position for c in cards] != sorted(c.position for c in cards)
    assert puzzles.is_in_order(cards, puzzles.answer(cards))
    assert puzzles.is_in_order(cards, "".join(puzzles.answer(cards)))


def test_wrong_orders_are_refused():
    cards = puzzles.shuffled(scenarios.run("four-way-teardown"))
    right = puzzles.answer(cards)
    assert not puzzles.is_in_order(cards, list(reversed(right)))
    assert not puzzles.is_in_order(cards, right[:-1])


def test_identical_cards_may_swap():
    cards = puzzles.shuffled(scenarios.run("lost-syn"))   # two identical SYNs
    right = puzzles.answer(cards)
    syns = [i for i, letter in enumerate(right) if "SYN " in next(c.text for c in cards if c.letter == letter)]
    swapped = list(right)
    swapped[syns[0]], swapped[syns[1]] = swapped[syns[1]], swapped[syns[0]]
    assert swapped != right and puzzles.is_in_order(cards, swapped)


def test_too_long_a_trace_is_refused():
    with pytest.raises(ValueError, match="2..26 segments"):
        puzzles.shuffled(scenarios.run("random-loss"))


def test_recorded_pcaps_are_readable():
    assert len(puzzles.tcp_packets("loopback-three-segment-close")) > 6
    assert puzzles.recorded_pcap("loopback-zero-window").is_file()
