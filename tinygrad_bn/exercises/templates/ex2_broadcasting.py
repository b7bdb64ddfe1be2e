"""Exercise 2: broadcasting and reductions.

The forward passes are written. Fill in every gradient marked TODO (now None).

Broadcasting copies an array along an axis, and each copy sends a gradient
back: the gradient of the original is the sum over that axis. A gradient
always has the shape of its variable. A sum hands its upstream gradient to
every element it added; a mean also divides it by n.
Check your answers with:  tinygrad-bn exercises check <this file>
"""

# ruff: noqa: F401, F841  (the names prepared for you are unused until you write your gradients)

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
    dshifted = None  # TODO: shape (N, D)
    dscaled = None  # TODO
    db = None  # TODO: shape (N, 1)
    dx = None  # TODO
    dw = None  # TODO: shape (D,)
    return dict(shifted=dshifted, scaled=dscaled, b=db, x=dx, w=dw)


def centre_forward(x):
    """Subtract each row's mean: out = x - mean(x, axis=1)."""
    mean = x.sum(1, keepdims=True) / x.shape[1]
    out = x - mean
    return dict(x=x, mean=mean, out=out)


def centre_backward(cache, dout):
    """Return dL/d of mean and x, given dout (N, D)."""
    d = cache["x"].shape[1]
    dmean = None  # TODO: shape (N, 1)
    dx = None  # TODO: x is used twice
    return dict(mean=dmean, x=dx)
