"""Exercise 1: the chain rule on single numbers.

The forward passes are written. Fill in every gradient marked TODO (now None).

Each `*_backward(cache, dout)` receives dout = dL/d(output), the gradient that
arrives from above, and returns dL/d(each earlier value):

    dL/d(input) = d(output)/d(input) * dL/d(output)      (local derivative * upstream)

A value used in several places receives a gradient from every use: add them.
Check your answers with:  tinygrad-bn exercises check <this file>
"""

# ruff: noqa: F401, F841  (the names prepared for you are unused until you write your gradients)

import math

EXERCISE = 1  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line


def chain_forward(a, b, c):
    """f = (a*b + c)^2, one operation per step."""
    e = a * b
    d = e + c
    f = d**2
    return dict(a=a, b=b, c=c, e=e, d=d, f=f)


def chain_backward(cache, df):
    """Return dL/d of d, e, c, a, b, given df = dL/df."""
    a, b, d = cache["a"], cache["b"], cache["d"]
    dd = None  # TODO: f = d**2
    de = None  # TODO: d = e + c
    dc = None  # TODO
    da = None  # TODO: e = a * b
    db = None  # TODO
    return dict(d=dd, e=de, c=dc, a=da, b=db)


def reused_forward(x, y):
    """s = (x*y + x) * x: x is used three times."""
    q = x * y
    r = q + x
    s = r * x
    return dict(x=x, y=y, q=q, r=r, s=s)


def reused_backward(cache, ds):
    """Return dL/d of r, q, x, y, given ds = dL/ds."""
    x, y, r = cache["x"], cache["y"], cache["r"]
    dr = None  # TODO
    dq = None  # TODO
    dy = None  # TODO
    dx = None  # TODO: x is used in three places
    return dict(r=dr, q=dq, x=dx, y=dy)


def neuron_forward(x1, w1, x2, w2, b):
    """o = tanh(x1*w1 + x2*w2 + b): one neuron with two inputs."""
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    n = x1w1 + x2w2 + b
    o = math.tanh(n)
    return dict(x1=x1, w1=w1, x2=x2, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, n=n, o=o)


def neuron_backward(cache, do):
    """Return dL/d of n, x1w1, x2w2, b, x1, w1, x2, w2, given do = dL/do."""
    c = cache
    dn = None  # TODO: d tanh(n)/dn = 1 - tanh(n)^2, and o = tanh(n) is in the cache
    dx1w1 = None  # TODO
    dx2w2 = None  # TODO
    db = None  # TODO
    dx1 = None  # TODO
    dw1 = None  # TODO
    dx2 = None  # TODO
    dw2 = None  # TODO
    return dict(n=dn, x1w1=dx1w1, x2w2=dx2w2, b=db, x1=dx1, w1=dw1, x2=dx2, w2=dw2)
