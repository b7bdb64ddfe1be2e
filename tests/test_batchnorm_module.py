"""nn.BatchNorm1d as a module: its parameters, buffers, modes, and its errors for bad input."""

import numpy as np
import pytest

from tinygrad_bn import Tensor, nn
from tinygrad_bn.functional import batch_norm


def test_weight_and_bias_are_also_gamma_and_beta():
    bn = nn.BatchNorm1d(3)
    assert bn.gamma is bn.weight and bn.beta is bn.bias
    new = Tensor(np.full(3, 2.0), requires_grad=True)
    bn.gamma = new
    assert bn.weight is new
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]


def test_parameters_start_at_identity_and_are_labelled():
    bn = nn.BatchNorm1d(3)
    np.testing.assert_array_equal(bn.weight.data, np.ones(3))
    np.testing.assert_array_equal(bn.bias.data, np.zeros(3))
    assert (bn.weight.label, bn.bias.label) == ("weight", "bias")
    assert bn.weight.requires_grad and bn.bias.requires_grad


def test_buffers_are_running_mean_running_var_and_batch_count():
    bn = nn.BatchNorm1d(2)
    assert [name for name, _ in bn.named_buffers()] == [
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    np.testing.assert_array_equal(bn.running_mean.data, [0.0, 0.0])
    np.testing.assert_array_equal(bn.running_var.data, [1.0, 1.0])
    assert bn.num_batches_tracked.data.dtype == np.int64 and bn.num_batches_tracked.data == 0
    assert not any(b.requires_grad for b in bn.buffers())


def test_without_affine_there_are_no_parameters():
    bn = nn.BatchNorm1d(2, affine=False)
    assert bn.parameters() == [] and bn.weight is None and bn.gamma is None


def test_without_running_stats_there_are_no_buffers():
    bn = nn.BatchNorm1d(2, track_running_stats=False)
    assert bn.buffers() == [] and bn.running_mean is None
    assert list(bn.state_dict()) == ["weight", "bias"]


def test_training_counts_batches_and_eval_does_not():
    bn = nn.BatchNorm1d(2)
    x = Tensor(np.random.default_rng(0).standard_normal((4, 2)))
    bn(x)
    bn(x)
    bn.eval()
    bn(x)
    assert bn.num_batches_tracked.data == 2


def test_running_statistics_follow_pytorchs_momentum_convention():
    x = np.array([[1.0, 10.0], [3.0, 20.0], [8.0, 0.0]])
    bn = nn.BatchNorm1d(2, momentum=0.25)
    bn(Tensor(x))
    np.testing.assert_allclose(bn.running_mean.data, 0.75 * 0 + 0.25 * x.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(
        bn.running_var.data, 0.75 * 1 + 0.25 * x.var(axis=0, ddof=1), rtol=1e-15
    )


def test_cumulative_average_is_the_plain_mean_of_batch_statistics():
    rng = np.random.default_rng(1)
    batches = [rng.standard_normal((5, 3)) * (i + 1) + i for i in range(4)]
    bn = nn.BatchNorm1d(3, momentum=None)
    for b in batches:
        bn(Tensor(b))
    np.testing.assert_allclose(
        bn.running_mean.data, np.mean([b.mean(axis=0) for b in batches], axis=0), rtol=1e-13
    )
    np.testing.assert_allclose(
        bn.running_var.data, np.mean([b.var(axis=0, ddof=1) for b in batches], axis=0), rtol=1e-13
    )


def test_without_running_stats_eval_still_normalises_with_the_batch():
    x = Tensor(np.random.default_rng(2).standard_normal((6, 2)) * 4 + 9)
    bn = nn.BatchNorm1d(2, track_running_stats=False)
    train_out = bn(x).data
    np.testing.assert_array_equal(bn.eval()(x).data, train_out)


@pytest.mark.parametrize("fused", [True, False])
def test_eval_works_for_a_batch_of_one(fused):
    bn = nn.BatchNorm1d(3, fused=fused).eval()
    x = Tensor(np.array([[1.0, 2.0, 3.0]]), requires_grad=True)
    out = bn(x)
    np.testing.assert_allclose(out.data, x.data / np.sqrt(1 + 1e-5), rtol=1e-15)
    out.sum().backward()
    np.testing.assert_allclose(x.grad, np.full((1, 3), 1 / np.sqrt(1 + 1e-5)), rtol=1e-15)


def test_fused_and_composed_layers_build_different_graphs_for_the_same_numbers():
    x = Tensor(np.random.default_rng(3).standard_normal((5, 2)), requires_grad=True)
    fused, composed = nn.BatchNorm1d(2)(x), nn.BatchNorm1d(2, fused=False)(x)
    assert fused._op == "batchnorm" and composed._op != "batchnorm"
    np.testing.assert_allclose(fused.data, composed.data, rtol=1e-14, atol=1e-15)


def test_forward_runs_inside_a_group_named_for_the_module():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2, fused=False))
    out = model(Tensor(np.random.default_rng(4).standard_normal((4, 3))))
    assert out._group == "Sequential/BatchNorm1d (1)/BatchNorm (composed)"
    assert nn.BatchNorm1d(2)(Tensor(np.ones((2, 2)))).data.shape == (2, 2)


def test_repr_reads_like_pytorchs():
    assert (
        repr(nn.BatchNorm1d(20))
        == "BatchNorm1d(20, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
    )
    assert repr(nn.BatchNorm1d(3, momentum=None, fused=False)).endswith(
        "momentum=None, affine=True, track_running_stats=True, fused=False)"
    )


