"""Mutants of real run files, and the judge of what pacefit makes of each.

A mutant is a real FIT, GPX or TCX file with one thing changed the way damage or another program
changes it: a value set to garbage (0xF0000000, NaN, infinite, negative), a message or element
written twice or left out, a definition relabelled, bits flipped, the file cut, a time repeated,
white space before the XML declaration, a namespace left undeclared. FIT mutants get their
header length and checksums made right again, so that the reader meets the damage itself.

The judge reads and scores each mutant as `pacefit analyze` does and holds pacefit to its word:
no internal error; a refusal is one line naming the file, in words about the file (no decoder or
Python exception text); a run that is read gives JSON with only finite numbers and figures
within the limits of `core.plausible`. `tests/test_fuzz.py` runs a few hundred in the suite;
`bench/fuzz.py` runs thousands.
"""

from __future__ import annotations

import json
import math
import random
import re
import struct
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pacefit.core import plausible
from pacefit.core.activity import Activity
from pacefit.core.paces import Athlete
from pacefit.errors import PacefitError, PacefitWarning

from . import fit_edit

# Text that belongs to a decoder or to Python, never to a message about a file.
DECODER_WORDS = re.compile(
    r"[A-Z][A-Za-z]*(Error|Exception)\b|NoneType|object has no attribute|struct|Traceback"
    r"|fitparse|lxml|libxml|unpack|line \d+, column \d+ \("
)
# A figure pacefit printed that is not a number (text a file wrote may say "nan" itself).
NOT_A_NUMBER = re.compile(r"\b(nan|inf)\b")
GARBAGE_NUMBERS = (
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e308",
    "-5000",
    "0",
    "",
    "abc",
    "-0",
    "1e-320",
    "99999999999999999999",
    "12.5.3",
    " 7 ",
)


@dataclass(frozen=True)
class Mutant:
    name: str  # how it was made, for a failure message
    suffix: str
    data: bytes


@dataclass(frozen=True)
class Base:
    """A real file to mutate, and the workout to score its mutants against."""

    path: Path
    workout: Path


# -- FIT -------------------------------------------------------------------------------------

_KINDS = (fit_edit.FILE_ID, fit_edit.SESSION, fit_edit.LAP, fit_edit.RECORD, fit_edit.EVENT, 34)


def fit_mutants(data: bytes, rng: random.Random, count: int) -> Iterator[Mutant]:
    """Up to a few garbage values, and sometimes one change of structure on top. Values keep
    every message where it was, so all the changes are placed from one listing of the file."""
    listed = list(fit_edit.messages(data))
    wanted = [m for m in listed if not m.definition and m.global_number in _KINDS]
    definitions = [m for m in listed if m.definition]
    structural: list[Callable[[bytes], tuple[str, bytes]]] = [
        lambda d: _copied(d, rng, wanted),
        lambda d: _dropped(d, rng, wanted),
        lambda d: _relabelled(d, rng, definitions),
        lambda d: _flipped(d, rng),
        lambda d: _flipped_definition(d, rng, definitions),
        lambda d: _cut(d, rng, listed),
    ]
    for n in range(count):
        mutated, hows = data, []
        for _ in range(rng.choice([0, 1, 1, 1, 2, 3, 5])):
            how, mutated = _garbage_field(mutated, rng, wanted)
            hows.append(how)
        if not hows or rng.random() < 0.4:
            how, mutated = rng.choice(structural)(mutated)
            hows.append(how)
        yield Mutant(f"fit#{n} {'; '.join(hows)}", ".fit", mutated)


# The fields the analysis reads, by message: most garbage goes where it matters.
_READ_FIELDS = {
    fit_edit.RECORD: (253, 5, 0, 1, 6, 73, 3, 4, 2, 78),
    fit_edit.LAP: (2, 253, 7, 8, 9, 24, 71),
    fit_edit.SESSION: (2, 253, 7, 8, 9, 5),
    fit_edit.EVENT: (253, 0, 1),
    fit_edit.FILE_ID: (0,),
}


