"""Training plans: blocks of weeks with sessions, chained and dated back from race day. Pure."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import assert_never

from pacefit.core.paces import DEFAULT_EASY_PACE_S_PER_KM
from pacefit.core.units import PaceRange
from pacefit.core.workout import (
    DEFAULT_LEVEL,
    Effort,
    Overrides,
    Step,
    Workout,
    estimate_step,
    hard_target,
    unroll,
)
from pacefit.errors import Location

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RACE_DAY = "race"  # a session on the race weekday of its week
MAX_PLAN_WEEKS = 52


@dataclass(frozen=True)
class SessionSpec:
    """One session as a plan names it: a library workout, with this week's changes."""

    workout_path: Path
    day: str  # one of WEEKDAYS, or RACE_DAY
    location: Location
    level: str = DEFAULT_LEVEL
    overrides: Overrides = field(default_factory=Overrides)

    @property
    def workout_key(self) -> tuple[Path, str, Overrides]:
        """What its workout is made of: sessions with the same key have the same workout."""
        return (self.workout_path, self.level, self.overrides)


@dataclass(frozen=True)
class Block:
    """A plan of `weeks` weeks; `sessions` maps week number (1-based) to that week's sessions;
    `plan_file`: the file it was read from."""

    name: str
    weeks: int
    sessions: dict[int, tuple[SessionSpec, ...]]
    plan_file: Path


@dataclass(frozen=True)
class ScheduledSession:
    date: dt.date
    week: int  # 1-based across the whole chain
    day: str  # mon..sun
    block: str
    spec: SessionSpec

    @property
    def label(self) -> str:
        """How the session is named on the watch and in files: `W03 Tue`."""
        return f"W{self.week:02d} {self.day.capitalize()}"


@dataclass(frozen=True)
class Schedule:
    race_date: dt.date
    sessions: tuple[ScheduledSession, ...]
    dropped: tuple[tuple[SessionSpec, dt.date], ...]  # after race day in race week


def schedule(blocks: list[Block], *, race_date: dt.date) -> Schedule:
    """Date every session. Weeks run Monday to Sunday; the last week of the last block is the
    week of race day, and the blocks before it come back to back before it. A `race` session
    falls on race day's weekday. Sessions after race day in its week are dropped."""
    total_weeks = sum(block.weeks for block in blocks)
    race_monday = race_date - dt.timedelta(days=race_date.weekday())
    first_monday = race_monday - dt.timedelta(weeks=total_weeks - 1)
    sessions: list[ScheduledSession] = []
    dropped: list[tuple[SessionSpec, dt.date]] = []
    week_offset = 0
    for block in blocks:
        for week, specs in sorted(block.sessions.items()):
            chain_week = week_offset + week
            monday = first_monday + dt.timedelta(weeks=chain_week - 1)
            for spec in specs:
                weekday = race_date.weekday() if spec.day == RACE_DAY else WEEKDAYS.index(spec.day)
                date = monday + dt.timedelta(days=weekday)
                if date > race_date:
                    dropped.append((spec, date))
                    continue
                sessions.append(
                    ScheduledSession(
                        date=date,
                        week=chain_week,
                        day=WEEKDAYS[weekday],
                        block=block.name,
                        spec=spec,
                    )
                )
        week_offset += block.weeks
    sessions.sort(key=lambda s: (s.date, s.spec.workout_path.name))
    return Schedule(race_date=race_date, sessions=tuple(sessions), dropped=tuple(dropped))


# -- around races -----------------------------------------------------------------------------

# After a race, one easy day for every 3 km raced (a rule of thumb of Daniels' school), rounded
# up: four after a 10K. The last race of a plan ends it, so only races before it count.
RACE_KM_PER_EASY_DAY = 3.0


# A session is hard when a step is faster than easy pace, or when it lasts this long (a long
# run): neither belongs on the day before a race.
LONG_SESSION_S = 60 * 60.0


@dataclass(frozen=True)
class SessionLoad:
    """What the rules around races need to know of a session's workout."""

    hard: bool
    longest_effort_m: float  # the longest hard step (for a race: the race distance)


