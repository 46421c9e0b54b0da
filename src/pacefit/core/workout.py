"""The workout model: what a compiled workout is, independent of YAML and FIT.

Values are frozen; a workout is a tree of steps and repeats, as a coach writes it. Each kind of
duration, target and repeat is its own class, so that a value cannot be two things at once (a zone
*and* a range) and a `match` over a union can be checked for completeness by the type checker.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import Enum

from pacefit.core.units import PaceRange
from pacefit.errors import Location

LEVELS = ("beginner", "intermediate", "advanced")
# Sports whose cadence is counted in steps (both feet), and whose speed reads as a pace.
STEP_SPORTS = frozenset({"running", "walking", "hiking", "generic"})
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


@dataclass(frozen=True)
class Step:
    intensity: Intensity
    duration: Duration
    target: Target | None = None
    name: str = ""
    notes: str = ""
    secondary_target: Target | None = None  # a second target, shown beside the first
    # where the step was written (a YAML line), for messages; not part of the step's value
    origin: Location | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Repeat:
    """The steps, run `count` times."""

    steps: tuple[Node, ...]
    count: int
    name: str = ""
    origin: Location | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class RepeatUntil:
    """The steps, run again and again until heart rate crosses a limit."""

    steps: tuple[Node, ...]
    until: HeartRateDuration
    name: str = ""
    origin: Location | None = field(default=None, compare=False, repr=False)


Node = Step | Repeat | RepeatUntil


@dataclass(frozen=True)
class Workout:
    name: str
    steps: tuple[Node, ...]
    sport: str = "running"  # a FIT sport name: running, cycling, walking, swimming, ...
    sub_sport: str = "generic"  # treadmill, track, trail, road, indoor_cycling, ...
    description: str = ""
    level: str = DEFAULT_LEVEL
    origin: Location | None = field(default=None, compare=False, repr=False)


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
        times = node.count if isinstance(node, Repeat) else 1
        inner_count = node.count if isinstance(node, Repeat) else None
        for rep in range(1, times + 1):
            yield from _unroll(node.steps, first_index=index, repetition=rep, count=inner_count)
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
    if isinstance(node, Repeat) and overrides.repeat is not None:
        return replace(node, steps=children, count=overrides.repeat)
    return replace(node, steps=children)


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
