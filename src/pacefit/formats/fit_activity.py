"""Reading a recorded run from a FIT activity file into an `Activity`.

The bytes are decoded by `fit_decode` (fast or complete path); this module turns what they hold
into a run: only the running sessions of a multisport file, each leg with its own distance and
timer, pauses from the timer events and between legs, laps, and the workout the watch embedded.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import replace
from pathlib import Path

from pacefit.core.activity import (
    Activity,
    Correction,
    Lap,
    Leg,
    Pause,
    Track,
    cumulative_distance_m,
    forward_filled,
    merge_pauses,
    optional_column,
    timer_from_pauses,
)
from pacefit.core.sports import SPORT_NAMES
from pacefit.core.workout import Workout
from pacefit.errors import ActivityError, Location, PacefitError
from pacefit.formats import ReadOptions
from pacefit.formats.fit_decode import FIT_EPOCH_UNIX_S, FitActivityData, Values, decode_activity

# date_time values below this are seconds since the device powered on, not calendar times.
FIT_MIN_CALENDAR_TIME = 0x10000000
MAX_UTC_OFFSET_S = 14 * 3600
# Records this close outside a session's times are its own (times are whole seconds).
SESSION_SLACK_S = 2.0
# Raw values of the FIT profile's enums that the reader acts on.
SPORT_GENERIC, SPORT_RUNNING = 0, 1
SPORT_WORDS = {2: "ride", 5: "swim", 11: "walk", 17: "hike", 3: "transition", 4: "gym session"}
EVENT_TIMER = 0
EVENT_TYPE_START = 0
EVENT_TYPE_STOPS = {1, 4, 8, 9}  # stop, stop_all, stop_disable, stop_disable_all
LAP_TRIGGERS = {
    0: "manual",
    1: "time",
    2: "distance",
    3: "position_start",
    4: "position_lap",
    5: "position_waypoint",
    6: "position_marked",
    7: "session_end",
    8: "fitness_equipment",
}


def read_fit_activity(path: Path, *, options: ReadOptions | None = None) -> Activity:
    location = Location(str(path))
    data = decode_activity(path, options=options or ReadOptions())
    notes: list[Correction] = []
    if data.file_type != "activity":
        if data.file_type != "unknown":
            raise ActivityError(
                f"this is a FIT {data.file_type} file, not an activity", location=location
            )
        if not _holds_a_run(data):
            raise ActivityError(
                "the file_id does not say what kind of file this is, and the file holds no "
                "session with records: not a run",
                location=location,
            )
        notes.append(
            Correction(
                "damaged_file_id",
                "the file_id does not say what kind of file this is; read as an activity, "
                "since it holds records and a session",
            )
        )
    try:
        activity = _activity(data, path, location)
    except (ValueError, TypeError, KeyError, OverflowError, IndexError) as exc:
        # a field of an unexpected type or size in a damaged or unusual file
        raise ActivityError(
            "the file holds values that do not fit together (a damaged record, lap or session)",
            location=location,
        ) from exc
    return replace(activity, corrections=(*notes, *activity.corrections))


def _holds_a_run(data: FitActivityData) -> bool:
    return bool(data.messages.get("session")) and any(
        t is not None for t in data.records.get("timestamp", [])
    )


def _activity(data: FitActivityData, path: Path, location: Location) -> Activity:
    sessions = _running_sessions(data, location)
    times = data.records.get("timestamp", [])
    windows, notes = _windows(data, sessions, times)
    rows = sorted(_inside(times, windows))
    if len(rows) < 2:
        raise ActivityError("the activity has no recorded samples", location=location)
    order = [i for _, i in rows]
    stamps = [t for t, _ in rows]
    start_t = stamps[0]
    elapsed = [t - start_t for t in stamps]
    distances, distance_source = _distances(data, order, stamps, windows, location)
    pauses = merge_pauses([*_timer_pauses(data, start_t), *_gaps_between(windows, start_t)])
    timers = timer_from_pauses(elapsed, pauses)
    workout, workout_notes = _embedded_workout(data, path)
    legs = tuple(
        _leg(session, window, start_t, stamps, (distances, timers))
        for session, window in zip(sessions, windows, strict=True)
    )
    return Activity(
        source=str(path),
        file_format="fit",
        start_time=_calendar_time(start_t),
        track=Track(
            elapsed_s=tuple(elapsed),
            timer_s=tuple(timers),
            distance_m=tuple(distances),
            speed_mps=tuple(_speeds(data, order)),
            heart_rate_bpm=tuple(_ints(data.records.get("heart_rate"), order)),
            cadence_spm=tuple(_cadence(data.records.get("cadence"), order)),
            altitude_m=optional_column(_preferred(data, ("enhanced_altitude", "altitude"), order)),
            latitude_deg=optional_column(_column(data.records.get("position_lat"), order)),
            longitude_deg=optional_column(_column(data.records.get("position_long"), order)),
        ),
        laps=tuple(_laps(data, windows, start_t)),
        pauses=tuple(p for p in pauses if p.end_elapsed_s > 0),
        legs=legs,
        workout=workout,
        sport="running",
        device=_device(data),
        utc_offset_s=_utc_offset_s(data),
        decoder=data.decoder,
        distance_source=distance_source,
        corrections=(*notes, *workout_notes),
    )


def _running_sessions(data: FitActivityData, location: Location) -> list[Values]:
    """The running sessions; a file with none (old watches) is one session of the file's sport."""
    sessions = [s for s in data.messages.get("session", []) if s.get("start_time") is not None]
    if not sessions:
        sport = data.first("sport").get("sport")
        if sport not in (None, SPORT_GENERIC, SPORT_RUNNING):
            raise ActivityError(f"this is {_sport_words(sport)}, not a run", location=location)
        return [{"start_time": float("-inf"), "timestamp": float("inf")}]
    running = [s for s in sessions if s.get("sport") == SPORT_RUNNING]
    # old watches write generic sessions for runs; a multisport file's generic ones are not runs
    chosen = running or [s for s in sessions if s.get("sport") in (None, SPORT_GENERIC)]
    if not chosen:
        listed = ", ".join(sorted({_sport_words(s.get("sport")) for s in sessions}))
        raise ActivityError(f"this is {listed}, not a run", location=location)
    return sorted(chosen, key=lambda s: s["start_time"] or 0.0)


