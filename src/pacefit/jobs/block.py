"""A training block reviewed: the plan's sessions as the watch names them, with their planned
distance and time, week totals planned and done, and the trends of each kind of work across the
block (the 800s, the tempo blocks, ...): average rep pace against its band week by week, and the
heart rate at that pace.

`review_block` wraps the review (`jobs.review`) with what the main process can work out from the
plan's workouts; `block_runs` reads the done runs again for their pages (only `--html` needs
them).
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pacefit.core.activity import Activity
from pacefit.core.paces import DEFAULT_EASY_PACE_S_PER_KM, Athlete, pace_table
from pacefit.core.plan import ScheduledSession
from pacefit.core.score import Analysis
from pacefit.core.workout import estimate_step, unroll
from pacefit.errors import PacefitError, PacefitWarning
from pacefit.formats import read_activity
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.analyze import analyze_run
from pacefit.jobs.build import Progress
from pacefit.jobs.review import Review, SessionReview, review_plan, unexpected_failure


@dataclass(frozen=True)
class PlannedSession:
    """A session as planned: its name on the watch and its length at the middle of its bands
    (the runner's easy pace for steps without one); open steps count for nothing."""

    name: str
    distance_m: float | None
    time_s: float | None
    open_steps: int = 0


@dataclass(frozen=True)
class BlockWeek:
    week: int
    monday: dt.date
    planned_distance_m: float
    planned_time_s: float
    done_distance_m: float  # of the plan's sessions that were run
    done_time_s: float


@dataclass(frozen=True)
class TrendPoint:
    week: int
    date: dt.date
    session: str  # the session's name
    reps: int
    avg_pace_s_per_km: float
    fast_s_per_km: float
    slow_s_per_km: float
    avg_hr_bpm: float | None

    @property
    def deviation_s_per_km(self) -> float:
        """Signed: < 0 faster than the band, > 0 slower, 0 inside."""
        if self.avg_pace_s_per_km < self.fast_s_per_km:
            return self.avg_pace_s_per_km - self.fast_s_per_km
        if self.avg_pace_s_per_km > self.slow_s_per_km:
            return self.avg_pace_s_per_km - self.slow_s_per_km
        return 0.0


@dataclass(frozen=True)
class Trend:
    """One kind of work (a work step of one library workout) across the block."""

    label: str
    workout: str  # the library file
    points: tuple[TrendPoint, ...]


@dataclass(frozen=True)
class Block:
    review: Review
    planned: tuple[PlannedSession, ...]  # one per review session, in order
    weeks: tuple[BlockWeek, ...]
    trends: tuple[Trend, ...]


@dataclass(frozen=True)
class UnplannedRun:
    path: Path
    date: dt.date | None
    distance_m: float
    timer_s: float
    href: str | None = None  # its page, where it has one


@dataclass(frozen=True)
class BlockRuns:
    """What the pages need beyond the review: each done session's analysis (by its number in
    the review) and the runs that are in no session."""

    analyses: dict[int, Analysis]
    unplanned: tuple[UnplannedRun, ...]
    # runs scored, whose page could not be drawn: a failure pacefit did not foresee in what
    # only a page shows (a review scores without it), named in one line each
    failures: tuple[PacefitError, ...] = ()


def review_block(
    plan_folder: Path,
    runs_folder: Path,
    *,
    race_date: dt.date,
    athlete: Athlete | None,
    workers: int | None = None,
    level: str | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> Block:
    review = review_plan(
        plan_folder,
        runs_folder,
        race_date=race_date,
        athlete=athlete,
        workers=workers,
        level=level,
        progress=progress,
        today=today,
    )
    return block_of(review, athlete)


def block_of(
    review: Review, athlete: Athlete | None, planned: tuple[PlannedSession, ...] | None = None
) -> Block:
    """The review with what the plan's workouts say: planned lengths (`planned`, when they are
    known already), week totals, trends."""
    if planned is None:
        planned = tuple(planned_session(item.session, athlete) for item in review.sessions)
    return Block(
        review=review,
        planned=planned,
        weeks=tuple(_weeks(review, planned)),
        trends=tuple(trends(review)),
    )


def planned_session(session: ScheduledSession, athlete: Athlete | None) -> PlannedSession:
    spec = session.spec
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PacefitWarning)  # the review has said them
            workout = load_workout(
                spec.workout_path, athlete=athlete, level=spec.level, overrides=spec.overrides
            )
    except PacefitError:
        return PlannedSession(spec.workout_path.stem, None, None)
    table = pace_table(athlete) if athlete else None
    easy = table.training["easy"].middle_s_per_km if table else DEFAULT_EASY_PACE_S_PER_KM
    distance_m = time_s = 0.0
    open_steps = 0
    for executed in unroll(workout):
        estimate = estimate_step(executed.step, default_pace_s_per_km=easy)
        if estimate.distance_m is None or estimate.duration_s is None:
            open_steps += 1
            continue
        distance_m += estimate.distance_m
        time_s += estimate.duration_s
    return PlannedSession(workout.name, distance_m, time_s, open_steps)


def _weeks(review: Review, planned: tuple[PlannedSession, ...]) -> list[BlockWeek]:
    weeks = []
    for week in review.weeks:
        items = [
            (item, plan)
            for item, plan in zip(review.sessions, planned, strict=True)
            if item.session.week == week.week
        ]
        done = [item.result for item, _ in items if item.result is not None]
        weeks.append(
            BlockWeek(
                week=week.week,
                monday=week.monday,
                planned_distance_m=sum(plan.distance_m or 0.0 for _, plan in items),
                planned_time_s=sum(plan.time_s or 0.0 for _, plan in items),
                done_distance_m=sum(result.distance_m for result in done),
                done_time_s=sum(result.timer_s for result in done),
            )
        )
    return weeks


def trends(review: Review) -> list[Trend]:
    """Each kind of work with the weeks it was run in, in the order first run."""
    found: dict[tuple[Path, int], list[TrendPoint]] = {}
    labels: dict[tuple[Path, int], str] = {}
    for item in review.sessions:
        if item.result is None:
            continue
        for work in item.result.work:
            key = (item.session.spec.workout_path, work.step_key)
            labels.setdefault(key, work.label)
            found.setdefault(key, []).append(
                TrendPoint(
                    week=item.session.week,
                    date=item.session.date,
                    session=item.result.workout_name,
                    reps=work.reps,
                    avg_pace_s_per_km=work.avg_pace_s_per_km,
                    fast_s_per_km=work.fast_s_per_km,
                    slow_s_per_km=work.slow_s_per_km,
                    avg_hr_bpm=work.avg_hr_bpm,
                )
            )
    repeated = [label for label in labels.values() if list(labels.values()).count(label) > 1]
    return [
        Trend(
            label=f"{labels[key]} ({key[0].stem})" if labels[key] in repeated else labels[key],
            workout=str(key[0]),
            points=tuple(points),
        )
        for key, points in found.items()
    ]


def block_runs(block: Block, athlete: Athlete | None, *, workers: int | None = None) -> BlockRuns:
    """Each done session's run analysed again (its page needs the whole analysis, the review
    keeps only figures), on `workers` processes, and the runs in no session with their day and
    length."""
    zones = athlete.hr_zones() if athlete else ()
    done = [
        (number, item)
        for number, item in enumerate(block.review.sessions)
        if item.run is not None and item.result is not None
    ]
    jobs = [(item, athlete, zones) for _, item in done]
    count = min(workers or os.cpu_count() or 1, len(jobs))
    if count > 1:
        with ProcessPoolExecutor(max_workers=count) as pool:
            found = list(pool.map(_analysis, *zip(*jobs, strict=True)))
    else:
        found = [_analysis(*job) for job in jobs]
    analyses = {
        number: analysis
        for (number, _), analysis in zip(done, found, strict=True)
        if isinstance(analysis, Analysis)
    }
    failures = tuple(failure for failure in found if isinstance(failure, PacefitError))
    unplanned = []
    for path in block.review.unmatched_runs:
        activity = _read_quietly(path)
        if activity is not None:
            unplanned.append(
                UnplannedRun(path, activity.local_date, activity.distance_m, activity.timer_s)
            )
    return BlockRuns(analyses, tuple(unplanned), failures)


def _analysis(
    item: SessionReview, athlete: Athlete | None, zones: tuple[tuple[int, int], ...]
) -> Analysis | PacefitError | None:
    """The run's whole analysis for its page; None where the review has said why there is
    none."""
    assert item.run is not None
    spec = item.session.spec
    activity = _read_quietly(item.run)
    if activity is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PacefitWarning)  # the review has said them
            workout = load_workout(
                spec.workout_path, athlete=athlete, level=spec.level, overrides=spec.overrides
            )
            return analyze_run(activity, workout, hr_zones_bpm=zones)
    except PacefitError:
        return None
    except Exception:
        return unexpected_failure(item.run, "draw the page of")


def _read_quietly(path: Path) -> Activity | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PacefitWarning)
            return read_activity(path)
    except PacefitError:
        return None
