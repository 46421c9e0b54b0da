"""FIT workout files: `Workout` -> FIT bytes (fit-tool) and FIT -> `Workout` (fitparse).

Encodings follow Garmin's FIT profile for workout_step: distance in centimetres, time in
milliseconds, custom speed targets in mm/s, heart rate values above 100 meaning bpm + 100
(values up to 100 are % of max HR), power above 1000 meaning watts + 1000 (else % FTP), and a
repeat step holding the index of its first step and the repeat count.
"""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path
from typing import Any, assert_never

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import (
    FileType,
    Manufacturer,
    Sport,
    WorkoutStepDuration,
    WorkoutStepTarget,
)
from fit_tool.profile.profile_type import Intensity as FitIntensity

from pacefit.core.units import pace_s_per_km, speed_mps
from pacefit.core.workout import (
    MAX_WORKOUT_STEPS,
    CadenceRange,
    DistanceDuration,
    Duration,
    HeartRate,
    HeartRateDuration,
    HeartRateRange,
    HeartRateZone,
    Intensity,
    Node,
    OpenDuration,
    PaceTarget,
    PowerRange,
    PowerZone,
    Repeat,
    RepeatUntil,
    Step,
    Target,
    TimeDuration,
    Workout,
    message_count,
)
from pacefit.errors import FitFileError, Location, warn
from pacefit.formats import ReadOptions
from pacefit.formats.fit_decode import FILE_TYPES, check_framing, iter_messages, native_values

# Conservative text limits: FIT strings are NUL-terminated UTF-8, and Garmin watches show short
# names only. Longer text is shortened with a warning.
WORKOUT_NAME_MAX_BYTES = 31
STEP_NAME_MAX_BYTES = 31
NOTES_MAX_BYTES = 127

_INTENSITY_TO_FIT = {
    Intensity.WARMUP: FitIntensity.WARMUP,
    Intensity.ACTIVE: FitIntensity.ACTIVE,
    Intensity.REST: FitIntensity.REST,
    Intensity.RECOVERY: FitIntensity.RECOVERY,
    Intensity.COOLDOWN: FitIntensity.COOLDOWN,
}
_FIT_TO_INTENSITY = {fit.value: ours for ours, fit in _INTENSITY_TO_FIT.items()}
_HR_BPM_OFFSET = 100
_POWER_WATTS_OFFSET = 1000

# Raw enum values of the FIT profile, for reading.
_DURATION_TIME, _DURATION_DISTANCE, _DURATION_HR_BELOW, _DURATION_HR_ABOVE = 0, 1, 2, 3
_DURATION_OPEN, _REPEAT_STEPS = 5, 6
_REPEAT_HR_BELOW, _REPEAT_HR_ABOVE = 10, 11
_TARGET_SPEED, _TARGET_HR, _TARGET_OPEN, _TARGET_CADENCE, _TARGET_POWER = 0, 1, 2, 3, 4


def encode_workout(workout: Workout, *, time_created: dt.datetime | None = None) -> bytes:
    """The FIT bytes of a workout; anything shortened to fit a watch is a `PacefitWarning`.

    The same workout always gives the same bytes (serial number and time are derived from the
    content unless `time_created` is given), so rebuilding changes nothing.
    """
    steps_count = message_count(workout.steps)
    if steps_count > MAX_WORKOUT_STEPS:
        raise FitFileError(
            f"the workout '{workout.name}' has {steps_count} steps; watches accept at most "
            f"{MAX_WORKOUT_STEPS}",
            hint="split it into several workouts or use repeats",
            location=workout.origin,
        )
    header, messages = workout_messages(workout)
    fingerprint = zlib.crc32(repr((header.workout_name, workout.steps)).encode())

    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = fingerprint or 1
    created = time_created or dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
        seconds=fingerprint % (5 * 365 * 86400)
    )
    file_id.time_created = round(created.timestamp() * 1000)

    builder = FitFileBuilder(auto_define=True, min_string_size=0)
    builder.add(file_id)
    builder.add(header)
    builder.add_all(messages)
    return bytes(builder.build().to_bytes())


def workout_messages(workout: Workout) -> tuple[WorkoutMessage, list[WorkoutStepMessage]]:
    """The workout and workout_step messages (also embedded in simulated activities)."""
    header = WorkoutMessage()
    header.workout_name = _shorten(
        workout.name, WORKOUT_NAME_MAX_BYTES, "workout name", workout.origin
    )
    header.sport = Sport.RUNNING
    messages: list[WorkoutStepMessage] = []
    _encode_nodes(workout.steps, messages)
    header.num_valid_steps = len(messages)
    return header, messages


def _shorten(text: str, max_bytes: int, what: str, origin: Location | None) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    short = encoded[:max_bytes].decode("utf-8", errors="ignore").rstrip()
    warn(f"{what} '{text}' is too long for a watch; shortened to '{short}'", location=origin)
    return short


