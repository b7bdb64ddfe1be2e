"""nn.Module and the small layers: registration, modes, saving, printing, and their arithmetic."""

import numpy as np
import pytest

from tinygrad_bn import Tensor, nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.bn = nn.BatchNorm1d(4)
        self.act = nn.Tanh()
        self.out = nn.Linear(4, 2, bias=False)
        self.scale = 2.0  # a plain attribute: neither parameter nor buffer

    def forward(self, x):
        return self.out(self.act(self.bn(self.hidden(x)))) * self.scale


def test_named_parameters_walk_children_in_assignment_order():
    names = [name for name, _ in TwoLayer().named_parameters()]
    assert names == ["hidden.weight", "hidden.bias", "bn.weight", "bn.bias", "out.weight"]


def test_parameters_are_labelled_tensors_that_require_grad():
    for name, p in TwoLayer().named_parameters():
        assert isinstance(p, Tensor) and p.requires_grad
        assert p.label == name.rsplit(".", 1)[-1]


def test_an_unlabelled_parameter_is_labelled_with_its_attribute_name():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.factor = Tensor(np.ones(1), requires_grad=True)

    assert Scale().factor.label == "factor"


def test_a_shared_parameter_is_listed_once():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    model[1].weight = model[0].weight
    assert len(model.parameters()) == 3


def test_buffers_are_listed_with_their_paths():
    assert [name for name, _ in TwoLayer().named_buffers()] == [
        "bn.running_mean",
        "bn.running_var",
        "bn.num_batches_tracked",
    ]


def test_train_and_eval_reach_every_descendant():
    model = nn.Sequential(TwoLayer(), nn.Sequential(nn.BatchNorm1d(2)))
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_clears_every_parameter_gradient():
    model = TwoLayer()
    model(Tensor(np.random.default_rng(0).standard_normal((5, 3)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_state_dict_orders_each_modules_parameters_then_buffers_then_children():
    assert list(TwoLayer().state_dict()) == [
        "hidden.weight",
        "hidden.bias",
        "bn.weight",
        "bn.bias",
        "bn.running_mean",
        "bn.running_var",
        "bn.num_batches_tracked",
        "out.weight",
    ]


def test_state_dict_round_trip_reproduces_the_outputs():
    nn.manual_seed(0)
    a = TwoLayer()
    nn.manual_seed(1)
    b = TwoLayer()
    x = Tensor(np.random.default_rng(1).standard_normal((6, 3)))
    a(x)
    a.eval()
    b.load_state_dict(a.state_dict())
    b.eval()
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_failed_load_into_a_nested_model_changes_nothing():
    model = TwoLayer()
    before = model.state_dict()
    incoming = TwoLayer().state_dict()
    incoming["out.weight"] = np.zeros((3, 3))  # the last entry is bad; all earlier ones are fine
    with pytest.raises(ValueError, match=r"out\.weight: got \(3, 3\), this module has \(2, 4\)"):
        model.load_state_dict(incoming)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)


def test_error_lists_every_problem_at_once():
    incoming = dict(TwoLayer().state_dict())
    del incoming["hidden.bias"]
    incoming["bn.extra"] = np.zeros(1)
    incoming["bn.weight"] = np.zeros(5)
    with pytest.raises(ValueError) as error:
        TwoLayer().load_state_dict(incoming)
    assert (
        "hidden.bias" in str(error.value)
        and "bn.extra" in str(error.value)
        and "bn.weight" in str(error.value)
    )


def test_replacing_a_child_with_none_removes_it():
    model = TwoLayer()
    model.bn = None
    assert "bn.weight" not in dict(model.named_parameters()) and "(bn)" not in repr(model)


def test_functional_reexports_cross_entropy():
    from tinygrad_bn import functional
    from tinygrad_bn.tensor import cross_entropy  # tinygrad_bn.tensor is the function, as torch

    assert functional.cross_entropy is cross_entropy


def test_forgetting_super_init_is_explained():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\)"):
        Broken()


def test_repr_nests_like_pytorchs():
    model = nn.Sequential(nn.Linear(10, 20), nn.BatchNorm1d(20), nn.Tanh())
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=10, out_features=20, bias=True)\n"
        "  (1): BatchNorm1d(20, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
        "  (2): Tanh()\n"
        ")"
    )
    assert "(bn): BatchNorm1d(4" in repr(TwoLayer())


