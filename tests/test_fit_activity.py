"""The FIT activity reader: what a run is made of, from real watches' files."""

from __future__ import annotations

import datetime as dt

import pytest

from pacefit.core.activity import Activity, Track
from pacefit.formats import read_activity

from .helpers import shared_fixture


def test_a_multisport_file_gives_only_its_running_legs() -> None:
    """A Fenix 2 duathlon: two runs, transitions and a ride. Each running leg keeps its own
    distance and timer; the ride's kilometres do not count, and the pause between the legs is
    taken out once."""
    activity = read_activity(shared_fixture("fit/activities/activity-large-fenxi2-multisport.fit"))
    assert [(round(leg.distance_m, 1), round(leg.timer_s, 1)) for leg in activity.legs] == [
        (2245.2, 2294.8),
        (12740.4, 6764.5),
    ]
    assert activity.distance_m == pytest.approx(14985.6, abs=0.1)
    assert activity.timer_s == pytest.approx(9059.3, abs=0.1)
    # the track agrees with the watch's totals: distance continues from leg to leg
    assert activity.track.distance_m[-1] == pytest.approx(activity.distance_m, abs=5)
    assert activity.track.timer_s[-1] == pytest.approx(activity.timer_s, abs=5)
    assert activity.track.distance_m == tuple(sorted(activity.track.distance_m))


def test_the_run_day_is_the_local_day() -> None:
    late = Activity(
        source="x.fit",
        file_format="fit",
        start_time=dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC),
        track=Track((0.0,), (0.0,), (0.0,), (None,)),
        utc_offset_s=2 * 3600,
    )
    assert late.local_date == dt.date(2026, 11, 21)
    fenix5 = read_activity(shared_fixture("fit/activities/garmin-fenix-5-run.fit"))
    assert fenix5.utc_offset_s == -7 * 3600  # recorded in California, summer time


def test_device_names_come_from_the_fit_profile() -> None:
    run = read_activity(shared_fixture("real/fit-parser-garmin-stamina.fit"))
    assert run.device == "garmin fr965"
    assert run.decoder == "pacefit"


def test_a_watch_whose_clock_was_not_set_has_no_date() -> None:
    """A Garmin Swim that never had its clock set writes seconds since power-on."""
    from pacefit.errors import ActivityError

    with pytest.raises(ActivityError) as caught:
        read_activity(shared_fixture("real/connectstats-activity_217470507.fit"))
    assert str(caught.value).endswith("this is a swim, not a run")


def test_the_track_keeps_altitude_and_positions_where_the_watch_recorded_them() -> None:
    """The Forerunner 965 recorded altitude and GPS in all 4,488 records; the course is on the
    coast near sea level (59-72 m) at about 35.4 N."""
    track = read_activity(shared_fixture("real/fit-parser-garmin-stamina.fit")).track
    assert len(track.altitude_m) == len(track.latitude_deg) == len(track) == 4488
    altitudes = [a for a in track.altitude_m if a is not None]
    assert min(altitudes) == pytest.approx(59.4, abs=0.1)
    assert max(altitudes) == pytest.approx(72.0, abs=0.1)
    assert all(35.3 < lat < 35.5 for lat in track.latitude_deg if lat is not None)
