"""Mutation tests: deliberately wrong solutions are rejected, each with the hint for its mistake.

Each mutant is the reference solution with one line changed the way a
learner gets it wrong. The checker must fail it (exit code 1) with exactly
one `wrong` row, the mistaken gradient, explained by the hint that names the
mistake; every other row is right, or `follows` from the wrong one.
"""

import pytest

from tinygrad_bn.exercises import EXERCISES, check_file

# rows that are not the mistake: right, computed right from a wrong row above, or not run
JUDGED_FINE = ("right", "follows", "not checked")

SIGN = "flipped sign"
ACCUMULATE = "add up the gradients from every use"
BROADCAST_SUM = "missing a sum over a broadcast dimension"
TRANSPOSED = "transposed matrix"
VARIANCE = "which variance estimator?"
TOO_BIG = "off by a factor of n = "  # with "too big: you forgot the 1/n"
CHAIN_RULE = "local derivative only"
SCATTER = "np.add.at(dC, Xb, demb) adds them"
OWN_FACTOR = "the other factor, not the variable itself"
TANH_INPUT = "yours uses the input"
INTEGERS = ".astype(int) cut them off"
EXPONENT = "and yours has the exponent -0.5"
HALF_PATH = "through `squared` is half what it should be"
MEAN_PATH = "through `mean` is n = "
NO_GAMMA = "dx lacks the factor gamma"
LEFT_FACTOR = "dB = A.T @ dy: A stands on the left"
EXP_OUTPUT = "the output out.data, not the input a"
SIGMOID = "the factor (1 - s(a)) is missing"
KEEPDIMS = "keep the reduced axis with keepdims=True"
LAYER_AXIS = "LayerNorm's mean and variance run over the features"
BATCH_VAR = "the running variance, not the batch's"
CONVENTION = "momentum means the other thing here"
ESTIMATOR_RUNNING = "batch variance (divides by"
ONE_OVER_N = "carries a 1/n"
LEFT_OUT = "J is the sum of the three terms; yours leaves out `correlation`"
NO_GAMMA_TERM = "every term carries the factor gamma / sigma"

