"""Exercise 6: BatchNorm's input gradient as one expression.

The forward passes are written. Fill in every gradient marked TODO (now None).

Collect the staged backward of exercise 5 into a single expression for dx,
using only dout, x_hat, inv_std, gamma and n. Do it twice: once for the biased
variance (divide by n, as in the BatchNorm paper's training mode) and once for
the Bessel-corrected variance (divide by n - 1, as in the makemore lecture).
The two answers differ in one factor. Check with:  tinygrad-bn exercises check <this file>
"""

# ruff: noqa: F401, F841  (the names prepared for you are unused until you write your gradients)

EXERCISE = 6  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line

EPS = 1e-5


def forward_biased(x, gamma, beta):
    """BatchNorm with the biased batch variance: sum((x - mean)^2) / n."""
    n = x.shape[0]
    mean = x.sum(0, keepdims=True) / n
    var = ((x - mean) ** 2).sum(0, keepdims=True) / n
    inv_std = (var + EPS) ** -0.5
    x_hat = (x - mean) * inv_std
    out = gamma * x_hat + beta
    return dict(
        x=x, gamma=gamma, beta=beta, mean=mean, var=var, inv_std=inv_std, x_hat=x_hat, out=out
    )


def backward_biased(cache, dout):
    """Return dL/d of beta, gamma, x; dx in one line."""
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    n = dout.shape[0]
    dbeta = None  # TODO: shape (1, d)
    dgamma = None  # TODO: shape (1, d)
    dx = None  # TODO: one line
    return dict(beta=dbeta, gamma=dgamma, x=dx)


def forward_bessel(x, gamma, beta):
    """BatchNorm with the Bessel-corrected batch variance: sum((x - mean)^2) / (n - 1)."""
    n = x.shape[0]
    mean = x.sum(0, keepdims=True) / n
    var = ((x - mean) ** 2).sum(0, keepdims=True) / (n - 1)
    inv_std = (var + EPS) ** -0.5
    x_hat = (x - mean) * inv_std
    out = gamma * x_hat + beta
    return dict(
        x=x, gamma=gamma, beta=beta, mean=mean, var=var, inv_std=inv_std, x_hat=x_hat, out=out
    )


def backward_bessel(cache, dout):
    """Return dL/d of beta, gamma, x; dx in one line."""
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    n = dout.shape[0]
    dbeta = None  # TODO: shape (1, d)
    dgamma = None  # TODO: shape (1, d)
    dx = None  # TODO: one line
    return dict(beta=dbeta, gamma=dgamma, x=dx)
