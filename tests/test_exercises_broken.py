"""Broken learner code gets a clear message naming the exercise and the function.

The checker never crashes.

Each case starts from a reference solution and breaks it the way a learner's
file can be broken; the check must exit 1 with a message that says what is
wrong and where, and with no traceback.
"""

import pytest

from tinygrad_bn.exercises import EXERCISES, check_file

LINEAR = EXERCISES[3].solution_path.read_text(encoding="utf-8")


def _write(tmp_path, source, name="mine.py"):
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return path


def _replace(source, old, new):
    assert source.count(old) == 1, old
    return source.replace(old, new)


def _check(path, **kwargs):
    report = check_file(path, **kwargs)
    text = report.render()
    assert report.exit_code == 1
    assert "Traceback" not in text
    return report, " ".join(text.split())


def test_syntax_error_names_the_exercise_and_the_line(tmp_path):
    source = _replace(LINEAR, "    db = dout.sum(0)", "    db = dout.sum(0")
    report, text = _check(_write(tmp_path, source))
    line = next(
        i
        for i, text in enumerate(source.splitlines(), 1)
        if text.startswith("    db = dout.sum(0  #")
    )
    assert "exercise 3" in text and "syntax error" in text
    assert f"mine.py line {line}: syntax error" in text
    assert "No gradient was checked" in text


def test_exception_at_import_names_the_exercise_the_error_and_the_line(tmp_path):
    report, text = _check(_write(tmp_path, LINEAR + "\nscale = 1 / 0\n"))
    assert (
        "exercise 3" in text
        and "ZeroDivisionError: division by zero" in text
        and "`scale = 1 / 0`" in text
    )


def test_sys_exit_at_import_is_reported_not_obeyed(tmp_path):
    report, text = _check(_write(tmp_path, LINEAR + "\nimport sys\nsys.exit(3)\n"))
    assert "SystemExit" in text and "exercise 3" in text


def test_exception_in_backward_names_the_function_and_the_line_and_skips_only_that_part(tmp_path):
    source = _replace(LINEAR, "    db = dout.sum(0)", '    db = dout.sum(0) + cache["bias"]')
    report, text = _check(_write(tmp_path, source))
    assert "exercise 3: A linear layer and matmul" in text
    assert "linear_backward() raised KeyError: 'bias'" in text and "in linear_backward" in text
    assert [row.status for row in report.rows if row.part == "linear layer"] == ["error"] + [
        "not checked"
    ] * 4
    assert all(row.ok for row in report.rows if row.part == "matrix used twice")


def test_deep_recursion_in_learner_code_is_an_error_row(tmp_path):
    source = LINEAR + "\n\ndef forever(k):\n    return forever(k + 1)\n"
    source = _replace(source, "    dxW = dout\n", "    dxW = dout\n    forever(0)\n")
    report, text = _check(_write(tmp_path, source))
    assert "linear_backward() raised RecursionError" in text


def test_missing_function_is_named(tmp_path):
    source = _replace(
        LINEAR, "def square_backward(cache, dout):", "def square_backwards(cache, dout):"
    )
    report, text = _check(_write(tmp_path, source))
    assert "has no function `square_backward`" in text
    assert all(row.ok for row in report.rows if row.part == "linear layer")


def test_backward_returning_a_tuple_is_told_to_return_a_dict(tmp_path):
    source = _replace(
        LINEAR, "    return dict(xW=dxW, b=db, x=dx, W=dW)", "    return dxW, db, dx, dW"
    )
    report, text = _check(_write(tmp_path, source))
    assert "linear_backward() must return a dict {name: gradient}, got tuple" in text


def test_forward_returning_nothing_is_told_to_return_its_dict(tmp_path):
    source = _replace(LINEAR, "    return dict(A=A, B=B, y=y, out=out)", "    pass")
    report, text = _check(_write(tmp_path, source))
    assert (
        "square_forward() must return a dict of the forward pass's values" in text
        and "got NoneType" in text
    )


