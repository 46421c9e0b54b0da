"""Plans dated back from race day (core.plan), read from the bundled plan folders."""

from __future__ import annotations

import datetime as dt

from pacefit.core.workout import DistanceDuration, Repeat, Step
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.plan_yaml import load_plan
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.build import plan_schedule

from .helpers import ATHLETE_FILE, PLANS

RACE_DAY = dt.date(2027, 4, 18)  # a Sunday


def test_the_20_week_chain_is_dated_back_from_race_day() -> None:
    sessions = plan_schedule(PLANS / "marathon-20wk", race_date=RACE_DAY).schedule.sessions
    assert len(sessions) == 60
    assert (sessions[0].date, sessions[0].label) == (dt.date(2026, 12, 1), "W01 Tue")
    assert sessions[-1].date == RACE_DAY
    assert sessions[-1].spec.workout_path.name == "marathon.yaml"
    ten_k_race = next(s for s in sessions if s.spec.workout_path.parent.name == "races")
    assert (ten_k_race.date, ten_k_race.week, ten_k_race.block) == (
        dt.date(2027, 1, 24),
        8,
        "10K in 8 weeks",
    )
    assert {s.block for s in sessions if s.week == 9} == {"Marathon in 12 weeks"}


def test_a_mid_week_race_drops_what_comes_after_it() -> None:
    wednesday = dt.date(2027, 4, 14)
    schedule = plan_schedule(PLANS / "marathon-12wk", race_date=wednesday).schedule
    last = schedule.sessions[-1]
    assert (last.date, last.day, last.spec.workout_path.name) == (wednesday, "wed", "marathon.yaml")
    dropped = [(spec.day, date) for spec, date in schedule.dropped]
    assert dropped == [("thu", dt.date(2027, 4, 15))]
    assert schedule.sessions[0].date == dt.date(2027, 1, 26)  # Tuesday of week 1


def test_weekly_overrides_build_a_progression_from_one_file() -> None:
    athlete = load_athlete(ATHLETE_FILE)
    _, blocks = load_plan(PLANS / "10k-8wk")
    (block,) = blocks
    counts = []
    for week in (1, 2, 3, 5, 6):
        spec = next(s for s in block.sessions[week] if s.workout_path.name == "intervals-800.yaml")
        workout = load_workout(
            spec.workout_path, athlete=athlete, level=spec.level, overrides=spec.overrides
        )
        repeat = workout.steps[1]
        assert isinstance(repeat, Repeat)
        counts.append(repeat.count)
    assert counts == [2, 3, 4, 5, 6]
    long_run = next(s for s in block.sessions[6] if s.day == "sun")
    workout = load_workout(long_run.workout_path, athlete=athlete, overrides=long_run.overrides)
    assert isinstance(workout.steps[0], Step)
    assert workout.steps[0].duration == DistanceDuration(15000)
