"""The `analyze` job: read a run, find its workout, align, score."""

from __future__ import annotations

from pathlib import Path

from pacefit.core.activity import Activity
from pacefit.core.align import align
from pacefit.core.paces import Athlete, runner_level
from pacefit.core.score import Analysis, analyse
from pacefit.core.workout import Workout
from pacefit.errors import ActivityError, Location
from pacefit.formats import ReadOptions, read_activity
from pacefit.formats.workout_yaml import load_workout


def analyze_file(
    run_path: Path,
    *,
    workout_path: Path | None,
    athlete: Athlete | None,
    level: str | None = None,
    options: ReadOptions | None = None,
) -> Analysis:
    """Score the run in `run_path` against the workout in `workout_path` (YAML), or against the
    workout the watch embedded in the run when no workout is given."""
    workout = (
        load_workout(workout_path, athlete=athlete, level=runner_level(level, athlete))
        if workout_path
        else None
    )
    zones = athlete.hr_zones() if athlete else ()
    return analyze_run(read_activity(run_path, options=options), workout, hr_zones_bpm=zones)


def analyze_run(
    activity: Activity,
    workout: Workout | None,
    *,
    hr_zones_bpm: tuple[tuple[int, int], ...] = (),
    scoring_only: bool = False,
) -> Analysis:
    """Score `activity` against `workout`, or against the workout the watch embedded; time in
    heart-rate zones when the runner's zones are given. `scoring_only`: without the figures
    only a run's page shows (`core.score.analyse`)."""
    chosen = workout or activity.workout
    if chosen is None:
        raise ActivityError(
            "the run does not say which workout it followed",
            location=Location(activity.source),
            hint="pass --workout FILE (a workout YAML) to compare the run with",
        )
    if len(activity.track) < 2 or activity.distance_m <= 0:
        raise ActivityError("the run covers no distance", location=Location(activity.source))
    return analyse(
        activity,
        chosen,
        align(activity, chosen),
        hr_zones_bpm=hr_zones_bpm,
        scoring_only=scoring_only,
    )
