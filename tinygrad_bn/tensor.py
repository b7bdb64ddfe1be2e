"""`Tensor`: a numpy array that remembers how it was computed.

Every op below is one block, read top to bottom: the forward computes `out`,
then a `backward(g, ...)` turns g = d(loss)/d(out) into d(loss)/d(input) for
each input (in the order of `out._prev`), with the derivative in a comment.

What a backward keeps is written in one place, the op's `saved` record, as
early tinygrad's `ctx.save_for_backward`: the engine calls
`node._backward(g, **node._saved)`, so a backward's parameters *are* what it
saved. Its closure holds only shapes, axes and counts, never an array, so
the saved record is everything that must not change before `backward()`.
Pictures show it (`draw_dot(..., show_saved=True)`).

Nothing refers back to `out`, so a graph holds no reference cycles and is
freed as soon as the last reference to its output goes.

Every tensor counts its in-place changes in `_version` (assigning `t.data`,
`t.data -= ...`, the `..._()` helpers, optimiser steps, `load_state_dict`), and
an op notes the versions of the tensors it saved. `backward()` compares them
first and refuses, as PyTorch does, when a saved tensor has changed since the
forward pass: its gradient would silently use the new values. A view (a
transpose, a reshape, a slice) shares its base's counter, as in PyTorch, since a
change to either is a change to both. (Writing into the array itself,
`t.data[0] = 1`, is invisible to the counter: use `t.copy_` or the helpers.)

Broadcasting copies an input along some axes; its adjoint sums the gradient
back over those axes (`unbroadcast`).
"""

import math
import numbers
from collections import namedtuple

import numpy as np

from .errors import ShapeError
from .graph import _GradMode, _Group, topological_order

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])  # max(dim), min(dim)
NOTHING_SAVED = {}  # the saved record of ops whose backward needs only shapes (never mutated)
INTEGERS = (int, numbers.Integral)  # int first: checked at once, the abstract class slowly


def unbroadcast(grad, shape):
    """Sum `grad` over the axes that broadcasting stretched to reach `shape`: the axes it put
    in front, and the axes where `shape` has a 1."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    ones = tuple(lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
    summed = np.asarray(grad.sum(axis=tuple(range(lead)) + ones))  # a full sum is a scalar
    return summed.reshape(shape) if ones else summed  # put back the 1s the sum removed


def _as_axes(dim, ndim):
    """PyTorch's `dim` (None, int or tuple, negatives allowed) as a tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    one = isinstance(dim, INTEGERS) and not isinstance(dim, bool)
    dims = (dim,) if one else tuple(_check_dims(dim))
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"dim {d} is out of range for a tensor with {ndim} dimensions")
    return tuple(d % max(ndim, 1) for d in dims) if ndim else ()


def _check_dims(dim):
    """`dim` if it is a list or tuple of ints, else a TypeError that says what a dim is."""
    if not isinstance(dim, (tuple, list)) or not all(
        isinstance(d, INTEGERS) and not isinstance(d, bool) for d in dim
    ):
        raise TypeError(
            f"dim must be an int or a tuple of ints, got {dim!r} ({type(dim).__name__}); "
            "e.g. sum(dim=1) or sum(dim=(0, 1))"
        )
    return dim


def _keep(keepdim, keepdims):
    """numpy's spelling `keepdims=` is accepted beside PyTorch's `keepdim=`, as PyTorch does."""
    return keepdim if keepdims is None else keepdims


def _expand(g, shape, axes, keepdim):
    """Undo a reduction over `axes`: put the reduced axes back and broadcast."""
    if not keepdim and axes:
        g = np.expand_dims(g, axes)
    return np.broadcast_to(g, shape)


