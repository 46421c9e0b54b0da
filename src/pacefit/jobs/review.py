"""The `review` job: match a folder of completed runs to a plan's sessions, score each, and sum
up week by week.

Each run is read once, in a worker process, into the few facts matching needs (`core.matching`:
its day, sport, length and a signature of its speeds), and scored there against the session it
most likely was (by the same rules, among the sessions of the plan). The main process then
matches every run at once (the same day first, then a day early or late, with a note; a FIT
preferred over its GPX or TCX copy); a run that ends up with another session than its worker
guessed (a day with two runs, say) is read again and scored against that one. Workers get the
sessions and their workouts once, when they start, take run files in chunks and send back only
the facts and the score. A file that cannot be read, or that fails in a way pacefit did not
foresee, is listed with a one-line reason and the rest is reviewed.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from pacefit.core.activity import Activity
from pacefit.core.describe import step_label
from pacefit.core.matching import (
    MATCH_WINDOW_DAYS,
    Match,
    RunFacts,
    SessionFacts,
    match_run,
    match_runs,
    not_yet_run,
    one_file_per_run,
    run_facts,
    session_facts,
    sessions_by_date,
)
from pacefit.core.paces import Athlete
from pacefit.core.plan import ScheduledSession
from pacefit.core.score import Analysis, StepResult, Verdict
from pacefit.core.workout import Workout
from pacefit.errors import Location, PacefitError, PacefitWarning
from pacefit.formats import is_activity_file, read_activity
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.analyze import analyze_run
from pacefit.jobs.build import Progress, plan_schedule

T = TypeVar("T")
J = TypeVar("J")
CHUNKS_PER_WORKER = 4  # enough to even out runs of different lengths, few enough to cost little
MAX_CHUNK = 64


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
    """The compact result of scoring one run against one session (what a worker sends back)."""

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


Outcome = RunScore | PacefitError


@dataclass(frozen=True)
class RunReading:
    """One run file, read once: its facts, and its score against the session it most likely
    was (`guess`), with the warnings raised reading it and scoring it."""

    path: Path
    facts: RunFacts | None = None
    error: PacefitError | None = None
    guess: int | None = None
    outcome: Outcome | None = None
    read_warnings: tuple[PacefitWarning, ...] = ()
    score_warnings: tuple[PacefitWarning, ...] = ()


class UnexpectedFailure(PacefitError):
    """A file that made pacefit fail in a way it did not foresee (a bug a damaged file
    triggers): the batch names it and goes on."""


@dataclass(frozen=True)
class SessionReview:
    session: ScheduledSession
    run: Path | None = None
    result: RunScore | None = None
    error: PacefitError | None = None
    note: str = ""  # e.g. "run a day early"
    upcoming: bool = False  # no run yet, and its day (or the day after, for a late run) is to come

    @property
    def done(self) -> bool:
        return self.run is not None and self.error is None

    @property
    def status(self) -> str:
        """`done`, `missed`, `upcoming` (not yet due), or `error` (a run was found but could not
        be scored)."""
        if self.error is not None:
            return "error"
        if self.done:
            return "done"
        return "upcoming" if self.upcoming else "missed"


@dataclass(frozen=True)
class WeekReview:
    week: int
    monday: dt.date
    planned: int
    done: int
    mean_score: float | None
    upcoming: int = 0  # sessions not yet due

    @property
    def missed(self) -> int:
        return self.planned - self.done - self.upcoming


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


@dataclass(frozen=True)
class SessionsContext:
    """What every worker needs, sent once when it starts: the sessions' facts and workouts."""

    sessions: tuple[SessionFacts, ...]
    workouts: tuple[Workout | PacefitError, ...]  # each distinct workout once
    workout_of: tuple[int, ...]  # session number -> index in `workouts`

    @functools.cached_property
    def by_date(self) -> dict[dt.date, list[SessionFacts]]:
        """The sessions by day, for `match_run`: put by day once, not for each run."""
        return sessions_by_date(self.sessions)

    def workout(self, number: int) -> Workout | PacefitError:
        return self.workouts[self.workout_of[number]]


