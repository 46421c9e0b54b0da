"""Workout steps as short human text, for tables, reports and calendars."""

from __future__ import annotations

from pacefit.core import units
from pacefit.core.units import DistanceUnit
from pacefit.core.workout import (
    CadenceTarget,
    DistanceDuration,
    Duration,
    ExecutedStep,
    HeartRateDuration,
    HeartRateTarget,
    Intensity,
    Node,
    OpenDuration,
    PaceTarget,
    PowerTarget,
    Repeat,
    Step,
    Target,
    TimeDuration,
)


def describe_duration(duration: Duration) -> str:
    if isinstance(duration, DistanceDuration):
        return units.format_distance(duration.distance_m)
    if isinstance(duration, TimeDuration):
        return units.format_duration(duration.duration_s)
    if isinstance(duration, HeartRateDuration):
        return f"until HR {'>' if duration.above else '<'} {duration.limit}"
    return "until lap"


def describe_pace_band(target: PaceTarget, unit: DistanceUnit) -> str:
    fast = units.format_pace(target.fast_s_per_km, unit)
    slow = units.format_pace(target.slow_s_per_km, unit)
    return f"{fast.split('/')[0]}-{slow}"


def describe_target(target: Target, unit: DistanceUnit = DistanceUnit.KM) -> str:
    if target is None:
        return "open"
    if isinstance(target, PaceTarget):
        return describe_pace_band(target, unit)
    if isinstance(target, HeartRateTarget):
        if target.zone is not None:
            return f"HR zone {target.zone}"
        return f"HR {target.low}-{target.high}"
    if isinstance(target, CadenceTarget):
        return f"{target.low_spm}-{target.high_spm} spm"
    assert isinstance(target, PowerTarget)
    if target.zone is not None:
        return f"power zone {target.zone}"
    return f"{target.low}-{target.high}{'% FTP' if target.percent_ftp else ' W'}"


# The words of the workout language, which runners read more easily than FIT's intensity names.
KIND_WORDS = {Intensity.ACTIVE: "run", Intensity.RECOVERY: "recover"}


def kind_word(intensity: Intensity) -> str:
    return KIND_WORDS.get(intensity, intensity.value)


def step_label(step: Step) -> str:
    """The step's own name, or its kind and length (`run 800m`)."""
    if step.name:
        return step.name
    return f"{kind_word(step.intensity)} {describe_duration(step.duration)}"


def executed_label(executed: ExecutedStep) -> str:
    """The step's label, with `3/6` when it is one of a repeat's runs."""
    label = step_label(executed.step)
    if executed.repeat_count:
        return f"{label} {executed.repetition}/{executed.repeat_count}"
    return label


def workout_outline(nodes: tuple[Node, ...], unit: DistanceUnit = DistanceUnit.KM) -> list[str]:
    """One line per step, repeats kept as `6 x` blocks: what a calendar entry should say."""
    lines: list[str] = []
    for node in nodes:
        if isinstance(node, Repeat):
            count = (
                f"{node.count} x" if node.count else describe_duration(node.until or OpenDuration())
            )
            inner = "; ".join(workout_outline(node.steps, unit))
            lines.append(f"{count} [{inner}]")
            continue
        text = f"{kind_word(node.intensity)} {describe_duration(node.duration)}"
        if node.target is not None:
            text += f" @ {describe_target(node.target, unit)}"
        lines.append(text)
    return lines
