"""Plans dated back from race day, at each level, read from the bundled plan folders."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest

from pacefit.core.paces import Athlete, pace_table
from pacefit.core.plan import ScheduledSession
from pacefit.core.workout import LEVELS, DistanceDuration, Repeat, Step, TimeDuration, Workout
from pacefit.errors import PacefitWarning
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.plan_yaml import load_plan
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.build import plan_schedule

from .helpers import ATHLETE_FILE, PLANS, WORKOUTS

ATHLETE = load_athlete(ATHLETE_FILE)
RACE_DAY = dt.date(2027, 4, 18)  # a Sunday
EASY_RUN = WORKOUTS / "easy" / "easy-run.yaml"


def compiled(session: ScheduledSession, athlete: Athlete = ATHLETE) -> Workout:
    spec = session.spec
    return load_workout(
        spec.workout_path, athlete=athlete, level=spec.level, overrides=spec.overrides
    )


def sessions_of(workout_name: str, level: str) -> list[ScheduledSession]:
    plan = plan_schedule(PLANS / "10k-8wk", race_date=dt.date(2027, 1, 24), level=level)
    return [s for s in plan.schedule.sessions if s.spec.workout_path.name == workout_name]


def test_the_20_week_chain_is_dated_back_from_race_day() -> None:
    plan = plan_schedule(PLANS / "marathon-20wk", race_date=RACE_DAY, athlete=ATHLETE)
    sessions = plan.schedule.sessions
    assert plan.level == "intermediate"
    assert len(sessions) == 77
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


# -- levels -----------------------------------------------------------------------------------


def test_beginners_grow_the_800s_from_two_reps_and_advanced_runners_to_1200m() -> None:
    def main_sets(level: str) -> list[tuple[int, float]]:
        sets = []
        for session in sessions_of("intervals-800.yaml", level)[:-1]:  # race week: sharpening
            repeat = compiled(session).steps[1]
            assert isinstance(repeat, Repeat) and isinstance(repeat.steps[0], Step)
            duration = repeat.steps[0].duration
            assert isinstance(duration, DistanceDuration)
            sets.append((repeat.count, duration.distance_m))
        return sets

    beginner, advanced = main_sets("beginner"), main_sets("advanced")
    assert beginner[0] == (2, 800.0)
    assert [count for count, _ in beginner] == sorted(count for count, _ in beginner)
    assert {distance for _, distance in beginner} == {800.0}
    assert [distance for _, distance in advanced] == sorted(d for _, d in advanced)
    assert (advanced[0][1], advanced[-1][1]) == (800.0, 1200.0)


def test_the_beginner_tempo_grows_every_week_from_5_to_15_minutes() -> None:
    names, minutes = [], []
    for session in sessions_of("tempo-2x15.yaml", "beginner"):
        workout = compiled(session)
        repeat = workout.steps[1]
        assert isinstance(repeat, Repeat) and isinstance(repeat.steps[0], Step)
        duration = repeat.steps[0].duration
        assert isinstance(duration, TimeDuration)
        minutes.append(duration.duration_s / 60)
        names.append(workout.name)
    assert minutes == [5, 7, 9, 11, 13, 15, 15]
    assert [session.week for session in sessions_of("tempo-2x15.yaml", "beginner")] == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
    ]
    assert names[:2] == ["Tempo 2x5min", "Tempo 2x7min"]


@pytest.mark.parametrize("level", LEVELS)
def test_more_running_days_at_higher_levels(level: str) -> None:
    plan = plan_schedule(PLANS / "10k-8wk", race_date=dt.date(2027, 1, 24), level=level)
    week_one = [s.day for s in plan.schedule.sessions if s.week == 1]
    assert len(week_one) == {"beginner": 3, "intermediate": 4, "advanced": 5}[level]


def test_the_athlete_files_level_is_the_default() -> None:
    athlete = Athlete(race_times_s={"10k": 2700}, level="beginner")
    plan = plan_schedule(PLANS / "10k-8wk", race_date=dt.date(2027, 1, 24), athlete=athlete)
    assert plan.level == "beginner"
    asked = plan_schedule(
        PLANS / "10k-8wk", race_date=dt.date(2027, 1, 24), athlete=athlete, level="advanced"
    )
    assert asked.level == "advanced"


# -- long runs --------------------------------------------------------------------------------


def test_a_slow_runners_long_runs_stop_at_two_and_a_half_hours() -> None:
    """A 75:00 10K runner: 32 km at their easy pace would take over four hours."""
    slow = Athlete(race_times_s={"10k": 75 * 60})
    table = pace_table(slow)
    assert table is not None
    easy = table.training["easy"]
    easy_middle_s_per_km = (easy.fast_s_per_km + easy.slow_s_per_km) / 2
    plan = plan_schedule(PLANS / "marathon-12wk", race_date=RACE_DAY, athlete=slow)
    long_runs = [s for s in plan.schedule.sessions if s.spec.workout_path.stem == "long-run"]
    assert max(s.spec.overrides.distance_m or 0 for s in long_runs) == 32000
    for session in long_runs:
        said = (
            pytest.warns(PacefitWarning, match=r"would take longer than 2:30:00; shortened to")
            if _over_cap(session, easy_middle_s_per_km)
            else contextlib.nullcontext()
        )
        with said:
            (step,) = compiled(session, slow).steps
        assert isinstance(step, Step) and isinstance(step.duration, DistanceDuration)
        assert step.duration.distance_m / 1000 * easy_middle_s_per_km <= 150 * 60


def _over_cap(session: ScheduledSession, easy_s_per_km: float) -> bool:
    return (session.spec.overrides.distance_m or 0) / 1000 * easy_s_per_km > 150 * 60


# -- around races -----------------------------------------------------------------------------

MONDAY_TO_SUNDAY = [dt.date(2027, 4, 12) + dt.timedelta(days=n) for n in range(7)]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("race_day", MONDAY_TO_SUNDAY, ids=lambda d: d.strftime("%a"))
def test_no_hard_session_the_day_before_a_race_or_just_after_the_10k(
    race_day: dt.date, level: str
) -> None:
    """Judged by the library's meaning, not by pacefit's rule: only the easy run is easy."""
    plan = plan_schedule(PLANS / "marathon-20wk", race_date=race_day, athlete=ATHLETE, level=level)
    sessions = plan.schedule.sessions
    races = [s for s in sessions if s.spec.day == "race"]
    assert [r.spec.workout_path.name for r in races] == ["10k.yaml", "marathon.yaml"]
    by_date: dict[dt.date, list[Path]] = {}
    for session in sessions:
        by_date.setdefault(session.date, []).append(session.spec.workout_path)
    ten_k = races[0].date
    easy_days = [ten_k + dt.timedelta(days=n) for n in range(1, 5)]
    for day in [race.date - dt.timedelta(days=1) for race in races] + easy_days:
        assert set(by_date.get(day, [])) <= {EASY_RUN}, day
    for race in races:
        assert len(by_date[race.date]) == 1  # race day holds only the race


def test_sessions_moved_off_protected_days_stay_in_their_week() -> None:
    plan = plan_schedule(PLANS / "marathon-20wk", race_date=RACE_DAY, athlete=ATHLETE)
    assert plan.changes
    for change in plan.changes:
        if change.moved_to is not None:
            assert change.moved_to.week == change.session.week
            monday = change.session.date - dt.timedelta(days=change.session.date.weekday())
            assert monday <= change.moved_to.date < monday + dt.timedelta(days=7)


def test_a_plan_loads_at_every_level() -> None:
    for level in LEVELS:
        _, blocks = load_plan(PLANS / "marathon-20wk", level=level)
        assert [block.weeks for block in blocks] == [8, 12]
