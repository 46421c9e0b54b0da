"""Units: the one place where distances, durations and paces are parsed, converted and shown.

Internally everything is SI: metres, seconds, metres per second, seconds per kilometre.
Parsers raise ValueError with a message meant for a runner; callers add the location.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

METRES_PER_MILE = 1609.344
METRES_PER_KM = 1000.0


class DistanceUnit(Enum):
    KM = "km"
    MILE = "mi"

    @property
    def metres(self) -> float:
        return METRES_PER_KM if self is DistanceUnit.KM else METRES_PER_MILE


@dataclass(frozen=True)
class PaceRange:
    """A band of paces, fast edge first: the one band type (targets, training paces, bands in
    pace expressions)."""

    fast_s_per_km: float
    slow_s_per_km: float

    @property
    def middle_s_per_km(self) -> float:
        return (self.fast_s_per_km + self.slow_s_per_km) / 2

    def outside_s_per_km(self, pace_s_per_km: float) -> float:
        """How far a pace lies outside the band, signed: negative when faster, 0 inside."""
        if pace_s_per_km < self.fast_s_per_km:
            return pace_s_per_km - self.fast_s_per_km
        if pace_s_per_km > self.slow_s_per_km:
            return pace_s_per_km - self.slow_s_per_km
        return 0.0


_DISTANCE_UNITS_M = {
    "m": 1.0,
    "km": METRES_PER_KM,
    "k": METRES_PER_KM,
    "mi": METRES_PER_MILE,
    "mile": METRES_PER_MILE,
    "miles": METRES_PER_MILE,
}
_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_DISTANCE_RE = re.compile(rf"^{_NUMBER}\s*([a-z]+)$")
_TIME_UNITS_S = {"s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0, "hr": 3600.0}
_CLOCK_RE = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?(\.\d+)?$")
_PACE_RE = re.compile(r"^(\d+:[0-5]\d(?:\.\d+)?)\s*/\s*(km|mi|mile)$")


def parse_distance_m(text: str) -> float | None:
    """`800m`, `1.5 km`, `2mi`, `1 mile` -> metres; None if the text is not a distance."""
    match = _DISTANCE_RE.match(text.strip().lower())
    if not match or match.group(2) not in _DISTANCE_UNITS_M:
        return None
    return float(match.group(1)) * _DISTANCE_UNITS_M[match.group(2)]


def parse_clock_s(text: str) -> float | None:
    """`1:30` (m:ss) or `1:02:03` (h:mm:ss) -> seconds; None if not a clock time."""
    match = _CLOCK_RE.match(text.strip())
    if not match:
        return None
    first, second, third, fraction = match.groups()
    fraction_s = float(fraction) if fraction else 0.0
    if third is None:
        return int(first) * 60 + int(second) + fraction_s
    return int(first) * 3600 + int(second) * 60 + int(third) + fraction_s


def clock_problem(text: str) -> str:
    """Why `text` is not a clock time, in a few words a runner can act on."""
    text = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return f"a bare number is not a time; write m:ss or h:mm:ss ({text}:00 for {text} minutes)"
    if re.fullmatch(r"\d+(:\d+){1,2}(\.\d+)?", text):
        fields = text.split(".")[0].split(":")[1:]
        if any(int(f) >= 60 for f in fields):
            return "minutes and seconds run from 00 to 59"
        return "minutes and seconds are written with two digits (4:05, 1:02:03)"
    return "a time is m:ss or h:mm:ss"


def parse_time_s(text: str) -> float | None:
    """`30s`, `15min`, `1.5h`, `1:30`, `1:00:00` -> seconds; None if not a time."""
    clock = parse_clock_s(text)
    if clock is not None:
        return clock
    match = _DISTANCE_RE.match(text.strip().lower())
    if not match or match.group(2) not in _TIME_UNITS_S:
        return None
    return float(match.group(1)) * _TIME_UNITS_S[match.group(2)]


def parse_pace_s_per_km(text: str) -> float | None:
    """`4:05/km` or `6:30/mi` -> seconds per km; None if not a pace."""
    match = _PACE_RE.match(text.strip().lower())
    if not match:
        return None
    seconds = parse_clock_s(match.group(1))
    assert seconds is not None  # the regex only admits clock times
    if match.group(2) == "km":
        return seconds
    return seconds / METRES_PER_MILE * METRES_PER_KM


def speed_mps(pace_s_per_km: float) -> float:
    return METRES_PER_KM / pace_s_per_km


def pace_s_per_km(speed_mps: float) -> float:
    return METRES_PER_KM / speed_mps


def format_clock(seconds: float) -> str:
    """Seconds as `m:ss` or `h:mm:ss`, rounded to the second."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def per_unit(seconds_per_km: float, unit: DistanceUnit) -> float:
    """Seconds per km (a pace, or a difference of paces) as seconds per `unit`."""
    return seconds_per_km * unit.metres / METRES_PER_KM


