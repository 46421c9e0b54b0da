"""Every bundled workout in every format: written, read by an independent reader (the standard
library's XML and JSON parsers, checked against the formats' published structure), read back by
pacefit, and turned into YAML and loaded again. Each format loses only what it cannot say, and
those losses are listed here, per format, as the reference describes them
(../shared/reference/interchange/README.md)."""

from __future__ import annotations

import json
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pacefit.core.paces import pace_table, reference_race_paces
from pacefit.core.units import METRES_PER_MILE
from pacefit.core.workout import (
    DistanceDuration,
    ExecutedStep,
    HeartRateZone,
    Intensity,
    OpenDuration,
    PaceTarget,
    Repeat,
    TimeDuration,
    Workout,
    unroll,
)
from pacefit.errors import PacefitWarning
from pacefit.formats import WORKOUT_WRITERS, ReadOptions, read_workout_file
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.workout_yaml import dump_workout, parse_workout
from pacefit.formats.yaml_source import YamlSource
from pacefit.jobs.compile import Compiled, compile_file, find_workout_files

from .helpers import ATHLETE_FILE, WORKOUTS

ATHLETE = load_athlete(ATHLETE_FILE)
TABLE = pace_table(ATHLETE)
assert TABLE is not None
RACE_PACES = reference_race_paces(TABLE)
EASY_PACE_S_PER_KM = TABLE.training["easy"].middle_s_per_km
READ = ReadOptions(race_paces_s_per_km=RACE_PACES, pace_tolerance_s_per_km=5.0)
BUNDLED = find_workout_files([WORKOUTS])
FORMATS = list(WORKOUT_WRITERS)
TCX = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
ZWIFT_RACES = ("mile", "5k", "10k", "half", "marathon")  # pace="0".."4" (README §1.5)


