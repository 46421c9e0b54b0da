"""The workout model: what a compiled workout is, independent of YAML and FIT.

Values are frozen; a workout is a tree of steps and repeats, as a coach writes it. Each kind of
duration, target and repeat is its own class, so that a value cannot be two things at once (a zone
*and* a range) and a `match` over a union can be checked for completeness by the type checker.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import assert_never

from pacefit.core.units import PaceRange
from pacefit.errors import Location

LEVELS = ("beginner", "intermediate", "advanced")
# Sports whose cadence is counted in steps (both feet), and whose speed reads as a pace.
STEP_SPORTS = frozenset({"running", "walking", "hiking", "generic"})
# Garmin watches refuse workouts with more FIT steps than this (Garmin Connect's own limit).
MAX_WORKOUT_STEPS = 100
# No session runs this many steps once its repeats are unrolled (99 reps of a 20-step set is
# about 2,000); the analysis and `show` unroll every step, so the bound keeps them quick.
MAX_EXECUTED_STEPS = 5_000
# The finest lengths a FIT workout step holds: centimetres and milliseconds. A shorter length
# would be written as 0, which a watch reads as no step at all.
FINEST_DISTANCE_M = 0.01
FINEST_DURATION_S = 0.001
DEFAULT_LEVEL = "intermediate"


class Intensity(Enum):
    WARMUP = "warmup"
    ACTIVE = "active"
    REST = "rest"
    RECOVERY = "recovery"
    COOLDOWN = "cooldown"


@dataclass(frozen=True)
class HeartRate:
    """A heart rate in bpm, or in percent of maximum heart rate (FIT allows both)."""

    value: int
    percent_of_max: bool = False

    def __str__(self) -> str:
        return f"{self.value}%" if self.percent_of_max else f"{self.value}bpm"


# -- durations: how a step ends ------------------------------------------------------------


@dataclass(frozen=True)
class DistanceDuration:
    distance_m: float


@dataclass(frozen=True)
class TimeDuration:
    duration_s: float


@dataclass(frozen=True)
class OpenDuration:
    """Until the lap button is pressed."""


@dataclass(frozen=True)
class HeartRateDuration:
    """Until heart rate rises above (or falls below) a limit."""

    limit: HeartRate
    above: bool


Duration = DistanceDuration | TimeDuration | OpenDuration | HeartRateDuration


# -- targets: what the watch coaches during a step ------------------------------------------


class Averaging(Enum):
    """Over how long the watch averages a value before it compares it with the target."""

    INSTANT = "instant"
    S3 = "3s"
    S10 = "10s"
    S30 = "30s"
    LAP = "lap"


@dataclass(frozen=True)
class PaceTarget(PaceRange):
    """A pace band to run in (for a ride, the same band read as speed), and how the workout
    said it."""

    label: str = ""  # e.g. "5k - 3s/km"
    lap: bool = False  # judged on the lap's average pace (FIT speed_lap)


@dataclass(frozen=True)
class HeartRateZone:
    """A heart-rate zone (1-5) as the watch defines it."""

    zone: int
    lap: bool = False  # judged on the lap's average heart rate (FIT heart_rate_lap)


@dataclass(frozen=True)
class HeartRateRange:
    low: HeartRate
    high: HeartRate
    lap: bool = False


@dataclass(frozen=True)
class CadenceRange:
    """Cadence as the sport counts it: steps per minute (both feet) for running and walking,
    revolutions per minute for cycling."""

    low: int
    high: int


@dataclass(frozen=True)
class PowerZone:
    zone: int
    averaging: Averaging = Averaging.INSTANT


@dataclass(frozen=True)
class PowerRange:
    """Power in watts, or in percent of FTP."""

    low: int
    high: int
    percent_ftp: bool = False
    averaging: Averaging = Averaging.INSTANT


Target = PaceTarget | HeartRateZone | HeartRateRange | CadenceRange | PowerZone | PowerRange


class Equal(Enum):
    """A step as long as the step before it (`recover: equal time`): the coach's "equal jog"."""

    TIME = "time"  # as long in time as the step before takes at the middle of its pace band
    DISTANCE = "distance"


@dataclass(frozen=True)
class Step:
    intensity: Intensity
    duration: Duration
    target: Target | None = None
    name: str = ""
    notes: str = ""
    secondary_target: Target | None = None  # a second target, shown beside the first
    # How the length was said, kept so that a plan's change to the step before carries over;
    # `settle` turns them into the plain duration above.
    equal: Equal | None = None
    at_most_s: float | None = None  # no longer than this at the middle of its pace band
    # where the step was written (a YAML line), for messages; not part of the step's value
    origin: Location | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Repeat:
    """The steps, run `count` times; the `between` steps run between them, not after the last
    (the article's "with 3 minutes rest in between")."""

    steps: tuple[Node, ...]
    count: int
    name: str = ""
    between: tuple[Node, ...] = ()
    origin: Location | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class RepeatUntil:
    """The steps, run again and again until heart rate crosses a limit."""

    steps: tuple[Node, ...]
    until: HeartRateDuration
    name: str = ""
    origin: Location | None = field(default=None, compare=False, repr=False)


