"""Convolution and padding for images (N, C, H, W), each one op with its own backward.

A 2-D convolution slides a (C, kh, kw) filter over the image; output pixel (y, x)
of filter f is a dot product with the window whose top-left corner is (s y, s x):

    out[n, f, y, x] = b[f] + sum_{c, i, j} w[f, c, i, j] in[n, c, s y + i, s x + j]

im2col turns that into one matrix product. Each kernel tap (i, j) of every window
is one column block of `cols`, read from a strided slice of the input:

    cols[n, y, x, c, i, j] = in[n, c, s y + i, s x + j]      (gather: a copy per tap)
    out = cols @ W^T + b      with cols (N OH OW, C kh kw) and W (F, C kh kw)

The backward of a matrix product is two matrix products, and the adjoint of a
gather is a scatter-add: each input pixel collects the gradient of every window
entry that copied it, so overlapping windows add up.

    dW    = g^T cols          db = sum of g over n, y, x
    dcols = g W               din[n, c, s y + i, s x + j] += dcols[n, y, x, c, i, j]

`pad` surrounds the input with a constant; its adjoint crops the gradient.
"""

import numpy as np

from .tensor import Tensor

__all__ = ["conv2d", "pad"]


def _pair(value, name, who, minimum):
    """PyTorch accepts 3 or (3, 3) for kernel sizes, strides and paddings."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if (
        len(pair) != 2
        or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in pair)
        or min(pair) < minimum
    ):
        raise ValueError(
            f"{who}: {name} must be an integer >= {minimum} or a pair of them, got {value!r}"
        )
    return tuple(int(v) for v in pair)


def _image(input, who):
    """The input as a Tensor of shape (N, C, H, W), or a clear error."""
    x = input if isinstance(input, Tensor) else Tensor(input)
    if x.ndim != 4:
        raise ValueError(
            f"{who}: expected a 4D input (N, C, H, W), got shape {x.shape}; "
            "add a batch dimension with x.reshape(1, *x.shape) for a single (C, H, W) image"
        )
    return x


def output_size(size, kernel, stride, padding=0):
    """How many windows fit along one side: floor((size + 2 padding - kernel) / stride) + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def taps(kernel, stride, out_size):
    """For each kernel tap (i, j): the strided slices of the input it reads in every window."""
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_size
    for i in range(kh):
        for j in range(kw):
            yield i, j, (slice(i, i + sh * oh, sh), slice(j, j + sw * ow, sw))


def _check_windows(image_size, kernel, stride, who):
    """The output size (OH, OW); an error when the kernel is larger than the (padded) image."""
    (h, w), (kh, kw) = image_size, kernel
    if kh > h or kw > w:
        raise ValueError(
            f"{who}: the kernel {kernel} is larger than the (padded) input {(h, w)}; "
            "use a smaller kernel or more padding"
        )
    return output_size(h, kh, stride[0]), output_size(w, kw, stride[1])


def conv2d(input, weight, bias=None, stride=1, padding=0):
    """2-D cross-correlation as `torch.nn.functional.conv2d` (no dilation, no groups).

    input (N, C, H, W), weight (F, C, kh, kw), bias (F,) or None; returns (N, F, OH, OW)
    with OH = floor((H + 2 padding - kh) / stride) + 1.

    Forward, im2col:  cols[(n, y, x), (c, i, j)] = in[n, c, s y + i, s x + j];  out = cols W^T + b
    Backward:         dW = g^T cols,  db = sum of g,  dcols = g W,  din = col2im(dcols)

    col2im is the adjoint of the gather, <cols(in), dcols> = <in, col2im(dcols)>: every input
    pixel sums the gradients of all the window entries that copied it (a scatter-add).
    """
    who = "conv2d"
    x = _image(input, who)
    if not isinstance(weight, Tensor) or weight.ndim != 4:
        raise ValueError(
            f"{who}: weight must be a 4D Tensor (out_channels, in_channels, kh, kw), "
            f"got {getattr(weight, 'shape', type(weight).__name__)}"
        )
    if weight.shape[1] != x.shape[1]:
        raise ValueError(
            f"{who}: the input has {x.shape[1]} channels (dim 1 of {x.shape}) but the weight "
            f"expects {weight.shape[1]} (dim 1 of {weight.shape}); they must be equal"
        )
    if bias is not None and (not isinstance(bias, Tensor) or bias.shape != weight.shape[:1]):
        raise ValueError(
            f"{who}: bias must be a Tensor of shape ({weight.shape[0]},), one per filter, "
            f"got {getattr(bias, 'shape', type(bias).__name__)}"
        )
    stride, padding = _pair(stride, "stride", who, 1), _pair(padding, "padding", who, 0)
    if any(padding):
        x = pad(x, (padding[1], padding[1], padding[0], padding[0]))
    return _convolve(x, weight, bias, stride)


