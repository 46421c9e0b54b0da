"""`decompile` never invents: workout files from Garmin and other tools, against what their
makers put in them (../shared/fixtures/real/truth.json) and against Garmin's SDK."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from pacefit.errors import FitFileError, PacefitWarning
from pacefit.formats.fit_workout import encode_workout, read_workout
from pacefit.formats.workout_yaml import dump_workout, load_workout

from .garmin_sdk import decode_checked
from .helpers import REAL, run_cli, shared_files

TRUTH: dict[str, Any] = (
    json.loads((REAL / "truth.json").read_text()) if (REAL / "truth.json").exists() else {}
)
WORKOUT_FILES = shared_files("fit/workouts", "*.fit") + shared_files(
    "real", "python_fit_tool-*.fit"
)
KINDS = {"warmup": "warmup", "active": "ride", "rest": "rest", "cooldown": "cooldown"}


def expected_step(truth: dict[str, str]) -> dict[str, str]:
    """A step of TRUTH.md as the workout language writes it."""
    step = {KINDS[truth["intensity"]]: _duration(truth["duration"])}
    note = re.fullmatch(r"note '(.*)'", truth["name_or_notes"])
    step["notes" if note else "name"] = note[1] if note else truth["name_or_notes"]
    power = re.fullmatch(r"power (\d+)-(\d+) W \(power_(3s|lap)\)", truth["target"])
    assert power, truth["target"]
    step["power"] = f"{power[1]}-{power[2]}W avg {power[3]}"
    return step


def _duration(text: str) -> str:
    return "lap" if text.startswith("open") else text.replace(" ", "")


@pytest.mark.parametrize(
    "case", TRUTH.get("decompile", []), ids=[c["id"] for c in TRUTH.get("decompile", [])]
)
def test_workouts_from_other_tools_decompile_to_what_they_hold(case: dict[str, Any]) -> None:
    result = run_cli("decompile", REAL / case["file"])
    assert result.exit_code == 0, result.output
    document = yaml.safe_load(result.stdout)
    assert document["name"] == case["name"]
    sport = re.match(r"(\w+)(?: \(sub_sport (\w+)\))?", case["sport"])
    assert sport is not None
    assert document["sport"] == sport[1]
    assert document.get("sub_sport") == sport[2]
    assert document["steps"] == [expected_step(step) for step in case["steps"]]


def test_developer_fields_never_take_a_native_fields_place() -> None:
    """Stages numbers its own fields 0-18, like workout_step's native ones: read as native, the
    warm-up would be named '4' with a heart-rate target of 101-149 bpm."""
    path = REAL / "python_fit_tool-stagesLink_25622166.fit"
    if not path.exists():
        pytest.skip("the real fixtures are not available")
    with pytest.warns(PacefitWarning) as caught:
        workout = read_workout(path)
    assert [str(w.message) for w in caught] == [
        f"{path}: developer fields left out (the maker's own, not FIT's): description, rpe, "
        "secondary_custom_target_high, secondary_custom_target_low, secondary_target_type, "
        "secondary_target_value, tertiary_custom_target_high, tertiary_custom_target_low, "
        "tertiary_target_type, tertiary_target_value, workout_id"
    ]
    assert "hr:" not in dump_workout(workout)


# What a watch acts on, per step, as Garmin's SDK decodes it.
STEP_FIELDS = (
    "wkt_step_name",
    "duration_type",
    "duration_value",
    "target_type",
    "target_value",
    "custom_target_value_low",
    "custom_target_value_high",
    "notes",
    "secondary_target_type",
    "secondary_target_value",
    "secondary_custom_target_value_low",
    "secondary_custom_target_value_high",
)


def understood(messages: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    workout = messages["workout_mesgs"][0]
    steps = [
        {name: step.get(name) for name in (*STEP_FIELDS, "intensity")}
        for step in messages["workout_step_mesgs"]
    ]
    return {
        "name": workout.get("wkt_name"),
        "sport": workout.get("sport", "running"),
        "sub_sport": workout.get("sub_sport", "generic"),
        "steps": steps,
    }


@pytest.mark.parametrize("path", WORKOUT_FILES, ids=lambda p: p.name)
@pytest.mark.filterwarnings("ignore:.*developer fields left out:pacefit.errors.PacefitWarning")
def test_decompile_then_compile_keeps_every_field_understood(path: Path, tmp_path: Path) -> None:
    original = understood(decode_checked(path.read_bytes()))
    yaml_path = tmp_path / "workout.yaml"
    yaml_path.write_text(dump_workout(read_workout(path), exact_paces=True))
    rebuilt = understood(decode_checked(encode_workout(load_workout(yaml_path, athlete=None))))
    if (
        original["sport"] == "running"
        and "sport" not in decode_checked(path.read_bytes())["workout_mesgs"][0]
    ):
        rebuilt["sport"] = "running"  # Garmin's samples leave the sport out: read as running
    assert rebuilt == original


def test_a_target_the_language_cannot_say_is_refused_for_its_step(tmp_path: Path) -> None:
    """A grade target (FIT target type 5): refused with the file and the step, not read as
    something else."""
    source = REAL / "python_fit_tool-trainerroad_744490.fit"
    if not source.exists():
        pytest.skip("the real fixtures are not available")
    data = source.read_bytes()
    assert decode_checked(data)["workout_step_mesgs"][2]["target_type"] == "power_lap"
    path = tmp_path / "grade.fit"
    path.write_bytes(_with_step_target(data, step=2, target_type=5))
    with pytest.raises(FitFileError) as caught:
        read_workout(path)
    assert str(caught.value) == (
        f"{path}: step 3 has a grade target, which the workout language cannot say"
    )


def _with_step_target(data: bytes, *, step: int, target_type: int) -> bytes:
    """The file with one step's target type changed and its checksum made right again."""
    from .test_hostile import reframed

    position = read_workout_fields(data)[step]
    changed = bytearray(data)
    changed[position] = target_type
    return reframed(bytes(changed[:-2]))


def read_workout_fields(data: bytes) -> list[int]:
    """The byte offset of each workout_step's target_type, found by walking the messages."""
    offsets: list[int] = []
    layouts: dict[int, tuple[int, list[tuple[int, int]]]] = {}
    position = data[0]
    end = position + int.from_bytes(data[4:8], "little")
    while position < end:
        header = data[position]
        position += 1
        if header & 0x40:
            local = header & 0x0F
            number = int.from_bytes(data[position + 2 : position + 4], "little")
            count = data[position + 4]
            fields = [
                (data[position + 5 + 3 * k], data[position + 6 + 3 * k]) for k in range(count)
            ]
            layouts[local] = (number, fields)
            position += 5 + 3 * count
            continue
        number, fields = layouts[header & 0x0F]
        offset = position
        for field, size in fields:
            if number == 27 and field == 3:
                offsets.append(offset)
            offset += size
        position = offset
    return offsets
