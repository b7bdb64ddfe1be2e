"""`Value`: one number that remembers how it was computed (micrograd's API).

Each op below computes its result and, beside it, the *local derivative*
d(out)/d(input) for each of its (one or two) inputs. Backpropagation is then
the chain rule and nothing else:

    input.grad += local_derivative * out.grad

A node keeps its inputs and their local derivatives in four slots
(`_a, _da, _b, _db`) rather than a `_backward` closure that refers back to
the node. So a graph holds no reference cycles: Python frees it by reference
counting alone, and its garbage collector has one object per node to look
at, not three. (In micrograd, chasing those cycles is most of a step.)

So what a node's backward keeps is exactly its local derivatives: `_saved`
names them (`{"d/da": ..., "d/db": ...}`), and pictures show them with
`show_saved=True`.

Arithmetic follows IEEE 754, as PyTorch's: where Python would raise or turn
complex, a Value gives inf or nan (`Value(1000.).exp()` is inf, `Value(-8.) ** 0.5`
is nan, `Value(1.) / 0.0` is inf), and so do the gradients.
"""

import math
import numbers

import numpy as np

from .graph import _GradMode, _Group, topological_order


class Value:
    """A scalar node: `data`, and `grad` = d(root)/d(self) after `root.backward()`."""

    __slots__ = ("data", "grad", "label", "_op", "_group", "_a", "_da", "_b", "_db")

    def __init__(self, data, *, label=""):
        self.data = data if type(data) in (float, int) else _number(data)
        self.grad = 0.0
        self.label = label
        self._op = ""  # a leaf: made by you, not computed by an op
        self._group = _Group.current
        self._a, self._da = None, 0.0  # first input and d(self)/d(input)
        self._b, self._db = None, 0.0  # second input (None for one-input ops) and its derivative

    @property
    def _prev(self):
        """The inputs this value was computed from (a repeated input appears twice)."""
        if self._a is None:
            return ()
        return (self._a,) if self._b is None else (self._a, self._b)

    @property
    def _saved(self):
        """What this node's backward uses: the local derivative for each input."""
        if self._a is None:
            return {}
        if self._b is None:
            return {"d/da": self._da}
        return {"d/da": self._da, "d/db": self._db}

    # ---- ops: result, op name, each input with d(out)/d(input) -------------

    # ---- comparisons: of the numbers, as plain bools ----------------------
    # `==` stays identity, as in micrograd: Values are dict keys and set members.

    def __lt__(self, other):
        return self.data < _data_of(other)

    def __le__(self, other):
        return self.data <= _data_of(other)

    def __gt__(self, other):
        return self.data > _data_of(other)

    def __ge__(self, other):
        return self.data >= _data_of(other)

    def __add__(self, other):  # d(a+b)/da = 1, d(a+b)/db = 1
        other = other if isinstance(other, Value) else Value(other)
        return _node(self.data + other.data, "+", self, 1.0, other, 1.0)

    def __mul__(self, other):  # d(a*b)/da = b, d(a*b)/db = a
        other = other if isinstance(other, Value) else Value(other)
        return _node(self.data * other.data, "*", self, other.data, other, self.data)

    def __pow__(self, other):
        if isinstance(other, Value):  # d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln(a)
            out = _pow(self.data, other.data)
            da = _power_slope(self.data, other.data)
            return _node(out, "**", self, da, other, out * _log_or_nan(self.data, other.data))
        if not isinstance(other, numbers.Real):  # int, float, numpy scalars
            raise TypeError(
                f"Value ** {type(other).__name__}: the exponent must be a number or a Value"
            )
        slope = _power_slope(self.data, other)  # d(a^p)/da = p a^(p-1)
        return _node(_pow(self.data, other), f"**{other}", self, slope)

    def __rpow__(self, base):  # base ** self for a plain-number base
        return Value(base) ** self

    def exp(self):  # d(e^a)/da = e^a
        out = _exp(self.data)
        return _node(out, "exp", self, out)

    def log(self):  # d(ln a)/da = 1/a; ln 0 = -inf, ln of a negative number is nan (IEEE)
        x = self.data
        out = math.log(x) if x > 0 else -math.inf if x == 0 else math.nan
        return _node(out, "log", self, _reciprocal(x))

    def tanh(self):  # d(tanh a)/da = 1 - tanh(a)^2
        t = math.tanh(self.data)
        return _node(t, "tanh", self, 1.0 - t * t)

    def relu(self):  # d(relu a)/da = 0 if a <= 0 else 1 (nan passes through, as PyTorch)
        positive = not self.data <= 0
        return _node(self.data if positive else 0.0, "ReLU", self, 1.0 if positive else 0.0)

    def sigmoid(self):  # d(s(a))/da = s(a) (1 - s(a))
        e = math.exp(-abs(self.data))  # never overflows
        s = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        return _node(s, "sigmoid", self, s * (1.0 - s))

    # ---- derived ops: one line each, built from the ops above ------------

    def __neg__(self):  # -a
        return self * -1

    def __sub__(self, other):  # a - b
        return self + (-other)

    def __truediv__(self, other):  # a / b = a * b^-1
        return self * (other**-1 if isinstance(other, Value) else _pow(_number(other), -1))

    def __radd__(self, other):  # number + a
        return self + other

    def __rsub__(self, other):  # number - a
        return (-self) + other

    def __rmul__(self, other):  # number * a
        return self * other

    def __rtruediv__(self, other):  # number / a
        return self**-1 * other

    # ---- backpropagation ---------------------------------------------------

    def backward(self, grad=1.0):
        """Fill in `grad` for every node that `self` depends on.

        Intermediate nodes get d(self)/d(node) of this call, times `grad` (the
        gradient of a loss with respect to `self`, as `Tensor.backward(grad)`).
        Leaves (values made by you, with no inputs) *add* theirs into `grad`, as
        in PyTorch: call `zero_grad()` (or set `p.grad = 0`) between steps.
        """
        grad = _number(grad, "backward(grad)")
        order = topological_order(self)
        for node in order:
            if node._a is not None:
                node.grad = 0.0
        self.grad += grad
        for node in reversed(order):
            if node._a is not None:
                node._a.grad += node._da * node.grad
                if node._b is not None:
                    node._b.grad += node._db * node.grad

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

    def draw(self, **options):
        """A picture of the graph that computed this node (inline in Jupyter); see viz.draw_dot."""
        from .viz import draw_dot  # graphviz is only imported when a picture is asked for

        return draw_dot(self, **options)


