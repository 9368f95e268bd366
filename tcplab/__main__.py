"""The command line: ``python -m tcplab list | show NAME | pcap NAME FILE | diagram NAME FILE.svg``."""

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
    return main


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # e.g. piped into `head`
        return 0
    except OSError as error:
        print(f"error: {error.strerror or error} ({error.filename or ''})".replace(" ()", ""), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
