"""Scoring pacing adherence, step by step and overall. Pure functions over an alignment.

Measuring a step:
- its average pace is the pace a runner would recognise: the totals of its own laps (timer time
  and distance, as the watch shows them) when the step is whole laps, else distance over timer
  time between its first and last samples (pauses excluded);
- time in band is counted second by second on the speed over the last half minute: from the
  speed field when that agrees with the distance over the step, else from the distance itself
  (a foot pod that reads 10 % slow, or a file with positions and no speed, cannot make a rep
  look slow); time with no data at all is left out, never counted against the runner.

Verdicts: the work steps (active steps with a pace target) are on target, fast or slow by their
average pace (within `EDGE_TOLERANCE_S_PER_KM` of the band counts as inside), short under 90 % of
the plan, skipped under 10 %. The other steps (warm-up, recoveries, cool-down) are done, short
under half the plan, or skipped.

The score is described in the README ("The score").
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum
from itertools import accumulate
from operator import sub

from pacefit.core.activity import Activity, Track
from pacefit.core.align import Alignment, StepWindow
from pacefit.core.describe import step_label
from pacefit.core.figures import (
    NO_FIGURES,
    LapFigures,
    SpanFigures,
    ZoneTime,
    lap_figures,
    run_figures,
    span_figures,
    span_totals,
    time_in_zones,
)
from pacefit.core.workout import (
    ExecutedStep,
    PaceTarget,
    Step,
    Workout,
    is_hard,
    planned_time_s,
    share_of_plan,
)

PENALTY_SCALE_S_PER_KM = 15.0  # an average pace this far outside the band earns nothing
EDGE_TOLERANCE_S_PER_KM = 0.5  # finer than any watch shows a pace
SHORT_FRACTION = 0.9  # a work step under this share of its plan is short
SUPPORT_SHORT_FRACTION = 0.5  # a recovery, warm-up or cool-down cut this far short is flagged
SKIPPED_FRACTION = 0.1  # under this share of the plan, the step was not run
WORK_SHARE = 0.9  # of the score; the rest is for doing the other steps
OPEN_STEP_WEIGHT_S = 60.0  # the weight of an open step among the support steps
SPEED_AGREEMENT = 0.03  # the speed field is used when it agrees with distance within this
SPEED_COVERAGE = 0.9
SMOOTHING_S = 30.0  # time in band is about the pace held, not GPS jitter second to second
MOVING_SPEED_MPS = 0.5  # slower than this is standing, left out of the pace spread


class Verdict(Enum):
    ON_TARGET = "on target"
    FAST = "fast"
    SLOW = "slow"
    SHORT = "short"
    SKIPPED = "skipped"
    DONE = "done"  # a step that is not graded on pace


@dataclass(frozen=True)
class StepResult:
    number: int
    executed: ExecutedStep
    verdict: Verdict
    work: bool  # graded on pace: an active step with a pace target
    start_elapsed_s: float | None = None
    end_elapsed_s: float | None = None
    distance_m: float = 0.0
    timer_s: float = 0.0
    completed_fraction: float = 0.0
    avg_pace_s_per_km: float | None = None
    pace_source: str | None = None  # "laps", "distance" or "positions"
    time_in_band_fraction: float | None = None
    band_source: str | None = None  # "speed" (the device's field) or "distance"
    deviation_s_per_km: float | None = None  # signed: < 0 faster than the band, > 0 slower
    pace_stdev_s_per_km: float | None = None
    score: float | None = None  # 0-100, work steps only; None when there was no data
    weight_s: float = 0.0  # the step's planned time: its weight in the score
    laps: tuple[int, ...] = ()  # the laps (1-based) that are exactly this step
    figures: SpanFigures = NO_FIGURES  # heart rate, cadence, climbing (core.figures)

    @property
    def step(self) -> Step:
        return self.executed.step

    @property
    def target(self) -> PaceTarget | None:
        return self.step.target if isinstance(self.step.target, PaceTarget) else None


@dataclass(frozen=True)
class RepeatSummary:
    fit_step_index: int
    label: str
    avg_paces_s_per_km: tuple[float, ...]  # the reps that were run
    consistency_s_per_km: float  # standard deviation of the reps' average paces
    fade_s_per_km: float  # last third minus first third of the reps: > 0 means slowing


@dataclass(frozen=True)
class Analysis:
    activity: Activity
    workout: Workout
    alignment: Alignment
    steps: tuple[StepResult, ...]
    repeats: tuple[RepeatSummary, ...]
    score: float | None
    work_score: float | None  # the pacing of the work steps, 0-100
    support_done_fraction: float | None  # how much of the other steps was done
    figures: SpanFigures = NO_FIGURES  # over the whole run
    laps: tuple[LapFigures, ...] = ()  # the watch's own laps
    hr_zones: tuple[ZoneTime, ...] = ()  # time in each zone, when the runner's zones are known


def analyse(
    activity: Activity,
    workout: Workout,
    alignment: Alignment,
    *,
    hr_zones_bpm: tuple[tuple[int, int], ...] = (),
    scoring_only: bool = False,
) -> Analysis:
    """The run measured step by step against the workout as aligned.

    `scoring_only`: what the verdicts, the scores and a review's trends need (each step's
    pace, length and heart rate), for a season's review or a log's upload. The figures only a
    run's page shows are left out: time in band and pace spread (None), the steps' cadence and
    climbing (None), and the whole run's figures, its laps and zones (empty)."""
    track = activity.track
    totals = span_totals(track, heart_rate_only=scoring_only)
    results = tuple(
        replace(result, figures=span_figures(track, totals, window.start, window.end))
        if window.start is not None and window.end is not None
        else result
        for result, window in zip(
            (
                _measure(activity, window, pace_statistics=not scoring_only)
                for window in alignment.windows
            ),
            alignment.windows,
            strict=True,
        )
    )
    work, support = work_score(results), support_done(results)
    return Analysis(
        activity=activity,
        workout=workout,
        alignment=alignment,
        steps=results,
        repeats=tuple(_repeat_summaries(results)),
        score=overall_score(work, support),
        work_score=work,
        support_done_fraction=support,
        figures=NO_FIGURES if scoring_only else run_figures(track, totals),
        laps=() if scoring_only else lap_figures(activity, totals, alignment.lap_steps),
        hr_zones=() if scoring_only else time_in_zones(track, hr_zones_bpm),
    )


