"""Exercise 3: a linear layer and matrix products.

The forward passes are written. Fill in every gradient marked TODO (now None).

For out = A @ B, write down the shapes: dA must have A's shape and dB must
have B's, and only one product of dout with the other factor (transposed or
not) gives each. Check your answers with:  tinygrad-bn exercises check <this file>
"""

# ruff: noqa: F401, F841  (the names prepared for you are unused until you write your gradients)

EXERCISE = 3  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line


def linear_forward(x, W, b):
    """out = x @ W + b with x (N, I), W (I, O), b (O,)."""
    xW = x @ W
    out = xW + b
    return dict(x=x, W=W, b=b, xW=xW, out=out)


def linear_backward(cache, dout):
    """Return dL/d of xW, b, x, W, given dout (N, O)."""
    dxW = None  # TODO
    db = None  # TODO: shape (O,)
    dx = None  # TODO: shape (N, I)
    dW = None  # TODO: shape (I, O)
    return dict(xW=dxW, b=db, x=dx, W=dW)


def square_forward(A, B):
    """out = (A @ B) @ A with square A and B: A is used twice."""
    y = A @ B
    out = y @ A
    return dict(A=A, B=B, y=y, out=out)


def square_backward(cache, dout):
    """Return dL/d of y, A, B, given dout."""
    A, y = cache["A"], cache["y"]
    dy = None  # TODO
    dA = None  # TODO: A is used twice
    dB = None  # TODO: all shapes are equal here, so the shapes will not tell you the order
    return dict(y=dy, A=dA, B=dB)
