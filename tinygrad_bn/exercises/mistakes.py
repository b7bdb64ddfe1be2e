"""Mistakes that more than one exercise can hold, each a wrong answer with the hint that names it.

A maker returns mistakes(ctx) -> {row name: [(the wrong answer, its hint)]}, with the
wrong answer computed from the learner's own upstream (ctx.upstreams, see hints.py).
"""

from .steps import EPS


def tanh_from_input(inp, out):
    """The mistake d tanh(u)/du = 1 - u**2, with the input u where the output belongs."""

    def mistakes(ctx):
        wrong = (1 - ctx.value(inp) ** 2) * ctx.upstreams[out]
        hint = (
            f"d tanh(u)/du = 1 - tanh(u)**2 is written with the output `{out}` = tanh(`{inp}`): "
            f"yours uses the input, 1 - {inp}**2"
        )
        return {inp: [(wrong, hint)]}

    return mistakes


def inv_sqrt_exponent(var, inv_std):
    """The mistake d (v + eps)**-0.5 / dv = -0.5 (v + eps)**-0.5: the exponent kept at -0.5."""

    def mistakes(ctx):
        wrong = -0.5 * (ctx.value(var) + EPS) ** -0.5 * ctx.upstreams[inv_std]
        hint = (
            f"the power rule lowers the exponent by one: d (v + eps)**-0.5 / dv = "
            f"-0.5 * (v + eps)**-1.5, and yours has the exponent -0.5 (d{var})"
        )
        return {var: [(wrong, hint)]}

    return mistakes


def both(*makers):
    """Several mistake makers as one."""

    def mistakes(ctx):
        out = {}
        for maker in makers:
            for name, found in maker(ctx).items():
                out.setdefault(name, []).extend(found)
        return out

    return mistakes
