from __future__ import annotations

import datetime as dt
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from pacefit.cli import cli
from pacefit.core.workout import DistanceDuration, Repeat, Step
from pacefit.errors import WorkoutError
from pacefit.formats.plan_yaml import load_plan
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.build import prepare_build

from .garmin_sdk import decode_checked
from .helpers import ATHLETE_FILE, ROOT, WORKOUTS

PLANS = WORKOUTS / "plans"
RACE_DAY = dt.date(2027, 4, 18)  # a Sunday


def write_plan(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.yaml").write_text(textwrap.dedent(text).lstrip("\n"))
    return folder


def test_the_20_week_chain_is_dated_back_from_race_day() -> None:
    job = prepare_build(PLANS / "marathon-20wk", race_date=RACE_DAY)
    assert job.schedule is not None
    sessions = job.schedule.sessions
    assert len(sessions) == 60
    assert (sessions[0].date, sessions[0].label) == (dt.date(2026, 12, 1), "W01 Tue")
    assert sessions[-1].date == RACE_DAY
    assert sessions[-1].spec.workout_path.name == "marathon.yaml"
    ten_k_race = next(s for s in sessions if s.spec.workout_path.parent.name == "races")
    assert (ten_k_race.date, ten_k_race.week, ten_k_race.block) == (
        dt.date(2027, 1, 24),
        8,
        "10K in 8 weeks",
    )
    assert {s.block for s in sessions if s.week == 9} == {"Marathon in 12 weeks"}


def test_a_mid_week_race_drops_what_comes_after_it() -> None:
    wednesday = dt.date(2027, 4, 14)
    job = prepare_build(PLANS / "marathon-12wk", race_date=wednesday)
    assert job.schedule is not None
    last = job.schedule.sessions[-1]
    assert (last.date, last.day, last.spec.workout_path.name) == (wednesday, "wed", "marathon.yaml")
    dropped = [(spec.day, date) for spec, date in job.schedule.dropped]
    assert dropped == [("thu", dt.date(2027, 4, 15))]
    assert job.schedule.sessions[0].date == dt.date(2027, 1, 26)  # Tuesday of week 1


def test_weekly_overrides_build_a_progression_from_one_file() -> None:
    _, blocks = load_plan(PLANS / "10k-8wk")
    (block,) = blocks
    counts = []
    for week in (1, 2, 3, 5, 6):
        spec = next(s for s in block.sessions[week] if s.workout_path.name == "intervals-800.yaml")
        workout = load_workout(
            spec.workout_path, athlete=_athlete(), level=spec.level, overrides=spec.overrides
        )
        repeat = workout.steps[1]
        assert isinstance(repeat, Repeat)
        counts.append(repeat.count)
    assert counts == [2, 3, 4, 5, 6]
    long_run = next(s for s in block.sessions[6] if s.day == "sun")
    workout = load_workout(long_run.workout_path, athlete=_athlete(), overrides=long_run.overrides)
    assert isinstance(workout.steps[0], Step)
    assert workout.steps[0].duration == DistanceDuration(15000)


def _athlete():  # type: ignore[no-untyped-def]
    from pacefit.formats.athlete_yaml import load_athlete

    return load_athlete(ATHLETE_FILE)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "weeks: 2\nschedule:\n  1:\n    tue: nowhere.yaml\n",
            "plan.yaml:4:10: no workout file 'nowhere.yaml'",
        ),
        (
            "weeks: 2\nschedule:\n  3:\n    tue: x.yaml\n",
            "plan.yaml:3:3: unknown key '3' in 'schedule'",
        ),
        (
            "weeks: 2\nschedule:\n  1:\n    someday: x.yaml\n",
            "plan.yaml:4:5: unknown key 'someday' in week 1",
        ),
        (
            "weeks: 0\nschedule: {}\n",
            "plan.yaml:1:8: 'weeks' must be a whole number from 1 to 52, got '0'",
        ),
        ("weeks: 2\nlevel: expert\nschedule: {}\n", "plan.yaml:2:8: unknown level 'expert'"),
        ("blocks: [../missing]\n", "plan.yaml:1:10: no plan.yaml in '../missing'"),
    ],
)
def test_plan_mistakes_are_located(tmp_path: Path, text: str, message: str) -> None:
    folder = write_plan(tmp_path / "p", text)
    (folder / "x.yaml").write_text("steps:\n  - run: 1km\n")
    with pytest.raises(WorkoutError) as caught:
        load_plan(folder)
    assert str(caught.value).startswith(
        f"{folder / message.split(':')[0]}:{message.split(':', 1)[1]}"
    )


