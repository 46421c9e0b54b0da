"""FIT workout files: `Workout` -> FIT bytes (fit-tool) and FIT -> `Workout` (fitparse).

Written the way Garmin's own workout files are; each choice and the evidence for it sits beside
the code that makes it, and `tests/test_fit_workout.py` holds each one at the byte level.

Read without inventing anything: developer fields never take a native field's place (a Stages
Link file numbers its own fields 0-18, like the native ones); every target kind of the FIT
profile is either expressed in the workout language or refused for its step, with the file and
step named; what else the file holds that the language cannot say (exercise fields, developer
fields) is named in a warning.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, assert_never

from fit_tool.fit_file import FitFile
from fit_tool.fit_file_builder import FitFileBuilder, calc_crc, calc_records_size
from fit_tool.fit_file_header import FitFileHeader
from fit_tool.profile.messages.file_creator_message import FileCreatorMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import FileType, Manufacturer

from pacefit import __version__
from pacefit.core.devices import shorten_utf8
from pacefit.core.sports import SPORT_NAMES, SPORTS, SUB_SPORT_NAMES, SUB_SPORTS
from pacefit.core.units import pace_s_per_km, speed_mps
from pacefit.core.workout import (
    MAX_WORKOUT_STEPS,
    STEP_SPORTS,
    Averaging,
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
    fit_layout,
    fold_between,
    message_count,
)
from pacefit.errors import FitFileError, Location, warn
from pacefit.formats import ExportContext, ReadOptions
from pacefit.formats.fit_decode import (
    FILE_TYPES,
    check_framing,
    developer_field_names,
    iter_messages,
    native_values,
)

# Name lengths, in UTF-8 bytes before the terminating NUL. Garmin Connect's workout files give
# wkt_name a 32-byte field (a dump on Garmin's developer forum, thread 323237); Garmin's own
# structures hold step names in 16 bytes, and TCX, the format watches shared before FIT, allows
# 15 characters. Longer step names are cut, with the whole name kept in the step's notes.
WORKOUT_NAME_MAX_BYTES = 31
STEP_NAME_MAX_BYTES = 15
NOTES_MAX_BYTES = 127
# The workout message's capabilities: Garmin Connect's and Edge's workout files carry 0x20
# ("tcx" in the profile's workout_capabilities), the same forum dump shows it. Nothing pacefit
# writes needs more.
CAPABILITIES = 0x20
# Recovery steps keep FIT's intensity 4 ("recovery", in the profile since 2015 and what Garmin
# Connect writes for its Recover step type); rest steps are 1. Watches older than the recovery
# intensity are said to show it as active; which ones is not known here, so nothing is guessed.
_INTENSITY_TO_FIT = {
    Intensity.ACTIVE: 0,
    Intensity.REST: 1,
    Intensity.WARMUP: 2,
    Intensity.COOLDOWN: 3,
    Intensity.RECOVERY: 4,
}
_FIT_TO_INTENSITY = {number: ours for ours, number in _INTENSITY_TO_FIT.items()}
_FIT_INTERVAL = 5  # "interval": a hard step, as some tools write it
_HR_BPM_OFFSET = 100  # heart rate values above 100 are bpm + 100; up to 100 are % of max
_POWER_WATTS_OFFSET = 1000  # power values above 1000 are watts + 1000; up to 1000 are % FTP
# FIT counts running and walking cadence in strides (one foot); the workout language, like a
# runner, counts steps (both feet). Cycling cadence is revolutions per minute either way.
_STEPS_PER_STRIDE = 2

# Raw enum values of the FIT profile: duration types, then target types.
_TIME, _DISTANCE, _HR_BELOW, _HR_ABOVE, _OPEN = 0, 1, 2, 3, 5
_REPEAT_STEPS, _REPEAT_HR_BELOW, _REPEAT_HR_ABOVE = 6, 10, 11
_SPEED, _HEART_RATE, _TARGET_OPEN, _CADENCE, _POWER = 0, 1, 2, 3, 4
_SPEED_LAP, _HEART_RATE_LAP = 12, 13
# workout_step field numbers written raw
_DURATION_VALUE, _TARGET_VALUE, _CUSTOM_LOW, _CUSTOM_HIGH = 2, 4, 5, 6
_SECONDARY_VALUE, _SECONDARY_LOW, _SECONDARY_HIGH = 20, 21, 22
_POWER_AVERAGED = {4: Averaging.INSTANT, 7: Averaging.S3, 8: Averaging.S10, 9: Averaging.S30,
                   10: Averaging.LAP}  # fmt: skip
_AVERAGED_POWER = {averaging: number for number, averaging in _POWER_AVERAGED.items()}
_CANNOT_EXPRESS = {5: "grade", 6: "resistance", 11: "swim stroke"}
_DURATION_NAMES = {4: "calories", 7: "repeat until a time", 8: "repeat until a distance",
                   9: "repeat until calories", 12: "repeat until power", 13: "repeat until power",
                   14: "power", 15: "power", 16: "training stress", 28: "repetition time",
                   29: "repetitions", 31: "time only"}  # fmt: skip
# Fields pacefit reads; others a workout step may hold are named in a warning.
_STEP_FIELDS_READ = frozenset(
    {
        "message_index", "wkt_step_name", "duration_type", "duration_value", "target_type",
        "target_value", "custom_target_value_low", "custom_target_value_high", "intensity",
        "notes", "secondary_target_type", "secondary_target_value",
        "secondary_custom_target_value_low", "secondary_custom_target_value_high",
    }
)  # fmt: skip


# -- writing ----------------------------------------------------------------------------------


def write_fit(workout: Workout, context: ExportContext) -> bytes:
    """The FIT writer as the format table calls it: FIT paces are absolute, so the context is
    not needed."""
    del context
    return encode_workout(workout)


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
    # of the messages as written, not of the workout in memory: a workout read back from its
    # file (`decompile --exact`) has paces a float's last digits away, and the same file
    fingerprint = zlib.crc32(b"".join(message.to_bytes() for message in (header, *messages)))
    created = time_created or dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
        seconds=fingerprint % (5 * 365 * 86400)
    )
    builder = FitFileBuilder(auto_define=True, min_string_size=0)
    builder.add(_file_id(fingerprint, created))
    builder.add(file_creator_message())
    builder.add(header)
    builder.add_all(messages)
    return with_header_crc(builder)


def _file_id(fingerprint: int, created: dt.datetime) -> FileIdMessage:
    # Type, manufacturer, product and serial number identify a workout on the watch, so the
    # serial number is a fingerprint of the content (the FIT file-types article).
    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = fingerprint or 1
    file_id.time_created = round(created.timestamp() * 1000)
    return file_id


def file_creator_message() -> FileCreatorMessage:
    # Garmin's devices and the SDK's encoders name the software that wrote the file.
    creator = FileCreatorMessage()
    major, minor = (int(part) for part in __version__.split(".")[:2])
    creator.software_version = major * 100 + minor
    return creator


def with_header_crc(builder: FitFileBuilder) -> bytes:
    """The file with a 14-byte header carrying its own CRC, as Garmin's files and the SDK's
    encoders write it (fit-tool's builder writes the 12-byte legacy header)."""
    records = builder.records
    header = FitFileHeader(records_size=calc_records_size(records), gen_crc=True)
    return bytes(FitFile(header, records, calc_crc(header, records)).to_bytes())


def workout_messages(workout: Workout) -> tuple[WorkoutMessage, list[WorkoutStepMessage]]:
    """The workout and workout_step messages (also embedded in simulated activities)."""
    header = WorkoutMessage()
    header.workout_name = _shorten(
        workout.name, WORKOUT_NAME_MAX_BYTES, "workout name", workout.origin
    )
    header.sport = _number(SPORTS, workout.sport, "sport", workout.origin)
    header.sub_sport = _number(SUB_SPORTS, workout.sub_sport, "sub-sport", workout.origin)
    header.capabilities = CAPABILITIES
    if workout.description:
        header.workout_description = workout.description
    messages: list[WorkoutStepMessage] = []
    _encode_nodes(fit_layout(workout.steps), messages, workout.sport)
    header.num_valid_steps = len(messages)
    return header, messages


def _number(table: dict[str, int], name: str, what: str, origin: Location | None) -> int:
    if name not in table:
        raise FitFileError(f"FIT has no {what} '{name}'", location=origin)
    return table[name]


def _shorten(
    text: str, max_bytes: int, what: str, origin: Location | None, *, kept: str = ""
) -> str:
    short = shorten_utf8(text, max_bytes)
    if short == text:
        return text
    warn(f"{what} '{text}' is too long for a watch; shortened to '{short}'{kept}", location=origin)
    return short


def _encode_nodes(nodes: tuple[Node, ...], out: list[WorkoutStepMessage], sport: str) -> None:
    for node in nodes:
        if isinstance(node, Step):
            out.append(_encode_step(node, len(out), sport))
            continue
        first_index = len(out)
        _encode_nodes(node.steps, out, sport)
        message = WorkoutStepMessage()
        message.message_index = len(out)
        if node.name:
            message.workout_step_name = _shorten(
                node.name, STEP_NAME_MAX_BYTES, "repeat name", node.origin
            )
        # As in Garmin's sample workouts: a repeat step is active, its target type says what
        # ends it (open for a count, heart rate for a heart-rate limit).
        message.intensity = _INTENSITY_TO_FIT[Intensity.ACTIVE]
        match node:
            case Repeat(count=count):
                assert not node.between, "fit_layout writes steps between out in full"
                message.duration_type = _REPEAT_STEPS
                message.target_type = _TARGET_OPEN
                _raw(message, _TARGET_VALUE, count)
            case RepeatUntil(until=until):
                message.duration_type = _REPEAT_HR_ABOVE if until.above else _REPEAT_HR_BELOW
                message.target_type = _HEART_RATE
                _raw(message, _TARGET_VALUE, _hr_raw(until.limit))
            case _:
                assert_never(node)
        _raw(message, _DURATION_VALUE, first_index)
        out.append(message)


def _encode_step(step: Step, index: int, sport: str) -> WorkoutStepMessage:
    message = WorkoutStepMessage()
    message.message_index = index
    notes = step.notes
    if step.name:
        short = _shorten(
            step.name,
            STEP_NAME_MAX_BYTES,
            f"step {index + 1} name",
            step.origin,
            kept=" (the whole name starts its notes)",
        )
        message.workout_step_name = short
        if short != step.name:  # the whole name goes where the watch shows longer text
            notes = f"{step.name}. {notes}" if notes else step.name
    if notes:
        message.notes = _shorten(notes, NOTES_MAX_BYTES, f"step {index + 1} notes", step.origin)
    message.intensity = _INTENSITY_TO_FIT[step.intensity]
    _encode_duration(step.duration, message)
    target_type, value, low, high = _encode_target(step.target, sport, step)
    message.target_type = target_type
    if value is not None:
        _raw(message, _TARGET_VALUE, value)
    if low is not None and high is not None:
        _raw(message, _CUSTOM_LOW, low)
        _raw(message, _CUSTOM_HIGH, high)
    if step.secondary_target is not None:
        target_type, value, low, high = _encode_target(step.secondary_target, sport, step)
        message.secondary_target_type = target_type
        if value is not None:
            _raw(message, _SECONDARY_VALUE, value)
        if low is not None and high is not None:
            _raw(message, _SECONDARY_LOW, low)
            _raw(message, _SECONDARY_HIGH, high)
    return message


def _raw(message: WorkoutStepMessage, field_number: int, value: int) -> None:
    """Set a field's raw value. fit-tool's named setters scale through whichever sub-field the
    step's type selects (milliseconds read as seconds, and so on); FIT's raw units are meant."""
    message.get_field(field_number).set_value(0, value, None)


def _encode_duration(duration: Duration, message: WorkoutStepMessage) -> None:
    match duration:
        case DistanceDuration(distance_m=distance_m):
            message.duration_type = _DISTANCE
            _raw(message, _DURATION_VALUE, round(distance_m * 100))  # centimetres
        case TimeDuration(duration_s=duration_s):
            message.duration_type = _TIME
            _raw(message, _DURATION_VALUE, round(duration_s * 1000))  # milliseconds
        case HeartRateDuration(limit=limit, above=above):
            message.duration_type = _HR_ABOVE if above else _HR_BELOW
            _raw(message, _DURATION_VALUE, _hr_raw(limit))
        case OpenDuration():
            message.duration_type = _OPEN
        case _:
            assert_never(duration)


def _encode_target(
    target: Target | None, sport: str, step: Step
) -> tuple[int, int | None, int | None, int | None]:
    """(target type, target value, custom low, custom high), raw as FIT stores them."""
    match target:
        case None:
            return _TARGET_OPEN, None, None, None
        case PaceTarget(lap=lap):
            # custom speed in mm/s: low is the slow edge of the band, high the fast one
            low = round(speed_mps(target.slow_s_per_km) * 1000)
            high = round(speed_mps(target.fast_s_per_km) * 1000)
            return (_SPEED_LAP if lap else _SPEED), 0, low, high
        case HeartRateZone(zone=zone, lap=lap):
            return (_HEART_RATE_LAP if lap else _HEART_RATE), zone, None, None
        case HeartRateRange(low=low_hr, high=high_hr, lap=lap):
            kind = _HEART_RATE_LAP if lap else _HEART_RATE
            return kind, 0, _hr_raw(low_hr), _hr_raw(high_hr)
        case CadenceRange(low=low_cadence, high=high_cadence):
            if sport not in STEP_SPORTS:
                return _CADENCE, 0, low_cadence, high_cadence
            if low_cadence % 2 or high_cadence % 2:
                warn(
                    f"cadence {low_cadence}-{high_cadence} steps per minute: FIT stores strides "
                    "(pairs of steps), so the watch will show "
                    f"{_STEPS_PER_STRIDE * math.floor(low_cadence / 2)}-"
                    f"{_STEPS_PER_STRIDE * math.ceil(high_cadence / 2)}",
                    location=step.origin,
                )
            return _CADENCE, 0, low_cadence // 2, math.ceil(high_cadence / 2)
        case PowerZone(zone=zone, averaging=averaging):
            return _AVERAGED_POWER[averaging], zone, None, None
        case PowerRange(low=low_power, high=high_power, percent_ftp=percent_ftp):
            offset = 0 if percent_ftp else _POWER_WATTS_OFFSET
            kind = _AVERAGED_POWER[target.averaging]
            return kind, 0, low_power + offset, high_power + offset
        case _:
            assert_never(target)


def _hr_raw(heart_rate: HeartRate) -> int:
    return heart_rate.value if heart_rate.percent_of_max else heart_rate.value + _HR_BPM_OFFSET


# -- reading ----------------------------------------------------------------------------------


def read_workout(path: Path, *, options: ReadOptions | None = None) -> Workout:
    """A FIT workout file (ours, Garmin's, or another tool's) as a `Workout`, read in one pass."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FitFileError(
            f"cannot read the file: {exc.strerror or exc}", location=Location(source)
        ) from exc
    return decode_workout(data, source=source, options=options)


def decode_workout(data: bytes, *, source: str, options: ReadOptions | None = None) -> Workout:
    """The workout in FIT bytes (from a file, or from a watch); `source` names it in messages."""
    check_framing(data, ignore_crc=(options or ReadOptions()).ignore_crc, source=source)
    workout: dict[str, Any] = {}
    steps: list[dict[str, Any]] = []
    developer: set[str] = set()
    wanted = frozenset({"file_id", "workout", "workout_step"})
    for message in iter_messages(data, names=wanted, source=source):
        fields = native_values(message)
        developer.update(developer_field_names(message))
        if message.name == "file_id":
            kind = FILE_TYPES.get(fields.get("type", -1), "unknown")
            if kind != "workout":
                raise FitFileError(
                    f"this is a FIT {kind} file, not a workout", location=Location(source)
                )
        elif message.name == "workout":
            workout = fields
        else:
            steps.append(fields)
    if not steps:
        raise FitFileError("the workout has no steps", location=Location(source))
    _warn_left_out(steps, developer, source)
    sport = SPORT_NAMES.get(workout.get("sport", 1), "generic")
    return Workout(
        name=str(workout.get("wkt_name", Path(source).stem)),
        steps=steps_from_fields(steps, source=source, sport=sport),
        sport=sport,
        sub_sport=SUB_SPORT_NAMES.get(workout.get("sub_sport", 0), "generic"),
        description=str(workout.get("wkt_description", "")),
    )


def _warn_left_out(steps: list[dict[str, Any]], developer: set[str], source: str) -> None:
    """Name what the file holds that the workout language cannot say."""
    unread = sorted({name for fields in steps for name in fields} - _STEP_FIELDS_READ)
    if unread:
        warn(f"workout step fields left out: {', '.join(unread)}", location=Location(source))
    if developer:
        warn(
            "developer fields left out (the maker's own, not FIT's): "
            + ", ".join(sorted(developer)),
            location=Location(source),
        )


def steps_from_fields(
    messages: Sequence[dict[str, Any]], *, source: str, sport: str = "running"
) -> tuple[Node, ...]:
    """Rebuild the step tree from workout_step messages (native fields by name, raw values).

    Also used for the workout a watch embeds in an activity file.
    """
    built: list[tuple[int, Node]] = []  # (index of the node's first message, node)
    for index, fields in enumerate(messages):
        duration_type = _int(fields.get("duration_type"), default=_OPEN)
        if duration_type in (_REPEAT_STEPS, _REPEAT_HR_BELOW, _REPEAT_HR_ABOVE):
            first = _int(fields.get("duration_value"), default=0)
            if not 0 <= first < index:
                raise FitFileError(
                    f"repeat step {index + 1} points at step {first + 1}, which is not before it",
                    location=Location(source),
                )
            children = tuple(node for start, node in built if start >= first)
            built = [(start, node) for start, node in built if start < first]
            built.append((first, _repeat_from_fields(fields, duration_type, children)))
        else:
            step = _step_from_fields(fields, duration_type, _Where(source, index), sport)
            built.append((index, step))
    return fold_between(tuple(node for _, node in built))


class _Where:
    """A step of a file, for messages: `file.fit: step 3 ...`."""

    def __init__(self, source: str, index: int) -> None:
        self.location = Location(source)
        self.step = index + 1


def _int(value: object, *, default: int) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else default


def _repeat_from_fields(
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


def _step_from_fields(
    fields: dict[str, Any], duration_type: int, where: _Where, sport: str
) -> Step:
    intensity_number = _int(fields.get("intensity"), default=0)
    intensity = _FIT_TO_INTENSITY.get(intensity_number, Intensity.ACTIVE)
    if intensity_number == _FIT_INTERVAL:
        intensity = Intensity.ACTIVE
    secondary_type = _int(fields.get("secondary_target_type"), default=_TARGET_OPEN)
    return Step(
        intensity=intensity,
        duration=_duration_from_fields(duration_type, fields.get("duration_value"), where),
        target=_target_from_fields(
            _int(fields.get("target_type"), default=_TARGET_OPEN),
            _int(fields.get("target_value"), default=0),
            _int(fields.get("custom_target_value_low"), default=0),
            _int(fields.get("custom_target_value_high"), default=0),
            where,
            sport,
        ),
        name=str(fields.get("wkt_step_name", "")),
        notes=str(fields.get("notes", "")),
        secondary_target=_target_from_fields(
            secondary_type,
            _int(fields.get("secondary_target_value"), default=0),
            _int(fields.get("secondary_custom_target_value_low"), default=0),
            _int(fields.get("secondary_custom_target_value_high"), default=0),
            where,
            sport,
        ),
    )


def _duration_from_fields(duration_type: int, value: object, where: _Where) -> Duration:
    amount = _int(value, default=0)
    if duration_type == _TIME:
        return TimeDuration(amount / 1000)
    if duration_type == _DISTANCE:
        return DistanceDuration(amount / 100)
    if duration_type in (_HR_BELOW, _HR_ABOVE):
        return HeartRateDuration(limit=_hr_value(amount), above=duration_type == _HR_ABOVE)
    if duration_type == _OPEN:
        return OpenDuration()
    what = _DURATION_NAMES.get(duration_type, f"FIT duration type {duration_type}")
    raise FitFileError(
        f"step {where.step} ends by {what}, which the workout language cannot say",
        location=where.location,
    )


def _target_from_fields(
    target_type: int, value: int, low: int, high: int, where: _Where, sport: str
) -> Target | None:
    if target_type == _TARGET_OPEN:
        return None
    if target_type in (_SPEED, _SPEED_LAP):
        if value or not (low > 0 and high > 0):
            _refuse(where, f"a speed zone ({value}) target")
        slow, fast = sorted((low / 1000, high / 1000))
        return PaceTarget(
            fast_s_per_km=pace_s_per_km(fast),
            slow_s_per_km=pace_s_per_km(slow),
            lap=target_type == _SPEED_LAP,
        )
    if target_type in (_HEART_RATE, _HEART_RATE_LAP):
        lap = target_type == _HEART_RATE_LAP
        if value:
            return HeartRateZone(value, lap=lap)
        return HeartRateRange(low=_hr_value(low), high=_hr_value(high), lap=lap)
    if target_type == _CADENCE:
        if value:
            _refuse(where, f"a cadence zone ({value}) target")
        factor = _STEPS_PER_STRIDE if sport in STEP_SPORTS else 1
        return CadenceRange(low=low * factor, high=high * factor)
    if target_type in _POWER_AVERAGED:
        averaging = _POWER_AVERAGED[target_type]
        if value:
            return PowerZone(value, averaging=averaging)
        percent = high <= _POWER_WATTS_OFFSET
        offset = 0 if percent else _POWER_WATTS_OFFSET
        return PowerRange(
            low=low - offset, high=high - offset, percent_ftp=percent, averaging=averaging
        )
    return _refuse(where, f"a {_CANNOT_EXPRESS.get(target_type, f'FIT type {target_type}')} target")


def _refuse(where: _Where, what: str) -> NoReturn:
    raise FitFileError(
        f"step {where.step} has {what}, which the workout language cannot say",
        location=where.location,
    )


def _hr_value(raw: int) -> HeartRate:
    if raw > _HR_BPM_OFFSET:
        return HeartRate(raw - _HR_BPM_OFFSET)
    return HeartRate(raw, percent_of_max=True)