def compiled(source: Path, file_format: str, out_dir: Path) -> tuple[Compiled, list[str]]:
    """The workout compiled in the format, and the warnings it gave (each a PacefitWarning)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = compile_file(source, athlete=ATHLETE, out_dir=out_dir, file_format=file_format)
    assert all(isinstance(w.message, PacefitWarning) for w in caught), caught
    return result, [w.message.message for w in caught]  # type: ignore[union-attr]


def read_back(path: Path) -> tuple[Workout, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        workout = read_workout_file(path, options=READ)
    assert all(isinstance(w.message, PacefitWarning) for w in caught), caught
    return workout, [w.message.message for w in caught]  # type: ignore[union-attr]


# -- what each format keeps -----------------------------------------------------------------------


def _expected_length(step: ExecutedStep, file_format: str, time_file: bool) -> tuple[str, float]:
    duration = step.step.duration
    target = step.step.target
    if isinstance(duration, OpenDuration):
        # Zwift has no lap button: a 10-minute free run (§1.4); the others keep it
        return ("time", 600.0) if file_format == "zwo" else ("open", 0.0)
    if isinstance(duration, TimeDuration):
        seconds = duration.duration_s
        return ("time", float(round(seconds)) if file_format in ("tcx", "icu", "zwo") else seconds)
    assert isinstance(duration, DistanceDuration)
    metres = duration.distance_m
    if file_format == "zwo" and time_file:
        # a .zwo is all time or all distance: the time at the middle of the pace band, or at
        # the runner's easy pace for a step without one
        pace = target.middle_s_per_km if isinstance(target, PaceTarget) else EASY_PACE_S_PER_KM
        return ("time", float(round(metres / 1000 * pace)))
    return ("distance", float(round(metres)) if file_format == "tcx" else metres)


def _length(step: ExecutedStep) -> tuple[str, float]:
    duration = step.step.duration
    if isinstance(duration, OpenDuration):
        return ("open", 0.0)
    if isinstance(duration, TimeDuration):
        return ("time", duration.duration_s)
    assert isinstance(duration, DistanceDuration)
    return ("distance", duration.distance_m)


# "yaml": decompiled YAML writes paces as a person would, to the whole second.
PACE_PRECISION_S_PER_KM = {
    "fit": 0.05,
    "gcjson": 0.01,
    "tcx": 0.01,
    "icu": 0.5,
    "zwo": 0.05,
    "yaml": 0.5,
}
LENGTH_PRECISION = {
    "fit": 0.01,
    "gcjson": 1e-6,
    "tcx": 0.5,
    "icu": 0.001,
    "zwo": 0.001,
    "yaml": 0.01,
}


def assert_same_run(before: Workout, after: Workout, file_format: str, *, time_file: bool) -> None:
    """The runner meets the same steps: kinds, lengths and paces, within what the format keeps."""
    planned, read = unroll(before), unroll(after)
    assert len(read) == len(planned)
    for number, (a, b) in enumerate(zip(planned, read, strict=True), start=1):
        where = f"step {number}: {a.step} -> {b.step}"
        if file_format == "tcx":  # Active or Resting only (README §3.3)
            assert _resting_read(a, b), where
        elif file_format == "zwo" and a.step.target is None:  # a free run is all Zwift has
            assert b.step.intensity in (a.step.intensity, Intensity.REST), where
        else:
            assert b.step.intensity is a.step.intensity, where
        kind, amount = _expected_length(a, file_format, time_file)
        read_kind, read_amount = _length(b)
        assert read_kind == kind, where
        assert read_amount == pytest.approx(amount, abs=LENGTH_PRECISION[file_format]), where
        if isinstance(a.step.target, PaceTarget):
            assert isinstance(b.step.target, PaceTarget), where
            assert b.step.target.middle_s_per_km == pytest.approx(
                a.step.target.middle_s_per_km, abs=PACE_PRECISION_S_PER_KM[file_format]
            ), where
        else:
            assert b.step.target == a.step.target, where


def _resting_read(planned: ExecutedStep, read: ExecutedStep) -> bool:
    """TCX's Resting reads back as a recovery with a target and a rest without; Active as
    active (warm-up and cool-down are not TCX kinds)."""
    if planned.step.intensity in (Intensity.REST, Intensity.RECOVERY):
        expected = Intensity.RECOVERY if read.step.target is not None else Intensity.REST
        return read.step.intensity is expected
    return read.step.intensity is Intensity.ACTIVE


def _names(workout: Workout) -> list[str]:
    return [s.step.name for s in unroll(workout)]


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("source", BUNDLED, ids=lambda p: p.stem)
def test_every_bundled_workout_survives_every_format(
    source: Path, file_format: str, tmp_path: Path
) -> None:
    result, warned = compiled(source, file_format, tmp_path)
    assert result.output.suffix == WORKOUT_WRITERS[file_format].suffix
    after, _ = read_back(result.output)
    time_file = file_format == "zwo" and b"<durationType>time<" in result.output.read_bytes()
    assert_same_run(result.workout, after, file_format, time_file=time_file)
    # names: FIT, TCX and Zwift keep them; Garmin Connect steps have none, so they lead the
    # step's description; intervals.icu keeps those that cannot be read as a length
    if file_format in ("fit", "tcx", "zwo"):
        assert _names(after) == _names(result.workout)
    elif file_format == "gcjson":
        assert [s.step.notes.split(". ")[0] for s in unroll(after)] == _names(result.workout)
    else:
        dropped = {
            w.split("'")[1] for w in warned if w.endswith("would read it as part of the step")
        }
        assert _names(after) == ["" if name in dropped else name for name in _names(result.workout)]
    if file_format in ("fit", "tcx", "zwo", "gcjson"):
        assert after.name == result.workout.name
    # ... and the decompiled YAML loads back to the same workout
    yaml_text = dump_workout(after)
    reloaded = parse_workout(YamlSource(text=yaml_text, path="decompiled.yaml"), athlete=None)
    assert_same_run(after, reloaded, "yaml", time_file=False)
    assert _names(reloaded) == _names(after)


# -- independent readers: structure as published ------------------------------------------------


def check_tcx_structure(path: Path) -> list[str]:
    """What Garmin's TCX v2 schema rejects in a workout file (README §3, checked there with
    xmlschema against the XSD): an empty list for a valid file."""
    problems: list[str] = []
    root = ET.parse(path).getroot()
    if root.tag != f"{TCX}TrainingCenterDatabase":
        return [f"root is {root.tag}"]
    ids: list[int] = []

    def step(element: ET.Element) -> None:
        kind = element.get(XSI_TYPE)
        children = [c.tag.removeprefix(TCX) for c in element]
        ids.append(int(element.findtext(f"{TCX}StepId", "0")))
        if kind == "Repeat_t":
            repetitions = int(element.findtext(f"{TCX}Repetitions", "0"))
            if not 2 <= repetitions <= 99:
                problems.append(f"Repetitions {repetitions}")
            if children[:2] != ["StepId", "Repetitions"] or set(children[2:]) != {"Child"}:
                problems.append(f"repeat children {children}")
            for child in element.findall(f"{TCX}Child"):
                step(child)
            return
        if kind != "Step_t":
            problems.append(f"step type {kind}")
            return
        expected = ["StepId", "Name", "Duration", "Intensity", "Target"]
        if "Name" not in children:
            expected.remove("Name")
        if children != expected:
            problems.append(f"step children {children}")
        name = element.findtext(f"{TCX}Name")
        if name is not None and not 1 <= len(name) <= 15:
            problems.append(f"step name {name!r}")
        if element.findtext(f"{TCX}Intensity") not in ("Active", "Resting"):
            problems.append(f"intensity {element.findtext(f'{TCX}Intensity')}")
        duration = element.find(f"{TCX}Duration")
        assert duration is not None
        duration_kind = duration.get(XSI_TYPE)
        if duration_kind not in ("Time_t", "Distance_t", "UserInitiated_t", "HeartRateAbove_t",
                                 "HeartRateBelow_t", "CaloriesBurned_t"):  # fmt: skip
            problems.append(f"duration {duration_kind}")
        for amount in (duration.findtext(f"{TCX}Seconds"), duration.findtext(f"{TCX}Meters")):
            if amount is not None and not (amount.isdigit() and int(amount) <= 65535):
                problems.append(f"length {amount}")
        target = element.find(f"{TCX}Target")
        assert target is not None
        if target.get(XSI_TYPE) not in ("None_t", "Speed_t", "HeartRate_t", "Cadence_t"):
            problems.append(f"target {target.get(XSI_TYPE)}")
        for speed in target.iter(f"{TCX}LowInMetersPerSecond"):
            if float(speed.text or 0) <= 0:
                problems.append("speed 0")

    for workout in root.iter(f"{TCX}Workout"):
        if workout.get("Sport") not in ("Running", "Biking", "Other"):
            problems.append(f"sport {workout.get('Sport')}")
        children = [c.tag.removeprefix(TCX) for c in workout]
        order = {"Name": 0, "Step": 1, "ScheduledOn": 2, "Notes": 3, "Creator": 4, "Extensions": 5}
        if children[0] != "Name" or [order[c] for c in children] != sorted(
            order[c] for c in children
        ):
            problems.append(f"workout children {children}")
        name = workout.findtext(f"{TCX}Name") or ""
        if not 1 <= len(name) <= 15:
            problems.append(f"workout name {name!r}")
        ids.clear()
        for element in workout.findall(f"{TCX}Step"):
            step(element)
        if sorted(ids) != list(range(1, len(ids) + 1)) or len(ids) > 20:
            problems.append(f"StepIds {ids}")
    return problems


def test_the_tcx_checker_agrees_with_the_schema_on_the_real_examples(interchange: Path) -> None:
    """The checker's own referee: the kaiord files README §3.8 validated against Garmin's XSD."""
    assert check_tcx_structure(interchange / "kaiord-WorkoutSpeedTargets.tcx") == []
    assert check_tcx_structure(interchange / "kaiord-WorkoutMixedDurations.tcx") == []
    assert check_tcx_structure(interchange / "kaiord-WorkoutRepeatBlocks.tcx") == [
        "workout name 'Interval Workout'"
    ]


@pytest.fixture
def interchange() -> Path:
    path = WORKOUTS.parent.parent / "shared" / "reference" / "interchange" / "examples"
    if not path.is_dir():
        pytest.skip("../shared/reference/interchange not available")
    return path


@pytest.mark.parametrize("source", BUNDLED, ids=lambda p: p.stem)
def test_tcx_files_have_the_schemas_structure(source: Path, tmp_path: Path) -> None:
    result, _ = compiled(source, "tcx", tmp_path)
    assert check_tcx_structure(result.output) == []
    # and every pace band is the planned one in m/s, slower bound first (Low = slower)
    root = ET.parse(result.output).getroot()
    bands = [
        (float(z.findtext(f"{TCX}LowInMetersPerSecond", "0")),
         float(z.findtext(f"{TCX}HighInMetersPerSecond", "0")))
        for z in root.iter(f"{TCX}SpeedZone")
    ]  # fmt: skip
    assert all(low < high for low, high in bands)


@pytest.mark.parametrize("source", BUNDLED, ids=lambda p: p.stem)
def test_zwift_files_give_paces_as_shares_of_the_runners_race_speeds(
    source: Path, tmp_path: Path
) -> None:
    """Read with the standard library: every run block names a race 0-4, and its Power times
    that race's speed is the planned pace (README §1.5); lengths add up to the plan."""
    result, _ = compiled(source, "zwo", tmp_path)
    root = ET.parse(result.output).getroot()
    assert root.tag == "workout_file"
    assert root.findtext("sportType") == "run"
    duration_type = root.findtext("durationType")
    assert duration_type in ("time", "distance")
    blocks = list(root.find("workout") or [])
    allowed = {"SteadyState", "Warmup", "Cooldown", "IntervalsT", "FreeRide"}
    assert {b.tag for b in blocks} <= allowed
    planned = [s.step for s in unroll(result.workout)]
    read_paces: list[float | None] = []
    for block in blocks:
        if block.tag == "FreeRide":
            read_paces.append(None)
            continue
        race = ZWIFT_RACES[int(block.get("pace", "-1"))]
        race_speed_mps = 1000 / RACE_PACES[race]
        if block.tag == "SteadyState":
            read_paces.append(1000 / (float(block.get("Power", "0")) * race_speed_mps))
        else:  # a warm-up speeds up through the band, a cool-down slows down through it
            low, high = float(block.get("PowerLow", "0")), float(block.get("PowerHigh", "0"))
            assert (low < high) == (block.tag == "Warmup")
            read_paces.append((1000 / (low * race_speed_mps) + 1000 / (high * race_speed_mps)) / 2)
    assert len(read_paces) == len(planned)
    for step, pace in zip(planned, read_paces, strict=True):
        if isinstance(step.target, PaceTarget):
            assert pace is not None
            assert pace == pytest.approx(step.target.middle_s_per_km, abs=0.2)
        else:
            assert pace is None
    total = sum(float(b.get("Duration", "0")) for b in blocks)
    if duration_type == "time":
        expected = sum(_expected_length(s, "zwo", True)[1] for s in unroll(result.workout))
        assert total == pytest.approx(expected, abs=1)


