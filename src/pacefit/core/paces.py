"""The pace model: race paces (given or predicted with Riegel) and training paces (Daniels VDOT).

Pure functions over an `Athlete`; nothing here reads files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pacefit.core.units import DistanceUnit, PaceRange

RACE_DISTANCES_M: dict[str, float] = {
    "5k": 5000.0,
    "10k": 10000.0,
    "half": 21097.5,
    "marathon": 42195.0,
}
RIEGEL_EXPONENT = 1.06
DEFAULT_PACE_TOLERANCE_S_PER_KM = 5.0  # the band around a single target pace

# Training intensities as a fraction of VDOT (Daniels' Running Formula); marathon pace is the
# VDOT-equivalent marathon race pace instead. Checked against the published tables in the tests.
EASY_FRACTIONS = (0.65, 0.74)
THRESHOLD_FRACTION = 0.88
INTERVAL_FRACTION = 0.975
REPETITION_FRACTION = 1.05
TRAINING_PACE_NAMES = ("easy", "marathon", "threshold", "interval", "repetition")

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

    def hr_zone_bpm(self, zone: int) -> tuple[int, int] | None:
        """The bpm range of a zone (1-based), from explicit zones or from max HR."""
        if self.hr_zones_bpm:
            return self.hr_zones_bpm[zone - 1] if 0 < zone <= len(self.hr_zones_bpm) else None
        if self.max_hr_bpm is None or not 0 < zone <= len(DEFAULT_HR_ZONE_FRACTIONS):
            return None
        low, high = DEFAULT_HR_ZONE_FRACTIONS[zone - 1]
        return round(low * self.max_hr_bpm), round(high * self.max_hr_bpm)


@dataclass(frozen=True)
class RacePace:
    pace_s_per_km: float
    source: str  # "given", "Riegel from 10k", "VDOT 50.0"


@dataclass(frozen=True)
class PaceTable:
    vdot: float
    race: dict[str, RacePace]
    training: dict[str, PaceRange]


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
    low_s, high_s = distance_m / 12.0, distance_m / 0.5  # 12 m/s .. 0.5 m/s brackets any runner
    for _ in range(100):
        mid_s = (low_s + high_s) / 2
        if vdot_from_race(distance_m=distance_m, time_s=mid_s) > vdot:
            low_s = mid_s
        else:
            high_s = mid_s
    return (low_s + high_s) / 2


def riegel_time_s(*, known_distance_m: float, known_time_s: float, distance_m: float) -> float:
    return known_time_s * math.pow(distance_m / known_distance_m, RIEGEL_EXPONENT)


def _pace_at_fraction(vdot: float, fraction: float) -> float:
    return 60_000 / speed_m_per_min_at_vo2(vdot * fraction)


def athlete_vdot(athlete: Athlete) -> float | None:
    """The athlete's VDOT: given, or the best of their races (Daniels: train off the best race)."""
    if athlete.vdot is not None:
        return athlete.vdot
    if not athlete.race_times_s:
        return None
    return max(
        vdot_from_race(distance_m=RACE_DISTANCES_M[name], time_s=time_s)
        for name, time_s in athlete.race_times_s.items()
    )


def race_paces(athlete: Athlete, vdot: float) -> dict[str, RacePace]:
    """Given races as they are; the others by Riegel from the nearest given distance."""
    paces: dict[str, RacePace] = {}
    for name, distance_m in RACE_DISTANCES_M.items():
        if name in athlete.race_times_s:
            time_s, source = athlete.race_times_s[name], "given"
        elif athlete.race_times_s:
            nearest = min(
                athlete.race_times_s,
                key=lambda known: abs(math.log(RACE_DISTANCES_M[known] / distance_m)),
            )
            time_s = riegel_time_s(
                known_distance_m=RACE_DISTANCES_M[nearest],
                known_time_s=athlete.race_times_s[nearest],
                distance_m=distance_m,
            )
            source = f"Riegel from {nearest}"
        else:
            time_s = race_time_from_vdot(vdot=vdot, distance_m=distance_m)
            source = f"VDOT {vdot:.1f}"
        paces[name] = RacePace(pace_s_per_km=time_s / distance_m * 1000, source=source)
    return paces


def training_paces(vdot: float) -> dict[str, PaceRange]:
    marathon_s_per_km = (
        race_time_from_vdot(vdot=vdot, distance_m=RACE_DISTANCES_M["marathon"])
        / RACE_DISTANCES_M["marathon"]
        * 1000
    )

    def single(pace_s_per_km: float) -> PaceRange:
        return PaceRange(fast_s_per_km=pace_s_per_km, slow_s_per_km=pace_s_per_km)

    return {
        "easy": PaceRange(
            fast_s_per_km=_pace_at_fraction(vdot, EASY_FRACTIONS[1]),
            slow_s_per_km=_pace_at_fraction(vdot, EASY_FRACTIONS[0]),
        ),
        "marathon": single(marathon_s_per_km),
        "threshold": single(_pace_at_fraction(vdot, THRESHOLD_FRACTION)),
        "interval": single(_pace_at_fraction(vdot, INTERVAL_FRACTION)),
        "repetition": single(_pace_at_fraction(vdot, REPETITION_FRACTION)),
    }


def pace_table(athlete: Athlete) -> PaceTable | None:
    """Every pace a workout can refer to, or None when the athlete gave no race and no VDOT."""
    vdot = athlete_vdot(athlete)
    if vdot is None:
        return None
    return PaceTable(vdot=vdot, race=race_paces(athlete, vdot), training=training_paces(vdot))
