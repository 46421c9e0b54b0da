"""Reading a recorded run from a GPX track (gpxpy) into an `Activity`.

GPX has no timer, laps or speed of its own: distance comes from positions, speed from distance
over time, and a long gap between points counts as a pause.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import gpxpy
import gpxpy.gpx

from pacefit.core.activity import (
    Activity,
    Sample,
    cumulative_distance_m,
    derive_speeds_mps,
    gaps_as_pauses,
    timer_from_pauses,
)
from pacefit.errors import ActivityError, Location
from pacefit.formats import ReadOptions

# Positions jitter by a metre or two, so speed is taken over a longer span than a watch needs.
SPEED_WINDOW_S = 10.0


def read_gpx_activity(path: Path, *, options: ReadOptions | None = None) -> Activity:
    """A GPX track as a run (`options` are accepted for the reader registry; GPX has no CRC)."""
    location = Location(str(path))
    try:
        with path.open(encoding="utf-8-sig") as handle:
            gpx = gpxpy.parse(handle)
    except (gpxpy.gpx.GPXException, ValueError, UnicodeDecodeError) as exc:
        raise ActivityError(f"cannot read the GPX file: {exc}", location=location) from exc
    except OSError as exc:
        raise ActivityError(
            f"cannot read the file: {exc.strerror or exc}", location=location
        ) from exc
    points = [
        point for track in gpx.tracks for segment in track.segments for point in segment.points
    ]
    if not points:
        what = "only a route" if gpx.routes else "no track points"
        raise ActivityError(
            f"the GPX file has {what}; a recorded run is a track", location=location
        )
    timed = [p for p in points if p.time is not None]
    if len(timed) < 2:
        raise ActivityError(
            "the GPX track has no times, so pace cannot be known", location=location
        )
    timed.sort(key=lambda p: _utc(p.time))
    start = _utc(timed[0].time)
    elapsed = [(_utc(p.time) - start).total_seconds() for p in timed]
    distances = cumulative_distance_m([(p.latitude, p.longitude) for p in timed])
    if elapsed[-1] <= 0:
        raise ActivityError("the GPX track's times do not advance", location=location)
    pauses = gaps_as_pauses(elapsed, distances)
    speeds = derive_speeds_mps(elapsed, distances, window_s=SPEED_WINDOW_S)
    timers = timer_from_pauses(elapsed, pauses)
    samples = tuple(
        Sample(
            elapsed_s=e,
            timer_s=timer,
            distance_m=d,
            speed_mps=s,
            heart_rate_bpm=_extension_int(p, "hr"),
            cadence_spm=_cadence_spm(p),
        )
        for e, timer, d, s, p in zip(elapsed, timers, distances, speeds, timed, strict=True)
    )
    return Activity(
        source=str(path),
        file_format="gpx",
        start_time=start,
        samples=samples,
        pauses=tuple(pauses),
        device=gpx.creator or "",
    )


def _utc(time: dt.datetime | None) -> dt.datetime:
    assert time is not None
    return time if time.tzinfo else time.replace(tzinfo=dt.UTC)


def _extension_int(point: gpxpy.gpx.GPXTrackPoint, name: str) -> int | None:
    """A value from Garmin's TrackPointExtension (`<gpxtpx:hr>`), matched by local name."""
    for extension in point.extensions:
        for element in extension.iter():
            if str(element.tag).rsplit("}", 1)[-1].lower() == name and element.text:
                try:
                    return int(float(element.text))
                except ValueError:
                    return None
    return None


def _cadence_spm(point: gpxpy.gpx.GPXTrackPoint) -> int | None:
    cadence = _extension_int(point, "cad")
    # Garmin writes strides per minute (one foot), like FIT.
    return cadence * 2 if cadence else None
