"""The training log (`pacefit log`): runs kept in the database, matched and scored as `review`
matches and scores the same files, one run per file, nothing kept of a file pacefit refuses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from pacefit.errors import PacefitError
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.jobs.block import review_block
from pacefit.jobs.build import plan_schedule
from pacefit.jobs.log import (
    AthleteLog,
    add_athlete,
    athlete_log,
    import_run,
    log_block,
    read_plans_again,
    rescore,
)
from pacefit.jobs.review import SessionReview, sessions_context
from pacefit.store.database import RunFile, Store

from .helpers import ATHLETE_FILE, run_cli, shared_fixture, write_athlete
from .log_server import (
    EASY_DAY,
    INTERVALS_DAY,
    RACE_DATE,
    database_url,
    simulated_run,
    week_plan,
)

TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return database_url(tmp_path)


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    opened = Store.open(db)
    yield opened
    opened.close()


@pytest.fixture
def log(store: Store, tmp_path: Path) -> AthleteLog:
    added, created = add_athlete(
        store, ATHLETE_FILE, plan_folder=week_plan(tmp_path), race_date=dt.date(2026, 11, 29)
    )
    assert created
    return added


@pytest.fixture(scope="module")
def week_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The week's two sessions run, the 800s also as a GPX copy of the same run."""
    folder = tmp_path_factory.mktemp("runs")
    (folder / "easy.fit").write_bytes(simulated_run("easy/easy-run.yaml", EASY_DAY))
    intervals = ("10k/intervals-800.yaml", INTERVALS_DAY)
    (folder / "800s.fit").write_bytes(simulated_run(*intervals))
    (folder / "800s.gpx").write_bytes(simulated_run(*intervals, kind="gpx"))
    return folder


def test_the_log_scores_each_session_as_review_scores_the_same_files(
    store: Store, log: AthleteLog, week_runs: Path, tmp_path: Path
) -> None:
    for path in sorted(week_runs.iterdir()):
        import_run(store, log, path.read_bytes(), path.name, today=TODAY)
    shown = log_block(store, log, today=TODAY)
    assert shown.block is not None
    reviewed = review_block(
        tmp_path / "plan",
        week_runs,
        race_date=dt.date(2026, 11, 29),
        athlete=load_athlete(ATHLETE_FILE),
        workers=1,
        today=TODAY,
    )
    logged = [(s.status, s.result and s.result.score, s.note) for s in shown.block.review.sessions]
    expected = [(s.status, s.result and s.result.score, s.note) for s in reviewed.review.sessions]
    assert logged == expected
    assert [s.status for s in shown.block.review.sessions] == ["done", "done"]
    # the GPX is the same run as the FIT: kept, not scored twice, shown as a copy
    assert [(c.name, k.name) for c, k in shown.block.review.duplicates] == [
        ("800s.gpx", "800s.fit")
    ]


def test_the_same_file_twice_is_one_run(store: Store, log: AthleteLog, week_runs: Path) -> None:
    data = (week_runs / "easy.fit").read_bytes()
    first = import_run(store, log, data, "easy.fit", today=TODAY)
    again = import_run(store, log, data, "renamed.fit", today=TODAY)
    assert first.new and not again.new
    assert again.run.id == first.run.id
    assert len(store.runs(log.record.id)) == 1
    assert first.session is not None and first.session.session.label == "W01 Tue"


