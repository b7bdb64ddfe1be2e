"""Run a learner's exercise file against autograd and print one row per gradient.

    gradient         exact  approx  max diff
    dvar             no     no      3.1e-02   wrong
      hint: off by the factor n/(n-1) = 8/7: which variance estimator? ...

exact: bit-identical to autograd. approx: within 1e-8 relative (what counts as
right). Exit code 0 only when every gradient of every part is right.
"""

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import EXERCISES
from .loader import load_exercise_file
from .part import Row
from .problems import parts as exercise_parts

NBSP = "\u00a0"  # keeps a shape on one line when a hint is wrapped


@dataclass
class Report:
    """The outcome of one check: the rows of the table, or a file-level error."""

    path: Path
    number: int | None
    rows: list = field(default_factory=list)
    error: str = ""
    # part title -> the learner's function that it calls
    signatures: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.rows) and all(row.ok for row in self.rows)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def row(self, part_or_name, name=None) -> Row:
        """The row named `name` (in part `part_or_name`), or the first row named `part_or_name`."""
        for row in self.rows:
            if (name is None and row.name == part_or_name) or (
                row.part == part_or_name and row.name == name
            ):
                return row
        raise KeyError(f"no row {part_or_name!r} {name or ''} in the report of {self.path}")

    def render(self) -> str:
        title = (
            f"exercise {self.number}: {EXERCISES[self.number].title}"
            if self.number in EXERCISES
            else "exercise ?"
        )
        lines = [f"Checking {self.path.name} ({title})"]
        if self.error:
            # a syntax error carries the offending line: show it as it is
            message, *code = self.error.split("\n")
            lines += ["", *textwrap.wrap(f"error: {message}", 100, subsequent_indent="  "), *code]
            lines += ["", "No gradient was checked. Fix the problem above and run the check again."]
            return "\n".join(lines)
        width = max(len("gradient"), *(len(row.name) for row in self.rows)) + 2
        part, shown = None, ""
        for row in self.rows:
            if row.part != part:
                part = row.part
                called = f" ({self.signatures[part]})" if part in self.signatures else ""
                lines += [
                    "",
                    f"part: {part}{called}",
                    f"  {'gradient':<{width}}{'exact':<7}{'approx':<8}max diff",
                ]
            if row.name == "(error)":
                lines += _wrapped("error: ", row.hint)
                continue
            diff = (
                "-"
                if row.max_diff is None
                else ("0" if row.max_diff == 0 else f"{row.max_diff:.1e}")
            )
            checked = row.max_diff is not None
            exact = ("yes" if row.exact else "no") if checked else "-"
            approx = ("yes" if row.approx else "no") if checked else "-"
            status = "" if row.ok else row.status
            lines.append(f"  {row.name:<{width}}{exact:<7}{approx:<8}{diff:<10}{status}".rstrip())
            if row.hint and row.status not in ("not computed yet", "not checked"):
                lines += _wrapped("hint: ", row.hint)
            elif row.status == "not checked" and row.hint and row.hint != shown:
                lines += _wrapped("", row.hint)
            shown = row.hint
        right = sum(row.ok for row in self.rows)
        lines.append("")
        if self.ok:
            lines.append(f"All {right} gradients match autograd. Well done!")
        elif all(row.status in ("not computed yet", "not checked") for row in self.rows):
            lines.append(
                f"0 of {len(self.rows)} right: fill in the gradients marked TODO, then check again."
            )
        else:
            lines.append(
                f"{right} of {len(self.rows)} right. Fix the first wrong row of each part first: the rows below it use it."
            )
        return "\n".join(lines)


def _wrapped(label, text):
    """Indented lines of at most 100 characters; a shape like (32, 64) is never split."""
    text = re.sub(
        r"\(([^()]*)\)", lambda m: "(" + m.group(1).replace(" ", NBSP) + ")", label + text
    )
    lines = textwrap.wrap(text, 100, initial_indent="    ", subsequent_indent="      ")
    return [line.replace(NBSP, " ") for line in lines]


def check_file(path, exercise: int | None = None, seed: int = 0) -> Report:
    """Check the exercise file at `path` (its exercise from its `EXERCISE = N` line unless given)."""
    path = Path(path)
    loaded = load_exercise_file(path)
    number = exercise if exercise is not None else loaded.number
    if number is None and not loaded.error:
        return Report(
            path,
            None,
            error=f"cannot tell which exercise {path.name} is: it has no line `EXERCISE = N`; add it back",
        )
    if number is not None and number not in EXERCISES:
        return Report(
            path,
            number,
            error=f"there is no exercise {number}; the exercises are {min(EXERCISES)} to {max(EXERCISES)}",
        )
    if loaded.error:
        return Report(path, number, error=loaded.error)
    rows, signatures = [], {}
    for part in exercise_parts(number, seed):
        signatures[part.title] = part.signature
        if getattr(part, "needs_previous", False) and not all(row.ok for row in rows):
            hint = "make every gradient above right first"
            rows += [Row(part.title, name, "not checked", hint=hint) for name in part.order]
            continue
        try:
            rows += part.check(loaded.module, path)
        except Exception as error:  # the checker must never crash on a learner's file
            message = f"the checker could not run this part ({type(error).__name__}: {error}); is the file's forward pass intact?"
            rows += [Row(part.title, "(error)", "error", hint=message)] + [
                Row(part.title, n, "not checked") for n in part.order
            ]
    return Report(path, number, rows, signatures=signatures)
