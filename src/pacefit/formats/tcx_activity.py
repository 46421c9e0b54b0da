"""Reading a recorded run from a TCX file (Garmin's Training Center XML) into an `Activity`.

Parsed with lxml (entities not resolved, no network). A TCX keeps each lap's timer time
(`TotalTimeSeconds`) and distance, which are the run's totals, but no timer events: a pause shows
only as a gap between track points with little distance. Within each lap, the stationary gaps are
taken as pauses, longest first, until they account for the lap's paused time (its span less its
timer time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from pacefit.core.activity import (
    PAUSED_SPEED_MPS,
    Activity,
    Lap,
    Leg,
    Pause,
    Track,
    cumulative_distance_m,
    forward_filled,
    merge_pauses,
    optional_column,
    timer_from_pauses,
    usual_interval_s,
    utc_offset_s,
)
from pacefit.errors import ActivityError, Location
from pacefit.formats import ReadOptions
from pacefit.formats.xml_files import parse_xml

NS = {
    "tcx": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2",
    "ext": "http://www.garmin.com/xmlschemas/ActivityExtension/v2",
}
TRIGGERS = {"Manual": "manual", "Distance": "distance", "Time": "time", "Location": "position_lap"}
SPORT_WORDS = {"biking": "a ride"}
EARLIEST_CLOCK = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)  # before this, the clock was not set
MIN_PAUSE_S = 1.0


@dataclass(frozen=True)
class _Point:
    time: dt.datetime
    lap: int
    distance_m: float | None
    position: tuple[float, float] | None
    speed_mps: float | None
    heart_rate_bpm: int | None
    cadence_spm: int | None
    altitude_m: float | None


def read_tcx_activity(path: Path, *, options: ReadOptions | None = None) -> Activity:
    location = Location(str(path))
    activity = _running_activity(parse_xml(path, kind="TCX", location=location), location)
    laps = activity.findall("tcx:Lap", NS)
    points = [point for number, lap in enumerate(laps) for point in _points(lap, number)]
    points.sort(key=lambda p: p.time)
    if len(points) < 2:
        raise ActivityError("the activity has no recorded samples", location=location)
    start = points[0].time
    elapsed = [(p.time - start).total_seconds() for p in points]
    if any(p.distance_m is not None for p in points):
        distances = forward_filled([p.distance_m for p in points])
        distance_source = "distance"
    elif any(p.position for p in points):
        distances = cumulative_distance_m([p.position for p in points])
        distance_source = "positions"
    else:
        raise ActivityError(
            "the track carries no distance and no positions, so pace cannot be known",
            location=location,
        )
    lap_totals = [_lap_totals(lap, location) for lap in laps]
    by_lap: list[list[int]] = [[] for _ in laps]  # each lap's points, in time order
    for index, point in enumerate(points):
        by_lap[point.lap].append(index)
    pauses = merge_pauses(_pauses(by_lap, elapsed, distances, lap_totals))
    lap_spans = _lap_spans(by_lap, elapsed)
    return Activity(
        source=str(path),
        file_format="tcx",
        start_time=_start_time(activity, start),
        track=Track(
            elapsed_s=tuple(elapsed),
            timer_s=tuple(timer_from_pauses(elapsed, pauses)),
            distance_m=tuple(distances),
            speed_mps=tuple(p.speed_mps for p in points),
            heart_rate_bpm=tuple(p.heart_rate_bpm for p in points),
            cadence_spm=tuple(p.cadence_spm for p in points),
            altitude_m=optional_column([p.altitude_m for p in points]),
            latitude_deg=optional_column([p.position[0] if p.position else None for p in points]),
            longitude_deg=optional_column([p.position[1] if p.position else None for p in points]),
        ),
        laps=tuple(
            Lap(span[0], span[1], distance_m, timer_s, trigger=trigger)
            for span, (timer_s, distance_m, trigger) in zip(lap_spans, lap_totals, strict=True)
        ),
        pauses=pauses,
        legs=(
            Leg(
                start_elapsed_s=0.0,
                end_elapsed_s=elapsed[-1],
                distance_m=sum(d for _, d, _ in lap_totals),
                timer_s=sum(t for t, _, _ in lap_totals),
            ),
        ),
        device=activity.findtext("tcx:Creator/tcx:Name", default="", namespaces=NS).strip(),
        utc_offset_s=utc_offset_s(points[0].time),
        decoder="lxml",
        distance_source=distance_source,
    )


def _running_activity(tree: etree._ElementTree, location: Location) -> etree._Element:
    activities = tree.findall(".//tcx:Activities/tcx:Activity", NS)
    if not activities:
        raise ActivityError("the TCX file holds no activity", location=location)
    running = [a for a in activities if (a.get("Sport") or "").lower() == "running"]
    if not running:
        sport = activities[0].get("Sport") or "unknown"
        words = SPORT_WORDS.get(sport.lower())
        what = f"{words}, not a run" if words else f"not a run: its sport is '{sport}'"
        raise ActivityError(f"this is {what}", location=location)
    return running[0]


def _points(lap: etree._Element, number: int) -> list[_Point]:
    points = []
    for element in lap.iterfind("tcx:Track/tcx:Trackpoint", NS):
        time = _time(element.findtext("tcx:Time", namespaces=NS))
        if time is None:
            continue
        lat = _float(element.findtext("tcx:Position/tcx:LatitudeDegrees", namespaces=NS))
        lon = _float(element.findtext("tcx:Position/tcx:LongitudeDegrees", namespaces=NS))
        cadence = _float(element.findtext("tcx:Cadence", namespaces=NS)) or _float(
            element.findtext(".//ext:RunCadence", namespaces=NS)
        )
        heart_rate = _float(element.findtext("tcx:HeartRateBpm/tcx:Value", namespaces=NS))
        points.append(
            _Point(
                time=time,
                lap=number,
                distance_m=_float(element.findtext("tcx:DistanceMeters", namespaces=NS)),
                position=(lat, lon) if lat is not None and lon is not None else None,
                speed_mps=_float(element.findtext(".//ext:Speed", namespaces=NS)),
                heart_rate_bpm=int(heart_rate) if heart_rate is not None else None,
                # like FIT, TCX counts one foot (strides per minute); runners speak in steps
                cadence_spm=2 * int(cadence) if cadence else None,
                altitude_m=_float(element.findtext("tcx:AltitudeMeters", namespaces=NS)),
            )
        )
    return points


def _lap_totals(lap: etree._Element, location: Location) -> tuple[float, float, str]:
    timer_s = _float(lap.findtext("tcx:TotalTimeSeconds", namespaces=NS))
    distance_m = _float(lap.findtext("tcx:DistanceMeters", namespaces=NS))
    if timer_s is None or distance_m is None:
        raise ActivityError(
            "a lap has no TotalTimeSeconds or DistanceMeters",
            location=Location(location.path, lap.sourceline),
        )
    trigger = TRIGGERS.get(
        (lap.findtext("tcx:TriggerMethod", namespaces=NS) or "").strip(), "manual"
    )
    return timer_s, distance_m, trigger


def _lap_spans(by_lap: list[list[int]], elapsed: list[float]) -> list[tuple[float, float]]:
    """Each lap from its first point to the next lap's first point (the last to the end)."""
    starts = [elapsed[indices[0]] if indices else None for indices in by_lap]
    spans: list[tuple[float, float]] = []
    for n, start in enumerate(starts):
        begin = start if start is not None else (spans[-1][1] if spans else 0.0)
        following = next((s for s in starts[n + 1 :] if s is not None), elapsed[-1])
        spans.append((begin, following))
    return spans


