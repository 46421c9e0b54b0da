"""What a build folder remembers: the manifest of the files the last build made, and the log of
what was pushed from it to a watch. Both are small JSON files beside the workout files, written
atomically; a runner never edits them.

pacefit-manifest.json   {"schema_version": 1, "name": ..., "race_date": ..., "level": ...,
                         "device": ..., "schedule": ...,
                         "files": [{"file", "sha256", "workout", "date", "session"}, ...]}
pacefit-pushes.json     {"schema_version": 1, "pushes": [{"file", "sha256", "workout",
                         "signature", "pushed_at", "destination", "kind",
                         "external_id", "event_id", "remote_digest", "date"}, ...]}

Keys added since the first version ("device", "schedule", "session", "kind" and the calendar's
keys) are optional when read, so older records still read.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pacefit.errors import Location, PacefitError
from pacefit.files import read_if_exists, write_atomic

MANIFEST_FILE = "pacefit-manifest.json"
PUSH_LOG_FILE = "pacefit-pushes.json"
SCHEMA_VERSION = 1
LOG_HINT = "move it aside: the next push starts a new log (push --status then knows only that)"


@dataclass(frozen=True)
class ManifestEntry:
    file: str  # its name in the build folder
    sha256: str
    workout: str  # the name the watch shows
    date: dt.date | None  # when the session is due (None outside a plan)
    session: str | None = None  # the plan's name for the session: `W01 Tue`


@dataclass(frozen=True)
class Manifest:
    name: str
    race_date: dt.date | None
    level: str
    entries: tuple[ManifestEntry, ...]
    device: str | None = None  # the device profile the workouts were fitted to
    schedule: str | None = None  # the FIT schedules file the build wrote, if any


class RecordKind:
    WORKOUT = "workout"  # a workout file on a watch
    SCHEDULE = "schedule"  # a FIT schedules file on a watch
    EVENT = "event"  # a planned workout on a calendar service (intervals.icu)


@dataclass(frozen=True)
class PushRecord:
    file: str
    sha256: str
    workout: str
    signature: str  # of the decoded workout, to find it on the watch under another name
    pushed_at: dt.datetime
    destination: str
    kind: str = RecordKind.WORKOUT
    # a calendar's event: the id pacefit gives it, the service's own id, and a digest of what
    # the service said it holds, to tell a plan's change from an edit made on the service
    external_id: str | None = None
    event_id: str | None = None
    remote_digest: str | None = None
    due: dt.date | None = None  # the event's day


def write_manifest(folder: Path, manifest: Manifest) -> bool:
    document = {
        "schema_version": SCHEMA_VERSION,
        "name": manifest.name,
        "race_date": manifest.race_date.isoformat() if manifest.race_date else None,
        "level": manifest.level,
        "device": manifest.device,
        "schedule": manifest.schedule,
        "files": [
            {
                "file": entry.file,
                "sha256": entry.sha256,
                "workout": entry.workout,
                "date": entry.date.isoformat() if entry.date else None,
                "session": entry.session,
            }
            for entry in manifest.entries
        ],
    }
    return write_atomic(folder / MANIFEST_FILE, _json_bytes(document))


def read_manifest(folder: Path) -> Manifest | None:
    """The folder's manifest, or None when no build wrote one there."""
    path = folder / MANIFEST_FILE
    document = _read_json(path)
    if document is None:
        return None
    try:
        return Manifest(
            name=str(document["name"]),
            race_date=_date(document["race_date"]),
            level=str(document["level"]),
            entries=tuple(
                ManifestEntry(
                    file=_file_name(entry["file"]),
                    sha256=str(entry["sha256"]),
                    workout=str(entry["workout"]),
                    date=_date(entry["date"]),
                    session=_text(entry.get("session")),
                )
                for entry in document["files"]
            ),
            device=_text(document.get("device")),
            schedule=_text(document.get("schedule")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _damaged(path, exc, hint="build again to rewrite it") from exc


def _file_name(value: object) -> str:
    """A file of the build's own folder: a name, never a path to elsewhere."""
    name = str(value)
    if not name or Path(name).name != name or name in (".", ".."):
        raise ValueError(f"'{name}' is not a file of this folder")
    return name


def read_push_log(folder: Path) -> list[PushRecord]:
    path = folder / PUSH_LOG_FILE
    document = _read_json(path)
    if document is None:
        return []
    try:
        return [
            PushRecord(
                file=str(record["file"]),
                sha256=str(record["sha256"]),
                workout=str(record["workout"]),
                signature=str(record["signature"]),
                pushed_at=dt.datetime.fromisoformat(str(record["pushed_at"])),
                destination=str(record["destination"]),
                kind=str(record.get("kind", RecordKind.WORKOUT)),
                external_id=_text(record.get("external_id")),
                event_id=_text(record.get("event_id")),
                remote_digest=_text(record.get("remote_digest")),
                due=_date(record.get("date")),
            )
            for record in document["pushes"]
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise _damaged(path, exc, hint=LOG_HINT) from exc


def append_push_log(folder: Path, records: list[PushRecord]) -> None:
    """Add records to the folder's push log; a file pushed again with the same bytes to the
    same place (and, on a calendar, found there as it was) keeps its first record."""
    log = read_push_log(folder)
    known = {_identity(r) for r in log}
    log += [r for r in records if _identity(r) not in known]
    write_atomic(folder / PUSH_LOG_FILE, _json_bytes(_log_document(log)))


def _identity(record: PushRecord) -> tuple[str | None, ...]:
    return (record.file, record.sha256, record.destination, record.remote_digest)


def _log_document(log: list[PushRecord]) -> dict[str, Any]:
    pushes = []
    for r in log:
        entry: dict[str, Any] = {
            "file": r.file,
            "sha256": r.sha256,
            "workout": r.workout,
            "signature": r.signature,
            "pushed_at": r.pushed_at.isoformat(timespec="seconds"),
            "destination": r.destination,
        }
        if r.kind != RecordKind.WORKOUT:
            entry["kind"] = r.kind
        if r.kind == RecordKind.EVENT:
            entry |= {
                "external_id": r.external_id,
                "event_id": r.event_id,
                "remote_digest": r.remote_digest,
                "date": r.due.isoformat() if r.due else None,
            }
        pushes.append(entry)
    return {"schema_version": SCHEMA_VERSION, "pushes": pushes}


def _json_bytes(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def _read_json(path: Path) -> dict[str, Any] | None:
    data = read_if_exists(path)
    if data is None:
        return None
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _damaged(path, exc, hint=_hint(path)) from exc
    if not isinstance(document, dict) or document.get("schema_version") != SCHEMA_VERSION:
        raise _damaged(path, ValueError("unknown schema version"), hint=_hint(path))
    return document


def _hint(path: Path) -> str:
    return LOG_HINT if path.name == PUSH_LOG_FILE else "build again to rewrite it"


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _date(value: object) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


def _damaged(path: Path, exc: Exception, *, hint: str) -> PacefitError:
    return PacefitError(
        f"pacefit's record is damaged ({exc})", location=Location(str(path)), hint=hint
    )