def test_of_two_files_of_one_run_the_first_kept_counts(store: Store, log: AthleteLog) -> None:
    """A run sent again as another file (a re-export) is a copy of the one kept first, also
    where the log's run numbers go from one digit to two ("run 10" sorts before "run 9")."""
    for n in range(8):  # runs 1-8: the winter before, in no session
        day = dt.date(2026, 1, 5) + dt.timedelta(days=n)
        store.add_run(
            log.record.id,
            RunFile(
                sha256=f"{n:064x}",
                file_name=f"winter-{n}.fit",
                file_format="fit",
                content=b"not read: in no session",
                start_time=dt.datetime(day.year, day.month, day.day, 7, tzinfo=dt.UTC),
                local_date=day,
                sport="running",
                distance_m=8000.0,
                timer_s=2800.0,
                speed_quantiles_mps=(2.6, 2.8, 3.0),
            ),
        )
    intervals = ("10k/intervals-800.yaml", INTERVALS_DAY)
    first = import_run(store, log, simulated_run(*intervals, seed=1), "800s.fit", today=TODAY)
    again = import_run(store, log, simulated_run(*intervals, seed=2), "export.fit", today=TODAY)
    assert (first.run.id, again.run.id) == (9, 10)
    assert again.same_as == first.run
    shown = log_block(store, athlete_log(store, log.record.id), today=TODAY)
    assert shown.copy_of == {10: 9}
    assert 9 in shown.run_of_session.values() and 10 not in shown.run_of_session.values()


def test_a_file_pacefit_refuses_is_not_kept(store: Store, log: AthleteLog) -> None:
    corrupt = shared_fixture("fit/invalid/activity-unexpected-eof.fit")
    with pytest.raises(PacefitError) as refused:
        import_run(store, log, corrupt.read_bytes(), "mine.fit", today=TODAY)
    assert str(refused.value).startswith("mine.fit: ")
    with pytest.raises(PacefitError, match="neither FIT nor GPX nor TCX"):
        import_run(store, log, b"hello, not a run", "run.fit", today=TODAY)
    assert store.runs(log.record.id) == []


def test_a_run_on_no_session_day_is_kept_as_unplanned(store: Store, log: AthleteLog) -> None:
    saturday = simulated_run("easy/easy-run.yaml", dt.date(2026, 11, 21))
    imported = import_run(store, log, saturday, "saturday.fit", today=TODAY)
    assert imported.new and imported.session is None
    shown = log_block(store, log, today=TODAY)
    assert [run.path.name for _, run in shown.unplanned] == ["saturday.fit"]


def test_the_log_is_there_when_opened_again_and_rescore_gives_the_same_scores(
    db: str, store: Store, log: AthleteLog, week_runs: Path
) -> None:
    for path in sorted(week_runs.iterdir()):
        import_run(store, log, path.read_bytes(), path.name, today=TODAY)
    before = store.scores(log.plan.record.id if log.plan else 0)
    store.close()
    reopened = Store.open(db)
    try:
        assert len(reopened.runs(log.record.id)) == 3
        assert reopened.scores(log.plan.record.id if log.plan else 0) == before
        assert rescore(reopened).runs == 3
        assert reopened.scores(log.plan.record.id if log.plan else 0) == before
    finally:
        reopened.close()


Row = tuple[str, str, float | None]  # a session's workout file, status and score


def _rows(sessions: Sequence[SessionReview]) -> list[Row]:
    return [
        (s.session.spec.workout_path.name, s.status, s.result.score if s.result else None)
        for s in sessions
    ]


def _scored(store: Store, log: AthleteLog) -> list[Row]:
    """Each session of the athlete's block as the log shows it now."""
    shown = log_block(store, athlete_log(store, log.record.id), today=TODAY)
    assert shown.block is not None
    return _rows(shown.block.review.sessions)


def _reviewed(plan: Path, runs: Path, athlete: Path = ATHLETE_FILE) -> list[Row]:
    reviewed = review_block(
        plan, runs, race_date=RACE_DATE, athlete=load_athlete(athlete), workers=1, today=TODAY
    )
    return _rows(reviewed.review.sessions)


def _the_800s_kept(store: Store, log: AthleteLog, tmp_path: Path) -> Path:
    """Thursday's 800s run and kept in the log; the folder it is in (for `review`)."""
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "800s.fit").write_bytes(simulated_run("10k/intervals-800.yaml", INTERVALS_DAY))
    import_run(store, log, (runs / "800s.fit").read_bytes(), "800s.fit", today=TODAY)
    return runs


