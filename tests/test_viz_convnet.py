"""A conv net's picture, collapsed per module: one box per layer, arrows in layer order."""

import re

from tinygrad_bn.viz import to_dot
from tinygrad_bn.viz_examples import build


def test_the_convnet_step_collapsed_two_deep_draws_one_box_per_module_in_order():
    scene = build("convnet-step")
    net = scene.parts["model"]
    dot = to_dot(scene.root, collapse=2)
    boxes = dict(re.findall(r"\t+(g\d+) \[.*?<b>(.+?)</b>", dot))
    expected = [f"{type(m).__name__} ({i})" for i, m in enumerate(net)]
    assert sorted(boxes.values()) == sorted(expected)
    by_name = {name: box for box, name in boxes.items()}
    chain = [(by_name[a], by_name[b]) for a, b in zip(expected, expected[1:])]
    assert sorted(re.findall(r"\t(g\d+) -> (g\d+)", dot)) == sorted(chain)


def test_the_convnet_step_drawn_in_full_shows_the_convolution_ops():
    dot = to_dot(build("convnet-step").root)
    for op in ("conv2d", "max_pool2d", "avg_pool2d", "pad"):
        assert f'label="{op}"' in dot
