"""Pictures of the graph: what the DOT text says, checked without Graphviz's `dot`.

`parse` reads the DOT text back into nodes, edges and clusters, so each test
states one rule of the picture: which boxes exist, what they say, where the
arrows go, which cluster holds what.
"""

import html
import math
import re
from collections import namedtuple

import graphviz
import numpy as np
import pytest

from tinygrad_bn import Tensor, Value, cat, group, topological_order, viz
from tinygrad_bn.viz import ROLES, GraphTooBigError, draw_dot, to_dot

Edge = namedtuple("Edge", ["tail", "head", "attrs"])
Dot = namedtuple("Dot", ["nodes", "edges", "clusters", "legend"])


def parse(dot):
    """nodes {id: attributes}, edges [Edge], clusters {id: {label, nodes, parent}}, legend."""
    nodes, edges, clusters, stack, legend = {}, [], {}, [], ""
    for line in dot.splitlines():
        s = line.strip()
        if m := re.fullmatch(r"subgraph (cluster_\w+) \{", s):
            clusters[m[1]] = {"label": None, "nodes": set(), "parent": stack[-1] if stack else None}
            stack.append(m[1])
        elif s == "}":
            if stack:
                stack.pop()
        elif m := re.fullmatch(r"(\w+) -> (\w+)(?: \[(.*)\])?", s):
            edges.append(Edge(m[1], m[2], m[3] or ""))
        elif stack and (m := re.match(r'label="((?:[^"\\]|\\.)*)"', s)):
            clusters[stack[-1]]["label"] = m[1]
        elif m := re.fullmatch(r"(\w+) \[(.*)\]", s):
            if m[1] not in ("graph", "node", "edge"):
                nodes[m[1]] = m[2]
                for c in stack:
                    clusters[c]["nodes"].add(m[1])
        elif s.startswith("label=<") and not stack:
            legend = text_of(s)
    return Dot(nodes, edges, clusters, legend)


def text_of(attrs):
    """The words a node shows: its HTML label without tags, or its quoted label."""
    if m := re.search(r"label=<(.*)>", attrs):
        return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", m[1])).split())
    m = re.search(r'label="((?:[^"\\]|\\.)*)"', attrs)
    return m[1] if m else ""


def fill(attrs):
    m = re.search(r'(?:bgcolor|fillcolor)="(#\w+)"', attrs)
    return m[1] if m else None


def ops(dot):
    return {k: text_of(v) for k, v in dot.nodes.items() if k.startswith("o")}


def values(dot):
    return {k: v for k, v in dot.nodes.items() if k.startswith("v")}


def by_label(dot, label):
    """The id of the one data node whose text starts with `label`."""
    found = [k for k, v in values(dot).items() if text_of(v).split(" ")[0] == label]
    assert len(found) == 1, f"{len(found)} nodes labelled {label!r}"
    return found[0]


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = (
        Value(-3.0, label="w1"),
        Value(1.0, label="w2"),
        Value(6.8813735870195432, label="b"),
    )
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o, (x1, x2, w1, w2, b)


# ---- one box per number, one oval per op, arrows from inputs to ops to results -------------


def test_value_box_shows_label_data_and_grad():
    o, _ = neuron()
    dot = parse(to_dot(o))
    assert (
        text_of(dot.nodes[by_label(dot, "o")])
        == f"o data {math.tanh(0.8813735870195432):.4f} grad 1.0000"
    )
    assert text_of(dot.nodes[by_label(dot, "n")]) == f"n data 0.8814 grad {1 - o.data**2:.4f}"


def test_every_node_is_drawn_once_with_an_op_oval_for_each_computed_one():
    o, _ = neuron()
    order = topological_order(o)
    dot = parse(to_dot(o))
    computed = [node for node in order if node._prev]
    assert len(values(dot)) == len(order)
    assert sorted(ops(dot).values()) == sorted(node._op for node in computed)
    assert len(dot.edges) == len(computed) + sum(len(node._prev) for node in computed)


def test_arrows_run_from_inputs_into_the_op_and_from_the_op_to_its_result():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b
    c.label = "c"
    dot = parse(to_dot(c))
    va, vb, vc = by_label(dot, "a"), by_label(dot, "b"), by_label(dot, "c")
    op = next(iter(ops(dot)))
    assert {(e.tail, e.head) for e in dot.edges} == {(va, op), (vb, op), (op, vc)}


def test_an_input_used_twice_gets_two_arrows():
    x = Value(3.0, label="x")
    y = x * x
    dot = parse(to_dot(y))
    vx = by_label(dot, "x")
    assert [e.tail for e in dot.edges if e.head.startswith("o")] == [vx, vx]


