"""Optimisers: they change parameters using the gradients backward() left in them.

`SGD` follows `torch.optim.SGD` exactly. For each parameter p with gradient g:

    g   = g + weight_decay * p                          (L2 penalty, if weight_decay)
    buf = g on the first step, else momentum * buf + (1 - dampening) * g
    g   = g + momentum * buf if nesterov else buf       (if momentum)
    p   = p - lr * g

`Adam` follows `torch.optim.Adam` (Kingma & Ba, 2015). At step t:

    g = g + weight_decay * p                            (L2 penalty, if weight_decay)
    m = beta1 m + (1 - beta1) g                         (first moment, starts at 0)
    v = beta2 v + (1 - beta2) g^2                       (second moment, starts at 0)
    v_max = max(v_max, v)                               (if amsgrad; then v_max replaces v)
    p = p - lr / (1 - beta1^t) * m / (sqrt(v / (1 - beta2^t)) + eps)

A step changes each parameter in place (`p.data -= ...` keeps the array and
bumps the version counter), so a graph built before the step refuses backward().
Parameters are checked before anything changes: a step either updates all or none.
"""

import math

import numpy as np

from .tensor import Tensor

__all__ = ["SGD", "Adam"]


class Optimizer:
    """What every optimiser shares: the checked parameter list, zero_grad, the pre-step check."""

    def __init__(self, params, name):
        if isinstance(params, Tensor):
            raise TypeError(
                f"{name}: params should be an iterable of Tensors, got a single Tensor; "
                f"pass a list: {name}([w], ...) (as torch.optim), or model.parameters()"
            )
        self.params = list(params)
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise TypeError(
                    f"{name}: parameter {i} is a {type(p).__name__}"
                    + ("" if not isinstance(p, Tensor) else " that does not require grad")
                    + "; pass Tensors created with requires_grad=True (e.g. model.parameters())"
                )
        if not self.params:
            raise ValueError(
                f"{name} got an empty parameter list; "
                "pass model.parameters() of a model that has parameters"
            )

    def _parameters_with_grads(self):
        """(index, p, grad) for every parameter a backward pass reached, after checking them all."""
        found = [(i, p, p.grad) for i, p in enumerate(self.params) if p.grad is not None]
        for i, p, g in found:
            if g.shape != p.shape:
                raise ValueError(
                    f"parameter {i} has shape {p.shape} but its grad has shape {g.shape}; "
                    "a gradient must have its parameter's shape"
                )
            if not p.data.flags.writeable:
                raise ValueError(
                    f"parameter {i} shares a read-only numpy array (from_numpy), so a step "
                    "cannot change it; create it with Tensor(array), which copies"
                )
        return found

    def zero_grad(self):
        """Forget the gradients (set them to None), so the next backward() starts afresh."""
        for p in self.params:
            p.grad = None


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum, dampening, weight decay, Nesterov.

    `lr` may be changed between steps (e.g. `opt.lr = 0.01` for learning-rate decay).
    """

    def __init__(self, params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        super().__init__(params, "SGD")
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
        for i, p, g in self._parameters_with_grads():
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            if self.momentum:
                if self.velocity[i] is None:
                    self.velocity[i] = np.array(g, copy=True)
                else:
                    self.velocity[i] = self.momentum * self.velocity[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.velocity[i] if self.nesterov else self.velocity[i]
            p.data -= self.lr * g  # in place; assigning p.data bumps its version


class Adam(Optimizer):
    """Adam with `torch.optim.Adam`'s defaults and update (see the module docstring).

    `weight_decay` adds weight_decay * p to the gradient (L2, not AdamW's decoupled
    decay); `amsgrad=True` divides by the largest second moment seen so far.
    """

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False
    ):
        super().__init__(params, "Adam")
        for name, value in (("lr", lr), ("eps", eps), ("weight_decay", weight_decay)):
            if not value >= 0:
                raise ValueError(f"Adam: {name} must be >= 0, got {value!r}")
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"Adam: betas must be two numbers in [0, 1), got {betas!r}")
        self.lr, self.betas, self.eps = lr, tuple(betas), eps
        self.weight_decay, self.amsgrad = weight_decay, amsgrad
        self.steps = [0] * len(self.params)  # t, per parameter (as PyTorch's state["step"])
        self.m = [None] * len(self.params)  # exp_avg
        self.v = [None] * len(self.params)  # exp_avg_sq
        self.v_max = [None] * len(self.params)  # max_exp_avg_sq, for amsgrad

    def step(self):
        """Update every parameter that has a gradient, in place (p.data keeps its identity)."""
        beta1, beta2 = self.betas
        for i, p, g in self._parameters_with_grads():
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            if self.m[i] is None:
                self.m[i], self.v[i] = np.zeros_like(p.data), np.zeros_like(p.data)
                self.v_max[i] = np.zeros_like(p.data)
            self.steps[i] += 1
            t = self.steps[i]
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
            v = self.v[i]
            if self.amsgrad:
                self.v_max[i] = v = np.maximum(self.v_max[i], v)
            denominator = np.sqrt(v) / math.sqrt(1 - beta2**t) + self.eps
            p.data -= self.lr / (1 - beta1**t) * self.m[i] / denominator  # bumps the version
