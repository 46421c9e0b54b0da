"""The `push` job: a build's workout files onto the watch, each one verified, and the receipt:
what the watch has done with them since.

A build folder's manifest says which files the last build made and when each session is due, so
`push` sends exactly those (never an older plan's leftovers) or only the next weeks of them; each
push is logged in the folder for `push --status`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pacefit.core.devices import DeviceProfile, device_profile
from pacefit.core.workout import Workout
from pacefit.delivery import Action, Destination, Transfer, deliver, find_destination
from pacefit.errors import Location, PacefitError, PacefitWarning, warn
from pacefit.files import sha256
from pacefit.formats import DEFAULT_WORKOUT_FORMAT, WORKOUT_WRITERS
from pacefit.formats.build_records import (
    MANIFEST_FILE,
    PushRecord,
    append_push_log,
    read_manifest,
    read_push_log,
)
from pacefit.formats.fit_workout import decode_workout
from pacefit.formats.workout_yaml import dump_workout

DELIVERED = (Action.COPIED, Action.REPLACED, Action.IDENTICAL)


@dataclass(frozen=True)
class Window:
    """Sessions due from `first` up to, not including, `end`."""

    first: dt.date
    end: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.first <= day < self.end


@dataclass(frozen=True)
class Selection:
    files: tuple[Path, ...]
    left_out: tuple[tuple[Path, str], ...]  # each file not sent, and why
    window: Window | None


@dataclass(frozen=True)
class PushResult:
    destination: str
    transfers: tuple[Transfer, ...]
    dry_run: bool
    left_out: tuple[tuple[Path, str], ...] = ()
    window: Window | None = None

    @property
    def refused(self) -> tuple[Transfer, ...]:
        return tuple(t for t in self.transfers if t.action is Action.REFUSED)


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
    watch's NewFiles folder; with `weeks`, only the sessions due in the next `weeks` weeks from
    `start` (today). With `device`, a warning when it keeps fewer workouts than are sent."""
    first = start or dt.date.today()
    window = Window(first, first + dt.timedelta(weeks=weeks)) if weeks else None
    selection = select_files(paths, window=window)
    if device is not None:
        _warn_over_cap(len(selection.files), device_profile(device), weeks)
    destination = find_destination(to)
    transfers = deliver(selection.files, destination, force=force, dry_run=dry_run)
    if not dry_run:
        _log(transfers, destination, now or dt.datetime.now(dt.UTC))
    return PushResult(
        destination.description, tuple(transfers), dry_run, selection.left_out, window
    )


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
    if len(paths) == 1 and paths[0].is_dir():
        candidates, left_out = _from_folder(paths[0])
    else:
        for path in paths:
            if path.is_dir():
                raise PacefitError(
                    "push takes one build folder, or workout files", location=Location(str(path))
                )
        candidates, left_out = list(paths), []
    if window is None:
        return Selection(tuple(candidates), tuple(left_out), None)
    due_dates = _due_dates({path.parent for path in candidates})
    chosen = []
    for path in candidates:
        due = due_dates.get(path)
        if due is None:
            left_out.append((path, "has no date: --weeks needs a plan built with pacefit build"))
        elif due in window:
            chosen.append(path)
        else:
            left_out.append((path, f"due {due}, outside {window.first} to {window.end}"))
    return Selection(tuple(chosen), tuple(left_out), window)


def _from_folder(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    # a watch takes FIT workouts; other formats go to other programs
    suffix = WORKOUT_WRITERS[DEFAULT_WORKOUT_FORMAT].suffix
    present = sorted(p for p in folder.iterdir() if p.suffix == suffix and p.is_file())
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
    not_fit = [path for path in listed if path.suffix != suffix]
    if not_fit:
        raise PacefitError(
            f"the build is not of FIT workouts ({not_fit[0].name}); a watch takes FIT files",
            location=Location(str(folder)),
            hint="build again without --format, or load these files into their program",
        )
    missing = [path for path in listed if not path.is_file()]
    if missing:
        raise PacefitError(
            f"the build's {MANIFEST_FILE} lists {missing[0].name}, which is not here",
            location=Location(str(folder)),
            hint="build again",
        )
    stale = [(path, "not made by the last build (an older plan?)") for path in present
             if path not in listed]  # fmt: skip
    return listed, stale


def _due_dates(folders: set[Path]) -> dict[Path, dt.date | None]:
    """When each file the folders' manifests list is due (each manifest read once)."""
    dates: dict[Path, dt.date | None] = {}
    for folder in folders:
        manifest = read_manifest(folder)
        if manifest is not None:
            dates.update({folder / entry.file: entry.date for entry in manifest.entries})
    return dates


def _log(transfers: list[Transfer], destination: Destination, now: dt.datetime) -> None:
    by_folder: dict[Path, list[PushRecord]] = {}
    for transfer in transfers:
        if transfer.action not in DELIVERED:
            continue
        data = transfer.source.read_bytes()
        workout = _decoded(data, source=str(transfer.source))
        by_folder.setdefault(transfer.source.parent, []).append(
            PushRecord(
                file=transfer.source.name,
                sha256=sha256(data),
                workout=workout.name,
                signature=workout_signature(workout),
                pushed_at=now,
                destination=destination.description,
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


@dataclass(frozen=True)
class SessionReceipt:
    record: PushRecord
    receipt: Receipt
    found_as: str | None  # the file on the watch that holds it


@dataclass(frozen=True)
class StatusResult:
    destination: str
    receipts: tuple[SessionReceipt, ...]


def push_status(folder: Path, *, to: Path | None) -> StatusResult:
    """What the watch did with each file pushed from `folder` (the latest push of each)."""
    latest: dict[str, PushRecord] = {}
    for record in read_push_log(folder):
        latest[record.file] = record
    if not latest:
        raise PacefitError(
            "nothing has been pushed from this folder",
            location=Location(str(folder)),
            hint="push it first: pacefit push FOLDER",
        )
    destination = find_destination(to)
    waiting = {name.lower() for name in destination.new_file_names()}
    on_watch: dict[str, str] = {}  # signature -> file name
    for name, data in destination.workout_files():
        try:
            on_watch.setdefault(workout_signature(_decoded(data, source=name)), name)
        except PacefitError:
            continue  # not a workout pacefit can read: not one of ours
    receipts = []
    for record in sorted(latest.values(), key=lambda r: r.file):
        if record.file.lower() in waiting:
            receipts.append(SessionReceipt(record, Receipt.WAITING, record.file))
        elif record.signature in on_watch:
            receipts.append(SessionReceipt(record, Receipt.ACCEPTED, on_watch[record.signature]))
        else:
            receipts.append(SessionReceipt(record, Receipt.NOT_TAKEN, None))
    return StatusResult(destination.description, tuple(receipts))
