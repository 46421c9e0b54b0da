"""FIT schedules files: which workout is due on which day, for a watch's calendar.

The FIT profile's file type 7 (`schedules`) holds `schedule` messages (message 28). Each names
a workout file by that file's identity, the four `file_id` fields a device uses to tell files
apart (manufacturer, product, serial number, time created: "corresponds to file_id of scheduled
workout / course", the profile says), gives the `type` (0 = workout), `completed` (false) and the
`scheduled_time`, a `local_date_time`: seconds since the FIT epoch in the athlete's local time,
here the day's midnight. jpickup/GarminTools writes the same messages, one file beside its
workout files, for watches to take from `GARMIN/NewFiles`. pacefit's file is `pacefit-schedule
.fit`; as for the workouts, the same content gives the same bytes.

Whether a watch puts the workouts on its calendar from this file has not been checked on a
watch here (the README's on-watch checklist).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.schedule_message import ScheduleMessage
from fit_tool.profile.profile_type import FileType, Manufacturer, Schedule

from pacefit.errors import FitFileError, Location
from pacefit.formats.fit_decode import (
    FILE_TYPES,
    check_framing,
    iter_messages,
    native_values,
)
from pacefit.formats.fit_workout import file_creator_message, with_header_crc

SCHEDULE_FILE = "pacefit-schedule.fit"
FIT_EPOCH = dt.datetime(1989, 12, 31)  # FIT times count seconds from here (UTC, or local)
_UNIX_TO_FIT_S = 631_065_600  # seconds from 1970-01-01 to the FIT epoch


@dataclass(frozen=True)
class FitIdentity:
    """What identifies a FIT file on a device: its `file_id` fields."""

    manufacturer: int
    product: int
    serial_number: int
    time_created_s: int  # FIT seconds (since 1989-12-31 UTC)


@dataclass(frozen=True)
class ScheduledWorkout:
    workout: FitIdentity
    day: dt.date


def workout_identity(data: bytes, *, source: str) -> FitIdentity:
    """The identity of a FIT workout file, as its own `file_id` gives it."""
    check_framing(data, ignore_crc=False, source=source)
    for message in iter_messages(data, names=frozenset({"file_id"}), source=source):
        fields = native_values(message)
        kind = FILE_TYPES.get(fields.get("type", -1), "unknown")
        if kind != "workout":
            raise FitFileError(
                f"this is a FIT {kind} file, not a workout", location=Location(source)
            )
        try:
            return FitIdentity(
                manufacturer=int(fields["manufacturer"]),
                product=int(fields.get("product", 0)),
                serial_number=int(fields["serial_number"]),
                time_created_s=int(fields["time_created"]),
            )
        except KeyError as exc:
            raise FitFileError(
                f"the workout's file_id has no {exc.args[0]}: a watch could not tell it apart",
                location=Location(source),
            ) from exc
    raise FitFileError("the file has no file_id", location=Location(source))


def encode_schedule(entries: Sequence[ScheduledWorkout]) -> bytes:
    """A schedules file with one `schedule` message per entry, in date order."""
    ordered = sorted(entries, key=lambda e: (e.day, e.workout.serial_number))
    fingerprint = zlib.crc32(repr(ordered).encode())
    builder = FitFileBuilder(auto_define=True, min_string_size=0)
    builder.add(_file_id(fingerprint))
    builder.add(file_creator_message())
    for entry in ordered:
        builder.add(_schedule_message(entry))
    return with_header_crc(builder)


def _file_id(fingerprint: int) -> FileIdMessage:
    file_id = FileIdMessage()
    file_id.type = FileType.SCHEDULES
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = fingerprint or 1
    # a time derived from the content, as for the workouts: rebuilding writes the same bytes
    created = dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
        seconds=fingerprint % (5 * 365 * 86400)
    )
    file_id.time_created = round(created.timestamp() * 1000)
    return file_id


def _schedule_message(entry: ScheduledWorkout) -> ScheduleMessage:
    message = ScheduleMessage()
    message.manufacturer = entry.workout.manufacturer
    message.product = entry.workout.product
    message.serial_number = entry.workout.serial_number
    # fit-tool takes date_time fields in Unix milliseconds and writes FIT seconds
    message.time_created = (entry.workout.time_created_s + _UNIX_TO_FIT_S) * 1000
    message.completed = False
    message.type = Schedule.WORKOUT
    midnight = dt.datetime.combine(entry.day, dt.time())
    message.scheduled_time = round((midnight - FIT_EPOCH).total_seconds())
    return message
