"""The graph machinery shared by `Value` and `Tensor`.

Every node keeps the nodes it was computed from in `_prev`. Backpropagation
visits the nodes so that a node comes after everything that depends on it:
the reverse of `topological_order`, which both engines (and the pictures)
use. It walks with an explicit stack, so a graph of a million links needs
no recursion (Python's limit is about 1,000 frames).

`no_grad()` switches graph recording off, as `torch.no_grad()` does. Like
PyTorch's, the switch (and the current `group`) belongs to one thread: a
`no_grad()` in one thread never stops another thread's graph.
"""

import functools
import threading
from contextlib import contextmanager


class _ThreadGradMode(threading.local):
    enabled = True  # each thread starts with recording on (a class default, read per thread)


class _ThreadGroup(threading.local):
    """Name of the function or module now building nodes ("outer/inner" when nested)."""

    current = None


_GradMode = _ThreadGradMode()
_Group = _ThreadGroup()


def is_grad_enabled() -> bool:
    return _GradMode.enabled


class no_grad:
    """Inside `with no_grad():` ops compute values but record no graph.

    Also a decorator, with or without parentheses, as in PyTorch:
    `@no_grad` and `@no_grad()` both run the function with recording off.
    """

    def __new__(cls, function=None):
        if function is None:
            return super().__new__(cls)
        if not callable(function):
            raise TypeError(
                f"no_grad() takes no arguments, got {function!r}; "
                "write `with no_grad():`, `@no_grad` or `@no_grad()`"
            )
        return cls()(function)  # used bare, as @no_grad: `function` is what it decorates

    def __enter__(self):
        self.previous, _GradMode.enabled = _GradMode.enabled, False

    def __exit__(self, *exception):
        _GradMode.enabled = self.previous  # the mode of before, even after an exception

    def __call__(self, function):
        @functools.wraps(function)
        def without_grad(*args, **kwargs):
            with no_grad():
                return function(*args, **kwargs)

        return without_grad


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
    marker, then its inputs on top (an input already visited is skipped when it
    is popped); when the marker surfaces, all of the node's inputs are in
    `order`, so the node goes in too.
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
            stack.extend(node._prev)
    return order
