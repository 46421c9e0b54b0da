"""Heart rate, cadence, climbing and zones: the watch's own totals are the referee."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import pytest

from pacefit.core.activity import Track
from pacefit.core.figures import run_figures, span_figures, span_totals, time_in_zones
from pacefit.core.paces import Athlete
from pacefit.formats import read_activity
from pacefit.jobs.analyze import analyze_file

from .helpers import REAL, shared_fixture

# runs whose watch kept a session total of ascent and heart rate (the 42,709-record run agrees
# too, within 2 %, but fitparse takes seven seconds over it)
SESSION_TOTALS = [
    "real/fit-parser-garmin-stamina.fit",
    "real/fit-parser-running-with-developer-data.fit",
    "real/connectstats-track_cs_834323.fit",
]


def watch_session(path: Path) -> dict[str, float]:
    """The session's totals as the watch wrote them, read by fitparse (not pacefit's reader)."""
    import fitparse

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fitparse warns about fields newer than its profile
        (session,) = list(fitparse.FitFile(str(path)).get_messages("session"))
        return {
            name: session.get_value(name)
            for name in ("total_ascent", "avg_heart_rate", "max_heart_rate")
        }


def test_a_watch_total_of_climb_beyond_its_own_file_is_not_reached_for() -> None:
    """The Forerunner 610 run the README names: its total ascent is more than every rise of the
    altitude it recorded, so it was summed from readings the file does not hold."""
    path = shared_fixture("real/connectstats-activity_234979239.fit")
    track = read_activity(path).track
    watch = watch_session(path)
    altitude = [a for a in track.altitude_m if a is not None]
    naive_m = sum(max(0.0, b - a) for a, b in itertools.pairwise(altitude))
    assert (round(naive_m), watch["total_ascent"]) == (241, 288)
    figures = run_figures(track, span_totals(track))
    assert figures.elevation_gain_m is not None and round(figures.elevation_gain_m) == 158


@pytest.mark.parametrize("relative", SESSION_TOTALS)
def test_heart_rate_and_climb_agree_with_the_watchs_own_totals(relative: str) -> None:
    path = shared_fixture(relative)
    track = read_activity(path).track
    watch = watch_session(path)
    figures = run_figures(track, span_totals(track))
    assert figures.avg_hr_bpm == pytest.approx(watch["avg_heart_rate"], abs=1)
    assert figures.max_hr_bpm == watch["max_heart_rate"]
    assert figures.elevation_gain_m == pytest.approx(watch["total_ascent"], rel=0.3)
    # summing every rise of the raw altitude would have been far off
    altitude = [a for a in track.altitude_m if a is not None]
    naive_m = sum(max(0.0, b - a) for a, b in itertools.pairwise(altitude))
    assert naive_m > 2 * watch["total_ascent"]


def test_the_steps_climb_adds_up_to_the_runs() -> None:
    path = shared_fixture("real/fit-parser-garmin-stamina.fit")
    analysis = analyze_file(
        path, workout_path=REAL / "workouts" / "fit-parser-garmin-stamina.yaml", athlete=None
    )
    gains = [s.figures.elevation_gain_m for s in analysis.steps]
    assert sum(g or 0.0 for g in gains) == pytest.approx(analysis.figures.elevation_gain_m, abs=1)
    # the laps carry their heart rate: the reps' laps are the hard ones
    by_step = {lap.steps: lap for lap in analysis.laps}
    rep, jog = by_step[(2,)], by_step[(3,)]
    assert rep.figures.avg_hr_bpm is not None and jog.figures.avg_hr_bpm is not None
    assert rep.figures.avg_hr_bpm > jog.figures.avg_hr_bpm + 30
    assert len(analysis.laps) == 12


def _track(heart_rate: list[int | None], *, paused_after: int | None = None) -> Track:
    timer = [float(i) for i in range(len(heart_rate))]
    if paused_after is not None:  # the timer stands still for the rest
        timer = [min(t, float(paused_after)) for t in timer]
    return Track(
        elapsed_s=tuple(float(i) for i in range(len(heart_rate))),
        timer_s=tuple(timer),
        distance_m=tuple(3.0 * i for i in range(len(heart_rate))),
        speed_mps=(3.0,) * len(heart_rate),
        heart_rate_bpm=tuple(heart_rate),
    )


ZONES = ((100, 120), (120, 140), (140, 160), (160, 180), (180, 200))


def test_time_in_zones_counts_timer_seconds_in_the_zone_of_their_heart_rate() -> None:
    track = _track([90] * 11 + [150] * 30 + [185] * 20 + [None] * 10 + [130] * 30, paused_after=90)
    zones = time_in_zones(track, ZONES)
    assert [(z.zone, z.time_s) for z in zones] == [
        (0, 10.0),
        (1, 0.0),
        (2, 20.0),  # 30 s at 130 bpm, the last 10 while paused
        (3, 30.0),
        (4, 0.0),
        (5, 20.0),
    ]
    assert time_in_zones(track, ()) == ()
    # a heart-rate column with no reading in it (a strap never paired) is no time in any zone
    assert time_in_zones(_track([None] * 120), ZONES) == ()


def test_averages_leave_out_paused_time_and_missing_values() -> None:
    track = _track([100] * 11 + [None] * 10 + [160] * 10 + [200] * 10, paused_after=30)
    figures = span_figures(track, span_totals(track), 0, track.last)
    assert figures.avg_hr_bpm == pytest.approx((10 * 100 + 10 * 160) / 20)
    assert figures.max_hr_bpm == 200  # seen, though the timer stood still
    assert figures.avg_cadence_spm is None and figures.elevation_gain_m is None


def test_zones_come_from_the_athlete_file_or_max_hr() -> None:
    assert Athlete().hr_zones() == ()
    assert Athlete(max_hr_bpm=200).hr_zones()[0] == (100, 120)
    assert Athlete(hr_zones_bpm=ZONES).hr_zones() == ZONES


def test_the_report_and_json_say_what_the_watch_recorded(tmp_path: Path) -> None:
    import json

    from .helpers import run_cli, write_athlete

    path = shared_fixture("real/fit-parser-garmin-stamina.fit")
    athlete = write_athlete(tmp_path, "races:\n  10k: '40:00'\nmax_hr: 195\n")
    args = ["analyze", path, "--workout", REAL / "workouts" / "fit-parser-garmin-stamina.yaml"]
    lines = run_cli(*args, "--athlete", athlete).stdout.splitlines()
    assert lines[2] == "heart rate 143 avg, 199 max bpm; cadence 146 spm; climb +54 m -53 m"
    assert lines[3].startswith("time in zones: below Z1 0:32  Z1 13:32  Z2 ")
    data = json.loads(run_cli(*args, "--athlete", athlete, "--json").stdout)
    assert [zone["zone"] for zone in data["hr_zones"]] == [0, 1, 2, 3, 4, 5]
    assert data["hr_zones"][1] == {"zone": 1, "low_bpm": 98, "high_bpm": 117, "time_s": 812.0}
    assert sum(zone["time_s"] for zone in data["hr_zones"]) == pytest.approx(4488, abs=2)
    assert [lap["steps"] for lap in data["laps"]][-1] == [11, 12]
    assert data["steps"][1]["max_hr_bpm"] == 198
