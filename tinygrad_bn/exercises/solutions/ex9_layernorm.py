"""Exercise 9 (solution): LayerNorm's backward, step by step and then in one line.

LayerNorm normalises each example over its own d features (axis 1), with the
biased variance, then scales and shifts each feature:

    x_hat = (x - mean) / sqrt(var + eps),   out = gamma * x_hat + beta

It is BatchNorm with the axes swapped for the statistics (not for gamma and
beta, which still belong to the features and so sum over the batch).
"""

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
    dscaled = dout
    dbeta = dout.sum(0, keepdims=True)  # beta belongs to the features: sum over the batch
    dgamma = (c["x_hat"] * dscaled).sum(0, keepdims=True)
    dx_hat = c["gamma"] * dscaled
    dinv_std = (c["centred"] * dx_hat).sum(1, keepdims=True)  # one per example: sum over axis 1
    dcentred = c["inv_std"] * dx_hat  # centred is used in x_hat ...
    dvar = -0.5 * (c["var"] + EPS) ** -1.5 * dinv_std
    dsquared = np.ones_like(c["squared"]) * dvar / d
    dcentred = dcentred + 2 * c["centred"] * dsquared  # ... and in squared
    dmean = -dcentred.sum(1, keepdims=True)
    dx = dcentred + np.ones_like(c["x"]) * dmean / d  # x is used in centred and in mean
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
    """dx = inv_std/d (d dx_hat - sum_j dx_hat - x_hat sum_j dx_hat x_hat), dx_hat = gamma dout."""
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    d = x_hat.shape[1]
    dbeta = dout.sum(0, keepdims=True)
    dgamma = (dout * x_hat).sum(0, keepdims=True)
    dx_hat = gamma * dout
    dx = inv_std / d * (d * dx_hat - dx_hat.sum(1, keepdims=True)
                        - x_hat * (dx_hat * x_hat).sum(1, keepdims=True))  # fmt: skip
    return dict(beta=dbeta, gamma=dgamma, x=dx)