def test_node_ids_are_places_in_the_walk_so_equal_graphs_give_equal_text():
    first, second = neuron()[0], neuron()[0]
    assert to_dot(first) == to_dot(second)
    ids = sorted(int(k[1:]) for k in values(parse(to_dot(first))))
    assert ids == list(range(len(topological_order(first))))


def test_equal_numbers_with_equal_labels_stay_separate_nodes():
    a, b = Value(1.0, label="same"), Value(1.0, label="same")
    dot = parse(to_dot(a + b))
    assert sum(text_of(v).startswith("same") for v in values(dot).values()) == 2


@pytest.mark.parametrize(
    "make, op",
    [
        (lambda a, b: a - b, "-"),
        (lambda a, b: a / b, "/"),
        (lambda a, b: a**b, "**"),
        (lambda a, b: a.reshape(1, 2) @ b.reshape(2, 1), "@"),
    ],
)
def test_arrows_into_an_op_whose_arguments_do_not_commute_say_which_is_a_and_b(make, op):
    a = Tensor([1.0, 2.0], requires_grad=True, label="a")
    b = Tensor([3.0, 4.0], requires_grad=True, label="b")
    dot = parse(to_dot(make(a, b)))
    op_id = next(k for k, t in ops(dot).items() if t == f"a {op} b")
    into = {e.tail: e.attrs for e in dot.edges if e.head == op_id}
    tails = {e.tail for e in dot.edges if e.head == op_id}
    first = (
        by_label(dot, "a")
        if op != "@"
        else next(e.tail for e in dot.edges if e.head == op_id and 'label="a"' in e.attrs)
    )
    assert 'label="a"' in into[first] and len(tails) == 2
    assert sum('label="b"' in attrs for attrs in into.values()) == 1


def test_value_power_with_a_value_exponent_labels_base_and_exponent():
    base, exponent = Value(2.0, label="base"), Value(3.0, label="exponent")
    dot = parse(to_dot(base**exponent))
    edges = {e.tail: e.attrs for e in dot.edges if e.head.startswith("o")}
    assert (
        edges[by_label(dot, "base")] == 'label="a"'
        and edges[by_label(dot, "exponent")] == 'label="b"'
    )


def test_subtracting_a_node_from_itself_draws_both_labelled_arrows():
    x = Tensor([1.0], requires_grad=True, label="x")
    dot = parse(to_dot(x - x))
    vx = by_label(dot, "x")
    assert sorted(e.attrs for e in dot.edges if e.tail == vx) == ['label="a"', 'label="b"']


def test_cat_numbers_its_arrows_in_argument_order():
    parts = [Tensor([float(k)], requires_grad=True, label=f"p{k}") for k in range(3)]
    dot = parse(to_dot(cat(parts)))
    for k in range(3):
        (edge,) = [e for e in dot.edges if e.tail == by_label(dot, f"p{k}")]
        assert edge.attrs == f'label="{k}"'


def test_commutative_ops_have_unlabelled_arrows():
    o, _ = neuron()
    assert all(e.attrs == "" for e in parse(to_dot(o)).edges)


# ---- tensors: shape, dtype and a compact view of the numbers ----------------------------------


def test_small_tensor_box_shows_label_shape_dtype_and_every_number():
    x = Tensor(np.array([[1.5, -2.0], [0.25, 4.0]]), requires_grad=True, label="x")
    y = (x * x).sum()
    y.backward()
    text = text_of(parse(to_dot(y)).nodes[by_label(parse(to_dot(y)), "x")])
    assert text.startswith("x (2, 2) float64 data")
    numbers = [float(t) for t in re.findall(r"-?\d+\.\d+", text)]
    assert numbers == [*x.data.ravel(), *x.grad.ravel()]


def test_large_tensor_box_shows_mean_std_min_max():
    data = np.random.default_rng(0).normal(size=(20, 30))
    x = Tensor(data, requires_grad=True, label="big")
    y = x.tanh().sum()
    y.backward()
    dot = parse(to_dot(y))
    text = text_of(dot.nodes[by_label(dot, "big")])
    expected = (
        f"mean {data.mean():.4f} std {data.std():.4f} min {data.min():.4f} max {data.max():.4f}"
    )
    assert expected in text
    assert "[" not in text  # no rows of numbers


def test_float32_and_integer_tensors_name_their_dtype():
    x = Tensor(np.ones((2, 2), np.float32), requires_grad=True, label="x32")
    dot = parse(to_dot(x * 2))
    assert "x32 (2, 2) float32" in text_of(dot.nodes[by_label(dot, "x32")])
    table = Tensor(np.ones((5, 2)), requires_grad=True, label="table")
    dot = parse(to_dot(table[np.array([0, 4])]))
    assert "table (5, 2) float64" in text_of(dot.nodes[by_label(dot, "table")])


