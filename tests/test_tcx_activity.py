"""The TCX reader: the same run as its FIT twin, pauses found from the laps' own totals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pacefit.errors import ActivityError
from pacefit.formats import read_activity

from .helpers import shared_fixture


def test_pauses_are_the_stationary_gaps_that_account_for_each_lap() -> None:
    """The Forerunner 610's TCX keeps no timer events: its 26-272 s stops in traffic are gaps
    between points. Found from each lap's span less its TotalTimeSeconds, they give the FIT's
    timer time."""
    tcx = read_activity(shared_fixture("real/connectstats-activity_234979239.tcx"))
    fit = read_activity(shared_fixture("real/connectstats-activity_234979239.fit"))
    assert tcx.timer_s == pytest.approx(2857.2, abs=0.1)  # the laps' totals
    assert tcx.track.timer_s[-1] == pytest.approx(fit.track.timer_s[-1], abs=15)
    assert len(tcx.pauses) >= 9
    assert [lap.trigger for lap in tcx.laps] == ["manual"] * 6  # the TCX says so
    assert [lap.trigger for lap in fit.laps] == ["distance"] * 5 + ["session_end"]
    assert [round(lap.distance_m, 1) for lap in tcx.laps] == [
        round(lap.distance_m, 1) for lap in fit.laps
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("real/connectstats-activity_234721416.tcx", "this is a ride, not a run"),
        ("real/connectstats-activity_217470507.tcx", "this is not a run: its sport is 'Other'"),
    ],
)
def test_other_sports_are_refused_in_one_line(name: str, message: str) -> None:
    path = shared_fixture(name)
    with pytest.raises(ActivityError) as caught:
        read_activity(path)
    assert str(caught.value) == f"{path}: {message}"


def test_broken_xml_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.tcx"
    path.write_text("<TrainingCenterDatabase><Activities>")
    with pytest.raises(ActivityError) as caught:
        read_activity(path)
    assert str(caught.value) == (
        f"{path}:1:37: the TCX file ends before its XML is complete: it is cut short"
    )


# -- files as other programs write them ------------------------------------------------------

STEADY = "real/connectstats-activity_234979239.tcx"


@pytest.mark.parametrize("prefix", [b"\n  ", b"\xef\xbb\xbf", b" \xef\xbb\xbf\n"])
def test_white_space_or_a_bom_before_the_xml_declaration_is_read(
    prefix: bytes, tmp_path: Path
) -> None:
    """Once `XML declaration allowed only at the start of the document, line 2, column 8`."""
    clean = shared_fixture(STEADY)
    path = tmp_path / "run.tcx"
    path.write_bytes(prefix + clean.read_bytes())
    assert read_activity(path).track == read_activity(clean).track


def test_an_undeclared_namespace_prefix_is_read_by_local_name(tmp_path: Path) -> None:
    """The ActivityExtension written with an `ns3:` prefix the file never declares: its speeds
    and cadences are still read."""
    clean = shared_fixture(STEADY)
    text = re.sub(r'\s+xmlns:ns3="[^"]*"', "", clean.read_text())
    text = re.sub(r'<TPX xmlns="[^"]*">', "<ns3:TPX>", text).replace("</TPX>", "</ns3:TPX>")
    text = re.sub(r"<(/?)(Speed|RunCadence)>", r"<\1ns3:\2>", text)
    path = tmp_path / "run.tcx"
    path.write_text(text)
    assert "<ns3:Speed>" in text and "xmlns:ns3" not in text
    damaged, whole = read_activity(path).track, read_activity(clean).track
    assert damaged.speed_mps == whole.speed_mps
    assert damaged.cadence_spm == whole.cadence_spm
    assert any(speed is not None for speed in damaged.speed_mps)
