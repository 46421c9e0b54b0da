"""The bundled sessions, at each level, against the source article's numbers:

1. 6 x 800 m slightly faster than 5K pace, equal jog recovery. Advanced: up to 1200 m.
   Beginners: start with 2 x 800 m and gradually increase.
2. 2 x 15 min just below 10K pace, with 3 min rest in between. Beginners start with 5 min and
   increase weekly.
3. 2 miles warm-up; 5 x 30 s at 5K pace, 1 min rest each; 5 min rest; 2 x 5 min at 10K pace,
   5 min rest each; 5 min rest; 5 x 20 s at 5K pace, 1 min rest each; cool-down.
4. 6-8 x 1 km at 10K pace, 90 s to 3 min jog recovery. Beginners: 2-3 repeats.
5. 6 x 1 mile at 10K pace, same recovery.
6. 400, 800, 1200, 1600 m, the pace sliding from 5K pace (shortest) to 10K pace (longest).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest

from pacefit.core.paces import pace_table
from pacefit.core.workout import (
    DistanceDuration,
    Intensity,
    Overrides,
    PaceTarget,
    TimeDuration,
    Workout,
    planned_time_s,
    unroll,
)
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.workout_yaml import load_workout

from .helpers import ATHLETE_FILE, WORKOUTS, run_cli

ATHLETE = load_athlete(ATHLETE_FILE)
TABLE = pace_table(ATHLETE)
assert TABLE is not None
FIVE_K_S_PER_KM = TABLE.race["5k"].pace_s_per_km
TEN_K_S_PER_KM = TABLE.race["10k"].pace_s_per_km
MILE_M = 1609.344


@dataclass(frozen=True)
class Seen:
    """A step as the runner meets it."""

    intensity: Intensity
    distance_m: float | None
    duration_s: float | None
    target: PaceTarget | None


def steps_of(name: str, level: str) -> tuple[Workout, list[Seen]]:
    workout = load_workout(WORKOUTS / "10k" / f"{name}.yaml", athlete=ATHLETE, level=level)
    seen = []
    for executed in unroll(workout):
        step = executed.step
        seen.append(
            Seen(
                intensity=step.intensity,
                distance_m=step.duration.distance_m
                if isinstance(step.duration, DistanceDuration)
                else None,
                duration_s=step.duration.duration_s
                if isinstance(step.duration, TimeDuration)
                else None,
                target=step.target if isinstance(step.target, PaceTarget) else None,
            )
        )
    return workout, seen


def hard(seen: list[Seen]) -> list[Seen]:
    return [s for s in seen if s.intensity is Intensity.ACTIVE]


def between_hard(seen: list[Seen]) -> list[list[Seen]]:
    """The steps between each hard step and the next."""
    indexes = [i for i, s in enumerate(seen) if s.intensity is Intensity.ACTIVE]
    return [seen[a + 1 : b] for a, b in itertools.pairwise(indexes)]


@pytest.mark.parametrize(("level", "reps"), [("beginner", 2), ("intermediate", 6), ("advanced", 6)])
def test_800s_slightly_faster_than_5k_pace_with_an_equal_jog(level: str, reps: int) -> None:
    workout, seen = steps_of("intervals-800", level)
    assert workout.name == f"{reps}x800m 5K-"
    efforts = hard(seen)
    assert [s.distance_m for s in efforts] == [800.0] * reps
    for effort in efforts:
        assert effort.target is not None
        # wholly faster than 5K pace, and only slightly: within 3 %
        assert effort.target.fast_s_per_km > FIVE_K_S_PER_KM * 0.97
        assert effort.target.slow_s_per_km < FIVE_K_S_PER_KM
    band = efforts[0].target
    assert band is not None
    rep_s = 0.8 * (band.fast_s_per_km + band.slow_s_per_km) / 2
    gaps = between_hard(seen)
    assert len(gaps) == reps - 1  # jogs between the reps; the cool-down follows the last
    for gap in gaps:
        (jog,) = gap
        assert jog.intensity is Intensity.RECOVERY
        assert jog.duration_s == pytest.approx(rep_s, abs=1)  # equal time


def test_a_plans_longer_rep_gets_a_longer_jog() -> None:
    workout = load_workout(WORKOUTS / "10k" / "intervals-800.yaml", athlete=ATHLETE)
    longer = load_workout(
        WORKOUTS / "10k" / "intervals-800.yaml",
        athlete=ATHLETE,
        level="advanced",
        overrides=Overrides(distance_m=1200),
    )
    assert longer.name == "6x1.2km 5K-"
    jogs = [e.step for e in unroll(longer) if e.step.intensity is Intensity.RECOVERY]
    reps = [e.step for e in unroll(longer) if e.step.intensity is Intensity.ACTIVE]
    assert jogs[0].duration == TimeDuration(round(planned_time_s(reps[0]) or 0))
    assert jogs[0].duration != next(
        e.step.duration for e in unroll(workout) if e.step.intensity is Intensity.RECOVERY
    )


@pytest.mark.parametrize(
    ("level", "minutes"), [("beginner", 5), ("intermediate", 15), ("advanced", 15)]
)
def test_tempo_just_below_10k_pace_with_the_rest_in_between(level: str, minutes: int) -> None:
    workout, seen = steps_of("tempo-2x15", level)
    assert workout.name == f"Tempo 2x{minutes}min"
    efforts = hard(seen)
    assert [s.duration_s for s in efforts] == [minutes * 60.0] * 2
    for effort in efforts:
        assert effort.target is not None
        assert effort.target.fast_s_per_km > TEN_K_S_PER_KM  # wholly slower: "just below"
        assert effort.target.slow_s_per_km < TEN_K_S_PER_KM * 1.03
    assert between_hard(seen) == [[Seen(Intensity.REST, None, 180.0, None)]]
    # no rest after the second block: it runs straight into the cool-down
    assert [s.intensity for s in seen[-2:]] == [Intensity.ACTIVE, Intensity.COOLDOWN]


def test_mix_has_one_rest_between_two_efforts() -> None:
    _, seen = steps_of("mix", "intermediate")
    assert seen[0].intensity is Intensity.WARMUP and seen[0].distance_m == pytest.approx(MILE_M * 2)
    assert seen[-1].intensity is Intensity.COOLDOWN
    efforts = [(s.duration_s, s.target.label if s.target else None) for s in hard(seen)]
    assert efforts == [(30.0, "5k")] * 5 + [(300.0, "10k")] * 2 + [(20.0, "5k")] * 5
    rests = [[(s.intensity, s.duration_s) for s in gap] for gap in between_hard(seen)]
    one_minute, five_minutes = [(Intensity.REST, 60.0)], [(Intensity.REST, 300.0)]
    assert rests == [one_minute] * 4 + [five_minutes] * 3 + [one_minute] * 4


@pytest.mark.parametrize(
    ("name", "level", "reps", "recovery_s"),
    [
        ("repeats-1k", "beginner", 2, 180.0),
        ("repeats-1k", "intermediate", 6, 120.0),
        ("repeats-1k", "advanced", 8, 90.0),
        ("repeats-mile", "beginner", 3, 180.0),
        ("repeats-mile", "intermediate", 6, 120.0),
        ("repeats-mile", "advanced", 6, 90.0),
    ],
)
def test_1k_and_mile_repeats_at_10k_pace(
    name: str, level: str, reps: int, recovery_s: float
) -> None:
    _, seen = steps_of(name, level)
    efforts = hard(seen)
    length_m = 1000.0 if name == "repeats-1k" else MILE_M
    assert [s.distance_m for s in efforts] == pytest.approx([length_m] * reps)
    assert all(s.target and s.target.label == "10k" for s in efforts)
    assert 90 <= recovery_s <= 180  # the article's 90 s to 3 min
    for gap in between_hard(seen):
        assert [(s.intensity, s.duration_s) for s in gap] == [(Intensity.RECOVERY, recovery_s)]


def test_ladder_slides_from_5k_to_10k_pace() -> None:
    _, seen = steps_of("ladder", "intermediate")
    efforts = hard(seen)
    assert [s.distance_m for s in efforts] == [400.0, 800.0, 1200.0, 1600.0]
    middles = [(s.target.fast_s_per_km + s.target.slow_s_per_km) / 2 for s in efforts if s.target]
    assert middles[0] == pytest.approx(FIVE_K_S_PER_KM)
    assert middles[-1] == pytest.approx(TEN_K_S_PER_KM)
    steps = [b - a for a, b in itertools.pairwise(middles)]
    assert steps == pytest.approx([steps[0]] * 3)  # evenly


def test_show_prints_the_session_as_the_runner_will_meet_it() -> None:
    result = run_cli(
        "show",
        WORKOUTS / "10k" / "tempo-2x15.yaml",
        "--athlete",
        ATHLETE_FILE,
        "--level",
        "beginner",
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "Tempo 2x5min (beginner)"
    table = [line.split()[1] for line in lines if line[:3].strip().isdigit()]
    assert table == ["warmup", "Tempo", "rest", "Tempo", "cooldown"]


def test_the_name_follows_the_level_into_the_file(tmp_path: Path) -> None:
    result = run_cli(
        "compile", WORKOUTS / "10k" / "tempo-2x15.yaml", "--level", "beginner", "--athlete",
        ATHLETE_FILE, "-o", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["tempo-2x5min.fit"]
