"""The workout language: YAML files -> `Workout`, and `Workout` -> YAML (for decompile).

A workout is compiled for one athlete and one level: paces are resolved here, so the model
only ever holds concrete pace bands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NoReturn, assert_never

import yaml

from pacefit.core import units
from pacefit.core.describe import describe_duration
from pacefit.core.pace_expr import PaceExpr, PaceSlide, parse_pace, resolve_pace
from pacefit.core.paces import DEFAULT_PACE_TOLERANCE_S_PER_KM, Athlete, PaceTable, pace_table
from pacefit.core.sports import SPORTS, SUB_SPORTS
from pacefit.core.workout import (
    DEFAULT_LEVEL,
    FINEST_DISTANCE_M,
    FINEST_DURATION_S,
    LEVELS,
    MAX_EXECUTED_STEPS,
    MAX_WORKOUT_STEPS,
    STEP_SPORTS,
    Averaging,
    CadenceRange,
    DistanceDuration,
    Duration,
    Effort,
    Equal,
    HeartRate,
    HeartRateDuration,
    HeartRateRange,
    HeartRateZone,
    Intensity,
    LengthError,
    Node,
    OpenDuration,
    Overrides,
    PaceTarget,
    PowerRange,
    PowerZone,
    Repeat,
    RepeatUntil,
    Step,
    Target,
    TimeDuration,
    Workout,
    apply_overrides,
    executed_count,
    main_set,
    message_count,
    settle,
)
from pacefit.errors import InvalidValue, WorkoutError, warn
from pacefit.formats.yaml_source import Entry, YamlSource, read_tolerance, suggest

# Refused as absurd rather than passed to a watch.
MAX_STEP_DISTANCE_M = 500_000.0
MAX_STEP_DURATION_S = 24 * 3600.0
MAX_REPEAT_COUNT = 99
FASTEST_PACE_S_PER_KM = 90.0  # 1:30/km is faster than a 100 m world record
SLOWEST_PACE_S_PER_KM = 1200.0  # 20:00/km is a slow walk
MAX_TEXT_CHARS = 200
MAX_NESTING = 4  # repeats inside repeats

KIND_KEYS: dict[str, Intensity] = {
    "warmup": Intensity.WARMUP,
    "run": Intensity.ACTIVE,
    "ride": Intensity.ACTIVE,  # the same kind of step, as a cyclist writes it
    "rest": Intensity.REST,
    "recover": Intensity.RECOVERY,
    "cooldown": Intensity.COOLDOWN,
}
TARGET_KEYS = ("pace", "speed", "hr", "cadence", "power")
STEP_KEYS = (*KIND_KEYS, "name", "notes", *TARGET_KEYS, "secondary", "tolerance", "at_most")
REPEAT_KEYS = ("repeat", "steps", "between", "name")
LADDER_KEYS = ("ladder", "pace", "recover", "recover_pace", "name", "tolerance")
# How close to a tenth of a second a pace must be to be taken as written in tenths.
PACE_TENTHS_EXACT = 0.001
# Keys that make an item of a step list a repeat or a ladder rather than a step.
STEP_STARTS_ELSEWHERE = ("repeat", "ladder", "steps", "between")
WORKOUT_KEYS = ("name", "description", "sport", "sub_sport", "effort", "steps", "tolerance")

SINGLE_SPEED_BAND_KMH = 1.0  # a single speed, like a single pace, gets a small band
DURATION_HINT = (
    "use a distance (800m, 1.5km, 2mi), a time (30s, 15min, 1:30), 'lap' for the lap button, "
    "or 'until hr < 130bpm'"
)
_HR_RANGE_RE = re.compile(r"^(\d+)\s*(?:-\s*(\d+)\s*)?(bpm|%)$")
_ZONE_RE = re.compile(r"^(?:zone\s*|z)(\d+)$")
_UNTIL_HR_RE = re.compile(r"^until\s+hr\s*([<>])\s*(\d+)\s*(bpm|%)$")


@dataclass
class _Context:
    source: YamlSource
    level: str
    table: PaceTable | None
    tolerance_s_per_km: float
    athlete: Athlete | None = None
    depth: int = 0
    sport: str = "running"
    steps_written: int = 0  # steps and repeats so far, each once: counted before anything unrolls


def load_workout(
    path: Path,
    *,
    athlete: Athlete | None,
    level: str = DEFAULT_LEVEL,
    overrides: Overrides | None = None,
) -> Workout:
    return parse_workout(
        YamlSource.from_file(path), athlete=athlete, level=level, overrides=overrides
    )


def parse_workout(
    source: YamlSource,
    *,
    athlete: Athlete | None,
    level: str = DEFAULT_LEVEL,
    overrides: Overrides | None = None,
) -> Workout:
    if level not in LEVELS:
        raise WorkoutError(f"unknown level '{level}'", hint=f"levels are {', '.join(LEVELS)}")
    top = source.mapping(source.root, what="a workout", allowed=WORKOUT_KEYS)
    if "steps" not in top:
        source.fail(source.root, "the workout has no 'steps'", "add 'steps:' with a list of steps")
    base_tolerance = athlete.pace_tolerance_s_per_km if athlete else DEFAULT_PACE_TOLERANCE_S_PER_KM
    context = _Context(
        source=source,
        level=level,
        table=pace_table(athlete) if athlete else None,
        athlete=athlete,
        tolerance_s_per_km=read_tolerance(source, top, default=base_tolerance),
    )
    name_template = _optional_text(source, top, "name") or Path(source.path).stem
    context.sport = _choice(source, top, "sport", tuple(SPORTS), default="running")
    sub_sport = _choice(source, top, "sub_sport", tuple(SUB_SPORTS), default="generic")
    steps = _parse_block(context, top["steps"].value, what="'steps'")
    fit_steps = message_count(steps)
    if fit_steps > MAX_WORKOUT_STEPS:
        source.fail(
            top["steps"].value,
            f"the workout has {fit_steps} steps; watches accept at most {MAX_WORKOUT_STEPS}",
            "use repeats, or split it into several workouts",
        )
    effort = _choice(source, top, "effort", tuple(e.value for e in Effort), default="")
    workout = Workout(
        name=name_template,
        steps=steps,
        sport=context.sport,
        sub_sport=sub_sport,
        description=_optional_text(source, top, "description"),
        level=level,
        effort=Effort(effort) if effort else None,
        origin=source.location(source.root),
    )
    if overrides:
        workout = apply_overrides(workout, overrides)
        _check_executed(source, source.root, workout.steps)
    workout = _settled(workout, source)
    name_node = top["name"].value if "name" in top else source.root
    return replace(workout, name=_filled_name(source, name_node, workout))


def _settled(workout: Workout, source: YamlSource) -> Workout:
    try:
        settled, capped = settle(workout)
    except LengthError as exc:
        raise WorkoutError(exc.message, location=exc.step.origin, hint=exc.hint) from exc
    for cap in capped:
        assert cap.step.at_most_s is not None
        warn(
            f"{describe_duration(cap.planned)} would take longer than "
            f"{units.format_clock(cap.step.at_most_s)}; shortened to "
            f"{describe_duration(cap.step.duration)}",
            location=cap.step.origin,
        )
    return settled


_NAME_FIELD_RE = re.compile(r"\{([^{}]*)\}")
NAME_FIELDS = ("reps", "length")


def _filled_name(source: YamlSource, node: yaml.Node, workout: Workout) -> str:
    """The name with `{reps}` and `{length}` filled from the main set, so that a plan's
    change shows on the watch: `Tempo {reps}x{length}` -> `Tempo 2x7min`."""
    template = workout.name
    fields = _NAME_FIELD_RE.findall(template)
    for field_name in fields:
        if field_name not in NAME_FIELDS:
            source.fail(
                node,
                f"the name has an unknown field '{{{field_name}}}'",
                "names can hold {reps} (the main set's count) and {length} (its rep's length)",
            )
    if not fields:
        return template
    main = main_set(workout)
    first_hard = _first_hard_step(main) if main is not None else None
    if first_hard is None:
        source.fail(node, "the name has {reps} or {length} but the workout has no hard step")
    reps = main.count if isinstance(main, Repeat) else 1
    length = describe_duration(first_hard.duration).replace(" ", "")
    return template.replace("{reps}", str(reps)).replace("{length}", length)


def _first_hard_step(node: Node) -> Step | None:
    if isinstance(node, Step):
        return node if node.intensity is Intensity.ACTIVE else None
    return next((s for s in map(_first_hard_step, node.steps) if s is not None), None)


def _choice(
    source: YamlSource,
    entries: dict[str, Entry],
    key: str,
    allowed: tuple[str, ...],
    *,
    default: str,
) -> str:
    if key not in entries:
        return default
    node = entries[key].value
    text = source.text(node, what=f"'{key}'").strip().lower().replace(" ", "_")
    if text not in allowed:
        source.fail(node, f"unknown {key.replace('_', '-')} '{text}'", suggest(text, allowed))
    return text


def _optional_text(source: YamlSource, entries: dict[str, Entry], key: str) -> str:
    if key not in entries:
        return ""
    node = entries[key].value
    text = source.text(node, what=f"'{key}'").strip()
    if len(text) > MAX_TEXT_CHARS:
        source.fail(
            node, f"'{key}' is {len(text)} characters long", f"keep it under {MAX_TEXT_CHARS}"
        )
    return text


def _parse_block(context: _Context, node: yaml.Node, *, what: str) -> tuple[Node, ...]:
    source = context.source
    items = source.sequence(node, what=what)
    if not items:
        source.fail(node, f"{what} is empty", "list at least one step")
    nodes: list[Node] = []
    for item in items:
        nodes.extend(_parse_item(context, item))
    return tuple(nodes)


def _count_written(context: _Context, node: yaml.Node) -> None:
    """Refuse a workout as soon as it holds more steps than a watch takes, before the rest of
    it is read (each step and repeat once, as written)."""
    context.steps_written += 1
    if context.steps_written > MAX_WORKOUT_STEPS:
        context.source.fail(
            node,
            f"the workout has more than {MAX_WORKOUT_STEPS} steps; watches accept at most "
            f"{MAX_WORKOUT_STEPS}",
            "use repeats, or split it into several workouts",
        )


def _check_executed(source: YamlSource, node: yaml.Node, nodes: tuple[Node, ...]) -> None:
    executed = executed_count(nodes)
    if executed > MAX_EXECUTED_STEPS:
        source.fail(
            node,
            f"the workout runs {executed:,} steps once its repeats are unrolled; no session "
            f"runs more than {MAX_EXECUTED_STEPS:,}",
            "use fewer repetitions",
        )


def _parse_item(context: _Context, node: yaml.Node) -> list[Node]:
    source = context.source
    _count_written(context, node)
    if isinstance(node, yaml.MappingNode):
        keys = {key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
        if "repeat" in keys:
            return [_parse_repeat(context, node)]
        if "ladder" in keys:
            return _parse_ladder(context, node)
    entries = source.mapping(
        node, what="a step", allowed=STEP_KEYS, also_valid_here=STEP_STARTS_ELSEWHERE
    )
    kinds = [key for key in entries if key in KIND_KEYS]
    if not kinds:
        source.fail(
            node,
            "the step says neither what to do nor for how long",
            f"start it with one of: {', '.join(KIND_KEYS)}, repeat, ladder (e.g. 'run: 800m')",
        )
    if len(kinds) > 1:
        source.fail(
            entries[kinds[1]].key,
            f"the step has both '{kinds[0]}' and '{kinds[1]}'",
            "split it into two steps",
        )
    kind = kinds[0]
    duration, equal = _length(context, entries[kind].value)
    return [
        Step(
            intensity=KIND_KEYS[kind],
            duration=duration,
            target=_target(context, entries),
            name=_optional_text(source, entries, "name"),
            notes=_optional_text(source, entries, "notes"),
            secondary_target=_secondary(context, entries),
            equal=equal,
            at_most_s=_at_most(context, entries),
            origin=source.location(node),
        )
    ]


def _length(context: _Context, node: yaml.Node) -> tuple[Duration, Equal | None]:
    """A step's duration, or `equal time` / `equal distance` (as long as the step before: the
    length is filled in once the whole workout, with a plan's changes, is known)."""
    node = _leveled(context, node)
    text = context.source.text(node, what="a duration").strip().lower()
    for equal in Equal:
        if text == f"equal {equal.value}":
            return OpenDuration(), equal
    return _duration(context, node), None