def test_grad_of_a_tensor_before_backward_reads_none():
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    dot = parse(to_dot(x * 3))
    assert text_of(dot.nodes[by_label(dot, "x")]).endswith("grad None")


def test_data_and_grads_can_be_left_out():
    o, _ = neuron()
    text = to_dot(o, show_data=False, show_grad=False)
    assert "data " not in text and "grad " not in text
    assert "grad " not in to_dot(o, show_grad=False) and "data " in to_dot(o, show_grad=False)


def test_labels_are_escaped_for_html():
    a = Value(1.0, label="<a & b>")
    dot = parse(to_dot(a * 2))
    assert any(text_of(v).startswith("<a & b>") for v in values(dot).values())


# ---- colours and the legend --------------------------------------------------------------------


def test_boxes_are_coloured_by_role():
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    x = Tensor([3.0, 4.0], label="x")
    h = w * x
    h.label = "h"
    loss = h.sum()
    loss.label = "loss"
    dot = parse(to_dot(loss))
    assert fill(dot.nodes[by_label(dot, "w")]) == ROLES["leaf"][0]
    assert fill(dot.nodes[by_label(dot, "x")]) == ROLES["input"][0]
    assert fill(dot.nodes[by_label(dot, "h")]) == ROLES["intermediate"][0]
    assert fill(dot.nodes[by_label(dot, "loss")]) == ROLES["output"][0]


def test_values_passed_as_inputs_are_coloured_as_inputs():
    o, (x1, x2, w1, *_) = neuron()
    dot = parse(to_dot(o, inputs=[x1, x2]))
    assert fill(dot.nodes[by_label(dot, "x1")]) == ROLES["input"][0]
    assert fill(dot.nodes[by_label(dot, "w1")]) == ROLES["leaf"][0]


def test_legend_names_each_colour_in_the_picture_and_no_other():
    o, (x1, x2, *_) = neuron()
    legend = parse(to_dot(o, inputs=[x1, x2])).legend
    for role in ("leaf", "input", "intermediate", "output"):
        assert ROLES[role][1] in legend
    assert ROLES["fused"][1] not in legend
    assert parse(to_dot(o, legend=False)).legend == ""


def test_the_legend_draws_an_op_as_the_picture_does_and_explains_dashed_arrows():
    o, (x1, x2, *_) = neuron()
    text = to_dot(o, inputs=[x1, x2])
    op_lines = [line for line in text.splitlines() if re.match(r"\s*o\d+ \[", line)]
    assert op_lines and all(viz.OP_SHAPE in line for line in op_lines)
    assert 'style="rounded"' in re.search(r"<td[^>]*>op</td>", text)[0]  # the same rounded box
    assert "dashed" not in parse(text).legend  # no dashed arrow drawn, none explained
    x = Tensor([1.0, -2.0], requires_grad=True, label="x")
    y = x * x
    saved = parse(to_dot(y, show_saved=True)).legend
    assert viz.DASHED["saved line"][1] in saved and viz.DASHED["feeds"][1] not in saved
    fed = parse(to_dot(y, feeds=[(Tensor([0, 1]), y, "indices")])).legend
    assert viz.DASHED["feeds"][1] in fed and viz.DASHED["saved line"][1] not in fed


# ---- groups become clusters; collapse folds them ------------------------------------------------


def grouped_graph():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True, label="x")
    with group("outer"):
        h = x * 2
        with group("inner"):
            h = h.exp()
            h = h + 1
    out = h.sum()
    out.label = "out"
    return out


def test_nodes_built_in_a_group_sit_in_a_cluster_labelled_with_its_name():
    dot = parse(to_dot(grouped_graph()))
    labels = {c["label"]: c for c in dot.clusters.values()}
    assert set(labels) == {"outer", "inner"}
    inner_id = next(k for k, c in dot.clusters.items() if c["label"] == "inner")
    assert labels["inner"]["parent"] == next(
        k for k, c in dot.clusters.items() if c["label"] == "outer"
    )
    assert sorted(ops(dot)[k] for k in labels["inner"]["nodes"] if k.startswith("o")) == [
        "+",
        "exp",
    ]
    assert sorted(
        ops(dot)[k]
        for k in labels["outer"]["nodes"] - dot.clusters[inner_id]["nodes"]
        if k.startswith("o")
    ) == ["*"]
    assert (
        by_label(dot, "x") not in labels["outer"]["nodes"]
        and by_label(dot, "out") not in labels["outer"]["nodes"]
    )