def _encode_nodes(nodes: tuple[Node, ...], out: list[WorkoutStepMessage]) -> None:
    for node in nodes:
        if isinstance(node, Step):
            out.append(_encode_step(node, len(out)))
            continue
        first_index = len(out)
        _encode_nodes(node.steps, out)
        message = WorkoutStepMessage()
        message.message_index = len(out)
        if node.name:
            message.workout_step_name = _shorten(
                node.name, STEP_NAME_MAX_BYTES, "repeat name", node.origin
            )
        message.duration_step = first_index
        match node:
            case Repeat(count=count):
                message.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
                message.target_repeat_steps = count
            case RepeatUntil(until=until):
                message.duration_type = (
                    WorkoutStepDuration.REPEAT_UNTIL_HR_GREATER_THAN
                    if until.above
                    else WorkoutStepDuration.REPEAT_UNTIL_HR_LESS_THAN
                )
                message.target_repeat_hr = _hr_raw(until.limit)
            case _:
                assert_never(node)
        out.append(message)


def _encode_step(step: Step, index: int) -> WorkoutStepMessage:
    message = WorkoutStepMessage()
    message.message_index = index
    if step.name:
        message.workout_step_name = _shorten(
            step.name, STEP_NAME_MAX_BYTES, f"step {index + 1} name", step.origin
        )
    if step.notes:
        message.notes = _shorten(
            step.notes, NOTES_MAX_BYTES, f"step {index + 1} notes", step.origin
        )
    message.intensity = _INTENSITY_TO_FIT[step.intensity]
    _encode_duration(step.duration, message)
    _encode_target(step.target, message)
    return message


def _encode_duration(duration: Duration, message: WorkoutStepMessage) -> None:
    match duration:
        case DistanceDuration(distance_m=distance_m):
            message.duration_type = WorkoutStepDuration.DISTANCE
            message.duration_distance = distance_m
        case TimeDuration(duration_s=duration_s):
            message.duration_type = WorkoutStepDuration.TIME
            message.duration_time = duration_s
        case HeartRateDuration(limit=limit, above=above):
            message.duration_type = (
                WorkoutStepDuration.HR_GREATER_THAN if above else WorkoutStepDuration.HR_LESS_THAN
            )
            message.duration_hr = _hr_raw(limit)
        case OpenDuration():
            message.duration_type = WorkoutStepDuration.OPEN
        case _:
            assert_never(duration)


def _encode_target(target: Target | None, message: WorkoutStepMessage) -> None:
    match target:
        case None:
            message.target_type = WorkoutStepTarget.OPEN
        case PaceTarget():
            message.target_type = WorkoutStepTarget.SPEED
            message.target_value = 0
            message.custom_target_speed_low = speed_mps(target.slow_s_per_km)
            message.custom_target_speed_high = speed_mps(target.fast_s_per_km)
        case HeartRateZone(zone=zone):
            message.target_type = WorkoutStepTarget.HEART_RATE
            message.target_hr_zone = zone
        case HeartRateRange(low=low, high=high):
            message.target_type = WorkoutStepTarget.HEART_RATE
            message.target_value = 0
            message.custom_target_heart_rate_low = _hr_raw(low)
            message.custom_target_heart_rate_high = _hr_raw(high)
        case CadenceRange(low_spm=low_spm, high_spm=high_spm):
            message.target_type = WorkoutStepTarget.CADENCE
            message.target_value = 0
            message.custom_target_cadence_low = low_spm
            message.custom_target_cadence_high = high_spm
        case PowerZone(zone=zone):
            message.target_type = WorkoutStepTarget.POWER
            message.target_power_zone = zone
        case PowerRange(low=low_power, high=high_power, percent_ftp=percent_ftp):
            offset = 0 if percent_ftp else _POWER_WATTS_OFFSET
            message.target_type = WorkoutStepTarget.POWER
            message.target_value = 0
            message.custom_target_power_low = low_power + offset
            message.custom_target_power_high = high_power + offset
        case _:
            assert_never(target)


def _hr_raw(heart_rate: HeartRate) -> int:
    return heart_rate.value if heart_rate.percent_of_max else heart_rate.value + _HR_BPM_OFFSET


# -- reading ----------------------------------------------------------------------------------


