"""Exercise 8: build the engine: backward(), two local derivatives, unbroadcast.

A Value remembers the values it was computed from (`_prev`) and a function
`_backward` that adds its local derivative times `out.grad` into each of them.
backward() visits every node once, each after all the nodes that use it, so
that a node's grad is complete before it is passed on:

    order = topological order (inputs before the nodes computed from them)
    for node in reversed(order): node._backward()

Fill in the three places marked TODO: the local derivatives of exp and
sigmoid, the order in backward(), and unbroadcast. The rest is written.
Check your answers with:  tinygrad-bn exercises check <this file>
"""

# ruff: noqa: F401, F841  (the names prepared for you are unused until you write your code)

import math

import numpy as np

EXERCISE = 8  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line


class Value:
    """A scalar in a graph: `data`, and `grad` = d(root)/d(self) after root.backward()."""

    def __init__(self, data, _prev=()):
        self.data = float(data)
        self.grad = 0.0
        self._prev = _prev
        self._backward = lambda: None

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():  # d(a+b)/da = 1, d(a+b)/db = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():  # d(a*b)/da = b, d(a*b)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,))

        def _backward():  # d tanh(a)/da = 1 - tanh(a)^2
            self.grad += (1 - out.data**2) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,))

        def _backward():
            local = 0.0  # TODO: d e^a / da
            self.grad += local * out.grad

        out._backward = _backward
        return out

    def sigmoid(self):
        out = Value(1 / (1 + math.exp(-self.data)), (self,))

        def _backward():
            local = 0.0  # TODO: d s(a) / da, written with the output s(a) = out.data
            self.grad += local * out.grad

        out._backward = _backward
        return out

    def backward(self):
        """Fill in grad for every node `self` depends on (d self / d node); leaves add to it."""
        # TODO: every node once, each after all the nodes it was computed from (_prev);
        # use an explicit stack, not recursion: the long chain is 3000 nodes deep
        order = []
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


def unbroadcast(grad, shape):
    """The adjoint of broadcasting: sum `grad` back down to `shape`."""
    summed = None  # TODO: sum over the axes broadcasting put in front, then keepdims-sum the
    # axes where `shape` has size 1 but grad does not
    return summed


def expression_forward(a, b, c):
    """f = tanh(a*b + c) * a, built with your Value: a is used twice."""
    a, b, c = Value(a), Value(b), Value(c)
    e = a * b
    d = e + c
    t = d.tanh()
    f = t * a
    return dict(a=a, b=b, c=c, e=e, d=d, t=t, f=f)


def new_ops_forward(a, b):
    """g = exp(a*b) * sigmoid(a - b), with your exp and sigmoid."""
    a, b = Value(a), Value(b)
    p = a * b
    q = p.exp()
    r = a + b * -1.0
    sig = r.sigmoid()
    g = q * sig
    return dict(a=a, b=b, p=p, q=q, r=r, sig=sig, g=g)


def long_chain_forward(x):
    """out = x + 1 + 1 + ... (3000 times): a graph deeper than Python's recursion limit."""
    x = Value(x)
    y = x
    for _ in range(3000):
        y = y + 1.0
    return dict(x=x, out=y)


def expression_backward(cache, df):
    """Your backward() from f, given df = dL/df."""
    return read_grads(cache, "f", df)


def new_ops_backward(cache, dg):
    """Your backward() from g, given dg = dL/dg."""
    return read_grads(cache, "g", dg)


def long_chain_backward(cache, dout):
    """Your backward() from out, given dout = dL/dout."""
    return read_grads(cache, "out", dout)


def read_grads(cache, root, dout):
    """Run your backward() from cache[root]; every other grad times dout (the chain rule)."""
    cache[root].backward()
    return {name: node.grad * dout for name, node in cache.items() if name != root}


def row_forward(x, b):
    """out = x + b, x (4, 3) and a row b (3,): b is copied to every row."""
    return dict(x=x, b=b, out=x + b)


def row_backward(cache, dout):
    """A sum passes dout to both; unbroadcast brings each back to its own shape."""
    return dict(x=unbroadcast(dout, cache["x"].shape), b=unbroadcast(dout, cache["b"].shape))


def column_forward(x, b):
    """out = x + b, x (2, 4, 3) and a column b (4, 1): copied along a new axis 0 and axis 2."""
    return dict(x=x, b=b, out=x + b)


def column_backward(cache, dout):
    """A sum passes dout to both; unbroadcast brings each back to its own shape."""
    return dict(x=unbroadcast(dout, cache["x"].shape), b=unbroadcast(dout, cache["b"].shape))
