"""Exercise 11: the n x n Jacobian of one BatchNorm feature, in its three terms.

For one feature x (n,) of a batch, out_i = gamma * x_hat_i with
x_hat = (x - mean) / sigma and sigma = sqrt(var + eps) (the biased variance):

    J[i, j] = d out_i / d x_j   (an n x n matrix: every input moves every output)

Derive it from three facts: d x_i / d x_j = delta_ij (1 on the diagonal),
d mean / d x_j = 1/n, and d var / d x_j = 2 (x_j - mean) / n. It splits into
three terms, each an (n, n) matrix with the factor gamma / sigma:
identity (each output moves with its own input), mean (every input moves the
mean, which every output subtracts) and correlation (every input moves the
variance, which rescales every output). The checker compares J with the
Jacobian autograd computes, one backward pass per output.

Fill in everything marked TODO (now None). Check your answers with:
    tinygrad-bn exercises check <this file>
"""

# ruff: noqa: F401, F841  (the names prepared for you are unused until you write your answers)

import numpy as np

EXERCISE = 11  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line

EPS = 1e-5


def jacobian(x, gamma):
    """The three terms of J[i, j] = d out_i / d x_j, and J itself."""
    n = len(x)
    sigma = np.sqrt(x.var() + EPS)
    x_hat = (x - x.mean()) / sigma
    identity = None  # TODO: (n, n)
    mean = None  # TODO: (n, n)
    correlation = None  # TODO: (n, n); np.outer may help
    J = None  # TODO: the three together
    return dict(identity=identity, mean=mean, correlation=correlation, J=J)
