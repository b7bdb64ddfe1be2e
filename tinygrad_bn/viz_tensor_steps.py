"""The backward pass of a Tensor graph, one op at a time, for the step-through (viz_steps.py).

`Tensor.backward()` walks the graph in reverse topological order; at each op node it calls

    shares = node._backward(g, **node._saved)      # g = d loss / d node, complete by now
    input.grad += share                            # for each input that requires grad

`tensor_steps` makes the same calls on the side (no grad of the graph changes) and records each
one. A Tensor op's local derivative is a Jacobian, not a number, so a step shows the rule that
turns g into each input's share, from the table RULES below:

    rule    the derivative, as the op's one-line comment in tensor.py writes it
    shares  what each input receives, in terms of g (one entry per input, in input order)

An input used twice (x * x) receives two shares, two `+=`, in the same step.
"""

from dataclasses import dataclass, field

import numpy as np

from .graph import topological_order
from .viz import _number, _shape

# op -> (the local rule, the share of each input); a, b are the inputs, out the result
RULES = {
    "+": ("d(a + b) = da + db", ("g", "g")),
    "-": ("d(a - b) = da - db", ("g", "-g")),
    "*": ("d(a b) = b da + a db", ("g * b", "g * a")),
    "/": ("d(a / b) = da / b - a / b^2 db", ("g / b", "-g * a / b^2")),
    "**": ("d(a^b) = b a^(b-1) da + a^b ln(a) db", ("g * b a^(b-1)", "g * a^b ln(a)")),
    "neg": ("d(-a) = -da", ("-g",)),
    "exp": ("d(e^a) = e^a da", ("g * out",)),
    "log": ("d(ln a) = da / a", ("g / a",)),
    "sqrt": ("d(sqrt a) = da / (2 sqrt a)", ("g / (2 out)",)),
    "tanh": ("d(tanh a) = (1 - tanh^2 a) da", ("g * (1 - out^2)",)),
    "relu": ("d(relu a) = [a > 0] da", ("g * [a > 0]",)),
    "sigmoid": ("d(s(a)) = s(a) (1 - s(a)) da", ("g * out (1 - out)",)),
    "sum": ("d(sum a) = every element of a gets g", ("g copied to every element",)),
    "mean": ("d(mean a) = every element of a gets g / n", ("g / n copied to every element",)),
    "var": ("d(var a) = 2 (a - mean) / (n - correction) da", ("g * 2 (a - mean) / (n - corr)",)),
    "max": ("d(max a) = g at the maximum, 0 elsewhere", ("g at the index of the maximum",)),
    "amax": ("d(amax a) = g at the maximum, 0 elsewhere", ("g at the maximum (ties share it)",)),
    "std": ("d(sqrt v) = dv / (2 sqrt v), 0 where sqrt v = 0", ("g / (2 out)",)),
    "abs": ("d|a| = sign(a) da", ("g * sign(a)",)),
    "leaky_relu": ("d(leaky_relu a) = 1 or negative_slope", ("g * (1 if a > 0 else slope)",)),
    "clamp": ("d(clamp a) = da where min <= a <= max, else 0", ("g where a was not cut",)),
    "permute": ("d(permute a) = permute back", ("g permuted back",)),
    "reshape": ("d(reshape a) = reshape back", ("g reshaped to a's shape",)),
    "T": ("d(a^T) = transpose back", ("g transposed back",)),
    "index": ("d(a[i]) = g added back at i", ("g added at the indices (repeats add up)",)),
    "@": ("d(a @ b) = g b^T for a, a^T g for b", ("g @ b^T", "a^T @ g")),
    "softmax": ("d(softmax a) = s (g - sum(g s))", ("out * (g - sum(g * out))",)),
    "log_softmax": ("d(log_softmax a) = g - softmax sum(g)", ("g - exp(out) * sum(g)",)),
    "cross_entropy": (
        "d loss / d logits = (softmax - onehot(targets)) / n  (fused)",
        ("g * (softmax - onehot) / n",),
    ),
    "cat": ("d(cat) = g cut back into the pieces", ()),
    # images (convolution.py, pooling.py); conv2d's bias share only when it has a bias
    "conv2d": (
        "out = cols w^T + b, cols = im2col(a): dw = g^T cols, da = col2im(g w)",
        ("col2im(g w)", "g^T cols", "sum(g) over n, y, x"),
    ),
    "pad": ("d(pad a) = g cropped back to a", ("g without the padding",)),
    "max_pool2d": ("d(max of a window) = g at its winner", ("g added at each window's winner",)),
    "avg_pool2d": ("d(mean of a window) = g / (kh kw) at each tap", ("g / (kh kw) to each tap",)),
}
# the fused BatchNorm: out = gamma x_hat + beta, x_hat = (x - mean) inv_std (functional.py)
BATCHNORM_SHARES = {
    "batchnorm": {
        "x": "gamma inv_std / n * (n g - sum(g) - x_hat sum(g x_hat))",
        "gamma": "sum(g * x_hat) over the batch",
        "beta": "sum(g) over the batch",
    },
    "batchnorm_eval": {
        "x": "g * gamma inv_std",
        "gamma": "sum(g * x_hat) over the batch",
        "beta": "sum(g) over the batch",
    },
}
BATCHNORM_RULE = "out = gamma x_hat + beta, x_hat = (x - mean) inv_std  (fused, derived by hand)"
BROADCASTING = {"+", "-", "*", "/", "**"}  # elementwise ops whose inputs may have been stretched
SMALL = 4  # arrays with at most this many elements are written out in a step's text


