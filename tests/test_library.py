"""Every workout of the bundled library compiles at every level and decodes in Garmin's SDK."""

from __future__ import annotations

from pathlib import Path

import pytest

from pacefit.core.workout import LEVELS, PaceTarget, Repeat, unroll
from pacefit.formats.athlete_yaml import load_athlete
from pacefit.formats.fit_workout import encode_workout
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.compile import find_workout_files

from .garmin_sdk import decode_checked
from .helpers import ATHLETE_FILE, WORKOUTS

ATHLETE = load_athlete(ATHLETE_FILE)
LIBRARY = find_workout_files([WORKOUTS])


def test_the_six_sessions_are_there() -> None:
    assert {p.stem for p in LIBRARY} >= {
        "intervals-800",
        "tempo-2x15",
        "mix",
        "repeats-1k",
        "repeats-mile",
        "ladder",
    }


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_library_workout_compiles(path: Path, level: str) -> None:
    workout = load_workout(path, athlete=ATHLETE, level=level)
    messages = decode_checked(encode_workout(workout))
    steps = messages["workout_step_mesgs"]
    assert messages["workout_mesgs"][0]["num_valid_steps"] == len(steps)
    assert any(isinstance(e.step.target, PaceTarget) for e in unroll(workout))


def test_levels_change_the_main_set() -> None:
    path = WORKOUTS / "10k" / "repeats-1k.yaml"
    counts = []
    for level in LEVELS:
        repeat = load_workout(path, athlete=ATHLETE, level=level).steps[1]
        assert isinstance(repeat, Repeat)
        counts.append(repeat.count)
    assert counts == [2, 6, 8]
