"""The `analyze` job: read a run, find its workout, align, score."""

from __future__ import annotations

from pathlib import Path

from pacefit.core.activity import Activity
from pacefit.core.align import align
from pacefit.core.score import Analysis, analyse
from pacefit.core.workout import Workout
from pacefit.errors import ActivityError, Location
from pacefit.formats.fit_decode import CrcPolicy

RUN_SUFFIXES = (".fit", ".gpx")


def read_activity(path: Path, *, crc: CrcPolicy = CrcPolicy.REFUSE) -> Activity:
    """A FIT or GPX run, by file suffix."""
    suffix = path.suffix.lower()
    if suffix == ".fit":
        from pacefit.formats.fit_activity import read_fit_activity

        return read_fit_activity(path, crc=crc)
    if suffix == ".gpx":
        from pacefit.formats.gpx_activity import read_gpx_activity

        return read_gpx_activity(path)
    raise ActivityError(
        f"cannot tell what kind of file '{suffix}' is",
        location=Location(str(path)),
        hint="pacefit reads .fit and .gpx runs",
    )


def analyze_run(activity: Activity, workout: Workout | None) -> Analysis:
    """Score `activity` against `workout`, or against the workout the watch embedded."""
    chosen = workout or activity.workout
    if chosen is None:
        raise ActivityError(
            "the run does not say which workout it followed",
            location=Location(activity.source),
            hint="pass --workout FILE (a workout YAML) to compare the run with",
        )
    if not activity.samples or activity.distance_m <= 0:
        raise ActivityError("the run covers no distance", location=Location(activity.source))
    return analyse(activity, chosen, align(activity, chosen))
