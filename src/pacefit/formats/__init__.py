"""Formats: one module per outside file format, each reading or writing core values.

The tables below are the one place that says which module handles which kind of file, so adding a
format is one new module plus one line here. Modules are named as strings and imported on first
use, so that `pacefit --help` and `compile` never load a decoder they do not need.
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pacefit.core.paces import DEFAULT_EASY_PACE_S_PER_KM, DEFAULT_PACE_TOLERANCE_S_PER_KM
from pacefit.errors import (
    ActivityError,
    Location,
    PacefitError,
    PacefitWarning,
    WorkoutError,
    warn,
)

if TYPE_CHECKING:
    from pacefit.core.activity import Activity
    from pacefit.core.workout import Workout


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file: how strictly, and what the runner's paces are where a file gives
    paces relative to them (a Zwift workout)."""

    ignore_crc: bool = False  # read a FIT file whose checksum is wrong, with a warning
    race_paces_s_per_km: Mapping[str, float] | None = None  # REFERENCE_RACES, from the athlete
    pace_tolerance_s_per_km: float = DEFAULT_PACE_TOLERANCE_S_PER_KM  # band around a single pace


@dataclass(frozen=True)
class ExportContext:
    """What a writer may need beyond the workout: the runner's race paces, for formats that give
    paces as shares of them (a Zwift workout)."""

    race_paces_s_per_km: Mapping[str, float] | None = None  # REFERENCE_RACES, from the athlete
    # for a length that must become a time, where a step has no pace of its own
    easy_pace_s_per_km: float = DEFAULT_EASY_PACE_S_PER_KM


# Recorded runs, by file suffix: reader(path, options) -> Activity.
ACTIVITY_READERS: dict[str, str] = {
    ".fit": "pacefit.formats.fit_activity:read_fit_activity",
    ".gpx": "pacefit.formats.gpx_activity:read_gpx_activity",
    ".tcx": "pacefit.formats.tcx_activity:read_tcx_activity",
}

# Workout files pacefit can turn back into YAML, by suffix: reader(path, options) -> Workout.
WORKOUT_READERS: dict[str, str] = {
    ".fit": "pacefit.formats.fit_workout:read_workout",
    ".zwo": "pacefit.formats.zwo_workout:read_zwo",
    ".txt": "pacefit.formats.icu_workout:read_icu",
    ".tcx": "pacefit.formats.tcx_workout:read_tcx_workout",
    ".json": "pacefit.formats.gc_workout:read_gc_json",
    ".gcn": "pacefit.formats.gc_workout:read_gc_json",  # kaiord's name for the same JSON
}


@dataclass(frozen=True)
class WorkoutWriter:
    """A workout file format pacefit writes: `encode(workout, context) -> bytes`, files named
    `*.suffix`; `device` is the profile the format itself imposes (TCX's 20 steps)."""

    suffix: str
    encode: str
    description: str
    device: str


# Workout files pacefit writes, by format name (`--format`); the first is the default.
WORKOUT_WRITERS: dict[str, WorkoutWriter] = {
    "fit": WorkoutWriter(
        ".fit", "pacefit.formats.fit_workout:write_fit", "FIT workout for a Garmin watch",
        "generic",
    ),
    "zwo": WorkoutWriter(
        ".zwo", "pacefit.formats.zwo_workout:write_zwo", "Zwift workout for a treadmill run",
        "zwift",
    ),
    "icu": WorkoutWriter(
        ".txt", "pacefit.formats.icu_workout:write_icu", "intervals.icu workout text",
        "intervals-icu",
    ),
    "tcx": WorkoutWriter(
        ".tcx", "pacefit.formats.tcx_workout:write_tcx", "TCX workout for older Garmin devices",
        "tcx",
    ),
    "gcjson": WorkoutWriter(
        ".json", "pacefit.formats.gc_workout:write_gc_json", "Garmin Connect workout JSON",
        "garmin-connect",
    ),
}  # fmt: skip
DEFAULT_WORKOUT_FORMAT = next(iter(WORKOUT_WRITERS))


