"""What the watch recorded beside the pace, summed up over a stretch of the run: heart rate,
cadence, elevation gain and loss; the watch's own laps with those figures; time in heart-rate
zones. Pure functions over a `Track`; the analysis, `--json`, the text report and the pages all
read these.

- Averages are weighted by timer time (a paused watch adds nothing) over the samples that have
  a value; cadence leaves out the zeros a watch records while the runner stands. They are
  taken from running totals computed once per run (`span_totals`), so a stretch costs two
  lookups whatever its length: a run has a span per step, per lap and for the whole run.
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
from itertools import accumulate
from operator import sub

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


@dataclass(frozen=True)
class WeightedTotals:
    """Running totals at each sample of a value times the timer time before it, and of that
    time, over the samples that count (empty without the column)."""

    value_s: tuple[float, ...]
    time_s: tuple[float, ...]

    def mean(self, start: int, end: int) -> float | None:
        """The timer-weighted mean over samples [start, end]: None where no time counted."""
        if not self.time_s:
            return None
        weight = self.time_s[end] - self.time_s[start]
        return (self.value_s[end] - self.value_s[start]) / weight if weight else None


NO_CLIMBING = Climbing((), ())
NO_TOTALS = WeightedTotals((), ())


@dataclass(frozen=True)
class SpanTotals:
    """What the figures of any stretch of a run are read from, computed once per run."""

    climbs: Climbing
    heart_rate: WeightedTotals
    cadence: WeightedTotals


def span_totals(track: Track, *, heart_rate_only: bool = False) -> SpanTotals:
    """`heart_rate_only`: the heart rate's totals alone (what a score keeps of the figures);
    the spans' cadence and climbing are then None."""
    if heart_rate_only:
        return SpanTotals(
            climbs=NO_CLIMBING,
            heart_rate=_weighted_totals(track, track.heart_rate_bpm),
            cadence=NO_TOTALS,
        )
    return SpanTotals(
        climbs=climbing(track),
        heart_rate=_weighted_totals(track, track.heart_rate_bpm),
        cadence=_weighted_totals(track, track.cadence_spm, skip_zero=True),
    )


def climbing(track: Track) -> Climbing:
    altitude = smoothed_altitude_m(track)
    if not altitude:
        return NO_CLIMBING
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


def span_figures(track: Track, totals: SpanTotals, start: int, end: int) -> SpanFigures:
    """The figures over samples [start, end]; each sample after `start` stands for the timer
    time since the one before it."""
    if end <= start:
        return NO_FIGURES
    heart_rate, climbs = track.heart_rate_bpm, totals.climbs
    return SpanFigures(
        avg_hr_bpm=totals.heart_rate.mean(start, end),
        max_hr_bpm=_maximum(heart_rate[start : end + 1]) if heart_rate else None,
        avg_cadence_spm=totals.cadence.mean(start, end),
        elevation_gain_m=climbs.gain_m[end] - climbs.gain_m[start] if climbs.gain_m else None,
        elevation_loss_m=climbs.loss_m[end] - climbs.loss_m[start] if climbs.loss_m else None,
    )


def run_figures(track: Track, totals: SpanTotals) -> SpanFigures:
    return span_figures(track, totals, 0, track.last)


def lap_figures(
    activity: Activity,
    totals: SpanTotals,
    lap_steps: Sequence[tuple[int, tuple[int, ...]]] = (),
) -> tuple[LapFigures, ...]:
    """The watch's laps with what was recorded in each; `lap_steps` (lap number -> step
    numbers, from the alignment) says which steps each lap went to."""
    steps_of = dict(lap_steps)
    track = activity.track
    return tuple(
        _lap(number, lap, track, totals, steps_of.get(number, ()))
        for number, lap in enumerate(activity.laps, start=1)
    )


def _lap(
    number: int, lap: Lap, track: Track, totals: SpanTotals, steps: tuple[int, ...]
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
        figures=span_figures(track, totals, start, end),
        steps=steps,
    )


def time_in_zones(track: Track, zones_bpm: Sequence[tuple[int, int]]) -> tuple[ZoneTime, ...]:
    """Timer time in each zone (zone 0 first: below zone 1); empty without zones or heart
    rate."""
    heart_rate = track.heart_rate_bpm
    if not zones_bpm or all(bpm is None for bpm in heart_rate):  # no column, or no reading
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


def _weighted_totals(
    track: Track, column: Sequence[int | None], *, skip_zero: bool = False
) -> WeightedTotals:
    if not column:
        return NO_TOTALS
    timer = track.timer_s
    # whole-column passes (comprehensions and accumulate run in C), summed in sample order
    counted_s = [
        dt_s if value is not None and dt_s > 0 and (value or not skip_zero) else 0.0
        for value, dt_s in zip(column[1:], map(sub, timer[1:], timer[:-1]), strict=True)
    ]
    value_s = [
        value * dt_s if dt_s and value is not None else 0.0
        for value, dt_s in zip(column[1:], counted_s, strict=True)
    ]
    return WeightedTotals(
        tuple(accumulate(value_s, initial=0.0)), tuple(accumulate(counted_s, initial=0.0))
    )


def _maximum(values: Sequence[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None
