"""`push --to intervals.icu`: a build's sessions as planned workouts on the athlete's
intervals.icu calendar, which sends them on to Garmin, COROS, Suunto or Wahoo watches; and
`push --status --to intervals.icu`: which are planned as pushed, changed there, or gone.

Each session has pacefit's own id on the calendar (`external_id`: the plan and the session's
week and day), so a second push updates an event rather than adding one, and a session that
moves (a new race date) moves its event. An event nobody changed is not sent again; one changed
on intervals.icu since pacefit pushed it, or deleted there, is left as it is unless `--force`.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pacefit.core.paces import Athlete
from pacefit.delivery.intervals_icu import (
    OTHER_SPORT,
    SPORT_TYPES,
    ConnectionLost,
    IntervalsIcu,
    PlannedEvent,
    StoredEvent,
    connect,
)
from pacefit.errors import Location, PacefitError, PacefitWarning
from pacefit.files import safe_filename, sha256
from pacefit.formats import WORKOUT_WRITERS, ExportContext, read_workout_file, workout_writer
from pacefit.formats.build_records import (
    PushRecord,
    RecordKind,
    append_push_log,
    read_push_log,
)
from pacefit.jobs.compile import fitted
from pacefit.jobs.push import LeftOut, Reason, Selection, Window, push_window, select_files

BATCH = 10  # events per request: what arrived is logged after each answer
ICU_FORMAT = "icu"
STATUS_MARGIN = dt.timedelta(days=28)  # an event moved on the calendar is still found


class EventAction(Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    EDITED = "left as it is"  # changed on the calendar since it was pushed
    DELETED = "not sent again"  # deleted on the calendar since it was pushed
    WOULD_CREATE = "would create"
    WOULD_UPDATE = "would update"
    NOT_SENT = "not sent"

    @property
    def note(self) -> str:
        """Why, where the action alone does not say."""
        if self is EventAction.EDITED:
            return "changed on intervals.icu since it was pushed; --force replaces it"
        if self is EventAction.DELETED:
            return "deleted on intervals.icu since it was pushed; --force sends it again"
        return ""


@dataclass(frozen=True)
class EventOutcome:
    source: Path
    event: PlannedEvent
    action: EventAction


@dataclass(frozen=True)
class CalendarPushResult:
    destination: str
    outcomes: tuple[EventOutcome, ...]
    dry_run: bool
    left_out: tuple[LeftOut, ...]
    window: Window | None
    selected: int
    candidates: int
    stopped: PacefitError | None = None
    log_error: PacefitError | None = None


def push_to_calendar(
    paths: Sequence[Path],
    *,
    force: bool,
    dry_run: bool,
    weeks: int | None = None,
    start: dt.date | None = None,
    athlete: Athlete | None = None,
    now: dt.datetime | None = None,
    calendar: IntervalsIcu | None = None,
) -> CalendarPushResult:
    """Put a build's sessions (those due in the window, with `weeks`) on the calendar."""
    window = push_window(weeks, start)
    selection = select_files(paths, window=window)
    dated, left_out = _dated(selection)
    planned = [(path, _planned_event(path, selection)) for path in dated]
    service = calendar or connect(athlete.intervals_icu_athlete if athlete else None)
    try:
        return _push(
            planned,
            service,
            selection=selection,
            left_out=left_out,
            force=force,
            dry_run=dry_run,
            now=now or dt.datetime.now(dt.UTC),
        )
    finally:
        if calendar is None:
            service.close()


def _dated(selection: Selection) -> tuple[list[Path], tuple[LeftOut, ...]]:
    """The selected files with a day (a calendar needs one); the others left out."""
    dated, left_out = [], list(selection.left_out)
    for path in selection.files:
        if selection.due(path) is None:
            left_out.append(LeftOut(path, Reason.NO_DATE))
        else:
            dated.append(path)
    return dated, tuple(left_out)


