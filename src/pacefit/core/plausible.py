"""What a run can physically be: the one place, between the readers and the analysis, that
decides which recorded numbers to believe.

Every reader (FIT by either decoder, GPX, TCX) builds an `Activity` from what its file says, and
`checked` turns it into the run pacefit analyses: values that cannot be true are left out or
replaced by what the file's own records say, each change a `Correction` in a runner's words
(the formats layer shows each as a warning naming the file; `--json` lists them), and a file
that cannot be a run on foot is refused in one line. The limits are the table below, each with
its reason; the README repeats it. Pure: no I/O.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TypeVar

from pacefit.core.activity import (
    EARTH_RADIUS_M,
    PAUSED_SPEED_MPS,
    Activity,
    Correction,
    Lap,
    Leg,
    Track,
    gaps_as_pauses,
    haversine_m,
    timer_from_pauses,
)
from pacefit.core.units import format_clock
from pacefit.errors import ActivityError, Location

# -- the limits ------------------------------------------------------------------------------

# No runner moves faster: Usain Bolt's top speed, in his 9.58 s 100 m (Berlin 2009), was
# 12.4 m/s. A GPS fix or a recorded distance that implies more is not where the runner was.
MAX_SPEED_MPS = 12.5
# What two readings a second apart can disagree by without either being wrong: a consumer GPS
# is good to 5-10 m in the open and throws fixes tens of metres in a city's canyons, and a
# watch counts that noise in its own distance. Only a hop beyond it is judged.
NOISE_M = 50.0
# Over a minute or more, no runner holds more than 9.3 m/s: Wayde van Niekerk's 400 m world
# record (43.03 s, Rio de Janeiro 2016). Noise allowed once (it does not add up).
SUSTAINED_SPEED_MPS = 400 / 43.03
SUSTAINED_WINDOW_S = 60.0
# A run of fewer fixes than this, reached and left by impossible hops, is a burst of bad fixes
# (multipath, the first fixes before the receiver has locked): dropped. A longer one is kept,
# and only the impossible hop into it goes uncounted.
MAX_BURST_FIXES = 10
# A receiver with no position yet writes 0,0 (a point in the Gulf of Guinea, far from any run).
NULL_ISLAND_DEG = 1e-6
# No watch records more than ten points a second: when most points come closer together than
# this, the clock did not run (a GPX whose every point carries the same time).
MIN_INTERVAL_S = 0.1
STILL_CLOCK_SHARE = 0.5
# Below 25 bpm no runner's heart beats (trained athletes rest near 30); above 250 bpm is
# beyond any runner's maximum (about 220 minus age).
HEART_RATE_BPM = (25, 250)
# Sprinters reach about 280 steps a minute; a runner's cadence is 150-200.
MAX_CADENCE_SPM = 300
# The shore of the Dead Sea lies 430 m below sea level, the top of Everest 8,849 m above it.
ALTITUDE_M = (-500.0, 9000.0)
# A lap's or a session's totals and its own records agree within a few metres and seconds on
# every real file here; beyond these, a total is damaged and the records are used instead.
TOTAL_DISTANCE_SHARE, TOTAL_DISTANCE_SLACK_M = 0.10, 100.0
TOTAL_TIMER_SHARE, TOTAL_TIMER_SLACK_S = 0.10, 30.0
# Records further apart than this (pauses aside) do not cover a lap or a leg well enough to
# overrule its totals: a watch records every few seconds at most.
COVER_GAP_S = 60.0
# A leg's span is measured between its records, which can be a few seconds apart (smart
# recording): its timer time may exceed that span by this much, never more.
ELAPSED_SLACK_S = 10.0
# Records that go on this long (timer time) after the last lap make a lap of their own.
FINAL_LAP_MIN_S = 30.0
# World records (men's, the fastest at each distance: track to 10,000 m, then road and ultra),
# as (metres, seconds). A whole run faster than the record over its distance is not a run on
# foot. Between the rows, time is interpolated on a log-log scale.
WORLD_RECORDS: tuple[tuple[float, float, str], ...] = (
    (100.0, 9.58, "Usain Bolt, Berlin 2009"),
    (200.0, 19.19, "Usain Bolt, Berlin 2009"),
    (400.0, 43.03, "Wayde van Niekerk, Rio de Janeiro 2016"),
    (800.0, 100.91, "David Rudisha, London 2012"),
    (1000.0, 131.96, "Noah Ngeny, Rieti 1999"),
    (1500.0, 206.00, "Hicham El Guerrouj, Rome 1998"),
    (1609.344, 223.13, "Hicham El Guerrouj, Rome 1999"),
    (3000.0, 437.55, "Jakob Ingebrigtsen, Chorzow 2024"),
    (5000.0, 755.36, "Joshua Cheptegei, Monaco 2020"),
    (10000.0, 1571.00, "Joshua Cheptegei, Valencia 2020"),
    (21097.5, 3402.0, "Jacob Kiplimo, Barcelona 2025"),
    (42195.0, 7235.0, "Kelvin Kiptum, Chicago 2023"),
    (100000.0, 21935.0, "Aleksandr Sorokin, Vilnius 2022"),
    (319614.0, 86400.0, "Aleksandr Sorokin, 24 hours, Verona 2022"),
)
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
N = TypeVar("N", int, float)


def world_record_s(distance_m: float) -> float | None:
    """The fastest anyone has run `distance_m` (interpolated between records); None under
    100 m, where the table starts."""
    first_m = WORLD_RECORDS[0][0]
    if not distance_m >= first_m:
        return None
    distances = [d for d, _, _ in WORLD_RECORDS]
    k = bisect.bisect_right(distances, distance_m)
    if k >= len(WORLD_RECORDS):
        last_m, last_s, _ = WORLD_RECORDS[-1]
        return last_s * distance_m / last_m  # beyond a day: at the 24-hour record's speed
    (d0, t0, _), (d1, t1, _) = WORLD_RECORDS[k - 1], WORLD_RECORDS[k]
    exponent = math.log(t1 / t0) / math.log(d1 / d0)
    return float(t0 * math.pow(distance_m / d0, exponent))


# -- the check -------------------------------------------------------------------------------

Check = Callable[[Activity], tuple[Activity, list[Correction]]]


def checked(activity: Activity) -> Activity:
    """`activity` as pacefit analyses it, with the corrections made (after the reader's own);
    raises `ActivityError` when the file cannot be a run on foot."""
    corrections = list(activity.corrections)
    for check in CHECKS:
        activity, found = check(activity)
        corrections += found
    return replace(activity, corrections=tuple(corrections))


def _refuse(activity: Activity, message: str, hint: str = "") -> ActivityError:
    return ActivityError(message, location=Location(activity.source), hint=hint)


def _point_word(activity: Activity) -> str:
    return "record" if activity.file_format == "fit" else "point"


def _counted(count: int, thing: str, plural: str = "") -> str:
    return f"{count} {thing}" if count == 1 else f"{count} {plural or thing + 's'}"


def _where(activity: Activity, indices: Sequence[int]) -> str:
    word = _point_word(activity)
    if len(indices) == 1:
        return f"({word} {indices[0] + 1})"
    return f"(the first at {word} {indices[0] + 1})"


def _times_present(activity: Activity) -> tuple[Activity, list[Correction]]:
    untimed, timed = activity.untimed_points, len(activity.track)
    if untimed > timed:
        raise _refuse(
            activity,
            f"only {timed} of {timed + untimed} track points carry a time, so pace cannot be known",
        )
    if not untimed:
        return activity, []
    what = _counted(untimed, "track point")
    return activity, [
        Correction("points_without_time", f"left out {what} without a time", (("points", untimed),))
    ]


def _clock_runs(activity: Activity) -> tuple[Activity, list[Correction]]:
    elapsed = activity.track.elapsed_s
    close = sum(1 for a, b in pairwise(elapsed) if b - a < MIN_INTERVAL_S)
    if len(elapsed) > 1 and close > STILL_CLOCK_SHARE * (len(elapsed) - 1):
        span = elapsed[-1] - elapsed[0]
        raise _refuse(
            activity,
            f"the clock stands still: {close} of {len(elapsed)} points come less than "
            f"{MIN_INTERVAL_S:g} s after the one before ({len(elapsed)} points in "
            f"{span:.3g} s), so pace cannot be known",
        )
    return activity, []


def _samples_once(activity: Activity) -> tuple[Activity, list[Correction]]:
    """A point written twice (every value the same: a lap copied whole) is counted once."""
    track = activity.track
    elapsed = track.elapsed_s
    columns = _columns(track).values()
    repeated = [
        i
        for i in range(1, len(track))
        if elapsed[i] == elapsed[i - 1] and all(c[i] == c[i - 1] for c in columns)
    ]
    if not repeated:
        return activity, []
    twice = set(repeated)
    keep = [i for i in range(len(track)) if i not in twice]
    # an exact copy changes no figure, so it is no correction to tell the runner about
    return replace(activity, track=_select(track, keep)), []


def _columns(track: Track) -> dict[str, tuple[object, ...]]:
    names = (
        "elapsed_s",
        "timer_s",
        "distance_m",
        "speed_mps",
        "heart_rate_bpm",
        "cadence_spm",
        "altitude_m",
        "latitude_deg",
        "longitude_deg",
    )
    return {name: getattr(track, name) for name in names if getattr(track, name)}


def _select(track: Track, keep: Sequence[int]) -> Track:
    changes = {name: tuple(column[i] for i in keep) for name, column in _columns(track).items()}
    return replace(track, **changes)  # type: ignore[arg-type]  # columns keep their types


def _readings_in_range(activity: Activity) -> tuple[Activity, list[Correction]]:
    """Speed, heart rate, cadence and altitude readings that cannot be true are missing."""
    track = activity.track
    corrections: list[Correction] = []
    speeds, bad = _keep_if(track.speed_mps, lambda v: math.isfinite(v) and 0 <= v <= MAX_SPEED_MPS)
    if bad:
        corrections.append(
            _ignored(activity, bad, "speed_readings", "speed reading", "out of a runner's range")
        )
    low, high = HEART_RATE_BPM
    heart, bad = _keep_if(track.heart_rate_bpm, lambda v: low <= v <= high)
    if bad:
        corrections.append(
            _ignored(activity, bad, "heart_rates", "heart rate", f"outside {low}-{high} bpm")
        )
    cadence, bad = _keep_if(track.cadence_spm, lambda v: 0 < v <= MAX_CADENCE_SPM)
    if bad:
        corrections.append(
            _ignored(activity, bad, "cadences", "cadence", f"above {MAX_CADENCE_SPM} spm")
        )
    bottom, top = ALTITUDE_M
    altitude, bad = _keep_if(track.altitude_m, lambda v: math.isfinite(v) and bottom <= v <= top)
    if bad:
        corrections.append(
            _ignored(activity, bad, "altitudes", "altitude", f"outside {bottom:g} to {top:g} m")
        )
    if not corrections:
        return activity, []
    changed = replace(
        track, speed_mps=speeds, heart_rate_bpm=heart, cadence_spm=cadence, altitude_m=altitude
    )
    return replace(activity, track=changed), corrections


def _keep_if(
    column: tuple[N | None, ...], possible: Callable[[N], bool]
) -> tuple[tuple[N | None, ...], list[int]]:
    values = [v for v in column if v is not None]
    # the usual case, in C: every value finite (their sum is, for floats; it never raises) and
    # both extremes possible
    total = sum(values)
    finite = not isinstance(total, float) or math.isfinite(total)
    if not values or (finite and possible(min(values)) and possible(max(values))):
        return column, []
    bad = [i for i, v in enumerate(column) if v is not None and not possible(v)]
    if not bad:
        return column, []
    wrong = set(bad)
    return tuple(None if i in wrong else v for i, v in enumerate(column)), bad


def _ignored(
    activity: Activity, indices: Sequence[int], kind: str, thing: str, why: str
) -> Correction:
    return Correction(
        kind,
        f"ignored {_counted(len(indices), thing)} {why} {_where(activity, indices)}",
        (("values", len(indices)),),
    )


# -- GPS fixes -------------------------------------------------------------------------------


def _gps_fixes(activity: Activity) -> tuple[Activity, list[Correction]]:
    """Fixes not on Earth or at 0,0 are dropped; so are bursts of fixes reached and left faster
    than a runner can move. A distance measured from positions is measured again without them,
    and without any impossible hop between the stretches that remain."""
    track = activity.track
    if not track.latitude_deg or not track.longitude_deg or _every_fix_possible(track):
        return activity, []
    lats, lons = list(track.latitude_deg), list(track.longitude_deg)
    corrections: list[Correction] = []
    off_earth, null_island = [], []
    for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
        if lat is None or lon is None:
            lats[i] = lons[i] = None
        elif not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
            off_earth.append(i)
        elif abs(lat) < NULL_ISLAND_DEG and abs(lon) < NULL_ISLAND_DEG:
            null_island.append(i)
    for i in off_earth + null_island:
        lats[i] = lons[i] = None
    if off_earth:
        corrections.append(
            _ignored(activity, off_earth, "gps_not_on_earth", "GPS point", "not on Earth")
        )
    if null_island:
        corrections.append(_ignored(activity, null_island, "gps_at_0_0", "GPS point", "at 0,0"))
    fixes = [i for i, lat in enumerate(lats) if lat is not None]
    segments = _consistent_segments(track.elapsed_s, lats, lons, fixes)
    kept = _without_bursts(segments)
    burst = sorted(set(fixes) - set(kept))
    if len(fixes) > 2 and len(burst) > len(fixes) / 2:
        raise _refuse(
            activity,
            f"the GPS track moves faster than a runner can between most of its {len(fixes)} "
            f"points ({MAX_SPEED_MPS:g} m/s at most), so it cannot be a run on foot",
        )
    for i in burst:
        lats[i] = lons[i] = None
    if burst:
        corrections.append(
            Correction(
                "gps_burst",
                f"ignored {_counted(len(burst), 'GPS point')} reached and left faster than a "
                f"runner can move {_where(activity, burst)}",
                (("points", len(burst)),),
            )
        )
    if not corrections and len(segments) == 1:
        return activity, []
    changed = replace(
        activity, track=replace(track, latitude_deg=tuple(lats), longitude_deg=tuple(lons))
    )
    if activity.distance_source == "positions":
        changed, jumps = _distance_from_positions(changed)
        corrections += jumps
    if not corrections:
        return activity, []
    return changed, corrections


def _every_fix_possible(track: Track) -> bool:
    """The usual case, checked quickly: every fix on Earth, none at 0,0, and each within a
    runner's reach of the one before (in degrees, whatever the latitude)."""
    per_s, slack = MAX_SPEED_MPS / METRES_PER_DEGREE, NOISE_M / METRES_PER_DEGREE
    last_lat = last_lon = last_t = math.nan  # no fix yet: every comparison with it is false
    for lat, lon, t in zip(track.latitude_deg, track.longitude_deg, track.elapsed_s, strict=True):
        if lat is None or lon is None:
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also false for NaN
            return False
        if abs(lat) < NULL_ISLAND_DEG and abs(lon) < NULL_ISLAND_DEG:
            return False
        if abs(lat - last_lat) + abs(lon - last_lon) > per_s * (t - last_t) + slack:
            return False
        last_lat, last_lon, last_t = lat, lon, t
    return True


def _hop_possible(
    elapsed: Sequence[float],
    lats: Sequence[float | None],
    lons: Sequence[float | None],
    a: int,
    b: int,
) -> bool:
    """Whether a runner can get from fix `a` to fix `b` in the time between them."""
    lat_a, lon_a, lat_b, lon_b = lats[a], lons[a], lats[b], lons[b]
    assert lat_a is not None and lon_a is not None and lat_b is not None and lon_b is not None
    allowed_deg = (MAX_SPEED_MPS * abs(elapsed[b] - elapsed[a]) + NOISE_M) / METRES_PER_DEGREE
    dlat, dlon = lat_b - lat_a, (lon_b - lon_a + 180) % 360 - 180
    if abs(dlat) + abs(dlon) <= allowed_deg:  # within reach whatever the latitude: most hops
        return True
    # flat-earth distance: exact enough at the scale of a hop
    return math.hypot(dlat, dlon * math.cos(math.radians((lat_a + lat_b) / 2))) <= allowed_deg


SEGMENT_LOOKBACK = 3  # a fix may rejoin one of the last few stretches (after a burst)


def _consistent_segments(
    elapsed: Sequence[float],
    lats: Sequence[float | None],
    lons: Sequence[float | None],
    fixes: Sequence[int],
) -> list[list[int]]:
    """The fixes as stretches a runner could have run: each fix joins the latest stretch it
    can be reached from, else starts one. When it is out of reach of a stretch's last fixes
    but within reach of one before them, those last fixes were a burst and leave the stretch."""
    segments: list[list[int]] = []
    bursts: list[list[int]] = []
    for i in fixes:
        if segments and _hop_possible(elapsed, lats, lons, segments[-1][-1], i):
            segments[-1].append(i)  # the usual case
            continue
        for segment in reversed(segments[-SEGMENT_LOOKBACK:]):
            reach = min(len(segment), MAX_BURST_FIXES)
            back = next(
                (
                    k
                    for k in range(1, reach + 1)
                    if _hop_possible(elapsed, lats, lons, segment[-k], i)
                ),
                None,
            )
            if back is not None:
                if back > 1:
                    bursts.append(segment[1 - back :])
                    del segment[1 - back :]
                segment.append(i)
                break
        else:
            segments.append([i])
    return segments + bursts


def _without_bursts(segments: list[list[int]]) -> list[int]:
    """The fixes of the longest stretch and of every stretch long enough not to be a burst."""
    if not segments:
        return []
    longest = max(len(s) for s in segments)
    kept = [i for s in segments if len(s) >= MAX_BURST_FIXES or len(s) == longest for i in s]
    return sorted(kept)


def _distance_from_positions(activity: Activity) -> tuple[Activity, list[Correction]]:
    """Distance along the fixes that remain, each leg from its own start, impossible hops
    (a jump between two stretches) not counted; GPX pauses found again on it."""
    track = activity.track
    lats, lons, elapsed = track.latitude_deg, track.longitude_deg, track.elapsed_s
    leg_starts = {track.index_at_elapsed(leg.start_elapsed_s) for leg in activity.legs[1:]}
    distances: list[float] = []
    total = 0.0
    previous: int | None = None
    jumps: list[int] = []
    jumped_m = 0.0
    for i in range(len(track)):
        if i in leg_starts:
            previous = None
        lat, lon = lats[i], lons[i]
        if lat is not None and lon is not None:
            if previous is not None:
                hop_m = haversine_m(lats[previous], lons[previous], lat, lon)  # type: ignore[arg-type]
                if _hop_possible(elapsed, lats, lons, previous, i):
                    total += hop_m
                else:
                    jumps.append(i)
                    jumped_m += hop_m
            previous = i
        distances.append(total)
    changed = replace(track, distance_m=tuple(distances))
    if activity.pauses_from_gaps:
        pauses = tuple(gaps_as_pauses(elapsed, distances))
        changed = replace(changed, timer_s=tuple(timer_from_pauses(elapsed, pauses)))
        activity = replace(activity, pauses=pauses)
    corrections = []
    if jumps:
        corrections.append(
            Correction(
                "gps_jumps",
                f"did not count {_counted(len(jumps), 'GPS jump')} faster than a runner can "
                f"({_km(jumped_m)} in all) {_where(activity, jumps)}",
                (("jumps", len(jumps)), ("not_counted_m", round(jumped_m, 1))),
            )
        )
    return replace(activity, track=changed), corrections


# -- recorded distance -----------------------------------------------------------------------


def _recorded_distance(activity: Activity) -> tuple[Activity, list[Correction]]:
    """The device's distance as a runner could have covered it: a reading that jumps (or falls
    back) beyond what is possible is ignored when the next reading returns, and when the
    readings go on from it, the jump itself is not counted. The result never goes back."""
    track = activity.track
    if activity.distance_source != "distance" or len(track) < 2:
        return activity, []
    raw, elapsed = track.distance_m, track.elapsed_s
    if all(
        0 <= b - a <= MAX_SPEED_MPS * (tb - ta) + NOISE_M
        for a, b, ta, tb in zip(raw, raw[1:], elapsed, elapsed[1:], strict=False)
    ):
        return activity, []  # the usual case: it only grows, never faster than a runner
    start = _first_reading(raw, elapsed)
    level, level_t = raw[start], elapsed[start]
    pending: tuple[float, float, int] | None = None
    total = 0.0
    result = [raw[start]] * (start + 1)
    ignored: list[int] = list(range(start))
    jumps: list[int] = []
    jumped_m = 0.0
    for i in range(start + 1, len(raw)):
        value, now = raw[i], elapsed[i]
        if _reachable(level, level_t, value, now):
            total += max(0.0, value - level)
            if value > level:
                level = value
            level_t = now
            if pending is not None and pending[0] > level:
                ignored.append(pending[2])  # a spike up (one down would have added nothing)
            pending = None
        elif pending is not None and _reachable(pending[0], pending[1], value, now):
            if pending[0] > level:  # a jump up, not counted; a fall (a restart) loses nothing
                jumps.append(pending[2])
                jumped_m += pending[0] - level
            total += max(0.0, value - pending[0])
            level, level_t, pending = value, now, None
        else:
            if pending is not None and pending[0] > level:
                ignored.append(pending[2])
            pending = (value, now, i)
        result.append(raw[start] + total)
    if pending is not None and pending[0] > level:
        ignored.append(pending[2])
    if not ignored and not jumps and list(result) == list(raw):
        return activity, []
    corrections = []
    word = _point_word(activity)
    if ignored:
        ignored.sort()
        corrections.append(
            Correction(
                "distance_readings",
                f"ignored {_counted(len(ignored), 'distance reading')} that "
                f"{'jumps' if len(ignored) == 1 else 'jump'} faster than a runner can "
                f"{_where(activity, ignored)}",
                (("readings", len(ignored)),),
            )
        )
    if jumps:
        corrections.append(
            Correction(
                "distance_jumps",
                f"did not count {_counted(len(jumps), 'jump')} in the recorded distance "
                f"({_km(abs(jumped_m))} in all, the first at {word} {jumps[0] + 1})",
                (("jumps", len(jumps)), ("not_counted_m", round(abs(jumped_m), 1))),
            )
        )
    return replace(activity, track=replace(track, distance_m=tuple(result))), corrections


def _reachable(from_m: float, from_t: float, to_m: float, to_t: float) -> bool:
    """A reading a runner could reach from an earlier one (noise either way allowed)."""
    return -NOISE_M <= to_m - from_m <= MAX_SPEED_MPS * abs(to_t - from_t) + NOISE_M


def _first_reading(raw: Sequence[float], elapsed: Sequence[float]) -> int:
    """The first reading the next ones can be reached from (a spike at the start is skipped)."""
    for i in range(min(len(raw) - 1, MAX_BURST_FIXES)):
        if _reachable(raw[i], elapsed[i], raw[i + 1], elapsed[i + 1]):
            return i
    return 0


def _sustained_speed(activity: Activity) -> tuple[Activity, list[Correction]]:
    """A track that covers, in a minute or more, more than any runner can is not all on foot
    (a car, a bike, a foot pod's distance multiplied): refused, since no figure of it is true."""
    track = activity.track
    elapsed, distance = track.elapsed_s, track.distance_m
    if all(
        b - a <= SUSTAINED_SPEED_MPS * (tb - ta)
        for a, b, ta, tb in zip(distance, distance[1:], elapsed, elapsed[1:], strict=False)
    ):
        return activity, []  # the usual case: no hop that fast, so no minute either
    j = 0
    for i in range(len(track)):
        while j + 1 < i and elapsed[i] - elapsed[j + 1] >= SUSTAINED_WINDOW_S:
            j += 1
        span_s = elapsed[i] - elapsed[j]
        covered_m = distance[i] - distance[j]
        if span_s >= SUSTAINED_WINDOW_S and covered_m > SUSTAINED_SPEED_MPS * span_s + NOISE_M:
            raise _refuse(
                activity,
                f"the run covers {_km(covered_m)} in {format_clock(span_s)} from "
                f"{_point_word(activity)} {j + 1} ({covered_m / span_s * 3.6:.0f} km/h), faster "
                "than any runner, so it was not all run on foot",
            )
    return activity, []


def _pauses_still(activity: Activity) -> tuple[Activity, list[Correction]]:
    """A watch records nothing while its timer is stopped: a stop during which the records go
    on, moving faster than a walk, is not a pause (a damaged timer event), and its time counts."""
    track = activity.track
    elapsed, distance = track.elapsed_s, track.distance_m
    moving = []
    for pause in activity.pauses:
        first = bisect.bisect_right(elapsed, pause.start_elapsed_s)
        last = bisect.bisect_left(elapsed, pause.end_elapsed_s) - 1
        if last > first:
            span_s = elapsed[last] - elapsed[first]
            if distance[last] - distance[first] > PAUSED_SPEED_MPS * span_s + NOISE_M:
                moving.append(pause)
    if not moving:
        return activity, []
    pauses = tuple(p for p in activity.pauses if p not in moving)
    timer = replace(track, timer_s=tuple(timer_from_pauses(elapsed, pauses)))
    what = _counted(len(moving), "timer stop")
    correction = Correction(
        "moving_pauses",
        f"ignored {what} during which the records go on moving (the first from "
        f"{format_clock(moving[0].start_elapsed_s)} to {format_clock(moving[0].end_elapsed_s)})",
        (("stops", len(moving)),),
    )
    return replace(activity, track=timer, pauses=pauses), [correction]


# -- laps ------------------------------------------------------------------------------------


def _laps_once(activity: Activity) -> tuple[Activity, list[Correction]]:
    """A lap written twice (the same start and totals) counts once; a leg that was the sum of
    the laps is summed again."""
    laps = activity.laps
    kept: list[Lap] = []
    twice: list[int] = []
    for number, lap in enumerate(laps, start=1):
        if kept and _same_lap(kept[-1], lap):
            twice.append(number)
            if lap.end_elapsed_s > kept[-1].end_elapsed_s:
                kept[-1] = replace(lap, wkt_step_index=kept[-1].wkt_step_index)
            continue
        kept.append(lap)
    if not twice:
        return activity, []
    legs = tuple(_summed_again(leg, laps, kept) for leg in activity.legs)
    listed = ", ".join(str(n - 1) for n in twice)
    message = (
        f"lap {listed} is written twice in the file; counted once"
        if len(twice) == 1
        else f"laps {listed} are written twice in the file; each counted once"
    )
    correction = Correction("laps_twice", message, (("laps", len(twice)),))
    return replace(activity, laps=tuple(kept), legs=legs), [correction]


def _same_lap(a: Lap, b: Lap) -> bool:
    return (
        abs(a.start_elapsed_s - b.start_elapsed_s) <= 1.0
        and abs(a.distance_m - b.distance_m) <= 1.0
        and abs(a.timer_s - b.timer_s) <= 1.0
    )


def _summed_again(leg: Leg, before: Sequence[Lap], after: Sequence[Lap]) -> Leg:
    def inside(laps: Sequence[Lap]) -> list[Lap]:
        return [
            lap
            for lap in laps
            if leg.start_elapsed_s - 1 <= lap.start_elapsed_s <= leg.end_elapsed_s + 1
        ]

    old = inside(before)
    if (
        abs(sum(lap.distance_m for lap in old) - leg.distance_m) > 1.0
        or abs(sum(lap.timer_s for lap in old) - leg.timer_s) > 1.0
    ):
        return leg  # the device's own totals, not a sum of its laps
    new = inside(after)
    return replace(
        leg,
        distance_m=sum(lap.distance_m for lap in new),
        timer_s=sum(lap.timer_s for lap in new),
    )


def _laps_within_records(activity: Activity) -> tuple[Activity, list[Correction]]:
    """A lap whose times lie wholly outside the recorded points (or that ends before it
    starts) is not part of the run."""
    track = activity.track
    first, last = track.elapsed_s[0], track.elapsed_s[-1]
    outside = [
        number
        for number, lap in enumerate(activity.laps, start=1)
        if lap.start_elapsed_s > last + ELAPSED_SLACK_S
        or lap.end_elapsed_s < first - ELAPSED_SLACK_S
        or lap.end_elapsed_s < lap.start_elapsed_s  # its points' times were moved
        or not (math.isfinite(lap.start_elapsed_s) and math.isfinite(lap.end_elapsed_s))
    ]
    if not outside:
        return activity, []
    laps = tuple(lap for n, lap in enumerate(activity.laps, start=1) if n not in outside)
    listed = ", ".join(map(str, outside))
    what = (
        f"lap {listed}: its times lie" if len(outside) == 1 else f"laps {listed}: their times lie"
    )
    correction = Correction(
        "laps_outside_records",
        f"ignored {what} outside the recorded points",
        (("laps", len(outside)),),
    )
    return replace(activity, laps=laps), [correction]


@dataclass(frozen=True)
class _Records:
    """What the records say of a stretch of the run (a lap, a leg)."""

    distance_m: float
    timer_s: float
    covered: bool  # recorded throughout (pauses aside): enough to judge a total against


def _records_between(
    activity: Activity, start_s: float, end_s: float, gaps: Sequence[int]
) -> _Records:
    """What the records say from `start_s` to `end_s` (elapsed); `gaps` are the track's long
    gaps (`_long_gaps`)."""
    track = activity.track
    elapsed = track.elapsed_s
    first = track.index_at_elapsed(start_s)
    last = max(first, bisect.bisect_right(elapsed, end_s) - 1)
    inside = gaps[bisect.bisect_right(gaps, first) : bisect.bisect_right(gaps, last)]
    spans = [(start_s, elapsed[first]), (elapsed[last], end_s)]
    spans += [(elapsed[i - 1], elapsed[i]) for i in inside]
    covered = all(b - a - _paused_between(activity, a, b) <= COVER_GAP_S for a, b in spans)
    return _Records(
        track.distance_m[last] - track.distance_m[first],
        track.timer_s[last] - track.timer_s[first],
        covered,
    )


def _long_gaps(track: Track) -> list[int]:
    """The samples that come more than `COVER_GAP_S` after the one before."""
    elapsed = track.elapsed_s
    return [i for i in range(1, len(elapsed)) if elapsed[i] - elapsed[i - 1] > COVER_GAP_S]


def _paused_between(activity: Activity, start_s: float, end_s: float) -> float:
    if end_s - start_s <= COVER_GAP_S:
        return 0.0  # the usual case: nothing to look up
    return sum(
        max(0.0, min(end_s, p.end_elapsed_s) - max(start_s, p.start_elapsed_s))
        for p in activity.pauses
    )


def _lap_totals(activity: Activity) -> tuple[Activity, list[Correction]]:
    laps = list(activity.laps)
    corrections: list[Correction] = []
    gaps = _long_gaps(activity.track)
    for k, lap in enumerate(laps):
        timer_s, distance_m, found = _believed_totals(
            stated_m=lap.distance_m,
            stated_s=lap.timer_s,
            records=_records_between(activity, lap.start_elapsed_s, lap.end_elapsed_s, gaps),
            span_s=lap.end_elapsed_s - lap.start_elapsed_s,
            what=f"lap {k + 1}",
        )
        if found:
            laps[k] = replace(lap, distance_m=distance_m, timer_s=timer_s)
            corrections += found
    if not corrections:
        return activity, []
    return replace(activity, laps=tuple(laps)), corrections


def _final_lap(activity: Activity) -> tuple[Activity, list[Correction]]:
    """Records that go on after the last lap (a lap the watch never wrote) make a final lap."""
    track = activity.track
    if not activity.laps:
        return activity, []
    end_s = max(lap.end_elapsed_s for lap in activity.laps)
    if end_s >= track.elapsed_s[-1]:
        return activity, []
    records = _records_between(activity, end_s, track.elapsed_s[-1], _long_gaps(track))
    distance_m, timer_s = records.distance_m, records.timer_s
    if timer_s < FINAL_LAP_MIN_S:
        return activity, []
    lap = Lap(end_s, track.elapsed_s[-1], distance_m, timer_s, trigger="session_end")
    correction = Correction(
        "final_lap",
        f"the records go on for {format_clock(timer_s)} ({_km(distance_m)}) after the last "
        "lap; a final lap made from them",
        (("distance_m", round(distance_m, 1)), ("timer_s", round(timer_s, 1))),
    )
    return replace(activity, laps=(*activity.laps, lap)), [correction]


def _legs_once(activity: Activity) -> tuple[Activity, list[Correction]]:
    """A session written twice (the same start and totals) counts once."""
    kept: list[Leg] = []
    for leg in sorted(activity.legs, key=lambda leg: leg.start_elapsed_s):
        if kept and _same_leg(kept[-1], leg):
            continue
        kept.append(leg)
    if len(kept) == len(activity.legs):
        return activity, []
    twice = len(activity.legs) - len(kept)
    correction = Correction(
        "sessions_twice",
        f"{_counted(twice, 'session is', 'sessions are')} written twice in the file; counted once",
        (("sessions", twice),),
    )
    return replace(activity, legs=tuple(kept)), [correction]


def _same_leg(a: Leg, b: Leg) -> bool:
    return (
        abs(a.start_elapsed_s - b.start_elapsed_s) <= 1.0
        and abs(a.distance_m - b.distance_m) <= 1.0
        and abs(a.timer_s - b.timer_s) <= 1.0
    )


def _leg_totals(activity: Activity) -> tuple[Activity, list[Correction]]:
    legs = list(activity.legs)
    corrections: list[Correction] = []
    gaps = _long_gaps(activity.track)
    for k, leg in enumerate(legs):
        timer_s, distance_m, found = _believed_totals(
            stated_m=leg.distance_m,
            stated_s=leg.timer_s,
            records=_records_between(activity, leg.start_elapsed_s, leg.end_elapsed_s, gaps),
            span_s=leg.end_elapsed_s - leg.start_elapsed_s,
            what="the session" if len(legs) == 1 else f"running leg {k + 1}",
        )
        if found:
            legs[k] = replace(leg, distance_m=distance_m, timer_s=timer_s)
            corrections += found
    if not corrections:
        return activity, []
    return replace(activity, legs=tuple(legs)), corrections


def _believed_totals(
    *,
    stated_m: float,
    stated_s: float,
    records: _Records,
    span_s: float,
    what: str,
) -> tuple[float, float, list[Correction]]:
    """(timer, distance, corrections): a total as stated unless it cannot be true or its own
    records (when they cover it) say otherwise beyond the tolerance; then the records' figure."""
    corrections = []
    timer_s, records_s, records_m = stated_s, records.timer_s, records.distance_m
    why = _timer_problem(stated_s, records_s if records.covered else None, span_s)
    if why:
        timer_s = records_s
        corrections.append(
            Correction(
                "timer_total",
                f"{what}'s timer time {why}; the records' {format_clock(records_s)} used",
                (*_finite("stated_timer_s", stated_s), ("records_timer_s", round(records_s, 1))),
            )
        )
    distance_m = stated_m
    why = _distance_problem(stated_m, records_m if records.covered else None, timer_s)
    if why:
        distance_m = records_m
        corrections.append(
            Correction(
                "distance_total",
                f"{what}'s distance {why}; the records' {_km(records_m)} used",
                (
                    *_finite("stated_distance_m", stated_m),
                    ("records_distance_m", round(records_m, 1)),
                ),
            )
        )
    return timer_s, distance_m, corrections


def _timer_problem(stated_s: float, records_s: float | None, span_s: float) -> str:
    """Why a stated timer time cannot be believed ("" when it can)."""
    if not math.isfinite(stated_s):
        return "is not a number"
    shown = f"({_clock(stated_s)})"
    if stated_s < 0:
        return f"{shown} is negative"
    if stated_s > span_s + ELAPSED_SLACK_S:
        return f"{shown} is longer than its elapsed time ({format_clock(span_s)})"
    if records_s is not None and abs(stated_s - records_s) > max(
        TOTAL_TIMER_SLACK_S, TOTAL_TIMER_SHARE * records_s
    ):
        return f"{shown} disagrees with its records"
    return ""


def _distance_problem(stated_m: float, records_m: float | None, timer_s: float) -> str:
    """Why a stated distance cannot be believed ("" when it can)."""
    if not math.isfinite(stated_m):
        return "is not a number"
    shown = f"({_km(stated_m)})"
    if stated_m < 0:
        return f"{shown} is negative"
    if stated_m > MAX_SPEED_MPS * timer_s + NOISE_M:
        return f"{shown} is more than a runner can cover in its time"
    if records_m is not None and abs(stated_m - records_m) > max(
        TOTAL_DISTANCE_SLACK_M, TOTAL_DISTANCE_SHARE * records_m
    ):
        return f"{shown} disagrees with its records"
    return ""


def _finite(name: str, value: float) -> tuple[tuple[str, float], ...]:
    return ((name, round(value, 1)),) if math.isfinite(value) and abs(value) < 1e15 else ()


def _km(distance_m: float) -> str:
    if math.isnan(distance_m):
        return "not a number"
    if math.isinf(distance_m):
        return "an endless distance"
    if abs(distance_m) >= 1e9:
        return f"{distance_m:.3g} m"
    return f"{distance_m / 1000:,.2f} km"


def _clock(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "not a number"
    if abs(seconds) >= 1e9:
        return f"{seconds:.3g} s"
    return ("-" if seconds < 0 else "") + format_clock(abs(seconds))


# -- the run as a whole ----------------------------------------------------------------------


def _humanly_possible(activity: Activity) -> tuple[Activity, list[Correction]]:
    """A run faster than the world record over its distance was not run on foot."""
    distance_m, timer_s = activity.distance_m, activity.timer_s
    record_s = world_record_s(distance_m)
    if record_s is not None and timer_s < record_s:
        raise _refuse(
            activity,
            f"{_km(distance_m)} in {format_clock(timer_s)} is faster than the world record "
            f"over that distance ({format_clock(record_s)}), so it was not run on foot",
            hint="pacefit scores runs; a ride or a drive recorded as a run cannot be scored",
        )
    return activity, []


CHECKS: tuple[Check, ...] = (
    _times_present,
    _clock_runs,
    _samples_once,
    _readings_in_range,
    _gps_fixes,
    _recorded_distance,
    _sustained_speed,
    _pauses_still,
    _laps_once,
    _laps_within_records,
    _lap_totals,
    _final_lap,
    _legs_once,
    _leg_totals,
    _humanly_possible,
)
