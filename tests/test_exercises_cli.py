"""`tinygrad-bn exercises list | start N | check FILE | solution N`."""

import json
import shlex
import subprocess
import sys

import pytest

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
    assert main(["exercises", "solution", "99"]) == 2
    assert (
        f"there is no exercise 99; the exercises are 1 to {len(EXERCISES)}"
        in capsys.readouterr().out
    )


def test_no_action_prints_the_usage(capsys):
    assert main(["exercises"]) == 2
    assert "tinygrad-bn exercises list" in capsys.readouterr().out


def test_check_json_prints_one_object_and_exits_0_only_when_passed(tmp_path, capsys):
    assert main(["exercises", "check", str(EXERCISES[3].solution_path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["exercise"] == 3 and result["passed"] is True and result["error"] is None
    assert [row["name"] for row in result["rows"]] == ["xW", "b", "x", "W", "y", "A", "B"]
    assert result["rows"][0] == {"part": "linear_backward", "name": "xW", "status": "right",
                                 "hint": None}  # fmt: skip
    wrong = tmp_path / "mine.py"
    source = EXERCISES[3].solution_path.read_text(encoding="utf-8")
    wrong.write_text(source.replace("dxW = dout\n", "dxW = -dout\n"), encoding="utf-8")
    assert main(["exercises", "check", str(wrong), "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [(row["name"], row["status"]) for row in rows[:4]] == [
        ("xW", "wrong"), ("b", "right"), ("x", "follows"), ("W", "follows")
    ]  # fmt: skip
    assert rows[0]["hint"].startswith("flipped sign")


def test_check_json_of_a_file_that_cannot_run_has_no_rows_and_the_error(tmp_path, capsys):
    path = tmp_path / "mine.py"
    path.write_text("EXERCISE = 2\ndef broken(:\n", encoding="utf-8")
    assert main(["exercises", "check", str(path), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["passed"] is False and result["rows"] == [] and "syntax error" in result["error"]


def test_check_of_a_folder_says_it_is_a_folder(tmp_path, capsys):
    main(["exercises", "start", "2", "--dir", str(tmp_path)])
    capsys.readouterr()
    assert main(["exercises", "check", str(tmp_path)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "is a folder, not a file" in out and EXERCISES[2].filename in out


def test_start_onto_a_file_is_a_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine", encoding="utf-8")
    for target in (blocker, blocker / "inner"):
        assert main(["exercises", "start", "1", "--dir", str(target)]) == 2
        out = capsys.readouterr().out
        assert out.count("\n") == 1 and "is a file, not a folder" in out
    assert blocker.read_text(encoding="utf-8") == "mine"


def test_a_timeout_that_is_not_a_positive_number_is_refused(capsys):
    for bad in ("0", "-1", "soon", "nan"):
        with pytest.raises(SystemExit):
            main(["exercises", "check", "x.py", "--timeout", bad])
        assert "not a positive number of seconds" in capsys.readouterr().err


def test_check_piped_into_head_ends_quietly(tmp_path):
    command = (
        f"{shlex.quote(sys.executable)} -m tinygrad_bn.cli exercises check "
        f"{shlex.quote(str(EXERCISES[1].template_path))} | head -n 1"
    )
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=300)
    assert done.stdout.startswith("Checking ex1_scalars.py")
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