# -- the score ------------------------------------------------------------------------------


def credit(pace_s_per_km: float, target: PaceTarget) -> float:
    """1 inside the band, falling linearly to 0 at PENALTY_SCALE_S_PER_KM outside it."""
    outside = abs(target.outside_s_per_km(pace_s_per_km)) - EDGE_TOLERANCE_S_PER_KM
    return max(0.0, 1.0 - max(0.0, outside) / PENALTY_SCALE_S_PER_KM)


def work_score(results: tuple[StepResult, ...]) -> float | None:
    scored = [r for r in results if r.work and r.score is not None and r.weight_s > 0]
    total = sum(r.weight_s for r in scored)
    if not total:
        return None
    # a weighted mean of 100s can come out a hair above 100 in floating point
    return min(100.0, sum((r.score or 0.0) * r.weight_s for r in scored) / total)


def support_done(results: tuple[StepResult, ...]) -> float | None:
    support = [r for r in results if not r.work]
    total = sum(r.weight_s for r in support)
    if not total:
        return None
    return sum(min(1.0, r.completed_fraction) * r.weight_s for r in support) / total


def overall_score(work: float | None, support: float | None) -> float | None:
    if work is None:
        return None
    if support is None:
        return work
    return min(100.0, WORK_SHARE * work + (1 - WORK_SHARE) * 100 * support)


# -- measuring a step -----------------------------------------------------------------------


