"""The review job: runs matched to a plan's sessions, each run read once."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

import pytest

from pacefit.core.activity import Activity
from pacefit.formats import read_activity
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.analyze import analyze_run
from pacefit.jobs.review import Review, review_plan, run_score
from pacefit.simulate import LapMode, Script, simulate, to_fit_bytes

from .helpers import ATHLETE_FILE, REAL, RUNS, WORKOUTS, run_cli, write_plan

ATHLETE = load_athlete(ATHLETE_FILE)
RACE_DAY = "2026-11-22"  # a Sunday; week 2 runs from Monday 16 November


@pytest.fixture(autouse=True)
def _after_the_race(monkeypatch: pytest.MonkeyPatch) -> None:
    """The block is over when these reviews run: a session with no run is missed."""
    monkeypatch.setenv("PACEFIT_TODAY", "2026-12-02")


@functools.cache
def tempo_a_day_late() -> bytes:
    """Simulated once for the module: making a run's FIT file takes seconds."""
    tempo = load_workout(WORKOUTS / "10k" / "tempo-2x15.yaml", athlete=ATHLETE)
    wednesday = dt.datetime(2026, 11, 18, 7, 0, tzinfo=dt.UTC)
    script = Script(workout=tempo, laps=LapMode.MANUAL, embed_workout=False, start_time=wednesday)
    return to_fit_bytes(simulate(script))


def plan_and_runs(tmp_path: Path) -> tuple[Path, Path]:
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
    # the 800s on their Friday, as FIT and as a GPX copy of the same run
    for name in ("intervals-800-manual-laps.fit", "intervals-800-no-laps.gpx"):
        (runs / name).write_bytes((RUNS / name).read_bytes())
    # Tuesday's tempo run on Wednesday
    (runs / "tempo-a-day-late.fit").write_bytes(tempo_a_day_late())
    (runs / "broken.fit").write_bytes(b"not a fit file")
    return folder, runs


def test_review_matches_runs_to_sessions(tmp_path: Path) -> None:
    folder, runs = plan_and_runs(tmp_path)
    review = review_plan(
        folder, runs, race_date=dt.date.fromisoformat(RACE_DAY), athlete=ATHLETE, workers=1
    )
    tempo, intervals, race = review.sessions
    assert (tempo.status, tempo.run, tempo.note) == (
        "done",
        runs / "tempo-a-day-late.fit",
        "run a day late (2026-11-18)",
    )
    assert (intervals.status, intervals.run) == ("done", runs / "intervals-800-manual-laps.fit")
    assert intervals.result is not None
    assert intervals.result.verdicts == {"on target": 3, "fast": 1, "short": 1, "slow": 1}
    assert race.status == "missed"
    assert review.duplicates == (
        (runs / "intervals-800-no-laps.gpx", runs / "intervals-800-manual-laps.fit"),
    )
    assert review.unmatched_runs == ()
    ((path, error),) = review.unreadable_runs
    assert path == runs / "broken.fit"
    assert str(error) == f"{path}: not a FIT file"
    (week,) = review.weeks
    assert (week.week, week.monday, week.planned, week.done, week.missed) == (
        2,
        dt.date(2026, 11, 16),
        3,
        2,
        1,
    )


def test_review_from_the_command_line_with_workers(tmp_path: Path) -> None:
    folder, runs = plan_and_runs(tmp_path)
    html = tmp_path / "review.html"
    args = ["review", folder, runs, "--race-date", RACE_DAY, "--athlete", ATHLETE_FILE]
    result = run_cli(*args, "--json", "--html", html, "--workers", "2")
    # the broken file is listed, the rest reviewed, and the exit code says something was skipped
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1] == (
        "Error: 1 run file(s) could not be read or scored; the others were reviewed"
    )
    data = json.loads(result.stdout)
    assert [s["status"] for s in data["sessions"]] == ["done", "done", "missed"]
    assert data["sessions"][0]["note"] == "run a day late (2026-11-18)"
    assert data["duplicate_runs"] == [
        {
            "run": str(runs / "intervals-800-no-laps.gpx"),
            "same_as": str(runs / "intervals-800-manual-laps.fit"),
        }
    ]
    page = html.read_text()
    assert "run a day late (2026-11-18)" in page and "Tempo 2x15min" in page
    one_worker = run_cli(*args, "--json", "--workers", "1")
    assert json.loads(one_worker.stdout) == data
    table = run_cli(*args).stdout.splitlines()
    assert "same run as intervals-800-manual-laps.fit: intervals-800-no-laps.gpx" in table
    assert "not judged: broken.fit: not a FIT file" in table
    # sessions named as the watch shows them; the week's score counts the missed race as 0
    assert any(line.startswith("2026-11-20  W02 Fri  6x800m 5K-") for line in table)
    assert data["weeks"][0]["mean_score"] == pytest.approx(
        sum(s["score"] for s in data["sessions"] if s["score"] is not None) / 3, abs=0.1
    )
    assert all(len(line) <= 80 for line in table)
    # notes are carried on to the next line, never cut off
    assert "tempo-a-day-late.fit, run a day late (2026-11-18)" in " ".join(
        line.strip() for line in table
    )


