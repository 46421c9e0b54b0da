"""The workout model: what a compiled workout is, independent of YAML and FIT.

Values are frozen; a workout is a tree of steps and repeats, as a coach writes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import Enum

LEVELS = ("beginner", "intermediate", "advanced")
# Garmin watches refuse workouts with more FIT steps than this (Garmin Connect's own limit).
MAX_WORKOUT_STEPS = 100
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


@dataclass(frozen=True)
class PaceTarget:
    fast_s_per_km: float
    slow_s_per_km: float
    label: str = ""  # how the workout said it, e.g. "5k - 3s/km"

    @property
    def middle_s_per_km(self) -> float:
        return (self.fast_s_per_km + self.slow_s_per_km) / 2


@dataclass(frozen=True)
class HeartRateTarget:
    zone: int | None = None
    low: HeartRate | None = None
    high: HeartRate | None = None


@dataclass(frozen=True)
class CadenceTarget:
    low_spm: int
    high_spm: int


@dataclass(frozen=True)
class PowerTarget:
    zone: int | None = None
    low: int | None = None
    high: int | None = None
    percent_ftp: bool = False


Target = PaceTarget | HeartRateTarget | CadenceTarget | PowerTarget | None


@dataclass(frozen=True)
class Step:
    intensity: Intensity
    duration: Duration
    target: Target = None
    name: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Repeat:
    steps: tuple[Node, ...]
    count: int | None = None  # None when the repeat ends on heart rate
    until: HeartRateDuration | None = None
    name: str = ""


Node = Step | Repeat


@dataclass(frozen=True)
class Workout:
    name: str
    steps: tuple[Node, ...]
    sport: str = "running"
    description: str = ""
    level: str = DEFAULT_LEVEL


@dataclass(frozen=True)
class ExecutedStep:
    """One step as the runner meets it: repeats unrolled, with the FIT step index it came from."""

    step: Step
    fit_step_index: int
    repetition: int = 1  # 1-based within its innermost repeat; 1 outside repeats
    repeat_count: int | None = None  # how many times that repeat runs; None outside repeats


def message_count(nodes: tuple[Node, ...]) -> int:
    """How many FIT workout_step messages the nodes take: one per step, one per repeat."""
    return sum(1 if isinstance(node, Step) else 1 + message_count(node.steps) for node in nodes)


def unroll(workout: Workout) -> list[ExecutedStep]:
    """The steps in the order a runner executes them. Heart-rate repeats count once."""
    return list(_unroll(workout.steps, first_index=0, repetition=1, count=None))


def _unroll(
    nodes: tuple[Node, ...], *, first_index: int, repetition: int, count: int | None
) -> Iterator[ExecutedStep]:
    index = first_index
    for node in nodes:
        if isinstance(node, Step):
            yield ExecutedStep(node, index, repetition=repetition, repeat_count=count)
            index += 1
            continue
        for rep in range(1, (node.count or 1) + 1):
            yield from _unroll(node.steps, first_index=index, repetition=rep, count=node.count)
        index += message_count(node.steps) + 1


@dataclass(frozen=True)
class Overrides:
    """Changes a plan makes to a library workout for one week, applied to its main set: the
    first repeat that holds a hard (active) step, or else the first hard step."""

    repeat: int | None = None
    distance_m: float | None = None


def has_active_step(node: Node) -> bool:
    if isinstance(node, Step):
        return node.intensity is Intensity.ACTIVE
    return any(has_active_step(child) for child in node.steps)


def apply_overrides(workout: Workout, overrides: Overrides) -> Workout:
    steps = list(workout.steps)
    for index, node in enumerate(steps):
        if has_active_step(node):
            steps[index] = _override(node, overrides)
            break
    return replace(workout, steps=tuple(steps))


def _override(node: Node, overrides: Overrides) -> Node:
    if isinstance(node, Step):
        if overrides.distance_m is None or node.intensity is not Intensity.ACTIVE:
            return node
        return replace(node, duration=DistanceDuration(overrides.distance_m))
    children = tuple(
        _override(child, overrides) if isinstance(child, Step) else child for child in node.steps
    )
    count = overrides.repeat if overrides.repeat is not None and node.count else node.count
    return replace(node, steps=children, count=count)


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
        return StepEstimate(step.duration.duration_s / pace * 1000, step.duration.duration_s)
    return StepEstimate(None, None)
