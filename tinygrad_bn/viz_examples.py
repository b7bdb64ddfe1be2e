"""Ready-made graphs to draw, and the `tinygrad-bn graph` command.

    tinygrad-bn graph --list                     # what each example shows
    tinygrad-bn graph neuron -o neuron.svg       # format from the suffix: .svg, .png, .pdf, .dot

Each example builds a small computation with fixed numbers, runs backward,
and returns a `Scene`: the node to draw, the drawing options that suit it,
and the named nodes a reader (or a test) may want to look at.
"""

import sys
from collections import namedtuple

import numpy as np

from . import functional as F
from . import nn, renderers
from .data import load_names, make_splits
from .graph import group, topological_order
from .renderers import GraphvizNotFoundError, RenderTimeoutError
from .tensor import Tensor
from .value import Value
from .viz import FORMATS, GraphTooBigError, check_output_path, draw_dot, save

Scene = namedtuple("Scene", ["root", "options", "parts"])


def neuron():
    """micrograd's neuron: o = tanh(x1 w1 + x2 w2 + b), with the numbers from its lecture."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    total = x1w1 + x2w2
    total.label = "x1*w1 + x2*w2"
    n = total + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    options = {"inputs": [x1, x2], "title": "micrograd's neuron: o = tanh(x1*w1 + x2*w2 + b)"}
    return Scene(o, options, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "o": o})


def _batchnorm_tensor(batchnorm):
    """loss = sum(w * BatchNorm(x)) on a 4x3 batch; fixed weights w make every grad non-zero."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(1.0, 2.0, (4, 3)).round(2), requires_grad=True, label="x")
    gamma = Tensor([1.0, 0.5, 2.0], requires_grad=True, label="gamma")
    beta = Tensor([0.0, 0.1, -0.2], requires_grad=True, label="beta")
    w = Tensor(rng.normal(0.0, 1.0, (4, 3)).round(2), label="w")
    y = batchnorm(x, gamma, beta)
    weighted = y * w
    weighted.label = "w*out"
    loss = weighted.sum()
    loss.label = "loss"
    loss.backward()
    return Scene(
        loss, {"inputs": [x]}, {"x": x, "gamma": gamma, "beta": beta, "w": w, "y": y, "loss": loss}
    )


def batchnorm_composed():
    """BatchNorm built from Tensor primitives: mean, x - mean, squares, var, 1/sqrt, scale, shift;
    drawn top to bottom (the chain of a dozen steps would be a strip left to right)."""
    scene = _batchnorm_tensor(F.batchnorm_composed)
    title = "BatchNorm composed of Tensor primitives, on a 4x3 batch"
    return scene._replace(options={**scene.options, "rankdir": "TB", "title": title})


def batchnorm_fused():
    """The same BatchNorm as one fused node, with what it saved for backward (x_hat, inv_std)."""
    scene = _batchnorm_tensor(F.batchnorm_fused)
    title = "BatchNorm as one fused op, on a 4x3 batch"
    return scene._replace(options={**scene.options, "show_saved": True, "title": title})


def batchnorm_side_by_side():
    """Composed and fused BatchNorm on the same numbers in one picture, each in a cluster."""
    sides = {}
    for name, batchnorm in (
        ("composed of primitives", F.batchnorm_composed),
        ("fused into one node", F.batchnorm_fused),
    ):
        with group(f"BatchNorm {name}"):
            sides[name] = _batchnorm_tensor(batchnorm)
    composed, fused = sides.values()
    options = {
        "inputs": [composed.parts["x"], fused.parts["x"]],
        "show_saved": True,
        "rankdir": "TB",
        "grad_beside": False,
        "title": "BatchNorm composed and fused, on the same numbers",
    }
    return Scene([composed.root, fused.root], options, {"composed": composed, "fused": fused})


def batchnorm_values():
    """BatchNorm on a 4x2 batch of scalar Values, every addition and product a node;
    loss = sum(w * out) with fixed weights w, so that every gradient is non-zero."""
    data = [[1.0, -2.0], [3.0, 0.5], [-0.5, 1.5], [2.5, 4.0]]
    weights = [[0.5, -1.0], [1.0, 0.25], [-0.75, 0.5], [0.25, 1.0]]
    x = [[Value(v, label=f"x[{i},{j}]") for j, v in enumerate(row)] for i, row in enumerate(data)]
    gamma = [Value(1.0, label="gamma[0]"), Value(0.5, label="gamma[1]")]
    beta = [Value(0.0, label="beta[0]"), Value(0.1, label="beta[1]")]
    w = [
        [Value(v, label=f"w[{i},{j}]") for j, v in enumerate(row)] for i, row in enumerate(weights)
    ]
    out = F.batchnorm_values(x, gamma, beta)
    terms = [out[i][j] * w[i][j] for i in range(4) for j in range(2)]
    loss = terms[0]
    for term in terms[1:]:
        loss = loss + term
    loss.label = "loss"
    loss.backward()
    inputs = [v for row in x + w for v in row]
    return Scene(
        loss,
        {"inputs": inputs, "rankdir": "TB", "title": "BatchNorm on scalar Values, a 4x2 batch"},
        {"x": x, "w": w, "gamma": gamma, "beta": beta, "out": out, "loss": loss},
    )


