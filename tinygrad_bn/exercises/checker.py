"""Check a learner's exercise file: one row per gradient, each judged on the learner's own upstream.

    part: staged BatchNorm (backward(cache, dout))
      gradient  exact  approx  max diff
      var       no     no      3.1e-02   WRONG: the mistake is here
        hint: off by the factor n/(n-1) = 8/7: which variance estimator? ...
      squared   no     no      4.0e-03   follows: its own step is right, a row above is wrong

exact: bit-identical to autograd. approx: within 1e-8 relative (what counts as
right). The learner's code runs in its own process (sandbox.py); the exit
code is 0 only when every gradient of every part is right.
"""

import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import EXERCISES
from .loader import read_source
from .part import Row
from .problems import parts as exercise_parts
from .sandbox import run_learner

NBSP = "\u00a0"  # keeps a shape on one line when a hint is wrapped
DEFAULT_TIMEOUT = 10.0
STATUS_WORDS = {
    "wrong": "WRONG: the mistake is here",
    "follows": "follows: its own step is right, a row above is wrong",
    "missing": "missing",
    "not computed yet": "not computed yet",
    "not checked": "not checked",
}
UNCHECKED = ("not computed yet", "not checked")


@dataclass
class Report:
    """The outcome of one check: the rows of the table, or a file-level error."""

    path: Path
    number: int | None
    rows: list = field(default_factory=list)
    error: str = ""
    signatures: dict = field(default_factory=dict)  # part title -> the call, as shown
    functions: dict = field(default_factory=dict)  # part title -> the learner's function name
    output: str = ""  # what the learner's file printed

    @property
    def gradient_rows(self) -> list:
        return [row for row in self.rows if row.name != "(error)"]

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

    def to_json(self) -> dict:
        """{"exercise", "passed", "rows": [{"part", "name", "status", "hint"}], "error"}.

        A row's part is the learner's function it checks (e.g. neuron_backward), its status
        right, wrong or follows; rows that could not be judged are left out, and `error`
        says why.
        """
        rows, problems = [], [self.error] if self.error else []
        for row in self.rows:
            function = self.functions.get(row.part, row.part)
            if row.name == "(error)":
                problems.append(f"{function}: {row.hint}")
            elif row.status == "not checked":
                if row.hint and f"{function}: not checked, {row.hint}" not in problems:
                    problems.append(f"{function}: not checked, {row.hint}")
            else:
                status = row.status if row.status in ("right", "follows") else "wrong"
                hint = row.hint or None
                rows.append({"part": function, "name": row.name, "status": status, "hint": hint})
        return {
            "exercise": self.number,
            "passed": self.ok,
            "rows": rows,
            "error": "; ".join(problems) or None,
        }

    def render_json(self) -> str:
        return json.dumps(self.to_json())

    def render(self) -> str:
        title = (
            f"exercise {self.number}: {EXERCISES[self.number].title}"
            if self.number in EXERCISES
            else "exercise ?"
        )
        lines = [f"Checking {self.path.name} ({title})"]
        if self.output.strip():
            printed = self.output.rstrip().splitlines()
            lines += ["", "your code printed:"] + [f"  | {line}" for line in printed[:20]]
            lines += [f"  | ... ({len(printed) - 20} more lines)"] if len(printed) > 20 else []
        if self.error:
            message, *code = self.error.split("\n")  # a syntax error carries the offending line
            lines += ["", *textwrap.wrap(f"error: {message}", 100, subsequent_indent="  "), *code]
            lines += ["", "No gradient was checked. Fix the problem above and run the check again."]
            return "\n".join(lines)
        lines += self._table()
        return "\n".join(lines + ["", *textwrap.wrap(self._summary(), 100)])

    def _table(self) -> list:
        lines, part, shown = [], None, ""
        width = max(len("gradient"), *(len(row.name) for row in self.rows)) + 2
        for row in self.rows:
            if row.part != part:
                part = row.part
                called = f" ({self.signatures[part]})" if part in self.signatures else ""
                lines += ["", f"part: {part}{called}"]
                lines += [f"  {'gradient':<{width}}{'exact':<7}{'approx':<8}max diff"]
            if row.name == "(error)":
                lines += _wrapped("error: ", row.hint)
                continue
            checked = row.max_diff is not None
            diff = "-" if not checked else ("0" if row.max_diff == 0 else f"{row.max_diff:.1e}")
            exact = ("yes" if row.exact else "no") if checked else "-"
            approx = ("yes" if row.approx else "no") if checked else "-"
            status = "" if row.ok else STATUS_WORDS.get(row.status, row.status)
            lines.append(f"  {row.name:<{width}}{exact:<7}{approx:<8}{diff:<10}{status}".rstrip())
            if row.hint and row.status not in UNCHECKED:
                lines += _wrapped("hint: ", row.hint)
            elif row.status == "not checked" and row.hint and row.hint != shown:
                lines += _wrapped("", row.hint)
            shown = row.hint
        return lines

    def _summary(self) -> str:
        rows = self.gradient_rows
        right = sum(row.ok for row in rows)
        if self.ok:
            return f"All {right} gradients match autograd. Well done!"
        if all(row.status in UNCHECKED for row in rows):
            return f"0 of {len(rows)} right: fill in the gradients marked TODO, then check again."
        mistakes = [row for row in rows if row.status in ("wrong", "missing")]
        follows = sum(row.status == "follows" for row in rows)
        text = f"{right} of {len(rows)} right."
        if mistakes:
            where = ", ".join(f"d{row.name} ({row.part})" for row in mistakes[:5])
            more = f" and {len(mistakes) - 5} more" if len(mistakes) > 5 else ""
            rows_word = "row" if len(mistakes) == 1 else "rows, each its own mistake"
            text += f" {len(mistakes)} {rows_word} to fix: {where}{more}."
        if follows:
            text += (
                f" {follows} marked 'follows' compute their own step right from a wrong row "
                "above: they will be right once that row is fixed."
            )
        errors = sum(row.name == "(error)" for row in self.rows)
        if errors:
            text += f" {errors} part{'s' if errors > 1 else ''} could not run: see the error."
        return text