# ---- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1)])
def test_one_value_per_channel_in_training_is_refused_with_pytorchs_wording(shape):
    bn = nn.BatchNorm1d(3)
    with pytest.raises(
        ValueError,
        match=rf"Expected more than 1 value per channel when training, "
        rf"got input size \({shape[0]}, 3",
    ):
        bn(Tensor(np.ones(shape)))
    assert bn.num_batches_tracked.data == 0, "a refused batch must not count"


def test_wrong_number_of_features_names_both_counts():
    with pytest.raises(
        ValueError,
        match=r"BatchNorm1d\(4\): input of shape \(8, 3\) has 3 features "
        r".* but BatchNorm1d\(4\) has 4",
    ):
        nn.BatchNorm1d(4)(Tensor(np.ones((8, 3))))


@pytest.mark.parametrize("shape", [(6,), (2, 3, 4, 5)])
def test_input_must_be_two_or_three_dimensional(shape):
    with pytest.raises(
        ValueError, match=rf"expected 2D or 3D input \(got {len(shape)}D input of shape"
    ):
        nn.BatchNorm1d(3)(Tensor(np.ones(shape)))


@pytest.mark.parametrize("momentum", [-0.1, 1.5, float("nan")])
def test_momentum_outside_zero_to_one_is_refused(momentum):
    with pytest.raises(ValueError, match=r"momentum must be a number in \[0, 1\] or None"):
        nn.BatchNorm1d(3, momentum=momentum)


def test_functional_batch_norm_refuses_momentum_outside_zero_to_one():
    x = Tensor(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\], got 2"):
        batch_norm(x, np.zeros(2), np.ones(2), training=True, momentum=2)


def test_functional_batch_norm_explains_momentum_none():
    with pytest.raises(ValueError, match="num_batches_tracked"):
        batch_norm(Tensor(np.ones((4, 2))), np.zeros(2), np.ones(2), training=True, momentum=None)


def test_functional_batch_norm_refuses_running_stats_of_the_wrong_size():
    with pytest.raises(ValueError, match=r"running_mean has shape \(3,\) but the input has 2"):
        batch_norm(Tensor(np.ones((4, 2))), np.zeros(3), np.ones(3), training=True)


def test_functional_batch_norm_in_eval_needs_running_stats():
    with pytest.raises(ValueError, match="evaluation mode .* needs running_mean and running_var"):
        batch_norm(Tensor(np.ones((4, 2))), None, None, training=False)


@pytest.mark.parametrize("num_features", [0, -2, 2.5, "3"])
def test_num_features_must_be_a_positive_integer(num_features):
    with pytest.raises(ValueError, match="num_features must be a positive integer"):
        nn.BatchNorm1d(num_features)


# ---- state dicts ------------------------------------------------------------------------------


def trained(seed=0):
    bn = nn.BatchNorm1d(3)
    rng = np.random.default_rng(seed)
    bn.weight.data[:] = rng.standard_normal(3)
    for _ in range(2):
        bn(Tensor(rng.standard_normal((5, 3)) + seed))
    return bn


def test_state_dict_round_trips_between_two_layers():
    source, target = trained(1), nn.BatchNorm1d(3)
    target.load_state_dict(source.state_dict())
    for (key, a), b in zip(source.state_dict().items(), target.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=key)


def test_state_dict_is_a_snapshot_not_a_view():
    bn = trained()
    saved = bn.state_dict()
    bn(Tensor(np.ones((4, 3)) * np.arange(4)[:, None]))
    assert not np.array_equal(saved["running_mean"], bn.running_mean.data)


def test_loading_keeps_the_same_arrays_so_optimisers_stay_attached():
    bn = nn.BatchNorm1d(3)
    weight = bn.weight.data
    bn.load_state_dict(trained().state_dict())
    assert bn.weight.data is weight


def assert_unchanged(bn, before):
    for key, value in bn.state_dict().items():
        np.testing.assert_array_equal(value, before[key], err_msg=f"{key} changed by a failed load")


def test_missing_key_is_named_and_nothing_is_loaded():
    bn = trained(0)
    before = bn.state_dict()
    incoming = trained(5).state_dict()
    del incoming["running_var"]
    with pytest.raises(ValueError, match="missing key.*running_var"):
        bn.load_state_dict(incoming)
    assert_unchanged(bn, before)


def test_unexpected_key_is_named_and_nothing_is_loaded():
    bn = trained(0)
    before = bn.state_dict()
    incoming = {**trained(5).state_dict(), "momentum_buffer": np.zeros(3)}
    with pytest.raises(ValueError, match="unexpected key.*momentum_buffer"):
        bn.load_state_dict(incoming)
    assert_unchanged(bn, before)


def test_wrong_shape_is_named_and_nothing_is_loaded():
    bn = trained(0)
    before = bn.state_dict()
    incoming = trained(5).state_dict()
    # weight and bias come first and are fine: still nothing may change
    incoming["running_mean"] = np.zeros(4)
    with pytest.raises(
        ValueError, match=r"wrong shape for running_mean: got \(4,\), this module has \(3,\)"
    ):
        bn.load_state_dict(incoming)
    assert_unchanged(bn, before)


def test_non_strict_load_reports_missing_and_unexpected_keys():
    bn = nn.BatchNorm1d(2)
    result = bn.load_state_dict({"weight": np.full(2, 3.0), "extra": 1}, strict=False)
    assert result.missing_keys == ["bias", "running_mean", "running_var"]  # as PyTorch's
    assert result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(bn.weight.data, [3.0, 3.0])
