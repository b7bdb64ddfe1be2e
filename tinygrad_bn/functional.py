"""Batch Normalization two ways, and the functional API the `nn` layers call.

BatchNorm (Ioffe & Szegedy, 2015) normalises each feature over the batch:

    mean  = (1/n) sum_i x_i              n = N for (N, C), N*L for (N, C, L), N*H*W for images
    var   = (1/d) sum_i (x_i - mean)^2   d = n (biased: the paper, PyTorch) or n-1 (unbiased)
    x_hat = (x - mean) / sqrt(var + eps)
    out   = gamma * x_hat + beta

`batchnorm_composed` builds it from Tensor primitives, so autograd walks every
step; `batchnorm_fused` is one graph node whose backward was derived by hand;
`batchnorm_values` is the same computation on scalar `Value`s, small enough
to draw every multiplication. All three agree with each other (the tests hold
them to 1e-12) and with PyTorch.

`batch_norm` and `layer_norm` follow `torch.nn.functional`: `batch_norm`
normalises with the batch statistics in training mode (and folds them into the
running statistics) and with the running statistics in evaluation mode.
"""

import numbers

import numpy as np

from .convolution import conv2d, pad
from .errors import DTypeError, ShapeError
from .graph import group, no_grad
from .group_norm import group_norm
from .pooling import avg_pool2d, max_pool2d
from .tensor import Tensor, cross_entropy

__all__ = [
    "batchnorm_composed",
    "batchnorm_fused",
    "batchnorm_values",
    "batch_norm",
    "layer_norm",
    "group_norm",
    "cross_entropy",
    "relu",
    "leaky_relu",
    "tanh",
    "sigmoid",
    "softmax",
    "log_softmax",
    "mse_loss",
    "dropout",
    "conv2d",
    "pad",
    "max_pool2d",
    "avg_pool2d",
]


# ---- shared checks ---------------------------------------------------------------


REALS = (int, float, numbers.Real)  # int and float first: checked at once, the ABC slowly

RANKS = {  # the input ranks each layer takes, and what to say when it gets another
    "BatchNorm1d": ((2, 3), "(N, C) or (N, C, L): add a batch dimension with x.reshape(1, -1)"),
    "BatchNorm2d": ((4,), "(N, C, H, W) images: add a batch dimension with x.reshape(1, *x.shape)"),
    "batch_norm": ((2, 3, 4), "(N, C), (N, C, L) or (N, C, H, W)"),
}


def check_input(x, gamma, beta, who, batch_statistics=True, n_features=None, kind="batch_norm"):
    """Every check of a BatchNorm input, made once before anything is computed or changed:
    the rank (`kind` says which ranks: see RANKS), the number of features, gamma's and
    beta's shapes, and (for batch statistics) more than one value per feature."""
    ranks, shapes = RANKS[kind]
    if x.ndim not in ranks:
        expected = " or ".join(f"{r}D" for r in ranks)
        raise ShapeError(
            f"{who}: expected {expected} input (got {x.ndim}D input of shape {x.shape}); "
            f"{kind} normalises {shapes}"
        )
    if n_features is not None:
        _check_features(x, n_features, who, who)
    for name, p in (("gamma (weight)", gamma), ("beta (bias)", beta)):
        if p is not None and p.shape != (x.shape[1],):
            raise ShapeError(
                f"{who}: {name} has shape {p.shape} but the input has {x.shape[1]} features; "
                f"it must have shape ({x.shape[1]},)"
            )
    if batch_statistics and _statistics_layout(x)[2] == 1:
        raise ValueError(
            "Expected more than 1 value per channel when training, "
            f"got input size {tuple(x.shape)} ({who}: the variance of one number is undefined; "
            "use a batch of at least 2, or eval mode)"
        )


def _check_features(x, n_features, what, who):
    if x.shape[1] != n_features:
        raise ShapeError(
            f"{who}: input of shape {x.shape} has {x.shape[1]} features (dim 1) "
            f"but {what} has {n_features}; "
            f"the input must be (N, {n_features}, ...)"
        )


