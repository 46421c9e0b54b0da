"""Workout steps as short human text, for tables, reports and calendars."""

from __future__ import annotations

from typing import assert_never

from pacefit.core import units
from pacefit.core.units import DistanceUnit
from pacefit.core.workout import (
    STEP_SPORTS,
    Averaging,
    CadenceRange,
    DistanceDuration,
    Duration,
    ExecutedStep,
    HeartRateDuration,
    HeartRateRange,
    HeartRateZone,
    Intensity,
    Node,
    OpenDuration,
    PaceTarget,
    PowerRange,
    PowerZone,
    Repeat,
    RepeatUntil,
    Step,
    Target,
    TimeDuration,
)


def describe_duration(duration: Duration) -> str:
    match duration:
        case DistanceDuration(distance_m=distance_m):
            return units.format_distance(distance_m)
        case TimeDuration(duration_s=duration_s):
            return units.format_duration(duration_s)
        case HeartRateDuration(limit=limit, above=above):
            return f"until HR {'>' if above else '<'} {limit}"
        case OpenDuration():
            return "until lap"
        case _:
            assert_never(duration)


def describe_target(
    target: Target | None, unit: DistanceUnit = DistanceUnit.KM, *, sport: str = "running"
) -> str:
    """A target as a runner (or rider) reads it: `4:00-4:10/km`, `28.0-32.0 km/h` for a ride,
    `HR zone 2`, `170-180 spm`, `200-250 W (3 s avg)`."""
    match target:
        case None:
            return "open"
        case PaceTarget():
            if sport in STEP_SPORTS:
                text = units.format_pace_band(target.fast_s_per_km, target.slow_s_per_km, unit)
            else:
                text = units.format_speed_band(target.fast_s_per_km, target.slow_s_per_km, unit)
            return text + (" (lap avg)" if target.lap else "")
        case HeartRateZone(zone=zone, lap=lap):
            return f"HR zone {zone}" + (" (lap avg)" if lap else "")
        case HeartRateRange(low=low, high=high, lap=lap):
            return f"HR {low}-{high}" + (" (lap avg)" if lap else "")
        case CadenceRange(low=low_cadence, high=high_cadence):
            return f"{low_cadence}-{high_cadence} {'spm' if sport in STEP_SPORTS else 'rpm'}"
        case PowerZone(zone=zone, averaging=averaging):
            return f"power zone {zone}{_averaged(averaging)}"
        case PowerRange(low=low_power, high=high_power, percent_ftp=percent_ftp):
            value = f"{low_power}-{high_power}{'% FTP' if percent_ftp else ' W'}"
            return value + _averaged(target.averaging)
        case _:
            assert_never(target)


def _averaged(averaging: Averaging) -> str:
    return "" if averaging is Averaging.INSTANT else f" ({averaging.value} avg)"


# The words of the workout language, which runners read more easily than FIT's intensity names.
KIND_WORDS = {Intensity.ACTIVE: "run", Intensity.RECOVERY: "recover"}


def kind_word(intensity: Intensity) -> str:
    return KIND_WORDS.get(intensity, intensity.value)


def step_label(step: Step) -> str:
    """The step's own name, or its kind and length (`run 800m`; `cooldown` when it runs to
    the lap button)."""
    if step.name:
        return step.name
    if isinstance(step.duration, OpenDuration):
        return kind_word(step.intensity)
    return f"{kind_word(step.intensity)} {describe_duration(step.duration)}"


def executed_label(executed: ExecutedStep) -> str:
    """The step's label, with `3/6` when it is one of a repeat's runs."""
    label = step_label(executed.step)
    if executed.repeat_count:
        return f"{label} {executed.repetition}/{executed.repeat_count}"
    return label


def workout_outline(
    nodes: tuple[Node, ...], unit: DistanceUnit = DistanceUnit.KM, *, sport: str = "running"
) -> list[str]:
    """One line per step, repeats kept as `6 x` blocks: what a calendar entry should say."""
    lines: list[str] = []
    for node in nodes:
        match node:
            case Repeat(count=count):
                inner = "; ".join(workout_outline(node.steps, unit, sport=sport))
                text = f"{count} x [{inner}]"
                if node.between:
                    text += f" with [{'; '.join(workout_outline(node.between, unit, sport=sport))}]"
                    text += " between"
                lines.append(text)
            case RepeatUntil(until=until):
                inner = "; ".join(workout_outline(node.steps, unit, sport=sport))
                lines.append(f"{describe_duration(until)} [{inner}]")
            case Step():
                text = f"{kind_word(node.intensity)} {describe_duration(node.duration)}"
                if node.target is not None:
                    text += f" @ {describe_target(node.target, unit, sport=sport)}"
                lines.append(text)
            case _:
                assert_never(node)
    return lines