def _at_most(context: _Context, entries: dict[str, Entry]) -> float | None:
    """`at_most: 2:30:00`: the step is shortened to this time at the middle of its pace."""
    if "at_most" not in entries:
        return None
    node = _leveled(context, entries["at_most"].value)
    text = context.source.text(node, what="'at_most'").strip().lower()
    time_s = units.parse_time_s(text)
    if time_s is None or not 0 < time_s <= MAX_STEP_DURATION_S:
        context.source.fail(
            node, f"'at_most' must be a time, got '{text}'", "e.g. 2:30:00 or 150min"
        )
    return time_s


def _parse_repeat(context: _Context, node: yaml.Node) -> Repeat | RepeatUntil:
    source = context.source
    entries = source.mapping(node, what="a repeat", allowed=REPEAT_KEYS)
    if "steps" not in entries:
        source.fail(node, "the repeat has no steps", "add 'steps:' with the steps to repeat")
    count_node = _leveled(context, entries["repeat"].value)
    count_text = source.text(count_node, what="the repeat count")
    until = _until_hr(count_text)
    count = _repeat_count(context, count_node, count_text) if until is None else None
    if context.depth >= MAX_NESTING:
        source.fail(node, f"repeats are nested more than {MAX_NESTING} deep", "flatten the workout")
    context.depth += 1
    steps = _parse_block(context, entries["steps"].value, what="the repeat's 'steps'")
    between: tuple[Node, ...] = ()
    if "between" in entries:
        between = _parse_block(context, entries["between"].value, what="the repeat's 'between'")
    context.depth -= 1
    name = _optional_text(source, entries, "name")
    origin = source.location(node)
    if until is not None:
        if between:
            source.fail(
                entries["between"].key,
                "a repeat until a heart rate cannot have steps between",
                "put the steps in 'steps:'",
            )
        return RepeatUntil(steps=steps, until=until, name=name, origin=origin)
    assert count is not None
    repeat = Repeat(steps=steps, count=count, name=name, between=between, origin=origin)
    _check_executed(source, node, (repeat,))
    return repeat


