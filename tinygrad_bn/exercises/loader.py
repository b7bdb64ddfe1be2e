"""Import a learner's exercise file safely: every failure becomes a message, never a traceback.

A file says which exercise it is with a line `EXERCISE = N` (the templates have it).
"""

import importlib.util
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

MARKER = re.compile(r"^EXERCISE\s*=\s*(\d+)\b", re.MULTILINE)


@dataclass
class Loaded:
    """The imported module, or `error`: a message saying what went wrong and where."""

    path: Path
    number: int | None
    module: ModuleType | None = None
    error: str = ""


def exercise_number(source: str) -> int | None:
    """N from the first line `EXERCISE = N`, or None when the marker is missing."""
    match = MARKER.search(source)
    return int(match.group(1)) if match else None


def load_exercise_file(path) -> Loaded:
    """Read, compile and run `path` as a fresh module (nothing is added to sys.modules)."""
    path = Path(path)
    if not path.is_file():
        return Loaded(
            path,
            None,
            error=f"no such file: {path}; start an exercise with `tinygrad-bn exercises start N`",
        )
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Loaded(path, None, error=f"cannot read {path}: {error}")
    number = exercise_number(source)
    where = f"exercise {number}" if number is not None else "this file"
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as error:
        line = (error.text or "").strip()
        pointer = f"\n    {line}" if line else ""
        return Loaded(
            path,
            number,
            error=f"{where}: {path.name} line {error.lineno}: syntax error: {error.msg}{pointer}",
        )
    module = ModuleType(f"tinygrad_bn_exercise_{number}")
    module.__file__ = str(path)
    spec = importlib.util.spec_from_file_location(module.__name__, path)
    module.__spec__ = spec
    try:
        exec(code, module.__dict__)
    # the learner's top-level code may raise anything, even SystemExit
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        return Loaded(
            path,
            number,
            error=f"{where}: running {path.name} failed: {describe_exception(error, path)}",
        )
    return Loaded(path, number, module)


def describe_exception(error: BaseException, path) -> str:
    """'ValueError: message (line 12, in backward)', pointing at the learner's own file."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename) == Path(path)
    ]
    where = (
        f" (line {frames[-1].lineno}, in {frames[-1].name}: `{(frames[-1].line or '').strip()}`)"
        if frames
        else ""
    )
    message = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {message[0] if message else ''}".rstrip(": ")
    return text + where


def call_learner(module: ModuleType, name: str, path, *args, **kwargs):
    """(result, None) or (None, message) for module.name(*args, **kwargs)."""
    function = getattr(module, name, None)
    if function is None:
        return (
            None,
            f"{path.name} has no function `{name}`; it should define `def {name}(...)` as the template does",
        )
    if not callable(function):
        return None, f"`{name}` in {path.name} is a {type(function).__name__}, not a function"
    stdout = sys.stdout
    try:
        return function(*args, **kwargs), None
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        return None, f"{name}() raised {describe_exception(error, path)}"
    finally:
        sys.stdout = stdout
