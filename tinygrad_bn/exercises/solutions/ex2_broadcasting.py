"""Exercise 2 (solution): broadcasting and reductions.

Broadcasting copies an array along an axis; each copy sends a gradient back,
so the gradient of the original is the *sum* over that axis. A sum copies
its upstream gradient to every element it added; a mean also divides by n.
"""

import numpy as np

EXERCISE = 2  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line


def broadcast_forward(x, w, b):
    """x (N, D) times w (D,) per column, plus b (N, 1) per row, then the mean of each column."""
    scaled = x * w  # w is copied to each of the N rows
    shifted = scaled + b  # b is copied to each of the D columns
    out = shifted.sum(0) / x.shape[0]  # (D,)
    return dict(x=x, w=w, b=b, scaled=scaled, shifted=shifted, out=out)


def broadcast_backward(cache, dout):
    """Return dL/d of shifted, scaled, b, x, w, given dout = dL/dout of shape (D,)."""
    x, w = cache["x"], cache["w"]
    n = x.shape[0]
    dshifted = np.ones_like(cache["shifted"]) * dout / n  # every row of a column got the same share
    dscaled = dshifted
    db = dshifted.sum(1, keepdims=True)  # b was copied along axis 1
    dx = w * dscaled
    dw = (x * dscaled).sum(0)  # w was copied along axis 0
    return dict(shifted=dshifted, scaled=dscaled, b=db, x=dx, w=dw)


def centre_forward(x):
    """Subtract each row's mean: out = x - mean(x, axis=1)."""
    mean = x.sum(1, keepdims=True) / x.shape[1]
    out = x - mean
    return dict(x=x, mean=mean, out=out)


def centre_backward(cache, dout):
    """Return dL/d of mean and x, given dout (N, D)."""
    d = cache["x"].shape[1]
    dmean = -dout.sum(1, keepdims=True)  # mean was copied along axis 1, with a minus sign
    dx = dout.copy()  # x is used directly ...
    dx += np.ones_like(cache["x"]) * dmean / d  # ... and through the mean
    return dict(mean=dmean, x=dx)