def test_a_file_that_fails_unexpectedly_is_named_and_the_rest_reviewed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, runs = plan_and_runs(tmp_path)
    (runs / "broken.fit").unlink()

    def read_with_a_bug(path: Path, **options: Any) -> Activity:
        if path.name == "intervals-800-manual-laps.fit":
            raise IndexError("tuple index out of range")  # a decoder bug a damaged file hits
        return read_activity(path, **options)

    monkeypatch.setattr("pacefit.jobs.review.read_activity", read_with_a_bug)
    result = review_plan(
        folder, runs, race_date=dt.date.fromisoformat(RACE_DAY), athlete=ATHLETE, workers=1
    )
    ((path, error),) = result.unreadable_runs
    assert path == runs / "intervals-800-manual-laps.fit"
    assert str(error).splitlines()[0] == (
        f"{path}: pacefit could not read this run: something in the file made it fail in a way "
        "it does not handle"
    )
    assert "IndexError" not in str(error) and "tuple index" not in str(error)
    tempo, intervals, _ = result.sessions
    assert tempo.status == "done"
    # the GPX copy of the same run, no longer a copy of a file that was read, takes its place
    assert (intervals.status, intervals.run) == ("done", runs / "intervals-800-no-laps.gpx")


def test_a_bug_in_scoring_is_named_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, runs = plan_and_runs(tmp_path)

    def analyze_with_a_bug(activity: Activity, workout: Any, **options: Any) -> Any:
        if activity.source.endswith("tempo-a-day-late.fit"):
            raise ZeroDivisionError("float division by zero")
        return analyze_run(activity, workout, **options)

    monkeypatch.setattr("pacefit.jobs.review.analyze_run", analyze_with_a_bug)
    result = review_plan(
        folder, runs, race_date=dt.date.fromisoformat(RACE_DAY), athlete=ATHLETE, workers=1
    )
    named = {path.name: str(error) for path, error in result.unreadable_runs}
    assert set(named) == {"broken.fit", "tempo-a-day-late.fit"}
    assert "could not score this run" in named["tempo-a-day-late.fit"]
    assert "ZeroDivisionError" not in named["tempo-a-day-late.fit"]
    tempo, intervals, _ = result.sessions
    assert (tempo.status, intervals.status) == ("error", "done")


def test_a_run_page_that_cannot_be_drawn_is_named_and_the_others_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review scores without what only a page shows, so a failure there appears when the
    pages are drawn: that run is named in one line, its page left out, the rest written."""
    from pacefit.core.figures import lap_figures

    folder, runs = plan_and_runs(tmp_path)

    def failing_for_the_tempo(activity: Activity, *args: Any) -> Any:
        if activity.source.endswith("tempo-a-day-late.fit"):
            raise ZeroDivisionError("float division by zero")
        return lap_figures(activity, *args)

    monkeypatch.setattr("pacefit.core.score.lap_figures", failing_for_the_tempo)
    html = tmp_path / "pages" / "review.html"
    result = run_cli(
        "review", folder, runs, "--race-date", RACE_DAY, "--athlete", ATHLETE_FILE,
        "--html", html, "--workers", "1",
    )  # fmt: skip
    assert result.exit_code == 1
    tempo = runs / "tempo-a-day-late.fit"
    assert f"{tempo}: pacefit could not draw the page of this run" in result.stderr
    assert "ZeroDivisionError" not in result.output
    assert result.stderr.splitlines()[-1] == (
        "Error: 1 run file(s) could not be read or scored; 1 run page(s) could not be drawn; "
        "the others were reviewed"
    )
    written = sorted(path.name for path in html.parent.rglob("*.html"))
    assert "review.html" in written
    assert any("intervals-800" in name for name in written)
    assert not any("tempo" in name for name in written)


def test_each_kept_run_is_scored_once_against_its_own_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, runs = plan_and_runs(tmp_path)
    (runs / "intervals-800-no-laps.gpx").unlink()
    scored: list[tuple[str, str]] = []

    def counting(activity: Activity, workout: Any, **options: Any) -> Any:
        scored.append((Path(activity.source).name, workout.name))
        return analyze_run(activity, workout, **options)

    monkeypatch.setattr("pacefit.jobs.review.analyze_run", counting)
    review_plan(folder, runs, race_date=dt.date.fromisoformat(RACE_DAY), athlete=ATHLETE, workers=1)
    assert sorted(scored) == [
        ("intervals-800-manual-laps.fit", "6x800m 5K-"),
        ("tempo-a-day-late.fit", "Tempo 2x15min"),
    ]


def test_a_review_that_could_judge_nothing_is_an_error(tmp_path: Path) -> None:
    """Without the athlete file no session with a race pace can be scored: one error that says
    why, not a table of sessions each marked `error` and exit 0."""
    folder, runs = plan_and_runs(tmp_path)
    result = run_cli("review", folder, runs, "--race-date", RACE_DAY)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-2].startswith(
        "error: none of the 2 run(s) matched to a session could be scored: "
    )
    assert lines[-2].endswith("pace 'easy' needs the athlete's race times")
    assert lines[-1].startswith("  hint: pass --athlete FILE")
    assert result.stdout == ""


def _reviewed_on(today: dt.date, folder: Path, runs: Path) -> Review:
    return review_plan(
        folder,
        runs,
        race_date=dt.date.fromisoformat(RACE_DAY),
        athlete=ATHLETE,
        workers=1,
        today=today,
    )


def test_a_session_still_to_come_is_not_missed(tmp_path: Path) -> None:
    """Reviewed on the Friday of race week, the race on Sunday is still to come: not missed,
    and left out of the week's score, which the two sessions done make."""
    folder, runs = plan_and_runs(tmp_path)
    review = _reviewed_on(dt.date(2026, 11, 20), folder, runs)
    assert [s.status for s in review.sessions] == ["done", "done", "upcoming"]
    (week,) = review.weeks
    assert (week.planned, week.done, week.missed, week.upcoming) == (3, 2, 0, 1)
    done = [s.result.score for s in review.sessions if s.result and s.result.score is not None]
    assert week.mean_score == pytest.approx(sum(done) / len(done))
    result = run_cli(
        "review", folder, runs, "--race-date", RACE_DAY, "--athlete", ATHLETE_FILE,
        env={"PACEFIT_TODAY": "2026-11-20"},
    )  # fmt: skip
    assert any(line.endswith("to come") for line in result.stdout.splitlines())


