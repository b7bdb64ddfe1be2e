"""A conv net's picture, collapsed per module: one box per layer, arrows in layer order."""

import re

import numpy as np

from tinygrad_bn import Tensor, nn
from tinygrad_bn.viz import to_dot


def test_a_conv_net_collapsed_two_deep_draws_one_box_per_module_in_order():
    nn.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1),
        nn.BatchNorm2d(2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(2, 2, 3, padding=1),
        nn.GroupNorm(1, 2),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(2, 3),
    )
    x = Tensor(np.random.default_rng(0).standard_normal((2, 1, 4, 4)), requires_grad=True)
    dot = to_dot(net(x).cross_entropy(np.array([0, 2])), collapse=2)
    boxes = dict(re.findall(r"\t+(g\d+) \[.*?<b>(.+?)</b>", dot))
    expected = [f"{type(m).__name__} ({i})" for i, m in enumerate(net)]
    assert sorted(boxes.values()) == sorted(expected)
    arrows = re.findall(r"\t(g\d+) -> (g\d+)", dot)
    by_name = {name: box for box, name in boxes.items()}
    chain = [(by_name[a], by_name[b]) for a, b in zip(expected, expected[1:])]
    assert sorted(arrows) == sorted(chain)
