"""Exercise 3 (solution): a linear layer and matrix products.

For out = A @ B:  dA = dout @ B.T  and  dB = A.T @ dout. Check the shapes:
a gradient always has the shape of its variable, and only one way of
multiplying the pieces gives it.
"""

EXERCISE = 3  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line


def linear_forward(x, W, b):
    """out = x @ W + b with x (N, I), W (I, O), b (O,)."""
    xW = x @ W
    out = xW + b
    return dict(x=x, W=W, b=b, xW=xW, out=out)


def linear_backward(cache, dout):
    """Return dL/d of xW, b, x, W, given dout (N, O)."""
    dxW = dout
    db = dout.sum(0)  # b was copied to every row
    dx = dxW @ cache["W"].T
    dW = cache["x"].T @ dxW
    return dict(xW=dxW, b=db, x=dx, W=dW)


def square_forward(A, B):
    """out = (A @ B) @ A with square A and B: A is used twice."""
    y = A @ B
    out = y @ A
    return dict(A=A, B=B, y=y, out=out)


def square_backward(cache, dout):
    """Return dL/d of y, A, B, given dout."""
    A, y = cache["A"], cache["y"]
    dy = dout @ A.T
    dA = y.T @ dout  # as the right factor of y @ A ...
    dA = dA + dy @ cache["B"].T  # ... plus as the left factor of A @ B
    dB = A.T @ dy
    return dict(y=dy, A=dA, B=dB)
