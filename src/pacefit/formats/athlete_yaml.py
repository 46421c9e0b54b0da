"""The athlete file: race times (or a VDOT), pace model, level, display unit, heart rate,
default pace tolerance."""

from __future__ import annotations

import re
from collections.abc import Collection
from enum import Enum
from pathlib import Path
from typing import TypeVar

import yaml

from pacefit.core import units
from pacefit.core.devices import DEVICE_PROFILES
from pacefit.core.paces import (
    DEFAULT_PACE_TOLERANCE_S_PER_KM,
    RACE_DISTANCES_M,
    Athlete,
    PaceModel,
    athlete_vdot,
    outside_tables_note,
    race_time_problem,
    vdot_problem,
)
from pacefit.core.workout import LEVELS
from pacefit.errors import warn
from pacefit.formats.yaml_source import Entry, YamlSource, read_tolerance

ATHLETE_KEYS = (
    "name", "races", "vdot", "model", "level", "unit", "max_hr", "hr_zones", "tolerance", "device",
    "intervals_icu_athlete",
)  # fmt: skip
# intervals.icu's athlete ids: `i` and digits (Settings page), or digits; 0 means the key's owner
_ICU_ATHLETE_RE = re.compile(r"^i?\d{1,12}$")


def load_athlete(path: Path) -> Athlete:
    return parse_athlete(YamlSource.from_file(path))


def parse_athlete(source: YamlSource) -> Athlete:
    top = source.mapping(source.root, what="an athlete file", allowed=ATHLETE_KEYS)
    races = _races(source, top["races"].value) if "races" in top else {}
    vdot = _vdot(source, top)
    max_hr = _number(source, top, "max_hr", low=100, high=240)
    athlete = Athlete(
        name=source.text(top["name"].value, what="'name'") if "name" in top else "runner",
        race_times_s=races,
        vdot=vdot,
        display_unit=_unit(source, top),
        max_hr_bpm=round(max_hr) if max_hr is not None else None,
        hr_zones_bpm=_hr_zones(source, top["hr_zones"].value) if "hr_zones" in top else (),
        pace_tolerance_s_per_km=read_tolerance(
            source, top, default=DEFAULT_PACE_TOLERANCE_S_PER_KM
        ),
        pace_model=_choice(source, top, "model", PaceModel, default=PaceModel.VDOT),
        level=_named(source, top, "level", LEVELS, "levels"),
        device=_named(source, top, "device", DEVICE_PROFILES, "devices"),
        intervals_icu_athlete=_icu_athlete(source, top),
    )
    training_vdot = athlete_vdot(athlete)
    note = outside_tables_note(training_vdot) if training_vdot is not None else None
    if note:
        node = top["vdot"].value if "vdot" in top else top["races"].value
        warn(note, location=source.location(node))
    return athlete


def _icu_athlete(source: YamlSource, top: dict[str, Entry]) -> str | None:
    if "intervals_icu_athlete" not in top:
        return None
    node = top["intervals_icu_athlete"].value
    text = source.text(node, what="'intervals_icu_athlete'").strip()
    if not _ICU_ATHLETE_RE.match(text):
        source.fail(
            node,
            f"'{text}' is not an intervals.icu athlete id",
            "it is on intervals.icu's Settings page, like 'i12345'",
        )
    return text


def _races(source: YamlSource, node: yaml.Node) -> dict[str, float]:
    entries = source.mapping(node, what="'races'", allowed=tuple(RACE_DISTANCES_M))
    races: dict[str, float] = {}
    for name, entry in entries.items():
        text = source.text(entry.value, what=f"the {name} time")
        time_s = units.parse_clock_s(text)
        if time_s is None:
            source.fail(
                entry.value,
                f"cannot use '{text}' as a {name} time: {units.clock_problem(text)}",
                "write race times as m:ss or h:mm:ss, e.g. '45:00' or '1:39:30'",
            )
        problem = race_time_problem(name, time_s)
        if problem:
            source.fail_value(entry.value, problem)
        races[name] = time_s
    return races


def _number(
    source: YamlSource, entries: dict[str, Entry], key: str, *, low: float, high: float
) -> float | None:
    if key not in entries:
        return None
    node = entries[key].value
    text = source.text(node, what=f"'{key}'")
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        source.fail(node, f"'{key}' must be a number from {low:g} to {high:g}, got '{text}'")
    return value


def _vdot(source: YamlSource, entries: dict[str, Entry]) -> float | None:
    if "vdot" not in entries:
        return None
    node = entries["vdot"].value
    text = source.text(node, what="'vdot'")
    try:
        vdot = float(text)
    except ValueError:
        source.fail(node, f"'vdot' must be a number, got '{text}'", "e.g. 'vdot: 48.5'")
    problem = vdot_problem(vdot)
    if problem:
        source.fail_value(node, problem)
    return vdot


E = TypeVar("E", bound=Enum)


def _choice(
    source: YamlSource, entries: dict[str, Entry], key: str, choices: type[E], *, default: E
) -> E:
    if key not in entries:
        return default
    node = entries[key].value
    text = source.text(node, what=f"'{key}'").strip().lower()
    for choice in choices:
        if choice.value == text:
            return choice
    names = ", ".join(str(choice.value) for choice in choices)
    source.fail(node, f"unknown {key} '{text}'", f"use one of {names}")


def _named(
    source: YamlSource, entries: dict[str, Entry], key: str, names: Collection[str], plural: str
) -> str | None:
    """One of `names` (a level, a device), or None when the key is absent."""
    if key not in entries:
        return None
    node = entries[key].value
    text = source.text(node, what=f"'{key}'").strip().lower()
    if text not in names:
        source.fail(node, f"unknown {key} '{text}'", f"{plural} are {', '.join(names)}")
    return text


def _unit(source: YamlSource, entries: dict[str, Entry]) -> units.DistanceUnit:
    if "unit" not in entries:
        return units.DistanceUnit.KM
    text = source.text(entries["unit"].value, what="'unit'").strip().lower()
    if text in ("mi", "mile", "miles"):
        return units.DistanceUnit.MILE
    if text in ("km", "kilometre", "kilometer", "kilometres", "kilometers"):
        return units.DistanceUnit.KM
    source.fail(entries["unit"].value, f"unknown unit '{text}'", "use 'km' or 'mi'")


def _hr_zones(source: YamlSource, node: yaml.Node) -> tuple[tuple[int, int], ...]:
    zones: list[tuple[int, int]] = []
    for item in source.sequence(node, what="'hr_zones'"):
        text = source.text(item, what="a heart-rate zone").replace(" ", "")
        match = re.match(r"^(\d+)-(\d+)(?:bpm)?$", text)
        if not match or not 30 <= int(match[1]) < int(match[2]) <= 250:
            source.fail(item, f"cannot read the zone '{text}'", "write each zone as '120-140'")
        zones.append((int(match[1]), int(match[2])))
    if len(zones) != 5:
        source.fail(node, f"'hr_zones' lists {len(zones)} zones", "list exactly five zones, 1 to 5")
    return tuple(zones)
