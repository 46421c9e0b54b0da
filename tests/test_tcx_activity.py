"""The TCX reader: the same run as its FIT twin, pauses found from the laps' own totals."""

from __future__ import annotations

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
    assert str(caught.value).startswith(f"{path}: cannot read the TCX file: ")
    assert "\n" not in str(caught.value)
