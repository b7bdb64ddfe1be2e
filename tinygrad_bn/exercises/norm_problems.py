"""Exercises 9 to 11: LayerNorm's backward, eval-mode BatchNorm and its running statistics,
and the Jacobian of one BatchNorm feature.
"""

import numpy as np

from .mistakes import inv_sqrt_exponent
from .part import Part
from .steps import EPS, Steps, backprop
from .values import ValuesPart

# The staged BatchNorm and LayerNorm nodes, each after every node that uses it: the order
# in which backprop reaches them (exercises 5 and 9 check the learner's steps in it).
STAGED_ORDER = (
    "scaled",
    "beta",
    "gamma",
    "x_hat",
    "inv_std",
    "var",
    "squared",
    "centred",
    "mean",
    "x",
)

# ---- exercise 9: LayerNorm ------------------------------------------------------------


def layernorm_graph(s):
    """LayerNorm over the features (axis 1) of each example, with the biased variance."""
    d = s.x.shape[1]
    s.mean = s.x.sum(1, keepdim=True) / d
    s.centred = s.x - s.mean
    s.squared = s.centred**2
    s.var = s.squared.sum(1, keepdim=True) / d
    s.inv_std = (s.var + EPS) ** -0.5
    s.x_hat = s.centred * s.inv_std
    s.scaled = s.gamma * s.x_hat
    s.out = s.scaled + s.beta


def _layernorm_one_line(ctx, gamma=True, axis=1):
    """dx = inv_std/d (d dx_hat - sum_j dx_hat - x_hat sum_j dx_hat x_hat), dx_hat = gamma dout."""
    x_hat, inv_std = ctx.value("x_hat"), ctx.value("inv_std")
    dx_hat = (ctx.value("gamma") if gamma else 1.0) * np.asarray(ctx.part.upstream)
    d = x_hat.shape[1]
    total, moment = dx_hat.sum(axis, keepdims=True), (dx_hat * x_hat).sum(axis, keepdims=True)
    return inv_std / d * (d * dx_hat - total - x_hat * moment)


def _layernorm_mistakes(ctx):
    batch_axis = (
        "normalised over the batch: LayerNorm's mean and variance run over the features of "
        "one example (axis 1), so the sums in dx run over axis 1, not axis 0"
    )
    no_gamma = "dx lacks the factor gamma: dx_hat = gamma * dout comes first"
    return {"x": [(_layernorm_one_line(ctx, gamma=False), no_gamma),
                  (_layernorm_one_line(ctx, axis=0), batch_axis)]}  # fmt: skip


def exercise9(rng):
    n, d = 6, 5
    staged = dict(
        x=2 * rng.standard_normal((n, d)) + 0.5,
        gamma=1 + 0.3 * rng.standard_normal((1, d)),
        beta=rng.standard_normal((1, d)),
    )
    one_line = {
        name: value + 0.1 * rng.standard_normal(value.shape) for name, value in staged.items()
    }
    return [
        Part(title="staged LayerNorm", forward="staged_forward", backward="staged_backward",
             inputs=staged, graph=layernorm_graph, output="out", order=STAGED_ORDER,
             leaves=tuple(staged), upstream=rng.standard_normal((n, d)), n=d, variance=True,
             mistakes=inv_sqrt_exponent("var", "inv_std")),
        Part(title="one line", forward="one_line_forward", backward="one_line_backward",
             inputs=one_line, graph=layernorm_graph, output="out", order=("beta", "gamma", "x"),
             leaves=tuple(one_line), upstream=rng.standard_normal((n, d)), n=d,
             mistakes=_layernorm_mistakes),
    ]  # fmt: skip


# ---- exercise 10: eval-mode BatchNorm and the running statistics ---------------------------


def eval_batchnorm_graph(s):
    """BatchNorm at inference: the running statistics are constants."""
    s.x_hat = (s.x - s.running_mean) * (s.running_var + EPS) ** -0.5
    s.out = s.gamma * s.x_hat + s.beta


def _eval_mistakes(ctx):
    x, gamma, dout = ctx.value("x"), ctx.value("gamma"), np.asarray(ctx.part.upstream)
    n = x.shape[0]
    batch_inv_std = (x.var(0, keepdims=True) + EPS) ** -0.5
    x_hat = (x - x.mean(0, keepdims=True)) * batch_inv_std
    training = (
        gamma
        * batch_inv_std
        / n
        * (n * dout - dout.sum(0, keepdims=True) - x_hat * (dout * x_hat).sum(0, keepdims=True))
    )
    return {
        "x": [
            (training, "this is the training-mode dx: in eval mode the mean and variance are the "
             "running statistics, constants, so dx = gamma * dout / sqrt(running_var + eps) with "
             "no batch terms"),
            (gamma * batch_inv_std * dout, "eval mode divides by sqrt(running_var + eps), the "
             "running variance, not the batch's"),
        ]
    }  # fmt: skip


def _update_inputs(rng, n, d, momentum):
    return dict(
        running_mean=rng.standard_normal((1, d)),
        running_var=rng.uniform(0.5, 2.0, (1, d)),
        x=2 * rng.standard_normal((n, d)) + 1.0,
        momentum=np.float64(momentum),
    )


def _new_statistics(inputs, keep, ddof):
    """keep * running + (1 - keep) * batch, for the mean and for the variance with `ddof`."""
    x = inputs["x"]
    batch_mean, batch_var = x.mean(0, keepdims=True), x.var(0, keepdims=True, ddof=ddof)
    return {
        "running_mean": keep * inputs["running_mean"] + (1 - keep) * batch_mean,
        "running_var": keep * inputs["running_var"] + (1 - keep) * batch_var,
    }


