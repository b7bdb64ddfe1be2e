"""The conv experiments in quick mode: each claim they print is checked on the numbers returned."""

import numpy as np
import pytest

from tinygrad_bn import nn
from tinygrad_bn.digits import split_digits
from tinygrad_bn.experiments import cnn, groupnorm, load
from tinygrad_bn.experiments.convnet import build_convnet

SEED = 42


@pytest.fixture(scope="module")
def cnn_run(tmp_path_factory):
    return load("cnn").run(quick=True, seed=SEED, out=tmp_path_factory.mktemp("cnn"))


@pytest.fixture(scope="module")
def groupnorm_run(tmp_path_factory):
    return load("groupnorm").run(quick=True, seed=SEED, out=tmp_path_factory.mktemp("gn"))


# ---- the net --------------------------------------------------------------------------------


@pytest.mark.parametrize("norm, layer", [("batch", nn.BatchNorm2d), ("group", nn.GroupNorm)])
def test_the_net_normalises_after_every_convolution_and_drops_the_bias_before_batchnorm(
    norm, layer
):
    net = build_convnet(norm, seed=0)
    convs = [m for m in net if isinstance(m, nn.Conv2d)]
    norms = [m for m in net if isinstance(m, layer)]
    assert len(convs) == len(norms) == 3
    assert all((c.bias is None) == (norm == "batch") for c in convs)
    assert net(split_digits(0).test[0][:5]).shape == (5, 10)


def test_the_net_is_the_same_for_the_same_seed():
    a, b = build_convnet("batch", seed=3), build_convnet("batch", seed=3)
    for (key, x), y in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        np.testing.assert_array_equal(x, y, err_msg=key)


# ---- cnn ------------------------------------------------------------------------------------


def test_with_batchnorm_the_training_loss_after_the_same_steps_is_lower(cnn_run):
    assert cnn_run.trainings["BatchNorm2d"].final() < cnn_run.trainings["no norm"].final()
    assert cnn_run.trainings["BatchNorm2d"].test_accuracy > 0.9


def test_with_batchnorm_the_net_trains_at_a_higher_learning_rate(cnn_run):
    assert cnn_run.highest_stable_lr["BatchNorm2d"] > cnn_run.highest_stable_lr["no norm"]


def test_at_initialisation_batchnorm_gives_unit_std_and_the_plain_net_shrinks(cnn_run):
    bn, plain = cnn_run.layer_stats["BatchNorm2d", "init"], cnn_run.layer_stats["no norm", "init"]
    np.testing.assert_allclose(bn["normalised std"], 1.0, rtol=0.01)
    assert np.all(np.diff(plain["conv output std"]) < 0)
    assert min(bn["weight grad std"]) > 10 * max(plain["weight grad std"])


def test_the_cnn_summary_states_only_claims_that_held(cnn_run):
    numbers, claims = cnn.summary(cnn_run)
    assert all(claims.values()), claims
    assert numbers["test accuracy, BatchNorm2d"] == cnn_run.trainings["BatchNorm2d"].test_accuracy
    assert [p.name for p in cnn_run.files] == ["cnn.png"] and cnn_run.files[0].stat().st_size


# ---- groupnorm ------------------------------------------------------------------------------


def test_the_batch_sizes_run_from_2_to_64(groupnorm_run):
    assert groupnorm_run.batch_sizes[0] == 2 and groupnorm_run.batch_sizes[-1] == 64


def test_group_and_layer_norm_never_depend_on_the_batchmates(groupnorm_run):
    for name in ("GroupNorm", "LayerNorm"):
        assert max(groupnorm_run.batchmate_effect[name]) < 1e-12
        assert max(groupnorm_run.train_eval_gap[name]) < 1e-12


def test_batchnorm_depends_on_the_batchmates_more_at_batch_2_than_at_64(groupnorm_run):
    effect = groupnorm_run.batchmate_effect["BatchNorm2d"]
    assert min(effect) > 0.01
    assert effect[0] > effect[-1]


def test_every_normalisation_learns_at_batch_64(groupnorm_run):
    for name, accuracies in groupnorm_run.accuracy.items():
        assert accuracies[-1] > 0.5, name


def test_the_groupnorm_summary_states_only_claims_that_held(groupnorm_run):
    numbers, claims = groupnorm.summary(groupnorm_run)
    measured = {k: v for k, v in claims.items() if "accuracy is below" not in k}
    assert all(measured.values()), claims  # the accuracy claim is measured, either way
    accuracy = groupnorm_run.accuracy
    assert claims["at batch 2 BatchNorm2d's test accuracy is below GroupNorm's"] == (
        accuracy["BatchNorm2d"][0] < accuracy["GroupNorm"][0]
    )
    assert "test accuracy, GroupNorm, batch 2" in numbers
    assert [p.name for p in groupnorm_run.files] == ["groupnorm.png"]
