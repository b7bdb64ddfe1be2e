"""Pictures of a computation graph, laid out by Graphviz's `dot` algorithm.

    draw_dot(loss)              # a Picture (a graphviz.Digraph); a notebook shows it inline
    to_dot(loss)                # the DOT text; needs no Graphviz program at all
    render(loss, "loss.svg")    # .svg or .png (graphviz-pure, from pip), .pdf (system dot), .dot
    model.draw(x)               # a model run on x, parameters named 0.weight, ...

Which program draws, and the time limit every layout has: see renderers.py. The backward
pass, one node at a time: viz_steps.py.

Every number in the graph (a `Value` or a `Tensor`) is a box; every number
that was computed gets a small rounded box for the op that computed it, with an
arrow from each input. Boxes are coloured by their role (the legend is drawn
in the picture too):

    green   parameters and other leaves (numbers you made)
    yellow  constants (the -1 of a - b, an eps): only their number, unless constant_grads=True
    blue    inputs (data: Tensors without requires_grad, or Values passed as `inputs=`)
    white   intermediate results
    orange  the output (the node you drew)
    purple  a fused op (one node with a hand-derived backward); what an op saved
    grey    a group folded into one box (collapse=...)

Arrows into an op whose arguments do not commute (a - b, a / b, a ** b, a @ b,
cat, stack) are labelled with the argument they are. An input used twice
(x * x) gets two arrows.

Nodes built inside `tinygrad_bn.group(name)` (as every `nn` module's forward
is) sit in a cluster labelled with that name; `collapse=True` folds each
cluster into a single box, which keeps big models readable.

Node ids are positions in the walk (`topological_order`, an explicit stack),
never `id()`, so two nodes are never merged by accident and a graph of any
depth is drawn without recursion.
"""

import functools
import html
from pathlib import Path

import graphviz
import numpy as np

from . import renderers, safe_write
from .graph import topological_order
from .renderers import GraphvizNotFoundError, RenderTimeoutError

FORMATS = ("svg", "png", "pdf", "dot")
DEFAULT_MAX_NODES = 2000  # more than this and `dot` takes minutes and the picture is a wall

NONCOMMUTATIVE = {"-", "/", "**", "@"}  # binary ops whose edges are labelled a, b
ORDERED = {"cat", "stack"}  # n-ary ops whose edges are labelled 0, 1, 2, ...
SAVED_NAMES = {"x_hat": "x\u0302 (x_hat)", "inv_std": "1/\u03c3 (inv_std)"}  # x̂, 1/σ

# role -> (fill colour, legend text)
ROLES = {
    "leaf": ("#d4edc9", "parameter or other leaf"),
    "input": ("#cfe2f7", "input (data)"),
    "constant": ("#fff4c2", "constant (a plain number, no grad shown)"),
    "intermediate": ("#ffffff", "intermediate"),
    "output": ("#ffd59e", "output"),
    "fused": ("#e2d2f4", "fused op"),
    "saved": ("#f1e9fb", "saved for backward"),
    "collapsed": ("#eeeeee", "collapsed group"),
}
SAVED_EDGE = 'style=dashed arrowhead=none label="saved" fontcolor="#7a55a8" color="#7a55a8"'
BOX_HEADS = {
    role: f'<table border="0" cellborder="1" cellspacing="0" cellpadding="3" bgcolor="{fill}">'
    for role, (fill, _) in ROLES.items()
}
KEY_SIZE = 'width="30" height="16" fixedsize="true"'  # a legend key keeps its size in any table
# an op is a small rounded box, the shape the legend can draw (an HTML table has no ellipse)
OP_SHAPE = 'shape=box style=rounded margin="0.06,0.02" width=0.35 height=0.3'
# dashed arrows in the legend: (colour, what they mean)
DASHED = {
    "feeds": ("#555555", "dashed: data an op reads that is no graph input (indices, targets)"),
    "saved line": ("#7a55a8", "dashed purple: what the op saved for its backward"),
}
SMALL = 16  # tensors with at most this many elements show every number
FONT, MONO = "Helvetica", "Courier"


