"""Layers in the style of `torch.nn`, built on `Tensor` and `functional`.

A `Module` keeps three ordered tables, filled in as attributes are assigned:
parameters (Tensors with requires_grad=True, which an optimiser updates),
buffers (state that is saved but not trained, such as BatchNorm's running
statistics; declared with `register_buffer`) and child modules. Everything
else (`parameters()`, `train()`, `state_dict()`, ...) walks those tables over
the tree of modules with an explicit stack.

Calling a module runs its `forward` inside `graph.group`, so every node it
builds is tagged with the module ("Linear (0)", "BatchNorm1d (bn)") and a
picture can draw each layer as one cluster.
"""

import math
from collections import namedtuple
from collections.abc import Mapping

import numpy as np

from . import functional as F
from .convolution import _pair
from .errors import ShapeError
from .graph import group, no_grad
from .tensor import Tensor

__all__ = [
    "Module",
    "Linear",
    "Embedding",
    "Tanh",
    "ReLU",
    "Sequential",
    "Flatten",
    "LayerNorm",
    "BatchNorm1d",
    "BatchNorm2d",
    "Dropout",
    "CrossEntropyLoss",
    "MSELoss",
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "GroupNorm",
    "manual_seed",
]

LoadResult = namedtuple("LoadResult", ["missing_keys", "unexpected_keys"])


class _Random:
    """The generator layers draw their initial weights from; `manual_seed` resets it."""

    rng = np.random.default_rng()


def manual_seed(seed):
    """Make the initial weights of layers created from now on reproducible."""
    _Random.rng = np.random.default_rng(seed)


def _parameter(data, name):
    return Tensor(data, requires_grad=True, label=name)


