"""Writer tests: write -> decode with Garmin's SDK (integrity checked) -> compare with the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacefit.core.workout import (
    MAX_WORKOUT_STEPS,
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
    PowerRange,
    PowerZone,
    Repeat,
    RepeatUntil,
    Step,
    Target,
    TimeDuration,
    Workout,
    unroll,
)
from pacefit.errors import FitFileError, PacefitWarning
from pacefit.formats import ReadOptions
from pacefit.formats.fit_decode import python_crc16
from pacefit.formats.fit_workout import decode_workout, encode_workout, read_workout
from pacefit.formats.workout_yaml import dump_workout

from .garmin_sdk import decode_checked
from .helpers import run_cli, shared_fixture

INTERVALS = Workout(
    name="6 x 800m",
    steps=(
        Step(Intensity.WARMUP, DistanceDuration(3218.688), name="Warm up"),
        Repeat(
            count=6,
            steps=(
                Step(Intensity.ACTIVE, DistanceDuration(800), PaceTarget(235, 245), name="Fast"),
                Step(
                    Intensity.RECOVERY,
                    TimeDuration(90),
                    HeartRateRange(low=HeartRate(120), high=HeartRate(140)),
                ),
            ),
        ),
        Step(Intensity.REST, TimeDuration(30), CadenceRange(170, 180)),
        Step(Intensity.COOLDOWN, OpenDuration(), HeartRateZone(2), notes="easy does it"),
    ),
)


def garmin_steps(data: bytes) -> list[dict[str, Any]]:
    messages = decode_checked(data)
    assert messages["file_id_mesgs"][0]["type"] == "workout"
    steps: list[dict[str, Any]] = messages["workout_step_mesgs"]
    return steps


def our_steps(data: bytes) -> list[dict[str, Any]]:
    """Garmin's decode of a file we wrote, which must count its steps right (Garmin's own
    samples do not)."""
    steps = garmin_steps(data)
    assert decode_checked(data)["workout_mesgs"][0]["num_valid_steps"] == len(steps)
    return steps


def test_steps_decode_in_garmins_sdk_as_planned() -> None:
    encoded = encode_workout(INTERVALS)
    messages = decode_checked(encoded)
    assert messages["workout_mesgs"][0]["sport"] == "running"
    assert messages["workout_mesgs"][0]["wkt_name"] == "6 x 800m"
    steps = our_steps(encoded)
    warmup, fast, jog, repeat, rest, cooldown = steps
    assert warmup["duration_type"] == "distance"
    assert warmup["duration_value"] == 321869  # centimetres
    assert warmup["intensity"] == "warmup"
    assert warmup["target_type"] == "open"
    assert fast["target_type"] == "speed"
    assert fast["target_value"] == 0
    # mm/s: low is the slow end of the band (4:05/km), high the fast end (3:55/km)
    assert fast["custom_target_value_low"] == round(1_000_000 / 245)
    assert fast["custom_target_value_high"] == round(1_000_000 / 235)
    assert jog["duration_type"] == "time"
    assert jog["duration_value"] == 90_000  # milliseconds
    assert jog["intensity"] == "recovery"
    assert (jog["custom_target_value_low"], jog["custom_target_value_high"]) == (220, 240)  # +100
    assert repeat["duration_type"] == "repeat_until_steps_cmplt"
    assert repeat["duration_step"] == 1
    assert repeat["repeat_steps"] == 6
    assert rest["target_type"] == "cadence"
    # FIT counts running cadence in strides: 170-180 steps per minute are 85-90
    assert (rest["custom_target_value_low"], rest["custom_target_value_high"]) == (85, 90)
    assert cooldown["duration_type"] == "open"
    assert cooldown["target_type"] == "heart_rate"
    assert cooldown["target_value"] == 2
    assert cooldown["notes"] == "easy does it"
    assert [s["message_index"] for s in steps] == list(range(6))


def test_same_workout_gives_the_same_bytes() -> None:
    assert encode_workout(INTERVALS) == encode_workout(INTERVALS)


def test_long_names_are_shortened_and_kept_whole_in_the_notes() -> None:
    workout = Workout(
        name="A very long workout name that no watch can show",
        steps=(
            Step(Intensity.ACTIVE, TimeDuration(60), name="Threshold block one", notes="Relax"),
        ),
    )
    with pytest.warns(PacefitWarning) as caught:
        encoded = encode_workout(workout)
    assert [str(w.message) for w in caught] == [
        "workout name 'A very long workout name that no watch can show' is too long for a watch; "
        "shortened to 'A very long workout name that n'",
        "step 1 name 'Threshold block one' is too long for a watch; shortened to 'Threshold block' "
        "(the whole name starts its notes)",
    ]
    messages = decode_checked(encoded)
    assert messages["workout_mesgs"][0]["wkt_name"] == "A very long workout name that n"
    (step,) = messages["workout_step_mesgs"]
    assert step["wkt_step_name"] == "Threshold block"
    assert step["notes"] == "Threshold block one. Relax"


# -- steps between the reps ---------------------------------------------------------------------


def _between(count: int) -> Workout:
    return Workout(
        name="between",
        steps=(
            Step(Intensity.WARMUP, TimeDuration(600)),
            Repeat(
                count=count,
                steps=(Step(Intensity.ACTIVE, TimeDuration(900), name="Tempo"),),
                between=(Step(Intensity.REST, TimeDuration(180)),),
            ),
            Step(Intensity.COOLDOWN, OpenDuration()),
        ),
    )


@pytest.mark.parametrize(
    ("count", "layout"),
    [
        (1, ["warmup 600", "active 900", "cooldown"]),
        (2, ["warmup 600", "active 900", "rest 180", "active 900", "cooldown"]),
        # a repeat of rep + rest, one time fewer, then the last rep written out
        (4, ["warmup 600", "active 900", "rest 180", "repeat 1x3", "active 900", "cooldown"]),
    ],
)
def test_steps_between_are_written_so_the_last_rep_has_none(count: int, layout: list[str]) -> None:
    steps = our_steps(encode_workout(_between(count)))

    def described(step: dict[str, Any]) -> str:
        if step["duration_type"] == "repeat_until_steps_cmplt":
            return f"repeat {step['duration_step']}x{step['repeat_steps']}"
        if step["duration_type"] == "open":
            return str(step["intensity"])
        return f"{step['intensity']} {step['duration_value'] // 1000}"

    assert [described(step) for step in steps] == layout


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_each_step_the_runner_meets_points_at_the_fit_step_it_came_from(count: int) -> None:
    """Laps name the FIT step they ran (wkt_step_index): the unrolled steps must agree with
    Garmin's decode of what was written."""
    workout = _between(count)
    written = our_steps(encode_workout(workout))
    executed = unroll(workout)
    assert [e.step.intensity.value for e in executed] == (
        ["warmup"] + ["active", "rest"] * (count - 1) + ["active", "cooldown"]
    )
    for step in executed:
        fit = written[step.fit_step_index]
        assert fit["intensity"] == step.step.intensity.value
    labels = [(e.repetition, e.repeat_count) for e in executed if e.step.name == "Tempo"]
    assert labels == [(n, count) for n in range(1, count + 1)]
    # every run of the rep is the same step of the workout as written
    assert len({e.step_key for e in executed if e.step.name == "Tempo"}) == 1