class GraphTooBigError(ValueError):
    """The graph has more nodes than `max_nodes` allows."""


class Picture(graphviz.Digraph):
    """A `graphviz.Digraph` whose pictures come from `renderers` (graphviz-pure or `dot`) under
    a time limit; in a notebook a failure is shown as a one-line message, not a traceback."""

    size = ""  # "180 shapes, 240 arrows", for the message when its layout runs out of time
    timeout = None  # seconds; None: renderers.DEFAULT_TIMEOUT

    def pipe(self, format=None, *args, encoding=None, **kwargs):
        """The rendered picture as bytes (or text with `encoding`), laid out within `timeout`."""
        data = renderers.layout(self.source, format or "svg", timeout=self.timeout, size=self.size)
        return data.decode(encoding) if encoding else data

    def render(self, filename=None, directory=None, *, format=None, outfile=None, **ignored):
        """graphviz's `render`, drawn by `renderers` within the time limit: writes `outfile`, or
        directory/filename.format (svg by default); returns the path as a string."""
        if outfile is None:
            name = f"{filename or self.name}.{format or 'svg'}"
            outfile = Path(directory or ".") / name
        return str(save(self, outfile))

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return {"image/svg+xml": self.pipe("svg", encoding="utf-8")}
        except (GraphvizNotFoundError, RenderTimeoutError, RuntimeError) as error:
            return {"text/plain": f"{error} (to_dot() gives the DOT text without rendering)"}


def draw_dot(
    root,
    *,
    rankdir="LR",
    show_data=True,
    show_grad=True,
    collapse=False,
    show_saved=False,
    inputs=(),
    model=None,
    feeds=(),
    constant_grads=False,
    title="",
    grad_beside=None,
    max_nodes=DEFAULT_MAX_NODES,
    legend=True,
    timeout=None,
):
    """The graph that computed `root` (a Value or a Tensor, or a list of them) as a Picture.

    rankdir     "LR" (left to right) or "TB" (top to bottom)
    show_data   print each node's data (Tensors: the numbers if small, else mean/std/min/max)
    show_grad   print each node's grad
    collapse    True: fold every top-level group into one box; n: fold the groups n deep (2: each
                module of a Sequential); or a list of group names ("outer/inner") to fold
    show_saved  draw what each op saved for its backward (its `_saved`; BatchNorm: x̂, 1/σ, γ)
    inputs      nodes to colour as inputs (for Values, which cannot tell data from parameters)
    model       an nn.Module: its parameters are named by module path (0.weight, bn.bias) and
                drawn inside the cluster of the module that uses them
    feeds       (data, node, how) triples: data an op read without taking it as a graph input
                (the indices of an embedding, the targets of a loss), drawn as an input box with
                a dashed arrow labelled `how` into the op that computed `node`
    constant_grads  give constants (the -1 of a - b, an eps) a grad too; by default they show
                only their number
    title       a caption printed above the legend
    grad_beside a Tensor's grad beside its data (short, wide boxes) instead of below it;
                None: beside when drawing top to bottom
    max_nodes   refuse graphs with more drawn shapes than this (None: no limit); the count stops
                as soon as the limit is passed
    legend      draw the colour legend under the picture
    timeout     seconds the layout may take when the picture is rendered (None: the default of
                renderers.DEFAULT_TIMEOUT)
    """
    if rankdir not in ("LR", "TB"):
        raise ValueError(
            f"rankdir must be 'LR' (left to right) or 'TB' (top to bottom), got {rankdir!r}"
        )
    drawing = _Drawing(root, show_data, show_grad, collapse, show_saved, inputs, model)
    drawing.feeds = [(data, node, how) for data, node, how in feeds]
    drawing.constant_grads = constant_grads
    drawing.grad_beside = rankdir == "TB" if grad_beside is None else grad_beside
    return drawing.picture(rankdir, max_nodes, legend, title, timeout)