class Module:
    """Base class: subclasses call `super().__init__()` and define `forward`."""

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_name", None)
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() in __init__ "
                f"before assigning attributes (here {name!r})"
            )
        # an alias such as BatchNorm1d.gamma
        if isinstance(getattr(type(self), name, None), property):
            object.__setattr__(self, name, value)
            return
        if isinstance(value, Module):
            self._modules[name] = value
            object.__setattr__(value, "_name", name)
        # a child replaced by something else (None, say) is no longer a child
        elif name in self._modules:
            del self._modules[name]
        elif name in self._buffers:
            self._buffers[name] = value
        elif name in self._parameters or (isinstance(value, Tensor) and value.requires_grad):
            self._parameters[name] = value
            if isinstance(value, Tensor) and not value.label:
                value.label = name  # pictures show parameters by name
        object.__setattr__(self, name, value)

    def register_buffer(self, name, tensor):
        """Declare state that `state_dict` saves but optimisers never touch (None: absent)."""
        self._buffers[name] = tensor
        object.__setattr__(self, name, tensor)

    # ---- running ------------------------------------------------------------------

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        with group(self._group_name()):
            return self.forward(*args, **kwargs)

    def _group_name(self):
        kind = type(self).__name__
        return kind if self._name is None else f"{kind} ({self._name})"

    # ---- walking the tree ---------------------------------------------------------

    def named_modules(self):
        """(dotted path, module) for this module and every descendant, parents first."""
        found, stack = [], [("", self)]
        while stack:
            prefix, module = stack.pop()
            found.append((prefix, module))
            children = [
                (f"{prefix}.{name}" if prefix else name, child)
                for name, child in module._modules.items()
                if child is not None
            ]
            stack.extend(reversed(children))
        return found

    def modules(self):
        return [m for _, m in self.named_modules()]

    def children(self):
        return [m for m in self._modules.values() if m is not None]

    def _named(self, table):
        result, seen = [], set()
        for prefix, module in self.named_modules():
            for name, t in getattr(module, table).items():
                if t is not None and id(t) not in seen:
                    seen.add(id(t))
                    result.append((f"{prefix}.{name}" if prefix else name, t))
        return result

    def named_parameters(self):
        """(dotted name, Tensor) for every parameter, each shared one once."""
        return self._named("_parameters")

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def named_buffers(self):
        return self._named("_buffers")

    def buffers(self):
        return [b for _, b in self.named_buffers()]

    def train(self, mode=True):
        """Training mode for this module and all its children (BatchNorm uses batch statistics)."""
        for _, module in self.named_modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def draw(self, x, **options):
        """A picture of this model run on `x`: parameters named by path (0.weight) inside their
        modules' clusters, `x` as the input (options: see viz.draw_dot)."""
        from .viz import draw_model  # graphviz is only imported when a picture is asked for

        return draw_model(self, x, **options)

    def eval(self):
        """Evaluation mode for this module and its children (BatchNorm: running statistics)."""
        return self.train(False)

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None

    # ---- saving and loading -------------------------------------------------------

    def _state_entries(self):
        """(key, Tensor) in PyTorch's order: a module's parameters, buffers, then children."""
        entries = []
        for prefix, module in self.named_modules():
            for table in (module._parameters, module._buffers):
                entries.extend(
                    (f"{prefix}.{name}" if prefix else name, t)
                    for name, t in table.items()
                    if t is not None
                )
        return entries

    def state_dict(self):
        """A snapshot {name: ndarray copy} of every parameter and buffer, keys as PyTorch's."""
        return {key: np.array(t.data, copy=True) for key, t in self._state_entries()}

    def load_state_dict(self, state_dict, strict=True):
        """Copy values into this module's parameters and buffers, all or nothing.

        Everything is checked first (missing or unexpected keys when `strict`,
        shapes and number types always); on any problem a ShapeError (a ValueError
        and a RuntimeError, as PyTorch's) lists them all and the module is left
        exactly as it was. Values may be arrays, Tensors, or anything `np.asarray`
        accepts (a CPU torch tensor, say). A BatchNorm's `num_batches_tracked` may
        be left out, as PyTorch allows: it keeps its value. Each loaded tensor's
        version is bumped, so a graph built before the load refuses backward().
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict expects a dict {{name: array}}, got {type(state_dict).__name__}; "
                "pass what state_dict() returned"
            )
        targets = dict(self._state_entries())
        missing = [k for k in targets if k not in state_dict and not _optional(k)]
        unexpected = [k for k in state_dict if k not in targets]
        problems, ready = [], []
        if strict and missing:
            problems.append(f"missing key(s): {', '.join(missing)}")
        if strict and unexpected:
            problems.append(f"unexpected key(s): {', '.join(unexpected)}")
        for key, target in targets.items():
            if key in state_dict:
                value, problem = _loadable(key, state_dict[key], target)
                problems.extend([problem] if problem else [])
                ready.append((target, value))
        if problems:
            raise ShapeError(
                f"cannot load state_dict into {type(self).__name__}, nothing was changed:\n  "
                + "\n  ".join(problems)
                + "\n(the keys must be exactly those of this module's state_dict(), "
                "with the same shapes)"
            )
        with no_grad():  # an in-place copy, as an optimiser step: same arrays, new versions
            for target, value in ready:
                target.copy_(value)
        return LoadResult(missing, unexpected)

    # ---- printing -------------------------------------------------------------------

    def extra_repr(self):
        return ""

    def __repr__(self):
        lines = [
            f"({name}): " + repr(child).replace("\n", "\n  ")
            for name, child in self._modules.items()
        ]
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        return (
            f"{type(self).__name__}(\n  " + "\n  ".join(([extra] if extra else []) + lines) + "\n)"
        )


def _optional(key):
    """Keys a state dict may leave out, as in PyTorch (older checkpoints lack them)."""
    return key == "num_batches_tracked" or key.endswith(".num_batches_tracked")


def _loadable(key, value, target):
    """(value as an array of target's dtype, None), or (None, what is wrong with it)."""
    try:
        value = np.asarray(value.data if isinstance(value, Tensor) else value)
    except (TypeError, ValueError) as error:
        return None, f"{key} is not an array of numbers ({error})"
    if value.dtype.kind not in "biuf":
        return None, f"{key} holds {value.dtype} values, not numbers"
    if value.shape != target.shape:
        return None, f"wrong shape for {key}: got {value.shape}, this module has {target.shape}"
    if not target.data.flags.writeable:
        return None, f"{key} shares a read-only array (from_numpy) and cannot be loaded into"
    return value.astype(target.dtype), None


# ---- layers ------------------------------------------------------------------------------


class Linear(Module):
    """y = x W^T + b, W of shape (out_features, in_features) as in PyTorch.

    Initialised as PyTorch does: W and b uniform in [-1/sqrt(in), 1/sqrt(in)].
    """

    def __init__(self, in_features, out_features, bias=True, dtype=np.float64, rng=None):
        super().__init__()
        _check_positive_int(in_features, "in_features", "Linear")
        _check_positive_int(out_features, "out_features", "Linear")
        self.in_features, self.out_features = in_features, out_features
        rng = rng or _Random.rng
        bound = 1 / math.sqrt(in_features)
        self.weight = _parameter(
            rng.uniform(-bound, bound, (out_features, in_features)).astype(dtype), "weight"
        )
        self.bias = (
            _parameter(rng.uniform(-bound, bound, out_features).astype(dtype), "bias")
            if bias
            else None
        )

    def forward(self, x):
        x = F._as_tensor(x)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"{self!r} expects input whose last dimension is {self.in_features}, "
                f"got shape {x.shape}; "
                "flatten the input (nn.Flatten) or change in_features"
            )
        flat = x if x.ndim == 2 else x.reshape(-1, self.in_features)
        out = flat @ self.weight.T
        if self.bias is not None:
            out = out + self.bias
        return out if x.ndim == 2 else out.reshape(*x.shape[:-1], self.out_features)

    def extra_repr(self):
        sizes = f"in_features={self.in_features}, out_features={self.out_features}"
        return f"{sizes}, bias={self.bias is not None}"


