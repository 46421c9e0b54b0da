"""A recorded run, whatever file it came from: samples, laps, pauses, and the workout the watch
ran (when it embedded one). Readers for FIT and GPX both produce an `Activity`."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from pacefit.core.workout import Workout

EARTH_RADIUS_M = 6_371_008.8
# A gap between samples longer than this, with the timer not known to be running, is a pause.
PAUSE_GAP_S = 30.0
PAUSED_SPEED_MPS = 0.5


class Sample(NamedTuple):
    """One recorded point. `timer_s` stops while the timer is paused; `elapsed_s` does not."""

    elapsed_s: float
    timer_s: float
    distance_m: float
    speed_mps: float | None
    heart_rate_bpm: int | None = None
    cadence_spm: int | None = None


@dataclass(frozen=True)
class Lap:
    start_elapsed_s: float
    end_elapsed_s: float
    distance_m: float
    timer_s: float
    wkt_step_index: int | None = None
    trigger: str = "manual"  # manual, distance, time, position, session_end, ...


@dataclass(frozen=True)
class Pause:
    start_elapsed_s: float
    end_elapsed_s: float


@dataclass(frozen=True)
class Activity:
    source: str
    file_format: str  # "fit" or "gpx"
    start_time: dt.datetime | None
    samples: tuple[Sample, ...]
    laps: tuple[Lap, ...] = ()
    pauses: tuple[Pause, ...] = ()
    workout: Workout | None = None
    sport: str = "running"
    device: str = ""
    utc_offset_s: float = 0.0  # local time minus UTC where the run was recorded, when known

    @property
    def local_date(self) -> dt.date | None:
        """The calendar day of the run where it was run (UTC when the file does not say)."""
        if self.start_time is None:
            return None
        return (self.start_time + dt.timedelta(seconds=self.utc_offset_s)).date()

    @property
    def timer_s(self) -> float:
        return self.samples[-1].timer_s - self.samples[0].timer_s if self.samples else 0.0

    @property
    def distance_m(self) -> float:
        return self.samples[-1].distance_m - self.samples[0].distance_m if self.samples else 0.0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def cumulative_distance_m(positions: Sequence[tuple[float, float] | None]) -> list[float]:
    """Distance along a track of (lat, lon) degrees; a missing position adds nothing."""
    total = 0.0
    distances = []
    previous: tuple[float, float] | None = None
    for position in positions:
        if position is not None and previous is not None:
            total += haversine_m(previous[0], previous[1], position[0], position[1])
        if position is not None:
            previous = position
        distances.append(total)
    return distances


def derive_speeds_mps(
    elapsed_s: Sequence[float], distance_m: Sequence[float], *, window_s: float = 4.0
) -> list[float | None]:
    """Speed from distance over a short trailing window (for files that record no speed)."""
    speeds: list[float | None] = []
    start = 0
    for index, now in enumerate(elapsed_s):
        while start < index and now - elapsed_s[start] > window_s:
            start += 1
        span = now - elapsed_s[start]
        speeds.append((distance_m[index] - distance_m[start]) / span if span > 0 else None)
    return speeds


def timer_from_pauses(elapsed_s: Sequence[float], pauses: Sequence[Pause]) -> list[float]:
    """Timer time at each sample: elapsed time less the paused time before it."""
    timers = []
    ordered = sorted(pauses, key=lambda p: p.start_elapsed_s)
    for now in elapsed_s:
        paused = sum(
            min(now, pause.end_elapsed_s) - pause.start_elapsed_s
            for pause in ordered
            if pause.start_elapsed_s < now
        )
        timers.append(now - paused)
    return timers


def gaps_as_pauses(elapsed_s: Sequence[float], distance_m: Sequence[float]) -> list[Pause]:
    """Pauses guessed from gaps in the recording: a long gap crossed at walking speed or less.

    A sparse log of a moving runner (one point a minute) is not a pause.
    """
    pauses = []
    for i in range(1, len(elapsed_s)):
        gap_s = elapsed_s[i] - elapsed_s[i - 1]
        if gap_s > PAUSE_GAP_S and (distance_m[i] - distance_m[i - 1]) / gap_s < PAUSED_SPEED_MPS:
            pauses.append(Pause(start_elapsed_s=elapsed_s[i - 1], end_elapsed_s=elapsed_s[i]))
    return pauses
