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
        ("weeks: 2\nlevel: expert\nschedule: {}\n", "2:8: unknown level 'expert'"),
        ("blocks: [../missing]\n", "1:10: no plan.yaml in '../missing'"),
    ],
)
def test_plan_mistakes_are_located(tmp_path: Path, text: str, message: str) -> None:
    folder = write_plan(tmp_path / "p", text)
    (folder / "x.yaml").write_text("steps:\n  - run: 1km\n")
    with pytest.raises(WorkoutError) as caught:
        load_plan(folder)
    assert str(caught.value).startswith(f"{folder / 'plan.yaml'}:{message}")
