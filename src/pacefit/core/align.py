"""Aligning a recorded run with the planned workout: which samples belong to which step.

Uses the best evidence the file has, in this order:
1. laps carrying `wkt_step_index` (the watch ran the workout): exact, repeats unrolled;
2. manual laps, one per planned step (the runner pressed lap at each change);
3. no usable laps: the hard steps are found in the pace trace (the runner speeds up where a rep
   starts and eases off where it ends), and the easy steps fill the time between them.
Pure functions; no I/O.
"""

from __future__ import annotations

import bisect
import statistics
from dataclasses import dataclass
from enum import Enum

from pacefit.core.activity import Activity, Lap
from pacefit.core.units import speed_mps
from pacefit.core.workout import (
    DistanceDuration,
    ExecutedStep,
    Intensity,
    OpenDuration,
    PaceTarget,
    Step,
    TimeDuration,
    Workout,
    planned_time_s,
    unroll,
)

AUTO_LAP_TRIGGERS = {
    "distance",
    "time",
    "position_start",
    "position_lap",
    "position_waypoint",
    "position_marked",
    "fitness_equipment",
}
# How long speed must stay above (below) the threshold to count as the start (end) of a rep:
# most of the rep, up to a minute. Long windows average GPS jitter away (a 7 s window over a
# jittery GPX track mistakes warm-up for strides); the boundary is then refined with a short one.
WINDOW_SHARE_OF_STEP = 0.8
MAX_WINDOW_S = 60.0
REFINE_WINDOW_S = 5.0
EASY_SPEED_HORIZON_S = 600.0  # the runner's easy speed is read from the first minutes
DEFAULT_STEP_TIME_S = 60.0  # for the detection windows of a hard step with no planned length
# How far past the planned start of a rep to look for it before calling it skipped.
SEARCH_SLACK_S = 180.0


class Evidence(Enum):
    WORKOUT_LAPS = "workout_laps"
    MANUAL_LAPS = "manual_laps"
    SEGMENTED = "segmented"

    @property
    def description(self) -> str:
        return {
            Evidence.WORKOUT_LAPS: "laps recorded by the watch running the workout",
            Evidence.MANUAL_LAPS: "lap button presses, one per step",
            Evidence.SEGMENTED: "pace changes and planned step lengths (no usable laps)",
        }[self]


@dataclass(frozen=True)
class StepWindow:
    """A planned step and the samples [start, end] it was run in; None when skipped."""

    number: int  # 1-based, in execution order
    executed: ExecutedStep
    start: int | None
    end: int | None

    @property
    def skipped(self) -> bool:
        return self.start is None or self.end is None or self.end <= self.start


@dataclass(frozen=True)
class Alignment:
    evidence: Evidence
    windows: tuple[StepWindow, ...]


def align(activity: Activity, workout: Workout) -> Alignment:
    executed = unroll(workout)
    track = _Track.of(activity)
    indexed = [lap for lap in activity.laps if lap.wkt_step_index is not None]
    if indexed:
        return Alignment(Evidence.WORKOUT_LAPS, _by_step_index(executed, indexed, track))
    manual = [lap for lap in activity.laps if lap.trigger not in AUTO_LAP_TRIGGERS]
    if len(manual) == len(executed) and len(executed) > 1:
        windows = tuple(
            StepWindow(n, step, *track.span(lap))
            for n, (step, lap) in enumerate(zip(executed, manual, strict=True), start=1)
        )
        return Alignment(Evidence.MANUAL_LAPS, windows)
    return Alignment(Evidence.SEGMENTED, _segment(executed, track))


