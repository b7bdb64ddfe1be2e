"""The op table: one row per differentiable op, shared by every op test.

A row's `fn` is written once and runs on `Value`, `Tensor` and `torch.Tensor`
alike, because the method names coincide (`a + b`, `a.tanh()`,
`a.var(dim=0, correction=0)`). Where PyTorch spells an op differently the row
adds `torch_fn(torch, *inputs)`. The row also says which inputs are allowed
(`domain`: keep `log` positive, `relu` away from its kink, `max` free of ties)
and which shapes to draw (`shapes`: a hypothesis strategy of one shape per
input). `scalar=True` marks the ops that `Value` has too.

Adding a row tests the new op everywhere: against central differences
(test_ops_numeric.py), against PyTorch (test_ops_torch.py), as a scalar
(test_value.py) and in float32 (test_tensor.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_bn

# ---- input domains: the values an op is differentiable (and well conditioned) at ----

DOMAINS = {
    "real": st.floats(-2.0, 2.0),
    "positive": st.floats(0.2, 2.0),  # log, sqrt, fractional powers, the base of a ** b
    # division, negative powers, relu's kink at 0
    "nonzero": st.floats(0.2, 2.0) | st.floats(-2.0, -0.2),
    # max: no ties (drawn unique, 0.01 apart)
    "distinct": st.integers(-200, 200).map(lambda i: i / 100),
}

# ---- shapes: a strategy for one shape per input --------------------------------------


def one_shape(min_dims=0, max_dims=3, min_side=1, max_side=4):
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    ).map(lambda s: (s,))


def broadcast_pair():
    """Two shapes that broadcast together: every kind, (3,1) with (1,4), () with (3,4),
    (4,) with (3,4)."""
    shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)
    return shapes.map(lambda b: b.input_shapes)


def equal_pair(min_dims=1, max_dims=3):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, max_side=4).map(lambda s: (s, s))


def batched_matmul_pair(left_vector=False, right_vector=False):
    """(..., n, k) @ (..., k, m) with batch dims that broadcast (up to 4-D operands); a
    vector side is (k,)."""

    def build(batches, n, k, m):
        left = (k,) if left_vector else (*batches.input_shapes[0], n, k)
        right = (k,) if right_vector else (*batches.input_shapes[1], k, m)
        return left, right

    batches = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3)
    side = st.integers(1, 3)
    shapes = st.builds(build, batches, side, side, side)
    return shapes.filter(lambda pair: max(len(pair[0]), len(pair[1])) >= 3)


def matmul_pair(left_ndim, right_ndim):
    """(n,k) or (k,) on the left, (k,m) or (k,) on the right."""

    def build(n, k, m):
        return ((n, k) if left_ndim == 2 else (k,)), ((k, m) if right_ndim == 2 else (k,))

    side = st.integers(1, 4)
    return st.builds(build, side, side, side)


BROADCAST_KINDS = {  # the broadcasting cases the issue names, each in both orders
    "column_with_row": ((3, 1), (1, 4)),
    "row_with_column": ((1, 4), (3, 1)),
    "0d_with_matrix": ((), (3, 4)),
    "matrix_with_0d": ((3, 4), ()),
    "vector_with_matrix": ((4,), (3, 4)),
    "matrix_with_vector": ((3, 4), (4,)),
}


@dataclass(frozen=True)
class Op:
    name: str
    arity: int
    fn: Callable
    torch_fn: Callable | None = None  # torch_fn(torch, *inputs) where PyTorch's API differs
    domain: str | tuple = "real"  # one name for all inputs, or one per input
    shapes: st.SearchStrategy = one_shape()
    scalar: bool = False  # Value has this op too
    unique: bool = False  # draw distinct elements (max)

    def domains(self):
        return (self.domain,) * self.arity if isinstance(self.domain, str) else self.domain

    def on_torch(self, torch, *inputs):
        return self.torch_fn(torch, *inputs) if self.torch_fn else self.fn(*inputs)

    def __str__(self):
        return self.name


def inputs_for(op, shapes):
    """A strategy of float64 arrays, one per input, with the given shapes, in the op's domain."""
    return st.tuples(
        *(
            hnp.arrays(np.float64, shape, elements=DOMAINS[d], unique=op.unique)
            for shape, d in zip(shapes, op.domains(), strict=True)
        )
    )