def test_a_function_decorated_with_group_draws_as_a_cluster():
    @group("square-plus-one")
    def square_plus_one(v):
        return v * v + 1

    y = square_plus_one(Value(3.0, label="v"))
    dot = parse(to_dot(y))
    (cluster,) = dot.clusters.values()
    assert cluster["label"] == "square-plus-one"
    assert sorted(ops(dot)[k] for k in cluster["nodes"] if k.startswith("o")) == ["*", "+"]


def test_collapse_folds_each_top_level_group_into_one_box_with_one_arrow_per_pair():
    dot = parse(to_dot(grouped_graph(), collapse=True))
    assert dot.clusters == {}
    (box,) = [k for k in dot.nodes if k.startswith("g")]
    assert text_of(dot.nodes[box]) == "outer 3 ops folded in"
    x, out = by_label(dot, "x"), by_label(dot, "out")
    (sum_op,) = ops(dot)
    assert sorted((e.tail, e.head) for e in dot.edges) == sorted(
        [(x, box), (box, sum_op), (sum_op, out)]
    )


def test_collapse_by_name_folds_only_the_named_group():
    dot = parse(to_dot(grouped_graph(), collapse=["outer/inner"]))
    (outer,) = dot.clusters.values()
    assert outer["label"] == "outer"
    (box,) = [k for k in dot.nodes if k.startswith("g")]
    assert text_of(dot.nodes[box]) == "inner 2 ops folded in" and box in outer["nodes"]
    assert sorted(ops(dot).values()) == ["*", "sum"]


def test_collapse_with_a_depth_folds_the_groups_that_deep_inside_their_clusters():
    assert to_dot(grouped_graph(), collapse=2) == to_dot(grouped_graph(), collapse=["outer/inner"])
    with pytest.raises(
        ValueError, match="collapse=0: give True, a depth of 1 or more, or a list of group names"
    ):
        to_dot(grouped_graph(), collapse=0)


def test_the_drawn_node_stays_visible_when_its_group_is_collapsed():
    x = Value(1.0, label="x")
    with group("all"):
        y = (x * 2).tanh()
    y.label = "y"
    dot = parse(to_dot(y, collapse=True))
    assert by_label(dot, "y")


# ---- size limit, long graphs ---------------------------------------------------------------------


def chain(n):
    x = Value(0.5, label="x")
    for _ in range(n):
        x = x * 1.0001
    return x


def test_a_graph_far_deeper_than_the_recursion_limit_becomes_dot_text():
    root = chain(20_000)
    dot = parse(to_dot(root))
    assert len(values(dot)) == len(topological_order(root)) == 40_001


def test_too_many_nodes_is_refused_with_a_message_saying_how_to_collapse_or_raise_the_limit():
    with pytest.raises(GraphTooBigError) as error:
        draw_dot(chain(2_000))
    message = str(error.value)
    assert "more than 2,000 shapes" in message and "max_nodes=2,000" in message
    assert "collapse=True" in message and "max_nodes=None" in message


def test_refusing_a_big_graph_stops_counting_once_the_limit_is_passed(monkeypatch):
    big = chain(5_000)  # 15,001 shapes
    walked = []
    monkeypatch.setattr(viz, "topological_order", lambda root: walked.append(root) or [])
    with pytest.raises(GraphTooBigError, match="counting stopped at 101"):
        draw_dot(big, max_nodes=100)
    assert walked == []  # the full walk never started


def test_the_refusal_names_the_groups_that_collapse_would_fold():
    with pytest.raises(
        GraphTooBigError, match=r"collapse=True to fold each of its groups \(outer\)"
    ):
        draw_dot(grouped_graph(), max_nodes=3)


def test_raising_the_limit_draws_the_graph():
    assert isinstance(draw_dot(chain(2_000), max_nodes=6_001), graphviz.Digraph)
    assert isinstance(draw_dot(chain(2_000), max_nodes=None), graphviz.Digraph)


# ---- fused ops and what they saved --------------------------------------------------------------


def fused_square(x):
    """A fused op as functional.batchnorm_fused makes one: one node, saves what backward needs."""

    def backward(g, x):  # d(x^2) = 2 x dx
        return (2 * x * g,)

    return Tensor._make(x.data**2, (x,), "square", backward, {"x": x.data.copy()}, fused=True)


