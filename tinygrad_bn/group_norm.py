"""GroupNorm (Wu & He, 2018): normalise each example over groups of its channels.

For input (N, C, *) and G groups of C/G channels each, every example's group g
holds n = (C/G) * (number of positions) numbers; GroupNorm normalises those:

    mean_ng = (1/n) sum x          var_ng = (1/n) sum (x - mean_ng)^2      (biased)
    out     = (x - mean_ng) / sqrt(var_ng + eps) * weight[c] + bias[c]

It never looks across the batch, so it works the same for a batch of one as of
a thousand and has no running statistics. G = 1 is LayerNorm over (C, H, W);
G = C is InstanceNorm. Composed from Tensor ops, so autograd derives the backward.
"""

from .graph import group
from .tensor import Tensor

__all__ = ["group_norm"]


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """As `torch.nn.functional.group_norm`: input (N, C, *), weight and bias (C,) or None."""
    x = input if isinstance(input, Tensor) else Tensor(input)
    if x.ndim < 2:
        raise ValueError(
            f"group_norm: expected input (N, C, *) with at least 2 dimensions, got shape {x.shape}"
        )
    n, c = x.shape[:2]
    if not isinstance(num_groups, int) or num_groups < 1 or c % num_groups:
        raise ValueError(
            f"group_norm: num_groups must be a positive divisor of the {c} channels, "
            f"got {num_groups!r}"
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and p.shape != (c,):
            raise ValueError(
                f"group_norm: {name} has shape {p.shape} but the input has {c} channels; "
                f"it must have shape ({c},)"
            )
    if x.numel() // (n * num_groups) < 2:
        raise ValueError(
            f"group_norm: expected more than 1 value per group, got input of shape {x.shape} "
            f"in {num_groups} groups; the variance of one number is undefined: use fewer groups"
        )
    per_channel = (c,) + (1,) * (x.ndim - 2)  # weight[c] broadcast over the positions
    with group("GroupNorm"):
        grouped = x.reshape(n, num_groups, -1)  # each row of a group: its C/G channels' values
        mean = grouped.mean(dim=-1, keepdim=True)
        centred = grouped - mean
        var = (centred * centred).mean(dim=-1, keepdim=True)
        out = (centred * (var + eps) ** -0.5).reshape(x.shape)
        if weight is not None:
            out = out * weight.reshape(per_channel)
        if bias is not None:
            out = out + bias.reshape(per_channel)
    return out
