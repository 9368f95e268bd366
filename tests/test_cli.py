"""The command line (tcplab.cli): python -m tcplab list | show | pcap | diagram | kernel | capture | linux-sockets."""

import subprocess
import sys

import pytest

from tcplab import scenarios
from tcplab.cli import main


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_names_every_scenario_with_its_description(capsys):
    code, out, _ = run_cli(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == scenarios.names()
    assert scenarios.describe("lost-final-ack") in out


def test_show_prints_the_table(capsys):
    code, out, _ = run_cli(capsys, "show", "handshake")
    assert code == 0 and out == scenarios.run("handshake").table() + "\n"


def test_pcap_writes_every_segment(capsys, tmp_path):
    path = tmp_path / "lost.pcap"
    code, out, _ = run_cli(capsys, "pcap", "lost-final-ack", str(path))
    assert code == 0 and path.stat().st_size > 24
    from scapy.utils import rdpcap
    assert len(rdpcap(str(path))) == len(scenarios.run("lost-final-ack").segments())
    assert f"to {path}" in out


def test_diagram_writes_svg(capsys, tmp_path):
    pytest.importorskip("tcplab.views", reason="tcplab.views is not there yet")
    path = tmp_path / "ladder.svg"
    code, _, err = run_cli(capsys, "diagram", "handshake", str(path))
    assert code == 0, err
    assert "<svg" in path.read_text()


@pytest.mark.parametrize("args, message", [
    (["show", "nope"], "NAME must be one of handshake"),
    (["pcap", "nope", "x.pcap"], "NAME must be one of"),
    (["pcap", "handshake", "/no/such/dir/x.pcap"], "FILE must be in an existing directory"),
    (["diagram", "handshake", "ladder.png"], "FILE must end in .svg"),
])
def test_mistakes_get_one_line_on_stderr_and_a_nonzero_exit(capsys, tmp_path, args, message):
    code, out, err = run_cli(capsys, *args)
    assert code != 0 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_pcap_into_a_directory_is_refused(capsys, tmp_path):
    code, _, err = run_cli(capsys, "pcap", "handshake", str(tmp_path))
    assert code != 0 and "is a directory" in err


def test_the_module_runs_as_a_program():
    result = subprocess.run([sys.executable, "-m", "tcplab", "show", "nope"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert result.stderr.startswith("error: NAME must be one of") and "Traceback" not in result.stderr
    result = subprocess.run([sys.executable, "-m", "tcplab", "list"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "handshake" in result.stdout


def test_a_missing_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2


def test_capture_record_into_a_bad_directory_is_one_line_and_exit_2(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = subprocess.run([sys.executable, "-m", "tcplab", "capture", "--record", str(blocker / "below")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: --record DIR must be a directory") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_kernel_clean_names_what_it_removed_or_why_it_cannot():
    import os
    result = subprocess.run([sys.executable, "-m", "tcplab", "kernel", "--clean"], capture_output=True, text=True,
                            timeout=60)
    if os.geteuid() == 0:
        assert result.returncode == 0 and "Traceback" not in result.stderr
        assert all(line == "nothing to remove" or line.startswith("removed tcplab-")
                   for line in result.stdout.splitlines())
    else:
        assert result.returncode == 1 and "needs root" in result.stderr and "Traceback" not in result.stderr


def test_capture_main_without_arguments_prints_usage(capsys):
    assert main(["capture"]) == 0
    assert "usage" in capsys.readouterr().out


@pytest.mark.parametrize("make_bad", [lambda tmp: tmp / "a-file", lambda tmp: tmp / "a-file" / "below"])
def test_record_into_a_directory_that_cannot_be_made_is_one_line_and_exit_2(capsys, tmp_path, make_bad):
    (tmp_path / "a-file").write_text("not a directory")
    code = main(["capture", "--record", str(make_bad(tmp_path))])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("error: --record DIR must be a directory") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_linux_sockets_record_reruns_the_named_experiments_or_all(capsys, monkeypatch):
    from tcplab.live import linuxsockets
    asked = []
    monkeypatch.setattr(linuxsockets, "record", lambda names=None: asked.append(names) or "linux-sockets.json")
    assert run_cli(capsys, "linux-sockets", "--record", "time-wait-syn", "nagle-stall")[:2] == \
        (0, "wrote linux-sockets.json\n")
    assert run_cli(capsys, "linux-sockets", "--record")[0] == 0
    assert asked == [["time-wait-syn", "nagle-stall"], None]
    with pytest.raises(SystemExit) as exit_:
        main(["linux-sockets", "--record", "no-such-experiment"])
    assert exit_.value.code == 2 and "invalid choice: 'no-such-experiment'" in capsys.readouterr().err
