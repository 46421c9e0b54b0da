"""Formats: one module per outside file format, each reading or writing core values.

The tables below are the one place that says which module handles which kind of file, so adding a
format is one new module plus one line here. Modules are named as strings and imported on first
use, so that `pacefit --help` and `compile` never load a decoder they do not need.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pacefit.errors import ActivityError, Location, WorkoutError

if TYPE_CHECKING:
    from pacefit.core.activity import Activity
    from pacefit.core.workout import Workout


@dataclass(frozen=True)
class ReadOptions:
    """How strictly to read a recorded file."""

    ignore_crc: bool = False  # read a FIT file whose checksum is wrong, with a warning


# Recorded runs, by file suffix: reader(path, options) -> Activity.
ACTIVITY_READERS: dict[str, str] = {
    ".fit": "pacefit.formats.fit_activity:read_fit_activity",
    ".gpx": "pacefit.formats.gpx_activity:read_gpx_activity",
    ".tcx": "pacefit.formats.tcx_activity:read_tcx_activity",
}

# Workout files pacefit can turn back into YAML, by suffix: reader(path, options) -> Workout.
WORKOUT_READERS: dict[str, str] = {
    ".fit": "pacefit.formats.fit_workout:read_workout",
}


@dataclass(frozen=True)
class WorkoutWriter:
    """A workout file format pacefit writes: `encode(workout) -> bytes`, files named `*.suffix`."""

    suffix: str
    encode: str
    description: str


# Workout files pacefit writes, by format name (`--format`); the first is the default.
WORKOUT_WRITERS: dict[str, WorkoutWriter] = {
    "fit": WorkoutWriter(
        ".fit", "pacefit.formats.fit_workout:encode_workout", "FIT workout for a Garmin watch"
    ),
}
DEFAULT_WORKOUT_FORMAT = next(iter(WORKOUT_WRITERS))


def _load(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return function


def read_activity(path: Path, *, options: ReadOptions | None = None) -> Activity:
    """A recorded run from any file format pacefit reads, chosen by the file's suffix."""
    if not is_activity_file(path):
        raise ActivityError(
            f"cannot tell what kind of file '{path.suffix}' is",
            location=Location(str(path)),
            hint=f"pacefit reads runs from {', '.join(ACTIVITY_READERS)} files",
        )
    reader = _load(ACTIVITY_READERS[path.suffix.lower()])
    activity: Activity = reader(path, options=options or ReadOptions())
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


def workout_writer(name: str) -> tuple[WorkoutWriter, Callable[[Workout], bytes]]:
    """The writer registered under `name` and its encode function."""
    writer = WORKOUT_WRITERS[name]
    encode: Callable[[Workout], bytes] = _load(writer.encode)
    return writer, encode


def is_activity_file(path: Path) -> bool:
    return path.suffix.lower() in ACTIVITY_READERS