def _planned_event(path: Path, selection: Selection) -> PlannedEvent:
    """The session as intervals.icu takes it: the workout text pacefit writes for intervals.icu
    (from the build's FIT or intervals.icu file), the session's name, day and sport."""
    entry = selection.entries[path]
    assert entry.date is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PacefitWarning)  # read back from pacefit's own build
        workout = read_workout_file(path)
    writer, encode = workout_writer(ICU_FORMAT)
    # intervals.icu's text holds absolute paces: it needs no context
    text = encode(fitted(workout, writer, WORKOUT_WRITERS[ICU_FORMAT].device), ExportContext())
    plan = selection.manifest.name if selection.manifest else path.parent.name
    session = entry.session or entry.date.isoformat()
    return PlannedEvent(
        external_id=f"pacefit-{safe_filename(plan, suffix='')}-{safe_filename(session, suffix='')}",
        name=entry.workout,
        description=text.decode(),
        day=entry.date,
        sport_type=SPORT_TYPES.get(workout.sport, OTHER_SPORT),
    )


def _push(
    planned: list[tuple[Path, PlannedEvent]],
    service: IntervalsIcu,
    *,
    selection: Selection,
    left_out: tuple[LeftOut, ...],
    force: bool,
    dry_run: bool,
    now: dt.datetime,
) -> CalendarPushResult:
    result = CalendarPushResult(
        service.description,
        (),
        dry_run,
        left_out,
        selection.window,
        selected=len(planned),
        candidates=len(selection.files) + len(selection.left_out),
    )
    if not planned:
        return result
    days = [event.day for _, event in planned]
    stored = {
        e.external_id: e
        for e in service.events(oldest=min(days), newest=max(days))
        if e.external_id is not None
    }
    folder = planned[0][0].parent
    pushed = _latest_events(folder, service.description)
    actions = {
        event.external_id: _decide(event, stored.get(event.external_id),
                                   pushed.get(event.external_id), force=force, dry_run=dry_run)
        for _, event in planned
    }  # fmt: skip
    # what is on the calendar as pacefit would put it, but not yet in the log, is recorded
    adopted = [
        (path, event, stored[event.external_id])
        for path, event in planned
        if actions[event.external_id] is EventAction.UNCHANGED and event.external_id not in pushed
    ]
    to_send = [(p, e) for p, e in planned if actions[e.external_id] in _SENT]
    arrived, stopped = ([], None) if dry_run else _send(to_send, service, days)
    if not dry_run:
        arrived_ids = {event.external_id for _, event, _ in arrived}
        for _, event in to_send:
            if event.external_id not in arrived_ids:
                actions[event.external_id] = EventAction.NOT_SENT
            elif event.external_id in stored:
                actions[event.external_id] = EventAction.UPDATED
            else:
                actions[event.external_id] = EventAction.CREATED
    log_error = None
    if not dry_run:
        try:
            _log(folder, service.description, [*adopted, *arrived], now)
        except PacefitError as exc:
            log_error = exc
    outcomes = tuple(
        EventOutcome(path, event, actions[event.external_id]) for path, event in planned
    )
    return CalendarPushResult(
        result.destination,
        outcomes,
        dry_run,
        left_out,
        selection.window,
        result.selected,
        result.candidates,
        stopped=stopped,
        log_error=log_error,
    )


_SENT = (EventAction.WOULD_CREATE, EventAction.WOULD_UPDATE)


def _decide(
    event: PlannedEvent,
    stored: StoredEvent | None,
    pushed: PushRecord | None,
    *,
    force: bool,
    dry_run: bool,
) -> EventAction:
    """What to do with one session: create it, update it (the plan changed), or leave it (as
    pushed, or changed on the calendar by someone since)."""
    del dry_run  # the same decision; a dry run only does not carry it out
    if stored is None:
        if pushed is not None and not force:
            return EventAction.DELETED
        return EventAction.WOULD_CREATE
    if stored.digest == event.digest:
        return EventAction.UNCHANGED
    if force or (pushed is not None and pushed.remote_digest == stored.digest):
        return EventAction.WOULD_UPDATE
    return EventAction.EDITED


