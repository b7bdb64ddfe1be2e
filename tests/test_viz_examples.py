"""The ready-made pictures (`tinygrad-bn graph`): their DOT text, checked without `dot`."""

import math

import numpy as np
import pytest
from test_viz import by_label, fill, ops, parse, text_of, values

from tinygrad_bn import topological_order
from tinygrad_bn.viz import ROLES, to_dot
from tinygrad_bn.viz_examples import EXAMPLES, build, draw_example


@pytest.fixture(scope="module")
def scenes():
    return {name: build(name) for name in EXAMPLES}


def walk(root):
    """Every node drawn for `root` (a node or a list of them), in the picture's order."""
    order, seen = [], set()
    for r in root if isinstance(root, list) else [root]:
        for node in topological_order(r):
            if node not in seen:
                seen.add(node)
                order.append(node)
    return order


def dot_of(scene, **options):
    return parse(to_dot(scene.root, **{**scene.options, **options}))


def cluster_named(dot, label):
    found = [c for c in dot.clusters.values() if c["label"] == label]
    assert len(found) == 1, f"{len(found)} clusters labelled {label!r}"
    return found[0]


# ---- every example ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_draws_each_node_once_with_its_op_and_a_legend(scenes, name):
    scene = scenes[name]
    order = walk(scene.root)
    computed = [n for n in order if n._prev]
    dot = dot_of(scene, show_saved=False)
    feeds = len(scene.options.get("feeds", ()))  # data an op reads outside the graph (X, Y)
    assert len(values(dot)) == len(order) + feeds
    assert len(ops(dot)) == len(computed)
    assert len(dot.edges) == len(computed) + sum(len(n._prev) for n in computed) + feeds
    assert ROLES["output"][1] in dot.legend and ROLES["leaf"][1] in dot.legend


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_fits_under_the_default_node_limit(name):
    assert draw_example(name).source.startswith("digraph")


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_has_a_summary_for_the_list(name):
    assert len(EXAMPLES[name].summary) > 20


def test_asking_for_an_unknown_example_lists_the_known_ones():
    with pytest.raises(KeyError, match="no example called 'nope'; the examples are: neuron, "):
        build("nope")


# ---- micrograd's neuron -------------------------------------------------------------------------


def test_neuron_shows_micrograds_numbers_and_colours_inputs_and_weights(scenes):
    scene = scenes["neuron"]
    dot = dot_of(scene)
    o = math.tanh(2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432)
    dn = 1 - o * o  # d tanh(n)/dn
    assert text_of(dot.nodes[by_label(dot, "o")]) == f"o data {o:.4f} grad 1.0000"
    assert text_of(dot.nodes[by_label(dot, "x1")]) == f"x1 data 2.0000 grad {-3.0 * dn:.4f}"
    assert text_of(dot.nodes[by_label(dot, "w1")]) == f"w1 data -3.0000 grad {2.0 * dn:.4f}"
    for name in ("x1", "x2"):
        assert fill(dot.nodes[by_label(dot, name)]) == ROLES["input"][0]
    for name in ("w1", "w2", "b"):
        assert fill(dot.nodes[by_label(dot, name)]) == ROLES["leaf"][0]
    assert sorted(ops(dot).values()) == ["*", "*", "+", "+", "tanh"]


def test_neuron_arrows_lead_from_the_inputs_through_tanh_to_the_output(scenes):
    dot = dot_of(scenes["neuron"])
    (tanh,) = [k for k, t in ops(dot).items() if t == "tanh"]
    heads = {e.tail: e.head for e in dot.edges}
    assert heads[by_label(dot, "n")] == tanh and heads[tanh] == by_label(dot, "o")


# ---- BatchNorm composed vs fused ----------------------------------------------------------------


def test_fused_batchnorm_is_exactly_one_node(scenes):
    dot = dot_of(scenes["batchnorm-fused"])
    batchnorm = [k for k, t in ops(dot).items() if "batchnorm" in t]
    assert len(batchnorm) == 1
    assert fill(dot.nodes[batchnorm[0]]) == ROLES["fused"][0]
    assert sorted(ops(dot).values()) == ["*", "batchnorm fused", "sum"]  # the rest is the loss


