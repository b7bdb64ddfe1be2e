"""Writing files so that Ctrl-C never leaves half of one: write a temporary file, then rename it.

    write_bytes(path, data)            # path holds the old bytes or the new ones, never a mix
    with replacing(path) as tmp:       # for libraries that want a file name (savefig, Pillow)
        fig.savefig(tmp)
    with staged_folder(folder) as tmp: # a whole report: every file appears at once, on success
        ...

`os.replace` is atomic on one file system, so the temporary file sits beside its target.
A folder of many files cannot be swapped in one step; `staged_folder` writes the new files
into a hidden folder inside the target and moves them out with Ctrl-C held back for those
few milliseconds, so a report folder never mixes two runs.
"""

import contextlib
import os
import shutil
import signal
import threading
from pathlib import Path


def temporary_name(path):
    """A hidden name beside `path` that keeps its suffix (libraries read the format from it)."""
    path = Path(path)
    return path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")


@contextlib.contextmanager
def replacing(path):
    """Yield a temporary path to write; on success it replaces `path`, on any error it goes."""
    path = Path(path)
    tmp = temporary_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_bytes(path, data) -> Path:
    """Write `data` to `path` through a temporary file and a rename."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path, text) -> Path:
    """Write `text` (UTF-8) to `path` through a temporary file and a rename."""
    return write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def interrupts_held():
    """Hold Ctrl-C back while the block runs; an interrupt that came meanwhile is raised after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


_STAGED = {}  # staging folder -> the folder its files are going to (for printing paths)


@contextlib.contextmanager
def staged_folder(folder):
    """Yield a hidden folder inside `folder`; files written there move into `folder` on success.

    On an error or Ctrl-C the hidden folder is removed and `folder` keeps the old run whole."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(
            f"{folder} is a file, not a folder: give --out a folder name (or remove the file)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    stage = folder / f".partial-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    _STAGED[stage.resolve()] = folder
    try:
        yield stage
        with interrupts_held():
            for source in sorted(stage.rglob("*"), key=lambda p: len(p.parts)):
                target = folder / source.relative_to(stage)
                if source.is_dir():
                    target.mkdir(exist_ok=True)
                else:
                    os.replace(source, target)
    finally:
        _STAGED.pop(stage.resolve(), None)
        shutil.rmtree(stage, ignore_errors=True)


def shown(path) -> Path:
    """The path a file will have once its staged folder is moved into place (for messages)."""
    path = Path(path)
    for stage, folder in _STAGED.items():
        with contextlib.suppress(ValueError):
            return folder / path.resolve().relative_to(stage)
    return path
