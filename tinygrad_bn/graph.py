"""The graph machinery shared by `Value` and `Tensor`.

Every node keeps the nodes it was computed from in `_prev`. Backpropagation
visits the nodes so that a node comes after everything that depends on it;
this file finds that order (`topological_order`), or counts each node's
users so that backpropagation can count them down (`count_users`), with
explicit stacks, so a graph of a million links needs no recursion
(Python's limit is about 1,000 frames).

`no_grad()` switches graph recording off, as `torch.no_grad()` does.
"""

from contextlib import contextmanager


class _GradMode:
    enabled = True


class _Group:
    """Name of the function or module now building nodes ("outer/inner" when nested)."""

    current = None


def is_grad_enabled() -> bool:
    return _GradMode.enabled


@contextmanager
def no_grad():
    """Inside `with no_grad():` ops compute values but record no graph."""
    previous, _GradMode.enabled = _GradMode.enabled, False
    try:
        yield
    finally:
        _GradMode.enabled = previous


@contextmanager
def group(name: str):
    """Tag every node built inside `with group(name):` (or a function decorated
    with `@group(name)`) so that pictures draw them as one labelled cluster."""
    previous = _Group.current
    _Group.current = name if previous is None else f"{previous}/{name}"
    try:
        yield
    finally:
        _Group.current = previous


_EMIT = object()  # on the stack: "the node below me has all its inputs emitted"


def topological_order(root) -> list:
    """Every node reachable from `root`, each one after all of its inputs.

    Depth-first with an explicit stack: a node is pushed back under an _EMIT
    marker, then its unvisited inputs on top; when the marker surfaces, all
    of the node's inputs are in `order`, so the node goes in too.
    """
    order, visited, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node is _EMIT:
            order.append(stack.pop())
        elif node not in visited:
            visited.add(node)
            stack.append(node)
            stack.append(_EMIT)
            for child in node._prev:
                if child not in visited:
                    stack.append(child)
    return order


def count_users(root) -> dict:
    """For each node an op computed that `root` depends on (root included, leaves
    left out): how many times ops in this graph take it as an input.

    Backpropagation counts these down: a node's gradient is complete once every
    user has passed its share back, and only then may the node pass gradients
    on to its own inputs (Kahn's algorithm, run from the output).
    """
    users, stack = {root: 0}, [root]
    while stack:
        for child in stack.pop()._prev:
            if child._prev:
                if child in users:
                    users[child] += 1
                else:
                    users[child] = 1
                    stack.append(child)
    return users
