"""Matching runs to sessions: the same day first, a day either side with a note, and cheap
evidence (sport, length, a speed signature) deciding between sessions that compete."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from pacefit.core.matching import (
    Match,
    RunFacts,
    match_run,
    match_runs,
    one_file_per_run,
    run_facts,
    session_facts,
    sessions_by_date,
)
from pacefit.core.workout import Workout
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.workout_yaml import load_workout
from pacefit.simulate import LapMode, Script, as_activity, simulate

from .helpers import ATHLETE_FILE, WORKOUTS

ATHLETE = load_athlete(ATHLETE_FILE)
EASY = load_workout(WORKOUTS / "easy" / "easy-run.yaml", athlete=ATHLETE)
INTERVALS = load_workout(WORKOUTS / "10k" / "intervals-800.yaml", athlete=ATHLETE)
TEMPO = load_workout(WORKOUTS / "10k" / "tempo-2x15.yaml", athlete=ATHLETE)
FRIDAY = dt.date(2026, 11, 20)


def facts_of(workout: Workout, *, name: str, hour: int, day: dt.date = FRIDAY) -> RunFacts:
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
    script = Script(workout=workout, laps=LapMode.NONE, embed_workout=False, start_time=start)
    return run_facts(as_activity(simulate(script), name=name))


def test_two_runs_of_a_day_go_to_their_own_sessions_whatever_their_order() -> None:
    # a double day: intervals listed first, the easy run recorded first, no laps to tell
    sessions = [session_facts(0, FRIDAY, INTERVALS), session_facts(1, FRIDAY, EASY)]
    easy = facts_of(EASY, name="morning.fit", hour=6)
    intervals = facts_of(INTERVALS, name="evening.fit", hour=18)
    chosen, unmatched = match_runs([easy, intervals], sessions)
    assert {number: run.source for number, (run, _) in chosen.items()} == {
        0: "evening.fit",
        1: "morning.fit",
    }
    assert unmatched == []
    # one run at a time (as a server receives them) gets the same answer
    by_date = sessions_by_date(sessions)
    assert match_run(easy, by_date) == Match(1)
    assert match_run(intervals, by_date) == Match(0)
    assert match_run(intervals, by_date, taken=frozenset({0})) == Match(1)


def test_the_same_day_comes_first_then_a_day_either_side_with_a_note() -> None:
    thursday = FRIDAY - dt.timedelta(days=1)
    sessions = [session_facts(0, thursday, TEMPO), session_facts(1, FRIDAY, EASY)]
    tempo_late = facts_of(TEMPO, name="tempo.fit", hour=7)  # run on Friday
    chosen, _ = match_runs([tempo_late], sessions)
    # a run on the day of a session is that session, however unlike it
    assert chosen[1][0].source == "tempo.fit" and chosen[1][1].note == ""
    easy = facts_of(EASY, name="easy.fit", hour=18)
    chosen, unmatched = match_runs([tempo_late, easy], sessions)
    assert (chosen[0][0].source, chosen[0][1].note) == ("tempo.fit", "run a day late (2026-11-20)")
    assert chosen[1][0].source == "easy.fit" and unmatched == []


def test_another_sport_is_never_the_session() -> None:
    ride = replace(session_facts(0, FRIDAY, EASY), sport="cycling")
    run = facts_of(EASY, name="run.fit", hour=7)
    assert match_runs([run], [ride]) == ({}, [run])
    assert match_run(run, sessions_by_date([ride])) is None


def test_a_fit_is_preferred_over_its_gpx_copy() -> None:
    fit = facts_of(EASY, name="run.fit", hour=7)
    gpx = replace(fit, source="run.gpx", file_format="gpx")
    other = facts_of(EASY, name="later.fit", hour=12)
    kept, copies = one_file_per_run([gpx, other, fit])
    assert [r.source for r in kept] == ["run.fit", "later.fit"]
    assert copies == [("run.gpx", "run.fit")]


def _copies_by_pairs(runs: list[RunFacts]) -> tuple[list[RunFacts], list[tuple[str, str]]]:
    """The rule as first written: each run against every run kept before it."""
    ordered = sorted(runs, key=lambda r: ({"fit": 0, "tcx": 1, "gpx": 2}[r.file_format], r.source))
    kept: list[RunFacts] = []
    copies = []
    for run in ordered:
        twin = next(
            (
                k
                for k in kept
                if k.start_time is not None
                and run.start_time is not None
                and abs((k.start_time - run.start_time).total_seconds()) <= 120
            ),
            None,
        )
        if twin is None:
            kept.append(run)
        else:
            copies.append((run.source, twin.source))
    kept.sort(key=lambda r: (r.start_time or dt.datetime.min.replace(tzinfo=dt.UTC), r.source))
    return kept, copies


@given(
    st.lists(
        st.tuples(st.sampled_from(["fit", "tcx", "gpx"]), st.none() | st.integers(0, 900)),
        max_size=40,
    )
)
def test_copies_are_found_as_by_comparing_every_pair(starts: list[tuple[str, int | None]]) -> None:
    base = dt.datetime(2026, 11, 20, 7, tzinfo=dt.UTC)
    runs = [
        RunFacts(
            source=f"run-{k:02d}.{kind}",
            file_format=kind,
            start_time=None if second is None else base + dt.timedelta(seconds=second),
            local_date=FRIDAY,
            sport="running",
            distance_m=5000.0,
            timer_s=1500.0,
            speed_quantiles_mps=(),
        )
        for k, (kind, second) in enumerate(starts)
    ]
    assert one_file_per_run(runs) == _copies_by_pairs(runs)
