"""Max and average pooling over (N, C, H, W) images, each one op with its own backward.

Pooling slides a (kh, kw) window with stride s over each channel and keeps one
number per window. As in `convolution.py`, kernel tap (i, j) of every window is a
strided slice of the input, so a pool is a reduction over the kh kw taps:

    avg:  out = (1 / (kh kw)) sum_{i, j} tap_ij        d tap_ij = g / (kh kw)
    max:  out = max_{i, j} tap_ij                      d tap_ij = g  where tap_ij won, else 0

and the backward scatter-adds each tap's gradient back to the slice it was read
from (overlapping windows add up). Max pooling sends a window's gradient to the
first largest tap, in row-major order, as PyTorch does.
"""

import numpy as np

from .convolution import _check_windows, _image, _pair, taps
from .tensor import Tensor

__all__ = ["max_pool2d", "avg_pool2d"]


def _windows(input, kernel_size, stride, padding, fill, who):
    """Check the arguments; return the padded data, kernel, stride, output size and taps."""
    x = _image(input, who)
    kernel = _pair(kernel_size, "kernel_size", who, 1)
    stride = kernel if stride is None else _pair(stride, "stride", who, 1)
    padding = _pair(padding, "padding", who, 0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(
            f"{who}: padding {padding} must be at most half the kernel {kernel}, as in PyTorch"
        )
    data = x.data
    if any(padding):
        (ph, pw) = padding
        data = np.pad(data, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    size = _check_windows(data.shape[2:], kernel, stride, who)
    return x, data, padding, list(taps(kernel, stride, size))


def _crop(grad, padding):
    """The gradient of the unpadded input: drop the padding's border."""
    (ph, pw), (h, w) = padding, grad.shape[2:]
    return grad[:, :, ph : h - ph, pw : w - pw]


def avg_pool2d(input, kernel_size, stride=None, padding=0):
    """The mean of each window, as `torch.nn.functional.avg_pool2d` (padding counts as zeros).

    stride defaults to kernel_size (windows side by side); out = mean of the kh kw taps.
    """
    x, data, padding, windows = _windows(input, kernel_size, stride, padding, 0.0, "avg_pool2d")
    area = len(windows)
    out = sum(data[:, :, rows, columns] for _, _, (rows, columns) in windows) / area

    padded_shape = data.shape

    def backward(g):  # every tap gets g / (kh kw)
        grad = np.zeros(padded_shape, dtype=g.dtype)
        for _, _, (rows, columns) in windows:
            grad[:, :, rows, columns] += g / area
        return (_crop(grad, padding),)

    return Tensor._make(out, (x,), "avg_pool2d", backward)


def max_pool2d(input, kernel_size, stride=None, padding=0):
    """The largest entry of each window, as `torch.nn.functional.max_pool2d`
    (padding counts as -inf). stride defaults to kernel_size.

    The backward sends each window's gradient to its winning tap (the first, on ties).
    """
    x, data, padding, windows = _windows(input, kernel_size, stride, padding, -np.inf, "max_pool2d")
    stacked = np.stack([data[:, :, rows, columns] for _, _, (rows, columns) in windows])
    winner = stacked.argmax(axis=0)  # which tap won each window (the first on ties)
    out = np.take_along_axis(stacked, winner[None], axis=0)[0]

    padded_shape = data.shape

    def backward(g, winner):  # d tap = g where the tap won, 0 elsewhere
        grad = np.zeros(padded_shape, dtype=g.dtype)
        for k, (_, _, (rows, columns)) in enumerate(windows):
            grad[:, :, rows, columns] += np.where(winner == k, g, 0.0)
        return (_crop(grad, padding),)

    return Tensor._make(out, (x,), "max_pool2d", backward, {"winner": winner})
