"""The `tinygrad-bn` command never shows a traceback: bad input gets one line naming the problem
and the fix, and Ctrl-C prints one line and exits with 130 in every subcommand."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tinygrad_bn import cli, demo, viz_examples
from tinygrad_bn.exercises import cli as exercises_cli


def one_error_line(capsys, start):
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(start), captured.err
    assert "Traceback" not in captured.out + captured.err
    return lines[0]


# ---- graph --------------------------------------------------------------------------------------


def test_graph_into_a_missing_folder_names_the_folder_and_the_fix(tmp_path, capsys):
    out = tmp_path / "no-such-folder" / "neuron.svg"
    assert cli.main(["graph", "neuron", "-o", str(out)]) == 1
    line = one_error_line(capsys, "tinygrad-bn graph: ")
    assert f"the folder {out.parent} does not exist" in line and "mkdir -p" in line


def test_graph_onto_a_directory_asks_for_a_file_name_inside_it(tmp_path, capsys):
    folder = tmp_path / "pictures.svg"
    folder.mkdir()
    assert cli.main(["graph", "neuron", "-o", str(folder)]) == 1
    line = one_error_line(capsys, "tinygrad-bn graph: ")
    assert "is a folder" in line and str(folder / "graph.svg") in line


@pytest.mark.parametrize("depth", ["-1", "0"])
def test_graph_collapse_below_one_names_the_depths_it_takes(tmp_path, capsys, depth):
    assert cli.main(["graph", "neuron", "--collapse", depth, "-o", str(tmp_path / "n.svg")]) == 2
    line = one_error_line(capsys, "tinygrad-bn graph: ")
    assert f"--collapse {depth}" in line and "a depth of 1 or more" in line


# ---- demo ---------------------------------------------------------------------------------------


def test_demo_out_onto_a_file_asks_for_a_folder_and_leaves_the_file(tmp_path, capsys):
    target = tmp_path / "report.txt"
    target.write_text("mine")
    assert cli.main(["demo", "1", "--quick", "--out", str(target)]) == 2
    line = one_error_line(capsys, "tinygrad-bn demo: ")
    assert "is a file, not a folder" in line and target.read_text() == "mine"


@pytest.mark.parametrize("count", [1, 2, 3])
def test_demo_with_too_few_names_says_how_many_it_needs(tmp_path, capsys, count):
    names = tmp_path / "names.txt"
    names.write_text("\n".join(["emma", "olivia", "ava"][:count]) + "\n")
    argv = ["demo", "1", "--quick", "--data", str(names), "--out", str(tmp_path / "r")]
    assert cli.main(argv) == 1
    line = one_error_line(capsys, "tinygrad-bn demo: ")
    assert f"only {count} name(s)" in line and "at least 10 names" in line
    assert list((tmp_path / "r").iterdir()) == []  # nothing half-written


# ---- Ctrl-C -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module, argv",
    [
        (viz_examples, ["graph", "neuron"]),
        (demo, ["demo", "1"]),
        (exercises_cli, ["exercises", "list"]),
    ],
)
def test_ctrl_c_in_any_subcommand_prints_one_line_and_exits_130(monkeypatch, capsys, module, argv):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "run", interrupted)
    assert cli.main(argv) == 130
    line = one_error_line(capsys, f"tinygrad-bn {argv[0]}: interrupted (Ctrl-C)")
    assert "either the old one or the new one" in line


def test_a_real_ctrl_c_during_the_demo_leaves_the_old_report_whole(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    old = {"README.md": b"# the old report\n", "loss_curves.png": b"\x89PNG old picture"}
    for name, data in old.items():
        (out / name).write_bytes(data)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    run = subprocess.Popen(
        [sys.executable, "-m", "tinygrad_bn.cli", "demo", "--quick", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        # Ctrl-C as in a terminal, even when the suite itself runs in the background (which
        # starts every child with SIGINT ignored)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    run.stdout.readline()  # the tour has started writing into its report
    time.sleep(0.3)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130
    *before, last = [line for line in err.decode().splitlines() if line.strip()]
    assert last == (
        "tinygrad-bn demo: interrupted (Ctrl-C); every file is either the old one or the new one"
    )
    # a fast machine may finish a training run before the signal: its progress line comes first
    assert all(re.search(r"\[[#.]+\] +\d+% \d+/\d+", line) for line in before), before
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old  # no mix, no partial file
