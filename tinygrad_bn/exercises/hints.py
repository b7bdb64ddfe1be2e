"""Name the mistake behind a wrong row by testing it against known wrong answers.

Every test starts from L, the row's *local* answer: one step of the reference
applied to the learner's own upstream gradients (part.py), so a hint is about
this row's own step, never about a mistake further up. With c_M the part of L
that comes through the step M that uses the value (L = sum of the c_M):

    -L                               a flipped sign
    L^T                              a transposed matrix
    L * n/(n-1), L * (n-1)/n         the other variance estimator
    L * n, L / n                     a forgotten 1/n of a mean, or one too many
    L / dM  (all ones: dM = dout)    the local derivative without the chain rule
    sum of some of the c_M           a value used in several places, not all added
    L + (f - 1) c_M                  one path off by f = 2, 1/2, -1, n, 1/n
    integers, float32                a cast (.astype(int), .astype(np.float32))
    L summed over extra axes         a missing sum over a broadcast dimension
and each exercise's own mistakes (mistakes= of a Part).
"""

import itertools
from dataclasses import dataclass

import numpy as np

RTOL, ATOL = 1e-8, 1e-12  # a gradient is right when max|got - true| <= RTOL * max|true| + ATOL
HINT_RTOL = 1e-6  # looser, for matching a wrong answer that was computed another way


def close(got, want, rtol=RTOL) -> bool:
    """Same shape and max|got - want| <= rtol * max|want| + ATOL."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(got - want)
    if not np.all(np.isfinite(diff)):
        return False
    scale = float(np.abs(want).max()) if want.size else 0.0
    return bool(diff.max(initial=0.0) <= rtol * scale + ATOL)


def near(got, want) -> bool:
    return close(got, want, HINT_RTOL)


@dataclass
class Context:
    """What a hint may look at: the reference, and the learner's own rows."""

    part: object
    truth: object  # Truth: forward values and true gradients of every named node
    upstreams: dict  # name -> the learner's gradient where usable, else the true one
    contributions: dict  # name -> [(step that uses it, its local contribution)]
    cache: dict  # the learner's forward values
    returned: dict  # the learner's gradients as sent back (arrays, None or descriptions)

    def local(self, name):
        """One local step of the reference on the learner's upstream: sum of the contributions."""
        parts = self.contributions.get(name)
        if not parts:
            return np.asarray(self.truth.grads[name], dtype=np.float64)
        return np.sum([np.asarray(c, dtype=np.float64) for _, c in parts], axis=0)

    def raw(self, name):
        """The learner's gradient of `name` as float64, whatever its shape; else the true one."""
        got = self.returned.get(name)
        if isinstance(got, np.ndarray) and got.dtype.kind in "fiub":
            return got.astype(np.float64)
        return np.asarray(self.truth.grads[name], dtype=np.float64)

    def value(self, name):
        """The forward value of `name` as float64."""
        return np.asarray(self.truth.forward[name], dtype=np.float64)


def summed_to(got, shape):
    """`got` summed over the axes that broadcasting `shape` up to got.shape would stretch."""
    try:
        if np.broadcast_shapes(got.shape, shape) != got.shape:
            return None, ()
    except ValueError:
        return None, ()
    lead = got.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and got.shape[lead + i] != 1
    )
    if not axes:
        return None, ()
    return got.sum(axis=axes).reshape(shape), axes


def shape_hint(name, got, true) -> str:
    """Why a gradient has the wrong shape (it must always have the shape of its variable)."""
    if got.size == true.size and near(got.reshape(true.shape), true):
        return (
            f"the numbers are right but the shape is {got.shape}, and `{name}` has shape "
            f"{true.shape}: reshape it, or keep the reduced axis with keepdims=True"
        )
    if got.ndim == 2 and got.T.shape == true.shape and near(got.T, true):
        return (
            f"transposed matrix: you have the transpose of d{name} (shape {got.shape}, `{name}` "
            f"is {true.shape}); check the order of the factors in the matmul"
        )
    total, axes = summed_to(got, true.shape)
    if total is not None and near(total, true):
        where = str(axes[0]) if len(axes) == 1 else str(axes)
        keep = ", keepdims=True" if len(true.shape) == got.ndim else ""
        return (
            f"missing a sum over a broadcast dimension: `{name}` has shape {true.shape} but was "
            f"broadcast to {got.shape} in the forward pass, so every copy passes a gradient "
            f"back to it. Add them up: .sum(axis={where}{keep})"
        )
    return (
        f"wrong shape: d{name} must have the shape of `{name}`, {true.shape}, "
        f"but it has shape {got.shape}"
    )


def type_hint(described: str, shape, scalar: bool) -> str:
    """A gradient that is not a number or an array of numbers."""
    if described in ("a Value", "a Tensor"):
        return f"a gradient is a plain number or numpy array, got {described}: use its .data"
    want = "a number" if scalar else f"a numpy array of numbers of shape {shape}"
    return f"expected {want}, got {described}"


