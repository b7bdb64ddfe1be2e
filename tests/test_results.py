"""Seeds and the results file: spreads, claim counts, and the guide held to the file.

The guide's numbers are checked against the results file (reading files only; nothing is rerun).
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from tinygrad_bn import experiments
from tinygrad_bn.experiments import results
from tinygrad_bn.experiments.seeds import Sweep, claim_line, format_spread, mean_sd, run_seeds

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "experiments.md"
SPREAD = re.compile(r"-?\d[\d.]*(?:e[-+]?\d+)? ± \d[\d.]*(?:e[-+]?\d+)?")


# ---- spreads and claims -----------------------------------------------------------------------


def test_mean_and_sample_standard_deviation():
    mean, sd = mean_sd([1.0, 2.0, 3.0])
    assert mean == 2.0 and abs(sd - 1.0) < 1e-15
    assert mean_sd([5.0]) == (5.0, 0.0)


@pytest.mark.parametrize(
    "values, text",
    [
        ([2.1, 2.2, 2.3], "2.20 ± 0.10"),
        ([2.1315, 2.1355], "2.1335 ± 0.0028"),
        ([120.0, 180.0], "150 ± 42"),
        ([1e-16, 3e-16], "2.00e-16 ± 1.4e-16"),
        ([0.5, 0.5], "0.5000 ± 0.0000"),
        ([2.25], "2.25 (one seed)"),
    ],
)
def test_a_spread_is_given_to_the_second_significant_digit_of_its_sd(values, text):
    assert format_spread(values) == text


def test_a_claim_is_stated_plainly_only_when_it_held_in_every_seed():
    assert claim_line("BatchNorm wins", [True, True, True]) == (
        "BatchNorm wins (holds in all 3 seeds)"
    )
    assert claim_line("BatchNorm wins", [True, False, True]) == "in 2 of 3 seeds: BatchNorm wins"


class _Toy:
    """A stand-in experiment: its number is the seed, its claim holds for even seeds."""

    calls = []

    @staticmethod
    def run(quick, data, seed, out):
        _Toy.calls.append(seed)
        print(f"toy run {seed}")
        return seed

    @staticmethod
    def summary(seed):
        return {"seed": float(seed)}, {"the seed is even": seed % 2 == 0}


def test_run_seeds_runs_each_seed_prints_the_first_and_counts_the_claims(capsys):
    _Toy.calls.clear()
    sweep = run_seeds(_Toy, "toy", [2, 3, 4], quick=True, data="census")
    out = capsys.readouterr().out
    assert _Toy.calls == [2, 3, 4] and sweep.first == 2
    assert "toy run 2" in out and "toy run 3" not in out  # later seeds run quietly
    assert sweep.numbers == {"seed": [2.0, 3.0, 4.0]}
    assert "in 2 of 3 seeds: the seed is even" in out
    assert sweep.spread("seed") == "3.0 ± 1.0"


# ---- the results file -------------------------------------------------------------------------


def test_recording_a_sweep_rewrites_the_file_whole_and_keeps_the_other_entries(tmp_path):
    path = tmp_path / "results.json"
    first = Sweep("a", False, "makemore", [1, 2], {"x": [1.0, 2.0]}, {"c": [True, True]})
    second = Sweep("b", True, "census", [1], {"y": [3.0]}, {"c": [False]})
    results.record(first, path)
    results.record(second, path)
    found = results.read(path)
    assert found["full"]["a"]["numbers"] == {"x": [1.0, 2.0]}
    assert found["quick"]["b"]["claims"] == {"c": [False]}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]  # no temporary file left


def test_a_quick_note_flags_every_claim_that_failed_in_some_seed(tmp_path):
    path = tmp_path / "results.json"
    sweep = Sweep("x", True, "census", list(range(8)), {}, {"good": [True] * 8})
    sweep.claims["shaky"] = [True] * 5 + [False] * 3
    results.record(sweep, path)
    note = results.quick_note("x", path)
    assert "8 of 8: good" in note[1] and "CAVEAT" not in note[1]
    assert "5 of 8: shaky" in note[2] and "CAVEAT" in note[2]


@pytest.fixture(scope="module")
def recorded():
    return results.read()


def test_the_results_file_holds_every_experiments_quick_sweep_over_eight_seeds(recorded):
    for name in ["tour", *experiments.names()]:
        quick = recorded["quick"][name]
        assert quick["seeds"] == [42, 7, 1, 2, 3, 4, 5, 6] and quick["quick"]
        for values in quick["numbers"].values():
            assert len(values) == 8


def test_every_full_run_in_the_results_file_has_three_seeds_or_the_guide_says_it_is_missing(
    recorded,
):
    text = GUIDE.read_text(encoding="utf-8")
    for name in ["tour", *experiments.names()]:
        full = recorded["full"].get(name)
        if full is None:
            assert f"tinygrad-bn demo --results {name} --mode full` records it" in text
            continue
        assert full["seeds"] == [42, 7, 1] and not full["quick"]
        for values in full["numbers"].values():
            assert len(values) == 3


def test_full_runs_in_the_results_file_trained_on_the_lectures_names(recorded):
    assert {sweep["data"] for sweep in recorded["full"].values()} == {"makemore"}


def test_experiment_9_lands_within_0015_of_the_lectures_validation_loss(recorded):
    assert "makemore" in recorded["full"], "tinygrad-bn demo --results makemore --mode full"
    val = np.mean(recorded["full"]["makemore"]["numbers"]["val loss"])
    assert abs(val - 2.1048) <= 0.015


def _formatted(recorded) -> set:
    return {
        format_spread(values)
        for mode in recorded.values()
        for sweep in mode.values()
        for values in sweep["numbers"].values()
    }


def test_every_spread_the_guide_quotes_is_one_the_results_file_gives(recorded):
    quoted = SPREAD.findall(GUIDE.read_text(encoding="utf-8"))
    assert len(quoted) > 40  # the guide quotes its numbers with their spread
    missing = sorted(set(quoted) - _formatted(recorded))
    assert not missing, f"the guide quotes spreads the results file does not give: {missing}"


def test_every_claim_count_the_guide_quotes_matches_the_results_file(recorded):
    text = GUIDE.read_text(encoding="utf-8")
    counts = re.findall(r"^- \[(\d+) of (\d+)(, quick)?\] (.+)$", text, flags=re.M)
    assert len(counts) > 20
    for k, n, quick, sentence in counts:
        mode = "quick" if quick else "full"
        found = [
            held
            for sweep in recorded[mode].values()
            for s, held in sweep["claims"].items()
            if s == sentence
        ]
        assert found, f"no {mode} claim {sentence!r} in the results file"
        assert (int(k), int(n)) in {(sum(h), len(h)) for h in found}, sentence


def test_the_results_file_is_plain_json_with_sorted_keys():
    text = results.RESULTS_FILE.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=1, sort_keys=True) + "\n"


def test_the_guides_tables_are_the_ones_the_results_file_gives(recorded):
    text = GUIDE.read_text(encoding="utf-8")
    assert results.REGION.search(text)
    assert results.refresh_guide(text) == text, "run: tinygrad-bn demo --results"


def test_a_guide_region_is_rewritten_from_the_file_with_only_the_chosen_numbers(tmp_path):
    path = tmp_path / "results.json"
    results.record(
        Sweep(
            "x",
            False,
            "makemore",
            [1, 2],
            {"val a": [1.0, 3.0], "b": [0.0, 0.0]},
            {"a beats b": [True, False]},
        ),
        path,
    )
    text = 'intro\n<!-- results x keys="val" -->\nstale\n<!-- /results -->\nafter\n'
    fresh = results.refresh_guide(text, path)
    missing = results.refresh_guide(text.replace("results x", "results y"), path)
    assert "*Not recorded yet: `tinygrad-bn demo --results y --mode full` records it.*" in missing
    assert "| val a | 2.0 ± 1.4 |" in fresh and "| b |" not in fresh and "stale" not in fresh
    assert "- [1 of 2] a beats b" in fresh and fresh.endswith("<!-- /results -->\nafter\n")
    assert results.refresh_guide(fresh, path) == fresh


def test_the_results_command_records_an_experiments_quick_sweep_over_eight_seeds(tmp_path):
    from tinygrad_bn.cli import main

    path = tmp_path / "results.json"
    argv = ["demo", "jacobian", "--results", str(path), "--mode", "quick", "--out", str(tmp_path)]
    assert main(argv) == 0
    sweep = results.read(path)["quick"]["jacobian"]
    assert sweep["seeds"] == [42, 7, 1, 2, 3, 4, 5, 6] and sweep["data"] == "census"
    assert all(len(v) == 8 for v in sweep["numbers"].values())
    assert results.read(path)["full"] == {}


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    results.write({"full": {"a": 1}, "quick": {}}, path)

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(results.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        results.write({"full": {"b": 2}, "quick": {}}, path)
    assert results.read(path)["full"] == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_mode_without_results_is_refused_with_the_fix(capsys):
    from tinygrad_bn.cli import main

    assert main(["demo", "jacobian", "--mode", "quick"]) == 2
    assert "--mode goes with --results" in capsys.readouterr().err


def test_every_picture_the_guide_shows_is_in_the_repository():
    text = GUIDE.read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(pictures) >= 14
    missing = [p for p in pictures if not (GUIDE.parent / p).is_file()]
    assert not missing, missing