def _update_mistakes(pytorch: bool):
    """The other convention's momentum, and the other variance estimator."""

    def mistakes(inputs, expected):
        m = float(inputs["momentum"])
        keep, ddof = (1 - m, 1) if pytorch else (m, 0)
        flipped = _new_statistics(inputs, 1 - keep, ddof)
        other_var = _new_statistics(inputs, keep, 1 - ddof)["running_var"]
        convention = (
            "momentum means the other thing here: in PyTorch it is the weight of the new batch, "
            "running = (1 - momentum) * running + momentum * batch"
            if pytorch
            else "momentum means the other thing here: in CS231n and Keras it is the weight of "
            "the old value, running = momentum * running + (1 - momentum) * batch"
        )
        estimator = (
            "PyTorch's running variance uses the unbiased batch variance (divides by n - 1), "
            "though the forward pass normalises with the biased one"
            if pytorch
            else "CS231n and Keras keep the biased batch variance (divides by n), the one the "
            "forward pass uses"
        )
        return {
            "running_mean": [(flipped["running_mean"], convention)],
            "running_var": [(flipped["running_var"], convention), (other_var, estimator)],
        }

    return mistakes


def exercise10(rng):
    n, d = 8, 4
    inputs = dict(
        x=2 * rng.standard_normal((n, d)) + 0.5,
        gamma=1 + 0.3 * rng.standard_normal((1, d)),
        beta=rng.standard_normal((1, d)),
        running_mean=rng.standard_normal((1, d)),
        running_var=rng.uniform(0.5, 2.0, (1, d)),
    )
    pytorch, keras = _update_inputs(rng, n, d, 0.1), _update_inputs(rng, n, d, 0.9)
    return [
        Part(title="eval-mode BatchNorm", forward="eval_forward", backward="eval_backward",
             inputs=inputs, graph=eval_batchnorm_graph, output="out",
             order=("beta", "gamma", "x_hat", "x"), leaves=("x", "gamma", "beta"),
             upstream=rng.standard_normal((n, d)), n=n, mistakes=_eval_mistakes),
        ValuesPart(title="running statistics, PyTorch", function="update_pytorch", inputs=pytorch,
                   expected=_new_statistics(pytorch, 1 - 0.1, 1), mistakes=_update_mistakes(True),
                   n=n),
        ValuesPart(title="running statistics, CS231n and Keras", function="update_keras",
                   inputs=keras, expected=_new_statistics(keras, 0.9, 0), n=n,
                   mistakes=_update_mistakes(False)),
    ]  # fmt: skip


# ---- exercise 11: the Jacobian of one BatchNorm feature ------------------------------------


def _one_feature(s):
    """BatchNorm of one feature x (n, 1), biased variance, out = gamma * x_hat."""
    n = s.x.shape[0]
    mean = s.x.sum(0, keepdim=True) / n
    centred = s.x - mean
    var = (centred**2).sum(0, keepdim=True) / n
    s.out = s.gamma * centred * (var + EPS) ** -0.5


def autograd_jacobian(x, gamma):
    """J[i, j] = d out_i / d x_j, one backward pass per output."""
    n = len(x)
    rows = []
    for i in range(n):
        steps = Steps({"x": x.reshape(n, 1), "gamma": np.array([[gamma]])}, ("x",), False, False)
        _one_feature(steps)
        backprop(steps.nodes["out"], np.eye(n)[:, i : i + 1], False)
        rows.append(steps.nodes["x"].grad[:, 0].copy())
    return np.array(rows)


def jacobian_terms(x, gamma):
    """(gamma/sigma) (delta_ij - 1/n - x_hat_i x_hat_j / n), term by term."""
    n = len(x)
    sigma = np.sqrt(x.var() + EPS)
    x_hat = (x - x.mean()) / sigma
    k = gamma / sigma
    return {
        "identity": k * np.eye(n),
        "mean": -k / n * np.ones((n, n)),
        "correlation": -k / n * np.outer(x_hat, x_hat),
    }


def _jacobian_mistakes(inputs, expected):
    x, gamma = inputs["x"], float(inputs["gamma"])
    n = len(x)
    sigma = np.sqrt(x.var() + EPS)
    x_hat = (x - x.mean()) / sigma
    unbiased = gamma / np.sqrt(x.var(ddof=1) + EPS) * np.eye(n)
    terms = ("identity", "mean", "correlation")
    partial = [
        (
            sum(expected[t] for t in terms if t != left_out),
            f"J is the sum of the three terms; yours leaves out `{left_out}`",
        )
        for left_out in terms
    ]
    return {
        "identity": [(unbiased, "sigma is the square root of the biased variance plus eps, the "
                      "one the forward pass divides by"),
                     (np.eye(n) / sigma, "every term carries the factor gamma / sigma: out = "
                      "gamma * x_hat")],
        "J": partial,
        "correlation": [(-gamma / sigma * np.outer(x_hat, x_hat), "the x_hat_i x_hat_j term "
                         "carries a 1/n: it comes from d var / d x_j = 2 (x_j - mean) / n")],
    }  # fmt: skip


def exercise11(rng):
    n = 6
    x = 2 * rng.standard_normal(n) + 0.5
    gamma = float(1 + 0.3 * rng.standard_normal())
    expected = {**jacobian_terms(x, gamma), "J": autograd_jacobian(x, gamma)}
    inputs = dict(x=x, gamma=np.float64(gamma))
    return [
        ValuesPart(title="BatchNorm Jacobian", function="jacobian", inputs=inputs,
                   expected=expected, mistakes=_jacobian_mistakes, n=n,
                   follows=lambda got: {"J": got["identity"] + got["mean"] + got["correlation"]}),
    ]  # fmt: skip