def _measure(activity: Activity, window: StepWindow, *, pace_statistics: bool) -> StepResult:
    step = window.executed.step
    work = is_hard(step)
    planned_s = planned_time_s(step)
    result = StepResult(
        number=window.number,
        executed=window.executed,
        verdict=Verdict.SKIPPED,
        work=work,
        weight_s=planned_s if planned_s is not None else (0.0 if work else OPEN_STEP_WEIGHT_S),
        score=0.0 if work else None,
    )
    if window.skipped:
        return result
    assert window.start is not None and window.end is not None
    track = activity.track
    distance_m, timer_s, pace_source = _totals(activity, window)
    share = share_of_plan(step, distance_m=distance_m, timer_s=timer_s)
    completed = 1.0 if share is None else share  # a step of no set length was done
    measured = replace(
        result,
        start_elapsed_s=track.elapsed_s[window.start],
        end_elapsed_s=track.elapsed_s[window.end],
        distance_m=distance_m,
        timer_s=timer_s,
        completed_fraction=completed,
        avg_pace_s_per_km=1000 * timer_s / distance_m if distance_m > 0 and timer_s > 0 else None,
        pace_source=pace_source,
        laps=tuple(lap + 1 for lap in window.laps),
    )
    target = measured.target
    if target is not None and pace_statistics:
        measured = _pace_statistics(measured, track, window, target)
    if not work:
        return replace(measured, verdict=_support_verdict(completed))
    if measured.avg_pace_s_per_km is None:
        return replace(measured, verdict=_verdict(completed, None), score=None)
    deviation = target.outside_s_per_km(measured.avg_pace_s_per_km) if target else None
    verdict = _verdict(completed, deviation)
    if verdict is Verdict.SKIPPED:
        # a few seconds of a step pressed through say nothing about pace
        return replace(
            measured,
            verdict=verdict,
            score=0.0,
            avg_pace_s_per_km=None,
            time_in_band_fraction=None,
            pace_stdev_s_per_km=None,
        )
    step_credit = 0.0 if target is None else credit(measured.avg_pace_s_per_km, target)
    return replace(
        measured,
        verdict=verdict,
        deviation_s_per_km=deviation,
        score=100.0 * step_credit * min(1.0, completed),
    )


def _totals(activity: Activity, window: StepWindow) -> tuple[float, float, str]:
    """Distance, timer time, and where they came from."""
    assert window.start is not None and window.end is not None
    if window.laps:
        laps = [activity.laps[k] for k in window.laps]
        return sum(lap.distance_m for lap in laps), sum(lap.timer_s for lap in laps), "laps"
    track = activity.track
    distance_m = track.distance_m[window.end] - track.distance_m[window.start]
    timer_s = track.timer_s[window.end] - track.timer_s[window.start]
    return distance_m, timer_s, activity.distance_source


def _verdict(completed: float, deviation: float | None) -> Verdict:
    if completed < SKIPPED_FRACTION:
        return Verdict.SKIPPED
    if completed < SHORT_FRACTION:
        return Verdict.SHORT
    if deviation is None:
        return Verdict.DONE
    if deviation < -EDGE_TOLERANCE_S_PER_KM:
        return Verdict.FAST
    if deviation > EDGE_TOLERANCE_S_PER_KM:
        return Verdict.SLOW
    return Verdict.ON_TARGET


def _support_verdict(completed: float) -> Verdict:
    if completed < SKIPPED_FRACTION:
        return Verdict.SKIPPED
    if completed < SUPPORT_SHORT_FRACTION:
        return Verdict.SHORT
    return Verdict.DONE


def _pace_statistics(
    result: StepResult, track: Track, window: StepWindow, target: PaceTarget
) -> StepResult:
    """Time in band and the spread of pace, on the speed of the last few seconds."""
    assert window.start is not None and window.end is not None
    field = _speed_field(track, window.start, window.end)
    source = _speed_source(track, window.start, window.end, field)
    # within EDGE_TOLERANCE_S_PER_KM of the band counts as in it (abs(outside) <= tolerance)
    fastest = target.fast_s_per_km - EDGE_TOLERANCE_S_PER_KM
    slowest = target.slow_s_per_km + EDGE_TOLERANCE_S_PER_KM
    in_band = total = 0.0
    paces: list[float] = []
    weights: list[float] = []
    for dt_s, speed in _smoothed(track, window.start, window.end, source, field):
        if speed is None:
            continue  # no data: not counted either way
        total += dt_s
        pace = 1000 / speed if speed > 0 else math.inf
        if fastest <= pace <= slowest:
            in_band += dt_s
        if speed > MOVING_SPEED_MPS:
            paces.append(pace)
            weights.append(dt_s)
    if total == 0:
        return result
    return replace(
        result,
        time_in_band_fraction=in_band / total,
        band_source=source,
        pace_stdev_s_per_km=_weighted_stdev(paces, weights),
    )


@dataclass(frozen=True)
class _SpeedField:
    """Running sums over a window of the device's speed field: the metres it accounts for and
    the seconds it covers, from the window's first sample (for O(1) means over any span)."""

    metres: list[float]
    seconds: list[float]