@dataclass(frozen=True)
class _Track:
    elapsed_s: list[float]
    timer_s: list[float]
    distance_m: list[float]

    @classmethod
    def of(cls, activity: Activity) -> _Track:
        samples = activity.samples
        return cls(
            elapsed_s=[s.elapsed_s for s in samples],
            timer_s=[s.timer_s for s in samples],
            distance_m=[s.distance_m for s in samples],
        )

    @property
    def last(self) -> int:
        return len(self.elapsed_s) - 1

    def index_at(self, elapsed_s: float) -> int:
        return min(bisect.bisect_left(self.elapsed_s, elapsed_s), self.last)

    def span(self, lap: Lap) -> tuple[int, int]:
        return self.index_at(lap.start_elapsed_s), self.index_at(lap.end_elapsed_s)

    def after_timer(self, start: int, seconds: float) -> int:
        """The first sample at least `seconds` of timer time after `start`."""
        return min(
            bisect.bisect_left(self.timer_s, self.timer_s[start] + seconds, lo=start), self.last
        )

    def after_distance(self, start: int, metres: float) -> int:
        target = self.distance_m[start] + metres
        return min(bisect.bisect_left(self.distance_m, target, lo=start), self.last)

    def mean_speed(self, start: int, end: int) -> float:
        time_s = self.timer_s[end] - self.timer_s[start]
        return (self.distance_m[end] - self.distance_m[start]) / time_s if time_s > 0 else 0.0

    def speed_ahead(self, index: int, window_s: float) -> float:
        return self.mean_speed(index, self.after_timer(index, window_s))

    def speed_behind(self, index: int, window_s: float) -> float:
        target = self.timer_s[index] - window_s
        return self.mean_speed(bisect.bisect_left(self.timer_s, target, hi=index), index)


def _by_step_index(
    executed: list[ExecutedStep], laps: list[Lap], track: _Track
) -> tuple[StepWindow, ...]:
    spans: dict[int, tuple[int, int]] = {}
    position = 0
    for lap in laps:
        match = next(
            (
                k
                for k in range(position, len(executed))
                if executed[k].fit_step_index == lap.wkt_step_index
            ),
            None,
        )
        if match is None:  # a second lap in the same step: it extends that step
            if position and position - 1 in spans:
                spans[position - 1] = (spans[position - 1][0], track.span(lap)[1])
            continue
        spans[match] = track.span(lap)
        position = match + 1
    return tuple(
        StepWindow(k + 1, step, *spans.get(k, (None, None))) for k, step in enumerate(executed)
    )


def _is_hard(step: Step) -> bool:
    return step.intensity is Intensity.ACTIVE and isinstance(step.target, PaceTarget)


def _segment(executed: list[ExecutedStep], track: _Track) -> tuple[StepWindow, ...]:
    """Find each hard step in the pace trace; lay the easy steps out between them."""
    threshold = _Thresholds(track)
    bounds: list[tuple[int | None, int | None]] = [(None, None)] * len(executed)
    cursor = 0
    pending_easy: list[int] = []  # easy steps waiting for the next hard step to end them
    for k, item in enumerate(executed):
        step = item.step
        if not _is_hard(step):
            pending_easy.append(k)
            continue
        expected = _lay_out(
            pending_easy, executed=executed, track=track, cursor=cursor, bounds=bounds
        )
        start = _find_start(
            track, step, threshold_mps=threshold.for_step(step), expected=expected, cursor=cursor
        )
        if start is None:
            bounds[k] = (None, None)
            continue
        _close_easy(pending_easy, bounds, start)
        pending_easy = []
        end = _find_end(track, step, threshold_mps=threshold.for_step(step), start=start)
        bounds[k] = (start, end)
        cursor = end
    if pending_easy:
        _lay_out(pending_easy, executed=executed, track=track, cursor=cursor, bounds=bounds)
        last = pending_easy[-1]
        if isinstance(executed[last].step.duration, OpenDuration) or last == len(executed) - 1:
            bounds[last] = (bounds[last][0], track.last)
    return tuple(StepWindow(k + 1, item, *bounds[k]) for k, item in enumerate(executed))


class _Thresholds:
    """The speed that separates 'running the rep' from 'easy' for each hard step: halfway
    between the runner's own easy speed (median of the first minutes) and the slow edge of the
    rep's band, kept between 80 % and 97 % of that edge."""

    def __init__(self, track: _Track) -> None:
        horizon = track.after_timer(0, EASY_SPEED_HORIZON_S)
        speeds = [
            track.mean_speed(i, min(i + 5, track.last)) for i in range(0, max(horizon - 5, 1), 5)
        ]
        self.easy_speed_mps = statistics.median(speeds) if speeds else 0.0

    def for_step(self, step: Step) -> float:
        assert isinstance(step.target, PaceTarget)
        edge_mps = speed_mps(step.target.slow_s_per_km)
        return max(0.8 * edge_mps, min((self.easy_speed_mps + edge_mps) / 2, 0.97 * edge_mps))


