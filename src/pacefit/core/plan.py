"""Training plans: blocks of weeks with sessions, chained and dated back from race day. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pacefit.core.workout import DEFAULT_LEVEL, Overrides
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


@dataclass(frozen=True)
class Block:
    """A plan of `weeks` weeks; `sessions` maps week number (1-based) to that week's sessions."""

    name: str
    weeks: int
    sessions: dict[int, tuple[SessionSpec, ...]]


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
