"""What the checker runs for each exercise: seeded random inputs and the autograd graph.

Inputs are drawn away from zero (a zero weight or input would make a wrong
gradient look right), and every upstream gradient `dout` is random too.
"""

from functools import lru_cache

import numpy as np

from ..data import load_names, make_splits
from .part import Part

EPS = 1e-5  # BatchNorm's epsilon, as in the templates


def _away_from_zero(rng, shape=None, low=0.5, high=2.0):
    """Magnitudes in [low, high) with random signs."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


# ---- exercise 1: scalars on Value ------------------------------------------------


def _chain_graph(a, b, c):
    e = a * b
    d = e + c
    f = d**2
    return dict(a=a, b=b, c=c, e=e, d=d, f=f)


def _reused_graph(x, y):
    q = x * y
    r = q + x
    s = r * x
    return dict(x=x, y=y, q=q, r=r, s=s)


def _neuron_graph(x1, w1, x2, w2, b):
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    n = x1w1 + x2w2 + b
    o = n.tanh()
    return dict(x1=x1, w1=w1, x2=x2, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, n=n, o=o)


def exercise1(rng):
    r = lambda: float(_away_from_zero(rng))
    chain = dict(a=r(), b=r(), c=r())
    reused = dict(x=r(), y=r())
    neuron = dict(x1=r(), w1=r() / 2, x2=r(), w2=r() / 2, b=r() / 4)
    return [
        Part("chain rule", "chain_forward", "chain_backward", chain, _chain_graph, "f", ("d", "e", "c", "a", "b"), tuple(chain), r(),
             scalar=True),
        Part("reused variable", "reused_forward", "reused_backward", reused, _reused_graph, "s", ("r", "q", "x", "y"), tuple(reused), r(),
             scalar=True),
        Part("tanh neuron", "neuron_forward", "neuron_backward", neuron, _neuron_graph, "o",
             ("n", "x1w1", "x2w2", "b", "x1", "w1", "x2", "w2"), tuple(neuron), r(), scalar=True),
    ]  # fmt: skip


# ---- exercise 2: broadcasting and reductions --------------------------------------


def _broadcast_graph(x, w, b):
    scaled = x * w  # w (D,) is copied to every row
    shifted = scaled + b  # b (N, 1) is copied to every column
    out = shifted.sum(0) / x.shape[0]  # the mean of each column
    return dict(x=x, w=w, b=b, scaled=scaled, shifted=shifted, out=out)


def _centre_graph(x):
    mean = x.sum(1, keepdim=True) / x.shape[1]
    out = x - mean
    return dict(x=x, mean=mean, out=out)


def exercise2(rng):
    n, d = 5, 3
    broadcast = dict(
        x=_away_from_zero(rng, (n, d)), w=_away_from_zero(rng, (d,)), b=_away_from_zero(rng, (n, 1))
    )
    centre = dict(x=_away_from_zero(rng, (n, d)))
    return [
        Part("broadcast and mean", "broadcast_forward", "broadcast_backward", broadcast, _broadcast_graph, "out",
             ("shifted", "scaled", "b", "x", "w"), tuple(broadcast), _away_from_zero(rng, (d,)), n=n),
        Part("centring", "centre_forward", "centre_backward", centre, _centre_graph, "out", ("mean", "x"), ("x",),
             _away_from_zero(rng, (n, d)), n=d),
    ]  # fmt: skip


# ---- exercise 3: a linear layer and matmul -----------------------------------------


def _linear_graph(x, W, b):
    xW = x @ W
    out = xW + b
    return dict(x=x, W=W, b=b, xW=xW, out=out)


def _square_graph(A, B):
    y = A @ B
    out = y @ A
    return dict(A=A, B=B, y=y, out=out)


def exercise3(rng):
    linear = dict(
        x=rng.standard_normal((6, 4)), W=rng.standard_normal((4, 3)), b=rng.standard_normal(3)
    )
    square = dict(A=rng.standard_normal((4, 4)), B=rng.standard_normal((4, 4)))
    return [
        Part("linear layer", "linear_forward", "linear_backward", linear, _linear_graph, "out", ("xW", "b", "x", "W"), tuple(linear),
             rng.standard_normal((6, 3))),
        Part("matrix used twice", "square_forward", "square_backward", square, _square_graph, "out", ("y", "A", "B"), tuple(square),
             rng.standard_normal((4, 4))),
    ]  # fmt: skip


# ---- exercise 4: softmax and cross-entropy -----------------------------------------


def _softmax_graph(logits, targets):
    n = logits.shape[0]
    maxes = logits.max(1, keepdim=True)
    shifted = logits - maxes
    counts = shifted.exp()
    counts_sum = counts.sum(1, keepdim=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[np.arange(n), targets].mean()
    return dict(logits=logits, maxes=maxes, shifted=shifted, counts=counts, counts_sum=counts_sum, counts_sum_inv=counts_sum_inv,
                probs=probs, logprobs=logprobs, loss=loss)  # fmt: skip


def _fused_graph(logits, targets):
    return dict(logits=logits, loss=logits.cross_entropy(targets))


def exercise4(rng):
    n, classes = 8, 5
    staged = dict(logits=2 * rng.standard_normal((n, classes)), targets=rng.integers(0, classes, n))
    fused = dict(logits=2 * rng.standard_normal((n, classes)), targets=rng.integers(0, classes, n))
    return [
        Part("every intermediate", "staged_forward", "staged_backward", staged, _softmax_graph, "loss",
             ("logprobs", "probs", "counts_sum_inv", "counts_sum", "counts", "shifted", "maxes", "logits"), ("logits",), n=n),
        Part("one line", "fused_forward", "fused_backward", fused, _fused_graph, "loss", ("logits",), ("logits",), n=n),
    ]  # fmt: skip


# ---- exercises 5 and 6: BatchNorm --------------------------------------------------


def _batchnorm_graph(x, gamma, beta, correction=0):
    """BatchNorm over the batch (axis 0) from primitives; var divides by n - correction."""
    n = x.shape[0]
    mean = x.sum(0, keepdim=True) / n
    centred = x - mean
    squared = centred**2
    var = squared.sum(0, keepdim=True) / (n - correction)
    inv_std = (var + EPS) ** -0.5
    x_hat = centred * inv_std
    scaled = gamma * x_hat
    out = scaled + beta
    return dict(x=x, gamma=gamma, beta=beta, mean=mean, centred=centred, squared=squared, var=var, inv_std=inv_std, x_hat=x_hat,
                scaled=scaled, out=out)  # fmt: skip


def _batchnorm_inputs(rng, n, d):
    return dict(
        x=2 * rng.standard_normal((n, d)) + 0.5,
        gamma=1 + 0.3 * rng.standard_normal((1, d)),
        beta=rng.standard_normal((1, d)),
    )


def exercise5(rng):
    n, d = 8, 4
    inputs = _batchnorm_inputs(rng, n, d)
    order = (
        "scaled",
        "beta",
        "gamma",
        "x_hat",
        "inv_std",
        "var",
        "squared",
        "centred",
        "mean",
        "x",
    )
    return [Part("staged BatchNorm", "forward", "backward", inputs, _batchnorm_graph, "out", order, tuple(inputs),
                 rng.standard_normal((n, d)), n=n, variance=True)]  # fmt: skip


def _other_estimator(correction):
    """The one-line dx written for the other variance estimator: the hint for mixing them up.

    dx = gamma * inv_std / n * (n dout - sum(dout) - c x_hat sum(dout x_hat)), c = n / (n - correction).
    """

    def mistakes(truth):
        x_hat, inv_std, gamma = (
            truth.forward["x_hat"],
            truth.forward["inv_std"],
            truth.forward["gamma"],
        )
        dout = truth.nodes["out"].grad  # the upstream gradient
        n = x_hat.shape[0]
        c, c_other = n / (n - correction), n / (n - (1 - correction))
        shift = gamma * inv_std / n * (c - c_other) * x_hat * (dout * x_hat).sum(0, keepdims=True)
        right, wrong = (
            ("1", f"n/(n-1) = {n}/{n - 1}") if correction == 0 else (f"n/(n-1) = {n}/{n - 1}", "1")
        )
        estimator = (
            "biased variance (divides by n)"
            if correction == 0
            else "Bessel-corrected variance (divides by n - 1)"
        )
        hint = (
            f"which variance estimator? This forward pass uses the {estimator}, so the factor in front of "
            f"x_hat * sum(dout * x_hat) is {right}; yours has {wrong}, the factor of the other estimator"
        )
        return {"x": [(truth.grads["x"] + shift, hint)]}

    return mistakes


def exercise6(rng):
    n, d = 8, 4
    biased, bessel = _batchnorm_inputs(rng, n, d), _batchnorm_inputs(rng, n, d)
    return [
        Part("biased variance", "forward_biased", "backward_biased", biased, lambda **kw: _batchnorm_graph(**kw, correction=0), "out",
             ("beta", "gamma", "x"), tuple(biased), rng.standard_normal((n, d)), n=n, variance=True, mistakes=_other_estimator(0)),
        Part("Bessel-corrected variance", "forward_bessel", "backward_bessel", bessel, lambda **kw: _batchnorm_graph(**kw, correction=1),
             "out", ("beta", "gamma", "x"), tuple(bessel), rng.standard_normal((n, d)), n=n, variance=True,
             mistakes=_other_estimator(1)),
    ]  # fmt: skip


def parts(number: int, seed: int = 0) -> list:
    """The parts of exercise `number`, with inputs drawn from `seed`."""
    rng = np.random.default_rng([number, seed])
    if number == 7:
        from .makemore_problem import exercise7

        return exercise7(rng, seed)
    return {1: exercise1, 2: exercise2, 3: exercise3, 4: exercise4, 5: exercise5, 6: exercise6}[
        number
    ](rng)


@lru_cache(maxsize=1)
def names_splits():
    """The shipped names list, split as in makemore (used by exercise 7; read-only)."""
    return make_splits(load_names(), block_size=3, seed=42)
