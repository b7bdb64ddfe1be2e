"""The learner's file runs in its own process: no trick in it can hang the check or fool it.

Each case is a wrong solution (exercise 3 with dW transposed, so one row is
wrong) plus one trick. The check must end in a failure report that says what
happened, never in success, a hang or a traceback; and the same trick on the
right solution must not make the checker lose its verdict.
"""

import pytest

from tinygrad_bn.exercises import EXERCISES, check_file

RIGHT = EXERCISES[3].solution_path.read_text(encoding="utf-8")
WRONG = RIGHT.replace('dW = cache["x"].T @ dxW', 'dW = (dxW.T @ cache["x"]).T * 2')
assert WRONG != RIGHT


def _check(tmp_path, source, timeout=5.0):
    path = tmp_path / "mine.py"
    path.write_text(source, encoding="utf-8")
    report = check_file(path, timeout=timeout)
    text = report.render()
    assert "Traceback" not in text
    return report, " ".join(text.split())


def _failed_cleanly(tmp_path, source, words, timeout=5.0):
    report, text = _check(tmp_path, source, timeout)
    assert report.exit_code == 1 and report.to_json()["passed"] is False
    assert words in text, text
    return report, text


def test_an_endless_loop_at_the_top_of_the_file_is_stopped_at_the_time_limit(tmp_path):
    _failed_cleanly(tmp_path, WRONG + "\nwhile True:\n    pass\n", "did not finish within 5 s")


def test_an_endless_loop_in_backward_is_stopped_and_the_function_named(tmp_path):
    source = WRONG.replace("    dxW = dout\n", "    dxW = dout\n    while True:\n        pass\n")
    _, text = _failed_cleanly(tmp_path, source, "did not finish within 5 s")
    assert "while running linear_backward()" in text and "--timeout SECONDS" in text


def test_a_thread_that_never_ends_is_reported_and_does_not_hang_the_check(tmp_path):
    forever = "\nimport threading, time\nthreading.Thread(target=lambda: time.sleep(1e6)).start()\n"
    _failed_cleanly(tmp_path, RIGHT + forever, "left a thread running")


@pytest.mark.parametrize(
    "trick",
    [
        "import os\nos._exit(0)\n",
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
    ],
)
def test_ending_the_process_is_a_failure_not_a_success(tmp_path, trick):
    _failed_cleanly(tmp_path, WRONG + "\n" + trick, "without sending back its results")


def test_os_exit_in_backward_names_the_function(tmp_path):
    source = WRONG.replace("    dxW = dout\n", "    dxW = dout\n    import os\n    os._exit(0)\n")
    _, text = _failed_cleanly(tmp_path, source, "while running linear_backward()")


def test_an_atexit_hook_that_exits_0_cannot_turn_wrong_gradients_right(tmp_path):
    hook = "\nimport atexit, os\natexit.register(lambda: os._exit(0))\n"
    report, _ = _failed_cleanly(tmp_path, WRONG + hook, "WRONG: the mistake is here")
    assert [row.name for row in report.rows if row.status == "wrong"] == ["W"]


@pytest.mark.parametrize(
    "trick",
    [
        "import sys\nsys.stdout.close()\nsys.stderr.close()\n",
        "import io, sys\nsys.stdout = io.StringIO()\n",
        "import os\nos.close(1)\nos.close(2)\n",
    ],
)
def test_closed_or_swapped_output_changes_nothing(tmp_path, trick):
    report, _ = _failed_cleanly(tmp_path, trick + WRONG, "WRONG: the mistake is here")
    assert report.row("linear layer", "W").status == "wrong"
    assert check_file(_write(tmp_path, trick + RIGHT)).ok


def _write(tmp_path, source):
    path = tmp_path / "right.py"
    path.write_text(source, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "patch",
    [
        "np.abs = lambda x, *a, **k: x * 0\nnp.allclose = lambda *a, **k: True\n",
        "np.array_equal = lambda *a, **k: True\nnp.isfinite = lambda x: True\n",
        "import tinygrad_bn\ntinygrad_bn.Value.backward = lambda self: None\n"
        "tinygrad_bn.Tensor.backward = lambda self, grad=None: None\n",
    ],
)
def test_monkeypatching_numpy_or_tinygrad_bn_cannot_make_wrong_answers_pass(tmp_path, patch):
    source = "import numpy as np\n" + patch + WRONG
    report, _ = _failed_cleanly(tmp_path, source, "WRONG: the mistake is here")
    assert report.row("linear layer", "W").status == "wrong"


def test_zero_gradients_with_a_disabled_engine_are_not_computed_yet(tmp_path):
    source = (
        EXERCISES[1]
        .template_path.read_text(encoding="utf-8")
        .replace("= None  # TODO", "= 0.0  # TODO")
    )
    patch = "import tinygrad_bn\ntinygrad_bn.Value.backward = lambda self: None\n"
    report, text = _failed_cleanly(tmp_path, patch + source, "not computed yet")
    assert {row.status for row in report.rows} == {"not computed yet"}


def test_keyboard_interrupt_raised_by_the_file_is_an_error_not_an_interrupted_checker(tmp_path):
    source = WRONG.replace("    dxW = dout\n", "    dxW = dout\n    raise KeyboardInterrupt\n")
    _failed_cleanly(tmp_path, source, "linear_backward() raised KeyboardInterrupt")
    _failed_cleanly(tmp_path, "raise KeyboardInterrupt\n" + WRONG, "failed: KeyboardInterrupt")


def test_a_huge_print_is_stopped_and_named(tmp_path):
    source = WRONG + "\nwhile True:\n    print('x' * 10000)\n"
    _failed_cleanly(tmp_path, source, "printed more than 1 MB", timeout=30)


def test_what_the_file_prints_is_shown_with_the_table(tmp_path):
    report, text = _check(tmp_path, RIGHT + "\nprint('hello from the learner')\n")
    assert report.ok and "your code printed: | hello from the learner" in text


def test_the_learner_process_gets_only_copies_and_returns_only_arrays(tmp_path):
    # an object with a tricky __eq__ or __array__ cannot reach the checker's process
    trick = (
        "class Sneaky:\n    def __eq__(self, other):\n        return True\n"
        "    __array_priority__ = 1000\n"
    )
    source = trick + RIGHT.replace('    dW = cache["x"].T @ dxW', "    dW = Sneaky()")
    report, _ = _failed_cleanly(tmp_path, source, "expected a numpy array of numbers")
    assert report.row("linear layer", "W").status == "wrong"


def test_ctrl_c_in_the_checker_kills_the_learners_process_and_removes_its_folder(
    tmp_path, monkeypatch
):
    from tinygrad_bn.exercises import sandbox

    started, sleeps = [], []
    real_start = sandbox._start

    def start(*args):
        started.append(real_start(*args))
        return started[-1]

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(sandbox, "_start", start)
    monkeypatch.setattr(sandbox.time, "sleep", sleep)
    monkeypatch.setattr(sandbox.tempfile, "tempdir", str(tmp_path))
    path = tmp_path / "mine.py"
    path.write_text(WRONG + "\nwhile True:\n    pass\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        check_file(path)
    assert started and started[0].poll() is not None  # ended, not left running
    assert [p.name for p in tmp_path.iterdir()] == ["mine.py"]


def test_removing_the_checks_own_folder_is_a_failure_not_a_crash(tmp_path):
    trick = "import shutil, sys\nshutil.rmtree(sys.argv[1])\n"
    _failed_cleanly(tmp_path, trick + RIGHT, "without sending back its results")
