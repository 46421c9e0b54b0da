"""Plan files: mistakes reported with their location."""

from __future__ import annotations

from pathlib import Path

import pytest

from pacefit.errors import WorkoutError
from pacefit.formats.plan_yaml import load_plan

from .helpers import write_plan


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "weeks: 2\nschedule:\n  1:\n    tue: nowhere.yaml\n",
            "4:10: no workout file 'nowhere.yaml'",
        ),
        ("weeks: 2\nschedule:\n  3:\n    tue: x.yaml\n", "3:3: unknown key '3' in 'schedule'"),
        (
            "weeks: 2\nschedule:\n  1:\n    someday: x.yaml\n",
            "4:5: unknown key 'someday' in week 1",
        ),
        ("weeks: 0\nschedule: {}\n", "1:8: 'weeks' must be a whole number from 1 to 52, got '0'"),
        (
            "weeks: 2\nschedule:\n  1:\n    tue: {workout: x.yaml, level: expert}\n",
            "4:35: unknown level 'expert'",
        ),
        (
            "weeks: 2\nschedule:\n  1:\n    tue: {beginer: x.yaml}\n",
            "4:11: unknown key 'beginer' in a session",
        ),
        (
            "weeks: 2\nschedule:\n  1:\n    tue: {workout: x.yaml, time: 3km}\n",
            "4:34: '3km' is not a time",
        ),
        (
            "weeks: 2\nschedule:\n  1:\n    tue: {workout: x.yaml, time: 3min, distance: 1km}\n",
            "4:28: a session changes its rep's distance or its time, not both",
        ),
        # a session's length is checked as a workout file's step is
        (
            "weeks: 2\nschedule:\n  1:\n    tue: {workout: x.yaml, distance: 100000km}\n",
            "4:38: a step of 100000km is longer than any run\n  hint: steps are at most 500km",
        ),
        (
            "weeks: 2\nschedule:\n  1:\n    tue: {workout: x.yaml, time: 99999:00:00}\n",
            "4:34: a step of 99999:00:00 is longer than any run",
        ),
        (
            "weeks: 2\nschedule:\n  1:\n    tue: {workout: x.yaml, distance: 0.0001m}\n",
            "4:38: a duration must be more than zero, got '0.0001m'",
        ),
        ("blocks: [../missing]\n", "1:10: no plan.yaml in '../missing'"),
    ],
)
def test_plan_mistakes_are_located(tmp_path: Path, text: str, message: str) -> None:
    folder = write_plan(tmp_path / "p", text)
    (folder / "x.yaml").write_text("steps:\n  - run: 1km\n")
    with pytest.raises(WorkoutError) as caught:
        load_plan(folder)
    assert str(caught.value).startswith(f"{folder / 'plan.yaml'}:{message}")


def test_a_day_can_differ_by_level(tmp_path: Path) -> None:
    folder = write_plan(
        tmp_path / "p",
        """
        weeks: 1
        schedule:
          1:
            tue: {workout: x.yaml, repeat: {beginner: 2, advanced: 8}}
            wed: {beginner: rest, advanced: x.yaml}
        """,
    )
    (folder / "x.yaml").write_text("steps:\n  - repeat: 4\n    steps:\n      - run: 1km\n")
    sessions = {
        level: load_plan(folder, level=level)[1][0].sessions[1]
        for level in ("beginner", "intermediate", "advanced")
    }
    assert [(s.day, s.overrides.repeat) for s in sessions["beginner"]] == [("tue", 2)]
    # a level that is not listed takes the nearest listed level below it
    assert [(s.day, s.overrides.repeat) for s in sessions["intermediate"]] == [("tue", 2)]
    assert [(s.day, s.overrides.repeat, s.level) for s in sessions["advanced"]] == [
        ("tue", 8, "advanced"),
        ("wed", None, "advanced"),
    ]
