"""Zwift workout files (`.zwo`) for a treadmill run, written and read.

A run block's `Power` is a share of the speed of a reference race chosen by `pace` (0 mile,
1 5K, 2 10K, 3 half, 4 marathon), and Zwift fills in the runner's own race paces. A file holds
relative paces, so writing and reading both need the athlete's race paces. Zwift has no pace
bands (one value per block, or a ramp), no lap button and no step kinds; what is lost on the way
is said in a warning. Facts and sources: shared/reference/interchange/README.md §1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import assert_never

from lxml import etree

from pacefit.core.devices import written_out
from pacefit.core.paces import REFERENCE_RACES
from pacefit.core.workout import (
    DistanceDuration,
    Duration,
    HeartRateDuration,
    Intensity,
    Node,
    OpenDuration,
    PaceTarget,
    Repeat,
    RepeatUntil,
    Step,
    TimeDuration,
    Workout,
    fit_layout,
    planned_time_s,
    steps_as_written,
)
from pacefit.errors import Location, WorkoutError, warn
from pacefit.formats import ExportContext, ReadOptions
from pacefit.formats.xml_files import parse_xml

# A step that ends on the lap button becomes a free run this long: Zwift blocks need a length.
OPEN_STAND_IN_S = 600
_RACE_IN_LABEL = re.compile(r"\b(5k|10k|half|marathon)\b")
_DEFAULT_REFERENCE = "5k"  # the reference race of Zwift's own pace test
_NOTES_OFFSET_S = 10


# -- writing ------------------------------------------------------------------------------------


def write_zwo(workout: Workout, context: ExportContext) -> bytes:
    """The workout as a Zwift run workout; `context` must carry the runner's race paces."""
    if workout.sport != "running":
        raise WorkoutError(
            f"pacefit writes .zwo files for runs; this workout is {workout.sport}",
            location=workout.origin,
        )
    nodes = fit_layout(workout.steps)
    steps = list(steps_as_written(nodes))
    by_distance = all(isinstance(s.duration, DistanceDuration) for s in steps)
    writer = _BlockWriter(_race_paces(workout, context), by_distance, context.easy_pace_s_per_km)
    root = etree.Element("workout_file")
    etree.SubElement(root, "author").text = "pacefit"
    etree.SubElement(root, "name").text = workout.name
    etree.SubElement(root, "description").text = workout.description
    etree.SubElement(root, "sportType").text = "run"
    etree.SubElement(root, "durationType").text = "distance" if by_distance else "time"
    blocks = etree.SubElement(root, "workout")
    for node in nodes:
        writer.write(node, blocks)
    if writer.converted:
        warn(
            f"{writer.converted} distance step(s) written as the time they take at their target "
            "pace (easy pace, for a step without one): a .zwo is all time or all distance",
            location=workout.origin,
        )
    etree.indent(root, space="    ")
    text: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return text + b"\n"


def _race_paces(workout: Workout, context: ExportContext) -> Mapping[str, float]:
    if context.race_paces_s_per_km is not None:
        return context.race_paces_s_per_km
    if any(isinstance(step.target, PaceTarget) for step in steps_as_written(workout.steps)):
        raise WorkoutError(
            "a .zwo gives paces as shares of the runner's race paces, and no race times were given",
            location=workout.origin,
            hint="pass --athlete with the runner's race times",
        )
    return {}