# (exercise, line fragment of the solution, its replacement, (part, row), words of the hint)
MUTANTS = [
    (1, "dd = 2 * d * df", "dd = -2 * d * df", ("chain rule", "d"), SIGN),
    (1, "dd = 2 * d * df", "dd = int(2 * d * df)", ("chain rule", "d"), INTEGERS),
    (1, "    db = a * de\n", "    db = b * de\n", ("chain rule", "b"), OWN_FACTOR),
    (1, "    dx += y * dq  # ... plus from q = x * y\n", "", ("reused variable", "x"), ACCUMULATE),
    (1, 'dn = (1 - c["o"] ** 2) * do', 'dn = 1 - c["o"] ** 2', ("tanh neuron", "n"), CHAIN_RULE),
    (
        1,
        'dn = (1 - c["o"] ** 2) * do',
        'dn = (1 - c["n"] ** 2) * do',
        ("tanh neuron", "n"),
        TANH_INPUT,
    ),
    (1, 'dw1 = c["x1"] * dx1w1', 'dw1 = -c["x1"] * dx1w1', ("tanh neuron", "w1"), SIGN),
    (
        2,
        "dw = (x * dscaled).sum(0)",
        "dw = x * dscaled",
        ("broadcast and mean", "w"),
        BROADCAST_SUM,
    ),
    (
        2,
        "db = dshifted.sum(1, keepdims=True)",
        "db = dshifted",
        ("broadcast and mean", "b"),
        BROADCAST_SUM,
    ),
    (
        2,
        'np.ones_like(cache["shifted"]) * dout / n',
        'np.ones_like(cache["shifted"]) * dout',
        ("broadcast and mean", "shifted"),
        TOO_BIG,
    ),
    (
        2,
        "    dscaled = dshifted\n",
        "    dscaled = np.ones_like(dshifted)\n",
        ("broadcast and mean", "scaled"),
        CHAIN_RULE,
    ),
    (
        2,
        '    dx += np.ones_like(cache["x"]) * dmean / d  # ... and through the mean\n',
        "",
        ("centring", "x"),
        ACCUMULATE,
    ),
    (
        2,
        'dx += np.ones_like(cache["x"]) * dmean / d',
        'dx += np.ones_like(cache["x"]) * dmean',
        ("centring", "x"),
        MEAN_PATH,
    ),
    (
        2,
        "dmean = -dout.sum(1, keepdims=True)",
        "dmean = dout.sum(1, keepdims=True)",
        ("centring", "mean"),
        SIGN,
    ),
    (3, 'dW = cache["x"].T @ dxW', 'dW = dxW.T @ cache["x"]', ("linear layer", "W"), TRANSPOSED),
    (3, "db = dout.sum(0)", "db = dout", ("linear layer", "b"), BROADCAST_SUM),
    (3, "db = dout.sum(0)", "db = dout.sum(0).astype(int)", ("linear layer", "b"), INTEGERS),
    (3, 'dx = dxW @ cache["W"].T', 'dx = -(dxW @ cache["W"].T)', ("linear layer", "x"), SIGN),
    (3, "dB = A.T @ dy", "dB = dy.T @ A", ("matrix used twice", "B"), TRANSPOSED),
    (3, "dB = A.T @ dy", "dB = dy @ A.T", ("matrix used twice", "B"), LEFT_FACTOR),
    (
        3,
        '    dA = dA + dy @ cache["B"].T  # ... plus as the left factor of A @ B\n',
        "",
        ("matrix used twice", "A"),
        ACCUMULATE,
    ),
    (
        4,
        "= -1.0 / n  # only the picked",
        "= -1.0  # only the picked",
        ("every intermediate", "logprobs"),
        TOO_BIG,
    ),
    (
        4,
        "= -1.0 / n  # only the picked",
        "= 1.0 / n  # only the picked",
        ("every intermediate", "logprobs"),
        SIGN,
    ),
    (
        4,
        '(c["counts"] * dprobs).sum(1, keepdims=True)',
        '(c["counts"] * dprobs)',
        ("every intermediate", "counts_sum_inv"),
        BROADCAST_SUM,
    ),
    (
        4,
        "    dcounts = dcounts + dcounts_sum  # ... and in counts_sum\n",
        "",
        ("every intermediate", "counts"),
        ACCUMULATE,
    ),
    (
        4,
        'dcounts_sum = -(c["counts_sum"] ** -2)',
        'dcounts_sum = (c["counts_sum"] ** -2)',
        ("every intermediate", "counts_sum"),
        SIGN,
    ),
    (
        4,
        "return dict(logits=dlogits / n)",
        "return dict(logits=dlogits)",
        ("one line", "logits"),
        TOO_BIG,
    ),
    (
        5,
        'np.ones_like(c["squared"]) * dvar / n',
        'np.ones_like(c["squared"]) * dvar / (n - 1)',
        ("staged BatchNorm", "squared"),
        VARIANCE,
    ),
    (
        5,
        '    dcentred = dcentred + 2 * c["centred"] * dsquared  # ... and in squared\n',
        "",
        ("staged BatchNorm", "centred"),
        ACCUMULATE,
    ),
    (
        5,
        'dcentred + 2 * c["centred"] * dsquared',
        'dcentred + c["centred"] * dsquared',
        ("staged BatchNorm", "centred"),
        HALF_PATH,
    ),
    (
        5,
        'dgamma = (c["x_hat"] * dscaled).sum(0, keepdims=True)',
        'dgamma = c["x_hat"] * dscaled',
        ("staged BatchNorm", "gamma"),
        BROADCAST_SUM,
    ),
    (
        5,
        "dmean = -dcentred.sum(0, keepdims=True)",
        "dmean = dcentred.sum(0, keepdims=True)",
        ("staged BatchNorm", "mean"),
        SIGN,
    ),
    (
        5,
        '(c["var"] + EPS) ** -1.5 * dinv_std',
        '(c["var"] + EPS) ** -0.5 * dinv_std',
        ("staged BatchNorm", "var"),
        EXPONENT,
    ),
    (
        5,
        'dx = dcentred + np.ones_like(c["x"]) * dmean / n',
        "dx = dcentred + dmean",
        ("staged BatchNorm", "x"),
        MEAN_PATH,
    ),
    (
        5,
        "    dscaled = dout\n",
        "    dscaled = np.ones_like(dout)\n",
        ("staged BatchNorm", "scaled"),
        CHAIN_RULE,
    ),
    (
        6,
        "(n * dout - dbeta - x_hat * dgamma)",
        "(n * dout - dbeta - n / (n - 1) * x_hat * dgamma)",
        ("biased variance", "x"),
        VARIANCE,
    ),
    (
        6,
        "(n * dout - dbeta - n / (n - 1) * x_hat * dgamma)",
        "(n * dout - dbeta - x_hat * dgamma)",
        ("Bessel-corrected variance", "x"),
        VARIANCE,
    ),
    (
        6,
        "dx = gamma * inv_std / n * (n * dout - dbeta - n / (n - 1)",
        "dx = -gamma * inv_std / n * (n * dout - dbeta - n / (n - 1)",
        ("Bessel-corrected variance", "x"),
        SIGN,
    ),
    (
        6,
        "dx = gamma * inv_std / n * (n * dout - dbeta - x_hat",
        "dx = inv_std / n * (n * dout - dbeta - x_hat",
        ("biased variance", "x"),
        NO_GAMMA,
    ),
    (
        6,
        "dbeta - x_hat * dgamma)\n    return dict(beta=dbeta,",
        "dbeta - x_hat * dgamma)\n    return dict(beta=-dbeta,",
        ("biased variance", "beta"),
        SIGN,
    ),
    (
        6,
        "    dgamma = (dout * x_hat).sum(0, keepdims=True)\n"
        "    dx = gamma * inv_std / n * (n * dout - dbeta - n /",
        "    dgamma = dout * x_hat\n    dx = gamma * inv_std / n * (n * dout - dbeta - n /",
        ("Bessel-corrected variance", "gamma"),
        BROADCAST_SUM,
    ),
    (
        7,
        'np.ones_like(c["bndiff2"]) * dbnvar / (n - 1)',
        'np.ones_like(c["bndiff2"]) * dbnvar / n',
        ("one training step", "bndiff2"),
        VARIANCE,
    ),
    (7, 'np.add.at(dC, c["Xb"], demb)', 'dC[c["Xb"]] = demb', ("one training step", "C"), SCATTER),
    (7, 'np.add.at(dC, c["Xb"], demb)', 'dC[c["Xb"]] += demb', ("one training step", "C"), SCATTER),
    (
        7,
        'dW2 = c["h"].T @ dlogits',
        'dW2 = dlogits.T @ c["h"]',
        ("one training step", "W2"),
        TRANSPOSED,
    ),
    (7, "db1 = dhprebn.sum(0)", "db1 = dhprebn", ("one training step", "b1"), BROADCAST_SUM),
    (
        7,
        'dlogprobs[rows, c["Yb"]] = -1.0 / n',
        'dlogprobs[rows, c["Yb"]] = 1.0 / n',
        ("one training step", "logprobs"),
        SIGN,
    ),
    (
        7,
        '    dbndiff = dbndiff + 2 * c["bndiff"] * dbndiff2  # ... plus the second, through '
        "bndiff2\n",
        "",
        ("one training step", "bndiff"),
        ACCUMULATE,
    ),
    (
        7,
        'dhpreact = (1.0 - c["h"] ** 2) * dh',
        'dhpreact = (1.0 - c["hpreact"] ** 2) * dh',
        ("one training step", "hpreact"),
        TANH_INPUT,
    ),
    (
        7,
        'dbnvar_inv = (c["bndiff"] * dbnraw).sum(0, keepdims=True)',
        'dbnvar_inv = c["bndiff"] * dbnraw',
        ("one training step", "bnvar_inv"),
        BROADCAST_SUM,
    ),
    (
        7,
        '(c["bnvar"] + EPS) ** -1.5 * dbnvar_inv',
        '(c["bnvar"] + EPS) ** -0.5 * dbnvar_inv',
        ("one training step", "bnvar"),
        EXPONENT,
    ),
    (
        8,
        "local = out.data  # d e^a/da",
        "local = self.data  # d e^a/da",
        ("exp and sigmoid", "p"),
        EXP_OUTPUT,
    ),
    (
        8,
        "local = out.data  # d e^a/da",
        "local = -out.data  # d e^a/da",
        ("exp and sigmoid", "p"),
        SIGN,
    ),
    (8, "local = out.data * (1 - out.data)", "local = out.data", ("exp and sigmoid", "r"), SIGMOID),
    (
        8,
        "local = out.data * (1 - out.data)",
        "local = -out.data * (1 - out.data)",
        ("exp and sigmoid", "r"),
        SIGN,
    ),
    (
        8,
        "summed.sum(axis=stretched, keepdims=True)",
        "summed.sum(axis=stretched)",
        ("unbroadcast (2, 4, 3) + (4, 1)", "b"),
        KEEPDIMS,
    ),
    (
        8,
        "return summed.sum(axis=stretched, keepdims=True)",
        "return summed",
        ("unbroadcast (2, 4, 3) + (4, 1)", "b"),
        BROADCAST_SUM,
    ),
    (
        9,
        '(c["var"] + EPS) ** -1.5 * dinv_std',
        '(c["var"] + EPS) ** -0.5 * dinv_std',
        ("staged LayerNorm", "var"),
        EXPONENT,
    ),
    (
        9,
        'np.ones_like(c["squared"]) * dvar / d',
        'np.ones_like(c["squared"]) * dvar / (d - 1)',
        ("staged LayerNorm", "squared"),
        VARIANCE,
    ),
    (
        9,
        'dcentred + 2 * c["centred"] * dsquared',
        'dcentred + c["centred"] * dsquared',
        ("staged LayerNorm", "centred"),
        HALF_PATH,
    ),
    (
        9,
        'dx = dcentred + np.ones_like(c["x"]) * dmean / d',
        "dx = dcentred + dmean",
        ("staged LayerNorm", "x"),
        MEAN_PATH,
    ),
    (
        9,
        'dgamma = (c["x_hat"] * dscaled).sum(0, keepdims=True)',
        'dgamma = c["x_hat"] * dscaled',
        ("staged LayerNorm", "gamma"),
        BROADCAST_SUM,
    ),
    (
        9,
        "dmean = -dcentred.sum(1, keepdims=True)",
        "dmean = dcentred.sum(1, keepdims=True)",
        ("staged LayerNorm", "mean"),
        SIGN,
    ),
    (9, "    dx_hat = gamma * dout\n", "    dx_hat = dout\n", ("one line", "x"), NO_GAMMA),
    (
        9,
        "dx_hat.sum(1, keepdims=True)\n                        - x_hat * (dx_hat * x_hat).sum(1,",
        "dx_hat.sum(0, keepdims=True)\n                        - x_hat * (dx_hat * x_hat).sum(0,",
        ("one line", "x"),
        LAYER_AXIS,
    ),
    (
        10,
        'dx = dx_hat * (c["running_var"] + EPS) ** -0.5',
        'dx = dx_hat * (c["x"].var(0, keepdims=True) + EPS) ** -0.5',
        ("eval-mode BatchNorm", "x"),
        BATCH_VAR,
    ),
    (
        10,
        'dgamma = (c["x_hat"] * dout).sum(0, keepdims=True)',
        'dgamma = c["x_hat"] * dout',
        ("eval-mode BatchNorm", "gamma"),
        BROADCAST_SUM,
    ),
    (
        10,
        "    dbeta = dout.sum(0, keepdims=True)\n    dgamma = (c",
        "    dbeta = -dout.sum(0, keepdims=True)\n    dgamma = (c",
        ("eval-mode BatchNorm", "beta"),
        SIGN,
    ),
    (
        10,
        "keepdims=True) / (n - 1)",
        "keepdims=True) / n",
        ("running statistics, PyTorch", "running_var"),
        ESTIMATOR_RUNNING,
    ),
    (
        10,
        "new_mean = (1 - momentum) * running_mean + momentum * batch_mean",
        "new_mean = momentum * running_mean + (1 - momentum) * batch_mean",
        ("running statistics, PyTorch", "running_mean"),
        CONVENTION,
    ),
    (
        10,
        "new_var = momentum * running_var + (1 - momentum) * batch_var",
        "new_var = (1 - momentum) * running_var + momentum * batch_var",
        ("running statistics, CS231n and Keras", "running_var"),
        CONVENTION,
    ),
    (
        10,
        "batch_var = x.var(0, keepdims=True)",
        "batch_var = x.var(0, keepdims=True, ddof=1)",
        ("running statistics, CS231n and Keras", "running_var"),
        ESTIMATOR_RUNNING,
    ),
    (
        11,
        "correlation = -gamma / sigma / n * np.outer",
        "correlation = -gamma / sigma * np.outer",
        ("BatchNorm Jacobian", "correlation"),
        ONE_OVER_N,
    ),
    (
        11,
        "mean = -gamma / sigma / n * np.ones",
        "mean = gamma / sigma / n * np.ones",
        ("BatchNorm Jacobian", "mean"),
        SIGN,
    ),
    (
        11,
        "mean = -gamma / sigma / n * np.ones",
        "mean = -gamma / sigma * np.ones",
        ("BatchNorm Jacobian", "mean"),
        TOO_BIG,
    ),
    (
        11,
        "identity = gamma / sigma * np.eye(n)",
        "identity = np.eye(n) / sigma",
        ("BatchNorm Jacobian", "identity"),
        NO_GAMMA_TERM,
    ),
    (
        11,
        "J = identity + mean + correlation",
        "J = identity + mean",
        ("BatchNorm Jacobian", "J"),
        LEFT_OUT,
    ),
    (
        11,
        "correlation = -gamma / sigma / n * np.outer",
        "correlation = gamma / sigma / n * np.outer",
        ("BatchNorm Jacobian", "correlation"),
        SIGN,
    ),
    (12, "dlogits /= n", "dlogits /= 1", ("one step, one-line gradients", "logits"), TOO_BIG),
    (
        12,
        '- n / (n - 1) * c["bnraw"]',
        '- c["bnraw"]',
        ("one step, one-line gradients", "hprebn"),
        VARIANCE,
    ),
    (
        12,
        'dhpreact = (1.0 - c["h"] ** 2) * dh',
        'dhpreact = (1.0 - c["hpreact"] ** 2) * dh',
        ("one step, one-line gradients", "hpreact"),
        TANH_INPUT,
    ),
    (
        12,
        'np.add.at(dC, c["Xb"], demb)',
        'dC[c["Xb"]] += demb',
        ("one step, one-line gradients", "C"),
        SCATTER,
    ),
    (
        12,
        'dW1 = c["embcat"].T @ dhprebn',
        'dW1 = dhprebn.T @ c["embcat"]',
        ("one step, one-line gradients", "W1"),
        TRANSPOSED,
    ),
    (
        12,
        "db2 = dlogits.sum(0)",
        "db2 = dlogits",
        ("one step, one-line gradients", "b2"),
        BROADCAST_SUM,
    ),
]


