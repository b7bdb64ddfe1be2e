"""Exercise 5: BatchNorm backward, one intermediate at a time.

The forward pass is written. Fill in every gradient marked TODO (now None).

Training-mode BatchNorm normalises each feature over the batch (axis 0) with
the biased variance (divide by n), then scales and shifts:

    x_hat = (x - mean) / sqrt(var + eps),   out = gamma * x_hat + beta

Go from `out` back to `x`. Watch for values used twice and for arrays that
were broadcast over the batch. Check with:  tinygrad-bn exercises check <this file>
"""

# ruff: noqa: F401, F841  (the names prepared for you are unused until you write your gradients)

import numpy as np

EXERCISE = 5  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line

EPS = 1e-5


def forward(x, gamma, beta):
    """x (n, d), gamma and beta (1, d)."""
    n = x.shape[0]
    mean = x.sum(0, keepdims=True) / n
    centred = x - mean
    squared = centred**2
    var = squared.sum(0, keepdims=True) / n
    inv_std = (var + EPS) ** -0.5
    x_hat = centred * inv_std
    scaled = gamma * x_hat
    out = scaled + beta
    return dict(x=x, gamma=gamma, beta=beta, mean=mean, centred=centred, squared=squared, var=var,
        inv_std=inv_std, x_hat=x_hat, scaled=scaled, out=out)  # fmt: skip


def backward(cache, dout):
    """Return dL/d of every intermediate and input, given dout = dL/dout (n, d)."""
    c = cache
    n = c["x"].shape[0]
    dscaled = None  # TODO
    dbeta = None  # TODO: shape (1, d)
    dgamma = None  # TODO: shape (1, d)
    dx_hat = None  # TODO
    dinv_std = None  # TODO
    dcentred = None  # TODO: centred is used twice
    dvar = None  # TODO
    dsquared = None  # TODO
    dmean = None  # TODO
    dx = None  # TODO: x is used twice
    return dict(scaled=dscaled, beta=dbeta, gamma=dgamma, x_hat=dx_hat, inv_std=dinv_std, var=dvar,
        squared=dsquared, centred=dcentred, mean=dmean, x=dx)  # fmt: skip
