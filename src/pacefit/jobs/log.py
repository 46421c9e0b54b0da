"""The training log: runs kept in the store (`pacefit log import`, an upload to `pacefit serve`),
each matched to the session of its day by the rules `review` uses, scored, and shown on the
athlete's block.

The store keeps every run file and the facts matching needs; which run was which session is
worked out again from those facts whenever the block is shown (it is cheap: no file is read),
so a second run of a day, or the FIT copy of a GPX already kept, moves the runs as `review`
would. Scores are a cache keyed by (run, plan, session): a pair that has none is scored from the
kept file; the cache of a plan is thrown away when the plan changes (its files, the athlete
file, level or race date), and `rescore` throws it all away and reads every file again.

The slow steps (reading a file, scoring a run, a run's whole analysis) are plain functions of
picklable values, run through `run_in(function, *args)`: directly for the CLI, in a worker
process for the server.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import threading
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from pacefit.core.activity import Activity
from pacefit.core.matching import (
    Match,
    RunFacts,
    match_run,
    match_runs,
    not_yet_run,
    one_file_per_run,
    run_facts,
)
from pacefit.core.paces import Athlete
from pacefit.core.score import Analysis
from pacefit.core.workout import Intensity, OpenDuration, Step, Workout
from pacefit.errors import Location, PacefitError, PacefitWarning
from pacefit.files import safe_filename, sha256
from pacefit.formats import read_activity_data
from pacefit.formats.athlete_yaml import parse_athlete
from pacefit.formats.yaml_source import YamlSource, reading_texts, unchanged
from pacefit.jobs.analyze import analyze_run
from pacefit.jobs.block import Block, PlannedSession, UnplannedRun, block_of, planned_session
from pacefit.jobs.build import PlanSchedule, plan_calendar, plan_schedule
from pacefit.jobs.compile import encoded_workout
from pacefit.jobs.review import (
    Outcome,
    RunScore,
    SessionReview,
    SessionsContext,
    UnexpectedFailure,
    WorkDone,
    assemble_review,
    score_against,
    sessions_context,
)
from pacefit.store.database import AthleteRecord, PlanRecord, RunFile, RunRecord, Store

T = TypeVar("T")
RunIn = Callable[..., Any]  # run_in(function, *args) -> function(*args), here or in a worker


def call(function: Callable[..., T], *args: Any) -> T:
    return function(*args)


class NotInLog(PacefitError):
    """An athlete, run or session the log does not have (a page's 404)."""


# -- the athlete and their plan ------------------------------------------------------------


@dataclass(frozen=True)
class AthletePlan:
    """An athlete's plan as matching and pages need it: dated sessions, each session's workout
    and facts, and its planned length."""

    record: PlanRecord
    schedule: PlanSchedule
    context: SessionsContext
    planned: tuple[PlannedSession, ...]
    version: str  # of its files, the athlete file, level and race date (`_version`)


@dataclass(frozen=True)
class AthleteLog:
    record: AthleteRecord
    athlete: Athlete
    plan: AthletePlan | None
    # why the athlete's plan could not be read (its folder moved or broken): the runs are
    # still kept and shown, unscored, and every other athlete's pages still work
    plan_error: PacefitError | None = None


def load_athlete_text(text: str, name: str) -> Athlete:
    return parse_athlete(YamlSource(text=text, path=name))


def add_athlete(
    store: Store,
    athlete_path: Path,
    *,
    plan_folder: Path | None,
    race_date: dt.date | None,
    level: str | None = None,
) -> tuple[AthleteLog, bool]:
    """The athlete file (and the plan, when given) put in the log: a new athlete, or the one of
    the same name brought up to date. Both are checked before anything is written."""
    text = _read_text(athlete_path)
    athlete = load_athlete_text(text, str(athlete_path))
    folder = plan_folder.resolve() if plan_folder else None
    if folder is not None:
        if race_date is None:
            raise PacefitError(
                "a plan needs a race date to put dates on its sessions",
                location=Location(str(folder)),
                hint="pass --race-date YYYY-MM-DD",
            )
        _plan_parts(folder, race_date, level, text, athlete.name)  # refuses a bad plan
    plan = (folder, race_date, level) if folder is not None and race_date is not None else None
    record, created = store.save_athlete(athlete.name, text, plan)
    return athlete_log(store, record.id), created


def athlete_log(store: Store, athlete_id: int) -> AthleteLog:
    record = store.athlete(athlete_id)
    if record is None:
        raise NotInLog(f"there is no athlete {athlete_id} in the log")
    athlete = load_athlete_text(record.athlete_yaml, f"athlete file of {record.name}")
    plan_record = store.current_plan(athlete_id)
    if plan_record is None:
        return AthleteLog(record, athlete, None)
    try:
        parts = _plan_parts(
            plan_record.folder,
            plan_record.race_date,
            plan_record.level,
            record.athlete_yaml,
            record.name,
        )
    except PacefitError as exc:
        return AthleteLog(record, athlete, None, plan_error=exc)
    if plan_record.scored_against != parts.version:
        # the plan, the athlete's paces or level changed since its runs were scored
        store.forget_scores_unless(plan_record.id, parts.version)
    plan = AthletePlan(plan_record, parts.schedule, parts.context, parts.planned, parts.version)
    return AthleteLog(record, athlete, plan)


@dataclass(frozen=True)
class _PlanParts:
    schedule: PlanSchedule
    context: SessionsContext
    planned: tuple[PlannedSession, ...]
    # what scores against it depend on: the contents of its files, the athlete file, the
    # level and the race date (scores kept against another version are scored again)
    version: str
    texts: tuple[tuple[Path, str | None], ...]  # each file read for it, and a digest of its text


MAX_PLANS_KEPT = 64
MAX_PLAN_READS = 3
_plans: dict[tuple[Path, dt.date, str | None, str], _PlanParts] = {}
_plans_lock = threading.Lock()


def _plan_parts(
    folder: Path, race_date: dt.date, level: str | None, athlete_yaml: str, name: str
) -> _PlanParts:
    """A plan read once per process for each athlete file, and again when one of its files
    changes (a coach's edit shows on the next page); `name`: the athlete's."""
    key = (folder, race_date, level, athlete_yaml)
    kept = _plans.get(key)
    if kept is not None and unchanged(kept.texts):
        return kept
    parts = _read_plan(folder, race_date, level=level, athlete_yaml=athlete_yaml, name=name)
    with _plans_lock:  # the server's pages are served from several threads
        if len(_plans) >= MAX_PLANS_KEPT:
            del _plans[next(iter(_plans))]
        _plans[key] = parts
    return parts


def _read_plan(
    folder: Path, race_date: dt.date, *, level: str | None, athlete_yaml: str, name: str
) -> _PlanParts:
    """The plan as its files held it while it was read. A coach's save (or a checkout of the
    plan's folder) landing during the read would leave the old sessions under the new files'
    version, so the plan is read again until every file read the same throughout and as it
    is afterwards."""
    athlete = load_athlete_text(athlete_yaml, f"athlete file of {name}")
    for _ in range(MAX_PLAN_READS):
        with reading_texts() as read, warnings.catch_warnings():
            warnings.simplefilter("ignore", PacefitWarning)  # `build` says them
            try:
                schedule = plan_schedule(folder, race_date=race_date, athlete=athlete, level=level)
                sessions = schedule.schedule.sessions
                context = sessions_context(sessions, athlete)
                planned = tuple(planned_session(session, athlete) for session in sessions)
            except PacefitError:
                # a file caught half-saved reads as a mistake: said only if it is still so
                if read.consistent():
                    raise
                continue
        if read.consistent():
            texts = read.texts()
            version = _version(texts, athlete_yaml=athlete_yaml, level=level, race_date=race_date)
            return _PlanParts(schedule, context, planned, version, texts)
    raise PacefitError(
        f"the plan's files changed while they were read, {MAX_PLAN_READS} times over",
        location=Location(str(folder)),
        hint="try again once the edit is saved",
    )


def _version(
    texts: Sequence[tuple[Path, str | None]],
    *,
    athlete_yaml: str,
    level: str | None,
    race_date: dt.date,
) -> str:
    parts = [athlete_yaml, str(level), str(race_date)]
    for path, text in texts:
        parts += [str(path), str(text)]
    return sha256("\0".join(parts).encode())


def read_plans_again() -> None:
    """The next use of each plan reads its files again, changed or not."""
    with _plans_lock:
        _plans.clear()


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PacefitError(f"cannot read the file: {exc}", location=Location(str(path))) from exc


# -- reading and scoring (the slow part: plain functions a worker process can run) ----------


@dataclass(frozen=True)
class Judged:
    """An uploaded file read: its facts, the session it most likely was among the open ones,
    the outcome against it, and the warnings reading it raised."""

    facts: RunFacts
    guess: int | None
    outcome: dict[str, Any] | None
    notes: tuple[str, ...]


def judge(
    content: bytes, file_name: str, context: SessionsContext | None, taken: frozenset[int]
) -> Judged:
    """Read an uploaded run, match it as if it were alone, score it against that session."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PacefitWarning)
        activity = read_activity_data(content, file_name)
        facts = run_facts(activity)
        guess = match_run(facts, context.by_date, taken=taken) if context else None
        outcome = None
        if guess is not None and context is not None:
            outcome = outcome_data(
                score_against(activity, context.workout(guess.session), Path(file_name))
            )
    notes = tuple(str(w.message) for w in caught if isinstance(w.message, PacefitWarning))
    return Judged(facts, guess.session if guess else None, outcome, notes)


def score_kept(content: bytes, file_name: str, workout: Workout | PacefitError) -> dict[str, Any]:
    """A kept run scored against a session's workout, as the cache keeps it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PacefitWarning)  # said when it was uploaded
        try:
            activity = read_activity_data(content, file_name)
        except PacefitError as exc:
            return outcome_data(exc)
        return outcome_data(score_against(activity, workout, Path(file_name)))


def analyse_kept(
    content: bytes,
    file_name: str,
    workout: Workout | None,
    hr_zones_bpm: tuple[tuple[int, int], ...],
) -> Analysis:
    """A kept run's whole analysis (its page): against its session's workout, else the workout
    the watch embedded, else one open step (what was run, with nothing to grade)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PacefitWarning)
        activity = read_activity_data(content, file_name)
        chosen = workout or activity.workout or open_run(activity)
        return analyze_run(activity, chosen, hr_zones_bpm=hr_zones_bpm)


def open_run(activity: Activity) -> Workout:
    return Workout(
        name="Run (not in the plan)",
        steps=(Step(Intensity.ACTIVE, OpenDuration()),),
        sport=activity.sport,
    )


def outcome_data(outcome: Outcome) -> dict[str, Any]:
    """An outcome as the cache keeps it (JSON)."""
    if isinstance(outcome, PacefitError):
        return {
            "error": outcome.message,
            "location": str(outcome.location or ""),
            "hint": outcome.hint,
            "unexpected": isinstance(outcome, UnexpectedFailure),
        }
    return dataclasses.asdict(outcome)


def outcome_from_data(data: dict[str, Any]) -> Outcome:
    if "error" in data:
        kind = UnexpectedFailure if data.get("unexpected") else PacefitError
        location = Location(data["location"]) if data.get("location") else None
        return kind(data["error"], location=location, hint=data.get("hint", ""))
    work = tuple(WorkDone(**item) for item in data.get("work", ()))
    return RunScore(**{**data, "work": work})


# -- the block, from the log ----------------------------------------------------------------


@dataclass(frozen=True)
class LogBlock:
    """The athlete's block as the log has it: the block (None without a plan), which kept run
    each done session was (by session number), and the runs in no session."""

    log: AthleteLog
    block: Block | None
    run_of_session: dict[int, int]
    unplanned: tuple[tuple[RunRecord, UnplannedRun], ...]
    runs: dict[int, RunRecord]
    copy_of: dict[int, int]  # a copy of a run (its GPX beside its FIT) -> the run kept

    def session_of_run(self, run_id: int) -> int | None:
        return next((n for n, r in self.run_of_session.items() if r == run_id), None)


@dataclass(frozen=True)
class _Matching:
    chosen: dict[int, tuple[RunFacts, Match]]
    unmatched: list[RunFacts]
    copies: list[tuple[str, str]]

    def kept_of(self) -> dict[int, int]:
        """Each copy of a run (its GPX beside its FIT) -> the run kept, by their ids."""
        return {_run_id_of(copy): _run_id_of(kept) for copy, kept in self.copies}


def log_block(
    store: Store, log: AthleteLog, *, today: dt.date | None, run_in: RunIn = call
) -> LogBlock:
    """The block with every kept run in its place; pairs not scored yet are scored first."""
    records = store.runs(log.record.id)
    by_id = {record.id: record for record in records}
    matching = _match(records, log.plan)
    copy_of = matching.kept_of()
    if log.plan is None:
        unplanned = tuple(
            (by_id[_run_id(f)], _unplanned(by_id[_run_id(f)])) for f in matching.unmatched
        )
        return LogBlock(log, None, {}, unplanned, by_id, copy_of)
    plan = log.plan
    outcomes = _outcomes(store, plan, matching, by_id, run_in)
    review = assemble_review(
        plan.schedule.name,
        plan.schedule.schedule.sessions,
        matching.chosen,
        outcomes,
        path_of={_source(r): Path(r.file_name) for r in records},
        unmatched=[],
        unreadable=[],
        copies=matching.copies,
        today=today,
    )
    run_of_session = {n: _run_id(facts) for n, (facts, _) in matching.chosen.items()}
    unplanned = tuple(
        (by_id[_run_id(f)], _unplanned(by_id[_run_id(f)])) for f in matching.unmatched
    )
    block = block_of(review, log.athlete, plan.planned)
    return LogBlock(log, block, run_of_session, unplanned, by_id, copy_of)


def _outcomes(
    store: Store,
    plan: AthletePlan,
    matching: _Matching,
    by_id: dict[int, RunRecord],
    run_in: RunIn,
) -> dict[int, Outcome]:
    cached = store.scores(plan.record.id)
    fresh = []
    for number, (facts, _) in sorted(matching.chosen.items()):
        run_id = _run_id(facts)
        if (run_id, number) not in cached:
            record = by_id[run_id]
            data = run_in(
                score_kept,
                store.run_content(run_id),
                record.file_name,
                plan.context.workout(number),
            )
            cached[run_id, number] = data
            fresh.append((run_id, number, data))
    store.save_scores(plan.record.id, plan.version, fresh)
    return {
        number: outcome_from_data(cached[_run_id(facts), number])
        for number, (facts, _) in matching.chosen.items()
    }


def _match(records: Sequence[RunRecord], plan: AthletePlan | None) -> _Matching:
    facts = [_facts(record) for record in records]
    kept, copies = one_file_per_run(facts)
    if plan is None:
        return _Matching({}, kept, copies)
    chosen, unmatched = match_runs(kept, plan.context.sessions)
    return _Matching(chosen, unmatched, copies)


def _facts(record: RunRecord) -> RunFacts:
    return RunFacts(
        source=_source(record),
        file_format=record.file_format,
        start_time=record.start_time,
        local_date=record.local_date,
        sport=record.sport,
        distance_m=record.distance_m,
        timer_s=record.timer_s,
        speed_quantiles_mps=record.speed_quantiles_mps,
    )


def _source(record: RunRecord) -> str:
    # zero-padded, so that sources sort in the order the runs were kept: of two copies of one
    # run in the same kind of file, the first kept is the one scored (not "run 10" before "run 9")
    return f"run {record.id:012d}"


def _run_id(facts: RunFacts) -> int:
    return _run_id_of(facts.source)


def _run_id_of(source: str) -> int:
    return int(source.removeprefix("run "))


def _unplanned(record: RunRecord) -> UnplannedRun:
    return UnplannedRun(
        Path(record.file_name), record.local_date, record.distance_m, record.timer_s
    )


# -- importing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """One file taken into the log: the run, whether it is new (False: the same file was
    there), what it became (its session, or None: unplanned), and what reading it noted."""

    run: RunRecord
    new: bool
    session: SessionReview | None
    notes: tuple[str, ...] = ()
    same_as: RunRecord | None = None  # the run this file is a copy of (its FIT, say)


def upload_name(file_name: str) -> str:
    """What an uploaded file is called here: the last part of the name it came with (a browser
    may send a path, with either slash), never a path."""
    return Path(file_name.replace("\\", "/")).name or "run"


def import_run(
    store: Store,
    log: AthleteLog,
    content: bytes,
    file_name: str,
    *,
    today: dt.date | None,
    run_in: RunIn = call,
) -> Imported:
    """Read, match, score and keep one run file; a file pacefit refuses raises its
    `PacefitError` and nothing is kept. The same file twice is one run."""
    name = upload_name(file_name)
    digest = sha256(content)
    existing = store.run_by_hash(log.record.id, digest)
    if existing is not None:
        return _imported(store, log, existing, False, (), today, run_in)
    taken = frozenset(_match(store.runs(log.record.id), log.plan).chosen)
    context = log.plan.context if log.plan else None
    judged: Judged = run_in(judge, content, name, context, taken)
    if today is not None and (refused := not_yet_run(judged.facts, today, name=name)):
        raise refused
    record, new = store.add_run(
        log.record.id,
        RunFile(
            sha256=digest,
            file_name=name,
            file_format=judged.facts.file_format,
            content=content,
            **_kept_facts(judged.facts),
        ),
    )
    if new and log.plan is not None and judged.guess is not None and judged.outcome is not None:
        outcome = (record.id, judged.guess, judged.outcome)
        store.save_scores(log.plan.record.id, log.plan.version, [outcome])
    return _imported(store, log, record, new, judged.notes, today, run_in)


def _kept_facts(facts: RunFacts) -> dict[str, Any]:
    """What the store keeps of a run's facts beside its file (`_facts` reads them back)."""
    return {
        "start_time": facts.start_time,
        "local_date": facts.local_date,
        "sport": facts.sport,
        "distance_m": facts.distance_m,
        "timer_s": facts.timer_s,
        "speed_quantiles_mps": facts.speed_quantiles_mps,
    }


def _imported(
    store: Store,
    log: AthleteLog,
    record: RunRecord,
    new: bool,
    notes: tuple[str, ...],
    today: dt.date | None,
    run_in: RunIn,
) -> Imported:
    """What the run became on the block, now that it is kept."""
    shown = log_block(store, log, today=today, run_in=run_in)
    number = shown.session_of_run(record.id)
    session = None
    if shown.block is not None and number is not None:
        session = shown.block.review.sessions[number]
    kept = shown.copy_of.get(record.id)
    same_as = shown.runs[kept] if kept is not None else None
    return Imported(record, new, session, notes, same_as)


@dataclass(frozen=True)
class RunView:
    """What a kept run's page shows: its analysis, its session (when it is one), and the kept
    file it is a copy of (when it is one: a GPX of a FIT, judged by the other)."""

    analysis: Analysis
    session: SessionReview | None
    copy_of: RunRecord | None = None


def run_analysis(store: Store, log: AthleteLog, run_id: int, *, run_in: RunIn = call) -> RunView:
    """A kept run's whole analysis, against its session's workout when it is one (a copy of
    another file, against that file's session)."""
    record = store.run(run_id)
    if record is None or record.athlete_id != log.record.id:
        raise NotInLog(f"there is no run {run_id} in the log")
    records = store.runs(log.record.id)
    matching = _match(records, log.plan)
    kept_of = matching.kept_of()
    scored_id = kept_of.get(run_id, run_id)
    copy_of = next((r for r in records if r.id == scored_id), None) if run_id in kept_of else None
    number = next((n for n, (f, _) in matching.chosen.items() if _run_id(f) == scored_id), None)
    workout = None
    session = None
    if number is not None and log.plan is not None:
        found = log.plan.context.workout(number)
        workout = found if isinstance(found, Workout) else None
        session = SessionReview(log.plan.schedule.schedule.sessions[number])
    analysis = run_in(
        analyse_kept,
        store.run_content(run_id),
        record.file_name,
        workout,
        log.athlete.hr_zones(),
    )
    return RunView(analysis, session, copy_of)


@dataclass(frozen=True)
class Rescored:
    runs: int  # files read again
    failed: tuple[tuple[RunRecord, PacefitError], ...]  # kept as they were
    unread_plans: tuple[tuple[AthleteRecord, PacefitError], ...] = ()  # scores kept as they were


def rescore(store: Store, *, run_in: RunIn = call) -> Rescored:
    """Every kept file read again (the facts a better pacefit reads from it) and every score
    recomputed. A file that can no longer be read keeps the facts it had."""
    read_plans_again()
    count = 0
    failed = []
    unread_plans = []
    for athlete in store.athletes():
        log = athlete_log(store, athlete.id)
        if log.plan_error is not None:
            unread_plans.append((athlete, log.plan_error))
        for record in store.runs(athlete.id):
            content = store.run_content(record.id)
            try:
                judged: Judged = run_in(judge, content, record.file_name, None, frozenset())
            except PacefitError as exc:
                failed.append((record, exc))
                continue
            store.update_run_facts(record.id, **_kept_facts(judged.facts))
            count += 1
        if log.plan is not None:
            store.clear_scores(log.plan.record.id)
            log_block(store, log, today=None, run_in=run_in)
    return Rescored(count, tuple(failed), tuple(unread_plans))


# -- the plan's files --------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkoutFile:
    name: str
    data: bytes


def session_file(log: AthleteLog, number: int, file_format: str) -> WorkoutFile:
    """A session's workout as a file for the watch (or another platform), named as `build`
    names it."""
    plan = _plan_of(log)
    sessions = plan.schedule.schedule.sessions
    if not 0 <= number < len(sessions):
        raise NotInLog(f"the plan has no session {number}")
    session = sessions[number]
    workout = plan.context.workout(number)
    if isinstance(workout, PacefitError):
        raise workout
    day = safe_filename(session.label, suffix="")
    with warnings.catch_warnings():
        # what a format cannot hold exactly (a .zwo is all time): `build` says it, a download
        # has nobody to say it to
        warnings.simplefilter("ignore", PacefitWarning)
        name, _, data = encoded_workout(
            workout,
            athlete=log.athlete,
            name_prefix=session.label,
            filename_prefix=f"{session.date.isoformat()}_{day}_",
            file_format=file_format,
        )
    return WorkoutFile(name, data)


def weeks_zip(log: AthleteLog, *, today: dt.date, weeks: int, file_format: str) -> WorkoutFile:
    """The sessions from today through the next `weeks` weeks, one file each, in a zip."""
    plan = _plan_of(log)
    end = today + dt.timedelta(weeks=weeks)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, session in enumerate(plan.schedule.schedule.sessions):
            if today <= session.date < end and isinstance(plan.context.workout(number), Workout):
                file = session_file(log, number, file_format)
                archive.writestr(file.name, file.data)
    name = safe_filename(f"{plan.schedule.name} {today} {weeks}wk", suffix=".zip")
    return WorkoutFile(name, buffer.getvalue())


def plan_ics(log: AthleteLog) -> WorkoutFile:
    plan = _plan_of(log)
    dated = []
    for number, session in enumerate(plan.schedule.schedule.sessions):
        workout = plan.context.workout(number)
        if isinstance(workout, Workout):
            dated.append((session.date, replace(workout, name=f"{session.label} {workout.name}")))
    return WorkoutFile("plan.ics", plan_calendar(plan.schedule, dated, athlete=log.athlete))


def _plan_of(log: AthleteLog) -> AthletePlan:
    if log.plan is None:
        raise PacefitError(
            f"{log.record.name} has no plan",
            hint="start the server with --plan FOLDER --race-date YYYY-MM-DD",
        )
    return log.plan
