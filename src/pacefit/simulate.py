"""A simulated runner executing a workout, written as a FIT activity or a GPX track.

No public recording followed a structured workout, so the tests and benchmarks make their own:
chosen paces per step, GPS noise, a pause, a cut-short or skipped rep, and laps with or without
`wkt_step_index`. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from xml.etree import ElementTree

import gpxpy.gpx
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import (
    Event,
    EventType,
    FileType,
    LapTrigger,
    Manufacturer,
    Sport,
)

from pacefit.core.activity import (
    EARTH_RADIUS_M,
    Activity,
    Lap,
    Pause,
    Track,
    optional_column,
    timer_from_pauses,
)
from pacefit.core.workout import (
    DistanceDuration,
    Intensity,
    PaceTarget,
    Step,
    TimeDuration,
    Workout,
    unroll,
)
from pacefit.formats.fit_workout import workout_messages

START_LAT, START_LON = 46.0569, 14.5058
EASY_PACE_S_PER_KM = 330.0
RECOVERY_PACE_S_PER_KM = 390.0
REST_PACE_S_PER_KM = 900.0  # a walk
OPEN_STEP_S = 300.0


class LapMode(Enum):
    WORKOUT = "workout"  # the watch ran the workout: a lap per step, with wkt_step_index
    MANUAL = "manual"  # lap button at each step change
    AUTO = "auto"  # auto-lap every kilometre
    NONE = "none"


@dataclass(frozen=True)
class StepRun:
    """How the runner runs one executed step (numbered from 1 in execution order)."""

    pace_s_per_km: float | None = None  # None: the middle of the target band
    completed_fraction: float = 1.0
    skipped: bool = False
    # a stretch run faster inside the step (a surge in the warm-up, say), seconds from its start
    surge_at_s: float | None = None
    surge_s: float = 0.0
    surge_pace_s_per_km: float = 240.0


@dataclass(frozen=True)
class Script:
    workout: Workout
    steps: dict[int, StepRun] = field(default_factory=dict)
    pause_at_s: float | None = None
    pause_s: float = 0.0
    gps_noise_m: float = 1.0
    with_positions: bool = True
    laps: LapMode = LapMode.WORKOUT
    embed_workout: bool = True
    seed: int = 1
    start_time: dt.datetime = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Point:
    elapsed_s: float
    distance_m: float
    speed_mps: float
    lat: float | None
    lon: float | None
    heart_rate_bpm: int
    cadence_spm: int


@dataclass(frozen=True)
class SimLap:
    start_s: float
    end_s: float
    start_distance_m: float
    end_distance_m: float
    step_index: int | None
    trigger: LapTrigger


@dataclass(frozen=True)
class SimulatedRun:
    script: Script
    points: tuple[Point, ...]
    laps: tuple[SimLap, ...]
    pause: tuple[float, float] | None  # elapsed seconds the timer was stopped


def simulate(script: Script) -> SimulatedRun:
    rng = random.Random(script.seed)
    points: list[Point] = []
    laps: list[SimLap] = []
    state = _RunnerState(rng=rng, script=script)
    for number, executed in enumerate(unroll(script.workout), start=1):
        plan = script.steps.get(number, StepRun())
        if plan.skipped:
            continue
        speed = 1000 / _pace_for(executed.step, plan)
        duration_s = _duration_s(executed.step, speed) * plan.completed_fraction
        lap_start = (state.elapsed_s, state.distance_m)
        if plan.surge_at_s is not None:
            points.extend(state.run(speed, plan.surge_at_s))
            points.extend(state.run(1000 / plan.surge_pace_s_per_km, plan.surge_s))
            duration_s -= plan.surge_at_s + plan.surge_s
        points.extend(state.run(speed, duration_s))
        if script.laps in (LapMode.WORKOUT, LapMode.MANUAL):
            laps.append(
                SimLap(
                    start_s=lap_start[0],
                    end_s=state.elapsed_s,
                    start_distance_m=lap_start[1],
                    end_distance_m=state.distance_m,
                    step_index=executed.fit_step_index if script.laps is LapMode.WORKOUT else None,
                    trigger=LapTrigger.MANUAL,
                )
            )
    if script.laps is LapMode.AUTO:
        laps = _auto_laps(points)
    if script.laps is LapMode.NONE or not laps:
        laps = [
            SimLap(
                0.0, points[-1].elapsed_s, 0.0, points[-1].distance_m, None, LapTrigger.SESSION_END
            )
        ]
    return SimulatedRun(script=script, points=tuple(points), laps=tuple(laps), pause=state.pause)


def _pace_for(step: Step, plan: StepRun) -> float:
    if plan.pace_s_per_km is not None:
        return plan.pace_s_per_km
    if isinstance(step.target, PaceTarget):
        return step.target.middle_s_per_km
    if step.intensity is Intensity.REST:
        return REST_PACE_S_PER_KM
    if step.intensity is Intensity.RECOVERY:
        return RECOVERY_PACE_S_PER_KM
    return EASY_PACE_S_PER_KM


def _duration_s(step: Step, speed_mps: float) -> float:
    if isinstance(step.duration, DistanceDuration):
        return step.duration.distance_m / speed_mps
    if isinstance(step.duration, TimeDuration):
        return step.duration.duration_s
    return OPEN_STEP_S


@dataclass
class _RunnerState:
    rng: random.Random
    script: Script
    elapsed_s: float = 0.0
    distance_m: float = 0.0
    noise_north_m: float = 0.0
    noise_east_m: float = 0.0
    pause: tuple[float, float] | None = None
    carry_s: float = 0.0

    def run(self, speed_mps: float, duration_s: float) -> list[Point]:
        """1 Hz points for `duration_s` at about `speed_mps` (2 % pace wobble)."""
        points = []
        remaining = duration_s + self.carry_s
        while remaining >= 1.0:
            self._maybe_pause()
            actual = speed_mps * (1 + self.rng.gauss(0, 0.02))
            self.elapsed_s += 1.0
            self.distance_m += actual
            remaining -= 1.0
            points.append(self._point(actual))
        self.carry_s = remaining
        return points

    def _maybe_pause(self) -> None:
        at = self.script.pause_at_s
        if self.pause is None and at is not None and self.elapsed_s >= at:
            self.pause = (self.elapsed_s, self.elapsed_s + self.script.pause_s)
            self.elapsed_s += self.script.pause_s

    def _point(self, speed_mps: float) -> Point:
        # GPS error drifts slowly (AR(1)), as it does on a real watch, instead of jumping.
        sigma = self.script.gps_noise_m * math.sqrt(1 - 0.95**2)
        self.noise_north_m = 0.95 * self.noise_north_m + self.rng.gauss(0, sigma)
        self.noise_east_m = 0.95 * self.noise_east_m + self.rng.gauss(0, sigma)
        lat = lon = None
        if self.script.with_positions:
            lat = START_LAT + math.degrees(self.noise_north_m / EARTH_RADIUS_M)
            east_m = self.distance_m + self.noise_east_m
            lon = START_LON + math.degrees(
                east_m / (EARTH_RADIUS_M * math.cos(math.radians(START_LAT)))
            )
        return Point(
            elapsed_s=self.elapsed_s,
            distance_m=self.distance_m,
            speed_mps=speed_mps,
            lat=lat,
            lon=lon,
            heart_rate_bpm=round(95 + 17 * speed_mps + self.rng.gauss(0, 2)),
            cadence_spm=round(150 + 7 * speed_mps),
        )


def _auto_laps(points: list[Point]) -> list[SimLap]:
    laps, start = [], points[0]
    for point in points:
        if point.distance_m - start.distance_m >= 1000:
            laps.append(
                SimLap(
                    start.elapsed_s,
                    point.elapsed_s,
                    start.distance_m,
                    point.distance_m,
                    None,
                    LapTrigger.DISTANCE,
                )
            )
            start = point
    laps.append(
        SimLap(
            start.elapsed_s,
            points[-1].elapsed_s,
            start.distance_m,
            points[-1].distance_m,
            None,
            LapTrigger.SESSION_END,
        )
    )
    return laps


def as_activity(run: SimulatedRun, *, name: str = "simulated") -> Activity:
    """The run as a reader would give it: 1 Hz samples with speed, laps, the pause."""
    paused = Pause(*run.pause) if run.pause else None
    elapsed = [p.elapsed_s for p in run.points]
    pauses = (paused,) if paused else ()
    return Activity(
        source=name,
        file_format="fit",
        start_time=run.script.start_time,
        track=Track(
            elapsed_s=tuple(elapsed),
            timer_s=tuple(timer_from_pauses(elapsed, pauses)),
            distance_m=tuple(p.distance_m for p in run.points),
            speed_mps=tuple(p.speed_mps for p in run.points),
            latitude_deg=optional_column([p.lat for p in run.points]),
            longitude_deg=optional_column([p.lon for p in run.points]),
        ),
        laps=tuple(
            Lap(
                start_elapsed_s=lap.start_s,
                end_elapsed_s=lap.end_s,
                distance_m=lap.end_distance_m - lap.start_distance_m,
                timer_s=lap.end_s - lap.start_s - _overlap(lap, run.pause),
                wkt_step_index=lap.step_index,
                trigger=lap.trigger.name.lower(),
            )
            for lap in run.laps
        ),
        pauses=pauses,
        workout=run.script.workout if run.script.embed_workout else None,
    )


def _overlap(lap: SimLap, pause: tuple[float, float] | None) -> float:
    if pause is None:
        return 0.0
    return max(0.0, min(lap.end_s, pause[1]) - max(lap.start_s, pause[0]))


# -- writers ----------------------------------------------------------------------------------


def to_fit_bytes(run: SimulatedRun) -> bytes:
    script = run.script
    start_ms = round(script.start_time.timestamp() * 1000)

    def at(elapsed_s: float) -> int:
        return start_ms + round(elapsed_s * 1000)

    builder = FitFileBuilder(auto_define=True, min_string_size=0)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = 0x5EED0000 + script.seed
    file_id.time_created = start_ms
    builder.add(file_id)
    if script.embed_workout:
        header, steps = workout_messages(script.workout)
        builder.add(header)
        builder.add_all(steps)
    builder.add(_timer_event(at(0), EventType.START))
    laps = list(run.laps)
    pause_to_write = run.pause
    for point in run.points:
        if pause_to_write and point.elapsed_s > pause_to_write[1]:
            builder.add(_timer_event(at(pause_to_write[0]), EventType.STOP_ALL))
            builder.add(_timer_event(at(pause_to_write[1]), EventType.START))
            pause_to_write = None
        builder.add(_record(point, at(point.elapsed_s)))
        while laps and laps[0].end_s <= point.elapsed_s:
            builder.add(_lap(laps.pop(0), at, run.pause))
    for lap in laps:
        builder.add(_lap(lap, at, run.pause))
    end = run.points[-1]
    builder.add(_timer_event(at(end.elapsed_s), EventType.STOP_ALL))
    builder.add(_session(run, at))
    activity = ActivityMessage()
    activity.timestamp = at(end.elapsed_s)
    activity.total_timer_time = _timer_total(run)
    activity.num_sessions = 1
    builder.add(activity)
    return bytes(builder.build().to_bytes())


def _timer_total(run: SimulatedRun) -> float:
    paused = run.pause[1] - run.pause[0] if run.pause else 0.0
    return run.points[-1].elapsed_s - paused


def _timer_event(timestamp_ms: int, event_type: EventType) -> EventMessage:
    message = EventMessage()
    message.timestamp = timestamp_ms
    message.event = Event.TIMER
    message.event_type = event_type
    return message


def _record(point: Point, timestamp_ms: int) -> RecordMessage:
    message = RecordMessage()
    message.timestamp = timestamp_ms
    if point.lat is not None and point.lon is not None:
        message.position_lat = point.lat
        message.position_long = point.lon
    message.distance = point.distance_m
    message.enhanced_speed = point.speed_mps
    message.heart_rate = point.heart_rate_bpm
    message.cadence = point.cadence_spm // 2  # FIT running cadence counts one foot
    return message


def _lap(lap: SimLap, at: Callable[[float], int], pause: tuple[float, float] | None) -> LapMessage:
    message = LapMessage()
    message.timestamp = at(lap.end_s)
    message.start_time = at(lap.start_s)
    message.total_elapsed_time = lap.end_s - lap.start_s
    # a watch's lap timer stops with the activity's timer
    message.total_timer_time = lap.end_s - lap.start_s - _overlap(lap, pause)
    message.total_distance = lap.end_distance_m - lap.start_distance_m
    message.lap_trigger = lap.trigger
    message.sport = Sport.RUNNING
    if lap.step_index is not None:
        message.workout_step_index = lap.step_index
    return message


def _session(run: SimulatedRun, at: Callable[[float], int]) -> SessionMessage:
    end = run.points[-1]
    message = SessionMessage()
    message.timestamp = at(end.elapsed_s)
    message.start_time = at(0)
    message.total_elapsed_time = end.elapsed_s
    message.total_timer_time = _timer_total(run)
    message.total_distance = end.distance_m
    message.sport = Sport.RUNNING
    return message


GARMIN_TPX = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"


def to_gpx_text(run: SimulatedRun, *, with_heart_rate: bool = False, every: int = 1) -> str:
    """The run as a GPX track; `with_heart_rate` adds heart rate and cadence as Garmin's
    TrackPointExtension does (`<gpxtpx:hr>`, `<gpxtpx:cad>` in strides); `every` keeps one
    point in so many, as a watch's smart recording does."""
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "pacefit simulator"
    if with_heart_rate:
        gpx.nsmap["gpxtpx"] = GARMIN_TPX
    track = gpxpy.gpx.GPXTrack(name=run.script.workout.name)
    segment = gpxpy.gpx.GPXTrackSegment()
    for point in run.points[::every]:
        if point.lat is None or point.lon is None:
            continue
        written = gpxpy.gpx.GPXTrackPoint(
            latitude=point.lat,
            longitude=point.lon,
            time=run.script.start_time + dt.timedelta(seconds=point.elapsed_s),
        )
        if with_heart_rate:
            written.extensions.append(_track_point_extension(point))
        segment.points.append(written)
    track.segments.append(segment)
    gpx.tracks.append(track)
    return str(gpx.to_xml())


def _track_point_extension(point: Point) -> ElementTree.Element:
    extension = ElementTree.Element(f"{{{GARMIN_TPX}}}TrackPointExtension")
    ElementTree.SubElement(extension, f"{{{GARMIN_TPX}}}hr").text = str(point.heart_rate_bpm)
    ElementTree.SubElement(extension, f"{{{GARMIN_TPX}}}cad").text = str(point.cadence_spm // 2)
    return extension
