"""A recorded run, whatever file it came from: the samples as columns, laps, pauses, the running
legs with their own totals, and the workout the watch ran (when it embedded one).

The readers (FIT, GPX, TCX) all produce an `Activity`; nothing here reads files.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from pacefit.core.workout import Workout

T = TypeVar("T")
EARTH_RADIUS_M = 6_371_008.8
# A gap between samples this much longer than the usual interval, crossed at walking speed or
# less, is a pause (for files that record no timer: GPX).
PAUSE_GAP_FACTOR = 5.0
MIN_PAUSE_GAP_S = 10.0
PAUSED_SPEED_MPS = 0.5
AUTO_LAP_TRIGGERS = frozenset(
    {"distance", "time", "position_start", "position_lap", "position_waypoint", "position_marked"}
)


@dataclass(frozen=True)
class Track:
    """The recorded points of a run as columns, in time order.

    `timer_s` stops while the timer is paused; `elapsed_s` does not. `speed_mps` is the device's
    own speed field (None where it recorded none); `distance_m` only ever grows. The optional
    columns are empty when the file has none of them, else one value (or None) per sample."""

    elapsed_s: tuple[float, ...]
    timer_s: tuple[float, ...]
    distance_m: tuple[float, ...]
    speed_mps: tuple[float | None, ...]
    heart_rate_bpm: tuple[int | None, ...] = ()
    cadence_spm: tuple[int | None, ...] = ()
    altitude_m: tuple[float | None, ...] = ()
    latitude_deg: tuple[float | None, ...] = ()
    longitude_deg: tuple[float | None, ...] = ()

    def __len__(self) -> int:
        return len(self.elapsed_s)

    @property
    def last(self) -> int:
        return len(self.elapsed_s) - 1

    def index_at_elapsed(self, elapsed_s: float) -> int:
        """The first sample at or after `elapsed_s` (the last sample past the end)."""
        return min(bisect.bisect_left(self.elapsed_s, elapsed_s), self.last)

    def index_at_timer(self, timer_s: float, *, lo: int = 0) -> int:
        return min(bisect.bisect_left(self.timer_s, timer_s, lo=lo), self.last)

    def index_at_distance(self, distance_m: float, *, lo: int = 0) -> int:
        return min(bisect.bisect_left(self.distance_m, distance_m, lo=lo), self.last)


@dataclass(frozen=True)
class Lap:
    start_elapsed_s: float
    end_elapsed_s: float
    distance_m: float
    timer_s: float
    wkt_step_index: int | None = None
    trigger: str = "manual"  # manual, distance, time, position_*, session_end, unknown, ...

    @property
    def automatic(self) -> bool:
        """Made by the watch (auto lap), not by the runner's button."""
        return self.trigger in AUTO_LAP_TRIGGERS


@dataclass(frozen=True)
class Pause:
    start_elapsed_s: float
    end_elapsed_s: float


@dataclass(frozen=True)
class Leg:
    """One running session (a multisport file has several), with the totals the watch kept."""

    start_elapsed_s: float
    end_elapsed_s: float
    distance_m: float
    timer_s: float


@dataclass(frozen=True)
class Correction:
    """Something in a file pacefit did not take as written, said in a runner's words (shown as a
    warning naming the file, and listed by `--json`)."""

    kind: str  # a stable name for scripts: "gps_at_0_0", "lap_written_twice", ...
    message: str  # "ignored 1 GPS point at 0,0 (point 1001)"
    figures: tuple[tuple[str, float], ...] = ()  # named with their units: ("stated_m", 4e7)


@dataclass(frozen=True)
class Activity:
    source: str
    file_format: str  # "fit", "gpx" or "tcx"
    start_time: dt.datetime | None
    track: Track
    laps: tuple[Lap, ...] = ()
    pauses: tuple[Pause, ...] = ()
    legs: tuple[Leg, ...] = ()  # empty when the file keeps no totals (GPX)
    workout: Workout | None = None
    sport: str = "running"
    device: str = ""
    utc_offset_s: float = 0.0  # local time minus UTC where the run was recorded, when known
    decoder: str = ""  # what read the file: pacefit (FIT fast path), fitparse, lxml (GPX, TCX)
    distance_source: str = "distance"  # "distance" as recorded, or "positions" (GPS track)
    pauses_from_gaps: bool = False  # no timer in the file: pauses guessed from gaps (GPX)
    untimed_points: int = 0  # points the file holds without a time, left out of the track
    corrections: tuple[Correction, ...] = ()  # what was not taken as written (core.plausible)

    @property
    def local_date(self) -> dt.date | None:
        """The calendar day of the run where it was run (UTC when the file does not say)."""
        if self.start_time is None:
            return None
        return (self.start_time + dt.timedelta(seconds=self.utc_offset_s)).date()

    @property
    def timer_s(self) -> float:
        """Running time with pauses taken out: the watch's own totals when it kept them."""
        if self.legs:
            return sum(leg.timer_s for leg in self.legs)
        timer = self.track.timer_s
        return timer[-1] - timer[0] if timer else 0.0

    @property
    def distance_m(self) -> float:
        if self.legs:
            return sum(leg.distance_m for leg in self.legs)
        distance = self.track.distance_m
        return distance[-1] - distance[0] if distance else 0.0


