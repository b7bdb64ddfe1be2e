"""Exercise 11 (solution): the n x n Jacobian of one BatchNorm feature, in its three terms.

For one feature x (n,) of a batch, out_i = gamma * x_hat_i with
x_hat = (x - mean) / sigma and sigma = sqrt(var + eps) (the biased variance):

    d out_i / d x_j = (gamma / sigma) * (delta_ij - 1/n - x_hat_i * x_hat_j / n)

identity: each output moves with its own input; mean: every input moves the
mean, which every output subtracts; correlation: every input moves the
variance, which rescales every output.
"""

import numpy as np

EXERCISE = 11  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line

EPS = 1e-5


def jacobian(x, gamma):
    """The three terms of J[i, j] = d out_i / d x_j, and J itself."""
    n = len(x)
    sigma = np.sqrt(x.var() + EPS)
    x_hat = (x - x.mean()) / sigma
    identity = gamma / sigma * np.eye(n)
    mean = -gamma / sigma / n * np.ones((n, n))
    correlation = -gamma / sigma / n * np.outer(x_hat, x_hat)
    J = identity + mean + correlation
    return dict(identity=identity, mean=mean, correlation=correlation, J=J)