def row_hint(name, value, got, local, context, mistakes=()) -> str:
    """A hint for a row of the right shape whose own step is wrong ("" when none fits)."""
    n, variance = context.part.n, context.part.variance
    if got.size and not np.any(got) and np.any(local):
        return "not computed yet (all zeros)"
    if not np.all(np.isfinite(got)):
        return "contains NaN or inf: look for a division by zero or a log of a non-positive number"
    if value.dtype.kind in "iub" and not near(np.round(local), local):
        return (
            f"your d{name} holds integers ({value.dtype}), but the right gradient has fractions: "
            "a cast such as .astype(int) cut them off; keep float64"
        )
    if value.dtype in (np.float32, np.float16) and close(got, local, 1e-3):
        return (
            "right to float32 precision, but the check runs in float64: keep your arrays "
            "float64 (no .astype(np.float32))"
        )
    for candidate, hint in mistakes:
        if near(got, candidate):
            return hint
    if near(got, -local):
        return (
            "flipped sign: your gradient is the negative of the right one; look for a minus "
            "sign you lost or added"
        )
    if local.ndim == 2 and local.shape[0] == local.shape[1] and not near(local.T, local):
        if near(got, local.T):
            return (
                f"transposed matrix: you have the transpose of d{name}; for out = A @ B, "
                "dA = dout @ B.T and dB = A.T @ dout"
            )
    hint = _factor_hint(got, local, n, variance)
    if hint:
        return hint
    uses = context.contributions.get(name, [])
    return _chain_rule_hint(name, got, local, uses, context) or _paths_hint(
        name, got, local, uses, n, variance
    )


def _factor_hint(got, local, n, variance) -> str:
    if not n or n < 2:
        return ""
    if variance and (near(got, local * n / (n - 1)) or near(got, local * (n - 1) / n)):
        divisor = "n" if near(got, local * n / (n - 1)) else "n - 1"
        return (
            f"off by the factor n/(n-1) = {n}/{n - 1}: which variance estimator? The forward pass "
            f"divides by {divisor}; use the same divisor in the backward pass"
        )
    if near(got, local * n):
        return (
            f"off by a factor of n = {n}, too big: you forgot the 1/n of a mean "
            "(a mean divides by n, and so does its gradient)"
        )
    if near(got, local / n):
        return (
            f"off by a factor of n = {n}, too small: you divided by n where the forward pass "
            "has a sum, not a mean (or divided twice)"
        )
    return ""


def _chain_rule_hint(name, got, local, uses, context) -> str:
    """The local derivative alone, not multiplied by the gradient arriving from above."""
    all_ones = got.size > 0 and np.all(got == 1) and not near(local, np.ones_like(local))
    single = len(uses) == 1 and np.shape(context.upstreams[uses[0][0]]) == got.shape
    if all_ones or (single and near(got * context.upstreams[uses[0][0]], local)):
        above = f"d{uses[0][0]}" if len(uses) == 1 else "the gradient from above"
        return (
            "this is the local derivative only: multiply it by the gradient that arrives from "
            f"above (the chain rule: d{name} = local derivative * {above}); a + passes {above} "
            "through unchanged, it does not turn it into ones"
        )
    return ""


def _paths_hint(name, got, local, uses, n, variance) -> str:
    """One of the paths through which `name` is used is missing, or off by a simple factor."""
    if 2 <= len(uses) <= 6:
        for size in range(1, len(uses)):
            for subset in itertools.combinations(uses, size):
                partial = np.sum([c for _, c in subset], axis=0)
                if not near(partial, local) and near(got, partial):
                    missed = [via for via, _ in uses if all(via != v for v, _ in subset)]
                    return (
                        f"`{name}` is used in {len(uses)} places in the forward pass (by "
                        f"{_names(v for v, _ in uses)}), and your gradient misses the "
                        f"contribution through {_names(missed)}: add up the gradients from "
                        f"every use (d{name} += ...)"
                    )
    factors = [
        (2.0, "twice what it should be"),
        (0.5, "half what it should be: a dropped factor 2 (as in d(u**2)/du = 2u)?"),
        (-1.0, "of the wrong sign"),
    ]
    if n and n > 1:
        factors += [
            (n, f"n = {n} times too big: a forgotten 1/n"),
            (1 / n, f"n = {n} times too small: one 1/n too many"),
        ]
        if variance:
            factors += [
                (n / (n - 1), f"off by n/(n-1) = {n}/{n - 1}: which variance estimator?"),
                ((n - 1) / n, "off by (n-1)/n: which variance estimator?"),
            ]
    for via, part in uses if len(uses) >= 2 else ():
        for factor, words in factors:
            if near(got, local + (factor - 1) * part):
                return f"the part of d{name} that comes through `{via}` is {words}"
    return ""


def _names(names) -> str:
    names = [f"`{n}`" for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
