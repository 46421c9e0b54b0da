"""The pace model: race paces (given, or predicted by VDOT or Riegel) and training paces
(Daniels' VDOT).

Pure functions over an `Athlete`; nothing here reads files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import assert_never

from pacefit.core.plausible import world_record_s
from pacefit.core.units import METRES_PER_MILE, DistanceUnit, PaceRange, format_clock, format_pace
from pacefit.core.workout import DEFAULT_LEVEL
from pacefit.errors import InvalidValue

RACE_DISTANCES_M: dict[str, float] = {
    "5k": 5000.0,
    "10k": 10000.0,
    "half": 21097.5,
    "marathon": 42195.0,
}
RIEGEL_EXPONENT = 1.06
DEFAULT_PACE_TOLERANCE_S_PER_KM = 5.0  # the band around a single target pace
DEFAULT_EASY_PACE_S_PER_KM = 360.0  # for estimates when the runner's easy pace is unknown


class PaceModel(Enum):
    """How race paces for distances the runner has not raced are predicted."""

    VDOT = "vdot"  # the race time of the same VDOT (Daniels' Table 5.1): the default
    RIEGEL = "riegel"  # Riegel's T2 = T1 x (D2/D1)^1.06


# Daniels' published tables run from VDOT 30 to 85; outside them every figure is extrapolated.
VDOT_TABLE_RANGE = (30.0, 85.0)
# VDOT 10 is a 5K in 71 minutes, 95 a 5K in 11:40 (faster than the world record): outside
# these a race time or VDOT is a typo, not a runner.
VDOT_PLAUSIBLE_RANGE = (10.0, 95.0)

# Training paces as fractions of VDOT (the oxygen cost of the pace over VO2max), fitted to
# Daniels' Table 5.2 (Daniels' Running Formula, 3rd ed.): with these, every E, M, T, I and R
# figure from VDOT 30 to 85 is within 1 s/km of the published one beyond the table's own
# rounding (tests/test_paces.py checks each row). E's slow edge slips from 63.4 % and its fast
# edge rises from 72.5 %; R rises from 105.9 %; T and I are flat. The training M is the
# race-equivalent marathon pace, except at low VDOT where the table's M is slower: there it
# follows its own fraction.
THRESHOLD_FRACTION = 0.88
INTERVAL_FRACTION = 0.975


def _easy_fractions(vdot: float) -> tuple[float, float]:
    """(slow edge, fast edge) of the easy band."""
    return 0.634 - 0.00015 * (vdot - 30), 0.7245 + 0.00032 * (vdot - 30)


def _repetition_fraction(vdot: float) -> float:
    return 1.059 + 0.00078 * (vdot - 30)


def _marathon_training_fraction(vdot: float) -> float:
    return 0.778 + 0.00225 * (vdot - 30)


# The training paces a workout names, with Daniels' letters. `marathon` in a workout is the
# race pace; `marathon-training` is Daniels' M.
TRAINING_PACE_LETTERS = {
    "easy": "E",
    "marathon-training": "M",
    "threshold": "T",
    "interval": "I",
    "repetition": "R",
}
TRAINING_PACE_NAMES = tuple(TRAINING_PACE_LETTERS)

# Garmin's default zones as fractions of maximum heart rate.
DEFAULT_HR_ZONE_FRACTIONS = ((0.50, 0.60), (0.60, 0.70), (0.70, 0.80), (0.80, 0.90), (0.90, 1.00))


@dataclass(frozen=True)
class Athlete:
    name: str = "runner"
    race_times_s: dict[str, float] = field(default_factory=dict)
    vdot: float | None = None
    display_unit: DistanceUnit = DistanceUnit.KM
    max_hr_bpm: int | None = None
    hr_zones_bpm: tuple[tuple[int, int], ...] = ()
    pace_tolerance_s_per_km: float = DEFAULT_PACE_TOLERANCE_S_PER_KM
    pace_model: PaceModel = PaceModel.VDOT
    level: str | None = None  # the runner's usual level, for plans and workouts
    device: str | None = None  # the runner's watch, a name in core.devices.DEVICE_PROFILES
    intervals_icu_athlete: str | None = None  # the runner's athlete id on intervals.icu

    def hr_zones(self) -> tuple[tuple[int, int], ...]:
        """The five zones in bpm, from explicit zones or from max HR; empty when unknown."""
        zones = [self.hr_zone_bpm(zone) for zone in range(1, len(DEFAULT_HR_ZONE_FRACTIONS) + 1)]
        return tuple(z for z in zones if z is not None) if all(zones) else ()

    def hr_zone_bpm(self, zone: int) -> tuple[int, int] | None:
        """The bpm range of a zone (1-based), from explicit zones or from max HR."""
        if self.hr_zones_bpm:
            return self.hr_zones_bpm[zone - 1] if 0 < zone <= len(self.hr_zones_bpm) else None
        if self.max_hr_bpm is None or not 0 < zone <= len(DEFAULT_HR_ZONE_FRACTIONS):
            return None
        low, high = DEFAULT_HR_ZONE_FRACTIONS[zone - 1]
        return round(low * self.max_hr_bpm), round(high * self.max_hr_bpm)


def runner_level(level: str | None, athlete: Athlete | None) -> str:
    """The level asked for, else the athlete file's, else intermediate."""
    return level or (athlete.level if athlete else None) or DEFAULT_LEVEL


