"""The `tinygrad-bn demo` command, the tour, the demos/ scripts, and what they share."""

import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_bn import experiments, renderers
from tinygrad_bn.cli import main
from tinygrad_bn.data import load_names
from tinygrad_bn.experiments import tour
from tinygrad_bn.experiments.progress import progress
from tinygrad_bn.experiments.report import Report

DEMOS = Path(__file__).resolve().parent.parent / "demos"


@pytest.fixture(scope="module")
def tour_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    return tour.run(quick=True, out=out), out


# ---- the tour ------------------------------------------------------------------------------------


def test_the_tour_shows_batchnorm_reaching_a_lower_loss_after_the_same_steps_at_the_same_lr(
    tour_run,
):
    result, _ = tour_run
    plain, bn = result.runs["no norm"], result.runs["BatchNorm (fused)"]
    assert len(plain.losses) == len(bn.losses) == result.steps
    assert bn.val_loss < plain.val_loss
    assert bn.train_loss < plain.train_loss


def test_the_tour_checks_composed_and_fused_batchnorm_gradients_agree(tour_run):
    result, _ = tour_run
    assert result.grad_max_diff <= 1e-10
    assert result.loss_max_diff <= 1e-10


def test_the_tour_explains_the_win_by_saturation(tour_run):
    result, _ = tour_run
    assert np.mean(result.saturation["no norm"]) > np.mean(result.saturation["BatchNorm (fused)"])


def test_the_tour_writes_a_markdown_report_with_the_summary_table_and_pictures(tour_run):
    result, out = tour_run
    text = (out / "README.md").read_text()
    for row in ("| no norm |", "| BatchNorm (fused) |", "| BatchNorm (composed) |"):
        assert row in text
    assert f"{result.grad_max_diff:.2e}" in text
    for path in result.files:
        assert path.exists()
        if path.suffix == ".png":
            assert f"]({path.resolve().relative_to(out.resolve()).as_posix()})" in text


def test_the_tour_renders_both_batchnorm_graphs(tour_run):
    result, _ = tour_run
    names = {p.stem for p in result.files}
    assert {"batchnorm_composed", "batchnorm_fused"} <= names