class Tensor:
    """An n-dimensional array node. `grad` is None until a backward pass reaches it."""

    __slots__ = (
        "_data",
        "_counter",
        "_saved_versions",
        "grad",
        "requires_grad",
        "label",
        "_prev",
        "_backward",
        "_saved",
        "_op",
        "_fused",
        "_group",
        "__weakref__",
    )
    __array_ufunc__ = None  # numpy defers to our operators: ndarray * Tensor -> Tensor

    def __init__(self, data, requires_grad=False, label="", dtype=None):
        """A new leaf holding a *copy* of `data`, as `torch.tensor` (share with `from_numpy`)."""
        self._start(_copied_array(data, dtype), requires_grad, label)

    @staticmethod
    def from_numpy(array, requires_grad=False, label=""):
        """A leaf that shares `array`'s memory, as `torch.from_numpy`: no copy, so changes
        to either show in both (an optimiser step then writes into `array`)."""
        if not isinstance(array, np.ndarray):
            raise TypeError(
                f"from_numpy expects a numpy array, got {type(array).__name__}; "
                "use Tensor(data) for lists and numbers"
            )
        t = Tensor.__new__(Tensor)
        t._start(_checked_kind(array), requires_grad, label)
        return t

    def _start(self, array, requires_grad, label):
        if requires_grad and array.dtype.kind not in "fc":
            raise TypeError(
                f"only floating-point tensors can require grad, got dtype {array.dtype}; "
                "create it with float data (e.g. Tensor(x, dtype=np.float64, requires_grad=True))"
            )
        self._data, self._counter, self._saved_versions = array, [0], ()
        self.grad = None
        self.requires_grad = requires_grad
        self.label = label
        self._prev = ()  # a leaf: made by you, not computed by an op
        self._backward = None
        self._saved = NOTHING_SAVED
        self._op = ""
        self._fused = False
        self._group = _Group.current

    @staticmethod
    def _make(data, inputs, op, backward, saved=NOTHING_SAVED, fused=False):
        """The result of `op` on `inputs`; it joins the graph only if an input needs a gradient.

        `saved` maps names to the Tensors and arrays `backward` reads (its keyword
        arguments); `fused` marks an op whose backward was derived by hand over many steps.
        """
        out = Tensor.__new__(Tensor)
        out._data = data = data if type(data) is np.ndarray else np.asarray(data)
        out._counter = [0] if data.base is None else _counter_of_view(data, inputs)
        out.grad, out.label, out._fused, out._group = None, "", fused, _Group.current
        if _GradMode.enabled and _any_requires_grad(inputs):
            out.requires_grad, out._prev, out._op = True, inputs, op
            out._backward, out._saved = backward, saved
            out._saved_versions = _versions_of(saved, out) if saved else ()
        else:  # a constant, as under no_grad(): nothing to remember
            out.requires_grad, out._prev, out._op = False, (), ""
            out._backward, out._saved, out._saved_versions = None, NOTHING_SAVED, ()
        return out

    def _lift(self, other):
        """A plain number or array as a constant Tensor of our dtype (so float32 stays float32)."""
        if isinstance(other, Tensor):
            return other
        if self.data.dtype.kind == "b" and not isinstance(other, (bool, np.ndarray)):
            return Tensor(np.asarray(other))  # bools promote: [True] + 1 is int, + 0.5 is float
        # an int tensor times 0.5 is a float tensor, as in PyTorch
        same_kind = isinstance(other, (int, float)) and (
            self.data.dtype.kind in "fc" or isinstance(other, int)
        )
        return Tensor(np.asarray(other, dtype=self.data.dtype if same_kind else None))

    # ---- properties ---------------------------------------------------------

    @property
    def data(self):
        """The numpy array of values. Assigning it (`t.data = a`, `t.data -= lr * g`)
        counts as an in-place change: it bumps the version counter."""
        return self._data

    @data.setter
    def data(self, array):
        self._data = np.asarray(array)
        self._counter[0] += 1

    @property
    def _version(self):
        """How many in-place changes this tensor (or a view sharing its memory) has seen."""
        return self._counter[0]

    @property
    def shape(self):
        return self._data.shape

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def T(self):
        return self.transpose()

    def numel(self):
        return self.data.size

    def item(self):
        return self._data.item()

    def numpy(self):
        return self.data

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        numbers = np.array2string(self.data, precision=4, threshold=20)
        grad = ", requires_grad=True" if self.requires_grad else ""
        label = f", label={self.label!r}" if self.label else ""
        return f"Tensor({numbers}, dtype={self.dtype}{grad}{label})"

    # ---- elementwise binary ops (broadcasting) -------------------------------

    def _broadcasting(self, forward, other, op):
        """(a, b, forward(a.data, b.data)). numpy refuses shapes that do not broadcast; the
        error then says why, in the shapes."""
        a, b = self, self._lift(other)
        try:
            return a, b, forward(a.data, b.data)
        except ValueError:
            if _broadcastable(a.shape, b.shape):
                raise  # numpy refused for another reason, which its message names
            raise ShapeError(
                f"shapes {a.shape} and {b.shape} cannot be broadcast together for '{op}': "
                "each dimension, aligned from the right, must be equal or 1"
            ) from None

    def __add__(self, other):
        a, b, out = self._broadcasting(np.add, other, "+")
        a_shape, b_shape = a.shape, b.shape

        def backward(g):  # d(a+b) = da + db
            return unbroadcast(g, a_shape), unbroadcast(g, b_shape)

        return Tensor._make(out, (a, b), "+", backward)

    def __sub__(self, other):
        a, b, out = self._broadcasting(np.subtract, other, "-")
        a_shape, b_shape = a.shape, b.shape

        def backward(g):  # d(a-b) = da - db
            return unbroadcast(g, a_shape), unbroadcast(-g, b_shape)

        return Tensor._make(out, (a, b), "-", backward)

    def __mul__(self, other):
        a, b, out = self._broadcasting(np.multiply, other, "*")

        def backward(g, a, b):  # d(a*b) = b da + a db
            return unbroadcast(g * b.data, a.shape), unbroadcast(g * a.data, b.shape)

        return Tensor._make(out, (a, b), "*", backward, {"a": a, "b": b})

    def __truediv__(self, other):
        a, b, out = self._broadcasting(np.divide, other, "/")

        def backward(g, a, b):  # d(a/b) = da / b - a / b^2 db
            da = g / b.data
            db = -g * (a.data / b.data) / b.data  # divided twice, as PyTorch: b^2 may overflow
            return unbroadcast(da, a.shape), unbroadcast(db, b.shape)

        return Tensor._make(out, (a, b), "/", backward, {"a": a, "b": b})

    def __pow__(self, other):
        if isinstance(other, (int, float)):
            return self._power(other)
        other = self._lift(other)
        _check_integer_power("**", self.data, other.data)
        a, b, out = self._broadcasting(np.power, other, "**")

        def backward(g, a, b, out):  # d(a^b) = b a^(b-1) da + a^b ln(a) db
            with np.errstate(divide="ignore", invalid="ignore"):
                da = g * b.data * a.data ** (b.data - 1)
                db = g * out * np.log(a.data)
            da = np.where(b.data == 0, 0.0, da)  # a^0 = 1 is constant, even at a = 0
            db = np.where((a.data == 0) & (b.data >= 0), 0.0, db)  # PyTorch's value at 0^b
            da, db = da.astype(g.dtype, copy=False), db.astype(g.dtype, copy=False)
            return unbroadcast(da, a.shape), unbroadcast(db, b.shape)

        return Tensor._make(out, (a, b), "**", backward, {"a": a, "b": b, "out": out})

    def _power(self, p):
        """a ** p for a plain number p."""
        a = self
        _check_integer_power(f"**{p}", a.data, np.asarray(p))

        def backward(g, a):  # d(a^p) = p a^(p-1) da
            if p == 0:  # a^0 = 1 is constant: slope 0, even at a = 0 (not 0 * inf)
                return (np.zeros_like(g),)
            return (g * p * a.data ** (p - 1),)

        return Tensor._make(a.data**p, (a,), f"**{p}", backward, {"a": a})

    def __radd__(self, other):
        return self._lift(other) + self

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rmul__(self, other):
        return self._lift(other) * self

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def __rpow__(self, other):
        return self._lift(other) ** self

    # ---- elementwise unary ops -------------------------------------------------

    def __neg__(self):
        def backward(g):  # d(-a) = -da
            return (-g,)

        return Tensor._make(-self.data, (self,), "neg", backward)

    def exp(self):
        out = np.exp(self.data)

        def backward(g, out):  # d(e^a) = e^a da
            return (g * out,)

        return Tensor._make(out, (self,), "exp", backward, {"out": out})

    def log(self):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log(self.data)

        def backward(g, a):  # d(ln a) = da / a
            with np.errstate(divide="ignore", invalid="ignore"):
                return (g / a.data,)

        return Tensor._make(out, (self,), "log", backward, {"a": self})

    def sqrt(self):
        with np.errstate(invalid="ignore"):
            out = np.sqrt(self.data)

        def backward(g, out):  # d(sqrt a) = da / (2 sqrt a)
            with np.errstate(divide="ignore", invalid="ignore"):
                return (g / (2 * out),)

        return Tensor._make(out, (self,), "sqrt", backward, {"out": out})

    def tanh(self):
        out = np.tanh(self.data)

        def backward(g, out):  # d(tanh a) = (1 - tanh^2 a) da
            return (g * (1 - out * out),)

        return Tensor._make(out, (self,), "tanh", backward, {"out": out})

    def relu(self):
        out = np.maximum(self.data, 0)

        def backward(g, a):  # d(relu a) = 0 where a <= 0, else da (nan passes, as PyTorch)
            return (np.where(a.data <= 0, 0.0, g),)

        return Tensor._make(out, (self,), "relu", backward, {"a": self})

    def sigmoid(self):
        out = _sigmoid(self.data)

        def backward(g, out):  # d(s(a)) = s(a) (1 - s(a)) da
            return (g * out * (1 - out),)

        return Tensor._make(out, (self,), "sigmoid", backward, {"out": out})

    # ---- reductions --------------------------------------------------------------

    def sum(self, dim=None, keepdim=False, *, keepdims=None):
        axes, shape, keepdim = _as_axes(dim, self.ndim), self.shape, _keep(keepdim, keepdims)
        out = self.data.sum(axis=axes, keepdims=keepdim)

        def backward(g):  # d(sum a) = every element gets g
            return (_expand(g, shape, axes, keepdim),)

        return Tensor._make(out, (self,), "sum", backward)

    def mean(self, dim=None, keepdim=False, *, keepdims=None):
        axes, shape, keepdim = _as_axes(dim, self.ndim), self.shape, _keep(keepdim, keepdims)
        n = _count(shape, axes)
        out = self.data.mean(axis=axes, keepdims=keepdim)

        def backward(g):  # d(mean a) = every element gets g / n
            return (_expand(g / n, shape, axes, keepdim),)

        return Tensor._make(out, (self,), "mean", backward)

    def var(self, dim=None, keepdim=False, correction=1, *, unbiased=None, keepdims=None):
        """sum((a - mean)^2) / (n - correction), as PyTorch (correction=1: Bessel's).

        `unbiased=True` / `False` is PyTorch's older spelling of correction=1 / 0."""
        axes, shape, keepdim = _as_axes(dim, self.ndim), self.shape, _keep(keepdim, keepdims)
        correction = correction if unbiased is None else int(bool(unbiased))
        dof = max(_count(shape, axes) - correction, 0)  # n <= correction: inf/nan, as PyTorch
        centred = self.data - self.data.mean(axis=axes, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = (centred * centred).sum(axis=axes, keepdims=keepdim) / dof

        def backward(g, centred):  # d(var a) = 2 (a - mean) / (n - correction) da
            with np.errstate(divide="ignore", invalid="ignore"):
                return (_expand(g, shape, axes, keepdim) * (2 * centred / dof),)

        return Tensor._make(out, (self,), "var", backward, {"centred": centred})

    def amax(self, dim=None, keepdim=False, *, keepdims=None):
        """Largest element (over the dims in `dim`); the gradient is split evenly among ties."""
        axes, shape, keepdim = _as_axes(dim, self.ndim), self.shape, _keep(keepdim, keepdims)
        _check_not_empty(shape, axes, "amax")
        top = self.data.max(axis=axes, keepdims=True)
        out = top if keepdim else top.reshape([n for i, n in enumerate(shape) if i not in axes])

        def backward(g, a, top):  # d(max a) = g at the maximum, 0 elsewhere
            winners = a.data == top
            share = winners / winners.sum(axis=axes, keepdims=True)
            return (_expand(g, shape, axes, keepdim) * share,)

        return Tensor._make(out, (self,), "amax", backward, {"a": self, "top": top})

    # ---- shape ops ------------------------------------------------------------------

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            out = self.data.reshape(shape)
        except ValueError:
            raise ValueError(
                f"cannot reshape a tensor of shape {self.shape} ({self.numel()} elements) "
                f"into shape {tuple(shape)}"
            ) from None
        original = self.shape

        def backward(g):  # d(reshape a) = reshape back
            return (g.reshape(original),)

        return Tensor._make(out, (self,), "reshape", backward)

    view = reshape

    def transpose(self, dim0=-2, dim1=-1):
        if self.ndim >= 2 or (dim0, dim1) != (-2, -1):
            _as_axes((dim0, dim1), self.ndim)  # a clear IndexError for a bad dim

        def swap(array):  # a 0-d or 1-d tensor is its own transpose
            return array.swapaxes(dim0, dim1) if array.ndim >= 2 else array

        def backward(g):  # d(a^T) = transpose back
            return (swap(g),)

        return Tensor._make(swap(self.data), (self,), "T", backward)

    def __getitem__(self, index):
        """Basic and integer-array indexing; the backward scatter-adds (repeats add up)."""
        index = _check_index(index, self.shape)
        try:
            out = self.data[index]
        except IndexError as error:
            raise IndexError(
                f"index out of range for a tensor of shape {self.shape}: {error}"
            ) from None
        shape, dtype = self.shape, self.dtype

        def backward(g, index):  # d(a[i]) = g added back at i (np.add.at: repeated i add up)
            grad = np.zeros(shape, dtype)
            np.add.at(grad, index, g)
            return (grad,)

        return Tensor._make(out, (self,), "index", backward, {"index": index})

    # ---- matrix product ---------------------------------------------------------------

    def __matmul__(self, other):
        """a @ b as torch.matmul: matrices in the last two dims, the dims before them broadcast
        (batched matmul); a 1-D operand is a row on the left, a column on the right."""
        a, b = self, self._lift(other)
        try:
            out = a.data @ b.data
        except ValueError:
            _check_matmul(a.shape, b.shape)  # numpy refused: say which sizes do not fit
            raise

        def backward(g, a, b):  # d(a @ b) = g b^T for a, a^T g for b
            if a.ndim == 2 and b.ndim == 2:  # two matrices: the formula as it stands
                return g @ b.data.T, a.data.T @ g
            # otherwise a vector is a row (on the left) or a column (on the right), and the
            # batch dims broadcast, so their gradients are summed back (unbroadcast)
            a2 = a.data if a.ndim > 1 else a.data[None, :]  # (k,) -> a row (1, k)
            b2 = b.data if b.ndim > 1 else b.data[:, None]  # (k,) -> a column (k, 1)
            g2 = g if b.ndim > 1 else g[..., None]  # put back the axes the vectors lost
            g2 = g2 if a.ndim > 1 else g2[..., None, :]
            da = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape)
            db = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape)
            return da.reshape(a.shape), db.reshape(b.shape)

        return Tensor._make(out, (a, b), "@", backward, {"a": a, "b": b})

    def __rmatmul__(self, other):
        return self._lift(other) @ self

    # ---- softmax family ------------------------------------------------------------------

    def softmax(self, dim=-1):
        """e^a / sum(e^a) along `dim`; float16 is computed in float32 inside, as PyTorch."""
        _as_axes(dim, self.ndim)  # a clear IndexError for a bad dim
        out = _softmax(_wide(self.data), dim).astype(self.dtype)

        def backward(g, out):  # d(softmax) = s (g - sum(g s))
            s, g_wide = _wide(out), _wide(g)
            return ((s * (g_wide - (g_wide * s).sum(axis=dim, keepdims=True))).astype(g.dtype),)

        return Tensor._make(out, (self,), "softmax", backward, {"out": out})

    def log_softmax(self, dim=-1):
        _as_axes(dim, self.ndim)  # a clear IndexError for a bad dim
        x = _wide(self.data)
        shifted = x - x.max(axis=dim, keepdims=True, initial=-np.inf)  # no max of an empty dim
        with np.errstate(divide="ignore"):  # an empty dim sums to 0: log 0, of no element
            out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        out = out.astype(self.dtype)

        def backward(g, out):  # d(log_softmax) = g - softmax sum(g)
            g_wide = _wide(g)
            return ((g_wide - np.exp(_wide(out)) * g_wide.sum(axis=dim, keepdims=True)),)

        return Tensor._make(out, (self,), "log_softmax", backward, {"out": out})

    def cross_entropy(self, targets):
        """Mean of -log softmax(logits)[i, targets[i]]; d/dlogits = (softmax - onehot) / n."""
        return cross_entropy(self, targets)

    # ---- more elementwise ops (PyTorch's names) ----------------------------------------------

    def abs(self):
        def backward(g, a):  # d|a| = sign(a) da, the sign 0 at a = 0 and at nan (as PyTorch)
            return (g * ((a.data > 0) * 1.0 - (a.data < 0)),)

        return Tensor._make(np.abs(self.data), (self,), "abs", backward, {"a": self})

    def __abs__(self):  # abs(t)
        return self.abs()

    def leaky_relu(self, negative_slope=0.01):
        """a where a > 0, else negative_slope * a."""
        out = np.where(self.data > 0, self.data, self.data * negative_slope)

        def backward(g, a):  # d(leaky_relu a) = 1 where a > 0, negative_slope elsewhere
            return (g * np.where(a.data > 0, 1.0, negative_slope),)

        return Tensor._make(out, (self,), "leaky_relu", backward, {"a": self})

    def clamp(self, min=None, max=None):
        """a cut to [min, max]; either bound may be None (no bound)."""
        if min is None and max is None:
            raise RuntimeError("clamp needs a bound: give min, max or both")
        out = self.data if min is None else np.maximum(self.data, min)
        out = out if max is None else np.minimum(out, max)
        low, high = -np.inf if min is None else min, np.inf if max is None else max

        def backward(g, a):  # d(clamp a) = da where min <= a <= max, 0 where a was cut (or nan)
            return (np.where((a.data >= low) & (a.data <= high), g, 0.0),)

        return Tensor._make(out, (self,), "clamp", backward, {"a": self})

    clip = clamp  # numpy's and PyTorch's other name

    # ---- more reductions ------------------------------------------------------------------------

    def max(self, dim=None, keepdim=False, *, keepdims=None):
        """The largest element; along an int `dim`, the pair (values, indices), as PyTorch.

        The full max() splits the gradient evenly among ties (it is `amax()`); along a
        dim the gradient goes to the element `indices` names (the first largest)."""
        if dim is None:
            return self.amax()
        if not isinstance(dim, INTEGERS):
            raise TypeError(
                f"max(dim) takes one int dim, got {dim!r}; amax(dim=(0, 1)) reduces several dims"
            )
        if self.ndim == 0:  # a 0-d tensor is its own max, at index 0
            return self.reshape(1).max(0)
        keepdim, axis = _keep(keepdim, keepdims), _as_axes(dim, self.ndim)[0]
        _check_not_empty(self.shape, (axis,), "max")
        indices = np.argmax(self.data, axis=axis, keepdims=True)  # the first largest (or nan)
        top = np.take_along_axis(self.data, indices, axis=axis)
        values, index = (top, indices) if keepdim else (top.squeeze(axis), indices.squeeze(axis))
        shape = self.shape

        def backward(g, indices):  # d(max a) = g at the index of the maximum, 0 elsewhere
            grad = np.zeros(shape, g.dtype)
            np.put_along_axis(grad, indices, g if keepdim else np.expand_dims(g, axis), axis)
            return (grad,)

        out = Tensor._make(values, (self,), "max", backward, {"indices": indices})
        return ValuesIndices(out, Tensor(index))

    def min(self, dim=None, keepdim=False, *, keepdims=None):
        """The smallest element, or (values, indices) along `dim`: min(a) = -max(-a)."""
        top = (-self).max(dim, keepdim, keepdims=keepdims)
        return -top if dim is None else ValuesIndices(-top.values, top.indices)

    def argmax(self, dim=None, keepdim=False):
        """The index of the largest element (into the flattened tensor when dim is None)."""
        if dim is None:  # keepdim keeps every dim, each of size 1
            index = self.detach().reshape(-1).max(0).indices
            return index.reshape((1,) * self.ndim) if keepdim else index
        return self.detach().max(dim, keepdim).indices

    def argmin(self, dim=None, keepdim=False):
        """The index of the smallest element (into the flattened tensor when dim is None)."""
        return (-self.detach()).argmax(dim, keepdim)

    def std(self, dim=None, keepdim=False, correction=1, *, unbiased=None, keepdims=None):
        """sqrt(var), with the same arguments as `var`; its slope is 0 where std = 0 (as PyTorch:
        a constant input has no direction to grow in, where sqrt alone would give 0/0)."""
        var = self.var(dim, keepdim, correction, unbiased=unbiased, keepdims=keepdims)
        out = np.sqrt(var.data)

        def backward(g, out):  # d(sqrt v) = dv / (2 sqrt v), and 0 where sqrt v = 0
            with np.errstate(divide="ignore", invalid="ignore"):
                return (np.where(out == 0, 0.0, g / (2 * out)),)

        return Tensor._make(out, (var,), "std", backward, {"out": out})

    # ---- more shape ops (all are reshapes or permutations) --------------------------------------

    def permute(self, *dims):
        """The axes in a new order: out.shape[i] = a.shape[dims[i]]."""
        dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        order = _as_axes(tuple(dims), self.ndim)
        if sorted(order) != list(range(self.ndim)):
            raise ShapeError(
                f"permute{tuple(dims)} of a tensor with {self.ndim} dimensions: "
                f"name each of the dims 0..{self.ndim - 1} exactly once"
            )
        undo = tuple(np.argsort(order))

        def backward(g):  # d(permute a) = permute back, with the inverse order
            return (g.transpose(undo),)

        return Tensor._make(self.data.transpose(order), (self,), "permute", backward)

    def movedim(self, source, destination):
        """Move dim(s) `source` to position(s) `destination`, keeping the others in order."""
        src, dst = _as_axes(source, self.ndim), _as_axes(destination, self.ndim)
        if len(src) != len(dst) or len(set(src)) != len(src) or len(set(dst)) != len(dst):
            raise ShapeError(
                f"movedim({source}, {destination}): give as many distinct destinations "
                "as distinct sources"
            )
        order = [d for d in range(self.ndim) if d not in src]
        for to, frm in sorted(zip(dst, src)):
            order.insert(to, frm)
        return self.permute(order)

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge dims start_dim..end_dim into one: (N, 3, 10).flatten(1) is (N, 30)."""
        start, end = _as_axes((start_dim, end_dim), self.ndim) or (0, 0)  # a 0-d tensor: (1,)
        if start > end:
            raise ShapeError(
                f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                f"in a tensor of shape {self.shape}"
            )
        merged = math.prod(self.shape[start : end + 1])
        return self.reshape(*self.shape[:start], merged, *self.shape[end + 1 :])

    def unsqueeze(self, dim):
        """A new axis of size 1 at `dim` (-ndim-1 <= dim <= ndim)."""
        dim = _as_axes(dim, self.ndim + 1)[0]
        return self.reshape(*self.shape[:dim], 1, *self.shape[dim:])

    def squeeze(self, dim=None):
        """Drop the axes of size 1 (only those in `dim`, if given; others stay)."""
        axes = _as_axes(dim, self.ndim)
        return self.reshape(*(n for i, n in enumerate(self.shape) if n != 1 or i not in axes))

    def t(self):
        """The transpose of a matrix; a 0-d or 1-d tensor is its own."""
        if self.ndim > 2:
            raise ShapeError(
                f"t() needs a tensor with at most 2 dimensions, got shape {self.shape}; "
                "use transpose(dim0, dim1) or permute(...)"
            )
        return self.transpose()

    # ---- comparisons and truthiness (no graph: a comparison has no slope) ---------------------

    def _compare(self, compare, other, op):
        """compare(a, b) elementwise, broadcasting, as a bool tensor that requires no grad."""
        if not isinstance(other, (Tensor, np.ndarray, numbers.Number, list, tuple)):
            return NotImplemented  # t == None is False, as in PyTorch
        return Tensor(self._broadcasting(compare, other, op)[2])

    def __lt__(self, other):
        return self._compare(np.less, other, "<")

    def __le__(self, other):
        return self._compare(np.less_equal, other, "<=")

    def __gt__(self, other):
        return self._compare(np.greater, other, ">")

    def __ge__(self, other):
        return self._compare(np.greater_equal, other, ">=")

    def __eq__(self, other):
        return self._compare(np.equal, other, "==")

    def __ne__(self, other):
        return self._compare(np.not_equal, other, "!=")

    __hash__ = object.__hash__  # a tensor is hashed by identity (sets and dicts of nodes)

    def __bool__(self):
        """The truth of a one-element tensor; more or fewer elements are ambiguous."""
        if self.data.size != 1:
            raise ShapeError(
                f"the truth value of a tensor with {self.data.size} elements is ambiguous; "
                "use (t == x).all(), (t != 0).any() or, for one element, t.item()"
            )
        return bool(self.data)

    def any(self):
        """True if any element is nonzero (a 0-d bool tensor)."""
        return Tensor(self.data.any())

    def all(self):
        """True if every element is nonzero (a 0-d bool tensor)."""
        return Tensor(self.data.all())

    # ---- PyTorch conveniences -----------------------------------------------------------------

    def retain_grad(self):
        """Accepted so that PyTorch code runs: here every tensor in the graph keeps its grad."""

    def tolist(self):
        return self.data.tolist()

    def size(self, dim=None):
        """The shape, or the size of one dim (as PyTorch's size())."""
        return self.shape if dim is None else self.shape[_as_axes(dim, self.ndim)[0]]

    # ---- backpropagation -------------------------------------------------------------------

    def backward(self, grad=None):
        """Fill in `grad` for every tensor that `self` depends on and that requires grad.

        `grad` is d(loss)/d(self); it may be left out only when `self` holds one
        element (a loss). Intermediate tensors get this call's gradient; leaves
        *add* it into `grad`, as in PyTorch, so zero them between steps.
        """
        grad = self._check_backward_grad(grad)
        order = topological_order(self)  # every node after its inputs, as for Value
        for node in order:  # all checked before any grad is written: an error changes nothing
            if node._saved_versions:
                _check_versions(node)
        for node in order:
            if node._prev:
                node.grad = None
        _accumulate(self, grad, grad)
        for node in reversed(order):  # each node's users come first: its grad is complete
            if node._prev:
                g = node.grad
                for child, child_grad in zip(node._prev, node._backward(g, **node._saved)):
                    if child.requires_grad:
                        _accumulate(child, child_grad, g)

    def _check_backward_grad(self, grad):
        """The gradient to start from, as an array of our shape and dtype, or a clear error."""
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: "
                "no input of it was created with requires_grad=True"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    "backward() without a gradient argument needs a single-element tensor, "
                    f"got shape {self.shape}; reduce it to a loss first (e.g. .sum() or .mean()) "
                    "or pass backward(grad) with the same shape"
                )
            return np.ones_like(self.data)  # d(self)/d(self) = 1
        grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.data.dtype)
        if grad.shape != self.data.shape:
            raise ValueError(
                f"backward(grad): grad has shape {grad.shape} but the tensor has shape "
                f"{self.shape}; they must match"
            )
        return grad

    def zero_grad(self):
        self.grad = None

    def detach(self):
        """The same data (shared, not copied, with the same version counter) as a new leaf
        that requires no grad."""
        detached = Tensor.from_numpy(self.data)
        detached._counter = self._counter
        return detached

    # ---- in-place changes: each bumps the version counter -------------------------------

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        self._check_in_place("fill_")
        self._data[...] = value
        self._counter[0] += 1
        return self

    def copy_(self, source):
        """Copy `source`'s values (broadcast to our shape) into this tensor, keeping our dtype."""
        self._check_in_place("copy_")
        values = np.asarray(source.data if isinstance(source, Tensor) else source)
        if not _broadcasts_to(values.shape, self.shape):
            raise ShapeError(
                f"copy_: values of shape {values.shape} do not fit a tensor of shape {self.shape}"
            )
        self._data[...] = values
        self._counter[0] += 1
        return self

    def add_(self, other, alpha=1):
        """self += alpha * other, in place (as an optimiser step)."""
        other = other.data if isinstance(other, Tensor) else other
        return self.copy_(self._data + alpha * np.asarray(other))

    def mul_(self, other):
        other = other.data if isinstance(other, Tensor) else other
        return self.copy_(self._data * np.asarray(other))

    def _check_in_place(self, op):
        """A clear error for an in-place change the graph could not follow or numpy refuses."""
        if self.requires_grad and _GradMode.enabled:
            raise RuntimeError(
                f"{op}() on a tensor that requires grad: the graph does not record in-place "
                "changes; do it inside `with no_grad():` (as an optimiser step does)"
            )
        if not self._data.flags.writeable:
            raise ValueError(
                f"{op}(): this tensor shares a read-only numpy array (from_numpy); "
                "make it from a copy instead: Tensor(array)"
            )

    def requires_grad_(self, flag=True):
        if self._prev and not flag:
            raise RuntimeError(
                f"requires_grad_(False) on a tensor computed by {self._op!r}: only leaves "
                "(tensors you created) can change it; use t.detach() for a copy of the values "
                "that is cut off from the graph"
            )
        if flag and self.data.dtype.kind not in "fc":
            raise TypeError(
                f"only floating-point tensors can require grad, got dtype {self.data.dtype}"
            )
        self.requires_grad = flag
        return self

    def draw(self, **options):
        """A picture of the graph that computed this node (inline in Jupyter); see viz.draw_dot."""
        from .viz import draw_dot  # graphviz is only imported when a picture is asked for

        return draw_dot(self, **options)


