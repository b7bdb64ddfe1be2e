"""Making tensors the way PyTorch code does: `tensor`, `zeros`, `ones`, `randn` and `*_like`.

One difference: a tensor of Python floats is float64 here (numpy's default), where
PyTorch makes float32; pass `dtype=np.float32` for PyTorch's. `randn` draws from the
generator that `nn.manual_seed(seed)` seeds, as `torch.randn` draws from
`torch.manual_seed`'s.
"""

import numpy as np

from .nn import _Random
from .tensor import Tensor

__all__ = ["tensor", "zeros", "ones", "randn", "zeros_like", "ones_like", "randn_like"]


def tensor(data, dtype=None, requires_grad=False):
    """A new leaf holding a copy of `data` (a number, nested lists, an array or a Tensor)."""
    values = data.data if isinstance(data, Tensor) else data
    return Tensor(np.array(values, dtype=dtype), requires_grad=requires_grad)


def _size(size):
    """zeros(2, 3) and zeros((2, 3)) both mean the shape (2, 3)."""
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


def zeros(*size, dtype=np.float64, requires_grad=False):
    return Tensor(np.zeros(_size(size), dtype), requires_grad=requires_grad)


def ones(*size, dtype=np.float64, requires_grad=False):
    return Tensor(np.ones(_size(size), dtype), requires_grad=requires_grad)


def randn(*size, dtype=np.float64, requires_grad=False, generator=None):
    """Standard normal samples; `generator` is a numpy Generator (default: nn.manual_seed's)."""
    rng = _Random.rng if generator is None else generator
    return Tensor(rng.standard_normal(_size(size)).astype(dtype), requires_grad=requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    return zeros(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    return ones(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randn_like(t, dtype=None, requires_grad=False):
    return randn(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)