class _BlockWriter:
    def __init__(
        self, race_paces: Mapping[str, float], by_distance: bool, easy_pace_s_per_km: float
    ) -> None:
        self.race_paces = race_paces
        self.by_distance = by_distance
        self.easy_pace_s_per_km = easy_pace_s_per_km
        self.converted = 0

    def write(self, node: Node, parent: etree._Element) -> None:
        if isinstance(node, Step):
            self._step(node, parent)
        elif isinstance(node, RepeatUntil):
            raise WorkoutError(
                "Zwift has no repeat until a heart rate",
                location=node.origin,
                hint="give the repeat a count",
            )
        elif self._as_intervals(node, parent):
            return
        else:
            for child in written_out(node):
                self.write(child, parent)

    def _as_intervals(self, repeat: Repeat, parent: etree._Element) -> bool:
        """A plain on/off repeat as Zwift's own IntervalsT; False when it is not one."""
        if repeat.between or len(repeat.steps) != 2:
            return False
        on, off = repeat.steps
        if not (isinstance(on, Step) and isinstance(off, Step)):
            return False
        if any(s.name or s.notes or not isinstance(s.target, PaceTarget) for s in (on, off)):
            return False  # names live in messages, which an IntervalsT shows only once
        assert isinstance(on.target, PaceTarget) and isinstance(off.target, PaceTarget)
        race = _reference(on.target)
        if race != _reference(off.target):
            return False
        block = etree.SubElement(parent, "IntervalsT")
        block.set("Repeat", str(repeat.count))
        block.set("OnDuration", _number(self._length(on)))
        block.set("OffDuration", _number(self._length(off)))
        block.set("OnPower", self._power(on.target.middle_s_per_km, race))
        block.set("OffPower", self._power(off.target.middle_s_per_km, race))
        block.set("pace", str(REFERENCE_RACES.index(race)))
        return True

    def _step(self, step: Step, parent: etree._Element) -> None:
        length = self._length(step)
        target = step.target
        if target is None:
            block = etree.SubElement(parent, "FreeRide", Duration=_number(length))
        elif not isinstance(target, PaceTarget):
            raise WorkoutError(
                "Zwift shows only pace targets on a run",
                location=step.origin,
                hint="use a pace target, or write this workout in another format",
            )
        elif step.intensity in (Intensity.WARMUP, Intensity.COOLDOWN):
            race = _reference(target)
            # the band as a ramp: a warm-up speeds up through it, a cool-down slows down
            slow = self._power(target.slow_s_per_km, race)
            fast = self._power(target.fast_s_per_km, race)
            warmup = step.intensity is Intensity.WARMUP
            block = etree.SubElement(parent, "Warmup" if warmup else "Cooldown")
            block.set("Duration", _number(length))
            block.set("PowerLow", slow if warmup else fast)
            block.set("PowerHigh", fast if warmup else slow)
            block.set("pace", str(REFERENCE_RACES.index(race)))
        else:
            race = _reference(target)
            block = etree.SubElement(parent, "SteadyState", Duration=_number(length))
            block.set("Power", self._power(target.middle_s_per_km, race))
            block.set("pace", str(REFERENCE_RACES.index(race)))
        self._messages(step, block, length)

    def _messages(self, step: Step, block: etree._Element, length: float) -> None:
        offset = "distoffset" if self.by_distance else "timeoffset"
        if step.name:
            etree.SubElement(block, "textevent", {offset: "0", "message": step.name})
        if step.notes:
            later = min(_NOTES_OFFSET_S, length / 2) if step.name else 0
            etree.SubElement(block, "textevent", {offset: _number(later), "message": step.notes})

    def _length(self, step: Step) -> float:
        """Seconds in a time file, metres in a distance file."""
        match step.duration:
            case DistanceDuration(distance_m=distance_m) if self.by_distance:
                return distance_m
            case TimeDuration(duration_s=duration_s):
                return duration_s
            case DistanceDuration(distance_m=distance_m):
                self.converted += 1
                planned = planned_time_s(step)
                return round(
                    planned if planned is not None else distance_m / 1000 * self.easy_pace_s_per_km
                )
            case OpenDuration():
                warn(
                    f"Zwift has no lap button: this step is written as a {OPEN_STAND_IN_S // 60}"
                    "-minute free run",
                    location=step.origin,
                )
                return OPEN_STAND_IN_S
            case HeartRateDuration():
                raise WorkoutError(
                    "Zwift has no step that ends on a heart rate",
                    location=step.origin,
                    hint="give the step a time or a distance",
                )
            case _:
                assert_never(step.duration)

    def _power(self, pace_s_per_km: float, race: str) -> str:
        return f"{self.race_paces[race] / pace_s_per_km:.4f}"


def _reference(target: PaceTarget) -> str:
    """The race a pace was said against (`10k + 2%`, `between 10k and half` -> 10k), so Zwift
    follows the runner's own setting for that race; 5K, Zwift's test race, otherwise."""
    match = _RACE_IN_LABEL.search(target.label.strip().lower())
    return match.group(1) if match else _DEFAULT_REFERENCE


def _number(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.3f}".rstrip("0")


# -- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    """One block read, before its kind (work or recovery) is settled by its neighbours."""

    step: Step
    speed_share: float | None  # of its reference race speed, for comparing neighbours
    fixed_kind: bool  # Warmup, Cooldown, FreeRide and IntervalsT say their own kind


