from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from pacefit.core.paces import Athlete, PaceTable, pace_table
from pacefit.core.workout import (
    CadenceRange,
    DistanceDuration,
    HeartRate,
    HeartRateDuration,
    HeartRateRange,
    HeartRateZone,
    Intensity,
    Node,
    OpenDuration,
    PaceTarget,
    Repeat,
    Step,
    TimeDuration,
    Workout,
    unroll,
)
from pacefit.errors import PacefitWarning, WorkoutError
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.workout_yaml import dump_workout, load_workout

from .helpers import ATHLETE_FILE

ATHLETE = Athlete(race_times_s={"5k": 20 * 60, "10k": 41 * 60 + 40}, max_hr_bpm=190)


def _table(athlete: Athlete) -> PaceTable:
    table = pace_table(athlete)
    assert table is not None
    return table


TABLE = _table(ATHLETE)
FIVE_K = TABLE.race["5k"].pace_s_per_km  # 240 s/km
TEN_K = TABLE.race["10k"].pace_s_per_km  # 250 s/km


def write(tmp_path: Path, text: str, name: str = "w.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def test_intervals_with_levels(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        name: 800s
        steps:
          - warmup: 2mi
          - repeat: {beginner: 2, intermediate: 6}
            steps:
              - run: {intermediate: 800m, advanced: 1200m}
                pace: 5k - 3s/km
              - recover: {intermediate: 800m, advanced: 1200m}
          - cooldown: lap
        """,
    )
    for level, count, rep_m in (
        ("beginner", 2, 800),
        ("intermediate", 6, 800),
        ("advanced", 6, 1200),
    ):
        workout = load_workout(path, athlete=ATHLETE, level=level)
        repeat = workout.steps[1]
        assert isinstance(repeat, Repeat)
        assert repeat.count == count
        run = repeat.steps[0]
        assert isinstance(run, Step)
        assert run.duration == DistanceDuration(rep_m)
        assert run.target == PaceTarget(FIVE_K - 3 - 5, FIVE_K - 3 + 5, label="5k - 3s/km")
    assert workout.steps[0] == Step(Intensity.WARMUP, DistanceDuration(3218.688))
    assert workout.steps[2] == Step(Intensity.COOLDOWN, OpenDuration())
    assert len(unroll(workout)) == 1 + 6 * 2 + 1


@pytest.mark.parametrize(
    ("pace", "fast", "slow"),
    [
        ("10k + 2%", TEN_K * 1.02 - 5, TEN_K * 1.02 + 5),
        ("10k + 5s/mi", TEN_K + 5 / 1.609344 - 5, TEN_K + 5 / 1.609344 + 5),
        ("4:00-4:10/km", 240, 250),
        ("6:30/mi", 390 / 1.609344 - 5, 390 / 1.609344 + 5),
        ("5k..10k", FIVE_K, TEN_K),
        ("between 5k and 10k", FIVE_K, TEN_K),
    ],
)
def test_pace_expressions(tmp_path: Path, pace: str, fast: float, slow: float) -> None:
    path = write(tmp_path, f"steps:\n  - run: 1km\n    pace: {pace}\n")
    step = load_workout(path, athlete=ATHLETE).steps[0]
    assert isinstance(step, Step) and isinstance(step.target, PaceTarget)
    assert step.target.fast_s_per_km == pytest.approx(fast)
    assert step.target.slow_s_per_km == pytest.approx(slow)


def test_named_training_paces_and_tolerance(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        tolerance: 3s/km
        steps:
          - run: 20min
            pace: threshold
          - run: 10min
            pace: easy
          - run: 5min
            pace: interval
            tolerance: 2s/km
        """,
    )
    steps = load_workout(path, athlete=ATHLETE).steps
    threshold, easy, interval = (s.target for s in steps if isinstance(s, Step))
    assert isinstance(threshold, PaceTarget) and isinstance(easy, PaceTarget)
    assert isinstance(interval, PaceTarget)
    assert threshold.slow_s_per_km - threshold.fast_s_per_km == pytest.approx(6)
    assert interval.slow_s_per_km - interval.fast_s_per_km == pytest.approx(4)
    # easy is already a band: no tolerance added
    assert (easy.fast_s_per_km, easy.slow_s_per_km) == pytest.approx(
        (TABLE.training["easy"].fast_s_per_km, TABLE.training["easy"].slow_s_per_km)
    )


