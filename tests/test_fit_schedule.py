"""The FIT schedules file: decoded by Garmin's SDK, each entry pointing at exactly one workout
file of the same build or push by its identity, on the session's day, within what the device
keeps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from pacefit.errors import PacefitWarning
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.fit_schedule import FIT_EPOCH, SCHEDULE_FILE
from pacefit.jobs.build import build_plan

from .garmin_sdk import decode_checked
from .helpers import ATHLETE_FILE, PLANS, WORKOUTS, run_cli, write_plan

ATHLETE = load_athlete(ATHLETE_FILE)
RACE_DAY = dt.date(2027, 1, 24)  # the 10K block runs from Monday 2026-11-30


def identity(message: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(message[k] for k in ("manufacturer", "product", "serial_number", "time_created"))


def schedule_of(folder: Path, schedule: Path) -> dict[str, dt.date]:
    """Each entry of the schedule as the workout file it names (by identity) and its day,
    checking that exactly one workout file of `folder` has that identity."""
    decoded = decode_checked(schedule.read_bytes())
    assert decoded["file_id_mesgs"][0]["type"] == "schedules"
    workouts: dict[tuple[Any, ...], list[str]] = {}
    for path in folder.glob("20*.fit"):
        file_id = decode_checked(path.read_bytes())["file_id_mesgs"][0]
        assert file_id["type"] == "workout"
        workouts.setdefault(identity(file_id), []).append(path.name)
    entries = {}
    for message in decoded["schedule_mesgs"]:
        assert message["type"] == "workout" and message["completed"] == 0
        (name,) = workouts[identity(message)]  # exactly one workout file
        entries[name] = (FIT_EPOCH + dt.timedelta(seconds=message["scheduled_time"])).date()
    assert len(entries) == len(decoded["schedule_mesgs"])
    return entries


def test_a_build_schedules_each_session_on_its_day(tmp_path: Path) -> None:
    with pytest.warns(PacefitWarning, match="holds the first 30 of 31 sessions, up to 2027-01-21"):
        build_plan(PLANS / "10k-8wk", race_date=RACE_DAY, athlete=ATHLETE, out_dir=tmp_path)
    entries = schedule_of(tmp_path, tmp_path / SCHEDULE_FILE)
    built = sorted(p.name for p in tmp_path.glob("20*.fit"))
    assert sorted(entries) == built[:30]  # the first 30 of 31, by date
    assert all(entries[name] == dt.date.fromisoformat(name[:10]) for name in entries)
    # the same plan gives the same bytes: a rebuild rewrites nothing
    stamp = (tmp_path / SCHEDULE_FILE).stat().st_mtime_ns
    with pytest.warns(PacefitWarning, match="holds the first 30"):
        again = build_plan(PLANS / "10k-8wk", race_date=RACE_DAY, athlete=ATHLETE, out_dir=tmp_path)
    assert not again.schedule_written
    assert (tmp_path / SCHEDULE_FILE).stat().st_mtime_ns == stamp


def test_sixty_sessions_for_a_thirty_workout_watch_give_thirty_entries(tmp_path: Path) -> None:
    days = "".join(f"    {day}: easy/easy-run.yaml\n" for day in ("mon", "wed", "fri", "sun"))
    weeks = "".join(f"  {week}:\n{days}" for week in range(1, 16))
    plan = write_plan(tmp_path / "plan", f"weeks: 15\nlibrary: {WORKOUTS}\nschedule:\n{weeks}")
    out = tmp_path / "out"
    dated = ["--race-date", "2027-06-06", "--athlete", ATHLETE_FILE]
    result = run_cli("build", plan, *dated, "--device", "generic", "-o", out)
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("20*.fit"))) == 60
    assert (
        "warning: the schedule (pacefit-schedule.fit) holds the first 30 of 60 sessions, up to "
        "2027-04-14: a watch keeps about 30 workouts at once (a guess); push --weeks puts later "
        "weeks on the watch with a schedule of their own"
    ) in result.stderr.splitlines()
    assert len(schedule_of(out, out / SCHEDULE_FILE)) == 30
    older = run_cli("build", plan, *dated, "--device", "legacy", "-o", out)
    assert "holds the first" not in older.stderr  # a fenix 3 keeps about 100
    assert len(schedule_of(out, out / SCHEDULE_FILE)) == 60


def test_a_push_sends_the_schedule_of_its_window_with_the_workouts(tmp_path: Path) -> None:
    build = tmp_path / "build"
    with pytest.warns(PacefitWarning):
        build_plan(PLANS / "10k-8wk", race_date=RACE_DAY, athlete=ATHLETE, out_dir=build)
    watch = tmp_path / "media" / "WATCH"
    new_files = watch / "GARMIN" / "NewFiles"
    new_files.mkdir(parents=True)
    window = ["--weeks", "2", "--from", "2026-12-07"]
    result = run_cli("push", build, "--to", watch, *window)
    assert result.exit_code == 0, result.output
    sent = schedule_of(new_files, new_files / SCHEDULE_FILE)
    assert sorted(sent) == sorted(p.name for p in new_files.glob("20*.fit"))
    assert len(sent) == 8 and min(sent.values()) == dt.date(2026, 12, 8)
    # the next window replaces pacefit's own schedule in NewFiles, and logs it
    later = run_cli("push", build, "--to", watch, "--weeks", "1", "--from", "2026-12-21")
    assert later.exit_code == 0, later.output
    assert f"replaced: {SCHEDULE_FILE} -> {new_files / SCHEDULE_FILE} (the schedule of 4 " in (
        later.stdout
    )
    assert len(schedule_of(new_files, new_files / SCHEDULE_FILE)) == 4
    status = run_cli("push", build, "--status", "--to", watch)
    assert "waiting: schedule of 4 sessions (pacefit-schedule.fit, pushed " in status.stdout
    (new_files / SCHEDULE_FILE).unlink()  # the watch took it in
    status = run_cli("push", build, "--status", "--to", watch)
    assert status.stdout.splitlines()[-2].startswith("taken in: schedule of 4 sessions")


def test_a_schedule_that_is_not_pacefits_is_not_replaced(tmp_path: Path) -> None:
    build = tmp_path / "build"
    with pytest.warns(PacefitWarning):
        build_plan(PLANS / "10k-8wk", race_date=RACE_DAY, athlete=ATHLETE, out_dir=build)
    watch = tmp_path / "media" / "WATCH"
    (watch / "GARMIN" / "NewFiles").mkdir(parents=True)
    theirs = watch / "GARMIN" / "NewFiles" / SCHEDULE_FILE
    theirs.write_bytes(b"another program's schedule")
    result = run_cli("push", build, "--to", watch, "--weeks", "1", "--from", "2026-12-07")
    assert result.exit_code == 1
    assert theirs.read_bytes() == b"another program's schedule"
    assert f"{watch}: 4 copied, the schedule refused" in result.stdout


def test_the_watch_check_schedule_puts_two_workouts_on_their_days(tmp_path: Path) -> None:
    plan = Path(__file__).parent / "watch-check" / "schedule"
    result = run_cli("build", plan, "--race-date", "2027-03-07", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert schedule_of(tmp_path, tmp_path / SCHEDULE_FILE) == {
        "2027-03-02_w01-tue_check-recovery-and-rest.fit": dt.date(2027, 3, 2),
        "2027-03-04_w01-thu_check-cadence.fit": dt.date(2027, 3, 4),
    }
