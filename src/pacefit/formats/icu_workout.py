"""intervals.icu's workout text (what goes in a workout's description), written and read.

A step is a line `- [cue] <length> <target> [press lap] [intensity=kind]`; a line ending in
`Nx` starts a repeat that runs to the next blank line; other lines are section names, which
intervals.icu shows as the cue of the steps under them. `m` means minutes, metres are `mtr`.
Repeats cannot nest. Facts and sources: shared/reference/interchange/README.md §2.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import assert_never

from pacefit.core.units import METRES_PER_KM, METRES_PER_MILE, format_clock
from pacefit.core.workout import (
    CadenceRange,
    DistanceDuration,
    Duration,
    HeartRate,
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
    Workout,
    fit_layout,
)
from pacefit.errors import Location, WorkoutError, warn
from pacefit.formats import ExportContext, ReadOptions

# A step that ends on the lap button still needs a length in the text (intervals.icu plans its
# load from it); `press lap` makes the watch wait for the button all the same.
OPEN_STAND_IN_S = 600
MAX_REPEAT_COUNT = 999  # no published limit; beyond any running workout
_KIND_FLAGS = {
    Intensity.WARMUP: "warmup",
    Intensity.ACTIVE: "interval",
    Intensity.RECOVERY: "recovery",
    Intensity.REST: "rest",
    Intensity.COOLDOWN: "cooldown",
}
_FLAG_KINDS = {flag: kind for kind, flag in _KIND_FLAGS.items()} | {"active": Intensity.ACTIVE}
_SECTION_KINDS = {
    "warmup": Intensity.WARMUP,
    "warm up": Intensity.WARMUP,
    "cooldown": Intensity.COOLDOWN,
    "cool down": Intensity.COOLDOWN,
}


# -- writing ------------------------------------------------------------------------------------


def write_icu(workout: Workout, context: ExportContext) -> bytes:
    """The workout as intervals.icu workout text (the workout's name is the file's)."""
    del context  # paces are absolute
    lines: list[str] = []
    for node in fit_layout(workout.steps):
        lines.extend(_node_lines(node))
    text = "\n".join(lines).strip("\n") + "\n"
    return re.sub(r"\n{3,}", "\n\n", text).encode()


def _node_lines(node: Node) -> list[str]:
    if isinstance(node, Step):
        return [_step_line(node)]
    if isinstance(node, RepeatUntil):
        raise WorkoutError(
            "intervals.icu has no repeat until a heart rate",
            location=node.origin,
            hint="give the repeat a count",
        )
    header = f"{_cue(node.name, node.origin)} {node.count}x".strip()
    body = []
    for child in node.steps:
        if not isinstance(child, Step):
            raise WorkoutError(
                "intervals.icu cannot nest repeats",
                location=child.origin,
                hint="compile with its device profile, which writes them out",
            )
        body.append(_step_line(child))
    return ["", header, *body, ""]


def _step_line(step: Step) -> str:
    parts = ["-", _cue(step.name, step.origin), _length(step)]
    for target in (step.target, step.secondary_target):
        if target is not None:
            parts.append(_target_text(target, step))
    if isinstance(step.duration, OpenDuration):
        parts.append("press lap")
    parts.append(f"intensity={_KIND_FLAGS[step.intensity]}")
    return " ".join(part for part in parts if part)


def _cue(name: str, origin: Location | None) -> str:
    """A name as cue text; a name with a word that reads as a length (`400m` is 400 minutes)
    or that ends like a repeat is left out, with a warning: the text has no quoting."""
    cue = " ".join(name.split())
    if any(_is_length(word) for word in cue.split()) or _REPEAT_RE.search(cue):
        warn(
            f"name '{cue}' left out: intervals.icu would read it as part of the step",
            location=origin,
        )
        return ""
    return cue


def _length(step: Step) -> str:
    match step.duration:
        case TimeDuration(duration_s=seconds):
            return _time_text(seconds)
        case DistanceDuration(distance_m=metres):
            return _distance_text(metres)
        case OpenDuration():
            return _time_text(OPEN_STAND_IN_S)
        case HeartRateDuration():
            raise WorkoutError(
                "intervals.icu has no step that ends on a heart rate",
                location=step.origin,
                hint="give the step a time or a distance",
            )
        case _:
            assert_never(step.duration)


def _time_text(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return text + (f"{secs}s" if secs or not text else "")


def _distance_text(metres: float) -> str:
    miles = metres / METRES_PER_MILE
    # within a centimetre, the precision of a FIT workout distance, so that a 2mi step read
    # back from a FIT file is written 2mi again
    off_m = abs(miles * 100 - round(miles * 100)) * METRES_PER_MILE / 100
    if round(miles * 100) >= 100 and off_m < 0.01:
        return f"{round(miles, 2):g}mi"
    whole = abs(metres - round(metres)) < 1e-6
    if whole and (metres < METRES_PER_KM or round(metres) % 100):
        return f"{round(metres)}mtr"
    return f"{metres / METRES_PER_KM:.3f}".rstrip("0").rstrip(".") + "km"


def _target_text(target: Target, step: Step) -> str:
    match target:
        case PaceTarget():
            slow, fast = format_clock(target.slow_s_per_km), format_clock(target.fast_s_per_km)
            return f"{slow}-{fast}/km Pace" if slow != fast else f"{slow}/km Pace"
        case HeartRateZone(zone=zone):
            return f"Z{zone} HR"
        case HeartRateRange(low=low, high=high):
            if not (low.percent_of_max and high.percent_of_max):
                raise WorkoutError(
                    "intervals.icu takes heart rate as % of maximum, % of threshold or a zone, "
                    "not bpm",
                    location=step.origin,
                    hint="give the range in % of max, e.g. 'hr: 70-80%', or a zone",
                )
            return f"{low.value}-{high.value}% HR"
        case CadenceRange(low=low_cadence, high=high_cadence):
            return f"{low_cadence}-{high_cadence}rpm"
        case PowerZone(zone=zone):
            return f"Z{zone}"
        case PowerRange(low=low_power, high=high_power, percent_ftp=percent):
            return f"{low_power}-{high_power}{'%' if percent else 'w'}"
        case _:
            assert_never(target)


# -- reading ------------------------------------------------------------------------------------

_NUMBER = r"\d+(?:\.\d+)?"
_TIME_RE = re.compile(r"(?:(\d+)h)?(?:(\d+)m(?!tr|i))?(?:(\d+)s)?")
_SHORT_TIME_RE = re.compile(r"(?:(\d+)')?(?:(\d+)\")?")
_MIN_SEC_RE = re.compile(r"(\d+)m(\d+)")  # 1m30
_DISTANCE_RE = re.compile(rf"({_NUMBER})(km|mi|mtr)")
_LENGTH_RE = re.compile(
    rf"(?:\d+h)?(?:\d+m)?(?:\d+s)?|\d+m\d+|(?:\d+')?(?:\d+\")?|{_NUMBER}(?:km|mi|mtr)"
)
_PACE_RE = re.compile(r"(\d+:[0-5]\d)(?:-(\d+:[0-5]\d))?(/km|/mi)?")
_REPEAT_RE = re.compile(r"(?:^|\s)(\d+)x$")


@dataclass
class _Section:
    name: str
    count: int | None  # a repeat's count; None for a plain section
    steps: list[Step] = field(default_factory=list)


def read_icu(path: Path, *, options: ReadOptions | None = None) -> Workout:
    """intervals.icu workout text from a file; the workout is named after the file."""
    del options
    where = Location(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkoutError(f"cannot read the workout text: {exc}", location=where) from exc
    nodes = parse_icu_text(text, path=str(path))
    name = path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or "Workout"
    return Workout(name=name, steps=nodes)


def parse_icu_text(text: str, *, path: str) -> tuple[Node, ...]:
    sections = list(_sections(text, path))
    nodes: list[Node] = []
    for section in sections:
        if section.count is None:
            nodes.extend(section.steps)
        elif section.steps:
            nodes.append(Repeat(steps=tuple(section.steps), count=section.count, name=section.name))
    if not nodes:
        raise WorkoutError(
            "no steps: a step is a line that starts with '- '", location=Location(path)
        )
    return tuple(nodes)


def _sections(text: str, path: str) -> Iterator[_Section]:
    current = _Section("", None)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            if current.count is not None or current.steps:
                yield current
                current = _Section("", None)
            continue
        if line.startswith("-"):
            current.steps.append(_step(line[1:].strip(), current, Location(path, number, 1)))
            continue
        if current.steps or current.count is not None:
            yield current
        repeat = _REPEAT_RE.search(line)
        if repeat:
            count = int(repeat.group(1))
            if not 1 <= count <= MAX_REPEAT_COUNT:
                raise WorkoutError(
                    f"a repeat of {count}",
                    location=Location(path, number, repeat.start(1) + 1),
                    hint=f"repeat counts run from 1 to {MAX_REPEAT_COUNT}",
                )
            current = _Section(line[: repeat.start()].strip(), count)
        else:
            current = _Section(line, None)
    if current.steps:
        yield current


def _step(text: str, section: _Section, where: Location) -> Step:
    words = text.split()
    start = next((i for i, word in enumerate(words) if _is_length(word)), None)
    if start is None:
        raise WorkoutError(
            "the step has no length",
            location=where,
            hint="e.g. '- 10m', '- 800mtr', '- 2km', '- 1mi' (m is minutes)",
        )
    cue = " ".join(words[:start])
    rest = words[start + 1 :]
    duration = _duration(words[start])
    if isinstance(duration, TimeDuration | DistanceDuration) and not _positive(duration):
        raise WorkoutError(f"'{words[start]}' is no length", location=where)
    flags = _Flags()
    targets = _targets(rest, flags, where)
    if flags.press_lap:
        duration = OpenDuration()
    intensity = flags.intensity or _SECTION_KINDS.get(section.name.lower(), Intensity.ACTIVE)
    name = cue or (section.name if section.count is None else "")
    return Step(
        intensity=intensity,
        duration=duration,
        target=targets[0] if targets else None,
        secondary_target=targets[1] if len(targets) > 1 else None,
        name=name,
    )


def _is_length(word: str) -> bool:
    return bool(word) and bool(_LENGTH_RE.fullmatch(word)) and any(c.isdigit() for c in word)


def _duration(word: str) -> Duration:
    distance = _DISTANCE_RE.fullmatch(word)
    if distance:
        amount, unit = float(distance.group(1)), distance.group(2)
        factor = {"km": METRES_PER_KM, "mi": METRES_PER_MILE, "mtr": 1.0}[unit]
        return DistanceDuration(amount * factor)
    min_sec = _MIN_SEC_RE.fullmatch(word)
    if min_sec:
        return TimeDuration(int(min_sec.group(1)) * 60 + int(min_sec.group(2)))
    time = _TIME_RE.fullmatch(word)
    if time and any(time.groups()):
        hours, minutes, seconds = (int(part or 0) for part in time.groups())
        return TimeDuration(hours * 3600 + minutes * 60 + seconds)
    short = _SHORT_TIME_RE.fullmatch(word)
    assert short is not None
    minutes, seconds = (int(part or 0) for part in short.groups())
    return TimeDuration(minutes * 60 + seconds)


@dataclass
class _Flags:
    press_lap: bool = False
    intensity: Intensity | None = None


def _targets(words: list[str], flags: _Flags, where: Location) -> list[Target]:
    targets: list[Target] = []
    left_out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1].lower() if index + 1 < len(words) else ""
        lowered = word.lower()
        if lowered == "press" and following == "lap":
            flags.press_lap = True
            index += 2
            continue
        if lowered.startswith("intensity="):
            flags.intensity = _FLAG_KINDS.get(lowered.partition("=")[2])
            if flags.intensity is None:
                left_out.append(word)
            index += 1
            continue
        if following in ("pace", "hr", "lthr"):
            target = _unit_target(word, following, where)
            if target is None:
                left_out.append(f"{word} {words[index + 1]}")
            else:
                targets.append(target)
            index += 2
            continue
        target = _bare_target(word)
        if target is None:
            left_out.append(word)
        else:
            targets.append(target)
        index += 1
    if left_out:
        warn(f"left out: {', '.join(left_out)} (pacefit cannot say it)", location=where)
    return targets


def _unit_target(word: str, unit: str, where: Location) -> Target | None:
    if unit == "pace":
        pace = _PACE_RE.fullmatch(word)
        if pace is None:
            return None  # % of threshold pace, pace zones: intervals.icu's own settings
        if pace.group(3) is None:
            warn(f"'{word} Pace' has no unit: read as per km", location=where)
        factor = 1000 / METRES_PER_MILE if pace.group(3) == "/mi" else 1.0
        first = _clock(pace.group(1)) * factor
        second = _clock(pace.group(2) or pace.group(1)) * factor
        if min(first, second) <= 0:
            return None
        return PaceTarget(
            fast_s_per_km=min(first, second), slow_s_per_km=max(first, second), label=f"{word} Pace"
        )
    if unit == "hr":
        zone = re.fullmatch(r"(?i)z([1-9])", word)
        if zone:
            return HeartRateZone(int(zone.group(1)))
        percent = re.fullmatch(r"(\d+)(?:-(\d+))?%", word)
        if percent:
            low, high = sorted((int(percent.group(1)), int(percent.group(2) or percent.group(1))))
            return HeartRateRange(
                HeartRate(low, percent_of_max=True), HeartRate(high, percent_of_max=True)
            )
    return None  # % of threshold heart rate, zone ranges: intervals.icu's own settings


def _bare_target(word: str) -> Target | None:
    zone = re.fullmatch(r"(?i)z([1-9])", word)
    if zone:
        return PowerZone(int(zone.group(1)))
    power = re.fullmatch(r"(?i)(\d+)(?:-(\d+))?(%|w)", word)
    if power:
        low, high = sorted((int(power.group(1)), int(power.group(2) or power.group(1))))
        return PowerRange(low=low, high=high, percent_ftp=power.group(3) == "%")
    cadence = re.fullmatch(r"(?i)(\d+)(?:-(\d+))?rpm", word)
    if cadence:
        low, high = sorted((int(cadence.group(1)), int(cadence.group(2) or cadence.group(1))))
        return CadenceRange(low, high)
    return None


def _positive(duration: TimeDuration | DistanceDuration) -> bool:
    amount = duration.duration_s if isinstance(duration, TimeDuration) else duration.distance_m
    return amount > 0


def _clock(text: str) -> float:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)
