"""Reading a recorded run from a FIT activity file (fitparse) into an `Activity`."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pacefit.core.activity import (
    Activity,
    Lap,
    Pause,
    Sample,
    cumulative_distance_m,
    derive_speeds_mps,
    gaps_as_pauses,
    timer_from_pauses,
)
from pacefit.core.workout import Workout
from pacefit.errors import ActivityError, Location
from pacefit.formats import ReadOptions
from pacefit.formats.fit_decode import file_type_name, iter_messages, raw_fields
from pacefit.formats.fit_workout import steps_from_raw

FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
# date_time values below this are seconds since the device powered on, not calendar times.
FIT_MIN_CALENDAR_TIME = 0x10000000
SEMICIRCLES_PER_DEGREE = 2**31 / 180
MAX_UTC_OFFSET_S = 14 * 3600
RUNNING_SPORTS = {"running", "generic", None}
_WANTED = frozenset(
    {
        "file_id",
        "session",
        "sport",
        "record",
        "lap",
        "event",
        "workout",
        "workout_step",
        "activity",
    }
)
_TIMER_STOPS = {"stop", "stop_all", "stop_disable", "stop_disable_all"}
_DEVICE_CREATOR = 0


@dataclass
class _Collected:
    file_type: str | None = None
    device: str = ""
    sessions: list[dict[str, Any]] = field(default_factory=list)
    sport: str | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    laps: list[dict[str, Any]] = field(default_factory=list)
    timer_events: list[tuple[float, bool]] = field(default_factory=list)  # (time, running)
    workout_name: str = ""
    utc_offset_s: float = 0.0
    workout_steps: list[dict[int, object]] = field(default_factory=list)


def read_fit_activity(path: Path, *, options: ReadOptions | None = None) -> Activity:
    location = Location(str(path))
    try:
        return _read(path, options or ReadOptions(), location)
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        # a field of an unexpected type or size in a damaged or unusual file
        raise ActivityError(
            f"the file holds values pacefit cannot use ({type(exc).__name__}: {exc})",
            location=location,
        ) from exc


def _read(path: Path, options: ReadOptions, location: Location) -> Activity:
    collected = _collect(path, options)
    if collected.file_type != "activity":
        raise ActivityError(
            f"this is a FIT {collected.file_type or 'unknown'} file, not an activity",
            location=location,
        )
    windows = _running_windows(collected, location)
    records = [r for r in collected.records if _inside(r["t"], windows)]
    if len(records) < 2:
        raise ActivityError("the activity has no recorded samples", location=location)
    start_t = records[0]["t"]
    elapsed = [r["t"] - start_t for r in records]
    distances = _distances(records, location)
    pauses = _pauses(collected.timer_events, windows, start_t) or gaps_as_pauses(elapsed, distances)
    return Activity(
        source=str(path),
        file_format="fit",
        start_time=_calendar_time(start_t),
        samples=_samples(records, elapsed=elapsed, distances=distances, pauses=pauses),
        laps=_laps(collected.laps, windows, start_t),
        pauses=tuple(pauses),
        workout=_embedded_workout(collected, path),
        sport=collected.sport or "running",
        device=collected.device,
        utc_offset_s=collected.utc_offset_s,
    )


def _collect(path: Path, options: ReadOptions) -> _Collected:
    collected = _Collected()
    for message in iter_messages(path, names=_WANTED, options=options):
        name = message.name
        if name == "record":
            values = message.get_values()
            if values.get("timestamp") is not None:
                values["t"] = _seconds(values["timestamp"])
                collected.records.append(values)
        elif name == "event":
            values = message.get_values()
            if values.get("event") == "timer" and values.get("timestamp") is not None:
                running = values.get("event_type") not in _TIMER_STOPS
                collected.timer_events.append((_seconds(values["timestamp"]), running))
        elif name == "lap":
            collected.laps.append(message.get_values())
        elif name == "session":
            collected.sessions.append(message.get_values())
        elif name == "sport":
            collected.sport = _sport_name(message.get_value("sport"))
        elif name == "file_id":
            collected.file_type = file_type_name(message)
            if collected.file_type != "activity":
                break  # refused by the caller; no need to decode the rest
            collected.device = f"{message.get_value('manufacturer')}/{message.get_value('product')}"
        elif name == "activity":
            collected.utc_offset_s = _utc_offset_s(raw_fields(message))
        elif name == "workout":
            collected.workout_name = str(message.get_value("wkt_name") or "")
        elif name == "workout_step":
            collected.workout_steps.append(raw_fields(message))
    return collected


def _utc_offset_s(activity_fields: dict[int, Any]) -> float:
    """The activity message's local_timestamp (field 5) minus its timestamp (253)."""
    local, utc = activity_fields.get(5), activity_fields.get(253)
    if not isinstance(local, int) or not isinstance(utc, int):
        return 0.0
    offset = local - utc
    return float(offset) if abs(offset) <= MAX_UTC_OFFSET_S else 0.0


def _sport_name(value: object) -> str | None:
    """fitparse gives a sport newer than its profile as a bare number."""
    if value is None:
        return None
    return f"unknown sport {value}" if isinstance(value, int) else str(value)


def _seconds(value: object) -> float:
    """A raw FIT date_time as seconds: calendar times since the Unix epoch, device times (since
    power-on) as they are."""
    if not isinstance(value, int | float):
        raise ValueError(f"a time field holds {value!r}")
    number = float(value)
    if number >= FIT_MIN_CALENDAR_TIME:
        return FIT_EPOCH.timestamp() + number
    return number