def read_zwo(path: Path, *, options: ReadOptions | None = None) -> Workout:
    """A Zwift run workout, with paces from the runner's race paces in `options`."""
    options = options or ReadOptions()
    where = Location(str(path))
    root = parse_xml(path, kind="Zwift workout", location=where, error=WorkoutError).getroot()
    if root.tag != "workout_file":
        raise WorkoutError(f"not a Zwift workout: it starts with <{root.tag}>", location=where)
    sport = (root.findtext("sportType") or "bike").strip().lower()
    if sport != "run":
        raise WorkoutError(
            f"this is a {sport} workout; pacefit reads run .zwo files", location=where
        )
    duration_type = (root.findtext("durationType") or "").strip().lower()
    if duration_type not in ("time", "distance"):
        warn("no durationType: lengths read as seconds, as most programs do", location=where)
        duration_type = "time"
    reader = _BlockReader(options, where, by_distance=duration_type == "distance")
    blocks_element = root.find("workout")
    if blocks_element is None or len(blocks_element) == 0:
        raise WorkoutError("the workout has no blocks", location=where)
    nodes = reader.nodes(blocks_element)
    left_out = sorted({child.tag for child in root} - _READ_ELEMENTS)
    if left_out:
        warn(f"left out: {', '.join(left_out)}", location=where)
    return Workout(
        name=(root.findtext("name") or path.stem).strip(),
        steps=nodes,
        description=(root.findtext("description") or "").strip(),
    )


_READ_ELEMENTS = frozenset({"name", "description", "sportType", "durationType", "workout"})


class _BlockReader:
    def __init__(self, options: ReadOptions, where: Location, *, by_distance: bool) -> None:
        self.options, self.where, self.by_distance = options, where, by_distance
        self.block_number = 0

    def nodes(self, blocks: etree._Element) -> tuple[Node, ...]:
        read: list[_Block | Repeat] = []
        for element in blocks:
            if not isinstance(element.tag, str):
                continue
            self.block_number += 1
            read.append(self._block(element))
        return _settle_kinds(read, self.where)

    def _block(self, element: etree._Element) -> _Block | Repeat:
        tag = element.tag
        if tag == "IntervalsT":
            return self._intervals(element)
        name, notes = _messages(element)
        if tag in ("SteadyState", "Warmup", "Cooldown", "Ramp"):
            target, share = self._target(element, ramp=tag != "SteadyState")
            intensity = {"Warmup": Intensity.WARMUP, "Cooldown": Intensity.COOLDOWN}.get(
                tag, Intensity.ACTIVE
            )
            step = Step(intensity, self._duration(element, "Duration"), target, name, notes)
            return _Block(step, share, fixed_kind=tag in ("Warmup", "Cooldown"))
        if tag in ("FreeRide", "MaxEffort"):
            intensity = Intensity.ACTIVE if tag == "MaxEffort" else Intensity.REST
            step = Step(intensity, self._duration(element, "Duration"), None, name, notes)
            return _Block(step, None, fixed_kind=True)
        raise WorkoutError(
            f"block {self.block_number} is a <{tag}>, which pacefit cannot read",
            location=self.where,
        )

    def _intervals(self, element: etree._Element) -> Repeat:
        race = self._race(element)
        count = round(self._number(element, "Repeat", default=1))
        steps = []
        for part, intensity in (("On", Intensity.ACTIVE), ("Off", Intensity.RECOVERY)):
            share = self._number(element, f"{part}Power")
            steps.append(
                Step(
                    intensity,
                    self._duration(element, f"{part}Duration"),
                    self._band(share, share, race),
                )
            )
        return Repeat(steps=tuple(steps), count=max(count, 1))

    def _target(self, element: etree._Element, *, ramp: bool) -> tuple[PaceTarget, float]:
        race = self._race(element)
        if "Power" in element.attrib and not ramp:
            share = self._number(element, "Power")
            return self._band(share, share, race), share
        single = self._number(element, "Power")
        low = self._number(element, "PowerLow", default=single)
        high = self._number(element, "PowerHigh", default=single)
        return self._band(min(low, high), max(low, high), race), (low + high) / 2

    def _band(self, slow_share: float, fast_share: float, race: str) -> PaceTarget:
        """Shares of a race speed as a pace band; a single share gets the runner's tolerance
        either side, as Zwift has no bands."""
        paces = self.options.race_paces_s_per_km
        if paces is None:
            raise WorkoutError(
                "the paces in a .zwo are shares of the runner's race paces, and no race times "
                "were given",
                location=self.where,
                hint="pass --athlete with the runner's race times",
            )
        if slow_share <= 0:
            raise WorkoutError(
                f"block {self.block_number} has a power of {slow_share}", location=self.where
            )
        fast, slow = paces[race] / fast_share, paces[race] / slow_share
        if fast == slow:
            tolerance = self.options.pace_tolerance_s_per_km
            fast, slow = fast - tolerance, slow + tolerance
        label = f"{race} speed x{slow_share:g}" + (
            "" if slow_share == fast_share else f"-{fast_share:g}"
        )
        return PaceTarget(fast_s_per_km=fast, slow_s_per_km=slow, label=label)

    def _race(self, element: etree._Element) -> str:
        index = round(self._number(element, "pace", default=0))
        if not 0 <= index < len(REFERENCE_RACES):
            raise WorkoutError(
                f"block {self.block_number} refers to pace {index}; Zwift's are 0 (mile) to 4 "
                "(marathon)",
                location=self.where,
            )
        return REFERENCE_RACES[index]

    def _duration(self, element: etree._Element, attribute: str) -> Duration:
        amount = self._number(element, attribute)
        if amount <= 0:
            raise WorkoutError(f"block {self.block_number} has no {attribute}", location=self.where)
        return DistanceDuration(amount) if self.by_distance else TimeDuration(amount)

    def _number(self, element: etree._Element, attribute: str, default: float = 0.0) -> float:
        text = element.get(attribute)
        if text is None:
            return default
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise WorkoutError(
                f"block {self.block_number}: {attribute}='{text}' is not a number",
                location=self.where,
            )
        return number


