"""`Tensor`: a numpy array that remembers how it was computed.

Every op is one block: compute `out` from the inputs' data, then give `out`
a `_backward(g)` that turns g = d(loss)/d(out) into d(loss)/d(input) for each
input, in the same order as `out._prev`. The engine (`Tensor.backward`)
walks the graph and adds those gradients up.

The closures capture the *inputs*, never `out` (the gradient arrives as the
argument g), so a graph holds no reference cycles and is freed as soon as
the last reference to its output goes.

Broadcasting copies an input along some axes; its adjoint sums the
gradient back over those axes (`unbroadcast`).
"""

import numpy as np

from .graph import _GradMode, _Group, count_users


def unbroadcast(grad, shape):
    """Sum `grad` over the axes that broadcasting stretched to reach `shape`."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    return grad.sum(axis=axes).reshape(shape) if axes else grad.reshape(shape)


def _as_axes(dim, ndim):
    """PyTorch's `dim` (None, int or tuple, negatives allowed) as a tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"dim {d} is out of range for a tensor with {ndim} dimensions")
    return tuple(d % max(ndim, 1) for d in dims) if ndim else ()


def _expand(g, shape, axes, keepdim):
    """Undo a reduction over `axes`: put the reduced axes back and broadcast."""
    if not keepdim and axes:
        g = np.expand_dims(g, axes)
    return np.broadcast_to(g, shape)


