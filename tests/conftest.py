import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

# CI runs the same examples every time, so that a red build always means a change broke
# something; locally, hypothesis keeps exploring new inputs.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _a_fixed_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Commands that count from today (build leaves out past sessions, push --weeks) see the
    same day whenever the suite runs: before every plan the tests build."""
    monkeypatch.setenv("PACEFIT_TODAY", "2026-11-01")
    yield