_CONTEXT: SessionsContext | None = None  # set in each worker by `_start_worker`


def _start_worker(context: SessionsContext) -> None:
    global _CONTEXT
    _CONTEXT = context


def review_plan(
    plan_folder: Path,
    runs_folder: Path,
    *,
    race_date: dt.date,
    athlete: Athlete | None,
    workers: int | None = None,
    level: str | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> Review:
    """Every run in `runs_folder` scored against the plan's sessions at the runner's level;
    `progress(done, total)` as the runs are read. Given `today`, a session with no run whose
    day has not passed (a run a day late still counts) is upcoming rather than missed."""
    plan = plan_schedule(plan_folder, race_date=race_date, athlete=athlete, level=level)
    sessions = plan.schedule.sessions
    context = sessions_context(sessions, athlete)
    readings = _parallel(_read_chunk, find_runs(runs_folder), workers, context, progress)
    for reading in readings:
        for warning in reading.read_warnings:
            warnings.warn(warning, stacklevel=2)
    unreadable = [(r.path, r.error) for r in readings if r.error is not None]
    if today is not None:
        readings, not_yet = _not_yet_run(readings, today)
        unreadable += not_yet
    by_source = {r.facts.source: r for r in readings if r.facts is not None}
    kept, copies = one_file_per_run([r.facts for r in by_source.values() if r.facts])
    chosen, unmatched = match_runs(kept, context.sessions)
    outcomes: dict[int, Outcome] = {}
    again: list[tuple[Path, int]] = []
    for number, (facts, _) in chosen.items():
        reading = by_source[facts.source]
        if reading.guess == number and reading.outcome is not None:
            outcomes[number] = reading.outcome
            for warning in reading.score_warnings:
                warnings.warn(warning, stacklevel=2)
        else:
            again.append((reading.path, number))
    for number, outcome, noted in _parallel(_score_chunk, again, workers, context):
        outcomes[number] = outcome
        for warning in noted:
            warnings.warn(warning, stacklevel=2)
    _refuse_when_nothing_was_judged(outcomes)
    for number, outcome in sorted(outcomes.items()):
        if isinstance(outcome, UnexpectedFailure):
            unreadable.append((by_source[chosen[number][0].source].path, outcome))
    return assemble_review(
        plan.name,
        sessions,
        chosen,
        outcomes,
        path_of={source: reading.path for source, reading in by_source.items()},
        unmatched=[r.source for r in unmatched],
        unreadable=unreadable,
        copies=copies,
        today=today,
    )


def _not_yet_run(
    readings: Sequence[RunReading], today: dt.date
) -> tuple[list[RunReading], list[tuple[Path, PacefitError]]]:
    """The runs that can be judged, and why those dated after today cannot."""
    kept, refused = [], []
    for reading in readings:
        facts = reading.facts
        error = not_yet_run(facts, today, name=str(reading.path)) if facts is not None else None
        if error is None:
            kept.append(reading)
        else:
            refused.append((reading.path, error))
    return kept, refused


def assemble_review(
    name: str,
    sessions: Sequence[ScheduledSession],
    chosen: dict[int, tuple[RunFacts, Match]],
    outcomes: dict[int, Outcome],
    *,
    path_of: dict[str, Path],
    unmatched: Sequence[str],
    unreadable: Sequence[tuple[Path, PacefitError]],
    copies: Sequence[tuple[str, str]],
    today: dt.date | None,
) -> Review:
    """The review from the matching (`chosen`: each session's run, by session number) and each
    matched run's outcome; runs are named by their source, `path_of` gives the name shown."""
    reviews = [
        _session_review(number, session, chosen, outcomes, path_of)
        for number, session in enumerate(sessions)
    ]
    if today is not None:
        reviews = [_not_yet_due(item, today) for item in reviews]
    return Review(
        name=name,
        sessions=tuple(reviews),
        weeks=tuple(_weeks(reviews)),
        unmatched_runs=tuple(path_of[source] for source in unmatched),
        unreadable_runs=tuple(unreadable),
        duplicates=tuple((path_of[c], path_of[k]) for c, k in copies),
    )


def sessions_context(
    sessions: Sequence[ScheduledSession], athlete: Athlete | None
) -> SessionsContext:
    """Each distinct workout of the plan loaded once (a daily plan repeats a handful)."""
    workouts: list[Workout | PacefitError] = []
    index: dict[object, int] = {}
    workout_of: list[int] = []
    facts: list[SessionFacts] = []
    for number, session in enumerate(sessions):
        spec = session.spec
        key = spec.workout_key
        if key not in index:
            index[key] = len(workouts)
            try:
                workouts.append(
                    load_workout(
                        spec.workout_path,
                        athlete=athlete,
                        level=spec.level,
                        overrides=spec.overrides,
                    )
                )
            except PacefitError as exc:
                workouts.append(exc)
        workout = workouts[index[key]]
        workout_of.append(index[key])
        if isinstance(workout, Workout):
            facts.append(session_facts(number, session.date, workout))
        else:  # the run of its day is still matched to it, and the session shows the error
            facts.append(SessionFacts(number, session.date, "running", None, None, 0.0, None))
    return SessionsContext(tuple(facts), tuple(workouts), tuple(workout_of))


def _read_chunk(paths: Sequence[Path]) -> list[RunReading]:
    return [_read(path) for path in paths]


def _read(path: Path) -> RunReading:
    """Read one run, match it as if it were alone, and score it against that session."""
    assert _CONTEXT is not None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PacefitWarning)
        try:
            activity = read_activity(path)
            facts = run_facts(activity)
        except PacefitError as exc:
            return RunReading(path, error=exc, read_warnings=_noted(caught))
        except Exception:
            return RunReading(
                path, error=unexpected_failure(path, "read"), read_warnings=_noted(caught)
            )
        read_warnings = _noted(caught)
        caught.clear()
        if facts.local_date is None:
            error = PacefitError("the run has no calendar date", location=Location(str(path)))
            return RunReading(path, error=error, read_warnings=read_warnings)
        guess = match_run(facts, _CONTEXT.by_date)
        if guess is None:
            return RunReading(path, facts, read_warnings=read_warnings)
        outcome = _score(activity, guess.session, path)
        return RunReading(
            path,
            facts,
            guess=guess.session,
            outcome=outcome,
            read_warnings=read_warnings,
            score_warnings=_noted(caught),
        )


