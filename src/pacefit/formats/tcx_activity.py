"""Reading a recorded run from a TCX file (Garmin's Training Center XML) into an `Activity`.

Read incrementally with lxml (entities not resolved, no network; each point freed once read),
elements matched by local name whatever namespace prefix a program gives them. A TCX keeps each
lap's timer time (`TotalTimeSeconds`) and distance, which are the run's totals, but no timer
events: a pause shows only as a gap between track points with little distance. Within each lap,
the stationary gaps are taken as pauses, longest first, until they account for the lap's paused
time (its span less its timer time).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
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
from pacefit.formats.xml_files import free, iter_xml, local_name

# A track point's values, by local name (any namespace or prefix), wherever they sit in it
# (Garmin's ActivityExtension keeps Speed and RunCadence).
POINT_FIELDS = frozenset(
    {
        "Time",
        "LatitudeDegrees",
        "LongitudeDegrees",
        "AltitudeMeters",
        "DistanceMeters",
        "Cadence",
        "Speed",
        "RunCadence",
    }
)
# The elements read as they start or end; those freed as soon as they end.
FREED = frozenset({"Trackpoint", "Track", "Lap", "Activity"})
READ = FREED | {"Id", "Creator"}
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
    read = _read(path, location)
    points = sorted(read.points, key=lambda p: p.time)
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
    lap_totals = read.laps
    by_lap: list[list[int]] = [[] for _ in lap_totals]  # each lap's points, in time order
    for index, point in enumerate(points):
        by_lap[point.lap].append(index)
    pauses = merge_pauses(_pauses(by_lap, elapsed, distances, lap_totals))
    lap_spans = _lap_spans(by_lap, elapsed)
    return Activity(
        source=str(path),
        file_format="tcx",
        start_time=_start_time(read.activity_id, start),
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
        device=read.device,
        utc_offset_s=utc_offset_s(points[0].time),
        decoder="lxml",
        distance_source=distance_source,
        untimed_points=read.untimed,
    )


@dataclass
class _Read:
    """What the first running activity of the file holds."""

    points: list[_Point] = field(default_factory=list)
    laps: list[tuple[float, float, str]] = field(default_factory=list)  # timer, distance, trigger
    activity_id: str = ""
    device: str = ""
    untimed: int = 0


def _read(path: Path, location: Location) -> _Read:
    """The first running activity, read as the file goes by; each point freed once read."""
    read = _Read()
    sports: list[str] = []
    state = "before"  # "reading" inside the first running activity, "done" after it
    for event, element in iter_xml(
        path, kind="TCX", location=location, tags=READ, events=("start", "end")
    ):
        name = local_name(element)
        if event == "start":
            if name == "Activity":
                sports.append(element.get("Sport") or "")
                if state == "before" and sports[-1].lower() == "running":
                    state = "reading"
            continue
        if state == "reading":
            _take(element, name, read, location)
            if name == "Activity":
                state = "done"
        if name in FREED:
            free(element)
    if not sports:
        raise ActivityError("the TCX file holds no activity", location=location)
    if state == "before":
        sport = sports[0] or "unknown"
        words = SPORT_WORDS.get(sport.lower())
        what = f"{words}, not a run" if words else f"not a run: its sport is '{sport}'"
        raise ActivityError(f"this is {what}", location=location)
    return read


def _take(element: etree._Element, name: str, read: _Read, location: Location) -> None:
    """What an element of the activity being read adds to it, as the element ends."""
    parent = local_name(element.getparent()) if element.getparent() is not None else ""
    if name == "Trackpoint":
        point = _point(element, len(read.laps))
        if point is None:
            read.untimed += 1
        else:
            read.points.append(point)
    elif name == "Lap":
        read.laps.append(_lap_totals(element, location))
    elif name == "Id" and parent == "Activity":
        read.activity_id = (element.text or "").strip()
    elif name == "Creator" and parent == "Activity":
        read.device = _child_text(element, "Name").strip()


def _child_text(element: etree._Element, name: str) -> str:
    return next((c.text or "" for c in element if local_name(c) == name), "")


def _point(element: etree._Element, lap: int) -> _Point | None:
    """A track point by local names; None when it has no time."""
    values: dict[str, str] = {}
    for part in element.iter():
        name = local_name(part)
        if name == "Value" and local_name(part.getparent()) == "HeartRateBpm":
            values.setdefault("heart_rate", part.text or "")
        elif name in POINT_FIELDS:
            values.setdefault(name, part.text or "")
    time = _time(values.get("Time"))
    if time is None:
        return None
    lat, lon = _float(values.get("LatitudeDegrees")), _float(values.get("LongitudeDegrees"))
    cadence = _whole(values.get("Cadence")) or _whole(values.get("RunCadence"))
    return _Point(
        time=time,
        lap=lap,
        distance_m=_float(values.get("DistanceMeters")),
        position=(lat, lon) if lat is not None and lon is not None else None,
        speed_mps=_float(values.get("Speed")),
        heart_rate_bpm=_whole(values.get("heart_rate")),
        # like FIT, TCX counts one foot (strides per minute); runners speak in steps
        cadence_spm=2 * cadence if cadence else None,
        altitude_m=_float(values.get("AltitudeMeters")),
    )


def _lap_totals(lap: etree._Element, location: Location) -> tuple[float, float, str]:
    timer_s = _float(_child_text(lap, "TotalTimeSeconds") or None)
    distance_m = _float(_child_text(lap, "DistanceMeters") or None)
    if timer_s is None or distance_m is None:
        raise ActivityError(
            "a lap has no TotalTimeSeconds or DistanceMeters",
            location=Location(location.path, lap.sourceline),
        )
    trigger = TRIGGERS.get(_child_text(lap, "TriggerMethod").strip(), "manual")
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
        span_s = elapsed[last] - elapsed[first]
        if not 0 <= timer_s <= span_s:
            continue  # a total that cannot be true says nothing of pauses (core.plausible)
        paused_s = span_s - timer_s
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


def _start_time(activity_id: str, first: dt.datetime) -> dt.datetime | None:
    """The first point's time, or the activity's Id when the watch's clock was not set."""
    chosen = first if first >= EARLIEST_CLOCK else _time(activity_id)
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
    """A number as written; NaN and infinity stay, for `core.plausible` to judge."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _whole(text: str | None) -> int | None:
    number = _float(text)
    return int(number) if number is not None and math.isfinite(number) else None
