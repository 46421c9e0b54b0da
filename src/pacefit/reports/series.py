"""The series a run page draws: pace (as speed), heart rate, elevation and cadence against
elapsed time and distance, thinned for drawing and never for the figures.

- Pace is drawn as speed over a short centred window (`PACE_WINDOW_S` of timer time, and at
  least the points either side where the recording is sparser), from the distance, so GPS
  jitter second to second does not hide the reps; standing (slower than
  `STOPPED_SPEED_MPS`) and paused time are gaps.
- Thinning keeps, in each of about `MAX_POINTS / (2 x series)` buckets of samples, the samples
  where each series is lowest and highest, so a spike or a dip stays on the chart however long
  the run.
- The pace axis holds every step's average pace and every target band, and the bulk of the
  drawn speeds (`ROBUST_SHARE` of them); a drawn speed beyond that range is drawn at its edge
  and marked as an outlier, never clipped silently.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from pacefit.core.activity import Track
from pacefit.core.figures import smoothed_altitude_m
from pacefit.core.score import Analysis

MAX_POINTS = 2000
PACE_WINDOW_S = 10.0
STOPPED_SPEED_MPS = 0.5
ROBUST_SHARE = 0.99  # of the drawn speeds, within the axis
AXIS_MARGIN = 0.06  # of the range, either side


@dataclass(frozen=True)
class Series:
    """Columns of equal length, one value per drawn point."""

    index: tuple[int, ...]  # the track sample each point is
    elapsed_s: tuple[float, ...]
    distance_m: tuple[float, ...]
    speed_mps: tuple[float | None, ...]  # within the axis: outliers drawn at its edge
    raw_speed_mps: tuple[float | None, ...]  # as measured, outliers too (for the readout)
    outlier_mps: tuple[float | None, ...]  # the edge value where the speed lies beyond it
    heart_rate_bpm: tuple[int | None, ...] | None  # None: the file has no such column
    altitude_m: tuple[float | None, ...] | None
    cadence_spm: tuple[int | None, ...] | None
    speed_axis_mps: tuple[float, float]  # slow end, fast end


def run_series(analysis: Analysis) -> Series:
    track = analysis.activity.track
    speed = window_speed_mps(track)
    altitude = smoothed_altitude_m(track) if track.altitude_m else None
    columns: list[Sequence[float | int | None]] = [speed]
    columns += [c for c in (track.heart_rate_bpm, altitude, track.cadence_spm) if c]
    kept = thinned_indices(columns, len(track))
    low, high = speed_axis_mps(analysis, speed)
    drawn: list[float | None] = []
    outliers: list[float | None] = []
    for i in kept:
        value = speed[i]
        if value is None or low <= value <= high:
            drawn.append(value)
            outliers.append(None)
        else:
            edge = low if value < low else high
            drawn.append(edge)
            outliers.append(edge)

    def pick(column: Sequence[float | int | None] | None) -> tuple[float | int | None, ...] | None:
        return tuple(column[i] for i in kept) if column else None

    return Series(
        index=tuple(kept),
        elapsed_s=tuple(track.elapsed_s[i] for i in kept),
        distance_m=tuple(track.distance_m[i] for i in kept),
        speed_mps=tuple(drawn),
        raw_speed_mps=tuple(speed[i] for i in kept),
        outlier_mps=tuple(outliers),
        heart_rate_bpm=pick(track.heart_rate_bpm),  # type: ignore[arg-type]
        altitude_m=pick(altitude),
        # a watch records 0 while the runner stands: a gap, not a plunge to the axis
        cadence_spm=pick([c or None for c in track.cadence_spm]),  # type: ignore[arg-type]
        speed_axis_mps=(low, high),
    )


def window_speed_mps(track: Track) -> list[float | None]:
    """Distance over timer time across `PACE_WINDOW_S` centred on each sample; None while
    paused or standing."""
    timer, distance = track.timer_s, track.distance_m
    half = PACE_WINDOW_S / 2
    speeds: list[float | None] = []
    lo = hi = 0
    count = len(timer)
    for i in range(count):
        now = timer[i]
        while timer[lo] < now - half:
            lo += 1
        while hi + 1 < count and timer[hi + 1] <= now + half:
            hi += 1
        # a sparse recording (a point every 11 s, say) has no neighbour within the window:
        # the window reaches the points either side
        first, last = min(lo, max(i - 1, 0)), max(hi, min(i + 1, count - 1))
        span_s = timer[last] - timer[first]
        moving = i == 0 or timer[i] > timer[i - 1]
        speed = (distance[last] - distance[first]) / span_s if span_s > 0 and moving else None
        speeds.append(speed if speed is not None and speed >= STOPPED_SPEED_MPS else None)
    return speeds


def thinned_indices(columns: Sequence[Sequence[float | int | None]], length: int) -> list[int]:
    """At most about `MAX_POINTS` sample indices: the first and last, and in each bucket the
    lowest and highest sample of every column."""
    if length <= MAX_POINTS:
        return list(range(length))
    buckets = max(1, MAX_POINTS // (2 * len(columns)))
    size = length / buckets
    kept = {0, length - 1}
    for b in range(buckets):
        start, end = int(b * size), min(length, int((b + 1) * size))
        for column in columns:
            low = high = None
            for i in range(start, end):
                value = column[i]
                if value is None:
                    continue
                if low is None or value < column[low]:  # type: ignore[operator]
                    low = i
                if high is None or value > column[high]:  # type: ignore[operator]
                    high = i
            kept.update(i for i in (low, high) if i is not None)
        kept.add(start)  # a gap (a pause) stays a gap
    return sorted(kept)


def speed_axis_mps(analysis: Analysis, speeds: Sequence[float | None]) -> tuple[float, float]:
    """(slow end, fast end): every step's average pace and every band, and the bulk of the
    drawn speeds, with a margin."""
    must: list[float] = []
    for step in analysis.steps:
        if step.avg_pace_s_per_km:
            must.append(1000 / step.avg_pace_s_per_km)
        if step.target is not None:
            must += [1000 / step.target.fast_s_per_km, 1000 / step.target.slow_s_per_km]
    drawn = sorted(s for s in speeds if s is not None)
    if drawn:
        cut = int(len(drawn) * (1 - ROBUST_SHARE) / 2)
        must += [drawn[cut], drawn[len(drawn) - 1 - cut]]
    if not must:
        return (STOPPED_SPEED_MPS, 6.0)
    low, high = min(must), max(must)
    margin = max(AXIS_MARGIN * (high - low), 0.1)
    return (max(STOPPED_SPEED_MPS, low - margin), high + margin)


def index_at(series: Series, sample: int) -> int:
    """The drawn point at or just before a track sample."""
    return max(0, bisect.bisect_right(series.index, sample) - 1)