def draw_model(model, x, **options):
    """A picture of `model`'s forward pass on the input `x`: `x` as an input, every parameter
    named by its path (0.weight) inside the cluster of its module. Options: see draw_dot."""
    from .tensor import Tensor

    if not isinstance(x, Tensor):
        x = Tensor(x, label="input")
    elif not x.label:
        x.label = "input"
    out = model(x)
    out.label = out.label or "output"
    inputs = [x, *options.pop("inputs", ())]
    return draw_dot(out, model=model, inputs=inputs, **options)


def to_dot(root, *, max_nodes=None, **options):
    """The DOT text of `draw_dot(root, **options)`; needs no Graphviz program."""
    return draw_dot(root, max_nodes=max_nodes, **options).source


def render(root, path, *, renderer=None, **options):
    """Draw `root`'s graph into `path`; the format comes from the suffix (.svg, .png, .pdf, .dot).

    renderer: "auto" (graphviz-pure for SVG/PNG, system `dot` for PDF), "graphviz-pure" or
    "dot"; see `renderers`. The file appears whole or not at all (a temporary file is renamed)."""
    return save(draw_dot(root, **options), path, renderer=renderer)


def save(picture, path, *, renderer=None):
    """Write a drawn picture to `path` (format from the suffix); see `render`."""
    path = check_output_path(path, FORMATS)
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "dot":
        return safe_write.write_text(path, picture.source)
    data = renderers.layout(
        picture.source,
        fmt,
        renderer=renderer,
        timeout=picture.timeout,
        size=picture.size,
    )
    return safe_write.write_bytes(path, data)