def _statistics_layout(x):
    """For (N, C, *) input: the axes the statistics average over (all but the channels),
    the shape they keep ((1, C), (1, C, 1) or (1, C, 1, 1), to broadcast against x) and n,
    the values per feature: N, N*L or N*H*W."""
    axes = (0,) + tuple(range(2, x.ndim))
    n = 1
    for axis in axes:
        n *= x.shape[axis]
    return axes, (1, -1) + (1,) * (x.ndim - 2), n


def _as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def _as_parameter(p):
    """gamma or beta as a Tensor: a numpy array (or list) becomes a constant, with no gradient."""
    return p if p is None or isinstance(p, Tensor) else Tensor(p)


def check_eps(eps, who, allow_zero=False):
    """eps must be a positive number: it keeps 1/sqrt(var + eps) finite for a constant feature.
    (The teaching functions allow eps=0, for the exact formula.)"""
    if not (isinstance(eps, REALS) and (eps > 0 or (allow_zero and eps == 0))):
        least = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"{who}: eps must be a number {least}, got {eps!r}; it keeps 1/sqrt(var + eps) "
            "finite when a feature is constant in the batch (PyTorch's default is 1e-5)"
        )


def _correction(unbiased):
    """Bessel's correction: divide by n - 1 instead of n when `unbiased`."""
    return 1 if unbiased else 0


# ---- 1. composed from primitives ----------------------------------------------------


def batchnorm_composed(x, gamma, beta, eps=1e-5, unbiased=False):
    """Training-mode BatchNorm built from Tensor ops, so the graph holds every step.

    `gamma` and `beta` are (C,) Tensors, or None for no scale / no shift.
    `unbiased=False` divides the squared deviations by n (the paper, PyTorch);
    `unbiased=True` by n - 1 (Bessel's correction, as in the makemore notebooks),
    which makes x_hat smaller by sqrt((n-1)/n).
    """
    x, gamma, beta = _as_tensor(x), _as_parameter(gamma), _as_parameter(beta)
    check_eps(eps, "batchnorm_composed", allow_zero=True)
    check_input(x, gamma, beta, "batchnorm_composed")
    return _composed(x, gamma, beta, eps, _correction(unbiased))[0]


def _composed(x, gamma, beta, eps, correction):
    """The composed graph (x checked); also returns the batch mean and variance arrays."""
    axes, _, n = _statistics_layout(x)
    if n == 0:  # an empty batch: nothing to normalise, no statistics
        return _empty_batch(x, gamma, beta), None, None
    with group("BatchNorm (composed)"):
        mean = _named(x.mean(dim=axes, keepdim=True), "mean")
        centred = _named(x - mean, "centred")
        squared = _named(centred**2, "squared")
        if correction:
            var = _named(squared.sum(dim=axes, keepdim=True) / (n - correction), "var")
        else:
            var = _named(squared.mean(dim=axes, keepdim=True), "var")
        var_eps = _named(var + eps, "var+eps")
        inv_std = _named(var_eps**-0.5, "inv_std")
        x_hat = _named(centred * inv_std, "x_hat")
        out = _scale_and_shift(x_hat, gamma, beta)
    return out, mean.data, var.data


def _scale_and_shift(x_hat, gamma, beta):
    """gamma * x_hat + beta, gamma and beta shaped (C, 1) for (N, C, L), (C, 1, 1) for images."""
    if gamma is None and beta is None:
        return x_hat
    per_channel = (-1,) + (1,) * (x_hat.ndim - 2)  # (C,) broadcasts against (N, C) as it is
    out = x_hat
    if gamma is not None:
        out = _named(out * (gamma if x_hat.ndim == 2 else gamma.reshape(per_channel)), "scaled")
    if beta is not None:
        out = out + (beta if x_hat.ndim == 2 else beta.reshape(per_channel))
    return _named(out, "out")


def _named(t, label):
    t.label = label
    return t


# ---- 2. fused: one node, backward derived by hand -----------------------------------


