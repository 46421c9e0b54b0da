"""Laps matched to steps by their lengths: each way real laps go wrong, on its own."""

from __future__ import annotations

import textwrap

from pacefit.core.activity import Lap
from pacefit.core.lap_align import Group, match_laps
from pacefit.core.workout import ExecutedStep, unroll
from pacefit.formats.workout_yaml import parse_workout
from pacefit.formats.yaml_source import YamlSource

INTERVALS = """
steps:
  - warmup: 20min
  - repeat: 3
    steps:
      - run: 800m
        pace: 3:40-3:55/km
      - recover: 2min
  - cooldown: lap
"""  # steps: 1 warm-up, 2 rep, 3 jog, 4 rep, 5 jog, 6 rep, 7 jog, 8 cool-down


def steps(text: str) -> list[ExecutedStep]:
    source = YamlSource(text=textwrap.dedent(text), path="w.yaml")
    return unroll(parse_workout(source, athlete=None))


def laps(*spans: tuple[float, float] | tuple[float, float, str]) -> list[Lap]:
    """Laps from (distance m, seconds[, trigger]) one after another."""
    result, clock = [], 0.0
    for span in spans:
        distance, seconds = span[0], span[1]
        trigger = span[2] if len(span) > 2 else "manual"
        result.append(Lap(clock, clock + seconds, distance, seconds, trigger=str(trigger)))
        clock += seconds
    return result


REP, JOG = (800.0, 190.0), (330.0, 120.0)


def step_groups(groups: tuple[Group, ...]) -> list[tuple[list[int], list[int]]]:
    """(laps, steps), 1-based, as a runner reads them."""
    return [
        (
            list(range(g.first_lap + 1, g.last_lap + 2)),
            list(range(g.first_step + 1, g.last_step + 2)),
        )
        for g in groups
    ]


def test_one_lap_per_step() -> None:
    matched = match_laps(
        laps((3600, 1200), REP, JOG, REP, JOG, REP, JOG, (1500, 500)), steps(INTERVALS)
    )
    assert matched.trusted
    assert step_groups(matched.groups) == [([k], [k]) for k in range(1, 9)]


def test_a_warm_up_over_two_laps_and_the_last_jog_in_the_cool_down() -> None:
    """The count matches by chance (8 laps, 8 steps), the steps do not."""
    run = laps((1700, 560), (1900, 640), REP, JOG, REP, JOG, REP, (1830, 620, "session_end"))
    matched = match_laps(run, steps(INTERVALS))
    assert matched.trusted
    assert step_groups(matched.groups) == [
        ([1, 2], [1]),
        ([3], [2]),
        ([4], [3]),
        ([5], [4]),
        ([6], [5]),
        ([7], [6]),
        ([8], [7, 8]),
    ]


def test_auto_laps_inside_the_warm_up_among_button_presses() -> None:
    run = laps(
        (1000, 330, "distance"),
        (1000, 330, "distance"),
        (1000, 330, "distance"),
        (600, 210),
        REP,
        JOG,
        REP,
        JOG,
        REP,
        JOG,
        (1500, 500),
    )
    matched = match_laps(run, steps(INTERVALS))
    assert matched.trusted
    assert step_groups(matched.groups)[0] == ([1, 2, 3, 4], [1])
    assert step_groups(matched.groups)[1] == ([5], [2])


def test_a_press_missed_between_a_rep_and_its_jog() -> None:
    rep_and_jog = (REP[0] + JOG[0], REP[1] + JOG[1])
    run = laps((3600, 1200), REP, JOG, rep_and_jog, REP, JOG, (1500, 500))
    matched = match_laps(run, steps(INTERVALS))
    assert ([4], [4, 5]) in step_groups(matched.groups)
    assert not matched.trusted  # a rep shares its lap: the pace trace must find it


def test_a_double_press_inside_a_rep() -> None:
    run = laps((3600, 1200), REP, JOG, (790, 188), (10, 2), JOG, REP, JOG, (1500, 500))
    matched = match_laps(run, steps(INTERVALS))
    assert matched.trusted
    assert ([4, 5], [4]) in step_groups(matched.groups)


def test_a_quick_press_that_skips_a_rep() -> None:
    run = laps((3600, 1200), REP, JOG, (3, 2), JOG, REP, JOG, (1500, 500))
    matched = match_laps(run, steps(INTERVALS))
    assert matched.trusted
    assert ([4], [4]) in step_groups(matched.groups)  # the 2 s lap is the skipped rep


def test_a_rep_cut_short_and_pressed_is_still_found_by_its_lap() -> None:
    run = laps((3600, 1200), REP, JOG, (480, 115), (500, 150), REP, JOG, (1500, 500))
    matched = match_laps(run, steps(INTERVALS))
    assert matched.trusted
    assert ([4], [4]) in step_groups(matched.groups)


def test_auto_laps_that_fall_inside_steps_are_not_trusted() -> None:
    """1 km auto laps know nothing of 800 m reps."""
    kilometres = [(1000.0, 300.0, "distance")] * 10 + [(300.0, 100.0, "session_end")]
    matched = match_laps(laps(*kilometres), steps(INTERVALS))
    assert not matched.trusted
    assert matched.reason == "the auto laps do not fall where the steps end"


def test_auto_laps_that_fall_where_the_steps_end_are_trusted() -> None:
    miles = [(1609.34, 600.0, "distance")] * 5 + [(300.0, 150.0, "session_end")]
    workout = "steps:\n  - warmup: 1mi\n  - run: 4mi\n    pace: 8:40-9:10/mi\n  - cooldown: lap\n"
    matched = match_laps(laps(*miles), steps(workout))
    assert matched.trusted
    assert step_groups(matched.groups) == [([1], [1]), ([2, 3, 4, 5], [2]), ([6], [3])]
