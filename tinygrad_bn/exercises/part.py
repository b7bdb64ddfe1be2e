"""One checked piece of an exercise: the learner's forward/backward pair, judged step by step.

The learner's `forward(**inputs)` returns a dict of intermediates (the cache);
`backward(cache, dout)` (or `backward(cache)` when the output is the loss)
returns {name: gradient}. Those run in another process (sandbox.py); here
only their plain arrays arrive. Each row is then

    right    it equals autograd's gradient;
    follows  it equals one local step of the reference applied to the learner's
             own gradients of the steps that use it: its own step is right, it
             is off only because a row above it is wrong;
    wrong    neither: the mistake is in this row's own step (with a hint).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .hints import RTOL, Context, close, row_hint, shape_hint, type_hint
from .steps import Steps, backprop, grad_of


@dataclass
class Row:
    """One line of the checker's table."""

    part: str
    name: str
    status: str  # right, wrong, follows; or not computed yet, missing, not checked
    exact: bool = False
    approx: bool = False
    max_diff: float | None = None
    hint: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "right"


@dataclass
class Truth:
    forward: dict  # name -> value of the node in the forward pass
    grads: dict  # name -> d(loss)/d(node), for every named node


@dataclass
class Part:
    """`graph(s)` writes the computation as named steps on `s` (see steps.py)."""

    title: str
    forward: str  # the learner's function names
    backward: str
    inputs: dict  # keyword arguments of forward(); every array here is float64 or int64
    graph: Callable
    output: str  # the name of the graph's output node
    order: tuple  # the gradients asked for, in the order of the backward pass
    leaves: tuple  # inputs that get a gradient (a dict input: each of its entries)
    upstream: object = None  # dout passed to backward(cache, dout); None: the output is the loss
    n: int | None = None  # batch size, for the "factor n" and "n/(n-1)" hints
    variance: bool = False  # a variance is computed: test for the other estimator
    scalar: bool = False  # Value, not Tensor
    mistakes: Callable | None = None  # (Context) -> {name: [(wrong answer, hint)]}
    follows: Callable | None = None  # (Context) -> {name: a right answer from the learner's rows}
    check_forward: bool = True  # compare the learner's cache with the reference's values
    todo_rows: bool = True  # the template has one line `dname = None  # TODO` per row

    @property
    def function(self) -> str:
        """The learner's function whose results the rows judge."""
        return self.backward

    @property
    def signature(self) -> str:
        return f"{self.backward}(cache{', dout' if self.upstream is not None else ''})"

    def call(self) -> dict:
        """What the learner's process runs for this part (see runner.py)."""
        return {
            "kind": "pair",
            "forward": self.forward,
            "backward": self.backward,
            "upstream": self.upstream is not None,
            "scalar": self.scalar,
        }

    def arrays(self) -> dict:
        """The inputs (and dout) as plain arrays, for the learner's process."""
        out = {}
        for name, value in self.inputs.items():
            if isinstance(value, dict):
                out.update({f"inputs.{name}.{k}": np.asarray(v) for k, v in value.items()})
            else:
                out[f"inputs.{name}"] = np.asarray(value)
        if self.upstream is not None:
            out["upstream"] = np.asarray(self.upstream)
        return out

    def _flat_inputs(self):
        flat, differentiable = {}, []
        for name, value in self.inputs.items():
            if isinstance(value, dict):
                flat.update(value)
                differentiable += list(value) if name in self.leaves else []
            else:
                flat[name] = value
                differentiable += [name] if name in self.leaves else []
        return flat, tuple(differentiable)

    def build(self, cut: bool) -> Steps:
        flat, differentiable = self._flat_inputs()
        steps = Steps(flat, differentiable, self.scalar, cut)
        self.graph(steps)
        return steps

    @property
    def seed(self):
        """d(loss)/d(output): the upstream dout, or 1 when the output is the loss."""
        return 1.0 if self.upstream is None else self.upstream

    def truth(self) -> Truth:
        steps = self.build(cut=False)
        backprop(steps.nodes[self.output], self.seed, self.scalar)
        grads = {name: grad_of(node, self.scalar) for name, node in steps.nodes.items()}
        for name, node in steps.nodes.items():
            if grads[name] is None:
                grads[name] = np.zeros_like(node.data, dtype=np.float64)
        forward = {name: node.data for name, node in steps.nodes.items()}
        return Truth(forward, grads)

    def local_steps(self, upstreams: dict) -> dict:
        """name -> [(step M that uses it, (dM/dname)^T upstreams[M])], one local step each."""
        contributions = {}
        names = self.build(cut=True).computed
        for via in names:
            steps = self.build(cut=True)
            grad = self.seed if via == self.output else upstreams[via]
            backprop(steps.nodes[via], grad, self.scalar)
            for name, node in steps.leaves.items():
                sent = grad_of(node, self.scalar)
                if name != via and sent is not None and (not self.scalar or sent != 0.0):
                    contributions.setdefault(name, []).append((via, np.asarray(sent)))
        return contributions

    def judge(self, returned: dict) -> list[Row]:
        """Rows for what the learner's process sent back: {"cache": ..., "grads": ...}."""
        truth = self.truth()
        error = self._forward_changed(returned["cache"], truth) if self.check_forward else None
        if error:
            return [Row(self.title, "(error)", "error", hint=error)] + [
                Row(self.title, name, "not checked") for name in self.order
            ]
        grads = returned["grads"]
        usable = {}
        for name in self.order:
            value, want = grads.get(name), np.shape(truth.grads[name])
            if isinstance(value, np.ndarray) and value.dtype.kind in "fiub" and value.shape == want:
                got = value.astype(np.float64)
                usable[name] = got if np.all(np.isfinite(got)) else None
                if _left_at_zero(got, truth.grads[name]):  # not computed yet: judge on the truth
                    del usable[name]
        upstreams = {
            name: usable[name] if usable.get(name) is not None else truth.grads[name]
            for name in truth.grads
        }
        contributions = self.local_steps(upstreams)
        context = Context(self, truth, upstreams, contributions, returned["cache"], grads)
        mistakes = self.mistakes(context) if self.mistakes else {}
        follows = self.follows(context) if self.follows else {}
        broken = {n for n in self.order if grads.get(n) is not None and usable.get(n) is None}
        rows = [self._row(name, grads, context, mistakes, follows, broken) for name in self.order]
        unexpected = sorted(set(grads) - set(self.order))
        if unexpected:
            for row in rows:
                if row.status == "missing":
                    row.hint += (
                        f"; it returned keys the exercise does not ask for: "
                        f"{', '.join(map(repr, unexpected))} (a typo in a key?)"
                    )
        return rows

    def _forward_changed(self, cache, truth):
        """None, or a message when the learner's forward no longer computes the exercise's."""
        for name, want in truth.forward.items():
            if name not in cache:
                continue
            got = cache[name]
            if isinstance(got, str):
                return f"{self.forward}() returns `{name}` as {got}, not a number or an array"
            if got is None:
                continue
            got = np.asarray(got, dtype=np.float64)
            if not close(got, np.asarray(want, dtype=np.float64), 1e-10):
                return (
                    f"{self.forward}() was changed: its `{name}` differs from the exercise's "
                    "forward pass; this exercise is about the backward pass, so restore the "
                    "forward from the template"
                )
        return None

    def _row(self, name, grads, context, mistakes, follows, broken) -> Row:
        if name not in grads:
            hint = f"{self.backward}() returned no gradient for `{name}` (key '{name}' is missing)"
            return Row(self.title, name, "missing", hint=hint)
        true = np.asarray(context.truth.grads[name], dtype=np.float64)
        value = grads[name]
        if value is None:
            return Row(self.title, name, "not computed yet", hint="not computed yet (still None)")
        if isinstance(value, str):
            return Row(self.title, name, "wrong", hint=type_hint(value, true.shape, self.scalar))
        got = value.astype(np.float64)
        # a step that uses this value sent back a gradient that cannot be run through the
        # reference (wrong shape, NaN, not numbers): this row cannot be judged on its own yet
        above = [via for via, _ in context.contributions.get(name, []) if via in broken]
        if got.shape != true.shape:
            if above:
                hint = (
                    f"its shape {got.shape} comes from d{above[0]}, whose shape is wrong "
                    "(see its row): fix that first"
                )
                return Row(self.title, name, "follows", hint=hint)
            return Row(self.title, name, "wrong", hint=shape_hint(name, got, true))
        with np.errstate(invalid="ignore", over="ignore"):
            diff = float(np.abs(got - true).max(initial=0.0))
        exact = bool(np.array_equal(got, true))
        if close(got, true):
            return Row(self.title, name, "right", exact, True, diff)
        if _left_at_zero(got, true):
            hint = "not computed yet (all zeros)"
            return Row(self.title, name, "not computed yet", exact, False, diff, hint)
        local = context.local(name)
        candidates = [local] + ([follows[name]] if name in follows else [])
        if any(close(got, np.asarray(c, dtype=np.float64)) for c in candidates):
            return Row(self.title, name, "follows", exact, False, diff)
        if above:
            hint = (
                f"it is computed from d{above[0]}, which is not usable (see its row): "
                "fix that first, then check this row again"
            )
            return Row(self.title, name, "follows", exact, False, diff, hint)
        hint = row_hint(name, value, got, local, context, mistakes.get(name, ()))
        status = "not computed yet" if hint.startswith("not computed yet") else "wrong"
        return Row(self.title, name, status, exact, False, diff, hint)


def _left_at_zero(got, true) -> bool:
    """All zeros where the right gradient is not: a placeholder, not an answer."""
    return got.size > 0 and not np.any(got) and bool(np.any(true))


__all__ = ["Part", "Row", "Truth", "RTOL"]
