"""Exercise 4 (solution): softmax and cross-entropy, step by step and then in one line.

loss = -mean_i log softmax(logits)_i[target_i]. Going back through every
intermediate and simplifying, everything collapses to

    dlogits = (softmax(logits) - onehot(targets)) / n
"""

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
    dlogprobs = np.zeros_like(c["logprobs"])
    dlogprobs[np.arange(n), c["targets"]] = -1.0 / n  # only the picked entries enter the mean
    dprobs = dlogprobs / c["probs"]  # d log p = dp / p
    # counts_sum_inv was broadcast over the columns: sum its gradient back
    dcounts_sum_inv = (c["counts"] * dprobs).sum(1, keepdims=True)
    dcounts = c["counts_sum_inv"] * dprobs  # counts is used in probs ...
    dcounts_sum = -(c["counts_sum"] ** -2) * dcounts_sum_inv
    dcounts = dcounts + dcounts_sum  # ... and in counts_sum
    dshifted = c["counts"] * dcounts  # d exp(s) = exp(s) ds
    dmaxes = -dshifted.sum(1, keepdims=True)  # (about 0: the max does not change the loss)
    # logits is used directly, and through the row maximum
    dlogits = dshifted + (c["logits"] == c["maxes"]) * dmaxes
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
    """Return dloss/dlogits in one line: (probs - onehot(targets)) / n."""
    n = cache["logits"].shape[0]
    dlogits = cache["probs"].copy()
    dlogits[np.arange(n), cache["targets"]] -= 1
    return dict(logits=dlogits / n)