def _node(data, op, a, da, b=None, db=0.0):
    """A new Value computed by `op` from input `a` (and `b`), with local derivatives da (and db)."""
    out = _new_value(Value)  # skips __init__: every slot is set right here
    out.data, out.grad, out.label, out._group = data, 0.0, "", _Group.current
    if _GradMode.enabled:
        out._op, out._a, out._da, out._b, out._db = op, a, da, b, db
    else:  # under no_grad() the result is a plain leaf
        out._op, out._a, out._da, out._b, out._db = "", None, 0.0, None, 0.0
    return out


_new_value = object.__new__


def _power_slope(base, p):
    """p base^(p-1), with IEEE's inf at base 0 for p < 1, and 0 for p = 0 (a^0 is constant)."""
    if p == 0:
        return 0.0
    return p * _pow(base, p - 1)


def _pow(base, p):
    """base ** p, with IEEE's answer where Python raises or turns complex, as PyTorch:
    inf on overflow or 0 ** -1, nan for a negative base to a fractional power."""
    try:
        out = base**p
    except (OverflowError, ZeroDivisionError):
        with np.errstate(all="ignore"):
            return float(np.float64(base) ** p)
    return math.nan if isinstance(out, complex) else out


def _exp(x):
    """e^x, and inf where it overflows a float (x > 709.78), as IEEE."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _reciprocal(x):
    """1 / x, and +-inf (the sign of the zero) at 0, as IEEE."""
    return 1.0 / x if x != 0 else math.copysign(math.inf, x)


def _data_of(other):
    return other.data if isinstance(other, Value) else other


def _number(x, what="Value()"):
    """`x` if it is a real number (int, float, numpy scalar), else a clear TypeError."""
    if isinstance(x, numbers.Real):
        return x
    if isinstance(x, Value):
        hint = "pass the Value itself, or v.data for its number"
    elif hasattr(x, "shape"):
        hint = (
            "a Value and a Tensor (or array) do not mix: they are separate engines; use "
            "Tensor(v.data) to bring a Value's number into tensor code, or t.item()"
        )
    else:
        hint = "convert it first, e.g. float(x)"
    raise TypeError(f"{what} needs a real number, got {type(x).__name__} {x!r:.40}; {hint}")


def _log_or_nan(base, exponent):
    """ln(base) for d(base^b)/db; 0 where base is 0 and b >= 0, nan for base < 0 (as PyTorch)."""
    if base > 0:
        return math.log(base)
    return 0.0 if base == 0 and exponent >= 0 else math.nan
