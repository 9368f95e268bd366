"""tcplab.io.recordings: the captures shipped with the book load as full conversations, as package data."""

import pytest

from tcplab import Flags, State, Event, Host, Kind
from tcplab.io import recordings

from .helpers import path_of


# ------------------------------------------------------------------ shipped captures
@pytest.mark.parametrize("name", list(recordings.LOOPBACK))
def test_recorded_captures_load_with_a_full_conversation(name):
    trace = recordings.load_capture(name)
    assert [h.name for h in trace.hosts] == ["client", "server"]
    assert all(h.ip == "127.0.0.1" for h in trace.hosts)
    flags = [(e.host, e.segment.flags) for e in trace.filter(Kind.SEND)]
    assert flags[:3] == [("client", Flags.SYN), ("server", Flags.SYN | Flags.ACK), ("client", Flags.ACK)]
    for host in ("client", "server"):
        assert any(f & Flags.FIN for h, f in flags if h == host)
    states = {h: path_of(trace, h) for h in ("client", "server")}
    assert State.ESTABLISHED in states["client"] and State.ESTABLISHED in states["server"]
    closer = "server" if name == "loopback-server-closes-first" else "client"
    assert states[closer][-1] is State.TIME_WAIT
    assert states[trace.peer_of(closer)][-2:] == [State.LAST_ACK, State.CLOSED]


def test_linux_closes_in_three_segments_when_the_server_closes_at_once():
    trace = recordings.load_capture("loopback-three-segment-close")
    sends = trace.filter(Kind.SEND)
    fins = [i for i, e in enumerate(sends) if e.segment.flags & Flags.FIN]
    assert len(sends) - fins[0] == 3  # FIN/ACK, FIN/ACK, ACK
    assert State.FIN_WAIT_2 not in trace.states("client")


def test_load_capture_names_the_allowed_captures():
    with pytest.raises(ValueError, match="loopback-session"):
        recordings.load_capture("nope")


def test_load_capture_explains_a_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="--record"):
        recordings.load_capture("loopback-session", directory=tmp_path)


def test_hosts_and_events_types():
    trace = recordings.load_capture("loopback-session")
    assert all(isinstance(h, Host) for h in trace.hosts)
    assert all(isinstance(e, Event) for e in trace.events)


# ------------------------------------------------------------------ the recordings are package data
def test_recordings_ship_inside_the_package_as_package_data():
    import tomllib
    from fnmatch import fnmatch
    from importlib import resources
    from pathlib import Path
    package = Path(str(resources.files("tcplab")))
    assert recordings.DIRECTORY.parent == package
    root = package.parent / "pyproject.toml"
    if not root.is_file():
        pytest.skip("tcplab is installed, not checked out: pyproject.toml is not beside it")
    patterns = tomllib.loads(root.read_text())["tool"]["setuptools"]["package-data"]["tcplab"]
    shipped = sorted(p.relative_to(package).as_posix() for p in recordings.DIRECTORY.iterdir())
    assert shipped and all(any(fnmatch(name, pattern) for pattern in patterns) for name in shipped)
    for name in recordings.LOOPBACK:
        assert recordings.capture_path(name).is_file()


def test_every_shipped_file_is_a_known_recording():
    assert sorted(p.name for p in recordings.DIRECTORY.iterdir()) == recordings.files()