def _pauses(
    by_lap: list[list[int]],
    elapsed: list[float],
    distances: list[float],
    lap_totals: list[tuple[float, float, str]],
) -> list[Pause]:
    """Within each lap, the stationary gaps between points that account for its paused time."""
    pauses = []
    usual_s = usual_interval_s(elapsed)
    for indices, (timer_s, _, _) in zip(by_lap, lap_totals, strict=True):
        if not indices:
            continue
        first, last = indices[0], min(indices[-1] + 1, len(elapsed) - 1)
        paused_s = elapsed[last] - elapsed[first] - timer_s
        gaps = sorted(
            (
                (elapsed[i] - elapsed[i - 1], i)
                for i in range(first + 1, last + 1)
                if elapsed[i] - elapsed[i - 1] > usual_s
                and (distances[i] - distances[i - 1]) / (elapsed[i] - elapsed[i - 1])
                < PAUSED_SPEED_MPS
            ),
            reverse=True,
        )
        for gap_s, i in gaps:
            if paused_s < MIN_PAUSE_S:
                break
            # a watch logs a point as it stops and another as it starts again: the gap is
            # the pause, as far as the lap's own timer leaves room for it
            length = min(gap_s, paused_s)
            pauses.append(Pause(elapsed[i] - length, elapsed[i]))
            paused_s -= length
    return pauses


def _start_time(activity: etree._Element, first: dt.datetime) -> dt.datetime | None:
    """The first point's time, or the activity's Id when the watch's clock was not set."""
    chosen = first if first >= EARLIEST_CLOCK else _time(activity.findtext("tcx:Id", namespaces=NS))
    return chosen.astimezone(dt.UTC) if chosen else None


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        time = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return time if time.tzinfo else time.replace(tzinfo=dt.UTC)


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None
