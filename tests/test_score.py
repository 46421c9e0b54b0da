"""The score: the work steps carry it, the other steps count for being done."""

from __future__ import annotations

import pytest

from pacefit.core.score import (
    StepResult,
    Verdict,
    credit,
    overall_score,
    support_done,
    work_score,
)
from pacefit.core.workout import (
    DistanceDuration,
    ExecutedStep,
    Intensity,
    OpenDuration,
    PaceTarget,
    Step,
    TimeDuration,
    Workout,
)
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.analyze import analyze_run
from pacefit.simulate import LapMode, Script, StepRun, as_activity, simulate

from .helpers import ATHLETE_FILE, WORKOUTS

BAND = PaceTarget(fast_s_per_km=240, slow_s_per_km=250)


@pytest.mark.parametrize(
    ("pace", "expected"),
    [
        (245, 1.0),
        (240, 1.0),
        (250.5, 1.0),  # within half a second: finer than a watch shows
        (232.0, 0.5),
        (258.0, 0.5),
        (265.5, 0.0),
        (300, 0.0),
    ],
)
def test_credit_falls_linearly_to_nothing_15_s_per_km_outside_the_band(
    pace: float, expected: float
) -> None:
    assert credit(pace, BAND) == pytest.approx(expected)


def result(
    number: int, step: Step, *, score: float | None, done: float = 1.0, work: bool = True
) -> StepResult:
    return StepResult(
        number=number,
        executed=ExecutedStep(step, number - 1),
        verdict=Verdict.ON_TARGET if work else Verdict.DONE,
        work=work,
        completed_fraction=done,
        score=score,
        weight_s=900.0 if isinstance(step.duration, TimeDuration) else 60.0,
    )


REP = Step(Intensity.ACTIVE, TimeDuration(900), BAND)
JOG = Step(Intensity.RECOVERY, TimeDuration(900))
COOLDOWN = Step(Intensity.COOLDOWN, OpenDuration())


def test_the_work_steps_carry_the_score() -> None:
    results = (
        result(1, REP, score=100.0),
        result(2, JOG, score=None, work=False),
        result(3, REP, score=0.0),
    )
    assert work_score(results) == pytest.approx(50)
    assert support_done(results) == pytest.approx(1.0)
    assert overall_score(50, 1.0) == pytest.approx(0.9 * 50 + 10)


def test_a_recovery_cut_short_costs_a_little() -> None:
    results = (result(1, REP, score=100.0), result(2, JOG, score=None, done=0.2, work=False))
    assert support_done(results) == pytest.approx(0.2)
    assert overall_score(work_score(results), support_done(results)) == pytest.approx(92)


def test_a_step_without_data_never_counts_against_the_runner() -> None:
    results = (result(1, REP, score=100.0), result(2, REP, score=None))
    assert work_score(results) == pytest.approx(100)


def test_no_work_steps_means_no_score() -> None:
    assert work_score((result(1, JOG, score=None, work=False),)) is None
    assert overall_score(None, 1.0) is None


ATHLETE = load_athlete(ATHLETE_FILE)
MILES = load_workout(WORKOUTS / "10k" / "repeats-mile.yaml", athlete=ATHLETE)


def test_skipped_reps_stay_out_of_the_repeat_statistics() -> None:
    run = simulate(Script(workout=MILES, steps={6: StepRun(skipped=True)}, laps=LapMode.WORKOUT))
    analysis = analyze_run(as_activity(run), MILES)
    assert analysis.steps[5].verdict is Verdict.SKIPPED
    assert analysis.steps[5].avg_pace_s_per_km is None
    (repeat,) = analysis.repeats
    assert len(repeat.avg_paces_s_per_km) == 5  # six reps planned, one skipped
    assert repeat.consistency_s_per_km < 5


def test_a_recovery_run_for_a_fifth_of_its_length_is_flagged() -> None:
    run = simulate(
        Script(workout=MILES, steps={3: StepRun(completed_fraction=0.18)}, laps=LapMode.WORKOUT)
    )
    jog = analyze_run(as_activity(run), MILES).steps[2]
    assert jog.verdict is Verdict.SHORT
    assert jog.completed_fraction == pytest.approx(0.18, abs=0.02)


def test_a_fast_verdict_never_shows_a_deviation_of_zero() -> None:
    """Fast and slow start past half a second per km, which no table rounds to 0."""
    rep = Step(Intensity.ACTIVE, DistanceDuration(1000), BAND)
    assert credit(239.6, BAND) == 1.0
    run = simulate(Script(workout=_one(rep), steps={1: StepRun(pace_s_per_km=239.4)}))
    (measured,) = analyze_run(as_activity(run), _one(rep)).steps
    assert measured.verdict in (Verdict.FAST, Verdict.ON_TARGET)
    if measured.verdict is Verdict.FAST:
        assert measured.deviation_s_per_km is not None
        assert measured.deviation_s_per_km < -0.5


def _one(step: Step) -> Workout:
    return Workout(name="one", steps=(step,))
