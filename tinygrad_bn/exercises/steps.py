"""The reference computation of an exercise, one named step at a time.

A graph is written as `s.e = s.a * s.b; s.d = s.e + s.c`: every assignment
records a named step. Built `whole`, the steps chain as written and autograd
gives the true gradients. Built `cut`, every named step is followed by a new
leaf holding the same value, and later steps read that leaf: a backward pass
started at one step then stops at the named steps it reads, so it runs exactly
one local step of the reference,

    d(name) via step M  =  (dM/d(name))^T · g,   g = the learner's own dM.

That is how a learner's row is judged on the learner's own upstream.
"""

import numpy as np

from ..tensor import Tensor
from ..value import Value

EPS = 1e-5  # BatchNorm's epsilon, as in the templates


def leaf(value, scalar: bool):
    """A fresh autograd leaf holding a copy of `value`."""
    if scalar:
        return Value(float(value))
    return Tensor(np.array(value, dtype=np.float64, copy=True), requires_grad=True)


class Steps:
    """Named nodes of one build: `nodes` (name -> node as computed), `leaves` (name -> leaf)."""

    def __init__(self, inputs: dict, differentiable: tuple, scalar: bool, cut: bool):
        object.__setattr__(self, "nodes", {})
        object.__setattr__(self, "leaves", {})
        object.__setattr__(self, "_scalar", scalar)
        object.__setattr__(self, "_cut", cut)
        for name, value in inputs.items():
            if name in differentiable:
                node = leaf(value, scalar)
                self.nodes[name] = self.leaves[name] = node
                object.__setattr__(self, name, node)
            else:  # targets, indices: plain data, no gradient
                object.__setattr__(self, name, np.array(value, copy=True))

    def __setattr__(self, name, node):
        self.nodes[name] = node
        if self._cut:
            node = leaf(node.data, self._scalar)
            self.leaves[name] = node
        object.__setattr__(self, name, node)

    @property
    def computed(self) -> list:
        """The names of the steps computed from the inputs, in the order they were written."""
        return [name for name in self.nodes if self.nodes[name] is not self.leaves.get(name)]


def backprop(node, grad, scalar: bool):
    """Run autograd from `node` with d(loss)/d(node) = grad."""
    if scalar:
        (node * float(grad)).backward()
    else:
        node.backward(np.asarray(grad, dtype=np.float64))


def grad_of(node, scalar: bool):
    """The gradient autograd left on `node` (None when no path reached it)."""
    if scalar:
        return node.grad
    return None if node.grad is None else np.array(node.grad, dtype=np.float64)
