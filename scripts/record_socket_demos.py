"""Record the chapters' real-socket demos on 127.0.0.1 for the in-browser book (no root needed).

    .venv/bin/python scripts/record_socket_demos.py [DIRECTORY]     # make captures runs it

A browser has no sockets: there `accept_demo`, `stream_demo` and `framed_demo` return these
recordings instead (tcplab/live/browser.py).  CALLS are the calls the notebooks make; add a call here
when a chapter makes a new one.
"""

import sys
from pathlib import Path

from tcplab.chapters.framing import encode
from tcplab.chapters.handshake import accept_demo
from tcplab.chapters.transfer import framed_demo, stream_demo
from tcplab.live.browser import record_socket_demos

HELLO = [b"hello ", b"world ", b"again"]
CALLS = [
    (accept_demo, (), {"clients": 3}),
    (stream_demo, (HELLO,), {}),
    (stream_demo, ([b"x" * 10000],), {"bufsize": 4096}),
    (framed_demo, (HELLO,), {}),
    (stream_demo, ([encode(b"hello world")[:8]],), {}),
]

if __name__ == "__main__":
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent / "tcplab" / "recordings")
    print(record_socket_demos(CALLS, directory))
