"""The `push` job: a build's workout files onto the watch, each one verified, with a FIT schedule
that puts them on the watch's calendar; and the receipt: what the watch has done with them since.

A build folder's manifest says which files the last build made and when each session is due, so
`push` sends exactly those (never an older plan's leftovers) or only the next weeks of them; each
push is logged in the folder for `push --status`. A workout the watch has already taken in (found
among its workouts by what it says) is not sent again unless forced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from pacefit.core.devices import DEFAULT_DEVICE, DeviceProfile, device_profile
from pacefit.core.workout import Workout
from pacefit.delivery import (
    Action,
    Destination,
    Transfer,
    decide,
    deliver,
    destination_named,
    find_destination,
)
from pacefit.errors import Location, PacefitError, PacefitWarning, warn
from pacefit.files import sha256
from pacefit.formats import DEFAULT_WORKOUT_FORMAT, WORKOUT_WRITERS
from pacefit.formats.build_records import (
    MANIFEST_FILE,
    Manifest,
    ManifestEntry,
    PushRecord,
    RecordKind,
    append_push_log,
    read_manifest,
    read_push_log,
)
from pacefit.formats.fit_schedule import SCHEDULE_FILE
from pacefit.formats.fit_workout import decode_workout
from pacefit.formats.workout_yaml import dump_workout
from pacefit.jobs.schedule import schedule_data, scheduled_sessions

DELIVERED = (Action.COPIED, Action.REPLACED, Action.IDENTICAL)
ON_THE_WATCH = (*DELIVERED, Action.ON_WATCH, Action.WOULD_COPY, Action.WOULD_REPLACE)


@dataclass(frozen=True)
class Window:
    """Sessions due from `first` up to, not including, `end`."""

    first: dt.date
    end: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.first <= day < self.end

    @property
    def last(self) -> dt.date:
        return self.end - dt.timedelta(days=1)


class Reason(Enum):
    """Why a file of the folder was not sent."""

    OUTSIDE = "due outside those dates"
    NO_DATE = "no date (--weeks and calendars need a plan built with pacefit build)"
    STALE = "not made by the last build (an older plan?)"


@dataclass(frozen=True)
class LeftOut:
    path: Path
    reason: Reason
    detail: str = ""  # `due 2026-12-01`


@dataclass(frozen=True)
class Selection:
    files: tuple[Path, ...]
    left_out: tuple[LeftOut, ...]
    window: Window | None
    # each file's manifest entry (its date and session), where a manifest lists it
    entries: dict[Path, ManifestEntry] = field(default_factory=dict)
    manifest: Manifest | None = None  # the folder's, when one folder was given

    def due(self, path: Path) -> dt.date | None:
        entry = self.entries.get(path)
        return entry.date if entry else None


@dataclass(frozen=True)
class PushResult:
    destination: str
    transfers: tuple[Transfer, ...]  # the workouts
    dry_run: bool
    left_out: tuple[LeftOut, ...] = ()
    window: Window | None = None
    stopped: PacefitError | None = None  # why the push stopped before the end
    not_sent: tuple[Path, ...] = ()  # from the file it stopped at on
    log_error: PacefitError | None = None  # the push log could not be written
    selected: int = 0  # files chosen to send (the window's, or all)
    candidates: int = 0  # files the folder offered
    schedule: Transfer | None = None  # the FIT schedule sent after the workouts
    schedule_sessions: int = 0

    @property
    def refused(self) -> tuple[Transfer, ...]:
        sent = (*self.transfers, *([self.schedule] if self.schedule else []))
        return tuple(t for t in sent if t.action is Action.REFUSED)


def push_files(
    paths: Sequence[Path],
    *,
    to: Path | None,
    force: bool,
    dry_run: bool,
    weeks: int | None = None,
    start: dt.date | None = None,
    now: dt.datetime | None = None,
    device: str | None = None,
) -> PushResult:
    """Copy a build folder's files (as its manifest lists them), or the files named, into the
    watch's NewFiles folder, then a schedule of the dated ones; with `weeks`, only the sessions
    due in the next `weeks` weeks from `start` (today). With `device`, a warning when it keeps
    fewer workouts than are sent; the schedule holds what the device keeps (`device`, else the
    build's, else generic)."""
    window = push_window(weeks, start)
    selection = select_files(paths, window=window)
    if selection.manifest is not None:
        require_fit(selection, paths[0])
    verified = verify_files(selection)
    if device is not None:
        _warn_over_cap(len(selection.files), device_profile(device), weeks)
    build_device = selection.manifest.device if selection.manifest else None
    destination = find_destination(to)
    if not dry_run:
        destination.remove_stale_temporaries()
    on_watch = already_on_watch(verified, destination) if verified else {}
    delivery = deliver(
        selection.files, destination, force=force, dry_run=dry_run, on_watch=on_watch
    )
    transfers, stopped, schedule = list(delivery.transfers), delivery.stopped, None
    if stopped is None:
        try:
            schedule = _deliver_schedule(
                selection,
                transfers,
                destination,
                device=device or build_device or DEFAULT_DEVICE,
                force=force,
                dry_run=dry_run,
            )
        except PacefitError as exc:
            stopped = exc
    log_error = None
    if not dry_run:
        try:  # what reached the watch is recorded even when the push stopped early
            when = now or dt.datetime.now(dt.UTC)
            _log(transfers, destination, when, verified=verified, schedule=schedule)
        except PacefitError as exc:
            log_error = exc
    return PushResult(
        destination.description,
        tuple(transfers),
        dry_run,
        selection.left_out,
        window,
        stopped=stopped,
        not_sent=delivery.not_sent,
        log_error=log_error,
        selected=len(selection.files),
        candidates=len(selection.files) + len(selection.left_out),
        schedule=schedule.transfer if schedule else None,
        schedule_sessions=schedule.sessions if schedule else 0,
    )


def push_window(weeks: int | None, start: dt.date | None) -> Window | None:
    first = start or dt.date.today()
    if not weeks:
        return None
    try:
        return Window(first, first + dt.timedelta(weeks=weeks))
    except OverflowError:  # a window past the calendar's last day runs to it
        return Window(first, dt.date.max)


def _warn_over_cap(count: int, profile: DeviceProfile, weeks: int | None) -> None:
    cap = profile.scheduled_workouts
    if cap.value is None or count <= cap.value:
        return
    known = " (a guess)" if cap.guess else ""
    fewer = "fewer --weeks" if weeks else "--weeks to send the next few weeks"
    warn(f"{profile.called} keeps about {cap.value} workouts at once{known}; sending {count}: "
         f"use {fewer}")  # fmt: skip


def select_files(paths: Sequence[Path], *, window: Window | None) -> Selection:
    """The files to send: a folder's manifest entries (its other workout files left out, named),
    or the files given; with a window, only sessions due in it."""
    manifest = None
    if len(paths) == 1 and paths[0].is_dir():
        candidates, left_out = _from_folder(paths[0])
        manifest = read_manifest(paths[0])
    else:
        for path in paths:
            if path.is_dir():
                raise PacefitError(
                    "push takes one build folder, or workout files", location=Location(str(path))
                )
        candidates, left_out = list(paths), []
    entries = _manifest_entries({path.parent for path in candidates})
    if window is None:
        _require_present(candidates, manifest)
        return Selection(tuple(candidates), tuple(left_out), None, entries, manifest)
    chosen = []
    for path in candidates:
        entry = entries.get(path)
        if entry is None or entry.date is None:
            left_out.append(LeftOut(path, Reason.NO_DATE))
        elif entry.date in window:
            chosen.append(path)
        else:
            left_out.append(LeftOut(path, Reason.OUTSIDE, f"due {entry.date}"))
    _require_present(chosen, manifest)
    return Selection(tuple(chosen), tuple(left_out), window, entries, manifest)


def _from_folder(folder: Path) -> tuple[list[Path], list[LeftOut]]:
    # a watch takes FIT workouts; other formats go to other programs
    suffix = WORKOUT_WRITERS[DEFAULT_WORKOUT_FORMAT].suffix
    present = sorted(
        p
        for p in folder.iterdir()
        if p.suffix == suffix and p.is_file() and p.name != SCHEDULE_FILE
    )
    manifest = read_manifest(folder)
    if manifest is None:
        if not present:
            raise PacefitError(
                "no workout files here",
                location=Location(str(folder)),
                hint="build or compile into this folder first",
            )
        return present, []
    listed = [folder / entry.file for entry in manifest.entries]
    stale = [LeftOut(path, Reason.STALE) for path in present if path not in listed]
    return listed, stale


def _require_present(files: Sequence[Path], manifest: Manifest | None) -> None:
    """Each file to send is there (a file of the build outside `--weeks` may be gone)."""
    missing = [path for path in files if not path.is_file()]
    if missing and manifest is not None:
        raise PacefitError(
            f"the build's {MANIFEST_FILE} lists {missing[0].name}, which is not here",
            location=Location(str(missing[0].parent)),
            hint="build again",
        )


def require_fit(selection: Selection, folder: Path) -> None:
    """A watch takes FIT files: refuse a build of another format."""
    suffix = WORKOUT_WRITERS[DEFAULT_WORKOUT_FORMAT].suffix
    not_fit = [path for path in selection.files if path.suffix != suffix]
    if not_fit:
        raise PacefitError(
            f"the build is not of FIT workouts ({not_fit[0].name}); a watch takes FIT files",
            location=Location(str(folder)),
            hint="build again without --format, or push it to its program (--to intervals.icu "
            "takes a FIT or icu build)",
        )


@dataclass(frozen=True)
class Verified:
    """A file to send as it was checked: its workout and its checksum (read once, for the
    watch's comparison and the push log)."""

    workout: Workout
    sha256: str


def verify_files(selection: Selection) -> dict[Path, Verified]:
    """Each file is what its build made, and a workout, before anything is copied: a file
    edited or cut short since the build, or one that is not a workout (the build's own schedule
    caught by a glob), is refused and the watch is left as it was."""
    verified = {}
    for path in selection.files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            reason = f"cannot read the file: {exc.strerror or exc}"
            raise PacefitError(reason, location=Location(str(path))) from exc
        checksum = sha256(data)
        entry = selection.entries.get(path)
        if entry is not None and checksum != entry.sha256:
            raise PacefitError(
                f"the file is not the one the build made (its checksum is not the one in "
                f"{MANIFEST_FILE}): it was changed since",
                location=Location(str(path)),
                hint="build again",
            )
        # refuses what is not a workout, in one line
        verified[path] = Verified(_decoded(data, source=str(path)), checksum)
    return verified


def _manifest_entries(folders: set[Path]) -> dict[Path, ManifestEntry]:
    """Each file the folders' manifests list, with its entry (each manifest read once)."""
    entries: dict[Path, ManifestEntry] = {}
    for folder in folders:
        manifest = read_manifest(folder)
        if manifest is not None:
            entries.update({folder / entry.file: entry for entry in manifest.entries})
    return entries


def already_on_watch(files: Mapping[Path, Verified], destination: Destination) -> dict[Path, str]:
    """The files whose workout the watch has already taken in (found among its own workouts
    by what it says, under any name), with the watch's name for it: sending one again would
    put it on the watch twice."""
    on_watch = _watch_workouts(destination)
    found = {}
    for path, file in files.items():
        signature = workout_signature(file.workout)
        if signature in on_watch:
            found[path] = on_watch[signature]
    return found


def _watch_workouts(destination: Destination) -> dict[str, str]:
    """Each workout in the watch's workouts folder, by signature -> the watch's file name."""
    on_watch: dict[str, str] = {}
    for name, data in destination.workout_files():
        try:
            on_watch.setdefault(workout_signature(_decoded(data, source=name)), name)
        except PacefitError:
            continue  # not a workout pacefit can read: not one of ours
    return on_watch


@dataclass(frozen=True)
class _Schedule:
    transfer: Transfer
    data: bytes
    sessions: int


def _deliver_schedule(
    selection: Selection,
    transfers: Sequence[Transfer],
    destination: Destination,
    *,
    device: str,
    force: bool,
    dry_run: bool,
) -> _Schedule | None:
    """The schedule of the dated workouts now on the watch (or about to be), sent after them.
    A schedule an earlier push left in NewFiles is pacefit's to replace; another is not."""
    dated = [
        (due, t.source)
        for t in transfers
        if t.action in ON_THE_WATCH and (due := selection.due(t.source)) is not None
    ]
    if not dated:
        return None
    chosen = scheduled_sessions(dated, device=device, what="the schedule sent with them")
    data = schedule_data(chosen)
    existing = destination.read(SCHEDULE_FILE)
    ours = existing is not None and sha256(existing) in _logged_schedules(transfers)
    action = decide(data, existing, force=force or ours, dry_run=dry_run)
    if action in (Action.COPIED, Action.REPLACED):
        destination.write(SCHEDULE_FILE, data)
    folder = transfers[0].source.parent
    transfer = Transfer(folder / SCHEDULE_FILE, destination.where(SCHEDULE_FILE), action)
    return _Schedule(transfer, data, len(chosen))


def _logged_schedules(transfers: Sequence[Transfer]) -> set[str]:
    folders = {t.source.parent for t in transfers}
    return {
        record.sha256
        for folder in folders
        for record in read_push_log(folder)
        if record.kind == RecordKind.SCHEDULE
    }


def _log(
    transfers: Sequence[Transfer],
    destination: Destination,
    now: dt.datetime,
    *,
    verified: Mapping[Path, Verified],
    schedule: _Schedule | None,
) -> None:
    by_folder: dict[Path, list[PushRecord]] = {}
    for transfer in transfers:
        if transfer.action not in DELIVERED:
            continue
        file = verified[transfer.source]
        by_folder.setdefault(transfer.source.parent, []).append(
            PushRecord(
                file=transfer.source.name,
                sha256=file.sha256,
                workout=file.workout.name,
                signature=workout_signature(file.workout),
                pushed_at=now,
                destination=destination.description,
            )
        )
    if schedule is not None and schedule.transfer.action in DELIVERED:
        by_folder.setdefault(schedule.transfer.source.parent, []).append(
            PushRecord(
                file=SCHEDULE_FILE,
                sha256=sha256(schedule.data),
                workout=f"schedule of {schedule.sessions} sessions",
                signature=sha256(schedule.data),
                pushed_at=now,
                destination=destination.description,
                kind=RecordKind.SCHEDULE,
            )
        )
    for folder, records in by_folder.items():
        append_push_log(folder, records)


def _decoded(data: bytes, *, source: str) -> Workout:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PacefitWarning)  # fields another writer added
        return decode_workout(data, source=source)


