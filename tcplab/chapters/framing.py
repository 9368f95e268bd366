"""Length-prefixed framing: message boundaries on top of TCP's byte stream.

TCP delivers bytes, not messages: two send() calls may arrive in one recv()
(粘包, "sticky packets") and one send() may need several recv() calls (拆包).
The fix is to put the boundaries into the bytes.  Each frame here is a 4-byte
big-endian length followed by that many bytes of message:

    wire = encode(b"hello") + encode(b"world")
    decoder = Decoder()
    decoder.feed(wire[:3])     # []            (not even a full header yet)
    decoder.feed(wire[3:])     # [b"hello", b"world"]
    decoder.close()            # fine: nothing left over
"""

import struct

HEADER = struct.Struct("!I")
DEFAULT_MAX_LENGTH = 1 << 20  # 1 MiB: refuse anything larger before allocating for it


class FramingError(ValueError):
    """The byte stream does not hold valid frames."""


def _check_max_length(max_length):
    if isinstance(max_length, bool) or not isinstance(max_length, int) or not 0 <= max_length < 2**32:
        raise ValueError(f"max_length must be an integer in 0..{2**32 - 1}, got {max_length!r}")
    return max_length


def encode(message, max_length=DEFAULT_MAX_LENGTH):
    """One frame: the message's length as 4 bytes, then the message."""
    if not isinstance(message, (bytes, bytearray, memoryview)):
        raise FramingError(f"message must be bytes, got {type(message).__name__}")
    _check_max_length(max_length)
    if len(message) > max_length:
        raise FramingError(f"message length must be at most {max_length} bytes, got {len(message)}")
    return HEADER.pack(len(message)) + bytes(message)


class Decoder:
    """Turns a byte stream, fed in pieces of any size, back into messages."""

    def __init__(self, max_length=DEFAULT_MAX_LENGTH):
        self.max_length = _check_max_length(max_length)
        self._buffer = bytearray()

    @property
    def pending(self):
        """Bytes received that do not yet make a whole frame."""
        return len(self._buffer)

    def feed(self, data):
        """Add received bytes; return every message they complete (possibly none)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise FramingError(f"data must be bytes, got {type(data).__name__}")
        self._buffer += data
        messages = []
        while len(self._buffer) >= HEADER.size:
            (length,) = HEADER.unpack_from(self._buffer)
            if length > self.max_length:
                raise FramingError(f"frame length must be at most {self.max_length} bytes, "
                                   f"got a header announcing {length}")
            end = HEADER.size + length
            if len(self._buffer) < end:
                break
            messages.append(bytes(self._buffer[HEADER.size:end]))
            del self._buffer[:end]
        return messages

    def close(self):
        """Say the stream ended; raise if it stopped in the middle of a frame."""
        if self._buffer:
            if len(self._buffer) < HEADER.size:
                raise FramingError(f"truncated stream: {len(self._buffer)} byte(s) of a 4-byte header")
            (length,) = HEADER.unpack_from(self._buffer)
            raise FramingError(f"truncated stream: frame announced {length} bytes, "
                               f"got {len(self._buffer) - HEADER.size}")


def decode_all(stream, max_length=DEFAULT_MAX_LENGTH):
    """Every message in a complete byte stream (raises on a truncated one)."""
    decoder = Decoder(max_length)
    messages = decoder.feed(stream)
    decoder.close()
    return messages
