"""What the checker runs for each exercise: seeded random inputs and the reference graph.

Inputs are drawn away from zero (a zero weight or input would make a wrong
gradient look right), and every upstream gradient `dout` is random too. Each
graph writes the exercise's forward pass as named steps `s.name = ...`
(steps.py), the names the learner's cache and gradients use.
"""

import numpy as np

from .engine_problem import exercise8
from .makemore_problem import exercise7, exercise12
from .mistakes import inv_sqrt_exponent, tanh_from_input
from .norm_problems import STAGED_ORDER, exercise9, exercise10, exercise11
from .part import Part
from .steps import EPS


def _away_from_zero(rng, shape=None, low=0.5, high=2.0):
    """Magnitudes in [low, high) with random signs."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


# ---- exercise 1: scalars on Value ------------------------------------------------


def _chain_graph(s):
    s.e = s.a * s.b
    s.d = s.e + s.c
    s.f = s.d**2


def _own_factor(ctx):
    """da = a * de: the factor itself where d(a*b)/da = b, the other factor, belongs."""
    de = ctx.upstreams["e"]
    words = "d(a*b)/da = b and d(a*b)/db = a: the other factor, not the variable itself"
    return {"a": [(ctx.value("a") * de, words)], "b": [(ctx.value("b") * de, words)]}


def _reused_graph(s):
    s.q = s.x * s.y
    s.r = s.q + s.x
    s.s = s.r * s.x


def _neuron_graph(s):
    s.x1w1 = s.x1 * s.w1
    s.x2w2 = s.x2 * s.w2
    s.n = s.x1w1 + s.x2w2 + s.b
    s.o = s.n.tanh()


def exercise1(rng):
    r = lambda: float(_away_from_zero(rng))
    chain = dict(a=r(), b=r(), c=r())
    reused = dict(x=r(), y=r())
    neuron = dict(x1=r(), w1=r() / 2, x2=r(), w2=r() / 2, b=r() / 4)
    return [
        Part(
            title="chain rule",
            forward="chain_forward",
            backward="chain_backward",
            inputs=chain,
            graph=_chain_graph,
            output="f",
            order=("d", "e", "c", "a", "b"),
            leaves=tuple(chain),
            upstream=r(),
            scalar=True,
            mistakes=_own_factor,
        ),
        Part(
            title="reused variable",
            forward="reused_forward",
            backward="reused_backward",
            inputs=reused,
            graph=_reused_graph,
            output="s",
            order=("r", "q", "x", "y"),
            leaves=tuple(reused),
            upstream=r(),
            scalar=True,
        ),
        Part(
            title="tanh neuron",
            forward="neuron_forward",
            backward="neuron_backward",
            inputs=neuron,
            graph=_neuron_graph,
            output="o",
            order=("n", "x1w1", "x2w2", "b", "x1", "w1", "x2", "w2"),
            leaves=tuple(neuron),
            upstream=r(),
            scalar=True,
            mistakes=tanh_from_input("n", "o"),
        ),
    ]


# ---- exercise 2: broadcasting and reductions --------------------------------------


def _broadcast_graph(s):
    s.scaled = s.x * s.w  # w (D,) is copied to every row
    s.shifted = s.scaled + s.b  # b (N, 1) is copied to every column
    s.out = s.shifted.sum(0) / s.x.shape[0]  # the mean of each column


def _centre_graph(s):
    s.mean = s.x.sum(1, keepdim=True) / s.x.shape[1]
    s.out = s.x - s.mean


def exercise2(rng):
    n, d = 5, 3
    broadcast = dict(
        x=_away_from_zero(rng, (n, d)), w=_away_from_zero(rng, (d,)), b=_away_from_zero(rng, (n, 1))
    )
    centre = dict(x=_away_from_zero(rng, (n, d)))
    return [
        Part(
            title="broadcast and mean",
            forward="broadcast_forward",
            backward="broadcast_backward",
            inputs=broadcast,
            graph=_broadcast_graph,
            output="out",
            order=("shifted", "scaled", "b", "x", "w"),
            leaves=tuple(broadcast),
            upstream=_away_from_zero(rng, (d,)),
            n=n,
        ),
        Part(
            title="centring",
            forward="centre_forward",
            backward="centre_backward",
            inputs=centre,
            graph=_centre_graph,
            output="out",
            order=("mean", "x"),
            leaves=("x",),
            upstream=_away_from_zero(rng, (n, d)),
            n=d,
        ),
    ]


# ---- exercise 3: a linear layer and matmul -----------------------------------------


def _linear_graph(s):
    s.xW = s.x @ s.W
    s.out = s.xW + s.b


def _square_graph(s):
    s.y = s.A @ s.B
    s.out = s.y @ s.A


def _square_sides(ctx):
    """dB = dy @ A.T: right shapes (all square), wrong side for A."""
    A, dy = ctx.value("A"), ctx.upstreams["y"]
    hint = (
        "for y = A @ B, dB = A.T @ dy: A stands on the left of B, so A.T goes on the left of dy "
        "(square matrices make dy @ A.T fit the shapes, but it is not the gradient)"
    )
    return {"B": [(dy @ A.T, hint), (A @ dy, hint)]}


def exercise3(rng):
    linear = dict(
        x=rng.standard_normal((6, 4)), W=rng.standard_normal((4, 3)), b=rng.standard_normal(3)
    )
    square = dict(A=rng.standard_normal((4, 4)), B=rng.standard_normal((4, 4)))
    return [
        Part(
            title="linear layer",
            forward="linear_forward",
            backward="linear_backward",
            inputs=linear,
            graph=_linear_graph,
            output="out",
            order=("xW", "b", "x", "W"),
            leaves=tuple(linear),
            upstream=rng.standard_normal((6, 3)),
        ),
        Part(
            title="matrix used twice",
            forward="square_forward",
            backward="square_backward",
            inputs=square,
            graph=_square_graph,
            output="out",
            order=("y", "A", "B"),
            leaves=tuple(square),
            upstream=rng.standard_normal((4, 4)),
            mistakes=_square_sides,
        ),
    ]


# ---- exercise 4: softmax and cross-entropy -----------------------------------------


def _softmax_graph(s):
    n = s.logits.shape[0]
    s.maxes = s.logits.max(1, keepdim=True).values
    s.shifted = s.logits - s.maxes
    s.counts = s.shifted.exp()
    s.counts_sum = s.counts.sum(1, keepdim=True)
    s.counts_sum_inv = s.counts_sum**-1
    s.probs = s.counts * s.counts_sum_inv
    s.logprobs = s.probs.log()
    s.loss = -s.logprobs[np.arange(n), s.targets].mean()


def _fused_graph(s):
    s.loss = s.logits.cross_entropy(s.targets)


def exercise4(rng):
    n, classes = 8, 5
    staged = dict(logits=2 * rng.standard_normal((n, classes)), targets=rng.integers(0, classes, n))
    fused = dict(logits=2 * rng.standard_normal((n, classes)), targets=rng.integers(0, classes, n))
    return [
        Part(
            title="every intermediate",
            forward="staged_forward",
            backward="staged_backward",
            inputs=staged,
            graph=_softmax_graph,
            output="loss",
            order=(
                "logprobs",
                "probs",
                "counts_sum_inv",
                "counts_sum",
                "counts",
                "shifted",
                "maxes",
                "logits",
            ),
            leaves=("logits",),
            n=n,
        ),
        Part(
            title="one line",
            forward="fused_forward",
            backward="fused_backward",
            inputs=fused,
            graph=_fused_graph,
            output="loss",
            order=("logits",),
            leaves=("logits",),
            n=n,
        ),
    ]


# ---- exercises 5 and 6: BatchNorm --------------------------------------------------


def batchnorm_graph(s, correction=0):
    """BatchNorm over the batch (axis 0) from primitives; var divides by n - correction."""
    n = s.x.shape[0]
    s.mean = s.x.sum(0, keepdim=True) / n
    s.centred = s.x - s.mean
    s.squared = s.centred**2
    s.var = s.squared.sum(0, keepdim=True) / (n - correction)
    s.inv_std = (s.var + EPS) ** -0.5
    s.x_hat = s.centred * s.inv_std
    s.scaled = s.gamma * s.x_hat
    s.out = s.scaled + s.beta


def _batchnorm_inputs(rng, n, d):
    return dict(
        x=2 * rng.standard_normal((n, d)) + 0.5,
        gamma=1 + 0.3 * rng.standard_normal((1, d)),
        beta=rng.standard_normal((1, d)),
    )


def exercise5(rng):
    n, d = 8, 4
    inputs = _batchnorm_inputs(rng, n, d)
    return [
        Part(
            title="staged BatchNorm",
            forward="forward",
            backward="backward",
            inputs=inputs,
            graph=batchnorm_graph,
            output="out",
            order=STAGED_ORDER,
            leaves=tuple(inputs),
            upstream=rng.standard_normal((n, d)),
            n=n,
            variance=True,
            mistakes=inv_sqrt_exponent("var", "inv_std"),
        )
    ]


def one_line_dx(ctx, correction, gamma=True, factor=None):
    """dx = gamma * inv_std / n * (n dout - dbeta - c x_hat dgamma), c = n / (n - correction),

    written with the learner's own dbeta and dgamma (the one line uses them).
    """
    x_hat, inv_std = ctx.value("x_hat"), ctx.value("inv_std")
    dout = np.asarray(ctx.part.upstream, dtype=np.float64)
    n = x_hat.shape[0]
    c = n / (n - correction) if factor is None else factor
    scale = (ctx.value("gamma") if gamma else 1.0) * inv_std / n
    with np.errstate(all="ignore"):
        try:  # the learner's dbeta and dgamma, even of a wrong shape, as the one line uses them
            return scale * (n * dout - ctx.raw("beta") - c * x_hat * ctx.raw("gamma"))
        except ValueError:
            return np.full_like(x_hat, np.nan)


def _one_line(correction):
    """The hints of the one-line dx: the other estimator's factor, gamma left out."""

    def mistakes(ctx):
        n = ctx.value("x").shape[0]
        c_other = n / (n - (1 - correction))
        right, wrong = (
            ("1", f"n/(n-1) = {n}/{n - 1}") if correction == 0 else (f"n/(n-1) = {n}/{n - 1}", "1")
        )
        estimator = (
            "biased variance (divides by n)"
            if correction == 0
            else "Bessel-corrected variance (divides by n - 1)"
        )
        other = (
            f"which variance estimator? This forward pass uses the {estimator}, so the factor "
            f"in front of x_hat * sum(dout * x_hat) is {right}; yours has {wrong}, the factor "
            "of the other estimator"
        )
        no_gamma = (
            "dx lacks the factor gamma: out = gamma * x_hat + beta, so every path from out back "
            "to x "
            "passes through gamma"
        )
        return {
            "x": [
                (one_line_dx(ctx, correction, factor=c_other), other),
                (one_line_dx(ctx, correction, gamma=False), no_gamma),
            ]
        }

    return mistakes


