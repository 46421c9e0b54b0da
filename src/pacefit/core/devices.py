"""Device profiles: what a watch (or a program a workout is sent to) can hold and show, and the
lint that fits a workout to one before it is written.

The table is data: every number carries the source it comes from, and a number nobody has
published is marked as a guess, so that a runner who knows better can tell which to doubt.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Generic, TypeVar, assert_never

from pacefit.core.workout import (
    CadenceRange,
    HeartRateRange,
    HeartRateZone,
    Node,
    PaceTarget,
    PowerRange,
    PowerZone,
    Repeat,
    RepeatUntil,
    Step,
    Target,
    Workout,
    fit_layout,
    message_count,
    steps_as_written,
    with_children,
)
from pacefit.errors import Location, WorkoutError, warn

T = TypeVar("T")

DEFAULT_DEVICE = "generic"
TARGET_KINDS = ("pace", "heart rate", "cadence", "power")


@dataclass(frozen=True)
class Limit(Generic[T]):
    """One number of a profile, with where it comes from."""

    value: T
    source: str
    guess: bool = False  # no published source: a reasoned guess, named as one


@dataclass(frozen=True)
class DeviceProfile:
    name: str
    description: str
    called: str  # how a message names it: "a watch", "TCX"
    max_steps: Limit[int]  # steps as FIT and TCX count them: one per step, one per repeat
    workout_name_bytes: Limit[int]  # UTF-8 bytes; TCX counts characters, never more
    step_name_bytes: Limit[int]
    nested_repeats: Limit[bool]
    repeat_counts: Limit[tuple[int, int]]  # lowest and highest repeat count it holds
    targets: Limit[frozenset[str]]  # target kinds it shows (TARGET_KINDS)
    scheduled_workouts: Limit[int | None]  # how many workouts it keeps at once; None: unknown


_ALL_TARGETS = frozenset(TARGET_KINDS)
_FIT_FORUM = "Garmin developer forum thread 323237 (a Garmin Connect workout file's field sizes)"
_TCX_XSD = "Garmin's TrainingCenterDatabase v2 schema (shared/reference/interchange §3)"
_NO_SOURCE = "no published limit found"
# The workout language refuses counts beyond this on every device (formats/workout_yaml.py).
_LANGUAGE_COUNTS = "pacefit's workout language takes 1-99"

DEVICE_PROFILES: dict[str, DeviceProfile] = {
    profile.name: profile
    for profile in (
        DeviceProfile(
            name="generic",
            description="a current Garmin watch or bike computer (FIT workouts)",
            called="a watch",
            max_steps=Limit(100, "pacefit's long-standing cap; " + _NO_SOURCE, guess=True),
            workout_name_bytes=Limit(31, _FIT_FORUM),
            step_name_bytes=Limit(15, "TCX's 15 characters, kept by FIT-era watches", guess=True),
            nested_repeats=Limit(
                True, "Garmin Connect builds and sends nested repeats (mgifos/quick-plan#38)"
            ),
            repeat_counts=Limit(
                (1, 99), _LANGUAGE_COUNTS + " (the FIT profile's count is a uint32)"
            ),
            targets=Limit(_ALL_TARGETS, "FIT profile: wkt_step target_type"),
            scheduled_workouts=Limit(30, "users' reports for a fenix 7", guess=True),
        ),
        DeviceProfile(
            name="legacy",
            description="an older Garmin watch (Forerunner 2xx/6xx/9xx before 2017, fenix 3)",
            called="an older watch",
            max_steps=Limit(
                50,
                "the step cap Garmin Connect's editor was said to keep; " + _NO_SOURCE,
                guess=True,
            ),
            workout_name_bytes=Limit(
                15, "TCX's 15 characters, the format these watches began with", guess=True
            ),
            step_name_bytes=Limit(15, "TCX's 15 characters", guess=True),
            nested_repeats=Limit(
                False, "not known to run nested repeats; " + _NO_SOURCE, guess=True
            ),
            repeat_counts=Limit((2, 99), "TCX's Repetitions 2-99", guess=True),
            targets=Limit(
                frozenset({"pace", "heart rate", "cadence"}),
                "no running power before 2019 (Garmin Running Power)",
                guess=True,
            ),
            scheduled_workouts=Limit(100, "users' reports for a fenix 3", guess=True),
        ),
        DeviceProfile(
            name="tcx",
            description="a TCX workout, for devices of the Training Center era",
            called="TCX",
            max_steps=Limit(20, _TCX_XSD + ": StepId at most 20, repeats included"),
            workout_name_bytes=Limit(15, _TCX_XSD + ": Name 1-15 characters"),
            step_name_bytes=Limit(15, _TCX_XSD + ": step Name 1-15 characters"),
            nested_repeats=Limit(
                False,
                "the schema allows them; how old devices run them is "
                "not known, so pacefit writes them out",
                guess=True,
            ),
            repeat_counts=Limit((2, 99), _TCX_XSD + ": Repetitions 2-99"),
            targets=Limit(
                frozenset({"pace", "heart rate", "cadence"}),
                _TCX_XSD + ": Speed_t, HeartRate_t, Cadence_t, no power",
            ),
            scheduled_workouts=Limit(None, _NO_SOURCE),
        ),
        DeviceProfile(
            name="garmin-connect",
            description="Garmin Connect's workout service (gcjson)",
            called="Garmin Connect",
            max_steps=Limit(50, "kaiord's input schema, marked 'assumed, not tested'", guess=True),
            workout_name_bytes=Limit(255, "kaiord's live test: longer names cut to 256 with '...'"),
            step_name_bytes=Limit(
                255,
                "steps have no name field; the name goes in the step's "
                "description, whose limit is unknown",
                guess=True,
            ),
            nested_repeats=Limit(True, "kaiord's live test accepted a repeat in a repeat"),
            repeat_counts=Limit(
                (1, 99), "1 accepted live (kaiord); 99 is kaiord's assumption", guess=True
            ),
            targets=Limit(_ALL_TARGETS, "python-garminconnect's target types"),
            scheduled_workouts=Limit(None, _NO_SOURCE),
        ),
        DeviceProfile(
            name="zwift",
            description="Zwift on a treadmill (.zwo)",
            called="Zwift",
            max_steps=Limit(1000, _NO_SOURCE, guess=True),
            workout_name_bytes=Limit(255, _NO_SOURCE, guess=True),
            step_name_bytes=Limit(
                255, "steps have no names; they become on-screen messages", guess=True
            ),
            nested_repeats=Limit(
                False, "IntervalsT is one flat on/off pair (h4l's tag reference, zwo-editor)"
            ),
            repeat_counts=Limit((1, 99), _NO_SOURCE + "; " + _LANGUAGE_COUNTS, guess=True),
            targets=Limit(
                frozenset({"pace"}),
                "run blocks hold a share of a race speed, no heart rate (h4l's tag reference)",
            ),
            scheduled_workouts=Limit(None, _NO_SOURCE),
        ),
        DeviceProfile(
            name="intervals-icu",
            description="intervals.icu's workout text",
            called="intervals.icu",
            max_steps=Limit(1000, _NO_SOURCE, guess=True),
            workout_name_bytes=Limit(255, _NO_SOURCE, guess=True),
            step_name_bytes=Limit(255, _NO_SOURCE, guess=True),
            nested_repeats=Limit(
                False, "intervals.icu's quick guide: nested repeats are not supported"
            ),
            repeat_counts=Limit((1, 99), _NO_SOURCE + "; " + _LANGUAGE_COUNTS, guess=True),
            targets=Limit(_ALL_TARGETS, "intervals.icu's quick guide: pace, HR, power, rpm"),
            scheduled_workouts=Limit(None, _NO_SOURCE),
        ),
    )
}


def device_profile(name: str) -> DeviceProfile:
    """The profile of that name; a `KeyError` names the known ones."""
    try:
        return DEVICE_PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown device '{name}'; known: {', '.join(DEVICE_PROFILES)}") from None


def target_kind(target: Target) -> str:
    match target:
        case PaceTarget():
            return "pace"
        case HeartRateZone() | HeartRateRange():
            return "heart rate"
        case CadenceRange():
            return "cadence"
        case PowerZone() | PowerRange():
            return "power"
        case _:
            assert_never(target)


# -- the lint -----------------------------------------------------------------------------------


def fit_to_device(workout: Workout, profile: DeviceProfile) -> Workout:
    """The workout as the device can hold it, or a `WorkoutError` at the first thing it cannot.

    Repeats of one run become plain steps, repeats the device cannot nest are written out (each
    run of the inner repeat a step of its own), names are shortened (with a warning, the whole
    step name kept in its notes); targets it cannot show, repeat counts it cannot hold and more
    steps than it takes are refused, with the place in the workout file."""
    low, _ = profile.repeat_counts.value
    steps = _single_runs_inlined(workout.steps) if low > 1 else workout.steps
    if not profile.nested_repeats.value:
        steps = _flattened(steps, profile, depth=0)
    fitted = replace(workout, steps=steps)
    _check_targets(fitted, profile)
    _check_repeat_counts(fitted.steps, profile)
    _check_written_out_count(workout, fitted, profile)
    _check_step_count(fitted, profile)
    return _names_shortened(fitted, profile)


def _single_runs_inlined(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Step):
            out.append(node)
        elif isinstance(node, Repeat) and node.count == 1:
            out.extend(_single_runs_inlined(node.steps))
        else:
            out.append(with_children(node, _single_runs_inlined))
    return tuple(out)


def _flattened(nodes: tuple[Node, ...], profile: DeviceProfile, *, depth: int) -> tuple[Node, ...]:
    """Repeats inside repeats written out in full (the outer repeat stays)."""
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Step):
            out.append(node)
            continue
        if depth == 0:
            out.append(with_children(node, lambda inner: _flattened(inner, profile, depth=1)))
            continue
        if isinstance(node, RepeatUntil):
            raise WorkoutError(
                f"{profile.called} cannot nest repeats, and a heart-rate repeat inside a repeat "
                "cannot be written out",
                location=node.origin,
                hint="make it the outer repeat, or give it a count",
            )
        out.extend(written_out(node))
        warn(
            f"{profile.called} cannot nest repeats; this repeat of {node.count} is written out "
            "in full",
            location=node.origin,
        )
    return tuple(out)


def written_out(node: Repeat) -> list[Node]:
    """Every run of the repeat one after another, inner repeats too."""
    out: list[Node] = []
    for run in range(1, node.count + 1):
        children = node.steps + (node.between if run < node.count else ())
        for child in children:
            if isinstance(child, RepeatUntil):
                raise WorkoutError(
                    "a heart-rate repeat inside a repeat cannot be written out",
                    location=child.origin,
                    hint="make it the outer repeat, or give it a count",
                )
            out.extend(written_out(child) if isinstance(child, Repeat) else [child])
    return out


def _all_repeats(nodes: tuple[Node, ...]) -> Iterator[Repeat]:
    for node in nodes:
        if isinstance(node, Step):
            continue
        if isinstance(node, Repeat):
            yield node
            yield from _all_repeats(node.between)
        yield from _all_repeats(node.steps)


def _check_targets(workout: Workout, profile: DeviceProfile) -> None:
    for number, step in enumerate(steps_as_written(workout.steps), start=1):
        for target in (step.target, step.secondary_target):
            if target is None or target_kind(target) in profile.targets.value:
                continue
            shown = " or ".join(sorted(profile.targets.value))
            raise WorkoutError(
                f"step {number}: {profile.called} cannot show a {target_kind(target)} target",
                location=step.origin or workout.origin,
                hint=f"it shows {shown} targets; change the step's target or choose another device",
            )


def _check_repeat_counts(nodes: tuple[Node, ...], profile: DeviceProfile) -> None:
    low, high = profile.repeat_counts.value
    for repeat in _all_repeats(nodes):
        # fit_layout writes a repeat with steps between as a repeat of one run fewer
        written = repeat.count - 1 if repeat.between and repeat.count > 2 else repeat.count
        if repeat.between and repeat.count <= 2:
            continue  # written out as plain steps
        if not low <= written <= high:
            raise WorkoutError(
                f"{profile.called} holds repeats of {low} to {high}; this one runs {written} times",
                location=repeat.origin,
                hint="split it into two repeats",
            )


def _check_written_out_count(written: Workout, fitted: Workout, profile: DeviceProfile) -> None:
    """Refused at the nested repeat when writing it out is what takes the workout past the
    device's step limit."""
    limit = profile.max_steps.value
    before, after = message_count(written.steps), message_count(fitted.steps)
    if before <= limit < after:
        inner = next(_nested_repeats(written.steps), None)
        raise WorkoutError(
            f"{profile.called} cannot nest repeats, and written out this workout takes {after} "
            f"steps; {profile.called} holds at most {limit}",
            location=(inner.origin if inner else None) or written.origin,
            hint="make the inner repeat shorter, or split the workout in two",
        )


