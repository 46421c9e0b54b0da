"""Reading a recorded run from a GPX track (gpxpy) into an `Activity`.

GPX has no timer, laps or speed of its own: distance comes from positions, and a long gap
between points crossed at walking speed counts as a pause. Points without a position are left
out with a warning (gpxpy would refuse the whole file); times keep the offset they were written
with, so the run's local time is the one the file gives.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import gpxpy
import gpxpy.gpx
from lxml import etree

from pacefit.core.activity import (
    Activity,
    Track,
    cumulative_distance_m,
    gaps_as_pauses,
    optional_column,
    timer_from_pauses,
    utc_offset_s,
)
from pacefit.errors import ActivityError, Location, warn
from pacefit.formats import ReadOptions
from pacefit.formats.xml_files import parse_xml


def read_gpx_activity(path: Path, *, options: ReadOptions | None = None) -> Activity:
    """A GPX track as a run (`options` are accepted for the reader registry; GPX has no CRC)."""
    location = Location(str(path))
    gpx = _parse(path, location)
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
    if elapsed[-1] <= 0:
        raise ActivityError("the GPX track's times do not advance", location=location)
    distances = cumulative_distance_m([(p.latitude, p.longitude) for p in timed])
    pauses = tuple(gaps_as_pauses(elapsed, distances))
    return Activity(
        source=str(path),
        file_format="gpx",
        start_time=start,
        track=Track(
            elapsed_s=tuple(elapsed),
            timer_s=tuple(timer_from_pauses(elapsed, pauses)),
            distance_m=tuple(distances),
            speed_mps=(None,) * len(timed),
            heart_rate_bpm=tuple(_extension_int(p, "hr") for p in timed),
            cadence_spm=tuple(_cadence_spm(p) for p in timed),
            altitude_m=optional_column([p.elevation for p in timed]),
            latitude_deg=tuple(p.latitude for p in timed),
            longitude_deg=tuple(p.longitude for p in timed),
        ),
        pauses=pauses,
        device=gpx.creator or "",
        utc_offset_s=utc_offset_s(timed[0].time),
        decoder="gpxpy",
        distance_source="positions",
    )


def _parse(path: Path, location: Location) -> gpxpy.gpx.GPX:
    """The GPX, with track points that have no position left out (and named in a warning)."""
    tree = parse_xml(path, kind="GPX", location=location)
    dropped = [
        point
        for point in tree.iter("{*}trkpt")
        if point.get("lat") in (None, "") or point.get("lon") in (None, "")
    ]
    for point in dropped:
        parent = point.getparent()
        if parent is not None:
            parent.remove(point)
    if dropped:
        warn(
            f"{len(dropped)} track point(s) without a position left out (the first on line "
            f"{dropped[0].sourceline})",
            location=location,
        )
    try:
        return gpxpy.parse(etree.tostring(tree, encoding="unicode"))
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise ActivityError(f"cannot read the GPX file: {exc}", location=location) from exc


def _utc(time: dt.datetime | None) -> dt.datetime:
    assert time is not None
    if time.tzinfo is None:
        return time.replace(tzinfo=dt.UTC)
    return time.astimezone(dt.UTC)


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
