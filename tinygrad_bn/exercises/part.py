"""One checked piece of an exercise: the learner's forward/backward pair against autograd.

The learner's `forward(**inputs)` returns a dict of intermediates (the cache);
`backward(cache, dout)` (or `backward(cache)` when the output is the loss)
returns a dict {name: gradient}. The truth comes from building the same
computation with `Value`/`Tensor`, calling `backward()`, and reading `.grad`
of every named node. A node used in several places also gets the gradient
that each use sends back on its own (its *contributions*), for the hints.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..tensor import Tensor
from ..value import Value
from .hints import RTOL, close, shape_hint, value_hint
from .loader import call_learner


@dataclass
class Row:
    """One line of the checker's table."""

    part: str
    name: str
    status: str  # "right", "wrong", "not computed yet", "missing", "error", "not checked"
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
    grads: dict  # name -> d(loss)/d(node)
    contributions: dict  # name -> [gradient sent back by each use of the node]
    nodes: dict = field(default_factory=dict)


@dataclass
class Part:
    """`graph(**inputs)` builds the computation with autograd leaves and returns {name: node}."""

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
    mistakes: Callable | None = None  # (truth) -> {name: [(wrong answer, hint)]}

    @property
    def signature(self) -> str:
        return f"{self.backward}(cache{', dout' if self.upstream is not None else ''})"

    def truth(self) -> Truth:
        lift = (
            (lambda v: Value(float(v)))
            if self.scalar
            else (lambda v: Tensor(np.array(v, copy=True), requires_grad=True))
        )
        kwargs = {}
        for name, value in self.inputs.items():
            if name in self.leaves:
                kwargs[name] = (
                    {k: lift(v) for k, v in value.items()}
                    if isinstance(value, dict)
                    else lift(value)
                )
            else:
                kwargs[name] = _copy(value)
        nodes = self.graph(**kwargs)
        out = nodes[self.output]
        if self.scalar:
            (out * self.upstream if self.upstream is not None else out).backward()
        else:
            out.backward(None if self.upstream is None else np.array(self.upstream))
        grads = {name: _grad(nodes[name], self.scalar) for name in self.order}
        forward = {name: node.data for name, node in nodes.items()}
        try:
            contributions = {
                name: _contributions(nodes[name], out, self.scalar) for name in self.order
            }
        # the engine's internals changed: check without the accumulation hint
        except (AttributeError, TypeError):
            contributions = {name: [] for name in self.order}
        return Truth(forward, grads, contributions, nodes)

    def check(self, module, path) -> list[Row]:
        truth = self.truth()
        cache, error = call_learner(module, self.forward, path, **_copy(self.inputs))
        if error is None and not isinstance(cache, dict):
            error = f"{self.forward}() must return a dict of the forward pass's values (as in the template), got {type(cache).__name__}"
        if error is None:
            error = self._forward_changed(cache, truth)
        if error is None:
            args = (cache,) if self.upstream is None else (cache, _copy(self.upstream))
            grads, error = call_learner(module, self.backward, path, *args)
            if error is None and not isinstance(grads, dict):
                error = f"{self.backward}() must return a dict {{name: gradient}}, got {type(grads).__name__}"
        if error is not None:
            return [Row(self.title, "(error)", "error", hint=error)] + [
                Row(self.title, n, "not checked") for n in self.order
            ]
        mistakes = self.mistakes(truth) if self.mistakes else {}
        return [self._row(name, grads, truth, mistakes.get(name, ())) for name in self.order]

    def _forward_changed(self, cache, truth):
        """None, or a message when the learner's forward no longer computes what the exercise does."""
        for name, want in truth.forward.items():
            if name not in cache:
                continue
            if isinstance(cache[name], (Value, Tensor)):
                kind = type(cache[name]).__name__
                return f"{self.forward}() returns `{name}` as a {kind}; the forward pass works on plain numbers and arrays"
            try:
                got = np.asarray(cache[name], dtype=np.float64)
            except (TypeError, ValueError):
                return f"{self.forward}() returns `{name}` as a {type(cache[name]).__name__}, not a number or array"
            if not close(got, np.asarray(want, dtype=np.float64), 1e-10):
                return (
                    f"{self.forward}() was changed: its `{name}` differs from the exercise's forward pass; "
                    "this exercise is about the backward pass, so restore the forward from the template"
                )
        return None

    def _row(self, name, grads, truth, mistakes) -> Row:
        if name not in grads:
            return Row(
                self.title,
                name,
                "missing",
                hint=f"{self.backward}() returned no gradient for `{name}` (key '{name}' is missing)",
            )
        true = np.asarray(truth.grads[name], dtype=np.float64)
        got, problem = _as_array(grads[name], true, self.scalar)
        if got is None:
            status = "not computed yet" if grads[name] is None else "wrong"
            return Row(self.title, name, status, hint=problem)
        if got.shape != true.shape:
            return Row(self.title, name, "wrong", hint=shape_hint(name, got, true))
        with np.errstate(invalid="ignore", over="ignore"):
            diff = float(np.abs(got - true).max(initial=0.0))
        exact = bool(np.array_equal(got, true))
        approx = close(got, true)
        if approx:
            return Row(self.title, name, "right", exact, approx, diff)
        if np.asarray(grads[name]).dtype in (np.float32, np.float16) and close(got, true, 1e-3):
            hint = "right to float32 precision, but the check runs in float64: keep your arrays float64 (no .astype(np.float32))"
            return Row(self.title, name, "wrong", exact, approx, diff, hint)
        hint = value_hint(
            name,
            got,
            true,
            truth.contributions[name],
            self.n,
            self.variance,
            self.upstream,
            mistakes,
        )
        status = "not computed yet" if hint.startswith("not computed yet") else "wrong"
        return Row(self.title, name, status, exact, approx, diff, "" if status != "wrong" else hint)