GC_END = {1: "lap.button", 2: "time", 3: "distance", 6: "heart.rate", 7: "iterations"}
GC_TARGET = {1: "no.target", 2: "power.zone", 3: "cadence", 4: "heart.rate.zone", 6: "pace.zone"}
GC_STEP = {1: "warmup", 2: "cooldown", 3: "interval", 4: "recovery", 5: "rest", 6: "repeat"}


@pytest.mark.parametrize("source", BUNDLED, ids=lambda p: p.stem)
def test_garmin_connect_json_follows_the_services_rules(source: Path, tmp_path: Path) -> None:
    """Read with json: the type ids and keys of README §4, step orders counted across the
    whole workout, each step carrying its innermost group's number, pace in m/s faster first."""
    result, _ = compiled(source, "gcjson", tmp_path)
    document = json.loads(result.output.read_text())
    assert document["sportType"] == {"sportTypeId": 1, "sportTypeKey": "running"}
    (segment,) = document["workoutSegments"]
    orders: list[int] = []
    groups: list[int] = []

    def walk(steps: list[dict[str, object]], group: int | None) -> None:
        for step in steps:
            orders.append(step["stepOrder"])  # type: ignore[arg-type]
            step_type = step["stepType"]
            assert isinstance(step_type, dict)
            assert GC_STEP[step_type["stepTypeId"]] == step_type["stepTypeKey"]
            end = step["endCondition"]
            assert isinstance(end, dict)
            assert GC_END[end["conditionTypeId"]] == end["conditionTypeKey"]
            if step["type"] == "RepeatGroupDTO":
                assert step["numberOfIterations"] == step["endConditionValue"]
                groups.append(step["childStepId"])  # type: ignore[arg-type]
                walk(step["workoutSteps"], step["childStepId"])  # type: ignore[arg-type]
                continue
            assert step["childStepId"] == group
            target = step["targetType"]
            assert isinstance(target, dict)
            assert GC_TARGET[target["workoutTargetTypeId"]] == target["workoutTargetTypeKey"]
            if target["workoutTargetTypeId"] == 6:
                assert step["targetValueOne"] > step["targetValueTwo"] > 0  # type: ignore[operator]

    walk(segment["workoutSteps"], None)
    assert orders == list(range(1, len(orders) + 1))
    assert groups == list(range(1, len(groups) + 1))