def _speed_field(track: Track, start: int, end: int) -> _SpeedField:
    timer, speeds = track.timer_s[start : end + 1], track.speed_mps[start + 1 : end + 1]
    steps_s = map(sub, timer[1:], timer[:-1])
    counted_s = [
        dt_s if dt_s > 0 and speed is not None else 0.0
        for dt_s, speed in zip(steps_s, speeds, strict=True)
    ]
    metres = [
        speed * dt_s if dt_s and speed is not None else 0.0
        for dt_s, speed in zip(counted_s, speeds, strict=True)
    ]
    return _SpeedField(
        list(accumulate(metres, initial=0.0)), list(accumulate(counted_s, initial=0.0))
    )


def _speed_source(track: Track, start: int, end: int, field: _SpeedField) -> str:
    """The device's speed field when it covers the step and agrees with the distance; else the
    distance (a miscalibrated sensor, or a file with positions and no speed)."""
    covered, field_m = field.seconds[-1], field.metres[-1]
    timer_s = track.timer_s[end] - track.timer_s[start]
    distance_m = track.distance_m[end] - track.distance_m[start]
    if timer_s <= 0 or distance_m <= 0 or covered < SPEED_COVERAGE * timer_s:
        return "distance"
    agrees = abs(field_m / covered / (distance_m / timer_s) - 1) <= SPEED_AGREEMENT
    return "speed" if agrees else "distance"


def _smoothed(
    track: Track, start: int, end: int, source: str, field: _SpeedField
) -> list[tuple[float, float | None]]:
    """(seconds, speed) for each interval of the window, the speed averaged over the last
    `SMOOTHING_S` of timer time."""
    timer = track.timer_s
    # the speed over a span as running sums: the distance, or the speed field's metres and the
    # seconds it covers (indexed from the window's start)
    if source == "distance":
        metres: Sequence[float] = track.distance_m
        seconds: Sequence[float] = timer
        offset = 0
    else:
        metres, seconds, offset = field.metres, field.seconds, start
    out: list[tuple[float, float | None]] = []
    # the first sample within SMOOTHING_S before i only moves forward: one pass, no search
    first = (
        bisect.bisect_left(timer, timer[start + 1] - SMOOTHING_S, 0, start + 1)
        if end > start
        else 0
    )
    for i in range(start + 1, end + 1):
        now = timer[i]
        window_start = now - SMOOTHING_S
        while first < i and timer[first] < window_start:
            first += 1
        dt_s = now - timer[i - 1]
        if dt_s <= 0:
            continue  # paused
        back = first - 1 - offset if first > start else start - offset
        span_s = seconds[i - offset] - seconds[back]
        out.append((dt_s, (metres[i - offset] - metres[back]) / span_s if span_s > 0 else None))
    return out


def _weighted_stdev(values: list[float], weights: list[float]) -> float | None:
    if len(values) < 2:
        return None
    total = sum(weights)
    mean = sum([v * w for v, w in zip(values, weights, strict=True)]) / total
    variance = sum([w * (v - mean) ** 2 for v, w in zip(values, weights, strict=True)]) / total
    return math.sqrt(variance)


# `statistics` would do, but importing it (fractions, decimal, random) costs every `analyze` ~4 ms
def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _stdev(values: Sequence[float]) -> float:
    """The population standard deviation."""
    if min(values) == max(values):
        return 0.0  # the float mean of equal values need not equal them
    mean = _mean(values)
    return math.sqrt(math.fsum([(v - mean) ** 2 for v in values]) / len(values))


def _repeat_summaries(results: tuple[StepResult, ...]) -> list[RepeatSummary]:
    """Consistency and fade of each repeated work step, over the reps that were run."""
    by_step: dict[int, list[StepResult]] = {}
    for result in results:
        if result.work and result.executed.repeat_count:
            by_step.setdefault(result.executed.step_key, []).append(result)
    summaries = []
    for reps in by_step.values():
        paces = tuple(
            r.avg_pace_s_per_km
            for r in reps
            if r.avg_pace_s_per_km is not None and r.verdict is not Verdict.SKIPPED
        )
        if len(paces) < 2:
            continue
        third = max(1, len(paces) // 3)
        summaries.append(
            RepeatSummary(
                fit_step_index=reps[0].executed.fit_step_index,
                label=step_label(reps[0].step),
                avg_paces_s_per_km=paces,
                consistency_s_per_km=_stdev(paces),
                fade_s_per_km=_mean(paces[-third:]) - _mean(paces[:third]),
            )
        )
    return summaries
