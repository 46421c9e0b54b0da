"""The GPX reader: tracks from any app, whatever they leave out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pacefit.errors import ActivityError, PacefitWarning
from pacefit.formats import read_activity

from .helpers import RUNS

HEADER = (
    '<?xml version="1.0"?>\n<gpx version="1.1" creator="test" '
    'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>\n'
)


def gpx(tmp_path: Path, points: list[str]) -> Path:
    path = tmp_path / "run.gpx"
    path.write_text(HEADER + "\n".join(points) + "\n</trkseg></trk></gpx>\n")
    return path


def point(seconds: int, *, lat: float | None = 46.0, offset: str = "Z") -> str:
    where = "" if lat is None else f' lat="{lat + seconds * 0.00003:.6f}" lon="14.5"'
    time = (dt.datetime(2026, 5, 1, 7, 0) + dt.timedelta(seconds=seconds)).isoformat()
    return f"<trkpt{where}><time>{time}{offset}</time></trkpt>"


def test_points_without_a_position_are_left_out_with_a_warning(tmp_path: Path) -> None:
    path = gpx(tmp_path, [point(0, lat=None), *(point(s) for s in range(1, 120))])
    with pytest.warns(PacefitWarning) as caught:
        activity = read_activity(path)
    (warning,) = [w.message for w in caught]
    assert str(warning) == (
        f"{path}: 1 track point(s) without a position left out (the first on line 3)"
    )
    assert len(activity.track) == 119
    assert activity.distance_m == pytest.approx(118 * 3.336, rel=0.01)


def test_times_keep_their_offset(tmp_path: Path) -> None:
    path = gpx(tmp_path, [point(s, offset="+02:00") for s in range(0, 120)])
    activity = read_activity(path)
    assert activity.start_time == dt.datetime(2026, 5, 1, 5, 0, tzinfo=dt.UTC)
    assert activity.utc_offset_s == 2 * 3600
    assert activity.local_date == dt.date(2026, 5, 1)


def test_a_gpx_has_no_speed_field_so_pace_comes_from_distance() -> None:
    activity = read_activity(RUNS / "intervals-800-no-laps.gpx")
    assert set(activity.track.speed_mps) == {None}
    assert activity.distance_source == "positions"


def test_a_track_without_times_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "no-times.gpx"
    path.write_text(
        HEADER + '<trkpt lat="46" lon="14"/><trkpt lat="46.1" lon="14"/></trkseg></trk></gpx>'
    )
    with pytest.raises(ActivityError) as caught:
        read_activity(path)
    assert str(caught.value) == f"{path}: the GPX track has no times, so pace cannot be known"


def test_a_track_without_altitude_keeps_the_column_empty() -> None:
    """The simulated 800s carry positions but no altitude: an empty column, not 3,826 Nones."""
    track = read_activity(RUNS / "intervals-800-no-laps.gpx").track
    assert track.altitude_m == ()
    assert len(track.latitude_deg) == len(track)
