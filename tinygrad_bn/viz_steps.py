"""Backprop, step by step: the backward pass of a graph as a series of pictures.

    steps = backward_steps(o)              # what each step does, as data
    write_steps(o, "steps.html")           # one page: previous/next, a slider, the arrow keys
    write_steps(o, "steps.gif")            # an animated GIF for slides
    write_steps(o, "steps/")               # one PNG per frame

Frame 0 is the forward graph with every grad empty. Frame k processes the k-th node in the
order `Value.backward()` uses (the topological order, reversed): the node's grad has fully
arrived (every node computed from it has passed its share back), and for each input

    input.grad += (local derivative d node / d input) * node.grad

An input used twice (x * x) receives two += in the same step, and the picture shows its grad
growing twice. The pictures are laid out once: every frame has the same boxes of the same size,
so only the numbers and the colours change from frame to frame.

A Tensor graph (or a list of them, played one backward() after the other) is played the same
way, one op node a frame (viz_tensor_steps.py): its local derivative is a Jacobian, so the frame
writes out the op's rule and what each input receives, `input.grad += share`.
"""

import html
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import renderers, safe_write, viz_tensor_steps
from .graph import topological_order
from .tensor import Tensor
from .value import Value
from .viz import MONO, GraphTooBigError, _compact, _Drawing, _invisible, _monospaced, _number

CURRENT, RECEIVING = "#d62728", "#1f77b4"  # the node being processed; the inputs it adds into
FRAME = '<table border="3" cellborder="0" cellspacing="0" cellpadding="0" color="{color}">'
KEY = "red: the node being processed, its grad complete; blue: the inputs it adds into"
GRAD_WIDTH = 10  # characters of a grad in a frame, so that every frame has the same layout
CHAR_POINTS = 7  # a little more than a character of 11 pt Courier (graphviz-pure 6.6, dot 6.8)
STEP_FORMATS = ("html", "gif")
MAX_FRAMES = 200  # more frames than anyone steps through; draw a smaller graph

# what d(out)/d(input) is for each op, written as a teacher would on the board
LOCAL_RULES = {
    "+": ("1", "1"),
    "*": ("b", "a"),
    "tanh": ("1 - out^2",),
    "exp": ("out",),
    "log": ("1/a",),
    "relu": ("1 if out > 0 else 0",),
    "**": ("b a^(b-1)", "a^b ln a"),
}


@dataclass
class Addition:
    """One `input.grad += local * grad` of a step, with the input's grad before and after."""

    input: object
    local: float
    rule: str
    before: float
    after: float


@dataclass
class Step:
    """The processing of one node: its complete grad and what it adds into each input."""

    node: object
    grad: float
    additions: list = field(default_factory=list)


def backward_steps(root):
    """The steps `root.backward()` takes, computed on the side: no grad of the graph changes.

    `root` is a Value, a Tensor, or a list of Tensors (their backward passes one after the other).
    A Value's steps are `Step`s, a Tensor's `viz_tensor_steps.TensorStep`s."""
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    if roots and all(isinstance(r, Tensor) for r in roots):
        _check_tensor_roots(roots)
        return viz_tensor_steps.tensor_steps(roots)
    if not isinstance(root, Value):
        what = "list" if isinstance(root, (list, tuple)) else type(root).__name__
        raise ValueError(
            "the step-through plays the backward pass of a graph of tinygrad_bn Values or "
            f"Tensors (or a list of Tensors), not of a {what}: draw other graphs whole with "
            "draw_dot, or try: tinygrad-bn graph neuron --steps -o steps.html"
        )
    order = topological_order(root)
    computed = [node for node in reversed(order) if node._prev]
    _check_frames(len(computed))
    grads = {node: 0.0 for node in order}
    grads[root] = 1.0  # d root / d root
    steps = []
    for node in computed:
        step = Step(node, grads[node])
        for child, local, rule in _local_derivatives(node):
            before = grads[child]
            grads[child] = before + local * grads[node]
            step.additions.append(Addition(child, local, rule, before, grads[child]))
        steps.append(step)
    return steps


def _check_frames(computed):
    if computed + 1 > MAX_FRAMES:
        raise GraphTooBigError(
            f"this graph has {computed} computed nodes, so {computed + 1} frames, more "
            f"than {MAX_FRAMES}: step through a smaller graph (the neuron, one BatchNorm column)"
        )