def session_load(workout: Workout, *, easy: PaceRange | None) -> SessionLoad:
    """Hard or not, as the workout says (`effort:`), else by its paces and its length."""
    easy_s_per_km = easy.middle_s_per_km if easy else DEFAULT_EASY_PACE_S_PER_KM
    total_s = 0.0
    longest_m = 0.0
    fast = False
    for executed in unroll(workout):
        step = executed.step
        estimate = estimate_step(step, default_pace_s_per_km=easy_s_per_km)
        total_s += estimate.duration_s or 0.0
        if _faster_than_easy(step, easy):
            fast = True
            longest_m = max(longest_m, estimate.distance_m or 0.0)
    match workout.effort:
        case None:
            hard = fast or total_s >= LONG_SESSION_S
        case Effort.EASY:
            hard = False
        case Effort.LONG | Effort.HARD:
            hard = True
        case _:
            assert_never(workout.effort)
    return SessionLoad(hard=hard, longest_effort_m=longest_m)


def _faster_than_easy(step: Step, easy: PaceRange | None) -> bool:
    band = hard_target(step)
    if band is None:
        return False
    if easy is None:  # no athlete: paces named in the workout say it
        return not band.label.startswith("easy")
    return band.fast_s_per_km < easy.fast_s_per_km - 1.0


_EASY = SessionLoad(hard=False, longest_effort_m=0.0)  # a session whose workout failed to load


@dataclass(frozen=True)
class Change:
    """A session moved or dropped to keep a race's days free, and why."""

    session: ScheduledSession
    moved_to: ScheduledSession | None  # None: dropped
    reason: str


def protect_races(
    plan: Schedule, loads: dict[ScheduledSession, SessionLoad]
) -> tuple[Schedule, tuple[Change, ...]]:
    """No other session on a race day, no hard session the day before a race or in the easy
    days after one. A hard session in the way moves to a free day of its week that breaks no
    rule and is not next to another hard day; when there is none, it is dropped."""
    loads = dict(loads)  # moved sessions are added
    races = [s for s in plan.sessions if s.spec.day == RACE_DAY]
    protected: dict[dt.date, str] = {}
    for race in races:
        name = race.spec.workout_path.stem
        protected[race.date - dt.timedelta(days=1)] = f"the day before the race ({name})"
        if race.date < plan.race_date:
            distance_km = loads[race].longest_effort_m / 1000 if race in loads else 0.0
            for offset in range(1, math.ceil(distance_km / RACE_KM_PER_EASY_DAY) + 1):
                protected[race.date + dt.timedelta(days=offset)] = (
                    f"an easy day after the race ({name})"
                )
    race_days = {race.date: race for race in races}
    kept = list(plan.sessions)
    changes: list[Change] = []
    for session in plan.sessions:
        if session.spec.day == RACE_DAY:
            continue
        if session.date in race_days:
            kept.remove(session)
            changes.append(Change(session, None, "race day has only the race"))
            continue
        reason = protected.get(session.date)
        if reason is None or not loads.get(session, _EASY).hard:
            continue
        kept.remove(session)
        day = _free_day(session, kept, loads, protected, last_day=plan.race_date)
        moved = replace(session, date=day, day=WEEKDAYS[day.weekday()]) if day else None
        if moved is not None:
            kept.append(moved)
            loads[moved] = loads[session]
        changes.append(Change(session, moved, reason))
    kept.sort(key=lambda s: (s.date, s.spec.workout_path.name))
    return replace(plan, sessions=tuple(kept)), tuple(changes)


def _free_day(
    session: ScheduledSession,
    others: list[ScheduledSession],
    loads: dict[ScheduledSession, SessionLoad],
    protected: dict[dt.date, str],
    *,
    last_day: dt.date,
) -> dt.date | None:
    """The nearest day of the session's week, before race day, where it breaks no rule."""
    monday = session.date - dt.timedelta(days=session.date.weekday())
    taken = {other.date for other in others}
    hard = {other.date for other in others if loads.get(other, _EASY).hard}
    candidates = sorted(
        (monday + dt.timedelta(days=offset) for offset in range(7)),
        key=lambda day: (abs((day - session.date).days), day),
    )
    for day in candidates:
        if day in taken or day in protected or day >= last_day:
            continue
        if any(day + dt.timedelta(days=step) in hard for step in (-1, 1)):
            continue
        return day
    return None