def _one_line_follows(correction):
    return lambda ctx: {"x": one_line_dx(ctx, correction)}


def exercise6(rng):
    n, d = 8, 4
    variants = (("biased variance", "biased", 0), ("Bessel-corrected variance", "bessel", 1))
    parts = []
    for title, suffix, correction in variants:
        inputs = _batchnorm_inputs(rng, n, d)
        parts.append(
            Part(
                title=title,
                forward=f"forward_{suffix}",
                backward=f"backward_{suffix}",
                inputs=inputs,
                graph=lambda s, correction=correction: batchnorm_graph(s, correction=correction),
                output="out",
                order=("beta", "gamma", "x"),
                leaves=tuple(inputs),
                upstream=rng.standard_normal((n, d)),
                n=n,
                variance=True,
                mistakes=_one_line(correction),
                follows=_one_line_follows(correction),
            )
        )
    return parts


EXERCISE_PARTS = {
    1: exercise1,
    2: exercise2,
    3: exercise3,
    4: exercise4,
    5: exercise5,
    6: exercise6,
    7: exercise7,
    8: exercise8,
    9: exercise9,
    10: exercise10,
    11: exercise11,
    12: exercise12,
}


def parts(number: int, seed: int = 0) -> list:
    """The parts of exercise `number`, with inputs drawn from `seed`."""
    return EXERCISE_PARTS[number](np.random.default_rng([number, seed]))