Scored = tuple[int, Outcome, tuple[PacefitWarning, ...]]  # session number, outcome, warnings


def _score_chunk(pairs: Sequence[tuple[Path, int]]) -> list[Scored]:
    """Runs read again and scored against the session they were matched to."""
    results: list[Scored] = []
    for path, number in pairs:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PacefitWarning)
            try:
                activity = read_activity(path)
            except PacefitError as exc:
                results.append((number, exc, ()))
                continue
            except Exception:
                results.append((number, unexpected_failure(path, "read"), ()))
                continue
            caught.clear()  # shown when it was first read
            outcome = _score(activity, number, path)
        results.append((number, outcome, _noted(caught)))
    return results


def _score(activity: Activity, number: int, path: Path) -> Outcome:
    assert _CONTEXT is not None
    return score_against(activity, _CONTEXT.workout(number), path)


def score_against(activity: Activity, workout: Workout | PacefitError, path: Path) -> Outcome:
    """The run scored against a session's workout (or that workout's error); a failure pacefit
    did not foresee is an outcome naming `path`, not a crash."""
    if isinstance(workout, PacefitError):
        return workout
    try:
        return run_score(analyze_run(activity, workout, scoring_only=True))
    except PacefitError as exc:
        return exc
    except Exception:
        return unexpected_failure(path, "score")


