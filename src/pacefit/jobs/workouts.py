"""The `show` and `decompile` jobs: one workout, read and explained or turned back into YAML."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pacefit.core.paces import Athlete, pace_table, reference_race_paces, runner_level
from pacefit.core.workout import Workout
from pacefit.files import write_atomic
from pacefit.formats import ReadOptions, read_workout_file
from pacefit.formats.workout_yaml import dump_workout, load_workout


def read_options(athlete: Athlete | None, *, ignore_crc: bool = False) -> ReadOptions:
    """How to read a workout or run file for this runner: their race paces and tolerance turn
    a Zwift workout's relative paces into bands."""
    table = pace_table(athlete) if athlete else None
    if athlete is None or table is None:
        return ReadOptions(ignore_crc=ignore_crc)
    return ReadOptions(
        ignore_crc=ignore_crc,
        race_paces_s_per_km=reference_race_paces(table),
        pace_tolerance_s_per_km=athlete.pace_tolerance_s_per_km,
    )


def show_workout(path: Path, *, athlete: Athlete | None, level: str | None = None) -> Workout:
    """The workout in a YAML file, compiled for the athlete at the level (or theirs)."""
    return load_workout(path, athlete=athlete, level=runner_level(level, athlete))


@dataclass(frozen=True)
class Decompiled:
    workout: Workout
    yaml_text: str
    output: Path | None  # where the YAML was written, when asked


def decompile_workout(
    path: Path,
    *,
    out_path: Path | None = None,
    options: ReadOptions | None = None,
    exact_paces: bool = False,
) -> Decompiled:
    """A workout file from a watch or another tool as workout YAML (written to `out_path`);
    paces to the second unless `exact_paces`."""
    workout = read_workout_file(path, options=options)
    text = dump_workout(workout, exact_paces=exact_paces)
    if out_path is not None:
        write_atomic(out_path, text.encode())
    return Decompiled(workout, text, out_path)
