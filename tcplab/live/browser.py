"""What changes when tcplab runs in a web browser (pyodide: ``sys.platform == "emscripten"``).

- `prepare` (called by ``import tcplab``) readies the browser for scapy and matplotlib: it gives
  scapy the /etc/protocols and /etc/services it reads to name protocols and ports, keeps its
  messages about the interfaces, IPv6 and packet I/O a browser lacks out of the notebook, drops
  matplotlib's "building the font cache" notice (the cache is rebuilt on every cold start), and
  puts the notebook's folder last on ``sys.path`` so that each import does not first look for
  the module there (JupyterLite serves that folder over HTTP: one request per lookup).
- `recorded_in_browser` wraps the chapters' real-socket demos: a browser has no sockets, so
  there a demo prints one sentence saying so and returns the result recorded on Linux for the
  same call (tcplab/recordings/socket-demos.json, written by `record_socket_demos`).

Outside a browser nothing here changes anything.
"""

import ast
import functools
import inspect
import json
import logging
import os
import sys

IN_BROWSER = sys.platform == "emscripten"
NO_SOCKETS = ("A browser has no sockets, so this is the result of the same call recorded on Linux "
              "(127.0.0.1):")

#: The names scapy shows for the protocols and ports of the book's packets (IANA's names, as in
#: Debian's netbase files).
ETC_FILES = {
    "/etc/protocols": "ip 0 IP\nicmp 1 ICMP\ntcp 6 TCP\nudp 17 UDP\nipv6 41 IPv6\nipv6-icmp 58 IPv6-ICMP\n",
    "/etc/services": ("ftp-data 20/tcp\nftp 21/tcp\nssh 22/tcp\ntelnet 23/tcp\nsmtp 25/tcp\n"
                      "domain 53/tcp\ndomain 53/udp\nhttp 80/tcp www\nhttps 443/tcp\n"),
}


def prepare():
    """In a browser, ready scapy and matplotlib as the module docstring says; elsewhere do nothing."""
    if not IN_BROWSER:
        return
    for path, text in ETC_FILES.items():
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as file:
                file.write(text)
    logging.getLogger("scapy").setLevel(logging.ERROR)
    # What scapy logs while loading is, in a browser, about what a browser lacks: "does not
    # support emscripten! I/O will NOT work!" and, from `scapy.all`, tracebacks of the layers
    # that need IPv6 sockets.
    logging.getLogger("scapy.loading").setLevel(logging.CRITICAL + 1)
    _drop("scapy.interactive", "Loading module")   # scapy sets this logger's level itself
    _drop("matplotlib.font_manager", "building the font cache")
    here = ("", ".", os.getcwd())
    sys.path.sort(key=lambda entry: entry in here)


def _drop(logger, text):
    """Drop the records of *logger* whose message contains *text*."""
    logging.getLogger(logger).addFilter(lambda record: text not in record.getMessage())


# ----------------------------------------------------------------- recorded socket demos
def call_key(function, args, kwargs):
    """``name(arg=value, ...)`` with every argument, defaults included: how a call is recorded."""
    bound = inspect.signature(function).bind(*args, **kwargs)
    bound.apply_defaults()
    return f"{function.__name__}({', '.join(f'{k}={v!r}' for k, v in bound.arguments.items())})"


def _recordings():
    from ..io.recordings import DIRECTORY, SOCKET_DEMOS  # not loaded by `import tcplab`
    return json.loads((DIRECTORY / SOCKET_DEMOS).read_text())


def recorded_in_browser(rebuild=None):
    """Decorator for a real-socket demo: in a browser, print NO_SOCKETS and return the recorded result.

    Results are stored as Python literals (``repr``; a dataclass as its fields); *rebuild* turns
    the literal back into the demo's result type.  A call that was not recorded raises OSError
    naming the calls that were.
    """
    def decorate(function):
        @functools.wraps(function)
        def demo(*args, **kwargs):
            if not IN_BROWSER:
                return function(*args, **kwargs)
            key = call_key(function, args, kwargs)
            recorded = _recordings()
            if key not in recorded:
                ours = sorted(k for k in recorded if k.startswith(function.__name__ + "("))
                raise OSError(f"a browser has no sockets, and only these calls of {function.__name__} were "
                              f"recorded on Linux: {'; '.join(ours)}; got {key}")
            print(NO_SOCKETS)
            value = ast.literal_eval(recorded[key])
            return rebuild(value) if rebuild else value
        return demo
    return decorate


def record_socket_demos(calls, directory):
    """Run each (demo, args, kwargs) of *calls* on real sockets and store the results in *directory*."""
    recorded = {}
    for demo, args, kwargs in calls:
        result = demo.__wrapped__(*args, **kwargs)
        fields = getattr(result, "__dataclass_fields__", None)
        literal = {name: getattr(result, name) for name in fields} if fields else result
        recorded[call_key(demo.__wrapped__, args, kwargs)] = repr(literal)
    from ..io.recordings import SOCKET_DEMOS
    path = os.path.join(directory, SOCKET_DEMOS)
    with open(path, "w") as file:
        file.write(json.dumps(recorded, indent=1) + "\n")
    return path