def _check_tensor_roots(roots):
    """Each root is a loss backward() can start from, and the frames are not too many."""
    for r in roots:
        if not r.requires_grad:
            raise ValueError(
                "nothing to step through: the tensor does not require grad (no input of it was "
                "created with requires_grad=True)"
            )
        if r.data.size != 1:
            raise ValueError(
                f"the step-through starts from a loss, a single number, as backward() does; got "
                f"shape {r.shape}: reduce it first (e.g. .sum() or .mean())"
            )
    _check_frames(viz_tensor_steps.count_steps(roots))


def _local_derivatives(node):
    """(input, d node / d input, the rule as text) for each input; a repeated input comes twice."""
    op = node._op
    rules = LOCAL_RULES.get(op) or LOCAL_RULES.get(op[:2]) or ()
    if op.startswith("**") and op != "**":
        rules = (f"{op[2:]} a^({op[2:]}-1)",)  # a ** p with a plain number p
    pairs = [(node._a, node._da), (node._b, node._db)][: len(node._prev)]
    return [
        (child, local, rules[k] if k < len(rules) else "local")
        for k, (child, local) in enumerate(pairs)
    ]


def _name(node, index, names=None):
    """The node's label (in parentheses if it is a formula), a parameter's path in its model, or
    its place in the walk."""
    label = getattr(node, "label", "") or (names or {}).get(node, "")
    if not label:
        data = np.asarray(node.data)  # a Value's float or a Tensor's array
        number = f"{data.item():g}" if data.size == 1 else ""
        return f"#{index[node]} ({node._op or number})"
    return label if re.fullmatch(r"[\w\[\],.]+", label) else f"({label})"


def step_text(step, number, total, index):
    """The lines that explain one step of a scalar graph, with its numbers."""
    name = _name(step.node, index)
    why = "the seed, d out / d out" if number == 1 else "complete: every user passed it back"
    lines = [
        f"step {number} of {total}: node {name} (op {step.node._op}), "
        f"grad {_number(step.grad)} ({why})"
    ]
    for add in step.additions:
        child = _name(add.input, index)
        lines.append(
            f"  {child}.grad += {_number(add.local)} * {_number(step.grad)}   "
            f"[d {name} / d {child} = {add.rule}]   {_number(add.before)} -> {_number(add.after)}"
        )
    return lines


# ---- the frames as pictures ----------------------------------------------------------------


class _Frame(_Drawing):
    """The drawing of one frame: grads as they stand after `shown` steps, the step highlighted."""

    grad_room = {}  # Tensor node -> (lines, characters) its grad takes in any frame

    def setup(self, grads, current, receiving, caption):
        self.grads, self.current, self.receiving, self.caption = grads, current, receiving, caption
        return self

    def grad_text(self, node):
        """The grad as it stands; an empty one (or a Tensor's missing lines) drawn invisibly in
        the room it takes in any frame, so that no box changes size between frames."""
        grad = self.grads.get(node)
        if not self.is_tensor:
            text = "" if grad is None else _number(grad)
            return f'<font face="{MONO}">{_monospaced(text.rjust(GRAD_WIDTH))}</font>'
        lines, width = self.grad_room.get(node, (1, 4))
        shown = [] if grad is None else _compact(grad).split("\n")
        return "\n".join(shown + [_invisible(width)] * (lines - len(shown)))

    def grad_width(self, node):
        """Room for the widest grad the node shows in any frame, so that its box keeps its size
        (a cell of padded lines would change their spacing instead: Graphviz sets a line of
        several pieces closer than a line of one)."""
        if not self.is_tensor:
            return None
        return CHAR_POINTS * self.grad_room.get(node, (1, 4))[1] + 10

    def name_of(self, node):
        """A computed node without a label is named by its place in the walk (#7), as the text
        of each step names it."""
        return super().name_of(node) or (f"#{self.index[node]}" if node._prev else "")

    def _box(self, node, role):
        """The usual box inside a frame of 3 points: red for the node being processed, blue for
        the inputs it adds into, invisible otherwise (so that no box changes size)."""
        color = CURRENT if node is self.current else RECEIVING if node in self.receiving else None
        frame = FRAME.format(color=color or "transparent")
        box = super()._box(node, role).replace("<table ", '<table color="black" ', 1)
        return f"{frame}<tr><td>{box}</td></tr></table>"

    def _op_node(self, i, op, prev, fused):
        line = super()._op_node(i, op, prev, fused)
        if self.order[i] is self.current:
            highlight = f'style="rounded,filled" fillcolor="#fbd3d3" color="{CURRENT}" penwidth=2.5'
            line = line.replace(" label=", f" {highlight} label=", 1)
        return line

    def _input_edges(self, i, op, prev):
        """The arrows into the op; those of the current op, into the inputs that receive a share,
        red and pointing back (the gradient flows from the op into the input)."""
        edges = super()._input_edges(i, op, prev)
        if self.order[i] is not self.current:
            return edges
        return [_red_back(e) if child in self.receiving else e for e, child in zip(edges, prev)]

    def caption_extra(self):
        return self.caption