def _repeat_count(context: _Context, node: yaml.Node, text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_REPEAT_COUNT:
        context.source.fail(
            node,
            f"the repeat count must be a whole number from 1 to {MAX_REPEAT_COUNT}, got '{text}'",
            "write e.g. 'repeat: 6', or 'repeat: until hr < 130bpm'",
        )
    return int(text)


def _until_hr(text: str) -> HeartRateDuration | None:
    match = _UNTIL_HR_RE.match(text.strip().lower())
    if not match:
        return None
    return HeartRateDuration(
        limit=HeartRate(int(match[2]), percent_of_max=match[3] == "%"), above=match[1] == ">"
    )


def _parse_ladder(context: _Context, node: yaml.Node) -> list[Node]:
    """`ladder: [400m, 800m, ...]` with `pace: 5k -> 10k`: rungs whose pace slides evenly."""
    source = context.source
    entries = source.mapping(node, what="a ladder", allowed=LADDER_KEYS)
    rungs = source.sequence(_leveled(context, entries["ladder"].value), what="'ladder'")
    if len(rungs) < 2:
        source.fail(entries["ladder"].value, "a ladder needs at least two rungs")
    pace_expr = _pace_expr(context, entries["pace"].value) if "pace" in entries else None
    tolerance = read_tolerance(source, entries, default=context.tolerance_s_per_km)
    name = _optional_text(source, entries, "name")
    steps: list[Node] = []
    for index, rung in enumerate(rungs):
        if index:  # the ladder itself counted as its first rung
            _count_written(context, rung)
        expr = pace_expr
        if isinstance(pace_expr, PaceSlide):
            expr = pace_expr.at(index / (len(rungs) - 1))
        target = _pace_target(context, entries["pace"].value, expr, tolerance) if expr else None
        steps.append(
            Step(
                intensity=Intensity.ACTIVE,
                duration=_duration(context, rung),
                target=target,
                name=f"{name} {index + 1}".strip(),
                origin=source.location(rung),
            )
        )
        if "recover" in entries and index < len(rungs) - 1:
            _count_written(context, entries["recover"].value)
            recover_target = None
            if "recover_pace" in entries:
                pace_node = entries["recover_pace"].value
                recover_target = _pace_target(
                    context, pace_node, _pace_expr(context, pace_node), tolerance
                )
            duration, equal = _length(context, entries["recover"].value)
            steps.append(
                Step(
                    intensity=Intensity.RECOVERY,
                    duration=duration,
                    target=recover_target,
                    equal=equal,
                    origin=source.location(entries["recover"].value),
                )
            )
    return steps


def _leveled(context: _Context, node: yaml.Node) -> yaml.Node:
    return context.source.leveled(node, context.level)


def _duration(context: _Context, node: yaml.Node) -> Duration:
    source = context.source
    node = _leveled(context, node)
    text = source.text(node, what="a duration").strip().lower()
    if text in ("lap", "open"):
        return OpenDuration()
    until = _until_hr(text)
    if until is not None:
        return until
    if text.startswith("-") or re.match(r"^0+(\.0*)?\s*[a-z]*$", text):
        source.fail(node, f"a duration must be more than zero, got '{text}'", DURATION_HINT)
    distance_m = units.parse_distance_m(text)
    if distance_m is not None:
        check_step_distance(source, node, text, distance_m)
        return DistanceDuration(distance_m)
    time_s = units.parse_time_s(text)
    if time_s is not None:
        check_step_time(source, node, text, time_s)
        return TimeDuration(time_s)
    source.fail(node, f"'{text}' is not a duration", DURATION_HINT)


LengthCheck = Callable[[YamlSource, yaml.Node, str, float], None]


def check_step_distance(source: YamlSource, node: yaml.Node, text: str, distance_m: float) -> None:
    """A step's distance a run can have and a watch can count (a plan's `distance:` too)."""
    if distance_m > MAX_STEP_DISTANCE_M:
        source.fail(
            node,
            f"a step of {text} is longer than any run",
            f"steps are at most {MAX_STEP_DISTANCE_M / 1000:g}km",
        )
    if round(distance_m / FINEST_DISTANCE_M) == 0:
        _fail_zero(source, node, text, "a watch counts a step's distance in centimetres")


def check_step_time(source: YamlSource, node: yaml.Node, text: str, time_s: float) -> None:
    """A step's time a run can have and a watch can count (a plan's `time:` too)."""
    if time_s > MAX_STEP_DURATION_S:
        source.fail(node, f"a step of {text} is longer than any run", "steps are at most 24h")
    if round(time_s / FINEST_DURATION_S) == 0:
        _fail_zero(source, node, text, "a watch counts a step's time in milliseconds")


def _fail_zero(source: YamlSource, node: yaml.Node, text: str, why: str) -> NoReturn:
    """A length a watch would write as 0 (`0:00`, `0.0001m`) is refused as `0s` is."""
    source.fail(
        node,
        f"a duration must be more than zero, got '{text}'",
        f"{why}: '{text}' would be written as 0. {DURATION_HINT[0].upper()}{DURATION_HINT[1:]}",
    )


def _target(context: _Context, entries: dict[str, Entry]) -> Target | None:
    source = context.source
    given = [key for key in TARGET_KEYS if key in entries]
    if len(given) > 1:
        source.fail(
            entries[given[1]].key,
            f"a step has one target; got '{given[0]}' and '{given[1]}'",
            "keep the one the watch should coach, and put another under 'secondary:'",
        )
    if not given:
        return None
    key = given[0]
    node = _leveled(context, entries[key].value)
    tolerance = read_tolerance(source, entries, default=context.tolerance_s_per_km)
    text = source.text(node, what=f"'{key}'")
    return _target_of(context, key, text, node, tolerance)


def _secondary(context: _Context, entries: dict[str, Entry]) -> Target | None:
    """`secondary: cadence 170-180spm`: a second target, its kind first."""
    if "secondary" not in entries:
        return None
    node = _leveled(context, entries["secondary"].value)
    text = context.source.text(node, what="'secondary'").strip()
    key, _, value = text.partition(" ")
    if key.lower() not in TARGET_KEYS or not value.strip():
        context.source.fail(
            node,
            f"cannot read the secondary target '{text}'",
            "write the kind, then the target: 'cadence 170-180spm', 'hr 140-150bpm'",
        )
    tolerance = read_tolerance(context.source, entries, default=context.tolerance_s_per_km)
    return _target_of(context, key.lower(), value.strip(), node, tolerance)


def _target_of(
    context: _Context, key: str, text: str, node: yaml.Node, tolerance_s_per_km: float
) -> Target:
    """A target of kind `key` from its text, `avg lap` (or `avg 3s`, ...) at its end."""
    body, averaging = _averaging(text)
    try:
        if averaging not in _AVERAGING_FOR[key]:
            raise InvalidValue(
                f"a {key} target cannot be averaged over {averaging.value}",
                f"{key} can be averaged over: "
                + ", ".join(a.value for a in _AVERAGING_FOR[key] if a is not Averaging.INSTANT),
            )
        lap = averaging is Averaging.LAP
        if key == "pace":
            expr = parse_pace(body)
            band = _pace_target(context, node, expr, tolerance_s_per_km)
            return replace(band, lap=lap)
        if key == "speed":
            return replace(_speed_target(body), lap=lap)
        if key == "hr":
            return replace(_athlete_zone(_hr_target(body.lower()), context.athlete), lap=lap)
        if key == "cadence":
            return _cadence_target(body.lower(), sport=context.sport)
        return replace(_power_target(body.lower()), averaging=averaging)
    except InvalidValue as problem:
        context.source.fail_value(node, problem)


_AVERAGING_RE = re.compile(r"^(.*?)\s+avg\s+(lap|3s|10s|30s)\s*$", re.IGNORECASE)
_AVERAGING_FOR = {
    "pace": (Averaging.INSTANT, Averaging.LAP),
    "speed": (Averaging.INSTANT, Averaging.LAP),
    "hr": (Averaging.INSTANT, Averaging.LAP),
    "cadence": (Averaging.INSTANT,),
    "power": tuple(Averaging),
}


def _averaging(text: str) -> tuple[str, Averaging]:
    match = _AVERAGING_RE.match(text.strip())
    if not match:
        return text.strip(), Averaging.INSTANT
    return match[1].strip(), Averaging(match[2].lower())


def _pace_expr(context: _Context, node: yaml.Node) -> PaceExpr:
    node = _leveled(context, node)
    text = context.source.text(node, what="a pace")
    try:
        return parse_pace(text)
    except InvalidValue as problem:
        context.source.fail_value(node, problem)


def _pace_target(
    context: _Context, node: yaml.Node, expr: PaceExpr, tolerance_s_per_km: float
) -> PaceTarget:
    try:
        band = resolve_pace(expr, table=context.table, tolerance_s_per_km=tolerance_s_per_km)
    except InvalidValue as problem:
        context.source.fail_value(node, problem)
    label = _averaging(str(_leveled(context, node).value))[0]
    middle_s_per_km = band.middle_s_per_km
    if not FASTEST_PACE_S_PER_KM <= middle_s_per_km <= SLOWEST_PACE_S_PER_KM:
        context.source.fail(
            node,
            f"the pace '{label}' works out to {units.format_pace(max(middle_s_per_km, 0))}, "
            "which is not a running pace",
            "paces must lie between 1:30/km and 20:00/km",
        )
    return PaceTarget(
        fast_s_per_km=band.fast_s_per_km,
        slow_s_per_km=band.slow_s_per_km,
        label=label,
    )


def _athlete_zone(
    target: HeartRateZone | HeartRateRange, athlete: Athlete | None
) -> HeartRateZone | HeartRateRange:
    """A zone in the athlete's own bpm when the athlete file defines zones (or a max HR);
    otherwise the zone number, which the watch reads against its own zones."""
    if not isinstance(target, HeartRateZone) or athlete is None:
        return target
    zone_bpm = athlete.hr_zone_bpm(target.zone)
    if zone_bpm is None:
        return target
    return HeartRateRange(low=HeartRate(zone_bpm[0]), high=HeartRate(zone_bpm[1]))


MIN_HR_BPM, MAX_HR_BPM = 30, 250


def _hr_target(text: str) -> HeartRateZone | HeartRateRange:
    zone = _ZONE_RE.match(text)
    if zone:
        number = int(zone[1])
        if not 1 <= number <= 5:
            raise InvalidValue(f"heart-rate zone {number} does not exist", "zones are 1 to 5")
        return HeartRateZone(number)
    match = _HR_RANGE_RE.match(text.replace(" ", ""))
    if not match:
        raise InvalidValue(
            f"cannot read the heart rate '{text}'",
            "write 'zone 2', '140-150bpm' or '70-80%' (of max HR)",
        )
    percent = match[3] == "%"
    low, high = int(match[1]), int(match[2] or match[1])
    # in beats a minute, below 30 is no one's heart while running (elite resting rates are
    # in the 30s)
    floor, limit = (1, 100) if percent else (MIN_HR_BPM, MAX_HR_BPM)
    if not floor <= min(low, high) <= max(low, high) <= limit:
        unit = "%" if percent else "bpm"
        raise InvalidValue(
            f"the heart rate '{text}' is out of range", f"heart rates lie in {floor}-{limit}{unit}"
        )
    if match[2] is None:  # a single value gets a small band, as a single pace does
        low, high = max(floor, low - 5), min(limit, high + 5)
    return HeartRateRange(
        low=HeartRate(min(low, high), percent), high=HeartRate(max(low, high), percent)
    )


def _cadence_target(text: str, *, sport: str) -> CadenceRange:
    unit = "spm" if sport in STEP_SPORTS else "rpm"
    match = re.match(rf"^(\d+)\s*(?:-\s*(\d+)\s*)?{unit}$", text)
    if not match:
        counted = "steps" if unit == "spm" else "revolutions"
        raise InvalidValue(
            f"cannot read the cadence '{text}'",
            f"write '170-180{unit}' ({counted} per minute, as {sport} counts cadence)",
        )
    low, high = int(match[1]), int(match[2] or match[1])
    limits = (60, 260) if unit == "spm" else (20, 200)
    if not limits[0] <= min(low, high) <= max(low, high) <= limits[1]:
        raise InvalidValue(
            f"the cadence '{text}' is out of range",
            f"{sport} cadence lies in {limits[0]}-{limits[1]}{unit}",
        )
    return CadenceRange(low=min(low, high), high=max(low, high))


def _speed_target(text: str) -> PaceTarget:
    """`28-32km/h` or `18mph` (a single speed gets a band of 1 km/h either side)."""
    match = re.match(r"^(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?(km/h|kph|mph)$", text.lower())
    if not match:
        raise InvalidValue(f"cannot read the speed '{text}'", "write '28-32km/h' or '18-20mph'")
    to_kmh = 1.609344 if match[3] == "mph" else 1.0
    low, high = float(match[1]) * to_kmh, float(match[2] or match[1]) * to_kmh
    if match[2] is None:
        low, high = low - SINGLE_SPEED_BAND_KMH, high + SINGLE_SPEED_BAND_KMH
    if not 1 <= min(low, high) <= max(low, high) <= 120:
        raise InvalidValue(f"the speed '{text}' is out of range", "speeds lie in 1-120km/h")
    slow, fast = sorted((low, high))
    return PaceTarget(fast_s_per_km=3600 / fast, slow_s_per_km=3600 / slow, label=text)


def _power_target(text: str) -> PowerZone | PowerRange:
    zone = _ZONE_RE.match(text)
    if zone:
        return PowerZone(int(zone[1]))
    match = re.match(r"^(\d+)\s*(?:-\s*(\d+)\s*)?(w|%)$", text)
    if not match:
        raise InvalidValue(
            f"cannot read the power '{text}'", "write 'zone 3', '250-270W' or '80-90%' (of FTP)"
        )
    low, high = int(match[1]), int(match[2] or match[1])
    return PowerRange(low=min(low, high), high=max(low, high), percent_ftp=match[3] == "%")


# -- writing (decompile) --------------------------------------------------------------------

_KIND_OF_INTENSITY = {
    intensity: kind for kind, intensity in reversed(KIND_KEYS.items()) if kind != "ride"
}


def dump_workout(workout: Workout, *, exact_paces: bool = False) -> str:
    """The workout in the workout language. Paces are written to the second, as a runner
    writes them; with `exact_paces`, to the millisecond, so that loading the text gives the
    same steps back, and compiling it the same FIT file."""
    pace = _exact_pace if exact_paces else _readable_pace
    document: dict[str, object] = {"name": workout.name}
    if workout.sport != "running":
        document["sport"] = workout.sport
    if workout.sub_sport != "generic":
        document["sub_sport"] = workout.sub_sport
    if workout.description:
        document["description"] = workout.description
    if workout.effort is not None:
        document["effort"] = workout.effort.value
    document["steps"] = [_dump_node(node, workout.sport, pace) for node in workout.steps]
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


PaceText = Callable[[float], str]


def _dump_node(node: Node, sport: str, pace: PaceText) -> dict[str, object]:
    match node:
        case Repeat(count=count):
            return _dump_repeat(node, count, sport, pace)
        case RepeatUntil(until=until):
            return _dump_repeat(node, _dump_until(until), sport, pace)
        case Step():
            kind = _KIND_OF_INTENSITY[node.intensity]
            if kind == "run" and sport not in STEP_SPORTS:
                kind = "ride"
            length = _dump_duration(node.duration)
            if node.equal is not None:
                length = f"equal {node.equal.value}"
            out: dict[str, object] = {kind: length}
            if node.at_most_s is not None:
                out["at_most"] = units.format_duration(node.at_most_s)
            if node.name:
                out["name"] = node.name
            if node.notes:
                out["notes"] = node.notes
            out.update(_dump_target(node.target, sport, pace))
            if node.secondary_target is not None:
                out["secondary"] = " ".join(_target_text(node.secondary_target, sport, pace))
            return out
        case _:
            assert_never(node)


def _dump_repeat(
    node: Repeat | RepeatUntil, times: object, sport: str, pace: PaceText
) -> dict[str, object]:
    out: dict[str, object] = {"repeat": times}
    if node.name:
        out["name"] = node.name
    out["steps"] = [_dump_node(child, sport, pace) for child in node.steps]
    if isinstance(node, Repeat) and node.between:
        out["between"] = [_dump_node(child, sport, pace) for child in node.between]
    return out


def _dump_until(until: HeartRateDuration) -> str:
    return f"until hr {'>' if until.above else '<'} {until.limit}"


def _dump_duration(duration: Duration) -> str:
    match duration:
        case DistanceDuration(distance_m=distance_m):
            readable = units.format_distance(distance_m)
            parsed = units.parse_distance_m(readable)
            if parsed is not None and round(parsed * 100) == round(distance_m * 100):
                return readable
            return f"{distance_m:.2f}".rstrip("0").rstrip(".") + "m"
        case TimeDuration(duration_s=duration_s):
            if duration_s != int(duration_s):
                return f"{duration_s:.3f}".rstrip("0") + "s"
            return units.format_duration(duration_s)
        case HeartRateDuration():
            return _dump_until(duration)
        case OpenDuration():
            return "lap"
        case _:
            assert_never(duration)


def _dump_target(target: Target | None, sport: str, pace: PaceText) -> dict[str, str]:
    if target is None:
        return {}
    key, text = _target_text(target, sport, pace)
    return {key: text}


def _target_text(target: Target, sport: str, pace: PaceText) -> tuple[str, str]:
    """The target's key and its text in the language."""
    match target:
        case PaceTarget(lap=lap):
            if sport in STEP_SPORTS:
                fast, slow = pace(target.fast_s_per_km), pace(target.slow_s_per_km)
                return "pace", f"{fast}-{slow}/km{_lap(lap)}"
            low, high = _precise_kmh(target.slow_s_per_km), _precise_kmh(target.fast_s_per_km)
            return "speed", f"{low}-{high}km/h{_lap(lap)}"
        case HeartRateZone(zone=zone, lap=lap):
            return "hr", f"zone {zone}{_lap(lap)}"
        case HeartRateRange(low=low, high=high, lap=lap):
            unit = "%" if low.percent_of_max else "bpm"
            return "hr", f"{low.value}-{high.value}{unit}{_lap(lap)}"
        case CadenceRange(low=low_cadence, high=high_cadence):
            return (
                "cadence",
                f"{low_cadence}-{high_cadence}{'spm' if sport in STEP_SPORTS else 'rpm'}",
            )
        case PowerZone(zone=zone, averaging=averaging):
            return "power", f"zone {zone}{_averaged(averaging)}"
        case PowerRange(low=low_power, high=high_power, percent_ftp=percent_ftp):
            value = f"{low_power}-{high_power}{'%' if percent_ftp else 'W'}"
            return "power", value + _averaged(target.averaging)
        case _:
            assert_never(target)


def _lap(lap: bool) -> str:
    return " avg lap" if lap else ""


def _averaged(averaging: Averaging) -> str:
    return "" if averaging is Averaging.INSTANT else f" avg {averaging.value}"


def _precise_kmh(pace_s_per_km: float) -> str:
    """km/h with enough decimals that the FIT speed (mm/s) survives a round trip."""
    return f"{3600 / pace_s_per_km:.4f}".rstrip("0").rstrip(".")


def _exact_pace(pace_s_per_km: float) -> str:
    """m:ss.sss with enough decimals that the FIT speed (mm/s) survives a round trip."""
    millis = round(pace_s_per_km * 1000)
    minutes, rest_ms = divmod(millis, 60_000)
    whole, fraction = divmod(rest_ms, 1000)
    decimals = f".{fraction:03d}".rstrip("0").rstrip(".")
    return f"{minutes}:{whole:02d}{decimals}"


def _readable_pace(pace_s_per_km: float) -> str:
    """m:ss, as a runner writes a pace; m:ss.s where the source gave tenths exactly (a
    pace computed from a speed, as FIT and Zwift store them, is rounded to the second: the
    difference, under half a second per km, is below what a watch shows)."""
    tenths = round(pace_s_per_km * 10)
    if abs(pace_s_per_km * 10 - tenths) > PACE_TENTHS_EXACT or tenths % 10 == 0:
        return units.format_clock(pace_s_per_km)
    minutes, rest = divmod(tenths, 600)
    return f"{minutes}:{rest // 10:02d}.{rest % 10}"