def _calendar_time(seconds: float) -> dt.datetime | None:
    if seconds < FIT_EPOCH.timestamp() + FIT_MIN_CALENDAR_TIME:
        return None
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def _running_windows(collected: _Collected, location: Location) -> list[tuple[float, float]]:
    """The time spans of the running sessions (all of the file when it has no sessions)."""
    if not collected.sessions:
        if collected.sport not in RUNNING_SPORTS:
            raise ActivityError(
                f"this is a {collected.sport} activity, not a run", location=location
            )
        return [(float("-inf"), float("inf"))]
    sports = [_sport_name(s.get("sport")) for s in collected.sessions]
    windows: list[tuple[tuple[float, float], str | None]] = []
    for session, sport in zip(collected.sessions, sports, strict=True):
        if sport not in RUNNING_SPORTS or session.get("start_time") is None:
            continue
        start = _seconds(session["start_time"])
        length = float(session.get("total_elapsed_time") or 0.0)
        end = _seconds(session["timestamp"]) if session.get("timestamp") is not None else start
        windows.append(((start, max(end, start + length)), sport))
    if not windows:
        listed = ", ".join(sorted({s or "unknown" for s in sports}))
        raise ActivityError(f"this is a {listed} activity, not a run", location=location)
    # A multisport file holds generic warm-up sessions too: prefer the sessions marked running.
    running = [window for window, sport in windows if sport == "running"]
    return running or [window for window, _ in windows]


def _inside(t: float, windows: list[tuple[float, float]]) -> bool:
    return any(start <= t <= end for start, end in windows)


def _pauses(
    events: list[tuple[float, bool]], windows: list[tuple[float, float]], start_t: float
) -> list[Pause]:
    pauses: list[Pause] = []
    stopped_at: float | None = None
    for t, running in sorted(events):
        if not running and stopped_at is None:
            stopped_at = t
        elif running and stopped_at is not None:
            if t > stopped_at:
                pauses.append(Pause(stopped_at - start_t, t - start_t))
            stopped_at = None
    # the gaps between running sessions of a multisport file are pauses too
    for (_, end), (next_start, _) in itertools.pairwise(windows):
        pauses.append(Pause(end - start_t, next_start - start_t))
    return [p for p in pauses if p.end_elapsed_s > 0]


def _samples(
    records: list[dict[str, Any]],
    *,
    elapsed: list[float],
    distances: list[float],
    pauses: list[Pause],
) -> tuple[Sample, ...]:
    speeds: list[float | None] = [
        r.get("enhanced_speed") if r.get("enhanced_speed") is not None else r.get("speed")
        for r in records
    ]
    if all(s is None for s in speeds):
        speeds = derive_speeds_mps(elapsed, distances)
    timers = timer_from_pauses(elapsed, pauses)
    return tuple(
        Sample(
            elapsed_s=e,
            timer_s=timer,
            distance_m=d,
            speed_mps=s,
            heart_rate_bpm=r.get("heart_rate"),
            cadence_spm=_steps_per_minute(r.get("cadence")),
        )
        for e, timer, d, s, r in zip(elapsed, timers, distances, speeds, records, strict=True)
    )


def _steps_per_minute(cadence: object) -> int | None:
    # FIT running cadence counts one foot (strides per minute); runners speak in steps.
    return int(cadence) * 2 if isinstance(cadence, int | float) and cadence > 0 else None


def _distances(records: list[dict[str, Any]], location: Location) -> list[float]:
    """Recorded distance, carried forward over gaps; from positions when none was recorded."""
    if any(r.get("distance") is not None for r in records):
        distances, last = [], 0.0
        for r in records:
            value = r.get("distance")
            last = float(value) if value is not None and value >= last else last
            distances.append(last)
        return distances
    positions = [_position(r) for r in records]
    if not any(positions):
        raise ActivityError(
            "the records carry no distance and no positions, so pace cannot be known",
            location=location,
        )
    return cumulative_distance_m(positions)


def _position(record: dict[str, Any]) -> tuple[float, float] | None:
    lat, lon = record.get("position_lat"), record.get("position_long")
    if lat is None or lon is None:
        return None
    return lat / SEMICIRCLES_PER_DEGREE, lon / SEMICIRCLES_PER_DEGREE


def _laps(
    laps: list[dict[str, Any]], windows: list[tuple[float, float]], start_t: float
) -> tuple[Lap, ...]:
    result = []
    for lap in laps:
        if lap.get("start_time") is None:
            continue
        start = _seconds(lap["start_time"])
        if not _inside(start, windows):
            continue
        elapsed = float(lap.get("total_elapsed_time") or 0.0)
        end = _seconds(lap["timestamp"]) if lap.get("timestamp") is not None else start + elapsed
        step_index = lap.get("wkt_step_index")
        result.append(
            Lap(
                start_elapsed_s=start - start_t,
                end_elapsed_s=max(end, start + elapsed) - start_t,
                distance_m=float(lap.get("total_distance") or 0.0),
                timer_s=float(lap.get("total_timer_time") or elapsed),
                wkt_step_index=step_index if isinstance(step_index, int) else None,
                trigger=str(lap.get("lap_trigger") or "manual"),
            )
        )
    return tuple(result)


def _embedded_workout(collected: _Collected, path: Path) -> Workout | None:
    if not collected.workout_steps:
        return None
    steps = steps_from_raw(collected.workout_steps, source=str(path))
    return Workout(name=collected.workout_name or "workout", steps=steps)
