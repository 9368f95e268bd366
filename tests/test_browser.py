"""tcplab in a web browser (tcplab/live/browser.py): the socket demos replay their Linux recordings, and
`prepare` readies scapy, as if sys.platform were "emscripten"."""

import importlib.util
import logging
import sys
from pathlib import Path

import pytest

from tcplab.chapters.handshake import AcceptDemo, accept_demo
from tcplab.chapters.transfer import stream_demo
from tcplab.live import browser

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "record_socket_demos.py"
spec = importlib.util.spec_from_file_location("record_socket_demos", SCRIPT)
record_socket_demos = importlib.util.module_from_spec(spec)
spec.loader.exec_module(record_socket_demos)
CALLS = record_socket_demos.CALLS


@pytest.fixture
def in_browser(monkeypatch):
    monkeypatch.setattr(browser, "IN_BROWSER", True)


@pytest.mark.parametrize("demo, args, kwargs", CALLS, ids=lambda c: getattr(c, "__name__", ""))
def test_a_recorded_call_replays_what_real_sockets_return_here(demo, args, kwargs, monkeypatch, capsys):
    live = demo(*args, **kwargs)
    monkeypatch.setattr(browser, "IN_BROWSER", True)
    assert demo(*args, **kwargs) == live
    assert capsys.readouterr().out == browser.NO_SOCKETS + "\n"


def test_the_recorded_accept_demo_is_an_accept_demo(in_browser):
    result = accept_demo(clients=3)
    assert isinstance(result, AcceptDemo) and result.connected_before_accept == 3


def test_a_call_that_was_not_recorded_says_which_were(in_browser):
    with pytest.raises(OSError, match=r"no sockets.*stream_demo\(messages=\[b'hello ', .*got stream_demo\("
                                      r"messages=\[b'other'\]"):
        stream_demo([b"other"])


def test_recording_writes_what_the_demos_return(tmp_path):
    path = browser.record_socket_demos(CALLS[:1], tmp_path)
    assert Path(path).read_text().count("accept_demo(clients=3, backlog=8, timeout=5.0)") == 1


def test_prepare_does_nothing_outside_a_browser(monkeypatch):
    monkeypatch.setattr(sys, "path", ["", "/lib"])
    browser.prepare()
    assert sys.path == ["", "/lib"]


def test_prepare_gives_scapy_its_files_and_puts_the_notebook_folder_last(in_browser, monkeypatch, tmp_path):
    files = {str(tmp_path / "etc" / "protocols"): "tcp 6 TCP\n", str(tmp_path / "etc" / "services"): "http 80/tcp\n"}
    monkeypatch.setattr(browser, "ETC_FILES", files)
    monkeypatch.setattr(sys, "path", ["", "/drive", "/lib/python312.zip", "/lib"])
    monkeypatch.chdir("/")
    monkeypatch.setattr(browser.os, "getcwd", lambda: "/drive")
    for name in ("scapy", "scapy.loading"):
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "level", logger.level)
    fonts, interactive = logging.getLogger("matplotlib.font_manager"), logging.getLogger("scapy.interactive")
    for logger in (fonts, interactive):
        monkeypatch.setattr(logger, "filters", [])
    browser.prepare()
    assert sys.path == ["/lib/python312.zip", "/lib", "", "/drive"]
    assert all(Path(p).read_text() == text for p, text in files.items())
    assert logging.getLogger("scapy").level == logging.ERROR
    assert logging.getLogger("scapy.loading").getEffectiveLevel() > logging.CRITICAL
    notice = fonts.makeRecord(fonts.name, logging.WARNING, "", 0,
                              "Matplotlib is building the font cache; this may take a moment.", (), None)
    assert not fonts.filter(notice)
    assert fonts.filter(fonts.makeRecord(fonts.name, logging.WARNING, "", 0, "findfont: other", (), None))
    assert not interactive.filter(interactive.makeRecord(interactive.name, logging.ERROR, "", 0,
                                                         "Loading module %s", ("scapy.layers.dns",), None))