def test_ladder_slides_from_5k_to_10k_pace(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        steps:
          - ladder: [400m, 800m, 1200m, 1600m]
            pace: 5k -> 10k
            recover: 400m
        """,
    )
    steps = load_workout(path, athlete=ATHLETE).steps
    rungs = [s for s in steps if isinstance(s, Step) and s.intensity is Intensity.ACTIVE]
    assert [r.duration for r in rungs] == [DistanceDuration(d) for d in (400, 800, 1200, 1600)]
    middles = [r.target.middle_s_per_km for r in rungs if isinstance(r.target, PaceTarget)]
    step = (TEN_K - FIVE_K) / 3
    assert middles == pytest.approx([FIVE_K, FIVE_K + step, FIVE_K + 2 * step, TEN_K])
    assert len(steps) == 7  # recoveries between rungs, not after the last


def test_time_durations_heart_rate_and_cadence(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        steps:
          - run: 1:30
            hr: zone 2
          - run: 15min
            hr: 150-160bpm
          - rest: 30s
            cadence: 170-180spm
          - cooldown: until hr < 120bpm
        """,
    )
    steps = load_workout(path, athlete=None).steps
    assert steps == (
        Step(Intensity.ACTIVE, TimeDuration(90), HeartRateZone(2)),
        Step(
            Intensity.ACTIVE,
            TimeDuration(900),
            HeartRateRange(low=HeartRate(150), high=HeartRate(160)),
        ),
        Step(Intensity.REST, TimeDuration(30), CadenceRange(170, 180)),
        Step(Intensity.COOLDOWN, HeartRateDuration(HeartRate(120), above=False)),
    )


@pytest.mark.parametrize(
    ("written", "low", "high"),
    [("150bpm", 150 - 5, 150 + 5), ("33bpm", 30, 38), ("248bpm", 243, 250)],
)
def test_a_single_heart_rate_gets_a_band_within_the_limits(
    tmp_path: Path, written: str, low: int, high: int
) -> None:
    path = write(tmp_path, f"steps:\n  - run: 20min\n    hr: {written}\n")
    step = load_workout(path, athlete=None).steps[0]
    assert isinstance(step, Step)
    assert step.target == HeartRateRange(low=HeartRate(low), high=HeartRate(high))


def test_hr_zones_come_from_the_athlete_file_when_it_has_them(tmp_path: Path) -> None:
    path = write(tmp_path, "steps:\n  - run: 20min\n    hr: zone 2\n")
    with_zones = Athlete(hr_zones_bpm=((100, 120), (120, 140), (140, 155), (155, 170), (170, 190)))
    step = load_workout(path, athlete=with_zones).steps[0]
    assert isinstance(step, Step)
    assert step.target == HeartRateRange(low=HeartRate(120), high=HeartRate(140))
    from_max = load_workout(path, athlete=Athlete(max_hr_bpm=200)).steps[0]
    assert isinstance(from_max, Step)
    assert from_max.target == HeartRateRange(low=HeartRate(120), high=HeartRate(140))
    watch_zones = load_workout(path, athlete=Athlete()).steps[0]
    assert isinstance(watch_zones, Step) and watch_zones.target == HeartRateZone(2)


def test_athlete_file_example_loads() -> None:
    athlete = load_athlete(ATHLETE_FILE)
    assert athlete.race_times_s == {"10k": 45 * 60}
    assert athlete.pace_tolerance_s_per_km == 5