def check_output_path(path, formats):
    """`path` as a Path if its suffix is one of `formats` and its folder exists, else an error."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in formats:
        endings = ", ".join(f".{f}" for f in formats[:-1]) + f" or .{formats[-1]}"
        raise ValueError(
            f"cannot tell the picture format from {str(path)!r}: end the file name in {endings}"
        )
    if path.is_dir():
        raise IsADirectoryError(
            f"{path} is a folder: give a file name inside it, such as {path / ('graph.' + fmt)}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(
            f"cannot write {path}: the folder {folder} does not exist; create it first "
            f"(mkdir -p {folder}) or write somewhere else"
        )
    return path


# ---- the walk: which box each node becomes, and what it says ----------------------------


class _Drawing:
    """One walk over the graph, turned into DOT statements."""

    constant_grads = False
    grad_beside = False
    feeds = ()

    def __init__(self, root, show_data, show_grad, collapse, show_saved, inputs, model=None):
        roots = list(root) if isinstance(root, (list, tuple)) else [root]
        for r in roots:
            if not hasattr(r, "_prev") or not hasattr(r, "data"):
                raise TypeError(
                    "draw_dot draws a Value or a Tensor (or a list of them), "
                    f"got {type(r).__name__}"
                )
        self.root_list, self.roots = roots, set(roots)
        self.show_data, self.show_grad, self.show_saved = show_data, show_grad, show_saved
        self.inputs = set(inputs)
        self.is_tensor = hasattr(roots[0], "requires_grad")
        self.depth, self.fold_names = _collapse_rule(collapse)
        self.names = _parameter_names(model)
        self.order, self.index, self.folded = [], {}, {}

    def walk(self, max_nodes=None):
        """Find every node (inputs before results); refuse, without walking on, past max_nodes."""
        if max_nodes is not None:
            count = self.count(stop_after=max_nodes)
            if count > max_nodes:
                raise GraphTooBigError(self._too_big_message(count, max_nodes))
        for r in self.root_list:
            for node in topological_order(r):  # the node's id is its place in the walk
                if node not in self.index:
                    self.index[node] = len(self.order)
                    self.order.append(node)
        for data, node, _ in self.feeds:
            if node not in self.index:
                raise ValueError("feeds=: each node fed must be part of the graph being drawn")
            self.inputs.add(data)
            self.index[data] = len(self.order)
            self.order.append(data)
        self.folded = {n: g for n in self.order if (g := self._fold_target(n)) is not None}
        self.homes = self._parameter_homes()
        return self

    def _fold_target(self, node):
        """The path of the collapsed group `node` disappears into, or None (roots stay visible).

        depth n folds the groups n deep ("Sequential/Linear (2)" for n=2), leaving shallower
        clusters drawn around the boxes; fold_names lists the groups to fold."""
        group = getattr(node, "_group", None)
        if group is None or node in self.roots:
            return None
        if self.depth is not None:
            parts = group.split("/")
            return "/".join(parts[: self.depth]) if len(parts) >= self.depth else None
        if self.fold_names:
            return next(
                (n for n in self.fold_names if group == n or group.startswith(n + "/")), None
            )
        return None

    def count(self, stop_after=None):
        """How many shapes (boxes, ops, saved arrays, folded groups) the picture would hold.

        Walks with an explicit stack and stops as soon as the count passes `stop_after`, so a
        graph of millions of nodes is refused after a few thousand steps."""
        count, seen, boxes = 0, set(), set()
        stack, self.groups_seen = list(self.root_list), set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if group := getattr(node, "_group", None):
                self.groups_seen.add(group.split("/")[0])
            target = self._fold_target(node)
            if target is not None:
                count += target not in boxes
                boxes.add(target)
            else:
                count += 1 + bool(node._prev)
                if self.show_saved:  # saved arrays get boxes; saved inputs only a dashed line
                    saved = getattr(node, "_saved", {}).values()
                    count += sum(v is not None and not hasattr(v, "_prev") for v in saved)
            if stop_after is not None and count > stop_after:
                return count
            stack.extend(node._prev)
        return count + len(self.feeds)

    def picture(self, rankdir, max_nodes, legend, title="", timeout=None):
        """The Picture: walk, write the DOT statements, set the graph's attributes."""
        self.walk(max_nodes)
        picture = Picture(name="computation_graph", body=self.lines(legend, title))
        arrows = sum(" -> " in line for line in picture.body)
        picture.size = f"{self.count():,} shapes, {arrows:,} arrows"
        picture.timeout = timeout
        picture.graph_attr.update(rankdir=rankdir, fontname=FONT, nodesep="0.25", ranksep="0.35")
        picture.node_attr.update(shape="plain", fontname=FONT, fontsize="11")
        picture.edge_attr.update(fontname=FONT, fontsize="10", color="#555555", arrowsize="0.7")
        return picture

    def _parameter_homes(self):
        """parameter -> the group of the ops that use it, so that it is drawn inside its module.

        A parameter of `model` (made in a module's __init__, outside any group) sits in the
        deepest group shared by all of its users; data inputs and constants stay where they are."""
        users = {}
        for node in self.order:
            for child in node._prev:
                if child._prev or getattr(child, "_group", None) is not None:
                    continue
                if child in self.names:
                    users.setdefault(child, []).append(getattr(node, "_group", None) or "")
        homes = {}
        for leaf, groups in users.items():
            common = groups[0].split("/")
            for g in groups[1:]:
                parts = g.split("/")
                k = 0
                while k < min(len(common), len(parts)) and common[k] == parts[k]:
                    k += 1
                common = common[:k]
            home = "/".join(common)
            while home and self.depth is not None and home.count("/") + 1 >= self.depth:
                home = home.rpartition("/")[0]  # never inside a group that is folded away
            if home and not any(home == n or home.startswith(n + "/") for n in self.fold_names):
                homes[leaf] = home
        return homes

    def lines(self, legend=True, title=""):
        clusters = {}  # group path -> statements inside that cluster
        top, edges, roles = [], [], set()
        boxes = {}  # collapsed group name -> [box id, number of ops folded in]
        folded = self.folded
        for i, node in enumerate(self.order):
            prev = node._prev
            if folded and node in folded:
                box = boxes.setdefault(folded[node], [f"g{len(boxes)}", 0])
                if prev:  # its arrows are redrawn from/to the box by _fold_edges
                    box[1] += 1
                    edges.extend(self._input_edges(i, node._op, prev))
                continue
            group = getattr(node, "_group", None) or self.homes.get(node)
            where = clusters.setdefault(group, []) if group else top
            role = self._role(node, prev)
            roles.add(role)
            where.append(f"\tv{i} [label=<{self._box(node, role)}>]\n")
            if prev:
                fused = getattr(node, "_fused", False)
                roles.add("fused" if fused else "op")
                where.append(self._op_node(i, node._op, prev, fused))
                edges.append(f"\to{i} -> v{i}\n")
                edges.extend(self._input_edges(i, node._op, prev))
                if self.show_saved:
                    boxes_of_saved, drawn_inputs = self._saved_entries(node)
                    if boxes_of_saved or drawn_inputs:
                        roles.update(("saved", "saved line"))
                    for k, (name, value) in enumerate(boxes_of_saved):
                        where.append(f"\ts{i}_{k} [label=<{self._saved_box(name, value)}>]\n")
                        edges.append(f"\to{i} -> s{i}_{k} [{SAVED_EDGE}]\n")
                    for name, j in drawn_inputs:  # a saved input: a dashed line to its own box
                        edges.append(f"\to{i} -> v{j} [{_saved_edge(name)}]\n")
        for data, node, how in self.feeds:
            roles.add("feeds")
            tail, head = self.index[data], self.index[node]
            edges.append(f"\tv{tail} -> o{head} [style=dashed label={_quote(how)}]\n")
        edges = self._fold_edges(edges, boxes)
        for path, (box, ops) in boxes.items():
            roles.add("collapsed")
            outer, _, name = path.rpartition("/")  # the box sits in the cluster around its group
            where = clusters.setdefault(outer, []) if outer else top
            label = f"<b>{_esc(name)}</b><br/>{ops} op{'' if ops == 1 else 's'} folded in"
            fill = ROLES["collapsed"][0]
            where.append(
                f'\t{box} [shape=box style="rounded,filled" fillcolor="{fill}" label=<{label}>]\n'
            )
        out = top + _nest(clusters) + edges
        if legend or title:
            out.append(_caption(title, roles if legend else set(), self.caption_extra()))
        return out

    # hooks that the step-through (viz_steps) overrides

    def grad_of(self, node):
        """The gradient a box shows (None: not shown)."""
        return node.grad

    def grad_width(self, node):
        """The least width (points) of a Tensor box's grad cell; None: as wide as its numbers."""
        return None

    def caption_extra(self):
        """Monospaced lines printed under the title (the step-through writes its formula here)."""
        return []

    def _fold_edges(self, edges, boxes):
        """Point edges at a collapsed group's box, not the nodes inside it; one edge per pair."""
        if not boxes:
            return edges
        box_of = {
            f"{p}{self.index[n]}": boxes[g][0] for n, g in self.folded.items() for p in ("v", "o")
        }
        seen, out = set(), []
        for line in edges:  # "\ttail -> head [attributes]\n"
            tail, _, rest = line.strip().partition(" -> ")
            head = rest.split(" ", 1)[0]
            a, b = box_of.get(tail, tail), box_of.get(head, head)
            if (a, b) == (tail, head):
                out.append(line)
            elif a != b and (a, b) not in seen:
                seen.add((a, b))
                out.append(f"\t{a} -> {b}\n")
        return out

    def _too_big_message(self, count, max_nodes):
        groups = sorted(self.groups_seen)
        fold = (
            f"draw it with collapse=True to fold each of its groups ({', '.join(groups[:6])}) "
            "into one box, "
            if groups
            else "build it inside `with tinygrad_bn.group(name):` blocks and draw with "
            "collapse=True to fold them, "
        )
        return (
            f"this graph would be drawn with more than {max_nodes:,} shapes (max_nodes="
            f"{max_nodes:,}; counting stopped at {count:,}): Graphviz would take minutes and the "
            f"picture would be unreadable. To draw less, {fold}or draw a smaller piece of it "
            "(e.g. the loss of one example). To draw it anyway, raise the limit (max_nodes=None). "
            "to_dot(root) gives the DOT text without any limit."
        )

    def _role(self, node, prev):
        if node in self.roots:
            return "output"
        if prev:
            return "intermediate"
        if node in self.inputs:
            return "input"
        if not self.is_tensor:
            # an unlabelled Value(-1) of a - b, the eps of var + eps; micrograd's have no labels
            named = getattr(node, "label", None) != "" or node in self.names
            return "leaf" if named else "constant"
        if not node.requires_grad and (node.label or node.data.ndim > 0):
            return "input"
        if not node.requires_grad and node not in self.names:
            return "constant"
        return "leaf"

    def name_of(self, node):
        """The name a box shows: the label, with the module path of a parameter (0.weight)."""
        label, path = getattr(node, "label", ""), self.names.get(node)
        if path is None or label == path:
            return label
        return path if not label or label == path.rpartition(".")[2] else f"{label} = {path}"

    def grad_text(self, node):
        """The gradient as printed in a box (the step-through shows grads as they arrive)."""
        if self.is_tensor:
            return "None" if node.grad is None else _compact(node.grad)
        return _number(node.grad)

    def _box(self, node, role):
        """HTML label of a data node: name, data, grad (a Tensor: a title, then data and grad)."""
        head = BOX_HEADS[role]
        constant = role == "constant" and not self.constant_grads
        if not self.is_tensor:
            if constant:
                return f"{head}<tr><td>{_esc(f'{node.data:g}')}</td></tr></table>"
            label = self.name_of(node)  # micrograd 0.1.0's Values have none
            cells = [f"<b>{_esc(label)}</b>"] if label else []  # stacked: narrow boxes
            if self.show_data:
                cells.append(f"data {_number(node.data)}")
            if self.show_grad:
                cells.append(f"grad {self.grad_text(node)}")
            rows = "".join(f"<tr><td>{cell}</td></tr>" for cell in cells or ["&#160;"])
            return f"{head}{rows}</table>"
        name = self.name_of(node) or ("constant" if role == "constant" else "")
        title = f"<b>{_esc(name)}</b> " if name else ""
        rows = []
        if self.show_data:
            rows.append(("data", _compact(node.data)))
        if self.show_grad and node.requires_grad:
            rows.append(("grad", self.grad_text(node), self.grad_width(node)))
        header = f"{title}{_shape(node.data.shape)} {node.data.dtype}"
        if self.grad_beside and len(rows) == 2:  # data beside grad: short, wide boxes
            cells = "".join(_table_cells(*row) for row in rows)
            return (
                f'{head}<tr><td colspan="4" align="left">{header}</td></tr><tr>{cells}</tr></table>'
            )
        body = "".join(f"<tr>{_table_cells(*row)}</tr>" for row in rows)
        return f'{head}<tr><td colspan="2" align="left">{header}</td></tr>{body}</table>'

    def _saved_entries(self, node):
        """What an op saved for its backward (its `_saved` record), None left out:
        ([(name, value)] to draw as boxes, [(name, position)] of saved nodes drawn already)."""
        boxes, drawn = [], []
        for name, value in getattr(node, "_saved", {}).items():
            is_node = hasattr(value, "_prev")  # a saved Tensor (an input, say)
            if is_node and value in self.index:
                drawn.append((name, self.index[value]))
            elif value is not None:
                boxes.append((name, value.data if is_node else value))
        return boxes, drawn

    def _saved_box(self, name, array):
        fill = ROLES["saved"][0]
        head = BOX_HEADS["saved"].replace(f'bgcolor="{fill}"', f'bgcolor="{fill}" color="#7a55a8"')
        title = f"<b>{_esc(SAVED_NAMES.get(name, name))}</b>"
        if not isinstance(array, np.ndarray):  # a number (a Value's local derivative) or an index
            text = _number(array) if isinstance(array, float) else _esc(repr(array)[:60])
            return f"{head}<tr>{_table_cells(title, text)}</tr></table>"
        header = f"{title} {_shape(array.shape)} {array.dtype}"
        data = f"<tr>{_table_cells('data', _compact(array))}</tr>" if self.show_data else ""
        return f'{head}<tr><td colspan="2" align="left">{header}</td></tr>{data}</table>'

    def _op_node(self, i, op, prev, fused):
        op = op or "?"
        if fused:
            label = f"<b>{_esc(op)}</b><br/>fused"
            fill = ROLES["fused"][0]
            return f'\to{i} [shape=box style="rounded,filled" fillcolor="{fill}" label=<{label}>]\n'
        if op in NONCOMMUTATIVE and len(prev) == 2:
            op = f"a {op} b"
        return f"\to{i} [{OP_SHAPE} label={_quote(op)}]\n"

    def _input_edges(self, i, op, prev):
        index = self.index
        if op in NONCOMMUTATIVE and len(prev) == 2:
            names = ("a", "b")
        elif op in ORDERED and len(prev) > 1:
            names = tuple(str(k) for k in range(len(prev)))
        else:
            return [f"\tv{index[child]} -> o{i}\n" for child in prev]
        return [f'\tv{index[child]} -> o{i} [label="{name}"]\n' for child, name in zip(prev, names)]


