"""Exercise 6 (solution): BatchNorm's input gradient as one expression.

Collecting the staged backward of exercise 5 gives, per feature,

    dx = gamma * inv_std / n * (n * dout - sum(dout) - c * x_hat * sum(dout * x_hat))

with sums over the batch and c = 1 for the biased variance (divide by n) or
c = n / (n - 1) for the Bessel-corrected one (divide by n - 1, as in the
makemore lecture). dgamma and dbeta are the two sums that appear in it.
"""

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
    dbeta = dout.sum(0, keepdims=True)
    dgamma = (dout * x_hat).sum(0, keepdims=True)
    dx = gamma * inv_std / n * (n * dout - dbeta - x_hat * dgamma)
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
    dbeta = dout.sum(0, keepdims=True)
    dgamma = (dout * x_hat).sum(0, keepdims=True)
    dx = gamma * inv_std / n * (n * dout - dbeta - n / (n - 1) * x_hat * dgamma)
    return dict(beta=dbeta, gamma=dgamma, x=dx)
