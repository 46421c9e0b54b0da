"""The athlete file: race times (or a VDOT), display unit, heart rate, default pace tolerance."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from pacefit.core import units
from pacefit.core.paces import DEFAULT_PACE_TOLERANCE_S_PER_KM, RACE_DISTANCES_M, Athlete
from pacefit.formats.yaml_source import Entry, YamlSource, read_tolerance

ATHLETE_KEYS = ("name", "races", "vdot", "unit", "max_hr", "hr_zones", "tolerance")


def load_athlete(path: Path) -> Athlete:
    return parse_athlete(YamlSource.from_file(path))


def parse_athlete(source: YamlSource) -> Athlete:
    top = source.mapping(source.root, what="an athlete file", allowed=ATHLETE_KEYS)
    races = _races(source, top["races"].value) if "races" in top else {}
    vdot = _number(source, top, "vdot", low=20, high=90)
    max_hr = _number(source, top, "max_hr", low=100, high=240)
    return Athlete(
        name=source.text(top["name"].value, what="'name'") if "name" in top else "runner",
        race_times_s=races,
        vdot=vdot,
        display_unit=_unit(source, top),
        max_hr_bpm=round(max_hr) if max_hr is not None else None,
        hr_zones_bpm=_hr_zones(source, top["hr_zones"].value) if "hr_zones" in top else (),
        pace_tolerance_s_per_km=read_tolerance(
            source, top, default=DEFAULT_PACE_TOLERANCE_S_PER_KM
        ),
    )


def _races(source: YamlSource, node: yaml.Node) -> dict[str, float]:
    entries = source.mapping(node, what="'races'", allowed=tuple(RACE_DISTANCES_M))
    races: dict[str, float] = {}
    for name, entry in entries.items():
        text = source.text(entry.value, what=f"the {name} time")
        time_s = units.parse_clock_s(text)
        distance_m = RACE_DISTANCES_M[name]
        # Between 1.5 and 20 minutes per km: anything else is a typo, not a race.
        if time_s is None or not 90 * distance_m / 1000 <= time_s <= 1200 * distance_m / 1000:
            source.fail(
                entry.value,
                f"cannot use '{text}' as a {name} time",
                "write race times as m:ss or h:mm:ss, e.g. '45:00' or '1:39:30'",
            )
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