def batchnorm_fused(x, gamma, beta, eps=1e-5, unbiased=False):
    """Training-mode BatchNorm as one graph node with a hand-written backward.

    Its backward needs x_hat, inv_std = 1/sqrt(var + eps) and gamma: that is
    what it saves (`out._saved`). With d = n (biased) or n - 1 (unbiased) and
    c = x - mean, the chain rule through out = gamma x_hat + beta and
    x_hat = c inv_std gives, per feature:

        dbeta  = sum_i dy_i
        dgamma = sum_i dy_i x_hat_i
        dx_hat = gamma dy
        dvar   = sum_i dx_hat_i c_i (-1/2) inv_std^3,   and d var / d c_i = 2 c_i / d, so
        dc_i   = inv_std dx_hat_i + dvar 2 c_i / d
               = inv_std (dx_hat_i - x_hat_i sum_j(dx_hat_j x_hat_j) / d)
        dx_i   = dc_i - mean_j dc_j         (c = x - mean: the adjoint of centring is centring)

    Since sum_j x_hat_j = 0, the last line is, for d = n,

        dx = gamma inv_std / n * (n dy - sum(dy) - x_hat sum(dy x_hat))

    and for d = n - 1 the last term gets the factor n / (n - 1).

    The backward below is these lines, term for term.
    """
    x, gamma, beta = _as_tensor(x), _as_parameter(gamma), _as_parameter(beta)
    check_eps(eps, "batchnorm_fused", allow_zero=True)
    check_input(x, gamma, beta, "batchnorm_fused")
    return _fused(x, gamma, beta, eps, _correction(unbiased))[0]


def _fused(x, gamma, beta, eps, correction):
    """The fused node (x checked); also returns the batch mean and variance arrays."""
    axes, stat_shape, n = _statistics_layout(x)
    if n == 0:  # an empty batch: nothing to normalise, no statistics
        return _empty_batch(x, gamma, beta), None, None
    d = n - correction
    mean = x.data.sum(axis=axes, keepdims=True) / n
    x_hat = x.data - mean  # first centre, then square: never E[x^2] - E[x]^2, which cancels
    var = (x_hat * x_hat).sum(axis=axes, keepdims=True) / d
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat *= inv_std  # x_hat = (x - mean) inv_std
    out = x_hat * (1.0 if gamma is None else gamma.data.reshape(stat_shape))
    if beta is not None:
        out += beta.data.reshape(stat_shape)  # out = gamma x_hat + beta
    inputs = tuple(t for t in (x, gamma, beta) if t is not None)
    wanted = _names_of(x, gamma, beta)

    def backward(dy, x_hat, inv_std, gamma):
        dbeta = dy.sum(axis=axes, keepdims=True)  # dbeta = sum dy
        dgamma = (dy * x_hat).sum(axis=axes, keepdims=True)  # dgamma = sum dy x_hat
        bessel = n / d  # n / (n - 1) for the unbiased variance, 1 for the biased
        # x_hat sums to 0 in exact arithmetic, but on data like 1e4 + noise rounding leaves ~1e-9,
        # which would move dx by ~1e-11: x_hat - mean(x_hat) keeps the 1e-12 agreement
        x_hat_mean = x_hat.sum(axis=axes, keepdims=True) / n
        # dx = gamma inv_std / n (n dy - dbeta - bessel (x_hat - x_hat_mean) dgamma), by terms:
        dx = n * dy
        dx -= dbeta - bessel * x_hat_mean * dgamma
        dx -= x_hat * (bessel * dgamma)
        dx *= (1.0 if gamma is None else gamma.data.reshape(stat_shape)) * inv_std / n
        grads = {"x": dx, "gamma": dgamma.reshape(-1), "beta": dbeta.reshape(-1)}
        return tuple(grads[name] for name in wanted)  # one per input, in the order of inputs

    saved = {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma}
    result = Tensor._make(out, inputs, "batchnorm", backward, saved, fused=True)
    result.label = "out"
    return result, mean, var


def _empty_batch(x, gamma, beta):
    """BatchNorm of an empty batch, as PyTorch: an empty output, and gradients of 0
    for gamma and beta (a sum over no examples)."""
    inputs = tuple(t for t in (x, gamma, beta) if t is not None)
    shapes = [t.shape for t in inputs]

    def backward(dy):  # every gradient is a sum over the (no) examples: 0
        return tuple(np.zeros(shape, dy.dtype) for shape in shapes)

    result = Tensor._make(np.empty_like(x.data), inputs, "batchnorm", backward, fused=True)
    result.label = "out"
    return result