def _red_back(edge):
    """An edge statement ("\ta -> b [...]\n" or "\ta -> b\n") drawn red, arrow pointing back."""
    style = f'color="{CURRENT}" penwidth=2.5 dir=back arrowtail=normal'
    return edge[:-2] + f" {style}]\n" if edge.endswith("]\n") else edge[:-1] + f" [{style}]\n"


def step_frames(root, **options):
    """The DOT text of every frame, and each frame's explanation (lines of text).

    Options are draw_dot's; `collapse` is refused (every step must show its own node) and
    `max_nodes` is replaced by the limit of MAX_FRAMES frames."""
    if options.get("collapse"):
        raise ValueError(
            "the step-through cannot fold groups (collapse=): each frame highlights one node, so "
            "every node must be drawn; leave collapse out, or draw the folded picture with draw_dot"
        )
    steps = backward_steps(root)
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    tensor = isinstance(roots[0], Tensor)
    rankdir = options.get("rankdir", "LR")
    title = options.get("title", "") or "the backward pass"
    model = options.get("model")
    index = {}
    for r in roots:
        for node in topological_order(r):
            index.setdefault(node, len(index))
    if tensor:
        names = {p: name for name, p in model.named_parameters()} if model else {}

        def name(node):
            return _name(node, index, names)

        texts = [[_FRAME_ZERO + ("" if len(roots) == 1 else f" ({len(roots)} backward passes)")]]
        texts += [
            viz_tensor_steps.step_text(s, k, len(steps), name) for k, s in enumerate(steps, 1)
        ]
    else:
        texts = [[_FRAME_ZERO]]
        texts += [step_text(s, k, len(steps), index) for k, s in enumerate(steps, 1)]
    width = max(len(line) for lines in texts for line in lines)
    height = max(len(lines) for lines in texts)
    room = _grad_room(steps) if tensor else {}
    grads, frames = {}, []
    for k, lines in enumerate(texts):
        step = steps[k - 1] if k else None
        if step is not None:
            if tensor and step.seed:  # backward() starts its computed nodes from nothing
                for node in topological_order(step.node):
                    if node._prev:
                        grads.pop(node, None)
            grads[step.node] = step.grad
            for add in step.additions:
                grads[add.input] = add.after
        receiving = {add.input for add in step.additions} if step else set()
        caption = [line.ljust(width) for line in lines] + [" " * width] * (height - len(lines))
        caption.append(KEY)
        drawing = _Frame(
            root,
            options.get("show_data", True),
            True,
            False,
            tensor and options.get("show_saved", False),
            options.get("inputs", ()),
            model,
        ).setup(dict(grads), step.node if step else None, receiving, caption)
        drawing.constant_grads = options.get("constant_grads", False)
        drawing.feeds = list(options.get("feeds", ()))
        beside = options.get("grad_beside")
        drawing.grad_beside = rankdir == "TB" if beside is None else beside
        drawing.grad_room = room
        title_k = f"Backprop step by step: {title}"
        picture = drawing.picture(rankdir, None, options.get("legend", True), title_k)
        picture.timeout = options.get("timeout")
        frames.append(picture)
    return frames, texts


_FRAME_ZERO = "frame 0: the forward pass is done; every grad is still empty"


def _grad_room(steps):
    """Tensor node -> (lines, characters) of the largest grad it shows in any frame."""
    room = {}
    for step in steps:
        for node, grad in [(step.node, step.grad)] + [(a.input, a.after) for a in step.additions]:
            lines = _compact(grad).split("\n")
            old = room.get(node, (0, 0))
            room[node] = (max(old[0], len(lines)), max(old[1], *(len(t) for t in lines)))
    return room


