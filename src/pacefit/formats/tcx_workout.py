"""TCX workouts (Garmin Training Center Database v2), written and read.

TCX is what Garmin devices took before FIT: at most 20 numbered steps (repeats included), names
of 15 characters, repeats of 2 to 99, whole seconds and metres, intensity only Active or
Resting, one target per step and no step notes. The `tcx` device profile keeps a workout within
the limits; this module writes the structure in the schema's order. Facts and sources:
shared/reference/interchange/README.md §3.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import NoReturn, assert_never

from lxml import etree

from pacefit.core.units import pace_s_per_km, speed_mps
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
from pacefit.formats.xml_files import parse_xml

TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_XSI_TYPE = f"{{{XSI_NS}}}type"
_NS = {"tcx": TCX_NS}
MAX_UNSIGNED_SHORT = 65535  # Seconds and Meters are xsd:unsignedShort
_SPORTS = {"running": "Running", "cycling": "Biking"}
_RESTING = (Intensity.REST, Intensity.RECOVERY)


def _tag(name: str) -> str:
    return f"{{{TCX_NS}}}{name}"


def _add(
    parent: etree._Element, name: str, text: str | None = None, xsi_type: str = ""
) -> etree._Element:
    element = etree.SubElement(parent, _tag(name))
    if xsi_type:
        element.set(_XSI_TYPE, xsi_type)
    if text is not None:
        element.text = text
    return element


# -- writing ------------------------------------------------------------------------------------


def write_tcx(workout: Workout, context: ExportContext) -> bytes:
    """The workout as a TCX file; fit it to the `tcx` device profile first (names, step count,
    repeats), as `compile` does."""
    del context  # TCX paces are absolute
    root = etree.Element(_tag("TrainingCenterDatabase"), nsmap={None: TCX_NS, "xsi": XSI_NS})
    element = _add(_add(root, "Workouts"), "Workout")
    element.set("Sport", _SPORTS.get(workout.sport, "Other"))
    _add(element, "Name", workout.name.strip() or "Workout")
    writer = _StepWriter()
    for node in fit_layout(workout.steps):
        writer.write(node, element)
    if workout.description:
        _add(element, "Notes", workout.description)
    if writer.notes_left_out:
        warn(
            f"{writer.notes_left_out} step note(s) left out: TCX steps have no notes",
            location=workout.origin,
        )
    etree.indent(root, space="  ")
    text: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
    return text + b"\n"


class _StepWriter:
    def __init__(self) -> None:
        self.step_id = 0
        self.notes_left_out = 0

    def write(self, node: Node, parent: etree._Element, child: bool = False) -> None:
        element = _add(parent, "Child" if child else "Step")
        self.step_id += 1
        if isinstance(node, Step):
            element.set(_XSI_TYPE, "Step_t")
            self._step(node, element)
            return
        if isinstance(node, RepeatUntil):
            raise WorkoutError(
                "TCX has no repeat until a heart rate",
                location=node.origin,
                hint="give the repeat a count",
            )
        element.set(_XSI_TYPE, "Repeat_t")
        _add(element, "StepId", str(self.step_id))
        _add(element, "Repetitions", str(node.count))
        for inner in node.steps:
            self.write(inner, element, child=True)

    def _step(self, step: Step, element: etree._Element) -> None:
        _add(element, "StepId", str(self.step_id))
        if step.name.strip():
            _add(element, "Name", step.name.strip())
        self.notes_left_out += bool(step.notes)
        if step.secondary_target is not None:
            warn("the second target is left out: a TCX step has one", location=step.origin)
        _duration(step, element)
        _add(element, "Intensity", "Resting" if step.intensity in _RESTING else "Active")
        _target(step.target, element, step)


def _duration(step: Step, element: etree._Element) -> None:
    match step.duration:
        case TimeDuration(duration_s=seconds):
            _add(_add(element, "Duration", xsi_type="Time_t"), "Seconds", _whole(seconds, step))
        case DistanceDuration(distance_m=metres):
            _add(_add(element, "Duration", xsi_type="Distance_t"), "Meters", _whole(metres, step))
        case OpenDuration():
            _add(element, "Duration", xsi_type="UserInitiated_t")
        case HeartRateDuration(limit=limit, above=above):
            kind = "HeartRateAbove_t" if above else "HeartRateBelow_t"
            _heart_rate(_add(element, "Duration", xsi_type=kind), "HeartRate", limit)
        case _:
            assert_never(step.duration)


def _whole(amount: float, step: Step) -> str:
    whole = round(amount)
    if not 0 < whole <= MAX_UNSIGNED_SHORT:
        raise WorkoutError(
            f"TCX holds lengths of 1 to {MAX_UNSIGNED_SHORT} seconds or metres; this step is "
            f"{amount:g}",
            location=step.origin,
        )
    return str(whole)


def _heart_rate(parent: etree._Element, name: str, value: HeartRate) -> None:
    kind = "HeartRateAsPercentOfMax_t" if value.percent_of_max else "HeartRateInBeatsPerMinute_t"
    _add(_add(parent, name, xsi_type=kind), "Value", str(value.value))


def _target(target: Target | None, element: etree._Element, step: Step) -> None:
    match target:
        case None:
            _add(element, "Target", xsi_type="None_t")
        case PaceTarget():
            zone = _add(
                _add(element, "Target", xsi_type="Speed_t"),
                "SpeedZone",
                xsi_type="CustomSpeedZone_t",
            )
            _add(zone, "ViewAs", "Pace")
            _add(zone, "LowInMetersPerSecond", f"{speed_mps(target.slow_s_per_km):.6f}")
            _add(zone, "HighInMetersPerSecond", f"{speed_mps(target.fast_s_per_km):.6f}")
        case HeartRateZone(zone=number):
            heart = _add(element, "Target", xsi_type="HeartRate_t")
            zone = _add(heart, "HeartRateZone", xsi_type="PredefinedHeartRateZone_t")
            _add(zone, "Number", str(number))
        case HeartRateRange(low=low, high=high):
            heart = _add(element, "Target", xsi_type="HeartRate_t")
            zone = _add(heart, "HeartRateZone", xsi_type="CustomHeartRateZone_t")
            _heart_rate(zone, "Low", low)
            _heart_rate(zone, "High", high)
        case CadenceRange(low=low_cadence, high=high_cadence):
            cadence = _add(element, "Target", xsi_type="Cadence_t")
            _add(cadence, "Low", str(low_cadence))
            _add(cadence, "High", str(high_cadence))
        case PowerZone() | PowerRange():
            raise WorkoutError(
                "TCX has no power targets",
                location=step.origin,
                hint="use a pace or heart-rate target",
            )
        case _:
            assert_never(target)


# -- reading ------------------------------------------------------------------------------------


def read_tcx_workout(path: Path, *, options: ReadOptions | None = None) -> Workout:
    """The (first) workout in a TCX file."""
    del options
    where = Location(str(path))
    root = parse_xml(path, kind="TCX", location=where, error=WorkoutError).getroot()
    workouts = root.findall("tcx:Workouts/tcx:Workout", _NS)
    if not workouts:
        what = "an activity" if root.find("tcx:Activities", _NS) is not None else "no workout"
        raise WorkoutError(
            f"this TCX file holds {what}, not a workout",
            location=where,
            hint="analyze reads recorded runs",
        )
    if len(workouts) > 1:
        warn(f"the file holds {len(workouts)} workouts; read the first", location=where)
    element = workouts[0]
    sport_word = element.get("Sport", "Running")
    sports = {word: sport for sport, word in _SPORTS.items()}
    name = (element.findtext("tcx:Name", default="", namespaces=_NS) or path.stem).strip()
    reader = _StepReader(where)
    steps = tuple(reader.node(step) for step in element.findall("tcx:Step", _NS))
    if not steps:
        raise WorkoutError("the workout has no steps", location=where)
    return Workout(
        name=name,
        steps=steps,
        sport=sports.get(sport_word, "generic"),
        description=(element.findtext("tcx:Notes", default="", namespaces=_NS) or "").strip(),
    )


class _StepReader:
    def __init__(self, where: Location) -> None:
        self.where = where
        self.number = 0

    def node(self, element: etree._Element) -> Node:
        self.number += 1
        kind = element.get(_XSI_TYPE, "Step_t")
        if kind == "Repeat_t":
            count = _int(element.findtext("tcx:Repetitions", namespaces=_NS), self, "Repetitions")
            children = tuple(self.node(child) for child in element.findall("tcx:Child", _NS))
            return Repeat(steps=children, count=count)
        intensity_word = element.findtext("tcx:Intensity", default="Active", namespaces=_NS)
        target = self._target(element.find("tcx:Target", _NS))
        intensity = Intensity.ACTIVE
        if intensity_word == "Resting":
            intensity = Intensity.REST if target is None else Intensity.RECOVERY
        return Step(
            intensity=intensity,
            duration=self._duration(element.find("tcx:Duration", _NS)),
            target=target,
            name=(element.findtext("tcx:Name", default="", namespaces=_NS) or "").strip(),
        )

    def _duration(self, element: etree._Element | None) -> Duration:
        if element is None:
            return self._refuse("no Duration")
        kind = element.get(_XSI_TYPE, "")
        if kind == "Time_t":
            return TimeDuration(
                _int(element.findtext("tcx:Seconds", namespaces=_NS), self, "Seconds")
            )
        if kind == "Distance_t":
            metres = _int(element.findtext("tcx:Meters", namespaces=_NS), self, "Meters")
            return DistanceDuration(metres)
        if kind == "UserInitiated_t":
            return OpenDuration()
        if kind in ("HeartRateAbove_t", "HeartRateBelow_t"):
            value = self._heart_rate(element.find("tcx:HeartRate", _NS))
            return HeartRateDuration(limit=value, above=kind == "HeartRateAbove_t")
        if kind == "CaloriesBurned_t":
            calories = element.findtext("tcx:Calories", default="?", namespaces=_NS)
            warn(
                f"step {self.number} ends after {calories} kcal, which the workout language "
                "cannot say; it ends on the lap button instead",
                location=self.where,
            )
            return OpenDuration()
        raise WorkoutError(
            f"step {self.number} ends by {kind or 'nothing'}, which the workout language "
            "cannot say",
            location=self.where,
        )

    def _target(self, element: etree._Element | None) -> Target | None:
        kind = "None_t" if element is None else element.get(_XSI_TYPE, "None_t")
        if element is None or kind == "None_t":
            return None
        if kind == "Speed_t":
            zone = element.find("tcx:SpeedZone", _NS)
            if zone is None or zone.get(_XSI_TYPE) != "CustomSpeedZone_t":
                self._refuse("a device speed zone target")
            low = _float(zone.findtext("tcx:LowInMetersPerSecond", namespaces=_NS), self)
            high = _float(zone.findtext("tcx:HighInMetersPerSecond", namespaces=_NS), self)
            slow, fast = sorted((low, high))  # the schema does not check the order
            if slow <= 0:
                self._refuse("a speed of 0")
            return PaceTarget(fast_s_per_km=pace_s_per_km(fast), slow_s_per_km=pace_s_per_km(slow))
        if kind == "HeartRate_t":
            zone = element.find("tcx:HeartRateZone", _NS)
            if zone is None:
                self._refuse("a heart-rate target with no zone")
            if zone.get(_XSI_TYPE) == "PredefinedHeartRateZone_t":
                return HeartRateZone(
                    _int(zone.findtext("tcx:Number", namespaces=_NS), self, "Number")
                )
            return HeartRateRange(
                low=self._heart_rate(zone.find("tcx:Low", _NS)),
                high=self._heart_rate(zone.find("tcx:High", _NS)),
            )
        if kind == "Cadence_t":
            return CadenceRange(
                low=round(_float(element.findtext("tcx:Low", namespaces=_NS), self)),
                high=round(_float(element.findtext("tcx:High", namespaces=_NS), self)),
            )
        return self._refuse(f"a {kind} target")

    def _heart_rate(self, element: etree._Element | None) -> HeartRate:
        if element is None:
            return self._refuse("a heart rate with no value")
        value = _int(element.findtext("tcx:Value", namespaces=_NS), self, "Value")
        return HeartRate(
            value, percent_of_max=element.get(_XSI_TYPE) == "HeartRateAsPercentOfMax_t"
        )

    def _refuse(self, what: str) -> NoReturn:
        raise WorkoutError(
            f"step {self.number} has {what}, which the workout language cannot say",
            location=self.where,
        )


def _int(text: str | None, reader: _StepReader, what: str) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        raise WorkoutError(
            f"step {reader.number}: {what} '{text}' is not a whole number", location=reader.where
        ) from None


def _float(text: str | None, reader: _StepReader) -> float:
    try:
        number = float((text or "").strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise WorkoutError(f"step {reader.number}: '{text}' is not a number", location=reader.where)
    return number