def test_fused_batchnorm_shows_the_x_hat_and_inverse_std_it_saved(scenes):
    scene = scenes["batchnorm-fused"]
    dot = dot_of(scene)
    saved = {k: text_of(v) for k, v in dot.nodes.items() if k.startswith("s")}
    assert len(saved) == 2
    x = scene.parts["x"].data
    inv_std = 1 / np.sqrt(x.var(axis=0) + 1e-5)
    (inv_text,) = [t for t in saved.values() if t.startswith("1/σ (inv_std) (1, 3)")]
    assert inv_text.split("data ")[1] == "[" + " ".join(f"{v:.4f}" for v in inv_std) + "]"
    assert any(t.startswith("x̂ (x_hat) (4, 3)") for t in saved.values())


def test_composed_batchnorm_has_every_primitive_inside_one_labelled_cluster(scenes):
    scene = scenes["batchnorm-composed"]
    dot = dot_of(scene)
    (cluster,) = dot.clusters.values()
    assert cluster["label"] == "BatchNorm (composed)"
    order = topological_order(scene.root)
    inside = {
        f"o{i}" for i, n in enumerate(order) if n._prev and n._group == "BatchNorm (composed)"
    }
    # mean, x - mean, square, mean, + eps, ** -0.5, * inv_std, * gamma, + beta
    assert len(inside) >= 8
    assert {k for k in cluster["nodes"] if k.startswith("o")} == inside
    outside = sorted(t for k, t in ops(dot).items() if k not in inside)
    assert outside == ["*", "sum"]  # only the loss: sum(w * y)
    assert {"mean", "a - b", "**-0.5"} <= {ops(dot)[k] for k in inside}


def parameter_boxes(dot):
    return {
        text_of(v).split(" ")[0]: text_of(v)
        for k, v in values(dot).items()
        if fill(v) == ROLES["leaf"][0] and "constant" not in text_of(v)
    }


def test_composed_and_fused_show_the_same_parameters_with_the_same_grads(scenes):
    composed, fused = scenes["batchnorm-composed"], scenes["batchnorm-fused"]
    for name in ("gamma", "beta", "x"):
        np.testing.assert_allclose(
            composed.parts[name].grad, fused.parts[name].grad, rtol=0, atol=1e-10
        )
    boxes_c, boxes_f = parameter_boxes(dot_of(composed)), parameter_boxes(dot_of(fused))
    assert set(boxes_c) == set(boxes_f) == {"gamma", "beta"}
    assert boxes_c == boxes_f
    gamma = fused.parts["gamma"]
    assert boxes_f["gamma"].endswith("grad [" + " ".join(f"{g:.4f}" for g in gamma.grad) + "]")


def test_batchnorm_example_input_x_is_drawn_as_input_with_its_gradient(scenes):
    dot = dot_of(scenes["batchnorm-fused"])
    x = dot.nodes[by_label(dot, "x")]
    assert fill(x) == ROLES["input"][0] and "grad" in text_of(x)


def test_side_by_side_puts_each_batchnorm_with_its_own_leaves_in_its_own_cluster(scenes):
    scene = scenes["batchnorm-side-by-side"]
    dot = dot_of(scene)
    composed = cluster_named(dot, "BatchNorm composed of primitives")
    fused = cluster_named(dot, "BatchNorm fused into one node")
    assert composed["parent"] is None and fused["parent"] is None
    assert cluster_named(dot, "BatchNorm (composed)")["parent"] is not None
    index = {node: i for i, node in enumerate(walk(scene.root))}
    for side, cluster in (("composed", composed), ("fused", fused)):
        for name in ("x", "gamma", "beta", "w", "loss"):
            assert f"v{index[scene.parts[side].parts[name]]}" in cluster["nodes"]
    assert [k for k, t in ops(dot).items() if "batchnorm" in t and k in fused["nodes"]] != []
    assert not [k for k, t in ops(dot).items() if "batchnorm" in t and k in composed["nodes"]]


