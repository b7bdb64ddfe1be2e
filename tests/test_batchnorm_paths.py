"""The three BatchNorms (composed Tensor graph, fused node, scalar Values) agree with each other
and with gradcheck."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_bn import Tensor, Value, gradcheck
from tinygrad_bn.functional import batchnorm_composed, batchnorm_fused, batchnorm_values

PATHS = {"composed": batchnorm_composed, "fused": batchnorm_fused}


def relative_error(a, b):
    """max |a - b| over the array, relative to the largest |b|."""
    scale = np.abs(b).max()
    return np.abs(a - b).max() / scale if scale > 0 else np.abs(a - b).max()


def run(bn, x, gamma, beta, dy, **kwargs):
    """Output and the three gradients of `bn` for upstream gradient dy."""
    xt, gt, bt = (Tensor(a, requires_grad=True) for a in (x, gamma, beta))
    out = bn(xt, gt, bt, **kwargs)
    out.backward(dy)
    return out.data, xt.grad, gt.grad, bt.grad


def batch(rng, shape, kind):
    """Test data: plain normal, with a constant feature (variance 0), or 1e4 plus tiny noise."""
    x = rng.standard_normal(shape) * 2 + 0.5
    if kind == "constant feature":
        x[:, 0] = 0.1  # 0.1 is not exactly representable: its mean rounds
    elif kind == "offset 1e4":
        x = 1e4 + 1e-3 * rng.standard_normal(shape)
    return x


def size_of_terms(x, gamma, dy, unbiased):
    """How big the numbers are that out, dx, dgamma and dbeta are summed from.

    A sum that cancels can be no more precise than its terms: for n = 2,
    x_hat = +-1/sqrt(1 + eps/var) hardly depends on x, so the exact dx is about
    eps/var times smaller than the terms gamma/sigma * dy it is made of.
    Errors are measured relative to max(|result|, |terms|).
    """
    n = x.shape[0]
    centred = x - x.mean(axis=0)
    inv_std = 1 / np.sqrt((centred**2).sum(axis=0) / (n - unbiased) + 1e-5)
    x_hat = centred * inv_std
    return [
        0.0,
        np.abs(gamma * inv_std).max() * np.abs(dy).max(),
        np.abs(dy * x_hat).sum(axis=0).max(),
        np.abs(dy).sum(axis=0).max(),
    ]


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 512),
    c=st.integers(1, 300),
    kind=st.sampled_from(["normal", "constant feature", "offset 1e4"]),
    unbiased=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_composed_and_fused_agree_to_1e12_relative(n, c, kind, unbiased, seed):
    rng = np.random.default_rng(seed)
    x, dy = batch(rng, (n, c), kind), rng.standard_normal((n, c))
    gamma, beta = rng.standard_normal(c), rng.standard_normal(c)
    composed = run(batchnorm_composed, x, gamma, beta, dy, unbiased=unbiased)
    fused = run(batchnorm_fused, x, gamma, beta, dy, unbiased=unbiased)
    for name, a, b, terms in zip(
        ["out", "dx", "dgamma", "dbeta"], fused, composed, size_of_terms(x, gamma, dy, unbiased)
    ):
        difference = np.abs(a - b).max()
        error = difference / max(np.abs(b).max(), terms) if difference else 0.0
        assert error <= 1e-12, f"{name} differs by {error:.3g} relative ({kind}, n={n}, c={c})"


@pytest.mark.parametrize("unbiased", [False, True])
def test_composed_and_fused_agree_on_three_dimensional_input(unbiased):
    rng = np.random.default_rng(1)
    x, dy = rng.standard_normal((5, 4, 7)), rng.standard_normal((5, 4, 7))
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    composed = run(batchnorm_composed, x, gamma, beta, dy, unbiased=unbiased)
    fused = run(batchnorm_fused, x, gamma, beta, dy, unbiased=unbiased)
    for a, b in zip(fused, composed):
        assert relative_error(a, b) <= 1e-12


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 3)])
@pytest.mark.parametrize("unbiased", [False, True])
def test_gradients_match_numerical_differences(path, shape, unbiased):
    rng = np.random.default_rng(2)
    x = Tensor(rng.standard_normal(shape))
    gamma, beta = Tensor(rng.standard_normal(shape[1])), Tensor(rng.standard_normal(shape[1]))
    result = gradcheck(lambda x, g, b: PATHS[path](x, g, b, unbiased=unbiased), x, gamma, beta)
    assert result, str(result)


@pytest.mark.parametrize("path", PATHS)
def test_gradient_without_scale_and_shift_matches_numerical_differences(path):
    x = Tensor(np.random.default_rng(3).standard_normal((5, 2)))
    result = gradcheck(lambda x: PATHS[path](x, None, None), x)
    assert result, str(result)


@pytest.mark.parametrize("path", PATHS)
def test_output_has_zero_mean_and_unit_biased_variance_per_feature(path):
    x = Tensor(np.random.default_rng(4).standard_normal((64, 5)) * 3 + 7)
    out = PATHS[path](x, Tensor(np.ones(5)), Tensor(np.zeros(5)), eps=0.0).data
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-13)
    np.testing.assert_allclose(out.var(axis=0), 1, rtol=1e-13)


@pytest.mark.parametrize("path", PATHS)
def test_unbiased_estimator_shrinks_x_hat_by_sqrt_of_n_minus_1_over_n(path):
    n = 6
    x = Tensor(np.random.default_rng(5).standard_normal((n, 3)))
    biased = PATHS[path](x, None, None, eps=0.0).data
    unbiased = PATHS[path](x, None, None, eps=0.0, unbiased=True).data
    np.testing.assert_allclose(unbiased, biased * np.sqrt((n - 1) / n), rtol=1e-13)


@pytest.mark.parametrize("path", PATHS)
def test_gamma_scales_and_beta_shifts_each_feature(path):
    x = Tensor(np.random.default_rng(6).standard_normal((8, 2)))
    plain = PATHS[path](x, None, None).data
    affine = PATHS[path](x, Tensor([2.0, -1.0]), Tensor([0.5, 3.0])).data
    np.testing.assert_allclose(affine, plain * [2.0, -1.0] + [0.5, 3.0], rtol=1e-14, atol=1e-14)


def test_fused_is_one_node_saving_exactly_x_hat_inv_std_and_gamma():
    rng = np.random.default_rng(7)
    x, gamma, beta = (
        Tensor(rng.standard_normal((6, 3)), requires_grad=True),
        Tensor(np.ones(3)),
        Tensor(np.zeros(3)),
    )
    out = batchnorm_fused(x, gamma, beta)
    assert out._op == "batchnorm"
    assert out._prev == (x, gamma, beta)
    assert set(out._saved) == {"x_hat", "inv_std", "gamma"}
    assert out._saved["gamma"] is gamma  # the Tensor itself: an in-place change is visible
    centred = x.data - x.data.mean(axis=0)
    inv_std = 1 / np.sqrt((centred**2).mean(axis=0) + 1e-5)
    np.testing.assert_allclose(out._saved["inv_std"].ravel(), inv_std, rtol=1e-14)
    np.testing.assert_allclose(out._saved["x_hat"], centred * inv_std, rtol=1e-13, atol=1e-15)


def test_composed_graph_labels_every_step_inside_one_group():
    x = Tensor(np.random.default_rng(8).standard_normal((4, 2)), requires_grad=True)
    out = batchnorm_composed(
        x, Tensor(np.ones(2), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)
    )
    nodes, stack, seen = [], [out], {id(out)}
    while stack:
        node = stack.pop()
        nodes.append(node)
        for child in node._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    built = [node for node in nodes if node._prev]
    assert {
        "mean",
        "centred",
        "squared",
        "var",
        "var+eps",
        "inv_std",
        "x_hat",
        "scaled",
        "out",
    } <= {node.label for node in built}
    assert {node._group for node in built} == {"BatchNorm (composed)"}


def test_scalar_values_version_matches_the_tensor_version():
    rng = np.random.default_rng(9)
    x, gamma, beta, dy = (
        rng.standard_normal((4, 2)),
        rng.standard_normal(2),
        rng.standard_normal(2),
        rng.standard_normal((4, 2)),
    )
    xv = [[Value(float(v)) for v in row] for row in x]
    gv, bv = [Value(float(v)) for v in gamma], [Value(float(v)) for v in beta]
    out = batchnorm_values(xv, gv, bv)
    loss = out[0][0] * float(dy[0, 0])
    for i in range(4):
        for j in range(2):
            if (i, j) != (0, 0):
                loss = loss + out[i][j] * float(dy[i, j])
    loss.backward()
    expected = run(batchnorm_composed, x, gamma, beta, dy)
    np.testing.assert_allclose(
        [[v.data for v in row] for row in out], expected[0], rtol=1e-12, atol=1e-14
    )
    np.testing.assert_allclose(
        [[v.grad for v in row] for row in xv], expected[1], rtol=1e-11, atol=1e-13
    )
    np.testing.assert_allclose([v.grad for v in gv], expected[2], rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose([v.grad for v in bv], expected[3], rtol=1e-11, atol=1e-13)


def test_scalar_values_version_builds_every_node_in_the_batchnorm_group():
    out = batchnorm_values(
        [[Value(1.0), Value(2.0)], [Value(3.0), Value(5.0)]], [Value(1.0)] * 2, [Value(0.0)] * 2
    )
    assert out[1][1].label == "out[1,1]"
    assert out[1][1]._group == "BatchNorm (composed)"
    np.testing.assert_allclose(
        [row[0].data for row in out], np.array([-1.0, 1.0]) / np.sqrt(1 + 1e-5), rtol=1e-14
    )


def test_scalar_values_version_with_unbiased_estimator_matches_tensor_version():
    x = np.array([[1.0, -2.0], [0.5, 4.0], [3.0, 0.0]])
    out = batchnorm_values(
        [[Value(v) for v in row] for row in x], [Value(1.0)] * 2, [Value(0.0)] * 2, unbiased=True
    )
    expected = batchnorm_composed(Tensor(x), None, None, unbiased=True).data
    np.testing.assert_allclose([[v.data for v in row] for row in out], expected, rtol=1e-14)


def test_scalar_values_version_rejects_a_single_row():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        batchnorm_values([[Value(1.0)]], [Value(1.0)], [Value(0.0)])


def test_scalar_values_version_rejects_ragged_rows():
    with pytest.raises(ValueError, match="same number of features"):
        batchnorm_values(
            [[Value(1.0), Value(2.0)], [Value(3.0)]], [Value(1.0)] * 2, [Value(0.0)] * 2
        )


@pytest.mark.parametrize("path", PATHS)
def test_one_value_per_channel_is_refused_with_pytorchs_wording(path):
    with pytest.raises(
        ValueError,
        match=r"Expected more than 1 value per channel when training, got input size \(1, 3\)",
    ):
        PATHS[path](Tensor(np.ones((1, 3))), None, None)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("shape", [(5,), (2, 3, 4, 5, 6)])
def test_input_must_be_two_three_or_four_dimensional(path, shape):
    with pytest.raises(
        ValueError, match=rf"expected 2D or 3D or 4D input \(got {len(shape)}D input"
    ):
        PATHS[path](Tensor(np.ones(shape)), None, None)


@pytest.mark.parametrize("path", PATHS)
def test_gamma_must_have_one_entry_per_feature(path):
    with pytest.raises(
        ValueError, match=r"gamma \(weight\) has shape \(4,\) but the input has 3 features"
    ):
        PATHS[path](Tensor(np.ones((5, 3))), Tensor(np.ones(4)), Tensor(np.zeros(3)))


def test_fused_stays_finite_and_exact_for_a_constant_feature():
    x = np.full((10, 1), 0.1)
    dy = np.random.default_rng(10).standard_normal((10, 1))
    out, dx, dgamma, dbeta = run(batchnorm_fused, x, np.array([2.0]), np.array([0.5]), dy)
    np.testing.assert_allclose(out, 0.5, atol=1e-12)
    # with var = 0, x_hat = 0 and dx = gamma / sqrt(eps) * (dy - mean(dy))
    np.testing.assert_allclose(dx, 2.0 / np.sqrt(1e-5) * (dy - dy.mean()), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dbeta, dy.sum(), rtol=1e-14)