@pytest.mark.parametrize("source", BUNDLED, ids=lambda p: p.stem)
def test_intervals_icu_text_follows_its_grammar(source: Path, tmp_path: Path) -> None:
    """Every line a step (`- `), a repeat header (`Nx`) between blank lines, or blank; metres
    written `mtr`, never `m` (which is minutes), miles `mi`."""
    result, _ = compiled(source, "icu", tmp_path)
    lines = result.output.read_text().splitlines()
    for number, line in enumerate(lines):
        if not line or line.startswith("- "):
            continue
        assert line.split()[-1][:-1].isdigit() and line.endswith("x"), line
        assert number == 0 or lines[number - 1] == "", "a repeat needs a blank line before it"
    distance_steps = [
        s for s in unroll(result.workout) if isinstance(s.step.duration, DistanceDuration)
    ]
    written = " ".join(lines)
    for step in distance_steps:
        assert isinstance(step.step.duration, DistanceDuration)
        metres = step.step.duration.distance_m
        miles = metres / METRES_PER_MILE
        forms = {f"{round(metres)}mtr", f"{metres / 1000:g}km", f"{round(miles, 2):g}mi"}
        assert any(f" {form} " in f" {written} " for form in forms), (metres, forms)


# -- the real examples, read by the importers ---------------------------------------------------


