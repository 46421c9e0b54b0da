"""Compiling workout files to FIT files in an output folder: the `compile` job."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from pacefit.core.paces import Athlete
from pacefit.core.workout import DEFAULT_LEVEL, Overrides, Workout
from pacefit.errors import PacefitError
from pacefit.files import path_inside, safe_filename, write_atomic
from pacefit.formats.fit_workout import encode_workout
from pacefit.formats.workout_yaml import load_workout

WORKOUT_SUFFIXES = (".yaml", ".yml")
NOT_WORKOUTS = ("plan.yaml", "plan.yml")


@dataclass(frozen=True)
class CompiledFile:
    source: Path
    output: Path
    workout: Workout
    warnings: tuple[str, ...]
    written: bool  # False when an identical file was already there


def find_workout_files(paths: Iterable[Path]) -> list[Path]:
    """Workout files named directly, or found below named folders (athlete and plan files
    excluded), in a stable order."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        found.extend(
            candidate
            for candidate in sorted(path.rglob("*"))
            if candidate.suffix in WORKOUT_SUFFIXES
            and candidate.name not in NOT_WORKOUTS
            and not candidate.name.startswith("athlete")
        )
    return found


def compile_file(
    source: Path,
    *,
    athlete: Athlete | None,
    out_dir: Path,
    level: str = DEFAULT_LEVEL,
    overrides: Overrides | None = None,
    name_prefix: str = "",
    filename_prefix: str = "",
) -> CompiledFile:
    """Compile one workout file into `out_dir`; the FIT file is named after the workout.

    A plan puts the session's week and day before the name shown on the watch (`name_prefix`)
    and its date before the file name (`filename_prefix`), so files sort by date."""
    workout = load_workout(source, athlete=athlete, level=level, overrides=overrides)
    if name_prefix:
        workout = replace(workout, name=f"{name_prefix} {workout.name}")
    encoded = encode_workout(workout)
    filename = filename_prefix + safe_filename(
        workout.name.removeprefix(name_prefix), suffix=".fit"
    )
    output = path_inside(out_dir, filename)
    try:
        written = write_atomic(output, encoded.data)
    except OSError as exc:
        raise PacefitError(f"cannot write {output}: {exc.strerror or exc}") from exc
    return CompiledFile(
        source=source, output=output, workout=workout, warnings=encoded.warnings, written=written
    )