def test_without_any_renderer_the_graphs_are_left_as_dot_text_and_the_tour_says_where(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(renderers, "find_program", lambda name: None)  # no program anywhere
    files = tour._graphs(tmp_path / "graphs")
    assert [p.suffix for p in files] == [".dot", ".dot"]
    assert all(p.read_text().startswith("digraph") for p in files)
    assert str(files[0]) in capsys.readouterr().out


def test_the_tours_two_batchnorm_pictures_show_the_same_input_gradient(tmp_path, monkeypatch):
    """Each picture has its own leaf x: one shared leaf would show the fused x.grad doubled."""
    monkeypatch.setattr(renderers, "find_program", lambda name: None)  # DOT text is enough
    composed, fused = tour._graphs(tmp_path / "graphs")
    x_grad = re.compile(r"<b>x</b>.*?grad</td><td[^>]*><font face=\"Courier\">(.*?)</font>")
    shown = [x_grad.search(path.read_text()).group(1) for path in (composed, fused)]
    assert shown[0] == shown[1] and "[" in shown[0]


# ---- the command ---------------------------------------------------------------------------------


def test_demo_list_names_every_experiment_including_the_four_that_isolate_causes(capsys):
    assert main(["demo", "--list"]) == 0
    out = capsys.readouterr().out
    for i, name in enumerate(experiments.names(), 1):
        assert re.search(rf"\b{i}\s+{name}\b", out)
    assert {"update-ratio", "init-scale", "jacobian", "ics"} <= set(experiments.names())


def test_demo_with_an_unknown_name_lists_the_choices(capsys):
    assert main(["demo", "batchnrom"]) == 2
    out = capsys.readouterr().err
    assert "no experiment called 'batchnrom'" in out and "with-without" in out


@pytest.mark.parametrize(
    "given, name",
    [
        ("2", "with-without"),
        ("02", "with-without"),
        ("train_vs_eval", "train-vs-eval"),
        ("9", "makemore"),
    ],
)
def test_experiments_can_be_named_by_number_or_module(given, name):
    assert experiments.resolve(given) == name


def test_demo_with_a_missing_data_file_says_so(tmp_path, capsys):
    assert (
        main(["demo", "1", "--quick", "--data", str(tmp_path / "nope.txt"), "--out", str(tmp_path)])
        == 1
    )
    assert "no names file at" in capsys.readouterr().err


def test_demo_runs_one_experiment_on_any_names_file(tmp_path, capsys):
    names = tmp_path / "few.txt"
    names.write_text("\n".join(load_names()[:400]))
    assert (
        main(
            [
                "demo",
                "from-scratch",
                "--quick",
                "--data",
                str(names),
                "--seed",
                "3",
                "--out",
                str(tmp_path / "r"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "data: 400 names" in out and "max |mean|" in out
    assert "over 1 seed(s) (3)" in out


def test_without_matplotlib_experiments_still_print_their_numbers_and_say_how_to_get_plots(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    result = experiments.load("from-scratch").run(quick=True, out=tmp_path)
    assert result.files == []
    assert np.max(np.abs(result.after_mean)) < 1e-6
    out = capsys.readouterr().out
    assert "pip install tinygrad-bn[plots]" in out and "max |mean|" in out
    assert not list(tmp_path.glob("*.png"))


# ---- demos/ scripts ------------------------------------------------------------------------------


def test_every_demo_script_runs_a_registered_experiment_and_all_are_covered():
    scripts = sorted(DEMOS.glob("[0-9][0-9]_*.py"))
    named = [re.search(r'main\("([a-z-]+)"\)', p.read_text()).group(1) for p in scripts]
    assert named == experiments.names()
    assert [int(p.name[:2]) for p in scripts] == list(range(1, len(experiments.names()) + 1))


def test_a_demo_script_runs_on_its_own(tmp_path):
    script = DEMOS / "07_batch_coupling.py"
    done = subprocess.run(
        [sys.executable, str(script), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "eval  mode" in done.stdout and "0.00e+00" in done.stdout


@pytest.mark.parametrize(
    "argv, problem",
    [
        (["--seeds", "1,x"], "--seeds takes whole numbers"),
        (["--seeds", "1,1"], "has a seed twice"),
        (["--seed", "1", "--seeds", "2,3"], "not both"),
    ],
)
def test_demo_refuses_bad_seeds_with_a_clear_message(argv, problem, tmp_path, capsys):
    assert main(["demo", "jacobian", "--quick", "--out", str(tmp_path), *argv]) == 1
    assert problem in capsys.readouterr().err


def test_demo_runs_every_seed_and_prints_claims_with_their_count(tmp_path, capsys):
    assert main(["demo", "jacobian", "--quick", "--seeds", "5,6", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "seed 6 (2 of 2)" in out and "over 2 seed(s) (5, 6)" in out
    assert "a bias before BatchNorm gets no gradient (to 1e-12) (holds in all 2 seeds)" in out


def test_a_quick_run_ends_with_the_recorded_eight_seed_sweep_of_its_claims(tmp_path, capsys):
    assert main(["demo", "jacobian", "--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "quick mode, recorded sweep over 8 seeds" in out
    assert "8 of 8: dx sums to zero for every dy" in out


def test_full_runs_default_to_the_lectures_names_and_quick_runs_to_the_census_list(capsys):
    from tinygrad_bn.experiments.common import load_splits

    assert len(load_splits(quiet=True).train[0]) > len(load_splits(quiet=True, quick=True).train[0])
    load_splits()
    assert "32,033 names" in capsys.readouterr().out


# ---- helpers -------------------------------------------------------------------------------------


def test_progress_yields_every_item_and_ends_with_a_full_bar():
    stream = io.StringIO()
    assert list(progress(range(50), "counting", stream=stream)) == list(range(50))
    line = stream.getvalue()
    assert "counting" in line and "100%" in line and "50/50" in line and line.endswith("\n")


def test_progress_writes_nothing_when_disabled():
    stream = io.StringIO()
    assert list(progress(range(5), "quiet", enabled=False, stream=stream)) == list(range(5))
    assert stream.getvalue() == ""


def test_report_writes_markdown_tables_and_relative_image_links(tmp_path):
    report = Report(tmp_path, "title")
    report.table(["run", "loss"], [["plain", 2.31234], ["bn", 1e-12]])
    report.image(tmp_path / "plots" / "a.png", "a plot")
    text = report.write().read_text()
    assert "| run | loss |\n|---|---|\n| plain | 2.3123 |\n| bn | 1e-12 |" in text
    assert "![a plot](plots/a.png)" in text