def _read(path: Path) -> tuple[Workout, list[str]]:
    return read_back(path)


def test_real_zwift_run_exports_read_as_their_maker_wrote_them(interchange: Path) -> None:
    """AI Endurance's threshold run: 5 min warm-up ramp, 2 x 8 min at 5K speed x1.0 with
    4 min at x0.65 between, cool-down (README §1.5: Power is a share of the 5K speed)."""
    workout, warned = _read(interchange / "zwo-editor-run-threshold.zwo")
    assert workout.name == "Threshold Run"
    five_k = RACE_PACES["5k"]
    steps = [s.step for s in unroll(workout)]
    assert [s.intensity for s in steps] == [
        Intensity.WARMUP, Intensity.ACTIVE, Intensity.RECOVERY, Intensity.ACTIVE,
        Intensity.COOLDOWN,
    ]  # fmt: skip
    assert [s.duration for s in steps] == [TimeDuration(d) for d in (300, 480, 240, 480, 300)]
    work = steps[1].target
    assert isinstance(work, PaceTarget)
    assert work.middle_s_per_km == pytest.approx(five_k)
    assert work.slow_s_per_km - work.fast_s_per_km == pytest.approx(10)  # the athlete's ±5 s
    jog = steps[2].target
    assert isinstance(jog, PaceTarget)
    assert jog.middle_s_per_km == pytest.approx(five_k / 0.65)
    warm = steps[0].target
    assert isinstance(warm, PaceTarget)
    assert (warm.fast_s_per_km, warm.slow_s_per_km) == pytest.approx((five_k / 0.8, five_k / 0.65))
    assert "left out: author, tags" in warned
    assert any("read as recoveries" in w for w in warned)


@pytest.mark.parametrize(
    ("name", "reps", "seconds", "share"),
    [("zwo-editor-run-vo2max.zwo", 5, 120, 1.05), ("zwo-editor-run-anaerobic.zwo", 8, 20, 1.15)],
)
def test_real_unrolled_zwift_intervals_read_as_work_and_recovery(
    interchange: Path, name: str, reps: int, seconds: int, share: float
) -> None:
    workout, _ = _read(interchange / name)
    work = [s.step for s in unroll(workout) if s.step.intensity is Intensity.ACTIVE]
    assert len(work) == reps
    assert {s.duration for s in work} == {TimeDuration(seconds)}
    for step in work:
        assert isinstance(step.target, PaceTarget)
        assert step.target.middle_s_per_km == pytest.approx(RACE_PACES["5k"] / share)


