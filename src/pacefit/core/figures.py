"""What the watch recorded beside the pace, summed up over a stretch of the run: heart rate,
cadence, elevation gain and loss; the watch's own laps with those figures; time in heart-rate
zones. Pure functions over a `Track`; the analysis, `--json`, the text report and the pages all
read these.

- Averages are weighted by timer time (a paused watch adds nothing) over the samples that have
  a value; cadence leaves out the zeros a watch records while the runner stands.
- Elevation gain: a recorded altitude jitters by a few tenths of a metre from one second to
  the next, and summing every rise of that noise inflates the gain (three times the watch's
  own total on the real runs here). The altitude is first averaged over
  `ALTITUDE_SMOOTHING_S` of elapsed time around each sample, then a rise (or drop) counts only
  once it exceeds `ELEVATION_HYSTERESIS_M` from the last turning point. The gain is kept as a
  running total per sample, so the gains of the steps (or laps) add up to the run's.
- Time in zones counts timer time, each second in the zone of its heart rate: the highest zone
  whose lower bound it reaches; below zone 1 is zone 0.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from pacefit.core.activity import Activity, Lap, Track

ALTITUDE_SMOOTHING_S = 20.0
ELEVATION_HYSTERESIS_M = 0.5


@dataclass(frozen=True)
class SpanFigures:
    """Heart rate, cadence and climbing over a stretch; None where the file has no such data."""

    avg_hr_bpm: float | None = None
    max_hr_bpm: int | None = None
    avg_cadence_spm: float | None = None
    elevation_gain_m: float | None = None
    elevation_loss_m: float | None = None


NO_FIGURES = SpanFigures()


@dataclass(frozen=True)
class LapFigures:
    """One of the watch's own laps: its totals as the watch kept them, and what was recorded
    within it."""

    number: int  # 1-based
    start_elapsed_s: float
    end_elapsed_s: float
    distance_m: float
    timer_s: float
    trigger: str
    avg_pace_s_per_km: float | None
    figures: SpanFigures
    steps: tuple[int, ...] = ()  # the steps (1-based) the lap went to


@dataclass(frozen=True)
class ZoneTime:
    zone: int  # 1-5; 0 is below zone 1
    low_bpm: int | None  # None for zone 0
    high_bpm: int | None  # None for zone 0
    time_s: float


@dataclass(frozen=True)
class Climbing:
    """Running totals of the counted gain and loss at each sample (empty without altitude)."""

    gain_m: tuple[float, ...]
    loss_m: tuple[float, ...]


def climbing(track: Track) -> Climbing:
    altitude = smoothed_altitude_m(track)
    if not altitude:
        return Climbing((), ())
    gains, losses = [], []
    gain = loss = 0.0
    turn: float | None = None  # the altitude of the last turning point
    for value in altitude:
        if value is not None:
            if turn is None:
                turn = value
            elif value - turn > ELEVATION_HYSTERESIS_M:
                gain, turn = gain + value - turn, value
            elif turn - value > ELEVATION_HYSTERESIS_M:
                loss, turn = loss + turn - value, value
        gains.append(gain)
        losses.append(loss)
    return Climbing(tuple(gains), tuple(losses))


def smoothed_altitude_m(track: Track) -> list[float | None]:
    """The altitude averaged over `ALTITUDE_SMOOTHING_S` of elapsed time centred on each
    sample (running sums, so linear in the samples); None where no altitude is near."""
    altitude, elapsed = track.altitude_m, track.elapsed_s
    if not altitude:
        return []
    sums, counts = [0.0], [0]
    for value in altitude:
        sums.append(sums[-1] + (value if value is not None else 0.0))
        counts.append(counts[-1] + (value is not None))
    half = ALTITUDE_SMOOTHING_S / 2
    smoothed: list[float | None] = []
    lo = hi = 0
    for now in elapsed:
        while elapsed[lo] < now - half:
            lo += 1
        while hi < len(elapsed) and elapsed[hi] <= now + half:
            hi += 1
        count = counts[hi] - counts[lo]
        smoothed.append((sums[hi] - sums[lo]) / count if count else None)
    return smoothed


def span_figures(track: Track, climbs: Climbing, start: int, end: int) -> SpanFigures:
    """The figures over samples [start, end]; each sample after `start` stands for the timer
    time since the one before it."""
    if end <= start:
        return NO_FIGURES
    heart_rate = track.heart_rate_bpm
    return SpanFigures(
        avg_hr_bpm=_weighted_mean(track, heart_rate, start, end) if heart_rate else None,
        max_hr_bpm=_maximum(heart_rate[start : end + 1]) if heart_rate else None,
        avg_cadence_spm=(
            _weighted_mean(track, track.cadence_spm, start, end, skip_zero=True)
            if track.cadence_spm
            else None
        ),
        elevation_gain_m=climbs.gain_m[end] - climbs.gain_m[start] if climbs.gain_m else None,
        elevation_loss_m=climbs.loss_m[end] - climbs.loss_m[start] if climbs.loss_m else None,
    )


def run_figures(track: Track, climbs: Climbing) -> SpanFigures:
    return span_figures(track, climbs, 0, track.last)


def lap_figures(
    activity: Activity,
    climbs: Climbing,
    lap_steps: Sequence[tuple[int, tuple[int, ...]]] = (),
) -> tuple[LapFigures, ...]:
    """The watch's laps with what was recorded in each; `lap_steps` (lap number -> step
    numbers, from the alignment) says which steps each lap went to."""
    steps_of = dict(lap_steps)
    track = activity.track
    return tuple(
        _lap(number, lap, track, climbs, steps_of.get(number, ()))
        for number, lap in enumerate(activity.laps, start=1)
    )


def _lap(
    number: int, lap: Lap, track: Track, climbs: Climbing, steps: tuple[int, ...]
) -> LapFigures:
    start = track.index_at_elapsed(lap.start_elapsed_s)
    end = track.index_at_elapsed(lap.end_elapsed_s)
    return LapFigures(
        number=number,
        start_elapsed_s=lap.start_elapsed_s,
        end_elapsed_s=lap.end_elapsed_s,
        distance_m=lap.distance_m,
        timer_s=lap.timer_s,
        trigger=lap.trigger,
        avg_pace_s_per_km=1000 * lap.timer_s / lap.distance_m if lap.distance_m > 0 else None,
        figures=span_figures(track, climbs, start, end),
        steps=steps,
    )


def time_in_zones(track: Track, zones_bpm: Sequence[tuple[int, int]]) -> tuple[ZoneTime, ...]:
    """Timer time in each zone (zone 0 first: below zone 1); empty without zones or heart
    rate."""
    heart_rate = track.heart_rate_bpm
    if not zones_bpm or not heart_rate:
        return ()
    lows = [low for low, _ in zones_bpm]
    seconds = [0.0] * (len(zones_bpm) + 1)
    timer = track.timer_s
    for i in range(1, len(timer)):
        bpm = heart_rate[i]
        dt_s = timer[i] - timer[i - 1]
        if bpm is not None and dt_s > 0:
            seconds[bisect.bisect_right(lows, bpm)] += dt_s
    return (
        ZoneTime(0, None, None, seconds[0]),
        *(
            ZoneTime(zone, low, high, seconds[zone])
            for zone, (low, high) in enumerate(zones_bpm, start=1)
        ),
    )


def _weighted_mean(
    track: Track, column: Sequence[int | None], start: int, end: int, *, skip_zero: bool = False
) -> float | None:
    timer = track.timer_s
    total = weight = 0.0
    for i in range(start + 1, end + 1):
        value = column[i]
        dt_s = timer[i] - timer[i - 1]
        if value is None or dt_s <= 0 or (skip_zero and value == 0):
            continue
        total += value * dt_s
        weight += dt_s
    return total / weight if weight else None


def _maximum(values: Sequence[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None