def _sport_words(sport: float | None) -> str:
    if sport is None:
        return "an activity of unknown sport"
    words = SPORT_WORDS.get(int(sport))
    if words:
        return f"a {words}" if words[0] not in "aeiou" else f"an {words}"
    known = SPORT_NAMES.get(int(sport))
    name = known.replace("_", " ") if known else f"sport {int(sport)}"
    return f"a {name} activity"


def _window(session: Values) -> tuple[float, float]:
    start = session["start_time"]
    assert start is not None
    end = session.get("timestamp")
    length = session.get("total_elapsed_time") or 0.0
    return start, max(end if end is not None else start, start + length)


def _windows(
    data: FitActivityData, sessions: list[Values], times: list[float | None]
) -> tuple[list[tuple[float, float]], list[Correction]]:
    """Each running session's span. A file of one session is one run: its records all belong
    to it, even where the session's own times (damaged, or written before the last records)
    leave some out."""
    windows = [_window(s) for s in sessions]
    stamps = [t for t in times if t is not None]
    if len(data.messages.get("session", [])) != 1 or len(windows) != 1 or not stamps:
        return windows, []
    start, end = windows[0]
    outside = sum(1 for t in stamps if not start - SESSION_SLACK_S <= t <= end + SESSION_SLACK_S)
    if not outside:
        return windows, []
    note = Correction(
        "session_times",
        f"the session's start and end leave out {outside} of its {len(stamps)} records; "
        "read as part of the run",
        (("records", outside),),
    )
    return [(min(start, min(stamps)), max(end, max(stamps)))], [note]


def _inside(
    times: list[float | None], windows: list[tuple[float, float]]
) -> list[tuple[float, int]]:
    """(time, record number) of the records inside a running leg, one pass per leg."""
    if len(windows) == 1:
        start, end = windows[0]
        return [(t, i) for i, t in enumerate(times) if t is not None and start <= t <= end]
    inside = {
        i: t
        for start, end in windows
        for i, t in enumerate(times)
        if t is not None and start <= t <= end
    }
    return [(t, i) for i, t in inside.items()]