def test_a_zwift_file_needs_the_runners_race_times(interchange: Path) -> None:
    from pacefit.errors import WorkoutError
    from pacefit.formats.zwo_workout import read_zwo

    with pytest.raises(WorkoutError, match=r"pass --athlete"):
        read_zwo(interchange / "zwo-editor-run-threshold.zwo")


def test_real_tcx_workouts_read_as_written(interchange: Path) -> None:
    speed, _ = _read(interchange / "kaiord-WorkoutSpeedTargets.tcx")
    assert speed.name == "Speed Workout"
    steps = [s.step for s in unroll(speed)]
    assert [s.duration for s in steps] == [
        DistanceDuration(1600),
        DistanceDuration(800),
        TimeDuration(180),
    ]
    first = steps[0].target
    assert isinstance(first, PaceTarget)
    assert (first.fast_s_per_km, first.slow_s_per_km) == pytest.approx((1000 / 3.0, 1000 / 2.5))
    assert [s.name for s in steps] == ["Easy Run", "Fast Run", "Recovery"]
    assert steps[2].intensity is Intensity.REST and steps[2].target is None

    mixed, warned = _read(interchange / "kaiord-WorkoutMixedDurations.tcx")
    assert any("kcal, which the workout language cannot say; it ends on the lap button" in w
               for w in warned)  # fmt: skip
    kinds = {type(s.step.duration).__name__ for s in unroll(mixed)}
    assert {"TimeDuration", "DistanceDuration", "OpenDuration", "HeartRateDuration"} <= kinds

    repeats, _ = _read(interchange / "kaiord-WorkoutRepeatBlocks.tcx")
    assert (repeats.name, repeats.sport) == ("Interval Workout", "cycling")
    executed = [s.step for s in unroll(repeats)]
    assert [s.name for s in executed] == ["Warmup", *["Work", "Rest"] * 5, "Cooldown"]
    assert executed[1].target == HeartRateZone(4) and executed[2].target == HeartRateZone(2)
    assert executed[2].intensity is Intensity.RECOVERY  # Resting, with a target
    assert [s.duration for s in executed[:3]] == [TimeDuration(600), TimeDuration(240),
                                                  TimeDuration(120)]  # fmt: skip


def test_garmin_connects_reply_reads_as_the_workout_sent(interchange: Path) -> None:
    """kaiord sent the Input file to the live service and got the Output back (ids renumbered,
    floats, display orders added): both read as one workout."""
    sent, warned = _read(interchange / "kaiord-WorkoutRunningNestedRepeatsInput.gcn")
    stored, _ = _read(interchange / "kaiord-WorkoutRunningNestedRepeatsOutput.gcn")
    assert sent.steps == stored.steps
    assert any("ends by calories (50)" in w for w in warned)
    pace = next(s.step.target for s in unroll(sent) if isinstance(s.step.target, PaceTarget))
    assert isinstance(pace, PaceTarget)
    assert (pace.fast_s_per_km, pace.slow_s_per_km) == pytest.approx((250.0, 1000 / 3.5))
    outer = next(n for n in sent.steps if isinstance(n, Repeat))
    inner = outer.steps[0]
    assert outer.count == 3 and isinstance(inner, Repeat) and inner.count == 4


def test_a_real_garmin_connect_workout_reads_as_stored(interchange: Path) -> None:
    workout, _ = _read(interchange / "python-garminconnect-sample_workout.json")
    assert workout.name == "Simple session"
    executed = unroll(workout)
    assert executed[0].step.intensity is Intensity.WARMUP
    assert executed[0].step.duration == TimeDuration(180)
    work = [s for s in executed if s.step.intensity is Intensity.ACTIVE]
    assert work and all(s.step.duration == TimeDuration(60) for s in work[:6])


def _icu_examples(path: Path) -> dict[int, str]:
    """The examples in the file, annotations (`###`) stripped as the file says to."""
    examples: dict[int, list[str]] = {}
    current = 0
    for line in path.read_text().splitlines():
        if line.startswith("### ===== Example"):
            current = int(line.split()[3].rstrip(":"))
            examples[current] = []
        elif current and not line.startswith("###"):
            examples[current].append(line)
    return {number: "\n".join(lines) for number, lines in examples.items()}


def _icu(text: str, tmp_path: Path, name: str = "example") -> tuple[Workout, list[str]]:
    path = tmp_path / f"{name}.txt"
    path.write_text(text)
    return _read(path)


