"""The build job: a plan into dated workout files and a calendar; a folder into workout files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest

from pacefit.errors import PacefitWarning
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.jobs.build import BuildResult, build_plan

from .garmin_sdk import decode_checked
from .helpers import ATHLETE_FILE, PLANS, WORKOUTS, run_cli, write_plan
from .mounts import fill, pacefit_without_root, tmpfs

ATHLETE = load_athlete(ATHLETE_FILE)
RACE_DAY = dt.date(2027, 4, 18)
MARATHON_BLOCK = PLANS / "marathon-12wk" / "plan.yaml"
LONG_RUN = WORKOUTS / "easy" / "long-run.yaml"
# What building the 20-week chain for the example runner (VDOT 45) tells them
CHAIN_WARNINGS = [
    f"{MARATHON_BLOCK}:12:10: dropped W09 Tue cruise-intervals (2027-01-26): "
    "an easy day after the race (10k)",
    f"{MARATHON_BLOCK}:14:10: moved W09 Thu mp-run (2027-01-28) to Fri 2027-01-29: "
    "its day is an easy day after the race (10k)",
    f"{LONG_RUN}:7:5: W15 Sun: 28km would take longer than 2:30:00; shortened to 26.3km",
    f"{LONG_RUN}:7:5: W17 Sun: 32km would take longer than 2:30:00; shortened to 26.3km",
    "the schedule (pacefit-schedule.fit) holds the first 30 of 77 sessions, up to 2027-01-21: "
    "a watch keeps about 30 workouts at once (a guess); push --weeks puts later weeks on the "
    "watch with a schedule of their own",
]


def build_chain(out_dir: Path) -> BuildResult:
    with pytest.warns(PacefitWarning) as caught:
        result = build_plan(
            PLANS / "marathon-20wk", race_date=RACE_DAY, athlete=ATHLETE, out_dir=out_dir
        )
    assert [str(w.message) for w in caught] == CHAIN_WARNINGS
    return result


def test_build_the_chain_then_rebuild_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "build"
    first = build_chain(out)
    assert not first.failures
    files = sorted(out.glob("20*.fit"))  # the sessions, by date (not pacefit-schedule.fit)
    # 31 sessions in the 10K block and 47 in the marathon block, less the cruise intervals
    # that would fall in the easy days after the 10K race
    assert len(files) == 77 == sum(o.written for o in first.outcomes)
    assert files[0].name == "2026-12-01_w01-tue_4x800m-5k.fit"
    assert files == sorted(files, key=lambda p: p.name[:10])  # names sort by date
    workout = decode_checked(files[0].read_bytes())["workout_mesgs"][0]
    assert workout["wkt_name"] == "W01 Tue 4x800m 5K-"
    stamps = {p: p.stat().st_mtime_ns for p in out.iterdir()}
    second = build_chain(out)
    assert not any(o.written for o in second.outcomes) and not second.calendar_written
    assert {p: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    old = out / "2026-11-01_w00-sun_old-plan.fit"
    old.write_bytes(files[0].read_bytes())
    third = build_chain(out)
    assert third.stale == (old,)
    assert old.exists()


def test_the_cli_says_what_the_build_did(tmp_path: Path) -> None:
    out = tmp_path / "build"
    args = ["build", PLANS / "10k-8wk", "--race-date", "2027-01-24", "--athlete", ATHLETE_FILE]
    assert run_cli(*args, "-o", out).exit_code == 0
    (out / "old.fit").write_bytes(b"an older plan's session")
    again = run_cli(*args, "-o", out)
    assert again.exit_code == 0
    assert "31 sessions: 0 written, 31 unchanged, 0 failed" in again.stdout
    assert f"unchanged {out / 'plan.ics'}" in again.stdout
    assert (
        f"note: {out / 'old.fit'} is not part of this build (left in place; push leaves it out)"
        in again.stderr
    )


def test_a_build_where_every_session_fails_leaves_the_last_builds_records(
    tmp_path: Path,
) -> None:
    out = tmp_path / "build"
    plan = ["build", PLANS / "10k-8wk", "--race-date", "2027-01-24", "-o", out]
    assert run_cli(*plan, "--athlete", ATHLETE_FILE).exit_code == 0
    records = ("pacefit-manifest.json", "plan.ics", "pacefit-schedule.fit")
    before = {name: (out / name).read_bytes() for name in records}
    failed = run_cli(*plan)  # no athlete file: no pace can be worked out
    assert failed.exit_code == 1
    assert "31 sessions: 0 written, 0 unchanged, 31 failed" in failed.stdout
    assert {name: (out / name).read_bytes() for name in records} == before
    watch = tmp_path / "watch"
    (watch / "GARMIN" / "NewFiles").mkdir(parents=True)
    pushed = run_cli("push", out, "--to", watch, "--dry-run")
    assert pushed.exit_code == 0, pushed.output
    assert (
        pushed.stdout.splitlines()[-1]
        == f"{watch}: 31 would copy, the schedule would copy (dry run)"
    )


def test_the_calendar_imports(tmp_path: Path) -> None:
    build_chain(tmp_path)
    calendar = icalendar.Calendar.from_ical((tmp_path / "plan.ics").read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 77
    first = events[0]
    assert str(first["SUMMARY"]) == "W01 Tue 4x800m 5K-"
    assert first.decoded("DTSTART") == dt.date(2026, 12, 1)
    assert "4 x [run 800m @ 4:14-4:19/km] with [recover 3:25] between" in str(first["DESCRIPTION"])
    assert all(len(line) <= 75 for line in (tmp_path / "plan.ics").read_bytes().split(b"\r\n"))
    race = next(e for e in events if e.decoded("DTSTART") == dt.date(2027, 4, 18))
    assert "run 42.195km @ " in str(race["DESCRIPTION"])  # not 42195m


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
    assert sorted(p.name for p in (tmp_path / "out").glob("20*.fit")) == [
        "2026-11-30_w01-mon_good.fit",
        "2026-12-04_w01-fri_good.fit",
    ]
    assert f"{library / 'bad.yaml'}:3:10: '5 parsecs' is not a duration" in result.stderr
    assert f"\n  scheduled at {folder / 'plan.yaml'}:6:10\n" in result.stderr
    assert "1 of 3 sessions failed to build" in result.stderr


def test_sessions_dropped_around_race_day_are_located_warnings(tmp_path: Path) -> None:
    """A Wednesday race: Thursday's session is after it, Tuesday's 800s the day before (and
    Monday, next to Sunday's long run, cannot take them)."""
    wednesday = dt.date(2027, 4, 14)
    with pytest.warns(PacefitWarning) as caught:
        build_plan(PLANS / "marathon-12wk", race_date=wednesday, athlete=ATHLETE, out_dir=tmp_path)
    assert [str(w.message) for w in caught][:2] == [
        f"{MARATHON_BLOCK}:79:10: dropped: 2027-04-15 is after race day",
        f"{MARATHON_BLOCK}:78:10: dropped W12 Tue intervals-800 (2027-04-13): "
        "the day before the race (marathon)",
    ]


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


def test_a_race_that_has_passed_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACEFIT_TODAY", "2026-12-02")
    plan = PLANS / "10k-8wk"
    result = run_cli("build", plan, "--race-date", "2020-03-07", "-o", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{plan / 'plan.yaml'}: the race date 2020-03-07 has passed; there is nothing left to "
        "build",
        "  hint: give the date of a race to come (`pacefit review` looks back on a past block)",
    ]
    assert not list(tmp_path.iterdir())


def test_sessions_before_today_are_left_out_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An 8-week plan ten days before its race: the last 10 days are built, and the warning
    says which weeks are gone and where the plan now starts."""
    monkeypatch.setenv("PACEFIT_TODAY", "2026-12-02")
    plan = PLANS / "10k-8wk"
    args = ["build", plan, "--race-date", "2026-12-12", "--athlete", ATHLETE_FILE]
    result = run_cli(*args, "-o", tmp_path)
    assert result.exit_code == 0
    assert (
        f"{plan / 'plan.yaml'}: warning: the 8-week plan has 2 week(s) left before the race: "
        "25 session(s) before today (W01-W07, 2026-10-20 to 2026-12-01) left out; it starts "
        "with W07 Wed on 2026-12-02"
    ) in result.stderr
    dates = sorted(p.name[:10] for p in tmp_path.glob("20*.fit"))  # not pacefit-schedule.fit
    assert dates[0] == "2026-12-02" and dates[-1] == "2026-12-12"


def test_progress_shows_on_a_terminal_and_not_when_piped(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    args = [sys.executable, "-m", "pacefit", "build", PLANS / "10k-8wk", "--race-date",
            "2027-01-24", "--athlete", ATHLETE_FILE, "-o"]  # fmt: skip
    piped = run_cli(*args[3:], tmp_path / "piped")
    assert piped.exit_code == 0
    assert "building" not in piped.stderr
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        [str(a) for a in [*args, tmp_path / "tty"]],
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        env={**os.environ, "PACEFIT_TODAY": "2026-11-01"},
    ) as process:
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed: the command is done
                break
            if not chunk:
                break
            shown += chunk
        assert process.wait() == 0
    os.close(controller)
    assert b"building 10k-8wk" in shown and b"100%" in shown


# -- output folders that refuse: read-only, full, unreadable; interrupted builds ----------------

BUILD_10K = ["build", PLANS / "10k-8wk", "--race-date", "2027-01-24", "--athlete", ATHLETE_FILE]


def test_a_read_only_output_folder_is_one_line_before_anything_is_built(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", read_only=True) as mount:
        for out in (mount, mount / "build"):  # the folder is there, or must be made
            result = run_cli(*BUILD_10K, "-o", out)
            assert result.exit_code == 1
            doing = "write into" if out == mount else "create"
            assert result.stderr == (
                f"{out}: cannot {doing} the folder: Read-only file system\n"
                "  hint: the file system is mounted read-only: write somewhere else\n"
            )
            assert result.stdout == ""


def test_a_full_disk_lists_each_file_not_written_and_goes_on(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "full", size_kb=96) as mount:
        out = mount / "build"
        out.mkdir()
        fill(mount)
        result = run_cli(*BUILD_10K, "-o", out)
        assert result.exit_code == 1
        lines = result.stderr.splitlines()
        refused = [line for line in lines if line.endswith("No space left on device")]
        # every session named once, the hint once; with no session built, plan.ics and the
        # manifest are not written over the last build's
        assert len(refused) == 31
        assert refused[0] == (
            f"{out / '2026-12-01_w01-tue_4x800m-5k.fit'}: cannot write the file: No space left "
            "on device"
        )
        assert lines.count("  hint: the disk is full: free some space and try again") == 1
        assert lines[-1] == "Error: 31 of 31 sessions failed to build"
        assert "31 sessions: 0 written, 0 unchanged, 31 failed" in result.stdout
        assert "plan.ics" not in result.stdout  # not reported as written
        assert list(out.iterdir()) == []  # nothing half-written


def test_a_build_removes_the_temporary_file_an_interrupted_build_left(tmp_path: Path) -> None:
    out = tmp_path / "build"
    assert run_cli(*BUILD_10K, "-o", out).exit_code == 0
    left = out / ".2026-12-01_w01-tue_4x800m-5k.fit.x7_k2mqa.part"  # killed mid-write
    left.write_bytes(b"half a workout")
    again = run_cli(*BUILD_10K, "-o", out)
    assert again.exit_code == 0
    assert not left.exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_an_unreadable_folder_of_workouts_is_listed_and_the_rest_compiled(tmp_path: Path) -> None:
    library = tmp_path / "library"
    (library / "locked").mkdir(parents=True)
    (library / "good.yaml").write_text("name: Good\nsteps:\n  - run: 5km\n")
    (library / "locked" / "hidden.yaml").write_text("name: Hidden\nsteps:\n  - run: 5km\n")
    (library / "locked").chmod(0o000)
    tmp_path.chmod(0o755)
    out = tmp_path / "out"
    for command in ("compile", "build"):
        done = pacefit_without_root([command, library, "-o", out])
        assert done.returncode == 1, done.stderr
        assert f"{library / 'locked'}: cannot read the folder: Permission denied" in (
            done.stderr.splitlines()
        )
        assert sorted(p.name for p in out.glob("*.fit")) == ["good.fit"]
    (library / "locked").chmod(0o755)