def test_dump_then_load_gives_the_same_steps(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        name: Mixed
        steps:
          - warmup: 2mi
          - repeat: 3
            steps:
              - run: 1km
                pace: 4:05/km
                name: Hard
                notes: relax the shoulders
              - repeat: 2
                steps:
                  - run: 30s
                    hr: 150-160bpm
                  - rest: 1min
          - cooldown: lap
        """,
    )
    workout = load_workout(path, athlete=None)
    again = load_workout(write(tmp_path, dump_workout(workout), name="again.yaml"), athlete=None)
    # a pace is dumped as its band ('4:05/km' as 4:00-4:10/km), so only its label differs
    assert again.steps != workout.steps
    assert _without_labels(again).steps == _without_labels(workout).steps


def _without_labels(workout: Workout) -> Workout:
    """The workout with every pace target's label emptied."""

    def strip(node: Node) -> Node:
        if isinstance(node, Step):
            if isinstance(node.target, PaceTarget):
                return replace(node, target=replace(node.target, label=""))
            return node
        return replace(node, steps=tuple(strip(child) for child in node.steps))

    return replace(workout, steps=tuple(strip(n) for n in workout.steps))


def test_relative_lengths_survive_a_dump(tmp_path: Path) -> None:
    """`between`, `equal distance`, `at_most` and `effort` are written back as said."""
    path = write(
        tmp_path,
        """
        name: Relative
        effort: long
        steps:
          - run: 40km
            pace: 5:00/km
            at_most: 2:00:00
          - repeat: 3
            steps:
              - run: 400m
                pace: 3:50/km
            between:
              - recover: equal distance
        """,
    )
    with pytest.warns(
        PacefitWarning, match="40km would take longer than 2:00:00; shortened to 24km"
    ):
        workout = load_workout(path, athlete=None)
    capped, repeat = workout.steps
    assert isinstance(capped, Step) and capped.duration == DistanceDuration(24000)
    assert isinstance(repeat, Repeat)
    (jog,) = repeat.between
    assert isinstance(jog, Step) and jog.duration == DistanceDuration(400)
    text = dump_workout(workout)
    assert "effort: long" in text and "recover: equal distance" in text
    again = load_workout(write(tmp_path, text, name="again.yaml"), athlete=None)
    assert _without_labels(again) == _without_labels(workout)


# -- mistakes, each with its exact message ----------------------------------------------------

MISTAKES = [
    (
        "unknown pace name",
        "steps:\n  - run: 800m\n    pace: 6k\n",
        "w.yaml:3:11: unknown pace '6k'\n  hint: expected e.g. '5k', '5k - 3s/km', '10k + 2%', "
        "'threshold', '4:05/km', '4:00-4:10/km'",
    ),
    (
        "negative distance",
        "steps:\n  - run: -800m\n",
        "w.yaml:2:10: a duration must be more than zero, got '-800m'\n  hint: use a distance "
        "(800m, 1.5km, 2mi), a time (30s, 15min, 1:30), 'lap' for the lap button, or "
        "'until hr < 130bpm'",
    ),
    (
        "repeat with no steps",
        "steps:\n  - repeat: 6\n",
        "w.yaml:2:5: the repeat has no steps\n  hint: add 'steps:' with the steps to repeat",
    ),
    (
        "repeat with an empty step list",
        "steps:\n  - repeat: 6\n    steps: []\n",
        "w.yaml:3:12: the repeat's 'steps' is empty\n  hint: list at least one step",
    ),
    (
        "relative pace without athlete race times",
        "steps:\n  - run: 800m\n    pace: 5k - 3s/km\n",
        "w.yaml:3:11: pace '5k' needs the athlete's race times\n  hint: pass --athlete FILE "
        "with at least one race time (5k, 10k, half, marathon) or a vdot",
    ),
    (
        "unknown key",
        "name: x\nstpes:\n  - run: 1km\n",
        "w.yaml:2:1: unknown key 'stpes' in a workout\n  hint: did you mean 'steps'? "
        "(expected one of: name, description, sport, sub_sport, effort, steps, tolerance)",
    ),
    (
        "wrong type",
        "name: [a, b]\nsteps:\n  - run: 1km\n",
        "w.yaml:1:7: 'name' must be a single value, got a list",
    ),
    (
        "YAML syntax error",
        "steps:\n  - run: 1km\n   pace: 5k\n",
        "w.yaml:3:4: YAML syntax error: expected <block end>, but found '<block mapping start>'"
        "\n  hint: check the indentation, and put a space after each ':'",
    ),
    (
        "not a duration",
        "steps:\n  - run: 800 meters\n",
        "w.yaml:2:10: '800 meters' is not a duration\n  hint: use a distance (800m, 1.5km, 2mi), "
        "a time (30s, 15min, 1:30), 'lap' for the lap button, or 'until hr < 130bpm'",
    ),
    (
        "step without a kind",
        "steps:\n  - pace: 5k\n",
        "w.yaml:2:5: the step says neither what to do nor for how long\n  hint: start it with one "
        "of: warmup, run, ride, rest, recover, cooldown, repeat, ladder (e.g. 'run: 800m')",
    ),
    (
        "two targets",
        "steps:\n  - run: 1km\n    pace: 4:00/km\n    hr: zone 3\n",
        "w.yaml:4:5: a step has one target; got 'pace' and 'hr'\n  hint: keep the one the watch "
        "should coach, and put another under 'secondary:'",
    ),
    (
        "zero repeats",
        "steps:\n  - repeat: 0\n    steps:\n      - run: 1km\n",
        "w.yaml:2:13: the repeat count must be a whole number from 1 to 99, got '0'\n  hint: "
        "write e.g. 'repeat: 6', or 'repeat: until hr < 130bpm'",
    ),
    (
        "unknown level",
        "steps:\n  - run: {expert: 1km}\n",
        "w.yaml:2:11: unknown key 'expert' in a level map\n  hint: expected one of: beginner, "
        "intermediate, advanced",
    ),
    (
        "duplicate key",
        "steps:\n  - run: 1km\n    pace: 4:00/km\n    pace: 4:10/km\n",
        "w.yaml:4:5: duplicate key 'pace' in a step",
    ),
    (
        "two kinds in one step",
        "steps:\n  - run: 1km\n    rest: 1min\n",
        "w.yaml:3:5: the step has both 'run' and 'rest'\n  hint: split it into two steps",
    ),
    (
        "heart-rate zone out of range",
        "steps:\n  - run: 10min\n    hr: zone 7\n",
        "w.yaml:3:9: heart-rate zone 7 does not exist\n  hint: zones are 1 to 5",
    ),
    (
        "a heart rate no runner has",
        "steps:\n  - run: 10min\n    hr: 5-10bpm\n",
        "w.yaml:3:9: the heart rate '5-10bpm' is out of range\n  hint: heart rates lie in "
        "30-250bpm",
    ),
    (
        "bad pace offset",
        "steps:\n  - run: 1km\n    pace: 5k - fast\n",
        "w.yaml:3:11: cannot read the pace offset '- fast' in '5k - fast'\n  hint: write an "
        "offset as '+ 5s/km', '- 3s/mi' or '+ 2%'",
    ),
    (
        "missing steps",
        "name: nothing\n",
        "w.yaml:1:1: the workout has no 'steps'\n  hint: add 'steps:' with a list of steps",
    ),
    (
        "executable YAML tag",
        "name: !!python/object/apply:os.system ['echo hi']\nsteps:\n  - run: 1km\n",
        "w.yaml:1:7: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed\n"
        "  hint: remove the '!' tag",
    ),
    (
        "pace of zero",
        "steps:\n  - run: 1km\n    pace: 0:00/km\n",
        "w.yaml:3:11: the pace '0:00/km' works out to 0:00/km, which is not a running pace"
        "\n  hint: paces must lie between 1:30/km and 20:00/km",
    ),
    (
        "equal with nothing before",
        "steps:\n  - recover: equal time\n",
        "w.yaml:2:5: 'equal time' has no step before it to equal\n  hint: put it right after a "
        "step of a distance or a time, e.g. after 'run: 800m'",
    ),
    (
        "equal time after a distance without pace",
        "steps:\n  - run: 800m\n  - recover: equal time\n",
        "w.yaml:3:5: 'equal time' cannot be worked out from the step before it\n  hint: equal "
        "time needs a time, or a distance with a pace; equal distance needs a distance",
    ),
    (
        "unknown name field",
        "name: '{count}x{length}'\nsteps:\n  - run: 800m\n",
        "w.yaml:1:7: the name has an unknown field '{count}'\n  hint: names can hold {reps} "
        "(the main set's count) and {length} (its rep's length)",
    ),
    (
        "at_most that is no time",
        "steps:\n  - run: 30km\n    at_most: far\n",
        "w.yaml:3:14: 'at_most' must be a time, got 'far'\n  hint: e.g. 2:30:00 or 150min",
    ),
    (
        "steps between a heart-rate repeat",
        "steps:\n  - repeat: until hr < 130bpm\n    steps: [{run: 1km}]\n"
        "    between: [{rest: 1min}]\n",
        "w.yaml:4:5: a repeat until a heart rate cannot have steps between\n  hint: put the "
        "steps in 'steps:'",
    ),
    (
        "unknown effort",
        "effort: brutal\nsteps:\n  - run: 1km\n",
        "w.yaml:1:9: unknown effort 'brutal'\n  hint: expected one of: easy, long, hard",
    ),
    (
        "misspelt repeat",
        "steps:\n  - repaet: 3\n    steps: [{run: 400m}]\n",
        "w.yaml:2:5: unknown key 'repaet' in a step\n  hint: did you mean 'repeat'? (expected "
        "one of: warmup, run, ride, rest, recover, cooldown, name, notes, pace, speed, hr, "
        "cadence, power, secondary, tolerance, at_most, repeat, ladder, steps, between)",
    ),
    (
        "misspelt ladder",
        "steps:\n  - ladr: [400m, 800m]\n",
        "w.yaml:2:5: unknown key 'ladr' in a step\n  hint: did you mean 'ladder'? (expected "
        "one of: warmup, run, ride, rest, recover, cooldown, name, notes, pace, speed, hr, "
        "cadence, power, secondary, tolerance, at_most, repeat, ladder, steps, between)",
    ),
    (
        "seconds past 59",
        "steps:\n  - run: 1km\n    pace: 4:60/km\n",
        "w.yaml:3:11: cannot read the pace '4:60/km': minutes and seconds run from 00 to 59\n"
        "  hint: expected e.g. '5k', '5k - 3s/km', '10k + 2%', 'threshold', '4:05/km', "
        "'4:00-4:10/km'",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES]
)
def test_mistakes_are_reported_with_their_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.yaml").write_text(text)
    with pytest.raises(WorkoutError) as caught:
        load_workout(Path("w.yaml"), athlete=None)
    assert str(caught.value) == expected
