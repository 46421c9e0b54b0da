"""Paths and small helpers shared by the tests."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parents[1]
WORKOUTS = ROOT / "workouts"
PLANS = WORKOUTS / "plans"
RUNS = ROOT / "fixtures" / "runs"
ATHLETE_FILE = WORKOUTS / "athlete.example.yaml"
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"
REAL = SHARED_FIXTURES / "real"


def shared_fixture(relative: str) -> Path:
    """A real device file from ../shared/fixtures; the test is skipped when it is absent."""
    path = SHARED_FIXTURES / relative
    if not path.exists():
        pytest.skip(f"shared fixture {relative} not available")
    return path


def shared_files(folder: str, pattern: str = "*") -> list[Path]:
    base = SHARED_FIXTURES / folder
    return sorted(base.glob(pattern)) if base.is_dir() else []


def run_cli(*args: object, env: dict[str, str] | None = None) -> Result:
    """`pacefit ARGS` as a user runs it; stdout and stderr stay apart."""
    from pacefit.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def write_plan(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.yaml").write_text(textwrap.dedent(text).lstrip("\n"))
    return folder


def write_athlete(folder: Path, text: str) -> Path:
    path = folder / "athlete.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def assert_one_line_naming(error: BaseException, path: Path | str) -> None:
    """What the user sees of a refused file: one line that starts with the file's path (and
    the line and column, for a text file)."""
    headline = str(error).split("\n  hint: ")[0]
    assert "\n" not in headline, headline
    assert re.match(rf"{re.escape(str(path))}(:\d+:\d+)?: ", headline), headline
