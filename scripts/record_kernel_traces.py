"""Record the real-traffic data of the chapter "Watch your own kernel" into tcplab/recordings (needs root).

    sudo .venv/bin/python scripts/record_kernel_traces.py            # everything below
    sudo .venv/bin/python scripts/record_kernel_traces.py --only zero-window

- ``kernel-<scenario>.json``: each scenario of `tcplab.io.recordings.KERNEL_RUNS`, run by
  `tcplab.live.kernel` (tcplab's endpoint against Linux through a TUN device in a private
  network namespace), stored with `tcplab.io.tracejson.save_trace`;
- ``loopback-zero-window.pcap``: a loopback connection whose reader pauses, so the
  window closes and the sender probes it (`tcplab.live.capture.capture_zero_window`).

The loopback handshake/teardown captures are recorded by ``python -m tcplab capture --record``.
After recording, re-execute the chapter: ``python scripts/execute_notebooks.py book/kernel.ipynb``.
"""

import argparse
import sys

from tcplab.io import recordings
from tcplab.io.tracejson import save_trace
from tcplab.live import capture, kernel


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--directory", default=str(recordings.DIRECTORY),
                        help=f"where to write (default {recordings.DIRECTORY})")
    parser.add_argument("--only", choices=["kernel", "zero-window"], help="record only one kind")
    args = parser.parse_args(argv)
    try:
        directory = recordings.writable_directory("--directory", args.directory)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.only != "zero-window":
        ok, reason = kernel.available()
        if not ok:
            print(f"error: kernel runs need root here: it {reason}", file=sys.stderr)
            return 1
        for name, options in recordings.KERNEL_RUNS.items():
            path = recordings.kernel_run_path(name, directory)
            save_trace(kernel.run(name, **options), path)
            print(f"wrote {path}")
    if args.only != "kernel":
        if not capture.can_capture():
            print("error: capturing on lo needs root or CAP_NET_RAW", file=sys.stderr)
            return 1
        from scapy.utils import wrpcap
        path = recordings.capture_path(recordings.ZERO_WINDOW, directory)
        wrpcap(str(path), capture.capture_zero_window())
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