def test_each_module_call_is_a_named_group():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
    hidden = model[0](Tensor(np.ones((2, 3))))
    assert hidden._group == "Linear (0)"
    assert model(Tensor(np.ones((2, 3))))._group == "Sequential/Tanh (1)"


# ---- layers ---------------------------------------------------------------------------------


def test_sequential_applies_layers_in_order_and_is_indexable():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    x = Tensor(np.random.default_rng(2).standard_normal((4, 2)))
    manual = model[2](model[1](model[0](x)))
    np.testing.assert_array_equal(model(x).data, manual.data)
    assert len(model) == 3 and isinstance(model[-1], nn.Linear) and list(model)[1] is model[1]
    assert [name for name, _ in model._modules.items()] == ["0", "1", "2"]
    assert len(model[:2]) == 2 and model[:2][1] is model[1]


def test_sequential_refuses_non_modules():
    with pytest.raises(TypeError, match="Sequential takes Modules, got function at position 1"):
        nn.Sequential(nn.Tanh(), lambda x: x)


def test_linear_computes_x_times_weight_transposed_plus_bias():
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    x = np.random.default_rng(3).standard_normal((5, 3))
    np.testing.assert_allclose(
        layer(Tensor(x)).data, x @ layer.weight.data.T + layer.bias.data, rtol=1e-15
    )


def test_linear_accepts_extra_leading_dimensions():
    layer = nn.Linear(3, 2, bias=False)
    x = np.random.default_rng(4).standard_normal((4, 5, 3))
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    np.testing.assert_allclose(layer(Tensor(x)).data, x @ layer.weight.data.T, rtol=1e-14)


def test_linear_initialises_uniformly_within_one_over_sqrt_fan_in():
    layer = nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    # uniform over the whole range, not a narrower one
    assert np.abs(layer.weight.data).max() > 0.95 * bound
    assert abs(layer.weight.data.std() - bound / np.sqrt(3)) < 0.01 * bound


def test_manual_seed_makes_initialisation_reproducible():
    nn.manual_seed(42)
    first = nn.Linear(4, 4).weight.data
    nn.manual_seed(42)
    np.testing.assert_array_equal(nn.Linear(4, 4).weight.data, first)


def test_linear_refuses_the_wrong_input_width():
    with pytest.raises(ValueError, match=r"last dimension is 3, got shape \(2, 4\)"):
        nn.Linear(3, 1)(Tensor(np.ones((2, 4))))


def test_embedding_looks_up_rows_and_scatters_gradients_back():
    emb = nn.Embedding(5, 2)
    idx = np.array([[1, 3], [1, 0]])
    out = emb(idx)
    np.testing.assert_array_equal(out.data, emb.weight.data[idx])
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad[:, 0], [1, 2, 0, 1, 0])


def test_embedding_refuses_indices_out_of_range():
    with pytest.raises(ValueError, match=r"integer indices in \[0, 5\)"):
        nn.Embedding(5, 2)(np.array([0, 5]))


def test_flatten_merges_all_but_the_batch_dimension():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)


def test_tanh_and_relu_apply_elementwise():
    x = Tensor(np.array([[-1.0, 0.5]]))
    np.testing.assert_array_equal(nn.Tanh()(x).data, np.tanh(x.data))
    np.testing.assert_array_equal(nn.ReLU()(x).data, [[0.0, 0.5]])


def test_float32_layers_keep_float32_through_a_training_step():
    model = nn.Sequential(
        nn.Embedding(10, 4, dtype=np.float32),
        nn.Flatten(),
        nn.Linear(8, 6, dtype=np.float32),
        nn.BatchNorm1d(6, dtype=np.float32),
        nn.LayerNorm(6, dtype=np.float32),
        nn.Tanh(),
        nn.Linear(6, 3, dtype=np.float32),
    )
    logits = model(np.array([[1, 2], [3, 4], [5, 6]]))
    assert logits.dtype == np.float32
    logits.cross_entropy(np.array([0, 1, 2])).backward()
    assert all(p.grad.dtype == np.float32 for p in model.parameters())
    assert all(b.dtype in (np.float32, np.int64) for b in model.buffers())