def test_a_changed_forward_pass_is_named(tmp_path):
    source = _replace(LINEAR, "    out = xW + b\n", "    out = xW - b\n")
    report, text = _check(_write(tmp_path, source))
    assert (
        "linear_forward() was changed: its `out` differs" in text
        and "restore the forward from the template" in text
    )


def test_a_gradient_of_an_unrelated_shape_says_which_shape_it_needs(tmp_path):
    source = _replace(LINEAR, '    dW = cache["x"].T @ dxW', "    dW = np.ones((2, 2))")
    report, text = _check(_write(tmp_path, "import numpy as np\n" + source))
    assert (
        report.row("linear layer", "W").hint
        == "wrong shape: dW must have the shape of `W`, (4, 3), but it has shape (2, 2)"
    )


def test_a_gradient_that_is_not_numbers_is_named(tmp_path):
    source = _replace(LINEAR, '    dW = cache["x"].T @ dxW', '    dW = "x.T @ dout"')
    report, text = _check(_write(tmp_path, source))
    assert (
        "expected a numpy array of numbers of shape (4, 3), got a str"
        in report.row("linear layer", "W").hint
    )


def test_a_gradient_returned_as_a_tensor_is_told_to_use_its_data(tmp_path):
    source = _replace(LINEAR, '    dW = cache["x"].T @ dxW', '    dW = Tensor(cache["x"].T @ dxW)')
    report, text = _check(_write(tmp_path, "from tinygrad_bn import Tensor\n" + source))
    assert "got a Tensor: use its .data" in report.row("linear layer", "W").hint


def test_a_scalar_gradient_returned_as_a_value_is_told_to_use_its_data(tmp_path):
    source = EXERCISES[1].solution_path.read_text(encoding="utf-8")
    source = _replace(source, "    dd = 2 * d * df  #", "    dd = Value(2 * d * df)  #")
    report, text = _check(_write(tmp_path, "from tinygrad_bn import Value\n" + source))
    assert "got a Value: use its .data" in report.row("chain rule", "d").hint


def test_a_missing_key_is_named(tmp_path):
    source = _replace(
        LINEAR, "    return dict(xW=dxW, b=db, x=dx, W=dW)", "    return dict(xW=dxW, b=db, x=dx)"
    )
    report, text = _check(_write(tmp_path, source))
    row = report.row("linear layer", "W")
    assert row.status == "missing" and "linear_backward() returned no gradient for `W`" in row.hint


def test_nan_in_a_gradient_is_named(tmp_path):
    source = _replace(LINEAR, '    dW = cache["x"].T @ dxW', '    dW = cache["x"].T @ dxW * np.nan')
    report, text = _check(_write(tmp_path, "import numpy as np\n" + source))
    assert "contains NaN or inf" in report.row("linear layer", "W").hint


def test_zeros_left_in_place_of_a_gradient_count_as_not_computed(tmp_path):
    source = _replace(LINEAR, '    dW = cache["x"].T @ dxW', "    dW = np.zeros((4, 3))")
    report, text = _check(_write(tmp_path, "import numpy as np\n" + source))
    assert report.row("linear layer", "W").status == "not computed yet"


def test_a_file_without_its_exercise_line_is_told_to_add_it_or_name_the_exercise(tmp_path):
    path = _write(tmp_path, _replace(LINEAR, "EXERCISE = 3  #", "# EXERCISE = 3  #"))
    report, text = _check(path)
    assert "has no line `EXERCISE = N`" in text
    assert check_file(path, exercise=3).ok


def test_an_unknown_exercise_number_is_named(tmp_path):
    report, text = _check(_write(tmp_path, _replace(LINEAR, "EXERCISE = 3  #", "EXERCISE = 99  #")))
    assert f"there is no exercise 99; the exercises are 1 to {len(EXERCISES)}" in text


def test_a_missing_file_is_named(tmp_path):
    report, text = _check(tmp_path / "nowhere.py")
    assert "no such file" in text and "nowhere.py" in text


