"""Analysis of simulated runs (fixtures/runs, made by fixtures/make_runs.py) and real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pacefit.core.align import Evidence
from pacefit.core.score import Verdict, credit, overall_score
from pacefit.core.workout import ExecutedStep, Intensity, PaceTarget, Step, TimeDuration, Workout
from pacefit.errors import ActivityError, PacefitError
from pacefit.formats import read_activity
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.analyze import analyze_run
from pacefit.reports.data import analysis_data

from .garmin_sdk import decode_checked
from .helpers import ATHLETE_FILE, ROOT, WORKOUTS, shared_files, shared_fixture

RUNS = ROOT / "fixtures" / "runs"
ATHLETE = load_athlete(ATHLETE_FILE)
INTERVALS = load_workout(WORKOUTS / "10k" / "intervals-800.yaml", athlete=ATHLETE)

# What fixtures/make_runs.py made the runner do in the 6 x 800 m runs (step numbers).
INTERVAL_VERDICTS = {
    1: Verdict.ON_TARGET,  # warm-up, with a one-minute pause in it
    2: Verdict.FAST,  # 12 s/km too fast
    4: Verdict.SHORT,  # stopped at 60 %
    6: Verdict.ON_TARGET,
    8: Verdict.ON_TARGET,
    10: Verdict.ON_TARGET,
    12: Verdict.SLOW,  # 15 s/km too slow
    14: Verdict.ON_TARGET,
}


@pytest.mark.parametrize(
    ("name", "evidence"),
    [
        ("intervals-800-watch.fit", Evidence.WORKOUT_LAPS),
        ("intervals-800-manual-laps.fit", Evidence.MANUAL_LAPS),
        ("intervals-800-no-laps.fit", Evidence.SEGMENTED),
        ("intervals-800-auto-laps.fit", Evidence.SEGMENTED),
        ("intervals-800-watch.gpx", Evidence.SEGMENTED),
        ("intervals-800-no-laps.gpx", Evidence.SEGMENTED),
    ],
)
def test_interval_verdicts_whatever_the_evidence(name: str, evidence: Evidence) -> None:
    analysis = analyze_run(read_activity(RUNS / name), INTERVALS)
    assert analysis.alignment.evidence is evidence
    verdicts = {r.number: r.verdict for r in analysis.steps if r.number in INTERVAL_VERDICTS}
    assert verdicts == INTERVAL_VERDICTS
    by_number = {r.number: r for r in analysis.steps}
    assert by_number[4].completed_fraction == pytest.approx(0.6, abs=0.06)
    assert by_number[2].deviation_s_per_km == pytest.approx(-7, abs=3)  # 4:04 vs band edge 4:11
    assert by_number[12].deviation_s_per_km == pytest.approx(14, abs=3)
    assert all(
        r.verdict is Verdict.DONE for r in analysis.steps if r.number % 2 and 1 < r.number < 14
    )
    assert analysis.score is not None and 75 <= analysis.score <= 92
    (repeat,) = analysis.repeats
    assert repeat.fade_s_per_km > 8  # last rep slow, first fast


def test_the_pause_is_not_running_time() -> None:
    activity = read_activity(RUNS / "intervals-800-watch.fit")
    assert len(activity.pauses) == 1
    pause = activity.pauses[0]
    assert pause.end_elapsed_s - pause.start_elapsed_s == pytest.approx(60, abs=1)
    assert activity.samples[-1].elapsed_s - activity.timer_s == pytest.approx(60, abs=1)


def test_the_watch_file_carries_its_workout() -> None:
    activity = read_activity(RUNS / "intervals-800-watch.fit")
    assert activity.workout is not None
    analysis = analyze_run(activity, None)
    assert analysis.workout.name == "800m repeats"
    assert [r.verdict for r in analysis.steps if r.number in INTERVAL_VERDICTS] == list(
        INTERVAL_VERDICTS.values()
    )


def test_a_skipped_block_is_reported_and_costs_score() -> None:
    tempo = load_workout(WORKOUTS / "10k" / "tempo-2x15.yaml", athlete=ATHLETE)
    analysis = analyze_run(read_activity(RUNS / "tempo-skipped-block.fit"), tempo)
    verdicts = [r.verdict for r in analysis.steps]
    assert verdicts[3] is Verdict.SKIPPED
    assert verdicts[1] is Verdict.ON_TARGET
    # the skipped 15 min block weighs as much as the one that was run
    assert analysis.score is not None and analysis.score < 75


def test_a_treadmill_run_without_positions() -> None:
    workout = load_workout(WORKOUTS / "10k" / "repeats-1k.yaml", athlete=ATHLETE, level="beginner")
    activity = read_activity(RUNS / "repeats-1k-treadmill.fit")
    assert activity.distance_m > 5000
    analysis = analyze_run(activity, workout)
    assert analysis.alignment.evidence is Evidence.MANUAL_LAPS
    hard = [r for r in analysis.steps if r.step.intensity is Intensity.ACTIVE]
    assert [r.verdict for r in hard] == [Verdict.ON_TARGET, Verdict.ON_TARGET]


def test_simulated_fit_files_pass_garmins_decoder() -> None:
    for path in RUNS.glob("*.fit"):
        messages = decode_checked(path.read_bytes())
        assert messages["file_id_mesgs"][0]["type"] == "activity"
        assert messages["record_mesgs"]


def test_fixtures_are_what_the_generator_makes() -> None:
    """The committed runs are reproducible: after changing the simulator, run
    fixtures/make_runs.py."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_runs", ROOT / "fixtures" / "make_runs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from pacefit.simulate import simulate, to_fit_bytes

    script, _ = module.RUNS["intervals-800-watch"]
    assert to_fit_bytes(simulate(script)) == (RUNS / "intervals-800-watch.fit").read_bytes()