class Embedding(Module):
    """A lookup table: row i of `weight` (num_embeddings, embedding_dim) for index i.

    Initialised N(0, 1), as PyTorch."""

    def __init__(self, num_embeddings, embedding_dim, dtype=np.float64, rng=None):
        super().__init__()
        _check_positive_int(num_embeddings, "num_embeddings", "Embedding")
        _check_positive_int(embedding_dim, "embedding_dim", "Embedding")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = _parameter(
            (rng or _Random.rng).standard_normal((num_embeddings, embedding_dim)).astype(dtype),
            "weight",
        )

    def forward(self, indices):
        idx = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
        if idx.dtype.kind not in "iu" or (
            idx.size and (idx.min() < 0 or idx.max() >= self.num_embeddings)
        ):
            raise ValueError(
                f"{self!r} needs integer indices in [0, {self.num_embeddings}), "
                f"got {idx.dtype} values {idx.ravel()[:8]}..."
            )
        return self.weight[idx]

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}"


class Tanh(Module):
    def forward(self, x):
        return x.tanh()


class ReLU(Module):
    def forward(self, x):
        return x.relu()


class Flatten(Module):
    """Merge dims start_dim..end_dim into one: (N, 3, 10) -> (N, 30)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Sequential(Module):
    """Modules applied one after another; children are named "0", "1", ..."""

    def __init__(self, *modules):
        super().__init__()
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential takes Modules, got {type(module).__name__} at position {i}"
                )
            setattr(self, str(i), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, index):
        layers = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*layers[index])
        return layers[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class LayerNorm(Module):
    """Normalise each example over its last dims (`normalized_shape`); weight ones, bias zeros."""

    def __init__(
        self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype=np.float64
    ):
        super().__init__()
        self.normalized_shape = (
            (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        )
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.weight = (
            _parameter(np.ones(self.normalized_shape, dtype), "weight")
            if elementwise_affine
            else None
        )
        self.bias = (
            _parameter(np.zeros(self.normalized_shape, dtype), "bias")
            if elementwise_affine and bias
            else None
        )

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class _BatchNorm(Module):
    """BatchNorm over the batch with PyTorch's semantics: the code of BatchNorm1d and 2d.

    weight (gamma) and bias (beta) scale and shift each feature. In training
    mode the batch mean and biased variance normalise; the running statistics
    then move towards the batch's, with the *unbiased* variance:

        running = (1 - momentum) running + momentum batch     (PyTorch's convention)

    `momentum=None` makes them a plain average of all batches seen
    (momentum = 1/num_batches_tracked). In eval mode the running statistics
    normalise and nothing is updated. `track_running_stats=False` keeps no
    running statistics and always uses the batch's. `fused` picks the one-node
    op with the hand-derived backward, or the graph composed from primitives.
    `bias=False` (PyTorch 2's keyword) keeps the scale gamma but no shift beta.
    An empty batch gives an empty output and leaves the running statistics alone.
    """

    def __init__(
        self,
        num_features,
        eps=1e-5,
        momentum=0.1,
        affine=True,
        track_running_stats=True,
        fused=True,
        dtype=np.float64,
        *,
        bias=True,
    ):
        super().__init__()
        layer = type(self).__name__
        _check_positive_int(num_features, "num_features", layer)
        if momentum is not None and not (
            isinstance(momentum, (int, float)) and 0.0 <= momentum <= 1.0
        ):
            raise ValueError(
                f"{layer}: momentum must be a number in [0, 1] or None, got {momentum!r}; "
                "it is the weight of each new batch in the running statistics "
                "(PyTorch's convention, default 0.1)"
            )
        F.check_eps(eps, layer)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats, self.fused = affine, track_running_stats, fused
        self.weight = _parameter(np.ones(num_features, dtype), "weight") if affine else None
        self.bias = _parameter(np.zeros(num_features, dtype), "bias") if affine and bias else None
        if track_running_stats:
            self.register_buffer(
                "running_mean", Tensor(np.zeros(num_features, dtype), label="running_mean")
            )
            self.register_buffer(
                "running_var", Tensor(np.ones(num_features, dtype), label="running_var")
            )
            self.register_buffer(
                "num_batches_tracked",
                Tensor(np.array(0, dtype=np.int64), label="num_batches_tracked"),
            )
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    # the lessons' names for weight and bias
    gamma = property(lambda self: self.weight, lambda self, value: setattr(self, "weight", value))
    beta = property(lambda self: self.bias, lambda self, value: setattr(self, "bias", value))

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batches tracked: as if never trained."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1.0)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        """reset_running_stats(), and gamma back to 1 and beta to 0."""
        self.reset_running_stats()
        with no_grad():
            if self.weight is not None:
                self.weight.fill_(1.0)
            if self.bias is not None:
                self.bias.zero_()

    def forward(self, x):
        """Training: normalise with the batch's statistics, then fold them into the running
        ones. Evaluation: normalise with the running statistics (the batch's, if none kept)."""
        x = F._as_tensor(x)
        batch_statistics = self.training or self.running_mean is None
        kind = type(self).__name__
        who = f"{kind}({self.num_features})"
        F.check_input(x, self.weight, self.bias, who, batch_statistics, self.num_features, kind)
        if not batch_statistics:  # evaluation: normalise with the running statistics
            mean, var = self.running_mean.data, self.running_var.data
            return F._eval(x, mean, var, self.weight, self.bias, self.eps, self.fused)
        batchnorm = F._fused if self.fused else F._composed
        out, mean, var = batchnorm(x, self.weight, self.bias, self.eps, 0)  # biased variance
        if self.training and self.track_running_stats:
            with no_grad():
                self.num_batches_tracked.add_(1)  # counted even for an empty batch, as PyTorch
            momentum = self.momentum
            if momentum is None:  # a cumulative average: batch k gets weight 1/k
                momentum = 1.0 / self.num_batches_tracked.item()
            F.update_running(self.running_mean, self.running_var, mean, var, x, momentum)
        return out

    def extra_repr(self):
        text = (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"
        )
        return (
            text
            + ("" if not self.affine or self.bias is not None else ", bias=False")
            + f", track_running_stats={self.track_running_stats}"
            + ("" if self.fused else ", fused=False")
        )


class BatchNorm1d(_BatchNorm):
    """BatchNorm for (N, C) or (N, C, L) input: statistics per feature over N (and L)."""


class BatchNorm2d(_BatchNorm):
    """BatchNorm for (N, C, H, W) images: statistics per channel over N, H and W.

    A convolution applies the same filter at every position, so each output channel
    is one feature seen N H W times; otherwise it is BatchNorm1d, line for line.
    """


class Dropout(Module):
    """In training, zero each element with probability p and scale the rest by 1/(1 - p),
    so the expected output is x; in evaluation, the identity. The masks come from `rng`
    (default: the generator `manual_seed` resets), so a seeded run repeats exactly."""

    def __init__(self, p=0.5, rng=None):
        super().__init__()
        if not (isinstance(p, (int, float)) and 0.0 <= p <= 1.0):
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p!r}")
        self.p, self.rng = p, rng

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self.rng or _Random.rng)

    def extra_repr(self):
        return f"p={self.p}"


class CrossEntropyLoss(Module):
    """loss(logits (N, C), targets (N,) integer classes): the mean (or sum) of
    -log softmax(logits)[i, targets[i]], as `torch.nn.CrossEntropyLoss`."""

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = F.check_reduction(reduction, ("mean", "sum"), "CrossEntropyLoss")

    def forward(self, logits, targets):
        loss = F.cross_entropy(F._as_tensor(logits), targets)
        return loss if self.reduction == "mean" else loss * logits.shape[0]

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


class MSELoss(Module):
    """loss(input, target): the mean (or sum, or none) of (input - target)^2, elementwise."""

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = F.check_reduction(reduction, ("mean", "sum", "none"), "MSELoss")

    def forward(self, input, target):
        return F.mse_loss(input, target, self.reduction)

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


# ---- images (N, C, H, W) ---------------------------------------------------------------------


class Conv2d(Module):
    """Slide out_channels filters of shape (in_channels, kh, kw) over the image (F.conv2d).

    weight (out_channels, in_channels, kh, kw) and bias (out_channels,), as in PyTorch, and
    initialised as PyTorch does: uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)], fan_in = C kh kw.
    """

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        bias=True,
        dtype=np.float64,
        rng=None,
    ):
        super().__init__()
        _check_positive_int(in_channels, "in_channels", "Conv2d")
        _check_positive_int(out_channels, "out_channels", "Conv2d")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2d", 1)
        self.stride = _pair(stride, "stride", "Conv2d", 1)
        self.padding = _pair(padding, "padding", "Conv2d", 0)
        rng = rng or _Random.rng
        bound = 1 / math.sqrt(in_channels * self.kernel_size[0] * self.kernel_size[1])
        shape = (out_channels, in_channels, *self.kernel_size)
        self.weight = _parameter(rng.uniform(-bound, bound, shape).astype(dtype), "weight")
        self.bias = (
            _parameter(rng.uniform(-bound, bound, out_channels).astype(dtype), "bias")
            if bias
            else None
        )

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self):
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}"
        )


