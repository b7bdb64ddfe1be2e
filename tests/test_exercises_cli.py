"""`tinygrad-bn exercises list | start N | check FILE | solution N`."""

from tinygrad_bn.cli import main
from tinygrad_bn.exercises import EXERCISES


def test_list_shows_every_exercise_in_order(capsys):
    assert main(["exercises", "list"]) == 0
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    for number, exercise in EXERCISES.items():
        assert any(line.startswith(f"{number}. {exercise.title}") for line in lines)


def test_start_copies_the_template_into_the_folder(tmp_path, capsys):
    assert main(["exercises", "start", "5", "--dir", str(tmp_path / "work")]) == 0
    copied = tmp_path / "work" / EXERCISES[5].filename
    assert copied.read_text(encoding="utf-8") == EXERCISES[5].template_path.read_text(
        encoding="utf-8"
    )
    assert f"tinygrad-bn exercises check {copied}" in capsys.readouterr().out


def test_start_refuses_to_overwrite_the_learners_work(tmp_path, capsys):
    work = tmp_path / EXERCISES[2].filename
    work.write_text("my gradients", encoding="utf-8")
    assert main(["exercises", "start", "2", "--dir", str(tmp_path)]) == 1
    assert work.read_text(encoding="utf-8") == "my gradients"
    assert "already exists" in capsys.readouterr().out


def test_start_with_force_replaces_the_file(tmp_path):
    work = tmp_path / EXERCISES[2].filename
    work.write_text("my gradients", encoding="utf-8")
    assert main(["exercises", "start", "2", "--dir", str(tmp_path), "--force"]) == 0
    assert work.read_text(encoding="utf-8") == EXERCISES[2].template_path.read_text(
        encoding="utf-8"
    )


def test_check_of_a_started_template_exits_1_with_the_table(tmp_path, capsys):
    main(["exercises", "start", "4", "--dir", str(tmp_path)])
    capsys.readouterr()
    assert main(["exercises", "check", str(tmp_path / EXERCISES[4].filename)]) == 1
    out = capsys.readouterr().out
    assert (
        "exact" in out
        and "logprobs" in out
        and "not computed yet" in out
        and "Traceback" not in out
    )


def test_check_of_a_solution_exits_0(capsys):
    assert main(["exercises", "check", str(EXERCISES[6].solution_path)]) == 0
    assert "All 6 gradients match autograd" in capsys.readouterr().out


def test_check_takes_the_exercise_from_the_option_when_the_marker_is_gone(tmp_path, capsys):
    path = tmp_path / "mine.py"
    path.write_text(
        EXERCISES[3].solution_path.read_text(encoding="utf-8").replace("EXERCISE = 3", "# gone"),
        encoding="utf-8",
    )
    assert main(["exercises", "check", str(path)]) == 1
    assert main(["exercises", "check", str(path), "--exercise", "3"]) == 0


def test_solution_prints_the_reference_solution(capsys):
    assert main(["exercises", "solution", "7"]) == 0
    assert capsys.readouterr().out == EXERCISES[7].solution_path.read_text(encoding="utf-8")


def test_an_unknown_exercise_number_is_refused_with_the_range(capsys):
    assert main(["exercises", "solution", "8"]) == 2
    assert "there is no exercise 8; the exercises are 1 to 7" in capsys.readouterr().out


def test_no_action_prints_the_usage(capsys):
    assert main(["exercises"]) == 2
    assert "tinygrad-bn exercises list" in capsys.readouterr().out
