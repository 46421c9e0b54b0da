"""The block page of a simulated 8-week block: a runner who ran most sessions (GPX with heart
rate, as a phone or an older watch exports), got faster at the 800s, missed one session, ran one
a day late and went for a run the plan did not have."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from pacefit.core.plan import ScheduledSession
from pacefit.core.workout import unroll
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.build import plan_schedule
from pacefit.simulate import Script, StepRun, simulate, to_gpx_text

from .browser import open_page
from .helpers import ATHLETE_FILE, PLANS, WORKOUTS, run_cli

ATHLETE = load_athlete(ATHLETE_FILE)
PLAN = PLANS / "10k-8wk"
RACE_DAY = dt.date(2026, 11, 22)
MISSED = ("W03", "thu")
LATE = ("W05", "tue")


def _label(session: ScheduledSession) -> tuple[str, str]:
    return (f"W{session.week:02d}", session.day)


def _script(session: ScheduledSession, seed: int) -> Script:
    spec = session.spec
    workout = load_workout(
        spec.workout_path, athlete=ATHLETE, level=spec.level, overrides=spec.overrides
    )
    steps = {}
    for number, executed in enumerate(unroll(workout), start=1):
        target = executed.step.target
        if "intervals-800" in spec.workout_path.name and executed.step.intensity.value == "active":
            # 8 s/km slow in week 1, getting 2 s/km faster each week
            assert target is not None
            steps[number] = StepRun(pace_s_per_km=target.middle_s_per_km + 10 - 2 * session.week)  # type: ignore[union-attr]
    day = session.date + dt.timedelta(days=1 if _label(session) == LATE else 0)
    start = dt.datetime.combine(day, dt.time(7, 0), tzinfo=dt.UTC)
    return Script(workout=workout, steps=steps, seed=seed, start_time=start)


@pytest.fixture(scope="module")
def block_files(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, list[ScheduledSession]]:
    runs = tmp_path_factory.mktemp("runs")
    sessions = list(
        plan_schedule(PLAN, race_date=RACE_DAY, athlete=ATHLETE, level="beginner").schedule.sessions
    )
    for number, session in enumerate(sessions):
        if _label(session) == MISSED:
            continue
        name = f"{session.date}-{session.spec.workout_path.stem}.gpx"
        gpx = to_gpx_text(simulate(_script(session, number)), with_heart_rate=True, every=5)
        (runs / name).write_text(gpx)
    # an easy run the plan does not have, on the Saturday of week 2
    saturday = sessions[0].date + dt.timedelta(days=11)
    easy = load_workout(WORKOUTS / "easy" / "easy-run.yaml", athlete=ATHLETE)
    start = dt.datetime.combine(saturday, dt.time(9, 0), tzinfo=dt.UTC)
    unplanned = to_gpx_text(
        simulate(Script(workout=easy, start_time=start)), with_heart_rate=True, every=5
    )
    (runs / "saturday-jog.gpx").write_text(unplanned)
    out = tmp_path_factory.mktemp("pages") / "review.html"
    result = run_cli(
        "review", PLAN, runs, "--race-date", RACE_DAY, "--athlete", ATHLETE_FILE,
        "--level", "beginner", "--html", out, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (out.parent / "review.json").write_text(result.stdout)
    return out, runs, sessions


def test_the_review_counts_a_missed_session_as_zero_and_names_sessions_as_the_watch(
    block_files: tuple[Path, Path, list[ScheduledSession]],
) -> None:
    out, _, sessions = block_files
    data = json.loads((out.parent / "review.json").read_text())
    assert data["sessions_done"] == len(sessions) - 1 == 23
    week3 = next(w for w in data["weeks"] if w["week"] == 3)
    done = [s for s in data["sessions"] if s["week"] == 3 and s["status"] == "done"]
    assert (week3["planned"], week3["done"], week3["missed"]) == (3, 2, 1)
    scores = [s["score"] for s in done if s["score"] is not None]
    assert week3["mean_score"] == pytest.approx(sum(scores) / 3, abs=0.1)  # the missed one is 0
    assert week3["mean_score"] < min(scores)
    names = {s["name"] for s in data["sessions"]}
    assert {"2x800m 5K-", "Long run 8km", "Tempo 2x5min"} <= names
    assert all("/" not in name and not name.endswith(".yaml") for name in names)
    assert week3["planned_distance_m"] > week3["done_distance_m"] > 0


def test_the_trends_show_the_800s_getting_faster_with_their_heart_rate(
    block_files: tuple[Path, Path, list[ScheduledSession]],
) -> None:
    out, _, _ = block_files
    data = json.loads((out.parent / "review.json").read_text())
    (eights,) = [t for t in data["trends"] if "intervals-800" in t["workout"]]
    weeks = eights["weeks"]
    # every week but the fourth (1 km repeats instead) and race week's short sharpener
    assert [w["week"] for w in weeks] == [1, 2, 3, 5, 6, 7, 8]
    paces = [w["avg_pace_s_per_km"] for w in weeks]
    assert paces[0] - paces[-1] == pytest.approx(14, abs=3)  # 2 s/km a week over 7 weeks
    assert weeks[0]["deviation_s_per_km"] > 0  # week 1 slower than the band
    assert all(w["avg_hr_bpm"] is not None for w in weeks)
    # the same work at a faster pace: heart rate follows the simulated runner's speed
    assert weeks[-1]["avg_hr_bpm"] > weeks[0]["avg_hr_bpm"]


def test_the_page_says_what_the_text_says(
    block_files: tuple[Path, Path, list[ScheduledSession]],
) -> None:
    out, _, _ = block_files
    page = out.read_text()
    assert "23 of 24 sessions done" in page
    assert "not in the plan: saturday-jog.gpx" in page
    assert "run a day late" in page
    assert "same run as" not in page and "unreadable" not in page


def test_the_block_page_in_a_browser(
    browser: Any, block_files: tuple[Path, Path, list[ScheduledSession]]
) -> None:
    out, _, sessions = block_files
    page, errors, requests = open_page(browser, out.as_uri())
    assert errors == [] and requests == [out.as_uri()]
    planned = page.locator("#calendar .cell:not([data-kind=unplanned])")
    assert planned.count() == len(sessions)
    assert page.locator("#calendar .cell[data-kind=missed]").count() == 1
    assert page.locator("#calendar .cell[data-kind=moved]").count() == 1
    assert page.locator("#calendar .cell[data-kind=unplanned]").count() == 1
    links = page.locator("#calendar a.cell").evaluate_all(
        "cells => cells.map(c => c.getAttribute('href'))"
    )
    assert len(links) == len(sessions) - 1  # every done session
    for href in links:
        assert (out.parent / href).is_file()
    # a missed session lowers its week's score
    week3 = page.locator("#calendar tr[data-week='3'] .week-score b").inner_text()
    week4 = page.locator("#calendar tr[data-week='4'] .week-score b").inner_text()
    assert int(week3) < int(week4)
    # a done cell opens its run's page
    page.locator("#calendar tr[data-week='1'] a.cell").first.click()
    page.wait_for_selector("#steps")
    assert page.locator(".chart[data-series=hr] canvas").count() == 1
    assert errors == []
    page.close()
    phone, errors, _ = open_page(browser, out.as_uri(), width=400)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400
    assert errors == []
    phone.close()