def _nested_repeats(nodes: tuple[Node, ...], *, inside: bool = False) -> Iterator[Node]:
    for node in nodes:
        if isinstance(node, Step):
            continue
        if inside:
            yield node
        yield from _nested_repeats(node.steps, inside=True)


def _check_step_count(workout: Workout, profile: DeviceProfile) -> None:
    limit = profile.max_steps.value
    total = message_count(workout.steps)
    if total <= limit:
        return
    first_over = _nth_message_origin(fit_layout(workout.steps), limit + 1) or workout.origin
    raise WorkoutError(
        f"the workout has {total} steps (repeats counted); {profile.called} holds at most "
        f"{limit}, and this is step {limit + 1}",
        location=first_over,
        hint="use a repeat for steps that recur, or split the workout in two",
    )


def _nth_message_origin(nodes: tuple[Node, ...], n: int) -> Location | None:
    """Where the n-th (1-based) step or repeat is written, in the order FIT and TCX number them
    (a repeat after its steps)."""
    origins = list(_message_origins(nodes))
    return origins[n - 1] if n <= len(origins) else None


def _message_origins(nodes: tuple[Node, ...]) -> Iterator[Location | None]:
    for node in nodes:
        if isinstance(node, Step):
            yield node.origin
        else:
            yield from _message_origins(node.steps)
            yield node.origin