def _messages(element: etree._Element) -> tuple[str, str]:
    """A block's messages: the one at its start is the step's name, the rest its notes."""
    name, notes = "", []
    for event in element.iter("textevent", "TextEvent"):
        message = (event.get("message") or "").strip()
        offset = event.get("timeoffset") or event.get("distoffset") or "0"
        if offset.strip() in ("0", "0.0") and not name:
            name = message
        elif message:
            notes.append(message)
    return name, " ".join(notes)


def _settle_kinds(read: list[_Block | Repeat], where: Location) -> tuple[Node, ...]:
    """Kinds for blocks that do not say theirs: a steady block slower than the blocks either
    side of it is a recovery (how a coach lays out work and jogs), and a free run that opens
    or closes the workout is its warm-up or cool-down."""
    guessed = False
    nodes: list[Node] = []
    for index, item in enumerate(read):
        if isinstance(item, Repeat):
            nodes.append(item)
            continue
        step = item.step
        kind = _kind_by_place(read, index)
        if kind is not None and kind is not step.intensity:
            step = replace(step, intensity=kind)
            guessed = True
        nodes.append(step)
    if guessed:
        warn(
            "a .zwo has no step kinds: steady blocks slower than the blocks around them are "
            "read as recoveries, a free run at either end as the warm-up or cool-down",
            location=where,
        )
    return tuple(nodes)


def _kind_by_place(read: list[_Block | Repeat], index: int) -> Intensity | None:
    item = read[index]
    assert isinstance(item, _Block)
    if item.step.intensity is Intensity.REST and len(read) > 1:  # a free run
        if index == 0:
            return Intensity.WARMUP
        if index == len(read) - 1:
            return Intensity.COOLDOWN
        return None
    if item.fixed_kind or item.speed_share is None:
        return None
    before, after = _share(read, index - 1), _share(read, index + 1)
    slower_than_before = before is not None and before > item.speed_share
    slower_than_after = after is None or after > item.speed_share
    return Intensity.RECOVERY if slower_than_before and slower_than_after else None


def _share(read: list[_Block | Repeat], index: int) -> float | None:
    """The speed share of the neighbouring steady block; None past the ends or beside a block
    that is not a steady run."""
    if not 0 <= index < len(read):
        return None
    item = read[index]
    if isinstance(item, Repeat) or item.fixed_kind:
        return None
    return item.speed_share
