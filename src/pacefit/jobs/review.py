"""The `review` job: match a folder of completed runs to a plan's sessions by date, score each,
and sum up week by week. Runs are read and scored on every core."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pacefit.core.paces import Athlete
from pacefit.core.plan import Schedule, ScheduledSession
from pacefit.core.score import Verdict
from pacefit.errors import PacefitError
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.analyze import RUN_SUFFIXES, analyze_run, read_activity

T = TypeVar("T")


@dataclass(frozen=True)
class RunScore:
    path: Path
    score: float | None
    alignment: str
    verdicts: dict[str, int]


@dataclass(frozen=True)
class SessionReview:
    session: ScheduledSession
    run: Path | None
    result: RunScore | None
    error: str | None = None

    @property
    def done(self) -> bool:
        return self.run is not None and self.error is None


@dataclass(frozen=True)
class WeekReview:
    week: int
    monday: dt.date
    planned: int
    done: int
    mean_score: float | None

    @property
    def missed(self) -> int:
        return self.planned - self.done


@dataclass(frozen=True)
class Review:
    sessions: tuple[SessionReview, ...]
    weeks: tuple[WeekReview, ...]
    unmatched_runs: tuple[Path, ...]  # runs on days with no session
    unreadable_runs: tuple[tuple[Path, str], ...]


def find_runs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in RUN_SUFFIXES and p.is_file())


def run_date(path: Path) -> dt.date:
    date = read_activity(path).local_date
    if date is None:
        raise PacefitError(f"{path}: the run has no calendar date")
    return date


def review(
    schedule: Schedule,
    runs: list[Path],
    *,
    athlete: Athlete | None,
    workers: int | None = None,
) -> Review:
    dated = _parallel(_date_or_error, [(path,) for path in runs], workers)
    unreadable = [(path, str(error)) for path, error in dated if isinstance(error, str)]
    by_date = sorted((date, path) for path, date in dated if isinstance(date, dt.date))
    matches, unmatched = _match(schedule.sessions, by_date)
    jobs = [(run, session, athlete) for session, run in matches.items()]
    scored = dict(zip(matches.values(), _parallel(_score, jobs, workers), strict=True))
    sessions = []
    for session in schedule.sessions:
        run = matches.get(session)
        outcome = scored.get(run) if run else None
        if isinstance(outcome, str):
            sessions.append(SessionReview(session, run, None, error=outcome))
        else:
            sessions.append(SessionReview(session, run, outcome))
    return Review(
        sessions=tuple(sessions),
        weeks=tuple(_weeks(sessions)),
        unmatched_runs=tuple(unmatched),
        unreadable_runs=tuple(unreadable),
    )


def _match(
    sessions: Iterable[ScheduledSession], runs: list[tuple[dt.date, Path]]
) -> tuple[dict[ScheduledSession, Path], list[Path]]:
    """Each run to the first unmatched session of its date."""
    matches: dict[ScheduledSession, Path] = {}
    unmatched = []
    open_sessions = list(sessions)
    for date, path in runs:
        session = next((s for s in open_sessions if s.date == date), None)
        if session is None:
            unmatched.append(path)
            continue
        open_sessions.remove(session)
        matches[session] = path
    return matches, unmatched


def _weeks(sessions: list[SessionReview]) -> list[WeekReview]:
    weeks: dict[int, list[SessionReview]] = {}
    for item in sessions:
        weeks.setdefault(item.session.week, []).append(item)
    result = []
    for week, items in sorted(weeks.items()):
        scores = [i.result.score for i in items if i.result and i.result.score is not None]
        first = items[0].session.date
        result.append(
            WeekReview(
                week=week,
                monday=first - dt.timedelta(days=first.weekday()),
                planned=len(items),
                done=sum(1 for i in items if i.done),
                mean_score=sum(scores) / len(scores) if scores else None,
            )
        )
    return result


def _date_or_error(path: Path) -> tuple[Path, dt.date | str]:
    try:
        return path, run_date(path)
    except PacefitError as exc:
        return path, str(exc)


def _score(run: Path, session: ScheduledSession, athlete: Athlete | None) -> RunScore | str:
    spec = session.spec
    try:
        workout = load_workout(
            spec.workout_path, athlete=athlete, level=spec.level, overrides=spec.overrides
        )
        analysis = analyze_run(read_activity(run), workout)
    except PacefitError as exc:
        return str(exc)
    verdicts: dict[str, int] = {}
    for step in analysis.steps:
        if step.verdict is not Verdict.DONE:
            verdicts[step.verdict.value] = verdicts.get(step.verdict.value, 0) + 1
    return RunScore(
        path=run,
        score=analysis.score,
        alignment=analysis.alignment.evidence.value,
        verdicts=verdicts,
    )


def _parallel(
    function: Callable[..., T], jobs: Sequence[tuple[object, ...]], workers: int | None
) -> list[T]:
    """`function(*job)` for every job, in order, on `workers` processes (all cores by default)."""
    count = workers or os.cpu_count() or 1
    if count == 1 or len(jobs) < 2:
        return [function(*job) for job in jobs]
    with ProcessPoolExecutor(max_workers=min(count, len(jobs))) as pool:
        return list(pool.map(function, *zip(*jobs, strict=True)))