Node = Step | Repeat | RepeatUntil


class Effort(Enum):
    """How a plan treats a session around races, when the workout says so (`effort: long`);
    otherwise its paces and length say it."""

    EASY = "easy"
    LONG = "long"  # a long run: never the day before a race, however short it is for a runner
    HARD = "hard"


@dataclass(frozen=True)
class Workout:
    name: str
    steps: tuple[Node, ...]
    sport: str = "running"  # a FIT sport name: running, cycling, walking, swimming, ...
    sub_sport: str = "generic"  # treadmill, track, trail, road, indoor_cycling, ...
    description: str = ""
    level: str = DEFAULT_LEVEL
    effort: Effort | None = None
    origin: Location | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ExecutedStep:
    """One step as the runner meets it: repeats unrolled, with the FIT step index it came from."""

    step: Step
    fit_step_index: int
    repetition: int = 1  # 1-based within its innermost repeat; 1 outside repeats
    repeat_count: int | None = None  # how many times that repeat runs; None outside repeats
    # the step's place in the workout as written: the same for every run of a repeated step,
    # even the last run of a repeat with steps between, which FIT writes as a step of its own
    step_key: int = 0


def fit_layout(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
    """The nodes as FIT can say them: a repeat with steps `between` becomes a repeat of the
    steps and the between-steps one time fewer, then the steps once more (written out in full
    when that repeat would run once)."""
    laid_out: list[Node] = []
    for node in nodes:
        if isinstance(node, Repeat) and node.between:
            steps, between = fit_layout(node.steps), fit_layout(node.between)
            if node.count == 1:
                laid_out.extend(steps)
            elif node.count == 2:
                laid_out.extend((*steps, *between, *steps))
            else:
                laid_out.append(replace(node, steps=(*steps, *between), count=node.count - 1,
                                        between=()))  # fmt: skip
                laid_out.extend(steps)
        elif isinstance(node, Step):
            laid_out.append(node)
        else:
            laid_out.append(replace(node, steps=fit_layout(node.steps)))
    return tuple(laid_out)


def fold_between(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
    """The inverse of `fit_layout` for what a FIT file says: a repeat followed by a run of its
    first steps once more is the repeat with the rest of its steps between its runs (so the
    last run counts as a run of the repeat, not as a step of its own). The two say the same
    workout: a watch runs them alike."""
    folded: list[Node] = []
    index = 0
    while index < len(nodes):
        node = nodes[index]
        if isinstance(node, Step):
            folded.append(node)
            index += 1
            continue
        taken = _repeated_prefix(node, nodes[index + 1 :]) if isinstance(node, Repeat) else 0
        if isinstance(node, Repeat) and taken:
            steps, between = node.steps[:taken], node.steps[taken:]
            node = replace(node, steps=steps, between=between, count=node.count + 1)
        folded.append(with_children(node, fold_between))
        index += 1 + taken
    return tuple(folded)


def _repeated_prefix(repeat: Repeat, after: tuple[Node, ...]) -> int:
    """How many of the repeat's first steps run once more right after it (0: none), leaving at
    least one step to run between."""
    if repeat.between or repeat.count < 2:
        return 0
    for size in range(len(repeat.steps) - 1, 0, -1):
        if tuple(after[:size]) == repeat.steps[:size]:
            return size
    return 0


def message_count(nodes: tuple[Node, ...]) -> int:
    """How many FIT workout_step messages the nodes take: one per step, one per repeat."""
    return sum(
        1 if isinstance(node, Step) else 1 + message_count(node.steps) for node in fit_layout(nodes)
    )


def executed_count(nodes: tuple[Node, ...]) -> int:
    """How many steps the runner meets, repeats unrolled (as `unroll` yields them), counted
    without unrolling them."""
    total = 0
    for node in nodes:
        if isinstance(node, Step):
            total += 1
        elif isinstance(node, Repeat):
            total += node.count * executed_count(node.steps)
            total += (node.count - 1) * executed_count(node.between)
        else:
            total += executed_count(node.steps)
    return total


def unroll(workout: Workout) -> list[ExecutedStep]:
    """The steps in the order a runner executes them, each with the index of the FIT step it
    comes from (as `fit_layout` writes them). Heart-rate repeats count once."""
    return list(_unroll(workout.steps, _Place(0, 0), repetition=1, count=None))


@dataclass(frozen=True)
class _Place:
    fit_index: int  # of the first node, in the FIT layout
    key: int  # of the first step, in the workout as written


def step_count(nodes: tuple[Node, ...]) -> int:
    """How many steps the nodes hold as written (each repeated step once)."""
    return sum(
        1 if isinstance(node, Step) else step_count(node.steps) + step_count(_between(node))
        for node in nodes
    )


def with_children(
    node: Repeat | RepeatUntil, transform: Callable[[tuple[Node, ...]], tuple[Node, ...]]
) -> Repeat | RepeatUntil:
    """The repeat with its steps (and steps between) transformed."""
    if isinstance(node, Repeat):
        return replace(node, steps=transform(node.steps), between=transform(node.between))
    return replace(node, steps=transform(node.steps))


def steps_as_written(nodes: tuple[Node, ...]) -> Iterator[Step]:
    """Every step once, in the order the workout is written (repeats not unrolled)."""
    for node in nodes:
        if isinstance(node, Step):
            yield node
        else:
            yield from steps_as_written(node.steps)
            yield from steps_as_written(_between(node))


def _between(node: Repeat | RepeatUntil) -> tuple[Node, ...]:
    return node.between if isinstance(node, Repeat) else ()


def _unroll(
    nodes: tuple[Node, ...], place: _Place, *, repetition: int, count: int | None
) -> Iterator[ExecutedStep]:
    index, key = place.fit_index, place.key
    for node in nodes:
        if isinstance(node, Step):
            yield ExecutedStep(node, index, repetition, count, step_key=key)
            index, key = index + 1, key + 1
            continue
        if isinstance(node, Repeat) and node.between:
            yield from _unroll_between(node, _Place(index, key))
        else:
            times = node.count if isinstance(node, Repeat) else 1
            inner_count = node.count if isinstance(node, Repeat) else None
            for rep in range(1, times + 1):
                yield from _unroll(
                    node.steps, _Place(index, key), repetition=rep, count=inner_count
                )
        index += message_count((node,))
        key += step_count((node,))


def _unroll_between(node: Repeat, place: _Place) -> Iterator[ExecutedStep]:
    """A repeat with steps between its runs, numbered 1..count as the runner counts them."""
    steps_size, between_size = message_count(node.steps), message_count(node.between)
    # where fit_layout puts the last run of the steps: written out after the repeat step
    # (count >= 3) or after the first run and the between-steps (count 2)
    last_index = place.fit_index + steps_size + between_size + (1 if node.count >= 3 else 0)
    between = _Place(place.fit_index + steps_size, place.key + step_count(node.steps))
    for rep in range(1, node.count + 1):
        last = rep == node.count and rep > 1
        steps = _Place(last_index, place.key) if last else place
        yield from _unroll(node.steps, steps, repetition=rep, count=node.count)
        if rep < node.count:  # between-steps are counted among themselves; one is not counted
            yield from _unroll(
                node.between,
                between,
                repetition=rep,
                count=node.count - 1 if node.count > 2 else None,
            )


@dataclass(frozen=True)
class Overrides:
    """Changes a plan makes to a library workout for one week, applied to its main set: the
    first repeat that holds a hard (active) step, or else the first hard step."""

    repeat: int | None = None
    distance_m: float | None = None
    duration_s: float | None = None


def has_active_step(node: Node) -> bool:
    if isinstance(node, Step):
        return node.intensity is Intensity.ACTIVE
    return any(has_active_step(child) for child in node.steps)


def main_set(workout: Workout) -> Node | None:
    """The first repeat (or step) with a hard step in it: what a plan's changes apply to."""
    return next((node for node in workout.steps if has_active_step(node)), None)


def apply_overrides(workout: Workout, overrides: Overrides) -> Workout:
    main = main_set(workout)
    steps = tuple(_override(node, overrides) if node is main else node for node in workout.steps)
    return replace(workout, steps=steps)


def _override(node: Node, overrides: Overrides) -> Node:
    if isinstance(node, Step):
        if node.intensity is not Intensity.ACTIVE:
            return node
        if overrides.distance_m is not None:
            return replace(node, duration=DistanceDuration(overrides.distance_m))
        if overrides.duration_s is not None:
            return replace(node, duration=TimeDuration(overrides.duration_s))
        return node
    children = tuple(
        _override(child, overrides) if isinstance(child, Step) else child for child in node.steps
    )
    if isinstance(node, Repeat) and overrides.repeat is not None:
        return replace(node, steps=children, count=overrides.repeat)
    return replace(node, steps=children)


# -- settling: lengths said relative to something else -------------------------------------------


class LengthError(ValueError):
    """A step whose length cannot be worked out (an `equal` step after an open one)."""

    def __init__(self, message: str, hint: str, step: Step) -> None:
        super().__init__(message)
        self.message, self.hint, self.step = message, hint, step


@dataclass(frozen=True)
class Capped:
    """A step shortened to its `at_most_s`."""

    step: Step  # as capped
    planned: Duration  # what it would have been


def settle(workout: Workout) -> tuple[Workout, list[Capped]]:
    """Every `equal` step given the length of the step before it, and every step with a cap
    shortened to it; run after a plan's changes, so the jog follows the changed rep."""
    capped: list[Capped] = []
    return replace(workout, steps=_settle(workout.steps, None, capped)), capped


def _settle(nodes: tuple[Node, ...], before: Step | None, capped: list[Capped]) -> tuple[Node, ...]:
    settled: list[Node] = []
    previous = before
    for node in nodes:
        if isinstance(node, Step):
            step = _capped(_equalled(node, previous), capped)
            settled.append(step)
            previous = step
            continue
        steps = _settle(node.steps, previous, capped)
        if isinstance(node, Repeat) and node.between:
            last = steps[-1] if isinstance(steps[-1], Step) else None
            between = _settle(node.between, last, capped)
            settled.append(replace(node, steps=steps, between=between))
        else:
            settled.append(replace(node, steps=steps))
        previous = None  # "equal" means the step just before, not one inside a repeat
    return tuple(settled)


def _equalled(step: Step, previous: Step | None) -> Step:
    if step.equal is None:
        return step
    hint = "put it right after a step of a distance or a time, e.g. after 'run: 800m'"
    if previous is None:
        raise LengthError(f"'equal {step.equal.value}' has no step before it to equal", hint, step)
    match step.equal:
        case Equal.DISTANCE:
            if isinstance(previous.duration, DistanceDuration):
                return replace(step, duration=previous.duration)
        case Equal.TIME:
            planned_s = planned_time_s(previous)
            if planned_s is not None:
                return replace(step, duration=TimeDuration(round(planned_s)))
        case _:
            assert_never(step.equal)
    raise LengthError(
        f"'equal {step.equal.value}' cannot be worked out from the step before it",
        "equal time needs a time, or a distance with a pace; equal distance needs a distance",
        step,
    )


def _capped(step: Step, capped: list[Capped]) -> Step:
    if step.at_most_s is None:
        return step
    planned_s = planned_time_s(step)
    if planned_s is None or planned_s <= step.at_most_s:
        return step
    duration: Duration = TimeDuration(step.at_most_s)
    if isinstance(step.duration, DistanceDuration):
        # whole hundreds of metres, never over the cap
        share = step.at_most_s / planned_s
        duration = DistanceDuration(math.floor(step.duration.distance_m * share / 100) * 100)
    shortened = replace(step, duration=duration)
    capped.append(Capped(shortened, step.duration))
    return shortened


def hard_target(step: Step) -> PaceTarget | None:
    """The pace band of a hard step (an active step with a pace target: what is graded on
    pace); None for every other step."""
    if step.intensity is Intensity.ACTIVE and isinstance(step.target, PaceTarget):
        return step.target
    return None


def is_hard(step: Step) -> bool:
    return hard_target(step) is not None


def share_of_plan(step: Step, *, distance_m: float, timer_s: float) -> float | None:
    """How much of the step's planned length a run of `distance_m` in `timer_s` covers, in
    the step's own unit; None for a step of no set length."""
    if isinstance(step.duration, DistanceDuration):
        return distance_m / step.duration.distance_m
    if isinstance(step.duration, TimeDuration):
        return timer_s / step.duration.duration_s
    return None


@dataclass(frozen=True)
class StepEstimate:
    """Expected distance and time of a step; None where the step is open-ended."""

    distance_m: float | None
    duration_s: float | None


def planned_time_s(step: Step) -> float | None:
    """How long a step should take: its time, or its distance at the middle of its pace band;
    None when that cannot be known (open steps, no pace)."""
    if isinstance(step.duration, TimeDuration):
        return step.duration.duration_s
    if isinstance(step.duration, DistanceDuration) and isinstance(step.target, PaceTarget):
        return step.duration.distance_m / 1000 * step.target.middle_s_per_km
    return None


def estimate_step(step: Step, *, default_pace_s_per_km: float) -> StepEstimate:
    """Distance and time of a step run at the middle of its pace band (or the default pace)."""
    pace = (
        step.target.middle_s_per_km
        if isinstance(step.target, PaceTarget)
        else default_pace_s_per_km
    )
    if isinstance(step.duration, DistanceDuration):
        return StepEstimate(step.duration.distance_m, step.duration.distance_m / 1000 * pace)
    if isinstance(step.duration, TimeDuration):
        if step.intensity is Intensity.REST and step.target is None:
            return StepEstimate(0.0, step.duration.duration_s)  # standing, not jogging
        return StepEstimate(step.duration.duration_s / pace * 1000, step.duration.duration_s)
    return StepEstimate(None, None)