def _send(
    to_send: list[tuple[Path, PlannedEvent]], service: IntervalsIcu, days: list[dt.date]
) -> tuple[list[tuple[Path, PlannedEvent, StoredEvent]], PacefitError | None]:
    """Send the events in batches; what arrived (the service's answer, or after a lost
    connection what the calendar now holds) and why it stopped."""
    arrived: list[tuple[Path, PlannedEvent, StoredEvent]] = []
    for start in range(0, len(to_send), BATCH):
        batch = to_send[start : start + BATCH]
        try:
            echoed = {e.external_id: e for e in service.upsert([event for _, event in batch])}
        except ConnectionLost as lost:
            return arrived + _found_after_loss(batch, service, days), lost
        except PacefitError as exc:
            return arrived, exc
        arrived += [(p, e, echoed[e.external_id]) for p, e in batch if e.external_id in echoed]
    return arrived, None


def _found_after_loss(
    batch: list[tuple[Path, PlannedEvent]], service: IntervalsIcu, days: list[dt.date]
) -> list[tuple[Path, PlannedEvent, StoredEvent]]:
    """The events of a batch whose answer was lost that the calendar holds as sent: they
    arrived. When the calendar cannot be read either, none is counted."""
    try:
        stored = {e.external_id: e for e in service.events(oldest=min(days), newest=max(days))}
    except PacefitError:
        return []
    return [
        (path, event, stored[event.external_id])
        for path, event in batch
        if event.external_id in stored and stored[event.external_id].digest == event.digest
    ]


def _latest_events(folder: Path, destination: str) -> dict[str, PushRecord]:
    return {
        record.external_id: record
        for record in read_push_log(folder)
        if record.kind == RecordKind.EVENT
        and record.destination == destination
        and record.external_id is not None
    }


def _log(
    folder: Path,
    destination: str,
    arrived: list[tuple[Path, PlannedEvent, StoredEvent]],
    now: dt.datetime,
) -> None:
    if not arrived:
        return
    append_push_log(
        folder,
        [
            PushRecord(
                file=path.name,
                sha256=sha256(path.read_bytes()),
                workout=event.name,
                signature=event.digest,
                pushed_at=now,
                destination=destination,
                kind=RecordKind.EVENT,
                external_id=event.external_id,
                event_id=echo.event_id,
                remote_digest=echo.digest,
                due=echo.day,
            )
            for path, event, echo in arrived
        ],
    )


# -- the receipt ----------------------------------------------------------------------------------


class EventReceipt(Enum):
    PLANNED = "planned"  # on the calendar as pushed
    CHANGED = "changed"  # on the calendar, changed there since it was pushed
    GONE = "gone"  # no longer on the calendar


@dataclass(frozen=True)
class EventStatus:
    record: PushRecord
    receipt: EventReceipt
    stored: StoredEvent | None


@dataclass(frozen=True)
class CalendarStatusResult:
    destination: str
    events: tuple[EventStatus, ...]


def calendar_status(
    folder: Path, *, athlete: Athlete | None = None, calendar: IntervalsIcu | None = None
) -> CalendarStatusResult:
    """Each session pushed from `folder` to the calendar: planned as pushed, changed, or gone."""
    service = calendar or connect(athlete.intervals_icu_athlete if athlete else None)
    try:
        latest = _latest_events(folder, service.description)
        if not latest:
            raise PacefitError(
                f"nothing has been pushed from this folder to {service.description}",
                location=Location(str(folder)),
                hint="push it first: pacefit push FOLDER --to intervals.icu",
            )
        days = [r.due for r in latest.values() if r.due is not None]
        stored = {
            e.external_id: e
            for e in service.events(
                oldest=min(days) - STATUS_MARGIN, newest=max(days) + STATUS_MARGIN
            )
        }
    finally:
        if calendar is None:
            service.close()
    events = []
    for record in sorted(latest.values(), key=lambda r: (r.due or dt.date.min, r.file)):
        found = stored.get(record.external_id)
        if found is None:
            receipt = EventReceipt.GONE
        elif found.digest == record.remote_digest:
            receipt = EventReceipt.PLANNED
        else:
            receipt = EventReceipt.CHANGED
        events.append(EventStatus(record, receipt, found))
    return CalendarStatusResult(service.description, tuple(events))