def op_inputs(op):
    """A strategy of float64 input arrays for `op`: its shapes, then values in its domain."""
    return op.shapes.flatmap(lambda shapes: inputs_for(op, shapes))


def scalar_inputs(op):
    """A strategy of Python floats, one per input, for the `Value` version of `op`."""
    return st.tuples(*(DOMAINS[d] for d in op.domains()))


def class_targets(shape):
    """Integer class targets for logits of `shape` (N, C): deterministic, repeats classes."""
    n, c = shape
    return (np.arange(n) * 7 + 3) % c


def embedding_rows():
    """C[X] with a 2-D index of repeated rows, as the makemore embedding lookup."""
    return np.array([[0, 1, 0], [2, 2, 0]])


def _cross_entropy_torch(torch, logits):
    return torch.nn.functional.cross_entropy(
        logits, torch.as_tensor(class_targets(tuple(logits.shape)))
    )


def image_shapes(kernel=None, bias=False, min_side=2, max_side=4):
    """An image (N, C, H, W); with `kernel`, also a weight (F, C, kh, kw) and a bias (F,).

    Tiny on purpose: the numeric check perturbs every input number and reads every output.
    """

    def build(n, c, h, w, f, kh, kw):
        image = (n, c, h, w)
        if kernel is None:
            return (image,)
        weight = (f, c, min(kh, h), min(kw, w))
        return (image, weight, (f,)) if bias else (image, weight)

    side, kernel_side = st.integers(min_side, max_side), st.integers(1, kernel or 1)
    return st.builds(
        build,
        st.integers(1, 2),
        st.integers(1, 2),
        side,
        side,
        st.integers(1, 2),
        *[kernel_side] * 2,
    )


def affine_shapes(min_dims=3, max_dims=4, channels=(2, 4, 6), affine=True):
    """An input (N, C, *) with C in `channels`, and (if `affine`) a weight and a bias (C,)."""

    def build(shape, c):
        shape = (shape[0], c, *shape[2:])
        return (shape, (c,), (c,)) if affine else (shape,)

    dims = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=2, max_side=3)
    return st.builds(build, dims, st.sampled_from(channels))


def _torch_functional(name, **options):
    """torch_fn for a row that calls tinygrad_bn.functional.NAME: torch.nn.functional.NAME."""
    return lambda torch, *inputs: getattr(torch.nn.functional, name)(*inputs, **options)


def functional_op(name, arity, function, shapes, domain="real", unique=False, **options):
    """A row calling `functional.<function>(*inputs, **options)` here and in PyTorch."""
    return Op(
        name,
        arity,
        lambda *inputs: getattr(tinygrad_bn.functional, function)(*inputs, **options),
        _torch_functional(function, **options),
        domain=domain,
        shapes=shapes,
        unique=unique,
    )


ELEMENTWISE = dict(shapes=one_shape(), scalar=True)
BINARY = dict(shapes=broadcast_pair(), scalar=True)

