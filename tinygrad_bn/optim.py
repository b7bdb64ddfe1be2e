"""Optimisers: they change parameters using the gradients backward() left in them.

`SGD` follows `torch.optim.SGD` exactly. For each parameter p with gradient g:

    g   = g + weight_decay * p                          (L2 penalty, if weight_decay)
    buf = g on the first step, else momentum * buf + (1 - dampening) * g
    g   = g + momentum * buf if nesterov else buf       (if momentum)
    p   = p - lr * g
"""

import numpy as np

from .tensor import Tensor

__all__ = ["SGD"]


class SGD:
    """Stochastic gradient descent, with optional momentum, dampening, weight decay, Nesterov.

    `lr` may be changed between steps (e.g. `opt.lr = 0.01` for learning-rate decay).
    """

    def __init__(self, params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        self.params = list(params)
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise TypeError(
                    f"SGD: parameter {i} is a {type(p).__name__}"
                    + ("" if not isinstance(p, Tensor) else " that does not require grad")
                    + "; pass Tensors created with requires_grad=True (e.g. model.parameters())"
                )
        if not self.params:
            raise ValueError(
                "SGD got an empty parameter list; "
                "pass model.parameters() of a model that has parameters"
            )
        for name, value in (("lr", lr), ("momentum", momentum), ("weight_decay", weight_decay)):
            if not value >= 0:
                raise ValueError(f"SGD: {name} must be >= 0, got {value!r}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                "SGD: Nesterov momentum needs momentum > 0 and dampening = 0, "
                f"got momentum={momentum}, dampening={dampening}"
            )
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov
        self.velocity = [None] * len(self.params)  # PyTorch's momentum_buffer, one per parameter

    def step(self):
        """Update every parameter that has a gradient, in place (p.data keeps its identity)."""
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            if self.momentum:
                if self.velocity[i] is None:
                    self.velocity[i] = np.array(g, copy=True)
                else:
                    self.velocity[i] = self.momentum * self.velocity[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.velocity[i] if self.nesterov else self.velocity[i]
            p.data -= self.lr * g

    def zero_grad(self):
        """Forget the gradients (set them to None), so the next backward() starts afresh."""
        for p in self.params:
            p.grad = None
