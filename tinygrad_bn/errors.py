"""Errors that PyTorch code can catch the way it catches PyTorch's.

Where PyTorch raises `RuntimeError` for a shape mismatch (`F.batch_norm`, a strict
`load_state_dict`), we raise a `ShapeError`: it is a `ValueError` (wrong value
given) and a `RuntimeError` (what PyTorch code expects), so either `except` works.
"""


class ShapeError(ValueError, RuntimeError):
    """An argument of the wrong shape, or a state dict that does not fit a module."""