def read_workout(path: Path, *, options: ReadOptions | None = None) -> Workout:
    """A FIT workout file (ours or Garmin's) as a `Workout`, read in one pass."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FitFileError(
            f"cannot read the file: {exc.strerror or exc}", location=Location(source)
        ) from exc
    check_framing(data, ignore_crc=(options or ReadOptions()).ignore_crc, source=source)
    name = path.stem
    steps: list[dict[str, Any]] = []
    wanted = frozenset({"file_id", "workout", "workout_step"})
    for message in iter_messages(data, names=wanted, source=source):
        fields = native_values(message)
        if message.name == "file_id":
            kind = FILE_TYPES.get(fields.get("type", -1), "unknown")
            if kind != "workout":
                raise FitFileError(
                    f"this is a FIT {kind} file, not a workout", location=Location(source)
                )
        elif message.name == "workout":
            name = str(fields.get("wkt_name", name))
        else:
            steps.append(fields)
    if not steps:
        raise FitFileError("the workout has no steps", location=Location(source))
    return Workout(name=name, steps=steps_from_fields(steps, source=source))


def steps_from_fields(messages: list[dict[str, Any]], *, source: str) -> tuple[Node, ...]:
    """Rebuild the step tree from workout_step messages (native fields by name, raw values).

    Also used for the workout a watch embeds in an activity file.
    """
    built: list[tuple[int, Node]] = []  # (index of the node's first message, node)
    for index, fields in enumerate(messages):
        duration_type = _int(fields.get("duration_type"), default=_DURATION_OPEN)
        if duration_type in (_REPEAT_STEPS, _REPEAT_HR_BELOW, _REPEAT_HR_ABOVE):
            first = _int(fields.get("duration_value"), default=0)
            if not 0 <= first < index:
                raise FitFileError(
                    f"repeat step {index} points at step {first}, which is not before it",
                    location=Location(source),
                )
            children = tuple(node for start, node in built if start >= first)
            built = [(start, node) for start, node in built if start < first]
            built.append((first, _repeat_from_raw(fields, duration_type, children)))
        else:
            built.append((index, _step_from_raw(fields, duration_type, index, source)))
    return tuple(node for _, node in built)


def _int(value: object, *, default: int) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else default


def _repeat_from_raw(
    fields: dict[str, Any], duration_type: int, children: tuple[Node, ...]
) -> Repeat | RepeatUntil:
    name = str(fields.get("wkt_step_name", ""))
    target_value = _int(fields.get("target_value"), default=1)
    if duration_type == _REPEAT_STEPS:
        return Repeat(steps=children, count=target_value, name=name)
    until = HeartRateDuration(
        limit=_hr_value(target_value), above=duration_type == _REPEAT_HR_ABOVE
    )
    return RepeatUntil(steps=children, until=until, name=name)


def _step_from_raw(fields: dict[str, Any], duration_type: int, index: int, source: str) -> Step:
    intensity = _FIT_TO_INTENSITY.get(_int(fields.get("intensity"), default=0), Intensity.ACTIVE)
    return Step(
        intensity=intensity,
        duration=_duration_from_raw(duration_type, fields.get("duration_value"), index, source),
        target=_target_from_raw(fields, index, source),
        name=str(fields.get("wkt_step_name", "")),
        notes=str(fields.get("notes", "")),
    )


def _duration_from_raw(duration_type: int, value: object, index: int, source: str) -> Duration:
    amount = _int(value, default=0)
    if duration_type == _DURATION_TIME:
        return TimeDuration(amount / 1000)
    if duration_type == _DURATION_DISTANCE:
        return DistanceDuration(amount / 100)
    if duration_type in (_DURATION_HR_BELOW, _DURATION_HR_ABOVE):
        return HeartRateDuration(limit=_hr_value(amount), above=duration_type == _DURATION_HR_ABOVE)
    if duration_type == _DURATION_OPEN:
        return OpenDuration()
    raise FitFileError(
        f"step {index} ends by a rule pacefit cannot express (FIT duration type {duration_type})",
        location=Location(source),
    )


def _target_from_raw(fields: dict[str, Any], index: int, source: str) -> Target | None:
    target_type = _int(fields.get("target_type"), default=_TARGET_OPEN)
    zone = _int(fields.get("target_value"), default=0)
    low = _int(fields.get("custom_target_value_low"), default=0)
    high = _int(fields.get("custom_target_value_high"), default=0)
    if target_type == _TARGET_OPEN:
        return None
    if target_type == _TARGET_SPEED and zone == 0 and low > 0 and high > 0:
        slow, fast = sorted((low / 1000, high / 1000))
        return PaceTarget(fast_s_per_km=pace_s_per_km(fast), slow_s_per_km=pace_s_per_km(slow))
    if target_type == _TARGET_HR:
        if zone:
            return HeartRateZone(zone)
        return HeartRateRange(low=_hr_value(low), high=_hr_value(high))
    if target_type == _TARGET_CADENCE and zone == 0:
        return CadenceRange(low_spm=low, high_spm=high)
    if target_type == _TARGET_POWER:
        if zone:
            return PowerZone(zone)
        percent = high <= _POWER_WATTS_OFFSET
        offset = 0 if percent else _POWER_WATTS_OFFSET
        return PowerRange(low=low - offset, high=high - offset, percent_ftp=percent)
    raise FitFileError(
        f"step {index} has a target pacefit cannot express (FIT target type {target_type}, "
        f"value {zone})",
        location=Location(source),
    )


def _hr_value(raw: int) -> HeartRate:
    if raw > _HR_BPM_OFFSET:
        return HeartRate(raw - _HR_BPM_OFFSET)
    return HeartRate(raw, percent_of_max=True)