def _names_of(x, gamma, beta):
    """The names of the inputs that are given (gamma and beta may be None)."""
    return tuple(name for name, t in (("x", x), ("gamma", gamma), ("beta", beta)) if t is not None)


# ---- 3. the scalar version --------------------------------------------------------------


def batchnorm_values(x, gamma, beta, eps=1e-5, unbiased=False):
    """BatchNorm over a small batch of scalar `Value`s: x is N rows of C Values,
    gamma and beta are C Values each; returns N rows of C Values.

    Every scalar step is a node, so a picture of 4 examples x 2 features shows
    all of it: the sums behind each mean and variance, 1/sqrt, and the scaling.
    """
    rows = [list(r) for r in x]
    if len(rows) < 2:
        raise ValueError(
            "Expected more than 1 value per channel when training, "
            f"got {len(rows)} row(s); batchnorm_values needs N >= 2 rows"
        )
    n_features = len(rows[0])
    if (
        any(len(r) != n_features for r in rows)
        or len(gamma) != n_features
        or len(beta) != n_features
    ):
        raise ValueError(
            f"batchnorm_values: every row, gamma and beta must have the same number of features; "
            f"got rows of lengths {sorted({len(r) for r in rows})}, "
            f"{len(gamma)} gammas and {len(beta)} betas"
        )
    n = len(rows)
    d = n - _correction(unbiased)
    out = [[None] * n_features for _ in rows]
    with group("BatchNorm (composed)"):
        for j in range(n_features):
            column = [r[j] for r in rows]
            mean = _named(_total(column) / n, f"mean[{j}]")
            centred = [_named(v - mean, f"centred[{i},{j}]") for i, v in enumerate(column)]
            var = _named(
                _total([_named(c**2, f"squared[{i},{j}]") for i, c in enumerate(centred)]) / d,
                f"var[{j}]",
            )
            inv_std = _named((_named(var + eps, f"var+eps[{j}]")) ** -0.5, f"inv_std[{j}]")
            for i, c in enumerate(centred):
                x_hat = _named(c * inv_std, f"x_hat[{i},{j}]")
                out[i][j] = _named(
                    _named(gamma[j] * x_hat, f"scaled[{i},{j}]") + beta[j], f"out[{i},{j}]"
                )
    return out


def _total(values):
    """v0 + v1 + ... as a chain of Value additions (no constant 0 node)."""
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


# ---- 4. the functional API (torch.nn.functional semantics) -----------------------------------


def batch_norm(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-5,
    fused=True,
):
    """BatchNorm with PyTorch's semantics.

    Training (`training=True`): normalise with the batch mean and the *biased*
    batch variance; if running statistics are given, update them in place:

        running_mean = (1 - momentum) running_mean + momentum mean
        running_var  = (1 - momentum) running_var  + momentum var * n / (n - 1)   (unbiased)

    Evaluation: normalise with the running statistics and leave them alone.
    `running_mean` and `running_var` are (C,) numpy arrays or Tensors (or both
    None, for batch statistics only). `momentum=None` (a cumulative average)
    needs the number of batches seen: pass momentum = 1 / num_batches_tracked,
    as `nn.BatchNorm1d` does. `fused` picks the one-node op or the composed graph.
    """
    x, weight, bias = _as_tensor(input), _as_parameter(weight), _as_parameter(bias)
    if momentum is None:
        raise ValueError(
            "batch_norm: momentum=None means a cumulative average, which needs the number of "
            "batches seen; pass momentum=1/num_batches_tracked (nn.BatchNorm1d does this for you)"
        )
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(
            f"batch_norm: momentum must be in [0, 1], got {momentum}; "
            "it is the weight of the new batch in the running average"
        )
    check_eps(eps, "batch_norm")
    if (running_mean is None) != (running_var is None):
        raise ValueError("batch_norm: give both running_mean and running_var, or neither")
    if not training and running_mean is None:
        raise ValueError(
            "batch_norm: evaluation mode (training=False) needs running_mean and running_var; "
            "pass training=True to use batch statistics"
        )
    check_input(x, weight, bias, "batch_norm", batch_statistics=training)
    if running_mean is not None:  # all checked here, before either is changed
        _check_running(running_mean, "running_mean", x, training)
        _check_running(running_var, "running_var", x, training)
    if not training:
        return _eval(x, _array(running_mean), _array(running_var), weight, bias, eps, fused)
    out, mean, var = (_fused if fused else _composed)(x, weight, bias, eps, 0)
    if running_mean is not None:
        update_running(running_mean, running_var, mean, var, x, momentum)
    return out


