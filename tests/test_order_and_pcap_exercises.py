"""The put-in-order and pcap-reading exercises of the kernel chapter and the FAQ pages, and the
predict-then-run exercises of the kernel chapter and the why-three page: each right answer is accepted, checked against the recording or the
simulation by a second route, and wrong answers are refused."""
import pytest
from scapy.all import TCP, rdpcap

from tcplab import Kind, scenarios
from tcplab.chapters import faq, kernelpuzzles, puzzles
from tcplab.chapters.exercises import check


def _flags_in_order(cards):
    by_letter = {card.letter: card for card in cards}
    return [by_letter[letter].text.split(":")[1].split()[0] for letter in puzzles.answer(cards)]


def _syn(name):
    return next(p for p in puzzles.tcp_packets(name) if p[TCP].flags == "S")


ANSWERS = {
    "kernel-predict": 4,
    "kernel-order": "".join(puzzles.answer(kernelpuzzles.close_cards())),
    "kernel-pcap": 3,
    "ack-vs-ack-pcap": 1,
    "why-three-pcap": 2,
    "why-four-order": "".join(puzzles.answer(faq.four_way_cards())),
    "lost-final-ack-order": "".join(puzzles.answer(faq.lost_final_ack_cards())),
    "time-wait-pcap": _syn("loopback-server-closes-first")[TCP].dport,
    "rst-pcap": next(f.segment.seq for f in scenarios.run("rst-closed-port").flights()) + 1,
    "stuck-pcap": 1,
    "why-three-predict": 0.15,
}


@pytest.mark.parametrize("key", list(ANSWERS))
def test_the_right_answer_is_accepted_and_wrong_ones_are_refused(key):
    assert check(key, ANSWERS[key]).correct
    assert not check(key, None).answered
    wrong = ANSWERS[key][::-1] if isinstance(ANSWERS[key], str) else ANSWERS[key] + 1
    assert not check(key, wrong).correct
    assert not check(key, True).correct and not check(key, "x").correct


def test_the_orders_are_the_conversations_the_solutions_describe():
    assert _flags_in_order(faq.four_way_cards()) == ["SYN", "SYN,ACK", "ACK", "FIN,ACK", "ACK", "FIN,ACK", "ACK"]
    assert _flags_in_order(faq.lost_final_ack_cards()) == \
        ["SYN", "SYN,ACK", "ACK", "FIN,ACK", "ACK", "FIN,ACK", "ACK", "FIN,ACK", "ACK"]
    assert _flags_in_order(kernelpuzzles.close_cards()) == \
        ["SYN", "SYN,ACK", "ACK", "PSH,ACK", "ACK", "PSH,ACK", "ACK", "FIN,ACK", "ACK", "FIN,ACK", "ACK"]


def test_the_kernel_prediction_turns_on_the_delayed_ack():
    slow = kernelpuzzles.slow_close_segments()
    assert [f.segment.flags.label() for f in slow] == ["FIN,ACK", "ACK", "FIN,ACK", "ACK"]
    assert [f.src for f in slow] == ["client", "server", "server", "client"]
    assert len(kernelpuzzles.slow_close_segments(server_waits=0.01)) == 3   # closing within the 40 ms delay


def test_a_later_segment_does_the_lost_third_segments_job():
    lost = faq.third_segment_lost()
    assert [e.segment.flags.label() for e in lost.events if e.kind is Kind.DROP] == ["ACK"]
    assert faq.established_at(lost) == faq.established_at(scenarios.run("handshake")) == 0.15
    assert faq.established_at(faq.third_segment_lost(0)) == 1.15   # waits for the SYN-ACK's retransmission


def test_the_pcap_answers_read_the_same_files_by_another_route():
    three = rdpcap(str(puzzles.recorded_pcap("loopback-three-segment-close")))
    assert [p[TCP].flags for p in three if not p[TCP].flags.A] == ["S"]
    session = rdpcap(str(puzzles.recorded_pcap("loopback-session")))
    assert sorted(str(p[TCP].flags) for p in session if p[TCP].flags.S) == ["S", "SA"]
    closes_first = puzzles.tcp_packets("loopback-server-closes-first")
    first_fin = next(p for p in closes_first if p[TCP].flags.F)
    assert first_fin[TCP].sport == _syn("loopback-server-closes-first")[TCP].dport   # the server's port
    zero = [p for p in puzzles.tcp_packets("loopback-zero-window") if p[TCP].window == 0]
    assert len(zero) == 3 and {p[TCP].sport for p in zero} == {_syn("loopback-zero-window")[TCP].dport}


def test_a_simulated_pcap_holds_every_segment_sent(tmp_path):
    path = puzzles.simulated_pcap("close-wait-leak", directory=tmp_path)
    assert path.parent == tmp_path
    packets = rdpcap(str(path))
    assert len(packets) == len(scenarios.run("close-wait-leak").flights())
    assert [p[TCP].flags.F for p in packets].count(True) == 1
    rst = next(p for p in rdpcap(str(puzzles.simulated_pcap("rst-closed-port", tmp_path))) if p[TCP].flags.R)
    assert (rst[TCP].seq, str(rst[TCP].flags)) == (0, "RA")


def test_simulated_pcap_names_the_bad_argument():
    with pytest.raises(ValueError, match="name must be one of"):
        puzzles.simulated_pcap("no-such-scenario")