OPS = [
    # elementwise binary, broadcasting; Value op Value for the scalar engine
    Op("add", 2, lambda a, b: a + b, **BINARY),
    Op("sub", 2, lambda a, b: a - b, **BINARY),
    Op("mul", 2, lambda a, b: a * b, **BINARY),
    Op("div", 2, lambda a, b: a / b, domain=("real", "nonzero"), **BINARY),
    Op("pow_tensor_exponent", 2, lambda a, b: a**b, domain=("positive", "real"), **BINARY),
    # a plain number on either side
    Op("add_number", 1, lambda a: a + 1.5, **ELEMENTWISE),
    Op("radd_number", 1, lambda a: 1.5 + a, **ELEMENTWISE),
    Op("sub_number", 1, lambda a: a - 2.5, **ELEMENTWISE),
    Op("rsub_number", 1, lambda a: 2.5 - a, **ELEMENTWISE),
    Op("mul_number", 1, lambda a: a * -3.0, **ELEMENTWISE),
    Op("rmul_number", 1, lambda a: 3 * a, **ELEMENTWISE),
    Op("div_number", 1, lambda a: a / 4.0, **ELEMENTWISE),
    Op("rdiv_number", 1, lambda a: 2.0 / a, domain="nonzero", **ELEMENTWISE),
    Op("pow_0", 1, lambda a: a**0, **ELEMENTWISE),
    Op("pow_2", 1, lambda a: a**2, **ELEMENTWISE),
    Op("pow_3", 1, lambda a: a**3, **ELEMENTWISE),
    Op("pow_minus_1", 1, lambda a: a**-1, domain="nonzero", **ELEMENTWISE),
    Op("pow_half", 1, lambda a: a**0.5, domain="positive", **ELEMENTWISE),
    Op("pow_minus_1_5", 1, lambda a: a**-1.5, domain="positive", **ELEMENTWISE),
    Op("rpow_number", 1, lambda a: 2.0**a, **ELEMENTWISE),
    # elementwise unary
    Op("neg", 1, lambda a: -a, **ELEMENTWISE),
    Op("exp", 1, lambda a: a.exp(), **ELEMENTWISE),
    Op("log", 1, lambda a: a.log(), domain="positive", **ELEMENTWISE),
    Op("tanh", 1, lambda a: a.tanh(), **ELEMENTWISE),
    Op("relu", 1, lambda a: a.relu(), domain="nonzero", **ELEMENTWISE),
    Op("sigmoid", 1, lambda a: a.sigmoid(), **ELEMENTWISE),
    Op("sqrt", 1, lambda a: a.sqrt(), domain="positive", shapes=one_shape()),
    # reductions
    Op("sum", 1, lambda a: a.sum()),
    Op("sum_dim0", 1, lambda a: a.sum(dim=0), shapes=one_shape(min_dims=1)),
    Op("sum_last_keepdim", 1, lambda a: a.sum(dim=-1, keepdim=True), shapes=one_shape(min_dims=1)),
    Op("sum_dims01", 1, lambda a: a.sum(dim=(0, 1)), shapes=one_shape(min_dims=2)),
    Op("mean", 1, lambda a: a.mean()),
    Op("mean_dim0_keepdim", 1, lambda a: a.mean(dim=0, keepdim=True), shapes=one_shape(min_dims=1)),
    Op("mean_last", 1, lambda a: a.mean(dim=-1), shapes=one_shape(min_dims=1)),
    Op("var_default_correction", 1, lambda a: a.var(), shapes=one_shape(min_dims=1, min_side=2)),
    Op("var_dim0", 1, lambda a: a.var(dim=0), shapes=one_shape(min_dims=1, min_side=2)),
    Op(
        "var_dim1_keepdim_correction0",
        1,
        lambda a: a.var(dim=1, keepdim=True, correction=0),
        shapes=one_shape(min_dims=2),
    ),
    Op(
        "var_last_correction2",
        1,
        lambda a: a.var(dim=-1, correction=2),
        shapes=one_shape(min_dims=1, min_side=3),
    ),
    Op("max", 1, lambda a: a.max(), domain="distinct", unique=True),
    Op(
        "max_dim0",
        1,
        lambda a: a.max(dim=0).values,
        domain="distinct",
        unique=True,
        shapes=one_shape(min_dims=1),
    ),
    Op(
        "max_last_keepdim",
        1,
        lambda a: a.max(dim=-1, keepdim=True).values,
        domain="distinct",
        unique=True,
        shapes=one_shape(min_dims=1),
    ),
    # matrix product, every 1-D/2-D combination
    Op("matmul_2d_2d", 2, lambda a, b: a @ b, shapes=matmul_pair(2, 2)),
    Op("matmul_1d_2d", 2, lambda a, b: a @ b, shapes=matmul_pair(1, 2)),
    Op("matmul_2d_1d", 2, lambda a, b: a @ b, shapes=matmul_pair(2, 1)),
    Op("matmul_1d_1d", 2, lambda a, b: a @ b, shapes=matmul_pair(1, 1)),
    # shape ops
    Op("reshape_flat", 1, lambda a: a.reshape(-1)),
    Op("reshape_2d", 1, lambda a: a.reshape(a.shape[-1], -1), shapes=one_shape(min_dims=1)),
    Op("view_tuple", 1, lambda a: a.view((-1, 1))),
    Op("transpose_T", 1, lambda a: a.T, shapes=one_shape(min_dims=2, max_dims=2)),
    Op("transpose_dims", 1, lambda a: a.transpose(0, -1), shapes=one_shape(min_dims=2)),
    # indexing: basic, and integer arrays with repeated indices (backward scatter-adds)
    Op("index_int", 1, lambda a: a[0], shapes=one_shape(min_dims=1)),
    Op("index_negative", 1, lambda a: a[-1], shapes=one_shape(min_dims=1)),
    Op("index_slices", 1, lambda a: a[1:, ::2], shapes=one_shape(min_dims=2, min_side=2)),
    Op(
        "index_repeated_list",
        1,
        lambda a: a[[0, 1, 0, 0]],
        shapes=one_shape(min_dims=1, min_side=2),
    ),
    Op(
        "index_pairs_of_lists",
        1,
        lambda a: a[[0, 1, 0], [1, 0, 1]],
        shapes=one_shape(min_dims=2, min_side=2),
    ),
    Op(
        "embedding_lookup",
        1,
        lambda C: C[embedding_rows()],
        shapes=one_shape(min_dims=2, max_dims=2, min_side=3),
    ),
    # joining
    Op(
        "cat_dim0",
        2,
        lambda a, b: tinygrad_bn.cat([a, b], dim=0),
        lambda torch, a, b: torch.cat([a, b], dim=0),
        shapes=equal_pair(),
    ),
    Op(
        "cat_last",
        2,
        lambda a, b: tinygrad_bn.cat([a, b], dim=-1),
        lambda torch, a, b: torch.cat([a, b], dim=-1),
        shapes=equal_pair(),
    ),
    Op(
        "stack_dim0",
        2,
        lambda a, b: tinygrad_bn.stack([a, b]),
        lambda torch, a, b: torch.stack([a, b]),
        shapes=equal_pair(min_dims=0),
    ),
    Op(
        "stack_last",
        2,
        lambda a, b: tinygrad_bn.stack([a, b], dim=-1),
        lambda torch, a, b: torch.stack([a, b], dim=-1),
        shapes=equal_pair(min_dims=1),
    ),
    # softmax family
    Op("softmax_last", 1, lambda a: a.softmax(dim=-1), shapes=one_shape(min_dims=1)),
    Op("softmax_dim0", 1, lambda a: a.softmax(dim=0), shapes=one_shape(min_dims=2)),
    Op("log_softmax_last", 1, lambda a: a.log_softmax(dim=-1), shapes=one_shape(min_dims=1)),
    Op("log_softmax_dim0", 1, lambda a: a.log_softmax(dim=0), shapes=one_shape(min_dims=2)),
    Op(
        "cross_entropy",
        1,
        lambda logits: logits.cross_entropy(class_targets(logits.shape)),
        torch_fn=_cross_entropy_torch,
        shapes=one_shape(min_dims=2, max_dims=2),
    ),
    # images (N, C, H, W): convolution, padding, pooling, GroupNorm
    functional_op("conv2d", 2, "conv2d", image_shapes(kernel=3)),
    functional_op("conv2d_bias", 3, "conv2d", image_shapes(kernel=3, bias=True)),
    functional_op(
        "conv2d_stride2_padding1", 3, "conv2d", image_shapes(3, True), stride=2, padding=1
    ),
    functional_op(
        "conv2d_stride_padding_pairs",
        3,
        "conv2d",
        image_shapes(2, True),
        stride=(2, 1),
        padding=(0, 1),
    ),
    functional_op("pad_last", 1, "pad", one_shape(min_dims=1), pad=(2, 1)),
    functional_op("pad_last_two", 1, "pad", image_shapes(), pad=(1, 0, 2, 1), value=0.5),
    functional_op("max_pool2d", 1, "max_pool2d", image_shapes(), "distinct", True, kernel_size=2),
    functional_op(
        "max_pool2d_overlapping_padded",
        1,
        "max_pool2d",
        image_shapes(min_side=3),
        "distinct",
        True,
        kernel_size=3,
        stride=1,
        padding=1,
    ),
    functional_op("avg_pool2d", 1, "avg_pool2d", image_shapes(), kernel_size=2),
    functional_op(
        "avg_pool2d_strided_padded",
        1,
        "avg_pool2d",
        image_shapes(min_side=3),
        kernel_size=(3, 2),
        stride=2,
        padding=1,
    ),
    Op(
        "batchnorm_fused_images",
        3,
        lambda x, g, b: tinygrad_bn.functional.batchnorm_fused(x, g, b),
        lambda torch, x, g, b: torch.nn.functional.batch_norm(x, None, None, g, b, training=True),
        domain="distinct",  # no near-constant channel, which float32 cannot normalise
        shapes=affine_shapes(4, 4),
        unique=True,
    ),
    Op(
        "batchnorm_composed_images",
        3,
        lambda x, g, b: tinygrad_bn.functional.batchnorm_composed(x, g, b),
        lambda torch, x, g, b: torch.nn.functional.batch_norm(x, None, None, g, b, training=True),
        domain="distinct",
        shapes=affine_shapes(4, 4),
        unique=True,
    ),
    Op(
        "group_norm",
        3,
        lambda x, w, b: tinygrad_bn.functional.group_norm(x, 2, w, b),
        lambda torch, x, w, b: torch.nn.functional.group_norm(x, 2, w, b),
        domain="distinct",  # no near-constant group, whose normalisation float32 cannot resolve
        shapes=affine_shapes(4, 4),
        unique=True,
    ),
    functional_op(
        "group_norm_one_group",
        1,
        "group_norm",
        affine_shapes(3, 3, affine=False),
        "distinct",
        True,
        num_groups=1,
    ),
]


