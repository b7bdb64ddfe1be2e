"""Errors that PyTorch code can catch the way it catches PyTorch's.

Where PyTorch raises `RuntimeError` for a shape mismatch (`F.batch_norm`, a strict
`load_state_dict`), we raise a `ShapeError`: it is a `ValueError` (wrong value
given) and a `RuntimeError` (what PyTorch code expects), so either `except` works.
Likewise a `DTypeError` for an array of the wrong number type.
"""


class ShapeError(ValueError, RuntimeError):
    """An argument of the wrong shape, or a state dict that does not fit a module."""


class DTypeError(TypeError, RuntimeError):
    """An array of the wrong number type (int running statistics, say), where PyTorch raises."""