def test_a_fused_op_is_one_purple_box_and_shows_what_it_saved_only_on_request():
    x = Tensor([1.0, -2.0], requires_grad=True, label="x")
    y = fused_square(x).sum()
    plain, saved = parse(to_dot(y)), parse(to_dot(y, show_saved=True))
    fused = [
        k for k, v in plain.nodes.items() if k.startswith("o") and fill(v) == ROLES["fused"][0]
    ]
    assert len(fused) == 1 and text_of(plain.nodes[fused[0]]) == "square fused"
    assert not any(k.startswith("s") for k in plain.nodes)
    (kept,) = [k for k in saved.nodes if k.startswith("s")]
    assert text_of(saved.nodes[kept]) == "x (2,) float64 data [ 1.0000 -2.0000]"
    (edge,) = [e for e in saved.edges if e.head == kept]
    assert edge.tail == fused[0] and "dashed" in edge.attrs
    assert ROLES["saved"][1] in saved.legend and ROLES["saved"][1] not in plain.legend


# ---- options and errors -------------------------------------------------------------------------


def test_rankdir_sets_the_direction_and_refuses_anything_else():
    o, _ = neuron()
    assert "rankdir=TB" in to_dot(o, rankdir="TB") and "rankdir=LR" in to_dot(o)
    with pytest.raises(ValueError, match="rankdir must be 'LR'.*'TB'.*got 'BT'"):
        to_dot(o, rankdir="BT")


def test_draw_dot_gives_a_digraph_whose_source_is_to_dot():
    o, _ = neuron()
    picture = draw_dot(o)
    assert isinstance(picture, graphviz.Digraph)
    assert picture.source == to_dot(o)


def test_drawing_something_that_is_not_a_node_names_what_was_given():
    with pytest.raises(
        TypeError, match=r"draws a Value or a Tensor \(or a list of them\), got float"
    ):
        to_dot([1.0, 2.0])


def test_value_and_tensor_draw_themselves_for_notebooks():
    o, (x1, x2, *_) = neuron()
    assert o.draw(inputs=[x1, x2]).source == to_dot(o, inputs=[x1, x2])
    t = Tensor([1.0, 2.0], requires_grad=True, label="t")
    y = (t * t).sum()
    assert isinstance(y.draw(), graphviz.Digraph) and y.draw(rankdir="TB").source == to_dot(
        y, rankdir="TB"
    )


def test_a_number_lifted_into_a_tensor_is_a_constant_leaf_not_an_input():
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    dot = parse(to_dot(x + 1e-5))
    (constant,) = [v for v in values(dot).values() if text_of(v).startswith("constant")]
    assert (
        text_of(constant) == "constant () float64 data 1.000e-05"
        and fill(constant) == ROLES["constant"][0]
    )


def test_a_list_of_roots_is_drawn_as_one_picture_with_shared_nodes_once():
    x = Value(2.0, label="x")
    first, second = x * 3, x + 1
    first.label, second.label = "first", "second"
    dot = parse(to_dot([first, second]))
    assert len(values(dot)) == 5  # x, the constants 3 and 1, first, second
    for name in ("first", "second"):
        assert fill(dot.nodes[by_label(dot, name)]) == ROLES["output"][0]
    assert sum(e.tail == by_label(dot, "x") for e in dot.edges) == 2


def test_nan_and_infinity_print_as_such():
    dot = parse(to_dot(Value(float("nan"), label="n") + Value(float("inf"), label="i")))
    assert text_of(dot.nodes[by_label(dot, "n")]).startswith(
        "n data nan"
    ) and "data inf" in text_of(dot.nodes[by_label(dot, "i")])


def test_micrograds_own_values_can_be_drawn_too():
    engine = pytest.importorskip("micrograd.engine")
    a, b = engine.Value(2.0), engine.Value(-3.0)
    # micrograd 0.1.0 has no label argument; its Values take any attribute
    a.label, b.label = "a", "b"
    c = a * b
    c.backward()
    dot = parse(to_dot(c))
    assert text_of(dot.nodes[by_label(dot, "a")]) == "a data 2.0000 grad -3.0000"
    assert sorted(ops(dot).values()) == ["*"] and len(dot.edges) == 3


def test_micrograds_unlabelled_leaves_are_leaves_with_grads_not_constants():
    engine = pytest.importorskip("micrograd.engine")
    a, b = engine.Value(2.0), engine.Value(-3.0)
    c = a * b
    c.backward()
    boxes = [v for k, v in parse(to_dot(c)).nodes.items() if k.startswith("v")]
    leaves = [v for v in boxes if fill(v) == ROLES["leaf"][0]]
    assert sorted(text_of(v) for v in leaves) == [
        "data -3.0000 grad 2.0000",
        "data 2.0000 grad -3.0000",
    ]