def _within(t: float, windows: list[tuple[float, float]]) -> bool:
    return any(start <= t <= end for start, end in windows)


def _distances(
    data: FitActivityData,
    order: list[int],
    stamps: list[float],
    windows: list[tuple[float, float]],
    location: Location,
) -> tuple[list[float], str]:
    """Distance from zero, continued from leg to leg: within each running leg the recorded
    distance (carried over gaps; devices either restart it with each session or run it on
    through the ride), from positions when none was recorded."""
    column = data.records.get("distance")
    recorded = column is not None and any(column[i] is not None for i in order)
    if not recorded:
        lats, lons = data.records.get("position_lat"), data.records.get("position_long")
        if not lats or not lons or not any(lats[i] is not None for i in order):
            raise ActivityError(
                "the records carry no distance and no positions, so pace cannot be known",
                location=location,
            )
    result: list[float] = []
    for leg in _by_leg(stamps, windows):
        indices = [order[k] for k in leg]
        if recorded and column is not None:
            values = [column[i] for i in indices]
            first = next((v for v in values if v is not None and math.isfinite(v)), 0.0)
            within = [v - first for v in forward_filled([first, *values])[1:]]
        else:
            within = cumulative_distance_m([_position(data, i) for i in indices])
        offset = result[-1] if result else 0.0
        result += [offset + max(0.0, v) for v in within]
    return result, "distance" if recorded else "positions"


def _by_leg(stamps: list[float], windows: list[tuple[float, float]]) -> list[list[int]]:
    """The positions in `stamps` (in time order) grouped by running leg, in order: one pass,
    the legs' windows walked alongside (a sample between legs stays with the leg before)."""
    if len(windows) == 1:
        return [list(range(len(stamps)))]
    legs: list[list[int]] = []
    current, window = -1, 0
    for k, t in enumerate(stamps):
        while window < len(windows) and windows[window][1] < t:
            window += 1
        leg = current
        if window < len(windows) and windows[window][0] <= t:
            leg = window
        if leg != current or not legs:
            legs.append([])
            current = leg
        legs[-1].append(k)
    return legs


def _position(data: FitActivityData, i: int) -> tuple[float, float] | None:
    lat = data.records["position_lat"][i]
    lon = data.records["position_long"][i]
    return (lat, lon) if lat is not None and lon is not None else None


def _speeds(data: FitActivityData, order: list[int]) -> list[float | None]:
    return _preferred(data, ("enhanced_speed", "speed"), order)


def _preferred(
    data: FitActivityData, names: tuple[str, str], order: list[int]
) -> list[float | None]:
    """A record field that has an `enhanced_` form (32 bits) beside the 16-bit one: the
    enhanced value where the sample has it, else the plain one."""
    enhanced, plain = (data.records.get(name) for name in names)
    if not enhanced or not plain:
        return _column(enhanced or plain, order)
    return [value if (value := enhanced[i]) is not None else plain[i] for i in order]


def _column(column: list[float | None] | None, order: list[int]) -> list[float | None]:
    return [column[i] for i in order] if column else [None] * len(order)


def _ints(column: list[float | None] | None, order: list[int]) -> list[int | None]:
    if not column:
        return [None] * len(order)
    return [None if column[i] is None else int(column[i]) for i in order]  # type: ignore[arg-type]


def _cadence(column: list[float | None] | None, order: list[int]) -> list[int | None]:
    # FIT running cadence counts one foot (strides per minute); runners speak in steps.
    return [None if c is None or c <= 0 else 2 * c for c in _ints(column, order)]


def _timer_pauses(data: FitActivityData, start_t: float) -> list[Pause]:
    events = sorted(
        (e["timestamp"], e.get("event_type"))
        for e in data.messages.get("event", [])
        if e.get("event") == EVENT_TIMER and e.get("timestamp") is not None
    )
    pauses = []
    stopped_at: float | None = None
    for t, event_type in events:
        assert t is not None
        if event_type in EVENT_TYPE_STOPS and stopped_at is None:
            stopped_at = t
        elif event_type == EVENT_TYPE_START and stopped_at is not None:
            pauses.append(Pause(stopped_at - start_t, t - start_t))
            stopped_at = None
    return pauses


