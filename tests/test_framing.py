from hypothesis import given, strategies as st
import pytest

from tcplab.chapters.framing import Decoder, FramingError, decode_all, encode


def test_two_messages_in_one_read_are_separated():
    assert Decoder().feed(encode(b"hello") + encode(b"world")) == [b"hello", b"world"]


def test_partial_reads_are_reassembled():
    wire = encode(b"abcdef")
    decoder = Decoder()
    assert decoder.feed(wire[:2]) == [] and decoder.feed(wire[2:7]) == [] and decoder.pending == 7
    assert decoder.feed(wire[7:]) == [b"abcdef"]
    decoder.close()


def test_empty_message_round_trips():
    assert decode_all(encode(b"")) == [b""]


def test_oversized_length_is_rejected_before_buffering():
    with pytest.raises(FramingError, match="frame length must be at most 10 bytes, got a header announcing 11"):
        Decoder(max_length=10).feed(encode(b"x" * 11, max_length=100)[:4])
    with pytest.raises(FramingError, match="message length must be at most 3"):
        encode(b"abcd", max_length=3)


@pytest.mark.parametrize("stream,message", [
    (b"\x00\x00", "2 byte\\(s\\) of a 4-byte header"),
    (encode(b"abc")[:-1], "frame announced 3 bytes, got 2"),
])
def test_truncated_stream(stream, message):
    with pytest.raises(FramingError, match=message):
        decode_all(stream)


def test_bad_arguments():
    with pytest.raises(FramingError, match="message must be bytes"):
        encode("text")
    with pytest.raises(FramingError, match="data must be bytes"):
        Decoder().feed(42)
    with pytest.raises(ValueError, match="max_length must be"):
        Decoder(max_length=-1)


@given(st.lists(st.binary(max_size=300), max_size=20), st.lists(st.integers(1, 97), min_size=1, max_size=50))
def test_any_chunking_gives_back_the_messages(messages, cuts):
    wire = b"".join(encode(m) for m in messages)
    decoder, out, position, i = Decoder(), [], 0, 0
    while position < len(wire):
        size = cuts[i % len(cuts)]
        out += decoder.feed(wire[position:position + size])
        position += size
        i += 1
    decoder.close()
    assert out == messages


@given(st.binary(max_size=200))
def test_random_bytes_give_messages_or_a_framing_error(raw):
    try:
        decode_all(raw, max_length=1000)
    except FramingError:
        pass