def _accumulate(node, g, out_grad):
    """node.grad += g, keeping node's shape and dtype.

    The engine never changes a gradient array in place, so nodes may share
    them. A leaf's `grad` is yours to change, so a leaf gets an array of its
    own: g itself only when g is a fresh array (not a view, not the incoming
    `out_grad` passed straight through), otherwise a copy.
    """
    if g.dtype is not node.dtype:  # numpy's common dtypes are singletons
        g = g.astype(node.dtype, copy=False)
    if node.grad is not None:
        node.grad = node.grad + g
    elif node._prev or (g.base is None and g is not out_grad):  # computed, or a fresh array
        node.grad = g
    else:
        node.grad = g.copy()


def _copied_array(data, dtype):
    """`data` as a new numpy array of numbers, or a clear error (as torch.tensor's)."""
    if isinstance(data, Tensor):
        data = data.data
    elif isinstance(data, (list, tuple)):
        data = _unwrap_scalar_tensors(data)
    elif _is_value(data):
        raise TypeError("Tensor(Value): a scalar Value cannot go into a Tensor; use Tensor(v.data)")
    elif not _is_array_like(data):
        raise TypeError(
            "Tensor() needs a number, a (nested) list of numbers or a numpy array, "
            f"got {type(data).__name__}"
        )
    try:
        array = np.array(data)
    except ValueError:
        raise ValueError(
            "Tensor(): the nested lists have different lengths (a ragged array); "
            "every row must have the same number of elements"
        ) from None
    return _checked_kind(array if dtype is None else array.astype(dtype, copy=False))


