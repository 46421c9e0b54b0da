"""`push --to intervals.icu` against a local server that follows intervals.icu's documented
endpoints and checks authentication and bodies (tests/fake_intervals_icu.py): the real service
cannot be reached from here."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pacefit.errors import PacefitWarning
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.jobs.build import build_plan

from .fake_intervals_icu import Calendar, serving
from .helpers import ATHLETE_FILE, PLANS, run_cli, write_athlete, write_plan

KEY = "4n7kq2ehxu0fsa3m5k1hd9lb"
RACE_DAY = dt.date(2027, 1, 24)  # the 10K block runs from Monday 2026-11-30
WINDOW = ["--weeks", "2", "--from", "2026-12-07"]
SERVICE = "intervals.icu (the API key's athlete)"


@pytest.fixture
def calendar(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calendar]:
    state = Calendar(api_key=KEY)
    with serving(state) as url:
        monkeypatch.setenv("INTERVALS_ICU_URL", url)
        monkeypatch.setenv("INTERVALS_ICU_API_KEY", KEY)
        monkeypatch.delenv("INTERVALS_ICU_ATHLETE_ID", raising=False)
        yield state


@pytest.fixture
def plan_build(tmp_path: Path) -> Path:
    out = tmp_path / "plan-build"
    with pytest.warns(PacefitWarning, match="holds the first 30 of 31 sessions"):
        build_plan(
            PLANS / "10k-8wk", race_date=RACE_DAY, athlete=load_athlete(ATHLETE_FILE), out_dir=out
        )
    return out


def push(*args: object) -> tuple[int, list[str], list[str]]:
    result = run_cli("push", *args, "--to", "intervals.icu")
    return result.exit_code, result.stdout.splitlines(), result.stderr.splitlines()


def test_two_weeks_become_eight_events_and_a_second_push_changes_nothing(
    plan_build: Path, calendar: Calendar, tmp_path: Path
) -> None:
    code, stdout, stderr = push(plan_build, *WINDOW)
    assert code == 0, stderr
    assert stdout == [
        "created: W02 Tue 5x800m 5K- (2026-12-08)",
        "created: W02 Wed Easy run 8km (2026-12-09)",
        "created: W02 Thu Tempo 2x12min (2026-12-10)",
        "created: W02 Sun Long run 13km (2026-12-13)",
        "created: W03 Tue 6x800m 5K- (2026-12-15)",
        "created: W03 Wed Easy run 8km (2026-12-16)",
        "created: W03 Thu Tempo 2x15min (2026-12-17)",
        "created: W03 Sun Long run 14km (2026-12-20)",
        "sessions due 2026-12-07 to 2026-12-20: 8 of 31",
        "left out 23: 23 due outside those dates (--verbose lists them)",
        f"{SERVICE}: 8 created",
    ]
    (bulk,) = calendar.posted()
    assert len(bulk) == 8 == len(calendar.events)
    first = bulk[0]
    assert first["category"] == "WORKOUT" and first["type"] == "Run"
    assert first["start_date_local"] == "2026-12-08T00:00:00"
    assert first["name"] == "W02 Tue 5x800m 5K-"
    assert first["external_id"] == "pacefit-10k-in-8-weeks-w02-tue"
    assert len({event["external_id"] for event in bulk}) == 8
    # the text pacefit writes for intervals.icu (`--format icu`), from the FIT build
    icu = tmp_path / "icu"
    build_plan(PLANS / "10k-8wk", race_date=RACE_DAY, athlete=load_athlete(ATHLETE_FILE),
               out_dir=icu, file_format="icu")  # fmt: skip
    assert first["description"] == (icu / "2026-12-08_w02-tue_5x800m-5k.txt").read_text()

    code, stdout, _ = push(plan_build, *WINDOW)
    assert code == 0
    assert stdout[0] == "unchanged: W02 Tue 5x800m 5K- (2026-12-08)"
    assert stdout[-1] == f"{SERVICE}: 8 unchanged"
    assert len(calendar.posted()) == 1 and len(calendar.events) == 8  # nothing sent
    log = json.loads((plan_build / "pacefit-pushes.json").read_text())["pushes"]
    assert [r["kind"] for r in log] == ["event"] * 8
    assert {r["external_id"] for r in log} == {e["external_id"] for e in bulk}


def test_a_changed_plan_updates_the_changed_events_only(tmp_path: Path, calendar: Calendar) -> None:
    library = tmp_path / "library"
    library.mkdir()
    tempo = library / "tempo.yaml"
    tempo.write_text("name: Tempo\nsteps:\n  - run: 20min\n    pace: 4:30/km\n")
    (library / "easy.yaml").write_text("name: Easy\nsteps:\n  - run: 5km\n    pace: 6:00/km\n")
    days = "    tue: tempo.yaml\n    thu: easy.yaml\n    sat: easy.yaml\n    sun: tempo.yaml\n"
    plan = write_plan(tmp_path / "plan", f"weeks: 2\nlibrary: ../library\nschedule:\n  1:\n"
                      f"{days}  2:\n{days}")  # fmt: skip
    out = tmp_path / "build"
    build = ["build", plan, "--race-date", "2027-03-14", "-o", out]
    assert run_cli(*build).exit_code == 0
    code, stdout, _ = push(out)
    assert code == 0 and stdout[-1] == f"{SERVICE}: 8 created"
    tempo.write_text("name: Tempo\nsteps:\n  - run: 25min\n    pace: 4:30/km\n")
    assert run_cli(*build).exit_code == 0
    code, stdout, _ = push(out)
    assert code == 0
    assert stdout[:2] == [
        "updated: W01 Tue Tempo (2027-03-02)",
        "unchanged: W01 Thu Easy (2027-03-04)",
    ]
    assert stdout[-1] == f"{SERVICE}: 4 updated, 4 unchanged"
    changed = calendar.posted()[-1]
    assert [event["name"] for event in changed] == [
        "W01 Tue Tempo", "W01 Sun Tempo", "W02 Tue Tempo", "W02 Sun Tempo"
    ]  # fmt: skip
    assert all("25m" in event["description"] for event in changed)
    assert len(calendar.events) == 8


def test_a_wrong_key_is_one_line_and_nothing_is_recorded(
    plan_build: Path, calendar: Calendar, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVALS_ICU_API_KEY", "not-the-key")
    code, stdout, stderr = push(plan_build, *WINDOW)
    assert code == 1 and stdout == []
    assert stderr[0] == "error: intervals.icu refused the API key (HTTP 403: Access denied)"
    assert stderr[1].startswith("  hint: set INTERVALS_ICU_API_KEY to the API key on ")
    assert not (plan_build / "pacefit-pushes.json").exists() and not calendar.events
    monkeypatch.delenv("INTERVALS_ICU_API_KEY")
    code, _, stderr = push(plan_build, *WINDOW)
    assert code == 1
    assert stderr[0] == "error: no API key for intervals.icu: INTERVALS_ICU_API_KEY is not set"


def test_a_connection_lost_mid_push_leaves_the_log_true_to_what_arrived(
    plan_build: Path, calendar: Calendar
) -> None:
    calendar.drop_after = 5  # five events stored, then the connection closes unanswered
    code, stdout, stderr = push(plan_build, *WINDOW)
    assert code == 1
    assert [line.split(":")[0] for line in stdout[:8]] == ["created"] * 5 + ["not sent"] * 3
    assert stdout[-1] == f"{SERVICE}: 5 created, 3 not sent"
    assert stderr[0].startswith("error: the connection to intervals.icu was lost before it ")
    log = json.loads((plan_build / "pacefit-pushes.json").read_text())["pushes"]
    on_calendar = {event["external_id"] for event in calendar.events.values()}
    assert {record["external_id"] for record in log} == on_calendar and len(log) == 5
    calendar.drop_after = None
    code, stdout, _ = push(plan_build, *WINDOW)
    assert code == 0 and stdout[-1] == f"{SERVICE}: 5 unchanged, 3 created"
    assert len(calendar.events) == 8  # nothing twice


def test_status_says_planned_changed_or_gone_and_push_leaves_their_changes(
    plan_build: Path, calendar: Calendar
) -> None:
    assert push(plan_build, *WINDOW)[0] == 0
    events = sorted(calendar.events.values(), key=lambda e: e["start_date_local"])
    events[1]["description"] = "- 45m Z2 Pace"  # the runner's own edit
    events[2]["start_date_local"] = "2026-12-11T00:00:00"  # moved a day on
    del calendar.events[events[3]["id"]]  # deleted
    for args in (["--to", "intervals.icu"], []):  # without --to: where the last push went
        result = run_cli("push", plan_build, "--status", *args)
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert [line.split(" (")[0] for line in lines[:5]] == [
            "planned: W02 Tue 5x800m 5K-",
            "changed: W02 Wed Easy run 8km",
            "changed: W02 Thu Tempo 2x12min",
            "gone: W02 Sun Long run 13km",
            "planned: W03 Tue 6x800m 5K-",
        ]
        assert lines[1].endswith(": edited on intervals.icu)")
        assert lines[2].endswith(": now 2026-12-11)")
        assert lines[-1] == f"{SERVICE}: 5 planned, 2 changed, 1 gone"
    code, stdout, _ = push(plan_build, *WINDOW)
    assert code == 0
    assert stdout[1] == (
        "left as it is: W02 Wed Easy run 8km (2026-12-09; changed on intervals.icu since it was "
        "pushed; --force replaces it)"
    )
    assert stdout[3] == (
        "not sent again: W02 Sun Long run 13km (2026-12-13; deleted on intervals.icu since it "
        "was pushed; --force sends it again)"
    )
    assert events[1]["description"] == "- 45m Z2 Pace"
    code, stdout, _ = push(plan_build, *WINDOW, "--force")
    assert code == 0 and stdout[-1] == f"{SERVICE}: 5 unchanged, 2 updated, 1 created"


def test_the_athlete_comes_from_the_environment_or_the_athlete_file(
    plan_build: Path, calendar: Calendar, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    athlete = write_athlete(tmp_path, textwrap.dedent("""
        races: {10k: "45:00"}
        intervals_icu_athlete: i12345
    """))  # fmt: skip
    code, stdout, _ = push(plan_build, *WINDOW, "--athlete", athlete)
    assert code == 0 and stdout[-1] == "intervals.icu (i12345): 8 created"
    assert {path for _, path, _ in calendar.requests} == {
        "/api/v1/athlete/i12345/events",
        "/api/v1/athlete/i12345/events/bulk",
    }
    monkeypatch.setenv("INTERVALS_ICU_ATHLETE_ID", "i999")  # not this key's athlete
    code, _, stderr = push(plan_build, *WINDOW, "--athlete", athlete)
    assert code == 1
    assert stderr[0] == "error: intervals.icu refused the API key (HTTP 403: Access denied)"


def test_a_dry_run_sends_and_records_nothing(plan_build: Path, calendar: Calendar) -> None:
    code, stdout, _ = push(plan_build, *WINDOW, "--dry-run")
    assert code == 0
    assert stdout[0] == "would create: W02 Tue 5x800m 5K- (2026-12-08)"
    assert stdout[-1] == f"{SERVICE}: 8 would create (dry run)"
    assert calendar.posted() == [] and not (plan_build / "pacefit-pushes.json").exists()


def test_an_intervals_icu_build_goes_to_the_calendar_as_written(
    tmp_path: Path, calendar: Calendar
) -> None:
    out = tmp_path / "icu"
    build_plan(PLANS / "10k-8wk", race_date=RACE_DAY, athlete=load_athlete(ATHLETE_FILE),
               out_dir=out, file_format="icu")  # fmt: skip
    code, _, stderr = push(out, *WINDOW)
    assert code == 0, stderr
    (bulk,) = calendar.posted()
    texts = {p.name: p.read_text() for p in out.glob("20*.txt")}
    assert [event["description"] for event in bulk] == [
        texts[name] for name in sorted(texts) if "2026-12-07" <= name[:10] <= "2026-12-20"
    ]
    watch = run_cli("push", out, "--to", tmp_path)  # a watch takes FIT files only
    assert watch.exit_code == 1 and "the build is not of FIT workouts" in watch.stderr


def test_an_athlete_id_that_is_not_one_is_refused_at_its_line(tmp_path: Path) -> None:
    athlete = write_athlete(tmp_path, "intervals_icu_athlete: my account\n")
    result = run_cli("paces", "--athlete", athlete)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{athlete}:1:24: 'my account' is not an intervals.icu athlete id"
    )
