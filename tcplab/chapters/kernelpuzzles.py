"""The kernel chapter's exercises that make the reader think (book/kernel.ipynb, 6–8): predict a close
in the model, put a real capture's segments in order, read a real pcap.

    from tcplab.chapters import kernelpuzzles
    puzzles.print_cards(kernelpuzzles.close_cards())

They live beside `realtraffic` rather than in it because they build on `puzzles`, which itself reads
the recordings through `realtraffic`.
"""

from ..core.config import Config
from ..core.segment import Flags
from ..sim import scenarios
from ..sim.apps import Close, Sleep, WaitPeerClose
from . import puzzles
from ..io.recordings import ZERO_WINDOW
from .realtraffic import loopback
from .registry import exercise, whole_number


def slow_close_segments(server_waits=0.1, delayed_ack=0.04):
    """Segments from the client's FIN on, in the model, when the server delays its ACKs by *delayed_ack*
    and its application closes *server_waits* seconds after the client's FIN arrives."""
    trace, _ = scenarios.conversation(scenarios.OPEN + [Sleep(0.1), Close()],
                                      [WaitPeerClose(), Sleep(server_waits), Close()], title="A slow close",
                                      server_config=Config(delayed_ack=delayed_ack))
    flights = trace.flights()
    return flights[next(i for i, f in enumerate(flights) if f.segment.flags & Flags.FIN):]


def close_cards():
    """The segments of the recorded capture "loopback-server-closes-first", shuffled, for the ordering exercise."""
    return puzzles.shuffled(loopback("loopback-server-closes-first"), seed=5)


def zero_window_adverts():
    """How many segments of the recorded zero-window capture advertise a window of 0, read with scapy."""
    from scapy.all import TCP
    return sum(1 for p in puzzles.tcp_packets(ZERO_WINDOW) if p[TCP].window == 0)


exercise("kernel-predict",
         "Predict, then run: in the model, the server delays its ACKs by 40 ms, like Linux, but its application "
         "calls close() 0.1 s after the client's FIN arrives.  How many segments does the close take, counting "
         "from the client's FIN?",
         predicate=lambda answer: whole_number(answer, len(slow_close_segments())),
         hint="Which comes first at the server: the end of its 40 ms delayed-ACK wait, or its application's close()?",
         explanation="Four: the delayed ACK goes out alone after 40 ms, and the FIN follows 60 ms later.  The "
                     "FIN carries the ACK only when the application closes within the delay, as in the capture.")
exercise("kernel-order",
         "Put the shuffled segments of the recorded capture 'loopback-server-closes-first' in the order they were "
         "sent (a string of letters).",
         predicate=lambda answer: puzzles.is_in_order(close_cards(), answer),
         hint="Handshake, a 24-byte request, a 41-byte reply; then the server closes first.  Follow seq and ack.",
         explanation="SYN, SYN-ACK, ACK; the request (24 bytes) and its ACK; the reply (41 bytes) and its ACK; then "
                     "the server's FIN, the client's ACK, the client's FIN and the server's ACK.  Four segments "
                     "here: the client's ACK left before its application closed.")
exercise("kernel-pcap",
         "Read the recorded loopback-zero-window.pcap with scapy: how many segments advertise a window of 0?",
         predicate=lambda answer: whole_number(answer, zero_window_adverts()),
         hint="Read each packet's TCP window field (p[TCP].window); a window of 0 is 0 whatever the scale.",
         explanation="Three: the ACK that closes the window, and the receiver's answers to two of the sender's three "
                     "probes (it rate-limits the other); then its reader wakes up and a window update opens it.")
