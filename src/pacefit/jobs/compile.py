"""The `compile` job: workout YAML files (or folders of them) into workout files in a folder."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from pacefit.core.devices import DEFAULT_DEVICE, device_profile, fit_to_device
from pacefit.core.paces import Athlete, pace_table, reference_race_paces, runner_level
from pacefit.core.workout import Overrides, Workout
from pacefit.errors import Location, PacefitError
from pacefit.files import path_inside, safe_filename, sha256, write_atomic
from pacefit.formats import DEFAULT_WORKOUT_FORMAT, ExportContext, WorkoutWriter, workout_writer
from pacefit.formats.workout_yaml import load_workout

WORKOUT_SUFFIXES = (".yaml", ".yml")
NOT_WORKOUTS = ("plan.yaml", "plan.yml")


@dataclass(frozen=True)
class Compiled:
    """One workout file compiled: where it went, and whether the bytes changed."""

    source: Path
    output: Path
    workout: Workout
    written: bool  # False when an identical file was already there


@dataclass(frozen=True)
class Failed:
    """One workout file that could not be compiled, with the error that says where and why."""

    source: Path
    error: PacefitError


@dataclass(frozen=True)
class CompileResult:
    level: str
    outcomes: tuple[Compiled | Failed, ...]

    @property
    def failures(self) -> tuple[Failed, ...]:
        return tuple(o for o in self.outcomes if isinstance(o, Failed))


def compile_workouts(
    paths: Iterable[Path],
    *,
    athlete: Athlete | None,
    out_dir: Path,
    level: str | None = None,
    file_format: str = DEFAULT_WORKOUT_FORMAT,
    device: str | None = None,
) -> CompileResult:
    """Compile every workout named in `paths` (files, or folders searched for workouts) into
    `out_dir`. A workout that fails does not stop the others; its error is in the result."""
    chosen = runner_level(level, athlete)
    paths = list(paths)
    sources, unreadable = workout_sources(paths)
    if not sources and not unreadable:  # only folders were named, and none holds a workout
        raise PacefitError(
            f"no workout files ({', '.join(WORKOUT_SUFFIXES)}) in this folder",
            location=Location(str(paths[0])) if paths else None,
            hint="name a workout file, or a folder that holds some",
        )
    outcomes: list[Compiled | Failed] = list(unreadable)
    batch = BatchOutputs()
    for source in sources:
        try:
            outcomes.append(
                compile_file(
                    source,
                    athlete=athlete,
                    out_dir=out_dir,
                    level=chosen,
                    file_format=file_format,
                    device=device,
                    batch=batch,
                )
            )
        except PacefitError as exc:
            outcomes.append(Failed(source, exc))
    return CompileResult(level=chosen, outcomes=tuple(outcomes))


class BatchOutputs:
    """The files a batch has written into its folder: a file is named after its workout, and a
    second workout of the same name is refused rather than written over the first."""

    def __init__(self) -> None:
        self._written: dict[Path, tuple[Path, str]] = {}  # output -> (source, its checksum)

    def claim(self, output: Path, data: bytes, *, source: Path) -> None:
        checksum = sha256(data)
        first_source, first_checksum = self._written.setdefault(output, (source, checksum))
        if first_checksum != checksum:
            raise PacefitError(
                f"its file {output.name} would replace the one just written from {first_source}",
                location=Location(str(source)),
                hint="give each workout its own name: its file is named after it",
            )


def find_workout_files(paths: Iterable[Path]) -> list[Path]:
    """Workout files named directly, or found below named folders (athlete and plan files
    excluded), in a stable order."""
    return workout_sources(paths)[0]


def workout_sources(paths: Iterable[Path]) -> tuple[list[Path], list[Failed]]:
    """The workout files (as `find_workout_files`), and each folder below them that could not
    be listed, with the error that says why (a batch names what it skipped)."""
    found: list[Path] = []
    unreadable: list[Failed] = []

    def skipped(exc: OSError) -> None:
        folder = Path(exc.filename) if exc.filename else Path()
        error = PacefitError(
            f"cannot read the folder: {exc.strerror or exc}", location=Location(str(folder))
        )
        unreadable.append(Failed(folder, error))

    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        below = [
            Path(folder) / name
            for folder, _, files in os.walk(path, onerror=skipped)
            for name in files
            if Path(name).suffix in WORKOUT_SUFFIXES
            and name not in NOT_WORKOUTS
            and not name.startswith("athlete")
        ]
        found.extend(sorted(below))
    return found, unreadable


def compile_file(
    source: Path,
    *,
    athlete: Athlete | None,
    out_dir: Path,
    level: str | None = None,
    overrides: Overrides | None = None,
    name_prefix: str = "",
    filename_prefix: str = "",
    file_format: str = DEFAULT_WORKOUT_FORMAT,
    device: str | None = None,
    batch: BatchOutputs | None = None,
) -> Compiled:
    """Compile one workout file into `out_dir`; the output is named after the workout.

    The workout is first fitted to what the format holds and to the device (`device`, else the
    athlete's, else generic). A plan puts the session's week and day before the name shown on
    the watch (`name_prefix`) and its date before the file name (`filename_prefix`), so files
    sort by date."""
    workout = load_workout(
        source, athlete=athlete, level=runner_level(level, athlete), overrides=overrides
    )
    filename, workout, data = encoded_workout(
        workout,
        athlete=athlete,
        name_prefix=name_prefix,
        filename_prefix=filename_prefix,
        file_format=file_format,
        device=device,
    )
    output = path_inside(out_dir, filename)
    if batch is not None:
        batch.claim(output, data, source=source)
    written = write_atomic(output, data)
    return Compiled(source=source, output=output, workout=workout, written=written)


def encoded_workout(
    workout: Workout,
    *,
    athlete: Athlete | None,
    name_prefix: str = "",
    filename_prefix: str = "",
    file_format: str = DEFAULT_WORKOUT_FORMAT,
    device: str | None = None,
) -> tuple[str, Workout, bytes]:
    """The workout as a file: its name, the workout as fitted to the format and device, and
    the file's bytes."""
    if name_prefix:
        workout = replace(workout, name=f"{name_prefix} {workout.name}")
    writer, encode = workout_writer(file_format)
    # named before fitting, so that a name shortened for the device keeps its whole file name
    filename = filename_prefix + safe_filename(
        workout.name.removeprefix(name_prefix), suffix=writer.suffix
    )
    workout = fitted(workout, writer, chosen_device(device, athlete))
    return filename, workout, encode(workout, export_context(athlete))


def export_context(athlete: Athlete | None) -> ExportContext:
    """The runner's paces, for formats that need them beside the workout's own."""
    table = pace_table(athlete) if athlete else None
    if athlete is None or table is None:
        return ExportContext()
    return ExportContext(
        race_paces_s_per_km=reference_race_paces(table),
        easy_pace_s_per_km=table.training["easy"].middle_s_per_km,
    )


def chosen_device(device: str | None, athlete: Athlete | None) -> str:
    """The device asked for, else the athlete file's, else generic."""
    return device or (athlete.device if athlete else None) or DEFAULT_DEVICE


def fitted(workout: Workout, writer: WorkoutWriter, device: str) -> Workout:
    """The workout within what the format holds, then within what the device holds."""
    for name in dict.fromkeys((writer.device, device)):
        workout = fit_to_device(workout, device_profile(name))
    return workout