@dataclass(frozen=True)
class RacePace:
    pace_s_per_km: float
    source: str  # "given", "VDOT 45.3 from 10k", "Riegel from 10k", "VDOT 50.0"


@dataclass(frozen=True)
class PaceTable:
    vdot: float
    model: PaceModel
    race: dict[str, RacePace]
    training: dict[str, PaceRange]
    vdot_source: str = ""  # "given", or the race it comes from ("10k")


def vo2_ml_kg_min(speed_m_per_min: float) -> float:
    """Oxygen cost of running at a speed (Daniels & Gilbert)."""
    return -4.60 + 0.182258 * speed_m_per_min + 0.000104 * speed_m_per_min**2


def fraction_of_vo2max(duration_min: float) -> float:
    """Share of VO2max sustainable for a race of this length (Daniels & Gilbert)."""
    return (
        0.8
        + 0.1894393 * math.exp(-0.012778 * duration_min)
        + 0.2989558 * math.exp(-0.1932605 * duration_min)
    )


def vdot_from_race(*, distance_m: float, time_s: float) -> float:
    minutes = time_s / 60
    return vo2_ml_kg_min(distance_m / minutes) / fraction_of_vo2max(minutes)


def speed_m_per_min_at_vo2(vo2: float) -> float:
    """Inverse of `vo2_ml_kg_min` (the positive root of the quadratic)."""
    a, b, c = 0.000104, 0.182258, -4.60 - vo2
    return (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)


def race_time_from_vdot(*, vdot: float, distance_m: float) -> float:
    """The race time (s) whose VDOT equals `vdot`, by bisection (VDOT falls as time grows)."""
    low_s, high_s = distance_m / 12.0, distance_m / 0.2  # 12 m/s .. 0.2 m/s bracket any runner
    for _ in range(100):
        mid_s = (low_s + high_s) / 2
        if vdot_from_race(distance_m=distance_m, time_s=mid_s) > vdot:
            low_s = mid_s
        else:
            high_s = mid_s
    return (low_s + high_s) / 2


def riegel_time_s(*, known_distance_m: float, known_time_s: float, distance_m: float) -> float:
    return known_time_s * math.pow(distance_m / known_distance_m, RIEGEL_EXPONENT)


# -- checks every input path shares (athlete file, command line) -------------------------------


def vdot_problem(vdot: float) -> InvalidValue | None:
    """Why a VDOT cannot be used, or None."""
    low, high = VDOT_PLAUSIBLE_RANGE
    if not low <= vdot <= high:  # also refuses NaN
        return InvalidValue(
            f"VDOT {vdot:g} is not a runner's VDOT",
            f"give a VDOT from {low:g} to {high:g} (Daniels' tables cover 30 to 85)",
        )
    return None


def race_time_problem(name: str, time_s: float) -> InvalidValue | None:
    """Why `time_s` cannot be the runner's time over the race `name`, or None: no time beats
    the world record (core.plausible's table), and none is slower than VDOT 10 (a walk)."""
    hint = "write race times as m:ss or h:mm:ss, e.g. '45:00' or '1:39:30'"
    if not time_s > 0:
        return InvalidValue(f"a {name} time must be longer than zero", hint)
    distance_m = RACE_DISTANCES_M[name]
    record_s = world_record_s(distance_m)
    if record_s is not None and time_s < record_s:
        return InvalidValue(
            f"a {name} in {format_clock(time_s)} is faster than the world record "
            f"({format_clock(record_s)})",
            hint,
        )
    low, _ = VDOT_PLAUSIBLE_RANGE
    if vdot_from_race(distance_m=distance_m, time_s=time_s) < low:
        pace = format_pace(time_s / distance_m * 1000)
        return InvalidValue(
            f"a {name} in {format_clock(time_s)} is slower than a walk ({pace})",
            f"{hint}; pacefit takes times as slow as VDOT {low:g} "
            f"({format_clock(race_time_from_vdot(vdot=low, distance_m=distance_m))} for a {name})",
        )
    return None


def outside_tables_note(vdot: float) -> str | None:
    """A warning's text when `vdot` lies outside Daniels' tables, else None."""
    low, high = VDOT_TABLE_RANGE
    if low <= vdot <= high:
        return None
    return (
        f"VDOT {vdot:.1f} is outside Daniels' tables ({low:g}-{high:g}): its paces are "
        "extrapolated, check them against how the runner feels"
    )


