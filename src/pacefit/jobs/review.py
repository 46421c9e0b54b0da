"""The `review` job: match a folder of completed runs to a plan's sessions, score each, and sum
up week by week.

Each run is read once, in a worker process, and scored there against every session within a day
of it; the main process then picks one run per session: the same day first, then a day early or
late (with a note). Two files of the same run (a FIT and its GPX or TCX copy, by start time)
count once, the FIT preferred.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from pacefit.core.describe import step_label
from pacefit.core.paces import Athlete
from pacefit.core.plan import ScheduledSession
from pacefit.core.score import Analysis, StepResult, Verdict
from pacefit.errors import Location, PacefitError, PacefitWarning
from pacefit.formats import is_activity_file, read_activity
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.analyze import analyze_run
from pacefit.jobs.build import plan_schedule

T = TypeVar("T")
MATCH_WINDOW_DAYS = 1  # a session run a day early or late still counts
SAME_RUN_S = 120.0  # two files starting this close together are copies of one run
# When a run is in several formats, the richest one is scored.
FORMAT_PREFERENCE = {".fit": 0, ".tcx": 1, ".gpx": 2}


@dataclass(frozen=True)
class WorkDone:
    """The reps of one work step of the workout as written (all its runs), as run."""

    step_key: int
    label: str
    reps: int  # run, not skipped
    avg_pace_s_per_km: float  # their total time over their total distance
    fast_s_per_km: float  # the band
    slow_s_per_km: float
    avg_hr_bpm: float | None  # over the reps, where the file has heart rate


@dataclass(frozen=True)
class RunScore:
    score: float | None
    alignment: str
    verdicts: dict[str, int]
    workout_name: str = ""  # as the watch shows it: after the level and the plan's changes
    distance_m: float = 0.0
    timer_s: float = 0.0
    work: tuple[WorkDone, ...] = ()


def run_score(analysis: Analysis) -> RunScore:
    """What the review keeps of a scored run (compact, to come back from a worker)."""
    verdicts: dict[str, int] = {}
    for step in analysis.steps:
        if step.verdict is not Verdict.DONE:
            verdicts[step.verdict.value] = verdicts.get(step.verdict.value, 0) + 1
    return RunScore(
        analysis.score,
        analysis.alignment.evidence.value,
        verdicts,
        workout_name=analysis.workout.name,
        distance_m=analysis.activity.distance_m,
        timer_s=analysis.activity.timer_s,
        work=work_done(analysis.steps),
    )


def work_done(steps: Sequence[StepResult]) -> tuple[WorkDone, ...]:
    by_key: dict[int, list[StepResult]] = {}
    for step in steps:
        if (
            step.work
            and step.target
            and step.avg_pace_s_per_km
            and step.verdict is not Verdict.SKIPPED
        ):
            by_key.setdefault(step.executed.step_key, []).append(step)
    found = []
    for key, reps in by_key.items():
        target = reps[0].target
        assert target is not None
        timed = [(r.figures.avg_hr_bpm, r.timer_s) for r in reps if r.figures.avg_hr_bpm]
        hr_s = sum(t for _, t in timed)
        found.append(
            WorkDone(
                step_key=key,
                label=reps[0].step.name or step_label(reps[0].step),
                reps=len(reps),
                avg_pace_s_per_km=1000
                * sum(r.timer_s for r in reps)
                / sum(r.distance_m for r in reps),
                fast_s_per_km=target.fast_s_per_km,
                slow_s_per_km=target.slow_s_per_km,
                avg_hr_bpm=sum((h or 0.0) * t for h, t in timed) / hr_s if hr_s else None,
            )
        )
    return tuple(found)


@dataclass(frozen=True)
class RunReading:
    """One run file, read once: when it was run, and its score against each nearby session."""

    path: Path
    start_time: dt.datetime | None = None
    local_date: dt.date | None = None
    error: PacefitError | None = None
    scores: dict[int, RunScore | PacefitError] = field(default_factory=dict)  # session number
    warnings: tuple[PacefitWarning, ...] = ()  # raised in the worker, shown by the main process


@dataclass(frozen=True)
class SessionReview:
    session: ScheduledSession
    run: Path | None = None
    result: RunScore | None = None
    error: PacefitError | None = None
    note: str = ""  # e.g. "run a day early"

    @property
    def done(self) -> bool:
        return self.run is not None and self.error is None

    @property
    def status(self) -> str:
        """`done`, `missed`, or `error` (a run was found but could not be scored)."""
        if self.error is not None:
            return "error"
        return "done" if self.done else "missed"


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
    name: str
    sessions: tuple[SessionReview, ...]
    weeks: tuple[WeekReview, ...]
    unmatched_runs: tuple[Path, ...]  # runs with no session within a day
    unreadable_runs: tuple[tuple[Path, PacefitError], ...]
    duplicates: tuple[tuple[Path, Path], ...]  # (copy left out, the file scored instead)


def find_runs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if is_activity_file(p) and p.is_file())


def review_plan(
    plan_folder: Path,
    runs_folder: Path,
    *,
    race_date: dt.date,
    athlete: Athlete | None,
    workers: int | None = None,
    level: str | None = None,
) -> Review:
    """Every run in `runs_folder` scored against the plan's sessions at the runner's level."""
    plan = plan_schedule(plan_folder, race_date=race_date, athlete=athlete, level=level)
    sessions = plan.schedule.sessions
    jobs = [(path, sessions, athlete) for path in find_runs(runs_folder)]
    readings = _parallel(_read_and_score_noting_warnings, jobs, workers)
    for reading in readings:
        for warning in reading.warnings:
            warnings.warn(warning, stacklevel=2)
    unreadable = tuple((r.path, r.error) for r in readings if r.error is not None)
    runs, duplicates = _one_file_per_run([r for r in readings if r.error is None])
    chosen, unmatched = _match(sessions, runs)
    reviews = [_session_review(number, session, chosen) for number, session in enumerate(sessions)]
    return Review(
        name=plan.name,
        sessions=tuple(reviews),
        weeks=tuple(_weeks(reviews)),
        unmatched_runs=tuple(r.path for r in unmatched),
        unreadable_runs=unreadable,
        duplicates=tuple(duplicates),
    )


def _read_and_score_noting_warnings(
    path: Path, sessions: Sequence[ScheduledSession], athlete: Athlete | None
) -> RunReading:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PacefitWarning)
        reading = _read_and_score(path, sessions, athlete)
    noted = tuple(w.message for w in caught if isinstance(w.message, PacefitWarning))
    return replace(reading, warnings=noted)


def _read_and_score(
    path: Path, sessions: Sequence[ScheduledSession], athlete: Athlete | None
) -> RunReading:
    """Read a run once and score it against every session within a day of it."""
    try:
        activity = read_activity(path)
    except PacefitError as exc:
        return RunReading(path, error=exc)
    date = activity.local_date
    if date is None:
        error = PacefitError("the run has no calendar date", location=Location(str(path)))
        return RunReading(path, error=error)
    scores: dict[int, RunScore | PacefitError] = {}
    for number, session in enumerate(sessions):
        if abs((session.date - date).days) > MATCH_WINDOW_DAYS:
            continue
        spec = session.spec
        try:
            workout = load_workout(
                spec.workout_path, athlete=athlete, level=spec.level, overrides=spec.overrides
            )
            analysis = analyze_run(activity, workout)
        except PacefitError as exc:
            scores[number] = exc
            continue
        scores[number] = run_score(analysis)
    return RunReading(path, start_time=activity.start_time, local_date=date, scores=scores)


def _one_file_per_run(
    readings: list[RunReading],
) -> tuple[list[RunReading], list[tuple[Path, Path]]]:
    """Readings with copies of the same run (same start time) folded into the richest file."""
    ordered = sorted(
        readings,
        key=lambda r: (FORMAT_PREFERENCE.get(r.path.suffix.lower(), 9), str(r.path)),
    )
    kept: list[RunReading] = []
    duplicates: list[tuple[Path, Path]] = []
    for reading in ordered:
        twin = next((k for k in kept if _same_run(k, reading)), None)
        if twin is None:
            kept.append(reading)
        else:
            duplicates.append((reading.path, twin.path))
    kept.sort(key=lambda r: (r.start_time or dt.datetime.min.replace(tzinfo=dt.UTC), r.path))
    return kept, duplicates


def _same_run(a: RunReading, b: RunReading) -> bool:
    if a.start_time is None or b.start_time is None:
        return False
    return abs((a.start_time - b.start_time).total_seconds()) <= SAME_RUN_S


def _match(
    sessions: Sequence[ScheduledSession], runs: list[RunReading]
) -> tuple[dict[int, tuple[RunReading, str]], list[RunReading]]:
    """One run per session: each run to the first open session of its own day; then the runs
    left over to an open session a day before or after (a session moved by a day)."""
    chosen: dict[int, tuple[RunReading, str]] = {}
    left: list[RunReading] = []
    for run in runs:
        number = _first_open(sessions, chosen, run, days=(0,))
        if number is None:
            left.append(run)
        else:
            chosen[number] = (run, "")
    unmatched = []
    for run in left:
        number = _first_open(sessions, chosen, run, days=(-1, 1))
        if number is None:
            unmatched.append(run)
            continue
        assert run.local_date is not None
        early = sessions[number].date > run.local_date
        chosen[number] = (run, f"run a day {'early' if early else 'late'} ({run.local_date})")
    return chosen, unmatched


def _first_open(
    sessions: Sequence[ScheduledSession],
    chosen: dict[int, tuple[RunReading, str]],
    run: RunReading,
    *,
    days: tuple[int, ...],
) -> int | None:
    assert run.local_date is not None
    for offset in days:
        date = run.local_date + dt.timedelta(days=offset)
        for number, session in enumerate(sessions):
            if session.date == date and number not in chosen and number in run.scores:
                return number
    return None


def _session_review(
    number: int, session: ScheduledSession, chosen: dict[int, tuple[RunReading, str]]
) -> SessionReview:
    if number not in chosen:
        return SessionReview(session)
    run, note = chosen[number]
    outcome = run.scores[number]
    if isinstance(outcome, PacefitError):
        return SessionReview(session, run.path, error=outcome, note=note)
    return SessionReview(session, run.path, result=outcome, note=note)


def _weeks(sessions: list[SessionReview]) -> list[WeekReview]:
    weeks: dict[int, list[SessionReview]] = {}
    for item in sessions:
        weeks.setdefault(item.session.week, []).append(item)
    result = []
    for week, items in sorted(weeks.items()):
        # a missed session scores 0; a run with nothing to grade (no pace target) is left out
        scores = [score for score in (_week_share(i) for i in items) if score is not None]
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


def _week_share(item: SessionReview) -> float | None:
    """What a session adds to its week's score: its score, 0 when missed."""
    if item.run is None:
        return 0.0
    return item.result.score if item.result else None


def _parallel(
    function: Callable[..., T], jobs: Sequence[tuple[object, ...]], workers: int | None
) -> list[T]:
    """`function(*job)` for every job, in order, on `workers` processes (all cores by default)."""
    count = workers or os.cpu_count() or 1
    if count == 1 or len(jobs) < 2:
        return [function(*job) for job in jobs]
    with ProcessPoolExecutor(max_workers=min(count, len(jobs))) as pool:
        return list(pool.map(function, *zip(*jobs, strict=True)))
