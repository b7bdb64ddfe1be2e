"""Exercise 1 (solution): the chain rule on single numbers.

Each `*_backward(cache, dout)` gets dout = dL/d(output) from above and returns
dL/d(everything before it): local derivative times the gradient from above.
A variable used in several places adds up the gradient from every use.
"""

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
    dd = 2 * d * df  # f = d^2: df/dd = 2d
    de = 1.0 * dd  # d = e + c: a sum passes the gradient on unchanged
    dc = 1.0 * dd
    da = b * de  # e = a*b: de/da = b
    db = a * de
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
    dr = x * ds
    dq = 1.0 * dr
    dy = x * dq
    dx = r * ds  # from s = r * x ...
    dx += dr  # ... plus from r = q + x ...
    dx += y * dq  # ... plus from q = x * y
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
    dn = (1 - c["o"] ** 2) * do  # d tanh(n)/dn = 1 - tanh(n)^2
    dx1w1 = 1.0 * dn
    dx2w2 = 1.0 * dn
    db = 1.0 * dn
    dx1 = c["w1"] * dx1w1
    dw1 = c["x1"] * dx1w1
    dx2 = c["w2"] * dx2w2
    dw2 = c["x2"] * dx2w2
    return dict(n=dn, x1w1=dx1w1, x2w2=dx2w2, b=db, x1=dx1, w1=dw1, x2=dx2, w2=dw2)
