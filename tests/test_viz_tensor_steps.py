"""The step-through of a Tensor graph: its steps are Tensor.backward()'s, op by op, and what they
add up to is backward()'s grads, on every ready-made Tensor graph and on every op of the table."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_table import OPS, op_inputs
from test_viz import parse, text_of, values

from tinygrad_bn import Tensor, topological_order
from tinygrad_bn.functional import batchnorm_fused
from tinygrad_bn.viz_examples import build
from tinygrad_bn.viz_steps import backward_steps, step_frames
from tinygrad_bn.viz_tensor_steps import RULES, local_rule

TENSOR_EXAMPLES = [
    "batchnorm-composed",
    "batchnorm-fused",
    "batchnorm-side-by-side",
    "makemore-step",
]


def roots_of(root):
    return list(root) if isinstance(root, list) else [root]


def replay(steps):
    """node -> the grad the steps leave it with; checks each += on the way."""
    final = {}
    for step in steps:
        final[step.node] = step.grad
        for add in step.additions:
            expected = add.share if add.before is None else add.before + add.share
            assert add.after.shape == add.input.shape and np.array_equal(add.after, expected)
            final[add.input] = add.after
    return final


def assert_grads_match_backward(root, steps):
    final = replay(steps)
    checked = 0
    for r in roots_of(root):
        for node in topological_order(r):
            if node.requires_grad:
                scale = max(1.0, float(np.abs(node.grad).max()))
                assert np.abs(final[node] - node.grad).max() <= 1e-12 * scale
                checked += 1
            else:
                assert node not in final  # backward() keeps no grad for it, nor do the steps
    assert checked >= 3


@pytest.mark.parametrize("name", TENSOR_EXAMPLES)
def test_the_steps_of_every_ready_made_tensor_graph_add_up_to_backwards_grads(name):
    scene = build(name)  # its backward() has run: every grad is backward()'s own
    steps = backward_steps(scene.root)
    computed = [n for r in roots_of(scene.root) for n in reversed(topological_order(r)) if n._prev]
    assert [s.node for s in steps] == computed  # one op node a step, in backward()'s order
    assert_grads_match_backward(scene.root, steps)


@pytest.mark.parametrize("name", TENSOR_EXAMPLES)
def test_stepping_a_tensor_graph_changes_no_grad_of_it(name):
    root = build(name).root
    nodes = [n for r in roots_of(root) for n in topological_order(r)]
    before = [None if n.grad is None else n.grad.copy() for n in nodes]
    backward_steps(root)
    for node, grad in zip(nodes, before):
        assert (node.grad is None and grad is None) or np.array_equal(node.grad, grad)


@settings(max_examples=3, deadline=None)
@given(data=st.data())
@pytest.mark.parametrize("op", OPS, ids=str)
def test_every_op_of_the_table_steps_to_backwards_grads_with_its_rule_written_out(op, data):
    arrays = data.draw(op_inputs(op))
    inputs = [Tensor(a, requires_grad=True, label=f"in{k}") for k, a in enumerate(arrays)]
    out = op.fn(*inputs)
    weights = np.linspace(0.5, 1.5, out.data.size).reshape(out.shape)
    loss = (out * weights).sum()  # unequal weights: every element's grad differs
    loss.backward()
    steps = backward_steps(loss)
    assert_grads_match_backward(loss, steps)
    for node in topological_order(loss):
        if node._prev:
            rule, shares = local_rule(node)
            assert not rule.startswith("its own backward"), node._op
            assert len(shares) == len(node._prev) or node._op == "cat", node._op


def test_a_tensor_input_used_twice_visibly_accumulates_twice():
    x = Tensor([1.0, -2.0], requires_grad=True, label="x")
    y = x * x
    y.label = "y"
    loss = y.sum()
    loss.label = "loss"
    _, square = backward_steps(loss)
    first, second = square.additions
    assert first.input is x and second.input is x and first.before is None
    assert np.array_equal(first.after, [1.0, -2.0]) and np.array_equal(second.before, [1.0, -2.0])
    assert np.array_equal(second.after, [2.0, -4.0])
    _, texts = step_frames(loss)
    assert texts[2][-2:] == [
        "  x.grad += g * b   empty -> [1.0000 -2.0000]",
        "  x.grad += g * a   [1.0000 -2.0000] -> [2.0000 -4.0000]",
    ]


def test_a_fused_step_writes_out_its_formula_and_each_inputs_share():
    _, texts = step_frames(build("batchnorm-fused").root)
    fused = texts[3]
    assert fused[0] == (
        "step 3 of 3: node out, op batchnorm, grad g (complete: every user passed it back)"
    )
    assert fused[2].startswith("  rule: out = gamma x_hat + beta, x_hat = (x - mean) inv_std")
    assert fused[3].startswith(
        "  x.grad += gamma inv_std / n * (n g - sum(g) - x_hat sum(g x_hat))"
    )
    assert fused[4] == (
        "  gamma.grad += sum(g * x_hat) over the batch   empty -> [-1.6260 2.7014 -1.3862]"
    )
    assert fused[5] == "  beta.grad += sum(g) over the batch   empty -> [-1.2800 -0.3900 -1.3500]"
    assert "  w needs no grad (requires_grad=False): its share is dropped" in texts[2]


def test_a_fused_batchnorm_without_gamma_names_x_and_beta():
    x = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    beta = Tensor([0.5, -0.5], requires_grad=True)
    rule, shares = local_rule(batchnorm_fused(x, None, beta))
    assert shares == (
        "gamma inv_std / n * (n g - sum(g) - x_hat sum(g x_hat))",
        "sum(g) over the batch",
    )


def test_a_broadcast_input_is_told_its_share_was_summed_back_to_its_shape():
    _, texts = step_frames(build("batchnorm-composed").root)
    assert (
        "  beta.grad += g, summed over the broadcast axes to (3,)   empty -> "
        "[-1.2800 -0.3900 -1.3500]"
    ) in texts[3]


def test_a_power_writes_its_number_into_the_rule():
    x = Tensor([4.0], requires_grad=True)
    assert local_rule(x**-0.5) == ("d(a^-0.5) = -0.5 a^-1.5 da", ("g * -0.5 a^-1.5",))
    assert local_rule(x**2) == ("d(a^2) = 2 a da", ("g * 2 a",))
    assert set(RULES) >= {"+", "*", "@", "sum", "mean", "index", "tanh", "cross_entropy"}


def test_every_tensor_frame_has_the_same_boxes_and_frame_zero_no_grad():
    frames, texts = step_frames(build("batchnorm-fused").root, **build("batchnorm-fused").options)
    assert len(frames) == len(texts) == 4
    first = [text_of(v) for v in values(parse(frames[0].source)).values()]
    grads = [t.split(" grad ", 1)[1] for t in first if " grad " in t]
    assert len(grads) == 6 and all(set(g) <= set("0 ") for g in grads)  # invisible padding
    last = [text_of(v) for v in values(parse(frames[-1].source)).values()]
    assert any("grad [-1.6260 2.7014 -1.3862]" in t for t in last)  # gamma's grad has arrived
    shapes = [len(parse(f.source).nodes) for f in frames]
    assert len(set(shapes)) == 1


def test_the_makemore_step_plays_in_eleven_frames_with_its_inputs_and_module_names():
    scene = build("makemore-step")
    frames, texts = step_frames(scene.root, **scene.options)
    assert len(frames) == 11
    assert texts[1][0].startswith("step 1 of 10: node loss, op cross_entropy")
    dot = frames[5].source
    assert "W1 = 2.weight" in dot and "#10" in dot and 'label="indices"' in dot
    assert 'label="targets"' in dot


@pytest.mark.parametrize(
    "root, message",
    [
        (lambda: Tensor([1.0, 2.0], requires_grad=True) * 2, r"a single number.*\.sum\(\)"),
        (lambda: Tensor([1.0, 2.0]).sum(), "does not require grad"),
        (lambda: np.ones(3), "Values or Tensors.*not of a ndarray"),
    ],
)
def test_what_cannot_be_played_is_refused_saying_why(root, message):
    with pytest.raises(ValueError, match=message):
        backward_steps(root())


def test_folding_groups_is_refused_since_each_frame_shows_its_node():
    with pytest.raises(ValueError, match="cannot fold groups"):
        step_frames(build("batchnorm-composed").root, collapse=True)


def test_only_the_inputs_that_receive_a_share_get_the_red_arrow_back():
    scene = build("batchnorm-fused")
    frames, _ = step_frames(scene.root, **scene.options)
    dot = parse(frames[2].source)  # step 2: w*out = out * w, and w needs no grad
    ids = {text_of(v).split(" ")[0]: k for k, v in values(dot).items()}
    into = {e.tail: e.attrs for e in dot.edges if e.head.startswith("o") and "saved" not in e.attrs}
    assert "dir=back" in into[ids["out"]] and "#d62728" in into[ids["out"]]
    assert "dir=back" not in into[ids["w"]] and "#d62728" not in into[ids["w"]]
