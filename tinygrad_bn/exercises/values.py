"""One checked function that returns values rather than gradients: an update rule, a Jacobian.

The learner's `function(**inputs)` returns {name: value}; each value is
compared with the reference. A value that is wrong only because it is built
from another wrong value (the Jacobian from its three terms) `follows`.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .hints import close, near, shape_hint, type_hint
from .part import Row


@dataclass
class ValuesPart:
    title: str
    function: str  # the learner's function
    inputs: dict  # its keyword arguments (arrays and numbers)
    expected: dict  # name -> the right value
    mistakes: Callable | None = None  # (inputs, expected) -> {name: [(wrong value, hint)]}
    follows: Callable | None = None  # (the learner's values) -> {name: value built from them}
    n: int | None = None  # for the "factor of n" hint
    todo_rows: bool = True  # the template has one line `name = None  # TODO` per value

    @property
    def order(self) -> tuple:
        return tuple(self.expected)

    @property
    def signature(self) -> str:
        return f"{self.function}({', '.join(self.inputs)})"

    def call(self) -> dict:
        return {"kind": "call", "function": self.function}

    def arrays(self) -> dict:
        return {f"inputs.{name}": np.asarray(value) for name, value in self.inputs.items()}

    def judge(self, returned) -> list[Row]:
        got_all = returned["grads"]
        mistakes = self.mistakes(self.inputs, self.expected) if self.mistakes else {}
        usable = {
            name: value.astype(np.float64)
            for name, value in got_all.items()
            if isinstance(value, np.ndarray) and value.dtype.kind in "fiub"
        }
        try:
            follows = self.follows({**self.expected, **usable}) if self.follows else {}
        except ValueError:  # the learner's values do not even combine
            follows = {}
        rows = []
        for name, want in self.expected.items():
            want = np.asarray(want, dtype=np.float64)
            rows.append(self._row(name, got_all, want, mistakes.get(name, ()), follows))
        unexpected = sorted(set(got_all) - set(self.expected))
        for row in rows:
            if row.status == "missing" and unexpected:
                row.hint += f"; it returned keys the exercise does not ask for: {unexpected}"
        return rows

    def _row(self, name, got_all, want, mistakes, follows) -> Row:
        if name not in got_all:
            hint = f"{self.function}() returned no `{name}` (key '{name}' is missing)"
            return Row(self.title, name, "missing", hint=hint)
        value = got_all[name]
        if value is None:
            return Row(self.title, name, "not computed yet", hint="not computed yet (still None)")
        if isinstance(value, str):
            return Row(self.title, name, "wrong", hint=type_hint(value, want.shape, False))
        got = value.astype(np.float64)
        if got.shape != want.shape:
            return Row(self.title, name, "wrong", hint=shape_hint(name, got, want))
        diff = float(np.abs(got - want).max(initial=0.0)) if np.all(np.isfinite(got)) else np.inf
        exact = bool(np.array_equal(got, want))
        if close(got, want):
            return Row(self.title, name, "right", exact, True, diff)
        if name in follows and close(got, follows[name]):
            return Row(self.title, name, "follows", exact, False, diff)
        return Row(self.title, name, "wrong", exact, False, diff, self._hint(got, want, mistakes))

    def _hint(self, got, want, mistakes) -> str:
        if got.size and not np.any(got) and np.any(want):
            return "not computed yet (all zeros)"
        for candidate, hint in mistakes:
            if near(got, candidate):
                return hint
        if near(got, -want):
            return "flipped sign: yours is the negative of the right value"
        n = self.n
        if n and near(got, want * n):
            return f"off by a factor of n = {n}, too big: a 1/n is missing"
        if n and near(got, want / n):
            return f"off by a factor of n = {n}, too small: one 1/n too many"
        return ""