def test_the_learner_cannot_corrupt_the_checkers_data_by_writing_into_its_inputs(tmp_path):
    zero_everything = (
        "    for value in cache.values():\n        value *= 0\n    dout *= 0\n"
        "    return dict(y=dy, A=dA, B=dB)"
    )
    source = _replace(LINEAR, "    return dict(y=dy, A=dA, B=dB)", zero_everything)
    # the checker's truth was computed on its own copies
    assert check_file(_write(tmp_path, source)).ok


def test_a_train_function_that_raises_is_an_error_row_in_exercise_7(tmp_path):
    source = EXERCISES[7].solution_path.read_text(encoding="utf-8")
    source = _replace(
        source,
        "        ix = rng.integers(0, len(X), batch_size)\n",
        "        ix = rng.integers(0, len(X), batch_size)\n        X.shape = ()\n",
    )
    report, text = _check(_write(tmp_path, source))
    assert "train() raised ValueError" in text and "in train" in text
    assert all(row.ok for row in report.rows if row.part == "one training step")


@pytest.mark.parametrize("number", sorted(EXERCISES))
def test_an_empty_file_names_every_missing_function_without_crashing(tmp_path, number):
    report, text = _check(_write(tmp_path, f"EXERCISE = {number}\n"))
    assert f"exercise {number}" in text and "has no function" in text


def test_a_gradient_cast_to_float32_is_told_to_stay_in_float64(tmp_path):
    source = _replace(
        LINEAR, '    dW = cache["x"].T @ dxW', '    dW = (cache["x"].T @ dxW).astype("float32")'
    )
    report, text = _check(_write(tmp_path, source))
    assert "the check runs in float64" in report.row("linear layer", "W").hint


def test_an_exception_counts_only_the_gradients_not_the_error_row(tmp_path):
    source = _replace(LINEAR, "    db = dout.sum(0)", "    db = dout.sum(0) + undefined_name")
    report, text = _check(_write(tmp_path, source))
    assert "3 of 7 right" in text and "1 part could not run" in text


def test_misnamed_keys_are_listed_as_unexpected(tmp_path):
    source = _replace(
        LINEAR,
        "    return dict(xW=dxW, b=db, x=dx, W=dW)",
        "    return dict(xw=dxW, b=db, x=dx, w=dW)",
    )
    report, text = _check(_write(tmp_path, source))
    hint = report.row("linear layer", "W").hint
    assert "key 'W' is missing" in hint and "'w', 'xw'" in hint and "a typo in a key?" in hint


def test_a_transpose_that_breaks_the_shapes_is_explained_in_words(tmp_path):
    source = _replace(LINEAR, '    dx = dxW @ cache["W"].T', '    dx = dxW @ cache["W"]')
    report, text = _check(_write(tmp_path, source))
    assert "linear_backward() raised ValueError" in text
    assert "The factors of a matrix product do not fit: for out = A @ B, dA = dout @ B.T" in text


def test_a_recursive_graph_walk_in_the_engine_is_told_to_use_a_stack(tmp_path):
    source = EXERCISES[8].solution_path.read_text(encoding="utf-8")
    start = source.index("        order, visited, stack = [], set(), [(self, False)]")
    end = source.index("        self.grad = 1.0\n")
    recursive = (
        "        order, visited = [], set()\n\n"
        "        def visit(node):\n"
        "            if id(node) not in visited:\n"
        "                visited.add(id(node))\n"
        "                for child in node._prev:\n"
        "                    visit(child)\n"
        "                order.append(node)\n\n"
        "        visit(self)\n"
    )
    report, text = _check(_write(tmp_path, source[:start] + recursive + source[end:]))
    assert "long_chain_backward() raised RecursionError" in text and "explicit stack" in text
    assert all(row.ok for row in report.rows if row.part == "backward() on a graph")


def test_a_training_loop_without_the_decay_is_caught_in_exercise_12(tmp_path):
    source = EXERCISES[12].solution_path.read_text(encoding="utf-8")
    source = _replace(source, "rate = lr if step < decay_step else lr / 10", "rate = lr")
    report, text = _check(_write(tmp_path, source))
    assert all(row.ok for row in report.rows if row.part != "training loop")
    assert "check the update step in train()" in report.row("training loop", "W1").hint
