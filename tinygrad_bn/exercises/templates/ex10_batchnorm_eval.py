"""Exercise 10: BatchNorm at inference, and how its running statistics are kept.

In eval mode BatchNorm uses the running mean and variance, constants: each
example is normalised on its own, so dx has no batch terms at all.

The running statistics are exponential moving averages of the batch ones, in
two conventions that use the word `momentum` for opposite things:

    PyTorch:          running = (1 - momentum) * running + momentum * batch   (momentum 0.1),
                      with the unbiased batch variance (divides by n - 1);
    CS231n and Keras: running = momentum * running + (1 - momentum) * batch   (momentum 0.9),
                      with the biased batch variance (divides by n).

Fill in everything marked TODO (now None). Check your answers with:
    tinygrad-bn exercises check <this file>
"""

# ruff: noqa: F401, F841  (the names prepared for you are unused until you write your answers)

import numpy as np

EXERCISE = 10  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line

EPS = 1e-5


def eval_forward(x, gamma, beta, running_mean, running_var):
    """x (n, d); gamma, beta and the running statistics (1, d)."""
    x_hat = (x - running_mean) * (running_var + EPS) ** -0.5
    out = gamma * x_hat + beta
    return dict(x=x, gamma=gamma, beta=beta, running_mean=running_mean,
                running_var=running_var, x_hat=x_hat, out=out)  # fmt: skip


def eval_backward(cache, dout):
    """Return dL/d of beta, gamma, x_hat, x, given dout (n, d)."""
    c = cache
    dbeta = None  # TODO
    dgamma = None  # TODO
    dx_hat = None  # TODO
    dx = None  # TODO: what is constant in eval mode?
    return dict(beta=dbeta, gamma=dgamma, x_hat=dx_hat, x=dx)


def update_pytorch(running_mean, running_var, x, momentum):
    """PyTorch's update after one training batch x (n, d); momentum is the new batch's weight."""
    n = x.shape[0]
    running_mean = None  # TODO: which batch variance does PyTorch keep?
    running_var = None  # TODO
    return dict(running_mean=running_mean, running_var=running_var)


def update_keras(running_mean, running_var, x, momentum):
    """CS231n's and Keras's update; momentum is the old value's weight."""
    running_mean = None  # TODO
    running_var = None  # TODO
    return dict(running_mean=running_mean, running_var=running_var)