def _gaps_between(windows: list[tuple[float, float]], start_t: float) -> list[Pause]:
    """The time between running legs (a bike leg, a transition) is not running time."""
    return [
        Pause(end - start_t, next_start - start_t)
        for (_, end), (next_start, _) in itertools.pairwise(windows)
        if next_start > end
    ]


def _leg(
    session: Values,
    window: tuple[float, float],
    start_t: float,
    stamps: list[float],
    track: tuple[list[float], list[float]],
) -> Leg:
    """A running leg with the watch's own totals (the track's when the session has none)."""
    start, end = window
    first = next((i for i, t in enumerate(stamps) if t >= start), 0)
    last = max((i for i, t in enumerate(stamps) if t <= end), default=len(stamps) - 1)
    distances, timers = track
    distance = session.get("total_distance")
    timer = session.get("total_timer_time")
    return Leg(
        start_elapsed_s=max(start, stamps[0]) - start_t,
        end_elapsed_s=min(end, stamps[-1]) - start_t,
        distance_m=distance if distance is not None else distances[last] - distances[first],
        timer_s=timer if timer is not None else timers[last] - timers[first],
    )


def _laps(data: FitActivityData, windows: list[tuple[float, float]], start_t: float) -> list[Lap]:
    laps = []
    for lap in data.messages.get("lap", []):
        start = lap.get("start_time")
        if start is None or not _within(start, windows):
            continue
        elapsed = lap.get("total_elapsed_time") or 0.0
        end = lap.get("timestamp")
        step = lap.get("wkt_step_index")
        trigger = lap.get("lap_trigger")
        laps.append(
            Lap(
                start_elapsed_s=start - start_t,
                end_elapsed_s=max(end if end is not None else start, start + elapsed) - start_t,
                distance_m=lap.get("total_distance") or 0.0,
                timer_s=lap.get("total_timer_time") or elapsed,
                wkt_step_index=int(step) if step is not None else None,
                trigger=LAP_TRIGGERS.get(int(trigger), "unknown")
                if trigger is not None
                else "manual",
            )
        )
    return sorted(laps, key=lambda lap: lap.start_elapsed_s)


def _utc_offset_s(data: FitActivityData) -> float:
    """The activity message's local_timestamp minus its timestamp."""
    activity = data.first("activity")
    local, utc = activity.get("local_timestamp"), activity.get("timestamp")
    if local is None or utc is None:
        return 0.0
    offset = local - utc
    return float(offset) if abs(offset) <= MAX_UTC_OFFSET_S else 0.0


def _calendar_time(fit_seconds: float) -> dt.datetime | None:
    if fit_seconds < FIT_MIN_CALENDAR_TIME:
        return None  # the watch's clock was not set: seconds since power-on, not a date
    return dt.datetime.fromtimestamp(FIT_EPOCH_UNIX_S + fit_seconds, tz=dt.UTC)


def _device(data: FitActivityData) -> str:
    file_id = data.first("file_id")
    manufacturer, product = file_id.get("manufacturer"), file_id.get("product")
    if manufacturer is None:
        return ""
    from pacefit.formats.fit_names import product_name

    return product_name(int(manufacturer), None if product is None else int(product))


def _embedded_workout(data: FitActivityData, path: Path) -> tuple[Workout | None, list[Correction]]:
    """The workout the watch ran, when it embedded one pacefit can read (a damaged one is
    left out with a note: the run can still be scored against a workout given)."""
    if not data.workout_steps:
        return None, []
    from pacefit.formats.fit_workout import steps_from_fields

    try:
        steps = steps_from_fields(list(data.workout_steps), source=str(path))
    except PacefitError as exc:
        note = Correction(
            "embedded_workout", f"ignored the workout the watch embedded: {exc.message}"
        )
        return None, [note]
    return Workout(name=data.workout_name or "workout", steps=steps), []