def format_pace(pace_s_per_km: float, unit: DistanceUnit = DistanceUnit.KM) -> str:
    """`4:05/km`, `6:34/mi`."""
    return f"{format_clock(per_unit(pace_s_per_km, unit))}/{unit.value}"


def format_pace_clock(pace_s_per_km: float | None, unit: DistanceUnit = DistanceUnit.KM) -> str:
    """The pace without its unit (`4:05`), for a column headed with the unit; `-` when None."""
    return "-" if pace_s_per_km is None else format_clock(per_unit(pace_s_per_km, unit))


def format_pace_band(
    fast_s_per_km: float, slow_s_per_km: float, unit: DistanceUnit = DistanceUnit.KM
) -> str:
    """`4:00-4:10/km`, or one pace when both edges round to the same second."""
    fast, slow = per_unit(fast_s_per_km, unit), per_unit(slow_s_per_km, unit)
    if round(fast) == round(slow):
        return format_pace(fast_s_per_km, unit)
    return f"{format_clock(fast)}-{format_clock(slow)}/{unit.value}"


def format_speed_band(
    fast_s_per_km: float, slow_s_per_km: float, unit: DistanceUnit = DistanceUnit.KM
) -> str:
    """A pace band read as speed, for a ride: `28.0-32.0 km/h`, `17.4-19.9 mph`."""
    per_hour = "km/h" if unit is DistanceUnit.KM else "mph"
    slow = 3600 / per_unit(slow_s_per_km, unit)
    fast = 3600 / per_unit(fast_s_per_km, unit)
    return f"{slow:.1f}-{fast:.1f} {per_hour}"


def format_deviation(deviation_s_per_km: float | None, unit: DistanceUnit) -> str:
    """Signed seconds per unit off a band: `-7`, `+13`, `0` inside it; empty when None."""
    if deviation_s_per_km is None:
        return ""
    seconds = per_unit(deviation_s_per_km, unit)
    return "0" if round(seconds) == 0 else f"{seconds:+.0f}"


def format_distance_in(distance_m: float, unit: DistanceUnit, *, decimals: int = 2) -> str:
    """`5.38km`, `3.34mi`: a measured distance in the runner's unit."""
    return f"{distance_m / unit.metres:.{decimals}f}{unit.value}"


METRES_PER_FOOT = 0.3048


def elevation_unit(unit: DistanceUnit) -> str:
    """Heights in metres for a runner in km, in feet for one in miles."""
    return "m" if unit is DistanceUnit.KM else "ft"


def elevation_in(metres: float, unit: DistanceUnit) -> float:
    return metres if unit is DistanceUnit.KM else metres / METRES_PER_FOOT


def format_elevation(metres: float | None, unit: DistanceUnit) -> str:
    """`54 m`, `177 ft`; `-` when None."""
    return "-" if metres is None else f"{elevation_in(metres, unit):.0f} {elevation_unit(unit)}"


def format_duration(seconds: float) -> str:
    """A planned time the way a coach writes it: `30s`, `15min`, `1:30`."""
    if seconds < 60:
        return f"{seconds:g}s"
    if seconds % 60 == 0 and seconds < 3600:
        return f"{seconds / 60:g}min"
    return format_clock(seconds)


# From here on a distance reads in kilometres even when it is not a whole 100 m (42.195km).
LONG_DISTANCE_M = 10_000


def format_distance(distance_m: float) -> str:
    """`800m`, `1.5km`, `2mi`, `42.195km`: whole quarter miles in miles, else metres or
    kilometres (a race distance in kilometres, as runners say it)."""
    quarter_miles = round(distance_m / METRES_PER_MILE * 4)
    # within a centimetre, the precision of a FIT workout distance
    if (
        quarter_miles
        and abs(quarter_miles * METRES_PER_MILE / 4 - distance_m) < 0.01
        and distance_m % 100
    ):
        return f"{quarter_miles / 4:g}mi"
    if distance_m >= LONG_DISTANCE_M and abs(distance_m * 10 - round(distance_m * 10)) < 0.1:
        return f"{distance_m / 1000:.4f}".rstrip("0").rstrip(".") + "km"
    if distance_m < 1000 or distance_m % 100:
        return f"{round(distance_m, 1):g}m"
    return f"{distance_m / 1000:g}km"


def parse_tolerance_s_per_km(text: str) -> float | None:
    """`5s/km` or `8s/mi` -> seconds per km; None if not a tolerance."""
    match = re.match(r"^(\d+(?:\.\d+)?)s/(km|mi)$", text.replace(" ", "").lower())
    if not match:
        return None
    per_unit = float(match[1])
    return per_unit if match[2] == "km" else per_unit * METRES_PER_KM / METRES_PER_MILE
