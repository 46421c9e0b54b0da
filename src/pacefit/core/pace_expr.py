"""Pace expressions of the workout language: `4:05/km`, `5k - 3s/km`, `10k + 2%`, `easy`,
`5k..10k` (a band between two paces) and `5k -> 10k` (a slide, for ladders).

Parsing is pure text; resolving needs the athlete's `PaceTable`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pacefit.core.paces import RACE_DISTANCES_M, TRAINING_PACE_NAMES, PaceTable
from pacefit.core.units import (
    METRES_PER_KM,
    METRES_PER_MILE,
    PaceRange,
    clock_problem,
    parse_pace_s_per_km,
)
from pacefit.errors import InvalidValue

PACE_HINT = "expected e.g. '5k', '5k - 3s/km', '10k + 2%', 'threshold', '4:05/km', '4:00-4:10/km'"
PACE_NAMES = (*RACE_DISTANCES_M, *TRAINING_PACE_NAMES)
# Longest first, so that `marathon-training` is not read as `marathon` and a stray `-training`.
_NAMES_LONGEST_FIRST = sorted(PACE_NAMES, key=len, reverse=True)

_OFFSET_RE = re.compile(r"^([+-])\s*(\d+(?:\.\d+)?)\s*(s/km|s/mi|s|%)$")


@dataclass(frozen=True)
class NamedPace:
    """A race or training pace of the athlete, shifted by seconds per km and/or a percentage."""

    name: str
    offset_s_per_km: float = 0.0
    offset_percent: float = 0.0


@dataclass(frozen=True)
class PaceBetween:
    """Anywhere between two paces (`5k..10k`)."""

    first: NamedPace | PaceRange
    second: NamedPace | PaceRange


@dataclass(frozen=True)
class PaceSlide:
    """A pace moving from one pace to another across a ladder (`5k -> 10k`)."""

    start: NamedPace | PaceRange
    end: NamedPace | PaceRange

    def at(self, fraction: float) -> InterpolatedPace:
        return InterpolatedPace(start=self.start, end=self.end, fraction=fraction)


@dataclass(frozen=True)
class InterpolatedPace:
    start: NamedPace | PaceRange
    end: NamedPace | PaceRange
    fraction: float


PaceExpr = PaceRange | NamedPace | PaceBetween | PaceSlide | InterpolatedPace


def parse_pace(text: str) -> PaceExpr:
    text = " ".join(text.strip().lower().split())
    if "->" in text:
        start, _, end = text.partition("->")
        return PaceSlide(start=_parse_single(start), end=_parse_single(end))
    between = re.match(r"^between (.+) and (.+)$", text)
    if between:
        return PaceBetween(first=_parse_single(between[1]), second=_parse_single(between[2]))
    if ".." in text:
        first, _, second = text.partition("..")
        return PaceBetween(first=_parse_single(first), second=_parse_single(second))
    return _parse_single(text)


def _parse_single(text: str) -> NamedPace | PaceRange:
    text = text.strip()
    absolute = _parse_absolute(text)
    if absolute is not None:
        return absolute
    name = next(
        (n for n in _NAMES_LONGEST_FIRST if re.match(rf"^{re.escape(n)}(?![a-z0-9])", text)), None
    )
    if name is None:
        raise InvalidValue(f"unknown pace '{text}'", PACE_HINT)
    rest = text[len(name) :].strip()
    if not rest:
        return NamedPace(name=name)
    offset = _OFFSET_RE.match(rest)
    if not offset:
        raise InvalidValue(
            f"cannot read the pace offset '{rest}' in '{text}'",
            "write an offset as '+ 5s/km', '- 3s/mi' or '+ 2%'",
        )
    sign = 1.0 if offset[1] == "+" else -1.0
    amount, unit = float(offset[2]), offset[3]
    if unit == "%":
        return NamedPace(name=name, offset_percent=sign * amount)
    per_km = amount * METRES_PER_KM / METRES_PER_MILE if unit == "s/mi" else amount
    return NamedPace(name=name, offset_s_per_km=sign * per_km)


def _parse_absolute(text: str) -> PaceRange | None:
    """`4:05/km` or `4:00-4:10/km` (either order), or None when not an absolute pace."""
    unit_match = re.search(r"/\s*(km|mi|mile)$", text)
    if not unit_match or not re.match(r"^\d+:", text):
        return None
    body, unit = text[: unit_match.start()].strip(), unit_match[1]
    parts = [p.strip() for p in body.split("-")]
    if len(parts) > 2:
        raise InvalidValue(f"cannot read the pace '{text}'", PACE_HINT)
    paces = [parse_pace_s_per_km(f"{part}/{unit}") for part in parts]
    for part, pace in zip(parts, paces, strict=True):
        if pace is None:
            why = f": {clock_problem(part)}" if re.fullmatch(r"\d+:[\d:.]+", part) else ""
            raise InvalidValue(f"cannot read the pace '{text}'{why}", PACE_HINT)
    values = [p for p in paces if p is not None]
    return PaceRange(fast_s_per_km=min(values), slow_s_per_km=max(values))


def resolve_pace(
    expr: PaceExpr, *, table: PaceTable | None, tolerance_s_per_km: float
) -> PaceRange:
    """The pace band a step targets. A single pace gets +/- the tolerance."""
    if isinstance(expr, PaceSlide):
        raise InvalidValue(
            "a sliding pace ('a -> b') only works in a ladder",
            "use '5k..10k' for a band, or put the steps in a `ladder:`",
        )
    if isinstance(expr, PaceBetween):
        first = _resolve_single(expr.first, table)
        second = _resolve_single(expr.second, table)
        return PaceRange(
            fast_s_per_km=min(first.fast_s_per_km, second.fast_s_per_km),
            slow_s_per_km=max(first.slow_s_per_km, second.slow_s_per_km),
        )
    if isinstance(expr, InterpolatedPace):
        start = _resolve_single(expr.start, table).middle_s_per_km
        end = _resolve_single(expr.end, table).middle_s_per_km
        band = _point(start + (end - start) * expr.fraction)
    else:
        band = _resolve_single(expr, table)
    if band.fast_s_per_km == band.slow_s_per_km:
        return PaceRange(
            fast_s_per_km=band.fast_s_per_km - tolerance_s_per_km,
            slow_s_per_km=band.slow_s_per_km + tolerance_s_per_km,
        )
    return band


def _point(pace_s_per_km: float) -> PaceRange:
    return PaceRange(fast_s_per_km=pace_s_per_km, slow_s_per_km=pace_s_per_km)


def _resolve_single(expr: NamedPace | PaceRange, table: PaceTable | None) -> PaceRange:
    if isinstance(expr, PaceRange):
        return PaceRange(fast_s_per_km=expr.fast_s_per_km, slow_s_per_km=expr.slow_s_per_km)
    if table is None:
        raise InvalidValue(
            f"pace '{expr.name}' needs the athlete's race times",
            "pass --athlete FILE with at least one race time (5k, 10k, half, marathon) or a vdot",
        )
    if expr.name in table.race:
        base = _point(table.race[expr.name].pace_s_per_km)
    else:
        base = table.training[expr.name]

    def shift(pace_s_per_km: float) -> float:
        return pace_s_per_km * (1 + expr.offset_percent / 100) + expr.offset_s_per_km

    return PaceRange(
        fast_s_per_km=shift(base.fast_s_per_km), slow_s_per_km=shift(base.slow_s_per_km)
    )