def _convolve(x, weight, bias, stride):
    """The convolution op itself, on an already padded input."""
    n, c, h, w = x.shape
    f, _, kh, kw = weight.shape
    oh, ow = _check_windows((h, w), (kh, kw), stride, "conv2d")
    # im2col: tap (i, j) of every window is a strided slice of the input (a gather)
    cols = np.empty((n, oh, ow, c, kh, kw), dtype=np.result_type(x.data, weight.data))
    for i, j, (rows, columns) in taps((kh, kw), stride, (oh, ow)):
        cols[:, :, :, :, i, j] = x.data[:, :, rows, columns].transpose(0, 2, 3, 1)
    cols = cols.reshape(n * oh * ow, c * kh * kw)
    w_matrix = weight.data.reshape(f, c * kh * kw)
    out = cols @ w_matrix.T  # (N OH OW, F)
    if bias is not None:
        out += bias.data
    out = out.reshape(n, oh, ow, f).transpose(0, 3, 1, 2)

    with_bias = bias is not None

    def backward(g, cols, weight):
        g_matrix = g.transpose(0, 2, 3, 1).reshape(n * oh * ow, f)
        dweight = (g_matrix.T @ cols).reshape(f, c, kh, kw)  # dW = g^T cols
        dcols = g_matrix @ weight.data.reshape(f, c * kh * kw)  # dcols = g W
        dcols = dcols.reshape(n, oh, ow, c, kh, kw)
        dx = np.zeros((n, c, h, w), dtype=g.dtype)  # col2im: each tap back where it was read
        for i, j, (rows, columns) in taps((kh, kw), stride, (oh, ow)):
            dx[:, :, rows, columns] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
        db = (g.sum(axis=(0, 2, 3)),) if with_bias else ()  # db = sum of g over n, y, x
        return (dx, dweight, *db)

    inputs = (x, weight, bias) if with_bias else (x, weight)
    return Tensor._make(out, inputs, "conv2d", backward, {"cols": cols, "weight": weight})


def pad(input, pad, mode="constant", value=0.0):
    """Surround the last dims with `value`, as `torch.nn.functional.pad` in constant mode.

    `pad` lists (before, after) amounts from the last dim backwards: (left, right) pads
    the last dim, (left, right, top, bottom) the last two. The adjoint crops: d in = g[inside].
    """
    x = input if isinstance(input, Tensor) else Tensor(input)
    amounts = tuple(pad)
    if (
        mode != "constant"
        or len(amounts) % 2
        or len(amounts) // 2 > x.ndim
        or not all(isinstance(p, (int, np.integer)) and p >= 0 for p in amounts)
    ):
        raise ValueError(
            f"pad: expected mode='constant' and an even number (at most 2 x {x.ndim}) of "
            f"non-negative integers, (left, right, top, bottom, ...); got {amounts!r}, {mode=}"
        )
    widths = [(0, 0)] * x.ndim
    for k in range(len(amounts) // 2):  # pairs from the last dim backwards
        widths[x.ndim - 1 - k] = (int(amounts[2 * k]), int(amounts[2 * k + 1]))
    inside = tuple(slice(before, before + size) for (before, _), size in zip(widths, x.shape))
    out = np.pad(x.data, widths, constant_values=value)
    return Tensor._make(out, (x,), "pad", lambda g: (g[inside],))