@pytest.mark.parametrize("count", [3, 5])
def test_a_repeat_with_steps_between_reads_back_as_written(count: int) -> None:
    """FIT says 'rep + rest, one time fewer, then the rep': read back, that is the repeat with
    the rest between, so every run of the rep is a run of the repeat (its summary counts the
    last one) and writing it again gives the same steps."""
    workout = _between(count)
    back = decode_workout(encode_workout(workout), source="between.fit")
    assert back.steps == workout.steps
    assert our_steps(encode_workout(back)) == our_steps(encode_workout(workout))
    assert [(e.fit_step_index, e.step_key) for e in unroll(back)] == [
        (e.fit_step_index, e.step_key) for e in unroll(workout)
    ]


# -- the on-watch checklist (README "On a watch") ---------------------------------------------

WATCH_CHECK = Path(__file__).parent / "watch-check"


def _compiled_check(
    name: str, tmp_path: Path, *, warnings: list[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    result = run_cli("compile", WATCH_CHECK / f"{name}.yaml", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert [line for line in result.stderr.splitlines() if "warning" in line] == (warnings or [])
    (path,) = tmp_path.glob("*.fit")
    return decode_checked(path.read_bytes())


def test_watch_check_nested_repeat_counts_inner_reps_within_outer_sets(tmp_path: Path) -> None:
    steps = _compiled_check("nested-repeat", tmp_path)["workout_step_mesgs"]
    repeats = [
        (index, s["duration_value"], s["target_value"])
        for index, s in enumerate(steps)
        if s["duration_type"] == "repeat_until_steps_cmplt"
    ]
    # inner: back to the 400 m (step 1), 3 times; outer: back to the same step, twice
    assert repeats == [(3, 1, 3), (5, 1, 2)]


def test_watch_check_long_names_are_cut_where_a_watch_cuts_them(tmp_path: Path) -> None:
    yaml = WATCH_CHECK / "long-names.yaml"
    messages = _compiled_check(
        "long-names",
        tmp_path,
        warnings=[
            f"{yaml}:2:1: warning: workout name 'Check long names of forty characters wide' is "
            "too long for a watch; shortened to 'Check long names of forty chara'",
            f"{yaml}:4:5: warning: step 1 name 'Threshold kilometre at ten-K pace' is too long "
            "for a watch; shortened to 'Threshold kilom' (the whole name starts its notes)",
        ],
    )
    assert messages["workout_mesgs"][0]["wkt_name"] == "Check long names of forty chara"
    (step,) = messages["workout_step_mesgs"]
    assert step["wkt_step_name"] == "Threshold kilom"
    assert step["notes"] == "Threshold kilometre at ten-K pace"


def test_watch_check_cadence_is_stored_in_strides(tmp_path: Path) -> None:
    (step,) = _compiled_check("cadence", tmp_path)["workout_step_mesgs"]
    assert step["target_type"] == "cadence"
    assert (step["custom_target_value_low"], step["custom_target_value_high"]) == (85, 90)


def test_watch_check_recovery_and_rest_differ(tmp_path: Path) -> None:
    steps = _compiled_check("recovery", tmp_path)["workout_step_mesgs"]
    assert [s["intensity"] for s in steps] == ["active", "recovery", "active", "rest"]


# -- written as Garmin writes workouts ---------------------------------------------------------


def test_the_header_is_14_bytes_with_its_own_crc() -> None:
    data = encode_workout(INTERVALS)
    assert data[0] == 14
    assert int.from_bytes(data[12:14], "little") == python_crc16(data[:12])
    assert int.from_bytes(data[-2:], "little") == python_crc16(data[:-2])


def test_the_file_names_its_creator_and_the_workout_its_capabilities() -> None:
    messages = decode_checked(encode_workout(INTERVALS))
    (creator,) = messages["file_creator_mesgs"]
    assert creator["software_version"] == 2  # pacefit 0.2
    (workout,) = messages["workout_mesgs"]
    assert (workout["capabilities"], workout["sub_sport"]) == ("tcx", "generic")
    assert messages["file_id_mesgs"][0]["manufacturer"] == "development"


def test_step_names_fit_the_16_byte_field(tmp_path: Path) -> None:
    workout = Workout(name="names", steps=(Step(Intensity.ACTIVE, TimeDuration(60), name="é" * 9),))
    with pytest.warns(PacefitWarning):
        data = encode_workout(workout)
    (step,) = decode_checked(data)["workout_step_mesgs"]
    assert len(step["wkt_step_name"].encode()) <= 15  # and the terminating NUL: 16
    assert step["wkt_step_name"] == "é" * 7


def test_recovery_and_rest_steps_keep_their_own_intensities() -> None:
    steps = garmin_steps(encode_workout(INTERVALS))
    assert [s.get("intensity") for s in steps] == [
        "warmup",
        "active",
        "recovery",
        "active",  # the repeat step, as in Garmin's samples
        "rest",
        "cooldown",
    ]


def test_an_odd_running_cadence_is_rounded_outward_with_a_warning() -> None:
    workout = Workout(
        name="cadence", steps=(Step(Intensity.ACTIVE, TimeDuration(60), CadenceRange(171, 179)),)
    )
    with pytest.warns(PacefitWarning, match="the watch will show 170-180"):
        (step,) = garmin_steps(encode_workout(workout))
    assert (step["custom_target_value_low"], step["custom_target_value_high"]) == (85, 90)


def test_a_ride_keeps_its_sport_and_its_cadence_in_revolutions(tmp_path: Path) -> None:
    ride = Workout(
        name="ride",
        sport="cycling",
        sub_sport="indoor_cycling",
        steps=(Step(Intensity.ACTIVE, TimeDuration(600), CadenceRange(85, 95)),),
    )
    messages = decode_checked(encode_workout(ride))
    assert (messages["workout_mesgs"][0]["sport"], messages["workout_mesgs"][0]["sub_sport"]) == (
        "cycling",
        "indoor_cycling",
    )
    (step,) = messages["workout_step_mesgs"]
    assert (step["custom_target_value_low"], step["custom_target_value_high"]) == (85, 95)
    path = tmp_path / "ride.fit"
    path.write_bytes(encode_workout(ride))
    assert read_workout(path) == ride


def test_too_many_steps_is_refused() -> None:
    steps = tuple(Step(Intensity.ACTIVE, TimeDuration(60)) for _ in range(MAX_WORKOUT_STEPS + 1))
    with pytest.raises(FitFileError, match="has 101 steps; watches accept at most 100"):
        encode_workout(Workout(name="huge", steps=steps))


def test_power_and_heart_rate_durations_round_trip(tmp_path: Path) -> None:
    workout = Workout(
        name="mixed",
        steps=(
            RepeatUntil(
                until=HeartRateDuration(HeartRate(80, percent_of_max=True), above=True),
                steps=(
                    Step(Intensity.ACTIVE, DistanceDuration(500), PowerRange(low=300, high=310)),
                ),
            ),
            Step(
                Intensity.COOLDOWN,
                HeartRateDuration(HeartRate(125), above=False),
                PowerZone(1),
            ),
        ),
    )
    path = tmp_path / "mixed.fit"
    path.write_bytes(encode_workout(workout))
    our_steps(path.read_bytes())
    assert read_workout(path) == workout


def test_our_workout_reads_back_to_the_same_tree(tmp_path: Path) -> None:
    path = tmp_path / "w.fit"
    path.write_bytes(encode_workout(INTERVALS))
    back = read_workout(path)
    assert back.name == INTERVALS.name
    repeat = back.steps[1]
    assert isinstance(repeat, Repeat) and repeat.count == 6
    fast, jog = repeat.steps
    assert isinstance(fast, Step) and isinstance(fast.target, PaceTarget)
    assert (fast.intensity, fast.duration, fast.name) == (
        Intensity.ACTIVE,
        DistanceDuration(800),
        "Fast",
    )
    # paces travel as mm/s, so they come back within a twentieth of a second per km
    assert fast.target.fast_s_per_km == pytest.approx(235, abs=0.05)
    assert fast.target.slow_s_per_km == pytest.approx(245, abs=0.05)
    assert jog == Step(
        Intensity.RECOVERY,
        TimeDuration(90),
        HeartRateRange(low=HeartRate(120), high=HeartRate(140)),
    )


def test_garmin_sample_decompiles_to_readable_yaml() -> None:
    sample = shared_fixture("fit/workouts/WorkoutRepeatSteps.fit")
    assert dump_workout(read_workout(sample)) == (
        "name: Example 2\n"
        "steps:\n"
        "- warmup: 1min\n  name: _A_\n  hr: zone 2\n"
        "- repeat: 3\n  name: Rep\n  steps:\n"
        "  - run: 500m\n    name: B1_\n    power: zone 5\n"
        "  - run: 500m\n    name: B2_\n    power: zone 3\n"
        "- cooldown: until hr < 125bpm\n  name: _C_\n  power: zone 1\n"
    )


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        (
            "fit/activities/activity-small-fenix2-run.fit",
            "this is a FIT activity file, not a workout",
        ),
        ("fit/other/Settings.fit", "this is a FIT settings file, not a workout"),
    ],
)
def test_wrong_kind_or_corrupt_files_are_refused(relative: str, message: str) -> None:
    with pytest.raises(FitFileError, match=message):
        read_workout(shared_fixture(relative))


def test_a_file_that_is_not_fit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.fit"
    path.write_text("steps:\n  - run: 1km\n")
    with pytest.raises(FitFileError, match="not a FIT file"):
        read_workout(path)


def test_a_workout_with_a_bad_checksum_is_refused_unless_asked(tmp_path: Path) -> None:
    good = tmp_path / "good.fit"
    good.write_bytes(encode_workout(INTERVALS))
    data = bytearray(good.read_bytes())
    data[-1] ^= 0xFF
    path = tmp_path / "bad.fit"
    path.write_bytes(bytes(data))
    with pytest.raises(FitFileError) as caught:
        read_workout(path)
    assert str(caught.value).startswith(f"{path}: the file's checksum is wrong: it is corrupt")
    with pytest.warns(PacefitWarning, match="checksum is wrong; read anyway"):
        assert read_workout(path, options=ReadOptions(ignore_crc=True)) == read_workout(good)


# -- property: FIT -> Workout -> FIT keeps every step -------------------------------------------

durations = st.one_of(
    st.builds(DistanceDuration, st.integers(1, 5_000_000).map(lambda cm: cm / 100)),
    st.builds(TimeDuration, st.integers(1, 86_400_000).map(lambda ms: ms / 1000)),
    st.just(OpenDuration()),
    st.builds(HeartRateDuration, st.builds(HeartRate, st.integers(101, 220)), st.booleans()),
)
paces = st.tuples(st.integers(150, 900), st.integers(0, 60)).map(
    lambda p: PaceTarget(float(p[0]), float(p[0] + p[1]))
)
targets: st.SearchStrategy[Target | None] = st.one_of(
    st.none(),
    paces,
    st.builds(HeartRateZone, st.integers(1, 5)),
    st.builds(
        lambda lo, span: HeartRateRange(low=HeartRate(lo), high=HeartRate(lo + span)),
        st.integers(80, 180),
        st.integers(0, 30),
    ),
    st.builds(
        # running cadence in even steps per minute: FIT stores strides
        lambda lo, span: CadenceRange(2 * lo, 2 * (lo + span)),
        st.integers(70, 95),
        st.integers(0, 10),
    ),
    st.builds(
        lambda lo, span: PowerRange(low=lo, high=lo + span),
        st.integers(100, 400),
        st.integers(0, 50),
    ),
)
steps = st.builds(
    Step,
    st.sampled_from(list(Intensity)),
    durations,
    targets,
    name=st.text(st.characters(codec="ascii", exclude_categories=["Cc"]), max_size=12),
)


def _repeat(children: list[Node], count: int) -> Node:
    return Repeat(steps=tuple(children), count=count)


nodes: st.SearchStrategy[Node] = st.recursive(
    steps,
    lambda children: st.builds(
        _repeat, st.lists(children, min_size=1, max_size=3), st.integers(1, 20)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(nodes, min_size=1, max_size=6))
def test_any_workout_survives_a_fit_round_trip(
    tmp_path_factory: pytest.TempPathFactory, tree: list[Node]
) -> None:
    workout = Workout(name="property", steps=tuple(tree))
    path = tmp_path_factory.mktemp("rt") / "w.fit"
    first = encode_workout(workout)
    path.write_bytes(first)
    again = encode_workout(read_workout(path))
    assert garmin_steps(again) == garmin_steps(first)