def _check_running(running, name, x, training):
    """A running statistic must be a float array or Tensor of shape (C,), writable to train."""
    if not isinstance(running, (Tensor, np.ndarray)):
        raise TypeError(
            f"batch_norm: {name} must be a numpy array or a Tensor, got "
            f"{type(running).__name__}; e.g. np.zeros({x.shape[1]})"
        )
    array = _array(running)
    if array.shape != (x.shape[1],):
        raise ShapeError(
            f"batch_norm: {name} has shape {array.shape} but the input has {x.shape[1]} "
            f"features; it must have shape ({x.shape[1]},)"
        )
    if array.dtype.kind != "f":
        raise DTypeError(
            f"batch_norm: {name} has dtype {array.dtype}; running statistics must be floats "
            f"(an int array would truncate the update), e.g. {name}.astype(np.float64)"
        )
    if training and not array.flags.writeable:
        raise ValueError(
            f"batch_norm: {name} is read-only, so training cannot update it; pass a "
            "writable copy (np.array(a)), or training=False"
        )


def update_running(running_mean, running_var, mean, var, x, momentum):
    """Fold a batch's statistics into the running ones, in place (Tensors or arrays):

        running = (1 - momentum) running + momentum batch    (the batch variance unbiased)

    as PyTorch. An empty batch (mean None) leaves them alone, as PyTorch."""
    if mean is None:
        return
    n = _statistics_layout(x)[2]
    unbiased_var = var.reshape(-1) * n / (n - 1)  # PyTorch keeps the unbiased variance
    for running, batch in ((running_mean, mean.reshape(-1)), (running_var, unbiased_var)):
        new = (1 - momentum) * _array(running) + momentum * batch
        if isinstance(running, Tensor):
            with no_grad():
                running.copy_(new)  # in place, bumping its version
        else:
            running[...] = new


def _array(t):
    """The ndarray behind a Tensor or array (shared, so in-place updates reach the caller)."""
    return t.data if isinstance(t, Tensor) else t


