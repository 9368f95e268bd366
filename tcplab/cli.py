"""Every command line of tcplab, run as ``python -m tcplab COMMAND``.

    python -m tcplab list | show NAME | pcap NAME FILE | diagram NAME FILE.svg   # the simulated scenarios
    python -m tcplab kernel [NAME | --list | --clean]          # tcplab against Linux (root)
    python -m tcplab capture --record [DIR] | --show NAME      # the shipped loopback captures
    python -m tcplab linux-sockets --record [NAME ...] | --show NAME   # the recorded Linux socket experiments

A mistake by the user is one line on stderr and exit status 2; the live commands
import their drivers (scapy, sockets) only when they run.
"""

import argparse
import os
import sys
from pathlib import Path

from .io.pcap import write_pcap
from .sim import scenarios


class CommandError(Exception):
    """A mistake by the user: printed as one line on stderr, exit status 2."""


def cmd_list(args):
    """Print every scenario with its one-line description."""
    width = max(len(name) for name in scenarios.names())
    for name in scenarios.names():
        print(f"{name:<{width}}  {scenarios.describe(name)}")


def cmd_show(args):
    """Print the scenario's trace as a table."""
    print(_trace(args.name).table())


def cmd_pcap(args):
    """Write the scenario's segments to a pcap file."""
    path = _writable(args.file)
    count = write_pcap(_trace(args.name), path)
    print(f"wrote {count} packets to {path}")


def cmd_diagram(args):
    """Draw the scenario's ladder diagram as SVG."""
    path = _writable(args.file)
    if path.suffix.lower() != ".svg":
        raise CommandError(f"FILE must end in .svg, got {str(path)!r}")
    trace = _trace(args.name)
    try:
        from . import views as plot
    except ImportError as error:
        raise CommandError(f"diagrams need tcplab.views and matplotlib ({error})") from None
    svg = plot.to_svg(plot.ladder(trace))
    path.write_text(svg if isinstance(svg, str) else svg.decode("utf-8"), encoding="utf-8")
    print(f"wrote {path}")


def cmd_kernel(args):
    """List the kernel scenarios, remove stale namespaces, or run one beside the model and print both."""
    from .live import kernel, netns
    if args.clean:
        try:
            removed = netns.remove_stale()
        except (PermissionError, RuntimeError) as error:
            print(f"error: cannot remove stale namespaces: {error}", file=sys.stderr)
            return 1
        print("\n".join(f"removed {name}" for name in removed) or "nothing to remove")
    elif args.list or not args.name:
        for name in kernel.names():
            print(f"{name:<20} {kernel.describe(name)}")
    else:
        try:
            kernel_trace, _, comparison = kernel.compare(args.name)
        except (ValueError, RuntimeError) as error:
            raise CommandError(error) from None
        print(kernel_trace.table())
        print()
        print(comparison.table())
    return 0


def cmd_capture(args):
    """Record the shipped loopback captures, or print one."""
    from .io import recordings
    if args.record:
        try:
            directory = recordings.writable_directory("--record DIR", args.record)
        except ValueError as error:
            raise CommandError(error) from None
        from .live import capture
        if not capture.can_capture():
            print("error: recording needs root or CAP_NET_RAW", file=sys.stderr)
            return 1
        for path in capture.record_all(directory):
            print(f"wrote {path}")
    elif args.show:
        print(recordings.load_capture(args.show).table())
    else:
        print(args.usage(), end="")
    return 0


def cmd_linux_sockets(args):
    """Re-record the Linux socket experiments (all, or those named), or print one's recorded result."""
    from .live import linuxsockets
    if args.record is not None:
        print(f"wrote {linuxsockets.record(args.record or None)}")
    elif args.show:
        linuxsockets.show(args.show)
    else:
        print(args.usage(), end="")
    return 0


def _trace(name):
    if name not in scenarios.names():
        raise CommandError(f"NAME must be one of {', '.join(scenarios.names())}; got {name!r} "
                           "(see 'python -m tcplab list')")
    return scenarios.run(name)


def _writable(file):
    path = Path(file)
    if path.is_dir():
        raise CommandError(f"FILE must be a file name, but {str(path)!r} is a directory")
    if not path.parent.is_dir():
        raise CommandError(f"FILE must be in an existing directory; {str(path.parent)!r} does not exist")
    return path


def parser():
    main = argparse.ArgumentParser(prog="python -m tcplab", description="Run tcplab's TCP scenarios.")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("list", help="scenario names with one-line descriptions").set_defaults(run=cmd_list)
    show = commands.add_parser("show", help="print a scenario's trace")
    show.add_argument("name", metavar="NAME")
    show.set_defaults(run=cmd_show)
    pcap = commands.add_parser("pcap", help="write a scenario to a pcap file")
    pcap.add_argument("name", metavar="NAME")
    pcap.add_argument("file", metavar="FILE")
    pcap.set_defaults(run=cmd_pcap)
    diagram = commands.add_parser("diagram", help="draw a scenario's ladder diagram as SVG")
    diagram.add_argument("name", metavar="NAME")
    diagram.add_argument("file", metavar="FILE.svg")
    diagram.set_defaults(run=cmd_diagram)
    kernel = commands.add_parser("kernel", help="run tcplab against the Linux TCP stack in a private namespace")
    kernel.add_argument("name", metavar="NAME", nargs="?", help="a kernel scenario (see --list)")
    kernel.add_argument("--list", action="store_true", help="list the kernel scenarios")
    kernel.add_argument("--clean", action="store_true", help="remove namespaces left by killed runs")
    kernel.set_defaults(run=cmd_kernel)
    from .io.recordings import DIRECTORY, LOOPBACK
    from .live.linuxsockets import EXPERIMENTS
    capture = commands.add_parser("capture", help="the loopback captures shipped in tcplab/recordings")
    what = capture.add_mutually_exclusive_group()
    what.add_argument("--record", metavar="DIR", nargs="?", const=str(DIRECTORY),
                      help=f"record them into DIR (default {DIRECTORY}; root or CAP_NET_RAW)")
    what.add_argument("--show", metavar="NAME", choices=list(LOOPBACK), help="print a recorded capture")
    capture.set_defaults(run=cmd_capture, usage=capture.format_usage)
    sockets = commands.add_parser("linux-sockets", help="the recorded experiments on real Linux sockets")
    what = sockets.add_mutually_exclusive_group()
    what.add_argument("--record", metavar="NAME", nargs="*", choices=list(EXPERIMENTS),
                      help="run the experiments NAME (default: all) again and record their results (root)")
    what.add_argument("--show", metavar="NAME", choices=list(EXPERIMENTS), help="print an experiment's recorded result")
    sockets.set_defaults(run=cmd_linux_sockets, usage=sockets.format_usage)
    return main


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        code = args.run(args)
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # e.g. piped into `head`
        return 0
    except OSError as error:
        print(f"error: {error.strerror or error} ({error.filename or ''})".replace(" ()", ""), file=sys.stderr)
        return 1
    return code or 0
