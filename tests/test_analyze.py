"""The analyze job on simulated runs (fixtures/runs, made by fixtures/make_runs.py), whose
deviations are known, recorded every way a watch can: with the watch running the workout,
manual laps, auto laps, no laps, GPX."""

from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path

import pytest

from pacefit.core.align import Evidence
from pacefit.core.score import Verdict
from pacefit.errors import ActivityError, PacefitError, PacefitWarning
from pacefit.formats import read_activity
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.analyze import analyze_run
from pacefit.reports.data import analysis_data
from pacefit.simulate import LapMode, Script, StepRun, as_activity, simulate, to_fit_bytes

from .garmin_sdk import decode_checked
from .helpers import ATHLETE_FILE, ROOT, RUNS, WORKOUTS, shared_files

ATHLETE = load_athlete(ATHLETE_FILE)
INTERVALS = load_workout(WORKOUTS / "10k" / "intervals-800.yaml", athlete=ATHLETE)

# What fixtures/make_runs.py made the runner do in the 6 x 800 m runs (step numbers).
INTERVAL_VERDICTS = {
    1: Verdict.DONE,  # warm-up, with a one-minute pause in it
    2: Verdict.FAST,  # 12 s/km too fast
    4: Verdict.SHORT,  # stopped at 60 %
    6: Verdict.ON_TARGET,
    8: Verdict.ON_TARGET,
    10: Verdict.ON_TARGET,
    12: Verdict.SLOW,  # 15 s/km too slow
    13: Verdict.DONE,  # cool-down (the jogs fall between the reps)
}


