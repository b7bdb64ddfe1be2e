"""Check gradients against central differences, the whole Jacobian.

For a function f of inputs x_1..x_k the analytic Jacobian (from backward,
one output element at a time) is compared, entry by entry, with

    d out_i / d x_j  ~  (f(x + eps e_j)_i - f(x - eps e_j)_i) / (2 eps)

whose error is O(eps^2). An entry passes when
|analytic - numeric| / max(1, |analytic|, |numeric|) <= tol: a relative
error for large entries, an absolute one near zero.
"""

from dataclasses import dataclass

import numpy as np

from .tensor import Tensor
from .value import Value


@dataclass
class GradcheckResult:
    """`ok` is truthy when every Jacobian entry agrees; `worst` says where they differ most."""

    ok: bool
    max_error: float
    worst: str
    tol: float

    def __bool__(self):
        return self.ok

    def __str__(self):
        verdict = "gradients agree" if self.ok else "GRADIENTS DIFFER"
        return f"{verdict}: max error {self.max_error:.3g} (tolerance {self.tol:g}) at {self.worst}"

    __repr__ = __str__


def gradcheck(f, *inputs, eps=1e-6, tol=1e-6):
    """Compare every d f(inputs)[i] / d inputs[k][j] with a central difference.

    `inputs` are float64 Tensors (each is made to require grad) or Values;
    `f` returns a Tensor of any shape, or a Value.
    """
    if not inputs:
        raise ValueError("gradcheck needs at least one input Tensor or Value")
    if all(isinstance(x, Value) for x in inputs):
        analytic, numeric = _value_jacobians(f, inputs, eps)
    elif all(isinstance(x, Tensor) for x in inputs):
        analytic, numeric = _tensor_jacobians(f, inputs, eps)
    else:
        raise TypeError(
            "gradcheck inputs must be all Tensors or all Values, got "
            + ", ".join(type(x).__name__ for x in inputs)
        )
    worst_error, worst = 0.0, "nowhere (no entries)"
    for k, (a, n) in enumerate(zip(analytic, numeric)):
        if a.size == 0:
            continue
        error = np.abs(a - n) / np.maximum(1.0, np.maximum(np.abs(a), np.abs(n)))
        error = np.where(np.isnan(error), np.inf, error)
        i, j = np.unravel_index(np.argmax(error), error.shape)
        if error[i, j] >= worst_error:
            worst_error = float(error[i, j])
            where = (
                np.unravel_index(j, np.shape(inputs[k].data))
                if isinstance(inputs[k], Tensor)
                else ()
            )
            element = tuple(int(w) for w in where)
            worst = (
                f"input {k} element {element}, output element {i}: "
                f"analytic {a[i, j]:.12g}, numeric {n[i, j]:.12g}"
            )
    return GradcheckResult(worst_error <= tol, worst_error, worst, tol)


def _tensor_jacobians(f, inputs, eps):
    for x in inputs:
        if x.dtype != np.float64:
            raise TypeError(
                f"gradcheck needs float64 inputs for accurate differences, got {x.dtype}; "
                "use Tensor(x, dtype=np.float64)"
            )
        x.data = np.ascontiguousarray(x.data)  # so that reshape(-1) below is a view
        x.requires_grad_(True)
    out = f(*inputs)
    m = out.data.size
    analytic = [np.zeros((m, x.data.size)) for x in inputs]
    for i in range(m):
        seed = np.zeros(m)
        seed[i] = 1.0
        for x in inputs:
            x.grad = None
        out.backward(seed.reshape(out.shape))
        for k, x in enumerate(inputs):
            if x.grad is not None:
                analytic[k][i] = x.grad.ravel()
    numeric = []
    for x in inputs:
        flat = x.data.reshape(-1)  # a view: writing it perturbs x
        columns = np.zeros((m, flat.size))
        for j in range(flat.size):
            original = flat[j]
            flat[j] = original + eps
            up = f(*inputs).data.ravel().copy()
            flat[j] = original - eps
            down = f(*inputs).data.ravel().copy()
            flat[j] = original
            columns[:, j] = (up - down) / (2 * eps)
        numeric.append(columns)
    return analytic, numeric


def _value_jacobians(f, inputs, eps):
    for x in inputs:
        x.grad = 0.0
    out = f(*inputs)
    out.backward()
    analytic = [np.array([[x.grad]]) for x in inputs]
    numeric = []
    for x in inputs:
        original = x.data
        x.data = original + eps
        up = f(*inputs).data
        x.data = original - eps
        down = f(*inputs).data
        x.data = original
        numeric.append(np.array([[(up - down) / (2 * eps)]]))
    return analytic, numeric