_F = tinygrad_bn.functional

OPS += [  # PyTorch's other names and ops (issue 11)
    Op("sum_keepdims", 1, lambda a: a.sum(-1, keepdims=True), shapes=one_shape(min_dims=1)),
    Op("mean_keepdims", 1, lambda a: a.mean(0, keepdims=True), shapes=one_shape(min_dims=1)),
    Op(
        "var_unbiased_false",
        1,
        lambda a: a.var(0, unbiased=False),
        shapes=one_shape(min_dims=1),
    ),
    Op(
        "var_unbiased_true_keepdims",
        1,
        lambda a: a.var(-1, unbiased=True, keepdims=True),
        shapes=one_shape(min_dims=1, min_side=2),
    ),
    Op(
        "std", 1, lambda a: a.std(), domain="distinct", unique=True, shapes=one_shape(1, min_side=2)
    ),
    Op(
        "std_last_keepdim_correction0",
        1,
        lambda a: a.std(dim=-1, keepdim=True, correction=0),
        domain="distinct",
        unique=True,
        shapes=one_shape(min_dims=1, min_side=2),
    ),
    Op(
        "amax_dims01",
        1,
        lambda a: a.amax(dim=(0, 1)),
        domain="distinct",
        unique=True,
        shapes=one_shape(min_dims=2),
    ),
    Op("min", 1, lambda a: a.min(), domain="distinct", unique=True),
    Op(
        "min_dim0_values",
        1,
        lambda a: a.min(0).values,
        domain="distinct",
        unique=True,
        shapes=one_shape(min_dims=1),
    ),
    Op(
        "min_last_keepdim_values",
        1,
        lambda a: a.min(-1, keepdim=True).values,
        domain="distinct",
        unique=True,
        shapes=one_shape(min_dims=1),
    ),
    Op("abs", 1, lambda a: a.abs(), domain="nonzero"),
    Op("abs_builtin", 1, lambda a: abs(a), domain="nonzero"),
    Op(
        "leaky_relu",
        1,
        lambda a: a.leaky_relu(),
        torch_fn=lambda torch, a: torch.nn.functional.leaky_relu(a),
        domain="nonzero",
    ),
    Op(
        "leaky_relu_slope",
        1,
        lambda a: a.leaky_relu(0.2),
        torch_fn=lambda torch, a: torch.nn.functional.leaky_relu(a, 0.2),
        domain="nonzero",
    ),
    Op("clamp", 1, lambda a: a.clamp(-0.555, 0.555)),
    Op("clamp_min", 1, lambda a: a.clamp(min=0.555)),
    Op("clamp_max", 1, lambda a: a.clamp(max=-0.555)),
    Op("permute_reversed", 1, lambda a: a.permute(tuple(reversed(range(a.ndim))))),
    Op("permute_tuple", 1, lambda a: a.permute((1, 0, 2)), shapes=one_shape(3, 3)),
    Op("movedim_first_to_last", 1, lambda a: a.movedim(0, -1), shapes=one_shape(min_dims=1)),
    Op("movedim_pairs", 1, lambda a: a.movedim((0, 1), (2, 0)), shapes=one_shape(3, 3)),
    Op("flatten", 1, lambda a: a.flatten()),
    Op("flatten_from_1", 1, lambda a: a.flatten(1), shapes=one_shape(min_dims=2)),
    Op("flatten_middle", 1, lambda a: a.flatten(0, -2), shapes=one_shape(min_dims=2)),
    Op("unsqueeze_0", 1, lambda a: a.unsqueeze(0)),
    Op("unsqueeze_last", 1, lambda a: a.unsqueeze(-1)),
    Op("squeeze", 1, lambda a: a.squeeze(), shapes=one_shape(max_side=2)),
    Op("squeeze_dim0", 1, lambda a: a.squeeze(0), shapes=one_shape(min_dims=1, max_side=2)),
    Op("t", 1, lambda a: a.t(), shapes=one_shape(max_dims=2)),
    Op("matmul_batched", 2, lambda a, b: a @ b, shapes=batched_matmul_pair()),
    Op("matmul_1d_batched", 2, lambda a, b: a @ b, shapes=batched_matmul_pair(left_vector=True)),
    Op("matmul_batched_1d", 2, lambda a, b: a @ b, shapes=batched_matmul_pair(right_vector=True)),
    Op(
        "functional_softmax",
        1,
        lambda a: _F.softmax(a, dim=-1),
        torch_fn=lambda torch, a: torch.nn.functional.softmax(a, dim=-1),
        shapes=one_shape(min_dims=1),
    ),
    Op(
        "functional_log_softmax",
        1,
        lambda a: _F.log_softmax(a, dim=0),
        torch_fn=lambda torch, a: torch.nn.functional.log_softmax(a, dim=0),
        shapes=one_shape(min_dims=1),
    ),
    Op(
        "functional_relu",
        1,
        lambda a: _F.relu(a),
        lambda torch, a: torch.nn.functional.relu(a),
        domain="nonzero",
    ),
    Op("functional_tanh", 1, lambda a: _F.tanh(a), lambda torch, a: torch.nn.functional.tanh(a)),
    Op(
        "functional_leaky_relu",
        1,
        lambda a: _F.leaky_relu(a, 0.1),
        lambda torch, a: torch.nn.functional.leaky_relu(a, 0.1),
        domain="nonzero",
    ),
]

SCALAR_OPS = [op for op in OPS if op.scalar]
BROADCASTING_OPS = [op for op in OPS if op.shapes is BINARY["shapes"]]


def assert_close(actual, expected, tol, what=""):
    """|actual - expected| <= tol * max(1, |expected|), elementwise, with matching shapes."""
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, (
        f"{what}: shape {actual.shape}, expected {expected.shape}"
    )
    error = np.abs(actual - expected) / np.maximum(1.0, np.abs(expected))
    worst = float(error.max()) if error.size else 0.0
    assert worst <= tol, (
        f"{what}: relative error {worst:.3g} > {tol:g}\nactual {actual}\nexpected {expected}"
    )