def makemore_step(batch_size=32, seed=42):
    """The graph of one training step of makemore's MLP (forward and backward; the SGD update adds
    no nodes): embedding 27x10, context 3, Linear 30->200 (no bias), BatchNorm1d, tanh,
    Linear 200->27, cross-entropy on a batch of 32; each module a cluster. The integer contexts
    only index C, so they are no node of the graph."""
    nn.manual_seed(seed)
    splits = make_splits(load_names(), block_size=3, seed=seed)
    X, Y = splits.train
    rows = np.random.default_rng(seed).integers(0, len(X), batch_size)
    vocab = splits.vocab.size
    model = nn.Sequential(
        nn.Embedding(vocab, 10),
        nn.Flatten(),
        nn.Linear(30, 200, bias=False),
        nn.BatchNorm1d(200),
        nn.Tanh(),
        nn.Linear(200, vocab),
    )
    names = {
        "0.weight": "C",
        "2.weight": "W1",
        "3.weight": "bngain",
        "3.bias": "bnbias",
        "5.weight": "W2",
        "5.bias": "b2",
    }
    for name, p in model.named_parameters():
        p.label = names[name]
    xb, yb = Tensor(X[rows], label="X"), Tensor(Y[rows], label="Y")
    logits = model(xb)
    logits.label = "logits"
    loss = logits.cross_entropy(yb)
    loss.label = "loss"
    looked_up = next(
        n for n in topological_order(loss) if n._prev and n._prev[0] is model[0].weight
    )
    for p in model.parameters():
        p.zero_grad()
    loss.backward()
    parts = {names[name]: p for name, p in model.named_parameters()}
    options = {
        "model": model,  # parameters named 0.weight, ... inside their modules' clusters
        "feeds": [(xb, looked_up, "indices"), (yb, loss, "targets")],
        "rankdir": "TB",
        "grad_beside": False,
        "title": "One training step of makemore's MLP, a batch of 32",
    }
    parts = {**parts, "Xb": xb, "Yb": yb, "logits": logits, "loss": loss, "model": model}
    return Scene(loss, options, parts)


def convnet_step(batch_size=8, seed=0):
    """One step of a small conv net on the shipped 8x8 digits: Conv2d, BatchNorm2d, ReLU,
    MaxPool2d, Conv2d, GroupNorm, ReLU, AvgPool2d, Flatten, Linear, cross-entropy; each module
    a cluster. Drawn with collapse=2 (`--collapse 2`), each module is one box."""
    from .digits import load_digits  # the digits are only read when this picture is asked for

    nn.manual_seed(seed)
    images, labels = load_digits()
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, padding=1),
        nn.GroupNorm(2, 8),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(8 * 2 * 2, 10),
    )
    xb = Tensor(images[:batch_size], label="images")
    loss = model(xb).cross_entropy(labels[:batch_size])
    loss.label = "loss"
    loss.backward()
    options = {
        "model": model,  # parameters named 0.weight, ... inside their modules' clusters
        "rankdir": "TB",
        "grad_beside": False,
        "title": f"One training step of a conv net on the 8x8 digits, a batch of {batch_size}",
    }
    return Scene(loss, options, {"images": xb, "loss": loss, "model": model})


Example = namedtuple("Example", ["build", "summary"])

EXAMPLES = {
    "neuron": Example(
        neuron,
        "micrograd's neuron o = tanh(x1*w1 + x2*w2 + b): every scalar with its data and grad",
    ),
    "batchnorm-composed": Example(
        batchnorm_composed,
        "BatchNorm of a 4x3 tensor built from primitives, all inside one "
        "'BatchNorm (composed)' cluster",
    ),
    "batchnorm-fused": Example(
        batchnorm_fused,
        "the same BatchNorm as one fused node, with the x_hat and 1/sigma it saved for backward",
    ),
    "batchnorm-side-by-side": Example(
        batchnorm_side_by_side,
        "the composed and the fused BatchNorm on the same numbers in one picture: "
        "same leaves, same grads",
    ),
    "batchnorm-values": Example(
        batchnorm_values,
        "BatchNorm on a 4x2 batch of scalar Values: every sum, square and 1/sqrt as a node",
    ),
    "makemore-step": Example(
        makemore_step,
        "one step of makemore's MLP (embedding, Linear, BatchNorm1d, tanh, Linear, "
        "cross-entropy), a cluster per module",
    ),
    "convnet-step": Example(
        convnet_step,
        "one step of a conv net on the 8x8 digits, a cluster per module; --collapse 2: a box each",
    ),
}