def _as_array(value, true, scalar):
    """The learner's gradient as a float64 array, or (None, what is wrong with it)."""
    if value is None:
        return None, "not computed yet (still None)"
    if isinstance(value, (Value, Tensor)):
        return (
            None,
            f"a gradient is a plain number or numpy array, got a {type(value).__name__}: use its .data",
        )
    if scalar and not isinstance(value, (int, float, np.number)) and np.ndim(value) != 0:
        return None, f"expected a number, got {type(value).__name__}"
    try:
        array = np.asarray(value)
    except Exception:  # an object numpy cannot turn into an array
        return None, f"expected a numpy array of shape {true.shape}, got {type(value).__name__}"
    if array.dtype.kind not in "fiub":
        return (
            None,
            f"expected a numpy array of numbers of shape {true.shape}, got {type(value).__name__} of {array.dtype}",
        )
    return array.astype(np.float64), ""


def _grad(node, scalar):
    if scalar:
        return node.grad
    return node.grad if node.grad is not None else np.zeros_like(node.data)


def _contributions(node, out, scalar) -> list:
    """The gradient that each use of `node` sends back to it (they add up to node.grad)."""
    from ..graph import topological_order

    parts = []
    for user in topological_order(out):
        uses = [i for i, child in enumerate(user._prev) if child is node]
        if not uses:
            continue
        if scalar:
            parts += [_local_derivatives(user)[i] * user.grad for i in uses]
        elif user.grad is not None:
            sent = user._backward(user.grad, **user._saved)
            parts += [np.array(sent[i]) for i in uses]
    return parts


def _local_derivatives(node) -> tuple:
    """d(node)/d(input) for each input of a Value, in the order of node._prev."""
    if hasattr(node, "_local"):
        return tuple(node._local)
    return (node._da, node._db)[: len(node._prev)]


def _copy(value):
    """A deep copy of arrays (and dicts of them), so the learner cannot change our data."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


__all__ = ["Part", "Row", "Truth", "RTOL"]
