"""Name the mistake behind a wrong gradient by testing it against known wrong answers.

Each test transforms the true gradient G the way a known mistake would and
asks whether the learner's array matches the result:

    -G                                   a flipped sign
    G^T                                  a transposed matrix
    G * n/(n-1), G * (n-1)/n             the other variance estimator
    G * n, G / n                         a forgotten or extra 1/n of a mean
    G / dout                             the local derivative without the chain rule
    sum of some of G's contributions     a node used twice whose contributions were not all added
    G summed over axes of the learner's  a missing sum over a broadcast dimension
    array with the right shape
"""

import itertools

import numpy as np

RTOL, ATOL = 1e-8, 1e-12  # a gradient is right when max|got - true| <= RTOL * max|true| + ATOL
HINT_RTOL = 1e-6  # looser, for matching a wrong answer that was computed another way


def close(got, want, rtol=RTOL) -> bool:
    """Same shape and max|got - want| <= rtol * max|want| + ATOL."""
    if got.shape != want.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(got - want)
    if not np.all(np.isfinite(diff)):
        return False
    scale = float(np.abs(want).max()) if want.size else 0.0
    return bool(diff.max(initial=0.0) <= rtol * scale + ATOL)


def summed_to(got, shape):
    """`got` summed over the axes that broadcasting `shape` up to got.shape would stretch, or None."""
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
    if got.size == true.size and close(got.reshape(true.shape), true, HINT_RTOL):
        return (
            f"the numbers are right but the shape is {got.shape}, and `{name}` has shape {true.shape}: "
            "reshape it, or keep the reduced axis with keepdims=True"
        )
    if got.ndim == 2 and got.T.shape == true.shape and close(got.T, true, HINT_RTOL):
        return (
            f"transposed matrix: you have the transpose of d{name} (shape {got.shape}, `{name}` is {true.shape}); "
            "check the order of the factors in the matmul"
        )
    total, axes = summed_to(got, true.shape)
    if total is not None and close(total, true, HINT_RTOL):
        where = str(axes[0]) if len(axes) == 1 else str(axes)
        keep = ", keepdims=True" if len(true.shape) == got.ndim else ""
        return (
            f"missing a sum over a broadcast dimension: `{name}` has shape {true.shape} but was broadcast to {got.shape} "
            f"in the forward pass, so every copy passes a gradient back to it. Add them up: .sum(axis={where}{keep})"
        )
    return f"wrong shape: d{name} must have the shape of `{name}`, {true.shape}, but it has shape {got.shape}"


def value_hint(
    name, got, true, contributions=(), n=None, variance=False, upstream=None, mistakes=()
) -> str:
    """A hint for a gradient of the right shape but the wrong numbers ("" when none fits)."""
    if got.size and not np.any(got) and np.any(true):
        return "not computed yet (all zeros)"
    if not np.all(np.isfinite(got)):
        return "contains NaN or inf: look for a division by zero or a log of a non-positive number"
    for candidate, hint in mistakes:
        if close(got, np.asarray(candidate, dtype=true.dtype), HINT_RTOL):
            return hint
    if close(got, -true, HINT_RTOL):
        return "flipped sign: your gradient is the negative of the right one; look for a minus sign you lost or added"
    if (
        true.ndim == 2
        and true.shape[0] == true.shape[1]
        and not close(true.T, true, HINT_RTOL)
        and close(got, true.T, HINT_RTOL)
    ):
        return f"transposed matrix: you have the transpose of d{name}; for out = A @ B, dA = dout @ B.T and dB = A.T @ dout"
    if n and n > 1:
        if variance and (
            close(got, true * n / (n - 1), HINT_RTOL) or close(got, true * (n - 1) / n, HINT_RTOL)
        ):
            return (
                f"off by the factor n/(n-1) = {n}/{n - 1}: which variance estimator? The forward pass divides by "
                f"{'n' if _biased_hint(got, true, n) else 'n - 1'}; use the same divisor in the backward pass"
            )
        if close(got, true * n, HINT_RTOL) or close(got, true / n, HINT_RTOL):
            return f"off by a factor of n = {n}: a mean divides by n, and so does its gradient (and only once)"
    if (
        upstream is not None
        and np.ndim(upstream) == 0
        and upstream not in (0, 1)
        and close(got, true / upstream, HINT_RTOL)
    ):
        return (
            "this is the local derivative only: multiply it by the gradient that arrives from above "
            f"(the chain rule: d{name} = local derivative * upstream gradient)"
        )
    used = len(contributions)
    if 2 <= used <= 6:
        for size in range(1, used):
            for subset in itertools.combinations(contributions, size):
                partial = np.sum([np.asarray(c, dtype=true.dtype) for c in subset], axis=0)
                if not close(partial, true, HINT_RTOL) and close(got, partial, HINT_RTOL):
                    return (
                        f"`{name}` is used in {used} places in the forward pass, and your gradient holds the contribution of "
                        f"only {size} of them: add up the gradients from every use (d{name} += ...)"
                    )
    return ""


def _biased_hint(got, true, n) -> bool:
    """True when the forward divides by n (the learner's answer is the n-1 version, n/(n-1) too big)."""
    return close(got, true * n / (n - 1), HINT_RTOL)