def test_a_run_dated_after_today_is_not_judged(tmp_path: Path) -> None:
    """Reviewed on the Wednesday, the 800s dated Friday were not run yet: a recorder's clock
    was wrong, and the Friday session is still to come, not done."""
    folder, runs = plan_and_runs(tmp_path)
    review = _reviewed_on(dt.date(2026, 11, 18), folder, runs)
    assert [s.status for s in review.sessions] == ["done", "upcoming", "upcoming"]
    not_yet = {path.name: error.message for path, error in review.unreadable_runs}
    assert not_yet.pop("broken.fit") == "not a FIT file"
    assert not_yet == dict.fromkeys(
        ("intervals-800-manual-laps.fit", "intervals-800-no-laps.gpx"),
        "the run is dated 2026-11-20, after today (2026-11-18): it cannot have been run yet",
    )


# Every bundled run with the workout it followed, and every real run of the ground truth.
SCORED = [
    (RUNS / f"{run}.{suffix}", WORKOUTS / workout)
    for run, suffixes, workout in (
        ("intervals-800-watch", ("fit", "gpx"), "10k/intervals-800.yaml"),
        ("intervals-800-manual-laps", ("fit",), "10k/intervals-800.yaml"),
        ("intervals-800-no-laps", ("fit", "gpx"), "10k/intervals-800.yaml"),
        ("intervals-800-auto-laps", ("fit",), "10k/intervals-800.yaml"),
        ("tempo-skipped-block", ("fit",), "10k/tempo-2x15.yaml"),
        ("repeats-1k-treadmill", ("fit",), "10k/repeats-1k.yaml"),
    )
    for suffix in suffixes
] + [
    (REAL / name, REAL / case["workout"])
    for case in (
        json.loads((REAL / "truth.json").read_text())["cases"]
        if (REAL / "truth.json").exists()
        else []
    )
    for name in case["analyse"]
]


@pytest.mark.parametrize(("run", "workout_path"), SCORED, ids=[run.name for run, _ in SCORED])
def test_a_review_scores_as_the_run_page_does(run: Path, workout_path: Path) -> None:
    """A review leaves out the figures only a run's page shows, and nothing a score, a
    verdict or a trend is made of."""
    activity = read_activity(run)
    workout = load_workout(workout_path, athlete=ATHLETE)
    full = analyze_run(activity, workout)
    lean = analyze_run(activity, workout, scoring_only=True)
    assert run_score(lean) == run_score(full)
    assert [
        (s.verdict, s.score, s.avg_pace_s_per_km, s.completed_fraction, s.figures.avg_hr_bpm)
        for s in lean.steps
    ] == [
        (s.verdict, s.score, s.avg_pace_s_per_km, s.completed_fraction, s.figures.avg_hr_bpm)
        for s in full.steps
    ]
    assert (lean.score, lean.repeats) == (full.score, full.repeats)
