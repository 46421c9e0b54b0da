"""The GPX reader: tracks from any app, whatever they leave out."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import pytest

from pacefit.core.activity import Activity
from pacefit.errors import ActivityError, PacefitWarning
from pacefit.formats import read_activity

from .helpers import RUNS, shared_fixture

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


def test_a_track_whose_time_goes_back_is_refused_not_counted_twice(tmp_path: Path) -> None:
    """The second half of a run stamped two hours earlier: put in time order, the two halves
    and the way between them would read as a run twice as long."""
    halves = [point(s) for s in range(0, 600)] + [point(s - 7200) for s in range(600, 1200)]
    path = gpx(tmp_path, halves)
    with pytest.raises(ActivityError) as caught:
        read_activity(path)
    assert caught.value.headline == (
        f"{path}: the track's time goes back 1:59:59 at the point on line 603: its points are "
        "not in the order they were recorded, so its distance and pace cannot be known"
    )


def test_points_a_few_seconds_out_of_order_and_segments_newest_first_are_read(
    tmp_path: Path,
) -> None:
    jitter = [point(s) for s in range(0, 300)]
    jitter[100], jitter[101] = jitter[101], jitter[100]
    later, earlier = [point(s) for s in range(400, 700)], [point(s) for s in range(0, 300)]
    # an exporter's newest first, a two-minute stop included: every step goes back
    newest_first = [point(s) for s in (*range(0, 300), *range(420, 700))][::-1]
    for points in (jitter, [*later, "</trkseg><trkseg>", *earlier], newest_first):
        activity = read_activity(gpx(tmp_path, points))
        assert list(activity.track.elapsed_s) == sorted(activity.track.elapsed_s)
        assert activity.start_time == dt.datetime(2026, 5, 1, 7, 0, tzinfo=dt.UTC)


def test_a_track_without_altitude_keeps_the_column_empty() -> None:
    """The simulated 800s carry positions but no altitude: an empty column, not 3,826 Nones."""
    track = read_activity(RUNS / "intervals-800-no-laps.gpx").track
    assert track.altitude_m == ()
    assert len(track.latitude_deg) == len(track)


# -- files as other programs write them ------------------------------------------------------


def _korita() -> Path:
    return shared_fixture("gpx/korita-zbevnica.gpx")


def _read_quietly(path: Path) -> Activity:
    """The run, with the real track's own note (358 points without a time) taken as read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PacefitWarning)
        return read_activity(path)


@pytest.mark.parametrize(
    "prefix", [b"\n  ", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n", b"\t\n\xef\xbb\xbf"]
)
def test_white_space_or_a_bom_before_the_xml_declaration_is_read(
    prefix: bytes, tmp_path: Path
) -> None:
    """Once `XML declaration allowed only at the start of the document`."""
    clean = _korita()
    path = tmp_path / "run.gpx"
    path.write_bytes(prefix + clean.read_bytes())
    assert _read_quietly(path).track == _read_quietly(clean).track


def test_an_undeclared_namespace_prefix_is_read_by_local_name(tmp_path: Path) -> None:
    """Once `Namespace prefix gpxdata on cadence is not defined`: Cluetrust's gpxdata
    extension, its namespace never declared."""
    text = _korita().read_text()
    text = re.sub(
        r"</time>",
        "</time><extensions><gpxdata:hr>150</gpxdata:hr><gpxdata:cadence>85</gpxdata:cadence>"
        "</extensions>",
        text,
    )
    path = tmp_path / "run.gpx"
    path.write_text(text)
    track = _read_quietly(path).track
    assert set(track.heart_rate_bpm) == {150}
    assert set(track.cadence_spm) == {170}  # strides per minute, as runners count steps


def test_a_heart_rate_that_is_not_a_number_is_missing(tmp_path: Path) -> None:
    path = gpx(tmp_path, [point(s) for s in range(0, 120)])
    text = path.read_text().replace(
        "</time>",
        "</time><extensions><gpxtpx:TrackPointExtension xmlns:gpxtpx='x'><gpxtpx:hr>inf"
        "</gpxtpx:hr><gpxtpx:cad>NaN</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>",
    )
    path.write_text(text)
    track = read_activity(path).track
    assert track.heart_rate_bpm == () and track.cadence_spm == ()  # no value: no column


@pytest.mark.parametrize("prefix", ["", "\n\n  "])
def test_a_cut_gpx_is_refused_at_its_line_and_column(prefix: str, tmp_path: Path) -> None:
    """The line counts from the file's start, white space before the declaration included."""
    text = prefix + _korita().read_text()
    path = tmp_path / "cut.gpx"
    cut = text[: text.index("<trkpt", 20_000) + 10]  # inside a point's first attribute
    path.write_text(cut)
    with pytest.raises(ActivityError) as caught:
        read_activity(path)
    assert str(caught.value) == (
        f"{path}:{cut.count(chr(10)) + 1}:11: the GPX file ends before its XML is complete: it "
        "is cut short"
    )


LAUGHS = "".join(
    f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
HEADER_WITH = (
    '<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa">{}]>\n<gpx version="1.1" '
    'creator="{}" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>\n'
)


def test_a_billion_laughs_is_refused_without_expanding_them(tmp_path: Path) -> None:
    path = tmp_path / "bomb.gpx"
    points = "\n".join(point(s) for s in range(0, 120))
    path.write_text(HEADER_WITH.format(LAUGHS, "&i;") + points + "\n</trkseg></trk></gpx>\n")
    with pytest.raises(ActivityError) as caught:
        read_activity(path)
    assert str(caught.value) == (
        f"{path}:3:32: the GPX file defines entities here that expand without end (an XML bomb)"
    )


def test_an_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the password")
    points = [point(s) for s in range(0, 120)]
    points[5] = points[5].replace("</time>", "</time><name>&secret;</name>")
    path = tmp_path / "xxe.gpx"
    declaration = f'<!ENTITY secret SYSTEM "file://{secret}">'
    path.write_text(
        HEADER_WITH.format(declaration, "x") + "\n".join(points) + "\n</trkseg></trk></gpx>\n"
    )
    activity = read_activity(path)
    assert len(activity.track) == 120
    assert "password" not in repr(activity)
