"""Garmin Connect's workout JSON (the workout service's document), written and read.

What is written is the document `POST /workout-service/workout` takes: one segment of executable
steps and repeat groups, step orders counted across the whole workout, pace targets as speeds in
m/s with the faster bound first (as Garmin's own workouts are), ids and keys from the service's
type tables. The server's reply (with ids, owners and dates) reads back too. Steps have no name
in this format: a step's name goes into its description, the notes Garmin shows. Facts and
sources: shared/reference/interchange/README.md §4.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn, assert_never

from pacefit.core.units import METRES_PER_MILE, pace_s_per_km, speed_mps
from pacefit.core.workout import (
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
)
from pacefit.errors import Location, WorkoutError, warn
from pacefit.formats import ExportContext, ReadOptions

_SPORTS = {"running": (1, "running"), "cycling": (2, "cycling")}
_STEP_TYPES = {
    Intensity.WARMUP: (1, "warmup"),
    Intensity.COOLDOWN: (2, "cooldown"),
    Intensity.ACTIVE: (3, "interval"),
    Intensity.RECOVERY: (4, "recovery"),
    Intensity.REST: (5, "rest"),
}
_INTENSITY_OF_TYPE = {number: intensity for intensity, (number, _) in _STEP_TYPES.items()}
_REPEAT_TYPE = (6, "repeat")
_LAP, _TIME, _DISTANCE, _CALORIES, _HEART_RATE, _ITERATIONS = 1, 2, 3, 4, 6, 7
_END_KEYS = {
    _LAP: "lap.button",
    _TIME: "time",
    _DISTANCE: "distance",
    _HEART_RATE: "heart.rate",
    _ITERATIONS: "iterations",
}
_NO_TARGET, _POWER, _CADENCE, _HR, _SPEED, _PACE = 1, 2, 3, 4, 5, 6
_TARGET_KEYS = {
    _NO_TARGET: "no.target",
    _POWER: "power.zone",
    _CADENCE: "cadence",
    _HR: "heart.rate.zone",
    _SPEED: "speed.zone",
    _PACE: "pace.zone",
}
_END_NAMES = {
    4: "calories",
    5: "power",
    8: "fixed rest",
    9: "fixed repetition",
    10: "reps",
    11: "training stress",
}


# -- writing ------------------------------------------------------------------------------------


def write_gc_json(workout: Workout, context: ExportContext) -> bytes:
    """The workout as the JSON Garmin Connect's workout service takes."""
    del context  # paces are absolute speeds
    if workout.sport not in _SPORTS:
        raise WorkoutError(
            f"pacefit writes Garmin Connect workouts for runs and rides; this one is "
            f"{workout.sport}",
            location=workout.origin,
        )
    sport = _sport(workout.sport)
    writer = _StepWriter(workout.sport)
    steps = [writer.node(node, group=None) for node in fit_layout(workout.steps)]
    document: dict[str, Any] = {"workoutName": workout.name, "sportType": sport}
    if workout.description:
        document["description"] = workout.description
    document["workoutSegments"] = [{"segmentOrder": 1, "sportType": sport, "workoutSteps": steps}]
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def _sport(name: str) -> dict[str, Any]:
    number, key = _SPORTS[name]
    return {"sportTypeId": number, "sportTypeKey": key}