def _unwrap_scalar_tensors(items):
    """A (nested) list with every one-element Tensor replaced by its number, as torch.tensor."""
    unwrapped = []
    for item in items:
        if isinstance(item, (list, tuple)):
            item = _unwrap_scalar_tensors(item)
        elif isinstance(item, Tensor):
            if item.numel() != 1:
                raise ValueError(
                    f"Tensor([...]) of tensors: only one-element tensors convert to numbers, "
                    f"got one of shape {item.shape}; join tensors with stack(...) or cat(...)"
                )
            item = item.item()
        unwrapped.append(item)
    return unwrapped


def _is_array_like(data):
    """Numbers, numpy arrays and scalars, ranges, and whatever offers `__array__` (torch)."""
    numbers = (int, float, complex, np.generic, np.ndarray, range)
    return isinstance(data, numbers) or hasattr(data, "__array__")


def _is_value(data):
    return type(data).__name__ == "Value"  # value.py's scalar; not imported, to keep files apart


def _checked_kind(array):
    """`array` itself if it holds numbers (bool, int, float, complex), else a clear TypeError."""
    if array.dtype.kind not in "biufc":
        values = array.ravel()[:1].tolist()
        hint = (
            "a scalar Value cannot go into a Tensor: use Tensor(v.data)"
            if values and _is_value(values[0])
            else "convert it to numbers first (e.g. np.asarray(x, dtype=float))"
        )
        raise TypeError(f"Tensor() needs numbers, got an array of dtype {array.dtype}; {hint}")
    return array


