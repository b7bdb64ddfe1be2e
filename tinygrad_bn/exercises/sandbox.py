"""Run the learner's file in its own process, with a time limit and bounded output.

The checker writes the inputs to a temporary folder, starts runner.py in a
new process (and process group), and waits at most `timeout` seconds while
the learner's prints go to a file that may not grow past MAX_OUTPUT bytes.
Only plain arrays come back (`np.load(allow_pickle=False)`); the reference
gradients are computed in the checker's process, which never runs the
learner's code. Whatever happens (an endless loop, os._exit, a closed
stdout, Ctrl-C) the learner's process is killed and the folder removed.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAX_OUTPUT = 1_000_000  # bytes the learner's file may print
MAX_RETURNED = 200_000_000  # bytes of arrays it may send back
POLL = 0.02  # seconds between looks at the learner's process
STARTUP = 60.0  # seconds python and numpy may take to start, before the learner's time begins
RUNNER = Path(__file__).resolve().with_name("runner.py")


@dataclass
class Returned:
    """What the learner's process sent back, or `error` when it sent nothing usable."""

    error: str = ""
    parts: list = field(default_factory=list)  # per call: {"error": str | None, "values": {...}}
    output: str = ""  # what the learner's file printed (at most MAX_OUTPUT bytes)


def run_learner(path: Path, number: int, calls: list, arrays: dict, timeout: float) -> Returned:
    """Run the calls of `calls` on `arrays` in a fresh process; see runner.py for the protocol."""
    with tempfile.TemporaryDirectory(
        prefix="tinygrad_bn_check_", ignore_cleanup_errors=True
    ) as folder:
        folder = Path(folder)
        spec = {"file": str(path.resolve()), "name": f"exercise_{number}", "calls": calls}
        (folder / "calls.json").write_text(json.dumps(spec), encoding="utf-8")
        np.savez(folder / "inputs.npz", **arrays)
        with open(folder / "output.txt", "wb") as output:
            problem = _wait(_start(folder, path, output), folder, timeout)
        printed = _read_output(folder / "output.txt")
        if problem:
            return Returned(error=problem, output=printed)
        return _collect(folder, len(calls), printed)


def _start(folder, path, output):
    env = dict(os.environ, PYTHONUNBUFFERED="1")  # so that prints before a hang are shown
    command = [sys.executable, str(RUNNER), str(folder)]
    return subprocess.Popen(
        command,
        cwd=path.resolve().parent,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: Ctrl-C goes to the checker only
    )


def _wait(process, folder, timeout) -> str:
    """Why the learner's process was stopped, or "" when it ended by itself in time."""
    deadline = time.monotonic() + STARTUP + timeout
    started = False  # the learner's time starts when their file starts running
    try:
        while process.poll() is None:
            if not started and (folder / "progress.txt").exists():
                started, deadline = True, time.monotonic() + timeout
            if time.monotonic() > deadline:
                return (
                    f"your code did not finish within {timeout:g} s (while running "
                    f"{_progress(folder)}): an endless loop? It was stopped. On a slow machine, "
                    "give it more time with --timeout SECONDS"
                )
            if _size(folder / "output.txt") > MAX_OUTPUT:
                return (
                    f"your code printed more than {MAX_OUTPUT // 1_000_000} MB (while running "
                    f"{_progress(folder)}): a print inside a loop? It was stopped"
                )
            time.sleep(POLL)
        return ""
    finally:
        _kill(process)


def _size(path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # the learner's code removed it
        return 0


def _kill(process):
    """End the learner's process and anything it started (its whole process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _progress(folder) -> str:
    try:
        what = (folder / "progress.txt").read_text(encoding="utf-8").strip()
    except OSError:
        return "the start of the check"
    return what if " " in what else f"{what}()"


def _read_output(path) -> str:
    try:
        with open(path, "rb") as f:
            return f.read(MAX_OUTPUT).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _collect(folder, count, printed) -> Returned:
    done = folder / "returned.json"
    if not done.is_file():
        return Returned(
            error=(
                f"the check's process ended while running {_progress(folder)} without sending "
                "back its results: does your code call os._exit(), os.kill() or sys.exit() from "
                "a thread or an atexit hook, or touch the check's own files? Remove that"
            ),
            output=printed,
        )
    try:
        result = json.loads(done.read_text(encoding="utf-8"))
        if (folder / "returned.npz").stat().st_size > MAX_RETURNED:
            raise ValueError("too many numbers sent back")
        with np.load(folder / "returned.npz", allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        notes = result["notes"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        return Returned(error=f"the check's results could not be read back ({error})")
    if result.get("error"):
        return Returned(error=str(result["error"]), output=printed)
    parts = []
    for index in range(count):
        prefix = f"{index}."
        values = {
            key[len(prefix) :]: arrays.get(key) if note == "array" else note
            for key, note in notes.items()
            if key.startswith(prefix)
        }
        entry = result["parts"][index] if index < len(result["parts"]) else {"error": "not run"}
        parts.append({"error": entry.get("error"), "values": values})
    return Returned(parts=parts, output=printed)
