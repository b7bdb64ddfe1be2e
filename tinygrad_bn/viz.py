"""Pictures of a computation graph, drawn with Graphviz.

    draw_dot(loss)              # a graphviz.Digraph; a notebook shows it inline
    to_dot(loss)                # the DOT text; needs no Graphviz program at all
    render(loss, "loss.svg")    # .svg, .png or .pdf through Graphviz's `dot`; .dot is the text

Every number in the graph (a `Value` or a `Tensor`) is a box; every number
that was computed gets a small oval for the op that computed it, with an
arrow from each input. Boxes are coloured by their role (the legend is drawn
in the picture too):

    green   parameters and other leaves (numbers you made; constants such as eps)
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

from .graph import topological_order

DEFAULT_MAX_NODES = 2000  # more than this and `dot` takes minutes and the picture is a wall

NONCOMMUTATIVE = {"-", "/", "**", "@"}  # binary ops whose edges are labelled a, b
ORDERED = {"cat", "stack"}  # n-ary ops whose edges are labelled 0, 1, 2, ...
SAVED_NAMES = {"x_hat": "x\u0302 (x_hat)", "inv_std": "1/\u03c3 (inv_std)"}  # x̂, 1/σ

# role -> (fill colour, legend text)
ROLES = {
    "leaf": ("#d4edc9", "parameter or other leaf"),
    "input": ("#cfe2f7", "input (data)"),
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
SMALL = 16  # tensors with at most this many elements show every number
FONT, MONO = "Helvetica", "Courier"


class GraphTooBigError(ValueError):
    """The graph has more nodes than `max_nodes` allows."""


class GraphvizNotFoundError(RuntimeError):
    """Rendering needs Graphviz's `dot` program and it is not installed."""


INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz; "
    "conda: conda install graphviz; Windows: https://graphviz.org/download/) so that `dot` is on your PATH"
)


class Picture(graphviz.Digraph):
    """A `graphviz.Digraph` that, in a notebook without Graphviz, says how to install it."""

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            return {
                "text/plain": f"Graphviz's `dot` program was not found: {INSTALL_HINT}. to_dot() gives the DOT text without it."
            }


def draw_dot(
    root,
    *,
    rankdir="LR",
    show_data=True,
    show_grad=True,
    collapse=False,
    show_saved=False,
    inputs=(),
    max_nodes=DEFAULT_MAX_NODES,
    legend=True,
):
    """The graph that computed `root` (a Value or a Tensor, or a list of them) as a `graphviz.Digraph`.

    rankdir     "LR" (left to right) or "TB" (top to bottom)
    show_data   print each node's data (Tensors: the numbers if small, else mean/std/min/max)
    show_grad   print each node's grad
    collapse    True: fold every top-level group into one box; n: fold the groups n deep (2: each
                module of a Sequential); or a list of group names ("outer/inner") to fold
    show_saved  draw what each op saved for its backward (its `_saved`; BatchNorm: x̂, 1/σ, γ)
    inputs      nodes to colour as inputs (for Values, which cannot tell data from parameters)
    max_nodes   refuse graphs with more drawn nodes than this (None: no limit)
    legend      draw the colour legend under the picture
    """
    if rankdir not in ("LR", "TB"):
        raise ValueError(
            f"rankdir must be 'LR' (left to right) or 'TB' (top to bottom), got {rankdir!r}"
        )
    lines = _Drawing(root, show_data, show_grad, collapse, show_saved, inputs).lines(
        max_nodes, legend
    )
    picture = Picture(name="computation_graph", body=lines)
    picture.graph_attr.update(rankdir=rankdir, fontname=FONT, nodesep="0.25", ranksep="0.35")
    picture.node_attr.update(shape="plain", fontname=FONT, fontsize="11")
    picture.edge_attr.update(fontname=FONT, fontsize="10", color="#555555", arrowsize="0.7")
    return picture


def to_dot(root, *, max_nodes=None, **options):
    """The DOT text of `draw_dot(root, **options)`; needs no Graphviz program."""
    return draw_dot(root, max_nodes=max_nodes, **options).source


