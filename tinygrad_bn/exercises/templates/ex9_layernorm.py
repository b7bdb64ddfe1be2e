"""Exercise 9: LayerNorm's backward, step by step and then in one line.

LayerNorm normalises each example over its own d features (axis 1), with the
biased variance, then scales and shifts each feature:

    x_hat = (x - mean) / sqrt(var + eps),   out = gamma * x_hat + beta

It is BatchNorm with the axes swapped for the statistics (not for gamma and
beta, which still belong to the features and so sum over the batch).

Fill in every gradient marked TODO (now None). Check your answers with:
    tinygrad-bn exercises check <this file>
"""

# ruff: noqa: F401, F841  (the names prepared for you are unused until you write your answers)

import numpy as np

EXERCISE = 9  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line

EPS = 1e-5


def staged_forward(x, gamma, beta):
    """x (n, d), gamma and beta (1, d); statistics over axis 1."""
    d = x.shape[1]
    mean = x.sum(1, keepdims=True) / d
    centred = x - mean
    squared = centred**2
    var = squared.sum(1, keepdims=True) / d
    inv_std = (var + EPS) ** -0.5
    x_hat = centred * inv_std
    scaled = gamma * x_hat
    out = scaled + beta
    return dict(x=x, gamma=gamma, beta=beta, mean=mean, centred=centred, squared=squared,
                var=var, inv_std=inv_std, x_hat=x_hat, scaled=scaled, out=out)  # fmt: skip


def staged_backward(cache, dout):
    """Return dL/d of every intermediate and input, given dout (n, d)."""
    c = cache
    d = c["x"].shape[1]
    dscaled = None  # TODO
    dbeta = None  # TODO: beta belongs to the features
    dgamma = None  # TODO
    dx_hat = None  # TODO
    dinv_std = None  # TODO: inv_std has one value per example
    dvar = None  # TODO
    dsquared = None  # TODO
    dcentred = None  # TODO: centred is used twice
    dmean = None  # TODO
    dx = None  # TODO: x is used twice
    return dict(scaled=dscaled, beta=dbeta, gamma=dgamma, x_hat=dx_hat, inv_std=dinv_std,
                var=dvar, squared=dsquared, centred=dcentred, mean=dmean, x=dx)  # fmt: skip


def one_line_forward(x, gamma, beta):
    """The same LayerNorm, keeping only what the one-line backward needs."""
    d = x.shape[1]
    mean = x.sum(1, keepdims=True) / d
    var = ((x - mean) ** 2).sum(1, keepdims=True) / d
    inv_std = (var + EPS) ** -0.5
    x_hat = (x - mean) * inv_std
    out = gamma * x_hat + beta
    return dict(x=x, gamma=gamma, beta=beta, inv_std=inv_std, x_hat=x_hat, out=out)


def one_line_backward(cache, dout):
    """dx in one expression of x_hat, inv_std, gamma and dout (the sums run over axis 1)."""
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    d = x_hat.shape[1]
    dbeta = None  # TODO
    dgamma = None  # TODO
    dx = None  # TODO: one line
    return dict(beta=dbeta, gamma=dgamma, x=dx)