class _StepWriter:
    def __init__(self, sport: str) -> None:
        self.sport = sport
        self.order = 0  # across the whole workout, as the service numbers steps
        self.groups = 0

    def node(self, node: Node, *, group: int | None) -> dict[str, Any]:
        self.order += 1
        if isinstance(node, Step):
            return self._step(node, group)
        if isinstance(node, RepeatUntil):
            raise WorkoutError(
                "pacefit does not write a Garmin Connect repeat until a heart rate (how the "
                "service reads one is not known)",
                location=node.origin,
                hint="give the repeat a count",
            )
        self.groups += 1
        number = self.groups
        out: dict[str, Any] = {
            "type": "RepeatGroupDTO",
            "stepId": self.order,
            "stepOrder": self.order,
            "stepType": {"stepTypeId": _REPEAT_TYPE[0], "stepTypeKey": _REPEAT_TYPE[1]},
            "childStepId": number,
            "numberOfIterations": node.count,
            "smartRepeat": False,
            "endCondition": _end(_ITERATIONS),
            "endConditionValue": node.count,
        }
        out["workoutSteps"] = [self.node(child, group=number) for child in node.steps]
        return out

    def _step(self, step: Step, group: int | None) -> dict[str, Any]:
        number, key = _STEP_TYPES[step.intensity]
        out: dict[str, Any] = {
            "type": "ExecutableStepDTO",
            "stepId": self.order,
            "stepOrder": self.order,
            "childStepId": group,
            "stepType": {"stepTypeId": number, "stepTypeKey": key},
        }
        description = ". ".join(part for part in (step.name, step.notes) if part)
        if description:
            out["description"] = description
        out.update(_end_condition(step.duration))
        out.update(self._target(step.target, step, secondary=False))
        if step.secondary_target is not None:
            out.update(self._target(step.secondary_target, step, secondary=True))
        return out

    def _target(self, target: Target | None, step: Step, *, secondary: bool) -> dict[str, Any]:
        type_key = "secondaryTargetType" if secondary else "targetType"
        one = "secondaryTargetValueOne" if secondary else "targetValueOne"
        two = "secondaryTargetValueTwo" if secondary else "targetValueTwo"
        zone_key = "secondaryZoneNumber" if secondary else "zoneNumber"
        match target:
            case None:
                return {type_key: _target_type(_NO_TARGET)}
            case PaceTarget():
                kind = _PACE if self.sport == "running" else _SPEED
                # faster first, as Garmin's own workouts are (README §4.7)
                return {
                    type_key: _target_type(kind),
                    one: round(speed_mps(target.fast_s_per_km), 7),
                    two: round(speed_mps(target.slow_s_per_km), 7),
                }
            case HeartRateZone(zone=zone):
                return {type_key: _target_type(_HR), zone_key: zone}
            case HeartRateRange(low=low, high=high):
                if low.percent_of_max or high.percent_of_max:
                    raise WorkoutError(
                        "Garmin Connect takes heart rate in bpm or as a zone, not % of maximum",
                        location=step.origin,
                        hint="give the range in bpm, e.g. 'hr: 140-150bpm', or a zone",
                    )
                return {type_key: _target_type(_HR), one: low.value, two: high.value}
            case CadenceRange(low=low_cadence, high=high_cadence):
                return {type_key: _target_type(_CADENCE), one: low_cadence, two: high_cadence}
            case PowerZone(zone=zone):
                return {type_key: _target_type(_POWER), zone_key: zone}
            case PowerRange(low=low_power, high=high_power, percent_ftp=percent):
                if percent:
                    raise WorkoutError(
                        "pacefit writes Garmin Connect power targets in watts or zones, not % FTP",
                        location=step.origin,
                    )
                return {type_key: _target_type(_POWER), one: low_power, two: high_power}
            case _:
                assert_never(target)


def _end(number: int) -> dict[str, Any]:
    return {"conditionTypeId": number, "conditionTypeKey": _END_KEYS[number]}


def _target_type(number: int) -> dict[str, Any]:
    return {"workoutTargetTypeId": number, "workoutTargetTypeKey": _TARGET_KEYS[number]}


def _end_condition(duration: Duration) -> dict[str, Any]:
    match duration:
        case TimeDuration(duration_s=seconds):
            return {"endCondition": _end(_TIME), "endConditionValue": seconds}
        case DistanceDuration(distance_m=metres):
            miles = metres / METRES_PER_MILE
            unit = "mile" if abs(miles - round(miles)) < 1e-6 and round(miles) else "kilometer"
            return {
                "endCondition": _end(_DISTANCE),
                "endConditionValue": metres,
                "preferredEndConditionUnit": {"unitKey": unit},
            }
        case OpenDuration():
            return {"endCondition": _end(_LAP), "endConditionValue": None}
        case HeartRateDuration(limit=limit, above=above):
            # The compare direction for heart rate is disputed between tools (README §4.5);
            # "gt" for above is the reading two of three generators use.
            return {
                "endCondition": _end(_HEART_RATE),
                "endConditionValue": limit.value,
                "endConditionCompare": "gt" if above else "lt",
            }
        case _:
            assert_never(duration)


# -- reading ------------------------------------------------------------------------------------


def read_gc_json(path: Path, *, options: ReadOptions | None = None) -> Workout:
    """A Garmin Connect workout: the document sent to the service, or the service's reply."""
    del options
    where = Location(str(path))
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise WorkoutError(
            f"cannot read the Garmin Connect workout: {exc}", location=where
        ) from exc
    if not isinstance(document, dict) or "workoutSegments" not in document:
        raise WorkoutError(
            "not a Garmin Connect workout: it has no workoutSegments", location=where
        )
    segments = document["workoutSegments"]
    if not isinstance(segments, list) or len(segments) != 1:
        raise WorkoutError(
            f"the workout has {len(segments) if isinstance(segments, list) else 'no'} segments; "
            "pacefit reads single-sport workouts",
            location=where,
        )
    sport_key = _key(document.get("sportType"), "sportTypeId", "sportTypeKey", _SPORTS)
    reader = _StepReader(where, sport_key)
    segment = segments[0] if isinstance(segments[0], dict) else {}
    steps = tuple(reader.node(step) for step in _list(segment.get("workoutSteps"), where))
    if not steps:
        raise WorkoutError("the workout has no steps", location=where)
    return Workout(
        name=str(document.get("workoutName") or path.stem).strip(),
        steps=steps,
        sport=sport_key or "generic",
        description=str(document.get("description") or "").strip(),
    )


