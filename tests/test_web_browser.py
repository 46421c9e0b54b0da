"""`pacefit serve` in a real browser (Debian's Chromium): a runner uploads the watch's stamina
run and a GPX through the file input, sees both judged on the calendar, opens a run's page,
and finds them still there after the server restarts; a corrupt file gets its one-line reason
and the same file twice stays one run."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import open_page
from .helpers import ATHLETE_FILE, REAL, WORKOUTS, run_cli, shared_fixture, write_plan
from .log_server import database_url, running_server, simulated_run

STAMINA_DAY = dt.date(2026, 5, 14)  # the day the watch recorded it: a Thursday
RACE_DATE = "2026-05-17"
TODAY = "2026-05-20"


@pytest.fixture(scope="module")
def block(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A week whose Thursday is the stamina run's workout and whose Saturday is an easy run."""
    stamina = shared_fixture("real/fit-parser-garmin-stamina.fit")
    folder = tmp_path_factory.mktemp("browser")
    library = folder / "library"
    library.mkdir()
    shutil.copy(REAL / "workouts" / "fit-parser-garmin-stamina.yaml", library / "stamina.yaml")
    shutil.copy(WORKOUTS / "easy" / "easy-run.yaml", library / "easy.yaml")
    plan = write_plan(
        folder / "plan",
        f"""
        name: Stamina week
        weeks: 1
        library: {library}
        schedule:
          1:
            thu: stamina.yaml
            sat: easy.yaml
        """,
    )
    gpx = folder / "saturday.gpx"
    gpx.write_bytes(simulated_run("easy/easy-run.yaml", STAMINA_DAY + dt.timedelta(2), kind="gpx"))
    corrupt = shared_fixture("fit/invalid/activity-unexpected-eof.fit")
    yield {
        "db": database_url(folder),
        "plan": plan,
        "stamina": stamina,
        "gpx": gpx,
        "corrupt": corrupt,
        "library": library,
    }


def start(block: dict[str, Any], *, first: bool) -> Any:
    args = ["--athlete", str(ATHLETE_FILE), "--plan", str(block["plan"]), "--race-date", RACE_DATE]
    return running_server(block["db"], *(args if first else []), today=TODAY)


def upload(page: Any, *files: Path) -> list[str]:
    """The files chosen in the picker and uploaded; the lines the page answers with."""
    before = int(page.evaluate("Number(document.body.dataset.uploaded || 0)"))
    page.set_input_files("#run-files", [str(f) for f in files])
    page.click("#upload-form button[type=submit]")
    page.wait_for_function(f"Number(document.body.dataset.uploaded || 0) > {before}")
    lines: list[str] = page.locator("#upload-results li").all_inner_texts()
    return lines


def cells(page: Any) -> dict[str, str]:
    """Each run's calendar cell: its day and its text (name and score)."""
    found = {}
    for cell in page.locator("#calendar a.cell").all():
        day = cell.evaluate("element => element.closest('td').dataset.date")
        found[day] = " ".join(cell.inner_text().split())
    return found


def test_a_runner_uploads_runs_and_keeps_them(browser: Any, block: dict[str, Any]) -> None:
    stamina_score = json.loads(
        run_cli(
            "analyze", block["stamina"], "--workout", block["library"] / "stamina.yaml", "--json"
        ).stdout
    )["score"]
    with start(block, first=True) as url:
        page, errors, _ = open_page(browser, url)
        lines = upload(page, block["stamina"], block["gpx"])
        assert lines == [
            f"fit-parser-garmin-stamina.fit: W01 Thu 5 x 3 min, 5 min jog: score "
            f"{stamina_score:.0f}",
            "saturday.gpx: W01 Sat Easy run 8km: score 100",
        ]
        shown = cells(page)
        assert shown["2026-05-14"].startswith(f"5 x 3 min, 5 min jog {stamina_score:.0f}")
        assert shown["2026-05-16"].startswith("Easy run 8km")
        assert page.locator("#done-count").inner_text() == "2 of 2 sessions done"
        page.screenshot(path=str(block["plan"].parent / "calendar.png"), full_page=True)

        page.click("#calendar a.cell >> nth=0")
        page.wait_for_selector("#score")
        assert page.locator("h1").first.inner_text() == "5 x 3 min, 5 min jog"
        assert page.locator("#score").inner_text().startswith(f"{stamina_score:.0f}")
        assert page.locator("#run-session").inner_text().startswith("W01 Thu on 2026-05-14")
        assert page.locator("canvas").count() > 0  # the charts drew
        assert errors == []

    with start(block, first=False) as url:  # the same database, nothing passed again
        page, errors, _ = open_page(browser, url)
        assert cells(page) == shown

        refused = upload(page, block["corrupt"])
        assert len(refused) == 1
        assert refused[0] == (  # the file named once, and why in one line
            "activity-unexpected-eof.fit: the file is cut short: 768 bytes where its header "
            "announces 771"
        )
        assert "\n" not in refused[0]
        assert cells(page) == shown

        again = upload(page, block["stamina"])
        assert again[-1].startswith("fit-parser-garmin-stamina.fit: already in the log: W01 Thu")
        assert cells(page) == shown
        # the refusal's own answer (422) is the only thing the console noted
        assert [e for e in errors if "status of 422" not in e] == []

        # on a phone, no page scrolls sideways: a table too wide scrolls within its card
        page.set_viewport_size({"width": 400, "height": 800})
        for address in ("/", "/athletes/1/paces", "/runs/1"):
            page.goto(url.rstrip("/") + address)
            assert page.evaluate("document.documentElement.scrollWidth") <= 400, address
