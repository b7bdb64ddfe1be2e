"""tinygrad_bn: a small autograd engine for learning backpropagation and BatchNorm.

Read in this order: graph.py (walking a graph), value.py (scalars),
tensor.py (arrays and broadcasting), gradcheck.py (checking gradients),
functional.py (BatchNorm composed and fused), nn.py and optim.py (layers and
SGD), viz.py (pictures, imported on first use).
"""

from . import functional, nn, optim
from .creation import ones, ones_like, randn, randn_like, tensor, zeros, zeros_like
from .errors import ShapeError
from .gradcheck import gradcheck
from .graph import group, is_grad_enabled, no_grad, topological_order
from .tensor import Tensor, cat, cross_entropy, from_numpy, stack
from .value import Value

__all__ = [
    "Value",
    "Tensor",
    "tensor",
    "zeros",
    "ones",
    "randn",
    "zeros_like",
    "ones_like",
    "randn_like",
    "ShapeError",
    "from_numpy",
    "cat",
    "stack",
    "cross_entropy",
    "no_grad",
    "group",
    "is_grad_enabled",
    "topological_order",
    "gradcheck",
    "functional",
    "nn",
    "optim",
]
__version__ = "0.1.0"