def _eval(x, running_mean, running_var, gamma, beta, eps, fused):
    """Normalise with fixed statistics: an affine map of x, for any batch size (even 1)."""
    stat_shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if not fused:
        with group("BatchNorm (composed)"):
            mean = Tensor(running_mean.reshape(stat_shape), label="running_mean")
            var = Tensor(running_var.reshape(stat_shape), label="running_var")
            centred = _named(x - mean, "centred")
            inv_std = _named(_named(var + eps, "var+eps") ** -0.5, "inv_std")
            return _scale_and_shift(_named(centred * inv_std, "x_hat"), gamma, beta)
    inv_std = 1.0 / np.sqrt(running_var.reshape(stat_shape) + eps)
    x_hat = (x.data - running_mean.reshape(stat_shape)) * inv_std
    scale = 1.0 if gamma is None else gamma.data.reshape(stat_shape)
    shift = 0.0 if beta is None else beta.data.reshape(stat_shape)
    out = x_hat * scale + shift
    axes = _statistics_layout(x)[0]
    wanted = _names_of(x, gamma, beta)

    def backward(dy, x_hat, inv_std, gamma):  # mean and inv_std are constants here, so:
        g_scale = 1.0 if gamma is None else gamma.data.reshape(stat_shape)
        grads = {
            "x": dy * g_scale * inv_std,  # dx = gamma inv_std dy
            "gamma": (dy * x_hat).sum(axis=axes),  # dgamma = sum dy x_hat
            "beta": dy.sum(axis=axes),  # dbeta = sum dy
        }
        return tuple(grads[name] for name in wanted)

    inputs = tuple(t for t in (x, gamma, beta) if t is not None)
    saved = {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma}
    result = Tensor._make(out, inputs, "batchnorm_eval", backward, saved, fused=True)
    result.label = "out"
    return result


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise each example over its last dimensions (`normalized_shape`), as
    `torch.nn.functional.layer_norm`: (x - mean) / sqrt(var + eps) * weight + bias,
    with the biased variance. The same in training and evaluation: no running statistics.
    """
    x = _as_tensor(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if x.shape[x.ndim - len(shape) :] != shape or len(shape) > x.ndim or not shape:
        raise ValueError(
            f"layer_norm: normalized_shape {shape} must be the last dimensions of the input, "
            f"got input of shape {x.shape}; "
            f"e.g. for input (N, D) use normalized_shape=(D,)"
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and p.shape != shape:
            raise ValueError(
                f"layer_norm: {name} has shape {p.shape} but normalized_shape is {shape}; "
                "they must be equal"
            )
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    with group("LayerNorm"):
        mean = _named(x.mean(dim=axes, keepdim=True), "mean")
        centred = _named(x - mean, "centred")
        var = _named((centred * centred).mean(dim=axes, keepdim=True), "var")
        inv_std = _named(_named(var + eps, "var+eps") ** -0.5, "inv_std")
        out = _named(centred * inv_std, "x_hat")
        if weight is not None:
            out = _named(out * weight, "scaled")
        if bias is not None:
            out = out + bias
    return _named(out, "out")


# ---- 5. activations, as torch.nn.functional spells them ------------------------------------------


def relu(input):
    """max(x, 0), elementwise (the same as `input.relu()`)."""
    return _as_tensor(input).relu()


def leaky_relu(input, negative_slope=0.01):
    """x where x > 0, else negative_slope * x (the same as `input.leaky_relu(...)`)."""
    return _as_tensor(input).leaky_relu(negative_slope)


def tanh(input):
    return _as_tensor(input).tanh()


def sigmoid(input):
    return _as_tensor(input).sigmoid()


def softmax(input, dim):
    """e^x / sum(e^x) along `dim` (PyTorch asks for the dim: there is no safe default)."""
    return _as_tensor(input).softmax(dim)


def log_softmax(input, dim):
    """x - log(sum(e^x)) along `dim`."""
    return _as_tensor(input).log_softmax(dim)


# ---- 6. losses and dropout -------------------------------------------------------------------


def check_reduction(reduction, allowed, who):
    if reduction not in allowed:
        raise ValueError(f"{who}: reduction must be one of {allowed}, got {reduction!r}")
    return reduction


def mse_loss(input, target, reduction="mean"):
    """(input - target)^2, averaged (or summed, or kept) over every element, as PyTorch."""
    check_reduction(reduction, ("mean", "sum", "none"), "mse_loss")
    x, y = _as_tensor(input), _as_tensor(target)
    if x.shape != y.shape:
        raise ShapeError(
            f"mse_loss: input has shape {x.shape} but target has shape {y.shape}; they must "
            "be equal (broadcasting them would silently average the wrong pairs)"
        )
    squared = (x - y) ** 2
    return {"mean": squared.mean, "sum": squared.sum, "none": lambda: squared}[reduction]()


def dropout(input, p=0.5, training=True, rng=None):
    """In training, zero each element with probability p and scale the rest by 1/(1 - p):
    out = x mask / (1 - p), so d(out)/dx = mask / (1 - p). Otherwise the identity.
    `rng` (a numpy Generator) draws the mask: seed it for a repeatable run."""
    x = _as_tensor(input)
    if not (isinstance(p, REALS) and 0.0 <= p <= 1.0):
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p!r}")
    if not training or p == 0:
        return x
    keep = (rng or np.random.default_rng()).random(x.shape) >= p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)  # p = 1 drops everything, as PyTorch
    return x * Tensor(keep * scale, dtype=x.dtype)
