"""Exercise 5 (solution): BatchNorm backward, one intermediate at a time.

Training-mode BatchNorm normalises each feature over the batch (axis 0) with
the biased variance (divide by n), then scales and shifts:

    x_hat = (x - mean) / sqrt(var + eps),   out = gamma * x_hat + beta
"""

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
    dscaled = dout
    dbeta = dout.sum(0, keepdims=True)  # beta was broadcast over the batch
    dgamma = (c["x_hat"] * dscaled).sum(0, keepdims=True)  # so was gamma
    dx_hat = c["gamma"] * dscaled
    dinv_std = (c["centred"] * dx_hat).sum(0, keepdims=True)
    dcentred = c["inv_std"] * dx_hat  # centred is used in x_hat ...
    # d (v + eps)^(-1/2) = -1/2 (v + eps)^(-3/2) dv
    dvar = -0.5 * (c["var"] + EPS) ** -1.5 * dinv_std
    dsquared = np.ones_like(c["squared"]) * dvar / n  # the same divisor as the forward: n
    dcentred = dcentred + 2 * c["centred"] * dsquared  # ... and in squared
    dmean = -dcentred.sum(0, keepdims=True)
    dx = dcentred + np.ones_like(c["x"]) * dmean / n  # x is used in centred and in mean
    return dict(scaled=dscaled, beta=dbeta, gamma=dgamma, x_hat=dx_hat, inv_std=dinv_std, var=dvar,
        squared=dsquared, centred=dcentred, mean=dmean, x=dx)  # fmt: skip