def write_steps(root, path, *, renderer=None, timeout=None, **options):
    """Write the step-through to `path`: .html (one page), .gif (animated) or a folder (PNGs).

    A folder is given by a path ending in "/" or one that exists; it is filled all at once."""
    text = str(path)
    folder = text.endswith(("/", "\\")) or Path(text).is_dir()
    path = Path(text)
    fmt = None if folder else path.suffix.lower().lstrip(".")
    if not folder and fmt not in STEP_FORMATS:
        raise ValueError(
            f"cannot tell what to write from {text!r}: end it in .html (a page to step through), "
            ".gif (an animation) or / (a folder of PNG frames)"
        )
    parent = path.parent if not folder else path.resolve().parent
    if not parent.is_dir():
        raise FileNotFoundError(
            f"cannot write {text}: the folder {parent} does not exist; create it first "
            f"(mkdir -p {parent}) or write somewhere else"
        )
    frames, texts = step_frames(root, **options)

    def render(picture, fmt):
        size = f"{picture.size}, frame {frames.index(picture)} of {len(frames) - 1}"
        return renderers.layout(picture.source, fmt, renderer=renderer, timeout=timeout, size=size)

    if folder:
        with safe_write.staged_folder(path) as stage:
            for k, picture in enumerate(frames):
                safe_write.write_bytes(stage / f"step-{k:03d}.png", render(picture, "png"))
        return path
    if fmt == "gif":
        return safe_write.write_bytes(path, _gif([render(p, "png") for p in frames]))
    svgs = [render(p, "svg").decode("utf-8") for p in frames]
    title = options.get("title") or "the backward pass"
    return safe_write.write_text(path, _page(title, svgs, texts))


def _gif(pngs, milliseconds=1800):
    """An animated GIF of PNG frames (padded with white to the largest), looping forever."""
    from PIL import Image

    images = [Image.open(io.BytesIO(data)).convert("RGB") for data in pngs]
    width, height = max(i.width for i in images), max(i.height for i in images)
    padded = []
    for image in images:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(image, (0, 0))
        # the fast octree palette, no dithering: crisp text, 7x faster than the adaptive palette
        # on a 1700 x 2500 frame
        palette = canvas.quantize(255, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        padded.append(palette)
    out = io.BytesIO()
    durations = [milliseconds * 2] + [milliseconds] * (len(padded) - 1)  # linger on frame 0
    padded[0].save(out, "GIF", save_all=True, append_images=padded[1:], duration=durations, loop=0)
    return out.getvalue()


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Backprop step by step: {title}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1em; }}
#controls {{ position: sticky; top: 0; background: #fff; padding: 0.4em 0; }}
#controls button {{ font-size: 1.1em; }}
#slider {{ width: 40%; vertical-align: middle; }}
#explain {{ background: #f6f6f6; padding: 0.5em; font-size: 1.05em; }}
.frame svg {{ max-width: 100%; height: auto; }}
</style></head>
<body>
<h1>Backprop step by step: {title}</h1>
<p>Frame 0 is the forward pass with every grad empty. Each next frame processes one node in the
order <code>backward()</code> uses: its grad (red) has fully arrived, and each input (blue)
gets its share added (<code>+=</code>): the local derivative times that grad (a Tensor op: its
rule, written out, applied to the grad). Keys: &larr; and &rarr;.</p>
<div id="controls">
<button id="previous" type="button">&larr; previous</button>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="frame">
<button id="next" type="button">next &rarr;</button>
<span id="counter"></span>
</div>
<pre id="explain"></pre>
<div id="frames">
{frames}
</div>
<script>
const texts = {texts};
const frames = document.querySelectorAll(".frame");
const slider = document.getElementById("slider");
let current = 0;
function show(k) {{
  current = Math.max(0, Math.min(frames.length - 1, k));
  frames.forEach((frame, i) => {{ frame.hidden = i !== current; }});
  slider.value = current;
  const last = frames.length - 1;
  document.getElementById("counter").textContent = "frame " + current + " of " + last;
  document.getElementById("explain").textContent = texts[current].join("\\n");
}}
document.getElementById("previous").addEventListener("click", () => show(current - 1));
document.getElementById("next").addEventListener("click", () => show(current + 1));
slider.addEventListener("input", () => show(Number(slider.value)));
document.addEventListener("keydown", (event) => {{
  if (event.key === "ArrowRight") {{ show(current + 1); event.preventDefault(); }}
  if (event.key === "ArrowLeft") {{ show(current - 1); event.preventDefault(); }}
}});
show(0);
</script>
</body></html>
"""


def _page(title, svgs, texts):
    """One self-contained HTML page: every frame's SVG inline, nothing loaded from elsewhere."""
    frames = "\n".join(
        f'<div class="frame" data-frame="{k}"{" hidden" if k else ""}>{_inline(svg)}</div>'
        for k, svg in enumerate(svgs)
    )
    return PAGE.format(
        title=html.escape(title),
        last=len(svgs) - 1,
        frames=frames,
        texts=json.dumps(texts).replace("</", "<\\/"),
    )


def _inline(svg):
    """An SVG document as an element to put in a page (no XML prolog, no DOCTYPE, no comments)."""
    svg = svg[svg.index("<svg") :]
    return re.sub(r"<!--.*?-->", "", svg, flags=re.S)
