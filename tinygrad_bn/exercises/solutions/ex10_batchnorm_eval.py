"""Exercise 10 (solution): BatchNorm at inference, and how its running statistics are kept.

In eval mode BatchNorm uses the running mean and variance, constants: each
example is normalised on its own, so dx has no batch terms at all.

The running statistics are exponential moving averages of the batch ones, in
two conventions that use the word `momentum` for opposite things:

    PyTorch:          running = (1 - momentum) * running + momentum * batch   (momentum 0.1),
                      with the unbiased batch variance (divides by n - 1);
    CS231n and Keras: running = momentum * running + (1 - momentum) * batch   (momentum 0.9),
                      with the biased batch variance (divides by n).
"""

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
    dbeta = dout.sum(0, keepdims=True)
    dgamma = (c["x_hat"] * dout).sum(0, keepdims=True)
    dx_hat = c["gamma"] * dout
    dx = dx_hat * (c["running_var"] + EPS) ** -0.5  # the statistics are constants here
    return dict(beta=dbeta, gamma=dgamma, x_hat=dx_hat, x=dx)


def update_pytorch(running_mean, running_var, x, momentum):
    """PyTorch's update after one training batch x (n, d); momentum is the new batch's weight."""
    n = x.shape[0]
    batch_mean = x.mean(0, keepdims=True)
    batch_var = ((x - batch_mean) ** 2).sum(0, keepdims=True) / (n - 1)
    new_mean = (1 - momentum) * running_mean + momentum * batch_mean
    new_var = (1 - momentum) * running_var + momentum * batch_var
    return dict(running_mean=new_mean, running_var=new_var)


def update_keras(running_mean, running_var, x, momentum):
    """CS231n's and Keras's update; momentum is the old value's weight."""
    batch_mean = x.mean(0, keepdims=True)
    batch_var = x.var(0, keepdims=True)
    new_mean = momentum * running_mean + (1 - momentum) * batch_mean
    new_var = momentum * running_var + (1 - momentum) * batch_var
    return dict(running_mean=new_mean, running_var=new_var)
