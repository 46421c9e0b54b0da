import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

from .browser import CHROMIUM_ARGS

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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("no chromium installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