class Tensor:
    """An n-dimensional array node. `grad` is None until a backward pass reaches it."""

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "label",
        "_prev",
        "_backward",
        "_op",
        "_saved",
        "_group",
        "__weakref__",
    )
    __array_ufunc__ = None  # numpy defers to our operators: ndarray * Tensor -> Tensor

    def __init__(self, data, requires_grad=False, label="", dtype=None):
        data = data.data if isinstance(data, Tensor) else data
        self.data = np.asarray(data, dtype=dtype)
        if requires_grad and self.data.dtype.kind not in "fc":
            raise TypeError(
                f"only floating-point tensors can require grad, got dtype {self.data.dtype}; "
                "create it with float data (e.g. Tensor(x, dtype=np.float64, requires_grad=True))"
            )
        self.grad = None
        self.requires_grad = requires_grad
        self.label = label
        self._prev, self._backward, self._op, self._saved, self._group = (
            (),
            None,
            "",
            None,
            _Group.current,
        )

    @staticmethod
    def _make(data, inputs, op, backward):
        """The result of an op. It joins the graph only if an input needs a gradient."""
        out = Tensor.__new__(Tensor)
        out.data = data if type(data) is np.ndarray else np.asarray(data)
        out.grad, out.label, out._saved, out._group = None, "", None, _Group.current
        if _GradMode.enabled:
            for t in inputs:
                if t.requires_grad:
                    out.requires_grad, out._prev, out._backward, out._op = (
                        True,
                        inputs,
                        backward,
                        op,
                    )
                    return out
        out.requires_grad, out._prev, out._backward, out._op = False, (), None, ""
        return out

    def _lift(self, other):
        """A plain number or array as a constant Tensor of our dtype (so float32 stays float32)."""
        if isinstance(other, Tensor):
            return other
        # an int tensor times 0.5 is a float tensor, as in PyTorch
        same_kind = isinstance(other, (int, float)) and (
            self.data.dtype.kind in "fc" or isinstance(other, int)
        )
        return Tensor(np.asarray(other, dtype=self.data.dtype if same_kind else None))

    # ---- properties ---------------------------------------------------------

    shape = property(lambda self: self.data.shape)
    dtype = property(lambda self: self.data.dtype)
    ndim = property(lambda self: self.data.ndim)
    T = property(lambda self: self.transpose())

    def numel(self):
        return self.data.size

    def item(self):
        return self.data.item()

    def numpy(self):
        return self.data

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        label = f", label={self.label!r}" if self.label else ""
        return f"Tensor({np.array2string(self.data, precision=4, threshold=20)}, dtype={self.dtype}{grad}{label})"

    # ---- elementwise binary ops (broadcasting) -------------------------------

    def _binary(self, other, op, forward, backward):
        a, b = self, self._lift(other)
        try:
            data = forward(a.data, b.data)
        except ValueError:
            raise ValueError(
                f"shapes {a.shape} and {b.shape} cannot be broadcast together for '{op}': "
                "each dimension, aligned from the right, must be equal or 1"
            ) from None
        return Tensor._make(data, (a, b), op, lambda g: backward(g, a, b))

    def __add__(self, other):  # d(a+b) = da + db
        return self._binary(
            other, "+", np.add, lambda g, a, b: (unbroadcast(g, a.shape), unbroadcast(g, b.shape))
        )

    def __sub__(self, other):  # d(a-b) = da - db
        return self._binary(
            other,
            "-",
            np.subtract,
            lambda g, a, b: (unbroadcast(g, a.shape), unbroadcast(-g, b.shape)),
        )

    def __mul__(self, other):  # d(a*b) = b da + a db
        return self._binary(
            other,
            "*",
            np.multiply,
            lambda g, a, b: (unbroadcast(g * b.data, a.shape), unbroadcast(g * a.data, b.shape)),
        )

    def __truediv__(self, other):  # d(a/b) = da/b - a/b^2 db
        return self._binary(
            other,
            "/",
            np.divide,
            lambda g, a, b: (
                unbroadcast(g / b.data, a.shape),
                unbroadcast(-g * a.data / (b.data * b.data), b.shape),
            ),
        )

    def __pow__(self, other):
        if isinstance(other, (int, float)):  # d(a^p) = p a^(p-1) da
            a = self
            # a^0 = 1 has slope 0, even at a = 0 (where p a^(p-1) would be 0 * inf)
            backward = (
                (lambda g: (g * other * a.data ** (other - 1),))
                if other
                else (lambda g: (np.zeros_like(g),))
            )
            return Tensor._make(a.data**other, (a,), f"**{other}", backward)
        # d(a^b) = b a^(b-1) da + a^b ln(a) db
        return self._binary(other, "**", np.power, _pow_backward)

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

    def _unary(self, op, data, backward):
        a = self
        return Tensor._make(data, (a,), op, lambda g: (backward(g, a),))

    def __neg__(self):  # d(-a) = -da
        return self._unary("neg", -self.data, lambda g, a: -g)

    def exp(self):  # d(e^a) = e^a da
        out = np.exp(self.data)
        return self._unary("exp", out, lambda g, a: g * out)

    def log(self):  # d(ln a) = da / a
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._unary("log", np.log(self.data), lambda g, a: g / a.data)

    def sqrt(self):  # d(sqrt a) = da / (2 sqrt a)
        with np.errstate(invalid="ignore"):
            out = np.sqrt(self.data)
        return self._unary("sqrt", out, lambda g, a: g / (2 * out))

    def tanh(self):  # d(tanh a) = (1 - tanh^2 a) da
        out = np.tanh(self.data)
        return self._unary("tanh", out, lambda g, a: g * (1 - out * out))

    def relu(self):  # d(relu a) = [a > 0] da
        return self._unary("relu", np.maximum(self.data, 0), lambda g, a: g * (a.data > 0))

    def sigmoid(self):  # d(s(a)) = s(a)(1 - s(a)) da
        out = _sigmoid(self.data)
        return self._unary("sigmoid", out, lambda g, a: g * out * (1 - out))

    # ---- reductions --------------------------------------------------------------

    def sum(self, dim=None, keepdim=False):  # d(sum a) = every element gets g
        axes = _as_axes(dim, self.ndim)
        return self._unary(
            "sum",
            self.data.sum(axis=axes, keepdims=keepdim),
            lambda g, a: _expand(g, a.shape, axes, keepdim),
        )

    def mean(self, dim=None, keepdim=False):  # d(mean a) = every element gets g / n
        axes = _as_axes(dim, self.ndim)
        n = _count(self.shape, axes)
        return self._unary(
            "mean",
            self.data.mean(axis=axes, keepdims=keepdim),
            lambda g, a: _expand(g / n, a.shape, axes, keepdim),
        )

    def var(self, dim=None, keepdim=False, correction=1):
        """sum((a - mean)^2) / (n - correction); d(var)/da = 2 (a - mean) / (n - correction)."""
        axes = _as_axes(dim, self.ndim)
        # never negative: n <= correction gives inf/nan
        dof = max(_count(self.shape, axes) - correction, 0)
        centred = self.data - self.data.mean(axis=axes, keepdims=True)
        # dof <= 0 gives inf/nan, as in PyTorch
        with np.errstate(divide="ignore", invalid="ignore"):
            out = (centred * centred).sum(axis=axes, keepdims=keepdim) / dof
            return self._unary(
                "var", out, lambda g, a: _expand(g, a.shape, axes, keepdim) * (2 * centred / dof)
            )

    def max(self, dim=None, keepdim=False):
        """Largest element (along `dim`). Its gradient goes to the maximum, split evenly between ties."""
        axes = _as_axes(dim, self.ndim)
        top = self.data.max(axis=axes, keepdims=True)
        out = (
            top if keepdim else top.reshape([n for i, n in enumerate(self.shape) if i not in axes])
        )

        def backward(g, a):
            winners = a.data == top
            return (
                _expand(g, a.shape, axes, keepdim) * winners / winners.sum(axis=axes, keepdims=True)
            )

        return self._unary("max", out, backward)

    # ---- shape ops ------------------------------------------------------------------

    def reshape(self, *shape):  # d(reshape a) = reshape back
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            out = self.data.reshape(shape)
        except ValueError:
            raise ValueError(
                f"cannot reshape a tensor of shape {self.shape} ({self.numel()} elements) into shape {tuple(shape)}"
            ) from None
        return self._unary("reshape", out, lambda g, a: g.reshape(a.shape))

    view = reshape

    def transpose(self, dim0=-2, dim1=-1):  # d(a^T) = transpose back
        if self.ndim < 2:
            return self._unary("T", self.data, lambda g, a: g)
        return self._unary("T", self.data.swapaxes(dim0, dim1), lambda g, a: g.swapaxes(dim0, dim1))

    def __getitem__(self, index):
        """Basic and integer-array indexing; the backward scatter-adds (repeated indices add up)."""
        index = _check_index(index, self.shape)
        try:
            out = self.data[index]
        except IndexError as error:
            raise IndexError(
                f"index out of range for a tensor of shape {self.shape}: {error}"
            ) from None

        def backward(g, a):
            grad = np.zeros_like(a.data)
            np.add.at(grad, index, g)
            return grad

        return self._unary("index", out, backward)

    # ---- matrix product ---------------------------------------------------------------

    def __matmul__(self, other):
        """a @ b for 1-D and 2-D operands. d(a@b) = g b^T for a, a^T g for b."""
        a, b = self, self._lift(other)
        if not (1 <= a.ndim <= 2 and 1 <= b.ndim <= 2) or a.shape[-1] != b.shape[0]:
            raise ValueError(
                f"matmul shape mismatch: {a.shape} @ {b.shape}; "
                "both must be 1-D or 2-D and the last dimension of the left must equal the first of the right"
            )

        def backward(g):
            if a.data.ndim == 2 and b.data.ndim == 2:
                return g @ b.data.T, a.data.T @ g
            g2 = g.reshape(a.shape[0] if a.ndim == 2 else 1, b.shape[1] if b.ndim == 2 else 1)
            a2, b2 = a.data.reshape(-1, a.shape[-1]), b.data.reshape(b.shape[0], -1)
            return (g2 @ b2.T).reshape(a.shape), (a2.T @ g2).reshape(b.shape)

        return Tensor._make(a.data @ b.data, (a, b), "@", backward)

    def __rmatmul__(self, other):
        return self._lift(other) @ self

    # ---- softmax family ------------------------------------------------------------------

    def softmax(self, dim=-1):  # d(softmax) = s * (g - sum(g * s))
        _as_axes(dim, self.ndim)  # a clear IndexError for a bad dim
        s = _softmax(self.data, dim)
        return self._unary(
            "softmax", s, lambda g, a: s * (g - (g * s).sum(axis=dim, keepdims=True))
        )

    def log_softmax(self, dim=-1):  # d(log_softmax) = g - softmax * sum(g)
        _as_axes(dim, self.ndim)  # a clear IndexError for a bad dim
        shifted = self.data - self.data.max(axis=dim, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        return self._unary(
            "log_softmax", out, lambda g, a: g - np.exp(out) * g.sum(axis=dim, keepdims=True)
        )

    def cross_entropy(self, targets):
        """Mean over the batch of -log softmax(logits)[i, targets[i]]; d/dlogits = (softmax - onehot) / n."""
        return cross_entropy(self, targets)

    # ---- backpropagation -------------------------------------------------------------------

    def backward(self, grad=None):
        """Fill in `grad` for every tensor that `self` depends on and that requires grad.

        `grad` is d(loss)/d(self); it may be left out only when `self` holds one
        element (a loss). Intermediate tensors get this call's gradient; leaves
        *add* it into `grad`, as in PyTorch, so zero them between steps.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input of it was created with requires_grad=True"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient argument needs a single-element tensor, got shape {self.shape}; "
                    "reduce it to a loss first (e.g. .sum() or .mean()) or pass backward(grad) with the same shape"
                )
            grad = np.ones_like(self.data)
        else:
            # asarray copies only if it must
            if type(grad) is not np.ndarray or grad.dtype is not self.data.dtype:
                grad = np.asarray(
                    grad.data if isinstance(grad, Tensor) else grad, dtype=self.data.dtype
                )
            if grad.shape != self.data.shape:
                raise ValueError(
                    f"backward(grad): grad has shape {grad.shape} but the tensor has shape {self.shape}; they must match"
                )
        if not self._prev:  # a leaf: d(self)/d(self) is the identity
            return _accumulate(self, grad, grad)
        users = count_users(self)  # computed nodes -> how many ops here use them
        for node in users:
            node.grad = None
        self.grad = grad
        ready = [self]  # nodes whose every user has passed its gradient back
        while ready:
            node = ready.pop()
            out_grad = node.grad
            for child, g in zip(node._prev, node._backward(out_grad)):
                if child.requires_grad:
                    _accumulate(child, g, out_grad)
                    if child._prev:  # computed: it may go on once its last user is done
                        users[child] -= 1
                        if not users[child]:
                            ready.append(child)

    def zero_grad(self):
        self.grad = None

    def detach(self):
        """The same data as a new leaf that requires no grad."""
        return Tensor(self.data)

    def requires_grad_(self, flag=True):
        if self._prev and not flag:
            raise RuntimeError(
                f"requires_grad_(False) on a tensor computed by {self._op!r}: only leaves (tensors you created) can change it; "
                "use t.detach() for a copy of the values that is cut off from the graph"
            )
        if flag and self.data.dtype.kind not in "fc":
            raise TypeError(
                f"only floating-point tensors can require grad, got dtype {self.data.dtype}"
            )
        self.requires_grad = flag
        return self

    def draw(self, **options):
        """A picture of the graph that computed this node (shows inline in Jupyter); options: see viz.draw_dot."""
        from .viz import draw_dot  # graphviz is only imported when a picture is asked for

        return draw_dot(self, **options)


def _accumulate(node, g, out_grad):
    """node.grad += g, keeping node's shape and dtype.

    The engine never changes a gradient array in place, so nodes may share
    them. A leaf's `grad` is yours to change, so a leaf gets an array of its
    own: g itself only when g is a fresh array (not a view, not the incoming
    `out_grad` passed straight through), otherwise a copy.
    """
    # numpy's common dtypes are singletons, so this is almost always False
    if g.dtype is not node.data.dtype:
        g = g.astype(node.data.dtype, copy=False)
    if node.grad is not None:
        node.grad = node.grad + g
    # computed, or a fresh array (base is None: not a view)
    elif node._prev or (g.base is None and g is not out_grad):
        node.grad = g
    else:
        node.grad = g.copy()


def _pow_backward(g, a, b):
    out = a.data**b.data
    with np.errstate(divide="ignore", invalid="ignore"):
        da = g * b.data * a.data ** (b.data - 1)
        db = g * out * np.log(a.data)
    # as PyTorch: no gradient for the exponent of 0^b
    db = np.where((a.data == 0) & (b.data >= 0), 0.0, db)
    da = np.where(b.data == 0, 0.0, da)  # a^0 = 1 is constant: no gradient for a, even at a = 0
    return unbroadcast(da.astype(g.dtype, copy=False), a.shape), unbroadcast(
        db.astype(g.dtype, copy=False), b.shape
    )


def _sigmoid(x):
    """1 / (1 + e^-x), without overflow for large negative x."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def _softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


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
        if isinstance(part, float) or (
            isinstance(part, (np.ndarray, list)) and np.asarray(part).dtype.kind == "f"
        ):
            raise TypeError(
                f"tensor indices must be integers, slices or integer arrays, got a float index {part!r}; convert it with .astype(int)"
            )
        checked.append(part)
    return tuple(checked) if isinstance(index, tuple) else checked[0]


def cross_entropy(logits, targets):
    """Mean negative log-likelihood of integer `targets` (N,) under softmax(`logits`) (N, C)."""
    t = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if logits.ndim != 2 or t.shape != (logits.shape[0],):
        raise ValueError(
            f"cross_entropy expects logits (N, C) and targets (N,), got {logits.shape} and {t.shape}"
        )
    if t.dtype.kind not in "iu" or (t.size and (t.min() < 0 or t.max() >= logits.shape[1])):
        raise ValueError(
            f"cross_entropy targets must be integer class indices in [0, {logits.shape[1]}), got {t}"
        )
    n, rows = len(t), np.arange(len(t))
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    loss = (np.log(total[:, 0]) - shifted[rows, t]).sum() / n

    def backward(g):
        dlogits = e / total
        dlogits[rows, t] -= 1
        dlogits *= g / n
        return (dlogits,)

    return Tensor._make(np.asarray(loss, dtype=logits.dtype), (logits,), "cross_entropy", backward)


def cat(tensors, dim=0):
    """Join tensors along an existing axis; the gradient is split back into pieces."""
    tensors = tuple(tensors)
    try:
        data = np.concatenate([t.data for t in tensors], axis=dim)
    except ValueError:
        raise ValueError(
            f"cat along dim {dim} needs equal shapes elsewhere, got {[t.shape for t in tensors]}"
        ) from None
    cuts = np.cumsum([t.shape[dim] for t in tensors])[:-1]
    return Tensor._make(data, tensors, "cat", lambda g: tuple(np.split(g, cuts, axis=dim)))


def stack(tensors, dim=0):
    """Join equal-shaped tensors along a new axis: give each that axis, then `cat` them."""
    tensors = tuple(tensors)
    if len({t.shape for t in tensors}) != 1:
        raise ValueError(f"stack needs tensors of equal shape, got {[t.shape for t in tensors]}")
    try:
        shape = np.expand_dims(tensors[0].data, dim).shape
    except np.exceptions.AxisError:
        raise IndexError(
            f"stack: dim {dim} is out of range for tensors with {tensors[0].ndim} dimensions"
        ) from None
    return cat([t.reshape(shape) for t in tensors], dim)