def unexpected_failure(path: Path, doing: str) -> UnexpectedFailure:
    """`pacefit could not {doing} this run`, naming `path`, with no Python exception text."""
    return UnexpectedFailure(
        f"pacefit could not {doing} this run: something in the file made it fail in a way it "
        "does not handle",
        location=Location(str(path)),
        hint=f"`pacefit --debug analyze {path}` shows where; the other runs were reviewed",
    )


def _noted(caught: list[warnings.WarningMessage]) -> tuple[PacefitWarning, ...]:
    return tuple(w.message for w in caught if isinstance(w.message, PacefitWarning))


def _session_review(
    number: int,
    session: ScheduledSession,
    chosen: dict[int, tuple[RunFacts, Match]],
    outcomes: dict[int, Outcome],
    path_of: dict[str, Path],
) -> SessionReview:
    if number not in chosen:
        return SessionReview(session)
    facts, match = chosen[number]
    path = path_of[facts.source]
    outcome = outcomes[number]
    if isinstance(outcome, PacefitError):
        return SessionReview(session, path, error=outcome, note=match.note)
    return SessionReview(session, path, result=outcome, note=match.note)


def _not_yet_due(item: SessionReview, today: dt.date) -> SessionReview:
    due_by = item.session.date + dt.timedelta(days=MATCH_WINDOW_DAYS)
    if item.run is None and due_by >= today:
        return replace(item, upcoming=True)
    return item


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
                upcoming=sum(1 for i in items if i.upcoming),
            )
        )
    return result


def _week_share(item: SessionReview) -> float | None:
    """What a session adds to its week's score: its score, 0 when missed, nothing while it is
    still to come."""
    if item.upcoming:
        return None
    if item.run is None:
        return 0.0
    return item.result.score if item.result else None


def _refuse_when_nothing_was_judged(outcomes: dict[int, Outcome]) -> None:
    """A review in which every matched run failed for a reason of the plan or the athlete
    (`pace 'easy' needs the athlete's race times`) judged nothing: that is an error, not a
    review with every session marked."""
    errors = [o for o in outcomes.values() if isinstance(o, PacefitError)]
    planned = [e for e in errors if not isinstance(e, UnexpectedFailure)]
    if not outcomes or len(errors) < len(outcomes) or not planned:
        return
    first = planned[0]
    raise PacefitError(
        f"none of the {len(outcomes)} run(s) matched to a session could be scored: "
        f"{first.headline}",
        hint=first.hint,
    )


def _parallel(
    function: Callable[[Sequence[J]], list[T]],
    jobs: Sequence[J],
    workers: int | None,
    context: SessionsContext,
    progress: Progress | None = None,
) -> list[T]:
    """`function` over the jobs in chunks, in order, on `workers` processes (all cores by
    default), each started once with `context`; `progress(done, total)` after each chunk."""
    count = min(workers or os.cpu_count() or 1, len(jobs))
    size = max(1, min(MAX_CHUNK, len(jobs) // (max(count, 1) * CHUNKS_PER_WORKER)))
    chunks = [jobs[k : k + size] for k in range(0, len(jobs), size)]
    results: list[T] = []

    def collect(chunk_results: Iterable[list[T]]) -> list[T]:
        for chunk_result in chunk_results:
            results.extend(chunk_result)
            if progress is not None:
                progress(len(results), len(jobs))
        return results

    if count <= 1:
        _start_worker(context)
        try:
            return collect(function(chunk) for chunk in chunks)
        finally:
            _stop_worker()
    with ProcessPoolExecutor(
        max_workers=count, initializer=_start_worker, initargs=(context,)
    ) as pool:
        return collect(pool.map(function, chunks))


def _stop_worker() -> None:
    global _CONTEXT
    _CONTEXT = None