def _collapse_rule(collapse):
    """(depth, names): collapse=True folds depth 1, an int n folds depth n, names fold by name."""
    if collapse is False or collapse is None:
        return None, ()
    if collapse is True:
        return 1, ()
    if isinstance(collapse, int):
        if collapse < 1:
            raise ValueError(
                f"collapse={collapse!r}: give True, a depth of 1 or more, or a list of group names"
            )
        return collapse, ()
    return None, (collapse,) if isinstance(collapse, str) else tuple(collapse)


def _parameter_names(model):
    """parameter -> its dotted path in `model` ("0.weight", "bn.bias"); {} without a model."""
    if model is None:
        return {}
    if not hasattr(model, "named_parameters"):
        raise TypeError(
            f"model= takes an nn.Module (to name its parameters), got {type(model).__name__}"
        )
    return {p: name for name, p in model.named_parameters()}


# ---- small text helpers --------------------------------------------------------------------


def _nest(clusters):
    """Nested cluster statements for group paths "outer/inner", opened and closed by a stack."""
    paths = set()
    for path in clusters:
        parts = path.split("/")
        paths.update("/".join(parts[: k + 1]) for k in range(len(parts)))
    out, open_paths = [], []
    for n, path in enumerate(sorted(paths, key=lambda p: p.split("/"))):
        while open_paths and not path.startswith(open_paths[-1] + "/"):
            open_paths.pop()
            out.append("\t}\n")
        depth = len(open_paths)
        fill = ("#f6f6f6", "#ececec", "#e2e2e2")[min(depth, 2)]
        name = path.split("/")[-1]
        out.append(f"\tsubgraph cluster_{n} {{\n")
        out.append(
            f'\t\tlabel={_quote(name)} labeljust=l style="rounded,filled" fillcolor="{fill}" '
            'color="#9a9a9a" fontsize=12\n'
        )
        out.extend("\t" + line for line in clusters.get(path, []))
        open_paths.append(path)
    out.extend("\t}\n" for _ in open_paths)
    return out


