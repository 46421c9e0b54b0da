from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKOUTS = ROOT / "workouts"
ATHLETE_FILE = WORKOUTS / "athlete.example.yaml"
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"


def shared_fixture(relative: str) -> Path:
    """A real device file from ../shared/fixtures; the test is skipped when it is absent."""
    path = SHARED_FIXTURES / relative
    if not path.exists():
        pytest.skip(f"shared fixture {relative} not available")
    return path


def shared_files(folder: str, pattern: str = "*") -> list[Path]:
    base = SHARED_FIXTURES / folder
    return sorted(base.glob(pattern)) if base.is_dir() else []