# -- the table ----------------------------------------------------------------------------------


def _pace_at_fraction(vdot: float, fraction: float) -> float:
    return 60_000 / speed_m_per_min_at_vo2(vdot * fraction)


def athlete_vdot(athlete: Athlete) -> float | None:
    """The athlete's VDOT: given, or the best of their races (Daniels: train off the best race)."""
    found = _vdot_and_source(athlete)
    return found[0] if found else None


def _vdot_and_source(athlete: Athlete) -> tuple[float, str] | None:
    if athlete.vdot is not None:
        return athlete.vdot, "given"
    if not athlete.race_times_s:
        return None
    return max(
        (vdot_from_race(distance_m=RACE_DISTANCES_M[name], time_s=time_s), name)
        for name, time_s in athlete.race_times_s.items()
    )


def race_paces(athlete: Athlete, vdot: float) -> dict[str, RacePace]:
    """Given races as they are; the others predicted from the nearest given distance by the
    athlete's model (or from the VDOT when no race is given)."""
    paces: dict[str, RacePace] = {}
    for name, distance_m in RACE_DISTANCES_M.items():
        if name in athlete.race_times_s:
            time_s, source = athlete.race_times_s[name], "given"
        elif athlete.race_times_s:
            time_s, source = _predicted(athlete, distance_m)
        else:
            time_s = race_time_from_vdot(vdot=vdot, distance_m=distance_m)
            source = f"VDOT {vdot:.1f}"
        paces[name] = RacePace(pace_s_per_km=time_s / distance_m * 1000, source=source)
    return paces


def _predicted(athlete: Athlete, distance_m: float) -> tuple[float, str]:
    nearest = min(
        athlete.race_times_s,
        key=lambda known: abs(math.log(RACE_DISTANCES_M[known] / distance_m)),
    )
    known_distance_m = RACE_DISTANCES_M[nearest]
    known_time_s = athlete.race_times_s[nearest]
    match athlete.pace_model:
        case PaceModel.RIEGEL:
            time_s = riegel_time_s(
                known_distance_m=known_distance_m,
                known_time_s=known_time_s,
                distance_m=distance_m,
            )
            return time_s, f"Riegel from {nearest}"
        case PaceModel.VDOT:
            race_vdot = vdot_from_race(distance_m=known_distance_m, time_s=known_time_s)
            time_s = race_time_from_vdot(vdot=race_vdot, distance_m=distance_m)
            return time_s, f"VDOT {race_vdot:.1f} from {nearest}"
        case _:
            assert_never(athlete.pace_model)


def training_paces(vdot: float) -> dict[str, PaceRange]:
    """Daniels' E, M, T, I and R at a VDOT (E a band, the others single paces)."""
    marathon_m = RACE_DISTANCES_M["marathon"]
    marathon_race_s_per_km = race_time_from_vdot(vdot=vdot, distance_m=marathon_m) / marathon_m
    marathon_race_s_per_km *= 1000
    easy_slow, easy_fast = _easy_fractions(vdot)

    def single(pace_s_per_km: float) -> PaceRange:
        return PaceRange(fast_s_per_km=pace_s_per_km, slow_s_per_km=pace_s_per_km)

    return {
        "easy": PaceRange(
            fast_s_per_km=_pace_at_fraction(vdot, easy_fast),
            slow_s_per_km=_pace_at_fraction(vdot, easy_slow),
        ),
        "marathon-training": single(
            max(marathon_race_s_per_km, _pace_at_fraction(vdot, _marathon_training_fraction(vdot)))
        ),
        "threshold": single(_pace_at_fraction(vdot, THRESHOLD_FRACTION)),
        "interval": single(_pace_at_fraction(vdot, INTERVAL_FRACTION)),
        "repetition": single(_pace_at_fraction(vdot, _repetition_fraction(vdot))),
    }


def pace_table(athlete: Athlete) -> PaceTable | None:
    """Every pace a workout can refer to, or None when the athlete gave no race and no VDOT."""
    found = _vdot_and_source(athlete)
    if found is None:
        return None
    vdot, source = found
    return PaceTable(
        vdot=vdot,
        model=athlete.pace_model,
        race=race_paces(athlete, vdot),
        training=training_paces(vdot),
        vdot_source=source,
    )


# The races other programs give paces against, in Zwift's order (its run blocks' pace="0".."4").
REFERENCE_RACES = ("mile", "5k", "10k", "half", "marathon")


def reference_race_paces(table: PaceTable) -> dict[str, float]:
    """The runner's pace at each of REFERENCE_RACES (the mile from their VDOT, as pacefit
    predicts no mile otherwise)."""
    mile_s = race_time_from_vdot(vdot=table.vdot, distance_m=METRES_PER_MILE)
    paces = {"mile": mile_s / METRES_PER_MILE * 1000}
    paces.update({name: race.pace_s_per_km for name, race in table.race.items()})
    return paces