def _planned_end(track: _Track, step: Step, start: int) -> int | None:
    if isinstance(step.duration, DistanceDuration):
        return track.after_distance(start, step.duration.distance_m)
    if isinstance(step.duration, TimeDuration):
        return track.after_timer(start, step.duration.duration_s)
    return None


def _lay_out(
    pending: list[int],
    *,
    executed: list[ExecutedStep],
    track: _Track,
    cursor: int,
    bounds: list[tuple[int | None, int | None]],
) -> int:
    """Place easy steps one after another from `cursor`; returns where the last one ends."""
    for k in pending:
        planned = _planned_end(track, executed[k].step, cursor)
        end = planned if planned is not None else cursor
        bounds[k] = (cursor, end)
        cursor = end
    return cursor


def _close_easy(
    pending: list[int], bounds: list[tuple[int | None, int | None]], start: int
) -> None:
    """The easy steps before a hard step end where it starts: stretch or shrink the last one."""
    if not pending:
        return
    for k in pending:
        begin, end = bounds[k]
        assert begin is not None and end is not None
        bounds[k] = (min(begin, start), min(end, start))
    bounds[pending[-1]] = (bounds[pending[-1]][0], start)


def _find_start(
    track: _Track, step: Step, *, threshold_mps: float, expected: int, cursor: int
) -> int | None:
    """The first sample from which the runner holds rep speed.

    The search starts halfway through the easy steps before the rep (so a rep that overran
    does not swallow the recovery) and gives up `SEARCH_SLACK_S` after the planned start; for
    the first rep there is no limit, since warm-ups are rarely the planned length."""
    window_s = _window_s(step)
    halfway_s = (track.elapsed_s[cursor] + track.elapsed_s[expected]) / 2
    begin = max(cursor, track.index_at(halfway_s))
    limit_elapsed = track.elapsed_s[expected] + SEARCH_SLACK_S if cursor else float("inf")
    for index in range(begin, track.last):
        if track.elapsed_s[index] > limit_elapsed:
            return None
        if track.speed_ahead(index, window_s) >= threshold_mps:
            return _refine(track, index, faster=True, within_s=window_s)
    return None


def _window_s(step: Step) -> float:
    return min(MAX_WINDOW_S, WINDOW_SHARE_OF_STEP * _expected_time_s(step))


def _refine(track: _Track, index: int, *, faster: bool, within_s: float) -> int:
    """Move a boundary found with a long window to the sharpest change of speed after it: the
    sample with the biggest difference between the speed just after and just before (an edge
    detector; a forward-looking window alone would place it a few seconds early)."""
    limit = max(track.after_timer(index, within_s), index + 1)
    sign = 1.0 if faster else -1.0

    def contrast(candidate: int) -> float:
        after = track.speed_ahead(candidate, REFINE_WINDOW_S)
        return sign * (after - track.speed_behind(candidate, REFINE_WINDOW_S))

    return max(range(index, limit), key=contrast)


def _find_end(track: _Track, step: Step, *, threshold_mps: float, start: int) -> int:
    """The planned end, or earlier where the runner eased off for good (a rep cut short)."""
    planned = _planned_end(track, step, start)
    stop = planned if planned is not None else track.last
    window_s = min(MAX_WINDOW_S / 3, _expected_time_s(step) / 3)
    first_check = track.after_timer(start, window_s)
    for index in range(first_check, stop):
        eased_off = track.speed_ahead(index, window_s) < threshold_mps
        # for good: the rest of the planned step would not be run at rep speed
        if eased_off and track.mean_speed(index, stop) < threshold_mps:
            return _refine(track, index, faster=False, within_s=window_s)
    return stop


def _expected_time_s(step: Step) -> float:
    return planned_time_s(step) or DEFAULT_STEP_TIME_S
