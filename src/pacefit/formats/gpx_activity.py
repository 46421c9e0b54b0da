"""Reading a recorded run from a GPX track into an `Activity`.

GPX has no timer, laps or speed of its own: distance comes from positions, and a long gap
between points crossed at walking speed counts as a pause. The file is read incrementally with
lxml (each track point cleared once read, so a 200 MB file does not become gigabytes), elements
matched by local name whatever namespace or prefix a program gives them (Garmin's
`gpxtpx:hr`, Cluetrust's `gpxdata:cadence`, declared or not). Points without a position are
left out with a note; points without a time are counted (`core.plausible` refuses a track that
mostly lacks them); times keep the offset they were written with, so the run's local time is
the one the file gives.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from pacefit.core.activity import (
    Activity,
    Correction,
    Track,
    cumulative_distance_m,
    gaps_as_pauses,
    optional_column,
    timer_from_pauses,
    utc_offset_s,
)
from pacefit.core.units import format_clock
from pacefit.errors import ActivityError, Location
from pacefit.formats import ReadOptions
from pacefit.formats.xml_files import free, iter_xml, local_name

HEART_RATE_NAMES = frozenset({"hr", "heartrate"})
CADENCE_NAMES = frozenset({"cad", "cadence"})
# The elements read: each is freed as soon as it ends (what is inside a point is read with it).
FREED = frozenset({"trkpt", "rtept", "wpt", "trkseg", "trk", "rte"})
# A recorder writes a segment's points as time goes on; a few seconds out of order is jitter,
# a minute or more back within a segment running forward is pieces cut and pasted (in time
# order its distance would count the way between them as run).
MAX_STEP_BACK_S = 60.0


@dataclass
class _Columns:
    """The track points read so far, as columns (times in POSIX seconds)."""

    times: list[float] = field(default_factory=list)
    lats: list[float] = field(default_factory=list)
    lons: list[float] = field(default_factory=list)
    altitudes: list[float | None] = field(default_factory=list)
    heart_rates: list[int | None] = field(default_factory=list)
    cadences: list[int | None] = field(default_factory=list)
    first: dt.datetime | None = None  # the earliest time, with the offset it was written with
    untimed: int = 0
    no_position_lines: list[int] = field(default_factory=list)
    route_points: int = 0
    creator: str = ""
    segment: _SegmentOrder | None = None  # the segment being read
    pasted: tuple[int, float] | None = None  # the first pasted piece: (its line, seconds back)

    def close_segment(self) -> None:
        if self.segment is not None and self.pasted is None:
            self.pasted = self.segment.pasted()


@dataclass
class _SegmentOrder:
    """How a track segment's times run from point to point. A recorder writes them forward (a
    few seconds out of order is jitter), an exporter may write them all newest first; a segment
    that runs forward but steps back a minute or more is pieces cut and pasted."""

    element: etree._Element
    last_s: float
    forward: int = 0
    back: int = 0
    first_jump: tuple[int, float] | None = None  # (line, seconds back)

    def step(self, seconds: float, line: int) -> None:
        back_s = self.last_s - seconds
        if back_s > 0:
            self.back += 1
        elif back_s < 0:
            self.forward += 1
        if back_s >= MAX_STEP_BACK_S and self.first_jump is None:
            self.first_jump = (line, back_s)
        self.last_s = seconds

    def pasted(self) -> tuple[int, float] | None:
        return self.first_jump if self.forward > self.back else None


def read_gpx_activity(path: Path, *, options: ReadOptions | None = None) -> Activity:
    """A GPX track as a run (`options` are accepted for the reader registry; GPX has no CRC)."""
    location = Location(str(path))
    columns = _read(path, location)
    if not columns.times and not columns.untimed:
        what = "only a route" if columns.route_points else "no track points"
        raise ActivityError(
            f"the GPX file has {what}; a recorded run is a track", location=location
        )
    if len(columns.times) < 2 or columns.first is None:
        raise ActivityError(
            "the GPX track has no times, so pace cannot be known", location=location
        )
    if columns.pasted is not None:
        line, back_s = columns.pasted
        raise ActivityError(
            f"the track's time goes back {format_clock(back_s)} at the point on line {line}: "
            "its points are not in the order they were recorded, so its distance and pace "
            "cannot be known",
            location=location,
            hint="export the run again from the watch or app that recorded it",
        )
    # a segment's points a few seconds out of order, a segment written newest first, and
    # tracks or segments in any order are put in time order
    order = sorted(range(len(columns.times)), key=columns.times.__getitem__)
    start_s = columns.times[order[0]]
    elapsed = [columns.times[i] - start_s for i in order]
    lats = [columns.lats[i] for i in order]
    lons = [columns.lons[i] for i in order]
    distances = cumulative_distance_m(list(zip(lats, lons, strict=True)))
    pauses = tuple(gaps_as_pauses(elapsed, distances))
    return Activity(
        source=str(path),
        file_format="gpx",
        start_time=columns.first.astimezone(dt.UTC),
        track=Track(
            elapsed_s=tuple(elapsed),
            timer_s=tuple(timer_from_pauses(elapsed, pauses)),
            distance_m=tuple(distances),
            speed_mps=(None,) * len(order),
            heart_rate_bpm=optional_column([columns.heart_rates[i] for i in order]),
            cadence_spm=optional_column([columns.cadences[i] for i in order]),
            altitude_m=optional_column([columns.altitudes[i] for i in order]),
            latitude_deg=tuple(lats),
            longitude_deg=tuple(lons),
        ),
        pauses=pauses,
        device=columns.creator,
        utc_offset_s=utc_offset_s(columns.first),
        decoder="lxml",
        distance_source="positions",
        pauses_from_gaps=True,
        untimed_points=columns.untimed,
        corrections=_left_out(columns),
    )


def _read(path: Path, location: Location) -> _Columns:
    columns = _Columns()
    for _, element in iter_xml(path, kind="GPX", location=location, tags=FREED):
        name = local_name(element)
        if name == "trkpt":
            if not columns.times and not columns.untimed:
                root = element.getroottree().getroot()
                columns.creator = (root.get("creator") or "").strip()
            _keep_point(element, columns)
        elif name == "rtept":
            columns.route_points += 1
        free(element)
    columns.close_segment()
    return columns


def _keep_point(point: etree._Element, columns: _Columns) -> None:
    lat, lon = _number(point.get("lat")), _number(point.get("lon"))
    if lat is None or lon is None:
        columns.no_position_lines.append(point.sourceline or 0)
        return
    time = altitude = None
    heart_rate = cadence = None
    for child in point:
        name = local_name(child)
        if name == "time":
            time = _time(child.text)
        elif name == "ele":
            altitude = _number(child.text)
        elif name == "extensions":
            for part in child.iter():
                name = local_name(part)
                if name in HEART_RATE_NAMES:
                    heart_rate = _whole(part.text)
                elif name in CADENCE_NAMES:
                    # Garmin writes strides per minute (one foot), like FIT; runners speak in
                    # steps
                    strides = _whole(part.text)
                    cadence = 2 * strides if strides else None
    if time is None:
        columns.untimed += 1
        return
    seconds = time.timestamp()
    segment = point.getparent()
    if columns.segment is not None and segment is columns.segment.element:
        columns.segment.step(seconds, point.sourceline or 0)
    else:
        columns.close_segment()
        columns.segment = _SegmentOrder(segment, seconds)
    if columns.first is None or seconds < columns.first.timestamp():
        columns.first = time
    columns.times.append(seconds)
    columns.lats.append(lat)
    columns.lons.append(lon)
    columns.altitudes.append(altitude)
    columns.heart_rates.append(heart_rate)
    columns.cadences.append(cadence)


def _left_out(columns: _Columns) -> tuple[Correction, ...]:
    lines = columns.no_position_lines
    if not lines:
        return ()
    return (
        Correction(
            "points_without_position",
            f"{len(lines)} track point(s) without a position left out (the first on line "
            f"{lines[0]})",
            (("points", len(lines)),),
        ),
    )


def _number(text: str | None) -> float | None:
    """A number as written; NaN and infinity stay, for `core.plausible` to judge."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _whole(text: str | None) -> int | None:
    number = _number(text)
    return int(number) if number is not None and math.isfinite(number) else None


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        time = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return time if time.tzinfo else time.replace(tzinfo=dt.UTC)
