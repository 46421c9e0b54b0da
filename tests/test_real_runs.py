"""Real recordings against their ground truth (../shared/fixtures/real/truth.json): every graded
step's verdict and every stated figure, from the FIT file and from its TCX twin, through the CLI
as a runner would run it. Skipped when ../shared is absent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .helpers import REAL, run_cli

TRUTH: dict[str, Any] = (
    json.loads((REAL / "truth.json").read_text()) if (REAL / "truth.json").exists() else {}
)
CASES = [(case, name) for case in TRUTH.get("cases", []) for name in case["analyse"]]
REFUSALS = [(case, name) for case in TRUTH.get("refusals", []) for name in case["files"]]
# What each refusal must say; the TCX of the swim says only Sport="Other".
REFUSED_AS = {"swim": ("a swim, not a run", "not a run: its sport is 'Other'"), "ride": ("a ride",)}


def analyse(case: dict[str, Any], name: str) -> dict[str, Any]:
    result = run_cli("analyze", REAL / name, "--workout", REAL / case["workout"], "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize(("case", "name"), CASES, ids=[name for _, name in CASES])
def test_every_graded_step_gets_its_true_verdict(case: dict[str, Any], name: str) -> None:
    steps = analyse(case, name)["steps"]
    assert len(steps) == case["steps_total"]
    verdicts = {rep["step"]: steps[rep["step"] - 1]["verdict"] for rep in case["reps"]}
    expected = {rep["step"]: rep["expect"] for rep in case["reps"]}
    wrong = {
        step: (verdict, expected[step])
        for step, verdict in verdicts.items()
        if verdict not in expected[step]
    }
    assert not wrong, wrong


@pytest.mark.parametrize(("case", "name"), CASES, ids=[name for _, name in CASES])
def test_the_runs_figures_are_true(case: dict[str, Any], name: str) -> None:
    activity = analyse(case, name)["activity"]
    for fact in case["facts"]:
        assert fact["min"] <= activity[fact["check"]] <= fact["max"], fact["text"]


@pytest.mark.parametrize(("case", "name"), CASES, ids=[name for _, name in CASES])
def test_a_skipped_rep_has_no_pace_verdict(case: dict[str, Any], name: str) -> None:
    for step in analyse(case, name)["steps"]:
        if step["verdict"] == "skipped":
            assert step["avg_pace_s_per_km"] is None and step["score"] in (0, None)


def test_the_same_run_as_fit_and_tcx_gives_the_same_figures() -> None:
    pairs = [case for case in TRUTH.get("cases", []) if len(case["analyse"]) == 2]
    if not pairs:
        pytest.skip("the real fixtures are not available")
    for case in pairs:
        fit, tcx = (analyse(case, name) for name in case["analyse"])
        assert [s["verdict"] for s in fit["steps"]] == [s["verdict"] for s in tcx["steps"]]
        for mine, theirs in zip(fit["steps"], tcx["steps"], strict=True):
            assert mine["avg_pace_s_per_km"] == pytest.approx(theirs["avg_pace_s_per_km"], abs=1)
        assert fit["activity"]["timer_s"] == pytest.approx(tcx["activity"]["timer_s"], abs=2)
        assert fit["score"] == pytest.approx(tcx["score"], abs=1)


@pytest.mark.parametrize(("case", "name"), REFUSALS, ids=[name for _, name in REFUSALS])
def test_refusals_are_one_line(case: dict[str, Any], name: str) -> None:
    workout = REAL / "workouts" / "fit-parser-garmin-stamina.yaml"
    result = run_cli("analyze", REAL / name, "--workout", workout)
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{REAL / name}: this is ")
    if case["kind"] == "decoder":  # the COROS ride: read as Garmin's SDK reads it, then refused
        assert line.endswith("a ride, not a run")
    else:
        assert any(words in line for words in REFUSED_AS[case["kind"]]), line


def test_steps_are_measured_on_their_own_laps() -> None:
    """A step that is whole laps takes the laps' totals, as the watch shows them."""
    cases = TRUTH.get("cases", [])
    case = next((c for c in cases if c["id"] == "connectstats-track_cs_834323"), None)
    if case is None:
        pytest.skip("the real fixtures are not available")
    data = analyse(case, case["analyse"][0])
    reps = [s for s in data["steps"] if s["counts_toward_score"]]
    assert [s["pace_source"] for s in reps] == ["laps"] * 4
    assert [s["laps"] for s in reps] == [[2], [4], [6], [8]]
    assert reps[0]["avg_pace_s_per_km"] == pytest.approx(146.9 / 0.6252, abs=0.2)  # lap 2
    assert data["steps"][-2]["laps"] == [] and data["steps"][-1]["laps"] == []  # lap 9 split
