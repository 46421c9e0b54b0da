"""Scoring pacing adherence, step by step and overall. Pure functions over an alignment.

The overall score (0-100) is the planned-duration-weighted mean of the step scores of every
step that had a pace target. A step's score is the share of its running time spent in the
target band, where time outside the band still earns partial credit that falls linearly to
zero at `PENALTY_SCALE_S_PER_KM` from the band; multiplied by the share of the step completed.
A skipped step scores 0. Steps without a pace target are reported but not scored.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, replace
from enum import Enum

from pacefit.core.activity import Activity
from pacefit.core.align import Alignment, StepWindow
from pacefit.core.describe import step_label
from pacefit.core.workout import (
    DistanceDuration,
    ExecutedStep,
    Intensity,
    PaceTarget,
    Step,
    TimeDuration,
    Workout,
    planned_time_s,
)

PENALTY_SCALE_S_PER_KM = 20.0
SHORT_FRACTION = 0.9  # less than this share of the planned step done is "short"
MOVING_SPEED_MPS = 0.5  # slower than this is standing, not running, for pace statistics


class Verdict(Enum):
    ON_TARGET = "on target"
    FAST = "fast"
    SLOW = "slow"
    SHORT = "short"
    SKIPPED = "skipped"
    DONE = "done"  # a step without a pace target


@dataclass(frozen=True)
class StepResult:
    number: int
    executed: ExecutedStep
    verdict: Verdict
    start_elapsed_s: float | None = None
    end_elapsed_s: float | None = None
    distance_m: float = 0.0
    timer_s: float = 0.0
    completed_fraction: float = 0.0
    avg_pace_s_per_km: float | None = None
    time_in_band_fraction: float | None = None
    deviation_s_per_km: float | None = None  # signed: < 0 faster than the band, > 0 slower
    pace_stdev_s_per_km: float | None = None
    score: float | None = None  # 0-100; None when the step has no pace target
    planned_weight_s: float = 0.0

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
    avg_paces_s_per_km: tuple[float, ...]
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


def analyse(activity: Activity, workout: Workout, alignment: Alignment) -> Analysis:
    results = tuple(_score_window(activity, window) for window in alignment.windows)
    return Analysis(
        activity=activity,
        workout=workout,
        alignment=alignment,
        steps=results,
        repeats=tuple(_repeat_summaries(results)),
        score=overall_score(results),
    )


def overall_score(results: tuple[StepResult, ...]) -> float | None:
    scored = [r for r in results if r.score is not None and r.planned_weight_s > 0]
    total_weight = sum(r.planned_weight_s for r in scored)
    if not total_weight:
        return None
    return sum(r.score * r.planned_weight_s for r in scored if r.score is not None) / total_weight


def credit(pace_s_per_km: float, target: PaceTarget) -> float:
    """1 inside the band, falling linearly to 0 at PENALTY_SCALE_S_PER_KM outside it."""
    return max(0.0, 1.0 - abs(target.outside_s_per_km(pace_s_per_km)) / PENALTY_SCALE_S_PER_KM)


def _score_window(activity: Activity, window: StepWindow) -> StepResult:
    executed = window.executed
    step = executed.step
    target = step.target if isinstance(step.target, PaceTarget) else None
    skipped = StepResult(
        number=window.number,
        executed=executed,
        verdict=Verdict.SKIPPED,
        planned_weight_s=(planned_time_s(step) or 0.0) if target else 0.0,
        score=0.0 if target else None,
    )
    if window.skipped:
        return skipped
    assert window.start is not None and window.end is not None
    first, last = activity.samples[window.start], activity.samples[window.end]
    distance_m = last.distance_m - first.distance_m
    timer_s = last.timer_s - first.timer_s
    completed = _completed_fraction(step, distance_m=distance_m, timer_s=timer_s)
    avg_pace = 1000 * timer_s / distance_m if distance_m > 0 else None
    measured = replace(
        skipped,
        verdict=Verdict.DONE,
        start_elapsed_s=first.elapsed_s,
        end_elapsed_s=last.elapsed_s,
        distance_m=distance_m,
        timer_s=timer_s,
        completed_fraction=completed,
        avg_pace_s_per_km=avg_pace,
    )
    if target is None:
        return measured
    in_band, step_credit, stdev = _pace_statistics(activity, window, target)
    deviation = target.outside_s_per_km(avg_pace) if avg_pace is not None else None
    return replace(
        measured,
        verdict=_verdict(completed, deviation),
        time_in_band_fraction=in_band,
        deviation_s_per_km=deviation,
        pace_stdev_s_per_km=stdev,
        score=100.0 * step_credit * min(1.0, completed),
    )


def _completed_fraction(step: Step, *, distance_m: float, timer_s: float) -> float:
    if isinstance(step.duration, DistanceDuration):
        return distance_m / step.duration.distance_m
    if isinstance(step.duration, TimeDuration):
        return timer_s / step.duration.duration_s
    return 1.0


def _verdict(completed: float, deviation: float | None) -> Verdict:
    if completed < SHORT_FRACTION:
        return Verdict.SHORT
    if deviation is None:
        return Verdict.SLOW
    if deviation < 0:
        return Verdict.FAST
    if deviation > 0:
        return Verdict.SLOW
    return Verdict.ON_TARGET


def _pace_statistics(
    activity: Activity, window: StepWindow, target: PaceTarget
) -> tuple[float, float, float | None]:
    """Time-weighted share in band, mean credit, and pace standard deviation of a window."""
    assert window.start is not None and window.end is not None
    samples = activity.samples
    total = in_band = earned = 0.0
    paces: list[float] = []
    weights: list[float] = []
    for previous, sample in zip(
        samples[window.start : window.end], samples[window.start + 1 : window.end + 1], strict=True
    ):
        dt_s = sample.timer_s - previous.timer_s
        if dt_s <= 0:
            continue  # paused
        speed = sample.speed_mps
        if speed is None:
            speed = (sample.distance_m - previous.distance_m) / dt_s
        pace = 1000 / speed if speed > 0 else math.inf
        total += dt_s
        if target.outside_s_per_km(pace) == 0:
            in_band += dt_s
        earned += credit(pace, target) * dt_s
        if speed > MOVING_SPEED_MPS:
            paces.append(pace)
            weights.append(dt_s)
    if total == 0:
        return 0.0, 0.0, None
    return in_band / total, earned / total, _weighted_stdev(paces, weights)


def _weighted_stdev(values: list[float], weights: list[float]) -> float | None:
    if len(values) < 2:
        return None
    total = sum(weights)
    mean = sum(v * w for v, w in zip(values, weights, strict=True)) / total
    variance = sum(w * (v - mean) ** 2 for v, w in zip(values, weights, strict=True)) / total
    return math.sqrt(variance)


def _repeat_summaries(results: tuple[StepResult, ...]) -> list[RepeatSummary]:
    """Consistency and fade of each repeated step with a pace target (by its FIT step)."""
    by_step: dict[int, list[StepResult]] = {}
    for result in results:
        if result.target is not None and result.step.intensity is Intensity.ACTIVE:
            by_step.setdefault(result.executed.fit_step_index, []).append(result)
    summaries = []
    for index, reps in by_step.items():
        paces = tuple(r.avg_pace_s_per_km for r in reps if r.avg_pace_s_per_km is not None)
        if len(reps) < 2 or len(paces) < 2:
            continue
        third = max(1, len(paces) // 3)
        summaries.append(
            RepeatSummary(
                fit_step_index=index,
                label=step_label(reps[0].step),
                avg_paces_s_per_km=paces,
                consistency_s_per_km=statistics.pstdev(paces),
                fade_s_per_km=statistics.fmean(paces[-third:]) - statistics.fmean(paces[:third]),
            )
        )
    return summaries