def _key(value: object, id_field: str, key_field: str, table: dict[str, tuple[int, str]]) -> str:
    """The name of a type object, by its id (the id is what the service goes by)."""
    if not isinstance(value, dict):
        return ""
    number = value.get(id_field)
    for name, (known, _) in table.items():
        if number == known:
            return name
    return str(value.get(key_field) or "")


def _list(value: object, where: Location) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise WorkoutError("workoutSteps is not a list of steps", location=where)
    return value


class _StepReader:
    def __init__(self, where: Location, sport: str) -> None:
        self.where, self.sport = where, sport
        self.number = 0

    def node(self, step: dict[str, Any]) -> Node:
        self.number += 1
        if step.get("type") == "RepeatGroupDTO":
            children = tuple(
                self.node(child) for child in _list(step.get("workoutSteps"), self.where)
            )
            end = _id(step.get("endCondition"), "conditionTypeId")
            if end not in (None, _ITERATIONS):
                self._refuse(f"a repeat that ends by {_END_NAMES.get(end or 0, end)}")
            count = step.get("numberOfIterations") or step.get("endConditionValue")
            if not isinstance(count, int | float) or count < 1:
                self._refuse(f"a repeat count of {count!r}")
            return Repeat(steps=children, count=int(count))
        if step.get("type") != "ExecutableStepDTO":
            self._refuse(f"a step of type {step.get('type')!r}")
        step_type = _id(step.get("stepType"), "stepTypeId")
        return Step(
            intensity=_INTENSITY_OF_TYPE.get(step_type or 3, Intensity.ACTIVE),
            duration=self._duration(step),
            target=self._target(step, secondary=False),
            notes=str(step.get("description") or "").strip(),
            secondary_target=self._target(step, secondary=True),
        )

    def _duration(self, step: dict[str, Any]) -> Duration:
        end = _id(step.get("endCondition"), "conditionTypeId")
        value = step.get("endConditionValue")
        if end == _LAP:
            return OpenDuration()
        if end in (_TIME, _DISTANCE) and isinstance(value, int | float) and value > 0:
            return TimeDuration(float(value)) if end == _TIME else DistanceDuration(float(value))
        if end == _HEART_RATE and isinstance(value, int | float):
            compare = step.get("endConditionCompare")
            if compare not in ("gt", "lt"):
                self._refuse("a heart-rate end with no direction")
            return HeartRateDuration(limit=HeartRate(int(value)), above=compare == "gt")
        if end in _END_NAMES:
            warn(
                f"step {self.number} ends by {_END_NAMES[end]} ({value}), which the workout "
                "language cannot say; it ends on the lap button instead",
                location=self.where,
            )
            return OpenDuration()
        return self._refuse(f"an end condition {end} of {value!r}")

    def _target(self, step: dict[str, Any], *, secondary: bool) -> Target | None:
        prefix = "secondaryTarget" if secondary else "target"
        kind = _id(step.get(f"{prefix}Type"), "workoutTargetTypeId")
        one, two = step.get(f"{prefix}ValueOne"), step.get(f"{prefix}ValueTwo")
        zone_value = _numbers(step.get("secondaryZoneNumber" if secondary else "zoneNumber"))
        zone = round(zone_value[0]) if zone_value else 0
        if kind in (None, _NO_TARGET):
            return None
        if kind in (_PACE, _SPEED):
            speeds = _numbers(one, two)
            if zone or speeds is None:
                self._refuse("a pace target with no range")
            slow, fast = sorted(speeds)  # either order is stored (§4.7)
            if slow <= 0:
                self._refuse("a speed of 0")
            return PaceTarget(fast_s_per_km=pace_s_per_km(fast), slow_s_per_km=pace_s_per_km(slow))
        if kind == _HR:
            if zone:
                return HeartRateZone(zone)
            low, high = self._range(one, two, "heart-rate")
            return HeartRateRange(low=HeartRate(low), high=HeartRate(high))
        if kind == _CADENCE:
            low, high = self._range(one, two, "cadence")
            return CadenceRange(low=low, high=high)
        if kind == _POWER:
            if zone:
                return PowerZone(zone)
            low, high = self._range(one, two, "power")
            return PowerRange(low=low, high=high)
        return self._refuse(f"a target of type {kind}")

    def _range(self, one: object, two: object, what: str) -> tuple[int, int]:
        values = _numbers(one, two)
        if values is None:
            self._refuse(f"a {what} target with no range")
        low, high = sorted(round(value) for value in values)
        return low, high

    def _refuse(self, what: str) -> NoReturn:
        raise WorkoutError(
            f"step {self.number} has {what}, which the workout language cannot say",
            location=self.where,
        )


def _id(value: object, field: str) -> int | None:
    if not isinstance(value, dict):
        return None
    number = value.get(field)
    return int(number) if isinstance(number, int | float) else None


def _numbers(*values: object) -> list[float] | None:
    """The values as numbers (the service also takes them as strings); None if one is not."""
    numbers = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return None
        try:
            numbers.append(float(value))
        except ValueError:
            return None
    return numbers
