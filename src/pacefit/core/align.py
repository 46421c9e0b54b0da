"""Aligning a recorded run with the planned workout: which samples belong to which step.

The best evidence the file has is used, in this order:
1. laps carrying `wkt_step_index` (the watch ran the workout): exact, repeats unrolled;
2. laps matched to the steps by their lengths (`lap_align`), when that match can be trusted;
3. the pace trace (`segment`): every step placed at once on the speed, with the plan's lengths.
Pure functions; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from pacefit.core.activity import Activity, Lap, Track
from pacefit.core.lap_align import Group, LapMatch, match_laps
from pacefit.core.segment import make_bins, mean_speed, place_steps, sharpest_change
from pacefit.core.workout import (
    DistanceDuration,
    ExecutedStep,
    Step,
    TimeDuration,
    Workout,
    is_hard,
    message_count,
    unroll,
)

# A boundary inside a lap (a missed press) is looked for this far either side of the plan.
SPLIT_SEARCH_SHARE = 0.25
SPLIT_SEARCH_MAX_S = 60.0
# A watch's distance and time laps end within this of the plan when the watch ran the step.
WATCH_LAP_FIT = 0.1


class Evidence(Enum):
    WORKOUT_LAPS = "workout_laps"
    LAPS = "laps"
    SEGMENTED = "segmented"

    @property
    def description(self) -> str:
        return {
            Evidence.WORKOUT_LAPS: "laps recorded by the watch running the workout",
            Evidence.LAPS: "laps matched to the steps by their lengths",
            Evidence.SEGMENTED: "pace changes and planned step lengths",
        }[self]


@dataclass(frozen=True)
class StepWindow:
    """A planned step and the samples [start, end] it was run in (None when skipped); `laps`
    are the laps (0-based) that are exactly this step, so their totals are its figures."""

    number: int  # 1-based, in execution order
    executed: ExecutedStep
    start: int | None
    end: int | None
    laps: tuple[int, ...] = ()

    @property
    def skipped(self) -> bool:
        return self.start is None or self.end is None or self.end <= self.start


@dataclass(frozen=True)
class Alignment:
    evidence: Evidence
    windows: tuple[StepWindow, ...]
    lap_steps: tuple[tuple[int, tuple[int, ...]], ...] = ()  # lap number -> step numbers
    notes: tuple[str, ...] = ()  # what the runner should know about the evidence


def align(activity: Activity, workout: Workout) -> Alignment:
    executed = unroll(workout)
    track = activity.track
    indexed = [lap for lap in activity.laps if lap.wkt_step_index is not None]
    if indexed:
        mismatches = _workout_mismatches(indexed, executed, workout)
        windows = _by_step_index(executed, activity.laps, track)
        return Alignment(Evidence.WORKOUT_LAPS, windows, _lap_steps(windows), mismatches)
    notes: tuple[str, ...] = ()
    if len(activity.laps) > 1:
        matched = match_laps(activity.laps, executed)
        if matched.trusted:
            windows = _from_groups(matched, activity.laps, executed, track)
            return Alignment(Evidence.LAPS, windows, _group_lap_steps(matched))
        notes = (f"laps not used: {matched.reason}",)
    return Alignment(Evidence.SEGMENTED, _segment(executed, track), notes=notes)


# -- 1. the watch ran the workout -----------------------------------------------------------


def _by_step_index(
    executed: list[ExecutedStep], laps: Sequence[Lap], track: Track
) -> tuple[StepWindow, ...]:
    """Each lap to the next executed step with its index; a lap without an index, or a second
    lap of the same step, extends the step before it."""
    spans: dict[int, list[int]] = {}
    position = 0
    current: int | None = None
    for number, lap in enumerate(laps):
        match = None
        if lap.wkt_step_index is not None:
            match = next(
                (
                    k
                    for k in range(position, len(executed))
                    if executed[k].fit_step_index == lap.wkt_step_index
                ),
                None,
            )
        if match is None:
            if current is not None:
                spans[current].append(number)
            continue
        spans[match] = [number]
        current, position = match, match + 1
    windows = []
    for k, step in enumerate(executed):
        lap_numbers = spans.get(k, [])
        if not lap_numbers:
            windows.append(StepWindow(k + 1, step, None, None))
            continue
        start = track.index_at_elapsed(laps[lap_numbers[0]].start_elapsed_s)
        end = track.index_at_elapsed(laps[lap_numbers[-1]].end_elapsed_s)
        windows.append(StepWindow(k + 1, step, start, end, tuple(lap_numbers)))
    return tuple(windows)


def _workout_mismatches(
    laps: Sequence[Lap], executed: list[ExecutedStep], workout: Workout
) -> tuple[str, ...]:
    """Signs that the laps come from a different workout than the one given."""
    known = {e.fit_step_index: e.step for e in executed}
    notes = []
    for number, lap in enumerate(laps, start=1):
        index = lap.wkt_step_index
        assert index is not None
        step = known.get(index)
        if step is None:
            total = message_count(workout.steps)
            notes.append(
                f"lap {number} was run as workout step {index}, which '{workout.name}' "
                f"{'has as a repeat' if index < total else 'does not have'}: the watch ran "
                "another workout"
            )
            break
        planned = _planned_length(step, lap)
        if lap.automatic and planned is not None and abs(planned - 1) > WATCH_LAP_FIT:
            notes.append(
                f"lap {number} ended by {lap.trigger} after {_lap_length(lap)}, where step "
                f"{index} of '{workout.name}' plans another length: the watch may have run "
                "another version of the workout"
            )
            break
    return tuple(notes)


def _planned_length(step: Step, lap: Lap) -> float | None:
    """The lap's length as a share of the step's plan, in the unit that ended the lap."""
    if lap.trigger == "distance" and isinstance(step.duration, DistanceDuration):
        return lap.distance_m / step.duration.distance_m
    if lap.trigger == "time" and isinstance(step.duration, TimeDuration):
        return lap.timer_s / step.duration.duration_s
    if lap.trigger in ("distance", "time"):
        return 0.0  # the watch ended the lap by a rule the step does not have
    return None


def _lap_length(lap: Lap) -> str:
    return f"{lap.distance_m:.0f} m" if lap.trigger == "distance" else f"{lap.timer_s:.0f} s"


# -- 2. laps matched by length --------------------------------------------------------------


def _from_groups(
    matched: LapMatch, laps: Sequence[Lap], executed: list[ExecutedStep], track: Track
) -> tuple[StepWindow, ...]:
    windows: list[StepWindow] = []
    for group in matched.groups:
        if group.lap_count < 1:  # steps with no lap: skipped
            windows += [
                StepWindow(k + 1, executed[k], None, None)
                for k in range(group.first_step, group.last_step + 1)
            ]
            continue
        start = track.index_at_elapsed(laps[group.first_lap].start_elapsed_s)
        end = track.index_at_elapsed(laps[group.last_lap].end_elapsed_s)
        if group.step_count == 1:
            lap_numbers = tuple(range(group.first_lap, group.last_lap + 1))
            step = executed[group.first_step]
            windows.append(StepWindow(group.first_step + 1, step, start, end, lap_numbers))
        else:
            windows += _split_lap(group, executed, track, start, end)
    return tuple(windows)


def _split_lap(
    group: Group, executed: list[ExecutedStep], track: Track, start: int, end: int
) -> list[StepWindow]:
    """Several steps in one lap (a press missed): the steps before the first open one are laid
    out from the lap's start at their planned lengths, those after it back from its end; the
    open step takes the rest. Each boundary then moves to the nearest sharp change of speed."""
    steps = executed[group.first_step : group.last_step + 1]
    known = [_planned_extent(e.step) is not None for e in steps]
    open_at = known.index(False) if False in known else len(steps) - 1
    bounds = [start] + [0] * (len(steps) - 1) + [end]
    cursor = start
    for k in range(open_at):
        cursor = _advance(track, cursor, steps[k].step, forward=True, limit=end)
        bounds[k + 1] = cursor
    cursor = end
    for k in range(len(steps) - 1, open_at, -1):
        cursor = _advance(track, cursor, steps[k].step, forward=False, limit=bounds[open_at])
        bounds[k] = cursor
    for k in range(1, len(steps)):
        bounds[k] = _refined(track, bounds[k], steps[k - 1].step, steps[k].step)
        bounds[k] = min(max(bounds[k], bounds[k - 1]), end)
    return [
        StepWindow(group.first_step + k + 1, step, bounds[k], bounds[k + 1])
        for k, step in enumerate(steps)
    ]


def _planned_extent(step: Step) -> float | None:
    if isinstance(step.duration, DistanceDuration):
        return step.duration.distance_m
    if isinstance(step.duration, TimeDuration):
        return step.duration.duration_s
    return None


def _advance(track: Track, index: int, step: Step, *, forward: bool, limit: int) -> int:
    """The sample one planned step-length after (or before) `index`, not past `limit`."""
    sign = 1 if forward else -1
    if isinstance(step.duration, DistanceDuration):
        target = track.distance_m[index] + sign * step.duration.distance_m
        found = track.index_at_distance(target)
    elif isinstance(step.duration, TimeDuration):
        found = track.index_at_timer(track.timer_s[index] + sign * step.duration.duration_s)
    else:
        found = index
    return min(found, limit) if forward else max(found, limit)


def _refined(track: Track, index: int, before: Step, after: Step) -> int:
    if is_hard(before) == is_hard(after):
        return index
    length_s = min(_step_seconds(track, before), _step_seconds(track, after))
    within = min(SPLIT_SEARCH_MAX_S, SPLIT_SEARCH_SHARE * length_s)
    return sharpest_change(track, index, within_s=within, faster=is_hard(after))


def _step_seconds(track: Track, step: Step) -> float:
    if isinstance(step.duration, TimeDuration):
        return step.duration.duration_s
    if isinstance(step.duration, DistanceDuration):
        speed = mean_speed(track, 0, track.last) or 3.0
        return step.duration.distance_m / speed
    return SPLIT_SEARCH_MAX_S / SPLIT_SEARCH_SHARE


def _group_lap_steps(matched: LapMatch) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """For the report: each lap (1-based) and the steps (1-based) it went to."""
    return tuple(
        (lap + 1, tuple(range(group.first_step + 1, group.last_step + 2)))
        for group in matched.groups
        for lap in range(group.first_lap, group.last_lap + 1)
    )


def _lap_steps(windows: Sequence[StepWindow]) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """For the report: each lap (1-based) and the steps (1-based) it went to."""
    by_lap: dict[int, list[int]] = {}
    for window in windows:
        for lap in window.laps:
            by_lap.setdefault(lap + 1, []).append(window.number)
    return tuple((lap, tuple(steps)) for lap, steps in sorted(by_lap.items()))


# -- 3. the pace trace ----------------------------------------------------------------------


def _segment(executed: list[ExecutedStep], track: Track) -> tuple[StepWindow, ...]:
    bins = make_bins(track)
    spans = place_steps(bins, executed)
    edges = [track.index_at_timer(bins.start_timer_s + s * bins.width_s) for s, _ in spans]
    edges = [0, *edges[1:], track.last]
    for k in range(1, len(spans)):
        (s0, e0), (s1, e1) = spans[k - 1], spans[k]
        if e0 > s0 and e1 > s1 and is_hard(executed[k - 1].step) != is_hard(executed[k].step):
            faster = is_hard(executed[k].step)
            edges[k] = sharpest_change(track, edges[k], within_s=bins.width_s, faster=faster)
    for k in range(1, len(edges)):
        edges[k] = max(edges[k], edges[k - 1])
    return tuple(
        StepWindow(k + 1, step, None, None)
        if e == s
        else StepWindow(k + 1, step, edges[k], edges[k + 1])
        for k, (step, (s, e)) in enumerate(zip(executed, spans, strict=True))
    )