def test_an_edited_plan_shows_at_once_and_its_runs_are_scored_against_it(
    store: Store, log: AthleteLog, tmp_path: Path
) -> None:
    runs = _the_800s_kept(store, log, tmp_path)
    before = _scored(store, log)
    assert before[1][:2] == ("intervals-800.yaml", "done")
    # the coach makes Thursday the tempo run while the log is open: the same run, judged again
    plan_file = tmp_path / "plan" / "plan.yaml"
    plan_file.write_text(plan_file.read_text().replace("10k/intervals-800", "10k/tempo-2x15"))
    after = _scored(store, log)
    assert after == _reviewed(tmp_path / "plan", runs)
    assert after[1][0] == "tempo-2x15.yaml" and after[1][2] != before[1][2]


def test_a_plan_saved_while_it_is_read_is_read_again(
    store: Store, log: AthleteLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = _the_800s_kept(store, log, tmp_path)
    read_plans_again()
    plan_file = tmp_path / "plan" / "plan.yaml"
    edited = plan_file.read_text().replace("10k/intervals-800", "10k/tempo-2x15")

    def save_lands_meanwhile(*args: Any, **kwargs: Any) -> Any:
        # the coach's save lands after the plan file was read, before its workouts are
        if plan_file.read_text() != edited:
            plan_file.write_text(edited)
        return sessions_context(*args, **kwargs)

    monkeypatch.setattr("pacefit.jobs.log.sessions_context", save_lands_meanwhile)
    shown = _scored(store, log)
    assert shown[1][0] == "tempo-2x15.yaml"
    assert shown == _scored(store, log) == _reviewed(tmp_path / "plan", runs)


def test_a_plan_caught_half_saved_is_read_again_once_saved(
    store: Store, log: AthleteLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_plans_again()
    plan_file = tmp_path / "plan" / "plan.yaml"
    whole = plan_file.read_text().replace("10k/intervals-800", "10k/tempo-2x15")
    plan_file.write_text(whole[: len(whole) // 2] + "\n  - [")  # an editor mid-save
    calls = []

    def read_while_the_save_ends(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        try:
            return plan_schedule(*args, **kwargs)
        finally:
            plan_file.write_text(whole)

    monkeypatch.setattr("pacefit.jobs.log.plan_schedule", read_while_the_save_ends)
    shown = athlete_log(store, log.record.id)
    assert shown.plan_error is None and len(calls) == 2
    assert shown.plan is not None
    assert [p.name for p in shown.plan.planned] == ["Easy run 8km", "Tempo 2x15min"]


def test_a_plan_that_keeps_changing_while_it_is_read_says_so(
    store: Store, log: AthleteLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_plans_again()
    plan_file = tmp_path / "plan" / "plan.yaml"

    def a_save_in_every_read(*args: Any, **kwargs: Any) -> Any:
        plan_file.write_text(plan_file.read_text() + "\n")
        return sessions_context(*args, **kwargs)

    monkeypatch.setattr("pacefit.jobs.log.sessions_context", a_save_in_every_read)
    shown = athlete_log(store, log.record.id)
    assert shown.plan is None and shown.plan_error is not None
    assert shown.plan_error.headline == (
        f"{tmp_path / 'plan'}: the plan's files changed while they were read, 3 times over"
    )


def test_new_race_times_score_the_kept_runs_again(
    store: Store, log: AthleteLog, tmp_path: Path
) -> None:
    runs = _the_800s_kept(store, log, tmp_path)
    before = _scored(store, log)
    # a faster 10K: the 800s the runner ran at the old paces are now too slow
    faster = tmp_path / "faster.yaml"
    faster.write_text(ATHLETE_FILE.read_text().replace('10k: "45:00"', '10k: "41:00"'))
    assert faster.read_text() != ATHLETE_FILE.read_text()
    add_athlete(store, faster, plan_folder=tmp_path / "plan", race_date=RACE_DATE)
    after = _scored(store, log)
    assert after == _reviewed(tmp_path / "plan", runs, faster)
    assert after[1][2] != before[1][2]


def test_a_log_from_before_scores_its_runs_again_once_and_keeps_them(
    db: str, store: Store, log: AthleteLog, tmp_path: Path
) -> None:
    from importlib import resources

    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from pacefit.store.database import database_url as normalised

    run = simulated_run("10k/intervals-800.yaml", INTERVALS_DAY)
    import_run(store, log, run, "800s.fit", today=TODAY)
    scored = _scored(store, log)
    # the log as pacefit made it before plans knew the version their scores are of
    store.close()
    config = Config()
    config.set_main_option("script_location", str(resources.files("pacefit.store") / "migrations"))
    # SQLite drops a column by copying the table: without foreign keys, which would take the
    # scores with the old one
    engine = sa.create_engine(normalised(db))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    engine.dispose()
    reopened = Store.open(db)  # brought up to date
    try:
        plan_id = log.plan.record.id if log.plan else 0
        old = reopened.current_plan(log.record.id)
        assert old is not None and old.scored_against is None
        assert len(reopened.scores(plan_id)) == 1  # kept until the plan is read
        assert _scored(reopened, log) == scored  # scored again, the same
        new = reopened.current_plan(log.record.id)
        assert new is not None and new.scored_against is not None
        assert len(reopened.scores(plan_id)) == 1
        assert not reopened.forget_scores_unless(plan_id, new.scored_against)  # only once
        assert [r.file_name for r in reopened.runs(log.record.id)] == ["800s.fit"]
    finally:
        reopened.close()


def test_a_run_dated_after_today_is_refused_and_nothing_kept(store: Store, log: AthleteLog) -> None:
    later = TODAY + dt.timedelta(days=2)
    with pytest.raises(PacefitError) as refused:
        import_run(store, log, simulated_run("easy/easy-run.yaml", later), "x.fit", today=TODAY)
    assert refused.value.headline == (
        "x.fit: the run is dated 2026-11-30, after today (2026-11-28): it cannot have been run yet"
    )
    assert store.runs(log.record.id) == []
    # a day ahead is today for a runner east of the computer
    tomorrow = TODAY + dt.timedelta(days=1)
    east = simulated_run("easy/easy-run.yaml", tomorrow, hour=0)
    assert import_run(store, log, east, "east.fit", today=TODAY).new


def test_a_score_made_against_a_plan_edited_meanwhile_is_not_kept(
    store: Store, log: AthleteLog
) -> None:
    run = simulated_run("10k/intervals-800.yaml", INTERVALS_DAY)
    record = import_run(store, log, run, "800s.fit", today=TODAY).run
    assert log.plan is not None
    plan_id, version = log.plan.record.id, log.plan.version
    kept = store.scores(plan_id)
    [(run_id, number)] = kept  # the 800s' session
    assert run_id == record.id
    # the upload was scored against the plan as it was; the coach's edit landed meanwhile
    assert store.forget_scores_unless(plan_id, "the edited plan")
    store.save_scores(plan_id, version, [(run_id, number, kept[run_id, number])])
    assert store.scores(plan_id) == {}


def test_an_athlete_is_not_kept_without_the_plan_they_came_with(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Store, "_assign_plan", staticmethod(fail))
    with pytest.raises(RuntimeError):
        add_athlete(store, ATHLETE_FILE, plan_folder=week_plan(tmp_path), race_date=RACE_DATE)
    assert store.athletes() == []


def test_log_import_and_show_on_the_command_line(
    db: str, week_runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PACEFIT_TODAY", str(TODAY))
    plan = week_plan(tmp_path)
    args = ["--db", db, "--athlete", ATHLETE_FILE, "--plan", plan, "--race-date", "2026-11-29"]
    imported = run_cli("log", "import", week_runs, *args)
    assert imported.exit_code == 0, imported.output
    lines = imported.stdout.splitlines()
    assert lines[0] == "added Sam Example on One week (race 2026-11-29)"
    assert f"{week_runs / '800s.gpx'}: the same run as 800s.fit, which is scored instead" in lines
    assert lines[-1] == "3 new run(s) kept, 0 already there, 0 refused"
    again = run_cli("log", "import", week_runs / "easy.fit", "--db", db)
    assert again.stdout.splitlines()[-1] == "0 new run(s) kept, 1 already there, 0 refused"
    shown = run_cli("log", "show", "--db", db)
    assert shown.exit_code == 0, shown.output
    assert "2026-11-24  W01 Tue  Easy run 8km" in shown.stdout
    assert "2026-11-26  W01 Thu  6x800m 5K-         100     800s.fit" in shown.stdout


def test_a_mistyped_log_is_not_made_by_a_command_that_only_reads(tmp_path: Path) -> None:
    missing = tmp_path / "lgo.sqlite"
    for command in (["log", "show"], ["log", "rescore"], ["serve"]):
        result = run_cli(*command, "--db", missing)
        assert result.exit_code == 1, command
        assert result.stderr.splitlines()[0] == f"{missing}: there is no log here"
    assert not missing.exists()


def test_log_import_for_a_second_athlete_keeps_the_runs_as_theirs(
    db: str, week_runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PACEFIT_TODAY", str(TODAY))
    first = run_cli("log", "import", week_runs / "easy.fit", "--db", db, "--athlete", ATHLETE_FILE)
    assert first.exit_code == 0, first.output
    second = tmp_path / "alex"
    second.mkdir()
    alex = write_athlete(second, 'name: Alex Second\nraces:\n  5k: "20:00"\n')
    imported = run_cli("log", "import", week_runs / "800s.fit", "--db", db, "--athlete", alex)
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.splitlines()[0] == "added Alex Second"
    shown = run_cli("log", "show", "--db", db, "--name", "Alex Second")
    assert "800s.fit" in shown.stdout and "easy.fit" not in shown.stdout


def test_log_import_names_the_line_of_a_mistake_in_a_file(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.gpx"
    bad.write_text('<?xml version="1.0"?>\n<gpx version="1.1">\n<trk><trkseg>\n<trkpt lat=1>\n')
    result = run_cli("log", "import", bad, "--db", db, "--athlete", ATHLETE_FILE)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{bad}:4:")


def test_log_import_of_a_corrupt_file_says_why_in_one_line_and_fails(
    db: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.fit"
    bad.write_bytes(b"\x0e\x10" + b"\x00" * 30)
    result = run_cli("log", "import", bad, "--db", db, "--athlete", ATHLETE_FILE)
    assert result.exit_code == 1
    assert f"{bad}: " in result.stderr and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output
    assert result.stdout.splitlines()[-1] == "0 new run(s) kept, 0 already there, 1 refused"


def test_a_database_url_pacefit_cannot_use_is_one_line(tmp_path: Path) -> None:
    result = run_cli("log", "show", "--db", "mysql://me@host/db")
    assert result.exit_code == 1
    assert result.stderr.startswith("mysql://me@host/db: pacefit keeps its log in SQLite")
    secret = run_cli("log", "show", "--db", "mysql://me:s3cret@host/db")
    assert "s3cret" not in secret.output and "***" in secret.stderr
    driver = run_cli("log", "show", "--db", "postgresql+psycopg2://me:s3cret@host/db")
    assert driver.exit_code == 1
    assert driver.stderr.startswith(
        "postgresql+psycopg2://me:***@host/db: pacefit reaches PostgreSQL through psycopg (3)"
    )
    assert len(driver.stderr.splitlines()) <= 2  # the line and its hint