# -- geometry and time helpers for the readers ---------------------------------------------


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def cumulative_distance_m(positions: Sequence[tuple[float, float] | None]) -> list[float]:
    """Distance along a track of (lat, lon) degrees; a missing position (or one that is not a
    number) adds nothing."""
    total = 0.0
    distances = []
    previous: tuple[float, float] | None = None
    for position in positions:
        if position is not None and not (math.isfinite(position[0]) and math.isfinite(position[1])):
            position = None
        if position is not None and previous is not None:
            total += haversine_m(previous[0], previous[1], position[0], position[1])
        if position is not None:
            previous = position
        distances.append(total)
    return distances


def optional_column(values: Sequence[T | None]) -> tuple[T | None, ...]:
    """A column as `Track` keeps it: empty when no sample has a value."""
    return tuple(values) if any(v is not None for v in values) else ()


def merge_pauses(pauses: Sequence[Pause]) -> tuple[Pause, ...]:
    """Pauses as disjoint spans, so that a stretch of time is taken out once even when two
    sources name it (a timer stop inside a multisport transition)."""
    merged: list[Pause] = []
    for pause in sorted(pauses, key=lambda p: p.start_elapsed_s):
        if pause.end_elapsed_s <= pause.start_elapsed_s:
            continue
        if merged and pause.start_elapsed_s <= merged[-1].end_elapsed_s:
            last = merged[-1]
            merged[-1] = Pause(last.start_elapsed_s, max(last.end_elapsed_s, pause.end_elapsed_s))
        else:
            merged.append(pause)
    return tuple(merged)


def timer_from_pauses(elapsed_s: Sequence[float], pauses: Sequence[Pause]) -> list[float]:
    """Timer time at each sample (`elapsed_s` in time order): elapsed time less the paused time
    before it."""
    timers: list[float] = []
    done_s = 0.0  # pause time wholly before the current sample
    k = 0
    # a stretch of samples at a time (found by bisection), each a comprehension
    for pause in merge_pauses(pauses):
        start_s, end_s = pause.start_elapsed_s, pause.end_elapsed_s
        before = bisect.bisect_right(elapsed_s, start_s, k)
        timers += [now - done_s for now in elapsed_s[k:before]]
        inside = bisect.bisect_left(elapsed_s, end_s, before)
        timers += [now - done_s - (now - start_s) for now in elapsed_s[before:inside]]
        done_s += end_s - start_s
        k = inside
    timers += [now - done_s for now in elapsed_s[k:]]
    return timers


def gaps_as_pauses(elapsed_s: Sequence[float], distance_m: Sequence[float]) -> list[Pause]:
    """Pauses guessed from gaps in the recording, for files with no timer: a gap several times
    longer than the usual interval between points, crossed at walking speed or less. A sparse
    log of a moving runner (one point a minute) is not a pause."""
    if len(elapsed_s) < 3:
        return []
    threshold_s = max(MIN_PAUSE_GAP_S, PAUSE_GAP_FACTOR * usual_interval_s(elapsed_s))
    pauses = []
    for i in range(1, len(elapsed_s)):
        gap_s = elapsed_s[i] - elapsed_s[i - 1]
        if gap_s > threshold_s and (distance_m[i] - distance_m[i - 1]) / gap_s < PAUSED_SPEED_MPS:
            pauses.append(Pause(start_elapsed_s=elapsed_s[i - 1], end_elapsed_s=elapsed_s[i]))
    return pauses


def utc_offset_s(time: dt.datetime | None) -> float:
    """The UTC offset a file wrote a time with (0 for UTC, or when it names no zone)."""
    if time is None or time.tzinfo is None:
        return 0.0
    offset = time.utcoffset()
    return offset.total_seconds() if offset else 0.0


def usual_interval_s(elapsed_s: Sequence[float]) -> float:
    """The median time between recorded points (1 s for most watches, more with smart
    recording)."""
    intervals = sorted(b - a for a, b in itertools.pairwise(elapsed_s))
    return intervals[len(intervals) // 2] if intervals else 1.0


def forward_filled(values: Sequence[float | None]) -> list[float]:
    """Recorded distances with gaps (and values that are not numbers) filled by the last value.
    A value that goes back or jumps is kept as recorded: `core.plausible` judges it, with the
    times beside it."""
    result = []
    last = 0.0
    for value in values:
        if value is not None and math.isfinite(value):
            last = value
        result.append(last)
    return result
