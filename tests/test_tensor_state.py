"""State that PyTorch habits rely on: Tensor(...) copies like torch.tensor, the version
counter makes backward() refuse saved tensors changed in place, grad mode is per thread."""

import threading

import numpy as np
import pytest

from tinygrad_bn import Tensor, from_numpy, is_grad_enabled, no_grad, stack
from tinygrad_bn.nn import BatchNorm1d, Linear
from tinygrad_bn.optim import SGD, Adam

torch = pytest.importorskip("torch")


# ---- construction ----------------------------------------------------------------------


def test_a_tensor_copies_the_callers_array_as_torch_tensor_does():
    array = np.array([1.0, 2.0])
    t = Tensor(array, requires_grad=True)
    t.grad = np.ones(2)
    SGD([t], lr=0.5).step()
    np.testing.assert_array_equal(array, [1.0, 2.0])
    np.testing.assert_array_equal(t.data, [0.5, 1.5])


def test_from_numpy_shares_memory_as_torch_from_numpy_does():
    array = np.array([1.0, 2.0])
    for t in (Tensor.from_numpy(array), from_numpy(array)):
        assert t.data is array
    shared = from_numpy(array)
    with no_grad():
        shared.add_(1.0)
    np.testing.assert_array_equal(array, [2.0, 3.0])


def test_a_tensor_of_a_read_only_array_trains():
    array = np.array([1.0, 2.0])
    array.flags.writeable = False
    t = Tensor(array, requires_grad=True)
    t.grad = np.ones(2)
    SGD([t], lr=1.0).step()
    np.testing.assert_array_equal(t.data, [0.0, 1.0])


def test_an_optimiser_refuses_a_shared_read_only_array_before_changing_anything():
    array = np.array([1.0, 2.0])
    array.flags.writeable = False
    first, shared = Tensor([5.0], requires_grad=True), from_numpy(array, requires_grad=True)
    first.grad, shared.grad = np.ones(1), np.ones(2)
    with pytest.raises(ValueError, match="read-only numpy array"):
        SGD([first, shared], lr=1.0).step()
    assert first.data[0] == 5.0 and first._version == 0


def test_a_list_of_one_element_tensors_becomes_their_numbers_as_in_torch():
    t = Tensor([Tensor(1.0), Tensor(2.0)])
    expected = torch.tensor([torch.tensor(1.0), torch.tensor(2.0)])
    np.testing.assert_array_equal(t.data, expected.numpy())
    nested = Tensor([[Tensor([1.0]), 2.0], [3.0, Tensor(4.0)]])
    np.testing.assert_array_equal(nested.data, [[1.0, 2.0], [3.0, 4.0]])


def test_a_list_of_longer_tensors_is_refused_as_in_torch_with_the_way_to_join_them():
    with pytest.raises(ValueError, match="only one-element tensors.*stack"):
        Tensor([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])])
    with pytest.raises(ValueError):
        torch.tensor([torch.ones(2), torch.ones(2)])
    assert stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])]).shape == (2, 2)


@pytest.mark.parametrize(
    "data, error, message",
    [
        ("abc", TypeError, "got str"),
        (None, TypeError, "got NoneType"),
        (np.array([object()]), TypeError, "dtype object"),
        (np.array(["1.5"]), TypeError, "dtype <U3"),
        ([1.0, "a"], TypeError, "dtype <U"),
        ([[1.0, 2.0], [3.0]], ValueError, "ragged"),
        ({"a": 1}, TypeError, "got dict"),
    ],
    ids=["string", "none", "objects", "strings", "mixed_list", "ragged", "dict"],
)
def test_a_tensor_of_anything_but_numbers_is_a_clear_error(data, error, message):
    with pytest.raises(error, match=message):
        Tensor(data)


def test_a_tensor_of_a_tensor_is_a_copy():
    a = Tensor([1.0, 2.0])
    b = Tensor(a)
    b.data[0] = 9.0
    assert a.data[0] == 1.0


def test_detach_shares_the_data_as_in_torch():
    a = Tensor([1.0, 2.0], requires_grad=True)
    assert a.detach().data is a.data and not a.detach().requires_grad


# ---- the version counter ----------------------------------------------------------------


def forward_then_step(make_optimiser):
    """loss = sum(w * w * x), then an optimiser step before backward(): PyTorch raises."""
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    loss = (w * w * Tensor([3.0, 3.0])).sum()
    w.grad = np.ones(2)
    make_optimiser([w]).step()
    return w, loss


