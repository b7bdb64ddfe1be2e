"""`Value`: one number that remembers how it was computed (micrograd's API).

Each op below computes its result and, beside it, the *local derivatives*
d(out)/d(input) for each input. Backpropagation is then the chain rule and
nothing else:

    input.grad += local_derivative * out.grad

Storing the local derivatives (numbers) rather than a `_backward` closure
that refers back to `out` means a graph holds no reference cycles: Python
frees it by reference counting alone, and its garbage collector has nothing
to chase. (In micrograd that chase is most of a training step.)
"""

import math

from .graph import _GradMode, _Group, topological_order


class Value:
    """A scalar node: `data`, `grad` (d root / d self after `backward()`)."""

    __slots__ = ("data", "grad", "label", "_prev", "_local", "_op", "_group")

    def __init__(self, data, _children=(), _op="", label="", _local=()):
        self.data = data
        self.grad = 0.0
        self.label = label
        self._group = _Group.current  # for pictures: see graph.group
        if _GradMode.enabled:
            self._prev, self._local, self._op = _children, _local, _op
        else:  # under no_grad(): a constant with no history
            self._prev, self._local, self._op = (), (), ""

    # ---- ops: result, inputs, local derivatives d(out)/d(input) ----------

    def __add__(self, other):  # d(a+b)/da = 1, d(a+b)/db = 1
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), "+", "", (1.0, 1.0))

    def __mul__(self, other):  # d(a*b)/da = b, d(a*b)/db = a
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), "*", "", (other.data, self.data))

    def __pow__(self, other):
        if isinstance(other, Value):  # d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a
            out = self.data**other.data
            return Value(
                out, (self, other), "**", "", (other.data * self.data ** (other.data - 1), out * _log_or_nan(self.data, other.data))
            )
        if not isinstance(other, (int, float)):
            raise TypeError(f"Value ** {type(other).__name__}: the exponent must be a number or a Value")
        return Value(self.data**other, (self,), f"**{other}", "", (other * self.data ** (other - 1),))  # d(a^p)/da = p a^(p-1)

    def __rpow__(self, base):  # base ** self for a plain-number base
        return Value(base) ** self

    def exp(self):  # d(e^a)/da = e^a
        out = math.exp(self.data)
        return Value(out, (self,), "exp", "", (out,))

    def log(self):  # d(ln a)/da = 1/a
        if self.data <= 0:
            raise ValueError(f"Value.log needs a positive number, got {self.data!r}; the logarithm is only defined for x > 0")
        return Value(math.log(self.data), (self,), "log", "", (1.0 / self.data,))

    def tanh(self):  # d(tanh a)/da = 1 - tanh(a)^2
        t = math.tanh(self.data)
        return Value(t, (self,), "tanh", "", (1.0 - t * t,))

    def relu(self):  # d(relu a)/da = 1 if a > 0 else 0
        positive = self.data > 0
        return Value(self.data if positive else 0.0, (self,), "ReLU", "", (1.0 if positive else 0.0,))

    def sigmoid(self):  # d(s(a))/da = s(a)(1 - s(a))
        s = 1.0 / (1.0 + math.exp(-self.data)) if self.data >= 0 else math.exp(self.data) / (1.0 + math.exp(self.data))
        return Value(s, (self,), "sigmoid", "", (s * (1.0 - s),))

    # ---- derived ops: one line each, built from the ops above ------------

    def __neg__(self):  # -a
        return self * -1

    def __sub__(self, other):  # a - b
        return self + (-other)

    def __truediv__(self, other):  # a / b
        return self * other**-1

    def __radd__(self, other):  # number + a
        return self + other

    def __rsub__(self, other):  # number - a
        return (-self) + other

    def __rmul__(self, other):  # number * a
        return self * other

    def __rtruediv__(self, other):  # number / a
        return self**-1 * other

    # ---- backpropagation ---------------------------------------------------

    def backward(self):
        """Fill in `grad` for every node that `self` depends on.

        Intermediate nodes get d(self)/d(node) of this call. Leaves (values
        made by you, with no inputs) *add* d(self)/d(leaf) into `grad`, as in
        PyTorch: call `zero_grad()` (or set `p.grad = 0`) between steps.
        """
        order = topological_order(self)
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            g = node.grad
            for child, local in zip(node._prev, node._local):
                child.grad += local * g

    def zero_grad(self):
        """Set `grad` to 0 on this node and every node it depends on."""
        for node in topological_order(self):
            node.grad = 0.0

    def detach(self):
        """The same number as a new leaf, cut off from the graph."""
        return Value(self.data, label=self.label)

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data}, grad={self.grad}{label})"


def _log_or_nan(base, exponent):
    """ln(base) for d(base^b)/db; 0 where base is 0 and b >= 0, nan for base < 0 (as PyTorch)."""
    if base > 0:
        return math.log(base)
    return 0.0 if base == 0 and exponent >= 0 else math.nan