def build(name):
    """The Scene of the example called `name`."""
    if name not in EXAMPLES:
        raise KeyError(f"no example called {name!r}; the examples are: {', '.join(EXAMPLES)}")
    return EXAMPLES[name].build()


def draw_example(name, **options):
    """`draw_dot` of an example, with its own options overridden by `options`."""
    scene = build(name)
    return draw_dot(scene.root, **{**scene.options, **options})


# ---- the `tinygrad-bn graph` command ------------------------------------------------------------


def configure(parser):
    parser.add_argument("name", nargs="?", help="which example to draw (see --list)")
    parser.add_argument(
        "-o",
        "--output",
        help="file to write; the suffix picks the format: .svg, .png, .pdf or .dot (default "
        "NAME.svg); with --steps: .html, .gif or a folder ending in / for one PNG per step",
    )
    parser.add_argument("--list", action="store_true", help="list the examples and what each shows")
    parser.add_argument(
        "--rankdir", choices=["LR", "TB"], help="draw left to right (LR) or top to bottom (TB)"
    )
    parser.add_argument("--no-data", action="store_true", help="leave out the data of each node")
    parser.add_argument(
        "--no-grad", action="store_true", help="leave out the gradient of each node"
    )
    parser.add_argument(
        "--collapse",
        nargs="?",
        const=1,
        type=int,
        metavar="DEPTH",
        help="fold each group (module, composed BatchNorm) into one box; DEPTH 2 folds the "
        "groups inside the top ones",
    )
    parser.add_argument(
        "--show-saved", action="store_true", help="draw what fused ops saved for backward"
    )
    parser.add_argument(
        "--steps",
        action="store_true",
        help="play the backward pass one node at a time, in backward()'s order (every example; "
        "cannot be combined with --collapse)",
    )
    parser.add_argument(
        "--renderer",
        choices=renderers.RENDERERS,
        help="program that lays the graph out "
        "(default auto: graphviz-pure for SVG/PNG, dot for PDF)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help=f"stop a layout that takes longer (default {renderers.DEFAULT_TIMEOUT:g})",
    )


def _fail(message, code=1):
    print(f"tinygrad-bn graph: {message}", file=sys.stderr)
    return code


def run(args) -> int:
    if args.list or not args.name:
        width = max(len(name) for name in EXAMPLES)
        for name, example in EXAMPLES.items():
            print(f"{name:<{width}}  {example.summary}")
        if not args.list:
            print("\nchoose one: tinygrad-bn graph NAME -o FILE.svg", file=sys.stderr)
        return 0 if args.list else 2
    if args.name not in EXAMPLES:
        names = ", ".join(EXAMPLES)
        return _fail(f"no example called {args.name!r}; choose one of: {names} (see --list)", 2)
    if args.collapse is not None and args.collapse < 1:
        return _fail(
            f"--collapse {args.collapse}: give a depth of 1 or more (1 folds each top-level "
            "group, 2 the groups inside them)",
            2,
        )
    if args.timeout is not None and not args.timeout > 0:
        return _fail(f"--timeout {args.timeout:g}: give a positive number of seconds", 2)
    options = {}
    if args.rankdir:
        options["rankdir"] = args.rankdir
    if args.no_data:
        options["show_data"] = False
    if args.no_grad:
        options["show_grad"] = False
    if args.collapse:
        options["collapse"] = True if args.collapse == 1 else args.collapse
    if args.show_saved:
        options["show_saved"] = True
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if args.steps:
        return _run_steps(args, options)
    path = args.output or f"{args.name}.svg"
    try:
        path = check_output_path(path, FORMATS)
    except ValueError as error:
        return _fail(error, 2)
    except OSError as error:
        return _fail(error)
    try:
        save(draw_example(args.name, **options), path, renderer=args.renderer)
    except (GraphvizNotFoundError, GraphTooBigError, RenderTimeoutError, OSError) as error:
        return _fail(error)
    print(f"wrote {path}")
    return 0


def _run_steps(args, options):
    """`graph NAME --steps -o steps.html | steps.gif | DIR/`: the backward pass, frame by frame."""
    from . import viz_steps

    output = args.output or f"{args.name}-steps.html"
    scene = build(args.name)
    options = {**scene.options, **options}
    try:
        written = viz_steps.write_steps(scene.root, output, renderer=args.renderer, **options)
    except ValueError as error:
        return _fail(error, 2)
    except (GraphvizNotFoundError, GraphTooBigError, RenderTimeoutError, OSError) as error:
        return _fail(error)
    print(f"wrote {written}")
    return 0