def _caption(title, roles, extra=()):
    """The title, `extra` monospaced lines and the colour key of exactly the shapes drawn, as a
    small table in the picture's bottom-left corner."""
    order = ["leaf", "constant", "input", "intermediate", "output", "op", "fused", "saved"]
    lines = []
    if title:
        lines.append(f'<font point-size="14"><b>{_esc(title)}</b></font>')
    for line in extra:
        lines.append(f'<font face="{MONO}" point-size="12">{_monospaced(line)}</font>')
    keys = []
    for role in order + ["collapsed", "feeds", "saved line"]:
        if role not in roles:
            continue
        if role == "op":
            key = f'<td border="1" style="rounded" {KEY_SIZE}>op</td>'
            text = "operation (arrows: its inputs)"
        elif role in DASHED:
            color, text = DASHED[role]
            size = KEY_SIZE.replace('height="16"', 'height="9"')  # the line at mid-height
            key = f'<td border="1" sides="B" style="dashed" color="{color}" {size}></td>'
        else:
            rounded = ' style="rounded"' if role in ("fused", "collapsed") else ""
            fill = ROLES[role][0]
            key = f'<td border="1"{rounded} bgcolor="{fill}" {KEY_SIZE}>{"&#160;" * 4}</td>'
            text = ROLES[role][1]
        keys.append(f'<tr>{key}<td align="left">{text}</td></tr>')
    cells = []
    if keys:  # the key beside the title, each table in a cell of its own: neither stretches
        legend = '<tr><td colspan="2" align="left"><b>legend</b></td></tr>' + "".join(keys)
        cells.append(f'<table border="0" cellspacing="2" cellpadding="2">{legend}</table>')
    if lines:
        rows = "".join(f'<tr><td align="left">{line}</td></tr>' for line in lines)
        cells.append(f'<table border="0" cellspacing="0" cellpadding="1">{rows}</table>')
    row = "".join(f'<td align="left" valign="top">{cell}</td>' for cell in cells)
    table = f'<table border="0" cellspacing="8" cellpadding="0"><tr>{row}</tr></table>'
    return f"\tlabel=<{table}> labelloc=b labeljust=l fontsize=10\n"