def shorten_utf8(text: str, max_bytes: int) -> str:
    """The longest start of the text that fits in `max_bytes` of UTF-8, trailing spaces off."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", errors="ignore").rstrip()


def _names_shortened(workout: Workout, profile: DeviceProfile) -> Workout:
    name = shorten_utf8(workout.name, profile.workout_name_bytes.value)
    if name != workout.name:
        warn(
            f"workout name '{workout.name}' is too long for {profile.called}; shortened to "
            f"'{name}'",
            location=workout.origin,
        )
    counter = iter(range(1, 10_000))
    return replace(workout, name=name, steps=_step_names(workout.steps, profile, counter))


def _step_names(
    nodes: tuple[Node, ...], profile: DeviceProfile, counter: Iterator[int]
) -> tuple[Node, ...]:
    return tuple(
        _step_named(node, profile, next(counter))
        if isinstance(node, Step)
        else with_children(node, lambda inner: _step_names(inner, profile, counter))
        for node in nodes
    )


def _step_named(step: Step, profile: DeviceProfile, number: int) -> Step:
    short = shorten_utf8(step.name, profile.step_name_bytes.value)
    if short == step.name:
        return step
    warn(
        f"step {number} name '{step.name}' is too long for {profile.called}; shortened to "
        f"'{short}' (the whole name starts its notes)",
        location=step.origin,
    )
    notes = f"{step.name}. {step.notes}" if step.notes else step.name
    return replace(step, name=short, notes=notes)
