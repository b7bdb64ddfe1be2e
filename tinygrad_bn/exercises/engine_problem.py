"""Exercise 8's checks: the learner's own Value engine and unbroadcast, against tinygrad_bn's.

The learner's forward functions build graphs with the learner's Value; the
gradients their backward() leaves on every node are judged step by step like
any other exercise (the cache holds Value objects, so only the gradients are
compared; the forward values are the learner's own engine's).
"""

from .part import Part


def _expression_graph(s):
    s.e = s.a * s.b
    s.d = s.e + s.c
    s.t = s.d.tanh()
    s.f = s.t * s.a


def _new_ops_graph(s):
    s.p = s.a * s.b
    s.q = s.p.exp()
    s.r = s.a + s.b * -1.0
    s.sig = s.r.sigmoid()
    s.g = s.q * s.sig


def _long_chain_graph(s):
    y = s.x
    for _ in range(3000):
        y = y + 1.0
    s.out = y


def _broadcast_graph(s):
    s.out = s.x + s.b


def _local_derivative_mistakes(ctx):
    """exp's derivative from the input, sigmoid's without (1 - s)."""
    dq, dsig = ctx.upstreams["q"], ctx.upstreams["sig"]
    sig = ctx.value("sig")
    return {
        "p": [(ctx.value("p") * dq, "d e^a/da = e^a: the output out.data, not the input a")],
        "r": [(sig * dsig, "d s(a)/da = s(a) * (1 - s(a)): the factor (1 - s(a)) is missing"),
              ((1 - sig) * dsig, "d s(a)/da = s(a) * (1 - s(a)): the factor s(a) is missing")],
    }  # fmt: skip


def exercise8(rng):
    r = lambda: float(rng.uniform(0.5, 1.5) * rng.choice([-1.0, 1.0]))
    expression = dict(a=r(), b=r(), c=r() / 2)
    new_ops = dict(a=r(), b=r())
    engine = dict(scalar=True, check_forward=False, todo_rows=False)
    wide = dict(x=rng.standard_normal((4, 3)), b=rng.standard_normal(3))
    deep = dict(x=rng.standard_normal((2, 4, 3)), b=rng.standard_normal((4, 1)))
    return [
        Part(title="backward() on a graph", forward="expression_forward",
             backward="expression_backward", inputs=expression,
             graph=_expression_graph, output="f", order=("t", "d", "e", "c", "a", "b"),
             leaves=tuple(expression), upstream=r(), **engine),
        Part(title="exp and sigmoid", forward="new_ops_forward", backward="new_ops_backward",
             inputs=new_ops,
             graph=_new_ops_graph, output="g", order=("q", "sig", "p", "r", "a", "b"),
             leaves=tuple(new_ops), upstream=r(), mistakes=_local_derivative_mistakes, **engine),
        Part(title="a chain 3000 deep", forward="long_chain_forward",
             backward="long_chain_backward", inputs=dict(x=r()),
             graph=_long_chain_graph, output="out", order=("x",), leaves=("x",), upstream=r(),
             **engine),
        Part(title="unbroadcast (4, 3) + (3,)", forward="row_forward", backward="row_backward",
             inputs=wide, graph=_broadcast_graph, output="out", order=("x", "b"),
             leaves=("x", "b"), upstream=rng.standard_normal((4, 3)), todo_rows=False),
        Part(title="unbroadcast (2, 4, 3) + (4, 1)", forward="column_forward",
             backward="column_backward", inputs=deep, graph=_broadcast_graph, output="out",
             order=("x", "b"), leaves=("x", "b"), upstream=rng.standard_normal((2, 4, 3)),
             todo_rows=False),
    ]  # fmt: skip