def workout_signature(workout: Workout) -> str:
    """What a workout says (name, sport, steps), whatever file holds it: a watch may rename the
    file or write it again in its own way."""
    return hashlib.sha256(dump_workout(workout, exact_paces=True).encode()).hexdigest()


# -- the receipt ----------------------------------------------------------------------------------


class Receipt(Enum):
    WAITING = "waiting"  # still in NewFiles: the watch has not looked yet
    ACCEPTED = "accepted"  # gone from NewFiles, and among the watch's workouts
    NOT_TAKEN = "not taken"  # gone from NewFiles, and not among the watch's workouts
    TAKEN_IN = "taken in"  # a schedule gone from NewFiles (a watch keeps it where pacefit
    # cannot read it back)


@dataclass(frozen=True)
class SessionReceipt:
    record: PushRecord
    receipt: Receipt
    found_as: str | None  # the file on the watch that holds it


@dataclass(frozen=True)
class StatusResult:
    destination: str
    receipts: tuple[SessionReceipt, ...]


def last_destination_is_calendar(folder: Path) -> bool:
    """Whether the folder's last push went to a calendar rather than a watch."""
    log = read_push_log(folder)
    return bool(log) and log[-1].kind == RecordKind.EVENT


def push_status(folder: Path, *, to: Path | None) -> StatusResult:
    """What the watch did with each file pushed from `folder` (the latest push of each); the
    watch is the one named, else the one the last push went to."""
    records = [r for r in read_push_log(folder) if r.kind != RecordKind.EVENT]
    if not records:
        raise PacefitError(
            "nothing has been pushed from this folder to a watch",
            location=Location(str(folder)),
            hint="push it first: pacefit push FOLDER",
        )
    if to is None:
        last = records[-1].destination
        destination = destination_named(last)
        records = [r for r in records if r.destination == last]
    else:
        destination = find_destination(to)
    latest = {record.file: record for record in records}
    waiting = {name.lower() for name in destination.new_file_names()}
    on_watch = _watch_workouts(destination)
    receipts = []
    # the workouts by file name, then the schedule that points at them
    for record in sorted(latest.values(), key=lambda r: (r.kind == RecordKind.SCHEDULE, r.file)):
        if record.file.lower() in waiting:
            receipts.append(SessionReceipt(record, Receipt.WAITING, record.file))
        elif record.kind == RecordKind.SCHEDULE:
            receipts.append(SessionReceipt(record, Receipt.TAKEN_IN, None))
        elif record.signature in on_watch:
            receipts.append(SessionReceipt(record, Receipt.ACCEPTED, on_watch[record.signature]))
        else:
            receipts.append(SessionReceipt(record, Receipt.NOT_TAKEN, None))
    return StatusResult(destination.description, tuple(receipts))
