"""Exercise 4: softmax and cross-entropy, step by step and then in one line.

The forward passes are written. Fill in every gradient marked TODO (now None).

Part 1 goes back through every intermediate. Part 2 asks for dlogits in one
line: simplify what part 1 computes (the result is famous and short).
Check your answers with:  tinygrad-bn exercises check <this file>
"""

# ruff: noqa: F401, F841  (the names prepared for you are unused until you write your gradients)

import numpy as np

EXERCISE = 4  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line


def staged_forward(logits, targets):
    """The loss of (n, classes) logits and n integer targets, one small step at a time."""
    n = logits.shape[0]
    maxes = logits.max(1, keepdims=True)
    shifted = logits - maxes  # the largest logit of each row becomes 0: exp cannot overflow
    counts = np.exp(shifted)
    counts_sum = counts.sum(1, keepdims=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = np.log(probs)
    loss = -logprobs[np.arange(n), targets].mean()
    return dict(logits=logits, targets=targets, maxes=maxes, shifted=shifted, counts=counts,
        counts_sum=counts_sum, counts_sum_inv=counts_sum_inv, probs=probs, logprobs=logprobs,
        loss=loss)  # fmt: skip


def staged_backward(cache):
    """Return dloss/d of every intermediate, from logprobs back to logits."""
    c = cache
    n = c["logits"].shape[0]
    dlogprobs = None  # TODO: which entries of logprobs does the loss use, and with what weight?
    dprobs = None  # TODO
    dcounts_sum_inv = None  # TODO: shape (n, 1)
    dcounts = None  # TODO: counts is used twice
    dcounts_sum = None  # TODO
    dshifted = None  # TODO
    dmaxes = None  # TODO
    dlogits = None  # TODO: logits is used twice (the max picks one entry per row)
    return dict(logprobs=dlogprobs, probs=dprobs, counts_sum_inv=dcounts_sum_inv,
        counts_sum=dcounts_sum, counts=dcounts, shifted=dshifted, maxes=dmaxes,
        logits=dlogits)  # fmt: skip


def fused_forward(logits, targets):
    """The same loss, keeping only the softmax probabilities."""
    n = logits.shape[0]
    exps = np.exp(logits - logits.max(1, keepdims=True))
    probs = exps / exps.sum(1, keepdims=True)
    loss = -np.log(probs[np.arange(n), targets]).mean()
    return dict(logits=logits, targets=targets, probs=probs, loss=loss)


def fused_backward(cache):
    """Return dloss/dlogits in one line, from cache["probs"] and cache["targets"]."""
    n = cache["logits"].shape[0]
    dlogits = None  # TODO
    return dict(logits=dlogits)