def render(root, path, **options):
    """Draw `root`'s graph into `path`; the format comes from the suffix (.svg, .png, .pdf, .dot).

    Without Graphviz's `dot` program the DOT text is still written beside
    `path` (same name, suffix .dot) and GraphvizNotFoundError says how to install it."""
    return save(draw_dot(root, **options), path)


def save(picture, path):
    """Write a drawn picture to `path` (format from the suffix); see `render`."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png", "pdf", "dot"):
        raise ValueError(
            f"cannot tell the picture format from {str(path)!r}: end the file name in .svg, .png, .pdf or .dot"
        )
    if fmt == "dot":
        path.write_text(picture.source, encoding="utf-8")
        return path
    try:
        data = picture.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        beside = path.with_suffix(".dot")
        beside.write_text(picture.source, encoding="utf-8")
        raise GraphvizNotFoundError(
            f"cannot render {path}: Graphviz's `dot` program was not found. To fix it, {INSTALL_HINT}. "
            f"The DOT text was written to {beside}; render it later with: dot -T{fmt} {beside} -o {path}"
        ) from None
    path.write_bytes(data)
    return path


# ---- the walk: which box each node becomes, and what it says ----------------------------


class _Drawing:
    """One walk over the graph, turned into DOT statements."""

    def __init__(self, root, show_data, show_grad, collapse, show_saved, inputs):
        roots = list(root) if isinstance(root, (list, tuple)) else [root]
        for r in roots:
            if not hasattr(r, "_prev") or not hasattr(r, "data"):
                raise TypeError(
                    f"draw_dot draws a Value or a Tensor (or a list of them), got {type(r).__name__}"
                )
        self.roots, self.show_data, self.show_grad, self.show_saved = (
            set(roots),
            show_data,
            show_grad,
            show_saved,
        )
        self.order, self.index = [], {}  # the node's id is its place in the walk
        for r in roots:
            for node in topological_order(r):  # inputs before the nodes computed from them
                if node not in self.index:
                    self.index[node] = len(self.order)
                    self.order.append(node)
        self.inputs = set(inputs)
        self.is_tensor = hasattr(roots[0], "requires_grad")
        self.folded = self._folded_groups(collapse)

    def _folded_groups(self, collapse):
        """node -> path of the collapsed group it disappears into (the root always stays visible).

        collapse=True folds top-level groups; an int n folds the groups n deep ("Sequential/Linear (2)"
        for n=2), leaving shallower clusters drawn around the boxes; a list names the groups to fold."""
        if collapse is False or collapse is None:
            return {}
        if isinstance(collapse, str):
            collapse = [collapse]
        depth = 1 if collapse is True else collapse if isinstance(collapse, int) else None
        if depth is not None and depth < 1:
            raise ValueError(
                f"collapse={collapse!r}: give True, a depth of 1 or more, or a list of group names"
            )
        names = None if depth is not None else list(collapse)
        folded = {}
        for node in self.order:
            group = getattr(node, "_group", None)
            if group is None or node in self.roots:
                continue
            if names is None:
                parts = group.split("/")
                if len(parts) >= depth:
                    folded[node] = "/".join(parts[:depth])
            else:
                match = next((n for n in names if group == n or group.startswith(n + "/")), None)
                if match is not None:
                    folded[node] = match
        return folded

    def count(self):
        """How many shapes the picture would hold."""
        computed = sum(1 for node in self.order if node._prev and node not in self.folded)
        visible = len(self.order) - len(self.folded)
        saved = 0
        if self.show_saved:
            shown = [n for n in self.order if n._prev and n not in self.folded]
            saved = sum(len(self._saved_entries(n)[0]) for n in shown)
        return visible + computed + saved + len(set(self.folded.values()))

    def lines(self, max_nodes, legend):
        count = self.count()
        if max_nodes is not None and count > max_nodes:
            raise GraphTooBigError(self._too_big_message(count, max_nodes))
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
            group = getattr(node, "_group", None)  # micrograd's own Values have no groups
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
                        roles.add("saved")
                    for k, (name, value) in enumerate(boxes_of_saved):
                        where.append(f"\ts{i}_{k} [label=<{self._saved_box(name, value)}>]\n")
                        edges.append(f"\to{i} -> s{i}_{k} [{SAVED_EDGE}]\n")
                    for name, j in drawn_inputs:  # a saved input: a dashed line to its own box
                        edges.append(f"\to{i} -> v{j} [{_saved_edge(name)}]\n")
        edges = self._fold_edges(edges, boxes)
        for path, (box, ops) in boxes.items():
            roles.add("collapsed")
            # the box sits in the cluster around its group, if any
            outer, _, name = path.rpartition("/")
            where = clusters.setdefault(outer, []) if outer else top
            label = f"<b>{_esc(name)}</b><br/>{ops} op{'' if ops == 1 else 's'} folded in"
            where.append(
                f'\t{box} [shape=box style="rounded,filled" fillcolor="{ROLES["collapsed"][0]}" label=<{label}>]\n'
            )
        out = top + _nest(clusters) + edges
        if legend:
            out.append(_legend(roles))
        return out

    def _fold_edges(self, edges, boxes):
        """Point edges at a collapsed group's box instead of the nodes inside it; one edge per pair."""
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
        groups = sorted({n._group.split("/")[0] for n in self.order if getattr(n, "_group", None)})
        fold = (
            f"draw it with collapse=True to fold each of its groups ({', '.join(groups[:6])}) into one box, "
            if groups
            else "build the model inside `with tinygrad_bn.group(name):` blocks and draw with collapse=True to fold them, "
        )
        return (
            f"this graph would be drawn with {count:,} nodes, more than max_nodes={max_nodes:,} "
            "(Graphviz would take minutes and the picture would be unreadable). To draw less, "
            f"{fold}or draw a smaller piece of it (e.g. the loss of one example). "
            f"To draw it anyway, raise the limit: max_nodes={count} (or max_nodes=None). "
            "to_dot(root) gives the DOT text without any limit."
        )

    def _role(self, node, prev):
        if node in self.roots:
            return "output"
        if prev:
            return "intermediate"
        if node in self.inputs:
            return "input"
        if self.is_tensor and not node.requires_grad and (node.label or node.data.ndim > 0):
            return "input"
        return "leaf"  # parameters, and constants such as the eps in var + eps

    def _box(self, node, role):
        """HTML label of a data node: one row for a Value, a title and data/grad rows for a Tensor."""
        head = BOX_HEADS[role]
        if not self.is_tensor:
            label = getattr(node, "label", "")  # micrograd 0.1.0's Values have none
            name = f"<td><b>{_esc(label)}</b></td>" if label else ""
            data = f"<td>data {_number(node.data)}</td>" if self.show_data else ""
            grad = f"<td>grad {_number(node.grad)}</td>" if self.show_grad else ""
            return f"{head}<tr>{name}{data}{grad or ('' if name or data else '<td>&nbsp;</td>')}</tr></table>"
        name = node.label or ("constant" if not node._prev and node.data.ndim == 0 else "")
        title = f"<b>{_esc(name)}</b> " if name else ""
        rows = [(f"{title}{_shape(node.data.shape)} {node.data.dtype}", None)]
        if self.show_data:
            rows.append(("data", _compact(node.data)))
        if self.show_grad and node.requires_grad:
            rows.append(("grad", "None" if node.grad is None else _compact(node.grad)))
        return head + "".join(_table_row(*row) for row in rows) + "</table>"

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
        head = f'<table border="0" cellborder="1" cellspacing="0" cellpadding="3" bgcolor="{ROLES["saved"][0]}" color="#7a55a8">'
        if not isinstance(array, np.ndarray):  # a number (a Value's local derivative) or an index
            title = f"<b>{_esc(SAVED_NAMES.get(name, name))}</b>"
            text = _number(array) if isinstance(array, float) else _esc(repr(array)[:60])
            return head + _table_row(title, text) + "</table>"
        rows = [
            (
                f"<b>{_esc(SAVED_NAMES.get(name, name))}</b> {_shape(array.shape)} {array.dtype}",
                None,
            )
        ]
        if self.show_data:
            rows.append(("data", _compact(array)))
        return head + "".join(_table_row(*row) for row in rows) + "</table>"

    def _op_node(self, i, op, prev, fused):
        op = op or "?"
        if fused:
            label = f"<b>{_esc(op)}</b><br/>fused"
            return f'\to{i} [shape=box style="rounded,filled" fillcolor="{ROLES["fused"][0]}" label=<{label}>]\n'
        if op in NONCOMMUTATIVE and len(prev) == 2:
            op = f"a {op} b"
        return f"\to{i} [shape=ellipse margin=0.02 height=0.3 label={_quote(op)}]\n"

    def _input_edges(self, i, op, prev):
        index = self.index
        if op in NONCOMMUTATIVE and len(prev) == 2:
            names = ("a", "b")
        elif op in ORDERED and len(prev) > 1:
            names = tuple(str(k) for k in range(len(prev)))
        else:
            return [f"\tv{index[child]} -> o{i}\n" for child in prev]
        return [f'\tv{index[child]} -> o{i} [label="{name}"]\n' for child, name in zip(prev, names)]