def _garbage_field(
    data: bytes, rng: random.Random, wanted: list[fit_edit.Message]
) -> tuple[str, bytes]:
    message = rng.choice(wanted)
    read = [f for f in message.fields if f.number in _READ_FIELDS.get(message.global_number, ())]
    if not message.fields:
        return "unchanged", data
    target = rng.choice(read if read and rng.random() < 0.8 else message.fields)
    if target.code == "s" or target.size != struct.calcsize(target.code):
        return "unchanged", data
    if target.code in "fd":
        value: float = rng.choice([math.nan, math.inf, -math.inf, 1e30, -1.0, 0.0])
    else:
        bits = 8 * target.size
        signed = target.code.islower()
        top = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
        choices = [top, 0, 1, top - 1, top // 2, rng.randrange(top + 1)]
        if target.code == "I":
            choices.append(0xF0000000)  # a garbage total seen in the wild
        if signed:
            choices.append(-rng.randrange(top))
        value = rng.choice(choices)
    how = f"message {message.global_number} field {target.number} = {value!r}"
    return how, fit_edit.set_raw(data, target, value)


def _copied(data: bytes, rng: random.Random, wanted: list[fit_edit.Message]) -> tuple[str, bytes]:
    message = rng.choice(wanted)
    body = fit_edit.without_crc(data)
    copied = body[: message.end] + body[message.start : message.end] + body[message.end :]
    return f"message {message.global_number} at {message.start} twice", fit_edit.reframed(copied)


def _dropped(data: bytes, rng: random.Random, wanted: list[fit_edit.Message]) -> tuple[str, bytes]:
    message = rng.choice(wanted)
    body = fit_edit.without_crc(data)
    left = body[: message.start] + body[message.end :]
    return f"message {message.global_number} at {message.start} dropped", fit_edit.reframed(left)


def _relabelled(
    data: bytes, rng: random.Random, definitions: list[fit_edit.Message]
) -> tuple[str, bytes]:
    definition = rng.choice(definitions)
    new = rng.choice([0, 12, 18, 19, 20, 21, 23, 26, 27, 34, rng.randrange(0xFFFF)])
    body = bytearray(fit_edit.without_crc(data))
    big = body[definition.start + 2] == 1
    body[definition.start + 3 : definition.start + 5] = new.to_bytes(2, "big" if big else "little")
    how = f"definition at {definition.start} ({definition.global_number}) relabelled {new}"
    return how, fit_edit.reframed(bytes(body))


def _flipped(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    body = bytearray(fit_edit.without_crc(data))
    position = rng.randrange(data[0], len(body))
    body[position] ^= 1 << rng.randrange(8)
    return f"bit flipped at {position}", fit_edit.reframed(bytes(body))


def _flipped_definition(
    data: bytes, rng: random.Random, definitions: list[fit_edit.Message]
) -> tuple[str, bytes]:
    """A field's size or base type changed in a definition (what garbles every message after)."""
    definition = rng.choice(definitions)
    count = data[definition.start + 5]
    if not count:
        return "unchanged", data
    body = bytearray(fit_edit.without_crc(data))
    k = rng.randrange(count)
    at = definition.start + 6 + 3 * k + rng.choice([1, 2])
    body[at] = rng.choice([0, 1, 2, 3, 4, 7, 8, 0x84, 0x86, 0x88, 0x89, 0x8E, 255])
    return f"definition at {definition.start} byte {at} = {body[at]}", fit_edit.reframed(
        bytes(body)
    )


def _cut(data: bytes, rng: random.Random, listed: list[fit_edit.Message]) -> tuple[str, bytes]:
    message = rng.choice(listed)
    cut = fit_edit.without_crc(data)[: message.start]
    return f"cut at {message.start}", fit_edit.reframed(cut)


# -- GPX and TCX -----------------------------------------------------------------------------

# The values a run is made of (group 1 or 2 is the value itself).
_NUMBERS = re.compile(
    r'\b(?:lat|lon)="([^"]*)"'
    r"|<(?:\w+:)?(?:ele|LatitudeDegrees|LongitudeDegrees|Value|Cadence|DistanceMeters"
    r"|TotalTimeSeconds|AltitudeMeters|hr|cad|Speed|RunCadence)>([^<]*)<"
)
_TIMES = re.compile(r"<(?:time|Time)>([^<]*)<")
_ELEMENTS = re.compile(r"<(trkpt|Trackpoint|Lap|trkseg|Track)\b.*?</\1>", re.S)
_NAMESPACES = re.compile(r'\sxmlns(:\w+)?="[^"]*"')


def xml_mutants(text: str, suffix: str, rng: random.Random, count: int) -> Iterator[Mutant]:
    for n in range(count):
        mutated, hows = text, []
        for _ in range(rng.choice([1, 1, 1, 2, 3, 5])):
            how, mutated = _xml_mutation(mutated, rng)
            hows.append(how)
        yield Mutant(f"{suffix[1:]}#{n} {'; '.join(hows)}", suffix, mutated.encode())


def _xml_mutation(text: str, rng: random.Random) -> tuple[str, str]:
    numbers = [m.span(1) if m.group(1) is not None else m.span(2) for m in _NUMBERS.finditer(text)]
    times = [m.span(1) for m in _TIMES.finditer(text)]
    elements = [m.span() for m in _ELEMENTS.finditer(text)]
    makers: list[Callable[[], tuple[str, str]]] = [
        lambda: _garbage_number(text, rng, numbers),
        lambda: _garbage_number(text, rng, numbers),
        lambda: _garbage_run(text, rng, numbers),
        lambda: _garbage_time(text, rng, times),
        lambda: _element_twice(text, rng, elements),
        lambda: _element_left_out(text, rng, elements),
        lambda: _prefixed(text, rng),
        lambda: _undeclared(text, rng),
        lambda: _cut_text(text, rng),
    ]
    if not (numbers and times and elements):
        makers = [lambda: _prefixed(text, rng), lambda: _cut_text(text, rng)]
    return rng.choice(makers)()


def _replaced(text: str, span: tuple[int, int], new: str) -> str:
    return text[: span[0]] + new + text[span[1] :]


def _garbage_number(text: str, rng: random.Random, spans: list[tuple[int, int]]) -> tuple[str, str]:
    span = rng.choice(spans)
    new = rng.choice(GARBAGE_NUMBERS)
    return f"{text[span[0] : span[1]]!r} at {span[0]} -> {new!r}", _replaced(text, span, new)


def _garbage_run(text: str, rng: random.Random, spans: list[tuple[int, int]]) -> tuple[str, str]:
    """A stretch of values set alike: a GPS that writes 0,0 until it locks, or garbage."""
    first = rng.randrange(len(spans))
    length = rng.choice([2, 5, 20, 100])
    new = rng.choice(["0", "NaN", "1e308", "-1"])
    for span in reversed(spans[first : first + length]):
        text = _replaced(text, span, new)
    return f"{length} values from {spans[first][0]} -> {new!r}", text


def _garbage_time(text: str, rng: random.Random, spans: list[tuple[int, int]]) -> tuple[str, str]:
    span = rng.choice(spans)
    other = rng.choice(spans)
    new = rng.choice(
        [
            text[other[0] : other[1]],
            "1970-01-01T00:00:00Z",
            "2100-01-01T00:00:00Z",
            "garbage",
            "",
            "2012-13-45T25:61:61Z",
        ]
    )
    return f"time at {span[0]} -> {new!r}", _replaced(text, span, new)


def _element_twice(text: str, rng: random.Random, spans: list[tuple[int, int]]) -> tuple[str, str]:
    start, end = rng.choice(spans)
    return f"element at {start} twice", text[:end] + text[start:end] + text[end:]


def _element_left_out(
    text: str, rng: random.Random, spans: list[tuple[int, int]]
) -> tuple[str, str]:
    start, end = rng.choice(spans)
    return f"element at {start} left out", text[:start] + text[end:]


def _prefixed(text: str, rng: random.Random) -> tuple[str, str]:
    prefix = rng.choice(["\n", "   \n", "\ufeff", "\ufeff\n ", "\t\r\n"])
    return f"prefixed {prefix!r}", prefix + text


def _undeclared(text: str, rng: random.Random) -> tuple[str, str]:
    declarations = list(_NAMESPACES.finditer(text))
    if not declarations:
        return "unchanged", text
    chosen = rng.choice(declarations)
    return f"{chosen.group(0).strip()} left out", text[: chosen.start()] + text[chosen.end() :]


def _cut_text(text: str, rng: random.Random) -> tuple[str, str]:
    at = rng.randrange(len(text)) if text else 0
    tail = rng.choice(["", "\x00\xff<<", "</gpx>", "</TrainingCenterDatabase>"])
    return f"cut at {at} + {tail!r}", text[:at] + tail


# -- the judge -------------------------------------------------------------------------------


class Broken(AssertionError):
    """pacefit broke its word on a mutant."""


def mutants_of(base: Base, rng: random.Random, count: int) -> Iterator[Mutant]:
    data = base.path.read_bytes()
    if base.path.suffix.lower() == ".fit":
        yield from fit_mutants(data, rng, count)
    else:
        yield from xml_mutants(data.decode("utf-8"), base.path.suffix.lower(), rng, count)


def judge(mutant: Mutant, *, workout: Path, athlete: Athlete | None, folder: Path) -> str:
    """What became of `mutant`: "read" or "refused" (raises `Broken` when pacefit broke its
    word)."""
    from pacefit.formats import read_activity
    from pacefit.formats.workout_yaml import load_workout
    from pacefit.jobs.analyze import analyze_run
    from pacefit.reports.data import analysis_data
    from pacefit.reports.text import analysis_table

    path = folder / f"mutant{mutant.suffix}"
    path.write_bytes(mutant.data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PacefitWarning)
        try:
            activity = read_activity(path)
            analysis = analyze_run(activity, load_workout(workout, athlete=athlete))
            text = json.dumps(analysis_data(analysis), allow_nan=False)
            analysis_table(analysis)
        except PacefitError as error:
            _refusal_in_words(error, path, mutant)
            return "refused"
        except Exception as error:
            raise Broken(
                f"{mutant.name}: internal error {type(error).__name__}: {error}"
            ) from error
    for warning in caught:
        message = str(warning.message)
        if DECODER_WORDS.search(message) or NOT_A_NUMBER.search(message):
            raise Broken(f"{mutant.name}: a warning in decoder words: {message}")
    _within_limits(activity, json.loads(text), mutant)
    return "read"


def _refusal_in_words(error: PacefitError, path: Path, mutant: Mutant) -> None:
    headline = error.headline
    if "\n" in headline or not headline.startswith(f"{path}"):
        raise Broken(f"{mutant.name}: not one line naming the file: {headline!r}")
    if DECODER_WORDS.search(headline) or NOT_A_NUMBER.search(headline):
        raise Broken(f"{mutant.name}: a refusal in decoder words: {headline}")


def _within_limits(activity: Activity, data: dict[str, object], mutant: Mutant) -> None:
    """Every figure one a runner can have run."""
    track = activity.track
    span_s = track.elapsed_s[-1] - track.elapsed_s[0]
    legs = max(1, len(activity.legs))
    problems = []
    distance_m, timer_s = activity.distance_m, activity.timer_s
    if not 0 <= timer_s <= span_s + plausible.ELAPSED_SLACK_S * legs:
        problems.append(f"timer {timer_s} beyond elapsed {span_s}")
    if not 0 <= distance_m <= plausible.MAX_SPEED_MPS * timer_s + plausible.NOISE_M * legs:
        problems.append(f"distance {distance_m} in {timer_s} s")
    record_s = plausible.world_record_s(distance_m)
    if record_s is not None and timer_s < record_s:
        problems.append(f"{distance_m} m in {timer_s} s beats the world record")
    if list(track.distance_m) != sorted(track.distance_m):
        problems.append("the track's distance goes back")
    for number, lap in enumerate(activity.laps, start=1):
        if lap.timer_s > lap.end_elapsed_s - lap.start_elapsed_s + plausible.ELAPSED_SLACK_S:
            problems.append(f"lap {number} timer {lap.timer_s} beyond its span")
        if not 0 <= lap.distance_m <= plausible.MAX_SPEED_MPS * lap.timer_s + plausible.NOISE_M:
            problems.append(f"lap {number} distance {lap.distance_m} in {lap.timer_s} s")
    steps = data["steps"]
    assert isinstance(steps, list)
    for step in steps:
        pace, timer = step["avg_pace_s_per_km"], step["timer_s"]
        if pace is not None and timer >= plausible.SUSTAINED_WINDOW_S:
            fastest = 1000 / (plausible.MAX_SPEED_MPS + plausible.NOISE_M / timer)
            if pace < fastest - 0.1:
                problems.append(f"step {step['number']} at {pace} s/km over {timer} s")
    score = data["score"]
    if score is not None and not 0 <= float(score) <= 100:  # type: ignore[arg-type]
        problems.append(f"score {score}")
    if problems:
        raise Broken(f"{mutant.name}: {'; '.join(problems)}")


def run(
    bases: list[Base], *, per_base: int, seed: int, folder: Path, athlete: Athlete | None
) -> tuple[Counter[str], list[str]]:
    """Every base's mutants judged: the counts of each outcome, and what broke."""
    counts: Counter[str] = Counter()
    broken: list[str] = []
    for number, base in enumerate(bases):
        rng = random.Random(seed * 1000 + number)
        for mutant in mutants_of(base, rng, per_base):
            try:
                outcome = judge(mutant, workout=base.workout, athlete=athlete, folder=folder)
            except Broken as failure:
                broken.append(f"{base.path.name}: {failure}")
                outcome = "broken"
            counts[f"{base.path.suffix.lower()[1:]} {outcome}"] += 1
    return counts, broken


def real_bases(fixtures: Path, workouts: Path) -> list[Base]:
    """The real runs to mutate (those present): a Forerunner 610's FIT and TCX of one run, a
    fenix 5X run that followed a workout, a short fenix 5 run, and a GPX track."""
    real = fixtures / "real"
    steady = real / "workouts" / "connectstats-activity_234979239.yaml"
    easy = workouts / "easy" / "easy-run.yaml"
    bases = [
        Base(real / "connectstats-activity_234979239.fit", steady),
        Base(real / "connectstats-activity_234979239.tcx", steady),
        Base(
            real / "fit-parser-running-with-developer-data.fit",
            real / "workouts" / "fit-parser-running-with-developer-data.yaml",
        ),
        Base(fixtures / "fit" / "activities" / "garmin-fenix-5-run.fit", easy),
        Base(fixtures / "gpx" / "korita-zbevnica.gpx", easy),
    ]
    return [base for base in bases if base.path.exists() and base.workout.exists()]