def _wrapped(label, text):
    """Indented lines of at most 100 characters; a shape like (32, 64) is never split."""
    text = re.sub(
        r"\(([^()]*)\)", lambda m: "(" + m.group(1).replace(" ", NBSP) + ")", label + text
    )
    lines = textwrap.wrap(text, 100, initial_indent="    ", subsequent_indent="      ")
    return [line.replace(NBSP, " ") for line in lines]


def check_file(path, exercise=None, seed: int = 0, timeout: float = DEFAULT_TIMEOUT) -> Report:
    """Check the file at `path`; which exercise: its line `EXERCISE = N`, or `exercise`."""
    path = Path(path)
    source = read_source(path)
    number = exercise if exercise is not None else source.number
    if source.error and number is None:
        return Report(path, number, error=source.error)
    if number is None:
        error = (
            f"cannot tell which exercise {path.name} is: it has no line `EXERCISE = N`; add it back"
        )
        return Report(path, None, error=error)
    if number not in EXERCISES:
        error = (
            f"there is no exercise {number}; the exercises are {min(EXERCISES)} to {max(EXERCISES)}"
        )
        return Report(path, number, error=error)
    if source.error:
        return Report(path, number, error=source.error)
    parts = exercise_parts(number, seed)
    arrays = {}
    for index, part in enumerate(parts):
        arrays.update({f"{index}.{key}": value for key, value in part.arrays().items()})
    returned = run_learner(path, number, [part.call() for part in parts], arrays, timeout)
    if returned.error:
        return Report(path, number, error=returned.error, output=returned.output)
    rows, signatures, functions = [], {}, {}
    for part, result in zip(parts, returned.parts):
        signatures[part.title] = part.signature
        functions[part.title] = part.function
        if getattr(part, "needs_previous", False) and not all(row.ok for row in rows):
            hint = "make every gradient above right first"
            rows += [Row(part.title, name, "not checked", hint=hint) for name in part.order]
        elif result["error"]:
            rows += [Row(part.title, "(error)", "error", hint=result["error"])]
            rows += [Row(part.title, name, "not checked") for name in part.order]
        else:
            rows += part.judge(_split(result["values"]))
    return Report(path, number, rows, signatures=signatures, functions=functions,
                  output=returned.output)  # fmt: skip


def _split(values: dict) -> dict:
    """{"cache.x": v, "grads.x": g} -> {"cache": {"x": v}, "grads": {"x": g}}."""
    out = {"cache": {}, "grads": {}, "params": {}}
    for key, value in values.items():
        kind, _, name = key.partition(".")
        if name:
            out.setdefault(kind, {})[name] = value
        else:
            out[kind] = value
    return out