@pytest.mark.parametrize(
    ("name", "evidence"),
    [
        ("intervals-800-watch.fit", Evidence.WORKOUT_LAPS),
        ("intervals-800-manual-laps.fit", Evidence.LAPS),
        ("intervals-800-no-laps.fit", Evidence.SEGMENTED),
        ("intervals-800-auto-laps.fit", Evidence.SEGMENTED),  # 1 km auto laps mark no 800
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
    # 4:04 against the band's fast edge 4:13.5 (2.5 % faster than the 4:20 5K pace)
    assert by_number[2].deviation_s_per_km == pytest.approx(-9.5, abs=3)
    assert by_number[12].deviation_s_per_km == pytest.approx(16, abs=3)  # 4:35 against 4:18.7
    assert all(
        r.verdict is Verdict.DONE for r in analysis.steps if r.number % 2 and 1 < r.number < 13
    )
    # reps 10 s/km fast, 16 s/km slow and cut to 60 %; three on target; the rest done
    assert analysis.score is not None and 60 <= analysis.score <= 75
    (repeat,) = analysis.repeats
    # all six reps, the last too (FIT writes it after the repeat, as its own step)
    assert len(repeat.avg_paces_s_per_km) == 6
    assert repeat.fade_s_per_km > 8  # last rep slow, first fast


def test_the_pause_is_not_running_time() -> None:
    activity = read_activity(RUNS / "intervals-800-watch.fit")
    assert activity.pauses and len(activity.pauses) == 1
    pause = activity.pauses[0]
    assert pause.end_elapsed_s - pause.start_elapsed_s == pytest.approx(60, abs=1)
    assert activity.track.elapsed_s[-1] - activity.timer_s == pytest.approx(60, abs=1)


def test_the_watch_file_carries_its_workout() -> None:
    activity = read_activity(RUNS / "intervals-800-watch.fit")
    assert activity.workout is not None
    analysis = analyze_run(activity, None)
    assert analysis.workout.name == "6x800m 5K-"
    assert [r.verdict for r in analysis.steps if r.number in INTERVAL_VERDICTS] == list(
        INTERVAL_VERDICTS.values()
    )
    # every rep counted, the slow sixth too, as with the workout's YAML
    given = load_workout(WORKOUTS / "10k" / "intervals-800.yaml", athlete=ATHLETE)
    (embedded,) = analysis.repeats
    (from_yaml,) = analyze_run(activity, given).repeats
    assert embedded.avg_paces_s_per_km == pytest.approx(from_yaml.avg_paces_s_per_km, abs=0.1)
    assert len(embedded.avg_paces_s_per_km) == 6
    assert embedded.fade_s_per_km == pytest.approx(from_yaml.fade_s_per_km, abs=0.1)


def test_a_skipped_block_is_reported_and_costs_score() -> None:
    tempo = load_workout(WORKOUTS / "10k" / "tempo-2x15.yaml", athlete=ATHLETE)
    analysis = analyze_run(read_activity(RUNS / "tempo-skipped-block.fit"), tempo)
    verdicts = [r.verdict for r in analysis.steps]
    assert verdicts[3] is Verdict.SKIPPED
    assert verdicts[1] is Verdict.ON_TARGET
    # the skipped 15 min block weighs as much as the one that was run
    assert analysis.work_score == pytest.approx(50, abs=1)
    assert analysis.score is not None and analysis.score < 60


def test_a_treadmill_run_without_positions() -> None:
    workout = load_workout(WORKOUTS / "10k" / "repeats-1k.yaml", athlete=ATHLETE, level="beginner")
    activity = read_activity(RUNS / "repeats-1k-treadmill.fit")
    assert activity.distance_m > 5000
    analysis = analyze_run(activity, workout)
    assert analysis.alignment.evidence is Evidence.LAPS
    hard = [r for r in analysis.steps if r.work]
    assert [r.verdict for r in hard] == [Verdict.ON_TARGET, Verdict.ON_TARGET]


def test_simulated_fit_files_pass_garmins_decoder() -> None:
    for path in RUNS.glob("*.fit"):
        messages = decode_checked(path.read_bytes())
        assert messages["file_id_mesgs"][0]["type"] == "activity"
        assert messages["record_mesgs"]


def test_fixtures_are_what_the_generator_makes() -> None:
    """The committed runs are reproducible: after changing the simulator, run
    fixtures/make_runs.py."""
    spec = importlib.util.spec_from_file_location("make_runs", ROOT / "fixtures" / "make_runs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # the run with every feature: the workout embedded, laps with step indexes, a pause
    script, _ = module.RUNS["intervals-800-watch"]
    assert to_fit_bytes(simulate(script)) == (RUNS / "intervals-800-watch.fit").read_bytes()


def test_no_workout_at_all_is_a_clear_error() -> None:
    activity = read_activity(RUNS / "intervals-800-no-laps.fit")
    with pytest.raises(ActivityError) as caught:
        analyze_run(activity, None)
    assert str(caught.value).startswith(
        f"{RUNS / 'intervals-800-no-laps.fit'}: the run does not say which workout it followed"
    )


def test_a_fast_minute_in_the_warm_up_is_not_a_rep() -> None:
    """A surge early in the warm-up: the placement is global, so rep 1 stays where the
    runner ran it."""
    workout = load_workout(WORKOUTS / "10k" / "repeats-1k.yaml", athlete=ATHLETE)
    surge = StepRun(surge_at_s=60.0, surge_s=60.0, surge_pace_s_per_km=230.0)
    run = simulate(Script(workout=workout, steps={1: surge}, laps=LapMode.NONE))
    analysis = analyze_run(as_activity(run), workout)
    assert analysis.alignment.evidence is Evidence.SEGMENTED
    reps = [r for r in analysis.steps if r.work]
    assert {r.verdict for r in reps} == {Verdict.ON_TARGET}
    assert reps[0].start_elapsed_s is not None and reps[0].start_elapsed_s > 600


def test_a_complete_rep_run_slow_is_slow_not_short() -> None:
    workout = load_workout(WORKOUTS / "10k" / "repeats-1k.yaml", athlete=ATHLETE)
    run = simulate(
        Script(workout=workout, steps={4: StepRun(pace_s_per_km=300.0)}, laps=LapMode.NONE)
    )
    rep = analyze_run(as_activity(run), workout).steps[3]
    assert rep.verdict is Verdict.SLOW
    assert rep.completed_fraction == pytest.approx(1.0, abs=0.05)


def test_reps_all_slow_do_not_score_like_a_good_session() -> None:
    """Six reps all 10 s/km too slow: the warm-up and cool-down do not rescue the score."""
    slow = {n: StepRun(pace_s_per_km=275.0) for n in range(2, 14, 2)}  # band 4:11-4:21
    analysis = analyze_run(as_activity(simulate(Script(workout=INTERVALS, steps=slow))), INTERVALS)
    assert {r.verdict for r in analysis.steps if r.work} == {Verdict.SLOW}
    assert analysis.score is not None and analysis.score < 50


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
    workout = load_workout(WORKOUTS / relative, athlete=ATHLETE)
    run = simulate(Script(workout=workout, laps=LapMode.NONE, embed_workout=False, seed=11))
    analysis = analyze_run(as_activity(run), workout)
    assert analysis.alignment.evidence is Evidence.SEGMENTED
    assert {r.verdict for r in analysis.steps} <= {Verdict.ON_TARGET, Verdict.DONE}
    assert analysis.score is not None and analysis.score > 90


# -- every real recording is read or refused --------------------------------------------------

STEADY = WORKOUTS / "easy" / "easy-run.yaml"
REAL_RUNS = shared_files("fit/activities", "*.fit") + shared_files("gpx", "*.gpx")


@pytest.mark.parametrize("path", REAL_RUNS, ids=lambda p: p.name)
def test_every_real_file_is_analysed_or_refused_in_one_line(path: Path) -> None:
    workout = load_workout(STEADY, athlete=ATHLETE)
    try:
        with warnings.catch_warnings():  # corrections: tests/test_plausible.py checks them
            warnings.simplefilter("ignore", PacefitWarning)
            analysis = analyze_run(read_activity(path), workout)
    except PacefitError as exc:
        assert "\n" not in exc.message
        assert str(exc).startswith(f"{path}: ")
        return
    assert analysis.activity.timer_s >= 0
    assert analysis.score is None or 0 <= analysis.score <= 100
    for result in analysis.steps:
        assert result.distance_m >= 0
        assert result.avg_pace_s_per_km is None or result.avg_pace_s_per_km > 0
    json.dumps(analysis_data(analysis))


@pytest.mark.parametrize("path", shared_files("fit/invalid", "*.fit"), ids=lambda p: p.name)
def test_corrupt_files_give_a_clear_error(path: Path) -> None:
    with pytest.raises(PacefitError) as caught:
        read_activity(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "\n" not in caught.value.message
