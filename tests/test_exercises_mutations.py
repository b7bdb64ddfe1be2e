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
