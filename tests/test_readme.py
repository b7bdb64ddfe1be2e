"""The README's examples run, and its set-up commands are the ones CI runs."""

import re
from pathlib import Path

from test_docs import python_blocks

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_every_python_block_in_the_readme_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks(README)
    assert len(blocks) >= 3, "the README shows the scalar engine, the tensor engine and BatchNorm"
    for line, source in blocks:
        exec(compile("\n" * line + source, str(README), "exec"), {"__name__": "readme"})


def test_ci_runs_the_readme_test_command_exactly():
    setup = README.read_text(encoding="utf-8").split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```console\n(.+?)\n```", setup)
    assert len(commands) == 2, "the set-up is two commands: one runs the demo, one the tests"
    demo, tests = commands
    assert "tinygrad-bn demo" in demo and "pytest" in tests
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert tests in ci_lines, f"CI must run the README's test command exactly: {tests!r}"