def _mutant(tmp_path, number, old, new):
    source = EXERCISES[number].solution_path.read_text(encoding="utf-8")
    assert source.count(old) == 1, (
        f"the mutation target {old!r} must occur exactly once in solution {number}"
    )
    path = tmp_path / f"mutant_{number}.py"
    path.write_text(source.replace(old, new), encoding="utf-8")
    return path


def test_every_exercise_has_at_least_six_mutants_with_different_mistakes():
    for number in EXERCISES:
        hints = [hint for n, _, _, _, hint in MUTANTS if n == number]
        assert len(hints) >= 6 and len(set(hints)) >= 3, number


@pytest.mark.parametrize(
    "number, old, new, where, hint",
    MUTANTS,
    ids=[f"ex{m[0]}-{m[3][1]}-{m[4].split()[0]}" for m in MUTANTS],
)
def test_mutant_gets_exactly_one_wrong_row_with_its_hint(tmp_path, number, old, new, where, hint):
    report = check_file(_mutant(tmp_path, number, old, new))
    text = report.render()
    assert report.exit_code == 1 and not report.error, text
    wrong = [(row.part, row.name) for row in report.rows if row.status not in JUDGED_FINE]
    assert wrong == [where], text
    assert hint in report.row(*where).hint, f"expected {hint!r}, got {report.row(*where).hint!r}"
    assert "Traceback" not in text and "WRONG: the mistake is here" in text
    statuses = {row["status"] for row in report.to_json()["rows"]}
    assert statuses <= {"right", "wrong", "follows"}


def test_training_is_not_checked_until_every_gradient_is_right(tmp_path):
    report = check_file(_mutant(tmp_path, 7, "db1 = dhprebn.sum(0)", "db1 = dhprebn"))
    training = [row for row in report.rows if row.part == "training loop"]
    assert training and all(row.status == "not checked" for row in training)
    assert "make every gradient above right first" in report.render()


def test_a_wrong_update_step_in_train_is_caught_by_the_training_rows(tmp_path):
    path = _mutant(tmp_path, 7, "rate = lr if step < decay_step else lr / 10", "rate = lr")
    report = check_file(path)
    assert report.exit_code == 1
    assert all(row.ok for row in report.rows if row.part == "one training step")
    assert (
        not report.row("training loop", "W1").ok
        and "update step" in report.row("training loop", "W1").hint
    )