def _broadcasts_to(shape, target):
    """Whether an array of `shape` broadcasts to exactly `target` (as `a[...] = b` needs)."""
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _any_requires_grad(inputs):
    """Whether an input needs a gradient. (A plain loop: a list or generator costs
    more than the rest of a small op's bookkeeping.)"""
    for t in inputs:
        if t.requires_grad:
            return True
    return False


def _counter_of_view(data, inputs):
    """The version counter of a result that is a view: a view of an input's array shares that
    input's counter (as PyTorch's views do); a view of a temporary starts one of its own."""
    for t in inputs:  # numpy's `base` is the array that owns the memory
        if data.base is t._data or data.base is t._data.base:
            return t._counter
    return [0]


def _versions_of(saved, out):
    """(name, tensor, version) for each Tensor in a saved record; tensor None stands for the
    op's own output, saved as its array (a reference to `out` itself would make a cycle)."""
    versions = []
    for name, value in saved.items():
        if type(value) is Tensor:
            versions.append((name, value, value._version))
        elif value is out._data:
            versions.append((name, None, out._version))
    return tuple(versions)


def _check_versions(node):
    """Refuse a backward that would read a saved tensor changed in place since the forward."""
    for name, tensor, version in node._saved_versions:
        now = (node if tensor is None else tensor)._version
        if now != version:
            what = "its own output" if tensor is None else _describe(tensor)
            raise RuntimeError(
                f"one of the tensors needed for gradient computation has been modified by an "
                f"inplace operation: {what}, saved as {name!r} by {node._op!r}, is at version "
                f"{now}; expected version {version}. Call backward() before changing it "
                "(e.g. before optimizer.step() or load_state_dict), or run the forward again."
            )