def test_side_by_side_shows_equal_parameter_grads_on_both_sides(scenes):
    scene = scenes["batchnorm-side-by-side"]
    dot = dot_of(scene)
    index = {node: i for i, node in enumerate(walk(scene.root))}
    for name in ("gamma", "beta", "x"):
        left, right = (scene.parts[side].parts[name] for side in ("composed", "fused"))
        np.testing.assert_allclose(left.grad, right.grad, rtol=0, atol=1e-10)
        assert text_of(dot.nodes[f"v{index[left]}"]) == text_of(dot.nodes[f"v{index[right]}"])


# ---- BatchNorm on 4x2 scalar Values -------------------------------------------------------------


def test_scalar_batchnorm_draws_every_step_inside_the_composed_cluster(scenes):
    scene = scenes["batchnorm-values"]
    dot = dot_of(scene)
    (cluster,) = dot.clusters.values()
    assert cluster["label"] == "BatchNorm (composed)"
    order = topological_order(scene.root)
    grouped = {f"v{i}" for i, n in enumerate(order) if n._group == "BatchNorm (composed)"}
    assert {k for k in cluster["nodes"] if k.startswith("v")} == grouped
    for i in range(4):
        for j in range(2):
            assert by_label(dot, f"x_hat[{i},{j}]") in cluster["nodes"]
            assert fill(dot.nodes[by_label(dot, f"x[{i},{j}]")]) == ROLES["input"][0]
    for j in range(2):
        assert fill(dot.nodes[by_label(dot, f"gamma[{j}]")]) == ROLES["leaf"][0]
        assert by_label(dot, f"inv_std[{j}]") in cluster["nodes"]


def test_scalar_batchnorm_boxes_show_the_normalised_numbers(scenes):
    scene = scenes["batchnorm-values"]
    dot = dot_of(scene)
    column = np.array([[v.data for v in row] for row in scene.parts["x"]])[:, 0]
    x_hat = (column - column.mean()) / np.sqrt(column.var() + 1e-5)
    for i in range(4):
        assert f"data {x_hat[i]:.4f} " in text_of(dot.nodes[by_label(dot, f"x_hat[{i},0]")])


def test_scalar_batchnorm_is_drawn_top_to_bottom(scenes):
    assert "rankdir=TB" in to_dot(
        scenes["batchnorm-values"].root, **scenes["batchnorm-values"].options
    )


# ---- one step of the makemore MLP ---------------------------------------------------------------


def test_makemore_step_draws_a_cluster_per_module_inside_the_model(scenes):
    dot = dot_of(scenes["makemore-step"])
    model = cluster_named(dot, "Sequential")
    modules = [
        "Embedding (0)",
        "Flatten (1)",
        "Linear (2)",
        "BatchNorm1d (3)",
        "Tanh (4)",
        "Linear (5)",
    ]
    parents = {k: c for k, c in dot.clusters.items()}
    model_id = next(k for k, c in parents.items() if c is model)
    for name in modules:
        assert cluster_named(dot, name)["parent"] == model_id
    (fused,) = [k for k, t in ops(dot).items() if t == "batchnorm fused"]
    assert fused in cluster_named(dot, "BatchNorm1d (3)")["nodes"]
    (matmul,) = [
        k
        for k, t in ops(dot).items()
        if t == "a @ b" and k in cluster_named(dot, "Linear (2)")["nodes"]
    ]


def test_makemore_step_shows_each_parameter_with_its_shape_and_the_two_fused_ops(scenes):
    scene = scenes["makemore-step"]
    dot = dot_of(scene)
    shapes = {
        "C": "(27, 10)",
        "W1": "(200, 30)",
        "bngain": "(200,)",
        "bnbias": "(200,)",
        "W2": "(27, 200)",
        "b2": "(27,)",
    }
    paths = {"C": "0", "W1": "2", "bngain": "3", "bnbias": "3", "W2": "5", "b2": "5"}
    for name, shape in shapes.items():
        node = dot.nodes[by_label(dot, name)]
        kind = "bias" if name in ("bnbias", "b2") else "weight"
        path = f"{paths[name]}.{kind}"
        assert text_of(node).startswith(f"{name} = {path} {shape} float64")
        assert fill(node) == ROLES["leaf"][0]
    fused = sorted(t for t in ops(dot).values() if "fused" in t)
    assert fused == ["batchnorm fused", "cross_entropy fused"]  # both backwards derived by hand