def test_the_run_day_is_the_local_day() -> None:
    import datetime as dt

    from pacefit.core.activity import Activity, Sample

    late = Activity(
        source="x.fit",
        file_format="fit",
        start_time=dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC),
        samples=(Sample(0, 0, 0, None),),
        utc_offset_s=2 * 3600,
    )
    assert late.local_date == dt.date(2026, 11, 21)
    fenix5 = read_activity(shared_fixture("fit/activities/garmin-fenix-5-run.fit"))
    assert fenix5.utc_offset_s == -7 * 3600  # recorded in California, summer time


def test_no_workout_at_all_is_a_clear_error() -> None:
    activity = read_activity(RUNS / "intervals-800-no-laps.fit")
    with pytest.raises(ActivityError, match="does not say which workout it followed"):
        analyze_run(activity, None)


# -- the score formula ---------------------------------------------------------------------

BAND = PaceTarget(fast_s_per_km=240, slow_s_per_km=250)


@pytest.mark.parametrize(
    ("pace", "expected"), [(245, 1.0), (240, 1.0), (230, 0.5), (260, 0.5), (270, 0.0), (300, 0.0)]
)
def test_credit_falls_linearly_outside_the_band(pace: float, expected: float) -> None:
    assert credit(pace, BAND) == pytest.approx(expected)


def test_overall_score_is_weighted_by_planned_duration() -> None:
    from pacefit.core.score import StepResult

    long_step = Step(Intensity.ACTIVE, TimeDuration(900), BAND)
    short_step = Step(Intensity.ACTIVE, TimeDuration(300), BAND)
    jog = Step(Intensity.RECOVERY, TimeDuration(300))
    results = (
        StepResult(
            1, ExecutedStep(long_step, 0), Verdict.ON_TARGET, score=100.0, planned_weight_s=900
        ),
        StepResult(
            2, ExecutedStep(short_step, 1), Verdict.SKIPPED, score=0.0, planned_weight_s=300
        ),
        StepResult(3, ExecutedStep(jog, 2), Verdict.DONE, score=None, planned_weight_s=0),
    )
    assert overall_score(results) == pytest.approx(75.0)


# -- real recordings --------------------------------------------------------------------------

SIMPLE = Workout(
    name="steady",
    steps=(Step(Intensity.ACTIVE, TimeDuration(600), PaceTarget(240, 480)),),
)
REAL_RUNS = shared_files("fit/activities", "*.fit") + shared_files("gpx", "*.gpx")


@pytest.mark.parametrize("path", REAL_RUNS, ids=lambda p: p.name)
def test_every_real_file_is_analysed_or_refused_in_one_line(path: Path) -> None:
    try:
        activity = read_activity(path)
    except PacefitError as exc:
        assert "\n" not in exc.message
        assert str(path) in str(exc)
        return
    try:
        analysis = analyze_run(activity, SIMPLE)
    except ActivityError as exc:
        assert "covers no distance" in exc.message
        return
    assert activity.timer_s >= 0
    assert analysis.score is None or 0 <= analysis.score <= 100
    for result in analysis.steps:
        assert result.distance_m >= 0
        if result.avg_pace_s_per_km is not None:
            assert result.avg_pace_s_per_km > 0
    json.dumps(analysis_data(analysis))


@pytest.mark.parametrize("path", shared_files("fit/invalid", "*.fit"), ids=lambda p: p.name)
def test_corrupt_files_give_a_clear_error(path: Path) -> None:
    with pytest.raises(PacefitError) as caught:
        read_activity(path)
    assert str(caught.value).startswith(str(path))


@pytest.mark.parametrize(
    "relative",
    [
        "10k/mix.yaml",
        "10k/ladder.yaml",
        "10k/tempo-2x15.yaml",
        "races/10k.yaml",
        "marathon/mp-run.yaml",
        "marathon/cruise-intervals.yaml",
    ],
)
def test_a_run_to_plan_without_laps_is_found_step_by_step(relative: str) -> None:
    """Strides of 20 s, ladders, tempo blocks, a race after a warm-up: run exactly to plan and
    recorded with no laps, every hard step is found and judged on target."""
    from pacefit.core.activity import Activity, Sample
    from pacefit.simulate import LapMode, Script, simulate

    workout = load_workout(WORKOUTS / relative, athlete=ATHLETE)
    run = simulate(Script(workout=workout, laps=LapMode.NONE, embed_workout=False, seed=11))
    activity = Activity(
        source=relative,
        file_format="fit",
        start_time=None,
        samples=tuple(
            Sample(p.elapsed_s, p.elapsed_s, p.distance_m, p.speed_mps) for p in run.points
        ),
    )
    analysis = analyze_run(activity, workout)
    assert analysis.alignment.evidence is Evidence.SEGMENTED
    assert {r.verdict for r in analysis.steps} <= {Verdict.ON_TARGET, Verdict.DONE}
    assert analysis.score is not None and analysis.score > 90