class MaxPool2d(Module):
    """The maximum of each kernel_size window (F.max_pool2d); stride defaults to the kernel."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        layer = type(self).__name__
        _pair(kernel_size, "kernel_size", layer, 1)  # checked now: a bad size fails here
        _pair(padding, "padding", layer, 0)
        if stride is not None:
            _pair(stride, "stride", layer, 1)
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = kernel_size if stride is None else stride

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(MaxPool2d):
    """The mean of each kernel_size window (F.avg_pool2d); stride defaults to the kernel."""

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)


class GroupNorm(Module):
    """Normalise each example over groups of num_channels / num_groups channels (F.group_norm).

    weight (ones) and bias (zeros) of shape (num_channels,) scale and shift each channel. It uses
    no batch statistics: the same in training and evaluation, for any batch size.
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, dtype=np.float64):
        super().__init__()
        _check_positive_int(num_groups, "num_groups", "GroupNorm")
        _check_positive_int(num_channels, "num_channels", "GroupNorm")
        if num_channels % num_groups:
            raise ValueError(
                f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                f"({num_groups})"
            )
        self.num_groups, self.num_channels, self.eps, self.affine = (
            num_groups,
            num_channels,
            eps,
            affine,
        )
        self.weight = _parameter(np.ones(num_channels, dtype), "weight") if affine else None
        self.bias = _parameter(np.zeros(num_channels, dtype), "bias") if affine else None

    def forward(self, x):
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


def _check_positive_int(value, name, layer):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{layer}: {name} must be a positive integer, got {value!r}")
