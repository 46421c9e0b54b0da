"""The run page: what it shows, checked on the context and the HTML, and in a real browser
where behaviour needs one (hover, zoom, the drawn axis)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pacefit.core.paces import Athlete
from pacefit.core.score import Analysis
from pacefit.core.units import DistanceUnit
from pacefit.errors import PacefitWarning
from pacefit.formats import read_activity
from pacefit.jobs.analyze import analyze_file, analyze_run
from pacefit.jobs.log import open_run
from pacefit.reports.run_page import render_run_page, run_page
from pacefit.reports.series import MAX_POINTS, run_series

from .browser import open_page
from .helpers import REAL, RUNS, run_cli, shared_fixture

STAMINA_WORKOUT = REAL / "workouts" / "fit-parser-garmin-stamina.yaml"


@pytest.fixture(scope="module")
def stamina() -> Analysis:
    path = shared_fixture("real/fit-parser-garmin-stamina.fit")
    return analyze_file(path, workout_path=STAMINA_WORKOUT, athlete=Athlete(max_hr_bpm=195))


@pytest.fixture(scope="module")
def stamina_page(stamina: Analysis, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pages") / "stamina.html"
    path.write_text(render_run_page(stamina))
    return path


def test_the_page_holds_every_figure_of_the_run(stamina: Analysis) -> None:
    page = run_page(stamina)
    assert [row.label for row in page.steps][:3] == [
        "warmup 20min",
        "run 3min 1/5",
        "recover 5min 1/5",
    ]
    rep = page.steps[1]
    assert (rep.planned, rep.planned_estimate) == ("3min", "0.80km")  # 3 min at 3:46/km
    assert rep.figures.avg_hr_bpm == pytest.approx(181, abs=1) and rep.figures.max_hr_bpm == 198
    assert len(page.laps) == 12 and page.laps[-1].steps == (11, 12)
    assert [bar.zone.zone for bar in page.zones] == [0, 1, 2, 3, 4, 5]
    assert sum(bar.share_pct for bar in page.zones) == pytest.approx(100)
    assert [bar.number for bar in page.reps] == [2, 4, 6, 8, 10]
    # the rep bars: faster to the right, the band between its edges
    slow_rep = page.reps[-1]  # 4:03 against 3:40-3:52
    assert slow_rep.pace_pct is not None and slow_rep.pace_pct < slow_rep.band_from_pct
    assert page.route is not None and len(page.route.stretches) >= 12
    assert page.route.tiles == ()


def test_the_pace_axis_holds_every_steps_pace_and_marks_what_lies_beyond(
    stamina: Analysis,
) -> None:
    series = run_series(stamina)
    slow_end, fast_end = series.speed_axis_mps
    for step in stamina.steps:
        assert step.avg_pace_s_per_km is not None
        assert slow_end < 1000 / step.avg_pace_s_per_km < fast_end  # the 16:06 jog too
    drawn = [s for s in series.speed_mps if s is not None]
    assert all(slow_end <= s <= fast_end for s in drawn)
    marked = [s for s in series.outlier_mps if s is not None]
    raw = [s for s in series.raw_speed_mps if s is not None and not slow_end <= s <= fast_end]
    assert len(marked) == len(raw) > 0  # every speed beyond the axis is marked, none hidden


def test_a_long_run_is_thinned_for_drawing_keeping_its_extremes() -> None:
    path = shared_fixture("real/fit-benchmarks-large.fit")
    activity = read_activity(path)
    analysis = (
        analyze_run(activity, None)
        if activity.workout
        else analyze_file(
            path, workout_path=REAL / "workouts" / "fit-benchmarks-large.yaml", athlete=None
        )
    )
    series = run_series(analysis)
    assert len(series.index) <= MAX_POINTS + 400
    heart_rate = [h for h in activity.track.heart_rate_bpm if h is not None]
    drawn = [h for h in series.heart_rate_bpm or () if h is not None]
    assert (min(drawn), max(drawn)) == (min(heart_rate), max(heart_rate))
    html = render_run_page(analysis)
    assert len(html.encode()) < 1_500_000


def test_a_sparse_recording_has_its_pace_drawn() -> None:
    """A phone app writing a point every 11 s or more: no neighbour within the usual window,
    yet the pace is drawn, near the run's average."""
    with pytest.warns(PacefitWarning, match="without a time"):  # 358 of its points
        activity = read_activity(shared_fixture("gpx/korita-zbevnica.gpx"))
    series = run_series(analyze_run(activity, open_run(activity)))
    drawn = sorted(v for v in series.raw_speed_mps if v is not None)
    assert len(drawn) > 0.85 * len(series.index)  # the rest: paused or standing
    average_mps = activity.distance_m / activity.timer_s
    assert drawn[len(drawn) // 2] == pytest.approx(average_mps, rel=0.3)


def test_names_from_a_file_are_escaped(stamina: Analysis) -> None:
    from dataclasses import replace

    hostile = replace(stamina, workout=replace(stamina.workout, name="<script>alert(1)</script>"))
    html = render_run_page(hostile)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_map_tiles_only_when_a_tile_server_is_given(tmp_path: Path) -> None:
    run = RUNS / "intervals-800-watch.fit"
    page = tmp_path / "run.html"
    assert run_cli("analyze", run, "--html", page).exit_code == 0
    assert "<image" not in page.read_text()
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    result = run_cli("analyze", run, "--html", page, env={"PACEFIT_TILE_URL": url})
    assert result.exit_code == 0
    hrefs = re.findall(r'<image href="([^"]+)"', page.read_text())
    assert hrefs and all(
        re.fullmatch(r"https://tiles\.example\.org/\d+/\d+/\d+\.png", h) for h in hrefs
    )
    assert "map tiles from tiles.example.org" in page.read_text()


def test_the_page_speaks_the_runners_unit(stamina: Analysis) -> None:
    page = run_page(stamina, unit=DistanceUnit.MILE)
    html = render_run_page(stamina, unit=DistanceUnit.MILE)
    assert page.steps[1].planned_estimate == "0.49mi"  # 797 m
    assert "pace /mi" in html and "climb ft" in html
    assert page.chart["unit"] == "mi" and page.chart["elevation_unit"] == "ft"
    assert page.route is not None and page.route.scale_bar.endswith(" mi")
    assert re.search(r">\d+(\.\d+)? mi</text>", html)
    # the rep bars read aloud: the rep's pace against its band, in the runner's unit
    labels = re.findall(r'role="img" aria-label="(run [^"]+)"', html)
    assert labels and all(
        re.fullmatch(r".+: \d+:\d\d against \d+:\d\d-\d+:\d\d", label) for label in labels
    ), labels


# -- in a browser ---------------------------------------------------------------------------


def test_the_stamina_page_shows_heart_rate_elevation_the_route_and_12_laps(
    browser: Any, stamina_page: Path
) -> None:
    page, errors, requests = open_page(browser, stamina_page.as_uri())
    assert errors == []
    assert requests == [stamina_page.as_uri()]  # nothing from the network
    for series in ("pace", "hr", "elevation", "cadence"):
        assert page.locator(f".chart[data-series={series}] canvas").first.is_visible()
    assert page.locator("#route polyline").count() >= 12
    assert page.locator("#route").bounding_box()["width"] > 200
    assert page.locator("#laps tbody tr").count() == 12
    page.close()


def test_hovering_over_the_fifth_rep_shows_its_pace_and_heart_rate(
    browser: Any, stamina_page: Path, stamina: Analysis
) -> None:
    page, errors, _ = open_page(browser, stamina_page.as_uri())
    fifth = next(s for s in stamina.steps if s.number == 10)  # run 3min 5/5, 4:03/km
    assert fifth.start_elapsed_s is not None and fifth.end_elapsed_s is not None
    middle_s = (fifth.start_elapsed_s + fifth.end_elapsed_s) / 2
    x, y = page.evaluate(
        """(t) => { const u = pacefitRun.charts()[0], box = u.over.getBoundingClientRect();
                    return [box.left + u.valToPos(t, 'x'), box.top + box.height / 2]; }""",
        middle_s,
    )
    page.mouse.move(x, y)
    readout = page.locator("#readout").inner_text()
    assert "run 3min 5/5" in readout
    pace = re.search(r"pace\s+(\d+):(\d\d)/km", readout)
    assert pace is not None
    assert int(pace[1]) * 60 + int(pace[2]) == pytest.approx(fifth.avg_pace_s_per_km, abs=20)
    shown = re.search(r"time\s+(\d+):(\d\d)", readout)
    heart = re.search(r"heart rate\s+(\d+) bpm", readout)
    assert shown is not None and heart is not None
    track = stamina.activity.track
    at = track.index_at_elapsed(int(shown[1]) * 60 + int(shown[2]))
    window = track.heart_rate_bpm[at - 1 : at + 2]  # the readout's second, to the second
    assert int(heart[1]) in window
    assert errors == []
    page.close()


def test_no_pace_point_lies_outside_the_drawn_axis_and_a_step_zooms_in(
    browser: Any, stamina_page: Path
) -> None:
    page, errors, _ = open_page(browser, stamina_page.as_uri())
    outside, marked = page.evaluate(
        """() => { const u = pacefitRun.charts()[0], s = u.scales.y;
                   const outside = v => v != null && (v < s.min || v > s.max);
                   const out = [1, 2].flatMap(k => u.data[k].filter(outside));
                   return [out.length, u.data[2].filter(v => v != null).length]; }"""
    )
    assert outside == 0 and marked > 0
    page.locator('#steps tr[data-zoom-step="10"]').click()
    spans = page.evaluate("pacefitRun.charts().map(u => [u.scales.x.min, u.scales.x.max])")
    step = page.evaluate("pacefitRun.data.steps.find(s => s.number === 10)")
    for low, high in spans:  # every chart zoomed to the rep, with a margin
        assert low < step["start_s"] < step["end_s"] < high
        assert high - low < 2 * (step["end_s"] - step["start_s"])
    assert errors == []
    page.close()


def test_the_page_reflows_on_a_phone(browser: Any, stamina_page: Path) -> None:
    page, errors, _ = open_page(browser, stamina_page.as_uri(), width=400)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    assert page.locator(".chart canvas").first.bounding_box()["width"] <= 400
    assert errors == []
    page.close()