@pytest.mark.parametrize(
    "make_optimiser",
    [lambda p: SGD(p, lr=0.1), lambda p: Adam(p, lr=0.1)],
    ids=["SGD", "Adam"],
)
def test_backward_after_an_optimiser_step_raises_like_pytorch(make_optimiser):
    w, loss = forward_then_step(make_optimiser)
    grad_before = w.grad.copy()
    with pytest.raises(
        RuntimeError, match="'w' of shape \\(2,\\).*modified by an inplace|inplace operation: 'w'"
    ) as error:
        loss.backward()
    assert "before optimizer.step()" in str(error.value)
    np.testing.assert_array_equal(w.grad, grad_before)  # nothing was written
    tw = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    tloss = (tw * tw * torch.tensor([3.0, 3.0], dtype=torch.float64)).sum()
    tw.grad = torch.ones(2, dtype=torch.float64)
    torch.optim.SGD([tw], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        tloss.backward()


def test_load_state_dict_between_forward_and_backward_raises():
    layer = Linear(2, 1)
    loss = layer(Tensor([[1.0, 2.0]])).sum()
    layer.load_state_dict(layer.state_dict())
    with pytest.raises(RuntimeError, match="inplace operation: the 'T' of 'weight'"):
        loss.backward()


@pytest.mark.parametrize(
    "change",
    [
        lambda t: setattr(t, "data", t.data * 2),
        lambda t: t.fill_(0.0),
        lambda t: t.zero_(),
        lambda t: t.copy_([5.0, 6.0]),
        lambda t: t.add_(1.0, alpha=2),
        lambda t: t.mul_(3.0),
    ],
    ids=["assign_data", "fill_", "zero_", "copy_", "add_", "mul_"],
)
def test_every_in_place_change_bumps_the_version(change):
    t = Tensor([1.0, 2.0])
    change(t)
    assert t._version == 1


def test_in_place_data_arithmetic_bumps_the_version_as_the_micrograd_habit_writes_it():
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    w.data -= 0.1 * np.ones(2)  # p.data -= lr * p.grad, between forward and backward
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0"):
        loss.backward()


def test_changing_an_output_that_its_op_saved_is_refused():
    x = Tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()  # exp's backward reads its own output
    loss = y.sum()
    y.data += 1.0
    with pytest.raises(RuntimeError, match="its own output, saved as 'out' by 'exp'"):
        loss.backward()


def test_an_unchanged_graph_and_a_fresh_forward_after_the_step_both_work():
    w = Tensor([1.0, 2.0], requires_grad=True)
    x = Tensor([3.0, 3.0])
    optimiser = SGD([w], lr=0.1)
    for _ in range(2):
        optimiser.zero_grad()
        (w * w * x).sum().backward()  # forward, backward, then step: the usual order
        np.testing.assert_allclose(w.grad, 6.0 * w.data, rtol=1e-15)
        optimiser.step()


def test_an_in_place_change_of_a_tensor_that_requires_grad_needs_no_grad():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="inside `with no_grad\\(\\):`"):
        w.add_(1.0)
    with no_grad():
        w.add_(1.0)
    np.testing.assert_array_equal(w.data, [2.0, 3.0])


def test_copy_of_the_wrong_shape_is_a_shape_error_catchable_as_runtime_error():
    t = Tensor([1.0, 2.0])
    for values in ([1.0, 2.0, 3.0], [[1.0], [2.0]]):
        with pytest.raises(RuntimeError, match="do not fit a tensor of shape \\(2,\\)"):
            t.copy_(values)
    assert t._version == 0 and list(t.data) == [1.0, 2.0]


def test_batchnorm_running_statistics_updates_bump_their_versions():
    bn = BatchNorm1d(2)
    bn(Tensor(np.random.default_rng(0).standard_normal((4, 2))))
    assert bn.running_mean._version == 1 and bn.running_var._version == 1


# ---- grad mode --------------------------------------------------------------------------


def test_no_grad_in_one_thread_leaves_another_threads_graph_alone():
    inside, other_thread = threading.Event(), {}

    def record():
        inside.wait(timeout=10)
        other_thread["enabled"] = is_grad_enabled()
        other_thread["requires_grad"] = (Tensor([1.0], requires_grad=True) * 2).requires_grad

    worker = threading.Thread(target=record)
    worker.start()
    with no_grad():
        inside.set()
        worker.join(timeout=10)
        assert not is_grad_enabled()
    assert other_thread == {"enabled": True, "requires_grad": True}


def test_no_grad_is_a_decorator_with_or_without_parentheses_and_a_context_manager():
    w = Tensor([1.0], requires_grad=True)

    @no_grad
    def bare():
        return w * 2

    @no_grad()
    def called():
        return w * 2

    with no_grad():
        inside = w * 2
    assert not bare().requires_grad and not called().requires_grad and not inside.requires_grad
    assert bare.__name__ == "bare" and is_grad_enabled() and (w * 2).requires_grad


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(KeyError):
        with no_grad():
            raise KeyError("x")
    assert is_grad_enabled()