# ---- small text helpers --------------------------------------------------------------------


def _nest(clusters):
    """Statements of nested clusters for group paths "outer/inner", opened and closed with a stack."""
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
            f'\t\tlabel={_quote(name)} labeljust=l style="rounded,filled" fillcolor="{fill}" color="#9a9a9a" fontsize=12\n'
        )
        out.extend("\t" + line for line in clusters.get(path, []))
        open_paths.append(path)
    out.extend("\t}\n" for _ in open_paths)
    return out


def _legend(roles):
    """The colour key, as a small table in the picture's bottom-left corner."""
    order = ["leaf", "input", "intermediate", "output", "op", "fused", "saved", "collapsed"]
    rows = []
    for role in order:
        if role not in roles:
            continue
        if role == "op":
            rows.append(
                '<tr><td border="1" style="rounded">op</td><td align="left">operation (arrows: its inputs)</td></tr>'
            )
        else:
            rows.append(
                f'<tr><td border="1" bgcolor="{ROLES[role][0]}">{"&nbsp;" * 4}</td><td align="left">{ROLES[role][1]}</td></tr>'
            )
    table = (
        '<table border="0" cellspacing="2" cellpadding="2"><tr><td colspan="2" align="left"><b>legend</b></td></tr>'
        + "".join(rows)
    )
    return f"\tlabel=<{table}</table>> labelloc=b labeljust=l fontsize=10\n"


def _esc(text):
    return html.escape(str(text), quote=False)


@functools.cache  # op names repeat thousands of times in a big graph
def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(x, scale=None):
    """A float in at most ~10 characters: 4 decimals for everyday sizes, else scientific.
    With `scale` (the largest magnitude around it), rounding noise below 1e-12 * scale prints as ~0."""
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


def _table_row(name, text):
    """A title row across both columns, or a name cell beside a cell of monospaced lines."""
    if text is None:
        return f'<tr><td colspan="2" align="left">{name}</td></tr>'
    lines = '<br align="left"/>'.join(text.split("\n")) + '<br align="left"/>'
    return f'<tr><td align="left" valign="top">{name}</td><td align="left" balign="left"><font face="{MONO}">{lines}</font></td></tr>'


def _saved_edge(name):
    """A dashed 'saved' line from an op to an input it saved, labelled with the saved name."""
    labelled = SAVED_EDGE.replace('label="saved"', f'label="saved {_esc(name)}"')
    return labelled + " constraint=false"  # the input keeps its place left of the op


def _compact(array):
    """The numbers of a small array (one line per row, aligned), or mean/std/min/max of a large one."""
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
