"""Errors that PyTorch code can catch the way it is used to.

PyTorch raises `RuntimeError` for a shape mismatch where numpy and most Python
code raise `ValueError`. `ShapeError` is both, so `except RuntimeError` (code
written for PyTorch) and `except ValueError` (code written for numpy) catch it.
"""


class ShapeError(ValueError, RuntimeError):
    """Shapes that do not fit together: a ValueError and a RuntimeError at once."""