def _describe(t):
    """'w' of shape (2,), or, for an unnamed result, what it was computed from."""
    if t.label or not t._prev:
        return f"{t.label!r} of shape {t.shape}" if t.label else f"a tensor of shape {t.shape}"
    return f"the {t._op!r} of {_describe(t._prev[0])}"


def _sigmoid(x):
    """1 / (1 + e^-x), without overflow for large negative x."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def _softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True, initial=-np.inf))  # no max of an empty dim
    return e / e.sum(axis=dim, keepdims=True)


def _wide(x):
    """float16 as float32 (PyTorch computes half-precision softmax in float); others as they are."""
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _check_matmul(a_shape, b_shape):
    """A clear error unless a @ b is defined: inner sizes equal, the batch dims broadcast.
    (Called when numpy has refused a @ b, to name the problem.)"""
    problem = None
    if not a_shape or not b_shape:
        problem = "both operands must have at least 1 dimension (use * for a number)"
    elif a_shape[-1] != (b_shape[-2] if len(b_shape) > 1 else b_shape[0]):
        problem = "the last dimension of the left must equal the second-to-last of the right"
    elif not _broadcastable(a_shape[:-2], b_shape[:-2]):
        problem = "the batch dimensions (all but the last two) must broadcast"
    if problem:
        raise ShapeError(f"matmul shape mismatch: {a_shape} @ {b_shape}; {problem}")


def _broadcastable(a_shape, b_shape):
    """Whether numpy broadcasts the two shapes: aligned from the right, each pair of sizes
    equal or one of them 1 (a missing dim counts as 1)."""
    try:
        np.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        return False
    return True


def _check_integer_power(op, a, b):
    """PyTorch's refusal of integers to negative integer powers (numpy's error, reworded)."""
    if a.dtype.kind in "iub" and b.dtype.kind in "iu" and (b < 0).any():
        raise RuntimeError(
            f"integer tensor {op}: integers to negative integer powers are not allowed; "
            "make the base a float tensor first (Tensor(x, dtype=np.float64))"
        )


def _check_not_empty(shape, axes, who):
    """A clear error for a max or min over a dimension with no elements."""
    if any(shape[axis] == 0 for axis in axes) or (not axes and 0 in shape):
        raise ShapeError(
            f"{who}() over an empty dimension of a tensor of shape {shape}: "
            "the largest of no elements is undefined; reduce over a dim of size >= 1"
        )


def _count(shape, axes):
    n = 1
    for axis in axes:
        n *= shape[axis]
    return n


def _check_index(index, shape):
    """Unwrap Tensors in an index and refuse float indices with a clear message."""
    parts = index if isinstance(index, tuple) else (index,)
    checked = []
    for part in parts:
        if isinstance(part, Tensor):
            part = part.data
        if isinstance(part, list) and not part:
            part = np.array([], dtype=np.intp)  # x[[]]: no rows, as PyTorch (not a float index)
        if isinstance(part, float) or (
            isinstance(part, (np.ndarray, list)) and np.asarray(part).dtype.kind == "f"
        ):
            raise TypeError(
                "tensor indices must be integers, slices or integer arrays, "
                f"got a float index {part!r}; convert it with .astype(int)"
            )
        checked.append(part)
    return tuple(checked) if isinstance(index, tuple) else checked[0]


def cross_entropy(logits, targets):
    """Mean negative log-likelihood of integer `targets` (N,) under softmax(`logits`) (N, C)."""
    t = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if logits.ndim != 2 or t.shape != (logits.shape[0],):
        raise ValueError(
            "cross_entropy expects logits (N, C) and targets (N,), "
            f"got {logits.shape} and {t.shape}"
        )
    if t.dtype.kind not in "iu" or (t.size and (t.min() < 0 or t.max() >= logits.shape[1])):
        raise ValueError(
            f"cross_entropy targets must be integer class indices in [0, {logits.shape[1]}), "
            f"got {t}"
        )
    n, rows = len(t), np.arange(len(t))  # row i picks column t[i]
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)  # e^shifted never overflows
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    loss = np.asarray((np.log(total[:, 0]) - shifted[rows, t]).sum() / n, dtype=logits.dtype)
    probs = e / total

    def backward(g, probs, rows, targets):  # d(loss)/d(logits) = (softmax - onehot) / n
        dlogits = probs.copy()
        dlogits[rows, targets] -= 1
        dlogits *= g / n
        return (dlogits,)

    saved = {"probs": probs, "rows": rows, "targets": t}
    return Tensor._make(loss, (logits,), "cross_entropy", backward, saved, fused=True)


def cat(tensors, dim=0):
    """Join tensors along an existing axis; the gradient is split back into pieces."""
    tensors = _check_joinable(tensors, "cat")
    for k, t in enumerate(tensors):
        if t.ndim == 0:
            raise ShapeError(
                f"cat: the tensor at position {k} is 0-d and has no axis to join along; "
                "use stack(tensors) to make a new axis, or reshape it to (1,)"
            )
    dim = _as_axes(dim, tensors[0].ndim)[0]
    shapes = [t.shape for t in tensors]
    if len({s[:dim] + s[dim + 1 :] for s in shapes}) != 1:
        raise ShapeError(f"cat along dim {dim} needs equal shapes elsewhere, got {shapes}")
    data = np.concatenate([t.data for t in tensors], axis=dim)
    cuts = np.cumsum([t.shape[dim] for t in tensors])[:-1].tolist()

    def backward(g):  # d(cat) = the gradient cut back into the pieces
        return tuple(np.split(g, cuts, axis=dim))

    return Tensor._make(data, tensors, "cat", backward)


def stack(tensors, dim=0):
    """Join equal-shaped tensors along a new axis: give each that axis, then `cat` them."""
    tensors = _check_joinable(tensors, "stack")
    if len({t.shape for t in tensors}) != 1:
        raise ShapeError(f"stack needs tensors of equal shape, got {[t.shape for t in tensors]}")
    try:
        shape = np.expand_dims(tensors[0].data, dim).shape
    except np.exceptions.AxisError:
        raise IndexError(
            f"stack: dim {dim} is out of range for tensors with {tensors[0].ndim} dimensions"
        ) from None
    return cat([t.reshape(shape) for t in tensors], dim)


def _check_joinable(tensors, who):
    """The tensors to join as a tuple, or a clear error for an empty list or a non-Tensor."""
    if isinstance(tensors, Tensor):
        raise TypeError(f"{who} takes a list of tensors, got one Tensor; write {who}([a, b])")
    tensors = tuple(tensors)
    if not tensors:
        raise ShapeError(f"{who}: expected a non-empty list of tensors, got an empty one")
    for k, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"{who}: the item at position {k} is a {type(t).__name__}, not a Tensor; "
                "wrap it with Tensor(...)"
            )
    return tensors


from_numpy = Tensor.from_numpy  # tinygrad_bn.from_numpy(array), as torch.from_numpy
