"""Read and run a learner's exercise file: every failure becomes a message, never a traceback.

A file says which exercise it is with a line `EXERCISE = N` (the templates have it).
`read_source` only reads and compiles (safe in the checker's process);
`run_file` and `call_learner` execute the learner's code, and the checker
calls them only in the learner's own process (runner.py).
"""

import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

MARKER = re.compile(r"^EXERCISE\s*=\s*(\d+)\b", re.MULTILINE)


@dataclass
class Source:
    """The file's text and exercise number, or `error`: what is wrong with the file itself."""

    path: Path
    number: int | None
    text: str = ""
    error: str = ""


def exercise_number(source: str) -> int | None:
    """N from the first line `EXERCISE = N`, or None when the marker is missing."""
    match = MARKER.search(source)
    return int(match.group(1)) if match else None


def read_source(path) -> Source:
    """Read and compile `path` without running it."""
    path = Path(path)
    if path.is_dir():
        inside = sorted(p.name for p in path.glob("ex*.py"))
        example = f", e.g. {path / inside[0]}" if inside else ""
        return Source(
            path, None, error=f"{path} is a folder, not a file: give the exercise file{example}"
        )
    if not path.is_file():
        return Source(
            path,
            None,
            error=f"no such file: {path}; start an exercise with `tinygrad-bn exercises start N`",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Source(path, None, error=f"cannot read {path}: {error}")
    number = exercise_number(text)
    where = f"exercise {number}" if number is not None else "this file"
    try:
        compile(text, str(path), "exec")
    except (SyntaxError, ValueError) as error:
        line = (getattr(error, "text", "") or "").strip()
        pointer = f"\n    {line}" if line else ""
        at = f" line {error.lineno}" if getattr(error, "lineno", None) else ""
        message = getattr(error, "msg", str(error))
        return Source(
            path, number, text, error=f"{where}: {path.name}{at}: syntax error: {message}{pointer}"
        )
    return Source(path, number, text)


def run_file(path, name: str):
    """(module, None) or (None, message): run `path` as a fresh module called `name`."""
    path = Path(path)
    source = read_source(path)
    if source.error:
        return None, source.error
    module = ModuleType(name)
    module.__file__ = str(path)
    try:
        exec(compile(source.text, str(path), "exec"), module.__dict__)
    except BaseException as error:  # top-level code may raise anything, even SystemExit
        where = f"exercise {source.number}" if source.number is not None else "this file"
        return None, f"{where}: running {path.name} failed: {describe_exception(error, path)}"
    return module, None


def load_exercise_file(path):
    """Run `path` in this process (for scripts that train with the learner's own code)."""
    return run_file(path, "tinygrad_bn_exercise")


def describe_exception(error: BaseException, path) -> str:
    """'ValueError: message (line 12, in backward)', pointing at the learner's own file."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename) == Path(path)
    ]
    where = ""
    if frames:
        code = (frames[-1].line or "").strip()
        where = f" (line {frames[-1].lineno}, in {frames[-1].name}: `{code}`)"
    message = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {message[0] if message else ''}".rstrip(": ")
    return text + where + _explain(error)


def _explain(error) -> str:
    """numpy's words for a shape mismatch, said in the exercise's words."""
    text = str(error)
    if isinstance(error, RecursionError):
        return (
            ". A recursive walk of the graph goes deeper than Python allows: walk it with an "
            "explicit stack (a list you push to and pop from) instead"
        )
    if "matmul" in text and "mismatch" in text:
        return (
            ". The factors of a matrix product do not fit: for out = A @ B, dA = dout @ B.T "
            "(the shape of A) and dB = A.T @ dout (the shape of B); check which factor is "
            "transposed"
        )
    if "could not be broadcast" in text:
        return (
            ". Two arrays of these shapes cannot be combined: a gradient has the shape of its "
            "variable; check the shapes of the factors (a transpose, or a sum that lost "
            "keepdims=True?)"
        )
    return ""


def call_learner(module: ModuleType, name: str, path, *args, **kwargs):
    """(result, None) or (None, message) for module.name(*args, **kwargs)."""
    path = Path(path)
    function = getattr(module, name, None)
    if function is None:
        return None, (
            f"{path.name} has no function `{name}`; it should define `def {name}(...)` "
            "as the template does"
        )
    if not callable(function):
        return None, f"`{name}` in {path.name} is a {type(function).__name__}, not a function"
    try:
        return function(*args, **kwargs), None
    except BaseException as error:  # even KeyboardInterrupt or SystemExit raised by the learner
        return None, f"{name}() raised {describe_exception(error, path)}"
