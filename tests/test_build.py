"""The build job: a plan into dated workout files and a calendar; a folder into workout files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest

from pacefit.errors import PacefitWarning
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.jobs.build import build_plan

from .garmin_sdk import decode_checked
from .helpers import ATHLETE_FILE, PLANS, WORKOUTS, run_cli, write_plan

ATHLETE = load_athlete(ATHLETE_FILE)
RACE_DAY = dt.date(2027, 4, 18)


def test_build_the_chain_then_rebuild_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "build"
    first = build_plan(PLANS / "marathon-20wk", race_date=RACE_DAY, athlete=ATHLETE, out_dir=out)
    assert not first.failures
    files = sorted(out.glob("*.fit"))
    assert len(files) == 60 == sum(o.written for o in first.outcomes)
    assert files[0].name == "2026-12-01_w01-tue_800m-repeats.fit"
    assert files == sorted(files, key=lambda p: p.name[:10])  # names sort by date
    workout = decode_checked(files[0].read_bytes())["workout_mesgs"][0]
    assert workout["wkt_name"] == "W01 Tue 800m repeats"
    stamps = {p: p.stat().st_mtime_ns for p in out.iterdir()}
    second = build_plan(PLANS / "marathon-20wk", race_date=RACE_DAY, athlete=ATHLETE, out_dir=out)
    assert not any(o.written for o in second.outcomes) and not second.calendar_written
    assert {p: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    old = out / "2026-11-01_w00-sun_old-plan.fit"
    old.write_bytes(files[0].read_bytes())
    third = build_plan(PLANS / "marathon-20wk", race_date=RACE_DAY, athlete=ATHLETE, out_dir=out)
    assert third.stale == (old,)
    assert old.exists()


def test_the_cli_says_what_the_build_did(tmp_path: Path) -> None:
    out = tmp_path / "build"
    args = ["build", PLANS / "10k-8wk", "--race-date", "2027-01-24", "--athlete", ATHLETE_FILE]
    assert run_cli(*args, "-o", out).exit_code == 0
    (out / "old.fit").write_bytes(b"an older plan's session")
    again = run_cli(*args, "-o", out)
    assert again.exit_code == 0
    assert "24 sessions: 0 written, 24 unchanged, 0 failed" in again.stdout
    assert f"unchanged {out / 'plan.ics'}" in again.stdout
    assert f"note: {out / 'old.fit'} is not part of this build (left in place)" in again.stderr


def test_the_calendar_imports(tmp_path: Path) -> None:
    build_plan(PLANS / "marathon-20wk", race_date=RACE_DAY, athlete=ATHLETE, out_dir=tmp_path)
    calendar = icalendar.Calendar.from_ical((tmp_path / "plan.ics").read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 60
    first = events[0]
    assert str(first["SUMMARY"]) == "W01 Tue 800m repeats"
    assert first.decoded("DTSTART") == dt.date(2026, 12, 1)
    assert "2 x [run 800m @ 4:11-4:21/km; recover 800m]" in str(first["DESCRIPTION"])
    assert all(len(line) <= 75 for line in (tmp_path / "plan.ics").read_bytes().split(b"\r\n"))


def test_one_bad_session_does_not_stop_the_batch(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    (library / "good.yaml").write_text("name: Good\nsteps:\n  - run: 5km\n")
    (library / "bad.yaml").write_text("name: Bad\nsteps:\n  - run: 5 parsecs\n")
    folder = write_plan(
        tmp_path / "plan",
        """
        weeks: 1
        library: ../lib
        schedule:
          1:
            mon: good.yaml
            wed: bad.yaml
            fri: good.yaml
        """,
    )
    result = run_cli("build", folder, "--race-date", "2026-12-06", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert sorted(p.name for p in (tmp_path / "out").glob("*.fit")) == [
        "2026-11-30_w01-mon_good.fit",
        "2026-12-04_w01-fri_good.fit",
    ]
    assert f"{library / 'bad.yaml'}:3:10: '5 parsecs' is not a duration" in result.stderr
    assert f"\n  scheduled at {folder / 'plan.yaml'}:6:10\n" in result.stderr
    assert "1 of 3 sessions failed to build" in result.stderr


def test_a_dropped_session_is_a_located_warning(tmp_path: Path) -> None:
    wednesday = dt.date(2027, 4, 14)
    with pytest.warns(PacefitWarning) as caught:
        build_plan(PLANS / "marathon-12wk", race_date=wednesday, athlete=ATHLETE, out_dir=tmp_path)
    (warning,) = [w.message for w in caught]
    assert (
        str(warning)
        == f"{PLANS / 'marathon-12wk' / 'plan.yaml'}:53:10: dropped: 2027-04-15 is after race day"
    )


def test_a_plain_folder_builds_every_workout(tmp_path: Path) -> None:
    result = build_plan(WORKOUTS / "10k", race_date=None, athlete=ATHLETE, out_dir=tmp_path)
    assert result.calendar is None and not result.failures
    assert sorted(p.name for p in tmp_path.glob("*.fit")) == sorted(
        o.output.name for o in result.outcomes if o.output
    )
    assert len(result.outcomes) == 6


@pytest.mark.parametrize("date", ["1899-12-31", "2999-01-01"])
def test_implausible_race_dates_are_refused(date: str) -> None:
    result = run_cli("build", PLANS / "10k-8wk", "--race-date", date, "-o", "/nonexistent/out")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{PLANS / '10k-8wk' / 'plan.yaml'}: the race date {date} is implausible\n"
    )