def test_implausible_race_dates_are_refused() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(PLANS / "10k-8wk"), "--race-date", "1899-01-01"])
    assert result.exit_code == 1
    assert "the race date 1899-01-01 is implausible" in result.stderr


def run_build(*args: str | Path) -> object:
    return CliRunner().invoke(cli, ["build", *[str(a) for a in args]])


def test_build_the_chain_then_rebuild_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "build"
    first = run_build(
        PLANS / "marathon-20wk", "--race-date", "2027-04-18", "--athlete", ATHLETE_FILE, "-o", out
    )
    assert first.exit_code == 0, first.output  # type: ignore[attr-defined]
    files = sorted(out.glob("*.fit"))
    assert len(files) == 60
    assert files[0].name == "2026-12-01_w01-tue_800m-repeats.fit"
    assert files == sorted(files, key=lambda p: p.name[:10])  # names sort by date
    workout = decode_checked(files[0].read_bytes())["workout_mesgs"][0]
    assert workout["wkt_name"] == "W01 Tue 800m repeats"
    stamps = {p: p.stat().st_mtime_ns for p in out.iterdir()}
    second = run_build(
        PLANS / "marathon-20wk", "--race-date", "2027-04-18", "--athlete", ATHLETE_FILE, "-o", out
    )
    assert "60 sessions: 0 written, 60 unchanged, 0 failed" in second.output  # type: ignore[attr-defined]
    assert {p: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    old = out / "2026-11-01_w00-sun_old-plan.fit"
    old.write_bytes(files[0].read_bytes())
    third = run_build(
        PLANS / "marathon-20wk", "--race-date", "2027-04-18", "--athlete", ATHLETE_FILE, "-o", out
    )
    assert f"note: {old} is not part of this build (left in place)" in third.stderr  # type: ignore[attr-defined]
    assert old.exists()


def test_the_calendar_imports(tmp_path: Path) -> None:
    import icalendar

    run_build(
        PLANS / "marathon-20wk",
        "--race-date",
        "2027-04-18",
        "--athlete",
        ATHLETE_FILE,
        "-o",
        tmp_path,
    )
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
    result = run_build(folder, "--race-date", "2026-12-06", "-o", tmp_path / "out")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert sorted(p.name for p in (tmp_path / "out").glob("*.fit")) == [
        "2026-11-30_w01-mon_good.fit",
        "2026-12-04_w01-fri_good.fit",
    ]
    stderr = result.stderr  # type: ignore[attr-defined]
    assert f"{library / 'bad.yaml'}:3:10: '5 parsecs' is not a duration" in stderr
    assert f"\n  scheduled at {folder / 'plan.yaml'}:6:10\n" in stderr
    assert "1 of 3 sessions failed to build" in stderr


def test_a_plain_folder_builds_every_workout(tmp_path: Path) -> None:
    result = run_build(WORKOUTS / "10k", "--athlete", ATHLETE_FILE, "-o", tmp_path)
    assert result.exit_code == 0
    assert len(list(tmp_path.glob("*.fit"))) == 6


def test_an_interrupted_write_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pacefit import files

    target = tmp_path / "x.fit"
    files.write_atomic(target, b"old contents")

    def fail(_: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(target, b"new contents that never land")
    assert target.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["x.fit"]


# -- push -------------------------------------------------------------------------------------


@pytest.fixture
def built(tmp_path: Path) -> Path:
    out = tmp_path / "build"
    run_build(WORKOUTS / "10k", "--athlete", ATHLETE_FILE, "-o", out)
    return out


def fake_watch(root: Path, name: str = "GARMIN_WATCH") -> Path:
    volume = root / name
    (volume / "GARMIN" / "NewFiles").mkdir(parents=True)
    return volume


def push(*args: str | Path, env: dict[str, str] | None = None) -> object:
    return CliRunner().invoke(cli, ["push", *[str(a) for a in args]], env=env)


def test_push_finds_the_watch_and_copies_verified(built: Path, tmp_path: Path) -> None:
    media = tmp_path / "media"
    watch = fake_watch(media)
    env = {"PACEFIT_MOUNT_ROOTS": str(media)}
    dry = push(built, "--dry-run", env=env)
    assert dry.exit_code == 0 and "6 would copy (dry run)" in dry.output  # type: ignore[attr-defined]
    assert not list((watch / "GARMIN" / "NewFiles").iterdir())
    result = push(built, env=env)
    assert result.exit_code == 0
    assert f"{watch}: 6 copied" in result.output  # type: ignore[attr-defined]
    for path in built.glob("*.fit"):
        assert (watch / "GARMIN" / "NewFiles" / path.name).read_bytes() == path.read_bytes()
    again = push(built, env=env)
    assert f"{watch}: 6 identical" in again.output  # type: ignore[attr-defined]


def test_push_never_replaces_a_different_file_unless_forced(built: Path, tmp_path: Path) -> None:
    watch = fake_watch(tmp_path / "media")
    victim = watch / "GARMIN" / "NewFiles" / "1k-repeats.fit"
    victim.write_bytes(b"the runner's own file")
    result = push(built, "--to", watch)
    assert result.exit_code == 1
    assert victim.read_bytes() == b"the runner's own file"
    assert "1 file(s) not copied" in result.stderr  # type: ignore[attr-defined]
    forced = push(built, "--to", watch, "--force")
    assert forced.exit_code == 0
    assert victim.read_bytes() == (built / "1k-repeats.fit").read_bytes()


def test_push_refuses_two_watches_and_explains_no_watch(built: Path, tmp_path: Path) -> None:
    media = tmp_path / "media"
    fake_watch(media, "A")
    fake_watch(media, "B")
    two = push(built, env={"PACEFIT_MOUNT_ROOTS": str(media), "PATH": ""})
    assert two.exit_code == 1 and "found 2 watches" in two.stderr  # type: ignore[attr-defined]
    none = push(built, env={"PACEFIT_MOUNT_ROOTS": str(tmp_path / "empty"), "PATH": ""})
    assert none.exit_code == 1
    assert "install the libmtp command-line tools" in none.stderr  # type: ignore[attr-defined]


def test_push_over_mtp_with_the_libmtp_tools(built: Path, tmp_path: Path) -> None:
    device = tmp_path / "mtp-device"
    (device / "GARMIN" / "NewFiles").mkdir(parents=True)
    (device / "GARMIN" / "NewFiles" / "mix-5k-10k.fit").write_bytes(b"already there")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tools = {
        "mtp-files": f'for f in "{device}"/GARMIN/NewFiles/*; do echo "File ID: 1"; '
        'echo "   Filename: $(basename "$f")"; done',
        "mtp-sendfile": f'cp "$1" "{device}/$2"',
        "mtp-delfile": f'rm "{device}/$2"',
    }
    for name, body in tools.items():
        script = bin_dir / name
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(0o755)
    env = {"PACEFIT_MOUNT_ROOTS": str(tmp_path / "none"), "PATH": f"{bin_dir}:/usr/bin:/bin"}
    result = push(built, env=env)
    assert result.exit_code == 1  # one name clash, refused
    assert (device / "GARMIN" / "NewFiles" / "mix-5k-10k.fit").read_bytes() == b"already there"
    assert (device / "GARMIN" / "NewFiles" / "1k-repeats.fit").read_bytes() == (
        built / "1k-repeats.fit"
    ).read_bytes()
    assert "the MTP watch: 5 copied, 1 refused" in result.output  # type: ignore[attr-defined]


# -- review -----------------------------------------------------------------------------------


def test_review_matches_runs_to_sessions_by_date(tmp_path: Path) -> None:
    import json

    folder = write_plan(
        tmp_path / "plan",
        f"""
        weeks: 2
        library: {WORKOUTS}
        schedule:
          2:
            tue: 10k/tempo-2x15.yaml
            fri: 10k/intervals-800.yaml
            race: races/10k.yaml
        """,
    )
    runs = tmp_path / "runs"
    runs.mkdir()
    for name in ("intervals-800-manual-laps.fit", "intervals-800-no-laps.gpx"):
        (runs / name).write_bytes((ROOT / "fixtures" / "runs" / name).read_bytes())
    (runs / "broken.fit").write_bytes(b"not a fit file")
    html = tmp_path / "review.html"
    args = [
        "review",
        str(folder),
        str(runs),
        "--race-date",
        "2026-11-22",
        "--athlete",
        str(ATHLETE_FILE),
        "--json",
    ]
    result = CliRunner().invoke(cli, [*args, "--html", str(html), "--workers", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["weeks"] == [
        {
            "week": 2,
            "monday": "2026-11-16",
            "planned": 3,
            "done": 1,
            "missed": 2,
            "mean_score": data["sessions"][1]["score"],
        }
    ]
    assert [s["status"] for s in data["sessions"]] == ["missed", "done", "missed"]
    assert data["sessions"][1]["verdicts"] == {"on target": 5, "fast": 1, "short": 1, "slow": 1}
    assert data["unmatched_runs"] == [str(runs / "intervals-800-no-laps.gpx")]
    assert data["unreadable_runs"][0]["run"] == str(runs / "broken.fit")
    assert "<table>" in html.read_text()
    one_worker = CliRunner().invoke(cli, [*args, "--workers", "1"])
    assert json.loads(one_worker.stdout) == data