@dataclass
class TensorAddition:
    """One `input.grad += share` of a step; `before` is None while the grad is still empty."""

    input: object
    rule: str
    share: np.ndarray
    before: object
    after: np.ndarray


@dataclass
class TensorStep:
    """The processing of one op node: its complete grad, its rule, and each input's share."""

    node: object
    grad: np.ndarray
    rule: str
    seed: bool = False  # the node backward() started from
    additions: list = field(default_factory=list)
    dropped: list = field(default_factory=list)  # inputs that need no grad: shares thrown away


def count_steps(roots):
    """How many op nodes the backward passes from `roots` process (one frame each)."""
    return sum(len([n for n in topological_order(r) if n._prev]) for r in roots)


def tensor_steps(roots):
    """The steps of `root.backward()` for each root in turn, computed on the side.

    As in `Tensor.backward`, every pass starts its computed nodes from an empty grad and adds
    into the leaves' grads (so a leaf shared by two roots sums both passes)."""
    grads, steps = {}, []
    for root in roots:
        order = topological_order(root)
        for node in order:
            if node._prev:
                grads.pop(node, None)
        grads[root] = np.ones_like(root.data)  # d root / d root
        for node in reversed(order):
            if not node._prev:
                continue
            g = grads[node]
            rule, share_rules = local_rule(node)
            step = TensorStep(node, g, rule, seed=node is root)
            shares = node._backward(g, **node._saved)
            for k, (child, share) in enumerate(zip(node._prev, shares)):
                if not child.requires_grad:
                    step.dropped.append(child)
                    continue
                if share.dtype is not child.data.dtype:
                    share = share.astype(child.data.dtype, copy=False)
                before = grads.get(child)
                grads[child] = share if before is None else before + share
                text = share_rules[k] if k < len(share_rules) else _share(node._op, k)
                if node._op in BROADCASTING and child.shape != node.shape:
                    text += f", summed over the broadcast axes to {_shape(child.shape)}"
                step.additions.append(TensorAddition(child, text, share, before, grads[child]))
            steps.append(step)
    return steps


def local_rule(node):
    """(the rule, the share of each input) of an op node; a fused BatchNorm names x, gamma, beta
    (gamma or beta may be absent), a power a ** p has its number p written in."""
    op = node._op
    if op in BATCHNORM_SHARES:
        given = ["x"] + ["gamma"] * (node._saved.get("gamma") is not None)
        given += ["beta"] * (len(node._prev) - len(given))
        return BATCHNORM_RULE, tuple(BATCHNORM_SHARES[op][name] for name in given)
    if op.startswith("**") and op != "**":  # a ** p with a plain number p
        p = op[2:]
        less = float(p) - 1
        slope = p if less == 0 else f"{p} a" if less == 1 else f"{p} a^{less:g}"
        return f"d(a^{p}) = {slope} da", (f"g * {slope}",)
    if op in RULES:
        rule, shares = RULES[op]
        return rule, shares[: len(node._prev)] if shares else shares
    return "its own backward (no formula written out for this op)", ()


def _share(op, k):
    return f"piece {k} of g" if op == "cat" else "its share"


def brief(array):
    """One line for an array: a few numbers written out, else its shape, mean and std."""
    if array is None:
        return "empty"
    if array.size <= SMALL:
        numbers = " ".join(_number(v) for v in np.asarray(array, dtype=float).flat)
        return numbers if array.ndim == 0 else f"[{numbers}]"
    a = np.asarray(array, dtype=float)
    scale = float(np.abs(a).max())
    return f"{_shape(array.shape)} mean {_number(a.mean(), scale)} std {_number(a.std(), scale)}"


def step_text(step, number, total, name):
    """The lines that explain one step; `name(node)` names a node as the pictures do."""
    why = "the seed, d loss / d loss = 1" if step.seed else "complete: every user passed it back"
    lines = [
        f"step {number} of {total}: node {name(step.node)}, op {step.node._op}, grad g ({why})",
        f"  g = {brief(step.grad)}",
        f"  rule: {step.rule}" + _arguments(step.node, name),
    ]
    for add in step.additions:
        lines.append(
            f"  {name(add.input)}.grad += {add.rule}   {brief(add.before)} -> {brief(add.after)}"
        )
    for child in step.dropped:
        lines.append(f"  {name(child)} needs no grad (requires_grad=False): its share is dropped")
    return lines


def _arguments(node, name):
    """ ", with a = x_hat, b = gamma": which input each letter of the rule is."""
    if node._op in BATCHNORM_SHARES or node._op == "cat":
        return ""
    letters = "ab" if len(node._prev) == 2 else "a"
    pairs = [f"{letter} = {name(child)}" for letter, child in zip(letters, node._prev)]
    return ", with " + ", ".join(pairs)
