"""`tinygrad-bn exercises list | start N | check FILE [--json] | solution N`."""

import argparse
import os
import sys
from pathlib import Path

from ..safe_write import write_bytes
from .catalog import EXERCISES, SUGGESTED_ORDER


def configure(parser):
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="list the exercises")
    start = actions.add_parser("start", help="copy an exercise's template into a folder to work on")
    start.add_argument("number", type=int, help="exercise number (see `list`)")
    start.add_argument(
        "--dir", default=".", help="folder to copy it into (default: the current folder)"
    )
    start.add_argument(
        "--force", action="store_true", help="overwrite the file if it already exists"
    )
    check = actions.add_parser("check", help="check your gradients against autograd")
    check.add_argument(
        "file", help="your exercise file (it names its exercise in the line `EXERCISE = N`)"
    )
    check.add_argument(
        "--exercise",
        type=int,
        default=None,
        help="which exercise, if the file lost its `EXERCISE = N` line",
    )
    check.add_argument(
        "--seed", type=int, default=0, help="seed of the random test data (default: %(default)s)"
    )
    check.add_argument(
        "--timeout",
        type=_seconds,
        default=10.0,
        help="seconds your code may run before it is stopped (default: %(default)s)",
    )
    check.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object: {"exercise", "passed", "rows", "error"}',
    )
    solution = actions.add_parser("solution", help="print the reference solution of an exercise")
    solution.add_argument("number", type=int)


def run(args) -> int:
    if args.action == "list":
        return _list()
    if args.action in ("start", "solution") and args.number not in EXERCISES:
        print(
            f"there is no exercise {args.number}; the exercises are {min(EXERCISES)} to "
            f"{max(EXERCISES)} (see `tinygrad-bn exercises list`)"
        )
        return 2
    if args.action == "start":
        return _start(EXERCISES[args.number], Path(args.dir), args.force)
    if args.action == "check":
        from .checker import check_file

        report = check_file(args.file, args.exercise, args.seed, args.timeout)
        return _print(report.render_json() if args.json else report.render(), report.exit_code)
    if args.action == "solution":
        print(EXERCISES[args.number].solution_path.read_text(encoding="utf-8"), end="")
        return 0
    print(
        "usage: tinygrad-bn exercises {list,start N,check FILE,solution N}; "
        "start with `tinygrad-bn exercises list`"
    )
    return 2


def _seconds(text) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def _print(text, code) -> int:
    """Print; when the reader has gone (`check F | head`), end quietly with the same code."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the flush at exit fails silently too
    return code


def _list() -> int:
    print("Backprop-by-hand exercises, in the order to do them")
    print("(start one with `tinygrad-bn exercises start N`):")
    for number in SUGGESTED_ORDER:
        exercise = EXERCISES[number]
        print(f"  {exercise.number:>2}. {exercise.title:<34} {exercise.practises}")
    return 0


def _start(exercise, folder: Path, force: bool) -> int:
    target = folder / exercise.filename
    blocked = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        print(
            f"--dir {folder}: {blocked} is a file, not a folder; give a folder to copy the "
            "exercise into (it is created if missing)"
        )
        return 2
    if target.is_dir():
        print(f"{target} is a folder; remove it or choose another --dir")
        return 2
    if target.exists() and not force:
        print(
            f"{target} already exists and may hold your work: check it with "
            f"`tinygrad-bn exercises check {target}`,"
        )
        print("or pass --force to replace it with a fresh copy of the template")
        return 1
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_bytes(target, exercise.template_path.read_bytes())  # Ctrl-C: no half a file
    except OSError as error:
        print(f"cannot write {target}: {error.strerror or error}; choose another --dir")
        return 2
    print(f"exercise {exercise.number}, {exercise.title}: wrote {target}")
    print(f"fill in the gradients marked TODO, then run `tinygrad-bn exercises check {target}`")
    return 0