def test_makemore_step_summarises_large_tensors_by_their_statistics(scenes):
    scene = scenes["makemore-step"]
    dot = dot_of(scene)
    w1 = scene.parts["W1"]
    text = text_of(dot.nodes[by_label(dot, "W1")])
    assert (
        f"data mean {w1.data.mean():.4f} std {w1.data.std():.4f} "
        f"min {w1.data.min():.4f} max {w1.data.max():.4f}" in text
    )
    loss = dot.nodes[by_label(dot, "loss")]
    assert (
        text_of(loss) == f"loss () float64 data {scene.root.item():.4f} grad 1.0000"
        and fill(loss) == ROLES["output"][0]
    )


def test_makemore_step_collapses_to_one_box_for_the_model(scenes):
    scene = scenes["makemore-step"]
    dot = dot_of(scene, collapse=True)
    (box,) = [k for k in dot.nodes if k.startswith("g")]
    assert text_of(dot.nodes[box]).startswith("Sequential ")
    (op,) = [k for k, t in ops(dot).items() if t == "cross_entropy fused"]
    assert len(ops(dot)) == 1
    parameters = [by_label(dot, name) for name in ("C", "W1", "bngain", "bnbias", "W2", "b2")]
    x, y, loss = by_label(dot, "X"), by_label(dot, "Y"), by_label(dot, "loss")
    assert sorted(values(dot)) == sorted([*parameters, x, y, loss])
    expected = {(p, box) for p in parameters} | {(box, op), (op, loss), (x, box), (y, op)}
    assert sorted((e.tail, e.head) for e in dot.edges) == sorted(expected)


def test_makemore_step_draws_each_parameter_inside_its_module_and_x_y_as_inputs(scenes):
    dot = dot_of(scenes["makemore-step"])
    homes = {"C": "Embedding (0)", "W1": "Linear (2)", "bngain": "BatchNorm1d (3)"}
    homes |= {"bnbias": "BatchNorm1d (3)", "W2": "Linear (5)", "b2": "Linear (5)"}
    for name, module in homes.items():
        assert by_label(dot, name) in cluster_named(dot, module)["nodes"]
    feeds = {(e.tail, e.head): e.attrs for e in dot.edges if "dashed" in e.attrs}
    for name, how, op in (("X", "indices", "index"), ("Y", "targets", "cross_entropy fused")):
        node = by_label(dot, name)
        assert fill(dot.nodes[node]) == ROLES["input"][0]
        ((head, attrs),) = [(h, a) for (t, h), a in feeds.items() if t == node]
        assert ops(dot)[head] == op and f'label="{how}"' in attrs


def test_a_model_drawn_on_an_input_names_parameters_by_path_inside_their_modules():
    from tinygrad_bn import nn

    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    dot = parse(model.draw(np.ones((5, 3))).source)
    for path, module in (("0", "Linear (0)"), ("2", "Linear (2)")):
        for kind in ("weight", "bias"):
            assert by_label(dot, f"{path}.{kind}") in cluster_named(dot, module)["nodes"]
    assert fill(dot.nodes[by_label(dot, "input")]) == ROLES["input"][0]
    assert fill(dot.nodes[by_label(dot, "output")]) == ROLES["output"][0]


def test_scalar_batchnorm_is_titled_as_scalars_and_its_constants_show_no_grad(scenes):
    scene = scenes["batchnorm-values"]
    dot = dot_of(scene)
    assert "BatchNorm on scalar Values" in dot.legend
    constants = [v for v in values(dot).values() if fill(v) == ROLES["constant"][0]]
    assert len(constants) >= 4 and not any("grad" in text_of(v) for v in constants)
    assert "-1" in {text_of(v) for v in constants}  # the -1 behind each subtraction
    with_grads = dot_of(scene, constant_grads=True)
    assert all("grad" in text_of(v) for v in values(with_grads).values())