def test_the_intervals_icu_examples_read_as_written(interchange: Path, tmp_path: Path) -> None:
    examples = _icu_examples(interchange / "intervals-icu-syntax-examples.txt")
    assert sorted(examples) == list(range(1, 9))

    six_by_800, _ = _icu(examples[1], tmp_path)
    steps = [s.step for s in unroll(six_by_800)]
    assert len(steps) == 1 + 12 + 1
    assert steps[0].duration == DistanceDuration(2000) and steps[0].name == "Warmup"
    assert steps[0].intensity is Intensity.WARMUP
    rep = steps[1].target
    assert steps[1].duration == DistanceDuration(800)
    assert isinstance(rep, PaceTarget)
    assert (rep.fast_s_per_km, rep.slow_s_per_km) == (232, 238)
    assert steps[2].name == "Jog"
    assert steps[-1].intensity is Intensity.COOLDOWN

    tempo, _ = _icu(examples[2], tmp_path)
    first = unroll(tempo)[0].step
    assert first.duration == OpenDuration()  # `press lap`

    mix, _ = _icu(examples[3], tmp_path)
    mile = unroll(mix)[0].step
    assert mile.duration == DistanceDuration(METRES_PER_MILE * 2)
    assert isinstance(mile.target, PaceTarget)
    assert mile.target.slow_s_per_km == pytest.approx(580 / METRES_PER_MILE * 1000)
    assert len(unroll(mix)) == 1 + 10 + 4 + 10 + 1

    relative, warned = _icu(examples[5], tmp_path)
    assert any("104-106% Pace" in w and "cannot say" in w for w in warned)
    assert all(s.step.target is None for s in unroll(relative))

    heart, warned = _icu(examples[6], tmp_path)
    targets = [s.step.target for s in unroll(heart)]
    assert targets[2] is not None and targets[1] is None  # Z1 HR kept, % LTHR left out
    assert any("85-88% LTHR" in w for w in warned)

    flagged, _ = _icu(examples[7], tmp_path)
    kinds = [s.step.intensity for s in unroll(flagged)]
    assert kinds[0] is Intensity.WARMUP and kinds[-1] is Intensity.COOLDOWN
    assert kinds[1:3] == [Intensity.ACTIVE, Intensity.RECOVERY]

    ramps, warned = _icu(examples[8], tmp_path)
    assert any("ramp" in w for w in warned)
    assert unroll(ramps)[-1].step.duration == OpenDuration()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0x\n- 10m", ":1:1: a repeat of 0"),
        ("- 10m\n- Easy 0s", ":2:1: '0s' is no length"),
        ("- Easy jog", ":1:1: the step has no length"),
        ("Warmup\n", ": no steps: a step is a line that starts with '- '"),
    ],
)
def test_mistakes_in_intervals_icu_text_are_refused_at_their_line(
    text: str, message: str, tmp_path: Path
) -> None:
    from pacefit.errors import WorkoutError

    path = tmp_path / "w.txt"
    path.write_text(text)
    with pytest.raises(WorkoutError) as error:
        read_workout_file(path)
    assert str(error.value).startswith(f"{path}{message}")


def test_what_intervals_icu_text_says_that_pacefit_cannot_is_named(tmp_path: Path) -> None:
    workout, warned = _icu("- 10m 99:99-1:00/km Pace Z0 HR 95% LTHR", tmp_path)
    step = unroll(workout)[0].step
    assert step.target is None and step.duration == TimeDuration(600)
    assert warned == ["left out: 99:99-1:00/km Pace, Z0 HR, 95% LTHR (pacefit cannot say it)"]


def test_zwift_blocks_refer_to_the_race_the_workout_names(tmp_path: Path) -> None:
    """`between 10k + 0.5% and 10k + 2.5%` is run against the runner's 10K setting (pace 2)."""
    result, _ = compiled(WORKOUTS / "10k" / "tempo-2x15.yaml", "zwo", tmp_path)
    root = ET.parse(result.output).getroot()
    tempo = list(root.iter("SteadyState"))
    assert [b.get("pace") for b in tempo] == ["2", "2"]
    assert float(tempo[0].get("Power", "0")) == pytest.approx(1 / 1.015, abs=1e-4)
    warm = next(root.iter("Warmup"))
    assert warm.get("pace") == "1"  # easy pace names no race: Zwift's 5K test
