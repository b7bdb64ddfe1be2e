"""Exercises: every reference solution passes, every untouched template fails readably.

The reference solutions are the learner's target: the checker must accept
them in float64 to 1e-10 (bit for bit where they repeat the engine's own
operations), and it must answer an untouched template with a table of
"not computed yet" rows, never a traceback.
"""

import ast

import numpy as np
import pytest

from tinygrad_bn.exercises import EXERCISES, check_file
from tinygrad_bn.exercises.part import Part
from tinygrad_bn.exercises.problems import parts

NUMBERS = sorted(EXERCISES)


def test_every_exercise_has_a_template_and_a_solution():
    assert NUMBERS == list(range(1, len(NUMBERS) + 1))
    for exercise in EXERCISES.values():
        assert exercise.template_path.is_file() and exercise.solution_path.is_file()


# staged solutions repeat the engine's own operations, so they agree bit for bit; the one-line
# forms (6, 9, 12), the learner's engine (8, which multiplies by dout last), the update rules (10)
# and the Jacobian's formula (11) order the operations differently and agree to rounding
BIT_EXACT = (1, 2, 3, 4, 5, 7)


@pytest.mark.parametrize("number", NUMBERS)
def test_reference_solution_passes_every_row_to_1e_10(number):
    report = check_file(EXERCISES[number].solution_path)
    assert report.exit_code == 0, report.render()
    assert report.rows and all(row.ok for row in report.rows)
    assert all(row.max_diff is not None and row.max_diff <= 1e-10 for row in report.rows)
    if number in BIT_EXACT:
        assert all(row.exact for row in report.rows), [r.name for r in report.rows if not r.exact]
    result = report.to_json()
    assert result["exercise"] == number and result["passed"] is True and result["error"] is None
    assert len(result["rows"]) == len(report.rows)
    assert all(row["status"] == "right" and row["hint"] is None for row in result["rows"])


def test_one_line_batchnorm_differs_from_autograd_only_by_rounding():
    report = check_file(EXERCISES[6].solution_path)
    dx = [row for row in report.rows if row.name == "x"]
    assert len(dx) == 2 and all(0 <= row.max_diff <= 1e-14 for row in dx)


@pytest.mark.parametrize("number", NUMBERS)
def test_reference_solution_passes_with_other_random_data(number):
    assert check_file(EXERCISES[number].solution_path, seed=7).ok


@pytest.mark.parametrize("number", NUMBERS)
def test_untouched_template_fails_with_a_readable_table(number):
    report = check_file(EXERCISES[number].template_path)
    text = report.render()
    assert report.exit_code == 1
    assert "Traceback" not in text
    assert "gradient  " in text and "exact" in text and "approx" in text and "max diff" in text
    gradient_rows = [row for row in report.rows if row.status != "not checked"]
    assert gradient_rows and all(row.status == "not computed yet" for row in gradient_rows)
    for row in gradient_rows:
        assert any(
            line.split()[:1] == [row.name] and line.rstrip().endswith("not computed yet")
            for line in text.splitlines()
        )
    assert "fill in the gradients marked TODO" in text
    result = report.to_json()
    assert result["exercise"] == number and result["passed"] is False
    assert set(result) == {"exercise", "passed", "rows", "error"}
    judged = [row for row in result["rows"]]
    assert len(judged) == len(gradient_rows) and all(row["status"] == "wrong" for row in judged)
    assert all(row["hint"].startswith("not computed yet") for row in judged)
    assert all(set(row) == {"part", "name", "status", "hint"} for row in judged)


def _functions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("number", NUMBERS)
def test_template_and_solution_share_every_forward_pass_and_helper(number):
    template, solution = (
        _functions(EXERCISES[number].template_path),
        _functions(EXERCISES[number].solution_path),
    )
    assert template.keys() == solution.keys()
    for name in template:
        if "backward" not in name and "TODO" not in ast.get_source_segment(
            EXERCISES[number].template_path.read_text(encoding="utf-8"), template[name]
        ):
            assert ast.dump(template[name]) == ast.dump(solution[name]), (
                f"{name} differs between template and solution"
            )


ENGINE = 8  # the learner writes code (an engine), not one gradient per line


@pytest.mark.parametrize("number", [n for n in NUMBERS if n != ENGINE])
def test_every_gradient_left_to_the_learner_is_marked_todo_in_the_template(number):
    text = EXERCISES[number].template_path.read_text(encoding="utf-8")
    asked = sum(len(part.order) for part in parts(number) if getattr(part, "todo_rows", False))
    assert text.count("= None  # TODO") == asked


def test_the_engine_template_marks_each_piece_the_learner_writes():
    text = EXERCISES[ENGINE].template_path.read_text(encoding="utf-8")
    for piece in ("local = 0.0  # TODO: d e^a / da", "local = 0.0  # TODO: d s(a) / da",
                  "# TODO: every node once", "summed = None  # TODO"):  # fmt: skip
        assert text.count(piece) == 1, piece


@pytest.mark.parametrize("number", NUMBERS)
def test_checker_data_has_no_zero_parameters_and_a_random_upstream_gradient(number):
    for part in parts(number):
        if not isinstance(part, Part):
            continue
        for name in part.leaves:
            values = (
                part.inputs[name].values()
                if isinstance(part.inputs[name], dict)
                else [part.inputs[name]]
            )
            for value in values:
                assert np.all(np.asarray(value) != 0), f"{part.title}: {name} holds a zero"
        if part.upstream is not None:
            upstream = np.asarray(part.upstream)
            assert np.all(upstream != 0) and (
                upstream.size == 1 or np.unique(upstream).size == upstream.size
            )
            assert not np.all(upstream == 1)


def test_the_data_is_seeded_so_a_check_repeats_exactly():
    first, second = parts(5, seed=3)[0], parts(5, seed=3)[0]
    assert np.array_equal(first.inputs["x"], second.inputs["x"]) and np.array_equal(
        first.upstream, second.upstream
    )
    assert not np.array_equal(first.inputs["x"], parts(5, seed=4)[0].inputs["x"])


def test_the_exercise_modules_import_each_other_without_a_circle():
    folder = EXERCISES[1].template_path.parent.parent
    imports = {}
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports[path.stem] = {
            node.module.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        }
    done, on_path = set(), []

    def visit(module):  # depth first; a module met again while on the path closes a circle
        assert module not in on_path, " -> ".join(on_path + [module])
        if module in done:
            return
        on_path.append(module)
        for imported in sorted(imports.get(module, ())):
            visit(imported)
        on_path.pop()
        done.add(module)

    for module in sorted(imports):
        visit(module)
    assert "makemore_problem" in imports["problems"]
    assert "problems" not in imports["makemore_problem"]


@pytest.mark.parametrize("number", NUMBERS)
def test_each_part_checks_a_function_of_its_own(number):
    # the JSON names a row by (function, gradient): two parts must not share a function
    functions = [part.function for part in parts(number)]
    assert len(set(functions)) == len(functions)