def _load(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return function


def read_activity(path: Path, *, options: ReadOptions | None = None) -> Activity:
    """A recorded run from any file format pacefit reads, chosen by the file's suffix, as
    `core.plausible` believes it: every figure one a runner can have run, each correction a
    warning naming the file."""
    from pacefit.core.plausible import checked

    if not is_activity_file(path):
        raise ActivityError(
            f"cannot tell what kind of file '{path.suffix}' is",
            location=Location(str(path)),
            hint=f"pacefit reads runs from {', '.join(ACTIVITY_READERS)} files",
        )
    reader = _load(ACTIVITY_READERS[path.suffix.lower()])
    activity = checked(reader(path, options=options or ReadOptions()))
    for correction in activity.corrections:
        warn(correction.message, location=Location(activity.source))
    return activity


def read_workout_file(path: Path, *, options: ReadOptions | None = None) -> Workout:
    """A workout written by another tool (or by pacefit), chosen by the file's suffix."""
    if path.suffix.lower() not in WORKOUT_READERS:
        raise WorkoutError(
            f"cannot read workouts from '{path.suffix}' files",
            location=Location(str(path)),
            hint=f"pacefit reads workouts from {', '.join(WORKOUT_READERS)} files",
        )
    reader = _load(WORKOUT_READERS[path.suffix.lower()])
    workout: Workout = reader(path, options=options or ReadOptions())
    return workout


def workout_writer(
    name: str,
) -> tuple[WorkoutWriter, Callable[[Workout, ExportContext], bytes]]:
    """The writer registered under `name` and its encode function."""
    writer = WORKOUT_WRITERS[name]
    encode: Callable[[Workout, ExportContext], bytes] = _load(writer.encode)
    return writer, encode


def is_activity_file(path: Path) -> bool:
    return path.suffix.lower() in ACTIVITY_READERS


# The start of an XML run file, past any declaration, comments and doctype: its root element.
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_XML_ROOTS = {b"gpx": ".gpx", b"TrainingCenterDatabase": ".tcx"}
SNIFF_BYTES = 4096


def sniff_activity_suffix(head: bytes) -> str | None:
    """The kind of run file these first bytes begin, by content (`.fit`, `.gpx`, `.tcx`), or
    None: a name can say anything."""
    if len(head) >= 12 and head[8:12] == b".FIT":
        return ".fit"
    text = head[:SNIFF_BYTES].removeprefix(b"\xef\xbb\xbf").lstrip()
    if not text.startswith(b"<"):
        return None
    position = 0
    while (start := text.find(b"<", position)) >= 0:
        if text.startswith((b"<?", b"<!"), start):
            position = start + 2
            continue
        found = _XML_ROOT.match(text, start)
        return _XML_ROOTS.get(found.group(2)) if found else None
    return None


def _renamed(location: Location | None, name: str) -> Location:
    """The place in the temporary copy, as the same place in the file the user named."""
    return Location(name) if location is None else replace(location, path=name)


def read_activity_data(data: bytes, name: str, *, options: ReadOptions | None = None) -> Activity:
    """A run from a file's bytes (an upload), its kind told by its content; `name` is what the
    file is called in messages and on pages, never a path anything is written to."""
    if not data:
        raise ActivityError("the file is empty", location=Location(name))
    suffix = sniff_activity_suffix(data[:SNIFF_BYTES])
    if suffix is None:
        raise ActivityError(
            "this is not a run file pacefit reads: it is neither FIT nor GPX nor TCX",
            location=Location(name),
            hint=f"pacefit reads runs from {', '.join(ACTIVITY_READERS)} files",
        )
    import tempfile  # here: only an upload needs it, and `analyze` starts faster without

    with tempfile.TemporaryDirectory(prefix="pacefit-upload-") as folder:
        path = Path(folder) / f"run{suffix}"
        path.write_bytes(data)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PacefitWarning)
            try:
                activity = read_activity(path, options=options)
            except PacefitError as exc:
                raise type(exc)(
                    exc.message, location=_renamed(exc.location, name), hint=exc.hint
                ) from exc
    for caught_warning in caught:
        message = caught_warning.message
        if isinstance(message, PacefitWarning):
            warn(message.message, location=_renamed(message.location, name))
        else:
            warnings.warn(message, stacklevel=2)
    return replace(activity, source=name)