def _monospaced(line):
    """A line of monospaced text whose leading and trailing spaces keep their width: they are
    drawn as invisible digits (a label would drop plain spaces there, and Graphviz measures a
    no-break space differently from a digit)."""
    core = line.strip(" ")
    if not core:
        return _invisible(len(line))
    lead = len(line) - len(line.lstrip(" "))
    trail = len(line) - len(line.rstrip(" "))
    return _invisible(lead) + _esc(core) + _invisible(trail)


def _invisible(n):
    return f'<font color="transparent">{"0" * n}</font>' if n else ""


def _esc(text):
    return html.escape(str(text), quote=False)


@functools.cache  # op names repeat thousands of times in a big graph
def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(x, scale=None):
    """A float in at most ~10 characters: 4 decimals for everyday sizes, else scientific.
    With `scale` (the largest magnitude around it), noise below 1e-12 * scale prints as ~0."""
    # the common case first: graphs of 100,000 nodes call this twice per node
    if 1e-3 <= abs(x) < 1e5:
        return f"{x:.4f}"
    x = float(x)
    if x == 0:
        return "0.0000"
    if scale is not None and abs(x) < 1e-12 * scale:
        return "~0"
    return f"{x:.3e}"  # also nan and inf


def _shape(shape):
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _table_cells(name, text, width=None):
    """A name cell beside a cell of monospaced lines (one line per row of numbers), at least
    `width` points wide if given."""
    lines = '<br align="left"/>'.join(text.split("\n")) + '<br align="left"/>'
    least = "" if width is None else f' width="{width}"'
    return (
        f'<td align="left" valign="top">{name}</td>'
        f'<td align="left" balign="left"{least}><font face="{MONO}">{lines}</font></td>'
    )


def _saved_edge(name):
    """A dashed 'saved' line from an op to an input it saved, labelled with the saved name."""
    labelled = SAVED_EDGE.replace('label="saved"', f'label="saved {_esc(name)}"')
    return labelled + " constraint=false"  # the input keeps its place left of the op


def _compact(array):
    """A small array's numbers (one aligned line per row), or a large one's mean/std/min/max."""
    if array.size == 0:
        return "[]"
    if array.size <= SMALL and array.ndim <= 2:
        if array.dtype.kind == "f":
            a = array.astype(float)
            fixed = all(v == 0 or 1e-3 <= abs(v) < 1e5 for v in a.flat)
            texts = [f"{v:.4f}" if fixed else f"{v:.3e}" for v in a.flat]
        else:
            texts = [str(v) for v in array.flat]
        width = max(len(t) for t in texts)
        cells = [t.rjust(width) for t in texts]
        if array.ndim == 0:
            return cells[0]
        per_row = array.shape[-1]
        rows = [" ".join(cells[k : k + per_row]) for k in range(0, len(cells), per_row)]
        return "\n".join(f"[{row}]" for row in rows)
    a = array.astype(float)
    scale = float(np.abs(a).max())
    mean, std = _number(a.mean(), scale), _number(a.std(), scale)
    return f"mean {mean}  std {std}\nmin  {_number(a.min())}  max {_number(a.max())}"
